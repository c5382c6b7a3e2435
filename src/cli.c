/*
 * cli.c - option parsing for the sub-commands (see cli.h). No work is done here.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correlate/host_facts.h"
#include "correlate/sessions.h"
#include "evidence.h"
#include "host_scope.h"
#include "export/attack_layer.h"
#include "export/pdf.h"
#include "export/report.h"
#include "export/session_text.h"
#include "export/timeline.h"
#include "timeutil.h"
#include "ingest.h"
#include "parsers/hive_log.h"
#include "record.h"
#include "store.h"
#include "strbuf.h"
#include "version.h"
#include "zone.h"

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

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_option(const char *arg, const char *name)
{
	size_t len = strlen(name);
	return strncmp(arg, name, len) == 0 && (arg[len] == 0 || arg[len] == '=');
}

/* The value of the last option NAME in ARGV, or NULL when it is not given. */
static const char *last_option_value(int argc, char **argv, const char *name)
{
	const char *value = NULL;
	for (int i = 1; i < argc; i++)
		if (is_option(argv[i], name))
			value = option_value(argc, argv, &i, name);
	return value;
}

/* The value of --display-zone in ARGV, or NULL when it is not given. */
static const char *display_zone_spec(int argc, char **argv)
{
	return last_option_value(argc, argv, "--display-zone");
}

/* --host NAME of a read command (METHOD.md §8.9): from here on STORE shows that host alone, and
 * NAME_OUT (if given, NAME_SIZE bytes) holds its name as stored. Without --host nothing changes.
 * Returns 0; 2 when the case holds no such host (said on stderr with the hosts it holds: a usage
 * error); 1 on a store error. */
