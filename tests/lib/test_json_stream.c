/*
 * Google Benchmark and perfdb native JSON files read an item at a time
 * (lib/ingest/json_stream.c) against the same bytes read whole: the results,
 * warnings, context, metadata, or the error, must be the same, byte for byte,
 * for every JSON file in tests/data and in ../shared/data/corpus (when
 * present), and for hand-made files that probe the joins (errors in and
 * between items, positions after multi-byte characters and the cut-out
 * array, depth limits, what comes after the array).
 */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "ingest/json_parse.h"
#include "ingest/json_stream.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"

/* --- the two ways ------------------------------------------------------------------------ */

/* How the file at path reads through the stream itself (not through
 * perfdb_ingest_file, which falls back): 0, an error, or the fallback. */
static int streamed(const char *path, perfdb_format fmt)
{
	perfdb_json_stream *s = NULL;
	perfdb_resultset *rs;
	int fd = open(path, O_RDONLY), rc;
	assert_true(fd >= 0);
	assert_non_null(perfdb_ingest__stream_key(fmt));
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_json__stream_open(&s, fd, path, perfdb_ingest__stream_key(fmt),
				      PERFDB_INGEST_MAX_INPUT);
	if (!rc)
		rc = perfdb_ingest__stream_read(rs, fmt, s);
	perfdb_json__stream_close(s);
	perfdb_resultset_free(rs);
	close(fd);
	return rc;
}

static void same(const char *path, perfdb_format fmt)
{
	char *whole = read_whole(path, fmt), *file = read_file(path, fmt);
	if (strcmp(whole, file) != 0) {
		print_error("%s: whole:\n%.2000s\nstreamed:\n%.2000s\n", path, whole, file);
		fail();
	}
	free(whole);
	free(file);
}

static void same_auto(const char *path)
{
	same(path, PERFDB_FORMAT_AUTO);
}

/* --- tests ------------------------------------------------------------------------------- */

static void test_json_stream__same_as_whole_tests_data(void **state)
{
	(void)state;
	assert_true(same_under(PERFDB_TEST_DATA, ".json", same_auto) >= 20);
}

static void test_json_stream__same_as_whole_shared_corpus(void **state)
{
	size_t n = same_under(PERFDB_SOURCE_DIR "/../shared/data/corpus", ".json", same_auto);
	(void)state;
	if (!n)
		skip();
}

