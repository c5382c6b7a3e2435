/*
 * host_scope.c - one host's part of a case store, for the read commands' --host (see
 * host_scope.h, METHOD.md §8.9).
 *
 * The store is never copied and never written. On the reader's connection, every table of the
 * store is shadowed by a TEMP view of the same name holding only the rows of one host, and every
 * view of schema.sql is re-created as a TEMP view over those (a view of the store itself stays
 * bound to the store's own tables, so it must be re-created to see the scope). SQLite looks up an
 * unqualified name in TEMP first, so every reader (facts, sessions, show, the timeline, the
 * report) reads one host without a change to its queries.
 *
 * The correlator has its own, narrower scope (store_scope_host: the evidence tables it reads, while
 * it writes the host's facts and sessions); this one is the readers': every table, sessions and
 * findings included, and every view.
 *
 * Which rows are a host's is one table below (SCOPE_RULES); a table it does not name is scoped by
 * its own columns (host_id, then session_id, then evidence_id), and a table that has none of
 * them is refused by name, so a table added to the schema can never leak another host's rows
 * into a host's output.
 */
#include "host_scope.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "correlate/hosts.h" /* hosts_same_name: the one rule for "the same host" (§2.7, §8.9) */
#include "store.h"
#include "strbuf.h"

/* The evidence files of host %1$lld (its collection, METHOD.md §8.9). */
/* The evidence files of the host (its collection, METHOD.md §8.9). In a rule, $HOST stands for
 * the host condition: "= ID", or "IS NULL" for the files no host could be given to. */
#define EVIDENCE_OF_HOST "(SELECT evidence_id FROM main.evidence_hosts WHERE host_id $HOST)"
#define SESSIONS_OF_HOST "(SELECT id FROM main.sessions WHERE host_id $HOST)"

/* Tables scoped by something other than their own host_id / session_id / evidence_id column, and
 * the tables that hold no host's rows (shown whole). In the WHERE clause, the
 * host condition is written $HOST. */
