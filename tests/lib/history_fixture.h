/* A history on disk for the tests of the analysis (regress, compare, trend,
 * alerts, baselines, series reading): real SQLite files in a temporary
 * folder, filled with perfdb_store_record, and a reproducible noise source.
 *
 * Include after <cmocka.h>. Define HISTORY_FIXTURE_PREFIX before including
 * to name the temporary folder (default "history"); run the tests with
 * cmocka_run_group_tests(tests, setup, teardown). Each
 * test executable includes this once, so its state is static. */
#ifndef PERFDB_TESTS_HISTORY_FIXTURE_H
#define PERFDB_TESTS_HISTORY_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "perfdb.h"
#include "perfdb/regress.h"
#include "perfdb/stats.h"
#include "test_server.h"

#ifndef HISTORY_FIXTURE_PREFIX
#define HISTORY_FIXTURE_PREFIX "history"
#endif

/* The temporary folder of the group (made by setup) and the
 * number of the next database new_store opens in it. */
static char dir[256];
static int dbn;

/* A linear congruential generator: tests set rng to a seed, so a noisy
 * history is the same on every run and every platform. */
static uint64_t rng = 1;

static inline double uniform01(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}

/* A standard normal deviate (Box-Muller). */
static inline double gauss(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

/* A new read-write store dir/t<N>.db, or a new database on the server (see
 * test_server.h); the caller closes it. */
static inline perfdb_store *new_store(void)
{
	char path[1024];
	perfdb_store *s = NULL;
	if (on_server())
		test_server_new_db(path, sizeof(path), HISTORY_FIXTURE_PREFIX);
	else
		snprintf(path, sizeof(path), "%s/t%d.db", dir, dbn);
	dbn++;
	assert_int_equal(perfdb_store_open(&s, path, PERFDB_STORE_READWRITE), 0);
	return s;
}

/* The commit of index i: "c0000", "c0001", ... (sorts as it was made). */
static inline void commit_name(char *buf, size_t cap, int i)
{
	snprintf(buf, cap, "c%04d", i);
}

/* Records one run of COMMIT on MACHINE with the one result r, tagged with
 * the key, value pairs of tags (NULL-terminated; tags may be NULL). */
static inline void record_result(perfdb_store *s, const char *commit, const char *machine,
				 const char *const *tags, const perfdb_result *r)
{
	perfdb_resultset *rs;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, commit), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, machine), 0);
	assert_int_equal(
	    perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, "2026-01-01T00:00:00Z"), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "test"), 0);
	for (; tags && tags[0]; tags += 2)
		assert_int_equal(perfdb_resultset_set_tag(rs, tags[0], tags[1]), 0);
	assert_int_equal(perfdb_resultset_add(rs, r), 0);
	assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	perfdb_resultset_free(rs);
}

/* Records one run of commit i, tagged with tags (as record_result), with
 * one result of BENCH's METRIC: the samples when ns > 0, else the single
 * value. */
static inline void record_metric_tagged(perfdb_store *s, int i, const char *machine,
					const char *const *tags, const char *bench,
					const char *metric, const char *unit, const double *samples,
					size_t ns, double value)
{
	perfdb_result r;
	char c[32];
	commit_name(c, sizeof(c), i);
	perfdb_result_init(&r);
	r.benchmark = bench;
	r.metric = metric;
	r.unit = unit;
	r.samples = samples;
	r.nsamples = ns;
	r.value = ns ? NAN : value;
	record_result(s, c, machine, tags, &r);
}

/* record_metric_tagged without tags. */
static inline void record_metric(perfdb_store *s, int i, const char *machine, const char *bench,
				 const char *metric, const char *unit, const double *samples,
				 size_t ns, double value)
{
	record_metric_tagged(s, i, machine, NULL, bench, metric, unit, samples, ns, value);
}

/* record_metric of the metric "real_time". */
static inline void record(perfdb_store *s, int i, const char *machine, const char *bench,
			  const char *unit, const double *samples, size_t ns, double value)
{
	record_metric(s, i, machine, bench, "real_time", unit, samples, ns, value);
}

