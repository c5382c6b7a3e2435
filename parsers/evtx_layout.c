/*
 * evtx_layout.c - record offsets and a rebuilt file header, from the EVTX bytes (evtx_layout.h).
 *
 * Every read of evidence bytes goes through read_u32/read_u64/record_at, which check the length
 * first: the bytes may be anything (a damaged chunk, a fuzzer's input).
 */
#include "evtx_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const uint8_t CHUNK_SIGNATURE[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};
static const uint8_t FILE_SIGNATURE[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
static const uint8_t RECORD_SIGNATURE[4] = {'*', '*', 0, 0};

/* Chunk header fields (offsets into the chunk). */
enum { CHUNK_FIRST_RECORD = 8, CHUNK_LAST_RECORD = 16, CHUNK_FREE_SPACE = 48 };

static int read_u32(const uint8_t *data, size_t length, size_t at, uint32_t *value)
{
	if (at > length || length - at < 4)
		return -1;
	*value = (uint32_t)data[at] | (uint32_t)data[at + 1] << 8 | (uint32_t)data[at + 2] << 16 |
		 (uint32_t)data[at + 3] << 24;
	return 0;
}

static int read_u64(const uint8_t *data, size_t length, size_t at, uint64_t *value)
{
	uint32_t low, high;

	if (read_u32(data, length, at, &low) != 0 || read_u32(data, length, at + 4, &high) != 0)
		return -1;
	*value = (uint64_t)high << 32 | low;
	return 0;
}

static int has_signature(const uint8_t *data, size_t length, size_t at, const uint8_t *signature,
			 size_t signature_length)
{
	return at <= length && length - at >= signature_length &&
	       memcmp(data + at, signature, signature_length) == 0;
}

/* The record whose "**\0\0" is at AT in DATA, if it is a whole record within the first LIMIT
 * bytes: size >= 28, inside LIMIT, and repeated in its last 4 bytes. Returns 0 and fills PLACE
 * (offset relative to DATA) and SIZE, or -1. */
static int record_at(const uint8_t *data, size_t limit, size_t at, struct evtx_record_place *place,
		     uint32_t *size)
{
	uint32_t copy;

	if (!has_signature(data, limit, at, RECORD_SIGNATURE, sizeof RECORD_SIGNATURE) ||
	    read_u32(data, limit, at + 4, size) != 0 || *size < EVTX_RECORD_MIN_SIZE ||
	    *size > limit - at || read_u32(data, limit, at + *size - 4, &copy) != 0 || copy != *size ||
	    read_u64(data, limit, at + 8, &place->number) != 0 ||
	    read_u64(data, limit, at + 16, &place->written_time) != 0)
		return -1;
	place->offset = (int64_t)at;
	return 0;
}

static int place_list_add(struct evtx_place_list *list, const struct evtx_record_place *place)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 1024;
		struct evtx_record_place *grown = realloc(list->places, capacity * sizeof *grown);
		if (!grown)
			return -1;
		list->places = grown;
		list->capacity = capacity;
	}
	list->places[list->count++] = *place;
	return 0;
}

