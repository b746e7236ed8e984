/*
 * The Catch2 XML reader on real `-r xml` output of Catch2 2.13.10 (see
 * tests/data/README), on a v3-shaped document and on broken XML. Expected
 * numbers are found in the committed files by a plain text search here,
 * independently of the reader and its XML tokenizer.
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "perfdb/resultset.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "sink_collect.h"
#include "text_variants.h"
#include "catch2_same.h"
#include "sanitized.h"

#define DATA PERFDB_TEST_DATA "/catch2/"

/* attr="..." of the first <elem after the <BenchmarkResults name="bench"> line. */
static double expected(const char *text, const char *bench, const char *elem, const char *attr)
{
	char key[256];
	const char *p, *q;
	snprintf(key, sizeof(key), "<BenchmarkResults name=\"%s\"", bench);
	p = strstr(text, key);
	assert_non_null(p);
	if (strcmp(elem, "BenchmarkResults") != 0) {
		snprintf(key, sizeof(key), "<%s ", elem);
		p = strstr(p, key);
		assert_non_null(p);
	}
	snprintf(key, sizeof(key), " %s=\"", attr);
	q = strstr(p, key);
	assert_non_null(q);
	assert_true(q < strchr(p, '>'));
	return strtod(q + strlen(key), NULL);
}

static void check(const perfdb_resultset *rs, const char *text, const char *name, const char *bench,
		  bool analysis)
{
	const perfdb_result *r = find_result(rs, name, "time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, expected(text, bench, "mean", "value"), 0);
	assert_near(r->mean, r->value, 0);
	assert_int_equal(r->n, (int64_t)expected(text, bench, "BenchmarkResults", "samples"));
	if (analysis)
		assert_near(r->stddev, expected(text, bench, "standardDeviation", "value"), 0);
	else
		assert_true(isnan(r->stddev));
	assert_int_equal(r->nsamples, 0);
}

static void test_ingest_catch2__v2_with_analysis(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "catch2_xml.xml", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__catch2, DATA "catch2_xml.xml", PERFDB_OK);
	char where[256];
	int line, col;
	(void)state;
	check(rs, text, "Fibonacci / fib 12", "fib 12", true);
	check(rs, text, "Fibonacci / fib 16", "fib 16", true);
	check(rs, text, "Containers / vector / push_back 500", "push_back 500", true);
	/* the section name's entities decoded */
	check(rs, text, "Containers / a <b> & \"c\" 'd' / concat 50", "concat 50", true);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "catch2");

	/* a benchmark of a test case whose CHECK failed: warned at the benchmark */
	assert_null(lookup_result(rs, "Failing check / tiny", "time"));
	position_of(text, "<BenchmarkResults name=\"tiny\"", &line, &col);
	snprintf(where, sizeof(where), DATA "catch2_xml.xml:%d:%d: ", line, col);
	assert_true(has_warning(rs, where,
				"'Failing check / tiny': its test case failed (CHECK at "
				"fixture_bench.cpp:39)"));
	/* a benchmark that threw: warned at <failed>, message decoded */
	position_of(text, "<failed message", &line, &col);
	snprintf(where, sizeof(where), DATA "catch2_xml.xml:%d:%d: ", line, col);
	assert_true(has_warning(rs, where, "'Throws / throws' failed: boom & <bang>"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
	free(text);
}

static void test_ingest_catch2__v2_no_analysis_drops_zero_stddev(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "catch2_xml_no_analysis.xml", &len);
	perfdb_resultset *rs =
	    ingest_file_with(perfdb_ingest__catch2, DATA "catch2_xml_no_analysis.xml", PERFDB_OK);
	(void)state;
	/* Catch2 writes standardDeviation value="0" ci="0": not a measurement */
	assert_near(expected(text, "fib 12", "standardDeviation", "value"), 0, 0);
	check(rs, text, "Fibonacci / fib 12", "fib 12", false);
	check(rs, text, "Fibonacci / fib 16", "fib 16", false);
	check(rs, text, "Containers / vector / push_back 500", "push_back 500", false);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
	perfdb_resultset_free(rs);
	free(text);
}

/* Catch2 v3's layout (no <Group>, skips="", nested sections), hand-made. */
static void test_ingest_catch2__v3_layout_and_repeats(void **state)
{
	static const char doc[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Catch2TestRun name=\"t\" rng-seed=\"1\" xml-format-version=\"3\" "
	    "catch2-version=\"3.7.1\">\n"
	    "  <TestCase name=\"A\" tags=\"[x]\" filename=\"a.cpp\" line=\"1\">\n"
	    "    <Section name=\"s1\"><Section name=\"s&#x3b1;\">\n"
	    "      <BenchmarkResults name=\"b\" samples=\"5\">\n"
	    "        <!-- All values in nano seconds -->\n"
	    "        <mean value=\"10\" lowerBound=\"9\" upperBound=\"11\" ci=\"0.95\"/>\n"
	    "        <standardDeviation value=\"2\" lowerBound=\"1\" upperBound=\"3\" "
	    "ci=\"0.95\"/>\n"
	    "      </BenchmarkResults>\n"
	    "    </Section></Section>\n"
	    "    <Section name=\"s1\"><Section name=\"s&#945;\">\n"
	    "      <BenchmarkResults name=\"b\" samples=\"5\">\n"
	    "        <mean value=\"14\" lowerBound=\"9\" upperBound=\"11\" ci=\"0.95\"/>\n"
	    "      </BenchmarkResults>\n"
	    "    </Section></Section>\n"
	    "    <OverallResult success=\"true\" skips=\"0\"/>\n"
	    "  </TestCase>\n"
	    "  <TestCase name=\"S\" filename=\"a.cpp\" line=\"9\">\n"
	    "    <BenchmarkResults name=\"c\" samples=\"5\"><mean "
	    "value=\"1\"/></BenchmarkResults>\n"
	    "    <OverallResult success=\"true\" skips=\"1\"/>\n"
	    "  </TestCase>\n"
	    "</Catch2TestRun>\n";
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	const perfdb_result *r;
	(void)state;
	r = find_result(rs, "A / s1 / s\xce\xb1 / b", "time");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[0], 10, 0);
	assert_near(r->samples[1], 14, 0);
	assert_near(r->value, 12, 0);
	assert_null(lookup_result(rs, "S / c", "time"));
	assert_true(has_warning(rs, "ok:19:5: benchmark 'S / c': its test case was skipped", NULL));
	assert_string_equal(tag_value(rs, "catch2_version", true), "3.7.1");
	perfdb_resultset_free(rs);
}

