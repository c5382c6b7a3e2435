/*
 * hive_log.c - transaction log replay (interface, ownership and the rules followed: hive_log.h).
 *
 * The format facts used here, all from Suhanov's specification (github.com/msuhanov/regf):
 *   base block (primary 4096 bytes, a log keeps its first 512): "regf" at 0, primary and secondary
 *   sequence numbers at 4 and 8, last written timestamp at 12, file type at 28 (0 primary, 1 or 2
 *   old log, 6 new log), hive bins data size at 40, file name (UTF-16LE, 64 bytes) at 48, flags at
 *   144, XOR-32 checksum of the first 508 bytes at 508;
 *   old log: "DIRT" at 512, then one bit per 512-byte page of the hive bins (hive bins data size /
 *   4096 bytes of bitmap), then, from the next 512-byte boundary, one 512-byte page per bit set;
 *   new log: from 512, 512-aligned entries: "HvLE", size at 4, flags at 8, sequence number at 12,
 *   hive bins data size at 16, dirty page count at 20, Hash-1 at 24 (Marvin32 of bytes 40..size),
 *   Hash-2 at 32 (Marvin32 of bytes 0..32), then (offset, size) page references, then the pages.
 * Windows' rules for which log applies (spec "Multiple transaction log files", "Dirty state") are
 * in replay_new and replay_old.
 *
 * The log bytes are evidence an attacker can shape: every offset and length read from them is
 * checked against the buffer (log_range_ok) before use, in 64-bit arithmetic.
 */
#include "parsers/hive_log.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define BASE_BLOCK_SIZE 4096u         /* of a primary file */
#define LOG_BASE_BLOCK_SIZE 512u      /* the part of it a log keeps */
#define PAGE_SIZE 512u                /* old log pages; new log entries are aligned to it */
#define HBIN_ALIGNMENT 4096u
#define CHECKSUM_OFFSET 508u
#define FILE_NAME_OFFSET 48u
#define FILE_NAME_SIZE 64u
#define FLAGS_OFFSET 144u
#define ENTRY_HEADER_SIZE 40u
#define FILE_TYPE_PRIMARY 0u
#define FILE_TYPE_LOG_OLD 1u
#define FILE_TYPE_LOG_OLD_ALT 2u      /* the same old format, another type number */
#define FILE_TYPE_LOG_NEW 6u
#define MARVIN32_SEED_LOG 0x82EF4D887A4E55C5ull /* spec: 14219357686671994754, stored little-endian */
#define REPLAY_SIZE_MAX (1024ull << 20) /* a replayed image is held in memory whole (as hive.c's
					   repaired copy): larger primaries or bins are refused */
#define LOG_ENTRIES_MAX 1000000u      /* entries looked at per log */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* [OFFSET, OFFSET + LENGTH) lies inside a buffer of SIZE bytes. */
static int range_ok(uint64_t offset, uint64_t length, size_t size)
{
	return offset <= size && length <= size - offset;
}

static uint32_t base_block_checksum(const uint8_t *block)
{
	uint32_t checksum = 0;

	for (size_t i = 0; i < CHECKSUM_OFFSET; i += 4)
		checksum ^= le32(block + i);
	return checksum;
}

static int base_block_checksum_ok(const uint8_t *block)
{
	return le32(block + CHECKSUM_OFFSET) == base_block_checksum(block);
}

static uint32_t rotl32(uint32_t x, int n)
{
	return x << n | x >> (32 - n);
}

/* One Marvin32 round on the state (LO, HI). */
static void marvin_mix(uint32_t *lo, uint32_t *hi, uint32_t value)
{
	*lo += value;
	*hi ^= *lo;
	*lo = rotl32(*lo, 20) + *hi;
	*hi = rotl32(*hi, 9) ^ *lo;
	*lo = rotl32(*lo, 27) + *hi;
	*hi = rotl32(*hi, 19);
}

uint64_t hive_log_marvin32(const uint8_t *data, size_t size, uint64_t seed)
{
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32), last = 0x80;
	size_t i = 0;

	for (; size - i >= 4; i += 4)
		marvin_mix(&lo, &hi, le32(data + i));
	/* The 1-3 bytes left, little-endian, then the 0x80 end marker right after them. */
	switch (size - i) {
	case 3:
		last = 0x80000000u | (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 1] << 8 | data[i];
		break;
	case 2:
		last = 0x800000u | (uint32_t)data[i + 1] << 8 | data[i];
		break;
	case 1:
		last = 0x8000u | data[i];
		break;
	default:
		break;
	}
	marvin_mix(&lo, &hi, last);
	marvin_mix(&lo, &hi, 0);
	return (uint64_t)hi << 32 | lo;
}

const char *hive_log_format_name(enum hive_log_format format)
{
	switch (format) {
	case HIVE_LOG_FORMAT_OLD:
		return "old";
	case HIVE_LOG_FORMAT_NEW:
		return "new";
	default:
		return "unknown";
	}
}

/* ---- reading one log ---------------------------------------------------------------------- */

