/*
 * perfdb's JSON parser (lib/ingest/json_parse.c) on its own: every value
 * type, escapes, numbers against strtod, positions of values and keys, every
 * syntax error with its position, and the limits; then the few pieces of the
 * JSON layer (json.h) that the reader tests do not reach.
 */
#include <locale.h>
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

#include "ingest/json.h"
#include "ingest/json_parse.h"

/* --- helpers -------------------------------------------------------------------- */

/* perfdb_jdoc_check (syntax only, no tree) of the same bytes, in a padded
 * copy: every parse below must get the same answer from it. */
static int check_len(const char *text, size_t len, perfdb_jerror *err)
{
	char *copy = malloc(len + PERFDB_JPARSE_PADDING);
	int rc;
	assert_non_null(copy);
	if (len)
		memcpy(copy, text, len);
	memset(copy + len, 0, PERFDB_JPARSE_PADDING);
	rc = perfdb_jdoc_check(copy, len, err);
	free(copy);
	return rc;
}

static perfdb_jdoc *parse_len(const char *text, size_t len)
{
	perfdb_jdoc *doc = NULL;
	perfdb_jerror err;
	int rc = perfdb_jdoc_parse(&doc, text, len, &err);
	if (!rc && (rc = check_len(text, len, &err)))
		fail_msg("the syntax check failed (%d) at %d:%d: %s", rc, err.line, err.column,
			 rc == PERFDB_JPARSE_SYNTAX ? err.message : "");
	if (rc)
		fail_msg("parse failed (%d) at %d:%d: %s\ninput: %.*s", rc, err.line, err.column,
			 rc == PERFDB_JPARSE_SYNTAX ? err.message : "", len > 200 ? 200 : (int)len,
			 text);
	assert_non_null(doc);
	return doc;
}

static perfdb_jdoc *parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Expects a syntax error at line:column whose message contains part. */
static void bad_len(const char *text, size_t len, int line, int column, const char *part)
{
	perfdb_jdoc *doc = (perfdb_jdoc *)&doc;
	perfdb_jerror err, check;
	int rc = perfdb_jdoc_parse(&doc, text, len, &err);
	if (rc != PERFDB_JPARSE_SYNTAX || err.line != line || err.column != column ||
	    !strstr(err.message, part))
		fail_msg("input: %.*s\n-> rc %d at %d:%d '%s'; expected %d:%d '%s'",
			 len > 200 ? 200 : (int)len, text, rc, err.line, err.column,
			 rc == PERFDB_JPARSE_SYNTAX ? err.message : "", line, column, part);
	assert_null(doc);
	/* the syntax check says the same, word for word */
	memset(&check, 0, sizeof(check));
	assert_int_equal(check_len(text, len, &check), PERFDB_JPARSE_SYNTAX);
	assert_int_equal(check.line, err.line);
	assert_int_equal(check.column, err.column);
	assert_string_equal(check.message, err.message);
}

static void bad(const char *text, int line, int column, const char *part)
{
	bad_len(text, strlen(text), line, column, part);
}

static double number_of(const char *text)
{
	perfdb_jdoc *doc = parse(text);
	const perfdb_jnode *n = perfdb_jdoc_root(doc);
	double d;
	assert_int_equal(n->type, PERFDB_JNUMBER);
	d = n->u.number;
	perfdb_jdoc_free(doc);
	return d;
}

static bool integer_flag(const char *text)
{
	perfdb_jdoc *doc = parse(text);
	bool integer = perfdb_jdoc_root(doc)->integer;
	perfdb_jdoc_free(doc);
	return integer;
}

/* Bit for bit: 0.0 and -0.0 differ, and a wrong last bit is caught. */
static void assert_same_double(double got, double want, const char *text)
{
	if (memcmp(&got, &want, sizeof(got)) != 0)
		fail_msg("'%s': got %.17g, want %.17g", text, got, want);
}

/* --- values ----------------------------------------------------------------------- */

