/*
 * facts.h - decoders that turn registry values read from the host's hives into host facts: CBS
 * state codes and the Windows Sandbox feature state (METHOD.md §2.1), the sandbox group policy
 * (§2.2), service Start values (§2.3), the audit policy value PolAdtEv (§3.1), command-line
 * inclusion (§3.2) and what the audit settings mean for the events an examiner expects (§3.3).
 *
 * Pure functions over bytes and values: nothing here reads a hive or touches the store. The
 * caller finds the values (with libregf) and hands them in; every answer carries the § it rests
 * on and, where METHOD.md marks a fact unconfirmed or derived, says so in its text.
 * Every string returned as `const char *` is static (never freed) unless a comment says otherwise.
 */
#ifndef SANDTRACE_CORRELATE_FACTS_H
#define SANDTRACE_CORRELATE_FACTS_H

#include <stddef.h>
#include <stdint.h>

/* A REG_DWORD as found: PRESENT is 0 when the value (or its key) was not there. */
struct facts_dword {
	int present;
	uint32_t value;
};

/* ---- §2.1 CBS state codes ---------------------------------------------------------------- */

/* The meaning of a CBS state code as stored in the registry (0x70 -> "Installed"). CODE may be
 * given as read from a REG_DWORD (0xFFFFFF80) or sign-extended (-128); both name the same state.
 * Never NULL: an unlisted code gives "unknown CBS state code". 0x50 gives the ambiguous text
 * §2.1 prescribes. */
const char *facts_cbs_state_name(int64_t code);

/* ---- §2.1 Windows Sandbox optional feature state ----------------------------------------- */

enum facts_feature_state {
	FACTS_FEATURE_ABSENT,                   /* no key at all: feature unknown to this image */
	FACTS_FEATURE_DISABLED,
	FACTS_FEATURE_ENABLED,
	FACTS_FEATURE_ENABLED_PENDING_REBOOT,
	FACTS_FEATURE_DISABLE_PENDING_REBOOT,
	FACTS_FEATURE_DISABLED_PAYLOAD_REMOVED,
	FACTS_FEATURE_UNKNOWN                   /* found values fit no row of the §2.1 mapping */
};

/* What was found in the SOFTWARE hive for Containers-DisposableClientVM (§2.1). */
struct facts_feature_input {
	/* Notifications\OptionalFeatures\Containers-DisposableClientVM and its values */
	int selection_key_present;
	struct facts_dword selection;
	struct facts_dword removed;
	/* Packages\<owning package> and its CurrentState */
	int package_key_present;
	struct facts_dword package_current_state;
	/* Packages\<package>\Updates\Containers-DisposableClientVM (value or subkey, §2.1) */
	struct facts_dword update_state;
};

struct facts_feature_result {
	enum facts_feature_state state;
	/* the CBS state the decision used (update state, else package CurrentState) */
	struct facts_dword cbs_state;
	/* one sentence: what was found, which §2.1 mapping row applied and its sources */
	char basis[512];
};

/* Applies the §2.1 mapping table to INPUT. Returns 0 (RESULT filled), -1 if an argument is NULL. */
int facts_decide_feature_state(const struct facts_feature_input *input,
			       struct facts_feature_result *result);

/* "absent", "disabled", "enabled", "enabled, pending reboot", ... (never NULL). */
const char *facts_feature_state_name(enum facts_feature_state state);

/* ---- §2.2 Windows Sandbox group policy --------------------------------------------------- */

enum facts_policy_state {
	FACTS_POLICY_NOT_CONFIGURED, /* value absent */
	FACTS_POLICY_DISABLED,       /* 0 */
	FACTS_POLICY_ENABLED,        /* 1 */
	FACTS_POLICY_OUT_OF_RANGE    /* anything else: raw kept, effect unknown */
};

struct facts_policy_setting {
	const char *value_name;          /* e.g. "AllowNetworking" */
	enum facts_policy_state state;
	uint32_t raw;                    /* the value when present */
	const char *effect;              /* what the found state does (MS text, §2.2) */
	const char *when_not_configured; /* MS wording for "not configured" (+ conflicts noted) */
	const char *applies_from;        /* first Windows build the CSP page lists */
	const char *note;                /* caveats from §2.2, "" when none */
};

