/*
 * facts.c - host facts from registry values: CBS states and the sandbox feature (METHOD.md
 * §2.1), sandbox policy (§2.2), service Start (§2.3), PolAdtEv (§3.1), command-line inclusion
 * (§3.2) and audit coverage (§3.3).
 *
 * Every decision is a row of a table below that names its §; code only walks the tables. Where
 * METHOD.md calls a fact unconfirmed or derived, the text handed to the examiner says so.
 */
#include "correlate/facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

static uint16_t read_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t read_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- §2.1 CBS state codes ---------------------------------------------------------------- */

struct cbs_state_row {
	int32_t code;
	const char *name;
};

/* METHOD.md §2.1, "CBS state codes as stored in the registry" ([ms-cbs-chart], [cbsapi-enum]).
 * The negative "…but broken" rows are named after their positive counterpart (the chart's
 * CbsInvalidState* family); −16…−19 are API-only and §2.1 does not pair each number with a name,
 * so they are named as a group. */
static const struct cbs_state_row CBS_STATES[] = {
	{0x00, "Absent"},
	{0x05, "Uninstall Pending"},
	{0x10, "Resolving"},
	{0x20, "Resolved"},
	{0x30, "Staging"},
	{0x40, "Staged"},
	{0x50, "0x50 superseded-or-uninstall-requested (ambiguous: MS chart Superseded, CBS API "
	       "enum UninstallRequested)"},
	{0x60, "Install Pending"},
	{0x65, "Partially Installed"},
	{0x70, "Installed"},
	{0x80, "Permanent"},
	{-128, "Permanent, but broken (CbsInvalidState)"},
	{-112, "Installed, but broken (CbsInvalidState)"},
	{-64, "Staged, but broken (CbsInvalidState)"},
	{-32, "Resolved, but broken (CbsInvalidState)"},
	{-16, "API-only value (Default/Superseded/Cancel/PartiallyInstalled, -16..-19)"},
	{-17, "API-only value (Default/Superseded/Cancel/PartiallyInstalled, -16..-19)"},
	{-18, "API-only value (Default/Superseded/Cancel/PartiallyInstalled, -16..-19)"},
	{-19, "API-only value (Default/Superseded/Cancel/PartiallyInstalled, -16..-19)"},
};

/* A REG_DWORD read as unsigned (0xFFFFFF80) and the same number sign-extended (-128) are one code. */
static int cbs_normalise(int64_t code, int32_t *out)
{
	if (code >= INT32_MIN && code <= INT32_MAX) {
		*out = (int32_t)code;
		return 0;
	}
	if (code > INT32_MAX && code <= (int64_t)UINT32_MAX) {
		*out = (int32_t)(uint32_t)code;
		return 0;
	}
	return -1;
}

const char *facts_cbs_state_name(int64_t code)
{
	int32_t normal;

	if (cbs_normalise(code, &normal) == 0)
		for (size_t i = 0; i < COUNT_OF(CBS_STATES); i++)
			if (CBS_STATES[i].code == normal)
				return CBS_STATES[i].name;
	return "unknown CBS state code";
}

/* ---- §2.1 feature state ------------------------------------------------------------------ */

/* Classes of what was found; a mapping row matches a set of classes (bit mask). */
enum {
	STATE_NONE = 1 << 0,              /* no update state, no package CurrentState */
	STATE_INSTALLED = 1 << 1,         /* 0x70, 0x80 */
	STATE_INSTALL_PENDING = 1 << 2,   /* 0x60 */
	STATE_OFF = 1 << 3,               /* 0x00, 0x40 */
	STATE_UNINSTALL_PENDING = 1 << 4, /* 0x05, 0x50 */
	STATE_TRANSITIONAL = 1 << 5,      /* other codes below 0x70: 0x10, 0x20, 0x30, 0x65 */
	STATE_OTHER = 1 << 6,             /* negative ("broken") or unlisted */
	STATE_ANY = 0x7f,
	STATE_BELOW_INSTALLED = STATE_OFF | STATE_UNINSTALL_PENDING | STATE_TRANSITIONAL,
};
enum { SEL_ABSENT = 1, SEL_0 = 2, SEL_1 = 4, SEL_OTHER = 8, SEL_ANY = 15 };
enum { REM_NOT = 1, REM_1 = 2, REM_OTHER = 4, REM_ANY = 7 }; /* REM_NOT: absent or 0 */

struct feature_row {
	int removed, state, selection; /* masks */
	enum facts_feature_state result;
	const char *rule;              /* the §2.1 row (or why no row applies) */
	const char *sources;
};

/* METHOD.md §2.1, "How sandtrace should map the hive" (an inference there, unconfirmed on a
 * real 24H2 hive). First matching row wins. Rows marked "not a §2.1 row" are combinations the
 * table does not cover: sandtrace reports them as unknown instead of guessing. */
