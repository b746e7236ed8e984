/*
 * perfdb-bench detect: how well change points are found.
 *
 *  1. The Turing Change Point Dataset (../shared/data/tcpd, or
 *     $PERFDB_SHARED_DATA/tcpd), when present: F1 (margin 5) and covering
 *     as TCPDBench scores them, per series and averaged over the 25
 *     univariate series of the paper's table, for the zero detector (no
 *     change point), the library detector at its defaults and perfdb
 *     regress at its defaults (each point one commit).
 *  2. CI-shaped families (lib/analysis/evaluate.c): the share of steps
 *     found at the exact commit, the precision of what is reported on the
 *     series with a step, and the share of quiet series flagged.
 *  3. Random walks and AR(1) series with no step: the share with any
 *     change point.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/evaluate.h"
#include "bench.h"
#include "perfdb/changepoint.h"

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* $PERFDB_SHARED_DATA/tcpd, ../shared/data/tcpd from here or from the
 * build directory perfdb-bench sits in. */
static int find_tcpd(char *out, size_t cap, const bench_ctx *ctx)
{
	const char *env = getenv("PERFDB_SHARED_DATA");
	const char *slash = ctx->self ? strrchr(ctx->self, '/') : NULL;
	if (env && *env) {
		snprintf(out, cap, "%s/tcpd", env);
		return is_dir(out);
	}
	snprintf(out, cap, "../shared/data/tcpd");
	if (is_dir(out))
		return 1;
	if (slash) {
		snprintf(out, cap, "%.*s/../../shared/data/tcpd", (int)(slash - ctx->self),
			 ctx->self);
		if (is_dir(out))
			return 1;
	}
	return 0;
}

static int library_cps(size_t **out, size_t *nout, const double *x, size_t n)
{
	perfdb_change_point *cp = NULL;
	size_t k, i;
	int err = perfdb_changepoints_detect(&cp, &k, x, n, NULL);
	*out = NULL;
	*nout = 0;
	if (err < 0)
		return err;
	if (!(*out = malloc((k + 1) * sizeof(**out)))) {
		free(cp);
		return -1;
	}
	for (i = 0; i < k; i++)
		(*out)[i] = cp[i].index;
	*nout = k;
	free(cp);
	return 0;
}

static int bench_tcpd(const bench_ctx *ctx, const char *dir)
{
	perfdb_tcpd_series *s = NULL;
	size_t ns, i, m;
	double sum[3][2] = {{0}};
	static const char *const mode[3] = {"zero", "library", "regress"};
	if (perfdb_eval__tcpd_load(&s, &ns, dir) < 0) {
		fprintf(stderr, "detect: %s\n", perfdb_error_last()->message);
		return 1;
	}
	if (!ctx->json)
		printf("  %-20s %5s  %5s %5s  %5s %5s %4s  %5s %5s %4s\n", "TCPD series", "n",
		       "zero", "", "lib", "", "#cp", "regr", "", "#cp");
	for (i = 0; i < ns; i++) {
		double f[3], c[3];
		size_t *cp[3] = {NULL, NULL, NULL}, ncp[3] = {0, 0, 0};
		if (library_cps(&cp[1], &ncp[1], s[i].x, s[i].n) < 0 ||
		    perfdb_eval__regress(&cp[2], &ncp[2], s[i].x, NULL, s[i].n, ctx->workdir) < 0) {
			fprintf(stderr, "detect: %s: %s\n", s[i].name,
				perfdb_error_last()->message);
			perfdb_eval__tcpd_free(s, ns);
			return 1;
		}
		for (m = 0; m < 3; m++) {
			perfdb_eval__tcpd_score(&s[i], cp[m], ncp[m], &f[m], &c[m]);
			sum[m][0] += f[m];
			sum[m][1] += c[m];
		}
		if (!ctx->json)
			printf("  %-20s %5zu  %.3f %.3f  %.3f %.3f %4zu  %.3f %.3f %4zu\n",
			       s[i].name, s[i].n, f[0], c[0], f[1], c[1], ncp[1], f[2], c[2],
			       ncp[2]);
		free(cp[1]);
		free(cp[2]);
	}
	for (m = 0; m < 3; m++) {
		char name[64];
		snprintf(name, sizeof(name), "detect/tcpd/%s", mode[m]);
		bench_report_higher(ctx, name, "f1", "ratio", sum[m][0] / (double)ns);
		bench_report_higher(ctx, name, "cover", "ratio", sum[m][1] / (double)ns);
	}
	bench_note(ctx,
		   "TCPD, %zu univariate series (F1 margin 5 / covering, TCPDBench's metrics): "
		   "zero %.3f/%.3f, library defaults %.3f/%.3f, regress defaults %.3f/%.3f; "
		   "published defaults: binseg 0.690/0.655, pelt 0.684/0.656, amoc 0.647/0.657, "
		   "ecp 0.596/0.511",
		   ns, sum[0][0] / (double)ns, sum[0][1] / (double)ns, sum[1][0] / (double)ns,
		   sum[1][1] / (double)ns, sum[2][0] / (double)ns, sum[2][1] / (double)ns);
	perfdb_eval__tcpd_free(s, ns);
	return 0;
}

