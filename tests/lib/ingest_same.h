/*
 * A file read by name (perfdb_ingest_file, which reads big Google Benchmark,
 * perfdb native JSON and CSV files in bounded memory) against the same bytes
 * read whole from a buffer (perfdb_ingest_buffer): both as one text
 * (resultset_text.h), which must be the same byte for byte. Shared by
 * test_json_stream, test_csv_window and the acceptance suite's corpus check.
 * Include after <cmocka.h>, ingest_expect.h and resultset_text.h.
 */
#ifndef PERFDB_TESTS_INGEST_SAME_H
#define PERFDB_TESTS_INGEST_SAME_H

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/json_parse.h"
#include "ingest/json_stream.h"

static inline char *read_whole(const char *path, perfdb_format fmt)
{
	perfdb_resultset *rs;
	size_t len;
	char *data = slurp_file(path, &len), *out;
	int rc;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_buffer(rs, data, len, path, fmt);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	free(data);
	return out;
}

static inline char *read_file(const char *path, perfdb_format fmt)
{
	perfdb_resultset *rs;
	char *out;
	int rc;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_file(rs, path, fmt);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return out;
}

/* Writes len bytes to a new temporary file; its name into path (a mkstemp template). */
static inline void write_temp(char *path, const char *body, size_t len)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, body, len), (ssize_t)len);
	close(fd);
}

static inline bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* each(path) for every file below dir whose name ends with suffix; returns
 * how many. */
static inline size_t same_under(const char *dir, const char *suffix, void (*each)(const char *path))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			n += same_under(path, suffix, each);
		} else if (S_ISREG(st.st_mode) && ends_with(path, suffix)) {
			each(path);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* The reader of fmt (CSV, go, go-json, libtest or libtest-json) itself on
 * the file at path through a window of `window` bytes (it grows to hold a
 * field or a line): 1 byte makes every byte a refill. */
static inline char *read_window(const char *path, perfdb_format fmt, size_t window)
{
	perfdb_resultset *rs;
	struct stat st;
	char *out;
	int fd = open(path, O_RDONLY), rc;
	bool json = fmt == PERFDB_FORMAT_GO_JSON || fmt == PERFDB_FORMAT_LIBTEST_JSON;
	uint64_t size;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	size = (uint64_t)st.st_size;
	if (fmt == PERFDB_FORMAT_CSV)
		rc = perfdb_ingest__csv_file(rs, fd, 0, size, path, window);
	else if (fmt == PERFDB_FORMAT_GO || fmt == PERFDB_FORMAT_GO_JSON)
		rc = perfdb_ingest__gotest_file(rs, fd, 0, size, path, window, json);
	else
		rc = perfdb_ingest__libtest_file(rs, fd, 0, size, path, window, json);
	out = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	close(fd);
	return out;
}

/* The BMF reader on the members of the file at path, a member of piece
 * bytes or more read in pieces of about that size (json_stream.h; 0: the
 * default): the text of its results or error, and in *rc how it read (0, an
 * error, or PERFDB_JSON__FALLBACK: perfdb_ingest_file would check the
 * syntax and read the file whole). */
static inline char *read_bmf_pieces(const char *path, size_t piece, int *rc)
{
	perfdb_json_stream *s = NULL;
	perfdb_resultset *rs;
	int fd = open(path, O_RDONLY);
	char *text;
	assert_true(fd >= 0);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	*rc = perfdb_json__stream_open_members(&s, fd, path, PERFDB_INGEST_MAX_INPUT, piece);
	if (!*rc)
		*rc = perfdb_ingest__bmf_stream(rs, s);
	text = resultset_text(*rc, rs);
	perfdb_json__stream_close(s);
	perfdb_resultset_free(rs);
	close(fd);
	return text;
}

static inline void same_texts(const char *path, const char *how, const char *whole, char *other)
{
	if (strcmp(whole, other) != 0) {
		print_error("%s: whole:\n%.2000s\n%s:\n%.2000s\n", path, whole, how, other);
		fail();
	}
	free(other);
}

/* The file at path as fmt read with every array of numbers packed
 * (json_parse.h), with the default threshold, and with none packed (the
 * tree of a node an item, as before packing): by name and (unless it is a
 * directory, as criterion's) whole, the same texts. */
static inline void packed_same(const char *path, perfdb_format fmt, bool whole)
{
	static const size_t mins[] = {1, 0, 2, 17};
	char *tree;
	size_t i;
	perfdb_jparse__set_pack_min(SIZE_MAX);
	tree = whole ? read_whole(path, fmt) : read_file(path, fmt);
	if (whole)
		same_texts(path, "nodes, by name", tree, read_file(path, fmt));
	for (i = 0; i < sizeof(mins) / sizeof(mins[0]); i++) {
		perfdb_jparse__set_pack_min(mins[i]);
		if (whole)
			same_texts(path, "packed, whole", tree, read_whole(path, fmt));
		same_texts(path, "packed, by name", tree, read_file(path, fmt));
	}
	perfdb_jparse__set_pack_min(0);
	free(tree);
}

static inline void copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = slurp_file(from, &len);
	FILE *f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(data);
}

/* A criterion benchmark directory, DIR/g/new (dir: a mkdtemp template),
 * with copies of the files benchmark and estimates and a sample.json of
 * text sample; criterion_dir_remove takes it away. */
static inline void criterion_dir(char *dir, const char *benchmark, const char *estimates,
				 const char *sample)
{
	char path[4096];
	FILE *f;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/g", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/g/new", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/g/new/benchmark.json", dir);
	copy_file(benchmark, path);
	snprintf(path, sizeof(path), "%s/g/new/estimates.json", dir);
	copy_file(estimates, path);
	snprintf(path, sizeof(path), "%s/g/new/sample.json", dir);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(sample, 1, strlen(sample), f), strlen(sample));
	assert_int_equal(fclose(f), 0);
}

static inline void criterion_dir_remove(const char *dir)
{
	static const char *const files[] = {"benchmark.json", "estimates.json", "sample.json"};
	char path[4096];
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/g/new/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/g/new", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/g", dir);
	rmdir(path);
	rmdir(dir);
}

/* The file at path as fmt (a format read through a window: CSV, go,
 * go-json, libtest, libtest-json) and as whatever it is (AUTO): by name,
 * through small windows, and whole. */
static inline void same_as(const char *path, perfdb_format fmt)
{
	/* a small file through tiny windows, a big one (a read a byte is
	 * slow) through a page */
	static const size_t small[] = {1, 7, 64}, big[] = {4096};
	struct stat st;
	char *whole = read_whole(path, fmt), *auto_whole;
	const size_t *windows;
	size_t i, n;
	assert_int_equal(stat(path, &st), 0);
	windows = st.st_size < 65536 ? small : big;
	n = st.st_size < 65536 ? 3 : 1;
	same_texts(path, "by name", whole, read_file(path, fmt));
	/* the readers on their own do not refuse empty input, as
	 * perfdb_ingest_buffer and perfdb_ingest_file do */
	if (!strstr(whole, ": empty input\n"))
		for (i = 0; i < n; i++)
			same_texts(path, "through a window", whole,
				   read_window(path, fmt, windows[i]));
	auto_whole = read_whole(path, PERFDB_FORMAT_AUTO);
	same_texts(path, "by name, any format", auto_whole, read_file(path, PERFDB_FORMAT_AUTO));
	free(auto_whole);
	free(whole);
}

static inline void same_csv(const char *path)
{
	same_as(path, PERFDB_FORMAT_CSV);
}

/* Go text, -json, libtest text and JSON: the file at path as each. */
static inline void same_lines(const char *path)
{
	same_as(path, PERFDB_FORMAT_GO);
	same_as(path, PERFDB_FORMAT_GO_JSON);
	same_as(path, PERFDB_FORMAT_LIBTEST);
	same_as(path, PERFDB_FORMAT_LIBTEST_JSON);
}

/* What a sink sees (perfdb_resultset_set_sink): batches, and the heap in
 * use meanwhile (glibc's allocator; 0 under a sanitizer's). */
typedef struct sink_seen {
	size_t batches, results;
	size_t most_in_use;   /* heap bytes in use at a batch, the most */
	const char *truncate; /* a file to cut to 10 bytes at the first batch */
} sink_seen;

/* Heap bytes in use now (glibc's allocator; 0 elsewhere, or under a
 * sanitizer's). */
static inline size_t heap_in_use(void)
{
#ifdef __GLIBC__
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd;
#else
	return 0;
#endif
}

static inline int sink_seen_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	sink_seen *s = ctx;
	size_t in_use = heap_in_use();
	if (event != PERFDB_SINK_WRITE)
		return 0;
	s->batches++;
	s->results += perfdb_resultset_count(rs);
	if (in_use > s->most_in_use)
		s->most_in_use = in_use;
	if (s->truncate && s->batches == 1)
		assert_int_equal(truncate(s->truncate, 10), 0);
	return 0;
}

/* The file at path (len bytes, n one-row results of source) read by name
 * into a resultset with a sink of batches of 1,000: every result goes to
 * the sink as it is read, and the heap in use at a batch stays under half
 * the file (read whole, the file and more was held). */
static inline void expect_read_to_sink(const char *path, size_t len, size_t n, const char *source)
{
	sink_seen seen = {0, 0, 0, NULL};
	perfdb_resultset *rs;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_resultset_set_sink(rs, sink_seen_batch, &seen, 1000);
	assert_int_equal(perfdb_ingest_file(rs, path, PERFDB_FORMAT_AUTO), 0);
	assert_int_equal(seen.batches, n / 1000);
	assert_int_equal(seen.results + perfdb_resultset_count(rs), n);
	assert_int_equal(perfdb_resultset_written(rs), n);
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_SOURCE), source);
	print_message("%s: heap in use at a batch: %zu bytes, the file %zu\n", source,
		      seen.most_in_use, len);
	if (seen.most_in_use) /* glibc's allocator (not a sanitizer's) */
		assert_true(seen.most_in_use < len / 2);
	perfdb_resultset_free(rs);
}

#endif
