/*
 * libFuzzer target, differential: a named JSON file of a format read an item
 * at a time (PERFDB_FUZZ_FORMAT: Google Benchmark, perfdb native, pytest-
 * benchmark, hyperfine, BenchmarkDotNet, nanobench, JMH) is read an item at a time
 * (lib/ingest/json_stream.c), the same bytes in a buffer are read whole; the
 * two must give the same results, warnings, context and metadata, or the
 * same error, byte for byte. A syntax error in the file is named by the
 * whole-file parser's syntax-only mode (perfdb_jdoc_check, no tree), which is
 * also compared with the parser on the bytes directly. A named CSV file
 * (PERFDB_FORMAT_CSV) is read through a window (lib/ingest/csv.c), by
 * perfdb_ingest_file and by the reader itself through a window of 1 to 16
 * bytes, so that every join of fields, quotes and line ends with a refill
 * is tried. A named Go or libtest file (text or JSON lines: PERFDB_FORMAT_GO,
 * _GO_JSON, _LIBTEST, _LIBTEST_JSON) is read a line at a time through a
 * window (gotest.c, libtest.c) in three passes, the same way: by
 * perfdb_ingest_file and by the reader itself through a window of 1 to 16
 * bytes; and a Locust file (PERFDB_FORMAT_LOCUST: lib/ingest/locust.c, its
 * passes, a history's rows read again through a second window). A BMF file
 * (PERFDB_FORMAT_BMF) is read a member of the top-level
 * object at a time; the BMF reader is also given the file's members cut
 * into pieces of 1 to 16 bytes (json_stream.h), so that every member of a
 * benchmark starts a piece somewhere, and a repeated key across pieces is
 * named: the same text, or the fallback for a file whose syntax the
 * whole-file check is to name. The input goes to one temporary file,
 * rewritten for each run and removed at exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfdb.h"
#include "ingest/ingest.h"
#include "ingest/json_parse.h"
#include "ingest/json_stream.h"
#include "../lib/resultset_text.h"

#ifndef PERFDB_FUZZ_FORMAT
#define PERFDB_FUZZ_FORMAT PERFDB_FORMAT_GBENCH
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void remove_file(void)
{
	unlink(path);
}

/* The input in the temporary file; 0 when it could not be written. */
static int put(const uint8_t *data, size_t size)
{
	size_t done = 0;
	if (fd < 0) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/perfdb-fuzz-stream.XXXXXX", dir ? dir : "/tmp");
		if ((fd = mkstemp(path)) < 0)
			return 0;
		atexit(remove_file);
	}
	if (ftruncate(fd, 0) != 0)
		return 0;
	while (done < size) {
		ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			return 0;
		done += (size_t)n;
	}
	return 1;
}

static char *read_as_text(const uint8_t *data, size_t size, int as_file)
{
	perfdb_resultset *rs;
	char *text;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	rc = as_file ? perfdb_ingest_file(rs, path, PERFDB_FUZZ_FORMAT)
		     : perfdb_ingest_buffer(rs, (const char *)data, size, path, PERFDB_FUZZ_FORMAT);
	if (rc != 0 && perfdb_resultset_count(rs) != 0)
		abort(); /* a failed read must leave rs unchanged */
	text = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return text;
}

/* The syntax-only mode must answer as the parser does, position and words. */
static void check_as_parse(const uint8_t *data, size_t size)
{
	perfdb_jerror parsed, checked;
	perfdb_jdoc *doc;
	char *text = malloc(size + PERFDB_JPARSE_PADDING);
	int a, b;
	if (!text)
		abort();
	memcpy(text, data, size);
	memset(text + size, 0, PERFDB_JPARSE_PADDING);
	memset(&parsed, 0, sizeof(parsed));
	memset(&checked, 0, sizeof(checked));
	a = perfdb_jdoc_parse(&doc, (const char *)data, size, &parsed);
	perfdb_jdoc_free(doc);
	b = perfdb_jdoc_check(text, size, &checked);
	free(text);
	if (a != b || (a == PERFDB_JPARSE_SYNTAX &&
		       (parsed.line != checked.line || parsed.column != checked.column ||
			strcmp(parsed.message, checked.message) != 0))) {
		fprintf(stderr, "parse: %d %d:%d %s\ncheck: %d %d:%d %s\n", a, parsed.line,
			parsed.column, parsed.message, b, checked.line, checked.column,
			checked.message);
		abort();
	}
}

