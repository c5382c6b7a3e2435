/*
 * test_hive_log.c - transaction log replay (parsers/hive_log.h) on the dirty hives of
 * ../shared/corpus/hives/dirty, whose answers are the files Windows itself wrote after recovering
 * them (corpus README and SOURCES.tsv): skipped with a message when the corpus is absent. Damaged
 * and hostile logs are made here from the real ones (cut, a flipped byte, another hive's).
 */
#include <libbfio.h>
#include <libregf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "parsers/hive.h"
#include "parsers/hive_log.h"

static char dirty_dir[1024];

static const char *corpus_dirty_dir(void)
{
	const char *env = getenv("SANDTRACE_CORPUS");

	snprintf(dirty_dir, sizeof dirty_dir, "%s/hives/dirty",
		 env ? env : SANDTRACE_SOURCE_DIR "/../shared/corpus");
	return access(dirty_dir, R_OK) == 0 ? dirty_dir : NULL;
}

struct file {
	unsigned char *data;
	size_t size;
};

static struct file load(const char *folder, const char *name)
{
	char path[2048];
	struct file f;

	snprintf(path, sizeof path, "%s/%s/%s", dirty_dir, folder, name);
	f.data = (unsigned char *)check_read_file(path, &f.size);
	if (!f.data)
		fprintf(stderr, "cannot read %s\n", path);
	return f;
}

/* Replays LOGS (NULL-terminated names in FOLDER) onto FOLDER/PRIMARY. */
static struct hive_replay *replay_corpus(const char *folder, const char *primary,
					 const char *const *logs)
{
	struct hive_log_input inputs[4];
	struct file files[4], base = load(folder, primary);
	struct hive_replay *replay = NULL;
	size_t count = 0;
	char err[256];

	for (; logs[count] && count < 4; count++) {
		files[count] = load(folder, logs[count]);
		inputs[count] = (struct hive_log_input){logs[count], files[count].data,
							files[count].size, NULL};
	}
	if (base.data && hive_log_replay(base.data, base.size, inputs, count, &replay, err,
					 sizeof err) != 0)
		fprintf(stderr, "replay %s: %s\n", folder, err);
	for (size_t i = 0; i < count; i++)
		free(files[i].data);
	free(base.data);
	return replay;
}

static const struct hive_log_outcome *outcome(const struct hive_replay *r, const char *name)
{
	for (size_t i = 0; r && i < r->log_count; i++)
		if (strcmp(r->logs[i].name, name) == 0)
			return &r->logs[i];
	return NULL;
}

/* A key (and optionally a value's data) read by libregf from a hive in memory. */
struct key_read {
	int found;
	uint64_t last_written;
	unsigned char value[64];
	size_t value_size;
};

static struct key_read read_key(const unsigned char *data, size_t size, const char *path,
				const char *value_name)
{
	struct key_read out = {0};
	libbfio_handle_t *io = NULL;
	libregf_file_t *file = NULL;
	libregf_key_t *key = NULL;
	libregf_value_t *value = NULL;

	if (libbfio_memory_range_initialize(&io, NULL) != 1 ||
	    libbfio_memory_range_set(io, (uint8_t *)data, size, NULL) != 1 ||
	    libregf_file_initialize(&file, NULL) != 1 ||
	    libregf_file_open_file_io_handle(file, io, LIBREGF_OPEN_READ, NULL) != 1)
		goto out;
	if (libregf_file_get_key_by_utf8_path(file, (const uint8_t *)path, strlen(path), &key,
					      NULL) != 1)
		goto out;
	out.found = 1;
	libregf_key_get_last_written_time(key, &out.last_written, NULL);
	if (value_name && libregf_key_get_value_by_utf8_name(key, (const uint8_t *)value_name,
							     strlen(value_name), &value, NULL) == 1 &&
	    libregf_value_get_value_data_size(value, &out.value_size, NULL) == 1 &&
	    out.value_size <= sizeof out.value)
		libregf_value_get_value_data(value, out.value, out.value_size, NULL);
out:
	if (value)
		libregf_value_free(&value, NULL);
	if (key)
		libregf_key_free(&key, NULL);
	if (file) {
		libregf_file_close(file, NULL);
		libregf_file_free(&file, NULL);
	}
	if (io)
		libbfio_handle_free(&io, NULL);
	return out;
}

