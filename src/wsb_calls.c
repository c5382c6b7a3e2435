/*
 * wsb_calls.c - launcher command lines to wsb_calls rows, at ingest (see wsb_calls.h).
 */
#define _GNU_SOURCE /* strcasestr */
#include "wsb_calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "parsers/wsb.h"
#include "parsers/wsb_cli.h"
#include "store.h"
#include "strbuf.h"

/* The launcher programs (§5.2, §6.3), the one list of them: a process start's command line is read
 * as a call when it mentions one (mentions_launcher), a task Exec action when its Command mentions
 * one (the store's query, store_each_call_source) and names it as its program
 * (action_command_line). None holds a LIKE wildcard. */
static const char *const LAUNCHER_WORDS[] = {"wsb", "WindowsSandbox"};
enum { LAUNCHER_WORD_COUNT = sizeof LAUNCHER_WORDS / sizeof LAUNCHER_WORDS[0] };

/* Whether TEXT holds one of LAUNCHER_WORDS, the case of ASCII letters ignored (as SQLite's LIKE
 * ignores it; sandtrace runs in the C locale, where strcasestr compares ASCII letters only). */
static int mentions_launcher(const char *text)
{
	for (size_t i = 0; text && i < LAUNCHER_WORD_COUNT; i++)
		if (strcasestr(text, LAUNCHER_WORDS[i]))
			return 1;
	return 0;
}

int wsb_calls_may_mention_launcher(const char *provider, unsigned event_id, const char *data)
{
	/* §1.1 Security 4688, §1.7 Sysmon 1: the process starts whose CommandLine is read. JSON
	 * escapes no letter (src/json.c), so a CommandLine mentioning a word makes DATA mention
	 * it. */
	if (!provider ||
	    !((event_id == 4688 && strcmp(provider, "Microsoft-Windows-Security-Auditing") == 0) ||
	      (event_id == 1 && strcmp(provider, "Microsoft-Windows-Sysmon") == 0)))
		return 0;
	return mentions_launcher(data);
}

/* "Command" Arguments: the command line an Exec action gives its process (§4.1), with the
 * Command's own quotes and surrounding spaces removed and the whole quoted once. NULL when the
 * Command is no launcher program or memory runs out (*FAILED set). */
static char *action_command_line(const struct store_call_source *source, int *failed)
{
	const char *command = source->image;
	size_t length = strlen(command), i;
	struct strbuf sb = STRBUF_INIT;
	char *bare, *line;
	int launcher = 0;

	while (*command == '"' || *command == ' ')
		command++, length--;
	while (length && (command[length - 1] == '"' || command[length - 1] == ' '))
		length--;
	if (!(bare = strndup(command, length))) {
		*failed = 1;
		return NULL;
	}
	for (i = 0; i < LAUNCHER_WORD_COUNT; i++)
		launcher |= cmdline_word_is_program(bare, LAUNCHER_WORDS[i]);
	free(bare);
	if (!launcher)
		return NULL;
	strbuf_printf(&sb, "\"%.*s\"", (int)length, command);
	if (source->arguments && *source->arguments)
		strbuf_printf(&sb, " %s", source->arguments);
	line = strbuf_detach(&sb);
	if (!line)
		*failed = 1;
	return line;
}

/* Stores the inline configuration of an event's call; *ID receives its row (0 when it is not a
 * configuration sandtrace can read: it is then only on the call's command line). */
static int store_inline_config(struct store *store, const struct store_call_source *source,
			       const char *inline_config, int64_t *id)
{
	struct wsb_config *config = NULL;
	char location[64], err[512];
	int rc = 0;

	*id = 0;
	snprintf(location, sizeof location, "events.id=%lld", (long long)source->event_row);
	if (wsb_parse_memory(inline_config, strlen(inline_config), &config, err, sizeof err) == 0) {
		rc = store_add_wsb_config(store, source->evidence_id, "inline_command_line", location,
					  config, id);
		wsb_config_free(config);
	}
	return rc;
}

static int on_source(void *context, const struct store_call_source *source)
{
	struct store *store = context;
	struct wsb_cli_call call;
	struct store_wsb_call row;
	char *line = NULL;
	int failed = 0, parsed, rc = 0;

	if (source->event_row && !mentions_launcher(source->command_line))
		return 0; /* the payload mentions a launcher elsewhere than in the CommandLine */
	if (!source->event_row && !(line = action_command_line(source, &failed)))
		return failed ? -1 : 0;
	parsed = wsb_cli_parse(line ? line : source->command_line, &call);
	if (parsed < 0) {
		free(line);
		return -1;
	}
	memset(&row, 0, sizeof row);
	row.event_ref = source->event_row;
	row.task_ref = source->task_row;
	row.action_position = source->action_position;
	row.time = source->time;
	row.image = (char *)source->image;
	row.command_line = line ? line : (char *)source->command_line;
	row.status = call.verb ? "call" : parsed ? "configuration" : "none";
	row.verb = call.verb;
	row.vm_id = call.vm_id;
	row.command = call.command;
	row.run_as = call.run_as;
	row.host_path = call.host_path;
	row.sandbox_path = call.sandbox_path;
	row.allow_write = call.allow_write;
	row.config_path = call.config_path;
	if (call.inline_config && source->event_row)
		rc = store_inline_config(store, source, call.inline_config, &row.inline_config_id);
	if (rc == 0)
		rc = store_add_wsb_call(store, &row, call.inline_config != NULL);
	wsb_cli_call_clear(&call);
	free(line);
	return rc;
}

int wsb_calls_derive(struct store *store)
{
	return store_each_call_source(store, LAUNCHER_WORDS, LAUNCHER_WORD_COUNT, on_source, store);
}
