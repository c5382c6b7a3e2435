/*
 * hosts.h - which computer each evidence file of a case belongs to (METHOD.md §2.7).
 *
 * A case may hold the collections of several computers. Before any fact or session is derived,
 * the files that name their host (a SYSTEM hive by its ComputerName, an event log by the
 * System/Computer of its records) establish the hosts; every other file takes the host of the
 * nearest enclosing folder whose self-naming files name exactly one host, or the only host of the
 * case; a file neither gives is left unassigned, with the reason. Reads the store, writes the
 * hosts and evidence_hosts tables only.
 */
#ifndef SANDTRACE_CORRELATE_HOSTS_H
#define SANDTRACE_CORRELATE_HOSTS_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Replaces the hosts and evidence_hosts tables with what the stored evidence says. Sets *HOSTS to
 * the number of hosts and *UNASSIGNED to the number of evidence files given to none (either may
 * be NULL). Returns 0 or -1. */
int hosts_establish(struct store *store, size_t *hosts, size_t *unassigned);

/* The number of hosts established (their ids are 1..*HOSTS, in name order) and of evidence files
 * given to none. Returns 0 or -1. */
int hosts_count(struct store *store, size_t *hosts, size_t *unassigned);

/* Whether host names A and B name the same machine: equal without regard to case, comparing only
 * the first DNS label when one of them is a bare name ("PC-K01" and "PC-K01.corp.example"). */
int hosts_same_name(const char *a, const char *b);

#endif
