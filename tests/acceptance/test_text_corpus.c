/*
 * Every nanobench console table and CSV and every Catch2 console output of
 * ../shared/data/corpus, and each of them cut at every line and with every
 * line written twice, read whole and with its results handed to a sink as
 * made (tests/lib/text_variants.h): the same results, warnings and errors
 * byte for byte. These readers get their input whole and key their
 * duplicate checks and repeats on the text itself (lib/ingest/README.md,
 * "Big files"). The Catch2 XML, Catch2 console (held or read again) and
 * Locust comparisons are test_catch2_xml_corpus.c,
 * test_catch2_held_corpus.c and test_locust_corpus.c: one test each, so
 * that each stays within its time under the sanitizers.
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
	print_message("%zu variants read without an error\n", read_ok);
	assert_true(read_ok > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_corpus__same_whole_and_as_made),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
