/* Tests of format names, format detection and the ingest entry points (lib/ingest/detect.c). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ingest_expect.h"

static size_t detect_dir(const char *sub, const char *suffix, perfdb_format want)
{
	char dir[512], path[1024];
	struct dirent *de;
	size_t count = 0;
	DIR *d;
	snprintf(dir, sizeof(dir), "%s/%s", PERFDB_TEST_DATA, sub);
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), len;
		char *data;
		if (n < strlen(suffix) || strcmp(de->d_name + n - strlen(suffix), suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		data = slurp_file(path, &len);
		if (perfdb_ingest_detect(data, len) != want)
			print_message("%s: detected %s\n", path,
				      perfdb_format_name(perfdb_ingest_detect(data, len)));
		assert_int_equal(perfdb_ingest_detect(data, len), want);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

/* Every committed fixture, real tool output and hand-made broken ones alike. */
static void test_ingest_detect__fixtures(void **state)
{
	(void)state;
	assert_true(detect_dir("gbench", ".json", PERFDB_FORMAT_GBENCH) >= 2);
	assert_true(detect_dir("hyperfine", ".json", PERFDB_FORMAT_HYPERFINE) >= 2);
	assert_true(detect_dir("native", ".json", PERFDB_FORMAT_NATIVE_JSON) >= 2);
	assert_true(detect_dir("native", ".yaml", PERFDB_FORMAT_NATIVE_YAML) >= 2);
	assert_true(detect_dir("csv", ".csv", PERFDB_FORMAT_CSV) >= 3);
}

static perfdb_format detect(const char *s)
{
	return perfdb_ingest_detect(s, strlen(s));
}

