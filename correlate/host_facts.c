/*
 * host_facts.c - registry rows to host facts (see host_facts.h). The decoding rules live in
 * correlate/facts.c (tables citing METHOD.md); this file finds the rows they need, per hive,
 * and records each conclusion with its basis.
 */
#define _GNU_SOURCE /* strcasestr */
#include "host_facts.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "correlate/facts.h"
#include "correlate/hosts.h"
#include "correlate/servicing_facts.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"

/* §2.1, §2.2, §3.1, §3.2, §2.3: the keys the facts are read from (relative to the hive root). */
#define KEY_OPTIONAL_FEATURE                                                                   \
	"Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Notifications\\"       \
	"OptionalFeatures\\Containers-DisposableClientVM"
#define KEY_CBS_PACKAGES "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\"
#define KEY_SANDBOX_POLICY "Policies\\Microsoft\\Windows\\Sandbox"
#define KEY_CMDLINE_POLICY "Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Audit"
#define KEY_POLADTEV "Policy\\PolAdtEv"
#define KEY_CURRENT_VERSION "Microsoft\\Windows NT\\CurrentVersion"
#define KEY_TIME_ZONE "Control\\TimeZoneInformation"
#define KEY_SHUTDOWN "Control\\Windows"
#define KEY_BAM "\\Services\\bam\\"
#define FEATURE_UPDATE_NAME "Containers-DisposableClientVM"

struct rows {
	struct store_reg_value *rows;
	size_t count;
};

/* The basis text of a fact: "reg_values:ID,ID". */
struct basis {
	struct strbuf text;
	uint64_t time; /* latest LastWrite of the rows named */
	struct strbuf replay; /* notes of the rows that came from transaction logs (§8.3) */
};

static void basis_add(struct basis *b, const struct store_reg_value *row)
{
	if (!row)
		return;
	strbuf_printf(&b->text, "%s%lld", b->text.length ? "," : "reg_values:", (long long)row->id);
	if (row->key_last_write > b->time)
		b->time = row->key_last_write;
	if (row->replay)
		strbuf_printf(&b->replay, "%s%s%s%s: %s", b->replay.length ? "; " : "", row->key_path,
			      row->value_name ? "\\" : "", row->value_name ? row->value_name : "",
			      row->replay);
}

static int is_kind(const struct store_reg_value *row, const char *kind, int64_t evidence_id)
{
	return row->evidence_id == evidence_id && strcmp(row->hive_kind, kind) == 0;
}

/* The row of VALUE_NAME (NULL: the key's own row) in KEY_PATH of the hive EVIDENCE_ID. */
static const struct store_reg_value *find(const struct rows *r, int64_t evidence_id,
					  const char *key_path, const char *value_name)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct store_reg_value *row = &r->rows[i];
		if (row->evidence_id != evidence_id || strcasecmp(row->key_path, key_path) != 0)
			continue;
		if (!value_name ? !row->value_name
				: row->value_name && strcasecmp(row->value_name, value_name) == 0)
			return row;
	}
	return NULL;
}

/* Any row of KEY_PATH (the key exists in the hive). */
static const struct store_reg_value *find_key(const struct rows *r, int64_t evidence_id,
					      const char *key_path)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->rows[i].evidence_id == evidence_id &&
		    strcasecmp(r->rows[i].key_path, key_path) == 0)
			return &r->rows[i];
	return NULL;
}

static struct facts_dword dword_of(const struct store_reg_value *row)
{
	struct facts_dword d = {0, 0};

	if (row && row->data && row->size >= 4) {
		d.present = 1;
		d.value = (uint32_t)row->data[0] | (uint32_t)row->data[1] << 8 |
			  (uint32_t)row->data[2] << 16 | (uint32_t)row->data[3] << 24;
	}
	return d;
}

static void basis_free(struct basis *b)
{
	strbuf_free(&b->text);
	strbuf_free(&b->replay);
	b->time = 0;
}

/* Adds a fact resting on the rows of B (then emptied). A row that came from the hive's
 * transaction logs is named in the text with the log and the primary file's value (§8.3). */
static int add_fact(struct store *store, const char *kind, const char *subject, const char *value,
		    const char *detail, struct basis *b, int64_t evidence_id, const char *confidence,
		    const char *section)
{
	struct strbuf marked = STRBUF_INIT;
	struct store_fact fact = {kind, subject, value, detail, b ? b->time : 0,
				  b ? strbuf_text(&b->text) : "", evidence_id, confidence, section, 0, NULL};
	int rc;

	if (b && b->replay.length) {
		strbuf_printf(&marked, "%s [changed by the transaction-log replay: %s]", detail,
			      strbuf_text(&b->replay));
		fact.detail = strbuf_text(&marked);
	}
	rc = store_add_fact(store, &fact);
	strbuf_free(&marked);
	if (b)
		basis_free(b);
	return rc;
}

