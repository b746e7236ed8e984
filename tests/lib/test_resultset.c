/* Tests of the resultset and unit normalisation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "perfdb.h"
#include "core/resultset_internal.h"
#include "util/utf8.h"

static void expect_unit(const char *unit, const char *canonical, double factor)
{
	const char *c;
	double f;
	perfdb_unit_normalize(unit, &c, &f);
	assert_string_equal(c, canonical);
	assert_true(fabs(f - factor) <= 1e-12 * factor);
}

static void test_resultset__unit_normalisation(void **state)
{
	(void)state;
	expect_unit("ns", "ns", 1);
	expect_unit("us", "ns", 1e3);
	expect_unit("\xc2\xb5s", "ns", 1e3);
	expect_unit("ms", "ns", 1e6);
	expect_unit("s", "ns", 1e9);
	expect_unit("B", "B", 1);
	expect_unit("KiB", "B", 1024);
	expect_unit("kB", "B", 1000);
	expect_unit("MiB", "B", 1048576);
	expect_unit("GB", "B", 1e9);
	expect_unit("MiB/s", "B/s", 1048576);
	expect_unit("KB/ms", "B/s", 1e6);
	expect_unit("items/s", "items/s", 1);
	expect_unit("items/ms", "items/s", 1e3);
	expect_unit("widgets/s", "widgets/s", 1);
	expect_unit("%", "%", 1);
	expect_unit("", "", 1);
	expect_unit(NULL, "", 1);
	assert_int_equal(perfdb_unit_direction("ns"), PERFDB_LOWER_IS_BETTER);
	assert_int_equal(perfdb_unit_direction("B"), PERFDB_LOWER_IS_BETTER);
	assert_int_equal(perfdb_unit_direction("items/s"), PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(perfdb_unit_direction("B/s"), PERFDB_HIGHER_IS_BETTER);
}

static void test_resultset__add_scales_everything_together(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	const perfdb_result *got;
	static const double samples[] = {1.5, 2.5};
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_result_init(&r);
	r.benchmark = "b";
	r.unit = "ms";
	r.samples = samples;
	r.nsamples = 2;
	r.min = 1.5;
	r.max = 2.5;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	got = perfdb_resultset_get(rs, 0);
	assert_string_equal(got->unit, "ns");
	assert_string_equal(got->metric, "value");
	assert_int_equal(got->direction, PERFDB_LOWER_IS_BETTER);
	assert_true(got->value == 2e6); /* mean of the samples */
	assert_true(got->min == 1.5e6 && got->max == 2.5e6);
	assert_true(got->samples[0] == 1.5e6 && got->samples[1] == 2.5e6);
	assert_int_equal(got->n, 2);
	assert_true(isnan(got->stddev));
	assert_ptr_not_equal(got->samples, samples); /* copied */
	perfdb_resultset_free(rs);
}

static void test_resultset__refuses_unreadable_numbers(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	double bad[] = {1.0, NAN};
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_result_init(&r);
	r.benchmark = "b";
	assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL); /* no value */
	r.value = INFINITY;
	assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL);
	r.value = 1;
	r.samples = bad;
	r.nsamples = 2;
	assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL);
	r.nsamples = 0;
	r.benchmark = "";
	assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	perfdb_resultset_free(rs);
}

/* A benchmark name, metric or unit of PERFDB_NAME_MAX bytes is taken, one
 * byte more is refused; a reader's file that has one is named in the error. */
