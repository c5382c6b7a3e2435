/*
 * json.h - writing JSON text into a strbuf.
 */
#ifndef SANDTRACE_JSON_H
#define SANDTRACE_JSON_H

#include "strbuf.h"

/* Appends TEXT (LENGTH bytes of UTF-8) as a quoted JSON string. Control characters are escaped;
 * bytes that are not valid UTF-8 become U+FFFD so the output is always valid JSON. */
void json_append_string(struct strbuf *sb, const char *text, size_t length);

#endif
