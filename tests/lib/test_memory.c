/* Tests for perfdb/memory.h: process memory, blocks, the tracker's reports,
 * ranking, comparison, export, and the in-process snapshot API under the
 * real preloaded tracker. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "instrument/memory_internal.h"
#include "perfdb.h"
#include "sanitized.h"

#define MiB (1024ull * 1024ull)

static char *touch_map(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 1, bytes);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_memory__rss_reads_and_grows(void **state)
{
	uint64_t before, after, peak;
	char *p;
	(void)state;
	assert_int_equal(perfdb_memory_rss(&before), 0);
	assert_true(before > 0);
	p = touch_map(64 * MiB);
	assert_int_equal(perfdb_memory_rss(&after), 0);
	assert_true(after >= before + 60 * MiB);
	assert_int_equal(perfdb_memory_peak_rss(&peak), 0);
	assert_true(peak >= after);
	munmap(p, 64 * MiB);
}

static int peak_resettable(void)
{
	return access("/proc/self/clear_refs", W_OK) == 0;
}

static void test_memory__block_delta_and_peak(void **state)
{
	perfdb_memory_block b;
	char *p;
	(void)state;
	assert_int_equal(perfdb_memory_begin(&b, PERFDB_MEMORY_PEAK), 0);
	p = touch_map(48 * MiB);
	munmap(p, 48 * MiB);
	p = touch_map(4 * MiB);
	assert_int_equal(perfdb_memory_end(&b), 0);
	assert_true(b.rss_delta >= (int64_t)(3 * MiB));
	assert_true(b.rss_delta < (int64_t)(20 * MiB));
	assert_int_equal(b.rss_delta, (int64_t)b.rss_end - (int64_t)b.rss_begin);
	if (peak_resettable()) {
		assert_true(b.peak_available);
		assert_true(b.peak_delta >= (int64_t)(46 * MiB));
		assert_true(b.peak_rss >= b.rss_end);
	} else {
		assert_false(b.peak_available); /* never guessed */
	}
	munmap(p, 4 * MiB);

	/* Without the flag the peak is not measured. */
	assert_int_equal(perfdb_memory_begin(&b, 0), 0);
	assert_int_equal(perfdb_memory_end(&b), 0);
	assert_false(b.peak_available);
}

static void test_memory__nested_peak_blocks(void **state)
{
	perfdb_memory_block outer, inner;
	char *p;
	(void)state;
	if (!peak_resettable())
		skip();
	assert_int_equal(perfdb_memory_begin(&outer, PERFDB_MEMORY_PEAK), 0);
	p = touch_map(40 * MiB);
	munmap(p, 40 * MiB);
	/* The inner reset must not lose the outer block's 40 MiB peak. */
	assert_int_equal(perfdb_memory_begin(&inner, PERFDB_MEMORY_PEAK), 0);
	p = touch_map(8 * MiB);
	munmap(p, 8 * MiB);
	assert_int_equal(perfdb_memory_end(&inner), 0);
	assert_true(inner.peak_available);
	assert_true(inner.peak_delta >= (int64_t)(7 * MiB));
	assert_true(inner.peak_delta < (int64_t)(30 * MiB));
	assert_int_equal(perfdb_memory_end(&outer), 0);
	assert_true(outer.peak_delta >= (int64_t)(38 * MiB));
}

static int64_t scoped_delta;

static void scoped_work(void)
{
	PERFDB_MEMORY_SCOPE(m, PERFDB_MEMORY_PEAK);
	char *p = touch_map(16 * MiB);
	assert_int_equal(perfdb_memory_end(&m), 0);
	scoped_delta = m.rss_delta;
	munmap(p, 16 * MiB);
	{
		/* Left open: the scope's end closes it (and unlinks it). */
		PERFDB_MEMORY_SCOPE(open_one, PERFDB_MEMORY_PEAK);
		(void)open_one;
	}
}

static void test_memory__scope_macro(void **state)
{
	perfdb_memory_block b;
	(void)state;
	scoped_work();
	assert_true(scoped_delta >= (int64_t)(15 * MiB));
	/* The list of open blocks holds no dangling block from scoped_work. */
	assert_int_equal(perfdb_memory_begin(&b, PERFDB_MEMORY_PEAK), 0);
	assert_int_equal(perfdb_memory_end(&b), 0);
}

