/*
 * test_rules.c - unit tests for correlate/rules.c: the rule table against METHOD.md §7 (copied
 * here by hand, so a wrong row in either place fails), the verdict thresholds, every rule firing
 * and not firing on hand-built sessions (with the edges §7 sets: 7 days, 24 hours, 3 sessions,
 * profile root vs deeper folder, read-only vs writable, default vs explicit networking, internal
 * shares), and the two sandbox sessions of the bundled case (testdata/README.md) with the
 * case's own MaintenanceSync.wsb parsed into the malicious one.
 *
 * Row ids (events.id, tasks.id, ...) are made up for the tests; the bundled-case sessions use the
 * TIMELINE.md line numbers as events.id so that a reader can find each record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "correlate/rules.h"
#include "parsers/wsb.h"
#include "parsers/wsb_cli.h"
#include "timeutil.h"

#define CASE_DIR SANDTRACE_SOURCE_DIR "/testdata/case/"

#define GUID_A "E7A13C52-98D4-4F0B-B6C1-3D5F2A8E9047"
#define GUID_B "2B9D6F14-C3E8-47A5-8F02-B41C7E6D35A9"

#define TICKS_PER_SECOND 10000000ULL
#define TICKS_PER_HOUR (3600ULL * TICKS_PER_SECOND)
#define TICKS_PER_DAY (24ULL * TICKS_PER_HOUR)

/* ---- helpers ---------------------------------------------------------------------------------- */

static struct finding *findings;
static size_t finding_count;

static uint64_t at(const char *iso)
{
	uint64_t t = 0;

	CHECK_INT(filetime_parse_iso(iso, &t), 0);
	return t;
}

/* A session with nothing known: every flag SESSION_UNKNOWN, no rows. */
static void session_init(struct session *s, int64_t id, const char *guid, uint64_t start,
			 uint64_t end)
{
	memset(s, 0, sizeof *s);
	s->id = id;
	snprintf(s->vm_guid, sizeof s->vm_guid, "%s", guid);
	s->start = start;
	s->end = end;
	s->trigger.hidden = SESSION_UNKNOWN;
	s->trigger.runs_at_boot_or_logon = SESSION_UNKNOWN;
	s->trigger.principal_is_system = SESSION_UNKNOWN;
	s->launcher.pid = SESSION_UNKNOWN;
	s->wsb.networking = SESSION_UNKNOWN;
}

static void evaluate(const struct session *s, const struct rules_context *c)
{
	rules_free_findings(findings, finding_count);
	findings = NULL;
	finding_count = 0;
	CHECK_INT(rules_evaluate(s, c, &findings, &finding_count), 0);
}

static const struct finding *found(const char *id)
{
	size_t i;

	for (i = 0; i < finding_count; i++)
		if (strcmp(findings[i].id, id) == 0)
			return &findings[i];
	return NULL;
}

static int fired(const char *id)
{
	return found(id) != NULL;
}

static int has_basis(const char *id, const char *basis)
{
	const struct finding *f = found(id);
	size_t i;

	for (i = 0; f && i < f->basis_count; i++)
		if (strcmp(f->basis[i], basis) == 0)
			return 1;
	return 0;
}

static int reason_has(const char *id, const char *text)
{
	const struct finding *f = found(id);

	return f && f->reason && strstr(f->reason, text) != NULL;
}

/* ---- the table -------------------------------------------------------------------------------- */

/* §7 as written in METHOD.md (plus the reduced score of ST-ARCHIVE-DISGUISED). */
static const struct {
	const char *id, *title;
	int score, reduced;
	const char *attack;
} DOC_RULES[] = {
	{"ST-TRIG-TASK", "Sandbox was started by a scheduled task", 30, 0, "T1053.005,T1564.006"},
	{"ST-TRIG-SYSTEM", "Sandbox was started by SYSTEM or a service, not by an interactive user",
	 20, 0, "T1564.006"},
	{"ST-TRIG-BOOT", "The starting task runs at boot or logon (persistence)", 10, 0,
	 "T1053.005"},
	{"ST-WSB-WRITE-PROFILE", "A user-profile or system folder of the host was mapped writable",
	 30, 0, "T1564.006,T1005"},
	{"ST-WSB-WRITE-OTHER", "A host folder was mapped writable", 10, 0, "T1564.006"},
	{"ST-WSB-LOGON-SCRIPT", "A logon command runs a script or batch file", 20, 0, "T1059.003"},
	{"ST-WSB-LOGON-FROM-SHARE", "The logon command runs a file from a mapped host folder", 15, 0,
	 "T1564.006"},
	{"ST-NET-ON", "Networking was available to the sandbox", 5, 0, ""},
	{"ST-CLI-EXEC-SYSTEM", "A command was run inside the sandbox as System from the host CLI", 20,
	 0, "T1564.006"},
	{"ST-CLI-SHARE-WRITE", "A host folder was shared into a running sandbox with write access",
	 15, 0, "T1564.006"},
	{"ST-VM-UNPACK", "A command in the sandbox unpacks an archive", 15, 0, "T1140"},
	{"ST-ARCHIVE-DISGUISED", "An encrypted archive with a misleading name sits in a mapped folder",
	 25, 15, "T1027,T1140"},
	{"ST-TASK-HIDDEN", "The starting task is hidden", 20, 0, "T1053.005,T1564"},
	{"ST-WSB-ODD-PLACE", "The configuration file is kept in a system folder", 10, 0, "T1036.005"},
	{"ST-FEATURE-FRESH", "The Windows Sandbox feature was enabled shortly before first use", 10, 0,
	 ""},
	{"ST-LOG-CLEARED", "An event log was cleared around the session", 20, 0, "T1070.001"},
	{"ST-REPEATED", "The same configuration ran the sandbox repeatedly", 10, 0, "T1053.005"},
};

static void test_table_is_section_7(void)
{
	size_t i, n = sizeof DOC_RULES / sizeof DOC_RULES[0];

	CHECK_INT(rules_table_count(), n);
	for (i = 0; i < n && i < rules_table_count(); i++) {
		const struct rule *row = rules_table_row(i);

		CHECK_STR(row->id, DOC_RULES[i].id);
		CHECK_STR(row->title, DOC_RULES[i].title);
		CHECK_INT(row->score, DOC_RULES[i].score);
		CHECK_INT(row->reduced_score, DOC_RULES[i].reduced);
		CHECK_STR(row->attack, DOC_RULES[i].attack);
		CHECK(row->section && strncmp(row->section, "§", strlen("§")) == 0);
		CHECK(row->condition && row->condition[0]);
		CHECK(rules_table_find(DOC_RULES[i].id) == row);
	}
	CHECK(rules_table_row(n) == NULL);
	CHECK(rules_table_find("ST-NO-SUCH-RULE") == NULL);
	CHECK(rules_table_find(NULL) == NULL);
}

static void test_verdict_thresholds(void)
{
	CHECK_STR(rules_verdict(0), "benign-looking");
	CHECK_STR(rules_verdict(24), "benign-looking");
	CHECK_STR(rules_verdict(25), "suspicious");
	CHECK_STR(rules_verdict(59), "suspicious");
	CHECK_STR(rules_verdict(60), "malicious");
	CHECK_STR(rules_verdict(160), "malicious");
}

static void test_sum_of_scores(void)
{
	struct finding two[2];

	memset(two, 0, sizeof two);
	two[0].score = 10;
	two[1].score = 15;
	CHECK_INT(rules_sum_scores(two, 2), 25);
	CHECK_STR(rules_verdict(rules_sum_scores(two, 2)), "suspicious");
	CHECK_INT(rules_sum_scores(two, 1), 10);
	CHECK_INT(rules_sum_scores(NULL, 3), 0);
}

static void test_bad_arguments(void)
{
	struct session s;
	struct finding *f = (struct finding *)&f;
	size_t n = 99;

	session_init(&s, 1, GUID_A, 0, 0);
	CHECK_INT(rules_evaluate(NULL, NULL, &f, &n), -1);
	CHECK(f == NULL);
	CHECK_INT(n, 0);
	CHECK_INT(rules_evaluate(&s, NULL, NULL, &n), -1);
	CHECK_INT(rules_evaluate(&s, NULL, &f, NULL), -1);
}

/* ---- absence of evidence ---------------------------------------------------------------------- */

