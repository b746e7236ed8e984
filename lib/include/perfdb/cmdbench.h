/*
 * perfdb/cmdbench.h - run a command and measure it (the library behind
 * `perfdb run` and `perfdb load`).
 *
 * perfdb_command is a prepared command: its program resolved on PATH once,
 * its argv copied. perfdb_command_exec runs it once with posix_spawn (no
 * shell: argv is executed directly), stdin from /dev/null and stdout/stderr
 * to /dev/null unless asked, waits for it with wait4 and returns its wall
 * time, user and system CPU time, peak resident set size and exit code.
 *
 * perfdb_cmdbench_run benchmarks a command as hyperfine does: warm-up runs,
 * then measured runs, each optionally preceded by a shell command
 * (`/bin/sh -c PREPARE`), with mean, standard deviation, median, min and max
 * of every measure, outliers by a median/MAD rule and a first-run effect
 * flag. Results export to a resultset with every run as a sample.
 */
#ifndef PERFDB_CMDBENCH_H
#define PERFDB_CMDBENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"
#include "perfdb/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct perfdb_command perfdb_command;

/** Flags for perfdb_command_new. */
enum {
	/** Let the child write to perfdb's stdout and stderr (default: /dev/null). */
	PERFDB_COMMAND_SHOW_OUTPUT = 1u << 0,
	/** Do not read the spawning process's peak RSS before each run
	 *  (rss_floor is then NAN): saves about 10 µs of /proc reading per run,
	 *  for callers that time the whole exec, as a load test does. */
	PERFDB_COMMAND_NO_RSS_FLOOR = 1u << 1,
	/** The child reads perfdb's stdin (default: /dev/null). */
	PERFDB_COMMAND_KEEP_STDIN = 1u << 2,
	/** The child's stdout goes to perfdb's stderr (perfdb's stdout carries
	 *  another answer); implies its output is shown. */
	PERFDB_COMMAND_STDOUT_TO_STDERR = 1u << 3
};

/**
 * Prepares argv (argv[0] is the program, looked up on $PATH unless it
 * contains a '/'; the array ends with NULL) for repeated execution. Copies
 * argv. Errors: PERFDB_EINVAL (NULL or empty argv, unknown flag),
 * PERFDB_ENOTFOUND (the program is not found or not executable),
 * PERFDB_EIO (/dev/null cannot be opened), PERFDB_ENOMEM.
 */
int perfdb_command_new(perfdb_command **out, const char *const *argv, unsigned flags);

/**
 * As perfdb_command_new, and the child's environment is perfdb's with env's
 * "NAME=value" strings (NULL-terminated; env may be NULL) replacing or
 * adding variables, e.g. {"LD_PRELOAD=/x/libtrack.so", NULL}.
 */
int perfdb_command_new_env(perfdb_command **out, const char *const *argv, const char *const *env,
			   unsigned flags);

/** Frees cmd. Accepts NULL. */
void perfdb_command_free(perfdb_command *cmd);

/** The resolved path of the program, borrowed. */
const char *perfdb_command_path(const perfdb_command *cmd);

/** One execution of a command. */
typedef struct perfdb_command_sample {
	double wall; /**< seconds from spawn to reaped exit */
	double user; /**< user CPU seconds of the child */
	double sys;  /**< system CPU seconds of the child */
	/** Peak resident set size of the child in bytes, as wait4 reports it.
	 *  Linux carries the spawning process's resident pages over the exec of
	 *  a vfork'd (or forked) child, so a value at or below rss_floor is only
	 *  an upper bound of the command's own peak. */
	double max_rss;
	/** The spawning process's own peak RSS (VmHWM) when it spawned, bytes;
	 *  read before the clock starts, so not part of wall (by
	 *  perfdb_cmdbench_run once, after its last run: a high-water mark only
	 *  grows, so that is at least each run's floor). NAN with
	 *  PERFDB_COMMAND_NO_RSS_FLOOR. Without /proc, the getrusage figure of
	 *  the process, which can only be higher (a conservative floor). */
	double rss_floor;
	int exit_code; /**< exit status, or 128 + signal when killed */
	int signal;    /**< the signal that killed it, 0 when it exited */
	int64_t pid;   /**< the child's process id (reaped) */
	/** 0, or why perfdb ended the run (perfdb_command_set_limits):
	 *  PERFDB_COMMAND_ENDED_TIMEOUT or PERFDB_COMMAND_ENDED_STOP. */
	int ended;
} perfdb_command_sample;

/** Values of perfdb_command_sample.ended. */
enum {
	PERFDB_COMMAND_ENDED_TIMEOUT = 1, /**< it ran longer than the timeout */
	PERFDB_COMMAND_ENDED_STOP = 2	  /**< *stop became non-zero while it ran */
};

/**
 * Bounds every later run of cmd: a run still going after timeout seconds
 * (0: no limit), or when *stop becomes non-zero (stop may be NULL; typically
 * a flag a SIGINT/SIGTERM handler sets), is ended: its process group (the
 * command leads one of its own unless PERFDB_COMMAND_KEEP_STDIN) gets
 * SIGTERM, then SIGKILL a second later, and the sample's `ended` says why.
 * *stop is read at least every 50 ms while a run waits. Not thread-safe
 * against runs in progress: call it before running cmd.
 * Errors: PERFDB_EINVAL (NULL cmd, negative or not finite timeout).
 */
int perfdb_command_set_limits(perfdb_command *cmd, double timeout,
			      const volatile sig_atomic_t *stop);

