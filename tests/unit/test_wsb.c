/*
 * test_wsb.c - .wsb configurations (METHOD.md §5.1) and launcher command lines (§5.2): raw
 * values, effective values with the documented defaults and where they came from, risk flags, the
 * hardened reader (encodings, entities, size limit, malformed input), the bundled case and the real
 * corpus when it is present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parsers/wsb.h"

#define DATA_DIR SANDTRACE_SOURCE_DIR "/tests/unit/data/wsb/"
#define CORPUS_DIR SANDTRACE_SOURCE_DIR "/../shared/corpus/wsb/"
#define CASE_DIR SANDTRACE_SOURCE_DIR "/testdata/case/"


/* Parses PATH; NULL (and a printed reason) when the file cannot be read or parsed. */
static struct wsb_config *parse_path(const char *path, char *err, size_t err_size)
{
	struct wsb_config *config = NULL;
	size_t size;
	char *data = check_read_file(path, &size);

	err[0] = '\0';
	if (!data) {
		snprintf(err, err_size, "cannot read %s", path);
		return NULL;
	}
	if (wsb_parse_memory(data, size, &config, err, err_size) != 0)
		config = NULL;
	free(data);
	return config;
}

static struct wsb_config *parse_text(const char *text, char *err, size_t err_size)
{
	struct wsb_config *config = NULL;

	err[0] = '\0';
	if (wsb_parse_memory(text, strlen(text), &config, err, err_size) != 0)
		return NULL;
	return config;
}

static const struct wsb_risk *find_risk(const struct wsb_config *c, const char *id, long folder)
{
	for (size_t i = 0; c && i < c->risk_count; i++)
		if (strcmp(c->risks[i].id, id) == 0 && (folder < -1 || c->risks[i].mapped_folder == folder))
			return &c->risks[i];
	return NULL;
}

static int contains(const char *text, const char *part)
{
	return text && strstr(text, part) != NULL;
}

static const char *describe(const struct wsb_setting *s)
{
	static char buf[256];
	if (wsb_describe_setting(s, buf, sizeof buf) != 0)
		return "(describe failed)";
	return buf;
}

