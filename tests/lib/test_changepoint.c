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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
