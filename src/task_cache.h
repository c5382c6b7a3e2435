/*
 * task_cache.h - scheduled tasks as the registry's TaskCache knows them (METHOD.md §4.2), decoded
 * once, at ingest: each Tasks\{GUID} entry becomes a tasks row (source "taskcache") with its
 * decoded actions, triggers and last-run times, and the cross-checks between Tree, Tasks and the
 * task files found become taskcache_findings rows: a Tree key without SD (Tarrask-style hiding),
 * without Index, a task with no XML file (registry-only task), and the rest of §4.2's table. The
 * host facts (correlate/host_facts.c) turn those rows into facts of kind "task_cache" without
 * reading a TaskCache blob again.
 */
#ifndef SANDTRACE_TASK_CACHE_H
#define SANDTRACE_TASK_CACHE_H

struct store;

/* Replaces the taskcache tasks and findings from every stored reg_values row of every SOFTWARE
 * hive. Runs after the task files and the 4698/4702 tasks are stored. Returns 0 or -1. */
int task_cache_derive(struct store *store);

#endif
