/*
 * archive.c - listing (never extracting) possibly disguised or encrypted archives with libarchive
 * (METHOD.md §5.3): signature, format, entries, encryption, extension check.
 */
#include "parsers/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))
#define READ_BLOCK 65536

/* METHOD.md §5.3 "Magic numbers (offset 0)". "mz": self-extracting archives start with an
 * executable; libarchive scans forward for the RAR/CAB/ZIP marker itself. */
struct signature_row {
	const char *family;
	const char *bytes;
	size_t length;
};

static const struct signature_row SIGNATURES[] = {
	{"7z", "\x37\x7A\xBC\xAF\x27\x1C", 6},
	{"zip", "PK\x03\x04", 4},
	{"zip", "PK\x05\x06", 4}, /* end record only: an empty zip */
	{"rar5", "Rar!\x1A\x07\x01\x00", 8},
	{"rar", "Rar!\x1A\x07\x00", 7},
	{"cab", "MSCF\0\0\0\0", 8},
	{"gzip", "\x1F\x8B\x08", 3},
	{"xz", "\xFD" "7zXZ\0", 6},
	{"mz", "MZ", 2},
};

/* libarchive format codes (ARCHIVE_FORMAT_BASE_MASK) -> the short family names used above. */
struct format_row {
	int code;
	const char *family;
};

static const struct format_row FORMATS[] = {
	{ARCHIVE_FORMAT_7ZIP, "7z"},       {ARCHIVE_FORMAT_ZIP, "zip"},
	{ARCHIVE_FORMAT_RAR, "rar"},       {ARCHIVE_FORMAT_RAR_V5, "rar5"},
	{ARCHIVE_FORMAT_CAB, "cab"},       {ARCHIVE_FORMAT_TAR, "tar"},
	{ARCHIVE_FORMAT_CPIO, "cpio"},     {ARCHIVE_FORMAT_ISO9660, "iso9660"},
	{ARCHIVE_FORMAT_LHA, "lha"},       {ARCHIVE_FORMAT_XAR, "xar"},
	{ARCHIVE_FORMAT_AR, "ar"},
};

/* Extensions that fit each family (§5.3: disguised archives are found by signature, not by
 * extension). Zip containers (Office Open XML, ODF, Java, Android, ...) are zips by design and
 * are no mismatch. "msu" is a Windows update package, a cabinet. */
struct extension_row {
	const char *family;
	const char *extensions; /* space-separated, lower case */
};

static const struct extension_row EXTENSIONS[] = {
	{"zip", "zip zipx docx docm dotx xlsx xlsm xltx pptx pptm potx vsdx odt ods odp odg epub "
		"jar war ear apk aab ipa xpi crx nupkg vsix appx appxbundle msix msixbundle kmz whl"},
	{"7z", "7z"},
	{"rar", "rar"},
	{"rar5", "rar"},
	{"cab", "cab msu"},
	{"tar", "tar tgz tbz tbz2 txz tzst tlz taz gz bz2 xz zst lz z"},
	{"cpio", "cpio"},
	{"iso9660", "iso"},
	{"lha", "lzh lha"},
	{"xar", "xar pkg"},
	{"ar", "a deb lib"},
	{"mz", "exe"}, /* a self-extracting archive is an executable by design */
};

static void copy_text(char *out, size_t size, const char *text)
{
	if (size == 0)
		return;
	snprintf(out, size, "%s", text ? text : "");
}

static int extension_in(const char *list, const char *extension)
{
	size_t length = strlen(extension);
	const char *p = list;

	if (length == 0)
		return 0;
	while (*p) {
		size_t word = strcspn(p, " ");
		if (word == length && memcmp(p, extension, length) == 0)
			return 1;
		p += word;
		while (*p == ' ')
			p++;
	}
	return 0;
}

static int extension_fits(const char *family, const char *extension)
{
	for (size_t i = 0; i < COUNT_OF(EXTENSIONS); i++)
		if (strcmp(EXTENSIONS[i].family, family) == 0 &&
		    extension_in(EXTENSIONS[i].extensions, extension))
			return 1;
	return 0;
}

