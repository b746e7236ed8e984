/*
 * The pytest-benchmark reader on real --benchmark-json output of
 * pytest-benchmark 3.2.2 (see tests/data/README) and on hand-made inputs in
 * the layouts of 2.5 and 4.x. Expected numbers are read from the committed
 * file with jansson, independently of the reader.
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

#include <cmocka.h>
#include <jansson.h>

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"

#define FILE_322 PERFDB_TEST_DATA "/pytest-benchmark/pytest_benchmark_3.2.2.json"

static void test_ingest_pytest_benchmark__real_322(void **state)
{
	json_error_t jerr;
	json_t *doc = json_load_file(FILE_322, 0, &jerr), *b;
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__pytest_benchmark, FILE_322, PERFDB_OK);
	size_t i, k;
	(void)state;
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
	{
		const char *name = json_string_value(json_object_get(b, "fullname"));
		json_t *st = json_object_get(b, "stats"), *data = json_object_get(st, "data");
		const perfdb_result *t = find_result(rs, name, "time"),
				    *o = find_result(rs, name, "ops");
		/* stored in ns */
		assert_string_equal(t->unit, "ns");
		assert_int_equal(t->direction, PERFDB_LOWER_IS_BETTER);
		assert_near(t->value, json_real_value(json_object_get(st, "mean")) * 1e9, 1e-6);
		assert_near(t->mean, t->value, 0);
		assert_near(t->median, json_real_value(json_object_get(st, "median")) * 1e9, 1e-6);
		assert_near(t->stddev, json_real_value(json_object_get(st, "stddev")) * 1e9, 1e-6);
		assert_near(t->min, json_real_value(json_object_get(st, "min")) * 1e9, 1e-6);
		assert_near(t->max, json_real_value(json_object_get(st, "max")) * 1e9, 1e-6);
		assert_int_equal(t->n, json_integer_value(json_object_get(st, "rounds")));
		assert_int_equal(t->nsamples, json_array_size(data));
		for (k = 0; k < t->nsamples; k++)
			assert_near(t->samples[k], json_real_value(json_array_get(data, k)) * 1e9,
				    1e-6);
		assert_string_equal(o->unit, "ops/s");
		assert_int_equal(o->direction, PERFDB_HIGHER_IS_BETTER);
		assert_near(o->value, json_real_value(json_object_get(st, "ops")), 1e-9);
	}
	assert_int_equal(i, 6);
	assert_int_equal(perfdb_resultset_count(rs), 12);
	/* the parametrize id is in the name; group and extra_info are not */
	assert_non_null(lookup_result(rs, "test_fixture_bench.py::test_sorted[1000]", "time"));
	assert_non_null(lookup_result(rs, "test_fixture_bench.py::test_sleep", "time"));
	assert_string_equal(tag_value(rs, "python_implementation", true), "CPython");
	assert_string_equal(tag_value(rs, "cpu", true), "AMD EPYC");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "pytest-benchmark");
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	perfdb_resultset_free(rs);
	json_decref(doc);
}

static void test_ingest_pytest_benchmark__detected(void **state)
{
	size_t len;
	char *text = slurp_file(FILE_322, &len);
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(text, len), PERFDB_FORMAT_PYTEST_BENCHMARK);
	free(text);
	/* 2.5 autosave files begin with "benchmarks": the entry keys decide */
	text = "{\"benchmarks\": [{\"fullname\": \"t.py::a\", \"stats\": {}}]}";
	assert_int_equal(perfdb_ingest_detect(text, strlen(text)), PERFDB_FORMAT_PYTEST_BENCHMARK);
	text = "{\"benchmarks\": [{\"name\": \"BM_a\", \"iterations\": 1}], \"context\": {}}";
	assert_int_equal(perfdb_ingest_detect(text, strlen(text)), PERFDB_FORMAT_GBENCH);
	text = "{\"context\": {}, \"benchmarks\": [{\"stats\": 1}]}";
	assert_int_equal(perfdb_ingest_detect(text, strlen(text)), PERFDB_FORMAT_GBENCH);
	text = "{\"benchmarks\": []}";
	assert_int_equal(perfdb_ingest_detect(text, strlen(text)), PERFDB_FORMAT_GBENCH);
	assert_int_equal(perfdb_format_parse(&f, "pytest-benchmark"), 0);
	assert_int_equal(f, PERFDB_FORMAT_PYTEST_BENCHMARK);
}

