/*
 * store.c - the SQLite case store (see store.h, schema.sql).
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

extern const char SANDTRACE_SCHEMA_SQL[]; /* schema.sql, embedded by the build */

enum statement_index {
	ST_FIND_EVIDENCE,
	ST_ADD_EVIDENCE,
	ST_SET_EVIDENCE,
	ST_ADD_PATH,
	ST_ADD_ERROR,
	ST_ADD_EVENT,
	ST_FIND_EVENT,
	ST_ADD_SOURCE,
	ST_ADD_COUNT,
	ST_COUNT
};

static const char *const STATEMENT_SQL[ST_COUNT] = {
	[ST_FIND_EVIDENCE] = "SELECT id, status FROM evidence WHERE sha256 = ?1",
	[ST_ADD_EVIDENCE] = "INSERT INTO evidence (sha256, md5, sha1, size, kind, status, run_id) "
			    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_SET_EVIDENCE] = "UPDATE evidence SET status = ?2, records_read = ?3, "
			    "records_recovered = ?4, records_failed = ?5 WHERE id = ?1",
	[ST_ADD_PATH] = "INSERT OR IGNORE INTO evidence_paths (evidence_id, path, mtime, run_id) "
			"VALUES (?1, ?2, ?3, ?4)",
	[ST_ADD_ERROR] = "INSERT OR IGNORE INTO parse_errors (evidence_id, path, location, reason, "
			 "run_id) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_ADD_EVENT] =
		"INSERT OR IGNORE INTO events (evidence_id, record_id, chunk, offset, recovered, time, "
		"written_time, provider, provider_guid, event_id, qualifiers, version, level, task, "
		"opcode, keywords, channel, computer, user_sid, activity_id, related_activity_id, "
		"process_id, thread_id, data, xml, content_hash, header_record_id) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
		"?22, ?23, ?24, ?25, ?26, ?27)",
	[ST_FIND_EVENT] = "SELECT id, evidence_id FROM events WHERE channel IS ?1 AND computer IS ?2 "
			  "AND record_id = ?3 AND content_hash = ?4",
	[ST_ADD_SOURCE] = "INSERT OR IGNORE INTO event_sources (event_id_ref, evidence_id, chunk, "
			  "offset, recovered) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_ADD_COUNT] = "INSERT INTO event_counts (evidence_id, channel, provider, event_id, seen, "
			 "stored) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET "
			 "seen = seen + excluded.seen, stored = stored + excluded.stored",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *statements[ST_COUNT];
	int64_t run_id;
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

int store_open(const char *path, struct store **out, char *err, size_t err_size)
{
	struct store *store = calloc(1, sizeof *store);
	int version = 0, tables = 0;

	*out = NULL;
	if (!store) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, err_size, "%s: %s", path,
			 store->db ? sqlite3_errmsg(store->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(store->db, 5000);
	if (user_version(store->db, &version) != 0 || table_count(store->db, &tables) != 0) {
		snprintf(err, err_size, "%s: not a SQLite database (%s)", path,
			 sqlite3_errmsg(store->db));
		goto fail;
	}
	if (version == 0 && tables == 0) {
		if (exec(store, "BEGIN") != 0 || exec(store, SANDTRACE_SCHEMA_SQL) != 0 ||
		    exec(store, "COMMIT") != 0) {
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
	*out = store;
	return 0;
fail:
	store_close(store);
	return -1;
}

void store_close(struct store *store)
{
	if (!store)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(store->statements[i]);
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

int store_begin_run(struct store *store, const char *command_line, const char *libraries,
		    const char *case_name, const char *examiner)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db,
			       "INSERT INTO run (started, tool_version, libraries, command_line, "
			       "case_name, examiner) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)filetime_now());
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

int store_finish_run(struct store *store)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db, "UPDATE run SET finished = ?1 WHERE id = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)filetime_now());
	sqlite3_bind_int64(st, 2, store->run_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int store_find_evidence(struct store *store, const char *sha256, int64_t *id, char status[16])
{
	sqlite3_stmt *st = store->statements[ST_FIND_EVIDENCE];
	int rc;

	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
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

int store_add_evidence(struct store *store, const struct evidence_hashes *hashes, const char *kind,
		       const char *status, int64_t *id)
{
	sqlite3_stmt *st = store->statements[ST_ADD_EVIDENCE];

	sqlite3_bind_text(st, 1, hashes->sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hashes->md5, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, hashes->sha1, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (int64_t)hashes->size);
	sqlite3_bind_text(st, 5, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, store->run_id);
	if (step_done(st) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(store->db);
	return 0;
}

int store_set_evidence_result(struct store *store, int64_t id, const char *status,
			      uint64_t records, uint64_t recovered, uint64_t failed)
{
	sqlite3_stmt *st = store->statements[ST_SET_EVIDENCE];

	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)records);
	sqlite3_bind_int64(st, 4, (int64_t)recovered);
	sqlite3_bind_int64(st, 5, (int64_t)failed);
	return step_done(st);
}

int store_add_path(struct store *store, int64_t evidence_id, const char *path, uint64_t mtime)
{
	sqlite3_stmt *st = store->statements[ST_ADD_PATH];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	bind_int_or_null(st, 3, (int64_t)mtime, mtime != 0);
	sqlite3_bind_int64(st, 4, store->run_id);
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
		    int *new_row)
{
	sqlite3_stmt *st = store->statements[ST_ADD_EVENT];

	sqlite3_bind_int64(st, 1, evidence_id);
	sqlite3_bind_int64(st, 2, (int64_t)e->record_id);
	bind_int_or_null(st, 3, e->chunk, e->chunk >= 0);
	bind_int_or_null(st, 4, e->offset, e->offset >= 0);
	sqlite3_bind_int(st, 5, e->recovered);
	bind_int_or_null(st, 6, (int64_t)e->time, e->time != 0);
	bind_int_or_null(st, 7, (int64_t)e->written_time, e->written_time != 0);
	bind_text_or_null(st, 8, e->provider);
	bind_text_or_null(st, 9, e->provider_guid);
	sqlite3_bind_int64(st, 10, e->event_id);
	bind_int_or_null(st, 11, e->qualifiers, e->qualifiers >= 0);
	bind_int_or_null(st, 12, e->version, e->version >= 0);
	bind_int_or_null(st, 13, e->level, e->level >= 0);
	bind_int_or_null(st, 14, e->task, e->task >= 0);
	bind_int_or_null(st, 15, e->opcode, e->opcode >= 0);
	bind_text_or_null(st, 16, e->keywords);
	bind_text_or_null(st, 17, e->channel);
	bind_text_or_null(st, 18, e->computer);
	bind_text_or_null(st, 19, e->user_sid);
	bind_text_or_null(st, 20, e->activity_id);
	bind_text_or_null(st, 21, e->related_activity_id);
	bind_int_or_null(st, 22, e->process_id, e->process_id >= 0);
	bind_int_or_null(st, 23, e->thread_id, e->thread_id >= 0);
	sqlite3_bind_text(st, 24, e->data ? e->data : "{}", -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 25, e->xml);
	sqlite3_bind_int64(st, 26, (int64_t)e->content_hash);
	sqlite3_bind_int64(st, 27, (int64_t)e->header_record_id);
	if (step_done(st) != 0)
		return -1;
	*new_row = sqlite3_changes(store->db) > 0;
	if (*new_row)
		return 0;

	/* Already stored from another file (or twice in this one): link this source. */
	sqlite3_stmt *find = store->statements[ST_FIND_EVENT];
	int64_t event_row = 0, first_evidence = 0;
	int rc;

	bind_text_or_null(find, 1, e->channel);
	bind_text_or_null(find, 2, e->computer);
	sqlite3_bind_int64(find, 3, (int64_t)e->record_id);
	sqlite3_bind_int64(find, 4, (int64_t)e->content_hash);
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
	sqlite3_bind_int64(source, 4, e->offset);
	sqlite3_bind_int(source, 5, e->recovered);
	return step_done(source);
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

int store_clear_event_counts(struct store *store, int64_t evidence_id)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store->db, "DELETE FROM event_counts WHERE evidence_id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, evidence_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}
