/* Unit tests of the history reading (lib/store/series.c): runs of one
 * commit pooled into one point per machine, commits in order; a run read
 * from its result blocks (lib/store/blocks.c) as from its rows. */
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
#include "perfdb/stats.h"

#include <sqlite3.h>

#define HISTORY_FIXTURE_PREFIX "test_series"
#include "history_fixture.h"

#include "store/blocks.h"
#include "store/history.h"
#include "store/store.h"

static void test_series__pooling_and_order(void **state)
{
	/* Two runs of one commit pool their samples into one point. */
	perfdb_store *s = new_store();
	perfdb_series_set *set = NULL;
	const perfdb_series *ser;
	const double a[] = {1, 2, 3}, b[] = {10, 20};
	perfdb_commit_list *cl = NULL;
	(void)state;
	record(s, 0, "m1", "BM_P", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_P", "ns", a, 3, 0);
	record(s, 1, "m1", "BM_P", "ns", b, 2, 0);
	record(s, 1, "m2", "BM_P", "ns", b, 2, 0);
	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set_count(set), 2); /* per machine */
	ser = perfdb_series_set_get(set, 0);
	assert_string_equal(ser->machine, "m1");
	assert_int_equal(ser->npoints, 2);
	assert_int_equal(ser->points[1].nruns, 2);
	assert_int_equal(ser->points[1].nsamples, 5);
	assert_true(fabs(ser->points[1].value - (2 + 15) / 2.0) < 1e-9);
	perfdb_series_set_free(set);
	assert_int_equal(perfdb_store_commits(&cl, s), 0);
	assert_int_equal(cl->count, 2);
	assert_string_equal(cl->items[0].sha, "c0000");
	perfdb_commit_list_free(cl);
	perfdb_store_free(s);
}

/* A series' tags are read with accessors: pairs sorted by key, a lookup by
 * key, and the stored JSON for output. Untagged series have none. */
static void test_series__tags_accessor(void **state)
{
	perfdb_store *s = new_store();
	perfdb_series_set *set = NULL;
	const char *const tags[] = {"opt", "-O2", "cc", "gcc \"12\"", NULL};
	perfdb_result r;
	const perfdb_tags *t;
	(void)state;
	perfdb_result_init(&r);
	r.benchmark = "BM_T";
	r.metric = "real_time";
	r.unit = "ns";
	r.value = 5;
	record_result(s, "c0000", "m1", tags, &r);
	record(s, 0, "m1", "BM_T", "ns", NULL, 0, 6); /* the same, untagged */

	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set_count(set), 2);
	t = perfdb_series_set_get(set, 1)->tags; /* "{}" sorts after '{"' */
	assert_int_equal(perfdb_tags_count(t), 0);
	assert_string_equal(perfdb_tags_json(t), "{}");
	assert_null(perfdb_tags_get(t, "cc"));
	t = perfdb_series_set_get(set, 0)->tags;
	assert_int_equal(perfdb_tags_count(t), 2);
	assert_string_equal(perfdb_tags_key(t, 0), "cc");
	assert_string_equal(perfdb_tags_value(t, 0), "gcc \"12\"");
	assert_string_equal(perfdb_tags_key(t, 1), "opt");
	assert_string_equal(perfdb_tags_value(t, 1), "-O2");
	assert_null(perfdb_tags_key(t, 2));
	assert_string_equal(perfdb_tags_get(t, "opt"), "-O2");
	assert_null(perfdb_tags_get(t, "op"));
	assert_string_equal(perfdb_tags_json(t), "{\"cc\":\"gcc \\\"12\\\"\",\"opt\":\"-O2\"}");
	assert_int_equal(perfdb_tags_count(NULL), 0);
	assert_string_equal(perfdb_tags_json(NULL), "{}");
	perfdb_series_set_free(set);
	perfdb_store_free(s);
}

/* The level (median) and mad of one point's observations, as the analysis
 * has always computed them from the samples. */
static void expect_level(const perfdb_series_point *p, const double *x, size_t n)
{
	double c[16];
	memcpy(c, x, n * sizeof(*c));
	assert_true(p->level == perfdb_stats_median_inplace(c, n));
	memcpy(c, x, n * sizeof(*c));
	assert_true(p->mad == perfdb_stats_mad_inplace(c, n));
}

