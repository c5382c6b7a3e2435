/*
 * evtx_record.c - one event record rendered again from its evidence file (see evtx_record.h).
 *
 * The decoder's way needs only the record's chunk: the chunk is checked whole (CRC32 of header
 * and records, framing of every record, binxml.h) before its record is decoded, so a record is
 * rendered from bytes that pass the same checks as at ingest. libevtx is the way for what the
 * decoder does not read: a record recovered from free space, a chunk that fails a check, a record
 * the decoder refuses, a record whose offset was not established.
 */
#include "evtx_record.h"

#include <libbfio.h>
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "binxml.h"
#include "evtx_layout.h"

/* The event log to read: the file at PATH, or SIZE bytes at DATA (a member of a collection
 * container) when DATA is not NULL. */
struct log_bytes {
	const char *path;
	const uint8_t *data;
	size_t size;
};

/* Renders AT through sandtrace's decoder. Returns 0, or -1 with WHY (then libevtx is tried). */
static int render_with_decoder(const struct log_bytes *log, const struct evtx_record_at *at,
			       struct strbuf *out, char *why, size_t why_size)
{
	struct binxml_record *records = malloc(BINXML_MAX_RECORDS * sizeof *records);
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	struct binxml_decoder *decoder = binxml_decoder_new();
	struct binxml_chunk_info info;
	FILE *in = NULL;
	int64_t chunk_index, in_chunk;
	uint64_t start;
	int n, rc = -1;
	char reason[256];

	if (!records || !chunk || !decoder) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	if (at->recovered || at->offset < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE) {
		snprintf(why, why_size, "%s", at->recovered ? "a recovered record"
							    : "no offset established");
		goto out;
	}
	chunk_index = (at->offset - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
	in_chunk = (at->offset - EVTX_FILE_HEADER_SIZE) % EVTX_CHUNK_SIZE;
	start = (uint64_t)(EVTX_FILE_HEADER_SIZE + chunk_index * EVTX_CHUNK_SIZE);
	if (log->data) {
		if (start > log->size || log->size - start < EVTX_CHUNK_SIZE) {
			snprintf(why, why_size, "chunk %lld is not in the log", (long long)chunk_index);
			goto out;
		}
		memcpy(chunk, log->data + start, EVTX_CHUNK_SIZE);
	} else if (!(in = fopen(log->path, "rb")) || fseeko(in, (off_t)start, SEEK_SET) != 0 ||
		   fread(chunk, 1, EVTX_CHUNK_SIZE, in) != EVTX_CHUNK_SIZE) {
		snprintf(why, why_size, "chunk %lld cannot be read", (long long)chunk_index);
		goto out;
	}
	n = binxml_chunk_check(chunk, records, BINXML_MAX_RECORDS, &info, reason, sizeof reason);
	if (n < 0) {
		snprintf(why, why_size, "chunk %lld: %s", (long long)chunk_index, reason);
		goto out;
	}
	for (int r = 0; r < n; r++) {
		if (records[r].offset != (uint32_t)in_chunk)
			continue;
		if (records[r].number != at->header_number) {
			snprintf(why, why_size, "the record at offset %lld is number %llu, not %llu",
				 (long long)at->offset, (unsigned long long)records[r].number,
				 (unsigned long long)at->header_number);
			goto out;
		}
		binxml_decoder_set_chunk(decoder, chunk);
		if (binxml_decode_record(decoder, &records[r], reason, sizeof reason) != 0) {
			snprintf(why, why_size, "the decoder refused it (%s)", reason);
			goto out;
		}
		binxml_render_xml(decoder, out);
		rc = strbuf_failed(out) ? -1 : 0;
		if (rc)
			snprintf(why, why_size, "out of memory");
		goto out;
	}
	snprintf(why, why_size, "no record starts at offset %lld", (long long)at->offset);
out:
	if (in)
		fclose(in);
	binxml_decoder_free(decoder);
	free(chunk);
	free(records);
	return rc;
}

/* 1 if libevtx's RECORD is the one AT names (record number and written time). */
static int libevtx_record_is(libevtx_record_t *record, const struct evtx_record_at *at)
{
	libevtx_error_t *error = NULL;
	uint64_t number = 0, written = 0;

	if (libevtx_record_get_identifier(record, &number, &error) != 1) {
		libevtx_error_free(&error);
		return 0;
	}
	if (libevtx_record_get_written_time(record, &written, &error) != 1) {
		libevtx_error_free(&error);
		written = 0;
	}
	return number == at->header_number && (at->written_time == 0 || written == at->written_time);
}

/* Renders AT through libevtx, looking it up by record number and written time among the
 * allocated (or recovered) records. Returns 0, or -1 with WHY. */
static int render_with_libevtx(const struct log_bytes *log, const struct evtx_record_at *at,
			       struct strbuf *out, char *why, size_t why_size)
{
	libevtx_error_t *error = NULL;
	libbfio_error_t *bfio_error = NULL;
	libbfio_handle_t *memory = NULL; /* the member's bytes, for libevtx */
	libevtx_file_t *file = NULL;
	int count = 0, rc = -1, found = 0, opened;

