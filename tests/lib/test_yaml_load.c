/*
 * Sequences kept packed (lib/ingest/yaml_load.h): native YAML read with a
 * plain number an 8-byte value and no libyaml node against the same bytes
 * read with every item a node, the way before (tests/lib/yaml_same.h): the
 * results, warnings, metadata, or the error with its position, must be the
 * same byte for byte, for the YAML and JSON files of tests/data (JSON is
 * YAML's flow style) and for generated files that put every kind of item
 * (a string, null, .nan, .inf, ~, quoted, tagged, 0x1F, 1_000, +1, .5,
 * 1e999, -0, integers past 2^53, anchors, aliases, collections) at the
 * start, in the middle and at the end of sequences of numbers, in flow and
 * block style, nested, empty, of one item, with comments between items,
 * in a result's samples and elsewhere. And the packing itself: numbers
 * make no node, and the limits count them as nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/yaml_load.h"
#include "ingest_expect.h"
#include "resultset_text.h"
#include "ingest_same.h"
#include "yaml_same.h"

/* --- the two ways ------------------------------------------------------------------------ */

static size_t compared;

static void same_text(const char *text, size_t len, const char *name)
{
	assert_true(yaml_same(text, len, name));
	compared++;
}

static void same_file(const char *path)
{
	size_t len;
	char *text = slurp_file(path, &len);
	same_text(text, len, path);
	free(text);
}

/* The generated files are rs_texts (resultset_text.h). */
static void same_gen(rs_text *g)
{
	same_text(g->s, g->len, "gen.yaml");
	g->len = 0;
}

/* --- the files of tests/data ----------------------------------------------------------- */

static void test_yaml_load__packed_same_as_nodes_tests_data(void **state)
{
	(void)state;
	compared = 0;
	assert_true(same_under(PERFDB_TEST_DATA, ".yaml", same_file) >= 2);
	assert_true(same_under(PERFDB_TEST_DATA, ".json", same_file) >= 20);
	assert_true(same_under(PERFDB_SOURCE_DIR "/tests/fuzz/corpus", ".yaml", same_file) >= 4);
}

/* --- generated files --------------------------------------------------------------------- */

/* Items that are no plain number of native YAML's, and numbers of every
 * spelling; "*a" names the anchor every file defines. */
static const char *const odd[] = {"abc",
				  "~",
				  "null",
				  "Null",
				  "",
				  ".nan",
				  ".NaN",
				  ".inf",
				  "-.inf",
				  "+.Inf",
				  "\"1\"",
				  "'1'",
				  "!!str 1",
				  "!!int 1",
				  "!!float 2",
				  "!!null ~",
				  "!!bool true",
				  "! 7",
				  "true",
				  "False",
				  "0x1F",
				  "0o17",
				  "0xZZ",
				  "1_000",
				  "+1",
				  ".5",
				  "5.",
				  "1e999",
				  "-1e999",
				  "-0",
				  "0",
				  "9007199254740993",
				  "18446744073709551617",
				  "1e-400",
				  "12abc",
				  "&b 5",
				  "*a",
				  "[1, 2]",
				  "{x: 1}",
				  "[]",
				  "1 2",
				  "\"\"",
				  "-",
				  "1.5e+3",
				  "- 3",
				  "!!str",
				  "&c [4]",
				  "é",
				  ".5e1"};

#define NODD (sizeof(odd) / sizeof(odd[0]))

/* A sequence of numbers with `item` at position `at` (0: start, 1: middle,
 * 2: end; 3: alone), in flow style or block style indented by `indent`. */
static void put_seq(rs_text *g, const char *item, int at, bool flow, int indent)
{
	static const char *const nums[] = {"1", "2.5", "-3", "4e2"};
	const char *items[6];
	size_t n = 0, i;
	if (at == 0)
		items[n++] = item;
	items[n++] = nums[0];
	items[n++] = nums[1];
	if (at == 1)
		items[n++] = item;
	items[n++] = nums[2];
	items[n++] = nums[3];
	if (at == 2)
		items[n++] = item;
	if (at == 3) {
		items[0] = item;
		n = 1;
	}
	if (flow) {
		rs_text_add(g, "[");
		for (i = 0; i < n; i++)
			rs_text_add(g, "%s%s", i ? ", " : "", items[i]);
		rs_text_add(g, "]\n");
		return;
	}
	rs_text_add(g, "\n");
	for (i = 0; i < n; i++)
		rs_text_add(g, "%*s- %s\n", indent, "", items[i]);
}

