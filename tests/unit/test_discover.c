/* test_discover.c - evidence is recognised by content first; a file whose content is not
 * recognised is evidence when its name or place says so (the name/place table). */
#include "check.h"
#include "discover.h"

static enum evidence_kind classify(const char *bytes, size_t size)
{
	return discover_classify((const unsigned char *)bytes, size);
}

/* The kind the name/place table gives PATH for content that is not recognised (CONTENT), and the
 * basis in *BASIS. */
static enum evidence_kind by_name(const char *path, enum evidence_kind content,
				  enum discover_basis *basis)
{
	const char *why = NULL;
	enum evidence_kind kind = discover_decide(path, content, basis, &why);

	/* a reason exactly when the name decided */
	CHECK((*basis == DISCOVER_BY_NAME) == (why != NULL));
	return kind;
}

static void test_name_and_place_back_content(void)
{
	static const struct {
		const char *path;
		enum evidence_kind kind;
	} unknown_content[] = {
		/* named or placed like evidence: the kind the name says */
		{"case/C/Windows/System32/winevt/Logs/Security.evtx", EVIDENCE_EVTX},
		{"SECURITY.EVTX", EVIDENCE_EVTX},
		{"C:\\Windows\\System32\\winevt\\Logs\\Security.evtx", EVIDENCE_EVTX},
		{"x/WINEVT/logs/Renamed.bin", EVIDENCE_EVTX},
		{"C:\\Windows\\System32\\WinEvt\\Logs\\Application", EVIDENCE_EVTX},
		{"col/C/Windows/System32/config/SYSTEM", EVIDENCE_HIVE},
		{"col/c/windows/system32/CONFIG/software", EVIDENCE_HIVE},
		{"C:\\Windows\\System32\\Config\\Security", EVIDENCE_HIVE},
		{"config/SAM", EVIDENCE_HIVE},
		{"/x/config/DEFAULT", EVIDENCE_HIVE},
		{"Users/k/NTUSER.DAT", EVIDENCE_HIVE},
		{"Users\\k\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat", EVIDENCE_HIVE},
		{"Windows/AppCompat/Programs/Amcache.hve", EVIDENCE_HIVE},
		{"config/SYSTEM.LOG", EVIDENCE_HIVE_LOG},
		{"config/SYSTEM.LOG1", EVIDENCE_HIVE_LOG},
		{"C:\\Windows\\System32\\config\\software.log2", EVIDENCE_HIVE_LOG},
		{"Users/k/ntuser.dat.LOG1", EVIDENCE_HIVE_LOG},
		{"C/Windows/System32/Tasks/Microsoft/Windows/Maintenance/MaintenanceSync", EVIDENCE_TASK_XML},
		{"c:\\windows\\SYSTEM32\\TASKS\\Updater", EVIDENCE_TASK_XML},
		{"Users/k/Documents/Sandbox/a.wsb", EVIDENCE_WSB},
		{"D:\\x\\Net.WSB", EVIDENCE_WSB},
		/* neither: not evidence */
		{"C/Users/Public/Downloads/run.bat", EVIDENCE_UNKNOWN},
		{"Security.evtx.bak", EVIDENCE_UNKNOWN},
		{"notes/evtx", EVIDENCE_UNKNOWN},
		{"config/SYSTEM.bak", EVIDENCE_UNKNOWN},
		{"config/SYSTEM.LOG3", EVIDENCE_UNKNOWN},
		{"backup/SYSTEM", EVIDENCE_UNKNOWN},
		{"myconfig/SYSTEM", EVIDENCE_UNKNOWN},
		{"C/Windows/Tasks/At1.job", EVIDENCE_UNKNOWN},
		{"C/Windows/System32/Tasks", EVIDENCE_UNKNOWN},
		{"C/Windows/System32/TasksMigrated/x", EVIDENCE_UNKNOWN},
		{"winevt/Logs.txt", EVIDENCE_UNKNOWN},
		{"a.wsb.txt", EVIDENCE_UNKNOWN},
		{"NTUSER.DAT.bak", EVIDENCE_UNKNOWN},
		{"", EVIDENCE_UNKNOWN},
	};
	enum discover_basis basis;

	for (size_t i = 0; i < sizeof unknown_content / sizeof unknown_content[0]; i++) {
		enum evidence_kind kind = by_name(unknown_content[i].path, EVIDENCE_UNKNOWN, &basis);
		if (kind != unknown_content[i].kind)
			fprintf(stderr, "path \"%s\"\n", unknown_content[i].path);
		CHECK_INT(kind, unknown_content[i].kind);
		CHECK_INT(basis, unknown_content[i].kind == EVIDENCE_UNKNOWN ? DISCOVER_NOT_EVIDENCE
									    : DISCOVER_BY_NAME);
	}
	/* Content first: a renamed log is a log, a hive in winevt/Logs is a hive. */
	CHECK_INT(by_name("C/Users/Public/Downloads/run.bat", EVIDENCE_EVTX, &basis), EVIDENCE_EVTX);
	CHECK_INT(basis, DISCOVER_BY_CONTENT);
	CHECK_INT(by_name("winevt/Logs/System.evtx", EVIDENCE_HIVE, &basis), EVIDENCE_HIVE);
	CHECK_INT(basis, DISCOVER_BY_CONTENT);
	CHECK_INT(by_name("config/SYSTEM", EVIDENCE_HIVE, &basis), EVIDENCE_HIVE);
	CHECK_INT(basis, DISCOVER_BY_CONTENT);
	/* ...except a transaction log, whose content starts with its hive's base block. */
	CHECK_INT(by_name("config/SYSTEM.LOG1", EVIDENCE_HIVE, &basis), EVIDENCE_HIVE_LOG);
	CHECK_INT(basis, DISCOVER_BY_NAME);
	/* A zip named .evtx is an archive (content), not a damaged log. */
	CHECK_INT(by_name("x/Security.evtx", EVIDENCE_ARCHIVE, &basis), EVIDENCE_ARCHIVE);
	CHECK_STR(evidence_kind_name(EVIDENCE_HIVE_LOG), "hive_log");
	/* Any name: a base block with a log's file type (1, 2, 6) is a log, with 0 a hive. */
	{
		unsigned char head[512] = "regf";
		head[28] = 6;
		CHECK_INT(discover_classify(head, sizeof head), EVIDENCE_HIVE_LOG);
		head[28] = 1;
		CHECK_INT(discover_classify(head, sizeof head), EVIDENCE_HIVE_LOG);
		head[28] = 0;
		CHECK_INT(discover_classify(head, sizeof head), EVIDENCE_HIVE);
		CHECK_INT(by_name("x/NewDirtyHive.LOG2", EVIDENCE_HIVE_LOG, &basis), EVIDENCE_HIVE_LOG);
		CHECK_INT(basis, DISCOVER_BY_CONTENT);
	}
}

static void test_content_is_described_in_words(void)
{
	char text[96];

	discover_describe_content((const unsigned char *)"", 0, text, sizeof text);
	CHECK_STR(text, "empty file (0 bytes)");
	discover_describe_content((const unsigned char *)"@echo off\r\nstart x", 18, text, sizeof text);
	CHECK_STR(text, "text: \"@echo off  start x\"");
	discover_describe_content((const unsigned char *)"XlfFile\0\0\x01", 10, text, sizeof text);
	CHECK_STR(text, "binary: 58 6c 66 46 69 6c 65 00 00 01");
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
	test_name_and_place_back_content();
	test_content_is_described_in_words();
	return check_done("test_discover");
}
