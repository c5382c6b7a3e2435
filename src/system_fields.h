/*
 * system_fields.h - the System fields many event records share, stored once (METHOD.md §8.13).
 *
 * A record's provider, provider GUID, channel, computer, keywords, user SID, qualifiers, version,
 * level, task and opcode take a few distinct combinations across a whole log. The store keeps each
 * combination once, as a row of system_fields, and a record names its row (event_rows.system_id);
 * the view events joins them back. The writer looks a combination up in a small table kept in
 * memory, and in the store when it has not met it in this run.
 */
#ifndef SANDTRACE_SYSTEM_FIELDS_H
#define SANDTRACE_SYSTEM_FIELDS_H

#include <stdint.h>

#include <sqlite3.h>

struct evtx_event;
struct system_fields;

/* Returns a lookup for the store DB (its statements prepared on DB), or NULL when out of memory
 * or when DB has no system_fields table (see sqlite3_errmsg). Close it before DB. */
struct system_fields *system_fields_open(sqlite3 *db);

void system_fields_close(struct system_fields *fields);

/* Sets *ID to the system_fields row holding EVENT's System fields, adding the row when the store
 * has none. Returns 0, or -1 on an SQLite error (see sqlite3_errmsg) or when out of memory. */
int system_fields_id(struct system_fields *fields, const struct evtx_event *event, int64_t *id);

#endif
