/*
 * story.c - the origin, host context, account and files of a session (see story.h; METHOD.md §6.8).
 *
 * Every step is a session_events row that names the stored row it rests on (an event record, a
 * registry value, a task definition, an evidence file), the basis of the link and its confidence,
 * so that `show`, the report and `sessions --json` cite it like the other steps. Nothing here
 * changes a session's confidence, verdict or findings.
 */
#define _GNU_SOURCE /* strcasestr, strndup */
#include "story.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "correlate/sessions.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"

#define SECONDS(n) ((uint64_t)(n) * 10000000ULL)
#define HOST_WINDOW SECONDS(24 * 3600)      /* §6.8: 24 h either side of the session */
#define REGISTERING_WINDOW SECONDS(120)     /* §6.8: registering process -> registration record */
#define BOOT_PAIR_WINDOW SECONDS(600)       /* a 6005 belongs to the 12 at most 10 min before it */
#define MAX_CHAIN 16                        /* ancestors followed, at most */

#define PROVIDER_SECURITY "Microsoft-Windows-Security-Auditing"
#define PROVIDER_SYSMON "Microsoft-Windows-Sysmon"

/* ---- reading rows ------------------------------------------------------------------------ */

struct rows {
	size_t count, columns;
	char **cell;            /* count x columns, NULL = SQL NULL */
	int failed;
};

static int rows_add(void *context, int columns, const char *const *names,
		    const char *const *values)
{
	struct rows *r = context;
	char **grown;

	(void)names;
	r->columns = (size_t)columns;
	grown = realloc(r->cell, (r->count + 1) * r->columns * sizeof *grown);
	if (!grown) {
		r->failed = 1;
		return -1;
	}
	r->cell = grown;
	for (size_t i = 0; i < r->columns; i++) {
		const char *v = values[i];
		char **slot = &r->cell[r->count * r->columns + i];
		*slot = v ? strdup(v) : NULL;
		if (v && !*slot)
			r->failed = 1;
	}
	r->count++;
	return r->failed ? -1 : 0;
}

static const char *cell(const struct rows *r, size_t row, size_t column)
{
	return r->cell[row * r->columns + column];
}

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->count * r->columns; i++)
		free(r->cell[i]);
	free(r->cell);
	memset(r, 0, sizeof *r);
}

static int query_rows(struct store *store, struct strbuf *sql, struct rows *out)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = strbuf_failed(sql) ? -1 : store_query(store, strbuf_text(sql), rows_add, out);
	strbuf_free(sql);
	if (rc != 0 || out->failed) {
		rows_free(out);
		return -1;
	}
	return 0;
}

/* TEXT as an SQL string literal (quotes doubled). */
static void sql_text(struct strbuf *sb, const char *text)
{
	strbuf_append_char(sb, '\'');
	for (const char *p = text ? text : ""; *p; p++) {
		if (*p == '\'')
			strbuf_append_char(sb, '\'');
		strbuf_append_char(sb, *p);
	}
	strbuf_append_char(sb, '\'');
}

static uint64_t number(const char *text)
{
	return text ? strtoull(text, NULL, 10) : 0;
}

/* ---- writing steps ----------------------------------------------------------------------- */

/* A JSON object built member by member; NULL values are left out. */
static void member(struct strbuf *sb, const char *name, const char *value)
{
	if (!value)
		return;
	strbuf_append_char(sb, sb->length ? ',' : '{');
	json_append_string(sb, name, strlen(name));
	strbuf_append_char(sb, ':');
	json_append_string(sb, value, strlen(value));
}

static int add_step(struct store *store, const struct session *s, const char *role,
		    const char *table, const char *row, uint64_t time, const char *basis,
		    const char *confidence, struct strbuf *detail)
{
	int rc;

	if (detail->length == 0)
		strbuf_append_char(detail, '{');
	strbuf_append_char(detail, '}');
	rc = strbuf_failed(detail) ? -1
				   : store_add_session_event(store, s->id, role, table,
							     strtoll(row, NULL, 10), time, basis,
							     confidence, strbuf_text(detail));
	strbuf_free(detail);
	return rc;
}

/* The weaker of two link confidences (§6.5: strong > medium > weak). */
static const char *weaker(const char *a, const char *b)
{
	static const char *const ORDER[] = {"weak", "medium", "strong"};
	int ra = 0, rb = 0;
	for (int i = 0; i < 3; i++) {
		if (a && !strcmp(a, ORDER[i]))
			ra = i;
		if (b && !strcmp(b, ORDER[i]))
			rb = i;
	}
	return ORDER[ra < rb ? ra : rb];
}

