/*
 * The k6 reader on hand-made inputs in the two layouts k6 writes (k6 is not
 * in Debian, so no fixture could be made with the real tool here; the
 * acceptance suite reads six real files from other projects):
 * `--summary-export` (flat metric objects, thresholds as booleans that are
 * true when the threshold failed) and handleSummary data (type, contains,
 * values; thresholds {"ok": bool}).
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

static void expect(const perfdb_resultset *rs, const char *bench, const char *metric,
		   const char *unit, perfdb_direction dir, double value)
{
	const perfdb_result *r = find_result(rs, bench, metric);
	assert_string_equal(r->unit, unit);
	assert_int_equal(r->direction, dir);
	assert_near(r->value, value, fabs(value) * 1e-12);
}

#define L PERFDB_LOWER_IS_BETTER
#define H PERFDB_HIGHER_IS_BETTER

static const char export_json[] =
    "{\n"
    "  \"root_group\": {\"name\": \"\", \"path\": \"\", \"groups\": {}, \"checks\": {}},\n"
    "  \"metrics\": {\n"
    "    \"http_req_duration\": {\"avg\": 19.5, \"min\": 0.077, \"med\": 3.12, \"max\": "
    "1737.376, \"p(90)\": 40.25, \"p(99.9)\": 787.1},\n"
    "    \"http_req_duration{name:login}\": {\"avg\": 8.5, \"min\": 1, \"med\": 2, \"max\": 30, "
    "\"p(95)\": 29, \"thresholds\": {\"p(95)<20\": true}},\n"
    "    \"http_req_failed{gateway:fast}\": {\"passes\": 3, \"fails\": 97, \"value\": 0.03, "
    "\"thresholds\": {\"rate<0.01\": true}},\n"
    "    \"http_req_failed\": {\"passes\": 3, \"fails\": 197, \"value\": 0.015},\n"
    "    \"http_reqs\": {\"count\": 200, \"rate\": 19.75},\n"
    "    \"checks\": {\"passes\": 199, \"fails\": 1, \"value\": 0.995},\n"
    "    \"data_received\": {\"count\": 4096, \"rate\": 400.5},\n"
    "    \"dropped_iterations\": {\"count\": 7, \"rate\": 0.7},\n"
    "    \"my_trend\": {\"avg\": 1.5, \"min\": 1, \"med\": 1.5, \"max\": 2, \"p(95)\": 2, "
    "\"thresholds\": {\"p(95)<50\": false}},\n"
    "    \"vus\": {\"value\": 1, \"min\": 1, \"max\": 10},\n"
    "    \"queue_depth\": {\"value\": 12, \"min\": 3, \"max\": 40}\n"
    "  }\n"
    "}\n";

static void test_ingest_k6__summary_export(void **state)
{
	perfdb_resultset *rs = ingest_ok(export_json, PERFDB_FORMAT_AUTO);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "k6");
	expect(rs, "k6", "latency_mean", "ns", L, 19.5e6);
	expect(rs, "k6", "latency_min", "ns", L, 0.077e6);
	expect(rs, "k6", "latency_median", "ns", L, 3.12e6);
	expect(rs, "k6", "latency_max", "ns", L, 1737.376e6);
	expect(rs, "k6", "latency_p90", "ns", L, 40.25e6);
	expect(rs, "k6", "latency_p99.9", "ns", L, 787.1e6);
	expect(rs, "login", "latency_mean", "ns", L, 8.5e6);
	expect(rs, "login", "latency_p95", "ns", L, 29e6);
	expect(rs, "gateway:fast", "error_rate", "%", L, 3);
	expect(rs, "gateway:fast", "failures", "", L, 3);
	expect(rs, "k6", "error_rate", "%", L, 1.5);
	expect(rs, "k6", "failures", "", L, 3);
	expect(rs, "k6", "requests", "", H, 200);
	expect(rs, "k6", "throughput", "req/s", H, 19.75);
	expect(rs, "k6", "checks_rate", "%", H, 99.5);
	expect(rs, "k6", "checks_failed", "", L, 1);
	expect(rs, "k6", "data_received", "B", L, 4096);
	expect(rs, "k6", "data_received_rate", "B/s", H, 400.5);
	expect(rs, "k6", "dropped_iterations", "", L, 7);
	expect(rs, "k6", "dropped_iterations_rate", "/s", L, 0.7);
	/* a custom trend of --summary-export has no unit: stored as written */
	expect(rs, "k6", "my_trend_mean", "", L, 1.5);
	expect(rs, "k6", "my_trend_p95", "", L, 2);
	expect(rs, "k6", "queue_depth", "", L, 12);
	assert_null(lookup_result(rs, "k6", "vus"));
	expect(rs, "k6", "thresholds_failed", "", L, 2);
	assert_int_equal(perfdb_resultset_count(rs), 6 + 5 + 2 + 2 + 2 + 2 + 2 + 2 + 5 + 1 + 1);
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	assert_true(has_warning(
	    rs, "ok:5:", "threshold 'p(95)<20' on 'http_req_duration{name:login}' failed"));
	assert_true(has_warning(
	    rs, "ok:6:", "threshold 'rate<0.01' on 'http_req_failed{gateway:fast}' failed"));
	perfdb_resultset_free(rs);
}

static const char handle_json[] =
    "{\"root_group\": {\"name\": \"\", \"path\": \"\", \"groups\": [], \"checks\": []},\n"
    " \"options\": {\"summaryTrendStats\": [\"avg\", \"p(95)\"], \"summaryTimeUnit\": \"\"},\n"
    " \"state\": {\"testRunDurationMs\": 30189.5},\n"
    " \"setup_data\": {\"token\": \"x\"},\n"
    " \"metrics\": {\n"
    "  \"http_req_duration\": {\"type\": \"trend\", \"contains\": \"time\", \"values\": "
    "{\"avg\": 10.5, \"p(95)\": 78.25}, \"thresholds\": {\"p(95)<3000\": {\"ok\": true}}},\n"
    "  \"cache_ms\": {\"type\": \"trend\", \"contains\": \"time\", \"values\": {\"avg\": 2.5, "
    "\"p(95)\": NaN}},\n"
    "  \"hits\": {\"type\": \"trend\", \"contains\": \"default\", \"values\": {\"avg\": 3, "
    "\"p(95)\": 4}},\n"
    "  \"case_success_rate\": {\"type\": \"rate\", \"contains\": \"default\", \"values\": "
    "{\"rate\": 0.75, \"passes\": 3, \"fails\": 1}, \"thresholds\": {\"rate>0.95\": {\"ok\": "
    "false}}},\n"
    "  \"http_req_failed\": {\"type\": \"rate\", \"contains\": \"default\", \"values\": "
    "{\"rate\": 1, \"passes\": 1422, \"fails\": 0}},\n"
    "  \"iterations\": {\"type\": \"counter\", \"contains\": \"default\", \"values\": "
    "{\"count\": 1422, \"rate\": 47.1}},\n"
    "  \"mem\": {\"type\": \"gauge\", \"contains\": \"data\", \"values\": {\"value\": 2048, "
    "\"min\": 1, \"max\": 4096}}\n"
    " }\n"
    "}\n";

