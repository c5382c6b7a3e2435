/*
 * test_hive.c - parsers/hive.c: which keys and values are read from forged and real hives, the
 * control set used, the 1-3 byte inline value workaround, and damaged hives as problems or -1.
 *
 * argv[1] is stforge; the forged hives come from the .reg files of tests/unit/data/hive and from the bundled
 * case (the testdata/case config .hive.reg files, whose values testdata/README.md documents). The real
 * hives of ../shared/corpus/hives (facts from its README) are used when present, else skipped
 * with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "parsers/hive.h"
#include "parsers/hive_log.h"
#include "parsers/hive_replay_marks.h"
#include "parsers/taskcache.h"
#include "timeutil.h"

#define DATA SANDTRACE_SOURCE_DIR "/tests/unit/data/hive/"
#define CASE_CONFIG SANDTRACE_SOURCE_DIR "/testdata/case/C/Windows/System32/config/"
#define TASKCACHE "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache"
#define CBS "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"

/*
 * LeakSanitizer suppression (used by the SANDTRACE_SANITIZE build only): libregf 20201007 leaks
 * the root key item (216 bytes) when libregf_file_get_root_key fails on a damaged hive, even after
 * libregf_file_free; reproduced with a program using libregf alone (open, get root key, free) on
 * the corpus' corrupted SYSTEM hive and on a forged hive cut inside its bin. Our own allocations
 * (hive_result, rows, libregf_file_initialize) are not suppressed.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libregf_key_item_initialize\n";
}

static const char *stforge;
static char temp_dir[] = "/tmp/sandtrace-test-hive-XXXXXX";

/* Forges SOURCE into the temp dir as NAME; returns the path (static buffer per call site). */
static int forge(const char *source, const char *name, char *out, size_t out_size)
{
	char command[4096];

	snprintf(out, out_size, "%s/%s", temp_dir, name);
	snprintf(command, sizeof command, "'%s' hive '%s' '%s' >/dev/null", stforge, source, out);
	if (system(command) != 0) {
		fprintf(stderr, "stforge failed for %s\n", source);
		return -1;
	}
	return 0;
}

static struct hive_result *parse(const char *path)
{
	struct hive_result *result = NULL;
	char err[512];

	if (hive_parse_file(path, &result, err, sizeof err) != 0) {
		fprintf(stderr, "hive_parse_file(%s): %s\n", path, err);
		return NULL;
	}
	return result;
}

/* Forges the .reg SOURCE (as TAG) and parses it; NULL, with a failed check, if either fails. */
static struct hive_result *forge_parsed(const char *source, const char *tag)
{
	char path[1024];
	struct hive_result *r = NULL;

	if (forge(source, tag, path, sizeof path) == 0)
		r = parse(path);
	CHECK(r != NULL);
	return r;
}

/* Forges SOURCE.hive.reg with its transaction logs SOURCE.LOG1.reg and SOURCE.LOG2.reg (as TAG),
 * replays them and parses the result; NULL, with a failed check, if any step fails. */
static struct hive_result *forge_parsed_replayed(const char *source, const char *tag)
{
	char out[1024], command[4096], log1[1100], log2[1100], err[512];
	char *logs[2] = {log1, log2};
	struct hive_replay *replay = NULL;
	struct hive_result *r = NULL;

	snprintf(out, sizeof out, "%s/%s", temp_dir, tag);
	snprintf(command, sizeof command, "'%s' hive '%s.hive.reg' '%s' '%s.LOG1.reg' '%s.LOG2.reg' "
		 ">/dev/null", stforge, source, out, source, source);
	snprintf(log1, sizeof log1, "%s.LOG1", out);
	snprintf(log2, sizeof log2, "%s.LOG2", out);
	if (system(command) == 0 &&
	    hive_log_replay_files(out, logs, 2, &replay, err, sizeof err) == 0 &&
	    replay->applied == 2 && hive_parse_memory(replay->data, replay->size, &r, err,
						      sizeof err) != 0)
		r = NULL;
	hive_replay_free(replay);
	CHECK(r != NULL);
	return r;
}

/* The row of KEY_PATH with VALUE_NAME (NULL = the key row), or NULL. */
static const struct hive_row *row_find(const struct hive_result *r, const char *key_path,
				       const char *value_name)
{
	for (size_t i = 0; r && i < r->row_count; i++) {
		const struct hive_row *row = &r->rows[i];
		if (strcmp(row->key_path, key_path) != 0)
			continue;
		if (!value_name ? !row->value_name : row->value_name && !strcmp(row->value_name, value_name))
			return row;
	}
	return NULL;
}

static size_t rows_containing(const struct hive_result *r, const char *text)
{
	size_t n = 0;

	for (size_t i = 0; r && i < r->row_count; i++)
		if (strstr(r->rows[i].key_path, text) ||
		    (r->rows[i].value_name && strstr(r->rows[i].value_name, text)))
			n++;
	return n;
}

static const struct hive_problem *problem_find(const struct hive_result *r, const char *text)
{
	for (size_t i = 0; r && i < r->problem_count; i++)
		if (strstr(r->problems[i].reason, text))
			return &r->problems[i];
	return NULL;
}

static uint64_t ft(const char *iso)
{
	uint64_t t = 0;

	if (filetime_parse_iso(iso, &t) != 0)
		fprintf(stderr, "bad time in test: %s\n", iso);
	return t;
}

static uint64_t number_of(const struct hive_result *r, const char *key, const char *value)
{
	const struct hive_row *row = row_find(r, key, value);

	if (!row || !row->has_number) {
		fprintf(stderr, "no number at %s\\%s\n", key, value);
		return 0xDEADDEADull;
	}
	return row->number;
}