/* Each point's sample count, level and mad come without reading the
 * samples (a result carries its samples' median and mad, schema/0008),
 * bit for bit what the samples give: one run's samples (an even count, whose
 * median is a mean of two), runs of one commit pooled, a run without
 * samples, and two such runs of one commit (their values). */
/* samples_read: whether point 0 is to hold its samples */
static void check_levels(perfdb_store *s, int with_samples, int samples_read)
{
	const double a[] = {0.1, 0.7, 0.3, 5};
	const double pooled[] = {1, 2, 3, 10, 20}, values[] = {4, 8};
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_series_set *set = NULL;
	const perfdb_series *ser;
	q.with_samples = with_samples;
	assert_int_equal(perfdb_store_read_series(&set, s, &q), 0);
	assert_int_equal(perfdb_series_set_count(set), 1);
	ser = perfdb_series_set_get(set, 0);
	assert_int_equal(ser->npoints, 4);
	assert_int_equal(ser->points[0].nsamples, 4);
	assert_true(samples_read ? ser->points[0].samples != NULL : ser->points[0].samples == NULL);
	expect_level(&ser->points[0], a, 4);
	assert_true(ser->points[0].level == 0.3 + (0.7 - 0.3) / 2);
	assert_int_equal(ser->points[1].nsamples, 5);
	assert_non_null(ser->points[1].samples); /* pooled: read whatever asked */
	expect_level(&ser->points[1], pooled, 5);
	assert_true(ser->points[1].level == 3 && ser->points[1].mad == 2);
	assert_int_equal(ser->points[2].nsamples, 0);
	assert_true(ser->points[2].level == 6 && ser->points[2].mad == 0);
	assert_int_equal(ser->points[3].nruns, 2);
	expect_level(&ser->points[3], values, 2);
	perfdb_series_set_free(set);
}

static void test_series__levels_without_samples(void **state)
{
	const double a[] = {0.1, 0.7, 0.3, 5}, b[] = {1, 2, 3}, c[] = {10, 20};
	perfdb_store *s = new_store();
	(void)state;
	record(s, 0, "m1", "BM_L", "ns", a, 4, 0);
	record(s, 1, "m1", "BM_L", "ns", b, 3, 0);
	record(s, 1, "m1", "BM_L", "ns", c, 2, 0);
	record(s, 2, "m1", "BM_L", "ns", NULL, 0, 6);
	record(s, 3, "m1", "BM_L", "ns", NULL, 0, 4);
	record(s, 3, "m1", "BM_L", "ns", NULL, 0, 8);
	check_levels(s, 0, 0);
	check_levels(s, 1, 1);
	/* rows whose statistics are not known (NULL): the samples tell */
	if (!on_server()) {
		char path[1024];
		sqlite3 *db = NULL;
		snprintf(path, sizeof(path), "%s/t%d.db", dir, dbn - 1);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db,
					      "UPDATE results SET sample_count = NULL, "
					      "sample_median = NULL, sample_mad = NULL",
					      NULL, NULL, NULL),
				 SQLITE_OK);
		sqlite3_close(db);
		check_levels(s, 0, 1);
	}
	perfdb_store_free(s);
}

/* ---- result blocks ---------------------------------------------------------------- */

static void sql(perfdb_store *s, const char *text)
{
	if (perfdb_db__exec(s->db, text) != 0)
		fail_msg("%s: %s", text, perfdb_db__errmsg(s->db));
}

static int64_t sql_int(perfdb_store *s, const char *text)
{
	int64_t v = perfdb_store__count(s, text);
	assert_true(v >= 0);
	return v;
}

/* One run of commit i on machine with tags (may be NULL): benchmarks
 * BM_0..BM_{n-1} and other/0..other/2, some with 5 samples, some with 2,
 * some with none (a value only), from seed. */
static void record_batched_run(perfdb_store *s, int i, const char *machine, const char *tag_value,
			       int n, unsigned seed, int batch);

static void record_wide_run(perfdb_store *s, int i, const char *machine, const char *tag_value,
			    int n, unsigned seed)
{
	record_batched_run(s, i, machine, tag_value, n, seed, 0);
}

/* The same, recorded batch results at a time (0: whole), as `perfdb record`
 * of a big file does. */
