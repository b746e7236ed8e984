/*
 * libFuzzer target, differential: a Catch2 XML document read once, every
 * benchmark held to its end (how a document under a megabyte is read), and
 * in passes (lib/ingest/catch2.h: every error first, then the names that
 * repeat, then each result at its name's first appearance, a failed test case
 * read again to warn about its benchmarks; how a bigger one is read) must give
 * the same results, warnings, context and metadata, or the same error, byte
 * for byte (tests/lib/resultset_text.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "ingest/catch2.h"
#include "../lib/resultset_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *read_text(const uint8_t *data, size_t size, bool once)
{
	perfdb_resultset *rs;
	char *text;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	text = resultset_text(perfdb_ingest__catch2_xml(rs, (const char *)data, size, "fuzz", once),
			      rs);
	perfdb_resultset_free(rs);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *once = read_text(data, size, true), *passes = read_text(data, size, false);
	if (strcmp(once, passes) != 0) {
		fprintf(stderr, "once:\n%s\nin passes:\n%s\n", once, passes);
		abort();
	}
	free(once);
	free(passes);
	return 0;
}
