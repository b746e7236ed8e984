/* Unit tests of lib/analysis/trend (perfdb_trend_run): the series of a
 * history drawn on one commit axis. */
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

#define HISTORY_FIXTURE_PREFIX "test_trend"
#include "history_fixture.h"

static void test_trend__common_axis(void **state)
{
	/* A benchmark added half-way is drawn at the commits it has, not from
	 * the start of the chart: every series shares one commit axis. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_trend *t = NULL;
	const perfdb_trend_series *old_s = NULL, *new_s = NULL;
	size_t i;
	(void)state;
	for (i = 0; i < 10; i++) {
		record(s, (int)i, "m1", "BM_Old", "ns", NULL, 0, 100 + (double)(i % 2));
		if (i >= 6 && i != 8)
			record(s, (int)i, "m1", "BM_New", "ns", NULL, 0, 50);
	}
	o.use_git = 0;
	assert_int_equal(perfdb_trend_run(&t, s, 0, &o), 0);
	assert_int_equal(perfdb_trend_count(t), 2);
	for (i = 0; i < 2; i++) {
		const perfdb_trend_series *x = perfdb_trend_get(t, i);
		if (strcmp(x->benchmark, "BM_New") == 0)
			new_s = x;
		else
			old_s = x;
	}
	assert_non_null(old_s);
	assert_non_null(new_s);
	assert_int_equal(old_s->axis, 10);
	assert_int_equal(new_s->axis, 10);
	assert_int_equal(old_s->n, 10);
	assert_int_equal(old_s->positions[9], 9);
	assert_int_equal(new_s->n, 3);
	assert_int_equal(new_s->positions[0], 6);
	assert_int_equal(new_s->positions[1], 7);
	assert_int_equal(new_s->positions[2], 9);
	assert_string_equal(new_s->commits[2], "c0009");
	perfdb_trend_free(t);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trend__common_axis),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