static void test_resultset__names_bounded(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	char *name = malloc(PERFDB_NAME_MAX + 2), *text;
	const char **field[] = {&r.benchmark, &r.metric, &r.unit};
	size_t f, n;
	(void)state;
	assert_non_null(name);
	memset(name, 'n', PERFDB_NAME_MAX + 1);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	for (f = 0; f < 3; f++) {
		perfdb_result_init(&r);
		r.benchmark = "b";
		r.value = 1;
		name[PERFDB_NAME_MAX] = '\0';
		*field[f] = name;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
		name[PERFDB_NAME_MAX] = 'n';
		name[PERFDB_NAME_MAX + 1] = '\0';
		assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL);
		assert_non_null(
		    strstr(perfdb_error_last()->message, "longer than 65536 bytes (65537)"));
	}
	assert_int_equal(perfdb_resultset_count(rs), 3);
	/* tags and run metadata alike */
	name[PERFDB_NAME_MAX] = '\0';
	assert_int_equal(perfdb_resultset_set_tag(rs, name, name), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SUBJECT, name), 0);
	name[PERFDB_NAME_MAX] = 'n';
	assert_int_equal(perfdb_resultset_set_tag(rs, name, "v"), PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message, "tag name longer than 65536"));
	assert_int_equal(perfdb_resultset_set_tag(rs, "k", name), PERFDB_EINVAL);
	assert_non_null(strstr(perfdb_error_last()->message, "tag value longer than 65536"));
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SUBJECT, name), PERFDB_EINVAL);
	assert_int_equal(perfdb_resultset_tag_count(rs), 1);
	assert_int_equal(strlen(perfdb_resultset_meta(rs, PERFDB_META_SUBJECT)), PERFDB_NAME_MAX);
	perfdb_resultset_free(rs);
	/* through a reader: the input and the result's line are named
	 * (test_ingest_placed has every reader) */
	n = (size_t)PERFDB_NAME_MAX + 64;
	assert_non_null(text = malloc(n + 64));
	n = (size_t)snprintf(text, n + 64, "BenchmarkA-4 10 5 ns/op\nBenchmarkX%s-4 10 5 ns/op\n",
			     name);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, n, "go.txt", PERFDB_FORMAT_GO),
			 PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->file, "go.txt");
	assert_non_null(strstr(perfdb_error_last()->message, "go.txt:2:1: benchmark name longer"));
	perfdb_resultset_free(rs);
	free(text);
	free(name);
}

/* The one UTF-8 check: where the first bad byte is, for each way a
 * sequence can be malformed, and valid text of every length passes. */
static void test_resultset__utf8_bad(void **state)
{
	static const struct {
		const char *s;
		size_t at; /* SIZE_MAX: valid */
	} cases[] = {
	    {"", SIZE_MAX},
	    {"plain ascii", SIZE_MAX},
	    {"\xc2\xb5s \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf", SIZE_MAX},
	    {"a\xff"
	     "b",
	     1},		     /* never in UTF-8 */
	    {"ab\x80", 2},	     /* a stray continuation */
	    {"\xc0\x80", 0},	     /* overlong NUL */
	    {"\xc1\xbf", 0},	     /* overlong */
	    {"x\xe0\x80\x80", 1},    /* overlong, 3 bytes */
	    {"\xf0\x8f\xbf\xbf", 0}, /* overlong, 4 bytes */
	    {"\xed\xa0\x80", 0},     /* a UTF-16 surrogate */
	    {"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
	    {"\xf5\x80\x80\x80", 0}, /* past U+10FFFF */
	    {"ok\xe2\x82", 2},	     /* cut at the end */
	    {"\xe2\x82x", 0},	     /* cut before another character */
	    {"\xc3\xa9\xc3", 2},     /* valid, then cut */
	};
	size_t k, n;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		n = strlen(cases[k].s);
		assert_int_equal(perfdb_utf8_bad(cases[k].s, n),
				 cases[k].at == SIZE_MAX ? n : cases[k].at);
	}
	/* a NUL is a character: n says where the text ends */
	assert_int_equal(perfdb_utf8_bad("a\0b", 3), 3);
}

/* Names, tags and run metadata that are not UTF-8 are refused, saying
 * which and where (JSON could not carry them, and the store would keep
 * bytes nobody can show as written); git's bytes are mended instead. */
