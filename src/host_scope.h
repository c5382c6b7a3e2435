/*
 * host_scope.h - one host of a case of several: the read commands' --host NAME (METHOD.md §8.9).
 *
 * host_scope_enter makes the store's connection show only one host's rows: its evidence files
 * (evidence_hosts), their records, registry values, tasks and configurations, its facts,
 * sessions (with their links and findings) and other VMs. Every query run on that connection
 * afterwards, through the tables or the views of schema.sql, sees that host alone; nothing is
 * copied and the store file is not written. host_scope_leave shows the whole case again.
 */
#ifndef SANDTRACE_HOST_SCOPE_H
#define SANDTRACE_HOST_SCOPE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The host of STORE the user named WANTED: the same name without regard to case, or the same
 * first DNS label ("pc-k01" finds PC-K01.corp.example). Returns 0 with *HOST_ID set and the
 * host's stored name in MESSAGE; 1 when no host or more than one matches (MESSAGE says so and
 * lists the case's hosts: a usage error); -1 on a store error (in MESSAGE). */
int host_scope_find(struct store *store, const char *wanted, int64_t *host_id, char *message,
		    size_t message_size);

/* Shows only host HOST_ID's rows on STORE's connection until host_scope_leave; HOST_ID
 * STORE_SCOPE_UNASSIGNED (store.h) shows what no single host holds (evidence_hosts.host_id NULL,
 * and the facts and sessions without a host). 0, or -1 with the reason in ERR (then nothing is
 * scoped). */
int host_scope_enter(struct store *store, int64_t host_id, char *err, size_t err_size);

/* A part of a case of several hosts: a host, or (id STORE_SCOPE_UNASSIGNED, name "(no single
 * host)") what no single host holds. */
struct host_scope_part {
	int64_t id;
	char *name;
};

struct host_scope_list {
	struct host_scope_part *parts;
	size_t count;
};

/* The parts a whole-case output of STORE is split into (METHOD.md §8.9): each host in id (name)
 * order, then what no single host holds when there is any (files no host could be given to,
 * facts and sessions without a host). Empty when the case holds one host or none: it is then
 * read as one. Free with host_scope_parts_free. 0 or -1 (store_error says why). */
int host_scope_parts(struct store *store, struct host_scope_list *list);
void host_scope_parts_free(struct host_scope_list *list);

/* Shows the whole case again (a store not scoped is left as it is). 0 or -1. */
int host_scope_leave(struct store *store);

#endif
