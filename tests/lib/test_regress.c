/* Unit tests of lib/analysis/regress.c on real SQLite files built with
 * perfdb_store_record (tests/lib/history_fixture.h). The configuration,
 * trend, comparison, alerts, baselines and series reading have their own
 * files: test_config.c, test_trend.c, test_compare.c, test_alerts.c,
 * test_baselines.c, test_series.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "perfdb.h"
#include "perfdb/config.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"

#define HISTORY_FIXTURE_PREFIX "test_regress"
#include "history_fixture.h"
#include "analysis/regress_internal.h"

/* The name of the method that decided regression i of rep. */
static const char *method_of(const perfdb_regress_report *rep, size_t i)
{
	return perfdb_method_name(perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, i)->method);
}

static void test_regress__throughput_steps(void **state)
{
	/* A generated throughput series shaped like tigerbeetle's (the real one
	 * is in the acceptance suite): 365 commits at 2% noise, a one-commit
	 * anomaly at 10 (-40%), a -12% drop at 15 and a +17% rise at 71. The
	 * drop is a regression of throughput, the rise an improvement, the
	 * anomaly nothing. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	int n;
	(void)state;
	rng = 365;
	for (n = 0; n < 365; n++) {
		double level = n < 15 ? 1000000 : (n < 71 ? 880000 : 1030000);
		if (n == 10)
			level *= 0.6;
		record(s, n, "ci", "tput", "op/s", NULL, 0, level * (1 + 0.02 * gauss()));
	}
	o.since = "c0000";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0015");
	assert_true(f->change_pct < -9 && f->change_pct > -15);
	assert_true(f->p_value < 0.01);
	assert_int_equal(f->direction, PERFDB_HIGHER_IS_BETTER);
	f = perfdb_regress_get(rep, PERFDB_FINDING_IMPROVEMENT, 0);
	assert_string_equal(f->commit, "c0071");
	assert_true(f->change_pct > 14);
	assert_int_equal(perfdb_regress_failures(rep), 1);
	perfdb_regress_report_free(rep);

	/* the tail alone (after the second step): quiet */
	o.since = "c0080";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__samples_steps_spikes_outliers(void **state)
{
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	(void)state;
	build_sampled(s);
	o.since = "c0005";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 5);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->benchmark, "BM_Step");
	assert_string_equal(f->commit, "c0025");
	assert_true(fabs(f->change_pct - 10) < 3);
	assert_string_equal(f->unit, "ns");
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_IMPROVEMENT, 0);
	assert_string_equal(f->benchmark, "BM_Faster");
	assert_string_equal(f->commit, "c0030");
	assert_true(f->change_pct < -15);
	perfdb_regress_report_free(rep);

	/* a higher threshold than the step: nothing */
	o.threshold_pct = 15;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	perfdb_regress_report_free(rep);

	/* the glob */
	o.threshold_pct = 5;
	o.benchmark_glob = "BM_Q*";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__methods(void **state)
{
	/* Every method finds the 10% step at the same commit. */
	perfdb_store *s = new_store();
	perfdb_method m;
	(void)state;
	build_sampled(s);
	for (m = PERFDB_METHOD_AUTO; m <= PERFDB_METHOD_CHANGEPOINT; m++) {
		perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
		perfdb_regress_report *rep;
		const perfdb_finding *f;
		o.since = "c0005";
		o.method = m;
		o.benchmark_glob = "BM_Step";
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
		assert_string_equal(f->commit, "c0025");
		if (m == PERFDB_METHOD_PERCENT)
			assert_true(isnan(f->p_value));
		else
			assert_true(f->p_value < 0.01);
		perfdb_regress_report_free(rep);
	}
	perfdb_store_free(s);
}

static void test_regress__gate_head_commit(void **state)
{
	/* The newest commit against the window: with samples a +12% head is
	 * flagged at once; the default run (no range) is that gate. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	int i;
	(void)state;
	rng = 5;
	for (i = 0; i < 25; i++) {
		record_noisy(s, i, "BM_Head", i == 24 ? 112 : 100, 0.02);
		record(s, i, "m1", "BM_Values", "ns", NULL, 0,
		       (i == 24 ? 130 : 100) * (1 + 0.01 * gauss()));
	}
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->benchmark, "BM_Head");
	assert_string_equal(f->commit, "c0024");
	/* one commit against 20: the commits' own spread (run-to-run noise
	 * included), not the pooled repetitions */
	assert_string_equal(perfdb_method_name(f->method), "zscore");
	assert_true(f->p_value < 0.01);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 1);
	assert_string_equal(f->benchmark, "BM_Values");
	assert_string_equal(perfdb_method_name(f->method),
			    "zscore"); /* no samples: the window's spread */
	assert_string_equal(perfdb_baseline_kind_name(perfdb_regress_scope_get(rep)->baseline_kind),
			    "window");
	assert_int_equal(perfdb_regress_scope_get(rep)->window, 20);
	assert_int_equal(perfdb_regress_scope_get(rep)->since_is_end, 0);
	perfdb_regress_report_free(rep);

	/* a push to main: --since origin/main is the newest commit itself. The
	 * empty range after it is not a pass: the newest commit is checked
	 * against its window, and the regression merged there is flagged */
	o.since = "c0024";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
	assert_string_equal(perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0)->commit, "c0024");
	assert_int_equal(perfdb_regress_series_checked(rep), 2);
	assert_int_equal(perfdb_regress_scope_get(rep)->since_is_end, 1);
	assert_int_equal(perfdb_regress_scope_get(rep)->window, 20);
	assert_string_equal(perfdb_regress_scope_get(rep)->until, "c0024");
	perfdb_regress_report_free(rep);
	o.since = NULL;

	/* --commit an older, quiet commit: nothing */
	o.commit = "c0020";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	assert_int_equal(perfdb_regress_series_checked(rep), 2);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__errors(void **state)
{
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	int64_t id;
	(void)state;
	record_noisy(s, 0, "BM_E", 100, 0.01);
	record_noisy(s, 1, "BM_E", 100, 0.01);
	o.use_git = 0;
	o.since = "nosuchrev";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	assert_null(rep);
	o.since = NULL;
	o.machine = "nosuchmachine";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	o.machine = NULL;
	o.confidence = 1.5;
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_EINVAL);
	o.confidence = 0.99;
	o.baseline = "nobaseline";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	o.baseline = NULL;
	/* --since the newest commit: the range after it is empty. That used to
	 * check nothing and pass; now the newest commit is checked against the
	 * window before it (a push to main, --since origin/main == HEAD) */
	o.since = "c0001";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), 0);
	assert_int_equal(perfdb_regress_series_checked(rep), 1);
	assert_int_equal(perfdb_regress_scope_get(rep)->since_is_end, 1);
	assert_int_equal(perfdb_regress_scope_get(rep)->window, 1);
	perfdb_regress_report_free(rep);
	assert_int_equal(perfdb_commit_resolve(&id, NULL, s, "c000", NULL, PERFDB_RESOLVE_RECORDED),
			 PERFDB_EINVAL); /* ambiguous */
	assert_int_equal(
	    perfdb_commit_resolve(&id, NULL, s, "c0001", NULL, PERFDB_RESOLVE_RECORDED), 0);
	perfdb_store_free(s);
}