/* A new-format log entry that passed every check. */
struct log_entry {
	size_t offset;               /* in the log */
	uint32_t size, flags, sequence, bins_size, page_count;
};

/* A log as read: its outcome, and for a valid log what the replay needs. */
struct log_state {
	const struct hive_log_input *input;
	struct hive_log_outcome *outcome;
	int valid;                   /* base block (and dirty vector or first entry) good */
	uint32_t sequence;           /* its base block's (primary = secondary) */
	uint64_t timestamp;
	uint32_t bins_size;          /* its base block's */
	struct log_entry *entries;   /* new format: consecutive valid entries from offset 512 */
	size_t entry_count;
	char end[200];               /* new format: why the walk stopped before the end of the file */
	size_t pages_offset;         /* old format: where the dirty pages start */
	size_t page_count;           /* old format: bits set in the dirty vector */
};

/* What the replay knows of the primary. */
struct primary_state {
	const uint8_t *data;
	size_t size;
	int base_block_valid;        /* checksum right */
	uint32_t sequence_primary, sequence_secondary;
	uint64_t timestamp;          /* base block's, or the first hive bin's when that is invalid */
};

/* Refuses LOG: it will not be applied, for the reason given printf-style. */
__attribute__((format(printf, 2, 3))) static void refuse(struct log_state *log, const char *fmt,
							 ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(log->outcome->reason, sizeof log->outcome->reason, fmt, args);
	va_end(args);
	log->valid = 0;
	log->outcome->refused = 1;
}

/* Sets LOG aside without blame: there is nothing in it to replay. */
static void pass_over(struct log_state *log, const char *reason)
{
	snprintf(log->outcome->reason, sizeof log->outcome->reason, "%s", reason);
	log->valid = 0;
}

