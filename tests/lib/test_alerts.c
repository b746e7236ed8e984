/* Unit tests of the alerts (lib/store/alerts.c): the analysis writes
 * nothing; perfdb_store_record_findings stores a finding once. */
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

#define HISTORY_FIXTURE_PREFIX "test_alerts"
#include "history_fixture.h"

/* The bytes of a file, or NULL (and *n 0) when it does not exist. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;
	*n = 0;
	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

static int count_row(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	(void)ncols;
	(void)names;
	if (row)
		*(int64_t *)ctx = row[0].i;
	return 0;
}

static int64_t count_alerts(perfdb_store *s)
{
	int64_t n = -1;
	assert_int_equal(perfdb_store_query(s, "SELECT count(*) FROM alerts", count_row, &n), 0);
	return n;
}

static int concat_row(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	char *out = ctx;
	size_t i, n;
	(void)names;
	for (i = 0; row && i < ncols; i++) {
		n = strlen(out);
		snprintf(out + n, 512 - n, "%s,", row[i].text);
	}
	return 0;
}

/* On a server: each table's rows and the newest transaction that wrote one
 * (xmin), as text. An insert or a delete changes the count, an update
 * writes a new row version with a new xmin. */
static char *writes_of(perfdb_store *s)
{
	static const char *const tables[] = {"commits", "machines", "runs",	 "benchmarks",
					     "results", "samples",  "baselines", "alerts"};
	char *out = calloc(1, 512), sql[160];
	size_t i;
	assert_non_null(out);
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*), coalesce(max(xmin::text::bigint), 0) FROM %s",
			 tables[i]);
		assert_int_equal(perfdb_store_query(s, sql, concat_row, out), 0);
	}
	return out;
}

static void test_alerts__recorded_only_on_request(void **state)
{
	/* The analysis only reads, even on a read-write store: the database and
	 * its write-ahead log are byte for byte what they were (a file; on a
	 * server, every table's rows and their newest writer), and no
	 * alert exists until perfdb_store_record_findings stores the findings. */
	perfdb_store *s;
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *f;
	char path[512], wal[600];
	char *db0, *db1, *wal0, *wal1;
	size_t ndb0, ndb1, nwal0, nwal1;
	int i;
	(void)state;
	snprintf(path, sizeof(path), "%s/t%d.db", dir, dbn);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	s = new_store();
	rng = 33;
	for (i = 0; i < 12; i++)
		record_noisy(s, i, "BM_Gate", i >= 10 ? 120 : 100, 0.02);
	db0 = on_server() ? writes_of(s) : slurp(path, &ndb0);
	wal0 = on_server() ? NULL : slurp(wal, &nwal0);
	assert_non_null(db0);

	o.since = "c0005";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0010");
	assert_int_equal(f->alert_id, 0);
	assert_string_equal(perfdb_alert_status_name(f->status), "open");
	assert_int_equal(count_alerts(s), 0);
	if (on_server()) {
		db1 = writes_of(s);
		wal1 = NULL;
		assert_string_equal(db1, db0);
	} else {
		db1 = slurp(path, &ndb1);
		wal1 = slurp(wal, &nwal1);
		assert_int_equal(ndb1, ndb0);
		assert_memory_equal(db1, db0, ndb0);
		assert_int_equal(nwal1, nwal0);
		if (nwal0)
			assert_memory_equal(wal1, wal0, nwal0);
	}

	/* recording is the separate, explicit step */
	assert_int_equal(perfdb_store_record_findings(s, rep), 0);
	assert_int_equal(count_alerts(s), 1);
	assert_true(f->alert_id > 0);
	assert_int_equal(perfdb_store_record_findings(s, rep), 0); /* idempotent */
	assert_int_equal(count_alerts(s), 1);
	assert_int_equal(perfdb_store_record_findings(s, NULL), 0);
	perfdb_regress_report_free(rep);
	free(db0);
	free(db1);
	free(wal0);
	free(wal1);
	perfdb_store_free(s);
}

