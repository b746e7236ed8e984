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
#define CLI_BENCHMARK_OPTION(id)                                                                   \
	{                                                                                          \
		"benchmark", id, "GLOB", "only benchmarks whose name matches GLOB"                 \
	}

/* Loads --config FILE, else ./perfdb.yaml when present (*cfg NULL when
 * none), then opens the database: --db, $PERFDB_DB, the config's
 * database, perfdb.db. Returns 0 or the exit code after printing the error. */
int cli_history_open(perfdb_store **store, perfdb_config **cfg, const char *db_flag,
		     const char *config_flag, unsigned flags);

/* "1.234 ms" style: a value in a canonical unit, scaled for people. */
void cli_format_value(char *buf, size_t cap, double v, const char *unit);

/* The first 12 characters of a sha (the whole label when shorter). */
const char *cli_short_sha(char *buf, size_t cap, const char *sha);

/* Tags JSON "{"cc":"gcc"}" as "cc=gcc" ("" for "{}"). */
void cli_tags_text(char *buf, size_t cap, const char *tags);

#endif