/* A file name (UTF-16LE, NUL-padded) as printable ASCII for a message. */
static void file_name_text(const uint8_t *field, char *out, size_t out_size)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < FILE_NAME_SIZE && n + 1 < out_size; i += 2) {
		uint16_t c = (uint16_t)(field[i] | field[i + 1] << 8);
		if (c == 0)
			break;
		out[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	out[n] = '\0';
}

static int file_name_empty(const uint8_t *field)
{
	for (size_t i = 0; i < FILE_NAME_SIZE; i++)
		if (field[i])
			return 0;
	return 1;
}

/* Checks one new-format entry at OFFSET of LOG (SIZE bytes). Returns 0 with *ENTRY filled, or -1
 * with the reason in WHY; END set when no entry starts there at all (the normal end of a log). */
static int entry_read(const uint8_t *log, size_t size, size_t offset, struct log_entry *entry,
		      char *why, size_t why_size, int *end)
{
	const uint8_t *e = log + offset;
	uint64_t references, pages = 0;

	*end = 0;
	if (!range_ok(offset, ENTRY_HEADER_SIZE, size) || memcmp(e, "HvLE", 4) != 0) {
		*end = 1;
		return -1;
	}
	entry->offset = offset;
	entry->size = le32(e + 4);
	entry->flags = le32(e + 8);
	entry->sequence = le32(e + 12);
	entry->bins_size = le32(e + 16);
	entry->page_count = le32(e + 20);
	if (entry->size < PAGE_SIZE || entry->size % PAGE_SIZE) {
		snprintf(why, why_size, "entry at offset %zu: size %u is not a multiple of 512", offset,
			 entry->size);
		return -1;
	}
	if (!range_ok(offset, entry->size, size)) {
		snprintf(why, why_size, "entry at offset %zu: %u bytes, past the end of the file (%zu)",
			 offset, entry->size, size);
		return -1;
	}
	if (entry->bins_size < HBIN_ALIGNMENT || entry->bins_size % HBIN_ALIGNMENT ||
	    entry->bins_size > REPLAY_SIZE_MAX - BASE_BLOCK_SIZE) {
		snprintf(why, why_size, "entry at offset %zu: hive bins data size %u is not a "
			 "multiple of 4096", offset, entry->bins_size);
		return -1;
	}
	references = (uint64_t)entry->page_count * 8;
	if (entry->page_count == 0 || ENTRY_HEADER_SIZE + references > entry->size) {
		snprintf(why, why_size, "entry at offset %zu: %u dirty pages do not fit in it", offset,
			 entry->page_count);
		return -1;
	}
	/* Hash-2 covers the header (with Hash-1); Hash-1 covers the rest of the entry. */
	if (le64(e + 32) != hive_log_marvin32(e, 32, MARVIN32_SEED_LOG) ||
	    le64(e + 24) != hive_log_marvin32(e + ENTRY_HEADER_SIZE, entry->size - ENTRY_HEADER_SIZE,
					      MARVIN32_SEED_LOG)) {
		snprintf(why, why_size, "entry at offset %zu (sequence %u): hash mismatch", offset,
			 entry->sequence);
		return -1;
	}
	for (uint32_t i = 0; i < entry->page_count; i++) {
		const uint8_t *ref = e + ENTRY_HEADER_SIZE + 8 * (size_t)i;
		uint32_t page_offset = le32(ref), page_size = le32(ref + 4);

		if (page_size == 0 || page_size % PAGE_SIZE || page_offset % PAGE_SIZE ||
		    (uint64_t)page_offset + page_size > entry->bins_size) {
			snprintf(why, why_size, "entry at offset %zu: dirty page %u (offset %u, %u "
				 "bytes) lies outside its hive bins", offset, i, page_offset, page_size);
			return -1;
		}
		pages += page_size;
	}
	if (ENTRY_HEADER_SIZE + references + pages > entry->size) {
		snprintf(why, why_size, "entry at offset %zu: its dirty pages (%llu bytes) do not fit "
			 "in it", offset, (unsigned long long)pages);
		return -1;
	}
	return 0;
}

/* Walks the entries of a new-format LOG: consecutive sequence numbers from the base block's. */
static int log_read_entries(struct log_state *log)
{
	const uint8_t *data = log->input->data;
	size_t size = log->input->size, offset = LOG_BASE_BLOCK_SIZE, capacity = 0;
	uint32_t expected = log->sequence;

	while (offset < size && log->entry_count < LOG_ENTRIES_MAX) {
		struct log_entry entry;
		int end;

		if (entry_read(data, size, offset, &entry, log->end, sizeof log->end, &end) != 0) {
			if (end)
				log->end[0] = '\0'; /* remnants after the last entry: normal */
			break;
		}
		if (entry.sequence != expected) {
			snprintf(log->end, sizeof log->end, "entry at offset %zu: sequence %u, %u "
				 "expected", offset, entry.sequence, expected);
			break;
		}
		if (log->entry_count == capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 8;
			struct log_entry *grown =
				realloc(log->entries, grown_capacity * sizeof *grown);
			if (!grown)
				return -1;
			log->entries = grown;
			capacity = grown_capacity;
		}
		log->entries[log->entry_count++] = entry;
		offset += entry.size;
		expected++;
	}
	if (log->entry_count == 0)
		refuse(log, "damaged: no valid log entry (%s)",
		       log->end[0] ? log->end : "none at offset 512");
	return 0;
}

/* Checks an old-format log's dirty vector and that its pages are all there. */
static void log_read_dirty_vector(struct log_state *log)
{
	const uint8_t *data = log->input->data;
	size_t size = log->input->size;
	uint64_t bitmap_size = log->bins_size / HBIN_ALIGNMENT, pages_offset;

	if (!range_ok(LOG_BASE_BLOCK_SIZE, 4 + bitmap_size, size)) {
		refuse(log, "damaged: its dirty vector (%llu bytes for %u bytes of hive bins) is cut "
		       "short", (unsigned long long)(4 + bitmap_size), log->bins_size);
		return;
	}
	if (memcmp(data + LOG_BASE_BLOCK_SIZE, "DIRT", 4) != 0) {
		refuse(log, "damaged: no dirty vector (the signature at offset 512 is not DIRT)");
		return;
	}
	pages_offset = LOG_BASE_BLOCK_SIZE + 4 + bitmap_size;
	pages_offset = (pages_offset + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	log->pages_offset = (size_t)pages_offset;
	for (uint64_t i = 0; i < bitmap_size; i++) {
		uint8_t byte = data[LOG_BASE_BLOCK_SIZE + 4 + i];
		for (; byte; byte &= (uint8_t)(byte - 1))
			log->page_count++;
	}
	if (log->page_count == 0) {
		pass_over(log, "no dirty page in its dirty vector: nothing to replay");
		return;
	}
	if (!range_ok(pages_offset, (uint64_t)log->page_count * PAGE_SIZE, size))
		refuse(log, "damaged: its dirty vector marks %zu pages, the file holds %llu",
		       log->page_count,
		       (unsigned long long)(size > pages_offset ? (size - pages_offset) / PAGE_SIZE : 0));
}

/* Reads LOG's base block and body and judges it against the PRIMARY. */
static int log_read(struct log_state *log, const struct primary_state *primary)
{
	const uint8_t *data = log->input->data;
	size_t size = log->input->size;
	uint32_t type;
	char ours[40], theirs[40];

	log->valid = 1;
	if (!data) {
		refuse(log, "cannot be read: %s",
		       log->input->unreadable ? log->input->unreadable : "unknown error");
		return 0;
	}
	if (size == 0) {
		pass_over(log, "empty (0 bytes): nothing to replay");
		return 0;
	}
	if (size < LOG_BASE_BLOCK_SIZE || memcmp(data, "regf", 4) != 0) {
		refuse(log, "not a transaction log: %s", size < LOG_BASE_BLOCK_SIZE
		       ? "shorter than a log's base block (512 bytes)" : "no regf signature");
		return 0;
	}
	type = le32(data + 28);
	log->outcome->format = type == FILE_TYPE_LOG_NEW ? HIVE_LOG_FORMAT_NEW
			       : type == FILE_TYPE_LOG_OLD || type == FILE_TYPE_LOG_OLD_ALT
				       ? HIVE_LOG_FORMAT_OLD
				       : HIVE_LOG_FORMAT_UNKNOWN;
	if (!base_block_checksum_ok(data)) {
		refuse(log, "damaged: its base block checksum is wrong (stored 0x%08x, computed 0x%08x)",
		       le32(data + CHECKSUM_OFFSET), base_block_checksum(data));
		return 0;
	}
	if (type == FILE_TYPE_PRIMARY) {
		refuse(log, "not a transaction log: its base block is a primary file's (file type 0)");
		return 0;
	}
	if (log->outcome->format == HIVE_LOG_FORMAT_UNKNOWN) {
		refuse(log, "not a transaction log sandtrace knows: file type %u", type);
		return 0;
	}
	log->sequence = le32(data + 4);
	if (log->sequence != le32(data + 8)) {
		refuse(log, "damaged: its own sequence numbers differ (%u/%u): the log was not "
		       "completely written", log->sequence, le32(data + 8));
		return 0;
	}
	log->timestamp = le64(data + 12);
	log->bins_size = le32(data + 40);
	if (primary->base_block_valid && !file_name_empty(data + FILE_NAME_OFFSET) &&
	    !file_name_empty(primary->data + FILE_NAME_OFFSET) &&
	    memcmp(data + FILE_NAME_OFFSET, primary->data + FILE_NAME_OFFSET, FILE_NAME_SIZE) != 0) {
		file_name_text(data + FILE_NAME_OFFSET, theirs, sizeof theirs);
		file_name_text(primary->data + FILE_NAME_OFFSET, ours, sizeof ours);
		refuse(log, "belongs to another hive: its base block names \"%s\", the primary's \"%s\"",
		       theirs, ours);
		return 0;
	}
	if (log->outcome->format == HIVE_LOG_FORMAT_NEW)
		return log_read_entries(log);
	if (log->bins_size < HBIN_ALIGNMENT || log->bins_size % HBIN_ALIGNMENT ||
	    log->bins_size > REPLAY_SIZE_MAX - BASE_BLOCK_SIZE) {
		refuse(log, "damaged: hive bins data size %u in its base block is not a multiple of "
		       "4096", log->bins_size);
		return 0;
	}
	log_read_dirty_vector(log);
	return 0;
}

/* Appends TEXT to the string in BUFFER (SIZE bytes), cutting it to fit. */
static void text_append(char *buffer, size_t size, const char *text)
{
	size_t used = strnlen(buffer, size), length = strlen(text);

	if (used + 1 >= size)
		return;
	if (length > size - 1 - used)
		length = size - 1 - used;
	memcpy(buffer + used, text, length);
	buffer[used + length] = '\0';
}

/* ---- replaying ---------------------------------------------------------------------------- */

/* The image being built: the primary's bytes, grown when the logs' hive bins are larger. */
struct image {
	uint8_t *data;
	size_t size;
};

/* Makes IMAGE at least SIZE bytes (new bytes zero). */
static int image_reserve(struct image *image, uint64_t size)
{
	uint8_t *grown;

	if (size <= image->size)
		return 0;
	if (size > REPLAY_SIZE_MAX)
		return -1;
	grown = realloc(image->data, (size_t)size);
	if (!grown)
		return -1;
	memset(grown + image->size, 0, (size_t)size - image->size);
	image->data = grown;
	image->size = (size_t)size;
	return 0;
}

/* Writes the pages of one checked ENTRY of LOG into IMAGE. */
static int entry_apply(struct image *image, const uint8_t *log, const struct log_entry *entry,
		       size_t *pages)
{
	const uint8_t *e = log + entry->offset;
	size_t source = entry->offset + ENTRY_HEADER_SIZE + 8 * (size_t)entry->page_count;

	if (image_reserve(image, (uint64_t)BASE_BLOCK_SIZE + entry->bins_size) != 0)
		return -1;
	for (uint32_t i = 0; i < entry->page_count; i++) {
		const uint8_t *ref = e + ENTRY_HEADER_SIZE + 8 * (size_t)i;
		uint32_t page_offset = le32(ref), page_size = le32(ref + 4);

		/* entry_read checked both ranges; written again here for the reader. */
		if (!range_ok(BASE_BLOCK_SIZE + (uint64_t)page_offset, page_size, image->size))
			return -1;
		memcpy(image->data + BASE_BLOCK_SIZE + page_offset, log + source, page_size);
		source += page_size;
		*pages += page_size / PAGE_SIZE;
	}
	return 0;
}

/* The log among LOGS holding a valid entry with SEQUENCE, preferring PREFERRED (the log the last
 * entry came from); NULL if none. *INDEX receives the entry's index. */
static struct log_state *log_with_sequence(struct log_state *logs, size_t count,
					   struct log_state *preferred, uint32_t sequence,
					   size_t *index)
{
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < count; i++) {
			struct log_state *log = &logs[i];
			uint32_t delta = sequence - log->sequence;

			if ((pass == 0) != (log == preferred) || !log->valid ||
			    log->outcome->format != HIVE_LOG_FORMAT_NEW)
				continue;
			if (delta < log->entry_count) {
				*index = delta;
				return log;
			}
		}
	}
	return NULL;
}

