/*
 * perfdb/stats.h - the statistics behind `perfdb regress`.
 *
 * Descriptive statistics (mean, median, standard deviation, MAD, quantiles),
 * the distributions the tests need (normal, Student t through the regularised
 * incomplete beta function), Welch's unequal-variance t-test, the
 * Mann-Whitney U test (exact for small samples without ties, otherwise the
 * normal approximation with tie and continuity correction, as scipy does)
 * and a seeded bootstrap confidence interval of a relative change.
 *
 * Functions that only read their input never allocate and return NAN when
 * the input is too small; functions that can fail return 0 or a negative
 * PERFDB_E* code. Nothing here keeps state: all functions are thread-safe.
 */
#ifndef PERFDB_STATS_H
#define PERFDB_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "perfdb/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Arithmetic mean; NAN when n == 0. */
double perfdb_stats_mean(const double *x, size_t n);

/** Sample variance (divisor n - 1), two-pass; NAN when n < 2. */
double perfdb_stats_variance(const double *x, size_t n);

/** Sample standard deviation (divisor n - 1); NAN when n < 2. */
double perfdb_stats_stddev(const double *x, size_t n);

/** Sorts x ascending in place (NAN values are not allowed). */
void perfdb_stats_sort(double *x, size_t n);

/**
 * The q-quantile (0 <= q <= 1) of an ascending array, interpolated linearly
 * between order statistics (Hyndman-Fan type 7: R's and numpy's default).
 * NAN when n == 0 or q is outside [0, 1].
 */
double perfdb_stats_quantile_sorted(const double *sorted, size_t n, double q);

/** Median of x; may reorder x (a partial selection; from 4,096 values on, the
 * radix selection of perfdb_stats_median). NAN when n == 0. */
double perfdb_stats_median_inplace(double *x, size_t n);

/**
 * Median absolute deviation from the median, unscaled (multiply by 1.4826 for
 * a consistent estimate of a normal standard deviation). Overwrites x with
 * the absolute deviations. NAN when n == 0.
 */
double perfdb_stats_mad_inplace(double *x, size_t n);

/**
 * Median of x, x left unchanged and nothing allocated; the same value as
 * perfdb_stats_median_inplace. A radix selection over the values' bits: at
 * most nine passes over x whatever its order (for very large or untrusted
 * samples, where a copy or a comparison selection's worst case would cost).
 * NAN when n == 0. x holds no NAN.
 */
double perfdb_stats_median(const double *x, size_t n);

/**
 * Median absolute deviation of x from `median` (perfdb_stats_median's),
 * unscaled, x left unchanged: perfdb_stats_mad_inplace's value without its
 * copy. NAN when n == 0.
 */
double perfdb_stats_mad(const double *x, size_t n, double median);

/**
 * Values read a chunk at a time, as often as asked: each call returns the
 * next *n values (*n > 0), NULL after the last, and the call after that
 * starts again from the first. For values too many to hold at once, read
 * again where they are (a result's samples still in its input's text:
 * perfdb_resultset_samples_next).
 */
typedef const double *(*perfdb_stats_chunks)(void *ctx, size_t *n);

/** perfdb_stats_median of the n values next reads (at most nine passes,
 *  nothing allocated). NAN when n == 0. */
double perfdb_stats_median_chunks(perfdb_stats_chunks next, void *ctx, size_t n);

/** perfdb_stats_mad of the n values next reads, from `median`. NAN when n == 0. */
double perfdb_stats_mad_chunks(perfdb_stats_chunks next, void *ctx, size_t n, double median);

/** Summary of a sample. */
typedef struct perfdb_summary {
	size_t n;
	double mean, stddev, min, max;
	double median, mad; /**< mad unscaled */
	double q1, q3;	    /**< quartiles, type 7 */
} perfdb_summary;

/**
 * Fills *out with the summary of x (left unchanged). Allocates a sorted copy.
 * Errors: PERFDB_EINVAL (n == 0, NULL, a NAN value), PERFDB_ENOMEM.
 */
int perfdb_stats_summarize(perfdb_summary *out, const double *x, size_t n);

/* ---- distributions ---------------------------------------------------------- */

/** Standard normal CDF Phi(z). */
double perfdb_stats_normal_cdf(double z);

