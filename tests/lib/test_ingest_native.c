/* Tests of the perfdb native format readers (lib/ingest/native*.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/yaml_load.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "sink_collect.h"

#define JSON PERFDB_FORMAT_NATIVE_JSON
#define YAML PERFDB_FORMAT_NATIVE_YAML

static perfdb_resultset *load(const char *file)
{
	char path[512];
	perfdb_resultset *rs;
	int rc;
	snprintf(path, sizeof(path), "%s/native/%s", PERFDB_TEST_DATA, file);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO);
	if (rc)
		print_message("%s\n", perfdb_error_last()->message);
	assert_int_equal(rc, 0);
	return rs;
}

static void check_full(const perfdb_resultset *rs)
{
	const perfdb_result *r;

	assert_int_equal(perfdb_resultset_count(rs), 5);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT),
			    "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), "main");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_MACHINE), "ci-runner-7");
	/* 10:00 at +01:00 is 09:00 UTC. */
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2026-11-25T09:00:00Z");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "native");
	assert_int_equal(perfdb_resultset_tag_count(rs), 3);
	assert_string_equal(tag_value(rs, "compiler", false), "gcc-12");
	assert_string_equal(tag_value(rs, "threads", false), "4");
	assert_string_equal(tag_value(rs, "lto", false), "true");
	assert_int_equal(perfdb_resultset_context_count(rs), 2);
	assert_string_equal(tag_value(rs, "cpu", true), "AMD EPYC 7763");
	assert_string_equal(tag_value(rs, "cores", true), "2");

	r = perfdb_resultset_get(rs, 0);
	assert_string_equal(r->benchmark, "parse/small");
	assert_string_equal(r->metric, "wall_time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 12.5e6, 1e-6);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->nsamples, 0);
	assert_true(isnan(r->stddev));

	r = perfdb_resultset_get(rs, 1);
	assert_string_equal(r->metric, "throughput");
	assert_string_equal(r->unit, "items/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[0], 1000, 0);
	assert_near(r->samples[2], 1200, 0);
	assert_near(r->value, 1100, 1e-9); /* no value: the samples' mean */
	assert_int_equal(r->n, 3);

	r = perfdb_resultset_get(rs, 2);
	assert_string_equal(r->benchmark, "parse/large");
	assert_string_equal(r->metric, "value");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 3000, 1e-9);
	assert_int_equal(r->n, 10);
	assert_near(r->stddev, 100, 1e-9);
	assert_near(r->min, 2900, 1e-9);
	assert_near(r->max, 3200, 1e-9);
	assert_near(r->median, 3000, 1e-9);
	assert_near(r->mean, 3000, 1e-9);
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[1], 3000, 1e-9);

	r = perfdb_resultset_get(rs, 3);
	assert_string_equal(r->benchmark, "alloc/peak");
	assert_string_equal(r->metric, "heap");
	assert_string_equal(r->unit, "B");
	assert_near(r->value, 2048, 0);
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);

	r = perfdb_resultset_get(rs, 4);
	assert_string_equal(r->benchmark, "score");
	assert_string_equal(r->unit, "");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(r->value, 87, 0);
}

static void test_ingest_native__json_full(void **state)
{
	perfdb_resultset *rs = load("full.json");
	(void)state;
	check_full(rs);
	perfdb_resultset_free(rs);
}

static void test_ingest_native__yaml_full(void **state)
{
	perfdb_resultset *rs = load("full.yaml");
	(void)state;
	check_full(rs);
	perfdb_resultset_free(rs);
}

/* The two syntaxes of one run give the same resultset, number for number. */
static void test_ingest_native__yaml_equals_json(void **state)
{
	perfdb_resultset *a = load("full.json"), *b = load("full.yaml");
	size_t i, j;
	int m;
	(void)state;
	assert_int_equal(perfdb_resultset_count(a), perfdb_resultset_count(b));
	for (m = 0; m < PERFDB_META_COUNT_; m++) {
		const char *x = perfdb_resultset_meta(a, (perfdb_meta)m);
		const char *y = perfdb_resultset_meta(b, (perfdb_meta)m);
		assert_true((x == NULL) == (y == NULL));
		if (x)
			assert_string_equal(x, y);
	}
	for (i = 0; i < perfdb_resultset_count(a); i++) {
		const perfdb_result *x = perfdb_resultset_get(a, i),
				    *y = perfdb_resultset_get(b, i);
		assert_string_equal(x->benchmark, y->benchmark);
		assert_string_equal(x->metric, y->metric);
		assert_string_equal(x->unit, y->unit);
		assert_int_equal(x->direction, y->direction);
		assert_memory_equal(&x->value, &y->value, sizeof(double));
		assert_int_equal(x->n, y->n);
		assert_int_equal(x->nsamples, y->nsamples);
		for (j = 0; j < x->nsamples; j++)
			assert_memory_equal(&x->samples[j], &y->samples[j], sizeof(double));
	}
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
}

