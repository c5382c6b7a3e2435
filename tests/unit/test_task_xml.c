/*
 * test_task_xml.c - scheduled task XML (METHOD.md §4.1): every field, schema defaults, local-name
 * and case-insensitive matching, the sandbox-launcher decision and its .wsb path, UTF-16 files,
 * 4698 TaskContent text that claims UTF-16, hostile and broken input, the bundled case and the real
 * corpus when it is present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "check.h"
#include "parsers/task_xml.h"
#include "parsers/wsb.h"

#define DATA_DIR SANDTRACE_SOURCE_DIR "/tests/unit/data/task/"
#define CORPUS_DIR SANDTRACE_SOURCE_DIR "/../shared/corpus/tasks/"
#define CASE_DIR SANDTRACE_SOURCE_DIR "/testdata/case/C/Windows/System32/"


static struct task_definition *parse_bytes(const char *data, size_t size, char *err,
					   size_t err_size)
{
	struct task_definition *task = NULL;

	err[0] = '\0';
	if (task_xml_parse_memory(data, size, &task, err, err_size) != 0)
		return NULL;
	return task;
}

static struct task_definition *parse_path(const char *path, char *err, size_t err_size)
{
	size_t size;
	char *data = check_read_file(path, &size);
	struct task_definition *task;

	if (!data) {
		snprintf(err, err_size, "cannot read %s", path);
		return NULL;
	}
	task = parse_bytes(data, size, err, err_size);
	free(data);
	return task;
}

/* UTF-8 TEXT (BMP only) as UTF-16LE with BOM, as the forge writes the bundled case's task files. */
static char *utf8_to_utf16le(const char *text, size_t length, size_t *size)
{
	const unsigned char *p = (const unsigned char *)text;
	char *out = malloc(2 + 2 * length);
	size_t w = 2;

	if (!out)
		return NULL;
	out[0] = (char)0xFF;
	out[1] = (char)0xFE;
	for (size_t i = 0; i < length;) {
		unsigned cp;
		if (p[i] < 0x80) {
			cp = p[i++];
		} else if ((p[i] & 0xE0) == 0xC0 && i + 1 < length) {
			cp = (unsigned)(p[i] & 0x1F) << 6 | (p[i + 1] & 0x3F);
			i += 2;
		} else if ((p[i] & 0xF0) == 0xE0 && i + 2 < length) {
			cp = (unsigned)(p[i] & 0x0F) << 12 | (unsigned)(p[i + 1] & 0x3F) << 6 |
			     (p[i + 2] & 0x3F);
			i += 3;
		} else {
			cp = 0xFFFD;
			i++;
		}
		out[w++] = (char)(cp & 0xFF);
		out[w++] = (char)(cp >> 8);
	}
	*size = w;
	return out;
}