/* §2.1: the owning package's CurrentState and the feature's Updates value, from any of the
 * package names METHOD.md lists (the first found). */
static void find_package_state(const struct rows *r, int64_t evidence_id,
			       struct facts_feature_input *in, struct basis *b)
{
	size_t prefix = strlen(KEY_CBS_PACKAGES);

	for (size_t i = 0; i < r->count; i++) {
		const struct store_reg_value *row = &r->rows[i];
		const char *rest;

		if (row->evidence_id != evidence_id || strncasecmp(row->key_path, KEY_CBS_PACKAGES,
								   prefix) != 0)
			continue;
		rest = row->key_path + prefix;
		if (!strcasestr(rest, "DisposableClientVM"))
			continue;
		in->package_key_present = 1;
		if (!row->value_name)
			continue;
		if (!strchr(rest, '\\') && strcasecmp(row->value_name, "CurrentState") == 0 &&
		    !in->package_current_state.present) {
			in->package_current_state = dword_of(row);
			basis_add(b, row);
		} else if (strlen(rest) > 8 && strcasecmp(rest + strlen(rest) - 8, "\\Updates") == 0 &&
			   strcasecmp(row->value_name, FEATURE_UPDATE_NAME) == 0 &&
			   !in->update_state.present) {
			in->update_state = dword_of(row);
			basis_add(b, row);
		}
	}
}

/* The row of VALUE_NAME in KEY_SUFFIX ("Control\\Windows") of the control set the SYSTEM hive was
 * read from: parsers/hive.c reads only that one (§2.3), so the row is "ControlSetNNN\\" KEY_SUFFIX. */
static const struct store_reg_value *find_in_control_set(const struct rows *r, int64_t hive,
							 const char *key_suffix,
							 const char *value_name)
{
	size_t suffix = strlen(key_suffix);

	for (size_t i = 0; i < r->count; i++) {
		const struct store_reg_value *row = &r->rows[i];
		const char *slash = strchr(row->key_path, '\\');

		if (row->evidence_id == hive && row->value_name &&
		    strcasecmp(row->value_name, value_name) == 0 &&
		    strncasecmp(row->key_path, "ControlSet", 10) == 0 && slash &&
		    strlen(slash + 1) == suffix && strcasecmp(slash + 1, key_suffix) == 0)
			return row;
	}
	return NULL;
}

static int32_t signed_dword(struct facts_dword d)
{
	return (int32_t)d.value;
}

/* §2.5: the operating system as the SOFTWARE hive names it: product, build, release, install
 * date. Each value read becomes a fact of kind "host"; a value not found gives no fact. */
static int derive_os(struct store *store, const struct rows *r, int64_t hive)
{
	const struct store_reg_value *product = find(r, hive, KEY_CURRENT_VERSION, "ProductName");
	const struct store_reg_value *edition = find(r, hive, KEY_CURRENT_VERSION, "EditionID");
	const struct store_reg_value *release = find(r, hive, KEY_CURRENT_VERSION, "DisplayVersion");
	const struct store_reg_value *build = find(r, hive, KEY_CURRENT_VERSION, "CurrentBuild");
	const struct store_reg_value *ubr = find(r, hive, KEY_CURRENT_VERSION, "UBR");
	const struct store_reg_value *installed = find(r, hive, KEY_CURRENT_VERSION, "InstallDate");
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	char value[256], detail[1024];
	unsigned long build_number = 0;
	int rc = 0;

	if (!build || !build->decoded)
		build = find(r, hive, KEY_CURRENT_VERSION, "CurrentBuildNumber");
	if (build && build->decoded)
		build_number = strtoul(build->decoded, NULL, 10);
	if (product && product->decoded) {
		snprintf(detail, sizeof detail, "ProductName \"%s\"%s%s%s in %s%s", product->decoded,
			 edition && edition->decoded ? ", EditionID \"" : "",
			 edition && edition->decoded ? edition->decoded : "",
			 edition && edition->decoded ? "\"" : "", KEY_CURRENT_VERSION,
			 build_number >= 22000 && strstr(product->decoded, "Windows 10")
				 ? "; the build (22000 or later) is a Windows 11 build: Windows 11 "
				   "leaves ProductName at \"Windows 10 ...\""
				 : "");
		basis_add(&b, product);
		basis_add(&b, edition);
		rc = add_fact(store, "host", "os_product", product->decoded, detail, &b, hive, "high",
			      "§2.5");
	}
	if (rc == 0 && build_number) {
		struct facts_dword update = dword_of(ubr);

		if (update.present)
			snprintf(value, sizeof value, "%lu.%u", build_number, update.value);
		else
			snprintf(value, sizeof value, "%lu", build_number);
		snprintf(detail, sizeof detail, "%s %lu%s%s (%s)", build->value_name, build_number,
			 update.present ? ", UBR " : ", no UBR value",
			 update.present ? value + strcspn(value, ".") + 1 : "", KEY_CURRENT_VERSION);
		basis_add(&b, build);
		basis_add(&b, ubr);
		rc = add_fact(store, "host", "os_build", value, detail, &b, hive, "high", "§2.5");
	}
	if (rc == 0 && release && release->decoded) {
		snprintf(detail, sizeof detail, "DisplayVersion \"%s\" (%s)", release->decoded,
			 KEY_CURRENT_VERSION);
		basis_add(&b, release);
		rc = add_fact(store, "host", "os_display_version", release->decoded, detail, &b, hive,
			      "high", "§2.5");
	}
	if (rc == 0 && installed) {
		struct facts_dword seconds = dword_of(installed);
		uint64_t when = seconds.present ? filetime_from_unix(seconds.value, 0) : 0;

		if (facts_filetime_plausible(when))
			filetime_format_iso(when, value, sizeof value);
		else
			snprintf(value, sizeof value, "unreadable");
		snprintf(detail, sizeof detail, "InstallDate %u (seconds since 1970-01-01 UTC) in %s: "
			 "when this Windows was installed, or last upgraded in place to a new feature "
			 "release", seconds.value, KEY_CURRENT_VERSION);
		basis_add(&b, installed);
		rc = add_fact(store, "host", "install_date", value, detail, &b, hive,
			      facts_filetime_plausible(when) ? "medium" : "low", "§2.5");
	}
	basis_free(&b);
	return rc;
}

