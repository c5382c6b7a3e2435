/*
 * json.h - writing JSON text into a strbuf.
 */
#ifndef SANDTRACE_JSON_H
#define SANDTRACE_JSON_H

#include "strbuf.h"

/* Appends TEXT (LENGTH bytes of UTF-8) as a quoted JSON string. Control characters are escaped;
 * bytes that are not valid UTF-8 become U+FFFD so the output is always valid JSON. */
void json_append_string(struct strbuf *sb, const char *text, size_t length);

/* Looks KEY up in JSON, a flat object of string values as sandtrace writes them (the events.data
 * column). Returns a malloc'ed, unescaped copy of the value, or NULL when the key is absent or the
 * text is not such an object. Key comparison is case-sensitive unless IGNORE_CASE. */
char *json_object_get(const char *json, const char *key, int ignore_case);

/* Calls FN for every member of a flat object of string values, in order; stops when FN returns
 * nonzero and returns that value (0 after the last member, -1 if JSON is not such an object). */
int json_object_each(const char *json, int (*fn)(void *context, const char *key, const char *value),
		     void *context);

/* Whether JSON is one valid JSON document (RFC 8259; nesting up to 64): returns 1 if it is, with
 * *VALUE the unescaped, malloc'ed string of its top-level member KEY (NULL when absent or not a
 * string), or 0 if the text is not valid JSON (*VALUE NULL). */
int json_document_member(const char *json, const char *key, int ignore_case, char **value);

#endif