/* The last component's extension, lower case; "" for none, a leading-dot name, or one too long. */
static void file_extension(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	size_t length;

	out[0] = 0;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (!dot || dot == base || dot[1] == 0)
		return;
	length = strlen(dot + 1);
	if (length >= size)
		return;
	for (size_t i = 0; i < length; i++)
		out[i] = (char)tolower((unsigned char)dot[1 + i]);
	out[length] = 0;
}

/* A copy of NAME of at most ARCHIVE_REPORT_NAME_MAX bytes, not ending inside a UTF-8 sequence. */
static char *copy_name(const char *name)
{
	size_t length = strnlen(name, ARCHIVE_REPORT_NAME_MAX + 1);
	char *copy;

	if (length > ARCHIVE_REPORT_NAME_MAX) {
		length = ARCHIVE_REPORT_NAME_MAX;
		while (length > 0 && ((unsigned char)name[length] & 0xC0) == 0x80)
			length--;
	}
	copy = malloc(length + 1);
	if (!copy)
		return NULL;
	memcpy(copy, name, length);
	copy[length] = 0;
	return copy;
}

static double seconds_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* Only readers built into libarchive: no external decompressor is ever started. mtree and raw
 * are left out (mtree opens the paths it names; raw would call any file an archive). */
static void enable_readers(struct archive *a)
{
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_zip(a); /* seekable (central directory) and streaming */
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_ar(a);
}

static void note_format(struct archive *a, struct archive_report *report)
{
	int code = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
	const char *filter;

	if (code == 0)
		return;
	copy_text(report->format_name, sizeof report->format_name, archive_format_name(a));
	for (size_t i = 0; i < COUNT_OF(FORMATS); i++)
		if (FORMATS[i].code == code)
			copy_text(report->family, sizeof report->family, FORMATS[i].family);
	filter = archive_filter_count(a) > 0 ? archive_filter_name(a, 0) : NULL;
	copy_text(report->filter_name, sizeof report->filter_name, filter);
}

static void read_signature(const unsigned char *head, size_t got, struct archive_report *report)
{
	for (size_t i = 0; i < COUNT_OF(SIGNATURES); i++)
		if (got >= SIGNATURES[i].length &&
		    memcmp(head, SIGNATURES[i].bytes, SIGNATURES[i].length) == 0) {
			copy_text(report->magic, sizeof report->magic, SIGNATURES[i].family);
			return;
		}
}

/* Walks the entry headers. Returns 0, or -1 if a name could not be stored (out of memory). */
static int list_entries(struct archive *a, struct archive_report *report)
{
	struct archive_entry *entry;
	double deadline = seconds_now() + ARCHIVE_REPORT_TIME_LIMIT;
	const char *error;
	int rc;

	for (;;) {
		if (seconds_now() > deadline) {
			snprintf(report->reason, sizeof report->reason,
				 "stopped after %d s of listing (%llu entries read)",
				 ARCHIVE_REPORT_TIME_LIMIT, (unsigned long long)report->entry_count);
			return 0;
		}
		rc = archive_read_next_header(a, &entry);
		note_format(a, report);
		if (rc == ARCHIVE_EOF) {
			report->complete = 1;
			return 0;
		}
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			break;
		if (report->entry_count == ARCHIVE_REPORT_MAX_ENTRIES) {
			report->entries_capped = 1;
			snprintf(report->reason, sizeof report->reason,
				 "more than %d entries: listing stopped (ARCHIVE_REPORT_MAX_ENTRIES)",
				 ARCHIVE_REPORT_MAX_ENTRIES);
			return 0;
		}
		report->entry_count++;
		if (archive_entry_is_encrypted(entry))
			report->encrypted_entries++;
		if (archive_entry_is_data_encrypted(entry))
			report->data_encrypted_entries++;
		if (archive_entry_is_metadata_encrypted(entry))
			report->metadata_encrypted_entries++;
		if (report->name_count < ARCHIVE_REPORT_MAX_NAMES) {
			const char *name = archive_entry_pathname_utf8(entry);
			if (!name)
				name = archive_entry_pathname(entry);
			report->names[report->name_count] = copy_name(name ? name : "(no name)");
			if (!report->names[report->name_count])
				return -1;
			report->name_count++;
		}
		rc = archive_read_data_skip(a);
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			break;
	}
	error = archive_error_string(a);
	report->has_encrypted_entries = archive_read_has_encrypted_entries(a);
	/* §5.3: a 7z/RAR with encrypted headers fails at archive_read_next_header(): say so rather
	 * than "damaged" or "not an archive". */
	if (report->entry_count == 0 && report->format_name[0] &&
	    (report->has_encrypted_entries == 1 || (error && strstr(error, "encrypted")))) {
		report->headers_encrypted = 1;
		snprintf(report->reason, sizeof report->reason, "encrypted headers: %s",
			 error ? error : "libarchive gave no message");
	} else if (!report->format_name[0]) {
		snprintf(report->reason, sizeof report->reason,
			 "not an archive libarchive recognises: %s", error ? error : "no message");
	} else {
		snprintf(report->reason, sizeof report->reason,
			 "listing stopped after %llu entries (truncated or damaged): %s",
			 (unsigned long long)report->entry_count, error ? error : "no message");
	}
	return 0;
}