static void test_ingest_catch2__detected(void **state)
{
	size_t len;
	char *text = slurp_file(DATA "catch2_xml.xml", &len);
	perfdb_format f;
	(void)state;
	assert_int_equal(perfdb_ingest_detect(text, len), PERFDB_FORMAT_CATCH2);
	free(text);
	assert_int_equal(perfdb_ingest_detect("<!-- c -->\n<Catch2TestRun>", 26),
			 PERFDB_FORMAT_CATCH2);
	assert_int_equal(perfdb_ingest_detect("<Catcher/>", 10), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_ingest_detect("<testsuites/>", 13), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_format_parse(&f, "catch2"), 0);
	assert_int_equal(f, PERFDB_FORMAT_CATCH2);
}

/* XML on one line: the columns of errors far along it are right (they were
 * counted from the line's start at every tag: 1.9 MB took 64 s), with
 * characters of two bytes before them; a tag may have 1,024 attributes, the
 * 1,025th is refused where it starts (each was checked against all the
 * others: 100,000 took 27 s). */
static void test_ingest_catch2__xml_one_long_line(void **state)
{
	rs_text t = {NULL, 0, 0};
	size_t i, col;
	(void)state;
	rs_text_add(&t, "<Catch2TestRun name=\"\xc3\xa9\"><TestCase name=\"t\">");
	for (i = 0; i < 20000; i++)
		rs_text_add(&t, "<Section name=\"\xc3\xa9%zu\"/>", i % 10);
	col = t.len - 20001 + 1; /* characters before, one for each two-byte one */
	rs_text_add(&t, "</Section></TestCase></Catch2TestRun>");
	expect_input_error(t.s, PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1, (int)col, NULL,
			   "</Section> closes <TestCase>");
	t.len = 0;
	rs_text_add(&t, "<Catch2TestRun name=\"x\"><TestCase name=\"t\"");
	for (i = 1; i < 1024; i++)
		rs_text_add(&t, " a%zu=\"1\"", i);
	rs_text_add(&t, "><Bad>");
	/* 1,024 attributes are read: the error is at the end (the tag after is
	 * not closed) */
	expect_input_error(t.s, PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1, (int)t.len + 1,
			   NULL, "<Bad> is not closed");
	t.len -= 6;
	col = t.len + 2;
	rs_text_add(&t, " b=\"1\"/></Catch2TestRun>");
	expect_input_error(t.s, PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1, (int)col, NULL,
			   "more than 1024 attributes in one tag");
	free(t.s);
}

static void test_ingest_catch2__bad_xml(void **state)
{
	(void)state;
	expect_input_error("<Catch>\n  <TestCase name=\"a\">\n  </Section>\n</Catch>\n",
			   PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 3, 3, NULL,
			   "</Section> closes <TestCase>");
	expect_input_error("<Catch>\n <TestCase name=\"a &nbsp;\"/></Catch>", PERFDB_FORMAT_CATCH2,
			   "c.xml", PERFDB_EINPUT, 2, 20, NULL, "unknown entity");
	expect_input_error("<Catch><TestCase name=\"a\" name=\"b\"/></Catch>", PERFDB_FORMAT_CATCH2,
			   "c.xml", PERFDB_EINPUT, 1, 27, NULL, "attribute 'name' repeated");
	expect_input_error("<Catch>\n<TestCase name=\"a\">\n", PERFDB_FORMAT_CATCH2, "c.xml",
			   PERFDB_EINPUT, 3, 1, NULL, "<TestCase> is not closed");
	expect_input_error("<!DOCTYPE x [<!ENTITY a \"b\">]><Catch/>", PERFDB_FORMAT_CATCH2,
			   "c.xml", PERFDB_EINPUT, 1, 1, NULL, "DTDs");
	expect_input_error("<Catch/><Catch/>", PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1, 9,
			   NULL, "a second root element");
	expect_input_error("<Catch x=\"&#0;\"/>", PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1,
			   11, NULL, "character reference");
	/* errors found after the cursor crossed a newline point back at their start */
	expect_input_error("<Catch>\n  <TestCase name=\"a\">\n  </Section\n\n>\n</Catch>\n",
			   PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 3, 3, NULL,
			   "</Section> closes <TestCase>");
	expect_input_error("<Catch>\n <!-- never\nclosed -\n", PERFDB_FORMAT_CATCH2, "c.xml",
			   PERFDB_EINPUT, 2, 2, NULL, "unterminated comment");
	expect_input_error("<testsuites/>", PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 1, 1,
			   NULL, "expected <Catch> or <Catch2TestRun>");
	/* valid XML, but not a result Catch2 writes */
	expect_input_error(
	    "<Catch><TestCase name=\"t\">\n<BenchmarkResults name=\"b\"></BenchmarkResults>"
	    "</TestCase></Catch>",
	    PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 2, 1, "mean",
	    "neither <mean> nor <failed>");
	expect_input_error("<Catch><TestCase name=\"t\"><BenchmarkResults name=\"b\">\n"
			   "  <mean value=\"12x\"/></BenchmarkResults></TestCase></Catch>",
			   PERFDB_FORMAT_CATCH2, "c.xml", PERFDB_EINPUT, 2, 9, "value",
			   "expected a number, found '12x'");
}

