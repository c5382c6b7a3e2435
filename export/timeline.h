/*
 * timeline.h - the case's timeline (the `timeline` view of schema.sql) in the formats downstream
 * tools read: Timesketch CSV and JSONL, and The Sleuth Kit's mactime body file.
 *
 * Contracts (DESIGN.md, output contracts): Timesketch needs message, datetime (ISO-8601 with an
 * explicit +00:00) and timestamp_desc; timestamp is microseconds since the UNIX epoch; plaso's field
 * names (data_type windows:evtx:record, event_identifier, record_number, source_name,
 * computer_name, xml_string) make its analyzers work; values over 32 KiB are cut with a marker;
 * rows before 1700 are not written (Timesketch drops them); JSONL also has plaso's "strings"
 * (the record's EventData/UserData values, in order) and every row a "hostname". The body file has
 * 11 '|'-separated fields with whole UNIX seconds, the same time in all four time columns (mactime
 * prints a 0 as an undated line); the name begins with the ISO time to 100 ns, so mactime's sort
 * of one second's lines by name is their true order; '|' and '%' in the name are %-encoded,
 * control characters become one space.
 * Row order: time, source, row, then the rest of the row, so output is byte-identical across runs.
 */
#ifndef SANDTRACE_EXPORT_TIMELINE_H
#define SANDTRACE_EXPORT_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

struct store;

enum timeline_format { TIMELINE_CSV, TIMELINE_JSONL, TIMELINE_BODY };

struct timeline_filter {
	int64_t session_id;  /* 0 = every row */
	uint64_t from, to;   /* FILETIME bounds, inclusive; 0 = open */
	int csv_raw;         /* 1 = CSV text cells exactly as stored (see TIMELINE_CSV_GUARD) */
};

/* In CSV, a text cell that begins with '=', '+', '-', '@', TAB or CR is a formula to a spreadsheet
 * (evidence is attacker-written: a command line "=cmd|' /C calc'!A0" would run when the timeline
 * is opened). Such cells get this prefix unless csv_raw is set; JSONL, the body file and the store
 * keep every value byte-exact. */
#define TIMELINE_CSV_GUARD '\''

/* Writes the timeline in FORMAT to OUT (FILTER may be NULL: every row). Returns the number of rows written, or -1. */
long timeline_write(struct store *store, enum timeline_format format,
		    const struct timeline_filter *filter, FILE *out);

/* Largest value written to Timesketch (OpenSearch's keyword limit); longer ones are cut. */
#define TIMELINE_VALUE_LIMIT 32768

#endif
