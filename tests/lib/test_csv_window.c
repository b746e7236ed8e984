/*
 * A CSV file read by name (lib/ingest/csv.c through a window, in three
 * passes: lib/ingest/README.md, "Big files") against the same bytes read
 * whole from a buffer: the results (and their order), warnings and
 * metadata, or the error, must be the same byte for byte, also through
 * windows of 1, 7 and 64 bytes, for every CSV in tests/data and for broken
 * variants (every truncation, bad bytes everywhere, conflicts between rows
 * 100,000 lines apart, NUL, invalid UTF-8, wide rows). And what the window
 * is for: the results go to the resultset's sink as they are read, in
 * memory far below the file's size.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"

static void same_bytes(const char *body, size_t len)
{
	char path[] = "/tmp/perfdb-csv-window-XXXXXX";
	write_temp(path, body, len);
	same_csv(path);
	unlink(path);
}

/* The error (or "ok") perfdb_ingest_file gives for body. */
static char *file_error(const char *body, size_t len)
{
	char path[] = "/tmp/perfdb-csv-window-XXXXXX", *msg;
	perfdb_resultset *rs;
	int rc;
	write_temp(path, body, len);
	same_csv(path);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, PERFDB_FORMAT_CSV);
	msg = strdup(rc ? strchr(perfdb_error_last()->message, ':') + 1 : "ok");
	perfdb_resultset_free(rs);
	unlink(path);
	return msg;
}

static void expect_error(const char *body, size_t len, const char *want)
{
	char *got = file_error(body, len);
	if (strcmp(got, want) != 0) {
		print_error("got  '%s'\nwant '%s'\n", got, want);
		fail();
	}
	free(got);
}

/* A file with something of everything: quoted fields with commas, quotes
 * and line breaks, CRLF, repeated rows (samples) among single rows,
 * statistics, directions, units, blank lines, x- columns. */
static const char mixed[] = "benchmark,metric,unit,direction,value,n,stddev,min,max,x-note\r\n"
			    "parse/small,wall_time,ms,lower_is_better,12.5,10,0.2,12.1,13.0,a\r\n"
			    "\"sort, big\",wall_time,us,,3,,,,,\"say \"\"hi\"\"\"\r\n"
			    "score,,,higher,87,,,,,\n"
			    "\r\n"
			    "\"multi\nline\",wall_time,us,,4,,,,,\n"
			    "\"sort, big\",wall_time,us,lower,5,,,,,x\n"
			    "  spaced  ,  m ,B,,  7  ,,,,,\n"
			    "\"sort, big\",wall_time,us,,6,,,,,\n"
			    "score,,,,88,,,,,\n"
			    "last,value,,,1e-3,2,,,,";

/* --- tests ------------------------------------------------------------------------------ */

static void test_csv_window__same_as_whole_tests_data(void **state)
{
	(void)state;
	assert_true(same_under(PERFDB_TEST_DATA, ".csv", same_csv) >= 3);
}

static void test_csv_window__every_truncation(void **state)
{
	size_t n;
	(void)state;
	for (n = 0; n <= sizeof(mixed) - 1; n++)
		same_bytes(mixed, n);
}

static void test_csv_window__bad_bytes_everywhere(void **state)
{
	static const char *const bad[] = {"\"", "\0",	"\xff", "\r",  ",",
					  "\n", " \"x", "\"\"", "\xc3"};
	static const size_t badlen[] = {1, 1, 1, 1, 1, 1, 3, 2, 1};
	char body[sizeof(mixed) + 8];
	size_t at, k;
	(void)state;
	for (at = 0; at < sizeof(mixed) - 1; at += 3)
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			memcpy(body, mixed, at);
			memcpy(body + at, bad[k], badlen[k]);
			memcpy(body + at + badlen[k], mixed + at, sizeof(mixed) - 1 - at);
			same_bytes(body, sizeof(mixed) - 1 + badlen[k]);
		}
}

/* 100,000 single rows between the first row of "dup" (line 2) and its
 * repetition (line 100,003), which then says `last` and after it `after`. */
static void far_apart(rs_text *t, const char *header, const char *first, const char *last,
		      const char *after)
{
	size_t i;
	t->len = 0;
	rs_text_add(t, "%s\n%s\n", header, first);
	for (i = 0; i < 100000; i++)
		rs_text_add(t, "b%zu,%zu,,,\n", i, i % 1000);
	rs_text_add(t, "%s\n%s", last, after);
}