static const struct {
	const char *table;
	const char *where; /* NULL: the whole table (it describes the run, not a host) */
} SCOPE_RULES[] = {
	{"run", NULL},
	{"outputs", NULL},
	{"collection_roots", NULL},
	{"hosts", "id $HOST"},
	{"event_messages", NULL},
	/* combinations of System fields, each read through the view events, whose rows come from
	 * the host's event_rows (its evidence_id): shown whole, as a table of values */
	{"system_fields", NULL},
	{"evidence", "id IN " EVIDENCE_OF_HOST},
	{"hive_log_replays", "hive_evidence_id IN " EVIDENCE_OF_HOST},
	{"event_sources", "evidence_id IN " EVIDENCE_OF_HOST},
	{"task_triggers",
	 "task_id IN (SELECT id FROM main.tasks WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	{"task_actions",
	 "task_id IN (SELECT id FROM main.tasks WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	{"wsb_settings",
	 "config_id IN (SELECT id FROM main.wsb_configs WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	{"wsb_folders",
	 "config_id IN (SELECT id FROM main.wsb_configs WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	{"wsb_risks",
	 "config_id IN (SELECT id FROM main.wsb_configs WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	/* a typed launcher call: from a record or a task action of the host's files */
	{"wsb_calls",
	 "event_ref IN (SELECT id FROM main.events WHERE evidence_id IN " EVIDENCE_OF_HOST ") OR "
	 "task_ref IN (SELECT id FROM main.tasks WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
	{"vm_commands",
	 "event_ref IN (SELECT id FROM main.events WHERE evidence_id IN " EVIDENCE_OF_HOST ")"},
};
enum { SCOPE_RULE_COUNT = sizeof SCOPE_RULES / sizeof SCOPE_RULES[0] };

/* The generic rules, tried in order on a table SCOPE_RULES does not name. */
static const struct {
	const char *column, *where;
} COLUMN_RULES[] = {
	{"host_id", "host_id $HOST"},
	{"session_id", "session_id IN " SESSIONS_OF_HOST},
	{"evidence_id", "evidence_id IN " EVIDENCE_OF_HOST},
};

struct name_list {
	char **names;
	size_t count;
	int failed;
};

static int collect_name(void *context, int columns, const char *const *names,
			const char *const *values)
{
	struct name_list *list = context;
	char **grown;

	(void)names;
	if (columns < 1 || !values[0])
		return 0;
	grown = realloc(list->names, (list->count + 1) * sizeof *grown);
	if (!grown || !(grown[list->count] = strdup(values[0]))) {
		if (grown)
			list->names = grown;
		list->failed = 1;
		return 1;
	}
	list->names = grown;
	list->count++;
	return 0;
}

static void name_list_free(struct name_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	list->names = NULL;
	list->count = 0;
}

/* Runs SQL (one text column) and appends each value to LIST. 0 or -1. */
static int query_names(struct store *store, const char *sql, struct name_list *list)
{
	int rc = store_query(store, sql, collect_name, list);
	return rc == 0 && !list->failed ? 0 : -1;
}

static int has_column(struct store *store, const char *table, const char *column)
{
	struct name_list found = {NULL, 0, 0};
	struct strbuf sql = STRBUF_INIT;
	int rc;

	strbuf_printf(&sql, "SELECT name FROM pragma_table_info('%s', 'main') WHERE name = '%s'",
		      table, column);
	rc = strbuf_failed(&sql) ? -1 : query_names(store, strbuf_text(&sql), &found);
	strbuf_free(&sql);
	rc = rc == 0 ? found.count > 0 : -1;
	name_list_free(&found);
	return rc;
}

/* The WHERE format that keeps TABLE's rows of one host, "" for a whole table; NULL (said in ERR)
 * when no rule says which rows are a host's. */
static const char *scope_rule(struct store *store, const char *table, char *err, size_t err_size)
{
	for (size_t i = 0; i < SCOPE_RULE_COUNT; i++)
		if (strcmp(SCOPE_RULES[i].table, table) == 0)
			return SCOPE_RULES[i].where ? SCOPE_RULES[i].where : "";
	for (size_t i = 0; i < sizeof COLUMN_RULES / sizeof COLUMN_RULES[0]; i++) {
		int found = has_column(store, table, COLUMN_RULES[i].column);
		if (found < 0) {
			snprintf(err, err_size, "%s", store_error(store));
			return NULL;
		}
		if (found)
			return COLUMN_RULES[i].where;
	}
	snprintf(err, err_size,
		 "table %s has no rule saying which of its rows belong to a host (host_scope.c)",
		 table);
	return NULL;
}

/* Appends the WHERE clause RULE with each $HOST replaced by CONDITION. */
static void append_rule(struct strbuf *sql, const char *rule, const char *condition)
{
	static const char TOKEN[] = "$HOST";
	const char *at;

	while ((at = strstr(rule, TOKEN)) != NULL) {
		strbuf_append(sql, rule, (size_t)(at - rule));
		strbuf_append_str(sql, condition);
		rule = at + sizeof TOKEN - 1;
	}
	strbuf_append_str(sql, rule);
}

/* The SQL of one view, its CREATE VIEW turned into CREATE TEMP VIEW; -1 when it is not one. */
static int append_temp_view(struct strbuf *sb, const char *sql)
{
	static const char CREATE_VIEW[] = "CREATE VIEW";

	if (strncasecmp(sql, CREATE_VIEW, sizeof CREATE_VIEW - 1) != 0)
		return -1;
	strbuf_printf(sb, "CREATE TEMP VIEW%s;\n", sql + sizeof CREATE_VIEW - 1);
	return 0;
}

int host_scope_enter(struct store *store, int64_t host_id, char *err, size_t err_size)
{
	struct name_list tables = {NULL, 0, 0}, views = {NULL, 0, 0};
	struct strbuf sql = STRBUF_INIT;
	int rc = -1;

	if (query_names(store,
			"SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE "
			"'sqlite%' ORDER BY rowid",
			&tables) != 0 ||
	    query_names(store,
			"SELECT sql FROM main.sqlite_schema WHERE type = 'view' ORDER BY rowid",
			&views) != 0) {
		snprintf(err, err_size, "%s", store_error(store));
		goto out;
	}
	for (size_t i = 0; i < tables.count; i++) {
		const char *where = scope_rule(store, tables.names[i], err, err_size);
		if (!where)
			goto out;
		/* rowid is a column of the view, for the queries that order by it (findings) */
		strbuf_printf(&sql, "CREATE TEMP VIEW \"%s\" AS SELECT *, rowid AS rowid FROM main.\"%s\"",
			      tables.names[i], tables.names[i]);
		if (*where) {
			strbuf_append_str(&sql, " WHERE ");
			char condition[40];
			if (host_id != STORE_SCOPE_UNASSIGNED)
				snprintf(condition, sizeof condition, "= %" PRId64, host_id);
			else
				snprintf(condition, sizeof condition, "IS NULL");
			append_rule(&sql, where, condition);
		}
		strbuf_append_str(&sql, ";\n");
	}
	for (size_t i = 0; i < views.count; i++)
		if (append_temp_view(&sql, views.names[i]) != 0) {
			snprintf(err, err_size, "a view of the store is not a plain CREATE VIEW");
			goto out;
		}
	if (strbuf_failed(&sql)) {
		snprintf(err, err_size, "out of memory");
		goto out;
	}
	if (store_exec_temp(store, strbuf_text(&sql)) != 0) {
		snprintf(err, err_size, "%s", store_error(store));
		host_scope_leave(store);
		goto out;
	}
	rc = 0;
out:
	strbuf_free(&sql);
	name_list_free(&tables);
	name_list_free(&views);
	return rc;
}

int host_scope_leave(struct store *store)
{
	struct name_list views = {NULL, 0, 0};
	struct strbuf sql = STRBUF_INIT;
	int rc;

	/* views first made last are dropped first: none is left referring to a dropped one */
	rc = query_names(store,
			 "SELECT name FROM temp.sqlite_schema WHERE type = 'view' ORDER BY rowid DESC",
			 &views);
	for (size_t i = 0; rc == 0 && i < views.count; i++)
		strbuf_printf(&sql, "DROP VIEW temp.\"%s\";\n", views.names[i]);
	if (rc == 0 && views.count)
		rc = strbuf_failed(&sql) ? -1 : store_exec_temp(store, strbuf_text(&sql));
	strbuf_free(&sql);
	name_list_free(&views);
	return rc;
}

struct host_rows {
	struct name_list names;
	int64_t *ids;
};

static int collect_host(void *context, int columns, const char *const *names,
			const char *const *values)
{
	struct host_rows *hosts = context;
	int64_t *grown;

	if (columns != 2 || !values[0] || !values[1])
		return 0;
	grown = realloc(hosts->ids, (hosts->names.count + 1) * sizeof *grown);
	if (!grown) {
		hosts->names.failed = 1;
		return 1;
	}
	hosts->ids = grown;
	grown[hosts->names.count] = strtoll(values[0], NULL, 10);
	return collect_name(&hosts->names, 1, names + 1, values + 1);
}

int host_scope_find(struct store *store, const char *wanted, int64_t *host_id, char *message,
		    size_t message_size)
{
	struct host_rows hosts = {{NULL, 0, 0}, NULL};
	struct strbuf list = STRBUF_INIT;
	size_t matches = 0, exact = 0, match = 0;
	int rc;

	if (store_query(store, "SELECT id, name FROM main.hosts ORDER BY name COLLATE NOCASE, id",
			collect_host, &hosts) != 0 ||
	    hosts.names.failed) {
		snprintf(message, message_size, "%s", store_error(store));
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < hosts.names.count; i++) {
		if (strcasecmp(hosts.names.names[i], wanted) == 0) {
			exact++;
			match = i;
		}
		strbuf_printf(&list, "%s%s", i ? ", " : "", hosts.names.names[i]);
	}
	if (exact != 1) {
		for (size_t i = 0; i < hosts.names.count; i++)
			if (hosts_same_name(hosts.names.names[i], wanted)) {
				matches++;
				match = i;
			}
	}
	if (exact == 1 || matches == 1) {
		*host_id = hosts.ids[match];
		snprintf(message, message_size, "%s", hosts.names.names[match]);
		rc = 0;
	} else {
		snprintf(message, message_size, "%s host %s in this case; it holds %zu host%s: %s",
			 matches ? "more than one" : "no", wanted, hosts.names.count,
			 hosts.names.count == 1 ? "" : "s",
			 hosts.names.count ? strbuf_text(&list) : "(none established)");
		rc = 1;
	}
out:
	strbuf_free(&list);
	name_list_free(&hosts.names);
	free(hosts.ids);
	return rc;
}

static int collect_part(void *context, int columns, const char *const *names,
			const char *const *values)
{
	struct host_scope_list *list = context;
	struct host_scope_part *grown;

	(void)columns;
	(void)names;
	grown = realloc(list->parts, (list->count + 1) * sizeof *grown);
	if (!grown)
		return 1;
	list->parts = grown;
	grown[list->count].id = values[0] ? strtoll(values[0], NULL, 10) : STORE_SCOPE_UNASSIGNED;
	if (!(grown[list->count].name = strdup(values[1] ? values[1] : "(no single host)")))
		return 1;
	list->count++;
	return 0;
}

int host_scope_parts(struct store *store, struct host_scope_list *list)
{
	long long hosts = 0;
	char count[32] = "";
	struct name_list found = {NULL, 0, 0};

	list->parts = NULL;
	list->count = 0;
	if (query_names(store, "SELECT count(*) FROM main.hosts", &found) != 0)
		return -1;
	if (found.count)
		snprintf(count, sizeof count, "%s", found.names[0]);
	name_list_free(&found);
	hosts = strtoll(count, NULL, 10);
	if (hosts < 2)
		return 0;
	if (store_query(store,
			"SELECT * FROM (SELECT id, name FROM main.hosts UNION ALL SELECT NULL, NULL "
			"WHERE EXISTS (SELECT 1 FROM main.evidence_hosts WHERE host_id IS NULL) OR "
			"EXISTS (SELECT 1 FROM main.sessions WHERE host_id IS NULL) OR EXISTS (SELECT 1 "
			"FROM main.facts WHERE host_id IS NULL)) ORDER BY id IS NULL, id",
			collect_part, list) != 0) {
		host_scope_parts_free(list);
		return -1;
	}
	return 0;
}

void host_scope_parts_free(struct host_scope_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->parts[i].name);
	free(list->parts);
	list->parts = NULL;
	list->count = 0;
}
