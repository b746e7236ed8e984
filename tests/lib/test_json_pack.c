/*
 * Packed arrays of numbers (lib/ingest/json_parse.h, "Packed arrays")
 * against the tree of a node an item they replace: the parser's answer
 * (every value, position, path and error) through every accessor, and what
 * each reader that reads arrays of numbers makes of a file (results,
 * warnings, errors, byte for byte, tests/lib/ingest_same.h): every JSON file
 * in tests/data, and generated files with a string, null, NaN, 1e999, -0,
 * an integer past 2^53, a nested array or a syntax error at the start, in
 * the middle and at the end of an array, empty arrays, one item, and long
 * ones. The corpus of ../shared/data is the acceptance suite's
 * (tests/acceptance/test_json_pack_corpus.c).
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/json.h"
#include "ingest/json_parse.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "json_pack_same.h"

/* --- the parser ---------------------------------------------------------------------- */

/* text parsed both ways: the same; returns the packed arrays. */
static size_t parse_both(const char *text)
{
	size_t n;
	if (!pack_parse_both(text, strlen(text), &n)) {
		print_error("%s: not the same packed\n", text);
		fail();
	}
	return n;
}

/* Array items that are no plain number, or are numbers that read back in
 * a way of their own, for the start, middle and end of an array. */
static const char *const odd_items[] = {
    "\"x\"",
    "null",
    "true",
    "NaN",
    "-NaN",
    "-nan",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "-0",
    "-0.0",
    "0",
    "9007199254740993",
    "18446744073709551617",
    "1e-400",
    "4.9e-324",
    "123456789012345678901234567890",
    "0.1e+5",
    "1E-2",
    "[1, 2]",
    "[]",
    "{}",
    "{\"a\": [1, 2]}",
    "01",
    "1.",
    "-",
    "1e",
    "+1",
    "1 2",
    ".5",
    "nul",
    "Inf",
    "1,",
    ",1",
    "\"\\u00e9\"",
};

/* "[...]" of n items, odd at position at (n: none), into buf. */
static const char *array_of(char *buf, size_t cap, size_t n, size_t at, const char *odd,
			    const char *sep)
{
	size_t i, len = 0;
	len += (size_t)snprintf(buf + len, cap - len, "[");
	for (i = 0; i < n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? sep : "",
					i == at ? odd : (i % 3 ? "2.5" : "17"));
	snprintf(buf + len, cap - len, "]");
	return buf;
}

static void test_json_pack__parser_same_with_odd_items(void **state)
{
	static const char *const seps[] = {",", ", ", " ,\n  ", ",\r\n\t"};
	static const size_t sizes[] = {1, 2, 20};
	char arr[4096], doc[3 * 4096 + 64];
	size_t i, s, z, packed = 0;
	(void)state;
	for (i = 0; i < sizeof(odd_items) / sizeof(odd_items[0]); i++)
		for (s = 0; s < sizeof(seps) / sizeof(seps[0]); s++)
			for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
				size_t n = sizes[z], at[3] = {0, n / 2, n - 1}, k;
				for (k = 0; k < 3; k++) {
					array_of(arr, sizeof(arr), n, at[k], odd_items[i], seps[s]);
					/* after a multi-byte name on the same line, and
					 * nested, so positions and paths are counted */
					snprintf(doc, sizeof(doc),
						 "{\"n\u00e9\": \"\u00e9\u20ac\", \"a\": %s,\n"
						 " \"b\": [[%s], %s]}",
						 arr, arr, arr);
					packed += parse_both(doc);
					packed += parse_both(arr);
				}
			}
	/* most documents have a packed array: the test sees both ways */
	assert_true(packed > 1000);
}

