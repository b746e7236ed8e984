/* Tests of the CSV reader (lib/ingest/csv.c) and the strict number parser it uses. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ingest/reader.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"

#define CSV PERFDB_FORMAT_CSV

static perfdb_resultset *load(const char *file)
{
	char path[512];
	perfdb_resultset *rs;
	int rc;
	snprintf(path, sizeof(path), "%s/csv/%s", PERFDB_TEST_DATA, file);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO);
	if (rc)
		print_message("%s\n", perfdb_error_last()->message);
	assert_int_equal(rc, 0);
	return rs;
}

static void test_ingest_csv__basic(void **state)
{
	perfdb_resultset *rs = load("basic.csv");
	const perfdb_result *r;
	int m;
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "csv");
	for (m = 0; m < PERFDB_META_COUNT_; m++)
		if (m != PERFDB_META_SOURCE)
			assert_null(perfdb_resultset_meta(rs, (perfdb_meta)m));

	r = perfdb_resultset_get(rs, 0);
	assert_string_equal(r->benchmark, "parse/small");
	assert_string_equal(r->metric, "wall_time");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->direction, PERFDB_LOWER_IS_BETTER);
	assert_near(r->value, 12.5e6, 1e-6);
	assert_int_equal(r->n, 10);
	assert_near(r->stddev, 0.2e6, 1e-6);
	assert_near(r->min, 12.1e6, 1e-6);
	assert_near(r->max, 13.0e6, 1e-6);
	assert_near(r->median, 12.4e6, 1e-6);
	assert_near(r->mean, 12.5e6, 1e-6);
	assert_int_equal(r->nsamples, 0);

	r = perfdb_resultset_get(rs, 1);
	assert_string_equal(r->metric, "throughput");
	assert_string_equal(r->unit, "items/s");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(r->value, 1000, 0);
	assert_int_equal(r->n, 1);
	assert_true(isnan(r->stddev));

	r = perfdb_resultset_get(rs, 2);
	assert_string_equal(r->benchmark, "score");
	assert_string_equal(r->metric, "value");
	assert_string_equal(r->unit, "");
	assert_int_equal(r->direction, PERFDB_HIGHER_IS_BETTER);
	assert_near(r->value, 87, 0);
	perfdb_resultset_free(rs);
}

/* Rows repeating a (benchmark, metric) are the samples of one result, in file order. */
static void test_ingest_csv__repeated_rows_are_samples(void **state)
{
	perfdb_resultset *rs = load("samples.csv");
	const perfdb_result *r;
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 2);
	r = perfdb_resultset_get(rs, 0);
	assert_string_equal(r->benchmark, "sort/1024");
	assert_string_equal(r->unit, "ns");
	assert_int_equal(r->nsamples, 3);
	assert_near(r->samples[0], 10500, 1e-9);
	assert_near(r->samples[1], 10700, 1e-9);
	assert_near(r->samples[2], 10600, 1e-9);
	assert_near(r->value, 10600, 1e-9);
	assert_int_equal(r->n, 3);
	r = perfdb_resultset_get(rs, 1);
	assert_string_equal(r->benchmark, "sort/4096");
	assert_int_equal(r->nsamples, 2);
	assert_near(r->samples[1], 47500, 1e-9);
	perfdb_resultset_free(rs);
}

/* BOM, quoted header, embedded comma, doubled quote, embedded CRLF, CRLF rows, spaces. */
static void test_ingest_csv__rfc4180(void **state)
{
	perfdb_resultset *rs = load("rfc4180.csv");
	(void)state;
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_near(find_result(rs, "parse, small", "value")->value, 1.5e6, 1e-6);
	assert_near(find_result(rs, "say \"hi\"", "value")->value, 2000, 1e-9);
	assert_near(find_result(rs, "two\r\nlines", "value")->value, 3e9, 1e-3);
	assert_near(find_result(rs, "spaced", "value")->value, 4, 0);
	assert_string_equal(find_result(rs, "spaced", "value")->unit, "ns");
	perfdb_resultset_free(rs);
}