/* ---- boots ------------------------------------------------------------------------------- */

/* The start of the boot that holds TIME (§6.8): the latest Kernel-General 12 at or before it, or,
 * when a later EventLog 6005 has no 12 within 10 min before it, that 6005. 0 if no boot record. */
static int boot_start(struct store *store, uint64_t time, uint64_t *start)
{
	struct strbuf sql = STRBUF_INIT;
	struct rows r;
	uint64_t kernel = 0, eventlog = 0;

	strbuf_printf(&sql,
		      "SELECT max(CASE WHEN provider = 'Microsoft-Windows-Kernel-General' THEN time "
		      "END), max(CASE WHEN provider = 'EventLog' THEN time END) FROM events WHERE "
		      "((provider = 'Microsoft-Windows-Kernel-General' AND event_id = 12) OR "
		      "(provider = 'EventLog' AND event_id = 6005)) AND time <= %llu",
		      (unsigned long long)time);
	if (query_rows(store, &sql, &r) != 0)
		return -1;
	if (r.count) {
		kernel = number(cell(&r, 0, 0));
		eventlog = number(cell(&r, 0, 1));
	}
	rows_free(&r);
	*start = eventlog > kernel + BOOT_PAIR_WINDOW ? eventlog : kernel;
	return 0;
}

/* ---- the task's origin ------------------------------------------------------------------- */

/* Columns of the process records query. */
enum { P_ID, P_TIME, P_PID, P_CREATOR, P_IMAGE, P_COMMAND, P_USER, P_SID, P_LOGON, P_COLUMNS };

/* Security 4688 and Sysmon 1 between FROM and TO, latest first (§1.1, §1.7). */
static int load_processes(struct store *store, uint64_t from, uint64_t to, struct rows *out)
{
	struct strbuf sql = STRBUF_INIT;
	strbuf_printf(
		&sql,
		"SELECT id, time, CASE WHEN s THEN json_extract(data, '$.ProcessId') ELSE "
		"json_extract(data, '$.NewProcessId') END, CASE WHEN s THEN json_extract(data, "
		"'$.ParentProcessId') ELSE json_extract(data, '$.ProcessId') END, CASE WHEN s THEN "
		"json_extract(data, '$.Image') ELSE json_extract(data, '$.NewProcessName') END, "
		"json_extract(data, '$.CommandLine'), CASE WHEN s THEN json_extract(data, '$.User') ELSE "
		"coalesce(json_extract(data, '$.SubjectDomainName') || '\\' || json_extract(data, "
		"'$.SubjectUserName'), json_extract(data, '$.SubjectUserName')) END, CASE WHEN s THEN "
		"NULL ELSE json_extract(data, '$.SubjectUserSid') END, CASE WHEN s THEN "
		"json_extract(data, '$.LogonId') ELSE json_extract(data, '$.SubjectLogonId') END "
		"FROM (SELECT *, provider = '" PROVIDER_SYSMON "' AS s FROM events WHERE ((provider "
		"= '" PROVIDER_SECURITY "' AND event_id = 4688) OR (provider = '" PROVIDER_SYSMON
		"' AND event_id = 1)) AND time BETWEEN %llu AND %llu) ORDER BY time DESC, s, id DESC",
		(unsigned long long)from, (unsigned long long)to);
	return query_rows(store, &sql, out);
}

static int process_step(struct store *store, const struct session *s, const struct rows *p,
			size_t i, int depth, const char *basis, const char *confidence)
{
	struct strbuf d = STRBUF_INIT;
	char depth_text[16], pid[32], parent[32];

	snprintf(depth_text, sizeof depth_text, "%d", depth);
	snprintf(pid, sizeof pid, "%lld", (long long)sessions_parse_id(cell(p, i, P_PID)));
	snprintf(parent, sizeof parent, "%lld", (long long)sessions_parse_id(cell(p, i, P_CREATOR)));
	member(&d, "depth", depth_text);
	member(&d, "image", cell(p, i, P_IMAGE));
	member(&d, "pid", pid);
	member(&d, "parent_pid", sessions_parse_id(cell(p, i, P_CREATOR)) >= 0 ? parent : NULL);
	member(&d, "command_line", cell(p, i, P_COMMAND));
	member(&d, "user", cell(p, i, P_USER));
	member(&d, "sid", cell(p, i, P_SID));
	member(&d, "logon_id", cell(p, i, P_LOGON));
	return add_step(store, s, "registering_process", "events", cell(p, i, P_ID),
			number(cell(p, i, P_TIME)), basis, confidence, &d);
}

