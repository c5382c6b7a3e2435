/*
 * rules.c - the findings rules of METHOD.md §7 (see rules.h). The rows live in rules.def; this
 * file has one check per row (check_<name>), called in table order, and the few readers the checks
 * share: a Windows path normaliser (so "C:/users/", "%SystemDrive%\Users" and "C:\Users\x\.." all
 * name C:\Users) and the account spellings. wsb.exe command lines arrive decoded (the wsb_calls
 * rows ingest made with parsers/wsb_cli.c, §5.2); commands are split into words by src/cmdline.c.
 *
 * Invariant every check keeps: a rule fires only on a value the correlator stated. SESSION_UNKNOWN,
 * NULL and "" are absence of evidence, never a reason to fire (§7, last paragraph).
 */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "strbuf.h"
#include "timeutil.h"

/* ---- the table ------------------------------------------------------------------------------ */

static const struct rule RULES[] = {
#define RULE(name, id, title, score, reduced_score, attack, condition, section)                  \
	{id, title, score, reduced_score, attack, condition, section},
#include "correlate/rules.def"
#undef RULE
};

#define RULE_COUNT (sizeof RULES / sizeof RULES[0])

size_t rules_table_count(void)
{
	return RULE_COUNT;
}

const struct rule *rules_table_row(size_t index)
{
	return index < RULE_COUNT ? &RULES[index] : NULL;
}

const struct rule *rules_table_find(const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < RULE_COUNT; i++)
		if (strcmp(RULES[i].id, id) == 0)
			return &RULES[i];
	return NULL;
}

/* §7: the verdict thresholds. */
#define VERDICT_MALICIOUS_FROM 60
#define VERDICT_SUSPICIOUS_FROM 25

const char *rules_verdict(int score)
{
	if (score >= VERDICT_MALICIOUS_FROM)
		return "malicious";
	if (score >= VERDICT_SUSPICIOUS_FROM)
		return "suspicious";
	return "benign-looking";
}

int rules_sum_scores(const struct finding *findings, size_t count)
{
	int total = 0;
	size_t i;

	for (i = 0; findings && i < count; i++)
		total += findings[i].score;
	return total;
}

/* ---- small helpers --------------------------------------------------------------------------- */

#define FILETIME_PER_SECOND 10000000ULL
#define FILETIME_PER_HOUR (3600ULL * FILETIME_PER_SECOND)
#define FILETIME_PER_DAY (24ULL * FILETIME_PER_HOUR)

/* §7 ST-FEATURE-FRESH and ST-LOG-CLEARED windows; both edges are inclusive. */
#define FEATURE_FRESH_WINDOW (7ULL * FILETIME_PER_DAY)
#define LOG_CLEARED_AFTER (24ULL * FILETIME_PER_HOUR)

/* §7 ST-REPEATED */
#define REPEATED_MIN_SESSIONS 3

