/*
 * task_xml.c - scheduled task XML into a struct task_definition (see task_xml.h).
 *
 * Element names and meanings: METHOD.md §4.1 (Task children in any order, only Actions
 * mandatory; Triggers children, Principals/Principal, Settings, Actions[@Context]). The XML is read by
 * wsb_xml_read_memory (wsb.c), so task files and .wsb files share one hardened path. Values are kept
 * as written; only Settings/Enabled, Settings/Hidden and each trigger's Enabled get effective values
 * (schema defaults: Enabled true, Hidden false).
 */
#include "task_xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "wsb.h"

static void set_error(char *err, size_t err_size, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t err_size, const char *format, ...)
{
	va_list args;

	if (!err || err_size == 0)
		return;
	va_start(args, format);
	vsnprintf(err, err_size, format, args);
	va_end(args);
}

static char *dup_string(const char *text)
{
	size_t length;
	char *copy;

	if (!text)
		return NULL;
	length = strlen(text);
	copy = malloc(length + 1);
	if (copy)
		memcpy(copy, text, length + 1);
	return copy;
}

static int name_is(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && node->name &&
	       strcasecmp((const char *)node->name, name) == 0;
}

/* Text of NODE into *SLOT unless already set (the first occurrence wins). 0, -1 on no memory. */
static int take_text(const xmlNode *node, char **slot)
{
	if (*slot)
		return 0;
	*slot = wsb_xml_node_text(node);
	return *slot ? 0 : -1;
}

/* An attribute's value by local name (any case), NULL if absent; *NO_MEMORY on failure. Reads the
 * attribute's text children directly (no entity reference is followed). */
static int take_attribute(const xmlNode *node, const char *name, char **slot)
{
	for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
		if (!attr->name || strcasecmp((const char *)attr->name, name) != 0)
			continue;
		*slot = wsb_xml_node_text(attr);
		return *slot ? 0 : -1;
	}
	return 0;
}

/* xs:boolean, trimmed, any case: TASK_TRUE / TASK_FALSE, else TASK_UNKNOWN. */
static int parse_boolean(const char *raw)
{
	size_t start = 0, end = strlen(raw);

	while (start < end && (raw[start] == ' ' || raw[start] == '\t' || raw[start] == '\r' ||
			       raw[start] == '\n'))
		start++;
	while (end > start && (raw[end - 1] == ' ' || raw[end - 1] == '\t' || raw[end - 1] == '\r' ||
			       raw[end - 1] == '\n'))
		end--;
	if ((end - start == 4 && strncasecmp(raw + start, "true", 4) == 0) ||
	    (end - start == 1 && raw[start] == '1'))
		return TASK_TRUE;
	if ((end - start == 5 && strncasecmp(raw + start, "false", 5) == 0) ||
	    (end - start == 1 && raw[start] == '0'))
		return TASK_FALSE;
	return TASK_UNKNOWN;
}

static void effective_boolean(const char *raw, int default_value, int *value, int *is_default)
{
	*value = raw ? parse_boolean(raw) : default_value;
	if (is_default)
		*is_default = raw == NULL;
}

/* Grows ARRAY (of COUNT elements of SIZE bytes) by one zeroed element; NULL on no memory. */
static void *grow(void **array, size_t *count, size_t size)
{
	char *grown = realloc(*array, (*count + 1) * size);

	if (!grown)
		return NULL;
	*array = grown;
	memset(grown + *count * size, 0, size);
	return grown + (*count)++ * size;
}

static int read_registration_info(struct task_definition *task, const xmlNode *node)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{"URI", offsetof(struct task_definition, uri)},
		{"Author", offsetof(struct task_definition, author)},
		{"Description", offsetof(struct task_definition, description)},
		{"Date", offsetof(struct task_definition, date)},
		{"SecurityDescriptor", offsetof(struct task_definition, security_descriptor)},
		{"Source", offsetof(struct task_definition, source)},
		{"Version", offsetof(struct task_definition, registration_version)},
		{"Documentation", offsetof(struct task_definition, documentation)},
	};

	for (const xmlNode *child = node->children; child; child = child->next)
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (name_is(child, fields[i].name) &&
			    take_text(child, (char **)((char *)task + fields[i].offset)))
				return -1;
	return 0;
}

