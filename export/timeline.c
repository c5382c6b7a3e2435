/*
 * timeline.c - Timesketch CSV / JSONL and mactime body file from the timeline view (see
 * timeline.h). The columns are one table, so the two Timesketch formats cannot drift apart.
 */
#include "timeline.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

/* 1700-01-01T00:00:00Z as FILETIME: Timesketch drops rows before 1700 (DESIGN.md). */
#define FILETIME_1700 31241376000000000ULL

/* The view's columns, in SELECT order. */
enum column {
	C_TIME, C_DESC, C_SOURCE, C_KIND, C_MESSAGE, C_SESSION, C_ROLE, C_FINDING, C_ATTACK,
	C_SHA256, C_PATH, C_LOCATION, C_EVENT_ID, C_RECORD, C_PROVIDER, C_CHANNEL, C_COMPUTER, C_XML,
	C_USER_SID, C_LEVEL, C_RECOVERED, C_HOSTNAME, C_DATA, C_COUNT
};

static const char SELECT[] =
	"SELECT time, timestamp_desc, source, kind, message, session_id, role, finding, attack, "
	"evidence_sha256, evidence_path, location, event_identifier, record_number, source_name, "
	"channel, computer_name, xml_string, user_sid, event_level, recovered, "
	/* plaso's hostname: the host of the row's file or session (METHOD.md §2.7); for a row of no
	 * host, the record's computer, else the name the case's only SYSTEM hive states */
	"coalesce(hostname, computer_name, (SELECT value FROM v_report_facts WHERE kind = 'host' "
	"AND subject = 'ComputerName' ORDER BY id LIMIT 1)), data FROM timeline";

/* Output fields: name, the column it comes from (-1: computed), and whether it is a number in
 * JSONL. Timesketch's required three first. */
enum computed { F_DATETIME = -1, F_TIMESTAMP = -2, F_DATA_TYPE = -3, F_STRINGS = -4 };

/* How a field is written in JSONL: a string, a number, or a JSON array (JSONL only: CSV has no
 * arrays, and the values are in xml_string there). */
enum { TEXT, NUMBER, ARRAY };

static const struct {
	const char *name;
	int column;
	int number;
} FIELDS[] = {
	{"message", C_MESSAGE, 0},
	{"datetime", F_DATETIME, 0},
	{"timestamp_desc", C_DESC, 0},
	{"timestamp", F_TIMESTAMP, 1},
	{"data_type", F_DATA_TYPE, 0},
	{"event_identifier", C_EVENT_ID, 1},
	{"record_number", C_RECORD, 1},
	{"source_name", C_PROVIDER, 0},
	{"channel", C_CHANNEL, 0},
	{"computer_name", C_COMPUTER, 0},
	{"hostname", C_HOSTNAME, 0},
	{"xml_string", C_XML, 0},
	{"strings", F_STRINGS, ARRAY},
	{"user_sid", C_USER_SID, 0},
	{"event_level", C_LEVEL, 1},
	{"recovered", C_RECOVERED, 1},
	{"sandtrace_source", C_SOURCE, 0},
	{"kind", C_KIND, 0},
	{"session_id", C_SESSION, 1},
	{"role", C_ROLE, 0},
	{"finding", C_FINDING, 0},
	{"attack", C_ATTACK, 0},
	{"evidence_sha256", C_SHA256, 0},
	{"evidence_path", C_PATH, 0},
	{"location", C_LOCATION, 0},
};
enum { FIELD_COUNT = sizeof FIELDS / sizeof FIELDS[0] };

struct writer {
	enum timeline_format format;
	const struct timeline_filter *filter;
	FILE *out;
	long rows;
	struct strbuf line, value;
};

/* VALUE cut to TIMELINE_VALUE_LIMIT bytes at a UTF-8 boundary, with a marker saying so. */
static const char *limited(struct writer *w, const char *value)
{
	static const char MARKER[] = " [cut by sandtrace: %zu bytes in all]";
	size_t length = strlen(value), keep;

	if (length <= TIMELINE_VALUE_LIMIT)
		return value;
	keep = TIMELINE_VALUE_LIMIT - 64;
	while (keep && ((unsigned char)value[keep] & 0xC0) == 0x80)
		keep--;
	strbuf_reset(&w->value);
	strbuf_append(&w->value, value, keep);
	strbuf_printf(&w->value, MARKER, length);
	return strbuf_text(&w->value);
}

