/*
 * The Locust reader on real Locust 2.12.1 --csv files (tests/data/locust, see
 * tests/data/README) and small inputs in Locust 1.x's layout. The expected
 * numbers are read from the committed files here (split at commas: these
 * fixtures quote nothing), independently of the reader.
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
#include "resultset_text.h"
#include "ingest_same.h"
#include "sink_collect.h"
#include "text_variants.h"
#include "locust_same.h"

#define DATA PERFDB_TEST_DATA "/locust/"

/* The rows of a simple CSV file: fields[r][c], CRs dropped. */
typedef struct table {
	char *text;
	char *cell[64][32];
	int rows, cols;
} table;

static void load_table(table *t, const char *path)
{
	size_t len;
	char *p, *line;
	t->text = slurp_file(path, &len);
	t->rows = 0;
	for (p = t->text; (line = strsep(&p, "\n")) != NULL;) {
		char *f;
		int c = 0;
		size_t n = strlen(line);
		while (n && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n)
			continue;
		assert_true(t->rows < 64);
		while ((f = strsep(&line, ",")) != NULL) {
			assert_true(c < 32);
			t->cell[t->rows][c++] = f;
		}
		if (t->rows == 0)
			t->cols = c;
		assert_int_equal(c, t->cols);
		t->rows++;
	}
}

static int col(const table *t, const char *name)
{
	int c;
	for (c = 0; c < t->cols; c++)
		if (strcmp(t->cell[0][c], name) == 0)
			return c;
	fail_msg("no column %s", name);
	return -1;
}

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

static void test_ingest_locust__stats(void **state)
{
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__locust, DATA "locust_stats.csv", 0);
	table t;
	int r, c, n = 0;
	(void)state;
	load_table(&t, DATA "locust_stats.csv");
	assert_int_equal(t.rows, 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "locust");
	for (r = 1; r < t.rows; r++) {
		char bench[256];
		const char *type = t.cell[r][col(&t, "Type")];
		double req = atof(t.cell[r][col(&t, "Request Count")]);
		double fail = atof(t.cell[r][col(&t, "Failure Count")]);
		snprintf(bench, sizeof(bench), "%s%s%s", type, *type ? " " : "",
			 t.cell[r][col(&t, "Name")]);
		expect(rs, bench, "requests", "", H, req);
		expect(rs, bench, "failures", "", L, fail);
		expect(rs, bench, "error_rate", "%", L, 100 * fail / req);
		expect(rs, bench, "throughput", "req/s", H, atof(t.cell[r][col(&t, "Requests/s")]));
		expect(rs, bench, "latency_median", "ns", L,
		       atof(t.cell[r][col(&t, "Median Response Time")]) * 1e6);
		expect(rs, bench, "latency_mean", "ns", L,
		       atof(t.cell[r][col(&t, "Average Response Time")]) * 1e6);
		expect(rs, bench, "latency_min", "ns", L,
		       atof(t.cell[r][col(&t, "Min Response Time")]) * 1e6);
		expect(rs, bench, "latency_max", "ns", L,
		       atof(t.cell[r][col(&t, "Max Response Time")]) * 1e6);
		n += 8;
		for (c = 0; c < t.cols; c++) {
			char metric[64];
			size_t k = strlen(t.cell[0][c]);
			if (t.cell[0][c][k - 1] != '%')
				continue;
			snprintf(metric, sizeof(metric), "latency_p%.*s", (int)(k - 1),
				 t.cell[0][c]);
			expect(rs, bench, metric, "ns", L, atof(t.cell[r][c]) * 1e6);
			n++;
		}
	}
	assert_non_null(lookup_result(rs, "GET /missing [404]", "latency_p99.9"));
	assert_non_null(lookup_result(rs, "Aggregated", "latency_p100"));
	assert_int_equal(perfdb_resultset_count(rs), n);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	free(t.text);
	perfdb_resultset_free(rs);
}

