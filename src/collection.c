/*
 * collection.c - reading a collection container in place and mapping collector layouts back to
 * Windows paths (see collection.h, METHOD.md §8.6).
 */
#include "collection.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "strbuf.h"
#include "timeutil.h"

enum { READ_BLOCK = 1 << 16 };

int collection_is_container(const unsigned char *head, size_t head_size)
{
	return (head_size >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) ||
	       (head_size >= 4 && memcmp(head, "PK\x05\x06", 4) == 0) ||
	       (head_size >= 6 && memcmp(head, "7z\xBC\xAF\x27\x1C", 6) == 0) ||
	       (head_size >= 2 && head[0] == 0x1F && head[1] == 0x8B) ||          /* gzip */
	       (head_size >= 3 && memcmp(head, "BZh", 3) == 0) ||                 /* bzip2 */
	       (head_size >= 6 && memcmp(head, "\xFD" "7zXZ\0", 6) == 0) ||       /* xz */
	       (head_size >= 262 && memcmp(head + 257, "ustar", 5) == 0);         /* tar */
}

int collection_name_is_container(const char *name)
{
	static const char *const ENDINGS[] = {".zip", ".7z", ".tar", ".tgz", ".tar.gz",
					      ".tar.bz2", ".tar.xz"};
	size_t length = strlen(name);

	for (size_t i = 0; i < sizeof ENDINGS / sizeof ENDINGS[0]; i++) {
		size_t n = strlen(ENDINGS[i]);
		if (length > n && strcasecmp(name + length - n, ENDINGS[i]) == 0)
			return 1;
	}
	return 0;
}

/* ---- reading a container ---------------------------------------------------------------- */

struct reader {
	struct archive *archive;
	int fd;
};

/* Only the formats and filters of collection containers: no external programs, no format (such
 * as mtree) whose reader opens paths the archive names. */
static int reader_open(struct reader *r, const char *path, char *err, size_t err_size)
{
	r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	r->archive = NULL;
	if (r->fd < 0) {
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!(r->archive = archive_read_new())) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	archive_read_support_filter_gzip(r->archive);
	archive_read_support_filter_bzip2(r->archive);
	archive_read_support_filter_xz(r->archive);
	archive_read_support_filter_zstd(r->archive);
	archive_read_support_format_zip(r->archive); /* seekable: the central directory decides */
	archive_read_support_format_7zip(r->archive);
	archive_read_support_format_tar(r->archive);
	if (archive_read_open_fd(r->archive, r->fd, READ_BLOCK) != ARCHIVE_OK) {
		const char *said = archive_error_string(r->archive);
		snprintf(err, err_size, "not readable as a zip, 7z or tar container: %s",
			 said ? said : "libarchive gave no reason");
		return -1;
	}
	return 0;
}

static void reader_close(struct reader *r)
{
	if (r->archive)
		archive_read_free(r->archive);
	if (r->fd >= 0)
		close(r->fd);
}

static void say_archive_error(struct archive *a, const char *what, char *err, size_t err_size)
{
	const char *said = archive_error_string(a);
	snprintf(err, err_size, "%s: %s", what, said ? said : "libarchive gave no reason");
}

/* Where the bytes of the entry being read go. */
typedef int (*sink_fn)(void *context, const uint8_t *data, size_t size);

enum drain_result { DRAIN_OK, DRAIN_MEMBER_FAILED, DRAIN_TOO_BIG, DRAIN_STREAM_FAILED };

/* Reads the current entry's data into SINK, at most LIMIT bytes. On anything but DRAIN_OK the
 * reason is in ERR; DRAIN_STREAM_FAILED means no further entry can be read. */
