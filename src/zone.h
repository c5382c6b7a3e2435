/*
 * zone.h - the time zone times are shown in on the terminal and in the report (--display-zone).
 * Stored times and the timeline files stay UTC; a display zone only changes how a time is
 * written for a reader: local time with its offset, and the UTC time beside it.
 *
 * The zone rules are the system's time zone database, applied by the C library (TZ and
 * localtime_r / mktime); the host's Windows zone name (the host.time_zone fact, read from the
 * SYSTEM hive's TimeZoneInformation) is mapped to its IANA name by ICU's copy of the Unicode CLDR
 * table. Nothing here decodes zone rules by hand (METHOD.md §8.7).
 *
 * A display zone sets the process's TZ once, when it is opened; sandtrace writes UTC everywhere
 * else through its own arithmetic (timeutil.h), so no other output depends on TZ.
 */
#ifndef SANDTRACE_ZONE_H
#define SANDTRACE_ZONE_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct display_zone {
	int active;      /* 0: UTC only (no --display-zone, or "UTC") */
	char name[96];   /* IANA name in force ("Asia/Tokyo"), "" when not active */
	char label[512]; /* what the reader is told: the zone and where it came from */
};

/* The host's configured zone as an IANA name, from the host.time_zone fact of STORE: *IANA is set
 * (size IANA_SIZE) and WINDOWS_NAME holds the Windows name the fact states. Returns 1 when found
 * and mapped, 0 when the store has no such fact or its name has no IANA mapping (WINDOWS_NAME then
 * says which), -1 on a store error. */
int zone_host(struct store *store, char *iana, size_t iana_size, char *windows_name,
	      size_t windows_size);

/* Opens the display zone SPEC: an IANA name ("Asia/Tokyo"), "UTC", or "host" (the host's zone,
 * from STORE; when the collection does not state it, times stay UTC and the label says so).
 * Returns 0, or -1 with ERR filled when SPEC names no zone of the system's database. */
int zone_open(const char *spec, struct store *store, struct display_zone *zone, char *err,
	      size_t err_size);

/* FILETIME as local time in ZONE with its offset, "2025-01-07T09:02:24.1150339+09:00" (100 ns
 * digits kept); in UTC (zone not active) the ISO UTC text "...Z". */
void zone_format(const struct display_zone *zone, uint64_t filetime, char *out, size_t size);

/* The local time LOCAL ("2025-01-07T09:00:00", the form task XML writes, no offset) read in the
 * IANA zone IANA, as a FILETIME in *FILETIME. Returns 0, or -1 when the text is not such a time.
 * The display zone in force is kept (TZ is restored). */
int zone_local_to_filetime(const char *iana, const char *local, uint64_t *filetime);

#endif