static void test_regress__step_on_newest_commit_of_range(void **state)
{
	/* A step that lands on the last commit of the range (--until, or the
	 * newest commit) has one point after it: the change-point search,
	 * which needs two, first proposes the commit before it (half old,
	 * half new). The culprit must be the commit of the step itself. */
	static const double quiet[] = {100.0, 101.5, 99.0, 100.8, 99.4};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	double x[5];
	int i, k;
	(void)state;
	rng = 11;
	for (i = 0; i < 21; i++) {
		for (k = 0; k < 5; k++)
			x[k] = (i == 20 ? 112 : 100) * (1 + 0.02 * gauss());
		if (i == 19) /* the last old commit, on the high side of its noise */
			for (k = 0; k < 5; k++)
				x[k] = quiet[k] * 1.02;
		record(s, i, "m1", "BM_Late", "ns", x, 5, 0);
	}
	o.since = "c0004";
	o.until = "c0020";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0020");
	assert_true(f->change_pct > 8 && f->change_pct < 16);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__few_repetitions_one_against_one(void **state)
{
	/* Two commits of one run of three repetitions each: the repetitions of
	 * a run share its noise, so this is one run against one, and nothing
	 * estimates how far a run moves by chance: the threshold alone decides
	 * (percent, p NAN), never a p-value of six samples (issue 18). Three
	 * runs of each commit are three observations a side: Mann-Whitney U
	 * cannot give a p-value below 0.1 with 3 against 3, so Welch's t
	 * decides them, in regress and in compare
	 * (test_compare__few_repetitions_one_against_one). */
	static const double a[] = {100, 101, 99}, b[] = {150, 151.5, 148.5};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	static const double qa[] = {100, 101, 99, 100.5, 99.5},
			    qb[] = {100.2, 101, 99.3, 100, 99.8};
	int i;
	(void)state;
	record(s, 0, "m1", "BM_Three", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_Three", "ns", b, 3, 0);
	record(s, 0, "m1", "BM_Quiet", "ns", qa, 5, 0);
	record(s, 1, "m1", "BM_Quiet", "ns", qb, 5, 0);
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->benchmark, "BM_Three");
	assert_string_equal(f->commit, "c0001");
	assert_string_equal(perfdb_method_name(f->method), "percent");
	assert_true(isnan(f->p_value));
	perfdb_regress_report_free(rep);

	for (i = 0; i < 3; i++) {
		record(s, 0, "m1", "BM_Runs", "ns", NULL, 0, a[i]);
		record(s, 1, "m1", "BM_Runs", "ns", NULL, 0, b[i]);
	}
	o.benchmark_glob = "BM_Runs";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(perfdb_method_name(f->method), "ttest");
	assert_true(f->p_value < 0.01);
	perfdb_regress_report_free(rep);

	perfdb_store_free(s);
}

static void test_regress__later_commits_not_blamed(void **state)
{
	/* The check of the newest commit (no --since; --commit without a
	 * baseline) after a step has landed: the step is the earlier commit's
	 * doing. Only the commit of the step fails; the ones after it, whose
	 * window still holds the old level, pass. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	char c[32];
	int i;
	(void)state;
	rng = 21;
	for (i = 0; i < 30; i++)
		record_noisy(s, i, "BM_Step", i >= 20 ? 112 : 100, 0.02);
	for (i = 20; i < 30; i++) {
		commit_name(c, sizeof(c), i);
		o.commit = c;
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), i == 20);
		if (i == 20)
			assert_string_equal(
			    perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0)->commit, "c0020");
		perfdb_regress_report_free(rep);
	}
	o.commit = NULL; /* the newest, c0029 */
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

/* Runs of the view of the single-value series: finding counts of both kinds. */
static void expect_findings(perfdb_store *s, perfdb_regress_options *o, size_t regressions,
			    size_t improvements)
{
	perfdb_regress_report *rep = run(s, o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), regressions);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), improvements);
	perfdb_regress_report_free(rep);
}

