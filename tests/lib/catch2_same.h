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

/* body read by the XML reader once or in passes, into a resultset whose
 * sink takes `batch` results at a time (0: none). */
static inline char *catch2_xml_text(const char *body, size_t len, bool once, size_t batch)
{
	sink_collect c;
	perfdb_resultset *rs = sink_collect_begin(&c, batch);
	return sink_collect_end(&c, rs, perfdb_ingest__catch2_xml(rs, body, len, "v", once));
}

/* body (len bytes) read once and in passes: the same. */
static inline void catch2_same_once_and_passes(const char *body, size_t len, perfdb_format fmt)
{
	static const size_t batches[] = {0, 1, 3};
	char *once = catch2_xml_text(body, len, true, 0);
	size_t i;
	(void)fmt;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
		same_texts("v", "in passes", once, catch2_xml_text(body, len, false, batches[i]));
	free(once);
}

/* The Catch2 XML file at path and its variants (each_variant): the same
 * read once and in passes. Returns how many variants are read without an
 * error. */
static inline size_t catch2_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_CATCH2, catch2_same_once_and_passes);
}

/* body read by the console reader holding a failing test case's
 * benchmarks till its end or reading it again then, into a resultset whose
 * sink takes `batch` results at a time (0: none). */
static inline char *catch2_console_text(const char *body, size_t len, bool hold, size_t batch)
{
	sink_collect c;
	perfdb_resultset *rs = sink_collect_begin(&c, batch);
	return sink_collect_end(&c, rs, perfdb_ingest__catch2_console_as(rs, body, len, "v", hold));
}

/* body (len bytes) read both ways: the same. */
static inline void catch2_console_same_held_and_again(const char *body, size_t len,
						      perfdb_format fmt)
{
	static const size_t batches[] = {0, 1, 3};
	char *held = catch2_console_text(body, len, true, 0);
	size_t i;
	(void)fmt;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
		same_texts("v", "read again", held,
			   catch2_console_text(body, len, false, batches[i]));
	free(held);
}

/* The Catch2 console output at path and its variants (each_variant): the
 * same both ways. Returns how many variants are read without an error. */
static inline size_t catch2_console_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_CATCH2, catch2_console_same_held_and_again);
}

#endif
