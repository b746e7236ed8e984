/*
 * Samples not held (perfdb_resultset_set_sink_options with
 * PERFDB_SINK_UNHELD_SAMPLES): a result of many samples in a long JSON
 * array is handed to the sink with its samples still in the input's text,
 * read again, scaled, through perfdb_resultset_samples_next. What a reader
 * makes of a file that way is the same, result for result, sample for
 * sample and message for message, as the same file read with its samples
 * held (perfdb native JSON `samples`, hyperfine `times` and
 * `memory_usage_byte`, pytest-benchmark `stats.data`, JMH `rawData` forks,
 * BenchmarkDotNet `OriginalValues`, perfdb native YAML `samples` in flow and
 * block style, with CRLF, a BOM, comments inside and UTF-8 before them, and
 * anchored or aliased; good files and files
 * with a NaN, a negative, a number out of range once scaled, a failed run or
 * a string at the start, the middle and the end of the array). And what the
 * store writes of them (results, their sample median and MAD, every sample
 * row) is the same as for the samples held.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/resultset_internal.h"
#include "perfdb.h"
#include "resultset_text.h"
#include "unheld_same.h"

/* More than PERFDB_RESULTSET_UNHELD_FROM: taken unheld. */
#define N (PERFDB_RESULTSET_UNHELD_FROM + 4321)

/* Item i of a generated array: a time between 0.1 and 9.9 with ties, or
 * `odd` at position `at`. */
static void numbers(rs_text *t, size_t n, size_t at, const char *odd, uint64_t seed)
{
	size_t i;
	rs_text_add(t, "[");
	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		if (i == at)
			rs_text_add(t, "%s%s", i ? "," : "", odd);
		else
			rs_text_add(t, "%s%.1f", i ? "," : "",
				    (double)(seed >> 58 | 1) / 10.0 + 0.1);
	}
	rs_text_add(t, "]");
}

/* A YAML sequence of n such numbers, in flow style or (block) one `- x`
 * line each under a key at column 4; fancy: comments inside, and CRLF line
 * ends (eol). */
static void yaml_numbers(rs_text *t, size_t n, size_t at, const char *odd, uint64_t seed,
			 bool block, bool fancy)
{
	const char *eol = fancy ? "\r\n" : "\n";
	size_t i;
	rs_text_add(t, block ? "%s" : " [", eol);
	for (i = 0; i < n; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		if (fancy && i == n / 3)
			rs_text_add(t, block ? "      # a comment, ü%s" : " # a comment, ü%s     ",
				    eol);
		if (block)
			rs_text_add(t, "      - ");
		else if (i)
			rs_text_add(t, ", ");
		if (i == at)
			rs_text_add(t, "%s", odd);
		else
			rs_text_add(t, "%.1f", (double)(seed >> 58 | 1) / 10.0 + 0.1);
		if (block)
			rs_text_add(t, "%s", eol);
	}
	rs_text_add(t, block ? "" : "]%s", eol);
}

enum { NATIVE, HYPERFINE, PYTEST, JMH, BDN, YAML_FLOW, YAML_BLOCK, FORMATS_ };
static const perfdb_format formats[FORMATS_] = {
    PERFDB_FORMAT_NATIVE_JSON, PERFDB_FORMAT_HYPERFINE,	      PERFDB_FORMAT_PYTEST_BENCHMARK,
    PERFDB_FORMAT_JMH,	       PERFDB_FORMAT_BENCHMARKDOTNET, PERFDB_FORMAT_NATIVE_YAML,
    PERFDB_FORMAT_NATIVE_YAML};

/* What generate writes besides (YAML): FANCY, a BOM, CRLF line ends, UTF-8
 * before the samples and comments among them; ANCHOR, the first result's
 * samples anchored and the last's an alias to them. */
enum { FANCY = 1, ANCHOR = 2 };

/* A file of format f whose long arrays have `odd` at `at` (none when at is
 * past the end); exit codes of hyperfine have `failed` at `at` when set. */