/*
 * New format (spec "Log entries" notes 4-7, "Multiple transaction log files"): entries are applied
 * in sequence order starting at the primary's secondary sequence number, each taken from the log
 * that holds it; the replay ends at the first sequence number no valid entry holds. A primary whose
 * base block is damaged cannot say where to start: Windows then takes the base block and every
 * entry of the log with the latest base block. Returns the number of logs applied, -1 on memory.
 */
static int replay_new(struct image *image, const struct primary_state *primary,
		      struct log_state *logs, size_t count, uint32_t *last_sequence,
		      uint32_t *last_bins_size, uint32_t *last_flags, const uint8_t **base_block)
{
	struct log_state *current = NULL, *newest = NULL;
	uint32_t expected;
	size_t index, applied = 0;

	for (size_t i = 0; i < count; i++)
		if (logs[i].valid && logs[i].outcome->format == HIVE_LOG_FORMAT_NEW &&
		    (!newest || (int32_t)(logs[i].sequence - newest->sequence) > 0))
			newest = &logs[i];
	if (!newest)
		return 0;
	if (primary->base_block_valid) {
		expected = primary->sequence_secondary;
	} else {
		expected = newest->sequence;
		*base_block = newest->input->data;
	}
	for (;;) {
		struct log_state *log = log_with_sequence(logs, count, current, expected, &index);
		struct hive_log_outcome *o;

		if (!log || (!primary->base_block_valid && log != newest))
			break;
		o = log->outcome;
		if (entry_apply(image, log->input->data, &log->entries[index], &o->pages) != 0)
			return -1;
		if (!o->applied) {
			o->applied = 1;
			o->first_sequence = expected;
			applied++;
		}
		o->last_sequence = expected;
		o->entries++;
		*last_sequence = expected;
		*last_bins_size = log->entries[index].bins_size;
		*last_flags = log->entries[index].flags;
		current = log;
		expected++;
	}
	/* Why each log that gave nothing gave nothing; for those that gave, why they stopped. */
	for (size_t i = 0; i < count; i++) {
		struct log_state *log = &logs[i];
		struct hive_log_outcome *o = log->outcome;
		uint32_t first = log->sequence, last = log->sequence + (uint32_t)log->entry_count - 1;

		if (!log->valid || o->format != HIVE_LOG_FORMAT_NEW)
			continue;
		if (o->applied) {
			if (log->end[0] && o->last_sequence == last)
				snprintf(o->reason, sizeof o->reason, "its last entries were not read: %s",
					 log->end);
			continue;
		}
		if (!primary->base_block_valid)
			snprintf(o->reason, sizeof o->reason, "not applied: the primary's base block is "
				 "damaged, and Windows then replays only the log with the latest base "
				 "block");
		else if ((int32_t)(last - primary->sequence_secondary) < 0)
			snprintf(o->reason, sizeof o->reason, "older than the primary: its entries "
				 "(sequence %u-%u) are already in it (secondary sequence number %u)",
				 first, last, primary->sequence_secondary);
		else {
			snprintf(o->reason, sizeof o->reason, "its entries (sequence %u-%u) do not "
				 "continue the replay (next sequence number %u): a gap, not applied",
				 first, last, expected);
			o->refused = 1;
		}
	}
	return (int)applied;
}

