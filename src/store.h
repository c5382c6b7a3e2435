/*
 * store.h - the case store: one SQLite file per case, schema in schema.sql (DESIGN.md, the store).
 *
 * Only the writer thread touches a struct store. Inserts use prepared statements inside explicit
 * transactions (store_begin / store_commit); every row names its evidence.
 */
#ifndef SANDTRACE_STORE_H
#define SANDTRACE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "catalog.h"
#include "parsers/archive.h"
#include "parsers/evtx.h"
#include "parsers/hive.h"
#include "parsers/hive_log.h"
#include "parsers/servicing_log.h"
#include "parsers/task_xml.h"
#include "parsers/wsb.h"
#include "sqlar.h"

enum { STORE_SCHEMA_VERSION = 10 };

struct store;

/* Opens (creating if needed) the store at PATH. A store of another schema version is refused with
 * the version found in ERR. Returns 0 or -1. */
int store_open(const char *path, struct store **out, char *err, size_t err_size);
/* Opens an existing store for reading only: nothing is written to it (not even a journal), so
 * its hash stays the same and a write-protected copy can be read. */
int store_open_read_only(const char *path, struct store **out, char *err, size_t err_size);
/* Closes STORE; a writer's store is left as one self-contained file (no -wal beside it). */
void store_close(struct store *store);
/* The last SQLite error message of STORE. */
const char *store_error(struct store *store);

int store_begin(struct store *store);
int store_commit(struct store *store);
/* A bulk load: from now until store_close, commits do not wait for the disk (METHOD.md §8.5).
 * store_close flushes the store to the disk before it returns. */
int store_bulk_load(struct store *store);

/* Starts a run row that began at STARTED (UTC FILETIME; 0 = now); its id is used by every later
 * insert. */
int store_begin_run(struct store *store, uint64_t started, const char *command_line,
		    const char *libraries, const char *case_name, const char *examiner);
/* Marks run RUN_ID (0 = the run this connection began) as finished now. */
int store_finish_run(struct store *store, int64_t run_id);
/* The id of the run this connection began (0 if none). */
int64_t store_run_id(const struct store *store);
/* The case name given to the first run that named one (malloc'ed), or NULL. */
char *store_case_name(struct store *store);
/* Every evidence SHA-256 in the store, sorted (free each and the array). */
int store_load_evidence_hashes(struct store *store, char ***hashes, size_t *count);
/* Records an output file of run RUN_ID (the outputs table). */
int store_add_output(struct store *store, int64_t run_id, const char *name, const char *sha256,
		     uint64_t size);
/* Whether the store is complete: returns 0 if the last run finished and no evidence is left
 * half-read, 1 if not (WHY says what, in a sentence), -1 on an SQL error. */
int store_check_complete(struct store *store, char *why, size_t why_size);

/* Looks up evidence by SHA-256: returns 1 and fills *ID and STATUS (16 bytes) if present, 0 if not,
 * -1 on error. STATUS is "this-run" for a row this run added, unless it is "not_evidence". */
int store_find_evidence(struct store *store, const char *sha256, int64_t *id, char status[16]);
/* Adds an evidence row (evidence.status_reason: REASON, may be NULL); sets *ID. */
/* The status of evidence row ID into STATUS ("" if there is no such row). Returns 0 or -1. */
int store_evidence_status(struct store *store, int64_t id, char status[16]);
int store_add_evidence(struct store *store, const struct evidence_hashes *hashes, const char *kind,
		       const char *status, const char *reason, int64_t *id);
/* Sets the kind, status and reason (NULL allowed) of evidence ID, replacing what was there (a
 * content first listed as not evidence, then found where evidence is kept). */
int store_set_evidence_kind(struct store *store, int64_t id, const char *kind, const char *status,
			    const char *reason);
/* Sets the result of parsing evidence ID. REASON (may be NULL: nothing to add) is appended to
 * its status_reason. */
int store_set_evidence_result(struct store *store, int64_t id, const char *status,
			      const char *reason, uint64_t records, uint64_t recovered,
			      uint64_t failed);
