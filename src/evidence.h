/*
 * evidence.h - hashing an input file before anything reads it (DESIGN.md principle 1).
 */
#ifndef SANDTRACE_EVIDENCE_H
#define SANDTRACE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

struct evidence_hashes {
	char sha256[65]; /* lower-case hex */
	char md5[33];
	char sha1[41];
	uint64_t size; /* bytes actually read */
};

/* Hashes computed as bytes arrive (a member read from a container, collection.h), in one pass. */
struct evidence_hasher {
	struct sha256_ctx sha256;
	struct md5_ctx md5;
	struct sha1_ctx sha1;
	uint64_t size;
};
void evidence_hasher_init(struct evidence_hasher *hasher);
void evidence_hasher_update(struct evidence_hasher *hasher, const void *data, size_t size);
void evidence_hasher_finish(struct evidence_hasher *hasher, struct evidence_hashes *hashes);

/* Opens PATH read-only and computes SHA-256, MD5 and SHA-1 in one pass (nettle). Returns 0, or -1
 * with the reason (strerror text) in ERR (ERR_SIZE bytes). */
int evidence_hash_file(const char *path, struct evidence_hashes *hashes, char *err,
		       size_t err_size);

/* SHA-256 of SIZE bytes at DATA as lower-case hex into OUT. */
void evidence_sha256_hex(const void *data, size_t size, char out[65]);

#endif