static enum drain_result drain_entry(struct archive *a, struct archive_entry *entry,
				     uint64_t limit, sink_fn sink, void *context, char *err,
				     size_t err_size)
{
	static _Thread_local uint8_t buffer[READ_BLOCK];
	uint64_t done = 0;

	if (archive_entry_is_data_encrypted(entry) || archive_entry_is_metadata_encrypted(entry)) {
		snprintf(err, err_size, "encrypted (sandtrace tries no passphrase): not read");
		return DRAIN_MEMBER_FAILED;
	}
	if (archive_entry_size_is_set(entry) && archive_entry_size(entry) >= 0 &&
	    (uint64_t)archive_entry_size(entry) > limit) {
		snprintf(err, err_size, "%lld bytes, above the limit of %llu bytes for a member read "
			 "from a container: not read", (long long)archive_entry_size(entry),
			 (unsigned long long)limit);
		return DRAIN_TOO_BIG;
	}
	for (;;) {
		la_ssize_t got = archive_read_data(a, buffer, sizeof buffer);

		if (got == 0)
			return DRAIN_OK;
		if (got < 0) {
			char said[384];
			say_archive_error(a, "", said, sizeof said);
			snprintf(err, err_size, "damaged: cannot be read past byte %llu%s",
				 (unsigned long long)done, said);
			return got == ARCHIVE_FATAL ? DRAIN_STREAM_FAILED : DRAIN_MEMBER_FAILED;
		}
		if ((uint64_t)got > limit - done) {
			/* The header understated the size (or gave none): a bomb is cut here. */
			snprintf(err, err_size, "more than the limit of %llu bytes for a member read from "
				 "a container (its header says %lld): not read",
				 (unsigned long long)limit,
				 archive_entry_size_is_set(entry) ? (long long)archive_entry_size(entry)
								  : -1LL);
			return DRAIN_TOO_BIG;
		}
		done += (uint64_t)got;
		if (sink(context, buffer, (size_t)got) != 0) {
			snprintf(err, err_size, "out of memory");
			return DRAIN_STREAM_FAILED;
		}
	}
}

static const char *entry_name(struct archive_entry *entry)
{
	const char *name = archive_entry_pathname_utf8(entry);
	return name ? name : archive_entry_pathname(entry);
}

struct listing_sink {
	struct evidence_hasher hasher;
	unsigned char head[COLLECTION_HEAD_SIZE];
	size_t head_size;
};

static int listing_take(void *context, const uint8_t *data, size_t size)
{
	struct listing_sink *s = context;

	if (s->head_size < sizeof s->head) {
		size_t n = sizeof s->head - s->head_size < size ? sizeof s->head - s->head_size : size;
		memcpy(s->head + s->head_size, data, n);
		s->head_size += n;
	}
	evidence_hasher_update(&s->hasher, data, size);
	return 0;
}

int collection_list(const char *path, uint64_t limit, collection_member_fn fn, void *context,
		    char *reason, size_t reason_size)
{
	struct reader r;
	int rc = -1;

	reason[0] = 0;
	if (reader_open(&r, path, reason, reason_size) != 0)
		goto out;
	for (size_t index = 0;; index++) {
		struct archive_entry *entry;
		int got = archive_read_next_header(r.archive, &entry);
		struct listing_sink sink;
		struct evidence_hashes hashes;
		struct collection_member member;
		char error[512] = "";
		enum drain_result drained;

		if (got == ARCHIVE_EOF) {
			rc = 0;
			break;
		}
		if (got != ARCHIVE_OK && got != ARCHIVE_WARN) {
			say_archive_error(r.archive, index ? "listing stopped after the entries read"
							   : "no entry could be read",
					  reason, reason_size);
			rc = 1;
			break;
		}
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue;
		memset(&member, 0, sizeof member);
		memset(&sink, 0, sizeof sink);
		evidence_hasher_init(&sink.hasher);
		drained = drain_entry(r.archive, entry, limit, listing_take, &sink, error,
				      sizeof error);
		member.name = entry_name(entry);
		member.name = member.name ? member.name : "";
		member.index = index;
		if (archive_entry_mtime_is_set(entry))
			member.mtime = filetime_from_unix(archive_entry_mtime(entry),
							  archive_entry_mtime_nsec(entry));
		if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0)
			member.declared_size = (uint64_t)archive_entry_size(entry);
		member.head = sink.head;
		member.head_size = sink.head_size;
		if (drained == DRAIN_OK) {
			evidence_hasher_finish(&sink.hasher, &hashes);
			member.hashes = &hashes;
		} else {
			member.error = error;
		}
		if (fn(context, &member) != 0) {
			snprintf(reason, reason_size, "out of memory");
			goto out;
		}
		if (drained == DRAIN_STREAM_FAILED) {
			snprintf(reason, reason_size, "listing stopped at %s: %s", member.name, error);
			rc = 1;
			break;
		}
	}