/* Records a path where evidence ID was found (nothing if already recorded), with the Windows path
 * its layout gives and the layout's name (both may be NULL: collection.h). */
int store_add_path(struct store *store, int64_t evidence_id, const char *path, uint64_t mtime,
		   const char *windows_path, const char *layout);
/* Records a problem; EVIDENCE_ID 0 = the file could not be hashed. Repeats are ignored. */
int store_add_error(struct store *store, int64_t evidence_id, const char *path,
		    const char *location, const char *reason);

/* Stores EVENT read from EVIDENCE_ID, with XML as its XML (EVENT's xml packed by sqlar_pack; NULL
 * when it has none: EVENT's own xml is not read), its System fields as a system_fields row
 * (METHOD.md §8.13). If the same record (System fields, record id, content) is already stored,
 * links this file as a further source instead. *NEW_ROW tells
 * which happened. *COUNTED_ROW is the events.id of the record when this call added a row that
 * names EVIDENCE_ID (a new events row or a new event_sources row), else 0: what
 * evidence_computers counts. */
int store_add_event(struct store *store, int64_t evidence_id, const struct evtx_event *event,
		    const struct sqlar_blob *xml, int *new_row, int64_t *counted_row);
/* Marks events row EVENT_ROW as a process start that may be a launcher call (launcher_candidates,
 * wsb_calls_may_mention_launcher). */
int store_add_launcher_candidate(struct store *store, int64_t event_row);
/* Forgets the counts of EVIDENCE_ID, event_counts and evidence_computers (before it is read again
 * after an interrupted run). */
int store_clear_event_counts(struct store *store, int64_t evidence_id);
/* Adds RECORDS stored records of EVIDENCE_ID naming COMPUTER (NULL = none: ''), the smallest of
 * their events.id FIRST_EVENT, to evidence_computers. */
int store_add_evidence_computer(struct store *store, int64_t evidence_id, const char *computer,
				uint64_t records, int64_t first_event);
/* Counts EVIDENCE_ID's evidence_computers again from its rows of events and event_sources (a file
 * read again after an interrupted run, some of whose rows the earlier run stored), into the place
 * store_clear_event_counts emptied when this run began to read it. */
int store_recount_evidence_computers(struct store *store, int64_t evidence_id);
/* Adds SEEN / STORED to the count of (EVIDENCE_ID, CHANNEL, PROVIDER, EVENT_ID). */
int store_add_event_count(struct store *store, int64_t evidence_id, const char *channel,
			  const char *provider, uint32_t event_id, uint64_t seen, uint64_t stored);

/* Calls FN for every stored 4698 (TaskContent) and 4702 (TaskContentNew) with non-empty content,
 * with the record's TaskName (NULL if absent), in row order. FN returns 0 to go on. */
int store_each_task_content(struct store *store,
			    int (*fn)(void *context, int64_t event_row, int64_t evidence_id,
				      int event_id, const char *content, const char *task_name),
			    void *context);

/* A command line that may be a Windows Sandbox launcher call (§5.2): a process-creation record's
 * (Security 4688, Sysmon 1) that the writer marked in launcher_candidates (its payload names
 * WindowsSandbox / wsb; wsb_calls.c keeps those whose CommandLine does), or a task Exec action's
 * whose Command names them. Strings live only during the callback. */
struct store_call_source {
	int64_t event_row, evidence_id; /* event_row 0 for a task action */
	int64_t task_row, action_position; /* task_row 0 for an event */
	const char *image;        /* NewProcessName / Image, or the action's Command */
	const char *command_line; /* an event's CommandLine; NULL for a task action */
	const char *arguments;    /* a task action's Arguments (NULL if none) */
	uint64_t time;            /* an event's time (else its written time); 0 for an action */
};
/* Calls FN for every such source: the events in row order, then the task Exec actions whose
 * Command mentions one of the WORD_COUNT WORDS (ASCII case ignored, as LIKE does; no word may hold
 * LIKE's % or _). Returns 0, or -1 (also when memory runs out). */
int store_each_call_source(struct store *store, const char *const *words, size_t word_count,
			   int (*fn)(void *context, const struct store_call_source *source),
			   void *context);