static void test_yaml_load__packed_same_as_nodes_generated(void **state)
{
	rs_text g = {NULL, 0, 0};
	size_t i;
	int at, flow;
	(void)state;
	compared = 0;
	for (i = 0; i < NODD; i++) {
		for (at = 0; at < 4; at++) {
			for (flow = 0; flow < 2; flow++) {
				/* a result's samples */
				rs_text_add(
				    &g,
				    "x-a: &a 7\nresults:\n- benchmark: b\n  unit: ms\n  samples: ");
				put_seq(&g, odd[i], at, flow, 2);
				same_gen(&g);
				/* the same, the document loaded whole (an alias names results) */
				rs_text_add(&g,
					    "x-a: &a 7\nresults: &r\n- benchmark: b\n  samples: ");
				put_seq(&g, odd[i], at, flow, 2);
				rs_text_add(&g, "x-r: *r\n");
				same_gen(&g);
				/* a second result after the first, and a value */
				rs_text_add(&g, "x-a: &a 7\nresults:\n- {benchmark: a, value: 1}\n"
						"- benchmark: b\n  value: 2\n  samples: ");
				put_seq(&g, odd[i], at, flow, 2);
				same_gen(&g);
				/* outside results: an extension, then a result */
				rs_text_add(&g, "x-a: &a 7\nx-data: ");
				put_seq(&g, odd[i], at, flow, 0);
				rs_text_add(&g, "results: [{benchmark: b, value: 1}]\n");
				same_gen(&g);
				/* results itself */
				rs_text_add(&g, "x-a: &a 7\nresults: ");
				put_seq(&g, odd[i], at, flow, 0);
				same_gen(&g);
				/* where no sequence belongs */
				rs_text_add(&g, "x-a: &a 7\nrun:\n  tags: ");
				put_seq(&g, odd[i], at, flow, 4);
				rs_text_add(&g, "results: [{benchmark: b, value: 1}]\n");
				same_gen(&g);
				rs_text_add(&g, "x-a: &a 7\nresults:\n- benchmark: b\n  value: ");
				put_seq(&g, odd[i], at, flow, 2);
				same_gen(&g);
				/* nested: a sequence of sequences */
				rs_text_add(
				    &g, "x-a: &a 7\nresults:\n- benchmark: b\n  samples:\n  - ");
				put_seq(&g, odd[i], at, true, 4);
				rs_text_add(&g, "  - [5, 6]\n");
				same_gen(&g);
				/* anchored and aliased: the sequence, and a result holding it */
				rs_text_add(&g, "x-a: &a 7\nx-s: &s ");
				put_seq(&g, odd[i], at, flow, 0);
				rs_text_add(
				    &g, "results:\n- {benchmark: a, samples: *s}\n"
					"- &r2 {benchmark: b, samples: [1, 2]}\n- {benchmark: c, "
					"samples: "
					"*s}\n");
				same_gen(&g);
				rs_text_add(
				    &g, "x-a: &a 7\nresults:\n- &r1\n  benchmark: a\n  samples: ");
				put_seq(&g, odd[i], at, flow, 2);
				rs_text_add(&g, "x-b: *r1\n");
				same_gen(&g);
			}
		}
	}
	/* empty sequences, one item, comments between items, multi-byte
	 * characters before an item (columns count characters) */
	rs_text_add(&g, "results:\n- benchmark: b\n  samples: []\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: b\n  value: 1\n  x-e: []\n  samples: [7]\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: b\n  samples:\n  # one\n  - 1 # two\n\n  # three\n"
			"  - 2\n  -   .nan   # four\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: b\n  samples: [ # one\n    1, # two\n\n    2,\n"
			"    # three\n    .inf ]\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: \"é€\"\n  samples: [1, 2, \"é\", .nan]\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- {benchmark: \"é€\", samples: [1, 2, 3, 1e999]}\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: b\n  samples: [1, 2, [3]\n");
	same_gen(&g);
	rs_text_add(&g, "results:\n- benchmark: b\n  samples: [1, 2, 3]\n---\nresults: []\n");
	same_gen(&g);
	free(g.s);
	assert_true(compared > NODD * 4 * 2 * 10);
}