static void test_memory__bad_input(void **state)
{
	perfdb_memory_block b;
	perfdb_resultset *rs;
	(void)state;
	assert_int_equal(perfdb_memory_rss(NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_memory_peak_rss(NULL), PERFDB_EINVAL);
	assert_int_equal(perfdb_memory_begin(NULL, 0), PERFDB_EINVAL);
	memset(&b, 0, sizeof(b));
	assert_int_equal(perfdb_memory_end(&b), PERFDB_EINVAL);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_memory_begin(&b, 0), 0);
	assert_int_equal(perfdb_memory_export(rs, &b, "open"), PERFDB_EINVAL);
	assert_int_equal(perfdb_memory_end(&b), 0);
	assert_int_equal(perfdb_memory_end(&b), PERFDB_EINVAL); /* twice */
	assert_int_equal(perfdb_memory_export(rs, &b, ""), PERFDB_EINVAL);
	assert_int_equal(perfdb_resultset_count(rs), 0);
	perfdb_resultset_free(rs);
}

static void test_memory__tracker_absent(void **state)
{
	perfdb_memtrack_snapshot *s = NULL;
	(void)state;
	if (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "memtrack"))
		skip();
	assert_false(perfdb_memtrack_available());
	assert_int_equal(perfdb_memtrack_snapshot_take(&s), PERFDB_ENOTFOUND);
	assert_null(s);
	assert_int_equal(perfdb_memtrack_enable(true), PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_memtrack_reset_peak(), PERFDB_ENOTFOUND);
	assert_non_null(strstr(perfdb_error_last()->message, "not loaded"));
}

#define REPORT_HEAD                                                                                \
	"perfdb-memtrack 1\npid 42\nexe /bin/prog\nmode full\nsample_interval 0\ndepth 2\n"        \
	"unwind fp\nelapsed_ns 5000\nheap 300\nlive 3\npeak_heap 9000\npeak_time_ns 1200\n"        \
	"allocs 70\nfrees 67\nalloc_bytes 12000\nrss 4096000\npeak_rss 8192000\n"                  \
	"sites_dropped 0\n"

static const char report_a[] = REPORT_HEAD "site 2 100 1 5000 10 2\n"
					   "frame\t0x5000\t0x1000\t/bin/prog\tparse\n"
					   "frame\t0x5100\t0x1100\t/bin/prog\tmain\n"
					   "site 3 200 2 7000 60 1\n"
					   "frame\t0x7000\t0x2000\t/lib/libx.so\tx_alloc\n"
					   "site 4 0 0 0 0 1\n"
					   "frame\t0x7100\t0x2100\t/lib/libx.so\tgone\n"
					   "end\n";

/* The same program another time: other addresses (ASLR), same offsets. */
static const char report_b[] = REPORT_HEAD "site 7 100 1 6000 12 2\n"
					   "frame\t0x9000\t0x1000\t/bin/prog\tparse\n"
					   "frame\t0x9100\t0x1100\t/bin/prog\tmain\n"
					   "site 8 5200 4 12000 64 1\n"
					   "frame\t0xb000\t0x2000\t/lib/libx.so\tx_alloc\n"
					   "site 9 50 1 50 1 1\n"
					   "frame\t0xb200\t0x2200\t/lib/libx.so\tfresh\n"
					   "end\n";

static void test_memory__load_report(void **state)
{
	char path[] = "/tmp/perfdb-test-memory.XXXXXX";
	int fd = mkstemp(path);
	perfdb_memtrack_snapshot *s;
	const perfdb_memtrack_summary *m;
	const perfdb_memtrack_site *st;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, report_a);
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, path), 0);
	m = perfdb_memtrack_snapshot_summary(s);
	assert_int_equal(m->pid, 42);
	assert_string_equal(m->exe, "/bin/prog");
	assert_false(m->sampled);
	assert_int_equal(m->depth, 2);
	assert_string_equal(m->unwind, "fp");
	assert_int_equal(m->peak_heap, 9000);
	assert_int_equal(m->peak_time_ns, 1200);
	assert_int_equal(m->heap, 300);
	assert_int_equal(m->allocs, 70);
	assert_int_equal(m->peak_rss, 8192000);
	assert_int_equal(perfdb_memtrack_snapshot_site_count(s), 3);
	st = perfdb_memtrack_snapshot_site(s, 0);
	assert_int_equal(st->id, 2);
	assert_int_equal(st->total_bytes, 5000);
	assert_int_equal(st->nframes, 2);
	assert_string_equal(st->frames[1].function, "main");
	assert_int_equal(st->frames[1].offset, 0x1100);
	assert_string_equal(st->frames[0].file, "");
	assert_null(perfdb_memtrack_snapshot_site(s, 3));
	/* No debug info for these made-up modules: symbolize keeps dladdr's names. */
	assert_int_equal(
	    perfdb_memtrack_snapshot_symbolize(s, NULL, 0, PERFDB_MEMTRACK_LINES_EMBEDDED), 0);
	assert_string_equal(perfdb_memtrack_snapshot_site(s, 1)->frames[0].function, "x_alloc");
	{
		size_t bad = 9;
		assert_int_equal(
		    perfdb_memtrack_snapshot_symbolize(s, &bad, 1, PERFDB_MEMTRACK_LINES_EMBEDDED),
		    PERFDB_EINVAL);
	}
	perfdb_memtrack_snapshot_free(s);
	unlink(path);
}

