/*
 * fuzz_archive.c - libFuzzer target for archive_inspect_file (parsers/archive.c, METHOD.md
 * §5.3): arbitrary bytes through the signature check, libarchive's readers (7z, zip, rar, rar5,
 * cab, tar, ...), entry listing with data skipped, name copying and the extension verdict.
 *
 * archive_inspect_file takes a path, so each input is written to one temporary file per process
 * (created once under /tmp with mkstemp and a ".dat" name, rewritten for every input, removed at
 * exit). The report must always come back (0) for a regular file, and its fields must be
 * consistent.
 *
 * Only sandtrace's code is instrumented for coverage; libarchive is Debian's uninstrumented build,
 * so memory errors inside it are seen only where they pass through ASan's interceptors.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_archive.c parsers/archive.c $(pkg-config --cflags --libs libarchive) \
 *     -o /tmp/fuzz_archive
 * Seeds: small archives made by tests/unit/test_archive.c's cases (zip, encrypted zip, 7z, tar.gz,
 * 7z with encrypted headers), copied to a scratch directory, never into the repository:
 *   /tmp/fuzz_archive -max_total_time=180 -rss_limit_mb=2048 -timeout=30 /tmp/archive-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char temp_path[] = "/tmp/sandtrace-fuzz-archive-XXXXXX.dat";
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
	struct archive_report *report = NULL;
	char err[256];
	size_t done = 0;

	if (temp_fd < 0) {
		temp_fd = mkstemps(temp_path, 4);
		if (temp_fd < 0) {
			perror("fuzz_archive: mkstemps");
			abort();
		}
		atexit(remove_temp);
	}
	if (ftruncate(temp_fd, 0) != 0) {
		perror("fuzz_archive: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(temp_fd, data + done, size - done, (off_t)done);
		if (n <= 0) {
			perror("fuzz_archive: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	if (archive_inspect_file(temp_path, &report, err, sizeof err) != 0)
		abort(); /* a regular file always gives a report */
	if (report->name_count > ARCHIVE_REPORT_MAX_NAMES ||
	    report->entry_count > ARCHIVE_REPORT_MAX_ENTRIES ||
	    (report->complete && report->reason[0]) || (!report->complete && !report->reason[0]) ||
	    (report->headers_encrypted && report->encrypted != 1) ||
	    report->file_size != (uint64_t)size)
		abort();
	for (size_t i = 0; i < report->name_count; i++)
		if (strlen(report->names[i]) > ARCHIVE_REPORT_NAME_MAX)
			abort();
	archive_report_free(report);
	return 0;
}
