/*
 * Locust's reader two ways on the same bytes: a history with every request
 * held to the end (perfdb_ingest__locust_as with hold_all: main's reading
 * before the passes) and in passes (lib/ingest/locust.c: every error, the
 * fingerprints, only the requests whose fingerprint repeats held, each
 * request's results at its first row), with no sink and with the results
 * handed to a sink one and three at a time (sink_collect.h): as one text
 * each (resultset_text.h), which must be the same byte for byte. A
 * _stats.csv reads the same both ways too. Shared by test_ingest_locust and
 * the acceptance suite's corpus check. Include after <cmocka.h>,
 * ingest_expect.h, resultset_text.h, ingest_same.h, sink_collect.h and
 * text_variants.h.
 */
#ifndef PERFDB_TESTS_LOCUST_SAME_H
#define PERFDB_TESTS_LOCUST_SAME_H

static inline int locust_read(perfdb_resultset *rs, const char *body, size_t len, perfdb_format fmt,
			      bool hold_all)
{
	(void)fmt;
	return perfdb_ingest__locust_as(rs, body, len, "v", hold_all);
}

/* body (len bytes) read with every request held or in passes: the same. */
static inline void locust_same_held_and_passes(const char *body, size_t len, perfdb_format fmt)
{
	same_two_ways(locust_read, "in passes", body, len, fmt);
}

/* The Locust file at path and its variants (each_variant): the same both
 * ways. Returns how many variants are read without an error. */
static inline size_t locust_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_LOCUST, locust_same_held_and_passes);
}

#endif
