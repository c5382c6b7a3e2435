/*
 * rules.h - the findings rules of METHOD.md §7 applied to one rebuilt session: which rules
 * fire, with the sentence that says what matched and the store rows it rests on, the session's
 * score and verdict, and the rule table itself for the report's ATT&CK matrix and Navigator layer.
 *
 * The rules are data (correlate/rules.def, one row per §7 rule); this module holds one check per
 * row. A rule fires only on evidence linked to the session: a value the correlator left
 * SESSION_UNKNOWN, a missing row or an empty string never fires a rule (§7, last paragraph).
 *
 * Nothing here touches the store. The session (correlate/session.h) and the context are read
 * only and borrowed; findings own their reason and basis strings (free with rules_free_findings).
 */
#ifndef SANDTRACE_CORRELATE_RULES_H
#define SANDTRACE_CORRELATE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "correlate/session.h"

/* ---- the rule table (rules.def) ------------------------------------------------------------ */

struct rule {
	const char *id;        /* "ST-TRIG-TASK" */
	const char *title;     /* the examiner's sentence, verbatim from §7 */
	int score;
	int reduced_score;     /* §7's lower score when only part of the condition holds, 0 if none */
	const char *attack;    /* ATT&CK ids, comma-separated without spaces, "" for none */
	const char *condition; /* short form of §7's condition */
	const char *section;   /* "§5.1, §1 (301)" */
};

/* Number of rows of the table (every rule of §7). */
size_t rules_table_count(void);
/* The row at INDEX in §7's order, NULL past the end. Static: never freed. */
const struct rule *rules_table_row(size_t index);
/* The row with this ID (exact), NULL if none. */
const struct rule *rules_table_find(const char *id);

/* ---- what a rule needs beyond one session -------------------------------------------------- */

/* An archive found by content (archives row, §5.3). */
struct rules_archive {
	const char *path;     /* the host path, "C:\Users\Public\Downloads\data.dat" (the caller maps
				 a collection path to the host path) */
	int name_mismatch;    /* 1 = the extension does not say archive; 0; SESSION_UNKNOWN */
	int encrypted;        /* 1, 0, -1 unknown */
	int64_t archive_row;  /* archives.id */
};

/* A log-clear event (Security 1102, System 104; §1). */
struct rules_log_clear {
	uint64_t time;        /* FILETIME */
	int event_id;         /* 1102 or 104; other ids are ignored */
	int64_t event_row;    /* events.id */
};

/* A wsb.exe call a host process made (a wsb_calls row decoded at ingest from a 4688 / Sysmon 1
 * CommandLine, §5.2). Strings are borrowed; NULL when the option was not given. */
struct rules_wsb_call {
	uint64_t time;            /* FILETIME */
	const char *verb;         /* "exec", "share", "map", ... as written (never NULL) */
	const char *id, *command, *run_as, *host_path, *sandbox_path;
	int allow_write;
	int64_t event_row;        /* events.id */
};

struct rules_context {
	/* every session of the case (ST-REPEATED, ST-FEATURE-FRESH); the session being evaluated
	 * may or may not be among them (it is matched by address, or by id when id > 0) */
	const struct session *sessions;
	size_t session_count;

	const struct rules_archive *archives;
	size_t archive_count;

	/* when the Windows Sandbox feature state last changed (§2.1), FILETIME, 0 unknown */
	uint64_t feature_changed;
	const char *feature_changed_basis; /* what that time rests on, for the reason; may be NULL */
	int64_t feature_fact_row;          /* facts.id of the feature-state fact, 0 if none */

	const struct rules_log_clear *log_clears;
	size_t log_clear_count;

	/* the wsb.exe calls of the host; each is tied to a session when its --id is the session's
	 * VM GUID, or (without --id) when its time lies inside [start, end] */
	const struct rules_wsb_call *wsb_calls;
	size_t wsb_call_count;

	/* the group policy AllowNetworking (§2.2, host fact sandbox_policy): "not configured",
	 * "disabled", "enabled", "out of range", or NULL when no fact was made (no SOFTWARE hive);
	 * ST-NET-ON's "on by default" does not hold when it is "disabled" */
	const char *networking_policy;
	int64_t networking_policy_row;     /* facts.id of that fact, 0 if none */
};

/* ---- findings -------------------------------------------------------------------------------- */

struct finding {
	const char *id, *title, *attack, *section; /* the table row's strings (static) */
	int score;          /* the row's score, or its reduced score when §7 says so */
	char *reason;       /* one sentence naming what matched (owned) */
	char **basis;       /* "events.id=12", "wsb_configs.id=3", "tasks.id=5", "archives.id=2",
			       "facts.id=7" (owned; no duplicates) */
	size_t basis_count;
};

/* Applies every rule of the table to SESSION. CONTEXT may be NULL (then the rules that need it
 * do not fire). On success returns 0 with *FINDINGS (table order; NULL when none fired) and
 * *COUNT; free with rules_free_findings. Returns -1 on a NULL argument or when memory runs out
 * (*FINDINGS = NULL, *COUNT = 0). */
int rules_evaluate(const struct session *session, const struct rules_context *context,
		   struct finding **findings, size_t *count);

void rules_free_findings(struct finding *findings, size_t count);

/* The session's score: the sum of its findings' scores (§7). */
int rules_sum_scores(const struct finding *findings, size_t count);

/* §7: "malicious" at 60 or more, "suspicious" from 25 to 59, "benign-looking" below 25.
 * Static string, never NULL. */
const char *rules_verdict(int score);

#endif