static void test_nothing_known_fires_nothing(void)
{
	struct session s;
	struct session_share share = {0};
	struct session_command command = {0};
	struct rules_context c;

	session_init(&s, 1, GUID_A, at("2025-01-07T00:00:00Z"), at("2025-01-07T01:00:00Z"));
	evaluate(&s, NULL);
	CHECK_INT(finding_count, 0);
	CHECK(findings == NULL);

	/* rows present but every value unknown or empty */
	share.host_path = "C:\\Users";
	share.share_flags = "0x1001020";
	share.read_only = SESSION_UNKNOWN;
	share.event_row = 5;
	command.command_line = "";
	command.user = "";
	s.shares = &share;
	s.share_count = 1;
	s.commands = &command;
	s.command_count = 1;
	s.trigger.kind = "unknown";
	s.wsb.logon_command = "";
	s.wsb.path = "";
	s.launcher.command_line = "";
	memset(&c, 0, sizeof c);
	c.sessions = &s;
	c.session_count = 1;
	evaluate(&s, &c);
	CHECK_INT(finding_count, 0);
}

/* ---- trigger rules ---------------------------------------------------------------------------- */

static void test_trigger_task(void)
{
	struct session s;

	session_init(&s, 1, GUID_A, 1, 2);
	s.trigger.kind = "task";
	s.trigger.task_name = "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync";
	s.trigger.task_id = 5;
	s.trigger.event_row = 99;
	s.trigger.link = "strong";
	evaluate(&s, NULL);
	CHECK(fired("ST-TRIG-TASK"));
	CHECK(has_basis("ST-TRIG-TASK", "tasks.id=5"));
	CHECK(has_basis("ST-TRIG-TASK", "events.id=99"));
	CHECK(reason_has("ST-TRIG-TASK", "MaintenanceSync"));
	CHECK_INT(found("ST-TRIG-TASK") ? found("ST-TRIG-TASK")->score : 0, 30);

	s.trigger.kind = "user";
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-TASK"));
	s.trigger.kind = NULL;
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-TASK"));
}

static void test_trigger_system(void)
{
	static const struct {
		const char *subject;
		int fires;
	} subjects[] = {
		{"S-1-5-18", 1},
		{"s-1-5-18", 1},
		{"NT AUTHORITY\\SYSTEM", 1},
		{"nt authority\\system", 1},
		{"SYSTEM", 1},
		{"S-1-5-19", 1},                 /* LOCAL SERVICE */
		{"S-1-5-20", 1},                 /* NETWORK SERVICE */
		{"S-1-5-80-1913148863-3492339771-4165695881-2087618961-4109116736", 1}, /* a service SID */
		{"S-1-5-180", 0},                /* not SYSTEM: exact match, not prefix */
		{"S-1-5-21-2874913052-1405867236-3967512238-1001", 0},
		{"k.tanaka", 0},
		{"", 0},
	};
	struct session s;
	size_t i;

	for (i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		s.launcher.subject_sid = (char *)subjects[i].subject;
		s.launcher.event_row = 96;
		evaluate(&s, NULL);
		if (fired("ST-TRIG-SYSTEM") != subjects[i].fires)
			fprintf(stderr, "subject %s\n", subjects[i].subject);
		CHECK_INT(fired("ST-TRIG-SYSTEM"), subjects[i].fires);
		if (subjects[i].fires)
			CHECK(has_basis("ST-TRIG-SYSTEM", "events.id=96"));
	}

	/* the task principal, as the correlator decided it */
	session_init(&s, 1, GUID_A, 1, 2);
	s.trigger.principal_is_system = 1;
	s.trigger.task_id = 5;
	evaluate(&s, NULL);
	CHECK(fired("ST-TRIG-SYSTEM"));
	CHECK(has_basis("ST-TRIG-SYSTEM", "tasks.id=5"));
	CHECK(found("ST-TRIG-SYSTEM") && found("ST-TRIG-SYSTEM")->reason[0] == 'T');
	s.trigger.principal_is_system = 0;
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-SYSTEM"));
	s.trigger.principal_is_system = SESSION_UNKNOWN;
	s.trigger.user = "LocalSystem";
	evaluate(&s, NULL);
	CHECK(fired("ST-TRIG-SYSTEM"));
	s.trigger.user = "PC-K01\\k.tanaka";
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-SYSTEM"));
}

static void test_trigger_boot_and_hidden(void)
{
	struct session s;

	session_init(&s, 1, GUID_A, 1, 2);
	s.trigger.kind = "task";
	s.trigger.task_id = 5;
	s.trigger.runs_at_boot_or_logon = 1;
	s.trigger.hidden = 1;
	evaluate(&s, NULL);
	CHECK(fired("ST-TRIG-BOOT"));
	CHECK(has_basis("ST-TRIG-BOOT", "tasks.id=5"));
	CHECK(fired("ST-TASK-HIDDEN"));
	CHECK(has_basis("ST-TASK-HIDDEN", "tasks.id=5"));

	s.trigger.runs_at_boot_or_logon = 0;
	s.trigger.hidden = 0;
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-BOOT"));
	CHECK(!fired("ST-TASK-HIDDEN"));

	s.trigger.runs_at_boot_or_logon = SESSION_UNKNOWN;
	s.trigger.hidden = SESSION_UNKNOWN;
	evaluate(&s, NULL);
	CHECK(!fired("ST-TRIG-BOOT"));
	CHECK(!fired("ST-TASK-HIDDEN"));
}

/* ---- mapped folders --------------------------------------------------------------------------- */

static void test_write_profile_roots(void)
{
	static const struct {
		const char *host;
		int profile; /* 1: ST-WSB-WRITE-PROFILE, 0: ST-WSB-WRITE-OTHER */
	} paths[] = {
		{"C:\\", 1},
		{"c:/", 1},
		{"C:", 1},
		{"C:\\Users", 1},
		{"c:\\users\\", 1},
		{"C:/Users/", 1},
		{"\"C:\\Users\"", 1},
		{"C:\\Users\\k.tanaka", 1},      /* a single profile root */
		{"C:\\Users\\k.tanaka\\", 1},
		{"C:\\Users\\Public", 1},
		{"C:\\Users\\k.tanaka\\Documents", 0}, /* deeper: not a root */
		{"C:\\Users\\Public\\Downloads", 0},
		{"C:\\Windows", 1},
		{"C:\\WINDOWS\\", 1},
		{"C:\\Windows\\Temp", 0},
		{"C:\\ProgramData", 1},
		{"C:\\ProgramData\\Vendor", 0},
		{"C:\\Program Files", 1},
		{"C:\\Program Files (x86)", 1},
		{"C:\\Program Files\\App", 0},
		{"C:\\UsersX", 0},               /* a name that only starts like a root */
		{"C:\\Windows.old", 0},
		{"C:\\Users\\Public\\..", 1},    /* resolves to C:\Users */
		{"C:\\Users\\.\\k.tanaka", 1},
		{"C:\\Users.", 1},               /* Win32 drops trailing dots */
		{"%SystemDrive%\\Users", 1},
		{"\\\\?\\C:\\Users", 1},
		{"D:\\work", 0},
		{"\\\\server\\share", 0},
	};
	struct session s;
	struct session_mapped_folder folder;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		memset(&folder, 0, sizeof folder);
		folder.host = (char *)paths[i].host;
		folder.sandbox = "C:\\HostFolder";
		folder.read_only = 0;
		s.wsb.config_id = 3;
		s.wsb.folders = &folder;
		s.wsb.folder_count = 1;
		evaluate(&s, NULL);
		if (fired("ST-WSB-WRITE-PROFILE") != paths[i].profile ||
		    fired("ST-WSB-WRITE-OTHER") != !paths[i].profile)
			fprintf(stderr, "host folder %s\n", paths[i].host);
		CHECK_INT(fired("ST-WSB-WRITE-PROFILE"), paths[i].profile);
		CHECK_INT(fired("ST-WSB-WRITE-OTHER"), !paths[i].profile);
		CHECK(has_basis(paths[i].profile ? "ST-WSB-WRITE-PROFILE" : "ST-WSB-WRITE-OTHER",
				"wsb_configs.id=3"));

		/* the same folder read-only, or of unknown writability, fires neither */
		folder.read_only = 1;
		evaluate(&s, NULL);
		CHECK(!fired("ST-WSB-WRITE-PROFILE"));
		CHECK(!fired("ST-WSB-WRITE-OTHER"));
		folder.read_only = SESSION_UNKNOWN;
		evaluate(&s, NULL);
		CHECK(!fired("ST-WSB-WRITE-PROFILE"));
		CHECK(!fired("ST-WSB-WRITE-OTHER"));
	}
}

