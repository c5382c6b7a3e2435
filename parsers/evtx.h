/*
 * evtx.h - reading Windows event log files through libevtx (METHOD.md §1).
 *
 * The parser knows nothing of the store: it hands each record to a callback as a struct evtx_event
 * and reports problems through another. It decides from the provider and event id, before
 * rendering XML, whether a record is rendered in full; records that are not are still reported,
 * with only the fields needed to count them.
 *
 * The payload is flattened to a JSON object in `data`:
 *   EventData/Data[@Name=N]       -> "N"
 *   EventData/Data without a Name -> "#1", "#2", ... (position among the unnamed ones)
 *   EventData/Binary              -> "Binary"
 *   EventData/@Name (Task Sched.) -> "@Name"
 *   UserData/Wrapper/a/b          -> "a/b" (the wrapper element is dropped, nested paths joined
 *                                    with '/'; attributes as "a/@attr")
 *   a repeated name N             -> "N", "N[2]", "N[3]", ...
 *   a record libevtx cannot render-> its substitution strings as "#1", "#2", ...
 */
#ifndef SANDTRACE_PARSERS_EVTX_H
#define SANDTRACE_PARSERS_EVTX_H

#include <stddef.h>
#include <stdint.h>

struct evtx_event {
	uint64_t record_id;      /* System/EventRecordID; the header's number if the XML has none */
	uint64_t header_record_id; /* the record header's own number (differs from EventRecordID
				      in logs saved into a new file) */
	int64_t offset;          /* byte offset of the record in the file, found in the file's
				    bytes (evtx_layout.h); -1 if no single place holds it */
	int64_t chunk;           /* 0-based chunk index, -1 if unknown */
	int recovered;           /* 1 = recovered by libevtx from outside the allocated records */
	int full;                /* 1 = rendered and flattened (stored); 0 = counted only */
	uint64_t time;           /* TimeCreated as FILETIME, 0 if unknown */
	uint64_t written_time;   /* record header's time, 0 if unknown */
	uint32_t event_id;
	int64_t qualifiers;      /* -1 if absent */
	int version, level, task, opcode; /* -1 if absent */
	int64_t process_id, thread_id;    /* -1 if absent */
	char *provider, *provider_guid, *keywords, *channel, *computer, *user_sid;
	char *activity_id, *related_activity_id;
	char *data;              /* JSON object (always set when full) */
	char *xml;               /* rendered XML, NULL if libevtx could not render it or if the
				    record is kept for its fields only (want() 3) */
	uint64_t content_hash;   /* FNV-1a 64 of xml; of the fields (evtx_event_fields_hash) for a
				    record kept for its fields only; of data when libevtx could not
				    render the record */
	void *attached;          /* the consumer's, attached by its prepare callback; NULL if none */
	void (*attached_free)(void *attached); /* frees ATTACHED with the event */
};

struct evtx_stats {
	uint64_t records;        /* allocated records read */
	uint64_t recovered;      /* recovered records read */
	uint64_t failed;         /* allocated records that could not be read at all */
	uint64_t recovered_failed; /* recovery candidates libevtx could not read (expected: most are
				    fragments of overwritten records) */
	int dirty;               /* header says the file was not closed cleanly */
	int corrupted;           /* libevtx's verdict while opening (or the same test by the
				    decoder's reading, evtx_parse_file) */
};