static const struct feature_row FEATURE_ROWS[] = {
	{REM_OTHER, STATE_ANY, SEL_ANY, FACTS_FEATURE_UNKNOWN,
	 "Removed holds a value other than 0 or 1 (not a §2.1 row)", "[recall-removed]"},
	{REM_ANY, STATE_ANY, SEL_OTHER, FACTS_FEATURE_UNKNOWN,
	 "Selection holds a value other than 0 or 1 (not a §2.1 row)", "[winhance-sel]"},
	{REM_1, STATE_INSTALLED, SEL_ANY, FACTS_FEATURE_UNKNOWN,
	 "contradiction: Removed=1 but the CBS state is installed (not a §2.1 row)",
	 "[ms-cbs-chart], [recall-removed]"},
	{REM_1, STATE_ANY, SEL_1, FACTS_FEATURE_UNKNOWN,
	 "contradiction: Removed=1 but Selection=1 (not a §2.1 row)",
	 "[winhance-sel], [recall-removed]"},
	{REM_1, STATE_ANY, SEL_ANY, FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED,
	 "row 'Removed=1': disabled, payload removed", "[recall-removed]"},
	{REM_NOT, STATE_INSTALLED, SEL_1, FACTS_FEATURE_ENABLED,
	 "row 'state 0x70 or 0x80, Selection=1': enabled", "[ms-cbs-chart], [winhance-sel]"},
	{REM_NOT, STATE_INSTALLED, SEL_ABSENT, FACTS_FEATURE_ENABLED,
	 "row 'state 0x70 or 0x80, Selection=1' read on the CBS state alone (no Selection value)",
	 "[ms-cbs-chart]"},
	{REM_NOT, STATE_INSTALLED, SEL_0, FACTS_FEATURE_UNKNOWN,
	 "installed CBS state but Selection=0 (not a §2.1 row; perhaps a disable awaiting reboot)",
	 "[ms-cbs-chart], [winhance-sel]"},
	{REM_NOT, STATE_INSTALL_PENDING, SEL_1 | SEL_ABSENT, FACTS_FEATURE_ENABLED_PENDING_REBOOT,
	 "row '0x60 (install pending) and/or Selection=1 while state < 0x70': enabled, pending reboot",
	 "[ms-cbs-chart]"},
	{REM_NOT, STATE_INSTALL_PENDING, SEL_0, FACTS_FEATURE_UNKNOWN,
	 "install pending but Selection=0 (not a §2.1 row)", "[ms-cbs-chart], [winhance-sel]"},
	{REM_NOT, STATE_BELOW_INSTALLED, SEL_1, FACTS_FEATURE_ENABLED_PENDING_REBOOT,
	 "row '0x60 (install pending) and/or Selection=1 while state < 0x70': enabled, pending reboot",
	 "[ms-cbs-chart], [winhance-sel]"},
	{REM_NOT, STATE_OFF, SEL_0 | SEL_ABSENT, FACTS_FEATURE_DISABLED,
	 "row '0x40 / 0x00 and Selection=0': disabled", "[ms-cbs-chart]"},
	{REM_NOT, STATE_UNINSTALL_PENDING, SEL_0 | SEL_ABSENT, FACTS_FEATURE_DISABLE_PENDING_REBOOT,
	 "row '0x05 or 0x50 while Selection=0': disable pending reboot (0x50 is ambiguous)",
	 "[ms-cbs-chart]"},
	{REM_NOT, STATE_TRANSITIONAL, SEL_0 | SEL_ABSENT, FACTS_FEATURE_UNKNOWN,
	 "transitional CBS state without Selection=1 (not a §2.1 row)", "[ms-cbs-chart]"},
	{REM_NOT, STATE_OTHER, SEL_ANY, FACTS_FEATURE_UNKNOWN,
	 "broken or unlisted CBS state (not a §2.1 row)", "[ms-cbs-chart]"},
	{REM_NOT, STATE_NONE, SEL_ANY, FACTS_FEATURE_UNKNOWN,
	 "keys present but no CBS state for the package or its update: §2.1 needs the state",
	 "[ms-cbs-chart]"},
};

static int feature_state_class(struct facts_dword state)
{
	if (!state.present)
		return STATE_NONE;
	switch (state.value) {
	case 0x70: case 0x80: return STATE_INSTALLED;
	case 0x60: return STATE_INSTALL_PENDING;
	case 0x00: case 0x40: return STATE_OFF;
	case 0x05: case 0x50: return STATE_UNINSTALL_PENDING;
	case 0x10: case 0x20: case 0x30: case 0x65: return STATE_TRANSITIONAL;
	default: return STATE_OTHER;
	}
}

static int selection_class(struct facts_dword selection)
{
	if (!selection.present)
		return SEL_ABSENT;
	return selection.value == 0 ? SEL_0 : selection.value == 1 ? SEL_1 : SEL_OTHER;
}

static int removed_class(struct facts_dword removed)
{
	if (!removed.present || removed.value == 0)
		return REM_NOT;
	return removed.value == 1 ? REM_1 : REM_OTHER;
}

static void describe_dword(char *out, size_t size, struct facts_dword value)
{
	if (value.present)
		snprintf(out, size, "%lu", (unsigned long)value.value);
	else
		snprintf(out, size, "absent");
}

const char *facts_feature_state_name(enum facts_feature_state state)
{
	switch (state) {
	case FACTS_FEATURE_ABSENT: return "absent";
	case FACTS_FEATURE_DISABLED: return "disabled";
	case FACTS_FEATURE_ENABLED: return "enabled";
	case FACTS_FEATURE_ENABLED_PENDING_REBOOT: return "enabled, pending reboot";
	case FACTS_FEATURE_DISABLE_PENDING_REBOOT: return "disable pending reboot";
	case FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED: return "disabled, payload removed";
	case FACTS_FEATURE_UNKNOWN: break;
	}
	return "unknown";
}

int facts_decide_feature_state(const struct facts_feature_input *input,
			       struct facts_feature_result *result)
{
	char selection[16], removed[16];
	const char *state_source = "none";
	int state_class, sel, rem;

	if (!input || !result)
		return -1;
	memset(result, 0, sizeof *result);
	result->state = FACTS_FEATURE_UNKNOWN;
	if (input->update_state.present) {
		result->cbs_state = input->update_state;
		state_source = "Updates\\Containers-DisposableClientVM";
	} else if (input->package_current_state.present) {
		result->cbs_state = input->package_current_state;
		state_source = "package CurrentState";
	}

	/* §2.1 last row: nothing at all means the image does not know the feature. */
	if (!input->selection_key_present && !input->package_key_present &&
	    !input->selection.present && !input->removed.present &&
	    !input->package_current_state.present && !input->update_state.present) {
		result->state = FACTS_FEATURE_ABSENT;
		snprintf(result->basis, sizeof result->basis,
			 "No OptionalFeatures\\Containers-DisposableClientVM key and no CBS package "
			 "key: feature unknown to this image (Home edition or stripped image), "
			 "recorded as absent, not disabled (METHOD.md §2.1, inference).");
		return 0;
	}

