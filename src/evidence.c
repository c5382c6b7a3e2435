/*
 * evidence.c - one read-only pass over a file computing the hashes examiners cite (nettle).
 */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void to_hex(const uint8_t *digest, size_t length, char *out)
{
	static const char HEX[] = "0123456789abcdef";
	for (size_t i = 0; i < length; i++) {
		out[2 * i] = HEX[digest[i] >> 4];
		out[2 * i + 1] = HEX[digest[i] & 15];
	}
	out[2 * length] = 0;
}

void evidence_hasher_init(struct evidence_hasher *hasher)
{
	sha256_init(&hasher->sha256);
	md5_init(&hasher->md5);
	sha1_init(&hasher->sha1);
	hasher->size = 0;
}

void evidence_hasher_update(struct evidence_hasher *hasher, const void *data, size_t size)
{
	sha256_update(&hasher->sha256, size, data);
	md5_update(&hasher->md5, size, data);
	sha1_update(&hasher->sha1, size, data);
	hasher->size += size;
}

void evidence_hasher_finish(struct evidence_hasher *hasher, struct evidence_hashes *hashes)
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_digest(&hasher->sha256, SHA256_DIGEST_SIZE, digest);
	to_hex(digest, SHA256_DIGEST_SIZE, hashes->sha256);
	md5_digest(&hasher->md5, MD5_DIGEST_SIZE, digest);
	to_hex(digest, MD5_DIGEST_SIZE, hashes->md5);
	sha1_digest(&hasher->sha1, SHA1_DIGEST_SIZE, digest);
	to_hex(digest, SHA1_DIGEST_SIZE, hashes->sha1);
	hashes->size = hasher->size;
}

int evidence_hash_file(const char *path, struct evidence_hashes *hashes, char *err,
		       size_t err_size)
{
	static _Thread_local uint8_t buffer[1 << 16];
	struct evidence_hasher hasher;
	ssize_t got;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	evidence_hasher_init(&hasher);
	hashes->size = 0;
	while ((got = read(fd, buffer, sizeof buffer)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, err_size, "read error at byte %llu: %s",
				 (unsigned long long)hasher.size, strerror(errno));
			goto out;
		}
		evidence_hasher_update(&hasher, buffer, (size_t)got);
	}
	evidence_hasher_finish(&hasher, hashes);
	rc = 0;
out:
	close(fd);
	return rc;
}

void evidence_sha256_hex(const void *data, size_t size, char out[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, size, data);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	to_hex(digest, SHA256_DIGEST_SIZE, out);
}