/* The eight values of SOFTWARE\Policies\Microsoft\Windows\Sandbox, in §2.2's order. */
#define FACTS_SANDBOX_POLICY_COUNT 8
/* The value name at INDEX (< FACTS_SANDBOX_POLICY_COUNT), NULL past the end. */
const char *facts_sandbox_policy_name(size_t index);

/* Decodes one policy value: VALUE_NAME as above (case-insensitive), FOUND = what was read.
 * Returns 0, or -1 if the name is not one of the eight (OUT untouched). */
int facts_decode_sandbox_policy(const char *value_name, struct facts_dword found,
				struct facts_policy_setting *out);

/* ---- §2.3 Service Start values ----------------------------------------------------------- */

/* "Boot", "System", "Automatic", "On demand", "Disabled"; "unknown Start value" otherwise. */
const char *facts_service_start_name(int64_t start);

/* ---- §2.5 Host identity and history ------------------------------------------------------ */

/* A time zone bias as Windows stores it (minutes, UTC = local time + bias: REG_DWORD read as a
 * signed number) written as the offset of local time from UTC, "UTC+09:00", into OUT. */
void facts_utc_offset_text(int32_t bias_minutes, char *out, size_t out_size);

/* Whether FILETIME is a plausible moment for a host record: 1990-01-01 to 2100-01-01 UTC. A
 * zero, a garbage or an unset time gives 0 and is reported as unreadable, never printed. */
int facts_filetime_plausible(uint64_t filetime);

/* The FILETIME in the first 8 bytes of DATA (SIZE bytes), little-endian; 0 if SIZE < 8. */
uint64_t facts_filetime_at(const uint8_t *data, size_t size);

/* Whether the Background Activity Moderator value named VALUE_NAME (an image path such as
 * "\Device\HarddiskVolume3\Windows\System32\WindowsSandbox.exe", or a package family name)
 * names one of the Windows Sandbox executables of §2.5's table; the executable's name in *WHAT
 * (static). The BAM bookkeeping values "Version" and "SequenceNumber" never match. */
int facts_bam_sandbox_executable(const char *value_name, const char **what);

/* ---- §3.1 PolAdtEv ----------------------------------------------------------------------- */

enum facts_audit_format {
	FACTS_AUDIT_NOT_POLADTEV,  /* shorter than 12 bytes (step 1) */
	FACTS_AUDIT_HEADER,        /* header valid: settings placed by the header (steps 2-3) */
	FACTS_AUDIT_FIXED_LENGTH,  /* header invalid, length is RegRipper's: that fixed layout */
	FACTS_AUDIT_XP_LEGACY,     /* header invalid, short: the XP/2003 layout */
	FACTS_AUDIT_HEX_ONLY       /* nothing fits: keep the bytes, decode nothing */
};

/* The setting of one subcategory (Vista+) or category (XP): u16 0..3, other values kept raw. */
struct facts_audit_entry {
	uint32_t offset;      /* byte offset of the u16 in the value */
	uint16_t raw;
	const char *setting;  /* "none", "success", "failure", "success and failure", "unknown" */
	/* NULL unless the layout is established (step 4); the XP layout has no GUIDs */
	const char *category;
	const char *name;
	const char *guid;     /* "{0CCE922B-69AE-11D9-BED3-505054503030}" */
};

#define FACTS_AUDIT_CATEGORIES 9

struct facts_audit_policy {
	enum facts_audit_format format;
	/* "7 / 2008 R2", "10 1607+, 11 <= 23H2, 2016/2019/2022", "XP / 2003 (legacy)", ... or
	 * "unknown layout" when no row of §3.1 matched (never a guess) */
	const char *layout;
	int layout_established;
	/* the row's status from §3.1: "confirmed ...", "derived, unconfirmed", "single source ..." */
	const char *layout_status;
	size_t length;                /* bytes of the value */
	uint32_t category_count;      /* u32 @4 (Vista+ header) */
	uint32_t counts_offset;       /* u32 @8 */
	uint16_t counts[FACTS_AUDIT_CATEGORIES]; /* per-category subcategory counts, if read */
	int counts_read;
	int xp_auditing_enabled;      /* XP layout: byte 0 != 0 */
	size_t entry_count;
	struct facts_audit_entry *entries; /* owned by the policy */
	/* why the layout is not established / how it was chosen; "" when the header fits a row */
	char warning[384];
};

