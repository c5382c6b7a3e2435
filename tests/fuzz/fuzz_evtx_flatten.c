/*
 * fuzz_evtx_flatten.c - libFuzzer target for evtx_flatten_xml (parsers/evtx.c): arbitrary bytes
 * taken as one rendered record's XML text, through the control-character protection, libxml2's
 * parse, the System fields, EventData / UserData flattening (nested paths, attributes, repeated
 * names) and the JSON writer. The input is passed as is (exact length, not NUL-terminated), so
 * ASan sees any read past the end.
 *
 * Build (clang, from the repository root; or cmake -DSANDTRACE_FUZZ=ON with CC=clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_evtx_flatten.c parsers/evtx.c src/json.c src/strbuf.c \
 *     src/timeutil.c $(pkg-config --cflags --libs libevtx libxml-2.0) -o /tmp/fuzz_evtx_flatten
 * Seeds: one <Event> per file, e.g. split out of the .evtx.xml files in tests/forge/samples/evtx
 * or rendered from real logs by evtxexport; with the dictionary next to this file:
 *   /tmp/fuzz_evtx_flatten -dict=tests/fuzz/evtx_flatten.dict -max_total_time=300 \
 *     -rss_limit_mb=2048 -timeout=10 /tmp/flatten-corpus
 * Reproduce a finding: /tmp/fuzz_evtx_flatten crash-<sha1>
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "parsers/evtx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The same defaults as the parser's event_new(). */
	struct evtx_event *event = calloc(1, sizeof *event);

	if (!event)
		return 0;
	event->offset = event->chunk = -1;
	event->qualifiers = -1;
	event->version = event->level = event->task = event->opcode = -1;
	event->process_id = event->thread_id = -1;
	evtx_flatten_xml((const char *)data, size, event);
	evtx_event_free(event);
	return 0;
}
