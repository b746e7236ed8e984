/*
 * A result the resultset refuses (a name longer than PERFDB_NAME_MAX, a
 * context key it does not take) is an input error at its place in every
 * reader: "FILE:LINE:COL: benchmark name longer than 65536 bytes (N)", one
 * line, never just the file. Each case writes a file with a name of 65,537
 * bytes (or another refused value) and reads it by perfdb_ingest_file.
 */
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

#include "perfdb.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"

#define CRITERION_NEW PERFDB_TEST_DATA "/criterion/target-criterion/flat/spin/new"
#define LONG_NAME     ((size_t)PERFDB_NAME_MAX + 1)

typedef struct placed_case {
	const char *file; /* its name in the temporary folder */
	perfdb_format format;
	const char *text; /* '@' stands for a name of LONG_NAME bytes */
	const char *what; /* the message after the place; %zu: the refused length */
	size_t extra;	  /* bytes the reader adds to the name ("-4", "title / ") */
	int line, column;
} placed_case;

#define NAME_TOO_LONG "benchmark name longer than 65536 bytes (%zu)"

static const placed_case cases[] = {
    {"go.txt", PERFDB_FORMAT_GO, "BenchmarkA-4 10 5 ns/op\nBenchmarkX@-4 10 5 ns/op\n",
     NAME_TOO_LONG, 12, 2, 1},
    {"go.json", PERFDB_FORMAT_GO_JSON,
     "{\"Action\":\"start\",\"Package\":\"p\"}\n"
     "{\"Action\":\"output\",\"Package\":\"p\",\"Output\":\"BenchmarkX@-4 \\t 10\\t 5 "
     "ns/op\\n\"}\n",
     NAME_TOO_LONG, 14, 2, 34}, /* "p." and "-4" added; the event's output */
    {"gbench.json", PERFDB_FORMAT_GBENCH,
     "{\n"
     "  \"benchmarks\": [\n"
     "    {\"name\": \"a\", \"run_type\": \"iteration\", \"iterations\": 1, \"real_time\": 1,\n"
     "     \"cpu_time\": 1, \"time_unit\": \"ns\"},\n"
     "    {\"run_type\": \"iteration\", \"iterations\": 1, \"real_time\": 1, \"cpu_time\": 1,\n"
     "     \"time_unit\": \"ns\", \"name\": \"@\"}\n"
     "  ]\n"
     "}\n",
     NAME_TOO_LONG, 0, 6, 33},
    {"gbench-counter.json", PERFDB_FORMAT_GBENCH,
     "{\"benchmarks\": [\n"
     " {\"name\": \"a\", \"run_type\": \"iteration\", \"iterations\": 1, \"real_time\": 1,\n"
     "  \"cpu_time\": 1, \"time_unit\": \"ns\", \"@\": 3}\n"
     "]}\n",
     "metric longer than 65536 bytes (%zu)", 0, 2, 11},
    {"gbench-context.json", PERFDB_FORMAT_GBENCH,
     "{\"context\": {\"host_name\": \"h\",\n"
     "  \"\": \"v\"},\n"
     " \"benchmarks\": []}\n",
     "empty key", 0, 2, 3},
    {"hyperfine.json", PERFDB_FORMAT_HYPERFINE,
     "{\"results\": [\n"
     "  {\"mean\": 1, \"stddev\": 0, \"median\": 1, \"user\": 0.5, \"system\": 0.1,\n"
     "   \"min\": 1, \"max\": 1, \"times\": [1], \"command\": \"@\"}\n"
     "]}\n",
     NAME_TOO_LONG, 0, 3, 49},
    {"pytest.json", PERFDB_FORMAT_PYTEST_BENCHMARK,
     "{\"benchmarks\": [\n"
     "  {\"group\": null, \"name\": \"x\",\n"
     "   \"fullname\": \"@\",\n"
     "   \"stats\": {\"mean\": 1, \"min\": 1, \"max\": 1, \"rounds\": 1}}\n"
     "]}\n",
     NAME_TOO_LONG, 0, 3, 16},
    {"bmf.json", PERFDB_FORMAT_BMF, "{\n  \"@\": {\n    \"latency\": {\"value\": 1}\n  }\n}\n",
     NAME_TOO_LONG, 0, 3, 16},
    {"libtest.txt", PERFDB_FORMAT_LIBTEST,
     "running 2 tests\n"
     "test a ... bench:         100 ns/iter (+/- 5)\n"
     "test @ ... bench:         100 ns/iter (+/- 5)\n",
     NAME_TOO_LONG, 0, 3, 6},
    {"libtest.json", PERFDB_FORMAT_LIBTEST_JSON,
     "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 1 }\n"
     "{ \"type\": \"bench\", \"name\": \"@\", \"median\": 100, \"deviation\": 5 }\n",
     NAME_TOO_LONG, 0, 2, 28},
    {"results.csv", PERFDB_FORMAT_CSV, "benchmark,value,unit\na,1,ns\n@,1,ns\n", NAME_TOO_LONG, 0,
     3, 1},
    {"unit.csv", PERFDB_FORMAT_CSV, "benchmark,value,unit\na,1,@\n",
     "unit longer than 65536 bytes (%zu)", 0, 2, 1},
    {"jmh.json", PERFDB_FORMAT_JMH,
     "[\n"
     "  {\"benchmark\": \"@\", \"mode\": \"avgt\",\n"
     "   \"primaryMetric\": {\"score\": 1, \"scoreUnit\": \"ns/op\"}}\n"
     "]\n",
     NAME_TOO_LONG, 0, 3, 21}, /* the result's metric */
    {"bdn.json", PERFDB_FORMAT_BENCHMARKDOTNET,
     "{\"Benchmarks\": [\n"
     "  {\"FullName\": \"@\",\n"
     "   \"Statistics\": {\"Mean\": 1}}\n"
     "]}\n",
     NAME_TOO_LONG, 0, 2, 16},
    {"nanobench.json", PERFDB_FORMAT_NANOBENCH,
     "{\"results\": [\n"
     "  {\"title\": \"t\",\n"
     "   \"name\": \"@\", \"unit\": \"op\", \"batch\": 1, \"median(elapsed)\": 1e-08,\n"
     "   \"measurements\": []}\n"
     "]}\n",
     NAME_TOO_LONG, 4, 3, 12},
    {"nanobench.txt", PERFDB_FORMAT_NANOBENCH_CONSOLE,
     "|               ns/op |                op/s |    err% |     total | benchmark\n"
     "|--------------------:|--------------------:|--------:|----------:|:----------\n"
     "|               10.00 |      100,000,000.00 |    0.1% |      0.01 | `@`\n",
     NAME_TOO_LONG, 12, 3, 69},
    {"nanobench.csv", PERFDB_FORMAT_NANOBENCH_CSV,
     "\"title\";\"name\";\"unit\";\"batch\";\"elapsed\";\"error %\";\"instructions\";"
     "\"branches\";\"branch misses\";\"total\"\n"
     "\"t\";\"@\";\"op\";1;2.5e-08;0.02;0;0;0;0.0002\n",
     NAME_TOO_LONG, 4, 2, 1},
    {"catch2.xml", PERFDB_FORMAT_CATCH2,
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     "<Catch name=\"c\">\n"
     "  <Group name=\"c\">\n"
     "    <TestCase name=\"T\">\n"
     "      <BenchmarkResults name=\"@\" samples=\"10\" iterations=\"1\">\n"
     "        <mean value=\"641.089\" lowerBound=\"639\" upperBound=\"647\" ci=\"0.95\"/>\n"
     "      </BenchmarkResults>\n"
     "      <OverallResult success=\"true\"/>\n"
     "    </TestCase>\n"
     "  </Group>\n"
     "</Catch>\n",
     NAME_TOO_LONG, 4, 5, 7},
    {"catch2.txt", PERFDB_FORMAT_CATCH2,
     "-------------------------------------------------------------------------------\n"
     "Fibonacci\n"
     "-------------------------------------------------------------------------------\n"
     "console_bench.cpp:14\n"
     "...............................................................................\n"
     "\n"
     "benchmark name                       samples       iterations    estimated\n"
     "                                     mean          low mean      high mean\n"
     "                                     std dev       low std dev   high std dev\n"
     "-------------------------------------------------------------------------------\n"
     "@                                          10            41      1.066 ms \n"
     "                                        639.632 ns    638.317 ns    644.473 ns \n"
     "                                          3.684 ns    0.12711 ns     6.0727 ns \n"
     "                                                                               \n",
     NAME_TOO_LONG, 12, 11, 1}, /* "Fibonacci / " added */
    /* a time out of range once converted to ns: at the benchmark's name */
    {"libtest-range.txt", PERFDB_FORMAT_LIBTEST,
     "running 2 tests\n"
     "test a ... bench:         100 ns/iter (+/- 5)\n"
     "test big ... bench: 1e305 s/iter (+/- 5)\n",
     "benchmark 'big': time out of range", 0, 3, 6},
    {"criterion.txt", PERFDB_FORMAT_CRITERION_CONSOLE,
     "Benchmarking a\n"
     "@\n"
     "                        time:   [1.0000 ns 1.1000 ns 1.2000 ns]\n",
     NAME_TOO_LONG, 0, 2, 1},
    /* the load tools' names are their own; a number can still be refused */
    {"ab.tsv", PERFDB_FORMAT_AB,
     "starttime\tseconds\tctime\tdtime\tttime\twait\n"
     "Sun Dec 06 01:41:18 2026\t1796521278\t0\t1\t1\t1\n"
     "\n"
     "Sun Dec 06 01:41:18 2026\t1796521278\t0\t1\t1e305\t1\n",
     "benchmark 'ab': sample 1 is not a finite number", 0, 4, 1},
    {"hey.csv", PERFDB_FORMAT_HEY,
     "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,"
     "offset\n"
     "0.1,0.0012,0.0000,0.0000,0.0012,0.0001,200,0.0003\n"
     "1e305,0.0012,0.0000,0.0000,0.0012,0.0001,200,0.0003\n",
     "benchmark 'hey': sample 1 is not a finite number", 0, 3, 1},
    {"locust_stats_history.csv", PERFDB_FORMAT_LOCUST,
     "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
     "99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,"
     "Total Average Response Time,Total Min Response Time,Total Max Response Time,"
     "Total Average Content Size\n"
     "1796521891,1,GET,/a,1.0,0.0,5,6,6,7,8,9,9,9,9,9,9,10,0,5,5.5,1,9,100\n"
     "1796521892,1,GET,/a,1.0,0.0,1e305,6,6,7,8,9,9,9,9,9,9,10,0,5,5.5,1,9,100\n",
     "benchmark 'GET /a': value is not a finite number once converted to ns", 0, 2,
     1}, /* the series' first row */
};