struct evtx_callbacks {
	void *context;
	/* Decides whether a record is rendered in full: returns 0 (count only), 1 (full), 2
	 * (render, then keep only if the XML mentions the sandbox) or 3 (keep its fields, not its
	 * XML: sandtrace's decoder does not render it at all, METHOD.md §8.8). With several decoder
	 * threads (evtx_parse_file_threads), want, keep_rendered and prepare are called from those
	 * threads, several at once; event and problem are always called from the caller's thread,
	 * in record order. */
	int (*want)(void *context, const char *provider, uint32_t event_id);
	/* For want()'s answer 2: nonzero if the rendered XML is to be kept. */
	int (*keep_rendered)(void *context, const char *xml);
	/* Receives each record; takes ownership of EVENT (free it with evtx_event_free). Returns 0 to
	 * go on, nonzero to stop reading the file. */
	int (*event)(void *context, struct evtx_event *event);
	/* Receives each problem: LOCATION ("file", "record index 17", "recovered index 3"), REASON.
	 * SEVERE is 0 for conditions that leave every record readable (a dirty header). */
	void (*problem)(void *context, const char *location, const char *reason, int severe);
	/* Optional: called for each record kept in full that sandtrace's decoder read, on the thread
	 * that decoded it (with several decoder threads, several at once, like want), before event
	 * receives it: per-record work that may run in parallel (the store's compression of the XML,
	 * METHOD.md §8.12). It may attach data to EVENT (attached, attached_free) and drop its xml
	 * (content_hash is already set). Not called for records read through libevtx. */
	void (*prepare)(void *context, struct evtx_event *event);
};

/* Reads every allocated and recovered record of PATH. A sound file (header and every chunk pass
 * their checks, binxml.h) is read by sandtrace's own decoder; a record it refuses is read through
 * libevtx, with a problem (not severe) saying so; recovered records, when some chunk's free space
 * holds record signatures, come from libevtx. Any other file is read through libevtx whole
 * (evtx_parse_file_with_libevtx), with a problem (not severe) saying why. A file whose header
 * libevtx refuses is read
 * through a copy in memory with a header rebuilt from its chunks (at most 2 GiB; PATH is never
 * written), with a severe problem saying so. Returns 0 if the file was read (possibly with
 * problems reported), -1 if it could not be opened as EVTX at all (empty, too short, no chunk). */
int evtx_parse_file(const char *path, const struct evtx_callbacks *callbacks,
		    struct evtx_stats *stats);

/* The same, with the chunks of a sound file decoded on THREADS threads (METHOD.md §1.11): the
 * records, problems and STATS handed on are exactly those of evtx_parse_file, in the same order;
 * at most a few chunks per thread are decoded ahead of the hand-over, so memory does not grow
 * with the file. THREADS <= 1 decodes on the caller's thread. */
int evtx_parse_file_threads(const char *path, const struct evtx_callbacks *callbacks,
			    struct evtx_stats *stats, int threads);

/* The same for an event log held in memory (DATA, SIZE bytes, not copied unless its header must
 * be repaired): a member of a collection container. Read as a file is: by sandtrace's decoder
 * when it is sound, with libevtx (through a libbfio memory range) for what the decoder refuses
 * and for a log it does not read whole, each said by a problem. Offsets are offsets into DATA,
 * which is the member's bytes. */
int evtx_parse_memory(const uint8_t *data, size_t size, const struct evtx_callbacks *callbacks,
		      struct evtx_stats *stats);

/* The same, through libevtx alone: the reference reader, and the one evtx_parse_file falls back
 * to for a file sandtrace's decoder does not read whole (binxml.h). */
int evtx_parse_file_with_libevtx(const char *path, const struct evtx_callbacks *callbacks,
				 struct evtx_stats *stats);

void evtx_event_free(struct evtx_event *event);

/* FNV-1a 64 of EVENT's System fields and data (not of its XML): the content part of the dedup key
 * of a record stored without its XML. The same record gives the same hash whichever reader
 * (sandtrace's decoder or libevtx) filled the fields. */
uint64_t evtx_event_fields_hash(const struct evtx_event *event);

/* Flattens one rendered record (XML text) into EVENT's System fields and data. Returns 0, or -1
 * if the text is not well-formed XML. Exposed for tests and for other XML sources. */
int evtx_flatten_xml(const char *xml, size_t length, struct evtx_event *event);

/* Decimal or 0x-hex text as a number; -1 when absent or not a number (the System fields' rule). */
int64_t evtx_parse_number(const char *text);

#endif
