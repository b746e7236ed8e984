/*
 * Generated inputs of each harness format, in the shape its tool writes:
 * the parse speed of `perfdb-bench ingest` and the memory of `perfdb-bench
 * untrusted` read the same files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int bench_gen_put(bench_gen_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return 0;
		}
		{
			size_t cap = (b->cap + (size_t)n + 1) * 2;
			char *q = realloc(b->p, cap);
			if (!q)
				return -1;
			b->p = q;
			b->cap = cap;
		}
	}
}

static int gen_go(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "goos: linux\ngoarch: amd64\npkg: example.com/gen\ncpu: gen\n");
	if (i == -2)
		return bench_gen_put(b, "PASS\nok  \texample.com/gen\t1.000s\n");
	return bench_gen_put(
	    b,
	    "BenchmarkCase/n=%ld-2         \t  %7ld\t     %ld.%ld ns/op\t  %ld B/op\t"
	    "       2 allocs/op\n",
	    i, 1000 + i % 977, 100 + i % 991, i % 10, 64 + i % 8);
}

static int gen_go_json(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(
	    b,
	    "{\"Time\":\"2026-12-06T00:00:00.000000001Z\",\"Action\":\"output\","
	    "\"Package\":\"example.com/gen\",\"Output\":\"BenchmarkCase/n=%ld-2 \\t\"}\n"
	    "{\"Time\":\"2026-12-06T00:00:00.000000002Z\",\"Action\":\"output\","
	    "\"Package\":\"example.com/gen\",\"Output\":\"  %ld\\t  %ld.%ld ns/op\\t"
	    "  64 B/op\\t  2 allocs/op\\n\"}\n",
	    i, 1000 + i % 977, 100 + i % 991, i % 10);
}

static int gen_catch2(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Catch name=\"gen\">\n"
		       "  <Group name=\"gen\">\n");
	if (i == -2)
		return bench_gen_put(b, "  </Group>\n</Catch>\n");
	return bench_gen_put(
	    b,
	    "    <TestCase name=\"case %ld\" tags=\"[bench]\" filename=\"gen.cpp\" line=\"1\">\n"
	    "      <BenchmarkResults name=\"bench &amp; %ld\" samples=\"100\" resamples=\"100000\" "
	    "iterations=\"3\" clockResolution=\"18.8\" estimatedDuration=\"374540\">\n"
	    "        <!--All values in nano seconds-->\n"
	    "        <mean value=\"%ld.5\" lowerBound=\"59.5\" upperBound=\"80.1\" ci=\"0.95\"/>\n"
	    "        <standardDeviation value=\"17.6\" lowerBound=\"0.9\" upperBound=\"35.1\" "
	    "ci=\"0.95\"/>\n"
	    "        <outliers variance=\"0.89\" lowMild=\"0\" lowSevere=\"0\" highMild=\"0\" "
	    "highSevere=\"1\"/>\n"
	    "      </BenchmarkResults>\n      <OverallResult success=\"true\"/>\n    </TestCase>\n",
	    i, i, 60 + i % 100);
}

static int gen_pytest(bench_gen_buf *b, long i)
{
	long k;
	if (i == -1)
		return bench_gen_put(b, "{\"machine_info\": {\"python_version\": \"3.11.2\"}, "
					"\"commit_info\": {\"id\": \"x\"}, \"benchmarks\": [\n");
	if (i == -2)
		return bench_gen_put(b, "{\"fullname\": \"t.py::end\", \"stats\": null}],"
					" \"version\": \"3.2.2\"}\n");
	if (bench_gen_put(
		b,
		"{\"group\": null, \"name\": \"test_%ld\", \"fullname\": \"t.py::test_%ld\", "
		"\"params\": null, \"stats\": {\"min\": 1e-06, \"max\": 3e-06, "
		"\"mean\": 2.%ld5e-06, \"stddev\": 1e-07, \"rounds\": 20, \"median\": 2e-06, "
		"\"ops\": 500000.0, \"data\": [",
		i, i, i % 10))
		return -1;
	for (k = 0; k < 20; k++)
		if (bench_gen_put(b, "%s2.%02ld1e-06", k ? ", " : "", (i + k) % 100))
			return -1;
	return bench_gen_put(b, "], \"iterations\": 1}},\n");
}

static int gen_libtest(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "\nrunning many tests\n");
	if (i == -2)
		return bench_gen_put(b, "\ntest result: ok. 0 passed; 0 failed; 0 ignored\n");
	return bench_gen_put(
	    b, "test bench::case_%ld ... bench:       %ld,%03ld.%02ld ns/iter (+/- %ld)\n", i,
	    1 + i % 97, i % 1000, i % 100, 10 + i % 50);
}

static int gen_libtest_json(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 1 }\n");
	if (i == -2)
		return 0;
	return bench_gen_put(
	    b,
	    "{ \"type\": \"test\", \"event\": \"started\", \"name\": \"case_%ld\" }\n"
	    "{ \"type\": \"bench\", \"name\": \"case_%ld\", \"median\": %ld.%ld, "
	    "\"deviation\": 2.5 }\n",
	    i, i, 100 + i % 991, i % 10);
}

static int gen_bmf(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "{\n");
	if (i == -2)
		return bench_gen_put(b, "  \"end\": {\"latency\": {\"value\": 1.0}}\n}\n");
	return bench_gen_put(b,
			     "  \"bench::case_%ld\": {\n    \"latency\": {\"value\": %ld.0, "
			     "\"lower_value\": 1.0, \"upper_value\": 99999.0}\n  },\n",
			     i, 100 + i % 991);
}

static int gen_jmh(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(b, "[\n");
	if (i == -2)
		return bench_gen_put(
		    b, "    {\"jmhVersion\" : \"1.37\", \"benchmark\" : \"x.End.end\", \"mode\" : "
		       "\"avgt\", \"primaryMetric\" : {\"score\" : 1.0, \"scoreUnit\" : "
		       "\"ns/op\"}}\n]\n");
	return bench_gen_put(
	    b,
	    "    {\n        \"jmhVersion\" : \"1.37\",\n        \"benchmark\" : "
	    "\"x.Gen.case%ld\",\n"
	    "        \"mode\" : \"thrpt\",\n        \"threads\" : 1,\n        \"forks\" : 1,\n"
	    "        \"params\" : {\"size\" : \"%ld\"},\n        \"primaryMetric\" : {\n"
	    "            \"score\" : %ld.5,\n            \"scoreError\" : 12.5,\n"
	    "            \"scorePercentiles\" : {\"0.0\" : 1.0, \"50.0\" : 2.0, \"100.0\" : 3.0},\n"
	    "            \"scoreUnit\" : \"ops/ms\",\n"
	    "            \"rawData\" : [[1.0, 2.0, 3.0], [2.0, 2.5, 3.0]]\n        },\n"
	    "        \"secondaryMetrics\" : {}\n    },\n",
	    i % 1000, i / 1000, 1000 + i % 977);
}

static int gen_bdn(bench_gen_buf *b, long i)
{
	long k;
	if (i == -1)
		return bench_gen_put(
		    b, "{\"Title\": \"Gen\", \"HostEnvironmentInfo\": {}, \"Benchmarks\": [\n");
	if (i == -2)
		return bench_gen_put(b, "{\"FullName\": \"Gen.End\", \"Statistics\": null}]}\n");
	if (bench_gen_put(
		b,
		"{\"DisplayInfo\": \"Gen.Case%ld: DefaultJob\", \"Namespace\": \"Gen\", "
		"\"Type\": \"Bench\", \"Method\": \"Case%ld\", \"MethodTitle\": \"Case%ld\", "
		"\"Parameters\": \"N=%ld\", \"FullName\": \"Gen.Bench.Case%ld\", "
		"\"Statistics\": {\"OriginalValues\": [",
		i, i, i, i % 7, i))
		return -1;
	for (k = 0; k < 15; k++)
		if (bench_gen_put(b, "%s%ld.%03ld", k ? ", " : "", 20 + (i + k) % 9,
				  (i * 7 + k) % 1000))
			return -1;
	return bench_gen_put(b,
			     "], \"N\": 15, \"Min\": 20.0, \"Median\": 24.0, \"Mean\": 24.%ld, "
			     "\"Max\": 28.9, \"StandardDeviation\": 2.5}, \"Memory\": "
			     "{\"BytesAllocatedPerOperation\": %ld}},\n",
			     i % 10, 32 + i % 64);
}

static int gen_nanobench(bench_gen_buf *b, long i)
{
	long k;
	if (i == -1)
		return bench_gen_put(b, "{\n    \"results\": [\n");
	if (i == -2)
		return bench_gen_put(
		    b, "        {\"title\": \"end\", \"name\": \"end\", \"batch\": 1, "
		       "\"clockResolution\": 1e-08, \"median(elapsed)\": 1e-08}\n    ]\n}\n");
	if (bench_gen_put(
		b,
		"        {\"title\": \"gen\", \"name\": \"case %ld\", \"unit\": \"op\", "
		"\"batch\": 1, \"complexityN\": -1, \"epochs\": 11, \"clockResolution\": 1.5e-08, "
		"\"median(elapsed)\": %ld.5e-09, \"median(instructions)\": 0, "
		"\"median(cpucycles)\": 0, \"median(branchmisses)\": 0, \"measurements\": [\n",
		i, 1 + i % 9))
		return -1;
	for (k = 0; k < 11; k++)
		if (bench_gen_put(
			b,
			"            {\"iterations\": 221115, \"elapsed\": %ld.%02ld5e-09, "
			"\"pagefaults\": 0, \"cpucycles\": 0, \"instructions\": 0}%s\n",
			1 + i % 9, k, k < 10 ? "," : ""))
			return -1;
	return bench_gen_put(b, "        ]},\n");
}

static int gen_gbench(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "{\n  \"context\": {\"date\": \"2026-11-25T09:00:00+00:00\", "
		       "\"host_name\": \"bench\", \"executable\": \"./gen\", \"num_cpus\": 2, "
		       "\"library_build_type\": \"release\"},\n  \"benchmarks\": [\n");
	if (i == -2)
		return bench_gen_put(
		    b, "    {\"name\": \"BM_End\", \"run_name\": \"BM_End\", \"run_type\": "
		       "\"iteration\", \"iterations\": 1, \"real_time\": 1.0, "
		       "\"cpu_time\": 1.0, \"time_unit\": \"ns\"}\n  ]\n}\n");
	return bench_gen_put(
	    b,
	    "    {\n      \"name\": \"BM_Case/%ld\",\n      \"family_index\": %ld,\n"
	    "      \"per_family_instance_index\": 0,\n      \"run_name\": \"BM_Case/%ld\",\n"
	    "      \"run_type\": \"iteration\",\n      \"repetitions\": 1,\n"
	    "      \"repetition_index\": 0,\n      \"threads\": 1,\n"
	    "      \"iterations\": 100000,\n      \"real_time\": %ld.%03ld,\n"
	    "      \"cpu_time\": %ld.%03ld,\n      \"time_unit\": \"ns\"\n    },\n",
	    i, i, i, 1000 + i % 977, i % 1000, 980 + i % 977, i % 997);
}

static int gen_catch2_console(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b,
		    "\n~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
		    "~~~~~\ngen is a Catch v2.13.10 host application.\nRun with -? for options\n\n"
		    "------------------------------------------------------------------------------"
		    "-\n"
		    "Generated\n"
		    "------------------------------------------------------------------------------"
		    "-\n"
		    "gen.cpp:1\n"
		    ".............................................................................."
		    ".\n\n"
		    "benchmark name                       samples       iterations    estimated\n"
		    "                                     mean          low mean      high mean\n"
		    "                                     std dev       low std dev   high std "
		    "dev\n"
		    "------------------------------------------------------------------------------"
		    "-\n");
	if (i == -2)
		return bench_gen_put(
		    b, "\n===================================================================="
		       "===========\ntest cases: 1 | 1 passed\nassertions: - none -\n\n");
	return bench_gen_put(
	    b,
	    "case %-32ld         100            %2ld    %ld.%03ld ms \n"
	    "                                        %ld.%03ld ns    %ld.%03ld ns    "
	    "%ld.%03ld ns \n"
	    "                                          %ld.%03ld ns    0.12711 ns     "
	    "6.0727 ns \n"
	    "                                                                        "
	    "       \n",
	    i, 1 + i % 50, 1 + i % 9, i % 1000, 600 + i % 97, i % 1000, 590 + i % 97, i % 997,
	    610 + i % 97, i % 991, 3 + i % 5, i % 1000);
}

static int gen_criterion_console(bench_gen_buf *b, long i)
{
	if (i < 0)
		return 0;
	return bench_gen_put(
	    b,
	    "Benchmarking case %ld\n"
	    "Benchmarking case %ld: Warming up for 3.0000 s\n"
	    "Benchmarking case %ld: Collecting 100 samples in estimated 5.0563 s "
	    "(252k iterations)\n"
	    "Benchmarking case %ld: Analyzing\n"
	    "case %-18ld  time:   [%ld.%03ld \xc2\xb5s %ld.%03ld \xc2\xb5s %ld.%03ld \xc2\xb5s]\n"
	    "Found 3 outliers among 100 measurements (3.00%%)\n  3 (3.00%%) high mild\n\n",
	    i, i, i, i, i, 19 + i % 9, i % 1000, 20 + i % 9, i % 1000, 21 + i % 9, i % 1000);
}

static int gen_nanobench_console(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "\n| relative |               ns/op |                op/s |    err%% |"
		       "     total | gen\n"
		       "|---------:|--------------------:|--------------------:|--------:|"
		       "----------:|:----\n");
	if (i == -2)
		return bench_gen_put(b, "\n");
	return bench_gen_put(
	    b,
	    "|   %3ld.%ld%% |               %2ld.%02ld |       %2ld,%03ld,%03ld.%02ld |"
	    "    %ld.%ld%% |      0.01 | `case %ld`\n",
	    50 + i % 50, i % 10, 20 + i % 70, i % 100, 10 + i % 40, i % 1000, (i * 7) % 1000,
	    i % 100, i % 5, i % 10, i);
}

static int gen_nanobench_csv(bench_gen_buf *b, long i)
{
	if (i == -1)
		return bench_gen_put(
		    b, "\"title\";\"name\";\"unit\";\"batch\";\"elapsed\";\"error %%\";"
		       "\"instructions\";\"branches\";\"branch misses\";\"total\"\n");
	if (i == -2)
		return 0;
	return bench_gen_put(
	    b,
	    "\"gen\";\"case %ld\";\"op\";1;%ld.%03ld5e-08;0.0236579384033733;125.5;16.75;"
	    "0.5;0.000218811\n",
	    i, 1 + i % 9, i % 1000);
}

const bench_format_gen bench_format_gens[BENCH_FORMAT_GENS] = {
    {"gbench", gen_gbench, PERFDB_FORMAT_GBENCH, 2, 2}, /* the reference: first */
    {"go", gen_go, PERFDB_FORMAT_GO, 3, 0},
    {"go-json", gen_go_json, PERFDB_FORMAT_GO_JSON, 3, 0},
    {"catch2", gen_catch2, PERFDB_FORMAT_CATCH2, 1, 0},
    {"catch2-console", gen_catch2_console, PERFDB_FORMAT_CATCH2, 1, 0},
    {"criterion-console", gen_criterion_console, PERFDB_FORMAT_CRITERION_CONSOLE, 1, 0},
    {"pytest-benchmark", gen_pytest, PERFDB_FORMAT_PYTEST_BENCHMARK, 2, 0},
    {"libtest", gen_libtest, PERFDB_FORMAT_LIBTEST, 1, 0},
    {"libtest-json", gen_libtest_json, PERFDB_FORMAT_LIBTEST_JSON, 1, 0},
    {"bmf", gen_bmf, PERFDB_FORMAT_BMF, 1, 1},
    {"jmh", gen_jmh, PERFDB_FORMAT_JMH, 1, 1},
    {"benchmarkdotnet", gen_bdn, PERFDB_FORMAT_BENCHMARKDOTNET, 2, 0},
    {"nanobench", gen_nanobench, PERFDB_FORMAT_NANOBENCH, 1, 1},
    {"nanobench-console", gen_nanobench_console, PERFDB_FORMAT_NANOBENCH_CONSOLE, 1, 0},
    {"nanobench-csv", gen_nanobench_csv, PERFDB_FORMAT_NANOBENCH_CSV, 4, 0},
};
