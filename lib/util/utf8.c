/* See utf8.h. */
#include <string.h>

#include "util/utf8.h"

size_t perfdb_utf8_bad(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	while (i < n) {
		unsigned char c = p[i], lo = 0x80, hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		else
			return i;
		/* the second byte's range rules out overlong forms, surrogates
		 * and code points past U+10FFFF */
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (len > n - i || p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (k = 2; k < len; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
		i += len;
	}
	return n;
}

void perfdb_utf8_mend(char *s)
{
	size_t n = strlen(s), i = 0;
	while ((i += perfdb_utf8_bad(s + i, n - i)) < n)
		s[i++] = '?';
}
