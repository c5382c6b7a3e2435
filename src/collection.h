/*
 * collection.h - collections as examiners receive them: a ZIP, 7z or tar(.gz) container read in
 * place through libarchive, and the layouts collectors write (KAPE, Velociraptor, a copied volume
 * root) mapped back to the Windows path each file had on the host (METHOD.md §8.6).
 *
 * A collection container is decided by place, not only by content: an input path given on the
 * command line, or a file directly inside an input folder whose name says archive (.zip, .7z,
 * .tar, .tgz, .tar.gz), and whose content is a zip, 7z, tar or compressed tar. Any other archive
 * found deeper in a collection is evidence in its own right (a payload in a mapped folder,
 * parsers/archive.h), inspected and never opened as a collection.
 *
 * Nothing is extracted: each member is read as a stream, hashed as it is read, and kept in memory
 * only while a parser reads it. A member larger than the limit given is neither hashed nor read
 * (a zip bomb cannot fill memory or the disk); it is listed with the reason. A member name is only
 * a name: "../x" is never a place anything is written to, and gets no Windows path.
 */
#ifndef SANDTRACE_COLLECTION_H
#define SANDTRACE_COLLECTION_H

#include <stddef.h>
#include <stdint.h>

#include "evidence.h"

/* The default bound on a member read into memory: the bound parsers/evtx.c keeps for a log read
 * whole to repair its header. */
#define COLLECTION_MEMBER_LIMIT_DEFAULT ((uint64_t)2 << 30)

/* Bytes of a member's beginning handed to classification (discover.h). */
#define COLLECTION_HEAD_SIZE 1024

/* 1 if HEAD (HEAD_SIZE first bytes of a file) is a zip, 7z, tar, or a gzip/bzip2/xz stream (a
 * compressed tar), the containers collection_list reads; 0 otherwise. */
int collection_is_container(const unsigned char *head, size_t head_size);

/* 1 if the file NAME (no folder) says it is a collection container: .zip, .7z, .tar, .tgz,
 * .tar.gz, .tar.bz2, .tar.xz (any case). */
int collection_name_is_container(const char *name);

/* One regular file inside a container, as collection_list hands it over (valid during the call). */
struct collection_member {
	const char *name;            /* the entry's path as stored (UTF-8 where libarchive converts) */
	size_t index;                /* position among all the container's entries, from 0 */
	uint64_t mtime;              /* FILETIME from the entry header, 0 if not set */
	uint64_t declared_size;      /* the size the entry header gives, 0 if not set */
	const unsigned char *head;   /* its first bytes (HEAD_SIZE of them, up to 1024) */
	size_t head_size;
	const struct evidence_hashes *hashes; /* SHA-256, MD5, SHA-1 of every byte; NULL when the
					       member could not be read whole (ERROR says why) */
	const char *error;           /* why not read: encrypted, damaged, over the limit; or NULL */
};

typedef int (*collection_member_fn)(void *context, const struct collection_member *member);

/* Reads the container at PATH once from start to end, calling FN for every regular-file member
 * (FN returns 0 to go on). Members larger than LIMIT bytes are not read. Returns 0 when every
 * entry was read; 1 when the listing stopped early (encrypted headers, a damaged stream), the
 * members before it handed over and the reason in REASON; -1 when PATH is not readable as an
 * archive (REASON says why), memory ran out, or FN failed. */
int collection_list(const char *path, uint64_t limit, collection_member_fn fn, void *context,
		    char *reason, size_t reason_size);

/* Reads member INDEX (whose name must be NAME) of the container at PATH whole into *DATA (malloc'd,
 * free it) and *SIZE; refuses a member larger than LIMIT. Returns 0, or -1 with the reason in ERR
 * (*TOO_BIG, may be NULL, set to 1 when the reason is the limit). */
int collection_read_member(const char *path, size_t index, const char *name, uint64_t limit,
			   uint8_t **data, size_t *size, int *too_big, char *err, size_t err_size);

/* The Windows path of a file a collector stored at RELATIVE ('/' or '\\' separated, relative to
 * the collection's root or the container's): "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx"
 * for "C/Windows/...", "C%3A/Windows/..." (KAPE), "uploads/auto/C%3A/Windows/...",
 * "uploads/ntfs/%5C%5C.%5CC%3A/Windows/..." (Velociraptor), "Windows/..." (a volume root, drive
 * taken as C:). Names are URL-decoded (%XX). *LAYOUT is set to "kape", "velociraptor" or
 * "volume_root" (static). Returns a malloc'd path, or NULL when no layout is recognised or a
 * component is ".." (then *LAYOUT is NULL). */
char *collection_windows_path(const char *relative, const char **layout);

#endif