static void test_json_parse__every_value_type(void **state)
{
	perfdb_jdoc *doc = parse("{\"n\": null, \"t\": true, \"f\": false, \"i\": -12, \"r\": 2.5,"
				 " \"s\": \"hi\", \"a\": [1, [], {}], \"o\": {\"k\": \"v\"}}");
	const perfdb_jnode *root = perfdb_jdoc_root(doc), *a, *o;
	(void)state;
	assert_int_equal(root->type, PERFDB_JOBJECT);
	assert_null(root->parent);
	assert_int_equal(root->u.obj.count, 8);
	assert_int_equal(perfdb_jnode_get(root, "n")->type, PERFDB_JNULL);
	assert_int_equal(perfdb_jnode_get(root, "t")->type, PERFDB_JTRUE);
	assert_int_equal(perfdb_jnode_get(root, "f")->type, PERFDB_JFALSE);
	assert_int_equal(perfdb_jnode_get(root, "i")->type, PERFDB_JNUMBER);
	assert_true(perfdb_jnode_get(root, "i")->u.number == -12.0);
	assert_true(perfdb_jnode_get(root, "i")->integer);
	assert_false(perfdb_jnode_get(root, "i")->nonfinite);
	assert_true(perfdb_jnode_get(root, "r")->u.number == 2.5);
	assert_false(perfdb_jnode_get(root, "r")->integer);
	assert_int_equal(perfdb_jnode_get(root, "s")->type, PERFDB_JSTRING);
	assert_string_equal(perfdb_jnode_get(root, "s")->u.str.s, "hi");
	assert_int_equal(perfdb_jnode_get(root, "s")->u.str.len, 2);
	a = perfdb_jnode_get(root, "a");
	assert_int_equal(a->type, PERFDB_JARRAY);
	assert_int_equal(a->u.arr.count, 3);
	assert_int_equal(a->u.arr.items[1]->type, PERFDB_JARRAY);
	assert_int_equal(a->u.arr.items[1]->u.arr.count, 0);
	assert_int_equal(a->u.arr.items[2]->type, PERFDB_JOBJECT);
	assert_int_equal(a->u.arr.items[2]->u.obj.count, 0);
	/* parent and index locate every value */
	assert_ptr_equal(a->parent, root);
	assert_int_equal(a->index, 6);
	assert_string_equal(root->u.obj.members[a->index].key, "a");
	assert_ptr_equal(a->u.arr.items[2]->parent, a);
	assert_int_equal(a->u.arr.items[2]->index, 2);
	o = perfdb_jnode_get(root, "o");
	assert_string_equal(perfdb_jnode_get(o, "k")->u.str.s, "v");
	assert_ptr_equal(perfdb_jnode_get(o, "k")->parent, o);
	/* members keep document order */
	assert_string_equal(root->u.obj.members[0].key, "n");
	assert_string_equal(root->u.obj.members[7].key, "o");
	assert_int_equal(root->u.obj.members[7].key_len, 1);
	/* lookups on what is not an object, and of what is not there */
	assert_null(perfdb_jnode_get(root, "missing"));
	assert_null(perfdb_jnode_get(a, "a"));
	assert_null(perfdb_jnode_get(NULL, "a"));
	assert_null(perfdb_jnode_member(perfdb_jnode_get(root, "s"), "s"));
	assert_null(perfdb_jnode_get(root, "")); /* a prefix is no match */
	assert_null(perfdb_jnode_get(o, "kk"));
	perfdb_jdoc_free(doc);
	perfdb_jdoc_free(NULL);
}

static void test_json_parse__scalars_at_the_top(void **state)
{
	perfdb_jdoc *doc;
	(void)state;
	doc = parse("  42 ");
	assert_true(perfdb_jdoc_root(doc)->u.number == 42.0);
	perfdb_jdoc_free(doc);
	doc = parse("\"s\"");
	assert_string_equal(perfdb_jdoc_root(doc)->u.str.s, "s");
	perfdb_jdoc_free(doc);
	doc = parse("null");
	assert_int_equal(perfdb_jdoc_root(doc)->type, PERFDB_JNULL);
	perfdb_jdoc_free(doc);
	doc = parse("\n\r\n\tfalse\n\n");
	assert_int_equal(perfdb_jdoc_root(doc)->type, PERFDB_JFALSE);
	assert_int_equal(perfdb_jdoc_root(doc)->line, 3);
	assert_int_equal(perfdb_jdoc_root(doc)->column, 2);
	perfdb_jdoc_free(doc);
}

static void test_json_parse__nonfinite_tokens(void **state)
{
	perfdb_jdoc *doc = parse("[NaN, -NaN, -nan, Infinity, -Infinity, \"NaN\", \"Infinity\"]");
	const perfdb_jnode *a = perfdb_jdoc_root(doc);
	size_t i;
	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(a->u.arr.items[i]->type, PERFDB_JNUMBER);
		assert_true(a->u.arr.items[i]->nonfinite);
		assert_false(a->u.arr.items[i]->integer);
	}
	assert_true(isnan(a->u.arr.items[0]->u.number));
	assert_true(isnan(a->u.arr.items[1]->u.number));
	assert_true(isnan(a->u.arr.items[2]->u.number));
	assert_true(isinf(a->u.arr.items[3]->u.number) && a->u.arr.items[3]->u.number > 0);
	assert_true(isinf(a->u.arr.items[4]->u.number) && a->u.arr.items[4]->u.number < 0);
	/* quoted, they are strings */
	assert_int_equal(a->u.arr.items[5]->type, PERFDB_JSTRING);
	assert_string_equal(a->u.arr.items[5]->u.str.s, "NaN");
	assert_int_equal(a->u.arr.items[6]->type, PERFDB_JSTRING);
	perfdb_jdoc_free(doc);
	/* only these spellings, and never as keys */
	bad("[nan]", 1, 2, "invalid literal");
	bad("[inf]", 1, 2, "invalid literal");
	bad("[-inf]", 1, 2, "invalid number");
	bad("[Nan]", 1, 2, "invalid literal");
	bad("{NaN: 1}", 1, 2, "expected a quoted object key");
	bad("[NaNa]", 1, 5, "expected ',' or ']'");
}

/* --- strings ------------------------------------------------------------------------ */

