/*
 * fuzz_hive_log.c - libFuzzer target for the transaction log replay (parsers/hive_log.c): the log
 * base block checks, the dirty vector, HvLE entries (sizes, references, Marvin32 hashes), the
 * sequence walk over two logs, and hive_parse_memory on whatever the replay gives.
 *
 * An input is split in three: its first two bytes give the primary's length in 512-byte units,
 * the primary follows, and the rest is cut in two logs at its middle. Seeds: a primary and its
 * logs from ../shared/corpus/hives/dirty joined that way, e.g. for yarp_NewDirtyHive1
 *   (printf '\x00\x02'; cat NewDirtyHive LOG1 LOG2) > seed   (0x0200 * 512 = 262144 bytes)
 * Build: cmake -DCMAKE_C_COMPILER=clang -DSANDTRACE_FUZZ=ON; run as fuzz_hive.c says.
 */
#include <stddef.h>
#include <stdint.h>

#include "parsers/hive.h"
#include "parsers/hive_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hive_log_input logs[2];
	struct hive_replay *replay = NULL;
	struct hive_result *result = NULL;
	size_t primary_size, rest, half;
	char err[256];

	if (size < 2)
		return 0;
	primary_size = ((size_t)data[0] << 8 | data[1]) * 512;
	if (primary_size > size - 2)
		primary_size = size - 2;
	rest = size - 2 - primary_size;
	half = rest / 2;
	logs[0] = (struct hive_log_input){"LOG1", data + 2 + primary_size, half, NULL};
	logs[1] = (struct hive_log_input){"LOG2", data + 2 + primary_size + half, rest - half, NULL};
	if (hive_log_replay(data + 2, primary_size, logs, 2, &replay, err, sizeof err) != 0)
		return 0;
	if (replay->applied && hive_parse_memory(replay->data, replay->size, &result, err,
						 sizeof err) == 0)
		hive_result_free(result);
	hive_log_summary(replay, err, sizeof err);
	hive_replay_free(replay);
	return 0;
}