static void test_regress__single_values_two_commits(void **state)
{
	/* One value per commit and no samples (memtrack's peak heap, a
	 * profiler export): nothing estimates the noise, so a change beyond
	 * the threshold is reported on the threshold alone, as "percent" with
	 * no p-value, by every method that tests the newest commit. */
	static const perfdb_method methods[] = {PERFDB_METHOD_AUTO, PERFDB_METHOD_TTEST,
						PERFDB_METHOD_MANNWHITNEY, PERFDB_METHOD_ZSCORE,
						PERFDB_METHOD_PERCENT};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	size_t m;
	(void)state;
	record(s, 0, "m1", "heap", "B", NULL, 0, 1000000);
	record(s, 1, "m1", "heap", "B", NULL, 0, 2000000);
	record(s, 0, "m1", "ops", "op/s", NULL, 0, 1000);
	record(s, 1, "m1", "ops", "op/s", NULL, 0, 500);
	record(s, 0, "m1", "same", "ns", NULL, 0, 1000);
	record(s, 1, "m1", "same", "ns", NULL, 0, 1030); /* +3%: below the threshold */
	record(s, 0, "m1", "faster", "ns", NULL, 0, 1000);
	record(s, 1, "m1", "faster", "ns", NULL, 0, 600);
	for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		o.method = methods[m];
		o.since = m % 2 ? "c0000" : NULL; /* a range, or the newest commit */
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_series_checked(rep), 4);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
		assert_int_equal(perfdb_regress_failures(rep), 2);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
		assert_string_equal(f->benchmark, "heap");
		assert_string_equal(f->commit, "c0001");
		assert_string_equal(perfdb_method_name(f->method), "percent");
		assert_true(isnan(f->p_value));
		assert_true(fabs(f->change_pct - 100) < 1e-9);
		assert_true(fabs(f->baseline_value - 1000000) < 1e-6);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 1);
		assert_string_equal(f->benchmark, "ops"); /* throughput down: bad */
		assert_true(fabs(f->change_pct + 50) < 1e-9);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 1);
		f = perfdb_regress_get(rep, PERFDB_FINDING_IMPROVEMENT, 0);
		assert_string_equal(f->benchmark, "faster");
		assert_string_equal(perfdb_method_name(f->method), "percent");
		perfdb_regress_report_free(rep);
	}
	/* the PR gate against a revision */
	o.method = PERFDB_METHOD_AUTO;
	o.since = NULL;
	o.commit = "c0001";
	o.baseline = "c0000";
	o.benchmark_glob = "heap";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_string_equal(method_of(rep, 0), "percent");
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__single_values_short_history(void **state)
{
	/* Two commits before the newest still give no noise estimate: the
	 * threshold decides, but only when the newest commit leaves the range
	 * of both (a one-commit dip before it is no step at the newest). Three
	 * give a spread: a deterministic metric that did not move has none, so
	 * any change beyond the threshold is significant (zscore). */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	static const double grow[] = {100, 102, 200}, dip[] = {100, 50, 100},
			    lasting[] = {100, 100, 200, 200}, spike[] = {100, 200, 100, 100, 100},
			    det[] = {100, 100, 100, 130};
	int i;
	(void)state;
	for (i = 0; i < 3; i++) {
		record(s, i, "m1", "grow", "ns", NULL, 0, grow[i]);
		record(s, i, "m1", "dip", "ns", NULL, 0, dip[i]);
	}
	for (i = 0; i < 4; i++) {
		record(s, i, "m1", "lasting", "ns", NULL, 0, lasting[i]);
		record(s, i, "m1", "det", "ns", NULL, 0, det[i]);
	}
	for (i = 0; i < 5; i++)
		record(s, i, "m1", "spike", "ns", NULL, 0, spike[i]);

	o.until = "c0002";
	o.since = "c0001";
	o.benchmark_glob = "grow";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0002");
	assert_string_equal(perfdb_method_name(f->method), "percent");
	assert_true(fabs(f->baseline_value - 101) < 1e-9); /* the median before */
	perfdb_regress_report_free(rep);
	o.benchmark_glob = "dip";
	expect_findings(s, &o, 0, 0);
	o.since = "c0000"; /* the dip inside the range: a spike, not a step */
	expect_findings(s, &o, 0, 0);

	/* two commits at the new level: a step at its first commit */
	o.until = "c0003";
	o.since = "c0000";
	o.benchmark_glob = "lasting";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0002");
	assert_int_equal(f->commits_after, 2);
	perfdb_regress_report_free(rep);
	o.since = "c0002"; /* it began before the range: reported when it landed */
	expect_findings(s, &o, 0, 0);

	o.since = "c0002";
	o.benchmark_glob = "det";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0003");
	assert_string_equal(perfdb_method_name(f->method), "zscore");
	assert_true(f->p_value < 0.01);
	perfdb_regress_report_free(rep);

	/* a one-commit spike inside a longer history: nothing */
	o.until = NULL;
	o.benchmark_glob = "spike";
	o.since = "c0000";
	expect_findings(s, &o, 0, 0);
	for (i = 0; i < 4; i++) {
		char c[32];
		commit_name(c, sizeof(c), i + 1);
		o.since = NULL;
		o.commit = c; /* each commit alone: only the spike's own commit */
		expect_findings(s, &o, i == 0, 0);
	}
	perfdb_store_free(s);
}