static void test_ingest_catch2__deep_nesting_is_bounded(void **state)
{
	size_t i, len = 7;
	char *doc = malloc(7 + 300 * 3 + 1);
	(void)state;
	assert_non_null(doc);
	memcpy(doc, "<Catch>", 7);
	for (i = 0; i < 300; i++, len += 3)
		memcpy(doc + len, "<a>", 3);
	doc[len] = '\0';
	/* <Catch> is depth 1: the 256th <a> would be depth 257 */
	expect_input_error(doc, PERFDB_FORMAT_CATCH2, "d.xml", PERFDB_EINPUT, 1, 7 + 3 * 255 + 1,
			   NULL, "nested too deep");
	free(doc);
}

/* One console result: value and mean, stddev (NAN: none), n; no samples. */
static void check_console(const perfdb_resultset *rs, const char *name, double mean, double stddev,
			  int64_t n)
{
	const perfdb_result *r = find_result(rs, name, "time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, mean, mean * 1e-12);
	assert_near(r->mean, mean, mean * 1e-12);
	if (isnan(stddev))
		assert_true(isnan(r->stddev));
	else
		assert_near(r->stddev, stddev, stddev * 1e-12);
	assert_int_equal(r->n, n);
	assert_int_equal(r->nsamples, 0);
}

/* Real console output of Catch2 2.13.10 (tests/data/README): the values as
 * printed, names put back together where Catch2 wrapped them (at a space,
 * after ':' and inside a word with '-'), nested sections. */
static void test_ingest_catch2__console_v2_with_analysis(void **state)
{
	const char *file = DATA "catch2_console.txt";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__catch2, file, PERFDB_OK);
	(void)state;
	check_console(rs, "Fibonacci / fib 12", 639.632, 3.684, 10);
	check_console(rs, "Fibonacci / fib 22", 81.3704e3, 4.94311e3, 10);
	check_console(rs,
		      "Containers / vector / reserved / push_back 500 into a vector that was "
		      "reserved before",
		      437.811, 15.7189, 10);
	check_console(rs,
		      "Containers / a <b> & \"c\" 'd' / concat/append/operator+=/std::string/50 "
		      "chars",
		      216.708, 8.1681, 10);
	check_console(rs,
		      "Containers / a <b> & \"c\" 'd' / "
		      "averyveryverylongbenchmarknamewithoutanyspacesinit",
		      217.42, 590.583, 10);
	check_console(rs, "Sleeps / sleep 2ms", 3.07271e6, 1.54463e6, 10);
	assert_int_equal(perfdb_resultset_count(rs), 6);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "catch2");
	assert_string_equal(tag_value(rs, "catch2_version", true), "2.13.10");
	/* the failed CHECK after the benchmark drops it, at its name row */
	assert_true(has_warning(rs,
				DATA "catch2_console.txt:90:1: benchmark 'Failing check / tiny'"
				     ": its test case failed (FAILED at console_bench.cpp:51)",
				NULL));
	assert_true(has_warning(rs,
				DATA "catch2_console.txt:110:38: benchmark 'Throws / throws' "
				     "failed: boom & <bang>",
				NULL));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