/* The limits count packed numbers as nodes: the anchored items of results
 * (100,000 nodes) and what aliases expand to (1,000,000 beyond four times
 * the nodes written). */
static void test_yaml_load__packed_numbers_count_as_nodes(void **state)
{
	rs_text g = {NULL, 0, 0};
	size_t i;
	int k;
	(void)state;
	/* an anchored item of 99,990 and of 100,010 numbers */
	for (k = 0; k < 2; k++) {
		rs_text_add(&g, "results:\n- {benchmark: &b a, samples: [1");
		for (i = 1; i < (k ? 100010u : 99990u); i++)
			rs_text_add(&g, ", %zu", i % 97);
		rs_text_add(&g, "]}\n- {benchmark: b, value: 1}\n");
		same_gen(&g);
	}
	rs_text_add(&g, "results:\n- {benchmark: &b a, samples: [1");
	for (i = 1; i < 100010u; i++)
		rs_text_add(&g, ", %zu", i % 97);
	rs_text_add(&g, "]}\n");
	{
		perfdb_resultset *rs;
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		assert_int_equal(perfdb_ingest__native_yaml(rs, g.s, g.len, "k.yaml"),
				 PERFDB_EINPUT);
		assert_int_equal(perfdb_error_last()->line, 2);
		assert_int_equal(perfdb_error_last()->column, 3);
		assert_non_null(
		    strstr(perfdb_error_last()->message,
			   "the anchored items of 'results' hold more than 100,000 nodes"));
		perfdb_resultset_free(rs);
		g.len = 0;
	}
	/* 100,000 numbers aliased 12 and 14 times: below and past the allowance */
	for (k = 12; k <= 14; k += 2) {
		int j;
		rs_text_add(&g, "x-s: &s [1");
		for (i = 1; i < 100000u; i++)
			rs_text_add(&g, ", 2");
		rs_text_add(&g, "]\nx-t: [");
		for (j = 0; j < k; j++)
			rs_text_add(&g, "%s*s", j ? ", " : "");
		rs_text_add(&g, "]\nresults: [{benchmark: b, samples: *s}]\n");
		same_gen(&g);
	}
	free(g.s);
}

/* Sequences longer than what a take copies at a time (131,072 numbers),
 * a non-number at a chunk's edge and at the end, flow and block style. */
static void test_yaml_load__long_sequences(void **state)
{
	static const size_t odd_at[] = {(size_t)-1, 131071, 131072, 299999};
	rs_text g = {NULL, 0, 0};
	perfdb_resultset *rs;
	const perfdb_result *r;
	size_t i, k;
	int flow;
	(void)state;
	for (flow = 0; flow < 2; flow++) {
		for (k = 0; k < sizeof(odd_at) / sizeof(odd_at[0]); k++) {
			rs_text_add(&g, "results:\n- benchmark: big\n  unit: us\n  samples:%s",
				    flow ? " [" : "\n");
			for (i = 0; i < 300000; i++) {
				const char *item = i == odd_at[k] ? (k % 2 ? ".nan" : "x") : NULL;
				if (flow)
					rs_text_add(&g, "%s", i ? ", " : "");
				else
					rs_text_add(&g, "  - ");
				if (item)
					rs_text_add(&g, "%s", item);
				else
					rs_text_add(&g, "%zu.%zu", i % 1000, i % 7);
				if (!flow)
					rs_text_add(&g, "\n");
			}
			rs_text_add(&g, "%s", flow ? "]\n" : "");
			if (k == 0) {
				assert_int_equal(perfdb_resultset_new(&rs), 0);
				assert_int_equal(
				    perfdb_ingest__native_yaml(rs, g.s, g.len, "l.yaml"), 0);
				r = perfdb_resultset_get(rs, 0);
				assert_int_equal(r->nsamples, 300000);
				for (i = 0; i < 300000; i += 997)
					assert_near(r->samples[i],
						    ((double)(i % 1000) + (double)(i % 7) / 10) *
							1000,
						    1e-6);
				perfdb_resultset_free(rs);
			}
			same_gen(&g);
		}
	}
	free(g.s);
}

