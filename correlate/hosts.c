/*
 * hosts.c - the host of each evidence file (see hosts.h, METHOD.md §2.7).
 *
 * Three steps: the files that name their host are read (SYSTEM hives, event logs with stored
 * records); their names are grouped into machines (hosts_same_name) and the machines numbered in
 * name order; then every file is given a host: its own name, else its folder's, else the case's
 * only one, else none (said, never guessed).
 */
#include "hosts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store.h"
#include "strbuf.h"

/* A file that names its host. */
struct namer {
	int64_t evidence_id;
	char *name;
	struct strbuf how;       /* the sentence of evidence_hosts.basis */
	char basis[48];          /* the row naming it: reg_values:ID or events.id=ID */
	int also_others;         /* an event log whose records also name other computers */
	size_t host;             /* index in hosts, once grouped */
};

struct machine {
	char *name;
	struct strbuf basis;
	int medium;
	int64_t id;
};

/* An evidence_paths row. */
struct path_row {
	int64_t evidence_id;
	char *path;
};

/* A path of a file that names its host, with the host (the folders' index). */
struct named_path {
	const char *path;        /* in census.paths */
	size_t host;
};

struct census {
	struct namer *namers;
	size_t namer_count;
	struct named_path *named; /* the paths of the namers: few, whatever the size of the case */
	size_t named_count;
	struct machine *hosts;
	size_t host_count;
	struct path_row *paths;
	size_t path_count;
	char **roots;
	size_t root_count;
	int failed;
};

int hosts_same_name(const char *a, const char *b)
{
	size_t la = strcspn(a, "."), lb = strcspn(b, ".");

	if (strcasecmp(a, b) == 0)
		return 1;
	return (!a[la] || !b[lb]) && la == lb && strncasecmp(a, b, la) == 0;
}

static struct namer *namer_of(const struct census *c, int64_t evidence_id)
{
	for (size_t i = 0; i < c->namer_count; i++)
		if (c->namers[i].evidence_id == evidence_id)
			return &c->namers[i];
	return NULL;
}

static struct namer *add_namer(struct census *c, int64_t evidence_id, const char *name)
{
	struct namer *grown = realloc(c->namers, (c->namer_count + 1) * sizeof *grown);
	struct namer *n;

	if (!grown)
		return NULL;
	c->namers = grown;
	n = &grown[c->namer_count];
	memset(n, 0, sizeof *n);
	n->evidence_id = evidence_id;
	n->how = (struct strbuf)STRBUF_INIT;
	if (!(n->name = strdup(name)))
		return NULL;
	c->namer_count++;
	return n;
}

/* §2.3: the ComputerName of each SYSTEM hive (the control set it was read from), first row. */
static int system_name_row(void *context, int columns, const char *const *names,
			   const char *const *values)
{
	struct census *c = context;
	int64_t evidence_id = strtoll(values[0], NULL, 10);
	struct namer *n;

	(void)columns;
	(void)names;
	if (namer_of(c, evidence_id))
		return 0;
	if (!(n = add_namer(c, evidence_id, values[2]))) {
		c->failed = 1;
		return -1;
	}
	snprintf(n->basis, sizeof n->basis, "reg_values:%s", values[1]);
	strbuf_printf(&n->how, "the SYSTEM hive's ComputerName \"%s\" (%s, reg_values:%s)",
		      values[2], values[3], values[1]);
	return 0;
}

/* Per (log, Computer), the most frequent first (store_each_evidence_computer). */
struct log_state {
	struct census *c;
	int64_t current;
	struct namer *namer;
};

static int log_computer(void *context, int64_t evidence_id, const char *path, const char *computer,
			int64_t records, int64_t first_event)
{
	struct log_state *s = context;
	struct census *c = s->c;

	(void)path;
	if (evidence_id != s->current) {
		s->current = evidence_id;
		s->namer = NULL;
		if (namer_of(c, evidence_id) || records <= 0 || !computer || !computer[0])
			return 0; /* a SYSTEM hive, a file without records, records without a name */
		if (!(s->namer = add_namer(c, evidence_id, computer)))
			return -1;
		snprintf(s->namer->basis, sizeof s->namer->basis, "events.id=%lld",
			 (long long)first_event);
		strbuf_printf(&s->namer->how, "the System/Computer \"%s\" of %lld of its stored event "
			      "records (the first: events.id=%lld)", computer, (long long)records,
			      (long long)first_event);
		return 0;
	}
	if (s->namer && records > 0) {
		/* records without a Computer, or naming the same machine otherwise spelt (a bare name
		 * and its DNS name), name no other machine; another name does (a renamed machine, the
		 * MININT-* name of Windows setup, forwarded records) */
		int same = !computer || !computer[0] || hosts_same_name(computer, s->namer->name);

		s->namer->also_others |= !same;
		strbuf_printf(&s->namer->how, "; %lld others %s%s", (long long)records,
			      computer && computer[0] ? "name " : "name no computer",
			      computer && computer[0] ? computer : "");
	}
	return 0;
}

