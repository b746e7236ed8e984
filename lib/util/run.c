/*
 * Starting programs: the one PATH search and the one spawner (see run.h).
 * posix_spawn is a vfork-style clone in glibc, so a prepared command costs
 * one clone and one exec per start: `perfdb run` measures the kernel, not us.
 */
#include "util/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"

extern char **environ;

static bool executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int perfdb_util__which(char **out, const char *name)
{
	const char *path, *p;
	size_t nlen;

	*out = NULL;
	if (!name || !*name)
		return perfdb_error__set(PERFDB_EINVAL, "no program to run");
	nlen = strlen(name);
	if (strchr(name, '/')) {
		struct stat st;
		if (stat(name, &st) != 0)
			return perfdb_error__set(PERFDB_ENOTFOUND, "cannot run '%s': %s", name,
						 strerror(errno));
		if (!executable(name))
			return perfdb_error__set(PERFDB_ENOTFOUND,
						 "cannot run '%s': not an executable file", name);
		*out = strdup(name);
		return *out ? 0 : perfdb_error__oom();
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = PERFDB_RUN_DEFAULT_PATH;
	for (p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dlen = end ? (size_t)(end - p) : strlen(p);
		char *cand = malloc(dlen + nlen + 3);
		if (!cand)
			return perfdb_error__oom();
		/* An empty PATH entry means the current directory. */
		if (dlen == 0) {
			memcpy(cand, "./", 2);
			dlen = 2;
		} else {
			memcpy(cand, p, dlen);
			cand[dlen++] = '/';
		}
		memcpy(cand + dlen, name, nlen + 1);
		if (executable(cand)) {
			*out = cand;
			return 0;
		}
		free(cand);
		if (!end)
			break;
		p = end;
	}
	return perfdb_error__set(PERFDB_ENOTFOUND, "cannot run '%s': command not found on PATH",
				 name);
}

static void free_strings(char **v)
{
	size_t i;
	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* A copy of argv, NULL-terminated. */
static char **copy_strings(const char *const *v)
{
	size_t i, n = 0;
	char **out;
	while (v[n])
		n++;
	if (!(out = calloc(n + 1, sizeof(*out))))
		return NULL;
	for (i = 0; i < n; i++)
		if (!(out[i] = strdup(v[i]))) {
			free_strings(out);
			return NULL;
		}
	return out;
}

static bool same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");
	return strncmp(a, b, n) == 0 && b[n] == '=';
}

/* environ without the names env sets, then env. */
static char **merge_env(const char *const *env)
{
	size_t i, j, n = 0, m = 0, k = 0;
	char **out;
	while (environ && environ[n])
		n++;
	while (env[m])
		m++;
	if (!(out = calloc(n + m + 1, sizeof(*out))))
		return NULL;
	for (i = 0; i < n; i++) {
		bool replaced = false;
		for (j = 0; j < m && !replaced; j++)
			replaced = same_name(env[j], environ[i]);
		if (!replaced && !(out[k++] = strdup(environ[i])))
			goto oom;
	}
	for (j = 0; j < m; j++)
		if (!(out[k++] = strdup(env[j])))
			goto oom;
	return out;
oom:
	free_strings(out);
	return NULL;
}

static int build_actions(posix_spawn_file_actions_t *fa, const perfdb_util_cmd *c, int stdout_fd)
{
	int rc = posix_spawn_file_actions_init(fa);
	if (rc != 0)
		return rc;
	if (c->flags & PERFDB_RUN_STDIN_NULL)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(fa, c->devnull, STDIN_FILENO);
	if (stdout_fd >= 0)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(fa, stdout_fd, STDOUT_FILENO);
	else if (c->flags & PERFDB_RUN_STDOUT_NULL)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(fa, c->devnull, STDOUT_FILENO);
	else if (c->flags & PERFDB_RUN_STDOUT_TO_STDERR)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(fa, STDERR_FILENO, STDOUT_FILENO);
	if (c->flags & PERFDB_RUN_STDERR_NULL)
		rc = rc ? rc : posix_spawn_file_actions_adddup2(fa, c->devnull, STDERR_FILENO);
	if (rc != 0)
		posix_spawn_file_actions_destroy(fa);
	return rc;
}

int perfdb_util__cmd_init(perfdb_util_cmd *c, const char *const *argv, const char *const *env,
			  unsigned flags)
{
	int err;
	memset(c, 0, sizeof(*c));
	c->devnull = -1;
	c->flags = flags;
	if (!argv || !argv[0] || !argv[0][0])
		return perfdb_error__set(PERFDB_EINVAL, "command: no program to run");
	if (!(c->argv = copy_strings(argv)))
		return perfdb_error__oom();
	if (env && !(c->envp = merge_env(env)))
		return perfdb_error__oom();
	if ((err = perfdb_util__which(&c->path, argv[0])) != 0)
		return err;
	if (flags & (PERFDB_RUN_STDIN_NULL | PERFDB_RUN_STDOUT_NULL | PERFDB_RUN_STDERR_NULL)) {
		c->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (c->devnull < 0)
			return perfdb_error__set(PERFDB_EIO, "cannot open '/dev/null': %s",
						 strerror(errno));
	}
	/* Built once and only read by posix_spawn, so threads can share it. */
	if (build_actions(&c->actions, c, -1) != 0)
		return perfdb_error__oom();
	c->actions_ready = true;
	return 0;
}

void perfdb_util__cmd_release(perfdb_util_cmd *c)
{
	if (!c)
		return;
	if (c->actions_ready)
		posix_spawn_file_actions_destroy(&c->actions);
	if (c->devnull >= 0)
		close(c->devnull);
	free_strings(c->argv);
	free_strings(c->envp);
	free(c->path);
	memset(c, 0, sizeof(*c));
	c->devnull = -1;
}

int perfdb_util__cmd_start(const perfdb_util_cmd *c, int stdout_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr, *attrp = NULL;
	int rc;
	if (c->flags & PERFDB_RUN_OWN_GROUP) {
		if (posix_spawnattr_init(&attr) != 0)
			return perfdb_error__oom();
		attrp = &attr;
		if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP)) != 0 ||
		    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0) {
			posix_spawnattr_destroy(&attr);
			return perfdb_error__set(PERFDB_EIO, "cannot run '%s': %s", c->path,
						 strerror(rc));
		}
	}
	if (stdout_fd < 0) {
		rc = posix_spawn(pid, c->path, &c->actions, attrp, c->argv,
				 c->envp ? c->envp : environ);
	} else if (build_actions(&fa, c, stdout_fd) != 0) {
		if (attrp)
			posix_spawnattr_destroy(attrp);
		return perfdb_error__oom();
	} else {
		rc = posix_spawn(pid, c->path, &fa, attrp, c->argv, c->envp ? c->envp : environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (attrp)
		posix_spawnattr_destroy(attrp);
	if (rc != 0)
		return perfdb_error__set(PERFDB_EIO, "cannot run '%s': %s", c->path, strerror(rc));
	return 0;
}

int perfdb_util__wait(pid_t pid, int *status, struct rusage *ru)
{
	while (wait4(pid, status, 0, ru) < 0)
		if (errno != EINTR)
			return perfdb_error__set(PERFDB_EIO, "cannot wait for process %ld: %s",
						 (long)pid, strerror(errno));
	return 0;
}

/* Starts argv with stdout on a pipe; *fd is its read end. */
static int start_piped(perfdb_util_cmd *c, const char *const *argv, pid_t *pid, int *fd)
{
	int pipefd[2], err;
	if ((err = perfdb_util__cmd_init(c, argv, NULL,
					 PERFDB_RUN_STDIN_NULL | PERFDB_RUN_STDERR_NULL)) != 0)
		return err;
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return perfdb_error__set(PERFDB_EIO, "cannot make a pipe: %s", strerror(errno));
	err = perfdb_util__cmd_start(c, pipefd[1], pid);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		return err;
	}
	*fd = pipefd[0];
	return 0;
}

