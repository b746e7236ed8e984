/*
 * cmdbench.c - spawn a command, measure it; benchmark it over many runs.
 *
 * The program is resolved on PATH and the posix_spawn file actions are built
 * once per command (util/run.c), so a run costs one posix_spawn (a
 * vfork-style clone in glibc) and one wait4: the overhead measured around a
 * trivial command is the kernel's, not ours.
 */
#include "perfdb/cmdbench.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instrument/timer.h"
#include "util/error.h"
#include "util/run.h"

struct perfdb_command {
	perfdb_util_cmd run;
	unsigned flags;
	double timeout;			   /* seconds, 0: none */
	const volatile sig_atomic_t *stop; /* may be NULL */
};

int perfdb_command_new(perfdb_command **out, const char *const *argv, unsigned flags)
{
	return perfdb_command_new_env(out, argv, NULL, flags);
}

int perfdb_command_new_env(perfdb_command **out, const char *const *argv, const char *const *env,
			   unsigned flags)
{
	static const unsigned known = PERFDB_COMMAND_SHOW_OUTPUT | PERFDB_COMMAND_NO_RSS_FLOOR |
				      PERFDB_COMMAND_KEEP_STDIN | PERFDB_COMMAND_STDOUT_TO_STDERR;
	perfdb_command *c;
	unsigned run_flags = 0;
	int err;

	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "command: out is required");
	*out = NULL;
	if (!argv || !argv[0] || !argv[0][0])
		return perfdb_error__set(PERFDB_EINVAL, "command: no program to run");
	if (flags & ~known)
		return perfdb_error__set(PERFDB_EINVAL, "command: unknown flags 0x%x", flags);
	c = calloc(1, sizeof(*c));
	if (!c)
		return perfdb_error__oom();
	c->flags = flags;
	/* A command of its own process group: a terminal's Ctrl-C reaches perfdb
	 * only, and perfdb ends the command with what it started. One that reads
	 * the terminal stays in perfdb's group (a background group may not read). */
	if (!(flags & PERFDB_COMMAND_KEEP_STDIN))
		run_flags |= PERFDB_RUN_STDIN_NULL | PERFDB_RUN_OWN_GROUP;
	if (flags & PERFDB_COMMAND_STDOUT_TO_STDERR)
		run_flags |= PERFDB_RUN_STDOUT_TO_STDERR;
	else if (!(flags & PERFDB_COMMAND_SHOW_OUTPUT))
		run_flags |= PERFDB_RUN_STDOUT_NULL | PERFDB_RUN_STDERR_NULL;
	err = perfdb_util__cmd_init(&c->run, argv, env, run_flags);
	if (err) {
		perfdb_command_free(c);
		return err;
	}
	*out = c;
	return 0;
}

void perfdb_command_free(perfdb_command *cmd)
{
	if (!cmd)
		return;
	perfdb_util__cmd_release(&cmd->run);
	free(cmd);
}

const char *perfdb_command_path(const perfdb_command *cmd)
{
	return cmd ? cmd->run.path : NULL;
}

/*
 * The floor under a child's max_rss: this process's own high-water mark
 * (VmHWM), which exec carries into a vfork'd child. getrusage(RUSAGE_SELF)
 * is cheaper but wrong here: it also holds the floor this process itself
 * inherited from its parent at its own exec (a shell, ctest), which the child
 * does not get. It serves only as a conservative fallback without /proc.
 */
static double rss_floor(void)
{
	char buf[4096];
	const char *p;
	struct rusage ru;
	ssize_t n = -1;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, "\nVmHWM:");
		if (p) {
			char *end;
			long kb = strtol(p + 7, &end, 10);
			if (end != p + 7 && kb >= 0)
				return (double)kb * 1024.0;
		}
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		return (double)ru.ru_maxrss * 1024.0;
	return NAN;
}

int perfdb_command_set_limits(perfdb_command *cmd, double timeout,
			      const volatile sig_atomic_t *stop)
{
	if (!cmd || !(timeout >= 0.0) || !isfinite(timeout))
		return perfdb_error__set(
		    PERFDB_EINVAL, "command: timeout must be a finite number of seconds >= 0");
	cmd->timeout = timeout;
	cmd->stop = stop;
	return 0;
}