/* §2.5: the time zone, the last shutdown and the control set of the SYSTEM hive. */
static int derive_system_identity(struct store *store, const struct rows *r, int64_t hive)
{
	const struct store_reg_value *name = find_in_control_set(r, hive, KEY_TIME_ZONE,
								 "TimeZoneKeyName");
	const struct store_reg_value *bias = find_in_control_set(r, hive, KEY_TIME_ZONE, "Bias");
	const struct store_reg_value *active = find_in_control_set(r, hive, KEY_TIME_ZONE,
								   "ActiveTimeBias");
	const struct store_reg_value *shutdown = find_in_control_set(r, hive, KEY_SHUTDOWN,
								     "ShutdownTime");
	const struct store_reg_value *current = find(r, hive, "Select", "Current");
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	char value[256], detail[1024], offset[16], active_offset[16];
	int rc = 0;

	if (!name || !name->decoded)
		name = find_in_control_set(r, hive, KEY_TIME_ZONE, "StandardName");
	if (dword_of(bias).present || dword_of(active).present) {
		/* The bias in force is ActiveTimeBias (daylight saving included); Bias is the
		 * standard one. The value names the zone and the bias in minutes, for the report. */
		int32_t standard = signed_dword(dword_of(bias));
		int32_t in_force = dword_of(active).present ? signed_dword(dword_of(active)) : standard;

		facts_utc_offset_text(standard, offset, sizeof offset);
		facts_utc_offset_text(in_force, active_offset, sizeof active_offset);
		snprintf(value, sizeof value, "%s (%s, bias %d min)",
			 name && name->decoded ? name->decoded : "unnamed", active_offset,
			 (int)in_force);
		snprintf(detail, sizeof detail, "%s \"%s\"; Bias %s%d min (standard time %s); "
			 "ActiveTimeBias %s%d min (in force when the hive was last written: %s); local "
			 "time = UTC - bias (%s)", name ? name->value_name : "TimeZoneKeyName",
			 name && name->decoded ? name->decoded : "absent",
			 dword_of(bias).present ? "" : "absent, taken as ", (int)standard, offset,
			 dword_of(active).present ? "" : "absent, taken as ", (int)in_force,
			 active_offset, KEY_TIME_ZONE);
		basis_add(&b, name);
		basis_add(&b, bias);
		basis_add(&b, active);
		rc = add_fact(store, "host", "time_zone", value, detail, &b, hive, "high", "§2.5");
	}
	if (rc == 0 && shutdown) {
		uint64_t when = facts_filetime_at(shutdown->data, shutdown->size);

		if (facts_filetime_plausible(when))
			filetime_format_iso(when, value, sizeof value);
		else
			snprintf(value, sizeof value, "unreadable");
		snprintf(detail, sizeof detail, "ShutdownTime (%zu bytes, FILETIME) in %s: the last "
			 "orderly shutdown before the hive was copied", shutdown->size,
			 shutdown->key_path);
		basis_add(&b, shutdown);
		rc = add_fact(store, "host", "last_shutdown", value, detail, &b, hive,
			      facts_filetime_plausible(when) ? "high" : "low", "§2.5");
	}
	if (rc == 0 && current) {
		struct facts_dword n = dword_of(current);

		snprintf(value, sizeof value, "ControlSet%03u", n.value);
		snprintf(detail, sizeof detail, "Select\\Current = %u: the control set Windows "
			 "booted with, from which the SYSTEM facts are read", n.value);
		basis_add(&b, current);
		rc = add_fact(store, "host", "current_control_set", n.present ? value : "unreadable",
			      detail, &b, hive, "high", "§2.5");
	}
	basis_free(&b);
	return rc;
}

