/*
 * sessions.h - rebuilding every Windows Sandbox session from the store (METHOD.md §6).
 *
 * Reads the stored events, tasks, configurations and host facts; groups the records by VM GUID;
 * tells sandboxes from other VMs (§6.6); links each session's launcher, trigger, configuration,
 * shares, commands and network; lists what is missing and why; and hands the sessions to the
 * findings rules. Writes the sessions, session_events, other_vms and findings tables.
 */
#ifndef SANDTRACE_CORRELATE_SESSIONS_H
#define SANDTRACE_CORRELATE_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/session.h"

struct store;

/* Rebuilds the sessions of the case in STORE (the caller holds a transaction). Returns 0 or -1;
 * *SESSION_COUNT (may be NULL) receives the number of sessions. */
int sessions_correlate(struct store *store, size_t *session_count);
/* The same from every session record kept in memory, as the correlator read them before it kept
 * only those its steps read (§6.10): the reference tests/e2e/check_session_selection.py compares
 * sessions_correlate with. Memory then grows with the log. */
int sessions_correlate_every_record(struct store *store, size_t *session_count);

/* GUID <-> VM SID (§0.3). sessions_sid_from_guid writes "S-1-5-83-1-..." into SID (at least 64
 * bytes) and returns 0, or -1 if GUID is not a GUID. sessions_guid_from_sid writes the upper-case
 * GUID into GUID (at least 37 bytes) and returns 0, or -1 if SID is not a VM SID that round-trips. */
int sessions_sid_from_guid(const char *guid, char *sid, size_t sid_size);
int sessions_guid_from_sid(const char *sid, char *guid, size_t guid_size);

/* Copies the first GUID found in TEXT (with or without braces) into OUT, upper case (37 bytes).
 * Returns 1 if one was found, 0 if not. */
int sessions_find_guid(const char *text, char out[37]);

/* A process or logon id as Security (0x...) or Sysmon / Task Scheduler (decimal) write it; -1 if
 * absent or not a number. */
int64_t sessions_parse_id(const char *text);

#endif
