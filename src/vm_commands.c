/*
 * vm_commands.c - command records to vm_commands rows, at ingest (see vm_commands.h).
 */
#define _GNU_SOURCE /* strcasestr */
#include "vm_commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"

/* The text between the quotes after "KEY" : in TEXT, verbatim: the NPA sample has unescaped
 * backslashes, so a closing quote is one followed by optional spaces and ',' or '}' (§1.10). */
static char *tolerant_json_value(const char *text, const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof needle, "\"%s\"", key);
	p = text ? strcasestr(text, needle) : NULL;
	if (!p)
		return NULL;
	p += strlen(needle);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != ':')
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return NULL;
	for (const char *q = p; *q; q++) {
		const char *r = q + 1;
		if (*q != '"')
			continue;
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == ',' || *r == '}' || *r == 0)
			return strndup(p, (size_t)(q - p));
	}
	return NULL;
}

/* KEY's value: decoded when TEXT is valid JSON ("C:\\\\docs" is C:\\docs), verbatim otherwise (the
 * NPA sample's unescaped backslashes). Valid JSON whose value decodes to a control character (a
 * path like "C:\\temp\\new" that happens to parse, \\t and \\n) is read verbatim too: a command
 * line holds no tab or newline that Windows escaped. *VALID tells whether TEXT is valid JSON;
 * *VERBATIM is set when a value of valid JSON is read verbatim for that reason. */
static char *parameter_value(const char *text, const char *key, int *valid, int *verbatim)
{
	char *value = NULL;

	*valid = json_document_member(text, key, 1, &value) == 1;
	if (*valid) {
		int control = 0;
		for (const char *c = value; c && *c && !control; c++)
			control = (unsigned char)*c < 0x20;
		if (!control)
			return value;
		free(value);
		*verbatim = 1;
	}
	return tolerant_json_value(text, key);
}

int vm_commands_parse_parameters(const char *text, struct vm_command_parameters *out)
{
	int valid = 0, verbatim = 0;
	struct strbuf note = STRBUF_INIT;

	memset(out, 0, sizeof *out);
	out->command_line = parameter_value(text, "CommandLine", &valid, &verbatim);
	out->user = parameter_value(text, "User", &valid, &verbatim);
	if (!out->command_line && !out->user) {
		out->read_as = "none";
		strbuf_append_str(&note, text ? "no CommandLine or User in the parameters text"
					      : "no field holds the process parameters");
	} else if (!valid) {
		out->read_as = "verbatim";
		strbuf_append_str(&note,
				  "not valid JSON: values taken verbatim between the quotes");
	} else if (verbatim) {
		out->read_as = "verbatim";
		strbuf_append_str(&note, "valid JSON, but a value read verbatim: decoded, it would "
					 "hold a control character");
	} else {
		out->read_as = "json";
	}
	if (note.length && !(out->note = strbuf_detach(&note))) {
		vm_commands_parameters_clear(out);
		return -1;
	}
	strbuf_free(&note);
	return 0;
}

void vm_commands_parameters_clear(struct vm_command_parameters *p)
{
	free(p->command_line);
	free(p->user);
	free(p->note);
	memset(p, 0, sizeof *p);
}

/* The value of KEY in E's layout: the field its catalogue row names for KEY (the first of the
 * alternatives that is present), malloc'ed, or NULL. */
static char *key_field(const struct store_event *e, const char *key)
{
	char name[96];

	for (size_t i = 0; catalog_field(e->entry, key, i, name, sizeof name); i++) {
		char *value = json_object_get(e->data, name, 1);
		if (value)
			return value;
	}
	return NULL;
}

static int parameters_value(void *context, const char *key, const char *value)
{
	char **out = context;
	(void)key;
	if (strcasestr(value, "\"CommandLine\"")) {
		*out = strdup(value);
		return 1;
	}
	return 0;
}

/* The HCS process parameters of E: the field NAME of its layout (Parameter1), or whichever
 * payload value holds the JSON with a "CommandLine" (§1.4: the XML form is unconfirmed). */
static char *process_parameters(const struct store_event *e, const char *name, int *elsewhere)
{
	char *text = json_object_get(e->data, name, 1);

	*elsewhere = 0;
	if (!text || !strcasestr(text, "\"CommandLine\"")) {
		free(text);
		text = NULL;
		json_object_each(e->data, parameters_value, &text);
		*elsewhere = text != NULL;
	}
	return text;
}

/* The row of one command record: from where its layout has the command, a parameters JSON text or
 * plain fields (§1.4, §1.10). */
static int derive_one(struct store *store, const struct store_event *e)
{
	struct store_vm_command row = {e->id, NULL, NULL, NULL, NULL, NULL, NULL};
	struct vm_command_parameters p = {NULL, NULL, NULL, NULL};
	char name[96];
	int rc = 0;

	if (catalog_field(e->entry, "parameters", 0, name, sizeof name)) {
		int elsewhere;
		char *text = process_parameters(e, name, &elsewhere);
		rc = vm_commands_parse_parameters(text, &p);
		free(text);
		if (rc == 0 && elsewhere) {
			struct strbuf note = STRBUF_INIT;
			strbuf_printf(&note,
				      "parameters taken from another payload value than %s%s%s",
				      name, p.note ? "; " : "", p.note ? p.note : "");
			free(p.note);
			if (!(p.note = strbuf_detach(&note)))
				rc = -1;
		}
	} else {
		p.command_line = key_field(e, "command");
		p.user = key_field(e, "user");
		p.read_as = "fields";
	}
	row.vm_id = key_field(e, "guid");
	row.guest_pid = key_field(e, "pid");
	row.command_line = p.command_line;
	row.user = p.user;
	row.read_as = (char *)p.read_as;
	row.note = p.note;
	if (rc == 0)
		rc = store_add_vm_command(store, &row);
	free(row.vm_id);
	free(row.guest_pid);
	vm_commands_parameters_clear(&p);
	return rc;
}

int vm_commands_derive(struct store *store)
{
	struct store_event *events = NULL;
	size_t count = 0;
	/* Only the commands: loading every session record held a 400,000-record Security log's
	 * 250,000 logons and process starts in memory (170 MB) to use none of them. */
	int rc = store_load_role_events(store, CATALOG_ROLE_COMMAND, &events, &count);

	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = derive_one(store, &events[i]);
	store_free_events(events, count);
	return rc;
}
