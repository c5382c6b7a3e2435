/*
 * catalog.c - the event catalogue as data (see catalog.h). The rows are in catalog.def; a build
 * may name another file with the same rows plus its own (-DSANDTRACE_CATALOG_DEF="file"): that is
 * how tests/e2e shows a new layout added by catalogue rows alone.
 */
#define _GNU_SOURCE /* strcasestr */
#include "catalog.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#ifndef SANDTRACE_CATALOG_DEF
#define SANDTRACE_CATALOG_DEF "catalog.def"
#endif

#define ID_MAX UINT32_MAX
#define VERSION_MAX UINT32_MAX

static const struct catalog_entry CATALOG[] = {
#define EVENT(channel, provider, first_id, last_id, first_version, last_version, decision, role,  \
	      mark, vm_key, fields, section, meaning)                                           \
	{channel,                                                                                 \
	 provider,                                                                                \
	 first_id,                                                                                \
	 last_id,                                                                                 \
	 first_version,                                                                           \
	 last_version,                                                                            \
	 CATALOG_##decision,                                                                      \
	 CATALOG_ROLE_##role,                                                                     \
	 CATALOG_MARK_##mark,                                                                     \
	 CATALOG_VM_##vm_key,                                                                     \
	 fields,                                                                                  \
	 section,                                                                                 \
	 meaning},
#include SANDTRACE_CATALOG_DEF
#undef EVENT
};

#define CATALOG_COUNT (sizeof CATALOG / sizeof CATALOG[0])

static int provider_and_id(const struct catalog_entry *row, const char *provider, uint32_t event_id)
{
	return event_id >= row->first_id && event_id <= row->last_id &&
	       strcasecmp(provider, row->provider) == 0;
}

enum catalog_decision catalog_lookup(const char *provider, uint32_t event_id)
{
	if (!provider)
		return CATALOG_SKIP;
	for (size_t i = 0; i < CATALOG_COUNT; i++)
		if (provider_and_id(&CATALOG[i], provider, event_id))
			return CATALOG[i].decision;
	return CATALOG_SKIP;
}

const struct catalog_entry *catalog_find(const char *channel, const char *provider,
					 uint32_t event_id, uint32_t version)
{
	if (!provider)
		return NULL;
	for (size_t i = 0; i < CATALOG_COUNT; i++) {
		const struct catalog_entry *row = &CATALOG[i];

		if (provider_and_id(row, provider, event_id) && version >= row->first_version &&
		    version <= row->last_version &&
		    (!row->channel || (channel && strcasecmp(channel, row->channel) == 0)))
			return row;
	}
	return NULL;
}

int catalog_field(const struct catalog_entry *entry, const char *key, size_t index, char *out,
		  size_t out_size)
{
	size_t key_length = strlen(key);
	const char *p = entry ? entry->fields : NULL;

	while (p && *p) {
		const char *end = strchr(p, ','), *equals = strchr(p, '=');
		size_t length = end ? (size_t)(end - p) : strlen(p);

		if (equals && equals < p + length && (size_t)(equals - p) == key_length &&
		    strncmp(p, key, key_length) == 0 && index-- == 0) {
			snprintf(out, out_size, "%.*s", (int)(p + length - equals - 1), equals + 1);
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

const char *catalog_role_name(enum catalog_role role)
{
	static const char *const NAMES[] = {
		[CATALOG_ROLE_NONE] = "none",
		[CATALOG_ROLE_LOGON] = "logon",
		[CATALOG_ROLE_LOGOFF] = "logoff",
		[CATALOG_ROLE_VM_START] = "vm_start",
		[CATALOG_ROLE_VM_EXIT] = "exit",
		[CATALOG_ROLE_LIFECYCLE] = "lifecycle",
		[CATALOG_ROLE_COMMAND] = "command",
		[CATALOG_ROLE_SHARE] = "share",
		[CATALOG_ROLE_NIC_CONNECTED] = "nic-connected",
		[CATALOG_ROLE_NIC_DISCONNECTED] = "nic-disconnected",
		[CATALOG_ROLE_PROCESS] = "process",
		[CATALOG_ROLE_PROCESS_EXIT] = "process_exit",
		[CATALOG_ROLE_TASK_RUN] = "task_run",
		[CATALOG_ROLE_SECURITY_CLEARED] = "security_cleared",
		[CATALOG_ROLE_LOG_CLEARED] = "log_cleared",
		[CATALOG_ROLE_BOOT] = "boot",
		[CATALOG_ROLE_SHUTDOWN] = "shutdown",
		[CATALOG_ROLE_POWER_LOSS] = "power_loss",
	};

	return (size_t)role < sizeof NAMES / sizeof NAMES[0] && NAMES[role] ? NAMES[role] : "none";
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
	*count = CATALOG_COUNT;
	return CATALOG;
}