	state_class = feature_state_class(result->cbs_state);
	sel = selection_class(input->selection);
	rem = removed_class(input->removed);
	describe_dword(selection, sizeof selection, input->selection);
	describe_dword(removed, sizeof removed, input->removed);
	for (size_t i = 0; i < COUNT_OF(FEATURE_ROWS); i++) {
		const struct feature_row *row = &FEATURE_ROWS[i];
		if (!(row->removed & rem) || !(row->state & state_class) || !(row->selection & sel))
			continue;
		result->state = row->result;
		if (result->cbs_state.present)
			snprintf(result->basis, sizeof result->basis,
				 "%s. Found: Selection=%s, Removed=%s, CBS state 0x%lx %s (%s). "
				 "Sources: %s; METHOD.md §2.1 mapping (unconfirmed on a real "
				 "24H2 hive).",
				 row->rule, selection, removed,
				 (unsigned long)result->cbs_state.value,
				 facts_cbs_state_name(result->cbs_state.value), state_source,
				 row->sources);
		else
			snprintf(result->basis, sizeof result->basis,
				 "%s. Found: Selection=%s, Removed=%s, no CBS state. Sources: %s; "
				 "METHOD.md §2.1 mapping (unconfirmed on a real 24H2 hive).",
				 row->rule, selection, removed, row->sources);
		return 0;
	}
	/* Unreachable while the table covers every class; kept so a gap shows as "unknown". */
	snprintf(result->basis, sizeof result->basis, "no §2.1 row matched");
	return 0;
}

/* ---- §2.2 sandbox policy ----------------------------------------------------------------- */

struct policy_row {
	const char *name, *when_enabled, *when_disabled, *when_not_configured, *applies_from, *note;
};

#define WIN10_NOTE "Windows 10 applicability not listed by MS: support on this build unknown"

/* METHOD.md §2.2 ([ms-csp-wsb]); effective setting = policy AND the .wsb request. */
static const struct policy_row POLICY_ROWS[FACTS_SANDBOX_POLICY_COUNT] = {
	{"AllowAudioInput", "sandbox may receive microphone input", "no audio input",
	 "enabled", "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowClipboardRedirection", "copy/paste host<->sandbox permitted", "restricted",
	 "enabled", "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowNetworking", "vSwitch on host + vNIC in sandbox", "networking off", "enabled",
	 "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowPrinterRedirection", "host printers shared in", "not shared",
	 "disabled (yet the CSP lists Default Value = 1: conflict in the MS page)",
	 "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowVGPU", "vGPU supported", "WARP software rendering", "enabled",
	 "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowVideoInput", "webcam shared in", "no video",
	 "disabled (yet the CSP lists Default Value = 1: conflict in the MS page)",
	 "Win 11 21H2 (22000)", WIN10_NOTE},
	{"AllowMappedFolders", "host folders may be mapped", "no mapping at all", "enabled",
	 "Win 11 24H2 (26100)", ""},
	{"AllowWriteToMappedFolders", "mapped folders may be writable",
	 "mapped folders forced read-only", "enabled",
	 "Win 11 24H2 (26100)", "only meaningful when AllowMappedFolders = 1 (CSP dependency)"},
};

const char *facts_sandbox_policy_name(size_t index)
{
	return index < FACTS_SANDBOX_POLICY_COUNT ? POLICY_ROWS[index].name : NULL;
}

int facts_decode_sandbox_policy(const char *value_name, struct facts_dword found,
				struct facts_policy_setting *out)
{
	const struct policy_row *row = NULL;

	if (!value_name || !out)
		return -1;
	for (size_t i = 0; i < FACTS_SANDBOX_POLICY_COUNT; i++)
		if (strcasecmp(POLICY_ROWS[i].name, value_name) == 0)
			row = &POLICY_ROWS[i];
	if (!row)
		return -1;
	out->value_name = row->name;
	out->raw = found.present ? found.value : 0;
	out->when_not_configured = row->when_not_configured;
	out->applies_from = row->applies_from;
	out->note = row->note;
	if (!found.present) {
		out->state = FACTS_POLICY_NOT_CONFIGURED;
		out->effect = row->when_not_configured;
	} else if (found.value == 0) {
		out->state = FACTS_POLICY_DISABLED;
		out->effect = row->when_disabled;
	} else if (found.value == 1) {
		out->state = FACTS_POLICY_ENABLED;
		out->effect = row->when_enabled;
	} else {
		out->state = FACTS_POLICY_OUT_OF_RANGE;
		out->effect = "value outside the allowed range 0-1: effect unknown";
	}
	return 0;
}

/* ---- §2.3 service Start ------------------------------------------------------------------ */

/* METHOD.md §2.3 ([winreg-kb-svc]). */
static const char *const SERVICE_START[] = {"Boot", "System", "Automatic", "On demand",
					    "Disabled"};

const char *facts_service_start_name(int64_t start)
{
	if (start >= 0 && start < (int64_t)COUNT_OF(SERVICE_START))
		return SERVICE_START[start];
	return "unknown Start value";
}

/* ---- §2.5 Host identity and history ------------------------------------------------------ */

void facts_utc_offset_text(int32_t bias_minutes, char *out, size_t out_size)
{
	/* local = UTC - bias, so the offset of local time is -bias. */
	int64_t offset = -(int64_t)bias_minutes;
	int64_t magnitude = offset < 0 ? -offset : offset;

	snprintf(out, out_size, "UTC%c%02lld:%02lld", offset < 0 ? '-' : '+',
		 (long long)(magnitude / 60), (long long)(magnitude % 60));
}

int facts_filetime_plausible(uint64_t filetime)
{
	/* 1990-01-01T00:00:00Z and 2100-01-01T00:00:00Z as FILETIMEs. */
	return filetime >= 121670208000000000ull && filetime < 157766880000000000ull;
}