static void record_batched_run(perfdb_store *s, int i, const char *machine, const char *tag_value,
			       int n, unsigned seed, int batch)
{
	perfdb_resultset *rs, *part = NULL;
	perfdb_recording *rec = NULL;
	char c[32], name[32];
	double x[5];
	int b, k;
	commit_name(c, sizeof(c), i);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, c), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, machine), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "test"), 0);
	if (tag_value)
		assert_int_equal(perfdb_resultset_set_tag(rs, "cc", tag_value), 0);
	rng = seed;
	for (b = 0; b < n + 3; b++) {
		perfdb_result r;
		int ns = b % 3 == 0 ? 0 : b % 3 == 1 ? 5 : 2;
		if (b < n)
			snprintf(name, sizeof(name), "BM_%d", b);
		else
			snprintf(name, sizeof(name), "other/%d", b - n);
		for (k = 0; k < ns; k++)
			x[k] = 100 + b + 10 * uniform01();
		perfdb_result_init(&r);
		r.benchmark = name;
		r.metric = "real_time";
		r.unit = "ns";
		r.samples = ns ? x : NULL;
		r.nsamples = (size_t)ns;
		r.value = ns ? NAN : 50 + b + uniform01();
		if (!batch) {
			assert_int_equal(perfdb_resultset_add(rs, &r), 0);
			continue;
		}
		if (!rec)
			assert_int_equal(perfdb_store_record_begin(&rec, s, rs), 0);
		if (!part)
			assert_int_equal(perfdb_resultset_new(&part), 0);
		assert_int_equal(perfdb_resultset_add(part, &r), 0);
		if ((int)perfdb_resultset_count(part) == batch || b == n + 2) {
			assert_int_equal(perfdb_recording_add(rec, part), 0);
			perfdb_resultset_free(part);
			part = NULL;
		}
	}
	if (rec) {
		assert_int_equal(perfdb_recording_finish(rec, NULL), 0);
		perfdb_recording_free(rec);
	} else {
		assert_int_equal(perfdb_store_record(s, rs, NULL), 0);
	}
	perfdb_resultset_free(rs);
}

/* A history with every kind of run: two machines, tagged runs, pooled
 * runs (one commit, machine and tags twice), results with and without
 * samples. */
static perfdb_store *wide_history(void)
{
	perfdb_store *s = new_store();
	int i;
	for (i = 0; i < 5; i++) {
		record_wide_run(s, i, "m1", NULL, 12, 10u + (unsigned)i);
		record_wide_run(s, i, "m2", i % 2 ? "gcc" : NULL, 9, 20u + (unsigned)i);
	}
	record_wide_run(s, 2, "m1", NULL, 12, 99);   /* pooled with the first */
	record_wide_run(s, 3, "m1", "clang", 5, 77); /* another series */
	return s;
}

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* Every field of series x and y and of their points is the same. */
static void expect_same_series(const perfdb_series *x, const perfdb_series *y)
{
	size_t k, j;
	assert_true(x->benchmark_id == y->benchmark_id && x->machine_id == y->machine_id);
	assert_string_equal(x->benchmark, y->benchmark);
	assert_string_equal(x->metric, y->metric);
	assert_string_equal(x->unit, y->unit);
	assert_string_equal(x->machine, y->machine);
	assert_string_equal(perfdb_tags_json(x->tags), perfdb_tags_json(y->tags));
	assert_int_equal(x->direction, y->direction);
	assert_int_equal(x->npoints, y->npoints);
	for (k = 0; k < x->npoints; k++) {
		const perfdb_series_point *p = &x->points[k], *q = &y->points[k];
		assert_int_equal(p->pos, q->pos);
		assert_true(p->commit_id == q->commit_id);
		assert_int_equal(p->nruns, q->nruns);
		assert_int_equal(p->nsamples, q->nsamples);
		assert_true(same_bits(p->value, q->value));
		assert_true(same_bits(p->level, q->level));
		assert_true(same_bits(p->mad, q->mad));
		assert_true((p->samples == NULL) == (q->samples == NULL));
		for (j = 0; p->samples && j < p->nsamples; j++)
			assert_true(same_bits(p->samples[j], q->samples[j]));
		for (j = 0; j < p->nruns; j++)
			assert_true(same_bits(p->run_values[j], q->run_values[j]));
	}
}

