/* See utf8.h. */
#include <string.h>

#include "perfdb/resultset.h"
#include "util/error.h"
#include "util/utf8.h"

int perfdb_utf8_length(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	/* the second byte's range rules out overlong forms, surrogates and
	 * code points past U+10FFFF */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n > avail || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return (int)n;
}

size_t perfdb_utf8_bad(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int len;
	while (i < n) {
		if (p[i] < 0x80)
			i++;
		else if ((len = perfdb_utf8_length(p + i, n - i)))
			i += (size_t)len;
		else
			return i;
	}
	return n;
}

void perfdb_utf8_mend(char *s)
{
	size_t n = strlen(s), i = 0;
	while ((i += perfdb_utf8_bad(s + i, n - i)) < n)
		s[i++] = '?';
}

int perfdb_util__text_ok(const char *what, const char *s)
{
	size_t n = strnlen(s, (size_t)PERFDB_NAME_MAX + 1), bad;
	if (n > PERFDB_NAME_MAX)
		return perfdb_error__set(PERFDB_EINVAL, "%s longer than %d bytes (%zu)", what,
					 PERFDB_NAME_MAX, strlen(s));
	if ((bad = perfdb_utf8_bad(s, n)) < n)
		return perfdb_error__set(PERFDB_EINVAL,
					 "%s is not UTF-8 (byte 0x%02X at byte %zu of %zu)", what,
					 (unsigned char)s[bad], bad + 1, n);
	return 0;
}
