/*
 * report.h - report.html: the case for people who were not at the keyboard (examiners, lawyers,
 * courts). One self-contained HTML5 file (inline CSS and SVG, no script, no network) that prints
 * to PDF from a browser, each session on its own page (issue 6, "The report").
 *
 * Reads only the store (store_query and the session helpers of src/store.h). Every value that
 * comes from evidence is HTML-escaped. Output is byte-identical for the same store, except inside
 * the one element <section id="run-metadata"> (case name, examiner, versions, command line,
 * generation time), so two runs can be compared with that block cut out.
 */
#ifndef SANDTRACE_EXPORT_REPORT_H
#define SANDTRACE_EXPORT_REPORT_H

#include <stdio.h>

struct store;
struct display_zone;

/* Run metadata printed in the run-metadata block. Every field may be NULL: case name and
 * examiner then come from the latest run row of the store, the command line is "(not given)",
 * and the generation time is the current time (ISO-8601 UTC). */
struct report_options {
	const char *case_name, *examiner, *command_line;
	const char *generated_utc;
	/* The zone times are shown in (zone.h); NULL: UTC. */
	const struct display_zone *zone;
	/* The host the store was scoped to with --host (host_scope.h), as stored; NULL: the whole
	 * case, each host in its own section when it holds several. */
	const char *host;
};

/* Writes the report of STORE to OUT (OPTIONS may be NULL). The caller owns both and closes OUT.
 * Returns 0, or -1 when a store query failed (store_error says which) or writing OUT failed;
 * on -1 the output is incomplete and must not be handed on. */
int report_write(struct store *store, const struct report_options *options, FILE *out);

#endif