/* Waits up to ms milliseconds for pid to exit (-1: for ever); 1 when it has
 * (reaped into status and ru), 0 when not yet. A pidfd wakes at the exit
 * itself, so the bound costs the measurement nothing; without one (Linux
 * before 5.3) the wait polls every millisecond. */
static int wait_ms(pid_t pid, int pidfd, int ms, int *status, struct rusage *ru)
{
	pid_t got;
	if (ms < 0)
		return perfdb_util__wait(pid, status, ru) == 0 ? 1 : -1;
	if (pidfd >= 0) {
		struct pollfd p = {pidfd, POLLIN, 0};
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -1;
	} else {
		struct timespec one = {0, 1000000};
		int i;
		for (i = 0; i < ms; i++) {
			got = wait4(pid, status, WNOHANG, ru);
			if (got == pid)
				return 1;
			if (got < 0 && errno != EINTR)
				return -1;
			if (nanosleep(&one, NULL) != 0 && errno == EINTR)
				break;
		}
	}
	got = wait4(pid, status, WNOHANG, ru);
	if (got < 0 && errno != EINTR)
		return -1;
	return got == pid;
}

/* Waits for pid within cmd's limits; a run past them is ended (its group
 * when it leads one) with SIGTERM, then SIGKILL. */
static int wait_bounded(const perfdb_command *cmd, pid_t pid, int *status, struct rusage *ru,
			uint64_t t0, int *ended)
{
	uint64_t limit = cmd->timeout > 0 ? (uint64_t)llround(cmd->timeout * 1e9) : 0;
	pid_t target = (cmd->run.flags & PERFDB_RUN_OWN_GROUP) ? -pid : pid;
	int pidfd = -1, r = 0;
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	*ended = 0;
	for (;;) {
		uint64_t now = perfdb_timer__monotonic_ns();
		int ms = 50;
		if (cmd->stop && *cmd->stop) {
			*ended = PERFDB_COMMAND_ENDED_STOP;
			break;
		}
		if (limit && now - t0 >= limit) {
			*ended = PERFDB_COMMAND_ENDED_TIMEOUT;
			break;
		}
		if (limit && (limit - (now - t0)) / 1000000 < (uint64_t)ms)
			ms = (int)((limit - (now - t0)) / 1000000) + 1;
		if ((r = wait_ms(pid, pidfd, ms, status, ru)) != 0)
			break;
	}
	if (*ended) {
		kill(target, SIGTERM);
		if ((r = wait_ms(pid, pidfd, 1000, status, ru)) == 0) {
			kill(target, SIGKILL);
			r = wait_ms(pid, pidfd, -1, status, ru);
		}
	}
	/* what the command left behind in its group goes with it */
	if (*ended && target < 0)
		kill(target, SIGKILL);
	if (pidfd >= 0)
		close(pidfd);
	if (r < 0)
		return perfdb_error__set(PERFDB_EIO, "cannot wait for process %ld: %s", (long)pid,
					 strerror(errno));
	return 0;
}

/* One run; the floor is read only when `floor` (the benchmark reads it once
 * for all its runs instead). */
static int exec_once(const perfdb_command *cmd, perfdb_command_sample *out, bool floor)
{
	struct rusage ru;
	uint64_t t0, t1;
	pid_t pid;
	int rc, status;

	out->rss_floor = floor ? rss_floor() : NAN;
	t0 = perfdb_timer__monotonic_ns();
	if ((rc = perfdb_util__cmd_start(&cmd->run, -1, &pid)) != 0)
		return rc;
	if (cmd->timeout > 0 || cmd->stop)
		rc = wait_bounded(cmd, pid, &status, &ru, t0, &out->ended);
	else {
		out->ended = 0;
		rc = perfdb_util__wait(pid, &status, &ru);
	}
	if (rc != 0)
		return rc;
	out->pid = (int64_t)pid;
	t1 = perfdb_timer__monotonic_ns();
	out->wall = (double)(t1 - t0) / 1e9;
	out->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	out->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	out->max_rss = (double)ru.ru_maxrss * 1024.0; /* Linux reports KiB */
	if (WIFSIGNALED(status)) {
		out->signal = WTERMSIG(status);
		out->exit_code = 128 + out->signal;
	} else {
		out->signal = 0;
		out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	}
	return 0;
}

