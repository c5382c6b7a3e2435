/*
 * servicing_log.c - reading CBS.log and dism.log for the lines that name the Windows Sandbox
 * feature (METHOD.md §2.8). Interface and ownership: servicing_log.h.
 *
 * Microsoft publishes no grammar of these logs. The record prefix is the one every public sample
 * shows; the wordings that say a feature was turned on or off are one table (ACTION_RULES), each
 * row saying where the wording comes from, and a line naming the feature that no row matches is
 * kept as a mention, never dropped and never read as a change.
 */
#include "parsers/servicing_log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "utf8.h"

/*
 * What a line naming the feature says was done, by its wording (case-insensitive substrings of
 * the message); the first row that matches decides. UNLESS, when set, is a wording that makes the
 * row not apply (a plan line whose current and target states are both "Installed" changes
 * nothing). All rows are wordings seen in public samples of the logs or in the documented
 * command lines; which of them Windows 10/11 writes for this feature is unconfirmed (§2.8).
 */
static const struct action_rule {
	const char *wording;
	const char *unless;
	enum servicing_action action;
	const char *basis;
} ACTION_RULES[] = {
	/* dism.exe logs its own command line ("Executing command line: ... /Enable-Feature ...") */
	{"/enable-feature", NULL, SERVICING_ENABLE, "DISM command line with /Enable-Feature"},
	{"/disable-feature", NULL, SERVICING_DISABLE, "DISM command line with /Disable-Feature"},
	/* the PowerShell cmdlets of the DISM module */
	{"enable-windowsoptionalfeature", NULL, SERVICING_ENABLE,
	 "Enable-WindowsOptionalFeature named in the log"},
	{"disable-windowsoptionalfeature", NULL, SERVICING_DISABLE,
	 "Disable-WindowsOptionalFeature named in the log"},
	/* CBS plan lines: "Update: <name>, current: <state>, ..., targeted: <state>" */
	{"targeted: installed", "current: installed", SERVICING_ENABLE,
	 "CBS plan targets the state Installed"},
	{"targeted: staged", "current: staged", SERVICING_DISABLE, "CBS plan targets the state Staged"},
	{"targeted: absent", "current: absent", SERVICING_DISABLE, "CBS plan targets the state Absent"},
	{"targeted: removed", "current: removed", SERVICING_DISABLE,
	 "CBS plan targets the state Removed"},
	/* state changes: "... start state: Installed, target state: Absent" */
	{"target state: installed", "start state: installed", SERVICING_ENABLE,
	 "state change with target state Installed"},
	{"target state: absent", "start state: absent", SERVICING_DISABLE,
	 "state change with target state Absent"},
	{"target state: staged", "start state: staged", SERVICING_DISABLE,
	 "state change with target state Staged"},
	/* the Setup log's wording for selectable updates, also written to CBS.log */
	{"turn on", NULL, SERVICING_ENABLE, "\"turn on\" the update"},
	{"turned on", NULL, SERVICING_ENABLE, "update \"turned on\""},
	{"turn off", NULL, SERVICING_DISABLE, "\"turn off\" the update"},
	{"turned off", NULL, SERVICING_DISABLE, "update \"turned off\""},
	/* plain wording ("Enabling feature ...", "Disabling feature ...") */
	{"disabl", NULL, SERVICING_DISABLE, "the word disable(d/ing)"},
	{"enabl", NULL, SERVICING_ENABLE, "the word enable(d/ing)"},
};

const char *servicing_action_name(enum servicing_action action)
{
	switch (action) {
	case SERVICING_ENABLE: return "enable";
	case SERVICING_DISABLE: return "disable";
	default: return "mention";
	}
}

/* "YYYY-MM-DD HH:MM:SS, " with plausible fields; returns its length (21) or 0. */
static size_t record_prefix(const char *text, size_t length)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd, ";
	size_t n = sizeof shape - 1;

	if (length < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)text[i]) : text[i] != shape[i])
			return 0;
	int month = (text[5] - '0') * 10 + (text[6] - '0'), day = (text[8] - '0') * 10 + (text[9] - '0');
	int hour = (text[11] - '0') * 10 + (text[12] - '0');
	int minute = (text[14] - '0') * 10 + (text[15] - '0');
	int second = (text[17] - '0') * 10 + (text[18] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
		return 0;
	return n;
}