static int open_host_scope(const char *command, int argc, char **argv, struct store *store,
			   char *name_out, size_t name_size)
{
	const char *wanted = last_option_value(argc, argv, "--host");
	char message[2048], err[512];
	int64_t host_id;
	int found;

	if (name_out && name_size)
		name_out[0] = 0;
	if (!wanted)
		return 0;
	found = host_scope_find(store, wanted, &host_id, message, sizeof message);
	if (found != 0) {
		fprintf(stderr, "sandtrace %s: --host: %s\n", command, message);
		return found > 0 ? 2 : 1;
	}
	if (host_scope_enter(store, host_id, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace %s: --host %s: %s\n", command, wanted, err);
		return 1;
	}
	if (name_out && name_size) {
		size_t length = strlen(message);
		if (length >= name_size)
			length = name_size - 1;
		memcpy(name_out, message, length);
		name_out[length] = 0;
	}
	return 0;
}

/* FN(STORE, CONTEXT) for the sessions list: without --host, in a case of several hosts,
 * once per host (and once for what no single host holds) under a line naming it, the store
 * scoped to it (METHOD.md §8.9); otherwise once. Returns FN's first nonzero result, or -1. */
static int each_host_part(int argc, char **argv, struct store *store,
			  int (*fn)(struct store *store, void *context), void *context)
{
	struct host_scope_list parts;
	char err[512];
	int rc = 0;

	if (last_option_value(argc, argv, "--host"))
		return fn(store, context);
	if (host_scope_parts(store, &parts) != 0)
		return -1;
	if (!parts.count)
		return fn(store, context);
	for (size_t i = 0; i < parts.count && rc == 0; i++) {
		/* the heading host_facts_print writes for the facts, so the two read alike */
		if (parts.parts[i].id == STORE_SCOPE_UNASSIGNED)
			printf("%s== files of no host ==\n", i ? "\n" : "");
		else
			printf("%s== host %s ==\n", i ? "\n" : "", parts.parts[i].name);
		fflush(stdout);
		if (host_scope_enter(store, parts.parts[i].id, err, sizeof err) != 0)
			rc = -1;
		else
			rc = fn(store, context);
		if (host_scope_leave(store) != 0 && rc == 0)
			rc = -1;
	}
	host_scope_parts_free(&parts);
	return rc;
}

#define HOST_HELP \
	"  --host NAME  only that host of a case of several (case-insensitive; a bare name\n" \
	"             also finds its DNS name, PC-K01 finds PC-K01.corp.example)\n"

/* Opens the display zone of --display-zone for COMMAND (UTC when not given); 0, or 2 with the
 * reason on stderr when the zone is not one of the system's database. */
static int open_display_zone(const char *command, int argc, char **argv, struct store *store,
			     struct display_zone *zone)
{
	char err[512];
	if (zone_open(display_zone_spec(argc, argv), store, zone, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace %s: %s\n", command, err);
		return 2;
	}
	if (!zone->active && strcmp(zone->label, "UTC") != 0)
		fprintf(stderr, "sandtrace %s: --display-zone host: %s\n", command, zone->label);
	return 0;
}

#define DISPLAY_ZONE_HELP \
	"  --display-zone ZONE  times as local times of ZONE with their offset, UTC beside\n" \
	"             them: an IANA name (Asia/Tokyo), UTC, or host (the zone the host's SYSTEM\n" \
	"             hive states; said when the collection does not state it)\n"

enum {
	OPEN_READ_ONLY = 1,      /* a read command: the store is never written */
	OPEN_ALLOW_INCOMPLETE = 2, /* --allow-incomplete: go on (with a warning) past a run that
				    did not finish */
};

/* Opens the existing case store CASE_PATH for COMMAND, saying why not. A store whose last run did
 * not finish is refused unless OPEN_ALLOW_INCOMPLETE is given (then a warning is printed); a
 * writer (not OPEN_READ_ONLY) is only warned. Returns 0, or 1 (the exit code). */
static int open_existing_store(const char *command, const char *case_path, int flags,
			       struct store **store)
{
	char err[1024], why[512];
	int complete;

	if (access(case_path, F_OK) != 0) {
		fprintf(stderr, "sandtrace %s: %s: no such case store\n", command, case_path);
		return 1;
	}
	if ((flags & OPEN_READ_ONLY ? store_open_read_only(case_path, store, err, sizeof err)
				    : store_open(case_path, store, err, sizeof err)) != 0) {
		fprintf(stderr, "sandtrace %s: %s\n", command, err);
		return 1;
	}
	complete = store_check_complete(*store, why, sizeof why);
	if (complete < 0) {
		fprintf(stderr, "sandtrace %s: %s: %s\n", command, case_path, store_error(*store));
	} else if (complete == 0) {
		return 0;
	} else if (!(flags & OPEN_READ_ONLY) || (flags & OPEN_ALLOW_INCOMPLETE)) {
		fprintf(stderr, "sandtrace %s: warning: %s: %s; what follows may be incomplete\n",
			command, case_path, why);
		return 0;
	} else {
		fprintf(stderr, "sandtrace %s: %s: %s. Run the ingest again to complete it, or add "
				"--allow-incomplete to read it as it is.\n",
			command, case_path, why);
	}
	store_close(*store);
	*store = NULL;
	return 1;
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

/* --member-limit MIB into BYTES; -1 (said on stderr) when VALUE is not a number from 1 on. */
static int parse_member_limit(const char *command, const char *value, uint64_t *bytes)
{
	char *end;
	long long mib = strtoll(value, &end, 10);

	if (*end || mib < 1 || mib > (1LL << 30)) {
		fprintf(stderr, "sandtrace %s: --member-limit takes MiB, at least 1\n", command);
		return -1;
	}
	*bytes = (uint64_t)mib << 20;
	return 0;
}

static void ingest_usage(FILE *out)
{
	fprintf(out,
		"usage: sandtrace ingest COLLECTION... --case case.db [--all-events] [--jobs N]\n"
		"                        [--case-name NAME] [--examiner NAME] [--member-limit MIB]\n"
		"\n"
		"Reads folders (KAPE / Velociraptor triage, mounted image, any tree), ZIP / 7z / tar(.gz)\n"
		"collections (read in place, nothing extracted) and files into the case store. Files\n"
		"are recognised by content; every input is hashed (SHA-256, MD5, SHA-1) before it is\n"
		"read and is never written. Re-running adds nothing twice.\n"
		"  --all-events  store every event record, not only the catalogue's (all are counted)\n"
		"  --jobs N      parser threads; a large log's chunks are decoded on N threads\n"
		"                (default: the number of CPUs)\n"
		"  --member-limit MIB\n"
		"                largest member of a ZIP / 7z / tar collection read into memory\n"
		"                (default 2048); a larger one is listed with the reason, not read\n"
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
	/* Every core decodes: a large log's chunks are spread over the threads (METHOD.md §1.11),
	 * the writer takes what is left (measured with tests/bench/ingest.sh, README). */
	options.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
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
		} else if (is_option(argv[i], "--member-limit")) {
			if (!(value = option_value(argc, argv, &i, "--member-limit")))
				goto usage;
			if (parse_member_limit("ingest", value, &options.member_limit) != 0)
				goto out;
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
		rc = ingest_exit_code(&summary);
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
	int flags = OPEN_READ_ONLY, rc = 1;

	for (int i = 1; i < argc; i++) {
		const char *value;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace facts --case case.db [--host NAME] [--allow-incomplete]\n\n"
			       "Prints the host facts (Windows Sandbox feature state, its group policy,\n"
			       "audit policy and what it means for the events sessions rely on,\n"
			       "services), each with the rows it rests on. The facts are derived by\n"
			       "ingest and correlate; this command only reads the store.\n" HOST_HELP);
			return 0;
		} else if (strcmp(argv[i], "--allow-incomplete") == 0) {
			flags |= OPEN_ALLOW_INCOMPLETE;
		} else if (is_option(argv[i], "--case") &&
			   (value = option_value(argc, argv, &i, "--case")) != NULL) {
			case_path = value;
		} else if (is_option(argv[i], "--host") &&
			   option_value(argc, argv, &i, "--host") != NULL) {
			continue; /* read by open_host_scope */
		} else {
			fprintf(stderr, "sandtrace facts: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!case_path) {
		fprintf(stderr, "usage: sandtrace facts --case case.db\n");
		return 2;
	}
	if (open_existing_store("facts", case_path, flags, &store) != 0)
		return 1;
	if ((rc = open_host_scope("facts", argc, argv, store, NULL, 0)) != 0) {
		store_close(store);
		return rc;
	}
	/* host_facts_print lists the facts host by host itself */
	rc = host_facts_print(store, stdout) == 0 ? 0 : 1;
	if (rc)
		fprintf(stderr, "sandtrace facts: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc;
}

static void hive_usage(FILE *out)
{
	fprintf(out,
		"usage: sandtrace hive recover PRIMARY [-o OUT] [--log FILE]...\n\n"
		"Replays the transaction logs of the registry hive PRIMARY (NAME.LOG, .LOG1, .LOG2\n"
		"beside it, any case, or the files given with --log) as Windows does when it loads\n"
		"a dirty hive, and prints what each log gave or why it was refused. With -o, writes\n"
		"the recovered primary file to OUT (a new file: never one that exists), which any\n"
		"registry tool can open. Nothing is written without -o; the evidence never is.\n"
		"Exit status: 0 the hive is clean or logs were applied; 1 it stays dirty or OUT\n"
		"could not be written; 2 usage error.\n");
}

/* Writes SIZE bytes of DATA to the new file PATH (never an existing one). 0, or -1 with errno. */
static int write_new_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *file;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), saved;

	if (fd < 0)
		return -1;
	file = fdopen(fd, "wb");
	if (!file) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (fwrite(data, 1, size, file) != size) {
		saved = errno;
		fclose(file);
		errno = saved;
		return -1;
	}
	return fclose(file) == 0 ? 0 : -1;
}

int cli_hive(int argc, char **argv)
{
	const char *primary = NULL, *out = NULL;
	char **logs = NULL, err[512], summary[512];
	size_t log_count = 0;
	int given = 0, rc = 1;
	struct hive_replay *replay = NULL;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		hive_usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "recover") != 0) {
		hive_usage(stderr);
		return 2;
	}
	logs = calloc((size_t)argc, sizeof *logs);
	if (!logs)
		return 1;
	for (int i = 2; i < argc; i++) {
		const char *value;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			hive_usage(stdout);
			rc = 0;
			goto out;
		} else if ((is_option(argv[i], "-o") || is_option(argv[i], "--output")) &&
			   ((value = option_value(argc, argv, &i, "-o")) != NULL ||
			    (value = option_value(argc, argv, &i, "--output")) != NULL)) {
			out = value;
		} else if (is_option(argv[i], "--log") &&
			   (value = option_value(argc, argv, &i, "--log")) != NULL) {
			logs[log_count++] = (char *)value;
			given = 1;
		} else if (argv[i][0] != '-' && !primary) {
			primary = argv[i];
		} else {
			fprintf(stderr, "sandtrace hive recover: unexpected argument %s\n", argv[i]);
			rc = 2;
			goto out;
		}
	}
	if (!primary) {
		hive_usage(stderr);
		rc = 2;
		goto out;
	}
	if (!given) {
		free(logs);
		logs = NULL;
		if (hive_log_find_beside(primary, &logs, &log_count) != 0) {
			fprintf(stderr, "sandtrace hive recover: out of memory\n");
			goto out;
		}
	}
	if (hive_log_replay_files(primary, logs, log_count, &replay, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace hive recover: %s\n", err);
		goto out;
	}
	printf("primary: %s (base block sequence numbers %u/%u: %s)\n", primary,
	       replay->sequence_primary, replay->sequence_secondary,
	       replay->dirty ? "dirty" : "clean");
	if (log_count == 0)
		printf("no transaction log %s\n", given ? "given" : "beside it (NAME.LOG, .LOG1, .LOG2)");
	for (size_t i = 0; i < replay->log_count; i++) {
		const struct hive_log_outcome *o = &replay->logs[i];
		printf("log: %s (%s format): ", o->name, hive_log_format_name(o->format));
		if (o->applied)
			printf("applied, %zu entr%s, sequence %u-%u, %zu pages%s%s\n", o->entries,
			       o->entries == 1 ? "y" : "ies", o->first_sequence, o->last_sequence,
			       o->pages, o->reason[0] ? "; " : "", o->reason);
		else
			printf("%s: %s\n", o->refused ? "refused" : "not applied", o->reason);
	}
	hive_log_summary(replay, summary, sizeof summary);
	printf("result: %s\n", summary);
	rc = replay->dirty && !replay->applied ? 1 : 0;
	if (out && !replay->applied) {
		printf("nothing written: no log was applied, the primary file is the hive as it is\n");
	} else if (out) {
		if (write_new_file(out, replay->data, replay->size) != 0) {
			fprintf(stderr, "sandtrace hive recover: %s: %s\n", out, strerror(errno));
			rc = 1;
		} else {
			printf("written: %s (%zu bytes)\n", out, replay->size);
		}
	} else if (replay->applied) {
		printf("not written: give -o OUT to write the recovered hive\n");
	}
out:
	hive_replay_free(replay);
	if (given)
		free(logs);
	else
		hive_log_paths_free(logs, log_count);
	return rc;
}

/* Opens the store of --case for a command that reads (FLAGS has OPEN_READ_ONLY) or rebuilds
 * derived tables. REST, if given, receives the index of the first positional argument. */
static int open_case(const char *command, int argc, char **argv, int flags, struct store **store,
		     const char **case_path, int *rest)
{
	int rc = 0;

	*case_path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *value;
		if (is_option(argv[i], "--case") &&
		    (value = option_value(argc, argv, &i, "--case")) != NULL) {
			*case_path = value;
		} else if (strcmp(argv[i], "--allow-incomplete") == 0) {
			flags |= OPEN_ALLOW_INCOMPLETE;
		} else if (is_option(argv[i], "--display-zone") &&
			   option_value(argc, argv, &i, "--display-zone") != NULL) {
			continue; /* read by display_zone_spec */
		} else if ((flags & OPEN_READ_ONLY) && is_option(argv[i], "--host") &&
			   option_value(argc, argv, &i, "--host") != NULL) {
			continue; /* read by open_host_scope */
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
	if (open_existing_store(command, *case_path, flags, store) != 0)
		return 1;
	if ((flags & OPEN_READ_ONLY) && (rc = open_host_scope(command, argc, argv, *store, NULL, 0))) {
		store_close(*store);
		*store = NULL;
	}
	return rc;
}

int cli_correlate(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	char *command_line = NULL, *libraries = NULL;
	size_t count = 0;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sandtrace correlate --case case.db\n\n"
		       "Rebuilds every Windows Sandbox session from the store (sessions, session_events,\n"
		       "other_vms, findings), after refreshing the host facts. Recorded as a run: a\n"
		       "correlate that is stopped leaves the store marked incomplete.\n");
		return 0;
	}
	if ((rc = open_case("correlate", argc, argv, 0, &store, &case_path, NULL)) != 0)
		return rc;
	command_line = join_arguments(argc, argv);
	libraries = version_libraries_text();
	if (!command_line || !libraries ||
	    store_begin_run(store, 0, command_line, libraries, NULL, NULL) != 0 ||
	    store_begin(store) != 0 || host_facts_derive(store) != 0 ||
	    sessions_correlate(store, &count) != 0 || store_commit(store) != 0 ||
	    store_finish_run(store, 0) != 0) {
		fprintf(stderr, "sandtrace correlate: %s: %s\n", case_path, store_error(store));
		free(command_line);
		free(libraries);
		store_close(store);
		return 1;
	}
	printf("%zu session(s) rebuilt in %s\n", count, case_path);
	free(command_line);
	free(libraries);
	store_close(store);
	return 0;
}

