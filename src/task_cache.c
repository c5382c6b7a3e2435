/*
 * task_cache.c - TaskCache registry rows to tasks and hidden-task findings, at ingest (see
 * task_cache.h). The binary layouts are decoded by parsers/taskcache.c; this file finds the rows,
 * one SOFTWARE hive at a time, and records what they say with the rows they rest on.
 */
#define _GNU_SOURCE /* strcasestr */
#include "task_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parsers/task_xml.h"
#include "parsers/taskcache.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

#define TASKCACHE_KEY "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\"

/* The part of KEY_PATH below TaskCache\<SUB>\, or NULL if it is not below it. */
static const char *below(const char *key_path, const char *sub)
{
	size_t base = strlen(TASKCACHE_KEY), length = strlen(sub);

	if (strncasecmp(key_path, TASKCACHE_KEY, base) != 0 ||
	    strncasecmp(key_path + base, sub, length) != 0 || key_path[base + length] != '\\')
		return NULL;
	return key_path + base + length + 1;
}

/* A key below TaskCache\Tree or TaskCache\Tasks, with the rows read from it. */
struct cache_key {
	char *name;             /* Tree: the task's path "\Folder\Task"; Tasks: its "{GUID}" */
	char *key_path;
	struct strbuf basis;
	const char *replay;     /* the first of its rows' transaction-log notes (§8.3), or NULL */
	/* Tree keys: */
	int has_sd, has_index;
	char *id;
	/* Tasks keys: */
	const struct store_reg_value *path, *actions, *triggers, *dynamic_info;
};

static void add_ref(struct strbuf *basis, const char **replay, const struct store_reg_value *row)
{
	strbuf_printf(basis, "%s%lld", basis->length ? "," : "reg_values:", (long long)row->id);
	if (row->replay && !*replay)
		*replay = row->replay;
}

/* The entry of KEYS for KEY_PATH, added (named PREFIX + REST) when it is not there yet; NULL when
 * out of memory. */