static void test_ingest_locust__full_history(void **state)
{
	static const char *const cols[] = {"Requests/s", "50%", "95%", "99%"};
	static const char *const metrics[] = {"throughput_over_time", "latency_p50_over_time",
					      "latency_p95_over_time", "latency_p99_over_time"};
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__locust, DATA "locust_full_stats_history.csv", 0);
	static const char *const benches[] = {"Aggregated", "GET /", "GET /missing [404]"};
	table t;
	int b, k, r;
	(void)state;
	load_table(&t, DATA "locust_full_stats_history.csv");
	for (b = 0; b < 3; b++)
		for (k = 0; k < 4; k++) {
			const perfdb_result *res = find_result(rs, benches[b], metrics[k]);
			size_t i = 0;
			assert_string_equal(res->unit, k ? "ns" : "req/s");
			assert_int_equal(res->direction, k ? L : H);
			for (r = 1; r < t.rows; r++) {
				char bench[256];
				const char *type = t.cell[r][col(&t, "Type")];
				const char *v = t.cell[r][col(&t, cols[k])];
				snprintf(bench, sizeof(bench), "%s%s%s", type, *type ? " " : "",
					 t.cell[r][col(&t, "Name")]);
				if (strcmp(bench, benches[b]) != 0 || strcmp(v, "N/A") == 0)
					continue;
				assert_true(i < res->nsamples);
				assert_near(res->samples[i], atof(v) * (k ? 1e6 : 1), 1e-6);
				i++;
			}
			assert_int_equal(i, res->nsamples);
			assert_true(i >= 10);
		}
	assert_int_equal(perfdb_resultset_count(rs), 12);
	/* the first row is Aggregated before any request: N/A */
	assert_true(has_warning(rs, "locust_full_stats_history.csv:2:1: 1 row with N/A", NULL));
	free(t.text);
	perfdb_resultset_free(rs);
}

static void test_ingest_locust__history_cut_short(void **state)
{
	/* Locust writes the history every 10 s and lost the rest at exit: one
	 * row, before any request */
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__locust, DATA "locust_one_row_stats_history.csv", 0);
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 1);
	expect(rs, "Aggregated", "throughput_over_time", "req/s", H, 0);
	assert_true(has_warning(rs, "'Aggregated' has no 50% value", "not recorded"));
	perfdb_resultset_free(rs);
}

static void test_ingest_locust__locust1_layout(void **state)
{
	/* Locust 1.x on Windows: CR CR LF line ends, quoted history, 99.999% */
	static const char stats[] =
	    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
	    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,"
	    "99.999%,100%\r\r\n"
	    "GET,\"/a,b\",15,3,50,39.5,9.9,88.25,7382.0,6.08,0.0,50,88,88\r\r\n"
	    ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A\r\r\n";
	static const char history[] =
	    "\"Timestamp\",\"User Count\",\"Type\",\"Name\",\"Requests/s\",\"Failures/s\","
	    "\"50%\",\"95%\",\"99%\",\"100%\"\n"
	    "\"1597569274\",\"1\",\"\",\"Aggregated\",0.00,0.00,\"N/A\",\"N/A\",\"N/A\",\"N/A\"\n"
	    "\"1597569276\",\"10\",\"\",\"Aggregated\",2.50,0.00,50,52,53,54\n"
	    "\"1597569277\",\"0\",\"\",\"Aggregated\",1.50,0.00,11,49,50,51\n";
	perfdb_resultset *rs = ingest_ok(stats, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	expect(rs, "GET /a,b", "requests", "", H, 15);
	expect(rs, "GET /a,b", "error_rate", "%", L, 20);
	expect(rs, "GET /a,b", "latency_p99.999", "ns", L, 88e6);
	expect(rs, "GET /a,b", "latency_max", "ns", L, 88.25e6);
	expect(rs, "Aggregated", "requests", "", H, 0);
	assert_null(lookup_result(rs, "Aggregated", "latency_p50"));
	assert_null(lookup_result(rs, "Aggregated", "error_rate"));
	assert_true(has_warning(rs, "ok:3:1: 'Aggregated' made no request", NULL));
	perfdb_resultset_free(rs);

	rs = ingest_ok(history, PERFDB_FORMAT_AUTO);
	r = find_result(rs, "Aggregated", "throughput_over_time");
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[1], 2.5, 0);
	r = find_result(rs, "Aggregated", "latency_p99_over_time");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[0], 53e6, 0);
	assert_near(r->samples[1], 50e6, 0);
	perfdb_resultset_free(rs);
}