/* Coalescing without debug info: only stacks equal frame by frame (module
 * and offset) merge; another return address in the same function does not.
 * The overflow pseudo-site (no frames) stays as it is. */
static const char report_c[] = REPORT_HEAD "site 1 10 1 10 1 0\n"
					   "site 5 100 1 1000 10 2\n"
					   "frame\t0x5000\t0x1000\t/bin/prog\tparse\n"
					   "frame\t0x5100\t0x1100\t/bin/prog\tmain\n"
					   "site 3 50 2 700 6 2\n"
					   "frame\t0x5000\t0x1000\t/bin/prog\tparse\n"
					   "frame\t0x5100\t0x1100\t/bin/prog\tmain\n"
					   "site 4 0 0 300 3 2\n"
					   "frame\t0x5000\t0x1000\t/bin/prog\tparse\n"
					   "frame\t0x5104\t0x1104\t/bin/prog\tmain\n"
					   "end\n";

static void test_memory__coalesce(void **state)
{
	char path[] = "/tmp/perfdb-test-memory.XXXXXX";
	int fd = mkstemp(path);
	perfdb_memtrack_snapshot *s;
	size_t i, seen = 0;
	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, report_c);
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, path), 0);
	assert_int_equal(perfdb_memtrack_snapshot_site_count(s), 4);
	assert_int_equal(perfdb_memtrack_snapshot_coalesce(s), 0);
	assert_int_equal(perfdb_memtrack_snapshot_site_count(s), 3);
	for (i = 0; i < 3; i++) {
		const perfdb_memtrack_site *st = perfdb_memtrack_snapshot_site(s, i);
		if (st->id == 3) { /* 3 and 5 merged, under the lower id */
			assert_int_equal(st->live_bytes, 150);
			assert_int_equal(st->live_count, 3);
			assert_int_equal(st->total_bytes, 1700);
			assert_int_equal(st->total_count, 16);
			assert_int_equal(st->nframes, 2);
			seen |= 1;
		} else if (st->id == 4) {
			assert_int_equal(st->total_bytes, 300);
			seen |= 2;
		} else {
			assert_int_equal(st->id, 1);
			assert_int_equal(st->nframes, 0);
			assert_int_equal(st->total_bytes, 10);
			seen |= 4;
		}
	}
	assert_int_equal(seen, 7);
	/* Again: nothing left to merge. */
	assert_int_equal(perfdb_memtrack_snapshot_coalesce(s), 0);
	assert_int_equal(perfdb_memtrack_snapshot_site_count(s), 3);
	assert_int_equal(perfdb_memtrack_snapshot_coalesce(NULL), PERFDB_EINVAL);
	perfdb_memtrack_snapshot_free(s);
	unlink(path);
}

/* The reader of a report in memory (what the fuzz target feeds): the same
 * snapshot as from the file, errors naming the name given, and no bytes
 * an empty report. */
static void test_memory__parse_buffer(void **state)
{
	perfdb_memtrack_snapshot *s = NULL;
	const perfdb_memtrack_site *st;
	(void)state;
	assert_int_equal(perfdb_memory__snapshot_parse(&s, report_a, strlen(report_a), "mem"), 0);
	assert_int_equal(perfdb_memtrack_snapshot_summary(s)->peak_heap, 9000);
	assert_int_equal(perfdb_memtrack_snapshot_site_count(s), 3);
	st = perfdb_memtrack_snapshot_site(s, 1);
	assert_int_equal(st->id, 3);
	assert_string_equal(st->frames[0].function, "x_alloc");
	perfdb_memtrack_snapshot_free(s);
	s = NULL;
	/* cut before its 'end' line */
	assert_int_equal(perfdb_memory__snapshot_parse(&s, report_a, strlen(report_a) - 4, "mem"),
			 PERFDB_EINPUT);
	assert_null(s);
	assert_string_equal(perfdb_error_last()->file, "mem");
	assert_int_equal(perfdb_memory__snapshot_parse(&s, "", 0, "mem"), PERFDB_EINPUT);
	assert_null(s);
	assert_int_equal(perfdb_memory__snapshot_parse(&s, NULL, 0, "mem"), PERFDB_EINPUT);
	assert_int_equal(perfdb_memory__snapshot_parse(NULL, "", 0, "mem"), PERFDB_EINVAL);
}

