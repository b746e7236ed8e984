/*
 * Every CSV file of ../shared/data (the corpus's Locust, nanobench, hey, ab
 * and criterion CSVs, tigerbeetle.csv) read by name, through small windows
 * and whole, as CSV and as whatever format it is: the same results and
 * errors byte for byte (tests/lib/ingest_same.h; the CSV reader reads a
 * named file through a window, lib/ingest/README.md "Big files").
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

static void test_csv_corpus__same_by_name_and_whole(void **state)
{
	char path[4096];
	(void)state;
	snprintf(path, sizeof(path), "%s/corpus", acceptance_data_dir());
	assert_true(same_under(path, ".csv", same_csv) >= 10);
	snprintf(path, sizeof(path), "%s/tigerbeetle.csv", acceptance_data_dir());
	same_csv(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_corpus__same_by_name_and_whole),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