static void test_json_parse__escapes(void **state)
{
	perfdb_jdoc *doc =
	    parse("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\", \"\\u0041\\u00e9\\u20AC\","
		  " \"\\ud83d\\ude00!\", \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
		  " \"\\u0001\", \"\", \"a\\u0022b\"]");
	const perfdb_jnode *a = perfdb_jdoc_root(doc);
	(void)state;
	assert_string_equal(a->u.arr.items[0]->u.str.s, "\" \\ / \b \f \n \r \t");
	assert_int_equal(a->u.arr.items[0]->u.str.len, 15);
	/* \u escapes become UTF-8 */
	assert_string_equal(a->u.arr.items[1]->u.str.s, "A\xc3\xa9\xe2\x82\xac");
	assert_int_equal(a->u.arr.items[1]->u.str.len, 6);
	/* a surrogate pair is one character, U+1F600 */
	assert_string_equal(a->u.arr.items[2]->u.str.s, "\xf0\x9f\x98\x80!");
	assert_int_equal(a->u.arr.items[2]->u.str.len, 5);
	/* raw UTF-8 is kept as it is */
	assert_string_equal(a->u.arr.items[3]->u.str.s,
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(a->u.arr.items[4]->u.str.s, "\x01");
	assert_string_equal(a->u.arr.items[5]->u.str.s, "");
	assert_int_equal(a->u.arr.items[5]->u.str.len, 0);
	assert_string_equal(a->u.arr.items[6]->u.str.s, "a\"b");
	perfdb_jdoc_free(doc);

	/* escaped keys are looked up decoded */
	doc = parse("{\"k\\u00e9y\\n\": 1, \"long string with an escape at the end\\t\": 2}");
	assert_true(perfdb_jnode_get(perfdb_jdoc_root(doc), "k\xc3\xa9y\n")->u.number == 1.0);
	assert_true(perfdb_jnode_get(perfdb_jdoc_root(doc), "long string with an escape at the "
							    "end\t")
			->u.number == 2.0);
	perfdb_jdoc_free(doc);
}

static void test_json_parse__bad_escapes_and_strings(void **state)
{
	(void)state;
	bad("[\"ab\\x\"]", 1, 5, "invalid escape");
	bad("[\"\\u12G4\"]", 1, 3, "invalid \\u escape");
	bad("[\"\\u12\"]", 1, 3, "invalid \\u escape");
	bad("[\"\\u0000\"]", 1, 3, "\\u0000");
	bad("[\"x\\udc00\"]", 1, 4, "lone UTF-16 low surrogate");
	bad("[\"\\ud83d\"]", 1, 3, "high surrogate without its low surrogate");
	bad("[\"\\ud83dx\"]", 1, 3, "high surrogate without its low surrogate");
	bad("[\"\\ud83d\\u0041\"]", 1, 3, "high surrogate without its low surrogate");
	bad("[\"\\ud83d\\ud83d\"]", 1, 3, "high surrogate without its low surrogate");
	/* unterminated: placed at the opening quote */
	bad("[1,\n  \"abc", 2, 3, "unterminated string");
	bad("[\"abc\\", 1, 2, "unterminated string");
	bad("{\"\xc3\xa9t\xc3\xa9", 1, 2, "unterminated string");
	bad("[\"a\nb\"]", 1, 4, "newline in string");
	bad("[\"a\tb\"]", 1, 4, "control character in string");
	bad("[\"a\x1f\"]", 1, 4, "control character in string");
	bad_len("[\"a\0b\"]", 7, 1, 4, "NUL byte in string");
	/* invalid UTF-8 is refused where it is */
	bad("[\"ab\xc3(\"]", 1, 5, "invalid UTF-8");
	bad("[\"\xc0\xaf\"]", 1, 3, "invalid UTF-8");	      /* overlong '/' */
	bad("[\"\xe0\x80\xaf\"]", 1, 3, "invalid UTF-8");     /* overlong, 3 bytes */
	bad("[\"\xed\xa0\x80\"]", 1, 3, "invalid UTF-8");     /* a surrogate, encoded */
	bad("[\"\xf4\x90\x80\x80\"]", 1, 3, "invalid UTF-8"); /* above U+10FFFF */
	bad("[\"\xf8\x88\x80\x80\x80\"]", 1, 3, "invalid UTF-8");
	bad("[\"\x80\"]", 1, 3, "invalid UTF-8"); /* a lone continuation byte */
	bad("[\"\xe2\x82\"]", 1, 3, "invalid UTF-8");
	bad("[\"\xe2\x82", 1, 3, "invalid UTF-8"); /* cut at the end of the input */
	/* the column counts characters before it: é is one */
	bad("{\"\xc3\xa9\xc3\xa9\": \"\xff\"}", 1, 9, "invalid UTF-8");
	/* outside strings, non-ASCII is no value */
	bad("[\xc3\xa9]", 1, 2, "expected a value");
}

/* --- numbers ------------------------------------------------------------------------ */

static void test_json_parse__numbers_match_strtod(void **state)
{
	/* Each is read bit for bit as strtod (correctly rounded) reads it:
	 * the fast path (mantissa < 2^53, power of ten <= 22) and the cases
	 * that must take the slow one. */
	static const char *const cases[] = {
	    "0",
	    "-0",
	    "0.0",
	    "-0.0",
	    "1",
	    "-1",
	    "0.1",
	    "0.2",
	    "0.3",
	    "0.30000000000000004",
	    "1e23",
	    "1E23",
	    "8.41e21",
	    "1e22",
	    "1e-22",
	    "1e-23",
	    "123456789012345678901",
	    "9007199254740993",
	    "9007199254740992",
	    "900719925474099.1",
	    "4503599627370497.5",
	    "1.7976931348623157e308",
	    "2.2250738585072014e-308",
	    "2.2250738585072011e-308",
	    "4.9e-324",
	    "5e-324",
	    "1e-400",
	    "-1e-400",
	    "3.14159265358979323846264338327950288",
	    "1234.5678",
	    "1250.000000",
	    "1e+2",
	    "1e-2",
	    "1E2",
	    "0.000001",
	    "100000000000000000000000000000000000000000000000000",
	    "0.1000000000000000055511151231257827021181583404541015625",
	    "2.00000000000000011102230246251565404236316680908203125",
	    "2.00000000000000011102230246251565404236316680908203124",
	    "2.00000000000000011102230246251565404236316680908203126",
	    "7.2057594037927933e16",
	    "1e0",
	    "123e-2",
	    "0e10",
	    "-0e-10",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_same_double(number_of(cases[i]), strtod(cases[i], NULL), cases[i]);
	assert_true(signbit(number_of("-0")));
	assert_false(signbit(number_of("0")));
	assert_true(number_of("123456789012345678901") == 1.2345678901234568e20);
	assert_true(number_of("9007199254740993") == 9007199254740992.0);
	assert_true(number_of("1e-400") == 0.0);
	/* integer: no fraction, no exponent, whatever the size */
	assert_true(integer_flag("-0"));
	assert_true(integer_flag("123456789012345678901"));
	assert_false(integer_flag("1.0"));
	assert_false(integer_flag("1e0"));
	assert_false(integer_flag("0.5"));
}

static void test_json_parse__number_syntax(void **state)
{
	(void)state;
	bad("[01]", 1, 2, "leading zeros");
	bad("[-01]", 1, 2, "leading zeros");
	bad("[-]", 1, 2, "invalid number");
	bad("[-a]", 1, 2, "invalid number");
	bad("[1.]", 1, 2, "a digit must follow '.'");
	bad("[1.e5]", 1, 2, "a digit must follow '.'");
	bad("[1e]", 1, 2, "a digit must follow the exponent");
	bad("[1e+]", 1, 2, "a digit must follow the exponent");
	bad("[ .5]", 1, 3, "expected a value");
	bad("[+1]", 1, 2, "expected a value");
	bad("[0x10]", 1, 3, "expected ',' or ']'");
	bad("[--1]", 1, 2, "invalid number");
	bad("[1e999]", 1, 2, "out of range");
	bad("[-1e309]", 1, 2, "out of range");
	bad("[1"
	    "000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000]",
	    1, 2, "out of range");
	bad("[1.5.2]", 1, 5, "expected ',' or ']'");
}

static void test_json_parse__numbers_ignore_the_locale(void **state)
{
	/* A program that called setlocale() must not read "1.5" as 1. Only
	 * meaningful where a decimal-comma locale is installed. */
	const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "C.UTF-8"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setlocale(LC_NUMERIC, names[i]))
			break;
	/* 17 significant digits: the strtod path, not the fast one */
	assert_same_double(number_of("1.2345678901234567"), 1.2345678901234567, "slow path");
	assert_same_double(number_of("1.5"), 1.5, "fast path");
	setlocale(LC_NUMERIC, "C");
}

/* --- positions ----------------------------------------------------------------------- */

static void test_json_parse__positions_of_values_and_keys(void **state)
{
	static const char text[] = "{\n"
				   "  \"a\": [1, {\"b\": \"x\"}],\r\n"
				   "\t\"\xc3\xa9\xe2\x82\xac\": true, \"c\" : null,\n"
				   "  \"\\u00e9d\":\n"
				   "     -2.5e3\n"
				   "}";
	perfdb_jdoc *doc = parse(text);
	const perfdb_jnode *root = perfdb_jdoc_root(doc), *a, *inner;
	const perfdb_jmember *m;
	(void)state;
	assert_int_equal(root->line, 1);
	assert_int_equal(root->column, 1);
	m = perfdb_jnode_member(root, "a");
	assert_int_equal(m->line, 2);
	assert_int_equal(m->column, 3);
	a = m->value;
	assert_int_equal(a->line, 2);
	assert_int_equal(a->column, 8);
	assert_int_equal(a->u.arr.items[0]->column, 9);
	inner = a->u.arr.items[1];
	assert_int_equal(inner->column, 12);
	m = perfdb_jnode_member(inner, "b");
	assert_int_equal(m->line, 2);
	assert_int_equal(m->column, 13);
	assert_int_equal(m->value->column, 18);
	/* a tab is one column; é and € are one each */
	m = perfdb_jnode_member(root, "\xc3\xa9\xe2\x82\xac");
	assert_int_equal(m->line, 3);
	assert_int_equal(m->column, 2);
	assert_int_equal(m->value->line, 3);
	assert_int_equal(m->value->column, 8);
	m = perfdb_jnode_member(root, "c");
	assert_int_equal(m->column, 14);
	assert_int_equal(m->value->column, 20);
	/* an escape is as many columns as it is written with; a value on the
	 * next line has its own line */
	m = perfdb_jnode_member(root, "\xc3\xa9"
				      "d");
	assert_int_equal(m->line, 4);
	assert_int_equal(m->column, 3);
	assert_int_equal(m->value->line, 5);
	assert_int_equal(m->value->column, 6);
	assert_true(m->value->u.number == -2500.0);
	perfdb_jdoc_free(doc);

	/* the column after a string with escapes and multi-byte characters */
	doc = parse("[\"\\u00e9\\n\xc3\xa9\", 7]");
	assert_int_equal(perfdb_jdoc_root(doc)->u.arr.items[1]->column, 15);
	perfdb_jdoc_free(doc);
}

static void test_json_parse__byte_order_mark(void **state)
{
	perfdb_jdoc *doc;
	perfdb_jerror err;
	(void)state;
	doc = parse("\xEF\xBB\xBF{\"a\": 1}");
	/* the mark is no column */
	assert_int_equal(perfdb_jdoc_root(doc)->column, 1);
	assert_int_equal(perfdb_jnode_get(perfdb_jdoc_root(doc), "a")->column, 7);
	perfdb_jdoc_free(doc);
	bad("\xEF\xBB\xBF[1,]", 1, 3, "trailing comma");
	/* a mark alone is empty input; one in the middle is not JSON */
	assert_int_equal(perfdb_jdoc_parse(&doc, "\xEF\xBB\xBF \n", 5, &err), PERFDB_JPARSE_EMPTY);
	assert_null(doc);
	bad("[1, \xEF\xBB\xBF 2]", 1, 5, "expected a value");
}

/* --- syntax errors --------------------------------------------------------------------- */

static void test_json_parse__syntax_errors_and_positions(void **state)
{
	(void)state;
	/* trailing commas: at the comma */
	bad("[1, 2,]", 1, 6, "trailing comma in array");
	bad("[1,\n  2,\n]", 2, 4, "trailing comma in array");
	bad("{\"a\": 1,\n}", 1, 8, "trailing comma in object");
	/* missing separators and keys */
	bad("[1 2]", 1, 4, "expected ',' or ']' after an array item");
	bad("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}' after an object member");
	bad("{\"a\" 1}", 1, 6, "expected ':' after an object key");
	bad("{1: 2}", 1, 2, "expected a quoted object key");
	bad("{'a': 2}", 1, 2, "expected a quoted object key");
	bad("{\"a\": 1, }", 1, 8, "trailing comma in object");
	bad("[1,,2]", 1, 4, "expected a value");
	bad("{\"a\":}", 1, 6, "expected a value");
	bad("[}", 1, 2, "expected a value");
	bad("{]", 1, 2, "expected a quoted object key");
	bad("[1}", 1, 3, "expected ',' or ']'");
	/* literals */
	bad("[tru]", 1, 2, "invalid literal");
	bad("[nul]", 1, 2, "invalid literal");
	bad("[True]", 1, 2, "invalid literal");
	bad("[hello]", 1, 2, "invalid literal");
	bad("[truex]", 1, 6, "expected ',' or ']'");
	bad("@", 1, 1, "expected a value");
	/* the end of the input: after the last token, however much white
	 * space follows */
	bad("[", 1, 2, "unexpected end of input: a value is missing");
	bad("[1,", 1, 4, "unexpected end of input: a value is missing");
	bad("[1", 1, 3, "unexpected end of input: an array is not closed");
	bad("{\"a\": [1, 2],\n  \"b\": 3\n\n   \n", 2, 9,
	    "unexpected end of input: an object is not closed");
	bad("{", 1, 2, "unexpected end of input: an object is not closed");
	bad("{\"a\"", 1, 5, "unexpected end of input: an object is not closed");
	bad("{\"a\":  \n", 1, 6, "unexpected end of input: a value is missing");
	/* after the value */
	bad("[1] [2]", 1, 5, "unexpected text after the JSON value");
	bad("{}\n}", 2, 1, "unexpected text after the JSON value");
	bad("1 2", 1, 3, "unexpected text after the JSON value");
	bad_len("[1]\0", 4, 1, 4, "NUL byte in input");
	bad_len("[1,\0 2]", 7, 1, 4, "NUL byte in input");
	bad_len("\0", 1, 1, 1, "NUL byte in input");
	bad_len("{\"a\": 1\0}", 9, 1, 8, "NUL byte in input");
}

static void test_json_parse__empty_input(void **state)
{
	perfdb_jdoc *doc = (perfdb_jdoc *)&doc;
	(void)state;
	assert_int_equal(perfdb_jdoc_parse(&doc, "", 0, NULL), PERFDB_JPARSE_EMPTY);
	assert_null(doc);
	assert_int_equal(perfdb_jdoc_parse(&doc, NULL, 0, NULL), PERFDB_JPARSE_EMPTY);
	assert_int_equal(perfdb_jdoc_parse(&doc, " \r\n\t\n ", 6, NULL), PERFDB_JPARSE_EMPTY);
	/* only len bytes are read: what follows does not count */
	assert_int_equal(perfdb_jdoc_parse(&doc, "  [1]", 2, NULL), PERFDB_JPARSE_EMPTY);
	/* and so does the syntax check */
	assert_int_equal(check_len("", 0, NULL), PERFDB_JPARSE_EMPTY);
	assert_int_equal(check_len("\xEF\xBB\xBF \r\n\t", 7, NULL), PERFDB_JPARSE_EMPTY);
	assert_int_equal(check_len("  [1]", 2, NULL), PERFDB_JPARSE_EMPTY);
	doc = parse_len("[1] garbage", 3);
	assert_int_equal(perfdb_jdoc_root(doc)->u.arr.count, 1);
	perfdb_jdoc_free(doc);
}

static void test_json_parse__duplicate_keys(void **state)
{
	char body[4096], text[4200];
	size_t len = 0;
	int i;
	perfdb_jdoc *doc;
	(void)state;
	/* at the repeated key */
	bad("{\"a\": 1, \"b\": 2, \"a\": 3}", 1, 18, "duplicate key 'a'");
	bad("{\"a\": {\"x\": 1, \"x\": 2}}", 1, 16, "duplicate key 'x'");
	/* the same text decoded is the same key */
	bad("{\"\\u0061\": 1, \"a\": 2}", 1, 15, "duplicate key 'a'");
	bad("{\"\": 1, \"\": 2}", 1, 9, "duplicate key ''");
	/* the key in the message stays on one line */
	bad("{\"a\\nb\": 1, \"a\\nb\": 2}", 1, 13, "duplicate key 'a?b'");
	/* the same key in different objects is no duplicate; keys that share
	 * a prefix or a length are different */
	doc =
	    parse("[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3}}, {\"ab\": 1, \"a\": 2, \"ba\": 3}]");
	perfdb_jdoc_free(doc);
	/* a large object (found through a hash table): 200 keys, then a repeat
	 * of the 37th */
	for (i = 0; i < 200; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"key%d\": %d",
					i ? ", " : "", i, i);
	assert_true(len < sizeof(body) - 1);
	snprintf(text, sizeof(text), "{%s}", body);
	doc = parse(text);
	assert_int_equal(perfdb_jdoc_root(doc)->u.obj.count, 200);
	assert_true(perfdb_jnode_get(perfdb_jdoc_root(doc), "key199")->u.number == 199.0);
	assert_true(perfdb_jnode_get(perfdb_jdoc_root(doc), "key0")->u.number == 0.0);
	perfdb_jdoc_free(doc);
	snprintf(text, sizeof(text), "{%s,\n \"key36\": 1}", body);
	bad(text, 2, 2, "duplicate key 'key36'");
	/* and a repeat among the first keys of a large object */
	snprintf(text, sizeof(text), "{\"key5\": 0, %s}", body);
	bad(text, 1, (int)(strstr(text + 2, "\"key5\"") - text) + 1, "duplicate key 'key5'");
}

static void test_json_parse__depth_limit(void **state)
{
	char text[2 * PERFDB_JSON_MAX_DEPTH + 2];
	char objs[5 * (PERFDB_JSON_MAX_DEPTH + 1)];
	perfdb_jdoc *doc;
	const perfdb_jnode *n;
	int i, depth = 0;
	(void)state;
	/* exactly the limit: accepted */
	memset(text, '[', PERFDB_JSON_MAX_DEPTH);
	memset(text + PERFDB_JSON_MAX_DEPTH, ']', PERFDB_JSON_MAX_DEPTH);
	doc = parse_len(text, 2 * PERFDB_JSON_MAX_DEPTH);
	for (n = perfdb_jdoc_root(doc); n->u.arr.count; n = n->u.arr.items[0])
		depth++;
	assert_int_equal(depth, PERFDB_JSON_MAX_DEPTH - 1);
	assert_int_equal(n->column, PERFDB_JSON_MAX_DEPTH);
	perfdb_jdoc_free(doc);
	/* one more: refused at the bracket that goes too deep */
	memset(text, '[', PERFDB_JSON_MAX_DEPTH + 1);
	bad_len(text, PERFDB_JSON_MAX_DEPTH + 1, 1, PERFDB_JSON_MAX_DEPTH + 1, "nesting too deep");
	/* objects are levels too */
	for (i = 0; i <= PERFDB_JSON_MAX_DEPTH; i++)
		memcpy(objs + 5 * i, "{\"a\":", 5);
	bad_len(objs, sizeof(objs), 1, 5 * PERFDB_JSON_MAX_DEPTH + 1, "nesting too deep");
}

static void test_json_parse__large_documents(void **state)
{
	/* 100,000 items and 3,000 keys: the child stacks and the arena grow. */
	size_t cap = 8000000, len = 0, i;
	char *text = malloc(cap);
	perfdb_jdoc *doc;
	const perfdb_jnode *root, *items, *obj;
	char key[32];
	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "{\"items\": [");
	for (i = 0; i < 100000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"v\": %zu.5, \"s\": \"n%zu\"}",
					i ? "," : "", i, i);
	len += (size_t)snprintf(text + len, cap - len, "], \"obj\": {");
	for (i = 0; i < 3000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\"k%zu\": [%zu]", i ? "," : "", i,
					i);
	len += (size_t)snprintf(text + len, cap - len, "}}");
	assert_true(len < cap - 1);
	doc = parse_len(text, len);
	root = perfdb_jdoc_root(doc);
	items = perfdb_jnode_get(root, "items");
	assert_int_equal(items->u.arr.count, 100000);
	for (i = 0; i < 100000; i += 999) {
		const perfdb_jnode *it = items->u.arr.items[i];
		char want[32];
		snprintf(want, sizeof(want), "n%zu", i);
		assert_true(perfdb_jnode_get(it, "v")->u.number == (double)i + 0.5);
		assert_string_equal(perfdb_jnode_get(it, "s")->u.str.s, want);
		assert_int_equal(it->index, i);
		assert_ptr_equal(it->parent, items);
	}
	obj = perfdb_jnode_get(root, "obj");
	assert_int_equal(obj->u.obj.count, 3000);
	for (i = 0; i < 3000; i += 7) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_true(perfdb_jnode_get(obj, key)->u.arr.items[0]->u.number == (double)i);
	}
	perfdb_jdoc_free(doc);
	free(text);
}