static void test_write_both_rules_at_once(void)
{
	struct session s;
	struct session_mapped_folder folders[2];

	session_init(&s, 1, GUID_A, 1, 2);
	memset(folders, 0, sizeof folders);
	folders[0].host = "C:\\Users";
	folders[0].read_only = 0;
	folders[1].host = "D:\\Exchange";
	folders[1].read_only = 0;
	s.wsb.folders = folders;
	s.wsb.folder_count = 2;
	evaluate(&s, NULL);
	CHECK(fired("ST-WSB-WRITE-PROFILE"));
	CHECK(fired("ST-WSB-WRITE-OTHER"));
	CHECK(reason_has("ST-WSB-WRITE-PROFILE", "C:\\Users"));
	CHECK(reason_has("ST-WSB-WRITE-OTHER", "D:\\Exchange"));
	CHECK_INT(rules_sum_scores(findings, finding_count), 40);

	/* two writable roots of one configuration: one finding, its row named once */
	folders[1].host = "C:\\Windows";
	s.wsb.config_id = 3;
	evaluate(&s, NULL);
	CHECK_INT(finding_count, 1);
	CHECK(found("ST-WSB-WRITE-PROFILE") && found("ST-WSB-WRITE-PROFILE")->basis_count == 1);
	CHECK(reason_has("ST-WSB-WRITE-PROFILE", "and 1 more"));
}

static void test_shares_never_read_from_flags_and_internal_ignored(void)
{
	struct session s;
	struct session_share shares[4];

	/* a 301 of C:\Users with no configuration: context only, never writable by its flags */
	session_init(&s, 1, GUID_A, 1, 2);
	memset(shares, 0, sizeof shares);
	shares[0].host_path = "C:\\Users";
	shares[0].share_flags = "0x1001020";
	shares[0].read_only = SESSION_UNKNOWN;
	shares[0].event_row = 112;
	s.shares = shares;
	s.share_count = 1;
	evaluate(&s, NULL);
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));
	CHECK(!fired("ST-WSB-WRITE-OTHER"));

	/* writability known from the matching .wsb folder: fires, with the 301 row as basis */
	shares[0].read_only = 0;
	evaluate(&s, NULL);
	CHECK(fired("ST-WSB-WRITE-PROFILE"));
	CHECK(has_basis("ST-WSB-WRITE-PROFILE", "events.id=112"));

	/* internal shares (by path, or flagged) are never mapped folders, even if marked writable */
	shares[0].host_path =
		"C:\\ProgramData\\Microsoft\\Windows\\Containers\\BaseImages\\"
		"0949cec7-8165-4167-8c7d-41dcd2ae7b43\\BaseLayer\\Files";
	shares[1].host_path = "c:/program files/WindowsApps/MicrosoftWindows.WindowsSandbox_1.0_x64";
	shares[1].read_only = 0;
	shares[2].host_path = "C:\\Users";
	shares[2].internal = 1;
	shares[2].read_only = 0;
	shares[3].host_path = "C:\\ProgramData\\Microsoft\\Windows\\Containers";
	shares[3].read_only = 0;
	s.share_count = 4;
	evaluate(&s, NULL);
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));
	CHECK(!fired("ST-WSB-WRITE-OTHER"));
	CHECK_INT(finding_count, 0);
}

/* ---- commands --------------------------------------------------------------------------------- */

static void test_logon_script(void)
{
	static const struct {
		const char *command;
		int fires;
	} commands[] = {
		{"C:\\HostUsers\\Public\\Downloads\\run.bat", 1},
		{"\"C:\\Users\\WDAGUtilityAccount\\Desktop\\x\\SETUP.CMD\"", 1},
		{"powershell -ExecutionPolicy Bypass -File C:\\s\\a.ps1", 1},
		{"powershell.exe -enc SQBFAFgA", 1},
		{"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -c Get-Date", 1},
		{"cmd /c echo hi", 1},
		{"cmd.exe /C dir", 1},
		{"C:\\Windows\\System32\\cmd.exe /k whoami", 1},
		{"wscript.exe C:\\a\\b.vbs", 1},
		{"cscript //nologo C:\\a\\b.js", 1},
		{"notepad.exe C:\\a\\data.json", 0},   /* .json is not .js */
		{"explorer.exe C:\\users\\WDAGUtilityAccount\\Downloads", 0}, /* MS example 1 */
		{"cmd.exe", 0},                        /* no /c */
		{"cmd.exe /q", 0},
		{"cmd.exe /d /q /c C:\\x\\tool.exe", 1}, /* /c after other switches */
		{"C:\\tools\\batchelor.exe", 0},
		{".bat", 0},                            /* an extension alone names no file */
	};
	struct session s;
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		s.wsb.config_id = 3;
		s.wsb.logon_command = (char *)commands[i].command;
		evaluate(&s, NULL);
		if (fired("ST-WSB-LOGON-SCRIPT") != commands[i].fires)
			fprintf(stderr, "LogonCommand %s\n", commands[i].command);
		CHECK_INT(fired("ST-WSB-LOGON-SCRIPT"), commands[i].fires);
		if (commands[i].fires)
			CHECK(has_basis("ST-WSB-LOGON-SCRIPT", "wsb_configs.id=3"));
	}

	/* a 2500 command alone, no configuration */
	{
		struct session_command command = {0};

		session_init(&s, 1, GUID_A, 1, 2);
		command.command_line = "C:\\HostUsers\\Public\\Downloads\\run.bat";
		command.user = "WDAGUtilityAccount";
		command.event_row = 116;
		s.commands = &command;
		s.command_count = 1;
		evaluate(&s, NULL);
		CHECK(fired("ST-WSB-LOGON-SCRIPT"));
		CHECK(has_basis("ST-WSB-LOGON-SCRIPT", "events.id=116"));
		CHECK(!has_basis("ST-WSB-LOGON-SCRIPT", "wsb_configs.id=3"));
		CHECK(reason_has("ST-WSB-LOGON-SCRIPT", "2500"));
	}
}

static void test_logon_from_share(void)
{
	static const struct {
		const char *command;
		const char *sandbox;
		int fires;
	} cases[] = {
		{"C:\\HostUsers\\Public\\Downloads\\run.bat", "C:\\HostUsers", 1},
		{"c:/hostusers/Public/run.bat", "C:\\HostUsers\\", 1},
		{"cmd /c \"C:\\HostUsers\\a b\\run.bat\"", "C:\\HostUsers", 1},
		{"cmd /c \"call C:\\HostUsers\\x.bat & exit\"", "C:\\HostUsers", 1},
		{"C:\\HostUsersX\\run.bat", "C:\\HostUsers", 0},
		{"C:\\HostUsers\\..\\Windows\\x.bat", "C:\\HostUsers", 0},
		/* Microsoft's example 1: opening the mapped folder itself runs no file from it */
		{"explorer.exe C:\\users\\WDAGUtilityAccount\\Downloads",
		 "C:\\Users\\WDAGUtilityAccount\\Downloads", 0},
		{"explorer.exe", "C:\\Users\\WDAGUtilityAccount\\Downloads", 0},
	};
	struct session s;
	struct session_mapped_folder folder;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		memset(&folder, 0, sizeof folder);
		folder.host = "C:\\Users";
		folder.sandbox = (char *)cases[i].sandbox;
		folder.read_only = 1;
		s.wsb.config_id = 3;
		s.wsb.folders = &folder;
		s.wsb.folder_count = 1;
		s.wsb.logon_command = (char *)cases[i].command;
		evaluate(&s, NULL);
		if (fired("ST-WSB-LOGON-FROM-SHARE") != cases[i].fires)
			fprintf(stderr, "command %s, sandbox %s\n", cases[i].command,
				cases[i].sandbox);
		CHECK_INT(fired("ST-WSB-LOGON-FROM-SHARE"), cases[i].fires);
	}

	/* a folder of unknown sandbox path (a bare 301) links no command */
	{
		struct session_share share = {0};

		session_init(&s, 1, GUID_A, 1, 2);
		share.host_path = "C:\\Users";
		share.read_only = SESSION_UNKNOWN;
		s.shares = &share;
		s.share_count = 1;
		s.wsb.logon_command = "C:\\Users\\Public\\run.bat";
		evaluate(&s, NULL);
		CHECK(!fired("ST-WSB-LOGON-FROM-SHARE"));
	}
}

