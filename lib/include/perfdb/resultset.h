/*
 * perfdb/resultset.h - the one currency between producers and the store.
 *
 * Every producer (a file reader, the profiler, the memory profiler, the load
 * tester, `perfdb run`) fills a resultset: run metadata (commit, branch,
 * machine, tags, a machine fingerprint) plus a list of results. Each result is
 * (benchmark, metric, unit, direction, value) with optional summary statistics
 * and raw samples. The store records resultsets and nothing else.
 *
 * Units are normalised when a result is added (time to "ns", sizes to "B",
 * rates to "<x>/s"), so one series never mixes scales; the direction defaults
 * from the unit when the producer leaves it unset.
 */
#ifndef PERFDB_RESULTSET_H
#define PERFDB_RESULTSET_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct perfdb_resultset perfdb_resultset;

/** Which way is better for a metric. */
typedef enum perfdb_direction {
	PERFDB_DIRECTION_UNSET = 0, /**< derive from the unit on add */
	PERFDB_LOWER_IS_BETTER = 1, /**< latency, time, bytes */
	PERFDB_HIGHER_IS_BETTER = 2 /**< throughput, rates, success */
} perfdb_direction;

/** "lower_is_better" / "higher_is_better" / "unset". Static string. */
const char *perfdb_direction_name(perfdb_direction dir);

/** Parses "lower"/"lower_is_better"/"less" and "higher"/"higher_is_better"/"more".
 *  Returns 0, or PERFDB_EINVAL for anything else. */
int perfdb_direction_parse(perfdb_direction *out, const char *text);

/**
 * One measurement. Strings and samples are borrowed by perfdb_resultset_add,
 * which copies them. Statistics that are unknown are NAN (see
 * perfdb_result_init); `n` is the number of observations behind `value`
 * (0: unknown, taken as nsamples or 1).
 */
typedef struct perfdb_result {
	const char *benchmark; /**< required, e.g. "BM_Sort/1024" */
	const char *metric;    /**< e.g. "real_time"; NULL or "" means "value" */
	const char *unit;      /**< e.g. "ns", "s", "items/s", "B"; NULL or "" when unitless */
	perfdb_direction direction;
	double value; /**< headline value; NAN with samples means their mean */
	int64_t n;
	double mean, median, stddev, min, max;
	const double *samples; /**< raw repetitions, in the same unit as value (NULL with
				  nsamples in a sink that takes them unheld:
				  perfdb_resultset_set_sink_options) */
	size_t nsamples;
} perfdb_result;

/** Resets r: NULL strings, direction unset, every statistic NAN, no samples. */
void perfdb_result_init(perfdb_result *r);

/** Run metadata keys. Unset keys read as NULL. */
typedef enum perfdb_meta {
	PERFDB_META_COMMIT = 0,	  /**< full sha (or any revision label) */
	PERFDB_META_PARENT,	  /**< parent sha */
	PERFDB_META_SUBJECT,	  /**< commit subject line */
	PERFDB_META_AUTHOR,	  /**< commit author */
	PERFDB_META_COMMITTED_AT, /**< commit time, ISO 8601 UTC */
	PERFDB_META_BRANCH,	  /**< branch name */
	PERFDB_META_MACHINE,	  /**< machine name (host name by default) */
	PERFDB_META_STARTED_AT,	  /**< when the run was made, ISO 8601 UTC */
	PERFDB_META_SOURCE, /**< producer: "gbench", "hyperfine", "native", "csv", "profiler", ...
			     */
	PERFDB_META_COUNT_
} perfdb_meta;

/** Creates an empty resultset in *out. Errors: PERFDB_ENOMEM. */
int perfdb_resultset_new(perfdb_resultset **out);

/** Frees rs and everything it holds. Accepts NULL. */
void perfdb_resultset_free(perfdb_resultset *rs);

/** Sets (copies) a metadata value; NULL clears it. Errors: PERFDB_ENOMEM, PERFDB_EINVAL. */
int perfdb_resultset_set_meta(perfdb_resultset *rs, perfdb_meta key, const char *value);

/** A metadata value, borrowed, or NULL when unset. */
const char *perfdb_resultset_meta(const perfdb_resultset *rs, perfdb_meta key);