static const char *text_of(const struct hive_result *r, const char *key, const char *value)
{
	const struct hive_row *row = row_find(r, key, value);

	return row && row->text ? row->text : "(missing)";
}

static void test_software_known_keys_only(void)
{
	struct hive_result *r;
	const struct hive_row *row;
	const char *feature = CBS "\\Notifications\\OptionalFeatures\\Containers-DisposableClientVM";
	const char *pkg = CBS "\\Packages\\Containers-OptionalFeature-DisposableClientVM-Package"
			      "~31bf3856ad364e35~amd64~~10.0.26100.1";
	char updates[1024], update_key[1200];

	r = forge_parsed(DATA "software.reg", "software");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "SOFTWARE");
	CHECK_INT(r->kind, HIVE_KIND_SOFTWARE);
	CHECK_INT(r->dirty, 0);
	CHECK_INT(r->problem_count, 0);
	CHECK_INT(r->control_set, 0);

	/* §2.1 feature selection, with the key LastWrite to 100 ns */
	row = row_find(r, feature, "Selection");
	CHECK(row && row->value_type == HIVE_REG_DWORD && row->number == 0);
	CHECK(row && row->key_last_written == ft("2025-01-08T07:21:18.1234567Z"));
	CHECK_STR(row ? row->source : NULL, "§2.1");
	CHECK_INT(number_of(r, feature, "Removed"), 1);
	CHECK(row_find(r, CBS "\\Notifications\\OptionalFeatures\\Microsoft-Hyper-V", "Selection") == NULL);

	/* §2.1 packages by prefix, Updates as a key with a subkey (tolerant form) */
	CHECK_INT(number_of(r, pkg, "CurrentState"), 0x60);
	snprintf(updates, sizeof updates, "%s\\Updates", pkg);
	row = row_find(r, updates, NULL);
	CHECK(row && row->key_last_written == ft("2025-01-08T07:21:20Z") && row->value_type == 0);
	snprintf(update_key, sizeof update_key, "%s\\Containers-DisposableClientVM", updates);
	CHECK_INT(number_of(r, update_key, "State"), 0x60);
	CHECK_INT(number_of(r, CBS "\\Packages\\Containers-DisposableClientVM-merged-Package"
				   "~31bf3856ad364e35~amd64~~10.0.26100.1", "CurrentState"), 0xFFFFFF80u);
	CHECK_INT(rows_containing(r, "Microsoft-Hyper-V-Package"), 0);
	/* prefix match ignores case; the key path keeps the name as stored */
	CHECK_INT(number_of(r, CBS "\\ApplicabilityEvaluationCache\\containers-disposableclientvm-package"
				   "~31bf3856ad364e35~amd64~~10.0.26100.1", "ApplicableState"), 0x70);

	/* §2.2 policy: set values read, absent values absent */
	CHECK_INT(number_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowNetworking"), 0);
	CHECK_INT(number_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowMappedFolders"), 1);
	CHECK_INT(number_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowWriteToMappedFolders"), 0);
	CHECK(row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowClipboardRedirection") == NULL);
	CHECK_STR(text_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "Note"), "set by GPO");
	CHECK_INT(number_of(r, "Microsoft\\PolicyManager\\current\\device\\WindowsSandbox",
			    "AllowNetworking_ProviderSet"), 1);
	CHECK_INT(rows_containing(r, "Unrelated"), 0);

	/* libregf 20201007 inline-value bug: 1- and 3-byte REG_BINARY must keep their first bytes */
	row = row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "Tiny");
	CHECK(row && row->value_type == HIVE_REG_BINARY && row->data_size == 1 && row->data[0] == 0xAB);
	row = row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "Three");
	CHECK(row && row->data_size == 3 && row->data && !memcmp(row->data, "\x01\x02\x03", 3));
	CHECK(row && row->text == NULL);
	row = row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "Four");
	CHECK(row && row->data_size == 4 && row->data && !memcmp(row->data, "\x0a\x0b\x0c\x0d", 4));
	/* decoded text of the other types */
	CHECK_STR(text_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "Big"), "81985529216486895");
	CHECK_STR(text_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "List"), "one\ntwo");
	CHECK_STR(text_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "Path"), "%w%");
	row = row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "Path");
	CHECK(row && row->value_type == HIVE_REG_EXPAND_SZ && row->data_size == 8);

	/* §3.2 only the named value; §3.1 build values only */
	CHECK_INT(number_of(r, "Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit",
			    "ProcessCreationIncludeCmdLine_Enabled"), 0);
	CHECK(row_find(r, "Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit", "SomethingElse") == NULL);
	CHECK_STR(text_of(r, "Microsoft\\Windows NT\\CurrentVersion", "CurrentBuild"), "26100");
	CHECK(row_find(r, "Microsoft\\Windows NT\\CurrentVersion", "RegisteredOrganization") == NULL);

	/* §4.2 Tree recursively, key rows for folders without values */
	row = row_find(r, TASKCACHE "\\Tree", NULL);
	CHECK(row && row->key_last_written == ft("2024-11-12T05:20:55Z"));
	row = row_find(r, TASKCACHE "\\Tree\\Folder\\Empty", NULL);
	CHECK(row && row->key_last_written == ft("2024-11-12T05:20:57Z"));
	row = row_find(r, TASKCACHE "\\Tree\\Folder", "SD");
	CHECK(row && row->data_size == 4);
	CHECK(row_find(r, TASKCACHE "\\Tree\\Folder", NULL) == NULL);
	CHECK_STR(text_of(r, TASKCACHE "\\Tree\\Folder\\Hidden", "Id"), "{11111111-2222-3333-4444-555555555555}");
	CHECK_INT(number_of(r, TASKCACHE "\\Tree\\Folder\\Hidden", "Index"), 3);
	CHECK(row_find(r, TASKCACHE "\\Tree\\Folder\\Hidden", "SD") == NULL);
	CHECK(row_find(r, TASKCACHE "\\Tree\\Folder\\Hidden", "Extra") == NULL);
	row = row_find(r, TASKCACHE "\\Tree\\Folder\\Hidden", "Index");
	CHECK(row && row->key_last_written == ft("2025-01-06T06:14:10.7730126Z"));
	/* Tasks: every value; the blobs decode (layouts in tests/unit/data/hive/software.reg) */
	row = row_find(r, TASKCACHE "\\Tasks\\{11111111-2222-3333-4444-555555555555}", "Actions");
	CHECK(row && row->data_size == 184);
	if (row) {
		struct taskcache_actions actions;
		CHECK_INT(taskcache_decode_actions(row->data, row->data_size, &actions), 0);
		CHECK(actions.context == NULL);
		CHECK_INT(actions.action_count, 2);
		if (actions.action_count == 2) {
			CHECK_STR(actions.actions[0].command, "C:\\Windows\\System32\\WindowsSandbox.exe");
			CHECK_STR(actions.actions[1].clsid, "{0F87369F-A4E5-4CFC-BD3E-73E6154572DD}");
		}
		taskcache_actions_clear(&actions);
	}
	row = row_find(r, TASKCACHE "\\Tasks\\{11111111-2222-3333-4444-555555555555}", "DynamicInfo");
	CHECK(row && row->data_size == 28);
	CHECK_STR(text_of(r, TASKCACHE "\\Tasks\\{11111111-2222-3333-4444-555555555555}", "Path"),
		  "\\Folder\\Hidden");
	/* buckets: the bucket keys and their GUID keys as key rows; Logon absent */
	CHECK(row_find(r, TASKCACHE "\\Plain", NULL) != NULL);
	CHECK(row_find(r, TASKCACHE "\\Boot", NULL) != NULL);
	row = row_find(r, TASKCACHE "\\Boot\\{11111111-2222-3333-4444-555555555555}", NULL);
	CHECK(row && row->key_last_written == ft("2025-01-06T06:14:13Z"));
	CHECK(row_find(r, TASKCACHE "\\Logon", NULL) == NULL);
	CHECK_INT(r->row_count, 35);
	hive_result_free(r);
}

