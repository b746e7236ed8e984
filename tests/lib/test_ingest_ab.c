/*
 * The ab reader on real ab 2.3 output (tests/data/ab, see tests/data/README):
 * the text report, -e CSV and -g TSV of one run, a 404 run and a refused
 * connection. Expected numbers are the ones printed in the files; the CSV and
 * TSV are read here with sscanf, independently of the reader.
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

#define DATA PERFDB_TEST_DATA "/ab/"

static void expect(const perfdb_resultset *rs, const char *bench, const char *metric,
		   const char *unit, perfdb_direction dir, double value)
{
	const perfdb_result *r = find_result(rs, bench, metric);
	assert_string_equal(r->unit, unit);
	assert_int_equal(r->direction, dir);
	assert_near(r->value, value, fabs(value) * 1e-12);
}

#define LAT(m, ms)   expect(rs, url, m, "ns", PERFDB_LOWER_IS_BETTER, (ms)*1e6)
#define COUNT(m, v)  expect(rs, url, m, "", PERFDB_HIGHER_IS_BETTER, v)
#define ERRORS(m, v) expect(rs, url, m, "", PERFDB_LOWER_IS_BETTER, v)

static void test_ingest_ab__text_report(void **state)
{
	const char *url = "http://127.0.0.1:20312/data.txt";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__ab, DATA "ab_basic.txt", 0);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "ab");
	assert_int_equal(perfdb_resultset_count(rs), 19);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	COUNT("requests", 200);
	ERRORS("failures", 0);
	ERRORS("non_2xx", 0); /* no "Non-2xx responses:" line: ab prints it when not 0 */
	expect(rs, url, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 1526.36);
	LAT("time_per_request", 2.621);
	expect(rs, url, "transfer_rate", "B/s", PERFDB_HIGHER_IS_BETTER, 8339.81 * 1024);
	LAT("latency_min", 1);
	LAT("latency_mean", 2);
	LAT("latency_stddev", 1.9);
	LAT("latency_max", 11);
	LAT("latency_p50", 2);
	LAT("latency_p66", 2);
	LAT("latency_p75", 3);
	LAT("latency_p80", 3);
	LAT("latency_p90", 5);
	LAT("latency_p95", 7);
	LAT("latency_p98", 8);
	LAT("latency_p99", 11);
	LAT("latency_p100", 11);
	perfdb_resultset_free(rs);
}

static void test_ingest_ab__non_2xx(void **state)
{
	const char *url = "http://127.0.0.1:20312/missing";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__ab, DATA "ab_non2xx.txt", 0);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 19);
	COUNT("requests", 50);
	ERRORS("non_2xx", 50);
	expect(rs, url, "throughput", "req/s", PERFDB_HIGHER_IS_BETTER, 1639.02);
	LAT("latency_min", 0);
	LAT("latency_stddev", 1.6);
	LAT("latency_p98", 9);
	perfdb_resultset_free(rs);
}

static void test_ingest_ab__percentile_csv(void **state)
{
	static const int printed[] = {50, 66, 75, 80, 90, 95, 98, 99, 100};
	const char *url = "ab";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__ab, DATA "ab_percentiles.csv", 0);
	FILE *f = fopen(DATA "ab_percentiles.csv", "r");
	char line[128];
	int p, k, seen = 0;
	double ms;
	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_int_equal(perfdb_resultset_count(rs), 9);
	while (fgets(line, sizeof(line), f)) {
		char metric[32];
		assert_int_equal(sscanf(line, "%d,%lf", &p, &ms), 2);
		for (k = 0; k < 9; k++)
			if (printed[k] == p) {
				snprintf(metric, sizeof(metric), "latency_p%d", p);
				LAT(metric, ms);
				seen++;
			}
	}
	fclose(f);
	assert_int_equal(seen, 9);
	perfdb_resultset_free(rs);
}

static void test_ingest_ab__gnuplot_tsv(void **state)
{
	const char *url = "ab";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__ab, DATA "ab_gnuplot.tsv", 0);
	FILE *f = fopen(DATA "ab_gnuplot.tsv", "r");
	const perfdb_result *r = find_result(rs, "ab", "latency");
	char line[256];
	size_t i = 0;
	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		long long sec;
		int ctime, dtime, ttime, wait;
		assert_non_null(tab);
		assert_int_equal(
		    sscanf(tab, "%lld %d %d %d %d", &sec, &ctime, &dtime, &ttime, &wait), 5);
		assert_true(i < r->nsamples);
		assert_near(r->samples[i], ttime * 1e6, 0);
		i++;
	}
	fclose(f);
	assert_int_equal(i, 200);
	assert_int_equal(r->nsamples, 200);
	COUNT("requests", 200);
	perfdb_resultset_free(rs);
}

static void test_ingest_ab__detect(void **state)
{
	size_t len;
	char *t = slurp_file(DATA "ab_basic.txt", &len);
	(void)state;
	assert_int_equal(perfdb_ingest_detect(t, len), PERFDB_FORMAT_AB);
	free(t);
	t = slurp_file(DATA "ab_percentiles.csv", &len);
	assert_int_equal(perfdb_ingest_detect(t, len), PERFDB_FORMAT_AB);
	free(t);
	t = slurp_file(DATA "ab_gnuplot.tsv", &len);
	assert_int_equal(perfdb_ingest_detect(t, len), PERFDB_FORMAT_AB);
	free(t);
}

