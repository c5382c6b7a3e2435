/*
 * attack.c - ATT&CK Enterprise tactics and the techniques sandtrace's rules name (see attack.h).
 * Names and tactic membership as published in ATT&CK Enterprise v15 (attack.mitre.org).
 */
#include "attack.h"

#include <string.h>

static const struct attack_tactic TACTICS[] = {
	{"Reconnaissance", "reconnaissance"},
	{"Resource Development", "resource-development"},
	{"Initial Access", "initial-access"},
	{"Execution", "execution"},
	{"Persistence", "persistence"},
	{"Privilege Escalation", "privilege-escalation"},
	{"Defense Evasion", "defense-evasion"},
	{"Credential Access", "credential-access"},
	{"Discovery", "discovery"},
	{"Lateral Movement", "lateral-movement"},
	{"Collection", "collection"},
	{"Command and Control", "command-and-control"},
	{"Exfiltration", "exfiltration"},
	{"Impact", "impact"},
};

static const struct attack_technique TECHNIQUES[] = {
	{"T1053.005", "Scheduled Task/Job: Scheduled Task", "Execution|Persistence|Privilege Escalation"},
	{"T1059.003", "Command and Scripting Interpreter: Windows Command Shell", "Execution"},
	{"T1564", "Hide Artifacts", "Defense Evasion"},
	{"T1564.006", "Hide Artifacts: Run Virtual Instance", "Defense Evasion"},
	{"T1027", "Obfuscated Files or Information", "Defense Evasion"},
	{"T1036.005", "Masquerading: Match Legitimate Name or Location", "Defense Evasion"},
	{"T1070.001", "Indicator Removal: Clear Windows Event Logs", "Defense Evasion"},
	{"T1140", "Deobfuscate/Decode Files or Information", "Defense Evasion"},
	{"T1005", "Data from Local System", "Collection"},
};

const struct attack_tactic *attack_tactics(size_t *count)
{
	*count = sizeof TACTICS / sizeof TACTICS[0];
	return TACTICS;
}

const struct attack_technique *attack_technique(const char *id)
{
	for (size_t i = 0; id && i < sizeof TECHNIQUES / sizeof TECHNIQUES[0]; i++)
		if (strcmp(TECHNIQUES[i].id, id) == 0)
			return &TECHNIQUES[i];
	return NULL;
}

int attack_technique_in_tactic(const struct attack_technique *technique, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = technique ? technique->tactics : ""; *p;) {
		size_t m = strcspn(p, "|");
		if (m == n && memcmp(p, name, n) == 0)
			return 1;
		p += m;
		if (*p)
			p++;
	}
	return 0;
}