static void test_system_uses_select_current(void)
{
	struct hive_result *r;
	const struct hive_row *row;

	r = forge_parsed(DATA "system_select2.reg", "system2");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "SYSTEM");
	CHECK_INT(r->control_set, 2);
	CHECK_INT(r->control_set_from_select, 1);
	CHECK_INT(r->problem_count, 0);
	CHECK_INT(number_of(r, "Select", "Current"), 2);
	CHECK_INT(number_of(r, "Select", "LastKnownGood"), 1);
	CHECK_STR(text_of(r, "ControlSet002\\Control\\ComputerName\\ComputerName", "ComputerName"), "NEW-NAME");
	CHECK_INT(rows_containing(r, "ControlSet001"), 0);
	CHECK_INT(number_of(r, "ControlSet002\\Services\\vmcompute", "Start"), 4);
	CHECK_INT(number_of(r, "ControlSet002\\Services\\CmService", "Start"), 3);
	CHECK_INT(number_of(r, "ControlSet002\\Services\\CmService", "Type"), 0x20);
	CHECK_STR(text_of(r, "ControlSet002\\Services\\CmService", "ImagePath"), "%SystemRoot%");
	CHECK_STR(text_of(r, "ControlSet002\\Services\\CmService", "DisplayName"), "Container Manager Service");
	CHECK(row_find(r, "ControlSet002\\Services\\CmService", "ErrorControl") == NULL);
	row = row_find(r, "ControlSet002\\Services\\CmService", "Start");
	CHECK(row && row->key_last_written == ft("2025-01-06T02:16:19.1203377Z"));
	CHECK_INT(rows_containing(r, "Spooler"), 0);
	CHECK_INT(number_of(r, "ControlSet002\\Control\\TimeZoneInformation", "Bias"), 0xFFFFFDE4u);
	CHECK_STR(text_of(r, "ControlSet002\\Control\\TimeZoneInformation", "TimeZoneKeyName"),
		  "Tokyo Standard Time");
	CHECK(row_find(r, "ControlSet002\\Control\\TimeZoneInformation", "DaylightName") == NULL);
	hive_result_free(r);
}

static void test_system_without_select_falls_back_with_note(void)
{
	struct hive_result *r;
	const struct hive_problem *p;

	r = forge_parsed(DATA "system_noselect.reg", "system0");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "SYSTEM");
	CHECK_INT(r->control_set, 1);
	CHECK_INT(r->control_set_from_select, 0);
	p = problem_find(r, "Select missing");
	CHECK(p && p->severe == 0);
	CHECK_STR(text_of(r, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName"), "NO-SELECT");
	CHECK_INT(number_of(r, "ControlSet001\\Services\\hns", "Start"), 3);
	CHECK_INT(r->row_count, 2);
	hive_result_free(r);
}

static void test_security_reads_poladtev_default_value(void)
{
	struct hive_result *r;
	const struct hive_row *row;

	r = forge_parsed(DATA "security.reg", "security");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "SECURITY");
	row = row_find(r, "Policy\\PolAdtEv", "");
	CHECK(row && row->value_type == HIVE_REG_NONE && row->data_size == 150);
	CHECK(row && row->data && row->data[0x4E] == 3 && row->data[8] == 0x84);
	CHECK(row && row->key_last_written == ft("2024-10-01T01:00:12.3601177Z"));
	CHECK_STR(row ? row->source : NULL, "§3.1");
	CHECK(row_find(r, "Policy\\PolAdtEv", "Other") == NULL);
	CHECK_INT(r->row_count, 1);
	hive_result_free(r);
}

