/* perfdb run: benchmark a command (wall, user, system time and peak RSS per run). */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch.h"

enum {
	OPT_RUNS = 'r',
	OPT_WARMUP = 'w',
	OPT_PREPARE = 'p',
	OPT_IGNORE_FAILURE = 'i',
	OPT_MIN_TIME = CLI_LAUNCH_OPT_FIRST_FREE,
	OPT_MAX_RUNS,
	OPT_TIMEOUT
};

/* A run still going after this many seconds is ended (--timeout). */
#define RUN_DEFAULT_TIMEOUT 600.0

static const cli_option options[] = {
    {"runs", OPT_RUNS, "N", "measured runs, at least (default: 10)"},
    {"warmup", OPT_WARMUP, "N", "unmeasured runs first (default: 0)"},
    {"min-time", OPT_MIN_TIME, "S", "keep running until S seconds have passed (default: 0)"},
    {"max-runs", OPT_MAX_RUNS, "N", "at most N runs with --min-time (default: 100000)"},
    {"prepare", OPT_PREPARE, "CMD", "run '/bin/sh -c CMD' before every run, unmeasured"},
    {"timeout", OPT_TIMEOUT, "S",
     "end a run still going after S seconds and stop, exit 2 (default: 600; 0: no limit)"},
    {"ignore-failure", OPT_IGNORE_FAILURE, NULL, "keep going when the command exits non-zero"},
    CLI_SHOW_OUTPUT_OPTION,
    CLI_NAME_OPTION("benchmark name for --record and JSON (default: the command)"),
    CLI_LAUNCH_FORMAT_OPTION("text or json (hyperfine --export-json shape; default: text)"),
    CLI_RECORD_OPTION("store the runs in the database (see --db ...)"),
    CLI_RECORD_OPTIONS,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "run",
    "[options] -- CMD [ARGS...]",
    "Benchmark a command as hyperfine -N does: wall, user and system time and peak RSS per run.",
    "CMD is executed directly (posix_spawn, no shell; use sh -c '...' for one), with stdin\n"
    "and its output on /dev/null unless --show-output. Prints mean and standard deviation,\n"
    "median, min and max of each measure, and warns when runs are statistical outliers\n"
    "(median/MAD rule) or the first run was much slower than the rest. A non-zero exit\n"
    "stops the benchmark (exit 2) unless --ignore-failure; so does a run still going after\n"
    "--timeout (its process group gets SIGTERM, then SIGKILL). The command leads a process\n"
    "group of its own, ended the same way when perfdb gets SIGINT or SIGTERM. --record stores "
    "wall_time,\n"
    "user_time, system_time and memory (peak RSS) with every run as a sample.",
    options,
};

typedef struct run_args {
	perfdb_cmdbench_options o;
	cli_launch_opts l;
	bool max_runs_set;
	double timeout;
} run_args;

static int bad_value(const char *opt, const char *arg, const char *what)
{
	return cli_bad_value(&info, opt, arg, what);
}

static int on_option(void *ctx, int id, const char *arg)
{
	run_args *a = ctx;
	unsigned long long n;
	double d;
	int r = cli_launch_option(&info, &a->l, id, arg);

	if (r != 0)
		return r < 0;
	switch (id) {
	case OPT_RUNS:
		if (cli_parse_count(arg, 1, 10000000, &n))
			return bad_value("runs", arg, "a whole number >= 1");
		a->o.runs = (unsigned)n;
		return 0;
	case OPT_WARMUP:
		if (cli_parse_count(arg, 0, 10000000, &n))
			return bad_value("warmup", arg, "a whole number >= 0");
		a->o.warmup = (unsigned)n;
		return 0;
	case OPT_MIN_TIME:
		if (cli_parse_seconds(arg, &d))
			return bad_value("min-time", arg, "seconds >= 0");
		a->o.min_time = d;
		return 0;
	case OPT_MAX_RUNS:
		if (cli_parse_count(arg, 1, 10000000, &n))
			return bad_value("max-runs", arg, "a whole number >= 1");
		a->o.max_runs = (unsigned)n;
		a->max_runs_set = true;
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_seconds(arg, &d))
			return bad_value("timeout", arg, "seconds >= 0 (0: no limit)");
		a->timeout = d;
		return 0;
	case OPT_PREPARE: a->o.prepare = arg; return 0;
	case OPT_IGNORE_FAILURE: a->o.ignore_failure = true; return 0;
	default: return 0;
	}
}

