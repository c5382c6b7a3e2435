/*
 * test_evidence.c - the evidence hashes against coreutils' md5sum, sha1sum and sha256sum, for files
 * hashed on one thread and files large enough for the MD5 thread (sizes around its block and ring
 * boundaries), and for a file that cannot be opened.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "evidence.h"

enum { MIB = 1 << 20 };

/* The first word of `TOOL PATH`'s output: the tool's hex digest. */
static int tool_digest(const char *tool, const char *path, char *out, size_t size)
{
	char command[512];
	FILE *p;
	int ok;

	snprintf(command, sizeof command, "%s '%s'", tool, path);
	p = popen(command, "r");
	if (!p)
		return -1;
	ok = fscanf(p, "%128s", out) == 1 && strlen(out) < size;
	return pclose(p) == 0 && ok ? 0 : -1;
}

/* Writes SIZE pseudo-random bytes (SEED) to PATH. */
static int write_file(const char *path, size_t size, uint32_t seed)
{
	FILE *f = fopen(path, "wb");
	static uint8_t block[1 << 16];

	if (!f)
		return -1;
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof block ? size - done : sizeof block;
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			block[i] = (uint8_t)(seed >> 16);
		}
		if (fwrite(block, 1, n, f) != n) {
			fclose(f);
			return -1;
		}
		done += n;
	}
	return fclose(f);
}

static void check_size(const char *dir, size_t size, uint32_t seed)
{
	char path[256], err[256], expected[160];
	struct evidence_hashes h;

	snprintf(path, sizeof path, "%s/f%zu", dir, size);
	if (write_file(path, size, seed) != 0) {
		CHECK(!"cannot write the test file");
		return;
	}
	CHECK_INT(evidence_hash_file(path, &h, err, sizeof err), 0);
	CHECK_INT(h.size, size);
	if (tool_digest("sha256sum", path, expected, sizeof expected) == 0)
		CHECK_STR(h.sha256, expected);
	else
		CHECK(!"sha256sum failed");
	if (tool_digest("md5sum", path, expected, sizeof expected) == 0)
		CHECK_STR(h.md5, expected);
	else
		CHECK(!"md5sum failed");
	if (tool_digest("sha1sum", path, expected, sizeof expected) == 0)
		CHECK_STR(h.sha1, expected);
	else
		CHECK(!"sha1sum failed");
	unlink(path);
}

int main(void)
{
	char dir[] = "/tmp/sandtrace-evidence.XXXXXX", path[300], err[256];
	struct evidence_hashes h;
	/* one thread: empty, one byte, a read buffer and one more; the MD5 thread from 32 MiB:
	 * exactly there, a block more and one byte, and past the ring of 8 blocks twice over */
	const size_t sizes[] = {0, 1, 65536, 65537, 32 * MIB - 1, 32 * MIB, 33 * MIB + 1,
				48 * MIB + 12345};

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		check_size(dir, sizes[i], (uint32_t)(i + 1));

	snprintf(path, sizeof path, "%s/missing", dir);
	CHECK_INT(evidence_hash_file(path, &h, err, sizeof err), -1);
	CHECK(strstr(err, "cannot open") != NULL);
	rmdir(dir);
	return check_done("evidence");
}