static void test_ingest_k6__handle_summary(void **state)
{
	perfdb_resultset *rs = ingest_ok(handle_json, PERFDB_FORMAT_AUTO);
	(void)state;
	expect(rs, "k6", "latency_mean", "ns", L, 10.5e6);
	expect(rs, "k6", "latency_p95", "ns", L, 78.25e6);
	expect(rs, "k6", "cache_ms_mean", "ns", L, 2.5e6);
	assert_null(lookup_result(rs, "k6", "cache_ms_p95"));
	expect(rs, "k6", "hits_mean", "", L, 3);
	expect(rs, "k6", "case_success_rate", "%", H, 75); /* rate>0.95: higher is better */
	expect(rs, "k6", "error_rate", "%", L, 100);
	expect(rs, "k6", "failures", "", L, 1422);
	expect(rs, "k6", "iterations", "", H, 1422);
	expect(rs, "k6", "iterations_rate", "/s", H, 47.1);
	expect(rs, "k6", "mem", "B", L, 2048);
	expect(rs, "k6", "thresholds_failed", "", L, 1);
	assert_int_equal(perfdb_resultset_count(rs), 2 + 1 + 2 + 1 + 2 + 2 + 1 + 1);
	assert_true(has_warning(rs, "ok:7:", "'cache_ms_p95' of 'k6' is NaN; not recorded"));
	assert_true(
	    has_warning(rs, "ok:9:", "threshold 'rate>0.95' on 'case_success_rate' failed"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_k6__detect(void **state)
{
	(void)state;
	assert_int_equal(perfdb_ingest_detect(export_json, strlen(export_json)), PERFDB_FORMAT_K6);
	assert_int_equal(perfdb_ingest_detect(handle_json, strlen(handle_json)), PERFDB_FORMAT_K6);
}

static void test_ingest_k6__refused(void **state)
{
	(void)state;
	expect_input_error("{\"root_group\": {}}", PERFDB_FORMAT_K6, "k.json", PERFDB_EINPUT, 1, 1,
			   "metrics", "missing (not a k6 summary?)");
	expect_input_error(
	    "{\"root_group\": {}, \"metrics\": {\"http_reqs\": {\"count\": \"many\", "
	    "\"rate\": 1}}}",
	    PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 55, "metrics.http_reqs.count",
	    "expected a number, found a string");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"x\": {\"type\": \"histogram\", "
			   "\"values\": {}}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 46, "metrics.x.type",
			   "unknown metric type 'histogram'");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"x\": {\"avg\": 1, \"p(95\": 2}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 56, "metrics.x.p(95",
			   "unknown trend statistic");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"x\": {\"avg\": 1, \"thresholds\": "
			   "{\"p(95)<1\": 3}}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 74,
			   "metrics.x.thresholds.p(95)<1", "expected true, false or");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"x{\": {\"avg\": 1}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 38, "metrics.x{",
			   "expected METRIC or METRIC{tag:value,...}");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"n\": {\"type\": \"counter\", "
			   "\"values\": {\"count\": 3}}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 67,
			   "metrics.n.values.rate", "missing");
	expect_input_error("{\"root_group\": {}, \"metrics\": {\"x\": {\"min\": 1}}}",
			   PERFDB_FORMAT_AUTO, "k.json", PERFDB_EINPUT, 1, 37, "metrics.x",
			   "cannot tell the metric's type");
}

/* A summary holds at most 100,000 values (a real one a few thousand; a
 * tree node takes 40-80 bytes and may be written in 3): past them it is
 * refused at the value that passes, not held at 20 times its size. */
static void test_ingest_k6__values_bounded(void **state)
{
	static const char head[] =
	    "{\"root_group\": {}, \"metrics\": {\"http_reqs\": {\"count\": 5, "
	    "\"rate\": 1}}, \"x-junk\": [";
	size_t k, i, n, cap = sizeof(head) + 3 * 100000 + 16;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	/* root, root_group, metrics, http_reqs, count, rate, x-junk: 7, then k */
	for (k = 99993; k <= 99994; k++) {
		n = (size_t)snprintf(text, cap, "%s", head);
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s{}", i ? "," : "");
		n += (size_t)snprintf(text + n, cap - n, "]}");
		if (k == 99993) {
			assert_int_equal(perfdb_resultset_new(&rs), 0);
			assert_int_equal(
			    perfdb_ingest_buffer(rs, text, n, "k.json", PERFDB_FORMAT_K6), 0);
			expect(rs, "k6", "requests", "", H, 5);
			perfdb_resultset_free(rs);
		} else {
			expect_input_error(text, PERFDB_FORMAT_K6, "k.json", PERFDB_EINPUT, 1,
					   (int)(sizeof(head) - 1 + 3 * (k - 1) + 1), NULL,
					   "more than 100000 values (a k6 summary holds a few "
					   "thousand)");
		}
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_k6__summary_export),
	    cmocka_unit_test(test_ingest_k6__handle_summary),
	    cmocka_unit_test(test_ingest_k6__detect),
	    cmocka_unit_test(test_ingest_k6__refused),
	    cmocka_unit_test(test_ingest_k6__values_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
