/*
 * The criterion.rs console reader on a hand-made document in the layout of
 * criterion 0.3-0.5's console output (tests/data/criterion/console.txt, see
 * tests/data/README; the corpus's real outputs are read by the acceptance
 * suite).
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

static void test_ingest_criterion_console__results(void **state)
{
	perfdb_resultset *rs;
	const perfdb_result *r;
	size_t len;
	char *t = slurp_file(PERFDB_TEST_DATA "/criterion/console.txt", &len);
	(void)state;
	assert_int_equal(perfdb_ingest_detect(t, len), PERFDB_FORMAT_CRITERION_CONSOLE);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, t, len, "c.txt", PERFDB_FORMAT_AUTO), 0);
	free(t);
	/* the point estimate, the middle of the three; µs -> ns */
	r = find_result(rs, "fib 20", "time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 20001, 1e-9);
	assert_near(find_result(rs, "parse/bytes/1024", "time")->value, 520, 1e-12);
	r = find_result(rs, "parse/bytes/1024", "throughput");
	assert_string_equal(r->unit, "B/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(r->value, 1.8340 * 1073741824.0, 1e-3);
	/* the name alone on its line, the time on the next */
	assert_near(find_result(rs, "a group with a long name/sort 100 elements", "time")->value,
		    57.281, 1e-12);
	r = find_result(rs, "a group with a long name/sort 100 elements", "throughput");
	assert_string_equal(r->unit, "elem/s");
	assert_near(r->value, 1.7458e9, 1e-3);
	assert_near(find_result(rs, "tiny", "time")->value, 0.3239, 1e-12);
	assert_near(find_result(rs, "slow", "time")->value, 1.75e9, 1e-3);
	/* change blocks are no results */
	assert_int_equal(perfdb_resultset_count(rs), 7);
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_non_null(strstr(perfdb_resultset_warning(rs, 0),
			       "c.txt:23:1: thread 'main' panicked at 'explicit panic'"));
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "criterion");
	perfdb_resultset_free(rs);
}

/* Names are checked for repeats without keeping them all (a fingerprint
 * pass): a repeat 100,000 lines later is found, with the first line; a
 * second name on its own line too; many distinct names are all results. */
static void test_ingest_criterion_console__repeats_far_apart(void **state)
{
	size_t cap = 100002 * 48, n = 0, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n, "b%zu time: [1 ns 2 ns 3 ns]\n", i);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(
	    perfdb_ingest_buffer(rs, text, n, "c.txt", PERFDB_FORMAT_CRITERION_CONSOLE), 0);
	assert_int_equal(perfdb_resultset_count(rs), 100000);
	assert_string_equal(perfdb_resultset_get(rs, 99999)->benchmark, "b99999");
	perfdb_resultset_free(rs);
	n += (size_t)snprintf(text + n, cap - n, "b7\n   time: [1 ns 2 ns 3 ns]\n");
	expect_input_error(text, PERFDB_FORMAT_CRITERION_CONSOLE, "c.txt", PERFDB_EINPUT, 100002, 1,
			   NULL, "'b7' is also on line 8");
	free(text);
}

static void test_ingest_criterion_console__refused(void **state)
{
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_format_parse(&f, "criterion-console"), 0);
	assert_int_equal(f, PERFDB_FORMAT_CRITERION_CONSOLE);
	expect_input_error("a                       time:   [1.0 ns 2.0 xs 3.0 ns]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 1, 45, NULL,
			   "expected criterion's [lower estimate upper] times");
	expect_input_error("a                       time:   [1.0 ns 2..0 ns 3.0 ns]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 1, 41, NULL,
			   "expected criterion's [lower estimate upper] times");
	expect_input_error("a                       time:   [1.0 ns 2.0 ns 3.0 ns]\n"
			   "a                       time:   [1.0 ns 2.0 ns 3.0 ns]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 2, 1, NULL,
			   "'a' is also on line 1");
	expect_input_error("a                       time:   [1.0 ns 2.0 ns 3.0 ns]\n"
			   "                        thrpt:  [1.0 GiB/s 2.0 parsecs 3.0 GiB/s]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 2, 48, NULL, "throughputs");
	expect_input_error("                        thrpt:  [1.0 GiB/s 2.0 GiB/s 3.0 GiB/s]\n",
			   PERFDB_FORMAT_CRITERION_CONSOLE, "c.txt", PERFDB_EINPUT, 1, 25, NULL,
			   "a throughput without a time before it");
	expect_input_error("                        time:   [1.0 ns 2.0 ns 3.0 ns]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 1, 1, NULL,
			   "expected a benchmark's name before its time");
	expect_input_error("a                       time:   [1.0 ns 2.0 ns 3.0 ns]\n"
			   "                        thrpt:  [1 B/s 2 B/s 3 B/s]\n"
			   "                        thrpt:  [1 B/s 2 B/s 3 B/s]\n",
			   PERFDB_FORMAT_AUTO, "c.txt", PERFDB_EINPUT, 3, 25, NULL,
			   "or a second one");
	expect_input_error("   \n                        time:   [1.0 ns 2.0 ns 3.0 ns]\n",
			   PERFDB_FORMAT_CRITERION_CONSOLE, "c.txt", PERFDB_EINPUT, 2, 1, NULL,
			   "expected a benchmark's name before its time");
	expect_input_error("hello\n", PERFDB_FORMAT_CRITERION_CONSOLE, "c.txt", PERFDB_EINPUT, 1, 1,
			   NULL, "no criterion result");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_criterion_console__results),
	    cmocka_unit_test(test_ingest_criterion_console__refused),
	    cmocka_unit_test(test_ingest_criterion_console__repeats_far_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