/* The alert status is an enum; its words are the CLI's and the stored ones. */
static void test_alerts__status_names_and_parse(void **state)
{
	perfdb_alert_status st = PERFDB_ALERT_OPEN;
	(void)state;
	assert_string_equal(perfdb_alert_status_name(PERFDB_ALERT_OPEN), "open");
	assert_string_equal(perfdb_alert_status_name(PERFDB_ALERT_ACKNOWLEDGED), "acknowledged");
	assert_string_equal(perfdb_alert_status_name(PERFDB_ALERT_IGNORED), "ignored");
	assert_string_equal(perfdb_alert_status_name((perfdb_alert_status)9), "unknown");
	assert_int_equal(perfdb_alert_status_parse(&st, "ignored"), 0);
	assert_int_equal(st, PERFDB_ALERT_IGNORED);
	assert_int_equal(perfdb_alert_status_parse(&st, "acknowledged"), 0);
	assert_int_equal(st, PERFDB_ALERT_ACKNOWLEDGED);
	assert_int_equal(perfdb_alert_status_parse(&st, "noted"), PERFDB_EINVAL);
	assert_int_equal(perfdb_alert_status_parse(&st, NULL), PERFDB_EINVAL);
	assert_int_equal(st, PERFDB_ALERT_ACKNOWLEDGED); /* untouched on error */
}

/* Five samples around level, of bench at commit i on m1, tagged cc=gcc. */
static void record_tagged(perfdb_store *s, int i, const char *bench, double level)
{
	static const char *const tags[] = {"cc", "gcc", NULL};
	double x[5];
	size_t k;
	for (k = 0; k < 5; k++)
		x[k] = level * (1 + 0.02 * gauss());
	record_metric_tagged(s, i, "m1", tags, bench, "real_time", "ns", x, 5, 0);
}

/* A stored figure reads back as the finding had it (NAN stays NAN). */
static void assert_same_figure(double stored, double found)
{
	if (isnan(found)) {
		assert_true(isnan(stored));
		return;
	}
	assert_false(isnan(stored));
	assert_true(fabs(stored - found) <= 1e-12 * fabs(found));
}

/* An alert as listed against the finding it was stored from. */
static void assert_alert_is(const perfdb_alert *a, const perfdb_finding *f, perfdb_alert_kind kind)
{
	assert_non_null(a);
	assert_int_equal(a->id, f->alert_id);
	assert_int_equal(a->kind, kind);
	assert_string_equal(a->benchmark, f->benchmark);
	assert_string_equal(a->metric, "real_time");
	assert_string_equal(a->unit, "ns");
	assert_string_equal(a->machine, "m1");
	assert_int_equal(perfdb_tags_count(a->tags), 1);
	assert_string_equal(perfdb_tags_get(a->tags, "cc"), "gcc");
	assert_string_equal(perfdb_tags_json(a->tags), "{\"cc\":\"gcc\"}");
	assert_string_equal(a->sha, f->commit);
	assert_int_equal(a->method, f->method);
	assert_same_figure(a->baseline_value, f->baseline_value);
	assert_same_figure(a->value, f->value);
	assert_same_figure(a->change_pct, f->change_pct);
	assert_same_figure(a->p_value, f->p_value);
	assert_non_null(a->created_at);
	assert_int_equal(strlen(a->created_at), strlen("2026-01-01T00:00:00Z"));
	assert_int_equal(a->created_at[10], 'T');
}

/* perfdb_store_alert_list gives typed alerts: what to act on by default,
 * everything with all; an open improvement is labelled "noted". */