/* §2.5: Background Activity Moderator entries of the sandbox executables, from both key paths
 * (Services\bam\State\UserSettings\SID and Services\bam\UserSettings\SID). */
static int derive_bam(struct store *store, const struct rows *r, int64_t hive)
{
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->count; i++) {
		const struct store_reg_value *row = &r->rows[i];
		const char *bam = strcasestr(row->key_path, KEY_BAM), *sid, *what;
		char value[64], detail[1024];
		uint64_t when;

		if (row->evidence_id != hive || !bam || !row->value_name ||
		    !facts_bam_sandbox_executable(row->value_name, &what))
			continue;
		sid = strrchr(row->key_path, '\\') + 1;
		when = facts_filetime_at(row->data, row->size);
		if (facts_filetime_plausible(when))
			filetime_format_iso(when, value, sizeof value);
		else
			snprintf(value, sizeof value, "unreadable");
		snprintf(detail, sizeof detail, "BAM entry of %s for the account %s (%s): %s last "
			 "ran at %s (the first 8 bytes of the value, a FILETIME)", what, sid,
			 row->key_path, row->value_name, value);
		basis_add(&b, row);
		rc = add_fact(store, "execution", row->value_name, value, detail, &b, hive,
			      facts_filetime_plausible(when) ? "medium" : "low", "§2.5");
	}
	basis_free(&b);
	return rc;
}

static int derive_software(struct store *store, const struct rows *r, int64_t hive)
{
	struct facts_feature_input in;
	struct facts_feature_result result;
	struct facts_cmdline_input cmdline_in;
	struct facts_cmdline_result cmdline;
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	const struct store_reg_value *row;
	int rc = 0;

	/* Feature state (§2.1). */
	memset(&in, 0, sizeof in);
	row = find_key(r, hive, KEY_OPTIONAL_FEATURE);
	in.selection_key_present = row != NULL;
	row = find(r, hive, KEY_OPTIONAL_FEATURE, "Selection");
	in.selection = dword_of(row);
	basis_add(&b, row);
	row = find(r, hive, KEY_OPTIONAL_FEATURE, "Removed");
	in.removed = dword_of(row);
	basis_add(&b, row);
	basis_add(&b, find(r, hive, KEY_OPTIONAL_FEATURE, NULL));
	find_package_state(r, hive, &in, &b);
	/* The time the feature was selected is the LastWrite of the OptionalFeatures key, where
	 * Selection is written; the CBS package keys are rewritten by every cumulative update that
	 * services the package, months after (§2.1 "When it changed", updated). */
	row = find_key(r, hive, KEY_OPTIONAL_FEATURE);
	b.time = row ? row->key_last_write : 0;
	if (facts_decide_feature_state(&in, &result) == 0)
		rc = add_fact(store, "feature_state", "Windows Sandbox (Containers-DisposableClientVM)",
			      facts_feature_state_name(result.state), result.basis, &b, hive,
			      "medium", "§2.1");
	basis_free(&b);

	/* Group policy (§2.2): not configured is a fact too. */
	for (size_t i = 0; rc == 0 && i < FACTS_SANDBOX_POLICY_COUNT; i++) {
		static const char *const STATES[] = {"not configured", "disabled", "enabled",
						     "out of range"};
		const char *name = facts_sandbox_policy_name(i);
		struct facts_policy_setting setting;
		char detail[1024];

		row = find(r, hive, KEY_SANDBOX_POLICY, name);
		if (facts_decode_sandbox_policy(name, dword_of(row), &setting) != 0)
			continue;
		if (setting.state == FACTS_POLICY_NOT_CONFIGURED)
			snprintf(detail, sizeof detail, "value absent; Microsoft: when not configured, %s",
				 setting.when_not_configured);
		else
			snprintf(detail, sizeof detail, "%s = %u: %s", name, setting.raw,
				 setting.effect);
		if (setting.note && setting.note[0]) {
			size_t used = strlen(detail);
			snprintf(detail + used, sizeof detail - used, "; %s", setting.note);
		}
		basis_add(&b, row);
		if (!row)
			basis_add(&b, find_key(r, hive, KEY_SANDBOX_POLICY));
		rc = add_fact(store, "sandbox_policy", name, STATES[setting.state], detail, &b, hive,
			      "high", "§2.2");
	}

	/* Command-line inclusion (§3.2). */
	memset(&cmdline_in, 0, sizeof cmdline_in);
	row = find(r, hive, KEY_CMDLINE_POLICY, "ProcessCreationIncludeCmdLine_Enabled");
	cmdline_in.policies_value = dword_of(row);
	basis_add(&b, row);
	if (rc == 0 && facts_decide_cmdline_inclusion(&cmdline_in, &cmdline) == 0)
		rc = add_fact(store, "cmdline_audit", "4688 CommandLine",
			      cmdline.state == FACTS_CMDLINE_INCLUDED	  ? "included"
			      : cmdline.state == FACTS_CMDLINE_NOT_INCLUDED ? "not included"
									  : "uncertain",
			      cmdline.basis, &b, hive, "high", "§3.2");
	basis_free(&b);
	if (rc == 0)
		rc = derive_os(store, r, hive);
	return rc;
}

