/*
 * graph.c - a session's behaviour graph (see graph.h).
 *
 * The drawing is a column of rows, top to bottom in the order things happened: each row has one
 * node of the chain (a process, the task, the launcher, the VM, a command) and, beside it, the
 * host files that step used. Text is measured in monospace code points (DejaVu Sans Mono at 11px
 * is 6.6 units a code point), so a node's width fixes how many code points a line holds and the
 * wrapped text always fits its box; tests/e2e/check_report_pdf.py checks that in print emulation.
 */
#include "graph.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escape.h"
#include "store.h"

enum {
	MAIN_X = 10, MAIN_W = 420, SIDE_X = 450, SIDE_W = 240,
	MAIN_CHARS = 58, SIDE_CHARS = 32, /* (width - 16) / 6.6, rounded down with a margin */
	LABEL_H = 16, LINE_H = 13, PAD = 7, ROW_GAP = 30, SIDE_GAP = 6,
	MAX_ROWS = 24, MAX_SIDES = 6
};

struct node {
	const char *label;   /* fixed text: what the box is */
	struct strbuf lines; /* wrapped text, '\n' after each line; raw, escaped on output */
	char href[40];       /* "#rec-12", or "" */
	const char *cls;
	int used;
};

struct row {
	struct node main;
	struct node sides[MAX_SIDES];
	int side_count, sides_dropped;
	const char *edge; /* the arrow's label into this row, or NULL */
};

struct drawing {
	struct store *store;
	int64_t session_id;
	int failed;
	struct row rows[MAX_ROWS];
	int row_count, rows_dropped;
	/* the session */
	char *vm_guid, *kind, *trigger_kind, *trigger_task, *trigger_user, *launcher_image,
		*launcher_pid, *launcher_command_line, *wsb_path;
	int64_t wsb_config_id, task_row, launch_row;
	/* mapped folders of the configuration: host and sandbox side */
	char *folder_host[16], *folder_sandbox[16];
	int folder_count;
};

/* ---- text ------------------------------------------------------------------------------------ */

static int is_break_after(unsigned char c)
{
	return c == ' ' || c == '\\' || c == '/' || c == '-' || c == '_' || c == ',' || c == ';' ||
	       c == '=';
}

void graph_wrap(const char *text, size_t width, struct strbuf *out)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");

	while (*s) {
		size_t points = 0, i = 0, last_break = 0;
		/* the longest prefix of WIDTH code points, and the last break point in it */
		while (s[i] && points < width) {
			size_t n = 1;
			while (s[i + n] && (s[i + n] & 0xC0) == 0x80)
				n++;
			if (is_break_after(s[i]))
				last_break = i + n;
			i += n;
			points++;
		}
		if (s[i] && last_break) /* more follows: end the line at the last break point */
			i = last_break;
		strbuf_append(out, (const char *)s, i);
		strbuf_append_char(out, '\n');
		s += i;
	}
}

static int line_count(const struct node *n)
{
	int count = 0;
	for (const char *p = strbuf_text(&n->lines); *p; p++)
		count += *p == '\n';
	return count;
}

static int node_height(const struct node *n)
{
	return PAD + LABEL_H + line_count(n) * LINE_H + PAD - 2;
}

/* Adds TEXT (wrapped to the node's width) as the node's next lines. */
static void node_add(struct node *n, int side, const char *text)
{
	graph_wrap(text, side ? SIDE_CHARS : MAIN_CHARS, &n->lines);
}