/* The fixtures really go through the stream (no fallback). */
static void test_json_stream__fixtures_are_streamed(void **state)
{
	static const char *const gbench[] = {"gbench_basic.json",
					     "gbench_dup_failed_rep.json",
					     "gbench_hand_aggregate.json",
					     "gbench_nan.json",
					     "gbench_out.json",
					     "gbench_skipped.json",
					     "gbench_v1_1_reps.json",
					     "gbench_v1_4_aggonly.json"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(gbench) / sizeof(gbench[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/gbench/%s", PERFDB_TEST_DATA, gbench[i]);
		assert_int_equal(streamed(path, PERFDB_FORMAT_GBENCH), 0);
	}
	assert_int_equal(streamed(PERFDB_TEST_DATA "/native/full.json", PERFDB_FORMAT_NATIVE_JSON),
			 0);
	assert_int_equal(
	    streamed(PERFDB_TEST_DATA "/native/minimal.json", PERFDB_FORMAT_NATIVE_JSON), 0);
	/* a syntax error is left to the whole-file reader */
	assert_int_equal(
	    streamed(PERFDB_TEST_DATA "/gbench/gbench_truncated.json", PERFDB_FORMAT_GBENCH),
	    PERFDB_JSON__FALLBACK);
}

/* Writes text to a temporary file and compares both ways; returns how the
 * stream itself read it. */
static int same_text(const char *body, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-json-stream-XXXXXX";
	int rc;
	write_temp(path, body, strlen(body));
	same(path, fmt);
	same(path, PERFDB_FORMAT_AUTO);
	rc = streamed(path, fmt);
	unlink(path);
	return rc;
}

#define ROW(name, t)                                                                               \
	"{\"name\": \"" name "\", \"run_name\": \"" name "\", \"run_type\": \"iteration\", "       \
	"\"iterations\": 10, \"real_time\": " t ", \"cpu_time\": " t ", \"time_unit\": \"ns\"}"

typedef struct join_case {
	const char *doc;
	int streamed; /* how the stream itself reads it */
} join_case;

static void same_cases(const join_case *cases, size_t n, perfdb_format fmt)
{
	size_t i;
	for (i = 0; i < n; i++) {
		int rc = same_text(cases[i].doc, fmt);
		if (rc != cases[i].streamed) {
			print_error("case %zu: streamed %d, expected %d\n", i, rc,
				    cases[i].streamed);
			fail();
		}
	}
}

static void test_json_stream__gbench_joins(void **state)
{
	static const join_case cases[] = {
	    /* context after the array, CRLF, a byte order mark, multi-byte names */
	    {"\xEF\xBB\xBF{\r\n \"benchmarks\" : [\r\n  " ROW("BM_é", "1") ",\r\n  " ROW(
		 "BM_ü/2", "2.5") "\r\n ],\r\n \"context\": {\"date\": "
				  "\"2024-01-01T00:00:00Z\", \"x\": [1, {\"y\": 2}]}\r\n}\r\n",
	     0},
	    /* one line, multi-byte characters before a bad value */
	    {"{\"context\":{\"é\":\"ü\"},\"benchmarks\":[" ROW("BM_é", "1") "," ROW("BM_ü",
										    "\"x\"") "]}",
	     PERFDB_EINPUT},
	    /* an error in an item, then a syntax error in a later one: the syntax error */
	    {"{\"benchmarks\": [\n" ROW("a", "true") ",\n" ROW("b", "1") ",\n{\"name\": }\n]}",
	     PERFDB_JSON__FALLBACK},
	    /* an error in the context, then a syntax error in an item */
	    {"{\"context\": 3, \"benchmarks\": [\n" ROW("a", "1") ",\n{\"name\": \"b\",}\n]}",
	     PERFDB_JSON__FALLBACK},
	    /* an error in the context, items fine: the context's error */
	    {"{\"context\": 3, \"benchmarks\": [\n" ROW("a", "1") "\n]}", PERFDB_EINPUT},
	    /* a syntax error after the array */
	    {"{\"benchmarks\": [" ROW("a", "1") "], \"context\": {,}}", PERFDB_JSON__FALLBACK},
	    /* trailing comma, a duplicate key after the array, an item that is no object */
	    {"{\"benchmarks\": [" ROW("a", "1") ",\n]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\": [" ROW("a", "1") "], \"benchmarks\": []}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\": [" ROW("a", "1") ", 3]}", PERFDB_EINPUT},
	    /* items that are no objects: the reader says so, at the item, streamed
	     * (read whole, a 1 GB file cost 6 times its size) */
	    {"{\"benchmarks\": [\"x, ]\" ,\n" ROW("a", "1") "]}", PERFDB_EINPUT},
	    {"{\"benchmarks\": [" ROW("a", "1") ",\n  [" ROW("b", "2") ", 1] ]}", PERFDB_EINPUT},
	    {"{\"benchmarks\": [" ROW("a", "1") ",\r\n\tnull\r\n]}", PERFDB_EINPUT},
	    {"{\"benchmarks\": [true," ROW("a", "1") "]}", PERFDB_EINPUT},
	    {"{\"benchmarks\": [" ROW("a", "1") ", -1.5e3]}", PERFDB_EINPUT},
	    /* a bad token as an item, and one after a scalar: the syntax error */
	    {"{\"benchmarks\": [" ROW("a", "1") ", tru]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\": [" ROW("a", "1") ", 1 2]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\": [" ROW("a", "1") ", \"a\tb\"]}", PERFDB_JSON__FALLBACK},
	    /* an escaped key is compared as the parser decodes it (read whole,
	     * a big file cost 6 times its size): any hex case, a simple escape */
	    {"{\"bench\\u006darks\": [" ROW("a", "1") "]}", 0},
	    {"{\"context\": {}, \"\\u0062enchmark\\u0073\": [" ROW("a", "1") "]}", 0},
	    {"{\"\\u0062\\u0065\\u006E\\u0063\\u0068marks\": [" ROW("a", "1") "]}", 0},
	    /* escapes that make another key: no such array, the reader's error */
	    {"{\"bench\\/marks\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\\u00e9\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmark\\ts\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\\u0000\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    /* a bad escape in the key: the syntax error */
	    {"{\"bench\\u00zdarks\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"bench\\u6d\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"benchmarks\\q\": [" ROW("a", "1") "]}", PERFDB_JSON__FALLBACK},
	    /* the escaped key twice: the parser's duplicate */
	    {"{\"benchmarks\": [" ROW("a", "1") "], \"bench\\u006darks\": []}",
	     PERFDB_JSON__FALLBACK},
	    /* an empty array, text after the document */
	    {"{\"benchmarks\": []}", 0},
	    {"{\"benchmarks\": [" ROW("a", "1") "]} x", PERFDB_JSON__FALLBACK},
	    /* names before Google Benchmark 1.5: aggregates told by other rows' names */
	    {"{\"benchmarks\": [\n"
	     "{\"name\": \"BM_a\", \"iterations\": 1, \"real_time\": 1, \"cpu_time\": 1, "
	     "\"time_unit\": \"ns\"},\n"
	     "{\"name\": \"BM_a\", \"iterations\": 1, \"real_time\": 3, \"cpu_time\": 3, "
	     "\"time_unit\": \"ns\"},\n"
	     "{\"name\": \"BM_a_mean\", \"iterations\": 1, \"real_time\": 2, \"cpu_time\": "
	     "2, \"time_unit\": \"ns\"},\n"
	     "{\"name\": \"BM_a_p90\", \"iterations\": 1, \"real_time\": 2.9, "
	     "\"cpu_time\": 2.9, \"time_unit\": \"ns\", \"items_per_second\": 5},\n"
	     "{\"name\": \"BM_a_stddev\", \"iterations\": 1, \"real_time\": 1, "
	     "\"cpu_time\": 1, \"time_unit\": \"ns\"},\n"
	     "{\"name\": \"BM_b_mean\", \"iterations\": 1, \"real_time\": 1, "
	     "\"cpu_time\": 1, \"time_unit\": \"ns\", \"error_occurred\": true, "
	     "\"error_message\": \"boom\"}\n]}",
	     0},
	};
	(void)state;
	same_cases(cases, sizeof(cases) / sizeof(cases[0]), PERFDB_FORMAT_GBENCH);
}

/* Nesting: the limit counts the levels around an item. */
static void test_json_stream__depth_limit(void **state)
{
	char *doc = malloc(4096), *p = doc;
	const char *head = "{\"benchmarks\": [" ROW("a", "1") ", {\"name\": \"b\", \"x\": ";
	int depth;
	(void)state;
	for (depth = 511; depth <= 513; depth++) {
		int i;
		p = doc;
		memcpy(p, head, strlen(head));
		p += strlen(head);
		for (i = 0; i < depth - 3; i++)
			*p++ = '[';
		for (i = 0; i < depth - 3; i++)
			*p++ = ']';
		memcpy(p, "}]}", 4);
		/* 512 levels parse (and row b, which has no times, is refused by
		 * the reader); 513 are refused by the parser, so the whole-file
		 * reader says so */
		assert_int_equal(same_text(doc, PERFDB_FORMAT_GBENCH),
				 depth <= 512 ? PERFDB_EINPUT : PERFDB_JSON__FALLBACK);
	}
	free(doc);
}

static void test_json_stream__native_joins(void **state)
{
	static const join_case cases[] = {
	    {"{\"perfdb\": 1, \"results\": [\n"
	     " {\"benchmark\": \"é\", \"metric\": \"t\", \"unit\": \"ms\", \"samples\": "
	     "[1, 2]},\n"
	     " {\"benchmark\": \"ü\", \"value\": 3}\n],\n \"run\": {\"commit\": \"abc\", "
	     "\"tags\": {\"k\": \"v\"}}}\n",
	     0},
	    /* a duplicate result: the earlier one's index is named */
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1},\n"
	     "{\"benchmark\": \"b\", \"value\": 1}, {\"benchmark\": \"a\", \"value\": 2}]}",
	     PERFDB_EINPUT},
	    /* an unknown key after the results; a bad run before a syntax error */
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1}], \"rnu\": {}}", PERFDB_EINPUT},
	    {"{\"run\": 1, \"results\": [{\"benchmark\": \"a\", \"value\": 1}, "
	     "{\"benchmark\": \"b\" \"value\": 1}]}",
	     PERFDB_JSON__FALLBACK},
	    {"{\"results\": []}", PERFDB_EINPUT},
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": \"\\u00e9\"}]}", PERFDB_EINPUT},
	    /* invalid UTF-8 in an item */
	    {"{\"results\": [{\"benchmark\": \"a\xff\", \"value\": 1}]}", PERFDB_JSON__FALLBACK},
	    /* items that are no objects: the reader says so, streamed */
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1}, 3]}", PERFDB_EINPUT},
	    {"{\"results\": [\"b\",\n{\"benchmark\": \"a\", \"value\": 1}]}", PERFDB_EINPUT},
	    {"{\"results\": [[{\"benchmark\": \"a\", \"value\": 1}]]}", PERFDB_EINPUT},
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1} , null ]}", PERFDB_EINPUT},
	    /* an escaped key, streamed */
	    {"{\"r\\u0065sults\": [{\"benchmark\": \"a\", \"value\": 1}], \"run\": {}}", 0},
	};
	(void)state;
	same_cases(cases, sizeof(cases) / sizeof(cases[0]), PERFDB_FORMAT_NATIVE_JSON);
}

#define PYROW(name, mean)                                                                          \
	"{\"name\": \"" name "\", \"fullname\": \"t.py::" name "\", \"stats\": {\"mean\": " mean   \
	", \"rounds\": 2, \"data\": [1e-6, 2e-6], \"ops\": 5}}"

/* pytest-benchmark's benchmarks, an item at a time (read whole, a file took
 * 7 times its size): the same results, warnings and errors. */
static void test_json_stream__pytest_joins(void **state)
{
	static const join_case cases[] = {
	    {"{\"machine_info\": {\"python_version\": \"3.11\", \"cpu\": {\"brand_raw\": \"X\"}}, "
	     "\"benchmarks\": [\n" PYROW("a", "1.5e-6") ",\n" PYROW("b",
								    "2e-6") "\n], \"version\": "
									    "\"3.2.2\"}",
	     0},
	    /* machine_info after the array; a warning in an item */
	    {"{\"benchmarks\": [" PYROW("a", "1.5e-6") ", {\"fullname\": \"t.py::n\", \"stats\": "
						       "null}],\n\"machine_info\": {\"machine\": "
						       "\"x86_64\"}, \"commit_info\": {}}",
	     0},
	    /* a duplicate in a later item names the earlier one (its tree is gone) */
	    {"{\"commit_info\": {}, \"benchmarks\": [" PYROW("a", "1") ",\n" PYROW(
		 "b", "1") ",\n" PYROW("a", "2") "]}",
	     PERFDB_EINPUT},
	    /* errors: an item that is no object, a bad statistic, no benchmarks */
	    {"{\"commit_info\": {}, \"benchmarks\": [" PYROW("a", "1") ", 7]}", PERFDB_EINPUT},
	    {"{\"commit_info\": {}, \"benchmarks\": [" PYROW("a", "\"x\"") "]}", PERFDB_EINPUT},
	    {"{\"commit_info\": {}, \"benchmarks\": []}", 0},
	    /* an error in an item, then a syntax error: the syntax error */
	    {"{\"commit_info\": {}, \"benchmarks\": [" PYROW("a", "\"x\"") ",\n{\"name\": }]}",
	     PERFDB_JSON__FALLBACK},
	    /* results before a syntax error after the array */
	    {"{\"commit_info\": {}, \"benchmarks\": [" PYROW("a", "1") "], \"version\": tru}",
	     PERFDB_JSON__FALLBACK},
	};
	(void)state;
	same_cases(cases, sizeof(cases) / sizeof(cases[0]), PERFDB_FORMAT_PYTEST_BENCHMARK);
}

