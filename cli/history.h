/* Shared by the history commands: regress, bisect-plan, compare, trend,
 * report, baseline, alerts, ack (cli/history.c). */
#ifndef PERFDB_CLI_HISTORY_H
#define PERFDB_CLI_HISTORY_H

#include <stdbool.h>

#include "cli.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"

/* The ids of the options the history commands share (cli_history_parse
 * reads them); --db, --commit and --machine keep cli.h's ids. A command
 * numbers its own long-only options from CLI_HISTORY_OPT_FIRST_FREE. */
enum {
	CLI_OPT_CONFIG = CLI_OPT_FIRST_FREE,
	CLI_OPT_NO_GIT,
	CLI_OPT_SINCE,
	CLI_OPT_UNTIL,
	CLI_OPT_BASELINE,
	CLI_OPT_BENCHMARK,
	CLI_OPT_METRIC,
	CLI_OPT_THRESHOLD,
	CLI_OPT_CONFIDENCE,
	CLI_OPT_WINDOW,
	CLI_OPT_METHOD,
	CLI_HISTORY_OPT_FIRST_FREE
};
/* --last N (-n), trend's and report's. */
enum { CLI_OPT_LAST = 'n' };

/* Option lines the history commands share. */
#define CLI_CONFIG_OPTION                                                                          \
	{                                                                                          \
		"config", CLI_OPT_CONFIG, "FILE",                                                  \
		    "configuration file (default: ./perfdb.yaml when present)"                     \
	}
#define CLI_NO_GIT_OPTION                                                                          \
	{                                                                                          \
		"no-git", CLI_OPT_NO_GIT, NULL,                                                    \
		    "order commits as recorded even inside a git repository"                       \
	}
#define CLI_MACHINE_OPTION                                                                         \
	{                                                                                          \
		"machine", CLI_OPT_MACHINE, "NAME", "only series of this machine"                  \
	}
#define CLI_METRIC_OPTION                                                                          \
	{                                                                                          \
		"metric", CLI_OPT_METRIC, "GLOB",                                                  \
		    "only metrics whose name matches GLOB (cpu_time, real_*)"                      \
	}
#define CLI_LAST_OPTION                                                                            \
	{                                                                                          \
		"last", CLI_OPT_LAST, "N", "the last N commits (default 30)"                       \
	}
#define CLI_BENCHMARK_OPTION                                                                       \
	{                                                                                          \
		"benchmark", CLI_OPT_BENCHMARK, "GLOB", "only benchmarks whose name matches GLOB"  \
	}

/* The scope of a check, regress's and bisect-plan's: the commits checked,
 * the reference, and the series. */
#define CLI_SCOPE_OPTIONS                                                                          \
	{"since", CLI_OPT_SINCE, "REV",                                                            \
	 "check the commits after REV (default: the newest commit only)"},                         \
	    {"until", CLI_OPT_UNTIL, "REV",                                                        \
	     "last commit to check (default: the newest recorded)"},                               \
	    {"commit", CLI_OPT_COMMIT, "REV",                                                      \
	     "check only REV against the baseline (the PR gate)"},                                 \
	    {"baseline", CLI_OPT_BASELINE, "NAME|REV",                                             \
	     "compare with a named baseline or a revision"},                                       \
	    CLI_MACHINE_OPTION, CLI_BENCHMARK_OPTION, CLI_METRIC_OPTION

/* --threshold, --confidence, --window and --method as given: they override
 * perfdb.yaml's defaults, which override the built-in ones. */
typedef enum cli_tune {
	CLI_TUNE_THRESHOLD,
	CLI_TUNE_CONFIDENCE,
	CLI_TUNE_WINDOW,
	CLI_TUNE_METHOD
} cli_tune;
typedef struct cli_tuning {
	bool set[4]; /* by cli_tune */
	double threshold, confidence;
	size_t window;
	perfdb_method method;
} cli_tuning;

/* What a history command's options say: the scope and filters (in o),
 * where the history is, and the tuning. */
typedef struct cli_history_args {
	perfdb_regress_options o;
	const char *db, *config;
	cli_tuning tune;
	size_t last; /* --last, 0 when not given */
} cli_history_args;

/* cli_parse for a history command: h starts with no option given (o is
 * PERFDB_REGRESS_OPTIONS_INIT) and takes the shared options above (and
 * --db); on_option(ctx, ...) gets the command's own. The values are
 * checked: threshold "5" or "5%", confidence in (0, 1), window >= 1, a
 * method name, last >= 2. Returns what cli_parse does. */
int cli_history_parse(const cli_command_info *info, int argc, char **argv, cli_history_args *h,
		      int (*on_option)(void *ctx, int id, const char *arg), void *ctx);

/* The scope's options that exclude each other (--commit and --since): 0,
 * or the exit code after printing a usage error. */
int cli_history_scope_check(const cli_command_info *info, const cli_history_args *h);

/* Opens the command's session (main.c's table says how) with h's --db and
 * --config, then gives h->o the config file's defaults, what the command
 * line set over them, and the config. Returns 0 or the exit code after
 * printing the error. */
int cli_history_session(cli_session *s, cli_history_args *h);

/* cli_fail for regress, compare and trend: a machine or benchmark filter
 * that selects nothing recorded is named by the option that set it
 * ("no series matches --benchmark 'BM_typo*' (3 benchmarks recorded on
 * machine 'm1')"), bench_opt being how this command takes the glob
 * ("--benchmark", or "benchmark" for a positional GLOB). Returns the exit code: 2 for those. */
int cli_history_fail(const char *bench_opt);

#endif
