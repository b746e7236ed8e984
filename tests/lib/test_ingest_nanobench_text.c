/*
 * The nanobench console-table and CSV readers on hand-made documents in the
 * layouts of nanobench 4.x (tests/data/nanobench, see tests/data/README; the
 * real outputs of the corpus are covered by the acceptance suite).
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

#define DATA PERFDB_TEST_DATA "/nanobench/"

static perfdb_resultset *ingest_file(const char *file, perfdb_format fmt)
{
	perfdb_resultset *rs;
	size_t len;
	char *t = slurp_file(file, &len);
	assert_int_equal(perfdb_ingest_detect(t, len), fmt);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	if (perfdb_ingest_buffer(rs, t, len, "f", PERFDB_FORMAT_AUTO))
		print_message("%s\n", perfdb_error_last()->message);
	assert_int_equal(perfdb_resultset_count(rs) > 0, 1);
	free(t);
	return rs;
}

static void test_ingest_nanobench_text__console(void **state)
{
	perfdb_resultset *rs = ingest_file(DATA "console.txt", PERFDB_FORMAT_NANOBENCH_CONSOLE);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "random engines / std::mt19937_64", "time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 25.44, 1e-12);
	assert_int_equal(r->nsamples, 0);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "instructions")->value,
		    125.99, 1e-12);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "cpucycles")->value, 81.25,
		    1e-12);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "branches")->value, 16.76,
		    1e-12);
	assert_string_equal(find_result(rs, "random engines / std::mt19937_64", "branches")->unit,
			    "");
	/* unstable: recorded, with a warning at the name */
	assert_near(find_result(rs, "random engines / std::knuth_b", "time")->value, 31.90, 1e-12);
	assert_near(find_result(rs, "random engines / std::knuth_b", "instructions")->value, 170.01,
		    1e-12);
	assert_near(find_result(rs, "random engines / std::knuth_b", "cpucycles")->value, 101.50,
		    1e-12);
	assert_near(find_result(rs, "random engines / std::knuth_b", "branches")->value, 28.00,
		    1e-12);
	/* ms per insert (timeUnit), thousands separators in complexityN */
	r = find_result(rs, "set insert / n=10", "time");
	assert_string_equal(r->unit, "ns"); /* stored in ns */
	assert_near(r->value, 33, 1e-9);
	assert_near(find_result(rs, "set insert / n=1000", "time")->value, 60550, 1e-9);
	assert_null(lookup_result(rs, "set insert / n=1000", "instructions"));
	/* :boom: is warned about and not recorded; the complexity fit is no result */
	assert_null(lookup_result(rs, "random engines / empty loop", "time"));
	assert_int_equal(perfdb_resultset_count(rs), 10);
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	assert_non_null(strstr(perfdb_resultset_warning(rs, 0),
			       "f:10:152: benchmark 'random engines / std::knuth_b' is marked "
			       "unstable (Unstable with ~38.2 iters."));
	assert_non_null(strstr(perfdb_resultset_warning(rs, 1),
			       "f:11:152: benchmark 'random engines / empty loop' (iterations "
			       "overflow. Maybe your code got optimized away?); not recorded"));
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "nanobench");
	perfdb_resultset_free(rs);
}

static void test_ingest_nanobench_text__csv(void **state)
{
	perfdb_resultset *rs = ingest_file(DATA "render.csv", PERFDB_FORMAT_NANOBENCH_CSV);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "random engines / std::mt19937_64", "time");
	assert_string_equal(r->unit, "ns"); /* seconds, stored in ns */
	assert_near(r->value, 25, 1e-9);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "instructions")->value,
		    125.5, 0);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "branches")->value, 16.75,
		    0);
	assert_near(find_result(rs, "random engines / std::mt19937_64", "branchmisses")->value, 0.5,
		    0);
	/* per unit: elapsed / batch; counters all 0 (no perf_event_open): not recorded */
	r = find_result(rs, "set insert / n=\"10\"", "time");
	assert_near(r->value, 35, 1e-9);
	assert_null(lookup_result(rs, "set insert / n=\"10\"", "instructions"));
	assert_int_equal(perfdb_resultset_count(rs), 5);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	perfdb_resultset_free(rs);
}