static void expect_load_error(const char *text, int code, int line)
{
	char path[] = "/tmp/perfdb-test-memory.XXXXXX";
	int fd = mkstemp(path);
	perfdb_memtrack_snapshot *s = NULL;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, path), code);
	assert_null(s);
	if (line)
		assert_int_equal(perfdb_error_last()->line, line);
	assert_string_equal(perfdb_error_last()->file, path);
	unlink(path);
}

static void test_memory__load_rejects_bad_reports(void **state)
{
	perfdb_memtrack_snapshot *s = NULL;
	(void)state;
	expect_load_error("", PERFDB_EINPUT, 0);
	expect_load_error("hello 1\n", PERFDB_EFORMAT, 1);
	expect_load_error("perfdb-memtrack 99\n", PERFDB_EFORMAT, 1);
	/* truncated: the process died while writing */
	expect_load_error(REPORT_HEAD "site 2 1 1 1 1 1\n", PERFDB_EINPUT, 0);
	expect_load_error("perfdb-memtrack 1\npeak_heap lots\nend\n", PERFDB_EINPUT, 2);
	expect_load_error("perfdb-memtrack 1\nsite 2 1 1\nend\n", PERFDB_EINPUT, 2);
	expect_load_error("perfdb-memtrack 1\nsite 2 1 1 1 1 1\nframe\tx\nend\n", PERFDB_EINPUT, 3);
	expect_load_error("perfdb-memtrack 1\nend\nsite 2 1 1 1 1 0\n", PERFDB_EINPUT, 3);
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, "/nonexistent/report"),
			 PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_memtrack_snapshot_load(NULL, "x"), PERFDB_EINVAL);
}

static perfdb_memtrack_snapshot *load_text(const char *text)
{
	char path[] = "/tmp/perfdb-test-memory.XXXXXX";
	int fd = mkstemp(path);
	perfdb_memtrack_snapshot *s = NULL;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, path), 0);
	unlink(path);
	return s;
}

static void test_memory__top_orders(void **state)
{
	perfdb_memtrack_snapshot *s = load_text(report_a);
	size_t idx[5], n;
	(void)state;
	assert_int_equal(
	    perfdb_memtrack_snapshot_top(idx, &n, s, PERFDB_MEMTRACK_BY_TOTAL_BYTES, 5), 0);
	assert_int_equal(n, 2); /* the site with nothing allocated is left out */
	assert_int_equal(perfdb_memtrack_snapshot_site(s, idx[0])->id, 3);
	assert_int_equal(perfdb_memtrack_snapshot_site(s, idx[1])->id, 2);
	assert_int_equal(
	    perfdb_memtrack_snapshot_top(idx, &n, s, PERFDB_MEMTRACK_BY_TOTAL_COUNT, 1), 0);
	assert_int_equal(n, 1);
	assert_int_equal(perfdb_memtrack_snapshot_site(s, idx[0])->total_count, 60);
	assert_int_equal(perfdb_memtrack_snapshot_top(idx, &n, s, PERFDB_MEMTRACK_BY_LIVE_BYTES, 5),
			 0);
	assert_int_equal(perfdb_memtrack_snapshot_site(s, idx[0])->live_bytes, 200);
	assert_int_equal(perfdb_memtrack_snapshot_top(idx, &n, s, (perfdb_memtrack_order)9, 5),
			 PERFDB_EINVAL);
	perfdb_memtrack_snapshot_free(s);
}

static void test_memory__compare_matches_by_frames(void **state)
{
	perfdb_memtrack_snapshot *a = load_text(report_a), *b = load_text(report_b);
	perfdb_memtrack_diff *d;
	const perfdb_memtrack_site_diff *it;
	(void)state;
	assert_int_equal(perfdb_memtrack_compare(&d, a, b), 0);
	assert_int_equal(perfdb_memtrack_diff_count(d), 4); /* 3 matched or new, 1 gone */
	it = perfdb_memtrack_diff_get(d, 0);
	assert_string_equal(it->site->frames[0].function, "x_alloc");
	assert_int_equal(it->live_bytes, 5200);
	assert_int_equal(it->live_bytes_diff, 5000);
	assert_int_equal(it->total_count_diff, 4);
	it = perfdb_memtrack_diff_get(d, 1);
	assert_string_equal(it->site->frames[0].function, "fresh");
	assert_int_equal(it->live_bytes_diff, 50);
	it = perfdb_memtrack_diff_get(d, 2);
	assert_string_equal(it->site->frames[0].function, "parse");
	assert_int_equal(it->live_bytes_diff, 0);
	assert_int_equal(it->total_bytes_diff, 1000);
	it = perfdb_memtrack_diff_get(d, 3);
	assert_string_equal(it->site->frames[0].function, "gone");
	assert_null(perfdb_memtrack_diff_get(d, 4));
	perfdb_memtrack_diff_free(d);
	assert_int_equal(perfdb_memtrack_compare(&d, a, NULL), PERFDB_EINVAL);
	perfdb_memtrack_snapshot_free(a);
	perfdb_memtrack_snapshot_free(b);
}