static void test_every_element_explicit(void)
{
	char err[256];
	struct wsb_config *c = parse_path(DATA_DIR "every_element.wsb", err, sizeof err);
	const struct wsb_setting *s;
	const struct wsb_risk *r;

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "every_element: %s\n", err);
		return;
	}
	CHECK_INT(c->well_formed, 1);
	CHECK_INT(c->encoding_repaired, 0);
	CHECK(c->parse_problem == NULL);
	CHECK_STR(c->root_name, "Configuration");
	s = c->settings;
	CHECK_STR(s[WSB_SETTING_VGPU].name, "vGPU");
	CHECK_STR(s[WSB_SETTING_VGPU].raw, "Enable");
	CHECK_INT(s[WSB_SETTING_VGPU].effective, WSB_ON);
	CHECK_INT(s[WSB_SETTING_VGPU].source, WSB_SOURCE_EXPLICIT);
	CHECK_INT(s[WSB_SETTING_VGPU].is_default, 0);
	CHECK_STR(s[WSB_SETTING_NETWORKING].raw, "Enable");
	CHECK_INT(s[WSB_SETTING_NETWORKING].effective, WSB_ON);
	CHECK_STR(describe(&s[WSB_SETTING_NETWORKING]), "Networking: enabled (explicit)");
	CHECK_STR(s[WSB_SETTING_AUDIO_INPUT].raw, "Disable");
	CHECK_INT(s[WSB_SETTING_AUDIO_INPUT].effective, WSB_OFF);
	CHECK_STR(s[WSB_SETTING_AUDIO_INPUT].effective_text, "disabled");
	CHECK_STR(s[WSB_SETTING_VIDEO_INPUT].raw, "Enable");
	CHECK_INT(s[WSB_SETTING_VIDEO_INPUT].effective, WSB_ON);
	CHECK_STR(s[WSB_SETTING_PROTECTED_CLIENT].raw, "Disable");
	CHECK_INT(s[WSB_SETTING_PROTECTED_CLIENT].effective, WSB_OFF);
	CHECK_INT(s[WSB_SETTING_PROTECTED_CLIENT].source, WSB_SOURCE_EXPLICIT);
	CHECK_STR(s[WSB_SETTING_PRINTER_REDIRECTION].raw, "Enable");
	CHECK_INT(s[WSB_SETTING_PRINTER_REDIRECTION].effective, WSB_ON);
	CHECK_STR(s[WSB_SETTING_CLIPBOARD_REDIRECTION].raw, "Disable");
	CHECK_INT(s[WSB_SETTING_CLIPBOARD_REDIRECTION].effective, WSB_OFF);
	CHECK_STR(c->memory_raw, "8192");
	CHECK_INT(c->memory_mb, 8192);
	CHECK_STR(c->memory_text, "8192 MB");
	CHECK_STR(c->logon_command, "cmd /c C:\\HostUsers\\Public\\Documents\\setup.bat");
	CHECK_INT(c->logon_command_count, 1);

	CHECK_INT(c->mapped_folder_count, 2);
	if (c->mapped_folder_count == 2) {
		const struct wsb_mapped_folder *m = c->mapped_folders;
		CHECK_STR(m[0].host_folder_raw, "C:\\Users");
		CHECK_STR(m[0].sandbox_folder_raw, "C:\\HostUsers");
		CHECK_STR(m[0].sandbox_folder, "C:\\HostUsers");
		CHECK_INT(m[0].sandbox_folder_is_default, 0);
		CHECK_STR(m[0].read_only_raw, "false");
		CHECK_INT(m[0].read_only, WSB_OFF);
		CHECK_INT(m[0].read_only_is_default, 0);
		CHECK_STR(m[0].read_only_text, "writable");
		/* no SandboxFolder: the desktop default with the host leaf (§5.1), trailing '\' ignored */
		CHECK_STR(m[1].host_folder_raw, "D:\\Tools\\Kit\\");
		CHECK(m[1].sandbox_folder_raw == NULL);
		CHECK_STR(m[1].sandbox_folder, "C:\\Users\\WDAGUtilityAccount\\Desktop\\Kit");
		CHECK_INT(m[1].sandbox_folder_is_default, 1);
		CHECK_STR(m[1].read_only_raw, "True");
		CHECK_INT(m[1].read_only, WSB_ON);
	}
	CHECK_INT(c->unknown_element_count, 1);
	if (c->unknown_element_count == 1) {
		CHECK_STR(c->unknown_elements[0].name, "FutureSetting");
		CHECK_STR(c->unknown_elements[0].raw, "Enable");
	}

	r = find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 0);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(r->severity, "high");
		CHECK_STR(r->section, "METHOD.md §5.1");
		CHECK(contains(r->reason, "user-profile root"));
		CHECK(contains(r->reason, "explicit"));
	}
	CHECK(find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 1) == NULL);
	r = find_risk(c, WSB_RISK_NETWORKING_ON, -1);
	CHECK(r != NULL && contains(r->reason, "(explicit)"));
	r = find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0);
	CHECK(r != NULL && contains(r->reason, "C:\\HostUsers"));
	CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 1) == NULL);
	r = find_risk(c, WSB_RISK_LOGON_SCRIPT, -1);
	CHECK(r != NULL && contains(r->reason, ".bat"));
	CHECK(find_risk(c, WSB_RISK_PROTECTED_CLIENT_OFF, -1) != NULL);
	CHECK(find_risk(c, WSB_RISK_VGPU_ON, -1) != NULL);
	CHECK(find_risk(c, WSB_RISK_HOST_FOLDER_INVALID, -2) == NULL);
	CHECK_INT(c->risk_count, 6);
	wsb_config_free(c);
}