/* A history of many requests: each request's rows found by name (an index,
 * not a scan of every name per row), interleaved rows grouped, in the order
 * first seen; every sample kept. */
static void test_ingest_locust__history_of_many_requests(void **state)
{
	static const char header[] =
	    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,"
	    "99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median "
	    "Response Time,Total Average Response Time,Total Min Response Time,Total Max "
	    "Response Time,Total Average Content Size\n";
	size_t cap = 6000 * 80 + sizeof(header), n, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", header);
	/* 5,000 requests of one row, and /x on every 1,000th row */
	for (i = 0; i < 5000; i++) {
		n +=
		    (size_t)snprintf(text + n, cap - n,
				     "%zu,1,GET,/%zu,%zu,0,%zu,1,1,1,1,2,1,3,1,1,1,1,0,1,1,1,1,1\n",
				     i, i, i + 1, i + 2);
		if (i % 1000 == 0)
			n += (size_t)snprintf(
			    text + n, cap - n,
			    "%zu,1,GET,/x,%zu,0,1,1,1,1,1,N/A,1,4,1,1,1,1,0,1,1,1,1,1\n", i, i);
	}
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(
	    perfdb_ingest_buffer(rs, text, n, "h_stats_history.csv", PERFDB_FORMAT_LOCUST), 0);
	/* 4 metrics for each of 5,001 requests, but /x's p95 (N/A throughout) */
	assert_int_equal(perfdb_resultset_count(rs), 5001 * 4 - 1);
	r = perfdb_resultset_get(rs, 4); /* /x, first seen on the second row */
	assert_string_equal(r->benchmark, "GET /x");
	assert_string_equal(r->metric, "throughput_over_time");
	assert_int_equal(r->nsamples, 5);
	assert_true(r->samples[4] == 4000);
	r = perfdb_resultset_get(rs, 6); /* its p95: N/A throughout, not recorded */
	assert_string_equal(r->metric, "latency_p99_over_time");
	r = perfdb_resultset_get(rs, perfdb_resultset_count(rs) - 4);
	assert_string_equal(r->benchmark, "GET /4999");
	assert_int_equal(r->nsamples, 1);
	assert_true(r->samples[0] == 5000);
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_locust__refused(void **state)
{
	size_t len;
	char *t = slurp_file(DATA "locust_failures.csv", &len);
	(void)state;
	expect_input_error(t, PERFDB_FORMAT_AUTO, "f.csv", PERFDB_EINPUT, 1, 1, NULL,
			   "holds no measurements");
	free(t);
	/* "GET,<GBK bytes>" as Locust 1.x on a Chinese Windows wrote it */
	expect_input_error("Type,Name,Request Count,Failure Count,Median Response Time,Average "
			   "Response Time,Min Response Time,Max Response Time,Requests/s,50%\n"
			   "GET,get\xbd\xd3\xbf\xda,1,0,1,1,1,1,1,1\n",
			   PERFDB_FORMAT_AUTO, "s.csv", PERFDB_EINPUT, 2, 8, "Name",
			   "the request name is not UTF-8 (byte 0xBD");
	expect_input_error("Type,Name,Request Count,Failure Count,Median Response Time,Average "
			   "Response Time,Min Response Time,Max Response Time,Requests/s,50%\n"
			   "GET,/,1,0,1,-nan,1,1,1,1\n",
			   PERFDB_FORMAT_AUTO, "s.csv", PERFDB_EINPUT, 2, 13,
			   "Average Response Time", "expected a number or N/A, found '-nan'");
	expect_input_error("Type,Name,Request Count,Failure Count,Median Response Time,Average "
			   "Response Time,Min Response Time,Max Response Time,Requests/s,50%\n"
			   "GET,/,1,0,1\n",
			   PERFDB_FORMAT_AUTO, "s.csv", PERFDB_EINPUT, 2, 1, NULL,
			   "this row has 5 fields, the header 10");
	expect_input_error("Type,Name,Request Count\nGET,/,1\n", PERFDB_FORMAT_LOCUST, "s.csv",
			   PERFDB_EINPUT, 1, 1, "Failure Count", "no 'Failure Count' column");
	expect_input_error("Timestamp,User Count,Type,Name,Requests/s,50%,95%,99%\n"
			   "1,1,GET,\"/x,1,1,1,1\n",
			   PERFDB_FORMAT_AUTO, "h.csv", PERFDB_EINPUT, 2, 9, NULL,
			   "a quoted field is not closed");
}

/*
 * A _stats.csv of many requests: a value's (request, metric) is looked for
 * among the earlier results only when its fingerprint was seen before
 * (perfdb_load__pairs_begin; 5,000 requests took 26 s, 20,000 more than five
 * minutes). A request given twice is still
 * refused at its second row, wherever it is, and so is a percentile that the
 * header names twice, within one row.
 */
static void test_ingest_locust__stats_of_many_requests(void **state)
{
	static const char head[] = "Type,Name,Request Count,Failure Count,Median Response Time,"
				   "Average Response Time,Min Response Time,Max Response Time,"
				   "Requests/s,50%,99%\n";
	size_t cap = 30000 * 64 + sizeof(head), n, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", head);
	for (i = 0; i < 30000; i++)
		n += (size_t)snprintf(text + n, cap - n, "GET,/p%zu,%zu,0,4,6.5,1,58,38.9,4,39\n",
				      i, i + 1);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, n, "s.csv", PERFDB_FORMAT_LOCUST), 0);
	/* requests, failures, throughput, error_rate, 4 latencies, p50, p99 */
	assert_int_equal(perfdb_resultset_count(rs), 30000 * 10);
	r = perfdb_resultset_get(rs, 29999 * 10);
	assert_string_equal(r->benchmark, "GET /p29999");
	assert_string_equal(r->metric, "requests");
	assert_near(r->value, 30000, 0);
	perfdb_resultset_free(rs);
	/* /p7 again at the end: refused on its row (line 30,002) */
	n += (size_t)snprintf(text + n, cap - n, "GET,/p7,1,0,4,6.5,1,58,38.9,4,39\n");
	expect_input_error(text, PERFDB_FORMAT_LOCUST, "s.csv", PERFDB_EINPUT, 30002, 9, "requests",
			   "'requests' of 'GET /p7' is given a second time");
	expect_input_error("Type,Name,Request Count,Failure Count,Median Response Time,Average "
			   "Response Time,Min Response Time,Max Response Time,Requests/s,50%,50%\n"
			   "GET,/,1,0,1,1,1,1,1,1,2\n",
			   PERFDB_FORMAT_LOCUST, "s.csv", PERFDB_EINPUT, 2, 23, "latency_p50",
			   "'latency_p50' of 'GET /' is given a second time");
	free(text);
}

