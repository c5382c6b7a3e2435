/*
 * session.h - the in-memory model of one Windows Sandbox session (one run of one sandbox VM, keyed
 * by its VM GUID; METHOD.md §6), as correlate/sessions.c builds it from the store and as the
 * findings rules (correlate/rules.c) and the exporters read it.
 *
 * Every element that states something carries the store row it rests on (events.id, tasks.id,
 * wsb_configs.id, ...) and, for links made by the correlator, the basis and confidence of the link
 * (§6.5: "strong", "medium", "weak").
 */
#ifndef SANDTRACE_CORRELATE_SESSION_H
#define SANDTRACE_CORRELATE_SESSION_H

#include <stddef.h>
#include <stdint.h>

enum { SESSION_UNKNOWN = -1 };

/* A host folder shared into the VM (Hyper-V-VSmb 301, §1.5). */
struct session_share {
	uint64_t time;          /* FILETIME */
	char *host_path;        /* SharePath */
	char *share_flags;      /* ShareFlags as written (meaning unconfirmed: never decoded) */
	char *share_name;
	int read_only;          /* from the matching .wsb mapped folder: 1, 0, SESSION_UNKNOWN */
	int internal;           /* the sandbox's own base-image / package share (§7 notes) */
	int64_t event_row;
};

/* A command the host ran in the VM (Hyper-V-Compute 2500, §1.4). */
struct session_command {
	uint64_t time;
	char *command_line;     /* CommandLine from the parameters JSON (tolerant extraction) */
	char *user;             /* User from the parameters JSON */
	char *guest_pid;        /* Parameter0 (a PID inside the VM; never joined to host PIDs) */
	char *result;
	int64_t event_row;
};

/* A network event tied to the VM (VmSwitch 232/234, §1.2). */
struct session_network {
	uint64_t time;
	char *event;            /* "nic-connected", "nic-disconnected" */
	char *nic_name;
	const char *link;       /* "strong" (GUID in NicName/PortName) or "weak" (time only) */
	int64_t event_row;
};

/* A lifecycle or logon record of the VM (4624/4648/4672/4634, 18500..., 2000...). */
struct session_record {
	uint64_t time;
	char *role;             /* "logon", "vm_start", "exit", "lifecycle" */
	char *what;             /* "Security 4624 logon of NT VIRTUAL MACHINE\\<GUID>", ... */
	int64_t event_row;
};

struct session_mapped_folder {
	char *host;             /* HostFolder */
	char *sandbox;          /* effective sandbox path */
	int read_only;          /* effective: 1, 0, SESSION_UNKNOWN */
};

/* The configuration the launcher named (§5.1), if one was found in the store. */
struct session_wsb {
	int64_t config_id;      /* wsb_configs.id, 0 if none */
	char *path;             /* the .wsb path as the launcher / task named it */
	int networking;         /* effective: 1, 0, SESSION_UNKNOWN (no configuration) */
	char *networking_origin;/* "explicit", "default", ... */
	char *logon_command;
	struct session_mapped_folder *folders;
	size_t folder_count;
};

/* What started the sandbox (§6.3). */
struct session_trigger {
	const char *kind;       /* "task", "user", "unknown" (static) */
	char *task_name;        /* task URI, if a task */
	char *user;             /* task principal or the launcher's subject (SID or name) */
	int64_t task_id;        /* tasks.id of the definition used (file, 4698, TaskCache), 0 if none */
	int64_t *other_task_ids; /* the further definitions with the same task name (tasks.id order):
				    a TaskCache entry read from a replayed hive names itself here */
	size_t other_task_count;
	int hidden;             /* task Hidden=true or a TaskCache hiding finding: 1/0/SESSION_UNKNOWN */
	int runs_at_boot_or_logon; /* a Boot or Logon trigger */
	int principal_is_system;   /* principal / subject is SYSTEM (S-1-5-18) or a service */
	const char *link;       /* confidence of trigger -> launcher */
	char *link_basis;
	int64_t event_row;      /* the task-run record (129/200), 0 if none */
};

/* The launcher process (4688 / Sysmon 1 of WindowsSandbox.exe, wsb.exe, ...). */
struct session_launcher {
	char *image;
	int64_t pid;            /* SESSION_UNKNOWN if not known */
	char *command_line;
	char *subject_sid;      /* who started it */
	char *parent_image;
	uint64_t time;
	const char *link;       /* confidence of launcher -> VM */
	char *link_basis;
	int64_t event_row;      /* 0 if no launcher record */
	int64_t command_line_task; /* tasks.id whose Exec action gave the command line because no
				      record of the process had one (§6.3), 0 if its own */
};

struct session {
	int64_t id;             /* 1-based, in start order (§6: deterministic) */
	char vm_guid[40];       /* upper case, no braces */
	char vm_sid[80];        /* S-1-5-83-1-... (§0.3) */
	char *kind;             /* "sandbox" or "sandbox-likely" (§6.6), with kind_basis */
	char *kind_basis;
	uint64_t start, end;    /* FILETIME; 0 = unknown */
	int end_inferred;       /* end taken from the last linked record (no exit record) */
	const char *confidence; /* "high", "medium", "low" (§6.5, §7) */

	struct session_trigger trigger;
	struct session_launcher launcher;
	struct session_wsb wsb;

	struct session_record *records;   size_t record_count;
	struct session_share *shares;     size_t share_count;
	struct session_command *commands; size_t command_count;
	struct session_network *network;  size_t network_count;
	char **missing;                   size_t missing_count; /* sentences */
};

#endif