static void test_networking(void)
{
	struct session s;
	struct session_network network[2];

	session_init(&s, 1, GUID_A, 1, 2);
	s.wsb.config_id = 3;
	s.wsb.networking = 1;
	s.wsb.networking_origin = "explicit";
	evaluate(&s, NULL);
	CHECK(fired("ST-NET-ON"));
	CHECK(reason_has("ST-NET-ON", "explicitly"));
	CHECK(!reason_has("ST-NET-ON", "by default"));
	CHECK(has_basis("ST-NET-ON", "wsb_configs.id=3"));
	CHECK_INT(found("ST-NET-ON") ? found("ST-NET-ON")->score : 0, 5);
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "benign-looking");

	s.wsb.networking_origin = "default";
	evaluate(&s, NULL);
	CHECK(fired("ST-NET-ON"));
	CHECK(reason_has("ST-NET-ON", "by default"));
	CHECK(!reason_has("ST-NET-ON", "explicitly"));

	s.wsb.networking = 0;
	evaluate(&s, NULL);
	CHECK(!fired("ST-NET-ON"));
	s.wsb.networking = SESSION_UNKNOWN;
	evaluate(&s, NULL);
	CHECK(!fired("ST-NET-ON"));

	/* §5.1/§7.8: a launch with no configuration has networking on by default, resting on the
	 * launcher record and the policy fact; a disabled AllowNetworking policy turns it off */
	{
		struct rules_context c;

		memset(&c, 0, sizeof c);
		s.wsb.config_id = 0;
		s.wsb.networking_origin = NULL;
		s.launcher.image = "C:\\Windows\\System32\\WindowsSandbox.exe";
		s.launcher.event_row = 41;
		c.networking_policy = "not configured";
		c.networking_policy_row = 9;
		evaluate(&s, &c);
		CHECK(fired("ST-NET-ON"));
		CHECK(reason_has("ST-NET-ON", "by default"));
		CHECK(reason_has("ST-NET-ON", "no configuration"));
		CHECK(has_basis("ST-NET-ON", "events.id=41"));
		CHECK(has_basis("ST-NET-ON", "facts.id=9"));
		CHECK_INT(found("ST-NET-ON") ? found("ST-NET-ON")->score : 0, 5);
		c.networking_policy = "disabled";
		evaluate(&s, &c);
		CHECK(!fired("ST-NET-ON"));
		/* a configuration without <Networking>: default, unless the policy is disabled */
		s.wsb.config_id = 3;
		s.wsb.networking = 1;
		s.wsb.networking_origin = "absent";
		evaluate(&s, &c);
		CHECK(!fired("ST-NET-ON"));
		c.networking_policy = NULL;
		evaluate(&s, &c);
		CHECK(fired("ST-NET-ON"));
		CHECK(reason_has("ST-NET-ON", "by default"));
		CHECK(has_basis("ST-NET-ON", "wsb_configs.id=3"));
		/* an explicit setting is judged as written (§2.2) */
		s.wsb.networking_origin = "explicit";
		c.networking_policy = "disabled";
		evaluate(&s, &c);
		CHECK(fired("ST-NET-ON"));
		/* a .wsb named but not collected: its setting is unknown, nothing claimed */
		s.wsb.config_id = 0;
		s.wsb.networking = SESSION_UNKNOWN;
		s.wsb.path = "C:\\x.wsb";
		c.networking_policy = "not configured";
		evaluate(&s, &c);
		CHECK(!fired("ST-NET-ON"));
		/* no launcher: nothing is known of the launch, nothing claimed */
		s.wsb.path = NULL;
		s.launcher.event_row = 0;
		evaluate(&s, &c);
		CHECK(!fired("ST-NET-ON"));
		s.launcher.image = NULL;
	}

	/* a linked VmSwitch NIC connect alone */
	memset(network, 0, sizeof network);
	network[0].event = "nic-disconnected";
	network[0].event_row = 148;
	s.network = network;
	s.network_count = 1;
	evaluate(&s, NULL);
	CHECK(!fired("ST-NET-ON"));
	network[1].event = "nic-connected";
	network[1].nic_name = GUID_A "--3F8A2B61-0C4D-4E5F-9A7B-6C1D2E3F4A5B";
	network[1].link = "strong";
	network[1].event_row = 115;
	s.network_count = 2;
	evaluate(&s, NULL);
	CHECK(fired("ST-NET-ON"));
	CHECK(has_basis("ST-NET-ON", "events.id=115"));
	CHECK(!has_basis("ST-NET-ON", "events.id=148"));
	CHECK(reason_has("ST-NET-ON", "strong"));
}

/* ---- wsb.exe command lines -------------------------------------------------------------------- */

/* A host command line as the rules receive it: decoded once by parsers/wsb_cli.c (as ingest does
 * into wsb_calls), at TIME from record ROW; C then holds it, or no call when LINE is none. */
struct test_call {
	struct wsb_cli_call parsed;
	struct rules_wsb_call call;
};

static void set_call(struct test_call *t, const char *line, uint64_t time, int64_t row,
		     struct rules_context *c)
{
	wsb_cli_call_clear(&t->parsed);
	memset(&t->call, 0, sizeof t->call);
	c->wsb_calls = &t->call;
	c->wsb_call_count = 0;
	if (wsb_cli_parse(line, &t->parsed) != 1 || !t->parsed.verb)
		return;
	t->call = (struct rules_wsb_call){time, t->parsed.verb, t->parsed.vm_id, t->parsed.command,
					  t->parsed.run_as, t->parsed.host_path,
					  t->parsed.sandbox_path, t->parsed.allow_write, row};
	c->wsb_call_count = 1;
}

static void test_cli_exec_system(void)
{
	static const struct {
		const char *line;
		uint64_t offset; /* seconds after the session start */
		int fires;
	} lines[] = {
		{"wsb exec --id " GUID_A " -c \"cmd /c whoami\" -r System", 60, 1},
		/* tied by --id: these lie outside the session's time on purpose */
		{"\"C:\\Users\\k\\AppData\\Local\\Microsoft\\WindowsApps\\wsb.exe\" exec --id "
		 "{e7a13c52-98d4-4f0b-b6c1-3d5f2a8e9047} --command calc --run-as SYSTEM", 7200, 1},
		{"wsb.exe exec \xE2\x80\x93-id " GUID_A " -c x.exe -r System", 7200, 1}, /* MS's en dash */
		{"wsb exec --id=" GUID_A " --command=x.exe --run-as=System", 7200, 1},
		{"wsb exec --id " GUID_A " -c calc -r \"NT AUTHORITY\\LOCAL SERVICE\"", 60, 0},
		{"wsb stop --id " GUID_A " -r System", 60, 0},             /* not exec */
		{"wsb exec --id " GUID_A " -c calc -r ExistingLogin", 60, 0},
		{"wsb exec --id " GUID_B " -c calc -r System", 60, 0},   /* another VM */
		{"wsb exec --id " GUID_B " -c calc -r System", 99999, 0},
		{"wsb exec -c calc -r System", 60, 1},                     /* no --id: by time */
		{"wsb exec -c calc -r System", 7200, 0},                   /* after the end */
		{"notwsb.exe exec --id " GUID_A " -c calc -r System", 60, 0},
	};
	struct session s;
	struct test_call cli = {0};
	struct rules_context c;
	uint64_t start = at("2025-01-07T00:00:00Z");
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		session_init(&s, 1, GUID_A, start, start + TICKS_PER_HOUR);
		memset(&c, 0, sizeof c);
		set_call(&cli, lines[i].line, start + lines[i].offset * TICKS_PER_SECOND, 500, &c);
		evaluate(&s, &c);
		if (fired("ST-CLI-EXEC-SYSTEM") != lines[i].fires)
			fprintf(stderr, "command line %s\n", lines[i].line);
		CHECK_INT(fired("ST-CLI-EXEC-SYSTEM"), lines[i].fires);
		if (lines[i].fires)
			CHECK(has_basis("ST-CLI-EXEC-SYSTEM", "events.id=500"));
	}

	/* a 2500 whose User is System */
	{
		struct session_command command = {0};

		session_init(&s, 1, GUID_A, start, start + TICKS_PER_HOUR);
		command.command_line = "cmd.exe";
		command.user = "NT AUTHORITY\\SYSTEM";
		command.event_row = 77;
		s.commands = &command;
		s.command_count = 1;
		evaluate(&s, NULL);
		CHECK(fired("ST-CLI-EXEC-SYSTEM"));
		CHECK(has_basis("ST-CLI-EXEC-SYSTEM", "events.id=77"));
		command.user = "WDAGUtilityAccount";
		evaluate(&s, NULL);
		CHECK(!fired("ST-CLI-EXEC-SYSTEM"));
	}
	wsb_cli_call_clear(&cli.parsed);
}

