/*
 * scratch_store.h - the unit tests' scratch case stores and one-number queries on them.
 */
#ifndef SANDTRACE_TESTS_SCRATCH_STORE_H
#define SANDTRACE_TESTS_SCRATCH_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store.h"

static int store_count_row(void *context, int columns, const char *const *names,
			   const char *const *values)
{
	(void)columns;
	(void)names;
	*(long long *)context = values[0] ? strtoll(values[0], NULL, 10) : -1;
	return 0;
}

/* The first column of SQL's first row as a number: -1 when NULL, -2 when the query fails. */
static inline long long count(struct store *store, const char *sql)
{
	long long n = -1;
	if (store_query(store, sql, store_count_row, &n) != 0)
		return -2;
	return n;
}

/* A new, empty case store at a fresh name made from PATH (a mkstemp template, rewritten), with
 * the run row 1 every row names; NULL when it cannot be made. */
static inline struct store *scratch_store(char *path)
{
	struct store *store = NULL;
	char err[512];
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	close(fd);
	unlink(path);
	if (store_open(path, &store, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	if (store_exec_temp(store, "INSERT INTO run (id, started, tool_version, libraries, "
				   "command_line) VALUES (1, 1, 't', 'l', 'c');") != 0) {
		store_close(store);
		return NULL;
	}
	return store;
}

#endif