uint64_t facts_filetime_at(const uint8_t *data, size_t size)
{
	uint64_t value = 0;

	if (!data || size < 8)
		return 0;
	for (int i = 7; i >= 0; i--)
		value = value << 8 | data[i];
	return value;
}

/* §2.5: the executables whose BAM entries are evidence of Windows Sandbox use. A row matches when
 * the value name's last path component equals the name (any case); the packaged sandbox of
 * Windows 11 24H2 is named by its package family name instead of a path. */
static const struct {
	const char *name;
	int is_package; /* match the start of the last component (package family name) */
} SANDBOX_EXECUTABLES[] = {
	{"WindowsSandbox.exe", 0},
	{"WindowsSandboxClient.exe", 0},
	{"WindowsSandboxServer.exe", 0},
	{"WindowsSandboxRemoteSession.exe", 0},
	{"wsb.exe", 0},
	{"MicrosoftWindows.WindowsSandbox_", 1},
};

int facts_bam_sandbox_executable(const char *value_name, const char **what)
{
	const char *last;

	if (!value_name)
		return 0;
	last = strrchr(value_name, '\\');
	last = last ? last + 1 : value_name;
	for (size_t i = 0; i < COUNT_OF(SANDBOX_EXECUTABLES); i++) {
		const char *name = SANDBOX_EXECUTABLES[i].name;
		if (SANDBOX_EXECUTABLES[i].is_package ? strncasecmp(last, name, strlen(name)) == 0
						       : strcasecmp(last, name) == 0) {
			*what = name;
			return 1;
		}
	}
	return 0;
}

/* ---- §3.1 PolAdtEv ----------------------------------------------------------------------- */

/* Layouts in the order Windows added subcategories; a subcategory row names the first layout
 * that has it (§3.1 "Older layouts drop the entries marked as later additions"). */
enum layout_id { L_VISTA, L_WIN7, L_WIN8, L_WIN81, L_WIN10, L_WIN10_1607, L_B26200, L_COUNT };

struct layout_row {
	const char *name;
	uint32_t length;        /* bytes of the whole value */
	uint32_t counts_offset; /* u32 @8 */
	int regripper_length;   /* RegRipper selects this layout by length (step 2 fallback) */
	uint16_t counts[FACTS_AUDIT_CATEGORIES];
	const char *status;
};

/* METHOD.md §3.1 layouts table. Invariant (checked by the unit test): offset = 0x0C + 2N + 2
 * and length = offset + 2*9, N = sum of counts = the subcategory rows present in that layout. */
static const struct layout_row LAYOUTS[L_COUNT] = {
	[L_VISTA] = {"Vista / 2008", 0x88, 0x76, 0, {5, 9, 11, 3, 4, 6, 6, 4, 4},
		     "derived, unconfirmed (from Volatility offsets)"},
	[L_WIN7] = {"7 / 2008 R2", 0x8A, 0x78, 1, {5, 9, 12, 3, 4, 6, 6, 4, 4},
		    "confirmed (RegRipper + Volatility)"},
	[L_WIN8] = {"8 / 2012", 0x90, 0x7E, 1, {5, 10, 14, 3, 4, 6, 6, 4, 4}, "RegRipper"},
	[L_WIN81] = {"2012 R2", 0x92, 0x80, 1, {5, 10, 14, 3, 5, 6, 6, 4, 4}, "RegRipper"},
	[L_WIN10] = {"10 before 1607", 0x94, 0x82, 1, {5, 11, 14, 3, 5, 6, 6, 4, 4},
		     "RegRipper (ordering caveat for Special Logon / Other Object Access)"},
	[L_WIN10_1607] = {"10 1607+, 11 <= 23H2, 2016/2019/2022", 0x96, 0x84, 1,
			  {5, 11, 14, 3, 6, 6, 6, 4, 4}, "RegRipper + DLEAPP"},
	[L_B26200] = {"11 build 26200", 0x98, 0x86, 0, {5, 12, 14, 3, 6, 6, 6, 4, 4},
		      "single source (DLEAPP measurement); length and offset derived; position of "
		      "Access Rights inside Logon/Logoff derived"},
};

static const char *const CATEGORIES[FACTS_AUDIT_CATEGORIES] = {
	"System", "Logon/Logoff", "Object Access", "Privilege Use", "Detailed Tracking",
	"Policy Change", "Account Management", "DS Access", "Account Logon"};

struct subcategory_row {
	int category;
	const char *name;
	const char *guid;
	enum layout_id first; /* first layout that has it */
};

#define G(hex) "{" hex "-69AE-11D9-BED3-505054503030}"

/* METHOD.md §3.1 "Full order for the 59-entry layout" plus Access Rights (b26200, placed last
 * in Logon/Logoff: the offsets table keeps every other Logon/Logoff entry where it was). GUIDs:
 * §3.1 GUIDs ([dleapp-audit], [sdk-guid]: ntsecapi.h Audit_* constants). */