/* Every field of every series and point of a and b is the same. */
static void expect_same_sets(const perfdb_series_set *a, const perfdb_series_set *b)
{
	size_t i;
	assert_int_equal(perfdb_series_set_count(a), perfdb_series_set_count(b));
	for (i = 0; i < perfdb_series_set_count(a); i++)
		expect_same_series(perfdb_series_set_get(a, i), perfdb_series_set_get(b, i));
}

/* The reads compared: everything, without samples, one machine, a glob,
 * two commits in another order. */
#define NQUERIES 5

static void read_all(perfdb_store *s, perfdb_series_set *sets[NQUERIES], int64_t commits[2])
{
	perfdb_series_query q[NQUERIES];
	int k;
	for (k = 0; k < NQUERIES; k++)
		perfdb_series_query_init(&q[k]);
	q[1].with_samples = 0;
	q[2].machine = "m2";
	q[3].benchmark_glob = "BM_1*";
	q[4].commit_ids = commits;
	q[4].ncommits = 2;
	for (k = 0; k < NQUERIES; k++)
		assert_int_equal(perfdb_store_read_series(&sets[k], s, &q[k]), 0);
}

static void free_all(perfdb_series_set *sets[NQUERIES])
{
	int k;
	for (k = 0; k < NQUERIES; k++)
		perfdb_series_set_free(sets[k]);
}

/* Writes run's results from its rows as two chunks, the results taken in
 * turn, so neither holds a run of neighbours (the reader merges them). */
static void write_two_chunks(perfdb_store *s, int64_t run)
{
	perfdb_block_writer w[2];
	perfdb_stmt *st = NULL;
	char text[128];
	int k = 0;
	memset(w, 0, sizeof(w));
	snprintf(text, sizeof(text), "DELETE FROM result_blocks WHERE run_id = %lld",
		 (long long)run);
	sql(s, text);
	snprintf(text, sizeof(text),
		 "SELECT benchmark_id, value, sample_count, sample_median, sample_mad FROM "
		 "results WHERE run_id = %lld ORDER BY benchmark_id",
		 (long long)run);
	assert_int_equal(perfdb_store__prepare(s, &st, text), 0);
	while (perfdb_stmt__step(st) == PERFDB_DB_ROW) {
		perfdb_block_result x;
		perfdb_store__block_result_of_row(&x, st);
		assert_int_equal(perfdb_store__block_add(&w[k++ % 2], &x), 0);
	}
	perfdb_stmt__free(st);
	w[0].run_id = w[1].run_id = run;
	w[1].chunk = 1;
	assert_int_equal(perfdb_store__write_block(s, &w[1]), 0); /* the later chunk first */
	assert_int_equal(perfdb_store__write_block(s, &w[0]), 0);
	perfdb_store__block_release(&w[0]);
	perfdb_store__block_release(&w[1]);
}

/* The same history read from the runs' blocks and from their rows gives
 * the same series, field for field, bit for bit: pooled runs, runs without
 * samples, statistics not known (NULL, in the block too), benchmarks not
 * wanted, machines filtered, a run in two chunks. */
static void test_series__blocks_read_as_rows(void **state)
{
	perfdb_store *s = wide_history();
	perfdb_series_set *blocks[NQUERIES], *rows[NQUERIES];
	int64_t commits[2], nruns;
	(void)state;
	commits[0] = sql_int(s, "SELECT id FROM commits WHERE sha = 'c0003'");
	commits[1] = sql_int(s, "SELECT id FROM commits WHERE sha = 'c0001'");
	nruns = sql_int(s, "SELECT count(*) FROM runs");
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks"), nruns);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE chunk < 0"), 0);
	/* statistics not known, or one of them NULL (by SQL, which drops the
	 * run's blocks), then blocks made from those rows, NULLs and all */
	sql(s, "UPDATE results SET sample_count = NULL, sample_median = NULL, sample_mad = NULL "
	       "WHERE run_id = 1 AND sample_count > 0");
	sql(s, "UPDATE results SET sample_median = NULL WHERE run_id = 3 AND sample_count = 5");
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id IN (1, 3)"),
			 0);
	assert_int_equal(perfdb_store__write_blocks_from_rows(s, 1, s, 1), 0);
	assert_int_equal(perfdb_store__write_blocks_from_rows(s, 3, s, 3), 0);
	write_two_chunks(s, 2);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 2"), 2);

	read_all(s, blocks, commits);
	assert_int_equal(perfdb_series_set__runs_from_blocks(blocks[0]), nruns);
	assert_true(perfdb_series_set__runs_from_blocks(blocks[2]) > 0);
	sql(s, "DELETE FROM result_blocks");
	read_all(s, rows, commits);
	assert_int_equal(perfdb_series_set__runs_from_blocks(rows[0]), 0);
	for (int k = 0; k < NQUERIES; k++)
		expect_same_sets(blocks[k], rows[k]);
	assert_true(perfdb_series_set_count(rows[0]) > perfdb_series_set_count(rows[2]));
	assert_true(perfdb_series_set_count(rows[0]) > perfdb_series_set_count(rows[3]));
	free_all(blocks);
	free_all(rows);
	perfdb_store_free(s);
}