/* Five samples of METRIC on machine "m1" around LEVEL, with a
 * coefficient of variation CV. */
static inline void record_noisy_metric(perfdb_store *s, int i, const char *bench,
				       const char *metric, double level, double cv)
{
	double x[5];
	size_t k;
	for (k = 0; k < 5; k++)
		x[k] = level * (1 + cv * gauss());
	record_metric(s, i, "m1", bench, metric, "ns", x, 5, 0);
}

/* record_noisy_metric of the metric "real_time". */
static inline void record_noisy(perfdb_store *s, int i, const char *bench, double level, double cv)
{
	record_noisy_metric(s, i, bench, "real_time", level, cv);
}

/* Twelve commits of BM_Decode on "m1", one run each of three repetitions
 * that share the run's offset (1% from run to run, 0.05% within a run),
 * +10% from c0008 on. means[i] gets run i's mean (the run's own value). */
static inline void build_run_offsets(perfdb_store *s, double means[12])
{
	int i;
	size_t k;
	rng = 5;
	for (i = 0; i < 12; i++) {
		double x[3], off = 0.01 * gauss(), lvl = i >= 8 ? 110 : 100;
		means[i] = 0;
		for (k = 0; k < 3; k++) {
			x[k] = lvl * (1 + off + 0.0005 * gauss());
			means[i] += x[k] / 3;
		}
		record(s, i, "m1", "BM_Decode", "ns", x, 3, 0);
	}
}

/* The two-sided p-value of a new run against k runs before it, as the
 * textbook would have it: (new - old) over the runs' standard deviation
 * times sqrt 2, against Student's t with k - 1 degrees of freedom. */
static inline double one_run_p(const double *before, size_t k, double old, double new_run)
{
	double t = fabs(new_run - old) / (perfdb_stats_stddev(before, k) * sqrt(2.0));
	return 2 * perfdb_stats_t_cdf(-t, (double)(k - 1));
}

/* Forty commits of five benchmarks with five samples each: BM_Step +10% at
 * c0025, BM_Quiet noise, BM_Spike one commit (c0012) +30%, BM_Faster -20%
 * at c0030, BM_Outlier one wild sample at c0033. */
static inline void build_sampled(perfdb_store *s)
{
	int i;
	rng = 11;
	for (i = 0; i < 40; i++) {
		double spike = i == 12 ? 1.3 : 1; /* a one-commit spike */
		record_noisy(s, i, "BM_Step", i >= 25 ? 110 : 100, 0.03);
		record_noisy(s, i, "BM_Quiet", 100, 0.05);
		record_noisy(s, i, "BM_Spike", 100 * spike, 0.02);
		record_noisy(s, i, "BM_Faster", i >= 30 ? 80 : 100, 0.02);
		{
			/* one wild sample at commit 33 */
			double x[5] = {100, 101, 99, 100.5, i == 33 ? 400 : 99.5};
			record(s, i, "m1", "BM_Outlier", "ns", x, 5, 0);
		}
	}
}

/* perfdb_regress_run without git (the commits are only names); prints the
 * error and fails the test when there is no report. */
static inline perfdb_regress_report *run(perfdb_store *s, perfdb_regress_options *o)
{
	perfdb_regress_report *rep = NULL;
	o->use_git = 0;
	if (perfdb_regress_run(&rep, s, o) != 0)
		print_error("%s\n", perfdb_error_last()->message);
	assert_non_null(rep);
	return rep;
}

/* Writes TEXT to PATH (a configuration file, a results file). */
static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static inline int setup(void **state)
{
	(void)state;
	test_server_init();
	snprintf(dir, sizeof(dir), "%s/" HISTORY_FIXTURE_PREFIX "_XXXXXX", PERFDB_BUILD_DIR);
	assert_non_null(mkdtemp(dir));
	return 0;
}

static inline int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