/* Does process row I look like the one that registered task LEAF (§6.8)? 2: its command line
 * names the task; 1: it is schtasks.exe; 0: neither. */
static int registering_rank(const struct rows *p, size_t i, const char *leaf)
{
	const char *command = cell(p, i, P_COMMAND);
	if (command && *leaf && strcasestr(command, leaf))
		return 2;
	return strcasecmp(cmdline_word_basename(cell(p, i, P_IMAGE)), "schtasks.exe") == 0;
}

/* The process that registered the task (the 4698 at ANCHOR, with its ClientProcessId and
 * SubjectLogonId when written), then its parents up the chain within the same boot (§6.8). */
static int link_process_chain(struct store *store, const struct session *s,
			      const struct rows *reg, size_t anchor, const char *cap)
{
	enum { R_ID, R_TIME, R_EVENT, R_USER, R_SID, R_LOGON, R_CLIENT };
	uint64_t time = number(cell(reg, anchor, R_TIME)), boot = 0;
	int64_t client = sessions_parse_id(cell(reg, anchor, R_CLIENT));
	int64_t logon = sessions_parse_id(cell(reg, anchor, R_LOGON));
	const char *leaf = cmdline_word_basename(s->trigger.task_name);
	const char *link = NULL;
	char basis[384];
	size_t found = 0;
	int best = 0, rc = 0;
	struct rows p;

	if (boot_start(store, time, &boot) != 0 || load_processes(store, boot, time, &p) != 0)
		return -1;
	for (size_t i = 0; i < p.count && !link; i++) {
		if (client >= 0) {
			if (sessions_parse_id(cell(&p, i, P_PID)) == client) {
				found = i;
				link = "strong";
				snprintf(basis, sizeof basis,
					 "the registration record's ClientProcessId %lld is this process "
					 "(the latest creation of that id before it%s)",
					 (long long)client, boot ? ", same boot" : "; no boot record");
			}
			continue;
		}
		if (time - number(cell(&p, i, P_TIME)) > REGISTERING_WINDOW)
			break;
		if (logon >= 0 && sessions_parse_id(cell(&p, i, P_LOGON)) != logon)
			continue;
		if (registering_rank(&p, i, leaf) > best) {
			best = registering_rank(&p, i, leaf);
			found = i;
		}
	}
	if (!link && best) {
		link = best == 2 ? "medium" : "weak";
		snprintf(basis, sizeof basis, "%s, created %llu s before the registration record%s",
			 best == 2 ? "its command line names the task" : "schtasks.exe",
			 (unsigned long long)((time - number(cell(&p, found, P_TIME))) / SECONDS(1)),
			 logon >= 0 ? " in the same logon session" : "");
	}
	if (link) {
		link = weaker(link, cap);
		rc = process_step(store, s, &p, found, 0, basis, link);
	}
	/* the parents: the latest creation of the creator's process id before the child, same boot */
	for (int depth = 1; rc == 0 && link && depth <= MAX_CHAIN; depth++) {
		int64_t creator = sessions_parse_id(cell(&p, found, P_CREATOR));
		uint64_t child_time = number(cell(&p, found, P_TIME));
		size_t parent = p.count;

		for (size_t i = found + 1; i < p.count && parent == p.count && creator > 0; i++)
			if (sessions_parse_id(cell(&p, i, P_PID)) == creator &&
			    number(cell(&p, i, P_TIME)) <= child_time)
				parent = i;
		if (parent == p.count)
			break;
		link = weaker(link, boot ? "medium" : "weak");
		snprintf(basis, sizeof basis,
			 "its process id %lld is the creator process id of the step below it (the "
			 "latest creation of that id before it%s)",
			 (long long)creator, boot ? ", same boot" : "; no boot record: reuse of the id "
								   "across boots not excluded");
		rc = process_step(store, s, &p, parent, depth, basis, link);
		found = parent;
	}
	rows_free(&p);
	return rc;
}

/* The registration records of the session's task: Security 4698 and Task Scheduler 106 at or
 * before the start, the TaskCache Tree key, the definitions' RegistrationInfo (§4, §6.8).
 * *REGISTERED receives the time of the latest registration record (0 if none). */