static void test_json_pack__parser_same_shapes(void **state)
{
	static const char *const docs[] = {
	    "[]",
	    "[ ]",
	    "[5]",
	    "[[]]",
	    "[[1], [2, 3], []]",
	    "[1, [2, [3, [4]]]]",
	    "{\"a\": [1, 2, 3], \"b\": [4.5, \"x\"], \"c\": [[-1, 0], [1]]}",
	    "\xEF\xBB\xBF[1, 2]",
	    "  [1,\n2,\n\n 3]  \n",
	    "[1, 2",
	    "[1, 2,",
	    "[1, 2 ",
	    "[1, 2,]",
	    "[1, 2]]",
	    "[1, 2] x",
	    "[1, 2\x00, 3]",
	    "{\"a\": [1, 2], \"a\": [3]}",
	    "[1, 2, 3e, 4]",
	    "[-]",
	    "[\"\xc3\xa9\", 1, 2]",
	    "[1, 2, \"\xff\"]",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		parse_both(docs[i]);
	assert_int_equal(parse_both("[[1], [2, 3], [], 4, [5, \"x\"]]"), 2);
	assert_int_equal(parse_both("[[1], [2, 3], []]"), 2);
	assert_int_equal(parse_both("{\"a\": [1, 2, 3], \"b\": [4.5, \"x\"]}"), 1);
}

/* "[[...[1, 2]...]]", levels deep, into a new string. */
static char *nested(size_t levels)
{
	char *doc = malloc(2 * levels + 8);
	size_t i, len = 0;
	assert_non_null(doc);
	for (i = 0; i < levels; i++)
		doc[len++] = '[';
	memcpy(doc + len, "1, 2", 4);
	len += 4;
	for (i = 0; i < levels; i++)
		doc[len++] = ']';
	doc[len] = '\0';
	return doc;
}

/* The depth limit counts a packed array as it counts any. */
static void test_json_pack__depth_limit(void **state)
{
	char *ok = nested(PERFDB_JSON_MAX_DEPTH), *deep = nested(PERFDB_JSON_MAX_DEPTH + 1);
	(void)state;
	assert_int_equal(parse_both(ok), 1);
	assert_int_equal(parse_both(deep), 0);
	free(ok);
	free(deep);
}

/* A long array is packed by default: no node an item. */
static void test_json_pack__long_array_is_packed(void **state)
{
	size_t n = 100000, i, len = 0, cap = n * 12 + 64;
	char *doc = malloc(cap);
	double *v = malloc(n * sizeof(double));
	const perfdb_jnode *arr, *item;
	perfdb_json_doc *d;
	perfdb_jitems walk;
	int line, column;
	(void)state;
	assert_non_null(doc);
	assert_non_null(v);
	len += (size_t)snprintf(doc, cap, "{\"s\": [");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s%zu.5",
					i ? (i % 10 ? "," : ",\n") : "", i);
	len += (size_t)snprintf(doc + len, cap - len, "]}");
	assert_int_equal(perfdb_json__load(&d, doc, len, "f.json"), 0);
	arr = perfdb_json__get(perfdb_json__root(d), "s");
	assert_true(arr->packed);
	assert_int_equal(perfdb_json__size(arr), n);
	assert_int_equal(perfdb_json__numbers(arr, v), n);
	for (i = 0; i < n; i++)
		assert_true(v[i] == (double)i + 0.5);
	/* item 12345: on line 1 + 1234, after five items of "123xx.5," */
	perfdb_json__where_item(d, arr, 12345, &line, &column);
	assert_int_equal(line, 1235);
	assert_int_equal(column, 1 + 5 * 8);
	item = perfdb_json__item_at(arr, 12345, &walk);
	assert_true(item->u.number == 12345.5);
	assert_int_equal(perfdb_json__error_item(d, arr, 12345, "bad"), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->message, "f.json:1235:41: field 's[12345]': bad");
	assert_true(perfdb_json__item(arr, n - 1)->u.number == (double)(n - 1) + 0.5);
	perfdb_json__free(d);
	free(doc);
	free(v);
}

/* Nodes of a packed array asked for from several threads at once (a doc may
 * be read from several threads): each thread gets the same nodes. */
typedef struct item_thread {
	const perfdb_jnode *arr;
	const perfdb_jnode *first, *last;
	bool right;
} item_thread;