/* A run perfdb ended is no measurement: the benchmark stops with why. */
static int ended_error(const perfdb_command *cmd, const perfdb_command_sample *s, const char *which,
		       size_t index)
{
	if (s->ended == PERFDB_COMMAND_ENDED_TIMEOUT)
		return perfdb_error__set(PERFDB_ERROR,
					 "'%s' did not finish within %g s in %s %zu: ended it",
					 cmd->run.argv[0], cmd->timeout, which, index);
	if (s->ended == PERFDB_COMMAND_ENDED_STOP)
		return perfdb_error__set(PERFDB_ERROR,
					 "'%s' was stopped in %s %zu: perfdb was interrupted",
					 cmd->run.argv[0], which, index);
	return 0;
}

int perfdb_command_exec(perfdb_command_sample *out, const perfdb_command *cmd)
{
	if (!cmd || !out)
		return perfdb_error__set(PERFDB_EINVAL, "command: cmd and out are required");
	return exec_once(cmd, out, !(cmd->flags & PERFDB_COMMAND_NO_RSS_FLOOR));
}

/* ---- statistics ------------------------------------------------------------------ */

size_t perfdb_cmdbench_outliers(const double *values, size_t n, bool *first_slow)
{
	double *s, med, mad;
	size_t i, count = 0;

	if (first_slow)
		*first_slow = false;
	if (n < 3)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s)
		return 0;
	memcpy(s, values, n * sizeof(*s));
	med = perfdb_stats_median_inplace(s, n);
	memcpy(s, values, n * sizeof(*s));
	mad = perfdb_stats_mad_inplace(s, n);
	free(s);
	/* Identical timings give MAD 0; a floor of a millionth of the median
	 * keeps the score finite while still flagging any real departure. */
	if (mad < fabs(med) * 1e-6)
		mad = fabs(med) * 1e-6;
	if (mad <= 0.0)
		mad = 1e-12;
	for (i = 0; i < n; i++) {
		double dev = fabs(values[i] - med);
		/* A steady command has a tiny MAD, so a hiccup of a millisecond
		 * in a 100 ms run scores high without mattering: it must also be
		 * a real share of the median. */
		if (0.6745 * dev / mad > PERFDB_CMDBENCH_OUTLIER_Z &&
		    dev > PERFDB_CMDBENCH_OUTLIER_SHARE * fabs(med)) {
			count++;
			if (i == 0 && first_slow && values[0] > med)
				*first_slow = true;
		}
	}
	return count;
}

/* ---- benchmarking ------------------------------------------------------------------ */

void perfdb_cmdbench_result_init(perfdb_cmdbench_result *r)
{
	memset(r, 0, sizeof(*r));
}

void perfdb_cmdbench_result_release(perfdb_cmdbench_result *r)
{
	if (!r)
		return;
	free(r->samples);
	memset(r, 0, sizeof(*r));
}

static int run_prepare(const perfdb_command *prep, const char *text, const char *which,
		       size_t index)
{
	perfdb_command_sample s;
	int err;
	if (!prep)
		return 0;
	if ((err = exec_once(prep, &s, false)) != 0)
		return err;
	if (s.exit_code != 0)
		return perfdb_error__set(PERFDB_ERROR,
					 "the prepare command '%s' exited with code %d before %s "
					 "run %zu",
					 text, s.exit_code, which, index);
	return 0;
}

