/*
 * discover.c - the collection walk and content classification (see discover.h).
 */
#include "discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
	default: return "unknown";
	}
}

/* Narrows the start of a possibly UTF-16LE text to ASCII (other characters become '?'), so the
 * XML checks below work for both encodings Windows uses for task files (ARTIFACTS.md §4.1). */
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
	if (head_size >= 4 && memcmp(head, "regf", 4) == 0)
		return EVIDENCE_HIVE;
	/* ARTIFACTS.md §5.3: 7z, zip (local header or empty archive), rar 4/5, cab. */
	if ((head_size >= 6 && memcmp(head, "7z\xBC\xAF\x27\x1C", 6) == 0) ||
	    (head_size >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) ||
	    (head_size >= 4 && memcmp(head, "PK\x05\x06", 4) == 0) ||
	    (head_size >= 7 && memcmp(head, "Rar!\x1A\x07", 6) == 0) ||
	    (head_size >= 4 && memcmp(head, "MSCF", 4) == 0))
		return EVIDENCE_ARCHIVE;
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

static int add_file(struct discovery *out, size_t *capacity, const char *path,
		    enum evidence_kind kind, const struct stat *st, const char *error)
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
	if (st) {
		file->size = (uint64_t)st->st_size;
		file->mtime = filetime_from_unix(st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	}
	out->count++;
	return 0;
}

static int visit(const char *path, struct discovery *out, size_t *capacity, int depth)
{
	struct stat st;
	char message[256];

	if (lstat(path, &st) != 0) {
		snprintf(message, sizeof message, "cannot stat: %s", strerror(errno));
		return add_file(out, capacity, path, EVIDENCE_UNKNOWN, NULL, message);
	}
	if (S_ISLNK(st.st_mode))
		return 0; /* never followed: it could lead out of the collection */
	if (S_ISDIR(st.st_mode)) {
		DIR *dir;
		struct dirent *entry;
		int rc = 0;

		if (depth > 64)
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st,
					"folder nesting deeper than 64 levels, not walked");
		dir = opendir(path);
		if (!dir) {
			snprintf(message, sizeof message, "cannot open folder: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message);
		}
		while (rc == 0 && (entry = readdir(dir)) != NULL) {
			struct strbuf child = STRBUF_INIT;
			if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
				continue;
			strbuf_append_str(&child, path);
			if (child.length && child.data[child.length - 1] != '/')
				strbuf_append_char(&child, '/');
			strbuf_append_str(&child, entry->d_name);
			rc = strbuf_failed(&child) ? -1 : visit(child.data, out, capacity, depth + 1);
			strbuf_free(&child);
		}
		closedir(dir);
		return rc;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	{
		unsigned char head[HEAD_SIZE];
		ssize_t got;
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0) {
			snprintf(message, sizeof message, "cannot open: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message);
		}
		got = read(fd, head, sizeof head);
		close(fd);
		if (got < 0) {
			snprintf(message, sizeof message, "cannot read: %s", strerror(errno));
			return add_file(out, capacity, path, EVIDENCE_UNKNOWN, &st, message);
		}
		enum evidence_kind kind = discover_classify(head, (size_t)got);
		if (kind == EVIDENCE_UNKNOWN) {
			out->unknown++;
			return 0;
		}
		return add_file(out, capacity, path, kind, &st, NULL);
	}
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(((const struct found_file *)a)->path, ((const struct found_file *)b)->path);
}

int discover_collect(char *const *roots, size_t root_count, struct discovery *out)
{
	size_t capacity = 0;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < root_count; i++)
		if (visit(roots[i], out, &capacity, 0) != 0)
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
	}
	free(discovery->files);
	memset(discovery, 0, sizeof *discovery);
}
