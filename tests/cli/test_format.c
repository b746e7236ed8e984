/* cli/format.c: the one formatter set (numbers for people and programs,
 * commits, and untrusted text for terminals, Markdown and XML). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "store/history.h"

static void check_value(double v, const char *unit, const char *want)
{
	char buf[64];
	cli_format_value(buf, sizeof(buf), v, unit);
	assert_string_equal(buf, want);
}

static void test_cli_format__values_for_people(void **state)
{
	(void)state;
	/* counts and rates: SI prefixes from 10 000, about four digits */
	check_value(135779652.0, "items/s", "135.8 M items/s");
	check_value(1500, "items/s", "1500 items/s");
	check_value(9999.7, "items/s", "10.00 k items/s"); /* rounding moves it up */
	check_value(12345, "", "12.35 k");
	check_value(87, "", "87");
	check_value(-2.5e9, "ops/s", "-2.500 G ops/s");
	check_value(0.5, "ratio", "0.500 ratio");
	check_value(0.000012345, "", "1.234e-05");
	/* durations */
	check_value(812, "ns", "812 ns");
	check_value(3.5, "ns", "3.500 ns");
	check_value(10300, "ns", "10.30 \xc2\xb5s");
	check_value(999960, "ns", "1.000 ms"); /* not "1000.0 us" */
	check_value(1234000, "ns", "1.234 ms");
	check_value(2.5e9, "ns", "2.500 s");
	/* bytes and byte rates */
	check_value(812, "B", "812 B");
	check_value(13107200, "B", "12.50 MiB");
	check_value(4194304, "B", "4.000 MiB");
	check_value(1610612736, "B/s", "1.500 GiB/s");
	/* missing and infinite */
	check_value(NAN, "ns", "n/a");
	check_value(NAN, "items/s", "n/a");
	check_value(INFINITY, "%", "inf %");
}

static void test_cli_format__exact_for_programs(void **state)
{
	char buf[64];
	json_t *doc = json_pack("{s:f}", "v", 0.1 + 0.2);
	char *text = cli_json_dumps(doc);
	(void)state;
	cli_format_double(buf, sizeof(buf), 0.1);
	assert_string_equal(buf, "0.1");
	cli_format_double(buf, sizeof(buf), 135779652.123456789);
	assert_true(strtod(buf, NULL) == 135779652.123456789);
	assert_non_null(text);
	assert_non_null(strstr(text, "0.30000000000000004"));
	free(text);
	json_decref(doc);
	assert_true(json_is_null(cli_json_number(NAN)));
	doc = cli_json_number(INFINITY);
	assert_true(json_is_null(doc));
}

static void test_cli_format__short_sha(void **state)
{
	char buf[CLI_SHA_CAP];
	(void)state;
	assert_string_equal(
	    cli_short_sha(buf, sizeof(buf), "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"),
	    "3f2a9c1e8b7d");
	assert_string_equal(cli_short_sha(buf, sizeof(buf), "release-candidate-2026"),
			    "release-candidate-2026");
	/* 40 characters that are not all lower-case hex: a label, whole */
	assert_string_equal(
	    cli_short_sha(buf, sizeof(buf), "3F2A9C1E8B7D6A5F4E3D2C1B0A9F8E7D6C5B4A39"),
	    "3F2A9C1E8B7D6A5F4E3D2C1B0A9F8E7D6C5B4A39");
	assert_string_equal(cli_short_sha(buf, sizeof(buf), NULL), "");
}