static void test_ingest_native__minimal(void **state)
{
	const char *files[] = {"minimal.json", "minimal.yaml"};
	size_t i;
	(void)state;
	for (i = 0; i < 2; i++) {
		perfdb_resultset *rs = load(files[i]);
		const perfdb_result *r = perfdb_resultset_get(rs, 0);
		int m;
		assert_int_equal(perfdb_resultset_count(rs), 1);
		assert_string_equal(r->benchmark, "noop");
		assert_string_equal(r->metric, "value");
		assert_string_equal(r->unit, "");
		assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		assert_near(r->value, 1, 0);
		for (m = 0; m < PERFDB_META_COUNT_; m++)
			if (m != PERFDB_META_SOURCE)
				assert_null(perfdb_resultset_meta(rs, (perfdb_meta)m));
		assert_int_equal(perfdb_resultset_tag_count(rs), 0);
		perfdb_resultset_free(rs);
	}
}

/* Results are appended to what the resultset already holds. */
static void test_ingest_native__appends(void **state)
{
	perfdb_resultset *rs = guarded_new();
	const char *text = "{\"results\": [{\"benchmark\": \"after\", \"value\": 2}]}";
	(void)state;
	assert_int_equal(perfdb_ingest_buffer(rs, text, strlen(text), "a.json", JSON), 0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_string_equal(perfdb_resultset_get(rs, 1)->benchmark, "after");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "c0ffee");
	perfdb_resultset_free(rs);
}

static void test_ingest_native__json_errors(void **state)
{
	(void)state;
	/* structure */
	expect_input_error("{\"results\": []}", JSON, "b.json", PERFDB_EINPUT, 1, 13, "results",
			   "is empty");
	expect_input_error("{\"run\": {}}", JSON, "b.json", PERFDB_EINPUT, 1, 1, "results",
			   "missing 'results'");
	expect_input_error("[1]", JSON, "b.json", PERFDB_EINPUT, 1, 1, NULL,
			   "expected an object with 'results' at the top, got an array");
	expect_input_error("{\"results\": {}}", JSON, "b.json", PERFDB_EINPUT, 1, 13, "results",
			   "expected an array, got an object");
	expect_input_error("{\"results\": [1]}", JSON, "b.json", PERFDB_EINPUT, 1, 14, "results[0]",
			   "expected an object, got a number");
	/* missing, wrong and non-finite fields */
	expect_input_error(
	    "{\"results\": [\n  {\"benchmark\": \"a\", \"value\": 1},\n  {\"value\": 2}\n]}", JSON,
	    "b.json", PERFDB_EINPUT, 3, 3, "results[1].benchmark", "missing 'benchmark'");
	expect_input_error("{\"results\": [{\"benchmark\": 5, \"value\": 1}]}", JSON, "b.json",
			   PERFDB_EINPUT, 1, 28, "results[0].benchmark",
			   "expected a string, got a number");
	expect_input_error("{\"results\": [{\"benchmark\": \"\", \"value\": 1}]}", JSON, "b.json",
			   PERFDB_EINPUT, 1, 28, "results[0].benchmark", "must not be empty");
	expect_input_error("{\"results\": [\n {\"benchmark\": \"a\", \"value\": \"12\"}]}", JSON,
			   "b.json", PERFDB_EINPUT, 2, 30, "results[0].value",
			   "expected a number, got a string (\"12\")");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": NaN}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 42, "results[0].value",
			   "NaN is not a measurement");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": -Infinity}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 42, "results[0].value",
			   "an infinite value is not a measurement");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": null}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 42, "results[0].value",
			   "expected a number, got null");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": true}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 42, "results[0].value",
			   "expected a number, got a boolean");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\"}]}", JSON, "b.json", PERFDB_EINPUT,
			   1, 14, "results[0].value", "missing 'value'");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"samples\": []}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 44, "results[0].samples", "is empty");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"samples\": [1, \"x\"]}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 48, "results[0].samples[1]",
			   "expected a number, got a string (\"x\")");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"samples\": 3}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 44, "results[0].samples",
			   "expected an array of numbers, got a number");
	/* unknown keys */
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"vaule\": 1}]}", JSON, "b.json",
			   PERFDB_EINPUT, 1, 42, "results[0].vaule",
			   "unknown key 'vaule' (did you mean 'value'?)");
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"color\": \"red\"}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 54, "results[0].color",
	    "unknown key 'color' (expected one of benchmark, metric, unit, direction, "
	    "value, samples, n, mean, median, stddev, min, max; keys starting with "
	    "'x-' are ignored)");
	expect_input_error("{\"resluts\": [{\"benchmark\": \"a\", \"value\": 1}]}", JSON, "b.json",
			   PERFDB_EINPUT, 1, 13, "resluts", "did you mean 'results'?");
	expect_input_error(
	    "{\"run\": {\"sha\": \"abc\"}, \"results\": [{\"benchmark\": \"a\", \"value\": 1}]}",
	    JSON, "b.json", PERFDB_EINPUT, 1, 17, "run.sha", "unknown key 'sha'");
	/* checked values */
	expect_input_error("{\"perfdb\": 2, \"results\": [{\"benchmark\": \"a\", \"value\": 1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 12, "perfdb",
			   "unsupported format version 2 (this perfdb reads version 1)");
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"direction\": \"up\"}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 58, "results[0].direction", "unknown direction 'up'");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"n\": 1.5}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 50, "results[0].n",
			   "expected a whole number of at least 1, got 1.5");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"n\": 0}]}", JSON,
			   "b.json", PERFDB_EINPUT, 1, 50, "results[0].n", "at least 1");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"stddev\": -1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 55, "results[0].stddev",
			   "cannot be negative");
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"min\": 2, \"max\": 1}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 52, "results[0].min", "min 2 is greater than max 1");
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"metric\": \"\", \"value\": 1}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 43, "results[0].metric", "must not be empty");
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"value\": 1},\n"
	    "             {\"benchmark\": \"a\", \"metric\": \"value\", \"value\": 2}]}",
	    JSON, "b.json", PERFDB_EINPUT, 2, 28, "results[1].benchmark",
	    "duplicate result: benchmark 'a', metric 'value' is already results[0]");
	/* 1e300 s is finite, but not in ns. */
	expect_input_error(
	    "{\"results\": [{\"benchmark\": \"a\", \"unit\": \"s\", \"value\": 1e300}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 14, "results[0]",
	    "a number is out of range once converted from 's' to the base unit");
	/* run */
	expect_input_error("{\"run\": \"x\", \"results\": [{\"benchmark\": \"a\", \"value\": 1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 9, "run",
			   "expected an object, got a string");
	expect_input_error(
	    "{\"run\": {\"commit\": 12}, \"results\": [{\"benchmark\": \"a\", \"value\": 1}]}",
	    JSON, "b.json", PERFDB_EINPUT, 1, 20, "run.commit", "expected a string, got a number");
	expect_input_error("{\"run\": {\"time\": \"yesterday\"}, \"results\": [{\"benchmark\": "
			   "\"a\", \"value\": 1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 18, "run.time",
			   "'yesterday' is not an ISO 8601 time with a zone");
	expect_input_error("{\"run\": {\"tags\": {\"k\": null}}, \"results\": [{\"benchmark\": "
			   "\"a\", \"value\": 1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 24, "run.tags.k",
			   "expected a string, number or boolean, got null");
	expect_input_error("{\"run\": {\"context\": {\"k\": [1]}}, \"results\": [{\"benchmark\": "
			   "\"a\", \"value\": 1}]}",
			   JSON, "b.json", PERFDB_EINPUT, 1, 27, "run.context.k",
			   "expected a string, number or boolean, got an array");
	expect_input_error(
	    "{\"run\": {\"tags\": [1]}, \"results\": [{\"benchmark\": \"a\", \"value\": 1}]}", JSON,
	    "b.json", PERFDB_EINPUT, 1, 18, "run.tags", "expected an object, got an array");
}

