/*
 * test_facts.c - unit tests for correlate/facts.c: CBS states and the feature-state mapping
 * (METHOD.md §2.1), sandbox policy (§2.2), service Start (§2.3), PolAdtEv layouts and the
 * tolerant algorithm (§3.1), command-line inclusion (§3.2) and coverage statements (§3.3).
 *
 * PolAdtEv values are built here from the numbers in METHOD.md §3.1 (not from facts.c's
 * tables), so a wrong row in either place fails a test. Two real values from the corpus are
 * hardcoded; when the corpus and Parse::Win32Registry are present they are also re-extracted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "correlate/facts.h"

/* ---- §3.1 layouts as METHOD.md states them ---------------------------------------------- */

struct doc_layout {
	const char *name;
	size_t length;
	uint32_t counts_offset;
	uint16_t counts[9];
	/* offsets from the §3.1 "Offsets of the subcategories sandtrace needs" table (Vista's
	 * derived from its counts and the full order) */
	uint32_t logon, special_logon, other_object_access, process_creation, audit_policy_change;
	int derived;
};

static const struct doc_layout DOC_LAYOUTS[] = {
	{"Vista / 2008", 0x88, 0x76, {5, 9, 11, 3, 4, 6, 6, 4, 4}, 0x16, 0x1E, 0x30, 0x44, 0x4C, 1},
	{"7 / 2008 R2", 138, 0x78, {5, 9, 12, 3, 4, 6, 6, 4, 4}, 0x16, 0x1E, 0x30, 0x46, 0x4E, 0},
	{"8 / 2012", 0x90, 0x7E, {5, 10, 14, 3, 4, 6, 6, 4, 4}, 0x16, 0x1E, 0x32, 0x4C, 0x54, 0},
	{"2012 R2", 0x92, 0x80, {5, 10, 14, 3, 5, 6, 6, 4, 4}, 0x16, 0x1E, 0x32, 0x4C, 0x56, 0},
	{"10 before 1607", 148, 0x82, {5, 11, 14, 3, 5, 6, 6, 4, 4}, 0x16, 0x1E, 0x34, 0x4E, 0x58,
	 0},
	{"10 1607+, 11 <= 23H2, 2016/2019/2022", 0x96, 0x84, {5, 11, 14, 3, 6, 6, 6, 4, 4}, 0x16,
	 0x1E, 0x34, 0x4E, 0x5A, 0},
	{"11 build 26200", 0x98, 0x86, {5, 12, 14, 3, 6, 6, 6, 4, 4}, 0x16, 0x1E, 0x36, 0x50, 0x5C,
	 1},
};

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)v);
	put_u16(p + 2, (uint16_t)(v >> 16));
}

/* A Vista+ PolAdtEv as §3.1 describes it: u16 0x0100, u16 0 (DLEAPP's fixtures), u32 ncat,
 * u32 counts offset, settings (entry i = i % 4), one spare u16, the counts. */
static size_t build_poladtev(uint8_t *buffer, size_t size, const uint16_t *counts,
			     uint32_t category_count)
{
	size_t total = 0, offset, length;

	for (int c = 0; c < 9; c++)
		total += counts[c];
	offset = 0x0C + 2 * total + 2;
	length = offset + 2 * 9;
	if (length > size)
		return 0;
	memset(buffer, 0, size);
	put_u16(buffer, 0x0100);
	put_u32(buffer + 4, category_count);
	put_u32(buffer + 8, (uint32_t)offset);
	for (size_t i = 0; i < total; i++)
		put_u16(buffer + 0x0C + 2 * i, (uint16_t)(i % 4));
	put_u16(buffer + 0x0C + 2 * total, 0xAFDC); /* spare: real values hold junk here */
	for (int c = 0; c < 9; c++)
		put_u16(buffer + offset + 2 * c, counts[c]);
	return length;
}

static void test_layout_table_invariant(void)
{
	for (size_t l = 0; l < sizeof DOC_LAYOUTS / sizeof DOC_LAYOUTS[0]; l++) {
		const struct doc_layout *d = &DOC_LAYOUTS[l];
		size_t n = 0;
		for (int c = 0; c < 9; c++)
			n += d->counts[c];
		CHECK_INT(d->counts_offset, 0x0C + 2 * n + 2);
		CHECK_INT(d->length, d->counts_offset + 2 * 9);
	}
}