/* JMH, hyperfine, BenchmarkDotNet and nanobench JSON, an item at a time. */
static void test_json_stream__more_joins(void **state)
{
	static const join_case hyperfine[] = {
	    {"{\"results\": [{\"command\": \"a\", \"mean\": 1, \"times\": [1, 1]},\n{\"command\": "
	     "\"a\", \"mean\": 2, \"times\": [2, 2]}, {\"command\": \"a\", \"mean\": 3}]}",
	     0},
	    {"{\"results\": [{\"command\": \"a\", \"mean\": 1}, 5]}", PERFDB_EINPUT},
	    {"{\"results\": [{\"command\": \"a\", \"mean\": \"x\"}, {\"command\": }]}",
	     PERFDB_JSON__FALLBACK},
	    {"{\"results\": []}", 0},
	};
	static const join_case bdn[] = {
	    {"{\"Benchmarks\": [{\"FullName\": \"A.a\", \"Statistics\": {\"OriginalValues\": [1, "
	     "2], "
	     "\"N\": 2, \"Mean\": 1.5}},\n{\"FullName\": \"A.b\", \"Statistics\": null}],\n"
	     "\"Title\": \"T\", \"HostEnvironmentInfo\": {}}",
	     0},
	    {"{\"HostEnvironmentInfo\": {}, \"Benchmarks\": [{\"FullName\": \"A.a\", "
	     "\"Statistics\": "
	     "{\"Mean\": 1}},\n{\"FullName\": \"A.a\", \"Statistics\": {\"Mean\": 2}}]}",
	     PERFDB_EINPUT},
	    {"{\"HostEnvironmentInfo\": {}, \"Benchmarks\": [[]]}", PERFDB_EINPUT},
	};
	static const join_case nanobench[] = {
	    {"{\"results\": [{\"title\": \"t\", \"name\": \"a\", \"batch\": 1, "
	     "\"median(elapsed)\": 1e-8, \"clockResolution\": 1e-9},\n{\"title\": \"t\", \"name\": "
	     "\"b\", \"batch\": 2, \"median(elapsed)\": 3e-8}], \"x\": 1}",
	     0},
	    {"{\"results\": [{\"title\": \"t\", \"name\": \"a\", \"batch\": 1, "
	     "\"median(elapsed)\": 1e-8, \"clockResolution\": 1e-9},\n{\"title\": \"t\", \"name\": "
	     "\"b\", \"batch\": 2, \"median(elapsed)\": null}]}",
	     PERFDB_EINPUT},
	    {"{\"results\": [{\"title\": \"t\", \"name\": \"a\", \"batch\": 1, "
	     "\"median(elapsed)\": 1e-8, \"clockResolution\": 1e-9}, {\"title\": \"t\", \"name\": "
	     "\"a\", \"batch\": 1, \"median(elapsed)\": 1e-8}]}",
	     PERFDB_EINPUT},
	    {"{\"results\": [{\"median(elapsed)\": 1, \"clockResolution\": 1}, true]}",
	     PERFDB_EINPUT},
	};
#define JMHROW(b, score)                                                                           \
	"{\"jmhVersion\": \"1.37\", \"benchmark\": \"" b "\", \"mode\": \"avgt\", "                \
	"\"primaryMetric\": {\"score\": " score ", \"scoreUnit\": \"ns/op\"}}"
	/* JMH: the document is the array */
	static const join_case jmh[] = {
	    {"\xEF\xBB\xBF[\r\n" JMHROW("x.A.a", "1.5") ",\r\n  " JMHROW("x.A.b",
									 "\"NaN\"") "\r\n]\r\n",
	     0},
	    {"[" JMHROW("x.A.a", "1") ",\n" JMHROW("x.A.a", "2") "]", PERFDB_EINPUT},
	    {"[" JMHROW("x.A.a", "1") ",\n" JMHROW("x.A.b", "\"x\"") "]", PERFDB_EINPUT},
	    {"[" JMHROW("x.A.a", "1") ", 7]", PERFDB_EINPUT},
	    {"[" JMHROW("x.A.a", "true") ", {\"benchmark\": }]", PERFDB_JSON__FALLBACK},
	    {"[" JMHROW("x.A.a", "1") "] x", PERFDB_JSON__FALLBACK},
	    {"[]", 0},
	};
	(void)state;
	same_cases(jmh, sizeof(jmh) / sizeof(jmh[0]), PERFDB_FORMAT_JMH);
	same_cases(hyperfine, sizeof(hyperfine) / sizeof(hyperfine[0]), PERFDB_FORMAT_HYPERFINE);
	same_cases(bdn, sizeof(bdn) / sizeof(bdn[0]), PERFDB_FORMAT_BENCHMARKDOTNET);
	same_cases(nanobench, sizeof(nanobench) / sizeof(nanobench[0]), PERFDB_FORMAT_NANOBENCH);
}

/* How the document with its largest member cut out reads (what
 * perfdb_ingest_file does with a file of good syntax the stream did not
 * take): the reader's error, or the fallback. */
static int gutted(const char *body, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-json-gutted-XXXXXX";
	perfdb_json_stream *s = NULL;
	perfdb_resultset *rs;
	int fd, rc;
	write_temp(path, body, strlen(body));
	same(path, fmt);
	same(path, PERFDB_FORMAT_AUTO);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_json__stream_open_gutted(&s, fd, path, PERFDB_INGEST_MAX_INPUT);
	if (!rc)
		rc = perfdb_ingest__stream_read(rs, fmt, s);
	perfdb_json__stream_close(s);
	perfdb_resultset_free(rs);
	close(fd);
	unlink(path);
	return rc;
}

/* Issue 12: a file of good syntax without the array (a misspelled key, a
 * value of another type) was parsed whole into a tree to name the reader's
 * error (six times the file); the reader now names it from the document with
 * its largest member cut out, word for word, positions after the cut
 * included. */
static void test_json_stream__no_array(void **state)
{
	static const struct {
		const char *doc;
		perfdb_format fmt;
	} cases[] = {
	    {"{\"context\": {\"é\": 1},\r\n \"benchmarkz\": [" ROW("a", "1") ",\n" ROW("b",
										       "2") "]}",
	     PERFDB_FORMAT_GBENCH},
	    {"{\"context\": {\"num_cpus\": 2, \"x\": [1, 2, 3, 4]},\n \"benchmarks\": {\"ü\": "
	     "[1]}}",
	     PERFDB_FORMAT_GBENCH},
	    {"{\"benchmarks\": {\"x\": [1, 2]}, \"context\": {\"y\": 1}}", PERFDB_FORMAT_GBENCH},
	    {"{\"benchmarks\": \"none\", \"context\": {\"date\": \"2024\"}}", PERFDB_FORMAT_GBENCH},
	    {"[" ROW("a", "1") "]", PERFDB_FORMAT_GBENCH},
	    {"{\"machine_info\": {\"cpu\": {\"brand_raw\": \"X\"}}, \"benchmark\": [{\"name\": "
	     "\"t\"}]}",
	     PERFDB_FORMAT_PYTEST_BENCHMARK},
	    {"{\"result\": [{\"command\": \"a\", \"mean\": 1}]}", PERFDB_FORMAT_HYPERFINE},
	    {"{\"HostEnvironmentInfo\": {\"x\": [1]}, \"Benchmarks\": 3}",
	     PERFDB_FORMAT_BENCHMARKDOTNET},
	    {"{\"results\": {\"title\": \"a\"}}", PERFDB_FORMAT_NANOBENCH},
	    {"{\"a\": [{\"jmhVersion\": \"1.37\"}]}", PERFDB_FORMAT_JMH},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = gutted(cases[i].doc, cases[i].fmt);
		if (rc != PERFDB_EINPUT)
			print_error("case %zu: %d\n", i, rc);
		assert_int_equal(rc, PERFDB_EINPUT);
	}
	/* The first megabyte does not tell the format (no decisive key in it):
	 * the whole file's bytes do, and it is read as any other */
	{
		size_t pad = (3u << 19), n;
		char *doc = malloc(pad + 512);
		assert_non_null(doc);
		n = (size_t)snprintf(doc, pad + 512, "{\"context\": {\"pad\": \"");
		memset(doc + n, 'a', pad);
		n += pad;
		snprintf(doc + n, 512, "\"}, \"benchmarkz\": [" ROW("a", "1") "]}");
		assert_int_equal(gutted(doc, PERFDB_FORMAT_GBENCH), PERFDB_EINPUT);
		snprintf(doc + n, 512, "\"}, \"benchmarks\": [" ROW("a", "1") "]}");
		assert_int_equal(same_text(doc, PERFDB_FORMAT_GBENCH), 0);
		free(doc);
	}
	/* A reader that gets past the top (here nothing is cut that it needs,
	 * but the stream has no items): the fallback, never results. */
	assert_int_equal(gutted("{\"benchmarks\": [], \"context\": {}}", PERFDB_FORMAT_GBENCH),
			 PERFDB_JSON__FALLBACK);
}

