/*
 * Go (text and -json) and libtest (text and JSON) files read by name (a line
 * at a time through a window, in three passes: lib/ingest/README.md, "Big
 * files") against the same bytes read whole from a buffer: the results (and
 * their order), warnings, context and metadata, or the error, must be the
 * same byte for byte, also through windows of 1, 7 and 64 bytes, for every
 * such file in tests/data and for broken variants (every truncation, bad
 * bytes everywhere, repetitions and failures 100,000 lines apart). And what
 * the window is for: results go to the resultset's sink as they are read,
 * in memory far below the file's size.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "sink_collect.h"
#include "text_variants.h"
#include "failed_same.h"
#include "sanitized.h"

/* Something of everything a Go text has: configuration lines (the machine's,
 * pkg, a note that names the series and its removal), -benchmem metrics, a
 * custom unit twice on one line and its Unit hint after it, repetitions near
 * and far, -v's bare names, NaN and +Inf, a failure after the benchmark's
 * results, a skip. */
static const char go_text[] = "goos: linux\n"
			      "goarch: amd64\n"
			      "pkg: example.com/a\n"
			      "cpu: Test CPU @ 2.00GHz\n"
			      "BenchmarkA-2   \t 1000\t  12.5 ns/op\t  64 B/op\t  2 allocs/op\n"
			      "BenchmarkB-2   \t 2000\t  7 ns/op\t  1.5 MB/s\r\n"
			      "note: before\n"
			      "BenchmarkA-2   \t 1000\t  13.5 ns/op\t  64 B/op\t  2 allocs/op\n"
			      "BenchmarkC\n"
			      "BenchmarkC-2   \t 10\t  NaN ns/op\n"
			      "BenchmarkD-2   \t 10\t  5 ns/op\n"
			      "--- FAIL: BenchmarkD-2\n"
			      "note:\n"
			      "BenchmarkA-2 1000 14 ns/op 65 B/op 3 allocs/op 1 x/op 2 x/op\n"
			      "Unit x/op better=higher\n"
			      "    --- SKIP: BenchmarkE-2\n"
			      "BenchmarkB-2   \t 2000\t  +Inf ns/op\t  1.7 MB/s\n"
			      "PASS\n"
			      "ok  \texample.com/a\t1.0s";

/* test2json: a result line split over two events, packages changing, an
 * event that is not output, a blank line, a last line without a newline. */
static const char go_json[] =
    "{\"Action\":\"start\",\"Package\":\"example.com/a\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"goos: linux\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"BenchmarkA-2 \\t\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"  1000\\t 12 ns/op\\t 8 "
    "B/op\\n\"}\n"
    "\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/b\",\"Output\":\"BenchmarkA-2 1 3 "
    "ns/op\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"BenchmarkA-2 1 4 "
    "ns/op\\nBenchmarkZ-2 1 NaN ns/op\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"--- FAIL: "
    "BenchmarkY-2\\n\"}\n"
    "{\"Action\":\"pass\",\"Package\":\"example.com/a\"}\n"
    "{\"Action\":\"output\",\"Package\":\"example.com/a\",\"Output\":\"BenchmarkQ-2 1 5 ns/op\"}";

/* libtest: repeated names (two runs appended), throughput, a unit of its
 * own (one named "throughput": two values of one line in one result),
 * FAILED both ways, ignored tests, lines that are not read. */
static const char libtest_text[] =
    "\nrunning 5 tests\n"
    "test tests::a ... ignored\n"
    "test b::fast ... bench:       1,234.50 ns/iter (+/- 10) = 456 MB/s\n"
    "test b::slow ... bench:          12 us/iter (+/- 1)\n"
    "test b::cyc  ... bench:         100 cycles/iter (+/- 1)\n"
    "test b::thr ... bench:  5 throughput (+/- 1) = 3 MB/s\n"
    "test b::bad ... FAILED\r\n"
    "b::worse --- FAILED\n"
    "test b::fast ... bench:       1,300.00 ns/iter (+/- 10) = 400 MB/s\n"
    "test tests::c ... ignored\n"
    "test result: ok. 0 passed; 0 failed; 2 ignored\n"
    "test b::bad ... bench:  5 ns/iter (+/- 1)\n"
    "test b::slow ... bench:          13 us/iter (+/- 1)";