static char dir[1024];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/placed_XXXXXX", PERFDB_BUILD_DIR);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

/* c->text with each '@' replaced by LONG_NAME bytes of 'n', into path. */
static void write_case(const char *path, const placed_case *c)
{
	FILE *f = fopen(path, "wb");
	const char *p;
	char *name = malloc(LONG_NAME);
	assert_non_null(f);
	assert_non_null(name);
	memset(name, 'n', LONG_NAME);
	for (p = c->text; *p; p++)
		if (*p == '@')
			assert_int_equal(fwrite(name, 1, LONG_NAME, f), LONG_NAME);
		else
			assert_int_equal(fputc(*p, f), (unsigned char)*p);
	assert_int_equal(fclose(f), 0);
	free(name);
}

static void test_ingest_placed__every_reader(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const placed_case *c = &cases[i];
		char path[1500], want[2400], what[400], *data;
		perfdb_resultset *rs;
		const perfdb_error *e;
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, c->file);
		write_case(path, c);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest_file(rs, path, c->format), PERFDB_EINPUT);
		e = perfdb_error_last();
		snprintf(what, sizeof(what), c->what, LONG_NAME + c->extra);
		snprintf(want, sizeof(want), "%s:%d:%d: %s", path, c->line, c->column, what);
		if (strcmp(e->message, want) != 0)
			print_error("case %s\n", c->file);
		assert_string_equal(e->message, want);
		assert_string_equal(e->file, path);
		assert_int_equal(e->line, c->line);
		assert_int_equal(e->column, c->column);
		assert_int_equal(perfdb_resultset_count(rs), 0);
		/* read whole from a buffer (not a window or an item at a time): the same */
		data = slurp_file(path, &len);
		assert_int_equal(perfdb_ingest_buffer(rs, data, len, path, c->format),
				 PERFDB_EINPUT);
		if (strcmp(perfdb_error_last()->message, want) != 0)
			print_error("case %s, a buffer\n", c->file);
		assert_string_equal(perfdb_error_last()->message, want);
		assert_int_equal(perfdb_resultset_count(rs), 0);
		free(data);
		perfdb_resultset_free(rs);
		assert_int_equal(unlink(path), 0);
	}
}