static int link_origin(struct store *store, const struct session *s, uint64_t *registered)
{
	struct strbuf sql = STRBUF_INIT;
	struct rows reg, more;
	const char *cap = s->trigger.link ? s->trigger.link : "weak";
	const char *name = s->trigger.task_name;
	size_t anchor = 0, have_anchor = 0;
	char basis[384];
	int rc = 0;

	*registered = 0;
	if (!name || strcmp(s->trigger.kind, "task") != 0)
		return 0;
	snprintf(basis, sizeof basis, "its task name is the session's task %s; the task is linked "
		 "to the session %s", name, s->trigger.link_basis ? "as its trigger" : "by definition");
	strbuf_append_str(
		&sql, "SELECT id, time, event_id, CASE WHEN event_id = 106 THEN json_extract(data, "
		      "'$.UserContext') ELSE coalesce(json_extract(data, '$.SubjectDomainName') || '\\' "
		      "|| json_extract(data, '$.SubjectUserName'), json_extract(data, "
		      "'$.SubjectUserName')) END, json_extract(data, '$.SubjectUserSid'), "
		      "json_extract(data, '$.SubjectLogonId'), json_extract(data, '$.ClientProcessId') "
		      "FROM events WHERE ((provider = '" PROVIDER_SECURITY "' AND event_id = 4698) OR "
		      "(provider = 'Microsoft-Windows-TaskScheduler' AND event_id = 106)) AND "
		      "lower(ltrim(json_extract(data, '$.TaskName'), '\\')) = lower(ltrim(");
	sql_text(&sql, name);
	strbuf_append_str(&sql, ", '\\'))");
	if (s->start || s->end)
		strbuf_printf(&sql, " AND time <= %llu",
			      (unsigned long long)(s->start ? s->start : s->end));
	strbuf_append_str(&sql, " ORDER BY time, id");
	if (query_rows(store, &sql, &reg) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < reg.count; i++) {
		struct strbuf d = STRBUF_INIT;
		int is_4698 = strcmp(cell(&reg, i, 2), "4698") == 0;
		member(&d, "source", is_4698 ? "Security 4698" : "Task Scheduler 106");
		member(&d, "task", name);
		member(&d, "user", cell(&reg, i, 3));
		member(&d, "sid", cell(&reg, i, 4));
		member(&d, "logon_id", cell(&reg, i, 5));
		member(&d, "client_pid", cell(&reg, i, 6));
		rc = add_step(store, s, "registration", "events", cell(&reg, i, 0),
			      number(cell(&reg, i, 1)), basis, cap, &d);
		*registered = number(cell(&reg, i, 1));
		/* the chain starts from the latest 4698 (it names the client), else the latest 106 */
		if (is_4698 || !have_anchor || strcmp(cell(&reg, anchor, 2), "4698") != 0) {
			anchor = i;
			have_anchor = 1;
		}
	}
	if (rc == 0 && have_anchor)
		rc = link_process_chain(store, s, &reg, anchor, cap);
	rows_free(&reg);
	if (rc != 0)
		return rc;

	/* the task's TaskCache Tree key: its LastWrite is the key's last change (§4.2) */
	strbuf_append_str(&sql, "SELECT id, key_last_write, key_path FROM reg_values WHERE "
				"lower(key_path) = lower('Microsoft\\Windows NT\\CurrentVersion\\Schedule"
				"\\TaskCache\\Tree\\' || ltrim(");
	sql_text(&sql, name);
	strbuf_append_str(&sql, ", '\\')) ORDER BY value_name IS NOT NULL, id LIMIT 1");
	if (query_rows(store, &sql, &more) != 0)
		return -1;
	if (more.count) {
		struct strbuf d = STRBUF_INIT;
		member(&d, "source", "TaskCache Tree key");
		member(&d, "task", name);
		member(&d, "key", cell(&more, 0, 2));
		rc = add_step(store, s, "registration", "reg_values", cell(&more, 0, 0),
			      number(cell(&more, 0, 1)), basis, cap, &d);
	}
	rows_free(&more);
	if (rc != 0)
		return rc;

	/* RegistrationInfo of every stored definition of the task (Author, Date as written) */
	strbuf_append_str(&sql, "SELECT id, source, author, registration_date FROM tasks WHERE "
				"lower(ltrim(uri, '\\')) = lower(ltrim(");
	sql_text(&sql, name);
	strbuf_append_str(&sql, ", '\\')) AND (author IS NOT NULL OR registration_date IS NOT "
				"NULL) ORDER BY id");
	if (query_rows(store, &sql, &more) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < more.count; i++) {
		struct strbuf d = STRBUF_INIT;
		member(&d, "source", "RegistrationInfo");
		member(&d, "task", name);
		member(&d, "definition", cell(&more, i, 1));
		member(&d, "author", cell(&more, i, 2));
		member(&d, "date", cell(&more, i, 3));
		rc = add_step(store, s, "registration", "tasks", cell(&more, i, 0), 0, basis, cap, &d);
	}
	rows_free(&more);
	return rc;
}

