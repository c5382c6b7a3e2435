/*
 * catalog.h - the event catalogue: what each event record means to sandtrace (METHOD.md §1.10).
 *
 * One table (catalog.def, one X-macro row per (channel, provider, event id range, version range))
 * says for every known record whether ingest stores it in full or only counts it, which session
 * role the correlator gives it, how it names its VM, and where each key field sits in that layout.
 * Records outside it are still counted per (channel, provider, event id) so the examiner sees what
 * was not stored; the --all-events option stores everything. Adding an event or a layout is adding
 * a row.
 */
#ifndef SANDTRACE_CATALOG_H
#define SANDTRACE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

enum catalog_decision {
	CATALOG_SKIP = 0,      /* count only */
	CATALOG_STORE,         /* store in full */
	CATALOG_IF_MENTIONS,   /* store only if the rendered record mentions the sandbox (see
				  catalog_mentions_sandbox); decided after rendering */
};

/* The part a record plays in a session (§6.1) or around it. */
enum catalog_role {
	CATALOG_ROLE_NONE = 0,        /* not read by the correlator */
	CATALOG_ROLE_LOGON,           /* the VM account logged on (4624, 4648, 4672) */
	CATALOG_ROLE_LOGOFF,
	CATALOG_ROLE_VM_START,
	CATALOG_ROLE_VM_EXIT,
	CATALOG_ROLE_LIFECYCLE,       /* another record of the VM's life */
	CATALOG_ROLE_COMMAND,         /* a process the host started in the VM */
	CATALOG_ROLE_SHARE,           /* a host folder shared into the VM */
	CATALOG_ROLE_NIC_CONNECTED,   /* a NIC of the VM connected */
	CATALOG_ROLE_NIC_DISCONNECTED,
	CATALOG_ROLE_PROCESS,         /* a host process created: launcher candidates */
	CATALOG_ROLE_PROCESS_EXIT,
	CATALOG_ROLE_TASK_RUN,        /* a task run: trigger evidence */
	CATALOG_ROLE_SECURITY_CLEARED,/* host context: the Security log was cleared */
	CATALOG_ROLE_LOG_CLEARED,     /* host context: another log was cleared */
	CATALOG_ROLE_BOOT,            /* host context: boot boundary */
	CATALOG_ROLE_SHUTDOWN,
	CATALOG_ROLE_POWER_LOSS
};

/* What a record says about the kind of its VM (§6.6). */
enum catalog_mark { CATALOG_MARK_NONE = 0, CATALOG_MARK_CLASSIC_VM, CATALOG_MARK_CONTAINER };

/* How a record names its VM (§0.2). */
enum catalog_vm_key {
	CATALOG_VM_NONE = 0,     /* never, not even by its user SID */
	CATALOG_VM_BY_SID,       /* only by a VM SID as the record's user */
	CATALOG_VM_ACCOUNT,      /* domain "NT VIRTUAL MACHINE" + GUID name, or a VM SID field */
	CATALOG_VM_GUID,         /* a field holding exactly a GUID */
	CATALOG_VM_GUID_WITHIN   /* a field holding a GUID among other text */
};

struct catalog_entry {
	const char *channel;  /* System/Channel, NULL = any */
	const char *provider; /* System/Provider/@Name, compared case-insensitively */
	uint32_t first_id;    /* event id range, inclusive */
	uint32_t last_id;
	uint32_t first_version; /* System/Version range, inclusive */
	uint32_t last_version;
	enum catalog_decision decision;
	enum catalog_role role;
	enum catalog_mark mark;
	enum catalog_vm_key vm_key;
	const char *fields;   /* "key=Field,...": where each key field sits (catalog.def) */
	const char *section;  /* METHOD.md section that says why */
	const char *meaning;  /* short reason for examiners */
};

/* The decision for a record of PROVIDER with EVENT_ID: made from the two fields libevtx gives
 * before the record is rendered to XML (the first row for that provider and id). */
enum catalog_decision catalog_lookup(const char *provider, uint32_t event_id);

/* The first row for a record of CHANNEL (may be NULL), PROVIDER, EVENT_ID and VERSION, or NULL
 * when the catalogue does not know it. */
const struct catalog_entry *catalog_find(const char *channel, const char *provider,
					 uint32_t event_id, uint32_t version);

/* The field name the row gives for KEY ("guid", "path", ...); INDEX picks the INDEX-th when the key
 * is given more than once (alternatives, tried in order). Writes it into OUT (OUT_SIZE bytes) and
 * returns 1, or returns 0 when there is no such key. */
int catalog_field(const struct catalog_entry *entry, const char *key, size_t index, char *out,
		  size_t out_size);

/* The role as sandtrace names it in sessions ("logon", "vm_start", "exit", "share", ...). */
const char *catalog_role_name(enum catalog_role role);

/* Nonzero if TEXT names the Windows Sandbox feature or package (for CATALOG_IF_MENTIONS rows). */
int catalog_mentions_sandbox(const char *text);

/* The whole table, for the correlator's load query and for tests. */
const struct catalog_entry *catalog_entries(size_t *count);

#endif
