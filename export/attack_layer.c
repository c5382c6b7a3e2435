/*
 * attack_layer.c - ATT&CK Navigator layer (see attack_layer.h). Techniques come from the
 * findings' attack column (the rules table, correlate/rules.def); the score is the sum of the
 * findings' scores that name the technique.
 */
#include "attack_layer.h"

#include <stdlib.h>
#include <string.h>

#include "attack.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"

struct technique {
	char id[32];
	long score;
	struct strbuf comment;
};

struct layer {
	struct technique *items;
	size_t count;
	int failed;
};

static struct technique *technique_for(struct layer *l, const char *id, size_t length)
{
	struct technique *grown;

	for (size_t i = 0; i < l->count; i++)
		if (strlen(l->items[i].id) == length && strncmp(l->items[i].id, id, length) == 0)
			return &l->items[i];
	if (length == 0 || length >= sizeof l->items[0].id)
		return NULL;
	grown = realloc(l->items, (l->count + 1) * sizeof *grown);
	if (!grown) {
		l->failed = 1;
		return NULL;
	}
	l->items = grown;
	memset(&grown[l->count], 0, sizeof grown[l->count]);
	memcpy(grown[l->count].id, id, length);
	return &grown[l->count++];
}

static int finding_row(void *context, int columns, const char *const *names,
		       const char *const *values)
{
	struct layer *l = context;
	const char *attack = values[0] ? values[0] : "";

	(void)names;
	if (columns != 4)
		return -1;
	while (*attack) {
		size_t length = strcspn(attack, ",");
		struct technique *t = technique_for(l, attack, length);
		if (t) {
			t->score += strtol(values[2] ? values[2] : "0", NULL, 10);
			strbuf_printf(&t->comment, "%ssession %s: %s", t->comment.length ? "; " : "",
				      values[3] ? values[3] : "?", values[1] ? values[1] : "?");
		}
		attack += length;
		if (*attack == ',')
			attack++;
	}
	return 0;
}

int attack_layer_write(struct store *store, const char *case_name, FILE *out)
{
	struct layer l = {NULL, 0, 0};
	struct strbuf sb = STRBUF_INIT;
	const char *name = case_name ? case_name : "sandtrace";
	long max = 1;
	size_t tactic_count;
	const struct attack_tactic *tactics = attack_tactics(&tactic_count);
	int rc;

	rc = store_query(store,
			 "SELECT attack, rule_id, score, session_id FROM v_report_findings WHERE "
			 "attack != '' ORDER BY session_id, position",
			 finding_row, &l);
	for (size_t i = 0; i < l.count; i++)
		if (l.items[i].score > max)
			max = l.items[i].score;
	strbuf_append_str(&sb, "{\n  \"name\": ");
	json_append_string(&sb, name, strlen(name));
	strbuf_append_str(&sb,
			  ",\n  \"versions\": {\"layer\": \"4.5\", \"navigator\": \"4.9.1\", \"attack\": "
			  "\"15\"},\n  \"domain\": \"enterprise-attack\",\n  \"description\": "
			  "\"Techniques named by sandtrace findings (Windows Sandbox sessions)\",\n"
			  "  \"techniques\": [");
	/* One entry per (technique, tactic), so that Navigator shows a technique in each of its
	 * tactics' columns (a technique the table does not know is written without a tactic). */
	int first = 1;
	for (size_t i = 0; i < l.count; i++) {
		const struct attack_technique *info = attack_technique(l.items[i].id);
		size_t placed = 0;
		for (size_t t = 0; t <= tactic_count; t++) {
			const char *tactic = NULL;
			if (t < tactic_count) {
				if (!attack_technique_in_tactic(info, tactics[t].name))
					continue;
				tactic = tactics[t].short_name;
			} else if (placed) {
				break;
			}
			placed++;
			strbuf_append_str(&sb, first ? "\n    {" : ",\n    {");
			first = 0;
			strbuf_append_str(&sb, "\"techniqueID\": ");
			json_append_string(&sb, l.items[i].id, strlen(l.items[i].id));
			if (tactic) {
				strbuf_append_str(&sb, ", \"tactic\": ");
				json_append_string(&sb, tactic, strlen(tactic));
			}
			strbuf_printf(&sb, ", \"score\": %ld, \"enabled\": true, \"comment\": ",
				      l.items[i].score);
			json_append_string(&sb, strbuf_text(&l.items[i].comment),
					   l.items[i].comment.length);
			strbuf_append_char(&sb, '}');
		}
		strbuf_free(&l.items[i].comment);
	}
	strbuf_printf(&sb, "%s],\n  \"gradient\": {\"colors\": [\"#ffffff\", \"#e8590c\"], "
			   "\"minValue\": 0, \"maxValue\": %ld},\n  \"legendItems\": [{\"label\": "
			   "\"score: sum of the scores of the sandtrace findings that name the technique "
			   "(max %ld)\", \"color\": \"#e8590c\"}, {\"label\": \"not named by any "
			   "finding\", \"color\": \"#ffffff\"}],\n  \"metadata\": [{\"name\": \"case\", "
			   "\"value\": ",
		      l.count ? "\n  " : "", max, max);
	json_append_string(&sb, name, strlen(name));
	strbuf_append_str(&sb, "}, {\"name\": \"tool\", \"value\": \"sandtrace " SANDTRACE_VERSION
			       "\"}, {\"name\": \"method\", \"value\": \"docs/METHOD.md section 7 "
			       "(the findings rules)\"}]\n}\n");
	free(l.items);
	if (rc != 0 || l.failed || strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return -1;
	}
	fputs(strbuf_text(&sb), out);
	strbuf_free(&sb);
	return 0;
}