static void test_other_hive_reads_nothing(void)
{
	struct hive_result *r;

	r = forge_parsed(DATA "other.reg", "other");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "other");
	CHECK_INT(r->row_count, 0);
	hive_result_free(r);
}

/* A string value with text after its terminating NUL: the decoded text stops at the NUL (as
 * Windows reads it), the raw bytes keep everything, and a note says what the text does not show.
 * Trailing NULs alone, and MULTI_SZ lists, are not noted. */
static void test_string_with_text_after_nul_is_noted(void)
{
	struct hive_result *r;
	const struct hive_row *row;
	const struct hive_problem *p;
	const char *key = "Policies\\Microsoft\\Windows\\Sandbox";

	r = forge_parsed(DATA "nul_strings.reg", "nul-strings");
	if (!r)
		return;
	CHECK_STR(text_of(r, key, "Hidden"), "C:\\a.exe");
	row = row_find(r, key, "Hidden");
	CHECK(row && row->data_size == 26);
	p = problem_find(r, "after its terminating NUL");
	CHECK(p && p->severe == 0 && !strcmp(p->location, "Policies\\Microsoft\\Windows\\Sandbox\\Hidden"));
	CHECK(p && strstr(p->reason, "has 8 bytes after its terminating NUL"));
	CHECK_STR(text_of(r, key, "Padded"), "ok");
	CHECK_INT(r->problem_count, 1);
	hive_result_free(r);
}

static int file_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, size, f) == size;

	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static uint8_t *file_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return data;
}

/* XOR-32 of the first 0x1FC bytes, stored at 0x1FC (base block). */
static void base_block_checksum_fix(uint8_t *block)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < 0x1FC; i += 4)
		sum ^= (uint32_t)block[i] | (uint32_t)block[i + 1] << 8 | (uint32_t)block[i + 2] << 16 |
		       (uint32_t)block[i + 3] << 24;
	for (int i = 0; i < 4; i++)
		block[0x1FC + i] = (uint8_t)(sum >> (8 * i));
}

/* Writes DATA (SIZE bytes) to the temp dir as NAME and parses it; NULL, with a failed check, if
 * either fails. */
static struct hive_result *write_parsed(const char *name, const uint8_t *data, size_t size)
{
	char path[1100];
	struct hive_result *r = NULL;

	snprintf(path, sizeof path, "%s/%s", temp_dir, name);
	if (file_write(path, data, size) == 0)
		r = parse(path);
	CHECK(r != NULL);
	return r;
}

static void test_damaged_hives_are_problems_or_refused(void)
{
	char path[1024], damaged[1100], err[256];
	struct hive_result *r = NULL;
	uint8_t *data;
	size_t size = 0;
	int rc;

	/* not a hive at all: -1 with a reason */
	snprintf(damaged, sizeof damaged, "%s/garbage", temp_dir);
	CHECK(file_write(damaged, (const uint8_t *)"this is no registry hive", 24) == 0);
	err[0] = '\0';
	CHECK_INT(hive_parse_file(damaged, &r, err, sizeof err), -1);
	CHECK(r == NULL && err[0] != '\0');

	if (forge(DATA "security.reg", "security-base", path, sizeof path))
		{
		CHECK(0);
		return;
	}
	data = file_read(path, &size);
	CHECK(data && size >= 8192);
	if (!data)
		return;
	/* secondary sequence number changed, checksum recomputed: a dirty hive, keys still read */
	data[8] ^= 0x01;
	base_block_checksum_fix(data);
	r = write_parsed("dirty", data, size);
	if (r) {
		const struct hive_problem *p = problem_find(r, "transaction logs not applied");
		CHECK(p && p->severe == 0 && !strcmp(p->location, "base block"));
		CHECK(r->dirty == 1 && r->sequence_primary != r->sequence_secondary);
		CHECK(problem_find(r, "bad checksum") == NULL);
		CHECK(row_find(r, "Policy\\PolAdtEv", "") != NULL);
		hive_result_free(r);
	}
	/* bad checksum: libregf 20201007 refuses the file; it is read through a repaired copy in
	 * memory, every key as in the intact hive, and the repair is a severe problem */
	data[0x30] ^= 0x5A;
	r = write_parsed("checksum", data, size);
	if (r) {
		const struct hive_problem *p = problem_find(r, "read through a repaired copy in memory");
		CHECK(p && p->severe == 1 && strstr(p->reason, "bad checksum") &&
		      !strstr(p->reason, "signature"));
		CHECK(row_find(r, "Policy\\PolAdtEv", "") != NULL);
		hive_result_free(r);
	}
	/* and the signature too ("regf" -> "xegf"): still read, both named */
	data[0] = 'x';
	r = write_parsed("signature", data, size);
	if (r) {
		const struct hive_problem *p = problem_find(r, "read through a repaired copy in memory");
		CHECK(p && strstr(p->reason, "signature is not regf") && strstr(p->reason, "bad checksum"));
		CHECK_STR(r->kind_name, "SECURITY");
		CHECK(row_find(r, "Policy\\PolAdtEv", "") != NULL);
		hive_result_free(r);
	}
	/* A fuzz_hive finding kept as a test: a damaged base block (read through a repaired copy in
	 * memory) and a hive bin that claims more bytes than the file has. libbfio's memory range
	 * copied past its end here. Never a crash: read what is there, or refuse with a reason. */
	r = NULL;
	err[0] = '\0';
	rc = hive_parse_file(DATA "fuzz-crash-bin-past-end.hive", &r, err, sizeof err);
	CHECK(rc == 0 || (rc == -1 && err[0]));
	hive_result_free(r);
	data[0] = 'r';
	data[0x30] ^= 0x5A;
	data[8] ^= 0x01;
	base_block_checksum_fix(data);
	/* truncated inside its only hive bin: libregf 20201007 refuses it (as it refuses the corpus'
	 * truncated hive), so -1 with a reason, never a crash */
	snprintf(damaged, sizeof damaged, "%s/truncated", temp_dir);
	CHECK(file_write(damaged, data, 4096 + 2048) == 0);
	r = NULL;
	err[0] = '\0';
	rc = hive_parse_file(damaged, &r, err, sizeof err);
	CHECK_INT(rc, -1);
	CHECK(r == NULL && err[0] != '\0');
	if (rc != -1 || !err[0])
		fprintf(stderr, "truncated: %s\n", err);
	hive_result_free(r);
	free(data);
}