/**
 * Sets a configuration tag (e.g. "compiler=gcc-12"). Tags are part of a
 * series' identity: results are compared only with equal tags. Setting an
 * existing key replaces its value. Errors: PERFDB_ENOMEM, PERFDB_EINVAL.
 */
int perfdb_resultset_set_tag(perfdb_resultset *rs, const char *key, const char *value);

/**
 * Adds one fact to the machine fingerprint (CPU model, cores, caches, OS, ...).
 * Replaces an existing key. A key or value longer than PERFDB_NAME_MAX bytes
 * or not UTF-8 is left out with a warning (perfdb_resultset_warning).
 * Errors: PERFDB_ENOMEM, PERFDB_EINVAL.
 */
int perfdb_resultset_set_context(perfdb_resultset *rs, const char *key, const char *value);

/** Number of tags / context entries; entry i is returned through key and value (borrowed). */
size_t perfdb_resultset_tag_count(const perfdb_resultset *rs);
void perfdb_resultset_tag(const perfdb_resultset *rs, size_t i, const char **key,
			  const char **value);
size_t perfdb_resultset_context_count(const perfdb_resultset *rs);
void perfdb_resultset_context(const perfdb_resultset *rs, size_t i, const char **key,
			      const char **value);

/** The longest benchmark name, metric or unit, tag name or value, or metadata
 *  value, in bytes, that a resultset takes (PERFDB_EINVAL past it). Each
 *  must be UTF-8 too (PERFDB_EINVAL: "... is not UTF-8 (byte 0xFF at byte 3
 *  of 4)"). */
#define PERFDB_NAME_MAX 65536

/**
 * Adds a copy of r, normalising its unit (value, statistics and samples are
 * scaled together) and deriving its direction when unset. A value that is NAN
 * or infinite after that (and no samples to take it from) is refused with
 * PERFDB_EINVAL: perfdb never stores a number it could not read; so is a
 * name, metric or unit longer than PERFDB_NAME_MAX bytes, or not UTF-8.
 * Errors: PERFDB_EINVAL, PERFDB_ENOMEM.
 */
int perfdb_resultset_add(perfdb_resultset *rs, const perfdb_result *r);

/** Number of results. */
size_t perfdb_resultset_count(const perfdb_resultset *rs);

/** Result i (0-based), borrowed; strings are never NULL ("" when empty). */
const perfdb_result *perfdb_resultset_get(const perfdb_resultset *rs, size_t i);

/**
 * Records a warning about the input (an errored or skipped benchmark, a
 * failed command): reported to the user, never turned into a number.
 * The same text again is counted on the first ("... (3 times)"). Only the
 * first 10 different warnings are kept; the rest are counted, and the
 * warnings then end with "… and 39,990 more" (so a hostile file with a
 * problem on every row costs neither time nor 40,000 lines of output).
 */