/* Syntax errors come from the JSON layer, with a position. */
static void test_ingest_native__json_syntax(void **state)
{
	perfdb_resultset *rs = guarded_new();
	const char *text = "{\"results\": [\n  {\"benchmark\": \"a\", \"value\": 1,}\n]}";
	const perfdb_error *e;
	(void)state;
	assert_int_equal(perfdb_ingest_buffer(rs, text, strlen(text), "s.json", JSON),
			 PERFDB_EINPUT);
	e = perfdb_error_last();
	assert_string_equal(e->file, "s.json");
	assert_int_equal(e->line, 2);
	assert_true(e->column > 0);
	assert_guarded_unchanged(rs);

	/* A duplicate key is refused by the layer, not silently overwritten. */
	text = "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"value\": 2}]}";
	assert_int_equal(perfdb_ingest_buffer(rs, text, strlen(text), "s.json", JSON),
			 PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 1);
	assert_guarded_unchanged(rs);
	perfdb_resultset_free(rs);
}

static void test_ingest_native__yaml_errors(void **state)
{
	(void)state;
	expect_input_error("results: []\n", YAML, "b.yaml", PERFDB_EINPUT, 1, 10, "results",
			   "is empty");
	/* an escaped NUL would cut the name to "a" (another benchmark); so in
	 * a tag's value or a key */
	expect_input_error("results:\n  - benchmark: \"a\\0b\"\n    value: 1\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 2, 16, NULL, "a NUL character (\\0) in a scalar");
	expect_input_error(
	    "run:\n  tags: {\"k\\x00\": v}\nresults:\n  - {benchmark: a, value: 1}\n", YAML,
	    "b.yaml", PERFDB_EINPUT, 2, 10, NULL, "a NUL character (\\0) in a scalar");
	expect_input_error("results:\n  - benchmark: a\n    value: 1\n  - value: 2\n", YAML,
			   "b.yaml", PERFDB_EINPUT, 4, 5, "results[1].benchmark",
			   "missing 'benchmark'");
	expect_input_error("results:\n  - benchmark: a\n    value: .nan\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value", "NaN is not a measurement");
	/* an explicit !!str is a string, as a quoted scalar is (it read as 5) */
	expect_input_error("results:\n  - benchmark: a\n    value: !!str 5\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value",
			   "expected a number, got a string (\"5\")");
	expect_input_error("results:\n  - benchmark: a\n    samples: [1, 2, !!str 3]\n", YAML,
			   "b.yaml", PERFDB_EINPUT, 3, 21, "results[0].samples[2]",
			   "expected a number, got a string (\"3\")");
	expect_input_error("results:\n  - benchmark: a\n    value: -.inf\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value",
			   "an infinite value is not a measurement");
	expect_input_error("results:\n  - benchmark: a\n    value: \"12\"\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value",
			   "expected a number, got a string (\"12\")");
	expect_input_error("results:\n  - benchmark: a\n    value: 12abc\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value",
			   "expected a number, got a string (\"12abc\")");
	expect_input_error("results:\n  - benchmark: a\n    value: ~\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 12, "results[0].value", "expected a number, got null");
	expect_input_error("results:\n  - benchmark: a\n    samples: [1, two]\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 18, "results[0].samples[1]",
			   "expected a number, got a string (\"two\")");
	expect_input_error("results:\n  - benchmark: a\n    vaule: 1\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 5, "results[0].vaule", "did you mean 'value'?");
	expect_input_error("results:\n  - benchmark: a\n    value: 1\n    value: 2\n", YAML,
			   "b.yaml", PERFDB_EINPUT, 4, 5, "results[0].value",
			   "duplicate key 'value'");
	expect_input_error("results:\n  - benchmark: [a]\n    value: 1\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 2, 16, "results[0].benchmark",
			   "expected a string, got an array");
	expect_input_error(
	    "run:\n  tags:\n    a: 1\n    a: 2\nresults:\n  - {benchmark: a, value: 1}\n", YAML,
	    "b.yaml", PERFDB_EINPUT, 4, 5, "run.tags.a", "duplicate key 'a'");
	expect_input_error("perfdb: \"1\"\nresults:\n  - {benchmark: a, value: 1}\n", YAML,
			   "b.yaml", PERFDB_EINPUT, 1, 9, "perfdb",
			   "expected a number, got a string (\"1\")");
	expect_input_error("results: {benchmark: a}\n", YAML, "b.yaml", PERFDB_EINPUT, 1, 10,
			   "results", "expected an array, got an object");
	expect_input_error("- a\n- b\n", YAML, "b.yaml", PERFDB_EINPUT, 1, 1, NULL,
			   "expected an object with 'results' at the top, got an array");
	expect_input_error("hello\n", YAML, "b.yaml", PERFDB_EINPUT, 1, 1, NULL, "got a string");
	expect_input_error("# only a comment\n", YAML, "b.yaml", PERFDB_EINPUT, 0, 0, NULL,
			   "no YAML document");
	expect_input_error(
	    "results:\n  - {benchmark: a, value: 1}\n---\nresults:\n  - {benchmark: b, value: 1}\n",
	    YAML, "b.yaml", PERFDB_EINPUT, 4, 1, NULL,
	    "a second YAML document: one file holds one run");
	expect_input_error("results:\n  - benchmark: a\n   value: 1\n", YAML, "b.yaml",
			   PERFDB_EINPUT, 3, 4, NULL, "invalid YAML");
	expect_input_error("results:\n  - ? [a]\n    : 1\n", YAML, "b.yaml", PERFDB_EINPUT, 2, 7,
			   NULL, "a key must be a plain name, not a sequence");
	expect_input_error(
	    "run:\n  time: 2026-11-25T09:00:00\nresults:\n  - {benchmark: a, value: 1}\n", YAML,
	    "b.yaml", PERFDB_EINPUT, 2, 9, "run.time", "is not an ISO 8601 time with a zone");
}

/* YAML scalars: plain numbers where strings belong are text; numbers in all core-schema forms. */
static void test_ingest_native__yaml_scalars(void **state)
{
	perfdb_resultset *rs = ingest_ok("run:\n"
					 "  commit: 1234567\n"
					 "  branch: 2026\n"
					 "  tags: {threads: 4, ratio: 0.5, on: true, name: 'x y'}\n"
					 "results:\n"
					 "  - {benchmark: 1024, value: 0x10}\n"
					 "  - {benchmark: b, value: +1.5e3}\n"
					 "  - {benchmark: c, value: !!float 7}\n"
					 "  - {benchmark: d, value: .5, unit: \"ms\"}\n",
					 YAML);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "1234567");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), "2026");
	assert_string_equal(tag_value(rs, "threads", false), "4");
	assert_string_equal(tag_value(rs, "ratio", false), "0.5");
	assert_string_equal(tag_value(rs, "on", false), "true");
	assert_string_equal(tag_value(rs, "name", false), "x y");
	assert_near(find_result(rs, "1024", "value")->value, 16, 0);
	assert_near(find_result(rs, "b", "value")->value, 1500, 0);
	assert_near(find_result(rs, "c", "value")->value, 7, 0);
	assert_near(find_result(rs, "d", "value")->value, 0.5e6, 1e-6);
	perfdb_resultset_free(rs);
}