static void node_addf(struct node *n, int side, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static void node_addf(struct node *n, int side, const char *format, ...)
{
	va_list ap;
	char small[256], *text = small;
	int length;

	va_start(ap, format);
	length = vsnprintf(small, sizeof small, format, ap);
	va_end(ap);
	if (length < 0)
		return;
	if ((size_t)length >= sizeof small) {
		text = malloc((size_t)length + 1);
		if (!text)
			return;
		va_start(ap, format);
		vsnprintf(text, (size_t)length + 1, format, ap);
		va_end(ap);
	}
	node_add(n, side, text);
	if (text != small)
		free(text);
}

static struct row *row_new(struct drawing *d, const char *label, const char *cls, const char *edge)
{
	if (d->row_count == MAX_ROWS) {
		d->rows_dropped++;
		return NULL;
	}
	struct row *r = &d->rows[d->row_count++];
	r->main.label = label;
	r->main.cls = cls;
	r->main.used = 1;
	r->edge = edge;
	return r;
}

static struct node *side_new(struct row *r, const char *label, const char *cls)
{
	if (!r)
		return NULL;
	if (r->side_count == MAX_SIDES) {
		r->sides_dropped++;
		return NULL;
	}
	struct node *n = &r->sides[r->side_count++];
	n->label = label;
	n->cls = cls;
	n->used = 1;
	return n;
}

/* ---- the store ------------------------------------------------------------------------------- */

static char *dup_or_null(const char *text)
{
	return text ? strdup(text) : NULL;
}

static void query(struct drawing *d, const char *sql,
		  int (*fn)(void *, int, const char *const *, const char *const *), void *context)
{
	if (!d->failed && store_query(d->store, sql, fn, context) != 0)
		d->failed = 1;
}

static int session_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct drawing *d = context;
	(void)columns;
	(void)names;
	d->vm_guid = dup_or_null(v[0]);
	d->kind = dup_or_null(v[1]);
	d->trigger_kind = dup_or_null(v[2]);
	d->trigger_task = dup_or_null(v[3]);
	d->trigger_user = dup_or_null(v[4]);
	d->launcher_image = dup_or_null(v[5]);
	d->launcher_pid = dup_or_null(v[6]);
	d->launcher_command_line = dup_or_null(v[7]);
	d->wsb_path = dup_or_null(v[8]);
	d->wsb_config_id = v[9] ? strtoll(v[9], NULL, 10) : 0;
	return 0;
}

static int folder_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct drawing *d = context;
	(void)columns;
	(void)names;
	if (d->folder_count < 16 && v[0] && v[1]) {
		d->folder_host[d->folder_count] = strdup(v[0]);
		d->folder_sandbox[d->folder_count++] = strdup(v[1]);
	}
	return 0;
}

static int first_text_row(void *context, int columns, const char *const *names,
			  const char *const *v)
{
	struct strbuf *sb = context;
	(void)columns;
	(void)names;
	if (!sb->length && v[0])
		strbuf_append_str(sb, v[0]);
	return 0;
}

/* The SHA-256 of the collected file at the Windows path WINDOWS_PATH ("C:\x\y"), found by the
 * collection's layout (the drive letter as the first folder: ".../C/x/y"), into SHA; empty when
 * the collection does not hold it. */
static void collected_file(struct drawing *d, const char *windows_path, struct strbuf *sha)
{
	struct strbuf sql = STRBUF_INIT, tail = STRBUF_INIT;

	if (!windows_path || strlen(windows_path) < 4 || windows_path[1] != ':' ||
	    windows_path[2] != '\\')
		return;
	strbuf_append_char(&tail, '/');
	strbuf_append_char(&tail, windows_path[0]);
	for (const char *p = windows_path + 2; *p; p++) {
		if (*p == '\'')
			strbuf_append_char(&tail, '\''); /* doubled inside the SQL literal */
		strbuf_append_char(&tail, *p == '\\' ? '/' : *p);
	}
	strbuf_printf(&sql,
		      "SELECT sha256 FROM v_report_evidence WHERE substr(lower(first_path), -%zu) = "
		      "lower('%s') ORDER BY sha256 LIMIT 1",
		      strlen(windows_path), strbuf_text(&tail));
	if (!strbuf_failed(&sql))
		query(d, strbuf_text(&sql), first_text_row, sha);
	strbuf_free(&sql);
	strbuf_free(&tail);
}

/* ---- the rows -------------------------------------------------------------------------------- */

struct chain_state {
	struct drawing *d;
	const char *chain;
	int count;
	struct strbuf registration; /* the task node's "registered by" line */
};

