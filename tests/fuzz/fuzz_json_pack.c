/*
 * libFuzzer target, differential: packed arrays of numbers
 * (lib/ingest/json_parse.h, "Packed arrays") against a node an item. The
 * input is parsed both ways, which must give the same values, positions,
 * paths and errors through every accessor (tests/lib/json_pack_same.h), and
 * read from a buffer as perfdb native JSON, hyperfine, pytest-benchmark,
 * JMH and BenchmarkDotNet (the readers of arrays of numbers) and as
 * whatever format it is, both ways: the same results, warnings, context and
 * metadata, or the same error, byte for byte (tests/lib/resultset_text.h);
 * and a third way, into a sink that takes samples unheld from 16 on
 * (tests/lib/unheld_same.h: read again from the text, not held). Also the
 * values counted before an item is built (perfdb_jparse__values,
 * perfdb_jdoc_count) against the tree's nodes and refusals.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "../lib/json_pack_same.h"
#include "../lib/resultset_text.h"
#include "../lib/unheld_same.h"
#include "core/resultset_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *read_as_text(const uint8_t *data, size_t size, perfdb_format fmt, size_t pack_min)
{
	perfdb_resultset *rs;
	char *text;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	perfdb_jparse__set_pack_min(pack_min);
	rc = perfdb_ingest_buffer(rs, (const char *)data, size, "f.json", fmt);
	perfdb_jparse__set_pack_min(0);
	text = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return text;
}

typedef struct {
	const uint8_t *data;
	size_t size;
	perfdb_format fmt;
} buffer;

static int read_buffer(perfdb_resultset *rs, void *ctx)
{
	const buffer *b = ctx;
	return perfdb_ingest_buffer(rs, (const char *)b->data, b->size, "f.json", b->fmt);
}

/* perfdb_jdoc_parse_at of data as a piece of a document at 1:1 (no byte
 * order mark skipped, as an item), bounded at max: its code, *err filled. */
static int parse_bounded(const char *data, size_t size, size_t max, bool count, perfdb_jerror *err)
{
	perfdb_jparse_at at;
	perfdb_jdoc *doc = NULL;
	char *copy;
	int rc;
	memset(&at, 0, sizeof(at));
	memset(err, 0, sizeof(*err));
	at.line = 1;
	at.column = 1;
	at.max_values = max;
	if (!count) {
		rc = perfdb_jdoc_parse_at(&doc, data, size, &at, err);
		perfdb_jdoc_free(doc);
		return rc;
	}
	if (!(copy = calloc(1, size + PERFDB_JPARSE_PADDING)))
		abort();
	memcpy(copy, data, size);
	rc = perfdb_jdoc_count(copy, size, &at, err);
	free(copy);
	return rc;
}

/* The values json_stream.c counts before building an item
 * (perfdb_jparse__values, perfdb_jdoc_count) against the tree's: the nodes a
 * parse makes, and the same refusal or error at each bound tried. */
static void count_same(const char *data, size_t size)
{
	size_t values = perfdb_jparse__values(data, size), before, i;
	size_t maxes[] = {1, values / 2, values > 1 ? values - 1 : 1, values + 1};
	perfdb_jerror a, b;
	int rc;

	before = perfdb_jparse__nodes_made();
	rc = parse_bounded(data, size, 0, false, &a);
	if (!rc && perfdb_jparse__nodes_made() - before != values) {
		fprintf(stderr, "%zu values counted, %zu nodes made\n", values,
			perfdb_jparse__nodes_made() - before);
		abort();
	}
	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		int ra, rb;
		if (!maxes[i])
			continue;
		ra = parse_bounded(data, size, maxes[i], false, &a);
		rb = parse_bounded(data, size, maxes[i], true, &b);
		if (ra != rb || ((ra == PERFDB_JPARSE_SYNTAX || ra == PERFDB_JPARSE_LIMIT) &&
				 (a.line != b.line || a.column != b.column ||
				  strcmp(a.message, b.message) != 0))) {
			fprintf(stderr, "max %zu: parsed %d %d:%d %s, counted %d %d:%d %s\n",
				maxes[i], ra, a.line, a.column, a.message, rb, b.line, b.column,
				b.message);
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const perfdb_format formats[] = {
	    PERFDB_FORMAT_AUTO,	     PERFDB_FORMAT_NATIVE_JSON,
	    PERFDB_FORMAT_HYPERFINE, PERFDB_FORMAT_PYTEST_BENCHMARK,
	    PERFDB_FORMAT_JMH,	     PERFDB_FORMAT_BENCHMARKDOTNET};
	size_t i;
	if (!pack_parse_both((const char *)data, size, NULL))
		abort();
	count_same((const char *)data, size);
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		buffer b = {data, size, formats[i]};
		size_t unheld;
		char *tree = read_as_text(data, size, formats[i], SIZE_MAX),
		     *packed = read_as_text(data, size, formats[i], 1), *sunk;
		perfdb_resultset__set_unheld_from(16);
		sunk = unheld_read_text(read_buffer, &b, PERFDB_SINK_UNHELD_SAMPLES, &unheld);
		perfdb_resultset__set_unheld_from(0);
		if (strcmp(tree, packed) != 0 || strcmp(tree, sunk) != 0) {
			fprintf(stderr, "format %d: with nodes:\n%s\npacked:\n%s\nunheld:\n%s\n",
				(int)formats[i], tree, packed, sunk);
			abort();
		}
		free(tree);
		free(packed);
		free(sunk);
	}
	return 0;
}
