/* Unit tests of lib/analysis/evaluate.c: TCPDBench's metrics carry the
 * doctests of analysis/scripts/metrics.py (alan-turing-institute/TCPDBench)
 * as cases, with the same inputs and the same expected values; and the
 * generators are seeded (the same seed, the same history). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/evaluate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_tp(const size_t *t, size_t nt, const size_t *x, size_t nx, const size_t *want,
		      size_t nwant)
{
	size_t out[16], k = perfdb_eval__true_positives(out, t, nt, x, nx, 5);
	assert_int_equal(k, nwant);
	if (nwant)
		assert_memory_equal(out, want, nwant * sizeof(*want));
}

static void test_evaluate__true_positives(void **state)
{
	static const size_t t[] = {1, 10, 20, 23}, want[] = {1, 10, 20};
	static const size_t x1[] = {3, 8, 20}, x2[] = {1, 3, 8, 20}, x3[] = {1, 3, 5, 8, 20};
	static const size_t x4[] = {1, 2, 3};
	(void)state;
	expect_tp(t, N(t), x1, N(x1), want, 3);
	expect_tp(t, N(t), x2, N(x2), want, 3);
	expect_tp(t, N(t), x3, N(x3), want, 3);
	expect_tp(NULL, 0, x4, N(x4), NULL, 0);
	expect_tp(x4, N(x4), NULL, 0, NULL, 0);
}

static void test_evaluate__f_measure(void **state)
{
	static const size_t a1[] = {10, 20}, a2[] = {11, 20}, a3[] = {10}, a4[] = {0, 5};
	static const size_t b2[] = {10}, b3[] = {50}, pred[] = {10, 20};
	perfdb_eval_annotation four[] = {{a1, 2}, {a2, 2}, {a3, 1}, {a4, 2}};
	perfdb_eval_annotation three[] = {{NULL, 0}, {b2, 1}, {b3, 1}};
	double p, r;
	(void)state;
	assert_true(perfdb_eval__f1(four, 4, pred, 2, 5, NULL, NULL) == 1.0);
	assert_true(fabs(perfdb_eval__f1(three, 3, b2, 1, 5, &p, &r) - 0.9090909090909091) < 1e-15);
	assert_true(p == 1.0);
	assert_true(fabs(r - 2.5 / 3) < 1e-15);
	assert_true(fabs(perfdb_eval__f1(three, 3, NULL, 0, 5, NULL, NULL) - 0.8) < 1e-15);
}

static void test_evaluate__overlap_through_cover(void **state)
{
	/* overlap({1,2,3}, {2,5}) is 0.25 for sets; segments are intervals,
	 * so the Jaccard index is checked on them: [1,4) and [2,6) meet in
	 * 2 of 5 points; identical segments cover fully. */
	static const size_t s[] = {1}, sp[] = {1, 4};
	(void)state;
	assert_true(perfdb_eval__cover_single(s, 1, s, 1, 1, 4) == 1.0);
	assert_true(fabs(perfdb_eval__cover_single(s, 1, sp, 2, 1, 6) - 3.0 / 5 * 1) < 1e-15);
}

static void expect_partition(const size_t *cp, size_t ncp, size_t n, const size_t *want,
			     size_t nwant)
{
	size_t out[16], k = perfdb_eval__partition(out, cp, ncp, n);
	assert_int_equal(k, nwant);
	assert_memory_equal(out, want, nwant * sizeof(*want));
}

static void test_evaluate__partition_from_cps(void **state)
{
	/* [{0..4}]; [{0,1,2},{3,4},{5,6,7}]; [{0},{1},{2..6},{7}]; [{0..3},{4,5}] */
	static const size_t w1[] = {0}, c2[] = {3, 5}, w2[] = {0, 3, 5}, c3[] = {1, 2, 7},
			    w3[] = {0, 1, 2, 7}, c4[] = {0, 4}, w4[] = {0, 4};
	(void)state;
	expect_partition(NULL, 0, 5, w1, 1);
	expect_partition(c2, 2, 8, w2, 3);
	expect_partition(c3, 3, 8, w3, 4);
	expect_partition(c4, 2, 6, w4, 2);
}

