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

int session_text_list(struct store *store, FILE *out);
int session_text_json(struct store *store, FILE *out);
/* The caveat a linked step carries when its link rests on a layout the method marks unconfirmed
 * (by role, provider channel and event id), or NULL: said beside the step wherever it is shown. */
const char *session_text_unconfirmed(const char *role, const char *channel, uint32_t event_id);

/* The sentence for one linked step, from its role and the detail the correlator stored (the
 * same reading for `show` and the report), appended to SB. WITH_ROLE: a step that has no sentence
 * of its own reads "role: what" (show) instead of "what" (the report prints the role beside it). */
struct store_session_step;
struct strbuf;
void session_text_describe_step(const struct store_session_step *step, int with_role,
				struct strbuf *sb);

/* Returns 0, 1 if there is no session SESSION_ID, -1 on a store error. */
int session_text_show(struct store *store, int64_t session_id, FILE *out);

#endif
