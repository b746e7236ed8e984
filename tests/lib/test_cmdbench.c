/*
 * Unit tests of lib/instrument/cmdbench.c: real processes (true, false,
 * sh, and prog_cmdbench_child for known memory and CPU use).
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "perfdb/cmdbench.h"

#define CHILD PERFDB_BUILD_DIR "/tests/prog_cmdbench_child"

static perfdb_command *command(const char *a0, const char *a1, const char *a2)
{
	const char *argv[] = {a0, a1, a2, NULL};
	perfdb_command *c = NULL;
	assert_int_equal(perfdb_command_new(&c, argv, 0), 0);
	return c;
}

static void test_cmdbench__command_new_errors(void **state)
{
	const char *missing[] = {"perfdb-no-such-program-x", NULL};
	const char *badpath[] = {"/nonexistent/dir/prog", NULL};
	char plain[] = "/tmp/perfdb-cmdbench-plain.XXXXXX";
	const char *notexec[] = {plain, NULL};
	const char *empty[] = {"", NULL};
	const char *none[] = {NULL};
	const char *ok[] = {"true", NULL};
	perfdb_command *c = (perfdb_command *)1;
	int fd = mkstemp(plain); /* mode 0600: a file, not executable */
	(void)state;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(perfdb_command_new(&c, missing, 0), PERFDB_ENOTFOUND);
	assert_null(c);
	assert_non_null(strstr(perfdb_error_last()->message, "perfdb-no-such-program-x"));
	assert_int_equal(perfdb_command_new(&c, badpath, 0), PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_command_new(&c, notexec, 0), PERFDB_ENOTFOUND);
	assert_non_null(strstr(perfdb_error_last()->message, "not an executable"));
	unlink(plain);
	assert_int_equal(perfdb_command_new(&c, empty, 0), PERFDB_EINVAL);
	assert_int_equal(perfdb_command_new(&c, none, 0), PERFDB_EINVAL);
	assert_int_equal(perfdb_command_new(&c, NULL, 0), PERFDB_EINVAL);
	assert_int_equal(perfdb_command_new(&c, ok, 0x80), PERFDB_EINVAL);
	assert_int_equal(perfdb_command_new(&c, ok, 0), 0);
	/* resolved on PATH once */
	assert_true(perfdb_command_path(c)[0] == '/');
	assert_non_null(strstr(perfdb_command_path(c), "/true"));
	perfdb_command_free(c);
	perfdb_command_free(NULL);
}

static void test_cmdbench__exec_exit_codes(void **state)
{
	perfdb_command *t = command("true", NULL, NULL);
	perfdb_command *f = command("false", NULL, NULL);
	perfdb_command *e = command(CHILD, "exit", "3");
	perfdb_command *k = command("sh", "-c", "kill -9 $$");
	perfdb_command_sample s;
	(void)state;

	assert_int_equal(perfdb_command_exec(&s, t), 0);
	assert_int_equal(s.exit_code, 0);
	assert_int_equal(s.signal, 0);
	assert_true(s.wall > 0 && s.wall < 5);
	assert_true(s.max_rss > 0);
	assert_int_equal(perfdb_command_exec(&s, f), 0);
	assert_int_equal(s.exit_code, 1);
	assert_int_equal(perfdb_command_exec(&s, e), 0);
	assert_int_equal(s.exit_code, 3);
	assert_int_equal(perfdb_command_exec(&s, k), 0);
	assert_int_equal(s.signal, 9);
	assert_int_equal(s.exit_code, 128 + 9);
	assert_int_equal(perfdb_command_exec(&s, NULL), PERFDB_EINVAL);
	perfdb_command_free(t);
	perfdb_command_free(f);
	perfdb_command_free(e);
	perfdb_command_free(k);
}

