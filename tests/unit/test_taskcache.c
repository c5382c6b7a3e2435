/*
 * test_taskcache.c - parsers/taskcache.c: the Actions, DynamicInfo and Triggers decoders on blobs
 * built here after METHOD.md §4.2 (every truncation of each must give a partial result, not a
 * read past the end: run under ASan), and the hidden/orphaned-task cross-checks.
 * The bundled case's blobs are checked through the hive in test_hive.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parsers/taskcache.h"

struct blob {
	uint8_t data[2048];
	size_t size;
};

static void put(struct blob *b, const void *data, size_t n)
{
	if (b->size + n <= sizeof b->data) {
		memcpy(b->data + b->size, data, n);
		b->size += n;
	}
}

static void put_u16(struct blob *b, uint16_t v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	put(b, x, 2);
}

static void put_u32(struct blob *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(b, x, 4);
}

static void put_u64(struct blob *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

/* padding content is arbitrary (§4.2): fill with 0x48 as GhostTask does */
static void pad8(struct blob *b)
{
	while (b->size % 8)
		put(b, "\x48", 1);
}

static void put_aligned_u32(struct blob *b, uint32_t v)
{
	put_u32(b, v);
	put(b, "\x48\x48\x48\x48", 4);
}

static void put_aligned_u8(struct blob *b, uint8_t v)
{
	put(b, &v, 1);
	pad8(b);
}

static void put_utf16(struct blob *b, const char *ascii)
{
	for (; *ascii; ascii++)
		put_u16(b, (uint8_t)*ascii);
}

static void put_bstr(struct blob *b, const char *ascii)
{
	put_u32(b, (uint32_t)(2 * strlen(ascii)));
	put_utf16(b, ascii);
}

static void put_aligned_bstr(struct blob *b, const char *ascii)
{
	put_aligned_u32(b, (uint32_t)(2 * strlen(ascii)));
	put_utf16(b, ascii);
	pad8(b);
}

static void put_tstime(struct blob *b, uint8_t localized, uint64_t filetime)
{
	put_aligned_u8(b, localized);
	put_u64(b, filetime);
}

/* ---------------------------------------------------------------------------------------- */

static void build_actions_v3(struct blob *b)
{
	static const uint8_t clsid[16] = {0x9F, 0x36, 0x87, 0x0F, 0xE5, 0xA4, 0xFC, 0x4C,
					  0xBD, 0x3E, 0x73, 0xE6, 0x15, 0x45, 0x72, 0xDD};
	b->size = 0;
	put_u16(b, 3);
	put_bstr(b, "Author");
	put_u16(b, 0x6666);
	put_bstr(b, "run");
	put_bstr(b, "cmd.exe");
	put_bstr(b, "/c whoami");
	put_bstr(b, "C:\\Temp");
	put_u16(b, 0x0001);
	put_u16(b, 0x7777);
	put_bstr(b, "");
	put(b, clsid, 16);
	put_bstr(b, "data");
	put_u16(b, 0x9999);
	put_bstr(b, "");
	put_bstr(b, "Caption");
	put_bstr(b, "Hello");
	put_u16(b, 0x8888);
	put_bstr(b, "");
	for (int i = 0; i < 8; i++)
		put_bstr(b, i == 0 ? "a@b.c" : i == 6 ? "Subject" : "");
	put_u32(b, 1);
	put_bstr(b, "C:\\att.txt");
	put_u32(b, 1);
	put_bstr(b, "X-H");
	put_bstr(b, "v");
}

