/*
 * The hey reader on real hey 0.1.4 output (tests/data/hey, see
 * tests/data/README): a report, a 404 run with fewer than 100 responses (hey
 * prints the 99 % row it could not fill as "0% in 0.0000 secs"), a refused
 * connection ("NaN") and -o csv. Expected numbers are those printed in the
 * files; the CSV is read here with sscanf, independently of the reader.
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

#define DATA PERFDB_TEST_DATA "/hey/"

static void expect(const perfdb_resultset *rs, const char *metric, const char *unit,
		   perfdb_direction dir, double value)
{
	const perfdb_result *r = find_result(rs, "hey", metric);
	assert_string_equal(r->unit, unit);
	assert_int_equal(r->direction, dir);
	assert_near(r->value, value, fabs(value) * 1e-12);
}

#define LAT(m, s)    expect(rs, m, "ns", PERFDB_LOWER_IS_BETTER, (s)*1e9)
#define ERRORS(m, v) expect(rs, m, "", PERFDB_LOWER_IS_BETTER, v)

static void test_ingest_hey__report(void **state)
{
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__hey, DATA "hey_basic.txt", 0);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "hey");
	assert_int_equal(perfdb_resultset_count(rs), 15);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	LAT("latency_max", 0.0151);
	LAT("latency_min", 0.0004);
	LAT("latency_mean", 0.0026);
	expect(rs, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 1492.6229);
	LAT("latency_p10", 0.0010);
	LAT("latency_p25", 0.0014);
	LAT("latency_p50", 0.0020);
	LAT("latency_p75", 0.0029);
	LAT("latency_p90", 0.0051);
	LAT("latency_p95", 0.0079);
	LAT("latency_p99", 0.0151);
	expect(rs, "requests", "", PERFDB_HIGHER_IS_BETTER, 100);
	ERRORS("non_2xx", 0);
	ERRORS("errors", 0);
	expect(rs, "error_rate", "%", PERFDB_LOWER_IS_BETTER, 0);
	perfdb_resultset_free(rs);
}

static void test_ingest_hey__unfilled_percentile(void **state)
{
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__hey, DATA "hey_404.txt", 0);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 14);
	assert_null(lookup_result(rs, "hey", "latency_p0"));
	assert_null(lookup_result(rs, "hey", "latency_p99"));
	LAT("latency_p95", 0.0041);
	ERRORS("non_2xx", 40);
	expect(rs, "error_rate", "%", PERFDB_LOWER_IS_BETTER, 100);
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_true(has_warning(rs, "hey_404.txt:33:3: '0%' row", "not recorded"));
	perfdb_resultset_free(rs);
}

static void test_ingest_hey__no_response(void **state)
{
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__hey, DATA "hey_refused.txt", 0);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 4);
	expect(rs, "requests", "", PERFDB_HIGHER_IS_BETTER, 10);
	ERRORS("errors", 10);
	ERRORS("non_2xx", 0);
	expect(rs, "error_rate", "%", PERFDB_LOWER_IS_BETTER, 100);
	assert_null(lookup_result(rs, "hey", "latency_mean"));
	assert_null(lookup_result(rs, "hey", "latency_min"));
	assert_null(lookup_result(rs, "hey", "throughput"));
	assert_true(has_warning(rs, "hey_refused.txt:6:13: latency_mean is 'NaN'", NULL));
	assert_true(has_warning(rs, "no request got a response (10 failed)", NULL));
	perfdb_resultset_free(rs);
}

static void test_ingest_hey__csv(void **state)
{
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__hey, DATA "hey_csv.csv", 0);
	const perfdb_result *r = find_result(rs, "hey", "latency");
	FILE *f = fopen(DATA "hey_csv.csv", "r");
	char line[256];
	size_t i = 0, non2xx = 0;
	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(r->unit, "ns");
	while (fgets(line, sizeof(line), f)) {
		double t, a, b, c, d, e, off;
		int code;
		assert_int_equal(sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%d,%lf", &t, &a, &b, &c, &d,
					&e, &code, &off),
				 8);
		assert_true(i < r->nsamples);
		assert_near(r->samples[i], t * 1e9, t * 1e-6);
		non2xx += code < 200 || code > 299;
		i++;
	}
	fclose(f);
	assert_int_equal(r->nsamples, 30);
	assert_int_equal(i, 30);
	expect(rs, "requests", "", PERFDB_HIGHER_IS_BETTER, 30);
	ERRORS("non_2xx", (double)non2xx);
	perfdb_resultset_free(rs);
}

static void test_ingest_hey__detect(void **state)
{
	static const char *const files[] = {DATA "hey_basic.txt", DATA "hey_refused.txt",
					    DATA "hey_csv.csv"};
	size_t k, len;
	(void)state;
	for (k = 0; k < 3; k++) {
		char *t = slurp_file(files[k], &len);
		assert_int_equal(perfdb_ingest_detect(t, len), PERFDB_FORMAT_HEY);
		free(t);
	}
	assert_int_equal(perfdb_ingest_detect("Summary:\nfoo\n", 13), PERFDB_FORMAT_AUTO);
}

static void test_ingest_hey__refused(void **state)
{
	(void)state;
	expect_input_error("hello\n", PERFDB_FORMAT_HEY, "h.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "'Summary:'");
	expect_input_error("\nSummary:\n  Total:\t1 secs\n  Average:\t0.1 s\n", PERFDB_FORMAT_AUTO,
			   "h.txt", PERFDB_EINPUT, 4, 16, "latency_mean", "expected 'secs'");
	expect_input_error("\nSummary:\n  Total:\t1 secs\n  Average:\tabc secs\n",
			   PERFDB_FORMAT_AUTO, "h.txt", PERFDB_EINPUT, 4, 12, "latency_mean",
			   "expected a number");
	expect_input_error("\nSummary:\n  Total:\t1 secs\n  Bogus:\t1\n", PERFDB_FORMAT_AUTO,
			   "h.txt", PERFDB_EINPUT, 4, 1, NULL, "not a line of a hey report");
	expect_input_error("\nSummary:\n  Total:\t1 secs\nLatency distribution:\n  10% in x secs\n",
			   PERFDB_FORMAT_AUTO, "h.txt", PERFDB_EINPUT, 5, 10, "latency_p10",
			   "expected a number");
	expect_input_error("\nSummary:\n  Total:\t1 secs\nStatus code distribution:\n"
			   "  [2x0]\t5 responses\n",
			   PERFDB_FORMAT_AUTO, "h.txt", PERFDB_EINPUT, 5, 4, NULL,
			   "expected a whole number");
	expect_input_error("\nSummary:\n  Total:\t1 secs\n", PERFDB_FORMAT_AUTO, "h.txt",
			   PERFDB_EINPUT, 4, 1, NULL, "no 'Status code distribution:'");
	expect_input_error("response-time,DNS+dialup,DNS,Request-write,Response-delay,"
			   "Response-read,status-code,offset\n0.1,0,0,0,0,0,200\n",
			   PERFDB_FORMAT_AUTO, "h.csv", PERFDB_EINPUT, 2, 1, NULL,
			   "this row has 7 fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_hey__report),
	    cmocka_unit_test(test_ingest_hey__unfilled_percentile),
	    cmocka_unit_test(test_ingest_hey__no_response),
	    cmocka_unit_test(test_ingest_hey__csv),
	    cmocka_unit_test(test_ingest_hey__detect),
	    cmocka_unit_test(test_ingest_hey__refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
