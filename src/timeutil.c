/*
 * timeutil.c - FILETIME conversions (see timeutil.h). Pure arithmetic on the proleptic Gregorian
 * calendar, so no time zone or locale can leak in.
 */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian); the classic days-from-civil algorithm. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

uint64_t filetime_from_unix(int64_t seconds, long nanoseconds)
{
	int64_t ticks = seconds * 10000000 + nanoseconds / 100;
	if (ticks < -(int64_t)FILETIME_UNIX_EPOCH)
		return 0;
	return (uint64_t)(ticks + (int64_t)FILETIME_UNIX_EPOCH);
}

uint64_t filetime_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return filetime_from_unix(now.tv_sec, now.tv_nsec);
}

static int read_digits(const char **p, int count, unsigned *value)
{
	*value = 0;
	for (int i = 0; i < count; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*value = *value * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	return 0;
}

int filetime_parse_iso(const char *text, uint64_t *filetime)
{
	const char *p = text;
	unsigned year, month, day, hour, minute, second, fraction = 0;
	int digits = 0;

	if (read_digits(&p, 4, &year) || *p++ != '-' || read_digits(&p, 2, &month) || *p++ != '-' ||
	    read_digits(&p, 2, &day) || (*p != 'T' && *p != ' ') || !*p++ ||
	    read_digits(&p, 2, &hour) || *p++ != ':' || read_digits(&p, 2, &minute) ||
	    *p++ != ':' || read_digits(&p, 2, &second))
		return -1;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
	    second > 60 || year < 1601)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (digits < 7) {
				fraction = fraction * 10 + (unsigned)(*p - '0');
				digits++;
			}
			p++;
		}
		while (digits < 7) {
			fraction *= 10;
			digits++;
		}
	}
	if (*p == 'Z')
		p++;
	else if (strcmp(p, "+00:00") == 0)
		p += 6;
	else
		return -1;
	if (*p)
		return -1;
	int64_t days = days_from_civil(year, month, day);
	int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
	*filetime = filetime_from_unix(seconds, 0) + fraction;
	return 0;
}

void filetime_format_iso(uint64_t filetime, char *out, size_t out_size)
{
	int64_t ticks = (int64_t)(filetime - FILETIME_UNIX_EPOCH);
	int64_t seconds, days, year;
	unsigned month, day, rest, fraction;

	if (filetime < FILETIME_UNIX_EPOCH)
		ticks = -(int64_t)(FILETIME_UNIX_EPOCH - filetime);
	seconds = ticks >= 0 ? ticks / 10000000 : -((-ticks + 9999999) / 10000000);
	fraction = (unsigned)(ticks - seconds * 10000000);
	days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	rest = (unsigned)(seconds - days * 86400);
	civil_from_days(days, &year, &month, &day);
	snprintf(out, out_size, "%04lld-%02u-%02uT%02u:%02u:%02u.%07uZ", (long long)year, month, day,
		 rest / 3600, rest / 60 % 60, rest % 60, fraction);
}
