/*
 * record.c - `sandtrace record`: a stored event record shown with its XML rendered again from the
 * evidence file (see record.h; METHOD.md §8.10).
 *
 * The store keeps the XML of catalogue records and only the fields and place of the records
 * `--all-events` adds (§8.8). Either way the record's evidence file is found by the paths the
 * store lists for its SHA-256, hashed again, and only read when the hash still matches: what is
 * printed is then the record of the evidence the store was built from, not of a later file at
 * the same path; a log read from a collection container is read from the container again,
 * into memory. For a record whose XML is stored, the two texts are compared and a difference is
 * an error (exit 1), never silently passed over.
 */
#include "record.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collection.h"
#include "evidence.h"
#include "parsers/evtx_record.h"
#include "store.h"
#include "strbuf.h"

/* The events row as the query gives it: every column as text, and what locating it needs. */
struct stored_record {
	int found;
	struct strbuf fields;    /* "name: value" lines of the non-NULL columns but the XML's */
	char *xml;               /* stored XML, NULL if none */
	char *sha256;
	char **paths;            /* evidence_paths of the record's file, first found first */
	size_t path_count;
	struct evtx_record_at at;
};

static int64_t number_or(const char *text, int64_t otherwise)
{
	return text ? strtoll(text, NULL, 10) : otherwise;
}

static int take_row(void *context, int columns, const char *const *names,
		    const char *const *values)
{
	struct stored_record *r = context;

	r->found = 1;
	for (int i = 0; i < columns; i++) {
		const char *name = names[i], *value = values[i];
		if (!strcmp(name, "xml") || !strcmp(name, "xml_size")) {
			continue; /* packed (sqlar.h): read through stored_xml below */
		} else if (!strcmp(name, "stored_xml")) {
			r->xml = value ? strdup(value) : NULL;
		} else if (!strcmp(name, "sha256")) {
			r->sha256 = value ? strdup(value) : NULL;
		} else if (value) {
			if (!strcmp(name, "offset"))
				r->at.offset = number_or(value, -1);
			else if (!strcmp(name, "header_record_id"))
				r->at.header_number = (uint64_t)number_or(value, 0);
			else if (!strcmp(name, "written_time"))
				r->at.written_time = (uint64_t)number_or(value, 0);
			else if (!strcmp(name, "recovered"))
				r->at.recovered = number_or(value, 0) != 0;
			strbuf_printf(&r->fields, "%s: %s\n", name, value);
		}
	}
	return 0;
}

static int take_path(void *context, int columns, const char *const *names,
		     const char *const *values)
{
	struct stored_record *r = context;
	char **grown = realloc(r->paths, (r->path_count + 1) * sizeof *grown);

	(void)columns;
	(void)names;
	if (!grown)
		return -1;
	r->paths = grown;
	r->paths[r->path_count] = values[0] ? strdup(values[0]) : NULL;
	return r->paths[r->path_count++] ? 0 : -1;
}

/* A container member being looked for by name and SHA-256 (collection_list's callback). */
struct member_search {
	const char *name, *sha256;
	int found, changed;
	size_t index;
	char sha256_now[65];
};

static int find_member(void *context, const struct collection_member *member)
{
	struct member_search *search = context;

	if (strcmp(member->name, search->name) != 0 || search->found)
		return 0;
	if (member->hashes && strcmp(member->hashes->sha256, search->sha256) == 0) {
		search->found = 1;
		search->index = member->index;
		return 1; /* found: the rest of the container is not read */
	} else {
		search->changed = 1;
		snprintf(search->sha256_now, sizeof search->sha256_now, "%s",
			 member->hashes ? member->hashes->sha256 : "(not read)");
	}
	return 0;
}

/* PATH as "CONTAINER!MEMBER" (discover.c names members so): reads the member whose name is
 * MEMBER and whose content still has the SHA-256 SHA256 into *DATA / *SIZE. Returns 0; 1 when
 * PATH names no container member (no readable file before a '!'); -1 with WHY filled. */
static int read_container_member(const char *path, const char *sha256, uint8_t **data,
				 size_t *size, struct strbuf *why)
{
	char reason[300], now[65];

	for (const char *bang = strchr(path, '!'); bang; bang = strchr(bang + 1, '!')) {
		char *container = strndup(path, (size_t)(bang - path));
		struct member_search search = {bang + 1, sha256, 0, 0, 0, ""};
		int listed;

		if (!container) {
			strbuf_printf(why, "%s: out of memory", path);
			return -1;
		}
		if (access(container, R_OK) != 0) {
			free(container);
			continue;
		}
		listed = collection_list(container, COLLECTION_MEMBER_LIMIT_DEFAULT, find_member,
					 &search, reason, sizeof reason);
		if (!search.found) {
			if (search.changed)
				strbuf_printf(why, "%s: changed since it was ingested (SHA-256 now %s, "
					      "stored %s)", path, search.sha256_now, sha256);
			else
				strbuf_printf(why, "%s: no such member in the container%s%s", path,
					      listed != 0 ? ": " : "", listed != 0 ? reason : "");
		} else if (collection_read_member(container, search.index, search.name,
						  COLLECTION_MEMBER_LIMIT_DEFAULT, data, size, NULL,
						  reason, sizeof reason) != 0) {
			strbuf_printf(why, "%s: cannot be read (%s)", path, reason);
		} else if (evidence_sha256_hex(*data, *size, now), strcmp(now, sha256) != 0) {
			/* changed between the listing and this read */
			strbuf_printf(why, "%s: changed since it was ingested (SHA-256 now %s, stored "
				      "%s)", path, now, sha256);
			free(*data);
			*data = NULL;
		} else {
			free(container);
			return 0;
		}
		free(container);
		return -1;
	}
	return 1;
}