static int derive_security(struct store *store, const struct rows *r, int64_t hive,
			   const struct facts_cmdline_result *cmdline)
{
	static const uint32_t EVENTS[] = {4624, 4672, 4688, 4689, 4698, 4702, 4719};
	struct facts_audit_policy *policy = NULL;
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	const struct store_reg_value *row = find(r, hive, KEY_POLADTEV, "");
	char detail[640];
	int rc = 0;

	if (row && row->data && facts_decode_poladtev(row->data, row->size, &policy) != 0)
		policy = NULL;
	basis_add(&b, row);
	snprintf(detail, sizeof detail, "%s%s%s",
		 !row ? "Policy\\PolAdtEv not found in this SECURITY hive"
		      : policy && policy->layout ? policy->layout : "layout not established",
		 policy && policy->warning[0] ? ": " : "", policy ? policy->warning : "");
	rc = add_fact(store, "audit_policy", "PolAdtEv layout",
		      !row ? "absent" : policy && policy->layout_established ? "established" : "unknown",
		      detail, &b, hive, policy && policy->layout_established ? "high" : "low", "§3.1");
	for (int s = FACTS_AUDIT_LOGON; rc == 0 && s <= FACTS_AUDIT_AUDIT_POLICY_CHANGE; s++) {
		const struct facts_audit_entry *entry = policy ? facts_audit_find(policy, s) : NULL;
		if (!entry)
			continue;
		snprintf(detail, sizeof detail, "%s / %s %s: %s (raw %u at offset 0x%x)",
			 entry->category, entry->name, entry->guid, entry->setting, entry->raw,
			 entry->offset);
		basis_add(&b, row);
		rc = add_fact(store, "audit_policy", entry->name, entry->setting, detail, &b, hive,
			      "high", "§3.1");
	}
	for (size_t i = 0; rc == 0 && i < sizeof EVENTS / sizeof EVENTS[0]; i++) {
		struct facts_coverage_statement statement;
		char subject[32];

		if (facts_audit_coverage(policy, cmdline, EVENTS[i], &statement) != 0)
			continue;
		snprintf(subject, sizeof subject, "event %u", EVENTS[i]);
		snprintf(detail, sizeof detail, "%s (%s)%s%s", statement.statement,
			 statement.subcategory ? statement.subcategory : "",
			 statement.consequence && statement.consequence[0] ? ". " : "",
			 statement.consequence ? statement.consequence : "");
		basis_add(&b, row);
		rc = add_fact(store, "audit_coverage", subject,
			      statement.coverage == FACTS_COVERAGE_RECORDED	   ? "recorded"
			      : statement.coverage == FACTS_COVERAGE_NOT_RECORDED ? "not recorded"
										    : "unknown",
			      detail, &b, hive, policy && policy->layout_established ? "high" : "low",
			      "§3.3");
	}
	basis_free(&b);
	facts_audit_policy_free(policy);
	return rc;
}

static int derive_system(struct store *store, const struct rows *r, int64_t hive)
{
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->count; i++) {
		const struct store_reg_value *row = &r->rows[i];
		const char *services = strcasestr(row->key_path, "\\Services\\");
		char detail[1024], subject[256];

		if (!is_kind(row, "SYSTEM", hive) || !row->value_name)
			continue;
		if (services && strcasecmp(row->value_name, "Start") == 0) {
			/* §2.3: start type of a service the sandbox relies on. */
			const struct facts_dword start = dword_of(row);
			char image_key[1024];
			const struct store_reg_value *image;

			snprintf(image_key, sizeof image_key, "%s", row->key_path);
			image = find(r, hive, image_key, "ImagePath");
			snprintf(subject, sizeof subject, "%s", services + strlen("\\Services\\"));
			snprintf(detail, sizeof detail, "service %s (%s): start %s%s%s", subject,
				 row->key_path, start.present ? facts_service_start_name(start.value)
							      : "unreadable",
				 image && image->decoded ? ", image " : "",
				 image && image->decoded ? image->decoded : "");
			basis_add(&b, row);
			basis_add(&b, image);
			rc = add_fact(store, "service", subject,
				      start.present ? facts_service_start_name(start.value) : "unknown",
				      detail, &b, hive, "high", "§2.3");
		} else if (strcasecmp(row->value_name, "ComputerName") == 0 && row->decoded &&
			   strcasestr(row->key_path, "ComputerName\\ComputerName")) {
			snprintf(detail, sizeof detail, "computer name %s (%s)", row->decoded,
				 row->key_path);
			basis_add(&b, row);
			rc = add_fact(store, "host", "ComputerName", row->decoded, detail, &b, hive,
				      "high", "§2.3");
		}
	}
	basis_free(&b);
	return rc;
}