static void test_cli_share_write(void)
{
	struct session s;
	struct test_call cli = {0};
	struct rules_context c;
	uint64_t start = at("2025-01-07T00:00:00Z");
	uint64_t when = start + 600 * TICKS_PER_SECOND;

	session_init(&s, 1, GUID_A, start, start + TICKS_PER_HOUR);
	memset(&c, 0, sizeof c);
	set_call(&cli, "wsb share --id " GUID_A " -f C:\\Users -s C:\\x --allow-write", when, 501, &c);
	evaluate(&s, &c);
	CHECK(fired("ST-CLI-SHARE-WRITE"));
	CHECK(has_basis("ST-CLI-SHARE-WRITE", "events.id=501"));
	CHECK(reason_has("ST-CLI-SHARE-WRITE", "its --id is this VM"));
	CHECK(fired("ST-WSB-WRITE-PROFILE")); /* §7: "a mapped folder (.wsb or wsb share)" */
	CHECK(has_basis("ST-WSB-WRITE-PROFILE", "events.id=501"));
	CHECK_INT(rules_sum_scores(findings, finding_count), 45);
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "suspicious");

	/* map (the MS page's word) with -w, a deeper folder: WRITE-OTHER */
	set_call(&cli, "wsb map --id " GUID_A " -f D:\\drop -s C:\\drop -w", when, 501, &c);
	evaluate(&s, &c);
	CHECK(fired("ST-CLI-SHARE-WRITE"));
	CHECK(fired("ST-WSB-WRITE-OTHER"));
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));

	/* read-only share: nothing writable, but its sandbox path links a 2500 to the share */
	set_call(&cli, "wsb share --id " GUID_A " -f C:\\Users -s C:\\shared", when, 501, &c);
	{
		struct session_command command = {0};

		command.command_line = "C:\\shared\\Public\\tool.exe";
		command.event_row = 120;
		s.commands = &command;
		s.command_count = 1;
		evaluate(&s, &c);
		CHECK(!fired("ST-CLI-SHARE-WRITE"));
		CHECK(!fired("ST-WSB-WRITE-PROFILE"));
		CHECK(fired("ST-WSB-LOGON-FROM-SHARE"));
		CHECK(has_basis("ST-WSB-LOGON-FROM-SHARE", "events.id=120"));
		CHECK(has_basis("ST-WSB-LOGON-FROM-SHARE", "events.id=501"));
		s.commands = NULL;
		s.command_count = 0;
	}

	/* --allow-write=false is not write access; "start" is not a share even with the flag */
	set_call(&cli, "wsb share --id " GUID_A " -f C:\\Users -s C:\\x --allow-write=false", when, 501, &c);
	evaluate(&s, &c);
	CHECK(!fired("ST-CLI-SHARE-WRITE"));
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));
	set_call(&cli, "wsb start --id " GUID_A " --allow-write", when, 501, &c);
	evaluate(&s, &c);
	CHECK(!fired("ST-CLI-SHARE-WRITE"));

	/* a share of another VM is not this session's */
	set_call(&cli, "wsb share --id " GUID_B " -f C:\\Users -s C:\\x --allow-write", when, 501, &c);
	evaluate(&s, &c);
	CHECK(!fired("ST-CLI-SHARE-WRITE"));
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));
	wsb_cli_call_clear(&cli.parsed);
}

static void test_vm_unpack(void)
{
	static const struct {
		const char *command;
		int fires;
	} commands[] = {
		{"C:\\tools\\7za.exe x -pSECRET -oC:\\out data.dat", 1},
		{"\"C:\\Program Files\\7-Zip\\7z.exe\" x a.db", 1},
		{"cmd /c \"7za x -y data.dat\"", 1},
		{"tar -xf a.tar", 1},
		{"expand a.cab -F:* C:\\x", 1},
		{"extrac32 /e a.cab", 1},
		{"powershell Expand-Archive -Path a.zip -DestinationPath C:\\x", 1},
		{"C:\\HostUsers\\update_sfx.exe -y", 1},
		{"C:\\HostUsers\\Public\\Downloads\\run.bat", 0}, /* what run.bat does is invisible */
		{"notepad C:\\x\\7zip_notes.txt", 0},
		{"expander.exe", 0},
	};
	struct session s;
	struct session_command command;
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		memset(&command, 0, sizeof command);
		command.command_line = (char *)commands[i].command;
		command.event_row = 116;
		s.commands = &command;
		s.command_count = 1;
		evaluate(&s, NULL);
		if (fired("ST-VM-UNPACK") != commands[i].fires)
			fprintf(stderr, "2500 command %s\n", commands[i].command);
		CHECK_INT(fired("ST-VM-UNPACK"), commands[i].fires);
		if (commands[i].fires)
			CHECK(has_basis("ST-VM-UNPACK", "events.id=116"));
	}

	/* §7 reads the 2500 command line, not the configuration */
	session_init(&s, 1, GUID_A, 1, 2);
	s.wsb.logon_command = "C:\\tools\\7za.exe x data.dat";
	evaluate(&s, NULL);
	CHECK(!fired("ST-VM-UNPACK"));
}

/* ---- archives --------------------------------------------------------------------------------- */

static void test_archive_disguised(void)
{
	struct session s;
	struct session_mapped_folder folder;
	struct session_share internal_share = {0};
	struct rules_archive archive;
	struct rules_context c;

	session_init(&s, 1, GUID_A, 1, 2);
	memset(&folder, 0, sizeof folder);
	folder.host = "C:\\Users";
	folder.sandbox = "C:\\HostUsers";
	folder.read_only = 1; /* writability does not matter for this rule */
	s.wsb.config_id = 3;
	s.wsb.folders = &folder;
	s.wsb.folder_count = 1;

	memset(&c, 0, sizeof c);
	archive.path = "C:\\Users\\Public\\Downloads\\data.dat";
	archive.name_mismatch = 1;
	archive.encrypted = 1;
	archive.archive_row = 2;
	c.archives = &archive;
	c.archive_count = 1;
	evaluate(&s, &c);
	CHECK(fired("ST-ARCHIVE-DISGUISED"));
	CHECK_INT(found("ST-ARCHIVE-DISGUISED") ? found("ST-ARCHIVE-DISGUISED")->score : 0, 25);
	CHECK(has_basis("ST-ARCHIVE-DISGUISED", "archives.id=2"));
	CHECK(has_basis("ST-ARCHIVE-DISGUISED", "wsb_configs.id=3"));
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "suspicious");

	archive.encrypted = 0;
	evaluate(&s, &c);
	CHECK_INT(found("ST-ARCHIVE-DISGUISED") ? found("ST-ARCHIVE-DISGUISED")->score : 0, 15);
	CHECK(reason_has("ST-ARCHIVE-DISGUISED", "not encrypted"));
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "benign-looking");

	archive.encrypted = -1;
	evaluate(&s, &c);
	CHECK_INT(found("ST-ARCHIVE-DISGUISED") ? found("ST-ARCHIVE-DISGUISED")->score : 0, 15);
	CHECK(reason_has("ST-ARCHIVE-DISGUISED", "unknown"));

	/* of two disguised archives, the encrypted one decides the score and the reason */
	{
		struct rules_archive two[2];

		two[0] = archive;
		two[0].path = "C:\\Users\\Public\\a.db";
		two[0].encrypted = 0;
		two[0].archive_row = 8;
		two[1] = archive;
		two[1].path = "C:\\Users\\Public\\b.dat";
		two[1].encrypted = 1;
		two[1].archive_row = 9;
		c.archives = two;
		c.archive_count = 2;
		evaluate(&s, &c);
		CHECK_INT(found("ST-ARCHIVE-DISGUISED") ? found("ST-ARCHIVE-DISGUISED")->score : 0,
			  25);
		CHECK(reason_has("ST-ARCHIVE-DISGUISED", "b.dat"));
		CHECK(reason_has("ST-ARCHIVE-DISGUISED", "and 1 more"));
		CHECK(has_basis("ST-ARCHIVE-DISGUISED", "archives.id=8"));
		CHECK(has_basis("ST-ARCHIVE-DISGUISED", "archives.id=9"));
		c.archives = &archive;
		c.archive_count = 1;
	}

	/* the name says archive: not disguised */
	archive.encrypted = 1;
	archive.name_mismatch = 0;
	evaluate(&s, &c);
	CHECK(!fired("ST-ARCHIVE-DISGUISED"));
	archive.name_mismatch = SESSION_UNKNOWN;
	evaluate(&s, &c);
	CHECK(!fired("ST-ARCHIVE-DISGUISED"));

	/* outside every mapped folder */
	archive.name_mismatch = 1;
	archive.path = "C:\\Temp\\data.dat";
	evaluate(&s, &c);
	CHECK(!fired("ST-ARCHIVE-DISGUISED"));
	archive.path = "C:\\UsersX\\data.dat";
	evaluate(&s, &c);
	CHECK(!fired("ST-ARCHIVE-DISGUISED"));

	/* below an internal share only: not a mapped folder */
	s.wsb.folders = NULL;
	s.wsb.folder_count = 0;
	internal_share.host_path = "C:\\ProgramData\\Microsoft\\Windows\\Containers\\BaseImages\\x";
	internal_share.read_only = SESSION_UNKNOWN;
	s.shares = &internal_share;
	s.share_count = 1;
	archive.path = "C:\\ProgramData\\Microsoft\\Windows\\Containers\\BaseImages\\x\\a.dat";
	evaluate(&s, &c);
	CHECK(!fired("ST-ARCHIVE-DISGUISED"));

	/* below a user folder the VM mounted (301, no configuration): mapped */
	internal_share.host_path = "C:\\Users";
	internal_share.event_row = 112;
	archive.path = "C:\\Users\\Public\\Downloads\\data.dat";
	evaluate(&s, &c);
	CHECK(fired("ST-ARCHIVE-DISGUISED"));
	CHECK(has_basis("ST-ARCHIVE-DISGUISED", "events.id=112"));
}