/* --- broken files: the bounded check names the error ------------------------------------ */

/*
 * body (len bytes) as a file: both ways agree (as gbench or native and told
 * from content), and perfdb_json__stream_check, what perfdb_ingest_file does
 * after a fallback, names a syntax error itself, word for word as the
 * whole-file reader, or leaves a valid file to it. Returns whether the bytes
 * were broken.
 */
static bool broken_len(const char *body, size_t len, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-json-broken-XXXXXX";
	perfdb_resultset *rs;
	perfdb_jdoc *doc = NULL;
	char whole[sizeof(perfdb_error_last()->message)];
	int fd, rc, parsed = perfdb_jdoc_parse(&doc, body, len, NULL);

	perfdb_jdoc_free(doc);
	write_temp(path, body, len);
	same(path, fmt);
	same(path, PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_buffer(rs, body, len, path, fmt);
	snprintf(whole, sizeof(whole), "%s", rc ? perfdb_error_last()->message : "");
	perfdb_resultset_free(rs);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	rc = perfdb_json__stream_check(fd, path, PERFDB_INGEST_MAX_INPUT);
	close(fd);
	unlink(path);
	if (parsed == 0) {
		assert_int_equal(rc, PERFDB_JSON__FALLBACK);
		return false;
	}
	if (rc != PERFDB_EINPUT || strcmp(perfdb_error_last()->message, whole) != 0) {
		print_error("check: %d '%s'\nwhole: '%s'\n", rc, perfdb_error_last()->message,
			    whole);
		fail();
	}
	return true;
}

static void broken(const char *body, perfdb_format fmt)
{
	assert_true(broken_len(body, strlen(body), fmt));
}

static void broken_each(const char *const *bodies, size_t n, perfdb_format fmt)
{
	size_t i;
	for (i = 0; i < n; i++)
		broken(bodies[i], fmt);
}

/* Every fixture cut short at many offsets (every offset of the small ones). */
static void test_json_stream__truncations(void **state)
{
	static const struct {
		const char *file;
		perfdb_format fmt;
	} files[] = {
	    {"gbench/gbench_dup_failed_rep.json", PERFDB_FORMAT_GBENCH},
	    {"gbench/gbench_v1_1_reps.json", PERFDB_FORMAT_GBENCH},
	    {"gbench/gbench_basic.json", PERFDB_FORMAT_GBENCH},
	    {"native/full.json", PERFDB_FORMAT_NATIVE_JSON},
	};
	size_t i, cut, cuts = 0, named = 0;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		size_t len, step;
		char *data;
		snprintf(path, sizeof(path), "%s/%s", PERFDB_TEST_DATA, files[i].file);
		data = slurp_file(path, &len);
		step = len > 4096 ? 13 : 1;
		for (cut = 0; cut < len; cut += step, cuts++)
			named += broken_len(data, cut, files[i].fmt);
		free(data);
	}
	/* all but the cuts in the white space after the last '}' are broken */
	assert_true(cuts > 5000);
	assert_true(named >= cuts - 8);
}

static void test_json_stream__bad_strings(void **state)
{
	static const char *const bodies[] = {
	    /* escapes */
	    "{\"benchmarks\": [" ROW("a\\x", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\\u12", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\\uD800", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\\uD800\\u0041", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\\uDC00", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\\u0000", "1") "]}",
	    "{\"benchmarks\": [" ROW("a", "1") ", {\"name\": \"b\\",
	    /* UTF-8: a stray byte, overlong, a surrogate, cut short, above U+10FFFF */
	    "{\"benchmarks\": [" ROW("a\xff", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\xc0\x80", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\xed\xa0\x80", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\xe2\x82", "1") "]}",
	    "{\"benchmarks\": [" ROW("a\xf4\x90\x80\x80", "1") "]}",
	    "{\"benchmarks\": [" ROW("a", "1") "], \"context\": {\"h\xc3\": 1}}",
	    "{\"b\xe9nchmarks\": [" ROW("a", "1") "]}",
	    /* control characters, a newline, a string never closed */
	    "{\"benchmarks\": [" ROW("a\x01", "1") "]}",
	    "{\"benchmarks\": [" ROW("a", "1") ",\n{\"name\": \"b\nc\"}]}",
	    "{\"benchmarks\": [" ROW("a", "1") ",\n{\"name\": \"b, \"x\": 1}]}\n",
	    "{\"benchmarks\": [" ROW("a", "1") "], \"context\": {\"date\": \"2026"};
	(void)state;
	broken_each(bodies, sizeof(bodies) / sizeof(bodies[0]), PERFDB_FORMAT_GBENCH);
	broken("{\"results\": [{\"benchmark\": \"a\\q\", \"value\": 1}]}",
	       PERFDB_FORMAT_NATIVE_JSON);
	broken("{\"results\": [{\"benchmark\": \"a\", \"value\": 1}], \"run\": {\"commit\": "
	       "\"\xc3\x28\"}}",
	       PERFDB_FORMAT_NATIVE_JSON);
	/* a NUL byte in a string, between items, after the document */
	assert_true(
	    broken_len("{\"benchmarks\": [{\"name\": \"a\0b\"}]}", 33, PERFDB_FORMAT_GBENCH));
	assert_true(
	    broken_len("{\"benchmarks\": [{\"name\": \"a\"},\0{}]}", 35, PERFDB_FORMAT_GBENCH));
	assert_true(broken_len("{\"benchmarks\": []}\0", 19, PERFDB_FORMAT_GBENCH));
}

/* Depth far past the limit (100,000 arrays or objects): in an item, in the
 * context, after the array, in a native result. */
static void test_json_stream__depth_bombs(void **state)
{
	static const struct {
		const char *head;
		const char *level;
		perfdb_format fmt;
	} cases[] = {
	    {"{\"benchmarks\": [" ROW("a", "1") ", {\"x\": ", "[", PERFDB_FORMAT_GBENCH},
	    {"{\"benchmarks\": [" ROW("a", "1") ", {\"x\": ", "{\"a\":", PERFDB_FORMAT_GBENCH},
	    {"{\"context\": {\"x\": ", "[", PERFDB_FORMAT_GBENCH},
	    {"{\"benchmarks\": [], \"x\": ", "{\"a\":", PERFDB_FORMAT_GBENCH},
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x\": ", "[",
	     PERFDB_FORMAT_NATIVE_JSON},
	};
	const size_t levels = 100000;
	char *doc = malloc(levels * 5 + 512);
	size_t i, k;
	(void)state;
	assert_non_null(doc);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		size_t n = strlen(cases[k].head), step = strlen(cases[k].level);
		memcpy(doc, cases[k].head, n);
		for (i = 0; i < levels; i++, n += step)
			memcpy(doc + n, cases[k].level, step);
		doc[n] = '\0';
		broken(doc, cases[k].fmt);
	}
	free(doc);
}

