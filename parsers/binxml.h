/*
 * binxml.h - sandtrace's own reader of EVTX chunks and their Binary XML (METHOD.md §1.11).
 *
 * A chunk (64 KiB) is checked first: its signature, the CRC32 of its header and of its records,
 * and the framing of every record between +512 and the free space offset (signature "**\0\0",
 * size, copy of the size in the last 4 bytes). Only a chunk that passes every check is decoded.
 *
 * A record is decoded against per-chunk caches: the names (by offset) and the templates (by the
 * offset of their definition, compiled once into a list of operations). Decoding a record builds a
 * small tree of elements, attributes and values in memory the decoder owns and reuses, so reading
 * a record allocates nothing once the buffers have grown; values are turned into text only when
 * asked for. From that tree the decoder gives the System fields, the EventData/UserData pairs as
 * sandtrace flattens them (evtx.h), and the record as XML in the form libevtx writes it.
 *
 * Nothing here knows about files or the store: evtx.c reads the chunks and decides what to do
 * with each record; it falls back to libevtx for whatever this decoder refuses.
 */
#ifndef SANDTRACE_PARSERS_BINXML_H
#define SANDTRACE_PARSERS_BINXML_H

#include <stddef.h>
#include <stdint.h>

#include "evtx.h"
#include "strbuf.h"

/* One record of a checked chunk: where it is and what its header says. */
struct binxml_record {
	uint32_t offset;       /* from the start of the chunk */
	uint32_t size;
	uint64_t number;       /* the record header's record number */
	uint64_t written_time; /* the record header's FILETIME */
};

struct binxml_chunk_info {
	uint64_t first_number, last_number; /* the chunk header's first/last record number */
	uint32_t free_space_offset;
	int slack_signatures;  /* "**\0\0" found between the free space offset and the chunk end */
};

/* Checks CHUNK (EVTX_CHUNK_SIZE bytes) and lists its records in RECORDS (room for CAPACITY; a
 * chunk cannot hold more than 65536 / 28). Returns the number of records, or -1 with WHY filled
 * when the chunk fails a check (then nothing of it is to be trusted to this decoder). */
int binxml_chunk_check(const uint8_t *chunk, struct binxml_record *records, size_t capacity,
		       struct binxml_chunk_info *info, char *why, size_t why_size);

enum { BINXML_MAX_RECORDS = 65536 / 28 };

struct binxml_decoder;

struct binxml_decoder *binxml_decoder_new(void);
void binxml_decoder_free(struct binxml_decoder *decoder);

/* Starts a new chunk: forgets the names and templates of the previous one. CHUNK must stay valid
 * and unchanged until the next call. */
void binxml_decoder_set_chunk(struct binxml_decoder *decoder, const uint8_t *chunk);

/* Decodes RECORD of the current chunk into the decoder's tree. Returns 0, or -1 with WHY filled
 * when its Binary XML is malformed or uses what this decoder does not read. */
int binxml_decode_record(struct binxml_decoder *decoder, const struct binxml_record *record,
			 char *why, size_t why_size);

/* From the decoded record: the provider name and the event id, the cheapest fields (for the
 * "store or count" decision), as pointers into the decoder (valid until the next decode). */
const char *binxml_provider(struct binxml_decoder *decoder);
int binxml_event_id(struct binxml_decoder *decoder, uint32_t *event_id);
/* EventID's Qualifiers attribute as a number, -1 if absent. */
int64_t binxml_qualifiers(struct binxml_decoder *decoder);
/* The Channel text (valid until the next decode), NULL if absent. */
const char *binxml_channel(struct binxml_decoder *decoder);

/* Fills EVENT's System fields and data (JSON, evtx.h) from the decoded record: exactly what
 * evtx_flatten_xml gives for libevtx's XML of the same record. Returns 0 or -1 (out of memory). */
int binxml_fill_event(struct binxml_decoder *decoder, struct evtx_event *event);

/* Appends the decoded record as XML text, as libevtx's libevtx_record_get_utf8_xml_string gives
 * it. */
void binxml_render_xml(struct binxml_decoder *decoder, struct strbuf *out);

#endif