/* The set's order is strcmp's on the name, then metric, unit, machine and
 * tags, whatever the names share: the first 16 bytes (which the sort
 * compares as numbers), a name that ends inside them or right at them,
 * bytes above 0x7f (UTF-8), the same name with other metrics. */
static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_series__sorted_by_name(void **state)
{
	static const char *const names[] = {
	    "BM_Scale/123456789",
	    "BM_Scale/12345678",
	    "BM_Scale/1234567",
	    "BM_Scale/1234567a",
	    "BM_Scale/1234567\xc3\xa9",
	    "BM_Scale/123456789/x",
	    "BM_Scale/12345678/y",
	    "BM_Scale/12345678/x",
	    "BM_\xc3\xa9",
	    "BM_a",
	    "BM_A",
	    "BM_Scale/1234568",
	    "B",
	    "BM_Scale/1234567~",
	    "BM_Scale/12345679",
	};
	enum { N = sizeof(names) / sizeof(names[0]) };
	const char *sorted[N];
	perfdb_store *s = new_store();
	perfdb_series_set *set = NULL;
	size_t i;
	(void)state;
	for (i = 0; i < N; i++) {
		record_metric(s, 0, "m1", names[i], "real_time", "ns", NULL, 0, 1.0 + (double)i);
		sorted[i] = names[i];
	}
	record_metric(s, 0, "m1", names[0], "cpu_time", "ns", NULL, 0, 1.0);
	record_metric(s, 0, "m0", names[0], "cpu_time", "ns", NULL, 0, 1.0);
	qsort(sorted, N, sizeof(*sorted), cmp_text);
	assert_int_equal(perfdb_store_read_series(&set, s, NULL), 0);
	assert_int_equal(perfdb_series_set_count(set), N + 2);
	/* names[0] has three series */
	for (i = 0; i < N && strcmp(sorted[i], names[0]) != 0; i++)
		assert_string_equal(perfdb_series_set_get(set, i)->benchmark, sorted[i]);
	assert_true(i < N);
	for (size_t k = i + 1; k < N; k++)
		assert_string_equal(perfdb_series_set_get(set, k + 2)->benchmark, sorted[k]);
	assert_string_equal(perfdb_series_set_get(set, i)->metric, "cpu_time");
	assert_string_equal(perfdb_series_set_get(set, i)->machine, "m0");
	assert_string_equal(perfdb_series_set_get(set, i + 1)->metric, "cpu_time");
	assert_string_equal(perfdb_series_set_get(set, i + 1)->machine, "m1");
	assert_string_equal(perfdb_series_set_get(set, i + 2)->metric, "real_time");
	perfdb_series_set_free(set);
	perfdb_store_free(s);
}

/* A set read lazily (regress) gives the same series as one read whole, field
 * for field, bit for bit, whether a series is viewed in a buffer (in the
 * order the set visits them, each view overwriting the last), made and kept
 * (__load), or asked for through the public accessor; pooled runs, runs
 * without samples, statistics not known, every kind of query. */
