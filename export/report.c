/*
 * report.c - report.html (see report.h).
 *
 * The page is written top to bottom in the order of issue 6: run metadata, evidence, host facts,
 * session summary, one section per session (narrative, behaviour graph, findings, gaps), ATT&CK
 * matrix, method and limitations, appendix. Every query has an ORDER BY that is a total order, so
 * the same store gives the same bytes (DESIGN.md principle 5).
 *
 * Anchors, so that every claim links to the row that proves it:
 *   ev-<first 16 hex of SHA-256>  evidence row        fact-<id>  facts row
 *   session-<id>                  session section    rec-<id>   events row (appendix, raw XML)
 *   task-<id> / wsb-<id>          tasks / wsb_configs rows (appendix)
 *   arc-<id> / reg-<id>           archives / reg_values rows (appendix)
 * A link is written only when its target is written too (the appendix holds every event linked to
 * a session, named by a finding's basis or by a task); tests/e2e/check_report.py checks it.
 *
 * Escaping: every string from the store goes through escape_html (escape.h).
 */
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attack.h"
#include "escape.h"
#include "graph.h"
#include "session_text.h"
#include "correlate/rules.h"
#include "evidence.h"
#include "host_scope.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "version.h"
#include "zone.h"

/* export/report.css, embedded by the build (src/cmake/embed.cmake). */
extern const char SANDTRACE_REPORT_CSS[];

/* ---- output helpers ------------------------------------------------------------------------ */

struct report {
	struct store *store;
	FILE *out;
	int failed; /* a query failed */
	/* Who and what the report is about: the options' case name and examiner, else the latest
	 * ones a run recorded; the report id names the evidence set (see case_identity). */
	char *case_name, *examiner;
	char report_id[20];
	/* The zone times are shown in (NULL or not active: UTC only), and the host's own zone, by
	 * which task XML local times are read (METHOD.md §8.7). */
	const struct display_zone *zone;
	int host_zone_known, host_zones_differ;
	char host_zone[96], host_zone_windows[128];
	/* A case of several hosts (METHOD.md §8.9): the host whose section is being written ("" when
	 * the report is not split by host) and the suffix that keeps its section ids unique. */
	const char *section_host;
	char section_id[32];
};

static void put(struct report *r, const char *text)
{
	fputs(text, r->out);
}

/* For numbers and fixed markup only: evidence text goes through esc(). */
static void putf(struct report *r, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct report *r, const char *format, ...)
{
	va_list ap;
	va_start(ap, format);
	vfprintf(r->out, format, ap);
	va_end(ap);
}

/* Writes TEXT escaped; NULL writes DEFAULT_TEXT (plain markup-free text, not escaped). */
static void esc_or(struct report *r, const char *text, const char *default_text)
{
	struct strbuf sb = STRBUF_INIT;

	if (!text) {
		put(r, default_text);
		return;
	}
	escape_html(&sb, text, strlen(text));
	put(r, strbuf_text(&sb));
	strbuf_free(&sb);
}

static void esc(struct report *r, const char *text)
{
	esc_or(r, text, "");
}

/* " with the configuration <mono>TEXT</mono>": BEFORE (fixed markup) and TEXT (escaped), or
 * nothing when TEXT is NULL. */
static void put_if_mono(struct report *r, const char *before, const char *text)
{
	if (!text)
		return;
	put(r, before);
	put(r, "<span class=\"mono\">");
	esc(r, text);
	put(r, "</span>");
}

/* An ISO time with a line-break opportunity after the date (the text itself is unchanged). */
static void put_iso(struct report *r, const char *iso)
{
	const char *t = strchr(iso, 'T');
	if (!t) {
		esc(r, iso);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	escape_html(&sb, iso, (size_t)(t + 1 - iso));
	strbuf_append_str(&sb, "<wbr>");
	escape_html(&sb, t + 1, strlen(t + 1));
	put(r, strbuf_text(&sb));
	strbuf_free(&sb);
}

/* A FILETIME, or "unknown" for 0: ISO UTC; with a display zone, the local time with its offset
 * and the UTC time beside it. */
static void put_time_value(struct report *r, uint64_t t)
{
	char iso[48];

	if (!t) {
		put(r, "<span class=\"muted\">unknown</span>");
		return;
	}
	zone_format(r->zone, t, iso, sizeof iso);
	put_iso(r, iso);
	if (r->zone && r->zone->active) {
		filetime_format_iso(t, iso, sizeof iso);
		put(r, " <span class=\"muted\">(UTC ");
		put_iso(r, iso);
		put(r, ")</span>");
	}
}

/* FILETIME given as decimal text (a store column) or NULL/0. */
static void put_time_text(struct report *r, const char *filetime_text)
{
	put_time_value(r, filetime_text ? strtoull(filetime_text, NULL, 10) : 0);
}

static void put_duration(struct report *r, const char *start_text, const char *end_text)
{
	uint64_t start = start_text ? strtoull(start_text, NULL, 10) : 0;
	uint64_t end = end_text ? strtoull(end_text, NULL, 10) : 0;

	if (!start || !end || end < start) {
		put(r, "<span class=\"muted\">unknown</span>");
		return;
	}
	uint64_t seconds = (end - start) / 10000000ULL;
	putf(r, "%" PRIu64 "h %02" PRIu64 "m %02" PRIu64 "s", seconds / 3600, seconds / 60 % 60,
	     seconds % 60);
}

/* A link to an evidence row: "sha256:0123456789abcdef…" pointing at #ev-<16 hex>. */
static void put_evidence_link(struct report *r, const char *sha256)
{
	char anchor[17];

	if (!sha256 || strlen(sha256) < 16) {
		esc_or(r, sha256, "<span class=\"muted\">no evidence</span>");
		return;
	}
	memcpy(anchor, sha256, 16);
	anchor[16] = '\0';
	put(r, "<a class=\"mono\" href=\"#ev-");
	esc(r, anchor);
	put(r, "\">sha256:");
	esc(r, anchor);
	put(r, "…</a>");
}

static void put_verdict(struct report *r, const char *verdict)
{
	const char *cls = "v-other";
	if (verdict && (!strcmp(verdict, "malicious") || !strcmp(verdict, "suspicious") ||
			!strcmp(verdict, "benign-looking")))
		cls = verdict;
	putf(r, "<span class=\"verdict %s%s\">", strcmp(cls, "v-other") ? "v-" : "", cls);
	esc_or(r, verdict, "unknown");
	put(r, "</span>");
}

static int text_row(void *context, int columns, const char *const *names, const char *const *v)
{
	(void)columns;
	(void)names;
	struct strbuf *text = context;
	if (v[0] && !text->length)
		strbuf_append_str(text, v[0]); /* the first row only */
	return 0;
}

static void query(struct report *r, const char *sql,
		  int (*fn)(void *, int, const char *const *, const char *const *), void *context);

/* The stored row TABLE / ID as a reader can check it without the store (v_citation: the file,
 * record, chunk and offset; the hive key and value; the task file), linked to its appendix entry
 * ANCHOR-ID when ANCHOR is given. */
/* The citation of row ID of TABLE, linked to ANCHOR-ID when ANCHOR is given. FILE_SHA256: the
 * file the reader already sees named (a table of one hive's facts, headed by the file and its
 * SHA-256), or NULL; when the row is of that file, the label's "NAME hive (FILE, sha256 ...): "
 * prefix is left out. */
static void put_citation_in(struct report *r, const char *table, long long id, const char *anchor,
			    const char *file_sha256)
{
	char own[24];

	struct strbuf label = STRBUF_INIT;
	const char *text, *cut;
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT label FROM v_citation WHERE tbl = '%s' AND row_id = %lld",
		 table, id);
	query(r, sql, text_row, &label);
	if (anchor)
		putf(r, "<a href=\"#%s-%lld\">", anchor, id);
	text = label.length ? strbuf_text(&label) : NULL;
	if (text && file_sha256 && strlen(file_sha256) >= 16) {
		snprintf(own, sizeof own, "sha256 %.16s", file_sha256);
		if (strstr(text, own) && (cut = strstr(text, "): ")) != NULL)
			text = cut + 3;
	}
	esc_or(r, text, "(a row no longer in the store)");
	if (anchor)
		put(r, "</a>");
	strbuf_free(&label);
}

static void put_citation(struct report *r, const char *table, long long id, const char *anchor)
{
	put_citation_in(r, table, id, anchor, NULL);
}

/* A row reference of a findings basis ("events.id=12", "tasks.id=5", ...) as its citation, or as
 * plain text when it is not one. */
static void put_row_reference(struct report *r, const char *reference)
{
	static const struct {
		const char *prefix, *table, *anchor;
	} TARGETS[] = {{"events.id=", "events", "rec"},        {"tasks.id=", "tasks", "task"},
		       {"wsb_configs.id=", "wsb_configs", "wsb"}, {"facts.id=", "facts", "fact"},
		       {"archives.id=", "archives", "arc"},      {"reg_values.id=", "reg_values", "reg"}};

	for (size_t i = 0; i < sizeof TARGETS / sizeof TARGETS[0]; i++) {
		size_t n = strlen(TARGETS[i].prefix);
		if (strncmp(reference, TARGETS[i].prefix, n) != 0)
			continue;
		char *end = NULL;
		long long id = strtoll(reference + n, &end, 10);
		if (end == reference + n || *end)
			break;
		put_citation(r, TARGETS[i].table, id, TARGETS[i].anchor);
		return;
	}
	put(r, "<span class=\"mono\">");
	esc(r, reference);
	put(r, "</span>");
}

/* Runs SQL through store_query; a failure is remembered and reported by report_write. */
static void query(struct report *r, const char *sql,
		  int (*fn)(void *context, int columns, const char *const *names,
			    const char *const *values),
		  void *context)
{
	if (!r->failed && store_query(r->store, sql, fn, context) != 0)
		r->failed = 1;
}

/* ---- run metadata ------------------------------------------------------------------------- */

static int identity_row(void *context, int columns, const char *const *names,
			const char *const *values)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	if (!r->case_name && values[0])
		r->case_name = strdup(values[0]);
	if (!r->examiner && values[1])
		r->examiner = strdup(values[1]);
	return 0;
}

static int hash_list_row(void *context, int columns, const char *const *names,
			 const char *const *values)
{
	(void)columns;
	(void)names;
	strbuf_append_str(context, values[0] ? values[0] : "");
	strbuf_append_char(context, '\n');
	return 0;
}

/* The case name and examiner (given, else the latest a run recorded) and the report id: the
 * first 16 hex digits of the SHA-256 of the evidence SHA-256s in order, one per line, so the same
 * evidence set always gives the same id and any other set another. */
static void case_identity(struct report *r, const struct report_options *options)
{
	struct strbuf hashes = STRBUF_INIT;
	char digest[65];

	if (options && options->case_name)
		r->case_name = strdup(options->case_name);
	if (options && options->examiner)
		r->examiner = strdup(options->examiner);
	query(r,
	      "SELECT case_name, examiner FROM v_report_case", identity_row, r);
	query(r, "SELECT sha256 FROM v_report_evidence ORDER BY sha256", hash_list_row, &hashes);
	evidence_sha256_hex(hashes.data ? hashes.data : "", hashes.length, digest);
	snprintf(r->report_id, sizeof r->report_id, "ST-%.16s", digest);
	strbuf_free(&hashes);
}

/* TEXT as the inside of a CSS string: quotes, backslashes and line breaks escaped, and '<' too,
 * so that evidence text can never close the <style> element. */
