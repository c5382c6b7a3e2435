/* test_catalog.c - the catalogue keeps what sessions need and counts the rest. */
#include "catalog.h"
#include "check.h"

int main(void)
{
	size_t count = 0;
	const struct catalog_entry *entries = catalog_entries(&count);

	CHECK_INT(catalog_lookup("Microsoft-Windows-Security-Auditing", 4624), CATALOG_STORE);
	CHECK_INT(catalog_lookup("microsoft-windows-security-auditing", 4688), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Security-Auditing", 4702), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Security-Auditing", 5156), CATALOG_SKIP);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Hyper-V-Compute", 2500), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Hyper-V-VSmb", 301), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Hyper-V-Worker", 18500), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-TaskScheduler", 129), CATALOG_STORE);
	/* Keyed on provider and id, never on id alone (METHOD.md §1): 301 of another provider. */
	CHECK_INT(catalog_lookup("Microsoft-Windows-Kernel-Boot", 301), CATALOG_SKIP);
	CHECK_INT(catalog_lookup("Microsoft-Windows-AppModel-Runtime", 39), CATALOG_IF_MENTIONS);
	CHECK_INT(catalog_lookup(NULL, 4624), CATALOG_SKIP);
	CHECK(catalog_mentions_sandbox("<Data>MicrosoftWindows.WindowsSandbox_cw5n1h2txyewy</Data>"));
	CHECK(catalog_mentions_sandbox("containers-disposableclientvm"));
	CHECK(!catalog_mentions_sandbox("<Data>Notepad</Data>"));
	/* Every row cites its section of METHOD.md and has a sane range. */
	CHECK(count > 30);
	for (size_t i = 0; i < count; i++) {
		CHECK(entries[i].section && strncmp(entries[i].section, "\xC2\xA7", 2) == 0);
		CHECK(entries[i].first_id <= entries[i].last_id);
	}
	return check_done("test_catalog");
}
