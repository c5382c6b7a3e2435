/*
 * taskcache.h - decoders of the TaskCache binary values Actions, DynamicInfo and Triggers, and the
 * hidden/orphaned-task cross-checks (METHOD.md §4.2).
 *
 * Pure functions of byte buffers: no libregf, no store. Every length is checked against the
 * buffer before it is used; malformed input gives a partial result plus a reason (PROBLEM), never
 * a read past the end. Strings are returned as UTF-8 (decoded from UTF-16LE).
 */
#ifndef SANDTRACE_PARSERS_TASKCACHE_H
#define SANDTRACE_PARSERS_TASKCACHE_H

#include <stddef.h>
#include <stdint.h>

/* --- Actions (§4.2 "Actions value") --- */

enum taskcache_action_kind {
	TASKCACHE_ACTION_EXEC = 0x6666,
	TASKCACHE_ACTION_COM_HANDLER = 0x7777,
	TASKCACHE_ACTION_SEND_EMAIL = 0x8888,
	TASKCACHE_ACTION_SHOW_MESSAGE = 0x9999,
};

struct taskcache_action {
	uint16_t magic;            /* enum taskcache_action_kind */
	const char *kind_name;     /* "Exec", "ComHandler", "SendEmail", "ShowMessage" (static) */
	char *id;                  /* the action's @id ("" when empty) */
	/* Exec */
	char *command, *arguments, *working_directory;
	int has_flags;             /* the u16 after WorkingDirectory (version >= 3) was present */
	uint16_t flags;
	/* ComHandler: CLSID as "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" ("" if not read), Data */
	char clsid[39];
	char *data;
	/* SendEmail (attachments and headers are bounds-checked and counted, not kept) */
	char *from, *to, *cc, *bcc, *reply_to, *server, *subject, *body;
	uint32_t attachment_count, header_count;
	/* ShowMessage */
	char *caption, *content;
};

struct taskcache_actions {
	uint16_t version;          /* 0 if the buffer is shorter than 2 bytes */
	char *context;             /* Actions/@Context (principal id); NULL when absent */
	struct taskcache_action *actions;
	size_t action_count;
	/* Only when decoding failed: every UTF-16LE run of >= 4 printable characters at even
	 * offsets, in order (§4.2 fallback). */
	char **strings;
	size_t string_count;
	char *problem;             /* NULL when the whole buffer was decoded; else reason + offset */
};

/* Decodes an Actions value into *OUT (zeroed first; release with taskcache_actions_clear).
 * Returns 0 when every byte was decoded, -1 for a partial result (OUT->problem says why). */
int taskcache_decode_actions(const uint8_t *data, size_t size, struct taskcache_actions *out);
void taskcache_actions_clear(struct taskcache_actions *actions);

/* --- DynamicInfo (§4.2 "DynamicInfo value") --- */

struct taskcache_dynamic_info {
	size_t size;                   /* 28 (Vista/7) or 36 (8 and later) when decoded */
	uint32_t version;              /* u32 @0x00, 3 in all samples */
	uint64_t creation_time;        /* FILETIME @0x04 */
	uint64_t last_run_time;        /* FILETIME @0x0C, 0 = never */
	uint32_t task_state;           /* u32 @0x14 (GDATA: task_state; winreg-kb: HRESULTs seen) */
	uint32_t last_error;           /* u32 @0x18, "Last Run Result" */
	int task_state_is_hresult;     /* value has the form 0x8007xxxx */
	int last_error_is_hresult;
	int has_last_successful_run;   /* 36-byte form only */
	uint64_t last_successful_run_time; /* FILETIME @0x1C */
};

/* Decodes a DynamicInfo value into *OUT (zeroed first). Returns 0 for the 28- and 36-byte forms,
 * -1 for any other size (nothing decoded: §4.2 says keep the raw bytes). */
int taskcache_decode_dynamic_info(const uint8_t *data, size_t size,
				  struct taskcache_dynamic_info *out);

/* True if VALUE looks like an HRESULT of FACILITY_WIN32 (0x8007xxxx), as §4.2 asks to label. */
int taskcache_is_win32_hresult(uint32_t value);

/* --- Triggers (§4.2 "Triggers value") --- */

/* Job bucket flags (§4.2 "Bucket flags"; the ones sandtrace reports). */
#define TASKCACHE_BUCKET_LOGON_S4U 0x4000u
#define TASKCACHE_BUCKET_INTERACTIVE_TOKEN 0x10000u
#define TASKCACHE_BUCKET_PASSWORD 0x40000u
#define TASKCACHE_BUCKET_INTERACTIVE_TOKEN_OR_PASSWORD 0x80000u
#define TASKCACHE_BUCKET_ENABLED 0x400000u
#define TASKCACHE_BUCKET_HIDDEN 0x800000u
#define TASKCACHE_BUCKET_RUN_LEVEL_HIGHEST 0x1000000u

