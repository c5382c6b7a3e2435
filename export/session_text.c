/*
 * session_text.c - sessions as text and JSON (see session_text.h).
 */
#include "session_text.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "zone.h"

/* TIME as ISO UTC, or with a display zone as local time with its offset and UTC beside it. */
static void iso_or_unknown(const struct display_zone *zone, uint64_t time, char *out, size_t size)
{
	char local[48], utc[40];

	if (!time) {
		snprintf(out, size, "unknown");
		return;
	}
	filetime_format_iso(time, utc, sizeof utc);
	if (!zone || !zone->active) {
		snprintf(out, size, "%s", utc);
		return;
	}
	zone_format(zone, time, local, sizeof local);
	snprintf(out, size, "%s (%s)", local, utc);
}

struct list_state {
	FILE *out;
	const struct display_zone *zone;
	int width; /* of a time column */
};

static int list_line(void *context, const struct store_session_summary *s)
{
	struct list_state *list = context;
	FILE *out = list->out;
	char start[96], end[96], duration[32] = "?";

	iso_or_unknown(list->zone, s->start, start, sizeof start);
	iso_or_unknown(list->zone, s->end, end, sizeof end);
	if (s->start && s->end && s->end >= s->start) {
		uint64_t seconds = (s->end - s->start) / 10000000ULL;
		snprintf(duration, sizeof duration, "%lluh%02llum%02llus",
			 (unsigned long long)(seconds / 3600), (unsigned long long)(seconds / 60 % 60),
			 (unsigned long long)(seconds % 60));
	}
	fprintf(out, "%-3lld %-36s %-*s %-*s%s %-10s %-6s %-40s %-15s %3d  %s\n",
		(long long)s->id, s->vm_guid, list->width, start, list->width, end,
		s->end_inferred ? "*" : " ", duration,
		s->trigger_kind, s->trigger_task ? s->trigger_task : s->trigger_user ? s->trigger_user : "-",
		s->verdict, s->score, s->confidence);
	return 0;
}

int session_text_list(struct store *store, const struct display_zone *zone, FILE *out)
{
	struct list_state list = {out, zone, zone && zone->active ? 64 : 28};

	if (zone && strcmp(zone->label, "UTC") != 0)
		fprintf(out, "times: %s%s\n", zone->label,
			zone->active ? "; local time with its offset, then UTC" : "");
	fprintf(out, "%-3s %-36s %-*s %-*s  %-10s %-6s %-40s %-15s %3s  %s\n", "id", "vm_guid",
		list.width, zone && zone->active ? "start" : "start (UTC)", list.width,
		zone && zone->active ? "end (* inferred)" : "end (UTC, * inferred)", "duration",
		"trigger", "task / user", "verdict", "score", "confidence");
	return store_each_session_summary(store, list_line, &list);
}

struct json_state {
	FILE *out;
	int count;
};

static int json_item(void *context, const char *json)
{
	struct json_state *state = context;
	fprintf(state->out, "%s  %s", state->count++ ? ",\n" : "", json ? json : "null");
	return 0;
}

int session_text_json(struct store *store, FILE *out)
{
	struct json_state state = {out, 0};
	int rc;

	fputs("[\n", out);
	rc = store_each_session_json(store, json_item, &state);
	fputs(state.count ? "\n]\n" : "]\n", out);
	return rc;
}

/* ---- show ----------------------------------------------------------------------------- */

struct show_state {
	struct store *store;
	FILE *out;
	int64_t id;
	int found, steps, copies;
	const struct display_zone *zone;
};

/* The account step of an interactive start (§6.8): "DOMAIN\user (SID ...)" into TEXT. */
static int account_row(void *context, int columns, const char *const *names,
		       const char *const *values)
{
	struct strbuf *text = context;
	(void)names;
	if (columns == 2 && !text->length)
		strbuf_printf(text, "%s (SID %s)", values[0] ? values[0] : "account not named",
			      values[1] ? values[1] : "not recorded");
	return 0;
}