static void test_series__lazy_reads_as_whole(void **state)
{
	perfdb_store *s = wide_history();
	perfdb_series_set *whole[NQUERIES];
	int64_t commits[2];
	int k;
	(void)state;
	commits[0] = sql_int(s, "SELECT id FROM commits WHERE sha = 'c0003'");
	commits[1] = sql_int(s, "SELECT id FROM commits WHERE sha = 'c0001'");
	sql(s, "UPDATE results SET sample_count = NULL, sample_median = NULL, sample_mad = "
	       "NULL "
	       "WHERE run_id = 1 AND sample_count > 0");
	read_all(s, whole, commits);
	assert_null(perfdb_series_set__visit_order(whole[0]));
	for (k = 0; k < NQUERIES; k++) {
		perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
		perfdb_series_view v = PERFDB_SERIES_VIEW_INIT;
		perfdb_series_set *lazy = NULL;
		const size_t *visit;
		size_t i, n, pooled = 0;
		unsigned char *seen;
		q.with_samples = k != 1;
		q.machine = k == 2 ? "m2" : NULL;
		q.benchmark_glob = k == 3 ? "BM_1*" : NULL;
		q.commit_ids = k == 4 ? commits : NULL;
		q.ncommits = k == 4 ? 2 : 0;
		assert_int_equal(perfdb_store__read_series(&lazy, s, &q, 1), 0);
		n = perfdb_series_set_count(lazy);
		assert_int_equal(n, perfdb_series_set_count(whole[k]));
		assert_true(n > 0);
		visit = perfdb_series_set__visit_order(lazy);
		assert_non_null(visit);
		assert_non_null(seen = calloc(n, 1));
		for (i = 0; i < n; i++) {
			const perfdb_series *x = NULL,
					    *w = perfdb_series_set_get(whole[k], visit[i]);
			size_t j;
			/* the names without the points */
			assert_true(visit[i] < n && !seen[visit[i]]);
			seen[visit[i]] = 1;
			x = perfdb_series_set__head(lazy, visit[i]);
			assert_null(x->points);
			assert_int_equal(x->npoints, w->npoints);
			assert_string_equal(x->benchmark, w->benchmark);
			assert_int_equal(perfdb_series_set__view(&x, lazy, visit[i], &v), 0);
			expect_same_series(x, w);
			for (j = 0; j < w->npoints; j++)
				pooled += w->points[j].nruns > 1;
		}
		free(seen);
		if (k == 0)
			assert_true(pooled > 0);
		/* made and kept: the view after it is its own */
		for (i = 0; i < n; i += 3) {
			const perfdb_series *x = NULL, *y = NULL;
			assert_int_equal(perfdb_series_set__load(&x, lazy, i), 0);
			expect_same_series(x, perfdb_series_set_get(whole[k], i));
			assert_int_equal(perfdb_series_set__view(&y, lazy, i, &v), 0);
			assert_ptr_equal(x, y);
			assert_ptr_equal(perfdb_series_set_get(lazy, i), x);
		}
		for (i = 1; i < n; i += 3)
			expect_same_series(perfdb_series_set_get(lazy, i),
					   perfdb_series_set_get(whole[k], i));
		perfdb_series_set__view_release(&v);
		perfdb_series_set_free(lazy);
	}
	free_all(whole);
	perfdb_store_free(s);
}
/* A run recorded a batch at a time (`perfdb record` of a big file; on a
 * file the later batches are staged and moved at the finish): a chunk a
 * batch, their ids in no order between them, no mark left, and read as its
 * rows are. */
static void test_series__recorded_in_batches_reads_as_rows(void **state)
{
	perfdb_store *s = new_store();
	perfdb_series_set *blocks = NULL, *rows = NULL;
	(void)state;
	record_batched_run(s, 0, "m1", NULL, 300, 5, 100);
	record_batched_run(s, 1, "m1", NULL, 300, 6, 0);
	record_batched_run(s, 2, "m1", "clang", 300, 7, 64);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 1"), 4);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 3"), 5);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE chunk < 0"), 0);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM results"), 3 * 303);
	assert_int_equal(perfdb_store_read_series(&blocks, s, NULL), 0);
	assert_int_equal(perfdb_series_set__runs_from_blocks(blocks), 3);
	sql(s, "DELETE FROM result_blocks");
	assert_int_equal(perfdb_store_read_series(&rows, s, NULL), 0);
	assert_int_equal(perfdb_series_set__runs_from_blocks(rows), 0);
	expect_same_sets(blocks, rows);
	perfdb_series_set_free(blocks);
	perfdb_series_set_free(rows);
	perfdb_store_free(s);
}