static int path_row(void *context, int columns, const char *const *names,
		    const char *const *values)
{
	struct census *c = context;
	struct path_row *grown = realloc(c->paths, (c->path_count + 1) * sizeof *grown);

	(void)columns;
	(void)names;
	if (!grown)
		return -1;
	c->paths = grown;
	grown[c->path_count].evidence_id = strtoll(values[0], NULL, 10);
	if (!(grown[c->path_count].path = strdup(values[1])))
		return -1;
	c->path_count++;
	return 0;
}

static int root_row(void *context, int columns, const char *const *names,
		    const char *const *values)
{
	struct census *c = context;
	char **grown = realloc(c->roots, (c->root_count + 1) * sizeof *grown);
	size_t length;

	(void)columns;
	(void)names;
	if (!grown)
		return -1;
	c->roots = grown;
	if (!(grown[c->root_count] = strdup(values[0])))
		return -1;
	/* "A/" gave paths "A/x": compare without the slash */
	length = strlen(grown[c->root_count]);
	while (length > 1 && grown[c->root_count][length - 1] == '/')
		grown[c->root_count][--length] = '\0';
	c->root_count++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct machine *x = a, *y = b;
	int order = strcasecmp(x->name, y->name);

	return order ? order : strcmp(x->name, y->name);
}

/* Groups the names into machines: a SYSTEM hive's spelling first (the namers are in that order),
 * then each log joins the machine whose name it matches. Numbers the machines in name order. */
static int group_names(struct census *c)
{
	for (size_t i = 0; i < c->namer_count; i++) {
		struct namer *n = &c->namers[i];
		size_t h;

		for (h = 0; h < c->host_count; h++)
			if (hosts_same_name(c->hosts[h].name, n->name))
				break;
		if (h == c->host_count) {
			struct machine *grown = realloc(c->hosts, (h + 1) * sizeof *grown);

			if (!grown)
				return -1;
			c->hosts = grown;
			memset(&grown[h], 0, sizeof grown[h]);
			grown[h].basis = (struct strbuf)STRBUF_INIT;
			if (!(grown[h].name = strdup(n->name)))
				return -1;
			c->host_count++;
		}
		strbuf_printf(&c->hosts[h].basis, "%s%s", c->hosts[h].basis.length ? ";" : "",
			      n->basis);
		c->hosts[h].medium |= n->also_others;
		n->host = h;
	}
	/* name order; the namers follow their machine through the id */
	for (size_t h = 0; h < c->host_count; h++)
		c->hosts[h].id = (int64_t)h;
	if (c->host_count > 1) {
		int64_t *rank = malloc(c->host_count * sizeof *rank);

		if (!rank)
			return -1;
		qsort(c->hosts, c->host_count, sizeof *c->hosts, by_name);
		for (size_t h = 0; h < c->host_count; h++)
			rank[c->hosts[h].id] = (int64_t)h;
		for (size_t i = 0; i < c->namer_count; i++)
			c->namers[i].host = (size_t)rank[c->namers[i].host];
		free(rank);
	}
	for (size_t h = 0; h < c->host_count; h++)
		c->hosts[h].id = (int64_t)h + 1;
	return 0;
}

/* Whether PATH lies inside FOLDER (FOLDER_LENGTH bytes of a path): below it as a folder or as a
 * container (CONTAINER!MEMBER). */
static int inside(const char *path, const char *folder, size_t folder_length)
{
	return strncmp(path, folder, folder_length) == 0 &&
	       (path[folder_length] == '/' || path[folder_length] == '!');
}