static void test_json_stream__trailing_garbage(void **state)
{
	static const char *const bodies[] = {
	    "{\"benchmarks\": [" ROW("a", "1") "]} x",
	    "{\"benchmarks\": [" ROW("a", "1") "]}}",
	    "{\"benchmarks\": [" ROW("a", "1") "]}\n{\"benchmarks\": []}\n",
	    "{\"benchmarks\": [" ROW("a", "1") "]],\n\"context\": {}}",
	    "{\"benchmarks\": [" ROW("a", "1") "], \"context\": {}}, 1",
	    "{\"benchmarks\": [" ROW("a", "1") "] \"context\": {}}",
	    "{\"benchmarks\": [" ROW("a", "1") "] ,}",
	    "{\"benchmarks\": [" ROW("a", "1") "], \"benchmarks\": [1]}",
	};
	(void)state;
	broken_each(bodies, sizeof(bodies) / sizeof(bodies[0]), PERFDB_FORMAT_GBENCH);
	broken("{\"results\": [{\"benchmark\": \"a\", \"value\": 1}]}]", PERFDB_FORMAT_NATIVE_JSON);
}

/* items of a big array, item 10,000 with `bad` in place of a number; cut
 * short inside that item when cut */
static size_t big_array(char *doc, size_t cap, perfdb_format fmt, const char *bad, bool cut)
{
	const size_t items = 10001;
	size_t n, i;
	bool gbench = fmt == PERFDB_FORMAT_GBENCH;
	n = (size_t)snprintf(doc, cap, gbench ? "{\"benchmarks\": [\n" : "{\"results\": [\n");
	for (i = 0; i < items; i++) {
		const char *value = i == 10000 ? bad : "1.5";
		if (i == 10000 && cut)
			return n + 12;
		n += (size_t)snprintf(doc + n, cap - n,
				      gbench
					  ? "%s{\"name\": \"BM_%zu\", \"run_type\": \"iteration\", "
					    "\"iterations\": 10, \"real_time\": %s, "
					    "\"cpu_time\": 1, \"time_unit\": \"ns\"}"
					  : "%s{\"benchmark\": \"b%zu\", \"samples\": [1, %s]}",
				      i ? ",\n" : "", i, value);
	}
	n += (size_t)snprintf(doc + n, cap - n, "\n]}\n");
	return n;
}

/* One bad token in item 10,000 of 10,001, for each way a token can be bad. */
static void test_json_stream__bad_token_deep(void **state)
{
	static const char *const bad[] = {
	    "1.2.3",	"01",	 "1.",		"1e",	"-",	   "tru",
	    "NaNa",	"1e999", "\"x\" \"y\"", "[1,]", "{\"a\"}", "{\"a\": 1, \"a\": 2}",
	    "\"a\tb\"", "+1",	 "'x'",		"}",
	};
	const perfdb_format fmts[] = {PERFDB_FORMAT_GBENCH, PERFDB_FORMAT_NATIVE_JSON};
	size_t cap = 10001 * 200, k, f;
	char *doc = malloc(cap);
	(void)state;
	assert_non_null(doc);
	for (f = 0; f < 2; f++) {
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			big_array(doc, cap, fmts[f], bad[k], false);
			broken(doc, fmts[f]);
		}
		assert_true(broken_len(doc, big_array(doc, cap, fmts[f], "1", true), fmts[f]));
	}
	free(doc);
}

/* --- BMF: the members of the top-level object ----------------------------------------- */

/* The file at path read by name and whole agree (same()), and the members
 * read in pieces of every size from 1 byte on read as the members read
 * whole: the same answer `want` from the stream itself, and, when it is not
 * the fallback, the same text as the file read whole. */
static void bmf_same(const char *path, int want)
{
	static const size_t pieces[] = {1, 2, 3, 5, 8, 13, 21, 40, 100, 1000, 0};
	char *whole = read_whole(path, PERFDB_FORMAT_BMF);
	size_t i;
	same(path, PERFDB_FORMAT_BMF);
	same(path, PERFDB_FORMAT_AUTO);
	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		int rc;
		char *text = read_bmf_pieces(path, pieces[i], &rc);
		/* a syntax error the members read whole leave to the check (a
		 * repeated key inside a member) may be named by the stream itself
		 * once the member comes in pieces */
		bool named = want == PERFDB_JSON__FALLBACK && rc == PERFDB_EINPUT;
		if ((rc != want && !named) ||
		    (rc != PERFDB_JSON__FALLBACK && strcmp(text, whole) != 0)) {
			print_error(
			    "%s, pieces of %zu: %d (expected %d)\n%.2000s\nwhole:\n%.2000s\n", path,
			    pieces[i], rc, want, text, whole);
			fail();
		}
		free(text);
	}
	free(whole);
}

static void bmf_same_text(const char *body, size_t len, int want)
{
	char path[] = "/tmp/perfdb-json-bmf-XXXXXX";
	write_temp(path, body, len);
	bmf_same(path, want);
	unlink(path);
}

/* json_stream.c's default: a member this long is read in pieces */
#define PIECE_BYTES ((size_t)1 << 20)

#define MEASURE(v) "{\"value\": " v ", \"lower_value\": 1, \"upper_value\": 99}"

/* Issue 12: a BMF file was read whole into a tree (six times its size); it
 * is read a member of the top-level object at a time, a big member in
 * pieces, with the same results, warnings and errors, duplicate keys
 * (across members, across pieces) included. */