static const char libtest_json[] =
    "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 4 }\n"
    "{ \"type\": \"test\", \"event\": \"started\", \"name\": \"b::fast\" }\n"
    "{ \"type\": \"bench\", \"name\": \"b::fast\", \"median\": 1234, \"deviation\": 10, "
    "\"mib_per_second\": 456 }\n"
    "{ \"type\": \"test\", \"name\": \"t::ign\", \"event\": \"ignored\" }\n"
    "{ \"type\": \"bench\", \"name\": \"b::nan\", \"median\": -1, \"deviation\": 0 }\n"
    "\n"
    "{ \"type\": \"test\", \"name\": \"b::bad\", \"event\": \"failed\" }\n"
    "{ \"type\": \"bench\", \"name\": \"b::fast\", \"median\": 1300, \"deviation\": 10 }\n"
    "{ \"type\": \"bench\", \"name\": \"b::bad\", \"median\": 5, \"deviation\": 0 }\n"
    "{ \"type\": \"suite\", \"event\": \"ok\", \"passed\": 0 }";

static const struct {
	const char *text;
	size_t len;
	perfdb_format fmt;
} samples[] = {
    {go_text, sizeof(go_text) - 1, PERFDB_FORMAT_GO},
    {go_json, sizeof(go_json) - 1, PERFDB_FORMAT_GO_JSON},
    {libtest_text, sizeof(libtest_text) - 1, PERFDB_FORMAT_LIBTEST},
    {libtest_json, sizeof(libtest_json) - 1, PERFDB_FORMAT_LIBTEST_JSON},
};

#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static void same_bytes(const char *body, size_t len, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-lines-window-XXXXXX";
	write_temp(path, body, len);
	same_as(path, fmt);
	unlink(path);
}

/* The error (or "ok") perfdb_ingest_file gives for body, after checking it
 * against the buffer. */
static char *file_error(const char *body, size_t len, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-lines-window-XXXXXX", *msg;
	perfdb_resultset *rs;
	int rc;
	write_temp(path, body, len);
	same_as(path, fmt);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, fmt);
	msg = strdup(rc ? strchr(perfdb_error_last()->message, ':') + 1 : "ok");
	perfdb_resultset_free(rs);
	unlink(path);
	return msg;
}

static void expect_error(const char *body, size_t len, perfdb_format fmt, const char *want)
{
	char *got = file_error(body, len, fmt);
	if (strcmp(got, want) != 0) {
		print_error("got  '%s'\nwant '%s'\n", got, want);
		fail();
	}
	free(got);
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_lines_window__same_as_whole_tests_data(void **state)
{
	(void)state;
	assert_true(same_under(PERFDB_TEST_DATA "/go", ".txt", same_lines) >= 3);
	assert_true(same_under(PERFDB_TEST_DATA "/go", ".jsonl", same_lines) >= 1);
	assert_true(same_under(PERFDB_TEST_DATA "/libtest", ".txt", same_lines) >= 2);
	assert_true(same_under(PERFDB_TEST_DATA "/libtest", ".jsonl", same_lines) >= 1);
}

/* The samples themselves, as what they are: the values pinned, so that
 * "the same as whole" is about the right reading. */
static void test_lines_window__samples_read_right(void **state)
{
	char path[] = "/tmp/perfdb-lines-window-XXXXXX";
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	write_temp(path, go_text, sizeof(go_text) - 1);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
	/* A's three metrics, B's two, A [note=before]'s three, A's x/op (two
	 * values on one line); B's ns/op keeps its finite value; C (NaN only)
	 * and D (failed) are left out */
	assert_int_equal(perfdb_resultset_count(rs), 9);
	r = perfdb_resultset_get(rs, 0);
	assert_string_equal(r->benchmark, "example.com/a.BenchmarkA-2");
	assert_string_equal(r->metric, "ns/op");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[0], 12.5, 0);
	assert_near(r->samples[1], 14, 0);
	r = perfdb_resultset_get(rs, 3);
	assert_string_equal(r->benchmark, "example.com/a.BenchmarkB-2");
	assert_int_equal(r->nsamples, 1);
	assert_near(r->samples[0], 7, 0);
	r = perfdb_resultset_get(rs, 5);
	assert_string_equal(r->benchmark, "example.com/a.BenchmarkA-2 [note=before]");
	r = perfdb_resultset_get(rs, 8);
	assert_string_equal(r->metric, "x/op");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[1], 2, 0);
	assert_int_equal(perfdb_resultset_warning_count(rs), 4);
	perfdb_resultset_free(rs);
	unlink(path);
}

