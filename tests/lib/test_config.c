/* Unit tests of lib/analysis/config.c: perfdb.yaml read, its errors
 * located, its defaults and per-benchmark overrides applied by regress. */
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
#include "perfdb/regress.h"

#define HISTORY_FIXTURE_PREFIX "test_config"
#include "history_fixture.h"

static void test_config__load_match_apply(void **state)
{
	char path[512];
	perfdb_config *cfg = NULL;
	perfdb_regress_options o = PERFDB_REGRESS_OPTIONS_INIT;
	perfdb_benchmark_config bc;
	perfdb_store *s;
	perfdb_regress_report *rep;
	(void)state;
	snprintf(path, sizeof(path), "%s/perfdb.yaml", dir);
	write_file(path, "database: hist.db\n"
			 "defaults:\n  threshold: 7.5\n  confidence: 0.95\n  method: ttest\n"
			 "  window: 8\n"
			 "benchmarks:\n  - match: \"BM_Step*\"\n    threshold: 20\n"
			 "  - match: \"BM_Quiet\"\n    ignore: true\n"
			 "  - match: \"*Faster\"\n    direction: higher_is_better\n"
			 "  - match: \"mem*\"\n    metric: \"peak_rss\"\n    threshold: 25\n"
			 "  - match: \"mem*\"\n    metric: \"*_heap\"\n    method: percent\n");
	assert_int_equal(perfdb_config_load(&cfg, path), 0);
	assert_string_equal(perfdb_config_database(cfg), "hist.db");
	perfdb_config_apply_defaults(cfg, &o);
	assert_true(o.threshold_pct == 7.5 && o.confidence == 0.95 && o.window == 8);
	assert_int_equal(o.method, PERFDB_METHOD_TTEST);
	perfdb_config_match(&bc, cfg, "BM_Step", "real_time");
	assert_true(bc.threshold_pct == 20 && !bc.ignore);
	perfdb_config_match(&bc, cfg, "BM_Quiet", "real_time");
	assert_true(bc.ignore && isnan(bc.threshold_pct));
	perfdb_config_match(&bc, cfg, "BM_Faster", "real_time");
	assert_int_equal(bc.direction, PERFDB_HIGHER_IS_BETTER);
	/* `metric:` narrows an override to the metrics its glob matches */
	perfdb_config_match(&bc, cfg, "memgrow", "peak_rss");
	assert_true(bc.threshold_pct == 25 && !bc.has_method);
	perfdb_config_match(&bc, cfg, "memgrow", "peak_heap");
	assert_true(isnan(bc.threshold_pct) && bc.has_method && bc.method == PERFDB_METHOD_PERCENT);
	perfdb_config_match(&bc, cfg, "memgrow", "allocations");
	assert_true(isnan(bc.threshold_pct) && !bc.has_method);
	perfdb_config_match(&bc, cfg, "memgrow", NULL);
	assert_true(isnan(bc.threshold_pct) && !bc.has_method);

	/* applied by regress: the step is under 20%, quiet is not checked,
	 * and "faster" (lower values) becomes a regression of a
	 * higher-is-better metric */
	s = new_store();
	build_sampled(s);
	o = (perfdb_regress_options)PERFDB_REGRESS_OPTIONS_INIT;
	o.since = "c0005";
	o.config = cfg;
	rep = run(s, &o);
	assert_int_equal(perfdb_regress_series_checked(rep), 4);
	assert_int_equal(perfdb_regress_count(rep, PERFDB_FINDING_REGRESSION), 1);
	assert_string_equal(perfdb_regress_get(rep, PERFDB_FINDING_REGRESSION, 0)->benchmark,
			    "BM_Faster");
	perfdb_regress_report_free(rep);
	perfdb_store_free(s);
	perfdb_config_free(cfg);
}

static void test_config__errors(void **state)
{
	char path[512];
	perfdb_config *cfg = NULL;
	const perfdb_error *e;
	(void)state;
	snprintf(path, sizeof(path), "%s/bad.yaml", dir);
	write_file(path, "defaults:\n  threshold: lots\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	e = perfdb_error_last();
	assert_int_equal(e->line, 2);
	assert_int_equal(e->column, 14);
	assert_string_equal(e->field, "threshold");
	assert_null(cfg);
	write_file(path, "defaults:\n  treshold: 5\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 2);
	assert_non_null(strstr(perfdb_error_last()->message, "unknown key 'treshold'"));
	write_file(path, "benchmarks: [ {match: x, threshold: 5}\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_true(perfdb_error_last()->line >= 1);
	write_file(path, "benchmarks:\n  - threshold: 5\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "needs 'match'"));
	write_file(path, "defaults:\n  method: magic\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	write_file(path, "benchmarks:\n  - match: x\n    metric: \"\"\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_string_equal(perfdb_error_last()->field, "metric");
	assert_int_equal(perfdb_config_load(&cfg, "/nonexistent/perfdb.yaml"), PERFDB_EIO);
}

/* Issue 12: a key given twice was silently taken (and leaked the first
 * value); nesting is limited as in results files. */
static void test_config__duplicates_and_depth(void **state)
{
	char path[512], *deep;
	perfdb_config *cfg = NULL;
	const perfdb_error *e;
	size_t i;
	(void)state;
	snprintf(path, sizeof(path), "%s/dup.yaml", dir);
	write_file(path, "database: a.db\nbenchmarks:\n  - match: x\ndatabase: b.db\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	e = perfdb_error_last();
	assert_string_equal(e->file, path);
	assert_int_equal(e->line, 4);
	assert_int_equal(e->column, 1);
	assert_string_equal(e->field, "database");
	assert_non_null(strstr(e->message, "duplicate key 'database' (first at line 1)"));
	assert_null(cfg);
	write_file(path, "benchmarks:\n  - match: x\nbenchmarks:\n  - match: y\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	write_file(path, "defaults:\n  window: 5\n  window: 6\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_int_equal(perfdb_error_last()->column, 3);
	write_file(path, "benchmarks:\n  - {match: x, ignore: true, match: y}\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 2);
	assert_int_equal(perfdb_error_last()->column, 30);
	assert_non_null(strstr(perfdb_error_last()->message, "duplicate key 'match'"));

	/* 100,000 levels took libyaml's loader 36 s. */
	deep = malloc(100000 + 16);
	assert_non_null(deep);
	memcpy(deep, "database: ", 10);
	for (i = 0; i < 100000; i++)
		deep[10 + i] = '[';
	deep[10 + i] = '\0';
	write_file(path, deep);
	free(deep);
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 1);
	assert_int_equal(perfdb_error_last()->column, 11 + 511);
	assert_non_null(strstr(perfdb_error_last()->message, "nesting too deep"));
	/* One document per file: a second would be ignored. */
	write_file(path, "database: a.db\n---\ndatabase: b.db\n");
	assert_int_equal(perfdb_config_load(&cfg, path), PERFDB_EINPUT);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_non_null(strstr(perfdb_error_last()->message, "one configuration"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config__load_match_apply),
	    cmocka_unit_test(test_config__errors),
	    cmocka_unit_test(test_config__duplicates_and_depth),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