static void test_every_layout_decodes_by_header(void)
{
	uint8_t buffer[256];

	for (size_t l = 0; l < sizeof DOC_LAYOUTS / sizeof DOC_LAYOUTS[0]; l++) {
		const struct doc_layout *d = &DOC_LAYOUTS[l];
		struct facts_audit_policy *policy = NULL;
		const struct facts_audit_entry *e;
		size_t length = build_poladtev(buffer, sizeof buffer, d->counts, 9);
		size_t n = 0;

		for (int c = 0; c < 9; c++)
			n += d->counts[c];
		CHECK_INT(length, d->length);
		/* make the key settings distinctive */
		put_u16(buffer + d->process_creation, 3);
		put_u16(buffer + d->other_object_access, 1);
		put_u16(buffer + d->audit_policy_change, 2);
		CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
		if (!policy)
			continue;
		CHECK_INT(policy->format, FACTS_AUDIT_HEADER);
		CHECK_STR(policy->layout, d->name);
		CHECK_INT(policy->layout_established, 1);
		CHECK_STR(policy->warning, "");
		CHECK_INT(policy->entry_count, n);
		CHECK_INT(policy->counts_offset, d->counts_offset);
		CHECK(d->derived ? strstr(policy->layout_status, "derived") != NULL
				 : strstr(policy->layout_status, "derived") == NULL);
		for (size_t i = 0; i < policy->entry_count; i++) {
			CHECK_INT(policy->entries[i].offset, 0x0C + 2 * i);
			CHECK(policy->entries[i].name && policy->entries[i].guid &&
			      policy->entries[i].category);
		}
		e = facts_audit_find(policy, FACTS_AUDIT_LOGON);
		CHECK(e && e->offset == d->logon);
		e = facts_audit_find(policy, FACTS_AUDIT_SPECIAL_LOGON);
		CHECK(e && e->offset == d->special_logon);
		e = facts_audit_find(policy, FACTS_AUDIT_OTHER_OBJECT_ACCESS);
		CHECK(e && e->offset == d->other_object_access && e->raw == 1);
		CHECK(e && strcmp(e->setting, "success") == 0);
		e = facts_audit_find(policy, FACTS_AUDIT_PROCESS_CREATION);
		CHECK(e && e->offset == d->process_creation && e->raw == 3);
		CHECK(e && strcmp(e->setting, "success and failure") == 0);
		CHECK(e && strcmp(e->guid, "{0CCE922B-69AE-11D9-BED3-505054503030}") == 0);
		e = facts_audit_find(policy, FACTS_AUDIT_PROCESS_TERMINATION);
		CHECK(e && e->offset == d->process_creation + 2);
		e = facts_audit_find(policy, FACTS_AUDIT_AUDIT_POLICY_CHANGE);
		CHECK(e && e->offset == d->audit_policy_change && e->raw == 2);
		CHECK(e && strcmp(e->setting, "failure") == 0);
		e = facts_audit_find(policy, FACTS_AUDIT_SECURITY_STATE_CHANGE);
		CHECK(e && e->offset == 0x0C && strcmp(e->setting, "none") == 0);
		e = facts_audit_find(policy, FACTS_AUDIT_LOGOFF);
		CHECK(e && e->offset == 0x18);
		e = facts_audit_find_guid(policy, "0cce921c-69ae-11d9-bed3-505054503030");
		CHECK(e && e->offset == 0x24 && strcmp(e->name, "Other Logon/Logoff Events") == 0);
		facts_audit_policy_free(policy);
	}
}

/* §3.1 "Full order for the 59-entry layout", as GUID prefixes. */
static const char *const ORDER_59[59] = {
	"0CCE9210", "0CCE9211", "0CCE9212", "0CCE9213", "0CCE9214",
	"0CCE9215", "0CCE9216", "0CCE9217", "0CCE9218", "0CCE921B", "0CCE9219", "0CCE921A",
	"0CCE921C", "0CCE9243", "0CCE9247", "0CCE9249",
	"0CCE921D", "0CCE921E", "0CCE921F", "0CCE9220", "0CCE9227", "0CCE9221", "0CCE9222",
	"0CCE9223", "0CCE9224", "0CCE9225", "0CCE9226", "0CCE9244", "0CCE9245", "0CCE9246",
	"0CCE9228", "0CCE9229", "0CCE922A",
	"0CCE922B", "0CCE922C", "0CCE922D", "0CCE922E", "0CCE9248", "0CCE924A",
	"0CCE922F", "0CCE9230", "0CCE9231", "0CCE9232", "0CCE9233", "0CCE9234",
	"0CCE9235", "0CCE9236", "0CCE9237", "0CCE9238", "0CCE9239", "0CCE923A",
	"0CCE923B", "0CCE923C", "0CCE923D", "0CCE923E",
	"0CCE923F", "0CCE9240", "0CCE9241", "0CCE9242"};

static void test_full_order_and_dropped_entries(void)
{
	uint8_t buffer[256];
	struct facts_audit_policy *policy = NULL;
	size_t length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);

	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->entry_count == 59);
	for (size_t i = 0; policy && i < 59 && i < policy->entry_count; i++) {
		CHECK(strncmp(policy->entries[i].guid + 1, ORDER_59[i], 8) == 0);
		CHECK_STR(policy->entries[i].guid + 9, "-69AE-11D9-BED3-505054503030}");
	}
	if (policy) {
		CHECK_STR(policy->entries[9].name, "Special Logon");
		CHECK_STR(policy->entries[9].category, "Logon/Logoff");
		CHECK_STR(policy->entries[58].name, "Kerberos Authentication Service");
		CHECK_STR(policy->entries[58].category, "Account Logon");
	}
	facts_audit_policy_free(policy);

	/* Win7 (53) drops Claims, Group Membership, Removable Storage, Central Policy Staging, PnP,
	 * Token Right Adjusted; keeps Detailed File Share. Vista (derived) also drops DFS. */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[1].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->entry_count == 53);
	CHECK(facts_audit_find_guid(policy, "{0CCE9247-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9249-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9245-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9246-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9248-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE924A-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9244-69AE-11D9-BED3-505054503030}") != NULL);
	CHECK(facts_audit_find_guid(policy, "0CCE9244-69AE-11D9-BED3-50505450303") == NULL);
	facts_audit_policy_free(policy);
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[0].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(facts_audit_find_guid(policy, "{0CCE9244-69AE-11D9-BED3-505054503030}") == NULL);
	facts_audit_policy_free(policy);
	/* 2012 R2 has PnP but not Token Right Adjusted; 10 <1607 adds Group Membership */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[3].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(facts_audit_find_guid(policy, "{0CCE9248-69AE-11D9-BED3-505054503030}") != NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE924A-69AE-11D9-BED3-505054503030}") == NULL);
	CHECK(facts_audit_find_guid(policy, "{0CCE9249-69AE-11D9-BED3-505054503030}") == NULL);
	facts_audit_policy_free(policy);
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[4].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(facts_audit_find_guid(policy, "{0CCE9249-69AE-11D9-BED3-505054503030}") != NULL);
	facts_audit_policy_free(policy);
	/* b26200 adds Access Rights */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[6].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(facts_audit_find_guid(policy, "{0CCE924B-69AE-11D9-BED3-505054503030}") != NULL);
	facts_audit_policy_free(policy);
}