#define LINES_FORMAT                                                                               \
	(PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_GO || PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_GO_JSON ||  \
	 PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_LIBTEST ||                                            \
	 PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_LIBTEST_JSON ||                                       \
	 PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_LOCUST)

/* The CSV, Go, libtest or Locust reader itself on the file through a small window
 * (which grows to hold a field or a line), as text; NULL for the inputs
 * perfdb_ingest_buffer refuses before any reader (empty input). */
static char *read_through_window(size_t size, const char *whole)
{
	perfdb_resultset *rs;
	char *text;
	int rc;
	if (strstr(whole, ": empty input\n"))
		return NULL;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	switch (PERFDB_FUZZ_FORMAT) {
	case PERFDB_FORMAT_GO:
	case PERFDB_FORMAT_GO_JSON:
		rc = perfdb_ingest__gotest_file(rs, fd, 0, size, path, 1 + size % 16,
						PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_GO_JSON);
		break;
	case PERFDB_FORMAT_LIBTEST:
	case PERFDB_FORMAT_LIBTEST_JSON:
		rc = perfdb_ingest__libtest_file(rs, fd, 0, size, path, 1 + size % 16,
						 PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_LIBTEST_JSON);
		break;
	case PERFDB_FORMAT_LOCUST:
		rc = perfdb_ingest__locust_file(rs, fd, 0, size, path, 1 + size % 16,
						PERFDB_LOCUST_PASSES);
		break;
	default: rc = perfdb_ingest__csv_file(rs, fd, 0, size, path, 1 + size % 16);
	}
	text = resultset_text(rc, rs);
	perfdb_resultset_free(rs);
	return text;
}

/* The BMF reader on the file's members in pieces of 1 to 16 bytes (1 + the
 * input's size mod 16), as text; NULL for the fallback, which only a syntax
 * error or a document that is no object may give. */
static char *read_in_pieces(size_t size, const char *whole)
{
	perfdb_json_stream *s = NULL;
	perfdb_resultset *rs;
	char *text;
	int rc;
	if (perfdb_resultset_new(&rs) != 0)
		abort();
	rc = perfdb_json__stream_open_members(&s, fd, path, PERFDB_INGEST_MAX_INPUT, 1 + size % 16);
	if (!rc)
		rc = perfdb_ingest__bmf_stream(rs, s);
	text = rc == PERFDB_JSON__FALLBACK ? NULL : resultset_text(rc, rs);
	perfdb_json__stream_close(s);
	perfdb_resultset_free(rs);
	if (!text && !strstr(whole, ": invalid JSON: ") && !strstr(whole, ": empty input\n") &&
	    !strstr(whole, "expected an object of benchmarks")) {
		fprintf(stderr, "in pieces: the fallback\nwhole:\n%s\n", whole);
		abort();
	}
	return text;
}

static void same(const char *how, char *text, const char *whole)
{
	if (text && strcmp(text, whole) != 0) {
		fprintf(stderr, "%s:\n%s\nwhole:\n%s\n", how, text, whole);
		abort();
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole;
	if (PERFDB_FUZZ_FORMAT != PERFDB_FORMAT_CSV && !LINES_FORMAT)
		check_as_parse(data, size);
	if (!put(data, size))
		return 0;
	whole = read_as_text(data, size, 0);
	same("by name", read_as_text(data, size, 1), whole);
	if (PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_CSV || LINES_FORMAT)
		same("through a small window", read_through_window(size, whole), whole);
	if (PERFDB_FUZZ_FORMAT == PERFDB_FORMAT_BMF)
		same("in pieces", read_in_pieces(size, whole), whole);
	free(whole);
	return 0;
}
