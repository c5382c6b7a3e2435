/*
 * main.c - the sandtrace command line: parses the sub-command and hands over to a module.
 *
 * Kept thin on purpose (the way The Sleuth Kit's tools sit on its library): every sub-command
 * parses its own options and calls one module function. Exit codes (DESIGN.md): 0 ok, 1 ran but
 * found problems the user must see, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

#ifdef SANDTRACE_SANITIZE
/*
 * LeakSanitizer suppression (sanitizer build only): libregf 20201007 leaks a key item (with its
 * arrays) each time it fails to read a key of a damaged hive, even after the key and the file are
 * freed; reproduced with a program using libregf alone that lists the subkeys of
 * ControlSet001\Services in the corpus' corrupted SYSTEM hive with its broken hive bins emptied
 * (73 unreadable subkeys, 73 key items leaked). Our own allocations are not suppressed.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libregf_key_item_initialize\n";
}
#endif

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the sub-command's name */
};

static const struct command COMMANDS[] = {
	{"analyze", "ingest, correlate and every export into an output folder, in one run",
	 cli_analyze},
	{"ingest", "read a collection into a case store (evidence, events, errors)", cli_ingest},
	{"facts", "host facts (feature state, sandbox policy, audit coverage) with their basis",
	 cli_facts},
	{"correlate", "rebuild every sandbox session and judge it with the findings rules",
	 cli_correlate},
	{"sessions", "one line per session, or --json", cli_sessions},
	{"show", "one session's story, step by step, with its evidence", cli_show},
	{"record", "one stored event record, its XML rendered again from the evidence file",
	 cli_record},
	{"timeline", "the timeline for Timesketch (csv, jsonl) or mactime (body)", cli_timeline},
	{"report", "the self-contained HTML report of the case", cli_report},
	{"verify", "re-hash the evidence and the outputs; report any change", cli_verify},
	{"hive", "hive recover: a hive with its transaction logs replayed, as a new file",
	 cli_hive},
};

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: sandtrace COMMAND [OPTIONS]\n"
		"\n"
		"Rebuilds Windows Sandbox sessions from the evidence a Windows host keeps.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
	fprintf(out, "\n"
		     "options:\n"
		     "  --help     this text (COMMAND --help: that command's options)\n"
		     "  --version  versions of sandtrace and of the libraries it runs with\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		version_print(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
		if (strcmp(argv[1], COMMANDS[i].name) == 0)
			return COMMANDS[i].run(argc - 1, argv + 1);
	fprintf(stderr, "sandtrace: unknown command '%s' (try sandtrace --help)\n", argv[1]);
	return 2;
}
