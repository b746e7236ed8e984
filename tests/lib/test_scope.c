/* Unit tests of lib/analysis/scope.c through its callers: regress, compare
 * and trend answer one history the same way, and a filter that selects
 * nothing is an error in each. */
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
#include "perfdb/history.h"
#include "perfdb/regress.h"

#define HISTORY_FIXTURE_PREFIX "test_scope"
#include "history_fixture.h"

/*
 * Ten commits, four series:
 *  - BM_Sort/1024 cpu_time, 5 repetitions: +33% at the newest commit, c0009,
 *    which was run twice (the report of issue 10: regress flagged it, trend
 *    marked nothing: its detector needs two points after a step);
 *  - BM_Sort/64 cpu_time, 5 repetitions: -20% at c0004, run twice;
 *  - BM_Alloc peak_heap, one value per run: +40% at c0006, which was run
 *    three times, one run far off (1400, 1400, 300: its level is the median
 *    1400; trend took the mean, 1033, and put the step at c0007);
 *  - BM_Flat cpu_time: no step.
 */
static perfdb_store *history(const char *name)
{
	char path[512];
	perfdb_store *s = NULL;
	int i;
	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	rng = 10;
	for (i = 0; i < 10; i++) {
		record_noisy_metric(s, i, "BM_Sort/1024", "cpu_time", i >= 9 ? 133 : 100, 0.01);
		if (i == 9)
			record_noisy_metric(s, i, "BM_Sort/1024", "cpu_time", 133, 0.01);
		record_noisy_metric(s, i, "BM_Sort/64", "cpu_time", i >= 4 ? 80 : 100, 0.01);
		if (i == 4)
			record_noisy_metric(s, i, "BM_Sort/64", "cpu_time", 80, 0.01);
		record_noisy_metric(s, i, "BM_Flat", "cpu_time", 100, 0.01);
		record_metric(s, i, "m1", "BM_Alloc", "peak_heap", "B", NULL, 0,
			      i >= 6 ? 1400 : 1000);
		if (i == 6) {
			record_metric(s, i, "m1", "BM_Alloc", "peak_heap", "B", NULL, 0, 1400);
			record_metric(s, i, "m1", "BM_Alloc", "peak_heap", "B", NULL, 0, 300);
		}
	}
	return s;
}

/* "benchmark metric commit kind" lines, sorted, joined by '\n'. */
typedef struct answer {
	char lines[16][128];
	size_t n;
	char text[2048];
} answer;

static void answer_add(answer *a, const char *bench, const char *metric, const char *commit,
		       int bad)
{
	assert_true(a->n < 16);
	snprintf(a->lines[a->n++], sizeof(a->lines[0]), "%s %s %s %s", bench, metric, commit,
		 bad ? "regression" : "improvement");
}

static int cmp_line(const void *x, const void *y)
{
	return strcmp((const char *)x, (const char *)y);
}

static const char *answer_text(answer *a)
{
	size_t i;
	qsort(a->lines, a->n, sizeof(a->lines[0]), cmp_line);
	a->text[0] = '\0';
	for (i = 0; i < a->n; i++) {
		strncat(a->text, a->lines[i], sizeof(a->text) - strlen(a->text) - 2);
		strncat(a->text, "\n", sizeof(a->text) - strlen(a->text) - 1);
	}
	return a->text;
}

static const char expected[] = "BM_Alloc peak_heap c0006 regression\n"
			       "BM_Sort/1024 cpu_time c0009 regression\n"
			       "BM_Sort/64 cpu_time c0004 improvement\n";