static int count_items(void *ctx, yaml_document_t *doc, yaml_node_t *item, size_t index)
{
	(void)doc;
	(void)item;
	(void)index;
	++*(size_t *)ctx;
	return 0;
}

static bool number_of(const char *plain, double *out)
{
	char *end;
	*out = strtod(plain, &end);
	return *plain && !*end;
}

/* What the loader keeps: the numbers of a sequence as values, no node each;
 * any other item as a node in its place; the cut sequence's items as nodes. */
static void test_yaml_load__numbers_make_no_node(void **state)
{
	const char *text = "x-d: [1, 2.5, \"3\", x, !!int 4, &n 5, *n, [6], 7]\n"
			   "results:\n- {samples: [8, 9]}\n- 10\n";
	perfdb_yaml_packing pack = {.number = number_of};
	size_t items = 0;
	perfdb_yaml_cut cut = {.key = "results", .each = count_items, .ctx = &items};
	const perfdb_yaml_seq *s;
	yaml_parser_t parser;
	yaml_document_t doc;
	double v = 0;
	int expect[9] = {0, 0, 4, 5, 6, 7, 7, 8, 0};
	size_t i;
	(void)state;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	assert_int_equal(perfdb_ingest__yaml_load_cut(&doc, &parser, "p.yaml", "run", &cut, &pack),
			 0);
	yaml_parser_delete(&parser);
	assert_int_equal(items, 2);
	/* root; x-d, its sequence, "3", x, 4, 5, [6]; results and its
	 * sequence: 10 nodes for 11 scalars and 4 collections */
	assert_int_equal(doc.nodes.top - doc.nodes.start, 10);
	/* x-d's sequence (node 3) and [6] (node 8); results' is not packed,
	 * its items' were dropped with them */
	assert_int_equal(pack.count, 2);
	assert_null(perfdb_ingest__yaml_packed(&pack, 10));
	assert_non_null(s = perfdb_ingest__yaml_packed(&pack, 3));
	assert_int_equal(s->length, 9);
	assert_int_equal(s->nodes, 6);
	assert_true(doc.nodes.start[2].data.sequence.items.top ==
		    doc.nodes.start[2].data.sequence.items.start);
	for (i = 0; i < 9; i++)
		assert_int_equal(perfdb_ingest__yaml_seq_item(s, i, &v), expect[i]);
	assert_int_equal(perfdb_ingest__yaml_seq_item(s, 8, &v), 0);
	assert_true(v == 7);
	assert_int_equal(perfdb_ingest__yaml_seq_item(s, 1, &v), 0);
	assert_true(v == 2.5);
	assert_string_equal((const char *)doc.nodes.start[6].data.scalar.value, "5");
	assert_non_null(s = perfdb_ingest__yaml_packed(&pack, 8));
	assert_int_equal(s->length, 1);
	assert_int_equal(s->nodes, 0);
	yaml_document_delete(&doc);
	perfdb_ingest__yaml_packing_release(&pack);
	assert_int_equal(pack.count, 0);
}

/* The size of what the loader holds, which a file of 240,000 `[]` makes
 * count: a node with the default tag has none (libyaml's own loader copies
 * "tag:yaml.org,2002:seq" for each), a collection's items and the
 * document's nodes are sized exactly, not with room for 16 more, and an
 * empty sequence has no packed record. */