static void test_evaluate__cover_single(void **state)
{
	/* segments of {1..6} by their starts */
	static const size_t s123_456[] = {1, 4}, s123_45_6[] = {1, 4, 6}, s1_6[] = {1},
			    s1234_56[] = {1, 5}, s12_34_56[] = {1, 3, 5},
			    s1_2_3_456[] = {1, 2, 3, 4};
	(void)state;
	assert_true(fabs(perfdb_eval__cover_single(s123_456, 2, s123_45_6, 3, 1, 7) -
			 0.8333333333333334) < 1e-15);
	assert_true(fabs(perfdb_eval__cover_single(s1_6, 1, s1234_56, 2, 1, 7) -
			 0.6666666666666666) < 1e-15);
	assert_true(fabs(perfdb_eval__cover_single(s123_456, 2, s12_34_56, 3, 1, 7) -
			 0.6666666666666666) < 1e-15);
	assert_true(fabs(perfdb_eval__cover_single(s1_2_3_456, 4, s1_6, 1, 1, 7) -
			 0.3333333333333333) < 1e-15);
}

static void test_evaluate__covering(void **state)
{
	static const size_t a1[] = {10, 20}, a2[] = {10}, a3[] = {0, 5}, b3[] = {40};
	static const size_t pred[] = {10, 20};
	perfdb_eval_annotation first[] = {{a1, 2}, {a2, 1}, {a3, 2}};
	perfdb_eval_annotation second[] = {{NULL, 0}, {a2, 1}, {b3, 1}};
	(void)state;
	assert_true(fabs(perfdb_eval__covering(first, 3, pred, 2, 45) - 0.7962962962962963) <
		    1e-15);
	assert_true(fabs(perfdb_eval__covering(second, 3, a2, 1, 45) - 0.7954144620811286) < 1e-15);
	assert_true(fabs(perfdb_eval__covering(second, 3, NULL, 0, 45) - 0.8189300411522634) <
		    1e-15);
}

static void test_evaluate__clean(void **state)
{
	size_t p[] = {9, 0, 3, 3, 1, 8};
	(void)state;
	/* 1 <= i < n - 1 with n 9: 0 and 8 go, 9 too */
	assert_int_equal(perfdb_eval__clean(p, N(p), 9), 2);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 3);
}

static void test_evaluate__history_seeded(void **state)
{
	perfdb_eval_history a, b;
	(void)state;
	assert_int_equal(perfdb_eval__history(&a, PERFDB_FAMILY_GAPS, 1, 7), 0);
	assert_int_equal(perfdb_eval__history(&b, PERFDB_FAMILY_GAPS, 1, 7), 0);
	assert_int_equal(a.n, b.n);
	assert_true(a.n >= 30 && a.n <= 200);
	assert_true(a.step >= 1 && a.step < a.n);
	assert_memory_equal(a.value, b.value, a.n * sizeof(double));
	/* the step is in the values: the medians on each side of it differ */
	assert_true(fabs(a.value[a.step] / a.value[a.step - 1] - 1) > 0.02);
	perfdb_eval__history_release(&a);
	perfdb_eval__history_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_evaluate__true_positives),
	    cmocka_unit_test(test_evaluate__f_measure),
	    cmocka_unit_test(test_evaluate__overlap_through_cover),
	    cmocka_unit_test(test_evaluate__partition_from_cps),
	    cmocka_unit_test(test_evaluate__cover_single),
	    cmocka_unit_test(test_evaluate__covering),
	    cmocka_unit_test(test_evaluate__clean),
	    cmocka_unit_test(test_evaluate__history_seeded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