static int summarize(perfdb_cmdbench_result *r)
{
	double *v = malloc(r->runs * sizeof(double));
	size_t i;
	int err = 0;
	if (!v)
		return perfdb_error__oom();
#define STATS(field)                                                                               \
	do {                                                                                       \
		for (i = 0; i < r->runs; i++)                                                      \
			v[i] = r->samples[i].field;                                                \
		if (!err)                                                                          \
			err = perfdb_stats_summarize(&r->field, v, r->runs);                       \
	} while (0)
	STATS(user);
	STATS(sys);
	STATS(max_rss);
	STATS(wall); /* last, so v holds wall times for the outlier rule */
#undef STATS
	r->outliers = perfdb_cmdbench_outliers(v, r->runs, &r->first_run_slow);
	free(v);
	return err;
}

void perfdb_cmdbench_options_init(perfdb_cmdbench_options *opts)
{
	perfdb_cmdbench_options d = PERFDB_CMDBENCH_OPTIONS_INIT;
	*opts = d;
}

int perfdb_cmdbench_run(perfdb_cmdbench_result *out, const perfdb_command *cmd,
			const perfdb_cmdbench_options *opts)
{
	perfdb_cmdbench_options d = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_command *prep = NULL;
	size_t cap = 0, i;
	uint64_t start = 0, min_ns;
	int err = 0;

	if (!out || !cmd)
		return perfdb_error__set(PERFDB_EINVAL, "cmdbench: out and cmd are required");
	perfdb_cmdbench_result_init(out);
	if (!opts)
		opts = &d;
	if (opts->version != PERFDB_CMDBENCH_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "cmdbench: unknown options version %u",
					 opts->version);
	if (opts->runs < 1 || opts->max_runs < opts->runs)
		return perfdb_error__set(PERFDB_EINVAL,
					 "cmdbench: runs must be at least 1 and at most max_runs");
	if (!(opts->min_time >= 0.0) || !isfinite(opts->min_time) || opts->min_time > 1e6)
		return perfdb_error__set(PERFDB_EINVAL,
					 "cmdbench: min_time must be 0 or more seconds");
	if (opts->prepare) {
		const char *argv[] = {"/bin/sh", "-c", opts->prepare, NULL};
		if ((err = perfdb_command_new(&prep, argv, opts->flags)) != 0)
			return err;
	}
	min_ns = (uint64_t)llround(opts->min_time * 1e9);

	for (i = 0; i < opts->warmup; i++) {
		perfdb_command_sample s;
		if ((err = run_prepare(prep, opts->prepare, "warm-up", i + 1)) != 0 ||
		    (err = exec_once(cmd, &s, false)) != 0 ||
		    (err = ended_error(cmd, &s, "warm-up run", i + 1)) != 0)
			goto fail;
		if (s.exit_code != 0 && !opts->ignore_failure) {
			err = perfdb_error__set(PERFDB_ERROR,
						"'%s' exited with code %d in warm-up run %zu",
						cmd->run.argv[0], s.exit_code, i + 1);
			goto fail;
		}
	}
	for (i = 0;; i++) {
		perfdb_command_sample s;
		uint64_t now = perfdb_timer__monotonic_ns();
		if (i == 0)
			start = now;
		if (i >= opts->max_runs || (i >= opts->runs && now - start >= min_ns))
			break;
		if (opts->progress &&
		    opts->progress(opts->progress_arg, i, opts->runs > i ? opts->runs : i + 1,
				   (double)(now - start) / 1e9) != 0) {
			out->stopped = true;
			break;
		}
		if ((err = run_prepare(prep, opts->prepare, "measured", i + 1)) != 0 ||
		    (err = exec_once(cmd, &s, false)) != 0 ||
		    (err = ended_error(cmd, &s, "run", i + 1)) != 0)
			goto fail;
		if (s.exit_code != 0) {
			if (!opts->ignore_failure) {
				err = perfdb_error__set(PERFDB_ERROR,
							"'%s' exited with code %d in run %zu",
							cmd->run.argv[0], s.exit_code, i + 1);
				goto fail;
			}
			out->failures++;
		}
		if (out->runs == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			perfdb_command_sample *ns = realloc(out->samples, ncap * sizeof(*ns));
			if (!ns) {
				err = perfdb_error__oom();
				goto fail;
			}
			out->samples = ns;
			cap = ncap;
		}
		out->samples[out->runs++] = s;
	}
	if (out->runs == 0) {
		err = perfdb_error__set(PERFDB_ERROR, "cmdbench: stopped before any run");
		goto fail;
	}
	/* This process's high-water mark only grows, so read once after the
	 * last run it is at least the floor every run had (a conservative
	 * bound); a read per run would be ~10 µs of /proc each time, which under
	 * CPU contention shows up as wake-up delays in the next run. */
	if (!(cmd->flags & PERFDB_COMMAND_NO_RSS_FLOOR)) {
		double floor = rss_floor();
		for (i = 0; i < out->runs; i++)
			out->samples[i].rss_floor = floor;
	}
	if ((err = summarize(out)) != 0)
		goto fail;
	perfdb_command_free(prep);
	return 0;
fail:
	perfdb_command_free(prep);
	perfdb_cmdbench_result_release(out);
	return err;
}

