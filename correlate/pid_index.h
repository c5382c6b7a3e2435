/*
 * pid_index.h - records looked up by process id: a sorted array of (PID, record position) pairs,
 * so that the correlator finds the records of one process by binary search instead of reading
 * every record's payload again for each launcher (METHOD.md §6.3). Any other non-negative key
 * (an events.id a row refers to) is looked up the same way.
 *
 * The pairs of one PID follow in record order, so a walk from pid_index_first() meets them in the
 * order the records are read (time, evidence SHA-256, record id): the first match found is the
 * one a scan of every record would find.
 */
#ifndef SANDTRACE_PID_INDEX_H
#define SANDTRACE_PID_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct pid_entry {
	int64_t pid;
	size_t position;       /* the record's index in the caller's array */
};

struct pid_index {
	struct pid_entry *entries;
	size_t count;
};

/* Appends (PID, POSITION) unless PID is negative (not recorded, or not a number). Returns 0, or
 * -1 when memory runs out (the index is then left as it was). */
int pid_index_add(struct pid_index *index, int64_t pid, size_t position);

/* Sorts the pairs by PID, then position. Call once after the last pid_index_add. */
void pid_index_sort(struct pid_index *index);

/* The first pair of PID (walk on with pid_index_next), or NULL if no record has that PID. */
const struct pid_entry *pid_index_first(const struct pid_index *index, int64_t pid);

/* The pair after ENTRY if it has the same PID, else NULL. */
const struct pid_entry *pid_index_next(const struct pid_index *index, const struct pid_entry *entry);

void pid_index_free(struct pid_index *index);

#endif