/* SIGINT or SIGTERM while a run goes: the run's process group is ended
 * (cmdbench.c), then perfdb dies of the same signal. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static int progress(void *arg, size_t done, size_t planned, double elapsed)
{
	(void)arg;
	cli_progress("run %zu/%zu  %.1f s", done + 1, planned, elapsed);
	return 0;
}

/* ---- output ----------------------------------------------------------------------- */

typedef void (*fmt_fn)(char *buf, size_t cap, double v);

static void fmt_seconds(char *buf, size_t cap, double s)
{
	cli_format_ns(buf, cap, s * 1e9);
}

static void row(const char *label, const perfdb_summary *s, fmt_fn fmt)
{
	char v[5][32], c[5][48];
	fmt(v[0], sizeof(v[0]), s->mean);
	fmt(v[1], sizeof(v[1]), s->stddev);
	fmt(v[2], sizeof(v[2]), s->median);
	fmt(v[3], sizeof(v[3]), s->min);
	fmt(v[4], sizeof(v[4]), s->max);
	cli_out("  %-9s %s ± %s %s %s %s\n", label, cli_pad(c[0], sizeof(c[0]), v[0], 11),
		cli_pad(c[1], sizeof(c[1]), v[1], -11), cli_pad(c[2], sizeof(c[2]), v[2], 11),
		cli_pad(c[3], sizeof(c[3]), v[3], 11), cli_pad(c[4], sizeof(c[4]), v[4], 11));
}

static void print_text(const perfdb_cmdbench_result *r, const char *name, unsigned warmup)
{
	cli_out("benchmark of '%s': %zu run%s", name, r->runs, r->runs == 1 ? "" : "s");
	if (warmup)
		cli_out(" after %u warm-up run%s", warmup, warmup == 1 ? "" : "s");
	if (r->failures)
		cli_out(", %zu exited non-zero", r->failures);
	cli_out("\n\n  %-9s %11s   %-11s %11s %11s %11s\n", "", "mean", "stddev", "median", "min",
		"max");
	row("wall", &r->wall, fmt_seconds);
	row("user", &r->user, fmt_seconds);
	row("system", &r->sys, fmt_seconds);
	row("peak RSS", &r->max_rss, cli_format_bytes);
	if (perfdb_cmdbench_rss_at_floor(r)) {
		char floor[32];
		cli_format_bytes(floor, sizeof(floor), r->samples[0].rss_floor);
		cli_out(
		    "\n  peak RSS is at perfdb's own (%s): the kernel reports the larger of the\n"
		    "  two, so the command's peak is at most that (and is not recorded).\n",
		    floor);
	}
}

static void warn_about(const perfdb_cmdbench_result *r)
{
	if (r->first_run_slow)
		cli_warn("the first run was much slower than the rest (a cold cache or a first-run "
			 "effect?): consider --warmup 1 or --prepare");
	else if (r->outliers)
		cli_warn("%zu of %zu runs are statistical outliers (modified z-score over %.0f and "
			 "over %.0f%% from the median): "
			 "other load on the machine may have disturbed them; consider more --runs "
			 "on a quieter system",
			 r->outliers, r->runs, PERFDB_CMDBENCH_OUTLIER_Z,
			 PERFDB_CMDBENCH_OUTLIER_SHARE * 100.0);
}

/* hyperfine --export-json shape, so `perfdb record` reads it back, with
 * perfdb's extra fields beside hyperfine's. */