static char *generate(int f, size_t at, const char *odd, bool failed, unsigned yaml)
{
	rs_text t = {0};
	size_t i;
	bool block = f == YAML_BLOCK, fancy = yaml & FANCY;
	const char *eol = fancy ? "\r\n" : "\n";
	switch (f) {
	case YAML_FLOW:
	case YAML_BLOCK:
		rs_text_add(&t, "%sperfdb: 1%s# ça va, ünïcödé ✓%sresults:%s",
			    fancy ? "\xef\xbb\xbf" : "", eol, eol, eol);
		rs_text_add(&t, "  - benchmark: %s%s    unit: s%s%s    samples:%s",
			    fancy ? "\xc3\xa4\xe2\x9c\x93" : "a", eol, eol,
			    fancy ? "    x-n: &n 2.5\r\n" : "", yaml & ANCHOR ? " &s" : "");
		yaml_numbers(&t, N, at, odd, 1, block, fancy);
		rs_text_add(&t,
			    "  - {benchmark: small, value: 3, samples: [1, 2]}%s  - benchmark: b%s"
			    "    metric: rss%s    unit: KiB%s    samples:",
			    eol, eol, eol, eol);
		if (yaml & ANCHOR)
			rs_text_add(&t, " *s%s", eol);
		else
			yaml_numbers(&t, N + 1, SIZE_MAX, "", 2, block, fancy);
		break;
	case NATIVE:
		rs_text_add(&t,
			    "{\"perfdb\": 1, \"results\": [{\"benchmark\": \"a\", \"unit\": \"s\", "
			    "\"samples\": ");
		numbers(&t, N, at, odd, 1);
		rs_text_add(
		    &t,
		    "}, {\"benchmark\": \"small\", \"value\": 3, \"samples\": [1, 2]}, "
		    "{\"benchmark\": \"b\", \"metric\": \"rss\", \"unit\": \"KiB\", \"samples\": ");
		numbers(&t, N + 1, SIZE_MAX, "", 2);
		rs_text_add(&t, "}]}\n");
		break;
	case HYPERFINE:
		rs_text_add(
		    &t,
		    "{\"results\": [{\"command\": \"x\", \"mean\": 1.5, \"stddev\": 0.1, "
		    "\"median\": 1.5, \"user\": 0.1, \"system\": 0.2, \"min\": 0.1, \"max\": 9.9, "
		    "\"times\": ");
		numbers(&t, N, at, odd, 3);
		rs_text_add(&t, ", \"memory_usage_byte\": ");
		numbers(&t, N, SIZE_MAX, "", 4);
		rs_text_add(&t, ", \"exit_codes\": [");
		for (i = 0; i < N; i++)
			rs_text_add(&t, "%s%d", i ? "," : "", failed && i == at);
		rs_text_add(&t, "]}]}\n");
		break;
	case JMH:
		/* forks of N / 3 and the rest, the odd one in whichever */
		rs_text_add(&t,
			    "[{\"benchmark\": \"x.A.a\", \"mode\": \"avgt\", \"primaryMetric\": "
			    "{\"score\": 1.5, \"scoreUnit\": \"us/op\", \"rawData\": [");
		numbers(&t, N / 3, at, odd, 6);
		rs_text_add(&t, ",");
		numbers(&t, N - N / 3, at == SIZE_MAX || at < N / 3 ? SIZE_MAX : at - N / 3, odd,
			7);
		rs_text_add(&t, "]}, \"secondaryMetrics\": {\"gc\": {\"score\": 48, \"scoreUnit\": "
				"\"B/op\", \"rawData\": [[48, 48]]}}}]\n");
		break;
	case BDN:
		rs_text_add(&t,
			    "{\"Title\": \"t\", \"Benchmarks\": [{\"FullName\": \"S.B.F\", "
			    "\"Statistics\": {\"N\": %d, \"Mean\": 1.5, \"OriginalValues\": ",
			    N);
		numbers(&t, N, at, odd, 8);
		rs_text_add(&t, "}}]}\n");
		break;
	default:
		rs_text_add(
		    &t,
		    "{\"benchmarks\": [{\"name\": \"test_a\", \"fullname\": \"t.py::test_a\", "
		    "\"stats\": {\"min\": 0.1, \"max\": 9.9, \"mean\": 1.5, \"stddev\": 0.1, "
		    "\"median\": 1.5, \"rounds\": %d, \"ops\": 0.6, \"data\": ",
		    N);
		numbers(&t, N, at, odd, 5);
		rs_text_add(&t, "}}], \"version\": \"4.0.0\"}\n");
		break;
	}
	return t.s;
}

/* One file read by name in the given format (unheld_read_text's read). */
typedef struct {
	const char *path;
	perfdb_format fmt;
} by_name;

static int read_by_name(perfdb_resultset *rs, void *ctx)
{
	const by_name *b = ctx;
	return perfdb_ingest_file(rs, b->path, b->fmt);
}

/* path read with samples held (no sink) and with a sink that takes them
 * unheld (options as given): the same text; returns how many results came
 * unheld. */