/* A history of what the passes must get right: requests of one row beside
 * requests whose rows are far apart, the Aggregated row (no type), a name
 * quoted with a comma and a doubled quote, one type and name pair that only
 * differ in type, N/A rows, a request with a column N/A throughout, a CRLF
 * and a blank line, a UTF-8 name. */
static const char history_shapes[] =
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,95%,99%,100%\n"
    "1,0,,Aggregated,0,0,N/A,N/A,N/A,N/A,N/A,N/A\n"
    "2,1,GET,/a,1.5,0,10,11,12,13,14,15\n"
    "2,1,GET,/one,2,0,20,21,22,23,24,25\n"
    "2,1,POST,/a,3,0,30,31,32,33,34,35\r\n"
    "2,1,GET,\"/q,\"\"x\"\"\",4,0,40,41,42,N/A,44,45\n"
    "\n"
    "3,1,GET,/caf\xc3\xa9,5,0,50,51,52,53,54,55\n"
    "3,1,GET,/a,6,0,60,61,62,63,64,65\n"
    "3,1,GET,/two,7,0,N/A,71,72,73,74,75\n"
    "4,1,GET,\"/q,\"\"x\"\"\",8,0,80,81,82,N/A,84,85\n"
    "4,1,,Aggregated,9,0,90,91,92,93,94,95\n"
    "5,1,GET,/a,10,0,100,101,102,103,104,105\n";

