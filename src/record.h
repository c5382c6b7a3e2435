/*
 * record.h - `sandtrace record`: one stored event record, its fields and its XML rendered again
 * from the evidence file (METHOD.md §8.10).
 */
#ifndef SANDTRACE_RECORD_H
#define SANDTRACE_RECORD_H

#include <stdint.h>
#include <stdio.h>

struct store;

/* Prints events row ID of STORE to OUT: its stored fields (unless XML_ONLY), then its XML rendered
 * again from its evidence file, after that file's SHA-256 has been checked against the store.
 * Returns 0; 1 when it could not (no such record, the file gone or changed, the record not
 * renderable, or a rendering that differs from the stored XML), with the reason in ERR; -1 on a
 * store error (store_error). */
int record_print(struct store *store, int64_t id, int xml_only, FILE *out, char *err,
		 size_t err_size);

#endif
