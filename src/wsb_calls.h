/*
 * wsb_calls.h - every Windows Sandbox launcher call of the store decoded once, at ingest
 * (METHOD.md §5.2): the command lines of process-creation records (Security 4688, Sysmon 1) and of
 * task Exec actions that run WindowsSandbox.exe / wsb.exe, read by parsers/wsb_cli.c into
 * wsb_calls rows; an inline <Configuration> given on a process's command line is stored as a
 * configuration (source inline_command_line) and linked from its call.
 */
#ifndef SANDTRACE_WSB_CALLS_H
#define SANDTRACE_WSB_CALLS_H

struct store;

/* Whether a record of PROVIDER and EVENT_ID whose payload is DATA (JSON text) may be a launcher
 * call: a process start (Security 4688, Sysmon 1) whose payload mentions "wsb" or
 * "WindowsSandbox", ignoring the case of ASCII letters. Asked by the writer as it stores each
 * record (store_add_launcher_candidate); wsb_calls_derive reads only those records, and keeps
 * those whose CommandLine mentions them, as SQLite's LIKE '%wsb%' would. */
int wsb_calls_may_mention_launcher(const char *provider, unsigned event_id, const char *data);

/* Derives the wsb_calls rows (and the inline command-line configurations) over the whole store.
 * Runs after every task is stored and after store_clear_derived. Returns 0 or -1. */
int wsb_calls_derive(struct store *store);

#endif
