/*
 * task_xml.h - scheduled task XML (METHOD.md §4.1): the files under C:\Windows\System32\Tasks
 * and the TaskContent / TaskContentNew strings of Security 4698 / 4702, read by one code path.
 *
 * Elements are matched by local name (any namespace, any case); the namespace found is kept so an
 * examiner can see a non-standard one. Reading is wsb.c's hardened reader (size limit, no entity
 * expansion, no network, UTF-16 with BOM, UTF-8 text that claims UTF-16, recovery of malformed
 * files with well_formed = 0). Strings are UTF-8 as written (NULL when absent), owned by the struct.
 */
#ifndef SANDTRACE_PARSERS_TASK_XML_H
#define SANDTRACE_PARSERS_TASK_XML_H

#include <stddef.h>

#define TASK_XML_NAMESPACE "http://schemas.microsoft.com/windows/2004/02/mit/task"

enum { TASK_FALSE = 0, TASK_TRUE = 1, TASK_UNKNOWN = -1 };

struct task_principal {
	char *id;          /* @id, referenced by Actions/@Context */
	char *user_id, *group_id, *logon_type, *run_level, *display_name;
};

struct task_trigger {
	char *type;          /* element local name: "LogonTrigger", "TimeTrigger", "WnfStateChangeTrigger" */
	char *id;            /* @id */
	char *enabled_raw;
	int enabled;         /* effective: TASK_TRUE when absent (schema default), TASK_UNKNOWN if
				unrecognised */
	char *start_boundary, *end_boundary, *execution_time_limit, *delay, *random_delay;
	char *user_id;       /* Logon / SessionStateChange */
	char *subscription;  /* Event: the XPath query XML, entity-decoded text */
	char *repetition_interval, *repetition_duration;
};

enum task_action_type {
	TASK_ACTION_EXEC,
	TASK_ACTION_COM_HANDLER,
	TASK_ACTION_SEND_EMAIL,   /* deprecated (§4.1) */
	TASK_ACTION_SHOW_MESSAGE, /* deprecated (§4.1) */
	TASK_ACTION_OTHER
};

struct task_action {
	enum task_action_type type;
	char *name;              /* element local name as written */
	char *id;                /* @id */
	char *command, *arguments, *working_directory; /* Exec */
	char *class_id, *data;                         /* ComHandler */
};

struct task_definition {
	int well_formed;         /* 0 = recovered from malformed XML */
	int encoding_repaired;   /* declared encoding contradicted the bytes (e.g. 4698 TaskContent) */
	char *parse_problem;     /* libxml2's message when not well formed or repaired, else NULL */
	char *namespace_uri;     /* of the root; NULL if none */

	char *version;           /* Task/@version, free string (§4.1) */
	char *uri, *author, *description, *date, *security_descriptor, *source,
		*registration_version, *documentation; /* RegistrationInfo children */

	struct task_principal *principals;
	size_t principal_count;

	char *enabled_raw;       /* Settings/Enabled */
	int enabled;             /* effective; TASK_TRUE when absent (schema default) */
	int enabled_is_default;
	char *hidden_raw;        /* Settings/Hidden */
	int hidden;              /* effective; TASK_FALSE when absent (schema default) */
	int hidden_is_default;

	struct task_trigger *triggers;
	size_t trigger_count;

	char *actions_context;   /* Actions/@Context (a Principal id) */
	struct task_action *actions; /* in document order */
	size_t action_count;
};

/* Parses a task file's bytes or a 4698 TaskContent string (DATA, SIZE bytes, no NUL needed).
 * Returns 0 and *OUT (free with task_definition_free), also for recovered malformed input; -1 with a
 * message in ERR when too big (WSB_MAX_INPUT_SIZE), empty, declaring entities, not XML, or the root
 * is not Task. */
int task_xml_parse_memory(const char *data, size_t size, struct task_definition **out, char *err,
			  size_t err_size);

/* The same for a 4698/4702 TaskContent (METHOD.md §4.1): text the event log already decoded,
 * whose declaration still says UTF-16 as the task file did. Read as the UTF-8 it is; that
 * declaration is not reported as an encoding problem. */
int task_xml_parse_event_text(const char *text, size_t size, struct task_definition **out,
			      char *err, size_t err_size);

void task_definition_free(struct task_definition *task);

/* Why a task launches Windows Sandbox (§4.1 Actions/Exec, §6.3). */
struct task_sandbox_launch {
	int is_launcher;         /* 1 if some Exec action starts a sandbox */
	size_t action_index;     /* the first such action (index into actions) */
	size_t launcher_count;   /* how many Exec actions do */
	const char *reason;      /* static: "Exec runs WindowsSandbox.exe", "Exec runs wsb.exe",
				    "Exec starts a .wsb through cmd /c start", "Exec names a .wsb" */
	char *wsb_path;          /* from "Command Arguments" via wsb_find_in_command_line; NULL if none */
	char *inline_config;     /* an inline <Configuration> in the arguments; NULL if none */
};

/* Fills *LAUNCH (cleared first; release with task_sandbox_launch_clear). Returns 0, -1 on bad
 * arguments or no memory. */
int task_xml_find_sandbox_launch(const struct task_definition *task,
				 struct task_sandbox_launch *launch);

void task_sandbox_launch_clear(struct task_sandbox_launch *launch);

#endif
