/*
 * perfdb-bench median: a big result's median and MAD as the store takes
 * them, in place (perfdb_stats_median/_mad: a radix selection, no copy)
 * against a copy and the comparison selection (perfdb_stats_*_inplace),
 * side by side on the same samples.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "perfdb/stats.h"

int bench_median(const bench_ctx *ctx)
{
	const size_t n = ctx->quick ? 1000000 : 10000000;
	const int reps = ctx->quick ? 3 : 7;
	double *x = malloc(n * sizeof(*x)), *copy = malloc(n * sizeof(*copy));
	double radix[16], select[16], m1 = 0, d1 = 0, m2 = 0, d2 = 0;
	uint64_t s = 88172645463325252u;
	size_t i;
	int r;
	if (!x || !copy) {
		free(x);
		free(copy);
		return 1;
	}
	/* latencies in ns written with a tenth: 1.0 to 999.9 us, skewed */
	for (i = 0; i < n; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		x[i] = 1000.0 + (double)(s % 10000) * (double)((s >> 20) % 100) / 10.0;
	}
	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		m1 = perfdb_stats_median(x, n);
		d1 = perfdb_stats_mad(x, n, m1);
		radix[r] = (double)(bench_now_ns() - t0) / 1e6;
		t0 = bench_now_ns();
		memcpy(copy, x, n * sizeof(*x));
		m2 = perfdb_stats_median_inplace(copy, n);
		memcpy(copy, x, n * sizeof(*x));
		d2 = perfdb_stats_mad_inplace(copy, n);
		select[r] = (double)(bench_now_ns() - t0) / 1e6;
	}
	perfdb_stats_sort(radix, (size_t)reps);
	perfdb_stats_sort(select, (size_t)reps);
	bench_report(ctx, "median/in_place", "time", "ms", radix[reps / 2]);
	bench_report(ctx, "median/copy_and_select", "time", "ms", select[reps / 2]);
	bench_note(ctx,
		   "median: %zu samples, median and MAD, median of %d runs: in place %.1f ms, "
		   "copy and select %.1f ms (%.2fx), without the copy's %zu MB; values %s",
		   n, reps, radix[reps / 2], select[reps / 2], radix[reps / 2] / select[reps / 2],
		   n * sizeof(*x) >> 20, m1 == m2 && d1 == d2 ? "identical" : "DIFFER");
	free(x);
	free(copy);
	return m1 == m2 && d1 == d2 ? 0 : 1;
}