out:
	reader_close(&r);
	return rc;
}

struct memory_sink {
	uint8_t *data;
	size_t size, capacity;
};

static int memory_take(void *context, const uint8_t *data, size_t size)
{
	struct memory_sink *s = context;

	if (size > s->capacity - s->size) {
		size_t capacity = s->capacity ? s->capacity : READ_BLOCK;
		uint8_t *grown;

		while (capacity - s->size < size)
			capacity *= 2;
		if (!(grown = realloc(s->data, capacity)))
			return -1;
		s->data = grown;
		s->capacity = capacity;
	}
	memcpy(s->data + s->size, data, size);
	s->size += size;
	return 0;
}

static int discard(void *context, const uint8_t *data, size_t size)
{
	(void)context;
	(void)data;
	(void)size;
	return 0;
}

int collection_read_member(const char *path, size_t index, const char *name, uint64_t limit,
			   uint8_t **data, size_t *size, int *too_big, char *err, size_t err_size)
{
	struct memory_sink sink = {NULL, 0, 0};
	struct reader r;
	int rc = -1;

	*data = NULL;
	*size = 0;
	if (too_big)
		*too_big = 0;
	if (reader_open(&r, path, err, err_size) != 0)
		goto out;
	for (size_t at = 0;; at++) {
		struct archive_entry *entry;
		int got = archive_read_next_header(r.archive, &entry);
		enum drain_result drained;

		if (got != ARCHIVE_OK && got != ARCHIVE_WARN) {
			snprintf(err, err_size, "entry %zu of the container could not be reached again",
				 index);
			break;
		}
		if (at < index) {
			/* libarchive 3.6's 7-Zip reader can lose its place in a solid block when
			 * entries are skipped ("Truncated 7-Zip file body" for a member that reads
			 * whole in a listing): read the entries before it instead, as the listing
			 * did, and drop their bytes. */
			if (archive_format(r.archive) == ARCHIVE_FORMAT_7ZIP &&
			    archive_entry_filetype(entry) == AE_IFREG &&
			    drain_entry(r.archive, entry, limit, discard, NULL, err, err_size) ==
				    DRAIN_STREAM_FAILED)
				break;
			continue;
		}
		if (strcmp(entry_name(entry) ? entry_name(entry) : "", name) != 0) {
			snprintf(err, err_size, "entry %zu of the container is no longer %s", index,
				 name);
			break;
		}
		drained = drain_entry(r.archive, entry, limit, memory_take, &sink, err, err_size);
		if (too_big)
			*too_big = drained == DRAIN_TOO_BIG;
		if (drained == DRAIN_OK) {
			*data = sink.data ? sink.data : malloc(1); /* an empty member is 0 bytes, not NULL */
			*size = sink.size;
			sink.data = NULL;
			rc = *data ? 0 : -1;
		}
		break;
	}
out:
	free(sink.data);
	reader_close(&r);
	return rc;
}

/* ---- layouts ------------------------------------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* COMPONENT (LENGTH bytes) with every %XX decoded (Velociraptor writes ':' as %3A, '\' as %5C,
 * '%' as %25, and KAPE a drive as "C%3A"); a '%' not followed by two hex digits, or one that would
 * give NUL, stays. */
static void url_decode(struct strbuf *out, const char *component, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		if (component[i] == '%' && i + 2 < length) {
			int high = hex_value(component[i + 1]), low = hex_value(component[i + 2]);
			if (high >= 0 && low >= 0 && (high | low) != 0) {
				strbuf_append_char(out, (char)(high << 4 | low));
				i += 2;
				continue;
			}
		}
		strbuf_append_char(out, component[i]);
	}
}

/* Top-level folders of a Windows system volume: a collection whose first folder is one of these is
 * a copy of the volume's root. */
static const char *const VOLUME_ROOT_FOLDERS[] = {
	"Windows", "Users", "ProgramData", "Program Files", "Program Files (x86)",
	"Documents and Settings", "$Recycle.Bin", "System Volume Information",
};