/* Tags from JSON numbers keep their shortest spelling. */
static void test_ingest_native__json_tag_values(void **state)
{
	perfdb_resultset *rs = ingest_ok(
	    "{\"run\": {\"tags\": {\"a\": 4, \"b\": 0.1, \"c\": false, \"d\": 1e20, \"e\": \"s\"}},"
	    " \"results\": [{\"benchmark\": \"x\", \"value\": 1}]}",
	    JSON);
	(void)state;
	assert_string_equal(tag_value(rs, "a", false), "4");
	assert_string_equal(tag_value(rs, "b", false), "0.1");
	assert_string_equal(tag_value(rs, "c", false), "false");
	assert_string_equal(tag_value(rs, "d", false), "1e+20");
	assert_string_equal(tag_value(rs, "e", false), "s");
	perfdb_resultset_free(rs);
}

static void test_ingest_native__times(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
	    {"2026-11-25T09:00:00Z", "2026-11-25T09:00:00Z"},
	    {"2026-11-25T10:00:00+01:00", "2026-11-25T09:00:00Z"},
	    {"2026-11-25 04:00:00.123456-05:00", "2026-11-25T09:00:00Z"},
	    {"2026-11-25T09:00:00+0000", "2026-11-25T09:00:00Z"},
	    {"2026-11-25T00:30:00+01:00", "2026-11-24T23:30:00Z"},
	    {"2024-02-29T12:00:00z", "2024-02-29T12:00:00Z"},
	};
	static const char *bad[] = {
	    "2026-11-25T09:00:00",	 "2026-02-30T00:00:00Z",
	    "2026-13-01T00:00:00Z",	 "25/11/2026",
	    "2026-11-25T09:00:00Zx",	 "2026-11-25T24:00:00Z",
	    "2026-11-25T09:00:00+25:00", "2026-11-25T09:00:00.Z",
	};
	char text[256];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		perfdb_resultset *rs;
		snprintf(text, sizeof(text),
			 "{\"run\": {\"time\": \"%s\"}, \"results\": [{\"benchmark\": \"a\", "
			 "\"value\": 1}]}",
			 ok[i].in);
		rs = ingest_ok(text, JSON);
		assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT), ok[i].out);
		perfdb_resultset_free(rs);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"run\": {\"time\": \"%s\"}, \"results\": [{\"benchmark\": \"a\", "
			 "\"value\": 1}]}",
			 bad[i]);
		expect_input_error(text, JSON, "t.json", PERFDB_EINPUT, 1, 18, "run.time",
				   "is not an ISO 8601 time with a zone");
	}
}

