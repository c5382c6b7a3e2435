/*
 * attack_layer.h - a MITRE ATT&CK Navigator layer of the techniques the findings name, scored by
 * how often and how strongly they were seen, each technique commented with the rules and sessions.
 */
#ifndef SANDTRACE_EXPORT_ATTACK_LAYER_H
#define SANDTRACE_EXPORT_ATTACK_LAYER_H

#include <stdio.h>

struct store;

/* Writes the layer JSON to OUT. Returns 0 or -1. */
int attack_layer_write(struct store *store, const char *case_name, FILE *out);

#endif
