/*
 * cli.c - option parsing for the sub-commands (see cli.h). No work is done here.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "correlate/host_facts.h"
#include "correlate/sessions.h"
#include "export/session_text.h"
#include "ingest.h"
#include "store.h"
#include "strbuf.h"

static char *join_arguments(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_append_str(&sb, "sandtrace");
	for (int i = 0; i < argc; i++) {
		strbuf_append_char(&sb, ' ');
		strbuf_append_str(&sb, argv[i]);
	}
	return strbuf_detach(&sb);
}

/* The value of option ARGV[*I] (either "--name=value" or "--name value"); NULL if missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);
	return strncmp(arg, name, len) == 0 && (arg[len] == 0 || arg[len] == '=');
}

/* Caps the address space so that a runaway allocation in a library fails instead of exhausting
 * the examiner's machine (measured: a 68 KiB crafted log made libevtx 20181227 grow past 23 GB;
 * under a 2 GB cap the same file is read in 0.3 s with three records reported unreadable).
 * Not applied under the sanitizers, whose shadow memory needs terabytes of address space. */
static int apply_memory_limit(long mib)
{
#ifdef SANDTRACE_SANITIZE
	(void)mib;
	return 0;
#else
	struct rlimit limit;

	if (mib <= 0 || getrlimit(RLIMIT_AS, &limit) != 0)
		return 0;
	rlim_t wanted = (rlim_t)mib * 1024 * 1024;
	if (limit.rlim_max != RLIM_INFINITY && wanted > limit.rlim_max)
		wanted = limit.rlim_max;
	limit.rlim_cur = wanted;
	return setrlimit(RLIMIT_AS, &limit);
#endif
}

static void ingest_usage(FILE *out)
{
	fprintf(out,
		"usage: sandtrace ingest COLLECTION... --case case.db [--all-events] [--jobs N]\n"
		"                        [--case-name NAME] [--examiner NAME]\n"
		"\n"
		"Reads folders (KAPE / Velociraptor triage, mounted image, any tree) and files into the\n"
		"case store. Files are recognised by content; every input is hashed (SHA-256, MD5,\n"
		"SHA-1) before it is read and is never written. Re-running adds nothing twice.\n"
		"  --all-events  store every event record, not only the catalogue's (all are counted)\n"
		"  --jobs N      parser threads (default: the number of CPUs less one, for the writer)\n"
		"  --memory-limit MIB\n"
		"                address space allowed to the process (default 8192; 0 = none). A\n"
		"                damaged or crafted log can make libevtx allocate without end; with\n"
		"                the limit its allocation fails and the record is reported instead.\n");
}

int cli_ingest(int argc, char **argv)
{
	struct ingest_options options = {0};
	struct ingest_summary summary;
	char **roots = calloc((size_t)argc, sizeof *roots);
	char err[1024];
	int rc = 2;

	if (!roots)
		return 1;
	long memory_limit = 8192;

	options.roots = roots;
	/* One core stays with the writer thread: measured on 2 cores (tests/bench/ingest.sh), two
	 * parser threads beside the writer were 1.4x slower than one. */
	options.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	for (int i = 1; i < argc; i++) {
		const char *value;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			ingest_usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "--all-events") == 0) {
			options.all_events = 1;
		} else if (is_option(argv[i], "--case")) {
			if (!(value = option_value(argc, argv, &i, "--case")))
				goto usage;
			options.case_path = value;
		} else if (is_option(argv[i], "--jobs")) {
			char *end;
			if (!(value = option_value(argc, argv, &i, "--jobs")))
				goto usage;
			long jobs = strtol(value, &end, 10);
			if (*end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "sandtrace ingest: --jobs takes a number from 1 to 256\n");
				goto out;
			}
			options.jobs = (int)jobs;
		} else if (is_option(argv[i], "--memory-limit")) {
			char *end;
			if (!(value = option_value(argc, argv, &i, "--memory-limit")))
				goto usage;
			memory_limit = strtol(value, &end, 10);
			if (*end || memory_limit < 0 || (memory_limit > 0 && memory_limit < 256)) {
				fprintf(stderr, "sandtrace ingest: --memory-limit takes MiB: 0 (none) or "
						"at least 256\n");
				goto out;
			}
		} else if (is_option(argv[i], "--case-name")) {
			if (!(value = option_value(argc, argv, &i, "--case-name")))
				goto usage;
			options.case_name = value;
		} else if (is_option(argv[i], "--examiner")) {
			if (!(value = option_value(argc, argv, &i, "--examiner")))
				goto usage;
			options.examiner = value;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "sandtrace ingest: unknown option %s\n", argv[i]);
			goto usage;
		} else {
			roots[options.root_count++] = argv[i];
		}
	}
	if (!options.case_path || options.root_count == 0)
		goto usage;
	if (options.jobs < 1)
		options.jobs = 1;
	options.progress = isatty(STDERR_FILENO);
	if (apply_memory_limit(memory_limit) != 0)
		fprintf(stderr, "sandtrace ingest: warning: the memory limit could not be set\n");
	options.command_line = join_arguments(argc, argv);
	if (!options.command_line) {
		rc = 1;
		goto out;
	}
	if (ingest_run(&options, &summary, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace ingest: %s\n", err);
		rc = 1;
	} else {
		ingest_print_summary(&summary, options.case_path);
		/* Unreadable evidence is a problem the user must see (DESIGN.md exit codes). */
		rc = summary.files_unreadable ? 1 : 0;
	}
	free((char *)options.command_line);
	goto out;
usage:
	ingest_usage(stderr);
out:
	free(roots);
	return rc;
}