/* A criterion directory: at the full_id of the benchmark's benchmark.json. */
static void test_ingest_placed__criterion_directory(void **state)
{
	static const placed_case bench = {
	    "benchmark.json",
	    PERFDB_FORMAT_CRITERION,
	    "{\"group_id\":\"g\",\"function_id\":null,\"value_str\":null,\n"
	    " \"full_id\":\"@\",\"title\":\"g\"}\n",
	    NAME_TOO_LONG,
	    0,
	    2,
	    12};
	char crit[1100], path[1500], want[2400], what[400];
	perfdb_resultset *rs;
	(void)state;
	snprintf(path, sizeof(path), "%s/benchmark.json", dir);
	write_case(path, &bench);
	snprintf(crit, sizeof(crit), "%s/crit_XXXXXX", dir);
	criterion_dir(crit, path, CRITERION_NEW "/estimates.json",
		      "{\"sampling_mode\":\"Flat\",\"iters\":[1.0],\"times\":[5.0]}");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, crit, PERFDB_FORMAT_CRITERION), PERFDB_EINPUT);
	snprintf(path, sizeof(path), "%s/g/new/benchmark.json", crit);
	snprintf(what, sizeof(what), bench.what, LONG_NAME);
	snprintf(want, sizeof(want), "%s:%d:%d: %s", path, bench.line, bench.column, what);
	assert_string_equal(perfdb_error_last()->message, want);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	perfdb_resultset_free(rs);
	criterion_dir_remove(crit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_placed__every_reader),
	    cmocka_unit_test(test_ingest_placed__criterion_directory),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
