/*
 * perfdb/ingest.h - reading benchmark results into a resultset.
 *
 * One reader per format (lib/ingest/<format>.c). Every reader parses its whole
 * input before it adds anything: on failure it returns an error and leaves the
 * resultset as it was, so bad input is never half-recorded. Input errors are
 * PERFDB_EINPUT with file, line, column and field in perfdb_error_last().
 */
#ifndef PERFDB_INGEST_H
#define PERFDB_INGEST_H

#include <stddef.h>

#include "perfdb/common.h"
#include "perfdb/resultset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum perfdb_format {
	PERFDB_FORMAT_AUTO = 0,		 /**< detect from content */
	PERFDB_FORMAT_GBENCH,		 /**< Google Benchmark JSON */
	PERFDB_FORMAT_HYPERFINE,	 /**< hyperfine --export-json */
	PERFDB_FORMAT_NATIVE_JSON,	 /**< perfdb native, JSON */
	PERFDB_FORMAT_NATIVE_YAML,	 /**< perfdb native, YAML */
	PERFDB_FORMAT_CSV,		 /**< CSV with a header */
	PERFDB_FORMAT_GO,		 /**< go test -bench text output */
	PERFDB_FORMAT_GO_JSON,		 /**< go test -bench -json (test2json events) */
	PERFDB_FORMAT_CATCH2,		 /**< Catch2 -r xml (<BenchmarkResults>) */
	PERFDB_FORMAT_PYTEST_BENCHMARK,	 /**< pytest-benchmark --benchmark-json */
	PERFDB_FORMAT_LIBTEST,		 /**< cargo bench text, criterion --output-format bencher */
	PERFDB_FORMAT_LIBTEST_JSON,	 /**< cargo bench -- -Z unstable-options --format json */
	PERFDB_FORMAT_BMF,		 /**< Bencher Metric Format JSON */
	PERFDB_FORMAT_CRITERION,	 /**< a target/criterion directory (perfdb_ingest_file) */
	PERFDB_FORMAT_JMH,		 /**< JMH -rf json */
	PERFDB_FORMAT_BENCHMARKDOTNET,	 /**< BenchmarkDotNet JSON export */
	PERFDB_FORMAT_NANOBENCH,	 /**< nanobench templates::json() */
	PERFDB_FORMAT_WRK,		 /**< wrk / wrk2 text report */
	PERFDB_FORMAT_AB,		 /**< ApacheBench text report, -e CSV, -g TSV */
	PERFDB_FORMAT_HEY,		 /**< hey text report and -o csv */
	PERFDB_FORMAT_K6,		 /**< k6 --summary-export / handleSummary JSON */
	PERFDB_FORMAT_LOCUST,		 /**< Locust --csv _stats.csv / _stats_history.csv */
	PERFDB_FORMAT_VEGETA,		 /**< vegeta report -type=json */
	PERFDB_FORMAT_NANOBENCH_CONSOLE, /**< nanobench's console table */
	PERFDB_FORMAT_NANOBENCH_CSV,	 /**< nanobench templates::csv() */
	PERFDB_FORMAT_CRITERION_CONSOLE	 /**< criterion.rs console output (cargo bench) */
} perfdb_format;

/** "auto", "gbench", "hyperfine", "json", "yaml", "csv", "go", "go-json",
 *  "catch2", "pytest-benchmark", "libtest", "libtest-json", "bmf",
 *  "criterion", "jmh", "benchmarkdotnet", "nanobench", "wrk", "ab", "hey",
 *  "k6", "locust", "vegeta", "nanobench-console", "nanobench-csv",
 *  "criterion-console". Static
 *  string. */
const char *perfdb_format_name(perfdb_format fmt);

/** Parses a format name as printed by perfdb_format_name (also "native" for
 *  json, "googlebenchmark"/"google-benchmark" for gbench, "test2json" for
 *  go-json). PERFDB_EINVAL otherwise. */
int perfdb_format_parse(perfdb_format *out, const char *name);

/** Detects the format of data from its content. Returns PERFDB_FORMAT_AUTO
 *  when it cannot tell. Never fails. */
perfdb_format perfdb_ingest_detect(const char *data, size_t len);

/**
 * Parses data (len bytes, need not be NUL-terminated) in format fmt (AUTO:
 * detect) and adds its results, tags, context and warnings to rs.
 * `name` is used in error messages (a path, or "<stdin>").
 * Errors: PERFDB_EINPUT (malformed), PERFDB_EFORMAT (format unknown or empty
 * input), PERFDB_ENOMEM. On error rs is unchanged.
 */
int perfdb_ingest_buffer(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			 perfdb_format fmt);

/** The most perfdb_ingest_file reads: 1 GiB. */
#define PERFDB_INGEST_MAX_INPUT ((size_t)1 << 30)

/**
 * As perfdb_ingest_buffer, reading the file at path ("-" reads stdin), at
 * most PERFDB_INGEST_MAX_INPUT bytes. A directory is read as criterion's
 * target/criterion (fmt AUTO or CRITERION): every new/ folder with
 * benchmark.json and estimates.json under it. Any other named path must be
 * a regular file: FIFOs, devices (/dev/zero) and /proc or /sys files are
 * refused before anything is read (standard input may be a pipe).
 * Errors additionally: PERFDB_EIO when the file cannot be read,
 * PERFDB_EINPUT when it is not a regular file, PERFDB_ETOOBIG when it is larger than the
 * limit, PERFDB_EFORMAT when its format cannot be told (name it).
 * Standard input of more than a few MB is kept in an unlinked temporary
 * file in $TMPDIR (else /tmp) and read from there as a file by name is (in
 * bounded memory for Google Benchmark and native JSON): PERFDB_ERROR when
 * that file cannot be made or written (a system error, not bad input).
 */
int perfdb_ingest_file(perfdb_resultset *rs, const char *path, perfdb_format fmt);

/** perfdb_ingest_file with a limit of max_bytes (0: PERFDB_INGEST_MAX_INPUT). */
int perfdb_ingest_file_max(perfdb_resultset *rs, const char *path, perfdb_format fmt,
			   size_t max_bytes);

#ifdef __cplusplus
}
#endif
#endif
