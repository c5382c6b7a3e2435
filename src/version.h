/*
 * version.h - the versions of sandtrace and of every library it runs with.
 *
 * Examiners cite these in their reports, so they are read from the libraries at run time (what is
 * actually loaded), not from the headers the binary was built against; the one library that cannot
 * be asked (libdeflate) gives its header's version, marked "(header)".
 */
#ifndef SANDTRACE_VERSION_H
#define SANDTRACE_VERSION_H

#include <stddef.h>
#include <stdio.h>

/* One "name version" pair, e.g. {"libevtx", "20181227"}. */
struct version_entry {
	const char *name;
	char version[32];
};

enum { VERSION_ENTRY_COUNT = 13 };

/* Fills ENTRIES (VERSION_ENTRY_COUNT of them): sandtrace first, then each library. */
void version_collect(struct version_entry entries[VERSION_ENTRY_COUNT]);

/* "libevtx 20181227; libregf ...": the libraries' entries joined, as the run table keeps them
 * (malloc'ed; NULL when out of memory). */
char *version_libraries_text(void);

/* Writes "name version" lines for version_collect's entries to OUT. */
void version_print(FILE *out);

#endif