/* A wsb_calls row (see schema.sql). */
struct store_wsb_call {
	int64_t id, event_ref, task_ref, action_position; /* 0: none */
	uint64_t time;
	char *image, *command_line, *status, *verb, *vm_id, *command, *run_as, *host_path,
		*sandbox_path, *config_path;
	int allow_write;
	int64_t inline_config_id; /* 0: none */
};
/* Stores CALL (id ignored; its time as given: the event's, 0 for a task action's call). When CALL
 * has an inline configuration (HAS_INLINE) but no inline_config_id and is a task action's, the
 * configuration stored for that task is linked. Returns 0 or -1. */
int store_add_wsb_call(struct store *store, const struct store_wsb_call *call, int has_inline);
/* Every wsb_calls row: the events' in the correlator's event order (§6), then the task actions';
 * free with store_free_wsb_calls. */
int store_load_wsb_calls(struct store *store, struct store_wsb_call **calls, size_t *count);
void store_free_wsb_calls(struct store_wsb_call *calls, size_t count);

/* A vm_commands row (see schema.sql): the command a COMMAND record (Hyper-V-Compute 2500) says
 * the host ran in a VM, decoded at ingest (src/vm_commands.c, METHOD.md §1.4, §1.10). */
struct store_vm_command {
	int64_t event_ref;
	char *vm_id, *command_line, *user, *guest_pid; /* NULL: absent */
	char *read_as;                                 /* json | verbatim | fields | none */
	char *note;                                    /* how it was read, when worth saying */
};
int store_add_vm_command(struct store *store, const struct store_vm_command *row);
/* Every vm_commands row, ordered by event_ref; free with store_free_vm_commands. */
int store_load_vm_commands(struct store *store, struct store_vm_command **rows, size_t *count);
/* The row of EVENT_REF among ROWS (as loaded), or NULL. */
const struct store_vm_command *store_find_vm_command(const struct store_vm_command *rows,
						     size_t count, int64_t event_ref);
void store_free_vm_commands(struct store_vm_command *rows, size_t count);

/* Forgets the tasks, configurations, calls and commands derived from stored events (before they
 * are derived again over the whole store). */
int store_clear_derived(struct store *store);

/* Stores a task definition read from EVIDENCE_ID. SOURCE is task_file, event_4698, event_4702 or
 * taskcache; LOCATION says where; EVENT_REF is the events row (0 if none); LAUNCH may be NULL;
 * XML_SHA256 may be NULL. Sets *ID to the tasks row. */
int store_add_task(struct store *store, int64_t evidence_id, const char *source,
		   const char *location, int64_t event_ref, const struct task_definition *task,
		   const struct task_sandbox_launch *launch, const char *xml_sha256, int64_t *id);

/* Stores a sandbox configuration read from EVIDENCE_ID (SOURCE: file, inline_command_line,
 * inline_task, inline_event_task) with its settings, folders and risks. Sets *ID to the wsb_configs row. */
int store_add_wsb_config(struct store *store, int64_t evidence_id, const char *source,
			 const char *location, const struct wsb_config *config, int64_t *id);

/* Stores one registry row read from EVIDENCE_ID (a hive of HIVE_KIND). */
int store_add_reg_value(struct store *store, int64_t evidence_id, const char *hive_kind,
			const struct hive_row *row);

/* Stores what the replay of HIVE_EVIDENCE_ID's transaction logs did with the log at LOG_PATH
 * (LOG_EVIDENCE_ID, 0 if it has none). A second call for the same hive and path replaces the row. */
int store_add_hive_log_replay(struct store *store, int64_t hive_evidence_id,
			      int64_t log_evidence_id, const char *log_path,
			      const struct hive_log_outcome *outcome);

/* Stores what was found about an archive at PATH. */
int store_add_archive(struct store *store, int64_t evidence_id, const char *path,
		      const struct archive_report *report);
/* A servicing-log line naming the Windows Sandbox feature (METHOD.md §2.8). */
int store_add_servicing_line(struct store *store, int64_t evidence_id,
			     const struct servicing_line *line);