/* A run of more results than a block holds is written in several chunks,
 * in id order, and read back as its rows are. */
static void test_series__big_run_in_chunks(void **state)
{
	perfdb_store *s = new_store();
	perfdb_series_set *blocks = NULL, *rows = NULL;
	(void)state;
	record_wide_run(s, 0, "m1", NULL, PERFDB_BLOCK_ROWS + 7, 5);
	record_wide_run(s, 1, "m1", NULL, 9, 6);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 1"), 2);
	assert_int_equal(sql_int(s, "SELECT max(chunk) FROM result_blocks WHERE run_id = 1"), 1);
	assert_int_equal(perfdb_store_read_series(&blocks, s, NULL), 0);
	assert_int_equal(perfdb_series_set__runs_from_blocks(blocks), 2);
	assert_int_equal(perfdb_series_set_count(blocks), PERFDB_BLOCK_ROWS + 7 + 3);
	sql(s, "DELETE FROM result_blocks");
	assert_int_equal(perfdb_store_read_series(&rows, s, NULL), 0);
	expect_same_sets(blocks, rows);
	perfdb_series_set_free(blocks);
	perfdb_series_set_free(rows);
	perfdb_store_free(s);
}

/* The value of BM_0 at commit c0000 on m1, and how many runs came from
 * blocks. */
static double first_value(perfdb_store *s, size_t *from_blocks)
{
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_series_set *set = NULL;
	double v;
	q.machine = "m1";
	q.benchmark_glob = "BM_0";
	assert_int_equal(perfdb_store_read_series(&set, s, &q), 0);
	assert_int_equal(perfdb_series_set_count(set), 2); /* untagged, and cc=clang */
	assert_string_equal(perfdb_tags_json(perfdb_series_set_get(set, 1)->tags), "{}");
	v = perfdb_series_set_get(set, 1)->points[0].value;
	*from_blocks = perfdb_series_set__runs_from_blocks(set);
	perfdb_series_set_free(set);
	return v;
}

/* Results changed by plain SQL drop the run's blocks (triggers): the
 * reader sees the new value, a result added, a result deleted. */
static void test_series__blocks_never_stale(void **state)
{
	perfdb_store *s = wide_history();
	perfdb_series_set *set = NULL;
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	size_t n0, n1;
	(void)state;
	assert_true(first_value(s, &n0) != 42);
	assert_int_equal(n0, 7); /* m1's runs, each from its block */
	sql(s, "UPDATE results SET value = 42 WHERE run_id = 1 AND benchmark_id = "
	       "(SELECT id FROM benchmarks WHERE name = 'BM_0')");
	assert_true(first_value(s, &n1) == 42);
	assert_int_equal(n1, 6);
	/* a result inserted by hand into a run that has blocks */
	sql(s, "INSERT INTO benchmarks(id, name, metric, unit, higher_is_better) "
	       "VALUES (7, 'BM_new', 'real_time', 'ns', 0)");
	sql(s, "INSERT INTO results(run_id, benchmark_id, value, n, sample_count) "
	       "VALUES (3, 7, 5.5, 1, 0)");
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 3"), 0);
	q.benchmark_glob = "BM_new";
	assert_int_equal(perfdb_store_read_series(&set, s, &q), 0);
	assert_int_equal(perfdb_series_set_count(set), 1);
	assert_true(perfdb_series_set_get(set, 0)->points[0].value == 5.5);
	perfdb_series_set_free(set);
	/* a result deleted */
	sql(s, "DELETE FROM samples WHERE run_id = 5");
	sql(s, "DELETE FROM results WHERE run_id = 5");
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 5"), 0);
	/* a run deleted takes its blocks along */
	sql(s, "DELETE FROM samples WHERE run_id = 4");
	sql(s, "DELETE FROM results WHERE run_id = 4 AND benchmark_id <> 7");
	sql(s, "DELETE FROM runs WHERE id = 6");
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 6"), 0);
	assert_int_equal(sql_int(s, "SELECT count(*) FROM result_blocks WHERE run_id = 2"), 1);
	perfdb_store_free(s);
}

