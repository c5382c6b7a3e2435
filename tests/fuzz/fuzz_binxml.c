/*
 * fuzz_binxml.c - libFuzzer target for sandtrace's own chunk checker and Binary XML decoder
 * (parsers/binxml.c), in memory: the input is one chunk (cut or zero-padded to 64 KiB) whose two
 * CRC32s are set right before it is checked, so that the fuzzer's changes reach the record walk,
 * the template cache, the names, the substitutions and nested Binary XML instead of stopping at a
 * checksum. Every record is decoded; a decoded one is flattened (binxml_fill_event) and rendered
 * as XML.
 *
 * Build (clang, from the repository root; or cmake -DSANDTRACE_FUZZ=ON with CC=clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *     -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -Isrc tests/fuzz/fuzz_binxml.c \
 *     parsers/binxml.c parsers/evtx.c parsers/evtx_layout.c src/json.c src/strbuf.c \
 *     src/timeutil.c $(pkg-config --cflags --libs libevtx libbfio libxml-2.0 zlib) -o /tmp/fuzz_binxml
 * Seeds: chunks cut from small real or forged logs (dd bs=65536 skip=... from offset 4096), in a
 * scratch directory. Crashers found are kept in tests/fuzz/binxml_crashers/ and replayed by
 * tests/unit/test_binxml.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "binxml_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct binxml_record records[BINXML_MAX_RECORDS];
	static uint8_t chunk[EVTX_CHUNK_SIZE];

	memset(chunk, 0, sizeof chunk);
	memcpy(chunk, data, size < sizeof chunk ? size : sizeof chunk);
	(void)binxml_replay_chunk(chunk, records);
	return 0;
}
