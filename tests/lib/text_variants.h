/*
 * The line-oriented readers that get their input whole and hand results on
 * as they make them (nanobench's console table and CSV, Catch2's console
 * output): a file read into a resultset without a sink (everything merged at
 * the end) against the same file read with its results handed to a sink one
 * and three at a time (sink_collect.h), as one text each (resultset_text.h),
 * which must be the same byte for byte; and the same for the file cut at the
 * start and in the middle of each of its lines, and with each line repeated
 * (a duplicate, or a truncated table). Include after <cmocka.h>,
 * ingest_expect.h, resultset_text.h, ingest_same.h and sink_collect.h.
 */
#ifndef PERFDB_TESTS_TEXT_VARIANTS_H
#define PERFDB_TESTS_TEXT_VARIANTS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/reader.h"
#include "sanitized.h"

/* The bytes at path read whole (no sink) and as made: the same text. */
static inline void same_as_made(const char *path, perfdb_format fmt)
{
	static const size_t batches[] = {1, 3};
	sink_collect c;
	char *whole = sink_collect_read(&c, path, fmt, 0);
	size_t i;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
		same_texts(path, "as made", whole, sink_collect_read(&c, path, fmt, batches[i]));
	free(whole);
}

/* body (len bytes) as a file of its own, read both ways. */
static inline void same_as_made_text(const char *body, size_t len, perfdb_format fmt)
{
	char path[] = "/tmp/perfdb-variant-XXXXXX";
	write_temp(path, body, len);
	same_as_made(path, fmt);
	unlink(path);
}

/* Whether line k (0-based) of a file of n lines gets its variants: every
 * line of a file of up to 300, else the first and last 100 and every 17th
 * between (a variant reads the whole file: a corpus history of 2,000 lines
 * took 44 s, ten minutes under the sanitizers). Under the sanitizers
 * (sanitized.h), a longer file's a third as many: the first and last 33
 * and every 51st. (Tests count the variants of tests/data's files, all
 * shorter.) */
static inline bool variant_line(size_t k, size_t n)
{
	size_t ends = PERFDB_TEST_SANITIZED ? 33 : 100, every = PERFDB_TEST_SANITIZED ? 51 : 17;
	return n <= 300 || k < ends || k + ends >= n || k % every == 0;
}

/* each(body, len, fmt) for the file at path and for its variants: cut at
 * the start and in the middle of every line, and every line written twice
 * (of a long file, the lines variant_line picks). Returns how many of the
 * variants perfdb_ingest_buffer reads without an error. */
static inline size_t each_variant(const char *path, perfdb_format fmt,
				  void (*each)(const char *body, size_t len, perfdb_format fmt))
{
	size_t len, start, ok = 0, k = 0, lines;
	char *data = slurp_file(path, &len), *twice = malloc(len * 2 + 1);
	assert_non_null(twice);
	lines = perfdb_ingest__newlines(data, len) + 1;
	each(data, len, fmt);
	for (start = 0; start <= len; k++) {
		const char *nl = memchr(data + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - data) + 1 : len;
		perfdb_resultset *rs;
		if (!variant_line(k, lines)) {
			if (end == len)
				break;
			start = end;
			continue;
		}
		each(data, start, fmt);
		each(data, start + (end - start) / 2, fmt);
		/* the line [start, end) twice */
		memcpy(twice, data, end);
		memcpy(twice + end, data + start, end - start);
		memcpy(twice + end + (end - start), data + end, len - end);
		each(twice, len + (end - start), fmt);
		assert_int_equal(perfdb_resultset_new(&rs), 0);
		ok += perfdb_ingest_buffer(rs, twice, len + (end - start), "v", fmt) == 0;
		perfdb_resultset_free(rs);
		if (end == len)
			break;
		start = end;
	}
	free(twice);
	free(data);
	return ok;
}

/* A reader reading body two ways into rs (held: main's way, holding what a
 * big file has many of; or not): its return code. */
typedef int (*two_ways_read)(perfdb_resultset *rs, const char *body, size_t len, perfdb_format fmt,
			     bool held);

/* body (len bytes) read held with no sink, and not held with no sink and
 * with a sink of one and three results at a time (sink_collect.h): the same
 * text (`how` names the second way in a failure's message). */
static inline void same_two_ways(two_ways_read read, const char *how, const char *body, size_t len,
				 perfdb_format fmt)
{
	static const size_t batches[] = {0, 0, 1, 3};
	char *held = NULL;
	size_t i;
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		sink_collect c;
		perfdb_resultset *rs = sink_collect_begin(&c, batches[i]);
		char *text = sink_collect_end(&c, rs, read(rs, body, len, fmt, i == 0));
		if (i == 0)
			held = text;
		else
			same_texts("v", how, held, text);
	}
	free(held);
}

/* The file at path and its variants (each_variant), each read both ways.
 * Returns how many of the variants were read without an error (whole). */
static inline size_t same_as_made_variants(const char *path, perfdb_format fmt)
{
	return each_variant(path, fmt, same_as_made_text);
}

#endif
