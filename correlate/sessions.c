/*
 * sessions.c - one session per sandbox VM run, rebuilt from the store (see sessions.h).
 *
 * The records come with their catalogue row (src/catalog.def): the correlator walks roles
 * (vm_start, logon, share, command, ...) and reads each key field where the row says that layout
 * keeps it, never an event id. The steps follow METHOD.md §6.1: collect the records naming a VM
 * GUID (or its VM SID), decide per GUID whether it is a sandbox (§6.6), link launchers to the VM starts they precede (§6.2,
 * §6.3), the task runs to the launchers, the configuration, shares, commands and network, and list
 * what is missing (§6.4). Every link records its basis and confidence (§6.5). Input order is
 * (time, evidence SHA-256, record id) and every tie is broken by a stored id, so the same store
 * gives the same sessions.
 */
#define _GNU_SOURCE /* strcasestr */
#include "sessions.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "correlate/hosts.h"
#include "correlate/pid_index.h"
#include "correlate/rules.h"
#include "correlate/servicing_facts.h"
#include "correlate/story.h"
#include "cmdline.h"
#include "json.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

/* §0.4 windows, in FILETIME ticks. */
#define SECONDS(n) ((uint64_t)(n) * 10000000ULL)
#define LAUNCH_WINDOW SECONDS(120)  /* launcher start -> VM start */
#define TASK_WINDOW SECONDS(10)     /* task process created -> launcher 4688 */

/* What a record means comes from its catalogue row (src/catalog.def: role, VM key, fields); the
 * providers below are named only where the source itself matters (a Security record names its
 * subject; Sysmon repeats a 4688; Task Scheduler records carry the service's PID). */
#define PROVIDER_SECURITY "Microsoft-Windows-Security-Auditing"
#define PROVIDER_TASKS "Microsoft-Windows-TaskScheduler"
#define PROVIDER_SYSMON "Microsoft-Windows-Sysmon"

/* ---- GUIDs and VM SIDs (§0.2, §0.3) -------------------------------------------------------- */

static int is_guid_at(const char *p)
{
	static const int DASHES[] = {8, 13, 18, 23};
	for (int i = 0; i < 36; i++) {
		int dash = i == DASHES[0] || i == DASHES[1] || i == DASHES[2] || i == DASHES[3];
		if (dash ? p[i] != '-' : !isxdigit((unsigned char)p[i]))
			return 0;
	}
	return 1;
}

int sessions_find_guid(const char *text, char out[37])
{
	size_t length;

	if (!text)
		return 0;
	length = strlen(text);
	for (const char *p = text; (size_t)(p - text) + 36 <= length; p++) {
		if (is_guid_at(p) && (p == text || !isxdigit((unsigned char)p[-1])) &&
		    !isxdigit((unsigned char)p[36])) {
			for (int i = 0; i < 36; i++)
				out[i] = (char)toupper((unsigned char)p[i]);
			out[36] = 0;
			return 1;
		}
	}
	return 0;
}

/* The exact GUID TEXT is (braces allowed), or 0. */
static int exact_guid(const char *text, char out[37])
{
	size_t n;

	if (!text)
		return 0;
	if (*text == '{')
		text++;
	n = strlen(text);
	if (n < 36 || (n > 36 && !(n == 37 && text[36] == '}')) || !is_guid_at(text))
		return 0;
	return sessions_find_guid(text, out);
}

static int hex_value(const char *p, int digits, uint32_t *out)
{
	*out = 0;
	for (int i = 0; i < digits; i++) {
		int c = p[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (v < 0)
			return -1;
		*out = *out << 4 | (uint32_t)v;
	}
	return 0;
}

int sessions_sid_from_guid(const char *guid, char *sid, size_t sid_size)
{
	char g[37];
	uint32_t d1, d2, d3, b[8];

	if (!exact_guid(guid, g) || hex_value(g, 8, &d1) || hex_value(g + 9, 4, &d2) ||
	    hex_value(g + 14, 4, &d3))
		return -1;
	for (int i = 0; i < 8; i++)
		if (hex_value(g + (i < 2 ? 19 + 2 * i : 24 + 2 * (i - 2)), 2, &b[i]))
			return -1;
	/* §0.3: the GUID's little-endian bytes read as four little-endian 32-bit integers. */
	snprintf(sid, sid_size, "S-1-5-83-1-%u-%u-%u-%u", d1, d3 << 16 | d2,
		 b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0], b[7] << 24 | b[6] << 16 | b[5] << 8 | b[4]);
	return 0;
}

