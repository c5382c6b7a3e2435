/*
 * fuzz_hive.c - libFuzzer target for hive_parse_file (parsers/hive.c, METHOD.md §2-§4.2) on
 * arbitrary bytes: base-block checks, kind detection, control set choice, the table walk and the
 * inline-value read-back, through libregf.
 *
 * hive_parse_file takes a path, so each input is written to one temporary file per process
 * (mkstemp once, rewritten per input, removed at exit), as in fuzz_evtx.c. libregf is Debian's
 * uninstrumented build: memory errors inside it show only through ASan's interceptors. libregf
 * 20201007 leaks its root key item when libregf_file_get_root_key fails (tests/unit/test_hive.c),
 * so run with LSAN_OPTIONS=suppressions=... naming libregf_key_item_initialize, or -detect_leaks=0.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_hive.c parsers/hive.c src/strbuf.c $(pkg-config --cflags --libs libregf) \
 *     -o /tmp/fuzz_hive
 * Seeds: forged hives (stforge hive tests/unit/data/hive/X.reg OUT) in a scratch directory:
 *   /tmp/fuzz_hive -max_total_time=180 -rss_limit_mb=2048 -timeout=10 /tmp/hive-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/hive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char temp_path[] = "/tmp/sandtrace-fuzz-hive-XXXXXX";
static int temp_fd = -1;

static void remove_temp(void)
{
	if (temp_fd >= 0) {
		close(temp_fd);
		unlink(temp_path);
		temp_fd = -1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hive_result *result = NULL;
	char err[256];
	size_t done = 0, sink = 0;

	if (temp_fd < 0) {
		temp_fd = mkstemp(temp_path);
		if (temp_fd < 0) {
			perror("fuzz_hive: mkstemp");
			abort();
		}
		atexit(remove_temp);
	}
	if (ftruncate(temp_fd, 0) != 0) {
		perror("fuzz_hive: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(temp_fd, data + done, size - done, (off_t)done);
		if (n <= 0) {
			perror("fuzz_hive: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	if (hive_parse_file(temp_path, &result, err, sizeof err) == 0) {
		for (size_t i = 0; i < result->row_count; i++) {
			sink += strlen(result->rows[i].key_path);
			if (result->rows[i].text)
				sink += strlen(result->rows[i].text);
			if (result->rows[i].data_size)
				sink += result->rows[i].data[result->rows[i].data_size - 1];
		}
		hive_result_free(result);
	}
	(void)sink;
	return 0;
}