static void test_csv_window__far_apart_conflicts(void **state)
{
	/* the first row of "dup", its repetition 100,000 rows later, the row
	 * after that, and the error */
	static const char *const cases[][4] = {
	    {"dup,1,ms,,", "dup,2,us,,", "b0,x,,,",
	     "100003:7: field 'unit': unit 'us' differs from 'ms' on line 2 for benchmark 'dup', "
	     "metric 'value'"},
	    {"dup,1,ms,higher,", "dup,2,ms,lower,", "",
	     "100003:10: field 'direction': direction 'lower' differs from line 2 for benchmark "
	     "'dup', metric 'value'"},
	    {"dup,1,ms,,", "dup,2,ms,,0.5", "",
	     "100003:11: field 'min': benchmark 'dup', metric 'value' repeats line 2, so its rows "
	     "are samples; statistics columns belong to a single-row result"},
	    {"dup,1,ms,,0.5", "dup,2,ms,,", "",
	     "100003:11: field 'min': benchmark 'dup', metric 'value' repeats line 2, so its rows "
	     "are samples; statistics columns belong to a single-row result"},
	    /* the first error in the file wins over one in a later row, and
	     * every error of a row over one found once the results are made */
	    {"dup,1e300,s,,", "dup,2,s,,", "b1,x,,,",
	     "100004:4: field 'value': 'x' is not a number"},
	    {"dup,1e300,s,,", "dup,2,s,,", "",
	     "2:1: field 'value': a number is out of range once converted from 's' to the base "
	     "unit"},
	    {"one,1,ms,,", "late,1e300,s,,", "",
	     "100003:1: field 'value': a number is out of range once converted from 's' to the "
	     "base unit"},
	    /* no conflict: the two rows are one result's samples */
	    {"dup,1,ms,,", "dup,3,ms,lower,", "", "ok"},
	};
	rs_text t = {NULL, 0, 0};
	size_t k;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		far_apart(&t, "benchmark,value,unit,direction,min", cases[k][0], cases[k][1],
			  cases[k][2]);
		expect_error(t.s, t.len, cases[k][3]);
	}
	free(t.s);
}

static void test_csv_window__nul_utf8_and_wide_rows(void **state)
{
	static const char nul[] = "benchmark,value\na\0b,1\na,2\n";
	static const char utf8[] = "benchmark,value\n\xc3\xa9t\xc3\xa9,1\n\xff\xfe,2\n\xc3,3\n";
	rs_text t = {NULL, 0, 0};
	size_t i;
	(void)state;
	same_bytes(nul, sizeof(nul) - 1);
	same_bytes(utf8, sizeof(utf8) - 1);
	/* lines that end in CR alone: more rows than line feeds */
	for (i = 0; i < 3000; i++)
		rs_text_add(&t, i ? "k%zu,%zu\r" : "benchmark,value\r", i % 7, i);
	expect_error(t.s, t.len, "ok");
	t.len = 0;
	/* 80,000 columns: ignored ones, then the two that count */
	for (i = 0; i < 80000; i++)
		rs_text_add(&t, "x-%zu,", i % 10);
	rs_text_add(&t, "benchmark,value\n");
	for (i = 0; i < 80000; i++)
		rs_text_add(&t, ",");
	rs_text_add(&t, "wide,1\n");
	same_bytes(t.s, t.len);
	/* and a row a field short, at the end of such a line */
	t.len -= 3;
	rs_text_add(&t, "\n");
	same_bytes(t.s, t.len);
	free(t.s);
}

static const perfdb_result *result(const perfdb_resultset *rs, size_t i, const char *benchmark)
{
	const perfdb_result *r = perfdb_resultset_get(rs, i);
	assert_non_null(r);
	assert_string_equal(r->benchmark, benchmark);
	return r;
}

/* Results come in the order of their first rows, a repeated key's with all
 * its rows' values as samples. */
static void test_csv_window__first_row_order(void **state)
{
	static const char body[] = "benchmark,value\na,1\nb,2\na,3\nc,4\nb,5\na,6\n";
	char path[] = "/tmp/perfdb-csv-window-XXXXXX";
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	write_temp(path, body, sizeof(body) - 1);
	same_csv(path);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	r = result(rs, 0, "a");
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[0], 1, 0);
	assert_near(r->samples[1], 3, 0);
	assert_near(r->samples[2], 6, 0);
	r = result(rs, 1, "b");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[1], 5, 0);
	r = result(rs, 2, "c");
	assert_int_equal(r->nsamples, 0);
	assert_near(r->value, 4, 0);
	perfdb_resultset_free(rs);
	unlink(path);
}

/* One-row results, a million of them (about 19 MB): they go to the sink as
 * they are read, and the reader holds a small part of the file meanwhile
 * (read whole, it held the file and some 130 bytes a row: 150 MB). */
