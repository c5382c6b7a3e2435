/*
 * wsb_cli.h - a Windows Sandbox launcher's command line as a typed call (METHOD.md §5.2): the
 * 23H2 `WindowsSandbox.exe file.wsb` and the 24H2 `wsb.exe <verb> [options]`, read the one way
 * sandtrace reads them (every spelling of every option: "--allow-write", "-w",
 * "--allow-write=false", "--host-path=X", Microsoft's en-dash "–-id").
 *
 * Run once, at ingest (src/wsb_calls.c), on every process-creation record (4688, Sysmon 1) and
 * every task action that may be such a call; the result is the wsb_calls table, which the
 * correlator and the rules read instead of the command line.
 */
#ifndef SANDTRACE_PARSERS_WSB_CLI_H
#define SANDTRACE_PARSERS_WSB_CLI_H

struct wsb_cli_call {
	/* the wsb.exe verb as written ("start", "exec", "share", "map", "stop", ...), NULL when the
	 * line runs no wsb.exe with a verb (WindowsSandbox.exe, or a .wsb named another way) */
	char *verb;
	char *vm_id;        /* --id as written (a GUID, braces allowed) */
	char *command;      /* -c / --command (exec) or --config (start): an inline <Configuration>
			       or a path */
	char *run_as;       /* -r / --run-as */
	char *host_path;    /* -f / --host-path */
	char *sandbox_path; /* -s / --sandbox-path */
	int allow_write;    /* -w / --allow-write (=true, =1), 0 when absent or =false / =0 */
	char *config_path;  /* the .wsb the line names (wsb_find_in_command_line), NULL if none */
	char *inline_config;/* an inline <Configuration>...</Configuration>, NULL if none */
};

/* Reads COMMAND_LINE into CALL (cleared first; release with wsb_cli_call_clear). Returns 1 when
 * the line is a call: it runs wsb.exe with a verb, or names a .wsb file or an inline
 * configuration; 0 when it is none of these (CALL empty); -1 when memory runs out. */
int wsb_cli_parse(const char *command_line, struct wsb_cli_call *call);

void wsb_cli_call_clear(struct wsb_cli_call *call);

#endif
