/* test_servicing_log.c - the servicing-log reader (METHOD.md §2.8): the record prefix is sniffed
 * in 8-bit and UTF-16LE text and refused in other text; the same bytes give the same lines whatever
 * the size of the pieces they are fed in (1 byte, 7 bytes, whole), UTF-8 split across pieces
 * included; line numbers and byte offsets are those of the text written here; each wording of the
 * table decides its action, a plan that changes nothing does not; a long line is cut and counted. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "parsers/servicing_log.h"

static const char TEXT[] =
	"2025-01-06 11:13:21, Info                  CBS    TI: --- Initializing ---\r\n"
	"2025-01-06 11:13:25, Info                  CBS    Plan: Update: Containers-DisposableClientVM, "
	"current: Staged, targeted: Installed\r\n"
	"  continued: Containers-DisposableClientVM \xe6\x9d\xb1\xe4\xba\xac \xff end\r\n"
	"2025-01-06 11:14:00, Info                  CBS    Plan: Update: containers-disposableclientvm, "
	"current: Installed, targeted: Installed\r\n"
	"2025-01-07 08:00:02, Info                  DISM   DISM.EXE: Executing command line: dism "
	"/online /Disable-Feature /FeatureName:Containers-DisposableClientVM\r\n"
	"no newline at the end Containers-DisposableClientVM turned on";

static void read_in_pieces(const uint8_t *data, size_t size, size_t piece, struct servicing_log *log)
{
	servicing_log_init(log);
	for (size_t i = 0; i < size; i += piece)
		CHECK(servicing_log_feed(log, data + i, size - i < piece ? size - i : piece) == 0);
	CHECK(servicing_log_end(log) == 0);
}

int main(void)
{
	struct servicing_log whole, bytes, sevens;
	const uint8_t *data = (const uint8_t *)TEXT;
	size_t size = sizeof TEXT - 1;

	CHECK(servicing_log_sniff(data, size));
	CHECK(!servicing_log_sniff((const uint8_t *)"2025-01-06 11:13:21 Info CBS", 28));
	CHECK(!servicing_log_sniff((const uint8_t *)"2025-13-06 11:13:21, Info CBS", 29));
	CHECK(!servicing_log_sniff((const uint8_t *)"@echo off\r\n", 11));
	CHECK(servicing_log_sniff((const uint8_t *)"\xff\xfe" "2\0" "0\0" "2\0" "5\0" "-\0" "0\0" "1\0"
						      "-\0" "0\0" "6\0" " \0" "1\0" "1\0" ":\0" "1\0"
						      "3\0" ":\0" "2\0" "1\0" ",\0" " \0" "I\0" "n\0",
				  48));

	read_in_pieces(data, size, size, &whole);
	read_in_pieces(data, size, 1, &bytes);
	read_in_pieces(data, size, 7, &sevens);
	CHECK_INT(whole.lines_read, 6);
	CHECK_INT(whole.lines_dated, 4);
	CHECK_INT(whole.count, 5);
	for (size_t i = 0; i < whole.count && i < bytes.count && i < sevens.count; i++) {
		CHECK_INT(bytes.lines[i].offset, whole.lines[i].offset);
		CHECK_INT(sevens.lines[i].offset, whole.lines[i].offset);
		CHECK_STR(bytes.lines[i].message, whole.lines[i].message);
		CHECK_STR(sevens.lines[i].message, whole.lines[i].message);
	}
	CHECK_INT(bytes.count, whole.count);
	CHECK_INT(sevens.count, whole.count);
	if (whole.count == 5) {
		const struct servicing_line *l = whole.lines;
		CHECK_INT(l[0].line_number, 2);
		CHECK_INT(l[0].offset, strstr(TEXT, "2025-01-06 11:13:25") - TEXT);
		CHECK_STR(l[0].local_time, "2025-01-06 11:13:25");
		CHECK_STR(l[0].level, "Info");
		CHECK_STR(l[0].component, "CBS");
		CHECK(l[0].action == SERVICING_ENABLE);
		/* a continuation line: the time of line 2, UTF-8 kept, the stray byte replaced */
		CHECK_INT(l[1].continues, 2);
		CHECK_STR(l[1].local_time, "2025-01-06 11:13:25");
		CHECK(strstr(l[1].message, "\xe6\x9d\xb1\xe4\xba\xac ? end") != NULL);
		CHECK(l[1].action == SERVICING_MENTION);
		CHECK(l[2].action == SERVICING_MENTION); /* current = target: no change */
		CHECK(l[3].action == SERVICING_DISABLE);
		CHECK_STR(l[3].component, "DISM");
		CHECK_INT(l[4].line_number, 6);
		CHECK(l[4].action == SERVICING_ENABLE);
	}
	servicing_log_free(&whole);
	servicing_log_free(&bytes);
	servicing_log_free(&sevens);

	/* a line longer than the limit: cut, counted, the feature's name after the cut not seen */
	{
		size_t n = SERVICING_LINE_MAX * 3;
		char *big = malloc(n + 64);
		struct servicing_log log;
		CHECK(big != NULL);
		if (big) {
			memcpy(big, "2025-01-06 11:13:21, Info CBS ", 30);
			memset(big + 30, 'x', n - 30);
			memcpy(big + n, " Containers-DisposableClientVM\n", 31);
			read_in_pieces((const uint8_t *)big, n + 31, 4096, &log);
			CHECK_INT(log.lines_cut, 1);
			CHECK_INT(log.count, 0);
			servicing_log_free(&log);
			free(big);
		}
	}
	return check_done("test_servicing_log");
}
