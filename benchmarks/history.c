/* A generated history for the benchmarks that read one (regress, merge,
 * report, scale): commits x series, 5 samples a point, the levels from a
 * callback; and regress timed over it. */
#include <stdio.h>

#include "bench.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"

int bench_build_history(const char *path, const bench_history *h)
{
	perfdb_store *s = NULL;
	char name[64], sha[64], t[32];
	double x[5];
	int c, b, k, err = 0;
	if (perfdb_store_open(&s, path, PERFDB_STORE_READWRITE) != 0) {
		fprintf(stderr, "open: %s\n", perfdb_error_last()->message);
		return -1;
	}
	for (c = 0; c < h->commits && !err; c++) {
		int commit = h->first_commit + c;
		perfdb_resultset *rs = NULL;
		if (perfdb_resultset_new(&rs) != 0)
			break;
		snprintf(sha, sizeof(sha), "%040d", commit);
		snprintf(t, sizeof(t), "2026-01-01T%02d:%02d:00Z", commit / 60 % 24, commit % 60);
		perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, sha);
		perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, h->machine);
		perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, t);
		perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "bench");
		for (b = 0; b < h->series && !err; b++) {
			perfdb_result r;
			for (k = 0; k < 5; k++)
				x[k] = h->sample(c, b, k, h->ctx);
			snprintf(name, sizeof(name), "%s/%d", h->name, b);
			perfdb_result_init(&r);
			r.benchmark = name;
			r.metric = "real_time";
			r.unit = "ns";
			r.samples = x;
			r.nsamples = 5;
			err = perfdb_resultset_add(rs, &r);
		}
		if (!err && (err = perfdb_store_record(s, rs, NULL)) != 0)
			fprintf(stderr, "record: %s\n", perfdb_error_last()->message);
		perfdb_resultset_free(rs);
	}
	perfdb_store_free(s);
	return err || c < h->commits ? -1 : 0;
}

int bench_regress_times(perfdb_regress_report **rep, perfdb_store *s,
			const perfdb_regress_options *o, double *times, int runs)
{
	uint64_t t0;
	int r;
	*rep = NULL;
	for (r = 0; r < runs; r++) {
		perfdb_regress_report_free(*rep);
		*rep = NULL;
		t0 = bench_now_ns();
		if (perfdb_regress_run(rep, s, o) != 0) {
			fprintf(stderr, "regress: %s\n", perfdb_error_last()->message);
			return -1;
		}
		times[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	perfdb_stats_sort(times, (size_t)runs);
	return 0;
}
