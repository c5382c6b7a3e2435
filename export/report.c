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
 * Escaping: every string from the store goes through html_escape, which also replaces bytes that
 * are not UTF-8 and control characters, and shows bidirectional overrides as "<U+202E>" so a
 * hostile name cannot reorder what the reader sees.
 */
#include "report.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attack.h"
#include "session_text.h"
#include "correlate/rules.h"
#include "evidence.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "version.h"

/* ---- the style sheet ---------------------------------------------------------------------- */

/* Screen and print. Print: A4, each session from a new page, table headers repeated, rows not
 * split, long hashes and paths wrapped anywhere. */
static const char REPORT_CSS[] =
	":root{--ink:#1b1f24;--muted:#5b6470;--line:#d0d7de;--bg2:#f6f8fa;--mal:#b42318;"
	"--sus:#b54708;--ok:#1a7f37;--acc:#0b5cad}\n"
	"*{box-sizing:border-box}\n"
	"body{font:13px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;color:var(--ink);"
	"margin:0 auto;max-width:1180px;padding:16px 24px}\n"
	"h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid var(--ink);"
	"padding-bottom:3px;margin:28px 0 10px}h3{font-size:15px;margin:18px 0 6px}"
	"h4{font-size:13px;margin:12px 0 4px}\n"
	"p{margin:6px 0}.muted{color:var(--muted)}.small{font-size:11px}\n"
	"a{color:var(--acc);text-decoration:none}a:hover{text-decoration:underline}\n"
	"code,pre,.mono{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:11.5px}\n"
	".hash,.guid{word-break:break-all}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 10px}\n"
	"th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;"
	"overflow-wrap:break-word}\n"
	".nw{white-space:nowrap;overflow-wrap:normal}.path{word-break:break-all}\n"
	"table.fixed{table-layout:fixed}table.fixed td,table.loose td{overflow-wrap:anywhere}\n"
	"th{background:var(--bg2);font-weight:600}\n"
	"thead{display:table-header-group}tr{break-inside:avoid}\n"
	"td.num,th.num{text-align:right;white-space:nowrap}\n"
	"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}"
	"dl.kv dt{font-weight:600;color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}\n"
	"#run-metadata{border:1px solid var(--line);background:var(--bg2);padding:8px 12px;"
	"margin:10px 0}\n"
	"#run-metadata>h2{border:0;margin:0 0 4px;font-size:14px}\n"
	".verdict{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-weight:600;"
	"white-space:nowrap}\n"
	".v-malicious{background:var(--mal)}.v-suspicious{background:var(--sus)}"
	".v-benign-looking{background:var(--ok)}.v-other{background:var(--muted)}\n"
	".role{display:inline-block;min-width:64px;font-weight:600;color:var(--muted)}\n"
	".session{break-before:page;page-break-before:always}\n"
	".session>h2{border-color:var(--acc)}\n"
	".graph{border:1px solid var(--line);margin:6px 0;background:#fff}\n"
	".graph svg{display:block;width:100%;height:auto}\n"
	".gap{border-left:4px solid var(--sus);padding:2px 8px;margin:4px 0;background:#fffaf0}\n"
	".limit{border-left:4px solid var(--muted);padding:2px 8px;margin:4px 0;background:var(--bg2)}\n"
	".matrix{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}\n"
	".tactic{border:1px solid var(--line)}.tactic>h4{margin:0;padding:4px 6px;"
	"background:var(--ink);color:#fff;font-size:12px}\n"
	".tech{margin:5px;padding:4px 6px;border:1px solid var(--line);font-size:11.5px}\n"
	".tech.seen{border-color:var(--mal);background:#fdecea}.tech.unseen{color:var(--muted)}\n"
	".appendix pre{white-space:pre-wrap;word-break:break-all;background:var(--bg2);"
	"border:1px solid var(--line);padding:6px;margin:2px 0 10px}\n"
	".record{break-inside:avoid}\n"
	".record h4{font-weight:600}h2,h3,h4,p,li,dd{overflow-wrap:anywhere}\n"
	"footer{margin-top:30px;border-top:1px solid var(--line);padding-top:6px}\n"
	"@page{size:A4;margin:14mm 12mm}\n"
	"@media print{body{max-width:none;padding:0;font-size:10.5px}a{color:inherit}"
	"h2{break-after:avoid}h3,h4{break-after:avoid}.appendix{break-before:page}"
	".graph{break-inside:avoid}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".tech.seen,.tactic>h4,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	/* On paper nothing may run past its cell or the page: no unbreakable runs. */
	".nw,td.num,th.num{white-space:normal;overflow-wrap:anywhere}"
	".verdict{white-space:normal;padding:0 4px}"
	"pre,code,.mono{overflow-wrap:anywhere}svg{max-width:100%}"
	".answer,dl.kv,.gap,.limit,.tactic{break-inside:avoid}}\n";


/* ---- output helpers ------------------------------------------------------------------------ */

