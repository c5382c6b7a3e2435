/*
 * servicing_facts.h - host facts from the servicing text logs (CBS.log, dism.log): when the
 * Windows Sandbox feature was enabled or disabled, with the logs' local times converted to UTC in
 * the host's own time zone (METHOD.md §2.8). Reads the typed table servicing_log_lines and the
 * host.time_zone fact; writes facts of kind feature_change.
 */
#ifndef SANDTRACE_SERVICING_FACTS_H
#define SANDTRACE_SERVICING_FACTS_H

#include <stdint.h>

struct store;

/* The subject of the fact that carries the last enabling the logs record (kind feature_change). */
#define SERVICING_LAST_ENABLING "last enabling (servicing logs)"

/* Adds one fact per line that records the feature being enabled or disabled, and the fact
 * SERVICING_LAST_ENABLING. Call after the time-zone fact is derived. Returns 0, or -1 on a store
 * error. */
int servicing_facts_derive(struct store *store);

/* For rule §7.15: when the servicing logs record the enabling with a UTC time, sets *TIME,
 * *FACT_ROW and *BASIS (static text) to it, the better evidence (a line naming the feature and its
 * change) than the key LastWrite the caller filled them with; otherwise leaves them. */
void servicing_feature_time(struct store *store, uint64_t *time, int64_t *fact_row,
			    const char **basis);

#endif
