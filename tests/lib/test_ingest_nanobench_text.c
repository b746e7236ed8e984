/*
 * The nanobench console-table and CSV readers on hand-made documents in the
 * layouts of nanobench 4.x (tests/data/nanobench, see tests/data/README; the
 * real outputs of the corpus are covered by the acceptance suite), and on
 * big generated ones: a name seen twice is found on any line, a file is read
 * the same whole and with its results handed on as made (text_variants.h).
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

/* A generated file of `rows` rows (console or CSV), row `dup_of` (a data
 * row's number from 0, or -1) written again before row `again`. */
static char *generated(bool csv, long rows, long dup_of, long again, size_t *len)
{
	size_t cap = (size_t)rows * 128 + 512, n = 0;
	char *s = malloc(cap), row[128];
	long i;
	assert_non_null(s);
	n += (size_t)snprintf(s, cap, "%s",
			      csv ? "\"title\";\"name\";\"unit\";\"batch\";\"elapsed\";\"error %\";"
				    "\"instructions\";\"branches\";\"branch misses\";\"total\"\n"
				  : "| relative | ns/op | op/s | err% | total | gen\n"
				    "|---:|---:|---:|---:|---:|:--\n");
	for (i = 0; i < rows; i++) {
		int k;
		for (k = 0; k < 2; k++) {
			long r = k == 1 ? i : dup_of;
			if (k == 0 && i != again)
				continue;
			if (csv)
				snprintf(
				    row, sizeof(row),
				    "\"gen\";\"case %ld\";\"op\";%ld;%ld.5e-08;0.02;%s;16.75;0.5;"
				    "0.0002\n",
				    r, 1 + r % 3, 1 + r % 9, r % 2 ? "0" : "125.5");
			else
				snprintf(
				    row, sizeof(row),
				    "| %ld.0%% | %ld.25 | 1,000.5 | 0.%ld%% | 0.01 | `case %ld`\n",
				    50 + r % 50, 20 + r % 70, r % 10, r);
			memcpy(s + n, row, strlen(row));
			n += strlen(row);
		}
	}
	s[n] = '\0';
	*len = n;
	return s;
}

/* The data rows start on line 2 (CSV) or 3 (console): row 0 seen again at
 * line 2 (the very next row) and at line 100,000, row 50,000 at line
 * 100,000, in files of 120,000 rows. The duplicate is named with the line of
 * its first row, at the second. */
static void test_ingest_nanobench_text__duplicate_anywhere(void **state)
{
	static const struct {
		long dup_of, again;
		int line, first;
	} cases[] = {{0, 1, 3, 2}, {0, 99998, 100000, 2}, {50000, 99998, 100000, 50002}};
	char msg[128];
	size_t i, len;
	int csv;
	(void)state;
	for (csv = 0; csv < 2; csv++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			int line = cases[i].line + !csv, first = cases[i].first + !csv;
			char *t = generated(csv, 120000, cases[i].dup_of, cases[i].again, &len);
			snprintf(msg, sizeof(msg), "'gen / case %ld' is also on line %d",
				 cases[i].dup_of, first);
			expect_input_error(
			    t, csv ? PERFDB_FORMAT_NANOBENCH_CSV : PERFDB_FORMAT_NANOBENCH_CONSOLE,
			    "g", PERFDB_EINPUT, line, csv ? 1 : 44, NULL, msg);
			free(t);
		}
	/* and without a duplicate, every row read, whole and as made */
	for (csv = 0; csv < 2; csv++) {
		perfdb_resultset *rs;
		char *t = generated(csv, 120000, -1, -1, &len);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest_buffer(rs, t, len, "g",
						      csv ? PERFDB_FORMAT_NANOBENCH_CSV
							  : PERFDB_FORMAT_NANOBENCH_CONSOLE),
				 0);
		assert_int_equal(perfdb_resultset_count(rs), csv ? 120000 * 4 : 120000);
		assert_string_equal(perfdb_resultset_get(rs, 119999 * (csv ? 4 : 1))->benchmark,
				    "gen / case 119999");
		perfdb_resultset_free(rs);
		same_as_made_text(
		    t, len, csv ? PERFDB_FORMAT_NANOBENCH_CSV : PERFDB_FORMAT_NANOBENCH_CONSOLE);
		free(t);
	}
}

/* A name is the same however nanobench's CSV quotes it, and a console name
 * is its table's title and its backquoted part: the same name in a table of
 * another title is another benchmark; in one of the same title it is not. */
static void test_ingest_nanobench_text__duplicate_names(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	expect_input_error(CSV_HEADER "\"t\";\"n=\"\"1\"\"\";\"op\";1;1e-9\n"
				      "\"t\";\"n=\"\"2\"\"\";\"op\";1;1e-9\n"
				      "t;\"n=\"\"1\"\"\";op;1;2e-9\n",
			   PERFDB_FORMAT_AUTO, "n.csv", PERFDB_EINPUT, 4, 1, NULL,
			   "'t / n=\"1\"' is also on line 2");
	expect_input_error(CSV_HEADER "\"a / b\";\"c\";\"op\";1;1e-9\n"
				      "\"a\";\"b / c\";\"op\";1;1e-9\n",
			   PERFDB_FORMAT_AUTO, "n.csv", PERFDB_EINPUT, 3, 1, NULL,
			   "'a / b / c' is also on line 2");
	rs = ingest_ok(CSV_HEADER "\"t\";\"ab\";\"op\";1;1e-9\n\"t\";\"a\";\"op\";1;1e-9\n"
				  "\"t\";\"abc\";\"op\";1;1e-9\n\"ta\";\"b\";\"op\";1;1e-9\n",
		       PERFDB_FORMAT_NANOBENCH_CSV);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_get(rs, 3)->benchmark, "ta / b");
	perfdb_resultset_free(rs);
	expect_input_error("| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5 |    2 | 1.0% |  0.01 | `a`\n\n"
			   "| ns/op | op/s | err% | total | u\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|  1.5 |    2 | 1.0% |  0.01 | `a`\n\n"
			   "| ns/op | op/s | err% | total | t\n"
			   "|------:|-----:|-----:|------:|:--\n"
			   "|    - |    - |    - |     - | :boom: `a` (overflow)\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 11, 40, NULL,
			   "'t / a' is also on line 3");
}

/* tests/data's files, and each cut at every line and with every line twice,
 * read whole and as made. A row written twice is refused as a duplicate. */
static void test_ingest_nanobench_text__same_as_made(void **state)
{
	(void)state;
	/* of console.txt's 21 lines, 11 can be written twice: not a row with
	 * a name (a duplicate), a table's header or its |---| line; of
	 * render.csv's none (its header twice is a row of no numbers) */
	assert_int_equal(same_as_made_variants(DATA "console.txt", PERFDB_FORMAT_NANOBENCH_CONSOLE),
			 11);
	assert_int_equal(same_as_made_variants(DATA "render.csv", PERFDB_FORMAT_NANOBENCH_CSV), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_nanobench_text__console),
	    cmocka_unit_test(test_ingest_nanobench_text__csv),
	    cmocka_unit_test(test_ingest_nanobench_text__refused),
	    cmocka_unit_test(test_ingest_nanobench_text__duplicate_anywhere),
	    cmocka_unit_test(test_ingest_nanobench_text__duplicate_names),
	    cmocka_unit_test(test_ingest_nanobench_text__same_as_made),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
