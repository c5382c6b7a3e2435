/*
 * catalog.h - the event catalogue: which event records sandtrace stores in full.
 *
 * The catalogue is one table (catalog.c), each row citing METHOD.md. Records outside it are
 * still counted per (channel, provider, event id) so the examiner sees what was not stored; the
 * --all-events option stores everything.
 */
#ifndef SANDTRACE_CATALOG_H
#define SANDTRACE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

enum catalog_decision {
	CATALOG_SKIP = 0,      /* count only */
	CATALOG_STORE,         /* store in full */
	CATALOG_IF_MENTIONS,   /* store only if the rendered record mentions the sandbox (see
				  catalog_mentions_sandbox); decided after rendering */
};

struct catalog_entry {
	const char *provider; /* System/Provider/@Name, compared case-insensitively */
	uint32_t first_id;    /* event id range, inclusive */
	uint32_t last_id;
	enum catalog_decision decision;
	const char *section;  /* METHOD.md section that says why */
	const char *meaning;  /* short reason for examiners */
};

/* The decision for a record of PROVIDER with EVENT_ID: made from the two fields libevtx gives
 * before the record is rendered to XML. */
enum catalog_decision catalog_lookup(const char *provider, uint32_t event_id);

/* Nonzero if TEXT names the Windows Sandbox feature or package (for CATALOG_IF_MENTIONS rows). */
int catalog_mentions_sandbox(const char *text);

/* The whole table, for the report's method section and for tests. */
const struct catalog_entry *catalog_entries(size_t *count);

#endif
