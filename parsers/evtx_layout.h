/*
 * evtx_layout.h - the EVTX file layout read from the bytes themselves, for what libevtx does not
 * give: where each record lies in the file, and a file header rebuilt from the chunks when the
 * evidence's own header is damaged.
 *
 * Layout (libyal's "Windows XML Event Log (EVTX) format" document; the same facts python-evtx
 * relies on): a 4096-byte file header; 64 KiB chunks from offset 4096, each starting "ElfChnk\0",
 * with the first/last event record number at +8/+16 (u64) and the free space offset at +48 (u32);
 * a chunk's records start at +512, each "**\0\0", size (u32, +4), record number (u64, +8), written
 * FILETIME (u64, +16), BinXML, and the size again in its last 4 bytes. All integers little-endian.
 *
 * libevtx 20181227 (Debian) reports offset 0 for every record, so sandtrace locates each record
 * itself and matches it to libevtx's by (record number, written time); an offset is given only
 * when exactly one place in the file holds that pair, never guessed.
 */
#ifndef SANDTRACE_PARSERS_EVTX_LAYOUT_H
#define SANDTRACE_PARSERS_EVTX_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

enum {
	EVTX_FILE_HEADER_SIZE = 4096,
	EVTX_CHUNK_SIZE = 65536,
	EVTX_CHUNK_HEADER_SIZE = 512,
	EVTX_RECORD_MIN_SIZE = 28, /* header (24) + the trailing size copy (4) */
};

/* One record found in the file: 24 bytes, the whole per-record cost of the index. */
struct evtx_record_place {
	uint64_t number;       /* the record header's record number */
	uint64_t written_time; /* the record header's FILETIME */
	int64_t offset;        /* byte offset of its "**\0\0" in the file */
};

struct evtx_place_list {
	struct evtx_record_place *places;
	size_t count, capacity;
};

struct evtx_locator {
	/* Records walked in each chunk from +512 below its free space offset (what libevtx reads as
	 * allocated records), and "**\0\0" candidates with a valid size copy anywhere else (where
	 * its recovered records come from). Each sorted by (number, written time, offset). */
	struct evtx_place_list allocated, unallocated;
	int unallocated_incomplete; /* more candidates than the cap: recovered offsets unknown */
	uint64_t chunks_read;
};

/* Indexes the records of the event log at PATH, reading it chunk by chunk (64 KiB at a time).
 * Memory: 24 bytes per allocated record plus 24 per candidate, candidates capped at
 * 4 x (allocated + 1024). Returns 0, or -1 with ERR filled (file unreadable, out of memory);
 * free with evtx_locator_free in either case. */
int evtx_locator_build(struct evtx_locator *locator, const char *path, char *err, size_t err_size);

/* The same for an event log held in memory (DATA, SIZE bytes: a member of a collection container). */
int evtx_locator_build_memory(struct evtx_locator *locator, const uint8_t *data, size_t size,
			      char *err, size_t err_size);

/* The offset of the one record with NUMBER and WRITTEN_TIME among the allocated records (or, for
 * a RECOVERED one, among the candidates outside them); -1 when there is none or more than one. */
int64_t evtx_locator_find(const struct evtx_locator *locator, uint64_t number,
			  uint64_t written_time, int recovered);

void evtx_locator_free(struct evtx_locator *locator);

/* The chunk index of a record at OFFSET, or -1 if OFFSET is unknown or inside the file header. */
int64_t evtx_chunk_of_offset(int64_t offset);

/* Rebuilds the 128-byte file header (first/last chunk number, next record number, version 3.1,
 * number of chunks, flags 0, CRC32) at the start of FILE (SIZE bytes, the whole file read into
 * memory) from its chunks, and zeroes the rest of the 4096-byte header block. Nothing else is
 * changed, so offsets into FILE remain offsets into the evidence. Returns 0, or -1 with ERR
 * filled when FILE is shorter than a header and one chunk or has no "ElfChnk\0" chunk. */
int evtx_header_rebuild(uint8_t *file, size_t size, char *err, size_t err_size);

#endif
