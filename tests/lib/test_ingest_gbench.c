/*
 * The Google Benchmark reader and the shared JSON layer, on real output of
 * tests/data/gbench/fixture_bench.cc (see tests/data/README) and on small
 * hand-made bad inputs. Expected numbers are read from the committed files
 * with jansson directly, independently of the reader.
 */
#include <dirent.h>
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
#include "ingest/json.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "sink_collect.h"

#define DATA PERFDB_TEST_DATA "/gbench/"

/* The fixture parsed by jansson alone; the one bare NaN Google Benchmark
 * printed (BM_NanCounter's counter) is turned into a string first. */
static json_t *expected(const char *file)
{
	size_t len;
	char *text = slurp_file(file, &len), *p;
	json_error_t jerr;
	json_t *root;
	while ((p = strstr(text, ": NaN")))
		memcpy(p, ": \"N\"", 5); /* same length; a string, so never a number */
	root = json_loadb(text, len, 0, &jerr);
	if (!root)
		fail_msg("%s:%d: %s", file, jerr.line, jerr.text);
	free(text);
	return root;
}

/* A row of the expected document by name. */
static json_t *row(json_t *doc, const char *name)
{
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
	{
		if (strcmp(json_string_value(json_object_get(b, "name")), name) == 0)
			return b;
	}
	fail_msg("no row '%s'", name);
	return NULL;
}

static double num(json_t *row_, const char *key)
{
	json_t *v = json_object_get(row_, key);
	if (!json_is_number(v))
		fail_msg("no number '%s'", key);
	return json_number_value(v);
}

static perfdb_resultset *ingest(const char *file, int expect)
{
	return ingest_file_with(perfdb_ingest__gbench, file, expect);
}

#define assert_close(a, b) assert_true(fabs((a) - (b)) <= 1e-9 * fabs(b) + 1e-300)

/* --- repetitions, aggregates, counters ------------------------------------------- */