static const struct subcategory_row SUBCATEGORIES[] = {
	{0, "Security State Change", G("0CCE9210"), L_VISTA},
	{0, "Security System Extension", G("0CCE9211"), L_VISTA},
	{0, "System Integrity", G("0CCE9212"), L_VISTA},
	{0, "IPsec Driver", G("0CCE9213"), L_VISTA},
	{0, "Other System Events", G("0CCE9214"), L_VISTA},
	{1, "Logon", G("0CCE9215"), L_VISTA},
	{1, "Logoff", G("0CCE9216"), L_VISTA},
	{1, "Account Lockout", G("0CCE9217"), L_VISTA},
	{1, "IPsec Main Mode", G("0CCE9218"), L_VISTA},
	{1, "Special Logon", G("0CCE921B"), L_VISTA},
	{1, "IPsec Quick Mode", G("0CCE9219"), L_VISTA},
	{1, "IPsec Extended Mode", G("0CCE921A"), L_VISTA},
	{1, "Other Logon/Logoff Events", G("0CCE921C"), L_VISTA},
	{1, "Network Policy Server", G("0CCE9243"), L_VISTA},
	{1, "User / Device Claims", G("0CCE9247"), L_WIN8},
	{1, "Group Membership", G("0CCE9249"), L_WIN10},
	{1, "Access Rights", G("0CCE924B"), L_B26200},
	{2, "File System", G("0CCE921D"), L_VISTA},
	{2, "Registry", G("0CCE921E"), L_VISTA},
	{2, "Kernel Object", G("0CCE921F"), L_VISTA},
	{2, "SAM", G("0CCE9220"), L_VISTA},
	{2, "Other Object Access Events", G("0CCE9227"), L_VISTA},
	{2, "Certification Services", G("0CCE9221"), L_VISTA},
	{2, "Application Generated", G("0CCE9222"), L_VISTA},
	{2, "Handle Manipulation", G("0CCE9223"), L_VISTA},
	{2, "File Share", G("0CCE9224"), L_VISTA},
	{2, "Filtering Platform Packet Drop", G("0CCE9225"), L_VISTA},
	{2, "Filtering Platform Connection", G("0CCE9226"), L_VISTA},
	{2, "Detailed File Share", G("0CCE9244"), L_WIN7},
	{2, "Removable Storage", G("0CCE9245"), L_WIN8},
	{2, "Central Policy Staging", G("0CCE9246"), L_WIN8},
	{3, "Sensitive Privilege Use", G("0CCE9228"), L_VISTA},
	{3, "Non Sensitive Privilege Use", G("0CCE9229"), L_VISTA},
	{3, "Other Privilege Use Events", G("0CCE922A"), L_VISTA},
	{4, "Process Creation", G("0CCE922B"), L_VISTA},
	{4, "Process Termination", G("0CCE922C"), L_VISTA},
	{4, "DPAPI Activity", G("0CCE922D"), L_VISTA},
	{4, "RPC Events", G("0CCE922E"), L_VISTA},
	{4, "Plug and Play Events", G("0CCE9248"), L_WIN81},
	{4, "Token Right Adjusted Events", G("0CCE924A"), L_WIN10_1607},
	{5, "Audit Policy Change", G("0CCE922F"), L_VISTA},
	{5, "Authentication Policy Change", G("0CCE9230"), L_VISTA},
	{5, "Authorization Policy Change", G("0CCE9231"), L_VISTA},
	{5, "MPSSVC Rule-Level Policy Change", G("0CCE9232"), L_VISTA},
	{5, "Filtering Platform Policy Change", G("0CCE9233"), L_VISTA},
	{5, "Other Policy Change Events", G("0CCE9234"), L_VISTA},
	{6, "User Account Management", G("0CCE9235"), L_VISTA},
	{6, "Computer Account Management", G("0CCE9236"), L_VISTA},
	{6, "Security Group Management", G("0CCE9237"), L_VISTA},
	{6, "Distribution Group Management", G("0CCE9238"), L_VISTA},
	{6, "Application Group Management", G("0CCE9239"), L_VISTA},
	{6, "Other Account Management Events", G("0CCE923A"), L_VISTA},
	{7, "Directory Service Access", G("0CCE923B"), L_VISTA},
	{7, "Directory Service Changes", G("0CCE923C"), L_VISTA},
	{7, "Directory Service Replication", G("0CCE923D"), L_VISTA},
	{7, "Detailed Directory Service Replication", G("0CCE923E"), L_VISTA},
	{8, "Credential Validation", G("0CCE923F"), L_VISTA},
	{8, "Kerberos Service Ticket Operations", G("0CCE9240"), L_VISTA},
	{8, "Other Account Logon Events", G("0CCE9241"), L_VISTA},
	{8, "Kerberos Authentication Service", G("0CCE9242"), L_VISTA},
};

/* METHOD.md §3.1 XP / 2003 legacy layout ([vol-auditpol]): byte 0 = auditing on, then one
 * u16 per category at 0x04 + 4*i. The highest read ends at 0x26. */
#define XP_FIRST_OFFSET 0x04
#define XP_STRIDE 4
#define XP_MIN_LENGTH (XP_FIRST_OFFSET + XP_STRIDE * (FACTS_AUDIT_CATEGORIES - 1) + 2)
#define XP_MAX_LENGTH 0x40 /* step 2: "try the XP layout if len < 0x40" */
static const char *const XP_CATEGORIES[FACTS_AUDIT_CATEGORIES] = {
	"System events", "Logon events", "Object access", "Privilege use", "Process tracking",
	"Policy change", "Account management", "Directory service access", "Account logon"};

#define SETTINGS_OFFSET 0x0C /* §3.1: settings from offset 0x0C */

static const char *audit_setting_name(uint16_t raw)
{
	/* §3.1 "Setting encoding" */
	static const char *const NAMES[] = {"none", "success", "failure", "success and failure"};
	return raw < COUNT_OF(NAMES) ? NAMES[raw] : "unknown";
}

static void fill_entry(struct facts_audit_entry *entry, const uint8_t *data, uint32_t offset)
{
	entry->offset = offset;
	entry->raw = read_u16(data + offset);
	entry->setting = audit_setting_name(entry->raw);
}

static int settings_alloc(struct facts_audit_policy *policy, size_t count)
{
	policy->entries = count ? calloc(count, sizeof *policy->entries) : NULL;
	if (count && !policy->entries)
		return -1;
	policy->entry_count = count;
	return 0;
}

/* Names the entries of an established layout: the subcategory rows present in LAYOUT, in order. */
static void name_entries(struct facts_audit_policy *policy, enum layout_id layout)
{
	size_t n = 0;

	for (size_t i = 0; i < COUNT_OF(SUBCATEGORIES) && n < policy->entry_count; i++) {
		if (SUBCATEGORIES[i].first > layout)
			continue;
		policy->entries[n].category = CATEGORIES[SUBCATEGORIES[i].category];
		policy->entries[n].name = SUBCATEGORIES[i].name;
		policy->entries[n].guid = SUBCATEGORIES[i].guid;
		n++;
	}
}