static size_t read_both(const char *path, perfdb_format fmt, unsigned options)
{
	perfdb_resultset *held;
	by_name b = {path, fmt};
	char *want, *have;
	size_t unheld;

	assert_int_equal(perfdb_resultset_new(&held), 0);
	want = resultset_text(perfdb_ingest_file(held, path, fmt), held);
	perfdb_resultset_free(held);
	have = unheld_read_text(read_by_name, &b, options, &unheld);
	if (strcmp(want, have) != 0) {
		size_t i = 0;
		while (want[i] && want[i] == have[i])
			i++;
		print_error(
		    "%s: held and unheld differ at byte %zu:\n held: %.200s\n unheld: %.200s\n",
		    path, i, want + i, have + i);
		fail();
	}
	free(want);
	free(have);
	return unheld;
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void test_unheld__readers_same_as_held(void **state)
{
	static const char *const odd[] = {"NaN", "-0.5", "1e300", "\"x\"", "1e999", "Infinity"};
	/* YAML's: a string, a tagged number (a node among the numbers), an
	 * anchored one, an alias to a number outside, a collection */
	static const char *const yaml_odd[] = {".nan",	    "-0.5",   "1e300", "\"x\"",
					       "!!float 7", "&n 1.5", "*n",    "[1]"};
	const size_t at[] = {0, N / 2, N - 1};
	char path[] = "/tmp/perfdb_unheld_XXXXXX";
	int fd = mkstemp(path), f;
	size_t a, o;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (f = 0; f < FORMATS_; f++) {
		bool yaml = formats[f] == PERFDB_FORMAT_NATIVE_YAML;
		const char *const *odds = yaml ? yaml_odd : odd;
		size_t nodd = yaml ? sizeof(yaml_odd) / sizeof(*odds) : sizeof(odd) / sizeof(*odds);
		char *s = generate(f, SIZE_MAX, "", false, 0);
		size_t want = f == NATIVE || f == HYPERFINE || yaml ? 2 : 1;
		write_file(path, s);
		free(s);
		/* good: every long array unheld, and the same */
		assert_int_equal(read_both(path, formats[f], PERFDB_SINK_UNHELD_SAMPLES), want);
		/* a sink that did not ask: nothing unheld */
		assert_int_equal(read_both(path, formats[f], 0), 0);
		if (yaml) {
			s = generate(f, SIZE_MAX, "", false, FANCY);
			write_file(path, s);
			free(s);
			assert_int_equal(read_both(path, formats[f], PERFDB_SINK_UNHELD_SAMPLES),
					 2);
			/* an alias to the samples: they stay held */
			s = generate(f, SIZE_MAX, "", false, ANCHOR);
			write_file(path, s);
			free(s);
			assert_int_equal(read_both(path, formats[f], PERFDB_SINK_UNHELD_SAMPLES),
					 0);
		}
		for (a = 0; a < sizeof(at) / sizeof(at[0]); a++) {
			for (o = 0; o < nodd; o++) {
				s = generate(f, at[a], odds[o], false, FANCY);
				write_file(path, s);
				free(s);
				read_both(path, formats[f], PERFDB_SINK_UNHELD_SAMPLES);
			}
			if (f == HYPERFINE) {
				/* a failed run: its time is left out, so the times are held */
				s = generate(f, at[a], "1.0", true, 0);
				write_file(path, s);
				free(s);
				assert_int_equal(
				    read_both(path, formats[f], PERFDB_SINK_UNHELD_SAMPLES), 0);
			}
		}
	}
	unlink(path);
}

/* --- the store ------------------------------------------------------------------------ */

static int rows_text(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	size_t i;
	(void)names;
	if (!row)
		return 0;
	for (i = 0; i < ncols; i++)
		rs_text_add(ctx, "%s%s", i ? "|" : "", row[i].text);
	rs_text_add(ctx, "\n");
	return 0;
}

static void meta(perfdb_resultset *rs)
{
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "abc"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m"), 0);
	assert_int_equal(
	    perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, "2026-12-06T00:00:00Z"), 0);
}

typedef struct {
	perfdb_store *store;
	perfdb_recording *rec;
	size_t batches;
} record_sink;

static int record_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	record_sink *k = ctx;
	assert_int_equal(event, PERFDB_SINK_WRITE);
	if (!k->rec) {
		meta(rs);
		assert_int_equal(perfdb_store_record_begin(&k->rec, k->store, rs), 0);
	}
	k->batches++;
	return perfdb_recording_add(k->rec, rs);
}