static void css_string(struct strbuf *sb, const char *text)
{
	for (const unsigned char *c = (const unsigned char *)(text ? text : ""); *c; c++) {
		if (*c == '"' || *c == '\\' || *c == '<' || *c == '>' || *c < 0x20)
			strbuf_printf(sb, "\\%x ", *c);
		else
			strbuf_append_char(sb, (char)*c);
	}
}

/* Header and footer of every printed page: case name, examiner, report id, "page X of Y". */
static void write_page_style(struct report *r)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_append_str(&sb, "<style>\n@page{@top-left{content:\"");
	css_string(&sb, r->case_name ? r->case_name : "case name not given");
	strbuf_append_str(&sb, "\";font:9px sans-serif;color:#5b6470}@top-right{content:\"Report ");
	css_string(&sb, r->report_id);
	strbuf_append_str(&sb, "\";font:9px sans-serif;color:#5b6470}@bottom-left{content:\"Examiner: ");
	css_string(&sb, r->examiner ? r->examiner : "not given");
	strbuf_append_str(&sb, "\";font:9px sans-serif;color:#5b6470}@bottom-right{content:\"page \" "
				"counter(page) \" of \" counter(pages);font:9px sans-serif;color:#5b6470}}\n"
				"</style>\n");
	if (!strbuf_failed(&sb))
		put(r, strbuf_text(&sb));
	strbuf_free(&sb);
}

static int run_history_row(void *context, int columns, const char *const *names,
			   const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	put(r, "<tr><td class=\"num\">");
	esc(r, v[0]);
	put(r, "</td><td>");
	put_time_text(r, v[1]);
	put(r, "</td><td>");
	put_time_text(r, v[2]);
	put(r, "</td><td>");
	esc(r, v[3]);
	put(r, "</td><td class=\"mono\">");
	esc(r, v[4]);
	put(r, "</td><td class=\"small\">");
	esc(r, v[5]);
	put(r, "</td></tr>\n");
	return 0;
}

static int count_row(void *context, int columns, const char *const *names, const char *const *v)
{
	long long *count = context;
	(void)columns;
	(void)names;
	*count = v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 0;
}

/* First thing on page one when it applies: the store this report reads was not completed. */
static void write_store_state(struct report *r)
{
	char why[512];
	int state = store_check_complete(r->store, why, sizeof why);

	if (state == 0)
		return;
	if (state < 0) {
		r->failed = 1;
		return;
	}
	put(r, "<section id=\"incomplete\" class=\"gap\">\n<h2>The case store is incomplete</h2>\n"
	       "<p>");
	esc(r, why);
	put(r, ". Everything below rests on what was stored before that point: records, sessions "
	       "and findings may be missing, and a statement that something was not found may be "
	       "untrue of the collection.</p>\n</section>\n");
}

static int output_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	put(r, "<tr><td class=\"mono\">");
	esc(r, v[0]);
	put(r, "</td><td class=\"mono hash\">");
	esc(r, v[1]);
	put(r, "</td><td class=\"num\">");
	esc(r, v[2]);
	put(r, "</td></tr>\n");
	return 0;
}

