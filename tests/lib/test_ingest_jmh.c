/*
 * The JMH reader on hand-made documents in the layout JMH 1.37 writes
 * (JMH is not in Debian; the real files of the corpus, among them JMH 1.37
 * output made for it, are covered by the acceptance suite).
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
    "[\n"
    "    {\n"
    "        \"jmhVersion\" : \"1.37\",\n"
    "        \"benchmark\" : \"org.x.Bench.alloc\",\n"
    "        \"mode\" : \"thrpt\",\n"
    "        \"threads\" : 1,\n"
    "        \"params\" : {\n"
    "            \"type\" : \"list\",\n"
    "            \"size\" : \"16\"\n"
    "        },\n"
    "        \"primaryMetric\" : {\n"
    "            \"score\" : 2000.0,\n"
    "            \"scoreError\" : 10.0,\n"
    "            \"scorePercentiles\" : {\"0.0\" : 1000.0, \"50.0\" : 2000.0, \"100.0\" : "
    "3000.0},\n"
    "            \"scoreUnit\" : \"ops/ms\",\n"
    "            \"rawData\" : [[1000.0, 2000.0], [3000.0]]\n"
    "        },\n"
    "        \"secondaryMetrics\" : {\n"
    "            \"\xc2\xb7gc.alloc.rate.norm\" : {\"score\" : 48.0, \"scoreUnit\" : \"B/op\",\n"
    "                \"rawData\" : [[48.0], [48.0]]},\n"
    "            \"asm\" : {\"score\" : \"NaN\", \"scoreUnit\" : \"---\", \"rawData\" : [[]]}\n"
    "        }\n"
    "    },\n"
    "    {\n"
    "        \"benchmark\" : \"org.x.Bench.alloc\",\n"
    "        \"mode\" : \"avgt\",\n"
    "        \"params\" : {\"type\" : \"list\", \"size\" : \"16\"},\n"
    "        \"primaryMetric\" : {\"score\" : 0.5, \"scoreUnit\" : \"us/op\",\n"
    "                            \"rawDataHistogram\" : []},\n"
    "        \"secondaryMetrics\" : {}\n"
    "    }\n"
    "]\n";

static void test_ingest_jmh__modes_params_secondaries(void **state)
{
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	/* params sorted into the name; ops/ms to ops/s, higher is better */
	r = find_result(rs, "org.x.Bench.alloc [size=16,type=list]", "thrpt");
	assert_string_equal(r->unit, "ops/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(r->value, 2e6, 1e-6);
	assert_near(r->min, 1e6, 1e-6);
	assert_near(r->median, 2e6, 1e-6);
	assert_near(r->max, 3e6, 1e-6);
	assert_int_equal(r->nsamples, 3); /* both forks */
	assert_near(r->samples[2], 3e6, 1e-6);
	/* the old "·" prefix dropped; B/op kept, lower is better */
	r = find_result(rs, "org.x.Bench.alloc [size=16,type=list]", "thrpt:gc.alloc.rate.norm");
	assert_string_equal(r->unit, "B/op");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 48, 0);
	assert_null(lookup_result(rs, "org.x.Bench.alloc [size=16,type=list]", "thrpt:asm"));
	assert_true(has_warning(rs,
				"ok:21:32: benchmark 'org.x.Bench.alloc [size=16,type=list]' "
				"metric 'thrpt:asm': score is NaN",
				NULL));
	/* another mode of the same benchmark is another metric */
	r = find_result(rs, "org.x.Bench.alloc [size=16,type=list]", "avgt");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 500, 1e-9);
	assert_int_equal(r->nsamples, 0);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "jmh");
	perfdb_resultset_free(rs);
}

static void test_ingest_jmh__detection(void **state)
{
	const char *t = "[{\"benchmark\": \"a\", \"mode\": \"avgt\", \"primaryMetric\": {}}]";
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(doc, strlen(doc)), PERFDB_FORMAT_JMH);
	assert_int_equal(perfdb_ingest_detect(t, strlen(t)), PERFDB_FORMAT_JMH);
	t = "[{\"benchmark\": \"a\", \"x\": {\"primaryMetric\": 1}}]";
	assert_int_equal(perfdb_ingest_detect(t, strlen(t)), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_format_parse(&f, "jmh"), 0);
	assert_int_equal(f, PERFDB_FORMAT_JMH);
}

static void test_ingest_jmh__bad_inputs(void **state)
{
	(void)state;
	expect_input_error("[{\"benchmark\": \"a\", \"mode\": \"avgt\"}]", PERFDB_FORMAT_JMH,
			   "j.json", PERFDB_EINPUT, 1, 2, "[0].primaryMetric", "missing");
	expect_input_error("[{\"benchmark\": \"a\", \"mode\": \"avgt\", \"primaryMetric\": "
			   "{\"score\": true, \"scoreUnit\": \"ns/op\"}}]",
			   PERFDB_FORMAT_JMH, "j.json", PERFDB_EINPUT, 1, 64,
			   "[0].primaryMetric.score", "expected a number");
	expect_input_error("[{\"benchmark\": \"a\", \"mode\": \"avgt\", \"params\": {\"n\": 1}, "
			   "\"primaryMetric\": {\"score\": 1, \"scoreUnit\": \"ns/op\"}}]",
			   PERFDB_FORMAT_JMH, "j.json", PERFDB_EINPUT, 1, 53, "[0].params.n",
			   "expected a string");
	expect_input_error("[{\"benchmark\": \"a\", \"mode\": \"avgt\", \"primaryMetric\": "
			   "{\"score\": 1, \"scoreUnit\": \"ns/op\"}},\n"
			   " {\"benchmark\": \"a\", \"mode\": \"avgt\", \"primaryMetric\": "
			   "{\"score\": 2, \"scoreUnit\": \"ns/op\"}}]",
			   PERFDB_FORMAT_JMH, "j.json", PERFDB_EINPUT, 2, 54, "[1].primaryMetric",
			   "appears twice");
	expect_input_error("{\"benchmark\": 1}", PERFDB_FORMAT_JMH, "j.json", PERFDB_EINPUT, 1, 1,
			   NULL, "expected an array of JMH results");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_jmh__modes_params_secondaries),
	    cmocka_unit_test(test_ingest_jmh__detection),
	    cmocka_unit_test(test_ingest_jmh__bad_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
