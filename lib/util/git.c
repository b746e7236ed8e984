#include "util/git.h"

#include <stdlib.h>
#include <sys/wait.h>

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
