/*
 * test_system_fields.c - the System fields kept once (src/system_fields.c, METHOD.md §8.13), on a
 * store written here: 14,000 records over 6,000 combinations of System fields (more than the
 * writer remembers, so it forgets and asks the store again), absent and empty values apart, in a
 * shuffled order; then a second run that meets the same combinations and a copy of a record from
 * another file. Each record is read back through the view events and compared with what was
 * written, field by field.
 */
#include "check.h"

#include <unistd.h>

#include "../parsers/evtx.h"
#include "store.h"
#include "scratch_store.h"

enum { COMBINATIONS = 6000, RECORDS = 14000, SECOND_RUN = 3000 };

/* The combination number C (0 <= C < COMBINATIONS) as the record's fields. Texts come from static
 * buffers per call slot, so the event points at them until the next call. */
struct combination {
	char provider[32], guid[48], channel[16], computer[24], keywords[24], user_sid[32];
	const char *texts[6]; /* NULL = absent */
	int64_t numbers[5];   /* qualifiers, version, level, task, opcode; -1 = absent */
};

static void combination(int c, struct combination *k)
{
	/* c % 4 picks values that are the only difference between two combinations: user SID
	 * absent / empty, opcode absent / 0; b = c / 4 gives the rest */
	int b = c / 4, s = c % 4;

	snprintf(k->provider, sizeof k->provider, "Provider-%d", b % 13);
	snprintf(k->guid, sizeof k->guid, "{%08X-0000-0000-0000-000000000000}", (unsigned)(b % 13));
	snprintf(k->channel, sizeof k->channel, "%s", b % 3 == 0 ? "Security" : "System");
	snprintf(k->computer, sizeof k->computer, "PC-%d", b / 7);
	snprintf(k->keywords, sizeof k->keywords, "0x%016X", (unsigned)(b % 5));
	snprintf(k->user_sid, sizeof k->user_sid, "%s", s == 1 ? "" : "S-1-5-18");
	k->texts[0] = b % 17 == 16 ? NULL : k->provider;
	k->texts[1] = b % 19 == 18 ? NULL : k->guid;
	k->texts[2] = k->channel;
	k->texts[3] = b % 23 == 22 ? "" : k->computer;
	k->texts[4] = k->keywords;
	k->texts[5] = s == 0 || s == 2 ? NULL : k->user_sid;
	k->numbers[0] = b % 2 ? -1 : b % 3;
	k->numbers[1] = b % 6 == 5 ? -1 : b % 2;
	k->numbers[2] = b % 5;
	k->numbers[3] = 12544 + b % 9;
	k->numbers[4] = s < 2 ? -1 : 0;
}

/* Record R's combination: every combination is met, in a shuffled order, and met again. */
static int combination_of(int r)
{
	return (int)(((long long)r * 7919) % COMBINATIONS);
}

static void fill_event(struct evtx_event *e, int r, struct combination *k)
{
	combination(combination_of(r), k);
	memset(e, 0, sizeof *e);
	e->record_id = (uint64_t)r + 1;
	e->header_record_id = e->record_id;
	e->offset = e->chunk = -1;
	e->full = 1;
	e->time = 133000000000000000ULL + (uint64_t)r;
	e->written_time = e->time;
	e->event_id = 4624 + (uint32_t)(r % 3);
	e->provider = (char *)k->texts[0];
	e->provider_guid = (char *)k->texts[1];
	e->channel = (char *)k->texts[2];
	e->computer = (char *)k->texts[3];
	e->keywords = (char *)k->texts[4];
	e->user_sid = (char *)k->texts[5];
	e->qualifiers = k->numbers[0];
	e->version = (int)k->numbers[1];
	e->level = (int)k->numbers[2];
	e->task = (int)k->numbers[3];
	e->opcode = (int)k->numbers[4];
	e->process_id = e->thread_id = -1;
	e->data = "{}";
	e->content_hash = 0x9e3779b97f4a7c15ULL * (uint64_t)(r + 1);
}