static int bench_families(const bench_ctx *ctx, int regress)
{
	const size_t per = regress ? (ctx->quick ? 4 : 40) : (ctx->quick ? 20 : 300);
	size_t f, i, tot_hit = 0, tot_steps = 0, tot_rep = 0, tot_quiet = 0, tot_flag = 0;
	for (f = 0; f < PERFDB_FAMILY_COUNT; f++) {
		size_t hit = 0, reported = 0, flagged = 0, w;
		for (i = 0; i < 2 * per; i++) {
			perfdb_eval_history h;
			size_t *cp = NULL, ncp = 0, k;
			int with_step = i < per, err;
			if (perfdb_eval__history(&h, (perfdb_eval_family)f, with_step, i) < 0)
				return 1;
			err = regress ? perfdb_eval__regress(&cp, &ncp, h.value, h.reps, h.n,
							     ctx->workdir)
				      : library_cps(&cp, &ncp, h.value, h.n);
			if (err < 0) {
				fprintf(stderr, "detect: %s\n", perfdb_error_last()->message);
				perfdb_eval__history_release(&h);
				return 1;
			}
			if (with_step) {
				for (k = 0, w = 0; k < ncp; k++)
					w += cp[k] == h.step;
				hit += w > 0;
				reported += ncp;
			} else {
				flagged += ncp > 0;
			}
			free(cp);
			perfdb_eval__history_release(&h);
		}
		if (!ctx->json)
			printf("  %-8s %-9s recall %.3f  precision %.3f  quiet flagged %.3f\n",
			       regress ? "regress" : "library",
			       perfdb_eval__family_name((perfdb_eval_family)f),
			       (double)hit / (double)per,
			       reported ? (double)hit / (double)reported : 1,
			       (double)flagged / (double)per);
		tot_hit += hit;
		tot_steps += per;
		tot_rep += reported;
		tot_quiet += per;
		tot_flag += flagged;
	}
	{
		char name[64];
		snprintf(name, sizeof(name), "detect/ci/%s", regress ? "regress" : "library");
		bench_report_higher(ctx, name, "recall", "ratio",
				    (double)tot_hit / (double)tot_steps);
		bench_report_higher(ctx, name, "precision", "ratio",
				    tot_rep ? (double)tot_hit / (double)tot_rep : 1);
		bench_report(ctx, name, "quiet_flagged", "ratio",
			     (double)tot_flag / (double)tot_quiet);
		bench_note(ctx,
			   "CI-shaped families, %s, %zu series with a step and %zu quiet per "
			   "family: recall %.3f at the exact commit, precision %.3f, %.3f of the "
			   "quiet flagged",
			   regress ? "perfdb regress defaults" : "library defaults", per, per,
			   (double)tot_hit / (double)tot_steps,
			   tot_rep ? (double)tot_hit / (double)tot_rep : 1,
			   (double)tot_flag / (double)tot_quiet);
	}
	return 0;
}

static int bench_null(const bench_ctx *ctx)
{
	static const double phis[] = {1, 0.8, 0.5};
	static const size_t lens[] = {100, 300, 1000};
	const size_t reps = ctx->quick ? 20 : 200;
	size_t p, l, i;
	double x[1000];
	for (p = 0; p < sizeof(phis) / sizeof(phis[0]); p++) {
		size_t flagged = 0, total = 0;
		char name[64];
		for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (i = 0; i < reps; i++) {
				size_t *cp = NULL, ncp = 0;
				perfdb_eval__ar1(x, lens[l], phis[p], 1000 * l + i);
				if (library_cps(&cp, &ncp, x, lens[l]) < 0)
					return 1;
				flagged += ncp > 0;
				total++;
				free(cp);
			}
		snprintf(name, sizeof(name), "detect/null/%s%.1f", phis[p] == 1 ? "walk" : "ar1_",
			 phis[p]);
		bench_report(ctx, name, "flagged", "ratio", (double)flagged / (double)total);
		bench_note(ctx, "%s (n 100, 300, 1000; %zu each), no step: %.3f flagged",
			   phis[p] == 1 ? "random walk"
					: (p == 1 ? "AR(1) phi 0.8" : "AR(1) phi 0.5"),
			   reps, (double)flagged / (double)total);
	}
	return 0;
}

int bench_detect(const bench_ctx *ctx)
{
	char dir[4096];
	int rc = 0;
	if (find_tcpd(dir, sizeof(dir), ctx))
		rc |= bench_tcpd(ctx, dir);
	else
		bench_note(ctx, "TCPD: ../shared/data/tcpd not present, skipped");
	rc |= bench_families(ctx, 0);
	rc |= bench_families(ctx, 1);
	rc |= bench_null(ctx);
	return rc;
}
