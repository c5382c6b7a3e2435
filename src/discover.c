/*
 * discover.c - the collection walk, content classification, and the name/place rules that back it
 * (see discover.h).
 */
#include "discover.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collection.h"
#include "parsers/servicing_log.h"
#include "strbuf.h"
#include "timeutil.h"

enum { HEAD_SIZE = 1024 };

const char *evidence_kind_name(enum evidence_kind kind)
{
	switch (kind) {
	case EVIDENCE_EVTX: return "evtx";
	case EVIDENCE_HIVE: return "hive";
	case EVIDENCE_TASK_XML: return "task_xml";
	case EVIDENCE_WSB: return "wsb";
	case EVIDENCE_ARCHIVE: return "archive";
	case EVIDENCE_HIVE_LOG: return "hive_log";
	case EVIDENCE_COLLECTION: return "collection";
	case EVIDENCE_SERVICING_LOG: return "servicing_log";
	default: return "unknown";
	}
}

/* Narrows the start of a possibly UTF-16LE text to ASCII (other characters become '?'), so the
 * XML checks below work for both encodings Windows uses for task files (METHOD.md §4.1). */
static size_t head_as_ascii(const unsigned char *head, size_t size, char *out, size_t out_size)
{
	size_t n = 0, i = 0;
	int utf16 = 0;

	if (size >= 2 && head[0] == 0xFF && head[1] == 0xFE)
		utf16 = 1, i = 2;
	else if (size >= 2 && head[0] == '<' && head[1] == 0)
		utf16 = 1;
	else if (size >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		i = 3;
	while (i < size && n + 1 < out_size) {
		unsigned c = head[i];
		if (utf16) {
			if (i + 1 >= size)
				break;
			c = head[i + 1] ? '?' : head[i];
			i += 2;
		} else {
			i++;
		}
		out[n++] = (char)(c >= 0x80 || c == 0 ? '?' : c);
	}
	out[n] = 0;
	return n;
}

/* The name of the first element after the prolog, comments and processing instructions. */
static const char *root_element(const char *text, char *name, size_t name_size)
{
	const char *p = text;

	for (;;) {
		p = strchr(p, '<');
		if (!p)
			return NULL;
		if (p[1] == '?' || p[1] == '!') {
			p++;
			continue;
		}
		break;
	}
	p++;
	size_t n = 0;
	while (*p && !strchr(" \t\r\n/>", *p) && n + 1 < name_size)
		name[n++] = *p++;
	name[n] = 0;
	return p;
}

enum evidence_kind discover_classify(const unsigned char *head, size_t head_size)
{
	char text[HEAD_SIZE], name[64];
	const char *rest;

	if (head_size >= 8 && memcmp(head, "ElfFile\0", 8) == 0)
		return EVIDENCE_EVTX;
	/* A transaction log begins with a copy of its hive's base block whose file type (at 28) is
	 * 1, 2 or 6 (Suhanov's specification, "Format of transaction log files"); a primary's is 0. */
	if (head_size >= 32 && memcmp(head, "regf", 4) == 0 &&
	    (head[28] | head[29] | head[30] | head[31]) != 0)
		return EVIDENCE_HIVE_LOG;
	if (head_size >= 4 && memcmp(head, "regf", 4) == 0)
		return EVIDENCE_HIVE;
	/* METHOD.md §5.3: 7z, zip (local header or empty archive), rar 4/5, cab. */
	if ((head_size >= 6 && memcmp(head, "7z\xBC\xAF\x27\x1C", 6) == 0) ||
	    (head_size >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) ||
	    (head_size >= 4 && memcmp(head, "PK\x05\x06", 4) == 0) ||
	    (head_size >= 7 && memcmp(head, "Rar!\x1A\x07", 6) == 0) ||
	    (head_size >= 4 && memcmp(head, "MSCF", 4) == 0))
		return EVIDENCE_ARCHIVE;
	if (servicing_log_sniff(head, head_size))
		return EVIDENCE_SERVICING_LOG; /* METHOD.md §2.8 */
	head_as_ascii(head, head_size, text, sizeof text);
	rest = root_element(text, name, sizeof name);
	if (!rest)
		return EVIDENCE_UNKNOWN;
	if (strcmp(name, "Task") == 0 &&
	    strstr(rest, "schemas.microsoft.com/windows/2004/02/mit/task"))
		return EVIDENCE_TASK_XML;
	if (strcasecmp(name, "Configuration") == 0)
		return EVIDENCE_WSB;
	return EVIDENCE_UNKNOWN;
}

/*
 * Where Windows keeps each kind of evidence, by name or place. Patterns are fnmatch(3) patterns
 * without FNM_PATHNAME ('*' also crosses '/'), lower case, matched against the whole path as found,
 * lower-cased, '\' turned into '/', with a '/' in front (so that a relative path starting with
 * "config/" matches too); '|' separates alternatives. The first row that matches decides.
 */
struct name_rule {
	const char *patterns;
	enum evidence_kind kind;
	int over_content;        /* 1 = the name decides even when the content is recognised */
	const char *why;         /* the sentence the store's status_reason quotes */
};

static const struct name_rule NAME_RULES[] = {
	/* Transaction logs of the system hives (config/) and of the user hives: since Windows 8.1
	 * they begin with a copy of their hive's base block ("regf", libyal's "Windows NT Registry
	 * File (REGF) format", transaction log files); their base block's file type tells them from
	 * hives (discover_classify), and this row keeps those whose first bytes are damaged or empty
	 * listed as logs. The hive beside a log replays it (parsers/hive_log.h, src/ingest.c). */
	{"*/config/system.log|*/config/system.log[12]|*/config/software.log|"
	 "*/config/software.log[12]|*/config/security.log|*/config/security.log[12]|"
	 "*/config/sam.log|*/config/sam.log[12]|*/config/default.log|*/config/default.log[12]|"
	 "*/ntuser.dat.log|*/ntuser.dat.log[12]|*/usrclass.dat.log|*/usrclass.dat.log[12]|"
	 "*/amcache.hve.log|*/amcache.hve.log[12]",
	 EVIDENCE_HIVE_LOG, 1, "named like a registry hive's transaction log"},
	/* Event logs: Windows names every log *.evtx (METHOD.md §1), and collectors keep it. */
	{"*.evtx", EVIDENCE_EVTX, 0, "named like an event log (*.evtx)"},
	/* Everything Windows keeps in winevt/Logs is an event log (§1.8), whatever a copy renamed it. */
	{"*/winevt/logs/*", EVIDENCE_EVTX, 0, "in winevt/Logs, where Windows keeps its event logs"},
	/* The system hives keep these names in System32/config (§2, §3.1, §4.2). */
	{"*/config/system|*/config/software|*/config/security|*/config/sam|*/config/default",
	 EVIDENCE_HIVE, 0, "named like a system registry hive in config/"},
	/* The user hives and Amcache: hives by name wherever a collector put them. */
	{"*/ntuser.dat|*/usrclass.dat|*/amcache.hve", EVIDENCE_HIVE, 0,
	 "named like a user registry hive (NTUSER.DAT, UsrClass.dat) or Amcache.hve"},
	/* Sandbox configurations are opened by their extension (§5.1). */
	{"*.wsb", EVIDENCE_WSB, 0, "named like a Windows Sandbox configuration (*.wsb)"},
	/* The servicing logs keep these names in Windows/Logs (§2.8). */
	{"*/logs/cbs/cbs.log|*/logs/cbs/cbspersist_*.log|*/logs/dism/dism.log", EVIDENCE_SERVICING_LOG,
	 0, "named like a servicing log (Logs/CBS/CBS.log, CbsPersist_*.log, Logs/DISM/dism.log)"},
	/* Every file under System32/Tasks is a task definition, named by the task (§4.1). */
	{"*/system32/tasks/*", EVIDENCE_TASK_XML, 0, "in System32/Tasks, where Windows keeps task files"},
};

/* The first row of NAME_RULES that PATH matches, or NULL. */
static const struct name_rule *name_rule_find(const char *path)
{
	struct strbuf normal = STRBUF_INIT;
	const struct name_rule *found = NULL;

	strbuf_append_char(&normal, '/');
	for (const char *p = path; *p; p++)
		strbuf_append_char(&normal, *p == '\\' ? '/' : (char)tolower((unsigned char)*p));
	if (strbuf_failed(&normal))
		return NULL;
	for (size_t i = 0; !found && i < sizeof NAME_RULES / sizeof NAME_RULES[0]; i++) {
		const char *start = NAME_RULES[i].patterns;
		for (;;) {
			const char *bar = strchr(start, '|');
			size_t length = bar ? (size_t)(bar - start) : strlen(start);
			char pattern[64];

			if (length < sizeof pattern) {
				memcpy(pattern, start, length);
				pattern[length] = 0;
				if (fnmatch(pattern, normal.data, 0) == 0) {
					found = &NAME_RULES[i];
					break;
				}
			}
			if (!bar)
				break;
			start = bar + 1;
		}
	}
	strbuf_free(&normal);
	return found;
}

enum evidence_kind discover_decide(const char *path, enum evidence_kind content_kind,
				   enum discover_basis *basis, const char **why)
{
	const struct name_rule *rule = name_rule_find(path);

	*why = NULL;
	if (rule && (content_kind == EVIDENCE_UNKNOWN ||
		     (rule->over_content && content_kind == EVIDENCE_HIVE))) {
		*basis = DISCOVER_BY_NAME;
		*why = rule->why;
		return rule->kind;
	}
	*basis = content_kind == EVIDENCE_UNKNOWN ? DISCOVER_NOT_EVIDENCE : DISCOVER_BY_CONTENT;
	return content_kind;
}

void discover_describe_content(const unsigned char *head, size_t head_size, char *out,
			       size_t out_size)
{
	enum { SHOWN_TEXT = 32, SHOWN_BYTES = 16 };
	struct strbuf sb = STRBUF_INIT;
	size_t printable = 0, shown = head_size < SHOWN_TEXT ? head_size : SHOWN_TEXT;

	for (size_t i = 0; i < shown; i++)
		printable += isprint(head[i]) || head[i] == '\t' || head[i] == '\r' || head[i] == '\n';
	if (head_size == 0) {
		strbuf_append_str(&sb, "empty file (0 bytes)");
	} else if (printable == shown) {
		strbuf_append_str(&sb, "text: \"");
		for (size_t i = 0; i < shown; i++)
			strbuf_append_char(&sb, isprint(head[i]) ? (char)head[i] : ' ');
		strbuf_append_str(&sb, head_size > shown ? "...\"" : "\"");
	} else {
		strbuf_append_str(&sb, "binary:");
		for (size_t i = 0; i < head_size && i < SHOWN_BYTES; i++)
			strbuf_printf(&sb, " %02x", head[i]);
		if (head_size > SHOWN_BYTES)
			strbuf_append_str(&sb, " ...");
	}
	snprintf(out, out_size, "%s", strbuf_failed(&sb) ? "(not described: out of memory)"
							 : strbuf_text(&sb));
	strbuf_free(&sb);
}

/* Appends PATH to the list; *ADDED (may be NULL) receives the new entry. */
static int add_file(struct discovery *out, size_t *capacity, const char *path,
		    enum evidence_kind kind, const struct stat *st, const char *error,
		    struct found_file **added)
{
	struct found_file *file;

	if (out->count == *capacity) {
		size_t grown_capacity = *capacity ? *capacity * 2 : 64;
		struct found_file *grown = realloc(out->files, grown_capacity * sizeof *grown);
		if (!grown)
			return -1;
		out->files = grown;
		*capacity = grown_capacity;
	}
	file = &out->files[out->count];
	memset(file, 0, sizeof *file);
	file->path = strdup(path);
	file->error = error ? strdup(error) : NULL;
	if (!file->path || (error && !file->error)) {
		free(file->path);
		free(file->error);
		return -1;
	}
	file->kind = kind;
	file->basis = kind == EVIDENCE_UNKNOWN ? DISCOVER_NOT_EVIDENCE : DISCOVER_BY_CONTENT;
	if (st) {
		file->size = (uint64_t)st->st_size;
		file->mtime = filetime_from_unix(st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	}
	out->count++;
	if (added)
		*added = file;
	return 0;
}

/* Sets FILE's Windows path from RELATIVE, its path below the collection's root (collection.h). */
static void set_windows_path(struct found_file *file, const char *relative)
{
	file->windows_path = collection_windows_path(relative, &file->layout);
}

/* Kind, basis and description of a file whose first bytes are HEAD, decided on its Windows path
 * when its layout gave one, on PATH otherwise. */
static void classify_file(struct found_file *file, const unsigned char *head, size_t head_size,
			  struct discovery *out)
{
	enum discover_basis basis;
	const char *why;

	file->kind = discover_decide(file->windows_path ? file->windows_path : file->path,
				     discover_classify(head, head_size), &basis, &why);
	file->basis = basis;
	file->name_rule = why;
	if (basis != DISCOVER_BY_CONTENT)
		discover_describe_content(head, head_size, file->content, sizeof file->content);
	out->unknown += basis == DISCOVER_NOT_EVIDENCE;
}

struct walk {
	struct discovery *out;
	size_t capacity;
	uint64_t member_limit;
	size_t container;        /* index in OUT of the container being listed */
};

/* collection_list's callback: one member into the list as CONTAINER!NAME. */
static int add_member(void *context, const struct collection_member *member)
{
	struct walk *walk = context;
	struct found_file *file = NULL;
	struct strbuf path = STRBUF_INIT;
	const char *container = walk->out->files[walk->container].path;
	int rc = -1;

	strbuf_printf(&path, "%s!%s", container, member->name);
	if (strbuf_failed(&path) ||
	    add_file(walk->out, &walk->capacity, path.data, EVIDENCE_UNKNOWN, NULL, member->error,
		     &file) != 0)
		goto out;
	/* add_file may have moved the list: find the container again by index. */
	walk->out->files[walk->container].member_count++;
	file->container = strdup(walk->out->files[walk->container].path);
	if (!file->container)
		goto out;
	file->member_name = file->path + strlen(file->container) + 1;
	file->member_index = member->index;
	file->mtime = member->mtime;
	file->size = member->hashes ? member->hashes->size : member->declared_size;
	set_windows_path(file, member->name);
	if (member->hashes) {
		file->hashed = 1;
		file->hashes = *member->hashes;
		classify_file(file, member->head, member->head_size, walk->out);
	}
	rc = 0;
out:
	strbuf_free(&path);
	return rc;
}

/* Lists the members of the container just added at index CONTAINER of the list. */
static int list_container(struct walk *walk, size_t container)
{
	char reason[512];
	char *path = walk->out->files[container].path;
	int listed;

	walk->container = container;
	listed = collection_list(path, walk->member_limit, add_member, walk, reason, sizeof reason);
	if (listed < 0 && strcmp(reason, "out of memory") == 0)
		return -1;
	if (listed != 0 && !(walk->out->files[container].container_problem = strdup(reason)))
		return -1;
	return 0;
}

/* PATH, at DEPTH below its root (0 = the root itself); RELATIVE is its path below the root. */
static int visit(const char *path, const char *relative, struct walk *walk, int depth)
{
	struct discovery *out = walk->out;
	size_t *capacity = &walk->capacity;
	struct stat st;
	char message[256];

	if (lstat(path, &st) != 0) {
		snprintf(message, sizeof message, "cannot stat: %s", strerror(errno));
		return add_file(out, capacity, path, EVIDENCE_UNKNOWN, NULL, message, NULL);
	}
	if (S_ISLNK(st.st_mode))
		return 0; /* never followed: it could lead out of the collection */
	if (S_ISDIR(st.st_mode)) {
		DIR *dir;
		struct dirent *entry;
		int rc = 0;

		if (depth > 64)
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st,
					"folder nesting deeper than 64 levels, not walked", NULL);
		dir = opendir(path);
		if (!dir) {
			snprintf(message, sizeof message, "cannot open folder: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message, NULL);
		}
		while (rc == 0 && (entry = readdir(dir)) != NULL) {
			struct strbuf child = STRBUF_INIT;
			size_t folder_length;

			if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
				continue;
			strbuf_append_str(&child, path);
			if (child.length && child.data[child.length - 1] != '/')
				strbuf_append_char(&child, '/');
			folder_length = child.length;
			strbuf_append_str(&child, entry->d_name);
			rc = strbuf_failed(&child)
				     ? -1
				     : visit(child.data,
					     depth == 0 ? child.data + folder_length
							: child.data + (relative - path),
					     walk, depth + 1);
			strbuf_free(&child);
		}
		closedir(dir);
		return rc;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	{
		unsigned char head[HEAD_SIZE];
		const char *name = strrchr(path, '/');
		ssize_t got;
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0) {
			snprintf(message, sizeof message, "cannot open: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message, NULL);
		}
		got = read(fd, head, sizeof head);
		close(fd);
		if (got < 0) {
			snprintf(message, sizeof message, "cannot read: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message, NULL);
		}
		struct found_file *file = NULL;

		if (add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, NULL, &file) != 0)
			return -1;
		/* A collection container by place: an input path, or a file directly in an input
		 * folder whose name says archive (collection.h). */
		if ((depth == 0 || (depth == 1 && collection_name_is_container(name ? name + 1 : path))) &&
		    collection_is_container(head, (size_t)got)) {
			file->kind = EVIDENCE_COLLECTION;
			file->basis = DISCOVER_BY_CONTENT;
			return list_container(walk, out->count - 1);
		}
		set_windows_path(file, relative);
		classify_file(file, head, (size_t)got, out);
		return 0;
	}
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(((const struct found_file *)a)->path, ((const struct found_file *)b)->path);
}

int discover_collect(char *const *roots, size_t root_count, uint64_t member_limit,
		     struct discovery *out)
{
	struct walk walk = {out, 0, member_limit, 0};

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < root_count; i++)
		/* A file given alone has no place in a layout: its relative path is empty. */
		if (visit(roots[i], roots[i] + strlen(roots[i]), &walk, 0) != 0)
			return -1;
	if (out->count)
		qsort(out->files, out->count, sizeof *out->files, compare_paths);
	return 0;
}

void discover_free(struct discovery *discovery)
{
	for (size_t i = 0; i < discovery->count; i++) {
		free(discovery->files[i].path);
		free(discovery->files[i].error);
		free(discovery->files[i].windows_path);
		free(discovery->files[i].container);
		free(discovery->files[i].container_problem);
	}
	free(discovery->files);
	memset(discovery, 0, sizeof *discovery);
}
