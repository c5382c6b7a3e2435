/*
 * escape.c - evidence text into HTML and CSV (see escape.h).
 */
#include "escape.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

/* Code points shown as "<U+XXXX>" instead of being rendered: C1 controls and the bidirectional
 * formatting characters that could make a name read differently from what it is. */
static int shown_as_code(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

void escape_html(struct strbuf *sb, const char *text, size_t length)
{
	const unsigned char *s = (const unsigned char *)text, *end = s + length;

	while (s < end) {
		uint32_t cp = 0;
		size_t n = utf8_decode(s, (size_t)(end - s), &cp);

		if (!n) {
			strbuf_append_str(sb, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
			s++;
			continue;
		}
		switch (cp) {
		case ':':
			/* "http:" and "https:" in evidence keep their look but not their bytes, so the
			 * file holds no URL a reader (or a grep) could take for an external asset */
			if (((const char *)s - text >= 4 && !strncasecmp((const char *)s - 4, "http", 4)) ||
			    ((const char *)s - text >= 5 && !strncasecmp((const char *)s - 5, "https", 5)))
				strbuf_append_str(sb, "&#58;");
			else
				strbuf_append_char(sb, ':');
			break;
		case '&': strbuf_append_str(sb, "&amp;"); break;
		case '<': strbuf_append_str(sb, "&lt;"); break;
		case '>': strbuf_append_str(sb, "&gt;"); break;
		case '"': strbuf_append_str(sb, "&quot;"); break;
		case '\'': strbuf_append_str(sb, "&#39;"); break;
		case '\t':
		case '\n': strbuf_append_char(sb, (char)cp); break;
		case '\r': break;
		default:
			if (cp < 0x20 || cp == 0x7F)
				strbuf_append_str(sb, "\xEF\xBF\xBD");
			else if (shown_as_code(cp))
				strbuf_printf(sb, "&lt;U+%04" PRIX32 "&gt;", cp);
			else
				strbuf_append(sb, (const char *)s, n);
		}
		s += n;
	}
}

void escape_csv_cell(struct strbuf *sb, const char *value, char formula_guard)
{
	int formula = formula_guard && value[0] && strchr("=+-@\t\r", value[0]);

	if (!formula && !strpbrk(value, ",\"\r\n")) {
		strbuf_append_str(sb, value);
		return;
	}
	strbuf_append_char(sb, '"');
	if (formula)
		strbuf_append_char(sb, formula_guard);
	for (const char *p = value; *p; p++) {
		if (*p == '"')
			strbuf_append_char(sb, '"');
		strbuf_append_char(sb, *p);
	}
	strbuf_append_char(sb, '"');
}
