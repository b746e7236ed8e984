/*
 * Every Go (text and -json) and libtest (text and JSON) file of the corpus
 * (../shared/data/corpus/go-bench, libtest-bench) read by name, through
 * small windows and whole, as each of the four formats and as whatever
 * format it is: the same results and errors byte for byte
 * (tests/lib/ingest_same.h; those readers read a named file a line at a
 * time through a window, lib/ingest/README.md "Big files").
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

static void test_lines_corpus__same_by_name_and_whole(void **state)
{
	char go[4096], libtest[4096];
	(void)state;
	snprintf(go, sizeof(go), "%s/corpus/go-bench", acceptance_data_dir());
	snprintf(libtest, sizeof(libtest), "%s/corpus/libtest-bench", acceptance_data_dir());
	assert_true(same_under(go, ".txt", same_lines) >= 10);
	assert_true(same_under(go, ".jsonl", same_lines) >= 1);
	assert_true(same_under(libtest, ".txt", same_lines) >= 9);
	assert_true(same_under(libtest, ".jsonl", same_lines) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_corpus__same_by_name_and_whole),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
