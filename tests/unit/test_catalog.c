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
	/* Task Scheduler keeps every run and registration record (§1.3), whatever its role. */
	for (uint32_t id = 100; id <= 142; id++)
		CHECK_INT(catalog_lookup("Microsoft-Windows-TaskScheduler", id), CATALOG_STORE);
	for (uint32_t id = 200; id <= 203; id++)
		CHECK_INT(catalog_lookup("Microsoft-Windows-TaskScheduler", id), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-TaskScheduler", 143), CATALOG_SKIP);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Hyper-V-VMMS", 13002), CATALOG_STORE);
	CHECK_INT(catalog_lookup("Microsoft-Windows-Hyper-V-VMMS", 13004), CATALOG_SKIP);

	/* Roles and where the key fields are (§1.10). */
	{
		const struct catalog_entry *e;
		char name[64];

		e = catalog_find(NULL, "Microsoft-Windows-Hyper-V-Compute", 2500, 0);
		CHECK(e && e->role == CATALOG_ROLE_COMMAND && e->vm_key == CATALOG_VM_GUID_WITHIN);
		CHECK(catalog_field(e, "parameters", 0, name, sizeof name));
		CHECK_STR(name, "Parameter1");
		CHECK(!catalog_field(e, "parameters", 1, name, sizeof name));
		e = catalog_find("Microsoft-Windows-Hyper-V-Worker-Admin", "microsoft-windows-hyper-v-worker",
				 18500, 3);
		CHECK(e && e->role == CATALOG_ROLE_VM_START && e->vm_key == CATALOG_VM_GUID);
		CHECK(catalog_field(e, "guid", 0, name, sizeof name));
		CHECK_STR(name, "VmId");
		CHECK(catalog_field(e, "guid", 1, name, sizeof name));
		CHECK_STR(name, "VMId");
		CHECK_STR(catalog_role_name(e->role), "vm_start");
		e = catalog_find(NULL, "Microsoft-Windows-Hyper-V-Worker", 18502, 0);
		CHECK_STR(catalog_role_name(e->role), "exit");
		e = catalog_find(NULL, "Microsoft-Windows-Hyper-V-VSmb", 301, 0);
		CHECK(e && e->role == CATALOG_ROLE_SHARE && catalog_field(e, "path", 0, name, sizeof name));
		CHECK_STR(name, "SharePath");
		e = catalog_find(NULL, "Microsoft-Windows-Hyper-V-VMMS", 18304, 0);
		CHECK(e && e->mark == CATALOG_MARK_CLASSIC_VM);
		e = catalog_find(NULL, "Microsoft-Windows-Security-Auditing", 4672, 0);
		CHECK(e && e->role == CATALOG_ROLE_LOGON && e->vm_key == CATALOG_VM_ACCOUNT);
		CHECK(!catalog_field(e, "sid", 0, name, sizeof name)); /* subject name only */
		e = catalog_find(NULL, "Microsoft-Windows-TaskScheduler", 129, 0);
		CHECK(e && e->role == CATALOG_ROLE_TASK_RUN && catalog_field(e, "pid", 0, name, sizeof name));
		CHECK_STR(name, "ProcessID");
		e = catalog_find(NULL, "Microsoft-Windows-TaskScheduler", 101, 0);
		CHECK(e && e->role == CATALOG_ROLE_NONE);
		CHECK(!catalog_find(NULL, "Microsoft-Windows-Security-Auditing", 5156, 0));
		CHECK(!catalog_find(NULL, NULL, 4624, 0));
	}

	/* Every row cites its section of METHOD.md and has a sane range; every role that the
	 * correlator reads a field for says where that field is. */
	CHECK(count > 30);
	for (size_t i = 0; i < count; i++) {
		CHECK(entries[i].section && strncmp(entries[i].section, "\xC2\xA7", 2) == 0);
		CHECK(entries[i].first_id <= entries[i].last_id);
		CHECK(entries[i].first_version <= entries[i].last_version);
		CHECK(entries[i].fields != NULL);
		{
			char name[64];
			const struct catalog_entry *e = &entries[i];

			if (e->vm_key == CATALOG_VM_ACCOUNT)
				CHECK(catalog_field(e, "domain", 0, name, sizeof name) &&
				      catalog_field(e, "name", 0, name, sizeof name));
			if (e->vm_key == CATALOG_VM_GUID || e->vm_key == CATALOG_VM_GUID_WITHIN)
				CHECK(catalog_field(e, "guid", 0, name, sizeof name));
			if (e->role == CATALOG_ROLE_COMMAND)
				CHECK(catalog_field(e, "parameters", 0, name, sizeof name) ||
				      catalog_field(e, "command", 0, name, sizeof name));
			if (e->role == CATALOG_ROLE_SHARE)
				CHECK(catalog_field(e, "path", 0, name, sizeof name));
			if (e->role == CATALOG_ROLE_PROCESS)
				CHECK(catalog_field(e, "image", 0, name, sizeof name) &&
				      catalog_field(e, "pid", 0, name, sizeof name));
		}
	}
	return check_done("test_catalog");
}