static int show_header(void *context, const struct store_session_summary *s)
{
	struct show_state *state = context;
	char start[96], end[96];
	struct strbuf account = STRBUF_INIT;
	char sql[200];

	if (s->id != state->id)
		return 0;
	state->found = 1;
	iso_or_unknown(state->zone, s->start, start, sizeof start);
	iso_or_unknown(state->zone, s->end, end, sizeof end);
	if (state->zone && strcmp(state->zone->label, "UTC") != 0)
		fprintf(state->out, "times: %s%s\n", state->zone->label,
			state->zone->active ? "; local time with its offset, then UTC" : "");
	/* an interactive start names its account and SID (§6.8) */
	snprintf(sql, sizeof sql, "SELECT account, sid FROM v_session_account WHERE session_id = %lld",
		 (long long)s->id);
	if (store_query(state->store, sql, account_row, &account) != 0)
		return -1;
	fprintf(state->out,
		"Session %lld: Windows Sandbox VM %s (%s)\n"
		"  from %s to %s%s\n"
		"  started by: %s%s%s%s%s%s\n"
		"  verdict: %s (score %d), confidence %s\n\nWhat happened, in time order:\n",
		(long long)s->id, s->vm_guid, s->kind, start, end,
		s->end_inferred ? " (end inferred: no exit record)" : "", s->trigger_kind,
		s->trigger_task ? " " : "", s->trigger_task ? s->trigger_task : "",
		/* who: the interactive user's account, or the account the task ran as */
		account.length || s->trigger_user ? (s->trigger_task ? " (as " : " ") : "",
		account.length ? strbuf_text(&account) : s->trigger_user ? s->trigger_user : "",
		s->trigger_user && s->trigger_task ? ")" : "", s->verdict, s->score, s->confidence);
	strbuf_free(&account);
	return 0;
}

/* Links that rest on a layout no primary source confirms (METHOD.md §1.2, §1.4, §1.5, §1.9): the
 * role, a channel prefix ("" = any) and an event id (0 = any), and what is unconfirmed. */
static const struct {
	const char *role, *channel;
	uint32_t event_id;
	const char *caveat;
} UNCONFIRMED[] = {
	{"network", "System", 0, "unconfirmed layout: that a sandbox writes VmSwitch 232/234 and that "
				 "its NIC name holds the VM GUID (METHOD.md §1.2)"},
	{"command", "Microsoft-Windows-Hyper-V-Compute", 2500,
	 "unconfirmed layout: where 2500 keeps its fields (METHOD.md §1.4, §1.9)"},
	{"share", "Microsoft-Windows-Hyper-V-Worker", 301,
	 "unconfirmed layout: 301's XML form and the meaning of ShareFlags (METHOD.md §1.5, §1.9)"},
	{"vm_start", "Microsoft-Windows-Hyper-V-Compute", 0,
	 "unconfirmed: that a sandbox writes these Hyper-V-Compute records (METHOD.md §1.4)"},
	{"exit", "Microsoft-Windows-Hyper-V-Compute", 0,
	 "unconfirmed: that a sandbox writes these Hyper-V-Compute records (METHOD.md §1.4)"},
	{"vm_start", "Microsoft-Windows-Hyper-V-Worker", 0,
	 "unconfirmed: that a sandbox writes these Hyper-V-Worker records (METHOD.md §1.5)"},
	{"exit", "Microsoft-Windows-Hyper-V-Worker", 0,
	 "unconfirmed: that a sandbox writes these Hyper-V-Worker records (METHOD.md §1.5)"},
};

const char *session_text_unconfirmed(const char *role, const char *channel, uint32_t event_id)
{
	for (size_t i = 0; role && channel && i < sizeof UNCONFIRMED / sizeof UNCONFIRMED[0]; i++)
		if (strcmp(role, UNCONFIRMED[i].role) == 0 &&
		    strncmp(channel, UNCONFIRMED[i].channel, strlen(UNCONFIRMED[i].channel)) == 0 &&
		    (!UNCONFIRMED[i].event_id || UNCONFIRMED[i].event_id == event_id))
			return UNCONFIRMED[i].caveat;
	return NULL;
}

/* The member KEY of the step's detail (malloc'ed) or NULL. */
static char *detail(const struct store_session_step *step, const char *key)
{
	return json_object_get(step->detail_json ? step->detail_json : "{}", key, 0);
}

/* The story steps of METHOD.md §6.8: registration, registering process, host context, account,
 * file. Returns 0 if STEP is none of them. */
