/*
 * The hyperfine reader on real `hyperfine --export-json` output (see
 * tests/data/README) and on small hand-made inputs. Expected numbers are read
 * from the committed files with jansson directly, independently of the reader.
 */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
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

#define DATA PERFDB_TEST_DATA "/hyperfine/"

static json_t *expected(const char *file)
{
	json_error_t jerr;
	json_t *root = json_load_file(file, 0, &jerr);
	if (!root)
		fail_msg("%s:%d: %s", file, jerr.line, jerr.text);
	return root;
}

static json_t *nth(json_t *doc, size_t i)
{
	json_t *r = json_array_get(json_object_get(doc, "results"), i);
	assert_non_null(r);
	return r;
}

static double num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_number(v))
		fail_msg("no number '%s'", key);
	return json_number_value(v);
}

static perfdb_resultset *ingest(const char *file, int expect)
{
	return ingest_file_with(perfdb_ingest__hyperfine, file, expect);
}

#define assert_close(a, b) assert_true(fabs((a) - (b)) <= 1e-9 * fabs(b) + 1e-300)

/* Every result of a file whose runs all succeeded, checked against the file;
 * the reader warned nwarnings times. */
static void check_results(const char *file, const char *const *names, size_t count,
			  size_t nwarnings)
{
	perfdb_resultset *rs = ingest(file, 0);
	json_t *doc = expected(file);
	size_t i, k;

	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "hyperfine");
	assert_int_equal(json_array_size(json_object_get(doc, "results")), count);
	assert_int_equal(perfdb_resultset_warning_count(rs), nwarnings);
	for (i = 0; i < count; i++) {
		json_t *e = nth(doc, i), *times = json_object_get(e, "times");
		const perfdb_result *r = lookup_result(rs, names[i], "wall_time");
		if (!r)
			fail_msg("no wall_time for '%s'", names[i]);
		assert_string_equal(r->unit, "ns");
		assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		assert_int_equal(r->nsamples, json_array_size(times));
		assert_int_equal(r->n, (int64_t)json_array_size(times));
		for (k = 0; k < r->nsamples; k++)
			assert_close(r->samples[k],
				     json_number_value(json_array_get(times, k)) * 1e9);
		assert_close(r->value, num(e, "mean") * 1e9);
		assert_close(r->mean, num(e, "mean") * 1e9);
		assert_close(r->median, num(e, "median") * 1e9);
		assert_close(r->min, num(e, "min") * 1e9);
		assert_close(r->max, num(e, "max") * 1e9);
		if (json_is_null(json_object_get(e, "stddev")))
			assert_true(isnan(r->stddev));
		else
			assert_close(r->stddev, num(e, "stddev") * 1e9);
		r = lookup_result(rs, names[i], "user_time");
		assert_non_null(r);
		assert_string_equal(r->unit, "ns");
		assert_int_equal(r->nsamples, 0);
		assert_close(r->value, num(e, "user") * 1e9);
		r = lookup_result(rs, names[i], "system_time");
		assert_non_null(r);
		assert_close(r->value, num(e, "system") * 1e9);
	}
	assert_int_equal(perfdb_resultset_count(rs), 3 * count);
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void check_all_succeeded(const char *file, const char *const *names, size_t count)
{
	check_results(file, names, count, 0);
}

static void test_ingest_hyperfine__commands(void **state)
{
	static const char *const names[] = {"true", "sleep 0.01", "ls /"};
	(void)state;
	check_all_succeeded(DATA "hyperfine_basic.json", names, 3);
}

static void test_ingest_hyperfine__parameter_scan(void **state)
{
	/* hyperfine substitutes the parameter into the command; perfdb adds the
	 * parameters too, sorted, so names stay unique with --command-name. */
	static const char *const names[] = {"sleep 0.001 [ms=1]", "sleep 0.002 [ms=2]",
					    "sleep 0.003 [ms=3]"};
	(void)state;
	check_all_succeeded(DATA "hyperfine_param.json", names, 3);
}

