/*
 * Profiler state -> resultset: what lets profiles of two commits be regressed
 * like any benchmark. Depends on the resultset only, never on the store.
 */
#include "instrument/profiler_snapshot.h"

#include <math.h>

#include "util/error.h"

static int add(perfdb_resultset *rs, const char *benchmark, const char *metric, const char *unit,
	       double value)
{
	perfdb_result r;
	perfdb_result_init(&r);
	r.benchmark = benchmark;
	r.metric = metric;
	r.unit = unit;
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.value = value;
	return perfdb_resultset_add(rs, &r);
}

static int export_one(perfdb_resultset *rs, const perfdb_profiler_metrics *m)
{
	perfdb_result r;
	int rc;

	perfdb_result_init(&r);
	r.benchmark = m->name;
	r.metric = "mean";
	r.unit = "ns";
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.value = m->mean_ns;
	r.n = (int64_t)m->calls;
	r.mean = m->mean_ns;
	r.median = (double)m->p50_ns;
	r.stddev = m->stddev_ns;
	r.min = (double)m->min_ns;
	r.max = (double)m->max_ns;
	rc = add(rs, m->name, "calls", "calls", (double)m->calls);
	if (rc == 0)
		rc = perfdb_resultset_add(rs, &r);
	if (rc == 0)
		rc = add(rs, m->name, "p50", "ns", (double)m->p50_ns);
	if (rc == 0)
		rc = add(rs, m->name, "p99", "ns", (double)m->p99_ns);
	if (rc == 0)
		rc = add(rs, m->name, "max", "ns", (double)m->max_ns);
	if (rc == 0)
		rc = add(rs, m->name, "self", "ns", (double)m->self_ns / (double)m->calls);
	return rc;
}

int perfdb_profiler_export(perfdb_resultset *rs, const perfdb_profiler *p)
{
	perfdb_profiler_snapshot *s = NULL;
	perfdb_resultset *tmp = NULL;
	size_t i;
	int rc;

	if (!rs)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_profiler_export: resultset is NULL");
	rc = perfdb_profiler_snapshot_new(&s, p);
	/* Built aside and moved in at the end, so a failure leaves rs as it was. */
	if (rc == 0)
		rc = perfdb_resultset_new(&tmp);
	if (rc == 0)
		rc = perfdb_resultset_set_meta(tmp, PERFDB_META_SOURCE, "profiler");
	for (i = 0; rc == 0 && i < s->count; i++)
		rc = export_one(tmp, s->list[i]);
	if (rc == 0)
		rc = perfdb_resultset_merge(rs, tmp);
	perfdb_resultset_free(tmp);
	perfdb_profiler_snapshot_free(s);
	return rc;
}