/* The bundled case (testdata/README.md "Host" and "TaskCache binary layouts written"). */
static void test_case_hives_match_readme(void)
{
	struct hive_result *r;
	const struct hive_row *row;
	const char *mal = TASKCACHE "\\Tasks\\{6E1F3B7A-2C49-4D8E-A5B1-90C3D7E2F468}";
	const char *od = TASKCACHE "\\Tasks\\{0D4B8F2E-6A1C-4E93-B7D5-28F4C6A0E1B3}";
	const char *od_tree = TASKCACHE "\\Tree\\OneDrive Standalone Update Task-S-1-5-21-2874913052-"
				     "1405867236-3967512238-1001";
	const char *mal_tree = TASKCACHE "\\Tree\\Microsoft\\Windows\\Maintenance\\MaintenanceSync";
	char iso[40];

	r = forge_parsed(CASE_CONFIG "SYSTEM.hive.reg", "case-system");
	if (r) {
		static const struct {
			const char *service;
			unsigned start;
		} services[] = {{"vmcompute", 3}, {"CmService", 3}, {"hns", 3}, {"hvhost", 3},
				{"vmms", 2},      {"vmsmp", 3},     {"Schedule", 2}};
		char key[256];
		CHECK_STR(r->kind_name, "SYSTEM");
		CHECK_INT(r->control_set, 1);
		CHECK_INT(r->control_set_from_select, 1);
		CHECK_STR(text_of(r, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName"), "PC-K01");
		CHECK_STR(text_of(r, "ControlSet001\\Control\\TimeZoneInformation", "TimeZoneKeyName"),
			  "Tokyo Standard Time");
		CHECK_INT(number_of(r, "ControlSet001\\Control\\TimeZoneInformation", "Bias"), 0xFFFFFDE4u);
		CHECK_INT(number_of(r, "ControlSet001\\Control\\Lsa", "SCENoApplyLegacyAuditPolicy"), 1);
		for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
			snprintf(key, sizeof key, "ControlSet001\\Services\\%s", services[i].service);
			CHECK_INT(number_of(r, key, "Start"), services[i].start);
		}
		row = row_find(r, "ControlSet001\\Services\\CmService", "Start");
		CHECK(row && row->key_last_written == ft("2025-01-06T02:16:19.1203377Z"));
		row = row_find(r, "ControlSet001\\Services\\bam\\State\\UserSettings\\S-1-5-21-2874913052-"
				  "1405867236-3967512238-1001",
			       "\\Device\\HarddiskVolume3\\Windows\\System32\\WindowsSandbox.exe");
		CHECK(row && row->data_size == 24);
		if (row && row->data_size == 24) {
			uint64_t t = 0;
			for (int i = 7; i >= 0; i--)
				t = t << 8 | row->data[i];
			CHECK(t == ft("2025-01-06T02:37:45.9301188Z"));
		}
		hive_result_free(r);
	}

	r = forge_parsed(CASE_CONFIG "SECURITY.hive.reg", "case-security");
	if (r) {
		CHECK_STR(r->kind_name, "SECURITY");
		row = row_find(r, "Policy\\PolAdtEv", "");
		CHECK(row && row->data_size == 150 && row->data[0x4E] == 3 && row->data[0x16] == 3);
		CHECK(row && row->key_last_written == ft("2024-10-01T01:00:12.3601177Z"));
		hive_result_free(r);
	}

	/* The case's SOFTWARE is dirty: the malicious task's TaskCache keys are only in its logs. */
	r = forge_parsed(CASE_CONFIG "SOFTWARE.hive.reg", "case-software-primary");
	if (r) {
		CHECK(row_find(r, TASKCACHE "\\Tasks\\{6E1F3B7A-2C49-4D8E-A5B1-90C3D7E2F468}", NULL) == NULL);
		CHECK_INT(rows_containing(r, "MaintenanceSync"), 0);
		hive_result_free(r);
	}
	r = forge_parsed_replayed(CASE_CONFIG "SOFTWARE", "case-software");
	if (!r)
		return;
	CHECK_STR(r->kind_name, "SOFTWARE");
	row = row_find(r, CBS "\\Notifications\\OptionalFeatures\\Containers-DisposableClientVM", "Selection");
	CHECK(row && row->number == 1 && row->key_last_written == ft("2025-01-06T02:13:58.4471093Z"));
	CHECK_INT(number_of(r, CBS "\\Packages\\Containers-OptionalFeature-DisposableClientVM-Package"
				   "~31bf3856ad364e35~amd64~~10.0.22621.4602\\Updates",
			    "Containers-DisposableClientVM"), 0x70);
	CHECK_INT(number_of(r, CBS "\\Packages\\Containers-DisposableClientVM-Package"
				   "~31bf3856ad364e35~amd64~~10.0.22621.4602", "CurrentState"), 0x70);
	CHECK_INT(number_of(r, CBS "\\ApplicabilityEvaluationCache\\Containers-OptionalFeature-"
				   "DisposableClientVM-Package~31bf3856ad364e35~amd64~~10.0.22621.4602",
			    "ApplicableState"), 0x70);
	CHECK_INT(number_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowClipboardRedirection"), 0);
	CHECK_INT(number_of(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowPrinterRedirection"), 0);
	CHECK(row_find(r, "Policies\\Microsoft\\Windows\\Sandbox", "AllowNetworking") == NULL);
	CHECK_INT(number_of(r, "Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit",
			    "ProcessCreationIncludeCmdLine_Enabled"), 1);
	/* the MAL Tree key: Id and Index, no SD, LastWrite 06:14:10 */
	CHECK(row_find(r, mal_tree, "SD") == NULL);
	CHECK_INT(number_of(r, mal_tree, "Index"), 3);
	row = row_find(r, mal_tree, "Id");
	CHECK(row && row->key_last_written == ft("2025-01-06T06:14:10.7730126Z"));
	CHECK(row_find(r, od_tree, "SD") != NULL);
	CHECK(row_find(r, TASKCACHE "\\Boot\\{6E1F3B7A-2C49-4D8E-A5B1-90C3D7E2F468}", NULL) != NULL);
	CHECK(row_find(r, TASKCACHE "\\Plain\\{0D4B8F2E-6A1C-4E93-B7D5-28F4C6A0E1B3}", NULL) != NULL);

	/* MAL blobs */
	row = row_find(r, mal, "Actions");
	CHECK(row && row->data_size == 202);
	if (row) {
		struct taskcache_actions a;
		CHECK_INT(taskcache_decode_actions(row->data, row->data_size, &a), 0);
		CHECK_INT(a.version, 3);
		CHECK_STR(a.context, "LocalSystem");
		CHECK_INT(a.action_count, 1);
		if (a.action_count == 1) {
			CHECK_STR(a.actions[0].kind_name, "Exec");
			CHECK_STR(a.actions[0].id, "");
			CHECK_STR(a.actions[0].command, "C:\\Windows\\System32\\WindowsSandbox.exe");
			CHECK_STR(a.actions[0].arguments, "C:\\Windows\\System32\\MaintenanceSync.wsb");
			CHECK_STR(a.actions[0].working_directory, "");
			CHECK(a.actions[0].has_flags && a.actions[0].flags == 0);
		}
		taskcache_actions_clear(&a);
	}
	row = row_find(r, mal, "Triggers");
	CHECK(row && row->data_size == 312);
	if (row) {
		struct taskcache_triggers t;
		CHECK_INT(taskcache_decode_triggers(row->data, row->data_size, &t), 0);
		CHECK_INT(t.version, 0x17);
		CHECK_INT(t.flags, 0x43c02100);
		CHECK(t.flags & TASKCACHE_BUCKET_HIDDEN);
		CHECK_INT(t.xml_crc32, 0x7344bc6a);
		CHECK_STR(t.principal_id, "LocalSystem");
		CHECK_STR(t.display_name, "");
		CHECK_INT(t.sid_type, 5);
		CHECK_STR(t.sid, "S-1-5-18");
		CHECK_STR(t.user_name, "SYSTEM");
		CHECK_INT(t.start_boundary.is_localized, 1);
		filetime_format_iso(t.start_boundary.filetime, iso, sizeof iso);
		CHECK_STR(iso, "2025-01-06T15:10:00.0000000Z"); /* wall-clock local, as localized */
		CHECK(t.end_boundary.filetime == 0);
		CHECK_INT(t.optional_settings_size, 0x30);
		CHECK_INT(t.trigger_count, 1);
		if (t.trigger_count == 1) {
			CHECK_STR(t.triggers[0].kind_name, "boot");
			CHECK_INT(t.triggers[0].enabled, 1);
			CHECK(t.triggers[0].start.filetime == t.start_boundary.filetime);
		}
		taskcache_triggers_clear(&t);
	}
	row = row_find(r, mal, "DynamicInfo");
	if (row) {
		struct taskcache_dynamic_info d;
		CHECK_INT(taskcache_decode_dynamic_info(row->data, row->data_size, &d), 0);
		CHECK(d.creation_time == ft("2025-01-06T06:12:33.5498811Z"));
		CHECK(d.last_run_time == ft("2025-01-07T00:02:19.9050012Z"));
		CHECK(d.has_last_successful_run && d.last_successful_run_time == ft("2025-01-07T09:28:06.3601187Z"));
		CHECK(d.task_state == 0 && d.last_error == 0);
	} else {
		CHECK(0);
	}
	/* OD blobs */
	row = row_find(r, od, "Actions");
	CHECK(row && row->data_size == 164);
	if (row) {
		struct taskcache_actions a;
		CHECK_INT(taskcache_decode_actions(row->data, row->data_size, &a), 0);
		CHECK_STR(a.context, "Author");
		CHECK_INT(a.action_count, 1);
		if (a.action_count == 1)
			CHECK_STR(a.actions[0].command,
				  "%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe");
		taskcache_actions_clear(&a);
	}
	row = row_find(r, od, "Triggers");
	CHECK(row && row->data_size == 352);
	if (row) {
		struct taskcache_triggers t;
		CHECK_INT(taskcache_decode_triggers(row->data, row->data_size, &t), 0);
		CHECK_INT(t.flags, 0x424121e0);
		CHECK_INT(t.xml_crc32, 0xc53fd03e);
		CHECK_STR(t.principal_id, "Author");
		CHECK_INT(t.sid_type, 1);
		CHECK_STR(t.sid, "S-1-5-21-2874913052-1405867236-3967512238-1001");
		CHECK_STR(t.user_name, "PC-K01\\k.tanaka");
		CHECK_INT(t.trigger_count, 1);
		if (t.trigger_count == 1) {
			CHECK_STR(t.triggers[0].kind_name, "time");
			CHECK_INT(t.triggers[0].enabled, 1);
			CHECK_INT(t.triggers[0].start.is_localized, 1);
			filetime_format_iso(t.triggers[0].start.filetime, iso, sizeof iso);
			CHECK_STR(iso, "1992-05-01T11:00:00.0000000Z");
		}
		taskcache_triggers_clear(&t);
	}
	row = row_find(r, od, "DynamicInfo");
	if (row) {
		struct taskcache_dynamic_info d;
		CHECK_INT(taskcache_decode_dynamic_info(row->data, row->data_size, &d), 0);
		CHECK(d.creation_time == ft("2024-11-20T04:03:11.2208841Z"));
		CHECK(d.last_run_time == ft("2025-01-07T01:15:40.0289013Z"));
		CHECK(d.last_successful_run_time == ft("2025-01-07T01:16:01.4458120Z"));
	} else {
		CHECK(0);
	}

	/* cross-checks on the case: only MAL's missing SD, given both XML files */
	{
		struct taskcache_tree_entry tree[8];
		struct taskcache_task_entry tasks[4];
		const char *xml[] = {"Microsoft/Windows/Maintenance/MaintenanceSync",
				     "OneDrive Standalone Update Task-S-1-5-21-2874913052-1405867236-3967512238-1001"};
		struct taskcache_check_input in = {tree, 0, tasks, 0, xml, 2};
		struct taskcache_finding *f = NULL;
		size_t n = 0, tree_prefix = strlen(TASKCACHE "\\Tree");

		for (size_t i = 0; i < r->row_count; i++) {
			const struct hive_row *w = &r->rows[i];
			if (!strncmp(w->key_path, TASKCACHE "\\Tree\\", tree_prefix + 1) &&
			    (in.tree_count == 0 || strcmp(tree[in.tree_count - 1].path, w->key_path + tree_prefix)) &&
			    in.tree_count < 8) {
				tree[in.tree_count].path = w->key_path + tree_prefix;
				tree[in.tree_count].has_sd = tree[in.tree_count].has_index = 0;
				tree[in.tree_count].id = NULL;
				in.tree_count++;
			}
			if (!strncmp(w->key_path, TASKCACHE "\\Tree\\", tree_prefix + 1) && w->value_name) {
				struct taskcache_tree_entry *e = &tree[in.tree_count - 1];
				e->has_sd |= !strcmp(w->value_name, "SD");
				e->has_index |= !strcmp(w->value_name, "Index");
				if (!strcmp(w->value_name, "Id"))
					e->id = w->text;
			}
			if (!strncmp(w->key_path, TASKCACHE "\\Tasks\\", strlen(TASKCACHE "\\Tasks\\")) &&
			    w->value_name && !strcmp(w->value_name, "Path") && in.task_count < 4) {
				tasks[in.task_count].guid = w->key_path + strlen(TASKCACHE "\\Tasks\\");
				tasks[in.task_count].path = w->text;
				in.task_count++;
			}
		}
		CHECK_INT(in.tree_count, 5);
		CHECK_INT(in.task_count, 2);
		CHECK_INT(taskcache_check_consistency(&in, &f, &n), 0);
		CHECK_INT(n, 1);
		if (n == 1) {
			CHECK_STR(f[0].code, "tree-without-sd");
			CHECK_STR(f[0].task_path, "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync");
			CHECK_STR(f[0].guid, "{6E1F3B7A-2C49-4D8E-A5B1-90C3D7E2F468}");
		}
		taskcache_findings_free(f, n);
	}
	hive_result_free(r);
}

/* Real hives (../shared/corpus/hives, facts from its README). */
static const char *corpus_dir(void)
{
	const char *env = getenv("SANDTRACE_CORPUS");
	static char path[1024];

	snprintf(path, sizeof path, "%s/hives", env ? env : SANDTRACE_SOURCE_DIR "/../shared/corpus");
	return access(path, R_OK) == 0 ? path : NULL;
}

static int unxz(const char *source, const char *name, char *out, size_t out_size)
{
	char command[4096];

	snprintf(out, out_size, "%s/%s", temp_dir, name);
	snprintf(command, sizeof command, "xz -dc '%s' > '%s'", source, out);
	return system(command) == 0 ? 0 : -1;
}

static void test_corpus_hives(void)
{
	const char *dir = corpus_dir();
	char source[2048], path[1024], err[256];
	struct hive_result *r;

	if (!dir) {
		printf("test_hive: skipped real hives: shared/corpus not found\n");
		return;
	}
	snprintf(source, sizeof source, "%s/regipy_SECURITY", dir);
	r = parse(source);
	CHECK(r != NULL);
	if (r) {
		const struct hive_row *row = row_find(r, "Policy\\PolAdtEv", "");
		CHECK_STR(r->kind_name, "SECURITY");
		CHECK(row && row->data_size == 150);
		CHECK(r->dirty && r->sequence_primary == 107 && r->sequence_secondary == 106);
		CHECK(problem_find(r, "transaction logs not applied") != NULL);
		hive_result_free(r);
	}
	snprintf(source, sizeof source, "%s/winreg-kb_SECURITY", dir);
	r = parse(source);
	CHECK(r != NULL);
	if (r) {
		const struct hive_row *row = row_find(r, "Policy\\PolAdtEv", "");
		CHECK_STR(r->kind_name, "SECURITY");
		CHECK(row && row->data_size == 144);
		CHECK_INT(r->dirty, 0);
		CHECK_INT(r->sequence_primary, 183);
		hive_result_free(r);
	}
	snprintf(source, sizeof source, "%s/regipy_SYSTEM_WIN_10_1709.xz", dir);
	if (unxz(source, "win10-system", path, sizeof path) == 0 && (r = parse(path)) != NULL) {
		static const char *const present[] = {"vmcompute", "CmService", "hns", "vmsmp"};
		char key[256];
		CHECK_STR(r->kind_name, "SYSTEM");
		CHECK(r->control_set == 1 && r->control_set_from_select == 1);
		CHECK_STR(text_of(r, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName"),
			  "DESKTOP-2KGM189");
		for (size_t i = 0; i < sizeof present / sizeof present[0]; i++) {
			snprintf(key, sizeof key, "ControlSet001\\Services\\%s", present[i]);
			CHECK(row_find(r, key, "Start") != NULL);
		}
		CHECK(r->dirty && r->sequence_primary == 4317 && r->sequence_secondary == 4316);
		CHECK_INT(number_of(r, "Select", "Current"), 1);
		hive_result_free(r);
	} else {
		CHECK(0);
	}
	snprintf(source, sizeof source, "%s/regipy_SYSTEM_win7_32bit.xz", dir);
	if (unxz(source, "win7-system", path, sizeof path) == 0 && (r = parse(path)) != NULL) {
		CHECK_STR(r->kind_name, "SYSTEM");
		CHECK(r->control_set == 1 && r->control_set_from_select == 1);
		CHECK_STR(text_of(r, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName"),
			  "WKS-WIN732BITA");
		CHECK_INT(rows_containing(r, "vmcompute") + rows_containing(r, "CmService") +
				  rows_containing(r, "hns") + rows_containing(r, "vmsmp"),
			  0);
		CHECK_INT(r->dirty, 0);
		hive_result_free(r);
	} else {
		CHECK(0);
	}
	/* damaged: libregf opens neither file itself (corpus README). The SYSTEM hive with a zeroed
	 * run of hive bins is read through a copy with them emptied: what survives (the computer name
	 * RegRipper reads too), the repair as a severe problem. The truncated one: -1, no crash. */
	snprintf(source, sizeof source, "%s/damaged/regipy_corrupted_system_hive.xz", dir);
	if (unxz(source, "corrupted-system", path, sizeof path) == 0) {
		r = NULL;
		err[0] = '\0';
		CHECK_INT(hive_parse_file(path, &r, err, sizeof err), 0);
		CHECK_STR(r ? text_of(r, "ControlSet001\\Control\\ComputerName\\ComputerName",
				      "ComputerName") : NULL, "GINEVRA");
		size_t repaired = 0;
		for (size_t i = 0; r && i < r->problem_count; i++)
			if (r->problems[i].severe && strstr(r->problems[i].reason, "583 pages"))
				repaired++;
		CHECK_INT(repaired, 1);
		hive_result_free(r);
	} else {
		CHECK(0);
	}
	snprintf(source, sizeof source, "%s/damaged/yarp_TruncatedHive", dir);
	r = NULL;
	err[0] = '\0';
	CHECK_INT(hive_parse_file(source, &r, err, sizeof err), -1);
	CHECK(r == NULL && err[0]);
}

/* A dirty hive whose log changes one value and adds another: after the replay the changed row
 * names LOG1 and the primary's value, the added one says the primary lacks it, the rest is
 * unmarked (hive_replay_marks.h). */
static void test_replay_marks_name_log_and_earlier_value(void)
{
	char out[1024], command[4096], log[1100], err[512];
	char *logs[1] = {log};
	struct hive_replay *replay = NULL;
	struct hive_result *r = NULL;
	const struct hive_row *row;

	snprintf(out, sizeof out, "%s/replay-marks", temp_dir);
	snprintf(log, sizeof log, "%s.LOG1", out);
	snprintf(command, sizeof command, "'%s' hive '%sreplay_base.reg' '%s' '%sreplay_log1.reg' "
		 ">/dev/null", stforge, DATA, out, DATA);
	CHECK_INT(system(command), 0);
	CHECK_INT(hive_log_replay_files(out, logs, 1, &replay, err, sizeof err), 0);
	if (!replay)
		return;
	CHECK_INT((int)replay->applied, 1);
	CHECK_INT(hive_parse_memory(replay->data, replay->size, &r, err, sizeof err), 0);
	if (r) {
		CHECK_INT(hive_mark_replay(r, out, replay, err, sizeof err), 0);
		row = row_find(r, "ControlSet001\\Control\\ComputerName\\ComputerName", "ComputerName");
		CHECK_STR(row ? row->replay : NULL, "from the transaction log replay-marks.LOG1 (sequence "
			  "2-2); the primary file holds \"BEFORE-NAME\"");
		row = row_find(r, "ControlSet001\\Control\\TimeZoneInformation", "TimeZoneKeyName");
		CHECK_STR(row ? row->replay : NULL, "from the transaction log replay-marks.LOG1 (sequence "
			  "2-2); absent from the primary file");
		row = row_find(r, "Select", "Current");
		CHECK(row && row->replay == NULL);
		hive_result_free(r);
	}
	hive_replay_free(replay);
}

int main(int argc, char **argv)
{
	char command[128];

	if (argc < 2) {
		fprintf(stderr, "usage: test_hive STFORGE\n");
		return 2;
	}
	stforge = argv[1];
	if (!mkdtemp(temp_dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_software_known_keys_only();
	test_system_uses_select_current();
	test_system_without_select_falls_back_with_note();
	test_security_reads_poladtev_default_value();
	test_other_hive_reads_nothing();
	test_string_with_text_after_nul_is_noted();
	test_damaged_hives_are_problems_or_refused();
	test_case_hives_match_readme();
	test_corpus_hives();
	test_replay_marks_name_log_and_earlier_value();
	snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
	if (system(command) != 0)
		fprintf(stderr, "could not remove %s\n", temp_dir);
	return check_done("test_hive");
}
