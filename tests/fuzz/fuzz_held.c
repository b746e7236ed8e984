/*
 * libFuzzer targets, differential: a reader's reading that holds what a
 * hostile file has millions of (main's) against the one that does not must
 * give the same results, warnings, context and metadata, or the same error,
 * byte for byte (tests/lib/resultset_text.h):
 *
 *   ingest_locust_held        a Locust history with every request held to the
 *                             end, and in passes (lib/ingest/locust.c), also
 *                             with a hash of 2 bits (names of one hash);
 *   ingest_go_failed, _go_json_failed, _libtest_failed, _libtest_json_failed
 *                             every failed benchmark's name kept, and only those
 *                             seen on another line too (gotest.c, libtest.c);
 *   ingest_catch2_console_held
 *                             a failing test case's benchmarks held to its end,
 *                             and the test case read again then
 *                             (catch2_console.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "ingest/catch2.h"
#include "ingest/ingest.h"
#include "../lib/resultset_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* held: the reading that holds; for Locust, how (PERFDB_LOCUST_*) */
static char *read_text(const uint8_t *data, size_t size, int held)
{
	const char *s = (const char *)data;
	perfdb_format fmt = PERFDB_FUZZ_FORMAT;
	perfdb_resultset *rs;
	char *text;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	switch (fmt) {
	case PERFDB_FORMAT_LOCUST: rc = perfdb_ingest__locust_as(rs, s, size, "fuzz", held); break;
	case PERFDB_FORMAT_CATCH2:
		rc = perfdb_ingest__catch2_console_as(rs, s, size, "fuzz", held);
		break;
	case PERFDB_FORMAT_GO:
	case PERFDB_FORMAT_GO_JSON:
		rc = perfdb_ingest__gotest_as(rs, s, size, "fuzz", fmt == PERFDB_FORMAT_GO_JSON,
					      held);
		break;
	default:
		rc = perfdb_ingest__libtest_as(rs, s, size, "fuzz",
					       fmt == PERFDB_FORMAT_LIBTEST_JSON, held);
		break;
	}
	text = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *held = read_text(data, size, 1), *not_held = read_text(data, size, 0);
	if (strcmp(held, not_held) != 0) {
		fprintf(stderr, "held:\n%s\nnot held:\n%s\n", held, not_held);
		abort();
	}
	free(not_held);
	if (PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_LOCUST) {
		char *weak = read_text(data, size, PERFDB_LOCUST_WEAK_HASH);
		if (strcmp(held, weak) != 0) {
			fprintf(stderr, "held:\n%s\nnames of one hash:\n%s\n", held, weak);
			abort();
		}
		free(weak);
	}
	free(held);
	return 0;
}