static void decide_encryption(struct archive_report *report)
{
	if (report->headers_encrypted || report->encrypted_entries > 0 ||
	    report->has_encrypted_entries == 1)
		report->encrypted = 1;
	else if (report->complete)
		report->encrypted = 0;
	else
		report->encrypted = -1;
}

static void decide_extension(struct archive_report *report)
{
	const char *family = report->family[0] ? report->family : report->magic;

	if (!report->is_archive || !family[0]) {
		report->extension_mismatch = -1;
		return;
	}
	report->extension_mismatch = !(extension_fits(family, report->extension) ||
				       extension_fits(report->magic, report->extension));
}

/* Inspects the archive named NAME whose bytes are read from FD, or are the SIZE bytes at DATA when
 * FD is -1 (see archive.h). */
static int inspect(const char *name, int fd, const uint8_t *data, size_t size,
		   struct archive_report **out, char *err, size_t err_size)
{
	struct archive_report *report = calloc(1, sizeof *report);
	struct archive *a = archive_read_new();
	unsigned char head[8];
	ssize_t got;
	int opened, rc = -1;

	if (!report || !a) {
		copy_text(err, err_size, "out of memory");
		goto out;
	}
	report->file_size = size;
	report->has_encrypted_entries = ARCHIVE_READ_FORMAT_ENCRYPTION_DONT_KNOW;
	file_extension(name, report->extension, sizeof report->extension);
	if (fd >= 0) {
		got = pread(fd, head, sizeof head, 0);
		read_signature(head, got > 0 ? (size_t)got : 0, report);
	} else {
		read_signature(data, size, report);
	}
	enable_readers(a);
	opened = fd >= 0 ? archive_read_open_fd(a, fd, READ_BLOCK)
			 : archive_read_open_memory(a, data, size);
	if (opened != ARCHIVE_OK) {
		const char *error = archive_error_string(a);
		snprintf(report->reason, sizeof report->reason,
			 "not an archive libarchive recognises: %s", error ? error : "no message");
	} else if (list_entries(a, report) != 0) {
		copy_text(err, err_size, "out of memory");
		goto out;
	}
	if (report->format_name[0])
		report->has_encrypted_entries = archive_read_has_encrypted_entries(a);
	report->is_archive = report->format_name[0] || (report->magic[0] &&
							 strcmp(report->magic, "mz") != 0);
	decide_encryption(report);
	decide_extension(report);
	*out = report;
	report = NULL;
	rc = 0;
out:
	if (a)
		archive_read_free(a);
	archive_report_free(report);
	return rc;
}

int archive_inspect_file(const char *path, struct archive_report **out, char *err,
			 size_t err_size)
{
	struct stat st;
	int fd, rc = -1;

	if (out)
		*out = NULL;
	if (!path || !out) {
		copy_text(err, err_size, "no path");
		return -1;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		copy_text(err, err_size, "not a regular file");
	else
		rc = inspect(path, fd, NULL, (size_t)st.st_size, out, err, err_size);
	close(fd);
	return rc;
}

int archive_inspect_memory(const char *name, const uint8_t *data, size_t size,
			   struct archive_report **out, char *err, size_t err_size)
{
	*out = NULL;
	return inspect(name, -1, data, size, out, err, err_size);
}

void archive_report_free(struct archive_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->name_count; i++)
		free(report->names[i]);
	free(report);
}