/* Adds records FIRST..LAST-1 from evidence EVIDENCE; returns how many were new rows. */
static int add_records(struct store *store, int64_t evidence, int first, int last)
{
	int added = 0;

	CHECK(store_begin(store) == 0);
	for (int r = first; r < last; r++) {
		struct combination k;
		struct evtx_event e;
		int64_t counted = 0;
		int new_row = 0;

		fill_event(&e, r, &k);
		if (store_add_event(store, evidence, &e, NULL, &new_row, &counted) != 0) {
			CHECK(!"store_add_event failed");
			break;
		}
		added += new_row;
	}
	CHECK(store_commit(store) == 0);
	return added;
}

struct row_check {
	int rows, mismatches;
};

/* One row of events: id, record_id, the six texts, the five numbers (NULL as absent). */
static int check_row(void *context, int columns, const char *const *names,
		     const char *const *values)
{
	struct row_check *c = context;
	struct combination k;
	struct evtx_event e;
	int r = (int)strtoll(values[1], NULL, 10) - 1, bad = 0;

	(void)names;
	fill_event(&e, r, &k);
	if (columns != 13)
		bad = 1;
	for (int i = 0; !bad && i < 6; i++) {
		const char *got = values[2 + i], *want = k.texts[i];
		if (!(got == want || (got && want && strcmp(got, want) == 0)))
			bad = 1;
	}
	for (int i = 0; !bad && i < 5; i++) {
		long long want = k.numbers[i];
		const char *got = values[8 + i];
		if (want < 0 ? got != NULL : (!got || strtoll(got, NULL, 10) != want))
			bad = 1;
	}
	if (bad && c->mismatches++ < 5)
		fprintf(stderr, "events row %s (record %d) differs from what was written\n", values[0],
			r + 1);
	c->rows++;
	return 0;
}

int main(void)
{
	char path[] = "/tmp/test_system_fields_XXXXXX", err[512];
	struct store *store = NULL;
	struct row_check rows = {0, 0};

	CHECK((store = scratch_store(path)) != NULL);
	if (!store)
		return 1;
	CHECK(store_exec_temp(store,
			      "INSERT INTO evidence (id, sha256, md5, sha1, size, kind, status, run_id) "
			      "VALUES (1, 'a', 'a', 'a', 1, 'evtx', 'parsed', 1), (2, 'b', 'b', 'b', 1, "
			      "'evtx', 'parsed', 1);") == 0);
	CHECK_INT(add_records(store, 1, 0, RECORDS), RECORDS);
	store_close(store);

	/* A second run: the same combinations, found in the store; the records of file 1 met
	 * again in file 2 are linked to their rows, not stored twice. */
	CHECK(store_open(path, &store, err, sizeof err) == 0);
	if (!store)
		return 1;
	CHECK_INT(add_records(store, 2, RECORDS - SECOND_RUN, RECORDS + SECOND_RUN), SECOND_RUN);
	CHECK_INT(count(store, "SELECT count(*) FROM event_sources WHERE evidence_id = 2"),
		  SECOND_RUN);

	/* one row per combination, none twice (DISTINCT takes two NULLs as the same value) */
	CHECK_INT(count(store, "SELECT count(*) FROM system_fields"), COMBINATIONS);
	CHECK_INT(count(store,
			"SELECT count(*) FROM (SELECT DISTINCT provider, provider_guid, channel, "
			"computer, keywords, user_sid, qualifiers, version, level, task, opcode "
			"FROM system_fields)"),
		  COMBINATIONS);
	CHECK_INT(count(store, "SELECT count(*) FROM system_fields WHERE computer = ''"),
		  4 * (COMBINATIONS / 4 / 23)); /* b = 22, 45, ... below 1,500: 65 */
	CHECK_INT(count(store, "SELECT count(*) FROM system_fields WHERE user_sid = ''"),
		  COMBINATIONS / 4);
	CHECK_INT(count(store, "SELECT count(*) FROM system_fields WHERE opcode IS NULL"),
		  COMBINATIONS / 2);
	CHECK(store_query(store,
			  "SELECT id, record_id, provider, provider_guid, channel, computer, "
			  "keywords, user_sid, qualifiers, version, level, task, opcode FROM events "
			  "ORDER BY id",
			  check_row, &rows) == 0);
	CHECK_INT(rows.rows, RECORDS + SECOND_RUN);
	CHECK_INT(rows.mismatches, 0);
	store_close(store);
	unlink(path);
	return check_done("system_fields");
}