static void write_run_metadata(struct report *r, const struct report_options *options)
{
	struct version_entry versions[VERSION_ENTRY_COUNT];
	char now[40];
	const char *case_name = r->case_name, *examiner = r->examiner;
	const char *command_line = options ? options->command_line : NULL;
	const char *generated = options ? options->generated_utc : NULL;

	if (!generated) {
		filetime_format_iso(filetime_now(), now, sizeof now);
		generated = now;
	}
	version_collect(versions);

	put(r, "<section id=\"run-metadata\">\n<h2>Run metadata</h2>\n"
	       "<p class=\"small muted\">This block is the only part of the report that differs "
	       "between two runs over the same evidence.</p>\n<dl class=\"kv\">\n<dt>Case</dt><dd>");
	esc_or(r, case_name, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd>\n<dt>Examiner</dt><dd>");
	esc_or(r, examiner, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd>\n<dt>Report generated</dt><dd>");
	esc(r, generated);
	put(r, " (UTC)</dd>\n<dt>Command line</dt><dd class=\"mono\">");
	esc_or(r, command_line, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd>\n<dt>Versions</dt><dd>");
	for (int i = 0; i < VERSION_ENTRY_COUNT; i++) {
		if (!versions[i].name)
			continue;
		put(r, i ? ", " : "");
		esc(r, versions[i].name);
		put(r, " ");
		esc(r, versions[i].version);
	}
	put(r, "</dd>\n</dl>\n<h3>Runs that wrote to the case store</h3>\n<table class=\"loose\"><thead><tr>"
	       "<th class=\"num\">run</th><th>started (UTC)</th><th>finished (UTC)</th><th>tool</th>"
	       "<th>command line</th><th>libraries</th></tr></thead><tbody>\n");
	query(r,
	      "SELECT id, started, finished, tool_version, command_line, libraries FROM "
	      "v_report_runs ORDER BY id",
	      run_history_row, r);
	put(r, "</tbody></table>\n");
	{
		long long outputs = 0;
		query(r, "SELECT outputs FROM v_report_counts",
		      count_row, &outputs);
		if (outputs) {
			put(r, "<h3>Outputs of the last analyze run</h3>\n<p class=\"small\">Hashed "
			       "when written and kept in the case store; <code>sandtrace verify "
			       "--outputs</code> checks them and the manifest.</p>\n<table class=\"loose\">"
			       "<thead><tr><th>file</th><th>SHA-256</th><th class=\"num\">bytes</th>"
			       "</tr></thead><tbody>\n");
			query(r,
			      "SELECT name, sha256, size FROM v_report_outputs ORDER BY name",
			      output_row, r);
			put(r, "</tbody></table>\n");
		}
	}
	put(r, "</section>\n");
}

/* ---- evidence ------------------------------------------------------------------------------- */

static int evidence_row(void *context, int columns, const char *const *names,
			const char *const *v)
{
	struct report *r = context;
	char anchor[17] = "";
	(void)columns;
	(void)names;
	/* v: sha256, md5, sha1, size, kind, status, read, recovered, failed, paths (LF-separated),
	 *    status_reason */
	if (v[0])
		snprintf(anchor, sizeof anchor, "%.16s", v[0]);
	put(r, "<tr id=\"ev-");
	esc(r, anchor);
	put(r, "\"><td class=\"mono path\">");
	if (v[9]) {
		const char *p = v[9];
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			struct strbuf sb = STRBUF_INIT;
			escape_html(&sb, p, n);
			put(r, strbuf_text(&sb));
			strbuf_free(&sb);
			p += n;
			if (*p) {
				put(r, "<br>");
				p++;
			}
		}
	}
	put(r, "<br><span class=\"small\">");
	esc(r, v[4]);
	put(r, ", ");
	esc(r, v[5]);
	if (v[10]) {
		put(r, ": ");
		esc(r, v[10]);
	}
	put(r, "</span></td><td class=\"mono hash small\">SHA-256 ");
	esc(r, v[0]);
	put(r, "<br>MD5 ");
	esc(r, v[1]);
	put(r, "<br>SHA-1 ");
	esc(r, v[2]);
	put(r, "</td><td class=\"num\">");
	esc(r, v[3]);
	put(r, "</td><td class=\"num\">");
	esc(r, v[6]);
	put(r, " / ");
	esc(r, v[7]);
	put(r, " / ");
	esc(r, v[8]);
	put(r, "</td></tr>\n");
	return 0;
}

static void write_evidence(struct report *r)
{
	put(r, "<section id=\"evidence\">\n<h2>Evidence</h2>\n"
	       "<p>Every input sandtrace read, by content: the same bytes found under two paths are one "
	       "row; a member of a ZIP, 7z or tar collection is named CONTAINER!MEMBER, and the path "
	       "the file had on the host, when the collection's layout tells it, follows in brackets "
	       "(METHOD.md §8.6). Inputs are opened read-only and hashed before they are parsed. Records: allocated "
	       "records read / recovered from unallocated space / records that could not be read.</p>\n"
	       "<table class=\"fixed\"><colgroup><col style=\"width:40%\"><col style=\"width:38%\">"
	       "<col style=\"width:9%\"><col style=\"width:13%\"></colgroup>"
	       "<thead><tr><th>path(s) as found; kind, status</th><th>hashes</th>"
	       "<th class=\"num\">bytes</th><th class=\"num\">records read / recovered / "
	       "failed</th></tr></thead><tbody>\n");
	query(r,
	      "SELECT sha256, md5, sha1, size, kind, status, records_read, records_recovered, "
	      "records_failed, paths, status_reason FROM v_report_evidence ORDER BY first_path, "
	      "sha256",
	      evidence_row, r);
	put(r, "</tbody></table>\n</section>\n");
}

/* ---- host facts ----------------------------------------------------------------------------- */

/* facts.basis: "reg_values:12,13" (or '' for a fact that rests on an absence); FILE_SHA256: see
 * put_citation_in. */
static void put_fact_basis(struct report *r, const char *basis, const char *file_sha256)
{
	const char *prefix = "reg_values:";
	size_t n = strlen(prefix);

	if (!basis || !*basis) {
		put(r, "<span class=\"muted\">absence of a value</span>");
		return;
	}
	if (strncmp(basis, "events.id=", 10) == 0) { /* the host a log names (METHOD.md §8.9) */
		put_citation(r, "events", strtoll(basis + 10, NULL, 10), NULL);
		return;
	}
	if (strncmp(basis, "servicing_log_lines:", 20) == 0) { /* a CBS.log / dism.log line, §2.8 */
		put_citation(r, "servicing_log_lines", strtoll(basis + 20, NULL, 10), NULL);
		return;
	}
	if (strncmp(basis, prefix, n) != 0) {
		esc(r, basis);
		return;
	}
	const char *p = basis + n;
	int first = 1;
	while (*p) {
		char *end = NULL;
		long long id = strtoll(p, &end, 10);
		if (end == p) { /* not the expected list: show the rest as written */
			esc(r, p);
			break;
		}
		put(r, first ? "" : "<br>");
		put_citation_in(r, "reg_values", id, "reg", file_sha256);
		first = 0;
		p = end;
		if (*p == ',')
			p++;
	}
}

/* The facts, grouped by the file they were read from (a hive of one host): one table per hive, and
 * a clause of the detail that several facts of the hive repeat (a caveat such as "Windows 10
 * applicability not listed") said once above the table and marked by its number in each row. */
enum { FACT_ID, FACT_KIND, FACT_SUBJECT, FACT_VALUE, FACT_DETAIL, FACT_BASIS, FACT_CONFIDENCE,
       FACT_SECTION, FACT_TIME, FACT_SHA256, FACT_PATH, FACT_HOST, FACT_COLUMNS };

struct fact_group {
	struct report *r;
	char **rows; /* FACT_COLUMNS strings per fact (NULL where the store has NULL) */
	size_t count, capacity;
};

static int fact_collect_row(void *context, int columns, const char *const *names,
			    const char *const *v)
{
	struct fact_group *g = context;
	(void)names;
	if (columns != FACT_COLUMNS)
		return -1;
	if (g->count == g->capacity) {
		size_t capacity = g->capacity ? g->capacity * 2 : 64;
		char **rows = realloc(g->rows, capacity * FACT_COLUMNS * sizeof *rows);
		if (!rows)
			return -1;
		g->rows = rows;
		g->capacity = capacity;
	}
	for (int i = 0; i < FACT_COLUMNS; i++)
		g->rows[g->count * FACT_COLUMNS + i] = v[i] ? strdup(v[i]) : NULL;
	g->count++;
	return 0;
}

/* The clauses ("; "-separated) of DETAIL, into CLAUSES (at most MAX: the last holds the rest);
 * returns how many. The text is cut in place. */
static int detail_clauses(char *detail, char **clauses, int max)
{
	int n = 0;
	for (char *p = detail; p && *p && n < max;) {
		char *end = n + 1 < max ? strstr(p, "; ") : NULL;
		clauses[n++] = p;
		if (end) {
			*end = '\0';
			p = end + 2;
		} else {
			p = NULL;
		}
	}
	return n;
}

enum { MAX_CLAUSES = 12, MAX_NOTES = 16 };

/* Whether DETAIL has CLAUSE among its clauses. */
static int detail_has_clause(const char *detail, const char *clause)
{
	char *copy = detail ? strdup(detail) : NULL, *clauses[MAX_CLAUSES];
	int n = copy ? detail_clauses(copy, clauses, MAX_CLAUSES) : 0, found = 0;

	for (int k = 0; k < n && !found; k++)
		found = !strcmp(clauses[k], clause);
	free(copy);
	return found;
}

/* The index of CLAUSE among the COUNT NOTES, or -1. */
static int note_index(char *const *notes, int count, const char *clause)
{
	for (int k = 0; k < count; k++)
		if (!strcmp(notes[k], clause))
			return k;
	return -1;
}

/* Writes the facts FIRST..LAST-1 of G (one file) as a headed table. */
static void write_fact_group(struct report *r, struct fact_group *g, size_t first, size_t last)
{
	char *notes[MAX_NOTES];
	int note_count = 0;
	char **head = g->rows + first * FACT_COLUMNS;
	const char *path = head[FACT_PATH], *base = path ? strrchr(path, '/') : NULL;

	/* clauses that two or more facts of this file repeat become notes */
	for (size_t i = first; i < last && note_count < MAX_NOTES; i++) {
		char *copy = g->rows[i * FACT_COLUMNS + FACT_DETAIL]
				     ? strdup(g->rows[i * FACT_COLUMNS + FACT_DETAIL]) : NULL;
		char *clauses[MAX_CLAUSES];
		int n = copy ? detail_clauses(copy, clauses, MAX_CLAUSES) : 0;
		for (int c = 0; c < n && note_count < MAX_NOTES; c++) {
			int seen = 0;
			/* short clauses ("enabled") are the fact itself */
			if (strlen(clauses[c]) < 24 || note_index(notes, note_count, clauses[c]) >= 0)
				continue;
			for (size_t j = first; j < last && seen < 2; j++)
				seen += detail_has_clause(g->rows[j * FACT_COLUMNS + FACT_DETAIL], clauses[c]);
			if (seen >= 2 && (notes[note_count] = strdup(clauses[c])) != NULL)
				note_count++;
		}
		free(copy);
	}

	put(r, "<h3>");
	if (head[FACT_HOST]) {
		put(r, "Host ");
		esc(r, head[FACT_HOST]);
		put(r, ": ");
	}
	if (base || path)
		esc(r, base ? base + 1 : path);
	else
		put(r, "facts not read from one file");
	put(r, " <span class=\"small muted\">");
	if (head[FACT_SHA256])
		put_evidence_link(r, head[FACT_SHA256]);
	putf(r, "; %zu fact%s</span></h3>\n", last - first, last - first == 1 ? "" : "s");
	if (note_count) {
		put(r, "<p class=\"limit small\">Said once for every fact of this file that carries its "
		       "number:");
		for (int k = 0; k < note_count; k++) {
			putf(r, "<br>[%d] ", k + 1);
			esc(r, notes[k]);
		}
		put(r, "</p>\n");
	}
	put(r, "<table class=\"fixed\"><colgroup><col style=\"width:11%\"><col style=\"width:15%\">"
	       "<col style=\"width:11%\"><col style=\"width:31%\"><col style=\"width:19%\">"
	       "<col style=\"width:8%\"><col style=\"width:5%\"></colgroup>"
	       "<thead><tr><th>kind</th><th>subject</th><th>value</th><th>detail</th>"
	       "<th>basis</th><th>confidence</th><th>§</th></tr></thead><tbody>\n");
	for (size_t i = first; i < last; i++) {
		char **v = g->rows + i * FACT_COLUMNS;
		put(r, "<tr id=\"fact-");
		esc(r, v[FACT_ID]);
		put(r, "\"><td>");
		esc(r, v[FACT_KIND]);
		put(r, "</td><td>");
		esc(r, v[FACT_SUBJECT]);
		put(r, "</td><td><b>");
		esc(r, v[FACT_VALUE]);
		put(r, "</b></td><td>");
		if (v[FACT_DETAIL]) {
			char *copy = strdup(v[FACT_DETAIL]), *clauses[MAX_CLAUSES];
			int n = copy ? detail_clauses(copy, clauses, MAX_CLAUSES) : 0, shown = 0;
			struct strbuf marks = STRBUF_INIT;
			for (int c = 0; c < n; c++) {
				int note = note_index(notes, note_count, clauses[c]);
				if (note >= 0) {
					strbuf_printf(&marks, " [%d]", note + 1);
					continue;
				}
				put(r, shown++ ? "; " : "");
				esc(r, clauses[c]);
			}
			put(r, strbuf_text(&marks));
			strbuf_free(&marks);
			free(copy);
		}
		if (v[FACT_TIME] && strcmp(v[FACT_TIME], "0")) {
			put(r, strcmp(v[FACT_KIND], "feature_change") == 0
				       ? "<br><span class=\"small muted\">logged " /* §2.8 */
				       : "<br><span class=\"small muted\">key last written ");
			put_time_text(r, v[FACT_TIME]);
			put(r, "</span>");
		}
		put(r, "</td><td class=\"small\">");
		put_fact_basis(r, v[FACT_BASIS], v[FACT_SHA256]); /* the table names its hive */
		put(r, "</td><td>");
		esc(r, v[FACT_CONFIDENCE]);
		put(r, "</td><td>");
		esc(r, v[FACT_SECTION]);
		put(r, "</td></tr>\n");
	}
	put(r, "</tbody></table>\n");
	for (int k = 0; k < note_count; k++)
		free(notes[k]);
}

static void write_facts(struct report *r)
{
	long long not_recorded = -1, coverage = -1;

	putf(r, "<section id=\"host-facts%s\">\n<h2>Host facts", r->section_id);
	put_if_mono(r, " of ", r->section_host);
	put(r, "</h2>\n"
	       "<p>What the registry hives say about the host: whether the Windows Sandbox feature was "
	       "enabled, the sandbox policies, the audit policy and which events it lets Windows "
	       "record, services and the computer name. Each fact names the registry rows it rests on "
	       "(listed in the appendix) and the METHOD.md section its reading follows.</p>\n");
	query(r, "SELECT count(*) FROM v_report_facts WHERE kind = 'audit_coverage'", count_row, &coverage);
	query(r,
	      "SELECT count(*) FROM v_report_facts WHERE kind = 'audit_coverage' AND value != "
	      "'recorded'",
	      count_row, &not_recorded);
	put(r, "<h3>What audit coverage means for what could be missing</h3>\n");
	if (coverage <= 0)
		put(r, "<p class=\"gap\">No audit policy could be read (no SECURITY hive, or its "
		       "policy value is absent). Whether Windows recorded logons (4624/4672), process "
		       "creation (4688) or task registration (4698/4702) is <b>unknown</b>: the absence "
		       "of those events in this case proves nothing.</p>\n");
	else if (not_recorded > 0)
		putf(r, "<p class=\"gap\">%lld of the events the sessions rely on were <b>not "
			"recorded</b> by the host's audit policy (rows with a value other than "
			"&quot;recorded&quot; below). A session can lack its launcher, logon or task "
			"step for that reason alone; their absence is not evidence that the step did "
			"not happen.</p>\n",
		     not_recorded);
	else
		put(r, "<p class=\"limit\">The audit policy recorded every Security event the "
		       "sessions rely on. A missing event can still be explained by a log that rolled "
		       "over or was cleared, or by an audit policy that changed before the logs were "
		       "collected (the policy read here is the one at acquisition time).</p>\n");
	struct fact_group g = {r, NULL, 0, 0};
	query(r,
	      "SELECT id, kind, subject, value, detail, basis, confidence, section, time, sha256, "
	      "evidence_path, host FROM v_report_facts ORDER BY min(kind_order) OVER (PARTITION BY "
	      "sha256), sha256, kind_order, kind, id",
	      fact_collect_row, &g);
	for (size_t first = 0, i = 1; first < g.count; i++) {
		const char *a = g.rows[first * FACT_COLUMNS + FACT_SHA256];
		const char *b = i < g.count ? g.rows[i * FACT_COLUMNS + FACT_SHA256] : NULL;
		if (i < g.count && ((!a && !b) || (a && b && !strcmp(a, b))))
			continue;
		write_fact_group(r, &g, first, i);
		first = i;
	}
	for (size_t i = 0; i < g.count * FACT_COLUMNS; i++)
		free(g.rows[i]);
	free(g.rows);
	put(r, "</section>\n");
}

/* ---- session summary ------------------------------------------------------------------------ */

static int verdict_count_row(void *context, int columns, const char *const *names,
			     const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	put(r, " ");
	put_verdict(r, v[0]);
	put(r, " ×");
	esc(r, v[1]);
	return 0;
}

static int summary_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: id, vm_guid, start, end, end_inferred, trigger_kind, trigger_task, trigger_user,
	 *    verdict, score, confidence */
	put(r, "<tr><td class=\"num\"><a href=\"#session-");
	esc(r, v[0]);
	put(r, "\">");
	esc(r, v[0]);
	put(r, "</a></td><td class=\"mono guid\"><a href=\"#session-");
	esc(r, v[0]);
	put(r, "\">");
	esc(r, v[1]);
	put(r, "</a></td><td>");
	put_time_text(r, v[2]);
	put(r, "</td><td>");
	put_time_text(r, v[3]);
	if (v[4] && !strcmp(v[4], "1"))
		put(r, " <span class=\"muted\">(inferred)</span>");
	put(r, "</td><td class=\"num\">");
	put_duration(r, v[2], v[3]);
	put(r, "</td><td class=\"path\">");
	esc(r, v[5]);
	if (v[6] || v[7]) {
		put(r, ": ");
		esc(r, v[6] ? v[6] : v[7]);
	}
	put(r, "</td><td>");
	put_verdict(r, v[8]);
	put(r, "</td><td class=\"num\">");
	esc(r, v[9]);
	put(r, "</td><td>");
	esc(r, v[10]);
	put(r, "</td></tr>\n");
	return 0;
}

/* The records a sandbox session is rebuilt from (DESIGN.md, sessions): how many of each source
 * the collection held, and the period they cover. */
struct session_sources {
	long long files;
	long long seen[3];
	struct strbuf text;
	const struct display_zone *zone;
};

static const char *const SESSION_SOURCES[3][2] = {
	{"Microsoft-Windows-Security-Auditing", "Security-Auditing"},
	{"Microsoft-Windows-Hyper-V-Compute", "Hyper-V-Compute"},
	{"Microsoft-Windows-Hyper-V-Worker", "Hyper-V-Worker"},
};

static int source_period_row(void *context, int columns, const char *const *names,
			     const char *const *v)
{
	struct session_sources *sources = context;
	char first[48], last[48];
	(void)columns;
	(void)names;
	if (!v[0] || !v[1])
		return 0;
	zone_format(sources->zone, strtoull(v[0], NULL, 10), first, sizeof first);
	zone_format(sources->zone, strtoull(v[1], NULL, 10), last, sizeof last);
	strbuf_printf(&sources->text, ", stored records from %s to %s", first, last);
	return 0;
}

/* A negative result qualified by what was there: "no session" over logs that could not show one
 * is not a finding (issue: an empty collection once read "No sandbox session was found"). */
static void write_no_session(struct report *r)
{
	struct session_sources sources = {0, {0, 0, 0}, STRBUF_INIT, r->zone};
	long long any = 0;

	query(r, "SELECT evidence FROM v_report_counts", count_row, &sources.files);
	for (int i = 0; i < 3; i++) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(sum(seen), 0) FROM v_report_provider_seen WHERE provider = "
			 "'%s'",
			 SESSION_SOURCES[i][0]);
		query(r, sql, count_row, &sources.seen[i]);
		any += sources.seen[i];
		strbuf_printf(&sources.text, "%s%s: %lld record%s", i ? "; " : "",
			      SESSION_SOURCES[i][1], sources.seen[i], sources.seen[i] == 1 ? "" : "s");
		snprintf(sql, sizeof sql,
			 "SELECT first_time, last_time FROM v_report_provider_period WHERE provider = "
			 "'%s'",
			 SESSION_SOURCES[i][0]);
		if (sources.seen[i])
			query(r, sql, source_period_row, &sources);
	}
	if (!any) {
		putf(r, "<p class=\"gap\"><b>Sandbox sessions cannot be seen in this collection.</b> "
			"It holds no Security-Auditing, Hyper-V-Compute or Hyper-V-Worker record "
			"(%lld input file%s listed in the evidence table), and those are the records "
			"a session is rebuilt from. This is not evidence that no sandbox ran.</p>\n",
		     sources.files, sources.files == 1 ? "" : "s");
	} else {
		put(r, "<p class=\"gap\">No sandbox session was found in the records read (");
		esc(r, strbuf_text(&sources.text));
		put(r, "). A sandbox that ran outside these periods, or whose records were not "
		       "collected, cleared or rolled over, cannot be seen. See Method and limitations "
		       "and the excluded VMs.</p>\n");
	}
	strbuf_free(&sources.text);
}

