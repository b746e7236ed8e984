/*
 * The nanobench reader on hand-made documents in the layout of nanobench
 * 4.x's templates::json() (nanobench is a header-only library not in Debian;
 * real outputs of the corpus are covered by the acceptance suite).
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

static const char doc[] = "{\n"
			  "    \"results\": [\n"
			  "        {\n"
			  "            \"title\": \"set insert\",\n"
			  "            \"name\": \"n=10\",\n"
			  "            \"unit\": \"insert\",\n"
			  "            \"batch\": 10,\n"
			  "            \"clockResolution\": 1.5e-08,\n"
			  "            \"median(elapsed)\": 3e-07,\n"
			  "            \"median(instructions)\": 0,\n"
			  "            \"median(cpucycles)\": 0,\n"
			  "            \"median(branchmisses)\": 0,\n"
			  "            \"measurements\": [\n"
			  "                {\"iterations\": 100, \"elapsed\": 2e-07},\n"
			  "                {\"iterations\": 100, \"elapsed\": 3e-07},\n"
			  "                {\"iterations\": 100, \"elapsed\": 4e-07}\n"
			  "            ]\n"
			  "        },\n"
			  "        {\n"
			  "            \"title\": \"rng\",\n"
			  "            \"name\": \"mt\",\n"
			  "            \"unit\": \"op\",\n"
			  "            \"batch\": 1,\n"
			  "            \"median(elapsed)\": 2.5e-08,\n"
			  "            \"median(instructions)\": 126.5,\n"
			  "            \"median(cpucycles)\": 81.25,\n"
			  "            \"median(branchmisses)\": 0.5,\n"
			  "            \"measurements\": []\n"
			  "        }\n"
			  "    ]\n"
			  "}\n";

static void test_ingest_nanobench__results(void **state)
{
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	/* per unit: median(elapsed) / batch, like nanobench's ns/insert column */
	r = find_result(rs, "set insert / n=10", "time");
	assert_string_equal(r->unit, "ns");
	assert_near(r->value, 30, 1e-9);
	assert_near(r->median, 30, 1e-9);
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[0], 20, 1e-9);
	assert_near(r->samples[2], 40, 1e-9);
	/* every counter 0: perf_event_open failed, nothing measured */
	assert_null(lookup_result(rs, "set insert / n=10", "instructions"));
	assert_near(find_result(rs, "rng / mt", "time")->value, 25, 1e-9);
	assert_near(find_result(rs, "rng / mt", "instructions")->value, 126.5, 0);
	assert_near(find_result(rs, "rng / mt", "cpucycles")->value, 81.25, 0);
	assert_near(find_result(rs, "rng / mt", "branchmisses")->value, 0.5, 0);
	assert_int_equal(perfdb_resultset_count(rs), 5);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "nanobench");
	perfdb_resultset_free(rs);
}

static void test_ingest_nanobench__detection_and_errors(void **state)
{
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(doc, strlen(doc)), PERFDB_FORMAT_NANOBENCH);
	assert_int_equal(perfdb_format_parse(&f, "nanobench"), 0);
	assert_int_equal(f, PERFDB_FORMAT_NANOBENCH);
	expect_input_error("{\"results\": [{\"title\": \"t\", \"name\": \"n\", \"batch\": 0, "
			   "\"median(elapsed)\": 1}]}",
			   PERFDB_FORMAT_NANOBENCH, "n.json", PERFDB_EINPUT, 1, 51,
			   "results[0].batch", "batch size");
	expect_input_error(
	    "{\"results\": [{\"title\": \"t\", \"name\": \"n\", \"batch\": 1, "
	    "\"median(elapsed)\": 1},\n {\"title\": \"t\", \"name\": \"n\", \"batch\": 1, "
	    "\"median(elapsed)\": 1}]}",
	    PERFDB_FORMAT_NANOBENCH, "n.json", PERFDB_EINPUT, 2, 2, "results[1]",
	    "'t / n' is also results[0]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_nanobench__results),
	    cmocka_unit_test(test_ingest_nanobench__detection_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