static void test_lines_window__every_truncation(void **state)
{
	size_t k, n;
	(void)state;
	for (k = 0; k < NSAMPLES; k++)
		for (n = 0; n <= samples[k].len; n++)
			same_bytes(samples[k].text, n, samples[k].fmt);
}

static void test_lines_window__bad_bytes_everywhere(void **state)
{
	static const char *const bad[] = {"\0", "\n", " ", "x", "\"", "{", "9", "\xff", "\r\n\t"};
	static const size_t badlen[] = {1, 1, 1, 1, 1, 1, 1, 1, 3};
	char body[1024];
	size_t k, at, b;
	(void)state;
	for (k = 0; k < NSAMPLES; k++) {
		const char *text = samples[k].text;
		size_t len = samples[k].len;
		assert_true(len + 4 < sizeof(body));
		for (at = 0; at < len; at += 5)
			for (b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
				memcpy(body, text, at);
				memcpy(body + at, bad[b], badlen[b]);
				memcpy(body + at + badlen[b], text + at, len - at);
				same_bytes(body, len + badlen[b], samples[k].fmt);
			}
	}
}

/* `first`, then 100,000 lines of other benchmarks, then `last`, `after`. */
static void far_apart(rs_text *t, const char *first, const char *last, const char *after)
{
	size_t i;
	t->len = 0;
	rs_text_add(t, "%s\n", first);
	for (i = 0; i < 100000; i++)
		rs_text_add(t, "BenchmarkN%zu 1 %zu ns/op\n", i, i % 1000);
	rs_text_add(t, "%s\n%s", last, after);
}

static void test_lines_window__far_apart(void **state)
{
	static const char *const cases[][4] = {
	    /* repetitions far apart, a failure far from the results, a hint
	     * far after them: one result of two samples, none, a direction */
	    {"BenchmarkDup 1 1 ns/op", "BenchmarkDup 1 2 ns/op", "", "ok"},
	    {"BenchmarkDup 1 1 ns/op", "--- FAIL: BenchmarkDup", "BenchmarkDup 1 3 ns/op", "ok"},
	    {"BenchmarkDup 1 1 x/op", "Unit x/op better=higher", "", "ok"},
	    /* an error of a line wins over one found as a result is made,
	     * which names the result's first line */
	    {"BenchmarkDup 1 1e300 s/op", "BenchmarkDup 1 2 s/op", "BenchmarkX 1 12abc ns/op",
	     "100003:14: expected a number, found '12abc'"},
	    {"BenchmarkDup 1 1e300 s/op", "BenchmarkDup 1 2 s/op", "",
	     "1:1: benchmark 'BenchmarkDup': s/op out of range"},
	    {"BenchmarkOne 1 1 ns/op", "BenchmarkLate 1 1e300 s/op", "",
	     "100002:1: benchmark 'BenchmarkLate': s/op out of range"},
	};
	rs_text t = {NULL, 0, 0};
	perfdb_resultset *rs;
	size_t k;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		far_apart(&t, cases[k][0], cases[k][1], cases[k][2]);
		expect_error(t.s, t.len, PERFDB_FORMAT_GO, cases[k][3]);
	}
	/* the first: Dup first, with both samples */
	far_apart(&t, cases[0][0], cases[0][1], cases[0][2]);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, t.s, t.len, "x", PERFDB_FORMAT_GO), 0);
	assert_int_equal(perfdb_resultset_count(rs), 100001);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, "BenchmarkDup");
	assert_int_equal(perfdb_resultset_get(rs, 0)->nsamples, 2);
	assert_near(perfdb_resultset_get(rs, 0)->samples[1], 2, 0);
	assert_string_equal(perfdb_resultset_get(rs, 1)->benchmark, "BenchmarkN0");
	perfdb_resultset_free(rs);
	/* libtest: a name again far below, and FAILED far below */
	t.len = 0;
	rs_text_add(&t, "test dup ... bench: 1 ns/iter (+/- 0)\n");
	for (k = 0; k < 100000; k++)
		rs_text_add(&t, "test n%zu ... bench: %zu ns/iter (+/- 0)\n", k, k % 1000);
	rs_text_add(&t, "test dup ... bench: 2 ns/iter (+/- 0)\ntest n7 ... FAILED\n");
	expect_error(t.s, t.len, PERFDB_FORMAT_LIBTEST, "ok");
	free(t.s);
}

