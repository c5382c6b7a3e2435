/*
 * fuzz_wsb.c - libFuzzer target for parsers/wsb.c: wsb_parse_memory on arbitrary bytes (through
 * the hardened XML reader: encodings, the entity refusal, recovery of malformed XML, the settings,
 * mapped folders and risk flags of METHOD.md §5.1), wsb_describe_setting on every setting, and
 * wsb_find_in_command_line and wsb_cli_parse (parsers/wsb_cli.c, §5.2) on the same bytes as a
 * NUL-terminated command line.
 *
 * Only sandtrace's code is instrumented; libxml2 is Debian's build.
 *
 * Build (clang, from the repository root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *     -I. -Isrc tests/fuzz/fuzz_wsb.c parsers/wsb.c parsers/wsb_cli.c src/cmdline.c src/strbuf.c \
 *     $(pkg-config --cflags --libs libxml-2.0) -o /tmp/fuzz_wsb
 * Seeds: the files of tests/unit/data/wsb and ../shared/corpus/wsb and the bundled case .wsb files,
 * copied to a scratch directory:
 *   /tmp/fuzz_wsb -max_total_time=180 -rss_limit_mb=2048 -timeout=10 /tmp/wsb-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/wsb.h"
#include "parsers/wsb_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsb_config *config = NULL;
	char err[256], text[512];
	char *line, *path = NULL, *inline_config = NULL;
	struct wsb_cli_call call;

	if (wsb_parse_memory((const char *)data, size, &config, err, sizeof err) == 0) {
		for (int i = 0; i < WSB_SETTING_COUNT; i++)
			wsb_describe_setting(&config->settings[i], text, sizeof text);
		wsb_config_free(config);
	}
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	wsb_find_in_command_line(line, &path, &inline_config);
	free(path);
	free(inline_config);
	if (wsb_cli_parse(line, &call) == 1)
		wsb_cli_call_clear(&call);
	free(line);
	return 0;
}