/* Every run key reaches its metadata slot. */
static void test_ingest_native__run_metadata(void **state)
{
	perfdb_resultset *rs = ingest_ok("run:\n"
					 "  commit: abc\n"
					 "  parent: abb\n"
					 "  subject: Make parse faster\n"
					 "  author: A. Person <a@example.org>\n"
					 "  committed_at: 2026-11-24T18:00:00-08:00\n"
					 "  branch: feature/x\n"
					 "  machine: m1\n"
					 "  time: 2026-11-25T09:00:00Z\n"
					 "  x-ci: {job: 7}\n"
					 "results:\n"
					 "  - {benchmark: a, value: 1}\n",
					 YAML);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "abc");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_PARENT), "abb");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SUBJECT), "Make parse faster");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_AUTHOR),
			    "A. Person <a@example.org>");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMITTED_AT),
			    "2026-11-25T02:00:00Z");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), "feature/x");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_MACHINE), "m1");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2026-11-25T09:00:00Z");
	perfdb_resultset_free(rs);
}

/* A large document: every result arrives, and a duplicate at the very end is still found. */
static void test_ingest_native__many_results(void **state)
{
	enum { N = 20000 };
	size_t cap = (size_t)N * 80 + 256, len = 0, i;
	char *buf = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "{\"results\": [\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(
		    buf + len, cap - len,
		    "{\"benchmark\": \"b%zu\", \"unit\": \"us\", \"value\": %zu},\n", i, i);
	len += (size_t)snprintf(buf + len, cap - len, "{\"benchmark\": \"b7\", \"value\": 1}]}");
	expect_input_error(
	    buf, JSON, "big.json", PERFDB_EINPUT, N + 2, 15, "results[20000].benchmark",
	    "duplicate result: benchmark 'b7', metric 'value' is already results[7]");

	/* Without the duplicate. */
	snprintf(strrchr(buf, '{'), cap - (size_t)(strrchr(buf, '{') - buf),
		 "{\"benchmark\": \"last\", \"value\": 1}]}");
	rs = ingest_ok(buf, JSON);
	assert_int_equal(perfdb_resultset_count(rs), N + 1);
	assert_near(perfdb_resultset_get(rs, 12345)->value, 12345e3, 0);
	perfdb_resultset_free(rs);
	free(buf);
}

/* A named file of n results b0.. with a run commit; `tail` ends the array. */
static void write_results(const char *path, size_t n, const char *tail)
{
	FILE *f = fopen(path, "w");
	size_t i;
	assert_non_null(f);
	fprintf(f, "{\"run\": {\"commit\": \"c0ffee\"}, \"results\": [\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"benchmark\": \"b%zu\", \"unit\": \"ms\", \"value\": %zu}",
			i ? ",\n" : "", i, i);
	fprintf(f, "%s", tail);
	assert_int_equal(fclose(f), 0);
}

/* Issue 12: `perfdb record` of ten million tiny results writes them in
 * batches as they are read (a resultset sink); the batches and what is left
 * are the results of the whole read, in order, and the run's metadata is
 * known from the first batch on. */
