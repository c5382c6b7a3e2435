/*
 * cmdline.h - splitting a Windows command line into words, the one way sandtrace does it: for the
 * wsb.exe calls decoded at ingest (parsers/wsb_cli.c) and for the findings rules that ask what a
 * logon command or a command run in the VM does (correlate/rules.c).
 */
#ifndef SANDTRACE_CMDLINE_H
#define SANDTRACE_CMDLINE_H

#include <stddef.h>

enum cmdline_split_mode {
	CMDLINE_ARGUMENTS, /* white space separates, double quotes group (and are removed) */
	CMDLINE_WORDS      /* white space, quotes and cmd.exe operators separate */
};

struct cmdline_tokens {
	char *storage;
	char **items; /* COUNT words, each pointing into STORAGE (writable) */
	size_t count;
};

/* Splits LINE into OUT (free with cmdline_tokens_free). Returns 0, -1 when memory runs out. */
int cmdline_split(const char *line, enum cmdline_split_mode mode, struct cmdline_tokens *out);
void cmdline_tokens_free(struct cmdline_tokens *tokens);

/* The file name part of a path-like word (after the last '\' or '/'); "" for NULL. */
const char *cmdline_word_basename(const char *word);

/* WORD's file name equals PROGRAM, with or without ".exe" (ASCII case-insensitive). */
int cmdline_word_is_program(const char *word, const char *program);

#endif