int sessions_guid_from_sid(const char *sid, char *guid, size_t guid_size)
{
	unsigned long long r[4];
	char back[80], text[96];
	int used = 0;

	if (!sid || strncasecmp(sid, "S-1-5-83-1-", 11) != 0 ||
	    sscanf(sid + 11, "%llu-%llu-%llu-%llu%n", &r[0], &r[1], &r[2], &r[3], &used) != 4 ||
	    sid[11 + used] != 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if (r[i] > 0xFFFFFFFFULL)
			return -1;
	snprintf(text, sizeof text, "%08llX-%04llX-%04llX-%02llX%02llX-%02llX%02llX%02llX%02llX%02llX%02llX",
		 r[0], r[1] & 0xFFFF, r[1] >> 16, r[2] & 0xFF, r[2] >> 8 & 0xFF, r[2] >> 16 & 0xFF,
		 r[2] >> 24, r[3] & 0xFF, r[3] >> 8 & 0xFF, r[3] >> 16 & 0xFF, r[3] >> 24);
	/* A VM SID that does not round-trip is not one (§0.3). */
	if (sessions_sid_from_guid(text, back, sizeof back) != 0 || strcasecmp(back, sid) != 0)
		return -1;
	snprintf(guid, guid_size, "%s", text);
	return 0;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static char *field(const struct store_event *e, const char *name)
{
	return json_object_get(e->data, name, 1);
}

/* The value of KEY in E's layout: the field its catalogue row names for KEY (the first of the
 * alternatives that is present), malloc'ed, or NULL. */
static char *key_field(const struct store_event *e, const char *key)
{
	char name[96];

	for (size_t i = 0; catalog_field(e->entry, key, i, name, sizeof name); i++) {
		char *value = field(e, name);
		if (value)
			return value;
	}
	return NULL;
}

static enum catalog_role role_of(const struct store_event *e)
{
	return e->entry ? e->entry->role : CATALOG_ROLE_NONE;
}

static int from(const struct store_event *e, const char *provider)
{
	return e->provider && strcasecmp(e->provider, provider) == 0;
}

/* Windows paths compared case-insensitively, '/' = '\', trailing separators ignored. */
static int same_path(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	while (la && (a[la - 1] == '\\' || a[la - 1] == '/'))
		la--;
	while (lb && (b[lb - 1] == '\\' || b[lb - 1] == '/'))
		lb--;
	if (la != lb)
		return 0;
	for (size_t i = 0; i < la; i++) {
		char x = a[i] == '/' ? '\\' : (char)tolower((unsigned char)a[i]);
		char y = b[i] == '/' ? '\\' : (char)tolower((unsigned char)b[i]);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Does the collection path LOCATION hold the Windows path WINDOWS_PATH (drive letter dropped)? */
static int location_is(const char *location, const char *windows_path)
{
	const char *tail = windows_path;
	size_t lt, ll;

	if (!location || !windows_path)
		return 0;
	if (isalpha((unsigned char)tail[0]) && tail[1] == ':')
		tail += 2;
	lt = strlen(tail);
	ll = strlen(location);
	if (lt == 0 || lt > ll)
		return 0;
	/* The match must start at a path separator: "x.wsb" is not ".../box.wsb". */
	if (lt < ll && tail[0] != '\\' && tail[0] != '/' && location[ll - lt - 1] != '/' &&
	    location[ll - lt - 1] != '\\')
		return 0;
	for (size_t i = 0; i < lt; i++) {
		char x = location[ll - lt + i] == '\\' ? '/' : (char)tolower((unsigned char)location[ll - lt + i]);
		char y = tail[i] == '\\' ? '/' : (char)tolower((unsigned char)tail[i]);
		if (x != y)
			return 0;
	}
	return 1;
}

int64_t sessions_parse_id(const char *text)
{
	char *end;
	long long v;

	if (!text || !*text)
		return -1;
	v = strtoll(text, &end, 0); /* Security writes 0x..., Task Scheduler and Sysmon decimal */
	return *end || v < 0 ? -1 : v;
}

static int is_system_principal(const char *who)
{
	return who && (strcasecmp(who, "S-1-5-18") == 0 || strcasecmp(who, "SYSTEM") == 0 ||
		       strcasecmp(who, "NT AUTHORITY\\SYSTEM") == 0 ||
		       strcasecmp(who, "LocalSystem") == 0 || strcasecmp(who, "S-1-5-19") == 0 ||
		       strcasecmp(who, "S-1-5-20") == 0);
}

/* §7 notes: the sandbox's own base-image and package shares are internal, never user mappings. */
static int is_internal_share(const char *path)
{
	return path && (strcasestr(path, "\\ProgramData\\Microsoft\\Windows\\Containers\\") ||
			strcasestr(path, "\\Program Files\\WindowsApps\\"));
}

static void push_string(char ***list, size_t *count, const char *text)
{
	char **grown = realloc(*list, (*count + 1) * sizeof **list);
	if (!grown)
		return;
	*list = grown;
	grown[*count] = strdup(text);
	if (grown[*count])
		(*count)++;
}

/* Grows ARRAY (COUNT elements of SIZE bytes) by one slot in steps of 16; NULL (array and count
 * untouched) when memory runs out. */
static void *push_slot(void **array, size_t *count, size_t size)
{
	if (*count % 16 == 0) {
		void *grown = realloc(*array, (*count + 16) * size);
		if (!grown)
			return NULL;
		*array = grown;
	}
	return (char *)*array + (*count)++ * size;
}

#define PUSH(array, count) push_slot((void **)&(array), &(count), sizeof *(array))

/* ---- per-VM collection (§6.1 steps 1-3) -------------------------------------------------- */

struct vm_link {
	size_t event;          /* index into the events */
	const char *role;      /* logon, vm_start, exit, share, command, network, lifecycle */
	const char *basis;     /* "VM GUID", "VM SID", "GUID in NicName" */
};

struct vm_run {
	char guid[37];
	struct vm_link *links;
	size_t link_count;
	uint64_t first, last, start, end;
	int has_start, has_exit, has_logon, has_classic_mark, has_container_mark, wdag_user;
	int boots_seen;        /* distinct boot epochs among its records */
	int share_matches_config; /* a user share is a mapped folder of a stored .wsb (§6.6) */
	int last_epoch;
	char *vm_name;         /* Worker VmName, if one */
	size_t *nics;          /* the NIC connects and disconnects naming it (event indexes, in order) */
	size_t nic_count;
	int is_session;
	const char *kind;
	char kind_basis[256];
	struct session *session;
};

struct launcher {
	size_t event;            /* its 4688 / Sysmon 1, or the Task Scheduler 129/200 (§6.3) */
	char *image, *command_line, *subject, *subject_name, *subject_domain, *parent;
	int64_t pid, creator_pid;
	int claimed;
	const struct store_event *task_run; /* the 129/200 of the run that created it, or NULL */
	const char *task_host;   /* why its parent runs tasks (static text), or NULL */
	const struct store_task *definition; /* the task whose action it runs, or NULL */
	int definition_ambiguous; /* another task's action runs the same program */
	int64_t command_line_task; /* tasks.id whose action gave the command line, 0: its own */
	const struct store_wsb_call *call; /* its command line as a call (the record's or the
					      action's), NULL if none was read */
};

/* The Hyper-V channels a session is rebuilt from (METHOD.md §1.4, §1.5). */
static const char *const HYPERV_CHANNELS[] = {
	"Microsoft-Windows-Hyper-V-Compute-Operational", "Microsoft-Windows-Hyper-V-Compute-Admin",
	"Microsoft-Windows-Hyper-V-Worker-Admin", "Microsoft-Windows-Hyper-V-Worker-Operational",
};
enum { HYPERV_CHANNEL_COUNT = sizeof HYPERV_CHANNELS / sizeof HYPERV_CHANNELS[0] };

struct correlation {
	struct store *store;
	struct store_event *events;
	size_t event_count;
	struct store_task *tasks;
	size_t task_count;
	struct store_wsb *configs;
	size_t config_count;
	struct store_wsb_call *calls; /* the launcher calls decoded at ingest (§5.2) */
	size_t call_count;
	struct store_vm_command *vm_commands; /* the commands decoded at ingest (§1.4) */
	size_t vm_command_count;
	struct vm_run *vms;
	size_t vm_count;
	size_t *vm_by_guid;    /* indexes into vms, sorted by GUID: vm_find's binary search */
	uint64_t *boots;
	size_t boot_count;
	struct launcher *launchers;
	size_t launcher_count;
	int have_security;     /* any Security-Auditing record in the store */
	uint64_t security_cleared; /* time of the last Security 1102 (log cleared), 0 if none */
	struct {
		uint64_t time;
		int64_t id;      /* its events.id; 0: the channel has no dated record */
	} hyperv_oldest[HYPERV_CHANNEL_COUNT]; /* each channel's oldest dated record, noted as the
						  records go by (select_events), kept or not */
	/* Each payload's PID read once (index_processes), so that a launcher's lookups are binary
	 * searches, not a scan of every record: */
	struct pid_index processes;  /* process records (4688 / Sysmon 1) by their "pid" */
	struct pid_index task_runs;  /* task-run records naming the process they created, by it */
	struct pid_index task_service; /* Task Scheduler records by the writer's System PID */
	struct pid_index calls_by_event; /* the calls by the event row (events.id) they were read from */
};

/* A copy of TEXT (NULL stays NULL; a failed copy is NULL too, as an absent value). */
static char *dup_or_null(const char *text)
{
	return text ? strdup(text) : NULL;
}

/* The command line and user of a COMMAND record, as decoded at ingest into vm_commands (§1.4,
 * §1.10). Each result is malloc'ed or NULL. */
static void command_of(const struct correlation *c, const struct store_event *e,
		       char **command_line, char **user)
{
	const struct store_vm_command *row =
		store_find_vm_command(c->vm_commands, c->vm_command_count, e->id);

	*command_line = dup_or_null(row ? row->command_line : NULL);
	*user = dup_or_null(row ? row->user : NULL);
}

/* Where GUID is, or would go, in c->vm_by_guid; *FOUND says whether it is there. A binary search:
 * a log of hundreds of sandbox runs names each VM in tens of records. */
static size_t vm_slot(const struct correlation *c, const char *guid, int *found)
{
	size_t low = 0, high = c->vm_count;

	*found = 0;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		int order = strcmp(c->vms[c->vm_by_guid[middle]].guid, guid);

		if (order == 0) {
			*found = 1;
			return middle;
		}
		if (order < 0)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

/* The VM of GUID, or NULL if no record named it. */
static struct vm_run *vm_find(struct correlation *c, const char *guid)
{
	int found;
	size_t slot = vm_slot(c, guid, &found);

	return found ? &c->vms[c->vm_by_guid[slot]] : NULL;
}

/* The VM of GUID, added (in the order VMs are first named) if no record named it before. */
static struct vm_run *vm_for(struct correlation *c, const char *guid)
{
	struct vm_run *vm;
	size_t count = c->vm_count, *order;
	int found;
	size_t slot = vm_slot(c, guid, &found);

	if (found)
		return &c->vms[c->vm_by_guid[slot]];
	if (!(order = realloc(c->vm_by_guid, (count + 1) * sizeof *order)))
		return NULL;
	c->vm_by_guid = order;
	if (!(vm = PUSH(c->vms, c->vm_count)))
		return NULL;
	memmove(order + slot + 1, order + slot, (count - slot) * sizeof *order);
	order[slot] = count;
	memset(vm, 0, sizeof *vm);
	snprintf(vm->guid, sizeof vm->guid, "%s", guid);
	vm->last_epoch = -1;
	return vm;
}

/* The number of boots at or before TIME (the boots are in time order, as the records are). */
static int boot_epoch(const struct correlation *c, uint64_t time)
{
	size_t low = 0, high = c->boot_count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (c->boots[middle] <= time)
			low = middle + 1;
		else
			high = middle;
	}
	return (int)low;
}

/* Which VM a record names and in which role (§6.1 step 1); 0 if none. */
/* §1.10: a payload whose layout is not the one expected still names its VM somewhere: the first
 * value that is a GUID, or a rendered message starting "[<GUID>]" / "'<guid>'". */
static int any_guid_value(void *context, const char *key, const char *value)
{
	char *out = context;
	(void)key;
	if (exact_guid(value, out))
		return 1;
	if ((value[0] == '[' || value[0] == '\'') && strlen(value) > 37 && is_guid_at(value + 1))
		return sessions_find_guid(value + 1, out);
	return 0;
}

static int vm_of_event(const struct store_event *e, char guid[37], const char **role,
		       const char **basis)
{
	enum catalog_vm_key key = e->entry ? e->entry->vm_key : CATALOG_VM_NONE;
	char *value = NULL, *domain = NULL;
	int found = 0;

	*basis = "VM GUID";
	if (key == CATALOG_VM_ACCOUNT) {
		domain = key_field(e, "domain");
		value = key_field(e, "name");
		found = (domain && strcasecmp(domain, "NT VIRTUAL MACHINE") == 0 &&
			 exact_guid(value, guid)) ||
			(free(value), value = key_field(e, "sid"),
			 sessions_guid_from_sid(value, guid, 37) == 0);
	} else if (key == CATALOG_VM_GUID || key == CATALOG_VM_GUID_WITHIN) {
		value = key_field(e, "guid");
		found = exact_guid(value, guid) ||
			(key == CATALOG_VM_GUID_WITHIN && sessions_find_guid(value, guid)) ||
			(!value && json_object_each(e->data, any_guid_value, guid) == 1 &&
			 (*basis = "VM GUID (in an unnamed payload field)"));
	}
	if (found)
		*role = catalog_role_name(role_of(e));
	/* §0.3: a record whose user is a VM SID names that VM (the account rows say so themselves) */
	if (!found && key != CATALOG_VM_NONE && key != CATALOG_VM_ACCOUNT && e->user_sid &&
	    sessions_guid_from_sid(e->user_sid, guid, 37) == 0) {
		found = 1;
		*basis = "VM SID";
		*role = role_of(e) == CATALOG_ROLE_SHARE ? "share" : "lifecycle";
	}
	free(value);
	free(domain);
	return found;
}

/* What the whole log says, whether E is kept or not: whether Security records are there at all,
 * and each Hyper-V channel's oldest dated record (§6.4). */
static void note_log_wide(struct correlation *c, const struct store_event *e)
{
	for (size_t h = 0; e->time && e->channel && h < HYPERV_CHANNEL_COUNT; h++)
		if (!strcasecmp(e->channel, HYPERV_CHANNELS[h]) &&
		    (!c->hyperv_oldest[h].id || e->time < c->hyperv_oldest[h].time)) {
			c->hyperv_oldest[h].time = e->time;
			c->hyperv_oldest[h].id = e->id;
		}
	if (from(e, PROVIDER_SECURITY))
		c->have_security = 1;
}

static int collect_vms(struct correlation *c)
{
	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		char guid[37];
		const char *role, *basis;
		struct vm_run *vm;
		struct vm_link *link;

		if (role_of(e) == CATALOG_ROLE_SECURITY_CLEARED)
			c->security_cleared = e->time;
		if (role_of(e) == CATALOG_ROLE_BOOT) {
			uint64_t *slot = PUSH(c->boots, c->boot_count);
			if (!slot)
				return -1;
			*slot = e->time;
		}
		if (!vm_of_event(e, guid, &role, &basis))
			continue;
		if (!(vm = vm_for(c, guid)) || !(link = PUSH(vm->links, vm->link_count)))
			return -1;
		*link = (struct vm_link){i, role, basis};
		if (!vm->first || e->time < vm->first)
			vm->first = e->time;
		if (e->time > vm->last)
			vm->last = e->time;
		{
			int epoch = boot_epoch(c, e->time);
			if (epoch != vm->last_epoch) {
				vm->boots_seen++;
				vm->last_epoch = epoch;
			}
		}
		if (e->entry->mark == CATALOG_MARK_CLASSIC_VM)
			vm->has_classic_mark = 1;
		if (e->entry->mark == CATALOG_MARK_CONTAINER)
			vm->has_container_mark = 1;
		if (!vm->vm_name)
			vm->vm_name = key_field(e, "vm_name");
		if (role_of(e) == CATALOG_ROLE_COMMAND) {
			char *command = NULL, *user = NULL;
			command_of(c, e, &command, &user);
			if (user && strcasecmp(user, "WDAGUtilityAccount") == 0)
				vm->wdag_user = 1;
			free(command);
			free(user);
		}
		/* §6.1 step 2: start and end from the lifecycle kinds. */
		if (!strcmp(role, "vm_start") || (!strcmp(role, "logon") && e->event_id == 4624) ||
		    !strcmp(role, "share")) {
			if (!vm->has_start || e->time < vm->start)
				vm->start = e->time;
			vm->has_start = 1;
		}
		if (!strcmp(role, "logon"))
			vm->has_logon = 1;
		if (!strcmp(role, "exit") || !strcmp(role, "logoff")) {
			if (e->time > vm->end)
				vm->end = e->time;
			vm->has_exit = 1;
		}
	}
	return 0;
}

/* §1.2, §6.1 step 5: each VmSwitch NIC record goes to the VM whose GUID its NIC name or its port
 * names (read once here, not once per session). */
static int collect_nics(struct correlation *c)
{
	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		char *nic, *port, guid_nic[37] = "", guid_port[37] = "";
		struct vm_run *named[2];

		if (role_of(e) != CATALOG_ROLE_NIC_CONNECTED &&
		    role_of(e) != CATALOG_ROLE_NIC_DISCONNECTED)
			continue;
		nic = key_field(e, "nic");
		port = key_field(e, "port");
		sessions_find_guid(nic, guid_nic);
		sessions_find_guid(port, guid_port);
		free(nic);
		free(port);
		named[0] = vm_find(c, guid_nic);
		named[1] = vm_find(c, guid_port);
		for (int k = 0; k < 2; k++) {
			size_t *slot;
			if (!named[k] || (k == 1 && named[1] == named[0]))
				continue;
			if (!(slot = PUSH(named[k]->nics, named[k]->nic_count)))
				return -1;
			*slot = i;
		}
	}
	return 0;
}

/* ---- launchers (§6.3) ------------------------------------------------------------------ */

/* §5.2, §6.3: the images that start a sandbox, and the first argument they need to (wsb.exe starts
 * one only with "start"; exec and share act on a running one). Matched by file name: a 24H2 wsb.exe
 * run through the App Execution Alias (%LOCALAPPDATA%\Microsoft\WindowsApps\wsb.exe) is logged
 * under its package path (…\MicrosoftWindows.WindowsSandbox_<ver>_x64__cw5n1h2txyewy\wsb.exe). */
static const struct launcher_image {
	const char *name;
	const char *verb;      /* NULL: any arguments */
} LAUNCHER_IMAGES[] = {
	{"WindowsSandbox.exe", NULL},
	{"wsb.exe", "start"},
};

/* §6.3 "who is never a launcher": the helpers of a run. The client and the 24H2 remote-session
 * window are children of the launcher, which links the launcher to its VM (medium, §6.5); the
 * per-user broker is a COM server the DcomLaunch service starts for whichever process asks, so it
 * says nothing about who started the run. */
static const struct sandbox_helper {
	const char *name;
	int child_of_launcher;
} SANDBOX_HELPERS[] = {
	{"WindowsSandboxClient.exe", 1},
	{"WindowsSandboxRemoteSession.exe", 1},
	{"WindowsSandboxServer.exe", 0},
};

/* §6.3 (2)-(3), §6.5: the parents of a process a task's Exec action started: the Task Scheduler
 * service (the svchost.exe instance hosting "Schedule"), taskhostw.exe (named by §6.3 (2)), and
 * taskeng.exe, the task engine of Windows 7. */
static const struct task_host {
	const char *name;
	const char *service;   /* the service the svchost.exe instance must host; NULL: any */
} TASK_HOSTS[] = {
	{"svchost.exe", "Schedule"},
	{"taskhostw.exe", NULL},
	{"taskeng.exe", NULL},
};

#define COUNT(table) (sizeof(table) / sizeof(table)[0])

/* The length of NAME without a final ".exe". */
static size_t program_stem(const char *name, size_t length)
{
	return length > 4 && !strncasecmp(name + length - 4, ".exe", 4) ? length - 4 : length;
}

/* Is PROGRAM (a path or a bare name, quoted or not: a 4688 image, a 129 Path, a task action's
 * Command) the file NAME, ".exe" optional on either? §6.3: match by file name, not full path. */
static int program_is(const char *program, const char *name)
{
	const char *file;
	size_t length;

	if (!program)
		return 0;
	while (*program == '"' || *program == ' ')
		program++;
	length = strlen(program);
	while (length && (program[length - 1] == '"' || program[length - 1] == ' '))
		length--;
	file = program + length;
	while (file > program && file[-1] != '\\' && file[-1] != '/')
		file--;
	length = program_stem(file, length - (size_t)(file - program));
	return length == program_stem(name, strlen(name)) && !strncasecmp(file, name, length);
}

static const struct launcher_image *launcher_image_of(const char *image)
{
	for (size_t i = 0; i < COUNT(LAUNCHER_IMAGES); i++)
		if (program_is(image, LAUNCHER_IMAGES[i].name))
			return &LAUNCHER_IMAGES[i];
	return NULL;
}

/* Does IMAGE, run as CALL (NULL: its command line is not known), start a sandbox? The verb is
 * the first argument of wsb.exe ("cmd /c start" inside an exec's command is not). */
static int is_launcher_image(const char *image, const struct store_wsb_call *call)
{
	const struct launcher_image *row = launcher_image_of(image);

	if (!row)
		return 0;
	if (!row->verb)
		return 1;
	return call && call->verb && !strcasecmp(call->verb, row->verb);
}

/* The call read from the command line of process record EVENT_ROW, or NULL. */
static const struct store_wsb_call *call_of_event(const struct correlation *c, int64_t event_row)
{
	const struct pid_entry *first = pid_index_first(&c->calls_by_event, event_row);

	return first ? &c->calls[first->position] : NULL;
}

/* The call read from Exec action ACTION (an index into its exec arrays) of task T, or NULL. */
static const struct store_wsb_call *call_of_action(const struct correlation *c,
						   const struct store_task *t, size_t action)
{
	for (size_t i = 0; i < c->call_count; i++)
		if (c->calls[i].task_ref == t->id &&
		    c->calls[i].action_position == t->exec_positions[action])
			return &c->calls[i];
	return NULL;
}

/* Task names compared as Task Scheduler writes them: case-insensitive, leading '\' optional. */
static int same_task_name(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	return strcasecmp(a + (a[0] == '\\'), b + (b[0] == '\\')) == 0;
}

/* The task definition with an Exec action that runs IMAGE (by file name, §6.3), among those
 * named TASK_NAME if given (a run record names its task) or among all (a task-host parent names
 * none). If WSB_PATH (the .wsb the process's own command line names) is given, the definition must
 * name the same. *ACTION receives the action's index; *AMBIGUOUS is set when another task fits
 * too. NULL if none fits. */
static const struct store_task *definition_for(const struct correlation *c, const char *image,
					       const char *task_name, const char *wsb_path,
					       size_t *action, int *ambiguous)
{
	const struct store_task *found = NULL;

	*ambiguous = 0;
	for (size_t i = 0; i < c->task_count; i++) {
		const struct store_task *t = &c->tasks[i];
		size_t a = 0;

		if (task_name && !same_task_name(t->uri, task_name))
			continue;
		if (wsb_path && !(t->wsb_path && same_path(t->wsb_path, wsb_path)))
			continue;
		while (a < t->exec_count && !program_is(t->exec_commands[a], cmdline_word_basename(image)))
			a++;
		if (a == t->exec_count)
			continue;
		if (!found) {
			found = t;
			*action = a;
		} else if (!same_task_name(found->uri, t->uri)) {
			*ambiguous = 1; /* the same task from its file, 4698 and TaskCache is one */
		}
	}
	return found;
}

/* The image and PID a Task Scheduler record names for the process its run created (the catalogue
 * rows with image and pid: 129, 200); 0 if E is no such record. *IMAGE is malloc'ed. In the corpus
 * run the 129 comes first (and carries no ActivityID); the 200 repeats the PID as EnginePID. */
static int task_process_of(const struct store_event *e, char **image, int64_t *pid)
{
	char name[96], *pid_text;

	if (role_of(e) != CATALOG_ROLE_TASK_RUN ||
	    !catalog_field(e->entry, "image", 0, name, sizeof name))
		return 0;
	*image = key_field(e, "image");
	pid_text = key_field(e, "pid");
	*pid = sessions_parse_id(pid_text);
	free(pid_text);
	return 1;
}

/* §0.4: a task run's process record and the process's own record (4688 / Sysmon 1) are 0-10 s
 * apart, the task's first (1 s of slack for records written in the same second). */
static int same_task_process(uint64_t run_time, uint64_t process_time)
{
	return run_time + TASK_WINDOW >= process_time && run_time <= process_time + SECONDS(1);
}

/* The first Task Scheduler record (129, 200) of a run that created process PID at TIME, or NULL. */
static const struct store_event *task_run_for(const struct correlation *c, int64_t pid,
					      uint64_t time)
{
	for (const struct pid_entry *p = pid_index_first(&c->task_runs, pid); p;
	     p = pid_index_next(&c->task_runs, p))
		if (same_task_process(c->events[p->position].time, time))
			return &c->events[p->position];
	return NULL;
}

/* Is E recorded no later than TIME, in boot EPOCH? */
static int same_boot_before(const struct correlation *c, const struct store_event *e,
			    uint64_t time, int epoch)
{
	return e->time <= time && boot_epoch(c, e->time) == epoch;
}

/* Why the parent of L runs tasks (§6.3 (3)), or NULL if it does not. An svchost.exe is the Task
 * Scheduler's when its own 4688 command line names the service or Task Scheduler records were
 * written by its PID in the same boot; another service's (DcomLaunch starts COM servers) is not;
 * when neither is recorded, it is reported as such. */
static const char *task_host_of(const struct correlation *c, const struct launcher *l)
{
	const struct store_event *le = &c->events[l->event];
	const struct task_host *host = NULL;
	int epoch = boot_epoch(c, le->time);
	size_t decided = c->event_count;
	const char *answer = NULL;

	for (size_t i = 0; l->parent && i < COUNT(TASK_HOSTS) && !host; i++)
		if (!strcasecmp(cmdline_word_basename(l->parent), TASK_HOSTS[i].name))
			host = &TASK_HOSTS[i];
	if (!host)
		return NULL;
	if (!host->service)
		return host->name;
	/* The first record, in record order, that decides: a Task Scheduler record its PID wrote, or
	 * a Security process record of its PID that has a command line; both from before L in L's
	 * boot. */
	for (const struct pid_entry *p = pid_index_first(&c->task_service, l->creator_pid); p;
	     p = pid_index_next(&c->task_service, p))
		if (same_boot_before(c, &c->events[p->position], le->time, epoch)) {
			decided = p->position;
			answer = "the Task Scheduler service's svchost.exe (its Task Scheduler records)";
			break;
		}
	for (const struct pid_entry *p = pid_index_first(&c->processes, l->creator_pid);
	     p && p->position < decided; p = pid_index_next(&c->processes, p)) {
		const struct store_event *e = &c->events[p->position];
		char *command_line;

		if (!from(e, PROVIDER_SECURITY) || !same_boot_before(c, e, le->time, epoch))
			continue;
		command_line = key_field(e, "command_line");
		if (command_line && *command_line) {
			decided = p->position;
			answer = strcasestr(command_line, host->service)
					 ? "the Task Scheduler service's svchost.exe (its command line)"
					 : NULL;
			free(command_line);
			break;
		}
		free(command_line);
	}
	return decided < c->event_count ? answer
					 : "svchost.exe (which service it hosts is not recorded)";
}

static void launcher_free(struct launcher *l)
{
	free(l->image);
	free(l->command_line);
	free(l->subject);
	free(l->subject_name);
	free(l->subject_domain);
	free(l->parent);
}

/* The task definition L's process runs, and the command line it gives when no record of the
 * process has one (command-line auditing off, or no 4688 at all: §6.3 "launcher without 4688"). */
static int launcher_definition(struct correlation *c, struct launcher *l, const char *task_name)
{
	const struct store_wsb_call *action_call;
	size_t action = 0;

	l->definition = definition_for(c, l->image, task_name,
				       l->call ? l->call->config_path : NULL, &action,
				       &l->definition_ambiguous);
	if (l->definition && !l->command_line &&
	    (action_call = call_of_action(c, l->definition, action)) != NULL) {
		if (!(l->command_line = strdup(action_call->command_line)))
			return -1;
		l->command_line_task = l->definition->id;
		l->call = action_call;
	}
	return 0;
}

/* Keeps CANDIDATE (taking its memory) if it starts a sandbox, once its task definition is read
 * when WITH_DEFINITION (its task run names the task, or its parent runs tasks). */
static int add_launcher(struct correlation *c, struct launcher *candidate, int with_definition)
{
	char *name = candidate->task_run ? key_field(candidate->task_run, "task") : NULL;
	struct launcher *l;
	int rc = with_definition ? launcher_definition(c, candidate, name) : 0;

	free(name);
	if (rc != 0 || !is_launcher_image(candidate->image, candidate->call)) {
		launcher_free(candidate);
		return rc;
	}
	if (!(l = PUSH(c->launchers, c->launcher_count))) {
		launcher_free(candidate);
		return -1;
	}
	*l = *candidate;
	return 0;
}

/* Pass 1: processes logged by Security 4688 or Sysmon 1. */
static int collect_process_launchers(struct correlation *c)
{
	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		struct launcher candidate;
		char *pid;
		int sysmon = from(e, PROVIDER_SYSMON);

		if (role_of(e) != CATALOG_ROLE_PROCESS)
			continue;
		memset(&candidate, 0, sizeof candidate);
		candidate.event = i;
		candidate.image = key_field(e, "image");
		if (!candidate.image || !launcher_image_of(candidate.image)) {
			launcher_free(&candidate);
			continue;
		}
		candidate.command_line = key_field(e, "command_line");
		if (candidate.command_line && !*candidate.command_line) {
			/* command-line auditing off (§3.2): the field is there, empty */
			free(candidate.command_line);
			candidate.command_line = NULL;
		}
		if (candidate.command_line)
			candidate.call = call_of_event(c, e->id);
		pid = key_field(e, "pid");
		candidate.pid = sessions_parse_id(pid);
		free(pid);
		pid = key_field(e, "parent_pid");
		candidate.creator_pid = sessions_parse_id(pid);
		free(pid);
		candidate.parent = key_field(e, "parent");
		candidate.subject_name = key_field(e, "subject");
		candidate.subject = key_field(e, "subject_sid");
		candidate.subject_domain = key_field(e, "subject_domain");
		if (sysmon) {
			/* The same process logged by Security 4688 too is one launcher (the 4688,
			 * which names the subject, is kept). */
			int duplicate = 0;
			for (size_t k = 0; k < c->launcher_count && !duplicate; k++) {
				const struct store_event *o = &c->events[c->launchers[k].event];
				uint64_t gap = o->time > e->time ? o->time - e->time : e->time - o->time;
				duplicate = c->launchers[k].pid == candidate.pid && gap <= SECONDS(2) &&
					    !strcasecmp(cmdline_word_basename(c->launchers[k].image),
							cmdline_word_basename(candidate.image));
			}
			if (duplicate) {
				launcher_free(&candidate);
				continue;
			}
		}
		candidate.task_run = task_run_for(c, candidate.pid, e->time);
		candidate.task_host = task_host_of(c, &candidate);
		if (add_launcher(c, &candidate, candidate.task_run || candidate.task_host) != 0)
			return -1;
	}
	return 0;
}

/* Is there a 4688 / Sysmon 1 of process PID near TIME (whatever its image)? */
static int process_recorded(const struct correlation *c, int64_t pid, uint64_t time)
{
	for (const struct pid_entry *p = pid_index_first(&c->processes, pid); p;
	     p = pid_index_next(&c->processes, p))
		if (same_task_process(time, c->events[p->position].time))
			return 1;
	return 0;
}

/* Pass 2, §6.3 "launcher without 4688 / Sysmon 1": a task run's process record (129, else 200)
 * whose process has no record of its own is the launcher, its command line the task action's. */
static int collect_task_launchers(struct correlation *c)
{
	size_t process_launchers = c->launcher_count;

	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		struct launcher candidate;
		int seen = 0;

		memset(&candidate, 0, sizeof candidate);
		if (!task_process_of(e, &candidate.image, &candidate.pid) || !candidate.image ||
		    candidate.pid < 0 || !launcher_image_of(candidate.image)) {
			free(candidate.image);
			continue;
		}
		for (size_t k = process_launchers; k < c->launcher_count && !seen; k++)
			seen = c->launchers[k].pid == candidate.pid &&
			       same_task_process(c->events[c->launchers[k].event].time, e->time);
		if (seen || process_recorded(c, candidate.pid, e->time)) {
			free(candidate.image);
			continue;
		}
		candidate.event = i;
		candidate.creator_pid = -1;
		candidate.task_run = e;
		if (add_launcher(c, &candidate, 1) != 0)
			return -1;
	}
	return 0;
}

