/* test_collection.c - collector layouts mapped back to Windows paths (METHOD.md §8.6), and which
 * files are collection containers. Reading containers is checked end to end against files the
 * test itself zips, tars and 7z's (tests/e2e/check_collections.py). */
#include "check.h"
#include "collection.h"

/* RELATIVE maps to WANT (NULL: no Windows path) with layout LAYOUT. */
static void expect(const char *relative, const char *want, const char *layout)
{
	const char *got_layout = "unset";
	char *got = collection_windows_path(relative, &got_layout);

	if (want) {
		CHECK_STR(got, want);
		CHECK_STR(got_layout, layout);
	} else {
		if (got)
			fprintf(stderr, "%s: unexpected Windows path %s\n", relative, got);
		CHECK(got == NULL);
		CHECK(got_layout == NULL);
	}
	free(got);
}

static void test_layouts(void)
{
	/* KAPE: a folder per drive letter, anywhere below the root; the names as Windows gave them. */
	expect("C/Windows/System32/winevt/Logs/Security.evtx",
	       "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx", "kape");
	expect("2025-01-07_tdest/C/Windows/System32/winevt/Logs/Microsoft-Windows-Hyper-V-Worker%4Admin.evtx",
	       "C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Hyper-V-Worker%4Admin.evtx", "kape");
	expect("C%3A/Users/k/NTUSER.DAT", "C:\\Users\\k\\NTUSER.DAT", "kape");
	expect("d/$MFT", "D:\\$MFT", "kape");
	/* Velociraptor: every name encoded, '%' as %25; the ntfs accessor's device path. */
	expect("uploads/auto/C%3A/Windows/System32/winevt/Logs/Microsoft-Windows-Hyper-V-Worker%254Admin.evtx",
	       "C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Hyper-V-Worker%4Admin.evtx",
	       "velociraptor");
	expect("uploads/ntfs/%5C%5C.%5CC%3A/Windows/System32/Tasks/OneDrive%20Update",
	       "C:\\Windows\\System32\\Tasks\\OneDrive Update", "velociraptor");
	expect("uploads\\auto\\C%3A\\Users\\a b\\x.wsb", "C:\\Users\\a b\\x.wsb", "velociraptor");
	expect("uploads/ntfs/%5C%5C%3F%5CGLOBALROOT%5CDevice%5CHarddiskVolumeShadowCopy1/Windows/x",
	       "\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\Windows\\x", "velociraptor");
	/* A broken escape stays as written; %00 is never decoded. */
	expect("uploads/auto/C%3A/a%zz%00b", "C:\\a%zz%00b", "velociraptor");
	/* A copied volume root: the letter is not in the evidence, C: is taken. */
	expect("Windows/System32/config/SYSTEM", "C:\\Windows\\System32\\config\\SYSTEM", "volume_root");
	expect("Users/a/Documents/b/x.wsb", "C:\\Users\\a\\Documents\\b\\x.wsb", "volume_root");
	/* Not a layout: a one-letter folder that holds no volume, a flat file, a name that climbs. */
	expect("cases/h/notes/x.wsb", NULL, NULL);
	expect("Security.evtx", NULL, NULL);
	expect("", NULL, NULL);
	expect("C/Windows/../../../etc/passwd", NULL, NULL);
	expect("../C/Windows/x", NULL, NULL);
	expect("C", NULL, NULL);
	expect("uploads/auto/C%3A", NULL, NULL);
}

static void test_containers(void)
{
	static const unsigned char zip[] = "PK\x03\x04", seven[] = "7z\xBC\xAF\x27\x1C", gz[] = "\x1F\x8B\x08";
	unsigned char tar[512] = {0};

	CHECK(collection_is_container(zip, 4));
	CHECK(collection_is_container(seven, 6));
	CHECK(collection_is_container(gz, 3));
	memcpy(tar + 257, "ustar", 5);
	CHECK(collection_is_container(tar, sizeof tar));
	CHECK(!collection_is_container((const unsigned char *)"ElfFile\0", 8));
	CHECK(!collection_is_container((const unsigned char *)"Rar!\x1A\x07", 6)); /* evidence only */
	CHECK(!collection_is_container(tar, 200));
	CHECK(collection_name_is_container("Host1.ZIP"));
	CHECK(collection_name_is_container("c.tar.gz"));
	CHECK(collection_name_is_container("c.7z"));
	CHECK(!collection_name_is_container("payload.dat"));
	CHECK(!collection_name_is_container(".zip"));
}

int main(void)
{
	test_layouts();
	test_containers();
	return check_done("collection");
}