static void check_repetitions(const char *file)
{
	perfdb_resultset *rs = ingest(file, 0);
	json_t *doc = expected(file);
	/* Results are named without the run knob "/repeats:3" (the rows in the
	 * file keep it). */
	static const char *const bench[] = {"BM_Sum/64", "BM_Sum/4096"};
	static const char *const row_name[] = {"BM_Sum/64/repeats:3", "BM_Sum/4096/repeats:3"};
	static const char *const metrics[] = {"real_time",	    "cpu_time",
					      "items_per_second",   "bytes_per_second",
					      "widgets_per_second", "collisions"};
	char name[128];
	size_t b, m, i, k;
	json_t *it;

	for (b = 0; b < 2; b++) {
		for (m = 0; m < 6; m++) {
			const perfdb_result *r = lookup_result(rs, bench[b], metrics[m]);
			assert_non_null(r);
			assert_int_equal(r->nsamples, 3);
			assert_int_equal(r->n, 3);
			/* Samples are the three iteration rows, in order. */
			i = 0;
			json_array_foreach(json_object_get(doc, "benchmarks"), k, it)
			{
				if (strcmp(json_string_value(json_object_get(it, "name")),
					   row_name[b]) == 0)
					assert_close(r->samples[i++], num(it, metrics[m]));
			}
			assert_int_equal(i, 3);
			snprintf(name, sizeof(name), "%s_mean", row_name[b]);
			assert_close(r->mean, num(row(doc, name), metrics[m]));
			assert_close(r->value, r->mean);
			snprintf(name, sizeof(name), "%s_median", row_name[b]);
			assert_close(r->median, num(row(doc, name), metrics[m]));
			snprintf(name, sizeof(name), "%s_stddev", row_name[b]);
			assert_close(r->stddev, num(row(doc, name), metrics[m]));
			/* The user statistic "max" fills max; min comes from the samples. */
			snprintf(name, sizeof(name), "%s_max", row_name[b]);
			assert_close(r->max, num(row(doc, name), metrics[m]));
			assert_true(r->min <= r->samples[0] && r->min <= r->samples[1] &&
				    r->min <= r->samples[2]);
		}
		/* cv is a ratio: never a metric of its own, never a time. */
		assert_null(lookup_result(rs, bench[b], "real_time_cv"));
		assert_null(lookup_result(rs, bench[b], "cv"));
	}
	assert_string_equal(lookup_result(rs, bench[0], "real_time")->unit, "ns");
	assert_int_equal(lookup_result(rs, bench[0], "real_time")->direction,
			 PERFDB_LOWER_IS_BETTER);
	assert_string_equal(lookup_result(rs, bench[0], "items_per_second")->unit, "items/s");
	assert_int_equal(lookup_result(rs, bench[0], "items_per_second")->direction,
			 PERFDB_HIGHER_IS_BETTER);
	assert_string_equal(lookup_result(rs, bench[0], "bytes_per_second")->unit, "B/s");
	assert_int_equal(lookup_result(rs, bench[0], "bytes_per_second")->direction,
			 PERFDB_HIGHER_IS_BETTER);
	assert_string_equal(lookup_result(rs, bench[0], "widgets_per_second")->unit, "widgets/s");
	assert_int_equal(lookup_result(rs, bench[0], "widgets_per_second")->direction,
			 PERFDB_HIGHER_IS_BETTER);
	assert_string_equal(lookup_result(rs, bench[0], "collisions")->unit, "");
	assert_int_equal(lookup_result(rs, bench[0], "collisions")->direction,
			 PERFDB_LOWER_IS_BETTER);
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__repetitions_become_samples(void **state)
{
	(void)state;
	check_repetitions(DATA "gbench_basic.json");
}

static void test_ingest_gbench__benchmark_out_file(void **state)
{
	(void)state;
	check_repetitions(DATA "gbench_out.json");
}

static void test_ingest_gbench__aggregates_only_in_microseconds(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_basic.json", 0);
	json_t *doc = expected(DATA "gbench_basic.json");
	const perfdb_result *r = lookup_result(rs, "BM_AggOnly", "real_time");
	(void)state;
	assert_non_null(r);
	assert_int_equal(r->nsamples, 0);
	assert_int_equal(r->n, 3);
	assert_string_equal(r->unit, "ns");
	/* us -> ns */
	assert_close(r->value, num(row(doc, "BM_AggOnly/repeats:3_mean"), "real_time") * 1e3);
	assert_close(r->median, num(row(doc, "BM_AggOnly/repeats:3_median"), "real_time") * 1e3);
	assert_close(r->stddev, num(row(doc, "BM_AggOnly/repeats:3_stddev"), "real_time") * 1e3);
	assert_non_null(lookup_result(rs, "BM_AggOnly", "cpu_time"));
	assert_null(lookup_result(rs, "BM_AggOnly/repeats:3", "cpu_time"));
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__units_normalised(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_basic.json", 0);
	json_t *doc = expected(DATA "gbench_basic.json");
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_Tmpl<int>/8", "real_time"); /* ms */
	assert_non_null(r);
	assert_string_equal(r->unit, "ns");
	assert_close(r->value, num(row(doc, "BM_Tmpl<int>/8"), "real_time") * 1e6);
	assert_int_equal(r->nsamples, 1);
	assert_close(r->samples[0], r->value);
	r = lookup_result(rs, "BM_NanCounter", "cpu_time"); /* s */
	assert_non_null(r);
	assert_close(r->value, num(row(doc, "BM_NanCounter"), "cpu_time") * 1e9);
	r = lookup_result(rs, "BM_Threaded/threads:2", "cpu_time");
	assert_non_null(r);
	assert_close(r->value, num(row(doc, "BM_Threaded/threads:2"), "cpu_time"));
	assert_non_null(lookup_result(rs, "BM_Threaded/threads:2", "real_time"));
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__errors_and_nan_are_warnings(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_basic.json", 0);
	(void)state;
	assert_null(lookup_result(rs, "BM_Error", "real_time"));
	assert_null(lookup_result(rs, "BM_Error", "cpu_time"));
	assert_true(has_warning(rs, "BM_Error", "resource not available"));
	/* The NaN counter is not stored; the benchmark's times are. */
	assert_null(lookup_result(rs, "BM_NanCounter", "undefined_ratio"));
	assert_true(has_warning(rs, "BM_NanCounter", "undefined_ratio"));
	assert_non_null(lookup_result(rs, "BM_NanCounter", "real_time"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__complexity_rows(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_basic.json", 0);
	json_t *doc = expected(DATA "gbench_basic.json");
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_Complexity_BigO", "cpu_coefficient[N]");
	assert_non_null(r);
	assert_string_equal(r->unit, "ns");
	assert_close(r->value, num(row(doc, "BM_Complexity_BigO"), "cpu_coefficient"));
	r = lookup_result(rs, "BM_Complexity_BigO", "real_coefficient[N]");
	assert_non_null(r);
	assert_close(r->value, num(row(doc, "BM_Complexity_BigO"), "real_coefficient"));
	r = lookup_result(rs, "BM_Complexity_RMS", "rms");
	assert_non_null(r);
	assert_string_equal(r->unit, "");
	assert_close(r->value, num(row(doc, "BM_Complexity_RMS"), "rms"));
	r = lookup_result(rs, "BM_Complexity/1024", "real_time");
	assert_non_null(r);
	assert_close(r->value, num(row(doc, "BM_Complexity/1024"), "real_time"));
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__result_count_and_context(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_basic.json", 0);
	json_t *doc = expected(DATA "gbench_basic.json");
	json_t *ctx = json_object_get(doc, "context");
	char buf[64];
	(void)state;
	/* 2 x BM_Sum (6 metrics) + AggOnly (2) + 4 x Complexity/N (2) + BigO (2)
	 * + RMS (1) + Tmpl (2) + Threaded (2) + NanCounter (2). */
	assert_int_equal(perfdb_resultset_count(rs), 12 + 2 + 8 + 2 + 1 + 2 + 2 + 2);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "gbench");
	assert_string_equal(tag_value(rs, "host_name", true),
			    json_string_value(json_object_get(ctx, "host_name")));
	snprintf(buf, sizeof(buf), "%lld", (long long)num(ctx, "num_cpus"));
	assert_string_equal(tag_value(rs, "num_cpus", true), buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)num(ctx, "mhz_per_cpu"));
	assert_string_equal(tag_value(rs, "mhz_per_cpu", true), buf);
	assert_string_equal(tag_value(rs, "cpu_scaling_enabled", true), "false");
	assert_string_equal(tag_value(rs, "library_build_type", true),
			    json_string_value(json_object_get(ctx, "library_build_type")));
	assert_non_null(strstr(tag_value(rs, "caches", true), "\"type\":\"Data\""));
	assert_true(tag_value(rs, "load_avg", true)[0] == '[');
	assert_string_equal(tag_value(rs, "executable", true), "./fixture_bench");
	/* date "2026-11-25T09:09:18+00:00" -> the run's start, in UTC. */
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2026-11-25T09:09:18Z");
	json_decref(doc);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__skipped_and_memory_fields(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_skipped.json", 0);
	const perfdb_result *r;
	(void)state;
	assert_null(lookup_result(rs, "BM_Skip", "real_time"));
	assert_true(has_warning(rs, "BM_Skip", "needs AVX-512"));
	assert_non_null(lookup_result(rs, "BM_Kept", "real_time"));
	r = lookup_result(rs, "BM_Kept", "max_bytes_used");
	assert_non_null(r);
	assert_string_equal(r->unit, "B");
	assert_close(r->value, 4096.0);
	r = lookup_result(rs, "BM_Kept", "allocs_per_iter");
	assert_non_null(r);
	assert_close(r->value, 2.0);
	assert_string_equal(tag_value(rs, "library_version", true), "v1.8.3");
	assert_int_equal(perfdb_resultset_count(rs), 4);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__nan_and_infinity_tokens(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_nan.json", 0);
	const perfdb_result *r;
	(void)state;
	/* A NaN time in one repetition: the whole metric is left out, said once. */
	assert_null(lookup_result(rs, "BM_Nan", "real_time"));
	assert_true(has_warning(rs, "BM_Nan/repeats:2", "'real_time' is NaN"));
	r = lookup_result(rs, "BM_Nan", "cpu_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 2);
	assert_close(r->samples[0], 14.0);
	assert_close(r->samples[1], 16.0);
	assert_close(r->mean, 15.0);
	/* -Infinity in a counter: left out with a warning. */
	assert_null(lookup_result(rs, "BM_Nan", "ratio"));
	assert_true(has_warning(rs, "BM_Nan/repeats:2", "'ratio' is infinite"));
	/* Infinity cpu_time and rate: left out; real_time (us) is kept. */
	assert_null(lookup_result(rs, "BM_Inf", "cpu_time"));
	assert_null(lookup_result(rs, "BM_Inf", "items_per_second"));
	assert_true(has_warning(rs, "BM_Inf", "'cpu_time' is infinite"));
	r = lookup_result(rs, "BM_Inf", "real_time");
	assert_non_null(r);
	assert_close(r->value, 2500.0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	perfdb_resultset_free(rs);
}

/* Run knobs set in code (Repetitions, Iterations, MinTime, MinWarmUpTime)
 * are not part of a series' name, so changing them keeps the history; knobs
 * that change what is measured (threads, real_time) stay. Two run_names of
 * one file that would collide keep their full names. */
static void test_ingest_gbench__run_knobs_left_out_of_names(void **state)
{
	static const char *const runs[] = {"BM_A/8/repeats:3/threads:2",
					   "BM_B/iterations:100",
					   "BM_E/min_time:0.010/min_warmup_time:0.5/real_time",
					   "BM_C/repeats:3",
					   "BM_C/repeats:5",
					   "BM_D/repeats:2",
					   "BM_D",
					   "BM_F/repeats:x",
					   "BM_G/repeats:"};
	char text[4096];
	size_t len = 0, k;
	static const char *const present[] = {
	    "BM_A/8/threads:2", "BM_B", "BM_E/real_time", "BM_C/repeats:3", "BM_C/repeats:5",
	    "BM_D/repeats:2",	"BM_D", "BM_F",		  "BM_G/repeats:"};
	perfdb_resultset *rs;
	size_t i;
	(void)state;
	len += (size_t)snprintf(text, sizeof(text), "{\"benchmarks\": [\n");
	for (k = 0; k < sizeof(runs) / sizeof(runs[0]); k++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s{\"name\": \"%s\", \"run_name\": \"%s\", \"run_type\": "
					"\"iteration\", \"iterations\": 10, \"real_time\": 1, "
					"\"cpu_time\": 1, \"time_unit\": \"ns\"}",
					k ? ",\n" : "", runs[k], runs[k]);
	len += (size_t)snprintf(text + len, sizeof(text) - len, "\n]}");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_true(len < sizeof(text));
	assert_int_equal(perfdb_ingest__gbench(rs, text, len, "k.json"), 0);
	for (i = 0; i < sizeof(present) / sizeof(present[0]); i++)
		if (!lookup_result(rs, present[i], "real_time"))
			fail_msg("no series '%s'", present[i]);
	assert_int_equal(perfdb_resultset_count(rs), 2 * 9); /* real_time and cpu_time */
	assert_null(lookup_result(rs, "BM_A/8/repeats:3/threads:2", "real_time"));
	assert_null(lookup_result(rs, "BM_C", "real_time"));
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__user_statistics(void **state)
{
	/* Trimmed from the layout of gbench_basic.json: two repetitions, a
	 * user statistic "p90" (time) and one in percent, and cv. */
	static const char text[] =
	    "{\"benchmarks\": [\n"
	    "{\"name\": \"BM_U\", \"run_name\": \"BM_U\", \"run_type\": \"iteration\","
	    " \"repetitions\": 2, \"repetition_index\": 0, \"real_time\": 10, \"cpu_time\": 9,"
	    " \"time_unit\": \"ms\", \"hit_rate\": 0.5},\n"
	    "{\"name\": \"BM_U\", \"run_name\": \"BM_U\", \"run_type\": \"iteration\","
	    " \"repetitions\": 2, \"repetition_index\": 1, \"real_time\": 20, \"cpu_time\": 19,"
	    " \"time_unit\": \"ms\", \"hit_rate\": 0.7},\n"
	    "{\"name\": \"BM_U_p90\", \"run_name\": \"BM_U\", \"run_type\": \"aggregate\","
	    " \"repetitions\": 2, \"aggregate_name\": \"p90\", \"aggregate_unit\": \"time\","
	    " \"real_time\": 19, \"cpu_time\": 18, \"time_unit\": \"ms\", \"hit_rate\": 0.68},\n"
	    "{\"name\": \"BM_U_spread\", \"run_name\": \"BM_U\", \"run_type\": \"aggregate\","
	    " \"repetitions\": 2, \"aggregate_name\": \"spread\", \"aggregate_unit\": "
	    "\"percentage\", \"real_time\": 0.5, \"cpu_time\": 0.5, \"time_unit\": \"ms\"},\n"
	    "{\"name\": \"BM_U_cv\", \"run_name\": \"BM_U\", \"run_type\": \"aggregate\","
	    " \"repetitions\": 2, \"aggregate_name\": \"cv\", \"aggregate_unit\": "
	    "\"percentage\", \"real_time\": 0.47, \"cpu_time\": 0.5, \"time_unit\": \"ms\"}\n"
	    "]}";
	perfdb_resultset *rs;
	const perfdb_result *r;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest__gbench(rs, text, sizeof(text) - 1, "u.json"), 0);
	r = lookup_result(rs, "BM_U", "real_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 2);
	assert_close(r->samples[1], 20e6);
	assert_close(r->value, 15e6); /* no mean aggregate: the samples' mean */
	assert_close(r->min, 10e6);
	assert_close(r->max, 20e6);
	r = lookup_result(rs, "BM_U", "real_time_p90");
	assert_non_null(r);
	assert_string_equal(r->unit, "ns");
	assert_close(r->value, 19e6);
	r = lookup_result(rs, "BM_U", "real_time_spread");
	assert_non_null(r);
	assert_string_equal(r->unit, "");
	assert_close(r->value, 0.5);
	r = lookup_result(rs, "BM_U", "hit_rate");
	assert_non_null(r);
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_string_equal(r->unit, "");
	assert_close(r->value, 0.6);
	r = lookup_result(rs, "BM_U", "hit_rate_p90");
	assert_non_null(r);
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_null(lookup_result(rs, "BM_U", "real_time_cv"));
	/* real, cpu, hit_rate; their p90; real and cpu spread. */
	assert_int_equal(perfdb_resultset_count(rs), 8);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	perfdb_resultset_free(rs);
}

/* --- files of older versions, hand-written files, odd registrations -------------- */

/* gbench before 1.5 (no run_type): BM_Sum/64_mean and _stddev are statistics
 * of BM_Sum/64, not benchmarks; BM_running_mean (no _stddev sibling) is a
 * benchmark. */
static void test_ingest_gbench__pre_1_5_aggregates_by_suffix(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_v1_1_reps.json", 0);
	json_t *doc = expected(DATA "gbench_v1_1_reps.json");
	static const char *const metrics[] = {"real_time", "cpu_time", "bytes_per_second",
					      "items_per_second"};
	const perfdb_result *r;
	size_t m, i, k;
	json_t *it;
	(void)state;
	for (m = 0; m < 4; m++) {
		r = lookup_result(rs, "BM_Sum/64", metrics[m]);
		assert_non_null(r);
		assert_int_equal(r->nsamples, 3);
		i = 0;
		json_array_foreach(json_object_get(doc, "benchmarks"), k, it)
		{
			if (strcmp(json_string_value(json_object_get(it, "name")), "BM_Sum/64") ==
			    0)
				assert_close(r->samples[i++], num(it, metrics[m]));
		}
		assert_int_equal(i, 3);
		assert_close(r->value, num(row(doc, "BM_Sum/64_mean"), metrics[m]));
		assert_close(r->mean, num(row(doc, "BM_Sum/64_mean"), metrics[m]));
		assert_close(r->stddev, num(row(doc, "BM_Sum/64_stddev"), metrics[m]));
		assert_null(lookup_result(rs, "BM_Sum/64_mean", metrics[m]));
		assert_null(lookup_result(rs, "BM_Sum/64_stddev", metrics[m]));
	}
	/* a standard deviation is never a throughput of its own */
	assert_null(lookup_result(rs, "BM_Sum/64_stddev", "bytes_per_second"));
	r = lookup_result(rs, "BM_running_mean", "real_time");
	assert_non_null(r);
	assert_close(r->value, 7.0);
	/* BM_Sum/64 (4 metrics) + BM_running_mean (2) */
	assert_int_equal(perfdb_resultset_count(rs), 6);
	assert_true(
	    has_warning(rs, "'BM_Fails/1' failed: no device; not recorded (3 times)", NULL));
	json_decref(doc);
	perfdb_resultset_free(rs);
}

/* --benchmark_report_aggregates_only of 1.4: only _mean, _median, _stddev and
 * a user statistic (_p90). */
static void test_ingest_gbench__pre_1_5_aggregates_only(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_v1_4_aggonly.json", 0);
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_Copy/1024", "real_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 0);
	assert_close(r->value, 150.0);
	assert_close(r->median, 148.0);
	assert_close(r->stddev, 3.0);
	r = lookup_result(rs, "BM_Copy/1024", "real_time_p90");
	assert_non_null(r);
	assert_string_equal(r->unit, "ns");
	assert_close(r->value, 154.0);
	r = lookup_result(rs, "BM_Copy/1024", "bytes_per_second");
	assert_non_null(r);
	assert_string_equal(r->unit, "B/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_close(r->value, 6.8e9);
	assert_close(r->stddev, 1.2e8);
	/* real, cpu, bytes/s and their p90 */
	assert_int_equal(perfdb_resultset_count(rs), 6);
	assert_null(lookup_result(rs, "BM_Copy/1024_stddev", "bytes_per_second"));
	perfdb_resultset_free(rs);
}

/* The inputs of gbench's own compare.py tests: run_type "aggregate" but no
 * aggregate_name. The statistic comes from the name's suffix; a row whose
 * name says none is left out with a warning. */
static void test_ingest_gbench__aggregate_without_aggregate_name(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_hand_aggregate.json", 0);
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_One", "real_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 2);
	assert_close(r->value, 11.0);
	assert_close(r->median, 11.5);
	assert_null(lookup_result(rs, "BM_One_mean", "real_time"));
	assert_null(lookup_result(rs, "short", "real_time"));
	assert_true(has_warning(rs, "'short'", "without aggregate_name"));
	assert_int_equal(perfdb_resultset_count(rs), 2);
	perfdb_resultset_free(rs);
}

/* One benchmark registered twice: two family_index values under one name.
 * The lower family_index keeps the name, the other is "NAME #2", whatever
 * the order of the rows. */
static void test_ingest_gbench__registered_twice_kept_apart(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_dup_failed_rep.json", 0);
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_Dup/7", "real_time");
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	assert_close(r->value, 1.5); /* family_index 2 */
	r = lookup_result(rs, "BM_Dup/7 #2", "real_time");
	assert_non_null(r);
	assert_int_equal(r->n, 1);
	assert_close(r->value, 3.5); /* family_index 3 */
	assert_true(has_warning(rs, "'BM_Dup/7' is registered more than once", "'BM_Dup/7 #2'"));
	perfdb_resultset_free(rs);
}

/* One of three repetitions failed: the other two are recorded, and the
 * warning says so instead of "not recorded". */
static void test_ingest_gbench__failed_repetition_warning_is_true(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_dup_failed_rep.json", 0);
	const perfdb_result *r;
	(void)state;
	r = lookup_result(rs, "BM_Flaky", "real_time");
	assert_non_null(r);
	assert_int_equal(r->nsamples, 2);
	assert_close(r->samples[0], 24.0);
	assert_close(r->samples[1], 22.0);
	assert_close(r->value, 23.0);
	assert_true(has_warning(rs,
				"benchmark 'BM_Flaky/repeats:3': 1 of 3 repetitions failed: "
				"transient failure; recorded from the other 2",
				NULL));
	assert_false(has_warning(rs, "BM_Flaky", "not recorded"));
	/* the registration warning and this one */
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

/* A date without a zone is the local time of the machine that ran the
 * benchmarks: stored as written, never shifted, and said so. A date with an
 * offset is converted to UTC. */
static void test_ingest_gbench__date_without_zone_stored_as_written(void **state)
{
	perfdb_resultset *rs = ingest(DATA "gbench_v1_1_reps.json", 0);
	(void)state;
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2019-01-01T12:00:00");
	assert_true(has_warning(rs, "context.date '2019-01-01 12:00:00' has no time zone", NULL));
	perfdb_resultset_free(rs);
	rs = ingest(DATA "gbench_v1_4_aggonly.json", 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2019-01-01T12:00:00");
	assert_true(has_warning(rs, "context.date '2019-01-01T12:00:00' has no time zone", NULL));
	perfdb_resultset_free(rs);
	rs = ingest(DATA "gbench_dup_failed_rep.json", 0);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_STARTED_AT),
			    "2026-12-05T22:42:47Z");
	assert_false(has_warning(rs, "time zone", NULL));
	perfdb_resultset_free(rs);
}

/* A context value is kept as JSON text up to 10,000 values; a bigger one is
 * left out with a warning at its place (a JSON writer's tree of it would
 * take about 300 bytes a value). */
static void test_ingest_gbench__big_context_value_left_out(void **state)
{
	const char *const tail = "]},\n \"benchmarks\": [{\"name\": \"a\", \"run_type\": "
				 "\"iteration\", \"iterations\": 1, \"real_time\": 1, "
				 "\"cpu_time\": 1, \"time_unit\": \"ns\"}]}";
	size_t cap = 100000, n, i, k;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	const char *key, *value;
	(void)state;
	assert_non_null(text);
	for (k = 9999; k <= 10000; k++) {
		/* an array of k - 1 empty objects: k values with it, then k + 1 */
		n = (size_t)snprintf(text, cap, "{\"context\": {\"host_name\": \"h\", \"junk\": [");
		for (i = 0; i + 1 < k; i++)
			n += (size_t)snprintf(text + n, cap - n, "%s{}", i ? "," : "");
		n += (size_t)snprintf(text + n, cap - n, "%s", tail);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest__gbench(rs, text, n, "big.json"), 0);
		assert_int_equal(perfdb_resultset_context_count(rs), 2);
		perfdb_resultset_context(rs, 1, &key, &value);
		assert_string_equal(key, "junk");
		assert_int_equal(strlen(value), 2 + 3 * (k - 1) - 1);
		assert_int_equal(perfdb_resultset_warning_count(rs), 0);
		perfdb_resultset_free(rs);
		/* one value more */
		n = (size_t)snprintf(text, cap,
				     "{\"context\": {\"host_name\": \"h\", \"junk\": [{}");
		for (i = 0; i + 1 < k; i++)
			n += (size_t)snprintf(text + n, cap - n, ",{}");
		n += (size_t)snprintf(text + n, cap - n, "%s", tail);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest__gbench(rs, text, n, "big.json"), 0);
		if (k == 10000) {
			assert_int_equal(perfdb_resultset_context_count(rs), 1);
			assert_true(has_warning(
			    rs, "big.json:1:40: context.junk: not kept (more than 10000 values)",
			    NULL));
		} else {
			assert_int_equal(perfdb_resultset_context_count(rs), 2);
		}
		assert_int_equal(perfdb_resultset_count(rs), 2);
		perfdb_resultset_free(rs);
	}
	free(text);
}

/* --- bad input ------------------------------------------------------------------------ */

/* Ingests into a resultset that already holds one result; asserts the code,
 * the position and field, and that nothing was added or lost. */
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
	assert_int_equal(perfdb_ingest__gbench(rs, text, len, "bad.json"), code);
	e = perfdb_error_last();
	assert_int_equal(e->code, code);
	assert_string_equal(e->file, "bad.json");
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, column);
	assert_string_equal(e->field, field);
	if (message_part && !strstr(e->message, message_part))
		fail_msg("message '%s' lacks '%s'", e->message, message_part);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	assert_null(perfdb_resultset_meta(rs, PERFDB_META_SOURCE));
	assert_int_equal(perfdb_resultset_context_count(rs), 0);
	perfdb_resultset_free(rs);
}

static void test_ingest_gbench__wrong_type_names_line_column_field(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "gbench_wrong_type.json", &len);
	int line, column;
	(void)state;
	position_of(text, "\"abc\"", &line, &column);
	assert_int_equal(line, 104);
	bad(text, len, PERFDB_EINPUT, line, column, "benchmarks[3].real_time",
	    "bad.json:104:20: field 'benchmarks[3].real_time': expected a number, found a string");
	free(text);
}

static void test_ingest_gbench__truncated(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "gbench_truncated.json", &len);
	int line, column;
	(void)state;
	/* 60 whole lines, cut inside a row: the end of the input is reported
	 * just after the last token, the end of line 60. */
	assert_true(len > 0 && text[len - 1] == '\n');
	line_col_at(text, text + len - 1, &line, &column);
	assert_int_equal(line, 60);
	bad(text, len, PERFDB_EINPUT, 60, column, "", "bad.json:60:38: invalid JSON");
	free(text);
}

static void test_ingest_gbench__bad_inline_inputs(void **state)
{
	static const char nan_key[] = "{\"benchmarks\": [{NaN: 1}]}";
	static const char not_array[] = "{\"context\": {},\n \"benchmarks\": {\"a\": 1}}";
	static const char row_not_object[] = "{\"benchmarks\": [\n  1.5\n]}";
	static const char bad_unit[] = "{\"benchmarks\": [{\"name\": \"BM_A\", \"real_time\": 1,"
				       " \"cpu_time\": 1,\n \"time_unit\": \"fortnights\"}]}";
	static const char missing_cpu[] = "{\"benchmarks\": [{\"name\": \"BM_A\",\n"
					  " \"real_time\": 1, \"time_unit\": \"ns\"}]}";
	static const char bool_type[] = "{\"benchmarks\": [{\"name\": \"BM_A\", \"error_occurred\":"
					" \"yes\"}]}";
	static const char dup[] = "{\"benchmarks\": [], \"benchmarks\": []}";
	static const char top_array[] = "  [1, 2]";
	static const char no_benchmarks[] = "{\"results\": []}";
	static const char utf8[] = "{\"benchmarks\": [{\"name\": \"BM_\xc3\xa9\xc3\xa9\", "
				   "\"real_time\": true}]}";
	(void)state;
	bad(nan_key, sizeof(nan_key) - 1, PERFDB_EINPUT, 1, 18, "", "quoted object key");
	bad(not_array, sizeof(not_array) - 1, PERFDB_EINPUT, 2, 16, "benchmarks",
	    "expected an array, found an object");
	bad(row_not_object, sizeof(row_not_object) - 1, PERFDB_EINPUT, 2, 3, "benchmarks[0]",
	    "expected an object, found a number");
	bad(bad_unit, sizeof(bad_unit) - 1, PERFDB_EINPUT, 2, 15, "benchmarks[0].time_unit",
	    "fortnights");
	/* A missing field is placed at its object. */
	bad(missing_cpu, sizeof(missing_cpu) - 1, PERFDB_EINPUT, 1, 17, "benchmarks[0].cpu_time",
	    "missing");
	bad(bool_type, sizeof(bool_type) - 1, PERFDB_EINPUT, 1, 52, "benchmarks[0].error_occurred",
	    "expected true or false");
	bad(dup, sizeof(dup) - 1, PERFDB_EINPUT, 1, 20, "", "duplicate");
	bad(top_array, sizeof(top_array) - 1, PERFDB_EINPUT, 1, 3, "", "found an array");
	bad(no_benchmarks, sizeof(no_benchmarks) - 1, PERFDB_EINPUT, 1, 1, "benchmarks", "missing");
	/* Columns count characters, as jansson's do: é is one column. */
	bad(utf8, sizeof(utf8) - 1, PERFDB_EINPUT, 1, 48, "benchmarks[0].real_time", "found true");
	bad("", 0, PERFDB_EINPUT, 0, 0, "", "empty input");
	bad(" \n\t ", 4, PERFDB_EINPUT, 0, 0, "", "empty input");
}

/* --- the JSON layer on its own ------------------------------------------------------- */

static void test_ingest_gbench__json_positions_and_paths(void **state)
{
	static const char text[] = "{\n"
				   "  \"a\": [1, {\"b\": \"NaN\", \"c\": NaN}],\n"
				   "  \"d\": -Infinity, \"e\": null, \"f\": \"x\\\"NaN\"\n"
				   "}";
	perfdb_json_doc *doc;
	const perfdb_jnode *root, *a, *inner;
	char path[64];
	double d;
	int line, column;
	(void)state;
	assert_int_equal(perfdb_json__load(&doc, text, sizeof(text) - 1, "t.json"), 0);
	root = perfdb_json__root(doc);
	a = perfdb_json__get(root, "a");
	inner = perfdb_json__item(a, 1);
	perfdb_json__where(doc, NULL, NULL, &line, &column);
	assert_int_equal(line, 1);
	assert_int_equal(column, 1);
	perfdb_json__where(doc, root, "a", &line, &column);
	assert_int_equal(line, 2);
	assert_int_equal(column, 8);
	perfdb_json__where_item(doc, a, 1, &line, &column);
	assert_int_equal(column, 12);
	perfdb_json__where(doc, inner, "c", &line, &column);
	assert_int_equal(line, 2);
	assert_int_equal(column, 30);
	perfdb_json__path(doc, inner, "c", path, sizeof(path));
	assert_string_equal(path, "a[1].c");
	perfdb_json__path(doc, a, NULL, path, sizeof(path));
	assert_string_equal(path, "a");
	/* A quoted "NaN" is a string; the bare one a NaN. */
	assert_false(perfdb_json__number(perfdb_json__get(inner, "b"), &d));
	assert_string_equal(perfdb_json__string(perfdb_json__get(inner, "b")), "NaN");
	assert_true(perfdb_json__number(perfdb_json__get(inner, "c"), &d));
	assert_true(isnan(d));
	assert_true(perfdb_json__number(perfdb_json__get(root, "d"), &d));
	assert_true(isinf(d) && d < 0);
	assert_string_equal(perfdb_json__string(perfdb_json__get(root, "f")), "x\"NaN");
	/* null, like any member, found through its parent and key. */
	perfdb_json__where(doc, root, "e", &line, &column);
	assert_int_equal(line, 3);
	assert_int_equal(column, 24);
	assert_int_equal(perfdb_json__member_number(doc, root, "e", false, &d), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_int_equal(perfdb_error_last()->column, 24);
	assert_string_equal(perfdb_error_last()->field, "e");
	assert_int_equal(perfdb_json__member_number(doc, root, "zz", false, &d), 1);
	assert_true(isnan(d));
	assert_int_equal(
	    perfdb_json__member_number(doc, perfdb_json__get(root, "a"), "zz", false, &d), 1);
	perfdb_json__free(doc);
	perfdb_json__free(NULL);
}

static void test_ingest_gbench__json_index_without_specials(void **state)
{
	/* No bare NaN; non-ASCII keys; an array at the top. */
	static const char text[] = "[\n\t{\"k\xc3\xa9y\": [[], {\"x\": false}]},\n\t\"s\"\n]";
	perfdb_json_doc *doc;
	const perfdb_jnode *root, *obj, *arr;
	char path[64];
	int line, column;
	double d;
	(void)state;
	assert_int_equal(perfdb_json__load(&doc, text, sizeof(text) - 1, NULL), 0);
	root = perfdb_json__root(doc);
	obj = perfdb_json__item(root, 0);
	arr = perfdb_json__get(obj, "k\xc3\xa9y");
	assert_false(perfdb_json__number(perfdb_json__item(root, 1), &d));
	perfdb_json__where_item(doc, arr, 1, &line, &column);
	assert_int_equal(line, 2);
	assert_int_equal(column, 15); /* the tab and the two-byte character count one each */
	perfdb_json__where(doc, perfdb_json__item(arr, 1), "x", &line, &column);
	assert_int_equal(column, 21);
	perfdb_json__path(doc, perfdb_json__item(arr, 1), "x", path, sizeof(path));
	assert_string_equal(path, "[0].k\xc3\xa9y[1].x");
	perfdb_json__where_item(doc, root, 1, &line, &column);
	assert_int_equal(line, 3);
	assert_int_equal(column, 2);
	assert_int_equal(perfdb_json__error_item(doc, root, 1, "bad %d", 7), PERFDB_EINPUT);
	/* Without a name the message has no position, the record still does. */
	assert_string_equal(perfdb_error_last()->message, "field '[1]': bad 7");
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_int_equal(perfdb_error_last()->column, 2);
	/* Something not from this doc has no position. */
	perfdb_json__where(doc, root, "absent", &line, &column);
	assert_int_equal(line, 1);
	perfdb_json__free(doc);
}

static void test_ingest_gbench__json_syntax_error_position(void **state)
{
	static const char text[] = "{\n  \"a\": [1, 2,, 3]\n}";
	perfdb_json_doc *doc = (perfdb_json_doc *)&doc;
	(void)state;
	assert_int_equal(perfdb_json__load(&doc, text, sizeof(text) - 1, "s.json"), PERFDB_EINPUT);
	assert_null(doc);
	assert_int_equal(perfdb_error_last()->line, 2);
	assert_int_equal(perfdb_error_last()->column, 14);
	assert_string_equal(perfdb_error_last()->file, "s.json");
}

/* Issue 12: results go to a resultset's sink as they are made, once every
 * row is read: batches of 1, 2 and 3 and what is left are the whole read's
 * results, warnings (failed repetitions counted per benchmark) and all. */
static void test_ingest_gbench__results_go_to_a_sink_in_batches(void **state)
{
	DIR *d = opendir(DATA);
	struct dirent *e;
	size_t batch, writes = 0, files = 0;
	sink_collect c;
	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], *want, *got;
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s%s", DATA, e->d_name);
		want = sink_collect_read(&c, path, PERFDB_FORMAT_GBENCH, 0);
		for (batch = 1; batch <= 3; batch++) {
			got = sink_collect_read(&c, path, PERFDB_FORMAT_GBENCH, batch);
			if (strcmp(got, want) != 0)
				fail_msg("%s in batches of %zu:\n%s\nwhole:\n%s", e->d_name, batch,
					 got, want);
			writes += (size_t)c.writes;
			assert_true(c.largest <= batch);
			free(got);
		}
		free(want);
		files++;
	}
	closedir(d);
	assert_true(files >= 10);
	assert_true(writes > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_gbench__repetitions_become_samples),
	    cmocka_unit_test(test_ingest_gbench__benchmark_out_file),
	    cmocka_unit_test(test_ingest_gbench__aggregates_only_in_microseconds),
	    cmocka_unit_test(test_ingest_gbench__units_normalised),
	    cmocka_unit_test(test_ingest_gbench__errors_and_nan_are_warnings),
	    cmocka_unit_test(test_ingest_gbench__complexity_rows),
	    cmocka_unit_test(test_ingest_gbench__result_count_and_context),
	    cmocka_unit_test(test_ingest_gbench__big_context_value_left_out),
	    cmocka_unit_test(test_ingest_gbench__skipped_and_memory_fields),
	    cmocka_unit_test(test_ingest_gbench__nan_and_infinity_tokens),
	    cmocka_unit_test(test_ingest_gbench__run_knobs_left_out_of_names),
	    cmocka_unit_test(test_ingest_gbench__user_statistics),
	    cmocka_unit_test(test_ingest_gbench__pre_1_5_aggregates_by_suffix),
	    cmocka_unit_test(test_ingest_gbench__pre_1_5_aggregates_only),
	    cmocka_unit_test(test_ingest_gbench__aggregate_without_aggregate_name),
	    cmocka_unit_test(test_ingest_gbench__registered_twice_kept_apart),
	    cmocka_unit_test(test_ingest_gbench__failed_repetition_warning_is_true),
	    cmocka_unit_test(test_ingest_gbench__date_without_zone_stored_as_written),
	    cmocka_unit_test(test_ingest_gbench__wrong_type_names_line_column_field),
	    cmocka_unit_test(test_ingest_gbench__truncated),
	    cmocka_unit_test(test_ingest_gbench__bad_inline_inputs),
	    cmocka_unit_test(test_ingest_gbench__json_positions_and_paths),
	    cmocka_unit_test(test_ingest_gbench__json_index_without_specials),
	    cmocka_unit_test(test_ingest_gbench__json_syntax_error_position),
	    cmocka_unit_test(test_ingest_gbench__results_go_to_a_sink_in_batches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