static void test_actions_all_kinds_with_context(void)
{
	struct blob b;
	struct taskcache_actions a;

	build_actions_v3(&b);
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), 0);
	CHECK(a.problem == NULL);
	CHECK_INT(a.version, 3);
	CHECK_STR(a.context, "Author");
	CHECK_INT(a.action_count, 4);
	CHECK_INT(a.string_count, 0);
	if (a.action_count == 4) {
		CHECK_STR(a.actions[0].kind_name, "Exec");
		CHECK_STR(a.actions[0].id, "run");
		CHECK_STR(a.actions[0].command, "cmd.exe");
		CHECK_STR(a.actions[0].arguments, "/c whoami");
		CHECK_STR(a.actions[0].working_directory, "C:\\Temp");
		CHECK(a.actions[0].has_flags && a.actions[0].flags == 1);
		CHECK_STR(a.actions[1].kind_name, "ComHandler");
		CHECK_STR(a.actions[1].clsid, "{0F87369F-A4E5-4CFC-BD3E-73E6154572DD}");
		CHECK_STR(a.actions[1].data, "data");
		CHECK_STR(a.actions[2].caption, "Caption");
		CHECK_STR(a.actions[2].content, "Hello");
		CHECK_STR(a.actions[3].kind_name, "SendEmail");
		CHECK_STR(a.actions[3].from, "a@b.c");
		CHECK_STR(a.actions[3].subject, "Subject");
		CHECK_INT(a.actions[3].attachment_count, 1);
		CHECK_INT(a.actions[3].header_count, 1);
	}
	taskcache_actions_clear(&a);
}

static void test_actions_missing_context_and_v2_without_flags(void)
{
	struct blob b = {{0}, 0};
	struct taskcache_actions a;

	/* §4.2: the u16 after the version is an action magic, so there is no context */
	put_u16(&b, 3);
	put_u16(&b, 0x6666);
	put_bstr(&b, "");
	put_bstr(&b, "a.exe");
	put_bstr(&b, "");
	put_bstr(&b, "");
	put_u16(&b, 0);
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), 0);
	CHECK(a.context == NULL);
	CHECK_INT(a.action_count, 1);
	if (a.action_count)
		CHECK_STR(a.actions[0].command, "a.exe");
	taskcache_actions_clear(&a);

	/* GhostTask v2: context written, Exec without flags; two actions back to back */
	b.size = 0;
	put_u16(&b, 2);
	put_bstr(&b, "LocalSystem");
	for (int i = 0; i < 2; i++) {
		put_u16(&b, 0x6666);
		put_bstr(&b, "");
		put_bstr(&b, i ? "second.exe" : "first.exe");
		put_bstr(&b, "");
		put_bstr(&b, "");
	}
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), 0);
	CHECK_STR(a.context, "LocalSystem");
	CHECK_INT(a.action_count, 2);
	if (a.action_count == 2) {
		CHECK_INT(a.actions[0].has_flags, 0);
		CHECK_STR(a.actions[1].command, "second.exe");
	}
	taskcache_actions_clear(&a);
}

static void test_actions_malformed_gives_fallback_strings(void)
{
	struct blob b = {{0}, 0};
	struct taskcache_actions a;

	/* odd context length: neither magic nor valid string */
	put_u16(&b, 3);
	put_u32(&b, 7);
	put_utf16(&b, "powershell.exe");
	put_u16(&b, 0);
	put_utf16(&b, "abc");
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), -1);
	CHECK(a.problem && strstr(a.problem, "context"));
	CHECK_INT(a.action_count, 0);
	CHECK_INT(a.string_count, 1); /* "abc" is shorter than 4 characters */
	if (a.string_count)
		CHECK_STR(a.strings[0], "powershell.exe");
	taskcache_actions_clear(&a);

	/* unknown magic after a good action: the action is kept */
	b.size = 0;
	put_u16(&b, 3);
	put_u16(&b, 0x6666);
	put_bstr(&b, "");
	put_bstr(&b, "ok.exe");
	put_bstr(&b, "");
	put_bstr(&b, "");
	put_u16(&b, 0);
	put_u16(&b, 0x1234);
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), -1);
	CHECK(a.problem && strstr(a.problem, "unknown action magic 0x1234"));
	CHECK_INT(a.action_count, 1);
	taskcache_actions_clear(&a);

	/* a huge string length must not be followed */
	b.size = 0;
	put_u16(&b, 3);
	put_u16(&b, 0x6666);
	put_u32(&b, 0xFFFFFFF0u);
	CHECK_INT(taskcache_decode_actions(b.data, b.size, &a), -1);
	CHECK(a.problem != NULL);
	taskcache_actions_clear(&a);
}

