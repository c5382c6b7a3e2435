/* test_binxml.c - sandtrace's own Binary XML decoder against libevtx. For every EVTX of the corpus
 * (/work/shared/corpus/evtx or $SANDTRACE_CORPUS; skipped with a message when absent) and of the
 * forged bundled case (stforge is argv[1]), evtx_parse_file (the decoder, libevtx for what it
 * refuses) and evtx_parse_file_with_libevtx (libevtx and libxml2 alone) must hand on the same
 * events, field by field (System fields, data, XML text byte for byte, offsets, hashes, the
 * recovered ones), the same problems and the same counts, both with every record in full and with
 * a catalogue deciding (counted-only records: provider, event id, channel). Any difference fails.
 * With BINXML_RECORD_BY_RECORD=1 it also compares each allocated record's decoding with libevtx's
 * XML directly and says which records the decoder refuses and why (BINXML_PRINT=N: how many). */
#include <dirent.h>
#include <libevtx.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "../fuzz/binxml_replay.h"
#include "parsers/binxml.h"
#include "parsers/evtx_layout.h"

struct totals {
	unsigned long files, records, equal, refused, unmatched, different;
};

/* Differences and refusals printed per file ($BINXML_PRINT, default 3). */
static unsigned long print_limit(void)
{
	const char *limit = getenv("BINXML_PRINT");
	return limit ? strtoul(limit, NULL, 10) : 3;
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Compares every field; prints the first differences. */
static int same_event(const struct evtx_event *a, const struct evtx_event *b, const char *where)
{
	int same = 1;
#define FIELD_TEXT(f)                                                                          \
	if (!same_text(a->f, b->f)) {                                                          \
		fprintf(stderr, "%s: " #f " decoder \"%s\" libevtx \"%s\"\n", where,           \
			a->f ? a->f : "(null)", b->f ? b->f : "(null)");                       \
		same = 0;                                                                      \
	}
#define FIELD_INT(f)                                                                           \
	if (a->f != b->f) {                                                                    \
		fprintf(stderr, "%s: " #f " decoder %lld libevtx %lld\n", where,               \
			(long long)a->f, (long long)b->f);                                     \
		same = 0;                                                                      \
	}
	FIELD_INT(record_id) FIELD_INT(time) FIELD_INT(event_id) FIELD_INT(qualifiers)
	FIELD_INT(version) FIELD_INT(level) FIELD_INT(task) FIELD_INT(opcode)
	FIELD_INT(process_id) FIELD_INT(thread_id)
	FIELD_TEXT(provider) FIELD_TEXT(provider_guid) FIELD_TEXT(keywords) FIELD_TEXT(channel)
	FIELD_TEXT(computer) FIELD_TEXT(user_sid) FIELD_TEXT(activity_id)
	FIELD_TEXT(related_activity_id) FIELD_TEXT(data)
#undef FIELD_TEXT
#undef FIELD_INT
	return same;
}

static void event_init(struct evtx_event *e)
{
	memset(e, 0, sizeof *e);
	e->offset = e->chunk = -1;
	e->qualifiers = -1;
	e->version = e->level = e->task = e->opcode = -1;
	e->process_id = e->thread_id = -1;
}

static void event_clear(struct evtx_event *e)
{
	free(e->provider); free(e->provider_guid); free(e->keywords); free(e->channel);
	free(e->computer); free(e->user_sid); free(e->activity_id); free(e->related_activity_id);
	free(e->data); free(e->xml);
}

/* libevtx's XML of the allocated record with NUMBER and WRITTEN_TIME; NULL if none. */
static char *libevtx_xml(libevtx_file_t *file, int count, int *next, uint64_t number,
			 uint64_t written_time)
{
	for (int tries = 0; tries < count; tries++) {
		int i = (*next + tries) % count;
		libevtx_record_t *record = NULL;
		uint64_t id = 0, time = 0;
		size_t size = 0;
		char *xml = NULL;

		if (libevtx_file_get_record_by_index(file, i, &record, NULL) != 1)
			continue;
		if (libevtx_record_get_identifier(record, &id, NULL) == 1 &&
		    libevtx_record_get_written_time(record, &time, NULL) == 1 && id == number &&
		    time == written_time) {
			if (libevtx_record_get_utf8_xml_string_size(record, &size, NULL) == 1 &&
			    size > 0 && (xml = malloc(size)) != NULL &&
			    libevtx_record_get_utf8_xml_string(record, (uint8_t *)xml, size, NULL) != 1) {
				free(xml);
				xml = NULL;
			}
			libevtx_record_free(&record, NULL);
			*next = i + 1;
			return xml;
		}
		libevtx_record_free(&record, NULL);
	}
	return NULL;
}

static void compare_file(const char *path, struct totals *t, struct binxml_decoder *decoder)
{
	static struct binxml_record records[BINXML_MAX_RECORDS];
	libevtx_file_t *file = NULL;
	uint8_t *chunk = malloc(EVTX_CHUNK_SIZE);
	FILE *in = fopen(path, "rb");
	struct strbuf xml = STRBUF_INIT;
	int count = 0, next = 0;
	long chunk_index = 0;
	unsigned long printed = 0;

	if (!in || !chunk || libevtx_file_initialize(&file, NULL) != 1 ||
	    libevtx_file_open(file, path, LIBEVTX_OPEN_READ, NULL) != 1 ||
	    libevtx_file_get_number_of_records(file, &count, NULL) != 1) {
		fprintf(stderr, "%s: not opened by libevtx, skipped\n", path);
		goto out;
	}
	t->files++;
	fseek(in, EVTX_FILE_HEADER_SIZE, SEEK_SET);
	for (; fread(chunk, 1, EVTX_CHUNK_SIZE, in) == EVTX_CHUNK_SIZE; chunk_index++) {
		struct binxml_chunk_info info;
		char why[256];
		int n = binxml_chunk_check(chunk, records, BINXML_MAX_RECORDS, &info, why, sizeof why);

		if (n < 0)
			continue;
		binxml_decoder_set_chunk(decoder, chunk);
		for (int r = 0; r < n; r++) {
			char where[4200];
			char *expected = libevtx_xml(file, count, &next, records[r].number,
						     records[r].written_time);
			struct evtx_event mine, theirs;

			snprintf(where, sizeof where, "%s chunk %ld record %llu", path, chunk_index,
				 (unsigned long long)records[r].number);
			t->records++;
			if (!expected) {
				t->unmatched++;
				continue;
			}
			if (binxml_decode_record(decoder, &records[r], why, sizeof why) != 0) {
				t->refused++;
				if (printed++ < print_limit())
					fprintf(stderr, "%s: refused: %s\n", where, why);
				free(expected);
				continue;
			}
			strbuf_reset(&xml);
			binxml_render_xml(decoder, &xml);
			event_init(&mine);
			event_init(&theirs);
			CHECK(binxml_fill_event(decoder, &mine) == 0);
			if (evtx_flatten_xml(expected, strlen(expected), &theirs) != 0) {
				theirs.data = NULL;
			}
			if (strcmp(strbuf_text(&xml), expected) != 0) {
				t->different++;
				if (printed++ < print_limit())
					fprintf(stderr, "%s: XML differs\n--- libevtx\n%s\n--- decoder\n%s\n",
						where, expected, strbuf_text(&xml));
			} else if (!same_event(&mine, &theirs, where)) {
				t->different++;
			} else {
				t->equal++;
			}
			event_clear(&mine);
			event_clear(&theirs);
			free(expected);
		}
	}
out:
	strbuf_free(&xml);
	if (file) {
		libevtx_file_close(file, NULL);
		libevtx_file_free(&file, NULL);
	}
	if (in)
		fclose(in);
	free(chunk);
}

/* ---- whole files: evtx_parse_file (the decoder, libevtx for what it refuses) against
 * evtx_parse_file_with_libevtx ------------------------------------------------------------ */

/* Everything a reading hands on, one line per event or problem. */
struct transcript {
	struct strbuf text;
	unsigned long events, full, notes;
	int profile; /* 0: every record in full; 1: the catalogue decides (as ingest does) */
};

static int want_profile(void *context, const char *provider, uint32_t event_id)
{
	struct transcript *t = context;

	if (!t->profile)
		return 1;
	/* a fixed, small catalogue: enough to exercise both answers */
	if (provider && strcmp(provider, "Microsoft-Windows-Security-Auditing") == 0)
		return event_id == 4624 || event_id == 4688 ? 1 : 0;
	return event_id % 3 == 0 ? 1 : event_id % 3 == 1 ? 2 : 0;
}

static int keep_rendered(void *context, const char *xml)
{
	(void)context;
	return strstr(xml, "Windows") != NULL;
}

static int transcript_event(void *context, struct evtx_event *e)
{
	struct transcript *t = context;

	t->events++;
	t->full += e->full != 0;
	strbuf_printf(&t->text, "event %llu/%llu off=%lld chunk=%lld rec=%d full=%d time=%llu "
		      "written=%llu id=%u q=%lld v=%d l=%d t=%d o=%d pid=%lld tid=%lld hash=%016llx\n",
		      (unsigned long long)e->record_id, (unsigned long long)e->header_record_id,
		      (long long)e->offset, (long long)e->chunk, e->recovered, e->full,
		      (unsigned long long)e->time, (unsigned long long)e->written_time, e->event_id,
		      (long long)e->qualifiers, e->version, e->level, e->task, e->opcode,
		      (long long)e->process_id, (long long)e->thread_id,
		      (unsigned long long)e->content_hash);
	strbuf_printf(&t->text, "  %s|%s|%s|%s|%s|%s|%s|%s\n  %s\n  %s\n",
		      e->provider ? e->provider : "-", e->provider_guid ? e->provider_guid : "-",
		      e->keywords ? e->keywords : "-", e->channel ? e->channel : "-",
		      e->computer ? e->computer : "-", e->user_sid ? e->user_sid : "-",
		      e->activity_id ? e->activity_id : "-",
		      e->related_activity_id ? e->related_activity_id : "-",
		      e->data ? e->data : "-", e->xml ? e->xml : "-");
	evtx_event_free(e);
	return 0;
}

static void transcript_problem(void *context, const char *location, const char *reason,
			       int severe)
{
	struct transcript *t = context;

	/* the decoder's notes on what it left to libevtx are the one intended difference */
	if (strncmp(reason, "read through libevtx", 20) == 0) {
		if (t->notes++ < print_limit() && !t->profile)
			fprintf(stderr, "note: %s: %s\n", location, reason);
		return;
	}
	strbuf_printf(&t->text, "problem %s: %s (%d)\n", location, reason, severe);
}

struct file_totals {
	unsigned long files, events, full, notes, different;
};

static void compare_readers(const char *path, struct file_totals *totals)
{
	for (int profile = 0; profile < 2; profile++) {
		struct transcript mine = {STRBUF_INIT, 0, 0, 0, profile};
		struct transcript theirs = {STRBUF_INIT, 0, 0, 0, profile};
		struct evtx_callbacks a = {&mine, want_profile, keep_rendered, transcript_event,
					   transcript_problem, NULL};
		struct evtx_callbacks b = {&theirs, want_profile, keep_rendered, transcript_event,
					   transcript_problem, NULL};
		struct evtx_stats sa, sb;
		/* the decoder on several threads for the first profile, on the caller's for the
		 * second: both must hand on exactly what libevtx gives (METHOD.md §1.11) */
		int ra = evtx_parse_file_threads(path, &a, &sa, profile == 0 ? 3 : 1),
		    rb = evtx_parse_file_with_libevtx(path, &b, &sb);

		strbuf_printf(&mine.text, "rc %d records %llu recovered %llu failed %llu/%llu dirty %d "
			      "corrupted %d\n", ra, (unsigned long long)sa.records,
			      (unsigned long long)sa.recovered, (unsigned long long)sa.failed,
			      (unsigned long long)sa.recovered_failed, sa.dirty, sa.corrupted);
		strbuf_printf(&theirs.text, "rc %d records %llu recovered %llu failed %llu/%llu dirty %d "
			      "corrupted %d\n", rb, (unsigned long long)sb.records,
			      (unsigned long long)sb.recovered, (unsigned long long)sb.failed,
			      (unsigned long long)sb.recovered_failed, sb.dirty, sb.corrupted);
		if (profile == 0) {
			totals->files++;
			totals->events += mine.events;
			totals->full += mine.full;
			totals->notes += mine.notes;
		}
		if (strcmp(strbuf_text(&mine.text), strbuf_text(&theirs.text)) != 0) {
			const char *x = strbuf_text(&mine.text), *y = strbuf_text(&theirs.text);
			size_t at = 0;
			while (x[at] && x[at] == y[at])
				at++;
			while (at > 0 && x[at - 1] != '\n')
				at--;
			totals->different++;
			fprintf(stderr, "%s (profile %d): the readers differ from here:\n--- decoder\n%.600s"
				"\n--- libevtx\n%.600s\n", path, profile, x + at, y + at);
		}
		strbuf_free(&mine.text);
		strbuf_free(&theirs.text);
	}
}

static void compare_tree(const char *dir, struct totals *t, struct binxml_decoder *decoder,
			 struct file_totals *files)
{
	struct dirent **entries;
	int n = scandir(dir, &entries, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		size_t length = strlen(entries[i]->d_name);

		snprintf(path, sizeof path, "%s/%s", dir, entries[i]->d_name);
		if (entries[i]->d_name[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				compare_tree(path, t, decoder, files);
			else if (length > 5 && strcmp(entries[i]->d_name + length - 5, ".evtx") == 0) {
				if (getenv("BINXML_RECORD_BY_RECORD"))
					compare_file(path, t, decoder);
				compare_readers(path, files);
			}
		}
		free(entries[i]);
	}
	if (n >= 0)
		free(entries);
}

static void report_files(const char *what, const struct file_totals *t)
{
	printf("%s, whole files: %lu files, %lu events (%lu in full), %lu notes of records or files "
	       "left to libevtx, %lu file(s) read differently\n", what, t->files, t->events, t->full,
	       t->notes, t->different);
}

static void report(const char *what, const struct totals *t)
{
	printf("%s: %lu files, %lu records: %lu equal, %lu refused (read through libevtx), "
	       "%lu not matched to a libevtx record, %lu different\n",
	       what, t->files, t->records, t->equal, t->refused, t->unmatched, t->different);
}

/* Hostile chunks: every byte of the first records of a forged log's first chunk changed in
 * turn (CRCs set again), and the fuzzer's crashers (tests/fuzz/binxml_crashers/), each decoded in
 * full; under the sanitizers any out-of-bounds read or leak fails the test. Returns the number of
 * chunks replayed. */
static unsigned long replay_hostile(const char *forged_log)
{
	static struct binxml_record records[BINXML_MAX_RECORDS];
	static uint8_t original[EVTX_CHUNK_SIZE], chunk[EVTX_CHUNK_SIZE];
	struct dirent **entries;
	unsigned long replayed = 0;
	int decoded_unchanged;
	FILE *in = fopen(forged_log, "rb");
	int n;

	CHECK(in != NULL);
	if (!in)
		return 0;
	CHECK(fseek(in, EVTX_FILE_HEADER_SIZE, SEEK_SET) == 0 &&
	      fread(original, 1, sizeof original, in) == sizeof original);
	fclose(in);
	memcpy(chunk, original, sizeof chunk);
	decoded_unchanged = binxml_replay_chunk(chunk, records);
	CHECK(decoded_unchanged > 0);
	for (size_t at = EVTX_CHUNK_HEADER_SIZE; at < EVTX_CHUNK_HEADER_SIZE + 600; at++) {
		static const uint8_t values[] = {0x00, 0xff, 0x41, 0x0c, 0x21};
		for (size_t v = 0; v < sizeof values; v++) {
			memcpy(chunk, original, sizeof chunk);
			chunk[at] = values[v];
			(void)binxml_replay_chunk(chunk, records);
			replayed++;
		}
	}
	n = scandir(SANDTRACE_SOURCE_DIR "/tests/fuzz/binxml_crashers", &entries, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char path[4096];
		size_t size = 0;
		char *data;

		snprintf(path, sizeof path, "%s/tests/fuzz/binxml_crashers/%s", SANDTRACE_SOURCE_DIR,
			 entries[i]->d_name);
		if (entries[i]->d_name[0] != '.' && (data = check_read_file(path, &size)) != NULL) {
			memset(chunk, 0, sizeof chunk);
			memcpy(chunk, data, size < sizeof chunk ? size : sizeof chunk);
			(void)binxml_replay_chunk(chunk, records);
			replayed++;
			free(data);
		}
		free(entries[i]);
	}
	if (n >= 0)
		free(entries);
	return replayed;
}

int main(int argc, char **argv)
{
	const char *corpus = getenv("SANDTRACE_CORPUS");
	struct binxml_decoder *decoder = binxml_decoder_new();
	struct totals corpus_totals = {0}, forged = {0};
	struct file_totals corpus_files = {0}, forged_files = {0};
	struct stat st;

	CHECK(decoder != NULL);
	if (!decoder)
		return 1;
	if (!corpus)
		corpus = "/work/shared/corpus/evtx";
	if (stat(corpus, &st) == 0) {
		compare_tree(corpus, &corpus_totals, decoder, &corpus_files);
		if (getenv("BINXML_RECORD_BY_RECORD"))
			report("corpus", &corpus_totals);
		report_files("corpus", &corpus_files);
		CHECK(corpus_files.full > 0);
		CHECK_INT(corpus_files.different, 0);
		CHECK_INT(corpus_totals.different, 0);
	} else {
		printf("corpus %s absent: the corpus comparison is skipped\n", corpus);
	}
	if (argc > 1) {
		char dir[] = "/tmp/sandtrace-test-binxml-XXXXXX", command[8192];
		if (mkdtemp(dir)) {
			snprintf(command, sizeof command, "'%s' case '%s/testdata/case' '%s/case' >/dev/null",
				 argv[1], SANDTRACE_SOURCE_DIR, dir);
			CHECK(system(command) == 0);
			compare_tree(dir, &forged, decoder, &forged_files);
			if (getenv("BINXML_RECORD_BY_RECORD"))
				report("forged case", &forged);
			snprintf(command, sizeof command,
				 "%s/case/C/Windows/System32/winevt/Logs/Security.evtx", dir);
			printf("hostile chunks: %lu decoded without a fault\n", replay_hostile(command));
			report_files("forged case", &forged_files);
			CHECK(forged_files.full > 0);
			CHECK_INT(forged_files.different, 0);
			CHECK_INT(forged_files.notes, 0);
			CHECK_INT(forged.different, 0);
			CHECK_INT(forged.refused, 0);
			snprintf(command, sizeof command, "rm -rf '%s'", dir);
			if (system(command) != 0)
				fprintf(stderr, "could not remove %s\n", dir);
		}
	}
	binxml_decoder_free(decoder);
	printf("%d checks, %d failed\n", check_passes + check_failures, check_failures);
	return check_failures ? 1 : 0;
}