static void test_category_count_not_nine(void)
{
	uint8_t buffer[256];
	struct facts_audit_policy *policy = NULL;
	size_t length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 10);

	/* length 0x96 is RegRipper's: fixed layout by length, with the reason */
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy != NULL);
	if (policy) {
		CHECK_INT(policy->format, FACTS_AUDIT_FIXED_LENGTH);
		CHECK_STR(policy->layout, "10 1607+, 11 <= 23H2, 2016/2019/2022");
		CHECK_INT(policy->entry_count, 59);
		CHECK_INT(policy->category_count, 10);
		CHECK(strstr(policy->warning, "category count 10 is not 9") != NULL);
		CHECK(strstr(policy->warning, "RegRipper") != NULL);
	}
	facts_audit_policy_free(policy);

	/* the 26200 length is not one RegRipper knows: nothing to fall back on */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[6].counts, 8);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_HEX_ONLY);
	CHECK(policy && strcmp(policy->layout, "unknown layout") == 0);
	CHECK(policy && policy->layout_established == 0 && policy->entry_count == 0);
	facts_audit_policy_free(policy);
}

static void test_too_short(void)
{
	uint8_t buffer[11] = {0x00, 0x01, 0, 0, 9, 0, 0, 0, 0x84, 0, 0};
	struct facts_audit_policy *policy = NULL;

	CHECK_INT(facts_decode_poladtev(buffer, sizeof buffer, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_NOT_POLADTEV);
	CHECK(policy && strcmp(policy->layout, "unknown layout") == 0);
	CHECK(policy && policy->entry_count == 0 && policy->entries == NULL);
	facts_audit_policy_free(policy);
	CHECK_INT(facts_decode_poladtev(NULL, 0, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_NOT_POLADTEV);
	facts_audit_policy_free(policy);
	CHECK_INT(facts_decode_poladtev(buffer, sizeof buffer, NULL), -1);
}

static void test_odd_offset(void)
{
	uint8_t buffer[256];
	struct facts_audit_policy *policy = NULL;
	size_t length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[2].counts, 9);

	put_u32(buffer + 8, 0x7F);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_FIXED_LENGTH);
	CHECK(policy && strcmp(policy->layout, "8 / 2012") == 0 && policy->entry_count == 56);
	CHECK(policy && strstr(policy->warning, "counts offset 0x7f is odd") != NULL);
	facts_audit_policy_free(policy);

	/* an odd offset in a value of no known length: hex only */
	CHECK_INT(facts_decode_poladtev(buffer, 0xA0, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_HEX_ONLY && policy->entry_count == 0);
	CHECK(policy && strstr(policy->warning, "is odd") != NULL);
	facts_audit_policy_free(policy);
}

static void test_bad_offsets(void)
{
	uint8_t buffer[256];
	struct facts_audit_policy *policy = NULL;
	size_t length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);

	put_u32(buffer + 8, 0xFFFFFFFE); /* past the end; no 32-bit wrap may hide it */
	CHECK_INT(facts_decode_poladtev(buffer, length + 6, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_HEX_ONLY);
	CHECK(policy && strstr(policy->warning, "run past") != NULL);
	facts_audit_policy_free(policy);

	put_u32(buffer + 8, 0x0A); /* below 0x0C */
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_FIXED_LENGTH);
	CHECK(policy && strstr(policy->warning, "below 0x0C") != NULL);
	facts_audit_policy_free(policy);

	/* step 3: counts that claim more settings than fit before them */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);
	put_u16(buffer + 0x84, 500);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_FIXED_LENGTH && policy->counts_read);
	CHECK(policy && strstr(policy->warning, "more than fit") != NULL);
	facts_audit_policy_free(policy);
}

static void test_counts_match_no_layout(void)
{
	const uint16_t counts[9] = {5, 11, 14, 3, 6, 6, 6, 4, 5};
	uint8_t buffer[256];
	struct facts_audit_policy *policy = NULL;
	size_t length = build_poladtev(buffer, sizeof buffer, counts, 9);

	CHECK_INT(length, 0x98); /* a known length, but counts decide */
	put_u16(buffer + 0x0C + 2 * 33, 7);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK(policy != NULL);
	if (!policy)
		return;
	CHECK_INT(policy->format, FACTS_AUDIT_HEADER);
	CHECK_STR(policy->layout, "unknown layout");
	CHECK_INT(policy->layout_established, 0);
	CHECK_INT(policy->entry_count, 60);
	CHECK(strstr(policy->warning, "5,11,14,3,6,6,6,4,5 match no layout") != NULL);
	CHECK(policy->entries[33].name == NULL && policy->entries[33].guid == NULL);
	CHECK_INT(policy->entries[33].offset, 0x0C + 66);
	CHECK_INT(policy->entries[33].raw, 7);
	CHECK_STR(policy->entries[33].setting, "unknown");
	CHECK_INT(policy->entries[1].raw, 1);
	CHECK(facts_audit_find(policy, FACTS_AUDIT_PROCESS_CREATION) == NULL);
	facts_audit_policy_free(policy);

	/* counts of a known layout in a value with extra bytes: named, with a warning */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);
	CHECK_INT(facts_decode_poladtev(buffer, length + 4, &policy), 0);
	CHECK(policy && policy->layout_established && strstr(policy->warning, "154 bytes"));
	facts_audit_policy_free(policy);
}