/* A million results of as many lines, in each format: they go to the sink
 * as they are read, and the reader holds a small part of the file meanwhile
 * (read whole, it held the file and every series: 3 to 6 times the file). */
static void test_lines_window__results_go_to_the_sink(void **state)
{
	static const char *const lines[] = {
	    "BenchmarkCase/n=%zu-2 \t 1000\t %zu.5 ns/op\n",
	    ("{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkCase/n=%zu-2 1 %zu "
	     "ns/op\\n\"}\n"), /* one line: the parentheses say so to clang */
	    "test case_%zu ... bench: %zu ns/iter (+/- 1)\n",
	    "{ \"type\": \"bench\", \"name\": \"case_%zu\", \"median\": %zu, \"deviation\": 1 }\n"};
	static const char *const sources[] = {"go", "go", "libtest", "libtest"};
	/* a million lines; a fifth under the sanitizers, which skip the heap
	 * check (sanitized.h) and only count */
	size_t k, i, n = PERFDB_TEST_SANITIZED ? 200000 : 1000000;
	(void)state;
	for (k = 0; k < 4; k++) {
		char path[] = "/tmp/perfdb-lines-window-XXXXXX";
		rs_text t = {NULL, 0, 0};
		size_t len;
		for (i = 0; i < n; i++)
			rs_text_add(&t, lines[k], i, i % 977);
		write_temp(path, t.s, t.len);
		len = t.len;
		free(t.s); /* not to be counted */
		expect_read_to_sink(path, len, n, sources[k]);
		unlink(path);
	}
}

/* A file cut while it is read: an error, not a result made of two files. */
static void test_lines_window__changed_while_read(void **state)
{
	char path[] = "/tmp/perfdb-lines-window-XXXXXX", want[200];
	rs_text t = {NULL, 0, 0};
	sink_seen seen = {0, 0, 0, path};
	perfdb_resultset *rs;
	size_t i;
	(void)state;
	for (i = 0; i < 300000; i++)
		rs_text_add(&t, "BenchmarkB%zu 1 1 ns/op\n", i);
	write_temp(path, t.s, t.len);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 100);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_GO), PERFDB_EIO);
	snprintf(want, sizeof(want), "cannot read '%s': it changed while it was read", path);
	assert_string_equal(perfdb_error_last()->message, want);
	perfdb_resultset_free(rs);
	unlink(path);
	free(t.s);
}

/* A big file whose first megabyte is Go (libtest) text, but where a later
 * line makes the whole another format: by name it is that format too. */
static void test_lines_window__other_format_past_the_head(void **state)
{
	static const char go[] = "BenchmarkB%zu 1 %zu ns/op\n",
			  libtest[] = "test b%zu ... bench: %zu ns/iter (+/- 1)\n";
	static const struct {
		const char *line, *later;
		perfdb_format fmt;
	} cases[] = {
	    {go, "results:\n", PERFDB_FORMAT_GO},
	    {go, "\"perfdb\" : 1\n", PERFDB_FORMAT_GO},
	    {libtest, "BenchmarkLate 1 2 ns/op\n", PERFDB_FORMAT_LIBTEST},
	    {libtest, "run:\n", PERFDB_FORMAT_LIBTEST},
	    {go,
	     "| relative |               ns/op |                op/s |    err% |     total | "
	     "benchmark\n|---------:|--------------------:|\n",
	     PERFDB_FORMAT_GO},
	};
	rs_text t = {NULL, 0, 0};
	size_t i, k;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		t.len = 0;
		for (i = 0; i < 60000; i++)
			rs_text_add(&t, cases[k].line, i, i);
		assert_true(t.len > (1 << 20));
		rs_text_add(&t, "%s", cases[k].later);
		same_bytes(t.s, t.len, cases[k].fmt);
		/* ... and without it, the file is read by name as Go (libtest) */
		t.s[t.len - strlen(cases[k].later)] = '#';
		same_bytes(t.s, t.len, cases[k].fmt);
	}
	free(t.s);
}

