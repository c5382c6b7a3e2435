/*
 * timeutil.h - FILETIME (100 ns since 1601-01-01 UTC), the store's one time type, and its text forms.
 */
#ifndef SANDTRACE_TIMEUTIL_H
#define SANDTRACE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* FILETIME of the UNIX epoch (1970-01-01T00:00:00Z). */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL

/* FILETIME for UNIX seconds + nanoseconds (times before 1601 clamp to 0). */
uint64_t filetime_from_unix(int64_t seconds, long nanoseconds);

/* The current time as a FILETIME. */
uint64_t filetime_now(void);

/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (up to 7 fractional digits are kept, more are cut;
 * "+00:00" is accepted for Z). Returns 0, or -1 if TEXT is not such a time. */
int filetime_parse_iso(const char *text, uint64_t *filetime);

/* Writes "YYYY-MM-DDTHH:MM:SS.fffffffZ" to OUT (at least 29 bytes). */
void filetime_format_iso(uint64_t filetime, char *out, size_t out_size);

#endif