static void test_ingest_catch2__console_v2_no_analysis(void **state)
{
	const char *file = DATA "catch2_console_no_analysis.txt";
	perfdb_resultset *rs = ingest_file_with(perfdb_ingest__catch2, file, PERFDB_OK);
	(void)state;
	check_console(rs, "Fibonacci / fib 12", 640.31, NAN, 10);
	check_console(rs, "Fibonacci / fib 22", 79.0972e3, NAN, 10);
	check_console(rs,
		      "Containers / vector / reserved / push_back 500 into a vector that was "
		      "reserved before",
		      431.436, NAN, 10);
	check_console(rs,
		      "Containers / a <b> & \"c\" 'd' / "
		      "averyveryverylongbenchmarknamewithoutanyspacesinit",
		      27.7988, NAN, 10);
	check_console(rs, "Sleeps / sleep 2ms", 2.09814e6, NAN, 10);
	assert_int_equal(perfdb_resultset_count(rs), 6);
	assert_true(
	    has_warning(rs, DATA "catch2_console_no_analysis.txt:62:1: ", "'Failing check"));
	assert_true(has_warning(rs, DATA "catch2_console_no_analysis.txt:77:38: ", "boom"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
}

#define LONG                                                                                       \
	"Units / a section whose name is long enough that Catch2 has to wrap it over two "         \
	"terminal lines"

/* v3's layout ("est run time", "Randomness seeded to"), units us/µs/s/m, a
 * section name Catch2 wrapped, a repeated (GENERATE'd) name, nan, a skip
 * and a benchmark that threw after its estimate: hand-made after Catch2
 * v3.7.1's output, which Debian does not package. */
static void test_ingest_catch2__console_v3_layout(void **state)
{
	static const char rule[] = "-------------------------------------------------------------"
				   "------------------\n";
	static const char head[] =
	    "\nbenchmark name                       samples       iterations    est run time\n"
	    "                                     mean          low mean      high mean\n"
	    "                                     std dev       low std dev   high std dev\n";
	char doc[8192];
	perfdb_resultset *rs;
	snprintf(doc, sizeof(doc),
		 "Randomness seeded to: 3232328346\n\n"
		 "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
		 "bench is a Catch2 v3.7.1 host application.\nRun with -? for options\n\n"
		 "%sUnits\n  a section whose name is long enough that Catch2 has to wrap it over "
		 "two\n  terminal lines\n%sbench.cpp:11\n........\n%s%s"
		 "b                                               20           281     331.58 us \n"
		 "                                        59.7788 \xc2\xb5s    59.7319 us    "
		 "59.8546 us \n"
		 "                                       0.132608 s   0.0784572 s    0.22689 s \n"
		 "                                                                               \n"
		 "slow                                            20             1        2.5 m \n"
		 "                                            1.5 m          1 m          2 m \n"
		 "                                           nan ns        nan ns        nan ns \n"
		 "                                                                               \n"
		 "\n%sUnits\n  a section whose name is long enough that Catch2 has to wrap it over "
		 "two\n  terminal lines\n%sbench.cpp:20\n....\n%s%s"
		 "b                                               20           281     331.58 us \n"
		 "                                        40 ns    40 ns    40 ns \n"
		 "                                        2 ns     2 ns     2 ns \n"
		 "                                                                               \n"
		 "nan mean                                        20           281     331.58 us \n"
		 "                                       -nan ns       nan ns       nan ns \n"
		 "                                        2 ns     2 ns     2 ns \n"
		 "                                                                               \n"
		 "late throw                                      20             3    5.3 ms \n"
		 "Benchmark failed (after the estimate)\n"
		 "\n%sSkipper\n%sbench.cpp:30\n....\n%s%s"
		 "c                                               20           281     331.58 us \n"
		 "                                        40 ns    40 ns    40 ns \n"
		 "                                        2 ns     2 ns     2 ns \n"
		 "                                                                               \n"
		 "\nbench.cpp:31: SKIPPED:\n\n"
		 "===============================================================================\n"
		 "test cases: 2 | 1 passed | 1 skipped\n",
		 rule, rule, head, rule, rule, rule, head, rule, rule, rule, head, rule);
	rs = ingest_ok(doc, PERFDB_FORMAT_AUTO);
	(void)state;
	check_console(rs,
		      "Units / a section whose name is long enough that Catch2 has to wrap it "
		      "over two terminal lines / slow",
		      1.5 * 60e9, NAN, 20);
	{ /* the same path twice (GENERATE): the means become samples */
		const perfdb_result *r = find_result(rs, LONG " / b", "time");
		assert_int_equal(r->nsamples, 2);
		assert_near(r->samples[0], 59778.8, 1e-6);
		assert_near(r->samples[1], 40, 0);
		assert_near(r->value, (59778.8 + 40) / 2, 1e-6);
	}
	assert_null(lookup_result(rs, LONG " / nan mean", "time"));
	assert_null(lookup_result(rs, LONG " / late throw", "time"));
	assert_null(lookup_result(rs, "Skipper / c", "time"));
	assert_true(
	    has_warning(rs,
			"ok:25:44: benchmark 'Units / a section whose name is long "
			"enough that Catch2 has to wrap it over two terminal lines / slow': "
			"standard deviation is nan",
			NULL));
	assert_true(
	    has_warning(rs, "ok:45:40: benchmark '" LONG " / nan mean': mean is nan", NULL));
	assert_true(has_warning(rs,
				"ok:49:1: benchmark '" LONG " / late throw' failed: after the "
				"estimate",
				NULL));
	assert_true(has_warning(rs,
				"ok:61:1: benchmark 'Skipper / c': its test case was skipped "
				"(SKIPPED at bench.cpp:31)",
				NULL));
	assert_int_equal(perfdb_resultset_warning_count(rs), 4);
	assert_string_equal(tag_value(rs, "catch2_version", true), "3.7.1");
	perfdb_resultset_free(rs);
}

static void test_ingest_catch2__console_detected(void **state)
{
	static const char *const files[] = {"catch2_console.txt", "catch2_console_no_analysis.txt"};
	size_t i, len;
	(void)state;
	for (i = 0; i < 2; i++) {
		char path[512], *text;
		snprintf(path, sizeof(path), DATA "%s", files[i]);
		text = slurp_file(path, &len);
		assert_int_equal(perfdb_ingest_detect(text, len), PERFDB_FORMAT_CATCH2);
		free(text);
	}
	/* a title alone, or other harnesses' text, is not Catch2's table */
	assert_int_equal(perfdb_ingest_detect("benchmark name\nfoo 1 2 3 ns\n", 27),
			 PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_ingest_detect("BenchmarkX 10 5 ns/op\n", 22), PERFDB_FORMAT_GO);
	assert_int_equal(perfdb_ingest_detect("benchmark,value\nsamples iterations,1\n", 37),
			 PERFDB_FORMAT_CSV);
}

static void test_ingest_catch2__console_errors(void **state)
{
	static const char pre[] =
	    "----------------------------------------\nT\n----------------------------------------"
	    "\n"
	    "x.cpp:1\n.....\n\n"
	    "benchmark name                       samples       iterations    estimated\n"
	    "                                     mean          low mean      high mean\n"
	    "                                     std dev       low std dev   high std dev\n"
	    "----------------------------------------\n";
	static const struct {
		const char *rows; /* after the table header */
		int column;
		const char *part;
	} cases[] = {
	    /* a unit Catch2 does not write */
	    {"b                                  10    1    1 ms\n"
	     "                                  1 ns    1 ns    1 hours\n",
	     53, "expected a duration"},
	    /* a name on the mean row (Catch2 leaves that column empty) */
	    {"b                                  10    1    1 ms\n"
	     "more name                         1 ns    1 ns    1 ns\n",
	     1, "expected the mean row"},
	    /* cut short */
	    {"b                                  10    1    1 ms\n", 1,
	     "ends inside a benchmark table"},
	    {"a wrapped name\n\n", 1, "results of benchmark 'a wrapped name' are missing"},
	    {"b                                  10    1    1 ms\n"
	     "                                  1 ns    1 ns    1 ns   1 ns\n",
	     58, "more than three durations"},
	};
	char doc[2048];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(doc, sizeof(doc), "%s%s", pre, cases[i].rows);
		expect_input_error(doc, i % 2 ? PERFDB_FORMAT_CATCH2 : PERFDB_FORMAT_AUTO, "c.txt",
				   PERFDB_EINPUT, 12, cases[i].column, NULL, cases[i].part);
	}
	/* text that is neither XML nor the console reporter's, forced */
	expect_input_error("hello\nworld\n", PERFDB_FORMAT_CATCH2, "c.txt", PERFDB_EINPUT, 1, 1,
			   NULL, "not Catch2's output");
}

/* A console document (no analysis) of `cases` test cases of 10 benchmarks
 * each, "Case C / bK" with mean 100 + 10 C + K ns, each under a header of
 * its own; case 1 fails after its table; case 3 is called "Case 1" and the
 * last "Case 0" (their names appear again). */
static char *console_cases(int cases, size_t *len)
{
	static const char rule[] = "-------------------------------------------------------------"
				   "------------------\n";
	size_t cap = (size_t)cases * 2048, n = 0;
	char *s = malloc(cap);
	int c, k;
	assert_non_null(s);
	n += (size_t)snprintf(s + n, cap - n, "\ngen is a Catch v2.13.10 host application.\n\n");
	for (c = 0; c < cases; c++) {
		int named = c == 3 ? 1 : c == cases - 1 ? 0 : c;
		n += (size_t)snprintf(s + n, cap - n,
				      "%sCase %d\n%sbench.cpp:%d\n........\n\n"
				      "benchmark name                            samples    "
				      "iterations          mean\n%s",
				      rule, named, rule, c, rule);
		for (k = 0; k < 10; k++)
			n += (size_t)snprintf(s + n, cap - n, "b%-40d 10            69    %d ns \n",
					      k, 100 + 10 * c + k);
		n += (size_t)snprintf(s + n, cap - n, "%s\n",
				      c == 1 ? "\nbench.cpp:9: FAILED:\n  CHECK( 1 == 2 )\n" : "");
	}
	n += (size_t)snprintf(s + n, cap - n,
			      "================================================================"
			      "===============\ntest cases: 1 | 1 passed\n");
	*len = n;
	return s;
}

/* The results of console_cases or xml_cases (their sections `mid`): case 0's
 * names with the means of their first and last appearances, case 1's as case
 * 3 has them. */
static void repeated_cases(const perfdb_resultset *rs, const char *mid)
{
	size_t i;
	for (i = 0; i < 10; i++) {
		char name[32];
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		snprintf(name, sizeof(name), "Case 0 / %sb%zu", mid, i);
		assert_string_equal(r->benchmark, name);
		assert_int_equal(r->nsamples, 2);
		assert_near(r->samples[0], 100 + (double)i, 1e-9);
		assert_near(r->samples[1], 100 + 10 * 5999 + (double)i, 1e-9);
		/* case 1's names, first recorded where case 3 has them */
		r = perfdb_resultset_get(rs, 20 + i);
		snprintf(name, sizeof(name), "Case 1 / %sb%zu", mid, i);
		assert_string_equal(r->benchmark, name);
		assert_int_equal(r->nsamples, 0);
		assert_near(r->value, 130 + (double)i, 1e-9);
	}
}

/* A name is one result wherever it appears again (here 100,000 lines
 * later), its samples the means of each appearance in order, at the place
 * of its first appearance in a test case that passed; the benchmarks of a
 * failed one are warned about. The same whole and as made. */
static void test_ingest_catch2__console_repeats_anywhere(void **state)
{
	size_t len;
	char *doc = console_cases(6000, &len);
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, doc, len, "g", PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(perfdb_resultset_count(rs), (6000 - 2) * 10);
	repeated_cases(rs, "");
	assert_string_equal(perfdb_resultset_get(rs, 10)->benchmark, "Case 2 / b0");
	assert_string_equal(perfdb_resultset_get(rs, 59979)->benchmark, "Case 5998 / b9");
	assert_int_equal(perfdb_resultset_warning_count(rs), 10);
	assert_string_equal(perfdb_resultset_warning(rs, 0),
			    "g:31:1: benchmark 'Case 1 / b0': its test case failed (FAILED at "
			    "bench.cpp:9); not recorded");
	perfdb_resultset_free(rs);
	same_as_made_text(doc, len, PERFDB_FORMAT_AUTO);
	free(doc);
}

/* tests/data's console files, and each cut at every line and with every
 * line twice (a benchmark's rows twice, a header twice), read whole and as
 * made: the same. */
static void test_ingest_catch2__console_same_as_made(void **state)
{
	(void)state;
	/* how many of the variants are read without an error (as main's reader
	 * read them) */
	assert_int_equal(same_as_made_variants(DATA "catch2_console.txt", PERFDB_FORMAT_CATCH2),
			 81);
	assert_int_equal(
	    same_as_made_variants(DATA "catch2_console_no_analysis.txt", PERFDB_FORMAT_CATCH2), 69);
}

/* A console output's piece: a header block of test case `tcase` (sections
 * "\n"-separated in `sections`, "" for none) and a table without analysis
 * of the rows "NAME MEAN UNIT" ("\n"-separated; MEAN "!" for a benchmark
 * that threw), appended at *n. */
static void console_block(char *s, size_t cap, size_t *n, const char *tcase, const char *sections,
			  const char *rows)
{
	static const char rule[] =
	    "-------------------------------------------------------------------------------\n";
	const char *p;
	*n += (size_t)snprintf(s + *n, cap - *n, "%s%s\n", rule, tcase);
	for (p = sections; *p;) {
		const char *e = strchr(p, '\n');
		int k = e ? (int)(e - p) : (int)strlen(p);
		*n += (size_t)snprintf(s + *n, cap - *n, "  %.*s\n", k, p);
		p += k + (e != NULL);
	}
	*n +=
	    (size_t)snprintf(s + *n, cap - *n,
			     "%sbench.cpp:1\n....................................................."
			     "..........................\n\nbenchmark name                      "
			     "      samples    iterations          mean\n%s",
			     rule, rule);
	for (p = rows; *p;) {
		char name[64], mean[32], unit[8];
		const char *e = strchr(p, '\n');
		int k = e ? (int)(e - p) : (int)strlen(p);
		assert_int_equal(sscanf(p, "%63s %31s %7s", name, mean, unit), 3);
		if (strcmp(mean, "!") == 0)
			*n += (size_t)snprintf(s + *n, cap - *n, "%-37sBenchmark failed (%s)\n",
					       name, unit);
		else
			*n += (size_t)snprintf(s + *n, cap - *n, "%-36s%12d%14d%11s %s\n", name, 10,
					       3, mean, unit);
		p += k + (e != NULL);
	}
	*n += (size_t)snprintf(s + *n, cap - *n, "\n");
}

/* Test cases that fail or are skipped beside passing ones: a failing test
 * case over two header blocks with a benchmark that threw and a nan mean, a
 * name first seen in a failing test case and again in a passing one, a
 * skipped one, the run's closing rule and a failing table after it. */
static char *console_failures(size_t *len)
{
	size_t cap = 1 << 14, n = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	n += (size_t)snprintf(s, cap, "c is a Catch v2.13.10 host application.\n\n");
	console_block(s, cap, &n, "A", "s1", "a1 1.5 ns\na2 2 us");
	console_block(s, cap, &n, "F", "x", "f1 3 ns\nf2 4 ns");
	console_block(s, cap, &n, "F", "y\nz", "f3 5 ns\nff ! oops\nf4 nan ns\nf5 6 ns");
	n += (size_t)snprintf(s + n, cap - n, "bench.cpp:5: FAILED:\n  CHECK( 1 == 2 )\n\n");
	console_block(s, cap, &n, "G", "", "g1 7 ns");
	console_block(s, cap, &n, "S", "x", "s1 8 ns");
	n += (size_t)snprintf(s + n, cap - n, "bench.cpp:9: SKIPPED:\n\n");
	console_block(s, cap, &n, "F", "x", "f1 9 ns\nf2 10 ns");
	console_block(s, cap, &n, "H", "x", "h1 11 ns");
	n += (size_t)snprintf(s + n, cap - n, "bench.cpp:12: FAILED:\n\n");
	n += (size_t)snprintf(s + n, cap - n,
			      "================================================================="
			      "==============\ntest cases: 7 | 4 passed | 3 failed\n\n");
	/* a table after the run's rule, no header block of its own: H's still,
	 * and it fails */
	n += (size_t)snprintf(
	    s + n, cap - n,
	    "benchmark name                            samples    iterations   "
	    "       mean\n---------------------------------------------------------"
	    "----------------------\n%-36s%12d%14d%11s ns\n\nbench.cpp:20: "
	    "FAILED:\n",
	    "t1", 10, 3, "13");
	*len = n;
	return s;
}

/* tests/data's console files, console_failures and their variants (cut at
 * every line, every line twice): the same results, warnings and errors
 * holding a failing test case's benchmarks till its end or reading it
 * again then. */
static void test_ingest_catch2__console_failing_held_or_read_again(void **state)
{
	char path[] = "/tmp/perfdb-catch2-console-XXXXXX";
	size_t len, ok;
	char *text = console_failures(&len);
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(catch2_console_same_variants(DATA "catch2_console.txt"), 81);
	assert_int_equal(catch2_console_same_variants(DATA "catch2_console_no_analysis.txt"), 69);
	/* what console_failures reads to, pinned */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest__catch2_console(rs, text, len, "c.txt"), 0);
	/* A's two, G / g1, and F / x / f1 and f2 of the later F, which passed */
	assert_int_equal(perfdb_resultset_count(rs), 5);
	assert_string_equal(perfdb_resultset_get(rs, 2)->benchmark, "G / g1");
	assert_string_equal(perfdb_resultset_get(rs, 3)->benchmark, "F / x / f1");
	assert_int_equal(perfdb_resultset_get(rs, 3)->nsamples, 0);
	assert_true(perfdb_resultset_get(rs, 3)->value == 9);
	assert_true(has_warning(rs, "c.txt:", "'F / y / z / f5': its test case failed"));
	assert_true(has_warning(rs, "c.txt:", "'S / x / s1': its test case was skipped"));
	assert_true(has_warning(rs, "c.txt:", "'H / x / t1': its test case failed"));
	perfdb_resultset_free(rs);
	write_temp(path, text, len);
	ok = catch2_console_same_variants(path);
	unlink(path);
	print_message("%zu variants read without an error\n", ok);
	assert_true(ok > 40);
	free(text);
}

