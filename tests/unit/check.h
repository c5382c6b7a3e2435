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

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passes, check_failures);
	return check_failures ? 1 : 0;
}

#endif
