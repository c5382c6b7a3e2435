/*
 * task_cache.h - scheduled tasks as the registry's TaskCache knows them (METHOD.md §4.2): each
 * Tasks\{GUID} entry becomes a tasks row (source "taskcache") with its decoded actions, triggers
 * and last-run times, and the cross-checks between Tree, Tasks and the task files found become
 * facts (kind "task_cache"): a Tree key without SD (Tarrask-style hiding), without Index, a task
 * with no XML file (registry-only task), and the rest of §4.2's table.
 */
#ifndef SANDTRACE_CORRELATE_TASK_CACHE_H
#define SANDTRACE_CORRELATE_TASK_CACHE_H

#include <stddef.h>

struct store;
struct store_reg_value;

/* Replaces the taskcache tasks and adds the task_cache facts, from ROWS (all reg_values rows, as
 * store_load_reg_values gives them). Returns 0 or -1. */
int task_cache_derive(struct store *store, const struct store_reg_value *rows, size_t count);

#endif
