/*
 * version.c - run-time versions of sandtrace and the libraries it links (see version.h).
 */
#include "version.h"

#include <libevtx.h>
#include <libregf.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <nettle/version.h>
#include <sqlite3.h>
#include <stdlib.h>

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
}

void version_print(FILE *out)
{
	struct version_entry entries[VERSION_ENTRY_COUNT];

	version_collect(entries);
	for (size_t i = 0; i < VERSION_ENTRY_COUNT; i++)
		fprintf(out, "%s %s\n", entries[i].name, entries[i].version);
}