static void test_yaml_load__nodes_sized_exactly(void **state)
{
	const char *text = "x-e: [[], {}, [[]], a, !!str 5, {k: v}]\n"
			   "results:\n- {benchmark: a, value: 1}\n";
	const char *plain = "[[], {k: v, l: w}, [1, 2, 3]]\n";
	perfdb_yaml_packing pack = {.number = number_of};
	size_t items = 0;
	perfdb_yaml_cut cut = {.key = "results", .each = count_items, .ctx = &items};
	yaml_parser_t parser;
	yaml_document_t doc;
	const yaml_node_t *n;
	(void)state;
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	assert_int_equal(perfdb_ingest__yaml_load_cut(&doc, &parser, "s.yaml", "run", &cut, &pack),
			 0);
	yaml_parser_delete(&parser);
	assert_int_equal(items, 1);
	/* root, x-e, its sequence, [], {}, [[]], [], a, 5, {k: v}, k, v,
	 * results, its sequence (the item dropped) */
	assert_int_equal(doc.nodes.top - doc.nodes.start, 14);
	assert_int_equal(doc.nodes.end - doc.nodes.start, 14);
	for (n = doc.nodes.start; n < doc.nodes.top; n++)
		if (n != &doc.nodes.start[8])
			assert_null(n->tag);
	assert_string_equal((const char *)doc.nodes.start[8].tag, YAML_STR_TAG);
	assert_string_equal((const char *)doc.nodes.start[8].data.scalar.value, "5");
	/* x-e's sequence and [[]]; not the empty ones */
	assert_int_equal(pack.count, 2);
	assert_non_null(perfdb_ingest__yaml_packed(&pack, 3));
	assert_non_null(perfdb_ingest__yaml_packed(&pack, 6));
	assert_null(perfdb_ingest__yaml_packed(&pack, 4));
	assert_null(perfdb_ingest__yaml_packed(&pack, 7));
	assert_null(doc.nodes.start[3].data.sequence.items.start);
	assert_null(doc.nodes.start[4].data.mapping.pairs.start);
	assert_int_equal(doc.nodes.start[9].data.mapping.pairs.end -
			     doc.nodes.start[9].data.mapping.pairs.start,
			 1);
	assert_int_equal(doc.nodes.start[0].data.mapping.pairs.end -
			     doc.nodes.start[0].data.mapping.pairs.start,
			 2);
	yaml_document_delete(&doc);
	perfdb_ingest__yaml_packing_release(&pack);

	/* unpacked (perfdb.yaml's way): the items in the nodes, as many */
	assert_true(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)plain, strlen(plain));
	assert_int_equal(perfdb_ingest__yaml_load(&doc, &parser, "p.yaml", "run"), 0);
	yaml_parser_delete(&parser);
	assert_int_equal(doc.nodes.end - doc.nodes.start, 11);
	n = yaml_document_get_root_node(&doc);
	assert_int_equal(n->data.sequence.items.end - n->data.sequence.items.start, 3);
	assert_null(doc.nodes.start[1].data.sequence.items.start);
	assert_int_equal(doc.nodes.start[2].data.mapping.pairs.end -
			     doc.nodes.start[2].data.mapping.pairs.start,
			 2);
	n = &doc.nodes.start[7];
	assert_int_equal(n->data.sequence.items.end - n->data.sequence.items.start, 3);
	assert_string_equal(
	    (const char *)yaml_document_get_node(&doc, n->data.sequence.items.start[2])
		->data.scalar.value,
	    "3");
	for (n = doc.nodes.start; n < doc.nodes.top; n++)
		assert_null(n->tag);
	yaml_document_delete(&doc);
}

/* A packed number has no node: its position in an error is read again
 * from the input, in flow and block style, through an alias too. */
static void test_yaml_load__packed_item_positions(void **state)
{
	(void)state;
	expect_input_error("results:\n- benchmark: b\n  samples: [1, 2,\n   .nan, 4]\n",
			   PERFDB_FORMAT_NATIVE_YAML, "y.yaml", PERFDB_EINPUT, 4, 4,
			   "results[0].samples[2]", "NaN is not a measurement");
	expect_input_error("results:\n- benchmark: b\n  samples:\n  - 1\n  # c\n  -  1e999\n",
			   PERFDB_FORMAT_NATIVE_YAML, "y.yaml", PERFDB_EINPUT, 6, 6,
			   "results[0].samples[1]", "an infinite value is not a measurement");
	expect_input_error("x-s: &s [1, .inf]\nresults:\n- {benchmark: b, samples: *s}\n",
			   PERFDB_FORMAT_NATIVE_YAML, "y.yaml", PERFDB_EINPUT, 1, 13,
			   "results[0].samples[1]", "an infinite value is not a measurement");
	/* an alias names results: loaded whole, results packed */
	expect_input_error("results: &r [1, 2]\nx-q: *r\n", PERFDB_FORMAT_NATIVE_YAML, "y.yaml",
			   PERFDB_EINPUT, 1, 14, "results[0]", "expected an object, got a number");
}