/* Reads the PID of each process record, each task run's process and each Task Scheduler
 * record's writer once, into the indexes the launcher passes search; and indexes the calls by the
 * record they were read from (the index's key is any non-negative number). */
static int index_processes(struct correlation *c)
{
	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		char *image = NULL;
		int64_t pid = -1;
		int rc = 0;

		if (role_of(e) == CATALOG_ROLE_PROCESS) {
			char *text = key_field(e, "pid");
			pid = sessions_parse_id(text);
			free(text);
			rc = pid_index_add(&c->processes, pid, i);
		} else if (task_process_of(e, &image, &pid)) {
			free(image);
			rc = pid_index_add(&c->task_runs, pid, i);
		}
		if (rc == 0 && from(e, PROVIDER_TASKS))
			rc = pid_index_add(&c->task_service, e->process_id, i);
		if (rc != 0)
			return -1;
	}
	for (size_t i = 0; i < c->call_count; i++)
		if (pid_index_add(&c->calls_by_event, c->calls[i].event_ref, i) != 0)
			return -1;
	pid_index_sort(&c->calls_by_event);
	pid_index_sort(&c->processes);
	pid_index_sort(&c->task_runs);
	pid_index_sort(&c->task_service);
	return 0;
}

static int collect_launchers(struct correlation *c)
{
	return index_processes(c) != 0 || collect_process_launchers(c) != 0 || collect_task_launchers(c) != 0 ? -1 : 0;
}