/**
 * Runs cmd once and waits for it. Thread-safe: several threads may run the
 * same cmd at once (it waits for its own child only). A command that exits
 * non-zero is a result (exit_code), not an error.
 * Errors: PERFDB_EIO (spawn or wait failed), PERFDB_EINVAL (NULL argument).
 */
int perfdb_command_exec(perfdb_command_sample *out, const perfdb_command *cmd);

/* ---- benchmarking ---------------------------------------------------------------- */

/** Called before every measured run; return non-zero to stop after the runs done. */
typedef int (*perfdb_cmdbench_progress_fn)(void *arg, size_t done, size_t planned, double elapsed);

#define PERFDB_CMDBENCH_OPTIONS_VERSION 1

typedef struct perfdb_cmdbench_options {
	unsigned version; /**< PERFDB_CMDBENCH_OPTIONS_VERSION */
	unsigned runs;	  /**< measured runs, at least this many; default 10 */
	unsigned warmup;  /**< unmeasured runs before them; default 0 */
	/** Keep running (past `runs`) until this many seconds have passed since
	 *  the first measured run; default 0. */
	double min_time;
	/** Upper bound on measured runs when min_time extends them; default 100000. */
	unsigned max_runs;
	/** Run `/bin/sh -c prepare` before every run (warm-up included), not
	 *  measured; NULL for none. A failing prepare command is an error. */
	const char *prepare;
	/** PERFDB_COMMAND_SHOW_OUTPUT to see the command's (and prepare's) output. */
	unsigned flags;
	/** A non-zero exit of the command is recorded, not an error. */
	bool ignore_failure;
	perfdb_cmdbench_progress_fn progress; /**< optional */
	void *progress_arg;
} perfdb_cmdbench_options;

#define PERFDB_CMDBENCH_OPTIONS_INIT                                                               \
	{                                                                                          \
		.version = PERFDB_CMDBENCH_OPTIONS_VERSION, .runs = 10, .warmup = 0,               \
		.min_time = 0.0, .max_runs = 100000, .prepare = NULL, .flags = 0,                  \
		.ignore_failure = false, .progress = NULL, .progress_arg = NULL                    \
	}

/** Fills opts with the defaults (the same as PERFDB_CMDBENCH_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_cmdbench_options_init(perfdb_cmdbench_options *opts);

/** A run is an outlier when its modified z-score, 0.6745 * |x - median| / MAD,
 *  exceeds PERFDB_CMDBENCH_OUTLIER_Z and it is more than
 *  PERFDB_CMDBENCH_OUTLIER_SHARE (a fraction) of the median away from it. */
#define PERFDB_CMDBENCH_OUTLIER_Z     10.0
#define PERFDB_CMDBENCH_OUTLIER_SHARE 0.05

/** Release with perfdb_cmdbench_result_release. */
typedef struct perfdb_cmdbench_result {
	perfdb_command_sample *samples; /**< one per measured run, in order; owned */
	size_t runs;
	/** Summaries (perfdb/stats.h: mean, sample stddev - NAN for one run -,
	 *  median, min, max, MAD, quartiles) in seconds, seconds, seconds, bytes. */
	perfdb_summary wall, user, sys, max_rss;
	size_t failures; /**< measured runs with a non-zero exit (ignore_failure) */
	size_t outliers; /**< measured runs whose wall time is an outlier */
	/** The first measured run is a slow outlier (a cold cache, a first-run
	 *  effect): worth a warm-up. Needs 3 runs or more. */
	bool first_run_slow;
	bool stopped; /**< the progress callback stopped it early */
} perfdb_cmdbench_result;

void perfdb_cmdbench_result_init(perfdb_cmdbench_result *r);
/** Frees what r holds and zeroes it. Accepts NULL. */
void perfdb_cmdbench_result_release(perfdb_cmdbench_result *r);

/**
 * Benchmarks cmd (opts NULL: the defaults). out is initialised first.
 * Errors: PERFDB_EINVAL (bad options), PERFDB_ERROR (the command exited
 * non-zero without ignore_failure, or prepare failed: the message names the
 * run and the code), PERFDB_EIO, PERFDB_ENOTFOUND (no /bin/sh for prepare),
 * PERFDB_ENOMEM. On error out holds nothing.
 */
int perfdb_cmdbench_run(perfdb_cmdbench_result *out, const perfdb_command *cmd,
			const perfdb_cmdbench_options *opts);

/**
 * Counts the values that are outliers by the median/MAD rule above (0 when
 * n < 3) and sets *first_slow (may be NULL) when values[0] is one of them on
 * the slow side. Errors are not possible; out of memory counts 0.
 */
size_t perfdb_cmdbench_outliers(const double *values, size_t n, bool *first_slow);

/** True when a successful run's max_rss is at or below its rss_floor (+1%):
 *  the peak RSS figures are then only upper bounds of the command's. */
bool perfdb_cmdbench_rss_at_floor(const perfdb_cmdbench_result *r);

/**
 * Adds r to rs as benchmark `name` with the metrics wall_time, user_time,
 * system_time (s, normalised to ns) and memory (peak RSS, B), all lower is
 * better, each with every run as a sample: the names the hyperfine reader
 * uses, so `perfdb run` and recorded hyperfine JSON share series. Runs that
 * exited non-zero are left out, with a warning on rs (all of them: nothing
 * is added); memory is left out, with a warning, when
 * perfdb_cmdbench_rss_at_floor. Sets the source to "run" when unset.
 * Errors: PERFDB_EINVAL (no run, NULL or empty name), PERFDB_ENOMEM.
 */
int perfdb_cmdbench_export(perfdb_resultset *rs, const perfdb_cmdbench_result *r, const char *name);

#ifdef __cplusplus
}
#endif
#endif