static int has_text(const char *text)
{
	return text && *text;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* TEXT ends with SUFFIX, ASCII case-insensitive. */
static int ends_with_nocase(const char *text, const char *suffix)
{
	size_t length = strlen(text), suffix_length = strlen(suffix);

	return length >= suffix_length &&
	       strcasecmp(text + length - suffix_length, suffix) == 0;
}

/* Compares A and B case-insensitively after trimming surrounding white space. */
static int equal_trimmed_nocase(const char *a, const char *b)
{
	size_t la, lb;

	while (is_space(*a))
		a++;
	while (is_space(*b))
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la && is_space(a[la - 1]))
		la--;
	while (lb && is_space(b[lb - 1]))
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static void format_time(uint64_t filetime, char *out, size_t size)
{
	filetime_format_iso(filetime, out, size);
}

/* "3 d 4 h 05 min" / "4 h 05 min" / "12 min 30 s" for a FILETIME difference. */
static void append_duration(struct strbuf *sb, uint64_t ticks)
{
	unsigned long long seconds = ticks / FILETIME_PER_SECOND;
	unsigned long long days = seconds / 86400, hours = seconds / 3600 % 24;
	unsigned long long minutes = seconds / 60 % 60;

	if (days)
		strbuf_printf(sb, "%llu d %llu h %02llu min", days, hours, minutes);
	else if (hours)
		strbuf_printf(sb, "%llu h %02llu min", hours, minutes);
	else
		strbuf_printf(sb, "%llu min %02llu s", minutes, seconds % 60);
}

/* ---- Windows paths --------------------------------------------------------------------------- */

/* Variables a task action or a configuration may carry, with their Windows defaults (system drive
 * C:). Not from METHOD.md: expanded only so that "%windir%\x.wsb" is judged like
 * "C:\Windows\x.wsb"; %USERPROFILE% keeps the user unknown but is still a profile root. */
static const struct {
	const char *name;
	const char *value;
} PATH_VARIABLES[] = {
	{"%SystemDrive%", "C:"},
	{"%SystemRoot%", "C:\\Windows"},
	{"%windir%", "C:\\Windows"},
	{"%ProgramData%", "C:\\ProgramData"},
	{"%ALLUSERSPROFILE%", "C:\\ProgramData"},
	{"%ProgramFiles%", "C:\\Program Files"},
	{"%ProgramFiles(x86)%", "C:\\Program Files (x86)"},
	{"%PUBLIC%", "C:\\Users\\Public"},
	{"%USERPROFILE%", "C:\\Users\\%USERNAME%"},
};

/*
 * The canonical form of a Windows path, for comparison: ASCII lower case, '\' separators, no
 * surrounding quotes or white space, no "\\?\" prefix, "." and ".." resolved, empty components
 * and the trailing dots and spaces Windows ignores dropped, no trailing separator; the drive root
 * is "c:". Returns a malloc'ed string ("" when nothing is left), NULL only when memory runs out.
 */
static char *path_normalise(const char *raw)
{
	const char *start = raw, *end, *p;
	struct strbuf expanded = STRBUF_INIT;
	char *out = NULL;
	size_t length, out_length = 0, root_length = 0, i;

	while (is_space(*start) || *start == '"' || *start == '\'')
		start++;
	end = start + strlen(start);
	while (end > start && (is_space(end[-1]) || end[-1] == '"' || end[-1] == '\''))
		end--;

	p = start;
	if (*p == '%') {
		for (i = 0; i < sizeof PATH_VARIABLES / sizeof PATH_VARIABLES[0]; i++) {
			size_t name_length = strlen(PATH_VARIABLES[i].name);

			if ((size_t)(end - p) >= name_length &&
			    strncasecmp(p, PATH_VARIABLES[i].name, name_length) == 0) {
				strbuf_append_str(&expanded, PATH_VARIABLES[i].value);
				p += name_length;
				break;
			}
		}
	}
	strbuf_append(&expanded, p, (size_t)(end - p));
	strbuf_append_char(&expanded, 0); /* makes data non-NULL even for "" */
	if (strbuf_failed(&expanded))
		goto out;

	length = expanded.length - 1;
	out = malloc(length + 3);
	if (!out)
		goto out;
	p = expanded.data;
	for (i = 0; i < length; i++)
		if (expanded.data[i] == '/')
			expanded.data[i] = '\\';
	/* \\?\C:\... and \\.\C:\... name the same file as C:\... */
	if (length >= 4 && p[0] == '\\' && p[1] == '\\' && (p[2] == '?' || p[2] == '.') &&
	    p[3] == '\\')
		p += 4;
	if (((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) && p[1] == ':') {
		out[0] = lower_ascii(p[0]);
		out[1] = ':';
		out_length = root_length = 2;
		p += 2;
	} else if (p[0] == '\\' && p[1] == '\\') {
		out[0] = out[1] = '\\';
		out_length = root_length = 2; /* UNC: server and share follow as components */
		p += 2;
	} else if (p[0] == '\\') {
		out[0] = '\\'; /* rooted on an unknown drive: never equal to a C: path */
		out_length = root_length = 1;
		p += 1;
	}

	while (*p) {
		const char *component;
		size_t component_length;

		while (*p == '\\')
			p++;
		component = p;
		while (*p && *p != '\\')
			p++;
		component_length = (size_t)(p - component);
		if (component_length == 1 && component[0] == '.')
			continue;
		if (component_length == 2 && component[0] == '.' && component[1] == '.') {
			size_t cut = out_length;

			while (cut > root_length && out[cut - 1] != '\\')
				cut--;
			out_length = cut > root_length ? cut - 1 : root_length;
			continue;
		}
		/* Win32 drops trailing dots and spaces of a component ("Users." is "Users") */
		while (component_length &&
		       (component[component_length - 1] == '.' || component[component_length - 1] == ' '))
			component_length--;
		if (!component_length)
			continue;
		if (out_length > 0 && out[out_length - 1] != '\\')
			out[out_length++] = '\\';
		for (i = 0; i < component_length; i++)
			out[out_length++] = lower_ascii(component[i]);
	}
	out[out_length] = 0;
out:
	strbuf_free(&expanded);
	return out;
}

/* PATH lies strictly below FOLDER (both canonical). */
static int path_is_under(const char *path, const char *folder)
{
	size_t length = strlen(folder);

	if (!length || strncmp(path, folder, length) != 0)
		return 0;
	if (folder[length - 1] == '\\')
		return path[length] != 0;
	return path[length] == '\\' && path[length + 1] != 0;
}

static int path_is_at_or_under(const char *path, const char *folder)
{
	return strcmp(path, folder) == 0 || path_is_under(path, folder);
}

/* The broad roots of ST-WSB-WRITE-PROFILE (§7 "How the rules read"), canonical. */
enum root_match {
	ROOT_EXACT,       /* the path itself */
	ROOT_ONE_CHILD,   /* exactly one component below it */
	ROOT_NAME_PREFIX  /* one component whose name starts with the last component ("Program Files*") */
};

static const struct {
	const char *path;
	enum root_match match;
	const char *label;
} PROFILE_ROOTS[] = {
	{"c:", ROOT_EXACT, "the drive root C:\\"},                         /* §7 */
	{"c:\\users", ROOT_EXACT, "C:\\Users"},                           /* §7, §5.1 */
	{"c:\\users", ROOT_ONE_CHILD, "a profile root C:\\Users\\<name>"}, /* §7, §5.1 */
	{"c:\\windows", ROOT_EXACT, "C:\\Windows"},                       /* §7, §5.1 */
	{"c:\\programdata", ROOT_EXACT, "C:\\ProgramData"},               /* §7, §5.1 */
	{"c:\\program files", ROOT_NAME_PREFIX, "C:\\Program Files*"},    /* §7 */
};

/* The label of the profile root CANONICAL is, or NULL if it is none. */
static const char *path_profile_root(const char *canonical)
{
	size_t i;

	for (i = 0; i < sizeof PROFILE_ROOTS / sizeof PROFILE_ROOTS[0]; i++) {
		const char *root = PROFILE_ROOTS[i].path;
		size_t length = strlen(root);

		switch (PROFILE_ROOTS[i].match) {
		case ROOT_EXACT:
			if (strcmp(canonical, root) == 0)
				return PROFILE_ROOTS[i].label;
			break;
		case ROOT_ONE_CHILD:
			if (path_is_under(canonical, root) && !strchr(canonical + length + 1, '\\'))
				return PROFILE_ROOTS[i].label;
			break;
		case ROOT_NAME_PREFIX:
			if (strncmp(canonical, root, length) == 0 && !strchr(canonical + length, '\\'))
				return PROFILE_ROOTS[i].label;
			break;
		}
	}
	return NULL;
}

/* The sandbox's own VSMB shares (base image, package): internal, never a mapped folder (§7). */
static const char *const INTERNAL_SHARE_ROOTS[] = {
	"c:\\programdata\\microsoft\\windows\\containers",
	"c:\\program files\\windowsapps",
};

/* System folders of ST-WSB-ODD-PLACE (§7, §0.1: the NPA's .wsb sat in C:\Windows\System32). */
static const struct {
	const char *path;
	const char *label;
} ODD_PLACES[] = {
	{"c:\\windows", "C:\\Windows"},
	{"c:\\programdata", "C:\\ProgramData"},
};

/* ---- accounts -------------------------------------------------------------------------------- */

/* Spellings of SYSTEM as a user (§7 "How the rules read") and, for ST-TRIG-SYSTEM only, of the
 * service accounts (§1.1 4688 subject, §4.1 task principal). Case-insensitive; PREFIX rows match
 * the start ("S-1-5-80-" = per-service SIDs). */
static const struct {
	const char *name;
	int prefix;
	int service; /* 1 = a service account, not SYSTEM itself */
} SYSTEM_ACCOUNTS[] = {
	{"System", 0, 0},
	{"NT AUTHORITY\\SYSTEM", 0, 0},
	{"S-1-5-18", 0, 0},
	{"LocalSystem", 0, 0}, /* task principal / TaskCache context name (§4.1, §4.2) */
	{"S-1-5-19", 0, 1},
	{"S-1-5-20", 0, 1},
	{"NT AUTHORITY\\LOCAL SERVICE", 0, 1},
	{"NT AUTHORITY\\NETWORK SERVICE", 0, 1},
	{"LOCAL SERVICE", 0, 1},
	{"NETWORK SERVICE", 0, 1},
	{"LocalService", 0, 1},
	{"NetworkService", 0, 1},
	{"S-1-5-80-", 1, 1},
};

/* NAME is SYSTEM (or, with WITH_SERVICES, a service account). */
static int account_is_system(const char *name, int with_services)
{
	size_t i;

	if (!has_text(name))
		return 0;
	while (is_space(*name))
		name++;
	for (i = 0; i < sizeof SYSTEM_ACCOUNTS / sizeof SYSTEM_ACCOUNTS[0]; i++) {
		if (SYSTEM_ACCOUNTS[i].service && !with_services)
			continue;
		if (SYSTEM_ACCOUNTS[i].prefix
			    ? strncasecmp(name, SYSTEM_ACCOUNTS[i].name,
					  strlen(SYSTEM_ACCOUNTS[i].name)) == 0
			    : equal_trimmed_nocase(name, SYSTEM_ACCOUNTS[i].name))
			return 1;
	}
	return 0;
}

/* ---- command lines --------------------------------------------------------------------------- */

/* What in a host-run command makes it a script (§7 ST-WSB-LOGON-SCRIPT). */
static const char *const SCRIPT_EXTENSIONS[] = {".bat", ".cmd", ".ps1", ".vbs", ".js"};

/* Describes why COMMAND runs a script ("a .bat file", "cmd /c", "powershell") into WHAT, or
 * returns 0 when it does not. -1 when memory runs out. */
static int command_runs_script(const char *command, const char **what, const char **which)
{
	struct cmdline_tokens words;
	size_t i, e;
	int found = 0;

	if (cmdline_split(command, CMDLINE_WORDS, &words) != 0)
		return -1;
	for (i = 0; i < words.count && !found; i++) {
		const char *word = words.items[i];

		for (e = 0; e < sizeof SCRIPT_EXTENSIONS / sizeof SCRIPT_EXTENSIONS[0]; e++) {
			if (ends_with_nocase(word, SCRIPT_EXTENSIONS[e]) &&
			    strlen(cmdline_word_basename(word)) > strlen(SCRIPT_EXTENSIONS[e])) {
				*what = SCRIPT_EXTENSIONS[e];
				*which = "a script file";
				found = 1;
				break;
			}
		}
		if (found)
			break;
		/* cmd /c (and /k, which also runs the command before it stays open), after any
		 * other switches ("cmd /d /q /c ...") */
		if (cmdline_word_is_program(word, "cmd")) {
			size_t j;

			for (j = i + 1; j < words.count && words.items[j][0] == '/'; j++) {
				if (strncasecmp(words.items[j], "/c", 2) == 0 ||
				    strncasecmp(words.items[j], "/k", 2) == 0) {
					*what = "cmd /c";
					*which = "the command interpreter";
					found = 1;
					break;
				}
			}
		} else if (cmdline_word_is_program(word, "powershell")) {
			*what = "powershell";
			*which = "PowerShell";
			found = 1;
		}
	}
	cmdline_tokens_free(&words);
	return found;
}

/* Programs that unpack archives (§7 ST-VM-UNPACK; 7zr/7zz are 7-Zip's other console builds). */
static const char *const UNPACKERS[] = {"7z", "7za", "7zr", "7zz", "tar", "expand", "extrac32",
					 "Expand-Archive"};

/* The unpacker COMMAND runs (static text) in *WHAT, 1; 0 if none; -1 when memory runs out. */
static int command_unpacks(const char *command, const char **what)
{
	struct cmdline_tokens words;
	size_t i, u;
	int found = 0;

	if (cmdline_split(command, CMDLINE_WORDS, &words) != 0)
		return -1;
	for (i = 0; i < words.count && !found; i++) {
		const char *name = cmdline_word_basename(words.items[i]);

		for (u = 0; u < sizeof UNPACKERS / sizeof UNPACKERS[0]; u++) {
			if (cmdline_word_is_program(words.items[i], UNPACKERS[u])) {
				*what = UNPACKERS[u];
				found = 1;
				break;
			}
		}
		/* a self-extractor can only be told by its name on the command line: "*sfx*.exe" */
		if (!found && ends_with_nocase(name, ".exe")) {
			size_t n;

			for (n = 0; name[n] && name[n + 1] && name[n + 2]; n++)
				if (strncasecmp(name + n, "sfx", 3) == 0) {
					*what = "a self-extractor";
					found = 1;
					break;
				}
		}
	}
	cmdline_tokens_free(&words);
	return found;
}

/* ---- wsb.exe calls (§5.2, decoded at ingest: parsers/wsb_cli.c) ----------------------------- */

/* One wsb.exe call tied to the session. */
struct wsb_call {
	const struct rules_wsb_call *source;
	int tied_by_id; /* 1: --id named the session's GUID; 0: tied by time */
};

/* GUID text equal to the session's, ignoring case, braces and white space. */
static int guid_equal(const char *text, const char *vm_guid)
{
	size_t length, guid_length = strlen(vm_guid);

	while (is_space(*text) || *text == '{')
		text++;
	length = strlen(text);
	while (length && (is_space(text[length - 1]) || text[length - 1] == '}'))
		length--;
	return guid_length && length == guid_length && strncasecmp(text, vm_guid, length) == 0;
}

static int call_verb_is(const struct wsb_call *call, const char *verb)
{
	return strcasecmp(call->source->verb, verb) == 0;
}

/* ---- what the checks share ------------------------------------------------------------------- */

/* A host folder shared into the VM: from the .wsb, from a tied "wsb share", or from a 301 share
 * that is not internal (host path only). */
struct mapped {
	const char *host;      /* as recorded */
	char *host_canonical;
	const char *sandbox;   /* as recorded; NULL when unknown (301) */
	char *sandbox_canonical;
	int read_only;         /* 1, 0, SESSION_UNKNOWN */
	const char *origin;    /* "the .wsb configuration", ... */
	const char *table;     /* basis table of ROW */
	int64_t row;
};

struct rules_input {
	const struct session *session;
	const struct rules_context *context;
	struct mapped *mapped;
	size_t mapped_count;
	struct wsb_call *calls; /* wsb.exe calls tied to the session */
	size_t call_count;
};

struct builder {
	struct strbuf reason;
	char **basis;
	size_t basis_count;
	int failed;
};

/* Adds "TABLE.id=ROW" to the basis once; rows <= 0 are "none" and skipped. */
static void builder_add_basis(struct builder *b, const char *table, int64_t row)
{
	struct strbuf text = STRBUF_INIT;
	char **grown, *entry;
	size_t i;

	if (row <= 0 || b->failed)
		return;
	strbuf_printf(&text, "%s.id=%lld", table, (long long)row);
	entry = strbuf_detach(&text);
	if (!entry) {
		b->failed = 1;
		return;
	}
	for (i = 0; i < b->basis_count; i++) {
		if (strcmp(b->basis[i], entry) == 0) {
			free(entry);
			return;
		}
	}
	grown = realloc(b->basis, (b->basis_count + 1) * sizeof *grown);
	if (!grown) {
		free(entry);
		b->failed = 1;
		return;
	}
	b->basis = grown;
	b->basis[b->basis_count++] = entry;
}

static void builder_clear(struct builder *b)
{
	size_t i;

	strbuf_free(&b->reason);
	for (i = 0; i < b->basis_count; i++)
		free(b->basis[i]);
	free(b->basis);
	memset(b, 0, sizeof *b);
}

/* Upper-cases the first letter of a reason whose first part began with a lower-case word. */
static void capitalise_first(struct strbuf *sb)
{
	if (sb->data && sb->data[0] >= 'a' && sb->data[0] <= 'z')
		sb->data[0] = (char)(sb->data[0] - 'a' + 'A');
}

/* ", and N more" when a rule matched more than one thing. */
static void append_more(struct strbuf *sb, size_t matches)
{
	if (matches > 1)
		strbuf_printf(sb, " (and %zu more)", matches - 1);
}

/* Ends a rule's reason: "(and N more)" and a full stop; returns whether the rule fired. */
static int finish_reason(struct builder *b, size_t matches)
{
	if (!matches)
		return 0;
	append_more(&b->reason, matches);
	strbuf_append_str(&b->reason, ".");
	return 1;
}

/* A check returns 1 when its rule fires (reason and basis in B; *SCORE may be lowered to the
 * row's reduced score), 0 when not, -1 when memory runs out. */
typedef int (*rule_check)(const struct rules_input *in, const struct rule *row,
			  struct builder *b, int *score);

/* ---- the checks, in table order -------------------------------------------------------------- */

/* ST-TRIG-TASK (§0, §4): the correlator names a task as the trigger. */
static int check_trig_task(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session_trigger *trigger = &in->session->trigger;

	(void)row;
	(void)score;
	if (!has_text(trigger->kind) || strcasecmp(trigger->kind, "task") != 0)
		return 0;
	strbuf_printf(&b->reason, "The sandbox was started by the scheduled task %s",
		      has_text(trigger->task_name) ? trigger->task_name : "(name not recorded)");
	if (has_text(trigger->link))
		strbuf_printf(&b->reason, " (trigger link %s%s%s)", trigger->link,
			      has_text(trigger->link_basis) ? ": " : "",
			      has_text(trigger->link_basis) ? trigger->link_basis : "");
	strbuf_append_str(&b->reason, ".");
	builder_add_basis(b, "tasks", trigger->task_id);
	builder_add_basis(b, "events", trigger->event_row);
	return 1;
}

/* ST-TRIG-SYSTEM (§1.1 4688, §4.1): launcher subject or task principal is SYSTEM / a service. */
static int check_trig_system(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	int parts = 0;

	(void)row;
	(void)score;
	if (account_is_system(s->launcher.subject_sid, 1)) {
		strbuf_printf(&b->reason, "the launcher %s ran as %s",
			      has_text(s->launcher.image) ? s->launcher.image : "process",
			      s->launcher.subject_sid);
		builder_add_basis(b, "events", s->launcher.event_row);
		parts++;
	}
	if (s->trigger.principal_is_system == 1) {
		strbuf_printf(&b->reason, "%sthe task principal is SYSTEM or a service",
			      parts ? "; " : "");
		if (has_text(s->trigger.user))
			strbuf_printf(&b->reason, " (%s)", s->trigger.user);
		builder_add_basis(b, "tasks", s->trigger.task_id);
		builder_add_basis(b, "events", s->trigger.event_row);
		parts++;
	} else if (account_is_system(s->trigger.user, 1)) {
		strbuf_printf(&b->reason, "%sthe trigger's user is %s", parts ? "; " : "",
			      s->trigger.user);
		builder_add_basis(b, "tasks", s->trigger.task_id);
		builder_add_basis(b, "events", s->trigger.event_row);
		parts++;
	}
	if (!parts)
		return 0;
	strbuf_append_str(&b->reason, ".");
	capitalise_first(&b->reason);
	return 1;
}

/* ST-TRIG-BOOT (§4): the starting task has a Boot or Logon trigger. */
static int check_trig_boot(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session_trigger *trigger = &in->session->trigger;

	(void)row;
	(void)score;
	if (trigger->runs_at_boot_or_logon != 1)
		return 0;
	strbuf_printf(&b->reason, "The starting task %s has a Boot or Logon trigger.",
		      has_text(trigger->task_name) ? trigger->task_name : "(name not recorded)");
	builder_add_basis(b, "tasks", trigger->task_id);
	builder_add_basis(b, "events", trigger->event_row);
	return 1;
}

/* Whether an earlier writable entry names the same host folder (a .wsb folder and its 301). */
static int mapped_seen_before(const struct rules_input *in, size_t index)
{
	size_t j;

	for (j = 0; j < index; j++)
		if (in->mapped[j].read_only == 0 && in->mapped[j].host_canonical &&
		    strcmp(in->mapped[j].host_canonical, in->mapped[index].host_canonical) == 0)
			return 1;
	return 0;
}

/* ST-WSB-WRITE-PROFILE (PROFILE 1) and ST-WSB-WRITE-OTHER (PROFILE 0), §5.1, §5.2, §7 notes:
 * writability comes from the configuration or the wsb share call, never from ShareFlags. */
static int check_write(const struct rules_input *in, struct builder *b, int profile)
{
	size_t i, matches = 0;

	for (i = 0; i < in->mapped_count; i++) {
		const struct mapped *m = &in->mapped[i];
		const char *root;

		if (m->read_only != 0 || !has_text(m->host_canonical))
			continue;
		root = path_profile_root(m->host_canonical);
		if (profile ? !root : root != NULL)
			continue;
		if (!matches) {
			strbuf_printf(&b->reason, "%s maps the host folder %s writable", m->origin,
				      m->host);
			if (root)
				strbuf_printf(&b->reason, " (broad root: %s)", root);
		}
		if (!mapped_seen_before(in, i))
			matches++;
		builder_add_basis(b, m->table, m->row);
	}
	if (!matches)
		return 0;
	append_more(&b->reason, matches);
	strbuf_append_str(&b->reason, ".");
	capitalise_first(&b->reason);
	return 1;
}

static int check_wsb_write_profile(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	(void)row;
	(void)score;
	return check_write(in, b, 1);
}

static int check_wsb_write_other(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	(void)row;
	(void)score;
	return check_write(in, b, 0);
}

/* The commands the host ran in the VM: the LogonCommand, then every 2500. INDEX 0 is the
 * LogonCommand; returns NULL past the end (and for an absent LogonCommand, "" is skipped by the
 * callers). */
struct host_command {
	const char *text;
	const char *label;
	const char *table;
	int64_t row;
};

static int host_command_at(const struct session *s, size_t index, struct host_command *out)
{
	if (index == 0) {
		out->text = s->wsb.logon_command;
		out->label = "The LogonCommand";
		out->table = "wsb_configs";
		out->row = s->wsb.config_id;
		return 1;
	}
	if (index - 1 < s->command_count) {
		out->text = s->commands[index - 1].command_line;
		out->label = "The command run in the VM (Hyper-V-Compute 2500)";
		out->table = "events";
		out->row = s->commands[index - 1].event_row;
		return 1;
	}
	return 0;
}

/* Whether an earlier host command has the same text (the LogonCommand shows again as a 2500). */
static int host_command_seen_before(const struct session *s, size_t index)
{
	struct host_command current, earlier;
	size_t j;

	if (!host_command_at(s, index, &current) || !has_text(current.text))
		return 0;
	for (j = 0; j < index && host_command_at(s, j, &earlier); j++)
		if (has_text(earlier.text) && equal_trimmed_nocase(earlier.text, current.text))
			return 1;
	return 0;
}

/* ST-WSB-LOGON-SCRIPT (§5.1, §1.4 2500). */
static int check_wsb_logon_script(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	struct host_command command;
	size_t i, matches = 0;

	(void)row;
	(void)score;
	for (i = 0; host_command_at(in->session, i, &command); i++) {
		const char *what = NULL, *which = NULL;
		int runs;

		if (!has_text(command.text))
			continue;
		runs = command_runs_script(command.text, &what, &which);
		if (runs < 0)
			return -1;
		if (!runs)
			continue;
		if (!matches)
			strbuf_printf(&b->reason, "%s \"%s\" runs %s (%s)", command.label,
				      command.text, which, what);
		if (!host_command_seen_before(in->session, i))
			matches++;
		builder_add_basis(b, command.table, command.row);
	}
	return finish_reason(b, matches);
}

/* Whether one argument of COMMAND lies strictly below SANDBOX_CANONICAL; the argument's text is
 * appended to HIT. Quoted arguments holding a whole command (cmd /c "...") are split once more. */
static int command_path_under(const char *command, const char *sandbox_canonical,
			      struct strbuf *hit)
{
	struct cmdline_tokens arguments, inner;
	size_t i, j;
	int found = 0;

	if (cmdline_split(command, CMDLINE_ARGUMENTS, &arguments) != 0)
		return -1;
	for (i = 0; i < arguments.count && !found; i++) {
		const char *argument = arguments.items[i];
		char *canonical;

		if (!strchr(argument, '\\') && !strchr(argument, '/'))
			continue;
		canonical = path_normalise(argument);
		if (!canonical) {
			found = -1;
			break;
		}
		if (path_is_under(canonical, sandbox_canonical)) {
			strbuf_append_str(hit, argument);
			found = 1;
		}
		free(canonical);
		if (found || !strpbrk(argument, " \t"))
			continue;
		if (cmdline_split(argument, CMDLINE_ARGUMENTS, &inner) != 0) {
			found = -1;
			break;
		}
		for (j = 0; j < inner.count && !found; j++) {
			canonical = path_normalise(inner.items[j]);
			if (!canonical) {
				found = -1;
				break;
			}
			if (path_is_under(canonical, sandbox_canonical)) {
				strbuf_append_str(hit, inner.items[j]);
				found = 1;
			}
			free(canonical);
		}
		cmdline_tokens_free(&inner);
	}
	cmdline_tokens_free(&arguments);
	return found;
}

/* ST-WSB-LOGON-FROM-SHARE (§5.1, §7 notes): a path of a host-run command lies strictly below the
 * sandbox path of a mapped or shared folder (the folder itself is not a file run from it). */
static int check_wsb_logon_from_share(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	struct host_command command;
	size_t i, f, matches = 0;

	(void)row;
	(void)score;
	for (i = 0; host_command_at(in->session, i, &command); i++) {
		if (!has_text(command.text))
			continue;
		for (f = 0; f < in->mapped_count; f++) {
			const struct mapped *m = &in->mapped[f];
			struct strbuf hit = STRBUF_INIT;
			int under;

			if (!has_text(m->sandbox_canonical))
				continue;
			under = command_path_under(command.text, m->sandbox_canonical, &hit);
			if (under < 0 || strbuf_failed(&hit)) {
				strbuf_free(&hit);
				return -1;
			}
			if (under) {
				if (!matches)
					strbuf_printf(&b->reason,
						      "%s runs %s, below %s, the sandbox path of "
						      "the host folder %s (%s)",
						      command.label, strbuf_text(&hit), m->sandbox,
						      m->host, m->origin);
				if (!matches || !host_command_seen_before(in->session, i))
					matches++;
				builder_add_basis(b, command.table, command.row);
				builder_add_basis(b, m->table, m->row);
			}
			strbuf_free(&hit);
		}
	}
	return finish_reason(b, matches);
}

/* Whether the session's launch used a configuration: a .wsb path (found or not) or a stored one
 * (an inline `wsb start --config`). A Start-menu launch of WindowsSandbox.exe has neither. */
static int session_uses_configuration(const struct session *s)
{
	return has_text(s->wsb.path) || s->wsb.config_id > 0;
}

/* §5.1: how the effective Networking value of a configuration came about (wsb_configs origin),
 * and whether that is the documented default ("enabled") rather than the file's own choice. */
static const struct {
	const char *origin;
	int by_default;
	const char *how;
} NETWORKING_ORIGINS[] = {
	{"explicit", 0, "explicitly in the configuration"},
	{"absent", 1, "by default (the configuration has no <Networking> element)"},
	{"default", 1, "by default (the configuration's <Networking> says Default)"},
};

/* ST-NET-ON (§5.1, §7.8, §1.2 VmSwitch): effective networking, explicit or by default, or a linked
 * NIC connect. "By default" needs to know how the sandbox was launched: a launcher record with no
 * configuration (§5.1: no configuration means every default, networking enabled), or a
 * configuration that leaves <Networking> at its default; and it does not hold when the group
 * policy AllowNetworking is disabled (§2.2). With no launcher nothing is known of the launch and
 * nothing is claimed. */
static int check_net_on(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	const struct rules_context *c = in->context;
	size_t i, connects = 0;
	const struct session_network *first = NULL;
	int parts = 0, by_default = 0;
	const char *how = NULL;

	(void)row;
	(void)score;
	if (s->wsb.networking == 1) {
		for (i = 0; i < sizeof NETWORKING_ORIGINS / sizeof NETWORKING_ORIGINS[0]; i++)
			if (has_text(s->wsb.networking_origin) &&
			    strcasecmp(s->wsb.networking_origin, NETWORKING_ORIGINS[i].origin) == 0) {
				by_default = NETWORKING_ORIGINS[i].by_default;
				how = NETWORKING_ORIGINS[i].how;
			}
	} else if (s->wsb.networking == SESSION_UNKNOWN && !session_uses_configuration(s) &&
		   s->launcher.event_row > 0) {
		by_default = 1;
		how = "by default (the launcher used no configuration: no .wsb, no inline config)";
	}
	/* §2.2: a disabled policy turns the default off; the explicit setting is judged as written */
	if (by_default && has_text(c->networking_policy) &&
	    strcasecmp(c->networking_policy, "disabled") == 0)
		how = NULL;
	else if (s->wsb.networking == 1 && !how)
		how = "(whether explicitly or by default is not recorded)";
	if (how) {
		strbuf_printf(&b->reason, "Networking is on %s", how);
		if (has_text(s->wsb.path))
			strbuf_printf(&b->reason, " of %s", s->wsb.path);
		builder_add_basis(b, "wsb_configs", s->wsb.config_id);
		if (by_default) {
			if (s->launcher.event_row > 0) {
				char when[40];

				format_time(s->launcher.time, when, sizeof when);
				strbuf_printf(&b->reason, "; launcher record: %s at %s",
					      has_text(s->launcher.image) ? s->launcher.image
									  : "(image not recorded)",
					      when);
				builder_add_basis(b, "events", s->launcher.event_row);
			}
			if (has_text(c->networking_policy)) {
				strbuf_printf(&b->reason, "; group policy AllowNetworking %s",
					      c->networking_policy);
				builder_add_basis(b, "facts", c->networking_policy_row);
			} else {
				strbuf_append_str(&b->reason, "; group policy AllowNetworking unknown "
							      "(no policy fact)");
			}
		}
		parts++;
	}
	for (i = 0; i < s->network_count; i++) {
		if (!has_text(s->network[i].event) ||
		    strcasecmp(s->network[i].event, "nic-connected") != 0)
			continue;
		if (!first)
			first = &s->network[i];
		connects++;
		builder_add_basis(b, "events", s->network[i].event_row);
	}
	if (first) {
		strbuf_printf(&b->reason, "%s VmSwitch NIC connect", parts ? "; a" : "A");
		if (has_text(first->nic_name))
			strbuf_printf(&b->reason, " of %s", first->nic_name);
		strbuf_printf(&b->reason, " is linked to the session (link %s)",
			      has_text(first->link) ? first->link : "not stated");
		append_more(&b->reason, connects);
		parts++;
	}
	if (!parts)
		return 0;
	strbuf_append_str(&b->reason, ".");
	return 1;
}

/* ST-CLI-EXEC-SYSTEM (§5.2): wsb exec --run-as System, or a 2500 with a System user. */
static int check_cli_exec_system(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	size_t i, matches = 0;

	(void)row;
	(void)score;
	for (i = 0; i < in->call_count; i++) {
		const struct wsb_call *call = &in->calls[i];

		if (!call_verb_is(call, "exec") || !account_is_system(call->source->run_as, 0))
			continue;
		if (!matches)
			strbuf_printf(&b->reason,
				      "The host ran \"%s\" in the sandbox as %s through wsb exec (%s)",
				      has_text(call->source->command) ? call->source->command : "(no command)",
				      call->source->run_as,
				      call->tied_by_id ? "its --id is this VM" : "by time, no --id");
		matches++;
		builder_add_basis(b, "events", call->source->event_row);
	}
	for (i = 0; i < s->command_count; i++) {
		if (!account_is_system(s->commands[i].user, 0))
			continue;
		if (!matches)
			strbuf_printf(&b->reason,
				      "The host ran \"%s\" in the sandbox as user %s "
				      "(Hyper-V-Compute 2500)",
				      has_text(s->commands[i].command_line)
					      ? s->commands[i].command_line
					      : "(no command line)",
				      s->commands[i].user);
		matches++;
		builder_add_basis(b, "events", s->commands[i].event_row);
	}
	return finish_reason(b, matches);
}

/* ST-CLI-SHARE-WRITE (§5.2): wsb share / map with --allow-write. */
static int check_cli_share_write(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	size_t i, matches = 0;

	(void)row;
	(void)score;
	for (i = 0; i < in->call_count; i++) {
		const struct wsb_call *call = &in->calls[i];

		if (!(call_verb_is(call, "share") || call_verb_is(call, "map")) ||
		    !call->source->allow_write)
			continue;
		if (!matches)
			strbuf_printf(&b->reason,
				      "The host command \"wsb %s\" shared the host folder %s into the "
				      "running sandbox at %s with --allow-write (%s)",
				      call->source->verb, has_text(call->source->host_path) ? call->source->host_path : "(none)",
				      has_text(call->source->sandbox_path) ? call->source->sandbox_path : "(none)",
				      call->tied_by_id ? "its --id is this VM" : "by time, no --id");
		matches++;
		builder_add_basis(b, "events", call->source->event_row);
	}
	return finish_reason(b, matches);
}

/* ST-VM-UNPACK (§1.4 2500): judged on the command line the host recorded, never on what a batch
 * file might do inside the VM (§7 notes). */
static int check_vm_unpack(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	size_t i, matches = 0;

	(void)row;
	(void)score;
	for (i = 0; i < s->command_count; i++) {
		const char *what = NULL;
		int unpacks;

		if (!has_text(s->commands[i].command_line))
			continue;
		unpacks = command_unpacks(s->commands[i].command_line, &what);
		if (unpacks < 0)
			return -1;
		if (!unpacks)
			continue;
		if (!matches)
			strbuf_printf(&b->reason,
				      "The command run in the VM (Hyper-V-Compute 2500) \"%s\" runs %s",
				      s->commands[i].command_line, what);
		matches++;
		builder_add_basis(b, "events", s->commands[i].event_row);
	}
	return finish_reason(b, matches);
}

/* ST-ARCHIVE-DISGUISED (§5.3): 25 when encrypted, the row's reduced score (15) when not or not
 * known. */
static int check_archive_disguised(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct rules_context *c = in->context;
	const struct rules_archive *first = NULL;
	const struct mapped *first_folder = NULL;
	size_t i, f, matches = 0;
	int encrypted = 0;

	for (i = 0; i < c->archive_count; i++) {
		const struct rules_archive *archive = &c->archives[i];
		char *canonical;

		if (archive->name_mismatch != 1 || !has_text(archive->path))
			continue;
		canonical = path_normalise(archive->path);
		if (!canonical)
			return -1;
		for (f = 0; f < in->mapped_count; f++) {
			if (!has_text(in->mapped[f].host_canonical) ||
			    !path_is_under(canonical, in->mapped[f].host_canonical))
				continue;
			if (!first || (archive->encrypted == 1 && !encrypted)) {
				first = archive;
				first_folder = &in->mapped[f];
			}
			if (archive->encrypted == 1)
				encrypted = 1;
			matches++;
			builder_add_basis(b, "archives", archive->archive_row);
			builder_add_basis(b, in->mapped[f].table, in->mapped[f].row);
			break;
		}
		free(canonical);
	}
	if (!matches)
		return 0;
	strbuf_printf(&b->reason, "The archive %s, whose name does not say archive, is %s and lies in "
				  "the mapped host folder %s",
		      first->path,
		      first->encrypted == 1   ? "encrypted"
		      : first->encrypted == 0 ? "not encrypted"
					      : "of unknown encryption",
		      first_folder->host);
	append_more(&b->reason, matches);
	strbuf_append_str(&b->reason, ".");
	if (!encrypted)
		*score = row->reduced_score;
	return 1;
}

/* ST-TASK-HIDDEN (§4.2): the correlator's hidden flag (Hidden=true or a TaskCache finding). */
static int check_task_hidden(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session_trigger *trigger = &in->session->trigger;

	(void)row;
	(void)score;
	if (trigger->hidden != 1)
		return 0;
	strbuf_printf(&b->reason,
		      "The starting task %s is hidden (Settings/Hidden=true or a TaskCache hiding "
		      "finding).",
		      has_text(trigger->task_name) ? trigger->task_name : "(name not recorded)");
	builder_add_basis(b, "tasks", trigger->task_id);
	return 1;
}

/* ST-WSB-ODD-PLACE (§0.1): the .wsb lies below C:\Windows or C:\ProgramData. */
static int check_wsb_odd_place(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	char *canonical;
	size_t i;
	int fired = 0;

	(void)row;
	(void)score;
	if (!has_text(s->wsb.path))
		return 0;
	canonical = path_normalise(s->wsb.path);
	if (!canonical)
		return -1;
	for (i = 0; i < sizeof ODD_PLACES / sizeof ODD_PLACES[0]; i++) {
		if (!path_is_under(canonical, ODD_PLACES[i].path))
			continue;
		strbuf_printf(&b->reason, "The configuration file %s lies below the system folder %s.",
			      s->wsb.path, ODD_PLACES[i].label);
		builder_add_basis(b, "wsb_configs", s->wsb.config_id);
		builder_add_basis(b, "events", s->launcher.event_row);
		fired = 1;
		break;
	}
	free(canonical);
	return fired;
}

/* Whether OTHER (a session of the case) ran before S and after the change at CHANGED. A session
 * of unknown start counts by its end when that end is known and lies between the two. */
static int session_precedes(const struct session *other, const struct session *s, uint64_t changed)
{
	uint64_t at = other->start ? other->start : other->end;

	if (!at || at < changed)
		return 0;
	if (at < s->start)
		return 1;
	return other->start && at == s->start && other->id > 0 && s->id > 0 && other->id < s->id;
}

static int same_session(const struct session *a, const struct session *b)
{
	return a == b || (a->id > 0 && a->id == b->id);
}

/* ST-FEATURE-FRESH (§2.1, §7 notes): only the first session after the change, within 7 days. */
static int check_feature_fresh(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	const struct rules_context *c = in->context;
	char changed_text[40], start_text[40];
	size_t i;

	(void)row;
	(void)score;
	if (!c->feature_changed || !s->start || s->start < c->feature_changed ||
	    s->start - c->feature_changed > FEATURE_FRESH_WINDOW)
		return 0;
	for (i = 0; i < c->session_count; i++)
		if (!same_session(&c->sessions[i], s) &&
		    session_precedes(&c->sessions[i], s, c->feature_changed))
			return 0;
	format_time(c->feature_changed, changed_text, sizeof changed_text);
	format_time(s->start, start_text, sizeof start_text);
	strbuf_printf(&b->reason, "The Windows Sandbox feature state changed at %s", changed_text);
	if (has_text(c->feature_changed_basis))
		strbuf_printf(&b->reason, " (%s)", c->feature_changed_basis);
	strbuf_printf(&b->reason, " and this, the first session after it, started at %s, ",
		      start_text);
	append_duration(&b->reason, s->start - c->feature_changed);
	strbuf_append_str(&b->reason, " later.");
	builder_add_basis(b, "facts", c->feature_fact_row);
	return 1;
}

/* ST-LOG-CLEARED (§1.1 1102, §1.2 104): within [start, end + 24 h]; an unknown end counts as the
 * start (the window is then the 24 h after the start). */
static int check_log_cleared(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	const struct rules_context *c = in->context;
	uint64_t end;
	size_t i, matches = 0;

	(void)row;
	(void)score;
	if (!s->start)
		return 0;
	end = s->end >= s->start ? s->end : s->start;
	for (i = 0; i < c->log_clear_count; i++) {
		const struct rules_log_clear *clear = &c->log_clears[i];
		char when[40];

		if (clear->event_id != 1102 && clear->event_id != 104)
			continue;
		if (clear->time < s->start)
			continue;
		if (clear->time > end && clear->time - end > LOG_CLEARED_AFTER)
			continue;
		if (!matches) {
			format_time(clear->time, when, sizeof when);
			strbuf_printf(&b->reason, "%s at %s, ",
				      clear->event_id == 1102
					      ? "The Security log was cleared (Security 1102)"
					      : "An event log was cleared (System 104)",
				      when);
			if (clear->time <= end) {
				strbuf_append_str(&b->reason, "within the session");
			} else {
				append_duration(&b->reason, clear->time - end);
				strbuf_append_str(&b->reason, " after its end");
			}
		}
		matches++;
		builder_add_basis(b, "events", clear->event_row);
	}
	return finish_reason(b, matches);
}

/* ST-REPEATED (§6, §7.17): three or more sessions of the case, this one included, with the same
 * launcher command line or the same .wsb path. The rule is about a configuration used again:
 * sessions launched without one (the Start menu's bare WindowsSandbox.exe, whose command lines
 * are all alike) neither fire it nor count towards it. */
static int check_repeated(const struct rules_input *in, const struct rule *row,
			   struct builder *b, int *score)
{
	const struct session *s = in->session;
	const struct rules_context *c = in->context;
	char *wsb_canonical = NULL;
	size_t i, by_command = 1, by_wsb = 1;
	int fired = 0;

	(void)row;
	(void)score;
	if (!session_uses_configuration(s))
		return 0;
	if (has_text(s->wsb.path)) {
		wsb_canonical = path_normalise(s->wsb.path);
		if (!wsb_canonical)
			return -1;
		if (!*wsb_canonical) {
			free(wsb_canonical);
			wsb_canonical = NULL;
		}
	}
	for (i = 0; i < c->session_count; i++) {
		const struct session *other = &c->sessions[i];

		if (same_session(other, s) || !session_uses_configuration(other))
			continue;
		if (has_text(s->launcher.command_line) && has_text(other->launcher.command_line) &&
		    equal_trimmed_nocase(s->launcher.command_line, other->launcher.command_line))
			by_command++;
		if (wsb_canonical && has_text(other->wsb.path)) {
			char *other_canonical = path_normalise(other->wsb.path);

			if (!other_canonical) {
				free(wsb_canonical);
				return -1;
			}
			if (strcmp(other_canonical, wsb_canonical) == 0)
				by_wsb++;
			free(other_canonical);
		}
	}
	if (has_text(s->launcher.command_line) && by_command >= REPEATED_MIN_SESSIONS) {
		strbuf_printf(&b->reason, "%zu sessions of the case ran the launcher command line %s",
			      by_command, s->launcher.command_line);
		builder_add_basis(b, "events", s->launcher.event_row);
		fired = 1;
	}
	if (wsb_canonical && by_wsb >= REPEATED_MIN_SESSIONS) {
		strbuf_printf(&b->reason, "%s%zu sessions of the case used the configuration %s",
			      fired ? "; " : "", by_wsb, s->wsb.path);
		builder_add_basis(b, "wsb_configs", s->wsb.config_id);
		fired = 1;
	}
	free(wsb_canonical);
	if (fired)
		strbuf_append_str(&b->reason, ".");
	return fired;
}

static const rule_check CHECKS[] = {
#define RULE(name, id, title, score, reduced_score, attack, condition, section) check_##name,
#include "correlate/rules.def"
#undef RULE
};

_Static_assert(sizeof CHECKS / sizeof CHECKS[0] == RULE_COUNT, "one check per rules.def row");

/* ---- evaluation ------------------------------------------------------------------------------ */

static void input_clear(struct rules_input *in)
{
	size_t i;

	for (i = 0; i < in->mapped_count; i++) {
		free(in->mapped[i].host_canonical);
		free(in->mapped[i].sandbox_canonical);
	}
	free(in->mapped);
	free(in->calls);
}

static int mapped_add(struct rules_input *in, const char *host, const char *sandbox,
		      int read_only, const char *origin, const char *table, int64_t row)
{
	struct mapped *m = &in->mapped[in->mapped_count];

	memset(m, 0, sizeof *m);
	m->host = host;
	m->sandbox = has_text(sandbox) ? sandbox : NULL;
	m->read_only = read_only;
	m->origin = origin;
	m->table = table;
	m->row = row;
	m->host_canonical = path_normalise(host);
	if (m->sandbox)
		m->sandbox_canonical = path_normalise(m->sandbox);
	in->mapped_count++;
	return m->host_canonical && (!m->sandbox || m->sandbox_canonical) ? 0 : -1;
}

static int share_is_internal(const struct session_share *share, const char *canonical)
{
	size_t i;

	if (share->internal == 1)
		return 1;
	for (i = 0; i < sizeof INTERNAL_SHARE_ROOTS / sizeof INTERNAL_SHARE_ROOTS[0]; i++)
		if (path_is_at_or_under(canonical, INTERNAL_SHARE_ROOTS[i]))
			return 1;
	return 0;
}

/* Ties the context's wsb.exe calls to S and collects every mapped folder of S. */
static int input_prepare(struct rules_input *in)
{
	const struct session *s = in->session;
	const struct rules_context *c = in->context;
	size_t i, capacity;

	in->calls = calloc(c->wsb_call_count + 1, sizeof *in->calls);
	if (!in->calls)
		return -1;
	for (i = 0; i < c->wsb_call_count; i++) {
		const struct rules_wsb_call *source = &c->wsb_calls[i];
		struct wsb_call *call = &in->calls[in->call_count];
		int tied;

		if (!has_text(source->verb))
			continue;
		call->source = source;
		if (has_text(source->id)) {
			tied = guid_equal(source->id, s->vm_guid);
			call->tied_by_id = tied;
		} else {
			tied = s->start && s->end && source->time >= s->start && source->time <= s->end;
		}
		if (tied)
			in->call_count++;
	}

	capacity = s->wsb.folder_count + in->call_count + s->share_count + 1;
	in->mapped = calloc(capacity, sizeof *in->mapped);
	if (!in->mapped)
		return -1;
	for (i = 0; i < s->wsb.folder_count; i++) {
		const struct session_mapped_folder *folder = &s->wsb.folders[i];

		if (!has_text(folder->host))
			continue;
		if (mapped_add(in, folder->host, folder->sandbox, folder->read_only,
			       "the .wsb configuration", "wsb_configs", s->wsb.config_id) != 0)
			return -1;
	}
	for (i = 0; i < in->call_count; i++) {
		const struct wsb_call *call = &in->calls[i];

		if (!(call_verb_is(call, "share") || call_verb_is(call, "map")) ||
		    !has_text(call->source->host_path))
			continue;
		if (mapped_add(in, call->source->host_path, call->source->sandbox_path,
			       call->source->allow_write ? 0 : 1,
			       "a wsb share command", "events", call->source->event_row) != 0)
			return -1;
	}
	for (i = 0; i < s->share_count; i++) {
		const struct session_share *share = &s->shares[i];
		char *canonical;
		int internal;

		if (!has_text(share->host_path))
			continue;
		canonical = path_normalise(share->host_path);
		if (!canonical)
			return -1;
		internal = share_is_internal(share, canonical);
		free(canonical);
		if (internal)
			continue;
		/* read_only here is the matching .wsb folder's, never decoded from ShareFlags */
		if (mapped_add(in, share->host_path, NULL, share->read_only,
			       "a Hyper-V-VSmb 301 share", "events", share->event_row) != 0)
			return -1;
	}
	return 0;
}

void rules_free_findings(struct finding *findings, size_t count)
{
	size_t i, j;

	if (!findings)
		return;
	for (i = 0; i < count; i++) {
		free(findings[i].reason);
		for (j = 0; j < findings[i].basis_count; j++)
			free(findings[i].basis[j]);
		free(findings[i].basis);
	}
	free(findings);
}

int rules_evaluate(const struct session *session, const struct rules_context *context,
		   struct finding **findings, size_t *count)
{
	static const struct rules_context empty_context;
	struct rules_input in;
	struct finding *out = NULL;
	size_t used = 0, i;
	int rc = -1;

	if (findings)
		*findings = NULL;
	if (count)
		*count = 0;
	if (!session || !findings || !count)
		return -1;
	memset(&in, 0, sizeof in);
	in.session = session;
	in.context = context ? context : &empty_context;
	if (input_prepare(&in) != 0)
		goto out;
	out = calloc(RULE_COUNT, sizeof *out);
	if (!out)
		goto out;
	for (i = 0; i < RULE_COUNT; i++) {
		struct builder b;
		int score = RULES[i].score, fired;

		memset(&b, 0, sizeof b);
		fired = CHECKS[i](&in, &RULES[i], &b, &score);
		if (fired < 0 || b.failed || strbuf_failed(&b.reason)) {
			builder_clear(&b);
			goto out;
		}
		if (!fired) {
			builder_clear(&b);
			continue;
		}
		out[used].id = RULES[i].id;
		out[used].title = RULES[i].title;
		out[used].attack = RULES[i].attack;
		out[used].section = RULES[i].section;
		out[used].score = score;
		out[used].reason = strbuf_detach(&b.reason);
		out[used].basis = b.basis;
		out[used].basis_count = b.basis_count;
		used++;
		if (!out[used - 1].reason) {
			builder_clear(&b);
			out[used - 1].basis = NULL;
			out[used - 1].basis_count = 0;
			goto out;
		}
	}
	rc = 0;
out:
	input_clear(&in);
	if (rc != 0) {
		rules_free_findings(out, used);
		return -1;
	}
	if (!used) {
		free(out);
		out = NULL;
	}
	*findings = out;
	*count = used;
	return 0;
}
