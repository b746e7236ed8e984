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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_series__pooling_and_order),
	    cmocka_unit_test(test_series__tags_accessor),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
