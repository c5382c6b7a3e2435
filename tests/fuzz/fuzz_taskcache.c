/*
 * fuzz_taskcache.c - libFuzzer target for the TaskCache decoders (parsers/taskcache.c, METHOD.md
 * §4.2): every input goes to taskcache_decode_actions, taskcache_decode_dynamic_info and
 * taskcache_decode_triggers, each on a private heap copy of exactly the input's size so that ASan
 * sees any read past the end; the decoded strings are walked so that unterminated ones show up.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_taskcache.c parsers/taskcache.c src/strbuf.c -o /tmp/fuzz_taskcache
 * Seeds: the Actions/Triggers/DynamicInfo values of the bundled case (testdata/case SOFTWARE.hive.reg)
 * as raw files in a scratch directory:
 *   /tmp/fuzz_taskcache -max_total_time=180 -timeout=10 /tmp/taskcache-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/taskcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *text)
{
	if (text)
		sink += strlen(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct taskcache_actions actions;
	struct taskcache_triggers triggers;
	struct taskcache_dynamic_info dynamic;
	char flags[512];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	taskcache_decode_actions(copy, size, &actions);
	touch(actions.context);
	touch(actions.problem);
	for (size_t i = 0; i < actions.action_count; i++) {
		touch(actions.actions[i].command);
		touch(actions.actions[i].clsid);
		touch(actions.actions[i].subject);
	}
	for (size_t i = 0; i < actions.string_count; i++)
		touch(actions.strings[i]);
	taskcache_actions_clear(&actions);

	taskcache_decode_dynamic_info(copy, size, &dynamic);
	sink += dynamic.size;

	taskcache_decode_triggers(copy, size, &triggers);
	touch(triggers.principal_id);
	touch(triggers.sid);
	touch(triggers.user_name);
	touch(triggers.problem);
	for (size_t i = 0; i < triggers.trigger_count; i++)
		touch(triggers.triggers[i].kind_name);
	taskcache_bucket_flags_text(triggers.flags, flags, sizeof flags);
	taskcache_triggers_clear(&triggers);
	free(copy);
	return 0;
}