	if (libevtx_file_initialize(&file, &error) != 1) {
		snprintf(why, why_size, "libevtx cannot open the file");
		goto out;
	}
	if (!log->data)
		opened = libevtx_file_open(file, log->path, LIBEVTX_OPEN_READ, &error) == 1;
	else
		opened = libbfio_memory_range_initialize(&memory, &bfio_error) == 1 &&
			 libbfio_memory_range_set(memory, (uint8_t *)log->data, log->size,
						  &bfio_error) == 1 &&
			 libevtx_file_open_file_io_handle(file, memory, LIBEVTX_OPEN_READ,
							  &error) == 1;
	if (!opened) {
		snprintf(why, why_size, "libevtx cannot open the file");
		goto out;
	}
	if ((at->recovered ? libevtx_file_get_number_of_recovered_records(file, &count, &error)
			   : libevtx_file_get_number_of_records(file, &count, &error)) != 1) {
		snprintf(why, why_size, "libevtx cannot count the records");
		goto out;
	}
	for (int i = 0; i < count && !found; i++) {
		libevtx_record_t *record = NULL;
		size_t size = 0;
		char *text;

		if ((at->recovered ? libevtx_file_get_recovered_record_by_index(file, i, &record,
										 &error)
				   : libevtx_file_get_record_by_index(file, i, &record, &error)) != 1) {
			libevtx_error_free(&error);
			continue;
		}
		found = libevtx_record_is(record, at);
		if (found) {
			if (libevtx_record_get_utf8_xml_string_size(record, &size, &error) != 1 ||
			    size == 0 || !(text = malloc(size))) {
				snprintf(why, why_size, "libevtx cannot render the record");
			} else if (libevtx_record_get_utf8_xml_string(record, (uint8_t *)text, size,
								      &error) != 1) {
				snprintf(why, why_size, "libevtx cannot render the record");
				free(text);
			} else {
				strbuf_append(out, text, strnlen(text, size));
				free(text);
				rc = strbuf_failed(out) ? -1 : 0;
				if (rc)
					snprintf(why, why_size, "out of memory");
			}
		}
		libevtx_record_free(&record, NULL);
	}
	if (!found)
		snprintf(why, why_size, "libevtx finds no %s record number %llu written at FILETIME "
			 "%llu", at->recovered ? "recovered" : "allocated",
			 (unsigned long long)at->header_number, (unsigned long long)at->written_time);
out:
	libevtx_error_free(&error);
	libbfio_error_free(&bfio_error);
	if (file) {
		libevtx_file_close(file, NULL);
		libevtx_file_free(&file, NULL);
	}
	if (memory)
		libbfio_handle_free(&memory, NULL);
	return rc;
}

static int render(const struct log_bytes *log, const struct evtx_record_at *at, struct strbuf *out,
		  const char **reader, char *why, size_t why_size)
{
	char decoder_why[400], libevtx_why[300];

	strbuf_reset(out);
	if (render_with_decoder(log, at, out, decoder_why, sizeof decoder_why) == 0) {
		*reader = "sandtrace decoder";
		return 0;
	}
	strbuf_reset(out);
	if (render_with_libevtx(log, at, out, libevtx_why, sizeof libevtx_why) == 0) {
		*reader = "libevtx";
		return 0;
	}
	snprintf(why, why_size, "sandtrace's decoder: %s; %s", decoder_why, libevtx_why);
	return -1;
}

int evtx_record_render(const char *path, const struct evtx_record_at *at, struct strbuf *out,
		       const char **reader, char *why, size_t why_size)
{
	struct log_bytes log = {path, NULL, 0};
	return render(&log, at, out, reader, why, why_size);
}

int evtx_record_render_memory(const uint8_t *data, size_t size, const struct evtx_record_at *at,
			      struct strbuf *out, const char **reader, char *why, size_t why_size)
{
	struct log_bytes log = {NULL, data, size};
	return render(&log, at, out, reader, why, why_size);
}