static void test_xp_layout(void)
{
	uint8_t buffer[0x30] = {0};
	struct facts_audit_policy *policy = NULL;

	buffer[0] = 1;
	for (int i = 0; i < 9; i++)
		put_u16(buffer + 4 + 4 * i, (uint16_t)(i % 4));
	CHECK_INT(facts_decode_poladtev(buffer, 0x28, &policy), 0);
	CHECK(policy != NULL);
	if (policy) {
		CHECK_INT(policy->format, FACTS_AUDIT_XP_LEGACY);
		CHECK_STR(policy->layout, "XP / 2003 (legacy)");
		CHECK_INT(policy->xp_auditing_enabled, 1);
		CHECK_INT(policy->entry_count, 9);
		CHECK_STR(policy->entries[1].name, "Logon events");
		CHECK_INT(policy->entries[1].offset, 0x08);
		CHECK_STR(policy->entries[1].setting, "success");
		CHECK_INT(policy->entries[8].offset, 0x24);
		CHECK(policy->entries[8].guid == NULL);
		CHECK(facts_audit_find(policy, FACTS_AUDIT_LOGON) == NULL);
	}
	facts_audit_policy_free(policy);
	/* too short for all nine categories: hex only */
	CHECK_INT(facts_decode_poladtev(buffer, 0x20, &policy), 0);
	CHECK(policy && policy->format == FACTS_AUDIT_HEX_ONLY);
	facts_audit_policy_free(policy);
}

/* ---- real values (corpus) ------------------------------------------------------------------ */

/* Extracted with Parse::Win32Registry (Policy\PolAdtEv, default value, REG_NONE):
 *   perl -MParse::Win32Registry -e '...get_subkey("Policy\\PolAdtEv")->get_value("")->get_data'
 * regipy_SECURITY: 150 bytes, key LastWrite 2021-08-05T10:43:08Z.
 * winreg-kb_SECURITY: 144 bytes, key LastWrite 2013-08-22T14:45:09Z. */
static const char REGIPY_HEX[] =
	"00010000090000008400000001000000030000000300030001000100000001000000000000000300"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000010001000000000000000000010000000100000000000000000000000000"
	"00000000000000000000dcaf05000b000e00030006000600060004000400";
static const char WINREG_KB_HEX[] =
	"00010000090000007e00000001000000030000000300010001000100000001000000000000000300"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000010001000000000000000000010000000100000000000000000000000000000000000000"
	"00000000fe7f05000a000e00030004000600060004000400";

static size_t from_hex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < size; hex += 2) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* Re-extracts the value from the corpus hive when the tools are there; compares the hex. */
static void compare_with_corpus(const char *hive, const char *expected_hex)
{
	char path[1024], command[1400], line[1024] = "";
	FILE *pipe;

	snprintf(path, sizeof path, "%s/../shared/corpus/hives/%s", SANDTRACE_SOURCE_DIR, hive);
	if (access(path, R_OK) != 0) {
		printf("skip: %s absent, hardcoded bytes only\n", path);
		return;
	}
	if (system("perl -MParse::Win32Registry -e 1 2>/dev/null") != 0) {
		printf("skip: Parse::Win32Registry absent, hardcoded bytes only\n");
		return;
	}
	snprintf(command, sizeof command,
		 "perl -MParse::Win32Registry -e '$k=Parse::Win32Registry->new($ARGV[0])->"
		 "get_root_key->get_subkey(q{Policy\\PolAdtEv}); print unpack(q{H*}, "
		 "$k->get_value(q{})->get_data)' '%s'",
		 path);
	pipe = popen(command, "r");
	CHECK(pipe != NULL);
	if (!pipe)
		return;
	if (!fgets(line, sizeof line, pipe))
		line[0] = 0;
	pclose(pipe);
	CHECK_STR(line, expected_hex);
}

static void test_real_regipy_security(void)
{
	uint8_t data[200];
	size_t length = from_hex(REGIPY_HEX, data, sizeof data);
	struct facts_audit_policy *policy = NULL;
	struct facts_coverage_statement cov;
	const struct facts_audit_entry *e;

	compare_with_corpus("regipy_SECURITY", REGIPY_HEX);
	CHECK_INT(length, 150);
	CHECK_INT(facts_decode_poladtev(data, length, &policy), 0);
	CHECK(policy != NULL);
	if (!policy)
		return;
	CHECK_INT(policy->format, FACTS_AUDIT_HEADER);
	CHECK_STR(policy->layout, "10 1607+, 11 <= 23H2, 2016/2019/2022");
	CHECK_STR(policy->warning, "");
	CHECK_INT(policy->entry_count, 59);
	/* Windows' default policy: the Special Logon = success at 0x1E (not RegRipper's 0x22)
	 * confirms §3.1's placement on real evidence. */
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_SECURITY_STATE_CHANGE)->setting, "success");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_LOGON)->setting, "success and failure");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_LOGOFF)->setting, "success");
	e = facts_audit_find(policy, FACTS_AUDIT_SPECIAL_LOGON);
	CHECK(e && e->offset == 0x1E && strcmp(e->setting, "success") == 0);
	CHECK_INT(policy->entries[11].raw, 0); /* 0x22: IPsec Extended Mode, off by default */
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_OTHER_OBJECT_ACCESS)->setting, "none");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_PROCESS_CREATION)->setting, "none");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_PROCESS_TERMINATION)->setting, "none");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_AUDIT_POLICY_CHANGE)->setting, "success");
	CHECK_STR(policy->entries[13].name, "Network Policy Server");
	CHECK_STR(policy->entries[13].setting, "success and failure");

	CHECK_INT(facts_audit_coverage(policy, NULL, 4688, &cov), 0);
	CHECK_INT(cov.coverage, FACTS_COVERAGE_NOT_RECORDED);
	CHECK_STR(cov.statement, "not recorded (auditing off)");
	CHECK(strstr(cov.consequence, "WindowsSandbox.exe") != NULL);
	CHECK_INT(facts_audit_coverage(policy, NULL, 4689, &cov), 0);
	CHECK_STR(cov.statement, "not recorded (auditing off)");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4698, &cov), 0);
	CHECK_STR(cov.statement, "not recorded (auditing off)");
	CHECK_STR(cov.subcategory, "Other Object Access Events");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4624, &cov), 0);
	CHECK_INT(cov.coverage, FACTS_COVERAGE_RECORDED);
	CHECK_STR(cov.statement, "recorded");
	CHECK_STR(cov.consequence, "");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4625, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4672, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4719, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4608, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	facts_audit_policy_free(policy);
}

