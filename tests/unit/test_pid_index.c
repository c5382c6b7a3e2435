/*
 * test_pid_index.c - the PID index the correlator's launcher lookups use: every lookup is checked
 * against a scan of the same pairs, the answer the correlator gave before it had the index.
 */
#include "check.h"

#include "correlate/pid_index.h"

enum { PAIRS = 5000 };

/* A scan of PIDS: the first position holding PID at or after FROM, or PAIRS if none. */
static size_t scan_from(const int64_t *pids, int64_t pid, size_t from)
{
	while (from < PAIRS && pids[from] != pid)
		from++;
	return from;
}

int main(void)
{
	static int64_t pids[PAIRS];
	struct pid_index index = {NULL, 0};
	uint32_t state = 12345;
	size_t stored = 0;

	/* PIDs from a small range, so that most repeat; every 7th is "not recorded" (-1). */
	for (size_t i = 0; i < PAIRS; i++) {
		state = state * 1103515245u + 12345u;
		pids[i] = i % 7 == 3 ? -1 : (int64_t)(state >> 16) % 900 * 4;
		stored += pids[i] >= 0;
		CHECK_INT(pid_index_add(&index, pids[i], i), 0);
	}
	pid_index_sort(&index);
	CHECK_INT(index.count, stored);
	for (int64_t pid = -1; pid < 3700; pid++) {
		size_t expected = scan_from(pids, pid, 0), walked = 0;
		const struct pid_entry *p = pid_index_first(&index, pid);

		if (pid < 0) {
			CHECK(p == NULL); /* a PID not recorded is never found */
			continue;
		}
		/* the walk meets the positions of PID in record order, each once, no other */
		for (; p; p = pid_index_next(&index, p), walked++) {
			CHECK_INT(p->pid, pid);
			CHECK_INT(p->position, expected);
			expected = scan_from(pids, pid, expected + 1);
		}
		CHECK_INT(expected, PAIRS);
		if (pid % 4 != 0)
			CHECK_INT(walked, 0);
	}
	pid_index_free(&index);
	CHECK(index.entries == NULL && index.count == 0);
	CHECK(pid_index_first(&index, 8) == NULL);
	return check_done("pid_index");
}