/* --- by name: the text never held whole ------------------------------------------------ */

/* The file at path by name and whole, as native YAML and as whatever it
 * is: the same texts. */
static void same_whole_by_name(const char *path)
{
	char *whole = read_whole(path, PERFDB_FORMAT_NATIVE_YAML);
	same_texts(path, "by name", whole, read_file(path, PERFDB_FORMAT_NATIVE_YAML));
	free(whole);
	whole = read_whole(path, PERFDB_FORMAT_AUTO);
	same_texts(path, "by name, any format", whole, read_file(path, PERFDB_FORMAT_AUTO));
	free(whole);
}

/* The file at path: through windows of 1, 7 and 4096 bytes after 3 other
 * bytes (a read a byte is slow: a bigger file only through the larger
 * ones), and by name as YAML and as whatever it is, against the same bytes
 * in a buffer. */
static void same_by_name(const char *path)
{
	static const size_t windows[] = {1, 7, 4096};
	size_t len, i;
	char *text = slurp_file(path, &len);
	for (i = len < 8192 ? 0 : len < 65536 ? 1 : 2; i < 3; i++)
		assert_true(yaml_same_window(text, len, path, 3, windows[i]));
	same_whole_by_name(path);
	free(text);
	compared++;
}

static void test_yaml_load__by_name_same_tests_data(void **state)
{
	(void)state;
	compared = 0;
	assert_true(same_under(PERFDB_TEST_DATA, ".yaml", same_by_name) >= 2);
	assert_true(same_under(PERFDB_TEST_DATA "/native", ".json", same_by_name) >= 2);
	assert_true(same_under(PERFDB_SOURCE_DIR "/tests/fuzz/corpus", ".yaml", same_by_name) >= 4);
}

/* Whether the file at path is read by name, never whole: a sink of one
 * result cuts it to 10 bytes at its first result, and the reading after
 * that fails as the file changed (read whole, nothing would). */
static bool read_by_name(const char *path)
{
	sink_seen seen = {0, 0, 0, path};
	perfdb_resultset *rs;
	char want[200];
	int rc;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1);
	rc = perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO);
	perfdb_resultset_free(rs);
	if (rc != PERFDB_EIO)
		return false;
	snprintf(want, sizeof(want), "cannot read '%s': it changed while it was read", path);
	assert_string_equal(perfdb_error_last()->message, want);
	return true;
}

/* A result of n samples ("1.5, 2.5, ..."), after `before` and before `after`. */
static void put_samples(rs_text *g, const char *before, size_t n, bool flow, const char *after)
{
	size_t i;
	rs_text_add(g, "%s", before);
	rs_text_add(g, "%s", flow ? "[" : "\n");
	for (i = 0; i < n; i++)
		rs_text_add(g, flow ? "%s%zu.%zu" : "%s  - %zu.%zu\n", flow && i ? ", " : "",
			    1 + i % 97, i % 10);
	rs_text_add(g, "%s%s", flow ? "]" : "", after);
}

/* Big files (past the first megabyte, by which a file is told), by name and
 * from a buffer: the same text; and whether they are read by name. */
