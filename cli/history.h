/* Shared by the history commands: regress, compare, trend, baseline, alerts, ack. */
#ifndef PERFDB_CLI_HISTORY_H
#define PERFDB_CLI_HISTORY_H

#include <stdbool.h>

#include "cli.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"

/* Option lines the history commands share (each command numbers the id). */
#define CLI_CONFIG_OPTION(id)                                                                      \
	{                                                                                          \
		"config", id, "FILE", "configuration file (default: ./perfdb.yaml when present)"   \
	}
#define CLI_NO_GIT_OPTION(id)                                                                      \
	{                                                                                          \
		"no-git", id, NULL, "order commits as recorded even inside a git repository"       \
	}
#define CLI_MACHINE_OPTION(id)                                                                     \
	{                                                                                          \
		"machine", id, "NAME", "only series of this machine"                               \
	}
#define CLI_METRIC_OPTION(id)                                                                      \
	{                                                                                          \
		"metric", id, "GLOB", "only metrics whose name matches GLOB (cpu_time, real_*)"    \
	}
#define CLI_BENCHMARK_OPTION(id)                                                                   \
	{                                                                                          \
		"benchmark", id, "GLOB", "only benchmarks whose name matches GLOB"                 \
	}

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

/* Reads the value of one of them into t (threshold "5" or "5%", confidence
 * in (0, 1), window >= 1, a method name). 0, or 1 after printing a usage
 * error naming the option. */
int cli_tuning_parse(const cli_command_info *cmd, cli_tuning *t, cli_tune which, const char *arg);

/* o takes the config file's defaults (cfg may be NULL), then what the
 * command line set. */
void cli_tuning_apply(const cli_tuning *t, const perfdb_config *cfg, perfdb_regress_options *o);

/* Loads --config FILE, else ./perfdb.yaml when present (*cfg NULL when
 * none), then opens the database: --db, $PERFDB_DB, the config's
 * database, perfdb.db, which must exist (exit 3 otherwise, even for the
 * commands that write). Returns 0 or the exit code after printing the
 * error. */
int cli_history_open(perfdb_store **store, perfdb_config **cfg, const char *db_flag,
		     const char *config_flag, unsigned flags);

/* cli_fail for regress, compare and trend: a machine or benchmark filter
 * that selects nothing recorded is named by the option that set it
 * ("no series matches --benchmark 'BM_typo*' (3 benchmarks recorded on
 * machine 'm1')"), bench_opt being how this command takes the glob
 * ("--benchmark", or "benchmark" for a positional GLOB). Returns the exit code: 2 for those. */
int cli_history_fail(const char *bench_opt);

/* The Unicode bar (U+2581..U+2588) of value v on the scale lo..hi: the
 * lowest bar at lo, the highest at hi, a middle one when hi <= lo. Shared
 * by trend's lines and regress's Markdown (cmd_trend.c). */
const char *cli_spark_bar(double v, double lo, double hi);

/* Tags as "cc=gcc" ("" for none). */
void cli_tags_text(char *buf, size_t cap, const perfdb_tags *tags);

/* Tags as a new JSON object of strings (for --format json), from the
 * accessors; never NULL but when out of memory. */
json_t *cli_tags_json(const perfdb_tags *tags);

#endif
