/*
 * cli.h - the sub-commands: each parses its own options and calls one module.
 * Each returns the process exit code (0 ok, 1 problems the user must see, 2 usage error).
 */
#ifndef SANDTRACE_CLI_H
#define SANDTRACE_CLI_H

int cli_ingest(int argc, char **argv);
int cli_facts(int argc, char **argv);
int cli_correlate(int argc, char **argv);
int cli_sessions(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_record(int argc, char **argv);
int cli_timeline(int argc, char **argv);
int cli_analyze(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_hive(int argc, char **argv);

#endif