static int chain_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct chain_state *c = context;
	struct drawing *d = c->d;
	(void)columns;
	(void)names;
	/* v: depth, row_id, image, pid, command_line, user, what, citation */
	int depth = atoi(v[0]);

	if (depth < 0) {
		strbuf_printf(&c->registration, "registered by %s (%s)", v[5] ? v[5] : "?",
			      v[7] ? v[7] : "?");
		return 0;
	}
	if (!strcmp(c->chain, "launch") && depth == 0)
		return 0; /* the launcher itself: its own row */
	struct row *r = row_new(d, depth == 0 ? "process that registered the task" : "process",
				"n-proc", c->count++ ? "started" : NULL);
	if (!r)
		return 0;
	node_add(&r->main, 0, v[2] ? v[2] : "?");
	node_addf(&r->main, 0, "pid %s as %s", v[3] ? v[3] : "?", v[5] ? v[5] : "?");
	if (v[4] && *v[4])
		node_addf(&r->main, 0, "command line: %s", v[4]);
	node_add(&r->main, 0, v[7] ? v[7] : "?");
	snprintf(r->main.href, sizeof r->main.href, "#rec-%s", v[1]);
	return 0;
}

static const char CHAIN_SQL[] =
	"SELECT c.depth, c.row_id, c.image, c.pid, c.command_line, c.user, c.what, l.label FROM "
	"v_report_process_chain c LEFT JOIN v_citation l ON l.tbl = 'events' AND l.row_id = "
	"c.row_id WHERE c.session_id = %" PRId64 " AND c.chain = '%s' ORDER BY c.depth = -1 DESC, "
	"c.depth DESC";

static int link_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct drawing *d = context;
	(void)columns;
	(void)names;
	/* v: role, source_table, row_id (the first of each role wins: the query orders them) */
	int64_t row = v[2] ? strtoll(v[2], NULL, 10) : 0;
	if (!strcmp(v[0], "trigger") && v[1] && !strcmp(v[1], "tasks") && !d->task_row)
		d->task_row = row;
	else if (!strcmp(v[0], "launch") && v[1] && !strcmp(v[1], "events") && !d->launch_row)
		d->launch_row = row;
	return 0;
}

struct leaf_state {
	struct drawing *d;
	struct row *vm;
	int system_shares, commands;
};

/* The host file behind a path the VM ran: the mapped folder whose sandbox side the path starts
 * with, the rest of the path appended to its host side. */
static char *host_file_behind(struct drawing *d, const char *command_line, const char **folder)
{
	char path[1024];
	const char *s = command_line;
	size_t n = 0;

	if (*s == '"') {
		s++;
		while (s[n] && s[n] != '"')
			n++;
	} else {
		while (s[n] && s[n] != ' ')
			n++;
	}
	if (n >= sizeof path)
		return NULL;
	memcpy(path, s, n);
	path[n] = '\0';
	for (int i = 0; i < d->folder_count; i++) {
		size_t k = strlen(d->folder_sandbox[i]);
		while (k && d->folder_sandbox[i][k - 1] == '\\')
			k--;
		if (k && n > k + 1 && !strncasecmp(path, d->folder_sandbox[i], k) && path[k] == '\\') {
			struct strbuf sb = STRBUF_INIT;
			size_t h = strlen(d->folder_host[i]);
			while (h && d->folder_host[i][h - 1] == '\\')
				h--;
			strbuf_append(&sb, d->folder_host[i], h);
			strbuf_append_str(&sb, path + k);
			*folder = d->folder_host[i];
			return strbuf_detach(&sb);
		}
	}
	return NULL;
}