static void test_resultset__names_are_utf8(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	const char **field[] = {&r.benchmark, &r.metric, &r.unit};
	static const char *const what[] = {"benchmark name", "metric", "unit"};
	char want[200], mended[] = "caf\xe9 \xc3\xa9t\xc3\xa9 \xe2\x82";
	size_t f;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	for (f = 0; f < 3; f++) {
		perfdb_result_init(&r);
		r.benchmark = "b";
		r.value = 1;
		*field[f] = "\xce\xbcs";
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
		*field[f] = "ab\xff"
			    "c";
		assert_int_equal(perfdb_resultset_add(rs, &r), PERFDB_EINVAL);
		snprintf(want, sizeof(want), "%s is not UTF-8 (byte 0xFF at byte 3 of 4)", what[f]);
		assert_string_equal(perfdb_error_last()->message, want);
	}
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_int_equal(perfdb_resultset_set_tag(rs, "k\xc0", "v"), PERFDB_EINVAL);
	assert_string_equal(perfdb_error_last()->message,
			    "tag name is not UTF-8 (byte 0xC0 at byte 2 of 2)");
	assert_int_equal(perfdb_resultset_set_tag(rs, "k", "\xed\xa0\x80"), PERFDB_EINVAL);
	assert_string_equal(perfdb_error_last()->message,
			    "tag value is not UTF-8 (byte 0xED at byte 1 of 3)");
	assert_int_equal(perfdb_resultset_tag_count(rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, "pr\xc0"),
			 PERFDB_EINVAL);
	assert_string_equal(perfdb_error_last()->message,
			    "branch is not UTF-8 (byte 0xC0 at byte 3 of 3)");
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m\xff"),
			 PERFDB_EINVAL);
	assert_string_equal(perfdb_error_last()->message,
			    "machine is not UTF-8 (byte 0xFF at byte 2 of 2)");
	assert_null(perfdb_resultset_meta(rs, PERFDB_META_BRANCH));
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, "f\xc3\xa9"), 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_BRANCH), "f\xc3\xa9");
	/* a context value no name could be is left out with a warning */
	assert_int_equal(perfdb_resultset_set_context(rs, "host", "h\xff"), 0);
	assert_int_equal(perfdb_resultset_set_context(rs, "cpu", "x"), 0);
	assert_int_equal(perfdb_resultset_context_count(rs), 1);
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	assert_string_equal(
	    perfdb_resultset_warning(rs, 0),
	    "context 'host' not kept: its value is not UTF-8 (byte 0xFF at byte 2 of 2)");
	perfdb_resultset_free(rs);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	{
		char *big = malloc(PERFDB_NAME_MAX + 2);
		assert_non_null(big);
		memset(big, 'v', PERFDB_NAME_MAX + 1);
		big[PERFDB_NAME_MAX + 1] = '\0';
		assert_int_equal(perfdb_resultset_set_context(rs, "host", big), 0);
		big[PERFDB_NAME_MAX] = '\0';
		assert_int_equal(perfdb_resultset_set_context(rs, "os", big), 0);
		free(big);
	}
	assert_int_equal(perfdb_resultset_context_count(rs), 1);
	assert_string_equal(perfdb_resultset_warning(rs, 0),
			    "context 'host' not kept: its value longer than 65536 bytes (65537)");
	perfdb_resultset_free(rs);
	/* what git gives is mended, a byte at a time */
	perfdb_utf8_mend(mended);
	assert_string_equal(mended, "caf? \xc3\xa9t\xc3\xa9 ??");
}

/* Samples a reader wrote in the resultset's own room are taken where they
 * are, scaled; any other samples are copied (the caller keeps its own). */
