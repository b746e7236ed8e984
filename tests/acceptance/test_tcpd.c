/* Acceptance: the Turing Change Point Dataset (../shared/data/tcpd, van den
 * Burg & Williams 2020) scored the way TCPDBench scores it (F1 with a margin
 * of 5 and segmentation covering, averaged over the 25 univariate series of
 * the paper's table), through the library detector and through
 * perfdb_regress_run at its defaults, each point one commit. The published
 * default-parameter scores to beat: binseg 0.690/0.655, pelt 0.684/0.656,
 * amoc 0.647/0.657; the zero detector (nothing reported) 0.647/0.557. */
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
#include "analysis/evaluate.h"
#include "perfdb.h"
#include "perfdb/changepoint.h"

static perfdb_tcpd_series *series;
static size_t nseries;

static void load(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tcpd", acceptance_data_dir());
	if (perfdb_eval__tcpd_load(&series, &nseries, dir) < 0) {
		fprintf(stderr, "tcpd: %s\n", perfdb_error_last()->message);
		exit(1);
	}
}

static void test_tcpd__zero_detector_as_published(void **state)
{
	/* the metrics and the series agree with TCPDBench's table */
	size_t i;
	double f = 0, c = 0;
	(void)state;
	assert_int_equal(nseries, 25);
	for (i = 0; i < nseries; i++) {
		double f1, cover;
		perfdb_eval__tcpd_score(&series[i], NULL, 0, &f1, &cover);
		f += f1;
		c += cover;
	}
	assert_true(fabs(f / 25 - 0.647) < 0.0005);
	assert_true(fabs(c / 25 - 0.557) < 0.0005);
}

static void test_tcpd__library_defaults(void **state)
{
	size_t i, j;
	double f = 0, c = 0;
	(void)state;
	for (i = 0; i < nseries; i++) {
		perfdb_change_point *cp = NULL;
		size_t k, *idx;
		double f1, cover;
		assert_int_equal(
		    perfdb_changepoints_detect(&cp, &k, series[i].x, series[i].n, NULL), 0);
		idx = malloc((k + 1) * sizeof(*idx));
		assert_non_null(idx);
		for (j = 0; j < k; j++)
			idx[j] = cp[j].index;
		perfdb_eval__tcpd_score(&series[i], idx, k, &f1, &cover);
		f += f1;
		c += cover;
		free(idx);
		free(cp);
	}
	print_message("library defaults: F1 %.3f cover %.3f\n", f / 25, c / 25);
	assert_true(f / 25 >= 0.70);
	assert_true(c / 25 >= 0.64);
}

static void test_tcpd__regress_defaults(void **state)
{
	/* issue 14's goal: above every published default, F1 >= 0.70 and
	 * covering >= 0.66 */
	size_t i;
	double f = 0, c = 0;
	(void)state;
	for (i = 0; i < nseries; i++) {
		size_t *cp = NULL, k = 0;
		double f1, cover;
		if (perfdb_eval__regress(&cp, &k, series[i].x, NULL, series[i].n,
					 PERFDB_BUILD_DIR) < 0)
			fail_msg("%s: %s", series[i].name, perfdb_error_last()->message);
		perfdb_eval__tcpd_score(&series[i], cp, k, &f1, &cover);
		f += f1;
		c += cover;
		free(cp);
	}
	print_message("regress defaults: F1 %.3f cover %.3f\n", f / 25, c / 25);
	assert_true(f / 25 >= 0.70);
	assert_true(c / 25 >= 0.66);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcpd__zero_detector_as_published),
	    cmocka_unit_test(test_tcpd__library_defaults),
	    cmocka_unit_test(test_tcpd__regress_defaults),
	};
	int rc;
	load();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	perfdb_eval__tcpd_free(series, nseries);
	return rc;
}