int cli_facts(int argc, char **argv)
{
	const char *case_path = NULL;
	struct store *store = NULL;
	char err[1024];
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *value;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace facts --case case.db\n\n"
			       "Derives and prints the host facts (Windows Sandbox feature state, its\n"
			       "group policy, audit policy and what it means for the events sessions\n"
			       "rely on, services) from the registry rows in the store, each with the\n"
			       "rows it rests on.\n");
			return 0;
		} else if (is_option(argv[i], "--case") &&
			   (value = option_value(argc, argv, &i, "--case")) != NULL) {
			case_path = value;
		} else {
			fprintf(stderr, "sandtrace facts: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!case_path) {
		fprintf(stderr, "usage: sandtrace facts --case case.db\n");
		return 2;
	}
	if (access(case_path, F_OK) != 0) {
		fprintf(stderr, "sandtrace facts: %s: no such case store\n", case_path);
		return 1;
	}
	if (store_open(case_path, &store, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace facts: %s\n", err);
		return 1;
	}
	if (store_begin(store) != 0 || host_facts_derive(store) != 0 || store_commit(store) != 0) {
		fprintf(stderr, "sandtrace facts: %s: %s\n", case_path, store_error(store));
		goto out;
	}
	rc = host_facts_print(store, stdout) == 0 ? 0 : 1;
out:
	store_close(store);
	return rc;
}

/* Opens the store of --case for a command that reads or rebuilds derived tables. */
static int open_case(const char *command, int argc, char **argv, struct store **store,
		     const char **case_path, int *rest)
{
	char err[1024];

	*case_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *value;
		if (is_option(argv[i], "--case") &&
		    (value = option_value(argc, argv, &i, "--case")) != NULL) {
			*case_path = value;
		} else if (rest && argv[i][0] != '-' && *rest == 0) {
			*rest = i;
		} else if (strcmp(argv[i], "--json") != 0) {
			fprintf(stderr, "sandtrace %s: unexpected argument %s\n", command, argv[i]);
			return 2;
		}
	}
	if (!*case_path) {
		fprintf(stderr, "sandtrace %s: --case case.db is required\n", command);
		return 2;
	}
	if (access(*case_path, F_OK) != 0) {
		fprintf(stderr, "sandtrace %s: %s: no such case store\n", command, *case_path);
		return 1;
	}
	if (store_open(*case_path, store, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace %s: %s\n", command, err);
		return 1;
	}
	return 0;
}

int cli_correlate(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	size_t count = 0;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sandtrace correlate --case case.db\n\n"
		       "Rebuilds every Windows Sandbox session from the store (sessions, session_events,\n"
		       "other_vms, findings), after refreshing the host facts.\n");
		return 0;
	}
	if ((rc = open_case("correlate", argc, argv, &store, &case_path, NULL)) != 0)
		return rc;
	if (store_begin(store) != 0 || host_facts_derive(store) != 0 ||
	    sessions_correlate(store, &count) != 0 || store_commit(store) != 0) {
		fprintf(stderr, "sandtrace correlate: %s: %s\n", case_path, store_error(store));
		store_close(store);
		return 1;
	}
	printf("%zu session(s) rebuilt in %s\n", count, case_path);
	store_close(store);
	return 0;
}

int cli_sessions(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace sessions --case case.db [--json]\n\n"
			       "One line per Windows Sandbox session (run `sandtrace correlate` first), or\n"
			       "with --json an array of objects: vm_id, start, end, confidence, verdict,\n"
			       "score, trigger, launcher, wsb, shares, commands, network, findings,\n"
			       "missing, evidence.\n");
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
	}
	if ((rc = open_case("sessions", argc, argv, &store, &case_path, NULL)) != 0)
		return rc;
	rc = json ? session_text_json(store, stdout) : session_text_list(store, stdout);
	if (rc != 0)
		fprintf(stderr, "sandtrace sessions: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc ? 1 : 0;
}

int cli_show(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	int rest = 0, rc;
	char *end;
	long long id;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sandtrace show SESSION --case case.db\n\n"
		       "The session's story in time order, each step with the evidence that proves\n"
		       "it, then its findings, then what is missing and why.\n");
		return 0;
	}
	if ((rc = open_case("show", argc, argv, &store, &case_path, &rest)) != 0)
		return rc;
	if (!rest || (id = strtoll(argv[rest], &end, 10), *end) || id < 1) {
		fprintf(stderr, "usage: sandtrace show SESSION --case case.db (SESSION: a number from "
				"sandtrace sessions)\n");
		store_close(store);
		return 2;
	}
	rc = session_text_show(store, id, stdout);
	if (rc == 1)
		fprintf(stderr, "sandtrace show: no session %lld in %s\n", id, case_path);
	else if (rc != 0)
		fprintf(stderr, "sandtrace show: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc ? 1 : 0;
}