/* ---- §2.6 the host of each evidence file ------------------------------------------------- */

struct computer_row {
	int64_t evidence_id, records, first_event;
	char *path, *computer;
};

struct computer_rows {
	struct computer_row *rows;
	size_t count;
};

static int collect_computer(void *context, int64_t evidence_id, const char *path,
			    const char *computer, int64_t records, int64_t first_event)
{
	struct computer_rows *c = context;
	struct computer_row *grown = realloc(c->rows, (c->count + 1) * sizeof *grown);

	if (!grown)
		return -1;
	c->rows = grown;
	grown[c->count] = (struct computer_row){evidence_id, records, first_event,
						 strdup(path ? path : ""),
						 strdup(computer ? computer : "")};
	c->count++;
	return grown[c->count - 1].path && grown[c->count - 1].computer ? 0 : -1;
}

/* The computer name a SYSTEM hive EVIDENCE_ID names (§2.3), or NULL. */
static const struct store_reg_value *hive_computer_name(const struct rows *r, int64_t evidence_id)
{
	const struct store_reg_value *row = find_in_control_set(r, evidence_id,
								"Control\\ComputerName\\ComputerName",
								"ComputerName");
	return row && row->decoded && row->decoded[0] ? row : NULL;
}

/* §2.6: one evidence_host fact per file that names its host (an event log by the System/Computer
 * of its records, a SYSTEM hive by its ComputerName), then one host/hostname fact for the case:
 * the SYSTEM hive's name, or the event logs' when there is no SYSTEM hive, with whether every
 * file agrees. */
static int derive_hosts(struct store *store, const struct rows *r)
{
	struct computer_rows c = {NULL, 0};
	struct strbuf names = STRBUF_INIT, disagree = STRBUF_INIT;
	struct basis b = {STRBUF_INIT, 0, STRBUF_INIT};
	const char *case_host = NULL;
	char case_basis[64] = "";
	size_t files = 0;
	int rc = store_each_evidence_computer(store, collect_computer, &c);

	for (size_t i = 0; rc == 0 && i < c.count; i++) {
		const struct computer_row *top = &c.rows[i];
		const struct store_reg_value *hive = hive_computer_name(r, top->evidence_id);
		int64_t total = 0;
		size_t end = i;
		char detail[1024];

		while (end < c.count && c.rows[end].evidence_id == top->evidence_id)
			total += c.rows[end++].records;
		strbuf_free(&names);
		for (size_t k = i + 1; k < end; k++)
			strbuf_printf(&names, "%s%s (%lld)", names.length ? ", " : "",
				      c.rows[k].computer[0] ? c.rows[k].computer : "(empty)",
				      (long long)c.rows[k].records);
		i = end - 1;
		if (hive) {
			snprintf(detail, sizeof detail, "the SYSTEM hive's ComputerName (%s)",
				 hive->key_path);
			basis_add(&b, hive);
			rc = add_fact(store, "evidence_host", top->path, hive->decoded, detail, &b,
				      top->evidence_id, "high", "§2.6");
			if (!case_host) {
				case_host = hive->decoded;
				snprintf(case_basis, sizeof case_basis, "reg_values:%lld",
					 (long long)hive->id);
			}
		} else if (top->records > 0 && top->computer[0]) {
			snprintf(detail, sizeof detail, "System/Computer of %lld of the %lld event records "
				 "stored from this file%s%s", (long long)top->records, (long long)total,
				 names.length ? "; also " : "", strbuf_text(&names));
			/* the basis names the first of those records (events.id=ID) */
			strbuf_printf(&b.text, "events.id=%lld", (long long)top->first_event);
			rc = add_fact(store, "evidence_host", top->path, top->computer, detail, &b,
				      top->evidence_id, names.length ? "medium" : "high", "§2.6");
		} else {
			continue;
		}
		files++;
	}
	/* The case's host: the first SYSTEM hive's name, else the first event log's. */
	for (size_t i = 0; !case_host && i < c.count; i++)
		if (c.rows[i].records > 0 && c.rows[i].computer[0]) {
			case_host = c.rows[i].computer;
			snprintf(case_basis, sizeof case_basis, "events.id=%lld",
				 (long long)c.rows[i].first_event);
		}
	strbuf_free(&names);
	for (size_t i = 0; rc == 0 && case_host && i < c.count; i++) {
		const struct store_reg_value *hive = hive_computer_name(r, c.rows[i].evidence_id);
		const char *name = hive ? hive->decoded : c.rows[i].computer;

		if ((i > 0 && c.rows[i - 1].evidence_id == c.rows[i].evidence_id) ||
		    (!hive && (!c.rows[i].records || !name[0])) || hosts_same_name(name, case_host))
			continue; /* a file's less frequent names; a file naming none; agreement */
		strbuf_printf(&disagree, "%s%s names %s", disagree.length ? "; " : "", c.rows[i].path,
			      name);
	}
	if (rc == 0 && case_host) {
		char detail[2048];

		snprintf(detail, sizeof detail, "%zu evidence files name their host; %s%s", files,
			 disagree.length ? "they disagree: " : "all name this host (the first DNS label "
			 "of an event log's Computer compared with a bare name)",
			 strbuf_text(&disagree));
		strbuf_append_str(&b.text, case_basis);
		rc = add_fact(store, "host", "hostname", case_host, detail, &b, 0,
			      disagree.length ? "medium" : "high", "§2.6");
	}
	strbuf_free(&disagree);
	basis_free(&b);
	for (size_t i = 0; i < c.count; i++) {
		free(c.rows[i].path);
		free(c.rows[i].computer);
	}
	free(c.rows);
	return rc;
}