static void test_ingest_native__results_go_to_a_sink_in_batches(void **state)
{
	char path[] = "/tmp/perfdb-native-sink-XXXXXX", *want, *got;
	static const size_t sizes[] = {1, 2, 3, 7, 1000};
	sink_collect c;
	size_t i;
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_results(path, 10, "]}\n");
	want = sink_collect_read(&c, path, JSON, 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		got = sink_collect_read(&c, path, JSON, sizes[i]);
		assert_string_equal(got, want);
		assert_int_equal(c.writes, 10 / sizes[i]);
		assert_int_equal(c.largest, sizes[i] <= 10 ? sizes[i] : 0);
		assert_int_equal(c.discards, 0);
		if (c.writes)
			assert_string_equal(c.first_commit, "c0ffee");
		free(got);
	}
	free(want);

	/* A duplicate in a later batch names the result it repeats by its
	 * place in the file (b8 is results[8], the first of the third batch of
	 * 4), as the whole read does. */
	write_results(path, 10, ",\n{\"benchmark\": \"b8\", \"value\": 1}]}\n");
	want = sink_collect_read(&c, path, JSON, 0);
	assert_non_null(strstr(want, "is already results[8]"));
	got = sink_collect_read(&c, path, JSON, 4);
	assert_string_equal(got, want);
	assert_int_equal(c.writes, 2);
	free(got);
	free(want);

	/* One that repeats an earlier batch's result is the store's to refuse
	 * (the batch is gone from the reader's memory). */
	write_results(path, 10, ",\n{\"benchmark\": \"b1\", \"unit\": \"ms\", \"value\": 1}]}\n");
	got = sink_collect_read(&c, path, JSON, 3);
	assert_non_null(strstr(got, "rc 0\n"));
	assert_int_equal(c.writes, 3);
	free(got);

	/* A syntax error after batches were written: the file is read whole
	 * after all, and the sink forgets them first. */
	write_results(path, 10, ",\n{\"benchmark\": \"b10\", \"value\": 1x}]}\n");
	want = sink_collect_read(&c, path, JSON, 0);
	got = sink_collect_read(&c, path, JSON, 3);
	assert_string_equal(got, want);
	assert_int_equal(c.writes, 3);
	assert_int_equal(c.discards, 1);
	free(got);
	free(want);
	unlink(path);
}

/* Issue 12: nesting is refused at the JSON reader's depth, as the events
 * arrive. libyaml's loader took 36 s for 100,000 levels before the validator
 * saw the tree (quadratic): this input took minutes. */
static void test_ingest_native__yaml_deep_nesting(void **state)
{
	const size_t levels = 200000;
	size_t i, n = strlen("results: ");
	char *text = malloc(n + 2 * levels + 2);
	(void)state;
	assert_non_null(text);
	memcpy(text, "results: ", n);
	for (i = 0; i < levels; i++)
		text[n + i] = '[';
	for (i = 0; i < levels; i++)
		text[n + levels + i] = ']';
	text[n + 2 * levels] = '\n';
	text[n + 2 * levels + 1] = '\0';
	/* The top mapping is level 1; the 512th '[' would be level 513. */
	expect_input_error(text, YAML, "deep.yaml", PERFDB_EINPUT, 1, 10 + 511, NULL,
			   "nesting too deep (more than 512 levels)");
	/* Flow mappings and block nesting count the same. */
	memset(text + n, '{', levels);
	expect_input_error(text, YAML, "deep.yaml", PERFDB_EINPUT, 1, 10 + 511, NULL,
			   "nesting too deep");
	free(text);
}

/* The text of reading doc (with suffix appended) as native YAML. */
static char *yaml_text(const char *doc, const char *suffix)
{
	size_t n = strlen(doc), m = strlen(suffix);
	char *buf = malloc(n + m + 1), *out;
	perfdb_resultset *rs;
	int rc;
	assert_non_null(buf);
	memcpy(buf, doc, n);
	memcpy(buf + n, suffix, m + 1);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_buffer(rs, buf, n + m, "r.yaml", YAML);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	free(buf);
	return out;
}

/* Issue 12: the items of a YAML file's results are read one at a time and
 * dropped (all of libyaml's nodes took 23 times the file): the same
 * results, warnings and errors, word for word, as the document loaded
 * whole, which an anchor at its end makes it be. */
static void test_ingest_native__yaml_results_item_at_a_time(void **state)
{
	static const char *const docs[] = {
	    ("results:\n  - benchmark: a\n    samples: [1, 2.5, 3]\n  - {benchmark: b, value: 2, "
	     "unit: ms}\nrun:\n  commit: abc\n  tags: {k: v}\nperfdb: 1\n"),
	    "perfdb: 1\nresults: [{benchmark: a, value: 1}, {benchmark: b, value: .nan}]\n",
	    /* an error in an item; in run after the results (run's first); both */
	    "results:\n  - {benchmark: a, value: 1}\n  - {benchmark: b, value: x}\n",
	    "results:\n  - {benchmark: a, value: 1}\nrun: {commit: [1]}\n",
	    "results:\n  - {benchmark: a, value: x}\nrun: {commit: [1]}\n",
	    /* items that are not mappings, a duplicate, an unknown key after */
	    "results:\n  - 3\n  - {benchmark: a, value: 1}\n",
	    "results:\n  - [1, 2]\n",
	    "results:\n  - {benchmark: a, value: 1}\n  - {benchmark: a, value: 2}\n",
	    "results:\n  - {benchmark: a, value: 1}\nrnu: 1\n",
	    /* empty, not a sequence, missing, the key twice */
	    "results: []\n",
	    "results: {benchmark: a, value: 1}\n",
	    "run: {commit: abc}\n",
	    "results: [{benchmark: a, value: 1}]\nresults: [{benchmark: b, value: 1}]\n",
	    /* a syntax error after the results, too deep inside an item, a
	     * second document */
	    "results:\n  - {benchmark: a, value: 1}\nrun: {commit: [}\n",
	    "results:\n  - {benchmark: a, samples: [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}\n",
	    "results: [{benchmark: a, value: 1}]\n---\nresults: []\n",
	    /* quoted keys are keys too */
	    "\"results\": [{benchmark: a, value: 1}]\n'run': {machine: m}\n",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char *cut = yaml_text(docs[i], ""), *whole = yaml_text(docs[i], "x-whole: &w 1\n");
		if (strcmp(cut, whole) != 0)
			print_error("doc %zu:\n%s\nitem at a time:\n%s\nwhole:\n%s\n", i, docs[i],
				    cut, whole);
		assert_string_equal(cut, whole);
		free(cut);
		free(whole);
	}
}

