/*
 * strbuf.h - a growable, always NUL-terminated string builder (instead of sprintf/strcpy).
 *
 * Allocation failure is sticky: the builder keeps its last good content and strbuf_failed()
 * reports it, so callers check once at the end instead of after every append.
 */
#ifndef SANDTRACE_STRBUF_H
#define SANDTRACE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *data;      /* NUL-terminated; NULL until the first append */
	size_t length;   /* bytes before the NUL */
	size_t capacity; /* bytes allocated */
	int failed;      /* an allocation failed; content is truncated */
};

#define STRBUF_INIT {NULL, 0, 0, 0}

void strbuf_append(struct strbuf *sb, const char *text, size_t length);
void strbuf_append_str(struct strbuf *sb, const char *text);
void strbuf_append_char(struct strbuf *sb, char c);
/* Appends the Unicode code point CP (at most U+10FFFF) as UTF-8. */
void strbuf_append_codepoint(struct strbuf *sb, uint32_t cp);
/* Appends UTF-16LE text (UNITS 16-bit units at DATA) as UTF-8, up to and not including the first
 * NUL unit; unpaired surrogates become U+FFFD. Returns the units consumed, the NUL included. */
size_t strbuf_append_utf16le(struct strbuf *sb, const uint8_t *data, size_t units);
void strbuf_printf(struct strbuf *sb, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* Empties the builder but keeps its memory. */
void strbuf_reset(struct strbuf *sb);
/* The content ("" when empty); owned by the builder. */
const char *strbuf_text(const struct strbuf *sb);
int strbuf_failed(const struct strbuf *sb);
/* Hands the content to the caller (free() it) and empties the builder; NULL on failure. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif
