/*
 * The Go reader on real `go test -bench` output, text and -json (see
 * tests/data/README), and on small hand-made inputs. Expected numbers come
 * from the committed files through a separate, naive reading here (split on
 * white space, strtod), independent of the reader.
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

#define DATA PERFDB_TEST_DATA "/go/"
#define PKG  "example.com/fixture."

/* The values of (name, go unit) in Go text, in file order. */
static size_t expected_values(const char *text, const char *name, const char *unit, double *out,
			      size_t max)
{
	char *copy = strdup(text), *save = NULL, *line;
	size_t n = 0;
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[64], *s2 = NULL, *tok;
		size_t k = 0, i;
		for (tok = strtok_r(line, " \t", &s2); tok && k < 64;
		     tok = strtok_r(NULL, " \t", &s2))
			f[k++] = tok;
		if (k < 4 || strcmp(f[0], name) != 0)
			continue;
		for (i = 2; i + 1 < k; i += 2)
			if (strcmp(f[i + 1], unit) == 0 && n < max)
				out[n++] = strtod(f[i], NULL);
	}
	free(copy);
	return n;
}

/* The Output strings of a test2json file joined: the text go test printed. */
static char *joined_output(const char *file)
{
	size_t len, cap = 1 << 16, n = 0;
	char *text = slurp_file(file, &len), *out = malloc(cap), *save = NULL, *line;
	assert_non_null(out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *ev = json_loads(line, 0, &jerr);
		const char *o;
		assert_non_null(ev);
		o = json_string_value(json_object_get(ev, "Output"));
		if (o) {
			size_t k = strlen(o);
			assert_true(n + k + 1 < cap);
			memcpy(out + n, o, k);
			n += k;
		}
		json_decref(ev);
	}
	out[n] = '\0';
	free(text);
	return out;
}

/* Every result of name (prefixed with the package) against the text. */
static void check_series(const perfdb_resultset *rs, const char *text, const char *name,
			 const char *const *units, size_t nunits, size_t reps)
{
	char full[256];
	size_t u, i;
	snprintf(full, sizeof(full), PKG "%s", name);
	for (u = 0; u < nunits; u++) {
		double want[16], scale = 1.0, sum = 0.0;
		size_t n = expected_values(text, name, units[u], want, 16);
		const perfdb_result *r = find_result(rs, full, units[u]);
		assert_int_equal(n, reps);
		assert_int_equal(r->nsamples, reps);
		if (strcmp(units[u], "MB/s") == 0) {
			scale = 1e6;
			assert_string_equal(r->unit, "B/s");
			assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
		} else if (strcmp(units[u], "ns/op") == 0) {
			assert_string_equal(r->unit, "ns");
			assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		} else if (strcmp(units[u], "B/op") == 0) {
			assert_string_equal(r->unit, "B");
			assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		} else {
			assert_string_equal(r->unit, units[u]);
			assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
		}
		for (i = 0; i < n; i++) {
			assert_near(r->samples[i], want[i] * scale, 1e-9 * fabs(want[i] * scale));
			sum += want[i] * scale;
		}
		assert_near(r->value, sum / (double)n, 1e-9 * fabs(sum));
	}
}

static const char *const time_mem[] = {"ns/op", "B/op", "allocs/op"};
static const char *const hash_units[] = {"ns/op", "MB/s", "B/op", "allocs/op"};
static const char *const custom_units[] = {"ns/op", "hits/op", "widgets", "B/op", "allocs/op"};

static void check_fixture_results(const perfdb_resultset *rs, const char *text, size_t reps)
{
	check_series(rs, text, "BenchmarkFib-2", time_mem, 3, reps);
	check_series(rs, text, "BenchmarkSort/n=10-2", time_mem, 3, reps);
	check_series(rs, text, "BenchmarkSort/n=100-2", time_mem, 3, reps);
	check_series(rs, text, "BenchmarkHash-2", hash_units, 4, reps);
	check_series(rs, text, "BenchmarkCustom-2", custom_units, 5, reps);
	assert_int_equal(perfdb_resultset_count(rs), 3 + 3 + 3 + 4 + 5);
	assert_null(lookup_result(rs, PKG "BenchmarkFails-2", "ns/op"));
	assert_string_equal(tag_value(rs, "goos", true), "linux");
	assert_string_equal(tag_value(rs, "goarch", true), "amd64");
	assert_string_equal(tag_value(rs, "cpu", true), "AMD EPYC");
	assert_int_equal(perfdb_resultset_tag_count(rs), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "go");
}