/* ---- several hosts (METHOD.md §8.9) ---------------------------------------------------------- */

/* The store shows part P alone, and the section headings name it, until host_part_leave. */
static int host_part_enter(struct report *r, const struct host_scope_part *p)
{
	char err[512];

	if (r->failed || host_scope_enter(r->store, p->id, err, sizeof err) != 0) {
		r->failed = 1;
		return -1;
	}
	r->section_host = p->name;
	if (p->id > 0)
		snprintf(r->section_id, sizeof r->section_id, "-host-%" PRId64, p->id);
	else
		snprintf(r->section_id, sizeof r->section_id, "-host-none");
	return 0;
}

static void host_part_leave(struct report *r)
{
	if (host_scope_leave(r->store) != 0)
		r->failed = 1;
	r->section_host = NULL;
	r->section_id[0] = 0;
}

/* The cells of page one's host table after the name (v: see write_host_table). */
static int host_table_row(void *context, int columns, const char *const *names,
			  const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: 0 confidence (NULL: no single host), 1 files naming it, 2 files by folder, 3 files of
	 *    the only host, 4 files, 5 sessions */
	put(r, "</td><td>");
	if (!v[0]) {
		put(r, "files that name no host and lie in no folder of one host; facts and sessions "
		       "rebuilt from them");
	} else {
		putf(r, "named by %s of its own file%s (SYSTEM hive ComputerName, event log Computer)",
		     v[1], strcmp(v[1], "1") ? "s" : "");
		if (strcmp(v[2], "0"))
			putf(r, "; %s more file%s in the same folders", v[2], strcmp(v[2], "1") ? "s" : "");
		if (strcmp(v[3], "0"))
			putf(r, "; %s more file%s naming no other host", v[3],
			     strcmp(v[3], "1") ? "s" : "");
		put(r, "; confidence ");
		esc(r, v[0]);
	}
	putf(r, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td>", v[4], v[5]);
	return 0;
}

/* Page one of a case of several hosts: every host, how it was established, its files, sessions
 * and verdicts, linked to its section. */
static void write_host_table(struct report *r, const struct host_scope_list *parts)
{
	put(r, "<h2 id=\"hosts\">Hosts</h2>\n<p>The case holds the evidence of several computers. "
	       "Each file is given to the host it names (a SYSTEM hive's ComputerName, the Computer of "
	       "an event log's records) or, when it names none, to the host its folder's files name "
	       "(METHOD.md §2.7); each host's facts and sessions are rebuilt from its own files and "
	       "told in its own section.</p>\n<table class=\"fixed\"><colgroup><col style=\"width:15%\">"
	       "<col style=\"width:44%\"><col style=\"width:8%\"><col style=\"width:10%\">"
	       "<col style=\"width:23%\"></colgroup><thead><tr><th>host</th><th>how it was "
	       "established</th><th class=\"num\">files</th><th class=\"num\">sessions</th>"
	       "<th>verdicts</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < parts->count; i++) {
		const struct host_scope_part *p = &parts->parts[i];
		char host[40] = "IS NULL", sql[1024];
		if (p->id > 0)
			snprintf(host, sizeof host, "= %" PRId64, p->id);
		putf(r, "<tr><td class=\"mono\"><a href=\"#host-");
		if (p->id > 0)
			putf(r, "%" PRId64, p->id);
		else
			put(r, "none");
		put(r, "\">");
		esc(r, p->name);
		put(r, "</a>");
		snprintf(sql, sizeof sql,
			 "SELECT (SELECT confidence FROM main.hosts WHERE id %1$s), (SELECT count(*) "
			 "FROM main.evidence_hosts WHERE host_id %1$s AND how = 'names_itself'), (SELECT "
			 "count(*) FROM main.evidence_hosts WHERE host_id %1$s AND how = 'folder'), "
			 "(SELECT count(*) FROM main.evidence_hosts WHERE host_id %1$s AND how = "
			 "'only_host'), (SELECT count(*) FROM main.evidence_hosts WHERE host_id %1$s), "
			 "(SELECT count(*) FROM main.sessions WHERE host_id %1$s)",
			 host);
		query(r, sql, host_table_row, r);
		snprintf(sql, sizeof sql,
			 "SELECT verdict, count(*) FROM main.sessions WHERE host_id %s GROUP BY verdict "
			 "ORDER BY verdict",
			 host);
		query(r, sql, verdict_count_row, r);
		put(r, "</td></tr>\n");
	}
	put(r, "</tbody></table>\n");
}

/* ---- page one: the answer ----------------------------------------------------------------- */

/* One session in plain sentences (v: see ANSWER_SQL). Each sentence says only what the session
 * row holds; an unknown is said to be unknown. */
static int answer_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: 0 id, 1 vm, 2 start, 3 end, 4 end_inferred, 5 verdict, 6 score, 7 confidence,
	 *    8 trigger kind, 9 task, 10 user, 11 launcher image, 12 launcher command line,
	 *    13 wsb path, 14 networking, 15 logon command, 16 folders, 17 commands (count),
	 *    18 first command, 19 NIC connects, 20 top findings, 21 wsb sha256 */
	putf(r, "<div class=\"answer\"><h3><a href=\"#session-%s\">Session %s</a> ", v[0], v[0]);
	put_verdict(r, v[5]);
	put(r, "</h3>\n<p>A Windows Sandbox VM (<span class=\"mono\">");
	esc(r, v[1]);
	put(r, "</span>) ran from ");
	put_time_text(r, v[2]);
	put(r, " to ");
	put_time_text(r, v[3]);
	if (v[2] && v[3]) {
		put(r, " (");
		put_duration(r, v[2], v[3]);
		put(r, ")");
	}
	put(r, v[4] && !strcmp(v[4], "1") ? "; no exit record was found, so the end is the last "
					  "record linked to it. " : ". ");
	if (v[8] && !strcmp(v[8], "task")) {
		put(r, "It was started by the scheduled task <b class=\"mono\">");
		esc_or(r, v[9], "(name not recorded)");
		put(r, "</b>");
		if (v[10]) {
			put(r, " running as ");
			esc(r, v[10]);
		}
	} else if (v[8] && !strcmp(v[8], "user")) {
		put(r, "It was started interactively");
		if (v[10]) {
			put(r, " by ");
			esc(r, v[10]);
		}
	} else {
		put(r, "What started it is not established by the evidence");
	}
	put_if_mono(r, ", through ", v[11]);
	put_if_mono(r, " with the configuration ", v[13]);
	put(r, ". ");
	if (v[16] && *v[16]) {
		put(r, "Host folders mapped into it: ");
		esc(r, v[16]);
		put(r, ". ");
	} else {
		put(r, "No user host folder is known to have been mapped into it. ");
	}
	if (v[14])
		put(r, !strcmp(v[14], "1") ? "Its configuration turned networking on" :
					     "Its configuration turned networking off");
	else
		put(r, "Whether networking was on is not established by a configuration");
	if (v[19] && strcmp(v[19], "0"))
		putf(r, ", and its network adapter was connected %s time%s", v[19],
		     strcmp(v[19], "1") ? "s" : "");
	put(r, ". ");
	if (v[17] && strcmp(v[17], "0")) {
		putf(r, "The host recorded %s command%s run in the VM, the first: <span class=\"mono\">",
		     v[17], strcmp(v[17], "1") ? "s" : "");
		esc(r, v[18]);
		put(r, "</span>. ");
	} else if (v[15]) {
		put(r, "Its configuration runs <span class=\"mono\">");
		esc(r, v[15]);
		put(r, "</span> at logon; no record of the VM running a command was found. ");
	}
	put(r, "Verdict ");
	esc(r, v[5]);
	put(r, " (score ");
	esc(r, v[6]);
	put(r, ", rebuilt with ");
	esc(r, v[7]);
	put(r, " confidence)");
	if (v[20] && *v[20]) {
		put(r, ", chiefly because: ");
		esc(r, v[20]);
	}
	put(r, ".</p>\n<dl class=\"kv small\"><dt>VM GUID</dt><dd class=\"mono\">");
	esc(r, v[1]);
	put(r, "</dd><dt>Start / end (UTC)</dt><dd>");
	put_time_text(r, v[2]);
	put(r, " / ");
	put_time_text(r, v[3]);
	put(r, "</dd><dt>Task</dt><dd class=\"mono\">");
	esc_or(r, v[9], "<span class=\"muted\">none linked</span>");
	put(r, "</dd><dt>Launcher</dt><dd class=\"mono\">");
	esc_or(r, v[12] ? v[12] : v[11], "<span class=\"muted\">none linked</span>");
	put(r, "</dd><dt>.wsb</dt><dd class=\"mono\">");
	esc_or(r, v[13], "<span class=\"muted\">none linked</span>");
	if (v[21]) {
		put(r, "<br>SHA-256 <span class=\"hash\">");
		esc(r, v[21]);
		put(r, "</span>");
	}
	put(r, "</dd><dt>Logon command</dt><dd class=\"mono\">");
	esc_or(r, v[15], "<span class=\"muted\">none in a linked configuration</span>");
	put(r, "</dd></dl></div>\n");
	return 0;
}

/* One list item: the row's first value, escaped. */
static int gap_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	put(r, "<li>");
	esc(r, v[0]);
	put(r, "</li>\n");
	return 0;
}

static const char ANSWER_SQL[] =
	"SELECT id, vm_id, start, end, end_inferred, verdict, score, confidence, trigger_kind, "
	"trigger_task, trigger_user, launcher_image, launcher_command_line, wsb_path, wsb_networking, "
	"wsb_logon_command, folders, commands, first_command, nic_connects, top_findings, wsb_sha256 "
	"FROM v_report_answer ORDER BY id";

/* Page one: who, what was asked, the answer per session, its key indicators, and what the
 * collection could not show. Everything after it is the basis. */