/* A child of launcher L that only a sandbox run starts (the client or remote-session window),
 * logged up to TO. */
static const struct store_event *client_of(const struct correlation *c, const struct launcher *l,
					   uint64_t to)
{
	const struct store_event *le = &c->events[l->event];

	for (size_t i = l->event + 1; l->pid >= 0 && i < c->event_count && c->events[i].time <= to;
	     i++) {
		const struct store_event *e = &c->events[i];
		char *image, *parent;
		int match = 0;

		if (role_of(e) != CATALOG_ROLE_PROCESS || !from(e, PROVIDER_SECURITY) ||
		    e->time < le->time)
			continue;
		image = key_field(e, "image");
		parent = key_field(e, "parent_pid");
		for (size_t h = 0; h < COUNT(SANDBOX_HELPERS) && !match; h++)
			match = SANDBOX_HELPERS[h].child_of_launcher &&
				!strcasecmp(cmdline_word_basename(image), SANDBOX_HELPERS[h].name);
		match = match && sessions_parse_id(parent) == l->pid;
		free(image);
		free(parent);
		if (match)
			return e;
	}
	return NULL;
}

/* ---- which records are kept (§6.10) ------------------------------------------------------- */

/* The session records are walked as the store reads them, and only those a step of the correlation
 * reads are kept; the rest (in a Security log most logons, logoffs, privileges, process starts and
 * exits: none names a VM) give what the whole log says (note_log_wide) and are let go, so memory
 * follows the VMs, launchers and task runs, not the size of the log. Kept, in the first walk:
 *  - every record naming a VM (collect_vms: its links, start, end, name, kind);
 *  - every record of the roles read log-wide: task runs and every Task Scheduler record (the
 *    trigger, its account, the task service's PID), NIC connects and disconnects (network), boots,
 *    log clears (the rules, the missing 4688);
 *  - each process record whose image is a launcher's (the launcher candidates) or the sandbox
 *    client's (client_of).
 * The launcher passes also look process records up by PID: the parent's (task_host_of) and the PID
 * a task run names (process_recorded). Those PIDs are known only once the launchers are, so a
 * second walk, made only when there is such a PID, keeps the process records of exactly those
 * PIDs. The kept records are merged in walk order, so every search below meets the records it
 * reads in the order a load of every record gave (tests/e2e/check_session_selection.py compares
 * the two). */
struct kept_records {
	struct store_event *events;
	size_t *positions;      /* each record's position in the walk */
	size_t count, capacity;
};

struct selection {
	struct correlation *c;
	int every_record;        /* keep them all: the reference the selection is tested against */
	struct kept_records first, second;
	struct pid_index wanted; /* PIDs whose process records the launcher passes look up */
	size_t cursor;           /* second walk: the first-walk record not yet passed */
};

static int keep_record(struct kept_records *k, const struct store_event *e, size_t position)
{
	if (k->count == k->capacity) {
		size_t capacity = k->capacity ? 2 * k->capacity : 256;
		struct store_event *events = realloc(k->events, capacity * sizeof *events);
		size_t *positions;

		if (!events)
			return -1;
		k->events = events;
		if (!(positions = realloc(k->positions, capacity * sizeof *positions)))
			return -1;
		k->positions = positions;
		k->capacity = capacity;
	}
	k->events[k->count] = *e;
	k->positions[k->count++] = position;
	return 1;
}

static int is_client_image(const char *image)
{
	for (size_t h = 0; image && h < COUNT(SANDBOX_HELPERS); h++)
		if (SANDBOX_HELPERS[h].child_of_launcher &&
		    !strcasecmp(cmdline_word_basename(image), SANDBOX_HELPERS[h].name))
			return 1;
	return 0;
}

/* Does a step read E (first walk)? Notes the PIDs the second walk must keep. */
static int read_by_a_step(struct selection *s, const struct store_event *e)
{
	enum catalog_role role = role_of(e);
	char guid[37], *image = NULL, *text;
	const char *link_role, *basis;
	int64_t pid = -1;
	int keep = role == CATALOG_ROLE_TASK_RUN || role == CATALOG_ROLE_NIC_CONNECTED ||
		   role == CATALOG_ROLE_NIC_DISCONNECTED || role == CATALOG_ROLE_BOOT ||
		   role == CATALOG_ROLE_SECURITY_CLEARED || role == CATALOG_ROLE_LOG_CLEARED ||
		   from(e, PROVIDER_TASKS);

	if (role == CATALOG_ROLE_PROCESS) {
		image = key_field(e, "image");
		if (image && launcher_image_of(image)) {
			keep = 1;
			text = key_field(e, "parent_pid"); /* task_host_of looks its parent up */
			pid = sessions_parse_id(text);
			free(text);
		} else {
			keep = is_client_image(image);
		}
	} else if (task_process_of(e, &image, &pid) && !(image && launcher_image_of(image))) {
		pid = -1; /* process_recorded looks up the process of a launcher's run only */
	}
	free(image);
	if (pid >= 0 && pid_index_add(&s->wanted, pid, 0) != 0)
		return -1;
	return keep || vm_of_event(e, guid, &link_role, &basis);
}

static int select_first(void *context, struct store_event *e, size_t position)
{
	struct selection *s = context;
	int keep;

	note_log_wide(s->c, e);
	keep = s->every_record ? 1 : read_by_a_step(s, e);
	return keep == 1 ? keep_record(&s->first, e, position) : keep;
}

static int select_second(void *context, struct store_event *e, size_t position)
{
	struct selection *s = context;
	char *text;
	int64_t pid;

	while (s->cursor < s->first.count && s->first.positions[s->cursor] < position)
		s->cursor++;
	if ((s->cursor < s->first.count && s->first.positions[s->cursor] == position) ||
	    role_of(e) != CATALOG_ROLE_PROCESS)
		return 0;
	text = key_field(e, "pid");
	pid = sessions_parse_id(text);
	free(text);
	return pid_index_first(&s->wanted, pid) ? keep_record(&s->second, e, position) : 0;
}

/* Fills c->events with the records of both walks, in walk order. */
static int merge_kept(struct correlation *c, struct selection *s)
{
	size_t total = s->first.count + s->second.count, a = 0, b = 0;

	if (!(c->events = malloc((total ? total : 1) * sizeof *c->events)))
		return -1;
	while (a < s->first.count || b < s->second.count)
		c->events[c->event_count++] =
			b == s->second.count ||
					(a < s->first.count &&
					 s->first.positions[a] < s->second.positions[b])
				? s->first.events[a++]
				: s->second.events[b++];
	s->first.count = s->second.count = 0; /* their strings are c->events' now */
	return 0;
}

static int select_events(struct correlation *c, int every_record)
{
	struct selection s;
	int rc;

	memset(&s, 0, sizeof s);
	s.c = c;
	s.every_record = every_record;
	rc = store_each_role_event(c->store, CATALOG_ROLE_NONE, select_first, &s);
	pid_index_sort(&s.wanted);
	if (rc == 0 && s.wanted.count)
		rc = store_each_role_event(c->store, CATALOG_ROLE_NONE, select_second, &s);
	if (rc == 0)
		rc = merge_kept(c, &s);
	store_free_events(s.first.events, s.first.count);
	store_free_events(s.second.events, s.second.count);
	free(s.first.positions);
	free(s.second.positions);
	pid_index_free(&s.wanted);
	return rc;
}

/* ---- configurations (§5.1, §5.2) -------------------------------------------------------- */

/* Whether W is the configuration file a command line or task names at the Windows path
 * WINDOWS_PATH: by the Windows path its place in the collection gives (METHOD.md §8.6), or, when its
 * layout is not recognised, by the path as found ending in that path without its drive. */
static int config_file_is(const struct store_wsb *w, const char *windows_path)
{
	if (strcmp(w->source, "file") != 0)
		return 0;
	return w->windows_path ? same_path(w->windows_path, windows_path)
			       : location_is(w->location, windows_path);
}

/* The stored configuration launcher L's command line names: its inline <Configuration> (stored
 * from the record that carries the command line: the 4688, or the task definition it was read
 * from) or the .wsb file found in the collection at the path it gives. */
static const struct store_wsb *config_for(const struct correlation *c, const struct launcher *l,
					  char **wsb_path)
{
	const struct store_wsb_call *call = l->call;
	const struct store_wsb *found = NULL;

	*wsb_path = call && call->config_path ? strdup(call->config_path) : NULL;
	for (size_t i = 0; call && i < c->config_count && !found; i++) {
		const struct store_wsb *w = &c->configs[i];
		if (call->inline_config_id && w->id == call->inline_config_id)
			found = w;
		else if (*wsb_path && config_file_is(w, *wsb_path))
			found = w;
	}
	return found;
}