/* The collection argument PATH was found under (the longest that holds it), or NULL. */
static const char *root_of(const struct census *c, const char *path)
{
	const char *best = NULL;

	for (size_t i = 0; i < c->root_count; i++) {
		size_t length = strlen(c->roots[i]);

		if ((strcmp(path, c->roots[i]) == 0 || inside(path, c->roots[i], length)) &&
		    (!best || length > strlen(best)))
			best = c->roots[i];
	}
	return best;
}

/* The hosts named by the files inside FOLDER: sets *FIRST to one of them and *EXAMPLE to a path
 * naming it, returns how many different ones (0, 1, or 2 meaning "more than one"). */
static int hosts_inside(const struct census *c, const char *folder, size_t folder_length,
			size_t *first, const char **example, size_t *second)
{
	int found = 0;

	for (size_t p = 0; p < c->named_count; p++) {
		const struct named_path *row = &c->named[p];

		if (!inside(row->path, folder, folder_length))
			continue;
		if (found == 0) {
			*first = row->host;
			*example = row->path;
			found = 1;
		} else if (row->host != *first) {
			*second = row->host;
			return 2;
		}
	}
	return found;
}

/* The host the folders around PATH give (§2.7), or -1; *WHY is the sentence either way. */
static long host_by_folder(const struct census *c, const char *path, struct strbuf *why)
{
	const char *root = root_of(c, path);
	/* the collection argument is the outer limit; without one (a store written before they were
	 * recorded), the first folder of the path */
	size_t limit = root ? strlen(root) : 1;

	/* from the file itself (a container is the folder of its members) outwards */
	for (size_t k = strlen(path) + 1; k-- > limit;) {
		size_t first = 0, second = 0;
		const char *example = NULL;
		int found;

		if (path[k] && path[k] != '/' && path[k] != '!')
			continue;
		found = hosts_inside(c, path, k, &first, &example, &second);
		if (found == 1) {
			strbuf_printf(why, "%s lies in %.*s, whose files that name their host name only "
				      "%s (%s)", path, (int)k, path, c->hosts[first].name, example);
			return (long)first;
		}
		if (found == 2) {
			strbuf_printf(why, "%s: the nearest folder holding files that name their host, "
				      "%.*s, holds files of %s and %s", path, (int)k, path,
				      c->hosts[first].name, c->hosts[second].name);
			return -1;
		}
	}
	strbuf_printf(why, "%s: no folder around it%s%s holds a file naming its host", path,
		      root ? " up to its collection argument " : "", root ? root : "");
	return -1;
}

/* Gives one file its host(s) from the folders of each of its paths [FIRST, END). */
static int assign_by_place(struct store *store, const struct census *c, size_t first, size_t end)
{
	struct strbuf why = STRBUF_INIT, all = STRBUF_INIT;
	int64_t evidence_id = c->paths[first].evidence_id;
	int given = 0, rc = 0;

	for (size_t p = first; rc == 0 && p < end; p++) {
		long host;

		strbuf_free(&why);
		host = host_by_folder(c, c->paths[p].path, &why);
		if (strbuf_failed(&why))
			rc = -1;
		else if (host >= 0) {
			rc = store_add_evidence_host(store, evidence_id, c->hosts[host].id, "folder",
						     strbuf_text(&why));
			given = 1;
		} else
			strbuf_printf(&all, "%s%s", all.length ? "; " : "", strbuf_text(&why));
	}
	if (rc == 0 && !given)
		rc = strbuf_failed(&all) ? -1
					 : store_add_evidence_host(store, evidence_id, 0, "unassigned",
								   strbuf_text(&all));
	strbuf_free(&why);
	strbuf_free(&all);
	return rc == 0 ? (given ? 0 : 1) : -1;
}

static int count_row(void *context, int columns, const char *const *names,
		     const char *const *values)
{
	size_t *counts = context;

	(void)names;
	for (int i = 0; i < columns && i < 2; i++)
		counts[i] = values[i] ? (size_t)strtoull(values[i], NULL, 10) : 0;
	return 0;
}

int hosts_count(struct store *store, size_t *hosts, size_t *unassigned)
{
	size_t counts[2] = {0, 0};
	int rc = store_query(store,
			     "SELECT (SELECT count(*) FROM main.hosts), (SELECT count(DISTINCT "
			     "evidence_id) FROM main.evidence_hosts WHERE host_id IS NULL)",
			     count_row, counts);

	*hosts = counts[0];
	*unassigned = counts[1];
	return rc;
}

