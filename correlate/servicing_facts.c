/*
 * servicing_facts.c - the feature changes CBS.log and dism.log record, as host facts (METHOD.md
 * §2.8). Interface: servicing_facts.h.
 *
 * The logs write the host's local time without an offset. A time becomes a UTC time only through
 * the zone the host was set to (the host.time_zone fact of §2.5, mapped to its IANA name by
 * src/zone.c); without it the fact keeps the time as written and says that it is not converted.
 */
#include "servicing_facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "zone.h"

#define MESSAGE_SHOWN 300 /* bytes of a line's message quoted in a fact */

struct derive_state {
	struct store *store;
	int zone_found;
	char iana[96], windows[128];
	uint64_t last_enable, last_disable;
	char last_enable_row[32], last_enable_where[512];
	int64_t last_enable_evidence;
	size_t enables, disables, unconverted;
	int rc;
};

/* The basename of PATH ('/', '\\' or '!' separated). */
static const char *base_of(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' || *p == '\\' || *p == '!')
			base = p + 1;
	return base;
}

enum { L_ID, L_EVIDENCE, L_LINE, L_OFFSET, L_CONTINUES, L_TIME, L_ACTION, L_BASIS, L_MESSAGE,
       L_PATH, L_COLUMNS };

static int on_line(void *context, int columns, const char *const *names, const char *const *v)
{
	struct derive_state *d = context;
	struct strbuf detail = STRBUF_INIT, basis = STRBUF_INIT, where = STRBUF_INIT;
	const char *path = v[L_PATH] ? v[L_PATH] : "?", *message = v[L_MESSAGE] ? v[L_MESSAGE] : "";
	int enable = strcmp(v[L_ACTION], "enable") == 0;
	uint64_t utc = 0;
	char local[24] = "", iso[40] = "";

	(void)names;
	if (columns != L_COLUMNS || d->rc)
		return d->rc;
	strbuf_printf(&where, "%s line %s (byte offset %s)", base_of(path), v[L_LINE], v[L_OFFSET]);
	if (v[L_CONTINUES])
		strbuf_printf(&where, ", continuing line %s", v[L_CONTINUES]);
	strbuf_printf(&detail, "%s records the Windows Sandbox feature being %s: %s; ",
		      strbuf_text(&where), enable ? "enabled" : "disabled", v[L_BASIS]);
	if (v[L_TIME] && strlen(v[L_TIME]) == 19) {
		snprintf(local, sizeof local, "%.10sT%.8s", v[L_TIME], v[L_TIME] + 11);
		if (d->zone_found && zone_local_to_filetime(d->iana, local, &utc) == 0) {
			filetime_format_iso(utc, iso, sizeof iso);
			strbuf_printf(&detail, "logged %s host local time, %s in the host's zone %s (%s, "
				      "from the SYSTEM hive's TimeZoneInformation)", v[L_TIME], iso,
				      d->windows, d->iana);
		} else {
			d->unconverted++;
			strbuf_printf(&detail, "logged %s host local time, not converted to UTC: %s",
				      v[L_TIME], d->zone_found ? "not a time of the host's zone"
				      : d->windows[0] ? "the host's Windows zone has no IANA name"
						      : "the collection does not state the host's time zone");
		}
	} else {
		d->unconverted++;
		strbuf_printf(&detail, "no dated line before it: its time is unknown");
	}
	strbuf_printf(&detail, "; the line: \"%.*s%s\"", MESSAGE_SHOWN, message,
		      strlen(message) > MESSAGE_SHOWN ? "..." : "");
	strbuf_printf(&basis, "servicing_log_lines:%s", v[L_ID]);
	if (enable) {
		d->enables++;
		if (utc && utc >= d->last_enable) {
			d->last_enable = utc;
			snprintf(d->last_enable_row, sizeof d->last_enable_row, "%s", v[L_ID]);
			snprintf(d->last_enable_where, sizeof d->last_enable_where, "%s",
				 strbuf_text(&where));
			d->last_enable_evidence = strtoll(v[L_EVIDENCE], NULL, 10);
		}
	} else {
		d->disables++;
		if (utc > d->last_disable)
			d->last_disable = utc;
	}
	if (strbuf_failed(&detail) || strbuf_failed(&basis) || strbuf_failed(&where)) {
		d->rc = -1;
	} else {
		struct store_fact fact = {"feature_change", strbuf_text(&where),
					  enable ? "enable" : "disable", strbuf_text(&detail), utc,
					  strbuf_text(&basis), strtoll(v[L_EVIDENCE], NULL, 10),
					  "medium", "§2.8", 0, NULL}; /* 0: the host in scope */
		d->rc = store_add_fact(d->store, &fact);
	}
	strbuf_free(&detail);
	strbuf_free(&basis);
	strbuf_free(&where);
	return d->rc;
}