/* ---- who started an interactive session ------------------------------------------------- */

/* §6.8: the account of a user start, from the launcher's record (4688 SubjectDomainName\
 * SubjectUserName and SubjectUserSid, Sysmon 1 User) and the 4624 of its logon session (the
 * latest TargetLogonId equal to the launcher's logon id before it, same boot). */
static int link_account(struct store *store, const struct session *s)
{
	struct strbuf sql = STRBUF_INIT, d = STRBUF_INIT;
	struct rows l, logons;
	const char *account, *sid, *row, *basis;
	uint64_t time, boot = 0;
	int64_t logon;
	size_t found = 0;
	int rc;

	if (strcmp(s->trigger.kind, "user") != 0 || !s->launcher.event_row)
		return 0;
	strbuf_printf(&sql,
		      "SELECT id, time, CASE WHEN provider = '" PROVIDER_SYSMON "' THEN "
		      "json_extract(data, '$.User') ELSE coalesce(json_extract(data, "
		      "'$.SubjectDomainName') || '\\' || json_extract(data, '$.SubjectUserName'), "
		      "json_extract(data, '$.SubjectUserName')) END, json_extract(data, "
		      "'$.SubjectUserSid'), coalesce(json_extract(data, '$.SubjectLogonId'), "
		      "json_extract(data, '$.LogonId')) FROM events WHERE id = %lld",
		      (long long)s->launcher.event_row);
	if (query_rows(store, &sql, &l) != 0)
		return -1;
	if (!l.count) {
		rows_free(&l);
		return 0;
	}
	time = number(cell(&l, 0, 1));
	logon = sessions_parse_id(cell(&l, 0, 4));
	if (boot_start(store, time, &boot) != 0) {
		rows_free(&l);
		return -1;
	}
	strbuf_printf(&sql,
		      "SELECT id, json_extract(data, '$.TargetDomainName') || '\\' || "
		      "json_extract(data, '$.TargetUserName'), json_extract(data, '$.TargetUserSid'), "
		      "json_extract(data, '$.TargetLogonId'), json_extract(data, '$.LogonType'), time FROM "
		      "events WHERE provider = '" PROVIDER_SECURITY "' AND event_id = 4624 AND time "
		      "BETWEEN %llu AND %llu ORDER BY time DESC, id DESC",
		      (unsigned long long)boot, (unsigned long long)time);
	if (query_rows(store, &sql, &logons) != 0) {
		rows_free(&l);
		return -1;
	}
	for (found = 0; logon >= 0 && found < logons.count; found++)
		if (sessions_parse_id(cell(&logons, found, 3)) == logon)
			break;
	account = cell(&l, 0, 2);
	sid = cell(&l, 0, 3);
	row = cell(&l, 0, 0);
	basis = "the launcher's own record names the account that started it";
	if (logon >= 0 && found < logons.count) {
		account = account ? account : cell(&logons, found, 1);
		sid = sid ? sid : cell(&logons, found, 2);
		row = cell(&logons, found, 0);
		basis = "Security 4624 TargetLogonId = the launcher's logon id (the latest such logon "
			"before it, same boot); the name and SID as the launcher's record and this "
			"logon write them";
		member(&d, "logon_type", cell(&logons, found, 4));
	}
	member(&d, "account", account);
	member(&d, "sid", sid);
	member(&d, "logon_id", cell(&l, 0, 4));
	rc = account || sid ? add_step(store, s, "account", "events", row,
				       row == cell(&l, 0, 0) ? time : number(cell(&logons, found, 5)),
				       basis, "strong", &d)
			    : 0;
	strbuf_free(&d);
	rows_free(&l);
	rows_free(&logons);
	return rc;
}

/* ---- host context ------------------------------------------------------------------------ */

/* The host records §6.8 puts beside a session: what each says, and whether it is an
 * anti-forensic change (looked for back to the task's registration). */
