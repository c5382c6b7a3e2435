/*
 * ingest.c - the ingest pipeline (see ingest.h).
 *
 * Threads: workers hash files (phase 1), then parse them (phase 2), each parse feeding a bounded
 * per-file queue. The main thread alone owns the SQLite connection; it drains the queues strictly
 * in file order. A worker always takes the lowest file not yet taken, so the file the writer waits
 * for is always being parsed or done: the bounded queues cannot deadlock.
 */
#include "ingest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "collection.h"
#include "discover.h"
#include "evidence.h"
#include "correlate/host_facts.h"
#include "parsers/archive.h"
#include "parsers/evtx.h"
#include "parsers/hive.h"
#include "parsers/hive_log.h"
#include "parsers/hive_replay_marks.h"
#include "parsers/task_xml.h"
#include "parsers/wsb.h"
#include "store.h"
#include "strbuf.h"
#include "task_cache.h"
#include "timeutil.h"
#include "version.h"
#include "vm_commands.h"
#include "wsb_calls.h"

enum {
	QUEUE_LIMIT = 2048,   /* items a worker may run ahead of the writer, per file */
	COMMIT_EVERY = 20000, /* events per transaction */
};

struct item {
	struct item *next;
	struct evtx_event *event; /* an event, or NULL for a problem */
	struct sqlar_blob xml;    /* the event's XML packed for the store (data NULL: none) */
	char *location, *reason;
	int severe;
};

/* One input file's way through the pipeline. */
struct job {
	struct found_file *file;
	struct evidence_hashes hashes;
	char hash_error[256];
	int hashed_ok;
	int parse;               /* 1 = to be parsed in phase 2 */
	int resumed;             /* parsed before by a run that stopped: some rows already stored */
	int64_t evidence_id;
	char first_problem[512]; /* the first severe problem: the status_reason of partly/failed */
	/* queue (guarded by the pipeline mutex) */
	struct item *head, *tail;
	size_t queued;
	int done;
	int opened;              /* evtx_parse_file's result: 0 read, -1 not openable */
	struct evtx_stats stats;
};

struct pipeline {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct job *jobs;
	size_t job_count;
	size_t next_hash;        /* phase 1: next job to hash */
	size_t *parse_order;     /* phase 2: job indexes to parse, in path order */
	size_t parse_count, next_parse;
	int all_events;
	int decoder_threads;     /* threads decoding the chunks of one log (options->jobs) */
	uint64_t member_limit;   /* bytes of a container's member read into memory at most */
	int abort;               /* the writer failed: workers drop what they read and stop */
};

/* The whole of FILE, a member of a collection container, read from it into *DATA (free it). */
static int read_member(const struct pipeline *p, const struct found_file *file, uint8_t **data,
		       size_t *size, char *err, size_t err_size)
{
	return collection_read_member(file->container, file->member_index, file->member_name,
				      p->member_limit, data, size, NULL, err, err_size);
}

/* ---- workers ---------------------------------------------------------------------------- */

static void *hash_worker(void *arg)
{
	struct pipeline *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next_hash++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->job_count)
			return NULL;
		struct job *job = &p->jobs[i];
		if (job->file->error)
			continue;
		if (job->file->hashed) { /* a container's member: hashed while it was listed */
			job->hashes = job->file->hashes;
			job->hashed_ok = 1;
			continue;
		}
		job->hashed_ok = evidence_hash_file(job->file->path, &job->hashes, job->hash_error,
						    sizeof job->hash_error) == 0;
	}
}

/* A worker's items are handed over in batches: one lock and one wake-up per batch, not per
 * record (measured: per-record hand-over spent 14 % of an ingest in futex wake-ups). */
enum { BATCH_SIZE = 256 };

/* Compressors (sqlar.h) for the threads that pack one file's XML (its decoder threads, and the thread
 * that hands its records over): one is taken for a record and given back, so each serves one
 * thread at a time, and they are set up once per file, not per record (sqlar.h). */
enum { PACKERS_KEPT = 8 };

struct packer_pool {
	pthread_mutex_t lock;
	struct sqlar_packer *idle[PACKERS_KEPT];
	int idle_count;
};

struct worker_context {
	struct pipeline *pipeline;
	struct job *job;
	struct item *head, *tail; /* the batch being filled */
	size_t count;
	int aborted;
	struct packer_pool *packers;
};

static void item_free(struct item *item)
{
	evtx_event_free(item->event);
	sqlar_blob_free(&item->xml);
	free(item->location);
	free(item->reason);
	free(item);
}

static void free_list(struct item *item)
{
	while (item) {
		struct item *next = item->next;
		item_free(item);
		item = next;
	}
}

/* Hands the worker's batch to the writer; returns nonzero (dropping the batch) when the pipeline
 * is aborting. */
static int flush_batch(struct worker_context *w)
{
	struct pipeline *p = w->pipeline;

	if (!w->head)
		return w->aborted;
	pthread_mutex_lock(&p->lock);
	while (w->job->queued >= QUEUE_LIMIT && !p->abort)
		pthread_cond_wait(&p->changed, &p->lock);
	if (p->abort) {
		pthread_mutex_unlock(&p->lock);
		free_list(w->head);
		w->head = w->tail = NULL;
		w->count = 0;
		w->aborted = 1;
		return 1;
	}
	if (w->job->tail)
		w->job->tail->next = w->head;
	else
		w->job->head = w->head;
	w->job->tail = w->tail;
	w->job->queued += w->count;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	w->head = w->tail = NULL;
	w->count = 0;
	return 0;
}

static int enqueue(struct worker_context *w, struct item *item)
{
	if (w->aborted) {
		item_free(item);
		return 1;
	}
	if (w->tail)
		w->tail->next = item;
	else
		w->head = item;
	w->tail = item;
	return ++w->count >= BATCH_SIZE ? flush_batch(w) : 0;
}

static int want_record(void *context, const char *provider, uint32_t event_id)
{
	struct worker_context *w = context;

	switch (catalog_lookup(provider, event_id)) {
	case CATALOG_STORE: return 1;
	/* with --all-events such a record is stored either way: rendered, for drop_remainder_xml */
	case CATALOG_IF_MENTIONS: return w->pipeline->all_events ? 1 : 2;
	default: return w->pipeline->all_events ? 3 : 0; /* fields only, METHOD.md §8.8 */
	}
}

static int keep_rendered(void *context, const char *xml)
{
	(void)context;
	return catalog_mentions_sandbox(xml);
}

/* With --all-events, a record outside the catalogue (one the default profile would not store) is
 * stored for its fields, chunk and offset, without its XML (METHOD.md §8.8). A record outside the
 * catalogue's providers arrives without XML (want_record's 3); one of the providers stored only
 * when they name the sandbox arrives rendered, and loses its XML here when it does not name it.
 * Either way its content hash is that of its fields, as for every record stored without XML. */
static void drop_remainder_xml(const struct worker_context *w, struct evtx_event *event)
{
	enum catalog_decision decision;

	if (!w->pipeline->all_events || !event->full || !event->xml)
		return;
	decision = catalog_lookup(event->provider, event->event_id);
	if (decision == CATALOG_STORE ||
	    (decision == CATALOG_IF_MENTIONS && catalog_mentions_sandbox(event->xml)))
		return;
	free(event->xml);
	event->xml = NULL;
	event->content_hash = evtx_event_fields_hash(event);
}

static void on_problem(void *context, const char *location, const char *reason, int severe);

