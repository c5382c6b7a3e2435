/* test_escape.c - evidence text in HTML and CSV: markup, hostile code points, bytes that are not
 * UTF-8 and spreadsheet formulas never reach the reader as anything but text. */
#include "check.h"

#include "export/escape.h"
#include "utf8.h"

static const char *html(struct strbuf *sb, const char *text, size_t length)
{
	strbuf_reset(sb);
	escape_html(sb, text, length);
	return strbuf_text(sb);
}

static const char *csv(struct strbuf *sb, const char *text, char guard)
{
	strbuf_reset(sb);
	escape_csv_cell(sb, text, guard);
	return strbuf_text(sb);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t cp = 0;

	/* The decoder: lengths, code points, and what is not UTF-8. */
	CHECK(utf8_decode((const unsigned char *)"\xE6\x97\xA5", 3, &cp) == 3 && cp == 0x65E5);
	CHECK(utf8_decode((const unsigned char *)"\xE6\x97\xA5", 2, &cp) == 0); /* cut short */
	CHECK(utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp) == 0);      /* overlong */
	CHECK(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp) == 0);  /* surrogate */
	CHECK(utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp) == 0); /* > U+10FFFF */
	CHECK(utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp) == 4 && cp == 0x1F600);

	CHECK_STR(html(&sb, "<a href='x'>&\"", 14), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
	/* A right-to-left override is shown, not obeyed; C1 controls too. */
	CHECK_STR(html(&sb, "evil\xE2\x80\xAEtxt.exe", 14), "evil&lt;U+202E&gt;txt.exe");
	CHECK_STR(html(&sb, "a\xC2\x85" "b", 4), "a&lt;U+0085&gt;b");
	/* Not UTF-8, and control characters: U+FFFD; tab and newline stay, CR goes. */
	CHECK_STR(html(&sb, "a\xFF" "b\x01\t\r\n", 7), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\t\n");
	/* A sequence cut by the end of the text is not read past it. */
	CHECK_STR(html(&sb, "x\xE6\x97", 3), "x\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK_STR(html(&sb, "\xE6\x97\xA5", 3), "\xE6\x97\xA5");
	/* No URL survives as bytes. */
	CHECK_STR(html(&sb, "see http://x and HTTPS://y, a:b", 31),
		  "see http&#58;//x and HTTPS&#58;//y, a:b");

	CHECK_STR(csv(&sb, "plain", '\''), "plain");
	CHECK_STR(csv(&sb, "a,\"b\"\n", '\''), "\"a,\"\"b\"\"\n\"");
	CHECK_STR(csv(&sb, "=cmd|' /C calc'!A0", '\''), "\"'=cmd|' /C calc'!A0\"");
	CHECK_STR(csv(&sb, "=cmd", 0), "=cmd");
	CHECK_STR(csv(&sb, "-1", '\''), "\"'-1\"");

	strbuf_free(&sb);
	return check_done("test_escape");
}
