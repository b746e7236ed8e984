/*
 * Library-internal: a reader's own resultset handing its results on to the
 * caller's sink as it reads (perfdb_resultset_set_sink).
 */
#ifndef PERFDB_CORE_RESULTSET_INTERNAL_H
#define PERFDB_CORE_RESULTSET_INTERNAL_H

#include <stdbool.h>
#include "perfdb/resultset.h"

/*
 * From now on, when rs has a sink, own's results go to it as they come:
 * once own holds rs's batch, its results, with its metadata, tags and
 * context, move into rs and rs's sink writes them. Only for a reader whose
 * results are final once added (never looked up and amended afterwards), and
 * which then merges own into rs as usual. perfdb_resultset_count(own) is 0
 * after a batch went.
 */
void perfdb_resultset__stream_into(perfdb_resultset *own, perfdb_resultset *rs);

/* The reader reads its input again from the start (a streamed file read
 * whole after all): the sink forgets what it wrote (PERFDB_SINK_DISCARD),
 * when it wrote anything. */
void perfdb_resultset__discard(perfdb_resultset *own);

/*
 * Room for n samples in rs's own memory, for a reader to fill and then pass
 * as the samples of the next perfdb_resultset_add(rs, ...): that add scales
 * them where they are instead of copying them (a load tool's file of ten
 * million requests would otherwise hold its latencies twice, beside the
 * file). A result may use fewer than n. NULL when out of memory (set).
 */
double *perfdb_resultset__samples(perfdb_resultset *rs, size_t n);

/*
 * Samples a reader does not hold as doubles: read again, a piece at a time,
 * from where they are (a long JSON array in the input's text). read()
 * writes the next up to cap samples, unscaled, to out and returns how many:
 * 0 after the last, and the call after that starts again from the first.
 */
typedef struct perfdb_unheld {
	size_t (*read)(void *ctx, double *out, size_t cap);
	void *ctx;
} perfdb_unheld;

/* Whether a result of n samples added to rs would better not hold them:
 * rs (or the set it streams into) has a sink that takes them unheld
 * (PERFDB_SINK_UNHELD_SAMPLES), and n is PERFDB_RESULTSET_UNHELD_FROM or
 * more. */
bool perfdb_resultset__unheld_ok(const perfdb_resultset *rs, size_t n);

/* The fewest samples of a result that rs takes unheld (see unheld_ok), or 0
 * when it takes none: for a reader that must decide before it knows n. */
size_t perfdb_resultset__unheld_from(const perfdb_resultset *rs);

/* For tests and fuzzing, which compare the two ways on small inputs: the
 * fewest samples taken unheld in this thread from now on (0: the default,
 * PERFDB_RESULTSET_UNHELD_FROM). */
void perfdb_resultset__set_unheld_from(size_t n);

/*
 * perfdb_resultset_add of r (r->samples NULL), whose r->nsamples samples src
 * reads: they are checked and summed in one pass, with the add's messages,
 * and the result's batch goes to the sink at once, within this call, which
 * reads them again from src as often as it needs; src's text must live
 * until then only. Only when perfdb_resultset__unheld_ok(rs, r->nsamples).
 */
int perfdb_resultset__add_unheld(perfdb_resultset *rs, const perfdb_result *r,
				 const perfdb_unheld *src);

#endif