static int describe_story_step(const struct store_session_step *step, struct strbuf *sb)
{
	const char *role = step->role;
	char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL;
	int done = 1;

	if (!strcmp(role, "registration")) {
		a = detail(step, "source");
		b = detail(step, "task");
		c = detail(step, "user");
		d = detail(step, "sid");
		if (a && !strcmp(a, "Security 4698")) {
			e = detail(step, "logon_id");
			f = detail(step, "client_pid");
			strbuf_printf(sb, "task %s registered by %s (SID %s, logon id %s%s%s) (Security 4698)",
				      b ? b : "?", c ? c : "?", d ? d : "?", e ? e : "?",
				      f ? ", client process id " : "", f ? f : "");
		} else if (a && !strcmp(a, "Task Scheduler 106")) {
			strbuf_printf(sb, "task %s registered; Task Scheduler 106 names the user %s",
				      b ? b : "?", c ? c : "?");
		} else if (a && !strcmp(a, "TaskCache Tree key")) {
			strbuf_printf(sb, "last write of the task's TaskCache Tree key (its registration "
					  "or a later change to the key) for %s", b ? b : "?");
		} else {
			const char *where;
			e = detail(step, "author");
			f = detail(step, "date");
			free(c);
			c = detail(step, "definition");
			where = !c ? "a stored definition" : !strcmp(c, "task_file") ? "its task file"
				: !strcmp(c, "taskcache") ? "the TaskCache"
				: !strcmp(c, "event_4702") ? "the TaskContentNew of a Security 4702"
							   : "the TaskContent of a Security 4698";
			strbuf_printf(sb, "%s says task %s was registered by Author \"%s\" on %s "
					  "(RegistrationInfo as written: free text, local time without "
					  "a zone)",
				      where, b ? b : "?", e ? e : "-", f ? f : "-");
		}
	} else if (!strcmp(role, "registering_process")) {
		a = detail(step, "depth");
		b = detail(step, "image");
		c = detail(step, "pid");
		d = detail(step, "parent_pid");
		e = detail(step, "user");
		f = detail(step, "command_line");
		if (a && !strcmp(a, "0"))
			strbuf_append_str(sb, "the process that registered the task:");
		else
			strbuf_printf(sb, "%s up the chain of the process that registered the task:",
				      a ? a : "?");
		strbuf_printf(sb, " %s (pid %s, parent pid %s) started as %s: %s", b ? b : "?",
			      c ? c : "?", d ? d : "?", e ? e : "?", f ? f : "(no command line recorded)");
	} else if (!strcmp(role, "host_context")) {
		a = detail(step, "what");
		strbuf_printf(sb, "host: %s", a ? a : "?");
	} else if (!strcmp(role, "account")) {
		a = detail(step, "account");
		b = detail(step, "sid");
		c = detail(step, "logon_id");
		d = detail(step, "logon_type");
		strbuf_printf(sb, "the sandbox was started interactively by %s (SID %s, logon id %s%s%s)",
			      a ? a : "?", b ? b : "?", c ? c : "?", d ? ", logon type " : "",
			      d ? d : "");
	} else if (!strcmp(role, "file")) {
		a = detail(step, "path");
		b = detail(step, "kind");
		c = detail(step, "named_by");
		d = detail(step, "named_as");
		strbuf_printf(sb, "file %s of the collection (%s), which %s names as %s", a ? a : "?",
			      b ? b : "?", c ? c : "?", d ? d : "?");
	} else {
		done = 0;
	}
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
	free(f);
	return done;
}

void session_text_describe_step(const struct store_session_step *step, int with_role,
				struct strbuf *sb)
{
	char *a = NULL, *b = NULL, *c = NULL, *from_task = NULL;
	const char *role = step->role ? step->role : "";

	if (!strcmp(role, "share")) {
		a = detail(step, "host_path");
		b = detail(step, "read_only");
		c = detail(step, "internal");
		strbuf_printf(sb, "host folder %s shared into the VM (%s%s)", a ? a : "?",
			      b ? (!strcmp(b, "true") ? "read-only per the configuration"
						    : "writable per the configuration")
				: "writability not established: ShareFlags are not decoded",
			      c && !strcmp(c, "true") ? "; the sandbox's own system share" : "");
	} else if (!strcmp(role, "command")) {
		a = detail(step, "command_line");
		b = detail(step, "user");
		strbuf_printf(sb, "the host ran \"%s\" in the VM as %s", a ? a : "?", b ? b : "?");
	} else if (!strcmp(role, "network")) {
		a = detail(step, "event");
		b = detail(step, "nic");
		strbuf_printf(sb, "VM network adapter %s (%s)",
			      a && !strcmp(a, "nic-connected") ? "connected" : "disconnected",
			      b ? b : "?");
	} else if (!strcmp(role, "launch")) {
		a = detail(step, "image");
		b = detail(step, "pid");
		c = detail(step, "command_line");
		from_task = detail(step, "command_line_from");
		strbuf_printf(sb, "launcher %s (pid %s) started: %s%s%s%s", a ? a : "?", b ? b : "?",
			      c ? c : "(no command line recorded)",
			      from_task ? " (command line from the task definition " : "",
			      from_task ? from_task : "", from_task ? ")" : "");
	} else if (!strcmp(role, "trigger")) {
		strbuf_append_str(sb, step->source_table && !strcmp(step->source_table, "tasks")
					      ? "task definition that starts the sandbox"
					      : "scheduled task run that created the launcher");
	} else if (!strcmp(role, "config")) {
		strbuf_append_str(sb, "the sandbox configuration used");
	} else if (!describe_story_step(step, sb)) {
		a = detail(step, "what");
		strbuf_printf(sb, "%s%s%s", with_role ? role : "", with_role ? ": " : "",
			      a ? a : "record");
	}
	free(a);
	free(b);
	free(c);
	free(from_task);
}