static void test_ingest_detect__content(void **state)
{
	(void)state;
	/* gbench: "benchmarks" decides; a file cut inside "context" is still gbench. */
	assert_int_equal(detect("{\"context\": {\"date\": \"x\"}, \"benchmarks\": []}"),
			 PERFDB_FORMAT_GBENCH);
	assert_int_equal(detect("{\n  \"context\": {\n    \"date\": \"2026"), PERFDB_FORMAT_GBENCH);
	assert_int_equal(detect("{\"benchmarks\": [{\"name\": \"BM_x\", \"real_time\": 1"),
			 PERFDB_FORMAT_GBENCH);
	/* hyperfine: elements with command/times, or mean without benchmark */
	assert_int_equal(detect("{\"results\": [{\"command\": \"true\", \"mean\": 0.1}]}"),
			 PERFDB_FORMAT_HYPERFINE);
	assert_int_equal(detect("{\"results\": [{\"times\": [0.1]}]}"), PERFDB_FORMAT_HYPERFINE);
	assert_int_equal(detect("{\"results\": [{\"mean\": 0.1, \"stddev\": null}]}"),
			 PERFDB_FORMAT_HYPERFINE);
	/* native JSON: elements with benchmark, even with mean first */
	assert_int_equal(
	    detect("{\"results\": [{\"mean\": 3, \"benchmark\": \"x\", \"value\": 3}]}"),
	    PERFDB_FORMAT_NATIVE_JSON);
	/* keys at the wrong depth or inside strings do not count */
	assert_int_equal(detect("{\"run\": {\"context\": {\"benchmarks\": 1, \"command\": 2}},"
				" \"results\": [{\"x\": {\"command\": 1}, \"benchmark\": "
				"\"a\\\"benchmarks\\\": 1\", \"value\": 1}]}"),
			 PERFDB_FORMAT_NATIVE_JSON);
	/* native JSON when only its own keys are seen: empty or cut results */
	assert_int_equal(detect("{\"results\": []}"), PERFDB_FORMAT_NATIVE_JSON);
	assert_int_equal(detect("{\"perfdb\": 1, \"run\": {\"commit\": \"a"),
			 PERFDB_FORMAT_NATIVE_JSON);
	/* native YAML */
	assert_int_equal(detect("---\n# perfdb\nresults:\n  - {benchmark: a, value: 1}\n"),
			 PERFDB_FORMAT_NATIVE_YAML);
	assert_int_equal(detect("run:\n  commit: abc\n"), PERFDB_FORMAT_NATIVE_YAML);
	assert_int_equal(detect("\"results\": []\n"), PERFDB_FORMAT_NATIVE_YAML);
	assert_int_equal(detect("results:\r\n- {benchmark: a, value: 1}\r\n"),
			 PERFDB_FORMAT_NATIVE_YAML);
	/* CSV: a benchmark column and a comma on the first line */
	assert_int_equal(detect("value,benchmark\n1,a\n"), PERFDB_FORMAT_CSV);
	assert_int_equal(detect("\xEF\xBB\xBF\"Benchmark\" , \"value\"\r\n"), PERFDB_FORMAT_CSV);
	assert_int_equal(detect("benchmark,value\nresults: 1\n"), PERFDB_FORMAT_CSV);
	/* unknown */
	assert_int_equal(detect(""), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect(" \n\t\r\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("{\"foo\": 1}"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("[{\"benchmark\": \"a\"}]"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("hello world\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("benchmark\na\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("index,value\n0,26705\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("foo:\n  results: 1\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(perfdb_ingest_detect(NULL, 0), PERFDB_FORMAT_AUTO);
}

/* The line-oriented text formats: a line anywhere in the file decides, the
 * Go, libtest and Catch2 ones at the start of a line only, criterion's
 * anywhere in it; a line ending in \r\n or the file's last line counts. */
static void test_ingest_detect__text_lines(void **state)
{
	(void)state;
	assert_int_equal(detect("noise\nBenchmarkA-2 \t 10\t 5 ns/op\n"), PERFDB_FORMAT_GO);
	assert_int_equal(detect("noise\r\nBenchmarkA-2 10 5 ns/op\r\n"), PERFDB_FORMAT_GO);
	assert_int_equal(detect("noise\nBenchmarkA-2 10 5 ns/op"), PERFDB_FORMAT_GO);
	assert_int_equal(detect("\xEF\xBB\xBF"
				"BenchmarkA-2 10 5 ns/op\n"),
			 PERFDB_FORMAT_GO);
	/* indented, or after other text on its line: not a result line */
	assert_int_equal(detect("noise\n  BenchmarkA-2 10 5 ns/op\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("x BenchmarkA-2 10 5 ns/op\nBenchmarkB\n"), PERFDB_FORMAT_AUTO);
	/* the first "Benchmark" line is not one, a later one is */
	assert_int_equal(detect("Benchmarks follow\nBenchmarkA-2 10 5 ns/op\n"), PERFDB_FORMAT_GO);
	assert_int_equal(detect("running\ntest a ... bench:       1,234 ns/iter (+/- 5)\n"),
			 PERFDB_FORMAT_LIBTEST);
	assert_int_equal(detect("running\n test a ... bench: 1 ns/iter (+/- 5)\n"),
			 PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("noise\nsort/10                 time:   [1.0 ns 1.1 ns 1.2 ns]\n"),
			 PERFDB_FORMAT_CRITERION_CONSOLE);
	assert_int_equal(detect("a time:   [x]\nb time:   [1.0 ns 1.1 ns 1.2 ns]\n"),
			 PERFDB_FORMAT_CRITERION_CONSOLE);
	assert_int_equal(detect("noise\nsort time:   [x]\n"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect("BenchmarkA-2 10 5 ns/op\n"
				"benchmark name   samples   iterations   estimated\n"),
			 PERFDB_FORMAT_CATCH2);
	assert_int_equal(detect("x\n benchmark name   samples   iterations   estimated\n"),
			 PERFDB_FORMAT_AUTO);
}

static void test_ingest_detect__format_names(void **state)
{
	static const struct {
		const char *name;
		perfdb_format fmt;
	} names[] = {
	    {"auto", PERFDB_FORMAT_AUTO},
	    {"gbench", PERFDB_FORMAT_GBENCH},
	    {"hyperfine", PERFDB_FORMAT_HYPERFINE},
	    {"json", PERFDB_FORMAT_NATIVE_JSON},
	    {"yaml", PERFDB_FORMAT_NATIVE_YAML},
	    {"csv", PERFDB_FORMAT_CSV},
	    {"native", PERFDB_FORMAT_NATIVE_JSON},
	    {"googlebenchmark", PERFDB_FORMAT_GBENCH},
	    {"google-benchmark", PERFDB_FORMAT_GBENCH},
	    {"CSV", PERFDB_FORMAT_CSV},
	    {"yml", PERFDB_FORMAT_NATIVE_YAML},
	};
	perfdb_format f;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		f = (perfdb_format)99;
		assert_int_equal(perfdb_format_parse(&f, names[i].name), 0);
		assert_int_equal(f, names[i].fmt);
	}
	for (i = 0; i < 6; i++) {
		assert_string_equal(perfdb_format_name(names[i].fmt), names[i].name);
		assert_int_equal(perfdb_format_parse(&f, perfdb_format_name(names[i].fmt)), 0);
		assert_int_equal(f, names[i].fmt);
	}
	assert_int_equal(perfdb_format_parse(&f, "xml"), PERFDB_EINVAL);
	assert_string_equal(
	    perfdb_error_last()->message,
	    "unknown format 'xml' (expected auto, gbench, hyperfine, json, yaml, "
	    "csv, go, go-json, catch2, pytest-benchmark, libtest, libtest-json, "
	    "bmf, criterion, jmh, benchmarkdotnet, nanobench, wrk, ab, hey, k6, locust, "
	    "vegeta, nanobench-console, nanobench-csv or criterion-console)");
	assert_int_equal(perfdb_format_parse(&f, ""), PERFDB_EINVAL);
	assert_int_equal(perfdb_format_parse(&f, NULL), PERFDB_EINVAL);
}

static void test_ingest_detect__empty_and_unknown(void **state)
{
	(void)state;
	/* Empty is bad input (EINPUT), not an unknown format (EFORMAT, for
	 * which a caller would offer a format choice). */
	expect_input_error("", PERFDB_FORMAT_AUTO, "e.json", PERFDB_EINPUT, 0, 0, NULL,
			   "e.json: empty input");
	expect_input_error(" \r\n\t\n", PERFDB_FORMAT_AUTO, "e.json", PERFDB_EINPUT, 0, 0, NULL,
			   "empty input");
	/* Empty stays empty input whatever format is forced. */
	expect_input_error("\xEF\xBB\xBF\n", PERFDB_FORMAT_CSV, "e.csv", PERFDB_EINPUT, 0, 0, NULL,
			   "empty input");
	expect_input_error("  ", PERFDB_FORMAT_GBENCH, "e.json", PERFDB_EINPUT, 0, 0, NULL,
			   "empty input");
	expect_input_error("hello\n", PERFDB_FORMAT_AUTO, "notes.txt", PERFDB_EFORMAT, 0, 0, NULL,
			   "notes.txt: unknown format");
	expect_input_error("hello\n", PERFDB_FORMAT_AUTO, "notes.txt", PERFDB_EFORMAT, 0, 0, NULL,
			   "known formats: gbench|hyperfine|json|yaml|csv");
}

/* A forced format is used even when the content says otherwise. */
static void test_ingest_detect__forced_format(void **state)
{
	perfdb_resultset *rs;
	(void)state;
	expect_input_error("benchmark,value\na,1\n", PERFDB_FORMAT_NATIVE_JSON, "f", PERFDB_EINPUT,
			   1, 1, NULL, "invalid JSON");
	expect_input_error("{\"results\": [{\"benchmark\": \"a\", \"value\": 1}]}",
			   PERFDB_FORMAT_CSV, "f", PERFDB_EINPUT, 1, 2, NULL,
			   "a quote inside an unquoted field");
	/* Flow-style YAML starts with '{' and is JSON to detection, YAML when named. */
	rs = ingest_ok("{results: [{benchmark: a, value: 1}]}", PERFDB_FORMAT_NATIVE_YAML);
	assert_int_equal(perfdb_resultset_count(rs), 1);
	perfdb_resultset_free(rs);
}

/* A truncated file of a known format gets that reader's syntax error, with a position. */
static void test_ingest_detect__truncated_is_syntax_error(void **state)
{
	static const char *files[] = {"gbench/gbench_truncated.json",
				      "hyperfine/hyperfine_truncated.json"};
	char path[512];
	size_t i;
	(void)state;
	for (i = 0; i < 2; i++) {
		perfdb_resultset *rs = guarded_new();
		const perfdb_error *e;
		snprintf(path, sizeof(path), "%s/%s", PERFDB_TEST_DATA, files[i]);
		assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
		e = perfdb_error_last();
		assert_string_equal(e->file, path);
		assert_true(e->line > 1);
		assert_true(e->column > 0);
		assert_guarded_unchanged(rs);
		perfdb_resultset_free(rs);
	}
}

/* Detection dispatches to every reader. */
static void test_ingest_detect__dispatch(void **state)
{
	static const struct {
		const char *file, *source;
	} files[] = {
	    {"gbench/gbench_basic.json", "gbench"},
	    {"hyperfine/hyperfine_basic.json", "hyperfine"},
	    {"native/full.json", "native"},
	    {"native/full.yaml", "native"},
	    {"csv/basic.csv", "csv"},
	};
	char path[512];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		perfdb_resultset *rs;
		int rc;
		snprintf(path, sizeof(path), "%s/%s", PERFDB_TEST_DATA, files[i].file);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		rc = perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO);
		if (rc)
			print_message("%s\n", perfdb_error_last()->message);
		assert_int_equal(rc, 0);
		assert_true(perfdb_resultset_count(rs) > 0);
		assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), files[i].source);
		perfdb_resultset_free(rs);
	}
}

static void test_ingest_detect__file_errors(void **state)
{
	perfdb_resultset *rs = guarded_new();
	char dir[] = "/tmp/perfdb-detect.XXXXXX", path[600];
	FILE *f;
	(void)state;

	assert_int_equal(perfdb_ingest_file(rs, "/nonexistent/x.json", PERFDB_FORMAT_AUTO),
			 PERFDB_EIO);
	assert_string_equal(perfdb_error_last()->message,
			    "cannot read '/nonexistent/x.json': No such file or directory");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(perfdb_ingest_file(rs, dir, PERFDB_FORMAT_AUTO), PERFDB_EIO);
	assert_non_null(strstr(perfdb_error_last()->message, "Is a directory"));
	assert_guarded_unchanged(rs);

	/* Errors in a file name the file as it was given. */
	snprintf(path, sizeof(path), "%s/bad.csv", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("benchmark,value\na,1\nb,oops\n", f);
	fclose(f);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->file, path);
	assert_int_equal(perfdb_error_last()->line, 3);
	assert_guarded_unchanged(rs);

	/* An empty file is empty input, not an I/O error. */
	snprintf(path, sizeof(path), "%s/empty.json", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "empty input"));
	unlink(path);
	snprintf(path, sizeof(path), "%s/bad.csv", dir);
	unlink(path);
	rmdir(dir);

	assert_int_equal(perfdb_ingest_file(rs, NULL, PERFDB_FORMAT_AUTO), PERFDB_EINVAL);
	assert_guarded_unchanged(rs);
	perfdb_resultset_free(rs);
}

/* "-" reads standard input to its end, through a pipe larger than the pipe buffer. */
static void test_ingest_detect__stdin(void **state)
{
	enum { ROWS = 20000 };
	int fds[2], saved, status;
	pid_t pid;
	perfdb_resultset *rs;
	(void)state;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *w = fdopen(fds[1], "w");
		int i;
		close(fds[0]);
		fputs("benchmark,value,unit\n", w);
		for (i = 0; i < ROWS; i++)
			fprintf(w, "bench/%d,%d,us\n", i, i);
		fclose(w);
		_exit(0);
	}
	close(fds[1]);
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, "-", PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(perfdb_resultset_count(rs), ROWS);
	assert_near(perfdb_resultset_get(rs, ROWS - 1)->value, (ROWS - 1) * 1e3, 0);
	perfdb_resultset_free(rs);

	/* Errors on stdin name it "<stdin>". */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "results:\n  - {benchmark: a}\n", 28), 28);
	close(fds[1]);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	rs = guarded_new();
	assert_int_equal(perfdb_ingest_file(rs, "-", PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->file, "<stdin>");
	assert_string_equal(
	    perfdb_error_last()->message,
	    "<stdin>:2:5: field 'results[0].value': missing 'value' (a result needs a "
	    "value, samples, or both)");
	assert_guarded_unchanged(rs);
	perfdb_resultset_free(rs);

	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

/* Every prefix of every native and CSV fixture: a result or a clean error, never a half-write. */
static void test_ingest_detect__every_prefix(void **state)
{
	static const char *files[] = {"native/full.json", "native/full.yaml", "csv/basic.csv",
				      "csv/rfc4180.csv", "csv/samples.csv"};
	char path[512];
	size_t i, cut, len, failed = 0;
	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *data;
		snprintf(path, sizeof(path), "%s/%s", PERFDB_TEST_DATA, files[i]);
		data = slurp_file(path, &len);
		for (cut = 0; cut <= len; cut++) {
			perfdb_resultset *rs = guarded_new();
			int rc = perfdb_ingest_buffer(rs, data, cut, files[i], PERFDB_FORMAT_AUTO);
			if (rc != 0 && rc != PERFDB_EINPUT && rc != PERFDB_EFORMAT)
				print_message("%s cut at %zu: %s\n", files[i], cut,
					      perfdb_error_last()->message);
			assert_true(rc == 0 || rc == PERFDB_EINPUT || rc == PERFDB_EFORMAT);
			if (rc) {
				failed++;
				assert_guarded_unchanged(rs);
			}
			perfdb_resultset_free(rs);
		}
		free(data);
	}
	assert_true(failed > 0);
}

/* Two pages, the second unreadable: text copied to the end of the first
 * ends right before it, so a read past the input is a crash in any build. */
typedef struct guarded {
	unsigned char *map;
	size_t page;
} guarded;

static void guarded_map(guarded *g)
{
	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->map =
	    mmap(NULL, g->page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + g->page, g->page, PROT_NONE), 0);
}

static perfdb_format detect_at_page_end(guarded *g, const char *text)
{
	size_t n = strlen(text);
	char *at = (char *)g->map + g->page - n;
	memcpy(at, text, n);
	return perfdb_ingest_detect(at, n);
}

/* Issue 12 (fuzz_ingest_auto): an XML declaration or comment never closed
 * left the scan past the end, and len - i wrapped: detection read on past
 * the buffer. */
static void test_ingest_detect__unclosed_xml_prolog(void **state)
{
	static const char *const inputs[] = {"<?xml version=\"1.0\"", "<!-- a comment",
					     "<?xml version=\"1.0\"?>\n<!-- <Catch>", "<?xml ?"};
	guarded g;
	size_t i;
	(void)state;
	guarded_map(&g);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		assert_int_equal(detect_at_page_end(&g, inputs[i]), PERFDB_FORMAT_AUTO);
	munmap(g.map, g.page * 2);
}

/* Issue 12 (fuzz_ingest_auto): a Go benchmark line whose number ends the
 * input was checked with strspn, which read on past it. */
static void test_ingest_detect__go_line_at_end(void **state)
{
	guarded g;
	(void)state;
	guarded_map(&g);
	assert_int_equal(detect_at_page_end(&g, "BenchmarkSort/n=10   \t  58  2021"),
			 PERFDB_FORMAT_AUTO);
	assert_int_equal(detect_at_page_end(&g, "BenchmarkSort/n=10  58"), PERFDB_FORMAT_AUTO);
	assert_int_equal(detect_at_page_end(&g, "BenchmarkSort/n=10 58 2021 ns/op"),
			 PERFDB_FORMAT_GO);
	munmap(g.map, g.page * 2);
}

/* Issue 12: a named input must be a regular file (a FIFO blocked for ever,
 * /dev/zero grew without bound), and no input is read past its limit. */
static void test_ingest_detect__only_regular_files_and_bounded(void **state)
{
	perfdb_resultset *rs = guarded_new();
	char dir[] = "/tmp/perfdb-detect-untrusted.XXXXXX", path[600];
	int saved, zero;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->file, path);
	assert_non_null(strstr(perfdb_error_last()->message, "it is a FIFO, not a regular file"));
	unlink(path);
	assert_int_equal(perfdb_ingest_file(rs, "/dev/zero", PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "a character device"));
	assert_int_equal(perfdb_ingest_file(rs, "/proc/self/status", PERFDB_FORMAT_AUTO),
			 PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "a /proc or /sys file"));

	/* A regular file over the limit is refused before it is read. */
	snprintf(path, sizeof(path), "%s/a.csv", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("benchmark,value\na,1\n", f);
	fclose(f);
	assert_int_equal(perfdb_ingest_file_max(rs, path, PERFDB_FORMAT_AUTO, 10), PERFDB_ETOOBIG);
	assert_non_null(strstr(perfdb_error_last()->message, "larger than 10 bytes"));
	assert_guarded_unchanged(rs);
	assert_int_equal(perfdb_ingest_file_max(rs, path, PERFDB_FORMAT_AUTO, 20), 0);
	assert_int_equal(perfdb_resultset_count(rs), 2);
	unlink(path);
	rmdir(dir);

	/* Standard input that never ends stops at the limit. */
	saved = dup(STDIN_FILENO);
	zero = open("/dev/zero", O_RDONLY);
	assert_true(saved >= 0 && zero >= 0);
	dup2(zero, STDIN_FILENO);
	close(zero);
	assert_int_equal(perfdb_ingest_file_max(rs, "-", PERFDB_FORMAT_AUTO, 1 << 20),
			 PERFDB_ETOOBIG);
	dup2(saved, STDIN_FILENO);
	close(saved);
	assert_string_equal(perfdb_error_last()->file, "<stdin>");
	assert_non_null(strstr(perfdb_error_last()->message, "larger than 1048576 bytes"));
	perfdb_resultset_free(rs);
}