/* The text of output field F for a row, into BUFFER when computed; NULL when empty. */
static const char *field_text(int f, const char *const *values, uint64_t time, char *buffer,
			      size_t size)
{
	int column = FIELDS[f].column;

	if (column == F_DATETIME) {
		/* ISO-8601 with microseconds and an explicit offset (Timesketch assumes the server's
		 * zone without one). */
		char iso[40];
		filetime_format_iso(time, iso, sizeof iso);
		snprintf(buffer, size, "%.26s+00:00", iso);
		return buffer;
	}
	if (column == F_TIMESTAMP) {
		int64_t us = (int64_t)(time / 10) - (int64_t)(FILETIME_UNIX_EPOCH / 10);
		snprintf(buffer, size, "%" PRId64, us);
		return buffer;
	}
	if (column == F_STRINGS)
		return NULL; /* built by append_strings */
	if (column == F_DATA_TYPE) {
		const char *source = values[C_SOURCE] ? values[C_SOURCE] : "";
		snprintf(buffer, size, "%s%s", strcmp(source, "event") == 0 ? "windows:evtx:record"
						: "sandtrace:",
			 strcmp(source, "event") == 0 ? "" : source);
		return buffer;
	}
	return values[column] && values[column][0] ? values[column] : NULL;
}

static void write_csv_header(struct writer *w)
{
	strbuf_reset(&w->line);
	for (int f = 0, written = 0; f < FIELD_COUNT; f++) {
		if (FIELDS[f].number == ARRAY)
			continue;
		if (written++)
			strbuf_append_char(&w->line, ',');
		strbuf_append_str(&w->line, FIELDS[f].name);
	}
	strbuf_append_char(&w->line, '\n');
	fputs(strbuf_text(&w->line), w->out);
}

/* mactime's name field: '|' and '%' and control characters %-encoded (TSK body format). */
/* A body-file name: '|' and '%' %-encoded (the format's own escapes); a run of control
 * characters becomes one space, since mactime 4.12 drops a line whose name holds "%0A" (a
 * 4672 privilege list is one name per line). The exact text stays in JSONL and the store. */
static void body_name(struct strbuf *sb, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '|' || *p == '%') {
			strbuf_printf(sb, "%%%02X", *p);
		} else if (*p < 0x20 || *p == 0x7F) {
			while (p[1] && (p[1] < 0x20 || p[1] == 0x7F || p[1] == ' '))
				p++;
			strbuf_append_char(sb, ' ');
		} else {
			strbuf_append_char(sb, (char)*p);
		}
	}
}

struct strings_state {
	struct writer *w;
	struct strbuf *out;
	int count;
};

static int append_string(void *context, const char *key, const char *value)
{
	struct strings_state *state = context;
	const char *v;

	/* Not strings: the UserData element's own name ("@Name"), and the EventData <Binary>
	 * element (kept under "Binary"; plaso, like libevtx, keeps it apart from the strings). */
	if (key[0] == '@' || !strcmp(key, "Binary"))
		return 0;
	v = limited(state->w, value ? value : "");
	strbuf_append_char(state->out, state->count++ ? ',' : '[');
	json_append_string(state->out, v, strlen(v));
	return 0;
}

/* plaso's "strings" of a windows:evtx:record: the values of the record's EventData (or UserData)
 * in document order, as a JSON array, from the flat object events.data keeps; 0 when there are
 * none. */
static int append_strings(struct writer *w, const char *data, struct strbuf *out)
{
	struct strings_state state = {w, out, 0};

	if (!data || json_object_each(data, append_string, &state) < 0 || !state.count)
		return 0;
	strbuf_append_char(out, ']');
	return 1;
}