/* Packs XML into OUT with a packer of W's pool (any thread). Returns 0, or -1 with ERR. */
static int pack_xml(struct worker_context *w, const char *xml, struct sqlar_blob *out, char *err,
		    size_t err_size)
{
	struct packer_pool *pool = w->packers;
	struct sqlar_packer *packer = NULL;
	int rc;

	pthread_mutex_lock(&pool->lock);
	if (pool->idle_count > 0)
		packer = pool->idle[--pool->idle_count];
	pthread_mutex_unlock(&pool->lock);
	if (!packer && !(packer = sqlar_packer_new())) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	rc = sqlar_pack(packer, xml, strlen(xml), out, err, err_size);
	pthread_mutex_lock(&pool->lock);
	if (pool->idle_count < PACKERS_KEPT) {
		pool->idle[pool->idle_count++] = packer;
		packer = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	sqlar_packer_free(packer);
	return rc;
}

static void free_packed(void *attached)
{
	sqlar_blob_free(attached);
	free(attached);
}

/* On the decoder thread that read the record (evtx_callbacks.prepare): the XML is compressed
 * there, several records at once, and not on the writer's thread, the ingest's bottleneck, nor
 * on the one thread that hands the records over (METHOD.md §8.12). */
static void prepare_record(void *context, struct evtx_event *event)
{
	struct worker_context *w = context;
	struct sqlar_blob *packed;
	char err[200];

	drop_remainder_xml(w, event);
	if (!event->xml || !(packed = calloc(1, sizeof *packed)))
		return;
	if (pack_xml(w, event->xml, packed, err, sizeof err) != 0) {
		free(packed); /* on_event tries again, and records why if it fails there too */
		return;
	}
	event->attached = packed;
	event->attached_free = free_packed;
	free(event->xml); /* hashed already (content_hash); the store keeps the packed XML */
	event->xml = NULL;
}

static int on_event(void *context, struct evtx_event *event)
{
	struct worker_context *w = context;
	struct item *item = calloc(1, sizeof *item);
	char err[200];

	if (!item) {
		evtx_event_free(event);
		return 1;
	}
	drop_remainder_xml(w, event);
	if (event->attached) { /* packed by prepare_record */
		item->xml = *(struct sqlar_blob *)event->attached;
		free(event->attached);
		event->attached = NULL;
		event->attached_free = NULL;
	} else if (event->xml) { /* read through libevtx: packed here */
		if (pack_xml(w, event->xml, &item->xml, err, sizeof err) != 0) {
			char location[64], reason[300];
			snprintf(location, sizeof location, "record %llu",
				 (unsigned long long)event->record_id);
			snprintf(reason, sizeof reason, "its XML is not stored: %s", err);
			on_problem(w, location, reason, 1);
		}
		free(event->xml);
		event->xml = NULL;
	}
	item->event = event;
	return enqueue(w, item);
}

static void on_problem(void *context, const char *location, const char *reason, int severe)
{
	struct item *item = calloc(1, sizeof *item);

	if (!item)
		return;
	item->severe = severe;
	item->location = strdup(location);
	item->reason = strdup(reason);
	if (!item->location || !item->reason) {
		item_free(item);
		return;
	}
	(void)enqueue(context, item);
}

/* An event log inside a collection container: read into memory, then parsed from there. */
static int parse_member_log(const struct pipeline *p, const struct found_file *file,
			    const struct evtx_callbacks *callbacks, struct evtx_stats *stats)
{
	uint8_t *data = NULL;
	size_t size = 0;
	char err[512];
	int rc;

	if (read_member(p, file, &data, &size, err, sizeof err) != 0) {
		memset(stats, 0, sizeof *stats);
		callbacks->problem(callbacks->context, "file", err, 1);
		return -1;
	}
	rc = evtx_parse_memory(data, size, callbacks, stats);
	free(data);
	return rc;
}

static void *parse_worker(void *arg)
{
	struct pipeline *p = arg;

	for (;;) {
		size_t n;

		pthread_mutex_lock(&p->lock);
		n = p->abort ? p->parse_count : p->next_parse++;
		pthread_mutex_unlock(&p->lock);
		if (n >= p->parse_count)
			return NULL;
		struct job *job = &p->jobs[p->parse_order[n]];
		struct packer_pool packers = {PTHREAD_MUTEX_INITIALIZER, {NULL}, 0};
		struct worker_context w = {p, job, NULL, NULL, 0, 0, &packers};
		struct evtx_callbacks callbacks = {&w, want_record, keep_rendered, on_event,
						   on_problem, prepare_record};
		struct evtx_stats stats;
		int opened = job->file->container
				     ? parse_member_log(p, job->file, &callbacks, &stats)
				     : evtx_parse_file_threads(job->file->path, &callbacks, &stats,
							       p->decoder_threads);

		flush_batch(&w);
		while (packers.idle_count > 0)
			sqlar_packer_free(packers.idle[--packers.idle_count]);
		pthread_mutex_lock(&p->lock);
		job->opened = opened;
		job->stats = stats;
		job->done = 1;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
}

/* ---- per-file counts of (channel, provider, event id), and of computers --------------------- */

/* A count_table keyed by (channel, provider, event id) counts records seen and stored
 * (event_counts); one keyed by (computer, "", 0) counts the stored rows naming each computer and
 * keeps the smallest of their events.id (evidence_computers, METHOD.md §2.6). */
struct count_entry {
	char *channel, *provider;
	uint32_t event_id;
	uint64_t seen, stored;
	int64_t first_row;       /* the computer table's smallest events.id; 0 = none yet */
};

struct count_table {
	struct count_entry *entries;
	size_t count, capacity; /* open addressing; capacity is a power of two or 0 */
};

static uint64_t count_hash(const char *channel, const char *provider, uint32_t event_id)
{
	uint64_t h = 1469598103934665603ULL ^ event_id;
	for (const char *s = channel; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *s = provider; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct count_entry *count_slot(struct count_entry *entries, size_t capacity,
				      const char *channel, const char *provider, uint32_t event_id)
{
	size_t i = (size_t)count_hash(channel, provider, event_id) & (capacity - 1);

	while (entries[i].channel &&
	       (entries[i].event_id != event_id || strcmp(entries[i].channel, channel) != 0 ||
		strcmp(entries[i].provider, provider) != 0))
		i = (i + 1) & (capacity - 1);
	return &entries[i];
}

/* The entry of (CHANNEL, PROVIDER, EVENT_ID), added with zero counts if new; NULL when memory
 * runs out. */
static struct count_entry *count_entry_of(struct count_table *t, const char *channel,
					  const char *provider, uint32_t event_id)
{
	struct count_entry *slot;

	channel = channel ? channel : "";
	provider = provider ? provider : "";
	if ((t->count + 1) * 2 > t->capacity) {
		size_t capacity = t->capacity ? t->capacity * 2 : 64;
		struct count_entry *grown = calloc(capacity, sizeof *grown);
		if (!grown)
			return NULL;
		for (size_t i = 0; i < t->capacity; i++)
			if (t->entries[i].channel)
				*count_slot(grown, capacity, t->entries[i].channel,
					    t->entries[i].provider, t->entries[i].event_id) =
					t->entries[i];
		free(t->entries);
		t->entries = grown;
		t->capacity = capacity;
	}
	slot = count_slot(t->entries, t->capacity, channel, provider, event_id);
	if (!slot->channel) {
		slot->channel = strdup(channel);
		slot->provider = strdup(provider);
		if (!slot->channel || !slot->provider) {
			free(slot->channel);
			free(slot->provider);
			slot->channel = slot->provider = NULL;
			return NULL;
		}
		slot->event_id = event_id;
		t->count++;
	}
	return slot;
}

static int count_add(struct count_table *t, const char *channel, const char *provider,
		     uint32_t event_id, int stored)
{
	struct count_entry *slot = count_entry_of(t, channel, provider, event_id);

	if (!slot)
		return -1;
	slot->seen++;
	slot->stored += stored != 0;
	return 0;
}

/* One more stored row, events.id ROW, naming COMPUTER. */
static int count_computer(struct count_table *t, const char *computer, int64_t row)
{
	struct count_entry *slot = count_entry_of(t, computer, "", 0);

	if (!slot)
		return -1;
	slot->stored++;
	if (!slot->first_row || row < slot->first_row)
		slot->first_row = row;
	return 0;
}

static void count_free(struct count_table *t)
{
	for (size_t i = 0; i < t->capacity; i++) {
		free(t->entries[i].channel);
		free(t->entries[i].provider);
	}
	free(t->entries);
	memset(t, 0, sizeof *t);
}

/* ---- the writer ------------------------------------------------------------------------- */

struct writer {
	struct store *store;
	struct ingest_summary *summary;
	uint64_t uncommitted;
	int progress;
	time_t last_progress;
	struct timespec started;
	size_t files_done, files_total;
	uint64_t records_seen;
};

static double elapsed_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void show_progress(struct writer *w, int final)
{
	time_t now = time(NULL);
	double seconds;

	if (!w->progress || (!final && now == w->last_progress))
		return;
	w->last_progress = now;
	seconds = elapsed_since(&w->started);
	fprintf(stderr, "\rsandtrace: %zu/%zu files, %llu records, %.0f records/s   %s",
		w->files_done, w->files_total, (unsigned long long)w->records_seen,
		seconds > 0 ? (double)w->records_seen / seconds : 0.0, final ? "\n" : "");
	fflush(stderr);
}

static int maybe_commit(struct writer *w)
{
	if (++w->uncommitted < COMMIT_EVERY)
		return 0;
	w->uncommitted = 0;
	return store_commit(w->store) == 0 && store_begin(w->store) == 0 ? 0 : -1;
}

/* Keeps "LOCATION: REASON" as the file's status reason; a longer text is cut and ends in "...",
 * while parse_errors keeps it whole. */
static void note_first_problem(struct job *job, const char *location, const char *reason)
{
	size_t size = sizeof job->first_problem;

	if (snprintf(job->first_problem, size, "%s: %s", location, reason) >= (int)size)
		memcpy(job->first_problem + size - 4, "...", 4);
}

/* Sets JOB's evidence result: STATUS, its first severe problem as the reason when the status is not
 * "parsed", and the record counts of STATS (NULL for files without records). */

static int job_finish(struct writer *w, struct job *job, const char *status,
		      const struct evtx_stats *stats)
{
	static const struct evtx_stats none;
	const char *reason = strcmp(status, "parsed") != 0 && job->first_problem[0]
				     ? job->first_problem
				     : NULL;

	stats = stats ? stats : &none;
	return store_set_evidence_result(w->store, job->evidence_id, status, reason,
					 stats->records, stats->recovered, stats->failed);
}

/* Drains one parse job's queue into the store and finishes its evidence row. */
static int write_parse_job(struct pipeline *p, struct job *job, struct writer *w)
{
	struct count_table counts = {0}, computers = {0};
	uint64_t problems = 0;
	int rc = 0;

	struct item *pending = NULL;

	for (;;) {
		struct item *item;

		if (!pending) {
			/* Take everything queued so far in one go. */
			pthread_mutex_lock(&p->lock);
			while (!job->head && !job->done)
				pthread_cond_wait(&p->changed, &p->lock);
			pending = job->head;
			job->head = job->tail = NULL;
			job->queued = 0;
			pthread_cond_broadcast(&p->changed);
			pthread_mutex_unlock(&p->lock);
			if (!pending)
				break;
		}
		item = pending;
		pending = item->next;
		if (item->event) {
			struct evtx_event *e = item->event;
			int64_t counted_row = 0;
			int new_row = 0;

			if (rc == 0 && e->full &&
			    store_add_event(w->store, job->evidence_id, e,
					    item->xml.data ? &item->xml : NULL, &new_row,
					    &counted_row) != 0)
				rc = -1;
			if (rc == 0 && counted_row &&
			    count_computer(&computers, e->computer, counted_row) != 0)
				rc = -1;
			if (rc == 0 && new_row &&
			    wsb_calls_may_mention_launcher(e->provider, e->event_id, e->data) &&
			    store_add_launcher_candidate(w->store, counted_row) != 0)
				rc = -1;
			if (e->full) {
				if (new_row)
					w->summary->records_stored++;
				else
					w->summary->records_linked++;
			} else {
				w->summary->records_counted++;
			}
			if (rc == 0 &&
			    count_add(&counts, e->channel, e->provider, e->event_id, e->full) != 0)
				rc = -1;
			w->records_seen++;
			evtx_event_free(e);
			if (rc == 0)
				rc = maybe_commit(w);
			show_progress(w, 0);
		} else {
			if (item->severe && problems++ == 0)
				note_first_problem(job, item->location, item->reason);
			if (rc == 0 && store_add_error(w->store, job->evidence_id, job->file->path,
						       item->location, item->reason) != 0)
				rc = -1;
			w->summary->problems++;
		}
		item->event = NULL; /* freed above */
		item_free(item);
	}
	for (size_t i = 0; rc == 0 && i < counts.capacity; i++) {
		struct count_entry *c = &counts.entries[i];
		if (c->channel && store_add_event_count(w->store, job->evidence_id, c->channel,
							c->provider, c->event_id, c->seen,
							c->stored) != 0)
			rc = -1;
	}
	for (size_t i = 0; rc == 0 && !job->resumed && i < computers.capacity; i++) {
		struct count_entry *c = &computers.entries[i];
		if (c->channel && store_add_evidence_computer(w->store, job->evidence_id,
							      c->channel, c->stored,
							      c->first_row) != 0)
			rc = -1;
	}
	if (rc == 0 && job->resumed &&
	    store_recount_evidence_computers(w->store, job->evidence_id) != 0)
		rc = -1;
	count_free(&counts);
	count_free(&computers);
	w->summary->records_recovered += job->stats.recovered;
	w->summary->records_failed += job->stats.failed;
	w->summary->recovered_failed += job->stats.recovered_failed;
	if (problems)
		fprintf(stderr, "sandtrace: warning: %s: %llu problem(s) recorded; first: %s\n",
			job->file->path, (unsigned long long)problems, job->first_problem);
	if (rc == 0) {
		/* "partly": something in the file could not be read (not a mere dirty header, and
		 * not recovery candidates, which are usually fragments of overwritten records). */
		const char *status = job->opened != 0 ? "failed" : problems ? "partly" : "parsed";
		rc = job_finish(w, job, status, &job->stats);
	}
	return rc;
}

/* ---- task XML files and sandbox configurations (METHOD.md §4.1, §5.1) ------------------- */

/* Reads at most LIMIT bytes of PATH; a larger file is refused (*TOO_BIG set). */
static int read_small_file(const char *path, size_t limit, char **data, size_t *size,
			   int *too_big)
{
	FILE *file = fopen(path, "rb");
	char *buffer;
	size_t got;

	*too_big = 0;
	if (!file)
		return -1;
	buffer = malloc(limit + 1);
	if (!buffer) {
		fclose(file);
		return -1;
	}
	got = fread(buffer, 1, limit + 1, file);
	if (ferror(file)) {
		fclose(file);
		free(buffer);
		return -1;
	}
	fclose(file);
	if (got > limit) {
		free(buffer);
		*too_big = 1;
		return -1;
	}
	*data = buffer;
	*size = got;
	return 0;
}

/* Records a severe problem of a file that is not an event log, warns and counts it. */
static int document_problem(struct writer *w, struct job *job, const char *location,
			    const char *reason)
{
	fprintf(stderr, "sandtrace: warning: %s: %s\n", job->file->path, reason);
	if (!job->first_problem[0])
		note_first_problem(job, location, reason);
	w->summary->problems++;
	return store_add_error(w->store, job->evidence_id, job->file->path, location, reason);
}

/* Parses and stores one task definition. Returns 0, -1 on a store failure, 1 if DATA is not task
 * XML at all (the parser's reason in WHY, WHY_SIZE bytes). */
static int write_task(struct writer *w, int64_t evidence_id, const char *source,
		      const char *location, int64_t event_ref, const char *data, size_t size,
		      const char *xml_sha256, const char *task_name, int *well_formed, char *why,
		      size_t why_size)
{
	struct task_definition *task = NULL;
	struct task_sandbox_launch launch;
	char err[512];
	int64_t id;
	int rc;

	*well_formed = 0;
	if ((event_ref > 0 ? task_xml_parse_event_text(data, size, &task, why, why_size)
			   : task_xml_parse_memory(data, size, &task, why, why_size)) != 0)
		return 1;
	if ((!task->uri || !task->uri[0]) && task_name && task_name[0]) {
		/* A 4698/4702 names the task in TaskName; its content often has no URI (§1.1). */
		free(task->uri);
		if (!(task->uri = strdup(task_name))) {
			task_definition_free(task);
			return -1;
		}
	}
	memset(&launch, 0, sizeof launch);
	task_xml_find_sandbox_launch(task, &launch);
	rc = store_add_task(w->store, evidence_id, source, location, event_ref, task, &launch,
			    xml_sha256, &id);
	*well_formed = task->well_formed;
	if (rc == 0 && launch.is_launcher && launch.inline_config) {
		/* wsb.exe with an inline configuration in the task's arguments (§5.2). */
		struct wsb_config *config = NULL;
		char where[64];

		snprintf(where, sizeof where, "tasks.id=%lld", (long long)id);
		if (wsb_parse_memory(launch.inline_config, strlen(launch.inline_config), &config, err,
				     sizeof err) == 0) {
			int64_t config_id;
			/* Configurations from event-derived tasks are derived again on every run. */
			rc = store_add_wsb_config(w->store, evidence_id,
						  event_ref > 0 ? "inline_event_task" : "inline_task",
						  where, config, &config_id);
			wsb_config_free(config);
		}
	}
	task_sandbox_launch_clear(&launch);
	task_definition_free(task);
	return rc;
}

/* The jobs of the transaction logs beside JOB's hive: same folder, named NAME.LOG, .LOG1, .LOG2
 * in any case (hive_log_name_rank), whatever their content; in that order into LOGS. */
static size_t hive_log_jobs(struct pipeline *p, const struct job *job, struct job *logs[3])
{
	const char *path = job->file->path, *slash = strrchr(path, '/');
	size_t folder = slash ? (size_t)(slash - path) + 1 : 0, count = 0;
	struct job *by_rank[3] = {NULL, NULL, NULL};

	for (size_t i = 0; i < p->job_count; i++) {
		const char *other = p->jobs[i].file->path;
		int rank;

		if (&p->jobs[i] == job || strncmp(other, path, folder) != 0 ||
		    strchr(other + folder, '/'))
			continue;
		rank = hive_log_name_rank(path + folder, other + folder);
		if (rank && !by_rank[rank - 1])
			by_rank[rank - 1] = &p->jobs[i];
	}
	for (int i = 0; i < 3; i++)
		if (by_rank[i])
			logs[count++] = by_rank[i];
	return count;
}

/* Records what the replay did with each log beside the hive at HIVE_PATH (content HIVE_EVIDENCE):
 * a hive_log_replays row, and the log's own evidence row (parsed "applied to HIVE", failed with
 * the reason when refused, skipped when not needed). Evidence shared by several hives keeps its
 * best outcome: applied to one hive, a log is parsed even if another had no use for its bytes. */
static int record_hive_logs(struct writer *w, int64_t hive_evidence, const char *hive_path,
			    struct job *const *logs, const struct hive_replay *replay)
{
	for (size_t i = 0; i < replay->log_count; i++) {
		const struct hive_log_outcome *o = &replay->logs[i];
		struct job *log = logs[i];
		int has_row = !log->file->error && log->hashed_ok && log->evidence_id > 0;
		const char *status = o->applied ? "parsed" : o->refused ? "failed" : "skipped";
		char reason[768], current[16];

		if (store_add_hive_log_replay(w->store, hive_evidence, has_row ? log->evidence_id : 0,
					      log->file->path, o) != 0)
			return -1;
		/* An empty file's row is every empty file's: it is no log's to mark. A file that is a
		 * hive by its content keeps that kind. */
		if (!has_row || log->hashes.size == 0 ||
		    (log->file->kind != EVIDENCE_HIVE_LOG && log->file->kind != EVIDENCE_UNKNOWN))
			continue;
		if (o->applied)
			snprintf(reason, sizeof reason, "applied to %s", hive_path);
		else
			snprintf(reason, sizeof reason, "not applied to %s: %s", hive_path, o->reason);
		if (o->refused && document_problem(w, log, "file", reason) != 0)
			return -1;
		if (store_evidence_status(w->store, log->evidence_id, current) != 0)
			return -1;
		if (strcmp(current, status) != 0 &&
		    (strcmp(current, "parsed") == 0 ||
		     (strcmp(current, "failed") == 0 && !o->applied && !o->refused)))
			continue;
		if (store_set_evidence_kind(w->store, log->evidence_id, "hive_log", status, reason) != 0)
			return -1;
	}
	return 0;
}

/* One place a hive's content was found, with the logs beside it and their replay. */
struct hive_copy {
	struct job *job;
	struct job *logs[3];
	size_t log_count;
	struct hive_replay *replay;
};

/* hive_log_replay_files for a hive inside a collection container: the hive and the logs beside it
 * (LOGS, COUNT of them) are read from the container into memory and replayed there. */
static int replay_member_logs(const struct pipeline *p, const struct job *hive,
			      struct job *const *logs, size_t count, struct hive_replay **out,
			      char *err, size_t err_size)
{
	struct hive_log_input inputs[3];
	uint8_t *primary = NULL, *bytes[3] = {NULL, NULL, NULL};
	size_t primary_size = 0;
	char why[3][512];
	int rc = -1;

	if (read_member(p, hive->file, &primary, &primary_size, err, err_size) != 0)
		return -1;
	for (size_t k = 0; k < count && k < 3; k++) {
		const struct found_file *log = logs[k]->file;

		memset(&inputs[k], 0, sizeof inputs[k]);
		inputs[k].name = log->path;
		snprintf(why[k], sizeof why[k], "%s", log->error ? log->error : "not in a container");
		if (!log->error && log->container &&
		    read_member(p, log, &bytes[k], &inputs[k].size, why[k], sizeof why[k]) == 0)
			inputs[k].data = bytes[k];
		else
			inputs[k].unreadable = why[k];
	}
	rc = hive_log_replay(primary, primary_size, inputs, count, out, err, err_size);
	for (size_t k = 0; k < 3; k++)
		free(bytes[k]);
	free(primary);
	return rc;
}

/* Replays the logs beside every path where JOB's hive content was found (the same bytes may sit in
 * several folders, each with its own logs) and records every log's outcome. The replay that went
 * furthest (most logs applied, then the latest sequence number) is the state the hive is read from:
 * *BEST (NULL when no path has logs), *BEST_PATH where it was found. Returns 0, or -1 on a store or
 * memory failure. */
static int hive_replay_best(struct pipeline *p, struct job *job, struct writer *w,
			    struct hive_replay **best, const char **best_path)
{
	struct hive_copy *copies = calloc(p->job_count ? p->job_count : 1, sizeof *copies);
	size_t count = 0, chosen = 0;
	char err[512], reason[600];
	int rc = -1;

	*best = NULL;
	*best_path = NULL;
	if (!copies)
		return -1;
	for (size_t i = 0; i < p->job_count; i++) {
		struct job *same = &p->jobs[i];
		struct hive_copy *copy = &copies[count];
		char *paths[3];

		if (same->file->error || !same->hashed_ok ||
		    strcmp(same->hashes.sha256, job->hashes.sha256) != 0)
			continue;
		copy->job = same;
		copy->log_count = hive_log_jobs(p, same, copy->logs);
		if (!copy->log_count)
			continue;
		for (size_t k = 0; k < copy->log_count; k++)
			paths[k] = copy->logs[k]->file->path;
		if ((same->file->container
			     ? replay_member_logs(p, same, copy->logs, copy->log_count, &copy->replay,
						  err, sizeof err)
			     : hive_log_replay_files(same->file->path, paths, copy->log_count,
						     &copy->replay, err, sizeof err)) != 0) {
			snprintf(reason, sizeof reason, "transaction logs beside it not replayed: %s", err);
			w->summary->problems++;
			if (store_add_error(w->store, job->evidence_id, same->file->path, "file",
					    reason) != 0)
				goto out;
			continue;
		}
		if (count == 0 || copy->replay->applied > copies[chosen].replay->applied ||
		    (copy->replay->applied && copy->replay->applied == copies[chosen].replay->applied &&
		     (int32_t)(copy->replay->sequence_after -
			       copies[chosen].replay->sequence_after) > 0))
			chosen = count;
		count++;
	}
	for (size_t i = 0; i < count; i++) {
		struct hive_replay *replay = copies[i].replay, *kept = copies[chosen].replay;
		int same_state = replay->size == kept->size &&
				 memcmp(replay->data, kept->data, kept->size) == 0;

		/* Another replay of the same bytes elsewhere, to another state: its logs are not in
		 * the state read. (Logs that give the very same state are.) */
		for (size_t k = 0; i != chosen && !same_state && k < replay->log_count; k++) {
			struct hive_log_outcome *o = &replay->logs[k];
			if (!o->applied)
				continue;
			o->applied = 0;
			snprintf(o->reason, sizeof o->reason, "not used: the same hive at %.200s was "
				 "read with the logs beside it, which go as far or further",
				 copies[chosen].job->file->path);
		}
		if (record_hive_logs(w, job->evidence_id, copies[i].job->file->path, copies[i].logs,
				     replay) != 0)
			goto out;
	}
	if (count) {
		*best = copies[chosen].replay;
		*best_path = copies[chosen].job->file->path;
		copies[chosen].replay = NULL;
	}
	rc = 0;
out:
	for (size_t i = 0; i < count; i++)
		hive_replay_free(copies[i].replay);
	free(copies);
	return rc;
}

/* A hive: the known keys' rows, and its problems (METHOD.md §2-§4). When transaction logs lie
 * beside it they are replayed first (parsers/hive_log.h) and the keys are read from the replayed
 * state, so that changes only the logs hold are not lost and a dirty hive is dirty no more. */
static int write_hive_job(struct pipeline *p, struct job *job, struct writer *w)
{
	struct hive_result *hive = NULL;
	struct hive_replay *replay = NULL;
	const char *status = "parsed", *replay_path = NULL;
	char err[512], summary[512] = "";
	int rc = 0, parsed = -1;

	if (hive_replay_best(p, job, w, &replay, &replay_path) != 0)
		return -1;
	if (replay && replay->applied) {
		parsed = hive_parse_memory(replay->data, replay->size, &hive, err, sizeof err);
		if (parsed != 0) {
			char reason[600];

			snprintf(reason, sizeof reason, "its state with the transaction logs replayed "
				 "is not readable (%s): read without them", err);
			rc = document_problem(w, job, "transaction logs", reason);
		} else {
			hive_log_summary(replay, summary, sizeof summary);
			/* which rows the logs gave (METHOD.md §8.3); without it the rows stand */
			if (hive_mark_replay(hive, replay_path, replay, err, sizeof err) != 0)
				rc = document_problem(w, job, "transaction logs", err);
		}
	}
	hive_replay_free(replay);
	if (rc != 0)
		return -1;
	if (parsed != 0 && job->file->container) {
		uint8_t *data = NULL;
		size_t size = 0;

		parsed = read_member(p, job->file, &data, &size, err, sizeof err);
		if (parsed == 0)
			parsed = hive_parse_memory(data, size, &hive, err, sizeof err);
		free(data);
	} else if (parsed != 0) {
		parsed = hive_parse_file(job->file->path, &hive, err, sizeof err);
	}
	if (parsed != 0) {
		if (document_problem(w, job, "file", err) != 0)
			return -1;
		return job_finish(w, job, "failed", NULL);
	}
	for (size_t i = 0; rc == 0 && i < hive->row_count; i++)
		rc = store_add_reg_value(w->store, job->evidence_id, hive->kind_name, &hive->rows[i]);
	for (size_t i = 0; rc == 0 && i < hive->problem_count; i++) {
		const struct hive_problem *problem = &hive->problems[i];
		if (problem->severe) {
			status = "partly";
			rc = document_problem(w, job, problem->location, problem->reason);
		} else {
			w->summary->problems++;
			rc = store_add_error(w->store, job->evidence_id, job->file->path,
					     problem->location, problem->reason);
		}
	}
	hive_result_free(hive);
	if (rc != 0)
		return -1;
	if (summary[0] && strcmp(status, "parsed") == 0) {
		char reason[1024];

		snprintf(reason, sizeof reason, "read with the transaction logs beside %s replayed: %s",
			 replay_path, summary);
		return store_set_evidence_result(w->store, job->evidence_id, status, reason, 0, 0, 0);
	}
	return job_finish(w, job, status, NULL);
}

/* An archive found by content: format, encryption, name/content mismatch (§5.3). One inside a
 * collection container is inspected from memory. */
static int write_archive_job(const struct pipeline *p, struct job *job, struct writer *w)
{
	struct archive_report *report = NULL;
	const char *status = "parsed";
	uint8_t *data = NULL;
	size_t size = 0;
	char err[512];
	int rc;

	if (job->file->container
		    ? read_member(p, job->file, &data, &size, err, sizeof err) != 0 ||
			      archive_inspect_memory(job->file->path, data, size, &report, err,
						     sizeof err) != 0
		    : archive_inspect_file(job->file->path, &report, err, sizeof err) != 0) {
		free(data);
		if (document_problem(w, job, "file", err) != 0)
			return -1;
		return job_finish(w, job, "failed", NULL);
	}
	free(data);
	rc = store_add_archive(w->store, job->evidence_id, job->file->path, report);
	if (rc == 0 && !report->complete) {
		status = "partly";
		rc = document_problem(w, job, "file",
				      report->reason[0] ? report->reason : "archive listing incomplete");
	}
	archive_report_free(report);
	if (rc != 0)
		return -1;
	return job_finish(w, job, status, NULL);
}

/* Feeds the servicing log of JOB to LOG: a file in blocks, a member from memory. Returns 0, or -1
 * with the reason in ERR (unreadable, out of memory). */
static int read_servicing_log(const struct pipeline *p, const struct job *job,
			      struct servicing_log *log, char *err, size_t err_size)
{
	enum { BLOCK = 1 << 16 };
	uint8_t *data = NULL;
	size_t size = 0;
	FILE *file = NULL;
	int rc = -1;

	if (job->file->container) {
		if (read_member(p, job->file, &data, &size, err, err_size) != 0)
			goto out;
		if (servicing_log_feed(log, data, size) != 0)
			goto oom;
	} else {
		if (!(file = fopen(job->file->path, "rb"))) {
			snprintf(err, err_size, "cannot be opened");
			goto out;
		}
		if (!(data = malloc(BLOCK)))
			goto oom;
		while ((size = fread(data, 1, BLOCK, file)) > 0)
			if (servicing_log_feed(log, data, size) != 0)
				goto oom;
		if (ferror(file)) {
			snprintf(err, err_size, "read error after %llu bytes: the lines before it are kept",
				 (unsigned long long)log->bytes_fed);
			servicing_log_end(log);
			goto out;
		}
	}
	if (servicing_log_end(log) != 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, err_size, "out of memory after %llu bytes", (unsigned long long)log->bytes_fed);
out:
	if (file)
		fclose(file);
	free(data);
	return rc;
}

/* A servicing text log (§2.8): the lines naming the Windows Sandbox feature are stored; a read
 * error, lines cut at their length limit, NUL bytes (binary junk) and lines beyond the number
 * kept are recorded, and what was read before them stays. */
static int write_servicing_job(const struct pipeline *p, struct job *job, struct writer *w)
{
	struct servicing_log log;
	const char *status = "parsed";
	char err[512], reason[512];
	int rc = 0, read_rc;

	servicing_log_init(&log);
	read_rc = read_servicing_log(p, job, &log, err, sizeof err);
	for (size_t i = 0; rc == 0 && i < log.count; i++)
		rc = store_add_servicing_line(w->store, job->evidence_id, &log.lines[i]);
	if (rc == 0 && read_rc != 0) {
		status = log.lines_read ? "partly" : "failed";
		rc = document_problem(w, job, "file", err);
	}
	if (rc == 0 && log.lines_read && !log.lines_dated) {
		status = "failed";
		rc = document_problem(w, job, "file", "no line in the servicing-log form "
				      "(\"YYYY-MM-DD HH:MM:SS, Level Component ...\"): not read as one");
	}
	if (rc == 0 && log.nul_bytes) {
		status = strcmp(status, "failed") ? "partly" : status;
		snprintf(reason, sizeof reason, "%llu NUL bytes (binary data, not text) in the log: "
			 "read as text around them", (unsigned long long)log.nul_bytes);
		rc = document_problem(w, job, "file", reason);
	}
	if (rc == 0 && log.lines_not_kept) {
		status = strcmp(status, "failed") ? "partly" : status;
		snprintf(reason, sizeof reason, "%llu further lines name the feature beyond the %d kept "
			 "per file: not stored", (unsigned long long)log.lines_not_kept,
			 SERVICING_KEPT_MAX);
		rc = document_problem(w, job, "file", reason);
	}
	if (rc == 0 && log.lines_cut) {
		/* not severe: the record prefix and the feature's name are near the start of a line */
		snprintf(reason, sizeof reason, "%llu lines longer than %d bytes: read up to that "
			 "length", (unsigned long long)log.lines_cut, SERVICING_LINE_MAX);
		w->summary->problems++;
		rc = store_add_error(w->store, job->evidence_id, job->file->path, "file", reason);
	}
	servicing_log_free(&log);
	if (rc != 0)
		return -1;
	return job_finish(w, job, status, NULL);
}

static int write_document_job(struct pipeline *p, struct job *job, struct writer *w)
{
	char *data = NULL, err[512];
	size_t size = 0;
	int too_big = 0, rc = 0, well_formed = 0;
	const char *status = "parsed";

	if (job->file->kind == EVIDENCE_HIVE)
		return write_hive_job(p, job, w);
	if (job->file->kind == EVIDENCE_ARCHIVE)
		return write_archive_job(p, job, w);
	if (job->file->kind == EVIDENCE_SERVICING_LOG)
		return write_servicing_job(p, job, w);

	if (job->file->container
		    ? collection_read_member(job->file->container, job->file->member_index,
					     job->file->member_name, WSB_MAX_INPUT_SIZE,
					     (uint8_t **)&data, &size, &too_big, err, sizeof err)
		    : read_small_file(job->file->path, WSB_MAX_INPUT_SIZE, &data, &size, &too_big)) {
		rc = document_problem(w, job, "file",
				      too_big ? "larger than 1 MiB: not read as XML (real task and "
						".wsb files are a few KiB)"
				      : job->file->container ? err
							     : "cannot be read");
		return rc == 0 ? job_finish(w, job, "failed", NULL) : -1;
	}
	if (job->file->kind == EVIDENCE_TASK_XML) {
		/* §4.2: the TaskCache Hash is the SHA-256 of the file without its byte-order mark. */
		char sha[65];
		size_t skip = 0;

		if (size >= 2 && (unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE)
			skip = 2;
		else if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
			skip = 3;
		evidence_sha256_hex(data + skip, size - skip, sha);
		rc = write_task(w, job->evidence_id, "task_file", job->file->path, 0, data, size, sha,
				NULL, &well_formed, err, sizeof err);
		if (rc == 1) {
			char reason[600];
			snprintf(reason, sizeof reason, "not readable as task XML: %s", err);
			rc = document_problem(w, job, "file", reason);
			status = "failed";
		} else if (rc == 0 && !well_formed) {
			rc = document_problem(w, job, "file", "malformed XML, read in recovery mode");
			status = "partly";
		}
	} else {
		struct wsb_config *config = NULL;
		int64_t id;

		if (wsb_parse_memory(data, size, &config, err, sizeof err) != 0) {
			rc = document_problem(w, job, "file", err);
			status = "failed";
		} else {
			rc = store_add_wsb_config(w->store, job->evidence_id, "file", job->file->path,
						  config, &id);
			if (rc == 0 && !config->well_formed) {
				rc = document_problem(w, job, "file",
						      "malformed XML, read in recovery mode");
				status = "partly";
			}
			wsb_config_free(config);
		}
	}
	free(data);
	if (rc != 0)
		return -1;
	return job_finish(w, job, status, NULL);
}

/* Task definitions inside stored 4698/4702 records (§4.1). */
static int on_task_content(void *context, int64_t event_row, int64_t evidence_id, int event_id,
			   const char *content, const char *task_name)
{
	struct writer *w = context;
	char location[64], why[512];
	int well_formed, rc;

	snprintf(location, sizeof location, "events.id=%lld", (long long)event_row);
	rc = write_task(w, evidence_id, event_id == 4702 ? "event_4702" : "event_4698", location,
			event_row, content, strlen(content), NULL, task_name, &well_formed, why,
			sizeof why);
	if (rc == 1) {
		w->summary->problems++;
		return store_add_error(w->store, evidence_id, location, location,
				       "TaskContent is not readable as task XML");
	}
	return rc;
}

/* Rows that come from stored events rather than from files. Runs on every ingest over the whole
 * store, so it first forgets what an earlier run derived. */
static int derive_from_events(struct writer *w)
{
	if (store_clear_derived(w->store) != 0)
		return -1;
	return store_each_task_content(w->store, on_task_content, w);
}

/* The status and reason (in REASON) of FILE, of SIZE bytes, before it is parsed: "pending" for
 * evidence to parse, or why it is not parsed. */
static const char *initial_status(const struct found_file *file, uint64_t size, char *reason,
				  size_t reason_size)
{
	reason[0] = '\0';
	if (file->basis == DISCOVER_NOT_EVIDENCE) {
		snprintf(reason, reason_size, "not a kind of evidence sandtrace reads (content: %s)",
			 file->content);
		return "not_evidence";
	}
	if (file->kind == EVIDENCE_COLLECTION) {
		/* Its members are evidence rows of their own; its own row says how far it was read. */
		if (file->container_problem) {
			snprintf(reason, reason_size, "collection container, %zu member(s) listed; "
				 "listing incomplete: %s", file->member_count, file->container_problem);
			return file->member_count ? "partly" : "failed";
		}
		return "parsed";
	}
	if (file->kind == EVIDENCE_HIVE_LOG) {
		/* Read with its hive (write_hive_job), which rewrites this status. */
		snprintf(reason, reason_size, "hive transaction log: no hive beside it was read to "
			 "replay it onto");
		return "skipped";
	}
	if (file->basis == DISCOVER_BY_CONTENT)
		return "pending";
	if (size == 0) {
		snprintf(reason, reason_size, "%s, but the file is empty (0 bytes)", file->name_rule);
		return "failed";
	}
	snprintf(reason, reason_size, "%s, but its content is not recognised as one (%s)",
		 file->name_rule, file->content);
	return "pending";
}

/* Whether a job of P before job I reads evidence EVIDENCE_ID again after an interrupted run: the
 * same content at a further path is then a duplicate, not read (and counted) twice. */
static int resumed_before(const struct pipeline *p, size_t i, int64_t evidence_id)
{
	for (size_t j = 0; j < i; j++)
		if (p->jobs[j].resumed && p->jobs[j].evidence_id == evidence_id)
			return 1;
	return 0;
}

/* Registers every hashed file: evidence rows (one per content, evidence or not), paths, hashing
 * errors, empty files named like evidence. Marks the jobs whose content is new evidence for
 * parsing. */
static int register_files(struct pipeline *p, struct writer *w)
{
	for (size_t i = 0; i < p->job_count; i++) {
		struct job *job = &p->jobs[i];
		const char *error = job->file->error ? job->file->error
				    : job->hashed_ok ? NULL : job->hash_error;
		const char *kind = evidence_kind_name(job->file->kind), *initial;
		char status[16], reason[512];
		int found;

		if (error) {
			w->summary->files_unreadable++;
			fprintf(stderr, "sandtrace: warning: %s: %s\n", job->file->path, error);
			if (store_add_error(w->store, 0, job->file->path, "file", error) != 0)
				return -1;
			w->summary->problems++;
			continue;
		}
		w->summary->files_by_kind[job->file->kind]++;
		initial = initial_status(job->file, job->hashes.size, reason, sizeof reason);
		found = store_find_evidence(w->store, job->hashes.sha256, &job->evidence_id, status);
		if (found < 0)
			return -1;
		if (found && strcmp(status, "pending") == 0 &&
		    resumed_before(p, i, job->evidence_id)) {
			w->summary->files_duplicate++;
		} else if (found && strcmp(status, "pending") == 0) {
			/* An earlier run stopped while parsing this file: read it again (once, however
			 * many paths hold it). Events are deduplicated by key; the counts are rebuilt
			 * from scratch. */
			if (store_clear_event_counts(w->store, job->evidence_id) != 0)
				return -1;
			job->parse = 1;
			job->resumed = 1;
		} else if (found && strcmp(status, "not_evidence") == 0 &&
			   job->file->kind != EVIDENCE_UNKNOWN) {
			/* The same bytes were listed as not evidence, here they are where evidence is
			 * kept: the content is evidence (of this kind) after all. */
			if (store_set_evidence_kind(w->store, job->evidence_id, kind, initial,
						    reason[0] ? reason : NULL) != 0)
				return -1;
			job->parse = strcmp(initial, "pending") == 0;
		} else if (found) {
			w->summary->files_duplicate++;
		} else {
			if (store_add_evidence(w->store, &job->hashes, kind, initial,
					       reason[0] ? reason : NULL, &job->evidence_id) != 0)
				return -1;
			job->parse = strcmp(initial, "pending") == 0;
		}
		if (store_add_path(w->store, job->evidence_id, job->file->path, job->file->mtime,
				   job->file->windows_path, job->file->layout) != 0)
			return -1;
		if (job->file->container_problem) {
			fprintf(stderr, "sandtrace: warning: %s: %s\n", job->file->path, reason);
			if (store_add_error(w->store, job->evidence_id, job->file->path, "container",
					    job->file->container_problem) != 0)
				return -1;
			w->summary->problems++;
		}
		if (job->file->basis == DISCOVER_BY_NAME && job->file->kind != EVIDENCE_HIVE_LOG &&
		    job->hashes.size == 0) {
			/* Named like evidence and empty: nothing to parse, but never silent. */
			fprintf(stderr, "sandtrace: warning: %s: empty file (0 bytes); %s\n",
				job->file->path, job->file->name_rule);
			if (store_add_error(w->store, job->evidence_id, job->file->path, "file",
					    "empty file (0 bytes)") != 0)
				return -1;
			w->summary->problems++;
		}
	}
	return 0;
}

static int compare_ids(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Counts, once per content, this run's files (an earlier run's content found again included)
 * whose evidence status is failed or partly, into the summary: what the exit code and the
 * summary report (METHOD.md §8.4). Returns 0 or -1. */
static int count_unread_evidence(const struct pipeline *p, struct writer *w)
{
	int64_t *ids = calloc(p->job_count ? p->job_count : 1, sizeof *ids);
	size_t count = 0;
	int rc = 0;

	if (!ids)
		return -1;
	for (size_t i = 0; i < p->job_count; i++)
		if (p->jobs[i].evidence_id > 0)
			ids[count++] = p->jobs[i].evidence_id;
	qsort(ids, count, sizeof *ids, compare_ids);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		char status[16];

		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		rc = store_evidence_status(w->store, ids[i], status);
		if (strcmp(status, "failed") == 0)
			w->summary->files_failed++;
		else if (strcmp(status, "partly") == 0)
			w->summary->files_partly++;
	}
	free(ids);
	return rc;
}

static int compare_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* For analyze without --add: refuses a store that holds another case, so that one report never
 * mixes two cases. The same collection again (a rerun, or the rest of an interrupted run) is the
 * same case. Returns 0 or -1 with the reason in ERR. */
static int check_same_case(struct store *store, const struct ingest_options *options,
			   const struct pipeline *p, char *err, size_t err_size)
{
	char **stored = NULL, *name = store_case_name(store);
	const char **here = calloc(p->job_count ? p->job_count : 1, sizeof *here);
	size_t stored_count = 0, here_count = 0, only_stored = 0, only_here = 0, i = 0, j = 0;
	int rc = -1;

	if (!here || store_load_evidence_hashes(store, &stored, &stored_count) != 0) {
		snprintf(err, err_size, "%s: %s", options->case_path, store_error(store));
		goto out;
	}
	for (size_t k = 0; k < p->job_count; k++)
		if (p->jobs[k].hashed_ok && !p->jobs[k].file->error)
			here[here_count++] = p->jobs[k].hashes.sha256;
	qsort(here, here_count, sizeof *here, compare_text);
	while (i < stored_count || j < here_count) {
		int order = i == stored_count ? 1 : j == here_count ? -1 : strcmp(stored[i], here[j]);
		if (order < 0)
			only_stored++, i++;
		else if (order > 0)
			only_here++, j++;
		else
			for (const char *same = here[j]; j < here_count && !strcmp(here[j], same); j++)
				i += i < stored_count && !strcmp(stored[i], same);
	}
	if (name && options->case_name && strcmp(name, options->case_name) != 0)
		snprintf(err, err_size,
			 "%s holds another case (\"%s\", not \"%s\"): choose another output folder, "
			 "or give --add to add this collection to that case",
			 options->case_path, name, options->case_name);
	else if (stored_count && (only_stored || only_here))
		snprintf(err, err_size,
			 "%s holds another case%s%s%s: %zu of its %zu evidence files are not in this "
			 "collection and %zu files of this collection are not in it; choose another "
			 "output folder, or give --add to add this collection to that case",
			 options->case_path, name ? " (\"" : "", name ? name : "", name ? "\")" : "",
			 only_stored, stored_count, only_here);
	else
		rc = 0;
out:
	for (size_t k = 0; k < stored_count; k++)
		free(stored[k]);
	free(stored);
	free(here);
	free(name);
	return rc;
}

static int run_workers(struct pipeline *p, int jobs, void *(*worker)(void *), pthread_t *threads,
		       int *started)
{
	*started = 0;
	for (int i = 0; i < jobs; i++) {
		if (pthread_create(&threads[i], NULL, worker, p) != 0)
			break;
		(*started)++;
	}
	return *started > 0 ? 0 : -1;
}

static void join_workers(pthread_t *threads, int count)
{
	for (int i = 0; i < count; i++)
		pthread_join(threads[i], NULL);
}

/* The collection arguments: the outer limit of the folders a file takes its host from (§2.7). */
static int add_collection_roots(struct store *store, const struct ingest_options *options)
{
	for (size_t i = 0; i < options->root_count; i++)
		if (store_add_collection_root(store, options->roots[i]) != 0)
			return -1;
	return 0;
}

int ingest_run(const struct ingest_options *options, struct ingest_summary *summary, char *err,
	       size_t err_size)
{
	struct discovery discovery = {0};
	struct pipeline p = {0};
	struct writer w = {0};
	struct store *store = NULL;
	pthread_t *threads = NULL;
	char *libraries = NULL;
	uint64_t started_at;
	int jobs = options->jobs > 0 ? options->jobs : 1, started = 0, rc = -1;

	memset(summary, 0, sizeof *summary);
	clock_gettime(CLOCK_MONOTONIC, &w.started);
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.changed, NULL);
	p.all_events = options->all_events;
	p.decoder_threads = jobs;
	if (store_open(options->case_path, &store, err, err_size) != 0)
		goto out;
	started_at = filetime_now();
	p.member_limit = options->member_limit ? options->member_limit
					       : COLLECTION_MEMBER_LIMIT_DEFAULT;
	if (discover_collect(options->roots, options->root_count, p.member_limit, &discovery) != 0) {
		snprintf(err, err_size, "out of memory while walking the collection");
		goto out;
	}
	summary->files_unknown = discovery.unknown;
	p.job_count = discovery.count;
	p.jobs = calloc(p.job_count ? p.job_count : 1, sizeof *p.jobs);
	p.parse_order = calloc(p.job_count ? p.job_count : 1, sizeof *p.parse_order);
	threads = calloc((size_t)jobs, sizeof *threads);
	if (!p.jobs || !p.parse_order || !threads) {
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.job_count; i++)
		p.jobs[i].file = &discovery.files[i];

	/* Phase 1: hash everything (evidence is hashed before it is parsed). */
	if (run_workers(&p, jobs, hash_worker, threads, &started) != 0) {
		snprintf(err, err_size, "cannot start worker threads");
		goto out;
	}
	join_workers(threads, started);
	started = 0;

	if (options->same_case_only && check_same_case(store, options, &p, err, err_size) != 0)
		goto out;
	libraries = version_libraries_text();
	if (!libraries || store_begin_run(store, started_at, options->command_line, libraries,
					  options->case_name, options->examiner) != 0 ||
	    store_bulk_load(store) != 0) {
		snprintf(err, err_size, "%s: cannot record the run: %s", options->case_path,
			 store_error(store));
		goto out;
	}
	summary->run_id = store_run_id(store);

	w.store = store;
	w.summary = summary;
	w.progress = options->progress;
	if (store_begin(store) != 0 || add_collection_roots(store, options) != 0 ||
	    register_files(&p, &w) != 0 || store_commit(store) != 0) {
		snprintf(err, err_size, "%s: %s", options->case_path, store_error(store));
		goto out;
	}
	for (size_t i = 0; i < p.job_count; i++)
		if (p.jobs[i].parse && p.jobs[i].file->kind == EVIDENCE_EVTX)
			p.parse_order[p.parse_count++] = i;
	w.files_total = p.parse_count;

	/* Phase 2: parse on the workers, write here in file order. */
	if (p.parse_count && run_workers(&p, jobs, parse_worker, threads, &started) != 0) {
		snprintf(err, err_size, "cannot start worker threads");
		goto out;
	}
	if (store_begin(store) != 0)
		goto store_failed;
	for (size_t n = 0; n < p.parse_count; n++) {
		if (write_parse_job(&p, &p.jobs[p.parse_order[n]], &w) != 0)
			goto store_failed;
		w.files_done++;
		show_progress(&w, 0);
	}
	/* Task files and sandbox configurations are small: read here, after the logs, whose
	 * 4698/4702 events carry further task definitions (METHOD.md §4.1). */
	for (size_t i = 0; i < p.job_count; i++) {
		struct job *job = &p.jobs[i];
		if (job->parse && job->file->kind != EVIDENCE_EVTX &&
		    write_document_job(&p, job, &w) != 0)
			goto store_failed;
	}
	if (derive_from_events(&w) != 0 || task_cache_derive(store) != 0 ||
	    wsb_calls_derive(store) != 0 || vm_commands_derive(store) != 0 ||
	    host_facts_derive(store) != 0 || count_unread_evidence(&p, &w) != 0)
		goto store_failed;
	if (store_commit(store) != 0 ||
	    (!options->keep_run_open && store_finish_run(store, 0) != 0))
		goto store_failed;
	show_progress(&w, 1);
	rc = 0;
	goto out;
store_failed:
	snprintf(err, err_size, "%s: %s", options->case_path, store_error(store));
	/* Let the workers stop: they drop what they read from now on. */
	pthread_mutex_lock(&p.lock);
	p.abort = 1;
	pthread_cond_broadcast(&p.changed);
	pthread_mutex_unlock(&p.lock);
out:
	join_workers(threads, started);
	for (size_t i = 0; p.jobs && i < p.job_count; i++) {
		while (p.jobs[i].head) {
			struct item *item = p.jobs[i].head;
			p.jobs[i].head = item->next;
			item_free(item);
		}
	}
	summary->seconds = elapsed_since(&w.started);
	free(threads);
	free(p.jobs);
	free(p.parse_order);
	free(libraries);
	discover_free(&discovery);
	store_close(store);
	pthread_cond_destroy(&p.changed);
	pthread_mutex_destroy(&p.lock);
	return rc;
}

int ingest_exit_code(const struct ingest_summary *summary)
{
	return summary->files_unreadable || summary->files_failed ? 1 : 0;
}

void ingest_print_summary(const struct ingest_summary *s, const char *case_path)
{
	printf("case store: %s\n", case_path);
	printf("files: %zu evtx, %zu hive, %zu hive_log, %zu task_xml, %zu wsb, %zu archive, "
	       "%zu collection container, %zu servicing_log; "
	       "%zu duplicate content, %zu unreadable, %zu not evidence (listed and hashed, status "
	       "not_evidence)\n",
	       s->files_by_kind[EVIDENCE_EVTX], s->files_by_kind[EVIDENCE_HIVE],
	       s->files_by_kind[EVIDENCE_HIVE_LOG], s->files_by_kind[EVIDENCE_TASK_XML],
	       s->files_by_kind[EVIDENCE_WSB], s->files_by_kind[EVIDENCE_ARCHIVE],
	       s->files_by_kind[EVIDENCE_COLLECTION], s->files_by_kind[EVIDENCE_SERVICING_LOG],
	       s->files_duplicate, s->files_unreadable, s->files_unknown);
	printf("records: %llu stored, %llu already stored (linked), %llu counted only (outside the "
	       "catalogue), %llu recovered, %llu failed; %llu recovery candidates unreadable\n",
	       (unsigned long long)s->records_stored, (unsigned long long)s->records_linked,
	       (unsigned long long)s->records_counted, (unsigned long long)s->records_recovered,
	       (unsigned long long)s->records_failed, (unsigned long long)s->recovered_failed);
	printf("evidence not read whole: %zu failed to parse, %zu read partly (status in evidence, "
	       "reasons in parse_errors)\n", s->files_failed, s->files_partly);
	printf("problems recorded in parse_errors: %llu\n", (unsigned long long)s->problems);
	printf("time: %.2f s\n", s->seconds);
}
