/*
 * fuzz_task_xml.c - libFuzzer target for parsers/task_xml.c: task_xml_parse_memory on arbitrary
 * bytes (METHOD.md §4.1, through wsb.c's hardened XML reader) and, for every task that parses,
 * task_xml_find_sandbox_launch (which runs wsb_find_in_command_line on "Command Arguments").
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_task_xml.c parsers/task_xml.c parsers/wsb.c src/strbuf.c \
 *     $(pkg-config --cflags --libs libxml-2.0) -o /tmp/fuzz_task_xml
 * Seeds: the files of tests/unit/data/task, the task files of ../shared/corpus/tasks and the bundled case's
 * Tasks/ sources, copied to a scratch directory:
 *   /tmp/fuzz_task_xml -max_total_time=180 -rss_limit_mb=2048 -timeout=10 /tmp/task-corpus
 */
#include <stddef.h>
#include <stdint.h>

#include "parsers/task_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct task_definition *task = NULL;
	struct task_sandbox_launch launch;
	char err[256];

	if (task_xml_parse_memory((const char *)data, size, &task, err, sizeof err) == 0) {
		if (task_xml_find_sandbox_launch(task, &launch) == 0)
			task_sandbox_launch_clear(&launch);
		task_definition_free(task);
	}
	return 0;
}
