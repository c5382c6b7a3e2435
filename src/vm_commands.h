/*
 * vm_commands.h - the commands the host ran in a VM decoded once, at ingest (METHOD.md §1.4,
 * §1.10): every record whose catalogue row gives the command role (Hyper-V-Compute 2500) becomes a
 * vm_commands row with its command line and user, read from the layout's parameters JSON text or
 * from its plain fields, as the catalogue row names them.
 */
#ifndef SANDTRACE_VM_COMMANDS_H
#define SANDTRACE_VM_COMMANDS_H

struct store;

/* How a parameters text was read (§1.10). */
struct vm_command_parameters {
	char *command_line, *user; /* malloc'ed, NULL when absent */
	const char *read_as;       /* "json", "verbatim" or "none" (no CommandLine nor User) */
	char *note;                /* malloc'ed, NULL when the text is valid JSON read as such */
};

/* Reads CommandLine and User from TEXT (may be NULL): decoded when TEXT is valid JSON, verbatim
 * between the quotes otherwise. Free with vm_commands_parameters_clear. Returns 0, or -1 when
 * memory runs out. */
int vm_commands_parse_parameters(const char *text, struct vm_command_parameters *out);
void vm_commands_parameters_clear(struct vm_command_parameters *p);

/* Derives the vm_commands rows over the whole store. Runs after every log is stored and after
 * store_clear_derived. Returns 0 or -1. */
int vm_commands_derive(struct store *store);

#endif