static void test_csv_window__results_go_to_the_sink(void **state)
{
	char path[] = "/tmp/perfdb-csv-window-XXXXXX";
	rs_text t = {NULL, 0, 0};
	size_t i, n = 1000000, len;
	(void)state;
	rs_text_add(&t, "benchmark,value\n");
	for (i = 0; i < n; i++)
		rs_text_add(&t, "bench_%zu,%zu.5\n", i, i % 977);
	write_temp(path, t.s, t.len);
	len = t.len;
	free(t.s); /* not to be counted */
	expect_read_to_sink(path, len, n, "csv");
	unlink(path);
}

/* A file cut while it is read: an error, not a result made of two files.
 * By name, or on standard input redirected from it (read through the
 * window too: read whole, the cut would not be seen). */
static void cut_while_read(bool from_stdin)
{
	char path[] = "/tmp/perfdb-csv-window-XXXXXX", want[200];
	rs_text t = {NULL, 0, 0};
	sink_seen seen = {0, 0, 0, path};
	perfdb_resultset *rs;
	int saved = dup(0), fd;
	size_t i;
	rs_text_add(&t, "benchmark,value\n");
	for (i = 0; i < 300000; i++)
		rs_text_add(&t, "bench_%zu,1\n", i);
	write_temp(path, t.s, t.len);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 100);
	assert_int_equal(perfdb_ingest_file(rs, from_stdin ? "-" : path, PERFDB_FORMAT_CSV),
			 PERFDB_EIO);
	snprintf(want, sizeof(want), "cannot read '%s': it changed while it was read",
		 from_stdin ? "<stdin>" : path);
	assert_string_equal(perfdb_error_last()->message, want);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	perfdb_resultset_free(rs);
	unlink(path);
	free(t.s);
}

static void test_csv_window__changed_while_read(void **state)
{
	(void)state;
	cut_while_read(false);
	cut_while_read(true);
}

/* Standard input redirected from a file is read from where its offset is. */
static void test_csv_window__standard_input_from_a_file(void **state)
{
	static const char body[] = "skip me\nbenchmark,value\na,1\nb,2\na,3\n";
	char path[] = "/tmp/perfdb-csv-window-XXXXXX";
	perfdb_resultset *rs;
	int saved = dup(0), fd, rc;
	char *a, *b;
	(void)state;
	write_temp(path, body, sizeof(body) - 1);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(lseek(fd, 8, SEEK_SET), 8);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, "-", PERFDB_FORMAT_AUTO);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	a = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_buffer(rs, body + 8, sizeof(body) - 9, "<stdin>", PERFDB_FORMAT_AUTO);
	assert_int_equal(rc, 0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_int_equal(perfdb_resultset_get(rs, 0)->nsamples, 2);
	b = resultset_text(rc, rs);
	assert_string_equal(a, b);
	free(a);
	free(b);
	perfdb_resultset_free(rs);
	unlink(path);
}

/* A big file whose first megabyte is CSV, but where a later line makes
 * the whole another format: by name it is that format too. */
static void test_csv_window__other_format_past_the_head(void **state)
{
	static const char *const lines[] = {
	    "benchmark name                       samples       iterations    est run time\n",
	    "| relative |               ns/op |                op/s |    err% |     total | "
	    "benchmark\n|---------:|--------------------:|\n"};
	rs_text t = {NULL, 0, 0};
	size_t i, k;
	(void)state;
	for (k = 0; k < 2; k++) {
		t.len = 0;
		rs_text_add(&t, "benchmark,value\n");
		for (i = 0; i < 120000; i++)
			rs_text_add(&t, "bench_%zu,%zu\n", i, i);
		rs_text_add(&t, "%s", lines[k]);
		same_bytes(t.s, t.len);
		/* ... and without it, the CSV reader's own error at that line */
		rs_text_add(&t, "x,1\n");
		t.s[t.len - strlen(lines[k]) - 4] = 'X';
		same_bytes(t.s, t.len);
	}
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_window__same_as_whole_tests_data),
	    cmocka_unit_test(test_csv_window__every_truncation),
	    cmocka_unit_test(test_csv_window__bad_bytes_everywhere),
	    cmocka_unit_test(test_csv_window__far_apart_conflicts),
	    cmocka_unit_test(test_csv_window__nul_utf8_and_wide_rows),
	    cmocka_unit_test(test_csv_window__first_row_order),
	    cmocka_unit_test(test_csv_window__results_go_to_the_sink),
	    cmocka_unit_test(test_csv_window__changed_while_read),
	    cmocka_unit_test(test_csv_window__standard_input_from_a_file),
	    cmocka_unit_test(test_csv_window__other_format_past_the_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