/* What the store holds of the run: results and every sample row. */
static char *stored(perfdb_store *store)
{
	rs_text t = {0};
	assert_int_equal(
	    perfdb_store_query(store,
			       "SELECT b.name, b.metric, b.unit, r.value, r.n, r.sample_count, "
			       "printf('%.17g', r.sample_median), printf('%.17g', r.sample_mad) "
			       "FROM results r JOIN benchmarks b ON b.id = r.benchmark_id "
			       "ORDER BY b.name",
			       rows_text, &t),
	    0);
	assert_int_equal(perfdb_store_query(store,
					    "SELECT b.name, s.idx, printf('%.17g', s.value) FROM "
					    "samples s JOIN benchmarks b ON b.id = s.benchmark_id "
					    "ORDER BY b.name, s.idx",
					    rows_text, &t),
			 0);
	return t.s;
}

/* f's file recorded with its samples held and unheld: the same rows. */
static void stored_same(int f)
{
	char dir[] = "/tmp/perfdb_unheld_store_XXXXXX", path[128], db[2][160];
	perfdb_store *store[2];
	perfdb_resultset *rs;
	record_sink k = {0};
	char *s, *text[2];
	int i;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	s = generate(f, SIZE_MAX, "", false, 0);
	write_file(path, s);
	free(s);
	for (i = 0; i < 2; i++) {
		snprintf(db[i], sizeof(db[i]), "%s/%d.sqlite", dir, i);
		assert_int_equal(perfdb_store_open(&store[i], db[i], PERFDB_STORE_READWRITE), 0);
	}
	/* held: read whole, recorded at once */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, formats[f]), 0);
	meta(rs);
	assert_int_equal(perfdb_store_record(store[0], rs, NULL), 0);
	perfdb_resultset_free(rs);
	/* unheld: the store reads them from the text, batch by batch */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	k.store = store[1];
	perfdb_resultset_set_sink(rs, record_batch, &k, 0);
	assert_int_equal(perfdb_resultset_set_sink_options(rs, PERFDB_SINK_UNHELD_SAMPLES), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, formats[f]), 0);
	assert_int_equal(k.batches, 2); /* one for each long array */
	assert_int_equal(perfdb_recording_add(k.rec, rs), 0);
	assert_int_equal(perfdb_recording_finish(k.rec, NULL), 0);
	perfdb_recording_free(k.rec);
	perfdb_resultset_free(rs);
	for (i = 0; i < 2; i++)
		text[i] = stored(store[i]);
	/* a result of N samples in seconds, one of N + 1 in KiB, and the small one */
	assert_int_equal(strncmp(text[0], "a|value|ns|", 11), 0);
	assert_true(strlen(text[0]) > (size_t)N * 10);
	assert_string_equal(text[0], text[1]);
	for (i = 0; i < 2; i++) {
		free(text[i]);
		perfdb_store_free(store[i]);
		unlink(db[i]);
	}
	unlink(path);
	rmdir(dir);
}

static void test_unheld__stored_same_as_held(void **state)
{
	(void)state;
	stored_same(NATIVE);
	stored_same(YAML_FLOW);
	stored_same(YAML_BLOCK);
}

/* A buffer read whole (perfdb_ingest_buffer) takes them unheld too, from
 * the threshold the tests and the fuzz target lower. */
static int read_native(perfdb_resultset *rs, void *ctx)
{
	const char *text = ctx;
	return perfdb_ingest_buffer(rs, text, strlen(text), "n.json", PERFDB_FORMAT_NATIVE_JSON);
}

static void test_unheld__buffer_below_the_default(void **state)
{
	static const char text[] =
	    "{\"results\": [{\"benchmark\": \"a\", \"unit\": \"ms\", \"samples\": "
	    "[3, 1, 2, 5, 4, 9, 8, 7, 6, 10, 11, 12, 13, 14, 15, 16, 0.5]}, "
	    "{\"benchmark\": \"b\", \"samples\": [1, 2]}]}";
	perfdb_resultset *held;
	char *want, *have;
	size_t unheld;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&held), 0);
	want = resultset_text(read_native(held, (void *)text), held);
	perfdb_resultset_free(held);
	have = unheld_read_text(read_native, (void *)text, PERFDB_SINK_UNHELD_SAMPLES, &unheld);
	assert_int_equal(unheld, 0); /* 17 samples: held by default */
	assert_string_equal(want, have);
	free(have);
	perfdb_resultset__set_unheld_from(16);
	have = unheld_read_text(read_native, (void *)text, PERFDB_SINK_UNHELD_SAMPLES, &unheld);
	perfdb_resultset__set_unheld_from(0);
	assert_int_equal(unheld, 1);
	assert_non_null(strstr(have, " 3000000 1000000 2000000 5000000"));
	assert_string_equal(want, have);
	free(want);
	free(have);
}