static void test_yaml_load__by_name_big(void **state)
{
	static const struct {
		const char *before, *after;
		bool flow, by_name;
	} cases[] = {
	    /* flow and block style, a result after */
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  unit: us\n  samples: ",
	     "\n- {benchmark: c, value: 3}\n", true, true},
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples:",
	     "- {benchmark: c}\n", false, true},
	    /* a document on one line, past the first megabyte: told from all its bytes */
	    {"results: [{benchmark: a, value: 1}, {benchmark: big, samples: ", "}]\n", true, true},
	    /* a bad sample near the end: its place read again from the file */
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples: ",
	     "\n- {benchmark: c, samples: [1, 2, .nan]}\n", true, true},
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples: ", ", x]\n", true,
	     false},
	    /* a syntax error at the end */
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples: ", "]]\n", true,
	     false},
	    /* an anchor and an alias after the first megabyte */
	    {"results:\n- benchmark: a\n  value: &v 1\n- benchmark: big\n  samples: ",
	     "\n- {benchmark: c, value: *v, samples: &s [1, 2]}\n- {benchmark: d, samples: *s}\n",
	     true, true},
	    /* a later line of a format told before YAML: read whole */
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples:",
	     "| relative |               ns/op |                op/s |    err% |     total | "
	     "benchmark\n|---------:|--------------------:|\n",
	     false, false},
	    {"results:\n- benchmark: a\n  value: 1\n- benchmark: big\n  samples:",
	     "benchmark name                       samples       iterations    estimated\n", false,
	     false},
	};
	char path[] = "/tmp/perfdb-yaml-name-XXXXXX";
	rs_text g = {NULL, 0, 0};
	size_t k;
	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		g.len = 0;
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		put_samples(&g, cases[k].before, 220000, cases[k].flow, cases[k].after);
		assert_true(g.len > ((size_t)1 << 20));
		write_temp(path, g.s, g.len);
		same_whole_by_name(path);
		if (cases[k].by_name)
			assert_true(read_by_name(path));
		unlink(path);
		/* a comment of more than a megabyte first: told from all its bytes */
		if (k == 0) {
			rs_text h = {NULL, 0, 0};
			size_t i;
			for (i = 0; i < 20000; i++)
				rs_text_add(&h, "# a comment line of some length, the %zu-th\n", i);
			rs_text_add(&h, "%.*s", (int)g.len, g.s);
			memcpy(path + strlen(path) - 6, "XXXXXX", 6);
			write_temp(path, h.s, h.len);
			same_whole_by_name(path);
			assert_true(read_by_name(path));
			unlink(path);
			free(h.s);
		}
	}
	free(g.s);
}

/* Two files into one resultset, by name: the same as from buffers; a
 * result the first gave is refused in the second. */
static void test_yaml_load__by_name_second_input(void **state)
{
	char a[] = "/tmp/perfdb-yaml-a-XXXXXX", b[] = "/tmp/perfdb-yaml-b-XXXXXX";
	rs_text g = {NULL, 0, 0}, h = {NULL, 0, 0};
	perfdb_resultset *rs;
	char *text[2];
	int way;
	(void)state;
	put_samples(&g, "results:\n- benchmark: big\n  samples: ", 300000, true, "\n");
	put_samples(&h, "results:\n- benchmark: other\n  samples:", 300000, false,
		    "- {benchmark: big, value: 1}\n");
	write_temp(a, g.s, g.len);
	write_temp(b, h.s, h.len);
	for (way = 0; way < 2; way++) {
		int rc;
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		rc = way ? perfdb_ingest_file(rs, a, PERFDB_FORMAT_AUTO)
			 : perfdb_ingest_buffer(rs, g.s, g.len, a, PERFDB_FORMAT_AUTO);
		assert_int_equal(rc, 0);
		rc = way ? perfdb_ingest_file(rs, b, PERFDB_FORMAT_AUTO)
			 : perfdb_ingest_buffer(rs, h.s, h.len, b, PERFDB_FORMAT_AUTO);
		assert_int_equal(rc, PERFDB_EINPUT);
		text[way] = resultset_text(rc, rs);
		perfdb_resultset_free(rs);
	}
	assert_non_null(strstr(text[1], "benchmark 'big' metric 'value' is also in an earlier"));
	same_texts(b, "by name", text[0], text[1]);
	free(text[0]);
	unlink(a);
	unlink(b);
	free(g.s);
	free(h.s);
}

/* A file that changes while it is read: an error, not a mix of the two. */
static void test_yaml_load__changed_while_read(void **state)
{
	char path[] = "/tmp/perfdb-yaml-changed-XXXXXX";
	rs_text g = {NULL, 0, 0};
	size_t i;
	(void)state;
	rs_text_add(&g, "results:\n");
	for (i = 0; i < 100000; i++)
		rs_text_add(&g, "- {benchmark: b%zu, value: %zu}\n", i, i);
	write_temp(path, g.s, g.len);
	assert_true(read_by_name(path));
	unlink(path);
	free(g.s);
}

/* The heap in use while a file of one big result is read by name: its
 * samples (8 bytes each, in the resultset) and little more; read whole,
 * the text was held too. */