static const struct store_wsb *config_by_path(const struct correlation *c, const char *path)
{
	for (size_t i = 0; path && i < c->config_count; i++)
		if (config_file_is(&c->configs[i], path))
			return &c->configs[i];
	return NULL;
}

static void set_session_config(struct session *s, const struct store_wsb *w, const char *path)
{
	s->wsb.path = path ? strdup(path) : NULL;
	s->wsb.networking = SESSION_UNKNOWN;
	if (!w)
		return;
	s->wsb.config_id = w->id;
	s->wsb.networking = w->networking < 0 ? SESSION_UNKNOWN : w->networking;
	s->wsb.networking_origin = w->networking_origin ? strdup(w->networking_origin) : NULL;
	s->wsb.logon_command = w->logon_command ? strdup(w->logon_command) : NULL;
	s->wsb.folders = calloc(w->folder_count ? w->folder_count : 1, sizeof *s->wsb.folders);
	if (!s->wsb.folders)
		return;
	for (size_t i = 0; i < w->folder_count; i++) {
		s->wsb.folders[i].host = w->hosts[i] ? strdup(w->hosts[i]) : NULL;
		s->wsb.folders[i].sandbox = w->sandboxes[i] ? strdup(w->sandboxes[i]) : NULL;
		s->wsb.folders[i].read_only = w->read_only[i] < 0 ? SESSION_UNKNOWN : w->read_only[i];
	}
	s->wsb.folder_count = w->folder_count;
}

/* §5.2: is CALL a `wsb share`/`map` a host process (4688 or Sysmon 1 of wsb.exe) made? */
static int is_share_call(const struct store_wsb_call *call)
{
	return call->event_ref && call->verb && !strcasecmp(cmdline_word_basename(call->image), "wsb.exe") &&
	       (!strcasecmp(call->verb, "share") || !strcasecmp(call->verb, "map"));
}

/* §5.2: a call is tied to the VM GUID by its --id (strong), or, without --id, by its time inside
 * [START, END] (END 0: the session has no known end, any later time counts). */
static int wsb_call_is_for(const struct store_wsb_call *call, const char *guid, uint64_t start,
			   uint64_t end)
{
	char named[37] = "";

	if (call->vm_id) {
		sessions_find_guid(call->vm_id, named);
		return !strcmp(named, guid);
	}
	return call->time >= start && (!end || call->time <= end);
}

/* Whether a `wsb share`/`map` call for VM names HOST_PATH: the share was added to the running
 * sandbox (§5.2), so it is not one of the configuration's mapped folders. */
static int share_added_by_cli(const struct correlation *c, const struct vm_run *vm,
			      const char *host_path)
{
	uint64_t start = vm->has_start ? vm->start : vm->first;

	for (size_t i = 0; i < c->call_count; i++) {
		const struct store_wsb_call *call = &c->calls[i];

		if (is_share_call(call) && call->host_path && same_path(call->host_path, host_path) &&
		    wsb_call_is_for(call, vm->guid, start, vm->has_exit ? vm->end : 0))
			return 1;
	}
	return 0;
}

/* §6.3 (1): the configuration's mapped folders are the VM's user shares and its logon command is
 * among the commands the host ran in it. A share that is not a mapped folder but was added at run
 * time by a `wsb share` call for this VM (§5.2) is left out: the configuration never named it, so
 * it says nothing about whether the configuration is the VM's. */
static int config_matches_vm(const struct store_wsb *w, const struct correlation *c,
			     const struct vm_run *vm)
{
	size_t user_shares = 0, matched = 0;
	int command_matched = !w->logon_command;

	for (size_t i = 0; i < vm->link_count; i++) {
		const struct store_event *e = &c->events[vm->links[i].event];
		if (role_of(e) == CATALOG_ROLE_SHARE) {
			char *path = key_field(e, "path");
			if (path && !is_internal_share(path)) {
				int mapped = 0;
				for (size_t f = 0; f < w->folder_count && !mapped; f++)
					mapped = same_path(w->hosts[f], path);
				if (mapped || !share_added_by_cli(c, vm, path)) {
					user_shares++;
					matched += (size_t)mapped;
				}
			}
			free(path);
		} else if (role_of(e) == CATALOG_ROLE_COMMAND && w->logon_command) {
			char *command = NULL, *user = NULL;
			command_of(c, e, &command, &user);
			if (command && strcasecmp(command, w->logon_command) == 0)
				command_matched = 1;
			free(command);
			free(user);
		}
	}
	return (w->folder_count || w->logon_command) && user_shares == w->folder_count &&
	       matched == user_shares && command_matched;
}

/* ---- classification (§6.6) ----------------------------------------------------------- */

/* §6.6: one of the VM's user shares is a mapped folder of a configuration found on the host. */
static int shares_match_a_config(const struct correlation *c, const struct vm_run *vm)
{
	for (size_t i = 0; i < vm->link_count; i++) {
		const struct store_event *e = &c->events[vm->links[i].event];
		char *path;
		int match = 0;

		if (role_of(e) != CATALOG_ROLE_SHARE)
			continue;
		path = key_field(e, "path");
		for (size_t w = 0; path && !is_internal_share(path) && !match && w < c->config_count;
		     w++)
			for (size_t f = 0; f < c->configs[w].folder_count && !match; f++)
				match = same_path(c->configs[w].hosts[f], path);
		free(path);
		if (match)
			return 1;
	}
	return 0;
}

static void classify(struct vm_run *vm, int launcher_linked)
{
	char name_guid[37];
	int name_is_guid = vm->vm_name && exact_guid(vm->vm_name, name_guid) &&
			   !strcmp(name_guid, vm->guid);

	if (vm->has_classic_mark || vm->boots_seen > 1 || (vm->vm_name && !name_is_guid)) {
		vm->kind = "classic-vm";
		snprintf(vm->kind_basis, sizeof vm->kind_basis, "%s",
			 vm->has_classic_mark ? "VMMS created or deleted this VM (13002/18304/13003)"
			 : vm->boots_seen > 1 ? "the same VM GUID recurs across host boots"
					      : "the worker names the VM by a name, not its GUID");
	} else if (vm->has_container_mark) {
		vm->kind = "other-hcs";
		snprintf(vm->kind_basis, sizeof vm->kind_basis,
			 "Hyper-V-Compute created a container or utility VM (2010-2013)");
	} else if (launcher_linked) {
		vm->kind = "sandbox";
		snprintf(vm->kind_basis, sizeof vm->kind_basis, "a Windows Sandbox launcher is linked");
	} else if (vm->wdag_user && vm->share_matches_config) {
		vm->kind = "sandbox";
		snprintf(vm->kind_basis, sizeof vm->kind_basis,
			 "commands run as WDAGUtilityAccount and a shared host folder is a mapped folder "
			 "of a .wsb found on the host");
	} else if (vm->wdag_user || name_is_guid) {
		vm->kind = "sandbox-likely";
		snprintf(vm->kind_basis, sizeof vm->kind_basis,
			 "%s, no launcher found (Application Guard cannot be excluded without one)",
			 vm->wdag_user ? "commands run as WDAGUtilityAccount" : "the VM is named by its GUID");
	} else {
		vm->kind = "unknown-vm";
		snprintf(vm->kind_basis, sizeof vm->kind_basis,
			 "only records naming the VM account; not reported as a sandbox");
	}
	vm->is_session = !strcmp(vm->kind, "sandbox") || !strcmp(vm->kind, "sandbox-likely");
}

/* ---- building the sessions ------------------------------------------------------------- */

struct vm_extra {
	struct launcher *launcher;
	const char *launch_link;
	char launch_basis[256];
	const struct store_wsb *config;
	char *config_path;
};

static int compare_sessions(const void *a, const void *b)
{
	const struct vm_run *x = *(struct vm_run *const *)a, *y = *(struct vm_run *const *)b;
	uint64_t tx = x->has_start ? x->start : x->first, ty = y->has_start ? y->start : y->first;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->guid, y->guid);
}

static void add_missing(struct session *s, const char *text)
{
	push_string(&s->missing, &s->missing_count, text);
}

/* Fills the task details of the trigger from the stored definitions named TASK_NAME. */
static void trigger_from_definitions(struct correlation *c, struct session *s, const char *name)
{
	int64_t best = 0;

	s->trigger.hidden = SESSION_UNKNOWN;
	for (size_t i = 0; i < c->task_count; i++) {
		const struct store_task *t = &c->tasks[i];

		if (!same_task_name(t->uri, name))
			continue;
		if (!best) {
			best = t->id;
		} else {
			int64_t *grown = realloc(s->trigger.other_task_ids,
						 (s->trigger.other_task_count + 1) * sizeof *grown);
			if (grown) {
				grown[s->trigger.other_task_count++] = t->id;
				s->trigger.other_task_ids = grown;
			}
		}
		if (t->hidden == 1 || t->hiding_finding)
			s->trigger.hidden = 1;
		else if (t->hidden == 0 && s->trigger.hidden == SESSION_UNKNOWN)
			s->trigger.hidden = 0;
		if (t->trigger_types && (strcasestr(t->trigger_types, "boot") ||
					 strcasestr(t->trigger_types, "logon")))
			s->trigger.runs_at_boot_or_logon = 1;
		if (t->principal_user && !s->trigger.user)
			s->trigger.user = strdup(t->principal_user);
		if (is_system_principal(t->principal_user))
			s->trigger.principal_is_system = 1;
	}
	s->trigger.task_id = best;
}

/* A task definition that launches this session's configuration (no task run found). */
static const struct store_task *definition_for_config(const struct correlation *c,
						      const char *wsb_path)
{
	for (size_t i = 0; wsb_path && i < c->task_count; i++)
		if (c->tasks[i].sandbox_launcher && c->tasks[i].wsb_path &&
		    same_path(c->tasks[i].wsb_path, wsb_path))
			return &c->tasks[i];
	return NULL;
}

/* The run's account as Task Scheduler 100 of task NAME names it, near the run record RUN. */
static char *run_user(const struct correlation *c, const struct store_event *run, const char *name)
{
	size_t low = 0, high = c->event_count;

	/* The records are in time order: the first one inside the window by binary search. */
	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (c->events[middle].time + TASK_WINDOW < run->time)
			low = middle + 1;
		else
			high = middle;
	}
	for (size_t k = low; k < c->event_count && c->events[k].time <= run->time + TASK_WINDOW;
	     k++) {
		const struct store_event *r = &c->events[k];
		char *task, *context;
		char user_field[96];
		if (role_of(r) != CATALOG_ROLE_TASK_RUN ||
		    !catalog_field(r->entry, "run_user", 0, user_field, sizeof user_field))
			continue;
		/* The same run when both carry its ActivityID (§0.2 task instance id; the corpus 129
		 * carries none). */
		if (r->activity_id && *r->activity_id && run->activity_id && *run->activity_id &&
		    strcasecmp(r->activity_id, run->activity_id) != 0)
			continue;
		task = key_field(r, "task");
		context = same_task_name(task, name) ? key_field(r, "run_user") : NULL;
		free(task);
		if (context)
			return context;
	}
	return NULL;
}

/* §6.3 trigger -> launcher (1): the task run that created the launcher. Its basis names the
 * record that joins them; when the launcher is itself known only from that run's 129, the 200 of
 * the same process (EnginePID) is cited as the run. */