static int read_principals(struct task_definition *task, const xmlNode *node)
{
	for (const xmlNode *child = node->children; child; child = child->next) {
		struct task_principal *p;
		if (!name_is(child, "Principal"))
			continue;
		p = grow((void **)&task->principals, &task->principal_count, sizeof *p);
		if (!p || take_attribute(child, "id", &p->id))
			return -1;
		for (const xmlNode *f = child->children; f; f = f->next) {
			int rc = 0;
			if (name_is(f, "UserId"))
				rc = take_text(f, &p->user_id);
			else if (name_is(f, "GroupId"))
				rc = take_text(f, &p->group_id);
			else if (name_is(f, "LogonType"))
				rc = take_text(f, &p->logon_type);
			else if (name_is(f, "RunLevel"))
				rc = take_text(f, &p->run_level);
			else if (name_is(f, "DisplayName"))
				rc = take_text(f, &p->display_name);
			if (rc)
				return -1;
		}
	}
	return 0;
}

static int read_settings(struct task_definition *task, const xmlNode *node)
{
	for (const xmlNode *child = node->children; child; child = child->next) {
		if (name_is(child, "Enabled") && take_text(child, &task->enabled_raw))
			return -1;
		if (name_is(child, "Hidden") && take_text(child, &task->hidden_raw))
			return -1;
	}
	return 0;
}

static int read_triggers(struct task_definition *task, const xmlNode *node)
{
	for (const xmlNode *child = node->children; child; child = child->next) {
		struct task_trigger *t;
		if (child->type != XML_ELEMENT_NODE)
			continue;
		t = grow((void **)&task->triggers, &task->trigger_count, sizeof *t);
		if (!t || !(t->type = dup_string((const char *)child->name)) ||
		    take_attribute(child, "id", &t->id))
			return -1;
		for (const xmlNode *f = child->children; f; f = f->next) {
			int rc = 0;
			if (name_is(f, "Enabled"))
				rc = take_text(f, &t->enabled_raw);
			else if (name_is(f, "StartBoundary"))
				rc = take_text(f, &t->start_boundary);
			else if (name_is(f, "EndBoundary"))
				rc = take_text(f, &t->end_boundary);
			else if (name_is(f, "ExecutionTimeLimit"))
				rc = take_text(f, &t->execution_time_limit);
			else if (name_is(f, "Delay"))
				rc = take_text(f, &t->delay);
			else if (name_is(f, "RandomDelay"))
				rc = take_text(f, &t->random_delay);
			else if (name_is(f, "UserId"))
				rc = take_text(f, &t->user_id);
			else if (name_is(f, "Subscription"))
				rc = take_text(f, &t->subscription);
			else if (name_is(f, "Repetition"))
				for (const xmlNode *r = f->children; r && !rc; r = r->next) {
					if (name_is(r, "Interval"))
						rc = take_text(r, &t->repetition_interval);
					else if (name_is(r, "Duration"))
						rc = take_text(r, &t->repetition_duration);
				}
			if (rc)
				return -1;
		}
		effective_boolean(t->enabled_raw, TASK_TRUE, &t->enabled, NULL);
	}
	return 0;
}

static const struct {
	const char *name;
	enum task_action_type type;
} action_types[] = {
	{"Exec", TASK_ACTION_EXEC},
	{"ComHandler", TASK_ACTION_COM_HANDLER},
	{"SendEmail", TASK_ACTION_SEND_EMAIL},
	{"ShowMessage", TASK_ACTION_SHOW_MESSAGE},
};

static int read_actions(struct task_definition *task, const xmlNode *node)
{
	if (!task->actions_context && take_attribute(node, "Context", &task->actions_context))
		return -1;
	for (const xmlNode *child = node->children; child; child = child->next) {
		struct task_action *a;
		if (child->type != XML_ELEMENT_NODE)
			continue;
		a = grow((void **)&task->actions, &task->action_count, sizeof *a);
		if (!a || !(a->name = dup_string((const char *)child->name)) ||
		    take_attribute(child, "id", &a->id))
			return -1;
		a->type = TASK_ACTION_OTHER;
		for (size_t i = 0; i < sizeof action_types / sizeof action_types[0]; i++)
			if (name_is(child, action_types[i].name))
				a->type = action_types[i].type;
		for (const xmlNode *f = child->children; f; f = f->next) {
			int rc = 0;
			if (name_is(f, "Command"))
				rc = take_text(f, &a->command);
			else if (name_is(f, "Arguments"))
				rc = take_text(f, &a->arguments);
			else if (name_is(f, "WorkingDirectory"))
				rc = take_text(f, &a->working_directory);
			else if (name_is(f, "ClassId"))
				rc = take_text(f, &a->class_id);
			else if (name_is(f, "Data"))
				rc = take_text(f, &a->data);
			if (rc)
				return -1;
		}
	}
	return 0;
}

