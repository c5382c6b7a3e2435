/*
 * session_text.h - the sessions for people and for programs: `sandtrace sessions` (one line per
 * session), `sessions --json` (the array of objects issue 5 defines, from the v_session_json view)
 * and `show` (one session's story, step by step, each step with the evidence that proves it).
 * Reads only the store.
 */
#ifndef SANDTRACE_EXPORT_SESSION_TEXT_H
#define SANDTRACE_EXPORT_SESSION_TEXT_H

#include <stdint.h>
#include <stdio.h>

struct store;
struct display_zone;
struct store_session_step;
struct strbuf;

/* ZONE (NULL: UTC) is the zone times are shown in (zone.h). */
int session_text_list(struct store *store, const struct display_zone *zone, FILE *out);
int session_text_json(struct store *store, FILE *out);
/* The caveat a linked step carries when its link rests on a layout the method marks unconfirmed
 * (by role, provider channel and event id), or NULL: said beside the step wherever it is shown. */
const char *session_text_unconfirmed(const char *role, const char *channel, uint32_t event_id);

/* Appends to SB the sentence for one linked step, from its role and the detail the correlator
 * stored (raw text: the caller escapes it). WITH_ROLE: a step without a sentence of its own is
 * written "role: what" (for views that show no role beside it) rather than "what". Shared by `show`
 * and the report, so the two always say the same. */
void session_text_describe_step(const struct store_session_step *step, int with_role,
				struct strbuf *sb);

/* Returns 0, 1 if there is no session SESSION_ID, -1 on a store error. */
int session_text_show(struct store *store, int64_t session_id, const struct display_zone *zone,
		      FILE *out);

#endif
