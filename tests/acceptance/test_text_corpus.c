/*
 * Every nanobench console table and CSV and every Catch2 console output of
 * ../shared/data/corpus, and each of them cut at every line and with every
 * line written twice, read whole and with its results handed to a sink as
 * made (tests/lib/text_variants.h): the same results, warnings and errors
 * byte for byte. Every Catch2 XML file and its variants the same read once
 * (main's way) and in passes, every Catch2 console output and its variants the same holding a
 * failing test case's benchmarks (main's way) or reading it again (tests/lib/catch2_same.h),
 * and every Locust file with every
 * request of a history held (main's way) and in passes (tests/lib/locust_same.h). These readers get
 * their input whole and key their duplicate checks and repeats on the text itself
 * (lib/ingest/README.md, "Big files").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "acceptance.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "sink_collect.h"
#include "text_variants.h"
#include "catch2_same.h"
#include "locust_same.h"

static size_t read_ok; /* variants read without an error, all files */

static void nanobench_csv(const char *path)
{
	read_ok += same_as_made_variants(path, PERFDB_FORMAT_NANOBENCH_CSV);
}

static void nanobench_console(const char *path)
{
	read_ok += same_as_made_variants(path, PERFDB_FORMAT_NANOBENCH_CONSOLE);
}

static void catch2_console(const char *path)
{
	read_ok += same_as_made_variants(path, PERFDB_FORMAT_CATCH2);
	read_ok += catch2_console_same_variants(path);
}

static void catch2_xml(const char *path)
{
	read_ok += catch2_same_variants(path);
}

static void locust(const char *path)
{
	read_ok += locust_same_variants(path);
}

static void test_text_corpus__same_whole_and_as_made(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus/nanobench", acceptance_data_dir());
	assert_true(same_under(path, ".csv", nanobench_csv) >= 3);
	assert_true(same_under(path, "console.txt", nanobench_console) >= 1);
	snprintf(path, sizeof(path), "%s/corpus/catch2", acceptance_data_dir());
	assert_true(same_under(path, ".txt", catch2_console) >= 7);
	assert_true(same_under(path, ".xml", catch2_xml) >= 3);
	snprintf(path, sizeof(path), "%s/corpus/locust", acceptance_data_dir());
	assert_true(same_under(path, ".csv", locust) >= 10);
	print_message("%zu variants read without an error\n", read_ok);
	assert_true(read_ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_corpus__same_whole_and_as_made),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