int perfdb_util__run_output(char **out, size_t *lenp, int *statusp, const char *const *argv)
{
	perfdb_util_cmd c;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, status = 0, err;
	pid_t pid;
	ssize_t n;

	*out = NULL;
	if ((err = start_piped(&c, argv, &pid, &fd)) != 0) {
		perfdb_util__cmd_release(&c);
		return err;
	}
	perfdb_util__cmd_release(&c);
	for (;;) {
		if (len + 4096 > cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				err = perfdb_error__oom();
				break;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = perfdb_error__set(PERFDB_EIO, "cannot read from '%s': %s", argv[0],
						strerror(errno));
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (perfdb_util__wait(pid, &status, NULL) != 0 && !err)
		err = PERFDB_EIO;
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	if (lenp)
		*lenp = len;
	if (statusp)
		*statusp = status;
	return 0;
}

int perfdb_util__run_lines(int *stopped, const char *const *argv,
			   int (*each)(void *ctx, char *line), void *ctx)
{
	perfdb_util_cmd c;
	char *line = NULL;
	size_t cap = 0;
	int fd, status, err, rc = 0;
	pid_t pid;
	FILE *in;

	*stopped = 0;
	err = start_piped(&c, argv, &pid, &fd);
	perfdb_util__cmd_release(&c);
	if (err)
		return err;
	if (!(in = fdopen(fd, "r"))) {
		close(fd);
		err = perfdb_error__oom();
	}
	while (in && rc == 0 && getline(&line, &cap, in) >= 0) {
		line[strcspn(line, "\n")] = 0;
		rc = each(ctx, line);
	}
	if (in)
		fclose(in); /* a program still writing gets SIGPIPE */
	free(line);
	perfdb_util__wait(pid, &status, NULL);
	*stopped = rc;
	return err;
}
