/* Library-internal: the readers behind perfdb/ingest.h. Each parses the whole
 * buffer into a private resultset and merges it into rs only on success. */
#ifndef PERFDB_INGEST_INTERNAL_H
#define PERFDB_INGEST_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>

#include "perfdb/ingest.h"

int perfdb_ingest__gbench(perfdb_resultset *rs, const char *data, size_t len, const char *name);
/* The same two readers on a file read an item at a time (json_stream.h):
 * also PERFDB_JSON__FALLBACK, when the file must be read whole instead. */
struct perfdb_json_stream;
int perfdb_ingest__gbench_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__native_json_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__pytest_benchmark_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__hyperfine_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__benchmarkdotnet_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__nanobench_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__jmh_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
int perfdb_ingest__bmf_stream(perfdb_resultset *rs, struct perfdb_json_stream *stream);
/* The formats read an item at a time (detect.c): the key of the array that
 * is their bulk (static), or NULL; and the reader of a stream of it. */
const char *perfdb_ingest__stream_key(perfdb_format fmt);
int perfdb_ingest__stream_read(perfdb_resultset *rs, perfdb_format fmt,
			       struct perfdb_json_stream *s);
int perfdb_ingest__hyperfine(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__native_json(perfdb_resultset *rs, const char *data, size_t len,
			       const char *name);
int perfdb_ingest__native_yaml(perfdb_resultset *rs, const char *data, size_t len,
			       const char *name);
/* The same with every item of a sequence a libyaml node, none packed (the
 * way before, to compare with: tests and the fuzz target). */
int perfdb_ingest__native_yaml_nodes(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name);
/* The native YAML reader on `size` bytes of the regular file fd from offset
 * `from`, never held whole: libyaml reads it through a window of `window`
 * bytes (0: the default) once for each pass, and again up to an item an
 * error names (lib/ingest/README.md, "Big files"); fd is not closed. What it
 * reads and every message are perfdb_ingest__native_yaml's on the same
 * bytes; PERFDB_EIO when a read fails or the file changes while it is read. */
int perfdb_ingest__native_yaml_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
				    const char *name, size_t window);
int perfdb_ingest__csv(perfdb_resultset *rs, const char *data, size_t len, const char *name);
/* The CSV reader on `size` bytes of the regular file fd from offset `from`
 * (read with pread, never whole: a window of `window` bytes, 0 for the
 * default, that grows to hold the longest field; fd is not closed). Reads
 * and errors as perfdb_ingest__csv on the same bytes, in memory that follows
 * the keys that repeat, not the rows (lib/ingest/README.md); and
 * PERFDB_EIO when the file changes while it is read. */
int perfdb_ingest__csv_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			    const char *name, size_t window);
int perfdb_ingest__catch2(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__pytest_benchmark(perfdb_resultset *rs, const char *data, size_t len,
				    const char *name);
int perfdb_ingest__libtest(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__libtest_json(perfdb_resultset *rs, const char *data, size_t len,
				const char *name);
int perfdb_ingest__bmf(perfdb_resultset *rs, const char *data, size_t len, const char *name);
/* A directory of criterion results (target/criterion or below): see criterion.c. */
int perfdb_ingest__criterion_dir(perfdb_resultset *rs, const char *dir);
int perfdb_ingest__jmh(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__benchmarkdotnet(perfdb_resultset *rs, const char *data, size_t len,
				   const char *name);
int perfdb_ingest__nanobench(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__nanobench_console(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name);
int perfdb_ingest__criterion_console(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name);
int perfdb_ingest__nanobench_csv(perfdb_resultset *rs, const char *data, size_t len,
				 const char *name);
int perfdb_ingest__gotest(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__gotest_json(perfdb_resultset *rs, const char *data, size_t len,
			       const char *name);
/* The Go and libtest readers (json: go test -json, libtest --format json) on
 * `size` bytes of the regular file fd from offset `from`, read a line at a
 * time through a window of `window` bytes (0: the default; it grows to hold
 * the longest line) in three passes (lib/ingest/README.md, "Big files"), as
 * perfdb_ingest__csv_file reads CSV: what they read and every message are
 * those of the readers above on the same bytes. PERFDB_EIO when the file
 * changes while it is read. */
int perfdb_ingest__gotest_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t window, bool json);
int perfdb_ingest__libtest_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
				const char *name, size_t window, bool json);
/* Go (json: -json) or libtest (json: --format json) from a buffer as above,
 * keeping the name of every benchmark that failed (keep_failed: the reading
 * before, which the tests compare with) or only of those whose fingerprint
 * is seen on another line too (a result, another status). */
int perfdb_ingest__gotest_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			     bool json, bool keep_failed);
int perfdb_ingest__libtest_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			      bool json, bool keep_failed);
/* Load tools (lib/ingest/README.md, "Load-test input"). */
int perfdb_ingest__wrk(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__ab(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__hey(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__k6(perfdb_resultset *rs, const char *data, size_t len, const char *name);
int perfdb_ingest__locust(perfdb_resultset *rs, const char *data, size_t len, const char *name);
/* How Locust's history is read (lib/ingest/locust.c): in passes; with every
 * request held to the end (the reading before the passes, which the tests
 * compare with); in passes with a hash of the names of 2 bits, so that the
 * rows of names of one hash are told apart (tests). */
enum { PERFDB_LOCUST_PASSES, PERFDB_LOCUST_HOLD_ALL, PERFDB_LOCUST_WEAK_HASH };
/* Locust as perfdb_ingest__locust, read as `how`. */
int perfdb_ingest__locust_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			     int how);
/* Locust on `size` bytes of the regular file fd from offset `from`, read
 * through a window of `window` bytes (0: the default; it grows to hold the
 * longest line), never whole: what it reads and every message are those of
 * perfdb_ingest__locust_as on the same bytes; PERFDB_EIO when the file
 * changes while it is read. fd is not closed. */
int perfdb_ingest__locust_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t window, int how);
int perfdb_ingest__vegeta(perfdb_resultset *rs, const char *data, size_t len, const char *name);

#endif