static void test_absent_elements_take_documented_defaults(void)
{
	char err[256];
	struct wsb_config *c = parse_text("<Configuration/>", err, sizeof err);
	const struct wsb_setting *s;
	const struct wsb_risk *r;

	CHECK(c != NULL);
	if (!c)
		return;
	s = c->settings;
	for (int i = 0; i < WSB_SETTING_COUNT; i++) {
		CHECK(s[i].raw == NULL);
		CHECK_INT(s[i].source, WSB_SOURCE_ABSENT);
		CHECK_INT(s[i].is_default, 1);
	}
	/* §5.1 defaults: vGPU off, Networking on, AudioInput on, VideoInput off, ProtectedClient off,
	 * PrinterRedirection off, ClipboardRedirection on */
	CHECK_INT(s[WSB_SETTING_VGPU].effective, WSB_OFF);
	CHECK_INT(s[WSB_SETTING_NETWORKING].effective, WSB_ON);
	CHECK_INT(s[WSB_SETTING_AUDIO_INPUT].effective, WSB_ON);
	CHECK_INT(s[WSB_SETTING_VIDEO_INPUT].effective, WSB_OFF);
	CHECK_INT(s[WSB_SETTING_PROTECTED_CLIENT].effective, WSB_OFF);
	CHECK_INT(s[WSB_SETTING_PRINTER_REDIRECTION].effective, WSB_OFF);
	CHECK_INT(s[WSB_SETTING_CLIPBOARD_REDIRECTION].effective, WSB_ON);
	CHECK_STR(describe(&s[WSB_SETTING_NETWORKING]),
		  "Networking: enabled (default, element absent)");
	CHECK_STR(describe(&s[WSB_SETTING_VGPU]), "vGPU: disabled (default, element absent)");
	CHECK(c->memory_raw == NULL);
	CHECK_INT(c->memory_mb, -1);
	CHECK_STR(c->memory_text, "not set (automatic)");
	CHECK(c->logon_command == NULL);
	CHECK_INT(c->mapped_folder_count, 0);
	/* networking on by default is still flagged, and says so */
	r = find_risk(c, WSB_RISK_NETWORKING_ON, -1);
	CHECK(r != NULL && contains(r->reason, "default, element absent"));
	CHECK(find_risk(c, WSB_RISK_PROTECTED_CLIENT_OFF, -1) == NULL); /* off only by default */
	CHECK(find_risk(c, WSB_RISK_VGPU_ON, -1) == NULL);
	CHECK_INT(c->risk_count, 1);
	wsb_config_free(c);
}

static void test_default_word_and_empty_values(void)
{
	char err[256];
	struct wsb_config *c = parse_path(DATA_DIR "default_values.wsb", err, sizeof err);
	const struct wsb_mapped_folder *m;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(c->settings[WSB_SETTING_NETWORKING].raw, "Default");
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].source, WSB_SOURCE_DEFAULT);
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_ON);
	CHECK_STR(describe(&c->settings[WSB_SETTING_NETWORKING]),
		  "Networking: enabled (default, value Default)");
	CHECK_STR(c->settings[WSB_SETTING_AUDIO_INPUT].raw, "");
	CHECK_INT(c->settings[WSB_SETTING_AUDIO_INPUT].source, WSB_SOURCE_DEFAULT);
	CHECK_INT(c->settings[WSB_SETTING_AUDIO_INPUT].effective, WSB_ON);
	CHECK_STR(describe(&c->settings[WSB_SETTING_AUDIO_INPUT]),
		  "AudioInput: enabled (default, element empty)");
	CHECK_STR(c->settings[WSB_SETTING_VGPU].raw, "  default  ");
	CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_OFF);
	CHECK_INT(c->settings[WSB_SETTING_VGPU].is_default, 1);
	CHECK_INT(c->mapped_folder_count, 1);
	if (c->mapped_folder_count != 1) {
		wsb_config_free(c);
		return;
	}
	m = &c->mapped_folders[0];
	CHECK(m->read_only_raw == NULL);
	CHECK_INT(m->read_only, WSB_OFF); /* ReadOnly missing => writable (§5.1) */
	CHECK_INT(m->read_only_is_default, 1);
	CHECK_STR(m->sandbox_folder, "C:\\Users\\WDAGUtilityAccount\\Desktop\\Downloads");
	CHECK_INT(m->sandbox_folder_is_default, 1);
	/* C:\Users\Public\Downloads is below a profile folder: not a root mapping */
	CHECK(find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, -2) == NULL);
	/* the logon command lies under the default desktop target */
	CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
	CHECK(find_risk(c, WSB_RISK_LOGON_SCRIPT, -1) == NULL);
	CHECK(contains(find_risk(c, WSB_RISK_NETWORKING_ON, -1)
			       ? find_risk(c, WSB_RISK_NETWORKING_ON, -1)->reason
			       : NULL,
		       "default, value Default"));
	wsb_config_free(c);
}

