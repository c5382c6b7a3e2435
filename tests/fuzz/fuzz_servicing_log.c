/*
 * fuzz_servicing_log.c - libFuzzer target for the servicing-log reader (parsers/servicing_log.c,
 * METHOD.md §2.8): arbitrary bytes sniffed, then fed in two pieces split where the first byte of
 * the input says, and again whole; both readings must keep the same lines with the same numbers,
 * offsets and messages, every offset inside the input, every message valid UTF-8 and at most
 * SERVICING_LINE_MAX bytes.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_servicing_log.c parsers/servicing_log.c src/strbuf.c src/utf8.c \
 *     -o /tmp/fuzz_servicing_log
 * Seeds: the bundled case's CBS.log and dism.log, copied to a scratch directory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/servicing_log.h"
#include "utf8.h"

static void valid_utf8(const char *text)
{
	size_t length = strlen(text);
	for (size_t i = 0; i < length;) {
		size_t n = utf8_decode((const unsigned char *)text + i, length - i, NULL);
		if (!n)
			abort();
		i += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct servicing_log whole, split;
	size_t cut = size ? data[0] % (size + 1) : 0;

	(void)servicing_log_sniff(data, size);
	servicing_log_init(&whole);
	servicing_log_init(&split);
	if (servicing_log_feed(&whole, data, size) != 0 || servicing_log_end(&whole) != 0 ||
	    servicing_log_feed(&split, data, cut) != 0 ||
	    servicing_log_feed(&split, data + cut, size - cut) != 0 || servicing_log_end(&split) != 0)
		abort(); /* inputs this small never run out of memory */
	if (whole.count != split.count || whole.lines_read != split.lines_read)
		abort();
	for (size_t i = 0; i < whole.count; i++) {
		const struct servicing_line *a = &whole.lines[i], *b = &split.lines[i];
		if (a->offset != b->offset || a->line_number != b->line_number ||
		    strcmp(a->message, b->message) != 0 || a->offset >= size ||
		    strlen(a->message) > SERVICING_LINE_MAX)
			abort();
		valid_utf8(a->message);
	}
	servicing_log_free(&whole);
	servicing_log_free(&split);
	return 0;
}
