/*
 * A read whose sink takes samples unheld (PERFDB_SINK_UNHELD_SAMPLES), as
 * one text to compare with the same read with its samples held
 * (resultset_text.h): the sink copies each batch with every result's
 * samples made whole through perfdb_resultset_samples_next, read twice (the
 * second pass must give the same, so the source starts again), and counts
 * the results it was given unheld. For test_unheld and the json_pack fuzz
 * target; a broken reading aborts. Include after resultset_text.h.
 */
#ifndef PERFDB_TESTS_UNHELD_SAME_H
#define PERFDB_TESTS_UNHELD_SAME_H

#include <stdlib.h>
#include <string.h>

#include "perfdb.h"

typedef struct unheld_collect {
	perfdb_resultset *got;
	size_t unheld;
} unheld_collect;

static int unheld_collect_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	unheld_collect *c = ctx;
	perfdb_samples_cursor *cur = malloc(sizeof(*cur));
	size_t i, k, got, pass;
	const double *x;
	if (!cur)
		abort();
	if (event == PERFDB_SINK_DISCARD) {
		perfdb_resultset_free(c->got);
		if (perfdb_resultset_new(&c->got) != 0)
			abort();
		free(cur);
		return 0;
	}
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		perfdb_result r = *perfdb_resultset_get(rs, i);
		double *whole = malloc((r.nsamples ? r.nsamples : 1) * sizeof(*whole));
		if (!whole)
			abort();
		c->unheld += !r.samples && r.nsamples;
		perfdb_resultset_samples_open(rs, i, cur);
		for (pass = 0; pass < 2; pass++) {
			for (k = 0; (x = perfdb_resultset_samples_next(cur, &got)); k += got) {
				if (got == 0 || k + got > r.nsamples ||
				    (pass == 1 && memcmp(whole + k, x, got * sizeof(*x)) != 0))
					abort();
				if (pass == 0)
					memcpy(whole + k, x, got * sizeof(*x));
			}
			if (k != r.nsamples)
				abort();
		}
		/* as added: already scaled */
		r.samples = r.nsamples ? whole : NULL;
		if (perfdb_resultset_add(c->got, &r) != 0)
			abort();
		free(whole);
	}
	free(cur);
	return 0;
}

/* What read(rs, ctx) makes of its input into a resultset whose sink takes
 * samples unheld (sink options as given), as resultset_text gives it;
 * *unheld: how many results came unheld. */
static char *unheld_read_text(int (*read)(perfdb_resultset *rs, void *ctx), void *ctx,
			      unsigned options, size_t *unheld)
{
	perfdb_resultset *rs;
	unheld_collect c = {0};
	char *text;
	int rc;
	if (perfdb_resultset_new(&c.got) != 0 || perfdb_resultset_new(&rs) != 0)
		abort();
	perfdb_resultset_set_sink(rs, unheld_collect_batch, &c, 0);
	if (perfdb_resultset_set_sink_options(rs, options) != 0)
		abort();
	rc = read(rs, ctx);
	if (!rc && perfdb_resultset_merge(c.got, rs) != 0)
		abort();
	text = resultset_text(rc, c.got);
	perfdb_resultset_free(rs);
	perfdb_resultset_free(c.got);
	*unheld = c.unheld;
	return text;
}

#endif