static void write_answer(struct report *r, const struct report_options *options,
			 const struct host_scope_list *parts)
{
	long long sessions = 0;

	put(r, "<section id=\"answer\">\n<dl class=\"kv\"><dt>Case</dt><dd>");
	esc_or(r, r->case_name, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd><dt>Examiner</dt><dd>");
	esc_or(r, r->examiner, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd><dt>Report id</dt><dd><span class=\"mono\">");
	esc(r, r->report_id);
	put(r, "</span> <span class=\"muted small\">(from the SHA-256s of the evidence: the same evidence "
	       "gives the same id)</span></dd>");
	if (options && options->host) {
		struct strbuf all = STRBUF_INIT;
		query(r, "SELECT group_concat(name, ', ') FROM (SELECT name FROM main.hosts ORDER BY id)",
		      text_row, &all);
		put(r, "<dt>Host</dt><dd><span class=\"mono\">");
		esc(r, options->host);
		put(r, "</span> <span class=\"muted small\">(this report covers this host alone "
		       "(--host); the case holds ");
		esc(r, strbuf_text(&all));
		put(r, ")</span></dd>");
		strbuf_free(&all);
	}
	putf(r, "<dt>Question</dt><dd>Did a Windows Sandbox run on %s; if so, what started it, with "
		"what configuration, which host folders could it reach, what did the host pass into "
		"it, and is it malicious?</dd></dl>\n",
	     parts->count ? "these hosts" : "this host");
	if (parts->count)
		write_host_table(r, parts);
	put(r, "<h2>Result</h2>\n");
	query(r, "SELECT sessions FROM v_report_counts", count_row, &sessions);
	if (!sessions)
		write_no_session(r);
	else
		putf(r, "<p>%lld Windows Sandbox session%s rebuilt from host evidence; each is told "
			"below in a few sentences, then step by step with its evidence on its own "
			"page.</p>\n", sessions, sessions == 1 ? " was" : "s were");
	for (size_t i = 0; i < parts->count; i++) {
		long long host_sessions = 0;
		if (host_part_enter(r, &parts->parts[i]) != 0)
			break;
		put(r, "<h3 class=\"host-answers\">Host <span class=\"mono\">");
		esc(r, r->section_host);
		put(r, "</span></h3>\n");
		query(r, "SELECT sessions FROM v_report_counts", count_row, &host_sessions);
		if (sessions && !host_sessions)
			write_no_session(r);
		query(r, ANSWER_SQL, answer_row, r);
		host_part_leave(r);
	}
	if (!parts->count)
		query(r, ANSWER_SQL, answer_row, r);
	put(r, "<h3>What the collection could not show</h3>\n<ul class=\"small\">\n");
	query(r,
	      "SELECT DISTINCT gap FROM v_report_session_gaps WHERE gap NOT LIKE 'inside the VM:%' "
	      "ORDER BY 1",
	      gap_row, r);
	query(r,
	      "SELECT subject || ': ' || detail FROM v_report_facts WHERE kind = 'audit_coverage' "
	      "AND value != 'recorded' ORDER BY id",
	      gap_row, r);
	put(r, "<li>What ran inside a VM (its processes, files, registry and network traffic) "
	       "leaves no record on the host, and the VM's disk is discarded when it exits.</li>\n"
	       "</ul>\n</section>\n");
}

static int plain_row(void *context, int columns, const char *const *names, const char *const *v);

/* Configurations with risky settings that no session links: one prepared and not (yet) used, or
 * used by a run whose records are gone. Findings in their own right, not appendix material. */
static void write_unlinked_configurations(struct report *r)
{
	long long count = 0;

	query(r, "SELECT count(*) FROM v_report_unlinked_configs", count_row, &count);
	if (!count)
		return;
	putf(r, "<h3>Configurations with risky settings that no session links</h3>\n<p>%lld sandbox "
		"configuration%s on the host %s no session: prepared and not used, or used by a run "
		"whose records are gone. Each risk is read from the file itself (METHOD.md §5.1).</p>\n"
		"<table class=\"loose\"><thead><tr><th>configuration</th><th>risks</th>"
		"<th>evidence</th></tr></thead><tbody>\n",
	     count, count == 1 ? "" : "s", count == 1 ? "is linked to" : "are linked to");
	query(r,
	      "SELECT location, risks, sha_evidence FROM v_report_unlinked_configs ORDER BY location",
	      plain_row, r);
	put(r, "</tbody></table>\n");
}

static void write_summary(struct report *r)
{
	long long sessions = 0;

	putf(r, "<section id=\"summary%s\">\n<h2>Summary of sessions", r->section_id);
	put_if_mono(r, " on ", r->section_host);
	put(r, "</h2>\n");
	query(r, "SELECT sessions FROM v_report_counts", count_row, &sessions);
	putf(r, "<p>%lld Windows Sandbox session%s rebuilt from host evidence.", sessions,
	     sessions == 1 ? "" : "s");
	query(r, "SELECT verdict, count(*) FROM v_report_sessions GROUP BY verdict ORDER BY verdict",
	      verdict_count_row, r);
	put(r, "</p>\n<p class=\"small muted\">Verdict from the sum of the findings' scores "
	       "(METHOD.md §7): malicious at 60 or more, suspicious from 25 to 59, benign-looking "
	       "below 25. Confidence is that of the session's rebuilding (§6.5).</p>\n");
	put(r, "<table class=\"fixed\"><colgroup><col style=\"width:4%\"><col style=\"width:19%\">"
	       "<col style=\"width:12%\"><col style=\"width:12%\"><col style=\"width:8%\">"
	       "<col style=\"width:18%\"><col style=\"width:13%\"><col style=\"width:6%\">"
	       "<col style=\"width:8%\"></colgroup>"
	       "<thead><tr><th class=\"num\">id</th><th>VM GUID</th><th>start (UTC)</th>"
	       "<th>end (UTC)</th><th class=\"num\">duration</th><th>trigger</th><th>verdict</th>"
	       "<th class=\"num\">score</th><th>confidence</th></tr></thead><tbody>\n");
	query(r,
	      "SELECT id, vm_guid, start, end, end_inferred, trigger_kind, trigger_task, "
	      "trigger_user, verdict, score, confidence FROM v_report_sessions ORDER BY id",
	      summary_row, r);
	put(r, "</tbody></table>\n");
	if (!sessions)
		write_no_session(r);
	write_unlinked_configurations(r);
	put(r, "</section>\n");
}

/* ---- one session: narrative ----------------------------------------------------------------- */

struct step_state {
	struct report *r;
	int count;
};

/* A record of the session found in further files (v_session_record_copies), listed once under
 * the steps (METHOD.md §8.2). */
struct copies_list {
	struct report *r;
	size_t count;
};

static int copies_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct copies_list *c = context;

	(void)names;
	if (columns != 3 || !v[0] || !v[1] || !v[2])
		return 0;
	if (!c->count++)
		put(c->r, "<p class=\"small\">Records also found in other files (each step cites the "
			  "first file; the copies hold the same record):</p>\n<ul class=\"small\">\n");
	put(c->r, "<li>");
	esc(c->r, v[0]);
	putf(c->r, ": also in %s other file%s: ", v[1], strcmp(v[1], "1") ? "s" : "");
	esc(c->r, v[2]);
	put(c->r, "</li>\n");
	return 0;
}

static int narrative_step(void *context, const struct store_session_step *step)
{
	struct step_state *state = context;
	struct report *r = state->r;
	struct strbuf text = STRBUF_INIT;
	const char *table = step->source_table ? step->source_table : "";

	put(r, "<tr><td class=\"num\">");
	putf(r, "%d", ++state->count);
	put(r, "</td><td class=\"mono small\">");
	if (step->time) {
		put_time_value(r, step->time);
	} else {
		put(r, "<span class=\"muted\">(no time)</span>");
	}
	put(r, "</td><td><span class=\"role\">");
	esc(r, step->role);
	put(r, "</span> ");
	session_text_describe_step(step, 0, &text);
	esc(r, strbuf_text(&text));
	strbuf_free(&text);
	put(r, "</td><td class=\"small\">");
	if (!strcmp(table, "events")) {
		putf(r, "<a href=\"#rec-%" PRId64 "\">", step->row_id);
		esc_or(r, step->channel, "?");
		putf(r, " %u, record %" PRId64 "</a>", step->event_id, step->record_id);
		if (step->offset >= 0)
			putf(r, "<br>chunk %" PRId64 ", offset %" PRId64, step->chunk, step->offset);
		else
			put(r, "<br>offset not established");
		if (step->file_name) {
			put(r, "<br>");
			esc(r, step->file_name);
		}
	} else if (!strcmp(table, "tasks") || !strcmp(table, "wsb_configs")) {
		put_citation(r, table, step->row_id, !strcmp(table, "tasks") ? "task" : "wsb");
	} else {
		put_citation(r, table, step->row_id, NULL);
	}
	put(r, "<br>");
	put_evidence_link(r, step->sha256);
	put(r, "</td><td class=\"small\">");
	esc(r, step->confidence);
	put(r, ": ");
	esc(r, step->basis);
	{
		const char *caveat = session_text_unconfirmed(step->role, step->channel,
							      step->event_id);
		if (caveat) {
			put(r, "<br><span class=\"muted\">");
			esc(r, caveat);
			put(r, "</span>");
		}
	}
	put(r, "</td></tr>\n");
	return 0;
}

/* ---- one session: behaviour graph (export/graph.c) ------------------------------------------ */

static void write_graph(struct report *r, int64_t session_id)
{
	struct strbuf svg = STRBUF_INIT;

	if (r->failed)
		return;
	if (graph_write_session(r->store, session_id, &svg) != 0 || strbuf_failed(&svg))
		r->failed = 1;
	else
		put(r, strbuf_text(&svg));
	strbuf_free(&svg);
}

/* ---- one session: findings and gaps --------------------------------------------------------- */

static int finding_row(void *context, int columns, const char *const *names,
		       const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: rule_id, title, score, attack, section, reason, basis (LF-separated references) */
	put(r, "<tr><td class=\"mono\">");
	esc(r, v[0]);
	put(r, "</td><td>");
	esc(r, v[1]);
	put(r, "</td><td class=\"num\">");
	esc(r, v[2]);
	put(r, "</td><td class=\"mono\">");
	if (v[3] && *v[3]) {
		const char *p = v[3];
		while (*p) {
			size_t n = strcspn(p, ",");
			struct strbuf id = STRBUF_INIT;
			strbuf_append(&id, p, n);
			put(r, "<a href=\"#attack-");
			esc(r, strbuf_text(&id));
			put(r, "\">");
			esc(r, strbuf_text(&id));
			put(r, "</a>");
			strbuf_free(&id);
			p += n;
			if (*p) {
				put(r, ", ");
				p++;
			}
		}
	} else {
		put(r, "<span class=\"muted\">—</span>");
	}
	put(r, "</td><td>");
	esc(r, v[5]);
	put(r, " <span class=\"small muted\">(");
	esc(r, v[4]);
	put(r, ")</span></td><td class=\"small\">");
	if (v[6]) {
		const char *p = v[6];
		while (*p) {
			size_t n = strcspn(p, "\n");
			struct strbuf ref = STRBUF_INIT;
			strbuf_append(&ref, p, n);
			put_row_reference(r, strbuf_text(&ref));
			strbuf_free(&ref);
			p += n;
			if (*p) {
				put(r, "<br>");
				p++;
			}
		}
	}
	put(r, "</td></tr>\n");
	return 0;
}


/* ---- one session ---------------------------------------------------------------------------- */

struct session_ids {
	int64_t *ids;
	size_t count, capacity;
	int failed;
};

