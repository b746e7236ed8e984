/*
 * Go's and libtest's readers two ways on the same bytes: keeping the name of
 * every benchmark that failed (keep_failed: main's reading) and only of those
 * whose fingerprint is seen on another line too (lib/ingest/gotest.c,
 * libtest.c), with no sink and with the results handed to a sink one and
 * three at a time (sink_collect.h): as one text each (resultset_text.h),
 * which must be the same byte for byte. Shared by test_lines_window and the
 * acceptance suite's corpus check. Include after <cmocka.h>,
 * ingest_expect.h, resultset_text.h, ingest_same.h, sink_collect.h and
 * text_variants.h.
 */
#ifndef PERFDB_TESTS_FAILED_SAME_H
#define PERFDB_TESTS_FAILED_SAME_H

#include "ingest/ingest.h"

/* body read as fmt (go, go-json, libtest, libtest-json) into rs, keeping
 * every failed name or not. */
static inline int failed_read(perfdb_resultset *rs, const char *body, size_t len, perfdb_format fmt,
			      bool keep)
{
	if (fmt == PERFDB_FORMAT_GO || fmt == PERFDB_FORMAT_GO_JSON)
		return perfdb_ingest__gotest_as(rs, body, len, "v", fmt == PERFDB_FORMAT_GO_JSON,
						keep);
	return perfdb_ingest__libtest_as(rs, body, len, "v", fmt == PERFDB_FORMAT_LIBTEST_JSON,
					 keep);
}

/* body (len bytes) read both ways: the same. */
static inline void failed_same(const char *body, size_t len, perfdb_format fmt)
{
	same_two_ways(failed_read, "keeping failed names seen twice", body, len, fmt);
}

/* The file at path as fmt and its variants (each_variant): the same both
 * ways. Returns how many variants are read without an error. */
static inline size_t failed_same_variants(const char *path, perfdb_format fmt)
{
	return each_variant(path, fmt, failed_same);
}

#endif