/* Checks the hive bins of IMAGE that overlap the dirty pages of LOG (old format, spec "Dirty
 * pages": each rewritten bin must be a bin at its place). Returns 0, or -1 with WHY. */
static int old_bins_check(const struct image *image, const struct log_state *log, char *why,
			  size_t why_size)
{
	const uint8_t *bitmap = log->input->data + LOG_BASE_BLOCK_SIZE + 4;
	uint64_t end = BASE_BLOCK_SIZE + (uint64_t)log->bins_size, offset = BASE_BLOCK_SIZE;

	while (offset < end) {
		const uint8_t *bin = image->data + offset;
		uint64_t relative = offset - BASE_BLOCK_SIZE, bin_size, dirty = 0;
		int valid = range_ok(offset, 32, image->size) && memcmp(bin, "hbin", 4) == 0 &&
			    le32(bin + 4) == relative;

		bin_size = valid ? le32(bin + 8) : HBIN_ALIGNMENT;
		if (valid && (bin_size < HBIN_ALIGNMENT || bin_size % HBIN_ALIGNMENT ||
			      offset + bin_size > end))
			valid = 0, bin_size = HBIN_ALIGNMENT;
		for (uint64_t page = relative / PAGE_SIZE; page < (relative + bin_size) / PAGE_SIZE; page++)
			dirty |= bitmap[page / 8] >> (page % 8) & 1u;
		if (!valid && dirty) {
			snprintf(why, why_size, "damaged: the hive bin it rewrites at offset %llu is not "
				 "a valid bin there", (unsigned long long)offset);
			return -1;
		}
		if (!valid)
			break; /* damage of the primary's own, outside the log's pages: libregf's say */
		offset += bin_size;
	}
	return 0;
}

/*
 * Old format (spec "Old format" notes 2-3, "Multiple transaction log files"): the log that applies
 * carries the primary's last written timestamp; its pages are written in bitmap order. Only one old
 * log is applied. Returns 1 when one was, 0 when none, -1 on memory.
 */