/* The command-line inclusion of the SOFTWARE hive read alongside (for the 4688 coverage). */
static void cmdline_of(const struct rows *r, struct facts_cmdline_result *out, int *found)
{
	struct facts_cmdline_input in;

	*found = 0;
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->rows[i].hive_kind, "SOFTWARE") == 0) {
			memset(&in, 0, sizeof in);
			in.policies_value = dword_of(find(r, r->rows[i].evidence_id, KEY_CMDLINE_POLICY,
							  "ProcessCreationIncludeCmdLine_Enabled"));
			*found = facts_decide_cmdline_inclusion(&in, out) == 0;
			return;
		}
}

/* The facts of the hives in scope (one host's, §2.7); ABSENCE: also say which facts no hive
 * in scope could give. */
static int derive_scope(struct store *store, int absence)
{
	struct rows r = {NULL, 0};
	struct facts_cmdline_result cmdline;
	int64_t done[64];
	size_t done_count = 0;
	int rc, have_cmdline, kinds_seen = 0;

	if (store_load_reg_values(store, &r.rows, &r.count) != 0)
		return -1;
	cmdline_of(&r, &cmdline, &have_cmdline);
	rc = 0;
	/* One pass per hive (evidence row), in the order they were stored. */
	for (size_t i = 0; rc == 0 && i < r.count; i++) {
		int64_t hive = r.rows[i].evidence_id;
		size_t j;

		for (j = 0; j < done_count && done[j] != hive; j++)
			;
		if (j < done_count)
			continue;
		if (done_count == sizeof done / sizeof done[0]) {
			/* More hives than any collection of one host holds: say so, never silently. */
			rc = add_fact(store, "host", "hives", "not all read",
				      "more than 64 hives in the collection: host facts were derived from "
				      "the first 64 only", NULL, hive, "low", "§2");
			break;
		}
		done[done_count++] = hive;
		if (strcmp(r.rows[i].hive_kind, "SOFTWARE") == 0) {
			kinds_seen |= 1;
			rc = derive_software(store, &r, hive);
		} else if (strcmp(r.rows[i].hive_kind, "SECURITY") == 0) {
			kinds_seen |= 2;
			rc = derive_security(store, &r, hive, have_cmdline ? &cmdline : NULL);
		} else if (strcmp(r.rows[i].hive_kind, "SYSTEM") == 0) {
			kinds_seen |= 4;
			rc = derive_system(store, &r, hive);
			if (rc == 0)
				rc = derive_system_identity(store, &r, hive);
			if (rc == 0)
				rc = derive_bam(store, &r, hive);
		}
	}
	/* Absence is information (DESIGN.md): say which facts could not be established. */
	if (rc == 0 && absence && !(kinds_seen & 1))
		rc = add_fact(store, "feature_state", "Windows Sandbox (Containers-DisposableClientVM)",
			      "unknown", "no SOFTWARE hive in the collection: feature state, sandbox "
			      "policy and command-line auditing cannot be established",
			      NULL, 0, "low", "§2.1");
	if (rc == 0 && absence && !(kinds_seen & 2))
		rc = add_fact(store, "audit_policy", "PolAdtEv layout", "absent",
			      "no SECURITY hive in the collection: whether an absent 4688/4698 means "
			      "\"did not happen\" or \"was not recorded\" cannot be decided",
			      NULL, 0, "low", "§3.3");
	if (rc == 0)
		rc = store_facts_from_taskcache(store); /* decoded at ingest (src/task_cache.c) */
	if (rc == 0)
		rc = derive_hosts(store, &r);
	if (rc == 0)
		rc = servicing_facts_derive(store); /* CBS.log / dism.log, §2.8 */
	store_free_reg_values(r.rows, r.count);
	return rc;
}

