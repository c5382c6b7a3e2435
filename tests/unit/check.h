/*
 * check.h - the unit tests' few assertions. A failed check prints where and why and makes the
 * test program exit non-zero; check_done() prints the tally.
 */
#ifndef SANDTRACE_TESTS_CHECK_H
#define SANDTRACE_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures, check_passes;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (cond) {                                                            \
			check_passes++;                                                \
		} else {                                                               \
			check_failures++;                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                      \
	} while (0)

#define CHECK_STR(actual, expected)                                                    \
	do {                                                                           \
		const char *a_ = (actual), *e_ = (expected);                           \
		if (a_ && e_ && strcmp(a_, e_) == 0) {                                 \
			check_passes++;                                                \
		} else {                                                               \
			check_failures++;                                              \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, #actual, a_ ? a_ : "(null)", e_ ? e_ : "(null)"); \
		}                                                                      \
	} while (0)

#define CHECK_INT(actual, expected)                                                    \
	do {                                                                           \
		long long a_ = (long long)(actual), e_ = (long long)(expected);        \
		if (a_ == e_) {                                                        \
			check_passes++;                                                \
		} else {                                                               \
			check_failures++;                                              \
			fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__,     \
				__LINE__, #actual, a_, e_);                            \
		}                                                                      \
	} while (0)

/* The whole file at PATH, NUL-terminated (SIZE bytes before the NUL); NULL if unreadable. */
static inline char *check_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long length;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)length + 1);
		if (data && fread(data, 1, (size_t)length, f) == (size_t)length) {
			data[length] = '\0';
			*size = (size_t)length;
		} else {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

/* Writes SIZE bytes of DATA to PATH (replacing it); 0, or -1 if it could not be written. */
static inline int check_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok = f && (size == 0 || fwrite(data, 1, size, f) == size);

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The little-endian u64 at P (the caller has checked that 8 bytes are there). */
static inline uint64_t check_le64(const unsigned char *p)
{
	uint64_t value = 0;

	for (int i = 7; i >= 0; i--)
		value = value << 8 | p[i];
	return value;
}

#ifdef SANDTRACE_SOURCE_DIR
/* Forges the bundled case's CASE_PATH (an .evtx.xml under testdata/case) with STFORGE into OUT;
 * 0, or -1 if stforge failed. */
static inline int check_forge_evtx(const char *stforge, const char *case_path, const char *out)
{
	char command[2048];

	snprintf(command, sizeof command, "'%s' evtx '%s/testdata/case/%s' '%s'", stforge,
		 SANDTRACE_SOURCE_DIR, case_path, out);
	return system(command) == 0 ? 0 : -1;
}
#endif

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passes, check_failures);
	return check_failures ? 1 : 0;
}

#endif