static void test_json_stream__bmf_members(void **state)
{
	static const join_case cases[] = {
	    /* a byte order mark, CR LF, multi-byte and escaped names, warnings */
	    {"\xEF\xBB\xBF{\r\n  \"bench::é\": {\r\n    \"latency\": " MEASURE(
		 "88.5") ",\r\n    \"throughput\": {\"value\": 1200}\r\n  },\r\n"
			 "  \"b\\u00fc \\\"q\\\" \\ud83d\\ude00\": {\"file-size\": {\"value\": "
			 "4096}, "
			 "\"Max Bytes\": {\"value\": 9, \"upper_value\": 5}, \"build-time\": "
			 "{\"value\": NaN}},\r\n  \"c\": {},\r\n  \"d\": {  }\r\n}\r\n",
	     0},
	    {"{\"a\": {\"latency\": " MEASURE("1") "}, \"b\": {\"latency\": " MEASURE(
		 "2") ", \"x\": " MEASURE("3") "}, \"c\": {\"latency\": " MEASURE("4") "}}",
	     0},
	    /* no benchmarks */
	    {"{}", 0},
	    {" {\n\n} \n", 0},
	    /* a benchmark that is no object: the reader says so, where it is */
	    {"{\"a\": {\"latency\": " MEASURE("1") "},\n \"b\": [1, {\"c\": 2}]}", PERFDB_EINPUT},
	    {"{\"a\": 3}", PERFDB_EINPUT},
	    {"{\"a\": \"x, }\" }", PERFDB_EINPUT},
	    {"{\"a\": null}", PERFDB_EINPUT},
	    {"{\"a\":true,\"b\":{}}", PERFDB_EINPUT},
	    {"{\"a\": {\"latency\": 3}}", PERFDB_EINPUT},
	    {"{\"a\": {\"latency\": [" MEASURE("1") "]}}", PERFDB_EINPUT},
	    /* an empty name; a measure with another key; a value of another type */
	    {"{\"a\": {}, \"\": {\"latency\": " MEASURE("1") "}}", PERFDB_EINPUT},
	    {"{\"a\": {\"l\": " MEASURE("1") ", \"m\": {\"value\": 1, \"passes\": 2}}}",
	     PERFDB_EINPUT},
	    {"{\"a\": {\"l\": " MEASURE("1") ", \"m\": {\"value\": \"3\"}}}", PERFDB_EINPUT},
	    {"{\"a\": {\"l\": " MEASURE("1") ", \"m\": {\"lower_value\": 3}}}", PERFDB_EINPUT},
	    {"{\"a\": {\"l\": {\"value\": 1e300, \"upper_value\": 1e301}}, \"b\": {}}", 0},
	    {"{\"a\": {\"build-time\": {\"value\": 1e300}}}", PERFDB_EINPUT},
	    /* the same measure names in other benchmarks are no duplicates */
	    {"{\"a\": {\"l\": " MEASURE("1") "}, \"b\": {\"l\": " MEASURE(
		 "2") "}, \"l\": {\"a\": " MEASURE("3") "}}",
	     0},
	    /* duplicate keys: the parser's error, also when written otherwise */
	    {"{\"a\": {\"l\": " MEASURE("1") "}, \"b\": {}, \"a\": {\"l\": " MEASURE("2") "}}",
	     PERFDB_EINPUT},
	    {"{\"a\": {}, \"\\u0061\": {}}", PERFDB_EINPUT},
	    {"{\"\xF0\x9F\x98\x80\": {}, \"\\uD83D\\uDE00\": {}}", PERFDB_EINPUT},
	    {"{\"\\/\": {}, \"/\": {}}", PERFDB_EINPUT},
	    {"{\"a\": {\"l\": " MEASURE("1") ", \"m\": " MEASURE("2") ", \"l\": " MEASURE("3") "}}",
	     PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": {\"value\": 1, \"value\": 2}}}", PERFDB_JSON__FALLBACK},
	    /* a repeated key at the start of a line, one column in, two; escaped
	     * and control characters in it; a long one */
	    {"{\n\"a\": {},\n\"a\": {}\n}", PERFDB_EINPUT},
	    {"{\n \"a\": {},\n \"a\": {}\n}", PERFDB_EINPUT},
	    {"{\n  \"a\": {},\n  \"a\": {}\n}", PERFDB_EINPUT},
	    {"{\"\\\"\\u0001\\t\u00e9\": {}, \"\\\"\\u0001\\u0009\\u00e9\": {}}", PERFDB_EINPUT},
	    {"{\"0123456789012345678901234567890123456789012345678901234567890123456789\": {},"
	     "\"0123456789012345678901234567890123456789012345678901234567890123456789\": {}}",
	     PERFDB_EINPUT},
	    /* a reader's error, then a duplicate key or a syntax error: those */
	    {"{\"a\": 1, \"b\": {}, \"b\": {}}", PERFDB_EINPUT},
	    {"{\"a\": {\"l\": 1, \"m\": " MEASURE("2") ", \"m\": {}}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": 1, \"b\": {\"l\": }}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": 1}, \"b\": {\"l\": " MEASURE("1") "} \"c\": {}}",
	     PERFDB_JSON__FALLBACK},
	    /* keys that differ only after an escape are no duplicates */
	    {"{\"a\\u0062\": {}, \"ab\\u0000\": {}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\\n\": {}, \"a\\t\": {}, \"a\\u00e9\": {}, \"a\\u00E8\": {}}", 0},
	    /* syntax: trailing commas, a missing colon, text after the document */
	    {"{\"a\": {\"l\": " MEASURE("1") "},}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") ",}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\" {\"l\": " MEASURE("1") "}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\" " MEASURE("1") "}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "}} {}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "]}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "}, 3}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") ", 3: 4}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "}, \"b\xff\": {}}", PERFDB_JSON__FALLBACK},
	    {"{\"a\": {\"l\": " MEASURE("1") "}, \"b\\ud800\": {}}", PERFDB_JSON__FALLBACK},
	    /* a document that is no object: no members */
	    {"[]", PERFDB_JSON__FALLBACK},
	    {"[{\"a\": {\"l\": " MEASURE("1") "}}]", PERFDB_JSON__FALLBACK},
	    {"\"{\"", PERFDB_JSON__FALLBACK},
	};
	size_t i;
	int depth;
	(void)state;
	/* a named BMF file is read this way (detect.c's read_streamed) */
	assert_ptr_equal(perfdb_ingest__stream_key(PERFDB_FORMAT_BMF), perfdb_json__members);
	same_cases(cases, sizeof(cases) / sizeof(cases[0]), PERFDB_FORMAT_BMF);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		bmf_same_text(cases[i].doc, strlen(cases[i].doc), cases[i].streamed);
	bmf_same(PERFDB_SOURCE_DIR "/tests/fuzz/corpus/bmf/measures.json", 0);
	/* nesting: the limit counts the levels around a member and a piece */
	for (depth = 511; depth <= 513; depth++) {
		char doc[2048];
		size_t n = (size_t)snprintf(doc, sizeof(doc),
					    "{\"a\": {\"m\": {\"value\": 1}, \"l\": {\"value\": ");
		for (i = 0; i < (size_t)depth - 3; i++)
			doc[n++] = '[';
		for (i = 0; i < (size_t)depth - 3; i++)
			doc[n++] = ']';
		n += (size_t)snprintf(doc + n, sizeof(doc) - n, "}}}");
		bmf_same_text(doc, n, depth <= 512 ? PERFDB_EINPUT : PERFDB_JSON__FALLBACK);
	}
}

/* A document that is no object, or one of good syntax read whole after all:
 * the reader's error from the document with its contents cut out. */
static void test_json_stream__bmf_not_an_object(void **state)
{
	(void)state;
	assert_int_equal(gutted("[{\"a\": {\"l\": " MEASURE("1") "}}, 2]", PERFDB_FORMAT_BMF),
			 PERFDB_EINPUT);
	assert_int_equal(gutted("{\"a\": {\"l\": " MEASURE("1") "}}", PERFDB_FORMAT_BMF),
			 PERFDB_JSON__FALLBACK);
}

/* One benchmark of many measures (read in pieces of the default size),
 * many benchmarks, a long name: good, and with a bad token, a duplicate, or
 * a reader's error deep inside. */
static size_t big_bmf(char *doc, size_t cap, size_t benches, size_t measures, const char *bad,
		      size_t at)
{
	size_t n = (size_t)snprintf(doc, cap, "{\n"), b, m, k = 0;
	for (b = 0; b < benches; b++) {
		n += (size_t)snprintf(doc + n, cap - n, "%s  \"bench::%zu\": {", b ? ",\n" : "", b);
		for (m = 0; m < measures; m++, k++)
			n += (size_t)snprintf(
			    doc + n, cap - n,
			    "%s\n    \"m%zu\": {\"value\": %s, \"upper_value\": 1e9}", m ? "," : "",
			    m, k == at ? bad : "1.5");
		n += (size_t)snprintf(doc + n, cap - n, "\n  }");
	}
	n += (size_t)snprintf(doc + n, cap - n, "\n}\n");
	return n;
}

static void test_json_stream__bmf_big(void **state)
{
	static const struct {
		const char *bad;
		int streamed;
	} cases[] = {
	    {"1", 0},
	    {"\"x\"", PERFDB_EINPUT},
	    {"NaN", 0},
	    {"1.2.3", PERFDB_JSON__FALLBACK},
	    {"1, \"value\": 2", PERFDB_JSON__FALLBACK},
	    {"1}, \"m1\": {\"value\": 2", PERFDB_EINPUT}, /* m1 twice, pieces apart */
	    {"1}, \"m3\": {\"value\": 2", PERFDB_EINPUT}, /* m3, pieces apart */
	    {"1}}, \"bench::0\": {\"x\": {\"value\": 2", PERFDB_EINPUT},
	    {"{}", PERFDB_EINPUT},
	};
	const size_t measures = 30000, cap = measures * 80 + 4096;
	char *doc = malloc(cap);
	size_t i;
	(void)state;
	assert_non_null(doc);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = big_bmf(doc, cap, 1, measures, cases[i].bad, measures - 3);
		char path[] = "/tmp/perfdb-json-bmf-big-XXXXXX";
		int rc;
		char *text, *whole;
		assert_true(len > PIECE_BYTES);
		write_temp(path, doc, len);
		same(path, PERFDB_FORMAT_AUTO);
		whole = read_whole(path, PERFDB_FORMAT_BMF);
		text = read_bmf_pieces(path, 0, &rc);
		if (rc != cases[i].streamed ||
		    (rc != PERFDB_JSON__FALLBACK && strcmp(text, whole) != 0)) {
			print_error("case %zu: %d\n%.1000s\n", i, rc, text);
			fail();
		}
		unlink(path);
		if (rc == PERFDB_JSON__FALLBACK || strstr(whole, "invalid JSON"))
			assert_true(broken_len(doc, len, PERFDB_FORMAT_BMF));
		free(text);
		free(whole);
	}
	/* many benchmarks of a few measures, and a member as long as a piece */
	bmf_same_text(doc, big_bmf(doc, cap, 4000, 3, "1", 0), 0);
	{
		size_t n = (size_t)snprintf(doc, cap, "{\"a\": {\"l\": {\"value\": 1}}, \"");
		char path[] = "/tmp/perfdb-json-bmf-long-XXXXXX", want[200];
		char *text, *whole;
		int rc;
		memset(doc + n, 'x', PIECE_BYTES + 10);
		n += PIECE_BYTES + 10;
		n += (size_t)snprintf(doc + n, cap - n, "\": {\"l\": {\"value\": 2}}}");
		/* its name is longer than a name may be (PERFDB_NAME_MAX): refused
		 * read whole and in pieces alike */
		write_temp(path, doc, n);
		whole = read_whole(path, PERFDB_FORMAT_BMF);
		text = read_bmf_pieces(path, 0, &rc);
		assert_int_equal(rc, PERFDB_EINPUT);
		snprintf(want, sizeof(want),
			 "%s:1:%d: benchmark name longer than 65536 bytes (1048586)", path,
			 (int)(n - 13)); /* at its measure, {"value": 2} */
		assert_non_null(strstr(whole, want));
		assert_string_equal(text, whole);
		unlink(path);
		free(text);
		free(whole);
	}
	free(doc);
}