/* The replayed image read through hive_parse_memory: no longer reported dirty. */
static void check_read_clean(const struct hive_replay *r)
{
	struct hive_result *result = NULL;
	char err[256];

	CHECK(hive_parse_memory(r->data, r->size, &result, err, sizeof err) == 0);
	if (result) {
		CHECK_INT(result->dirty, 0);
		CHECK_INT(result->sequence_primary, r->sequence_after);
		CHECK_INT(result->sequence_secondary, r->sequence_after);
		for (size_t i = 0; i < result->problem_count; i++)
			CHECK(strstr(result->problems[i].reason, HIVE_DIRTY_REASON) == NULL);
		hive_result_free(result);
	}
}

static void test_new_format_two_logs_equal_windows10_recovery(void)
{
	static const char *const logs[] = {"NewDirtyHive.LOG1", "NewDirtyHive.LOG2", NULL};
	struct hive_replay *r = replay_corpus("yarp_NewDirtyHive1", "NewDirtyHive", logs);
	struct file windows = load("yarp_NewDirtyHive1", "RecoveredHive_Windows10");
	const struct hive_log_outcome *log1 = outcome(r, "NewDirtyHive.LOG1"),
				      *log2 = outcome(r, "NewDirtyHive.LOG2");

	CHECK(r && windows.data && log1 && log2);
	if (!r || !windows.data || !log1 || !log2)
		goto out;
	CHECK_INT(r->dirty, 1);
	CHECK_INT(r->applied, 2);
	CHECK_INT(log1->applied, 1);
	CHECK_INT(log1->format, HIVE_LOG_FORMAT_NEW);
	CHECK_INT(log1->first_sequence, 2);
	CHECK_INT(log1->last_sequence, 2);
	CHECK_INT(log2->applied, 1);
	CHECK_INT(log2->first_sequence, 3);
	CHECK_INT(log2->last_sequence, 5);
	CHECK_INT(log2->entries, 3);
	CHECK_INT(r->sequence_after, 5);
	/* The hive bins Windows 10 wrote after recovering this hive, byte for byte. */
	CHECK_INT(r->size, windows.size);
	CHECK(r->size == windows.size &&
	      memcmp(r->data + 4096, windows.data + 4096, r->size - 4096) == 0);
	/* Key1 and Key2 gone, Key3 with Key3_1..Key3_3 (SOURCES.tsv). */
	CHECK_INT(read_key(r->data, r->size, "\\Key1", NULL).found, 0);
	CHECK_INT(read_key(r->data, r->size, "\\Key2", NULL).found, 0);
	CHECK_INT(read_key(r->data, r->size, "\\Key3\\Key3_3", NULL).found, 1);
	check_read_clean(r);
	{
		char summary[256];
		hive_log_summary(r, summary, sizeof summary);
		CHECK_STR(summary, "NewDirtyHive.LOG1 (sequence 2), NewDirtyHive.LOG2 (sequence 3-5) "
				   "applied; base block sequence numbers 3/2 -> 5/5");
	}
out:
	free(windows.data);
	hive_replay_free(r);
}