static size_t layout_total(enum layout_id layout)
{
	size_t total = 0;
	for (int c = 0; c < FACTS_AUDIT_CATEGORIES; c++)
		total += LAYOUTS[layout].counts[c];
	return total;
}

static int layout_by_counts(const uint16_t *counts)
{
	for (int l = 0; l < L_COUNT; l++)
		if (memcmp(LAYOUTS[l].counts, counts, sizeof LAYOUTS[l].counts) == 0)
			return l;
	return -1;
}

static int layout_by_regripper_length(size_t length)
{
	for (int l = 0; l < L_COUNT; l++)
		if (LAYOUTS[l].regripper_length && LAYOUTS[l].length == length)
			return l;
	return -1;
}

/* Steps 2-4 with a valid header. Returns 1 if the header fits (entries made), 0 if it does not
 * (step 3's bound fails; WHY says so), -1 on allocation failure. */
static int decode_by_header(struct facts_audit_policy *policy, const uint8_t *data, char *why,
			    size_t why_size)
{
	uint64_t total = 0;
	int layout;

	for (int c = 0; c < FACTS_AUDIT_CATEGORIES; c++) {
		policy->counts[c] = read_u16(data + policy->counts_offset + 2u * (uint32_t)c);
		total += policy->counts[c];
	}
	policy->counts_read = 1;
	/* step 3: the settings must end before the counts */
	if (SETTINGS_OFFSET + 2 * total > policy->counts_offset) {
		snprintf(why, why_size,
			 "counts sum to %llu subcategories, more than fit before offset 0x%lx",
			 (unsigned long long)total, (unsigned long)policy->counts_offset);
		return 0;
	}
	if (settings_alloc(policy, (size_t)total) != 0)
		return -1;
	for (size_t i = 0; i < policy->entry_count; i++)
		fill_entry(&policy->entries[i], data, SETTINGS_OFFSET + 2 * (uint32_t)i);
	policy->format = FACTS_AUDIT_HEADER;
	layout = layout_by_counts(policy->counts);
	if (layout < 0) {
		/* step 4: positions and raw values only, as DLEAPP does */
		snprintf(policy->warning, sizeof policy->warning,
			 "per-category counts %u,%u,%u,%u,%u,%u,%u,%u,%u match no layout of "
			 "METHOD.md §3.1: layout not established, positions and raw values only",
			 policy->counts[0], policy->counts[1], policy->counts[2], policy->counts[3],
			 policy->counts[4], policy->counts[5], policy->counts[6], policy->counts[7],
			 policy->counts[8]);
		return 1;
	}
	policy->layout = LAYOUTS[layout].name;
	policy->layout_status = LAYOUTS[layout].status;
	policy->layout_established = 1;
	name_entries(policy, (enum layout_id)layout);
	if (policy->length != LAYOUTS[layout].length || policy->counts_offset !=
	    LAYOUTS[layout].counts_offset)
		snprintf(policy->warning, sizeof policy->warning,
			 "counts match layout \"%s\" but the value is %zu bytes with counts at 0x%lx "
			 "(layout table: %lu bytes, 0x%lx)",
			 LAYOUTS[layout].name, policy->length, (unsigned long)policy->counts_offset,
			 (unsigned long)LAYOUTS[layout].length,
			 (unsigned long)LAYOUTS[layout].counts_offset);
	return 1;
}

int facts_decode_poladtev(const uint8_t *data, size_t length, struct facts_audit_policy **out)
{
	struct facts_audit_policy *policy;
	char why[128] = "";
	int layout, rc;

	if (!out || (!data && length))
		return -1;
	*out = NULL;
	policy = calloc(1, sizeof *policy);
	if (!policy)
		return -1;
	policy->length = length;
	policy->layout = "unknown layout";
	policy->layout_status = "";

	/* step 1 */
	if (length < SETTINGS_OFFSET) {
		policy->format = FACTS_AUDIT_NOT_POLADTEV;
		snprintf(policy->warning, sizeof policy->warning,
			 "%zu bytes: shorter than 12, not PolAdtEv (METHOD.md §3.1 step 1)", length);
		*out = policy;
		return 0;
	}
	policy->category_count = read_u32(data + 4);
	policy->counts_offset = read_u32(data + 8);

	/* step 2 (64-bit sums: offsets are evidence and may be anything) */
	if (policy->category_count != FACTS_AUDIT_CATEGORIES)
		snprintf(why, sizeof why, "category count %lu is not 9",
			 (unsigned long)policy->category_count);
	else if (policy->counts_offset % 2 != 0)
		snprintf(why, sizeof why, "counts offset 0x%lx is odd",
			 (unsigned long)policy->counts_offset);
	else if (policy->counts_offset < SETTINGS_OFFSET)
		snprintf(why, sizeof why, "counts offset 0x%lx is below 0x0C",
			 (unsigned long)policy->counts_offset);
	else if ((uint64_t)policy->counts_offset + 2 * FACTS_AUDIT_CATEGORIES > length)
		snprintf(why, sizeof why, "counts at 0x%lx run past the %zu-byte value",
			 (unsigned long)policy->counts_offset, length);
	else {
		rc = decode_by_header(policy, data, why, sizeof why);
		if (rc < 0)
			goto fail;
		if (rc == 1) {
			*out = policy;
			return 0;
		}
	}

	/* Header unusable: RegRipper's fixed layout by length, else XP, else hex only. */
	layout = layout_by_regripper_length(length);
	if (layout >= 0) {
		if (settings_alloc(policy, layout_total((enum layout_id)layout)) != 0)
			goto fail;
		for (size_t i = 0; i < policy->entry_count; i++)
			fill_entry(&policy->entries[i], data, SETTINGS_OFFSET + 2 * (uint32_t)i);
		policy->format = FACTS_AUDIT_FIXED_LENGTH;
		policy->layout = LAYOUTS[layout].name;
		policy->layout_status = LAYOUTS[layout].status;
		policy->layout_established = 1;
		name_entries(policy, (enum layout_id)layout);
		snprintf(policy->warning, sizeof policy->warning,
			 "header not usable (%s); layout chosen by length alone, as RegRipper does "
			 "(METHOD.md §3.1 step 2)", why);
	} else if (length < XP_MAX_LENGTH && length >= XP_MIN_LENGTH) {
		if (settings_alloc(policy, FACTS_AUDIT_CATEGORIES) != 0)
			goto fail;
		for (size_t i = 0; i < FACTS_AUDIT_CATEGORIES; i++) {
			fill_entry(&policy->entries[i], data,
				   XP_FIRST_OFFSET + XP_STRIDE * (uint32_t)i);
			policy->entries[i].category = XP_CATEGORIES[i];
			policy->entries[i].name = XP_CATEGORIES[i];
		}
		policy->format = FACTS_AUDIT_XP_LEGACY;
		policy->layout = "XP / 2003 (legacy)";
		policy->layout_status = "Volatility (from RegRipper's XP plugin); total length "
					"unconfirmed";
		policy->layout_established = 1;
		policy->xp_auditing_enabled = data[0] != 0;
		snprintf(policy->warning, sizeof policy->warning,
			 "header not usable (%s); %zu bytes read with the XP/2003 legacy layout "
			 "(METHOD.md §3.1 step 2)", why, length);
	} else {
		policy->format = FACTS_AUDIT_HEX_ONLY;
		snprintf(policy->warning, sizeof policy->warning,
			 "header not usable (%s) and %zu bytes is no known length: layout not "
			 "established, keep the bytes only (METHOD.md §3.1 step 2)", why, length);
	}
	*out = policy;
	return 0;
fail:
	facts_audit_policy_free(policy);
	return -1;
}