static void test_real_winreg_kb_security(void)
{
	uint8_t data[200];
	size_t length = from_hex(WINREG_KB_HEX, data, sizeof data);
	struct facts_audit_policy *policy = NULL;

	compare_with_corpus("winreg-kb_SECURITY", WINREG_KB_HEX);
	CHECK_INT(length, 144);
	CHECK_INT(facts_decode_poladtev(data, length, &policy), 0);
	CHECK(policy != NULL);
	if (!policy)
		return;
	CHECK_INT(policy->format, FACTS_AUDIT_HEADER);
	CHECK_STR(policy->layout, "8 / 2012");
	CHECK_STR(policy->warning, "");
	CHECK_INT(policy->entry_count, 56);
	CHECK_INT(policy->counts[1], 10);
	CHECK_INT(policy->counts[4], 4);
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_LOGON)->setting, "success");
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_SPECIAL_LOGON)->setting, "success");
	CHECK_INT(facts_audit_find(policy, FACTS_AUDIT_PROCESS_CREATION)->offset, 0x4C);
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_PROCESS_CREATION)->setting, "none");
	CHECK_INT(facts_audit_find(policy, FACTS_AUDIT_AUDIT_POLICY_CHANGE)->offset, 0x54);
	CHECK_STR(facts_audit_find(policy, FACTS_AUDIT_AUDIT_POLICY_CHANGE)->setting, "success");
	facts_audit_policy_free(policy);
}

/* ---- §3.2 / §3.3 ------------------------------------------------------------------------- */

static void test_cmdline_and_coverage(void)
{
	struct facts_cmdline_input in;
	struct facts_cmdline_result cmd;
	struct facts_coverage_statement cov;
	struct facts_audit_policy *policy = NULL;
	uint8_t buffer[256];
	size_t length;

	memset(&in, 0, sizeof in);
	CHECK_INT(facts_decide_cmdline_inclusion(&in, &cmd), 0);
	CHECK_INT(cmd.state, FACTS_CMDLINE_NOT_INCLUDED);
	CHECK(strstr(cmd.basis, "= absent") != NULL);
	in.policies_value = (struct facts_dword){1, 1};
	CHECK_INT(facts_decide_cmdline_inclusion(&in, &cmd), 0);
	CHECK_INT(cmd.state, FACTS_CMDLINE_INCLUDED);
	in.policies_value = (struct facts_dword){1, 0};
	CHECK_INT(facts_decide_cmdline_inclusion(&in, &cmd), 0);
	CHECK_INT(cmd.state, FACTS_CMDLINE_NOT_INCLUDED);
	in.policies_value = (struct facts_dword){1, 2};
	CHECK_INT(facts_decide_cmdline_inclusion(&in, &cmd), 0);
	CHECK_INT(cmd.state, FACTS_CMDLINE_UNCERTAIN);
	in.policies_value = (struct facts_dword){0, 0};
	in.session_manager_value = (struct facts_dword){1, 1};
	CHECK_INT(facts_decide_cmdline_inclusion(&in, &cmd), 0);
	CHECK_INT(cmd.state, FACTS_CMDLINE_UNCERTAIN);
	CHECK(strstr(cmd.basis, "unconfirmed") != NULL);

	/* 1607+ layout with Process Creation = success */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);
	put_u16(buffer + 0x4E, 1);
	put_u16(buffer + 0x16, 2); /* Logon: failure only */
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	in.policies_value = (struct facts_dword){1, 1};
	in.session_manager_value = (struct facts_dword){0, 0};
	facts_decide_cmdline_inclusion(&in, &cmd);
	CHECK_INT(facts_audit_coverage(policy, &cmd, 4688, &cov), 0);
	CHECK_INT(cov.coverage, FACTS_COVERAGE_RECORDED);
	CHECK_STR(cov.statement, "recorded, command line included");
	in.policies_value = (struct facts_dword){0, 0};
	facts_decide_cmdline_inclusion(&in, &cmd);
	CHECK_INT(facts_audit_coverage(policy, &cmd, 4688, &cov), 0);
	CHECK_STR(cov.statement,
		  "recorded, command line empty (ProcessCreationIncludeCmdLine_Enabled absent or 0)");
	CHECK(strstr(cov.consequence, ".wsb path") != NULL);
	in.session_manager_value = (struct facts_dword){1, 1};
	facts_decide_cmdline_inclusion(&in, &cmd);
	CHECK_INT(facts_audit_coverage(policy, &cmd, 4688, &cov), 0);
	CHECK_STR(cov.statement, "recorded, command line inclusion uncertain");
	CHECK_INT(facts_audit_coverage(policy, &cmd, 4696, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4624, &cov), 0);
	CHECK_INT(cov.coverage, FACTS_COVERAGE_NOT_RECORDED);
	CHECK_STR(cov.statement, "not recorded (only failure audited)");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4625, &cov), 0);
	CHECK_STR(cov.statement, "recorded");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4634, &cov), 0);
	CHECK_STR(cov.subcategory, "Logoff");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4700, &cov), 0);
	CHECK_STR(cov.subcategory, "Other Object Access Events");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4616, &cov), 0);
	CHECK_STR(cov.subcategory, "Security State Change");
	CHECK_INT(facts_audit_coverage(policy, NULL, 1234, &cov), -1);
	facts_audit_policy_free(policy);

	/* Process Creation = success only: 4625-style failure lacks; 3 -> unknown raw 7 */
	length = build_poladtev(buffer, sizeof buffer, DOC_LAYOUTS[5].counts, 9);
	put_u16(buffer + 0x16, 1);
	put_u16(buffer + 0x4E, 7);
	CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
	CHECK_INT(facts_audit_coverage(policy, NULL, 4625, &cov), 0);
	CHECK_STR(cov.statement, "not recorded (only success audited)");
	CHECK_INT(facts_audit_coverage(policy, NULL, 4688, &cov), 0);
	CHECK_INT(cov.coverage, FACTS_COVERAGE_UNKNOWN);
	CHECK_STR(cov.statement, "unknown (setting value 7 is not 0-3)");
	facts_audit_policy_free(policy);

	/* unknown layout, XP layout, no policy */
	{
		const uint16_t odd_counts[9] = {5, 11, 14, 3, 6, 6, 6, 4, 3};
		length = build_poladtev(buffer, sizeof buffer, odd_counts, 9);
		CHECK_INT(facts_decode_poladtev(buffer, length, &policy), 0);
		CHECK_INT(facts_audit_coverage(policy, NULL, 4688, &cov), 0);
		CHECK_INT(cov.coverage, FACTS_COVERAGE_UNKNOWN);
		CHECK_STR(cov.statement, "unknown (layout not established)");
		CHECK(strstr(cov.consequence, "Prefetch") != NULL);
		facts_audit_policy_free(policy);
	}
	CHECK_INT(facts_audit_coverage(NULL, NULL, 4698, &cov), 0);
	CHECK_STR(cov.statement, "unknown (PolAdtEv not found)");
	CHECK_INT(cov.coverage, FACTS_COVERAGE_UNKNOWN);
}

