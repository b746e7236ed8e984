/* Unit tests of lib/analysis/regress_steps.c: the steps of one series, and
 * the screen that skips a series whose levels cannot hold a step beyond the
 * threshold. The screen is exact only while every step reported has both of
 * its levels between the least and the greatest level of the series (or the
 * baseline's): the first test holds the analysis to that over many generated
 * series, all methods, with and without a baseline, range and gate. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/regress_internal.h"
#include "perfdb/stats.h"

#define MAXN 40
#define MAXK 6

typedef struct gen {
	uint64_t state;
} gen;

static double uniform(gen *g)
{
	g->state = g->state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(g->state >> 11) / 9007199254740992.0;
}

/* A generated series: points of k samples each (k 0: the run's value). */
typedef struct series {
	perfdb_series_point pts[MAXN + 1]; /* the last one: a baseline point */
	double samples[MAXN + 1][MAXK], values[MAXN + 1];
	size_t n;
} series;

static void make_point(series *s, size_t i, double level, double noise, size_t k, gen *g)
{
	perfdb_series_point *p = &s->pts[i];
	double scratch[MAXK];
	size_t j;
	memset(p, 0, sizeof(*p));
	p->pos = i;
	p->commit_id = (int64_t)i + 1;
	p->nruns = 1;
	for (j = 0; j < k; j++)
		s->samples[i][j] = level * (1 + noise * (uniform(g) - 0.5));
	s->values[i] = k ? s->samples[i][0] : level * (1 + noise * (uniform(g) - 0.5));
	p->value = s->values[i];
	p->run_values = &s->values[i];
	if (k) {
		p->samples = s->samples[i];
		p->nsamples = k;
		memcpy(scratch, s->samples[i], k * sizeof(*scratch));
		p->level = perfdb_stats_median_inplace(scratch, k);
		memcpy(scratch, s->samples[i], k * sizeof(*scratch));
		p->mad = perfdb_stats_mad_inplace(scratch, k);
	} else {
		p->level = p->value;
	}
}

/* Levels with 0-3 steps of up to +-30% at random places, noise of 0-8%. */
static void make_series(series *s, gen *g)
{
	double level = 100 + 900 * uniform(g), noise = 0.08 * uniform(g);
	size_t i, k = (size_t)(uniform(g) * MAXK), nsteps = (size_t)(uniform(g) * 4);
	size_t at[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
	s->n = 3 + (size_t)(uniform(g) * (MAXN - 3));
	for (i = 0; i < nsteps; i++)
		at[i] = 1 + (size_t)(uniform(g) * (double)(s->n - 1));
	for (i = 0; i < s->n; i++) {
		if (i == at[0] || i == at[1] || i == at[2])
			level *= 1 + 0.6 * (uniform(g) - 0.5);
		make_point(s, i, level, noise, k, g);
	}
	make_point(s, MAXN, 100 + 900 * uniform(g), noise, k, g);
}

static void test_regress_steps__every_step_lies_between_the_levels(void **state)
{
	static const perfdb_method methods[] = {
	    PERFDB_METHOD_AUTO,	 PERFDB_METHOD_CHANGEPOINT, PERFDB_METHOD_PERCENT,
	    PERFDB_METHOD_TTEST, PERFDB_METHOD_MANNWHITNEY, PERFDB_METHOD_ZSCORE};
	static const double thresholds[] = {1, 5, 10};
	series *s = malloc(sizeof(*s));
	gen g = {42};
	size_t trial, found = 0, near = 0;
	(void)state;
	assert_non_null(s);
	for (trial = 0; trial < 3000; trial++) {
		perfdb_scope_series cfg;
		perfdb_regress_step *steps = NULL;
		const perfdb_series_point *base;
		double lo = INFINITY, hi = -INFINITY;
		size_t i, nsteps = 0, r;
		int gate = trial % 5 == 4;
		make_series(s, &g);
		base = trial % 3 == 2 ? &s->pts[MAXN] : NULL;
		r = base ? (size_t)(uniform(&g) * (double)s->n) : 1 + (size_t)(uniform(&g) * 20);
		r = r < s->n ? r : s->n - 1;
		memset(&cfg, 0, sizeof(cfg));
		cfg.method = methods[trial % (sizeof(methods) / sizeof(methods[0]))];
		cfg.threshold = thresholds[trial / 7 % 3];
		cfg.direction = PERFDB_LOWER_IS_BETTER;
		for (i = 0; i < s->n + (base != NULL); i++) {
			double x = i < s->n ? s->pts[i].level : base->level;
			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		assert_int_equal(
		    perfdb_regress__steps(&steps, &nsteps, s->pts, s->n, r, base, gate, &cfg, 0.05),
		    0);
		for (i = 0; i < nsteps; i++) {
			assert_true(steps[i].before >= lo && steps[i].before <= hi);
			assert_true(steps[i].after >= lo && steps[i].after <= hi);
			assert_true(fabs(steps[i].change) * 100 >= cfg.threshold);
		}
		found += nsteps;
		/* series the screen lets through only just: their steps are
		 * found as before */
		near += nsteps && (hi - lo) * 100 < 1.5 * cfg.threshold * lo;
		free(steps);
	}
	/* the generator gives both kinds of series */
	assert_true(found > 300);
	assert_true(near > 5);
	free(s);
}

/* Ten commits at 100 and ten at 100 + step: a step of 4.9% is below a 5%
 * threshold (screened out), one of 5.5% is found, with the same noise. */
static void test_regress_steps__the_threshold_is_the_screens_edge(void **state)
{
	static const double stepped[] = {4.9, 5.5, -4.9, -5.5};
	series *s = malloc(sizeof(*s));
	size_t t;
	(void)state;
	assert_non_null(s);
	for (t = 0; t < sizeof(stepped) / sizeof(stepped[0]); t++) {
		perfdb_scope_series cfg = {0, 5, PERFDB_LOWER_IS_BETTER, PERFDB_METHOD_AUTO};
		perfdb_regress_step *steps = NULL;
		size_t i, nsteps = 0;
		gen g = {7};
		s->n = 20;
		for (i = 0; i < s->n; i++)
			make_point(s, i, i < 10 ? 100 : 100 + stepped[t], 0.002, 5, &g);
		assert_int_equal(
		    perfdb_regress__steps(&steps, &nsteps, s->pts, s->n, 5, NULL, 0, &cfg, 0.05),
		    0);
		if (fabs(stepped[t]) < 5) {
			assert_int_equal(nsteps, 0);
		} else {
			assert_int_equal(nsteps, 1);
			assert_int_equal(steps[0].point, 10);
			assert_true(fabs(steps[0].change * 100 - stepped[t]) < 0.5);
		}
		free(steps);
	}
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_regress_steps__every_step_lies_between_the_levels),
	    cmocka_unit_test(test_regress_steps__the_threshold_is_the_screens_edge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
