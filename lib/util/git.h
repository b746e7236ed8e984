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

/* perfdb_util__git_output with trailing white space removed; NULL also when
 * git prints nothing. */
char *perfdb_util__git_text(const char *dir, const char *const *args);

/*
 * Resolves a revision (sha prefix, branch, tag, HEAD~2, origin/main) to a
 * full sha with git in dir (NULL: the current directory). *out is a new
 * string owned by the caller (free()). A revision starting with '-' is
 * refused (never an option to git). Errors: PERFDB_ENOTFOUND (not a
 * repository, or unknown revision).
 */
int perfdb_util__git_resolve(char **out, const char *dir, const char *rev);

#endif
