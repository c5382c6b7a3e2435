/*
 * catalog.c - the event catalogue as data (see catalog.h). Adding an event id is adding a row.
 */
#define _GNU_SOURCE /* strcasestr */
#include "catalog.h"

#include <string.h>
#include <strings.h>

#define ALL_IDS 0, UINT32_MAX

static const struct catalog_entry CATALOG[] = {
	/* Security (§1.1) */
	{"Microsoft-Windows-Security-Auditing", 4624, 4625, CATALOG_STORE, "§1.1", "logon / failed logon (VM account logon)"},
	{"Microsoft-Windows-Security-Auditing", 4634, 4634, CATALOG_STORE, "§1.1", "logoff"},
	{"Microsoft-Windows-Security-Auditing", 4647, 4648, CATALOG_STORE, "§1.1", "user logoff / explicit-credential logon by vmcompute"},
	{"Microsoft-Windows-Security-Auditing", 4672, 4672, CATALOG_STORE, "§1.1", "special privileges for the VM logon"},
	{"Microsoft-Windows-Security-Auditing", 4688, 4689, CATALOG_STORE, "§1.1", "process start / exit (launcher)"},
	{"Microsoft-Windows-Security-Auditing", 4697, 4702, CATALOG_STORE, "§1.1", "service installed; task created/deleted/enabled/disabled/updated"},
	{"Microsoft-Windows-Security-Auditing", 4719, 4719, CATALOG_STORE, "§1.1", "audit policy changed"},
	{"Microsoft-Windows-Security-Auditing", 4616, 4616, CATALOG_STORE, "§1.1", "system time changed"},
	{"Microsoft-Windows-Eventlog", 1102, 1102, CATALOG_STORE, "§1.1", "Security log cleared"},
	{"Microsoft-Windows-Eventlog", 104, 104, CATALOG_STORE, "§1.2", "a log was cleared"},
	/* System (§1.2) */
	{"Service Control Manager", 7036, 7036, CATALOG_STORE, "§1.2", "service state change (vmcompute on demand)"},
	{"Service Control Manager", 7040, 7040, CATALOG_STORE, "§1.2", "service start type changed"},
	{"Service Control Manager", 7045, 7045, CATALOG_STORE, "§1.2", "service installed"},
	{"EventLog", 6005, 6006, CATALOG_STORE, "§1.2", "event log service started / stopped"},
	{"EventLog", 6008, 6008, CATALOG_STORE, "§1.2", "previous shutdown unexpected"},
	{"Microsoft-Windows-Kernel-General", 12, 13, CATALOG_STORE, "§1.2", "OS start / shutdown (boot boundary)"},
	{"Microsoft-Windows-Kernel-Power", 41, 41, CATALOG_STORE, "§1.2", "unclean reboot (no VM end logged)"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 9, 9, CATALOG_STORE, "§1.2", "switch initialised"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 26, 26, CATALOG_STORE, "§1.2", "VM networking protocol negotiated (VMId)"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 62, 62, CATALOG_STORE, "§1.2", "switch deleted"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 67, 69, CATALOG_STORE, "§1.2", "port created / deleted"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 102, 102, CATALOG_STORE, "§1.2", "VM networking protocol failed (VMId)"},
	{"Microsoft-Windows-Hyper-V-VmSwitch", 232, 234, CATALOG_STORE, "§1.2", "VM NIC connected / operation / disconnected"},
	/* Task Scheduler (§1.3): every run and registration record. */
	{"Microsoft-Windows-TaskScheduler", 100, 142, CATALOG_STORE, "§1.3", "task started/completed/registered/triggered/process created"},
	{"Microsoft-Windows-TaskScheduler", 200, 203, CATALOG_STORE, "§1.3", "task action started/completed/failed"},
	{"Microsoft-Windows-TaskScheduler", 322, 330, CATALOG_STORE, "§1.3", "task instance ignored/queued/stopped"},
	/* Hyper-V (§1.4-§1.6): which ids a sandbox writes is unconfirmed, so whole providers are kept. */
	{"Microsoft-Windows-Hyper-V-Compute", ALL_IDS, CATALOG_STORE, "§1.4", "Host Compute Service (VM lifecycle, commands in the VM)"},
	{"Microsoft-Windows-Hyper-V-ComputeLib", ALL_IDS, CATALOG_STORE, "§1.4", "HCS client failures"},
	{"Microsoft-Windows-Hyper-V-Worker", ALL_IDS, CATALOG_STORE, "§1.5", "VM worker lifecycle"},
	{"Microsoft-Windows-Hyper-V-VSmb", ALL_IDS, CATALOG_STORE, "§1.5", "VSMB shares (mapped folders)"},
	{"Microsoft-Windows-Hyper-V-VMMS", 13002, 13003, CATALOG_STORE, "§1.6", "classic VM created / deleted (not a sandbox)"},
	{"Microsoft-Windows-Hyper-V-VMMS", 15130, 15130, CATALOG_STORE, "§1.6", "classic VM failed to start"},
	{"Microsoft-Windows-Hyper-V-VMMS", 18303, 18304, CATALOG_STORE, "§1.6", "classic VM exported / created"},
	/* Other channels (§1.7) */
	{"Microsoft-Windows-Sysmon", 1, 1, CATALOG_STORE, "§1.7", "process create (launcher chain, hashes)"},
	{"Microsoft-Windows-Sysmon", 3, 3, CATALOG_STORE, "§1.7", "network connect (host processes)"},
	{"Microsoft-Windows-Sysmon", 11, 11, CATALOG_STORE, "§1.7", "file create (writes into mapped folders)"},
	{"Microsoft-Windows-Sysmon", 13, 13, CATALOG_STORE, "§1.7", "registry value set"},
	{"Microsoft-Windows-AppModel-Runtime", ALL_IDS, CATALOG_IF_MENTIONS, "§1.7", "packaged sandbox app activation (24H2)"},
	{"Microsoft-Windows-AppXDeployment-Server", ALL_IDS, CATALOG_IF_MENTIONS, "§1.7", "sandbox package deployment"},
	{"Microsoft-Windows-Servicing", ALL_IDS, CATALOG_IF_MENTIONS, "§1.7", "optional feature change (Containers-DisposableClientVM)"},
};

enum catalog_decision catalog_lookup(const char *provider, uint32_t event_id)
{
	if (!provider)
		return CATALOG_SKIP;
	for (size_t i = 0; i < sizeof CATALOG / sizeof CATALOG[0]; i++)
		if (event_id >= CATALOG[i].first_id && event_id <= CATALOG[i].last_id &&
		    strcasecmp(provider, CATALOG[i].provider) == 0)
			return CATALOG[i].decision;
	return CATALOG_SKIP;
}

int catalog_mentions_sandbox(const char *text)
{
	/* §1.7, §2.1, §2.4: the feature name and the package / process names. */
	static const char *const NEEDLES[] = {"WindowsSandbox", "Containers-DisposableClientVM"};

	if (!text)
		return 0;
	for (size_t i = 0; i < sizeof NEEDLES / sizeof NEEDLES[0]; i++)
		if (strcasestr(text, NEEDLES[i]))
			return 1;
	return 0;
}

const struct catalog_entry *catalog_entries(size_t *count)
{
	*count = sizeof CATALOG / sizeof CATALOG[0];
	return CATALOG;
}
