/*
 * pid_index.c - records looked up by process id (see pid_index.h).
 */
#include "pid_index.h"

#include <stdlib.h>

int pid_index_add(struct pid_index *index, int64_t pid, size_t position)
{
	if (pid < 0)
		return 0;
	/* grows by doubling from 64: every power of two at or above 64 is a full array */
	if (index->count >= 64 && (index->count & (index->count - 1)) == 0) {
		struct pid_entry *grown =
			realloc(index->entries, 2 * index->count * sizeof *index->entries);
		if (!grown)
			return -1;
		index->entries = grown;
	} else if (!index->entries) {
		if (!(index->entries = malloc(64 * sizeof *index->entries)))
			return -1;
	}
	index->entries[index->count++] = (struct pid_entry){pid, position};
	return 0;
}

static int compare_entries(const void *a, const void *b)
{
	const struct pid_entry *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->position < y->position ? -1 : x->position > y->position;
}

void pid_index_sort(struct pid_index *index)
{
	if (index->count > 1)
		qsort(index->entries, index->count, sizeof *index->entries, compare_entries);
}

const struct pid_entry *pid_index_first(const struct pid_index *index, int64_t pid)
{
	size_t low = 0, high = index->count;

	/* the first pair whose PID is not below PID */
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (index->entries[middle].pid < pid)
			low = middle + 1;
		else
			high = middle;
	}
	return low < index->count && index->entries[low].pid == pid ? &index->entries[low] : NULL;
}

const struct pid_entry *pid_index_next(const struct pid_index *index, const struct pid_entry *entry)
{
	const struct pid_entry *next = entry + 1;

	return next < index->entries + index->count && next->pid == entry->pid ? next : NULL;
}

void pid_index_free(struct pid_index *index)
{
	free(index->entries);
	index->entries = NULL;
	index->count = 0;
}
