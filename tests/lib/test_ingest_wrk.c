/*
 * The wrk reader on real wrk 4.1.0 output (tests/data/wrk, see
 * tests/data/README) and on small inputs in wrk2's layout. The expected
 * numbers are the ones printed in the files.
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

#define DATA PERFDB_TEST_DATA "/wrk/"

static void expect(const perfdb_resultset *rs, const char *bench, const char *metric,
		   const char *unit, perfdb_direction dir, double value)
{
	const perfdb_result *r = find_result(rs, bench, metric);
	assert_string_equal(r->unit, unit);
	assert_int_equal(r->direction, dir);
	assert_near(r->value, value, fabs(value) * 1e-12);
}

#define LAT(m, v) expect(rs, url, m, "ns", PERFDB_LOWER_IS_BETTER, v)

static void test_ingest_wrk__latency_report(void **state)
{
	const char *url = "http://127.0.0.1:20312/data.txt";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__wrk, DATA "wrk_latency.txt", 0);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "wrk");
	assert_int_equal(perfdb_resultset_count(rs), 15);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	/* no Socket errors / Non-2xx lines: wrk prints them only when not zero */
	expect(rs, url, "socket_errors_connect", "", PERFDB_LOWER_IS_BETTER, 0);
	expect(rs, url, "socket_errors_read", "", PERFDB_LOWER_IS_BETTER, 0);
	expect(rs, url, "socket_errors_write", "", PERFDB_LOWER_IS_BETTER, 0);
	expect(rs, url, "socket_errors_timeout", "", PERFDB_LOWER_IS_BETTER, 0);
	expect(rs, url, "non_2xx", "", PERFDB_LOWER_IS_BETTER, 0);
	LAT("latency_mean", 2.57e6);
	LAT("latency_stddev", 2.23e6);
	LAT("latency_max", 18.17e6);
	LAT("latency_p50", 1.73e6);
	LAT("latency_p75", 2.92e6);
	LAT("latency_p90", 5.27e6);
	LAT("latency_p99", 11.59e6);
	expect(rs, url, "requests", "", PERFDB_HIGHER_IS_BETTER, 3530);
	expect(rs, url, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 1760.89);
	/* wrk's MB is 1024 * 1024 bytes */
	expect(rs, url, "transfer_rate", "B/s", PERFDB_HIGHER_IS_BETTER, 9.40 * 1048576);
	perfdb_resultset_free(rs);
}

static void test_ingest_wrk__non_2xx(void **state)
{
	const char *url = "http://127.0.0.1:20312/missing";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__wrk, DATA "wrk_404.txt", 0);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 11);
	expect(rs, url, "socket_errors_timeout", "", PERFDB_LOWER_IS_BETTER, 0);
	LAT("latency_mean", 1.81e6);
	LAT("latency_stddev", 3.17e6);
	LAT("latency_max", 31.40e6);
	expect(rs, url, "requests", "", PERFDB_HIGHER_IS_BETTER, 1743);
	expect(rs, url, "non_2xx", "", PERFDB_LOWER_IS_BETTER, 1743);
	expect(rs, url, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 1733.93);
	expect(rs, url, "transfer_rate", "B/s", PERFDB_HIGHER_IS_BETTER, 0.86 * 1048576);
	perfdb_resultset_free(rs);
}

/* wrk2 -R --latency -U, cut down (hand-made in wrk2 4.0.0's layout): two
 * distributions, the spectrum skipped, -nan in Req/Sec, minutes, socket errors,
 * a Lua script's lines after the report. */