/* ---- §2.1 -------------------------------------------------------------------------------- */

static void test_cbs_states(void)
{
	CHECK_STR(facts_cbs_state_name(0x00), "Absent");
	CHECK_STR(facts_cbs_state_name(0x05), "Uninstall Pending");
	CHECK_STR(facts_cbs_state_name(0x10), "Resolving");
	CHECK_STR(facts_cbs_state_name(0x20), "Resolved");
	CHECK_STR(facts_cbs_state_name(0x30), "Staging");
	CHECK_STR(facts_cbs_state_name(0x40), "Staged");
	CHECK(strncmp(facts_cbs_state_name(0x50), "0x50 superseded-or-uninstall-requested", 38) == 0);
	CHECK_STR(facts_cbs_state_name(0x60), "Install Pending");
	CHECK_STR(facts_cbs_state_name(0x65), "Partially Installed");
	CHECK_STR(facts_cbs_state_name(0x70), "Installed");
	CHECK_STR(facts_cbs_state_name(0x80), "Permanent");
	CHECK_STR(facts_cbs_state_name(112), "Installed"); /* CBS.log writes decimal */
	CHECK_STR(facts_cbs_state_name(-128), "Permanent, but broken (CbsInvalidState)");
	CHECK_STR(facts_cbs_state_name(0xFFFFFF80), "Permanent, but broken (CbsInvalidState)");
	CHECK_STR(facts_cbs_state_name(-112), "Installed, but broken (CbsInvalidState)");
	CHECK_STR(facts_cbs_state_name(0xFFFFFF90), "Installed, but broken (CbsInvalidState)");
	CHECK_STR(facts_cbs_state_name(-64), "Staged, but broken (CbsInvalidState)");
	CHECK_STR(facts_cbs_state_name(-32), "Resolved, but broken (CbsInvalidState)");
	for (int code = -19; code <= -16; code++)
		CHECK(strncmp(facts_cbs_state_name(code), "API-only value", 14) == 0);
	CHECK_STR(facts_cbs_state_name(0x71), "unknown CBS state code");
	CHECK_STR(facts_cbs_state_name(-1), "unknown CBS state code");
	CHECK_STR(facts_cbs_state_name(0x100000000LL), "unknown CBS state code");
	CHECK_STR(facts_cbs_state_name(INT64_MIN), "unknown CBS state code");
}

struct feature_case {
	int selection_key, package_key;
	struct facts_dword selection, removed, package_state, update_state;
	enum facts_feature_state expected;
	const char *basis_contains;
};

#define NO {0, 0}
#define V(x) {1, x}

