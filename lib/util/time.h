/* Library-internal: the one ISO 8601 parser (public wrappers in perfdb/context.h). */
#ifndef PERFDB_UTIL_TIME_H
#define PERFDB_UTIL_TIME_H

#include <stddef.h>

/* What a caller accepts beyond "YYYY-MM-DDTHH:MM:SS" with a zone. */
enum {
	PERFDB_TIME_DATE_ONLY = 1u << 0, /* "2026-11-25" (midnight UTC) */
	PERFDB_TIME_NO_ZONE = 1u << 1	 /* a time without Z or +hh:mm is UTC */
};

/*
 * Parses an ISO 8601 / RFC 3339 time: a date, 'T' (or 't' or a space),
 * HH:MM[:SS[.fraction]], then 'Z' or +hh[:]mm / -hh[:]mm; flags widen that
 * (above). The fraction is dropped; a leap second (:60) becomes :59. The
 * calendar is checked, so 2024-02-30 and 2023-02-29 are refused, never
 * carried into March. Writes the canonical UTC form "YYYY-MM-DDTHH:MM:SSZ"
 * into buf (at least 21 bytes). Returns 0, or PERFDB_EINVAL with a message
 * that says what is wrong ("... no such day, February 2024 has 29 days").
 */
int perfdb_util__time_parse(char *buf, size_t cap, const char *text, unsigned flags);

#endif
