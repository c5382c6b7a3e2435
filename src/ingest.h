/*
 * ingest.h - `sandtrace ingest`: a collection into the case store.
 *
 * Discovery and hashing first (every input hashed before it is parsed), then parsing on worker
 * threads while this thread, the only one that touches SQLite, writes the results in path order,
 * so a run with many workers stores exactly what a run with one stores.
 */
#ifndef SANDTRACE_INGEST_H
#define SANDTRACE_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "discover.h"

struct ingest_options {
	char *const *roots;      /* folders and files to read */
	size_t root_count;
	const char *case_path;   /* the SQLite store */
	int all_events;          /* store every record, not only the catalogue's */
	int jobs;                /* worker threads (>= 1) */
	uint64_t member_limit;   /* bytes of a collection container's member read at most (0 = the
				    default, COLLECTION_MEMBER_LIMIT_DEFAULT in collection.h) */
	const char *command_line;
	const char *case_name, *examiner; /* for the run row; may be NULL */
	int progress;            /* print progress on stderr */
	int keep_run_open;       /* leave the run unfinished: the caller (analyze) finishes it with
				    store_finish_run when its own work is done */
	int same_case_only;      /* refuse a store that holds another case: another case name, or
				    evidence not in this collection, or this collection's files not
				    in it (analyze without --add) */
};

struct ingest_summary {
	size_t files_by_kind[EVIDENCE_KIND_COUNT]; /* indexed by enum evidence_kind (discover.h) */
	size_t files_unreadable; /* could not be opened or hashed */
	size_t files_unknown;    /* walked, not evidence sandtrace reads (listed and hashed too) */
	size_t files_duplicate;  /* same content as another path or as an earlier run */
	size_t files_failed;     /* distinct contents of this run's files whose status is failed */
	size_t files_partly;     /* ... and partly (METHOD.md §8.4) */
	uint64_t records_stored; /* new rows in events */
	uint64_t records_linked; /* records already stored, linked as a further source */
	uint64_t records_counted;/* counted only (outside the catalogue) */
	uint64_t records_recovered;
	uint64_t records_failed;
	uint64_t recovered_failed; /* recovery candidates libevtx could not read */
	uint64_t problems;       /* parse_errors rows written */
	double seconds;
	int64_t run_id;          /* the run row this ingest wrote */
};

/* Runs the ingest. Returns 0 if it ran (problems with evidence are in the summary and the store),
 * -1 if it could not (store not openable, out of memory, another case's store with
 * same_case_only) with the reason in ERR. */
int ingest_run(const struct ingest_options *options, struct ingest_summary *summary, char *err,
	       size_t err_size);

/* The exit code of a command whose ingest gave SUMMARY (METHOD.md §8.4): 1 when a file could not
 * be read or its content failed to parse (a problem the user must see), else 0; a file read
 * partly is reported on stderr, in the summary and in the report, not in the exit code. */
int ingest_exit_code(const struct ingest_summary *summary);

/* Prints SUMMARY for people (stdout). */
void ingest_print_summary(const struct ingest_summary *summary, const char *case_path);

#endif