static void test_resultset__samples_taken_in_place(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	double mine[2] = {1, 2}, *room;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_non_null(room = perfdb_resultset__samples(rs, 3));
	room[0] = 1;
	room[1] = 3;
	perfdb_result_init(&r);
	r.benchmark = "a";
	r.unit = "ms";
	r.samples = room;
	r.nsamples = 2; /* fewer than the room */
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	assert_ptr_equal(perfdb_resultset_get(rs, 0)->samples, room);
	assert_true(room[0] == 1e6);
	assert_true(room[1] == 3e6);
	assert_true(perfdb_resultset_get(rs, 0)->value == 2e6);
	/* the room was used: the same pointer again is copied, as is any other */
	r.benchmark = "b";
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	assert_ptr_not_equal(perfdb_resultset_get(rs, 1)->samples, room);
	assert_true(perfdb_resultset_get(rs, 1)->samples[1] == 3e12);
	r.benchmark = "c";
	r.samples = mine;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	assert_ptr_not_equal(perfdb_resultset_get(rs, 2)->samples, mine);
	assert_true(mine[1] == 2);
	assert_true(perfdb_resultset_get(rs, 2)->samples[1] == 2e6);
	perfdb_resultset_free(rs);
}

static int count_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	size_t *largest = ctx;
	if (event == PERFDB_SINK_WRITE && perfdb_resultset_count(rs) > *largest)
		*largest = perfdb_resultset_count(rs);
	return 0;
}

/* A batch ends at PERFDB_RESULTSET_BATCH_BYTES too: results of many samples
 * are not held 65,536 at a time. */
static void test_resultset__batch_cut_by_bytes(void **state)
{
	enum { SAMPLES = 100000 };
	perfdb_resultset *rs;
	perfdb_result r;
	double *v = calloc(SAMPLES, sizeof(*v));
	size_t largest = 0, i, most;
	char name[32];
	(void)state;
	assert_non_null(v);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_sink(rs, count_batch, &largest, 0), 0);
	perfdb_result_init(&r);
	r.samples = v;
	r.nsamples = SAMPLES;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		r.benchmark = name;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	most = PERFDB_RESULTSET_BATCH_BYTES / (SAMPLES * sizeof(double)) + 1;
	assert_int_equal(largest, most);
	assert_int_equal(perfdb_resultset_written(rs), 100 / most * most);
	assert_int_equal(perfdb_resultset_count(rs), 100 % most);
	perfdb_resultset_free(rs);
	free(v);
}

static void test_resultset__merge_moves_and_keeps_dst_meta(void **state)
{
	perfdb_resultset *a, *b;
	perfdb_result r;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&a), 0);
	assert_int_equal(perfdb_resultset_new(&b), 0);
	perfdb_resultset_set_meta(a, PERFDB_META_COMMIT, "keep");
	perfdb_resultset_set_meta(b, PERFDB_META_COMMIT, "lose");
	perfdb_resultset_set_meta(b, PERFDB_META_BRANCH, "dev");
	perfdb_resultset_set_tag(b, "k", "v");
	perfdb_resultset_warn(b, "careful %d", 7);
	perfdb_result_init(&r);
	r.benchmark = "x";
	r.value = 1;
	assert_int_equal(perfdb_resultset_add(b, &r), 0);
	assert_int_equal(perfdb_resultset_merge(a, b), 0);
	assert_string_equal(perfdb_resultset_meta(a, PERFDB_META_COMMIT), "keep");
	assert_string_equal(perfdb_resultset_meta(a, PERFDB_META_BRANCH), "dev");
	assert_int_equal(perfdb_resultset_count(a), 1);
	assert_int_equal(perfdb_resultset_count(b), 0);
	assert_int_equal(perfdb_resultset_tag_count(a), 1);
	assert_string_equal(perfdb_resultset_warning(a, 0), "careful 7");
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_resultset_free(NULL);
}

/* Into an empty set the results are moved, not copied (a big file's results
 * are not held twice); into a set with results they are appended. */
