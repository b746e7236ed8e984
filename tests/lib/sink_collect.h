/*
 * A resultset sink for the tests (perfdb_resultset_set_sink): copies every
 * batch it is given into a resultset of its own, so that a read in batches
 * can be compared with the same read held whole (resultset_text.h). Include
 * after <cmocka.h> and resultset_text.h.
 */
#ifndef PERFDB_TESTS_SINK_COLLECT_H
#define PERFDB_TESTS_SINK_COLLECT_H

#include "perfdb.h"

typedef struct sink_collect {
	perfdb_resultset *got; /* the batches' results, in order */
	int writes, discards;
	size_t largest;		  /* the biggest batch */
	char first_commit[64];	  /* PERFDB_META_COMMIT as the first batch saw it */
	const char *first_result; /* its first result's benchmark (only during the call) */
} sink_collect;

static inline int sink_collect_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	sink_collect *c = ctx;
	size_t i, n = perfdb_resultset_count(rs);
	if (event == PERFDB_SINK_DISCARD) {
		c->discards++;
		perfdb_resultset_free(c->got);
		assert_int_equal(perfdb_resultset_new(&c->got), 0);
		return 0;
	}
	if (!c->writes++) {
		const char *commit = perfdb_resultset_meta(rs, PERFDB_META_COMMIT);
		snprintf(c->first_commit, sizeof(c->first_commit), "%s", commit ? commit : "");
	}
	if (n > c->largest)
		c->largest = n;
	for (i = 0; i < n; i++)
		assert_int_equal(perfdb_resultset_add(c->got, perfdb_resultset_get(rs, i)), 0);
	return 0;
}

/* A resultset for a read whose sink takes `batch` results at a time (0: no
 * sink, the whole read); sink_collect_end gives its text. */
static inline perfdb_resultset *sink_collect_begin(sink_collect *c, size_t batch)
{
	perfdb_resultset *rs;
	memset(c, 0, sizeof(*c));
	assert_int_equal(perfdb_resultset_new(&c->got), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	if (batch)
		perfdb_resultset_set_sink(rs, sink_collect_batch, c, batch);
	return rs;
}

/* The read into rs (sink_collect_begin) that returned rc, as resultset_text
 * gives it: the batches' results, then what was left in rs, with its
 * warnings, tags, context and metadata. Frees rs. */
static inline char *sink_collect_end(sink_collect *c, perfdb_resultset *rs, int rc)
{
	char *text;
	if (!rc)
		assert_int_equal(perfdb_resultset_merge(c->got, rs), 0);
	text = resultset_text(rc, c->got);
	perfdb_resultset_free(rs);
	perfdb_resultset_free(c->got);
	c->got = NULL;
	return text;
}

/* path read into a resultset whose sink takes `batch` results at a time (0:
 * no sink, the whole read), as sink_collect_end gives it. */
static inline char *sink_collect_read(sink_collect *c, const char *path, perfdb_format fmt,
				      size_t batch)
{
	perfdb_resultset *rs = sink_collect_begin(c, batch);
	return sink_collect_end(c, rs, perfdb_ingest_file(rs, path, fmt));
}

#endif
