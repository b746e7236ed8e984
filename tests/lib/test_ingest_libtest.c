/*
 * The libtest reader on real `cargo bench` output of rustc 1.95's #[bench]
 * harness (RUSTC_BOOTSTRAP=1; see tests/data/README): plain, -q and
 * --format json, and on hand-made lines. Expected numbers come from the
 * files through a naive reading here (sscanf after dropping the thousands
 * separators; jansson for the JSON), independent of the reader.
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
#include <jansson.h>

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"

#define DATA PERFDB_TEST_DATA "/libtest/"

/* The ns/iter and MB/s (0 when absent) of `test NAME ... bench:` in text. */
static void expected(const char *text, const char *name, double *ns, double *mbs)
{
	char key[128], line[512], *p;
	const char *at;
	size_t i, k = 0;
	snprintf(key, sizeof(key), "test %s ", name);
	at = strstr(text, key);
	assert_non_null(at);
	for (i = 0; at[i] && at[i] != '\n' && k + 1 < sizeof(line); i++)
		if (at[i] != ',')
			line[k++] = at[i];
	line[k] = '\0';
	p = strstr(line, "bench:");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "bench: %lf ns/iter", ns), 1);
	*mbs = 0;
	if ((p = strstr(line, " = ")))
		assert_int_equal(sscanf(p, " = %lf MB/s", mbs), 1);
}

static void check_text(const char *file)
{
	static const char *const names[] = {"bench_copy_4k", "bench_fib_12", "nested::bench_sum"};
	size_t len, i;
	char *text = slurp_file(file, &len);
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__libtest, file, PERFDB_OK);
	double ns, mbs;
	for (i = 0; i < 3; i++) {
		const perfdb_result *r = find_result(rs, names[i], "time");
		expected(text, names[i], &ns, &mbs);
		assert_string_equal(r->unit, "ns");
		assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		assert_near(r->value, ns, 1e-9);
		assert_near(r->median, ns, 1e-9);
		if (mbs > 0) {
			r = find_result(rs, names[i], "throughput");
			assert_string_equal(r->unit, "B/s");
			assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
			assert_near(r->value, mbs * 1e6, 1e-3);
		}
	}
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_null(lookup_result(rs, "bench_panics", "time"));
	assert_true(has_warning(rs, "'bench_panics' FAILED; not recorded", NULL));
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "libtest");
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_libtest__stdout(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "libtest_stdout.txt", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__libtest, DATA "libtest_stdout.txt", PERFDB_OK);
	char where[256];
	int line, col;
	(void)state;
	check_text(DATA "libtest_stdout.txt");
	position_of(text, "bench_panics      ... FAILED", &line, &col);
	snprintf(where, sizeof(where), DATA "libtest_stdout.txt:%d:%d: ", line, col);
	assert_true(has_warning(rs, where, "'bench_panics' FAILED"));
	position_of(text, "bench_ignored", &line, &col);
	snprintf(where, sizeof(where), DATA "libtest_stdout.txt:%d:%d: ", line, col);
	assert_true(has_warning(rs, where, "1 test ignored"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_libtest__quiet(void **state)
{
	(void)state;
	check_text(DATA "libtest_quiet.txt"); /* "bench_panics --- FAILED" */
}

static void test_ingest_libtest__json(void **state)
{
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__libtest_json, DATA "libtest_json.jsonl", PERFDB_OK);
	size_t len, n = 0;
	char *text = slurp_file(DATA "libtest_json.jsonl", &len), *save = NULL, *line;
	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *ev = json_loads(line, 0, &jerr), *mbs;
		const perfdb_result *r;
		assert_non_null(ev);
		if (strcmp(json_string_value(json_object_get(ev, "type")), "bench") == 0) {
			const char *name = json_string_value(json_object_get(ev, "name"));
			r = find_result(rs, name, "time");
			assert_near(r->value, json_number_value(json_object_get(ev, "median")),
				    1e-9);
			if ((mbs = json_object_get(ev, "mib_per_second")))
				assert_near(find_result(rs, name, "throughput")->value,
					    json_number_value(mbs) * 1e6, 1e-3);
			n++;
		}
		json_decref(ev);
	}
	free(text);
	assert_int_equal(n, 3);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_true(has_warning(rs, "'bench_panics' FAILED", NULL));
	assert_true(has_warning(rs, "1 test ignored", NULL));
	perfdb_resultset_free(rs);
}