static int replay_old(struct image *image, const struct primary_state *primary,
		      struct log_state *logs, size_t count, int new_applied, uint32_t *last_sequence,
		      uint32_t *last_bins_size, const uint8_t **base_block)
{
	struct log_state *chosen = NULL;

	for (size_t i = 0; i < count; i++) {
		struct log_state *log = &logs[i];
		struct hive_log_outcome *o = log->outcome;

		if (!log->valid || o->format != HIVE_LOG_FORMAT_OLD)
			continue;
		if (new_applied) {
			snprintf(o->reason, sizeof o->reason, "not applied: the new-format logs beside it "
				 "were");
		} else if (log->timestamp < primary->timestamp) {
			snprintf(o->reason, sizeof o->reason, "older than the primary: written at FILETIME "
				 "%llu, the primary at %llu", (unsigned long long)log->timestamp,
				 (unsigned long long)primary->timestamp);
		} else if (log->timestamp != primary->timestamp) {
			snprintf(o->reason, sizeof o->reason, "does not match the primary: written at "
				 "FILETIME %llu, the primary at %llu (they must be equal)",
				 (unsigned long long)log->timestamp,
				 (unsigned long long)primary->timestamp);
			o->refused = 1;
		} else if (chosen) {
			snprintf(o->reason, sizeof o->reason, "not applied: %s was, and only one "
				 "old-format log applies", chosen->outcome->name);
		} else {
			struct image trial = {NULL, 0};
			const uint8_t *bitmap = log->input->data + LOG_BASE_BLOCK_SIZE + 4;
			size_t source = log->pages_offset;
			char why[200];

			if (image_reserve(&trial, image->size) != 0 ||
			    image_reserve(&trial, (uint64_t)BASE_BLOCK_SIZE + log->bins_size) != 0) {
				free(trial.data);
				return -1;
			}
			memcpy(trial.data, image->data, image->size);
			for (uint64_t page = 0; page < (uint64_t)log->bins_size / PAGE_SIZE; page++) {
				if (!(bitmap[page / 8] >> (page % 8) & 1u))
					continue;
				/* log_read_dirty_vector checked that every page set is in the file. */
				memcpy(trial.data + BASE_BLOCK_SIZE + page * PAGE_SIZE,
				       log->input->data + source, PAGE_SIZE);
				source += PAGE_SIZE;
				o->pages++;
			}
			if (old_bins_check(&trial, log, why, sizeof why) != 0) {
				snprintf(o->reason, sizeof o->reason, "%s", why);
				o->refused = 1;
				o->pages = 0;
				free(trial.data);
				continue;
			}
			free(image->data);
			*image = trial;
			chosen = log;
			o->applied = 1;
			o->entries = 1;
			o->first_sequence = o->last_sequence = log->sequence;
			*last_sequence = log->sequence;
			*last_bins_size = log->bins_size;
			if (!primary->base_block_valid)
				*base_block = log->input->data;
		}
	}
	return chosen != NULL;
}

/* After a replay: the base block as Windows leaves it (spec "Base block"; yarp's
 * save_recovered_hive does the same): both sequence numbers the last applied, the hive bins data
 * size of the last entry, flag bit 0 (KTM locked) from the last entry, file type primary, checksum.
 * A damaged base block is first replaced by the log's (its first 512 bytes). */
static int base_block_update(struct image *image, const uint8_t *log_base_block, uint32_t sequence,
			     uint32_t bins_size, int has_flags, uint32_t entry_flags)
{
	uint8_t *block;

	if (image_reserve(image, (uint64_t)BASE_BLOCK_SIZE + bins_size) != 0)
		return -1;
	block = image->data;
	if (log_base_block)
		memcpy(block, log_base_block, LOG_BASE_BLOCK_SIZE);
	put_le32(block + 4, sequence);
	put_le32(block + 8, sequence);
	put_le32(block + 28, FILE_TYPE_PRIMARY);
	put_le32(block + 40, bins_size);
	if (has_flags)
		put_le32(block + FLAGS_OFFSET, (le32(block + FLAGS_OFFSET) & ~1u) | (entry_flags & 1u));
	put_le32(block + CHECKSUM_OFFSET, base_block_checksum(block));
	return 0;
}