static void test_actions_every_truncation_is_partial(void)
{
	struct blob b;
	struct taskcache_actions a;
	int failures = 0;

	build_actions_v3(&b);
	for (size_t n = 0; n < b.size; n++) {
		/* a private copy of exactly N bytes so ASan sees any overread */
		uint8_t *copy = malloc(n ? n : 1);
		if (!copy)
			continue;
		memcpy(copy, b.data, n);
		/* cut on an action boundary the decode is complete with fewer actions; else partial */
		if (taskcache_decode_actions(copy, n, &a) == -1 ? !a.problem
							       : (a.problem || a.action_count >= 4))
			failures++;
		taskcache_actions_clear(&a);
		free(copy);
	}
	CHECK_INT(failures, 0);
}

/* ---------------------------------------------------------------------------------------- */

static void test_dynamic_info_sizes_and_hresults(void)
{
	struct blob b = {{0}, 0};
	struct taskcache_dynamic_info d;

	put_u32(&b, 3);
	put_u64(&b, 133807944781234567ull);
	put_u64(&b, 0);
	put_u32(&b, 0x8007042Bu);
	put_u32(&b, 0x80070420u);
	CHECK_INT(b.size, 28);
	CHECK_INT(taskcache_decode_dynamic_info(b.data, b.size, &d), 0);
	CHECK_INT(d.version, 3);
	CHECK(d.creation_time == 133807944781234567ull);
	CHECK(d.last_run_time == 0);
	CHECK_INT(d.task_state, 0x8007042Bu);
	CHECK(d.task_state_is_hresult && d.last_error_is_hresult);
	CHECK_INT(d.has_last_successful_run, 0);
	put_u64(&b, 133807944790000000ull);
	CHECK_INT(taskcache_decode_dynamic_info(b.data, b.size, &d), 0);
	CHECK(d.has_last_successful_run && d.last_successful_run_time == 133807944790000000ull);
	CHECK_INT(taskcache_decode_dynamic_info(b.data, 30, &d), -1);
	CHECK_INT(d.size, 0);
	CHECK_INT(taskcache_decode_dynamic_info(b.data, 0, &d), -1);
	CHECK_INT(taskcache_is_win32_hresult(0x80004005u), 0);
}

/* ---------------------------------------------------------------------------------------- */

static void build_generic(struct blob *b, uint64_t start, uint8_t enabled)
{
	put_tstime(b, 1, start);
	put_tstime(b, 0, 0);
	for (int i = 0; i < 5; i++)
		put_u32(b, 0);
	put(b, "\0\x48\x48\x48", 4);
	put_aligned_u8(b, enabled);
	put(b, "\0\0\0\0\0\0\0\0", 8);
	put_bstr(b, "");
	pad8(b);
}

static void build_user_info(struct blob *b)
{
	static const uint8_t sid[] = {1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0,
				      2, 0, 0, 0, 3, 0, 0, 0, 0xE9, 3, 0, 0};
	put_aligned_u8(b, 0);
	put_aligned_u8(b, 0);
	put_aligned_u32(b, 1);
	put_aligned_u32(b, sizeof sid);
	put(b, sid, sizeof sid);
	pad8(b);
	put_aligned_bstr(b, "PC\\u");
}

static void build_triggers(struct blob *b)
{
	b->size = 0;
	put_aligned_u8(b, 0x17);
	put_tstime(b, 1, 133808000000000000ull);
	put_tstime(b, 0, 0);
	put_aligned_u32(b, 0x00C02100u);
	put_aligned_u32(b, 0x11223344u);
	put_aligned_bstr(b, "Users");
	put_aligned_bstr(b, "Display");
	build_user_info(b);
	put_aligned_u32(b, 0x38); /* optional settings with the privileges mask */
	for (int i = 0; i < 0x38 / 4; i++)
		put_u32(b, (uint32_t)i);
	/* logon trigger + user_info of a group (skip_user = 1) */
	put_aligned_u32(b, 0xAAAA);
	build_generic(b, 133808100000000000ull, 1);
	put_aligned_u8(b, 1);
	/* event trigger: subscription "<Q/>" (4 chars), unknown, empty string, 1 value query */
	put_aligned_u32(b, 0xCCCC);
	build_generic(b, 0, 1);
	put_aligned_u32(b, 4);
	put_utf16(b, "<Q/>");
	put_u16(b, 0);
	pad8(b);
	put(b, "\0\0\0\0\0\0\0\0", 8);
	put_aligned_u32(b, 0);
	put_u16(b, 0);
	pad8(b);
	put_aligned_u32(b, 1);
	put_aligned_u32(b, 1);
	put_utf16(b, "n");
	put_u16(b, 0);
	pad8(b);
	put_aligned_u32(b, 1);
	put_utf16(b, "v");
	put_u16(b, 0);
	pad8(b);
	/* time trigger, disabled */
	put_aligned_u32(b, 0xDDDD);
	put_tstime(b, 1, 133808200000000000ull);
	put_tstime(b, 0, 0);
	put_tstime(b, 0, 0);
	for (int i = 0; i < 4; i++)
		put_u32(b, 0);
	for (int i = 0; i < 4; i++)
		put_u16(b, 0);
	put(b, "\0\0\0\0", 4); /* stop-at-end 0, enabled 0, pad */
	for (int i = 0; i < 3; i++)
		put_u32(b, 0);
	put_bstr(b, "id1");
	pad8(b);
	/* boot trigger, disabled */
	put_aligned_u32(b, 0xFFFF);
	build_generic(b, 0, 0);
}