/* ---- configuration place ---------------------------------------------------------------------- */

static void test_wsb_odd_place(void)
{
	static const struct {
		const char *path;
		int fires;
	} paths[] = {
		{"C:\\Windows\\System32\\MaintenanceSync.wsb", 1},
		{"c:/programdata/x.wsb", 1},
		{"%windir%\\Tasks\\x.wsb", 1},
		{"%SystemRoot%\\x.wsb", 1},
		{"C:\\Users\\k.tanaka\\Documents\\Sandbox\\DownloadsReadOnly.wsb", 0},
		{"C:\\Windows.old\\x.wsb", 0},
		{"C:\\Temp\\Windows\\x.wsb", 0},
	};
	struct session s;
	size_t i;

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		session_init(&s, 1, GUID_A, 1, 2);
		s.wsb.path = (char *)paths[i].path;
		s.wsb.config_id = 3;
		evaluate(&s, NULL);
		if (fired("ST-WSB-ODD-PLACE") != paths[i].fires)
			fprintf(stderr, ".wsb %s\n", paths[i].path);
		CHECK_INT(fired("ST-WSB-ODD-PLACE"), paths[i].fires);
		if (paths[i].fires)
			CHECK(has_basis("ST-WSB-ODD-PLACE", "wsb_configs.id=3"));
	}
}

/* ---- case-wide rules -------------------------------------------------------------------------- */

static void test_feature_fresh(void)
{
	uint64_t change = at("2025-01-06T02:16:19.1203377Z");
	struct session sessions[3];
	struct rules_context c;

	memset(&c, 0, sizeof c);
	c.feature_changed = change;
	c.feature_changed_basis = "CBS package state LastWrite";
	c.feature_fact_row = 7;

	/* exactly 7 days after: fires; one tick later: does not */
	session_init(&sessions[0], 1, GUID_A, change + 7 * TICKS_PER_DAY, 0);
	c.sessions = sessions;
	c.session_count = 1;
	evaluate(&sessions[0], &c);
	CHECK(fired("ST-FEATURE-FRESH"));
	CHECK(has_basis("ST-FEATURE-FRESH", "facts.id=7"));
	CHECK(reason_has("ST-FEATURE-FRESH", "CBS package state LastWrite"));
	CHECK(reason_has("ST-FEATURE-FRESH", "7 d 0 h 00 min"));
	sessions[0].start++;
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));

	/* only the first session after the change; one before the change neither fires nor blocks */
	session_init(&sessions[0], 1, GUID_A, change - TICKS_PER_HOUR, change - 1);
	session_init(&sessions[1], 2, GUID_B, change + 10 * 60 * TICKS_PER_SECOND, 0);
	session_init(&sessions[2], 3, "11111111-2222-3333-4444-555555555555",
		     change + TICKS_PER_DAY, 0);
	c.session_count = 3;
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));
	evaluate(&sessions[1], &c);
	CHECK(fired("ST-FEATURE-FRESH"));
	evaluate(&sessions[2], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));

	/* a session of unknown start but known end between the change and this one came first */
	session_init(&sessions[1], 2, GUID_B, 0, change + 20 * 60 * TICKS_PER_SECOND);
	evaluate(&sessions[2], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));
	evaluate(&sessions[1], &c); /* and, of unknown start, it does not fire itself */
	CHECK(!fired("ST-FEATURE-FRESH"));

	/* two sessions starting in the same tick: the lower id is the first */
	session_init(&sessions[1], 2, GUID_B, change + 60 * TICKS_PER_SECOND, 0);
	session_init(&sessions[2], 3, GUID_A, change + 60 * TICKS_PER_SECOND, 0);
	evaluate(&sessions[1], &c);
	CHECK(fired("ST-FEATURE-FRESH"));
	evaluate(&sessions[2], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));

	/* no change time known: never */
	c.feature_changed = 0;
	session_init(&sessions[1], 2, GUID_B, change + 60 * TICKS_PER_SECOND, 0);
	evaluate(&sessions[1], &c);
	CHECK(!fired("ST-FEATURE-FRESH"));
}

static void test_log_cleared(void)
{
	uint64_t start = at("2025-01-07T00:02:24Z"), end = at("2025-01-07T09:28:05Z");
	struct session s;
	struct rules_log_clear clear;
	struct rules_context c;

	session_init(&s, 1, GUID_A, start, end);
	memset(&c, 0, sizeof c);
	clear.event_id = 1102;
	clear.event_row = 900;
	c.log_clears = &clear;
	c.log_clear_count = 1;

	clear.time = start;
	evaluate(&s, &c);
	CHECK(fired("ST-LOG-CLEARED"));
	CHECK(reason_has("ST-LOG-CLEARED", "within the session"));
	CHECK(reason_has("ST-LOG-CLEARED", "Security"));
	CHECK(has_basis("ST-LOG-CLEARED", "events.id=900"));

	clear.time = end + 24 * TICKS_PER_HOUR;
	evaluate(&s, &c);
	CHECK(fired("ST-LOG-CLEARED"));
	CHECK(reason_has("ST-LOG-CLEARED", "after its end"));

	clear.time = end + 24 * TICKS_PER_HOUR + 1;
	evaluate(&s, &c);
	CHECK(!fired("ST-LOG-CLEARED"));

	clear.time = start - 1;
	evaluate(&s, &c);
	CHECK(!fired("ST-LOG-CLEARED"));

	clear.time = end + TICKS_PER_HOUR;
	clear.event_id = 104;
	evaluate(&s, &c);
	CHECK(fired("ST-LOG-CLEARED"));
	CHECK(reason_has("ST-LOG-CLEARED", "System 104"));

	clear.event_id = 4719; /* an audit policy change is not a clear */
	evaluate(&s, &c);
	CHECK(!fired("ST-LOG-CLEARED"));

	/* unknown end: the window is the 24 h after the start */
	clear.event_id = 1102;
	session_init(&s, 1, GUID_A, start, 0);
	clear.time = start + TICKS_PER_HOUR;
	evaluate(&s, &c);
	CHECK(fired("ST-LOG-CLEARED"));
	clear.time = start + 25 * TICKS_PER_HOUR;
	evaluate(&s, &c);
	CHECK(!fired("ST-LOG-CLEARED"));

	/* unknown start: no window */
	clear.event_id = 1102;
	session_init(&s, 1, GUID_A, 0, end);
	evaluate(&s, &c);
	CHECK(!fired("ST-LOG-CLEARED"));
}