bool perfdb_cmdbench_rss_at_floor(const perfdb_cmdbench_result *r)
{
	size_t i;
	for (i = 0; r && i < r->runs; i++) {
		const perfdb_command_sample *s = &r->samples[i];
		/* 1% slack: the floor is read a moment before the exec. An
		 * unknown floor (NAN) is not evidence of one. */
		if (s->exit_code == 0 && s->max_rss <= s->rss_floor * 1.01)
			return true;
	}
	return false;
}

/* ---- export ------------------------------------------------------------------------ */

static int export_one(perfdb_resultset *rs, const char *name, const char *metric, const char *unit,
		      double *v, size_t n)
{
	perfdb_summary st;
	perfdb_result r;
	int err;
	if ((err = perfdb_stats_summarize(&st, v, n)) != 0)
		return err;
	perfdb_result_init(&r);
	r.benchmark = name;
	r.metric = metric;
	r.unit = unit;
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.value = st.mean;
	r.n = (int64_t)n;
	r.mean = st.mean;
	r.median = st.median;
	r.stddev = st.stddev;
	r.min = st.min;
	r.max = st.max;
	r.samples = v;
	r.nsamples = n;
	return perfdb_resultset_add(rs, &r);
}

int perfdb_cmdbench_export(perfdb_resultset *rs, const perfdb_cmdbench_result *r, const char *name)
{
	double *v;
	size_t i, n;
	int err = 0;

	if (!rs || !r || !name || !*name || r->runs == 0)
		return perfdb_error__set(PERFDB_EINVAL,
					 "cmdbench: export needs a resultset, a result with runs "
					 "and a name");
	if (!perfdb_resultset_meta(rs, PERFDB_META_SOURCE) &&
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "run")) != 0)
		return err;
	/* A run that exited non-zero did not do the command's work: its times
	 * are not samples of it (the hyperfine reader does the same). */
	if (r->failures == r->runs)
		return perfdb_resultset_warn(rs,
					     "'%s': every run exited non-zero; nothing to "
					     "record",
					     name);
	if (r->failures && (err = perfdb_resultset_warn(rs,
							"'%s': %zu of %zu runs exited "
							"non-zero; their times are left out",
							name, r->failures, r->runs)) != 0)
		return err;
	v = malloc(r->runs * sizeof(*v));
	if (!v)
		return perfdb_error__oom();
#define EXPORT(field, metric, unit)                                                                \
	do {                                                                                       \
		for (i = 0, n = 0; i < r->runs; i++)                                               \
			if (r->samples[i].exit_code == 0)                                          \
				v[n++] = r->samples[i].field;                                      \
		if ((err = export_one(rs, name, metric, unit, v, n)) != 0)                         \
			goto out;                                                                  \
	} while (0)
	EXPORT(wall, "wall_time", "s");
	EXPORT(user, "user_time", "s");
	EXPORT(sys, "system_time", "s");
	if (perfdb_cmdbench_rss_at_floor(r)) {
		err = perfdb_resultset_warn(rs,
					    "'%s': peak RSS not recorded: it is at the spawning "
					    "process's own peak, so only an upper bound",
					    name);
		goto out;
	}
	EXPORT(max_rss, "memory", "B");
#undef EXPORT
out:
	free(v);
	return err;
}
