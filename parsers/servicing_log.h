/*
 * servicing_log.h - the Windows servicing text logs CBS.log (and its rotated CbsPersist_*.log) and
 * dism.log: the lines that name the Windows Sandbox feature (METHOD.md §2.8).
 *
 * Both logs write one record per line, "YYYY-MM-DD HH:MM:SS, Level  Component  message", in the
 * host's local time without an offset; lines without that prefix continue the record before them.
 * The reader keeps only the lines that name the feature Containers-DisposableClientVM, each with
 * its line number, byte offset, the time as written, and what the line says was done (enabling,
 * disabling, or a mention), decided by one table of wordings in servicing_log.c. It converts no
 * time: the host's zone is a fact of the collection, applied by the correlator.
 *
 * Input is fed in pieces of any size (a file read in blocks, or a member in memory), so memory is
 * bounded by the longest line kept (SERVICING_LINE_MAX bytes; longer lines are cut and counted),
 * never by the file. UTF-16LE logs (a byte-order mark, or "2\0" at the start) are read as text.
 */
#ifndef SANDTRACE_SERVICING_LOG_H
#define SANDTRACE_SERVICING_LOG_H

#include <stddef.h>
#include <stdint.h>

#define SERVICING_FEATURE "Containers-DisposableClientVM"
#define SERVICING_LINE_MAX 8192     /* bytes of one line looked at; the rest is cut and counted */
#define SERVICING_KEPT_MAX 10000    /* lines naming the feature kept per file; more are counted */

enum servicing_action {
	SERVICING_MENTION, /* the line names the feature, and no wording of the table says more */
	SERVICING_ENABLE,  /* the line records the feature being enabled (or asked to be) */
	SERVICING_DISABLE, /* ... disabled (or asked to be) */
};

struct servicing_line {
	uint64_t line_number;        /* 1-based */
	uint64_t offset;             /* byte offset of the line's first byte in the file */
	uint64_t continues;          /* a continuation line: the number of the dated line it
					continues (whose time it takes); 0 for a dated line */
	char local_time[20];         /* "YYYY-MM-DD HH:MM:SS" as written: local time, no offset */
	char level[16];              /* "Info", "Warning", "Error", ... */
	char component[16];          /* "CBS", "DISM", "CSI", ... */
	enum servicing_action action;
	const char *action_basis;    /* the wording that decided ACTION, in words (static) */
	char *message;               /* the line after its component, UTF-8, cut at
					SERVICING_LINE_MAX bytes */
};

struct servicing_log {
	struct servicing_line *lines; /* the lines naming the feature, in file order */
	size_t count, capacity;
	uint64_t lines_read;          /* every line */
	uint64_t lines_dated;         /* lines with the record prefix */
	uint64_t lines_cut;           /* lines longer than SERVICING_LINE_MAX */
	uint64_t lines_not_kept;      /* lines naming the feature beyond SERVICING_KEPT_MAX */
	uint64_t nul_bytes;           /* NUL bytes in a log read as 8-bit text (binary junk) */
	int utf16;                    /* 1: read as UTF-16LE */
	int out_of_memory;
	/* reading state */
	uint64_t bytes_fed, line_start, last_dated;
	char last_time[20];
	int started, odd_byte_pending;
	unsigned char odd_byte;
	char *line;
	size_t line_length;
	int line_cut;
};

/* Whether HEAD (HEAD_SIZE first bytes of a file, 8-bit or UTF-16LE) starts with a servicing-log
 * record prefix ("2025-01-06 18:40:12, Info  CBS ..."). */
int servicing_log_sniff(const unsigned char *head, size_t head_size);

/* Starts reading: LOG zeroed. */
void servicing_log_init(struct servicing_log *log);
/* Reads the next SIZE bytes of the file. Returns 0, or -1 when out of memory. */
int servicing_log_feed(struct servicing_log *log, const uint8_t *data, size_t size);
/* Ends reading (the last line without a newline is read). Returns 0, or -1 out of memory. */
int servicing_log_end(struct servicing_log *log);
void servicing_log_free(struct servicing_log *log);

/* "enable", "disable", "mention": the store's servicing_log_lines.action. */
const char *servicing_action_name(enum servicing_action action);

#endif
