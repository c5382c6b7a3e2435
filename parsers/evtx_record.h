/*
 * evtx_record.h - one event record rendered again from its evidence file (METHOD.md §8.10).
 *
 * The store keeps every record's place (byte offset of its "**\0\0" signature, record number and
 * written time from its header) but not the XML of the records `--all-events` stores for their
 * fields only (§8.8). This reads that one record again and renders it as XML in libevtx's form:
 * through sandtrace's decoder when the record's chunk passes its checks and the decoder reads the
 * record, else through libevtx (found by record number and written time).
 */
#ifndef SANDTRACE_PARSERS_EVTX_RECORD_H
#define SANDTRACE_PARSERS_EVTX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Where a stored record lies and how its header names it. */
struct evtx_record_at {
	int64_t offset;          /* byte offset of the record in the file, -1 if not established */
	uint64_t header_number;  /* the record header's record number */
	uint64_t written_time;   /* the record header's FILETIME, 0 if unknown */
	int recovered;           /* 1 = recovered by libevtx from outside the allocated records */
};

/* Renders the record AT of the event log at PATH into OUT (reset first; libevtx's XML form). READER
 * is set to "sandtrace decoder" or "libevtx". Returns 0, or -1 with WHY filled: the file cannot be
 * read, no record is found there, or it cannot be rendered. */
int evtx_record_render(const char *path, const struct evtx_record_at *at, struct strbuf *out,
		       const char **reader, char *why, size_t why_size);

/* The same for the event log held in SIZE bytes at DATA (a member of a collection container, read
 * into memory; libevtx reads it through a libbfio memory range). */
int evtx_record_render_memory(const uint8_t *data, size_t size, const struct evtx_record_at *at,
			      struct strbuf *out, const char **reader, char *why, size_t why_size);

#endif