/* Collects "PATH: why" of the files of no host, the first ten. */
static int unassigned_row(void *context, int columns, const char *const *names,
			  const char *const *values)
{
	struct strbuf *text = context;

	(void)columns;
	(void)names;
	strbuf_printf(text, "%s%s", text->length ? "; " : "", values[0]);
	return 0;
}

/* §2.7: files given to no host are said, never silently left out of every host. */
static int derive_unassigned(struct store *store, size_t count)
{
	struct strbuf list = STRBUF_INIT, detail = STRBUF_INIT;
	char value[32];
	int rc = store_query(store,
			     "SELECT basis FROM main.evidence_hosts WHERE host_id IS NULL ORDER BY "
			     "evidence_id LIMIT 10",
			     unassigned_row, &list);

	snprintf(value, sizeof value, "%zu file%s", count, count == 1 ? "" : "s");
	strbuf_printf(&detail, "%zu evidence file%s could not be given to one host: no SYSTEM hive or "
		      "event log names it, and no folder around %s holds files naming exactly one "
		      "host; the rows read from %s are correlated only with those of other files of no "
		      "host%s: %s", count, count == 1 ? "" : "s", count == 1 ? "it" : "them",
		      count == 1 ? "it" : "them", count > 10 ? " (the first ten)" : "",
		      strbuf_text(&list));
	if (rc == 0)
		rc = strbuf_failed(&detail) ? -1
					    : add_fact(store, "host", "unassigned files", value,
						       strbuf_text(&detail), NULL, 0, "high", "§2.7");
	strbuf_free(&list);
	strbuf_free(&detail);
	return rc;
}

/* The hosts first (§2.7), then the facts of each host from its own hives only: host A's feature
 * state, policies or time zone are never read from host B's hives. A case naming no host is one
 * scope, as before there were hosts; files given to no host are a scope of their own, whose facts
 * carry no host. */
int host_facts_derive(struct store *store)
{
	size_t hosts = 0, unassigned = 0;
	int rc;

	if (store_clear_facts(store) != 0 || hosts_establish(store, &hosts, &unassigned) != 0)
		return -1;
	rc = hosts ? 0 : derive_scope(store, 1);
	for (size_t h = 1; rc == 0 && h <= hosts; h++)
		if ((rc = store_scope_host(store, (int64_t)h)) == 0)
			rc = derive_scope(store, 1);
	if (rc == 0 && hosts && unassigned && (rc = store_scope_host(store, STORE_SCOPE_UNASSIGNED)) == 0)
		rc = derive_scope(store, 0);
	if (store_scope_host(store, STORE_SCOPE_CASE) != 0)
		rc = -1;
	if (rc == 0 && hosts && unassigned)
		rc = derive_unassigned(store, unassigned);
	return rc;
}

struct print_state {
	FILE *out;
	char kind[64];
	int64_t host_id;         /* of the facts printed last; -1 before the first */
};

static int print_fact(void *context, const struct store_fact *f)
{
	struct print_state *p = context;
	char when[40] = "";

	if (f->host_id != p->host_id) {
		/* §2.7: each host's facts under its name */
		fprintf(p->out, "%s== %s%s ==\n", p->host_id >= 0 ? "\n" : "",
			f->host ? "host " : "", f->host ? f->host : "files of no host");
		p->host_id = f->host_id;
		p->kind[0] = '\0';
	}
	if (strcmp(p->kind, f->kind) != 0) {
		fprintf(p->out, "%s%s\n", p->kind[0] ? "\n" : "", f->kind);
		snprintf(p->kind, sizeof p->kind, "%s", f->kind);
	}
	if (f->time)
		filetime_format_iso(f->time, when, sizeof when);
	fprintf(p->out, "  %-40s %s\n      %s\n      basis: %s%s%s  confidence: %s  (%s)\n",
		f->subject, f->value, f->detail, f->basis[0] ? f->basis : "(absence of rows)",
		when[0] ? "  last written " : "", when, f->confidence, f->section);
	return 0;
}

int host_facts_print(struct store *store, FILE *out)
{
	struct print_state state = {out, "", -1};
	return store_each_fact(store, print_fact, &state);
}