static struct cache_key *cache_key_for(struct cache_key **keys, size_t *count, const char *key_path,
				       const char *prefix, const char *rest)
{
	struct cache_key *grown;
	struct strbuf name = STRBUF_INIT;

	for (size_t i = 0; i < *count; i++)
		if (strcasecmp((*keys)[i].key_path, key_path) == 0)
			return &(*keys)[i];
	grown = realloc(*keys, (*count + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	*keys = grown;
	memset(&grown[*count], 0, sizeof grown[*count]);
	strbuf_printf(&name, "%s%s", prefix, rest);
	grown[*count].key_path = strdup(key_path);
	grown[*count].name = strbuf_detach(&name);
	if (!grown[*count].key_path || !grown[*count].name) {
		free(grown[*count].key_path);
		free(grown[*count].name);
		return NULL;
	}
	return &grown[(*count)++];
}

static char *utf16_value_text(const struct store_reg_value *row)
{
	return row && row->decoded ? row->decoded : NULL;
}

/* Builds a task_definition from the decoded values (strings borrowed, arrays owned) and stores it. */
static int store_cached_task(struct store *store, int64_t hive, struct cache_key *key)
{
	struct taskcache_actions actions;
	struct taskcache_triggers triggers;
	struct taskcache_dynamic_info dynamic;
	struct task_definition task;
	struct task_principal principal;
	struct task_sandbox_launch launch;
	struct task_trigger *trigger_rows = NULL;
	struct task_action *action_rows = NULL;
	char (*starts)[40] = NULL;
	int have_dynamic = 0, rc = -1;
	int64_t task_id = 0;

	memset(&actions, 0, sizeof actions);
	memset(&triggers, 0, sizeof triggers);
	memset(&task, 0, sizeof task);
	memset(&principal, 0, sizeof principal);
	memset(&launch, 0, sizeof launch);
	if (key->actions && key->actions->data)
		taskcache_decode_actions(key->actions->data, key->actions->size, &actions);
	if (key->triggers && key->triggers->data)
		taskcache_decode_triggers(key->triggers->data, key->triggers->size, &triggers);
	if (key->dynamic_info && key->dynamic_info->data)
		have_dynamic = taskcache_decode_dynamic_info(key->dynamic_info->data,
							     key->dynamic_info->size, &dynamic) == 0;

	task.well_formed = 1;
	task.uri = utf16_value_text(key->path);
	task.enabled = task.hidden = TASK_UNKNOWN;
	if (triggers.has_job_bucket) {
		task.enabled = (triggers.flags & TASKCACHE_BUCKET_ENABLED) ? TASK_TRUE : TASK_FALSE;
		task.hidden = (triggers.flags & TASKCACHE_BUCKET_HIDDEN) ? TASK_TRUE : TASK_FALSE;
	}
	if (triggers.has_sid || triggers.user_name) {
		principal.user_id = triggers.sid ? triggers.sid : triggers.user_name;
		principal.id = actions.context;
		task.principals = &principal;
		task.principal_count = 1;
	}
	task.actions_context = actions.context;
	if (triggers.trigger_count) {
		trigger_rows = calloc(triggers.trigger_count, sizeof *trigger_rows);
		starts = calloc(triggers.trigger_count, sizeof *starts);
		if (!trigger_rows || !starts)
			goto out;
		for (size_t i = 0; i < triggers.trigger_count; i++) {
			const struct taskcache_trigger *t = &triggers.triggers[i];
			trigger_rows[i].type = (char *)t->kind_name;
			trigger_rows[i].enabled = t->enabled < 0 ? TASK_UNKNOWN : t->enabled;
			if (t->start.filetime) {
				/* §4.2: is_localized FILETIMEs are local time; say so in the text. */
				filetime_format_iso(t->start.filetime, starts[i], sizeof starts[i]);
				if (t->start.is_localized)
					starts[i][strlen(starts[i]) - 1] = 0; /* no Z: local time */
				trigger_rows[i].start_boundary = starts[i];
			}
		}
		task.triggers = trigger_rows;
		task.trigger_count = triggers.trigger_count;
	}
	if (actions.action_count) {
		action_rows = calloc(actions.action_count, sizeof *action_rows);
		if (!action_rows)
			goto out;
		for (size_t i = 0; i < actions.action_count; i++) {
			const struct taskcache_action *a = &actions.actions[i];
			struct task_action *row = &action_rows[i];
			row->type = a->magic == TASKCACHE_ACTION_EXEC		? TASK_ACTION_EXEC
				    : a->magic == TASKCACHE_ACTION_COM_HANDLER	? TASK_ACTION_COM_HANDLER
				    : a->magic == TASKCACHE_ACTION_SEND_EMAIL	? TASK_ACTION_SEND_EMAIL
				    : a->magic == TASKCACHE_ACTION_SHOW_MESSAGE ? TASK_ACTION_SHOW_MESSAGE
										: TASK_ACTION_OTHER;
			row->name = (char *)a->kind_name;
			row->id = a->id;
			row->command = a->command;
			row->arguments = a->arguments;
			row->working_directory = a->working_directory;
			row->class_id = a->clsid[0] ? (char *)a->clsid : NULL;
			row->data = a->data;
		}
		task.actions = action_rows;
		task.action_count = actions.action_count;
	}
	task_xml_find_sandbox_launch(&task, &launch);
	if (store_add_task(store, hive, "taskcache", key->key_path, 0, &task, &launch, NULL,
			   &task_id) != 0)
		goto out;
	rc = store_set_task_schedule(store, task_id, have_dynamic ? dynamic.creation_time : 0,
				     have_dynamic ? dynamic.last_run_time : 0,
				     have_dynamic ? (int64_t)dynamic.last_error : 0, have_dynamic,
				     strbuf_text(&key->basis));
out:
	task_sandbox_launch_clear(&launch);
	free(trigger_rows);
	free(starts);
	free(action_rows);
	taskcache_actions_clear(&actions);
	taskcache_triggers_clear(&triggers);
	return rc;
}

/* The basis of a finding: the rows of the Tree key or Tasks key it names; *REPLAY the note of
 * the first of them that came from the hive's transaction logs (or NULL). */
static const char *finding_basis(const struct taskcache_finding *f, struct cache_key *tree,
				 size_t tree_count, struct cache_key *tasks, size_t task_count,
				 const char **replay)
{
	*replay = NULL;
	for (size_t i = 0; f->task_path && i < tree_count; i++)
		if (strcasecmp(tree[i].name, f->task_path) == 0) {
			*replay = tree[i].replay;
			return strbuf_text(&tree[i].basis);
		}
	for (size_t i = 0; f->guid && i < task_count; i++)
		if (strcasecmp(tasks[i].name, f->guid) == 0) {
			*replay = tasks[i].replay;
			return strbuf_text(&tasks[i].basis);
		}
	return "";
}

static int derive_hive(struct store *store, const struct store_reg_value *rows, size_t count,
		       int64_t hive, char **uris, size_t uri_count)
{
	struct cache_key *tree = NULL;
	struct cache_key *tasks = NULL;
	size_t tree_count = 0, task_count = 0;
	struct taskcache_tree_entry *tree_in = NULL;
	struct taskcache_task_entry *tasks_in = NULL;
	struct taskcache_finding *findings = NULL;
	size_t finding_count = 0;
	int rc = -1;

	for (size_t i = 0; i < count; i++) {
		const struct store_reg_value *row = &rows[i];
		const char *rest;

		if (row->evidence_id != hive)
			continue;
		if ((rest = below(row->key_path, "Tree")) != NULL) {
			struct cache_key *key = cache_key_for(&tree, &tree_count, row->key_path, "\\", rest);
			if (!key)
				goto out;
			add_ref(&key->basis, &key->replay, row);
			if (!row->value_name)
				continue;
			if (strcasecmp(row->value_name, "SD") == 0)
				key->has_sd = 1;
			else if (strcasecmp(row->value_name, "Index") == 0)
				key->has_index = 1;
			else if (strcasecmp(row->value_name, "Id") == 0 && row->decoded && !key->id &&
				 !(key->id = strdup(row->decoded)))
				goto out;
		} else if ((rest = below(row->key_path, "Tasks")) != NULL) {
			struct cache_key *key;

			if (strchr(rest, '\\'))
				continue; /* a subkey of Tasks\{GUID}: not part of §4.2 */
			if (!(key = cache_key_for(&tasks, &task_count, row->key_path, "", rest)))
				goto out;
			add_ref(&key->basis, &key->replay, row);
			if (!row->value_name)
				continue;
			if (strcasecmp(row->value_name, "Path") == 0)
				key->path = row;
			else if (strcasecmp(row->value_name, "Actions") == 0)
				key->actions = row;
			else if (strcasecmp(row->value_name, "Triggers") == 0)
				key->triggers = row;
			else if (strcasecmp(row->value_name, "DynamicInfo") == 0)
				key->dynamic_info = row;
		}
	}
	if (tree_count + task_count == 0) {
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < task_count; i++)
		if (store_cached_task(store, hive, &tasks[i]) != 0)
			goto out;

	tree_in = calloc(tree_count + 1, sizeof *tree_in);
	tasks_in = calloc(task_count + 1, sizeof *tasks_in);
	if (!tree_in || !tasks_in)
		goto out;
	for (size_t i = 0; i < tree_count; i++)
		tree_in[i] = (struct taskcache_tree_entry){tree[i].name, tree[i].has_sd,
							   tree[i].has_index, tree[i].id};
	for (size_t i = 0; i < task_count; i++)
		tasks_in[i] = (struct taskcache_task_entry){tasks[i].name,
							    utf16_value_text(tasks[i].path)};
	{
		/* Without any task file in the collection, "no XML file" would be said of every task:
		 * the check is left out and the absence is a fact of its own. */
		struct taskcache_check_input input = {tree_in, tree_count, tasks_in, task_count,
						      (const char *const *)uris, uri_count};
		if (taskcache_check_consistency(&input, &findings, &finding_count) != 0)
			goto out;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < finding_count; i++) {
		const struct taskcache_finding *f = &findings[i];
		char detail[1024];
		const char *replay, *basis;
		struct store_taskcache_finding finding;

		if (f->kind == TASKCACHE_TASK_WITHOUT_XML && uri_count == 0)
			continue;
		if (f->kind == TASKCACHE_XML_WITHOUT_TASK)
			continue; /* a task file of another hive or image: not this hive's finding */
		basis = finding_basis(f, tree, tree_count, tasks, task_count, &replay);
		snprintf(detail, sizeof detail, "%s%s%s: %s%s%s%s", f->task_path ? f->task_path : "",
			 f->guid ? " " : "", f->guid ? f->guid : "", f->meaning,
			 replay ? " [changed by the transaction-log replay: " : "",
			 replay ? replay : "", replay ? "]" : "");
		finding = (struct store_taskcache_finding){
			f->task_path ? f->task_path : f->guid ? f->guid : "?", f->code, detail, basis, hive,
			"high"};
		rc = store_add_taskcache_finding(store, &finding);
	}
	if (rc == 0 && uri_count == 0) {
		struct store_taskcache_finding finding = {
			"task files", "absent",
			"no task XML files in the collection: tasks that exist only in the registry (no "
			"XML file) cannot be told apart",
			"", hive, "low"};
		rc = store_add_taskcache_finding(store, &finding);
	}
out:
	taskcache_findings_free(findings, finding_count);
	free(tree_in);
	free(tasks_in);
	for (size_t i = 0; i < tree_count; i++) {
		free(tree[i].name);
		free(tree[i].key_path);
		free(tree[i].id);
		strbuf_free(&tree[i].basis);
	}
	for (size_t i = 0; i < task_count; i++) {
		free(tasks[i].name);
		free(tasks[i].key_path);
		strbuf_free(&tasks[i].basis);
	}
	free(tree);
	free(tasks);
	return rc;
}

int task_cache_derive(struct store *store)
{
	struct store_reg_value *rows = NULL;
	char **uris = NULL;
	size_t uri_count = 0, count = 0;
	int rc = 0;

	if (store_load_reg_values(store, &rows, &count) != 0) {
		rc = -1;
		goto out;
	}
	if (store_clear_taskcache_tasks(store) != 0 ||
	    store_load_task_file_uris(store, &uris, &uri_count) != 0) {
		rc = -1;
		goto out;
	}
	/* Task files name their URI with or without the leading '\' (seen in the corpus). */
	for (size_t i = 0; i < uri_count; i++)
		if (uris[i][0] != '\\') {
			char *fixed = malloc(strlen(uris[i]) + 2);
			if (!fixed) {
				rc = -1;
				goto out;
			}
			fixed[0] = '\\';
			memcpy(fixed + 1, uris[i], strlen(uris[i]) + 1);
			free(uris[i]);
			uris[i] = fixed;
		}
	for (size_t i = 0; rc == 0 && i < count; i++) {
		size_t j;
		if (strcmp(rows[i].hive_kind, "SOFTWARE") != 0)
			continue;
		for (j = 0; j < i && rows[j].evidence_id != rows[i].evidence_id; j++)
			;
		if (j < i)
			continue; /* this hive was done at its first row */
		rc = derive_hive(store, rows, count, rows[i].evidence_id, uris, uri_count);
	}
out:
	for (size_t i = 0; i < uri_count; i++)
		free(uris[i]);
	free(uris);
	store_free_reg_values(rows, count);
	return rc;
}