static void test_every_field(void)
{
	char err[256];
	struct task_definition *t = parse_path(DATA_DIR "every_field.xml", err, sizeof err);
	struct task_sandbox_launch launch;

	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "every_field: %s\n", err);
		return;
	}
	CHECK_INT(t->well_formed, 1);
	CHECK_STR(t->namespace_uri, TASK_XML_NAMESPACE);
	CHECK_STR(t->version, "1.4");
	CHECK_STR(t->date, "2024-11-05T09:12:44.1234567");
	CHECK_STR(t->author, "HOST01\\user");
	CHECK_STR(t->description, "Sync & update");
	CHECK_STR(t->uri, "\\Microsoft\\Windows\\Maintenance\\SandboxSync");
	CHECK_STR(t->security_descriptor, "D:(A;;FA;;;BA)");
	CHECK_STR(t->source, "Contoso");
	CHECK_STR(t->registration_version, "2.0");
	CHECK_STR(t->documentation, "none");

	CHECK_INT(t->principal_count, 2);
	if (t->principal_count == 2) {
		CHECK_STR(t->principals[0].id, "Author");
		CHECK_STR(t->principals[0].user_id, "S-1-5-21-1111111111-2222222222-3333333333-1001");
		CHECK_STR(t->principals[0].logon_type, "InteractiveToken");
		CHECK_STR(t->principals[0].run_level, "HighestAvailable");
		CHECK_STR(t->principals[0].display_name, "user");
		CHECK(t->principals[0].group_id == NULL);
		CHECK_STR(t->principals[1].id, "Admins");
		CHECK_STR(t->principals[1].group_id, "S-1-5-32-544");
		CHECK(t->principals[1].user_id == NULL);
	}
	/* Settings/Enabled, not IdleSettings/Enabled */
	CHECK_STR(t->enabled_raw, "false");
	CHECK_INT(t->enabled, TASK_FALSE);
	CHECK_INT(t->enabled_is_default, 0);
	CHECK_STR(t->hidden_raw, "true");
	CHECK_INT(t->hidden, TASK_TRUE);
	CHECK_INT(t->hidden_is_default, 0);

	CHECK_INT(t->trigger_count, 3);
	if (t->trigger_count == 3) {
		const struct task_trigger *g = t->triggers;
		CHECK_STR(g[0].type, "LogonTrigger");
		CHECK_STR(g[0].id, "logon1");
		CHECK_STR(g[0].enabled_raw, "false");
		CHECK_INT(g[0].enabled, TASK_FALSE);
		CHECK_STR(g[0].user_id, "HOST01\\user");
		CHECK_STR(g[0].delay, "PT2M");
		CHECK_STR(g[0].start_boundary, "2024-11-05T09:00:00");
		CHECK_STR(g[0].end_boundary, "2025-11-05T09:00:00");
		CHECK_STR(g[1].type, "EventTrigger");
		CHECK(g[1].id == NULL);
		CHECK(g[1].enabled_raw == NULL);
		CHECK_INT(g[1].enabled, TASK_TRUE); /* default */
		CHECK_STR(g[1].subscription, "<QueryList><Query Id=\"0\" Path=\"System\"><Select "
					     "Path=\"System\">*[System[EventID=6005]]</Select></Query>"
					     "</QueryList>");
		CHECK_STR(g[1].repetition_interval, "PT5M");
		CHECK_STR(g[1].repetition_duration, "PT1H");
		CHECK_STR(g[1].execution_time_limit, "PT10M");
		CHECK_STR(g[2].type, "CalendarTrigger");
		CHECK_STR(g[2].random_delay, "PT1H");
	}

	CHECK_STR(t->actions_context, "Author");
	CHECK_INT(t->action_count, 4);
	if (t->action_count == 4) {
		const struct task_action *a = t->actions;
		CHECK_INT(a[0].type, TASK_ACTION_COM_HANDLER);
		CHECK_STR(a[0].name, "ComHandler");
		CHECK_STR(a[0].id, "com");
		CHECK_STR(a[0].class_id, "{58FB76B9-AC85-4E55-AC04-427593B1D060}");
		CHECK_STR(a[0].data, "USER <raw>");
		CHECK_INT(a[1].type, TASK_ACTION_EXEC);
		CHECK_STR(a[1].id, "launch");
		CHECK_STR(a[1].command, "%ComSpec%");
		CHECK_STR(a[1].arguments, "/c start \"\" \"C:\\ProgramData\\Sync Tool\\sync.wsb\"");
		CHECK_STR(a[1].working_directory, "C:\\ProgramData\\Sync Tool");
		CHECK_INT(a[2].type, TASK_ACTION_SEND_EMAIL);
		CHECK_INT(a[3].type, TASK_ACTION_SHOW_MESSAGE);
		CHECK_STR(a[3].name, "ShowMessage");
	}
	/* %ComSpec% is not cmd.exe by name: the launcher is found through the .wsb argument */
	CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
	CHECK_INT(launch.is_launcher, 1);
	CHECK_INT(launch.action_index, 1);
	CHECK_INT(launch.launcher_count, 1);
	CHECK_STR(launch.reason, "Exec names a .wsb");
	CHECK_STR(launch.wsb_path, "C:\\ProgramData\\Sync Tool\\sync.wsb");
	CHECK(launch.inline_config == NULL);
	task_sandbox_launch_clear(&launch);
	CHECK(launch.wsb_path == NULL);
	task_definition_free(t);
}

