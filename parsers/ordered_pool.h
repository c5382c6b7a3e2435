/*
 * ordered_pool.h - work items computed on several threads, handed on strictly in item order.
 *
 * The decoder reads the 64 KiB chunks of one event log on several threads (METHOD.md §1.11):
 * chunks are independent, but the records must reach the store in the order one thread would
 * give them, so that a run with one thread and a run with many write the same store. Items
 * 0..count-1 are claimed in order by the pool's threads; each result waits in one of WINDOW slots
 * until every earlier item has been handed on by the caller's thread. A thread never runs more
 * than WINDOW items ahead of the hand-over, so memory stays bounded by WINDOW results whatever
 * the number of items.
 */
#ifndef SANDTRACE_PARSERS_ORDERED_POOL_H
#define SANDTRACE_PARSERS_ORDERED_POOL_H

#include <stddef.h>

struct ordered_pool_task {
	void *context;
	/* Computes item INDEX on pool thread WORKER (0 .. threads - 1; one WORKER never runs two
	 * items at once, so per-worker state needs no lock). Runs on several threads at once. Returns
	 * the result, owned by the pool until handed on (NULL is a valid result). */
	void *(*work)(void *context, int worker, size_t index);
	/* Hands on item INDEX's RESULT on the caller's thread, in index order; takes ownership.
	 * Returns 0 to go on, nonzero to stop (no further item is handed on). */
	int (*deliver)(void *context, size_t index, void *result);
	/* Frees a result that was computed but not handed on because of a stop. */
	void (*discard)(void *context, void *result);
};

/* Runs TASK for items 0 .. COUNT - 1 on THREADS threads (at most WINDOW results computed and not
 * yet handed on; WINDOW at least THREADS). THREADS <= 1, or threads that cannot be started, run
 * the items on the caller's thread one after another, with the same results in the same order.
 * Returns 0 when every item was handed on, 1 when deliver asked to stop. */
int ordered_pool_run(const struct ordered_pool_task *task, size_t count, int threads,
		     size_t window);

#endif