static void test_ingest_go__count2(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "go_count2.txt", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__gotest, DATA "go_count2.txt", PERFDB_OK);
	char where[256];
	int line, col;
	(void)state;
	check_fixture_results(rs, text, 2);
	/* "BenchmarkFails-2 \t--- FAIL: BenchmarkFails-2": warned once, at the name */
	position_of(text, "--- FAIL: BenchmarkFails-2", &line, &col);
	snprintf(where, sizeof(where), DATA "go_count2.txt:%d:%d: ", line, col + 10);
	assert_true(has_warning(rs, where, "'" PKG "BenchmarkFails-2' failed; not recorded"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_go__cpu_list_keeps_procs_apart(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "go_cpu12.txt", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__gotest, DATA "go_cpu12.txt", PERFDB_OK);
	double want[2];
	(void)state;
	/* -cpu 1,2: "BenchmarkFib" (GOMAXPROCS 1) and "BenchmarkFib-2" are two series */
	assert_int_equal(expected_values(text, "BenchmarkFib", "ns/op", want, 2), 1);
	assert_near(find_result(rs, PKG "BenchmarkFib", "ns/op")->value, want[0], 1e-9);
	assert_int_equal(expected_values(text, "BenchmarkFib-2", "ns/op", want, 2), 1);
	assert_near(find_result(rs, PKG "BenchmarkFib-2", "ns/op")->value, want[0], 1e-9);
	assert_int_equal(expected_values(text, "BenchmarkHash", "MB/s", want, 2), 1);
	assert_near(find_result(rs, PKG "BenchmarkHash", "MB/s")->value, want[0] * 1e6, 1e-3);
	assert_int_equal(perfdb_resultset_count(rs), 2 * (3 + 3 + 3 + 4 + 5));
	assert_true(has_warning(rs, "'" PKG "BenchmarkFails' failed", NULL));
	assert_true(has_warning(rs, "'" PKG "BenchmarkFails-2' failed", NULL));
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_go__test2json_joins_split_lines(void **state)
{
	char *text = joined_output(DATA "go_test2json.jsonl");
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__gotest_json, DATA "go_test2json.jsonl", PERFDB_OK);
	size_t len;
	char *raw = slurp_file(DATA "go_test2json.jsonl", &len), *p;
	char where[256];
	int line, col;
	(void)state;
	/* the file really splits a result: a name event ending in a tab */
	assert_non_null(strstr(raw, "\"Output\":\"BenchmarkFib-2       \\t\"}"));
	check_fixture_results(rs, text, 2);
	p = strstr(raw, "\"Output\":\"--- SKIP: BenchmarkSkipped");
	assert_non_null(p);
	line_col_at(raw, p, &line, &col);
	snprintf(where, sizeof(where), DATA "go_test2json.jsonl:%d:%d: ", line, col);
	assert_true(has_warning(rs, where, "'" PKG "BenchmarkSkipped' was skipped"));
	p = strstr(raw, "\"Output\":\"--- FAIL: BenchmarkFails-2");
	line_col_at(raw, p, &line, &col);
	snprintf(where, sizeof(where), DATA "go_test2json.jsonl:%d:%d: ", line, col);
	assert_true(has_warning(rs, where, "'" PKG "BenchmarkFails-2' failed"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
	free(text);
	free(raw);
}

static void test_ingest_go__verbose_names_and_skip(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "go_verbose.txt", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__gotest, DATA "go_verbose.txt", PERFDB_OK);
	double want[1];
	int line, col;
	char where[256];
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_int_equal(expected_values(text, "BenchmarkSort/n=100-2", "ns/op", want, 1), 1);
	assert_near(find_result(rs, PKG "BenchmarkSort/n=100-2", "ns/op")->value, want[0], 1e-9);
	position_of(text, "--- SKIP", &line, &col);
	snprintf(where, sizeof(where), DATA "go_verbose.txt:%d:%d: ", line, col + 10);
	assert_true(has_warning(rs, where, "'" PKG "BenchmarkSkipped' was skipped"));
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_go__detected_from_content(void **state)
{
	static const struct {
		const char *file;
		perfdb_format fmt;
	} files[] = {{DATA "go_count2.txt", PERFDB_FORMAT_GO},
		     {DATA "go_cpu12.txt", PERFDB_FORMAT_GO},
		     {DATA "go_verbose.txt", PERFDB_FORMAT_GO},
		     {DATA "go_test2json.jsonl", PERFDB_FORMAT_GO_JSON}};
	size_t i, len;
	perfdb_format f;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = slurp_file(files[i].file, &len);
		assert_int_equal(perfdb_ingest_detect(text, len), files[i].fmt);
		free(text);
	}
	/* a name continuing in lower case is not a benchmark (Go's rule) */
	assert_int_equal(perfdb_ingest_detect("Benchmarking 10 5 ns/op\n", 24), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_ingest_detect("BenchmarkX foo 5 ns/op\n", 23), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_format_parse(&f, "go"), 0);
	assert_int_equal(f, PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_format_parse(&f, "test2json"), 0);
	assert_int_equal(f, PERFDB_FORMAT_GO_JSON);
	assert_string_equal(perfdb_format_name(PERFDB_FORMAT_GO_JSON), "go-json");
}

/* Unit lines apply to every result of their unit, the last one of a unit
 * winning, found through an index (many Unit lines and many results were
 * quadratic: 60,000 of each took 20 s). */
static void test_ingest_go__many_unit_hints(void **state)
{
	size_t cap = 5000 * 80, n = 0, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	char name[64];
	(void)state;
	assert_non_null(text);
	for (i = 0; i < 2000; i++)
		n += (size_t)snprintf(text + n, cap - n, "Unit u%zu/op better=%s\n", i,
				      i % 2 ? "higher" : "lower");
	/* u0/op again, now higher */
	n += (size_t)snprintf(text + n, cap - n, "Unit u0/op better=higher\n");
	for (i = 0; i < 2000; i++)
		n +=
		    (size_t)snprintf(text + n, cap - n, "BenchmarkB%zu 1 5 u%zu/op 7 w/op\n", i, i);
	rs = ingest_ok(text, PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_resultset_count(rs), 4000);
	for (i = 0; i < 2000; i++) {
		char metric[32];
		snprintf(name, sizeof(name), "BenchmarkB%zu", i);
		snprintf(metric, sizeof(metric), "u%zu/op", i);
		assert_int_equal(find_result(rs, name, metric)->direction,
				 i % 2 || i == 0 ? PERFDB_HIGHER_IS_BETTER
						 : PERFDB_LOWER_IS_BETTER);
		/* no hint: the unit's own default */
		assert_int_equal(find_result(rs, name, "w/op")->direction, PERFDB_LOWER_IS_BETTER);
	}
	perfdb_resultset_free(rs);
	free(text);
}

/*
 * The configuration in effect is named in key order, however the lines came:
 * removing a key (an empty value) used to move the last key into its place,
 * so the same configuration named a second series ("[c=3,b=2]").
 */
static void test_ingest_go__config_order_after_removal(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	rs = ingest_ok("a: 1\nb: 2\nc: 3\nBenchmarkX-4 1 1 ns/op\n"
		       "a:\nBenchmarkY-4 1 1 ns/op\n"
		       "b: 5\nd: 4\nBenchmarkZ-4 1 1 ns/op\n",
		       PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, "BenchmarkX-4 [a=1,b=2,c=3]");
	assert_string_equal(perfdb_resultset_get(rs, 1)->benchmark, "BenchmarkY-4 [b=2,c=3]");
	assert_string_equal(perfdb_resultset_get(rs, 2)->benchmark, "BenchmarkZ-4 [b=5,c=3,d=4]");
	perfdb_resultset_free(rs);
}

/*
 * Every name carries the configuration in effect, so what it may add is
 * bounded: 4,096 bytes, refused at the line that passes it (a few lines
 * would otherwise make each of a million names as long as the file). Many
 * lines setting keys again and again stay within it and are read.
 */
static void test_ingest_go__config_bounded(void **state)
{
	size_t cap = 1 << 20, n = 0, i;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (i = 0; i < 400; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%03zu: v\n", i);
	for (i = 0; i < 20000; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%03zu: w\n", i % 400);
	n += (size_t)snprintf(text + n, cap - n, "BenchmarkA 1 2 ns/op\n");
	rs = ingest_ok(text, PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_int_equal(strlen(perfdb_resultset_get(rs, 0)->benchmark),
			 strlen("BenchmarkA [") + 400 * strlen("k000=w,") - 1 + 1);
	perfdb_resultset_free(rs);

	for (i = 400; i < 600; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%03zu: v\n", i);
	/* "kNNN=v," is 7 bytes, and " [" "]" 2: 7n + 2 > 4,096 from the 585th
	 * key on, k584, on the line after BenchmarkA (20401) and k400..k583 */
	expect_input_error(text, PERFDB_FORMAT_GO, "b.txt", PERFDB_EINPUT, 20402 + 184, 1, NULL,
			   "the configuration lines in effect (pkg: and key: value) come to more "
			   "than 4096 bytes, which every benchmark's name would carry");
	free(text);
}

/* A line of test2json output holds at most 100,000 values (a real one a
 * dozen): past them it is refused at its line and the value that passes. */
static void test_ingest_go__json_line_values_bounded(void **state)
{
	static const char first[] = "{\"Action\":\"output\",\"Output\":\"goos: linux\\n\"}\n";
	static const char head[] = "{\"Action\":\"output\",\"Output\":\"x\\n\",\"X\":[";
	size_t i, n, cap = sizeof(first) + sizeof(head) + 3 * 100000 + 16;
	char *text = malloc(cap);
	(void)state;
	assert_non_null(text);
	/* the object, Action, Output, X: 4 values, then 99,997 passes */
	n = (size_t)snprintf(text, cap, "%s%s", first, head);
	for (i = 0; i < 99997; i++)
		n += (size_t)snprintf(text + n, cap - n, "%s{}", i ? "," : "");
	n += (size_t)snprintf(text + n, cap - n, "]}\n");
	expect_input_error(text, PERFDB_FORMAT_GO_JSON, "g.json", PERFDB_EINPUT, 2,
			   (int)(sizeof(head) - 1 + 3 * 99996 + 1), NULL,
			   "more than 100000 values (a line of JSON output holds a few dozen)");
	free(text);
}

static void test_ingest_go__config_lines_and_units(void **state)
{
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	rs = ingest_ok("Unit text-bytes better=higher assume=exact\n"
		       "note: before\n"
		       "BenchmarkSize 1 100 text-bytes\n"
		       "note: after\n"
		       "BenchmarkSize 1 105 text-bytes\n"
		       "note:\n"
		       "BenchmarkSize 1 7 text-bytes 3 us/op\n",
		       PERFDB_FORMAT_GO);
	r = find_result(rs, "BenchmarkSize [note=before]", "text-bytes");
	assert_near(r->value, 100, 0);
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(find_result(rs, "BenchmarkSize [note=after]", "text-bytes")->value, 105, 0);
	assert_near(find_result(rs, "BenchmarkSize", "text-bytes")->value, 7, 0);
	r = find_result(rs, "BenchmarkSize", "us/op");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 3000, 0);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	perfdb_resultset_free(rs);

	/* two packages keep equal names apart */
	rs = ingest_ok("pkg: a\nBenchmarkX-8 10 5 ns/op\npkg: b\nBenchmarkX-8 10 6 ns/op\n",
		       PERFDB_FORMAT_GO);
	assert_near(find_result(rs, "a.BenchmarkX-8", "ns/op")->value, 5, 0);
	assert_near(find_result(rs, "b.BenchmarkX-8", "ns/op")->value, 6, 0);
	perfdb_resultset_free(rs);
}

/* Benchmarks with a few metrics, as many as a short search covers, one
 * more (the reader then indexes them) and many more, repeated between each
 * other with the metrics in another order each time: every value lands on
 * its own series, in file order. */
static void test_ingest_go__many_metrics_interleaved(void **state)
{
	enum { NREPS = 3, NBENCH = 4 };
	static const char *const names[NBENCH] = {"BenchmarkA-2", "BenchmarkB-2", "BenchmarkC-2",
						  "BenchmarkD-2"};
	static const size_t nmetrics[NBENCH] = {3, 16, 17, 40};
	char *text = malloc(1 << 16), metric[32];
	size_t len = 0, rep, b, k, i = 0;
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (rep = 0; rep < NREPS; rep++)
		for (b = 0; b < NBENCH; b++) {
			len += (size_t)snprintf(text + len, (1 << 16) - len, "%s 10", names[b]);
			for (k = 0; k < nmetrics[b]; k++) {
				size_t m = (k + rep * 7) % nmetrics[b];
				len += (size_t)snprintf(text + len, (1 << 16) - len, " %zu u%zu",
							rep * 1000 + b * 100 + m, m);
			}
			text[len++] = '\n';
			text[len] = '\0';
		}
	rs = ingest_ok(text, PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_resultset_count(rs), 3 + 16 + 17 + 40);
	for (b = 0; b < NBENCH; b++)
		for (k = 0; k < nmetrics[b]; k++) {
			const perfdb_result *r = perfdb_resultset_get(rs, i++);
			snprintf(metric, sizeof(metric), "u%zu", k);
			assert_string_equal(r->benchmark, names[b]);
			assert_string_equal(r->metric, metric);
			assert_string_equal(r->unit, metric);
			assert_int_equal(r->nsamples, NREPS);
			for (rep = 0; rep < NREPS; rep++)
				assert_near(r->samples[rep], (double)(rep * 1000 + b * 100 + k), 0);
		}
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_go__failures_and_non_numbers_warn(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	/* a benchmark that failed is dropped with its earlier repetitions */
	rs = ingest_ok("BenchmarkA 10 5 ns/op\n"
		       "BenchmarkB 10 6 ns/op\n"
		       "BenchmarkA 10 NaN ns/op\n"
		       "BenchmarkB 10 7 ns/op 1 x/op\n"
		       "BenchmarkB 10 8 ns/op NaN x/op\n"
		       "    --- FAIL: BenchmarkA\n"
		       "BenchmarkC printed this\n",
		       PERFDB_FORMAT_GO);
	assert_null(lookup_result(rs, "BenchmarkA", "ns/op"));
	assert_int_equal(find_result(rs, "BenchmarkB", "ns/op")->nsamples, 3);
	assert_int_equal(find_result(rs, "BenchmarkB", "x/op")->nsamples, 1);
	assert_true(
	    has_warning(rs, "ok:3:15: benchmark 'BenchmarkA': ns/op is not a number", NULL));
	assert_true(has_warning(rs, "ok:5:23: benchmark 'BenchmarkB': x/op is not a number", NULL));
	assert_true(has_warning(rs, "ok:6:15: benchmark 'BenchmarkA' failed", NULL));
	assert_true(has_warning(rs, "ok:7:1: 'BenchmarkC' starts like a benchmark result", NULL));
	assert_int_equal(perfdb_resultset_warning_count(rs), 4);
	perfdb_resultset_free(rs);

	rs = ingest_ok("PASS\nok  \tx\t0.1s\n", PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	assert_true(has_warning(rs, "no benchmark results", NULL));
	perfdb_resultset_free(rs);
}

static void test_ingest_go__bad_inputs(void **state)
{
	(void)state;
	expect_input_error("goos: linux\nBenchmarkX-2 \t 100\t 12abc ns/op\n", PERFDB_FORMAT_GO,
			   "b.txt", PERFDB_EINPUT, 2, 21, NULL, "expected a number, found '12abc'");
	expect_input_error("BenchmarkX 100 12 ns/op 5\n", PERFDB_FORMAT_GO, "b.txt", PERFDB_EINPUT,
			   1, 25, NULL, "expected a value and a unit");
	{
		/* a NUL byte would cut a name short: refused where it is */
		static const char nul[] = "goos: linux\nBenchmarkX\0Y 100 1 ns/op\n";
		perfdb_resultset *rs = guarded_new();
		assert_int_equal(
		    perfdb_ingest_buffer(rs, nul, sizeof(nul) - 1, "b.txt", PERFDB_FORMAT_GO),
		    PERFDB_EINPUT);
		assert_int_equal(perfdb_error_last()->line, 2);
		assert_int_equal(perfdb_error_last()->column, 11);
		assert_non_null(strstr(perfdb_error_last()->message, "NUL byte"));
		assert_int_equal(
		    perfdb_ingest_buffer(rs, nul, sizeof(nul) - 1, "b.txt", PERFDB_FORMAT_LIBTEST),
		    PERFDB_EINPUT);
		assert_int_equal(
		    perfdb_ingest_buffer(rs, nul, sizeof(nul) - 1, "b.txt", PERFDB_FORMAT_CATCH2),
		    PERFDB_EINPUT);
		assert_guarded_unchanged(rs);
		perfdb_resultset_free(rs);
	}
	expect_input_error("BenchmarkX 100 1e999 ns/op\n", PERFDB_FORMAT_GO, "b.txt", PERFDB_EINPUT,
			   1, 16, NULL, "out of range");
	expect_input_error("{\"Action\":\"output\",\"Output\":\"x\\n\"}\n"
			   "{\"Action\":\"output\",\"Output\":\"x\\n\",}\n",
			   PERFDB_FORMAT_GO_JSON, "t.jsonl", PERFDB_EINPUT, 2, 34, NULL,
			   "invalid JSON");
	expect_input_error("{\"Action\":\"output\",\"Output\":\"x\\n\"}\n"
			   "panic: boom\n",
			   PERFDB_FORMAT_GO_JSON, "t.jsonl", PERFDB_EINPUT, 2, 1, NULL,
			   "expected a test2json event");
	expect_input_error("{\"Action\":\"output\",\"Output\":7}\n", PERFDB_FORMAT_GO_JSON,
			   "t.jsonl", PERFDB_EINPUT, 1, 29, "Output", "expected a string");
	expect_input_error("{\"Action\":\"output\",\"Output\":\"BenchmarkX 1 zz ns/op\\n\"}\n",
			   PERFDB_FORMAT_GO_JSON, "t.jsonl", PERFDB_EINPUT, 1, 20, NULL,
			   "expected a number, found 'zz'");
	/* the position is the event's own "Output" key, not an "Output" key of a
	 * nested object before it, and counts characters */
	expect_input_error("{\"Action\":\"output\",\"x\":{\"Output\":1},\"Output\":\"BenchmarkX 1 "
			   "zz ns/op\\n\"}\n",
			   PERFDB_FORMAT_GO_JSON, "t.jsonl", PERFDB_EINPUT, 1, 37, NULL,
			   "expected a number, found 'zz'");
	expect_input_error("{\"Action\":\"output\",\"Test\":\"\xc3\xa9\xc3\xa9\",\"Output\":"
			   "\"BenchmarkX 1 zz ns/op\\n\"}\n",
			   PERFDB_FORMAT_GO_JSON, "t.jsonl", PERFDB_EINPUT, 1, 32, NULL,
			   "expected a number, found 'zz'");
}

/* A buffer that is not NUL-terminated (perfdb_ingest_buffer's contract): the
 * go-json reader once looked for the "Output" key with strstr and read past
 * its end (found by fuzz_ingest_go_json; caught here under ASan). */
static void test_ingest_go__test2json_unterminated_buffer(void **state)
{
	/* the key written with an escape, so its raw text is not "Output" */
	static const char ev[] = "{\"Action\":\"output\",\"Package\":\"p\","
				 "\"Outp\\u0075t\":\"BenchmarkX-2 \\t 100\\t 12.5 ns/op\\n\"}";
	char *buf = malloc(sizeof(ev) - 1);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(buf);
	memcpy(buf, ev, sizeof(ev) - 1); /* no NUL after the event */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(
	    perfdb_ingest_buffer(rs, buf, sizeof(ev) - 1, "t.jsonl", PERFDB_FORMAT_GO_JSON), 0);
	assert_near(find_result(rs, "p.BenchmarkX-2", "ns/op")->value, 12.5, 0);
	perfdb_resultset_free(rs);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_go__count2),
	    cmocka_unit_test(test_ingest_go__cpu_list_keeps_procs_apart),
	    cmocka_unit_test(test_ingest_go__test2json_joins_split_lines),
	    cmocka_unit_test(test_ingest_go__test2json_unterminated_buffer),
	    cmocka_unit_test(test_ingest_go__verbose_names_and_skip),
	    cmocka_unit_test(test_ingest_go__detected_from_content),
	    cmocka_unit_test(test_ingest_go__config_lines_and_units),
	    cmocka_unit_test(test_ingest_go__many_metrics_interleaved),
	    cmocka_unit_test(test_ingest_go__failures_and_non_numbers_warn),
	    cmocka_unit_test(test_ingest_go__bad_inputs),
	    cmocka_unit_test(test_ingest_go__many_unit_hints),
	    cmocka_unit_test(test_ingest_go__config_order_after_removal),
	    cmocka_unit_test(test_ingest_go__config_bounded),
	    cmocka_unit_test(test_ingest_go__json_line_values_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