/* Finds the first listed path of the record's file whose content still has its SHA-256: a file,
 * or a member of a collection container, read into *DATA / *SIZE then (NULL for a file). Returns
 * that path, or NULL with ERR saying, for each path, why not. */
static const char *unchanged_path(const struct stored_record *r, uint8_t **data, size_t *size,
				  char *err, size_t err_size)
{
	struct strbuf why = {0};

	*data = NULL;
	for (size_t i = 0; i < r->path_count; i++) {
		struct evidence_hashes hashes;
		char reason[300];
		int member;

		if (i)
			strbuf_append_str(&why, "; ");
		if (access(r->paths[i], F_OK) != 0 &&
		    (member = read_container_member(r->paths[i], r->sha256, data, size, &why)) != 1) {
			if (member == 0) {
				strbuf_free(&why);
				return r->paths[i];
			}
		} else if (evidence_hash_file(r->paths[i], &hashes, reason, sizeof reason) != 0) {
			strbuf_printf(&why, "%s: cannot be read (%s)", r->paths[i], reason);
		} else if (strcmp(hashes.sha256, r->sha256) != 0) {
			strbuf_printf(&why, "%s: changed since it was ingested (SHA-256 now %s, "
				      "stored %s)", r->paths[i], hashes.sha256, r->sha256);
		} else {
			strbuf_free(&why);
			return r->paths[i];
		}
	}
	snprintf(err, err_size, "the record's evidence file (SHA-256 %s) is not available: %s",
		 r->sha256, r->path_count ? strbuf_text(&why) : "no path listed");
	strbuf_free(&why);
	return NULL;
}

int record_print(struct store *store, int64_t id, int xml_only, FILE *out, char *err,
		 size_t err_size)
{
	struct stored_record r = {0};
	struct strbuf xml = {0};
	const char *path, *reader = NULL;
	uint8_t *member = NULL; /* the evidence, when it is a container member */
	size_t member_size = 0;
	char sql[400], why[800];
	int rc = 1;

	r.at.offset = -1;
	snprintf(sql, sizeof sql, "SELECT e.*, CAST(sqlar_uncompress(e.xml, e.xml_size) AS TEXT) "
		 "AS stored_xml, v.sha256 FROM events e JOIN evidence v ON v.id = e.evidence_id "
		 "WHERE e.id = %" PRId64, id);
	if (store_query(store, sql, take_row, &r) != 0) {
		rc = -1;
		goto out;
	}
	if (!r.found) {
		snprintf(err, err_size, "no record events.id=%" PRId64, id);
		goto out;
	}
	snprintf(sql, sizeof sql, "SELECT p.path FROM evidence_paths p JOIN evidence v ON "
		 "v.id = p.evidence_id JOIN events e ON e.evidence_id = v.id WHERE e.id = %" PRId64
		 " ORDER BY p.id", id);
	if (!r.sha256 || store_query(store, sql, take_path, &r) != 0) {
		rc = -1;
		goto out;
	}
	if (!(path = unchanged_path(&r, &member, &member_size, err, err_size)))
		goto out;
	if ((member ? evtx_record_render_memory(member, member_size, &r.at, &xml, &reader, why,
						sizeof why)
		    : evtx_record_render(path, &r.at, &xml, &reader, why, sizeof why)) != 0) {
		snprintf(err, err_size, "%s: the record cannot be rendered again: %s", path, why);
		goto out;
	}
	if (!xml_only) {
		fprintf(out, "events.id=%" PRId64 "\nevidence: %s (SHA-256 %s, checked: unchanged)\n"
			"%s", id, path, r.sha256, strbuf_text(&r.fields));
		fprintf(out, "xml (rendered again by %s from the evidence file; %s):\n", reader,
			!r.xml ? "not stored, METHOD.md §8.8"
			: strcmp(r.xml, strbuf_text(&xml)) ? "DIFFERS from the stored XML"
							   : "identical to the stored XML");
	}
	fputs(strbuf_text(&xml), out);
	if (r.xml && strcmp(r.xml, strbuf_text(&xml)) != 0) {
		snprintf(err, err_size, "events.id=%" PRId64 ": the XML rendered again from %s "
			 "differs from the stored XML", id, path);
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < r.path_count; i++)
		free(r.paths[i]);
	free(r.paths);
	free(member);
	free(r.xml);
	free(r.sha256);
	strbuf_free(&r.fields);
	strbuf_free(&xml);
	return rc;
}