#define CSV_HEADER "\"title\";\"name\";\"unit\";\"batch\";\"elapsed\"\n"

/* nanobench CSV that is refused: the text, where, and what the message says. */
static const struct {
	const char *text;
	int line, column;
	const char *message;
} csv_errors[] = {
    {CSV_HEADER "\"t\";\"n\";\"op\";0;1e-9\n", 2, 14, "batch size of at least 1"},
    {CSV_HEADER "\"t\";\"n\";\"op\";1;nan\n", 2, 16, "expected a time in seconds"},
    {CSV_HEADER "\"t\";\"n\";\"op\";1\n", 2, 1, "as many fields as the header"},
    {CSV_HEADER "\"t;\"n\";\"op\";1;1\n", 2, 5, "expected ';' after a quoted field"},
    {CSV_HEADER "\"t\";\"n\";\"op\";1;1e-9\n\"t\";\"m\";\"op\";1;1e-9\nt;\"n\";op;1;2e-9\n", 4, 1,
     "'t / n' is also on line 2"},
    {CSV_HEADER "\"t\";\"n;1;1\n", 2, 5, "unterminated quoted field"},
    {CSV_HEADER "a;b;c;d;e;f;g;h;i;j;k;l;m;n;o;p;q;r;s;t;u;v;w;x;y;z;0;1;2;3;4;5;6\n", 2, 65,
     "too many fields"},
};

static void test_ingest_nanobench_text__refused(void **state)
{
	size_t i;
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_format_parse(&f, "nanobench-console"), 0);
	assert_int_equal(f, PERFDB_FORMAT_NANOBENCH_CONSOLE);
	assert_int_equal(perfdb_format_parse(&f, "nanobench-csv"), 0);
	assert_int_equal(f, PERFDB_FORMAT_NANOBENCH_CSV);
	expect_input_error("| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5x |    2 | 1.0% |  0.01 | `a`\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 3, 4, NULL,
			   "expected a time per unit");
	expect_input_error("| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5 |    2 | 1.0% |  0.01 | a\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 3, 32, NULL,
			   "expected the benchmark's name in backquotes");
	expect_input_error("| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5 |    2 | 1.0% | `a`\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 3, 1, NULL,
			   "as many cells as the table's header");
	expect_input_error("| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5 |    2 | 1.0% |  0.01 | `a`\n"
			   "|  1.6 |    2 | 1.0% |  0.01 | `a`\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 4, 33, NULL,
			   "'t / a' is also on line 3");
	expect_input_error("| relative | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n",
			   PERFDB_FORMAT_NANOBENCH_CONSOLE, "c.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "time per unit column");
	expect_input_error("hello\n", PERFDB_FORMAT_NANOBENCH_CONSOLE, "c.txt", PERFDB_EINPUT, 1, 1,
			   NULL, "no nanobench table");
	for (i = 0; i < sizeof(csv_errors) / sizeof(csv_errors[0]); i++)
		expect_input_error(csv_errors[i].text, PERFDB_FORMAT_AUTO, "n.csv", PERFDB_EINPUT,
				   csv_errors[i].line, csv_errors[i].column, NULL,
				   csv_errors[i].message);
	expect_input_error("\"title\";\"name\"\n\"t\";\"n\"\n", PERFDB_FORMAT_NANOBENCH_CSV,
			   "n.csv", PERFDB_EINPUT, 1, 1, NULL, "a \"unit\" column");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_nanobench_text__console),
	    cmocka_unit_test(test_ingest_nanobench_text__csv),
	    cmocka_unit_test(test_ingest_nanobench_text__refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