/* --- the JSON layer ---------------------------------------------------------------------- */

static void test_json_parse__layer_errors(void **state)
{
	perfdb_json_doc *doc = (perfdb_json_doc *)&doc;
	(void)state;
	assert_int_equal(perfdb_json__load(&doc, "{\"a\": [1,]}", 11, "x.json"), PERFDB_EINPUT);
	assert_null(doc);
	assert_int_equal(perfdb_error_last()->line, 1);
	assert_int_equal(perfdb_error_last()->column, 9);
	assert_string_equal(perfdb_error_last()->file, "x.json");
	assert_string_equal(perfdb_error_last()->message,
			    "x.json:1:9: invalid JSON: trailing comma in array");
	assert_int_equal(perfdb_json__load(&doc, "[\"\xff\"]", 5, "u.json"), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->message,
			    "u.json:1:3: invalid JSON: invalid UTF-8 in string");
	/* empty, also with a byte order mark only */
	assert_int_equal(perfdb_json__load(&doc, " \n", 2, "e.json"), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->message, "e.json: empty input");
	assert_int_equal(perfdb_json__load(&doc, "\xEF\xBB\xBF", 3, "e.json"), PERFDB_EINPUT);
	assert_null(doc);
}

static void test_json_parse__layer_values(void **state)
{
	static const char text[] =
	    "{\"i\": 3, \"big\": 123456789012345678901, \"neg\": -9223372036854775808,"
	    " \"r\": 2.5, \"e\": 3e0, \"n\": NaN, \"s\": \"x\", \"t\": true,"
	    " \"ctx\": {\"caches\": [{\"type\": \"Data\", \"size\": 32768}], \"f\": 0.1, \"x\": "
	    "-Infinity}}";
	perfdb_json_doc *doc;
	const perfdb_jnode *root;
	int64_t k;
	double d;
	char *dump;
	char path[64], want[128];
	(void)state;
	assert_int_equal(perfdb_json__load(&doc, text, sizeof(text) - 1, "v.json"), 0);
	root = perfdb_json__root(doc);
	assert_true(perfdb_json__integer(perfdb_json__get(root, "i"), &k));
	assert_int_equal(k, 3);
	assert_true(perfdb_json__integer(perfdb_json__get(root, "neg"), &k));
	assert_true(k == INT64_MIN);
	assert_false(perfdb_json__integer(perfdb_json__get(root, "big"), &k)); /* > int64 */
	assert_false(perfdb_json__integer(perfdb_json__get(root, "r"), &k));
	assert_false(perfdb_json__integer(perfdb_json__get(root, "e"), &k)); /* a real */
	assert_false(perfdb_json__integer(perfdb_json__get(root, "n"), &k));
	assert_false(perfdb_json__integer(perfdb_json__get(root, "s"), &k));
	assert_false(perfdb_json__integer(NULL, &k));
	assert_true(perfdb_json__number(perfdb_json__get(root, "big"), &d));
	assert_true(d == 1.2345678901234568e20);
	assert_string_equal(perfdb_json__type_name(perfdb_json__get(root, "i")), "an integer");
	assert_string_equal(perfdb_json__type_name(perfdb_json__get(root, "r")), "a number");
	assert_string_equal(perfdb_json__type_name(perfdb_json__get(root, "n")), "NaN");
	assert_string_equal(perfdb_json__type_name(perfdb_json__get(root, "t")), "true");
	assert_string_equal(perfdb_json__type_name(perfdb_json__get(root, "ctx")), "an object");
	assert_string_equal(perfdb_json__type_name(NULL), "nothing");
	/* members in order, items by index */
	assert_string_equal(perfdb_json__member_at(root, 0)->key, "i");
	assert_null(perfdb_json__member_at(root, 9));
	assert_null(perfdb_json__member_at(perfdb_json__get(root, "s"), 0));
	assert_int_equal(perfdb_json__size(root), 9);
	assert_int_equal(perfdb_json__size(perfdb_json__get(root, "s")), 0);
	assert_null(perfdb_json__item(perfdb_json__get(root, "s"), 0));
	/* the writer (jansson): compact, NaN and infinities as null */
	assert_int_equal(perfdb_json__dump(perfdb_json__get(root, "ctx"), &dump), 0);
	assert_string_equal(
	    dump, "{\"caches\":[{\"type\":\"Data\",\"size\":32768}],\"f\":0.1,\"x\":null}");
	free(dump);
	/* a path through an array inside an object */
	perfdb_json__path(
	    doc,
	    perfdb_json__get(
		perfdb_json__item(perfdb_json__get(perfdb_json__get(root, "ctx"), "caches"), 0),
		"size"),
	    NULL, path, sizeof(path));
	assert_string_equal(path, "ctx.caches[0].size");
	/* a present value of the wrong type is placed at the value */
	assert_int_equal(perfdb_json__member_number(doc, root, "s", true, &d), PERFDB_EINPUT);
	snprintf(want, sizeof(want), "v.json:1:%d: field 's': expected a number, found a string",
		 (int)(strstr(text, "\"x\"") - text) + 1);
	assert_string_equal(perfdb_error_last()->message, want);
	perfdb_json__free(doc);
}