static int read_task(struct task_definition *task, const xmlNode *root)
{
	if (take_attribute(root, "version", &task->version))
		return -1;
	if (root->ns && root->ns->href &&
	    !(task->namespace_uri = dup_string((const char *)root->ns->href)))
		return -1;
	for (const xmlNode *node = root->children; node; node = node->next) {
		int rc = 0;
		if (name_is(node, "RegistrationInfo"))
			rc = read_registration_info(task, node);
		else if (name_is(node, "Principals"))
			rc = read_principals(task, node);
		else if (name_is(node, "Settings"))
			rc = read_settings(task, node);
		else if (name_is(node, "Triggers"))
			rc = read_triggers(task, node);
		else if (name_is(node, "Actions"))
			rc = read_actions(task, node);
		if (rc)
			return -1;
	}
	effective_boolean(task->enabled_raw, TASK_TRUE, &task->enabled, &task->enabled_is_default);
	effective_boolean(task->hidden_raw, TASK_FALSE, &task->hidden, &task->hidden_is_default);
	return 0;
}

static int parse_task(const char *data, size_t size, int decoded_text,
		      struct task_definition **out, char *err, size_t err_size)
{
	struct wsb_xml_read read;
	struct task_definition *task = NULL;
	xmlNode *root;
	int rc = -1;

	if (!out) {
		set_error(err, err_size, "no result given");
		return -1;
	}
	*out = NULL;
	if (wsb_xml_read_memory(data, size, WSB_MAX_INPUT_SIZE, decoded_text, &read, err, err_size))
		return -1;
	root = xmlDocGetRootElement(read.doc);
	if (!name_is(root, "Task")) {
		set_error(err, err_size, "root element is <%s>, not <Task>",
			  root->name ? (const char *)root->name : "?");
		goto out;
	}
	task = calloc(1, sizeof *task);
	if (!task) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	task->well_formed = read.well_formed;
	task->encoding_repaired = read.encoding_repaired;
	if (read.problem[0] && (!read.well_formed || read.encoding_repaired) &&
	    !(task->parse_problem = dup_string(read.problem))) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	if (read_task(task, root)) {
		set_error(err, err_size, "out of memory");
		goto out;
	}
	*out = task;
	task = NULL;
	rc = 0;
out:
	task_definition_free(task);
	wsb_xml_read_clear(&read);
	return rc;
}

int task_xml_parse_memory(const char *data, size_t size, struct task_definition **out, char *err,
			  size_t err_size)
{
	return parse_task(data, size, 0, out, err, err_size);
}

int task_xml_parse_event_text(const char *text, size_t size, struct task_definition **out,
			      char *err, size_t err_size)
{
	return parse_task(text, size, 1, out, err, err_size);
}

void task_definition_free(struct task_definition *task)
{
	if (!task)
		return;
	free(task->parse_problem);
	free(task->namespace_uri);
	free(task->version);
	free(task->uri);
	free(task->author);
	free(task->description);
	free(task->date);
	free(task->security_descriptor);
	free(task->source);
	free(task->registration_version);
	free(task->documentation);
	for (size_t i = 0; i < task->principal_count; i++) {
		struct task_principal *p = &task->principals[i];
		free(p->id);
		free(p->user_id);
		free(p->group_id);
		free(p->logon_type);
		free(p->run_level);
		free(p->display_name);
	}
	free(task->principals);
	free(task->enabled_raw);
	free(task->hidden_raw);
	for (size_t i = 0; i < task->trigger_count; i++) {
		struct task_trigger *t = &task->triggers[i];
		free(t->type);
		free(t->id);
		free(t->enabled_raw);
		free(t->start_boundary);
		free(t->end_boundary);
		free(t->execution_time_limit);
		free(t->delay);
		free(t->random_delay);
		free(t->user_id);
		free(t->subscription);
		free(t->repetition_interval);
		free(t->repetition_duration);
	}
	free(task->triggers);
	free(task->actions_context);
	for (size_t i = 0; i < task->action_count; i++) {
		struct task_action *a = &task->actions[i];
		free(a->name);
		free(a->id);
		free(a->command);
		free(a->arguments);
		free(a->working_directory);
		free(a->class_id);
		free(a->data);
	}
	free(task->actions);
	free(task);
}