/* Standard input from a child that writes len bytes of text into a pipe;
 * returns the child's pid and the saved stdin in *saved. */
static pid_t stdin_from_pipe(const char *text, size_t len, int *saved)
{
	int fds[2];
	pid_t pid;
	assert_int_equal(pipe(fds), 0);
	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		size_t done = 0;
		close(fds[0]);
		while (done < len) {
			ssize_t n = write(fds[1], text + done, len - done);
			if (n <= 0)
				_exit(1); /* the reader stopped early (too big): fine */
			done += (size_t)n;
		}
		_exit(0);
	}
	close(fds[1]);
	assert_true((*saved = dup(STDIN_FILENO)) >= 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	return pid;
}

static void stdin_restore(pid_t pid, int saved)
{
	int status;
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* perfdb_ingest_file_max of "-" with the bytes of text on a pipe. */
static int ingest_piped(perfdb_resultset *rs, const char *text, size_t len, size_t max)
{
	int saved, err;
	pid_t pid = stdin_from_pipe(text, len, &saved);
	err = perfdb_ingest_file_max(rs, "-", PERFDB_FORMAT_AUTO, max);
	stdin_restore(pid, saved);
	return err;
}

/* A Google Benchmark file of at least size bytes, its last item `last`. */
static char *big_gbench(size_t size, const char *last, size_t *len)
{
	size_t cap = size + 4096, n, i;
	char *t = malloc(cap);
	assert_non_null(t);
	n = (size_t)snprintf(t, cap, "{\"context\": {\"num_cpus\": 2}, \"benchmarks\": [\n");
	for (i = 0; n < size; i++)
		n += (size_t)snprintf(t + n, cap - n,
				      "{\"name\": \"BM_%zu\", \"run_type\": \"iteration\", "
				      "\"iterations\": 10, \"real_time\": %zu.5, \"cpu_time\": 1, "
				      "\"time_unit\": \"us\"},\n",
				      i, i);
	n += (size_t)snprintf(t + n, cap - n, "%s\n]}\n", last);
	*len = n;
	return t;
}

static void assert_same_results(const perfdb_resultset *a, const perfdb_resultset *b)
{
	size_t i;
	assert_int_equal(perfdb_resultset_count(a), perfdb_resultset_count(b));
	for (i = 0; i < perfdb_resultset_count(a); i++) {
		const perfdb_result *x = perfdb_resultset_get(a, i),
				    *y = perfdb_resultset_get(b, i);
		assert_string_equal(x->benchmark, y->benchmark);
		assert_string_equal(x->metric, y->metric);
		assert_string_equal(x->unit, y->unit);
		assert_near(x->value, y->value, 0);
	}
}

/* Issue 12: standard input was read whole (5.5x a big Google Benchmark
 * file). More than a few MB of it is kept in an unlinked temporary file in
 * $TMPDIR and read from there as the file by name is; less stays in memory. */
static void test_ingest_detect__big_stdin_spooled(void **state)
{
	char dir[] = "/tmp/perfdb-detect-stdin.XXXXXX", path[600], bad[700];
	const char *old = getenv("TMPDIR");
	char *keep = old ? strdup(old) : NULL, *text, *msg;
	perfdb_resultset *byname, *piped;
	size_t len;
	DIR *d;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	text = big_gbench(6u << 20,
			  "{\"name\": \"BM_last\", \"iterations\": 1, \"real_time\": 7, "
			  "\"cpu_time\": 7, \"time_unit\": \"ns\"}",
			  &len);
	snprintf(path, sizeof(path), "%s/big.json", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	snprintf(bad, sizeof(bad), "%s/spool", dir);
	assert_int_equal(mkdir(bad, 0700), 0);
	setenv("TMPDIR", bad, 1);

	/* the same results as by name, and nothing left in $TMPDIR */
	assert_int_equal(perfdb_resultset_new(&byname), 0);
	assert_int_equal(perfdb_ingest_file(byname, path, PERFDB_FORMAT_AUTO), 0);
	assert_true(perfdb_resultset_count(byname) > 100000);
	assert_int_equal(perfdb_resultset_new(&piped), 0);
	assert_int_equal(ingest_piped(piped, text, len, 0), 0);
	assert_same_results(byname, piped);
	assert_string_equal(
	    perfdb_resultset_get(piped, perfdb_resultset_count(piped) - 1)->benchmark, "BM_last");
	perfdb_resultset_free(piped);
	assert_non_null(d = opendir(bad));
	{
		struct dirent *de;
		while ((de = readdir(d)))
			assert_true(de->d_name[0] == '.');
	}
	closedir(d);

	/* --max-input is checked while spooling */
	piped = guarded_new();
	assert_int_equal(ingest_piped(piped, text, len, 5u << 20), PERFDB_ETOOBIG);
	assert_string_equal(perfdb_error_last()->file, "<stdin>");
	assert_string_equal(perfdb_error_last()->message,
			    "<stdin>: the input is larger than 5242880 bytes");
	assert_guarded_unchanged(piped);

	/* no temporary file to be had: a system error naming <stdin> and the
	 * directory, for the big input only; a small one stays in memory */
	snprintf(bad, sizeof(bad), "%s/missing", dir);
	setenv("TMPDIR", bad, 1);
	assert_int_equal(ingest_piped(piped, text, len, 0), PERFDB_ERROR);
	assert_non_null(
	    strstr(perfdb_error_last()->message, "cannot keep '<stdin>' in a temporary file in '"));
	assert_non_null(
	    strstr(perfdb_error_last()->message, "/missing': No such file or directory"));
	assert_guarded_unchanged(piped);
	perfdb_resultset_free(piped);
	assert_int_equal(perfdb_resultset_new(&piped), 0);
	assert_int_equal(ingest_piped(piped, "benchmark,value\na,1\n", 20, 0), 0);
	assert_int_equal(perfdb_resultset_count(piped), 1);
	perfdb_resultset_free(piped);

	/* a syntax error in the last item: the words of the file by name */
	free(text);
	text = big_gbench(6u << 20, "{\"name\": \"BM_last\", \"x\": }", &len);
	snprintf(bad, sizeof(bad), "%s/spool", dir);
	setenv("TMPDIR", bad, 1);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_int_equal(perfdb_ingest_file(byname, path, PERFDB_FORMAT_AUTO), PERFDB_EINPUT);
	msg = strdup(perfdb_error_last()->message);
	assert_non_null(msg);
	assert_int_equal(strncmp(msg, path, strlen(path)), 0);
	assert_int_equal(perfdb_resultset_new(&piped), 0);
	assert_int_equal(ingest_piped(piped, text, len, 0), PERFDB_EINPUT);
	assert_string_equal(perfdb_error_last()->file, "<stdin>");
	assert_int_equal(strncmp(perfdb_error_last()->message, "<stdin>", 7), 0);
	assert_string_equal(perfdb_error_last()->message + 7, msg + strlen(path));
	free(msg);
	perfdb_resultset_free(piped);
	perfdb_resultset_free(byname);

	if (keep)
		setenv("TMPDIR", keep, 1);
	else
		unsetenv("TMPDIR");
	free(keep);
	free(text);
	unlink(path);
	rmdir(dir);
	snprintf(bad, sizeof(bad), "%s/spool", dir);
	rmdir(bad);
	rmdir(dir);
}

/* What a sink was handed: the results as text, the batches, the source as
 * the first batch had it. */
typedef struct handed {
	char text[65536];
	size_t len;
	int batches;
	char source[64];
} handed;

static void results_text(handed *h, const perfdb_resultset *rs)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		int n = snprintf(h->text + h->len, sizeof(h->text) - h->len, "%s|%s|%s|%.17g|%zu\n",
				 r->benchmark, r->metric, r->unit, r->value, r->nsamples);
		assert_true(n > 0 && (size_t)n < sizeof(h->text) - h->len);
		h->len += (size_t)n;
	}
}