void facts_audit_policy_free(struct facts_audit_policy *policy)
{
	if (!policy)
		return;
	free(policy->entries);
	free(policy);
}

static const char *const KEY_GUIDS[] = {
	[FACTS_AUDIT_SECURITY_STATE_CHANGE] = G("0CCE9210"),
	[FACTS_AUDIT_LOGON] = G("0CCE9215"),
	[FACTS_AUDIT_LOGOFF] = G("0CCE9216"),
	[FACTS_AUDIT_SPECIAL_LOGON] = G("0CCE921B"),
	[FACTS_AUDIT_OTHER_OBJECT_ACCESS] = G("0CCE9227"),
	[FACTS_AUDIT_PROCESS_CREATION] = G("0CCE922B"),
	[FACTS_AUDIT_PROCESS_TERMINATION] = G("0CCE922C"),
	[FACTS_AUDIT_AUDIT_POLICY_CHANGE] = G("0CCE922F"),
};

const struct facts_audit_entry *facts_audit_find_guid(const struct facts_audit_policy *policy,
						      const char *guid)
{
	size_t length;

	if (!policy || !guid || !policy->layout_established)
		return NULL;
	if (guid[0] == '{')
		guid++;
	length = strlen(guid);
	if (length && guid[length - 1] == '}')
		length--;
	if (length != 36)
		return NULL;
	for (size_t i = 0; i < policy->entry_count; i++) {
		const char *entry = policy->entries[i].guid;
		if (entry && strncasecmp(entry + 1, guid, 36) == 0)
			return &policy->entries[i];
	}
	return NULL;
}

const struct facts_audit_entry *facts_audit_find(const struct facts_audit_policy *policy,
						 enum facts_audit_subcategory subcategory)
{
	if ((size_t)subcategory >= COUNT_OF(KEY_GUIDS))
		return NULL;
	return facts_audit_find_guid(policy, KEY_GUIDS[subcategory]);
}

/* ---- §3.2 command-line inclusion --------------------------------------------------------- */

int facts_decide_cmdline_inclusion(const struct facts_cmdline_input *input,
				   struct facts_cmdline_result *result)
{
	char policies[16], session[16];

	if (!input || !result)
		return -1;
	describe_dword(policies, sizeof policies, input->policies_value);
	describe_dword(session, sizeof session, input->session_manager_value);
	if (input->policies_value.present && input->policies_value.value == 1)
		result->state = FACTS_CMDLINE_INCLUDED;
	else if (input->policies_value.present && input->policies_value.value != 0)
		result->state = FACTS_CMDLINE_UNCERTAIN;
	else if (input->session_manager_value.present && input->session_manager_value.value != 0)
		result->state = FACTS_CMDLINE_UNCERTAIN;
	else
		result->state = FACTS_CMDLINE_NOT_INCLUDED;
	snprintf(result->basis, sizeof result->basis,
		 "Policies\\System\\Audit\\ProcessCreationIncludeCmdLine_Enabled = %s (GPO path, "
		 "1 = included); Session Manager\\Audit copy = %s (unconfirmed path) "
		 "(METHOD.md §3.2, [ms-cmdline], [cmdline-alt])",
		 policies, session);
	return 0;
}

/* ---- §3.3 coverage ----------------------------------------------------------------------- */

enum { NEEDS_SUCCESS = 1, NEEDS_FAILURE = 2 }; /* the §3.1 setting bits */

struct coverage_row {
	uint32_t event_id;
	enum facts_audit_subcategory subcategory;
	int needs;
	const char *consequence;
};

#define CONSEQUENCE_PROCESS                                                                    \
	"no host record of WindowsSandbox.exe / wsb.exe launch or its parent; rely on "         \
	"TaskScheduler/Operational, Sysmon, Prefetch, BAM"
#define CONSEQUENCE_TASK "no Security-log copy of the task XML (TaskContent)"
#define CONSEQUENCE_LOGON "no logon session linkage for the task principal"