static void trigger_from_run(struct correlation *c, struct session *s, const struct launcher *l)
{
	const struct store_event *run = l->task_run, *other = NULL;
	struct strbuf basis = STRBUF_INIT;
	char *name = key_field(run, "task");

	if (!name)
		return;
	if (run == &c->events[l->event]) {
		for (const struct pid_entry *p = pid_index_first(&c->task_runs, l->pid); p && !other;
		     p = pid_index_next(&c->task_runs, p)) {
			char *task;
			if (p->position <= l->event ||
			    !same_task_process(run->time, c->events[p->position].time))
				continue;
			task = key_field(&c->events[p->position], "task");
			if (same_task_name(task, name))
				other = &c->events[p->position];
			free(task);
		}
		strbuf_printf(&basis, "Task Scheduler %u of this task names the launcher process "
			      "(id %lld)%s", run->event_id, (long long)l->pid,
			      other ? "; the run's 200 EnginePID is the same" : "");
	} else {
		strbuf_printf(&basis, "Task Scheduler %u %s = launcher process id %lld", run->event_id,
			      run->event_id == 129 ? "ProcessID" : "EnginePID", (long long)l->pid);
	}
	s->trigger.kind = "task";
	s->trigger.task_name = name;
	s->trigger.link = "strong";
	s->trigger.link_basis = strbuf_detach(&basis);
	s->trigger.event_row = (other ? other : run)->id;
	s->trigger.user = run_user(c, run, name);
	trigger_from_definitions(c, s, name);
}

static void link_trigger(struct correlation *c, struct session *s, const struct vm_extra *x)
{
	const struct launcher *l = x->launcher;
	const struct store_task *definition;

	s->trigger.kind = "unknown";
	s->trigger.link = "weak";
	s->trigger.hidden = SESSION_UNKNOWN;
	if (l && l->task_run) {
		trigger_from_run(c, s, l);
	} else if (l && l->task_host && l->definition && l->definition->uri) {
		/* §6.3 (3), §6.5 medium; weak when another task's action runs the same program */
		struct strbuf basis = STRBUF_INIT;
		strbuf_printf(&basis, "launcher's parent is %s and the task definition %s runs %s%s",
			      l->task_host, l->definition->uri, cmdline_word_basename(l->image),
			      l->definition_ambiguous ? " (so do other tasks: ambiguous)" : "");
		s->trigger.kind = "task";
		s->trigger.task_name = strdup(l->definition->uri);
		s->trigger.link = l->definition_ambiguous ? "weak" : "medium";
		s->trigger.link_basis = strbuf_detach(&basis);
		trigger_from_definitions(c, s, l->definition->uri);
	} else if (l && l->parent && !strcasecmp(cmdline_word_basename(l->parent), "explorer.exe")) {
		s->trigger.kind = "user";
		s->trigger.link = "medium";
		s->trigger.link_basis = strdup("launcher's parent is explorer.exe (interactive start)");
	} else if ((definition = definition_for_config(c, s->wsb.path)) != NULL && definition->uri) {
		s->trigger.kind = "task";
		s->trigger.task_name = strdup(definition->uri);
		s->trigger.link = "weak";
		s->trigger.link_basis = strdup("only a task definition runs this configuration");
		trigger_from_definitions(c, s, definition->uri);
	}
	if (l && !s->trigger.user && !strcmp(s->trigger.kind, "user") && l->subject_domain &&
	    l->subject_name) {
		/* The account as the launcher's 4688 names it (Domain\User), else its SID. */
		struct strbuf who = STRBUF_INIT;
		strbuf_printf(&who, "%s\\%s", l->subject_domain, l->subject_name);
		s->trigger.user = strbuf_detach(&who);
	}
	if (l && !s->trigger.user)
		s->trigger.user = l->subject ? strdup(l->subject)
				  : l->subject_name ? strdup(l->subject_name) : NULL;
	if (l && is_system_principal(l->subject))
		s->trigger.principal_is_system = 1;
}

static int fill_session(struct correlation *c, struct vm_run *vm, struct vm_extra *x,
			struct session *s, int64_t id)
{
	s->id = id;
	snprintf(s->vm_guid, sizeof s->vm_guid, "%s", vm->guid);
	sessions_sid_from_guid(vm->guid, s->vm_sid, sizeof s->vm_sid);
	s->kind = strdup(vm->kind);
	s->kind_basis = strdup(vm->kind_basis);
	s->start = vm->has_start ? vm->start : 0;
	s->end = vm->has_exit ? vm->end : vm->last;
	s->end_inferred = !vm->has_exit;
	s->launcher.pid = SESSION_UNKNOWN;
	s->launcher.link = "weak";
	if (x->launcher) {
		const struct launcher *l = x->launcher;
		s->launcher.image = strdup(l->image);
		s->launcher.pid = l->pid;
		s->launcher.command_line = l->command_line ? strdup(l->command_line) : NULL;
		s->launcher.subject_sid = l->subject ? strdup(l->subject) : NULL;
		s->launcher.parent_image = l->parent ? strdup(l->parent) : NULL;
		s->launcher.time = c->events[l->event].time;
		s->launcher.link = x->launch_link;
		s->launcher.link_basis = strdup(x->launch_basis);
		s->launcher.event_row = c->events[l->event].id;
		s->launcher.command_line_task = l->command_line_task;
	}
	set_session_config(s, x->config, x->config_path);
	link_trigger(c, s, x);
	if (!x->config && s->trigger.task_id) {
		/* No launcher command line: the task's own argument names the configuration. */
		for (size_t i = 0; i < c->task_count; i++)
			if (c->tasks[i].id == s->trigger.task_id && c->tasks[i].wsb_path) {
				free(s->wsb.path);
				set_session_config(s, config_by_path(c, c->tasks[i].wsb_path),
						   c->tasks[i].wsb_path);
			}
	}

	for (size_t i = 0; i < vm->link_count; i++) {
		const struct store_event *e = &c->events[vm->links[i].event];
		const char *role = vm->links[i].role;

		if (!strcmp(role, "share")) {
			struct session_share *share = PUSH(s->shares, s->share_count);
			if (!share)
				return -1;
			memset(share, 0, sizeof *share);
			share->time = e->time;
			share->host_path = key_field(e, "path");
			share->share_flags = key_field(e, "flags");
			share->share_name = key_field(e, "share_name");
			share->internal = is_internal_share(share->host_path);
			share->read_only = SESSION_UNKNOWN;
			for (size_t f = 0; f < s->wsb.folder_count; f++)
				if (same_path(s->wsb.folders[f].host, share->host_path))
					share->read_only = s->wsb.folders[f].read_only;
			share->event_row = e->id;
		} else if (role_of(e) == CATALOG_ROLE_COMMAND) {
			struct session_command *command = PUSH(s->commands, s->command_count);
			if (!command)
				return -1;
			memset(command, 0, sizeof *command);
			command->time = e->time;
			command_of(c, e, &command->command_line, &command->user);
			command->guest_pid = key_field(e, "pid");
			command->result = key_field(e, "result");
			command->event_row = e->id;
		} else {
			struct session_record *record = PUSH(s->records, s->record_count);
			char what[160];
			if (!record)
				return -1;
			snprintf(what, sizeof what, "%s %u", e->provider ? e->provider : "?", e->event_id);
			record->time = e->time;
			record->role = strdup(role);
			record->what = strdup(what);
			record->event_row = e->id;
		}
	}
	/* Network: VmSwitch NIC events that name the VM GUID (§1.2, §6.1 step 5; collect_nics). */
	for (size_t k = 0; k < vm->nic_count; k++) {
		const struct store_event *e = &c->events[vm->nics[k]];
		char *nic = key_field(e, "nic");
		struct session_network *net;

		if (!(net = PUSH(s->network, s->network_count))) {
			free(nic);
			return -1;
		}
		net->time = e->time;
		net->event = strdup(catalog_role_name(role_of(e)));
		/* §6.1 step 2: a disconnect (234) naming the VM is one of its end records. */
		if (role_of(e) == CATALOG_ROLE_NIC_DISCONNECTED &&
		    (s->end_inferred || e->time > s->end)) {
			s->end = e->time;
			s->end_inferred = 0;
		}
		/* §6.4: without an exit record the end is the last record linked to the session, and
		 * a NIC connect is linked to it as much as a Hyper-V record is (the VM ran then). */
		else if (s->end_inferred && e->time > s->end)
			s->end = e->time;
		net->nic_name = nic;
		net->link = "strong";
		net->event_row = e->id;
	}
	return 0;
}

/* `wsb share --id GUID -f HOST [--allow-write]` (§5.2) says whether a share added to the running
 * sandbox is writable: applied to the 301 of that host folder. */
static void shares_from_cli(const struct correlation *c, struct session *s)
{
	for (size_t i = 0; i < c->call_count; i++) {
		const struct store_wsb_call *call = &c->calls[i];
		int mine = is_share_call(call) &&
			   wsb_call_is_for(call, s->vm_guid, s->start, s->end_inferred ? 0 : s->end);

		for (size_t k = 0; mine && call->host_path && k < s->share_count; k++)
			if (same_path(s->shares[k].host_path, call->host_path) &&
			    s->shares[k].read_only == SESSION_UNKNOWN)
				s->shares[k].read_only = call->allow_write ? 0 : 1;
	}
}

/* §6.4: why no 4688 of a process is there to read, as a clause, with the host facts as basis. */
static void no_4688_reason(struct correlation *c, char *out, size_t size)
{
	char *coverage = store_fact_value(c->store, "audit_coverage", "event 4688", NULL, NULL);
	char when[40];

	if (!c->have_security && c->security_cleared) {
		filetime_format_iso(c->security_cleared, when, sizeof when);
		snprintf(out, size, "the Security log was cleared (1102 at %s)", when);
	} else if (!c->have_security) {
		snprintf(out, size, "no Security log in the collection");
	} else if (coverage && !strcmp(coverage, "not recorded")) {
		snprintf(out, size, "Process Creation auditing was off (host fact audit_coverage, "
				    "event 4688)");
	} else if (coverage && !strcmp(coverage, "recorded")) {
		snprintf(out, size, "none although Process Creation auditing was on (log cleared or "
				    "rolled over?)");
	} else {
		snprintf(out, size, "the audit policy is unknown (no SECURITY hive)");
	}
	free(coverage);
}

/* §6.4: what is missing, and why, with the audit facts as basis. */

/* §6.4: a Hyper-V channel whose oldest record in the collection is later than the session's start
 * cannot show what the session wrote there before it. Said per channel, unless that oldest record
 * is the session's own (a log that begins with this VM's records). The Hyper-V providers are
 * stored whole, so the oldest stored record (noted once, by note_log_wide) is the channel's oldest. */
static void list_rolled_channels(const struct correlation *c, struct session *s,
				 const struct vm_run *vm)
{
	for (size_t h = 0; s->start && h < HYPERV_CHANNEL_COUNT; h++) {
		int own = 0;
		char when[40], text[512];

		if (!c->hyperv_oldest[h].id || c->hyperv_oldest[h].time <= s->start)
			continue;
		/* a record naming the VM is always kept, so its own oldest record is among its links */
		for (size_t k = 0; k < vm->link_count && !own; k++)
			own = c->events[vm->links[k].event].id == c->hyperv_oldest[h].id;
		if (own)
			continue;
		filetime_format_iso(c->hyperv_oldest[h].time, when, sizeof when);
		snprintf(text, sizeof text, "%s: its oldest record in the collection is at %s, after this "
			 "session began; the session's records there before then are not in the "
			 "collection (rolled over or cleared, METHOD.md §6.4)",
			 HYPERV_CHANNELS[h], when);
		add_missing(s, text);
	}
}