struct report {
	struct store *store;
	FILE *out;
	int failed; /* a query failed */
	/* Who and what the report is about: the options' case name and examiner, else the latest
	 * ones a run recorded; the report id names the evidence set (see case_identity). */
	char *case_name, *examiner;
	char report_id[20];
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

/* Length of the valid UTF-8 sequence at S (1-4) and its code point, or 0 if it is not one. */
static size_t utf8_sequence(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, c &= 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Code points shown as "<U+XXXX>" instead of being rendered: C1 controls and the bidirectional
 * formatting characters that could make a name read differently from what it is. */
static int shown_as_code(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Appends TEXT (LENGTH bytes) HTML-escaped to SB; safe in element content and in quoted
 * attribute values. */
static void html_escape_into(struct strbuf *sb, const char *text, size_t length)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + length;

	while (s < end) {
		uint32_t cp = 0;
		size_t n = (size_t)(end - s) >= 4 ? utf8_sequence(s, &cp) : 0;

		if (!n && (size_t)(end - s) < 4) { /* near the end: check against a padded copy */
			unsigned char tail[5] = {0};
			memcpy(tail, s, (size_t)(end - s));
			n = utf8_sequence(tail, &cp);
			if (n > (size_t)(end - s))
				n = 0;
		}
		if (!n) {
			strbuf_append_str(sb, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
			s++;
			continue;
		}
		switch (cp) {
		case ':':
			/* "http:" and "https:" in evidence keep their look but not their bytes, so the
			 * file holds no URL a reader (or a grep) could take for an external asset */
			if (((const char *)s - text >= 4 && !strncasecmp((const char *)s - 4, "http", 4)) ||
			    ((const char *)s - text >= 5 && !strncasecmp((const char *)s - 5, "https", 5)))
				strbuf_append_str(sb, "&#58;");
			else
				strbuf_append_char(sb, ':');
			break;
		case '&': strbuf_append_str(sb, "&amp;"); break;
		case '<': strbuf_append_str(sb, "&lt;"); break;
		case '>': strbuf_append_str(sb, "&gt;"); break;
		case '"': strbuf_append_str(sb, "&quot;"); break;
		case '\'': strbuf_append_str(sb, "&#39;"); break;
		case '\t':
		case '\n': strbuf_append_char(sb, (char)cp); break;
		case '\r': break;
		default:
			if (cp < 0x20 || cp == 0x7F)
				strbuf_append_str(sb, "\xEF\xBF\xBD");
			else if (shown_as_code(cp))
				strbuf_printf(sb, "&lt;U+%04" PRIX32 "&gt;", cp);
			else
				strbuf_append(sb, (const char *)s, n);
		}
		s += n;
	}
}

/* Writes TEXT escaped; NULL writes DEFAULT_TEXT (plain markup-free text, not escaped). */
static void esc_or(struct report *r, const char *text, const char *default_text)
{
	struct strbuf sb = STRBUF_INIT;

	if (!text) {
		put(r, default_text);
		return;
	}
	html_escape_into(&sb, text, strlen(text));
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
	html_escape_into(&sb, iso, (size_t)(t + 1 - iso));
	strbuf_append_str(&sb, "<wbr>");
	html_escape_into(&sb, t + 1, strlen(t + 1));
	put(r, strbuf_text(&sb));
	strbuf_free(&sb);
}

/* FILETIME given as decimal text (a store column) or NULL/0 -> ISO text or "unknown". */
static void put_time_text(struct report *r, const char *filetime_text)
{
	uint64_t t = filetime_text ? strtoull(filetime_text, NULL, 10) : 0;
	char iso[40];

	if (!t) {
		put(r, "<span class=\"muted\">unknown</span>");
		return;
	}
	filetime_format_iso(t, iso, sizeof iso);
	put_iso(r, iso);
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
static void put_citation(struct report *r, const char *table, long long id, const char *anchor)
{
	struct strbuf label = STRBUF_INIT;
	char sql[160];

	snprintf(sql, sizeof sql, "SELECT label FROM v_citation WHERE tbl = '%s' AND row_id = %lld",
		 table, id);
	query(r, sql, text_row, &label);
	if (anchor)
		putf(r, "<a href=\"#%s-%lld\">", anchor, id);
	esc_or(r, label.length ? strbuf_text(&label) : NULL, "(a row no longer in the store)");
	if (anchor)
		put(r, "</a>");
	strbuf_free(&label);
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
	      "SELECT (SELECT case_name FROM run WHERE case_name IS NOT NULL ORDER BY id DESC LIMIT "
	      "1), (SELECT examiner FROM run WHERE examiner IS NOT NULL ORDER BY id DESC LIMIT 1)",
	      identity_row, r);
	query(r, "SELECT sha256 FROM evidence ORDER BY sha256", hash_list_row, &hashes);
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
	      "SELECT id, started, finished, tool_version, command_line, libraries FROM run ORDER "
	      "BY id",
	      run_history_row, r);
	put(r, "</tbody></table>\n");
	{
		long long outputs = 0;
		query(r, "SELECT count(*) FROM outputs WHERE run_id = (SELECT max(run_id) FROM outputs)",
		      count_row, &outputs);
		if (outputs) {
			put(r, "<h3>Outputs of the last analyze run</h3>\n<p class=\"small\">Hashed "
			       "when written and kept in the case store; <code>sandtrace verify "
			       "--outputs</code> checks them and the manifest.</p>\n<table class=\"loose\">"
			       "<thead><tr><th>file</th><th>SHA-256</th><th class=\"num\">bytes</th>"
			       "</tr></thead><tbody>\n");
			query(r,
			      "SELECT name, sha256, size FROM outputs WHERE run_id = (SELECT max(run_id) "
			      "FROM outputs) ORDER BY name",
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
			html_escape_into(&sb, p, n);
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
	      "SELECT e.sha256, e.md5, e.sha1, e.size, e.kind, e.status, e.records_read, "
	      "e.records_recovered, e.records_failed, (SELECT group_concat(path, char(10)) FROM "
	      "(SELECT path || coalesce(' [on the host: ' || windows_path || ']', '') AS path "
	      "FROM evidence_paths p WHERE p.evidence_id = e.id ORDER BY path)), "
	      "e.status_reason "
	      "FROM evidence e ORDER BY (SELECT min(path) FROM evidence_paths p WHERE "
	      "p.evidence_id = e.id), e.sha256",
	      evidence_row, r);
	put(r, "</tbody></table>\n</section>\n");
}

/* ---- host facts ----------------------------------------------------------------------------- */

/* facts.basis: "reg_values:12,13" (or '' for a fact that rests on an absence). */
static void put_fact_basis(struct report *r, const char *basis)
{
	const char *prefix = "reg_values:";
	size_t n = strlen(prefix);

	if (!basis || !*basis) {
		put(r, "<span class=\"muted\">absence of a value</span>");
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
		put_citation(r, "reg_values", id, "reg");
		first = 0;
		p = end;
		if (*p == ',')
			p++;
	}
}

static int fact_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct report *r = context;
	(void)columns;
	(void)names;
	/* v: id, kind, subject, value, detail, basis, confidence, section, time, sha256 */
	put(r, "<tr id=\"fact-");
	esc(r, v[0]);
	put(r, "\"><td>");
	esc(r, v[1]);
	put(r, "</td><td>");
	esc(r, v[2]);
	put(r, "</td><td><b>");
	esc(r, v[3]);
	put(r, "</b></td><td>");
	esc(r, v[4]);
	if (v[8] && strcmp(v[8], "0")) {
		put(r, "<br><span class=\"small muted\">key last written ");
		put_time_text(r, v[8]);
		put(r, "</span>");
	}
	put(r, "</td><td class=\"small\">");
	put_fact_basis(r, v[5]);
	if (v[9]) {
		put(r, "<br>");
		put_evidence_link(r, v[9]);
	}
	put(r, "</td><td>");
	esc(r, v[6]);
	put(r, "</td><td>");
	esc(r, v[7]);
	put(r, "</td></tr>\n");
	return 0;
}

static void write_facts(struct report *r)
{
	long long not_recorded = -1, coverage = -1;

	put(r, "<section id=\"host-facts\">\n<h2>Host facts</h2>\n"
	       "<p>What the registry hives say about the host: whether the Windows Sandbox feature was "
	       "enabled, the sandbox policies, the audit policy and which events it lets Windows "
	       "record, services and the computer name. Each fact names the registry rows it rests on "
	       "(listed in the appendix) and the METHOD.md section its reading follows.</p>\n");
	query(r, "SELECT count(*) FROM facts WHERE kind = 'audit_coverage'", count_row, &coverage);
	query(r,
	      "SELECT count(*) FROM facts WHERE kind = 'audit_coverage' AND value != 'recorded'",
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
	put(r, "<table class=\"fixed\"><colgroup><col style=\"width:11%\"><col style=\"width:15%\">"
	       "<col style=\"width:10%\"><col style=\"width:39%\"><col style=\"width:13%\">"
	       "<col style=\"width:7%\"><col style=\"width:5%\"></colgroup>"
	       "<thead><tr><th>kind</th><th>subject</th><th>value</th><th>detail</th>"
	       "<th>basis</th><th>confidence</th><th>§</th></tr></thead><tbody>\n");
	query(r,
	      "SELECT f.id, f.kind, f.subject, f.value, f.detail, f.basis, f.confidence, f.section, "
	      "f.time, v.sha256 FROM facts f LEFT JOIN evidence v ON v.id = f.evidence_id ORDER BY "
	      "CASE f.kind WHEN 'feature_state' THEN 0 WHEN 'sandbox_policy' THEN 1 WHEN "
	      "'audit_coverage' THEN 2 WHEN 'cmdline_audit' THEN 3 WHEN 'audit_policy' THEN 4 WHEN "
	      "'task_cache' THEN 5 WHEN 'service' THEN 6 WHEN 'host' THEN 7 ELSE 8 END, f.kind, f.id",
	      fact_row, r);
	put(r, "</tbody></table>\n</section>\n");
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
};

static const char *const SESSION_SOURCES[3][2] = {
	{"Microsoft-Windows-Security-Auditing", "Security-Auditing"},
	{"Microsoft-Windows-Hyper-V-Compute", "Hyper-V-Compute"},
	{"Microsoft-Windows-Hyper-V-Worker", "Hyper-V-Worker"},
};

static int source_period_row(void *context, int columns, const char *const *names,
			     const char *const *v)
{
	struct strbuf *text = context;
	char first[40], last[40];
	(void)columns;
	(void)names;
	if (!v[0] || !v[1])
		return 0;
	filetime_format_iso(strtoull(v[0], NULL, 10), first, sizeof first);
	filetime_format_iso(strtoull(v[1], NULL, 10), last, sizeof last);
	strbuf_printf(text, ", stored records from %s to %s", first, last);
	return 0;
}

/* A negative result qualified by what was there: "no session" over logs that could not show one
 * is not a finding (issue: an empty collection once read "No sandbox session was found"). */
static void write_no_session(struct report *r)
{
	struct session_sources sources = {0, {0, 0, 0}, STRBUF_INIT};
	long long any = 0;

	query(r, "SELECT count(*) FROM evidence", count_row, &sources.files);
	for (int i = 0; i < 3; i++) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(sum(seen), 0) FROM event_counts WHERE provider = '%s'",
			 SESSION_SOURCES[i][0]);
		query(r, sql, count_row, &sources.seen[i]);
		any += sources.seen[i];
		strbuf_printf(&sources.text, "%s%s: %lld record%s", i ? "; " : "",
			      SESSION_SOURCES[i][1], sources.seen[i], sources.seen[i] == 1 ? "" : "s");
		snprintf(sql, sizeof sql,
			 "SELECT min(time), max(time) FROM events WHERE provider = '%s' AND time > 0",
			 SESSION_SOURCES[i][0]);
		if (sources.seen[i])
			query(r, sql, source_period_row, &sources.text);
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
	"SELECT v.id, json_extract(v.json, '$.vm_id'), s.start, s.end, s.end_inferred, s.verdict, "
	"s.score, s.confidence, s.trigger_kind, s.trigger_task, s.trigger_user, s.launcher_image, "
	"s.launcher_command_line, json_extract(v.json, '$.wsb.path'), "
	"json_extract(v.json, '$.wsb.networking'), json_extract(v.json, '$.wsb.logon_command'), "
	"coalesce((SELECT group_concat(json_extract(f.value, '$.host') || CASE WHEN "
	"json_extract(f.value, '$.read_only') THEN ' (read-only)' ELSE ' (writable)' END, '; ') FROM "
	"json_each(v.json, '$.wsb.mapped_folders') f), (SELECT group_concat(json_extract(h.value, "
	"'$.host_path') || CASE json_extract(h.value, '$.read_only') WHEN 1 THEN ' (read-only)' WHEN "
	"0 THEN ' (writable)' ELSE '' END, '; ') FROM json_each(v.json, '$.shares') h WHERE NOT "
	"json_extract(h.value, '$.internal'))), "
	"(SELECT count(*) FROM json_each(v.json, '$.commands')), "
	"json_extract(v.json, '$.commands[0].command_line'), "
	"(SELECT count(*) FROM json_each(v.json, '$.network') n WHERE json_extract(n.value, "
	"'$.event') = 'nic-connected'), "
	"(SELECT group_concat(t, '; ') FROM (SELECT lower(substr(json_extract(f.value, '$.title'), "
	"1, 1)) || substr(json_extract(f.value, '$.title'), 2) AS t FROM json_each(v.json, "
	"'$.findings') f ORDER BY json_extract(f.value, '$.score') DESC, f.key LIMIT 3)), "
	"(SELECT e.sha256 FROM wsb_configs c JOIN evidence e ON e.id = c.evidence_id WHERE c.id = "
	"s.wsb_config_id AND c.source = 'file') "
	"FROM v_session_json v JOIN sessions s ON s.id = v.id ORDER BY v.id";

/* Page one: who, what was asked, the answer per session, its key indicators, and what the
 * collection could not show. Everything after it is the basis. */
static void write_answer(struct report *r)
{
	long long sessions = 0;

	put(r, "<section id=\"answer\">\n<dl class=\"kv\"><dt>Case</dt><dd>");
	esc_or(r, r->case_name, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd><dt>Examiner</dt><dd>");
	esc_or(r, r->examiner, "<span class=\"muted\">(not given)</span>");
	put(r, "</dd><dt>Report id</dt><dd><span class=\"mono\">");
	esc(r, r->report_id);
	put(r, "</span> <span class=\"muted small\">(from the SHA-256s of the evidence: the same evidence "
	       "gives the same id)</span></dd><dt>Question</dt><dd>Did a Windows Sandbox run on this "
	       "host; if so, what started it, with what configuration, which host folders could it "
	       "reach, what did the host pass into it, and is it malicious?</dd></dl>\n"
	       "<h2>Result</h2>\n");
	query(r, "SELECT count(*) FROM sessions", count_row, &sessions);
	if (!sessions)
		write_no_session(r);
	else
		putf(r, "<p>%lld Windows Sandbox session%s rebuilt from host evidence; each is told "
			"below in a few sentences, then step by step with its evidence on its own "
			"page.</p>\n", sessions, sessions == 1 ? " was" : "s were");
	query(r, ANSWER_SQL, answer_row, r);
	put(r, "<h3>What the collection could not show</h3>\n<ul class=\"small\">\n");
	query(r,
	      "SELECT DISTINCT j.value FROM sessions s, json_each(CASE WHEN json_valid(s.missing) "
	      "THEN s.missing ELSE '[]' END) j WHERE j.value NOT LIKE 'inside the VM:%' ORDER BY 1",
	      gap_row, r);
	query(r,
	      "SELECT subject || ': ' || detail FROM facts WHERE kind = 'audit_coverage' AND "
	      "value != 'recorded' ORDER BY id",
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
	static const char UNLINKED[] =
		"FROM wsb_configs c JOIN evidence v ON v.id = c.evidence_id WHERE EXISTS (SELECT 1 "
		"FROM wsb_risks k WHERE k.config_id = c.id) AND c.id NOT IN (SELECT wsb_config_id FROM "
		"sessions WHERE wsb_config_id IS NOT NULL) AND c.id NOT IN (SELECT row_id FROM "
		"session_events WHERE source_table = 'wsb_configs')";
	long long count = 0;
	char sql[1024];

	snprintf(sql, sizeof sql, "SELECT count(*) %s", UNLINKED);
	query(r, sql, count_row, &count);
	if (!count)
		return;
	putf(r, "<h3>Configurations with risky settings that no session links</h3>\n<p>%lld sandbox "
		"configuration%s on the host %s no session: prepared and not used, or used by a run "
		"whose records are gone. Each risk is read from the file itself (METHOD.md §5.1).</p>\n"
		"<table class=\"loose\"><thead><tr><th>configuration</th><th>risks</th>"
		"<th>evidence</th></tr></thead><tbody>\n",
	     count, count == 1 ? "" : "s", count == 1 ? "is linked to" : "are linked to");
	snprintf(sql, sizeof sql,
		 "SELECT c.location, (SELECT group_concat(k, char(10)) FROM (SELECT risk_id || ' (' "
		 "|| severity || '): ' || reason AS k FROM wsb_risks WHERE config_id = c.id ORDER BY "
		 "risk_id, coalesce(folder_position, -1))), v.sha256 AS sha_evidence %s ORDER BY "
		 "c.location",
		 UNLINKED);
	query(r, sql, plain_row, r);
	put(r, "</tbody></table>\n");
}

static void write_summary(struct report *r)
{
	long long sessions = 0;

	put(r, "<section id=\"summary\">\n<h2>Summary of sessions</h2>\n");
	query(r, "SELECT count(*) FROM sessions", count_row, &sessions);
	putf(r, "<p>%lld Windows Sandbox session%s rebuilt from host evidence.", sessions,
	     sessions == 1 ? "" : "s");
	query(r, "SELECT verdict, count(*) FROM sessions GROUP BY verdict ORDER BY verdict",
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
	      "trigger_user, verdict, score, confidence FROM sessions ORDER BY id",
	      summary_row, r);
	put(r, "</tbody></table>\n");
	if (!sessions)
		write_no_session(r);
	write_unlinked_configurations(r);
	put(r, "</section>\n");
}

/* ---- one session: narrative ----------------------------------------------------------------- */

/* The sentence for one linked row, from its role and the detail the correlator stored (the same
 * reading as `sandtrace show`). Raw text: escaped when written. */
static void describe_step(const struct store_session_step *step, struct strbuf *sb)
{
	char *a = NULL, *b = NULL, *c = NULL;
	const char *d = step->detail_json ? step->detail_json : "{}";
	const char *role = step->role ? step->role : "";

	if (!strcmp(role, "share")) {
		a = json_object_get(d, "host_path", 0);
		b = json_object_get(d, "read_only", 0);
		c = json_object_get(d, "internal", 0);
		strbuf_printf(sb, "host folder %s shared into the VM (%s%s)", a ? a : "?",
			      b ? (!strcmp(b, "true") ? "read-only per the configuration"
						    : "writable per the configuration")
				: "writability not established: ShareFlags are not decoded",
			      c && !strcmp(c, "true") ? "; the sandbox's own system share" : "");
	} else if (!strcmp(role, "command")) {
		a = json_object_get(d, "command_line", 0);
		b = json_object_get(d, "user", 0);
		strbuf_printf(sb, "the host ran \"%s\" in the VM as %s", a ? a : "?", b ? b : "?");
	} else if (!strcmp(role, "network")) {
		a = json_object_get(d, "event", 0);
		b = json_object_get(d, "nic", 0);
		strbuf_printf(sb, "VM network adapter %s (%s)",
			      a && !strcmp(a, "nic-connected") ? "connected" : "disconnected",
			      b ? b : "?");
	} else if (!strcmp(role, "launch")) {
		a = json_object_get(d, "image", 0);
		b = json_object_get(d, "pid", 0);
		c = json_object_get(d, "command_line", 0);
		strbuf_printf(sb, "launcher %s (pid %s) started: %s", a ? a : "?", b ? b : "?",
			      c ? c : "(no command line recorded)");
	} else if (!strcmp(role, "trigger")) {
		strbuf_append_str(sb, step->source_table && !strcmp(step->source_table, "tasks")
					      ? "task definition that starts the sandbox"
					      : "scheduled task run that created the launcher");
	} else if (!strcmp(role, "config")) {
		strbuf_append_str(sb, "the sandbox configuration used");
	} else {
		a = json_object_get(d, "what", 0);
		strbuf_printf(sb, "%s", a ? a : "record");
	}
	free(a);
	free(b);
	free(c);
}

struct step_state {
	struct report *r;
	int count;
};

static int narrative_step(void *context, const struct store_session_step *step)
{
	struct step_state *state = context;
	struct report *r = state->r;
	struct strbuf text = STRBUF_INIT;
	char when[40];
	const char *table = step->source_table ? step->source_table : "";

	put(r, "<tr><td class=\"num\">");
	putf(r, "%d", ++state->count);
	put(r, "</td><td class=\"mono small\">");
	if (step->time) {
		filetime_format_iso(step->time, when, sizeof when);
		put_iso(r, when);
	} else {
		put(r, "<span class=\"muted\">(no time)</span>");
	}
	put(r, "</td><td><span class=\"role\">");
	esc(r, step->role);
	put(r, "</span> ");
	describe_step(step, &text);
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

/* ---- one session: behaviour graph ----------------------------------------------------------- */

struct graph_node {
	struct strbuf title, line1, line2; /* raw text; escaped on output */
	char href[40];                     /* "#rec-12" or "" */
	const char *cls;                   /* fill class */
};

enum { GRAPH_MAX_LEAVES = 14 };

struct graph {
	struct graph_node trigger, launcher, vm;
	struct graph_node leaves[GRAPH_MAX_LEAVES];
	int leaf_count, leaves_dropped, system_shares;
	int64_t system_share_row;
	int64_t trigger_row, launch_row;
	const char *trigger_table;
	char trigger_table_buf[16];
};

static void node_free(struct graph_node *n)
{
	strbuf_free(&n->title);
	strbuf_free(&n->line1);
	strbuf_free(&n->line2);
}

/* Appends TEXT cut to at most MAX code points, middle part elided (paths keep both ends). */
static void append_fitted(struct strbuf *sb, const char *text, size_t max)
{
	size_t points = 0, len = strlen(text);

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			points++;
	if (points <= max) {
		strbuf_append_str(sb, text);
		return;
	}
	size_t head = (max - 1) / 2, tail = max - 1 - head, seen = 0, i = 0;
	for (; i < len; i++) { /* the first HEAD code points */
		if (((unsigned char)text[i] & 0xC0) != 0x80 && seen++ == head)
			break;
	}
	strbuf_append(sb, text, i);
	strbuf_append_str(sb, "…");
	size_t skip = points - tail;
	for (seen = 0, i = 0; i < len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80 && seen++ == skip)
			break;
	strbuf_append_str(sb, text + i);
}

static int graph_session_row(void *context, int columns, const char *const *names,
			     const char *const *v)
{
	struct graph *g = context;
	(void)columns;
	(void)names;
	/* v: vm_guid, trigger_kind, trigger_task, trigger_user, launcher_image, launcher_pid,
	 *    launcher_command_line, wsb_path, kind */
	const char *trigger_kind = v[1] ? v[1] : "unknown";
	strbuf_printf(&g->trigger.title, "trigger: %s", trigger_kind);
	if (!strcmp(trigger_kind, "task")) {
		strbuf_append_str(&g->trigger.line1, "scheduled task");
		append_fitted(&g->trigger.line2, v[2] ? v[2] : "?", 27);
		g->trigger.cls = "n-bad";
	} else if (!strcmp(trigger_kind, "user")) {
		strbuf_append_str(&g->trigger.line1, "interactive user");
		append_fitted(&g->trigger.line2, v[3] ? v[3] : "?", 27);
		g->trigger.cls = "n-plain";
	} else {
		strbuf_append_str(&g->trigger.line1, "not established");
		g->trigger.cls = "n-unknown";
	}
	if (v[2] || v[3])
		strbuf_printf(&g->trigger.title, " %s", v[2] ? v[2] : v[3]);

	strbuf_printf(&g->launcher.title, "launcher %s pid %s; command line %s; configuration %s",
		      v[4] ? v[4] : "?", v[5] ? v[5] : "?", v[6] ? v[6] : "?", v[7] ? v[7] : "none");
	if (v[4]) {
		const char *base = strrchr(v[4], '\\');
		append_fitted(&g->launcher.line1, base ? base + 1 : v[4], 24);
		g->launcher.cls = "n-plain";
	} else {
		strbuf_append_str(&g->launcher.line1, "launcher not established");
		g->launcher.cls = "n-unknown";
	}
	if (v[7])
		append_fitted(&g->launcher.line2, v[7], 27);
	else
		strbuf_printf(&g->launcher.line2, "pid %s", v[5] ? v[5] : "?");

	strbuf_printf(&g->vm.title, "Windows Sandbox VM %s (%s)", v[0] ? v[0] : "?",
		      v[8] ? v[8] : "?");
	strbuf_append_str(&g->vm.line1, "Windows Sandbox VM");
	append_fitted(&g->vm.line2, v[0] ? v[0] : "?", 36);
	g->vm.cls = "n-vm";
	return 0;
}

static int graph_link_row(void *context, int columns, const char *const *names,
			  const char *const *v)
{
	struct graph *g = context;
	(void)columns;
	(void)names;
	/* v: role, source_table, row_id (first row per role wins: the query orders them) */
	int64_t row = v[2] ? strtoll(v[2], NULL, 10) : 0;
	if (!strcmp(v[0], "trigger") && !g->trigger_row) {
		g->trigger_row = row;
		snprintf(g->trigger_table_buf, sizeof g->trigger_table_buf, "%s", v[1] ? v[1] : "");
		g->trigger_table = g->trigger_table_buf;
	} else if (!strcmp(v[0], "launch") && !g->launch_row) {
		g->launch_row = row;
	}
	return 0;
}

static int graph_leaf_row(void *context, int columns, const char *const *names,
			  const char *const *v)
{
	struct graph *g = context;
	(void)columns;
	(void)names;
	/* v: role, row_id, command_line, user, host_path, read_only, internal, event */
	const char *role = v[0];
	int64_t row = v[1] ? strtoll(v[1], NULL, 10) : 0;

	if (!strcmp(role, "share") && v[6] && !strcmp(v[6], "true")) {
		if (!g->system_shares++)
			g->system_share_row = row;
		return 0;
	}
	if (g->leaf_count == GRAPH_MAX_LEAVES) {
		g->leaves_dropped++;
		return 0;
	}
	struct graph_node *n = &g->leaves[g->leaf_count++];
	snprintf(n->href, sizeof n->href, "#rec-%" PRId64, row);
	if (!strcmp(role, "command")) {
		strbuf_printf(&n->line1, "command as %s", v[3] ? v[3] : "?");
		append_fitted(&n->line2, v[2] ? v[2] : "?", 38);
		strbuf_printf(&n->title, "the host ran %s in the VM as %s", v[2] ? v[2] : "?",
			      v[3] ? v[3] : "?");
		n->cls = "n-bad";
	} else if (!strcmp(role, "share")) {
		int writable = v[5] && !strcmp(v[5], "false");
		strbuf_printf(&n->line1, "host folder shared (%s)",
			      writable ? "writable" : v[5] ? "read-only" : "writability unknown");
		append_fitted(&n->line2, v[4] ? v[4] : "?", 38);
		strbuf_printf(&n->title, "host folder %s shared into the VM", v[4] ? v[4] : "?");
		n->cls = writable ? "n-warn" : "n-plain";
	} else {
		int connected = v[7] && !strcmp(v[7], "nic-connected");
		strbuf_printf(&n->line1, "network adapter %s", connected ? "connected" : "disconnected");
		strbuf_append_str(&n->line2, "Hyper-V-VmSwitch");
		strbuf_printf(&n->title, "VM network adapter %s",
			      connected ? "connected" : "disconnected");
		n->cls = "n-net";
	}
	return 0;
}

static void svg_text(struct report *r, int x, int y, const char *cls, const char *text)
{
	putf(r, "<text x=\"%d\" y=\"%d\" class=\"%s\">", x, y, cls);
	esc(r, text);
	put(r, "</text>");
}

static void svg_node(struct report *r, const struct graph_node *n, int x, int y, int w, int h)
{
	const int link = n->href[0] != '\0';
	if (link) {
		put(r, "<a href=\"");
		esc(r, n->href);
		put(r, "\">");
	}
	put(r, "<g><title>");
	esc(r, strbuf_text(&n->title));
	putf(r, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"5\" class=\"%s\"/>",
	     x, y, w, h, n->cls ? n->cls : "n-plain");
	if (strbuf_text(&n->line2)[0]) {
		svg_text(r, x + 8, y + h / 2 - 3, "t1", strbuf_text(&n->line1));
		svg_text(r, x + 8, y + h / 2 + 12, "t2", strbuf_text(&n->line2));
	} else {
		svg_text(r, x + 8, y + h / 2 + 4, "t1", strbuf_text(&n->line1));
	}
	put(r, "</g>");
	if (link)
		put(r, "</a>");
	put(r, "\n");
}

static void svg_arrow(struct report *r, int64_t session_id, int x1, int y1, int x2, int y2)
{
	int mid = (x1 + x2) / 2;
	putf(r, "<path d=\"M%d %d C%d %d %d %d %d %d\" class=\"edge\" "
		"marker-end=\"url(#arrow-%" PRId64 ")\"/>\n",
	     x1, y1, mid, y1, mid, y2, x2 - 2, y2, session_id);
}

static void write_graph(struct report *r, int64_t session_id)
{
	struct graph g;
	char sql[1024];
	enum { COL_W = 200, VM_W = 260, LEAF_W = 290, NODE_H = 60, LEAF_H = 44, LEAF_GAP = 10, TOP = 30 };
	const int xs[4] = {10, 245, 480, 780};

	memset(&g, 0, sizeof g);
	snprintf(sql, sizeof sql,
		 "SELECT vm_guid, trigger_kind, trigger_task, trigger_user, launcher_image, "
		 "launcher_pid, launcher_command_line, wsb_path, kind FROM sessions WHERE id = %" PRId64,
		 session_id);
	query(r, sql, graph_session_row, &g);
	snprintf(sql, sizeof sql,
		 "SELECT role, source_table, row_id FROM session_events WHERE session_id = %" PRId64
		 " AND role IN ('trigger', 'launch') ORDER BY role, source_table = 'events', "
		 "time IS NULL, time, source_table, row_id",
		 session_id);
	query(r, sql, graph_link_row, &g);
	snprintf(sql, sizeof sql,
		 "SELECT role, row_id, json_extract(detail, '$.command_line'), json_extract(detail, "
		 "'$.user'), json_extract(detail, '$.host_path'), json_extract(detail, '$.read_only'), "
		 "json_extract(detail, '$.internal'), json_extract(detail, '$.event') FROM "
		 "session_events WHERE session_id = %" PRId64 " AND source_table = 'events' AND role "
		 "IN ('command', 'share', 'network') ORDER BY CASE role WHEN 'command' THEN 0 WHEN "
		 "'share' THEN 1 ELSE 2 END, time IS NULL, time, row_id",
		 session_id);
	query(r, sql, graph_leaf_row, &g);
	if (g.trigger_row && g.trigger_table)
		snprintf(g.trigger.href, sizeof g.trigger.href, "#%s-%" PRId64,
			 !strcmp(g.trigger_table, "tasks") ? "task" : "rec", g.trigger_row);
	if (g.launch_row)
		snprintf(g.launcher.href, sizeof g.launcher.href, "#rec-%" PRId64, g.launch_row);
	if (g.system_shares && g.leaf_count < GRAPH_MAX_LEAVES) {
		struct graph_node *n = &g.leaves[g.leaf_count++];
		strbuf_printf(&n->line1, "%d system share%s (base image)", g.system_shares,
			      g.system_shares == 1 ? "" : "s");
		strbuf_append_str(&n->line2, "read-only sandbox layers");
		strbuf_append_str(&n->title, "the sandbox's own base-image shares; context only");
		snprintf(n->href, sizeof n->href, "#rec-%" PRId64, g.system_share_row);
		n->cls = "n-sys";
	}
	if (g.leaves_dropped && g.leaf_count == GRAPH_MAX_LEAVES) {
		struct graph_node *n = &g.leaves[GRAPH_MAX_LEAVES - 1];
		node_free(n);
		memset(n, 0, sizeof *n);
		strbuf_printf(&n->line1, "+%d more (see the narrative)", g.leaves_dropped + 1);
		n->cls = "n-sys";
	}

	int leaves_h = g.leaf_count ? g.leaf_count * (LEAF_H + LEAF_GAP) - LEAF_GAP : 0;
	int body_h = leaves_h > NODE_H ? leaves_h : NODE_H;
	int height = TOP + body_h + 12, width = xs[3] + LEAF_W + 10;
	int main_y = TOP + (body_h - NODE_H) / 2, main_c = main_y + NODE_H / 2;

	putf(r, "<figure class=\"graph\"><svg viewBox=\"0 0 %d "
		"%d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"behaviour graph of session "
		"%" PRId64 "\">\n",
	     width, height, width, height, session_id);
	putf(r, "<defs><marker id=\"arrow-%" PRId64 "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
		"markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\" "
		"fill=\"#57606a\"/></marker></defs>\n",
	     session_id);
	put(r, "<style>.n-plain{fill:#f6f8fa;stroke:#57606a}.n-bad{fill:#fdecea;stroke:#b42318}"
	       ".n-warn{fill:#fff4e5;stroke:#b54708}.n-vm{fill:#e8f1fb;stroke:#0b5cad;stroke-width:2}"
	       ".n-net{fill:#eef6ee;stroke:#1a7f37}.n-sys{fill:#fff;stroke:#8c959f;"
	       "stroke-dasharray:4 3}.n-unknown{fill:#fff;stroke:#8c959f;stroke-dasharray:2 2}"
	       ".edge{fill:none;stroke:#57606a;stroke-width:1.5}"
	       ".t1{font:600 12px sans-serif;fill:#1b1f24}.t2{font:11px monospace;fill:#1b1f24}"
	       ".hd{font:600 11px sans-serif;fill:#5b6470}</style>\n");
	svg_text(r, xs[0], 16, "hd", "TRIGGER");
	svg_text(r, xs[1], 16, "hd", "LAUNCHER (host)");
	svg_text(r, xs[2], 16, "hd", "SANDBOX VM");
	svg_text(r, xs[3], 16, "hd", "COMMANDS / SHARES / NETWORK");
	put(r, "\n");
	svg_arrow(r, session_id, xs[0] + COL_W, main_c, xs[1], main_c);
	svg_arrow(r, session_id, xs[1] + COL_W, main_c, xs[2], main_c);
	for (int i = 0; i < g.leaf_count; i++) {
		int y = TOP + i * (LEAF_H + LEAF_GAP);
		svg_arrow(r, session_id, xs[2] + VM_W, main_c, xs[3], y + LEAF_H / 2);
	}
	svg_node(r, &g.trigger, xs[0], main_y, COL_W, NODE_H);
	svg_node(r, &g.launcher, xs[1], main_y, COL_W, NODE_H);
	svg_node(r, &g.vm, xs[2], main_y, VM_W, NODE_H);
	for (int i = 0; i < g.leaf_count; i++)
		svg_node(r, &g.leaves[i], xs[3], TOP + i * (LEAF_H + LEAF_GAP), LEAF_W, LEAF_H);
	if (!g.leaf_count)
		svg_text(r, xs[3], main_c + 4, "t2", "no command, share or network record");
	put(r, "</svg>\n<figcaption class=\"small muted\">Host-side records only. Boxes link to the "
	       "record in the appendix; a dashed box is a step the evidence does not establish or "
	       "the sandbox's own plumbing.</figcaption></figure>\n");

	node_free(&g.trigger);
	node_free(&g.launcher);
	node_free(&g.vm);
	for (int i = 0; i < GRAPH_MAX_LEAVES; i++)
		node_free(&g.leaves[i]);
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
	put(r, "</h2>\n<dl class=\"kv\">\n<dt>VM GUID</dt><dd class=\"mono\">");
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
		 "launcher_pid, launcher_command_line, wsb_path, wsb_config_id FROM sessions WHERE "
		 "id = %" PRId64,
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

	put(r, "<h3>Behaviour graph</h3>\n");
	write_graph(r, id);

	put(r, "<h3>Findings</h3>\n<table class=\"fixed\"><colgroup><col style=\"width:14%\">"
	       "<col style=\"width:20%\"><col style=\"width:5%\"><col style=\"width:9%\">"
	       "<col style=\"width:37%\"><col style=\"width:15%\"></colgroup>"
	       "<thead><tr><th>rule</th><th>finding</th>"
	       "<th class=\"num\">score</th><th>ATT&amp;CK</th><th>what matched (§)</th>"
	       "<th>basis</th></tr></thead><tbody>\n");
	snprintf(sql, sizeof sql,
		 "SELECT f.rule_id, f.title, f.score, f.attack, f.section, f.reason, (SELECT "
		 "group_concat(value, char(10)) FROM (SELECT j.value FROM json_each(CASE WHEN "
		 "json_valid(f.basis) THEN f.basis ELSE '[]' END) j ORDER BY j.key)) FROM findings f "
		 "WHERE f.session_id = %" PRId64 " ORDER BY f.rowid",
		 id);
	query(r, sql, finding_row, r);
	put(r, "</tbody></table>\n");

	put(r, "<h3>Gaps</h3>\n<ul>\n");
	snprintf(sql, sizeof sql,
		 "SELECT j.value FROM sessions s, json_each(CASE WHEN json_valid(s.missing) THEN "
		 "s.missing ELSE '[]' END) j WHERE s.id = %" PRId64 " ORDER BY j.key",
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
	query(r, "SELECT session_id, rule_id, attack FROM findings ORDER BY session_id, rowid",
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
	      "SELECT channel, provider, event_id AS n_id, sum(seen) AS n_seen, sum(stored) AS "
	      "n_stored, count(DISTINCT evidence_id) AS n_files FROM event_counts GROUP BY channel, "
	      "provider, event_id ORDER BY channel, provider, event_id",
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
	query(r, "SELECT count(*) FROM parse_errors", count_row, &errors);
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
		      "SELECT pe.path, count(*) AS n_times, pe.reason, min(pe.location), "
		      "v.sha256 AS sha_evidence FROM parse_errors pe LEFT JOIN evidence v ON v.id = "
		      "pe.evidence_id GROUP BY pe.path, pe.reason, v.sha256 ORDER BY pe.path, pe.reason",
		      plain_row, r);
		put(r, "</tbody></table>\n");
	}

	put(r, "<h3>Inputs not fully read</h3>\n");
	query(r, "SELECT count(*) FROM evidence WHERE status != 'parsed'", count_row, &not_parsed);
	query(r, "SELECT count(*) FROM evidence", count_row, &inputs);
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
		      "SELECT (SELECT min(path) FROM evidence_paths p WHERE p.evidence_id = e.id) AS "
		      "path, e.kind, e.status, e.records_failed AS n_failed, e.sha256 AS sha_evidence "
		      "FROM evidence e WHERE e.status != 'parsed' ORDER BY 1, e.sha256",
		      plain_row, r);
		put(r, "</tbody></table>\n");
	}

	put(r, "<h3>Other virtual machines excluded</h3>\n");
	query(r, "SELECT count(*) FROM other_vms", count_row, &others);
	if (!others) {
		put(r, "<p>No other virtual machine was seen.</p>\n");
	} else {
		put(r, "<p>VMs seen in the Hyper-V records that are not Windows Sandbox sessions "
		       "(classic Hyper-V VMs, containers, WSL). They are not reported as sessions; the "
		       "basis says why each was excluded (METHOD.md §6.6).</p>\n<table class=\"loose\"><thead><tr>"
		       "<th>VM GUID</th><th>kind</th><th>why excluded</th><th>first seen (UTC)</th>"
		       "<th>last seen (UTC)</th><th class=\"num\">records</th></tr></thead><tbody>\n");
		query(r,
		      "SELECT vm_guid, kind, kind_basis, first_seen AS t_first, last_seen AS t_last, "
		      "records AS n_records FROM other_vms ORDER BY vm_guid",
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
	esc_or(r, v[12], "(the record could not be rendered as XML)");
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
			put_fact_basis(r, v[i]);
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
	      "SELECT e.id, e.channel, e.provider, e.event_id, e.record_id, e.time, v.sha256, "
	      "e.chunk, e.offset, e.recovered, e.computer, (SELECT group_concat(session_id, ' ') "
	      "FROM (SELECT DISTINCT session_id FROM session_events se WHERE se.source_table = "
	      "'events' AND se.row_id = e.id ORDER BY session_id)), e.xml FROM events e JOIN "
	      "evidence v ON v.id = e.evidence_id WHERE e.id IN (SELECT row_id FROM session_events "
	      "WHERE source_table = 'events' UNION SELECT event_ref FROM tasks WHERE event_ref IS "
	      "NOT NULL UNION SELECT CAST(substr(j.value, 11) AS INTEGER) FROM findings f, "
	      "json_each(CASE WHEN json_valid(f.basis) THEN f.basis ELSE '[]' END) j WHERE j.value "
	      "LIKE 'events.id=%') ORDER BY e.time IS NULL, e.time, v.sha256, e.record_id, e.id",
	      appendix_event_row, r);

	put(r, "<h3>Scheduled tasks</h3>\n");
	query(r,
	      "SELECT t.id, v.sha256, t.uri, CASE WHEN t.event_ref IS NOT NULL THEN 'events.id=' || "
	      "t.event_ref END AS ref_event, t.source, CASE WHEN t.location NOT LIKE '%.id=%' THEN "
	      "t.location END AS location, t.author, t.description, "
	      "t.registration_date, t.principal_user, t.principal_group, t.principal_logon_type, "
	      "t.principal_run_level, t.enabled_raw, t.hidden, t.hidden_raw, t.sandbox_launcher, "
	      "t.launcher_reason, t.wsb_path, t.inline_config, t.security_descriptor, t.xml_sha256, "
	      "t.parse_problem, (SELECT group_concat(a, char(10)) FROM (SELECT position || ': ' || "
	      "type || coalesce(' ' || command, '') || coalesce(' ' || arguments, '') || "
	      "coalesce(' ' || class_id, '') AS a FROM task_actions WHERE task_id = t.id ORDER BY "
	      "position)) AS actions, (SELECT group_concat(g, char(10)) FROM (SELECT position || ': "
	      "' || type || coalesce(' start ' || start_boundary, '') || coalesce(' delay ' || "
	      "delay, '') || coalesce(' user ' || user_id, '') AS g FROM task_triggers WHERE "
	      "task_id = t.id ORDER BY position)) AS triggers, t.basis AS regs_basis FROM tasks t "
	      "JOIN evidence v "
	      "ON v.id = t.evidence_id ORDER BY t.id",
	      appendix_record_row, &tasks);

	put(r, "<h3>Sandbox configurations</h3>\n");
	query(r,
	      "SELECT c.id, v.sha256, c.location, c.source, c.well_formed, c.parse_problem, "
	      "c.memory_raw, c.logon_command, (SELECT group_concat(s, char(10)) FROM (SELECT name "
	      "|| ': ' || description AS s FROM wsb_settings WHERE config_id = c.id ORDER BY name)) "
	      "AS settings, (SELECT group_concat(f, char(10)) FROM (SELECT position || ': ' || "
	      "coalesce(host_folder, '?') || ' -> ' || coalesce(sandbox_folder, '?') || CASE "
	      "read_only WHEN 1 THEN ' (read-only)' WHEN 0 THEN ' (writable)' ELSE ' (unknown)' END "
	      "AS f FROM wsb_folders WHERE config_id = c.id ORDER BY position)) AS mapped_folders, "
	      "(SELECT group_concat(k, char(10)) FROM (SELECT risk_id || ' [' || severity || ', ' || "
	      "section || ']: ' || reason AS k FROM wsb_risks WHERE config_id = c.id ORDER BY "
	      "risk_id, coalesce(folder_position, -1))) AS risks FROM wsb_configs c JOIN evidence v "
	      "ON v.id = c.evidence_id ORDER BY c.id",
	      appendix_record_row, &configs);

	query(r, "SELECT count(*) FROM archives", count_row, &archives);
	if (archives) {
		put(r, "<h3>Archives</h3>\n");
		query(r,
		      "SELECT a.id, v.sha256, a.path, a.family, a.format_name, a.extension, "
		      "a.name_mismatch, a.encrypted, a.headers_encrypted, a.entry_count, "
		      "a.encrypted_entries, a.names, a.complete, a.reason FROM archives a JOIN evidence v "
		      "ON v.id = a.evidence_id ORDER BY a.id",
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
	      "SELECT 'reg-' || g.id AS a_anchor, g.id AS n_id, g.hive_kind, g.key_path, "
	      "g.value_name, g.value_type_name, coalesce(g.decoded, CASE WHEN length(g.raw_hex) > "
	      "1024 THEN substr(g.raw_hex, 1, 1024) || '… (' || (length(g.raw_hex) / 2) || ' bytes)' "
	      "ELSE g.raw_hex END), g.key_last_write AS t_written FROM reg_values g ORDER BY g.id",
	      plain_row, r);
	put(r, "</tbody></table>\n</section>\n");
}

/* ---- the page ------------------------------------------------------------------------------- */

int report_write(struct store *store, const struct report_options *options, FILE *out)
{
	struct report r = {store, out, 0, NULL, NULL, ""};
	struct session_ids ids = {NULL, 0, 0, 0};

	if (!store || !out)
		return -1;
	case_identity(&r, options);
	put(&r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"sandtrace\">\n"
		"<title>sandtrace report: Windows Sandbox sessions</title>\n<style>\n");
	put(&r, REPORT_CSS);
	put(&r, "</style>\n");
	write_page_style(&r);
	put(&r, "</head>\n<body>\n<header>\n<h1>Windows Sandbox sessions rebuilt from host "
		"evidence</h1>\n<p class=\"muted\">sandtrace forensic report. Every statement names "
		"the evidence that supports it; times are UTC.</p>\n"
		"<nav class=\"small\"><a href=\"#evidence\">Evidence</a> · <a href=\"#host-facts\">"
		"Host facts</a> · <a href=\"#summary\">Sessions</a> · <a href=\"#attack\">ATT&amp;CK"
		"</a> · <a href=\"#method\">Method and limitations</a> · <a href=\"#appendix\">"
		"Appendix</a></nav>\n</header>\n");
	write_store_state(&r);
	write_answer(&r);
	write_run_metadata(&r, options);
	write_evidence(&r);
	write_facts(&r);
	write_summary(&r);
	query(&r, "SELECT id FROM sessions ORDER BY id", session_id_row, &ids);
	if (ids.failed)
		r.failed = 1;
	for (size_t i = 0; i < ids.count && !r.failed; i++)
		write_session(&r, ids.ids[i]);
	free(ids.ids);
	write_attack(&r);
	write_method(&r);
	write_appendix(&r);
	free(r.case_name);
	free(r.examiner);
	put(&r, "<footer class=\"small muted\">End of report. Everything outside the run-metadata "
		"block is a function of the case store alone.</footer>\n</body>\n</html>\n");
	return r.failed || ferror(out) ? -1 : 0;
}