static const perfdb_result *find_result(const perfdb_resultset *rs, const char *bench,
					const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, bench) == 0 && strcmp(r->metric, metric) == 0)
			return r;
	}
	return NULL;
}

static void test_memory__export_side_by_side(void **state)
{
	perfdb_resultset *rs;
	perfdb_result r;
	perfdb_memory_block b;
	perfdb_memtrack_snapshot *s = load_text(report_a);
	const perfdb_result *got;
	(void)state;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	/* A profiler scope's figure and the memory figures in one resultset. */
	perfdb_result_init(&r);
	r.benchmark = "parse";
	r.metric = "mean";
	r.unit = "ns";
	r.value = 812;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	assert_int_equal(perfdb_memory_begin(&b, PERFDB_MEMORY_PEAK), 0);
	assert_int_equal(perfdb_memory_end(&b), 0);
	assert_int_equal(perfdb_memory_export(rs, &b, "parse"), 0);
	assert_int_equal(perfdb_memtrack_export(rs, s, "prog"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 1 + (b.peak_available ? 2 : 1) + 4);
	assert_non_null(find_result(rs, "parse", "mean"));
	got = find_result(rs, "parse", "rss_delta");
	assert_non_null(got);
	assert_string_equal(got->unit, "B");
	got = find_result(rs, "prog", "peak_heap");
	assert_non_null(got);
	assert_true(got->value == 9000.0);
	assert_int_equal(got->direction, PERFDB_LOWER_IS_BETTER);
	got = find_result(rs, "prog", "leaked_bytes");
	assert_true(got && got->value == 300.0);
	got = find_result(rs, "prog", "allocations");
	assert_true(got && got->value == 70.0 && got->direction == PERFDB_LOWER_IS_BETTER);
	got = find_result(rs, "prog", "peak_rss");
	assert_true(got && got->value == 8192000.0);
	assert_int_equal(perfdb_memtrack_export(rs, s, ""), PERFDB_EINVAL);
	perfdb_memtrack_snapshot_free(s);
	perfdb_resultset_free(rs);
}

/* ---- under the real tracker ---------------------------------------------------------- */
static int run_preloaded(char *const argv[], const char *out_prefix)
{
	char lib[4096];
	pid_t pid;
	int status;
	snprintf(lib, sizeof(lib), "%s/libperfdb_memtrack.so", PERFDB_BUILD_DIR);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("LD_PRELOAD", lib, 1);
		if (out_prefix)
			setenv("PERFDB_MEMTRACK_OUT", out_prefix, 1);
		unsetenv("PERFDB_MEMTRACK_SAMPLE");
		execv(argv[0], argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int64_t sum_function(perfdb_memtrack_snapshot *s, const char *fn, int live)
{
	size_t i;
	int64_t sum = 0;
	for (i = 0; i < perfdb_memtrack_snapshot_site_count(s); i++) {
		const perfdb_memtrack_site *st = perfdb_memtrack_snapshot_site(s, i);
		if (st->nframes && strcmp(st->frames[0].function, fn) == 0)
			sum += live ? st->live_bytes : st->total_bytes;
	}
	return sum;
}

/* Names s's sites and checks prog_memtrack_known's figures. */
static void assert_known_sites(perfdb_memtrack_snapshot *s)
{
	assert_int_equal(
	    perfdb_memtrack_snapshot_symbolize(s, NULL, 0, PERFDB_MEMTRACK_LINES_EMBEDDED), 0);
	assert_int_equal(sum_function(s, "direct_alloc", 0), 800000);
	assert_int_equal(sum_function(s, "memtrack_testlib_alloc", 0), 200000);
	assert_int_equal(sum_function(s, "thread_alloc", 0), 90000);
	assert_int_equal(sum_function(s, "grow_realloc", 0), 64000);
	assert_int_equal(sum_function(s, "leak_alloc", 1), 12345);
}

static void test_memory__tracked_program_report(void **state)
{
	char prog[4096], prefix[] = "/tmp/perfdb-test-memtrack.XXXXXX", path[4200];
	char *argv[2];
	perfdb_memtrack_snapshot *s;
	int fd;
	(void)state;
	snprintf(prog, sizeof(prog), "%s/tests/prog_memtrack_known", PERFDB_BUILD_DIR);
	fd = mkstemp(prefix);
	assert_true(fd >= 0);
	close(fd);
	argv[0] = prog;
	argv[1] = NULL;
	assert_int_equal(run_preloaded(argv, prefix), 0);
	{
		/* The report is PREFIX.<pid>: the only file matching. */
		glob_t g;
		snprintf(path, sizeof(path), "%s.*", prefix);
		assert_int_equal(glob(path, 0, NULL, &g), 0);
		assert_int_equal(g.gl_pathc, 1);
		snprintf(path, sizeof(path), "%s", g.gl_pathv[0]);
		globfree(&g);
	}
	assert_int_equal(perfdb_memtrack_snapshot_load(&s, path), 0);
	assert_known_sites(s);
	assert_true(perfdb_memtrack_snapshot_summary(s)->peak_heap >= 876345);
	assert_true(perfdb_memtrack_snapshot_summary(s)->peak_heap <= 876345 + 1024);
	perfdb_memtrack_snapshot_free(s);
	unlink(path);
	unlink(prefix);
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* perfdb_memtrack_run launches a real program with the tracker, as the CLI
 * does, and finds its allocations. */
static void test_memory__run_program(void **state)
{
	char prog[4096];
	const char *argv[2];
	perfdb_memtrack_result *r = NULL;
	perfdb_memtrack_snapshot *s;
	const perfdb_memtrack_outcome *oc;
	const perfdb_memtrack_process *p;
	perfdb_resultset *rs = NULL;
	(void)state;
	snprintf(prog, sizeof(prog), "%s/tests/prog_memtrack_known", PERFDB_BUILD_DIR);
	argv[0] = prog;
	argv[1] = NULL;
	assert_int_equal(perfdb_memtrack_run(&r, argv, NULL), 0);
	oc = perfdb_memtrack_result_outcome(r);
	assert_int_equal(oc->exit_code, 0);
	assert_int_equal(oc->signal, 0);
	assert_int_equal(oc->running, 0);
	assert_string_equal(oc->report_error, "");
	s = perfdb_memtrack_result_snapshot(r);
	assert_non_null(s);
	assert_int_equal(perfdb_memtrack_snapshot_summary(s)->pid, oc->pid);
	assert_known_sites(s);
	assert_false(perfdb_memtrack_snapshot_summary(s)->sampled);
	/* one process: the command, named by its program */
	assert_int_equal(perfdb_memtrack_result_process_count(r), 1);
	p = perfdb_memtrack_result_process(r, 0);
	assert_int_equal(p->pid, oc->pid);
	assert_true(p->reported);
	assert_int_equal(p->state, PERFDB_MEMTRACK_PROCESS_EXITED);
	assert_string_equal(base_of(p->exe), "prog_memtrack_known");
	assert_null(perfdb_memtrack_result_process(r, 1));
	/* the series identity is the library's: source memtrack, no tag */
	assert_int_equal(perfdb_memtrack_result_export(&rs, r, "known"), 0);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), "memtrack");
	assert_int_equal(perfdb_resultset_tag_count(rs), 0);
	assert_true(find_result(rs, "known", "leaked_bytes")->value ==
		    (double)perfdb_memtrack_snapshot_summary(s)->heap);
	assert_true(perfdb_memtrack_snapshot_summary(s)->heap >= 12345);
	perfdb_resultset_free(rs);
	perfdb_memtrack_result_free(r);
}

/* Sampled figures are another series (tag memtrack=sampled); options of
 * another version, a depth out of range and a missing tracker are refused. */
static void test_memory__run_options(void **state)
{
	char prog[4096];
	const char *argv[3], *key, *value;
	perfdb_memtrack_run_options o = PERFDB_MEMTRACK_RUN_OPTIONS_INIT, o2;
	perfdb_memtrack_result *r = NULL;
	perfdb_resultset *rs = NULL;
	const perfdb_memtrack_summary *m;
	(void)state;
	snprintf(prog, sizeof(prog), "%s/tests/prog_memtrack_grow", PERFDB_BUILD_DIR);
	argv[0] = prog;
	argv[1] = "65536";
	argv[2] = NULL;
	perfdb_memtrack_run_options_init(&o2);
	assert_int_equal(o2.version, PERFDB_MEMTRACK_RUN_OPTIONS_VERSION);
	assert_true(o2.tracker == NULL && o2.sample == 0 && o2.depth == 0 && o2.command_flags == 0);
	assert_true(o2.unwind == PERFDB_MEMTRACK_UNWIND_DEFAULT &&
		    o2.process == PERFDB_MEMTRACK_PROCESS_MAIN && o2.scratch_dir == NULL);
	o.sample = 4096;
	o.depth = 3;
	o.unwind = PERFDB_MEMTRACK_UNWIND_FP;
	assert_int_equal(perfdb_memtrack_run(&r, argv, &o), 0);
	m = perfdb_memtrack_snapshot_summary(perfdb_memtrack_result_snapshot(r));
	assert_true(m->sampled);
	assert_int_equal(m->sample_interval, 4096);
	assert_int_equal(m->depth, 3);
	assert_string_equal(m->unwind, "fp");
	assert_int_equal(perfdb_memtrack_result_export(&rs, r, "grow"), 0);
	assert_int_equal(perfdb_resultset_tag_count(rs), 1);
	perfdb_resultset_tag(rs, 0, &key, &value);
	assert_string_equal(key, "memtrack");
	assert_string_equal(value, "sampled");
	perfdb_resultset_free(rs);
	perfdb_memtrack_result_free(r);

	o.version = PERFDB_MEMTRACK_RUN_OPTIONS_VERSION + 1;
	assert_int_equal(perfdb_memtrack_run(&r, argv, &o), PERFDB_EINVAL);
	assert_null(r);
	o.version = PERFDB_MEMTRACK_RUN_OPTIONS_VERSION;
	o.depth = 17;
	assert_int_equal(perfdb_memtrack_run(&r, argv, &o), PERFDB_EINVAL);
	o.depth = 0;
	o.tracker = "/nonexistent/libperfdb_memtrack.so";
	assert_int_equal(perfdb_memtrack_run(&r, argv, &o), PERFDB_ERROR);
	assert_non_null(strstr(perfdb_error_last()->message, "/nonexistent/"));
	o.tracker = NULL;
	argv[0] = "/nonexistent/program";
	assert_int_equal(perfdb_memtrack_run(&r, argv, &o), PERFDB_ENOTFOUND);
	assert_int_equal(perfdb_memtrack_result_export(&rs, NULL, "x"), PERFDB_EINVAL);
}

/* The processes of a run: one still running when the command ends is told
 * apart (not dropped), and a command killed by a signal says which. */
static void test_memory__run_processes(void **state)
{
	/* The shell ends once the child's tracker has marked it as running sleep
	 * (PREFIX.PID.run names the program), so the test does not race the
	 * child's exec. */
	const char *outlives[] = {
	    "/bin/bash", "-c",
	    "sleep 30 & until x=; { read -r x < \"$PERFDB_MEMTRACK_OUT.$!.run\"; } 2>/dev/null; "
	    "[[ $x == */sleep ]]; do :; done",
	    NULL};
	const char *killed[] = {"/bin/bash", "-c", "kill -SEGV $$", NULL};
	perfdb_memtrack_result *r = NULL;
	const perfdb_memtrack_outcome *oc;
	const perfdb_memtrack_process *p;
	(void)state;
	if (access("/bin/bash", X_OK) != 0)
		skip();
	assert_int_equal(perfdb_memtrack_run(&r, outlives, NULL), 0);
	oc = perfdb_memtrack_result_outcome(r);
	assert_int_equal(oc->exit_code, 0);
	assert_int_equal(oc->running, 1);
	assert_int_equal(perfdb_memtrack_result_process_count(r), 2);
	p = perfdb_memtrack_result_process(r, 0); /* with figures first */
	assert_int_equal(p->state, PERFDB_MEMTRACK_PROCESS_EXITED);
	assert_true(p->reported && p->pid == oc->pid);
	assert_string_equal(base_of(p->exe), "bash");
	p = perfdb_memtrack_result_process(r, 1);
	assert_int_equal(p->state, PERFDB_MEMTRACK_PROCESS_RUNNING);
	assert_false(p->reported);
	assert_string_equal(base_of(p->exe), "sleep");
	assert_int_equal(p->peak_heap, 0);
	perfdb_memtrack_result_free(r);

	assert_int_equal(perfdb_memtrack_run(&r, killed, NULL), 0);
	oc = perfdb_memtrack_result_outcome(r);
	assert_int_equal(oc->signal, SIGSEGV);
	assert_int_equal(oc->exit_code, 128 + SIGSEGV);
	assert_null(perfdb_memtrack_result_snapshot(r));
	assert_int_equal(perfdb_memtrack_result_process_count(r), 1);
	p = perfdb_memtrack_result_process(r, 0);
	assert_int_equal(p->state, PERFDB_MEMTRACK_PROCESS_NO_REPORT);
	assert_false(p->reported);
	assert_string_equal(base_of(p->exe), "bash");
	perfdb_memtrack_result_free(r);
}

#define CHILD_FLAG "--memtrack-child"

__attribute__((noinline)) static void *grow_here(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

/* Runs in a copy of this test binary with the tracker preloaded. */
static int snapshot_child(void)
{
	perfdb_memtrack_snapshot *a = NULL, *b = NULL, *c = NULL;
	perfdb_memtrack_diff *d = NULL;
	const perfdb_memtrack_site_diff *top;
	void *keep[10], *untracked;
	int i, ok = 1;
	if (!perfdb_memtrack_available())
		return 10;
	if (perfdb_memtrack_snapshot_take(&a) != 0)
		return 11;
	for (i = 0; i < 10; i++)
		keep[i] = grow_here(1000);
	if (perfdb_memtrack_snapshot_take(&b) != 0 || perfdb_memtrack_compare(&d, a, b) != 0)
		return 12;
	/* The compiler may split the loop into several call sites: sum them. */
	ok &= perfdb_memtrack_snapshot_symbolize(b, NULL, 0, PERFDB_MEMTRACK_LINES_EMBEDDED) == 0;
	{
		int64_t grew = 0, count = 0;
		size_t k;
		for (k = 0; k < perfdb_memtrack_diff_count(d); k++) {
			const perfdb_memtrack_site_diff *it = perfdb_memtrack_diff_get(d, k);
			if (it->site->nframes &&
			    strcmp(it->site->frames[0].function, "grow_here") == 0) {
				grew += it->live_bytes_diff;
				count += it->live_count_diff;
			}
		}
		ok &= grew == 10000 && count == 10;
		/* ...and they are the top growth. */
		top = perfdb_memtrack_diff_get(d, 0);
		ok &= top && strcmp(top->site->frames[0].function, "grow_here") == 0;
	}
	if (!ok)
		return 15;
	perfdb_memtrack_diff_free(d);
	/* Stopped: new allocations are not tracked, frees still are. */
	ok &= perfdb_memtrack_enable(false) == 0;
	untracked = grow_here(5000);
	for (i = 0; i < 10; i++)
		free(keep[i]);
	ok &= perfdb_memtrack_enable(true) == 0;
	if (perfdb_memtrack_snapshot_take(&c) != 0 || perfdb_memtrack_compare(&d, b, c) != 0)
		return 13;
	/* grow_here's blocks went (-10000) and the 5000 made while stopped did
	 * not count: the sum would be -5000 had it been tracked. */
	ok &= perfdb_memtrack_snapshot_symbolize(c, NULL, 0, PERFDB_MEMTRACK_LINES_EMBEDDED) == 0;
	{
		int64_t freed = 0;
		size_t k;
		for (k = 0; k < perfdb_memtrack_diff_count(d); k++) {
			const perfdb_memtrack_site_diff *it = perfdb_memtrack_diff_get(d, k);
			if (it->site->nframes &&
			    strcmp(it->site->frames[0].function, "grow_here") == 0)
				freed += it->live_bytes_diff;
		}
		ok &= freed == -10000;
	}
	ok &= perfdb_memtrack_reset_peak() == 0;
	free(untracked);
	perfdb_memtrack_diff_free(d);
	perfdb_memtrack_snapshot_free(a);
	perfdb_memtrack_snapshot_free(b);
	perfdb_memtrack_snapshot_free(c);
	return ok ? 0 : 14;
}

static const char *self_path;

static void test_memory__snapshot_api_in_process(void **state)
{
	char self[4096];
	char *argv[3];
	ssize_t n;
	(void)state;
	if (PERFDB_TEST_SANITIZED)
		skip(); /* an ASan binary cannot take another malloc interposer */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = 0;
	(void)self_path;
	argv[0] = self;
	argv[1] = (char *)CHILD_FLAG;
	argv[2] = NULL;
	assert_int_equal(run_preloaded(argv, NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory__rss_reads_and_grows),
	    cmocka_unit_test(test_memory__block_delta_and_peak),
	    cmocka_unit_test(test_memory__nested_peak_blocks),
	    cmocka_unit_test(test_memory__scope_macro),
	    cmocka_unit_test(test_memory__bad_input),
	    cmocka_unit_test(test_memory__tracker_absent),
	    cmocka_unit_test(test_memory__load_report),
	    cmocka_unit_test(test_memory__coalesce),
	    cmocka_unit_test(test_memory__load_rejects_bad_reports),
	    cmocka_unit_test(test_memory__parse_buffer),
	    cmocka_unit_test(test_memory__top_orders),
	    cmocka_unit_test(test_memory__compare_matches_by_frames),
	    cmocka_unit_test(test_memory__export_side_by_side),
	    cmocka_unit_test(test_memory__tracked_program_report),
	    cmocka_unit_test(test_memory__run_program),
	    cmocka_unit_test(test_memory__run_options),
	    cmocka_unit_test(test_memory__run_processes),
	    cmocka_unit_test(test_memory__snapshot_api_in_process),
	};
	if (argc > 1 && strcmp(argv[1], CHILD_FLAG) == 0)
		return snapshot_child();
	self_path = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
