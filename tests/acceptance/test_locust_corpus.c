/*
 * Every Locust file of ../shared/data/corpus and its variants the same with
 * every request of a history held (main's way) and in passes
 * (tests/lib/locust_same.h).
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
#include "locust_same.h"

static size_t read_ok; /* variants read without an error, all files */

static void locust(const char *path)
{
	read_ok += locust_same_variants(path);
}

static void test_locust_corpus__same_held_and_in_passes(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus/locust", acceptance_data_dir());
	assert_true(same_under(path, ".csv", locust) >= 10);
	print_message("%zu variants read without an error\n", read_ok);
	assert_true(read_ok > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locust_corpus__same_held_and_in_passes),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