static int leaf_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct leaf_state *l = context;
	struct drawing *d = l->d;
	(void)columns;
	(void)names;
	/* v: role, row_id, command_line, user, host_path, read_only, internal, event, citation */
	const char *role = v[0];

	if (!strcmp(role, "share") && v[6] && !strcmp(v[6], "true")) {
		l->system_shares++;
		return 0;
	}
	if (!strcmp(role, "command")) {
		struct row *r = row_new(d, "command run in the VM", "n-bad",
					l->commands++ ? "the host ran, next" : "the host ran in the VM");
		if (!r)
			return 0;
		node_add(&r->main, 0, v[2] ? v[2] : "?");
		node_addf(&r->main, 0, "as %s", v[3] ? v[3] : "?");
		node_add(&r->main, 0, v[8] ? v[8] : "?");
		snprintf(r->main.href, sizeof r->main.href, "#rec-%s", v[1]);
		const char *folder = NULL;
		char *host = v[2] ? host_file_behind(d, v[2], &folder) : NULL;
		if (host) {
			struct strbuf sha = STRBUF_INIT;
			struct node *f = side_new(r, "host file it names", "n-file");
			collected_file(d, host, &sha);
			if (f) {
				node_add(f, 1, host);
				node_addf(f, 1, "through the mapped folder %s", folder);
				if (sha.length)
					node_addf(f, 1, "in the collection: sha256 %s", strbuf_text(&sha));
				else
					node_add(f, 1, "not in the collection");
			}
			strbuf_free(&sha);
			free(host);
		}
		return 0;
	}
	struct node *n;
	if (!strcmp(role, "share")) {
		int writable = v[5] && !strcmp(v[5], "false");
		n = side_new(l->vm, writable ? "host folder mapped, writable"
				     : v[5] ? "host folder mapped, read-only"
					    : "host folder mapped",
			     writable ? "n-warn" : "n-file");
		if (n)
			node_add(n, 1, v[4] ? v[4] : "?");
	} else {
		int connected = v[7] && !strcmp(v[7], "nic-connected");
		n = side_new(l->vm, connected ? "network adapter connected"
				      : "network adapter disconnected", "n-net");
		if (n)
			node_add(n, 1, "Hyper-V-VmSwitch record");
	}
	if (n)
		snprintf(n->href, sizeof n->href, "#rec-%s", v[1]);
	return 0;
}

