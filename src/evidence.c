/*
 * evidence.c - one read-only pass over a file computing the hashes examiners cite (nettle).
 */
#include "evidence.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* One read pass; the MD5 of a large file is computed on a second thread (below). */
enum {
	BLOCK = 1 << 20,       /* bytes per read */
	RING = 8,              /* blocks read ahead of the MD5 thread at most */
	SPLIT_MIN = 32 << 20,  /* smaller files are hashed on the calling thread alone */
};

/* MD5 is the slowest of the three digests (about half the hashing time of a large log with the
 * CPU's SHA instructions): for a large file the calling thread reads the blocks and computes
 * SHA-256 and SHA-1 while a second thread computes MD5 over the same blocks, in order. Both
 * threads read the same buffers, so the three digests describe the same bytes, read once. */
struct md5_ring {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	uint8_t *blocks;           /* RING blocks of BLOCK bytes */
	size_t sizes[RING];
	uint64_t produced, consumed; /* blocks read / blocks hashed by the MD5 thread */
	int finished;                /* no block will follow */
	struct md5_ctx md5;
};

static void *md5_ring_worker(void *arg)
{
	struct md5_ring *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->consumed == r->produced && !r->finished)
			pthread_cond_wait(&r->changed, &r->lock);
		if (r->consumed == r->produced)
			break;
		size_t slot = (size_t)(r->consumed % RING);
		pthread_mutex_unlock(&r->lock);
		md5_update(&r->md5, r->sizes[slot], r->blocks + slot * BLOCK);
		pthread_mutex_lock(&r->lock);
		r->consumed++;
		pthread_cond_broadcast(&r->changed);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Reads the whole of FD into the hashes: with RING set, MD5 goes to its thread. */
static int hash_fd(int fd, struct evidence_hasher *hasher, struct md5_ring *ring, uint8_t *single,
		   char *err, size_t err_size)
{
	for (;;) {
		uint8_t *buffer = single;
		size_t slot = 0;
		ssize_t got;

		if (ring) {
			pthread_mutex_lock(&ring->lock);
			while (ring->produced - ring->consumed >= RING)
				pthread_cond_wait(&ring->changed, &ring->lock);
			slot = (size_t)(ring->produced % RING);
			pthread_mutex_unlock(&ring->lock);
			buffer = ring->blocks + slot * BLOCK;
		}
		got = read(fd, buffer, ring ? BLOCK : 1 << 16);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, err_size, "read error at byte %llu: %s",
				 (unsigned long long)hasher->size, strerror(errno));
			return -1;
		}
		if (got == 0)
			return 0;
		if (!ring) {
			evidence_hasher_update(hasher, buffer, (size_t)got);
			continue;
		}
		sha256_update(&hasher->sha256, (size_t)got, buffer);
		sha1_update(&hasher->sha1, (size_t)got, buffer);
		hasher->size += (size_t)got;
		pthread_mutex_lock(&ring->lock);
		ring->sizes[slot] = (size_t)got;
		ring->produced++;
		pthread_cond_broadcast(&ring->changed);
		pthread_mutex_unlock(&ring->lock);
	}
}

int evidence_hash_file(const char *path, struct evidence_hashes *hashes, char *err,
		       size_t err_size)
{
	static _Thread_local uint8_t buffer[1 << 16];
	struct evidence_hasher hasher;
	struct md5_ring ring = {.lock = PTHREAD_MUTEX_INITIALIZER,
				.changed = PTHREAD_COND_INITIALIZER};
	struct md5_ring *split = NULL;
	struct stat st;
	pthread_t md5_thread;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_size, "cannot open: %s", strerror(errno));
		return -1;
	}
	evidence_hasher_init(&hasher);
	hashes->size = 0;
	/* Without the ring's memory or its thread, the file is hashed on this thread alone. */
	if (fstat(fd, &st) == 0 && st.st_size >= SPLIT_MIN &&
	    (ring.blocks = malloc((size_t)RING * BLOCK)) != NULL) {
		md5_init(&ring.md5);
		if (pthread_create(&md5_thread, NULL, md5_ring_worker, &ring) == 0)
			split = &ring;
	}
	rc = hash_fd(fd, &hasher, split, buffer, err, err_size);
	if (split) {
		pthread_mutex_lock(&ring.lock);
		ring.finished = 1;
		pthread_cond_broadcast(&ring.changed);
		pthread_mutex_unlock(&ring.lock);
		pthread_join(md5_thread, NULL);
		hasher.md5 = ring.md5;
	}
	free(ring.blocks);
	if (rc == 0)
		evidence_hasher_finish(&hasher, hashes);
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
