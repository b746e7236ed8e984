/*
 * The criterion reader on a real target/criterion directory written by
 * criterion 0.3.6 (Debian librust-criterion-dev; see tests/data/README), and
 * on broken copies of it. Expected numbers are read from the committed JSON
 * files with jansson, independently of the reader.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"

#define DIR_ PERFDB_TEST_DATA "/criterion/target-criterion"

static json_t *load(const char *bench, const char *file)
{
	char path[512];
	json_error_t jerr;
	json_t *j;
	snprintf(path, sizeof(path), DIR_ "/%s/new/%s", bench, file);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

static double point(json_t *est, const char *key)
{
	json_t *e = json_object_get(est, key);
	return json_is_object(e) ? json_number_value(json_object_get(e, "point_estimate")) : NAN;
}

static void check(const perfdb_resultset *rs, const char *dir, bool flat)
{
	json_t *b = load(dir, "benchmark.json"), *e = load(dir, "estimates.json"),
	       *s = load(dir, "sample.json");
	const char *id = json_string_value(json_object_get(b, "full_id"));
	const perfdb_result *r = find_result(rs, id, "time");
	json_t *iters = json_object_get(s, "iters"), *times = json_object_get(s, "times");
	size_t i;
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	/* the headline: slope, or the mean when flat sampling has none */
	assert_int_equal(json_is_null(json_object_get(e, "slope")), flat);
	assert_near(r->value, flat ? point(e, "mean") : point(e, "slope"), 1e-9);
	assert_near(r->mean, point(e, "mean"), 1e-9);
	assert_near(r->median, point(e, "median"), 1e-9);
	assert_near(r->stddev, point(e, "std_dev"), 1e-9);
	assert_int_equal(r->nsamples, json_array_size(times));
	for (i = 0; i < r->nsamples; i++)
		assert_near(r->samples[i],
			    json_number_value(json_array_get(times, i)) /
				json_number_value(json_array_get(iters, i)),
			    1e-9);
	json_decref(b);
	json_decref(e);
	json_decref(s);
}

static void test_ingest_criterion__directory(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, DIR_, PERFDB_FORMAT_AUTO), 0);
	check(rs, "fib 12", false);
	check(rs, "sum/range/64", false);
	check(rs, "sum/range/1024", false);
	check(rs, "flat/spin", true);
	/* base/ (an older run) is not read: one result per benchmark */
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "criterion");
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	perfdb_resultset_free(rs);

	/* a directory below target/criterion, with the format named */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, DIR_ "/sum", PERFDB_FORMAT_CRITERION), 0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_criterion__one_file_is_not_enough(void **state)
{
	size_t len;
	char *text = slurp_file(DIR_ "/fib 12/new/estimates.json", &len);
	(void)state;
	/* estimates.json names no benchmark: neither detected nor read alone */
	assert_int_equal(perfdb_ingest_detect(text, len), PERFDB_FORMAT_AUTO);
	free(text);
	expect_input_error("{}", PERFDB_FORMAT_CRITERION, "estimates.json", PERFDB_EFORMAT, 0, 0,
			   NULL, "record target/criterion");
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_ingest_criterion__broken_directories(void **state)
{
	char dir[] = "/tmp/perfdb-criterion.XXXXXX", p[600];
	perfdb_resultset *rs = guarded_new();
	const perfdb_error *e;
	(void)state;
	assert_non_null(mkdtemp(dir));
	/* no criterion results at all: still "a directory" */
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), PERFDB_EIO);
	assert_non_null(strstr(perfdb_error_last()->message, "Is a directory"));

	snprintf(p, sizeof(p), "%s/b", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/b/new", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/b/new/benchmark.json", dir);
	put(p, "{\"group_id\":\"g\",\"function_id\":null,\"value_str\":\"7\"}");
	snprintf(p, sizeof(p), "%s/b/new/estimates.json", dir);
	put(p, "{\"mean\":{\"point_estimate\":5.0},\n \"median\":{\"point_estimate\":\"x\"}}");
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	e = perfdb_error_last();
	assert_string_equal(e->file, p);
	assert_int_equal(e->line, 2);
	assert_int_equal(e->column, 29);
	assert_guarded_unchanged(rs);

	/* junk beside the estimates: refused at the 100,001st value (the
	 * object, its "mean" object and number, the array and 99,997 arrays []) */
	{
		size_t i, n, cap = 3 * 100000 + 128;
		char *junk = malloc(cap);
		assert_non_null(junk);
		n = (size_t)snprintf(junk, cap, "{\"mean\":{\"point_estimate\":5.0},\"x\":[");
		for (i = 0; i < 99997; i++)
			n += (size_t)snprintf(junk + n, cap - n, "%s[]", i ? "," : "");
		snprintf(junk + n, cap - n, "]}");
		put(p, junk);
		free(junk);
	}
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "more than 100000 values"));
	assert_int_equal(perfdb_error_last()->column, 37 + 3 * (99997 - 1));
	assert_guarded_unchanged(rs);

	/* fixed; the id from group_id and value_str when there is no full_id */
	put(p, "{\"mean\":{\"point_estimate\":5.0},\"slope\":null}");
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), 0);
	assert_near(find_result(rs, "g/7", "time")->value, 5.0, 0);
	perfdb_resultset_free(rs);

	/* no estimates.json: warned, not recorded */
	unlink(p);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	assert_true(has_warning(rs, "benchmark 'g/7' has no estimates.json", NULL));
	perfdb_resultset_free(rs);
	snprintf(p, sizeof(p), "%s/b/new/benchmark.json", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/b/new", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/b", dir);
	rmdir(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_criterion__directory),
	    cmocka_unit_test(test_ingest_criterion__one_file_is_not_enough),
	    cmocka_unit_test(test_ingest_criterion__broken_directories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