/** Regularised incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1; NAN otherwise. */
double perfdb_stats_incbeta(double a, double b, double x);

/** Student t CDF with df > 0 degrees of freedom (df may be fractional); NAN if df <= 0. */
double perfdb_stats_t_cdf(double t, double df);

/* ---- tests ---------------------------------------------------------------- */

/** Alternative hypothesis, about sample a relative to sample b. */
typedef enum perfdb_alternative {
	PERFDB_TWO_SIDED = 0, /**< a and b differ */
	PERFDB_LESS,	      /**< a is stochastically less than b (mean of a < mean of b) */
	PERFDB_GREATER	      /**< a is greater than b */
} perfdb_alternative;

/** The outcome of a two-sample test. */
typedef struct perfdb_test_result {
	double statistic; /**< t for Welch, U of sample a for Mann-Whitney */
	double df;	  /**< Welch degrees of freedom; NAN for Mann-Whitney */
	double p_value;	  /**< in [0, 1] */
	int exact;	  /**< Mann-Whitney: 1 when the exact distribution was used */
} perfdb_test_result;

/**
 * Welch's two-sample t-test (unequal variances, Welch-Satterthwaite df), as
 * scipy.stats.ttest_ind(a, b, equal_var=False). When both samples have zero
 * variance the p-value is 1 for equal means and 0 otherwise.
 * Errors: PERFDB_EINVAL (na < 2 or nb < 2, NULL, non-finite values).
 */
int perfdb_stats_welch(perfdb_test_result *out, const double *a, size_t na, const double *b,
		       size_t nb, perfdb_alternative alt);

/**
 * Mann-Whitney U test of a against b. statistic is U of a (R_a - na(na+1)/2).
 * The exact null distribution is used when there are no ties and
 * na + nb <= 40 (the counts stay exact in a double); otherwise the normal
 * approximation with tie correction and continuity correction 0.5, as
 * scipy.stats.mannwhitneyu(method="asymptotic"). All-equal samples give p 1.
 * Errors: PERFDB_EINVAL (na or nb == 0, NULL, NAN values), PERFDB_ENOMEM.
 */
int perfdb_stats_mannwhitney(perfdb_test_result *out, const double *a, size_t na, const double *b,
			     size_t nb, perfdb_alternative alt);

/** Which location a bootstrap interval is about. */
typedef enum perfdb_location { PERFDB_LOCATION_MEAN = 0, PERFDB_LOCATION_MEDIAN } perfdb_location;

typedef struct perfdb_bootstrap_options {
	unsigned version;	  /**< PERFDB_BOOTSTRAP_OPTIONS_VERSION */
	unsigned resamples;	  /**< default 2000 */
	double confidence;	  /**< default 0.95 */
	uint64_t seed;		  /**< the resampling is deterministic for a seed */
	perfdb_location location; /**< mean (default) or median */
} perfdb_bootstrap_options;

#define PERFDB_BOOTSTRAP_OPTIONS_VERSION 1
#define PERFDB_BOOTSTRAP_OPTIONS_INIT                                                              \
	{                                                                                          \
		.version = PERFDB_BOOTSTRAP_OPTIONS_VERSION, .resamples = 2000,                    \
		.confidence = 0.95, .seed = 1, .location = PERFDB_LOCATION_MEAN                    \
	}

/** Fills opts with the defaults (the same as PERFDB_BOOTSTRAP_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_bootstrap_options_init(perfdb_bootstrap_options *opts);

/** A confidence interval of a relative change, as fractions (0.05 is +5%). */
typedef struct perfdb_interval {
	double estimate; /**< loc(b) / loc(a) - 1 on the original samples */
	double lower, upper;
} perfdb_interval;

/**
 * Percentile bootstrap interval of the relative change of b against a
 * (loc(b) / loc(a) - 1): both samples are resampled with replacement.
 * opts may be NULL for the defaults.
 * Errors: PERFDB_EINVAL (empty sample, a location of a that is 0, bad
 * confidence), PERFDB_ENOMEM.
 */
int perfdb_stats_bootstrap_change(perfdb_interval *out, const double *a, size_t na, const double *b,
				  size_t nb, const perfdb_bootstrap_options *opts);

#ifdef __cplusplus
}
#endif
#endif
