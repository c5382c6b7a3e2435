/* test_discover.c - evidence is recognised by content, never by name. */
#include "check.h"
#include "discover.h"

static enum evidence_kind classify(const char *bytes, size_t size)
{
	return discover_classify((const unsigned char *)bytes, size);
}

int main(void)
{
	static const char TASK_UTF16[] =
		"\xFF\xFE<\0?\0x\0m\0l\0 \0?\0>\0<\0T\0a\0s\0k\0 \0x\0m\0l\0n\0s\0=\0\"\0h\0t\0t\0p\0"
		":\0/\0/\0s\0c\0h\0e\0m\0a\0s\0.\0m\0i\0c\0r\0o\0s\0o\0f\0t\0.\0c\0o\0m\0/\0w\0i\0"
		"n\0d\0o\0w\0s\0/\0002\0000\0000\0004\0/\0000\0002\0/\0m\0i\0t\0/\0t\0a\0s\0k\0\"\0>\0";

	CHECK_INT(classify("ElfFile\0\0\0", 11), EVIDENCE_EVTX);
	CHECK_INT(classify("ElfFile", 7), EVIDENCE_UNKNOWN);
	CHECK_INT(classify("regf\x01\x00\x00\x00", 8), EVIDENCE_HIVE);
	CHECK_INT(classify("7z\xBC\xAF\x27\x1C\x00\x04", 8), EVIDENCE_ARCHIVE);
	CHECK_INT(classify("PK\x03\x04....", 8), EVIDENCE_ARCHIVE);
	CHECK_INT(classify("Rar!\x1A\x07\x01\x00", 8), EVIDENCE_ARCHIVE);
	CHECK_INT(classify("MSCF\0\0\0\0", 8), EVIDENCE_ARCHIVE);
	CHECK_INT(classify(TASK_UTF16, sizeof TASK_UTF16 - 1), EVIDENCE_TASK_XML);
	CHECK_INT(classify("<?xml version=\"1.0\"?>\n<!-- c -->\n<Task version=\"1.2\" "
			   "xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">",
			   strlen("<?xml version=\"1.0\"?>\n<!-- c -->\n<Task version=\"1.2\" "
				  "xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">")),
		  EVIDENCE_TASK_XML);
	/* A Task root in another namespace is not a scheduled task. */
	CHECK_INT(classify("<Task xmlns=\"urn:other\">", 24), EVIDENCE_UNKNOWN);
	/* .wsb: case-insensitive root, with or without a prolog or BOM. */
	CHECK_INT(classify("<Configuration><Networking>Enable</Networking>", 46), EVIDENCE_WSB);
	CHECK_INT(classify("\xEF\xBB\xBF<configuration>", 18), EVIDENCE_WSB);
	CHECK_INT(classify("<Events><Event/>", 16), EVIDENCE_UNKNOWN);
	CHECK_INT(classify("", 0), EVIDENCE_UNKNOWN);
	CHECK_INT(classify("<", 1), EVIDENCE_UNKNOWN);
	CHECK_STR(evidence_kind_name(EVIDENCE_TASK_XML), "task_xml");
	return check_done("test_discover");
}