static void test_ingest_csv__layout(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	/* No final line break, blank lines, header names in any case, x- columns ignored. */
	rs = ingest_ok("\n\nBenchmark , VALUE,x-host,Unit\n\na,1,h1,ms\n\nb,2,h2,ms", CSV);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_near(find_result(rs, "b", "value")->value, 2e6, 1e-6);
	perfdb_resultset_free(rs);

	/* A quoted empty field is a field, a quoted benchmark keeps its spaces. */
	rs = ingest_ok("benchmark,value,unit\n\" padded \",1,\"\"\n", CSV);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, " padded ");
	assert_string_equal(perfdb_resultset_get(rs, 0)->unit, "");
	perfdb_resultset_free(rs);

	/* The same benchmark under two metrics is two results. */
	rs = ingest_ok("benchmark,metric,value\na,x,1\na,y,2\na,x,3\n", CSV);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	assert_int_equal(find_result(rs, "a", "x")->nsamples, 2);
	assert_int_equal(find_result(rs, "a", "y")->nsamples, 0);
	perfdb_resultset_free(rs);

	/* A direction on one row of a group applies to the group. */
	rs = ingest_ok("benchmark,value,direction\na,1,\na,2,higher\n", CSV);
	assert_int_equal(perfdb_resultset_get(rs, 0)->direction, PERFDB_HIGHER_IS_BETTER);
	perfdb_resultset_free(rs);
}

