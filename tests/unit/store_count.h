/*
 * store_count.h - the unit tests' one-number queries on a case store.
 */
#ifndef SANDTRACE_TESTS_STORE_COUNT_H
#define SANDTRACE_TESTS_STORE_COUNT_H

#include <stdlib.h>

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

#endif
