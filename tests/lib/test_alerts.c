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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alerts__recorded_only_on_request),
	    cmocka_unit_test(test_alerts__status_names_and_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