static void test_repeated(void)
{
	struct session sessions[4];
	struct rules_context c;
	size_t i;

	for (i = 0; i < 4; i++) {
		session_init(&sessions[i], (int64_t)i + 1, GUID_A, (uint64_t)(i + 1) * TICKS_PER_DAY,
			     (uint64_t)(i + 1) * TICKS_PER_DAY + TICKS_PER_HOUR);
		sessions[i].launcher.command_line =
			"\"C:\\Windows\\System32\\WindowsSandbox.exe\" C:\\Windows\\System32\\M.wsb";
		sessions[i].launcher.event_row = 100 + (int64_t)i;
		sessions[i].wsb.config_id = 7; /* the launch used a configuration */
	}
	memset(&c, 0, sizeof c);
	c.sessions = sessions;

	/* two sessions (this one included): no */
	c.session_count = 2;
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));
	/* three: yes, for each of them */
	c.session_count = 3;
	for (i = 0; i < 3; i++) {
		evaluate(&sessions[i], &c);
		CHECK(fired("ST-REPEATED"));
		CHECK(reason_has("ST-REPEATED", "3 sessions"));
	}
	CHECK(has_basis("ST-REPEATED", "events.id=102"));
	/* a session outside the list counts itself once: it plus two others is three */
	c.sessions = &sessions[1];
	c.session_count = 2;
	evaluate(&sessions[0], &c);
	CHECK(fired("ST-REPEATED"));
	c.sessions = sessions;

	/* different command lines, same .wsb path written three ways */
	sessions[0].launcher.command_line = "WindowsSandbox.exe a";
	sessions[1].launcher.command_line = "WindowsSandbox.exe b";
	sessions[2].launcher.command_line = "WindowsSandbox.exe c";
	c.session_count = 3;
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));
	sessions[0].wsb.path = "C:\\Windows\\System32\\M.wsb";
	sessions[1].wsb.path = "c:/windows/system32/m.wsb";
	sessions[2].wsb.path = "%windir%\\System32\\M.wsb";
	evaluate(&sessions[0], &c);
	CHECK(fired("ST-REPEATED"));
	CHECK(reason_has("ST-REPEATED", "configuration"));
	sessions[2].wsb.path = "C:\\Windows\\System32\\Other.wsb";
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));

	/* Start-menu launches: the same bare command line three times, but no configuration (no .wsb,
	 * no inline config) - not "the same configuration used again" (§7.17) */
	for (i = 0; i < 3; i++) {
		sessions[i].launcher.command_line = "\"C:\\Windows\\System32\\WindowsSandbox.exe\"";
		sessions[i].wsb.path = NULL;
		sessions[i].wsb.config_id = 0;
	}
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));
	/* nor do they count towards a configured session with the same command line */
	sessions[0].wsb.config_id = 7;
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));
	sessions[1].wsb.config_id = 7;
	sessions[2].wsb.config_id = 7;
	evaluate(&sessions[0], &c);
	CHECK(fired("ST-REPEATED"));

	/* absent command lines are not "the same" */
	for (i = 0; i < 3; i++) {
		sessions[i].launcher.command_line = NULL;
		sessions[i].wsb.path = NULL;
	}
	evaluate(&sessions[0], &c);
	CHECK(!fired("ST-REPEATED"));
}

/* ---- the bundled case (testdata/README.md) ---------------------------------------------------- */

static char *read_case_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long length;

	*size = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		data = malloc((size_t)length + 1);
		if (data && fread(data, 1, (size_t)length, f) == (size_t)length) {
			data[length] = '\0';
			*size = (size_t)length;
		} else {
			free(data);
			data = NULL;
		}
	}
	fclose(f);
	return data;
}