static void test_defaults_and_quoted_command(void)
{
	char err[256];
	struct task_definition *t = parse_path(DATA_DIR "minimal_defaults.xml", err, sizeof err);
	struct task_sandbox_launch launch;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(t->namespace_uri == NULL);
	CHECK(t->version == NULL);
	CHECK(t->uri == NULL);
	CHECK(t->enabled_raw == NULL);
	CHECK_INT(t->enabled, TASK_TRUE);
	CHECK_INT(t->enabled_is_default, 1);
	CHECK(t->hidden_raw == NULL);
	CHECK_INT(t->hidden, TASK_FALSE);
	CHECK_INT(t->hidden_is_default, 1);
	CHECK_INT(t->principal_count, 0);
	CHECK(t->actions_context == NULL);
	CHECK_INT(t->trigger_count, 1);
	if (t->trigger_count == 1) {
		CHECK_STR(t->triggers[0].type, "BootTrigger");
		CHECK_INT(t->triggers[0].enabled, TASK_TRUE);
	}
	CHECK_INT(t->action_count, 1);
	if (t->action_count == 1) {
		CHECK_STR(t->actions[0].command, "\"C:\\Program Files\\App\\app.exe\"");
		CHECK(t->actions[0].arguments == NULL);
	}
	CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
	CHECK_INT(launch.is_launcher, 0);
	CHECK(launch.reason == NULL);
	task_sandbox_launch_clear(&launch);
	task_definition_free(t);
}

static void test_case_insensitive_and_wsb_exe_inline(void)
{
	char err[256];
	struct task_definition *t = parse_path(DATA_DIR "wsb_inline.xml", err, sizeof err);
	struct task_sandbox_launch launch;
	struct wsb_config *config = NULL;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK_STR(t->namespace_uri, "urn:not-the-task-namespace"); /* kept for the examiner */
	CHECK_STR(t->version, "1.2");
	CHECK_STR(t->hidden_raw, "TRUE");
	CHECK_INT(t->hidden, TASK_TRUE);
	CHECK_STR(t->enabled_raw, "nope");
	CHECK_INT(t->enabled, TASK_UNKNOWN);
	CHECK_INT(t->enabled_is_default, 0);
	CHECK_STR(t->actions_context, "LocalSystem");
	CHECK_INT(t->action_count, 2);
	CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
	CHECK_INT(launch.is_launcher, 1);
	CHECK_INT(launch.action_index, 0);
	CHECK_INT(launch.launcher_count, 2);
	CHECK_STR(launch.reason, "Exec runs wsb.exe");
	CHECK(launch.wsb_path == NULL);
	CHECK_STR(launch.inline_config,
		  "<Configuration><Networking>Disable</Networking></Configuration>");
	/* the inline configuration goes through the same .wsb parser */
	if (launch.inline_config &&
	    wsb_parse_memory(launch.inline_config, strlen(launch.inline_config), &config, err,
			     sizeof err) == 0) {
		CHECK_INT(config->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		wsb_config_free(config);
	} else {
		CHECK(0);
	}
	task_sandbox_launch_clear(&launch);
	task_definition_free(t);
}

static void test_hostile_and_broken_input(void)
{
	char err[256];
	struct task_definition *t;
	struct task_sandbox_launch launch;

	t = parse_path(DATA_DIR "entity.xml", err, sizeof err);
	CHECK(t == NULL);
	CHECK(strstr(err, "entities") != NULL);

	/* truncated (and its UTF-16 declaration is false): recovered, the launcher still found */
	t = parse_path(DATA_DIR "truncated.xml", err, sizeof err);
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->well_formed, 0);
		CHECK(t->parse_problem != NULL);
		CHECK_STR(t->uri, "\\Trunc");
		CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
		CHECK_INT(launch.is_launcher, 1);
		CHECK_STR(launch.reason, "Exec runs WindowsSandbox.exe");
		task_sandbox_launch_clear(&launch);
		task_definition_free(t);
	}
	t = parse_bytes("<Configuration/>", 16, err, sizeof err);
	CHECK(t == NULL);
	CHECK(strstr(err, "not <Task>") != NULL);
	t = parse_bytes("\x00\x01\x02 junk", 9, err, sizeof err);
	CHECK(t == NULL);
	t = parse_bytes("", 0, err, sizeof err);
	CHECK(t == NULL);
	{
		char *big = malloc(WSB_MAX_INPUT_SIZE + 1);
		if (big) {
			memset(big, ' ', WSB_MAX_INPUT_SIZE + 1);
			memcpy(big, "<Task>", 6);
			memcpy(big + WSB_MAX_INPUT_SIZE + 1 - 7, "</Task>", 7);
			t = parse_bytes(big, WSB_MAX_INPUT_SIZE + 1, err, sizeof err);
			CHECK(t == NULL);
			CHECK(strstr(err, "limit") != NULL);
			free(big);
		}
	}
}