static const struct host_event {
	const char *provider;
	uint32_t event_id;
	const char *event;      /* the JSON "event" value */
	const char *what;
	int since_registration;
} HOST_EVENTS[] = {
	{"Microsoft-Windows-Kernel-General", 12, "boot", "the host started (Kernel-General 12)", 0},
	{"Microsoft-Windows-Kernel-General", 13, "shutdown", "the host shut down (Kernel-General 13)", 0},
	{"EventLog", 6005, "boot", "the event log service started, as it does when the host starts "
				    "(EventLog 6005)", 0},
	{"EventLog", 6006, "shutdown", "the event log service stopped, as it does in a clean "
				       "shutdown (EventLog 6006)", 0},
	{"EventLog", 6008, "unclean-shutdown", "the previous shutdown was unexpected (EventLog 6008)",
	 0},
	{"Microsoft-Windows-Kernel-Power", 41, "unclean-shutdown",
	 "the host restarted without a clean shutdown (Kernel-Power 41)", 0},
	{"Microsoft-Windows-Eventlog", 1102, "log-cleared", "the Security log was cleared (1102)", 1},
	{"Microsoft-Windows-Eventlog", 104, "log-cleared", "an event log was cleared (104)", 1},
	{PROVIDER_SECURITY, 4719, "audit-policy-changed", "the system audit policy was changed (4719)",
	 1},
	{PROVIDER_SECURITY, 4616, "time-changed", "the system time was changed (4616)", 1},
};
enum { HOST_EVENT_COUNT = sizeof HOST_EVENTS / sizeof HOST_EVENTS[0] };

static int link_host_context(struct store *store, const struct session *s, uint64_t registered)
{
	struct strbuf sql = STRBUF_INIT;
	struct rows r;
	uint64_t start = s->start ? s->start : s->end, end = s->end ? s->end : s->start;
	uint64_t from, boot = 0, earliest;
	int rc = 0;

	if (!start)
		return 0;
	from = start > HOST_WINDOW ? start - HOST_WINDOW : 0;
	if (boot_start(store, start, &boot) != 0)
		return -1;
	earliest = boot && boot < from ? boot : from;
	if (registered && registered < earliest)
		earliest = registered;
	strbuf_append_str(&sql, "SELECT id, time, provider, event_id, coalesce(json_extract(data, "
				"'$.SubjectDomainName') || '\\' || json_extract(data, "
				"'$.SubjectUserName'), json_extract(data, '$.SubjectUserName')), "
				/* 4616 v0 writes the date apart from the time (the corpus) */
				"json_extract(data, '$.Channel'), coalesce(json_extract(data, "
				"'$.PreviousDate') || ' ' || json_extract(data, '$.PreviousTime'), "
				"json_extract(data, '$.PreviousTime')), coalesce(json_extract(data, "
				"'$.NewDate') || ' ' || json_extract(data, '$.NewTime'), json_extract(data, "
				"'$.NewTime')), json_extract(data, "
				"'$.SubcategoryGuid'), json_extract(data, '$.AuditPolicyChanges') "
				"FROM events WHERE (");
	for (size_t i = 0; i < HOST_EVENT_COUNT; i++)
		strbuf_printf(&sql, "%s(provider = '%s' AND event_id = %u)", i ? " OR " : "",
			      HOST_EVENTS[i].provider, HOST_EVENTS[i].event_id);
	strbuf_printf(&sql, ") AND time BETWEEN %llu AND %llu AND (time >= %llu",
		      (unsigned long long)earliest, (unsigned long long)(end + HOST_WINDOW),
		      (unsigned long long)from);
	/* Only the records one of the three bases below takes: before the window, the boot's and
	 * (since the registration) the log clears and policy and clock changes. Taking every record
	 * since the registration and dropping most of them here made a host of many sessions read
	 * each one once per session. */
	if (boot)
		strbuf_printf(&sql, " OR time BETWEEN %llu AND %llu", (unsigned long long)boot,
			      (unsigned long long)start);
	for (size_t i = 0; registered && i < HOST_EVENT_COUNT; i++)
		if (HOST_EVENTS[i].since_registration)
			strbuf_printf(&sql, " OR (provider = '%s' AND event_id = %u AND time >= %llu)",
				      HOST_EVENTS[i].provider, HOST_EVENTS[i].event_id,
				      (unsigned long long)registered);
	strbuf_append_str(&sql, ") ORDER BY time, id");
	if (query_rows(store, &sql, &r) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < r.count; i++) {
		const struct host_event *h = NULL;
		uint64_t time = number(cell(&r, i, 1));
		struct strbuf d = STRBUF_INIT, what = STRBUF_INIT;
		const char *basis;

		for (size_t k = 0; k < HOST_EVENT_COUNT && !h; k++)
			if (!strcasecmp(HOST_EVENTS[k].provider, cell(&r, i, 2)) &&
			    HOST_EVENTS[k].event_id == number(cell(&r, i, 3)))
				h = &HOST_EVENTS[k];
		if (!h)
			continue;
		if (time >= from)
			basis = "a host record within 24 h of the session (METHOD.md §6.8)";
		else if (boot && time >= boot && time <= start)
			basis = "a record of the boot the session ran in (METHOD.md §6.8)";
		else if (h->since_registration && registered && time >= registered)
			basis = "a log clear or policy or clock change after the task's registration "
				"(METHOD.md §6.8)";
		else {
			strbuf_free(&d);
			strbuf_free(&what);
			continue;
		}
		strbuf_append_str(&what, h->what);
		if (cell(&r, i, 5))
			strbuf_printf(&what, ": the %s log", cell(&r, i, 5));
		if (cell(&r, i, 6) || cell(&r, i, 7))
			strbuf_printf(&what, ": from %s to %s", cell(&r, i, 6) ? cell(&r, i, 6) : "?",
				      cell(&r, i, 7) ? cell(&r, i, 7) : "?");
		if (cell(&r, i, 8))
			strbuf_printf(&what, ": subcategory %s, %s", cell(&r, i, 8),
				      cell(&r, i, 9) ? cell(&r, i, 9) : "?");
		if (cell(&r, i, 4))
			strbuf_printf(&what, "; by %s", cell(&r, i, 4));
		member(&d, "event", h->event);
		member(&d, "what", strbuf_text(&what));
		member(&d, "by", cell(&r, i, 4));
		member(&d, "log", cell(&r, i, 5));
		rc = add_step(store, s, "host_context", "events", cell(&r, i, 0), time, basis, "weak",
			      &d);
		strbuf_free(&what);
	}
	rows_free(&r);
	return rc;
}