static void test_scope__one_answer_per_question(void **state)
{
	perfdb_store *s = history("agree");
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	perfdb_trend *t = NULL;
	answer ra, ta, ca;
	size_t i, k;
	int c;
	(void)state;
	memset(&ra, 0, sizeof(ra));
	memset(&ta, 0, sizeof(ta));
	memset(&ca, 0, sizeof(ca));
	o.use_git = 0;

	/* regress over the whole history */
	o.since = "c0000";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), 0);
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_count(rep, (perfdb_finding_kind)k); i++) {
			const perfdb_finding *f =
			    perfdb_regress_get(rep, (perfdb_finding_kind)k, i);
			answer_add(&ra, f->benchmark, f->metric, f->commit, k == 0);
		}
	assert_int_equal(perfdb_regress_series_checked(rep), 4);
	/* the level of c0006 is the median of its three runs */
	for (i = 0; i < perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION); i++) {
		const perfdb_finding *f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, i);
		if (strcmp(f->benchmark, "BM_Alloc") == 0) {
			assert_true(fabs(f->value - 1400) < 1e-9);
			assert_true(fabs(f->change_pct - 40) < 1e-9);
		}
	}
	perfdb_regress_report_free(rep);
	o.since = NULL;

	/* trend over the same commits: its steps, and their levels */
	assert_int_equal(perfdb_trend_run(&t, s, 0, &o), 0);
	assert_int_equal(perfdb_trend_count(t), 4);
	for (i = 0; i < perfdb_trend_count(t); i++) {
		const perfdb_trend_series *x = perfdb_trend_get(t, i);
		assert_int_equal(x->n, 10);
		if (strcmp(x->benchmark, "BM_Alloc") == 0)
			assert_true(fabs(x->levels[6] - 1400) < 1e-9);
		for (k = 0; k < x->nsteps; k++) {
			double ch = x->steps[k].change;
			int bad = x->direction == PERFDB_HIGHER_IS_BETTER ? ch < 0 : ch > 0;
			answer_add(&ta, x->benchmark, x->metric, x->commits[x->steps[k].index],
				   bad);
		}
	}
	perfdb_trend_free(t);

	/* compare each commit with the one before */
	for (c = 1; c < 10; c++) {
		perfdb_comparison *cmp = NULL;
		char a[16], b[16];
		snprintf(a, sizeof(a), "c%04d", c - 1);
		snprintf(b, sizeof(b), "c%04d", c);
		assert_int_equal(perfdb_compare_run(&cmp, s, a, b, &o), 0);
		for (i = 0; i < perfdb_comparison_count(cmp); i++) {
			const perfdb_comparison_row *r = perfdb_comparison_get(cmp, i);
			if (strcmp(perfdb_comparison_verdict_name(r->verdict), "same") != 0)
				answer_add(&ca, r->benchmark, r->metric, b,
					   strcmp(perfdb_comparison_verdict_name(r->verdict),
						  "regression") == 0);
			if (strcmp(r->benchmark, "BM_Alloc") == 0 && c == 6)
				assert_true(fabs(r->value_b - 1400) < 1e-9);
		}
		perfdb_comparison_free(cmp);
	}

	assert_string_equal(answer_text(&ra), expected);
	assert_string_equal(answer_text(&ta), expected);
	assert_string_equal(answer_text(&ca), expected);
	perfdb_store_free(s);
}

static void test_scope__filter_that_matches_nothing(void **state)
{
	perfdb_store *s = history("filter");
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	perfdb_comparison *cmp = NULL;
	perfdb_trend *t = NULL;
	(void)state;
	o.use_git = 0;
	record_metric(s, 0, "m1", "BM_Old", "cpu_time", "ns", NULL, 0, 5); /* only at c0000 */

	/* a mistyped glob: an error naming it, in all three */
	o.benchmark_glob = "BM_typo*";
	o.machine = "m1";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	assert_null(rep);
	assert_string_equal(perfdb_error_last()->message,
			    "no series matches benchmark 'BM_typo*' (5 benchmarks recorded on "
			    "machine 'm1')");
	assert_int_equal(perfdb_compare_run(&cmp, s, "c0000", "c0009", &o), PERFDB_ENOTFOUND);
	assert_null(cmp);
	assert_int_equal(perfdb_trend_run(&t, s, 0, &o), PERFDB_ENOTFOUND);
	assert_null(t);
	assert_string_equal(perfdb_error_last()->message,
			    "no series matches benchmark 'BM_typo*' (5 benchmarks recorded on "
			    "machine 'm1')");
	o.machine = NULL;
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	assert_string_equal(perfdb_error_last()->message,
			    "no series matches benchmark 'BM_typo*' (5 benchmarks recorded)");
	/* the same in an empty range */
	o.since = "c0009";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	o.since = NULL;

	/* an unknown machine */
	o.benchmark_glob = NULL;
	o.machine = "nosuch";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_ENOTFOUND);
	assert_string_equal(perfdb_error_last()->message,
			    "no series matches machine 'nosuch' (1 machine recorded)");
	assert_int_equal(perfdb_compare_run(&cmp, s, "c0000", "c0009", &o), PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_trend_run(&t, s, 0, &o), PERFDB_ENOTFOUND);

	/* a glob that selects recorded benchmarks without data in the range is
	 * an empty answer, not an error */
	o.machine = "m1";
	o.benchmark_glob = "BM_Old";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), 0);
	assert_int_equal(perfdb_regress_series_checked(rep), 0);
	perfdb_regress_report_free(rep);
	o.benchmark_glob = "BM_Sort*";
	assert_int_equal(perfdb_regress_run(&rep, s, &o), 0);
	assert_int_equal(perfdb_regress_series_checked(rep), 2);
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

static void test_scope__options_checked_once(void **state)
{
	/* regress, compare and trend refuse the same bad options the same way */
	perfdb_store *s = history("options");
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep = NULL;
	perfdb_comparison *cmp = NULL;
	perfdb_trend *t = NULL;
	int k;
	(void)state;
	o.use_git = 0;
	for (k = 0; k < 3; k++) {
		o = (perfdb_regress_options)PERFDB_REGRESS_OPTIONS_INIT;
		o.use_git = 0;
		if (k == 0)
			o.version = 1; /* the layout that had record_alerts */
		else if (k == 1)
			o.confidence = 1;
		else
			o.threshold_pct = -1;
		assert_int_equal(perfdb_regress_run(&rep, s, &o), PERFDB_EINVAL);
		assert_int_equal(perfdb_compare_run(&cmp, s, "c0000", "c0001", &o), PERFDB_EINVAL);
		assert_int_equal(perfdb_trend_run(&t, s, 0, &o), PERFDB_EINVAL);
	}
	assert_null(rep);
	assert_null(cmp);
	assert_null(t);
	perfdb_store_free(s);
}