/* text prepared, with ?1 run and ?2 chunk bound. */
static perfdb_stmt *chunk_stmt(perfdb_store *s, const char *text, int64_t run, int64_t chunk)
{
	perfdb_stmt *st = NULL;
	assert_int_equal(perfdb_store__prepare(s, &st, text), 0);
	perfdb_stmt__bind_int64(st, 1, run);
	perfdb_stmt__bind_int64(st, 2, chunk);
	return st;
}

/* Rewrites run's chunk with data of n bytes. */
static void put_block(perfdb_store *s, int64_t run, int64_t chunk, const void *data, size_t n)
{
	perfdb_stmt *st = chunk_stmt(
	    s, "UPDATE result_blocks SET data = ?3 WHERE run_id = ?1 AND chunk = ?2", run, chunk);
	perfdb_stmt__bind_blob(st, 3, data, n);
	assert_int_equal(perfdb_stmt__step(st), PERFDB_DB_DONE);
	perfdb_stmt__free(st);
}

/* A copy of run's chunk (caller frees), *n bytes. */
static unsigned char *get_block(perfdb_store *s, int64_t run, int64_t chunk, size_t *n)
{
	perfdb_stmt *st = chunk_stmt(
	    s, "SELECT data FROM result_blocks WHERE run_id = ?1 AND chunk = ?2", run, chunk);
	unsigned char *copy;
	const void *p;
	assert_int_equal(perfdb_stmt__step(st), PERFDB_DB_ROW);
	p = perfdb_stmt__column_blob(st, 0, n);
	assert_non_null(p);
	copy = malloc(*n);
	memcpy(copy, p, *n);
	perfdb_stmt__free(st);
	return copy;
}

/* Blocks that do not check (a file anyone may hand over) are not read:
 * the run's rows are, and the series are those of the rows. So is a run
 * whose mark of blocks being written is still there, and a run whose
 * second chunk is bad after a good first one (the reader takes back what
 * it read of the first). */
static void test_series__bad_blocks_read_as_rows(void **state)
{
	perfdb_store *s = wide_history();
	perfdb_series_set *blocks[NQUERIES], *rows[NQUERIES];
	int64_t commits[2] = {1, 2};
	unsigned char *b;
	size_t n;
	(void)state;
	b = get_block(s, 1, 0, &n);
	put_block(s, 1, 0, b, n - 1); /* truncated */
	b[0] = 'X';
	put_block(s, 3, 0, b, n); /* not a block */
	b[0] = 'P';
	b[12] |= 0x80; /* a flag no block has */
	put_block(s, 4, 0, b, n);
	b[12] &= 0x7f;
	/* two ids alike: the second record's (after the first) in the first */
	memcpy(b + 13, b + perfdb_store__block_get(b, 0, &(perfdb_block_result){0}) + 1, 8);
	put_block(s, 5, 0, b, n);
	b[8] ^= 1; /* a count its length does not have */
	put_block(s, 6, 0, b, n);
	free(b);
	sql(s, "INSERT INTO result_blocks(run_id, chunk, data) SELECT 7, -1, data "
	       "FROM result_blocks WHERE run_id = 7");
	write_two_chunks(s, 8);
	b = get_block(s, 8, 1, &n);
	put_block(s, 8, 1, b, 11);
	free(b);

	read_all(s, blocks, commits);
	assert_int_equal(perfdb_series_set__runs_from_blocks(blocks[0]),
			 sql_int(s, "SELECT count(*) FROM runs") - 7);
	sql(s, "DELETE FROM result_blocks");
	read_all(s, rows, commits);
	for (int k = 0; k < NQUERIES; k++)
		expect_same_sets(blocks[k], rows[k]);
	free_all(blocks);
	free_all(rows);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_series__pooling_and_order),
	    cmocka_unit_test(test_series__tags_accessor),
	    cmocka_unit_test(test_series__levels_without_samples),
	    cmocka_unit_test(test_series__blocks_read_as_rows),
	    cmocka_unit_test(test_series__blocks_never_stale),
	    cmocka_unit_test(test_series__bad_blocks_read_as_rows),
	    cmocka_unit_test(test_series__big_run_in_chunks),
	    cmocka_unit_test(test_series__recorded_in_batches_reads_as_rows),
	    cmocka_unit_test(test_series__lazy_reads_as_whole),
	    cmocka_unit_test(test_series__sorted_by_name),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
