/*
 * cmdline.c - splitting Windows command lines into words (see cmdline.h).
 */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_word_separator(char c)
{
	return is_space(c) || c == '"' || c == '\'' || c == '&' || c == '|' || c == '<' ||
	       c == '>' || c == '(' || c == ')' || c == ';' || c == ',' || c == '^';
}

int cmdline_split(const char *line, enum cmdline_split_mode mode, struct cmdline_tokens *out)
{
	size_t length = strlen(line), read = 0, write = 0;

	out->count = 0;
	out->storage = malloc(length + 1);
	out->items = malloc((length / 2 + 2) * sizeof *out->items);
	if (!out->storage || !out->items) {
		free(out->storage);
		free(out->items);
		out->storage = NULL;
		out->items = NULL;
		return -1;
	}
	while (read < length) {
		int quoted = 0, any = 0;

		if (mode == CMDLINE_ARGUMENTS) {
			while (read < length && is_space(line[read]))
				read++;
		} else {
			while (read < length && is_word_separator(line[read]))
				read++;
		}
		if (read >= length)
			break;
		out->items[out->count] = out->storage + write;
		while (read < length) {
			char c = line[read];

			if (mode == CMDLINE_ARGUMENTS) {
				if (c == '"') {
					quoted = !quoted;
					read++;
					any = 1;
					continue;
				}
				if (!quoted && is_space(c))
					break;
			} else if (is_word_separator(c)) {
				break;
			}
			out->storage[write++] = c;
			read++;
			any = 1;
		}
		out->storage[write++] = 0;
		if (any)
			out->count++;
	}
	return 0;
}

void cmdline_tokens_free(struct cmdline_tokens *tokens)
{
	free(tokens->storage);
	free(tokens->items);
	tokens->storage = NULL;
	tokens->items = NULL;
	tokens->count = 0;
}

const char *cmdline_word_basename(const char *word)
{
	const char *slash, *forward;

	if (!word)
		return "";
	slash = strrchr(word, '\\');
	forward = strrchr(word, '/');

	if (forward && (!slash || forward > slash))
		slash = forward;
	return slash ? slash + 1 : word;
}

int cmdline_word_is_program(const char *word, const char *program)
{
	const char *name = cmdline_word_basename(word);
	size_t length = strlen(program);

	if (strncasecmp(name, program, length) != 0)
		return 0;
	return name[length] == 0 || strcasecmp(name + length, ".exe") == 0;
}
