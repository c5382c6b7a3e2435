/*
 * discover.h - walking a collection and classifying each file: by its content first, then by its
 * name and place.
 *
 * Content decides (a renamed log is still a log). A file whose content is not recognised but whose
 * name or place is that of evidence (Security.evtx, config/SYSTEM, System32/Tasks/..., *.wsb) is
 * evidence that is damaged or empty: it gets the kind its name says, so that it is parsed and its
 * failure recorded, never dropped as "not evidence". The name/place rules are one table in
 * discover.c. Every regular file walked is in the list, evidence or not, so that every file of a
 * collection is hashed and listed in the store.
 *
 * Symbolic links are not followed (a triage folder must not lead out of itself). Files that cannot
 * be opened are kept in the list with their error, so the store can record them.
 *
 * A collection container (an input path that is a zip, 7z or tar, or such a file directly inside
 * an input folder: collection.h) is listed as kind "collection" and each of its members as a file
 * of its own, named CONTAINER!MEMBER, hashed while it is listed. Every file gets the Windows path
 * its place in a known layout gives (KAPE, Velociraptor, a volume root: collection.h); the name
 * and place rules read that path when there is one, the path as found otherwise.
 */
#ifndef SANDTRACE_DISCOVER_H
#define SANDTRACE_DISCOVER_H

#include <stddef.h>
#include <stdint.h>

#include "evidence.h"

enum evidence_kind {
	EVIDENCE_UNKNOWN = 0,
	EVIDENCE_EVTX,     /* "ElfFile\0" (METHOD.md §1) */
	EVIDENCE_HIVE,     /* "regf" (§2-§4) */
	EVIDENCE_TASK_XML, /* XML whose root is Task in the Task Scheduler namespace (§4.1) */
	EVIDENCE_WSB,      /* XML whose root is Configuration (§5.1) */
	EVIDENCE_ARCHIVE,  /* 7z / zip / rar / cab magic (§5.3) */
	EVIDENCE_HIVE_LOG, /* a hive's transaction log (.LOG, .LOG1, .LOG2 beside it): "regf" with a
			      log's file type, or by name */
	EVIDENCE_COLLECTION, /* a collection container (zip, 7z, tar): its members are listed as
				files of their own (collection.h) */
	EVIDENCE_SERVICING_LOG, /* CBS.log / dism.log: text lines "YYYY-MM-DD HH:MM:SS, Level
				   Component ..." (§2.8) */
	EVIDENCE_KIND_COUNT
};

/* How a file's kind was decided. */
enum discover_basis {
	DISCOVER_BY_CONTENT,   /* its first bytes are those of its kind */
	DISCOVER_BY_NAME,      /* its name or place is that of its kind (content not recognised, or
				  a transaction log, whose content is a hive's base block) */
	DISCOVER_NOT_EVIDENCE, /* neither: kind EVIDENCE_UNKNOWN */
};

struct found_file {
	char *path;              /* as found: root + relative path */
	enum evidence_kind kind;
	enum discover_basis basis;
	const char *name_rule;   /* DISCOVER_BY_NAME: why the name or place says KIND (static) */
	char content[96];        /* what the first bytes are, in words (discover_describe_content);
				    "" for files recognised by content */
	uint64_t mtime;          /* FILETIME */
	uint64_t size;
	char *error;             /* why the file could not be read, or NULL */
	char *windows_path;      /* where the file was on the host (collection_windows_path), or
				    NULL when the layout is not recognised */
	const char *layout;      /* "kape", "velociraptor", "volume_root" or NULL (static) */
	/* A member of a collection container: */
	char *container;         /* the container's path as found; NULL for a file on disk */
	size_t member_index;     /* its entry position in the container */
	const char *member_name; /* its name in the container (points into PATH, after the '!') */
	int hashed;              /* 1: HASHES were computed while the container was listed */
	struct evidence_hashes hashes;
	/* A collection container: */
	char *container_problem; /* why its listing is incomplete (damaged, encrypted), or NULL */
	size_t member_count;     /* members listed */
};

struct discovery {
	struct found_file *files; /* sorted by path: the order of everything downstream */
	size_t count;
	size_t unknown;          /* files in the list that are not evidence sandtrace reads */
};

/* Walks every root (folder or file) and fills OUT; members of collection containers larger than
 * MEMBER_LIMIT bytes are listed with that as their error, not read. Returns 0, or -1 on
 * out-of-memory. Problems with individual paths are reported in the list, not as a failure. */
int discover_collect(char *const *roots, size_t root_count, uint64_t member_limit,
		     struct discovery *out);
void discover_free(struct discovery *discovery);

/* "evtx", "hive", "task_xml", "wsb", "archive", "hive_log", "collection", "servicing_log", "unknown": the store's
 * evidence.kind. */
const char *evidence_kind_name(enum evidence_kind kind);

/* Classifies a file from its first bytes (HEAD, HEAD_SIZE of them). */
enum evidence_kind discover_classify(const unsigned char *head, size_t head_size);

/* Decides the kind of the file at PATH ('/' or '\\' separated, any case) whose content
 * discover_classify called CONTENT_KIND: content first; the name/place table for content not
 * recognised, and for hive transaction logs. Sets *BASIS, and *WHY to the name rule's reason
 * (static) or NULL. */
enum evidence_kind discover_decide(const char *path, enum evidence_kind content_kind,
				   enum discover_basis *basis, const char **why);

/* Says in words what HEAD (HEAD_SIZE first bytes of a file) is, for a file not recognised by
 * content: "empty file (0 bytes)", "text: \"@echo off...\"", "binary: 58 6c 66 46 ...". */
void discover_describe_content(const unsigned char *head, size_t head_size, char *out,
			       size_t out_size);

#endif