static void test_cmdbench__exec_measures_rss_and_cpu(void **state)
{
	perfdb_command *big, *small = command(CHILD, "rss", "1");
	perfdb_command *spin = command(CHILD, "spin", "150");
	perfdb_command_sample s;
	struct rusage self;
	double own, want;
	char mib[32];
	(void)state;

	/* The child allocates 64 MiB more than this process's own peak (which
	 * is the floor under the child's figure, and large under sanitizers;
	 * getrusage's figure is at least that peak). */
	assert_int_equal(getrusage(RUSAGE_SELF, &self), 0);
	own = (double)self.ru_maxrss * 1024;
	snprintf(mib, sizeof(mib), "%ld", self.ru_maxrss / 1024 + 64);
	want = (double)(self.ru_maxrss / 1024 + 64) * 1024 * 1024;
	big = command(CHILD, "rss", mib);
	assert_int_equal(perfdb_command_exec(&s, big), 0);
	assert_int_equal(s.exit_code, 0);
	assert_true(s.max_rss >= want);
	assert_true(s.max_rss < want + 128.0 * 1024 * 1024);
	assert_true(s.rss_floor > 0 && s.rss_floor <= own * 1.05 && s.rss_floor < want);
	/* a small child reads as the floor, at most a little above it (below
	 * it when a sanitizer turns posix_spawn into a fork) */
	assert_int_equal(perfdb_command_exec(&s, small), 0);
	assert_true(s.max_rss > 0);
	assert_true(s.max_rss < s.rss_floor + 32.0 * 1024 * 1024);
	assert_int_equal(perfdb_command_exec(&s, spin), 0);
	/* 150 ms of CPU: user + sys covers it, and wall time covers that */
	assert_true(s.user + s.sys >= 0.14);
	assert_true(s.user >= 0.1);
	assert_true(s.wall >= s.user + s.sys - 0.02);
	perfdb_command_free(big);
	perfdb_command_free(small);
	perfdb_command_free(spin);

	/* opting out of the floor: NAN, never a made-up number */
	{
		const char *argv[] = {"true", NULL};
		perfdb_command *c;
		assert_int_equal(perfdb_command_new(&c, argv, PERFDB_COMMAND_NO_RSS_FLOOR), 0);
		assert_int_equal(perfdb_command_exec(&s, c), 0);
		assert_true(isnan(s.rss_floor));
		assert_true(s.max_rss > 0);
		perfdb_command_free(c);
	}
}

static void *exec_many(void *arg)
{
	perfdb_command *c = arg;
	perfdb_command_sample s;
	int i;
	for (i = 0; i < 20; i++)
		if (perfdb_command_exec(&s, c) != 0 || s.exit_code != 3)
			return (void *)1;
	return NULL;
}

static void test_cmdbench__exec_from_threads(void **state)
{
	perfdb_command *c = command(CHILD, "exit", "3");
	pthread_t th[4];
	void *rv;
	int i;
	(void)state;

	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, exec_many, c), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &rv), 0);
		assert_null(rv); /* every child reaped by its own thread, code intact */
	}
	perfdb_command_free(c);
}

static void test_cmdbench__run_true(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	perfdb_command *t = command("true", NULL, NULL);
	size_t i;
	double sum = 0;
	(void)state;

	o.runs = 7;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), 0);
	assert_int_equal(r.runs, 7);
	assert_int_equal(r.failures, 0);
	assert_false(r.stopped);
	for (i = 0; i < r.runs; i++) {
		assert_int_equal(r.samples[i].exit_code, 0);
		sum += r.samples[i].wall;
	}
	assert_true(fabs(r.wall.mean - sum / 7) < 1e-12);
	assert_int_equal(r.wall.n, 7);
	assert_true(r.wall.min <= r.wall.median && r.wall.median <= r.wall.max);
	assert_true(r.wall.stddev >= 0);
	assert_true(r.max_rss.mean > 0);
	perfdb_cmdbench_result_release(&r);
	perfdb_cmdbench_result_release(NULL);

	/* defaults: 10 runs */
	assert_int_equal(perfdb_cmdbench_run(&r, t, NULL), 0);
	assert_int_equal(r.runs, 10);
	perfdb_cmdbench_result_release(&r);

	/* one run: no standard deviation, not a zero */
	o.runs = 1;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), 0);
	assert_int_equal(r.runs, 1);
	assert_true(isnan(r.wall.stddev));
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(t);
}

static void test_cmdbench__run_false(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	perfdb_command *f = command("false", NULL, NULL);
	(void)state;

	o.runs = 3;
	assert_int_equal(perfdb_cmdbench_run(&r, f, &o), PERFDB_ERROR);
	assert_non_null(strstr(perfdb_error_last()->message, "exited with code 1"));
	assert_int_equal(r.runs, 0);
	assert_null(r.samples);
	o.ignore_failure = true;
	assert_int_equal(perfdb_cmdbench_run(&r, f, &o), 0);
	assert_int_equal(r.runs, 3);
	assert_int_equal(r.failures, 3);
	assert_int_equal(r.samples[2].exit_code, 1);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(f);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int c, n = 0;
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_cmdbench__warmup_and_prepare(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	char dir[] = "/tmp/perfdb-cmdbench.XXXXXX", prep[256], log[256], cmdtext[256];
	perfdb_command *c;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(prep, sizeof(prep), "echo prepare >> %s/log", dir);
	snprintf(cmdtext, sizeof(cmdtext), "echo run >> %s/log", dir);
	c = command("sh", "-c", cmdtext);
	o.runs = 4;
	o.warmup = 2;
	o.prepare = prep;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_int_equal(r.runs, 4);
	/* 6 prepares and 6 runs, of which 4 measured */
	assert_int_equal(count_lines(log), 12);
	perfdb_cmdbench_result_release(&r);

	/* a failing prepare is an error naming it */
	o.prepare = "exit 4";
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), PERFDB_ERROR);
	assert_non_null(strstr(perfdb_error_last()->message, "prepare"));
	assert_non_null(strstr(perfdb_error_last()->message, "code 4"));
	perfdb_command_free(c);
	unlink(log);
	rmdir(dir);
}