static void test_case_variants(void)
{
	char err[256];
	struct wsb_config *c = parse_path(DATA_DIR "case_variants.wsb", err, sizeof err);
	const struct wsb_risk *r;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(c->root_name, "configuration");
	CHECK_STR(c->settings[WSB_SETTING_VGPU].raw, "TRUE");
	CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_ON);
	CHECK_STR(c->settings[WSB_SETTING_NETWORKING].raw, "disabled");
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
	CHECK_INT(c->settings[WSB_SETTING_AUDIO_INPUT].effective, WSB_OFF);
	CHECK_INT(c->settings[WSB_SETTING_CLIPBOARD_REDIRECTION].effective, WSB_ON);
	CHECK_INT(c->settings[WSB_SETTING_CLIPBOARD_REDIRECTION].source, WSB_SOURCE_EXPLICIT);
	CHECK_INT(c->mapped_folder_count, 1);
	if (c->mapped_folder_count == 1) {
		CHECK_STR(c->mapped_folders[0].host_folder_raw, "c:/users/k.tanaka/");
		CHECK_INT(c->mapped_folders[0].read_only, WSB_OFF);
		CHECK_STR(c->mapped_folders[0].sandbox_folder,
			  "C:\\Users\\WDAGUtilityAccount\\Desktop\\k.tanaka");
	}
	/* forward slashes, trailing slash and lower case still name a profile folder */
	r = find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 0);
	CHECK(r != NULL && contains(r->reason, "a user profile folder"));
	/* matched case-insensitively against the default desktop target */
	CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
	r = find_risk(c, WSB_RISK_LOGON_SCRIPT, -1);
	CHECK(r != NULL && contains(r->reason, ".ps1"));
	CHECK(find_risk(c, WSB_RISK_NETWORKING_ON, -1) == NULL);
	CHECK(find_risk(c, WSB_RISK_VGPU_ON, -1) != NULL);
	wsb_config_free(c);
}

static void test_invalid_values_and_bad_host_folders(void)
{
	char err[256];
	struct wsb_config *c = parse_path(DATA_DIR "invalid_values.wsb", err, sizeof err);
	const struct wsb_risk *r;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_STR(c->settings[WSB_SETTING_NETWORKING].raw, "Maybe");
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_UNKNOWN);
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].source, WSB_SOURCE_INVALID);
	CHECK_INT(c->settings[WSB_SETTING_NETWORKING].is_default, 0);
	CHECK_STR(c->settings[WSB_SETTING_NETWORKING].effective_text, "unknown (raw Maybe)");
	CHECK(find_risk(c, WSB_RISK_NETWORKING_ON, -1) == NULL);
	CHECK_STR(c->memory_raw, "lots");
	CHECK_INT(c->memory_mb, -1);
	CHECK_STR(c->memory_text, "unknown (raw lots)");
	CHECK_INT(c->mapped_folder_count, 3);
	if (c->mapped_folder_count == 3) {
		CHECK_STR(c->mapped_folders[0].host_folder_raw, "C:\\");
		CHECK(c->mapped_folders[0].sandbox_folder == NULL); /* a drive root has no leaf */
		CHECK_INT(c->mapped_folders[0].read_only, WSB_UNKNOWN);
		CHECK_STR(c->mapped_folders[0].read_only_text, "unknown (raw perhaps)");
		CHECK_STR(c->mapped_folders[1].host_folder_raw, "");
		CHECK(c->mapped_folders[1].sandbox_folder == NULL);
		CHECK_INT(c->mapped_folders[2].read_only, WSB_ON);
	}
	r = find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 0);
	CHECK(r != NULL && contains(r->reason, "a drive root") && contains(r->reason, "possibly"));
	CHECK(find_risk(c, WSB_RISK_HOST_FOLDER_INVALID, 1) != NULL);
	r = find_risk(c, WSB_RISK_HOST_FOLDER_INVALID, 2);
	CHECK(r != NULL && contains(r->reason, "relative"));
	CHECK_INT(c->unknown_element_count, 1);
	if (c->unknown_element_count == 1)
		CHECK_STR(c->unknown_elements[0].name, "MappedFolder/Extra");
	wsb_config_free(c);
}

