/* test_evtx_layout.c - records are located by their own bytes, an ambiguous record is left without
 * an offset, and a file header rebuilt from the chunks is the header the writer wrote. Event logs
 * are forged with stforge (argv[1]) from the bundled case. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "parsers/evtx_layout.h"

static char work[] = "/tmp/sandtrace-test-evtx-layout-XXXXXX";

int main(int argc, char **argv)
{
	char good[600], twice[600], err[256];
	struct evtx_locator locator;
	uint8_t *bytes, *copy;
	size_t size = 0;
	const int64_t first_record = EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_HEADER_SIZE;

	if (argc < 2 || !mkdtemp(work)) {
		fprintf(stderr, "usage: test_evtx_layout STFORGE\n");
		return 1;
	}
	snprintf(good, sizeof good, "%s/Security.evtx", work);
	snprintf(twice, sizeof twice, "%s/chunk-twice.evtx", work);
	CHECK_INT(check_forge_evtx(argv[1], "C/Windows/System32/winevt/Logs/Security.evtx.xml", good),
		  0);
	bytes = (uint8_t *)check_read_file(good, &size);
	CHECK(bytes != NULL && size >= EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE);
	if (!bytes || size < EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE)
		return check_done("evtx_layout");

	/* Every record the walk finds is where its bytes say, and is found by its number and time. */
	CHECK_INT(evtx_locator_build(&locator, good, err, sizeof err), 0);
	CHECK(locator.allocated.count > 10);
	CHECK_INT(locator.chunks_read, (size - EVTX_FILE_HEADER_SIZE) / EVTX_CHUNK_SIZE);
	for (size_t i = 0; i < locator.allocated.count; i++) {
		const struct evtx_record_place *p = &locator.allocated.places[i];
		CHECK(p->offset >= first_record && (size_t)p->offset + 24 <= size &&
		      memcmp(bytes + p->offset, "**\0\0", 4) == 0 &&
		      check_le64(bytes + p->offset + 8) == p->number &&
		      check_le64(bytes + p->offset + 16) == p->written_time);
	}
	CHECK_INT(evtx_locator_find(&locator, check_le64(bytes + first_record + 8),
				    check_le64(bytes + first_record + 16), 0), first_record);
	CHECK_INT(evtx_locator_find(&locator, check_le64(bytes + first_record + 8),
				    check_le64(bytes + first_record + 16) + 1, 0), -1);
	CHECK_INT(evtx_locator_find(&locator, check_le64(bytes + first_record + 8),
				    check_le64(bytes + first_record + 16), 1), -1);
	CHECK_INT(evtx_chunk_of_offset(first_record), 0);
	CHECK_INT(evtx_chunk_of_offset(EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE), 1);
	CHECK_INT(evtx_chunk_of_offset(-1), -1);
	CHECK_INT(evtx_chunk_of_offset(0), -1);
	evtx_locator_free(&locator);

	/* The first chunk twice: each of its records is in two places, so none gets an offset. */
	copy = malloc(size + EVTX_CHUNK_SIZE);
	CHECK(copy != NULL);
	if (copy) {
		memcpy(copy, bytes, size);
		memcpy(copy + size, bytes + EVTX_FILE_HEADER_SIZE, EVTX_CHUNK_SIZE);
		CHECK_INT(check_write_file(twice, copy, size + EVTX_CHUNK_SIZE), 0);
		CHECK_INT(evtx_locator_build(&locator, twice, err, sizeof err), 0);
		CHECK_INT(evtx_locator_find(&locator, check_le64(bytes + first_record + 8),
					    check_le64(bytes + first_record + 16), 0), -1);
		evtx_locator_free(&locator);
	}

	/* A header rebuilt from the chunks is the forge's header, byte for byte, even from one
	 * whose signature was damaged. */
	if (copy) {
		memcpy(copy, bytes, size);
		copy[0] ^= 0xFF;
		copy[30] ^= 0x55;
		CHECK_INT(evtx_header_rebuild(copy, size, err, sizeof err), 0);
		CHECK(memcmp(copy, bytes, EVTX_FILE_HEADER_SIZE) == 0);
		CHECK(memcmp(copy + EVTX_FILE_HEADER_SIZE, bytes + EVTX_FILE_HEADER_SIZE,
			     size - EVTX_FILE_HEADER_SIZE) == 0);

		/* No chunk signature left, or too short: no header, and a reason. */
		memset(copy + EVTX_FILE_HEADER_SIZE, 0, size - EVTX_FILE_HEADER_SIZE);
		err[0] = 0;
		CHECK_INT(evtx_header_rebuild(copy, size, err, sizeof err), -1);
		CHECK(strstr(err, "ElfChnk") != NULL);
		err[0] = 0;
		CHECK_INT(evtx_header_rebuild(copy, EVTX_FILE_HEADER_SIZE + 100, err, sizeof err), -1);
		CHECK(strstr(err, "shorter") != NULL);
		CHECK_INT(evtx_header_rebuild(copy, 0, err, sizeof err), -1);
	}

	/* A file that is not there: an error, nothing indexed. */
	CHECK_INT(evtx_locator_build(&locator, "/nonexistent/x.evtx", err, sizeof err), -1);
	CHECK_INT(locator.allocated.count, 0);
	evtx_locator_free(&locator);

	free(copy);
	free(bytes);
	unlink(good);
	unlink(twice);
	rmdir(work);
	return check_done("evtx_layout");
}