static void check_maintenance_sync(const struct task_definition *t, const char *what)
{
	struct task_sandbox_launch launch;

	CHECK(t != NULL);
	if (!t) {
		fprintf(stderr, "%s: not parsed\n", what);
		return;
	}
	CHECK_STR(t->version, "1.2");
	CHECK_STR(t->uri, "\\Microsoft\\Windows\\Maintenance\\MaintenanceSync");
	CHECK_STR(t->author, "Microsoft Corporation");
	CHECK_STR(t->date, "2025-01-06T15:12:33");
	CHECK_INT(t->hidden, TASK_TRUE);
	CHECK_INT(t->enabled, TASK_TRUE);
	CHECK_INT(t->trigger_count, 1);
	if (t->trigger_count == 1) {
		CHECK_STR(t->triggers[0].type, "BootTrigger");
		CHECK_STR(t->triggers[0].start_boundary, "2025-01-06T15:10:00");
	}
	CHECK_INT(t->principal_count, 1);
	if (t->principal_count == 1) {
		CHECK_STR(t->principals[0].id, "LocalSystem");
		CHECK_STR(t->principals[0].user_id, "S-1-5-18");
		CHECK_STR(t->principals[0].run_level, "HighestAvailable");
	}
	CHECK_STR(t->actions_context, "LocalSystem");
	CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
	CHECK_INT(launch.is_launcher, 1);
	CHECK_STR(launch.reason, "Exec runs WindowsSandbox.exe");
	CHECK_STR(launch.wsb_path, "C:\\Windows\\System32\\MaintenanceSync.wsb");
	task_sandbox_launch_clear(&launch);
}

/* The 4698 TaskContent of the bundled Security log source (one record). */
static char *task_content_from_security(void)
{
	xmlDoc *doc = xmlReadFile(CASE_DIR "winevt/Logs/Security.evtx.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_HUGE);
	char *content = NULL;

	if (!doc)
		return NULL;
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e && !content; e = e->next)
		for (xmlNode *part = e->children; part && !content; part = part->next)
			if (part->name && strcmp((const char *)part->name, "EventData") == 0)
				for (xmlNode *d = part->children; d && !content; d = d->next) {
					xmlChar *name = d->type == XML_ELEMENT_NODE
								? xmlGetProp(d, (const xmlChar *)"Name")
								: NULL;
					if (name && strcmp((const char *)name, "TaskContent") == 0) {
						xmlChar *text = xmlNodeGetContent(d);
						content = text ? strdup((const char *)text) : NULL;
						xmlFree(text);
					}
					xmlFree(name);
				}
	xmlFreeDoc(doc);
	return content;
}

static void test_bundled_case(void)
{
	char err[256];
	size_t size, utf16_size;
	char *data = check_read_file(
		CASE_DIR "Tasks/Microsoft/Windows/Maintenance/MaintenanceSync.utf16", &size);
	char *utf16;
	struct task_definition *t;

	CHECK(data != NULL);
	if (!data)
		return;
	/* the source is UTF-8 text with an encoding="UTF-16" declaration */
	t = parse_bytes(data, size, err, sizeof err);
	check_maintenance_sync(t, "MaintenanceSync source");
	if (t)
		CHECK_INT(t->encoding_repaired, 1);
	task_definition_free(t);
	/* as the forge writes it: UTF-16LE with BOM, declaration truthful */
	utf16 = utf8_to_utf16le(data, size, &utf16_size);
	t = utf16 ? parse_bytes(utf16, utf16_size, err, sizeof err) : NULL;
	check_maintenance_sync(t, "MaintenanceSync UTF-16");
	if (t) {
		CHECK_INT(t->encoding_repaired, 0);
		CHECK_INT(t->well_formed, 1);
	}
	task_definition_free(t);
	free(utf16);
	free(data);

	/* 4698 TaskContent: the same task as text in the event */
	data = task_content_from_security();
	CHECK(data != NULL);
	if (data) {
		t = parse_bytes(data, strlen(data), err, sizeof err);
		check_maintenance_sync(t, "4698 TaskContent");
		task_definition_free(t);
		free(data);
	}

	data = check_read_file(CASE_DIR "Tasks/OneDrive Standalone Update "
					"Task-S-1-5-21-2874913052-1405867236-3967512238-1001.utf16",
			       &size);
	CHECK(data != NULL);
	if (data) {
		struct task_sandbox_launch launch;
		t = parse_bytes(data, size, err, sizeof err);
		CHECK(t != NULL);
		if (t) {
			CHECK_STR(t->uri, "\\OneDrive Standalone Update "
					  "Task-S-1-5-21-2874913052-1405867236-3967512238-1001");
			CHECK_INT(t->hidden, TASK_FALSE);
			CHECK_INT(t->trigger_count, 1);
			if (t->trigger_count == 1) {
				CHECK_STR(t->triggers[0].repetition_interval, "P1D");
				CHECK_STR(t->triggers[0].random_delay, "PT4H");
			}
			CHECK_INT(t->action_count, 1);
			if (t->action_count == 1)
				CHECK_STR(t->actions[0].arguments, ""); /* <Arguments /> */
			CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
			CHECK_INT(launch.is_launcher, 0);
			task_sandbox_launch_clear(&launch);
			task_definition_free(t);
		}
		free(data);
	}
}

