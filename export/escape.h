/*
 * escape.h - how evidence text is written into the formats the exporters produce: HTML (the
 * report) and CSV cells (the timeline). One home per format, so every export escapes alike.
 */
#ifndef SANDTRACE_EXPORT_ESCAPE_H
#define SANDTRACE_EXPORT_ESCAPE_H

#include <stddef.h>

#include "strbuf.h"

/* Appends TEXT (LENGTH bytes) HTML-escaped to SB; safe in element content and in quoted attribute
 * values. Bytes that are not UTF-8 and control characters become U+FFFD (tab and line feed stay,
 * carriage return is dropped); C1 controls and bidirectional formatting characters are shown as
 * "<U+202E>" so a hostile name cannot reorder what the reader sees; "http:" and "https:" keep
 * their look but not their bytes ("&#58;"), so the file holds no URL. */
void escape_html(struct strbuf *sb, const char *text, size_t length);

/* Appends VALUE as one CSV cell (RFC 4180 quoting when it holds a comma, quote or line break).
 * With FORMULA_GUARD nonzero, a cell that begins with '=', '+', '-', '@', TAB or CR (a formula to
 * a spreadsheet) is written with FORMULA_GUARD before it. */
void escape_csv_cell(struct strbuf *sb, const char *value, char formula_guard);

#endif
