/* Library-internal: the one check that text is UTF-8. */
#ifndef PERFDB_UTIL_UTF8_H
#define PERFDB_UTIL_UTF8_H

#include <stddef.h>

/*
 * The length (2 to 4) of the well-formed UTF-8 character of more than one
 * byte at p (RFC 3629: no overlong form, surrogate or code point past
 * U+10FFFF), or 0. Reads at most avail bytes, and none past the first that
 * is not a continuation: a NUL-terminated text may pass 4.
 */
int perfdb_utf8_length(const unsigned char *p, size_t avail);

/*
 * The offset of the first byte of the n bytes at s that does not start a
 * well-formed UTF-8 character (RFC 3629: no stray continuation, overlong
 * form, surrogate or code point past U+10FFFF, and no character cut at the
 * end), or n when they are all UTF-8. NUL is a character here: callers that
 * take C strings see none inside.
 */
size_t perfdb_utf8_bad(const char *s, size_t n);

/* Makes the C string s UTF-8 in place: each byte perfdb_utf8_bad stops at
 * becomes '?' (text perfdb did not choose, a git commit's subject written in
 * another encoding, is kept legible rather than refused). */
void perfdb_utf8_mend(char *s);

/*
 * Whether s may be kept as a name, tag, note or metadata value: 0, or
 * PERFDB_EINVAL with a message naming `what` when it is longer than
 * PERFDB_NAME_MAX bytes (nobody's name: it was stored, printed and compared
 * at every use) or not UTF-8 (JSON output could not carry it, and the
 * store would keep bytes no reader of the history can show as written).
 */
int perfdb_util__text_ok(const char *what, const char *s);

#endif