static void test_ingest_pytest_benchmark__old_and_broken_entries(void **state)
{
	/* 2.5: no fullname in one entry, no ops/data; a null stats; a NaN; a trimmed data */
	static const char doc[] =
	    "{\"benchmarks\": [\n"
	    "  {\"name\": \"test_a\", \"stats\": {\"mean\": 2e-06, \"rounds\": 3, \"min\": "
	    "1e-06}},\n"
	    "  {\"fullname\": \"t.py::test_b\", \"stats\": null},\n"
	    "  {\"fullname\": \"t.py::test_c\", \"stats\": {\"mean\": NaN, \"rounds\": 3}},\n"
	    "  {\"fullname\": \"t.py::test_d\", \"stats\": {\"mean\": 0.5, \"rounds\": 3,\n"
	    "     \"data\": [0.4, \"... omitted\"]}}\n"
	    "], \"version\": \"2.5.0\"}\n";
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_PYTEST_BENCHMARK);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "test_a", "time");
	assert_near(r->value, 2000, 1e-9);
	assert_near(r->min, 1000, 1e-9);
	assert_true(isnan(r->median));
	assert_int_equal(r->n, 3);
	assert_null(lookup_result(rs, "test_a", "ops"));
	assert_null(lookup_result(rs, "t.py::test_b", "time"));
	assert_true(has_warning(rs, "ok:3:41: benchmark 't.py::test_b': stats is null", NULL));
	assert_null(lookup_result(rs, "t.py::test_c", "time"));
	assert_true(has_warning(rs, "ok:4:50: benchmark 't.py::test_c': stats.mean is NaN", NULL));
	r = find_result(rs, "t.py::test_d", "time");
	assert_int_equal(r->nsamples, 0);
	assert_near(r->value, 5e8, 0);
	assert_true(
	    has_warning(rs, "ok:6:20: benchmark 't.py::test_d': stats.data[1] is a string", NULL));
	assert_int_equal(perfdb_resultset_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_pytest_benchmark__bad_inputs(void **state)
{
	(void)state;
	expect_input_error(
	    "{\"benchmarks\": [{\"fullname\": \"a\", \"stats\": {\"mean\": \"x\"}}]}",
	    PERFDB_FORMAT_PYTEST_BENCHMARK, "p.json", PERFDB_EINPUT, 1, 53,
	    "benchmarks[0].stats.mean", "expected a number");
	expect_input_error("{\"benchmarks\": [{\"fullname\": \"a\", \"stats\": {\"mean\": 1}},\n"
			   " {\"fullname\": \"a\", \"stats\": {\"mean\": 1}}]}",
			   PERFDB_FORMAT_PYTEST_BENCHMARK, "p.json", PERFDB_EINPUT, 2, 15,
			   "benchmarks[1].fullname", "also benchmarks[0]");
	expect_input_error("{\"benchmarks\": [{\"fullname\": \"a\", \"stats\": {\"mean\": 1, "
			   "\"rounds\": 3, \"data\": [1, 2]}}]}",
			   PERFDB_FORMAT_PYTEST_BENCHMARK, "p.json", PERFDB_EINPUT, 1, 77,
			   "benchmarks[0].stats.data", "has 2 values, but rounds is 3");
	expect_input_error("{\"benchmarks\": [{\"fullname\": \"a\"}]}",
			   PERFDB_FORMAT_PYTEST_BENCHMARK, "p.json", PERFDB_EINPUT, 1, 17,
			   "benchmarks[0].stats", "missing");
	expect_input_error("{\"machine_info\": {}}", PERFDB_FORMAT_PYTEST_BENCHMARK, "p.json",
			   PERFDB_EINPUT, 1, 1, "benchmarks", "missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_pytest_benchmark__real_322),
	    cmocka_unit_test(test_ingest_pytest_benchmark__detected),
	    cmocka_unit_test(test_ingest_pytest_benchmark__old_and_broken_entries),
	    cmocka_unit_test(test_ingest_pytest_benchmark__bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
