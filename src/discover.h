/*
 * discover.h - walking a collection and classifying each file by its content, never by its name.
 *
 * Symbolic links are not followed (a triage folder must not lead out of itself). Files that cannot
 * be opened are kept in the list with their error, so the store can record them.
 */
#ifndef SANDTRACE_DISCOVER_H
#define SANDTRACE_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

enum evidence_kind {
	EVIDENCE_UNKNOWN = 0,
	EVIDENCE_EVTX,     /* "ElfFile\0" (ARTIFACTS.md §1) */
	EVIDENCE_HIVE,     /* "regf" (§2-§4) */
	EVIDENCE_TASK_XML, /* XML whose root is Task in the Task Scheduler namespace (§4.1) */
	EVIDENCE_WSB,      /* XML whose root is Configuration (§5.1) */
	EVIDENCE_ARCHIVE,  /* 7z / zip / rar / cab magic (§5.3) */
};

struct found_file {
	char *path;              /* as found: root + relative path */
	enum evidence_kind kind;
	uint64_t mtime;          /* FILETIME */
	uint64_t size;
	char *error;             /* why the file could not be read, or NULL */
};

struct discovery {
	struct found_file *files; /* sorted by path: the order of everything downstream */
	size_t count;
	size_t unknown;          /* files walked that are not evidence sandtrace reads */
};

/* Walks every root (folder or file) and fills OUT. Returns 0, or -1 on out-of-memory. Problems
 * with individual paths are reported in the list, not as a failure. */
int discover_collect(char *const *roots, size_t root_count, struct discovery *out);
void discover_free(struct discovery *discovery);

/* "evtx", "hive", "task_xml", "wsb", "archive", "unknown": the store's evidence.kind. */
const char *evidence_kind_name(enum evidence_kind kind);

/* Classifies a file from its first bytes (HEAD, HEAD_SIZE of them). */
enum evidence_kind discover_classify(const unsigned char *head, size_t head_size);

#endif