static int print_session_list(struct store *store, void *zone)
{
	return session_text_list(store, zone, stdout);
}

int cli_sessions(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	struct display_zone zone;
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace sessions --case case.db [--json] [--host NAME]\n"
			       "                          [--display-zone ZONE]\n\n"
			       "One line per Windows Sandbox session (run `sandtrace correlate` first), or\n"
			       "with --json an array of objects: vm_id, start, end, confidence, verdict,\n"
			       "score, trigger, launcher, wsb, shares, commands, network, findings,\n"
			       "missing, evidence (its times stay UTC).\n" HOST_HELP DISPLAY_ZONE_HELP);
			return 0;
		}
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
	}
	if ((rc = open_case("sessions", argc, argv, OPEN_READ_ONLY, &store, &case_path, NULL)) != 0)
		return rc;
	if ((rc = open_display_zone("sessions", argc, argv, store, &zone)) != 0) {
		store_close(store);
		return rc;
	}
	rc = json ? session_text_json(store, stdout)
		  : each_host_part(argc, argv, store, print_session_list, &zone);
	if (rc != 0)
		fprintf(stderr, "sandtrace sessions: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc ? 1 : 0;
}

static int print_host_line(void *context, int columns, const char *const *names,
			   const char *const *values)
{
	(void)context;
	(void)names;
	if (columns == 1 && values[0])
		printf("host: %s\n", values[0]);
	return 0;
}