int hive_log_replay(const uint8_t *primary_data, size_t primary_size,
		    const struct hive_log_input *inputs, size_t input_count, struct hive_replay **out,
		    char *err, size_t err_size)
{
	struct primary_state primary = {primary_data, primary_size, 0, 0, 0, 0};
	struct log_state *logs = NULL;
	struct hive_replay *replay = NULL;
	struct image image = {NULL, 0};
	const uint8_t *log_base_block = NULL;
	uint32_t last_sequence = 0, last_bins_size = 0, last_flags = 0;
	int new_applied = 0, old_applied = 0, rc = -1;

	*out = NULL;
	if (err_size)
		err[0] = '\0';
	if (primary_size < BASE_BLOCK_SIZE || memcmp(primary_data, "regf", 4) != 0) {
		snprintf(err, err_size, "not a primary hive file: %s", primary_size < BASE_BLOCK_SIZE
			 ? "shorter than a base block (4096 bytes)" : "no regf signature");
		return -1;
	}
	if (le32(primary_data + 28) != FILE_TYPE_PRIMARY) {
		snprintf(err, err_size, "not a primary hive file: file type %u (a transaction log's)",
			 le32(primary_data + 28));
		return -1;
	}
	if (primary_size > REPLAY_SIZE_MAX) {
		snprintf(err, err_size, "%zu bytes: larger than the %llu MiB a replay in memory may "
			 "take", primary_size, REPLAY_SIZE_MAX >> 20);
		return -1;
	}
	primary.base_block_valid = base_block_checksum_ok(primary_data);
	primary.sequence_primary = le32(primary_data + 4);
	primary.sequence_secondary = le32(primary_data + 8);
	/* A damaged base block's timestamp is not trusted: the first bin keeps a copy (spec). */
	primary.timestamp = primary.base_block_valid || primary_size < BASE_BLOCK_SIZE + 28
				    ? le64(primary_data + 12)
				    : le64(primary_data + BASE_BLOCK_SIZE + 20);

	replay = calloc(1, sizeof *replay);
	logs = calloc(input_count ? input_count : 1, sizeof *logs);
	if (replay)
		replay->logs = calloc(input_count ? input_count : 1, sizeof *replay->logs);
	image.data = malloc(primary_size);
	if (!replay || !logs || !replay->logs || !image.data)
		goto oom;
	memcpy(image.data, primary_data, primary_size);
	image.size = primary_size;
	replay->sequence_primary = primary.sequence_primary;
	replay->sequence_secondary = primary.sequence_secondary;
	replay->dirty = !primary.base_block_valid ||
			primary.sequence_primary != primary.sequence_secondary;
	for (size_t i = 0; i < input_count; i++) {
		replay->logs[i].name = strdup(inputs[i].name ? inputs[i].name : "(unnamed)");
		if (!replay->logs[i].name)
			goto oom;
		replay->log_count++;
		logs[i].input = &inputs[i];
		logs[i].outcome = &replay->logs[i];
	}
	for (size_t i = 0; i < input_count; i++)
		if (log_read(&logs[i], &primary) != 0)
			goto oom;
	if (!replay->dirty) {
		/* Spec "Dirty state of a hive": a clean hive's logs are ignored, whatever they hold. */
		for (size_t i = 0; i < input_count; i++) {
			struct hive_log_outcome *o = &replay->logs[i];
			char own[sizeof o->reason];
			int n;

			memcpy(own, o->reason, sizeof own);
			n = snprintf(o->reason, sizeof o->reason, "not applied: the primary is clean "
				     "(sequence numbers %u/%u equal), nothing to replay",
				     primary.sequence_primary, primary.sequence_secondary);
			if (own[0] && n > 0) {
				text_append(o->reason, sizeof o->reason, "; the log itself: ");
				text_append(o->reason, sizeof o->reason, own);
			}
			o->refused = 0;
		}
	} else {
		new_applied = replay_new(&image, &primary, logs, input_count, &last_sequence,
					 &last_bins_size, &last_flags, &log_base_block);
		if (new_applied < 0)
			goto oom;
		old_applied = replay_old(&image, &primary, logs, input_count, new_applied > 0,
					 &last_sequence, &last_bins_size, &log_base_block);
		if (old_applied < 0)
			goto oom;
	}
	replay->applied = (size_t)new_applied + (size_t)old_applied;
	if (replay->applied) {
		if (base_block_update(&image, log_base_block, last_sequence, last_bins_size,
				      new_applied > 0, last_flags) != 0)
			goto oom;
		replay->sequence_after = last_sequence;
	}
	replay->data = image.data;
	replay->size = image.size;
	image.data = NULL;
	*out = replay;
	replay = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, err_size, "out of memory while replaying the transaction logs");
out:
	for (size_t i = 0; logs && i < input_count; i++)
		free(logs[i].entries);
	free(logs);
	free(image.data);
	hive_replay_free(replay);
	return rc;
}

void hive_log_summary(const struct hive_replay *replay, char *out, size_t out_size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < replay->log_count; i++) {
		const struct hive_log_outcome *o = &replay->logs[i];
		const char *slash = strrchr(o->name, '/');
		int n;

		if (!o->applied)
			continue;
		if (o->first_sequence == o->last_sequence)
			n = snprintf(out + used, out_size - used, "%s%s (sequence %u)", used ? ", " : "",
				     slash ? slash + 1 : o->name, o->first_sequence);
		else
			n = snprintf(out + used, out_size - used, "%s%s (sequence %u-%u)",
				     used ? ", " : "", slash ? slash + 1 : o->name, o->first_sequence,
				     o->last_sequence);
		if (n < 0 || (size_t)n >= out_size - used)
			return;
		used += (size_t)n;
	}
	if (replay->applied)
		snprintf(out + used, out_size - used, " applied; base block sequence numbers %u/%u -> "
			 "%u/%u", replay->sequence_primary, replay->sequence_secondary,
			 replay->sequence_after, replay->sequence_after);
	else
		snprintf(out, out_size, "no transaction log applied");
}

