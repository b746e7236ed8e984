/*
 * The one ISO 8601 parser. It checks the calendar itself instead of letting
 * timegm normalise: 2024-02-30 would otherwise become 2024-03-01, a date
 * nobody wrote, and silently move a run to another day.
 */
#include "util/time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "perfdb/context.h"
#include "util/error.h"

static bool digits(const char *s, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil): no timegm, no TZ, no normalising. */
static long long days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int bad(const char *text, unsigned flags, const char *why)
{
	return perfdb_error__set(
	    PERFDB_EINVAL, "'%s' is not an ISO 8601 time%s (such as 2026-11-25T09:00:00Z): %s",
	    text, flags & PERFDB_TIME_NO_ZONE ? "" : " with a zone", why);
}

int perfdb_util__time_parse(char *buf, size_t cap, const char *text, unsigned flags)
{
	static const char *const months[] = {"January",	  "February", "March",	  "April",
					     "May",	  "June",     "July",	  "August",
					     "September", "October",  "November", "December"};
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	const char *p = text;
	long long t;
	time_t tt;
	struct tm tm;
	char why[96];

	if (!text)
		return bad("", flags, "no text");
	if (!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
	    !digits(p + 8, 2, &d))
		return bad(text, flags, "expected a date YYYY-MM-DD");
	if (mo < 1 || mo > 12)
		return bad(text, flags, "the month is not 01 to 12");
	if (d < 1 || d > days_in_month(y, mo)) {
		snprintf(why, sizeof(why), "no such day, %s %04d has %d days", months[mo - 1], y,
			 days_in_month(y, mo));
		return bad(text, flags, why);
	}
	p += 10;
	if (*p == '\0') {
		if (!(flags & PERFDB_TIME_DATE_ONLY))
			return bad(text, flags, "expected a time of day and a zone after the date");
		goto done;
	}
	if (*p != 'T' && *p != 't' && *p != ' ')
		return bad(text, flags, "expected 'T' between the date and the time");
	if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
		return bad(text, flags, "expected a time HH:MM[:SS]");
	p += 6;
	if (*p == ':') {
		if (!digits(p + 1, 2, &sec))
			return bad(text, flags, "expected seconds after ':'");
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			if (*p < '0' || *p > '9')
				return bad(text, flags, "expected digits after the decimal point");
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (h > 23 || mi > 59 || sec > 60)
		return bad(text, flags, "the time of day is out of range");
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh))
			return bad(text, flags, "expected a zone offset +hh:mm");
		p += 3;
		if (*p == ':')
			p++;
		if (!digits(p, 2, &om))
			return bad(text, flags, "expected a zone offset +hh:mm");
		p += 2;
		if (oh > 23 || om > 59)
			return bad(text, flags, "the zone offset is out of range");
	} else if (!(flags & PERFDB_TIME_NO_ZONE)) {
		return bad(text, flags,
			   "no zone (add Z for UTC, or +hh:mm): without one a time means a "
			   "different instant on every machine");
	}
	if (*p)
		return bad(text, flags, "unexpected text after the time");
done:
	if (sec == 60)
		sec = 59; /* a leap second: the instant before */
	t = days_from_civil(y, mo, d) * 86400LL + h * 3600LL + mi * 60LL + sec;
	t -= (long long)sign * (oh * 3600LL + om * 60LL);
	tt = (time_t)t;
	if ((long long)tt != t || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999)
		return bad(text, flags, "the year is out of range");
	if (cap < 21)
		return perfdb_error__set(PERFDB_EINVAL, "time buffer too small");
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return 0;
}

void perfdb_time_now_iso(char *buf, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int perfdb_time_parse_iso(char *buf, size_t cap, const char *text)
{
	return perfdb_util__time_parse(buf, cap, text, PERFDB_TIME_DATE_ONLY | PERFDB_TIME_NO_ZONE);
}
