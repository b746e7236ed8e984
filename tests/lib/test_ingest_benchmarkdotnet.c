/*
 * The BenchmarkDotNet reader on hand-made documents in the layout of its
 * full JSON export (BenchmarkDotNet is not in Debian; the real exports of the
 * corpus, 0.9.9 to 0.15.8, are covered by the acceptance suite).
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

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"

static const char doc[] =
    "{\n"
    "  \"Title\": \"Sample.Benchmarks-20260101-000000\",\n"
    "  \"HostEnvironmentInfo\": {\"BenchmarkDotNetVersion\": \"0.15.8\"},\n"
    "  \"Benchmarks\": [\n"
    "    {\"FullName\": \"Sample.Benchmarks.Fib\", \"Parameters\": \"N=10\",\n"
    "     \"Statistics\": {\"OriginalValues\": [10.0, 12.0, 14.0], \"N\": 3, \"Min\": 10.0,\n"
    "       \"Median\": 12.0, \"Mean\": 12.0, \"Max\": 14.0, \"StandardDeviation\": 2.0},\n"
    "     \"Memory\": {\"BytesAllocatedPerOperation\": 368}},\n"
    "    {\"Namespace\": \"Sample\", \"Type\": \"Intro\", \"Method\": \"Sleep\",\n"
    "     \"Parameters\": \"\", \"Statistics\": {\"N\": 20, \"Mean\": 1.5e7}},\n"
    "    {\"FullName\": \"Sample.Benchmarks.Broken\", \"Statistics\": null,\n"
    "     \"Memory\": {\"BytesAllocatedPerOperation\": null}}\n"
    "  ]\n"
    "}\n";

static void test_ingest_benchmarkdotnet__export(void **state)
{
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "Sample.Benchmarks.Fib [N=10]", "time");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 12, 0);
	assert_near(r->median, 12, 0);
	assert_near(r->stddev, 2, 0);
	assert_near(r->min, 10, 0);
	assert_near(r->max, 14, 0);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[2], 14, 0);
	r = find_result(rs, "Sample.Benchmarks.Fib [N=10]", "allocated");
	assert_string_equal(r->unit, "B");
	assert_near(r->value, 368, 0);
	/* the brief export of 0.9: no FullName, no OriginalValues */
	r = find_result(rs, "Sample.Intro.Sleep", "time");
	assert_near(r->value, 1.5e7, 0);
	assert_int_equal(r->n, 20);
	assert_null(lookup_result(rs, "Sample.Benchmarks.Broken", "time"));
	assert_true(has_warning(rs,
				"ok:11:60: benchmark 'Sample.Benchmarks.Broken': Statistics is "
				"null",
				NULL));
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "benchmarkdotnet");
	perfdb_resultset_free(rs);
}

static void test_ingest_benchmarkdotnet__detection_and_errors(void **state)
{
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(doc, strlen(doc)), PERFDB_FORMAT_BENCHMARKDOTNET);
	assert_int_equal(perfdb_format_parse(&f, "bdn"), 0);
	assert_int_equal(f, PERFDB_FORMAT_BENCHMARKDOTNET);
	expect_input_error("{\"Benchmarks\": [{\"FullName\": \"a\", \"Statistics\": {\"N\": 3}}]}",
			   PERFDB_FORMAT_BENCHMARKDOTNET, "d.json", PERFDB_EINPUT, 1, 49,
			   "Benchmarks[0].Statistics.Mean", "missing");
	expect_input_error("{\"Benchmarks\": [{\"FullName\": \"a\", \"Statistics\": {\"N\": 3, "
			   "\"Mean\": 1, \"OriginalValues\": [1, 2]}}]}",
			   PERFDB_FORMAT_BENCHMARKDOTNET, "d.json", PERFDB_EINPUT, 1, 87,
			   "Benchmarks[0].Statistics.OriginalValues", "has 2 values, but N is 3");
	expect_input_error("{\"Title\": \"x\"}", PERFDB_FORMAT_BENCHMARKDOTNET, "d.json",
			   PERFDB_EINPUT, 1, 1, "Benchmarks", "missing");
}

/* [MemoryDiagnoser]'s collections, per 1000 operations as BenchmarkDotNet's
 * Gen0/Gen1/Gen2 columns (the numbers of the corpus's bencher-memory.json,
 * a real 0.15.8 export: 184 gen-0 collections in 8388608 operations, which
 * its own Metrics block gives as 0.02193450927734375); none without a
 * measured allocation (no diagnoser) or without operations (a failed run). */
static void test_ingest_benchmarkdotnet__gc_collections(void **state)
{
	static const char gc[] =
	    "{\"Title\": \"t\", \"Benchmarks\": [\n"
	    " {\"FullName\": \"M.AllocEmptyList\", \"Statistics\": {\"N\": 1, \"Mean\": 78.5},\n"
	    "  \"Memory\": {\"Gen0Collections\": 184, \"Gen1Collections\": 2, \"Gen2Collections\": "
	    "0,\n"
	    "   \"TotalOperations\": 8388608, \"BytesAllocatedPerOperation\": 368}},\n"
	    " {\"FullName\": \"M.NoDiagnoser\", \"Statistics\": {\"N\": 1, \"Mean\": 5},\n"
	    "  \"Memory\": {\"Gen0Collections\": 0, \"Gen1Collections\": 0, \"Gen2Collections\": "
	    "0,\n"
	    "   \"TotalOperations\": 1024, \"BytesAllocatedPerOperation\": null}},\n"
	    " {\"FullName\": \"M.NoOps\", \"Statistics\": {\"N\": 1, \"Mean\": 5},\n"
	    "  \"Memory\": {\"Gen0Collections\": 0, \"TotalOperations\": 0,\n"
	    "   \"BytesAllocatedPerOperation\": 0}}\n"
	    "]}\n";
	perfdb_resultset *rs = ingest_ok(gc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "M.AllocEmptyList", "gen0_collections");
	assert_string_equal(r->unit, "collections/1000 op");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 0.02193450927734375, 1e-18);
	assert_near(find_result(rs, "M.AllocEmptyList", "gen1_collections")->value,
		    2.0 / 8388608 * 1000, 1e-18);
	assert_near(find_result(rs, "M.AllocEmptyList", "gen2_collections")->value, 0, 0);
	assert_near(find_result(rs, "M.AllocEmptyList", "allocated")->value, 368, 0);
	assert_null(lookup_result(rs, "M.NoDiagnoser", "gen0_collections"));
	assert_null(lookup_result(rs, "M.NoDiagnoser", "allocated"));
	assert_null(lookup_result(rs, "M.NoOps", "gen0_collections"));
	assert_near(find_result(rs, "M.NoOps", "allocated")->value, 0, 0);
	assert_int_equal(perfdb_resultset_count(rs), 8);
	perfdb_resultset_free(rs);
	expect_input_error("{\"Benchmarks\": [{\"FullName\": \"a\", \"Statistics\": {\"N\": 1, "
			   "\"Mean\": 1},\n \"Memory\": {\"BytesAllocatedPerOperation\": 1, "
			   "\"TotalOperations\": 8, \"Gen1Collections\": \"x\"}}]}",
			   PERFDB_FORMAT_BENCHMARKDOTNET, "d.json", PERFDB_EINPUT, 2, 87,
			   "Benchmarks[0].Memory.Gen1Collections", "expected a collection count");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_benchmarkdotnet__export),
	    cmocka_unit_test(test_ingest_benchmarkdotnet__gc_collections),
	    cmocka_unit_test(test_ingest_benchmarkdotnet__detection_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