static void *ask_items(void *arg)
{
	item_thread *t = arg;
	size_t i, n = perfdb_json__size(t->arr);
	t->right = true;
	for (i = n; i-- > 0;) {
		const perfdb_jnode *v = perfdb_json__item(t->arr, i);
		if (!v || v->u.number != (double)i || v->index != i)
			t->right = false;
	}
	t->first = perfdb_json__item(t->arr, 0);
	t->last = perfdb_json__item(t->arr, n - 1);
	return NULL;
}

static void test_json_pack__items_from_threads(void **state)
{
	size_t n = 200000, i, len = 0, cap = n * 8 + 16;
	char *doc = malloc(cap);
	perfdb_json_doc *d;
	pthread_t th[4];
	item_thread t[4];
	(void)state;
	assert_non_null(doc);
	len += (size_t)snprintf(doc, cap, "[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s%zu", i ? "," : "", i);
	len += (size_t)snprintf(doc + len, cap - len, "]");
	assert_int_equal(perfdb_json__load(&d, doc, len, "f.json"), 0);
	assert_true(perfdb_json__root(d)->packed);
	for (i = 0; i < 4; i++) {
		t[i].arr = perfdb_json__root(d);
		assert_int_equal(pthread_create(&th[i], NULL, ask_items, &t[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_true(t[i].right);
		assert_ptr_equal(t[i].first, t[0].first);
		assert_ptr_equal(t[i].last, t[0].last);
	}
	assert_ptr_equal(t[0].first->parent, perfdb_json__root(d));
	perfdb_json__free(d);
	free(doc);
}

/* --- the readers ------------------------------------------------------------------------ */

static size_t generated;

#define CRITERION_NEW PERFDB_TEST_DATA "/criterion/target-criterion/flat/spin/new"

static void same_body(const char *body, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-json-pack-XXXXXX";
	write_temp(path, body, strlen(body));
	packed_same(path, fmt, true);
	unlink(path);
	generated++;
}

static void same_auto(const char *path)
{
	packed_same(path, PERFDB_FORMAT_AUTO, true);
}

static void test_json_pack__tests_data_same(void **state)
{
	(void)state;
	assert_true(same_under(PERFDB_TEST_DATA, ".json", same_auto) >= 30);
	packed_same(PERFDB_TEST_DATA "/criterion/target-criterion", PERFDB_FORMAT_CRITERION, false);
}

/* A document of each format with arr where its numbers are (%s, twice
 * for JMH's forks); the times of hyperfine's runs beside exit codes and
 * memory figures are 20 items, as twenty() gives. */
typedef struct format_doc {
	perfdb_format fmt;
	const char *doc;
} format_doc;

#define TWENTY "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20"

static const format_doc format_docs[] = {
    {PERFDB_FORMAT_NATIVE_JSON,
     "{\"results\": [{\"benchmark\": \"b\u00e9\u20ac\", \"unit\": \"ms\", \"samples\": %s}]}"},
    {PERFDB_FORMAT_NATIVE_JSON, "{\"results\": [{\"benchmark\": \"a\", \"value\": 1},\n"
				" {\"benchmark\": \"b\",\n  \"samples\":\n%s, \"n\": 3}]}"},
    {PERFDB_FORMAT_HYPERFINE,
     "{\"results\": [{\"command\": \"sl\u00e9ep\", \"mean\": 1.5, \"times\": %s}]}"},
    {PERFDB_FORMAT_HYPERFINE, "{\"results\": [{\"command\": \"x\", \"mean\": 1, \"times\": "
			      "[" TWENTY "], \"exit_codes\": %s}]}"},
    {PERFDB_FORMAT_HYPERFINE, "{\"results\": [{\"command\": \"x\", \"mean\": 1, \"times\": "
			      "[" TWENTY "], \"memory_usage_byte\": %s,\n"
			      "\"exit_codes\": [0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0]}]}"},
    {PERFDB_FORMAT_PYTEST_BENCHMARK,
     "{\"benchmarks\": [{\"name\": \"t\", \"fullname\": \"m::t\u00e9\", \"stats\": {\"mean\": 1.0, "
     "\"rounds\": 20, \"data\": %s}}]}"},
    {PERFDB_FORMAT_JMH, "[{\"benchmark\": \"a.B.c\", \"mode\": \"avgt\", \"primaryMetric\": "
			"{\"score\": 1.0, \"scoreUnit\": \"ns/op\", \"rawData\": [%s, [1, 2]]}}]"},
    {PERFDB_FORMAT_BENCHMARKDOTNET,
     "{\"Benchmarks\": [{\"FullName\": \"a\", \"Statistics\": {\"Mean\": 1, \"OriginalValues\": "
     "%s}}]}"},
};

static void same_formats(const char *arr)
{
	size_t i, cap = 2 * strlen(arr) + 1024;
	char *doc = malloc(cap);
	assert_non_null(doc);
	for (i = 0; i < sizeof(format_docs) / sizeof(format_docs[0]); i++) {
		snprintf(doc, cap, format_docs[i].doc, arr, arr);
		same_body(doc, format_docs[i].fmt);
	}
	free(doc);
}

static void test_json_pack__readers_same_with_odd_items(void **state)
{
	static const size_t sizes[] = {1, 20};
	char arr[4096];
	size_t i, z, k;
	(void)state;
	for (i = 0; i < sizeof(odd_items) / sizeof(odd_items[0]); i++)
		for (z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			size_t n = sizes[z], at[3] = {0, n / 2, n - 1};
			for (k = 0; k < (n > 1 ? 3 : 1); k++)
				same_formats(array_of(arr, sizeof(arr), n, at[k], odd_items[i],
						      k == 1 ? ",\n " : ", "));
		}
	same_formats("[]");
	same_formats("[" TWENTY "]");
	same_formats("[1.5e-3, 2E2, 0.000001, 123456789.125, 3]");
	assert_true(generated > 500);
}

/* Long arrays, read by name (an item at a time) and whole. */
static void test_json_pack__readers_same_long(void **state)
{
	size_t n = 200000, i, len = 0, cap = n * 12 + 16;
	char *arr = malloc(cap);
	(void)state;
	assert_non_null(arr);
	len += (size_t)snprintf(arr, cap, "[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(arr + len, cap - len, "%s%zu.%zu", i ? "," : "", i % 977,
					i % 10);
	snprintf(arr + len, cap - len, "]");
	same_formats(arr);
	/* a NaN at the end of them */
	snprintf(arr + len - 1, cap - len + 1, ",NaN]");
	same_formats(arr);
	free(arr);
}

/* criterion's sample.json: a benchmark directory made of the fixture's
 * files with sample.json written. */
static void criterion_same(const char *iters, const char *times)
{
	char dir[] = "/tmp/perfdb-json-pack-crit-XXXXXX", *sample;
	size_t cap = strlen(iters) + strlen(times) + 64;
	assert_non_null(sample = malloc(cap));
	snprintf(sample, cap, "{\"sampling_mode\":\"Flat\",\"iters\":%s,\n\"times\":%s}", iters,
		 times);
	criterion_dir(dir, CRITERION_NEW "/benchmark.json", CRITERION_NEW "/estimates.json",
		      sample);
	packed_same(dir, PERFDB_FORMAT_CRITERION, false);
	criterion_dir_remove(dir);
	free(sample);
}

static void test_json_pack__criterion_same(void **state)
{
	char arr[4096];
	size_t i;
	(void)state;
	criterion_same("[" TWENTY "]", "[" TWENTY "]");
	for (i = 0; i < sizeof(odd_items) / sizeof(odd_items[0]); i++) {
		array_of(arr, sizeof(arr), 20, i % 20, odd_items[i], ",");
		criterion_same("[" TWENTY "]", arr);
		criterion_same(arr, "[" TWENTY "]");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_pack__parser_same_with_odd_items),
	    cmocka_unit_test(test_json_pack__parser_same_shapes),
	    cmocka_unit_test(test_json_pack__depth_limit),
	    cmocka_unit_test(test_json_pack__long_array_is_packed),
	    cmocka_unit_test(test_json_pack__items_from_threads),
	    cmocka_unit_test(test_json_pack__tests_data_same),
	    cmocka_unit_test(test_json_pack__readers_same_with_odd_items),
	    cmocka_unit_test(test_json_pack__readers_same_long),
	    cmocka_unit_test(test_json_pack__criterion_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