static int count_item(void *ctx, yaml_document_t *doc, yaml_node_t *item, size_t index)
{
	size_t *n = ctx;
	assert_int_equal(index, *n);
	assert_int_equal(item->type, YAML_MAPPING_NODE);
	/* the document holds the rest so far (7 nodes) and this item (5), no
	 * earlier item */
	assert_int_equal(doc->nodes.top - doc->nodes.start, 12);
	++*n;
	return 0;
}

/* The loader hands each item over and keeps none of them but those with an
 * anchor. */
static void test_ingest_native__yaml_load_cut(void **state)
{
	const char *text =
	    "run: {commit: abc}\nresults:\n  - {benchmark: a, value: 1}\n"
	    "  - {benchmark: b, value: 2}\n  - {benchmark: c, value: 3}\nperfdb: 1\n";
	size_t seen = 0;
	perfdb_yaml_cut cut = {.key = "results", .each = count_item, .ctx = &seen};
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *results;
	(void)state;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	assert_int_equal(perfdb_ingest__yaml_load_cut(&doc, &parser, "c.yaml", "run", &cut, NULL),
			 0);
	yaml_parser_delete(&parser);
	assert_int_equal(seen, 3);
	assert_int_equal(cut.items, 3);
	assert_true(cut.found);
	/* root, run and its mapping, commit and abc, results and its (empty)
	 * sequence, perfdb and 1 */
	assert_int_equal(doc.nodes.top - doc.nodes.start, 9);
	results = yaml_document_get_node(
	    &doc, yaml_document_get_root_node(&doc)->data.mapping.pairs.start[1].value);
	assert_int_equal(results->type, YAML_SEQUENCE_NODE);
	assert_true(results->data.sequence.items.top == results->data.sequence.items.start);
	assert_int_equal(results->start_mark.line, 2);
	yaml_document_delete(&doc);

	/* anchors: an item that holds one stays (an alias may name it later),
	 * one that is an alias has no nodes of its own, the others go */
	text = "x-a: &a 1\nresults:\n  - {benchmark: a, value: *a}\n"
	       "  - {benchmark: b, value: &b 2}\n  - {benchmark: c, value: *b}\n  - *a\n";
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	cut.each = NULL;
	assert_int_equal(perfdb_ingest__yaml_load_cut(&doc, &parser, "c.yaml", "run", &cut, NULL),
			 0);
	yaml_parser_delete(&parser);
	assert_int_equal(cut.items, 4);
	/* root, x-a and 1, results and its sequence, and the second item (its
	 * mapping, benchmark, b, value, 2) */
	assert_int_equal(doc.nodes.top - doc.nodes.start, 10);
	assert_string_equal((const char *)doc.nodes.start[7].data.scalar.value, "b");
	yaml_document_delete(&doc);

	/* an alias to the sequence whose items are gone: load it whole */
	text = "results: &r [{benchmark: a, value: 1}]\nx-r: *r\n";
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	assert_int_equal(perfdb_ingest__yaml_load_cut(&doc, &parser, "c.yaml", "run", &cut, NULL),
			 PERFDB_YAML__FALLBACK);
	yaml_parser_delete(&parser);
}

/* A big native YAML file with anchors is still read an item at a time, with
 * what an alias names: the same results as the whole document gives. */
static void test_ingest_native__yaml_anchors_item_at_a_time(void **state)
{
	const char *text = "x-unit: &u ms\nresults:\n"
			   "  - {benchmark: a, unit: *u, samples: &s [1, 2, 3]}\n"
			   "  - {benchmark: b, unit: *u, samples: *s}\n"
			   "  - &c {benchmark: c, value: 4}\n";
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, strlen(text), "a.yaml", YAML), 0);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	r = perfdb_resultset_get(rs, 1);
	assert_string_equal(r->benchmark, "b");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[2], 3e6, 0);
	assert_near(perfdb_resultset_get(rs, 2)->value, 4, 0);
	perfdb_resultset_free(rs);
}

/* A file that anchors in every item cannot make the loader keep them all. */
static void test_ingest_native__yaml_anchored_items_bounded(void **state)
{
	size_t cap = 25000 * 48 + 16, n, i;
	char *text = malloc(cap);
	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "results:\n");
	for (i = 0; i < 25000; i++)
		n += (size_t)snprintf(text + n, cap - n, "  - {benchmark: b%zu, value: &a%zu 1}\n",
				      i, i);
	/* 5 nodes an item: the 20,001st passes 100,000 (line 20,002) */
	expect_input_error(text, YAML, "k.yaml", PERFDB_EINPUT, 20002, 5, NULL,
			   "the anchored items of 'results' hold more than 100,000 nodes");
	free(text);
}

