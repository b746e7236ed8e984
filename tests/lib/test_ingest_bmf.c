/*
 * The Bencher Metric Format reader on hand-made documents in the shape of
 * Bencher's documentation (Bencher is not in Debian, and BMF is written by
 * hand or by scripts; the corpus files are covered by the acceptance suite).
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

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"

static const char doc[] =
    "{\n"
    "  \"bench::a\": {\n"
    "    \"latency\": {\"value\": 88.5, \"lower_value\": 80, \"upper_value\": 90},\n"
    "    \"throughput\": {\"value\": 1200}\n"
    "  },\n"
    "  \"b\": {\n"
    "    \"file-size\": {\"value\": 4096},\n"
    "    \"Max Bytes\": {\"value\": 9, \"upper_value\": 5},\n"
    "    \"build-time\": {\"value\": NaN}\n"
    "  },\n"
    "  \"c\": {}\n"
    "}\n";

static void test_ingest_bmf__measures(void **state)
{
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "bench::a", "latency");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 88.5, 0);
	assert_true(isnan(r->min) && isnan(r->max)); /* bounds are not min/max */
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	r = find_result(rs, "bench::a", "throughput");
	assert_string_equal(r->unit, "ops/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	r = find_result(rs, "b", "file-size");
	assert_string_equal(r->unit, "B");
	r = find_result(rs, "b", "Max Bytes");
	assert_string_equal(r->unit, "");
	assert_near(r->value, 9, 0);
	assert_true(has_warning(rs, "ok:8:46: benchmark 'b' measure 'Max Bytes': bounds", NULL));
	assert_null(lookup_result(rs, "b", "build-time"));
	assert_true(has_warning(rs,
				"ok:9:29: benchmark 'b' measure 'build-time': value is not a "
				"number",
				NULL));
	assert_true(has_warning(rs, "benchmark 'c' has no measures", NULL));
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "bmf");
	perfdb_resultset_free(rs);
}

static void test_ingest_bmf__detection(void **state)
{
	const char *t;
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(doc, strlen(doc)), PERFDB_FORMAT_BMF);
	/* k6's summary has "value" beside other keys: not BMF */
	t = "{\"metrics\": {\"checks\": {\"passes\": 1, \"fails\": 0, \"value\": 1}}}";
	assert_int_equal(perfdb_ingest_detect(t, strlen(t)), PERFDB_FORMAT_AUTO);
	/* a perfdb native document with a nested value stays native */
	t = "{\"run\": {\"x\": {\"value\": 1}}, \"results\": []}";
	assert_int_equal(perfdb_ingest_detect(t, strlen(t)), PERFDB_FORMAT_NATIVE_JSON);
	assert_int_equal(perfdb_format_parse(&f, "bmf"), 0);
	assert_int_equal(f, PERFDB_FORMAT_BMF);
}

static void test_ingest_bmf__bad_inputs(void **state)
{
	(void)state;
	expect_input_error("{\"a\": {\"latency\": {\"value\": 1, \"passes\": 2}}}",
			   PERFDB_FORMAT_BMF, "b.json", PERFDB_EINPUT, 1, 42, "a.latency.passes",
			   "unknown key");
	expect_input_error("{\"a\": {\"latency\": {\"lower_value\": 1}}}", PERFDB_FORMAT_BMF,
			   "b.json", PERFDB_EINPUT, 1, 19, "a.latency.value", "missing");
	expect_input_error("{\"a\": {\"latency\": {\"value\": \"3\"}}}", PERFDB_FORMAT_BMF,
			   "b.json", PERFDB_EINPUT, 1, 29, "a.latency.value", "expected a number");
	expect_input_error("{\"a\": [1]}", PERFDB_FORMAT_BMF, "b.json", PERFDB_EINPUT, 1, 7, "a",
			   "expected an object of measures");
	expect_input_error("[]", PERFDB_FORMAT_BMF, "b.json", PERFDB_EINPUT, 1, 1, NULL,
			   "expected an object of benchmarks");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_bmf__measures),
	    cmocka_unit_test(test_ingest_bmf__detection),
	    cmocka_unit_test(test_ingest_bmf__bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