static json_t *result_json(const perfdb_cmdbench_result *r, const char *name, int argc, char **argv)
{
	json_t *doc = json_object(), *results = json_array(), *o = json_object();
	json_t *times = json_array(), *user = json_array(), *sys = json_array();
	json_t *mem = json_array(), *codes = json_array(), *cmd = json_array();
	size_t i;
	int k;

	for (i = 0; i < r->runs; i++) {
		json_array_append_new(times, cli_json_number(r->samples[i].wall));
		json_array_append_new(user, cli_json_number(r->samples[i].user));
		json_array_append_new(sys, cli_json_number(r->samples[i].sys));
		json_array_append_new(mem, json_integer((json_int_t)r->samples[i].max_rss));
		json_array_append_new(codes, json_integer(r->samples[i].exit_code));
	}
	for (k = 0; k < argc; k++)
		json_array_append_new(cmd, json_string(argv[k]));
	json_object_set_new(o, "command", json_string(name));
	json_object_set_new(o, "mean", cli_json_number(r->wall.mean));
	json_object_set_new(o, "stddev", cli_json_number(r->wall.stddev));
	json_object_set_new(o, "median", cli_json_number(r->wall.median));
	json_object_set_new(o, "user", cli_json_number(r->user.mean));
	json_object_set_new(o, "system", cli_json_number(r->sys.mean));
	json_object_set_new(o, "min", cli_json_number(r->wall.min));
	json_object_set_new(o, "max", cli_json_number(r->wall.max));
	json_object_set_new(o, "times", times);
	/* Only the command's own figures are hyperfine's memory_usage_byte. */
	if (perfdb_cmdbench_rss_at_floor(r)) {
		json_object_set_new(o, "max_rss_upper_bound_byte", mem);
	} else {
		json_object_set_new(o, "memory_usage_byte", mem);
	}
	json_object_set_new(o, "exit_codes", codes);
	json_object_set_new(o, "user_times", user);
	json_object_set_new(o, "system_times", sys);
	json_object_set_new(o, "argv", cmd);
	json_object_set_new(o, "outliers", json_integer((json_int_t)r->outliers));
	json_object_set_new(o, "first_run_slow", json_boolean(r->first_run_slow));
	json_array_append_new(results, o);
	json_object_set_new(doc, "results", results);
	return doc;
}

int cmd_run(cli_session *session, int argc, char **argv)
{
	run_args a;
	perfdb_cmdbench_options defaults = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	perfdb_command *cmd = NULL;
	perfdb_resultset *rs = NULL;
	cli_launch_signals saved;
	char *cmdname = NULL;
	const char *name;
	int first, err, rc = CLI_EXIT_OK;

	memset(&a, 0, sizeof(a));
	a.o = defaults;
	a.timeout = RUN_DEFAULT_TIMEOUT;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "no command to run (give -- CMD [ARGS...])");
	if (a.max_runs_set && a.o.max_runs < a.o.runs)
		return cli_usage_error(&info, "--max-runs %u is below --runs %u", a.o.max_runs,
				       a.o.runs);
	if (a.l.show_output)
		a.o.flags |= PERFDB_COMMAND_SHOW_OUTPUT;
	if ((rc = cli_launch_command(&cmd, &cmdname, argv + first, a.o.flags, a.timeout,
				     &stop_signal)))
		return rc;
	name = a.l.name ? a.l.name : cmdname;
	cli_launch_warn_unused(&a.l);
	if (cli_progress_enabled())
		a.o.progress = progress;

	cli_launch_signals_catch(&saved, on_stop_signal);
	err = perfdb_cmdbench_run(&r, cmd, &a.o);
	cli_launch_signals_restore(&saved);
	cli_progress_clear();
	if (stop_signal) {
		int sig = stop_signal;
		if (err == 0)
			perfdb_cmdbench_result_release(&r);
		perfdb_command_free(cmd);
		free(cmdname);
		signal(sig, SIG_DFL);
		raise(sig);
		return CLI_EXIT_USAGE;
	}
	if (err == PERFDB_ERROR) {
		/* The command (or --prepare) failed: bad input, not a system error. */
		cli_err("%s%s", perfdb_error_last()->message,
			strstr(perfdb_error_last()->message, "prepare") ||
				strstr(perfdb_error_last()->message, "did not finish")
			    ? ""
			    : " (use --ignore-failure to keep such runs)");
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	if (err) {
		rc = cli_fail();
		goto out;
	}
	if (a.l.json)
		rc = cli_launch_print_json(result_json(&r, name, argc - first, argv + first));
	else
		print_text(&r, name, a.o.warmup);
	warn_about(&r);
	if (a.l.record && rc == CLI_EXIT_OK) {
		if (perfdb_resultset_new(&rs) != 0 || perfdb_cmdbench_export(rs, &r, name) != 0) {
			rc = cli_fail();
			goto release;
		}
		rc = cli_launch_record(session, &a.l, rs, "every run exited non-zero");
	}
release:
	perfdb_cmdbench_result_release(&r);
out:
	perfdb_resultset_free(rs);
	perfdb_command_free(cmd);
	free(cmdname);
	return rc;
}
