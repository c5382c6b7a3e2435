/* test_evtx.c - evtx_parse_file: each record carries its true offset; a log whose file header is
 * damaged (one flipped byte of "ElfFile") is still read, record for record, through a repaired
 * copy in memory, with a severe problem saying so and the file left unchanged; an empty or too
 * short file is a problem and -1, never a crash. Logs are forged with stforge (argv[1]). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "parsers/evtx.h"

#define SECURITY_LOG "C/Windows/System32/winevt/Logs/Security.evtx.xml"

enum { MAX_RECORDS = 4096, MAX_PROBLEMS = 16 };

struct record_seen {
	uint64_t header_record_id, record_id, content_hash;
	int64_t offset, chunk;
	int recovered;
};

struct reading {
	struct record_seen records[MAX_RECORDS];
	size_t count;
	char problems[MAX_PROBLEMS][1024];
	int severe[MAX_PROBLEMS];
	size_t problem_count;
};

static char work[] = "/tmp/sandtrace-test-evtx-XXXXXX";

static int on_event(void *context, struct evtx_event *event)
{
	struct reading *r = context;

	if (r->count < MAX_RECORDS)
		r->records[r->count++] = (struct record_seen){event->header_record_id, event->record_id,
							      event->content_hash, event->offset,
							      event->chunk, event->recovered};
	evtx_event_free(event);
	return 0;
}

static void on_problem(void *context, const char *location, const char *reason, int severe)
{
	struct reading *r = context;

	(void)location;
	if (r->problem_count < MAX_PROBLEMS) {
		snprintf(r->problems[r->problem_count], sizeof r->problems[0], "%s", reason);
		r->severe[r->problem_count++] = severe;
	}
}

static int parse(const char *path, struct reading *r)
{
	const struct evtx_callbacks callbacks = {r, NULL, NULL, on_event, on_problem, NULL};
	struct evtx_stats stats;

	memset(r, 0, sizeof *r);
	return evtx_parse_file(path, &callbacks, &stats);
}

/* Index of the first problem containing TEXT, or -1. */
static int problem_with(const struct reading *r, const char *text)
{
	for (size_t i = 0; i < r->problem_count; i++)
		if (strstr(r->problems[i], text))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	static struct reading good, damaged, other;
	char good_path[600], damaged_path[600], other_path[600];
	uint8_t *bytes, *after;
	size_t size = 0, after_size = 0;
	int index;

	if (argc < 2 || !mkdtemp(work)) {
		fprintf(stderr, "usage: test_evtx STFORGE\n");
		return 1;
	}
	snprintf(good_path, sizeof good_path, "%s/Security.evtx", work);
	snprintf(damaged_path, sizeof damaged_path, "%s/Security-header-damaged.evtx", work);
	snprintf(other_path, sizeof other_path, "%s/other.evtx", work);
	CHECK_INT(check_forge_evtx(argv[1], SECURITY_LOG, good_path), 0);
	bytes = (uint8_t *)check_read_file(good_path, &size);
	CHECK(bytes != NULL && size > 4096);
	if (!bytes || size <= 4096)
		return check_done("evtx");

	/* The undamaged log: every record at its own offset. */
	CHECK_INT(parse(good_path, &good), 0);
	CHECK(good.count > 10);
	CHECK_INT(problem_with(&good, "offset"), -1);
	for (size_t i = 0; i < good.count; i++) {
		const struct record_seen *s = &good.records[i];
		CHECK(s->offset >= 4096 + 512 && (size_t)s->offset + 16 <= size &&
		      memcmp(bytes + s->offset, "**\0\0", 4) == 0 &&
		      check_le64(bytes + s->offset + 8) == s->header_record_id &&
		      s->chunk == (s->offset - 4096) / 65536);
	}

	/* Byte 0 flipped: libevtx refuses the file; the repaired copy gives the same records at the
	 * same offsets, and a severe problem names the damage. */
	bytes[0] ^= 0x01;
	CHECK_INT(check_write_file(damaged_path, bytes, size), 0);
	CHECK_INT(parse(damaged_path, &damaged), 0);
	CHECK_INT(damaged.count, good.count);
	for (size_t i = 0; i < good.count && i < damaged.count; i++) {
		const struct record_seen *a = &good.records[i], *b = &damaged.records[i];
		CHECK(a->header_record_id == b->header_record_id && a->record_id == b->record_id &&
		      a->content_hash == b->content_hash && a->offset == b->offset &&
		      a->chunk == b->chunk && a->recovered == b->recovered);
	}
	index = problem_with(&damaged, "file header damaged (");
	CHECK(index >= 0);
	if (index >= 0) {
		printf("problem: %s\n", damaged.problems[index]);
		CHECK(damaged.severe[index] == 1);
		CHECK(strstr(damaged.problems[index], "records read through a repaired copy of the "
						       "header in memory; the file itself is unchanged") != NULL);
	}
	after = (uint8_t *)check_read_file(damaged_path, &after_size);
	CHECK(after && after_size == size && memcmp(after, bytes, size) == 0);
	free(after);

	/* Empty, too short, or no chunk: -1 and a reason. */
	CHECK_INT(check_write_file(other_path, "", 0), 0);
	CHECK_INT(parse(other_path, &other), -1);
	CHECK(problem_with(&other, "empty") >= 0);
	CHECK_INT(check_write_file(other_path, bytes, 4096 + 100), 0);
	CHECK_INT(parse(other_path, &other), -1);
	CHECK(problem_with(&other, "too short") >= 0);
	memset(bytes + 4096, 0, size - 4096);
	CHECK_INT(check_write_file(other_path, bytes, size), 0);
	CHECK_INT(parse(other_path, &other), -1);
	CHECK(problem_with(&other, "ElfChnk") >= 0);
	CHECK_INT(other.count, 0);

	free(bytes);
	unlink(good_path);
	unlink(damaged_path);
	unlink(other_path);
	rmdir(work);
	return check_done("evtx");
}
