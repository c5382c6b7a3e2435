/*
 * fuzz_poladtev.c - libFuzzer target for the PolAdtEv decoder (correlate/facts.c,
 * METHOD.md §3.1) and the coverage statements built on it (§3.3).
 *
 * Each input is one PolAdtEv value. The decoder must never read outside it: the input is copied
 * into a buffer of exactly its size so that ASan sees any overread. Every entry is checked to lie
 * inside the value, and every §3.3 event id is asked for, so the lookups run on whatever layout
 * the decoder settled on.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_poladtev.c correlate/facts.c -o /tmp/fuzz_poladtev
 * Seeds: the two real values quoted in tests/unit/test_facts.c (write them with xxd -r -p) and
 * values of each layout length, in a scratch directory:
 *   /tmp/fuzz_poladtev -max_total_time=180 -max_len=512 /tmp/poladtev-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t EVENT_IDS[] = {4688, 4696, 4689, 4698, 4699, 4700, 4701, 4702, 4624,
				     4625, 4634, 4647, 4672, 4719, 4608, 4616};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct facts_audit_policy *policy = NULL;
	struct facts_cmdline_result cmdline = {FACTS_CMDLINE_INCLUDED, ""};
	struct facts_coverage_statement statement;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (facts_decode_poladtev(copy, size, &policy) != 0)
		abort(); /* only allocation failure may fail */
	for (size_t i = 0; i < policy->entry_count; i++) {
		const struct facts_audit_entry *e = &policy->entries[i];
		if ((size_t)e->offset + 2 > size || !e->setting)
			abort();
		if (policy->layout_established && !e->name)
			abort();
	}
	if (!policy->layout || !policy->layout_status)
		abort();
	for (size_t i = 0; i < sizeof EVENT_IDS / sizeof EVENT_IDS[0]; i++)
		if (facts_audit_coverage(policy, &cmdline, EVENT_IDS[i], &statement) != 0 ||
		    !statement.consequence)
			abort();
	facts_audit_policy_free(policy);
	free(copy);
	return 0;
}