static void test_cmdbench__min_time_and_max_runs(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	perfdb_command *c = command("sleep", "0.01", NULL);
	double sum = 0;
	size_t i;
	(void)state;

	o.runs = 2;
	o.min_time = 0.15;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_true(r.runs > 2);
	for (i = 0; i < r.runs; i++)
		sum += r.samples[i].wall;
	assert_true(sum >= 0.14);
	perfdb_cmdbench_result_release(&r);

	o.min_time = 100;
	o.max_runs = 5;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_int_equal(r.runs, 5);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(c);
}

static void test_cmdbench__first_run_effect(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	char dir[] = "/tmp/perfdb-cmdbench.XXXXXX", text[700], flag[64];
	perfdb_command *c;
	(void)state;

	/* slow only the first time: a cold cache in miniature */
	assert_non_null(mkdtemp(dir));
	snprintf(flag, sizeof(flag), "%s/warm", dir);
	snprintf(text, sizeof(text), "[ -e %s ] || { : > %s; sleep 0.3; }", flag, flag);
	c = command("sh", "-c", text);
	o.runs = 6;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_true(r.first_run_slow);
	assert_true(r.outliers >= 1);
	assert_true(r.samples[0].wall >= 0.3);
	perfdb_cmdbench_result_release(&r);
	/* warmed up (the flag exists): no first-run effect */
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_true(r.samples[0].wall < 0.3);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(c);
	unlink(flag);
	rmdir(dir);
}

static void test_cmdbench__outlier_rule(void **state)
{
	const double steady[] = {1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99};
	const double first[] = {3.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99};
	const double late[] = {1.00, 1.01, 0.99, 1.02, 0.98, 9.00, 1.01, 0.30};
	const double fast_first[] = {0.10, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99};
	const double same[] = {2, 2, 2, 2};
	/* 1% off a very steady median: a high score, but not worth a warning */
	const double steady_hiccup[] = {0.1000, 0.1001, 0.1000, 0.1010, 0.0999, 0.1000, 0.1001};
	bool slow;
	(void)state;

	assert_int_equal(perfdb_cmdbench_outliers(steady, 8, &slow), 0);
	assert_false(slow);
	assert_int_equal(perfdb_cmdbench_outliers(first, 8, &slow), 1);
	assert_true(slow);
	assert_int_equal(perfdb_cmdbench_outliers(late, 8, &slow), 2);
	assert_false(slow);
	/* a fast first run is an outlier but not a first-run slowdown */
	assert_int_equal(perfdb_cmdbench_outliers(fast_first, 8, &slow), 1);
	assert_false(slow);
	assert_int_equal(perfdb_cmdbench_outliers(steady_hiccup, 7, &slow), 0);
	/* identical timings: nothing stands out */
	assert_int_equal(perfdb_cmdbench_outliers(same, 4, &slow), 0);
	/* too few runs to say */
	assert_int_equal(perfdb_cmdbench_outliers(first, 2, &slow), 0);
	assert_false(slow);
	assert_int_equal(perfdb_cmdbench_outliers(first, 8, NULL), 1);
}

static int stop_at_3(void *arg, size_t done, size_t planned, double elapsed)
{
	int *calls = arg;
	(void)planned;
	assert_true(elapsed >= 0);
	assert_int_equal(done, (size_t)*calls);
	return ++*calls > 3;
}

static void test_cmdbench__bad_options_and_progress(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r;
	perfdb_command *t = command("true", NULL, NULL);
	int calls = 0;
	(void)state;

	o.runs = 0;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), PERFDB_EINVAL);
	o.runs = 5;
	o.max_runs = 4;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), PERFDB_EINVAL);
	o.max_runs = 100;
	o.min_time = -1;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), PERFDB_EINVAL);
	o.min_time = 0;
	o.version = 7;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), PERFDB_EINVAL);
	o.version = PERFDB_CMDBENCH_OPTIONS_VERSION;
	assert_int_equal(perfdb_cmdbench_run(&r, NULL, &o), PERFDB_EINVAL);

	o.runs = 10;
	o.progress = stop_at_3;
	o.progress_arg = &calls;
	assert_int_equal(perfdb_cmdbench_run(&r, t, &o), 0);
	assert_int_equal(r.runs, 3);
	assert_true(r.stopped);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(t);
}