static void test_resultset__merge_into_empty_moves_the_results(void **state)
{
	perfdb_resultset *a, *b, *c;
	const perfdb_result *first;
	perfdb_result r;
	int i;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&a), 0);
	assert_int_equal(perfdb_resultset_new(&b), 0);
	assert_int_equal(perfdb_resultset_new(&c), 0);
	perfdb_result_init(&r);
	r.value = 1;
	for (i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "b%d", i);
		r.benchmark = name;
		assert_int_equal(perfdb_resultset_add(b, &r), 0);
	}
	r.benchmark = "c0";
	assert_int_equal(perfdb_resultset_add(c, &r), 0);
	first = perfdb_resultset_get(b, 0);
	assert_int_equal(perfdb_resultset_merge(a, b), 0);
	assert_ptr_equal(perfdb_resultset_get(a, 0), first);
	assert_int_equal(perfdb_resultset_count(a), 100);
	assert_int_equal(perfdb_resultset_count(b), 0);
	assert_int_equal(perfdb_resultset_merge(a, c), 0);
	assert_int_equal(perfdb_resultset_count(a), 101);
	assert_string_equal(perfdb_resultset_get(a, 99)->benchmark, "b99");
	assert_string_equal(perfdb_resultset_get(a, 100)->benchmark, "c0");
	/* the emptied set can be filled and merged again */
	r.benchmark = "b-again";
	assert_int_equal(perfdb_resultset_add(b, &r), 0);
	assert_int_equal(perfdb_resultset_merge(a, b), 0);
	assert_string_equal(perfdb_resultset_get(a, 101)->benchmark, "b-again");
	perfdb_resultset_free(a);
	perfdb_resultset_free(b);
	perfdb_resultset_free(c);
}

static void test_resultset__repeated_warnings_are_counted(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_warn(rs, "benchmark '%s' failed: boom", "BM_Err");
	perfdb_resultset_warn(rs, "benchmark 'BM_Other' failed: boom");
	perfdb_resultset_warn(rs, "benchmark '%s' failed: boom", "BM_Err");
	perfdb_resultset_warn(rs, "benchmark '%s' failed: boom", "BM_Err");
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	assert_string_equal(perfdb_resultset_warning(rs, 0),
			    "benchmark 'BM_Err' failed: boom (3 times)");
	assert_string_equal(perfdb_resultset_warning(rs, 1), "benchmark 'BM_Other' failed: boom");
	perfdb_resultset_free(rs);
}

/* Issue 12: the first 10 different warnings are kept, the rest counted. */
static void test_resultset__many_warnings_are_capped(void **state)
{
	perfdb_resultset *a, *b;
	int i;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&a), 0);
	assert_int_equal(perfdb_resultset_new(&b), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(perfdb_resultset_warn(a, "row %d is bad", i), 0);
	assert_int_equal(perfdb_resultset_warn(a, "row 3 is bad"), 0); /* kept: counted there */
	assert_int_equal(perfdb_resultset_warning_count(a), 11);
	assert_string_equal(perfdb_resultset_warning(a, 3), "row 3 is bad (2 times)");
	assert_string_equal(perfdb_resultset_warning(a, 9), "row 9 is bad");
	assert_string_equal(perfdb_resultset_warning(a, 10), "\xE2\x80\xA6 and 2 more");
	assert_null(perfdb_resultset_warning(a, 11));
	for (i = 0; i < 5; i++)
		assert_int_equal(perfdb_resultset_warn(b, "other %d", i), 0);
	assert_int_equal(perfdb_resultset_merge(a, b), 0);
	assert_int_equal(perfdb_resultset_warning_count(a), 11);
	assert_string_equal(perfdb_resultset_warning(a, 10), "\xE2\x80\xA6 and 7 more");
	assert_int_equal(perfdb_resultset_warning_count(b), 0);
	perfdb_resultset_free(b);
	perfdb_resultset_free(a);
}

/* A gbench file with 40,000 NaN rows: 2.7 s and 40,000 warning lines before
 * (each new warning was compared with every earlier one); this one has
 * 200,000 rows, which took over a minute. */