/* A registry row as stored, read back for the host facts (data decoded from raw_hex). */
struct store_reg_value {
	int64_t id, evidence_id;
	char *hive_kind, *key_path;
	uint64_t key_last_write;
	char *value_name;  /* NULL = a key row */
	uint32_t value_type;
	uint8_t *data;     /* NULL for key rows */
	size_t size;
	char *decoded;
	char *replay;      /* NULL, or from the transaction logs: which log, what the primary holds */
};

/* Every reg_values row in id order; free with store_free_reg_values. */
int store_load_reg_values(struct store *store, struct store_reg_value **rows, size_t *count);
void store_free_reg_values(struct store_reg_value *rows, size_t count);

/* A host fact (see the facts table in schema.sql for each field). */
struct store_fact {
	const char *kind, *subject, *value, *detail;
	uint64_t time;
	const char *basis;
	int64_t evidence_id;
	const char *confidence, *section;
	int64_t host_id;         /* 0: the host in scope (store_scope_host), NULL outside one */
	const char *host;        /* read back only: the host's name, NULL for a fact of no host */
};

int store_clear_facts(struct store *store);

/* Sets the TaskCache DynamicInfo columns of task TASK_ID (0 = unknown time) and its basis. */
int store_set_task_schedule(struct store *store, int64_t task_id, uint64_t registered,
			    uint64_t last_run, int64_t last_result, int has_result,
			    const char *basis);
/* The URIs of the tasks read from task files (for the TaskCache cross-checks); free each and the
 * array. */
int store_load_task_file_uris(struct store *store, char ***uris, size_t *count);
/* Forgets the tasks read from the TaskCache (before they are read again). */
int store_clear_taskcache_tasks(struct store *store);
int store_add_fact(struct store *store, const struct store_fact *fact);

/* A cross-check of the TaskCache Tree and Tasks keys and the task files (METHOD.md §4.2), made at
 * ingest (src/task_cache.c); the host facts copy each into a fact of kind "task_cache". */
struct store_taskcache_finding {
	const char *subject, *code, *detail, *basis;
	int64_t evidence_id; /* the SOFTWARE hive */
	const char *confidence;
};
int store_add_taskcache_finding(struct store *store, const struct store_taskcache_finding *finding);
/* Adds one fact of kind "task_cache" per taskcache_findings row, in row order. Returns 0 or -1. */
int store_facts_from_taskcache(struct store *store);
/* Calls FN for every fact, host by host (in name order, facts of no host last), grouped by kind
 * (feature state first) and in id order within a kind; the strings live only during the call. */
int store_each_fact(struct store *store, int (*fn)(void *context, const struct store_fact *fact),
		    void *context);

/* Calls FN once per (evidence file, System/Computer value) with the number of the file's stored
 * event records that carry it (records first read from another file count for this one too,
 * through event_sources; as the writer counted them in evidence_computers), and once with "" and
 * 0 for a file without records: in evidence id order, the most frequent value first. PATH is the
 * first path the file was found at, FIRST_EVENT the smallest events.id among those records (0 if
 * none). For the host of each evidence file (METHOD.md §2.6). */
int store_each_evidence_computer(struct store *store,
				 int (*fn)(void *context, int64_t evidence_id, const char *path,
					   const char *computer, int64_t records,
					   int64_t first_event),
				 void *context);

/* ---- what the session correlator reads and writes (METHOD.md §6) ----------------------- */

/* An event record as the correlator sees it. */
struct store_event {
	int64_t id, evidence_id;
	uint64_t time;
	uint64_t record_id;
	uint32_t event_id;
	uint32_t version;        /* System/Version, 0 if absent */
	char *provider, *channel, *user_sid, *activity_id, *data;
	int64_t process_id;      /* -1 if absent */
	const struct catalog_entry *entry; /* its catalogue row: role, VM key, fields (static) */
};

/* The records that play ROLE (CATALOG_ROLE_NONE: any role), as their catalogue row
 * (src/catalog.def) gives it, selected by role, never by a list of ids; ordered by time, evidence
 * SHA-256, record id. What a derivation that needs one role loads, so that its memory follows the
 * records of that role, not every session record of the log. Free with store_free_events. */