/* ---- files the session names ------------------------------------------------------------- */

static const char *const SCRIPT_EXTENSIONS[] = {".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".vbe",
						".js", ".jse", ".wsf", ".hta", ".py", ".sh"};

/* The content kind of an evidence file (§6.8): what discover recognised, an archive of the
 * archives table, an executable by its MZ header, a script by a text content and its extension. */
static const char *file_kind(const char *kind, const char *path)
{
	const char *dot = strrchr(cmdline_word_basename(path), '.');

	if (strcmp(kind, "text") != 0)
		return kind;
	for (size_t i = 0; dot && i < sizeof SCRIPT_EXTENSIONS / sizeof SCRIPT_EXTENSIONS[0]; i++)
		if (!strcasecmp(dot, SCRIPT_EXTENSIONS[i]))
			return "script";
	return "other";
}

/* Does PATH lie at or below FOLDER (Windows paths, case-insensitive)? Returns the length of
 * FOLDER's part of PATH, 0 if not. */
static size_t below(const char *path, const char *folder)
{
	size_t n = folder ? strlen(folder) : 0;

	while (n && (folder[n - 1] == '\\' || folder[n - 1] == '/'))
		n--;
	if (!n || strncasecmp(path, folder, n) != 0 || (path[n] && path[n] != '\\' && path[n] != '/'))
		return 0;
	return n;
}

/* Links the collection's file at host path HOST (if any) as a file the session names. */
static int link_file(struct store *store, const struct session *s, const char *host,
		     const char *named_as, const char *named_by, const char *folder,
		     struct strbuf *seen)
{
	struct strbuf sql = STRBUF_INIT, tail = STRBUF_INIT, basis = STRBUF_INIT;
	struct rows r;
	char key[40];
	int rc = 0;

