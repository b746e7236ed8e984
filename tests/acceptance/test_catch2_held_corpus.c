/*
 * Every Catch2 console output of ../shared/data/corpus and its variants the
 * same holding a failing test case's benchmarks (main's way) or reading the
 * test case again at its end (tests/lib/catch2_same.h).
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

static size_t read_ok; /* variants read without an error, all files */

static void catch2_console(const char *path)
{
	read_ok += catch2_console_same_variants(path);
}

static void test_catch2_held_corpus__same_held_or_read_again(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus/catch2", acceptance_data_dir());
	assert_true(same_under(path, ".txt", catch2_console) >= 7);
	print_message("%zu variants read without an error\n", read_ok);
	assert_true(read_ok > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_catch2_held_corpus__same_held_or_read_again),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