static int write_row(void *context, int columns, const char *const *names,
		     const char *const *values)
{
	struct writer *w = context;
	uint64_t time;
	char buffer[64];

	(void)names;
	if (columns != C_COUNT || !values[C_TIME])
		return 0;
	time = strtoull(values[C_TIME], NULL, 10);
	if (time < FILETIME_1700)
		return 0;
	if (w->filter) {
		if (w->filter->session_id &&
		    (!values[C_SESSION] || strtoll(values[C_SESSION], NULL, 10) != w->filter->session_id))
			return 0;
		if ((w->filter->from && time < w->filter->from) || (w->filter->to && time > w->filter->to))
			return 0;
	}
	strbuf_reset(&w->line);
	if (w->format == TIMELINE_BODY) {
		int64_t seconds = (int64_t)((time - FILETIME_UNIX_EPOCH) / 10000000ULL);
		struct strbuf name = STRBUF_INIT;
		char iso[40];

		if (time < FILETIME_UNIX_EPOCH)
			return 0; /* mactime's fields are UNIX seconds */
		/* The name starts with the time to 100 ns: mactime sorts the lines of one second by
		 * name, so they keep their true order. */
		filetime_format_iso(time, iso, sizeof iso);
		strbuf_printf(&name, "%s sandtrace: %s [%s; %s", iso,
			      values[C_MESSAGE] ? values[C_MESSAGE] : "", values[C_DESC] ? values[C_DESC] : "",
			      values[C_SOURCE]);
		/* the host, so that the body files of several hosts can be read as one */
		if (values[C_HOSTNAME])
			strbuf_printf(&name, "; host %s", values[C_HOSTNAME]);
		if (values[C_SESSION])
			strbuf_printf(&name, "; session %s", values[C_SESSION]);
		if (values[C_SHA256])
			strbuf_printf(&name, "; sha256 %s %s", values[C_SHA256],
				      values[C_LOCATION] ? values[C_LOCATION] : "");
		strbuf_append_char(&name, ']');
		strbuf_append_str(&w->line, "0|");
		body_name(&w->line, strbuf_text(&name));
		/* The time in all four columns: mactime prints a zero column as an undated line
		 * ("Xxx Xxx 00 0000"); what the time is, the name says ([timestamp_desc; ...]). */
		strbuf_printf(&w->line, "|0|0|0|0|0|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "\n",
			      seconds, seconds, seconds, seconds);
		strbuf_free(&name);
	} else if (w->format == TIMELINE_CSV) {
		for (int f = 0, written = 0; f < FIELD_COUNT; f++) {
			const char *text = field_text(f, values, time, buffer, sizeof buffer);
			if (FIELDS[f].number == ARRAY)
				continue;
			if (written++)
				strbuf_append_char(&w->line, ',');
			if (text)
				escape_csv_cell(&w->line, limited(w, text),
						!FIELDS[f].number && !(w->filter && w->filter->csv_raw)
							? TIMELINE_CSV_GUARD
							: 0);
		}
		strbuf_append_char(&w->line, '\n');
	} else {
		int first = 1;
		strbuf_append_char(&w->line, '{');
		for (int f = 0; f < FIELD_COUNT; f++) {
			const char *text = field_text(f, values, time, buffer, sizeof buffer);
			if (FIELDS[f].number == ARRAY) {
				struct strbuf array = STRBUF_INIT;
				if (append_strings(w, values[C_DATA], &array)) {
					if (!first)
						strbuf_append_char(&w->line, ',');
					first = 0;
					json_append_string(&w->line, FIELDS[f].name,
							   strlen(FIELDS[f].name));
					strbuf_append_char(&w->line, ':');
					strbuf_append_str(&w->line, strbuf_text(&array));
				}
				strbuf_free(&array);
				continue; /* no strings: the field is left out */
			}
			if (!text)
				continue; /* absent fields are left out: fewer distinct empty fields */
			if (!first)
				strbuf_append_char(&w->line, ',');
			first = 0;
			json_append_string(&w->line, FIELDS[f].name, strlen(FIELDS[f].name));
			strbuf_append_char(&w->line, ':');
			if (FIELDS[f].number)
				strbuf_append_str(&w->line, text);
			else {
				const char *v = limited(w, text);
				json_append_string(&w->line, v, strlen(v));
			}
		}
		strbuf_append_str(&w->line, "}\n");
	}
	if (strbuf_failed(&w->line))
		return -1;
	fputs(strbuf_text(&w->line), w->out);
	w->rows++;
	return 0;
}

long timeline_write(struct store *store, enum timeline_format format,
		    const struct timeline_filter *filter, FILE *out)
{
	struct writer w = {format, filter, out, 0, STRBUF_INIT, STRBUF_INIT};
	struct strbuf sql = STRBUF_INIT;
	int rc;

	if (format == TIMELINE_CSV)
		write_csv_header(&w);
	strbuf_append_str(&sql, SELECT);
	/* A total order: every column breaks the remaining ties. */
	strbuf_append_str(&sql, " ORDER BY time, source, row_id, kind, message, role, "
				"evidence_sha256, location");
	rc = strbuf_failed(&sql) ? -1 : store_query(store, strbuf_text(&sql), write_row, &w);
	strbuf_free(&sql);
	strbuf_free(&w.line);
	strbuf_free(&w.value);
	return rc == 0 ? w.rows : -1;
}