static const struct feature_case FEATURE_CASES[] = {
	/* each §2.1 mapping row */
	{1, 1, V(1), NO, V(0x70), V(0x70), FACTS_FEATURE_ENABLED, "0x70 or 0x80, Selection=1"},
	{1, 1, V(1), V(0), NO, V(0x80), FACTS_FEATURE_ENABLED, "0x80 Permanent"},
	{1, 1, V(1), NO, V(0x70), NO, FACTS_FEATURE_ENABLED, "package CurrentState"},
	{0, 1, NO, NO, NO, V(0x70), FACTS_FEATURE_ENABLED, "CBS state alone"},
	{1, 1, V(1), NO, NO, V(0x60), FACTS_FEATURE_ENABLED_PENDING_REBOOT, "install pending"},
	{0, 1, NO, NO, NO, V(0x60), FACTS_FEATURE_ENABLED_PENDING_REBOOT, "0x60"},
	{1, 1, V(1), NO, NO, V(0x40), FACTS_FEATURE_ENABLED_PENDING_REBOOT, "state < 0x70"},
	{1, 1, V(1), NO, NO, V(0x00), FACTS_FEATURE_ENABLED_PENDING_REBOOT, "state < 0x70"},
	{1, 1, V(1), NO, NO, V(0x65), FACTS_FEATURE_ENABLED_PENDING_REBOOT, "Partially Installed"},
	{1, 1, V(0), NO, NO, V(0x40), FACTS_FEATURE_DISABLED, "0x40 / 0x00 and Selection=0"},
	{1, 1, V(0), NO, NO, V(0x00), FACTS_FEATURE_DISABLED, "0x40 / 0x00 and Selection=0"},
	{0, 1, NO, NO, V(0x40), NO, FACTS_FEATURE_DISABLED, "Selection=absent"},
	{1, 1, V(0), NO, NO, V(0x05), FACTS_FEATURE_DISABLE_PENDING_REBOOT, "0x05 or 0x50"},
	{1, 1, V(0), NO, NO, V(0x50), FACTS_FEATURE_DISABLE_PENDING_REBOOT, "ambiguous"},
	{1, 1, V(0), V(1), NO, V(0x00), FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED, "Removed=1"},
	{1, 0, NO, V(1), NO, NO, FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED, "payload removed"},
	{0, 0, NO, NO, NO, NO, FACTS_FEATURE_ABSENT, "not disabled"},
	/* combinations no row covers: unknown, never a guess */
	{1, 1, V(0), NO, NO, V(0x70), FACTS_FEATURE_UNKNOWN, "Selection=0"},
	{1, 1, V(0), NO, NO, V(0x60), FACTS_FEATURE_UNKNOWN, "not a §2.1 row"},
	{1, 1, V(1), V(1), NO, V(0x40), FACTS_FEATURE_UNKNOWN, "Removed=1 but Selection=1"},
	{1, 1, NO, V(1), NO, V(0x70), FACTS_FEATURE_UNKNOWN, "contradiction"},
	{1, 1, V(2), NO, NO, V(0x70), FACTS_FEATURE_UNKNOWN, "Selection holds"},
	{1, 1, V(0), V(5), NO, V(0x40), FACTS_FEATURE_UNKNOWN, "Removed holds"},
	{1, 1, V(0), NO, NO, V(0x30), FACTS_FEATURE_UNKNOWN, "transitional"},
	{1, 1, V(1), NO, NO, V(0xFFFFFF90), FACTS_FEATURE_UNKNOWN, "broken"},
	{1, 0, V(1), NO, NO, NO, FACTS_FEATURE_UNKNOWN, "no CBS state"},
	{1, 0, NO, NO, NO, NO, FACTS_FEATURE_UNKNOWN, "keys present"},
};

static void test_feature_state_rows(void)
{
	struct facts_feature_result result;

	for (size_t i = 0; i < sizeof FEATURE_CASES / sizeof FEATURE_CASES[0]; i++) {
		const struct feature_case *c = &FEATURE_CASES[i];
		struct facts_feature_input in = {c->selection_key, c->selection, c->removed,
						 c->package_key, c->package_state, c->update_state};
		CHECK_INT(facts_decide_feature_state(&in, &result), 0);
		if (result.state != c->expected || !strstr(result.basis, c->basis_contains))
			fprintf(stderr, "feature case %zu: %s / %s\n", i,
				facts_feature_state_name(result.state), result.basis);
		CHECK_INT(result.state, c->expected);
		CHECK(strstr(result.basis, c->basis_contains) != NULL);
		CHECK(strstr(result.basis, "§2.1") != NULL);
	}
	/* the update state wins over the package state */
	{
		struct facts_feature_input in = {1, V(1), NO, 1, V(0x40), V(0x70)};
		facts_decide_feature_state(&in, &result);
		CHECK_INT(result.cbs_state.value, 0x70);
	}
	CHECK_INT(facts_decide_feature_state(NULL, &result), -1);
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_ABSENT), "absent");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_DISABLED), "disabled");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_ENABLED), "enabled");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_ENABLED_PENDING_REBOOT),
		  "enabled, pending reboot");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_DISABLE_PENDING_REBOOT),
		  "disable pending reboot");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED),
		  "disabled, payload removed");
	CHECK_STR(facts_feature_state_name(FACTS_FEATURE_UNKNOWN), "unknown");
}

/* ---- §2.2 / §2.3 ------------------------------------------------------------------------- */