/* The data segment's size now (VmData), in bytes. */
static size_t data_in_use(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t kb = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* text read by the console reader (holding a failing test case's
 * benchmarks or not) in a child whose data may grow by `more` bytes only:
 * whether it read it, to one result. */
static bool reads_within(const char *text, size_t len, bool hold, size_t more)
{
	int status;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		perfdb_resultset *rs;
		int rc;
		rl.rlim_cur = rl.rlim_max = data_in_use() + more;
		if (setrlimit(RLIMIT_DATA, &rl) != 0 || perfdb_resultset_new(&rs) != 0)
			_exit(2);
		rc = perfdb_ingest__catch2_console_as(rs, text, len, "c.txt", hold);
		_exit(rc == 0 && perfdb_resultset_count(rs) == 1 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 2);
	return WEXITSTATUS(status) == 0;
}

/* A failing test case of 100,000 benchmarks (7.7 MB of text), then a
 * passing one: read again at its end, it is read with 4 MB more data; its
 * benchmarks held till then took more than that. */
static void test_ingest_catch2__console_failing_case_not_held(void **state)
{
	size_t cap = 100000 * 80 + 4096, n = 0, i;
	char *text;
	(void)state;
	if (PERFDB_TEST_SANITIZED)
		skip(); /* ASan's allocator maps memory of its own */
	text = malloc(cap);
	assert_non_null(text);
	console_block(text, cap, &n, "Big", "s", "");
	n--; /* the blank line after the table */
	for (i = 0; i < 100000; i++)
		n += (size_t)snprintf(text + n, cap - n, "bench %-30zu%12d%14d%11s ns\n", i, 10, 3,
				      "1.5");
	n += (size_t)snprintf(text + n, cap - n, "\nbench.cpp:5: FAILED:\n\n");
	console_block(text, cap, &n, "Small", "s", "one 2 ns");
	assert_true(reads_within(text, n, false, 4u << 20));
	assert_false(reads_within(text, n, true, 4u << 20));
	free(text);
}

/* An XML document (no analysis) of `cases` test cases of 10 benchmarks each,
 * "Case C / s / bK" with mean 100 + 10 C + K ns (v3: <Catch2TestRun>; v2:
 * <Catch><Group>); case 1 fails after its benchmarks, case 3 is called
 * "Case 1" and the last "Case 0" (their names appear again), and the one
 * before the last is called "Case 2" and fails (its names were recorded long
 * before). */
static char *xml_cases(int cases, bool v3, size_t *len)
{
	size_t cap = (size_t)cases * 2048, n = 0;
	char *s = malloc(cap);
	int c, k;
	assert_non_null(s);
	n += (size_t)snprintf(s + n, cap - n, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s\n",
			      v3 ? "<Catch2TestRun name=\"gen\" catch2-version=\"3.7.1\">"
				 : "<Catch name=\"gen\">\n  <Group name=\"gen\">");
	for (c = 0; c < cases; c++) {
		bool fails = c == 1 || c == cases - 2;
		int named = c == 3 ? 1 : c == cases - 1 ? 0 : c == cases - 2 ? 2 : c;
		n += (size_t)snprintf(s + n, cap - n,
				      "  <TestCase name=\"Case %d\" filename=\"bench.cpp\" "
				      "line=\"%d\">\n    <Section name=\"s\">\n",
				      named, c);
		for (k = 0; k < 10; k++)
			n += (size_t)snprintf(
			    s + n, cap - n,
			    "      <BenchmarkResults name=\"b%d\" samples=\"10\">\n"
			    "        <mean value=\"%d\" ci=\"0\"/>\n"
			    "      </BenchmarkResults>\n",
			    k, 100 + 10 * c + k);
		n += (size_t)snprintf(
		    s + n, cap - n,
		    "    </Section>\n%s    <OverallResult success=\"%s\" skips=\"0\"/>\n"
		    "  </TestCase>\n",
		    fails ? "    <Expression success=\"false\" type=\"CHECK\" "
			    "filename=\"bench.cpp\" line=\"9\"/>\n"
			  : "",
		    fails ? "false" : "true");
	}
	n += (size_t)snprintf(s + n, cap - n, "%s\n",
			      v3 ? "</Catch2TestRun>" : "  </Group>\n</Catch>");
	*len = n;
	return s;
}

/* A name is one result wherever it appears again (here 200,000 lines
 * later), its samples the means of each appearance in order, at the place
 * of its first appearance in a test case that passed; the benchmarks of a
 * failed one are warned about, also when their names were recorded before.
 * A document this big is read in passes; the same read once. */
static void test_ingest_catch2__xml_repeats_anywhere(void **state)
{
	static const bool layouts[] = {true, false};
	size_t len, i, l;
	(void)state;
	for (l = 0; l < 2; l++) {
		char *doc = xml_cases(6000, layouts[l], &len), want[128];
		perfdb_resultset *rs;
		assert_true(len > ((size_t)1 << 20)); /* read in passes */
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest_buffer(rs, doc, len, "g", PERFDB_FORMAT_AUTO), 0);
		assert_int_equal(perfdb_resultset_count(rs), (6000 - 3) * 10);
		repeated_cases(rs, "s / ");
		for (i = 0; i < 10; i++) { /* case 2's, failed again near the end */
			char name[32];
			const perfdb_result *r = perfdb_resultset_get(rs, 10 + i);
			snprintf(name, sizeof(name), "Case 2 / s / b%zu", i);
			assert_string_equal(r->benchmark, name);
			assert_int_equal(r->nsamples, 0);
			assert_near(r->value, 120 + (double)i, 1e-9);
			assert_int_equal(r->n, 10);
		}
		assert_string_equal(perfdb_resultset_get(rs, 30)->benchmark, "Case 4 / s / b0");
		assert_string_equal(perfdb_resultset_get(rs, 59969)->benchmark,
				    "Case 5997 / s / b9");
		/* ten kept, case 5998's counted */
		assert_int_equal(perfdb_resultset_warning_count(rs), 11);
		/* v2's <Group> is a line more */
		snprintf(want, sizeof(want),
			 "g:%d:7: benchmark 'Case 1 / s / b0': its test case failed "
			 "(CHECK at bench.cpp:9); not recorded",
			 layouts[l] ? 40 : 41);
		assert_string_equal(perfdb_resultset_warning(rs, 0), want);
		assert_string_equal(perfdb_resultset_warning(rs, 10), "\xE2\x80\xA6 and 10 more");
		assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "catch2");
		perfdb_resultset_free(rs);
		catch2_same_once_and_passes(doc, len, PERFDB_FORMAT_CATCH2);
		free(doc);
	}
}

