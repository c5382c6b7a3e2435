/* test_json.c - JSON strings are always valid, whatever bytes evidence holds. */
#include "check.h"
#include <stdlib.h>

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
	/* Backslash-heavy Windows paths are escaped, never read as escapes (METHOD.md §1.10). */
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
	/* Reading back: the flat objects of events.data. */
	{
		const char *obj = "{\"A\":\"1\", \"Path\":\"C:\\\\x\\\"y\\n\\u0003\", \"e\":\"\"}";
		char *v = json_object_get(obj, "Path", 0);
		CHECK_STR(v, "C:\\x\"y\n\x03");
		free(v);
		v = json_object_get(obj, "a", 1);
		CHECK_STR(v, "1");
		free(v);
		CHECK(json_object_get(obj, "a", 0) == NULL);
		v = json_object_get(obj, "e", 0);
		CHECK_STR(v, "");
		free(v);
		CHECK(json_object_get("{\"A\":\"1", "A", 0) == NULL);
		CHECK(json_object_get("[1]", "A", 0) == NULL);
		CHECK(json_object_get("{\"A\":\"\\uZZZZ\"}", "A", 0) == NULL);
	}
	strbuf_free(&sb);
	return check_done("test_json");
}