static void test_triggers_bucket_user_and_each_trigger(void)
{
	struct blob b;
	struct taskcache_triggers t;
	char text[256];

	build_triggers(&b);
	CHECK_INT(taskcache_decode_triggers(b.data, b.size, &t), 0);
	CHECK(t.problem == NULL);
	CHECK_INT(t.version, 0x17);
	CHECK(t.start_boundary.is_localized == 1 && t.start_boundary.filetime == 133808000000000000ull);
	CHECK(t.has_job_bucket && t.flags == 0x00C02100u && t.xml_crc32 == 0x11223344u);
	CHECK_STR(t.principal_id, "Users");
	CHECK_STR(t.display_name, "Display");
	CHECK(t.has_user && t.has_sid && t.sid_type == 1);
	CHECK_STR(t.sid, "S-1-5-21-1-2-3-1001");
	CHECK_STR(t.user_name, "PC\\u");
	CHECK_INT(t.optional_settings_size, 0x38);
	CHECK_INT(t.trigger_count, 4);
	if (t.trigger_count == 4) {
		CHECK_STR(t.triggers[0].kind_name, "logon");
		CHECK_INT(t.triggers[0].enabled, 1);
		CHECK(t.triggers[0].start.filetime == 133808100000000000ull);
		CHECK_STR(t.triggers[1].kind_name, "event");
		CHECK_STR(t.triggers[2].kind_name, "time");
		CHECK_INT(t.triggers[2].enabled, 0);
		CHECK(t.triggers[2].start.filetime == 133808200000000000ull);
		CHECK_STR(t.triggers[3].kind_name, "boot");
		CHECK_INT(t.triggers[3].enabled, 0);
	}
	taskcache_bucket_flags_text(t.flags, text, sizeof text);
	CHECK_STR(text, "allow-start-on-demand|multiple-instances-ignore-new|enabled|hidden");
	taskcache_bucket_flags_text(0x80000001u, text, sizeof text);
	CHECK_STR(text, "0x80000001");
	taskcache_triggers_clear(&t);
}

static void test_triggers_unknown_and_undescribed_kinds_stop_with_reason(void)
{
	struct blob b;
	struct taskcache_triggers t;
	size_t before_boot;

	build_triggers(&b);
	before_boot = b.size - 8 - 80; /* the boot record: magic + generic data (80 bytes) */
	b.data[before_boot] = 0x42;
	CHECK_INT(taskcache_decode_triggers(b.data, b.size, &t), -1);
	CHECK(t.problem && strstr(t.problem, "unknown trigger magic 0xff42"));
	CHECK_INT(t.trigger_count, 3);
	taskcache_triggers_clear(&t);

	b.data[before_boot] = 0x66; /* 0x6666 WNF: extras not described in §4.2 */
	b.data[before_boot + 1] = 0x66;
	CHECK_INT(taskcache_decode_triggers(b.data, b.size, &t), -1);
	CHECK(t.problem && strstr(t.problem, "wnf-state-change"));
	CHECK_INT(t.trigger_count, 4);
	taskcache_triggers_clear(&t);
}

