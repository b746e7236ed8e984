/* Library-internal: running git. */
#ifndef PERFDB_UTIL_GIT_H
#define PERFDB_UTIL_GIT_H

#include <stddef.h>

/*
 * Runs `git -C dir ARGS...` (dir NULL: the current directory) without a
 * shell, so revisions from users cannot inject commands, with stdin and
 * stderr on /dev/null. Returns its whole stdout, NUL-terminated (caller
 * frees), and its length in *len (may be NULL); NULL when git is missing,
 * exits non-zero, or memory runs out. args ends with NULL (at most 12).
 */
char *perfdb_util__git_output(const char *dir, const char *const *args, size_t *len);

#endif