/* NAME is a system volume's top-level folder, or an NTFS metadata file ($MFT, $Extend, ...). */
static int is_volume_root_folder(const char *name)
{
	if (name[0] == '$')
		return 1;
	for (size_t i = 0; i < sizeof VOLUME_ROOT_FOLDERS / sizeof VOLUME_ROOT_FOLDERS[0]; i++)
		if (strcasecmp(name, VOLUME_ROOT_FOLDERS[i]) == 0)
			return 1;
	return 0;
}

/* The drive letter a decoded component names ("C:", "\\.\C:", "\\?\C:"), or 0. */
static char drive_of(const char *component)
{
	if (strncmp(component, "\\\\.\\", 4) == 0 || strncmp(component, "\\\\?\\", 4) == 0)
		component += 4;
	if (isalpha((unsigned char)component[0]) && component[1] == ':' && component[2] == 0)
		return (char)toupper((unsigned char)component[0]);
	return 0;
}

char *collection_windows_path(const char *relative, const char **layout)
{
	struct strbuf *parts = NULL, out = STRBUF_INIT;
	char **raw = NULL, *result = NULL, drive = 0;
	size_t count = 0, start = 0, i;
	int found = 0, uploads = 0, device = 0;
	const char *p = relative;

	*layout = NULL;
	while (*p) {
		const char *component;
		size_t length;

		while (*p == '/' || *p == '\\')
			p++;
		component = p;
		while (*p && *p != '/' && *p != '\\')
			p++;
		length = (size_t)(p - component);
		if (length == 0 || (length == 1 && component[0] == '.'))
			continue;
		if (length == 2 && component[0] == '.' && component[1] == '.')
			goto out; /* a name that climbs out is only a name: no Windows path */
		struct strbuf *grown = realloc(parts, (count + 1) * sizeof *parts);
		char **grown_raw = realloc(raw, (count + 1) * sizeof *raw);
		if (grown)
			parts = grown;
		if (grown_raw)
			raw = grown_raw;
		if (!grown || !grown_raw)
			goto out;
		parts[count] = (struct strbuf)STRBUF_INIT;
		raw[count] = strndup(component, length);
		url_decode(&parts[count], component, length);
		strbuf_append_char(&parts[count], 0);
		count++;
		if (!raw[count - 1] || strbuf_failed(&parts[count - 1]))
			goto out;
	}
	if (count && is_volume_root_folder(parts[0].data)) {
		drive = 'C';
		*layout = "volume_root";
		found = 1;
	}
	for (i = 0; !found && i + 1 < count; i++) {
		const char *d = parts[i].data;

		uploads |= strcasecmp(d, "uploads") == 0;
		if ((drive = drive_of(d)) != 0) {
			*layout = uploads ? "velociraptor" : "kape";
		} else if (strlen(raw[i]) == 1 && isalpha((unsigned char)raw[i][0]) &&
			   is_volume_root_folder(parts[i + 1].data)) {
			/* KAPE's folder per drive letter ("C/Windows/..."); a one-letter folder that
			 * does not hold a volume's top-level folders is only a folder. */
			drive = (char)toupper((unsigned char)raw[i][0]);
			*layout = uploads ? "velociraptor" : "kape";
		} else if (uploads && strncmp(d, "\\\\", 2) == 0) {
			device = 1; /* \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1: no letter */
			*layout = "velociraptor";
		} else {
			continue;
		}
		found = 1;
		start = i + 1;
	}
	if (!found || start >= count)
		goto out;
	if (device) {
		strbuf_append_str(&out, parts[start - 1].data);
	} else {
		strbuf_append_char(&out, drive);
		strbuf_append_char(&out, ':');
	}
	/* Velociraptor encodes every name it stores (a '%' is "%25"); KAPE and a copied volume keep
	 * the names Windows gave ("Microsoft-Windows-Hyper-V-Worker%4Admin.evtx" has a real '%'). */
	for (i = start; i < count; i++) {
		strbuf_append_char(&out, '\\');
		strbuf_append_str(&out, strcmp(*layout, "velociraptor") == 0 ? parts[i].data : raw[i]);
	}
	if (!strbuf_failed(&out))
		result = strbuf_detach(&out);
out:
	if (!result)
		*layout = NULL;
	for (i = 0; i < count; i++) {
		strbuf_free(&parts[i]);
		free(raw[i]);
	}
	free(parts);
	free(raw);
	strbuf_free(&out);
	return result;
}