static size_t variants_ok; /* variants read without an error */

static void same_variants(const char *path)
{
	variants_ok += locust_same_variants(path);
}

/* Every Locust file of tests/data, and history_shapes, with their variants
 * (cut at every line, every line twice): the same results, warnings and
 * errors with every request held and in passes. */
static void test_ingest_locust__same_held_and_passes(void **state)
{
	char path[] = "/tmp/perfdb-locust-XXXXXX";
	(void)state;
	assert_int_equal(same_under(DATA, ".csv", same_variants), 4);
	write_temp(path, history_shapes, sizeof(history_shapes) - 1);
	same_variants(path);
	unlink(path);
	print_message("%zu variants read without an error\n", variants_ok);
	assert_true(variants_ok > 40);
}

/* A file of many requests whose rows are all apart, an error on its last
 * row, or an error on its first: the first error in file order, both ways,
 * and no result handed on before it. */
static void test_ingest_locust__error_after_many_rows(void **state)
{
	static const char header[] = "Timestamp,User Count,Type,Name,Requests/s,50%,95%,99%\n";
	size_t cap = 3000 * 40 + 200, n, i;
	char *text = malloc(cap);
	sink_collect c;
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", header);
	for (i = 0; i < 3000; i++)
		n += (size_t)snprintf(text + n, cap - n, "%zu,1,GET,/%zu,1,2,3,4\n", i, i % 1500);
	n += (size_t)snprintf(text + n, cap - n, "9,1,GET,/last,1,2,-3,4\n");
	locust_same_held_and_passes(text, n, PERFDB_FORMAT_LOCUST);
	rs = sink_collect_begin(&c, 1);
	assert_int_equal(perfdb_ingest__locust_as(rs, text, n, "h.csv", PERFDB_LOCUST_PASSES),
			 PERFDB_EINPUT);
	assert_int_equal(c.writes, 0);
	assert_non_null(strstr(perfdb_error_last()->message, "h.csv:3002:"));
	assert_non_null(strstr(perfdb_error_last()->message, "found '-3'"));
	free(sink_collect_end(&c, rs, PERFDB_EINPUT));
	free(text);
}

/* 50,000 requests of one row each: their results go to the sink as they are
 * made, a batch of 1,000 at a time, and what the reader holds beside the
 * text at a batch is a small part of it (every request held to the end took
 * several times the text). */
static void test_ingest_locust__history_to_the_sink(void **state)
{
	static const char header[] = "Timestamp,User Count,Type,Name,Requests/s,50%,95%,99%\n";
	size_t cap = 50000 * 48 + 100, n, i, before;
	char *text = malloc(cap);
	sink_seen seen = {0, 0, 0, NULL};
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", header);
	for (i = 0; i < 50000; i++)
		n += (size_t)snprintf(text + n, cap - n, "%zu,1,GET,/api/item/%zu,1,2,3,4\n", i, i);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1000);
	before = heap_in_use();
	assert_int_equal(perfdb_ingest__locust(rs, text, n, "h_stats_history.csv"), 0);
	assert_int_equal(seen.batches, 200);
	assert_int_equal(seen.results + perfdb_resultset_count(rs), 200000);
	print_message("heap in use at a batch: %zu bytes more than before, the text %zu\n",
		      seen.most_in_use - before, n);
	if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
		assert_true(seen.most_in_use - before < n / 2);
	perfdb_resultset_free(rs);
	free(text);
}

/* n requests of a history (two rows each, 1,000 rows apart: every name
 * repeats) or of a _stats.csv, written to a temporary file at path; its
 * size. */