/* The bytes of TEXT (ASCII) as UTF-16LE with BOM. */
static char *to_utf16le(const char *text, size_t *size)
{
	size_t n = strlen(text);
	char *out = malloc(2 + 2 * n);

	if (!out)
		return NULL;
	out[0] = (char)0xFF;
	out[1] = (char)0xFE;
	for (size_t i = 0; i < n; i++) {
		out[2 + 2 * i] = text[i];
		out[3 + 2 * i] = 0;
	}
	*size = 2 + 2 * n;
	return out;
}

static void test_encodings(void)
{
	static const char body[] = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Configuration>"
				   "<Networking>Disable</Networking></Configuration>";
	char err[256];
	struct wsb_config *c = NULL;
	size_t size;
	char *utf16 = to_utf16le(body, &size);
	char *bom8;

	/* UTF-16LE with BOM and a truthful declaration: read as is */
	CHECK(utf16 && wsb_parse_memory(utf16, size, &c, err, sizeof err) == 0);
	if (c) {
		CHECK_INT(c->well_formed, 1);
		CHECK_INT(c->encoding_repaired, 0);
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		wsb_config_free(c);
		c = NULL;
	}
	/* UTF-16LE without BOM whose declaration says UTF-8 */
	free(utf16);
	utf16 = to_utf16le("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Configuration><vGPU>Enable"
			   "</vGPU></Configuration>",
			   &size);
	CHECK(utf16 && wsb_parse_memory(utf16 + 2, size - 2, &c, err, sizeof err) == 0);
	if (c) {
		CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_ON);
		wsb_config_free(c);
		c = NULL;
	}
	free(utf16);

	/* UTF-8 with BOM */
	bom8 = malloc(sizeof body + 3);
	if (bom8) {
		memcpy(bom8, "\xEF\xBB\xBF<Configuration><AudioInput>Disable</AudioInput></Configuration>",
		       3 + 63);
		CHECK(wsb_parse_memory(bom8, 3 + 63, &c, err, sizeof err) == 0);
		if (c) {
			CHECK_INT(c->settings[WSB_SETTING_AUDIO_INPUT].effective, WSB_OFF);
			CHECK_INT(c->well_formed, 1);
			wsb_config_free(c);
			c = NULL;
		}
		free(bom8);
	}

	/* UTF-8 text that declares UTF-16 (as a 4698 TaskContent does): still parses */
	c = parse_path(DATA_DIR "declared_utf16_is_utf8.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->encoding_repaired, 1);
		CHECK_INT(c->well_formed, 1);
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		CHECK_STR(c->logon_command,
			  "C:\\Users\\WDAGUtilityAccount\\Desktop\\\xC3\xA9t\xC3\xA9\\run.cmd");
		wsb_config_free(c);
	}
	/* Latin-1 bytes in a document declared UTF-8: the byte becomes U+FFFD, the rest survives */
	c = parse_path(DATA_DIR "latin1_declared_utf8.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->encoding_repaired, 1);
		CHECK_INT(c->mapped_folder_count, 1);
		if (c->mapped_folder_count == 1)
			CHECK_STR(c->mapped_folders[0].host_folder_raw, "C:\\Caf\xEF\xBF\xBD");
		wsb_config_free(c);
	}
}