static void build(struct drawing *d)
{
	struct strbuf sql = STRBUF_INIT;
	struct chain_state origin = {d, "origin", 0, STRBUF_INIT};
	struct chain_state launch = {d, "launch", 0, STRBUF_INIT};
	int64_t id = d->session_id;

	strbuf_printf(&sql,
		      "SELECT vm_guid, kind, trigger_kind, trigger_task, trigger_user, launcher_image, "
		      "launcher_pid, launcher_command_line, wsb_path, wsb_config_id FROM "
		      "v_report_sessions WHERE id = %" PRId64, id);
	query(d, strbuf_text(&sql), session_row, d);
	strbuf_reset(&sql);
	strbuf_printf(&sql,
		      "SELECT host_folder, sandbox_folder FROM v_report_mapped_folders WHERE "
		      "session_id = %" PRId64 " ORDER BY position", id);
	query(d, strbuf_text(&sql), folder_row, d);
	strbuf_reset(&sql);
	strbuf_printf(&sql,
		      "SELECT role, source_table, row_id FROM v_report_links WHERE session_id = %" PRId64
		      " AND role IN ('trigger', 'launch') ORDER BY role, time IS NULL, time, "
		      "source_table, row_id", id);
	query(d, strbuf_text(&sql), link_row, d);

	int by_task = d->trigger_kind && !strcmp(d->trigger_kind, "task");
	if (by_task) {
		/* the process that registered the task and its parents, oldest first */
		strbuf_reset(&sql);
		strbuf_printf(&sql, CHAIN_SQL, id, "origin");
		query(d, strbuf_text(&sql), chain_row, &origin);
		struct row *r = row_new(d, "scheduled task", "n-bad", origin.count ? "registered" : NULL);
		if (r) {
			node_add(&r->main, 0, d->trigger_task ? d->trigger_task : "?");
			if (origin.registration.length)
				node_add(&r->main, 0, strbuf_text(&origin.registration));
			else
				node_add(&r->main, 0, "no registration record (4698 or 106) in the collection");
			if (d->task_row) {
				struct strbuf sha = STRBUF_INIT, source = STRBUF_INIT;
				snprintf(r->main.href, sizeof r->main.href, "#task-%" PRId64, d->task_row);
				strbuf_reset(&sql);
				strbuf_printf(&sql, "SELECT sha256 || ' ' || source FROM "
						    "v_report_definition_files WHERE tbl = 'tasks' AND "
						    "row_id = %" PRId64, d->task_row);
				query(d, strbuf_text(&sql), first_text_row, &sha);
				if (sha.length > 65 && !strcmp(strbuf_text(&sha) + 65, "task_file")) {
					struct node *f = side_new(r, "task definition file", "n-file");
					if (f) {
						node_addf(f, 1, "C:\\Windows\\System32\\Tasks%s",
							  d->trigger_task ? d->trigger_task : "\\?");
						node_addf(f, 1, "sha256 %.64s", strbuf_text(&sha));
						snprintf(f->href, sizeof f->href, "#task-%" PRId64,
							 d->task_row);
					}
				}
				strbuf_free(&sha);
				strbuf_free(&source);
			}
		}
	} else {
		strbuf_reset(&sql);
		strbuf_printf(&sql, CHAIN_SQL, id, "launch");
		query(d, strbuf_text(&sql), chain_row, &launch);
		if (!launch.count) {
			struct row *r = row_new(d, d->trigger_kind && !strcmp(d->trigger_kind, "user")
							   ? "interactive user"
							   : "trigger not established",
						"n-unknown", NULL);
			if (r)
				node_add(&r->main, 0, d->trigger_user ? d->trigger_user : "?");
		}
	}

	/* the launcher, with its configuration file beside it */
	struct row *l = row_new(d, "launcher (host process)", d->launcher_image ? "n-proc" : "n-unknown",
				by_task ? "the Task Scheduler started" : "started");
	if (l) {
		if (d->launcher_image) {
			node_add(&l->main, 0, d->launcher_image);
			node_addf(&l->main, 0, "pid %s", d->launcher_pid ? d->launcher_pid : "?");
			if (d->launcher_command_line)
				node_addf(&l->main, 0, "command line: %s", d->launcher_command_line);
		} else {
			node_add(&l->main, 0, "not established: no launcher record");
		}
		if (d->launch_row) {
			struct strbuf cite = STRBUF_INIT;
			snprintf(l->main.href, sizeof l->main.href, "#rec-%" PRId64, d->launch_row);
			strbuf_reset(&sql);
			strbuf_printf(&sql, "SELECT label FROM v_citation WHERE tbl = 'events' AND "
					    "row_id = %" PRId64, d->launch_row);
			query(d, strbuf_text(&sql), first_text_row, &cite);
			node_add(&l->main, 0, cite.length ? strbuf_text(&cite) : "?");
			strbuf_free(&cite);
		}
		if (d->wsb_path || d->wsb_config_id) {
			struct strbuf sha = STRBUF_INIT;
			struct node *f = side_new(l, "sandbox configuration (.wsb)", "n-file");
			if (d->wsb_config_id) {
				strbuf_reset(&sql);
				strbuf_printf(&sql, "SELECT sha256 FROM v_report_definition_files WHERE "
						    "tbl = 'wsb_configs' AND source = 'file' AND row_id = "
						    "%" PRId64, d->wsb_config_id);
				query(d, strbuf_text(&sql), first_text_row, &sha);
			}
			if (f) {
				node_add(f, 1, d->wsb_path ? d->wsb_path : "(inline configuration)");
				if (sha.length)
					node_addf(f, 1, "sha256 %s", strbuf_text(&sha));
				else if (!d->wsb_config_id)
					node_add(f, 1, "not in the collection");
				if (d->wsb_config_id)
					snprintf(f->href, sizeof f->href, "#wsb-%" PRId64,
						 d->wsb_config_id);
			}
			strbuf_free(&sha);
		}
	}

	/* the VM, with what it was given (folders, network) beside it; then what it ran */
	struct row *vm = row_new(d, "Windows Sandbox VM", "n-vm", "started");
	struct leaf_state leaves = {d, vm, 0, 0};
	if (vm) {
		node_add(&vm->main, 0, d->vm_guid ? d->vm_guid : "?");
		node_addf(&vm->main, 0, "kind: %s", d->kind ? d->kind : "?");
	}
	strbuf_reset(&sql);
	strbuf_printf(&sql,
		      "SELECT k.role, k.row_id, k.command_line, k.user, k.host_path, k.read_only, "
		      "k.internal, k.event, l.label FROM v_report_links k LEFT JOIN v_citation l ON "
		      "l.tbl = 'events' AND l.row_id = k.row_id WHERE k.session_id = %" PRId64
		      " AND k.source_table = 'events' AND k.role IN ('command', 'share', 'network') "
		      "ORDER BY CASE k.role WHEN 'command' THEN 0 WHEN 'share' THEN 1 ELSE 2 END, "
		      "k.time IS NULL, k.time, k.row_id", id);
	query(d, strbuf_text(&sql), leaf_row, &leaves);
	if (leaves.system_shares) {
		struct node *n = side_new(vm, "the sandbox's own shares", "n-sys");
		if (n)
			node_addf(n, 1, "%d read-only base-image share%s (context only)",
				  leaves.system_shares, leaves.system_shares == 1 ? "" : "s");
	}
	if (!leaves.commands) {
		struct row *r = row_new(d, "commands run in the VM", "n-unknown", "the host ran in the VM");
		if (r)
			node_add(&r->main, 0, "none recorded on the host");
	}
	strbuf_free(&origin.registration);
	strbuf_free(&launch.registration);
	strbuf_free(&sql);
}