int cli_show(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	struct display_zone zone;
	int rest = 0, rc;
	char *end;
	long long id;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: sandtrace show SESSION --case case.db [--host NAME] [--display-zone ZONE]\n\n"
		       "The session's story in time order, each step with the evidence that proves\n"
		       "it, then its findings, then what is missing and why.\n" HOST_HELP
		       DISPLAY_ZONE_HELP);
		return 0;
	}
	if ((rc = open_case("show", argc, argv, OPEN_READ_ONLY, &store, &case_path, &rest)) != 0)
		return rc;
	if ((rc = open_display_zone("show", argc, argv, store, &zone)) != 0) {
		store_close(store);
		return rc;
	}
	if (!rest || (id = strtoll(argv[rest], &end, 10), *end) || id < 1) {
		fprintf(stderr, "usage: sandtrace show SESSION --case case.db (SESSION: a number from "
				"sandtrace sessions)\n");
		store_close(store);
		return 2;
	}
	{
		/* in a case of several hosts, the session's host first (sessions: --host's scope) */
		char sql[256];
		snprintf(sql, sizeof sql,
			 "SELECT h.name FROM sessions s JOIN main.hosts h ON h.id = s.host_id WHERE s.id "
			 "= %lld AND (SELECT count(*) FROM main.hosts) > 1",
			 id);
		rc = store_query(store, sql, print_host_line, NULL);
	}
	if (rc == 0)
		rc = session_text_show(store, id, &zone, stdout);
	if (rc == 1)
		fprintf(stderr, "sandtrace show: no session %lld in %s%s%s\n", id, case_path,
			last_option_value(argc, argv, "--host") ? " for host " : "",
			last_option_value(argc, argv, "--host") ? last_option_value(argc, argv, "--host")
								 : "");
	else if (rc != 0)
		fprintf(stderr, "sandtrace show: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc ? 1 : 0;
}

int cli_record(int argc, char **argv)
{
	struct store *store = NULL;
	const char *case_path;
	int rest = 0, xml_only = 0, rc;
	char *end, err[2048];
	long long id;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace record ID --case case.db [--xml]\n\n"
			       "One stored event record (ID: events.id, as the report and the timeline's\n"
			       "row_id cite it): its stored fields, then its XML rendered again from its\n"
			       "evidence file at the chunk and offset the store keeps, once the file's\n"
			       "SHA-256 is checked against the store (exit 1 if the file is gone or\n"
			       "changed). Works for the --all-events records stored without XML; for a\n"
			       "record whose XML is stored, a rendering that differs is an error.\n"
			       "--xml prints the XML alone.\n");
			return 0;
		}
		if (strcmp(argv[i], "--xml") == 0) {
			memmove(argv + i, argv + i + 1, (size_t)(argc - i - 1) * sizeof *argv);
			argc--;
			i--;
			xml_only = 1;
		}
	}
	if ((rc = open_case("record", argc, argv, OPEN_READ_ONLY, &store, &case_path, &rest)) != 0)
		return rc;
	if (!rest || (id = strtoll(argv[rest], &end, 10), *end) || id < 1) {
		fprintf(stderr, "usage: sandtrace record ID --case case.db [--xml] (ID: events.id)\n");
		store_close(store);
		return 2;
	}
	rc = record_print(store, id, xml_only, stdout, err, sizeof err);
	if (rc == 1)
		fprintf(stderr, "sandtrace record: %s\n", err);
	else if (rc != 0)
		fprintf(stderr, "sandtrace record: %s: %s\n", case_path, store_error(store));
	store_close(store);
	return rc ? 1 : 0;
}

/* ---- timeline ------------------------------------------------------------------------- */

static int parse_format(const char *text, enum timeline_format *format)
{
	if (!strcmp(text, "csv"))
		*format = TIMELINE_CSV;
	else if (!strcmp(text, "jsonl"))
		*format = TIMELINE_JSONL;
	else if (!strcmp(text, "body"))
		*format = TIMELINE_BODY;
	else
		return -1;
	return 0;
}

int cli_timeline(int argc, char **argv)
{
	struct timeline_filter filter = {0, 0, 0, 0};
	enum timeline_format format = TIMELINE_CSV;
	const char *case_path = NULL, *output = NULL, *value;
	struct store *store = NULL;
	FILE *out = stdout;
	int flags = OPEN_READ_ONLY, rc;
	long rows;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace timeline --case case.db --format csv|jsonl|body\n"
			       "                          [--session N] [--from T] [--to T] [-o FILE]\n"
			       "                          [--host NAME]\n"
			       "                          [--csv-raw] [--allow-incomplete]\n\n"
			       "csv and jsonl load into Timesketch (message, datetime with +00:00,\n"
			       "timestamp_desc, timestamp in microseconds, plaso's windows:evtx:record\n"
			       "fields); body is a TSK 3.x body file for mactime -b FILE -d -z UTC.\n"
			       "T is ISO-8601 UTC, e.g. 2025-01-07T00:00:00Z. In CSV, a text cell that\n"
			       "begins with =, +, -, @, TAB or CR gets a leading ' so that a spreadsheet\n"
			       "does not run it as a formula; --csv-raw writes cells exactly as stored.\n"
			       "Every row has the hostname of its evidence file or session.\n" HOST_HELP);
			return 0;
		} else if (strcmp(argv[i], "--csv-raw") == 0) {
			filter.csv_raw = 1;
		} else if (strcmp(argv[i], "--allow-incomplete") == 0) {
			flags |= OPEN_ALLOW_INCOMPLETE;
		} else if (is_option(argv[i], "--case") &&
			   (value = option_value(argc, argv, &i, "--case"))) {
			case_path = value;
		} else if (is_option(argv[i], "--format") &&
			   (value = option_value(argc, argv, &i, "--format"))) {
			if (parse_format(value, &format) != 0) {
				fprintf(stderr, "sandtrace timeline: --format is csv, jsonl or body\n");
				return 2;
			}
		} else if (is_option(argv[i], "--session") &&
			   (value = option_value(argc, argv, &i, "--session"))) {
			filter.session_id = strtoll(value, NULL, 10);
		} else if ((is_option(argv[i], "--from") &&
			    (value = option_value(argc, argv, &i, "--from"))) ||
			   (is_option(argv[i], "--to") && (value = option_value(argc, argv, &i, "--to")))) {
			uint64_t *bound = strncmp(argv[i - 1], "--from", 6) == 0 ||
						  strncmp(argv[i], "--from", 6) == 0
					  ? &filter.from : &filter.to;
			if (filetime_parse_iso(value, bound) != 0) {
				fprintf(stderr, "sandtrace timeline: %s is not an ISO-8601 UTC time\n",
					value);
				return 2;
			}
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			output = argv[++i];
		} else if (is_option(argv[i], "--host") &&
			   option_value(argc, argv, &i, "--host") != NULL) {
			continue; /* read by open_host_scope */
		} else {
			fprintf(stderr, "sandtrace timeline: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!case_path) {
		fprintf(stderr, "sandtrace timeline: --case case.db is required\n");
		return 2;
	}
	if (open_existing_store("timeline", case_path, flags, &store) != 0)
		return 1;
	if ((rc = open_host_scope("timeline", argc, argv, store, NULL, 0)) != 0) {
		store_close(store);
		return rc;
	}
	if (output && !(out = fopen(output, "w"))) {
		fprintf(stderr, "sandtrace timeline: %s: %s\n", output, strerror(errno));
		store_close(store);
		return 1;
	}
	rows = timeline_write(store, format, &filter, out);
	if (output && fclose(out) != 0)
		rows = -1;
	if (rows < 0)
		fprintf(stderr, "sandtrace timeline: %s: %s\n", case_path, store_error(store));
	else if (output)
		fprintf(stderr, "sandtrace timeline: %ld rows written to %s\n", rows, output);
	store_close(store);
	return rows < 0 ? 1 : 0;
}

