/*
 * ordered_pool.c - work items computed on several threads, handed on in item order (see
 * ordered_pool.h).
 *
 * Invariants, all under `lock`: items below `next_claim` have been claimed; a thread claims item
 * i only while i < next_deliver + window, so slot i % window is free (its previous occupant,
 * item i - window, has been handed on); `ready[s]` says slot s holds its item's result. The
 * caller's thread hands results on outside the lock, so a slow hand-over (the store's queue
 * being full) never blocks the threads still computing the next items.
 */
#include "ordered_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct pool {
	const struct ordered_pool_task *task;
	size_t count, window;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t next_claim, next_deliver;
	int stop;
	void **results;
	unsigned char *ready;
};

struct pool_thread {
	struct pool *pool;
	int worker;
	pthread_t id;
};

static void *pool_worker(void *arg)
{
	struct pool_thread *t = arg;
	struct pool *p = t->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		size_t index;
		void *result;

		while (!p->stop && p->next_claim < p->count &&
		       p->next_claim >= p->next_deliver + p->window)
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->stop || p->next_claim >= p->count)
			break;
		index = p->next_claim++;
		pthread_mutex_unlock(&p->lock);
		result = p->task->work(p->task->context, t->worker, index);
		pthread_mutex_lock(&p->lock);
		p->results[index % p->window] = result;
		p->ready[index % p->window] = 1;
		pthread_cond_broadcast(&p->changed);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int run_inline(const struct ordered_pool_task *task, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (task->deliver(task->context, i, task->work(task->context, 0, i)) != 0)
			return 1;
	return 0;
}

int ordered_pool_run(const struct ordered_pool_task *task, size_t count, int threads,
		     size_t window)
{
	struct pool p = {0};
	struct pool_thread *pool_threads = NULL;
	int started = 0, stopped = 0;

	if (threads <= 1 || count <= 1)
		return run_inline(task, count);
	if ((size_t)threads > count)
		threads = (int)count;
	p.task = task;
	p.count = count;
	p.window = window < (size_t)threads ? (size_t)threads : window;
	p.results = calloc(p.window, sizeof *p.results);
	p.ready = calloc(p.window, 1);
	pool_threads = calloc((size_t)threads, sizeof *pool_threads);
	if (!p.results || !p.ready || !pool_threads) {
		free(p.results);
		free(p.ready);
		free(pool_threads);
		return run_inline(task, count);
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.changed, NULL);
	for (int i = 0; i < threads; i++) {
		pool_threads[i].pool = &p;
		pool_threads[i].worker = i;
		if (pthread_create(&pool_threads[i].id, NULL, pool_worker, &pool_threads[i]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		stopped = run_inline(task, count);
		goto out;
	}
	pthread_mutex_lock(&p.lock);
	while (p.next_deliver < p.count && !stopped) {
		size_t slot = p.next_deliver % p.window;
		void *result;

		while (!p.ready[slot])
			pthread_cond_wait(&p.changed, &p.lock);
		result = p.results[slot];
		p.results[slot] = NULL;
		p.ready[slot] = 0;
		pthread_mutex_unlock(&p.lock);
		stopped = task->deliver(task->context, p.next_deliver, result) != 0;
		pthread_mutex_lock(&p.lock);
		p.next_deliver++;
		p.stop = stopped;
		pthread_cond_broadcast(&p.changed);
	}
	pthread_mutex_unlock(&p.lock);
	for (int i = 0; i < started; i++)
		pthread_join(pool_threads[i].id, NULL);
	for (size_t s = 0; s < p.window; s++) /* results computed after a stop */
		if (p.ready[s] && task->discard)
			task->discard(task->context, p.results[s]);
out:
	pthread_cond_destroy(&p.changed);
	pthread_mutex_destroy(&p.lock);
	free(p.results);
	free(p.ready);
	free(pool_threads);
	return stopped;
}