/* Failures of every kind beside results: a failed benchmark with results
 * before and after its FAIL line, a FAIL and a SKIP of one name, a status
 * after the name on its result line, test2json repeating a FAIL line, names
 * that only fail (once, twice), one name in two packages of which one
 * fails; libtest's FAILED lines with and without results, -q's
 * "NAME --- FAILED", JSON's failed and timeout events. */
static const char go_failures[] = "pkg: example.com/a\n"
				  "BenchmarkA-2 10 5 ns/op\n"
				  "--- FAIL: BenchmarkA-2\n"
				  "--- FAIL: BenchmarkOnly-2 (0.00s)\n"
				  "BenchmarkA-2 10 6 ns/op\n"
				  "    --- SKIP: BenchmarkB-2\n"
				  "--- FAIL: BenchmarkB-2\n"
				  "BenchmarkB-2 10 7 ns/op\n"
				  "BenchmarkC-2 \t--- FAIL: BenchmarkC-2\n"
				  "BenchmarkC-2 10 8 ns/op 1 B/op\n"
				  "--- FAIL: BenchmarkTwice-2\n"
				  "--- FAIL: BenchmarkTwice-2\n"
				  "BenchmarkD-2 10 9 ns/op\n"
				  "pkg: example.com/b\n"
				  "BenchmarkD-2 10 10 ns/op\n"
				  "--- FAIL: BenchmarkD-2\n"
				  "BenchmarkE-2 10 NaN ns/op\n"
				  "--- SKIP: BenchmarkE-2\n"
				  "--- FAIL: BenchmarkLast-2\n";

static const char go_json_failures[] =
    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkA-2 10 5 ns/op\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"--- FAIL: BenchmarkA-2\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"--- FAIL: BenchmarkA-2\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"--- FAIL: BenchmarkZ-2\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkB-2 10 6 ns/op\\n\"}\n"
    "{\"Action\":\"output\",\"Package\":\"q\",\"Output\":\"--- FAIL: BenchmarkB-2\\n\"}\n";

static const char libtest_failures[] = "running 6 tests\n"
				       "test a ... bench:         10 ns/iter (+/- 1)\n"
				       "test a ... FAILED\n"
				       "test only ... FAILED\n"
				       "test b ... bench:         11 ns/iter (+/- 1) = 5 MB/s\n"
				       "b --- FAILED\n"
				       "twice --- FAILED\n"
				       "twice --- FAILED\n"
				       "test c ... bench:         12 ns/iter (+/- 1)\n"
				       "test c ... bench:         13 ns/iter (+/- 1)\n"
				       "test d ... FAILED\n"
				       "test d ... bench:         14 ns/iter (+/- 1)\n";

static const char libtest_json_failures[] =
    "{ \"type\": \"bench\", \"name\": \"a\", \"median\": 10, \"deviation\": 1 }\n"
    "{ \"type\": \"test\", \"event\": \"failed\", \"name\": \"a\" }\n"
    "{ \"type\": \"test\", \"event\": \"timeout\", \"name\": \"t\" }\n"
    "{ \"type\": \"test\", \"event\": \"failed\", \"name\": \"only\" }\n"
    "{ \"type\": \"bench\", \"name\": \"b\", \"median\": 11, \"deviation\": 1 }\n"
    "{ \"type\": \"test\", \"event\": \"failed\", \"name\": \"c\" }\n"
    "{ \"type\": \"bench\", \"name\": \"c\", \"median\": 12, \"deviation\": 1 }\n";

static perfdb_format failed_fmt; /* of the files same_under gives failed_variants */
static size_t failed_ok;	 /* variants read without an error */

static void failed_variants(const char *path)
{
	failed_ok += failed_same_variants(path, failed_fmt);
}

static void failed_variants_of(const char *body, size_t len, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-lines-failed-XXXXXX";
	write_temp(path, body, len);
	failed_fmt = fmt;
	failed_variants(path);
	unlink(path);
}

/* Every Go and libtest file of tests/data, the samples above and the
 * failures, with their variants (cut at every line, every line twice): the
 * same results, warnings and errors keeping every failed name or only those
 * seen on another line too. */