/* Decodes a PolAdtEv value with the tolerant algorithm of §3.1 (steps 1-4; step 5, the key's
 * LastWrite, is the caller's). Evidence that fits no layout is not an error: *OUT is still made,
 * with format/warning saying so. Returns 0 (free *OUT with facts_audit_policy_free), -1 on
 * allocation failure or NULL arguments (*OUT NULL). */
int facts_decode_poladtev(const uint8_t *data, size_t length, struct facts_audit_policy **out);
void facts_audit_policy_free(struct facts_audit_policy *policy);

/* The subcategories sandtrace asks about (§3.3). */
enum facts_audit_subcategory {
	FACTS_AUDIT_SECURITY_STATE_CHANGE,
	FACTS_AUDIT_LOGON,
	FACTS_AUDIT_LOGOFF,
	FACTS_AUDIT_SPECIAL_LOGON,
	FACTS_AUDIT_OTHER_OBJECT_ACCESS,
	FACTS_AUDIT_PROCESS_CREATION,
	FACTS_AUDIT_PROCESS_TERMINATION,
	FACTS_AUDIT_AUDIT_POLICY_CHANGE
};

/* The entry of SUBCATEGORY in POLICY, or NULL when the layout is not established (or is XP's,
 * which has categories only). The pointer lives as long as POLICY. */
const struct facts_audit_entry *facts_audit_find(const struct facts_audit_policy *policy,
						 enum facts_audit_subcategory subcategory);

/* The entry whose GUID is GUID ("{0CCE9215-...}" or "0cce9215-...", any case), or NULL. */
const struct facts_audit_entry *facts_audit_find_guid(const struct facts_audit_policy *policy,
						      const char *guid);

/* ---- §3.2 command-line inclusion, §3.3 coverage ------------------------------------------ */

enum facts_cmdline_state {
	FACTS_CMDLINE_INCLUDED,     /* the GPO path holds 1 */
	FACTS_CMDLINE_NOT_INCLUDED, /* absent or 0 at the GPO path, nothing else suggests it */
	FACTS_CMDLINE_UNCERTAIN     /* only the unconfirmed path holds 1, or a value outside 0/1 */
};

struct facts_cmdline_input {
	/* SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System\Audit\
	 * ProcessCreationIncludeCmdLine_Enabled (§3.2) */
	struct facts_dword policies_value;
	/* SYSTEM\CurrentControlSet\Control\Session Manager\Audit\... (unconfirmed, §3.2) */
	struct facts_dword session_manager_value;
};

struct facts_cmdline_result {
	enum facts_cmdline_state state;
	char basis[256]; /* which location held what */
};

/* Returns 0, -1 on NULL arguments. */
int facts_decide_cmdline_inclusion(const struct facts_cmdline_input *input,
				   struct facts_cmdline_result *result);

enum facts_coverage {
	FACTS_COVERAGE_RECORDED,
	FACTS_COVERAGE_NOT_RECORDED,
	FACTS_COVERAGE_UNKNOWN
};

struct facts_coverage_statement {
	uint32_t event_id;
	enum facts_coverage coverage;
	const char *subcategory;  /* the subcategory that governs EVENT_ID (§3.3) */
	/* "recorded", "recorded, command line included", "not recorded (auditing off)",
	 * "unknown (layout not established)", ... */
	char statement[128];
	/* §3.3's "consequence for a sandbox session" when not recorded or unknown, else "" */
	const char *consequence;
};

/* What the audit settings mean for EVENT_ID (4688, 4696, 4689, 4698-4702, 4624, 4625, 4634, 4647,
 * 4672, 4719, 4608, 4616). POLICY may be NULL (PolAdtEv not found); CMDLINE may be NULL (not
 * looked at) and matters for 4688 only. Returns 0, or -1 if EVENT_ID is not in the §3.3 table. */
int facts_audit_coverage(const struct facts_audit_policy *policy,
			 const struct facts_cmdline_result *cmdline, uint32_t event_id,
			 struct facts_coverage_statement *out);

#endif