static void test_yaml_load__by_name_memory(void **state)
{
	char path[] = "/tmp/perfdb-yaml-memory-XXXXXX";
	rs_text g = {NULL, 0, 0};
	sink_seen seen = {0, 0, 0, NULL};
	perfdb_resultset *rs;
	const size_t n = 1000000;
	size_t len, before;
	int flow;
	(void)state;
	for (flow = 0; flow < 2; flow++) {
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		put_samples(&g, "results:\n- benchmark: big\n  samples: ", n, flow,
			    "\n- {benchmark: c, value: 3}\n");
		write_temp(path, g.s, g.len);
		len = g.len;
		free(g.s);
		memset(&g, 0, sizeof(g));
		memset(&seen, 0, sizeof(seen));
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1);
		before = heap_in_use();
		assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
		assert_int_equal(seen.results, 2);
		print_message("heap in use at a batch: %zu bytes more; the samples %zu, the file "
			      "%zu\n",
			      seen.most_in_use - before, n * 8, len);
		if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
			assert_true(seen.most_in_use - before < n * 8 + len / 4);
		perfdb_resultset_free(rs);
		unlink(path);
	}
}

/* The heap in use while a file of 240,000 empty sequences (3 bytes each,
 * below the 250,000 nodes held) is read, in the one result and outside
 * results: the nodes of one pass (96 bytes each) and little more. Each
 * `[]` held 300 bytes or more a pass (its node, a copy of its tag, room
 * for 16 items, a packed record), and the first pass's room for them was
 * held while the second read them again (outside results, the nodes too):
 * 130 MB at the result for a 0.7 MB file. */
static void test_yaml_load__empty_collections_memory(void **state)
{
	static const char *const shapes[][2] = {
	    {"results:\n- benchmark: a\n  value: 1\n  x-e: [", "]\n"},
	    {"x-e: [", "]\nresults:\n- {benchmark: a, value: 1}\n"},
	    {"results:\n- benchmark: a\n  value: 1\n  x-e: [", "]\n"},
	    {"x-e: [", "]\nresults:\n- {benchmark: a, value: 1}\n"},
	};
	const size_t n = 240000;
	rs_text g = {NULL, 0, 0};
	sink_seen seen = {0, 0, 0, NULL};
	perfdb_resultset *rs;
	size_t k, i, before;
	(void)state;
	for (k = 0; k < 4; k++) {
		rs_text_add(&g, "%s", shapes[k][0]);
		for (i = 0; i < n; i++)
			rs_text_add(&g, i ? ",%s" : "%s", k < 2 ? "[]" : "{}");
		rs_text_add(&g, "%s", shapes[k][1]);
		memset(&seen, 0, sizeof(seen));
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1);
		before = heap_in_use();
		assert_int_equal(perfdb_ingest__native_yaml(rs, g.s, g.len, "e.yaml"), 0);
		assert_int_equal(seen.results, 1);
		print_message("heap in use at the result: %zu bytes more; the file %zu\n",
			      seen.most_in_use - before, g.len);
		if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
			assert_true(seen.most_in_use - before < 2 * n * sizeof(yaml_node_t));
		perfdb_resultset_free(rs);
		g.len = 0;
	}
	free(g.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_yaml_load__packed_same_as_nodes_tests_data),
	    cmocka_unit_test(test_yaml_load__packed_same_as_nodes_generated),
	    cmocka_unit_test(test_yaml_load__packed_numbers_count_as_nodes),
	    cmocka_unit_test(test_yaml_load__long_sequences),
	    cmocka_unit_test(test_yaml_load__numbers_make_no_node),
	    cmocka_unit_test(test_yaml_load__nodes_sized_exactly),
	    cmocka_unit_test(test_yaml_load__packed_item_positions),
	    cmocka_unit_test(test_yaml_load__by_name_same_tests_data),
	    cmocka_unit_test(test_yaml_load__by_name_big),
	    cmocka_unit_test(test_yaml_load__by_name_second_input),
	    cmocka_unit_test(test_yaml_load__changed_while_read),
	    cmocka_unit_test(test_yaml_load__by_name_memory),
	    cmocka_unit_test(test_yaml_load__empty_collections_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
