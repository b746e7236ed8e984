/*
 * perfdb/config.h - perfdb.yaml: the database path, regression defaults and
 * per-benchmark overrides.
 *
 *   database: perf/history.db
 *   defaults:
 *     threshold: 5        # percent
 *     confidence: 0.99
 *     method: auto        # auto|percent|ttest|mannwhitney|zscore|changepoint
 *     window: 20          # commits
 *   benchmarks:
 *     - match: "BM_Noisy*"  # shell glob on the benchmark name
 *       threshold: 15
 *     - match: "*_throughput"
 *       direction: higher_is_better
 *     - match: "BM_Experimental_*"
 *       ignore: true
 *     - match: "heap_*"     # deterministic: one value per commit
 *       method: percent
 *
 * Every override whose glob matches a benchmark applies, in file order (a
 * later one wins a key both set). Unknown keys and bad values are errors
 * with the file, line and column.
 */
#ifndef PERFDB_CONFIG_H
#define PERFDB_CONFIG_H

#include <stddef.h>

#include "perfdb/common.h"
#include "perfdb/regress.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* typedef struct perfdb_config perfdb_config; is in perfdb/regress.h */

/** The file name looked for in the working directory. */
#define PERFDB_CONFIG_FILE "perfdb.yaml"

/**
 * Loads the configuration file at path into *out (owned, perfdb_config_free).
 * Errors: PERFDB_EIO (cannot read it), PERFDB_EINPUT (not valid YAML, an
 * unknown key, a bad value: the error carries file, line and column),
 * PERFDB_ENOMEM.
 */
int perfdb_config_load(perfdb_config **out, const char *path);

/**
 * Loads dir/perfdb.yaml when it exists (dir NULL: the working directory);
 * *out is NULL and 0 is returned when there is none. Errors as
 * perfdb_config_load.
 */
int perfdb_config_find(perfdb_config **out, const char *dir);

void perfdb_config_free(perfdb_config *cfg);

/**
 * The new name of a renamed benchmark, from the file's `renames: {old: new}`
 * (the first entry whose old name matches; '*' in it matches any text and
 * each '*' of the new name takes what the '*' of the same rank matched:
 * "BM_UFlat_*": "BM_UFlat_*_1"). Writes it to buf and returns 1; 0 when
 * benchmark is not renamed (or the new name does not fit cap). cfg may be
 * NULL.
 */
int perfdb_config_rename(const perfdb_config *cfg, const char *benchmark, char *buf, size_t cap);

/** The database path, or NULL when the file does not set one. Borrowed. */
const char *perfdb_config_database(const perfdb_config *cfg);

/**
 * Applies the file's defaults to opts: only the keys the file sets change
 * (threshold, confidence, method, window).
 */
void perfdb_config_apply_defaults(const perfdb_config *cfg, perfdb_regress_options *opts);

/** What the overrides say about one benchmark. */
typedef struct perfdb_benchmark_config {
	double threshold_pct;	    /**< percent, NAN when not overridden */
	perfdb_direction direction; /**< PERFDB_DIRECTION_UNSET when not overridden */
	int ignore;		    /**< 1: leave the benchmark out of regress */
	int has_method;		    /**< 1: method overrides the run's method */
	perfdb_method method;	    /**< valid when has_method */
} perfdb_benchmark_config;

/** Fills *out for one series (benchmark and metric) from every override
 *  that matches it: its `match` glob on the benchmark and, when it has one,
 *  its `metric` glob on the metric (metric NULL matches only overrides
 *  without one). cfg may be NULL. */
void perfdb_config_match(perfdb_benchmark_config *out, const perfdb_config *cfg,
			 const char *benchmark, const char *metric);

#ifdef __cplusplus
}
#endif
#endif
