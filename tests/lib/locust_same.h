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

/* body read with every request held or in passes, into a resultset whose
 * sink takes `batch` results at a time (0: none). */
static inline char *locust_text(const char *body, size_t len, bool hold_all, size_t batch)
{
	sink_collect c;
	perfdb_resultset *rs = sink_collect_begin(&c, batch);
	return sink_collect_end(&c, rs, perfdb_ingest__locust_as(rs, body, len, "v", hold_all));
}

/* body (len bytes) read both ways: the same. */
static inline void locust_same_held_and_passes(const char *body, size_t len, perfdb_format fmt)
{
	static const size_t batches[] = {0, 1, 3};
	char *held = locust_text(body, len, true, 0);
	size_t i;
	(void)fmt;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
		same_texts("v", "in passes", held, locust_text(body, len, false, batches[i]));
	free(held);
}

/* The Locust file at path and its variants (each_variant): the same both
 * ways. Returns how many variants are read without an error. */
static inline size_t locust_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_LOCUST, locust_same_held_and_passes);
}

#endif
