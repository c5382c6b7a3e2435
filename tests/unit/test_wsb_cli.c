/*
 * test_wsb_cli.c - wsb.exe / WindowsSandbox.exe command lines read as typed calls (parsers/wsb_cli.c,
 * METHOD.md §5.2): every spelling of every option reads the same, and what is not a call is none.
 * The expected values are read off each command line by hand (§5.2's option table).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "parsers/wsb_cli.h"

#define GUID_A "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047"

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Issue 10, class 5: "--allow-write", "-w", "=true", "=false", "=0" read the one way. */
static void test_share_spellings(void)
{
	static const struct {
		const char *line;
		int allow_write;
	} CASES[] = {
		{"wsb share --id " GUID_A " -f C:\\Users -s C:\\x --allow-write", 1},
		{"wsb.exe share --id " GUID_A " -f C:\\Users -s C:\\x -w", 1},
		{"wsb share --id " GUID_A " --host-path=C:\\Users -s C:\\x --allow-write=true", 1},
		{"wsb share --id " GUID_A " -f C:\\Users -s C:\\x --allow-write=false", 0},
		{"wsb share --id " GUID_A " -f C:\\Users -s C:\\x --allow-write=0", 0},
		{"wsb share --id " GUID_A " -f \"C:\\Users\" -s C:\\x", 0},
	};
	struct wsb_cli_call call;

	for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
		CHECK_INT(wsb_cli_parse(CASES[i].line, &call), 1);
		CHECK_STR(call.verb, "share");
		CHECK_STR(call.vm_id, GUID_A);
		CHECK_STR(call.host_path, "C:\\Users");
		CHECK_STR(call.sandbox_path, "C:\\x");
		CHECK_INT(call.allow_write, CASES[i].allow_write);
		CHECK(!call.config_path && !call.inline_config);
		wsb_cli_call_clear(&call);
	}
}

/* Every field of the call, for each launcher form of §5.2. */
static void test_fields(void)
{
	static const struct {
		const char *line;
		int result;
		const char *verb, *vm_id, *command, *run_as, *config_path, *inline_config;
	} CASES[] = {
		{"\"C:\\Windows\\System32\\WindowsSandbox.exe\" C:\\Windows\\System32\\box.wsb", 1, NULL,
		 NULL, NULL, NULL, "C:\\Windows\\System32\\box.wsb", NULL},
		{"\"C:\\Users\\k\\AppData\\Local\\Microsoft\\WindowsApps\\wsb.exe\" exec --id "
		 "{e7a13c52-98d4-4f0b-b6c1-3d5f2a8e9047} --command calc --run-as SYSTEM",
		 1, "exec", "{e7a13c52-98d4-4f0b-b6c1-3d5f2a8e9047}", "calc", "SYSTEM", NULL, NULL},
		/* Microsoft's own example writes the en dash "–-id" */
		{"wsb.exe exec \xE2\x80\x93-id " GUID_A " -c x.exe -r System", 1, "exec", GUID_A, "x.exe",
		 "System", NULL, NULL},
		{"wsb exec --id=" GUID_A " --command=x.exe --run-as=System", 1, "exec", GUID_A, "x.exe",
		 "System", NULL, NULL},
		{"wsb start --config C:\\cfg\\a.wsb", 1, "start", NULL, "C:\\cfg\\a.wsb", NULL,
		 "C:\\cfg\\a.wsb", NULL},
		{"wsb start --config \"<Configuration><Networking>Enable</Networking></Configuration>\"", 1,
		 "start", NULL, "<Configuration><Networking>Enable</Networking></Configuration>", NULL,
		 NULL, "<Configuration><Networking>Enable</Networking></Configuration>"},
		{"wsb stop --id " GUID_A, 1, "stop", GUID_A, NULL, NULL, NULL, NULL},
		{"cmd /c echo share --allow-write", 0, NULL, NULL, NULL, NULL, NULL, NULL},
		{"notwsb.exe exec --id " GUID_A " -c calc -r System", 0, NULL, NULL, NULL, NULL, NULL, NULL},
		{"wsb.exe", 0, NULL, NULL, NULL, NULL, NULL, NULL},
	};
	struct wsb_cli_call call;

	for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
		int ok;

		CHECK_INT(wsb_cli_parse(CASES[i].line, &call), CASES[i].result);
		ok = same(call.verb, CASES[i].verb) && same(call.vm_id, CASES[i].vm_id) &&
		     same(call.command, CASES[i].command) && same(call.run_as, CASES[i].run_as) &&
		     same(call.config_path, CASES[i].config_path) &&
		     same(call.inline_config, CASES[i].inline_config);
		if (!ok)
			fprintf(stderr, "line %zu: verb %s id %s command %s run_as %s config %s inline %s\n",
				i, call.verb ? call.verb : "-", call.vm_id ? call.vm_id : "-",
				call.command ? call.command : "-", call.run_as ? call.run_as : "-",
				call.config_path ? call.config_path : "-",
				call.inline_config ? call.inline_config : "-");
		CHECK(ok);
		wsb_cli_call_clear(&call);
	}
	CHECK_INT(wsb_cli_parse(NULL, &call), 0);
}

int main(void)
{
	test_share_spellings();
	test_fields();
	return check_done("wsb_cli");
}