static void test_resultset__gbench_nan_rows(void **state)
{
	const int rows = 200000;
	size_t cap = (size_t)rows * 120 + 64, n = 0;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	int i;
	(void)state;
	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n, "{\"benchmarks\": [");
	for (i = 0; i < rows; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "%s{\"name\": \"BM_%d\", \"run_type\": \"iteration\", "
				      "\"iterations\": 1, \"real_time\": NaN, \"cpu_time\": 1, "
				      "\"time_unit\": \"ns\"}",
				      i ? "," : "", i);
	n += (size_t)snprintf(text + n, cap - n, "]}");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_ingest_buffer(rs, text, n, "nan.json", PERFDB_FORMAT_GBENCH);
	assert_int_equal(perfdb_resultset_warning_count(rs), 11);
	assert_non_null(strstr(perfdb_resultset_warning(rs, 0), "BM_0"));
	assert_non_null(strstr(perfdb_resultset_warning(rs, 9), "BM_9"));
	assert_string_equal(perfdb_resultset_warning(rs, 10), "\xE2\x80\xA6 and 199,990 more");
	perfdb_resultset_free(rs);
	free(text);
}

/* Issue 12: every new tag or context key was compared with all before it
 * (in the resultset and again in the native reader's duplicate check):
 * 50,000 tags took 13 s of CPU, these 200,000 minutes. */
static void test_resultset__many_tags(void **state)
{
	/* 100,000 tags: a YAML document read an item at a time holds at most
	 * 250,000 nodes besides its packed numbers */
	const int n = 100000;
	size_t cap = (size_t)n * 24 + 128, len = 0;
	char *text = malloc(cap), key[32];
	const char *k, *v;
	perfdb_resultset *rs;
	int i;
	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "run:\n  tags:\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "    k%d: v%d\n", i, i);
	len += (size_t)snprintf(text + len, cap - len, "results:\n  - {benchmark: a, value: 1}\n");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, len, "t.yaml", PERFDB_FORMAT_NATIVE_YAML),
			 0);
	assert_int_equal(perfdb_resultset_tag_count(rs), n);
	perfdb_resultset_tag(rs, 65432, &k, &v);
	assert_string_equal(k, "k65432");
	assert_string_equal(v, "v65432");
	/* Set again: replaced in place, found by the hash. */
	snprintf(key, sizeof(key), "k%d", n - 1);
	assert_int_equal(perfdb_resultset_set_tag(rs, key, "new"), 0);
	assert_int_equal(perfdb_resultset_tag_count(rs), n);
	perfdb_resultset_tag(rs, (size_t)n - 1, &k, &v);
	assert_string_equal(v, "new");
	perfdb_resultset_free(rs);

	/* A duplicate after all of them is still found, at its line. */
	len -= strlen("results:\n  - {benchmark: a, value: 1}\n");
	len += (size_t)snprintf(text + len, cap - len,
				"    k17: again\nresults:\n  - {benchmark: a, value: 1}\n");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, len, "t.yaml", PERFDB_FORMAT_NATIVE_YAML),
			 PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, n + 3);
	assert_non_null(strstr(perfdb_error_last()->message, "duplicate key 'k17'"));
	assert_int_equal(perfdb_resultset_tag_count(rs), 0);
	perfdb_resultset_free(rs);
	free(text);
}

typedef struct batches {
	size_t sizes[8], n;
	char first[8][16];
	char commit[8][16];
} batches;

static int note_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	batches *b = ctx;
	assert_int_equal(event, PERFDB_SINK_WRITE);
	assert_true(b->n < 8);
	b->sizes[b->n] = perfdb_resultset_count(rs);
	snprintf(b->first[b->n], sizeof(b->first[0]), "%s", perfdb_resultset_get(rs, 0)->benchmark);
	snprintf(b->commit[b->n], sizeof(b->commit[0]), "%s",
		 perfdb_resultset_meta(rs, PERFDB_META_COMMIT));
	b->n++;
	/* the third batch fails: add says so */
	return b->n == 3 ? perfdb_resultset_warn(rs, "x") ? -1 : PERFDB_EDB : 0;
}

