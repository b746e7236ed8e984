/*
 * Library-internal: starting programs. perfdb runs other programs in four
 * places (git for the context, addr2line and c++filt for memory reports,
 * the measured command of `perfdb run` and `load`, the tracked command of
 * `perfdb memtrack`); all of them find the program with the one PATH search
 * here and start it with posix_spawn, never a shell, so names and
 * revisions from users cannot inject commands.
 */
#ifndef PERFDB_UTIL_RUN_H
#define PERFDB_UTIL_RUN_H

#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* PATH when it is unset or empty. */
#define PERFDB_RUN_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/*
 * The file execvp would run for name: name itself when it holds a '/',
 * otherwise the first executable regular file name in a $PATH directory
 * (an empty entry is the current directory). *out is a new string (free()).
 * Errors: PERFDB_ENOTFOUND ("cannot run 'x': command not found on PATH",
 * "... not an executable file"), PERFDB_ENOMEM.
 */
int perfdb_util__which(char **out, const char *name);

/* Where the child's standard streams go (flags of perfdb_util__cmd_init). */
enum {
	PERFDB_RUN_STDIN_NULL = 1u << 0,       /* stdin from /dev/null */
	PERFDB_RUN_STDOUT_NULL = 1u << 1,      /* stdout to /dev/null */
	PERFDB_RUN_STDERR_NULL = 1u << 2,      /* stderr to /dev/null */
	PERFDB_RUN_STDOUT_TO_STDERR = 1u << 3, /* stdout onto our stderr */
	/* the child leads a process group of its own, so it and its children
	 * can be ended together (kill(-pid)); a terminal's Ctrl-C then reaches
	 * only perfdb, which ends them */
	PERFDB_RUN_OWN_GROUP = 1u << 4
};

/* A command ready to start, any number of times (also from several threads
 * at once: starting only reads it). Fields are private to run.c. */
typedef struct perfdb_util_cmd {
	char *path;  /* resolved */
	char **argv; /* copy, NULL-terminated */
	char **envp; /* environ with the overrides, or NULL for environ */
	int devnull;
	unsigned flags;
	bool actions_ready;
	posix_spawn_file_actions_t actions;
} perfdb_util_cmd;

/*
 * Resolves argv[0] with perfdb_util__which and prepares the file actions.
 * env: "NAME=value" strings that replace or add to this process's
 * environment in the child (NULL: none). Release with
 * perfdb_util__cmd_release (also after a failed init). Errors:
 * PERFDB_EINVAL (no program), PERFDB_ENOTFOUND, PERFDB_EIO, PERFDB_ENOMEM.
 */
int perfdb_util__cmd_init(perfdb_util_cmd *c, const char *const *argv, const char *const *env,
			  unsigned flags);
void perfdb_util__cmd_release(perfdb_util_cmd *c);

/*
 * Starts c; its stdout goes to stdout_fd when that is >= 0 (a pipe), else
 * as c's flags say. *pid is the child, to wait for with perfdb_util__wait.
 * Errors: PERFDB_EIO ("cannot run 'x': ..."), PERFDB_ENOMEM.
 */
int perfdb_util__cmd_start(const perfdb_util_cmd *c, int stdout_fd, pid_t *pid);

/* Waits for pid (retrying on EINTR): its wait status and, when ru is not
 * NULL, its resource usage. PERFDB_EIO when waiting fails. */
int perfdb_util__wait(pid_t pid, int *status, struct rusage *ru);

/*
 * Runs argv (found on PATH) with stdin and stderr on /dev/null and returns
 * its whole stdout, NUL-terminated, in *out (free()), its length in *len
 * (may be NULL) and its wait status in *status (may be NULL). Errors as
 * perfdb_util__cmd_init and _start; a program that exits non-zero is not an
 * error here (see *status).
 */
int perfdb_util__run_output(char **out, size_t *len, int *status, const char *const *argv);

/*
 * Runs argv (found on PATH) with stdin and stderr on /dev/null and hands
 * each line of its stdout, without the newline, to each(ctx, line); stops
 * reading when each returns non-zero (the child then gets SIGPIPE) and
 * stores that value in *stopped (0 when every line was read). Returns 0, or
 * an error as perfdb_util__run_output when the program cannot be started.
 */
int perfdb_util__run_lines(int *stopped, const char *const *argv,
			   int (*each)(void *ctx, char *line), void *ctx);

#endif