static void list_missing(struct correlation *c, struct session *s, const struct vm_run *vm,
			 const struct vm_extra *x)
{
	const struct launcher *l = x->launcher;
	char reason[160], text[512];

	no_4688_reason(c, reason, sizeof reason);
	if (!vm->has_start)
		add_missing(s, "start: no VM start record (18500, 2000/2001, 4624 or 301); the start is "
			       "unknown");
	if (s->end_inferred)
		add_missing(s, "exit: no VM exit record (18502/18504/18508, 2002/2003, 234); the end is "
			       "the last linked record (inferred)");
	if (!vm->has_logon) {
		snprintf(text, sizeof text, "logon: no Security 4624 of NT VIRTUAL MACHINE\\<GUID> for "
			 "this VM%s%s", c->have_security ? "" : ": ", c->have_security ? "" : reason);
		add_missing(s, text);
	}
	if (!l) {
		snprintf(text, sizeof text, "launcher: unknown - no 4688 of WindowsSandbox.exe/wsb.exe: "
			 "%s", reason);
		add_missing(s, text);
	} else if (l->task_run == &c->events[l->event]) {
		/* §6.3 "launcher without 4688 / Sysmon 1" */
		snprintf(text, sizeof text, "launcher: no process record (4688 / Sysmon 1): %s; it is "
			 "the process Task Scheduler %u names, %s", reason, l->task_run->event_id,
			 l->command_line_task ? "its command line the task definition's action"
					      : "its command line unknown (no task definition found)");
		add_missing(s, text);
	} else if (l->command_line_task) {
		char *cmdline = store_fact_value(c->store, "cmdline_audit", "4688 CommandLine", NULL, NULL);
		snprintf(text, sizeof text, "launcher command line: its 4688 recorded none (%s); read "
			 "from the action of the task definition %s",
			 cmdline && !strcmp(cmdline, "not included")
				 ? "command-line auditing was off, host fact cmdline_audit"
				 : "command-line inclusion not established",
			 l->definition && l->definition->uri ? l->definition->uri : "linked to it");
		free(cmdline);
		add_missing(s, text);
	}
	if (s->launcher.link_basis && strstr(s->launcher.link_basis, "ambiguous"))
		add_missing(s, "launcher: the link is ambiguous - several launchers or VM starts "
			       "fall in one 120 s window (METHOD.md §6.2); linked by time only");
	if (!strcmp(s->trigger.kind, "unknown"))
		add_missing(s, "trigger: no task run (Task Scheduler 129/200) or interactive start "
			       "linked to the launcher");
	list_rolled_channels(c, s, vm);
	if (!s->share_count)
		add_missing(s, "shares: no Hyper-V-Worker 301 record for this VM");
	if (s->wsb.logon_command && !s->command_count)
		add_missing(s, "commands: the configuration has a LogonCommand but no Hyper-V-Compute "
			       "2500 record was found");
	if (s->launcher.event_row && !s->wsb.config_id && s->wsb.path)
		add_missing(s, "configuration: the .wsb the launcher names was not in the collection");
	add_missing(s, "inside the VM: processes, files, registry and network of the sandbox itself "
		       "leave no host event record (METHOD.md §6.7)");
}

static const char *session_confidence(const struct session *s, const struct vm_run *vm)
{
	int trigger_strong = s->trigger.kind && strcmp(s->trigger.kind, "unknown") &&
			     !strcmp(s->trigger.link, "strong");
	int launch_strong = s->launcher.event_row && !strcmp(s->launcher.link, "strong");

	if (!s->launcher.event_row && (!s->trigger.kind || !strcmp(s->trigger.kind, "unknown")))
		return "low";
	if (trigger_strong && launch_strong && vm->has_start && !s->end_inferred)
		return "high";
	return "medium";
}

/* ---- findings, storing -------------------------------------------------------------- */

static void session_free(struct session *s)
{
	free(s->kind);
	free(s->kind_basis);
	free(s->trigger.task_name);
	free(s->trigger.user);
	free(s->trigger.link_basis);
	free(s->trigger.other_task_ids);
	free(s->launcher.image);
	free(s->launcher.command_line);
	free(s->launcher.subject_sid);
	free(s->launcher.parent_image);
	free(s->launcher.link_basis);
	free(s->wsb.path);
	free(s->wsb.networking_origin);
	free(s->wsb.logon_command);
	for (size_t i = 0; i < s->wsb.folder_count; i++) {
		free(s->wsb.folders[i].host);
		free(s->wsb.folders[i].sandbox);
	}
	free(s->wsb.folders);
	for (size_t i = 0; i < s->record_count; i++) {
		free(s->records[i].role);
		free(s->records[i].what);
	}
	free(s->records);
	for (size_t i = 0; i < s->share_count; i++) {
		free(s->shares[i].host_path);
		free(s->shares[i].share_flags);
		free(s->shares[i].share_name);
	}
	free(s->shares);
	for (size_t i = 0; i < s->command_count; i++) {
		free(s->commands[i].command_line);
		free(s->commands[i].user);
		free(s->commands[i].guest_pid);
		free(s->commands[i].result);
	}
	free(s->commands);
	for (size_t i = 0; i < s->network_count; i++) {
		free(s->network[i].event);
		free(s->network[i].nic_name);
	}
	free(s->network);
	for (size_t i = 0; i < s->missing_count; i++)
		free(s->missing[i]);
	free(s->missing);
}

/* One JSON object of string/number members from alternating name, value pairs (NULL value: null). */
static char *detail_json(int count, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list args;

	va_start(args, count);
	strbuf_append_char(&sb, '{');
	for (int i = 0; i < count; i++) {
		const char *name = va_arg(args, const char *);
		const char *value = va_arg(args, const char *);
		if (i)
			strbuf_append_char(&sb, ',');
		json_append_string(&sb, name, strlen(name));
		strbuf_append_char(&sb, ':');
		if (value)
			json_append_string(&sb, value, strlen(value));
		else
			strbuf_append_str(&sb, "null");
	}
	strbuf_append_char(&sb, '}');
	va_end(args);
	return strbuf_detach(&sb);
}

static const char *tri(int value)
{
	return value == 1 ? "true" : value == 0 ? "false" : NULL;
}

static int store_session(struct store *store, const struct session *s, const struct finding *f,
			 size_t finding_count, int score)
{
	struct strbuf missing = STRBUF_INIT;
	struct store_session_row row;
	int rc = 0;

	strbuf_append_char(&missing, '[');
	for (size_t i = 0; i < s->missing_count; i++) {
		if (i)
			strbuf_append_char(&missing, ',');
		json_append_string(&missing, s->missing[i], strlen(s->missing[i]));
	}
	strbuf_append_char(&missing, ']');
	row = (struct store_session_row){
		s->id, s->vm_guid, s->vm_sid, s->kind, s->kind_basis, s->start, s->end,
		s->end_inferred, s->confidence, rules_verdict(score), score, s->trigger.kind,
		s->trigger.task_name, s->trigger.user, s->launcher.image, s->launcher.command_line,
		s->launcher.pid, s->wsb.path, s->wsb.config_id, strbuf_text(&missing)};
	rc = store_add_session_row(store, &row);
	strbuf_free(&missing);

	for (size_t i = 0; rc == 0 && i < s->record_count; i++) {
		char *d = detail_json(1, "what", s->records[i].what);
		rc = store_add_session_event(store, s->id, s->records[i].role, "events",
					     s->records[i].event_row, s->records[i].time, "VM GUID",
					     "strong", d);
		free(d);
	}
	for (size_t i = 0; rc == 0 && i < s->share_count; i++) {
		const struct session_share *sh = &s->shares[i];
		char *d = detail_json(4, "host_path", sh->host_path, "read_only", tri(sh->read_only),
				      "share_flags", sh->share_flags, "internal",
				      sh->internal ? "true" : "false");
		rc = store_add_session_event(store, s->id, "share", "events", sh->event_row, sh->time,
					     "VM GUID", "strong", d);
		free(d);
	}
	for (size_t i = 0; rc == 0 && i < s->command_count; i++) {
		const struct session_command *cm = &s->commands[i];
		char *d = detail_json(3, "command_line", cm->command_line, "user", cm->user,
				      "guest_pid", cm->guest_pid);
		rc = store_add_session_event(store, s->id, "command", "events", cm->event_row, cm->time,
					     "VM GUID", "strong", d);
		free(d);
	}
	for (size_t i = 0; rc == 0 && i < s->network_count; i++) {
		const struct session_network *n = &s->network[i];
		char *d = detail_json(2, "event", n->event, "nic", n->nic_name);
		rc = store_add_session_event(store, s->id, "network", "events", n->event_row, n->time,
					     "VM GUID in the NIC name", n->link, d);
		free(d);
	}
	if (rc == 0 && s->launcher.event_row) {
		char pid[32], from_task[48];
		char *d;
		snprintf(pid, sizeof pid, "%lld", (long long)s->launcher.pid);
		snprintf(from_task, sizeof from_task, "tasks.id=%lld",
			 (long long)s->launcher.command_line_task);
		/* command_line_from: the task definition whose action gave the command line (§6.3) */
		d = detail_json(4, "image", s->launcher.image, "pid", pid, "command_line",
				s->launcher.command_line, "command_line_from",
				s->launcher.command_line_task ? from_task : NULL);
		rc = store_add_session_event(store, s->id, "launch", "events", s->launcher.event_row,
					     s->launcher.time, s->launcher.link_basis, s->launcher.link,
					     d);
		free(d);
	}
	if (rc == 0 && s->trigger.event_row)
		rc = store_add_session_event(store, s->id, "trigger", "events", s->trigger.event_row, 0,
					     s->trigger.link_basis, s->trigger.link, "{}");
	if (rc == 0 && s->trigger.task_id)
		rc = store_add_session_event(store, s->id, "trigger", "tasks", s->trigger.task_id, 0,
					     s->trigger.link_basis ? s->trigger.link_basis
								   : "task definition",
					     s->trigger.link, "{}");
	for (size_t i = 0; rc == 0 && i < s->trigger.other_task_count; i++)
		rc = store_add_session_event(store, s->id, "trigger", "tasks",
					     s->trigger.other_task_ids[i], 0,
					     "another definition of the same task", s->trigger.link,
					     "{}");
	if (rc == 0 && s->wsb.config_id)
		rc = store_add_session_event(store, s->id, "config", "wsb_configs", s->wsb.config_id, 0,
					     "the configuration the launcher or task names",
					     s->launcher.link, "{}");
	for (size_t i = 0; rc == 0 && i < finding_count; i++) {
		struct strbuf basis = STRBUF_INIT;
		strbuf_append_char(&basis, '[');
		for (size_t b = 0; b < f[i].basis_count; b++) {
			if (b)
				strbuf_append_char(&basis, ',');
			json_append_string(&basis, f[i].basis[b], strlen(f[i].basis[b]));
		}
		strbuf_append_char(&basis, ']');
		rc = store_add_finding(store, s->id, f[i].id, f[i].title, f[i].score, f[i].attack,
				       f[i].section, f[i].reason, strbuf_text(&basis));
		strbuf_free(&basis);
	}
	return rc;
}

/* ---- the whole correlation --------------------------------------------------------- */

static void link_launchers(struct correlation *c, struct vm_extra *extra)
{
	for (size_t li = 0; li < c->launcher_count; li++) {
		struct launcher *l = &c->launchers[li];
		const struct store_event *le = &c->events[l->event];
		size_t best = c->vm_count, candidates = 0;
		uint64_t best_gap = 0;

		for (size_t v = 0; v < c->vm_count; v++) {
			const struct vm_run *vm = &c->vms[v];
			uint64_t gap;
			if (!vm->has_start || vm->start < le->time ||
			    vm->start - le->time > LAUNCH_WINDOW || !strcmp(vm->kind, "classic-vm") ||
			    !strcmp(vm->kind, "other-hcs"))
				continue;
			candidates++; /* claimed or not: §6.2 ambiguity is about the window */
			if (extra[v].launcher)
				continue;
			gap = vm->start - le->time;
			if (best == c->vm_count || gap < best_gap) {
				best = v;
				best_gap = gap;
			}
		}
		if (best == c->vm_count)
			continue;
		{
			struct vm_extra *x = &extra[best];
			char *path = NULL;
			const struct store_wsb *config = config_for(c, l, &path);

			x->launcher = l;
			l->claimed = 1;
			x->config = config;
			x->config_path = path;
			if (candidates > 1) {
				x->launch_link = "weak";
				snprintf(x->launch_basis, sizeof x->launch_basis,
					 "time only: %zu VM starts within 120 s of the launcher (ambiguous)",
					 candidates);
			} else if (config && config_matches_vm(config, c, &c->vms[best])) {
				x->launch_link = "strong";
				snprintf(x->launch_basis, sizeof x->launch_basis,
					 "the launcher's configuration maps exactly the VM's shares and "
					 "its logon command is the command the VM ran");
			} else if (client_of(c, l, c->vms[best].start + LAUNCH_WINDOW)) {
				x->launch_link = "medium";
				snprintf(x->launch_basis, sizeof x->launch_basis,
					 "the launcher started the sandbox client process; VM start %llu s "
					 "later",
					 (unsigned long long)(best_gap / 10000000ULL));
			} else {
				x->launch_link = "weak";
				snprintf(x->launch_basis, sizeof x->launch_basis,
					 "time only: VM start %llu s after the launcher",
					 (unsigned long long)(best_gap / 10000000ULL));
			}
		}
	}
}

