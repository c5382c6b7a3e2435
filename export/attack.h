/*
 * attack.h - the MITRE ATT&CK Enterprise names the report and the Navigator layer use: the
 * techniques the findings rules (correlate/rules.def) can name, with their tactics, and every
 * Enterprise tactic in matrix order. One table for both exports.
 */
#ifndef SANDTRACE_EXPORT_ATTACK_H
#define SANDTRACE_EXPORT_ATTACK_H

#include <stddef.h>

struct attack_tactic {
	const char *name;       /* "Defense Evasion" */
	const char *short_name; /* "defense-evasion", Navigator's tactic field */
};

struct attack_technique {
	const char *id, *name;
	const char *tactics;    /* '|'-separated tactic names, in matrix order */
};

/* Every Enterprise tactic, in the order of the ATT&CK matrix; *COUNT is set. */
const struct attack_tactic *attack_tactics(size_t *count);

/* The technique ID ("T1564.006"), or NULL if the table does not know it. */
const struct attack_technique *attack_technique(const char *id);

/* Whether TECHNIQUE (may be NULL) belongs to the tactic NAME. */
int attack_technique_in_tactic(const struct attack_technique *technique, const char *name);

#endif