/* The real corpus: expected values from MANIFEST.tsv (independent parsers). */
static void test_corpus(void)
{
	static const struct {
		const char *file, *uri, *triggers, *action, *hidden_raw, *principal;
		int action_type;
	} rows[] = {
		{"Server2022_APTSimulatorVM/falshupdate22", "\\falshupdate22", "TimeTrigger",
		 "powershell.exe", "false", "WIN-FUDU2CKJOE8\\Test", TASK_ACTION_EXEC},
		{"Win10_APTSimulatorVM/GameOver", "\\GameOver", "TimeTrigger", "C:\\TMP\\mim.exe",
		 "false", "DESKTOP-TMKU40H\\TestUser", TASK_ACTION_EXEC},
		{"Win10_APTSimulatorVM/GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}",
		 "\\GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}",
		 "LogonTrigger,CalendarTrigger",
		 "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe", NULL, "S-1-5-18",
		 TASK_ACTION_EXEC},
		{"Win10_APTSimulatorVM/Microsoft/Windows/.NET_Framework/"
		 ".NET_Framework_NGEN_v4.0.30319_64_Critical",
		 "Microsoft\\Windows\\.NET Framework\\.NET Framework NGEN v4.0.30319 64 Critical",
		 "IdleTrigger", "{613FBA38-A3DF-4AB8-9674-5604984A299A}", "true", "S-1-5-18",
		 TASK_ACTION_COM_HANDLER},
		{"Win10_APTSimulatorVM/Microsoft/Windows/AppxDeploymentClient/Pre-staged_app_cleanup",
		 "\\Microsoft\\Windows\\AppxDeploymentClient\\Pre-staged app cleanup", "LogonTrigger",
		 "%windir%\\system32\\rundll32.exe", "true", "S-1-5-18", TASK_ACTION_EXEC},
		{"Win10_APTSimulatorVM/Microsoft/Windows/Autochk/Proxy",
		 "Microsoft\\Windows\\Autochk\\Proxy", "BootTrigger", "%windir%\\system32\\rundll32.exe",
		 NULL, "S-1-5-18", TASK_ACTION_EXEC},
		{"Win10_APTSimulatorVM/Microsoft/Windows/CertificateServicesClient/UserTask",
		 "\\Microsoft\\Windows\\CertificateServicesClient\\UserTask",
		 "WnfStateChangeTrigger,RegistrationTrigger,LogonTrigger,EventTrigger",
		 "{58FB76B9-AC85-4E55-AC04-427593B1D060}", NULL, "S-1-5-4", TASK_ACTION_COM_HANDLER},
		{"Win10_APTSimulatorVM/OneDrive_Standalone_Update_Task-S-1-5-21-2212929841-2730996645-"
		 "2649195864-1000",
		 "\\OneDrive Standalone Update Task-S-1-5-21-2212929841-2730996645-2649195864-1000",
		 "TimeTrigger", "%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe",
		 "false", "DESKTOP-TMKU40H\\TestUser", TASK_ACTION_EXEC},
	};
	char err[256], path[1024], types[256];
	size_t size;
	char *probe = check_read_file(CORPUS_DIR "Win10_APTSimulatorVM/GameOver", &size);

	if (!probe) {
		printf("test_task_xml: corpus %s absent, its checks skipped\n", CORPUS_DIR);
		return;
	}
	free(probe);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct task_definition *t;
		struct task_sandbox_launch launch;
		snprintf(path, sizeof path, "%s%s", CORPUS_DIR, rows[i].file);
		t = parse_path(path, err, sizeof err);
		CHECK(t != NULL);
		if (!t) {
			fprintf(stderr, "%s: %s\n", rows[i].file, err);
			continue;
		}
		CHECK_INT(t->well_formed, 1);
		CHECK_INT(t->encoding_repaired, 0); /* UTF-16LE with BOM, truthful declaration */
		CHECK_STR(t->namespace_uri, TASK_XML_NAMESPACE);
		CHECK_STR(t->uri, rows[i].uri);
		types[0] = '\0';
		for (size_t k = 0; k < t->trigger_count; k++) {
			size_t used = strlen(types);
			snprintf(types + used, sizeof types - used, "%s%s", k ? "," : "",
				 t->triggers[k].type);
		}
		CHECK_STR(types, rows[i].triggers);
		CHECK(t->action_count >= 1);
		if (t->action_count >= 1) {
			CHECK_INT(t->actions[0].type, rows[i].action_type);
			CHECK_STR(rows[i].action_type == TASK_ACTION_EXEC ? t->actions[0].command
									  : t->actions[0].class_id,
				  rows[i].action);
		}
		if (rows[i].hidden_raw)
			CHECK_STR(t->hidden_raw, rows[i].hidden_raw);
		else
			CHECK(t->hidden_raw == NULL && t->hidden == TASK_FALSE && t->hidden_is_default);
		CHECK(t->principal_count >= 1);
		if (t->principal_count >= 1)
			CHECK_STR(t->principals[0].user_id ? t->principals[0].user_id
							   : t->principals[0].group_id,
				  rows[i].principal);
		CHECK_INT(task_xml_find_sandbox_launch(t, &launch), 0);
		CHECK_INT(launch.is_launcher, 0);
		task_sandbox_launch_clear(&launch);
		task_definition_free(t);
	}
	/* details of two files */
	{
		struct task_definition *t = parse_path(
			CORPUS_DIR "Win10_APTSimulatorVM/Microsoft/Windows/CertificateServicesClient/UserTask",
			err, sizeof err);
		if (t && t->trigger_count == 4) {
			CHECK_STR(t->triggers[3].delay, "PT25M");
			CHECK_STR(t->triggers[3].repetition_interval, "PT1H");
			CHECK_STR(t->triggers[3].repetition_duration, "PT4H");
			CHECK(t->triggers[3].subscription &&
			      strncmp(t->triggers[3].subscription, "<QueryList><Query Id=\"0\"", 24) == 0);
			CHECK_STR(t->triggers[2].repetition_interval, "PT8H");
			CHECK_STR(t->security_descriptor, "D:P(A;;FA;;;BA)(A;;FA;;;SY)(A;;FR;;;IU)");
			CHECK_STR(t->registration_version, "1.0");
			CHECK_STR(t->actions[0].data, "USER");
			CHECK_STR(t->actions_context, "InteractiveUsers");
			CHECK(t->version == NULL);
		} else {
			CHECK(0);
		}
		task_definition_free(t);
		t = parse_path(CORPUS_DIR
			       "Win10_APTSimulatorVM/Microsoft/Windows/.NET_Framework/"
			       ".NET_Framework_NGEN_v4.0.30319_64_Critical",
			       err, sizeof err);
		if (t) {
			CHECK_INT(t->enabled, TASK_FALSE);
			CHECK_INT(t->hidden, TASK_TRUE);
			CHECK_STR(t->date, "2010-09-30T14:53:37.9516706");
		} else {
			CHECK(0);
		}
		task_definition_free(t);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_every_field();
	test_defaults_and_quoted_command();
	test_case_insensitive_and_wsb_exe_inline();
	test_hostile_and_broken_input();
	test_bundled_case();
	test_corpus();
	xmlCleanupParser();
	return check_done("test_task_xml");
}