/* ---- drawing --------------------------------------------------------------------------------- */

static void put_escaped(struct strbuf *out, const char *text)
{
	escape_html(out, text, strlen(text));
}

static void draw_node(struct strbuf *out, const struct node *n, int x, int y, int w)
{
	int h = node_height(n), line_y = y + PAD + 11;

	if (n->href[0])
		strbuf_printf(out, "<a href=\"%s\">", n->href);
	strbuf_printf(out, "<g class=\"node\"><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			   "rx=\"5\" class=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"lb\">",
		      x, y, w, h, n->cls ? n->cls : "n-proc", x + 8, line_y);
	put_escaped(out, n->label);
	strbuf_append_str(out, "</text>");
	if (n->lines.length) {
		const char *p = strbuf_text(&n->lines);
		strbuf_printf(out, "<text class=\"tx\" x=\"%d\" y=\"%d\">", x + 8, line_y + LABEL_H);
		for (int i = 0; *p; i++) {
			const char *end = strchr(p, '\n');
			strbuf_printf(out, "<tspan x=\"%d\" dy=\"%d\">", x + 8, i ? LINE_H : 0);
			escape_html(out, p, (size_t)(end - p));
			strbuf_append_str(out, "</tspan>");
			p = end + 1;
		}
		strbuf_append_str(out, "</text>");
	}
	strbuf_append_str(out, "</g>");
	if (n->href[0])
		strbuf_append_str(out, "</a>");
	strbuf_append_char(out, '\n');
}