static size_t write_requests(char *path, bool history, size_t n)
{
	static const char history_header[] =
	    "Timestamp,User Count,Type,Name,Requests/s,50%,95%,99%\n",
			  stats_header[] =
			      "Type,Name,Request Count,Failure Count,Median Response Time,"
			      "Average Response Time,Min Response Time,Max Response Time,"
			      "Average Content Size,Requests/s,Failures/s,50%,95%,99%,100%\n";
	size_t cap = n * 160 + 200, len, i;
	char *text = malloc(cap);
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", history ? history_header : stats_header);
	for (i = 0; i < (history ? 2 * n : n); i++)
		len +=
		    (size_t)(history ? snprintf(text + len, cap - len,
						"%zu,1,GET,/api/item/%zu,%zu.5,2,3,4\n", i,
						i / 2000 * 1000 + i % 1000, i % 7)
				     : snprintf(text + len, cap - len,
						"GET,/api/item/%zu,%zu,0,5,6.2,1,40,100,%zu.5,0.0,"
						"5,6,7,8\n",
						i, 10 + i % 7, i % 97));
	write_temp(path, text, len);
	free(text);
	return len;
}

/* A Locust file read by name is read through a window, never whole, and its
 * results go to the sink as they are made: 100,000 requests of two rows
 * each (whose places are held, 32 bytes a request, beside a window of
 * 1 MiB), a _stats.csv of 100,000 requests (nothing held a request). Read
 * whole, the text was held with each request's name and values (3.3 times
 * the text in all), or with every result of the _stats.csv (12 a row). */
static void test_ingest_locust__by_name_to_the_sink(void **state)
{
	size_t k;
	(void)state;
	for (k = 0; k < 2; k++) {
		char path[] = "/tmp/perfdb-locust-XXXXXX";
		size_t len = write_requests(path, k == 0, 100000), before;
		sink_seen seen = {0, 0, 0, NULL};
		perfdb_resultset *rs;
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1000);
		before = heap_in_use();
		assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
		/* history: 4 results a request; stats: 12 */
		assert_int_equal(seen.results + perfdb_resultset_count(rs), k ? 1200000 : 400000);
		assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "locust");
		print_message("%s: heap in use at a batch: %zu bytes more than before, the file "
			      "%zu\n",
			      k ? "stats" : "history", seen.most_in_use - before, len);
		if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
			assert_true(seen.most_in_use - before < (k ? len / 2 : len));
		perfdb_resultset_free(rs);
		unlink(path);
	}
}

/* A file cut while it is read: an error, not results of two files. */
static void test_ingest_locust__changed_while_read(void **state)
{
	size_t k;
	(void)state;
	for (k = 0; k < 2; k++) {
		char path[] = "/tmp/perfdb-locust-XXXXXX", want[200];
		sink_seen seen = {0, 0, 0, path};
		perfdb_resultset *rs;
		write_requests(path, k == 0, 20000);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 100);
		assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_LOCUST), PERFDB_EIO);
		snprintf(want, sizeof(want), "cannot read '%s': it changed while it was read",
			 path);
		assert_string_equal(perfdb_error_last()->message, want);
		perfdb_resultset_free(rs);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_locust__stats),
	    cmocka_unit_test(test_ingest_locust__by_name_to_the_sink),
	    cmocka_unit_test(test_ingest_locust__changed_while_read),
	    cmocka_unit_test(test_ingest_locust__full_history),
	    cmocka_unit_test(test_ingest_locust__history_cut_short),
	    cmocka_unit_test(test_ingest_locust__locust1_layout),
	    cmocka_unit_test(test_ingest_locust__refused),
	    cmocka_unit_test(test_ingest_locust__stats_of_many_requests),
	    cmocka_unit_test(test_ingest_locust__history_of_many_requests),
	    cmocka_unit_test(test_ingest_locust__same_held_and_passes),
	    cmocka_unit_test(test_ingest_locust__error_after_many_rows),
	    cmocka_unit_test(test_ingest_locust__history_to_the_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