/* ---- analyze, manifest, verify -------------------------------------------------------- */

typedef int (*writer_fn)(struct store *store, void *context, FILE *out);

/* Writes DIR/NAME through FN: first under a temporary name, renamed when complete, so a file of
 * that name is always a whole output. With STORE_RUN, its hash is recorded in the outputs table
 * of run STORE_RUN. */
static int write_output(const char *dir, const char *name, struct store *store, writer_fn fn,
			void *context, int64_t store_run)
{
	char path[4096], partial[4200], err[256];
	struct evidence_hashes hashes;
	FILE *out;
	int rc;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path ||
	    (size_t)snprintf(partial, sizeof partial, "%s.partial", path) >= sizeof partial) {
		fprintf(stderr, "sandtrace: %s/%s: the path is too long\n", dir, name);
		return -1;
	}
	if (!(out = fopen(partial, "w"))) {
		fprintf(stderr, "sandtrace: %s: %s\n", partial, strerror(errno));
		return -1;
	}
	rc = fn(store, context, out);
	if (fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(partial, path) != 0)
		rc = -1;
	if (rc == 0 && store_run) {
		if (evidence_hash_file(path, &hashes, err, sizeof err) != 0 ||
		    store_add_output(store, store_run, name, hashes.sha256, hashes.size) != 0)
			rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "sandtrace: %s could not be written\n", path);
		unlink(partial);
	}
	return rc;
}

/* One timeline file of analyze: its format and options (the CSV guard unless --csv-raw). */
struct timeline_output {
	enum timeline_format format;
	struct timeline_filter options;
};

static int write_timeline_format(struct store *store, void *context, FILE *out)
{
	const struct timeline_output *timeline = context;
	return timeline_write(store, timeline->format, &timeline->options, out) < 0 ? -1 : 0;
}

static int write_sessions_json(struct store *store, void *context, FILE *out)
{
	(void)context;
	return session_text_json(store, out);
}

static int write_attack_layer(struct store *store, void *context, FILE *out)
{
	return attack_layer_write(store, context, out);
}

static int write_report(struct store *store, void *context, FILE *out)
{
	return report_write(store, context, out);
}

/* The outputs analyze writes, in manifest order. */
static const char *const OUTPUTS[] = {"case.db",       "timeline.csv", "timeline.jsonl",
				      "timeline.body", "sessions.json", "report.html",
				      "report.pdf",    "attack-layer.json"};
enum { OUTPUT_COUNT = sizeof OUTPUTS / sizeof OUTPUTS[0] };

/* The manifest's lines (sha256sum's format, so `sha256sum -c manifest.txt` works in the output
 * folder CONTEXT): every output of OUTPUTS that exists there. */
static int write_manifest_lines(struct store *store, void *context, FILE *out)
{
	const char *dir = context;
	char err[256];

	(void)store;
	for (size_t i = 0; i < OUTPUT_COUNT; i++) {
		struct evidence_hashes hashes;
		char file[4096];
		snprintf(file, sizeof file, "%s/%s", dir, OUTPUTS[i]);
		if (access(file, F_OK) != 0)
			continue;
		if (evidence_hash_file(file, &hashes, err, sizeof err) != 0)
			return -1;
		fprintf(out, "%s  %s\n", hashes.sha256, OUTPUTS[i]);
	}
	return 0;
}

/* Writes DIR/manifest.txt (like every output: complete or not there) and puts its own SHA-256 in
 * MANIFEST_SHA256. */
static int write_manifest(const char *dir, char manifest_sha256[65])
{
	char path[4096], err[256];
	struct evidence_hashes hashes;

	snprintf(path, sizeof path, "%s/manifest.txt", dir);
	if (write_output(dir, "manifest.txt", NULL, write_manifest_lines, (void *)dir, 0) != 0 ||
	    evidence_hash_file(path, &hashes, err, sizeof err) != 0)
		return -1;
	memcpy(manifest_sha256, hashes.sha256, 65);
	return 0;
}

/* Prints DIR/HTML to DIR/PDF for COMMAND. Returns 0, 1 when no Chromium is installed (said on
 * stderr), -1 when printing failed (said on stderr). */
static int print_pdf(const char *command, const char *dir, const char *html, const char *pdf)
{
	char html_path[4096], pdf_path[4096], err[1024];
	int rc;

	snprintf(html_path, sizeof html_path, "%s/%s", dir, html);
	snprintf(pdf_path, sizeof pdf_path, "%s/%s", dir, pdf);
	rc = pdf_print(html_path, pdf_path, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "sandtrace %s: %s%s\n", command, rc > 0 ? "warning: " : "", err);
	return rc;
}