static void test_alerts__typed_list(void **state)
{
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	const perfdb_finding *up, *down;
	perfdb_alert_list *list = NULL;
	const perfdb_alert *a;
	int i;
	(void)state;
	rng = 21;
	for (i = 0; i < 12; i++) {
		record_tagged(s, i, "BM_Up", i >= 10 ? 130 : 100);
		record_tagged(s, i, "BM_Down", i >= 10 ? 70 : 100);
	}
	assert_int_equal(perfdb_store_alert_list(&list, s, 1), 0);
	assert_int_equal(perfdb_alert_list_count(list), 0);
	assert_null(perfdb_alert_list_get(list, 0));
	perfdb_alert_list_free(list);

	o.since = "c0005";
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_IMPROVEMENT), 1);
	assert_int_equal(perfdb_store_record_findings(s, rep), 0);
	up = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	down = perfdb_regress_get(rep, PERFDB_FINDING_IMPROVEMENT, 0);
	assert_string_equal(up->benchmark, "BM_Up");
	assert_string_equal(down->benchmark, "BM_Down");

	/* by default: the open regression only */
	assert_int_equal(perfdb_store_alert_list(&list, s, 0), 0);
	assert_int_equal(perfdb_alert_list_count(list), 1);
	a = perfdb_alert_list_get(list, 0);
	assert_alert_is(a, up, PERFDB_ALERT_REGRESSION);
	assert_int_equal(a->status, PERFDB_ALERT_OPEN);
	assert_string_equal(perfdb_alert_status_label(a), "open");
	assert_string_equal(perfdb_alert_kind_name(a->kind), "regression");
	assert_null(a->note);
	assert_null(perfdb_alert_list_get(list, 1));
	perfdb_alert_list_free(list);

	/* all: newest first, the improvement open but labelled noted */
	assert_int_equal(
	    perfdb_store_alert_set_status(s, up->alert_id, PERFDB_ALERT_ACKNOWLEDGED, "known"), 0);
	assert_int_equal(perfdb_store_alert_list(&list, s, 0), 0);
	assert_int_equal(perfdb_alert_list_count(list), 0);
	perfdb_alert_list_free(list);
	assert_int_equal(perfdb_store_alert_list(&list, s, 1), 0);
	assert_int_equal(perfdb_alert_list_count(list), 2);
	assert_true(perfdb_alert_list_get(list, 0)->id > perfdb_alert_list_get(list, 1)->id);
	for (i = 0; i < 2; i++) {
		a = perfdb_alert_list_get(list, (size_t)i);
		if (a->id == up->alert_id) {
			assert_alert_is(a, up, PERFDB_ALERT_REGRESSION);
			assert_int_equal(a->status, PERFDB_ALERT_ACKNOWLEDGED);
			assert_string_equal(perfdb_alert_status_label(a), "acknowledged");
			assert_string_equal(a->note, "known");
		} else {
			assert_alert_is(a, down, PERFDB_ALERT_IMPROVEMENT);
			assert_int_equal(a->status, PERFDB_ALERT_OPEN);
			assert_string_equal(perfdb_alert_status_label(a), "noted");
			assert_string_equal(perfdb_alert_kind_name(a->kind), "improvement");
			assert_null(a->note);
		}
	}
	perfdb_alert_list_free(list);

	/* an improvement someone ignored is ignored, not noted */
	assert_int_equal(
	    perfdb_store_alert_set_status(s, down->alert_id, PERFDB_ALERT_IGNORED, NULL), 0);
	assert_int_equal(perfdb_store_alert_list(&list, s, 1), 0);
	for (i = 0; i < 2; i++) {
		a = perfdb_alert_list_get(list, (size_t)i);
		if (a->id == down->alert_id)
			assert_string_equal(perfdb_alert_status_label(a), "ignored");
	}
	perfdb_alert_list_free(list);
	perfdb_alert_list_free(NULL);
	assert_int_equal(perfdb_alert_list_count(NULL), 0);
	assert_string_equal(perfdb_alert_kind_name((perfdb_alert_kind)5), "unknown");
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alerts__recorded_only_on_request),
	    cmocka_unit_test(test_alerts__status_names_and_parse),
	    cmocka_unit_test(test_alerts__typed_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
