/*
 * Locust's reader on the same bytes: a history with every request held to
 * the end (perfdb_ingest__locust_as, PERFDB_LOCUST_HOLD_ALL: the reading
 * before the passes) and in passes (lib/ingest/locust.c: every error, the
 * fingerprints, only the places of the rows whose fingerprint repeats held,
 * each request's results at its first row, its rows read again), with no
 * sink and with the results handed to a sink one and three at a time
 * (sink_collect.h), with a hash that makes names share one, and from a file
 * through a window: as one text each (resultset_text.h), which must be the
 * same byte for byte. A
 * _stats.csv reads the same both ways too. Shared by test_ingest_locust and
 * the acceptance suite's corpus check. Include after <cmocka.h>,
 * ingest_expect.h, resultset_text.h, ingest_same.h, sink_collect.h and
 * text_variants.h.
 */
#ifndef PERFDB_TESTS_LOCUST_SAME_H
#define PERFDB_TESTS_LOCUST_SAME_H

#include <stdlib.h>
#include <unistd.h>

/* body (len bytes) read as `how` (perfdb_ingest__locust_as), or, for
 * LOCUST_SAME_FILE, in passes from a file through a window of 16 bytes (it
 * grows to the longest line) from an offset other than 0. */
enum { LOCUST_SAME_FILE = 100 };

static inline int locust_read(perfdb_resultset *rs, const char *body, size_t len, int how)
{
	char path[] = "/tmp/perfdb-locust-same-XXXXXX";
	int fd, rc;
	if (how != LOCUST_SAME_FILE)
		return perfdb_ingest__locust_as(rs, body, len, "v", how);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "skip", 4), 4);
	assert_true(len == 0 || write(fd, body, len) == (ssize_t)len);
	rc = perfdb_ingest__locust_file(rs, fd, 4, len, "v", 16, PERFDB_LOCUST_PASSES);
	close(fd);
	return rc;
}

/* body (len bytes) read with every request held, and in passes (from the
 * buffer with no sink; with a hash of 2 bits, so that names share one, and
 * batches of one result; from a file, batches of three): the same. */
static inline void locust_same_held_and_passes(const char *body, size_t len, perfdb_format fmt)
{
	static const struct {
		int how;
		size_t batch;
		const char *what;
	} ways[] = {{PERFDB_LOCUST_HOLD_ALL, 0, "held"},
		    {PERFDB_LOCUST_PASSES, 0, "in passes"},
		    {PERFDB_LOCUST_WEAK_HASH, 1, "in passes, names of one hash, a sink of 1"},
		    {LOCUST_SAME_FILE, 3, "in passes from a file, a sink of 3"}};
	char *held = NULL;
	size_t i;
	(void)fmt;
	for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		sink_collect c;
		perfdb_resultset *rs = sink_collect_begin(&c, ways[i].batch);
		char *text = sink_collect_end(&c, rs, locust_read(rs, body, len, ways[i].how));
		if (i == 0)
			held = text;
		else
			same_texts("v", ways[i].what, held, text);
	}
	free(held);
}

/* The Locust file at path and its variants (each_variant): the same both
 * ways. Returns how many variants are read without an error. */
static inline size_t locust_same_variants(const char *path)
{
	return each_variant(path, PERFDB_FORMAT_LOCUST, locust_same_held_and_passes);
}

#endif