/* TSTIME: is_localized flag + FILETIME (local wall-clock time when is_localized, §4.2). */
struct taskcache_tstime {
	uint8_t is_localized;
	uint64_t filetime;
};

struct taskcache_trigger {
	uint32_t magic;            /* 0xDDDD time, 0xAAAA logon, 0xFFFF boot, ... (§4.2) */
	const char *kind_name;     /* "time", "logon", "boot", "idle", "event", "registration",
				      "session-state-change", "wnf-state-change", "unknown" (static) */
	int enabled;               /* 1/0; -1 if the record ended before the flag */
	struct taskcache_tstime start;
};

struct taskcache_triggers {
	uint8_t version;           /* header version (0x17 on Win10/11; >= 0x16 adds ids) */
	struct taskcache_tstime start_boundary, end_boundary; /* header */
	int has_job_bucket;        /* the job bucket up to the CRC was read */
	uint32_t flags;            /* bucket flags (TASKCACHE_BUCKET_*) */
	uint32_t xml_crc32;        /* CRC32 of the task XML */
	char *principal_id;        /* version >= 0x16; NULL when absent */
	char *display_name;        /* version >= 0x17; NULL when absent */
	int has_user;              /* user_info read and skip_user == 0 */
	int has_sid;               /* skip_sid == 0 and the SID was read */
	uint32_t sid_type;         /* SID_NAME_USE */
	char *sid;                 /* "S-1-5-18"; NULL when absent or malformed */
	char *user_name;           /* NULL when absent */
	uint32_t optional_settings_size;
	struct taskcache_trigger *triggers;
	size_t trigger_count;
	char *problem;             /* NULL when the whole buffer was decoded; else reason + offset */
};

/* Decodes a Triggers value into *OUT (zeroed first; release with taskcache_triggers_clear).
 * Returns 0 when every trigger was walked to the end of the buffer, -1 for a partial result. */
int taskcache_decode_triggers(const uint8_t *data, size_t size, struct taskcache_triggers *out);
void taskcache_triggers_clear(struct taskcache_triggers *triggers);

/* Names of the bucket flags set in FLAGS, '|'-separated ("enabled|hidden|...") into OUT (always
 * NUL-terminated, cut at OUT_SIZE); unnamed bits as "0x...". */
void taskcache_bucket_flags_text(uint32_t flags, char *out, size_t out_size);

/* --- Cross-checks (§4.2 "Hidden and orphaned tasks") --- */

/* One key under TaskCache\Tree. PATH is relative to Tree with a leading '\' (the task URI, e.g.
 * "\Microsoft\Windows\Maintenance\MaintenanceSync"); ID is the Id value or NULL (a folder). */
struct taskcache_tree_entry {
	const char *path;
	int has_sd, has_index;
	const char *id;
};

/* One key TaskCache\Tasks\{GUID}; PATH is its Path value or NULL. */
struct taskcache_task_entry {
	const char *guid;
	const char *path;
};

/* Task XML files found on disk, each as its path relative to System32\Tasks ('\' or '/',
 * leading separator optional, e.g. "Microsoft/Windows/Maintenance/MaintenanceSync"). XML_PATHS
 * NULL = the Tasks folder was not collected: the two XML checks are skipped (a non-NULL list with
 * XML_COUNT 0 means the folder was collected and empty). */
struct taskcache_check_input {
	const struct taskcache_tree_entry *tree;
	size_t tree_count;
	const struct taskcache_task_entry *tasks;
	size_t task_count;
	const char *const *xml_paths;
	size_t xml_count;
};

enum taskcache_finding_kind {
	TASKCACHE_TREE_WITHOUT_SD,        /* any Tree key without SD: Tarrask-style hiding */
	TASKCACHE_TREE_WITHOUT_INDEX,     /* a task's Tree key (it has Id) without Index */
	TASKCACHE_TASK_WITHOUT_TREE,      /* Tasks\{GUID} that no Tree Id names */
	TASKCACHE_TREE_ID_WITHOUT_TASK,   /* Tree Id naming a missing Tasks\{GUID} */
	TASKCACHE_TASK_WITHOUT_XML,       /* a task (Tree with Id, or Tasks entry) without XML file */
	TASKCACHE_XML_WITHOUT_TASK,       /* XML file with no Tree or Tasks entry */
};

struct taskcache_finding {
	enum taskcache_finding_kind kind;
	const char *code;          /* "tree-without-sd", ... (static) */
	const char *meaning;       /* the §4.2 interpretation (static) */
	char *task_path;           /* task path with a leading '\', NULL if unknown */
	char *guid;                /* task GUID as given, NULL if unknown */
};

/* Runs the checks over INPUT. Returns 0 with *FINDINGS (array, free with taskcache_findings_free)
 * and *COUNT set (possibly 0 findings, *FINDINGS NULL), or -1 when memory ran out. */
int taskcache_check_consistency(const struct taskcache_check_input *input,
				struct taskcache_finding **findings, size_t *count);
void taskcache_findings_free(struct taskcache_finding *findings, size_t count);

#endif