static const char wrk2[] =
    "Running 1m test @ http://127.0.0.1:8080/slow\n"
    "  2 threads and 20 connections\n"
    "  Thread calibration: mean lat.: 58.492ms, rate sampling interval: 127ms\n"
    "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
    "    Latency   877.90ms  474.96ms   1.12m    57.18%\n"
    "    Req/Sec       -nan      -nan   0.00      0.00%\n"
    "  Latency Distribution (HdrHistogram - Recorded Latency)\n"
    " 50.000%  879.61ms\n"
    " 99.900%    1.70s \n"
    "100.000%    1.12m \n"
    "\n"
    "  Detailed Percentile spectrum:\n"
    "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
    "\n"
    "      50.431     0.000000            1         1.00\n"
    "    1701.887     1.000000         1296          inf\n"
    "#[Mean    =      877.905, StdDeviation   =      474.960]\n"
    "----------------------------------------------------------\n"
    "\n"
    "  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking "
    "delayed starts into account))\n"
    " 50.000%   92.03us\n"
    " 99.000%   96.00ms\n"
    "\n"
    "  Detailed Percentile spectrum:\n"
    "      91.967     0.100000          247         1.11\n"
    "----------------------------------------------------------\n"
    "  1299 requests in 1.00m, 182.81KB read\n"
    "  Socket errors: connect 1, read 2, write 3, timeout 4\n"
    "  Non-2xx or 3xx responses: 5\n"
    "Requests/sec:    216.45\n"
    "Transfer/sec:     30.46KB\n"
    "==CSV==\n"
    "p50 latency,0.187,ms\n";