int perfdb_resultset_warn(perfdb_resultset *rs, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Number of warnings, the "… and N more" line included. */
size_t perfdb_resultset_warning_count(const perfdb_resultset *rs);
/** Warning i (0-based), borrowed; NULL past the end. */
const char *perfdb_resultset_warning(const perfdb_resultset *rs, size_t i);

/**
 * Moves all results, tags, context and warnings of src into dst; metadata of
 * src fills only keys dst has unset. src is left empty. Errors: PERFDB_ENOMEM.
 */
int perfdb_resultset_merge(perfdb_resultset *dst, perfdb_resultset *src);

/** What a sink is called for (perfdb_resultset_set_sink). */
typedef enum perfdb_sink_event {
	PERFDB_SINK_WRITE = 0,	/**< store the results rs holds now; they are dropped after */
	PERFDB_SINK_DISCARD = 1 /**< forget every batch written: the input is read again */
} perfdb_sink_event;

/** A sink: returns 0, or a negative PERFDB_E* code (its error is set) that
 *  perfdb_resultset_add (or the reader) returns. Ignored for DISCARD. */
typedef int (*perfdb_resultset_sink_fn)(void *ctx, perfdb_resultset *rs, perfdb_sink_event event);

/** Results per batch when perfdb_resultset_set_sink is given 0. */
#define PERFDB_RESULTSET_BATCH 65536

/** A batch also ends once its results hold about this many bytes (names and
 *  samples): a few results of many samples are a batch of their own. */
#define PERFDB_RESULTSET_BATCH_BYTES (32u << 20)

/**
 * Lets rs hand its results over in batches instead of holding a whole run:
 * once rs holds `batch` results (0: PERFDB_RESULTSET_BATCH), or results of
 * PERFDB_RESULTSET_BATCH_BYTES (names and samples, about), fn is called
 * with WRITE and rs as it is then (metadata, tags, context, warnings so far
 * and the batch's results), and on success the results are dropped from rs
 * (perfdb_resultset_count is 0 again; everything else is kept, and
 * perfdb_resultset_written counts them). Results come from
 * perfdb_resultset_add on rs itself, and from the readers whose results are
 * final once read (perfdb native JSON, Google Benchmark) while they read into
 * rs; every other reader, and perfdb_resultset_merge, only adds. A reader that
 * must start the input again calls fn with DISCARD and then refills rs from
 * the start (perfdb_resultset_written is 0 again). What is left at the end
 * stays in rs for the caller to write. fn NULL removes the sink.
 * Errors: none (returns 0).
 */
int perfdb_resultset_set_sink(perfdb_resultset *rs, perfdb_resultset_sink_fn fn, void *ctx,
			      size_t batch);

/** perfdb_resultset_set_sink_options: the sink reads each result's samples
 *  through perfdb_resultset_samples_next (perfdb_recording_add does), so a
 *  reader may leave a result's samples where they are in its input. */
#define PERFDB_SINK_UNHELD_SAMPLES 1u

/** A result of at least this many samples may be unheld (below). */
#define PERFDB_RESULTSET_UNHELD_FROM 65536

/**
 * Options of rs's sink (0 after perfdb_resultset_set_sink). With
 * PERFDB_SINK_UNHELD_SAMPLES, a reader that finds a result of at least
 * PERFDB_RESULTSET_UNHELD_FROM samples in a long JSON array of numbers
 * (perfdb native `samples`, hyperfine `times` and `memory_usage_byte`,
 * pytest-benchmark `data`, JMH `rawData`, BenchmarkDotNet `OriginalValues`)
 * does not hold them as doubles: the result is handed to the sink at once,
 * in a batch that ends with it, with `samples` NULL and `nsamples` set, and
 * the sink reads them, scaled, with perfdb_resultset_samples_next, as often
 * as it needs, during that call only. Their text is held, not 8 bytes a
 * number beside it. Errors: PERFDB_EINVAL (an unknown option).
 */
int perfdb_resultset_set_sink_options(perfdb_resultset *rs, unsigned options);

/** Samples per chunk of perfdb_resultset_samples_next, at most. */
#define PERFDB_SAMPLES_CHUNK 1024

/** Where perfdb_resultset_samples_next is in a result's samples (caller-owned). */
typedef struct perfdb_samples_cursor {
	const perfdb_resultset *rs;
	size_t i, at;
	double buf[PERFDB_SAMPLES_CHUNK];
} perfdb_samples_cursor;

/** Starts c at the first sample of result i of rs. */
void perfdb_resultset_samples_open(const perfdb_resultset *rs, size_t i, perfdb_samples_cursor *c);

/**
 * The next chunk of the result's samples, in order and scaled as added: *n
 * of them (all at once when they are held), or NULL after the last; the
 * call after NULL starts again from the first (a perfdb_stats_chunks:
 * `cursor` is a perfdb_samples_cursor). Borrowed until the next call.
 */
const double *perfdb_resultset_samples_next(void *cursor, size_t *n);

/** Results handed to rs's sink so far (not counted in perfdb_resultset_count). */
size_t perfdb_resultset_written(const perfdb_resultset *rs);

/**
 * Unit normalisation, exposed for producers and readers: maps unit to its
 * canonical spelling and the factor a value is multiplied by.
 * Time -> "ns" (ns, us, µs, ms, s, sec, min), sizes -> "B" (B, bytes, kB, KB,
 * KiB, MB, MiB, GB, GiB), rates X/<time> -> X/s with sizes normalised too
 * (MiB/s -> B/s). Any other unit is kept as it is with factor 1.
 * Writes a static string or `unit` itself to *canonical. NULL is taken as "".
 */
void perfdb_unit_normalize(const char *unit, const char **canonical, double *factor);

/** The default direction for a canonical unit: rates (".../s", "%/s") higher
 *  is better, everything else lower. */
perfdb_direction perfdb_unit_direction(const char *canonical_unit);

#ifdef __cplusplus
}
#endif
#endif