void hive_replay_free(struct hive_replay *replay)
{
	if (!replay)
		return;
	for (size_t i = 0; replay->logs && i < replay->log_count; i++)
		free(replay->logs[i].name);
	free(replay->logs);
	free(replay->data);
	free(replay);
}

/* ---- files -------------------------------------------------------------------------------- */

/* The whole file at PATH, at most LIMIT bytes. Returns 0, or -1 with WHY. */
static int file_read_whole(const char *path, uint64_t limit, uint8_t **data, size_t *size,
			   char *why, size_t why_size)
{
	FILE *file = fopen(path, "rb");
	struct stat st;
	int rc = -1;

	*data = NULL;
	*size = 0;
	if (!file || fstat(fileno(file), &st) != 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size > limit) {
		snprintf(why, why_size, "%lld bytes: larger than the %llu MiB read into memory",
			 (long long)st.st_size, (unsigned long long)(limit >> 20));
		goto out;
	}
	*data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*data) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	if (fread(*data, 1, (size_t)st.st_size, file) != (size_t)st.st_size) {
		snprintf(why, why_size, "read error");
		free(*data);
		*data = NULL;
		goto out;
	}
	*size = (size_t)st.st_size;
	rc = 0;
out:
	if (file)
		fclose(file);
	return rc;
}

int hive_log_replay_files(const char *primary_path, char *const *log_paths, size_t log_count,
			  struct hive_replay **out, char *err, size_t err_size)
{
	struct hive_log_input *inputs = calloc(log_count ? log_count : 1, sizeof *inputs);
	char (*why)[128] = calloc(log_count ? log_count : 1, sizeof *why);
	uint8_t *primary = NULL;
	size_t primary_size = 0;
	char reason[256];
	int rc = -1;

	*out = NULL;
	if (!inputs || !why) {
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	if (file_read_whole(primary_path, REPLAY_SIZE_MAX, &primary, &primary_size, reason,
			    sizeof reason) != 0) {
		snprintf(err, err_size, "%s: cannot be read: %s", primary_path, reason);
		goto out;
	}
	for (size_t i = 0; i < log_count; i++) {
		uint8_t *data;
		inputs[i].name = log_paths[i];
		if (file_read_whole(log_paths[i], REPLAY_SIZE_MAX, &data, &inputs[i].size, why[i],
				    sizeof why[i]) != 0)
			inputs[i].unreadable = why[i];
		else
			inputs[i].data = data;
	}
	rc = hive_log_replay(primary, primary_size, inputs, log_count, out, err, err_size);
out:
	for (size_t i = 0; inputs && i < log_count; i++)
		free((void *)inputs[i].data);
	free(inputs);
	free(why);
	free(primary);
	return rc;
}

int hive_log_name_rank(const char *primary_name, const char *candidate_name)
{
	static const char *const suffixes[] = {".LOG", ".LOG1", ".LOG2"};
	size_t length = strlen(primary_name);

	if (length == 0 || strncasecmp(primary_name, candidate_name, length) != 0)
		return 0;
	for (int i = 0; i < 3; i++)
		if (strcasecmp(candidate_name + length, suffixes[i]) == 0)
			return i + 1;
	return 0;
}

void hive_log_paths_free(char **paths, size_t count)
{
	for (size_t i = 0; paths && i < count; i++)
		free(paths[i]);
	free(paths);
}

int hive_log_find_beside(const char *primary_path, char ***paths, size_t *count)
{
	const char *slash = strrchr(primary_path, '/');
	const char *name = slash ? slash + 1 : primary_path;
	size_t folder_length = slash ? (size_t)(slash - primary_path) + 1 : 0;
	char *folder = strndup(primary_path, folder_length), *found[3] = {NULL, NULL, NULL};
	struct dirent *entry;
	DIR *dir;
	int rc = -1;

	*paths = NULL;
	*count = 0;
	if (!folder)
		return -1;
	dir = opendir(folder_length ? folder : ".");
	while (dir && (entry = readdir(dir)) != NULL) {
		int rank = hive_log_name_rank(name, entry->d_name);
		size_t size;

		/* Two names differing only in case: the first listed is kept (a case-sensitive copy of
		 * a case-insensitive file system should not hold both). */
		if (!rank || found[rank - 1])
			continue;
		size = folder_length + strlen(entry->d_name) + 1;
		found[rank - 1] = malloc(size);
		if (!found[rank - 1])
			goto out;
		snprintf(found[rank - 1], size, "%s%s", folder, entry->d_name);
	}
	*paths = calloc(3, sizeof **paths);
	if (!*paths)
		goto out;
	for (int i = 0; i < 3; i++)
		if (found[i]) {
			(*paths)[(*count)++] = found[i];
			found[i] = NULL;
		}
	rc = 0;
out:
	for (int i = 0; i < 3; i++)
		free(found[i]);
	if (dir)
		closedir(dir);
	free(folder);
	return rc;
}
