/* Unit tests of the history reading (lib/store/series.c): runs of one
 * commit pooled into one point per machine, commits in order. */
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
#include "perfdb/stats.h"

#include <sqlite3.h>

#define HISTORY_FIXTURE_PREFIX "test_series"
#include "history_fixture.h"

static void test_series__pooling_and_order(void **state)
{
	/* Two runs of one commit pool their samples into one point. */
	perfdb_store *s = new_store();
	perfdb_series_set *set = NULL;
	const perfdb_series *ser;
	const double a[] = {1, 2, 3}, b[] = {10, 20};
	perfdb_commit_list *cl = NULL;
	(void)state;
	record(s, 0, "m1", "BM_P", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_P", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_P", "ns", b, 2, 0);
	record(s, 1, "m2", "BM_P", "ns", b, 2, 0);
	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set_count(set), 2); /* per machine */
	ser = perfdb_series_set_get(set, 0);
	assert_string_equal(ser->machine, "m1");
	assert_int_equal(ser->npoints, 2);
	assert_int_equal(ser->points[1].nruns, 2);
	assert_int_equal(ser->points[1].nsamples, 5);
	assert_true(fabs(ser->points[1].value - (2 + 15) / 2.0) < 1e-9);
	perfdb_series_set_free(set);
	assert_int_equal(perfdb_store_commits(&cl, s), 0);
	assert_int_equal(cl->count, 2);
	assert_string_equal(cl->items[0].sha, "c0000");
	perfdb_commit_list_free(cl);
	perfdb_store_free(s);
}

/* A series' tags are read with accessors: pairs sorted by key, a lookup by
 * key, and the stored JSON for output. Untagged series have none. */
static void test_series__tags_accessor(void **state)
{
	perfdb_store *s = new_store();
	perfdb_series_set *set = NULL;
	const char *const tags[] = {"opt", "-O2", "cc", "gcc \"12\"", NULL};
	perfdb_result r;
	const perfdb_tags *t;
	(void)state;
	perfdb_result_init(&r);
	r.benchmark = "BM_T";
	r.metric = "real_time";
	r.unit = "ns";
	r.value = 5;
	record_result(s, "c0000", "m1", tags, &r);
	record(s, 0, "m1", "BM_T", "ns", NULL, 0, 6); /* the same, untagged */

	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set_count(set), 2);
	t = perfdb_series_set_get(set, 1)->tags; /* "{}" sorts after '{"' */
	assert_int_equal(perfdb_tags_count(t), 0);
	assert_string_equal(perfdb_tags_json(t), "{}");
	assert_null(perfdb_tags_get(t, "cc"));
	t = perfdb_series_set_get(set, 0)->tags;
	assert_int_equal(perfdb_tags_count(t), 2);
	assert_string_equal(perfdb_tags_key(t, 0), "cc");
	assert_string_equal(perfdb_tags_value(t, 0), "gcc \"12\"");
	assert_string_equal(perfdb_tags_key(t, 1), "opt");
	assert_string_equal(perfdb_tags_value(t, 1), "-O2");
	assert_null(perfdb_tags_key(t, 2));
	assert_string_equal(perfdb_tags_get(t, "opt"), "-O2");
	assert_null(perfdb_tags_get(t, "op"));
	assert_string_equal(perfdb_tags_json(t), "{\"cc\":\"gcc \\\"12\\\"\",\"opt\":\"-O2\"}");
	assert_int_equal(perfdb_tags_count(NULL), 0);
	assert_string_equal(perfdb_tags_json(NULL), "{}");
	perfdb_series_set_free(set);
	perfdb_store_free(s);
}

/* The level (median) and mad of one point's observations, as the analysis
 * has always computed them from the samples. */
static void expect_level(const perfdb_series_point *p, const double *x, size_t n)
{
	double c[16];
	memcpy(c, x, n * sizeof(*c));
	assert_true(p->level == perfdb_stats_median_inplace(c, n));
	memcpy(c, x, n * sizeof(*c));
	assert_true(p->mad == perfdb_stats_mad_inplace(c, n));
}

/* Each point's sample count, level and mad come without reading the
 * samples (a result carries its samples' median and mad, schema/0008),
 * bit for bit what the samples give: one run's samples (an even count, whose
 * median is a mean of two), runs of one commit pooled, a run without
 * samples, and two such runs of one commit (their values). */
/* samples_read: whether point 0 is to hold its samples */
static void check_levels(perfdb_store *s, int with_samples, int samples_read)
{
	const double a[] = {0.1, 0.7, 0.3, 5};
	const double pooled[] = {1, 2, 3, 10, 20}, values[] = {4, 8};
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_series_set *set = NULL;
	const perfdb_series *ser;
	q.with_samples = with_samples;
	assert_int_equal(perfdb_store_read_series(&set, s, &q), 0);
	assert_int_equal(perfdb_series_set_count(set), 1);
	ser = perfdb_series_set_get(set, 0);
	assert_int_equal(ser->npoints, 4);
	assert_int_equal(ser->points[0].nsamples, 4);
	assert_true(samples_read ? ser->points[0].samples != NULL : ser->points[0].samples == NULL);
	expect_level(&ser->points[0], a, 4);
	assert_true(ser->points[0].level == 0.3 + (0.7 - 0.3) / 2);
	assert_int_equal(ser->points[1].nsamples, 5);
	assert_non_null(ser->points[1].samples); /* pooled: read whatever asked */
	expect_level(&ser->points[1], pooled, 5);
	assert_true(ser->points[1].level == 3 && ser->points[1].mad == 2);
	assert_int_equal(ser->points[2].nsamples, 0);
	assert_true(ser->points[2].level == 6 && ser->points[2].mad == 0);
	assert_int_equal(ser->points[3].nruns, 2);
	expect_level(&ser->points[3], values, 2);
	perfdb_series_set_free(set);
}

static void test_series__levels_without_samples(void **state)
{
	const double a[] = {0.1, 0.7, 0.3, 5}, b[] = {1, 2, 3}, c[] = {10, 20};
	perfdb_store *s = new_store();
	(void)state;
	record(s, 0, "m1", "BM_L", "ns", a, 4, 0);
	record(s, 1, "m1", "BM_L", "ns", b, 3, 0);
	record(s, 1, "m1", "BM_L", "ns", c, 2, 0);
	record(s, 2, "m1", "BM_L", "ns", NULL, 0, 6);
	record(s, 3, "m1", "BM_L", "ns", NULL, 0, 4);
	record(s, 3, "m1", "BM_L", "ns", NULL, 0, 8);
	check_levels(s, 0, 0);
	check_levels(s, 1, 1);
	/* rows whose statistics are not known (NULL): the samples tell */
	if (!on_server()) {
		char path[1024];
		sqlite3 *db = NULL;
		snprintf(path, sizeof(path), "%s/t%d.db", dir, dbn - 1);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      "UPDATE results SET sample_count = NULL, "
					      "sample_median = NULL, sample_mad = NULL",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		check_levels(s, 0, 1);
	}
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_series__pooling_and_order),
	    cmocka_unit_test(test_series__tags_accessor),
	    cmocka_unit_test(test_series__levels_without_samples),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