/* The fact SERVICING_LAST_ENABLING: the latest enabling with a UTC time, or why there is none. */
static int add_last_enabling(struct derive_state *d)
{
	struct strbuf detail = STRBUF_INIT, basis = STRBUF_INIT;
	char iso[40] = "", later[40] = "";
	int rc;

	if (!d->enables)
		return 0;
	if (d->last_enable) {
		filetime_format_iso(d->last_enable, iso, sizeof iso);
		strbuf_printf(&detail, "the latest line of the servicing logs that records the feature "
			      "being enabled is %s, at %s (host local time converted in the zone %s); "
			      "rule ST-FEATURE-FRESH takes this time, not the LastWrite of the "
			      "OptionalFeatures key", d->last_enable_where, iso, d->iana);
		if (d->last_disable > d->last_enable) {
			filetime_format_iso(d->last_disable, later, sizeof later);
			strbuf_printf(&detail, "; a later line records it being disabled, at %s", later);
		}
		strbuf_printf(&basis, "servicing_log_lines:%s", d->last_enable_row);
	} else {
		strbuf_printf(&detail, "%zu line%s of the servicing logs record%s the feature being "
			      "enabled, but no time could be converted to UTC (see each line's fact); "
			      "rule ST-FEATURE-FRESH keeps the LastWrite of the OptionalFeatures key",
			      d->enables, d->enables == 1 ? "" : "s", d->enables == 1 ? "s" : "");
	}
	if (strbuf_failed(&detail) || strbuf_failed(&basis)) {
		rc = -1;
	} else {
		struct store_fact fact = {"feature_change", SERVICING_LAST_ENABLING,
					  d->last_enable ? iso : "not converted",
					  strbuf_text(&detail), d->last_enable, strbuf_text(&basis),
					  d->last_enable_evidence, "medium", "§2.8", 0, NULL};
		rc = store_add_fact(d->store, &fact);
	}
	strbuf_free(&detail);
	strbuf_free(&basis);
	return rc;
}

int servicing_facts_derive(struct store *store)
{
	struct derive_state d;
	int found;

	memset(&d, 0, sizeof d);
	d.store = store;
	found = zone_host(store, d.iana, sizeof d.iana, d.windows, sizeof d.windows);
	if (found < 0)
		return -1;
	d.zone_found = found == 1;
	if (store_query(store,
			"SELECT l.id, l.evidence_id, l.line_number, l.byte_offset, l.continues, "
			"l.local_time, l.action, l.action_basis, l.message, (SELECT p.path FROM "
			"evidence_paths p WHERE p.evidence_id = l.evidence_id ORDER BY p.id LIMIT 1) "
			"FROM servicing_log_lines l WHERE l.action IN ('enable', 'disable') "
			"ORDER BY l.evidence_id, l.line_number",
			on_line, &d) != 0)
		return -1;
	return add_last_enabling(&d);
}

void servicing_feature_time(struct store *store, uint64_t *time, int64_t *fact_row,
			    const char **basis)
{
	uint64_t logged = 0;
	int64_t row = 0;
	char *value = store_fact_value(store, "feature_change", SERVICING_LAST_ENABLING, &logged, &row);

	if (value && logged) {
		*time = logged;
		*fact_row = row;
		*basis = "a line of the servicing logs (CBS.log, dism.log) recording the feature being "
			 "enabled, its host local time converted to UTC (METHOD.md §2.8)";
	}
	free(value);
}