static const perfdb_result *find(const perfdb_resultset *rs, const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->metric, metric) == 0)
			return r;
	}
	return NULL;
}

static void test_cmdbench__export(void **state)
{
	perfdb_cmdbench_options o = PERFDB_CMDBENCH_OPTIONS_INIT;
	perfdb_cmdbench_result r, empty;
	perfdb_command *c;
	perfdb_resultset *rs;
	const perfdb_result *x;
	struct rusage self;
	char mib[32];
	(void)state;

	/* A child well above this process's own peak RSS (large under a
	 * sanitizer), so its figure is its own and not the floor. */
	assert_int_equal(getrusage(RUSAGE_SELF, &self), 0);
	snprintf(mib, sizeof(mib), "%ld", self.ru_maxrss / 1024 + 16);
	c = command(CHILD, "rss", mib);

	o.runs = 4;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_cmdbench_export(rs, &r, "child rss"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "run");
	x = find(rs, "wall_time");
	assert_non_null(x);
	assert_string_equal(x->benchmark, "child rss");
	assert_string_equal(x->unit, "ns"); /* seconds, normalised */
	assert_int_equal(x->nsamples, 4);
	assert_true(fabs(x->samples[2] - r.samples[2].wall * 1e9) < 1);
	assert_true(fabs(x->value - r.wall.mean * 1e9) < 1);
	assert_int_equal(x->direction, PERFDB_LOWER_IS_BETTER);
	assert_non_null(find(rs, "user_time"));
	assert_non_null(find(rs, "system_time"));
	x = find(rs, "memory");
	assert_non_null(x);
	assert_string_equal(x->unit, "B");
	assert_true(x->value >= (double)(self.ru_maxrss / 1024 + 16) * 1024 * 1024);
	assert_false(perfdb_cmdbench_rss_at_floor(&r));
	perfdb_cmdbench_result_init(&empty);
	assert_int_equal(perfdb_cmdbench_export(rs, &empty, "x"), PERFDB_EINVAL);
	assert_int_equal(perfdb_cmdbench_export(rs, &r, ""), PERFDB_EINVAL);
	perfdb_resultset_free(rs);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(c);

	/* a peak RSS at the spawner's own is an upper bound: not recorded */
	c = command(CHILD, "rss", mib);
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	perfdb_command_free(c);
	r.samples[1].max_rss = r.samples[1].rss_floor;
	assert_true(perfdb_cmdbench_rss_at_floor(&r));
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_cmdbench_export(rs, &r, "floor"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 3);
	assert_null(find(rs, "memory"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	perfdb_resultset_free(rs);
	perfdb_cmdbench_result_release(&r);

	/* failed runs are left out of the samples, with a warning */
	c = command(CHILD, "exit", "5");
	o.ignore_failure = true;
	o.runs = 3;
	assert_int_equal(perfdb_cmdbench_run(&r, c, &o), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_cmdbench_export(rs, &r, "fails"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	assert_int_equal(perfdb_resultset_warning_count(rs), 1);
	/* one good run among failures: only it is a sample */
	r.samples[1].exit_code = 0;
	r.samples[1].max_rss = r.samples[1].rss_floor * 2; /* above the floor */
	r.failures = 2;
	assert_int_equal(perfdb_cmdbench_export(rs, &r, "fails"), 0);
	x = find(rs, "wall_time");
	assert_non_null(x);
	assert_int_equal(x->nsamples, 1);
	assert_true(fabs(x->samples[0] - r.samples[1].wall * 1e9) < 1);
	assert_non_null(find(rs, "memory"));
	assert_int_equal(perfdb_resultset_warning_count(rs), 2);
	perfdb_resultset_free(rs);
	perfdb_cmdbench_result_release(&r);
	perfdb_command_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cmdbench__command_new_errors),
	    cmocka_unit_test(test_cmdbench__exec_exit_codes),
	    cmocka_unit_test(test_cmdbench__exec_measures_rss_and_cpu),
	    cmocka_unit_test(test_cmdbench__exec_from_threads),
	    cmocka_unit_test(test_cmdbench__run_true),
	    cmocka_unit_test(test_cmdbench__run_false),
	    cmocka_unit_test(test_cmdbench__warmup_and_prepare),
	    cmocka_unit_test(test_cmdbench__min_time_and_max_runs),
	    cmocka_unit_test(test_cmdbench__first_run_effect),
	    cmocka_unit_test(test_cmdbench__outlier_rule),
	    cmocka_unit_test(test_cmdbench__bad_options_and_progress),
	    cmocka_unit_test(test_cmdbench__export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