int store_load_role_events(struct store *store, enum catalog_role role,
			   struct store_event **events, size_t *count);
void store_free_events(struct store_event *events, size_t count);
/* The same records of ROLE (CATALOG_ROLE_NONE: every role) in the same order, handed to FN one at
 * a time instead of loaded: POSITION counts them from 0. E is valid during the call only; FN
 * returns 1 when it keeps E (a copy of the struct: it then owns E's strings, and an array of kept
 * records is freed with store_free_events), 0 when it does not, -1 to stop with an error. Returns 0, or -1 (FN's error, or the store's).
 * What a caller keeps is then its own choice: memory follows what it keeps, not the log. */
int store_each_role_event(struct store *store, enum catalog_role role,
			  int (*fn)(void *context, struct store_event *e, size_t position),
			  void *context);

/* A task definition in brief, for trigger attribution. */
struct store_task {
	int64_t id;
	char *source, *uri, *principal_user, *wsb_path, *trigger_types; /* trigger types ','-joined */
	int hidden;              /* 1, 0, -1 unknown */
	int sandbox_launcher;
	int hiding_finding;      /* a task_cache fact names this task (tree without SD, ...) */
	/* Its Exec actions in document order (§4.1): Command and Arguments as written (NULL if absent),
	 * for matching a created process to the action that started it. */
	char **exec_commands, **exec_arguments;
	int64_t *exec_positions; /* task_actions.position of each */
	size_t exec_count;
};
int store_load_tasks(struct store *store, struct store_task **tasks, size_t *count);
void store_free_tasks(struct store_task *tasks, size_t count);

/* A stored configuration in brief, with its mapped folders. */
struct store_wsb {
	int64_t id;
	char *source, *location, *logon_command, *networking_origin;
	char *windows_path;      /* source "file": the Windows path of LOCATION (evidence_paths), or
				    NULL when its layout is not recognised */
	int networking;          /* 1, 0, -1 */
	size_t folder_count;
	char **hosts, **sandboxes;
	int *read_only;
};
int store_load_wsb_configs(struct store *store, struct store_wsb **configs, size_t *count);
void store_free_wsb_configs(struct store_wsb *configs, size_t count);

/* Archives in brief. */
struct store_archive {
	int64_t id;
	char *path;
	char *windows_path;      /* the Windows path of PATH (evidence_paths), or NULL */
	int name_mismatch, encrypted;
};
int store_load_archives(struct store *store, struct store_archive **archives, size_t *count);
void store_free_archives(struct store_archive *archives, size_t count);

/* The value of the first fact of KIND and SUBJECT (malloc'ed), its time and id; NULL if none. */
char *store_fact_value(struct store *store, const char *kind, const char *subject, uint64_t *time,
		       int64_t *id);

/* Replaces the sessions, session_events, other_vms and findings tables (in one transaction the
 * caller opens). */
int store_clear_sessions(struct store *store);
struct store_session_row {
	int64_t id;
	const char *vm_guid, *vm_sid, *kind, *kind_basis;
	uint64_t start, end;     /* 0 = unknown */
	int end_inferred;
	const char *confidence, *verdict;
	int score;
	const char *trigger_kind, *trigger_task, *trigger_user;
	const char *launcher_image, *launcher_command_line;
	int64_t launcher_pid;    /* -1 = unknown */
	const char *wsb_path;
	int64_t wsb_config_id;   /* 0 = none */
	const char *missing_json;
};
int store_add_session_row(struct store *store, const struct store_session_row *row);
int store_add_session_event(struct store *store, int64_t session_id, const char *role,
			    const char *table, int64_t row, uint64_t time, const char *basis,
			    const char *confidence, const char *detail_json);
int store_add_other_vm(struct store *store, const char *guid, const char *kind, const char *basis,
		       uint64_t first, uint64_t last, int64_t records);
int store_add_finding(struct store *store, int64_t session_id, const char *rule_id,
		      const char *title, int score, const char *attack, const char *section,
		      const char *reason, const char *basis_json);

