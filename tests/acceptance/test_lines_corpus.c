/*
 * Every Go (text and -json) and libtest (text and JSON) file of the corpus
 * (../shared/data/corpus/go-bench, libtest-bench) read by name, through
 * small windows and whole, as each of the four formats and as whatever
 * format it is: the same results and errors byte for byte
 * (tests/lib/ingest_same.h; those readers read a named file a line at a
 * time through a window, lib/ingest/README.md "Big files"); and the same
 * keeping every failed benchmark's name or not (tests/lib/failed_same.h).
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
#include "failed_same.h"

static perfdb_format failed_fmt; /* of the files same_under gives failed_variants */
static size_t failed_ok;	 /* variants read without an error */

static void failed_variants(const char *path)
{
	failed_ok += failed_same_variants(path, failed_fmt);
}

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

/* Every such file and its variants (cut at every line, every line twice)
 * the same keeping every failed benchmark's name (main's way) or only those
 * seen on another line too (tests/lib/failed_same.h). */
static void test_lines_corpus__failed_names_same_kept_or_not(void **state)
{
	static const struct {
		const char *dir, *suffix;
		perfdb_format fmt;
		size_t files;
	} data[] = {{"go-bench", ".txt", PERFDB_FORMAT_GO, 10},
		    {"go-bench", ".jsonl", PERFDB_FORMAT_GO_JSON, 1},
		    {"libtest-bench", ".txt", PERFDB_FORMAT_LIBTEST, 9},
		    {"libtest-bench", ".jsonl", PERFDB_FORMAT_LIBTEST_JSON, 1}};
	char dir[4096];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/corpus/%s", acceptance_data_dir(), data[i].dir);
		failed_fmt = data[i].fmt;
		assert_true(same_under(dir, data[i].suffix, failed_variants) >= data[i].files);
	}
	print_message("%zu variants read without an error\n", failed_ok);
	assert_true(failed_ok > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_corpus__same_by_name_and_whole),
	    cmocka_unit_test(test_lines_corpus__failed_names_same_kept_or_not),
	};
	acceptance_data_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
