/*
 * version.c - run-time versions of sandtrace and the libraries it links (see version.h).
 */
#include "version.h"

#include "strbuf.h"

#include <libevtx.h>
#include <libregf.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <nettle/version.h>
#include <archive.h>
#include <sqlite3.h>
#ifdef SANDTRACE_HAVE_MIMALLOC
#include <mimalloc.h>
#endif
#include <stdlib.h>
#include <string.h>

static void set_text(struct version_entry *entry, const char *name, const char *text)
{
	entry->name = name;
	snprintf(entry->version, sizeof entry->version, "%s", text ? text : "unknown");
}

void version_collect(struct version_entry entries[VERSION_ENTRY_COUNT])
{
	char buffer[32];

	set_text(&entries[0], "sandtrace", SANDTRACE_VERSION);
	set_text(&entries[1], "libevtx", libevtx_get_version());
	set_text(&entries[2], "libregf", libregf_get_version());
	/* xmlParserVersion is the loaded library's own "20914"-style number. */
	{
		long number = strtol(xmlParserVersion, NULL, 10);
		snprintf(buffer, sizeof buffer, "%ld.%ld.%ld", number / 10000, number / 100 % 100,
			 number % 100);
		set_text(&entries[3], "libxml2", buffer);
	}
	set_text(&entries[4], "SQLite", sqlite3_libversion());
	snprintf(buffer, sizeof buffer, "%d.%d", nettle_version_major(), nettle_version_minor());
	set_text(&entries[5], "nettle", buffer);
	/* archive_version_details() also names libarchive's own dependencies; the number suffices. */
	set_text(&entries[6], "libarchive", archive_version_string() + strlen("libarchive "));
#ifdef SANDTRACE_HAVE_MIMALLOC
	snprintf(buffer, sizeof buffer, "%d.%d.%d", mi_version() / 100, mi_version() / 10 % 10,
		 mi_version() % 10);
	set_text(&entries[7], "mimalloc", buffer);
#else
	set_text(&entries[7], "allocator", "C library malloc");
#endif
}

void version_print(FILE *out)
{
	struct version_entry entries[VERSION_ENTRY_COUNT];

	version_collect(entries);
	for (size_t i = 0; i < VERSION_ENTRY_COUNT; i++)
		fprintf(out, "%s %s\n", entries[i].name, entries[i].version);
}

char *version_libraries_text(void)
{
	struct version_entry entries[VERSION_ENTRY_COUNT];
	struct strbuf sb = STRBUF_INIT;

	version_collect(entries);
	for (size_t i = 1; i < VERSION_ENTRY_COUNT; i++)
		strbuf_printf(&sb, "%s%s %s", i > 1 ? "; " : "", entries[i].name,
			      entries[i].version);
	return strbuf_detach(&sb);
}