static void test_triggers_every_truncation_is_safe(void)
{
	struct blob b;
	struct taskcache_triggers t;
	int bad = 0;

	build_triggers(&b);
	/* the last 4 bytes are the boot record's padding after its id, which may be cut (§4.2
	 * padding is not validated); every other cut must be seen */
	for (size_t n = 0; n < b.size - 4; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int rc;
		if (!copy)
			continue;
		memcpy(copy, b.data, n);
		rc = taskcache_decode_triggers(copy, n, &t);
		/* cut on a record boundary the decode is complete with fewer triggers; else partial */
		if (rc == -1 ? !t.problem : (t.problem || t.trigger_count >= 4)) {
			fprintf(stderr, "truncated at %zu: rc %d, %zu triggers, %s\n", n, rc,
				t.trigger_count, t.problem ? t.problem : "no problem");
			bad++;
		}
		taskcache_triggers_clear(&t);
		free(copy);
	}
	CHECK_INT(bad, 0);
}

/* ---------------------------------------------------------------------------------------- */

static int has_finding(const struct taskcache_finding *f, size_t n, const char *code, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].code, code) && f[i].task_path && !strcmp(f[i].task_path, path))
			return 1;
	return 0;
}

static void test_cross_checks_flag_each_condition(void)
{
	const struct taskcache_tree_entry tree[] = {
		{"\\Folder", 1, 0, NULL},                      /* folder: fine */
		{"\\Folder\\Normal", 1, 1, "{AAAAAAAA-0000-0000-0000-000000000001}"},
		{"\\Folder\\NoSD", 0, 1, "{AAAAAAAA-0000-0000-0000-000000000002}"},
		{"\\Folder\\NoIndex", 1, 0, "{aaaaaaaa-0000-0000-0000-000000000003}"},
		{"\\Folder\\Dangling", 1, 1, "{AAAAAAAA-0000-0000-0000-000000000004}"},
	};
	const struct taskcache_task_entry tasks[] = {
		{"{AAAAAAAA-0000-0000-0000-000000000001}", "\\Folder\\Normal"},
		{"{AAAAAAAA-0000-0000-0000-000000000002}", "\\Folder\\NoSD"},
		{"{AAAAAAAA-0000-0000-0000-000000000003}", "\\Folder\\NoIndex"},
		{"{AAAAAAAA-0000-0000-0000-000000000005}", "\\Ghost"},
	};
	const char *xml[] = {"Folder/Normal", "folder/nosd", "/Folder/NoIndex", "Folder/Dangling", "Dropped"};
	struct taskcache_check_input in = {tree, 5, tasks, 4, xml, 5};
	struct taskcache_finding *f = NULL;
	size_t n = 0;

	CHECK_INT(taskcache_check_consistency(&in, &f, &n), 0);
	CHECK_INT(n, 6);
	CHECK(has_finding(f, n, "tree-without-sd", "\\Folder\\NoSD"));
	CHECK(has_finding(f, n, "tree-without-index", "\\Folder\\NoIndex"));
	CHECK(has_finding(f, n, "tree-id-without-task", "\\Folder\\Dangling"));
	CHECK(has_finding(f, n, "task-without-tree", "\\Ghost"));
	CHECK(has_finding(f, n, "task-without-xml", "\\Ghost"));
	CHECK(has_finding(f, n, "xml-without-task", "\\Dropped"));
	CHECK(!has_finding(f, n, "tree-without-index", "\\Folder"));
	taskcache_findings_free(f, n);

	/* no XML list: the XML checks are skipped */
	in.xml_paths = NULL;
	in.xml_count = 0;
	CHECK_INT(taskcache_check_consistency(&in, &f, &n), 0);
	CHECK_INT(n, 4);
	taskcache_findings_free(f, n);
}

int main(void)
{
	test_actions_all_kinds_with_context();
	test_actions_missing_context_and_v2_without_flags();
	test_actions_malformed_gives_fallback_strings();
	test_actions_every_truncation_is_partial();
	test_dynamic_info_sizes_and_hresults();
	test_triggers_bucket_user_and_each_trigger();
	test_triggers_unknown_and_undescribed_kinds_stop_with_reason();
	test_triggers_every_truncation_is_safe();
	test_cross_checks_flag_each_condition();
	return check_done("test_taskcache");
}