static void test_regress__single_value_runs_pool(void **state)
{
	/* Several runs of one commit that stored one value each: a run's
	 * value is its one sample, so the runs pool into samples that the
	 * tests use, and the commit's level is their median. */
	static const double a[] = {100, 101, 96, 100.5, 99.5}, b[] = {300, 301, 296, 300.5, 299.5};
	static const double qa[] = {100, 80, 120, 95, 105}, qb[] = {108, 88, 128, 103, 113};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	perfdb_series_set *set = NULL;
	const perfdb_series *ser;
	const perfdb_finding *f;
	perfdb_comparison *c = NULL;
	const perfdb_comparison_row *row;
	int i;
	(void)state;
	for (i = 0; i < 5; i++) {
		record(s, 0, "m1", "BM_Five", "ns", NULL, 0, a[i]);
		record(s, 1, "m1", "BM_Five", "ns", NULL, 0, b[i]);
		record(s, 0, "m1", "BM_Noisy", "ns", NULL, 0, qa[i]);
		record(s, 1, "m1", "BM_Noisy", "ns", NULL, 0, qb[i]);
	}
	for (i = 0; i < 3; i++) {
		record(s, 0, "m1", "BM_Three", "ns", NULL, 0, a[i]);
		record(s, 1, "m1", "BM_Three", "ns", NULL, 0, b[i]);
	}
	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	ser = perfdb_series_set_get(set, 0);
	assert_string_equal(ser->benchmark, "BM_Five");
	assert_int_equal(ser->points[0].nruns, 5);
	assert_int_equal(ser->points[0].nsamples, 0);
	assert_null(ser->points[0].samples);
	assert_non_null(ser->points[0].run_values);
	for (i = 0; i < 5; i++)
		assert_true(ser->points[0].run_values[i] == a[i]);
	perfdb_series_set_free(set);

	o.method = PERFDB_METHOD_MANNWHITNEY;
	rep = run(s, &o);
	/* 3 against 3 can never reach p < 0.01 with U: BM_Three is not flagged */
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->benchmark, "BM_Five");
	assert_string_equal(perfdb_method_name(f->method), "mannwhitney");
	assert_true(f->p_value < 0.01);
	assert_true(fabs(f->baseline_value - 100) < 1e-9); /* median, not the mean 99.4 */
	assert_true(fabs(f->change_pct - 200) < 1e-9);
	perfdb_regress_report_free(rep);

	o.method = PERFDB_METHOD_TTEST;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
	for (i = 0; i < 2; i++) {
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, (size_t)i);
		assert_string_equal(perfdb_method_name(f->method), "ttest");
		assert_true(f->p_value < 0.01);
	}
	perfdb_regress_report_free(rep);

	/* auto: both, by the test that can reach the confidence; the noisy
	 * runs (+8% of the median) overlap and are not a finding */
	o.method = PERFDB_METHOD_AUTO;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
	assert_string_equal(method_of(rep, 0), "mannwhitney");
	assert_string_equal(method_of(rep, 1), "ttest");
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 0);
	perfdb_regress_report_free(rep);

	/* compare pools them too */
	o.benchmark_glob = "BM_Three";
	assert_int_equal(perfdb_compare_run(&c, s, "c0000", "c0001", &o), 0);
	assert_int_equal(perfdb_comparison_count(c), 1);
	row = perfdb_comparison_get(c, 0);
	assert_string_equal(perfdb_method_name(row->method), "ttest");
	assert_string_equal(perfdb_comparison_verdict_name(row->verdict), "regression");
	assert_true(row->value_a == 100 && row->value_b == 300);
	perfdb_comparison_free(c);
	perfdb_store_free(s);
}

static void test_regress__config_method_per_benchmark(void **state)
{
	/* perfdb.yaml sets a method per benchmark glob; it wins over the
	 * run's method, like the other per-benchmark keys. */
	static const double a[] = {100, 101, 99}, b[] = {300, 301, 299};
	char path[512];
	perfdb_config *cfg = NULL;
	perfdb_benchmark_config bc;
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	int i;
	(void)state;
	snprintf(path, sizeof(path), "%s/method.yaml", dir);
	write_file(path, "benchmarks:\n  - match: \"BM_T*\"\n    method: ttest\n"
			 "  - match: \"BM_Tx\"\n    threshold: 50\n");
	assert_int_equal(perfdb_config_load(&cfg, path), 0);
	perfdb_config_match(&bc, cfg, "BM_Tx", "real_time");
	assert_int_equal(bc.has_method, 1);
	assert_int_equal(bc.method, PERFDB_METHOD_TTEST);
	assert_true(bc.threshold_pct == 50);
	perfdb_config_match(&bc, cfg, "BM_U", "real_time");
	assert_int_equal(bc.has_method, 0);
	for (i = 0; i < 3; i++) {
		record(s, 0, "m1", "BM_Three", "ns", NULL, 0, a[i]);
		record(s, 1, "m1", "BM_Three", "ns", NULL, 0, b[i]);
		record(s, 0, "m1", "BM_U", "ns", NULL, 0, a[i]);
		record(s, 1, "m1", "BM_U", "ns", NULL, 0, b[i]);
	}
	o.method = PERFDB_METHOD_MANNWHITNEY; /* 3 against 3: never below 0.01 */
	o.config = cfg;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_string_equal(perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0)->benchmark,
			    "BM_Three");
	assert_string_equal(method_of(rep, 0), "ttest");
	perfdb_regress_report_free(rep);
	/* zscore reads no samples; an override that needs them still gets them */
	o.method = PERFDB_METHOD_ZSCORE;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 2);
	assert_string_equal(method_of(rep, 0), "ttest");
	assert_string_equal(method_of(rep, 1), "percent");
	perfdb_regress_report_free(rep);
	perfdb_config_free(cfg);
	cfg = NULL;

	write_file(path, "benchmarks:\n  - match: x\n    method: quick\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_int_equal(perfdb_error_last()->column, 13);
	assert_string_equal(perfdb_error_last()->field, "method");
	assert_null(cfg);
	perfdb_store_free(s);
}

