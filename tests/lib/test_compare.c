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

#define HISTORY_FIXTURE_PREFIX "test_compare"
#include "history_fixture.h"

static void test_compare__few_repetitions_one_against_one(void **state)
{
	/* Two commits of three repetitions each: Mann-Whitney U cannot give a
	 * p-value below 0.1 with 3 against 3, so a 50% step would never be
	 * significant; Welch's t decides then, in compare as in regress
	 * (test_regress__few_repetitions_one_against_one). */
	static const double a[] = {100, 101, 99}, b[] = {150, 151.5, 148.5};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_comparison *c = NULL;
	const perfdb_comparison_row *row;
	static const double qa[] = {100, 101, 99, 100.5, 99.5},
			    qb[] = {100.2, 101, 99.3, 100, 99.8};
	(void)state;
	record(s, 0, "m1", "BM_Three", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_Three", "ns", b, 3, 0);
	record(s, 0, "m1", "BM_Quiet", "ns", qa, 5, 0);
	record(s, 1, "m1", "BM_Quiet", "ns", qb, 5, 0);

	o.use_git = 0;
	assert_int_equal(perfdb_compare_run(&c, s, "c0000", "c0001", &o), 0);
	assert_int_equal(perfdb_comparison_count(c), 2);
	row = perfdb_comparison_get(c, 0);
	if (strcmp(row->benchmark, "BM_Three") != 0)
		row = perfdb_comparison_get(c, 1);
	assert_string_equal(row->benchmark, "BM_Three");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "regression");
	assert_string_equal(perfdb_method_name(row->method), "ttest");
	/* five against five can reach 0.01: Mann-Whitney U as before */
	row = perfdb_comparison_get(c, row == perfdb_comparison_get(c, 0) ? 1 : 0);
	assert_string_equal(row->benchmark, "BM_Quiet");
	assert_string_equal(perfdb_method_name(row->method), "mannwhitney");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "same");
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
	    cmocka_unit_test(test_compare__verdict_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
