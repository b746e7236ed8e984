/* lib/util/run.c: the one PATH search and spawner (git, addr2line/c++filt,
 * perfdb run/load, perfdb memtrack). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "perfdb/cmdbench.h"
#include "util/run.h"

static char dir[64];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/perfdb-run.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_file("prog", "#!/bin/sh\necho found\n", 0755);
	write_file("plain", "not a program\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* PATH order, a file that is not executable skipped, an empty entry as the
 * current directory, a name with '/' taken as is, and the default PATH. */
static void test_run__which(void **state)
{
	char path[256], *got = NULL, *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	(void)state;
	snprintf(path, sizeof(path), "/nonexistent:%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	assert_int_equal(perfdb_util__which(&got, "prog"), 0);
	snprintf(path, sizeof(path), "%s/prog", dir);
	assert_string_equal(got, path);
	free(got);
	assert_int_equal(perfdb_util__which(&got, "plain"), PERFDB_ENOTFOUND);
	assert_null(got);
	assert_non_null(
	    strstr(perfdb_error_last()->message, "cannot run 'plain': command not found on PATH"));
	snprintf(path, sizeof(path), "%s/plain", dir);
	assert_int_equal(perfdb_util__which(&got, path), PERFDB_ENOTFOUND);
	assert_non_null(strstr(perfdb_error_last()->message, "not an executable file"));

	/* an empty entry: the current directory */
	assert_int_equal(chdir(dir), 0);
	setenv("PATH", "/nonexistent:", 1);
	assert_int_equal(perfdb_util__which(&got, "prog"), 0);
	assert_string_equal(got, "./prog");
	free(got);

	/* no PATH: the one default, /usr/local/bin:/usr/bin:/bin */
	unsetenv("PATH");
	assert_int_equal(perfdb_util__which(&got, "sh"), 0);
	assert_true(strcmp(got, "/usr/bin/sh") == 0 || strcmp(got, "/bin/sh") == 0 ||
		    strcmp(got, "/usr/local/bin/sh") == 0);
	free(got);
	assert_string_equal(PERFDB_RUN_DEFAULT_PATH, "/usr/local/bin:/usr/bin:/bin");
	if (old)
		setenv("PATH", old, 1);
	free(old);
}

/* The whole stdout, and the exit status (not an error). */
static void test_run__output(void **state)
{
	const char *argv[] = {"sh", "-c", "printf 'a\\nb'; echo err >&2; exit 3", NULL};
	const char *missing[] = {"perfdb-no-such-program-x", NULL};
	char *out = NULL;
	size_t len = 0;
	int status = 0;
	(void)state;
	assert_int_equal(perfdb_util__run_output(&out, &len, &status, argv), 0);
	assert_string_equal(out, "a\nb");
	assert_int_equal(len, 3);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	free(out);
	assert_int_equal(perfdb_util__run_output(&out, &len, &status, missing), PERFDB_ENOTFOUND);
	assert_null(out);
}

static int count_until_b(void *ctx, char *line)
{
	int *n = ctx;
	(*n)++;
	return strcmp(line, "b") == 0 ? 7 : 0;
}

/* Lines without their newline; the callback stops the reading. */
static void test_run__lines(void **state)
{
	const char *argv[] = {"sh", "-c", "printf 'a\\nb\\nc\\n'", NULL};
	int n = 0, stopped = -1;
	(void)state;
	assert_int_equal(perfdb_util__run_lines(&stopped, argv, count_until_b, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(stopped, 7);
}

/* Environment overrides reach the child, which still sees the rest of
 * ours; the sample carries its pid. */
static void test_run__env(void **state)
{
	const char *argv[] = {
	    "sh", "-c", "test \"$PERFDB_RUN_X\" = yes && test \"$PERFDB_RUN_Y\" = kept", NULL};
	const char *env[] = {"PERFDB_RUN_X=yes", NULL};
	perfdb_command *cmd = NULL;
	perfdb_command_sample s;
	(void)state;
	setenv("PERFDB_RUN_X", "no", 1);
	setenv("PERFDB_RUN_Y", "kept", 1);
	assert_int_equal(perfdb_command_new_env(&cmd, argv, env, 0), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(perfdb_command_exec(&s, cmd), 0);
	assert_int_equal(s.exit_code, 0);
	assert_true(s.pid > 0 && s.pid != (int64_t)getpid());
	perfdb_command_free(cmd);
	assert_int_equal(perfdb_command_new(&cmd, argv, 0), 0);
	assert_int_equal(perfdb_command_exec(&s, cmd), 0);
	assert_int_equal(s.exit_code, 1); /* without the override: PERFDB_RUN_X=no */
	perfdb_command_free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_run__which),
	    cmocka_unit_test(test_run__output),
	    cmocka_unit_test(test_run__lines),
	    cmocka_unit_test(test_run__env),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
