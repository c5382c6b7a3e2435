/*
 * binxml_replay.h - one chunk through the whole of parsers/binxml.c, for the fuzz target
 * (fuzz_binxml.c) and for the unit test that replays its crashers (tests/unit/test_binxml.c).
 * The chunk's two CRC32s are set first, so that arbitrary bytes reach the decoder.
 */
#ifndef SANDTRACE_TESTS_BINXML_REPLAY_H
#define SANDTRACE_TESTS_BINXML_REPLAY_H

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "parsers/binxml.h"
#include "parsers/evtx_layout.h"

static void put_le32(uint8_t *p, uint32_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
	p[2] = (uint8_t)(value >> 16);
	p[3] = (uint8_t)(value >> 24);
}

/* Decodes every record of CHUNK (EVTX_CHUNK_SIZE bytes, modified: CRCs set); returns the number
 * of records decoded, or -1 when the chunk fails its check. */
static inline int binxml_replay_chunk(uint8_t *chunk, struct binxml_record *records)
{
	struct binxml_decoder *decoder = binxml_decoder_new();
	struct binxml_chunk_info info;
	struct strbuf xml = STRBUF_INIT;
	uint32_t free_space = (uint32_t)chunk[48] | (uint32_t)chunk[49] << 8 |
			      (uint32_t)chunk[50] << 16 | (uint32_t)chunk[51] << 24;
	char why[256];
	int n, decoded = 0;

	if (!decoder)
		return -1;
	if (free_space >= EVTX_CHUNK_HEADER_SIZE && free_space <= EVTX_CHUNK_SIZE)
		put_le32(chunk + 52, (uint32_t)crc32(0, chunk + EVTX_CHUNK_HEADER_SIZE,
						     free_space - EVTX_CHUNK_HEADER_SIZE));
	put_le32(chunk + 124, (uint32_t)crc32(crc32(0, chunk, 120), chunk + 128,
					      EVTX_CHUNK_HEADER_SIZE - 128));
	n = binxml_chunk_check(chunk, records, BINXML_MAX_RECORDS, &info, why, sizeof why);
	binxml_decoder_set_chunk(decoder, chunk);
	for (int r = 0; r < n; r++) {
		struct evtx_event *event = calloc(1, sizeof *event);
		uint32_t id;

		if (!event || binxml_decode_record(decoder, &records[r], why, sizeof why) != 0) {
			free(event);
			continue;
		}
		decoded++;
		(void)binxml_provider(decoder);
		(void)binxml_event_id(decoder, &id);
		(void)binxml_qualifiers(decoder);
		(void)binxml_channel(decoder);
		(void)binxml_fill_event(decoder, event);
		strbuf_reset(&xml);
		binxml_render_xml(decoder, &xml);
		evtx_event_free(event);
	}
	strbuf_free(&xml);
	binxml_decoder_free(decoder);
	return n < 0 ? -1 : decoded;
}

#endif