static int show_step(void *context, const struct store_session_step *step)
{
	struct show_state *state = context;
	char when[96] = "(no time)", ref[512], place[96] = "";
	struct strbuf text = STRBUF_INIT;
	const char *caveat;

	if (step->time)
		iso_or_unknown(state->zone, step->time, when, sizeof when);
	session_text_describe_step(step, 1, &text);
	/* A citation a reader can check with any tool: the file, its full SHA-256, the record and
	 * where its bytes are. */
	if (step->offset >= 0)
		snprintf(place, sizeof place, ", chunk %lld at byte offset %lld",
			 (long long)step->chunk, (long long)step->offset);
	else if (step->record_id >= 0)
		snprintf(place, sizeof place, ", byte offset not established");
	if (step->record_id >= 0)
		snprintf(ref, sizeof ref, "%s record %lld (event %u)%s, in %s (sha256 %s)",
			 step->channel ? step->channel : "?", (long long)step->record_id, step->event_id,
			 place, step->file_name ? step->file_name : "?",
			 step->sha256 ? step->sha256 : "?");
	else
		snprintf(ref, sizeof ref, "%s%s%s (sha256 %s)", step->location ? step->location : "?",
			 /* a registry value: name the hive file too */
			 !strcmp(step->source_table, "reg_values") ? ", in " : "",
			 !strcmp(step->source_table, "reg_values") && step->file_name ? step->file_name
										      : "",
			 step->sha256 ? step->sha256 : "?");
	caveat = session_text_unconfirmed(step->role, step->channel, step->event_id);
	fprintf(state->out, "  %2d. %s  %s\n      evidence: %s; link: %s (%s)%s%s\n", ++state->steps,
		when, strbuf_text(&text), ref, step->confidence, step->basis, caveat ? "; " : "",
		caveat ? caveat : "");
	strbuf_free(&text);
	return 0;
}

static int show_finding(void *context, const char *rule_id, const char *title, int score,
			const char *attack, const char *reason, const char *basis_json)
{
	FILE *out = context;
	fprintf(out, "  %-26s %3d  %s [%s]\n      %s\n      basis: %s\n", rule_id, score, title,
		attack && *attack ? attack : "-", reason, basis_json);
	return 0;
}

static int show_missing(void *context, const char *json)
{
	FILE *out = context;
	/* The JSON object of v_session_json holds the missing list; print its sentences. */
	const char *p = json ? strstr(json, "\"missing\":[") : NULL;
	if (!p)
		return 0;
	p += strlen("\"missing\":[");
	while (*p == '"') {
		const char *q = p + 1;
		fputs("  - ", out);
		while (*q && *q != '"') {
			if (*q == '\\' && q[1])
				q++;
			fputc(*q++, out);
		}
		fputc('\n', out);
		p = *q ? q + 1 : q;
		if (*p == ',')
			p++;
	}
	return 1; /* one session only */
}

/* A record of the session that was found in further files (v_session_record_copies), once. */
static int show_copies(void *context, int columns, const char *const *names,
		       const char *const *v)
{
	struct show_state *state = context;

	(void)names;
	if (columns != 3 || !v[0] || !v[1] || !v[2])
		return 0;
	if (!state->copies++)
		fputs("\nRecords also found in other files (each step cites the first file):\n",
		      state->out);
	fprintf(state->out, "  %s: also in %s other file%s: %s\n", v[0], v[1],
		strcmp(v[1], "1") ? "s" : "", v[2]);
	return 0;
}

struct missing_state {
	FILE *out;
	int64_t id, index;
};

static int missing_for(void *context, const char *json)
{
	struct missing_state *state = context;
	if (++state->index != state->id)
		return 0;
	return show_missing(state->out, json);
}

int session_text_show(struct store *store, int64_t session_id, const struct display_zone *zone,
		      FILE *out)
{
	struct show_state state = {store, out, session_id, 0, 0, 0, zone};
	char sql[200];
	struct missing_state missing = {out, session_id, 0};
	int rc;

	if (store_each_session_summary(store, show_header, &state) != 0)
		return -1;
	if (!state.found)
		return 1;
	if (store_each_session_step(store, session_id, show_step, &state) != 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT record, other_files, copies FROM v_session_record_copies "
		 "WHERE session_id = %lld ORDER BY event_row", (long long)session_id);
	if (store_query(store, sql, show_copies, &state) != 0)
		return -1;
	fputs("\nFindings:\n", out);
	if (store_each_session_finding(store, session_id, show_finding, out) != 0)
		return -1;
	fputs("\nGaps and limits:\n", out);
	rc = store_each_session_json(store, missing_for, &missing);
	return rc < 0 ? -1 : 0;
}
