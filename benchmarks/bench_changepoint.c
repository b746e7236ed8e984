/* perfdb-bench changepoint: change-point detection over one long series. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench.h"
#include "perfdb/changepoint.h"
#include "perfdb/stats.h"

static uint64_t state = 12345;

static double gauss(void)
{
	double u, v;
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	u = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	v = ((double)(state >> 11) + 0.5) / 9007199254740992.0;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

int bench_changepoint(const bench_ctx *ctx)
{
	const size_t n = ctx->quick ? 2000 : 10000;
	const int reps = ctx->quick ? 3 : 7;
	double *x = malloc(n * sizeof(*x)), times[16];
	perfdb_changepoint_options o = PERFDB_CHANGEPOINT_OPTIONS_INIT;
	perfdb_change_point *cp = NULL;
	size_t i, k = 0, steps = 0;
	int r;
	if (!x)
		return 1;
	/* 3% noise, a 10% step every 500 points, a one-point spike every 97 */
	for (i = 0; i < n; i++) {
		double level = (i / 500) % 2 ? 110 : 100;
		x[i] = level * (1 + 0.03 * gauss()) * (i % 97 == 0 ? 1.5 : 1);
	}
	o.min_magnitude = 0.05;
	for (r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		if (perfdb_changepoints_detect(&cp, &k, x, n, &o) != 0) {
			free(x);
			return 1;
		}
		times[r] = (double)(bench_now_ns() - t0) / 1e6;
		if (r + 1 < reps)
			free(cp);
	}
	for (i = 0; i < k; i++)
		if (cp[i].index % 500 == 0)
			steps++;
	perfdb_stats_sort(times, (size_t)reps);
	bench_report(ctx, "changepoint/series", "detect_time", "ms", times[reps / 2]);
	bench_note(ctx,
		   "changepoint: %zu points, window %zu, median of %d runs %.2f ms (min %.2f); "
		   "%zu change points found, %zu at the %zu injected steps",
		   n, o.window, reps, times[reps / 2], times[0], k, steps, n / 500 - 1);
	free(cp);
	free(x);
	return 0;
}