static void test_ingest_ab__refused(void **state)
{
	size_t len;
	char *t = slurp_file(DATA "ab_refused.txt", &len);
	(void)state;
	expect_input_error(t, PERFDB_FORMAT_AUTO, "ab.txt", PERFDB_EINPUT, 5, 39, NULL,
			   "ab stopped before its report: apr_socket_recv: Connection refused");
	free(t);
	t = slurp_file(DATA "ab_timeout.txt", &len);
	expect_input_error(t, PERFDB_FORMAT_AUTO, "ab.txt", PERFDB_EINPUT, 5, 39, NULL,
			   "ab stopped before its report: apr_pollset_poll: The timeout specified "
			   "has expired (70007)");
	free(t);
	/* a run that gave up after some requests (layout of ab 2.3 with -n 1000) */
	expect_input_error("This is ApacheBench, Version 2.3 <$Revision$>\n\n"
			   "Benchmarking h (be patient)\nCompleted 100 requests\n"
			   "apr_pollset_poll: The timeout specified has expired (70007)\n"
			   "Total of 175 requests completed\n",
			   PERFDB_FORMAT_AUTO, "ab.txt", PERFDB_EINPUT, 5, 1, NULL,
			   "ab stopped before its report: apr_pollset_poll");
	expect_input_error("hello\n", PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "This is ApacheBench");
	expect_input_error("This is ApacheBench, Version 2.3\nComplete requests: 5\n",
			   PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 2, 1, "requests",
			   "before the 'Document Path:' line");
	expect_input_error("This is ApacheBench, Version 2.3\nServer Hostname: h\nServer Port: 80\n"
			   "Document Path: /\nComplete requests: 5.5\n",
			   PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 5, 20, "requests",
			   "expected a count");
	expect_input_error("This is ApacheBench, Version 2.3\nServer Hostname: h\nServer Port: 80\n"
			   "Document Path: /\nComplete requests: 5\nTotal: 1 2 nan 3 4\n",
			   PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 6, 12, "latency_stddev",
			   "expected a number, found 'nan'");
	expect_input_error("This is ApacheBench, Version 2.3\nServer Hostname: h\nServer Port: 80\n"
			   "Document Path: /\nSomething else: 5\n",
			   PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 5, 1, NULL,
			   "not a line of an ab report");
	expect_input_error("This is ApacheBench, Version 2.3\nServer Hostname: h\n",
			   PERFDB_FORMAT_AB, "ab.txt", PERFDB_EINPUT, 3, 1, NULL,
			   "no 'Complete requests:' line");
	expect_input_error("Percentage served,Time in ms\n0,1.5\n50,2\n50,3\n", PERFDB_FORMAT_AUTO,
			   "ab.csv", PERFDB_EINPUT, 4, 1, "Percentage served",
			   "out of order or repeated");
	expect_input_error("Percentage served,Time in ms\n0,1.5\n50,x\n", PERFDB_FORMAT_AUTO,
			   "ab.csv", PERFDB_EINPUT, 3, 4, "Time in ms", "expected a number");
	expect_input_error("starttime\tseconds\tctime\tdtime\tttime\twait\n"
			   "Sun Dec 06 01:41:18 2026\t1796521278\t0\t1\t-nan\t1\n",
			   PERFDB_FORMAT_AUTO, "ab.tsv", PERFDB_EINPUT, 2, 41, "ttime",
			   "expected a number");
}

/* The load tools' text readers (ab, hey, wrk, Locust) refuse a NUL byte
 * where it is: names and fields are C strings, which it would cut short.
 * Each file of tests/data with a NUL put into its middle line. */
static void test_ingest_ab__nul_in_load_tool_text(void **state)
{
	static const struct {
		const char *file;
		perfdb_format fmt;
	} files[] = {
	    {PERFDB_TEST_DATA "/ab/ab_basic.txt", PERFDB_FORMAT_AB},
	    {PERFDB_TEST_DATA "/ab/ab_gnuplot.tsv", PERFDB_FORMAT_AB},
	    {PERFDB_TEST_DATA "/hey/hey_basic.txt", PERFDB_FORMAT_HEY},
	    {PERFDB_TEST_DATA "/hey/hey_csv.csv", PERFDB_FORMAT_HEY},
	    {PERFDB_TEST_DATA "/wrk/wrk_latency.txt", PERFDB_FORMAT_WRK},
	    {PERFDB_TEST_DATA "/locust/locust_stats.csv", PERFDB_FORMAT_LOCUST},
	};
	size_t k, len, at, lines, i;
	(void)state;
	for (k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		char *t = slurp_file(files[k].file, &len), *nul;
		perfdb_resultset *rs;
		const perfdb_error *e;
		int line = 1, column = 1;
		for (i = 0, lines = 0; i < len; i++)
			lines += t[i] == '\n';
		/* the middle line's third byte */
		for (i = 0, at = 0; at < lines / 2; i++)
			at += t[i] == '\n';
		nul = t + i + 2;
		*nul = '\0';
		line_col_at(t, nul, &line, &column);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest_buffer(rs, t, len, "nul", files[k].fmt),
				 PERFDB_EINPUT);
		e = perfdb_error_last();
		if (e->line != line)
			print_message("%s: %s\n", files[k].file, e->message);
		assert_int_equal(e->line, line);
		assert_true(e->column >= 1 && e->column <= column);
		assert_non_null(strstr(e->message, "NUL byte in the input"));
		assert_int_equal(perfdb_resultset_count(rs), 0);
		perfdb_resultset_free(rs);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_ab__text_report),
	    cmocka_unit_test(test_ingest_ab__nul_in_load_tool_text),
	    cmocka_unit_test(test_ingest_ab__non_2xx),
	    cmocka_unit_test(test_ingest_ab__percentile_csv),
	    cmocka_unit_test(test_ingest_ab__gnuplot_tsv),
	    cmocka_unit_test(test_ingest_ab__detect),
	    cmocka_unit_test(test_ingest_ab__refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