static void test_old_format_gives_windows7_key_and_value(void)
{
	static const char *const logs[] = {"OldDirtyHive.LOG1", "OldDirtyHive.LOG2", NULL};
	struct hive_replay *r = replay_corpus("yarp_OldDirtyHive", "OldDirtyHive", logs);
	struct file windows = load("yarp_OldDirtyHive", "RecoveredHive_Windows7"),
		    before = load("yarp_OldDirtyHive", "OldDirtyHive");
	const struct hive_log_outcome *log1 = outcome(r, "OldDirtyHive.LOG1"),
				      *log2 = outcome(r, "OldDirtyHive.LOG2");
	/* REG_MULTI_SZ a, bb, ccc in UTF-16LE, with the closing empty string. */
	static const unsigned char multi[] = {'a', 0, 0, 0, 'b', 0, 'b', 0, 0, 0, 'c', 0, 'c', 0,
					      'c', 0, 0, 0, 0, 0};
	const char *found = "\\key_with_many_subkeys\\5000\\find_me_in_log";

	CHECK(r && windows.data && before.data && log1 && log2);
	if (!r || !windows.data || !before.data || !log1 || !log2)
		goto out;
	CHECK_INT(r->applied, 1);
	CHECK_INT(log1->applied, 1);
	CHECK_INT(log1->format, HIVE_LOG_FORMAT_OLD);
	CHECK_INT(log2->applied, 0);
	CHECK(strstr(log2->reason, "empty") != NULL);
	CHECK_INT(log2->refused, 0);
	CHECK_INT(r->sequence_after, 5);
	CHECK_INT(read_key(before.data, before.size, found, NULL).found, 0);
	{
		struct key_read ours = read_key(r->data, r->size, found, NULL),
				theirs = read_key(windows.data, windows.size, found, NULL);
		CHECK_INT(ours.found, 1);
		CHECK_INT(theirs.found, 1);
		CHECK(ours.last_written != 0 && ours.last_written == theirs.last_written);
	}
	{
		struct key_read ours = read_key(r->data, r->size, "\\key_with_many_subkeys\\4500", "v");
		CHECK_INT(ours.value_size, sizeof multi);
		CHECK(ours.value_size == sizeof multi && memcmp(ours.value, multi, sizeof multi) == 0);
	}
	check_read_clean(r);
out:
	free(windows.data);
	free(before.data);
	hive_replay_free(r);
}

static void test_only_the_log_that_continues_applies(void)
{
	static const char *const logs[] = {"NewDirtyHive.LOG1", "NewDirtyHive.LOG2", NULL};
	struct hive_replay *r = replay_corpus("yarp_NewDirtyHive2", "NewDirtyHive", logs);
	const struct hive_log_outcome *log1 = outcome(r, "NewDirtyHive.LOG1"),
				      *log2 = outcome(r, "NewDirtyHive.LOG2");

	CHECK(r && log1 && log2);
	if (!r || !log1 || !log2)
		goto out;
	CHECK_INT(r->applied, 1);
	CHECK_INT(log1->applied, 0);
	CHECK(strstr(log1->reason, "older than the primary") != NULL);
	CHECK_INT(log1->refused, 0); /* not needed, not damaged */
	CHECK_INT(log2->applied, 1);
	CHECK_INT(log2->first_sequence, 3);
	CHECK_INT(log2->last_sequence, 5);
	CHECK_INT(r->sequence_after, 5);
	check_read_clean(r);
out:
	hive_replay_free(r);
}

