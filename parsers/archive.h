/*
 * archive.h - inspecting a file that may be a disguised or password-protected archive
 * (METHOD.md §5.3), with libarchive.
 *
 * The inspector lists, it never extracts: it reads the signature at offset 0, lets libarchive
 * identify the format, walks the entry headers (skipping every entry's data), and reports the
 * format, the number of entries, the first names, whether anything is encrypted (entries, or
 * headers so that nothing can be listed) and whether the file name's extension contradicts the
 * content. Damaged or truncated evidence gives a partial report with the reason, not an error.
 * Work is bounded: at most ARCHIVE_REPORT_MAX_ENTRIES entries and ARCHIVE_REPORT_TIME_LIMIT
 * seconds between entries; only built-in readers are enabled (no external programs, no mtree,
 * whose reader opens the paths an archive names).
 *
 * Note for readers: libarchive owns the archive_read_* / archive_entry_* names; this module's
 * names (archive_inspect_file, struct archive_report, ARCHIVE_REPORT_*) are chosen not to clash.
 */
#ifndef SANDTRACE_PARSERS_ARCHIVE_H
#define SANDTRACE_PARSERS_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#define ARCHIVE_REPORT_MAX_ENTRIES 10000 /* entries listed before giving up (entries_capped) */
#define ARCHIVE_REPORT_MAX_NAMES 32      /* names kept */
#define ARCHIVE_REPORT_NAME_MAX 512      /* bytes kept of each name (cut on a UTF-8 boundary) */
#define ARCHIVE_REPORT_TIME_LIMIT 30     /* seconds of listing before giving up */

struct archive_report {
	uint64_t file_size;
	/* family by the signature at offset 0 (§5.3 table): "7z", "zip", "rar", "rar5", "cab",
	 * "gzip", "xz", "mz" (executable: maybe self-extracting), or "" */
	char magic[8];
	/* family by libarchive's format code: "7z", "zip", "rar", "rar5", "cab", "tar", "cpio",
	 * "iso9660", "lha", "xar", "ar"; "" if libarchive recognised no format */
	char family[16];
	char format_name[64];  /* archive_format_name() verbatim ("7-Zip", "ZIP 2.0 (aes)"), or "" */
	char filter_name[32];  /* outer compression (archive_filter_name(0)), "none" or "" */
	int is_archive;        /* 1 if libarchive recognised a format or the signature is §5.3's */

	uint64_t entry_count;  /* entries whose header was read */
	int entries_capped;    /* 1 if listing stopped at ARCHIVE_REPORT_MAX_ENTRIES */

	/* encryption: 1 yes, 0 no sign of it (and listing complete), -1 unknown */
	int encrypted;
	int headers_encrypted; /* 1: listing failed because the headers are encrypted (§5.3) */
	uint64_t encrypted_entries;          /* archive_entry_is_encrypted() */
	uint64_t data_encrypted_entries;     /* archive_entry_is_data_encrypted() */
	uint64_t metadata_encrypted_entries; /* archive_entry_is_metadata_encrypted() */
	/* archive_read_has_encrypted_entries() after listing: 1, 0, -1 (don't know) or
	 * -2 (format has no encryption) */
	int has_encrypted_entries;

	/* the first entries' names (UTF-8 where libarchive can convert, raw bytes otherwise);
	 * owned by the report */
	size_t name_count;
	char *names[ARCHIVE_REPORT_MAX_NAMES];

	/* the file name's extension, lower case without the dot ("" if none) */
	char extension[16];
	/* 1 the extension contradicts the content (".dat" on a 7z, no extension on a zip);
	 * 0 it fits (".zip", or a zip container such as ".docx"/".jar"); -1 not an archive */
	int extension_mismatch;

	int complete;        /* 1 if every entry header was read to the end of the archive */
	char reason[256];    /* why not complete / not an archive; "" when complete */
};

/* Inspects the regular file PATH (symlinks are not followed). Returns 0 with *OUT set (free it with
 * archive_report_free) whenever the file could be opened, including when it is not an archive or
 * is damaged (then complete = 0 and reason says why). Returns -1 with ERR filled and *OUT NULL if
 * the file cannot be opened, is not a regular file, or memory runs out. */
int archive_inspect_file(const char *path, struct archive_report **out, char *err,
			 size_t err_size);

/* The same for an archive held in memory (DATA, SIZE bytes) whose name as found is NAME (its
 * extension is judged): a member of a collection container (src/collection.h). */
int archive_inspect_memory(const char *name, const uint8_t *data, size_t size,
			   struct archive_report **out, char *err, size_t err_size);

void archive_report_free(struct archive_report *report);

#endif
