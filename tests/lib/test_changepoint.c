/* Unit tests of lib/analysis/changepoint.c: generated steps, spikes and noise
 * (the real tigerbeetle series is in tests/acceptance). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/evaluate.h"
#include "perfdb/changepoint.h"

/* Deterministic normal noise (Box-Muller over a 64-bit LCG). */
static uint64_t rng_state = 42;
static double uniform01(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

/* A generated series shaped like tigerbeetle's (the real one is in the
 * acceptance suite): 365 points at 2% noise, a one-point anomaly at 10
 * (-40%), a -12% drop at 15 and a +17% rise at 71. */
static size_t tigerbeetle_like(double *x)
{
	size_t i;
	rng_state = 365;
	for (i = 0; i < 365; i++) {
		double level = i < 15 ? 1000000 : (i < 71 ? 880000 : 1030000);
		x[i] = (i == 10 ? 0.6 : 1) * level * (1 + 0.02 * gauss());
	}
	return 365;
}

static void test_changepoint__two_steps_one_anomaly(void **state)
{
	/* window 30, p 0.01, magnitude 5% find the drop at 15 and the rise at
	 * 71; 10 is an anomaly. */
	double x[400];
	size_t n = tigerbeetle_like(x), k;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	o.window = 30;
	o.max_p_value = 0.01;
	o.min_magnitude = 0.05;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, n, &o), 0);
	assert_int_equal(k, 2);
	assert_int_equal(cp[0].index, 15);
	assert_true(cp[0].change < -0.09 && cp[0].change > -0.15);
	assert_true(cp[0].p_value < 0.01);
	assert_int_equal(cp[1].index, 71);
	assert_true(cp[1].change > 0.14);
	free(cp);
}

static void test_changepoint__anomaly_not_a_step(void **state)
{
	/* Even with no magnitude floor, the one-point anomaly at 10 is never
	 * a change point (nor is 11, where the series comes back). */
	double x[400];
	size_t n = tigerbeetle_like(x), k, i;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	o.min_magnitude = 0;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, n, &o), 0);
	assert_true(k >= 2);
	for (i = 0; i < k; i++) {
		assert_int_not_equal(cp[i].index, 10);
		assert_int_not_equal(cp[i].index, 11);
	}
	assert_int_equal(cp[0].index, 15);
	free(cp);
}

static void test_changepoint__synthetic_steps(void **state)
{
	/* 2% noise, +10% at 100, -15% at 250: both found at the exact index. */
	double x[400];
	size_t i, k;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	rng_state = 7;
	for (i = 0; i < 400; i++) {
		double level = i < 100 ? 1000 : (i < 250 ? 1100 : 935);
		x[i] = level * (1 + 0.02 * gauss());
	}
	o.min_magnitude = 0.05;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, 400, &o), 0);
	assert_int_equal(k, 2);
	assert_int_equal(cp[0].index, 100);
	assert_true(fabs(cp[0].change - 0.10) < 0.02);
	assert_int_equal(cp[1].index, 250);
	assert_true(fabs(cp[1].change + 0.15) < 0.02);
	free(cp);
}

static void test_changepoint__quiet_and_spikes(void **state)
{
	/* 3% noise with three one-point spikes of +60%: no change point. */
	double x[300];
	size_t i, k;
	perfdb_change_point *cp = NULL;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	rng_state = 99;
	for (i = 0; i < 300; i++)
		x[i] = 500 * (1 + 0.03 * gauss());
	x[40] *= 1.6;
	x[170] *= 1.6;
	x[171] *= 0.5;
	o.min_magnitude = 0.05;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, 300, &o), 0);
	assert_int_equal(k, 0);
	assert_null(cp);
}

static double never_significant(void *ctx, size_t a, size_t b, size_t c)
{
	(*(int *)ctx)++;
	(void)a;
	(void)b;
	(void)c;
	return 1;
}

static void test_changepoint__custom_test(void **state)
{
	/* A caller's test replaces the default: one that never rejects finds nothing. */
	double x[100];
	size_t i, k;
	int calls = 0;
	perfdb_change_point *cp = NULL;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	for (i = 0; i < 100; i++)
		x[i] = i < 50 ? 10 : 20;
	o.test = never_significant;
	o.test_ctx = &calls;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, 100, &o), 0);
	assert_int_equal(k, 0);
	assert_true(calls > 0);
	/* the default finds the step */
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, 100, NULL), 0);
	assert_int_equal(k, 1);
	assert_int_equal(cp[0].index, 50);
	assert_true(fabs(cp[0].change - 1.0) < 1e-12);
	free(cp);
}

static void test_changepoint__long_series(void **state)
{
	/* 10,000 points with a step every 1,000 and a +50% spike every 97
	 * points: each step found exactly, no spike taken for one. */
	const size_t n = 10000;
	double *x = malloc(n * sizeof(*x));
	size_t i, k;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	assert_non_null(x);
	rng_state = 3;
	for (i = 0; i < n; i++)
		x[i] = (i / 1000 % 2 ? 120 : 100) * (1 + 0.02 * gauss()) * (i % 97 == 0 ? 1.5 : 1);
	o.min_magnitude = 0.05;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, n, &o), 0);
	assert_int_equal(k, 9);
	for (i = 0; i < k; i++)
		assert_int_equal(cp[i].index, (i + 1) * 1000);
	free(cp);
	free(x);
}

