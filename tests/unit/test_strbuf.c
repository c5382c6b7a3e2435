/*
 * test_strbuf.c - UTF-16LE to UTF-8 (strbuf_append_utf16le) against the encodings the Unicode
 * standard gives, and the units consumed: up to and including the first NUL unit.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "strbuf.h"

/* UNITS as little-endian bytes into OUT; returns the units written. */
static size_t le(const uint16_t *units, size_t count, uint8_t *out)
{
	for (size_t i = 0; i < count; i++) {
		out[2 * i] = (uint8_t)(units[i] & 0xFF);
		out[2 * i + 1] = (uint8_t)(units[i] >> 8);
	}
	return count;
}

static void check_utf16(const uint16_t *units, size_t count, const char *prefix,
			const char *expected, size_t consumed)
{
	uint8_t bytes[64];
	struct strbuf sb = STRBUF_INIT;
	char want[160];

	strbuf_append_str(&sb, prefix);
	CHECK_INT(strbuf_append_utf16le(&sb, bytes, le(units, count, bytes)), consumed);
	snprintf(want, sizeof want, "%s%s", prefix, expected);
	CHECK_STR(strbuf_text(&sb), want);
	CHECK_INT(sb.length, strlen(want));
	CHECK(!strbuf_failed(&sb));
	strbuf_free(&sb);
}

int main(void)
{
	const uint16_t ascii[] = {'W', 'D', 'A', 'G'};
	const uint16_t mixed[] = {'a', 0x00E9, 0x65E5, 0x672C, 'z'};    /* é 日 本 */
	const uint16_t pair[] = {0xD83D, 0xDE00, '!'};                  /* U+1F600 */
	const uint16_t lone_high_end[] = {'x', 0xD800};                 /* cut pair */
	const uint16_t lone_low[] = {0xDC00, 'y'};
	const uint16_t high_then_text[] = {0xDBFF, 'q'};
	const uint16_t nul[] = {'a', 'b', 0, 'c', 'd'};
	const uint16_t edges[] = {0x007F, 0x0080, 0x07FF, 0x0800, 0xFFFF};
	struct strbuf sb = STRBUF_INIT;

	check_utf16(ascii, 4, "", "WDAG", 4);
	check_utf16(mixed, 5, "", "a\xC3\xA9\xE6\x97\xA5\xE6\x9C\xACz", 5);
	check_utf16(pair, 3, "", "\xF0\x9F\x98\x80!", 3);
	check_utf16(lone_high_end, 2, "", "x\xEF\xBF\xBD", 2);
	check_utf16(lone_low, 2, "", "\xEF\xBF\xBDy", 2);
	check_utf16(high_then_text, 2, "", "\xEF\xBF\xBDq", 2);
	check_utf16(nul, 5, "", "ab", 3);
	check_utf16(edges, 5, "", "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF", 5);
	/* appended after existing text, growing the buffer more than once */
	check_utf16(mixed, 5, "0123456789012345678901234567890123456789012345678901234567890",
		    "a\xC3\xA9\xE6\x97\xA5\xE6\x9C\xACz", 5);
	check_utf16(ascii, 0, "p", "", 0);

	/* characters one at a time, past the first allocation */
	for (int i = 0; i < 200; i++)
		strbuf_append_char(&sb, (char)('a' + i % 26));
	CHECK_INT(sb.length, 200);
	CHECK_INT(strbuf_text(&sb)[199], 'a' + 199 % 26);
	CHECK_INT(strbuf_text(&sb)[200], 0);
	strbuf_free(&sb);
	return check_done("strbuf");
}