static void test_regress__newest_commit_outlier_repetitions(void **state)
{
	/* The newest commit of a quiet series where 3 of its 5 repetitions
	 * hit slow outliers: its median is +50%, a level no commit had, but
	 * its repetitions scatter from the old level to 2.9x, so that median
	 * says little and nothing is flagged. A real +12% step whose one
	 * repetition stayed at the old level is still flagged at once. Both
	 * with a range (--since) and as the newest commit's gate. */
	static const double wild[5] = {100.5, 150.0, 99.6, 240.0, 290.0};
	static const double step[5] = {112.0, 113.1, 100.2, 111.4, 112.6};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	int i, pass;
	(void)state;
	rng = 11;
	for (i = 0; i < 30; i++) {
		if (i < 29) {
			record_noisy(s, i, "BM_Quiet", 100, 0.01);
			record_noisy(s, i, "BM_Step", 100, 0.01);
		} else {
			record(s, i, "m1", "BM_Quiet", "ns", wild, 5, 0);
			record(s, i, "m1", "BM_Step", "ns", step, 5, 0);
		}
	}
	for (pass = 0; pass < 2; pass++) {
		o.since = pass ? NULL : "c0019";
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_series_checked(rep), 2);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 0);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
		assert_string_equal(f->benchmark, "BM_Step");
		assert_string_equal(f->commit, "c0029");
		assert_string_equal(perfdb_method_name(f->method), "zscore");
		assert_true(f->p_value < 0.01);
		assert_true(f->change_pct > 10 && f->change_pct < 14);
		perfdb_regress_report_free(rep);
	}
	perfdb_store_free(s);
}

static void test_regress__lone_commit_no_residual(void **state)
{
	/* A head of one value against 4 single-value commits: the spread is
	 * of the 4, the head (its own median) adds no residual. 106 after
	 * 100, 101, 99, 102 is +5.5%, 3.8 standard deviations of the 4 from
	 * their mean: Student's prediction t (3 degrees of freedom) gives
	 * p = 0.03, no flag at 99%. Counting the head's residual of 0 halved
	 * the MAD and flagged it (p = 0.008). At 112 it is flagged. */
	static const double lv[5] = {100, 101, 99, 102, 106};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	int i;
	(void)state;
	for (i = 0; i < 5; i++) {
		record(s, i, "m1", "BM_Short", "ns", NULL, 0, lv[i]);
		record(s, i, "m1", "BM_Real", "ns", NULL, 0, i == 4 ? 112 : lv[i]);
	}
	o.window = 4;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 2);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->benchmark, "BM_Real");
	assert_string_equal(f->commit, "c0004");
	assert_string_equal(perfdb_method_name(f->method), "zscore");
	assert_true(f->p_value < 0.01);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_regress__step_across_window_edge_one_culprit(void **state)
{
	/* A +21% step at commit 27 of 60 (1.4% noise), from a generated
	 * history: the change-point window [0, 30) splits it a commit early
	 * (26, the highest old-level point, goes right: E-Divisive favours
	 * the more balanced split) and the two-point segment left over,
	 * {322, 384}, splits again at 28. Each of the two steps passed its
	 * test, so 26 and 28 were both blamed and 27 never. One step from 26
	 * to 28 fits those points better than two, so it is one, at 27. */
	static const double lv[60] = {
	    322.3, 320.6, 324.7, 319.3, 322.3, 318.8, 320.3, 316.0, 317.7, 319.8, 324.8, 318.7,
	    315.5, 316.1, 316.9, 320.8, 316.0, 317.7, 319.2, 318.0, 319.4, 320.3, 321.7, 318.6,
	    318.2, 319.1, 322.1, 384.5, 389.5, 388.2, 390.0, 385.3, 392.7, 387.2, 390.2, 387.4,
	    391.2, 387.2, 385.4, 389.5, 388.0, 386.9, 387.3, 389.0, 388.6, 390.6, 389.9, 385.2,
	    387.3, 385.4, 390.7, 389.0, 387.7, 380.7, 384.3, 393.2, 385.6, 388.6, 386.1, 389.7,
	};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	double x[5];
	int i, k;
	(void)state;
	for (i = 0; i < 60; i++) {
		for (k = 0; k < 5; k++)
			x[k] = lv[i] * (1 + 0.002 * (k - 2)); /* median: the level */
		record(s, i, "m1", "BM_Edge", "ns", x, 5, 0);
	}
	o.since = "c0019";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 0);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0027");
	assert_true(f->change_pct > 19 && f->change_pct < 23);
	assert_true(f->p_value < 0.01);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

/* One run of commit i with several metrics of one benchmark: samples with
 * 2% noise around each level; a bytes_per_second metric is higher-is-better. */
static void record_metrics(perfdb_store *s, int i, const char *bench, size_t nm,
			   const char *const *metrics, const char *const *units,
			   const double *levels)
{
	perfdb_resultset *rs;
	char c[32];
	size_t m, k;
	commit_name(c, sizeof(c), i);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, c), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, "m1"), 0);
	assert_int_equal(
	    perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "test"), 0);
	for (m = 0; m < nm; m++) {
		perfdb_result r;
		double x[5];
		for (k = 0; k < 5; k++)
			x[k] = levels[m] * (1 + 0.02 * gauss());
		perfdb_result_init(&r);
		r.benchmark = bench;
		r.metric = metrics[m];
		r.unit = units[m];
		r.samples = x;
		r.nsamples = 5;
		r.value = NAN;
		assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	}
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
}

