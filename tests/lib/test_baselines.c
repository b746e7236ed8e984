/* Unit tests of the named baselines (lib/store/baselines.c): set, get,
 * remove, and a run gated against a baseline or a revision. */
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

#define HISTORY_FIXTURE_PREFIX "test_baselines"
#include "history_fixture.h"

static void test_baselines__gate_and_alert_status(void **state)
{
	perfdb_store *s = new_store();
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_regress_report *rep;
	perfdb_baseline b;
	const perfdb_finding *f;
	int64_t id;
	int64_t alert;
	int i;
	(void)state;
	rng = 9;
	for (i = 0; i < 12; i++)
		record_noisy(s, i, "BM_Gate", i >= 10 ? 120 : 100, 0.02);
	assert_int_equal(
	    perfdb_commit_resolve(&id, NULL, s, "c0003", NULL, PERFDB_RESOLVE_RECORDED), 0);
	assert_int_equal(perfdb_store_baseline_set(s, "v1", id, "main", "release"), 0);
	assert_int_equal(perfdb_store_baseline_get(&b, s, "v1"), 0);
	assert_string_equal(b.sha, "c0003");
	assert_string_equal(b.note, "release");
	perfdb_baseline_release(&b);
	assert_int_equal(perfdb_store_baseline_get(&b, s, "nope"), PERFDB_ENOTFOUND);

	/* PR gate: head against the baseline, stored as an alert */
	o.commit = "c0011";
	o.baseline = "v1";
	rep = run(s, &o);
	assert_int_equal(perfdb_store_record_findings(s, rep), 0);
	assert_string_equal(perfdb_baseline_kind_name(perfdb_regress_scope_get(rep)->baseline_kind),
			    "named");
	assert_string_equal(perfdb_regress_scope_get(rep)->baseline_commit, "c0003");
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_string_equal(f->commit, "c0011");
	assert_true(f->change_pct > 15);
	assert_true(f->alert_id > 0);
	assert_string_equal(perfdb_alert_status_name(f->status), "open");
	alert = f->alert_id;
	assert_int_equal(perfdb_regress_failures(rep), 1);
	perfdb_regress_report_free(rep);

	/* acknowledged: found again, same alert, no longer a failure */
	assert_int_equal(
	    perfdb_store_alert_set_status(s, alert, PERFDB_ALERT_ACKNOWLEDGED, "known"), 0);
	rep = run(s, &o);
	assert_int_equal(perfdb_store_record_findings(s, rep), 0);
	f = perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0);
	assert_int_equal(f->alert_id, alert);
	assert_string_equal(perfdb_alert_status_name(f->status), "acknowledged");
	assert_int_equal(perfdb_regress_failures(rep), 0);
	assert_int_equal(perfdb_regress_series(rep, 0)->acknowledged, 1);
	perfdb_regress_report_free(rep);
	assert_int_equal(perfdb_store_alert_set_status(s, 999, PERFDB_ALERT_IGNORED, NULL),
			 PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_store_alert_set_status(s, alert, (perfdb_alert_status)7, NULL),
			 PERFDB_EINVAL);

	/* a revision as baseline */
	o.baseline = "c0009";
	rep = run(s, &o);
	assert_string_equal(perfdb_baseline_kind_name(perfdb_regress_scope_get(rep)->baseline_kind),
			    "commit");
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	perfdb_regress_report_free(rep);

	assert_int_equal(perfdb_store_baseline_remove(s, "v1"), 0);
	assert_int_equal(perfdb_store_baseline_remove(s, "v1"), PERFDB_ENOTFOUND);
	perfdb_store_free(s);
}

/* perfdb_store_baseline_list gives every baseline, typed, by name. */
static void test_baselines__typed_list(void **state)
{
	perfdb_store *s = new_store();
	perfdb_baseline_list *list = NULL;
	const perfdb_baseline *b;
	int64_t id3, id7;
	int i;
	(void)state;
	for (i = 0; i < 8; i++)
		record_noisy(s, i, "BM_A", 100, 0.02);
	assert_int_equal(perfdb_store_baseline_list(&list, s), 0);
	assert_int_equal(perfdb_baseline_list_count(list), 0);
	assert_null(perfdb_baseline_list_get(list, 0));
	perfdb_baseline_list_free(list);

	assert_int_equal(
	    perfdb_commit_resolve(&id3, NULL, s, "c0003", NULL, PERFDB_RESOLVE_RECORDED), 0);
	assert_int_equal(
	    perfdb_commit_resolve(&id7, NULL, s, "c0007", NULL, PERFDB_RESOLVE_RECORDED), 0);
	assert_int_equal(perfdb_store_baseline_set(s, "v2", id7, NULL, NULL), 0);
	assert_int_equal(perfdb_store_baseline_set(s, "v1", id3, "main", "release"), 0);
	assert_int_equal(perfdb_store_baseline_list(&list, s), 0);
	assert_int_equal(perfdb_baseline_list_count(list), 2);
	b = perfdb_baseline_list_get(list, 0);
	assert_string_equal(b->name, "v1");
	assert_string_equal(b->sha, "c0003");
	assert_int_equal(b->commit_id, id3);
	assert_string_equal(b->branch, "main");
	assert_string_equal(b->note, "release");
	assert_int_equal(strlen(b->created_at), strlen("2026-01-01T00:00:00Z"));
	b = perfdb_baseline_list_get(list, 1);
	assert_string_equal(b->name, "v2");
	assert_string_equal(b->sha, "c0007");
	assert_int_equal(b->commit_id, id7);
	assert_null(b->branch);
	assert_null(b->note);
	assert_null(perfdb_baseline_list_get(list, 2));
	perfdb_baseline_list_free(list);
	perfdb_baseline_list_free(NULL);
	assert_int_equal(perfdb_baseline_list_count(NULL), 0);
	perfdb_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_baselines__gate_and_alert_status),
	    cmocka_unit_test(test_baselines__typed_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