	/* the collection path ends with the Windows path, drive letter dropped (§6.8) */
	for (const char *p = isalpha((unsigned char)host[0]) && host[1] == ':' ? host + 2 : host; *p;
	     p++)
		strbuf_append_char(&tail, *p == '\\' ? '/' : (char)tolower((unsigned char)*p));
	strbuf_append_str(&sql, "SELECT v.id, v.sha256, p.path, CASE WHEN EXISTS (SELECT 1 FROM "
				"archives a WHERE a.evidence_id = v.id) THEN 'archive' WHEN v.kind = "
				"'task_xml' THEN 'task xml' WHEN v.kind != 'unknown' THEN v.kind WHEN "
				"v.status_reason LIKE '%(content: binary: 4d 5a%' THEN 'executable' WHEN "
				"v.status_reason LIKE '%(content: text:%' THEN 'text' ELSE 'other' END "
				"FROM evidence_paths p JOIN evidence v ON v.id = p.evidence_id WHERE "
				"substr(lower(replace(p.path, '\\', '/')), -length(");
	sql_text(&sql, strbuf_text(&tail));
	strbuf_append_str(&sql, ")) = ");
	sql_text(&sql, strbuf_text(&tail));
	strbuf_append_str(&sql, " ORDER BY p.id LIMIT 1");
	strbuf_free(&tail);
	if (query_rows(store, &sql, &r) != 0)
		return -1;
	snprintf(key, sizeof key, " %s ", r.count ? cell(&r, 0, 0) : "");
	if (r.count && !strstr(strbuf_text(seen), key)) {
		struct strbuf d = STRBUF_INIT;
		strbuf_append_str(seen, key);
		strbuf_printf(&basis, "%s names %s; the mapped folder %s puts it at %s on the host, "
			      "and the collection holds a file at that path (its content as collected, "
			      "not necessarily as run)",
			      named_by, named_as, folder, host);
		member(&d, "path", host);
		member(&d, "named_as", named_as);
		member(&d, "named_by", named_by);
		member(&d, "kind", file_kind(cell(&r, 0, 3), host));
		member(&d, "sha256", cell(&r, 0, 1));
		member(&d, "collection_path", cell(&r, 0, 2));
		rc = strbuf_failed(&basis) ? -1
					   : add_step(store, s, "file", "evidence", cell(&r, 0, 0), 0,
						      strbuf_text(&basis), "medium", &d);
	}
	strbuf_free(&basis);
	rows_free(&r);
	return rc;
}

/* Every absolute Windows path (X:\...) in TEXT that lies in a mapped folder's sandbox side,
 * turned into its host path and linked when the collection holds it. */
static int link_named_files(struct store *store, const struct session *s, const char *text,
			    const char *named_by, struct strbuf *seen)
{
	int rc = 0;

	for (const char *p = text; rc == 0 && p && *p; p++) {
		char quote = p > text && p[-1] == '"' ? '"' : ' ';
		const char *end = p;
		char *path;

		if (!isalpha((unsigned char)p[0]) || p[1] != ':' || p[2] != '\\' ||
		    (p > text && !strchr(" \"'=,", p[-1])))
			continue;
		while (*end && *end != quote && *end != '"' && (quote == '"' || *end != ' '))
			end++;
		if (!(path = strndup(p, (size_t)(end - p))))
			return -1;
		for (size_t f = 0; rc == 0 && f < s->wsb.folder_count; f++) {
			const struct session_mapped_folder *m = &s->wsb.folders[f];
			size_t n = m->sandbox && m->host ? below(path, m->sandbox) : 0;
			struct strbuf host = STRBUF_INIT, folder = STRBUF_INIT;
			if (!n)
				continue;
			strbuf_printf(&host, "%s%s", m->host, path + n);
			strbuf_printf(&folder, "%s -> %s", m->host, m->sandbox);
			rc = strbuf_failed(&host) || strbuf_failed(&folder)
				     ? -1
				     : link_file(store, s, strbuf_text(&host), path, named_by,
						 strbuf_text(&folder), seen);
			strbuf_free(&host);
			strbuf_free(&folder);
		}
		free(path);
		p = *end ? end : end - 1;
	}
	return rc;
}

static int link_files(struct store *store, const struct session *s)
{
	struct strbuf seen = STRBUF_INIT;
	int rc;

	strbuf_append_char(&seen, ' ');
	rc = link_named_files(store, s, s->wsb.logon_command, "the configuration's logon command",
			      &seen);
	for (size_t i = 0; rc == 0 && i < s->command_count; i++)
		rc = link_named_files(store, s, s->commands[i].command_line,
				      "a command the host ran in the VM", &seen);
	strbuf_free(&seen);
	return rc;
}

int story_link(struct store *store, const struct session *s)
{
	uint64_t registered = 0;

	if (link_origin(store, s, &registered) != 0 || link_account(store, s) != 0 ||
	    link_host_context(store, s, registered) != 0 || link_files(store, s) != 0)
		return -1;
	return 0;
}