static void test_regress__one_event_one_finding(void **state)
{
	/* snappy's ZFlat: one change moves real_time, cpu_time and
	 * bytes_per_second at one commit; UFlat moves real_time only, at
	 * another. Four findings, two events: the summaries count 2. */
	static const char *const metrics[] = {"real_time", "cpu_time", "bytes_per_second"};
	static const char *const units[] = {"ns", "ns", "B/s"};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_regress_event *e;
	int i;
	(void)state;
	rng = 11;
	for (i = 0; i < 30; i++) {
		double z[3] = {100, 95, 1e9}, u[1] = {200};
		if (i >= 20) {
			z[0] = 130;
			z[1] = 124;
			z[2] = 0.77e9;
		}
		if (i >= 25)
			u[0] = 260;
		record_metrics(s, i, "BM_ZFlat/0/1", 3, metrics, units, z);
		record_metrics(s, i, "BM_UFlat/0/1", 1, metrics, units, u);
	}
	o.since = "c0015";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 4);
	assert_int_equal(perfdb_regress_failures(rep), 4); /* findings, as before */
	assert_int_equal(perfdb_regress_event_count(rep, PERFDB_FINDING_REGRESSION), 2);
	assert_int_equal(perfdb_regress_event_failures(rep), 2);
	e = perfdb_regress_event_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(e->benchmark, "BM_UFlat/0/1");
	assert_string_equal(e->commit, "c0025");
	assert_int_equal(e->nfindings, 1);
	e = perfdb_regress_event_get(rep, PERFDB_FINDING_REGRESSION, 1);
	assert_string_equal(e->benchmark, "BM_ZFlat/0/1");
	assert_string_equal(e->commit, "c0020");
	assert_int_equal(e->nfindings, 3);
	assert_string_equal(perfdb_regress_get(rep, e->kind, e->findings[0])->metric,
			    "bytes_per_second");
	assert_string_equal(perfdb_regress_get(rep, e->kind, e->findings[1])->metric, "cpu_time");
	assert_string_equal(perfdb_regress_get(rep, e->kind, e->findings[2])->metric, "real_time");
	assert_true(perfdb_regress_event_open(rep, e));
	assert_null(perfdb_regress_event_get(rep, PERFDB_FINDING_REGRESSION, 2));
	perfdb_regress_report_free(rep);

	/* --metric: cpu_time alone, one event per benchmark that moved in it */
	o.metric_glob = "cpu_*";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_int_equal(perfdb_regress_event_failures(rep), 1);
	assert_string_equal(perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0)->metric,
			    "cpu_time");
	perfdb_regress_report_free(rep);
	/* a metric glob that matches nothing read is an error, not a pass */
	o.metric_glob = "cpu_tme";
	rep = NULL;
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	assert_null(rep);
	assert_string_equal(perfdb_error_last()->message,
			    "no series matches metric 'cpu_tme' (e.g. 'real_time' is recorded)");
	perfdb_store_free(s);
}

static void test_regress__renamed_series_not_compared(void **state)
{
	/* snappy at 766d24c: BM_UFlat/0 became BM_UFlat/0/1. Against the
	 * release baseline before the rename, the renamed series have no
	 * data: "not compared", never a silent pass against the window. */
	static const char *const metrics[] = {"real_time"};
	static const char *const units[] = {"ns"};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_series_verdict *v;
	int64_t id;
	int i;
	(void)state;
	rng = 12;
	for (i = 0; i < 30; i++) {
		double lvl[1] = {100}, slow[1] = {i == 29 ? 150 : 100};
		record_metrics(s, i, "BM_Steady", 1, metrics, units, lvl);
		record_metrics(s, i, i < 10 ? "BM_UFlat/0" : "BM_UFlat/0/1", 1, metrics, units,
			       slow);
	}
	assert_int_equal(
	    perfdb_commit_resolve(&id, NULL, s, "c0005", NULL, PERFDB_RESOLVE_RECORDED), 0);
	assert_int_equal(perfdb_store_baseline_set(s, "rel", id, "main", NULL), 0);
	o.commit = "c0029";
	o.baseline = "rel";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 2);
	assert_int_equal(perfdb_regress_not_compared(rep), 1);
	/* the +50% of the renamed series is not judged against the window */
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 0);
	v = perfdb_regress_series(rep, 0);
	assert_string_equal(v->benchmark, "BM_Steady");
	assert_int_equal(v->not_compared, 0);
	v = perfdb_regress_series(rep, 1);
	assert_string_equal(v->benchmark, "BM_UFlat/0/1");
	assert_int_equal(v->not_compared, 1);
	assert_true(isnan(v->baseline_value));
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

/* The series checked in several passes on their own threads give the
 * same report as one pass, verdict for verdict and finding for finding, in
 * the same order: regressions and improvements across many series, a
 * real_time step with its cpu_time flat (the loaded-machine check), a
 * renamed series joined onto its new name, runs pooled at one commit. */
static void expect_same_findings(const perfdb_regress_report *a, const perfdb_regress_report *b,
				 perfdb_finding_kind kind)
{
	size_t i;
	assert_int_equal(perfdb_regress_count(a, kind), perfdb_regress_count(b, kind));
	for (i = 0; i < perfdb_regress_count(a, kind); i++) {
		const perfdb_finding *x = perfdb_regress_get(a, kind, i),
				     *y = perfdb_regress_get(b, kind, i);
		assert_string_equal(x->benchmark, y->benchmark);
		assert_string_equal(x->metric, y->metric);
		assert_string_equal(x->commit, y->commit);
		assert_true(x->change_pct == y->change_pct);
		assert_true(x->baseline_value == y->baseline_value && x->value == y->value);
		assert_true((isnan(x->p_value) && isnan(y->p_value)) || x->p_value == y->p_value);
		assert_int_equal(x->commits_after, y->commits_after);
		assert_true((x->suspect == NULL) == (y->suspect == NULL));
	}
}

