/*
 * Catch2's XML reader two ways on the same bytes: once, holding every
 * benchmark to the end (PERFDB_CATCH2_WHOLE, main's reading before the
 * passes, kept for documents under a megabyte), and in passes (catch2.h:
 * every error first, then the repeats, then each result at its name's first
 * appearance), with no sink and with its results handed to a sink one and
 * three at a time (sink_collect.h): as one text each (resultset_text.h),
 * which must be the same byte for byte. Shared by test_ingest_catch2 and the
 * acceptance suite's corpus check. Include after <cmocka.h>,
 * ingest_expect.h, resultset_text.h, ingest_same.h, sink_collect.h and
 * text_variants.h. The console reader the same two ways for a test case
 * that fails or is skipped: its benchmarks held till its end (main's
 * reading) or the test case read again from its start then.
 */
#ifndef PERFDB_TESTS_CATCH2_SAME_H
#define PERFDB_TESTS_CATCH2_SAME_H

#include "ingest/catch2.h"

static inline int catch2_xml_read(perfdb_resultset *rs, const char *body, size_t len,
				  perfdb_format fmt, bool once)
{
	(void)fmt;
	return perfdb_ingest__catch2_xml(rs, body, len, "v", once);
}

/* body (len bytes) read once and in passes: the same. */
static inline void catch2_same_once_and_passes(const char *body, size_t len, perfdb_format fmt)
{
	same_two_ways(catch2_xml_read, "in passes", body, len, fmt);
}

/* The Catch2 XML file at path and its variants (each_variant): the same
 * read once and in passes. Returns how many variants are read without an
 * error. */
static inline size_t catch2_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_CATCH2, catch2_same_once_and_passes);
}

static inline int catch2_console_read(perfdb_resultset *rs, const char *body, size_t len,
				      perfdb_format fmt, bool hold)
{
	(void)fmt;
	return perfdb_ingest__catch2_console_as(rs, body, len, "v", hold);
}

/* body (len bytes) read by the console reader holding a failing test
 * case's benchmarks till its end or reading it again then: the same. */
static inline void catch2_console_same_held_and_again(const char *body, size_t len,
						      perfdb_format fmt)
{
	same_two_ways(catch2_console_read, "read again", body, len, fmt);
}

/* The Catch2 console output at path and its variants (each_variant): the
 * same both ways. Returns how many variants are read without an error. */
static inline size_t catch2_console_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_CATCH2, catch2_console_same_held_and_again);
}

#endif
