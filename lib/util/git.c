#include "util/git.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "perfdb/common.h"
#include "util/error.h"
#include "util/run.h"

char *perfdb_util__git_output(const char *dir, const char *const *args, size_t *lenp)
{
	const char *argv[16];
	int i = 0, j, status = 0;
	char *buf;

	argv[i++] = "git";
	if (dir) {
		argv[i++] = "-C";
		argv[i++] = dir;
	}
	for (j = 0; args[j] && i < 15; j++)
		argv[i++] = args[j];
	argv[i] = NULL;
	/* git missing or failing is not an error for the callers (the context
	 * has other sources): NULL, as git.h says */
	if (perfdb_util__run_output(&buf, lenp, &status, argv) != 0)
		return NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *perfdb_util__git_text(const char *dir, const char *const *args)
{
	size_t len = 0;
	char *buf = perfdb_util__git_output(dir, args, &len);
	if (!buf)
		return NULL;
	while (len && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	if (!len) {
		free(buf);
		return NULL;
	}
	return buf;
}

int perfdb_util__git_resolve(char **out, const char *dir, const char *rev)
{
	char spec[512];
	const char *args[] = {"rev-parse", "--verify", "--quiet", spec, NULL};
	*out = NULL;
	if (!rev || !*rev || rev[0] == '-')
		return perfdb_error__set(PERFDB_ENOTFOUND, "bad revision '%s'", rev ? rev : "");
	snprintf(spec, sizeof(spec), "%s^{commit}", rev);
	*out = perfdb_util__git_text(dir, args);
	if (!*out)
		return perfdb_error__set(PERFDB_ENOTFOUND,
					 "cannot resolve revision '%s' with git in '%s'", rev,
					 dir ? dir : ".");
	return 0;
}