/* The same of native YAML in a buffer: read held, and unheld from the
 * lowered threshold, the same; `want` results came unheld. */
typedef struct {
	const char *data;
	size_t len;
} bytes;

static int read_yaml_bytes(perfdb_resultset *rs, void *ctx)
{
	const bytes *b = ctx;
	return perfdb_ingest_buffer(rs, b->data, b->len, "n.yaml", PERFDB_FORMAT_NATIVE_YAML);
}

static void yaml_same_unheld(const bytes *b, size_t want)
{
	perfdb_resultset *held;
	char *text[2];
	size_t unheld;
	assert_int_equal(perfdb_resultset_new(&held), 0);
	text[0] = resultset_text(read_yaml_bytes(held, (void *)b), held);
	perfdb_resultset_free(held);
	perfdb_resultset__set_unheld_from(16);
	text[1] = unheld_read_text(read_yaml_bytes, (void *)b, PERFDB_SINK_UNHELD_SAMPLES, &unheld);
	perfdb_resultset__set_unheld_from(0);
	assert_int_equal(unheld, want);
	assert_non_null(strstr(text[1], " 3000000 1000000 2000000 5000000"));
	assert_string_equal(text[0], text[1]);
	free(text[0]);
	free(text[1]);
}

/* Flow, then block style with CRLF and UTF-8 before the samples; a
 * sequence anchored and aliased is held. */
static void test_unheld__yaml_buffer(void **state)
{
	static const char *const texts[] = {
	    "results:\n- {benchmark: a, unit: ms, samples: [3, 1, 2, 5, 4, 9, 8, 7, 6, 10, 11,\n"
	    "  # a comment\n  12, 13, 14, 15, 16, 0.5]}\n- benchmark: b\n  samples: [1, 2]\n",
	    "\xef\xbb\xbfrun: {commit: \"\xc3\xa9\xc3\xa9\xe2\x9c\x93\"}\r\nresults:\r\n"
	    "  - benchmark: \xc3\xa9\r\n    unit: ms\r\n    samples:\r\n"
	    "    - 3\r\n    - 1\r\n    - 2\r\n    - 5\r\n    - 4\r\n    - 9\r\n    - 8\r\n"
	    "    # \xc3\xa9\r\n    - 7\r\n    - 6\r\n    - 10\r\n    - 11\r\n    - 12\r\n"
	    "    - 13\r\n    - 14\r\n    - 15\r\n    - 16\r\n    - 0.5\r\n"
	    "  - {benchmark: b, samples: [1, 2]}\r\n",
	    "results:\n- {benchmark: a, unit: ms, samples: &s [3, 1, 2, 5, 4, 9, 8, 7, 6, 10, "
	    "11, 12, 13, 14, 15, 16, 0.5]}\n- {benchmark: b, samples: *s}\n"};
	const size_t want[] = {1, 1, 0};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		bytes b = {texts[i], strlen(texts[i])};
		yaml_same_unheld(&b, want[i]);
	}
}

/* UTF-16 (libyaml reads it after its BOM): its marks are no bytes of the
 * text, so the samples stay held, and read the same. */
static void test_unheld__yaml_utf16_held(void **state)
{
	static const char ascii[] =
	    "results:\n- benchmark: a\n  unit: ms\n  samples: [3, 1, 2, 5, 4, 9, 8, 7, 6, 10, "
	    "11, 12, 13, 14, 15, 16, 0.5]\n";
	char utf16[2 * sizeof(ascii) + 2];
	bytes b = {utf16, 2 + 2 * (sizeof(ascii) - 1)};
	size_t i;
	(void)state;
	utf16[0] = '\xff';
	utf16[1] = '\xfe';
	for (i = 0; i + 1 < sizeof(ascii); i++) {
		utf16[2 + 2 * i] = ascii[i];
		utf16[3 + 2 * i] = '\0';
	}
	yaml_same_unheld(&b, 0);
}

/* An unknown option is refused. */
static void test_unheld__options(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_sink_options(rs, 2), PERFDB_EINVAL);
	perfdb_resultset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unheld__readers_same_as_held),
	    cmocka_unit_test(test_unheld__stored_same_as_held),
	    cmocka_unit_test(test_unheld__buffer_below_the_default),
	    cmocka_unit_test(test_unheld__yaml_buffer),
	    cmocka_unit_test(test_unheld__yaml_utf16_held),
	    cmocka_unit_test(test_unheld__options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
