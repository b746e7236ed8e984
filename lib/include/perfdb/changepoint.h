/*
 * perfdb/changepoint.h - where a series steps to a new level.
 *
 * The detector follows E-Divisive means (Matteson & James 2014) the way
 * Apache Otava (Hunter) and MongoDB's signal processing use it on benchmark
 * histories:
 *
 *  1. Candidates: the series is cut into overlapping windows (Otava's
 *     sliding window keeps the cost O(n * window^2) instead of O(n^2) per
 *     level). In each window, E-Divisive picks the split that maximises the
 *     energy-distance divergence Q between the two sides; a split is kept and
 *     both sides are searched again while a two-sample test of the sides is
 *     significant (its p-value Bonferroni-corrected for the number of splits
 *     the best one was chosen from).
 *  2. Pruning: every candidate is then judged against its neighbours (the
 *     segment from the previous candidate to it, against the segment from it
 *     to the next one). The weakest candidate - not significant at
 *     max_p_value, or a relative change of the segment medians below
 *     min_magnitude - is removed and its neighbours are judged again, until
 *     every remaining change point passes both.
 *  3. Confirmation against the series' own noise: benchmark noise is
 *     rarely independent from commit to commit (warm-up, noisy neighbours,
 *     a drifting machine), and a test that counts every point as
 *     independent cuts a wandering or trending series into a staircase.
 *     The noise is modelled as AR(1): its coefficient from the robust
 *     scales of the differences at lags 1 to 16, and from the
 *     autocorrelation of the residuals around the segment medians; the
 *     distance of two neighbouring segment medians is then measured in
 *     long-run standard errors (the error of an m-point level shrinks as
 *     1/sqrt(m) of sd sqrt((1 + phi) / (1 - phi)), not of sd). A change
 *     point stays when z^2 >= 2.5 ln(n), a BIC-like penalty for having
 *     picked the best of about n places. A series whose differences look
 *     integrated (phi >= 0.75: a random walk, a smooth trend) keeps no
 *     level to step from; there the step must also be an outlier among
 *     the one-point differences. The weakest failing change points go
 *     first and their neighbours are judged again, until all pass.
 *  4. Location: each change point is moved, within 3 points and between its
 *     neighbours, to where the two sides' absolute deviations from their
 *     medians are least (E-Divisive's split can be a point off when the
 *     points beside a step are noisy).
 *
 * The two-sample test is Mann-Whitney U of the segment values by default (a
 * one-point anomaly neither hides nor makes a step), and a segment's level is
 * its median; a caller with more evidence per point (the raw repetitions
 * behind each value) passes its own test.
 */
#ifndef PERFDB_CHANGEPOINT_H
#define PERFDB_CHANGEPOINT_H

#include <stddef.h>

#include "perfdb/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One step: values[index] is the first point at the new level. */
typedef struct perfdb_change_point {
	size_t index;
	double level_before; /**< median of the segment before (from the previous change point) */
	double level_after;  /**< median of the segment after (to the next change point) */
	double change;	     /**< level_after / level_before - 1 (0.12 is +12%) */
	double p_value;	     /**< of the two-sample test of those segments */
} perfdb_change_point;

/**
 * A two-sample test of the points [a, b) against [b, c) of the series;
 * returns the p-value (1 when the test cannot be made). ctx is the caller's.
 */
typedef double (*perfdb_segment_test_fn)(void *ctx, size_t a, size_t b, size_t c);

typedef struct perfdb_changepoint_options {
	unsigned version;	     /**< PERFDB_CHANGEPOINT_OPTIONS_VERSION */
	size_t window;		     /**< candidate window, points (default 30, at least 6) */
	double max_p_value;	     /**< significance level (default 0.01) */
	double min_magnitude;	     /**< minimal |relative change| to keep (default 0: any) */
	perfdb_segment_test_fn test; /**< NULL: Mann-Whitney U of the values */
	void *test_ctx;
} perfdb_changepoint_options;

#define PERFDB_CHANGEPOINT_OPTIONS_VERSION 1
#define PERFDB_CHANGEPOINT_OPTIONS_INIT                                                            \
	{                                                                                          \
		.version = PERFDB_CHANGEPOINT_OPTIONS_VERSION, .window = 30, .max_p_value = 0.01,  \
		.min_magnitude = 0, .test = NULL, .test_ctx = NULL                                 \
	}

/** Fills opts with the defaults (the same as PERFDB_CHANGEPOINT_OPTIONS_INIT), for callers that
 *  cannot use the macro (other languages, a struct on the heap). */
void perfdb_changepoint_options_init(perfdb_changepoint_options *opts);

/**
 * Detects the change points of values[0..n) into a new array *out of *nout
 * entries in index order (owned by the caller, free()); *out is NULL when
 * none were found. opts may be NULL for the defaults.
 * Errors: PERFDB_EINVAL (NULL arguments, a non-finite value, bad options),
 * PERFDB_ENOMEM.
 */
int perfdb_changepoints_detect(perfdb_change_point **out, size_t *nout, const double *values,
			       size_t n, const perfdb_changepoint_options *opts);

/**
 * Whether a step between the points [a, b) and [b, c) of values[0..n)
 * passes the confirmation that change points pass (step 3 above): 1 yes,
 * 0 no. For a caller that places a step by other means (perfdb regress's
 * test of the newest commits) and holds it to the same bar.
 * Errors: PERFDB_EINVAL (NULL values, not a < b < c <= n, a non-finite
 * value), PERFDB_ENOMEM.
 */
int perfdb_changepoints_confirm(const double *values, size_t n, size_t a, size_t b, size_t c);

#ifdef __cplusplus
}
#endif
#endif