static void test_ingest_wrk__wrk2_uncorrected(void **state)
{
	const char *url = "http://127.0.0.1:8080/slow";
	perfdb_resultset *rs = ingest_ok(wrk2, PERFDB_FORMAT_AUTO);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 16);
	LAT("latency_mean", 877.90e6);
	LAT("latency_stddev", 474.96e6);
	LAT("latency_max", 1.12 * 60e9);
	LAT("latency_p50", 879.61e6);
	LAT("latency_p99.9", 1.70e9);
	LAT("latency_p100", 1.12 * 60e9);
	LAT("uncorrected_latency_p50", 92.03e3);
	LAT("uncorrected_latency_p99", 96.00e6);
	expect(rs, url, "requests", "", PERFDB_HIGHER_IS_BETTER, 1299);
	expect(rs, url, "socket_errors_connect", "", PERFDB_LOWER_IS_BETTER, 1);
	expect(rs, url, "socket_errors_read", "", PERFDB_LOWER_IS_BETTER, 2);
	expect(rs, url, "socket_errors_write", "", PERFDB_LOWER_IS_BETTER, 3);
	expect(rs, url, "socket_errors_timeout", "", PERFDB_LOWER_IS_BETTER, 4);
	expect(rs, url, "non_2xx", "", PERFDB_LOWER_IS_BETTER, 5);
	expect(rs, url, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 216.45);
	expect(rs, url, "transfer_rate", "B/s", PERFDB_HIGHER_IS_BETTER, 30.46 * 1024);
	assert_null(lookup_result(rs, url, "latency_p0"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_true(has_warning(rs, "ok:32:1:", "2 lines after wrk's report"));
	perfdb_resultset_free(rs);
}

static void test_ingest_wrk__nan_is_warned(void **state)
{
	static const char text[] = "Running 2s test @ http://h/\n"
				   "  1 threads and 1 connections\n"
				   "    Latency     -nan      -nan   0.00us    0.00%\n"
				   "  0 requests in 2.00s, 0.00B read\n"
				   "Requests/sec:      0.00\n"
				   "Transfer/sec:       0.00B\n";
	perfdb_resultset *rs = ingest_ok(text, PERFDB_FORMAT_WRK);
	(void)state;
	assert_null(lookup_result(rs, "http://h/", "latency_mean"));
	assert_null(lookup_result(rs, "http://h/", "latency_stddev"));
	assert_near(find_result(rs, "http://h/", "latency_max")->value, 0, 0);
	assert_near(find_result(rs, "http://h/", "requests")->value, 0, 0);
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	assert_true(has_warning(rs, "ok:3:17: latency_mean is '-nan'", NULL));
	assert_true(has_warning(rs, "ok:3:27: latency_stddev is '-nan'", NULL));
	perfdb_resultset_free(rs);
}

static void test_ingest_wrk__detect(void **state)
{
	(void)state;
	assert_int_equal(perfdb_ingest_detect(wrk2, strlen(wrk2)), PERFDB_FORMAT_WRK);
	assert_int_equal(
	    perfdb_ingest_detect("\nunable to connect to h:1 Connection refused\n", 45),
	    PERFDB_FORMAT_WRK);
	assert_int_equal(perfdb_ingest_detect("Running late\n", 13), PERFDB_FORMAT_AUTO);
}

static void test_ingest_wrk__refused(void **state)
{
	(void)state;
	expect_input_error("unable to connect to 127.0.0.1:8799 Connection refused\n",
			   PERFDB_FORMAT_AUTO, "w.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "wrk could not connect");
	expect_input_error("hello\n", PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "Running <duration> test @");
	expect_input_error("Running 1s test @ u\n    Latency 1.0ms 2.0xs 3ms 1%\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 2, 22, "latency_stddev",
			   "unknown unit 'xs'");
	expect_input_error("Running 1s test @ u\n    Latency 1.0ms 2.0ms abc 1%\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 2, 25, "latency_max",
			   "'abc' is not a number");
	expect_input_error("Running 1s test @ u\n  Latency Distribution\n  50%  1ms\n  50%  2ms\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 4, 8, "latency_p50",
			   "given a second time");
	expect_input_error("Running 1s test @ u\n  12 requests in 1s, 1KB read\n  what is this\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 3, 3, NULL,
			   "not a line of a wrk report");
	expect_input_error("Running 1s test @ u\n  1.5 requests in 1s, 1KB read\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 2, 3, "requests",
			   "expected a count");
	/* a report cut inside a line: one word (read a stale second word once) */
	expect_input_error("Running 1s test @ u\n  2 threads and 10 connections\n    L",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 3, 5, NULL,
			   "not a line of a wrk report: '    L'");
	/* cut short: no Requests/sec and Transfer/sec */
	expect_input_error("Running 1s test @ u\n  12 requests in 1s, 1KB read\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 3, 1, NULL,
			   "ends before its 'Requests/sec:' line");
	expect_input_error("Running 1s test @ u\n  Socket errors: connect 0, read x, write 0\n",
			   PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 2, 34, "socket_errors_read",
			   "expected a count");
}

/*
 * A report of many percentile lines: a pair given a second time is found
 * through the fingerprints of the pairs put, not by searching every earlier
 * result (30,000 lines took 3.9 s, a million would take an hour). A repeat
 * is refused at its line however far from the first, and the percentiles
 * all arrive.
 */
static void test_ingest_wrk__many_percentiles(void **state)
{
	size_t cap = 30000 * 32 + 256, n, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "Running 1s test @ u\n  Latency Distribution\n");
	for (i = 0; i < 30000; i++)
		n += (size_t)snprintf(text + n, cap - n, "  %zu.%03zu%%  %zums\n", i / 1000,
				      i % 1000, i + 1);
	n += (size_t)snprintf(
	    text + n, cap - n,
	    "  12 requests in 1s, 1KB read\nRequests/sec: 12.00\nTransfer/sec: 1KB\n");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, n, "w.txt", PERFDB_FORMAT_WRK), 0);
	/* the percentiles, requests and the zeros of the errors not reported */
	assert_true(perfdb_resultset_count(rs) >= 30001);
	assert_string_equal(perfdb_resultset_get(rs, 29999)->metric, "latency_p29.999");
	assert_near(perfdb_resultset_get(rs, 29999)->value, 30000e6, 0);
	perfdb_resultset_free(rs);
	/* 0.007% again after all of them */
	n = (size_t)snprintf(text, cap, "Running 1s test @ u\n  Latency Distribution\n");
	for (i = 0; i < 30000; i++)
		n += (size_t)snprintf(text + n, cap - n, "  %zu.%03zu%%  %zums\n", i / 1000,
				      i % 1000, i + 1);
	n += (size_t)snprintf(text + n, cap - n, "  0.007%%  1ms\n");
	expect_input_error(text, PERFDB_FORMAT_WRK, "w.txt", PERFDB_EINPUT, 30003, 11,
			   "latency_p0.007", "given a second time");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_wrk__latency_report),
	    cmocka_unit_test(test_ingest_wrk__non_2xx),
	    cmocka_unit_test(test_ingest_wrk__wrk2_uncorrected),
	    cmocka_unit_test(test_ingest_wrk__nan_is_warned),
	    cmocka_unit_test(test_ingest_wrk__detect),
	    cmocka_unit_test(test_ingest_wrk__refused),
	    cmocka_unit_test(test_ingest_wrk__many_percentiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