static int hand_sink(void *ctx, perfdb_resultset *rs, perfdb_sink_event ev)
{
	handed *h = ctx;
	const char *src = perfdb_resultset_meta(rs, PERFDB_META_SOURCE);
	assert_int_equal(ev, PERFDB_SINK_WRITE);
	if (!h->batches++)
		snprintf(h->source, sizeof(h->source), "%s", src ? src : "(none)");
	results_text(h, rs);
	return 0;
}

/* Issue 12: a reader whose results are final once made hands them to the
 * caller's sink in batches as it makes them (they were all held, in its
 * own resultset and then the caller's, until the end): the same results in
 * the same order, and the source already set when the run starts. */
static void test_ingest_detect__readers_hand_over_batches(void **state)
{
	static const struct {
		const char *file, *text, *source;
	} inputs[] = {
	    {"go/go_count2.txt", NULL, "go"},
	    {"go/go_test2json.jsonl", NULL, "go"},
	    {"libtest/libtest_stdout.txt", NULL, "libtest"},
	    {"libtest/libtest_json.jsonl", NULL, "libtest"},
	    {"catch2/catch2_xml.xml", NULL, "catch2"},
	    {"catch2/catch2_console.txt", NULL, "catch2"},
	    {"criterion/console.txt", NULL, "criterion"},
	    {"nanobench/console.txt", NULL, "nanobench"},
	    {"nanobench/render.csv", NULL, "nanobench"},
	    {"hyperfine/hyperfine_basic.json", NULL, "hyperfine"},
	    {"pytest-benchmark/pytest_benchmark_3.2.2.json", NULL, "pytest-benchmark"},
	    {NULL,
	     "[{\"jmhVersion\":\"1.37\",\"benchmark\":\"x.A.a\",\"mode\":\"avgt\","
	     "\"primaryMetric\":{\"score\":1.5,\"scoreUnit\":\"ns/op\"}},{\"jmhVersion\":\"1.37\","
	     "\"benchmark\":\"x.A.b\",\"mode\":\"avgt\",\"primaryMetric\":{\"score\":2.5,"
	     "\"scoreUnit\":\"ns/op\"}},{\"jmhVersion\":\"1.37\",\"benchmark\":\"x.A.c\","
	     "\"mode\":\"avgt\",\"primaryMetric\":{\"score\":3.5,\"scoreUnit\":\"ns/op\"}}]",
	     "jmh"},
	    {NULL,
	     "{\"a\": {\"latency\": {\"value\": 1}}, \"b\": {\"latency\": {\"value\": 2}, "
	     "\"throughput\": {\"value\": 9}}, \"c\": {\"latency\": {\"value\": 3}}}",
	     "bmf"},
	    {NULL,
	     "{\"Title\":\"T\",\"HostEnvironmentInfo\":{},\"Benchmarks\":[{\"FullName\":\"A.a\","
	     "\"Statistics\":{\"OriginalValues\":[1,2],\"N\":2,\"Mean\":1.5}},{\"FullName\":"
	     "\"A.b\",\"Statistics\":{\"OriginalValues\":[3,4],\"N\":2,\"Mean\":3.5}},"
	     "{\"FullName\":\"A.c\",\"Statistics\":{\"OriginalValues\":[5,6],\"N\":2,\"Mean\":"
	     "5.5},\"Memory\":{\"BytesAllocatedPerOperation\":64}}]}",
	     "benchmarkdotnet"},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		static handed whole, batched;
		perfdb_resultset *a, *b;
		char path[512];
		memset(&whole, 0, sizeof(whole));
		memset(&batched, 0, sizeof(batched));
		assert_int_equal(perfdb_resultset_new(&a), 0);
		assert_int_equal(perfdb_resultset_new(&b), 0);
		assert_int_equal(perfdb_resultset_set_sink(b, hand_sink, &batched, 2), 0);
		if (inputs[i].file) {
			snprintf(path, sizeof(path), "%s/%s", PERFDB_TEST_DATA, inputs[i].file);
			assert_int_equal(perfdb_ingest_file(a, path, PERFDB_FORMAT_AUTO), 0);
			assert_int_equal(perfdb_ingest_file(b, path, PERFDB_FORMAT_AUTO), 0);
		} else {
			const char *t = inputs[i].text;
			assert_int_equal(
			    perfdb_ingest_buffer(a, t, strlen(t), "x", PERFDB_FORMAT_AUTO), 0);
			assert_int_equal(
			    perfdb_ingest_buffer(b, t, strlen(t), "x", PERFDB_FORMAT_AUTO), 0);
		}
		results_text(&whole, a);
		results_text(&batched, b);
		if (batched.batches == 0 || strcmp(whole.text, batched.text) != 0)
			print_error("%s: %d batches\nwhole:\n%s\nbatched:\n%s\n", inputs[i].source,
				    batched.batches, whole.text, batched.text);
		assert_true(perfdb_resultset_count(a) > 2);
		assert_int_equal(batched.batches, (int)perfdb_resultset_count(a) / 2);
		assert_int_equal(perfdb_resultset_written(b) + perfdb_resultset_count(b),
				 perfdb_resultset_count(a));
		assert_string_equal(whole.text, batched.text);
		assert_string_equal(batched.source, inputs[i].source);
		perfdb_resultset_free(a);
		perfdb_resultset_free(b);
	}
}

