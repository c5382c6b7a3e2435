/*
 * host_facts.h - host facts from the registry rows in the store: the Windows Sandbox feature state,
 * its group policy, the audit policy and what it means for the events sessions rely on, command-
 * line auditing, the sandbox's services and the computer's name (METHOD.md §2, §3).
 *
 * Reads only the store (reg_values) and writes only the facts table; every fact names the rows
 * it rests on ("reg_values:12,13") or says that it rests on their absence.
 */
#ifndef SANDTRACE_CORRELATE_HOST_FACTS_H
#define SANDTRACE_CORRELATE_HOST_FACTS_H

#include <stdio.h>

struct store;

/* Replaces the facts table with facts derived from the stored registry rows. Returns 0 or -1. */
int host_facts_derive(struct store *store);

/* Prints the facts table for people: one block per kind, each fact with its basis. */
int host_facts_print(struct store *store, FILE *out);

#endif