static void test_regress__same_report_in_parallel(void **state)
{
	static const char *const metrics[] = {"real_time", "cpu_time"};
	static const char *const units[] = {"ns", "ns"};
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *one, *many;
	perfdb_config *cfg = NULL;
	char path[300], name[32];
	size_t i, was;
	int c, b;
	(void)state;
	rng = 31;
	for (c = 0; c < 12; c++) {
		for (b = 0; b < 24; b++) {
			double lv[2] = {100.0 + b, 50.0 + b};
			if (b % 5 == 0 && c >= 8)
				lv[0] *= 1.3; /* real_time only */
			if (b % 5 == 1 && c >= 9)
				lv[0] *= 0.7, lv[1] *= 0.7;
			snprintf(name, sizeof(name), "BM_%02d", b);
			record_metrics(s, c, name, 2, metrics, units, lv);
		}
		record_metrics(s, c, c < 6 ? "BM_old/3" : "BM_old/3/1", 2, metrics, units,
			       (double[]){c < 10 ? 200.0 : 260.0, 100.0});
	}
	record_metrics(s, 11, "BM_01", 2, metrics, units, (double[]){70.7, 35.5});
	snprintf(path, sizeof(path), "%s/par.yaml", dir);
	write_file(path, "renames:\n  \"BM_old/*\": \"BM_old/*/1\"\n");
	assert_int_equal(perfdb_config_load(&cfg, path), 0);
	o.config = cfg;
	o.since = "c0005";
	was = perfdb_regress__set_parallel_from(SIZE_MAX);
	one = run(s, &o);
	perfdb_regress__set_parallel_from(0);
	many = run(s, &o);
	perfdb_regress__set_parallel_from(was);
	assert_true(perfdb_regress_count(one, PERFDB_FINDING_REGRESSION) >= 6);
	assert_true(perfdb_regress_count(one, PERFDB_FINDING_IMPROVEMENT) >= 5);
	expect_same_findings(one, many, PERFDB_FINDING_REGRESSION);
	expect_same_findings(one, many, PERFDB_FINDING_IMPROVEMENT);
	assert_int_equal(perfdb_regress_series_checked(one), perfdb_regress_series_checked(many));
	assert_int_equal(perfdb_regress_series_checked(one), 2 * 24 + 2);
	for (i = 0; i < perfdb_regress_series_checked(one); i++) {
		const perfdb_series_verdict *x = perfdb_regress_series(one, i),
					    *y = perfdb_regress_series(many, i);
		assert_string_equal(x->benchmark, y->benchmark);
		assert_string_equal(x->metric, y->metric);
		assert_int_equal(x->points, y->points);
		assert_true(x->value == y->value);
		assert_true((isnan(x->baseline_value) && isnan(y->baseline_value)) ||
			    x->baseline_value == y->baseline_value);
		assert_int_equal(x->regressions, y->regressions);
		assert_int_equal(x->improvements, y->improvements);
		if (i)
			assert_true(strcmp(perfdb_regress_series(many, i - 1)->benchmark,
					   x->benchmark) <= 0);
	}
	/* the renamed series is judged once, under its new name, joined */
	assert_string_equal(perfdb_regress_series(many, 0)->benchmark, "BM_00");
	assert_int_equal(perfdb_regress_event_count(one, PERFDB_FINDING_REGRESSION),
			 perfdb_regress_event_count(many, PERFDB_FINDING_REGRESSION));
	perfdb_regress_report_free(one);
	perfdb_regress_report_free(many);
	perfdb_config_free(cfg);
	perfdb_store_free(s);
}

/* Commit i of one benchmark: 3 repetitions at level (1 + cv N(0, 1)) each. */
static void record_three(perfdb_store *s, int i, double level, double cv)
{
	double x[3];
	size_t k;
	for (k = 0; k < 3; k++)
		x[k] = level * (1 + cv * gauss());
	record(s, i, "m1", "BM_Short", "ns", x, 3, 0);
}

/* The regressions found over --since c0000, their commits in order. */
static size_t short_steps(perfdb_store *s, int64_t *ids, size_t cap)
{
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	size_t i, n;
	o.since = "c0000";
	rep = run(s, &o);
	n = perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION);
	for (i = 0; i < n && i < cap; i++) {
		const perfdb_finding *f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, i);
		assert_int_equal(perfdb_commit_resolve(&ids[i], NULL, s, f->commit, NULL,
						       PERFDB_RESOLVE_RECORDED),
				 0);
		assert_true(f->p_value < 0.01);
		assert_string_equal(perfdb_method_name(f->method), "zscore");
	}
	perfdb_regress_report_free(rep);
	return n;
}

static void test_regress__short_segments_repetitions_count(void **state)
{
	/* 12 commits, 3 repetitions at 0.5% noise, +20% at commit 4 and
	 * +15% at commit 8: 4 commits a side, where a rank test on commit
	 * levels can never reach p < 0.01. The repetitions count, through
	 * the run-to-run noise of the whole series. */
	int seed;
	(void)state;
	for (seed = 1; seed <= 5; seed++) {
		perfdb_store *s = new_store();
		int64_t ids[4], c4, c8;
		int i;
		rng = (uint64_t)seed * 7919;
		for (i = 0; i < 12; i++)
			record_three(s, i, i < 4 ? 100 : i < 8 ? 120 : 138, 0.005);
		assert_int_equal(
		    perfdb_commit_resolve(&c4, NULL, s, "c0004", NULL, PERFDB_RESOLVE_RECORDED), 0);
		assert_int_equal(
		    perfdb_commit_resolve(&c8, NULL, s, "c0008", NULL, PERFDB_RESOLVE_RECORDED), 0);
		assert_int_equal(short_steps(s, ids, 4), 2);
		assert_true(ids[0] == c4);
		assert_true(ids[1] == c8);
		perfdb_store_free(s);
	}
}

static void test_regress__longer_range_keeps_steps(void **state)
{
	/* +21% at commit 5 and +17% at commit 10, 3 repetitions at 1%
	 * noise, 15 commits: both steps over the whole range, as each is
	 * over a range that ends before the next. */
	int seed;
	(void)state;
	for (seed = 1; seed <= 5; seed++) {
		perfdb_store *s = new_store();
		int64_t ids[4], c5, c10;
		int i;
		rng = (uint64_t)seed * 104729;
		for (i = 0; i < 15; i++)
			record_three(s, i, i < 5 ? 100 : i < 10 ? 121 : 141.57, 0.01);
		assert_int_equal(
		    perfdb_commit_resolve(&c5, NULL, s, "c0005", NULL, PERFDB_RESOLVE_RECORDED), 0);
		assert_int_equal(
		    perfdb_commit_resolve(&c10, NULL, s, "c0010", NULL, PERFDB_RESOLVE_RECORDED),
		    0);
		assert_int_equal(short_steps(s, ids, 4), 2);
		assert_true(ids[0] == c5);
		assert_true(ids[1] == c10);
		perfdb_store_free(s);
	}
}

