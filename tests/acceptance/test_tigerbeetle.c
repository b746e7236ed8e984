/* Acceptance: the tigerbeetle series (../shared/data/tigerbeetle.csv, from
 * Apache Otava's test suite) through the change-point detector and through
 * perfdb_regress_run on a real SQLite history, one value per commit. */
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

#include "acceptance.h"
#include "perfdb.h"
#include "perfdb/changepoint.h"
#include "perfdb/regress.h"

#define HISTORY_FIXTURE_PREFIX "acceptance_tigerbeetle"
#include "history_fixture.h"

static double series[400];
static size_t nseries;

static void read_series(void)
{
	char line[256];
	FILE *f = acceptance_open("tigerbeetle.csv");
	nseries = 0;
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (nseries < 400 && fgets(line, sizeof(line), f)) {
		char *comma = strchr(line, ','), *end;
		assert_non_null(comma);
		series[nseries] = strtod(comma + 1, &end);
		assert_true(end != comma + 1);
		nseries++;
	}
	fclose(f);
	assert_int_equal(nseries, 365);
}

static void test_tigerbeetle__changepoints(void **state)
{
	/* Otava's expectations: window 30, p 0.01, magnitude 5% find the
	 * drop at 15 (about -12%) and the rise at 71; 10 is an anomaly. */
	size_t k;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	o.window = 30;
	o.max_p_value = 0.01;
	o.min_magnitude = 0.05;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, series, nseries, &o), 0);
	assert_int_equal(k, 2);
	assert_int_equal(cp[0].index, 15);
	assert_true(cp[0].change < -0.10 && cp[0].change > -0.13);
	assert_true(cp[0].p_value < 0.01);
	assert_int_equal(cp[1].index, 71);
	assert_true(cp[1].change > 0.14);
	free(cp);
}

static void test_tigerbeetle__anomaly_not_a_step(void **state)
{
	/* Even with no magnitude floor, the one-point anomaly at 10 is never
	 * a change point (nor is 11, where the series comes back). */
	size_t k, i;
	perfdb_change_point *cp;
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	(void)state;
	o.min_magnitude = 0;
	assert_int_equal(perfdb_changepoints_detect(&cp, &k, series, nseries, &o), 0);
	assert_true(k >= 2);
	for (i = 0; i < k; i++) {
		assert_int_not_equal(cp[i].index, 10);
		assert_int_not_equal(cp[i].index, 11);
	}
	assert_int_equal(cp[0].index, 15);
	free(cp);
}

static void test_tigerbeetle__regress(void **state)
{
	/* The drop at 15 is a regression of throughput, the rise at 71 an
	 * improvement, the one-point anomaly at 10 nothing. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	size_t i;
	(void)state;
	for (i = 0; i < nseries; i++)
		record(s, (int)i, "ci", "tigerbeetle", "op/s", NULL, 0, series[i]);
	o.since = "c0000";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0015");
	assert_true(f->change_pct < -10 && f->change_pct > -13);
	assert_true(f->p_value < 0.01);
	assert_int_equal(f->direction, PERFDB_HIGHER_IS_BETTER);
	f = perfdb_regress_get(rep, PERFDB_FINDING_IMPROVEMENT, 0);
	assert_string_equal(f->commit, "c0071");
	assert_true(f->change_pct > 14);
	assert_int_equal(perfdb_regress_failures(rep), 1);
	perfdb_regress_report_free(rep);

	/* the noisy tail alone (after the second step): quiet */
	o.since = "c0080";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tigerbeetle__changepoints),
	    cmocka_unit_test(test_tigerbeetle__anomaly_not_a_step),
	    cmocka_unit_test(test_tigerbeetle__regress),
	};
	acceptance_data_dir();
	read_series();
	return cmocka_run_group_tests(tests, setup, teardown);
}