/* git's stdout of `git -C REPO ARGS` (one line, trimmed) into out. */
static void git_line(char *out, size_t cap, const char *repo, const char *args)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	snprintf(cmd, sizeof(cmd), "git -C '%s' %s", repo, args);
	assert_non_null(p = popen(cmd, "r"));
	if (!fgets(out, (int)cap, p))
		out[0] = '\0';
	assert_int_equal(pclose(p), 0);
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
}

/* The one resolver, its three ways: recorded commits only, recorded then
 * git, and git alone (no store). A repository of two commits, the first
 * tagged v1 and recorded under git's full sha, the second not recorded. */
static void test_scope__one_commit_resolver(void **state)
{
	char repo[600], cmd[1400], first[64], second[64], prefix[16];
	perfdb_store *s = new_store();
	perfdb_result r;
	int64_t id = -1, id2 = -1;
	char *sha = NULL;
	(void)state;

	snprintf(repo, sizeof(repo), "%s/repo", dir);
	snprintf(cmd, sizeof(cmd),
		 "git init -q '%s' && cd '%s' && git -c user.name=t -c user.email=t@t "
		 "commit -q --allow-empty -m one && git tag v1 && git -c user.name=t -c "
		 "user.email=t@t commit -q --allow-empty -m two",
		 repo, repo);
	assert_int_equal(system(cmd), 0);
	git_line(first, sizeof(first), repo, "rev-parse v1");
	git_line(second, sizeof(second), repo, "rev-parse HEAD");
	assert_int_equal(strlen(first), 40);

	perfdb_result_init(&r);
	r.benchmark = "BM_A";
	r.metric = "real_time";
	r.unit = "ns";
	r.value = 1;
	record_result(s, first, "m1", NULL, &r);

	/* recorded only: a prefix of the recorded sha, never git's names */
	memcpy(prefix, first, 8);
	prefix[8] = '\0';
	assert_int_equal(perfdb_commit_resolve(&id, &sha, s, prefix, repo, PERFDB_RESOLVE_RECORDED),
			 0);
	assert_true(id > 0);
	assert_string_equal(sha, first);
	free(sha);
	assert_int_equal(perfdb_commit_resolve(&id2, &sha, s, "v1", repo, PERFDB_RESOLVE_RECORDED),
			 PERFDB_ENOTFOUND);
	assert_null(sha);
	assert_int_equal(id2, 0);
	assert_string_equal(perfdb_error_last()->message, "no results recorded for commit 'v1'");

	/* recorded, then git: the tag names the recorded commit */
	assert_int_equal(perfdb_commit_resolve(&id2, &sha, s, "v1", repo,
					       PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT),
			 0);
	assert_int_equal(id2, id);
	assert_string_equal(sha, first);
	free(sha);
	/* git knows HEAD, but nothing was recorded for it */
	assert_int_equal(perfdb_commit_resolve(&id2, NULL, s, "HEAD", repo,
					       PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT),
			 PERFDB_ENOTFOUND);
	assert_string_equal(perfdb_error_last()->message,
			    "no results recorded for revision 'HEAD'");

	/* git alone: any commit git knows, recorded or not, without a store */
	assert_int_equal(perfdb_commit_resolve(&id2, &sha, NULL, "HEAD", repo, PERFDB_RESOLVE_GIT),
			 0);
	assert_int_equal(id2, 0);
	assert_string_equal(sha, second);
	free(sha);
	assert_int_equal(perfdb_commit_resolve(NULL, &sha, NULL, "nope", repo, PERFDB_RESOLVE_GIT),
			 PERFDB_ENOTFOUND);
	assert_null(sha);
	assert_int_equal(perfdb_commit_resolve(NULL, &sha, NULL, "--all", repo, PERFDB_RESOLVE_GIT),
			 PERFDB_ENOTFOUND);

	/* no way to look, or nowhere to look in */
	assert_int_equal(perfdb_commit_resolve(&id2, NULL, s, "v1", repo, 0), PERFDB_EINVAL);
	assert_int_equal(
	    perfdb_commit_resolve(&id2, NULL, NULL, "v1", repo, PERFDB_RESOLVE_RECORDED),
	    PERFDB_EINVAL);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scope__one_answer_per_question),
	    cmocka_unit_test(test_scope__filter_that_matches_nothing),
	    cmocka_unit_test(test_scope__options_checked_once),
	    cmocka_unit_test(test_scope__one_commit_resolver),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
