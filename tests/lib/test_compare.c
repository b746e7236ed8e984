/* Unit tests of the comparison of two commits (perfdb_compare_run): the
 * test each benchmark is judged by and the verdict. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "perfdb.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"

#define HISTORY_FIXTURE_PREFIX "test_compare"
#include "history_fixture.h"

/* Row of benchmark `name` in c. */
static const perfdb_comparison_row *row_of(const perfdb_comparison *c, const char *name)
{
	size_t i;
	for (i = 0; i < perfdb_comparison_count(c); i++)
		if (strcmp(perfdb_comparison_get(c, i)->benchmark, name) == 0)
			return perfdb_comparison_get(c, i);
	fail_msg("no row %s", name);
	return NULL;
}

static void test_compare__few_repetitions_one_against_one(void **state)
{
	/* Two commits of one run of three repetitions each: the repetitions
	 * of a run share its noise, so it is one run against one and nothing
	 * estimates the noise: the threshold alone decides (percent, p NAN),
	 * as in regress (test_regress__few_repetitions_one_against_one). Three
	 * single-value runs a side are three observations: Mann-Whitney U
	 * cannot give a p-value below 0.1 with 3 against 3, so Welch's t
	 * decides them; five against five can reach 0.01: Mann-Whitney U. */
	static const double a[] = {100, 101, 99}, b[] = {150, 151.5, 148.5};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_comparison *c = NULL;
	const perfdb_comparison_row *row;
	static const double qa[] = {100, 101, 99, 100.5, 99.5},
			    qb[] = {100.2, 101, 99.3, 100, 99.8};
	int i;
	(void)state;
	record(s, 0, "m1", "BM_Three", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_Three", "ns", b, 3, 0);
	record(s, 0, "m1", "BM_Quiet", "ns", qa, 5, 0);
	record(s, 1, "m1", "BM_Quiet", "ns", qb, 5, 0);
	for (i = 0; i < 5; i++) {
		if (i < 3) {
			record(s, 0, "m1", "BM_ThreeRuns", "ns", NULL, 0, a[i]);
			record(s, 1, "m1", "BM_ThreeRuns", "ns", NULL, 0, b[i]);
		}
		record(s, 0, "m1", "BM_QuietRuns", "ns", NULL, 0, qa[i]);
		record(s, 1, "m1", "BM_QuietRuns", "ns", NULL, 0, qb[i]);
	}

	o.use_git = 0;
	assert_int_equal(perfdb_compare_run(&c, s, "c0000", "c0001", &o), 0);
	assert_int_equal(perfdb_comparison_count(c), 4);
	row = row_of(c, "BM_Three");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "regression");
	assert_string_equal(perfdb_method_name(row->method), "percent");
	assert_true(isnan(row->p_value));
	row = row_of(c, "BM_Quiet");
	assert_string_equal(perfdb_method_name(row->method), "percent");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "same");
	row = row_of(c, "BM_ThreeRuns");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "regression");
	assert_string_equal(perfdb_method_name(row->method), "ttest");
	assert_true(row->p_value < 0.01);
	row = row_of(c, "BM_QuietRuns");
	assert_string_equal(perfdb_method_name(row->method), "mannwhitney");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "same");
	perfdb_comparison_free(c);
	perfdb_store_free(s);
}

static void test_compare__runs_not_repetitions(void **state)
{
	/* Issue 18: one run of three repetitions against one, on a machine
	 * whose runs move by 1%: the p-value is the spread of the runs before,
	 * never far below the textbook test of one run against them (pooling
	 * the six repetitions gave 1.9e-06 by Welch's t). */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_comparison *c = NULL;
	const perfdb_comparison_row *row;
	double means[12];
	(void)state;
	build_run_offsets(s, means);
	o.use_git = 0;
	o.confidence = 0.95;
	assert_int_equal(perfdb_compare_run(&c, s, "c0007", "c0008", &o), 0);
	row = row_of(c, "BM_Decode");
	assert_string_equal(perfdb_method_name(row->method), "zscore");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "regression");
	assert_true(row->p_value < 0.05);
	assert_true(row->p_value >= one_run_p(means, 7, means[7], means[8]) / 100);
	perfdb_comparison_free(c);
	perfdb_store_free(s);
}

/* The verdict is an enum; its words are `perfdb compare`'s. */
static void test_compare__verdict_names(void **state)
{
	(void)state;
	assert_string_equal(perfdb_comparison_verdict_name(PERFDB_COMPARISON_SAME), "same");
	assert_string_equal(perfdb_comparison_verdict_name(PERFDB_COMPARISON_REGRESSION),
			    "regression");
	assert_string_equal(perfdb_comparison_verdict_name(PERFDB_COMPARISON_IMPROVEMENT),
			    "improvement");
	assert_string_equal(perfdb_comparison_verdict_name(PERFDB_COMPARISON_ONLY_A), "only_a");
	assert_string_equal(perfdb_comparison_verdict_name(PERFDB_COMPARISON_ONLY_B), "only_b");
	assert_string_equal(perfdb_comparison_verdict_name((perfdb_comparison_verdict)-1),
			    "unknown");
	assert_string_equal(perfdb_method_name(PERFDB_METHOD_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compare__few_repetitions_one_against_one),
	    cmocka_unit_test(test_compare__runs_not_repetitions),
	    cmocka_unit_test(test_compare__verdict_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