static void test_hostile_and_broken_input(void)
{
	char err[256];
	struct wsb_config *c;
	char *big;

	/* billion laughs and external entities: refused before parsing, nothing expanded or read */
	c = parse_path(DATA_DIR "billion_laughs.wsb", err, sizeof err);
	CHECK(c == NULL);
	CHECK(contains(err, "entities"));
	wsb_config_free(c);
	c = parse_path(DATA_DIR "external_entity.wsb", err, sizeof err);
	CHECK(c == NULL);
	CHECK(contains(err, "entities"));
	wsb_config_free(c);
	/* a comment that only mentions an entity declaration does not make the file unreadable */
	c = parse_text("<Configuration><!-- <!ENTITY x \"y\"> --><vGPU>Enable</vGPU></Configuration>",
		       err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_ON);
		wsb_config_free(c);
	}
	/* an external DTD is never loaded; an undeclared entity reference stays empty */
	c = parse_path(DATA_DIR "external_dtd.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		CHECK(c->logon_command != NULL && !contains(c->logon_command, "root:"));
		CHECK_STR(c->logon_command, "");
		wsb_config_free(c);
	}

	/* truncated: recovered, marked not well formed, what was read is kept */
	c = parse_path(DATA_DIR "truncated.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->well_formed, 0);
		CHECK(c->parse_problem != NULL);
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		CHECK_INT(c->mapped_folder_count, 1);
		if (c->mapped_folder_count == 1)
			CHECK_STR(c->mapped_folders[0].host_folder_raw, "C:\\Windows");
		CHECK(find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 0) != NULL);
		wsb_config_free(c);
	}
	/* the MS CLI page's sample: lowercase root, Disabled, no closing tag (§5.1) */
	c = parse_text("<configuration><Networking>Disabled</Networking>", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->well_formed, 0);
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		wsb_config_free(c);
	}

	c = parse_path(DATA_DIR "junk.wsb", err, sizeof err);
	CHECK(c == NULL);
	CHECK(contains(err, "not XML") || contains(err, "root"));
	wsb_config_free(c);
	c = parse_text("<Task><Actions/></Task>", err, sizeof err);
	CHECK(c == NULL);
	CHECK(contains(err, "not <Configuration>"));
	c = parse_text("", err, sizeof err);
	CHECK(c == NULL);
	CHECK(contains(err, "empty"));

	/* over the size limit: refused with a clear message, not parsed */
	big = malloc(WSB_MAX_INPUT_SIZE + 2);
	if (big) {
		memset(big, ' ', WSB_MAX_INPUT_SIZE + 1);
		memcpy(big, "<Configuration>", 15);
		memcpy(big + WSB_MAX_INPUT_SIZE + 1 - 16, "</Configuration>", 16);
		big[WSB_MAX_INPUT_SIZE + 1] = '\0';
		c = parse_text(big, err, sizeof err);
		CHECK(c == NULL);
		CHECK(contains(err, "limit"));
		/* one byte less is accepted */
		memcpy(big + WSB_MAX_INPUT_SIZE - 16, "</Configuration>", 16);
		big[WSB_MAX_INPUT_SIZE] = '\0';
		c = parse_text(big, err, sizeof err);
		CHECK(c != NULL);
		wsb_config_free(c);
		free(big);
	}
	CHECK(wsb_parse_memory("<Configuration/>", 16, NULL, err, sizeof err) == -1);
}