static void test_regress__runs_not_repetitions(void **state)
{
	/* Issue 18: each run's three repetitions share the run's offset (1%),
	 * and the step is +10%. The p-values count runs: never far below the
	 * textbook tests on the runs' values (Welch on the commits' runs; one
	 * run against the spread of the runs before it), where pooling the
	 * repetitions as independent samples gave 1e-23 and 1e-27; the step
	 * is still found, at its commit. */
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	perfdb_test_result w;
	double means[12], p_runs, p_one;
	int pass;
	(void)state;
	build_run_offsets(s, means);
	assert_int_equal(perfdb_stats_welch(&w, means, 8, means + 8, 4, PERFDB_TWO_SIDED), 0);
	p_runs = w.p_value;
	p_one = one_run_p(means, 7, means[7], means[8]);
	assert_true(p_runs < 1e-3 && p_one < 0.05);

	/* the range, auto and Welch's t */
	for (pass = 0; pass < 2; pass++) {
		o.since = "c0005";
		o.method = pass ? PERFDB_METHOD_TTEST : PERFDB_METHOD_AUTO;
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
		assert_string_equal(f->commit, "c0008");
		assert_true(f->p_value < 0.01);
		assert_true(f->p_value >= p_runs / 10);
		perfdb_regress_report_free(rep);
	}

	/* one run against one: c0008 against the revision c0007, by the
	 * series' two-level noise whatever the method asked (one run a side
	 * holds no test of its own) */
	o.confidence = 0.95;
	for (pass = 0; pass < 3; pass++) {
		static const perfdb_method m[] = {PERFDB_METHOD_AUTO, PERFDB_METHOD_TTEST,
						  PERFDB_METHOD_MANNWHITNEY};
		o.since = NULL;
		o.commit = "c0008";
		o.baseline = "c0007";
		o.method = m[pass];
		rep = run(s, &o);
		assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
		f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
		assert_string_equal(f->commit, "c0008");
		assert_string_equal(perfdb_method_name(f->method), "zscore");
		assert_true(f->p_value < 0.05);
		assert_true(f->p_value >= p_one / 100);
		perfdb_regress_report_free(rep);
	}
	perfdb_store_free(s);
}

/* method, baseline kind and commit order are enums with the CLI's words;
 * "none" names a comparison that could not test, and is not a method to ask
 * for. */
static void test_regress__enum_names(void **state)
{
	perfdb_method m = PERFDB_METHOD_AUTO;
	(void)state;
	assert_string_equal(perfdb_method_name(PERFDB_METHOD_MANNWHITNEY), "mannwhitney");
	assert_string_equal(perfdb_method_name(PERFDB_METHOD_CHANGEPOINT), "changepoint");
	assert_string_equal(perfdb_method_name((perfdb_method)42), "unknown");
	assert_int_equal(perfdb_method_parse(&m, "zscore"), 0);
	assert_int_equal(m, PERFDB_METHOD_ZSCORE);
	assert_int_equal(perfdb_method_parse(&m, "none"), PERFDB_EINVAL);
	assert_int_equal(m, PERFDB_METHOD_ZSCORE);
	assert_string_equal(perfdb_baseline_kind_name(PERFDB_BASELINE_WINDOW), "window");
	assert_string_equal(perfdb_baseline_kind_name(PERFDB_BASELINE_NAMED), "named");
	assert_string_equal(perfdb_baseline_kind_name(PERFDB_BASELINE_COMMIT), "commit");
	assert_string_equal(perfdb_commit_order_name(PERFDB_ORDER_RECORDED), "recorded");
	assert_string_equal(perfdb_commit_order_name(PERFDB_ORDER_GIT), "git");
	assert_string_equal(perfdb_commit_order_name((perfdb_commit_order)5), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_regress__throughput_steps),
	    cmocka_unit_test(test_regress__enum_names),
	    cmocka_unit_test(test_regress__samples_steps_spikes_outliers),
	    cmocka_unit_test(test_regress__methods),
	    cmocka_unit_test(test_regress__gate_head_commit),
	    cmocka_unit_test(test_regress__errors),
	    cmocka_unit_test(test_regress__step_on_newest_commit_of_range),
	    cmocka_unit_test(test_regress__few_repetitions_one_against_one),
	    cmocka_unit_test(test_regress__later_commits_not_blamed),
	    cmocka_unit_test(test_regress__single_values_two_commits),
	    cmocka_unit_test(test_regress__single_values_short_history),
	    cmocka_unit_test(test_regress__single_value_runs_pool),
	    cmocka_unit_test(test_regress__config_method_per_benchmark),
	    cmocka_unit_test(test_regress__newest_commit_outlier_repetitions),
	    cmocka_unit_test(test_regress__lone_commit_no_residual),
	    cmocka_unit_test(test_regress__step_across_window_edge_one_culprit),
	    cmocka_unit_test(test_regress__one_event_one_finding),
	    cmocka_unit_test(test_regress__renamed_series_not_compared),
	    cmocka_unit_test(test_regress__same_report_in_parallel),
	    cmocka_unit_test(test_regress__short_segments_repetitions_count),
	    cmocka_unit_test(test_regress__longer_range_keeps_steps),
	    cmocka_unit_test(test_regress__runs_not_repetitions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