/* A padded copy of text for perfdb_jdoc_count. */
static char *padded(const char *text, size_t len)
{
	char *p = calloc(1, len + PERFDB_JPARSE_PADDING);
	assert_non_null(p);
	memcpy(p, text, len);
	return p;
}

/*
 * perfdb_jparse__values is the nodes a parse makes (packed numbers are not
 * values), and perfdb_jdoc_count refuses as perfdb_jdoc_parse_at does, at
 * the same value in the same words, or gives the same syntax error, for
 * every bound up to the values: so a piece of a file that passes the bound
 * is refused without its tree (json_stream.c).
 */
static void test_json_parse__values_counted_as_the_tree(void **state)
{
	static const char *const texts[] = {
	    "1",
	    "\"s\"",
	    "[]",
	    "{}",
	    "[[],{},null,true,false]",
	    "{\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": \"e\\\"]\", \"f\": [null]}}",
	    /* 16 numbers: packed, no node each; 15: a node each */
	    "{\"p\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16], \"q\": [1]}",
	    "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]",
	    "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]",
	    /* parsed again with nodes at the item that is no number */
	    "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,\"x\",[],{}]",
	    "[NaN,-Infinity,Infinity,-NaN,1e5,-2.5E-3,1,1,1,1,1,1,1,1,1,1]",
	    "[[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],[1,1],[[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]]]",
	    "{\"k\\\\\": {\"x\": [\"[\", \"{\", \"]\"], \"y\": {}}, \"z\": -0}",
	    " \n[ 1 , [ ] , { \"a\" : [ 2 , 3 ] } ]\n",
	    /* syntax errors before and after values */
	    "[[],[],x,[]]",
	    "[[],[],{\"a\" 1},[]]",
	    "{\"a\": [], \"a\": []}",
	    "[[],[],[]",
	    "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,1x]",
	};
	size_t t;
	(void)state;
	for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		const char *text = texts[t];
		size_t len = strlen(text), values = perfdb_jparse__values(text, len), before, max;
		perfdb_jdoc *doc = NULL;
		perfdb_jerror e;
		int rc;

		before = perfdb_jparse__nodes_made();
		rc = perfdb_jdoc_parse(&doc, text, len, &e);
		if (!rc) {
			if (perfdb_jparse__nodes_made() - before != values) {
				print_error("%s: %zu values, %zu nodes\n", text, values,
					    perfdb_jparse__nodes_made() - before);
				fail();
			}
		}
		perfdb_jdoc_free(doc);
		for (max = 1; max <= values + 1; max++) {
			perfdb_jparse_at at;
			perfdb_jerror a, b;
			char *copy = padded(text, len);
			int ra, rb;
			memset(&at, 0, sizeof(at));
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			at.max_values = max;
			doc = NULL;
			ra = perfdb_jdoc_parse_at(&doc, text, len, &at, &a);
			perfdb_jdoc_free(doc);
			rb = perfdb_jdoc_count(copy, len, &at, &b);
			free(copy);
			if (ra != rb || (ra && (a.line != b.line || a.column != b.column ||
						strcmp(a.message, b.message) != 0))) {
				print_error("%s, max %zu: parse %d %d:%d %s, count %d %d:%d %s\n",
					    text, max, ra, a.line, a.column, a.message, rb, b.line,
					    b.column, b.message);
				fail();
			}
			if (!rc)
				assert_int_equal(ra, max >= values ? 0 : PERFDB_JPARSE_LIMIT);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_parse__every_value_type),
	    cmocka_unit_test(test_json_parse__values_counted_as_the_tree),
	    cmocka_unit_test(test_json_parse__scalars_at_the_top),
	    cmocka_unit_test(test_json_parse__nonfinite_tokens),
	    cmocka_unit_test(test_json_parse__escapes),
	    cmocka_unit_test(test_json_parse__bad_escapes_and_strings),
	    cmocka_unit_test(test_json_parse__numbers_match_strtod),
	    cmocka_unit_test(test_json_parse__number_syntax),
	    cmocka_unit_test(test_json_parse__numbers_ignore_the_locale),
	    cmocka_unit_test(test_json_parse__positions_of_values_and_keys),
	    cmocka_unit_test(test_json_parse__byte_order_mark),
	    cmocka_unit_test(test_json_parse__syntax_errors_and_positions),
	    cmocka_unit_test(test_json_parse__empty_input),
	    cmocka_unit_test(test_json_parse__duplicate_keys),
	    cmocka_unit_test(test_json_parse__depth_limit),
	    cmocka_unit_test(test_json_parse__large_documents),
	    cmocka_unit_test(test_json_parse__layer_errors),
	    cmocka_unit_test(test_json_parse__layer_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
