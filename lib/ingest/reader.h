/*
 * Library-internal: small pieces the perfdb-native and CSV readers share.
 *
 *  - perfdb_ingest__number: a strict decimal number parser. Text formats must
 *    not turn "12abc", "", "nan" or "0x10" into a number, and the result must
 *    not depend on the process locale (a CLI that calls setlocale() would
 *    otherwise read "1.5" as 1 in a German locale).
 *  - perfdb_ingest_index: a hash index from (benchmark, metric) to a number,
 *    used to find duplicate results (native) and to group repeated rows into
 *    one result (CSV) in linear time.
 */
#ifndef PERFDB_INGEST_READER_H
#define PERFDB_INGEST_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb/resultset.h"

/*
 * Parses the NUL-terminated text s, all of it, as a decimal number:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
 * No white space, no hexadecimal, no nan/inf. Returns 0 and sets *out, or
 * -1 when the text is not such a number, or -2 when it is one but does not
 * fit a double (1e999). Sets no error: callers name the position.
 */
int perfdb_ingest__number(const char *s, double *out);

/* The number of characters (UTF-8 code points) in len bytes of s: columns in
 * error messages count characters, as jansson's and libyaml's do. */
int perfdb_ingest__columns(const char *s, size_t len);

/*
 * A short, printable excerpt of text from an input file, for an error
 * message: at most 32 characters, control characters (C0, DEL and C1, which
 * a terminal would act on) written as \xNN, and "…" when cut. A hostile
 * file must neither flood the terminal nor drive it. buf holds
 * PERFDB_INGEST_EXCERPT bytes; returns buf.
 */
#define PERFDB_INGEST_EXCERPT (32 * 8 + 3 + 1) /* an escaped C1 control takes 8 bytes */
const char *perfdb_ingest__excerpt(char *buf, const char *s);

/* src into dst (cap bytes, NUL-terminated, cut where it does not fit) with
 * control characters written as \xNN, as in an excerpt: for a message that
 * quotes file text in several places. */
void perfdb_ingest__escape(char *dst, size_t cap, const char *src);

/*
 * Whether every number of r (value, statistics, samples) stays finite once
 * scaled to its canonical unit (1e300 s is finite, but not in ns). Readers
 * check this to name the position; the resultset would otherwise store inf.
 */
bool perfdb_ingest__fits_unit(const perfdb_result *r);

/* Makes the array *p of *cap elements of `size` bytes hold at least `need`
 * (doubling): 0, or PERFDB_ENOMEM (set) with *p unchanged. */
int perfdb_ingest__grow(void **p, size_t *cap, size_t need, size_t size);

/* (benchmark, metric) -> value. Keys are borrowed: they must outlive the index. */
typedef struct perfdb_ingest_index {
	struct perfdb_ingest_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t count;
} perfdb_ingest_index;

#define PERFDB_INGEST_INDEX_INIT                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/*
 * Looks (benchmark, metric) up. When present returns 1 and sets *found to its
 * value; when absent adds it with `value` and returns 0. PERFDB_ENOMEM (set)
 * when the index cannot grow.
 */
int perfdb_ingest__index_add(perfdb_ingest_index *idx, const char *benchmark, const char *metric,
			     size_t value, size_t *found);

/* Looks (benchmark, metric) up without adding it: 1 with *found set, or 0. */
int perfdb_ingest__index_find(const perfdb_ingest_index *idx, const char *benchmark,
			      const char *metric, size_t *found);

/* Frees the index's table (not the keys). */
void perfdb_ingest__index_release(perfdb_ingest_index *idx);

#endif
