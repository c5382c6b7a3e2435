/* test_zone.c - display zones: a known UTC instant shown in Asia/Tokyo and in America/New_York on
 * both sides of each daylight-saving change, task XML local times read back in a zone, and names
 * that are not zones refused. Expected values are the zones' published rules (Japan: +09:00 all
 * year; New York 2025: EDT from 2025-03-09 07:00Z to 2025-11-02 06:00Z). */
#include "check.h"

#include "timeutil.h"
#include "zone.h"

/* FILETIME of a UNIX time plus 100 ns units. */
static uint64_t at(int64_t unix_seconds, unsigned units)
{
	return (uint64_t)(unix_seconds * 10000000LL) + FILETIME_UNIX_EPOCH + units;
}

static const char *shown(const struct display_zone *zone, uint64_t t)
{
	static char text[64];
	zone_format(zone, t, text, sizeof text);
	return text;
}

int main(void)
{
	struct display_zone zone;
	char err[512];
	uint64_t t = 0;

	/* UTC: the ISO text with Z, as everywhere else */
	CHECK(zone_open("UTC", NULL, &zone, err, sizeof err) == 0 && !zone.active);
	CHECK_STR(shown(&zone, at(1736208144, 1150339)), "2025-01-07T00:02:24.1150339Z");
	CHECK(zone_open(NULL, NULL, &zone, err, sizeof err) == 0 && !zone.active);

	CHECK(zone_open("Asia/Tokyo", NULL, &zone, err, sizeof err) == 0 && zone.active);
	CHECK_STR(shown(&zone, at(1736208144, 1150339)), "2025-01-07T09:02:24.1150339+09:00");
	CHECK_STR(shown(&zone, at(1751371200, 0)), "2025-07-01T21:00:00.0000000+09:00");

	CHECK(zone_open("America/New_York", NULL, &zone, err, sizeof err) == 0 && zone.active);
	CHECK_STR(shown(&zone, at(1736208144, 1150339)), "2025-01-06T19:02:24.1150339-05:00");
	CHECK_STR(shown(&zone, at(1741503599, 0)), "2025-03-09T01:59:59.0000000-05:00");
	CHECK_STR(shown(&zone, at(1741503600, 0)), "2025-03-09T03:00:00.0000000-04:00");
	CHECK_STR(shown(&zone, at(1762063199, 0)), "2025-11-02T01:59:59.0000000-04:00");
	CHECK_STR(shown(&zone, at(1762063200, 0)), "2025-11-02T01:00:00.0000000-05:00");

	/* task XML local times, read in a zone; the display zone stays in force afterwards */
	CHECK(zone_local_to_filetime("Asia/Tokyo", "2025-01-06T15:12:33", &t) == 0 &&
	      t == at(1736143953, 0));
	CHECK(zone_local_to_filetime("America/New_York", "2025-07-01T09:00:00", &t) == 0 &&
	      t == at(1751374800, 0));
	CHECK(zone_local_to_filetime("America/New_York", "2025-01-07T09:00:00", &t) == 0 &&
	      t == at(1736258400, 0));
	CHECK_STR(shown(&zone, at(1736208144, 1150339)), "2025-01-06T19:02:24.1150339-05:00");
	CHECK(zone_local_to_filetime("Asia/Tokyo", "2025-01-06 15:12", &t) == -1);
	CHECK(zone_local_to_filetime("Asia/Tokyo", "2025-01-06T15:12:33+01:00", &t) == -1);

	/* not zones: refused with a reason, never silently UTC */
	CHECK(zone_open("Mars/Olympus_Mons", NULL, &zone, err, sizeof err) == -1 &&
	      strstr(err, "not a time zone") != NULL);
	CHECK(zone_open("../../etc/passwd", NULL, &zone, err, sizeof err) == -1);
	CHECK(zone_open("/usr/share/zoneinfo/Asia/Tokyo", NULL, &zone, err, sizeof err) == -1);
	/* host without a store: UTC, and the label says the zone is not known */
	CHECK(zone_open("host", NULL, &zone, err, sizeof err) == 0 && !zone.active &&
	      strstr(zone.label, "does not state") != NULL);
	return check_done("test_zone");
}