static void test_command_lines(void)
{
	static const struct {
		const char *line;
		const char *path;
		const char *inline_config;
	} cases[] = {
		{"\"C:\\Windows\\System32\\WindowsSandbox.exe\" C:\\Windows\\System32\\MaintenanceSync.wsb",
		 "C:\\Windows\\System32\\MaintenanceSync.wsb", NULL},
		{"windowssandbox.EXE \"C:\\Users\\k t\\My Box.wsb\"", "C:\\Users\\k t\\My Box.wsb", NULL},
		{"\"C:\\Windows\\System32\\WindowsSandbox.exe\"", NULL, NULL},
		{"wsb.exe start --config \"<Configuration><Networking>Disable</Networking>"
		 "</Configuration>\"",
		 NULL, "<Configuration><Networking>Disable</Networking></Configuration>"},
		{"wsb start -c \"<configuration><Networking>Disabled</Networking>\"", NULL,
		 "<configuration><Networking>Disabled</Networking>"},
		{"C:\\Users\\u\\AppData\\Local\\Microsoft\\WindowsApps\\wsb.exe start --config "
		 "D:\\cfg\\x.wsb",
		 "D:\\cfg\\x.wsb", NULL},
		{"wsb start \xE2\x80\x93-config=E:\\a.WSB --id 1", "E:\\a.WSB", NULL},
		{"cmd.exe /c start \"\" \"C:\\ProgramData\\Sync\\sync.wsb\"",
		 "C:\\ProgramData\\Sync\\sync.wsb", NULL},
		{"cmd /c \"start C:\\ProgramData\\x y\\run.wsb\"", "C:\\ProgramData\\x y\\run.wsb", NULL},
		{"explorer.exe C:\\Users\\Public\\box.wsb", "C:\\Users\\Public\\box.wsb", NULL},
		{"notepad.exe C:\\x.wsbx", NULL, NULL},
		{"wsb exec --id 1 -c \"cmd /c whoami\" -r System", NULL, NULL},
		{"", NULL, NULL},
	};
	char *path, *config;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_INT(wsb_find_in_command_line(cases[i].line, &path, &config), 0);
		if (cases[i].path)
			CHECK_STR(path, cases[i].path);
		else if (path)
			CHECK_STR(path, "(expected none)");
		if (cases[i].inline_config)
			CHECK_STR(config, cases[i].inline_config);
		else if (config)
			CHECK_STR(config, "(expected none)");
		free(path);
		free(config);
	}
	CHECK_INT(wsb_find_in_command_line(NULL, &path, &config), -1);
	/* either output may be skipped */
	CHECK_INT(wsb_find_in_command_line("WindowsSandbox.exe a.wsb", NULL, &config), 0);
	CHECK(config == NULL);
}

/* The bundled case (testdata/case): the scenario's malicious and benign configurations. */
static void test_bundled_case(void)
{
	char err[256];
	struct wsb_config *c =
		parse_path(CASE_DIR "C/Windows/System32/MaintenanceSync.wsb", err, sizeof err);
	const struct wsb_risk *r;

	CHECK(c != NULL);
	if (c) {
		CHECK_STR(c->settings[WSB_SETTING_VGPU].raw, "Disable"); /* spelled <VGpu> */
		CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_OFF);
		CHECK_STR(c->settings[WSB_SETTING_NETWORKING].raw, "Enable");
		CHECK_INT(c->memory_mb, 2048);
		CHECK_STR(c->logon_command, "C:\\HostUsers\\Public\\Downloads\\run.bat");
		CHECK_INT(c->mapped_folder_count, 1);
		if (c->mapped_folder_count == 1) {
			CHECK_STR(c->mapped_folders[0].host_folder_raw, "C:\\Users");
			CHECK_STR(c->mapped_folders[0].sandbox_folder, "C:\\HostUsers");
			CHECK_INT(c->mapped_folders[0].read_only, WSB_OFF);
		}
		r = find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, 0);
		CHECK(r != NULL && contains(r->reason, "C:\\Users"));
		CHECK(find_risk(c, WSB_RISK_NETWORKING_ON, -1) != NULL);
		CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
		CHECK(find_risk(c, WSB_RISK_LOGON_SCRIPT, -1) != NULL);
		CHECK(find_risk(c, WSB_RISK_VGPU_ON, -1) == NULL);
		CHECK_INT(c->unknown_element_count, 0);
		wsb_config_free(c);
	}
	c = parse_path(CASE_DIR "C/Users/k.tanaka/Documents/Sandbox/DownloadsReadOnly.wsb", err,
		       sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_OFF);
		CHECK_INT(c->mapped_folder_count, 1);
		if (c->mapped_folder_count == 1)
			CHECK_INT(c->mapped_folders[0].read_only, WSB_ON);
		/* explorer.exe opens the mapped Downloads folder: linked to the share, nothing else */
		CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
		CHECK_INT(c->risk_count, 1);
		wsb_config_free(c);
	}
}