static void test_ingest_csv__errors(void **state)
{
	(void)state;
	/* numbers */
	expect_input_error("benchmark,value\na,12abc\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "'12abc' is not a number");
	expect_input_error("benchmark,value\na,\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "no value");
	expect_input_error("benchmark,value\na,nan\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "'nan' is not a number");
	expect_input_error("benchmark,value\na,inf\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "'inf' is not a number");
	expect_input_error("benchmark,value\na,0x10\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "'0x10' is not a number");
	expect_input_error("benchmark,value\na,1e999\n", CSV, "b.csv", PERFDB_EINPUT, 2, 3, "value",
			   "'1e999' is out of range");
	expect_input_error("benchmark,value,n\na,1,1.5\n", CSV, "b.csv", PERFDB_EINPUT, 2, 5, "n",
			   "expected a whole number of at least 1, got '1.5'");
	expect_input_error("benchmark,value,stddev\na,1,-1\n", CSV, "b.csv", PERFDB_EINPUT, 2, 5,
			   "stddev", "cannot be negative");
	expect_input_error("benchmark,value,min,max\na,1,3,2\n", CSV, "b.csv", PERFDB_EINPUT, 2, 5,
			   "min", "min 3 is greater than max 2");
	expect_input_error("benchmark,value,unit\na,1e300,s\n", CSV, "b.csv", PERFDB_EINPUT, 2, 1,
			   "value", "out of range once converted from 's'");
	/* columns are counted in characters, not bytes */
	expect_input_error("benchmark,value\n\"\xc2\xb5\xc2\xb5\xc2\xb5\",12abc\n", CSV, "b.csv",
			   PERFDB_EINPUT, 2, 7, "value", "is not a number");
	/* CRLF and an embedded line break keep line numbers right */
	expect_input_error("benchmark,value\r\na,1\r\nb,zz\r\n", CSV, "b.csv", PERFDB_EINPUT, 3, 3,
			   "value", "'zz' is not a number");
	expect_input_error("benchmark,value\n\"two\nlines\",1\nb,x\n", CSV, "b.csv", PERFDB_EINPUT,
			   4, 3, "value", "'x' is not a number");
	/* header */
	expect_input_error("benchmark,value,colour\na,1,red\n", CSV, "b.csv", PERFDB_EINPUT, 1, 17,
			   "colour", "unknown column 'colour'");
	expect_input_error("benchmark,value,commit\na,1,abc\n", CSV, "b.csv", PERFDB_EINPUT, 1, 17,
			   "commit", "one CSV file is one run");
	expect_input_error("benchmark,unit\na,ms\n", CSV, "b.csv", PERFDB_EINPUT, 1, 1, "value",
			   "the header has no 'value' column");
	expect_input_error("name,benchmark2,value\n", CSV, "b.csv", PERFDB_EINPUT, 1, 1, "name",
			   "unknown column 'name'");
	expect_input_error("value,metric\n1,x\n", CSV, "b.csv", PERFDB_EINPUT, 1, 1, "benchmark",
			   "the header has no 'benchmark' column");
	expect_input_error("benchmark,value,Value\n", CSV, "b.csv", PERFDB_EINPUT, 1, 17, "Value",
			   "column 'Value' appears twice");
	expect_input_error("benchmark,value,\na,1,\n", CSV, "b.csv", PERFDB_EINPUT, 1, 17, NULL,
			   "column 3 has no name");
	expect_input_error("benchmark,value\n", CSV, "b.csv", PERFDB_EINPUT, 1, 0, NULL,
			   "no results: the header is not followed by any row");
	/* rows */
	expect_input_error("benchmark,value\na,1,2\n", CSV, "b.csv", PERFDB_EINPUT, 2, 1, NULL,
			   "this row has 3 fields, the header has 2");
	expect_input_error("benchmark,value\n,1\n", CSV, "b.csv", PERFDB_EINPUT, 2, 1, "benchmark",
			   "no benchmark name");
	expect_input_error("benchmark,value,direction\na,1,up\n", CSV, "b.csv", PERFDB_EINPUT, 2, 5,
			   "direction", "unknown direction 'up'");
	/* quoting */
	expect_input_error("benchmark,value\n\"a,1\n", CSV, "b.csv", PERFDB_EINPUT, 2, 1,
			   "benchmark", "a quoted field is not closed");
	expect_input_error("benchmark,value\na\"b,1\n", CSV, "b.csv", PERFDB_EINPUT, 2, 2,
			   "benchmark", "a quote inside an unquoted field");
	expect_input_error("benchmark,value\n\"a\"x,1\n", CSV, "b.csv", PERFDB_EINPUT, 2, 4,
			   "benchmark", "unexpected text after a closing quote");
	/* groups */
	expect_input_error("benchmark,value,unit\na,1,ms\na,2,us\n", CSV, "b.csv", PERFDB_EINPUT, 3,
			   5, "unit", "unit 'us' differs from 'ms' on line 2");
	expect_input_error("benchmark,value,direction\na,1,lower\na,2,higher\n", CSV, "b.csv",
			   PERFDB_EINPUT, 3, 5, "direction",
			   "direction 'higher' differs from line 2");
	expect_input_error("benchmark,value,stddev\na,1,0.1\na,2,\n", CSV, "b.csv", PERFDB_EINPUT,
			   3, 5, "stddev", "statistics columns belong to a single-row result");
	expect_input_error("benchmark,value,stddev\na,1,\nb,1,\na,2,0.5\n", CSV, "b.csv",
			   PERFDB_EINPUT, 4, 5, "stddev",
			   "benchmark 'a', metric 'value' repeats line 2");
}

/* Fields become C strings: a NUL in one is refused where its field starts
 * (it read "a\0b" as "a", another benchmark), read whole or by name; a
 * name that is not UTF-8 is refused on its row. */
static void test_ingest_csv__nul_and_not_utf8(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		int line, column;
		const char *field, *message;
	} cases[] = {
#define T(s) s, sizeof(s) - 1
	    {T("benchmark,value\na\0b,1\n"), 2, 1, "benchmark", "NUL byte in the field"},
	    {T("benchmark,value\nx,1\n \"a\0\",2\n"), 3, 2, "benchmark", "NUL byte in the field"},
	    {T("benchmark,value\nx,1\0 9\n"), 2, 3, "value", "NUL byte in the field"},
	    {T("bench\0mark,value\nx,1\n"), 1, 1, NULL, "NUL byte in the field"},
	    {T("benchmark,value\nx,1\ny\xff,2\n"), 3, 1, NULL,
	     "benchmark name is not UTF-8 (byte 0xFF at byte 2 of 2)"},
	    {T("benchmark,unit,value\nx,\xc0\x80,1\n"), 2, 1, NULL,
	     "unit is not UTF-8 (byte 0xC0 at byte 1 of 2)"},
#undef T
	};
	char path[] = "/tmp/perfdb-csv-nul-XXXXXX";
	perfdb_resultset *rs;
	const perfdb_error *e;
	size_t k, way;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		write_temp(path, cases[k].text, cases[k].len);
		for (way = 0; way < 2; way++) {
			assert_int_equal(perfdb_resultset_new(&rs), 0);
			assert_int_not_equal(way ? perfdb_ingest_file(rs, path, PERFDB_FORMAT_CSV)
						 : perfdb_ingest_buffer(rs, cases[k].text,
									cases[k].len, path,
									PERFDB_FORMAT_CSV),
					     0);
			e = perfdb_error_last();
			assert_string_equal(e->file, path);
			assert_int_equal(e->line, cases[k].line);
			assert_int_equal(e->column, cases[k].column);
			assert_string_equal(e->field, cases[k].field ? cases[k].field : "");
			assert_non_null(strstr(e->message, cases[k].message));
			assert_int_equal(perfdb_resultset_count(rs), 0);
			perfdb_resultset_free(rs);
		}
		unlink(path);
	}
}

static void test_ingest_csv__number_grammar(void **state)
{
	static const struct {
		const char *text;
		double want;
	} ok[] = {{"1", 1},	 {"-1.5", -1.5}, {"+.5", 0.5}, {"5.", 5},
		  {"1e3", 1000}, {"1E-3", 1e-3}, {"0", 0},     {"007", 7}};
	static const char *bad[] = {"",	 " 1", "1 ",   "12abc", "nan", "inf", "0x10", "1e",
				    ".", "-",  "1..2", "e5",	"1,5", "--1", "1e+",  "\xc2\xb5"};
	double d;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(perfdb_ingest__number(ok[i].text, &d), 0);
		assert_near(d, ok[i].want, 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 42;
		if (perfdb_ingest__number(bad[i], &d) != -1)
			print_message("accepted '%s'\n", bad[i]);
		assert_int_equal(perfdb_ingest__number(bad[i], &d), -1);
		assert_near(d, 42, 0);
	}
	assert_int_equal(perfdb_ingest__number("1e999", &d), -2);
	assert_int_equal(perfdb_ingest__number("-1e999", &d), -2);
}

/* Short decimals are converted without strtod: the result must be strtod's,
 * bit for bit, for every length of digits and exponent around the limits
 * of the exact path (15-17 digits, 10^22). */
static void test_ingest_csv__number_as_strtod(void **state)
{
	uint64_t x = 88172645463325252ull;
	char text[96];
	int i;
	(void)state;
	for (i = 0; i < 200000; i++) {
		int nint, nfrac, k, len = 0;
		double got, want;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nint = (int)(x % 21);
		nfrac = (int)((x >> 8) % 21);
		if ((x >> 16) & 1)
			text[len++] = (x >> 17) & 1 ? '-' : '+';
		for (k = 0; k < nint; k++)
			text[len++] = (char)('0' + ((x >> (k * 3 % 60)) + (uint64_t)k) % 10);
		if (nfrac || !nint) {
			text[len++] = '.';
			for (k = 0; k < nfrac || (!nint && k == 0); k++)
				text[len++] =
				    (char)('0' + ((x >> (k * 5 % 60)) + (uint64_t)k * 7) % 10);
		}
		if ((x >> 20) % 3 == 0)
			len += snprintf(text + len, sizeof(text) - (size_t)len, "e%d",
					(int)((x >> 24) % 61) - 30);
		text[len] = '\0';
		want = strtod(text, NULL);
		assert_int_equal(perfdb_ingest__number(text, &got), 0);
		if (memcmp(&got, &want, sizeof(got)) != 0) {
			print_message("'%s': %.17g, strtod %.17g\n", text, got, want);
			fail();
		}
	}
}

/* A program that switched to a comma-decimal locale still reads "1.5" as 1.5.
 * Where no such locale is installed, one is compiled into a scratch
 * directory with localedef (libc-bin; the sources come with the `locales`
 * package, which .ci/deps installs) and found through LOCPATH. */
static void test_ingest_csv__locale_independent(void **state)
{
	static const char *locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"};
	char dir[] = "/tmp/perfdb-locale.XXXXXX", cmd[512];
	perfdb_resultset *rs;
	size_t i;
	bool built = false;
	(void)state;
	for (i = 0; i < sizeof(locales) / sizeof(locales[0]); i++)
		if (setlocale(LC_NUMERIC, locales[i]))
			break;
	if (i == sizeof(locales) / sizeof(locales[0])) {
		assert_non_null(mkdtemp(dir));
		snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' 2>&1",
			 dir);
		assert_int_equal(system(cmd), 0);
		assert_int_equal(setenv("LOCPATH", dir, 1), 0);
		assert_non_null(setlocale(LC_NUMERIC, "de_DE.UTF-8"));
		built = true;
	}
	assert_string_equal(localeconv()->decimal_point, ",");
	rs = ingest_ok("benchmark,value\na,1.5\n", CSV);
	setlocale(LC_NUMERIC, "C");
	assert_near(perfdb_resultset_get(rs, 0)->value, 1.5, 0);
	perfdb_resultset_free(rs);
	if (built) {
		unsetenv("LOCPATH");
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

/* Thousands of groups and repetitions: grouping stays exact. */
static void test_ingest_csv__many_rows(void **state)
{
	enum { BENCHES = 5000, REPS = 4 };
	size_t cap = (size_t)BENCHES * REPS * 32 + 64, len = 0, i, j;
	char *buf = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len, "benchmark,value\n");
	for (j = 0; j < REPS; j++)
		for (i = 0; i < BENCHES; i++)
			len += (size_t)snprintf(buf + len, cap - len, "bench/%zu,%zu\n", i,
						i * 10 + j);
	rs = ingest_ok(buf, CSV);
	assert_int_equal(perfdb_resultset_count(rs), BENCHES);
	for (i = 0; i < BENCHES; i += 997) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		char name[32];
		snprintf(name, sizeof(name), "bench/%zu", i);
		assert_string_equal(r->benchmark, name);
		assert_int_equal(r->nsamples, REPS);
		for (j = 0; j < REPS; j++)
			assert_near(r->samples[j], (double)(i * 10 + j), 0);
	}
	perfdb_resultset_free(rs);
	free(buf);
}

/* Issue 12: the column of every field was counted from the start of its
 * line, so a wide line was quadratic (80,000 fields: 11 s; these 300,000
 * fields, header and row, took minutes). The test's TIMEOUT catches that. */
static void test_ingest_csv__wide_lines(void **state)
{
	const size_t wide = 300000;
	size_t i, n = 0, cap = wide * 8 + 64;
	char *text = malloc(cap);
	perfdb_resultset *rs;
	(void)state;
	assert_non_null(text);
	for (i = 0; i < wide; i++)
		n += (size_t)snprintf(text + n, cap - n, "x-%c,", 'a' + (int)(i % 26));
	n += (size_t)snprintf(text + n, cap - n, "benchmark,value\n");
	memset(text + n, ',', wide);
	n += wide;
	n += (size_t)snprintf(text + n, cap - n, "bench,12.5\n");
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_buffer(rs, text, n, "wide.csv", CSV), 0);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, "bench");
	assert_near(perfdb_resultset_get(rs, 0)->value, 12.5, 0);
	perfdb_resultset_free(rs);
	/* An error at the end of the wide row names its column exactly. */
	memcpy(text + n - strlen("12.5\n"), "12x5\n", 5);
	expect_input_error(text, CSV, "wide.csv", PERFDB_EINPUT, 2, (int)wide + 7, "value",
			   "'12x5' is not a number");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_csv__basic),
	    cmocka_unit_test(test_ingest_csv__repeated_rows_are_samples),
	    cmocka_unit_test(test_ingest_csv__rfc4180),
	    cmocka_unit_test(test_ingest_csv__layout),
	    cmocka_unit_test(test_ingest_csv__errors),
	    cmocka_unit_test(test_ingest_csv__number_grammar),
	    cmocka_unit_test(test_ingest_csv__number_as_strtod),
	    cmocka_unit_test(test_ingest_csv__locale_independent),
	    cmocka_unit_test(test_ingest_csv__many_rows),
	    cmocka_unit_test(test_ingest_csv__wide_lines),
	    cmocka_unit_test(test_ingest_csv__nul_and_not_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