/* ---- sandbox launchers (§4.1 "the launcher", §5.2 host processes) ------------------------------ */

/* The program file name of COMMAND (quotes and directories stripped, trimmed), into BUF. */
static void program_name(const char *command, char *buf, size_t buf_size)
{
	const char *start = command, *end;
	size_t length;

	while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n' || *start == '"')
		start++;
	end = start;
	if (command[0] == '"' || strchr(start, '"')) {
		while (*end && *end != '"')
			end++;
	} else {
		end = start + strlen(start);
	}
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			       end[-1] == '\n'))
		end--;
	for (const char *p = start; p < end; p++)
		if (*p == '\\' || *p == '/')
			start = p + 1;
	length = (size_t)(end - start);
	if (length >= buf_size)
		length = buf_size - 1;
	memcpy(buf, start, length);
	buf[length] = '\0';
}

static const char *find_nocase(const char *hay, const char *needle)
{
	size_t length = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, length) == 0)
			return hay;
	return NULL;
}

/* The reason EXEC launches a sandbox, or NULL. */
static const char *launch_reason(const struct task_action *exec)
{
	static const struct {
		const char *program;
		const char *reason;
	} launchers[] = {
		{"WindowsSandbox.exe", "Exec runs WindowsSandbox.exe"},
		{"WindowsSandbox", "Exec runs WindowsSandbox.exe"},
		{"wsb.exe", "Exec runs wsb.exe"},
		{"wsb", "Exec runs wsb.exe"},
	};
	char program[260];
	const char *arguments = exec->arguments ? exec->arguments : "";
	int names_wsb;

	if (!exec->command)
		return NULL;
	program_name(exec->command, program, sizeof program);
	for (size_t i = 0; i < sizeof launchers / sizeof launchers[0]; i++)
		if (strcasecmp(program, launchers[i].program) == 0)
			return launchers[i].reason;
	names_wsb = find_nocase(exec->command, ".wsb") || find_nocase(arguments, ".wsb");
	if (!names_wsb)
		return NULL;
	if ((strcasecmp(program, "cmd.exe") == 0 || strcasecmp(program, "cmd") == 0) &&
	    find_nocase(arguments, "start"))
		return "Exec starts a .wsb through cmd /c start";
	return "Exec names a .wsb";
}

void task_sandbox_launch_clear(struct task_sandbox_launch *launch)
{
	if (!launch)
		return;
	free(launch->wsb_path);
	free(launch->inline_config);
	memset(launch, 0, sizeof *launch);
}

int task_xml_find_sandbox_launch(const struct task_definition *task,
				 struct task_sandbox_launch *launch)
{
	if (!task || !launch)
		return -1;
	memset(launch, 0, sizeof *launch);
	for (size_t i = 0; i < task->action_count; i++) {
		const struct task_action *a = &task->actions[i];
		const char *reason, *command;
		size_t length, command_length;
		char *line;
		int rc;

		if (a->type != TASK_ACTION_EXEC || !(reason = launch_reason(a)))
			continue;
		if (launch->launcher_count++ > 0)
			continue;
		launch->is_launcher = 1;
		launch->action_index = i;
		launch->reason = reason;
		/* "Command Arguments", the command (its own quotes removed) quoted so that its spaces do
		 * not split it */
		command = a->command;
		command_length = strlen(command);
		while (command_length > 0 && (command[0] == '"' || command[0] == ' ')) {
			command++;
			command_length--;
		}
		while (command_length > 0 &&
		       (command[command_length - 1] == '"' || command[command_length - 1] == ' '))
			command_length--;
		length = command_length + (a->arguments ? strlen(a->arguments) : 0) + 4;
		line = malloc(length);
		if (!line)
			goto fail;
		snprintf(line, length, "\"%.*s\" %s", (int)command_length, command,
			 a->arguments ? a->arguments : "");
		rc = wsb_find_in_command_line(line, &launch->wsb_path, &launch->inline_config);
		free(line);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	task_sandbox_launch_clear(launch);
	return -1;
}