static int session_id_row(void *context, int columns, const char *const *names,
			  const char *const *v)
{
	struct session_ids *s = context;
	(void)columns;
	(void)names;
	if (s->count == s->capacity) {
		size_t capacity = s->capacity ? s->capacity * 2 : 16;
		int64_t *ids = realloc(s->ids, capacity * sizeof *ids);
		if (!ids) {
			s->failed = 1;
			return 1;
		}
		s->ids = ids;
		s->capacity = capacity;
	}
	s->ids[s->count++] = v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 0;
}

static int session_header_row(void *context, int columns, const char *const *names,
			      const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: id, vm_guid, vm_sid, kind, kind_basis, start, end, end_inferred, confidence, verdict,
	 *    score, trigger_kind, trigger_task, trigger_user, launcher_image, launcher_pid,
	 *    launcher_command_line, wsb_path, wsb_config_id */
	put(r, "<h2>Session ");
	esc(r, v[0]);
	put(r, ": <span class=\"mono\">");
	esc(r, v[1]);
	put(r, "</span> ");
	put_verdict(r, v[9]);
	put(r, "</h2>\n<dl class=\"kv\">\n");
	if (r->section_host) {
		put(r, "<dt>Host</dt><dd class=\"mono\">");
		esc(r, r->section_host);
		put(r, "</dd>\n");
	}
	put(r, "<dt>VM GUID</dt><dd class=\"mono\">");
	esc(r, v[1]);
	put(r, "</dd>\n<dt>VM SID</dt><dd class=\"mono\">");
	esc(r, v[2]);
	put(r, "</dd>\n<dt>Kind</dt><dd>");
	esc(r, v[3]);
	put(r, " <span class=\"muted\">(");
	esc(r, v[4]);
	put(r, ")</span></dd>\n<dt>Start (UTC)</dt><dd>");
	put_time_text(r, v[5]);
	put(r, "</dd>\n<dt>End (UTC)</dt><dd>");
	put_time_text(r, v[6]);
	if (v[7] && !strcmp(v[7], "1"))
		put(r, " <span class=\"muted\">(inferred: last linked record, no exit record)</span>");
	put(r, "</dd>\n<dt>Duration</dt><dd>");
	put_duration(r, v[5], v[6]);
	put(r, "</dd>\n<dt>Trigger</dt><dd>");
	esc(r, v[11]);
	put_if_mono(r, ", task ", v[12]);
	put_if_mono(r, ", as ", v[13]);
	put(r, "</dd>\n<dt>Launcher</dt><dd class=\"mono\">");
	esc_or(r, v[14], "<span class=\"muted\">not established</span>");
	if (v[15]) {
		put(r, " (pid ");
		esc(r, v[15]);
		put(r, ")");
	}
	if (v[16]) {
		put(r, "<br>");
		esc(r, v[16]);
	}
	put(r, "</dd>\n<dt>Configuration</dt><dd>");
	if (v[17]) {
		put(r, "<span class=\"mono\">");
		esc(r, v[17]);
		put(r, "</span>");
	} else {
		put(r, "<span class=\"muted\">none named</span>");
	}
	if (v[18]) {
		put(r, " — ");
		put_citation(r, "wsb_configs", strtoll(v[18], NULL, 10), "wsb");
	}
	put(r, "</dd>\n<dt>Verdict</dt><dd>");
	put_verdict(r, v[9]);
	put(r, " score ");
	esc(r, v[10]);
	put(r, ", rebuilt with ");
	esc(r, v[8]);
	put(r, " confidence</dd>\n</dl>\n");
	return 0;
}

static void write_session(struct report *r, int64_t id)
{
	char sql[1024];
	struct step_state steps = {r, 0};

	putf(r, "<section class=\"session\" id=\"session-%" PRId64 "\">\n", id);
	snprintf(sql, sizeof sql,
		 "SELECT id, vm_guid, vm_sid, kind, kind_basis, start, end, end_inferred, confidence, "
		 "verdict, score, trigger_kind, trigger_task, trigger_user, launcher_image, "
		 "launcher_pid, launcher_command_line, wsb_path, wsb_config_id FROM v_report_sessions "
		 "WHERE id = %" PRId64,
		 id);
	query(r, sql, session_header_row, r);

	put(r, "<h3>What happened, in time order</h3>\n<table class=\"fixed\"><colgroup>"
	       "<col style=\"width:4%\"><col style=\"width:15%\"><col style=\"width:45%\">"
	       "<col style=\"width:20%\"><col style=\"width:16%\"></colgroup><thead><tr>"
	       "<th class=\"num\">#</th>"
	       "<th>time (UTC)</th><th>step</th><th>evidence</th><th>link to the session</th></tr>"
	       "</thead><tbody>\n");
	if (!r->failed && store_each_session_step(r->store, id, narrative_step, &steps) != 0)
		r->failed = 1;
	put(r, "</tbody></table>\n");
	if (!steps.count)
		put(r, "<p class=\"gap\">No record is linked to this session.</p>\n");
	snprintf(sql, sizeof sql,
		 "SELECT record, other_files, copies FROM v_session_record_copies WHERE session_id = "
		 "%" PRId64 " ORDER BY event_row", id);
	struct copies_list copies = {r, 0};
	query(r, sql, copies_row, &copies);
	if (copies.count)
		put(r, "</ul>\n");

	put(r, "<h3>Behaviour graph</h3>\n");
	write_graph(r, id);

	put(r, "<h3>Findings</h3>\n<table class=\"fixed\"><colgroup><col style=\"width:14%\">"
	       "<col style=\"width:20%\"><col style=\"width:5%\"><col style=\"width:9%\">"
	       "<col style=\"width:37%\"><col style=\"width:15%\"></colgroup>"
	       "<thead><tr><th>rule</th><th>finding</th>"
	       "<th class=\"num\">score</th><th>ATT&amp;CK</th><th>what matched (§)</th>"
	       "<th>basis</th></tr></thead><tbody>\n");
	snprintf(sql, sizeof sql,
		 "SELECT rule_id, title, score, attack, section, reason, basis_lines FROM "
		 "v_report_findings WHERE session_id = %" PRId64 " ORDER BY position",
		 id);
	query(r, sql, finding_row, r);
	put(r, "</tbody></table>\n");

	put(r, "<h3>Gaps</h3>\n<ul>\n");
	snprintf(sql, sizeof sql,
		 "SELECT gap FROM v_report_session_gaps WHERE session_id = %" PRId64
		 " ORDER BY position",
		 id);
	query(r, sql, gap_row, r);
	put(r, "</ul>\n<p class=\"limit\">Standing limit: what ran <b>inside</b> the VM (its processes, "
	       "files, registry and network traffic) leaves no record on the host; the VM's disk is "
	       "discarded when it exits. This report shows what the host recorded about the VM: how "
	       "it was started and configured, the commands the host passed into it, the host folders "
	       "it could reach and when its network adapter was connected.</p>\n</section>\n");
}

/* ---- ATT&CK matrix -------------------------------------------------------------------------- */

struct technique_seen {
	char id[24];
	struct strbuf rules_found, sessions, rules_able;
	int64_t last_session;
};

struct technique_set {
	struct technique_seen *items;
	size_t count, capacity;
	int failed;
};

static struct technique_seen *technique_get(struct technique_set *set, const char *id, size_t n)
{
	if (n == 0 || n >= sizeof set->items[0].id)
		return NULL;
	for (size_t i = 0; i < set->count; i++)
		if (strlen(set->items[i].id) == n && !memcmp(set->items[i].id, id, n))
			return &set->items[i];
	if (set->count == set->capacity) {
		size_t capacity = set->capacity ? set->capacity * 2 : 16;
		struct technique_seen *items = realloc(set->items, capacity * sizeof *items);
		if (!items) {
			set->failed = 1;
			return NULL;
		}
		set->items = items;
		set->capacity = capacity;
	}
	struct technique_seen *t = &set->items[set->count++];
	memset(t, 0, sizeof *t);
	memcpy(t->id, id, n);
	return t;
}