/* BadLogHive1-3: invalid logs refused with a reason; the primary is still read, still dirty. */
static void test_invalid_logs_refused_primary_still_read(void)
{
	static const struct {
		const char *folder;
		const char *const logs[3];
		const char *reason;
	} cases[] = {
		{"yarp_BadLogHive1", {"BadLogHive.LOG1", "BadLogHive.LOG2", NULL}, "checksum is wrong"},
		{"yarp_BadLogHive2", {"BadLogHive.LOG1", "BadLogHive.LOG2", NULL}, "not DIRT"},
		{"yarp_BadLogHive3", {"BadLogHive.LOG1", "BadLogHive.LOG2", NULL}, "checksum is wrong"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct hive_replay *r = replay_corpus(cases[i].folder, "BadLogHive", cases[i].logs);
		const struct hive_log_outcome *log1 = outcome(r, "BadLogHive.LOG1");
		struct hive_result *result = NULL;
		char err[256];

		CHECK(r && log1);
		if (!r || !log1) {
			hive_replay_free(r);
			continue;
		}
		CHECK_INT(r->applied, 0);
		CHECK_INT(log1->applied, 0);
		if (!strstr(log1->reason, cases[i].reason))
			fprintf(stderr, "%s: reason \"%s\"\n", cases[i].folder, log1->reason);
		CHECK(strstr(log1->reason, cases[i].reason) != NULL);
		CHECK_INT(log1->refused, 1);
		CHECK(hive_parse_memory(r->data, r->size, &result, err, sizeof err) == 0);
		if (result) {
			CHECK_INT(result->dirty, 1);
			hive_result_free(result);
		}
		hive_replay_free(r);
	}
}

static void test_other_hives_log_and_gap_and_clean_refused(void)
{
	static const char *const new_logs[] = {"NewDirtyHive.LOG1", "NewDirtyHive.LOG2", NULL};
	static const char *const log2_only[] = {"NewDirtyHive.LOG2", NULL};
	struct file old = load("yarp_OldDirtyHive", "OldDirtyHive"),
		    log1 = load("yarp_NewDirtyHive1", "NewDirtyHive.LOG1");
	struct hive_log_input input = {"NewDirtyHive.LOG1", log1.data, log1.size, NULL};
	struct hive_replay *r = NULL;
	char err[256];

	/* A Windows 10 hive's log beside a Windows 7 hive: another hive's. */
	CHECK(old.data && log1.data);
	if (old.data && log1.data && hive_log_replay(old.data, old.size, &input, 1, &r, err,
						     sizeof err) == 0) {
		CHECK_INT(r->applied, 0);
		CHECK(strstr(r->logs[0].reason, "belongs to another hive") != NULL);
		CHECK_INT(r->logs[0].refused, 1);
		hive_replay_free(r);
	}
	/* Without LOG1, the entries of LOG2 begin after a gap: nothing applies. */
	r = replay_corpus("yarp_NewDirtyHive1", "NewDirtyHive", log2_only);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->applied, 0);
		CHECK(strstr(r->logs[0].reason, "a gap") != NULL);
		CHECK_INT(r->logs[0].refused, 1);
		hive_replay_free(r);
	}
	/* A clean hive (Windows' own recovered file): its logs are not needed. */
	r = replay_corpus("yarp_NewDirtyHive1", "RecoveredHive_Windows10", new_logs);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(r->dirty, 0);
		CHECK_INT(r->applied, 0);
		CHECK(strstr(r->logs[0].reason, "clean") != NULL);
		CHECK_INT(r->logs[0].refused, 0);
		hive_replay_free(r);
	}
	free(old.data);
	free(log1.data);
}

/* A flipped byte in LOG2's second entry: the replay stops there, the entries before it stay. */
static void test_hash_mismatch_stops_the_replay(void)
{
	struct file primary = load("yarp_NewDirtyHive1", "NewDirtyHive"),
		    log1 = load("yarp_NewDirtyHive1", "NewDirtyHive.LOG1"),
		    log2 = load("yarp_NewDirtyHive1", "NewDirtyHive.LOG2");
	struct hive_replay *r = NULL;
	char err[256];

	CHECK(primary.data && log1.data && log2.data && log2.size > 9000);
	if (primary.data && log1.data && log2.data && log2.size > 9000) {
		struct hive_log_input inputs[2] = {{"LOG1", log1.data, log1.size, NULL},
						   {"LOG2", log2.data, log2.size, NULL}};
		log2.data[8192 + 4096] ^= 0x55; /* inside the entry at 8192 (sequence 4) */
		CHECK(hive_log_replay(primary.data, primary.size, inputs, 2, &r, err, sizeof err) == 0);
		if (r) {
			CHECK_INT(r->applied, 2);
			CHECK_INT(r->logs[1].last_sequence, 3);
			CHECK_INT(r->sequence_after, 3);
			CHECK(strstr(r->logs[1].reason, "hash mismatch") != NULL);
			hive_replay_free(r);
		}
	}
	free(primary.data);
	free(log1.data);
	free(log2.data);
}

/* Every cut of a real log, and a log of garbage: refused or partly applied, never a bad read
 * (the sanitizers watch). */