/* A sink that writes one byte of the file being read, in place (the same
 * length), and dates it back a day, as another process could. */
typedef struct rewriter {
	const char *path;
	int batches;
} rewriter;

static int rewrite_sink(void *ctx, perfdb_resultset *rs, perfdb_sink_event ev)
{
	rewriter *w = ctx;
	(void)rs;
	(void)ev;
	if (w->batches++ == 0) {
		struct timespec day_ago[2];
		int fd = open(w->path, O_WRONLY);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, "9", 1, 23), 1); /* a digit of a value */
		assert_int_equal(clock_gettime(CLOCK_REALTIME, &day_ago[0]), 0);
		day_ago[0].tv_sec -= 86400;
		day_ago[1] = day_ago[0];
		assert_int_equal(futimens(fd, day_ago), 0);
		close(fd);
	}
	return 0;
}

/* A file written while perfdb reads it (a pass, or YAML samples read again
 * from it, may see other bytes than the one before) is an error, not a run
 * of whatever mix was read: also a change of the same length. */
static void test_ingest_detect__changed_while_read(void **state)
{
	char dir[] = "/tmp/perfdb-detect-changed.XXXXXX", path[600];
	const char *text = "benchmark,value,unit\na,1,ns\nb,2,ns\nc,3,ns\nd,4,ns\n";
	rewriter w = {path, 0};
	perfdb_resultset *rs;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(text[23], '1');

	/* unchanged: read */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(perfdb_resultset_count(rs), 4);
	perfdb_resultset_free(rs);

	/* written between the first batch and the end */
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(perfdb_resultset_set_sink(rs, rewrite_sink, &w, 1), 0);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), PERFDB_EIO);
	assert_true(w.batches >= 1);
	assert_non_null(strstr(perfdb_error_last()->message, "it changed while it was read"));
	perfdb_resultset_free(rs);

	unlink(path);
	rmdir(dir);
}

