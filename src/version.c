/*
 * version.c - run-time versions of sandtrace and the libraries it links (see version.h).
 */
#include "version.h"

#include "strbuf.h"

#include <libbfio.h>
#include <libdeflate.h>
#include <libevtx.h>
#include <libregf.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#include <nettle/version.h>
#include <archive.h>
#include <sqlite3.h>
#include <unicode/uversion.h>
#include <zlib.h>
#ifdef SANDTRACE_HAVE_MIMALLOC
#include <mimalloc.h>
#endif
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif
#include <stdlib.h>
#include <string.h>

static void set_text(struct version_entry *entry, const char *name, const char *text)
{
	entry->name = name;
	snprintf(entry->version, sizeof entry->version, "%s", text ? text : "unknown");
}

/* One entry per library the program is linked with (CMakeLists.txt, sandtrace_core), in that
 * order; each as the loaded library reports it, except where it offers no way to ask (marked). */
void version_collect(struct version_entry entries[VERSION_ENTRY_COUNT])
{
	char buffer[32];
	int n = 0;

	set_text(&entries[n++], "sandtrace", SANDTRACE_VERSION);
	set_text(&entries[n++], "libevtx", libevtx_get_version());
	set_text(&entries[n++], "libbfio", libbfio_get_version());
	set_text(&entries[n++], "libregf", libregf_get_version());
	/* xmlParserVersion is the loaded library's own "20914"-style number. */
	{
		long number = strtol(xmlParserVersion, NULL, 10);
		snprintf(buffer, sizeof buffer, "%ld.%ld.%ld", number / 10000, number / 100 % 100,
			 number % 100);
		set_text(&entries[n++], "libxml2", buffer);
	}
	set_text(&entries[n++], "SQLite", sqlite3_libversion());
	/* nettle reports its major and minor number only. */
	snprintf(buffer, sizeof buffer, "%d.%d", nettle_version_major(), nettle_version_minor());
	set_text(&entries[n++], "nettle", buffer);
	set_text(&entries[n++], "zlib", zlibVersion());
	/* libdeflate has no function that tells its version: the header's, at build time. */
	set_text(&entries[n++], "libdeflate", LIBDEFLATE_VERSION_STRING " (header)");
	/* archive_version_details() also names libarchive's own dependencies; the number suffices. */
	set_text(&entries[n++], "libarchive", archive_version_string() + strlen("libarchive "));
	{
		UVersionInfo icu;
		char text[U_MAX_VERSION_STRING_LENGTH];

		u_getVersion(icu);
		u_versionToString(icu, text);
		set_text(&entries[n++], "ICU", text);
	}
#ifdef __GLIBC__
	set_text(&entries[n++], "glibc", gnu_get_libc_version());
#else
	set_text(&entries[n++], "C library", NULL);
#endif
#ifdef SANDTRACE_HAVE_MIMALLOC
	snprintf(buffer, sizeof buffer, "%d.%d.%d", mi_version() / 100, mi_version() / 10 % 10,
		 mi_version() % 10);
	set_text(&entries[n++], "mimalloc", buffer);
#else
	set_text(&entries[n++], "allocator", "C library malloc");
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
