/*
 * json.c - JSON string escaping (see json.h).
 */
#include "json.h"

#include <stdint.h>

/* Length of the valid UTF-8 sequence at P (at most LEFT bytes), or 0 if it is not valid. */
static size_t utf8_sequence_length(const unsigned char *p, size_t left)
{
	uint32_t cp;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > left)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

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
		} else if ((seq = utf8_sequence_length(p + i, length - i)) != 0) {
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
