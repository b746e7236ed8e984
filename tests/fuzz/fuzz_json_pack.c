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
 * (tests/lib/unheld_same.h: read again from the text, not held).
 */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const perfdb_format formats[] = {
	    PERFDB_FORMAT_AUTO,	     PERFDB_FORMAT_NATIVE_JSON,
	    PERFDB_FORMAT_HYPERFINE, PERFDB_FORMAT_PYTEST_BENCHMARK,
	    PERFDB_FORMAT_JMH,	     PERFDB_FORMAT_BENCHMARKDOTNET};
	size_t i;
	if (!pack_parse_both((const char *)data, size, NULL))
		abort();
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