static void test_cli_format__text_escapes(void **state)
{
	char buf[64];
	(void)state;
	assert_string_equal(cli_text(buf, sizeof(buf), "a\x1b]0;x\x07\nb\tc\r"),
			    "a\\x1b]0;x\\x07\\nb\\tc\\r");
	assert_string_equal(cli_text(buf, sizeof(buf), "caf\xc3\xa9 \xe2\x80\xae!"),
			    "caf\xc3\xa9 \\u202e!");
	assert_string_equal(cli_text(buf, sizeof(buf),
				     "\xc2\x9b"
				     "1m\x7f"),
			    "\\x9b1m\\x7f");
	assert_string_equal(cli_text(buf, sizeof(buf),
				     "a\xe2\x80\xa8"
				     "b\xe2\x81\xa6"),
			    "a\\u2028b\\u2066");
	assert_string_equal(cli_text(buf, sizeof(buf), "bad\xff\xc3"), "bad\\xff\\xc3");
	assert_string_equal(cli_text(buf, sizeof(buf), "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	/* cut only between characters and whole escapes */
	assert_string_equal(cli_text(buf, 6, "ab\xc3\xa9\xc3\xa9"), "ab\xc3\xa9");
	assert_string_equal(cli_text(buf, 6, "abc\x1b"), "abc");
}

static void set(char *s, const char *text)
{
	snprintf(s, 16, "%s", text);
}

static void test_cli_format__utf8_trim(void **state)
{
	char s[16];
	(void)state;
	set(s, "ab\xc3"); /* snprintf cut the second byte */
	cli_utf8_trim(s);
	assert_string_equal(s, "ab");
	set(s, "ab\xe2\x82");
	cli_utf8_trim(s);
	assert_string_equal(s, "ab");
	set(s, "ab\xe2\x82\xac");
	cli_utf8_trim(s);
	assert_string_equal(s, "ab\xe2\x82\xac");
	set(s, "abc");
	cli_utf8_trim(s);
	assert_string_equal(s, "abc");
}

static void test_cli_format__markdown_code_span(void **state)
{
	char buf[128];
	(void)state;
	cli_md_code(buf, sizeof(buf), "plain", true);
	assert_string_equal(buf, "`plain`");
	cli_md_code(buf, sizeof(buf), "a`b``c", true);
	assert_string_equal(buf, "```a`b``c```");
	cli_md_code(buf, sizeof(buf), "`x", true);
	assert_string_equal(buf, "`` `x ``");
	cli_md_code(buf, sizeof(buf), "a|b\nc", true);
	assert_string_equal(buf, "`a\\|b\\nc`");
	/* outside a table the backslash would show */
	cli_md_code(buf, sizeof(buf), "a|b", false);
	assert_string_equal(buf, "`a|b`");
}

static void test_cli_format__xml(void **state)
{
	char buf[128];
	(void)state;
	cli_xml_text(buf, sizeof(buf), "<a href=\"x\">&'\x1b\x01\xef\xbf\xbe");
	assert_string_equal(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x1b\\x01\\ufffe");
}

static void test_cli_format__width(void **state)
{
	char buf[32];
	(void)state;
	assert_int_equal(cli_width("1.000 \xc2\xb5s"), 8);
	assert_string_equal(cli_pad(buf, sizeof(buf), "1 \xc2\xb5s", 6), "  1 \xc2\xb5s");
	assert_string_equal(cli_pad(buf, sizeof(buf), "1 \xc2\xb5s", -6), "1 \xc2\xb5s  ");
}

/* Shared by regress's and trend's lines (they had one copy each). */
static void test_cli_format__series_name(void **state)
{
	char buf[256];
	perfdb_tags *two, *none, *bad;
	(void)state;
	assert_int_equal(perfdb_store__tags_new(&two, "{\"cc\":\"gcc\",\"o\":\"2\"}"), 0);
	assert_int_equal(perfdb_store__tags_new(&none, "{}"), 0);
	assert_int_equal(perfdb_store__tags_new(&bad, "not json"), 0);
	cli_series_name(buf, sizeof(buf), "BM_\x1b]0;x", "cpu_time", two);
	assert_string_equal(buf, "BM_\\x1b]0;x cpu_time [cc=gcc,o=2]");
	cli_series_name(buf, sizeof(buf), "BM_A", NULL, none);
	assert_string_equal(buf, "BM_A");
	cli_series_name(buf, sizeof(buf), "BM_A", "real_time", NULL);
	assert_string_equal(buf, "BM_A real_time");
	cli_tags_text(buf, sizeof(buf), bad);
	assert_string_equal(buf, "");
	perfdb_store__tags_free(two);
	perfdb_store__tags_free(none);
	perfdb_store__tags_free(bad);
}

/* Shared by trend's sparklines and regress's Markdown shape column. */
static void test_cli_format__spark_bar(void **state)
{
	(void)state;
	assert_string_equal(cli_spark_bar(0, 0, 8), "\u2581");
	assert_string_equal(cli_spark_bar(8, 0, 8), "\u2588");
	assert_string_equal(cli_spark_bar(6, 0, 8), "\u2586");
	assert_string_equal(cli_spark_bar(-1, 0, 8), "\u2581");
	assert_string_equal(cli_spark_bar(5, 5, 5), "\u2584");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_format__values_for_people),
	    cmocka_unit_test(test_cli_format__exact_for_programs),
	    cmocka_unit_test(test_cli_format__short_sha),
	    cmocka_unit_test(test_cli_format__text_escapes),
	    cmocka_unit_test(test_cli_format__utf8_trim),
	    cmocka_unit_test(test_cli_format__markdown_code_span),
	    cmocka_unit_test(test_cli_format__xml),
	    cmocka_unit_test(test_cli_format__width),
	    cmocka_unit_test(test_cli_format__series_name),
	    cmocka_unit_test(test_cli_format__spark_bar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