static void test_changepoint__bad_input(void **state)
{
	double x[] = {1, 2, NAN, 4, 5, 6}, few[] = {1, 9, 1};
	size_t k = 99;
	perfdb_change_point *cp = (void *)1;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, 6, NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, few, 3, NULL), 0);
	assert_int_equal(k, 0);
	assert_null(cp);
	o.window = 3;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, few, 3, &o), PERFDB_EINVAL);
	assert_int_equal(perfdb_changepoints_detect(NULL, &k, few, 3, NULL), PERFDB_EINVAL);
}

static size_t count_cps(const double *x, size_t n, const perfdb_changepoint_options *o, size_t at,
			size_t *hit)
{
	perfdb_change_point *cp = NULL;
	size_t k, i;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, x, n, o), 0);
	if (hit)
		for (i = 0; i < k; i++)
			*hit += cp[i].index == at;
	free(cp);
	return k;
}

static void test_changepoint__no_step_in_walks_and_ar1(void **state)
{
	/* Random walks and AR(1) noise (phi 0.8, 0.5) have no level shift;
	 * at the defaults >= 98% of them get no change point (they got 11 to
	 * 19 when neighbouring points counted as independent). */
	static const double phis[] = {1, 0.8, 0.5};
	static const size_t lens[] = {100, 300};
	double x[300];
	size_t p, l, i;
	(void)state;
	for (p = 0; p < 3; p++) {
		size_t flagged = 0, total = 0;
		for (l = 0; l < 2; l++)
			for (i = 0; i < 100; i++) {
				perfdb_eval__ar1(x, lens[l], phis[p], 1000 * l + i);
				flagged += count_cps(x, lens[l], NULL, 0, NULL) > 0;
				total++;
			}
		print_message("phi %.1f: %zu of %zu flagged\n", phis[p], flagged, total);
		assert_true(flagged * 50 <= total);
	}
}

static void test_changepoint__step_on_ar1_found(void **state)
{
	/* persistence is not deafness: a step of 8 long-run standard
	 * deviations on AR(1) noise (phi 0.6) is found at its point */
	double x[200];
	size_t i, found = 0, hit = 0;
	(void)state;
	for (i = 0; i < 50; i++) {
		size_t j;
		perfdb_eval__ar1(x, 200, 0.6, 77 + i);
		for (j = 120; j < 200; j++)
			x[j] += 8 * 2; /* sd of phi 0.6 is 1.25, long-run 2 */
		found += count_cps(x, 200, NULL, 120, &hit) > 0;
	}
	assert_true(found >= 48);
	assert_true(hit >= 45);
}

static void test_changepoint__ci_shaped_families(void **state)
{
	/* The CI shapes (lib/analysis/evaluate.c: shared, autocorrelated,
	 * bimodal, drifting, spiky, gappy histories) at perfdb regress's
	 * default threshold (5%): >= 90% of the steps found at the exact
	 * commit, >= 90% of what is reported on them right, <= 2% of the
	 * quiet histories flagged, overall; no family below 80% or above 2
	 * quiet histories in 60. */
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	const size_t per = 60;
	size_t f, i, th = 0, tr = 0, tq = 0;
	(void)state;
	o.min_magnitude = 0.05;
	for (f = 0; f < PERFDB_FAMILY_COUNT; f++) {
		size_t hit = 0, reported = 0, flagged = 0;
		for (i = 0; i < 2 * per; i++) {
			perfdb_eval_history h;
			assert_int_equal(
			    perfdb_eval__history(&h, (perfdb_eval_family)f, i < per, i), 0);
			if (i < per) {
				size_t w = 0;
				reported += count_cps(h.value, h.n, &o, h.step, &w);
				hit += w > 0;
			} else {
				flagged += count_cps(h.value, h.n, &o, 0, NULL) > 0;
			}
			perfdb_eval__history_release(&h);
		}
		print_message("%-9s recall %.3f precision %.3f quiet flagged %.3f\n",
			      perfdb_eval__family_name((perfdb_eval_family)f),
			      (double)hit / (double)per, (double)hit / (double)reported,
			      (double)flagged / (double)per);
		assert_true(hit * 10 >= per * 8);
		assert_true(hit * 10 >= reported * 8);
		assert_true(flagged <= 2);
		th += hit;
		tr += reported;
		tq += flagged;
	}
	assert_true(th * 10 >= per * PERFDB_FAMILY_COUNT * 9);
	assert_true(th * 10 >= tr * 9);
	assert_true(tq * 50 <= per * PERFDB_FAMILY_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_changepoint__two_steps_one_anomaly),
	    cmocka_unit_test(test_changepoint__anomaly_not_a_step),
	    cmocka_unit_test(test_changepoint__synthetic_steps),
	    cmocka_unit_test(test_changepoint__quiet_and_spikes),
	    cmocka_unit_test(test_changepoint__custom_test),
	    cmocka_unit_test(test_changepoint__long_series),
	    cmocka_unit_test(test_changepoint__bad_input),
	    cmocka_unit_test(test_changepoint__no_step_in_walks_and_ar1),
	    cmocka_unit_test(test_changepoint__step_on_ar1_found),
	    cmocka_unit_test(test_changepoint__ci_shaped_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