static void census_free(struct census *c)
{
	for (size_t i = 0; i < c->namer_count; i++) {
		free(c->namers[i].name);
		strbuf_free(&c->namers[i].how);
	}
	for (size_t h = 0; h < c->host_count; h++) {
		free(c->hosts[h].name);
		strbuf_free(&c->hosts[h].basis);
	}
	for (size_t p = 0; p < c->path_count; p++)
		free(c->paths[p].path);
	for (size_t r = 0; r < c->root_count; r++)
		free(c->roots[r]);
	free(c->namers);
	free(c->named);
	free(c->hosts);
	free(c->paths);
	free(c->roots);
}

int hosts_establish(struct store *store, size_t *hosts, size_t *unassigned)
{
	struct census c;
	struct log_state logs;
	size_t left = 0;
	int rc = -1;

	memset(&c, 0, sizeof c);
	logs = (struct log_state){&c, 0, NULL};
	if (store_scope_host(store, STORE_SCOPE_CASE) != 0 || store_clear_hosts(store) != 0 ||
	    store_query(store,
			"SELECT evidence_id, id, decoded, key_path FROM main.reg_values WHERE "
			"hive_kind = 'SYSTEM' AND value_name = 'ComputerName' COLLATE NOCASE AND "
			"key_path LIKE 'ControlSet%' AND substr(key_path, instr(key_path, '\\') + 1) "
			"= 'Control\\ComputerName\\ComputerName' COLLATE NOCASE AND decoded != '' "
			"ORDER BY evidence_id, id",
			system_name_row, &c) != 0 ||
	    c.failed || store_each_evidence_computer(store, log_computer, &logs) != 0 ||
	    store_query(store, "SELECT evidence_id, path FROM main.evidence_paths ORDER BY "
			       "evidence_id, path", path_row, &c) != 0 ||
	    store_query(store, "SELECT DISTINCT path FROM main.collection_roots ORDER BY path",
			root_row, &c) != 0 ||
	    group_names(&c) != 0)
		goto out;
	if (!(c.named = calloc(c.path_count ? c.path_count : 1, sizeof *c.named)))
		goto out;
	for (size_t p = 0; p < c.path_count; p++) {
		const struct namer *n = namer_of(&c, c.paths[p].evidence_id);

		if (n)
			c.named[c.named_count++] = (struct named_path){c.paths[p].path, n->host};
	}
	for (size_t h = 0; h < c.host_count; h++)
		if (strbuf_failed(&c.hosts[h].basis) ||
		    store_add_host(store, c.hosts[h].id, c.hosts[h].name,
				   strbuf_text(&c.hosts[h].basis),
				   c.hosts[h].medium ? "medium" : "high") != 0)
			goto out;
	for (size_t p = 0, end; p < c.path_count; p = end) {
		const struct namer *n = namer_of(&c, c.paths[p].evidence_id);
		int placed = 0;

		for (end = p; end < c.path_count &&
			      c.paths[end].evidence_id == c.paths[p].evidence_id;)
			end++;
		if (n) {
			if (strbuf_failed(&n->how) ||
			    store_add_evidence_host(store, n->evidence_id, c.hosts[n->host].id,
						    "names_itself", strbuf_text(&n->how)) != 0)
				goto out;
		} else if (c.host_count == 1) {
			char why[512];

			snprintf(why, sizeof why, "the files of the case that name their host name only "
				 "%s", c.hosts[0].name);
			if (store_add_evidence_host(store, c.paths[p].evidence_id, c.hosts[0].id,
						    "only_host", why) != 0)
				goto out;
		} else if (c.host_count == 0) {
			if (store_add_evidence_host(store, c.paths[p].evidence_id, 0, "unassigned",
						    "no file of the case names its host (no SYSTEM "
						    "hive ComputerName, no stored event record with a "
						    "Computer)") != 0)
				goto out;
			left++;
		} else if ((placed = assign_by_place(store, &c, p, end)) < 0) {
			goto out;
		} else {
			left += (size_t)placed;
		}
	}
	if (hosts)
		*hosts = c.host_count;
	if (unassigned)
		*unassigned = left;
	rc = 0;
out:
	census_free(&c);
	return rc;
}