/* ---- what the session exporters read (views of schema.sql) ------------------------------ */

/* Calls FN with each session's JSON object (v_session_json), in id order. */
int store_each_session_json(struct store *store, int (*fn)(void *context, const char *json),
			    void *context);

/* One line of `sandtrace sessions`. */
struct store_session_summary {
	int64_t id;
	const char *vm_guid, *kind, *confidence, *verdict, *trigger_kind, *trigger_task,
		*trigger_user;
	uint64_t start, end;     /* 0 = unknown */
	int end_inferred, score;
};
int store_each_session_summary(struct store *store,
			       int (*fn)(void *context, const struct store_session_summary *s),
			       void *context);

/* One step of a session's story: a linked row, with what it says and where it is. */
struct store_session_step {
	uint64_t time;           /* 0 = no time of its own */
	const char *role, *detail_json, *basis, *confidence;
	const char *source_table;
	int64_t row_id;
	const char *sha256;      /* of the evidence holding the row */
	const char *channel;     /* events only */
	int64_t record_id;       /* events only, else -1 */
	uint32_t event_id;
	const char *location;    /* tasks / wsb_configs / evidence: where in the collection; reg_values:
				    the key path and value name */
	int64_t chunk, offset;   /* events: 0-based chunk and byte offset of the record in the
				    evidence file, -1 when not known */
	const char *file_name;   /* the evidence's file name (of its first path) */
};
int store_each_session_step(struct store *store, int64_t session_id,
			    int (*fn)(void *context, const struct store_session_step *step),
			    void *context);

/* The findings of a session: rule id, title, score, attack, reason, basis (JSON array). */
int store_each_session_finding(struct store *store, int64_t session_id,
			       int (*fn)(void *context, const char *rule_id, const char *title,
					 int score, const char *attack, const char *reason,
					 const char *basis_json),
			       void *context);

/* ---- hosts and the host scope (METHOD.md §2.7) ------------------------------------------ */

/* Records PATH, a collection argument as typed, for the current run. */
int store_add_collection_root(struct store *store, const char *path);
/* Forgets the hosts and the host of each file (and the host ids sessions and facts carry), before
 * they are established again. */
int store_clear_hosts(struct store *store);
/* Adds host ID (ids in name order) named NAME, resting on BASIS. */
int store_add_host(struct store *store, int64_t id, const char *name, const char *basis,
		   const char *confidence);
/* Gives EVIDENCE_ID to HOST_ID (0: unassigned) by HOW (names_itself | folder | only_host |
 * unassigned), BASIS in words. */
int store_add_evidence_host(struct store *store, int64_t evidence_id, int64_t host_id,
			    const char *how, const char *basis);

enum { STORE_SCOPE_CASE = 0, STORE_SCOPE_UNASSIGNED = -1 };
/* Narrows every read of this connection to one host's evidence: HOST_ID (a hosts.id), the files
 * of no host (STORE_SCOPE_UNASSIGNED), or the whole case again (STORE_SCOPE_CASE). While a host
 * is in scope, the events, registry rows, tasks, configurations, calls, commands, archives, paths
 * and facts read are only that host's (temp views hiding the tables), and the facts, sessions and
 * other VMs written carry its id. Returns 0 or -1 (the scope is then the whole case). */
int store_scope_host(struct store *store, int64_t host_id);

/* Runs SQL that only creates or drops TEMP views (host_scope.c): on a reader, query_only is
 * lifted for it and an authorizer refuses any statement that would write the store file (which
 * the reader has open read-only anyway). Returns 0 or -1 (store_error says why). */
int store_exec_temp(struct store *store, const char *sql);
/* A read-only query for the exporters (a SELECT over the views and tables of schema.sql): FN gets
 * each row's values as text (NULL for SQL NULL). FN returns 0 to go on. Returns 0, -1 on an SQL
 * error (store_error says which), or FN's nonzero value. */
int store_query(struct store *store, const char *sql,
		int (*fn)(void *context, int columns, const char *const *names,
			  const char *const *values),
		void *context);

#endif