/* Error messages quote a short, escaped excerpt of what the file holds. */
static void test_ingest_detect__errors_quote_short_excerpts(void **state)
{
	size_t n = 10000, i;
	char *text = malloc(n + 64);
	const perfdb_error *e;
	perfdb_resultset *rs = guarded_new();
	(void)state;
	assert_non_null(text);
	i = (size_t)snprintf(text, n + 64, "benchmark,value\na,\x1b[31m");
	memset(text + i, '7', n - i);
	memcpy(text + n, "\n", 2);
	assert_int_equal(perfdb_ingest_buffer(rs, text, n + 1, "x.csv", PERFDB_FORMAT_CSV),
			 PERFDB_EINPUT);
	e = perfdb_error_last();
	assert_null(strchr(e->message, '\x1b'));
	assert_non_null(strstr(e->message, "'\\x1b[31m777777777777777777777777777"
					   "\xE2\x80\xA6' is not a number"));
	assert_true(strlen(e->message) < 120);

	/* The longest excerpt: 32 C1 controls, each \xc2\x9b (the fuzzer's find:
	 * the buffer held 160 bytes). */
	memcpy(text, "benchmark,value\na,", 18);
	for (i = 0; i < 40; i++)
		memcpy(text + 18 + 2 * i, "\xc2\x9b", 2);
	memcpy(text + 18 + 80, "\n", 2);
	assert_int_equal(perfdb_ingest_buffer(rs, text, 18 + 81, "x.csv", PERFDB_FORMAT_CSV),
			 PERFDB_EINPUT);
	assert_non_null(strstr(perfdb_error_last()->message, "'\\xc2\\x9b\\xc2\\x9b"));
	assert_null(strstr(perfdb_error_last()->message, "\xc2\x9b"));
	perfdb_resultset_free(rs);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ingest_detect__fixtures),
	    cmocka_unit_test(test_ingest_detect__content),
	    cmocka_unit_test(test_ingest_detect__text_lines),
	    cmocka_unit_test(test_ingest_detect__format_names),
	    cmocka_unit_test(test_ingest_detect__empty_and_unknown),
	    cmocka_unit_test(test_ingest_detect__forced_format),
	    cmocka_unit_test(test_ingest_detect__truncated_is_syntax_error),
	    cmocka_unit_test(test_ingest_detect__dispatch),
	    cmocka_unit_test(test_ingest_detect__file_errors),
	    cmocka_unit_test(test_ingest_detect__stdin),
	    cmocka_unit_test(test_ingest_detect__every_prefix),
	    cmocka_unit_test(test_ingest_detect__unclosed_xml_prolog),
	    cmocka_unit_test(test_ingest_detect__go_line_at_end),
	    cmocka_unit_test(test_ingest_detect__only_regular_files_and_bounded),
	    cmocka_unit_test(test_ingest_detect__errors_quote_short_excerpts),
	    cmocka_unit_test(test_ingest_detect__big_stdin_spooled),
	    cmocka_unit_test(test_ingest_detect__readers_hand_over_batches),
	    cmocka_unit_test(test_ingest_detect__changed_while_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