int servicing_log_sniff(const unsigned char *head, size_t head_size)
{
	char text[64] = "";
	size_t n = 0, i = 0;
	int utf16 = 0;

	if (head_size >= 2 && head[0] == 0xFF && head[1] == 0xFE)
		utf16 = 1, i = 2;
	else if (head_size >= 2 && isdigit(head[0]) && head[1] == 0)
		utf16 = 1;
	else if (head_size >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < head_size && n + 1 < sizeof text) {
		if (utf16 && (i + 1 >= head_size || head[i + 1] != 0))
			break;
		text[n++] = (char)head[i];
		i += utf16 ? 2 : 1;
	}
	size_t prefix = record_prefix(text, n);
	/* the level: a word of letters after the prefix */
	return prefix && prefix < n && isalpha((unsigned char)text[prefix]);
}

void servicing_log_init(struct servicing_log *log)
{
	memset(log, 0, sizeof *log);
}

/* Copies the next whitespace-delimited word at *P (at most SIZE - 1 bytes) and skips the blanks
 * after it. */
static void take_word(const char **p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	while (*p < end && !isspace((unsigned char)**p)) {
		if (n + 1 < size)
			out[n++] = **p;
		(*p)++;
	}
	out[n] = '\0';
	while (*p < end && isspace((unsigned char)**p))
		(*p)++;
}

/* Whether NEEDLE occurs in TEXT (LENGTH bytes), ignoring ASCII case. */
static int contains(const char *text, size_t length, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n && i + n <= length; i++)
		if (strncasecmp(text + i, needle, n) == 0)
			return 1;
	return 0;
}

/* The line in log->line is complete: keep it when it names the feature. */
static int line_done(struct servicing_log *log)
{
	const char *text = log->line, *end = log->line + log->line_length, *p;
	size_t prefix;
	struct servicing_line *row;
	char level[16] = "", component[16] = "";

	log->lines_read++;
	if (log->line_cut)
		log->lines_cut++;
	/* valid UTF-8 is kept; any other byte (an ANSI code page, a sequence cut at the line's
	 * limit) becomes '?', in place */
	for (size_t i = 0; i < log->line_length;) {
		size_t n = utf8_decode((const unsigned char *)text + i, log->line_length - i, NULL);
		if (n == 0) {
			log->line[i++] = '?';
			continue;
		}
		i += n;
	}
	if (log->line_length && text[log->line_length - 1] == '\r')
		end--;
	prefix = record_prefix(text, (size_t)(end - text));
	p = text + prefix;
	if (prefix) {
		log->lines_dated++;
		log->last_dated = log->lines_read;
		memcpy(log->last_time, text, 19);
		log->last_time[19] = '\0';
		take_word(&p, end, level, sizeof level);
		take_word(&p, end, component, sizeof component);
	}
	if (!contains(p, (size_t)(end - p), SERVICING_FEATURE))
		return 0;
	if (log->count >= SERVICING_KEPT_MAX) {
		log->lines_not_kept++;
		return 0;
	}
	if (log->count == log->capacity) {
		size_t grown = log->capacity ? log->capacity * 2 : 16;
		struct servicing_line *lines = realloc(log->lines, grown * sizeof *lines);
		if (!lines)
			return -1;
		log->lines = lines;
		log->capacity = grown;
	}
	row = &log->lines[log->count];
	memset(row, 0, sizeof *row);
	row->line_number = log->lines_read;
	row->offset = log->line_start;
	row->continues = prefix ? 0 : log->last_dated;
	memcpy(row->local_time, log->last_time, sizeof row->local_time);
	memcpy(row->level, level, sizeof row->level);
	memcpy(row->component, component, sizeof row->component);
	row->action = SERVICING_MENTION;
	row->action_basis = "names the feature; no wording of a change";
	for (size_t i = 0; i < sizeof ACTION_RULES / sizeof ACTION_RULES[0]; i++) {
		const struct action_rule *rule = &ACTION_RULES[i];
		if (contains(p, (size_t)(end - p), rule->wording) &&
		    !(rule->unless && contains(p, (size_t)(end - p), rule->unless))) {
			row->action = rule->action;
			row->action_basis = rule->basis;
			break;
		}
	}
	if (!row->local_time[0] && row->action == SERVICING_MENTION)
		row->action_basis = "names the feature before any dated line";
	if (!(row->message = malloc((size_t)(end - p) + 1)))
		return -1;
	memcpy(row->message, p, (size_t)(end - p));
	row->message[end - p] = '\0';
	log->count++;
	return 0;
}

