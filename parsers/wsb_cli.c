/*
 * wsb_cli.c - wsb.exe / WindowsSandbox.exe command lines to typed calls (see wsb_cli.h).
 */
#include "parsers/wsb_cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "parsers/wsb.h"

enum wsb_option {
	WSB_OPTION_ID,
	WSB_OPTION_COMMAND,
	WSB_OPTION_RUN_AS,
	WSB_OPTION_HOST_PATH,
	WSB_OPTION_SANDBOX_PATH,
	WSB_OPTION_ALLOW_WRITE,
	WSB_OPTION_OTHER_VALUE,
	WSB_OPTION_OTHER_FLAG
};

/* §5.2: the options of start/exec/share/stop/connect/ip, long and short. */
static const struct {
	const char *name;
	enum wsb_option option;
} WSB_OPTIONS[] = {
	{"--id", WSB_OPTION_ID},
	{"-c", WSB_OPTION_COMMAND}, /* exec --command; start --config */
	{"--command", WSB_OPTION_COMMAND},
	{"--config", WSB_OPTION_COMMAND},
	{"-r", WSB_OPTION_RUN_AS},
	{"--run-as", WSB_OPTION_RUN_AS},
	{"-f", WSB_OPTION_HOST_PATH},
	{"--host-path", WSB_OPTION_HOST_PATH},
	{"-s", WSB_OPTION_SANDBOX_PATH},
	{"--sandbox-path", WSB_OPTION_SANDBOX_PATH},
	{"-w", WSB_OPTION_ALLOW_WRITE},
	{"--allow-write", WSB_OPTION_ALLOW_WRITE},
	{"-d", WSB_OPTION_OTHER_VALUE},
	{"--working-directory", WSB_OPTION_OTHER_VALUE},
	{"--raw", WSB_OPTION_OTHER_FLAG},
};

#define OPTION_COUNT (sizeof WSB_OPTIONS / sizeof WSB_OPTIONS[0])

/* Microsoft's own example writes "–-id" (an en dash, U+2013): the token read as "--id". */
static char *undash(char *token)
{
	if ((unsigned char)token[0] == 0xE2 && (unsigned char)token[1] == 0x80 &&
	    (unsigned char)token[2] == 0x93) {
		token += 2;
		token[0] = '-';
		if (token[1] != '-') {
			token--;
			token[0] = '-';
		}
	}
	return token;
}

/* Copies VALUE into *SLOT (NULL stays NULL). Returns -1 when memory runs out. */
static int keep(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? strdup(value) : NULL;
	return value && !*slot ? -1 : 0;
}

/* The verb and options of the first wsb.exe in TOKENS. Returns 1 if there is one with a verb. */
static int read_wsb_options(struct cmdline_tokens *tokens, struct wsb_cli_call *call)
{
	size_t i, start;

	for (start = 0; start < tokens->count; start++)
		if (cmdline_word_is_program(tokens->items[start], "wsb"))
			break;
	if (start + 1 >= tokens->count)
		return 0;
	if (keep(&call->verb, tokens->items[start + 1]) != 0)
		return -1;
	for (i = start + 2; i < tokens->count; i++) {
		char *token = undash(tokens->items[i]), *value = NULL, *equals;
		char **slot = NULL;
		size_t o;

		if (token[0] != '-')
			continue;
		equals = token[1] == '-' ? strchr(token, '=') : NULL;
		if (equals) {
			*equals = 0;
			value = equals + 1;
		}
		for (o = 0; o < OPTION_COUNT; o++)
			if (strcasecmp(token, WSB_OPTIONS[o].name) == 0)
				break;
		if (o == OPTION_COUNT || WSB_OPTIONS[o].option == WSB_OPTION_OTHER_FLAG)
			continue;
		if (WSB_OPTIONS[o].option == WSB_OPTION_ALLOW_WRITE) {
			call->allow_write = !value || !(strcasecmp(value, "false") == 0 ||
							strcmp(value, "0") == 0);
			continue;
		}
		if (!value) {
			if (i + 1 >= tokens->count)
				break;
			value = tokens->items[++i];
		}
		switch (WSB_OPTIONS[o].option) {
		case WSB_OPTION_ID: slot = &call->vm_id; break;
		case WSB_OPTION_COMMAND: slot = &call->command; break;
		case WSB_OPTION_RUN_AS: slot = &call->run_as; break;
		case WSB_OPTION_HOST_PATH: slot = &call->host_path; break;
		case WSB_OPTION_SANDBOX_PATH: slot = &call->sandbox_path; break;
		default: break;
		}
		if (slot && keep(slot, value) != 0)
			return -1;
	}
	return 1;
}

void wsb_cli_call_clear(struct wsb_cli_call *call)
{
	if (!call)
		return;
	free(call->verb);
	free(call->vm_id);
	free(call->command);
	free(call->run_as);
	free(call->host_path);
	free(call->sandbox_path);
	free(call->config_path);
	free(call->inline_config);
	memset(call, 0, sizeof *call);
}

int wsb_cli_parse(const char *command_line, struct wsb_cli_call *call)
{
	struct cmdline_tokens tokens;
	int rc;

	memset(call, 0, sizeof *call);
	if (!command_line)
		return 0;
	if (cmdline_split(command_line, CMDLINE_ARGUMENTS, &tokens) != 0)
		return -1;
	rc = read_wsb_options(&tokens, call);
	cmdline_tokens_free(&tokens);
	if (rc >= 0 && wsb_find_in_command_line(command_line, &call->config_path,
						&call->inline_config) != 0)
		rc = -1;
	if (rc < 0) {
		wsb_cli_call_clear(call);
		return -1;
	}
	if (!call->verb && !call->config_path && !call->inline_config)
		return 0;
	return 1;
}