/* tests/data's XML files, a document with every kind of warning, and each
 * cut at every line and with every line twice: the same read once (main's
 * way) and in passes, whole and as made. */
static void test_ingest_catch2__xml_once_and_passes(void **state)
{
	static const char doc[] =
	    "<Catch2TestRun name=\"t\" catch2-version=\"3.7.1\">\n"
	    "<TestCase name=\"F\"><BenchmarkResults name=\"b\" samples=\"5\">\n"
	    "<mean value=\"1\"/></BenchmarkResults>\n"
	    "<Expression success=\"false\" filename=\"f.cpp\" line=\"3\"/>\n"
	    "<OverallResult success=\"false\"/></TestCase>\n"
	    "<TestCase name=\"A\"><Section name=\"g\">\n"
	    "<BenchmarkResults name=\"b\" samples=\"5\"><mean value=\"10\"/>\n"
	    "<standardDeviation value=\"nan\"/></BenchmarkResults></Section>\n"
	    "<Section name=\"g\"><BenchmarkResults name=\"b\" samples=\"5\">\n"
	    "<mean value=\"12\"/></BenchmarkResults></Section>\n"
	    "<BenchmarkResults name=\"x\"><failed message=\"boom\"/></BenchmarkResults>\n"
	    "<BenchmarkResults name=\"y\"><mean value=\"nan\"/></BenchmarkResults>\n"
	    "<OverallResult success=\"true\"/></TestCase>\n"
	    "<TestCase name=\"F\"><BenchmarkResults name=\"b\" samples=\"5\">\n"
	    "<mean value=\"2\"/></BenchmarkResults>\n"
	    "<OverallResult success=\"true\"/></TestCase>\n"
	    "<TestCase name=\"A\"><Section name=\"g\">\n"
	    "<BenchmarkResults name=\"b\" samples=\"5\"><mean value=\"14\"/>\n"
	    "</BenchmarkResults></Section>\n"
	    "<OverallResult success=\"true\" skips=\"1\"/></TestCase>\n"
	    "</Catch2TestRun>\n";
	char path[] = "/tmp/perfdb-catch2-XXXXXX";
	perfdb_resultset *rs = ingest_ok(doc, PERFDB_FORMAT_CATCH2);
	const perfdb_result *r;
	(void)state;
	/* the document itself: a repeat across test cases and a failed one */
	assert_int_equal(perfdb_resultset_count(rs), 2);
	r = find_result(rs, "A / g / b", "time");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[1], 12, 0);
	assert_near(find_result(rs, "F / b", "time")->value, 2, 0);
	assert_int_equal(perfdb_resultset_warning_count(rs), 5);
	perfdb_resultset_free(rs);
	write_temp(path, doc, sizeof(doc) - 1);
	/* how many of the variants are read without an error */
	assert_int_equal(catch2_same_variants(path), 3);
	unlink(path);
	assert_int_equal(catch2_same_variants(DATA "catch2_xml.xml"), 34);
	assert_int_equal(catch2_same_variants(DATA "catch2_xml_no_analysis.xml"), 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_catch2__v2_with_analysis),
	    cmocka_unit_test(test_ingest_catch2__v2_no_analysis_drops_zero_stddev),
	    cmocka_unit_test(test_ingest_catch2__v3_layout_and_repeats),
	    cmocka_unit_test(test_ingest_catch2__detected),
	    cmocka_unit_test(test_ingest_catch2__bad_xml),
	    cmocka_unit_test(test_ingest_catch2__xml_one_long_line),
	    cmocka_unit_test(test_ingest_catch2__deep_nesting_is_bounded),
	    cmocka_unit_test(test_ingest_catch2__console_v2_with_analysis),
	    cmocka_unit_test(test_ingest_catch2__console_v2_no_analysis),
	    cmocka_unit_test(test_ingest_catch2__console_v3_layout),
	    cmocka_unit_test(test_ingest_catch2__console_detected),
	    cmocka_unit_test(test_ingest_catch2__console_errors),
	    cmocka_unit_test(test_ingest_catch2__console_repeats_anywhere),
	    cmocka_unit_test(test_ingest_catch2__console_same_as_made),
	    cmocka_unit_test(test_ingest_catch2__console_failing_held_or_read_again),
	    cmocka_unit_test(test_ingest_catch2__console_failing_case_not_held),
	    cmocka_unit_test(test_ingest_catch2__xml_repeats_anywhere),
	    cmocka_unit_test(test_ingest_catch2__xml_once_and_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