/*
 * Read an item at a time, a YAML document holds at most 250,000 nodes at once
 * besides its packed numbers: a run of 124,990 tags is read, one of 125,000
 * (250,000 nodes for them alone) is refused at the tag that passes, and a
 * result of 300,000 samples (packed) is read.
 */
static void test_ingest_native__yaml_nodes_held_bounded(void **state)
{
	size_t cap = 130000 * 24 + 300000 * 8 + 64, n, i, tags;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (tags = 124990; tags <= 125000; tags += 10) {
		n = (size_t)snprintf(text, cap, "run:\n  tags:\n");
		for (i = 0; i < tags; i++)
			n += (size_t)snprintf(text + n, cap - n, "    k%zu: v\n", i);
		n += (size_t)snprintf(text + n, cap - n,
				      "results:\n  - benchmark: a\n    samples: [");
		for (i = 0; i < 300000; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s%zu", i ? "," : "", i % 10);
		n += (size_t)snprintf(text + n, cap - n, "]\n");
		if (tags < 125000) {
			assert_int_equal(perfdb_resultset_new(&rs), 0);
			assert_int_equal(perfdb_ingest_buffer(rs, text, n, "t.yaml", YAML), 0);
			assert_int_equal(perfdb_resultset_tag_count(rs), tags);
			assert_int_equal(perfdb_resultset_get(rs, 0)->nsamples, 300000);
			perfdb_resultset_free(rs);
		} else {
			/* the root, run and tags mappings, 'run' and 'tags' keys: 5
			 * nodes, then two a tag; the 124,998th tag's value passes */
			expect_input_error(
			    text, YAML, "t.yaml", PERFDB_EINPUT, 2 + 124998, 14, NULL,
			    "more than 250,000 values held at once (the document "
			    "besides the items of 'results', and the item being read)");
		}
	}
	free(text);
}

static void test_ingest_native__yaml_aliases(void **state)
{
	perfdb_resultset *rs;
	const char *ok = "x-s: &s [1, 2, 3]\nresults:\n  - {benchmark: a, samples: *s}\n"
			 "  - {benchmark: b, samples: *s}\n";
	/* Nine levels of ten aliases: 10^9 nodes from 200 bytes. */
	const char *laughs = "x-a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			     "x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			     "x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			     "x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			     "x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			     "x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			     "x-g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
			     "x-h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			     "results: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, ok, strlen(ok), "a.yaml", YAML), 0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_int_equal(perfdb_resultset_get(rs, 1)->nsamples, 3);
	assert_near(perfdb_resultset_get(rs, 1)->samples[2], 3, 0);
	perfdb_resultset_free(rs);
	expect_input_error(laughs, YAML, "l.yaml", PERFDB_EINPUT, 6, 38, NULL,
			   "aliases expand the document to too many nodes");
	/* An alias inside the node it names would make a cycle. */
	expect_input_error("results: &r [*r]\n", YAML, "c.yaml", PERFDB_EINPUT, 1, 14, NULL,
			   "alias '*r' names no anchor before it");
	expect_input_error("results: [*nowhere]\n", YAML, "c.yaml", PERFDB_EINPUT, 1, 11, NULL,
			   "alias '*nowhere'");
}

/* Text quoted from the file cannot drive the terminal (issue 12). */
static void test_ingest_native__errors_escape_controls(void **state)
{
	(void)state;
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": \"\\u001b[2J1\"}]}",
			   JSON, "e.json", PERFDB_EINPUT, 1, 42, "results[0].value",
			   "got a string (\"\\x1b[2J1\")");
	expect_input_error("results:\n  - {benchmark: a, value: \"\\e]0;x\\a\"}\n", YAML, "e.yaml",
			   PERFDB_EINPUT, 2, 27, "results[0].value",
			   "got a string (\"\\x1b]0;x\\x07\")");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_native__json_full),
	    cmocka_unit_test(test_ingest_native__yaml_full),
	    cmocka_unit_test(test_ingest_native__yaml_equals_json),
	    cmocka_unit_test(test_ingest_native__minimal),
	    cmocka_unit_test(test_ingest_native__appends),
	    cmocka_unit_test(test_ingest_native__json_errors),
	    cmocka_unit_test(test_ingest_native__json_syntax),
	    cmocka_unit_test(test_ingest_native__yaml_errors),
	    cmocka_unit_test(test_ingest_native__yaml_scalars),
	    cmocka_unit_test(test_ingest_native__json_tag_values),
	    cmocka_unit_test(test_ingest_native__times),
	    cmocka_unit_test(test_ingest_native__run_metadata),
	    cmocka_unit_test(test_ingest_native__many_results),
	    cmocka_unit_test(test_ingest_native__results_go_to_a_sink_in_batches),
	    cmocka_unit_test(test_ingest_native__yaml_deep_nesting),
	    cmocka_unit_test(test_ingest_native__yaml_aliases),
	    cmocka_unit_test(test_ingest_native__yaml_nodes_held_bounded),
	    cmocka_unit_test(test_ingest_native__yaml_results_item_at_a_time),
	    cmocka_unit_test(test_ingest_native__yaml_load_cut),
	    cmocka_unit_test(test_ingest_native__yaml_anchors_item_at_a_time),
	    cmocka_unit_test(test_ingest_native__yaml_anchored_items_bounded),
	    cmocka_unit_test(test_ingest_native__errors_escape_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
