/*
 * zone.c - display time zones (see zone.h).
 */
#include "zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "store.h"
#include "timeutil.h"

/* The system's zone database: the C library reads its files from here (TZDIR overrides). */
static const char *zone_directory(void)
{
	const char *dir = getenv("TZDIR");
	return dir && *dir ? dir : "/usr/share/zoneinfo";
}

/* Whether NAME is a zone of the system's database: a relative path of letters, digits and
 * "_+-/" naming a file there. (glibc falls back to UTC for an unknown name without a word, so the
 * name is checked first.) */
static int zone_exists(const char *name)
{
	char path[512];

	if (!*name || name[0] == '/' || strstr(name, "..") || strlen(name) > 80)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      strchr("_+-/", *p)))
			return 0;
	snprintf(path, sizeof path, "%s/%s", zone_directory(), name);
	return access(path, R_OK) == 0;
}

static void use_zone(const char *name)
{
	char tz[128];
	snprintf(tz, sizeof tz, ":%s", name);
	setenv("TZ", tz, 1);
	tzset();
}

struct fact_text {
	char value[256];
	int found;
};

static int fact_row(void *context, int columns, const char *const *names, const char *const *v)
{
	struct fact_text *f = context;
	(void)columns;
	(void)names;
	if (!f->found && v[0]) {
		snprintf(f->value, sizeof f->value, "%s", v[0]);
		f->found = 1;
	}
	return 0;
}

int zone_host(struct store *store, char *iana, size_t iana_size, char *windows_name,
	      size_t windows_size)
{
	struct fact_text fact = {"", 0};
	UChar windows[128], id[128];
	UErrorCode status = U_ZERO_ERROR;
	char *cut;
	int32_t length;

	iana[0] = windows_name[0] = '\0';
	if (store_query(store,
			"SELECT value FROM v_report_facts WHERE kind = 'host' AND subject = "
			"'time_zone' ORDER BY id",
			fact_row, &fact) != 0)
		return -1;
	if (!fact.found)
		return 0;
	/* the fact's value: "Tokyo Standard Time (+09:00, bias -540 min)" */
	if ((cut = strstr(fact.value, " (")) != NULL)
		*cut = '\0';
	snprintf(windows_name, windows_size, "%s", fact.value);
	if (!*fact.value || strlen(fact.value) >= sizeof windows / sizeof windows[0])
		return 0;
	u_charsToUChars(fact.value, windows, (int32_t)strlen(fact.value) + 1);
	length = ucal_getTimeZoneIDForWindowsID(windows, -1, NULL, id, 128, &status);
	if (U_FAILURE(status) || length <= 0 || length >= 128)
		return 0;
	if ((size_t)length >= iana_size)
		return 0;
	u_UCharsToChars(id, iana, length);
	iana[length] = '\0';
	return zone_exists(iana) ? 1 : 0;
}

int zone_open(const char *spec, struct store *store, struct display_zone *zone, char *err,
	      size_t err_size)
{
	memset(zone, 0, sizeof *zone);
	if (!spec || !strcmp(spec, "UTC") || !strcmp(spec, "utc")) {
		snprintf(zone->label, sizeof zone->label, "UTC");
		return 0;
	}
	if (!strcmp(spec, "host")) {
		char iana[96] = "", windows[128] = "";
		int found = store ? zone_host(store, iana, sizeof iana, windows, sizeof windows) : 0;
		if (found < 0) {
			snprintf(err, err_size, "the host's time zone could not be read from the store");
			return -1;
		}
		if (!found) {
			snprintf(zone->label, sizeof zone->label,
				 windows[0] ? "UTC: the host's zone \"%s\" has no IANA equivalent, so "
					      "times are shown in UTC"
					    : "UTC: the collection does not state the host's time zone "
					      "(no TimeZoneInformation in a SYSTEM hive), so times are "
					      "shown in UTC%s",
				 windows);
			return 0;
		}
		zone->active = 1;
		snprintf(zone->name, sizeof zone->name, "%s", iana);
		snprintf(zone->label, sizeof zone->label,
			 "%s, the host's configured zone (%s, from the SYSTEM hive's "
			 "TimeZoneInformation)", iana, windows);
		use_zone(iana);
		return 0;
	}
	if (!zone_exists(spec)) {
		snprintf(err, err_size,
			 "--display-zone %s: not a time zone of the system's database (%s); give an "
			 "IANA name such as Asia/Tokyo, UTC, or host",
			 spec, zone_directory());
		return -1;
	}
	zone->active = 1;
	snprintf(zone->name, sizeof zone->name, "%s", spec);
	snprintf(zone->label, sizeof zone->label, "%s", spec);
	use_zone(spec);
	return 0;
}

void zone_format(const struct display_zone *zone, uint64_t filetime, char *out, size_t size)
{
	struct tm local;
	time_t seconds;
	long offset;

	if (!zone || !zone->active || filetime < FILETIME_UNIX_EPOCH) {
		filetime_format_iso(filetime, out, size);
		return;
	}
	seconds = (time_t)((filetime - FILETIME_UNIX_EPOCH) / 10000000ULL);
	if (!localtime_r(&seconds, &local)) {
		filetime_format_iso(filetime, out, size);
		return;
	}
	offset = local.tm_gmtoff / 60;
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%07u%c%02ld:%02ld", local.tm_year + 1900,
		 local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
		 (unsigned)(filetime % 10000000ULL), offset < 0 ? '-' : '+', labs(offset) / 60,
		 labs(offset) % 60);
}

int zone_local_to_filetime(const char *iana, const char *local, uint64_t *filetime)
{
	struct tm tm;
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	time_t seconds;
	int year, month, day, hour, minute, second, used = 0;

	memset(&tm, 0, sizeof tm);
	if (sscanf(local, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
		   &used) != 6 || (local[used] && local[used] != '.') || !zone_exists(iana)) {
		free(saved);
		return -1;
	}
	tm.tm_year = year - 1900;
	tm.tm_mon = month - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = minute;
	tm.tm_sec = second;
	tm.tm_isdst = -1; /* the zone's rules say whether daylight saving applied */
	use_zone(iana);
	seconds = mktime(&tm);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	if (seconds == (time_t)-1 && !(year == 1969 || year == 1970))
		return -1;
	*filetime = (uint64_t)((int64_t)seconds * 10000000LL + (int64_t)FILETIME_UNIX_EPOCH);
	return 0;
}
