/*
 * hive_log.h - replaying a registry hive's transaction logs (NAME.LOG, NAME.LOG1, NAME.LOG2) onto
 * a copy of its primary file in memory, as Windows does when it loads a dirty hive. The format
 * facts are those of Maxim Suhanov's "Windows registry file format specification" (github.com/
 * msuhanov/regf), sections "Format of transaction log files", "Dirty state of a hive" and
 * "Multiple transaction log files"; METHOD.md has no section on transaction logs yet.
 *
 * libregf reads the primary file only, so a hive copied from a live system lacks whatever Windows
 * had written to its logs and not yet to the primary (a task registered an hour ago, a policy just
 * changed). The replay gives the bytes Windows would have after loading it: the hive bins with the
 * logged pages written over them and the base block updated (both sequence numbers equal to the last
 * one applied, hive bins data size, file type primary, checksum). hive.h reads that image through
 * hive_parse_memory. Nothing is written to the evidence.
 *
 * Two log formats. New (Windows 8.1 and later, base block file type 6): "HvLE" log entries, each
 * with a sequence number, the hive bins data size, dirty page references and pages, and two Marvin32
 * hashes; entries are applied in sequence order starting at the primary's secondary sequence
 * number, taken from whichever log holds the next one, and the replay stops at the first sequence
 * number no valid entry holds (an entry with a wrong hash, size or sequence ends its log). Old
 * (Windows XP to 8, file type 1 or 2): a "DIRT" bitmap of dirty 512-byte pages and the pages; the
 * one log whose base block carries the primary's last written timestamp is applied, and each hive
 * bin it rewrites must be a valid bin at its place.
 *
 * Every log is judged on its own and its outcome says why it was or was not applied: damaged (bad
 * base block checksum, bad dirty vector, no valid entry), another hive's (the base block names
 * another file), older (its entries are already in the primary), a gap in the sequence, or a
 * clean primary that needs no replay. A refused log never stops the primary from being read.
 * Every read of log bytes is bounds-checked: logs are attacker-controllable input.
 */
#ifndef SANDTRACE_PARSERS_HIVE_LOG_H
#define SANDTRACE_PARSERS_HIVE_LOG_H

#include <stddef.h>
#include <stdint.h>

enum hive_log_format {
	HIVE_LOG_FORMAT_UNKNOWN = 0, /* not read far enough to tell */
	HIVE_LOG_FORMAT_OLD,         /* base block file type 1 or 2: dirty vector + dirty pages */
	HIVE_LOG_FORMAT_NEW,         /* base block file type 6: HvLE log entries */
};

/* One transaction log handed to the replay. */
struct hive_log_input {
	const char *name;            /* path or name, for the outcome (copied) */
	const uint8_t *data;         /* the whole log; NULL with SIZE 0 for a log not read */
	size_t size;
	const char *unreadable;      /* why the log could not be read (DATA is NULL), or NULL */
};

/* What the replay did with one log. */
struct hive_log_outcome {
	char *name;                  /* as given */
	enum hive_log_format format;
	int applied;                 /* 1 = some of its pages are in the replayed image */
	int refused;                 /* not applied because its bytes are wrong or not this hive's
					(damaged, another hive's, a gap, unreadable): a problem to
					report. 0 with APPLIED 0: not needed (clean primary, older,
					empty, another log applied) */
	uint32_t first_sequence;     /* applied: new format, first and last entry applied; old */
	uint32_t last_sequence;      /*   format, the log's sequence number (both) */
	size_t entries;              /* log entries applied (new format; 1 for an old log applied) */
	size_t pages;                /* bytes of dirty pages written, in 512-byte pages */
	char reason[320];            /* not applied: why; applied: what ended the replay, or "" */
};

struct hive_replay {
	uint8_t *data;               /* the primary file, replayed when APPLIED (malloc'd) */
	size_t size;
	int dirty;                   /* the primary's base block said the logs were not applied
					(sequence numbers differ, or its checksum is wrong) */
	uint32_t sequence_primary, sequence_secondary; /* the primary's, before the replay */
	uint32_t sequence_after;     /* APPLIED: both sequence numbers of the replayed image */
	size_t applied;              /* logs applied; 0 = DATA is the primary unchanged */
	struct hive_log_outcome *logs; /* one per input, in input order */
	size_t log_count;
};

/* Replays LOGS (LOG_COUNT of them, any order) onto PRIMARY (PRIMARY_SIZE bytes). Returns 0 with
 * *OUT set (free with hive_replay_free), whatever the logs hold; -1 with the reason in ERR when
 * PRIMARY is not a primary hive file (no base block, no "regf", a transaction log's file type) or
 * memory ran out. */
int hive_log_replay(const uint8_t *primary, size_t primary_size, const struct hive_log_input *logs,
		    size_t log_count, struct hive_replay **out, char *err, size_t err_size);

/* The same for files: reads PRIMARY_PATH and each of LOG_PATHS (a log that cannot be read gets
 * that as its outcome). Returns -1 also when the primary cannot be read. */
int hive_log_replay_files(const char *primary_path, char *const *log_paths, size_t log_count,
			  struct hive_replay **out, char *err, size_t err_size);

void hive_replay_free(struct hive_replay *replay);

/* Which transaction log of the hive file named PRIMARY_NAME the file named CANDIDATE_NAME is
 * (names without folders, compared in any case as Windows does): 1 for NAME.LOG, 2 for NAME.LOG1,
 * 3 for NAME.LOG2, 0 for none. */
int hive_log_name_rank(const char *primary_name, const char *candidate_name);

/* The transaction logs beside the hive at PRIMARY_PATH (same folder, names per
 * hive_log_name_rank), in the order LOG, LOG1, LOG2: *PATHS (malloc'd array of malloc'd paths,
 * free with hive_log_paths_free) and *COUNT. Returns 0, or -1 on out-of-memory; a folder that
 * cannot be listed gives no logs. */
int hive_log_find_beside(const char *primary_path, char ***paths, size_t *count);
void hive_log_paths_free(char **paths, size_t count);

/* Writes into OUT (OUT_SIZE bytes, truncated) one line saying what REPLAY applied, for the evidence
 * row and the command line: "NAME.LOG1 (sequence 2), NAME.LOG2 (sequence 3-5) applied; base block
 * sequence numbers 3/2 -> 5/5". Names are given without their folders. */
void hive_log_summary(const struct hive_replay *replay, char *out, size_t out_size);

/* "old", "new" or "unknown" (static). */
const char *hive_log_format_name(enum hive_log_format format);

/* Marvin32 of DATA (SIZE bytes) with SEED: the hash of new-format log entries (exposed for the
 * unit test). */
uint64_t hive_log_marvin32(const uint8_t *data, size_t size, uint64_t seed);

#endif