static void test_ingest_libtest__detected(void **state)
{
	static const struct {
		const char *file;
		perfdb_format fmt;
	} files[] = {{DATA "libtest_stdout.txt", PERFDB_FORMAT_LIBTEST},
		     {DATA "libtest_quiet.txt", PERFDB_FORMAT_LIBTEST},
		     {DATA "libtest_json.jsonl", PERFDB_FORMAT_LIBTEST_JSON}};
	size_t i, len;
	perfdb_format f;
	(void)state;
	for (i = 0; i < 3; i++) {
		char *text = slurp_file(files[i].file, &len);
		assert_int_equal(perfdb_ingest_detect(text, len), files[i].fmt);
		free(text);
	}
	assert_int_equal(perfdb_format_parse(&f, "bencher"), 0);
	assert_int_equal(f, PERFDB_FORMAT_LIBTEST);
	assert_int_equal(perfdb_format_parse(&f, "libtest-json"), 0);
	assert_int_equal(f, PERFDB_FORMAT_LIBTEST_JSON);
}

static void test_ingest_libtest__units_repeats_and_names(void **state)
{
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	rs = ingest_ok("test a b: c ... bench:  1,200.5 \xce\xbcs/iter (+/- 3)\n"
		       "test a b: c ... bench:  1,400.5 \xce\xbcs/iter (+/- 3)\n"
		       "test cmov ... bench:        2835 cycles/iter (+/- 14)\n"
		       "test up ... bench:        1911 MS/s (+/- 420)\n"
		       "test ok_test ... ok\n",
		       PERFDB_FORMAT_LIBTEST);
	r = find_result(rs, "a b: c", "time");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[0], 1200500, 1e-6);
	assert_near(r->value, 1300500, 1e-6);
	r = find_result(rs, "cmov", "cycles/iter");
	assert_near(r->value, 2835, 0);
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_int_equal(find_result(rs, "up", "MS/s")->direction, PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	perfdb_resultset_free(rs);
}

static void test_ingest_libtest__bad_inputs(void **state)
{
	(void)state;
	expect_input_error("test a ... bench:  1,2x ns/iter (+/- 3)\n", PERFDB_FORMAT_LIBTEST,
			   "l.txt", PERFDB_EINPUT, 1, 20, NULL, "expected a number, found '1,2x'");
	expect_input_error("\ntest a ... bench: 12\n", PERFDB_FORMAT_LIBTEST, "l.txt",
			   PERFDB_EINPUT, 2, 21, NULL, "expected a unit");
	expect_input_error("test a ... bench: 12 ns/iter (+/- 1) = 5 GB/s\n", PERFDB_FORMAT_LIBTEST,
			   "l.txt", PERFDB_EINPUT, 1, 42, NULL, "expected MB/s");
	expect_input_error("{ \"type\": \"suite\", \"event\": \"started\" }\n"
			   "{ \"type\": \"bench\", \"name\": \"x\", \"median\": \"fast\" }\n",
			   PERFDB_FORMAT_LIBTEST_JSON, "l.jsonl", PERFDB_EINPUT, 2, 43, "median",
			   "expected a number");
	expect_input_error("{ \"type\": \"suite\" }\n   Compiling x\n", PERFDB_FORMAT_LIBTEST_JSON,
			   "l.jsonl", PERFDB_EINPUT, 2, 4, NULL, "expected a libtest JSON event");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_libtest__stdout),
	    cmocka_unit_test(test_ingest_libtest__quiet),
	    cmocka_unit_test(test_ingest_libtest__json),
	    cmocka_unit_test(test_ingest_libtest__detected),
	    cmocka_unit_test(test_ingest_libtest__units_repeats_and_names),
	    cmocka_unit_test(test_ingest_libtest__bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