/* §6.2: when two launchers fall in one VM's window, neither link is better than weak. */
static void mark_ambiguous_launchers(struct correlation *c, struct vm_extra *extra)
{
	for (size_t v = 0; v < c->vm_count; v++) {
		const struct vm_run *vm = &c->vms[v];
		size_t launchers = 0;

		if (!extra[v].launcher || !vm->has_start)
			continue;
		for (size_t li = 0; li < c->launcher_count; li++) {
			uint64_t t = c->events[c->launchers[li].event].time;
			if (t <= vm->start && vm->start - t <= LAUNCH_WINDOW)
				launchers++;
		}
		if (launchers > 1) {
			extra[v].launch_link = "weak";
			snprintf(extra[v].launch_basis, sizeof extra[v].launch_basis,
				 "ambiguous: %zu launchers within 120 s before this VM started; linked to "
				 "the nearest",
				 launchers);
		}
	}
}

struct rules_input {
	struct rules_archive *archives;
	size_t archive_count;
	struct rules_log_clear *clears;
	size_t clear_count;
	struct rules_wsb_call *calls;
	size_t call_count;
	char **archive_paths;
};

static int rules_input_build(struct correlation *c, struct rules_input *in)
{
	struct store_archive *archives = NULL;
	size_t count = 0;

	memset(in, 0, sizeof *in);
	if (store_load_archives(c->store, &archives, &count) != 0)
		return -1;
	in->archives = calloc(count ? count : 1, sizeof *in->archives);
	in->archive_paths = calloc(count ? count : 1, sizeof *in->archive_paths);
	if (!in->archives || !in->archive_paths) {
		store_free_archives(archives, count);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		/* The Windows path the collection's layout gives (METHOD.md §8.6); a file outside
		 * any known layout is judged by its path as found, which names no drive. */
		in->archive_paths[i] = strdup(archives[i].windows_path ? archives[i].windows_path
								       : archives[i].path);
		in->archives[i] = (struct rules_archive){in->archive_paths[i], archives[i].name_mismatch,
							 archives[i].encrypted, archives[i].id};
	}
	in->archive_count = count;
	store_free_archives(archives, count);
	for (size_t i = 0; i < c->call_count; i++) {
		const struct store_wsb_call *call = &c->calls[i];
		struct rules_wsb_call *out;

		if (!call->event_ref || !call->verb || strcasecmp(cmdline_word_basename(call->image), "wsb.exe"))
			continue;
		if (!(out = PUSH(in->calls, in->call_count)))
			return -1;
		*out = (struct rules_wsb_call){call->time,	   call->verb,	  call->vm_id,
					       call->command,	   call->run_as,  call->host_path,
					       call->sandbox_path, call->allow_write, call->event_ref};
	}
	for (size_t i = 0; i < c->event_count; i++) {
		const struct store_event *e = &c->events[i];
		if (role_of(e) == CATALOG_ROLE_SECURITY_CLEARED || role_of(e) == CATALOG_ROLE_LOG_CLEARED) {
			struct rules_log_clear *clear = PUSH(in->clears, in->clear_count);
			if (!clear)
				return -1;
			*clear = (struct rules_log_clear){e->time, (int)e->event_id, e->id};
		}
	}
	return 0;
}

static void rules_input_free(struct rules_input *in)
{
	for (size_t i = 0; i < in->archive_count; i++)
		free(in->archive_paths[i]);
	free(in->archive_paths);
	free(in->archives);
	free(in->clears);
	free(in->calls);
}

static void correlation_free(struct correlation *c)
{
	store_free_events(c->events, c->event_count);
	store_free_tasks(c->tasks, c->task_count);
	store_free_wsb_configs(c->configs, c->config_count);
	store_free_wsb_calls(c->calls, c->call_count);
	store_free_vm_commands(c->vm_commands, c->vm_command_count);
	for (size_t i = 0; i < c->vm_count; i++) {
		free(c->vms[i].links);
		free(c->vms[i].vm_name);
		free(c->vms[i].nics);
	}
	free(c->vms);
	free(c->vm_by_guid);
	free(c->boots);
	for (size_t i = 0; i < c->launcher_count; i++)
		launcher_free(&c->launchers[i]);
	free(c->launchers);
	pid_index_free(&c->processes);
	pid_index_free(&c->task_runs);
	pid_index_free(&c->task_service);
	pid_index_free(&c->calls_by_event);
}

/* The sessions of the evidence in scope (one host's, §2.7), numbered from FIRST_ID on. */
static int correlate_scope(struct store *store, int64_t first_id, size_t *session_count,
			   int every_record)
{
	struct correlation c;
	struct vm_extra *extra = NULL;
	struct vm_run **order = NULL;
	struct session *sessions = NULL;
	struct rules_input in;
	size_t n = 0;
	int rc = -1, have_input = 0;
	char *networking_policy = NULL;

	memset(&c, 0, sizeof c);
	c.store = store;
	if (select_events(&c, every_record) != 0 ||
	    store_load_tasks(store, &c.tasks, &c.task_count) != 0 ||
	    store_load_wsb_configs(store, &c.configs, &c.config_count) != 0 ||
	    store_load_wsb_calls(store, &c.calls, &c.call_count) != 0 ||
	    store_load_vm_commands(store, &c.vm_commands, &c.vm_command_count) != 0 ||
	    collect_vms(&c) != 0 || collect_nics(&c) != 0 || collect_launchers(&c) != 0)
		goto out;
	extra = calloc(c.vm_count ? c.vm_count : 1, sizeof *extra);
	order = calloc(c.vm_count ? c.vm_count : 1, sizeof *order);
	if (!extra || !order)
		goto out;
	for (size_t v = 0; v < c.vm_count; v++) {
		c.vms[v].share_matches_config = shares_match_a_config(&c, &c.vms[v]);
		classify(&c.vms[v], 0);
	}
	link_launchers(&c, extra);
	mark_ambiguous_launchers(&c, extra);
	for (size_t v = 0; v < c.vm_count; v++) {
		int strong_or_medium = extra[v].launcher && strcmp(extra[v].launch_link, "weak");
		classify(&c.vms[v], strong_or_medium);
		/* §6.6: a launcher linked by time only does not make a VM a sandbox; it is named in
		 * the basis of a sandbox-likely one. An unknown VM stays out. */
		if (c.vms[v].is_session && extra[v].launcher && !strong_or_medium)
			snprintf(c.vms[v].kind_basis, sizeof c.vms[v].kind_basis, "%s",
				 c.vms[v].wdag_user ? "commands run as WDAGUtilityAccount; a launcher "
						      "precedes it by time only"
						    : "the VM is named by its GUID; a launcher precedes "
						      "it by time only");
		if (!c.vms[v].is_session && extra[v].launcher)
			extra[v].launcher->claimed = 0;
		if (c.vms[v].is_session)
			order[n++] = &c.vms[v];
	}
	if (n)
		qsort(order, n, sizeof *order, compare_sessions);
	sessions = calloc(n ? n : 1, sizeof *sessions);
	if (!sessions)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct vm_extra *x = &extra[order[i] - c.vms];
		if (fill_session(&c, order[i], x, &sessions[i], first_id + (int64_t)i) != 0)
			goto out;
		shares_from_cli(&c, &sessions[i]);
		list_missing(&c, &sessions[i], order[i], x);
		sessions[i].confidence = session_confidence(&sessions[i], order[i]);
	}
	have_input = 1; /* rules_input_free copes with a partly built input */
	if (rules_input_build(&c, &in) != 0)
		goto out;
	{
		uint64_t feature_time = 0;
		int64_t feature_fact = 0;
		char *feature = store_fact_value(store, "feature_state",
						 "Windows Sandbox (Containers-DisposableClientVM)",
						 &feature_time, &feature_fact);
		const char *feature_basis = "last write of the Notifications\\OptionalFeatures\\"
					    "Containers-DisposableClientVM key";
		servicing_feature_time(store, &feature_time, &feature_fact, &feature_basis); /* §2.8 */
		struct rules_context context = {sessions, n, in.archives, in.archive_count,
						feature_time, feature_basis,
						feature_fact, in.clears, in.clear_count, in.calls,
						in.call_count, NULL, 0};
		free(feature);
		/* §2.2: the AllowNetworking policy decides whether ST-NET-ON's default holds */
		context.networking_policy = networking_policy =
			store_fact_value(store, "sandbox_policy", "AllowNetworking", NULL,
					 &context.networking_policy_row);
		for (size_t i = 0; i < n; i++) {
			struct finding *findings = NULL;
			size_t finding_count = 0;
			if (rules_evaluate(&sessions[i], &context, &findings, &finding_count) != 0 ||
			    store_session(store, &sessions[i], findings, finding_count,
					  rules_sum_scores(findings, finding_count)) != 0 ||
			    story_link(store, &sessions[i]) != 0) { /* §6.8 */
				rules_free_findings(findings, finding_count);
				goto out;
			}
			rules_free_findings(findings, finding_count);
		}
	}
	for (size_t v = 0; v < c.vm_count; v++)
		if (!c.vms[v].is_session &&
		    store_add_other_vm(store, c.vms[v].guid, c.vms[v].kind, c.vms[v].kind_basis,
				       c.vms[v].first, c.vms[v].last, (int64_t)c.vms[v].link_count) != 0)
			goto out;
	if (session_count)
		*session_count = n;
	rc = 0;
out:
	free(networking_policy);
	if (have_input)
		rules_input_free(&in);
	for (size_t i = 0; sessions && i < n; i++)
		session_free(&sessions[i]);
	free(sessions);
	for (size_t v = 0; extra && v < c.vm_count; v++)
		free(extra[v].config_path);
	free(extra);
	free(order);
	correlation_free(&c);
	return rc;
}

/* Host by host in name order (§2.7): each correlation sees only its host's records, tasks,
 * configurations and facts, so nothing of host B joins a session of host A; the sessions are
 * numbered on across hosts. A case naming no host is one correlation, as before hosts; files of
 * no host are correlated on their own, their sessions given no host. */
static int correlate_hosts(struct store *store, size_t *session_count, int every_record)
{
	size_t hosts = 0, unassigned = 0, total = 0;
	int rc = hosts_count(store, &hosts, &unassigned) == 0 && store_clear_sessions(store) == 0
			 ? 0
			 : -1;

	for (size_t h = 0; rc == 0 && h <= hosts; h++) {
		int64_t scope = h < hosts ? (int64_t)h + 1 : STORE_SCOPE_UNASSIGNED;
		size_t count = 0;

		if (h == hosts && hosts && !unassigned)
			break;
		if (hosts == 0)
			scope = STORE_SCOPE_CASE;
		rc = store_scope_host(store, scope);
		if (rc == 0)
			rc = correlate_scope(store, (int64_t)total + 1, &count, every_record);
		total += count;
	}
	if (store_scope_host(store, STORE_SCOPE_CASE) != 0)
		rc = -1;
	if (rc == 0 && session_count)
		*session_count = total;
	return rc;
}

int sessions_correlate(struct store *store, size_t *session_count)
{
	return correlate_hosts(store, session_count, 0);
}

int sessions_correlate_every_record(struct store *store, size_t *session_count)
{
	return correlate_hosts(store, session_count, 1);
}