/* Adds the UTF-8 bytes of one character to the line; NEXT is the file offset after it. Returns
 * -1 when out of memory. */
static int take(struct servicing_log *log, const char *bytes, size_t n, uint64_t next)
{
	if (n == 1 && bytes[0] == '\n') {
		int rc = line_done(log);
		log->line_length = 0;
		log->line_cut = 0;
		log->line_start = next;
		return rc;
	}
	if (log->line_length + n > SERVICING_LINE_MAX) {
		log->line_cut = 1;
		return 0;
	}
	if (!log->line && !(log->line = malloc(SERVICING_LINE_MAX + 1)))
		return -1;
	memcpy(log->line + log->line_length, bytes, n);
	log->line_length += n;
	return 0;
}

/* One UTF-16 unit: ASCII as it is, other BMP characters as UTF-8, surrogates as U+FFFD (the
 * record prefix and the feature's name are ASCII). */
static int take_unit(struct servicing_log *log, unsigned unit, uint64_t next)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	if (unit < 0x80) {
		char c = unit ? (char)unit : '?';
		return take(log, &c, 1, next);
	}
	strbuf_append_codepoint(&sb, unit >= 0xD800 && unit <= 0xDFFF ? 0xFFFD : unit);
	rc = strbuf_failed(&sb) ? -1 : take(log, sb.data, sb.length, next);
	strbuf_free(&sb);
	return rc;
}

int servicing_log_feed(struct servicing_log *log, const uint8_t *data, size_t size)
{
	size_t i = 0;

	if (log->out_of_memory)
		return -1;
	if (!log->started && size) {
		log->started = 1;
		if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
			log->utf16 = 1;
			i = 2;
		} else if (size >= 2 && isdigit(data[0]) && data[1] == 0) {
			log->utf16 = 1;
		} else if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
			i = 3;
		}
		log->line_start = i;
	}
	for (; i < size; i++) {
		uint64_t at = log->bytes_fed + i;
		int rc;

		if (log->utf16) {
			if (!log->odd_byte_pending) {
				log->odd_byte = data[i];
				log->odd_byte_pending = 1;
				continue;
			}
			log->odd_byte_pending = 0;
			rc = take_unit(log, (unsigned)log->odd_byte | (unsigned)data[i] << 8, at + 1);
		} else {
			/* bytes as they are (a UTF-8 sequence may span two pieces); the line is made
			 * valid UTF-8 when it is complete (line_done) */
			char c = data[i] ? (char)data[i] : '?';
			if (!data[i])
				log->nul_bytes++;
			rc = take(log, &c, 1, at + 1);
		}
		if (rc != 0) {
			log->out_of_memory = 1;
			return -1;
		}
	}
	log->bytes_fed += size;
	return 0;
}

int servicing_log_end(struct servicing_log *log)
{
	if (log->out_of_memory)
		return -1;
	if (log->line_length || log->line_cut) {
		if (line_done(log) != 0) {
			log->out_of_memory = 1;
			return -1;
		}
		log->line_length = 0;
	}
	return 0;
}

void servicing_log_free(struct servicing_log *log)
{
	for (size_t i = 0; i < log->count; i++)
		free(log->lines[i].message);
	free(log->lines);
	free(log->line);
	memset(log, 0, sizeof *log);
}
