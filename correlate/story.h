/*
 * story.h - the rest of a session's story (METHOD.md §6.8): where the starting task came from (its
 * registration records and the process chain that registered it), the host's state around the
 * session (boots, unclean shutdowns, log clears, audit-policy and clock changes), the account of an
 * interactive start, and the files of the collection the session names (its logon script, files
 * its commands run from the mapped host folders).
 *
 * Reads the store's tables only; writes session_events rows (roles registration,
 * registering_process, host_context, account, file) for a session already stored.
 */
#ifndef SANDTRACE_CORRELATE_STORY_H
#define SANDTRACE_CORRELATE_STORY_H

#include "correlate/session.h"

struct store;

/* Links the origin, host context, account and file steps of session S (its sessions row and
 * its other session_events are already written; the caller holds the transaction). Returns 0 or
 * -1 on a store error. */
int story_link(struct store *store, const struct session *s);

#endif