/* perfdb_ingest_file of body in a temporary file: its code, the error's
 * position into *line and *column. */
static int ingest_temp(const char *body, size_t len, perfdb_format fmt, int *line, int *column)
{
	char path[] = "/tmp/perfdb-json-stream-XXXXXX";
	perfdb_resultset *rs;
	int rc;
	write_temp(path, body, len);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, fmt);
	*line = perfdb_error_last()->line;
	*column = perfdb_error_last()->column;
	if (rc)
		assert_non_null(strstr(perfdb_error_last()->message, "more than "));
	perfdb_resultset_free(rs);
	unlink(path);
	return rc;
}

/*
 * A file read an item at a time holds at most 250,000 values besides the
 * items and 1,000,000 in one item (packed numbers are not values): past
 * them it is refused at the value that passes, with exit 2, rather than
 * held at up to 40 times its size. 249,996 values around a gbench file's
 * items, and an item of 999,9xx, are read.
 */
static void test_json_stream__values_held_bounded(void **state)
{
	size_t cap = 4 * 1000000 + 4096, n, i, k;
	char *text = malloc(cap);
	int line, column;
	(void)state;
	assert_non_null(text);
	/* root, context, junk and the (cut) benchmarks: 4 values, then k empty objects */
	for (k = 249996; k <= 249997; k++) {
		n = (size_t)snprintf(text, cap, "{\"context\": {\"junk\": [");
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s{}", i ? "," : "");
		n +=
		    (size_t)snprintf(text + n, cap - n, "]}, \"benchmarks\": [" ROW("a", "1") "]}");
		if (k == 249996) {
			assert_int_equal(ingest_temp(text, n, PERFDB_FORMAT_GBENCH, &line, &column),
					 0);
		} else {
			/* the 250,001st value is the benchmarks array (its items cut
			 * out), after the junk: at its '[' */
			assert_int_equal(ingest_temp(text, n, PERFDB_FORMAT_GBENCH, &line, &column),
					 PERFDB_EINPUT);
			assert_int_equal(line, 1);
			assert_int_equal(column, 3 * (int)k + 40);
			assert_non_null(strstr(perfdb_error_last()->message,
					       "more than 250000 values outside the items of "
					       "'benchmarks'"));
		}
	}
	/* one native result: the item, "a", 1 and an array of k arrays [] */
	for (k = 999996; k <= 999997; k++) {
		n = (size_t)snprintf(
		    text, cap, "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x-j\": [");
		for (i = 0; i < k; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s[]", i ? "," : "");
		n += (size_t)snprintf(text + n, cap - n, "]}]}");
		/* 4 values, then k: the last [] passes */
		if (k == 999996) {
			assert_int_equal(
			    ingest_temp(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column), 0);
		} else {
			assert_int_equal(
			    ingest_temp(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column),
			    PERFDB_EINPUT);
			assert_int_equal(column, 53 + 3 * (int)(k - 1));
			assert_non_null(
			    strstr(perfdb_error_last()->message,
				   "more than 1000000 values in one item of 'results'"));
		}
	}
	/* a BMF file's member (its items are the document's members) is bounded
	 * like an item: the braced member, the array and 999,999 arrays [] */
	n = (size_t)snprintf(text, cap, "{\"a\": {\"latency\": {\"value\": 1}}, \"j\": [");
	for (i = 0; i < 999999; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s[]", i ? "," : "");
	n += (size_t)snprintf(text + n, cap - n, "]}");
	assert_int_equal(ingest_temp(text, n, PERFDB_FORMAT_BMF, &line, &column), PERFDB_EINPUT);
	assert_int_equal(column, 40 + 3 * (999999 - 1));
	assert_non_null(strstr(perfdb_error_last()->message,
			       "more than 1000000 values in one item of the document's members"));
	/* a result of 3,000,000 samples: packed, no value each */
	n = (size_t)snprintf(text, cap, "{\"results\": [{\"benchmark\": \"a\", \"samples\": [");
	for (i = 0; i < 1500000; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s1", i ? "," : "");
	n += (size_t)snprintf(text + n, cap - n, "]}]}");
	assert_int_equal(ingest_temp(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column), 0);
	free(text);
}

/* A body of prefix, k items "[]" (after lead "1,"s) and suffix, into text. */
static size_t body(char *text, size_t cap, const char *prefix, size_t lead, size_t k,
		   const char *suffix)
{
	size_t n = (size_t)snprintf(text, cap, "%s", prefix), i;
	for (i = 0; i < lead; i++)
		n += (size_t)snprintf(text + n, cap - n, "1,");
	for (i = 0; i < k; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s[]", i ? "," : "");
	n += (size_t)snprintf(text + n, cap - n, "%s", suffix);
	return n;
}

/* The last error's message ends with tail (it starts with the file's name
 * and the position). */
static void assert_message_ends(const char *tail)
{
	const char *m = perfdb_error_last()->message;
	size_t n = strlen(m), t = strlen(tail);
	assert_true(n > t);
	assert_string_equal(m + n - t, tail);
}

/* ingest_temp's code, and the tree nodes the parser made meanwhile. */
static int ingest_nodes(const char *text, size_t n, perfdb_format fmt, int *line, int *column,
			size_t *nodes)
{
	size_t before = perfdb_jparse__nodes_made();
	int rc = ingest_temp(text, n, fmt, line, column);
	*nodes = perfdb_jparse__nodes_made() - before;
	return rc;
}

#define NATIVE_J "{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x-j\": ["

/*
 * An item (or BMF member) that passes the values bound is refused by a count
 * without a tree, in the same words at the same value: it made a node of 40-80
 * bytes for each of its 1,000,000 values first (60 MB for a 3 MB file). The
 * count is the tree's: numbers of an array packed are not values, those of
 * an array parsed again with nodes are; a syntax error before the bound is
 * still the whole-file reader's, one after it is not reached.
 */
static void test_json_stream__refused_item_builds_no_tree(void **state)
{
	size_t cap = 4 * 1000000 + 4096, n, nodes, before;
	char *text = malloc(cap), path[] = "/tmp/perfdb-json-stream-XXXXXX";
	perfdb_resultset *rs;
	int line, column;
	(void)state;
	assert_non_null(text);

	/* native: 4 values, then the 999,997th [] passes */
	n = body(text, cap, NATIVE_J, 0, 999997, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_message_ends(": more than 1000000 values in one item of 'results' (a result holds a "
			    "few dozen, long arrays of numbers aside)");
	assert_int_equal(line, 1);
	assert_int_equal(column, 53 + 3 * (999997 - 1));
	assert_true(nodes < 100);

	/* 20 numbers first: the array is parsed again with nodes, they count */
	n = body(text, cap, NATIVE_J, 20, 999977, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_int_equal(column, 53 + 40 + 3 * (999977 - 1));
	assert_true(nodes < 100);

	/* packed arrays of 16 numbers among the [] count one value each */
	n = (size_t)snprintf(text, cap, NATIVE_J "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],");
	n += body(text + n, cap - n, "", 0, 999996, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_int_equal(column, 53 + 34 + 3 * (999996 - 1));
	assert_true(nodes < 100);

	/* a syntax error after the bound is not reached */
	n = body(text, cap, NATIVE_J, 0, 1000000, ",x]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_int_equal(column, 53 + 3 * (999997 - 1));
	assert_true(nodes < 100);

	/* one before it is the whole-file reader's */
	n = body(text, cap, NATIVE_J, 0, 500000, ",x");
	n += body(text + n, cap - n, ",", 0, 600000, "]}]}");
	before = perfdb_jparse__nodes_made();
	write_temp(path, text, n);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_NATIVE_JSON), PERFDB_EINPUT);
	perfdb_resultset_free(rs);
	unlink(path);
	nodes = perfdb_jparse__nodes_made() - before;
	line = perfdb_error_last()->line;
	column = perfdb_error_last()->column;
	assert_message_ends(":1:1500053: invalid JSON: invalid literal (expected true, false, null "
			    "or a quoted string)");
	assert_int_equal(line, 1);
	assert_int_equal(column, 53 + 3 * 500000);
	assert_true(nodes < 100);

	/* Google Benchmark: an unknown member of a row */
	n = body(text, cap,
		 "{\"benchmarks\": [{\"name\": \"a\", \"run_type\": \"iteration\", \"iterations\": "
		 "10, \"real_time\": 1, \"cpu_time\": 1, \"time_unit\": \"ns\", \"junk\": [",
		 0, 999993, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_GBENCH, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_message_ends(
	    ": more than 1000000 values in one item of 'benchmarks' (a result holds a "
	    "few dozen, long arrays of numbers aside)");
	assert_int_equal(column, 133 + 3 * (999993 - 1));
	assert_true(nodes < 100);

	/* BMF: the braced member, the array and 999,999 arrays [] */
	n = body(text, cap, "{\"a\": {\"latency\": {\"value\": 1}}, \"j\": [", 0, 999999, "]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_BMF, &line, &column, &nodes),
			 PERFDB_EINPUT);
	assert_message_ends(": more than 1000000 values in one item of the document's members (a "
			    "result holds a few dozen, long arrays of numbers aside)");
	assert_int_equal(column, 40 + 3 * (999999 - 1));
	assert_true(nodes < 100);
	free(text);
}

#define GROW_J                                                                                     \
	"{\"name\": \"a\", \"run_type\": \"iteration\", \"iterations\": 10, \"real_time\": 1, "    \
	"\"cpu_time\": 1, \"time_unit\": \"ns\", "

/* The members a reader ignores (native's "x-", a Google Benchmark row's
 * members that are no field) are not built when read an item at a time:
 * read the same, with the same errors at the same places, as when built
 * (read whole). */
static void test_json_stream__ignored_members_same(void **state)
{
	static const join_case native[] = {
	    {"{\"results\": [{\"benchmark\": \"a\", \"x-j\": [[1,2],{\"k\":[]}], \"value\": 1,\n"
	     " \"x-o\": {\"a\": {\"b\": [true, \"\\u00e9\"]}}, \"x-n\": 5, \"x-s\": \"s\"}]}",
	     0},
	    /* a syntax error, a duplicate key, a \u0000 inside */
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x-j\": [[], tru]}]}",
	     PERFDB_JSON__FALLBACK},
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x-j\": {\"a\": 1,\n\"a\": "
	     "2}}]}",
	     PERFDB_JSON__FALLBACK},
	    {"{\"results\": [{\"benchmark\": \"a\", \"value\": 1, \"x-j\": [\"\\u0000\"]}]}",
	     PERFDB_JSON__FALLBACK},
	    /* the ignored key twice */
	    {"{\"results\": [{\"benchmark\": \"a\", \"x-j\": [], \"value\": 1, \"x-j\": {}}]}",
	     PERFDB_JSON__FALLBACK},
	    /* the reader's error after an ignored member, and in a later item */
	    {"{\"results\": [{\"benchmark\": \"é\", \"x-j\": [[\"ü\"]], \"valeu\": 1}]}",
	     PERFDB_EINPUT},
	    {"{\"results\": [{\"benchmark\": \"a\", \"x-j\": [[]], \"value\": 1},\n"
	     " {\"benchmark\": \"b\", \"x-j\": {}, \"value\": \"1\"}]}",
	     PERFDB_EINPUT},
	};
	static const join_case gbench[] = {
	    /* a counter after an ignored array and object */
	    {"{\"benchmarks\": [" GROW_J "\"junk\": [[1],{\"a\":[]}], \"o\": {\"p\": 1},\n"
	     "\"items\": 5}]}",
	     0},
	    /* a field holding an array is still the reader's error */
	    {"{\"benchmarks\": [" GROW_J "\"junk\": [[]], \"threads\": [[]]}]}", PERFDB_EINPUT},
	    {"{\"benchmarks\": [" GROW_J "\"junk\": [[], nul]}]}", PERFDB_JSON__FALLBACK},
	};
	(void)state;
	same_cases(native, sizeof(native) / sizeof(native[0]), PERFDB_FORMAT_NATIVE_JSON);
	same_cases(gbench, sizeof(gbench) / sizeof(gbench[0]), PERFDB_FORMAT_GBENCH);
}

/* An item whose ignored member holds just under the bound's values is
 * read without them as nodes: 999,996 "[]" in a result's "x-j" (3 MB) were
 * a million nodes (67 MB); a row's unknown member the same. */
static void test_json_stream__ignored_members_not_built(void **state)
{
	size_t cap = 4 * 1000000 + 4096, n, nodes;
	char *text = malloc(cap);
	int line, column;
	(void)state;
	assert_non_null(text);
	n = body(text, cap, NATIVE_J, 0, 999996, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_NATIVE_JSON, &line, &column, &nodes),
			 0);
	assert_true(nodes < 100);
	n = body(text, cap, "{\"benchmarks\": [" GROW_J "\"junk\": [", 0, 999990, "]}]}");
	assert_int_equal(ingest_nodes(text, n, PERFDB_FORMAT_GBENCH, &line, &column, &nodes), 0);
	assert_true(nodes < 100);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_stream__same_as_whole_tests_data),
	    cmocka_unit_test(test_json_stream__same_as_whole_shared_corpus),
	    cmocka_unit_test(test_json_stream__fixtures_are_streamed),
	    cmocka_unit_test(test_json_stream__gbench_joins),
	    cmocka_unit_test(test_json_stream__depth_limit),
	    cmocka_unit_test(test_json_stream__native_joins),
	    cmocka_unit_test(test_json_stream__pytest_joins),
	    cmocka_unit_test(test_json_stream__more_joins),
	    cmocka_unit_test(test_json_stream__no_array),
	    cmocka_unit_test(test_json_stream__truncations),
	    cmocka_unit_test(test_json_stream__bad_strings),
	    cmocka_unit_test(test_json_stream__depth_bombs),
	    cmocka_unit_test(test_json_stream__trailing_garbage),
	    cmocka_unit_test(test_json_stream__bad_token_deep),
	    cmocka_unit_test(test_json_stream__bmf_members),
	    cmocka_unit_test(test_json_stream__bmf_not_an_object),
	    cmocka_unit_test(test_json_stream__bmf_big),
	    cmocka_unit_test(test_json_stream__values_held_bounded),
	    cmocka_unit_test(test_json_stream__refused_item_builds_no_tree),
	    cmocka_unit_test(test_json_stream__ignored_members_same),
	    cmocka_unit_test(test_json_stream__ignored_members_not_built),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