/* The real corpus (../shared/corpus/wsb), when present. */
static void test_corpus(void)
{
	char err[256];
	struct wsb_config *c;
	size_t size;
	char *probe = check_read_file(CORPUS_DIR "mlocati_good_01.wsb", &size);

	if (!probe) {
		printf("test_wsb: corpus %s absent, its checks skipped\n", CORPUS_DIR);
		return;
	}
	free(probe);

	c = parse_path(CORPUS_DIR "mlocati_good_01.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->settings[WSB_SETTING_VGPU].effective, WSB_ON);
		CHECK_INT(c->settings[WSB_SETTING_NETWORKING].effective, WSB_ON);
		CHECK_INT(c->settings[WSB_SETTING_AUDIO_INPUT].effective, WSB_ON);
		CHECK_INT(c->settings[WSB_SETTING_VIDEO_INPUT].effective, WSB_OFF);
		CHECK_INT(c->settings[WSB_SETTING_PROTECTED_CLIENT].effective, WSB_ON);
		CHECK_INT(c->settings[WSB_SETTING_PRINTER_REDIRECTION].effective, WSB_ON);
		CHECK_INT(c->settings[WSB_SETTING_CLIPBOARD_REDIRECTION].effective, WSB_OFF);
		CHECK_INT(c->memory_mb, 1234);
		CHECK_STR(c->logon_command, "command to be invoked");
		CHECK_INT(c->mapped_folder_count, 3);
		if (c->mapped_folder_count == 3) {
			CHECK_INT(c->mapped_folders[0].read_only, WSB_OFF);
			CHECK_INT(c->mapped_folders[0].read_only_is_default, 1);
			CHECK_STR(c->mapped_folders[0].sandbox_folder,
				  "C:\\Users\\WDAGUtilityAccount\\Desktop\\Path1");
			CHECK_INT(c->mapped_folders[1].read_only, WSB_ON);
			CHECK_STR(c->mapped_folders[2].sandbox_folder, "G:\\Guest\\Path3");
		}
		CHECK_INT(c->unknown_element_count, 0);
		wsb_config_free(c);
	}
	c = parse_path(CORPUS_DIR "mlocati_bad_01.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_STR(c->settings[WSB_SETTING_VGPU].raw, "Foo");
		CHECK_STR(c->settings[WSB_SETTING_VGPU].effective_text, "unknown (raw Foo)");
		wsb_config_free(c);
	}
	c = parse_path(CORPUS_DIR "mlocati_bad_03.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->mapped_folder_count, 1);
		CHECK(find_risk(c, WSB_RISK_HOST_FOLDER_INVALID, 0) != NULL);
		wsb_config_free(c);
	}
	c = parse_path(CORPUS_DIR "ElectronicElephant_Sandbox.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->mapped_folder_count, 3);
		if (c->mapped_folder_count == 3) {
			CHECK_STR(c->mapped_folders[0].sandbox_folder,
				  "C:\\Users\\WDAGUtilityAccount\\Desktop\\SandboxScripts");
			CHECK_INT(c->mapped_folders[2].read_only, WSB_OFF);
		}
		/* the command's lower-case desktop path matches folder 1's default target */
		CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
		CHECK(find_risk(c, WSB_RISK_LOGON_SCRIPT, -1) != NULL);
		CHECK(find_risk(c, WSB_RISK_WRITABLE_ROOT_MAPPING, -2) == NULL);
		wsb_config_free(c);
	}
	c = parse_path(CORPUS_DIR "kyhwana_ghidra2.wsb", err, sizeof err);
	CHECK(c != NULL);
	if (c) {
		CHECK(find_risk(c, WSB_RISK_LOGON_IN_MAPPED_FOLDER, 0) != NULL);
		CHECK_INT(c->mapped_folders[0].read_only, WSB_ON);
		wsb_config_free(c);
	}
	c = parse_path(CORPUS_DIR "kyhwana_splunkforwarder.wsb", err, sizeof err);
	CHECK(c != NULL);
	wsb_config_free(c);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	test_every_element_explicit();
	test_absent_elements_take_documented_defaults();
	test_default_word_and_empty_values();
	test_case_variants();
	test_invalid_values_and_bad_host_folders();
	test_encodings();
	test_hostile_and_broken_input();
	test_command_lines();
	test_bundled_case();
	test_corpus();
	return check_done("test_wsb");
}
