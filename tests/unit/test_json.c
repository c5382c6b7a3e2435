/* test_json.c - JSON strings are always valid, whatever bytes evidence holds. */
#include "check.h"
#include "json.h"

static const char *quoted(struct strbuf *sb, const char *text, size_t length)
{
	strbuf_reset(sb);
	json_append_string(sb, text, length);
	return strbuf_text(sb);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT;

	CHECK_STR(quoted(&sb, "plain", 5), "\"plain\"");
	/* Backslash-heavy Windows paths are escaped, never read as escapes (ARTIFACTS.md §1.10). */
	CHECK_STR(quoted(&sb, "C:\\Users\\Public\\run.bat", 23),
		  "\"C:\\\\Users\\\\Public\\\\run.bat\"");
	CHECK_STR(quoted(&sb, "a\"b\n\t\x01", 6), "\"a\\\"b\\n\\t\\u0001\"");
	/* UTF-8 passes through; invalid bytes become U+FFFD. */
	CHECK_STR(quoted(&sb, "\xE6\x97\xA5\xE6\x9C\xAC", 6), "\"\xE6\x97\xA5\xE6\x9C\xAC\"");
	CHECK_STR(quoted(&sb, "a\xFF" "b", 3), "\"a\xEF\xBF\xBD" "b\"");
	CHECK_STR(quoted(&sb, "\xE6\x97", 2), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
	CHECK_STR(quoted(&sb, "\xED\xA0\x80", 3), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	/* Embedded NUL is escaped, not a terminator. */
	CHECK_STR(quoted(&sb, "a\0b", 3), "\"a\\u0000b\"");
	strbuf_free(&sb);
	return check_done("test_json");
}