static void test_cut_and_garbage_logs_are_bounded(void)
{
	struct file primary = load("yarp_NewDirtyHive1", "NewDirtyHive"),
		    log2 = load("yarp_NewDirtyHive1", "NewDirtyHive.LOG2"),
		    old = load("yarp_OldDirtyHive", "OldDirtyHive"),
		    old_log = load("yarp_OldDirtyHive", "OldDirtyHive.LOG1");
	size_t refused = 0, runs = 0;
	char err[256];

	CHECK(primary.data && log2.data && old.data && old_log.data);
	if (!primary.data || !log2.data || !old.data || !old_log.data)
		goto out;
	for (size_t cut = 0; cut <= log2.size; cut += cut < 1024 ? 1 : 509) {
		unsigned char *copy = malloc(cut ? cut : 1);
		struct hive_log_input input = {"LOG2", copy, cut, NULL};
		struct hive_replay *r = NULL;

		memcpy(copy, log2.data, cut);
		/* The primary's secondary sequence number is 2; pretend it is 3 so LOG2 applies. */
		primary.data[8] = 3;
		if (hive_log_replay(primary.data, primary.size, &input, 1, &r, err, sizeof err) == 0) {
			runs++;
			refused += r->applied == 0;
			CHECK(r->applied == 0 || r->logs[0].last_sequence >= 3);
			hive_replay_free(r);
		}
		free(copy);
	}
	for (size_t cut = 0; cut <= old_log.size; cut += cut < 1024 ? 1 : 511) {
		struct hive_log_input input = {"LOG1", old_log.data, cut, NULL};
		struct hive_replay *r = NULL;

		if (hive_log_replay(old.data, old.size, &input, 1, &r, err, sizeof err) == 0) {
			runs++;
			refused += r->applied == 0;
			hive_replay_free(r);
		}
	}
	CHECK(runs > 100);
	CHECK(refused > 50);
	{
		unsigned char garbage[4096];
		struct hive_log_input input = {"garbage", garbage, sizeof garbage, NULL};
		struct hive_replay *r = NULL;

		for (size_t i = 0; i < sizeof garbage; i++)
			garbage[i] = (unsigned char)(i * 131 + 7);
		memcpy(garbage, "regf", 4);
		CHECK(hive_log_replay(primary.data, primary.size, &input, 1, &r, err, sizeof err) == 0);
		if (r) {
			CHECK_INT(r->applied, 0);
			CHECK(r->logs[0].reason[0] != '\0');
			hive_replay_free(r);
		}
	}
	/* Not a primary at all: an error, not a replay. */
	{
		struct hive_replay *r = NULL;
		CHECK(hive_log_replay(log2.data, log2.size, NULL, 0, &r, err, sizeof err) == -1);
		CHECK(strstr(err, "file type 6") != NULL);
	}
out:
	free(primary.data);
	free(log2.data);
	free(old.data);
	free(old_log.data);
}

static void test_logs_found_beside_in_any_case(void)
{
	char path[2048], **paths = NULL;
	size_t count = 0;

	CHECK_INT(hive_log_name_rank("SYSTEM", "system.log1"), 2);
	CHECK_INT(hive_log_name_rank("SYSTEM", "SYSTEM.LOG"), 1);
	CHECK_INT(hive_log_name_rank("NTUSER.DAT", "ntuser.dat.LOG2"), 3);
	CHECK_INT(hive_log_name_rank("SYSTEM", "SYSTEM.LOG3"), 0);
	CHECK_INT(hive_log_name_rank("SYSTEM", "SYSTEM"), 0);
	CHECK_INT(hive_log_name_rank("SYSTEM", "SOFTWARE.LOG1"), 0);
	snprintf(path, sizeof path, "%s/yarp_NewDirtyHive1/NewDirtyHive", dirty_dir);
	CHECK(hive_log_find_beside(path, &paths, &count) == 0);
	CHECK_INT(count, 2);
	if (count == 2) {
		CHECK(strstr(paths[0], "/NewDirtyHive.LOG1") != NULL);
		CHECK(strstr(paths[1], "/NewDirtyHive.LOG2") != NULL);
	}
	hive_log_paths_free(paths, count);
}

int main(void)
{
	if (!corpus_dirty_dir()) {
		printf("test_hive_log: skipped: shared/corpus not found (%s)\n", dirty_dir);
		return check_done("test_hive_log");
	}
	test_new_format_two_logs_equal_windows10_recovery();
	test_old_format_gives_windows7_key_and_value();
	test_only_the_log_that_continues_applies();
	test_invalid_logs_refused_primary_still_read();
	test_other_hives_log_and_gap_and_clean_refused();
	test_hash_mismatch_stops_the_replay();
	test_cut_and_garbage_logs_are_bounded();
	test_logs_found_beside_in_any_case();
	return check_done("test_hive_log");
}