static void test_bundled_case(void)
{
	/* README "Findings of session 2 (MAL)", in table order, and §7's scores */
	static const struct {
		const char *id;
		int score;
	} expected_mal[] = {
		{"ST-TRIG-TASK", 30},         {"ST-TRIG-SYSTEM", 20},    {"ST-TRIG-BOOT", 10},
		{"ST-WSB-WRITE-PROFILE", 30}, {"ST-WSB-LOGON-SCRIPT", 20},
		{"ST-WSB-LOGON-FROM-SHARE", 15}, {"ST-NET-ON", 5},       {"ST-TASK-HIDDEN", 20},
		{"ST-WSB-ODD-PLACE", 10},
	};
	static const char *const not_mal[] = {
		"ST-FEATURE-FRESH", "ST-VM-UNPACK", "ST-ARCHIVE-DISGUISED", "ST-CLI-EXEC-SYSTEM",
		"ST-CLI-SHARE-WRITE", "ST-LOG-CLEARED", "ST-REPEATED", "ST-WSB-WRITE-OTHER",
	};
	struct session sessions[2], *ben = &sessions[0], *mal = &sessions[1];
	struct session_mapped_folder mal_folder;
	struct session_share mal_shares[3], ben_shares[2];
	struct session_command mal_command;
	struct session_network mal_network[2], ben_network[2];
	struct rules_context c;
	struct wsb_config *config = NULL;
	char err[256];
	size_t size, i;
	char *wsb_text = read_case_file(CASE_DIR "C/Windows/System32/MaintenanceSync.wsb", &size);
	const struct wsb_setting *networking;

	CHECK(wsb_text != NULL);
	if (!wsb_text)
		return;
	CHECK_INT(wsb_parse_memory(wsb_text, size, &config, err, sizeof err), 0);
	free(wsb_text);
	if (!config)
		return;
	CHECK_INT(config->mapped_folder_count, 1);
	if (config->mapped_folder_count != 1) {
		wsb_config_free(config);
		return;
	}

	/* session 1, BEN: Start menu, default configuration, two base-image shares */
	session_init(ben, 1, GUID_B, at("2025-01-06T02:25:13.6601452Z"),
		     at("2025-01-06T02:37:45.0031178Z"));
	ben->kind = "sandbox";
	ben->trigger.kind = "user";
	ben->trigger.user = "S-1-5-21-2874913052-1405867236-3967512238-1001";
	ben->trigger.principal_is_system = 0;
	ben->launcher.image = "C:\\Windows\\System32\\WindowsSandbox.exe";
	ben->launcher.command_line = "\"C:\\Windows\\System32\\WindowsSandbox.exe\"";
	ben->launcher.subject_sid = "S-1-5-21-2874913052-1405867236-3967512238-1001";
	ben->launcher.parent_image = "C:\\Windows\\explorer.exe";
	ben->launcher.event_row = 30;
	ben->wsb.networking = 1;
	ben->wsb.networking_origin = "default";
	memset(ben_shares, 0, sizeof ben_shares);
	ben_shares[0].host_path = "C:\\ProgramData\\Microsoft\\Windows\\Containers\\BaseImages\\"
				  "0949cec7-8165-4167-8c7d-41dcd2ae7b43\\BaseLayer\\Files";
	ben_shares[0].share_flags = "0x1001021";
	ben_shares[0].read_only = SESSION_UNKNOWN;
	ben_shares[0].internal = 1;
	ben_shares[1] = ben_shares[0];
	ben_shares[1].host_path = "C:\\ProgramData\\Microsoft\\Windows\\Containers\\BaseImages\\"
				  "0949cec7-8165-4167-8c7d-41dcd2ae7b43\\BaseLayer\\UtilityVM\\Files";
	ben->shares = ben_shares;
	ben->share_count = 2;
	memset(ben_network, 0, sizeof ben_network);
	ben_network[0].event = "nic-connected";
	ben_network[0].nic_name = GUID_B "--9D2C4E6A-8B1F-4A3C-B5D7-E9F1A3C5B7D9";
	ben_network[0].link = "strong";
	ben_network[0].event_row = 36;
	ben_network[1] = ben_network[0];
	ben_network[1].event = "nic-disconnected";
	ben_network[1].event_row = 45;
	ben->network = ben_network;
	ben->network_count = 2;

	/* session 2, MAL: the boot task, MaintenanceSync.wsb as parsed from the case */
	session_init(mal, 2, GUID_A, at("2025-01-07T00:02:24.1150339Z"),
		     at("2025-01-07T09:28:05.6031448Z"));
	mal->kind = "sandbox";
	mal->trigger.kind = "task";
	mal->trigger.task_name = "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync";
	mal->trigger.user = "S-1-5-18";
	mal->trigger.task_id = 1;
	mal->trigger.hidden = 1;
	mal->trigger.runs_at_boot_or_logon = 1;
	mal->trigger.principal_is_system = 1;
	mal->trigger.link = "strong";
	mal->trigger.event_row = 97;
	mal->launcher.image = "C:\\Windows\\System32\\WindowsSandbox.exe";
	mal->launcher.pid = 6716;
	mal->launcher.command_line = "\"C:\\Windows\\System32\\WindowsSandbox.exe\" "
				     "C:\\Windows\\System32\\MaintenanceSync.wsb";
	mal->launcher.subject_sid = "S-1-5-18";
	mal->launcher.parent_image = "C:\\Windows\\System32\\svchost.exe";
	mal->launcher.link = "strong";
	mal->launcher.event_row = 96;
	mal->wsb.config_id = 1;
	mal->wsb.path = "C:\\Windows\\System32\\MaintenanceSync.wsb";
	networking = &config->settings[WSB_SETTING_NETWORKING];
	mal->wsb.networking = networking->effective == WSB_ON    ? 1
			      : networking->effective == WSB_OFF ? 0
								 : SESSION_UNKNOWN;
	mal->wsb.networking_origin =
		networking->source == WSB_SOURCE_EXPLICIT ? "explicit" : "default";
	mal->wsb.logon_command = config->logon_command;
	memset(&mal_folder, 0, sizeof mal_folder);
	mal_folder.host = config->mapped_folders[0].host_folder_raw;
	mal_folder.sandbox = config->mapped_folders[0].sandbox_folder;
	mal_folder.read_only = config->mapped_folders[0].read_only == WSB_ON    ? 1
			       : config->mapped_folders[0].read_only == WSB_OFF ? 0
										: SESSION_UNKNOWN;
	mal->wsb.folders = &mal_folder;
	mal->wsb.folder_count = 1;
	memset(mal_shares, 0, sizeof mal_shares);
	mal_shares[0] = ben_shares[0];
	mal_shares[0].internal = 0; /* the path alone must mark it internal */
	mal_shares[0].event_row = 110;
	mal_shares[1] = ben_shares[1];
	mal_shares[1].internal = 0;
	mal_shares[1].event_row = 111;
	mal_shares[2].host_path = "C:\\Users";
	mal_shares[2].share_flags = "0x1001020";
	mal_shares[2].read_only = mal_folder.read_only;
	mal_shares[2].event_row = 112;
	mal->shares = mal_shares;
	mal->share_count = 3;
	memset(&mal_command, 0, sizeof mal_command);
	mal_command.command_line = "C:\\HostUsers\\Public\\Downloads\\run.bat";
	mal_command.user = "WDAGUtilityAccount";
	mal_command.guest_pid = "4312";
	mal_command.event_row = 116;
	mal->commands = &mal_command;
	mal->command_count = 1;
	memset(mal_network, 0, sizeof mal_network);
	mal_network[0].event = "nic-connected";
	mal_network[0].nic_name = GUID_A "--3F8A2B61-0C4D-4E5F-9A7B-6C1D2E3F4A5B";
	mal_network[0].link = "strong";
	mal_network[0].event_row = 115;
	mal_network[1] = mal_network[0];
	mal_network[1].event = "nic-disconnected";
	mal_network[1].event_row = 148;
	mal->network = mal_network;
	mal->network_count = 2;

	memset(&c, 0, sizeof c);
	c.sessions = sessions;
	c.session_count = 2;
	c.feature_changed = at("2025-01-06T02:16:19.1203377Z");
	c.feature_changed_basis = "SOFTWARE CBS package state, key LastWrite";
	c.feature_fact_row = 4;

	/* the parsed configuration is what README says it is */
	CHECK_INT(mal->wsb.networking, 1);
	CHECK_STR(mal->wsb.networking_origin, "explicit");
	CHECK_STR(mal_folder.host, "C:\\Users");
	CHECK_STR(mal_folder.sandbox, "C:\\HostUsers");
	CHECK_INT(mal_folder.read_only, 0);
	CHECK_STR(mal->wsb.logon_command, "C:\\HostUsers\\Public\\Downloads\\run.bat");

	evaluate(mal, &c);
	CHECK_INT(finding_count, sizeof expected_mal / sizeof expected_mal[0]);
	for (i = 0; i < finding_count && i < sizeof expected_mal / sizeof expected_mal[0]; i++) {
		CHECK_STR(findings[i].id, expected_mal[i].id);
		CHECK_INT(findings[i].score, expected_mal[i].score);
		CHECK(findings[i].reason && findings[i].reason[0]);
		CHECK(findings[i].basis_count > 0);
	}
	for (i = 0; i < sizeof not_mal / sizeof not_mal[0]; i++) {
		if (fired(not_mal[i]))
			fprintf(stderr, "MAL: %s fired\n", not_mal[i]);
		CHECK(!fired(not_mal[i]));
	}
	CHECK_INT(rules_sum_scores(findings, finding_count), 160);
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "malicious");
	CHECK(reason_has("ST-NET-ON", "explicitly"));
	CHECK(reason_has("ST-WSB-LOGON-FROM-SHARE", "C:\\HostUsers"));
	CHECK(has_basis("ST-WSB-WRITE-PROFILE", "wsb_configs.id=1"));
	CHECK(has_basis("ST-WSB-WRITE-PROFILE", "events.id=112"));
	CHECK(!has_basis("ST-WSB-WRITE-PROFILE", "events.id=110")); /* internal base image */
	/* the .wsb folder and its 301, the LogonCommand and its 2500: one thing each, two rows */
	CHECK(!reason_has("ST-WSB-WRITE-PROFILE", "more"));
	CHECK(!reason_has("ST-WSB-LOGON-SCRIPT", "more"));
	CHECK(!reason_has("ST-WSB-LOGON-FROM-SHARE", "more"));
	CHECK(has_basis("ST-WSB-LOGON-SCRIPT", "events.id=116"));
	CHECK(has_basis("ST-WSB-LOGON-SCRIPT", "wsb_configs.id=1"));
	CHECK(has_basis("ST-TRIG-SYSTEM", "events.id=96"));
	CHECK(has_basis("ST-TRIG-SYSTEM", "tasks.id=1"));

	/* session 1: default networking + NIC connect (5) and the fresh feature (10) = 15 */
	evaluate(ben, &c);
	CHECK_INT(finding_count, 2);
	CHECK(fired("ST-NET-ON"));
	CHECK(reason_has("ST-NET-ON", "by default"));
	CHECK(has_basis("ST-NET-ON", "events.id=36"));
	CHECK(fired("ST-FEATURE-FRESH"));
	CHECK(has_basis("ST-FEATURE-FRESH", "facts.id=4"));
	CHECK(!fired("ST-WSB-WRITE-PROFILE"));
	CHECK(!fired("ST-WSB-WRITE-OTHER"));
	CHECK_INT(rules_sum_scores(findings, finding_count), 15);
	CHECK_STR(rules_verdict(rules_sum_scores(findings, finding_count)), "benign-looking");

	wsb_config_free(config);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_table_is_section_7();
	test_verdict_thresholds();
	test_sum_of_scores();
	test_bad_arguments();
	test_nothing_known_fires_nothing();
	test_trigger_task();
	test_trigger_system();
	test_trigger_boot_and_hidden();
	test_write_profile_roots();
	test_write_both_rules_at_once();
	test_shares_never_read_from_flags_and_internal_ignored();
	test_logon_script();
	test_logon_from_share();
	test_networking();
	test_cli_exec_system();
	test_cli_share_write();
	test_vm_unpack();
	test_archive_disguised();
	test_wsb_odd_place();
	test_feature_fresh();
	test_log_cleared();
	test_repeated();
	test_bundled_case();
	rules_free_findings(findings, finding_count);
	return check_done("test_rules");
}
