/*
 * json.c - JSON string escaping (see json.h).
 */
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

void json_append_string(struct strbuf *sb, const char *text, size_t length)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, run = 0;

	strbuf_append_char(sb, '"');
	while (i < length) {
		unsigned char c = p[i];
		size_t seq;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run++;
			i++;
			continue;
		}
		strbuf_append(sb, (const char *)p + i - run, run);
		run = 0;
		if (c == '"' || c == '\\') {
			strbuf_append_char(sb, '\\');
			strbuf_append_char(sb, (char)c);
			i++;
		} else if (c < 0x20) {
			static const char HEX[] = "0123456789abcdef";
			char escaped[7] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15], 0};
			if (c == '\n')
				strbuf_append_str(sb, "\\n");
			else if (c == '\r')
				strbuf_append_str(sb, "\\r");
			else if (c == '\t')
				strbuf_append_str(sb, "\\t");
			else
				strbuf_append(sb, escaped, 6);
			i++;
		} else if ((seq = utf8_decode(p + i, length - i, NULL)) != 0) {
			strbuf_append(sb, (const char *)p + i, seq);
			i += seq;
		} else {
			strbuf_append_str(sb, "\xEF\xBF\xBD");
			i++;
		}
	}
	strbuf_append(sb, (const char *)p + i - run, run);
	strbuf_append_char(sb, '"');
}

/* Reads the JSON string starting at *P (just after its opening quote) into OUT (unescaped) and
 * leaves *P after the closing quote. Returns 0, or -1 on a malformed string. */
static int read_string(const char **p, struct strbuf *out)
{
	const char *s = *p;

	while (*s && *s != '"') {
		if (*s != '\\') {
			strbuf_append_char(out, *s++);
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': strbuf_append_char(out, *s); break;
		case 'n': strbuf_append_char(out, '\n'); break;
		case 'r': strbuf_append_char(out, '\r'); break;
		case 't': strbuf_append_char(out, '\t'); break;
		case 'b': strbuf_append_char(out, '\b'); break;
		case 'f': strbuf_append_char(out, '\f'); break;
		case 'u': {
			unsigned cp = 0;
			for (int i = 1; i <= 4; i++) {
				char c = s[i];
				int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
					: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
				if (v < 0)
					return -1;
				cp = cp << 4 | (unsigned)v;
			}
			s += 4;
			/* sandtrace writes \u only for control characters; anything else is kept as the
			 * code point's UTF-8 (surrogates become U+FFFD). */
			strbuf_append_codepoint(out, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
			break;
		}
		default: return -1;
		}
		s++;
	}
	if (*s != '"')
		return -1;
	*p = s + 1;
	return 0;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}


int json_object_each(const char *json, int (*fn)(void *context, const char *key, const char *value),
		     void *context)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *p;
	int rc = -1;

	if (!json)
		return -1;
	p = skip_space(json);
	if (*p++ != '{')
		return -1;
	p = skip_space(p);
	if (*p == '}') {
		rc = 0;
		goto out;
	}
	while (*p == '"') {
		p++;
		strbuf_reset(&name);
		strbuf_reset(&value);
		if (read_string(&p, &name) != 0)
			break;
		p = skip_space(p);
		if (*p++ != ':')
			break;
		p = skip_space(p);
		if (*p++ != '"' || read_string(&p, &value) != 0)
			break;
		if (strbuf_failed(&name) || strbuf_failed(&value))
			break;
		if ((rc = fn(context, strbuf_text(&name), strbuf_text(&value))) != 0)
			goto out;
		rc = -1;
		p = skip_space(p);
		if (*p == '}') {
			rc = 0;
			break;
		}
		if (*p != ',')
			break;
		p = skip_space(p + 1);
	}
out:
	strbuf_free(&name);
	strbuf_free(&value);
	return rc;
}

struct lookup {
	const char *key;
	int ignore_case;
	char *value;
};

static int lookup_member(void *context, const char *key, const char *value)
{
	struct lookup *l = context;

	if ((l->ignore_case ? strcasecmp(key, l->key) : strcmp(key, l->key)) != 0)
		return 0;
	l->value = strdup(value);
	return 1;
}

char *json_object_get(const char *json, const char *key, int ignore_case)
{
	struct lookup l = {key, ignore_case, NULL};

	if (!key)
		return NULL;
	json_object_each(json, lookup_member, &l);
	return l.value;
}

/* Skips one JSON value at *P (RFC 8259), nested at most 64 deep. Returns 0, or -1 if the text is
 * not a valid value there. */
static int skip_value(const char **p, int depth)
{
	struct strbuf ignored = STRBUF_INIT;
	const char *s = skip_space(*p);
	int rc = -1;

	if (depth > 64)
		return -1;
	if (*s == '"') {
		s++;
		rc = read_string(&s, &ignored);
	} else if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';
		s = skip_space(s + 1);
		if (*s == close) {
			s++;
			rc = 0;
		}
		while (rc != 0) {
			if (close == '}') {
				if (*s++ != '"' || read_string(&s, &ignored) != 0)
					break;
				s = skip_space(s);
				if (*s++ != ':')
					break;
			}
			if (skip_value(&s, depth + 1) != 0)
				break;
			s = skip_space(s);
			if (*s == close) {
				s++;
				rc = 0;
			} else if (*s++ != ',') {
				break;
			} else {
				s = skip_space(s);
			}
		}
	} else if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4)) {
		s += 4;
		rc = 0;
	} else if (!strncmp(s, "false", 5)) {
		s += 5;
		rc = 0;
	} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
		const char *start = s += *s == '-';
		while (*s >= '0' && *s <= '9')
			s++;
		rc = s > start && !(start[0] == '0' && s - start > 1) ? 0 : -1;
		if (rc == 0 && *s == '.') {
			start = ++s;
			while (*s >= '0' && *s <= '9')
				s++;
			rc = s > start ? 0 : -1;
		}
		if (rc == 0 && (*s == 'e' || *s == 'E')) {
			s++;
			s += *s == '+' || *s == '-';
			start = s;
			while (*s >= '0' && *s <= '9')
				s++;
			rc = s > start ? 0 : -1;
		}
	}
	strbuf_free(&ignored);
	if (rc == 0)
		*p = s;
	return rc;
}

int json_document_member(const char *json, const char *key, int ignore_case, char **value)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	const char *p, *end;
	int valid = 0;

	*value = NULL;
	if (!json || !key)
		return 0;
	end = json;
	if (skip_value(&end, 0) != 0 || *skip_space(end) != 0)
		return 0;
	p = skip_space(json);
	if (*p++ != '{')
		return 1; /* valid JSON, not an object: no member */
	valid = 1;
	p = skip_space(p);
	while (*p == '"') {
		p++;
		strbuf_reset(&name);
		if (read_string(&p, &name) != 0)
			break;
		p = skip_space(skip_space(p) + 1); /* after the ':' (checked by skip_value) */
		if (*p == '"' && !*value &&
		    (ignore_case ? strcasecmp(strbuf_text(&name), key)
				 : strcmp(strbuf_text(&name), key)) == 0) {
			p++;
			strbuf_reset(&text);
			if (read_string(&p, &text) != 0 || strbuf_failed(&text))
				break;
			*value = strdup(strbuf_text(&text));
		} else if (skip_value(&p, 1) != 0) {
			break;
		}
		p = skip_space(p);
		if (*p != ',')
			break;
		p = skip_space(p + 1);
	}
	strbuf_free(&name);
	strbuf_free(&text);
	return valid;
}