int cli_analyze(int argc, char **argv)
{
	struct ingest_options options = {0};
	struct ingest_summary summary;
	struct store *store = NULL;
	char **roots = calloc((size_t)argc, sizeof *roots), case_path[4096], err[1024];
	char manifest_sha256[65];
	const char *dir = NULL, *value;
	struct timeline_output timelines[3] = {{TIMELINE_CSV, {0, 0, 0, 0}},
					       {TIMELINE_JSONL, {0, 0, 0, 0}},
					       {TIMELINE_BODY, {0, 0, 0, 0}}};
	static const char *const TIMELINE_NAMES[3] = {"timeline.csv", "timeline.jsonl",
						      "timeline.body"};
	size_t sessions = 0;
	int rc = 2, add = 0, pdf = 0, pdf_missing = 0;

	if (!roots)
		return 1;
	options.roots = roots;
	options.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace analyze COLLECTION... -o OUTDIR [--case-name N] "
			       "[--examiner E]\n                         [--all-events] [--jobs N] "
			       "[--add] [--csv-raw] [--member-limit MIB]\n\n"
			       "Ingest, correlate and every export in one run: OUTDIR/case.db,\n"
			       "timeline.csv, timeline.jsonl, timeline.body, sessions.json, report.html,\n"
			       "attack-layer.json and manifest.txt (SHA-256 of every output).\n"
			       "  --add      add this collection to the case already in OUTDIR (without it,\n"
			       "             a store of another case name or evidence set is refused)\n"
			       "  --csv-raw  write CSV cells exactly as stored: no quote before cells a\n"
			       "             spreadsheet would run as formulas (=, +, -, @, TAB, CR)\n"
			       "  --pdf      also print report.pdf through headless Chromium (chromium)\n"
			       "  --member-limit MIB  largest member of a ZIP / 7z / tar collection\n"
			       "             read into memory (default 2048)\n"
			       DISPLAY_ZONE_HELP "             (report.html only: the timeline files stay UTC)\n");
			rc = 0;
			goto out;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (is_option(argv[i], "--case-name") &&
			   (value = option_value(argc, argv, &i, "--case-name"))) {
			options.case_name = value;
		} else if (is_option(argv[i], "--examiner") &&
			   (value = option_value(argc, argv, &i, "--examiner"))) {
			options.examiner = value;
		} else if (strcmp(argv[i], "--all-events") == 0) {
			options.all_events = 1;
		} else if (is_option(argv[i], "--display-zone") &&
			   option_value(argc, argv, &i, "--display-zone")) {
			continue; /* read by display_zone_spec, once the store holds the host facts */
		} else if (strcmp(argv[i], "--add") == 0) {
			add = 1;
		} else if (strcmp(argv[i], "--pdf") == 0) {
			pdf = 1;
		} else if (strcmp(argv[i], "--csv-raw") == 0) {
			timelines[0].options.csv_raw = 1;
		} else if (is_option(argv[i], "--jobs") &&
			   (value = option_value(argc, argv, &i, "--jobs"))) {
			options.jobs = atoi(value);
		} else if (is_option(argv[i], "--member-limit") &&
			   (value = option_value(argc, argv, &i, "--member-limit"))) {
			if (parse_member_limit("analyze", value, &options.member_limit) != 0)
				goto out;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "sandtrace analyze: unknown option %s\n", argv[i]);
			goto out;
		} else {
			roots[options.root_count++] = argv[i];
		}
	}
	if (!dir || !options.root_count) {
		fprintf(stderr, "usage: sandtrace analyze COLLECTION... -o OUTDIR\n");
		goto out;
	}
	if (display_zone_spec(argc, argv) && strcmp(display_zone_spec(argc, argv), "host") != 0) {
		/* a zone that is not one is refused before anything is read */
		struct display_zone zone;
		char zone_err[512];
		if (zone_open(display_zone_spec(argc, argv), NULL, &zone, zone_err, sizeof zone_err) !=
		    0) {
			fprintf(stderr, "sandtrace analyze: %s\n", zone_err);
			goto out;
		}
	}
	rc = 1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "sandtrace analyze: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (options.jobs < 1)
		options.jobs = 1;
	snprintf(case_path, sizeof case_path, "%s/case.db", dir);
	options.case_path = case_path;
	options.progress = isatty(STDERR_FILENO);
	options.command_line = join_arguments(argc, argv);
	/* The run stays open until every output is written: a store whose analyze died says so. */
	options.keep_run_open = 1;
	options.same_case_only = !add;
	apply_memory_limit(8192);
	if (ingest_run(&options, &summary, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace analyze: %s\n", err);
		goto out;
	}
	ingest_print_summary(&summary, case_path);
	if (store_open(case_path, &store, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace analyze: %s\n", err);
		goto out;
	}
	if (store_begin(store) != 0 || host_facts_derive(store) != 0 ||
	    sessions_correlate(store, &sessions) != 0 || store_commit(store) != 0) {
		fprintf(stderr, "sandtrace analyze: %s: %s\n", case_path, store_error(store));
		goto out;
	}
	for (int f = 0; f < 3; f++)
		if (write_output(dir, TIMELINE_NAMES[f], store, write_timeline_format, &timelines[f],
				 summary.run_id) != 0)
			goto out;
	if (write_output(dir, "sessions.json", store, write_sessions_json, NULL, summary.run_id) !=
		    0 ||
	    write_output(dir, "attack-layer.json", store, write_attack_layer,
			 (void *)options.case_name, summary.run_id) != 0)
		goto out;
	/* The run is complete once everything the report states is in the store. */
	if (store_finish_run(store, summary.run_id) != 0) {
		fprintf(stderr, "sandtrace analyze: %s: %s\n", case_path, store_error(store));
		goto out;
	}
	{
		struct display_zone zone;
		struct report_options report = {options.case_name, options.examiner,
						 options.command_line, NULL, &zone, NULL};
		if (open_display_zone("analyze", argc, argv, store, &zone) != 0 ||
		    write_output(dir, "report.html", store, write_report, &report, 0) != 0)
			goto out;
	}
	if (pdf && (pdf_missing = print_pdf("analyze", dir, "report.html", "report.pdf")) < 0)
		goto out;
	store_close(store);
	store = NULL;
	if (write_manifest(dir, manifest_sha256) != 0) {
		fprintf(stderr, "sandtrace analyze: %s/manifest.txt could not be written\n", dir);
		goto out;
	}
	printf("sessions: %zu\n", sessions);
	printf("outputs: %s (case.db, timeline.csv, timeline.jsonl, timeline.body, sessions.json, "
	       "report.html,%s attack-layer.json, manifest.txt)\nreport: %s/report.html\n", dir,
	       pdf && !pdf_missing ? " report.pdf," : "", dir);
	printf("manifest.txt SHA-256: %s (note it with the case: `sandtrace verify` checks the "
	       "manifest against it)\n", manifest_sha256);
	rc = ingest_exit_code(&summary) || pdf_missing ? 1 : 0;
out:
	if (store)
		store_close(store);
	free((char *)options.command_line);
	free(roots);
	return rc;
}

struct verify_state {
	int changed, checked;
	const char *outputs;     /* the output folder, or NULL */
	char **listed;           /* names the manifest lists */
	size_t listed_count;
};

static void verify_file(struct verify_state *state, const char *path, const char *expected)
{
	struct evidence_hashes hashes;
	char err[256];
	const char *status;

	if (access(path, F_OK) != 0)
		status = "missing";
	else if (evidence_hash_file(path, &hashes, err, sizeof err) != 0)
		status = "unreadable";
	else
		status = strcmp(hashes.sha256, expected) == 0 ? "unchanged" : "changed";
	if (strcmp(status, "unchanged") != 0)
		state->changed++;
	state->checked++;
	printf("%-10s %s\n", status, path);
}

/* SQL: the evidence path p.path is a member of a collection container listed in the store. */
#define MEMBER_OF_CONTAINER                                                                       \
	"SELECT 1 FROM evidence_paths c JOIN evidence ce ON ce.id = c.evidence_id WHERE ce.kind = " \
	"'collection' AND substr(p.path, 1, length(c.path) + 1) = c.path || '!'"

static int verify_member_count(void *context, int columns, const char *const *names,
			       const char *const *values)
{
	(void)context;
	(void)names;
	if (columns == 1 && values[0] && strcmp(values[0], "0") != 0)
		printf("%s member(s) of collection containers: covered by their container's hash\n",
		       values[0]);
	return 0;
}

static int verify_evidence_row(void *context, int columns, const char *const *names,
			       const char *const *values)
{
	(void)names;
	if (columns == 2 && values[0] && values[1])
		verify_file(context, values[1], values[0]);
	return 0;
}

/* An outputs row of the last analyze run: the file must match it (a second anchor besides the
 * manifest: a file changed and the manifest rewritten to match is caught here). */
static int verify_output_row(void *context, int columns, const char *const *names,
			     const char *const *values)
{
	struct verify_state *state = context;
	char path[8192];

	(void)names;
	if (columns != 2 || !values[0] || !values[1] || !state->outputs)
		return 0;
	snprintf(path, sizeof path, "%s/%s", state->outputs, values[0]);
	printf("(store)    ");
	verify_file(state, path, values[1]);
	return 0;
}

static int is_listed(const struct verify_state *state, const char *name)
{
	for (size_t i = 0; i < state->listed_count; i++)
		if (strcmp(state->listed[i], name) == 0)
			return 1;
	return 0;
}

/* Checks OUTPUTS/manifest.txt line by line, then lists files in OUTPUTS that it does not name.
 * Returns 0, or 1 if the manifest cannot be read. */
static int verify_manifest(struct verify_state *state, const char *expected_sha256)
{
	char path[4096], line[8192], err[256];
	struct evidence_hashes hashes;
	struct dirent *entry;
	FILE *manifest;
	DIR *folder;

	snprintf(path, sizeof path, "%s/manifest.txt", state->outputs);
	if (evidence_hash_file(path, &hashes, err, sizeof err) != 0) {
		fprintf(stderr, "sandtrace verify: %s: %s\n", path, err);
		return 1;
	}
	printf("manifest   %s SHA-256 %s\n", path, hashes.sha256);
	if (expected_sha256) {
		int same = strcasecmp(hashes.sha256, expected_sha256) == 0;
		printf("%-10s %s (against --manifest-sha256)\n", same ? "unchanged" : "changed", path);
		state->checked++;
		state->changed += !same;
	}
	if (!(manifest = fopen(path, "r"))) {
		fprintf(stderr, "sandtrace verify: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof line, manifest)) {
		char file[8192 + 4096], **grown;
		line[strcspn(line, "\r\n")] = 0;
		if (strlen(line) < 67 || line[64] != ' ' || line[65] != ' ') {
			printf("%-10s %s: line not in sha256sum format: %.80s\n", "malformed", path,
			       line);
			state->changed++;
			continue;
		}
		line[64] = 0;
		snprintf(file, sizeof file, "%s/%s", state->outputs, line + 66);
		verify_file(state, file, line);
		grown = realloc(state->listed, (state->listed_count + 1) * sizeof *grown);
		if (grown && (grown[state->listed_count] = strdup(line + 66)) != NULL) {
			state->listed = grown;
			state->listed_count++;
		} else if (grown) {
			state->listed = grown;
		}
	}
	fclose(manifest);
	/* A file beside the outputs that the manifest does not name was added afterwards. */
	if ((folder = opendir(state->outputs)) != NULL) {
		char **extra = NULL;
		size_t extra_count = 0;
		while ((entry = readdir(folder)) != NULL) {
			if (entry->d_name[0] == '.' && (!entry->d_name[1] ||
							 (entry->d_name[1] == '.' && !entry->d_name[2])))
				continue;
			if (!strcmp(entry->d_name, "manifest.txt") || is_listed(state, entry->d_name))
				continue;
			char **grown = realloc(extra, (extra_count + 1) * sizeof *grown);
			if (!grown)
				break;
			extra = grown;
			if ((extra[extra_count] = strdup(entry->d_name)) != NULL)
				extra_count++;
		}
		closedir(folder);
		if (extra_count)
			qsort(extra, extra_count, sizeof *extra, compare_names);
		for (size_t i = 0; i < extra_count; i++) {
			printf("%-10s %s/%s (not in the manifest)\n", "extra", state->outputs,
			       extra[i]);
			state->changed++;
			free(extra[i]);
		}
		free(extra);
	}
	return 0;
}

int cli_verify(int argc, char **argv)
{
	struct verify_state state = {0, 0, NULL, NULL, 0};
	const char *case_path = NULL, *value, *manifest_sha256 = NULL;
	struct store *store = NULL;
	int flags = OPEN_READ_ONLY, rc = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace verify --case case.db [--outputs OUTDIR]\n"
			       "                        [--manifest-sha256 HEX] [--allow-incomplete]\n\n"
			       "Re-hashes every evidence file (every path it was found at) and, with\n"
			       "--outputs, every output named in OUTDIR/manifest.txt and every output the\n"
			       "store recorded; lists files in OUTDIR the manifest does not name; prints\n"
			       "the manifest's own SHA-256 (and compares it with --manifest-sha256, the\n"
			       "value analyze printed). Prints unchanged / changed / missing / extra per\n"
			       "file and exits 1 if anything is not unchanged. The store is only read.\n");
			return 0;
		} else if (is_option(argv[i], "--case") &&
			   (value = option_value(argc, argv, &i, "--case"))) {
			case_path = value;
		} else if (is_option(argv[i], "--outputs") &&
			   (value = option_value(argc, argv, &i, "--outputs"))) {
			state.outputs = value;
		} else if (is_option(argv[i], "--manifest-sha256") &&
			   (value = option_value(argc, argv, &i, "--manifest-sha256"))) {
			manifest_sha256 = value;
		} else if (strcmp(argv[i], "--allow-incomplete") == 0) {
			flags |= OPEN_ALLOW_INCOMPLETE;
		} else {
			fprintf(stderr, "sandtrace verify: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!case_path) {
		fprintf(stderr, "sandtrace verify: --case case.db is required\n");
		return 2;
	}
	if (manifest_sha256 && !state.outputs) {
		fprintf(stderr, "sandtrace verify: --manifest-sha256 needs --outputs\n");
		return 2;
	}
	if (state.outputs && verify_manifest(&state, manifest_sha256) != 0)
		goto out;
	if (open_existing_store("verify", case_path, flags, &store) != 0)
		goto out;
	/* A member of a collection container (CONTAINER!MEMBER, METHOD.md §8.6) is no file of its
	 * own: the container's hash, checked here, covers its bytes. */
	if (store_query(store,
			"SELECT e.sha256, p.path FROM evidence e JOIN evidence_paths p ON p.evidence_id "
			"= e.id WHERE NOT EXISTS (" MEMBER_OF_CONTAINER ") ORDER BY p.path",
			verify_evidence_row, &state) != 0 ||
	    store_query(store,
			"SELECT count(*) FROM evidence_paths p WHERE EXISTS (" MEMBER_OF_CONTAINER ")",
			verify_member_count, NULL) != 0 ||
	    (state.outputs &&
	     store_query(store,
			 "SELECT name, sha256 FROM outputs WHERE run_id = (SELECT max(run_id) FROM "
			 "outputs) ORDER BY name",
			 verify_output_row, &state) != 0)) {
		fprintf(stderr, "sandtrace verify: %s: %s\n", case_path, store_error(store));
		goto out;
	}
	printf("%d file(s) checked, %d not unchanged\n", state.checked, state.changed);
	rc = state.changed ? 1 : 0;
out:
	store_close(store);
	for (size_t i = 0; i < state.listed_count; i++)
		free(state.listed[i]);
	free(state.listed);
	return rc;
}

int cli_report(int argc, char **argv)
{
	struct report_options report = {NULL, NULL, NULL, NULL, NULL, NULL};
	struct display_zone zone;
	char host[512];
	const char *case_path = NULL, *output = NULL, *value, *pdf = NULL;
	struct store *store = NULL;
	int flags = OPEN_READ_ONLY, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: sandtrace report --case case.db -o report.html [--case-name N] "
			       "[--examiner E]\n                        [--pdf[=report.pdf]] "
			       "[--allow-incomplete]\n                        [--display-zone ZONE] "
			       "[--host NAME]\n\n"
			       "The self-contained HTML report of the case (run "
			       "`sandtrace correlate` first); with --pdf also printed to PDF by headless\n"
			       "Chromium (A4, header and footer on every page). A case of several hosts\n"
			       "has a section per host; --host NAME reports that host alone.\n"
			       HOST_HELP DISPLAY_ZONE_HELP);
			return 0;
		} else if (is_option(argv[i], "--case") &&
			   (value = option_value(argc, argv, &i, "--case"))) {
			case_path = value;
		} else if (is_option(argv[i], "--case-name") &&
			   (value = option_value(argc, argv, &i, "--case-name"))) {
			report.case_name = value;
		} else if (is_option(argv[i], "--examiner") &&
			   (value = option_value(argc, argv, &i, "--examiner"))) {
			report.examiner = value;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			output = argv[++i];
		} else if (strcmp(argv[i], "--allow-incomplete") == 0) {
			flags |= OPEN_ALLOW_INCOMPLETE;
		} else if (is_option(argv[i], "--pdf")) {
			pdf = argv[i][5] == '=' ? argv[i] + 6 : "";
		} else if (is_option(argv[i], "--display-zone") &&
			   option_value(argc, argv, &i, "--display-zone")) {
			continue; /* read by display_zone_spec */
		} else if (is_option(argv[i], "--host") &&
			   option_value(argc, argv, &i, "--host") != NULL) {
			continue; /* read by open_host_scope */
		} else {
			fprintf(stderr, "sandtrace report: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (!case_path || !output) {
		fprintf(stderr, "usage: sandtrace report --case case.db -o report.html\n");
		return 2;
	}
	if (open_existing_store("report", case_path, flags, &store) != 0)
		return 1;
	if ((rc = open_host_scope("report", argc, argv, store, host, sizeof host)) != 0 ||
	    (rc = open_display_zone("report", argc, argv, store, &zone)) != 0) {
		store_close(store);
		return rc;
	}
	report.zone = &zone;
	report.host = host[0] ? host : NULL;
	report.command_line = join_arguments(argc, argv);
	{
		/* Written beside OUTPUT under a temporary name and renamed when complete. */
		char dir[4096], *slash;
		snprintf(dir, sizeof dir, "%s", output);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		rc = write_output(slash ? dir : ".", slash ? slash + 1 : output, store, write_report,
				  &report, 0);
		if (rc == 0 && pdf) {
			/* --pdf: beside the HTML with .pdf for .html; --pdf=PATH: there. */
			char pdf_path[4096], err[1024];
			size_t length = strlen(output);
			if (*pdf)
				snprintf(pdf_path, sizeof pdf_path, "%s", pdf);
			else if (length > 5 && strcasecmp(output + length - 5, ".html") == 0)
				snprintf(pdf_path, sizeof pdf_path, "%.*s.pdf", (int)(length - 5), output);
			else
				snprintf(pdf_path, sizeof pdf_path, "%s.pdf", output);
			rc = pdf_print(output, pdf_path, err, sizeof err);
			if (rc != 0)
				fprintf(stderr, "sandtrace report: %s%s\n", rc > 0 ? "warning: " : "", err);
			else
				fprintf(stderr, "sandtrace report: %s printed\n", pdf_path);
		}
	}
	free((char *)report.command_line);
	store_close(store);
	return rc ? 1 : 0;
}