/* Adds WORD to a ", "-separated list unless it is already there. */
static void list_add(struct strbuf *list, const char *word)
{
	const char *p = strbuf_text(list);
	size_t n = strlen(word);
	while (*p) {
		size_t m = strcspn(p, ",");
		if (m == n && !memcmp(p, word, n))
			return;
		p += m;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (list->length)
		strbuf_append_str(list, ", ");
	strbuf_append_str(list, word);
}

static int attack_finding_row(void *context, int columns, const char *const *names,
			      const char *const *v)
{
	struct technique_set *set = context;
	(void)columns;
	(void)names;
	/* v: session_id, rule_id, attack */
	int64_t session = v[0] ? strtoll(v[0], NULL, 10) : 0;
	for (const char *p = v[2] ? v[2] : ""; *p;) {
		size_t n = strcspn(p, ",");
		struct technique_seen *t = technique_get(set, p, n);
		if (t) {
			list_add(&t->rules_found, v[1] ? v[1] : "?");
			if (t->last_session != session) {
				strbuf_printf(&t->sessions, "%s%" PRId64, t->sessions.length ? " " : "",
					      session);
				t->last_session = session;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}


static int technique_compare(const void *a, const void *b)
{
	return strcmp(((const struct technique_seen *)a)->id, ((const struct technique_seen *)b)->id);
}

static void put_session_links(struct report *r, const char *sessions)
{
	for (const char *p = sessions; *p;) {
		long long id = strtoll(p, NULL, 10);
		putf(r, "%s<a href=\"#session-%lld\">session %lld</a>", p == sessions ? "" : ", ", id, id);
		p += strcspn(p, " ");
		while (*p == ' ')
			p++;
	}
}

static void write_attack(struct report *r)
{
	struct technique_set set = {NULL, 0, 0, 0};
	size_t seen = 0, tactic_count;
	const struct attack_tactic *tactics = attack_tactics(&tactic_count);

	/* Every technique the rule table can find, then what the findings found. */
	for (size_t i = 0; rules_table_row(i); i++) {
		const struct rule *rule = rules_table_row(i);
		for (const char *p = rule->attack; *p;) {
			size_t n = strcspn(p, ",");
			struct technique_seen *t = technique_get(&set, p, n);
			if (t)
				list_add(&t->rules_able, rule->id);
			p += n;
			if (*p)
				p++;
		}
	}
	query(r, "SELECT session_id, rule_id, attack FROM v_report_findings ORDER BY session_id, "
	      "position",
	      attack_finding_row, &set);
	if (set.count)
		qsort(set.items, set.count, sizeof *set.items, technique_compare);
	for (size_t i = 0; i < set.count; i++)
		seen += set.items[i].sessions.length > 0;

	put(r, "<section id=\"attack\">\n<h2>ATT&amp;CK matrix</h2>\n");
	putf(r, "<p>%zu MITRE ATT&amp;CK technique%s seen across the sessions (highlighted), out of "
		"the %zu the findings rules can recognise (correlate/rules.def). A technique is "
		"&quot;seen&quot; when a rule that names it fired for a session.</p>\n",
	     seen, seen == 1 ? "" : "s", set.count);
	put(r, "<div class=\"matrix\">\n");
	/* Every Enterprise tactic, in matrix order; a tactic no rule can name says so. */
	for (size_t tactic = 0; tactic < tactic_count; tactic++) {
		int any = 0;
		put(r, "<div class=\"tactic\"><h4>");
		esc(r, tactics[tactic].name);
		put(r, "</h4>\n");
		for (size_t i = 0; i < set.count; i++) {
			const struct attack_technique *info = attack_technique(set.items[i].id);
			if (!attack_technique_in_tactic(info, tactics[tactic].name))
				continue;
			any = 1;
			putf(r, "<div class=\"tech %s\"><b>", set.items[i].sessions.length ? "seen" : "unseen");
			esc(r, set.items[i].id);
			put(r, "</b> ");
			esc_or(r, info ? info->name : NULL, "");
			put(r, "</div>\n");
		}
		if (!any)
			put(r, "<div class=\"tech unseen small\">no sandtrace rule names a technique "
			       "here</div>\n");
		put(r, "</div>\n");
	}
	{
		int unknown = 0;
		for (size_t i = 0; i < set.count; i++) {
			if (attack_technique(set.items[i].id))
				continue;
			if (!unknown++)
				put(r, "<div class=\"tactic\"><h4>other</h4>\n");
			putf(r, "<div class=\"tech %s\"><b>", set.items[i].sessions.length ? "seen" : "unseen");
			esc(r, set.items[i].id);
			put(r, "</b></div>\n");
		}
		if (unknown)
			put(r, "</div>\n");
	}
	put(r, "</div>\n<table class=\"loose\"><thead><tr><th>technique</th><th>name</th><th>sessions</th>"
	       "<th>rules that found it</th><th>rules that can find it</th></tr></thead><tbody>\n");
	for (size_t i = 0; i < set.count; i++) {
		const struct technique_seen *t = &set.items[i];
		const struct attack_technique *info = attack_technique(t->id);
		put(r, "<tr id=\"attack-");
		esc(r, t->id);
		put(r, "\"><td class=\"mono\">");
		esc(r, t->id);
		put(r, "</td><td>");
		esc_or(r, info ? info->name : NULL, "<span class=\"muted\">(not in the report's "
						      "table)</span>");
		put(r, "</td><td>");
		if (t->sessions.length)
			put_session_links(r, strbuf_text(&t->sessions));
		else
			put(r, "<span class=\"muted\">not seen</span>");
		put(r, "</td><td class=\"mono small\">");
		esc(r, strbuf_text(&t->rules_found));
		put(r, "</td><td class=\"mono small\">");
		esc(r, strbuf_text(&t->rules_able));
		put(r, "</td></tr>\n");
	}
	put(r, "</tbody></table>\n</section>\n");
	for (size_t i = 0; i < set.count; i++) {
		strbuf_free(&set.items[i].rules_found);
		strbuf_free(&set.items[i].sessions);
		strbuf_free(&set.items[i].rules_able);
	}
	free(set.items);
	if (set.failed)
		r->failed = 1;
}

/* ---- method and limitations ----------------------------------------------------------------- */

/* Writes the row's values as table cells, escaped; columns whose name starts with "n_" are
 * right-aligned numbers, "t_" FILETIMEs, "sha_" evidence links; a first column "a_..." is the
 * row's anchor (id) instead of a cell. */
static int plain_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	int i = 0;
	if (columns > 0 && !strncmp(names[0], "a_", 2)) {
		put(r, "<tr id=\"");
		esc(r, v[0]);
		put(r, "\">");
		i = 1;
	} else {
		put(r, "<tr>");
	}
	for (; i < columns; i++) {
		if (!strncmp(names[i], "n_", 2)) {
			put(r, "<td class=\"num\">");
			esc(r, v[i]);
		} else if (!strncmp(names[i], "t_", 2)) {
			put(r, "<td>");
			put_time_text(r, v[i]);
		} else if (!strncmp(names[i], "sha_", 4)) {
			put(r, "<td>");
			put_evidence_link(r, v[i]);
		} else {
			put(r, "<td>");
			esc_or(r, v[i], "<span class=\"muted\">—</span>");
		}
		put(r, "</td>");
	}
	put(r, "</tr>\n");
	return 0;
}

static void write_method(struct report *r)
{
	long long errors = 0, others = 0, not_parsed = 0, inputs = 0;

	put(r, "<section id=\"method\">\n<h2>Method and limitations</h2>\n"
	       "<p>\"METHOD.md §x\" in this report is section x of <i>docs/METHOD.md</i>, the method "
	       "document shipped with sandtrace " SANDTRACE_VERSION " (in its source repository and "
	       "release): what each artifact shows, each join key and why it holds, each rule with its "
	       "condition and score, the known limits and unconfirmed layouts, and how the tool was "
	       "validated.</p>\n"
	       "<h3>What sandtrace reads</h3>\n<p>Windows event logs (.evtx, through libevtx), "
	       "registry hives (SOFTWARE, SYSTEM, SECURITY, through libregf), scheduled-task XML "
	       "files and the TaskCache, Windows Sandbox configuration files (.wsb) and archives found "
	       "by content (libarchive). Every input is classified by content, hashed, and read "
	       "without being written. Event records are kept when the event catalogue lists their "
	       "channel, provider and id; the others are counted, not stored. The table below is "
	       "that count: a record seen but not stored was outside the catalogue, not ignored "
	       "unknowingly.</p>\n<table class=\"loose\"><thead><tr><th>channel</th><th>provider</th>"
	       "<th class=\"num\">event id</th><th class=\"num\">seen</th><th class=\"num\">stored"
	       "</th><th class=\"num\">files</th></tr></thead><tbody>\n");
	query(r,
	      "SELECT channel, provider, n_id, n_seen, n_stored, n_files FROM v_report_event_counts "
	      "ORDER BY channel, provider, n_id",
	      plain_row, r);
	put(r, "</tbody></table>\n");

	put(r, "<h3>Layouts assumed</h3>\n<p>METHOD.md marks the record layouts no primary source "
	       "confirms; sandtrace reads those tolerantly (it looks for the GUID, JSON or path "
	       "wherever it appears rather than trusting one position). Claims resting on them "
	       "carry that uncertainty:</p>\n<ul>\n"
	       "<li><b>Hyper-V-Compute 2500</b> (host creates a process in the VM): the JSON "
	       "parameters with <code>CommandLine</code> and <code>User</code> are read wherever they "
	       "appear; whether the fields sit in EventData or UserData is unconfirmed (METHOD.md "
	       "§1).</li>\n"
	       "<li><b>Hyper-V-Worker 301</b> (VSMB share created): the template is confirmed, but "
	       "the bit meanings of <code>ShareFlags</code> are not. sandtrace keeps ShareFlags raw "
	       "and does <b>not decode</b> them: whether a share was writable is taken from the "
	       "sandbox configuration (.wsb) only, never from 301.</li>\n"
	       "<li><b>Hyper-V-VmSwitch 232/234</b>: that a sandbox emits them, and that the NIC name "
	       "embeds the VM GUID, are unconfirmed; the link is made only when the VM GUID appears "
	       "in the NIC or port name.</li>\n"
	       "<li><b>VM exit</b> (Worker 18502/18504, Compute 2002/2003) and the VM account's "
	       "<b>4634</b> logoff: templates confirmed, sandbox use unconfirmed; a session without "
	       "them is kept and its end marked inferred.</li>\n"
	       "<li><b>PolAdtEv</b> (audit policy): read with the layout of the Windows build range "
	       "named in the host facts; another build's layout would make the audit coverage "
	       "unknown, not wrong.</li>\n</ul>\n");

	put(r, "<h3>Parse errors encountered</h3>\n");
	query(r, "SELECT parse_errors FROM v_report_counts", count_row, &errors);
	if (!errors) {
		put(r, "<p>None recorded.</p>\n");
	} else {
		/* One line per file and reason, with its count: a damaged log can hold hundreds of
		 * unreadable fragments, and the full list stays in the store. */
		putf(r, "<p>%lld problem%s recorded, summarised per file and reason; every one, with "
			"its location, is in the case store's parse_errors table.</p>\n",
		     errors, errors == 1 ? " was" : "s were");
		put(r, "<table class=\"loose\"><thead><tr><th>path</th><th class=\"num\">times</th>"
		       "<th>reason</th><th>first location</th><th>evidence</th></tr></thead><tbody>\n");
		query(r,
		      "SELECT path, n_times, reason, first_location, sha_evidence FROM "
		      "v_report_parse_errors ORDER BY path, reason",
		      plain_row, r);
		put(r, "</tbody></table>\n");
	}

	put(r, "<h3>Inputs not fully read</h3>\n");
	query(r, "SELECT evidence_not_parsed FROM v_report_counts", count_row, &not_parsed);
	query(r, "SELECT evidence FROM v_report_counts", count_row, &inputs);
	if (!inputs) {
		put(r, "<p class=\"gap\">No input was read: the collection held no file that "
		       "sandtrace could hash and list.</p>\n");
	} else if (!not_parsed) {
		put(r, "<p>Every input was parsed completely.</p>\n");
	} else {
		put(r, "<p>Inputs whose status is not &quot;parsed&quot;: <i>partly</i> = some parts "
		       "unreadable (see the parse errors), <i>failed</i> = not readable, "
		       "<i>skipped</i> = evidence not read (a hive transaction log), "
		       "<i>not_evidence</i> = listed and hashed, not a kind sandtrace reads.</p>\n<table class=\"loose\"><thead><tr><th>path"
		       "</th><th>kind</th><th>status</th><th class=\"num\">failed records</th>"
		       "<th>evidence</th></tr></thead><tbody>\n");
		query(r,
		      "SELECT first_path AS path, kind, status, records_failed AS n_failed, sha256 AS "
		      "sha_evidence FROM v_report_evidence WHERE status != 'parsed' ORDER BY 1, sha256",
		      plain_row, r);
		put(r, "</tbody></table>\n");
	}

	put(r, "<h3>Other virtual machines excluded</h3>\n");
	query(r, "SELECT other_vms FROM v_report_counts", count_row, &others);
	if (!others) {
		put(r, "<p>No other virtual machine was seen.</p>\n");
	} else {
		put(r, "<p>VMs seen in the Hyper-V records that are not Windows Sandbox sessions "
		       "(classic Hyper-V VMs, containers, WSL). They are not reported as sessions; the "
		       "basis says why each was excluded (METHOD.md §6.6).</p>\n<table class=\"loose\"><thead><tr>"
		       "<th>VM GUID</th><th>kind</th><th>why excluded</th><th>first seen (UTC)</th>"
		       "<th>last seen (UTC)</th><th class=\"num\">records</th></tr></thead><tbody>\n");
		query(r,
		      "SELECT vm_guid, kind, kind_basis, t_first, t_last, n_records FROM "
		      "v_report_other_vms ORDER BY vm_guid",
		      plain_row, r);
		put(r, "</tbody></table>\n");
	}
	put(r, "<h3>Standing limits</h3>\n<ul>\n<li>Activity inside the VM leaves no host record; "
	       "the VM's disk is gone when it exits.</li>\n<li>Host files written through a mapped "
	       "folder leave no event unless object-access auditing or Sysmon covered the path.</li>\n"
	       "<li>Times are the records' own UTC times; a host clock that was wrong makes them "
	       "wrong by the same amount.</li>\n<li>Logs that rolled over or were cleared before "
	       "collection lose their records; recovered records are marked in the appendix.</li>\n"
	       "</ul>\n</section>\n");
}

/* ---- appendix ------------------------------------------------------------------------------- */

static int appendix_event_row(void *context, int columns, const char *const *names,
			      const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: id, channel, provider, event_id, record_id, time, sha256, chunk, offset, recovered,
	 *    computer, sessions (space-separated ids), xml */
	put(r, "<div class=\"record\" id=\"rec-");
	esc(r, v[0]);
	put(r, "\"><h4>");
	esc_or(r, v[1], "?");
	put(r, " ");
	esc(r, v[3]);
	put(r, " <span class=\"muted\">(");
	esc_or(r, v[2], "?");
	put(r, ")</span></h4>\n<p class=\"small\">");
	put_time_text(r, v[5]);
	put(r, " · record ");
	esc(r, v[4]);
	if (v[7]) {
		put(r, " · chunk ");
		esc(r, v[7]);
	}
	if (v[8]) {
		put(r, " · offset ");
		esc(r, v[8]);
	}
	if (v[9] && !strcmp(v[9], "1"))
		put(r, " · <b>recovered</b> from unallocated space");
	put(r, " · computer ");
	esc_or(r, v[10], "?");
	put(r, " · ");
	put_evidence_link(r, v[6]);
	if (v[11] && *v[11]) {
		put(r, " · ");
		put_session_links(r, v[11]);
	}
	put(r, "</p>\n<pre>");
	/* No XML: either libevtx could not render the record (it then has no channel either) or it
	 * lies outside the catalogue and --all-events stored its fields only (METHOD.md §8.8). */
	esc_or(r, v[12], v[1] ? "(XML not stored: a record outside the event catalogue, stored by "
			 "--all-events for its fields only; the record is at the chunk and offset "
			 "above in the evidence file)"
			      : "(the record could not be rendered as XML)");
	put(r, "</pre></div>\n");
	return 0;
}

/* One appendix record: v[0] id, v[1] evidence SHA-256, v[2] heading; then one line per
 * non-NULL column, named by the column; a column named "ref_..." is a row reference
 * ("events.id=12") and one named "regs_..." a list of registry rows ("reg_values:1,2"), both
 * written as citations. CONTEXT's anchor prefix and table name say which rows. */
struct record_context {
	struct report *r;
	const char *anchor, *table;
};

/* Lines "what TIME" where TIME is a local time of the host as task XML writes it (no offset):
 * each shown with the UTC time it is in the host's zone, when the collection states that zone
 * (METHOD.md §8.7), and labelled as such; otherwise said to be unconverted. */
static void put_host_local_times(struct report *r, const char *lines)
{
	char *copy = strdup(lines), *line, *next;

	if (!copy)
		return;
	for (line = copy; line && *line; line = next) {
		uint64_t t = 0;
		char *time_text;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		time_text = strrchr(line, ' ');
		time_text = time_text ? time_text + 1 : line;
		esc(r, line);
		if (r->host_zone_known && zone_local_to_filetime(r->host_zone, time_text, &t) == 0) {
			char iso[48];
			filetime_format_iso(t, iso, sizeof iso);
			put(r, " <span class=\"muted\">(task local time; in the host's zone ");
			esc(r, r->host_zone);
			put(r, " that is ");
			put_iso(r, iso);
			put(r, ")</span>");
		} else {
			put(r, " <span class=\"muted\">(task local time, not converted: ");
			put(r, r->host_zones_differ ? "the case's hosts are in different time zones; "
						      "see each host's facts)"
			       : r->host_zone_windows[0] ? "the host's zone has no IANA equivalent)"
							 : "the collection does not state the host's "
							   "time zone)");
			put(r, "</span>");
		}
		put(r, next && *next ? "<br>" : "");
	}
	free(copy);
}

static int appendix_record_row(void *context, int columns, const char *const *names,
			       const char *const *v)
{
	struct record_context *c = context;
	struct report *r = c->r;

	putf(r, "<div class=\"record\" id=\"%s-", c->anchor);
	esc(r, v[0]);
	put(r, "\"><h4>");
	put_citation(r, c->table, strtoll(v[0], NULL, 10), NULL);
	put(r, "</h4>\n<p class=\"small\">");
	put_evidence_link(r, v[1]);
	put(r, "</p>\n<dl class=\"kv small\">\n");
	for (int i = 3; i < columns; i++) {
		if (!v[i])
			continue;
		put(r, "<dt>");
		esc(r, names[i]);
		put(r, "</dt><dd>");
		if (!strncmp(names[i], "ref_", 4))
			put_row_reference(r, v[i]);
		else if (!strncmp(names[i], "regs_", 5))
			put_fact_basis(r, v[i], NULL);
		else if (!strncmp(names[i], "lt_", 3))
			put_host_local_times(r, v[i]);
		else
			esc(r, v[i]);
		put(r, "</dd>\n");
	}
	put(r, "</dl></div>\n");
	return 0;
}

static void write_appendix(struct report *r)
{
	long long archives = 0;
	struct record_context tasks = {r, "task", "tasks"}, configs = {r, "wsb", "wsb_configs"},
			      archive_rows = {r, "arc", "archives"};

	put(r, "<section class=\"appendix\" id=\"appendix\">\n<h2>Appendix: the records</h2>\n"
	       "<p>Every record the narrative, the graph or a finding cites, as read. Event records "
	       "are the XML libevtx rendered, escaped but otherwise unchanged.</p>\n"
	       "<h3>Event records</h3>\n");
	query(r,
	      "SELECT id, channel, provider, event_id, record_id, time, sha256, chunk, offset, "
	      "recovered, computer, sessions, xml FROM v_report_appendix_events ORDER BY time IS "
	      "NULL, time, sha256, record_id, id",
	      appendix_event_row, r);

	put(r, "<h3>Scheduled tasks</h3>\n");
	query(r,
	      "SELECT id, sha256, uri, ref_event, source, location, author, description, "
	      "registration_date, principal_user, principal_group, principal_logon_type, "
	      "principal_run_level, enabled_raw, hidden, hidden_raw, sandbox_launcher, "
	      "launcher_reason, wsb_path, inline_config, security_descriptor, xml_sha256, "
	      "parse_problem, actions, triggers, regs_basis, lt_local_times FROM v_report_tasks "
	      "ORDER BY id",
	      appendix_record_row, &tasks);

	put(r, "<h3>Sandbox configurations</h3>\n");
	query(r,
	      "SELECT id, sha256, location, source, well_formed, parse_problem, memory_raw, "
	      "logon_command, settings, mapped_folders, risks FROM v_report_configs ORDER BY id",
	      appendix_record_row, &configs);

	query(r, "SELECT archives FROM v_report_counts", count_row, &archives);
	if (archives) {
		put(r, "<h3>Archives</h3>\n");
		query(r,
		      "SELECT id, sha256, path, family, format_name, extension, name_mismatch, "
		      "encrypted, headers_encrypted, entry_count, encrypted_entries, names, complete, "
		      "reason FROM v_report_archives ORDER BY id",
		      appendix_record_row, &archive_rows);
	}

	put(r, "<h3>Registry values read</h3>\n<p class=\"small\">The values the host facts rest "
	       "on; raw data is shown up to 512 bytes (the full value is in the case store).</p>\n"
	       "<table class=\"small fixed\"><colgroup><col style=\"width:5%\"><col style=\"width:9%\">"
	       "<col style=\"width:33%\"><col style=\"width:14%\"><col style=\"width:10%\">"
	       "<col style=\"width:17%\"><col style=\"width:12%\"></colgroup>"
	       "<thead><tr><th class=\"num\">id</th><th>hive</th><th>key</th>"
	       "<th>value</th><th>type</th><th>decoded / raw</th><th>key last written (UTC)</th>"
	       "</tr></thead><tbody>\n");
	query(r,
	      "SELECT a_anchor, n_id, hive_kind, key_path, value_name, value_type_name, value, "
	      "t_written FROM v_report_reg_values ORDER BY n_id",
	      plain_row, r);
	put(r, "</tbody></table>\n</section>\n");
}

/* ---- the page ------------------------------------------------------------------------------- */

/* The host facts, the session summary and one section per session, of the case or (split by
 * host) of the part the store is scoped to. */
static void write_host_body(struct report *r)
{
	struct session_ids ids = {NULL, 0, 0, 0};

	write_facts(r);
	write_summary(r);
	query(r, "SELECT id FROM v_report_sessions ORDER BY id", session_id_row, &ids);
	if (ids.failed)
		r->failed = 1;
	for (size_t i = 0; i < ids.count && !r->failed; i++)
		write_session(r, ids.ids[i]);
	free(ids.ids);
}

int report_write(struct store *store, const struct report_options *options, FILE *out)
{
	struct report r = {store, out, 0, NULL, NULL, "", NULL, 0, 0, "", "", NULL, ""};
	struct host_scope_list parts = {NULL, 0};

	if (!store || !out)
		return -1;
	r.zone = options ? options->zone : NULL;
	r.host_zone_known = zone_host(store, r.host_zone, sizeof r.host_zone, r.host_zone_windows,
				      sizeof r.host_zone_windows) == 1;
	case_identity(&r, options);
	/* a report of the whole case of several hosts is split by host; --host gives one */
	if (!(options && options->host) && host_scope_parts(store, &parts) != 0)
		r.failed = 1;
	if (parts.count) {
		/* the appendix is of the whole case: one host's zone is not every task's */
		long long zones = 0;
		query(&r, "SELECT count(DISTINCT value) FROM main.facts WHERE kind = 'host' AND subject = "
			  "'time_zone'", count_row, &zones);
		if (zones > 1) {
			r.host_zone_known = 0;
			r.host_zones_differ = 1;
		}
	}
	put(&r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"sandtrace\">\n"
		"<title>sandtrace report: Windows Sandbox sessions</title>\n<style>\n");
	put(&r, SANDTRACE_REPORT_CSS);
	put(&r, "</style>\n");
	write_page_style(&r);
	put(&r, "</head>\n<body>\n<header>\n<h1>Windows Sandbox sessions rebuilt from host "
		"evidence</h1>\n<p class=\"muted\">sandtrace forensic report. Every statement names "
		"the evidence that supports it; times are ");
	if (r.zone && r.zone->active) {
		put(&r, "local times of ");
		esc(&r, r.zone->label);
		put(&r, ", with the offset from UTC, and the UTC time beside each");
	} else {
		put(&r, "UTC");
		if (r.zone && strcmp(r.zone->label, "UTC")) {
			put(&r, " (");
			esc(&r, r.zone->label);
			put(&r, ")");
		}
	}
	put(&r, ".</p>\n<nav class=\"small\"><a href=\"#evidence\">Evidence</a> · ");
	put(&r, parts.count ? "<a href=\"#hosts\">Hosts, each with its host facts and sessions</a>"
			    : "<a href=\"#host-facts\">Host facts</a> · <a href=\"#summary\">"
			      "Sessions</a>");
	put(&r, " · <a href=\"#attack\">ATT&amp;CK</a> · <a href=\"#method\">Method and "
		"limitations</a> · <a href=\"#appendix\">Appendix</a></nav>\n</header>\n");
	write_store_state(&r);
	write_answer(&r, options, &parts);
	write_run_metadata(&r, options);
	write_evidence(&r);
	if (!parts.count)
		write_host_body(&r);
	for (size_t i = 0; i < parts.count && !r.failed; i++) {
		char anchor[32] = "host-none";
		if (parts.parts[i].id > 0)
			snprintf(anchor, sizeof anchor, "host-%" PRId64, parts.parts[i].id);
		putf(&r, "<section class=\"host-part\" id=\"%s\">\n<h2>Host <span class=\"mono\">",
		     anchor);
		esc(&r, parts.parts[i].name);
		put(&r, "</span></h2>\n<p>Its host facts, then its sessions, each rebuilt from this "
			"host's own files alone (see Hosts on page one).</p>\n");
		if (host_part_enter(&r, &parts.parts[i]) != 0)
			break;
		write_host_body(&r);
		host_part_leave(&r);
		put(&r, "</section>\n");
	}
	host_scope_parts_free(&parts);
	write_attack(&r);
	write_method(&r);
	write_appendix(&r);
	free(r.case_name);
	free(r.examiner);
	put(&r, "<footer class=\"small muted\">End of report. Everything outside the run-metadata "
		"block is a function of the case store alone.</footer>\n</body>\n</html>\n");
	return r.failed || ferror(out) ? -1 : 0;
}