static void test_lines_window__failed_names_same_kept_or_not(void **state)
{
	static const struct {
		const char *dir, *suffix;
		perfdb_format fmt;
		size_t files;
	} data[] = {{PERFDB_TEST_DATA "/go", ".txt", PERFDB_FORMAT_GO, 3},
		    {PERFDB_TEST_DATA "/go", ".jsonl", PERFDB_FORMAT_GO_JSON, 1},
		    {PERFDB_TEST_DATA "/libtest", ".txt", PERFDB_FORMAT_LIBTEST, 2},
		    {PERFDB_TEST_DATA "/libtest", ".jsonl", PERFDB_FORMAT_LIBTEST_JSON, 1}};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++) {
		failed_fmt = data[i].fmt;
		assert_true(same_under(data[i].dir, data[i].suffix, failed_variants) >=
			    data[i].files);
	}
	for (i = 0; i < NSAMPLES; i++)
		failed_variants_of(samples[i].text, samples[i].len, samples[i].fmt);
	failed_variants_of(go_failures, sizeof(go_failures) - 1, PERFDB_FORMAT_GO);
	failed_variants_of(go_json_failures, sizeof(go_json_failures) - 1, PERFDB_FORMAT_GO_JSON);
	failed_variants_of(libtest_failures, sizeof(libtest_failures) - 1, PERFDB_FORMAT_LIBTEST);
	failed_variants_of(libtest_json_failures, sizeof(libtest_json_failures) - 1,
			   PERFDB_FORMAT_LIBTEST_JSON);
	print_message("%zu variants read without an error\n", failed_ok);
	assert_true(failed_ok > 100);
}

/* 200,000 benchmarks that only fail, then 5,000 results: the failed names
 * are not held while the results are made (held, they took more than the
 * text), Go and libtest; and what failed is still left out. */
static void test_lines_window__failed_names_not_held(void **state)
{
	static const char *const fail[] = {"--- FAIL: BenchmarkFailing%zu-2 (0.00s)\n",
					   "test failing::n%zu ... FAILED\n"};
	static const char *const ok[] = {"BenchmarkOk%zu-2 10 5 ns/op\n",
					 "test ok::n%zu ... bench:  10 ns/iter (+/- 1)\n"};
	static const char *const last[] = {"--- FAIL: BenchmarkOk0-2\n",
					   "test ok::n0 ... FAILED\n"};
	size_t cap = 205000 * 48, n, i, before, k;
	char *text = malloc(cap);
	(void)state;
	assert_non_null(text);
	for (k = 0; k < 2; k++) {
		sink_seen seen = {0, 0, 0, NULL};
		perfdb_resultset *rs;
		n = 0;
		for (i = 0; i < 200000; i++)
			n += (size_t)snprintf(text + n, cap - n, fail[k], i);
		for (i = 0; i < 5000; i++)
			n += (size_t)snprintf(text + n, cap - n, ok[k], i);
		n += (size_t)snprintf(text + n, cap - n, "%s", last[k]);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1000);
		before = heap_in_use();
		assert_int_equal(k ? perfdb_ingest__libtest(rs, text, n, "f")
				   : perfdb_ingest__gotest(rs, text, n, "f"),
				 0);
		/* Ok0 failed: 4,999 results */
		assert_int_equal(seen.results + perfdb_resultset_count(rs), 4999);
		assert_int_equal(seen.batches, 4);
		print_message("heap in use at a batch: %zu bytes more than before, the text %zu\n",
			      seen.most_in_use - before, n);
		if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
			assert_true(seen.most_in_use - before < n / 4);
		perfdb_resultset_free(rs);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_window__same_as_whole_tests_data),
	    cmocka_unit_test(test_lines_window__samples_read_right),
	    cmocka_unit_test(test_lines_window__every_truncation),
	    cmocka_unit_test(test_lines_window__bad_bytes_everywhere),
	    cmocka_unit_test(test_lines_window__far_apart),
	    cmocka_unit_test(test_lines_window__results_go_to_the_sink),
	    cmocka_unit_test(test_lines_window__changed_while_read),
	    cmocka_unit_test(test_lines_window__other_format_past_the_head),
	    cmocka_unit_test(test_lines_window__failed_names_same_kept_or_not),
	    cmocka_unit_test(test_lines_window__failed_names_not_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