static void test_sandbox_policy(void)
{
	static const char *const NAMES[8] = {
		"AllowAudioInput", "AllowClipboardRedirection", "AllowNetworking",
		"AllowPrinterRedirection", "AllowVGPU", "AllowVideoInput", "AllowMappedFolders",
		"AllowWriteToMappedFolders"};
	struct facts_policy_setting s;

	for (size_t i = 0; i < 8; i++) {
		CHECK_STR(facts_sandbox_policy_name(i), NAMES[i]);
		CHECK_INT(facts_decode_sandbox_policy(NAMES[i], (struct facts_dword){0, 0}, &s), 0);
		CHECK_INT(s.state, FACTS_POLICY_NOT_CONFIGURED);
		CHECK(s.effect == s.when_not_configured);
		CHECK_INT(facts_decode_sandbox_policy(NAMES[i], (struct facts_dword){1, 0}, &s), 0);
		CHECK_INT(s.state, FACTS_POLICY_DISABLED);
		CHECK(s.effect && s.effect != s.when_not_configured);
		CHECK_INT(facts_decode_sandbox_policy(NAMES[i], (struct facts_dword){1, 1}, &s), 0);
		CHECK_INT(s.state, FACTS_POLICY_ENABLED);
		CHECK_INT(facts_decode_sandbox_policy(NAMES[i], (struct facts_dword){1, 2}, &s), 0);
		CHECK_INT(s.state, FACTS_POLICY_OUT_OF_RANGE);
		CHECK_INT(s.raw, 2);
		CHECK_STR(s.effect, "value outside the allowed range 0-1: effect unknown");
	}
	CHECK(facts_sandbox_policy_name(8) == NULL);
	CHECK_INT(facts_decode_sandbox_policy("allownetworking", (struct facts_dword){1, 0}, &s), 0);
	CHECK_STR(s.value_name, "AllowNetworking");
	CHECK_STR(s.effect, "networking off");
	CHECK_STR(s.when_not_configured, "enabled");
	CHECK_STR(s.applies_from, "Win 11 21H2 (22000)");
	CHECK(strstr(s.note, "Windows 10") != NULL);
	CHECK_INT(facts_decode_sandbox_policy("AllowNetworking", (struct facts_dword){1, 1}, &s), 0);
	CHECK_STR(s.effect, "vSwitch on host + vNIC in sandbox");
	CHECK_INT(facts_decode_sandbox_policy("AllowPrinterRedirection", (struct facts_dword){0, 0},
					      &s), 0);
	CHECK(strncmp(s.effect, "disabled (yet the CSP", 21) == 0);
	CHECK_INT(facts_decode_sandbox_policy("AllowVideoInput", (struct facts_dword){0, 0}, &s), 0);
	CHECK(strncmp(s.effect, "disabled (yet the CSP", 21) == 0);
	CHECK_INT(facts_decode_sandbox_policy("AllowVGPU", (struct facts_dword){1, 0}, &s), 0);
	CHECK_STR(s.effect, "WARP software rendering");
	CHECK_INT(facts_decode_sandbox_policy("AllowWriteToMappedFolders",
					      (struct facts_dword){1, 0}, &s), 0);
	CHECK_STR(s.effect, "mapped folders forced read-only");
	CHECK(strstr(s.note, "AllowMappedFolders = 1") != NULL);
	CHECK_STR(s.applies_from, "Win 11 24H2 (26100)");
	CHECK_INT(facts_decode_sandbox_policy("AllowMappedFolders", (struct facts_dword){1, 0}, &s),
		  0);
	CHECK_STR(s.effect, "no mapping at all");
	CHECK_INT(facts_decode_sandbox_policy("AllowCamera", (struct facts_dword){1, 0}, &s), -1);
}

static void test_service_start(void)
{
	CHECK_STR(facts_service_start_name(0), "Boot");
	CHECK_STR(facts_service_start_name(1), "System");
	CHECK_STR(facts_service_start_name(2), "Automatic");
	CHECK_STR(facts_service_start_name(3), "On demand");
	CHECK_STR(facts_service_start_name(4), "Disabled");
	CHECK_STR(facts_service_start_name(5), "unknown Start value");
	CHECK_STR(facts_service_start_name(-1), "unknown Start value");
}

/* §2.5: the bias becomes the offset of local time (opposite sign), the BAM names match by their
 * last component only, implausible FILETIMEs are refused. */
static void test_host_identity_helpers(void)
{
	static const uint8_t shutdown[8] = {0x79, 0x2c, 0x5f, 0x4d, 0xf5, 0x60, 0xdb, 0x01};
	const char *what = NULL;
	char text[16];

	facts_utc_offset_text(-540, text, sizeof text);
	CHECK_STR(text, "UTC+09:00");
	facts_utc_offset_text(300, text, sizeof text);
	CHECK_STR(text, "UTC-05:00");
	facts_utc_offset_text(-330, text, sizeof text);
	CHECK_STR(text, "UTC+05:30");
	facts_utc_offset_text(0, text, sizeof text);
	CHECK_STR(text, "UTC+00:00");
	CHECK_INT(facts_filetime_at(shutdown, 7), 0);
	CHECK(facts_filetime_at(shutdown, 8) == 0x01db60f54d5f2c79ull);
	CHECK_INT(facts_filetime_plausible(0x01db60f54d5f2c79ull), 1);
	CHECK_INT(facts_filetime_plausible(0), 0);
	CHECK_INT(facts_filetime_plausible(0xFFFFFFFFFFFFFFFFull), 0);
	CHECK_INT(facts_bam_sandbox_executable("\\Device\\HarddiskVolume3\\Windows\\System32\\"
					       "WINDOWSSANDBOX.EXE", &what), 1);
	CHECK_STR(what, "WindowsSandbox.exe");
	CHECK_INT(facts_bam_sandbox_executable("\\Device\\HarddiskVolume3\\Windows\\System32\\wsb.exe",
					       &what), 1);
	CHECK_INT(facts_bam_sandbox_executable("MicrosoftWindows.WindowsSandbox_cw5n1h2txyewy", &what), 1);
	CHECK_INT(facts_bam_sandbox_executable("\\Device\\HarddiskVolume3\\Tools\\notwsb.exe", &what), 0);
	CHECK_INT(facts_bam_sandbox_executable("\\Device\\HarddiskVolume3\\WindowsSandbox.exe.bak", &what),
		  0);
	CHECK_INT(facts_bam_sandbox_executable("SequenceNumber", &what), 0);
	CHECK_INT(facts_bam_sandbox_executable("Version", &what), 0);
}

int main(void)
{
	test_host_identity_helpers();
	test_layout_table_invariant();
	test_every_layout_decodes_by_header();
	test_full_order_and_dropped_entries();
	test_category_count_not_nine();
	test_too_short();
	test_odd_offset();
	test_bad_offsets();
	test_counts_match_no_layout();
	test_xp_layout();
	test_real_regipy_security();
	test_real_winreg_kb_security();
	test_cmdline_and_coverage();
	test_cbs_states();
	test_feature_state_rows();
	test_sandbox_policy();
	test_service_start();
	return check_done("test_facts");
}