/* METHOD.md §3.3 table. 4625 is the failure audit of Logon (needs the failure bit); every
 * other id here is a success audit. */
static const struct coverage_row COVERAGE[] = {
	{4688, FACTS_AUDIT_PROCESS_CREATION, NEEDS_SUCCESS, CONSEQUENCE_PROCESS},
	{4696, FACTS_AUDIT_PROCESS_CREATION, NEEDS_SUCCESS, CONSEQUENCE_PROCESS},
	{4689, FACTS_AUDIT_PROCESS_TERMINATION, NEEDS_SUCCESS,
	 "session end only from other sources"},
	{4698, FACTS_AUDIT_OTHER_OBJECT_ACCESS, NEEDS_SUCCESS, CONSEQUENCE_TASK},
	{4699, FACTS_AUDIT_OTHER_OBJECT_ACCESS, NEEDS_SUCCESS, CONSEQUENCE_TASK},
	{4700, FACTS_AUDIT_OTHER_OBJECT_ACCESS, NEEDS_SUCCESS, CONSEQUENCE_TASK},
	{4701, FACTS_AUDIT_OTHER_OBJECT_ACCESS, NEEDS_SUCCESS, CONSEQUENCE_TASK},
	{4702, FACTS_AUDIT_OTHER_OBJECT_ACCESS, NEEDS_SUCCESS, CONSEQUENCE_TASK},
	{4624, FACTS_AUDIT_LOGON, NEEDS_SUCCESS, CONSEQUENCE_LOGON},
	{4625, FACTS_AUDIT_LOGON, NEEDS_FAILURE, CONSEQUENCE_LOGON},
	{4634, FACTS_AUDIT_LOGOFF, NEEDS_SUCCESS, CONSEQUENCE_LOGON},
	{4647, FACTS_AUDIT_LOGOFF, NEEDS_SUCCESS, CONSEQUENCE_LOGON},
	{4672, FACTS_AUDIT_SPECIAL_LOGON, NEEDS_SUCCESS, CONSEQUENCE_LOGON},
	{4719, FACTS_AUDIT_AUDIT_POLICY_CHANGE, NEEDS_SUCCESS,
	 "an attacker disabling auditing leaves no 4719"},
	{4608, FACTS_AUDIT_SECURITY_STATE_CHANGE, NEEDS_SUCCESS, "boot boundaries missing"},
	{4616, FACTS_AUDIT_SECURITY_STATE_CHANGE, NEEDS_SUCCESS, "boot boundaries missing"},
};

static const char *const KEY_NAMES[] = {
	[FACTS_AUDIT_SECURITY_STATE_CHANGE] = "Security State Change",
	[FACTS_AUDIT_LOGON] = "Logon",
	[FACTS_AUDIT_LOGOFF] = "Logoff",
	[FACTS_AUDIT_SPECIAL_LOGON] = "Special Logon",
	[FACTS_AUDIT_OTHER_OBJECT_ACCESS] = "Other Object Access Events",
	[FACTS_AUDIT_PROCESS_CREATION] = "Process Creation",
	[FACTS_AUDIT_PROCESS_TERMINATION] = "Process Termination",
	[FACTS_AUDIT_AUDIT_POLICY_CHANGE] = "Audit Policy Change",
};

int facts_audit_coverage(const struct facts_audit_policy *policy,
			 const struct facts_cmdline_result *cmdline, uint32_t event_id,
			 struct facts_coverage_statement *out)
{
	const struct coverage_row *row = NULL;
	const struct facts_audit_entry *entry;

	if (!out)
		return -1;
	for (size_t i = 0; i < COUNT_OF(COVERAGE); i++)
		if (COVERAGE[i].event_id == event_id)
			row = &COVERAGE[i];
	if (!row)
		return -1;
	memset(out, 0, sizeof *out);
	out->event_id = event_id;
	out->subcategory = KEY_NAMES[row->subcategory];
	out->consequence = row->consequence;
	out->coverage = FACTS_COVERAGE_UNKNOWN;
	if (!policy) {
		snprintf(out->statement, sizeof out->statement, "unknown (PolAdtEv not found)");
		return 0;
	}
	entry = facts_audit_find(policy, row->subcategory);
	if (!entry) {
		snprintf(out->statement, sizeof out->statement, "unknown (layout not established)");
		return 0;
	}
	if (entry->raw > 3) {
		snprintf(out->statement, sizeof out->statement,
			 "unknown (setting value %u is not 0-3)", entry->raw);
		return 0;
	}
	if (!(entry->raw & row->needs)) {
		out->coverage = FACTS_COVERAGE_NOT_RECORDED;
		snprintf(out->statement, sizeof out->statement, "%s",
			 entry->raw == 0 ? "not recorded (auditing off)"
			 : entry->raw == 1 ? "not recorded (only success audited)"
					   : "not recorded (only failure audited)");
		return 0;
	}
	out->coverage = FACTS_COVERAGE_RECORDED;
	out->consequence = "";
	if (event_id != 4688 || !cmdline) {
		snprintf(out->statement, sizeof out->statement, "recorded");
		return 0;
	}
	/* §3.2: both settings are needed for the command line */
	switch (cmdline->state) {
	case FACTS_CMDLINE_INCLUDED:
		snprintf(out->statement, sizeof out->statement, "recorded, command line included");
		break;
	case FACTS_CMDLINE_NOT_INCLUDED:
		snprintf(out->statement, sizeof out->statement,
			 "recorded, command line empty (ProcessCreationIncludeCmdLine_Enabled "
			 "absent or 0)");
		out->consequence = "cannot see the .wsb path or an inline wsb start --config";
		break;
	case FACTS_CMDLINE_UNCERTAIN:
		snprintf(out->statement, sizeof out->statement,
			 "recorded, command line inclusion uncertain");
		break;
	}
	return 0;
}