static void test_resultset__sink_takes_batches(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	batches b;
	char name[16];
	size_t i;
	(void)state;
	memset(&b, 0, sizeof(b));
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "c1"), 0);
	assert_int_equal(perfdb_resultset_set_sink(rs, note_batch, &b, 3), 0);
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		perfdb_result_init(&r);
		r.benchmark = name;
		r.value = (double)i;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	assert_int_equal(b.n, 2);
	assert_int_equal(b.sizes[0], 3);
	assert_int_equal(b.sizes[1], 3);
	assert_string_equal(b.first[0], "b0");
	assert_string_equal(b.first[1], "b3");
	assert_string_equal(b.commit[1], "c1");
	/* what is left stays, with the metadata */
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_int_equal(perfdb_resultset_written(rs), 6);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, "b6");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "c1");
	/* a sink's error is add's */
	for (i = 7; i < 9; i++) {
		snprintf(name, sizeof(name), "b%zu", i);
		perfdb_result_init(&r);
		r.benchmark = name;
		r.value = (double)i;
		assert_int_equal(perfdb_resultset_add(rs, &r), i == 8 ? PERFDB_EDB : 0);
	}
	assert_int_equal(perfdb_resultset_written(rs), 6);
	/* merge only adds, whatever it brings */
	{
		perfdb_resultset *more;
		assert_int_equal(perfdb_resultset_new(&more), 0);
		for (i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "m%zu", i);
			perfdb_result_init(&r);
			r.benchmark = name;
			r.value = 1;
			assert_int_equal(perfdb_resultset_add(more, &r), 0);
		}
		assert_int_equal(perfdb_resultset_merge(rs, more), 0);
		assert_int_equal(perfdb_resultset_count(rs), 8);
		assert_int_equal(b.n, 3);
		perfdb_resultset_free(more);
	}
	perfdb_resultset_free(rs);
}

static void test_resultset__direction_parse(void **state)
{
	perfdb_direction d;
	(void)state;
	assert_int_equal(perfdb_direction_parse(&d, "higher_is_better"), 0);
	assert_int_equal(d, PERFDB_HIGHER_IS_BETTER);
	assert_int_equal(perfdb_direction_parse(&d, "lower"), 0);
	assert_int_equal(d, PERFDB_LOWER_IS_BETTER);
	assert_int_equal(perfdb_direction_parse(&d, "sideways"), PERFDB_EINVAL);
}

static void test_resultset__time_parse(void **state)
{
	char buf[32];
	(void)state;
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-11-25T10:30:00+02:00"), 0);
	assert_string_equal(buf, "2026-11-25T08:30:00Z");
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-11-25"), 0);
	assert_string_equal(buf, "2026-11-25T00:00:00Z");
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-01-01T00:00:00.123Z"), 0);
	assert_string_equal(buf, "2026-01-01T00:00:00Z");
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "yesterday"), PERFDB_EINVAL);
	assert_int_equal(perfdb_time_parse_iso(buf, sizeof(buf), "2026-13-01"), PERFDB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resultset__unit_normalisation),
	    cmocka_unit_test(test_resultset__add_scales_everything_together),
	    cmocka_unit_test(test_resultset__refuses_unreadable_numbers),
	    cmocka_unit_test(test_resultset__names_bounded),
	    cmocka_unit_test(test_resultset__utf8_bad),
	    cmocka_unit_test(test_resultset__names_are_utf8),
	    cmocka_unit_test(test_resultset__merge_moves_and_keeps_dst_meta),
	    cmocka_unit_test(test_resultset__merge_into_empty_moves_the_results),
	    cmocka_unit_test(test_resultset__repeated_warnings_are_counted),
	    cmocka_unit_test(test_resultset__many_warnings_are_capped),
	    cmocka_unit_test(test_resultset__gbench_nan_rows),
	    cmocka_unit_test(test_resultset__many_tags),
	    cmocka_unit_test(test_resultset__sink_takes_batches),
	    cmocka_unit_test(test_resultset__direction_parse),
	    cmocka_unit_test(test_resultset__time_parse),
	    cmocka_unit_test(test_resultset__samples_taken_in_place),
	    cmocka_unit_test(test_resultset__batch_cut_by_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