static int compare_places(const void *a, const void *b)
{
	const struct evtx_record_place *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	if (x->written_time != y->written_time)
		return x->written_time < y->written_time ? -1 : 1;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

static void place_list_sort(struct evtx_place_list *list)
{
	if (list->count > 1)
		qsort(list->places, list->count, sizeof *list->places, compare_places);
}

/* Indexes one chunk slot: DATA holds LENGTH (<= 64 KiB) bytes read at file offset BASE. A chunk
 * with its signature has its records walked from +512 while below the free space offset; every
 * "**\0\0" outside that walk (the free space, or the whole slot when the signature is gone) that
 * looks like a whole record is a candidate for libevtx's recovered records. */
static int index_chunk(struct evtx_locator *locator, const uint8_t *data, size_t length,
		       int64_t base)
{
	size_t walked_end = 0; /* bytes [0, walked_end) are the chunk header and its records */

	if (has_signature(data, length, 0, CHUNK_SIGNATURE, sizeof CHUNK_SIGNATURE) &&
	    length >= EVTX_CHUNK_HEADER_SIZE) {
		size_t limit = length, at = EVTX_CHUNK_HEADER_SIZE;
		struct evtx_record_place place;
		uint32_t free_space, size;

		if (read_u32(data, length, CHUNK_FREE_SPACE, &free_space) == 0 &&
		    free_space >= EVTX_CHUNK_HEADER_SIZE && free_space <= length)
			limit = free_space;
		while (record_at(data, limit, at, &place, &size) == 0) {
			place.offset += base;
			if (place_list_add(&locator->allocated, &place) != 0)
				return -1;
			at += size;
		}
		walked_end = at;
		locator->chunks_read++;
	}
	for (size_t at = walked_end; at + sizeof RECORD_SIGNATURE <= length; at++) {
		const uint8_t *hit = memchr(data + at, '*', length - at);
		struct evtx_record_place place;
		uint32_t size;

		if (!hit)
			break;
		at = (size_t)(hit - data);
		if (record_at(data, length, at, &place, &size) != 0)
			continue;
		if (locator->unallocated.count >= 4 * (locator->allocated.count + 1024)) {
			locator->unallocated_incomplete = 1;
			break;
		}
		place.offset += base;
		if (place_list_add(&locator->unallocated, &place) != 0)
			return -1;
	}
	return 0;
}

int evtx_locator_build(struct evtx_locator *locator, const char *path, char *err, size_t err_size)
{
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	FILE *file = fopen(path, "rb");
	int64_t base = EVTX_FILE_HEADER_SIZE;
	int rc = -1;

	memset(locator, 0, sizeof *locator);
	if (!chunk || !file) {
		snprintf(err, err_size, "%s", !chunk ? "out of memory" : "cannot open the file");
		goto out;
	}
	if (fseek(file, EVTX_FILE_HEADER_SIZE, SEEK_SET) != 0) {
		snprintf(err, err_size, "cannot seek past the file header");
		goto out;
	}
	for (;;) {
		size_t length = fread(chunk, 1, EVTX_CHUNK_SIZE, file);

		if (length == 0)
			break;
		if (index_chunk(locator, chunk, length, base) != 0) {
			snprintf(err, err_size, "out of memory indexing the records");
			goto out;
		}
		base += (int64_t)length;
		if (length < EVTX_CHUNK_SIZE)
			break;
	}
	if (ferror(file)) {
		snprintf(err, err_size, "read error at byte %lld", (long long)base);
		goto out;
	}
	place_list_sort(&locator->allocated);
	place_list_sort(&locator->unallocated);
	rc = 0;
out:
	if (file)
		fclose(file);
	free(chunk);
	return rc;
}

int evtx_locator_build_memory(struct evtx_locator *locator, const uint8_t *data, size_t size,
			      char *err, size_t err_size)
{
	memset(locator, 0, sizeof *locator);
	for (size_t at = EVTX_FILE_HEADER_SIZE; at < size; at += EVTX_CHUNK_SIZE) {
		size_t length = size - at < EVTX_CHUNK_SIZE ? size - at : EVTX_CHUNK_SIZE;

		if (index_chunk(locator, data + at, length, (int64_t)at) != 0) {
			snprintf(err, err_size, "out of memory indexing the records");
			return -1;
		}
	}
	place_list_sort(&locator->allocated);
	place_list_sort(&locator->unallocated);
	return 0;
}

int64_t evtx_locator_find(const struct evtx_locator *locator, uint64_t number,
			  uint64_t written_time, int recovered)
{
	const struct evtx_place_list *list = recovered ? &locator->unallocated : &locator->allocated;
	const struct evtx_record_place key = {number, written_time, INT64_MIN};
	size_t low = 0, high = list->count;

	if (recovered && locator->unallocated_incomplete)
		return -1;
	while (low < high) { /* the first place not before KEY */
		size_t middle = low + (high - low) / 2;
		if (compare_places(&list->places[middle], &key) < 0)
			low = middle + 1;
		else
			high = middle;
	}
	if (low == list->count || list->places[low].number != number ||
	    list->places[low].written_time != written_time)
		return -1;
	if (low + 1 < list->count && list->places[low + 1].number == number &&
	    list->places[low + 1].written_time == written_time)
		return -1; /* two places hold this record: which one libevtx read is unknown */
	return list->places[low].offset;
}

void evtx_locator_free(struct evtx_locator *locator)
{
	free(locator->allocated.places);
	free(locator->unallocated.places);
	memset(locator, 0, sizeof *locator);
}

int64_t evtx_chunk_of_offset(int64_t offset)
{
	if (offset < EVTX_FILE_HEADER_SIZE)
		return -1;
	return (offset - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE;
}

static void write_u16(uint8_t *at, uint16_t value)
{
	at[0] = (uint8_t)value;
	at[1] = (uint8_t)(value >> 8);
}

static void write_u32(uint8_t *at, uint32_t value)
{
	write_u16(at, (uint16_t)value);
	write_u16(at + 2, (uint16_t)(value >> 16));
}

static void write_u64(uint8_t *at, uint64_t value)
{
	write_u32(at, (uint32_t)value);
	write_u32(at + 4, (uint32_t)(value >> 32));
}

int evtx_header_rebuild(uint8_t *file, size_t size, char *err, size_t err_size)
{
	/* File header fields (libyal's EVTX format document, "File header"). */
	enum { FIRST_CHUNK = 8, LAST_CHUNK = 16, NEXT_RECORD = 24, HEADER_SIZE = 32, MINOR = 36,
	       MAJOR = 38, BLOCK_SIZE = 40, CHUNK_COUNT = 42, FLAGS = 120, CHECKSUM = 124,
	       CHECKED_BYTES = 120 };
	uint64_t oldest_first = UINT64_MAX, newest_last = 0, oldest = 0, newest = 0, slots = 0;
	uint64_t signed_chunks = 0;

	if (size < (size_t)EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE) {
		snprintf(err, err_size, "%zu bytes, shorter than a file header and one chunk (%d)",
			 size, EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE);
		return -1;
	}
	for (uint64_t index = 0; index < (size - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE; index++) {
		const uint8_t *chunk = file + EVTX_FILE_HEADER_SIZE + index * EVTX_CHUNK_SIZE;
		uint64_t first, last;

		if (!has_signature(chunk, EVTX_CHUNK_SIZE, 0, CHUNK_SIGNATURE, sizeof CHUNK_SIGNATURE) ||
		    read_u64(chunk, EVTX_CHUNK_SIZE, CHUNK_FIRST_RECORD, &first) != 0 ||
		    read_u64(chunk, EVTX_CHUNK_SIZE, CHUNK_LAST_RECORD, &last) != 0)
			continue;
		signed_chunks++;
		slots = index + 1;
		if (first < oldest_first) {
			oldest_first = first;
			oldest = index;
		}
		if (last >= newest_last) {
			newest_last = last;
			newest = index;
		}
	}
	if (signed_chunks == 0) {
		snprintf(err, err_size, "no chunk with the signature ElfChnk");
		return -1;
	}
	if (slots > UINT16_MAX) {
		snprintf(err, err_size, "%llu chunks, more than a file header can count",
			 (unsigned long long)slots);
		return -1;
	}
	memset(file, 0, EVTX_FILE_HEADER_SIZE);
	memcpy(file, FILE_SIGNATURE, sizeof FILE_SIGNATURE);
	write_u64(file + FIRST_CHUNK, oldest);
	write_u64(file + LAST_CHUNK, newest);
	write_u64(file + NEXT_RECORD, newest_last + 1);
	write_u32(file + HEADER_SIZE, 128);
	write_u16(file + MINOR, 1);
	write_u16(file + MAJOR, 3);
	write_u16(file + BLOCK_SIZE, EVTX_FILE_HEADER_SIZE);
	write_u16(file + CHUNK_COUNT, (uint16_t)slots);
	write_u32(file + FLAGS, 0);
	write_u32(file + CHECKSUM, (uint32_t)crc32(0L, file, CHECKED_BYTES));
	return 0;
}
