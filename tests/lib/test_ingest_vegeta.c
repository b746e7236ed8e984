/*
 * The vegeta reader on hand-made `vegeta report -type=json` objects in the
 * layout of vegeta 12 (vegeta is not in Debian, so no fixture could be made
 * with the real tool here; the acceptance suite reads vegeta's own golden
 * reports).
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

static void expect(const perfdb_resultset *rs, const char *metric, const char *unit,
		   perfdb_direction dir, double value)
{
	const perfdb_result *r = find_result(rs, "vegeta", metric);
	assert_string_equal(r->unit, unit);
	assert_int_equal(r->direction, dir);
	assert_near(r->value, value, fabs(value) * 1e-12);
}

#define L PERFDB_LOWER_IS_BETTER
#define H PERFDB_HIGHER_IS_BETTER

static const char report[] =
    "{\"latencies\":{\"total\":5050000000,\"mean\":50500000,\"50th\":50400000,\"90th\":90500000,"
    "\"95th\":95500000,\"99th\":99500000,\"max\":100000000,\"min\":1000000},\n"
    "\"bytes_in\":{\"total\":14850,\"mean\":148.5},\"bytes_out\":{\"total\":700,\"mean\":7},\n"
    "\"earliest\":\"2026-09-23T10:00:00Z\",\"latest\":\"2026-09-23T10:00:00.99Z\","
    "\"end\":\"2026-09-23T10:00:01.09Z\",\"duration\":990000000,\"wait\":100000000,\n"
    "\"requests\":100,\"rate\":101.01,\"throughput\":36.7,\"success\":0.4,\n"
    "\"status_codes\":{\"0\":20,\"200\":40,\"204\":0,\"302\":5,\"500\":15,\"503\":20},\n"
    "\"errors\":[\"500 Internal Server Error\"]}\n";

static void test_ingest_vegeta__report(void **state)
{
	perfdb_resultset *rs = ingest_ok(report, PERFDB_FORMAT_AUTO);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "vegeta");
	assert_int_equal(perfdb_resultset_count(rs), 12);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	expect(rs, "latency_mean", "ns", L, 50500000);
	expect(rs, "latency_p50", "ns", L, 50400000);
	expect(rs, "latency_p90", "ns", L, 90500000);
	expect(rs, "latency_p95", "ns", L, 95500000);
	expect(rs, "latency_p99", "ns", L, 99500000);
	expect(rs, "latency_max", "ns", L, 100000000);
	expect(rs, "latency_min", "ns", L, 1000000);
	expect(rs, "requests", "", H, 100);
	expect(rs, "throughput", "req/s", H, 36.7);
	expect(rs, "error_rate", "%", L, 60);
	expect(rs, "errors", "", L, 20);
	expect(rs, "non_2xx", "", L, 40); /* 302, 500, 503 */
	perfdb_resultset_free(rs);
}

static void test_ingest_vegeta__empty(void **state)
{
	static const char empty[] =
	    "{\"latencies\":{\"total\":0,\"mean\":0,\"50th\":0,\"90th\":0,\"95th\":0,\"99th\":0,"
	    "\"max\":0,\"min\":0},\"bytes_in\":{\"total\":0,\"mean\":0},\"bytes_out\":{\"total\":0,"
	    "\"mean\":0},\"requests\":0,\"rate\":0,\"throughput\":0,\"success\":0,"
	    "\"status_codes\":{},\"errors\":[]}";
	perfdb_resultset *rs = ingest_ok(empty, PERFDB_FORMAT_AUTO);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 3);
	expect(rs, "requests", "", H, 0);
	assert_null(lookup_result(rs, "vegeta", "latency_mean"));
	assert_null(lookup_result(rs, "vegeta", "error_rate"));
	assert_true(has_warning(rs, "the report holds no request", NULL));
	perfdb_resultset_free(rs);
}

/* A report holds a few dozen values: junk beside it is refused at the
 * 100,001st value, not held as a tree of 40-80 bytes a value. */
static void test_ingest_vegeta__values_bounded(void **state)
{
	size_t k, i, n, cap = 3 * 100000 + 1024;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (k = 99900; k <= 100000; k += 100) {
		n = (size_t)snprintf(text, cap, "%.*s, \"x\": [", (int)(strlen(report) - 2),
				     report);
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s[]", i ? "," : "");
		n += (size_t)snprintf(text + n, cap - n, "]}");
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		if (k < 100000) {
			assert_int_equal(
			    perfdb_ingest_buffer(rs, text, n, "v.json", PERFDB_FORMAT_VEGETA), 0);
		} else {
			assert_int_equal(
			    perfdb_ingest_buffer(rs, text, n, "v.json", PERFDB_FORMAT_VEGETA),
			    PERFDB_EINPUT);
			assert_non_null(
			    strstr(perfdb_error_last()->message,
				   "more than 100000 values (a vegeta report holds a few dozen)"));
		}
		perfdb_resultset_free(rs);
	}
	free(text);
}

static void test_ingest_vegeta__refused(void **state)
{
	(void)state;
	assert_int_equal(perfdb_ingest_detect(report, strlen(report)), PERFDB_FORMAT_VEGETA);
	expect_input_error("{\"latencies\":{\"mean\":1},\"bytes_in\":{},\"requests\":1,"
			   "\"throughput\":1,\"success\":1,\"status_codes\":{\"200\":1}}",
			   PERFDB_FORMAT_AUTO, "v.json", PERFDB_EINPUT, 1, 14, "latencies.min",
			   "missing");
	expect_input_error("{\"latencies\":{},\"bytes_in\":{},\"requests\":1,\"throughput\":NaN,"
			   "\"success\":1,\"status_codes\":{\"200\":1}}",
			   PERFDB_FORMAT_AUTO, "v.json", PERFDB_EINPUT, 1, 57, "throughput",
			   "expected a finite, non-negative number");
	expect_input_error("{\"latencies\":{},\"bytes_in\":{},\"requests\":2,\"throughput\":1,"
			   "\"success\":1,\"status_codes\":{\"200\":1}}",
			   PERFDB_FORMAT_AUTO, "v.json", PERFDB_EINPUT, 1, 86, "status_codes",
			   "count 1 requests, \"requests\" says 2");
	expect_input_error("{\"latencies\":{},\"bytes_in\":{},\"requests\":1,\"throughput\":1,"
			   "\"success\":1,\"status_codes\":{\"OK\":1}}",
			   PERFDB_FORMAT_AUTO, "v.json", PERFDB_EINPUT, 1, 92, "status_codes.OK",
			   "not an HTTP status code");
	expect_input_error("{\"latencies\":{},\"bytes_in\":{},\"requests\":1,\"throughput\":1,"
			   "\"success\":1.5,\"status_codes\":{\"200\":1}}",
			   PERFDB_FORMAT_AUTO, "v.json", PERFDB_EINPUT, 1, 69, "success",
			   "a ratio above 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_vegeta__report),
	    cmocka_unit_test(test_ingest_vegeta__empty),
	    cmocka_unit_test(test_ingest_vegeta__refused),
	    cmocka_unit_test(test_ingest_vegeta__values_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
