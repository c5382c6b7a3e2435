/*
 * fuzz_evtx.c - libFuzzer target for the EVTX reading path: evtx_parse_file (parsers/evtx.c) on
 * arbitrary bytes, through libevtx, the record reader, the XML flattener, strings_as_json, the
 * record-number gap report, the record locator and the header repair (parsers/evtx_layout.c: an
 * input whose header libevtx refuses is read again through a header rebuilt from its chunks).
 *
 * evtx_parse_file takes a path, so each input is written to one temporary file per process
 * (created once under /tmp with mkstemp, rewritten for every input, removed at exit). Every event
 * handed to the callback is freed; problems are ignored. want() answers 0, 1 or 2 by event id so
 * that the count-only, full and render-then-keep paths are all taken.
 *
 * Only sandtrace's code is instrumented for coverage; libevtx is Debian's uninstrumented build, so
 * memory errors inside it are seen only where they pass through ASan's interceptors (memcpy, ...).
 *
 * Build (clang, from the repository root; or cmake -DSANDTRACE_FUZZ=ON with CC=clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_evtx.c parsers/evtx.c parsers/evtx_layout.c src/json.c \
 *     src/strbuf.c src/timeutil.c $(pkg-config --cflags --libs libevtx libbfio libxml-2.0 zlib) \
 *     -o /tmp/fuzz_evtx
 * Seeds: small real logs (< 300 KB) and forged ones (stforge evtx SOURCE.evtx.xml OUT.evtx from
 * tests/forge/samples/evtx), copied to a scratch directory, never into the repository. libevtx
 * leaks on its own error paths (see lsan.supp), so run with the suppressions next to this file:
 *   LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp /tmp/fuzz_evtx -max_total_time=300 \
 *     -rss_limit_mb=2048 -timeout=10 /tmp/evtx-corpus
 * Reproduce a finding: /tmp/fuzz_evtx crash-<sha1> (same LSAN_OPTIONS). A timeout or an
 * out-of-memory whose stack is all inside libevtx (libfwevt_xml_document_*) is libevtx's own
 * (template expansion through nested substitutions), not ours.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parsers/evtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char temp_path[] = "/tmp/sandtrace-fuzz-evtx-XXXXXX";
static int temp_fd = -1;

static void remove_temp(void)
{
	if (temp_fd >= 0) {
		close(temp_fd);
		unlink(temp_path);
		temp_fd = -1;
	}
}

static int want(void *context, const char *provider, uint32_t event_id)
{
	(void)context;
	(void)provider;
	return (int)(event_id % 3); /* 0 count only, 1 full, 2 render then keep_rendered() */
}

static int keep_rendered(void *context, const char *xml)
{
	(void)context;
	return strstr(xml, "Sandbox") != NULL;
}

static int on_event(void *context, struct evtx_event *event)
{
	(void)context;
	evtx_event_free(event);
	return 0;
}

static void on_problem(void *context, const char *location, const char *reason, int severe)
{
	(void)context;
	(void)location;
	(void)reason;
	(void)severe;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct evtx_callbacks callbacks = {NULL, want, keep_rendered, on_event, on_problem, NULL};
	struct evtx_stats stats;
	size_t done = 0;

	if (temp_fd < 0) {
		temp_fd = mkstemp(temp_path);
		if (temp_fd < 0) {
			perror("fuzz_evtx: mkstemp");
			abort();
		}
		atexit(remove_temp);
	}
	if (ftruncate(temp_fd, 0) != 0) {
		perror("fuzz_evtx: ftruncate");
		abort();
	}
	while (done < size) {
		ssize_t n = pwrite(temp_fd, data + done, size - done, (off_t)done);
		if (n <= 0) {
			perror("fuzz_evtx: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	evtx_parse_file(temp_path, &callbacks, &stats);
	return 0;
}
