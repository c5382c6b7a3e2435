/* test_timeutil.c - FILETIME parsing and formatting, the store's one time type. */
#include "check.h"
#include "timeutil.h"

int main(void)
{
	uint64_t ft = 0;
	char text[40];

	/* The UNIX epoch is FILETIME 116444736000000000 (a fixed, documented constant). */
	CHECK_INT(filetime_parse_iso("1970-01-01T00:00:00Z", &ft), 0);
	CHECK_INT(ft, 116444736000000000ULL);
	/* 100 ns precision is kept, digits past the 7th are cut, fewer are padded. */
	CHECK_INT(filetime_parse_iso("2025-01-08T07:21:18.1234567Z", &ft), 0);
	filetime_format_iso(ft, text, sizeof text);
	CHECK_STR(text, "2025-01-08T07:21:18.1234567Z");
	CHECK_INT(filetime_parse_iso("2025-01-08T07:21:18.123456789Z", &ft), 0);
	filetime_format_iso(ft, text, sizeof text);
	CHECK_STR(text, "2025-01-08T07:21:18.1234567Z");
	CHECK_INT(filetime_parse_iso("2024-02-29T23:59:59.5+00:00", &ft), 0);
	filetime_format_iso(ft, text, sizeof text);
	CHECK_STR(text, "2024-02-29T23:59:59.5000000Z");
	/* The earliest FILETIME and a far date both survive. */
	filetime_format_iso(0, text, sizeof text);
	CHECK_STR(text, "1601-01-01T00:00:00.0000000Z");
	CHECK_INT(filetime_parse_iso("9999-12-31T23:59:59.9999999Z", &ft), 0);
	filetime_format_iso(ft, text, sizeof text);
	CHECK_STR(text, "9999-12-31T23:59:59.9999999Z");
	/* A local time or garbage is refused, never guessed. */
	CHECK(filetime_parse_iso("2025-01-08T07:21:18+09:00", &ft) != 0);
	CHECK(filetime_parse_iso("2025-13-08T07:21:18Z", &ft) != 0);
	CHECK(filetime_parse_iso("2025-01-08", &ft) != 0);
	CHECK(filetime_parse_iso("", &ft) != 0);
	CHECK(filetime_parse_iso("2025-01-08T07:21:18.Z", &ft) != 0);
	CHECK_INT(filetime_from_unix(0, 0), FILETIME_UNIX_EPOCH);
	CHECK_INT(filetime_from_unix(-20000000000LL, 0), 0);
	return check_done("test_timeutil");
}