static void test_ingest_hyperfine__parameter_list(void **state)
{
	static const char *const names[] = {
	    "echo fast 1 [algo=fast,size=1]", "echo slow 1 [algo=slow,size=1]",
	    "echo fast 2 [algo=fast,size=2]", "echo slow 2 [algo=slow,size=2]"};
	json_t *doc = expected(DATA "hyperfine_list.json");
	size_t i;
	(void)state;
	/* The order hyperfine ran them in, which the names above must follow. */
	for (i = 0; i < 4; i++) {
		const char *cmd = json_string_value(json_object_get(nth(doc, i), "command"));
		assert_int_equal(strncmp(names[i], cmd, strlen(cmd)), 0);
	}
	json_decref(doc);
	check_all_succeeded(DATA "hyperfine_list.json", names, 4);
}

static void test_ingest_hyperfine__command_name_keeps_results_apart(void **state)
{
	/* -n nap: both results have command "nap". */
	static const char *const names[] = {"nap [ms=1]", "nap [ms=2]"};
	(void)state;
	check_all_succeeded(DATA "hyperfine_named.json", names, 2);
}

/* One command given three times: all three are kept, the second and third
 * as "CMD #2" and "CMD #3", with a warning naming the file. */
static void test_ingest_hyperfine__command_given_twice_kept_apart(void **state)
{
	static const char *const names[] = {"sleep 0.01", "sleep 0.01 #2", "sleep 0.01 #3"};
	perfdb_resultset *rs;
	(void)state;
	check_results(DATA "hyperfine_duplicate.json", names, 3, 2);
	rs = ingest(DATA "hyperfine_duplicate.json", 0);
	assert_true(has_warning(rs, DATA "hyperfine_duplicate.json: command 'sleep 0.01'",
				"recorded as 'sleep 0.01 #2'"));
	assert_true(has_warning(rs, "occurrence 3", "recorded as 'sleep 0.01 #3'"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_hyperfine__single_run(void **state)
{
	static const char *const names[] = {"sleep 0.005"};
	perfdb_resultset *rs = ingest(DATA "hyperfine_single.json", 0);
	(void)state;
	assert_int_equal(lookup_result(rs, "sleep 0.005", "wall_time")->nsamples, 1);
	assert_true(isnan(lookup_result(rs, "sleep 0.005", "wall_time")->stddev));
	perfdb_resultset_free(rs);
	check_all_succeeded(DATA "hyperfine_single.json", names, 1);
}

static void test_ingest_hyperfine__failed_runs(void **state)
{
	perfdb_resultset *rs = ingest(DATA "hyperfine_failing.json", 0);
	json_t *doc = expected(DATA "hyperfine_failing.json");
	json_t *e = nth(doc, 1), *times = json_object_get(e, "times"),
	       *codes = json_object_get(e, "exit_codes");
	const char *flaky = json_string_value(json_object_get(e, "command"));
	const perfdb_result *r;
	double ok[6], sum = 0.0, var = 0.0, lo = INFINITY, hi = -INFINITY;
	size_t i, n = 0;
	(void)state;

	/* "exit 3": every run failed, nothing recorded, one warning. */
	assert_null(lookup_result(rs, "exit 3", "wall_time"));
	assert_null(lookup_result(rs, "exit 3", "user_time"));
	assert_true(has_warning(rs, "'exit 3'", "all 6 runs failed"));

	/* The flaky command: runs 1, 3, 5 exited 1; their times are left out. */
	for (i = 0; i < json_array_size(times); i++) {
		if (json_integer_value(json_array_get(codes, i)) != 0)
			continue;
		ok[n] = json_number_value(json_array_get(times, i)) * 1e9;
		sum += ok[n];
		lo = fmin(lo, ok[n]);
		hi = fmax(hi, ok[n]);
		n++;
	}
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		var += (ok[i] - sum / 3) * (ok[i] - sum / 3);
	r = lookup_result(rs, flaky, "wall_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 3);
	for (i = 0; i < 3; i++)
		assert_close(r->samples[i], ok[i]);
	assert_close(r->value, sum / 3);
	assert_close(r->mean, sum / 3);
	assert_close(r->min, lo);
	assert_close(r->max, hi);
	assert_close(r->stddev, sqrt(var / 2));
	assert_true(r->median == ok[0] || r->median == ok[1] || r->median == ok[2]);
	assert_true(fabs(r->value - num(e, "mean") * 1e9) > 1.0); /* not hyperfine's mean */
	/* user/system are means over all runs, failed ones included. */
	assert_null(lookup_result(rs, flaky, "user_time"));
	assert_null(lookup_result(rs, flaky, "system_time"));
	assert_true(has_warning(rs, flaky, "3 of 6 runs failed"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_hyperfine__memory_usage(void **state)
{
	perfdb_resultset *rs = ingest(DATA "hyperfine_memory.json", 0);
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "sort big.txt", "memory");
	assert_non_null(r);
	assert_string_equal(r->unit, "B");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_int_equal(r->nsamples, 3);
	assert_close(r->samples[2], 10493952.0);
	assert_close(r->value, (10485760.0 + 10489856.0 + 10493952.0) / 3);
	assert_close(lookup_result(rs, "sort big.txt", "wall_time")->value, 0.25e9);
	/* The second command's run 2 was killed (exit code null). */
	r = lookup_result(rs, "sort --parallel=2 big.txt", "memory");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 2);
	assert_close(r->samples[1], 20979712.0);
	r = lookup_result(rs, "sort --parallel=2 big.txt", "wall_time");
	assert_int_equal(r->nsamples, 2);
	assert_close(r->value, 0.2e9);
	assert_close(r->min, 0.1e9);
	assert_close(r->max, 0.3e9);
	assert_true(has_warning(rs, "sort --parallel=2 big.txt", "1 of 3 runs failed"));
	perfdb_resultset_free(rs);
}

/* --- bad input --------------------------------------------------------------------- */

static void bad(const char *text, size_t len, int code, int line, int column, const char *field,
		const char *message_part)
{
	perfdb_resultset *rs;
	perfdb_result one;
	const perfdb_error *e;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_result_init(&one);
	one.benchmark = "existing";
	one.value = 1.0;
	assert_int_equal(perfdb_resultset_add(rs, &one), 0);
	assert_int_equal(perfdb_ingest__hyperfine(rs, text, len, "bad.json"), code);
	e = perfdb_error_last();
	assert_int_equal(e->code, code);
	assert_string_equal(e->file, "bad.json");
	if (line >= 0) {
		assert_int_equal(e->line, line);
		assert_int_equal(e->column, column);
	}
	assert_string_equal(e->field, field);
	if (message_part && !strstr(e->message, message_part))
		fail_msg("message '%s' lacks '%s'", e->message, message_part);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	assert_null(perfdb_resultset_meta(rs, PERFDB_META_SOURCE));
	perfdb_resultset_free(rs);
}

static void bad_file(const char *file, const char *needle, const char *field, const char *part)
{
	size_t len;
	char *text = slurp_file(file, &len);
	int line = -1, column = -1;
	if (needle)
		position_of(text, needle, &line, &column);
	bad(text, len, PERFDB_EINPUT, line, column, field, part);
	free(text);
}

static void test_ingest_hyperfine__wrong_type(void **state)
{
	(void)state;
	bad_file(DATA "hyperfine_wrong_type.json", "\"fast\"", "results[0].mean",
		 "bad.json:5:15: field 'results[0].mean': expected a number, found a string");
}

static void test_ingest_hyperfine__exit_codes_do_not_match_times(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "hyperfine_mismatch.json", &len);
	/* The second result's exit_codes array (4 values for 5 times). */
	const char *second = strstr(strstr(text, "\"exit_codes\"") + 1, "\"exit_codes\"");
	int line, column;
	(void)state;
	assert_non_null(second);
	line_col_at(text, second + strlen("\"exit_codes\": "), &line, &column);
	bad(text, len, PERFDB_EINPUT, line, column, "results[1].exit_codes",
	    "has 4 values, but there are 5 runs");
	free(text);
}

static void test_ingest_hyperfine__truncated(void **state)
{
	(void)state;
	bad_file(DATA "hyperfine_truncated.json", NULL, "", "invalid JSON");
}

static void test_ingest_hyperfine__bad_inline_inputs(void **state)
{
	static const char no_results[] = "{\"benchmarks\": []}";
	static const char not_array[] = "{\"results\": 3}";
	static const char no_command[] = "{\"results\": [\n  {\"mean\": 1.0}]}";
	static const char time_string[] = "{\"results\": [{\"command\": \"a\", \"mean\": 1.0,\n"
					  "  \"times\": [1.0, \"2\"]}]}";
	static const char time_nan[] = "{\"results\": [{\"command\": \"a\", \"mean\": 1.0,\n"
				       "  \"times\": [1.0, NaN]}]}";
	static const char code_real[] = "{\"results\": [{\"command\": \"a\", \"mean\": 1.0,\n"
					"  \"times\": [1.0], \"exit_codes\": [0.5]}]}";
	static const char param_obj[] = "{\"results\": [{\"command\": \"a\", \"mean\": 1.0,\n"
					"  \"parameters\": {\"n\": [1]}}]}";
	static const char stddev_str[] = "{\"results\": [{\"command\": \"a\", \"mean\": 1.0,"
					 " \"stddev\": \"x\"}]}";
	(void)state;
	bad(no_results, sizeof(no_results) - 1, PERFDB_EINPUT, 1, 1, "results", "missing");
	bad(not_array, sizeof(not_array) - 1, PERFDB_EINPUT, 1, 13, "results",
	    "expected an array, found an integer");
	bad(no_command, sizeof(no_command) - 1, PERFDB_EINPUT, 2, 3, "results[0].command",
	    "missing");
	bad(time_string, sizeof(time_string) - 1, PERFDB_EINPUT, 2, 18, "results[0].times[1]",
	    "expected a number, found a string");
	bad(time_nan, sizeof(time_nan) - 1, PERFDB_EINPUT, 2, 18, "results[0].times[1]", "finite");
	bad(code_real, sizeof(code_real) - 1, PERFDB_EINPUT, 2, 34, "results[0].exit_codes[0]",
	    "expected an integer or null");
	bad(param_obj, sizeof(param_obj) - 1, PERFDB_EINPUT, 2, 23, "results[0].parameters.n",
	    "expected a string, found an array");
	bad(stddev_str, sizeof(stddev_str) - 1, PERFDB_EINPUT, 1, 54, "results[0].stddev",
	    "expected a number or null");
	bad("", 0, PERFDB_EINPUT, 0, 0, "", "empty input");
}

static void test_ingest_hyperfine__non_finite_statistics_warn(void **state)
{
	static const char text[] = "{\"results\": [{\"command\": \"a\", \"mean\": 0.5,"
				   " \"stddev\": NaN, \"user\": Infinity, \"system\": 0.25}]}";
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest__hyperfine(rs, text, sizeof(text) - 1, "n.json"), 0);
	assert_true(isnan(lookup_result(rs, "a", "wall_time")->stddev));
	assert_true(lookup_result(rs, "a", "wall_time")->value == 0.5e9);
	assert_null(lookup_result(rs, "a", "user_time"));
	assert_true(lookup_result(rs, "a", "system_time")->value == 0.25e9);
	assert_true(has_warning(rs, "'a'", "stddev is NaN"));
	assert_true(has_warning(rs, "'a'", "user is Infinity"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_hyperfine__empty_results_warns(void **state)
{
	static const char empty[] = "{\"results\": []}";
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest__hyperfine(rs, empty, sizeof(empty) - 1, "e.json"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "hyperfine");
	perfdb_resultset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_hyperfine__commands),
	    cmocka_unit_test(test_ingest_hyperfine__parameter_scan),
	    cmocka_unit_test(test_ingest_hyperfine__parameter_list),
	    cmocka_unit_test(test_ingest_hyperfine__command_name_keeps_results_apart),
	    cmocka_unit_test(test_ingest_hyperfine__command_given_twice_kept_apart),
	    cmocka_unit_test(test_ingest_hyperfine__single_run),
	    cmocka_unit_test(test_ingest_hyperfine__failed_runs),
	    cmocka_unit_test(test_ingest_hyperfine__memory_usage),
	    cmocka_unit_test(test_ingest_hyperfine__wrong_type),
	    cmocka_unit_test(test_ingest_hyperfine__exit_codes_do_not_match_times),
	    cmocka_unit_test(test_ingest_hyperfine__truncated),
	    cmocka_unit_test(test_ingest_hyperfine__bad_inline_inputs),
	    cmocka_unit_test(test_ingest_hyperfine__non_finite_statistics_warn),
	    cmocka_unit_test(test_ingest_hyperfine__empty_results_warns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