static void draw(struct drawing *d, struct strbuf *out)
{
	int heights[MAX_ROWS], total = 10;

	for (int i = 0; i < d->row_count; i++) {
		const struct row *r = &d->rows[i];
		int sides = 0;
		for (int k = 0; k < r->side_count; k++)
			sides += node_height(&r->sides[k]) + (k ? SIDE_GAP : 0);
		heights[i] = node_height(&r->main) > sides ? node_height(&r->main) : sides;
		total += heights[i] + (i ? ROW_GAP : 0);
	}
	total += d->rows_dropped ? 30 : 10;
	strbuf_printf(out, "<figure class=\"graph\"><svg viewBox=\"0 0 %d %d\" width=\"%d\" "
			   "height=\"%d\" role=\"img\" aria-label=\"behaviour graph of session %" PRId64
			   "\">\n", GRAPH_WIDTH, total, GRAPH_WIDTH, total, d->session_id);
	strbuf_printf(out, "<defs><marker id=\"arrow-%" PRId64 "\" viewBox=\"0 0 10 10\" refX=\"9\" "
			   "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path "
			   "d=\"M0 0 L10 5 L0 10 z\" fill=\"#57606a\"/></marker></defs>\n",
		      d->session_id);
	strbuf_append_str(out,
		"<style>.n-proc{fill:#f6f8fa;stroke:#57606a}.n-bad{fill:#fdecea;stroke:#b42318}"
		".n-warn{fill:#fff4e5;stroke:#b54708}.n-vm{fill:#e8f1fb;stroke:#0b5cad;stroke-width:2}"
		".n-net{fill:#eef6ee;stroke:#1a7f37}.n-file{fill:#fffdf2;stroke:#8c6d1f}"
		".n-sys{fill:#fff;stroke:#8c959f;stroke-dasharray:4 3}"
		".n-unknown{fill:#fff;stroke:#8c959f;stroke-dasharray:2 2}"
		".edge{fill:none;stroke:#57606a;stroke-width:1.5}.use{fill:none;stroke:#8c6d1f;"
		"stroke-dasharray:3 3}.lb{font:600 12px sans-serif;fill:#1b1f24}"
		".tx{font:11px 'DejaVu Sans Mono',monospace;fill:#1b1f24}"
		".el{font:italic 11px sans-serif;fill:#5b6470}</style>\n");
	int y = 10, previous_bottom = 0;
	for (int i = 0; i < d->row_count; i++) {
		const struct row *r = &d->rows[i];
		int main_h = node_height(&r->main), side_y = y;
		if (i) {
			int cx = MAIN_X + MAIN_W / 2;
			strbuf_printf(out, "<path d=\"M%d %d L%d %d\" class=\"edge\" "
					   "marker-end=\"url(#arrow-%" PRId64 ")\"/>",
				      cx, previous_bottom, cx, y - 1, d->session_id);
			if (r->edge) {
				strbuf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"el\">", cx + 8,
					      y - ROW_GAP / 2 + 4);
				put_escaped(out, r->edge);
				strbuf_append_str(out, "</text>");
			}
			strbuf_append_char(out, '\n');
		}
		draw_node(out, &r->main, MAIN_X, y, MAIN_W);
		for (int k = 0; k < r->side_count; k++) {
			const struct node *s = &r->sides[k];
			strbuf_printf(out, "<path d=\"M%d %d L%d %d\" class=\"use\"/>", MAIN_X + MAIN_W,
				      y + main_h / 2 < side_y + 14 ? y + main_h / 2 : y + 14, SIDE_X,
				      side_y + 14);
			draw_node(out, s, SIDE_X, side_y, SIDE_W);
			side_y += node_height(s) + SIDE_GAP;
		}
		if (r->sides_dropped) {
			strbuf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"el\">+%d more (see the "
					   "narrative)</text>\n", SIDE_X, side_y + 8, r->sides_dropped);
		}
		previous_bottom = y + main_h;
		y += heights[i] + ROW_GAP;
	}
	if (d->rows_dropped)
		strbuf_printf(out, "<text x=\"%d\" y=\"%d\" class=\"el\">+%d more steps (see the "
				   "narrative)</text>\n", MAIN_X, total - 12, d->rows_dropped);
	strbuf_append_str(out,
		"</svg>\n<figcaption class=\"small muted\">Host-side records only, top to bottom in "
		"the order things happened; beside each step, the host files it used. Boxes link to "
		"the record in the appendix; a dashed box is a step the evidence does not establish or "
		"the sandbox's own plumbing. How the process chain is found: METHOD.md §6.9."
		"</figcaption></figure>\n");
}

static void drawing_free(struct drawing *d)
{
	for (int i = 0; i < MAX_ROWS; i++) {
		strbuf_free(&d->rows[i].main.lines);
		for (int k = 0; k < MAX_SIDES; k++)
			strbuf_free(&d->rows[i].sides[k].lines);
	}
	for (int i = 0; i < d->folder_count; i++) {
		free(d->folder_host[i]);
		free(d->folder_sandbox[i]);
	}
	free(d->vm_guid);
	free(d->kind);
	free(d->trigger_kind);
	free(d->trigger_task);
	free(d->trigger_user);
	free(d->launcher_image);
	free(d->launcher_pid);
	free(d->launcher_command_line);
	free(d->wsb_path);
}

int graph_write_session(struct store *store, int64_t session_id, struct strbuf *out)
{
	struct drawing *d = calloc(1, sizeof *d);
	int failed;

	if (!d)
		return -1;
	d->store = store;
	d->session_id = session_id;
	build(d);
	draw(d, out);
	failed = d->failed;
	drawing_free(d);
	free(d);
	return failed ? -1 : 0;
}
