/*
 * store.c - the SQLite case store (see store.h, schema.sql).
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "system_fields.h"
#include "timeutil.h"

extern const char SANDTRACE_SCHEMA_SQL[]; /* schema.sql, embedded by the build */

enum statement_index {
	ST_FIND_EVIDENCE,
	ST_ADD_EVIDENCE,
	ST_SET_EVIDENCE_KIND,
	ST_SET_EVIDENCE,
	ST_ADD_PATH,
	ST_ADD_ERROR,
	ST_ADD_EVENT,
	ST_FIND_EVENT,
	ST_ADD_SOURCE,
	ST_ADD_COUNT,
	ST_ADD_COMPUTER,
	ST_ADD_CANDIDATE,
	ST_ADD_WSB_CALL,
	ST_ADD_ROOT,
	ST_ADD_HOST,
	ST_ADD_EVIDENCE_HOST,
	ST_ADD_SERVICING_LINE,
	ST_COUNT
};

static const char *const STATEMENT_SQL[ST_COUNT] = {
	/* A row this run created is a duplicate path, never an interrupted earlier run. */
	/* A row this run created is a duplicate path, never an interrupted earlier run; a row that
	 * is not evidence may still become evidence when the same bytes turn up where evidence is
	 * kept. */
	[ST_FIND_EVIDENCE] = "SELECT id, CASE WHEN status = 'not_evidence' THEN status "
			     "WHEN run_id = ?2 THEN 'this-run' ELSE status END "
			     "FROM evidence WHERE sha256 = ?1",
	[ST_ADD_EVIDENCE] = "INSERT INTO evidence (sha256, md5, sha1, size, kind, status, "
			    "status_reason, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_SET_EVIDENCE_KIND] = "UPDATE evidence SET kind = ?2, status = ?3, status_reason = ?4 "
				 "WHERE id = ?1",
	[ST_SET_EVIDENCE] = "UPDATE evidence SET status = ?2, records_read = ?3, "
			    "records_recovered = ?4, records_failed = ?5, status_reason = CASE "
			    "WHEN ?6 IS NULL THEN status_reason WHEN status_reason IS NULL THEN ?6 "
			    "ELSE status_reason || '; ' || ?6 END WHERE id = ?1",
	[ST_ADD_PATH] = "INSERT OR IGNORE INTO evidence_paths (evidence_id, path, mtime, run_id, "
			"windows_path, layout) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_ADD_ERROR] = "INSERT OR IGNORE INTO parse_errors (evidence_id, path, location, reason, "
			 "run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_ADD_EVENT] =
		"INSERT OR IGNORE INTO event_rows (evidence_id, record_id, chunk, offset, recovered, "
		"time, written_time, system_id, event_id, activity_id, related_activity_id, process_id, "
		"thread_id, data, xml, content_hash, header_record_id, xml_size) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[ST_FIND_EVENT] = "SELECT id, evidence_id FROM event_rows WHERE system_id = ?1 AND "
			  "record_id = ?2 AND content_hash = ?3",
	[ST_ADD_SOURCE] = "INSERT OR IGNORE INTO event_sources (event_id_ref, evidence_id, chunk, "
			  "offset, recovered) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_ADD_COUNT] = "INSERT INTO event_counts (evidence_id, channel, provider, event_id, seen, "
			 "stored) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET "
			 "seen = seen + excluded.seen, stored = stored + excluded.stored",
	[ST_ADD_COMPUTER] = "INSERT INTO evidence_computers (evidence_id, computer, records, "
			    "first_event) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET "
			    "records = records + excluded.records, "
			    "first_event = min(first_event, excluded.first_event)",
	[ST_ADD_CANDIDATE] = "INSERT OR IGNORE INTO launcher_candidates (event_ref, evidence_id, "
			     "time, image, command_line) SELECT id, evidence_id, coalesce(time, "
			     "written_time, 0), CASE provider WHEN 'Microsoft-Windows-Sysmon' THEN "
			     "json_extract(data, '$.Image') ELSE json_extract(data, "
			     "'$.NewProcessName') END, json_extract(data, '$.CommandLine') FROM "
			     "main.events WHERE id = ?1",
	/* prepared once: a log of many launches gives thousands of calls */
	[ST_ADD_WSB_CALL] =
		"INSERT INTO wsb_calls (event_ref, task_ref, action_position, time, image, "
		"command_line, status, verb, vm_id, command, run_as, host_path, sandbox_path, "
		"allow_write, config_path, inline_config_id) VALUES (?1, ?2, ?3, ?17, ?4, ?5, ?6, "
		"?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, coalesce(?15, CASE WHEN ?16 AND ?2 IS NOT "
		"NULL THEN "
		"(SELECT id FROM wsb_configs WHERE source IN ('inline_task', 'inline_event_task') "
		"AND location = 'tasks.id=' || ?2 ORDER BY id LIMIT 1) END))",
	[ST_ADD_ROOT] = "INSERT OR IGNORE INTO main.collection_roots (path, run_id) VALUES (?1, ?2)",
	[ST_ADD_HOST] = "INSERT INTO main.hosts (id, name, basis, confidence) VALUES (?1, ?2, ?3, ?4)",
	[ST_ADD_EVIDENCE_HOST] = "INSERT OR IGNORE INTO main.evidence_hosts (evidence_id, host_id, "
				 "how, basis) VALUES (?1, ?2, ?3, ?4)",
	[ST_ADD_SERVICING_LINE] = "INSERT INTO servicing_log_lines (evidence_id, line_number, "
				  "byte_offset, continues, local_time, level, component, action, "
				  "action_basis, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *statements[ST_COUNT];
	int64_t run_id;
	int read_only;
	int writable;            /* opened for writing and accepted (schema checked): may be written */
	struct system_fields *system_fields; /* the writer's lookup of system_fields rows */
	int64_t scope_host;      /* store_scope_host: STORE_SCOPE_CASE, STORE_SCOPE_UNASSIGNED or a
				    hosts.id */
};

const char *store_error(struct store *store)
{
	return sqlite3_errmsg(store->db);
}

static int exec(struct store *store, const char *sql)
{
	return sqlite3_exec(store->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int table_count(sqlite3 *db, int *count)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*count = sqlite3_column_int(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Opens PATH read-write (creating it) or read-only, and checks its schema version. */
static int open_store(const char *path, int read_only, struct store **out, char *err,
		      size_t err_size)
{
	struct store *store = calloc(1, sizeof *store);
	int version = 0, tables = 0;
	int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	*out = NULL;
	if (!store) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	store->read_only = read_only;
	if (sqlite3_open_v2(path, &store->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, err_size, "%s: %s", path,
			 store->db ? sqlite3_errmsg(store->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(store->db, 5000);
	/* Every reader of events.xml, the schema's views included, goes through it (sqlar.h). */
	if (sqlar_register(store->db) != SQLITE_OK) {
		snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(store->db));
		goto fail;
	}
	if (user_version(store->db, &version) != 0 || table_count(store->db, &tables) != 0) {
		snprintf(err, err_size, "%s: not a SQLite database (%s)", path,
			 sqlite3_errmsg(store->db));
		goto fail;
	}
	if (read_only && version != STORE_SCHEMA_VERSION) {
		snprintf(err, err_size, tables == 0 ? "%s: not a sandtrace case store (empty database)"
			 : "%s: case store has schema version %d, this sandtrace uses version %d",
			 path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (read_only) {
		/* A reader only sets connection options: nothing is written to the file. */
		if (exec(store, "PRAGMA foreign_keys=ON") != 0 ||
		    exec(store, "PRAGMA query_only=ON") != 0) {
			snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(store->db));
			goto fail;
		}
		*out = store;
		return 0;
	}
	if (version == 0 && tables == 0) {
		/* 16 KiB pages, set before the first table: a stored record (fields + XML, 1-2 KB)
		 * left much of each 4 KiB page unused, and every page the write-ahead log folds back
		 * costs two system calls. Measured on a 400,000-record Security log (Release build,
		 * tests/bench/ingest.sh's forged log, one run each): 4 KiB pages 18.8 s of CPU and a
		 * 747 MB store; 16 KiB pages 10.7 s and 585 MB; 64 KiB pages 9.6 s and 557 MB but
		 * 1.5 times the peak memory. */
		if (exec(store, "PRAGMA page_size=16384") != 0 || exec(store, "BEGIN") != 0 ||
		    exec(store, SANDTRACE_SCHEMA_SQL) != 0 || exec(store, "COMMIT") != 0) {
			snprintf(err, err_size, "%s: cannot create the schema: %s", path,
				 sqlite3_errmsg(store->db));
			goto fail;
		}
	} else if (version != STORE_SCHEMA_VERSION) {
		snprintf(err, err_size,
			 "%s: case store has schema version %d, this sandtrace uses version %d", path,
			 version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (exec(store, "PRAGMA journal_mode=WAL") != 0 || exec(store, "PRAGMA foreign_keys=ON") != 0 ||
	    exec(store, "PRAGMA synchronous=NORMAL") != 0) {
		snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(store->db));
		goto fail;
	}
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(store->db, STATEMENT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &store->statements[i], NULL) != SQLITE_OK) {
			snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(store->db));
			goto fail;
		}
	if (!(store->system_fields = system_fields_open(store->db))) {
		snprintf(err, err_size, "%s: %s", path, sqlite3_errmsg(store->db));
		goto fail;
	}
	store->writable = 1;
	*out = store;
	return 0;
fail:
	store_close(store);
	return -1;
}

int store_open(const char *path, struct store **out, char *err, size_t err_size)
{
	return open_store(path, 0, out, err, err_size);
}

int store_open_read_only(const char *path, struct store **out, char *err, size_t err_size)
{
	return open_store(path, 1, out, err, err_size);
}

void store_close(struct store *store)
{
	if (!store)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(store->statements[i]);
	system_fields_close(store->system_fields);
	/* A writer leaves one self-contained file: the write-ahead log is folded back and the
	 * journal mode reset, so case.db alone is what is hashed, handed over and read (read-only
	 * readers need no -wal or -shm file beside it). Fails harmlessly while another connection
	 * still has the store open. A store refused at opening (another schema version) is not
	 * touched. */
	if (store->writable)
		sqlite3_exec(store->db,
			     "PRAGMA synchronous=NORMAL; PRAGMA wal_checkpoint(TRUNCATE);"
			     " PRAGMA journal_mode=DELETE",
			     NULL, NULL, NULL);
	sqlite3_close(store->db);
	free(store);
}

int store_begin(struct store *store)
{
	return exec(store, "BEGIN");
}

int store_commit(struct store *store)
{
	return exec(store, "COMMIT");
}

/* With synchronous=OFF, SQLite hands each commit to the operating system without waiting for the
 * disk; store_close sets synchronous=NORMAL again, and the checkpoint then syncs the write-ahead
 * log and the database file. A crash of sandtrace itself loses nothing committed; only a crash of
 * the machine during the load can leave a damaged store, which is made again from the evidence.
 * Measured on a 400,000-record Security log (tests/bench/ingest.sh's, Release build): the load
 * took 7.6 s with synchronous=NORMAL (a sync at every checkpoint) and 5.9 s without. */
int store_bulk_load(struct store *store)
{
	return exec(store, "PRAGMA synchronous=OFF");
}

/* Runs a prepared statement that returns no rows, then resets it. */
static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void bind_text_or_null(sqlite3_stmt *st, int index, const char *text)
{
	if (text)
		sqlite3_bind_text(st, index, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, index);
}

static void bind_int_or_null(sqlite3_stmt *st, int index, int64_t value, int present)
{
	if (present)
		sqlite3_bind_int64(st, index, value);
	else
		sqlite3_bind_null(st, index);
}

/* Runs SQL (its ?1 bound to PARENT when BIND) and calls ROW for each result row; stops on a
 * nonzero return. */
static int run_rows(struct store *store, const char *sql, int bind, int64_t parent,
		    int (*row)(void *, sqlite3_stmt *), void *context)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (bind)
		sqlite3_bind_int64(st, 1, parent);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = row(context, st);
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

static int each_row(struct store *store, const char *sql, int (*row)(void *, sqlite3_stmt *),
		    void *context)
{
	return run_rows(store, sql, 0, 0, row, context);
}

/* each_row for the rows of SQL whose ?1 is the parent row PARENT. */
static int each_child_row(struct store *store, const char *sql, int64_t parent,
			  int (*row)(void *, sqlite3_stmt *), void *context)
{
	return run_rows(store, sql, 1, parent, row, context);
}

int store_begin_run(struct store *store, uint64_t started, const char *command_line,
		    const char *libraries, const char *case_name, const char *examiner)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO run (started, tool_version, libraries, command_line, "
			       "case_name, examiner) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)(started ? started : filetime_now()));
	sqlite3_bind_text(st, 2, "sandtrace " SANDTRACE_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, libraries, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, command_line, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 5, case_name);
	bind_text_or_null(st, 6, examiner);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc == 0)
		store->run_id = sqlite3_last_insert_rowid(store->db);
	return rc;
}

int store_finish_run(struct store *store, int64_t run_id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db, "UPDATE run SET finished = ?1 WHERE id = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)filetime_now());
	sqlite3_bind_int64(st, 2, run_id ? run_id : store->run_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int64_t store_run_id(const struct store *store)
{
	return store->run_id;
}

static int first_text_row(void *context, sqlite3_stmt *st)
{
	const unsigned char *text = sqlite3_column_text(st, 0);
	*(char **)context = text ? strdup((const char *)text) : NULL;
	return 1; /* one row is enough */
}

char *store_case_name(struct store *store)
{
	char *name = NULL;
	each_row(store, "SELECT case_name FROM run WHERE case_name IS NOT NULL ORDER BY id LIMIT 1",
		 first_text_row, &name);
	return name;
}

/* A text column as a malloc'ed string, NULL for NULL (or when memory runs out). */
static char *column_dup(sqlite3_stmt *st, int column)
{
	const unsigned char *text = sqlite3_column_text(st, column);
	return text ? strdup((const char *)text) : NULL;
}

/* A growable array of fixed-size elements. */
struct growing {
	void *items;
	size_t count, capacity, size;
};

static void *growing_next(struct growing *g)
{
	if (g->count == g->capacity) {
		size_t capacity = g->capacity ? g->capacity * 2 : 64;
		void *grown = realloc(g->items, capacity * g->size);
		if (!grown)
			return NULL;
		g->items = grown;
		g->capacity = capacity;
	}
	memset((char *)g->items + g->count * g->size, 0, g->size);
	return (char *)g->items + g->count++ * g->size;
}

/* Appends the row's first column (text, '' for NULL) to a growing array of strings. */
static int text_column_row(void *context, sqlite3_stmt *st)
{
	const unsigned char *text = sqlite3_column_text(st, 0);
	char **slot = growing_next(context);

	if (!slot)
		return -1;
	if (!(*slot = strdup(text ? (const char *)text : ""))) {
		((struct growing *)context)->count--;
		return -1;
	}
	return 0;
}

/* The first column of every row of SQL as malloc'ed strings (free each and the array); on failure
 * -1 with nothing to free. */
static int load_text_column(struct store *store, const char *sql, char ***texts, size_t *count)
{
	struct growing list = {NULL, 0, 0, sizeof(char *)};
	char **items;

	*texts = NULL;
	*count = 0;
	if (each_row(store, sql, text_column_row, &list) != 0) {
		items = list.items;
		for (size_t i = 0; i < list.count; i++)
			free(items[i]);
		free(items);
		return -1;
	}
	*texts = list.items;
	*count = list.count;
	return 0;
}

int store_load_evidence_hashes(struct store *store, char ***hashes, size_t *count)
{
	return load_text_column(store, "SELECT sha256 FROM evidence ORDER BY sha256", hashes, count);
}

int store_add_output(struct store *store, int64_t run_id, const char *name, const char *sha256,
		     uint64_t size)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT OR REPLACE INTO outputs (run_id, name, sha256, size) VALUES "
			       "(?1, ?2, ?3, ?4)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (int64_t)size);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_check_complete(struct store *store, char *why, size_t why_size)
{
	sqlite3_stmt *st;
	int64_t run = 0, pending = 0;
	int finished = 1, rc;
	char started[40] = "", command[160] = "";

	why[0] = 0;
	if (sqlite3_prepare_v2(store->db,
			       "SELECT id, started, finished IS NOT NULL, (SELECT count(*) FROM "
			       "evidence WHERE status = 'pending'), command_line FROM run ORDER BY id "
			       "DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		run = sqlite3_column_int64(st, 0);
		filetime_format_iso((uint64_t)sqlite3_column_int64(st, 1), started, sizeof started);
		finished = sqlite3_column_int(st, 2);
		pending = sqlite3_column_int64(st, 3);
		if (sqlite3_column_text(st, 4))
			snprintf(command, sizeof command, "%s",
				 (const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (rc == SQLITE_DONE) {
		snprintf(why, why_size, "no run has written to this store: it holds no evidence");
		return 1;
	}
	if (finished && pending == 0)
		return 0;
	if (!finished)
		snprintf(why, why_size,
			 "the last run (run %lld, `%s`, started %s) did not finish: it was stopped "
			 "or failed before everything was read and correlated",
			 (long long)run, command, started);
	if (pending) {
		size_t used = strlen(why);
		snprintf(why + used, why_size - used,
			 "%s%lld evidence file(s) were still being read when a run stopped (status "
			 "pending)",
			 used ? "; " : "", (long long)pending);
	}
	return 1;
}

int store_find_evidence(struct store *store, const char *sha256, int64_t *id, char status[16])
{
	sqlite3_stmt *st = store->statements[ST_FIND_EVIDENCE];
	int rc;

	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, store->run_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 1));
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int store_evidence_status(struct store *store, int64_t id, char status[16])
{
	sqlite3_stmt *st;
	int rc;

	status[0] = '\0';
	if (sqlite3_prepare_v2(store->db, "SELECT status FROM evidence WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int store_add_evidence(struct store *store, const struct evidence_hashes *hashes, const char *kind,
		       const char *status, const char *reason, int64_t *id)
{
	sqlite3_stmt *st = store->statements[ST_ADD_EVIDENCE];

	sqlite3_bind_text(st, 1, hashes->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hashes->md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hashes->sha1, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (int64_t)hashes->size);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, status, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 7, reason);
	sqlite3_bind_int64(st, 8, store->run_id);
	if (step_done(st) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int store_set_evidence_kind(struct store *store, int64_t id, const char *kind, const char *status,
			    const char *reason)
{
	sqlite3_stmt *st = store->statements[ST_SET_EVIDENCE_KIND];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, reason);
	return step_done(st);
}

int store_set_evidence_result(struct store *store, int64_t id, const char *status,
			      const char *reason, uint64_t records, uint64_t recovered,
			      uint64_t failed)
{
	sqlite3_stmt *st = store->statements[ST_SET_EVIDENCE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)records);
	sqlite3_bind_int64(st, 4, (int64_t)recovered);
	sqlite3_bind_int64(st, 5, (int64_t)failed);
	bind_text_or_null(st, 6, reason);
	return step_done(st);
}

int store_add_path(struct store *store, int64_t evidence_id, const char *path, uint64_t mtime,
		   const char *windows_path, const char *layout)
{
	sqlite3_stmt *st = store->statements[ST_ADD_PATH];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 3, (int64_t)mtime, mtime != 0);
	sqlite3_bind_int64(st, 4, store->run_id);
	bind_text_or_null(st, 5, windows_path);
	bind_text_or_null(st, 6, layout);
	return step_done(st);
}

int store_add_error(struct store *store, int64_t evidence_id, const char *path,
		    const char *location, const char *reason)
{
	sqlite3_stmt *st = store->statements[ST_ADD_ERROR];

	bind_int_or_null(st, 1, evidence_id, evidence_id != 0);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, location, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, store->run_id);
	return step_done(st);
}

int store_add_event(struct store *store, int64_t evidence_id, const struct evtx_event *e,
		    const struct sqlar_blob *xml, int *new_row, int64_t *counted_row)
{
	sqlite3_stmt *st = store->statements[ST_ADD_EVENT];
	int64_t system_id;

	*counted_row = 0;

	if (system_fields_id(store->system_fields, e, &system_id) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_int64(st, 2, (int64_t)e->record_id);
	bind_int_or_null(st, 3, e->chunk, e->chunk >= 0);
	bind_int_or_null(st, 4, e->offset, e->offset >= 0);
	sqlite3_bind_int(st, 5, e->recovered);
	bind_int_or_null(st, 6, (int64_t)e->time, e->time != 0);
	bind_int_or_null(st, 7, (int64_t)e->written_time, e->written_time != 0);
	sqlite3_bind_int64(st, 8, system_id);
	sqlite3_bind_int64(st, 9, e->event_id);
	bind_text_or_null(st, 10, e->activity_id);
	bind_text_or_null(st, 11, e->related_activity_id);
	bind_int_or_null(st, 12, e->process_id, e->process_id >= 0);
	bind_int_or_null(st, 13, e->thread_id, e->thread_id >= 0);
	sqlite3_bind_text(st, 14, e->data ? e->data : "{}", -1, SQLITE_TRANSIENT);
	if (xml) {
		sqlite3_bind_blob64(st, 15, xml->data, xml->data_size, SQLITE_STATIC);
		sqlite3_bind_int64(st, 18, (int64_t)xml->size);
	}
	sqlite3_bind_int64(st, 16, (int64_t)e->content_hash);
	sqlite3_bind_int64(st, 17, (int64_t)e->header_record_id);
	if (step_done(st) != 0)
		return -1;
	*new_row = sqlite3_changes(store->db) > 0;
	if (*new_row) {
		*counted_row = sqlite3_last_insert_rowid(store->db);
		return 0;
	}

	/* Already stored from another file (or twice in this one): link this source. */
	sqlite3_stmt *find = store->statements[ST_FIND_EVENT];
	int64_t event_row = 0, first_evidence = 0;
	int rc;

	sqlite3_bind_int64(find, 1, system_id);
	sqlite3_bind_int64(find, 2, (int64_t)e->record_id);
	sqlite3_bind_int64(find, 3, (int64_t)e->content_hash);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		event_row = sqlite3_column_int64(find, 0);
		first_evidence = sqlite3_column_int64(find, 1);
	}
	sqlite3_reset(find);
	sqlite3_clear_bindings(find);
	if (rc != SQLITE_ROW)
		return -1;
	if (first_evidence == evidence_id)
		return 0; /* the same record twice in one file: nothing more to say */
	sqlite3_stmt *source = store->statements[ST_ADD_SOURCE];
	sqlite3_bind_int64(source, 1, event_row);
	sqlite3_bind_int64(source, 2, evidence_id);
	bind_int_or_null(source, 3, e->chunk, e->chunk >= 0);
	bind_int_or_null(source, 4, e->offset, e->offset >= 0);
	sqlite3_bind_int(source, 5, e->recovered);
	if (step_done(source) != 0)
		return -1;
	if (sqlite3_changes(store->db) > 0)
		*counted_row = event_row;
	return 0;
}

int store_add_event_count(struct store *store, int64_t evidence_id, const char *channel,
			  const char *provider, uint32_t event_id, uint64_t seen, uint64_t stored)
{
	sqlite3_stmt *st = store->statements[ST_ADD_COUNT];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, channel ? channel : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, provider ? provider : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, event_id);
	sqlite3_bind_int64(st, 5, (int64_t)seen);
	sqlite3_bind_int64(st, 6, (int64_t)stored);
	return step_done(st);
}

/* Runs SQL, whose only parameter ?1 is EVIDENCE_ID, once. */
static int run_for_evidence(struct store *store, const char *sql, int64_t evidence_id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, evidence_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_launcher_candidate(struct store *store, int64_t event_row)
{
	sqlite3_stmt *st = store->statements[ST_ADD_CANDIDATE];

	sqlite3_bind_int64(st, 1, event_row);
	return step_done(st);
}

int store_clear_event_counts(struct store *store, int64_t evidence_id)
{
	if (run_for_evidence(store, "DELETE FROM event_counts WHERE evidence_id = ?1",
			     evidence_id) != 0)
		return -1;
	return run_for_evidence(store, "DELETE FROM evidence_computers WHERE evidence_id = ?1",
				evidence_id);
}

int store_add_evidence_computer(struct store *store, int64_t evidence_id, const char *computer,
				uint64_t records, int64_t first_event)
{
	sqlite3_stmt *st = store->statements[ST_ADD_COMPUTER];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, computer ? computer : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)records);
	sqlite3_bind_int64(st, 4, first_event);
	return step_done(st);
}

int store_recount_evidence_computers(struct store *store, int64_t evidence_id)
{
	/* The file's rows however they came: this run's and those of an interrupted earlier run.
	 * Its old counts went with store_clear_event_counts when the run began to read it again
	 * (a count left over would break the primary key here, not pass unseen). */
	return run_for_evidence(store,
				"INSERT INTO evidence_computers (evidence_id, computer, records, "
				"first_event) SELECT ?1, coalesce(computer, ''), count(*), min(id) "
				"FROM (SELECT id, computer FROM events WHERE evidence_id = ?1 "
				"UNION ALL SELECT e.id, e.computer FROM event_sources s JOIN "
				"events e ON e.id = s.event_id_ref WHERE s.evidence_id = ?1) "
				"GROUP BY coalesce(computer, '')",
				evidence_id);
}

/* ---- host artifacts (METHOD.md §4, §5) --------------------------------------------------- */

/* Prepares SQL, runs it with no result rows, finalises. The binder fills the parameters. */
static int run_once(struct store *store, const char *sql, void (*bind)(sqlite3_stmt *, const void *),
		    const void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind(st, arg);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static void bind_bool_or_null(sqlite3_stmt *st, int index, int value)
{
	bind_int_or_null(st, index, value, value == 0 || value == 1);
}

/* The principal the actions run as: the one named by Actions/@Context, else the first. */
static const struct task_principal *task_acting_principal(const struct task_definition *task)
{
	for (size_t i = 0; task->actions_context && i < task->principal_count; i++)
		if (task->principals[i].id && strcmp(task->principals[i].id, task->actions_context) == 0)
			return &task->principals[i];
	return task->principal_count ? &task->principals[0] : NULL;
}

struct task_row {
	int64_t evidence_id, event_ref;
	const char *source, *location, *xml_sha256;
	const struct task_definition *task;
	const struct task_sandbox_launch *launch;
};

static void bind_task(sqlite3_stmt *st, const void *arg)
{
	const struct task_row *r = arg;
	const struct task_definition *t = r->task;
	const struct task_principal *p = task_acting_principal(t);
	int launcher = r->launch && r->launch->is_launcher;

	sqlite3_bind_int64(st, 1, r->evidence_id);
	sqlite3_bind_text(st, 2, r->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->location, -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 4, r->event_ref, r->event_ref > 0);
	sqlite3_bind_int(st, 5, t->well_formed);
	sqlite3_bind_int(st, 6, t->encoding_repaired);
	bind_text_or_null(st, 7, t->parse_problem);
	bind_text_or_null(st, 8, t->uri);
	bind_text_or_null(st, 9, t->author);
	bind_text_or_null(st, 10, t->description);
	bind_text_or_null(st, 11, t->date);
	bind_text_or_null(st, 12, t->security_descriptor);
	bind_text_or_null(st, 13, p ? p->user_id : NULL);
	bind_text_or_null(st, 14, p ? p->group_id : NULL);
	bind_text_or_null(st, 15, p ? p->logon_type : NULL);
	bind_text_or_null(st, 16, p ? p->run_level : NULL);
	bind_bool_or_null(st, 17, t->enabled);
	bind_text_or_null(st, 18, t->enabled_raw);
	bind_bool_or_null(st, 19, t->hidden);
	bind_text_or_null(st, 20, t->hidden_raw);
	sqlite3_bind_int(st, 21, launcher);
	bind_text_or_null(st, 22, launcher ? r->launch->reason : NULL);
	bind_text_or_null(st, 23, launcher ? r->launch->wsb_path : NULL);
	bind_text_or_null(st, 24, launcher ? r->launch->inline_config : NULL);
	bind_text_or_null(st, 25, r->xml_sha256);
}

struct child_row {
	int64_t parent;
	size_t position;
	const void *item;
};

static void bind_trigger(sqlite3_stmt *st, const void *arg)
{
	const struct child_row *r = arg;
	const struct task_trigger *t = r->item;

	sqlite3_bind_int64(st, 1, r->parent);
	sqlite3_bind_int64(st, 2, (int64_t)r->position);
	sqlite3_bind_text(st, 3, t->type ? t->type : "", -1, SQLITE_TRANSIENT);
	bind_bool_or_null(st, 4, t->enabled);
	bind_text_or_null(st, 5, t->enabled_raw);
	bind_text_or_null(st, 6, t->start_boundary);
	bind_text_or_null(st, 7, t->end_boundary);
	bind_text_or_null(st, 8, t->delay);
	bind_text_or_null(st, 9, t->user_id);
	bind_text_or_null(st, 10, t->subscription);
}

static void bind_action(sqlite3_stmt *st, const void *arg)
{
	const struct child_row *r = arg;
	const struct task_action *a = r->item;
	static const char *const TYPES[] = {"Exec", "ComHandler", "SendEmail", "ShowMessage"};
	const char *type = a->type < TASK_ACTION_OTHER ? TYPES[a->type] : a->name;

	sqlite3_bind_int64(st, 1, r->parent);
	sqlite3_bind_int64(st, 2, (int64_t)r->position);
	sqlite3_bind_text(st, 3, type ? type : "", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 4, a->command);
	bind_text_or_null(st, 5, a->arguments);
	bind_text_or_null(st, 6, a->working_directory);
	bind_text_or_null(st, 7, a->class_id);
	bind_text_or_null(st, 8, a->data);
}

int store_add_task(struct store *store, int64_t evidence_id, const char *source,
		   const char *location, int64_t event_ref, const struct task_definition *task,
		   const struct task_sandbox_launch *launch, const char *xml_sha256, int64_t *id)
{
	struct task_row row = {evidence_id, event_ref, source, location, xml_sha256, task, launch};

	if (run_once(store,
		     "INSERT INTO tasks (evidence_id, source, location, event_ref, well_formed, "
		     "encoding_repaired, parse_problem, uri, author, description, registration_date, "
		     "security_descriptor, principal_user, principal_group, principal_logon_type, "
		     "principal_run_level, enabled, enabled_raw, hidden, hidden_raw, sandbox_launcher, "
		     "launcher_reason, wsb_path, inline_config, xml_sha256) VALUES (?1, ?2, ?3, ?4, ?5, "
		     "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
		     "?23, ?24, ?25)",
		     bind_task, &row) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store->db);
	for (size_t i = 0; i < task->trigger_count; i++) {
		struct child_row child = {*id, i, &task->triggers[i]};
		if (run_once(store,
			     "INSERT INTO task_triggers (task_id, position, type, enabled, enabled_raw, "
			     "start_boundary, end_boundary, delay, user_id, subscription) VALUES (?1, ?2, "
			     "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			     bind_trigger, &child) != 0)
			return -1;
	}
	for (size_t i = 0; i < task->action_count; i++) {
		struct child_row child = {*id, i, &task->actions[i]};
		if (run_once(store,
			     "INSERT INTO task_actions (task_id, position, type, command, arguments, "
			     "working_directory, class_id, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			     bind_action, &child) != 0)
			return -1;
	}
	return 0;
}

struct wsb_row {
	int64_t evidence_id;
	const char *source, *location;
	const struct wsb_config *config;
};

static void bind_wsb(sqlite3_stmt *st, const void *arg)
{
	const struct wsb_row *r = arg;

	sqlite3_bind_int64(st, 1, r->evidence_id);
	sqlite3_bind_text(st, 2, r->source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->location, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, r->config->well_formed);
	bind_text_or_null(st, 5, r->config->parse_problem);
	bind_text_or_null(st, 6, r->config->memory_raw);
	bind_int_or_null(st, 7, r->config->memory_mb, r->config->memory_mb >= 0);
	bind_text_or_null(st, 8, r->config->logon_command);
}

static void bind_setting(sqlite3_stmt *st, const void *arg)
{
	static const char *const ORIGINS[] = {"absent", "default", "explicit", "invalid"};
	const struct child_row *r = arg;
	const struct wsb_setting *w = r->item;
	char description[512];

	wsb_describe_setting(w, description, sizeof description);
	sqlite3_bind_int64(st, 1, r->parent);
	sqlite3_bind_text(st, 2, w->name, -1, SQLITE_STATIC);
	bind_text_or_null(st, 3, w->raw);
	bind_bool_or_null(st, 4, w->effective);
	sqlite3_bind_text(st, 5, ORIGINS[w->source], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, description, -1, SQLITE_TRANSIENT);
}

static void bind_folder(sqlite3_stmt *st, const void *arg)
{
	const struct child_row *r = arg;
	const struct wsb_mapped_folder *f = r->item;

	sqlite3_bind_int64(st, 1, r->parent);
	sqlite3_bind_int64(st, 2, (int64_t)r->position);
	bind_text_or_null(st, 3, f->host_folder_raw);
	bind_text_or_null(st, 4, f->sandbox_folder_raw);
	bind_text_or_null(st, 5, f->sandbox_folder);
	sqlite3_bind_int(st, 6, f->sandbox_folder_is_default);
	bind_text_or_null(st, 7, f->read_only_raw);
	bind_bool_or_null(st, 8, f->read_only);
	sqlite3_bind_int(st, 9, f->read_only_is_default);
}

static void bind_risk(sqlite3_stmt *st, const void *arg)
{
	const struct child_row *r = arg;
	const struct wsb_risk *k = r->item;

	sqlite3_bind_int64(st, 1, r->parent);
	sqlite3_bind_text(st, 2, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->section, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k->reason ? k->reason : "", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 6, k->mapped_folder, k->mapped_folder >= 0);
}

int store_add_wsb_config(struct store *store, int64_t evidence_id, const char *source,
			 const char *location, const struct wsb_config *config, int64_t *id)
{
	struct wsb_row row = {evidence_id, source, location, config};

	if (run_once(store,
		     "INSERT INTO wsb_configs (evidence_id, source, location, well_formed, "
		     "parse_problem, memory_raw, memory_mb, logon_command) VALUES (?1, ?2, ?3, ?4, ?5, "
		     "?6, ?7, ?8)",
		     bind_wsb, &row) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store->db);
	for (size_t i = 0; i < WSB_SETTING_COUNT; i++) {
		struct child_row child = {*id, i, &config->settings[i]};
		if (run_once(store,
			     "INSERT INTO wsb_settings (config_id, name, raw, effective, origin, "
			     "description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     bind_setting, &child) != 0)
			return -1;
	}
	for (size_t i = 0; i < config->mapped_folder_count; i++) {
		struct child_row child = {*id, i, &config->mapped_folders[i]};
		if (run_once(store,
			     "INSERT INTO wsb_folders (config_id, position, host_folder, "
			     "sandbox_folder_raw, sandbox_folder, sandbox_folder_is_default, "
			     "read_only_raw, read_only, read_only_is_default) VALUES (?1, ?2, ?3, ?4, ?5, "
			     "?6, ?7, ?8, ?9)",
			     bind_folder, &child) != 0)
			return -1;
	}
	for (size_t i = 0; i < config->risk_count; i++) {
		struct child_row child = {*id, i, &config->risks[i]};
		if (run_once(store,
			     "INSERT INTO wsb_risks (config_id, risk_id, severity, section, reason, "
			     "folder_position) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     bind_risk, &child) != 0)
			return -1;
	}
	return 0;
}

struct task_content_rows {
	int (*fn)(void *, int64_t, int64_t, int, const char *, const char *);
	void *context;
};

static int task_content_row(void *context, sqlite3_stmt *st)
{
	struct task_content_rows *r = context;
	const char *content = (const char *)sqlite3_column_text(st, 3);

	if (!content || !*content)
		return 0;
	return r->fn(r->context, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		     sqlite3_column_int(st, 2), content, (const char *)sqlite3_column_text(st, 4));
}

int store_each_task_content(struct store *store,
			    int (*fn)(void *context, int64_t event_row, int64_t evidence_id,
				      int event_id, const char *content, const char *task_name),
			    void *context)
{
	struct task_content_rows r = {fn, context};

	/* §1.1: 4698 TaskContent, 4702 TaskContentNew. */
	return each_row(store,
			"SELECT id, evidence_id, event_id, coalesce(json_extract(data, "
			"'$.TaskContent'), json_extract(data, '$.TaskContentNew')), "
			"json_extract(data, '$.TaskName') FROM events "
			"WHERE provider = 'Microsoft-Windows-Security-Auditing' AND event_id IN "
			"(4698, 4702) ORDER BY id",
			task_content_row, &r);
}

struct call_source_rows {
	int (*fn)(void *, const struct store_call_source *);
	void *context;
};

static int call_source_row(void *context, sqlite3_stmt *st)
{
	struct call_source_rows *r = context;
	struct store_call_source source = {
		sqlite3_column_int64(st, 0),
		sqlite3_column_int64(st, 1),
		sqlite3_column_int64(st, 2),
		sqlite3_column_int64(st, 3),
		(const char *)sqlite3_column_text(st, 4),
		(const char *)sqlite3_column_text(st, 5),
		(const char *)sqlite3_column_text(st, 6),
		(uint64_t)sqlite3_column_int64(st, 7)};

	if (!source.event_row && !source.image)
		return 0;
	if (source.event_row && !source.command_line)
		return 0;
	return r->fn(r->context, &source);
}

int store_each_call_source(struct store *store, const char *const *words, size_t word_count,
			   int (*fn)(void *context, const struct store_call_source *source),
			   void *context)
{
	struct call_source_rows r = {fn, context};
	sqlite3_str *sql;
	char *text;
	int rc;

	/* §1.1 (4688 CommandLine), §1.7 (Sysmon 1 CommandLine): the process starts the writer
	 * marked (wsb_calls_may_mention_launcher); §4.1 (Exec), §5.2 (wsb.exe). */
	if (each_row(store,
		     "SELECT event_ref, evidence_id, 0, 0, image, command_line, NULL, time FROM "
		     "launcher_candidates ORDER BY event_ref",
		     call_source_row, &r) != 0)
		return -1;
	sql = sqlite3_str_new(store->db);
	sqlite3_str_appendall(sql, "SELECT 0, t.evidence_id, a.task_id, a.position, a.command, NULL, "
				   "a.arguments, 0 FROM task_actions a JOIN tasks t ON t.id = "
				   "a.task_id WHERE a.type = 'Exec' AND (0");
	for (size_t i = 0; i < word_count; i++)
		sqlite3_str_appendf(sql, " OR a.command LIKE '%%' || %Q || '%%'", words[i]);
	sqlite3_str_appendall(sql, ") ORDER BY a.task_id, a.position");
	text = sqlite3_str_finish(sql);
	rc = text ? each_row(store, text, call_source_row, &r) : -1;
	sqlite3_free(text);
	return rc;
}

int store_add_wsb_call(struct store *store, const struct store_wsb_call *c, int has_inline)
{
	sqlite3_stmt *st = store->statements[ST_ADD_WSB_CALL];

	bind_int_or_null(st, 1, c->event_ref, c->event_ref > 0);
	bind_int_or_null(st, 2, c->task_ref, c->task_ref > 0);
	bind_int_or_null(st, 3, c->action_position, c->task_ref > 0);
	bind_text_or_null(st, 4, c->image);
	bind_text_or_null(st, 5, c->command_line);
	bind_text_or_null(st, 6, c->status);
	bind_text_or_null(st, 7, c->verb);
	bind_text_or_null(st, 8, c->vm_id);
	bind_text_or_null(st, 9, c->command);
	bind_text_or_null(st, 10, c->run_as);
	bind_text_or_null(st, 11, c->host_path);
	bind_text_or_null(st, 12, c->sandbox_path);
	sqlite3_bind_int(st, 13, c->allow_write);
	bind_text_or_null(st, 14, c->config_path);
	bind_int_or_null(st, 15, c->inline_config_id, c->inline_config_id > 0);
	sqlite3_bind_int(st, 16, has_inline);
	sqlite3_bind_int64(st, 17, (int64_t)c->time);
	return step_done(st);
}

static int wsb_call_row(void *context, sqlite3_stmt *st)
{
	struct store_wsb_call *c = growing_next(context);

	if (!c)
		return -1;
	c->id = sqlite3_column_int64(st, 0);
	c->event_ref = sqlite3_column_int64(st, 1);
	c->task_ref = sqlite3_column_int64(st, 2);
	c->action_position = sqlite3_column_int64(st, 3);
	c->time = (uint64_t)sqlite3_column_int64(st, 4);
	c->image = column_dup(st, 5);
	c->command_line = column_dup(st, 6);
	c->status = column_dup(st, 7);
	c->verb = column_dup(st, 8);
	c->vm_id = column_dup(st, 9);
	c->command = column_dup(st, 10);
	c->run_as = column_dup(st, 11);
	c->host_path = column_dup(st, 12);
	c->sandbox_path = column_dup(st, 13);
	c->allow_write = sqlite3_column_int(st, 14);
	c->config_path = column_dup(st, 15);
	c->inline_config_id = sqlite3_column_int64(st, 16);
	return 0;
}

int store_load_wsb_calls(struct store *store, struct store_wsb_call **calls, size_t *count)
{
	struct growing g = {NULL, 0, 0, sizeof(struct store_wsb_call)};
	int rc = each_row(
		store,
		"SELECT c.id, coalesce(c.event_ref, 0), coalesce(c.task_ref, 0), "
		"coalesce(c.action_position, 0), c.time, c.image, c.command_line, c.status, c.verb, "
		"c.vm_id, c.command, c.run_as, c.host_path, c.sandbox_path, c.allow_write, "
		"c.config_path, coalesce(c.inline_config_id, 0) FROM wsb_calls c LEFT JOIN events e ON "
		"e.id = c.event_ref LEFT JOIN evidence v ON v.id = e.evidence_id ORDER BY c.event_ref "
		"IS NULL, c.time, v.sha256, e.record_id, e.id, c.task_ref, c.action_position",
		wsb_call_row, &g);

	*calls = g.items;
	*count = g.count;
	if (rc != 0) {
		store_free_wsb_calls(g.items, g.count);
		*calls = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_wsb_calls(struct store_wsb_call *calls, size_t count)
{
	for (size_t i = 0; calls && i < count; i++) {
		struct store_wsb_call *c = &calls[i];
		char *strings[] = {c->image, c->command_line, c->status, c->verb, c->vm_id,
				   c->command, c->run_as, c->host_path, c->sandbox_path,
				   c->config_path};
		for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
			free(strings[k]);
	}
	free(calls);
}

/* ---- commands run in a VM (METHOD.md §1.4, §1.10) ----------------------------------------- */

int store_add_vm_command(struct store *store, const struct store_vm_command *c)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO vm_commands (event_ref, vm_id, command_line, user, "
			       "guest_pid, read_as, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, c->event_ref);
	bind_text_or_null(st, 2, c->vm_id);
	bind_text_or_null(st, 3, c->command_line);
	bind_text_or_null(st, 4, c->user);
	bind_text_or_null(st, 5, c->guest_pid);
	bind_text_or_null(st, 6, c->read_as);
	bind_text_or_null(st, 7, c->note);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int vm_command_row(void *context, sqlite3_stmt *st)
{
	struct store_vm_command *c = growing_next(context);

	if (!c)
		return -1;
	c->event_ref = sqlite3_column_int64(st, 0);
	c->vm_id = column_dup(st, 1);
	c->command_line = column_dup(st, 2);
	c->user = column_dup(st, 3);
	c->guest_pid = column_dup(st, 4);
	c->read_as = column_dup(st, 5);
	c->note = column_dup(st, 6);
	return 0;
}

int store_load_vm_commands(struct store *store, struct store_vm_command **rows, size_t *count)
{
	struct growing g = {NULL, 0, 0, sizeof(struct store_vm_command)};
	int rc = each_row(store,
			  "SELECT event_ref, vm_id, command_line, user, guest_pid, read_as, note "
			  "FROM vm_commands ORDER BY event_ref",
			  vm_command_row, &g);

	*rows = g.items;
	*count = g.count;
	if (rc != 0) {
		store_free_vm_commands(g.items, g.count);
		*rows = NULL;
		*count = 0;
	}
	return rc;
}

const struct store_vm_command *store_find_vm_command(const struct store_vm_command *rows,
						     size_t count, int64_t event_ref)
{
	size_t low = 0, high = count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (rows[middle].event_ref == event_ref)
			return &rows[middle];
		if (rows[middle].event_ref < event_ref)
			low = middle + 1;
		else
			high = middle;
	}
	return NULL;
}

void store_free_vm_commands(struct store_vm_command *rows, size_t count)
{
	for (size_t i = 0; rows && i < count; i++) {
		struct store_vm_command *c = &rows[i];
		char *strings[] = {c->vm_id, c->command_line, c->user, c->guest_pid, c->read_as,
				   c->note};
		for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
			free(strings[k]);
	}
	free(rows);
}

int store_clear_derived(struct store *store)
{
	static const char *const SQL[] = {
		"DELETE FROM wsb_calls",
		"DELETE FROM vm_commands",
		"DELETE FROM task_triggers WHERE task_id IN (SELECT id FROM tasks WHERE event_ref IS "
		"NOT NULL)",
		"DELETE FROM task_actions WHERE task_id IN (SELECT id FROM tasks WHERE event_ref IS "
		"NOT NULL)",
		"DELETE FROM wsb_settings WHERE config_id IN (SELECT id FROM wsb_configs WHERE source "
		"IN ('inline_command_line', 'inline_event_task'))",
		"DELETE FROM wsb_folders WHERE config_id IN (SELECT id FROM wsb_configs WHERE source "
		"IN ('inline_command_line', 'inline_event_task'))",
		"DELETE FROM wsb_risks WHERE config_id IN (SELECT id FROM wsb_configs WHERE source "
		"IN ('inline_command_line', 'inline_event_task'))",
		"DELETE FROM wsb_configs WHERE source IN ('inline_command_line', 'inline_event_task')",
		"DELETE FROM tasks WHERE event_ref IS NOT NULL",
	};

	for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++)
		if (exec(store, SQL[i]) != 0)
			return -1;
	return 0;
}

/* ---- registry rows, archives, host facts (METHOD.md §2-§3, §5.3) ------------------------ */

static char *hex_of(const uint8_t *data, size_t size)
{
	static const char HEX[] = "0123456789abcdef";
	char *text = malloc(size * 2 + 1);

	if (!text)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		text[2 * i] = HEX[data[i] >> 4];
		text[2 * i + 1] = HEX[data[i] & 15];
	}
	text[size * 2] = 0;
	return text;
}

int store_add_hive_log_replay(struct store *store, int64_t hive_evidence_id,
			      int64_t log_evidence_id, const char *log_path,
			      const struct hive_log_outcome *o)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT OR REPLACE INTO hive_log_replays (hive_evidence_id, "
			       "log_evidence_id, log_path, format, applied, refused, first_sequence, "
			       "last_sequence, entries, pages, reason, run_id) VALUES (?1, ?2, ?3, ?4, "
			       "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, hive_evidence_id);
	bind_int_or_null(st, 2, log_evidence_id, log_evidence_id > 0);
	sqlite3_bind_text(st, 3, log_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, hive_log_format_name(o->format), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, o->applied);
	sqlite3_bind_int(st, 6, o->refused);
	bind_int_or_null(st, 7, o->first_sequence, o->applied);
	bind_int_or_null(st, 8, o->last_sequence, o->applied);
	sqlite3_bind_int64(st, 9, (int64_t)o->entries);
	sqlite3_bind_int64(st, 10, (int64_t)o->pages);
	bind_text_or_null(st, 11, o->reason[0] ? o->reason : NULL);
	sqlite3_bind_int64(st, 12, store->run_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_reg_value(struct store *store, int64_t evidence_id, const char *hive_kind,
			const struct hive_row *row)
{
	sqlite3_stmt *st;
	char *hex = NULL;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO reg_values (evidence_id, hive_kind, key_path, "
			       "key_last_write, value_name, value_type, value_type_name, raw_hex, "
			       "decoded, section, replay) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
			       "?10, ?11)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (row->value_name) {
		hex = hex_of(row->data, row->data_size);
		if (!hex) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, hive_kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, row->key_path ? row->key_path : "", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 4, (int64_t)row->key_last_written, row->key_last_written != 0);
	bind_text_or_null(st, 5, row->value_name);
	bind_int_or_null(st, 6, row->value_type, row->value_name != NULL);
	bind_text_or_null(st, 7, row->value_name ? hive_value_type_name(row->value_type) : NULL);
	bind_text_or_null(st, 8, hex);
	bind_text_or_null(st, 9, row->text);
	bind_text_or_null(st, 10, row->source);
	bind_text_or_null(st, 11, row->replay);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	free(hex);
	return rc;
}

int store_add_archive(struct store *store, int64_t evidence_id, const char *path,
		      const struct archive_report *r)
{
	struct strbuf names = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	strbuf_append_char(&names, '[');
	for (size_t i = 0; i < r->name_count; i++) {
		if (i)
			strbuf_append_char(&names, ',');
		json_append_string(&names, r->names[i], strlen(r->names[i]));
	}
	strbuf_append_char(&names, ']');
	if (strbuf_failed(&names) ||
	    sqlite3_prepare_v2(store->db,
			       "INSERT INTO archives (evidence_id, path, family, format_name, "
			       "extension, name_mismatch, encrypted, headers_encrypted, entry_count, "
			       "encrypted_entries, names, complete, reason) VALUES (?1, ?2, ?3, ?4, ?5, "
			       "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
			       -1, &st, NULL) != SQLITE_OK) {
		strbuf_free(&names);
		return -1;
	}
	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 3, r->family[0] ? r->family : NULL);
	bind_text_or_null(st, 4, r->format_name[0] ? r->format_name : NULL);
	sqlite3_bind_text(st, 5, r->extension, -1, SQLITE_TRANSIENT);
	bind_bool_or_null(st, 6, r->extension_mismatch);
	bind_bool_or_null(st, 7, r->encrypted);
	sqlite3_bind_int(st, 8, r->headers_encrypted);
	sqlite3_bind_int64(st, 9, (int64_t)r->entry_count);
	sqlite3_bind_int64(st, 10, (int64_t)r->encrypted_entries);
	sqlite3_bind_text(st, 11, strbuf_text(&names), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 12, r->complete);
	bind_text_or_null(st, 13, r->reason[0] ? r->reason : NULL);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	strbuf_free(&names);
	return rc;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int store_load_reg_values(struct store *store, struct store_reg_value **out, size_t *count)
{
	sqlite3_stmt *st;
	struct store_reg_value *rows = NULL;
	size_t n = 0, capacity = 0;
	int step, rc = -1;

	*out = NULL;
	*count = 0;
	if (sqlite3_prepare_v2(store->db,
			       "SELECT id, evidence_id, hive_kind, key_path, key_last_write, value_name, "
			       "value_type, raw_hex, decoded, replay FROM reg_values ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_reg_value *r;
		const char *hex = (const char *)sqlite3_column_text(st, 7);

		if (n == capacity) {
			size_t grown_capacity = capacity ? capacity * 2 : 64;
			struct store_reg_value *grown = realloc(rows, grown_capacity * sizeof *grown);
			if (!grown)
				goto out;
			rows = grown;
			capacity = grown_capacity;
		}
		r = &rows[n];
		memset(r, 0, sizeof *r);
		n++;
		r->id = sqlite3_column_int64(st, 0);
		r->evidence_id = sqlite3_column_int64(st, 1);
		r->hive_kind = strdup((const char *)sqlite3_column_text(st, 2));
		r->key_path = strdup((const char *)sqlite3_column_text(st, 3));
		r->key_last_write = (uint64_t)sqlite3_column_int64(st, 4);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			r->value_name = strdup((const char *)sqlite3_column_text(st, 5));
		r->value_type = (uint32_t)sqlite3_column_int64(st, 6);
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			r->decoded = strdup((const char *)sqlite3_column_text(st, 8));
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			r->replay = strdup((const char *)sqlite3_column_text(st, 9));
		if (hex) {
			size_t length = strlen(hex) / 2;
			r->data = malloc(length ? length : 1);
			if (!r->data)
				goto out;
			for (size_t i = 0; i < length; i++)
				r->data[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 |
						       hex_digit(hex[2 * i + 1]));
			r->size = length;
		}
		if (!r->hive_kind || !r->key_path)
			goto out;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	*out = rows;
	*count = n;
	if (rc != 0) {
		store_free_reg_values(rows, n);
		*out = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_reg_values(struct store_reg_value *rows, size_t count)
{
	for (size_t i = 0; rows && i < count; i++) {
		free(rows[i].hive_kind);
		free(rows[i].key_path);
		free(rows[i].value_name);
		free(rows[i].decoded);
		free(rows[i].data);
		free(rows[i].replay);
	}
	free(rows);
}

int store_clear_facts(struct store *store)
{
	return exec(store, "DELETE FROM main.facts");
}

int store_add_fact(struct store *store, const struct store_fact *f)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       /* A fact read from a dirty hive (transaction logs not applied) may
				* be out of date: the latest changes can be only in its .LOG1/.LOG2.
				* It is never "high", and says why. */
			       "WITH dirty AS (SELECT EXISTS (SELECT 1 FROM parse_errors WHERE "
			       "evidence_id = ?7 AND reason LIKE '" HIVE_DIRTY_REASON "%') AS d) "
			       "INSERT INTO main.facts (kind, subject, value, detail, time, basis, "
			       "evidence_id, confidence, section, host_id) SELECT ?1, ?2, ?3, CASE "
			       "WHEN d THEN ?4 || ' [the hive is dirty: " HIVE_DIRTY_REASON ", so a "
			       "later change may be only in its transaction logs]' ELSE ?4 END, ?5, ?6, "
			       "?7, CASE WHEN d AND ?8 = 'high' THEN 'medium' ELSE ?8 END, ?9, ?10 "
			       "FROM dirty",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, f->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, f->value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, f->detail, -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 5, (int64_t)f->time, f->time != 0);
	sqlite3_bind_text(st, 6, f->basis ? f->basis : "", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 7, f->evidence_id, f->evidence_id > 0);
	sqlite3_bind_text(st, 8, f->confidence, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, f->section, -1, SQLITE_TRANSIENT);
	/* the host in scope (§2.7) unless the fact names its own */
	bind_int_or_null(st, 10, f->host_id ? f->host_id : store->scope_host,
			 f->host_id > 0 || store->scope_host > 0);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_taskcache_finding(struct store *store, const struct store_taskcache_finding *f)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO taskcache_findings (subject, code, detail, basis, "
			       "evidence_id, confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, f->subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, f->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, f->detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, f->basis ? f->basis : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, f->evidence_id);
	sqlite3_bind_text(st, 6, f->confidence, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

static int taskcache_fact_row(void *context, sqlite3_stmt *st)
{
	struct store_fact f = {"task_cache",
			       (const char *)sqlite3_column_text(st, 0),
			       (const char *)sqlite3_column_text(st, 1),
			       (const char *)sqlite3_column_text(st, 2),
			       0,
			       (const char *)sqlite3_column_text(st, 3),
			       sqlite3_column_int64(st, 4),
			       (const char *)sqlite3_column_text(st, 5),
			       "§4.2", 0, NULL};

	return store_add_fact(context, &f);
}

int store_facts_from_taskcache(struct store *store)
{
	return each_row(store,
			"SELECT subject, code, detail, basis, evidence_id, confidence FROM "
			"taskcache_findings ORDER BY id",
			taskcache_fact_row, store);
}

int store_each_fact(struct store *store, int (*fn)(void *context, const struct store_fact *fact),
		    void *context)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(store->db,
			       "SELECT kind, subject, value, detail, coalesce(time, 0), basis, "
			       "coalesce(evidence_id, 0), confidence, section, coalesce(host_id, 0), (SELECT "
			       "name FROM hosts WHERE id = host_id) FROM facts ORDER BY host_id IS NULL, "
			       "host_id, CASE "
			       "kind WHEN 'feature_state' THEN 0 WHEN 'sandbox_policy' THEN 1 WHEN "
			       "'audit_policy' THEN 2 WHEN 'cmdline_audit' THEN 3 WHEN 'audit_coverage' "
			       "THEN 4 WHEN 'service' THEN 5 ELSE 6 END, kind, id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact f = {
			(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
			(uint64_t)sqlite3_column_int64(st, 4), (const char *)sqlite3_column_text(st, 5),
			sqlite3_column_int64(st, 6), (const char *)sqlite3_column_text(st, 7),
			(const char *)sqlite3_column_text(st, 8), sqlite3_column_int64(st, 9),
			(const char *)sqlite3_column_text(st, 10)};
		rc = fn(context, &f);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int store_each_evidence_computer(struct store *store,
				 int (*fn)(void *context, int64_t evidence_id, const char *path,
					   const char *computer, int64_t records,
					   int64_t first_event),
				 void *context)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(store->db,
			       "SELECT v.id, (SELECT path FROM evidence_paths p WHERE p.evidence_id = "
			       "v.id ORDER BY p.id LIMIT 1), coalesce(c.computer, ''), "
			       "coalesce(c.records, 0), coalesce(c.first_event, 0) FROM evidence v "
			       "LEFT JOIN evidence_computers c ON c.evidence_id = v.id "
			       "ORDER BY v.id, coalesce(c.records, 0) DESC, c.computer",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(context, sqlite3_column_int64(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3),
			sqlite3_column_int64(st, 4));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int store_set_task_schedule(struct store *store, int64_t task_id, uint64_t registered,
			    uint64_t last_run, int64_t last_result, int has_result,
			    const char *basis)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "UPDATE tasks SET registered_time = ?2, last_run_time = ?3, "
			       "last_result = ?4, basis = ?5 WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, task_id);
	bind_int_or_null(st, 2, (int64_t)registered, registered != 0);
	bind_int_or_null(st, 3, (int64_t)last_run, last_run != 0);
	bind_int_or_null(st, 4, last_result, has_result);
	bind_text_or_null(st, 5, basis);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_load_task_file_uris(struct store *store, char ***uris, size_t *count)
{
	return load_text_column(store,
				"SELECT DISTINCT uri FROM tasks WHERE source = 'task_file' AND uri IS "
				"NOT NULL ORDER BY uri",
				uris, count);
}

int store_clear_taskcache_tasks(struct store *store)
{
	static const char *const SQL[] = {
		"DELETE FROM task_triggers WHERE task_id IN (SELECT id FROM tasks WHERE source = "
		"'taskcache')",
		"DELETE FROM task_actions WHERE task_id IN (SELECT id FROM tasks WHERE source = "
		"'taskcache')",
		"DELETE FROM tasks WHERE source = 'taskcache'",
		"DELETE FROM taskcache_findings",
	};

	for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++)
		if (exec(store, SQL[i]) != 0)
			return -1;
	return 0;
}

/* ---- the session correlator's reads and writes -------------------------------------------- */



static void event_fields_free(struct store_event *e)
{
	free(e->provider);
	free(e->channel);
	free(e->user_sid);
	free(e->activity_id);
	free(e->data);
}

/* A record handed, one at a time, to the caller of store_each_role_event. */
struct role_stream {
	enum catalog_role role;
	int (*fn)(void *context, struct store_event *e, size_t position);
	void *context;
	size_t position;         /* how many records of the role were handed over so far */
};

static int role_event_row(void *context, sqlite3_stmt *st)
{
	struct role_stream *s = context;
	struct store_event e;
	int rc;

	e.id = sqlite3_column_int64(st, 0);
	e.evidence_id = sqlite3_column_int64(st, 1);
	e.time = (uint64_t)sqlite3_column_int64(st, 2);
	e.record_id = (uint64_t)sqlite3_column_int64(st, 3);
	e.event_id = (uint32_t)sqlite3_column_int64(st, 4);
	e.provider = column_dup(st, 5);
	e.channel = column_dup(st, 6);
	e.user_sid = column_dup(st, 7);
	e.activity_id = column_dup(st, 8);
	e.data = column_dup(st, 9);
	e.process_id = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1
				: sqlite3_column_int64(st, 10);
	e.version = (uint32_t)sqlite3_column_int64(st, 11);
	/* The row of each record's own version and channel decides (a version-specific row may give
	 * no role, or another one). */
	e.entry = catalog_find(e.channel, e.provider, e.event_id, e.version);
	if (!e.entry || e.entry->role == CATALOG_ROLE_NONE ||
	    (s->role != CATALOG_ROLE_NONE && e.entry->role != s->role)) {
		event_fields_free(&e);
		return 0;
	}
	rc = s->fn(s->context, &e, s->position++);
	if (rc != 1)
		event_fields_free(&e);
	return rc < 0 ? -1 : 0;
}

/* "(provider = 'P' AND event_id BETWEEN a AND b [AND channel = 'C']) OR ..." for every catalogue
 * row with a role, or with ROLE only when ROLE is not CATALOG_ROLE_NONE (the exact spelling: a
 * provider written otherwise is another provider). */
static char *role_condition(enum catalog_role role)
{
	struct strbuf sb = STRBUF_INIT;
	size_t count, i;
	const struct catalog_entry *rows = catalog_entries(&count);

	/* No constant term: "(0 OR ...)" would keep SQLite from reading each term's rows through
	 * the index on event_id (a scan of every record instead). */
	strbuf_append_str(&sb, "(");
	for (i = 0; i < count; i++) {
		char *channel = NULL, *term;

		if (rows[i].role == CATALOG_ROLE_NONE ||
		    (role != CATALOG_ROLE_NONE && rows[i].role != role))
			continue;
		if (rows[i].channel &&
		    !(channel = sqlite3_mprintf(" AND e.channel = %Q", rows[i].channel)))
			break;
		term = sqlite3_mprintf("%s(e.provider = %Q AND e.event_id BETWEEN %u AND %u%s)",
				       sb.length > 1 ? " OR " : "", rows[i].provider,
				       rows[i].first_id, rows[i].last_id, channel ? channel : "");
		sqlite3_free(channel);
		if (!term)
			break;
		strbuf_append_str(&sb, term);
		sqlite3_free(term);
	}
	if (i < count) {
		strbuf_free(&sb);
		return NULL;
	}
	strbuf_append_str(&sb, sb.length > 1 ? ")" : "0)");
	return strbuf_detach(&sb);
}

int store_each_role_event(struct store *store, enum catalog_role role,
			  int (*fn)(void *context, struct store_event *e, size_t position),
			  void *context)
{
	struct role_stream stream = {role, fn, context, 0};
	char *condition = role_condition(role), *sql;
	int rc = -1;

	/* §1.1-§1.7: the records sessions are built from; ordered as §6 requires (the last key, the
	 * row id, makes the order total, so two walks meet the records in the same order). */
	sql = condition ? sqlite3_mprintf(
				  "SELECT e.id, e.evidence_id, coalesce(e.time, e.written_time, 0), "
				  "e.record_id, e.event_id, e.provider, e.channel, e.user_sid, "
				  "e.activity_id, e.data, e.process_id, coalesce(e.version, 0) FROM events "
				  "e JOIN evidence v ON v.id = e.evidence_id WHERE %s ORDER BY "
				  "coalesce(e.time, e.written_time, 0), v.sha256, e.record_id, e.id",
				  condition)
			: NULL;
	free(condition);
	if (sql)
		rc = each_row(store, sql, role_event_row, &stream);
	sqlite3_free(sql);
	return rc;
}

/* store_each_role_event's FN for a load: every record is kept. */
static int keep_event(void *context, struct store_event *e, size_t position)
{
	struct store_event *slot = growing_next(context);

	(void)position;
	if (!slot)
		return -1;
	*slot = *e;
	return 1;
}

int store_load_role_events(struct store *store, enum catalog_role role,
			   struct store_event **events, size_t *count)
{
	struct growing g = {NULL, 0, 0, sizeof(struct store_event)};
	int rc = store_each_role_event(store, role, keep_event, &g);

	*events = g.items;
	*count = g.count;
	if (rc != 0) {
		store_free_events(g.items, g.count);
		*events = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_events(struct store_event *events, size_t count)
{
	for (size_t i = 0; events && i < count; i++)
		event_fields_free(&events[i]);
	free(events);
}

static int task_row(void *context, sqlite3_stmt *st)
{
	struct store_task *t = growing_next(context);

	if (!t)
		return -1;
	t->id = sqlite3_column_int64(st, 0);
	t->source = column_dup(st, 1);
	t->uri = column_dup(st, 2);
	t->principal_user = column_dup(st, 3);
	t->wsb_path = column_dup(st, 4);
	t->trigger_types = column_dup(st, 5);
	t->hidden = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6);
	t->sandbox_launcher = sqlite3_column_int(st, 7);
	t->hiding_finding = sqlite3_column_int(st, 8);
	return 0;
}

/* Resizes *ARRAY to COUNT elements of SIZE bytes; -1 (array untouched) when memory runs out. */
static int resize_array(void *array, size_t count, size_t size)
{
	void *grown = realloc(*(void **)array, count * size);

	if (!grown)
		return -1;
	*(void **)array = grown;
	return 0;
}

static int exec_action_row(void *context, sqlite3_stmt *st)
{
	struct store_task *t = context;
	size_t n = t->exec_count + 1;

	if (resize_array(&t->exec_commands, n, sizeof *t->exec_commands) ||
	    resize_array(&t->exec_arguments, n, sizeof *t->exec_arguments) ||
	    resize_array(&t->exec_positions, n, sizeof *t->exec_positions))
		return -1;
	t->exec_commands[n - 1] = column_dup(st, 0);
	t->exec_arguments[n - 1] = column_dup(st, 1);
	t->exec_positions[n - 1] = sqlite3_column_int64(st, 2);
	t->exec_count = n;
	return 0;
}

int store_load_tasks(struct store *store, struct store_task **tasks, size_t *count)
{
	struct growing g = {NULL, 0, 0, sizeof(struct store_task)};
	int rc = each_row(
		store,
		"SELECT t.id, t.source, t.uri, t.principal_user, t.wsb_path, (SELECT "
		"group_concat(type, ',') FROM task_triggers g WHERE g.task_id = t.id), t.hidden, "
		"t.sandbox_launcher, EXISTS (SELECT 1 FROM facts f WHERE f.kind = 'task_cache' AND "
		"f.value IN ('tree-without-sd', 'tree-without-index', 'task-without-xml', "
		"'task-without-tree') AND lower(f.subject) = lower(CASE WHEN substr(t.uri, 1, 1) = "
		"'\\' THEN t.uri ELSE '\\' || t.uri END)) FROM tasks t ORDER BY t.id",
		task_row, &g);
	struct store_task *list = g.items;

	for (size_t i = 0; rc == 0 && i < g.count; i++)
		rc = each_child_row(store,
				    "SELECT command, arguments, position FROM task_actions WHERE task_id = ?1 AND "
				    "type = 'Exec' ORDER BY position",
				    list[i].id, exec_action_row, &list[i]);
	*tasks = g.items;
	*count = g.count;
	if (rc != 0) {
		store_free_tasks(g.items, g.count);
		*tasks = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_tasks(struct store_task *tasks, size_t count)
{
	for (size_t i = 0; tasks && i < count; i++) {
		free(tasks[i].source);
		free(tasks[i].uri);
		free(tasks[i].principal_user);
		free(tasks[i].wsb_path);
		free(tasks[i].trigger_types);
		for (size_t j = 0; j < tasks[i].exec_count; j++) {
			free(tasks[i].exec_commands[j]);
			free(tasks[i].exec_arguments[j]);
		}
		free(tasks[i].exec_commands);
		free(tasks[i].exec_arguments);
		free(tasks[i].exec_positions);
	}
	free(tasks);
}

struct wsb_load {
	struct growing configs;
	struct store *store;
};

static int folder_row(void *context, sqlite3_stmt *st)
{
	struct store_wsb *w = context;
	size_t n = w->folder_count + 1;

	if (resize_array(&w->hosts, n, sizeof *w->hosts) ||
	    resize_array(&w->sandboxes, n, sizeof *w->sandboxes) ||
	    resize_array(&w->read_only, n, sizeof *w->read_only))
		return -1;
	w->hosts[n - 1] = column_dup(st, 0);
	w->sandboxes[n - 1] = column_dup(st, 1);
	w->read_only[n - 1] =
		sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
	w->folder_count = n;
	return 0;
}

static int wsb_row(void *context, sqlite3_stmt *st)
{
	struct wsb_load *load = context;
	struct store_wsb *w = growing_next(&load->configs);

	if (!w)
		return -1;
	w->id = sqlite3_column_int64(st, 0);
	w->source = column_dup(st, 1);
	w->location = column_dup(st, 2);
	w->logon_command = column_dup(st, 3);
	w->networking = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
	w->networking_origin = column_dup(st, 5);
	w->windows_path = column_dup(st, 6);
	return 0;
}

int store_load_wsb_configs(struct store *store, struct store_wsb **configs, size_t *count)
{
	struct wsb_load load = {{NULL, 0, 0, sizeof(struct store_wsb)}, store};
	int rc = each_row(store,
			  "SELECT c.id, c.source, c.location, c.logon_command, s.effective, s.origin, "
			  "(SELECT min(p.windows_path) FROM evidence_paths p WHERE p.evidence_id = "
			  "c.evidence_id AND p.path = c.location) "
			  "FROM wsb_configs c LEFT JOIN wsb_settings s ON s.config_id = c.id AND "
			  "s.name = 'Networking' ORDER BY c.id",
			  wsb_row, &load);
	struct store_wsb *list = load.configs.items;

	for (size_t i = 0; rc == 0 && i < load.configs.count; i++)
		rc = each_child_row(store,
				    "SELECT host_folder, sandbox_folder, read_only FROM wsb_folders "
				    "WHERE config_id = ?1 ORDER BY position",
				    list[i].id, folder_row, &list[i]);
	*configs = list;
	*count = load.configs.count;
	if (rc != 0) {
		store_free_wsb_configs(list, load.configs.count);
		*configs = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_wsb_configs(struct store_wsb *configs, size_t count)
{
	for (size_t i = 0; configs && i < count; i++) {
		for (size_t j = 0; j < configs[i].folder_count; j++) {
			free(configs[i].hosts[j]);
			free(configs[i].sandboxes[j]);
		}
		free(configs[i].hosts);
		free(configs[i].sandboxes);
		free(configs[i].read_only);
		free(configs[i].source);
		free(configs[i].location);
		free(configs[i].logon_command);
		free(configs[i].networking_origin);
		free(configs[i].windows_path);
	}
	free(configs);
}

static int archive_row(void *context, sqlite3_stmt *st)
{
	struct store_archive *a = growing_next(context);

	if (!a)
		return -1;
	a->id = sqlite3_column_int64(st, 0);
	a->path = column_dup(st, 1);
	a->name_mismatch = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2);
	a->encrypted = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 3);
	a->windows_path = column_dup(st, 4);
	return 0;
}

int store_load_archives(struct store *store, struct store_archive **archives, size_t *count)
{
	struct growing g = {NULL, 0, 0, sizeof(struct store_archive)};
	int rc = each_row(store,
			  "SELECT a.id, a.path, a.name_mismatch, a.encrypted, (SELECT min(p.windows_path) "
			  "FROM evidence_paths p WHERE p.evidence_id = a.evidence_id AND p.path = a.path) "
			  "FROM archives a ORDER BY a.id",
			  archive_row, &g);
	*archives = g.items;
	*count = g.count;
	if (rc != 0) {
		store_free_archives(g.items, g.count);
		*archives = NULL;
		*count = 0;
	}
	return rc;
}

void store_free_archives(struct store_archive *archives, size_t count)
{
	for (size_t i = 0; archives && i < count; i++) {
		free(archives[i].path);
		free(archives[i].windows_path);
	}
	free(archives);
}

char *store_fact_value(struct store *store, const char *kind, const char *subject, uint64_t *time,
		       int64_t *id)
{
	sqlite3_stmt *st;
	char *value = NULL;

	if (sqlite3_prepare_v2(store->db,
			       "SELECT value, coalesce(time, 0), id FROM facts WHERE kind = ?1 AND "
			       "subject = ?2 ORDER BY id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		value = column_dup(st, 0);
		if (time)
			*time = (uint64_t)sqlite3_column_int64(st, 1);
		if (id)
			*id = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return value;
}

int store_clear_sessions(struct store *store)
{
	return exec(store, "DELETE FROM findings; DELETE FROM session_events; DELETE FROM other_vms; "
			   "DELETE FROM sessions");
}

int store_add_session_row(struct store *store, const struct store_session_row *r)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO sessions (id, vm_guid, vm_sid, kind, kind_basis, start, end, "
			       "end_inferred, confidence, verdict, score, trigger_kind, trigger_task, "
			       "trigger_user, launcher_image, launcher_pid, launcher_command_line, "
			       "wsb_path, wsb_config_id, missing, host_id) VALUES (?1, ?2, ?3, ?4, ?5, "
			       "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
			       "?21)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, r->vm_guid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->vm_sid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->kind_basis ? r->kind_basis : "", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 6, (int64_t)r->start, r->start != 0);
	bind_int_or_null(st, 7, (int64_t)r->end, r->end != 0);
	sqlite3_bind_int(st, 8, r->end_inferred);
	sqlite3_bind_text(st, 9, r->confidence, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, r->verdict, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 11, r->score);
	sqlite3_bind_text(st, 12, r->trigger_kind, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 13, r->trigger_task);
	bind_text_or_null(st, 14, r->trigger_user);
	bind_text_or_null(st, 15, r->launcher_image);
	bind_int_or_null(st, 16, r->launcher_pid, r->launcher_pid >= 0);
	bind_text_or_null(st, 17, r->launcher_command_line);
	bind_text_or_null(st, 18, r->wsb_path);
	bind_int_or_null(st, 19, r->wsb_config_id, r->wsb_config_id > 0);
	sqlite3_bind_text(st, 20, r->missing_json ? r->missing_json : "[]", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 21, store->scope_host, store->scope_host > 0);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_session_event(struct store *store, int64_t session_id, const char *role,
			    const char *table, int64_t row, uint64_t time, const char *basis,
			    const char *confidence, const char *detail_json)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO session_events (session_id, role, source_table, row_id, "
			       "time, basis, confidence, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, table, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, row);
	bind_int_or_null(st, 5, (int64_t)time, time != 0);
	sqlite3_bind_text(st, 6, basis ? basis : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, confidence, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, detail_json ? detail_json : "{}", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_other_vm(struct store *store, const char *guid, const char *kind, const char *basis,
		       uint64_t first, uint64_t last, int64_t records)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT OR REPLACE INTO other_vms (vm_guid, kind, kind_basis, first_seen, "
			       "last_seen, records, host_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, guid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, basis ? basis : "", -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 4, (int64_t)first, first != 0);
	bind_int_or_null(st, 5, (int64_t)last, last != 0);
	sqlite3_bind_int64(st, 6, records);
	bind_int_or_null(st, 7, store->scope_host, store->scope_host > 0);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_add_finding(struct store *store, int64_t session_id, const char *rule_id,
		      const char *title, int score, const char *attack, const char *section,
		      const char *reason, const char *basis_json)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO findings (session_id, rule_id, title, score, attack, "
			       "section, reason, basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	sqlite3_bind_text(st, 2, rule_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, score);
	sqlite3_bind_text(st, 5, attack ? attack : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, section ? section : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 7, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, basis_json ? basis_json : "[]", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- session exporters' reads --------------------------------------------------------- */

struct json_rows {
	int (*fn)(void *, const char *);
	void *context;
};

static int json_row(void *context, sqlite3_stmt *st)
{
	struct json_rows *r = context;
	return r->fn(r->context, (const char *)sqlite3_column_text(st, 0));
}

int store_each_session_json(struct store *store, int (*fn)(void *context, const char *json),
			    void *context)
{
	struct json_rows r = {fn, context};
	return each_row(store, "SELECT json FROM v_session_json ORDER BY id", json_row, &r);
}

struct summary_rows {
	int (*fn)(void *, const struct store_session_summary *);
	void *context;
};

static int summary_row(void *context, sqlite3_stmt *st)
{
	struct summary_rows *r = context;
	struct store_session_summary s = {
		sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
		(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
		(const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7),
		(uint64_t)sqlite3_column_int64(st, 8), (uint64_t)sqlite3_column_int64(st, 9),
		sqlite3_column_int(st, 10), sqlite3_column_int(st, 11)};
	return r->fn(r->context, &s);
}

int store_each_session_summary(struct store *store,
			       int (*fn)(void *context, const struct store_session_summary *s),
			       void *context)
{
	struct summary_rows r = {fn, context};
	return each_row(store,
			"SELECT id, vm_guid, kind, confidence, verdict, trigger_kind, trigger_task, "
			"trigger_user, coalesce(start, 0), coalesce(end, 0), end_inferred, score FROM "
			"sessions ORDER BY id",
			summary_row, &r);
}

int store_each_session_step(struct store *store, int64_t session_id,
			    int (*fn)(void *context, const struct store_session_step *step),
			    void *context)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(
		    store->db,
		    "SELECT coalesce(se.time, e.time, 0), se.role, se.detail, se.basis, se.confidence, "
		    "se.source_table, se.row_id, coalesce(v1.sha256, v2.sha256, v3.sha256, v4.sha256, "
		    "v5.sha256), e.channel, coalesce(e.record_id, -1), coalesce(e.event_id, 0), "
		    "coalesce(t.location, c.location, g.key_path || coalesce(' : ' || g.value_name, ''), "
		    "json_extract(se.detail, '$.collection_path')), coalesce(e.chunk, -1), "
		    "coalesce(e.offset, -1), (SELECT min(p.path) FROM evidence_paths p WHERE "
		    "p.evidence_id = coalesce(v1.id, v2.id, v3.id, v4.id, v5.id)) "
		    "FROM session_events se "
		    "LEFT JOIN events e ON se.source_table = 'events' AND e.id = se.row_id "
		    "LEFT JOIN evidence v1 ON v1.id = e.evidence_id "
		    "LEFT JOIN tasks t ON se.source_table = 'tasks' AND t.id = se.row_id "
		    "LEFT JOIN evidence v2 ON v2.id = t.evidence_id "
		    "LEFT JOIN wsb_configs c ON se.source_table = 'wsb_configs' AND c.id = se.row_id "
		    "LEFT JOIN evidence v3 ON v3.id = c.evidence_id "
		    "LEFT JOIN reg_values g ON se.source_table = 'reg_values' AND g.id = se.row_id "
		    "LEFT JOIN evidence v4 ON v4.id = g.evidence_id "
		    "LEFT JOIN evidence v5 ON se.source_table = 'evidence' AND v5.id = se.row_id "
		    "WHERE se.session_id = ?1 ORDER BY coalesce(se.time, e.time) IS NULL, "
		    "coalesce(se.time, e.time), se.source_table, se.row_id",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_session_step s = {
			(uint64_t)sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
			sqlite3_column_int64(st, 6), (const char *)sqlite3_column_text(st, 7),
			(const char *)sqlite3_column_text(st, 8), sqlite3_column_int64(st, 9),
			(uint32_t)sqlite3_column_int64(st, 10), (const char *)sqlite3_column_text(st, 11),
			sqlite3_column_int64(st, 12), sqlite3_column_int64(st, 13), NULL};
		const char *path = (const char *)sqlite3_column_text(st, 14);
		const char *slash = path ? strrchr(path, '/') : NULL;
		s.file_name = slash ? slash + 1 : path;
		rc = fn(context, &s);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

int store_each_session_finding(struct store *store, int64_t session_id,
			       int (*fn)(void *context, const char *rule_id, const char *title,
					 int score, const char *attack, const char *reason,
					 const char *basis_json),
			       void *context)
{
	sqlite3_stmt *st;
	int rc = 0, step = SQLITE_DONE;

	if (sqlite3_prepare_v2(store->db,
			       "SELECT rule_id, title, score, attack, reason, basis FROM findings WHERE "
			       "session_id = ?1 ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, session_id);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fn(context, (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2),
			(const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5));
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
	sqlite3_finalize(st);
	return rc;
}

/* ---- hosts and the host scope (METHOD.md §2.7) -------------------------------------------- */

int store_add_collection_root(struct store *store, const char *path)
{
	sqlite3_stmt *st = store->statements[ST_ADD_ROOT];

	sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, store->run_id);
	return step_done(st);
}

int store_clear_hosts(struct store *store)
{
	/* Sessions of an earlier correlation keep no host they could be wrong about: the ids are
	 * given again, in name order, and the next correlation sets them. */
	return exec(store, "DELETE FROM main.evidence_hosts; UPDATE main.sessions SET host_id = "
			   "NULL; UPDATE main.other_vms SET host_id = NULL; UPDATE main.facts SET "
			   "host_id = NULL; DELETE FROM main.hosts");
}

int store_add_host(struct store *store, int64_t id, const char *name, const char *basis,
		   const char *confidence)
{
	sqlite3_stmt *st = store->statements[ST_ADD_HOST];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, basis, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, confidence, -1, SQLITE_TRANSIENT);
	return step_done(st);
}

int store_add_evidence_host(struct store *store, int64_t evidence_id, int64_t host_id,
			    const char *how, const char *basis)
{
	sqlite3_stmt *st = store->statements[ST_ADD_EVIDENCE_HOST];

	sqlite3_bind_int64(st, 1, evidence_id);
	bind_int_or_null(st, 2, host_id, host_id > 0);
	sqlite3_bind_text(st, 3, how, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, basis, -1, SQLITE_TRANSIENT);
	return step_done(st);
}

/* The tables the scope narrows, each with the condition (on its own columns) that keeps a row of
 * the evidence in temp.scope_evidence. Every table the correlator and the host facts read rows of
 * evidence from is here; rows reached through these by id (task actions, mapped folders) follow. */
static const struct {
	const char *table, *condition;
} SCOPED[] = {
	{"evidence", "id IN (SELECT id FROM temp.scope_evidence)"},
	{"evidence_paths", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"events", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"event_sources", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"reg_values", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"tasks", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"wsb_configs", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"archives", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"taskcache_findings", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"servicing_log_lines", "evidence_id IN (SELECT id FROM temp.scope_evidence)"},
	{"wsb_calls", "event_ref IN (SELECT id FROM main.events WHERE evidence_id IN (SELECT id FROM "
		      "temp.scope_evidence)) OR task_ref IN (SELECT id FROM main.tasks WHERE "
		      "evidence_id IN (SELECT id FROM temp.scope_evidence))"},
	{"vm_commands", "event_ref IN (SELECT id FROM main.events WHERE evidence_id IN (SELECT id "
			"FROM temp.scope_evidence))"},
	{"facts", "host_id IS (SELECT host FROM temp.scope_host)"},
};

int store_scope_host(struct store *store, int64_t host_id)
{
	struct strbuf sql = STRBUF_INIT;
	int rc;

	strbuf_append_str(&sql, "DROP TABLE IF EXISTS temp.scope_evidence; DROP TABLE IF EXISTS "
				"temp.scope_host;");
	for (size_t i = 0; i < sizeof SCOPED / sizeof SCOPED[0]; i++)
		strbuf_printf(&sql, " DROP VIEW IF EXISTS temp.%s;", SCOPED[i].table);
	if (host_id != STORE_SCOPE_CASE) {
		char host[32] = "NULL";
		int holds_all = 0;

		if (host_id > 0) {
			sqlite3_stmt *st;

			snprintf(host, sizeof host, "%lld", (long long)host_id);
			if (sqlite3_prepare_v2(store->db,
					       "SELECT NOT EXISTS (SELECT 1 FROM main.evidence v WHERE NOT "
					       "EXISTS (SELECT 1 FROM main.evidence_hosts h WHERE "
					       "h.evidence_id = v.id AND h.host_id = ?1))",
					       -1, &st, NULL) != SQLITE_OK) {
				strbuf_free(&sql);
				return -1;
			}
			sqlite3_bind_int64(st, 1, host_id);
			holds_all = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		strbuf_printf(&sql, " CREATE TEMP TABLE scope_host (host INTEGER); INSERT INTO "
			      "temp.scope_host VALUES (%s); CREATE TEMP TABLE scope_evidence (id "
			      "INTEGER PRIMARY KEY); INSERT INTO temp.scope_evidence SELECT DISTINCT "
			      "evidence_id FROM main.evidence_hosts WHERE host_id IS %s;",
			      host, host);
		/* Temp views named like the tables hide them from every unqualified read on this
		 * connection (SQLite looks in temp first); the writes of the correlation name main.
		 * A host holding every file of the case (a case of one host) needs none. */
		for (size_t i = 0; !holds_all && i < sizeof SCOPED / sizeof SCOPED[0]; i++)
			strbuf_printf(&sql, " CREATE TEMP VIEW %s AS SELECT * FROM main.%s WHERE %s;",
				      SCOPED[i].table, SCOPED[i].table, SCOPED[i].condition);
	}
	rc = strbuf_failed(&sql) ? -1 : exec(store, strbuf_text(&sql));
	strbuf_free(&sql);
	store->scope_host = rc == 0 ? host_id : STORE_SCOPE_CASE;
	return rc;
}

/* Lets a reader's statement create or drop TEMP objects only (store_exec_temp). */
static int temp_only(void *context, int action, const char *a, const char *b, const char *database,
		     const char *trigger)
{
	(void)context;
	(void)a;
	(void)b;
	(void)trigger;
	switch (action) {
	case SQLITE_CREATE_TEMP_VIEW: case SQLITE_DROP_TEMP_VIEW: case SQLITE_SELECT:
	case SQLITE_READ: case SQLITE_FUNCTION: case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_INSERT: case SQLITE_UPDATE: case SQLITE_DELETE:
		/* the TEMP schema table, written by CREATE / DROP TEMP VIEW */
		return database && strcmp(database, "temp") == 0 ? SQLITE_OK : SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

int store_exec_temp(struct store *store, const char *sql)
{
	int rc;

	if (!store->read_only)
		return exec(store, sql);
	if (exec(store, "PRAGMA query_only=OFF") != 0)
		return -1;
	sqlite3_set_authorizer(store->db, temp_only, NULL);
	rc = exec(store, sql);
	sqlite3_set_authorizer(store->db, NULL, NULL);
	if (exec(store, "PRAGMA query_only=ON") != 0)
		rc = -1;
	return rc;
}

int store_query(struct store *store, const char *sql,
		int (*fn)(void *context, int columns, const char *const *names,
			  const char *const *values),
		void *context)
{
	sqlite3_stmt *st;
	const char **names = NULL, **values = NULL;
	int rc = 0, step = SQLITE_DONE, columns;

	if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (!sqlite3_stmt_readonly(st)) {
		sqlite3_finalize(st);
		return -1;
	}
	columns = sqlite3_column_count(st);
	names = calloc((size_t)columns + 1, sizeof *names);
	values = calloc((size_t)columns + 1, sizeof *values);
	if (!names || !values) {
		rc = -1;
		goto out;
	}
	for (int i = 0; i < columns; i++)
		names[i] = sqlite3_column_name(st, i);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < columns; i++)
			values[i] = (const char *)sqlite3_column_text(st, i);
		rc = fn(context, columns, names, values);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = -1;
out:
	free(names);
	free(values);
	sqlite3_finalize(st);
	return rc;
}

/* ---- servicing text logs (METHOD.md §2.8) --------------------------------------------------- */

int store_add_servicing_line(struct store *store, int64_t evidence_id,
			     const struct servicing_line *line)
{
	sqlite3_stmt *st = store->statements[ST_ADD_SERVICING_LINE];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_int64(st, 2, (int64_t)line->line_number);
	sqlite3_bind_int64(st, 3, (int64_t)line->offset);
	bind_int_or_null(st, 4, (int64_t)line->continues, line->continues != 0);
	bind_text_or_null(st, 5, line->local_time[0] ? line->local_time : NULL);
	bind_text_or_null(st, 6, line->level[0] ? line->level : NULL);
	bind_text_or_null(st, 7, line->component[0] ? line->component : NULL);
	sqlite3_bind_text(st, 8, servicing_action_name(line->action), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, line->action_basis, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, line->message, -1, SQLITE_TRANSIENT);
	return step_done(st);
}
