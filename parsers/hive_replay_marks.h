/*
 * hive_replay_marks.h - which registry rows a transaction-log replay changed, and through which log
 * (METHOD.md §8.3). A hive read from its replayed state (hive_log.h, hive.h) holds rows that the
 * primary file alone does not have, or has with other bytes. For each such row this module writes a
 * note saying what the primary file held ("absent", or its bytes) and which log's entries first gave
 * the value, so that every fact resting on the row can say so and the unreplayed value is not lost.
 *
 * The log is found by replaying again with the applied logs one more at a time, in the order of
 * their sequence numbers, and reading each state: a row's value comes from the first log after
 * which it equals the replayed value. Reads only; nothing is written to the evidence.
 */
#ifndef SANDTRACE_PARSERS_HIVE_REPLAY_MARKS_H
#define SANDTRACE_PARSERS_HIVE_REPLAY_MARKS_H

#include <stddef.h>

#include "parsers/hive.h"
#include "parsers/hive_log.h"

/* Sets the REPLAY note of every row of REPLAYED (read from REPLAY's image of the hive at
 * PRIMARY_PATH) that the replay added or changed; rows as in the primary keep NULL. Returns 0, or -1
 * with the reason in ERR when the primary or an intermediate state cannot be read (no row is marked
 * then) or memory ran out. */
int hive_mark_replay(struct hive_result *replayed, const char *primary_path,
		     const struct hive_replay *replay, char *err, size_t err_size);

#endif
