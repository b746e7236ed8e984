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
#include <stdint.h>

#include "core/resultset_internal.h"
#include "perfdb/resultset.h"

/*
 * Parses the NUL-terminated text s, all of it, as a decimal number:
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?
 * No white space, no hexadecimal, no nan/inf. Returns 0 and sets *out, or
 * -1 when the text is not such a number, or -2 when it is one but does not
 * fit a double (1e999). Sets no error: callers name the position.
 */
int perfdb_ingest__number(const char *s, double *out);

/*
 * An error of the resultset (perfdb_resultset_add refusing a name longer
 * than PERFDB_NAME_MAX, a number out of range once scaled, a tag or context
 * value it does not take) names no input. Readers pass every such call's
 * error through here with the best place they have: a PERFDB_EINVAL that
 * names no file and no line is raised again, same message, as the input
 * error PERFDB_EINPUT "NAME:LINE:COL: ..." (line or column 0: left out, as
 * perfdb_error__input does) and that is returned; any other error, or one
 * already placed, is returned as it is. Only on the error path: callers write
 * `if ((err = perfdb_resultset_add(rs, &r))) return perfdb_ingest__placed(...)`.
 */
int perfdb_ingest__placed(int err, const char *name, int line, int column);

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

/* Whether a number of magnitude at most maxabs stays finite once scaled to
 * unit's canonical unit: for samples not held (r->samples NULL, which
 * perfdb_ingest__fits_unit then leaves to this). */
bool perfdb_ingest__fits_unit_max(const char *unit, double maxabs);

/*
 * One pass over the samples src reads (perfdb_resultset__add_unheld): the
 * index of the first that is not a finite number of at least min (SIZE_MAX
 * when none), and the largest magnitude of those before it in *maxabs.
 */
size_t perfdb_ingest__scan_unheld(const perfdb_unheld *src, double min, double *maxabs);

/* A NUL-terminated copy of n bytes at s (malloc'd), or NULL. */
char *perfdb_ingest__dup_n(const char *s, size_t n);

/* The line feeds in n bytes at s. */
size_t perfdb_ingest__newlines(const char *s, size_t n);

/* Makes the array *p of *cap elements of `size` bytes hold at least `need`
 * (doubling): 0, or PERFDB_ENOMEM (set) with *p unchanged. */
int perfdb_ingest__grow(void **p, size_t *cap, size_t need, size_t size);

/* The hash of (a, b), as the indexes below use it: 64 well-mixed bits. */
uint64_t perfdb_ingest__hash_pair(const char *a, const char *b);

/* (benchmark, metric) -> value. Keys are borrowed: they must outlive the index. */
typedef struct perfdb_ingest_index {
	struct perfdb_ingest_entry *entries; /* in the order added */
	size_t count, capentries;
	uint64_t *slots; /* hash's top half, entry number + 1; 0 when empty */
	size_t cap;	 /* slots: a power of two, or 0 */
} perfdb_ingest_index;

#define PERFDB_INGEST_INDEX_INIT                                                                   \
	{                                                                                          \
		NULL, 0, 0, NULL, 0                                                                \
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

/*
 * (benchmark, metric) -> position, for the results of one resultset: the
 * keys are the resultset's own, so the index is 8 bytes a result (a native
 * file of ten million tiny results would otherwise hold a second index as
 * big as the results).
 */
typedef struct perfdb_ingest_result_index {
	uint64_t *slots;
	size_t cap, count;
} perfdb_ingest_result_index;

/* The position in rs of the result (benchmark, metric): 1 with *found set, or 0. */
int perfdb_ingest__result_index_find(const perfdb_ingest_result_index *idx,
				     const perfdb_resultset *rs, const char *benchmark,
				     const char *metric, size_t *found);
/* Adds result i of rs: 0, 1 when its pair was there already, PERFDB_ENOMEM
 * (set). rs must be the same resultset at every call. */
int perfdb_ingest__result_index_add(perfdb_ingest_result_index *idx, const perfdb_resultset *rs,
				    size_t i);
void perfdb_ingest__result_index_release(perfdb_ingest_result_index *idx);
/* Empties idx, keeping its table for as many results again. */
void perfdb_ingest__result_index_clear(perfdb_ingest_result_index *idx);

/* A set of owned names, each under a kind (a static string: "", "skip"), such
 * as the benchmarks a file says failed. */
typedef struct perfdb_ingest_nameset {
	char **names;
	size_t count, cap;
	perfdb_ingest_index index;
} perfdb_ingest_nameset;

/*
 * What the line-oriented harness readers (go, libtest) keep of the
 * benchmarks that repeat until they make results: one series per
 * (benchmark, metric), in the order first seen, with its values
 * (repetitions) in file order. Compact, since `go test -count=2` keeps
 * every benchmark: 32 bytes a series with its first two values, a
 * benchmark's name once (no allocation of its own) and 12 bytes.
 */
typedef struct perfdb_ingest_series {
	union {
		double inline_[2]; /* the values while there are at most two ... */
		struct {
			double unused;
			double *heap; /* ... then all of them (owned; room for a power of two) */
		} h;
	} v;
	uint32_t metric, unit; /* in the set's strings */
	uint32_t next;	       /* the benchmark's next series in the set, or UINT32_MAX */
	unsigned n : 31;       /* values */
	unsigned bad : 1;      /* a reader's mark: a bad value was warned about */
} perfdb_ingest_series;

/* A benchmark of a series set: its name and its series, chained. */
typedef struct perfdb_ingest_series_bench {
	uint32_t name;	    /* offset of its NUL-terminated name in the set's names */
	uint32_t head, cur; /* its series: the first, the last found (UINT32_MAX: none) */
} perfdb_ingest_series_bench;

#define PERFDB_INGEST_RECENT 8

/* A result line names one benchmark and gives a few metrics, most often in
 * the order its earlier lines gave them: a series is found by its benchmark
 * (one lookup per line, none when the line repeats the previous benchmark)
 * and then from the one found last. */
typedef struct perfdb_ingest_series_set {
	perfdb_ingest_series *items;
	size_t count, cap;
	perfdb_ingest_series_bench *benches;
	size_t nbenches, capbenches;
	uint32_t *slots; /* benchmarks by name: bench + 1, 0 when empty */
	size_t nslots;	 /* a power of two, or 0 */
	char *names;	 /* the benchmarks' names */
	size_t namelen, namecap;
	perfdb_ingest_nameset strings;	       /* metric and unit names, one copy each */
	uint32_t recent[PERFDB_INGEST_RECENT]; /* of strings + 1, the last used */
	unsigned next_recent;		       /* the next to replace */
	size_t recent_hit;		       /* the last found */
	size_t last;			       /* 1 + the bench of the last lookup, or 0 */
} perfdb_ingest_series_set;

/* The series (benchmark, metric) of set (NUL-terminated names), added with
 * unit when new; *out is valid until the next call. PERFDB_ENOMEM. */
int perfdb_ingest__series_get(perfdb_ingest_series_set *set, const char *benchmark,
			      const char *metric, const char *unit, perfdb_ingest_series **out);
/* The number of the series (benchmark, metric) of set, found as
 * perfdb_ingest__series_get finds it but never added: 1 with *out set, or 0. */
int perfdb_ingest__series_find(perfdb_ingest_series_set *set, const char *benchmark,
			       const char *metric, size_t *out);
/* Whether benchmark (NUL-terminated) has a series in set. */
bool perfdb_ingest__series_has(perfdb_ingest_series_set *set, const char *benchmark);
/* The metric and unit of s, a series of set. */
const char *perfdb_ingest__series_metric(const perfdb_ingest_series_set *set,
					 const perfdb_ingest_series *s);
const char *perfdb_ingest__series_unit(const perfdb_ingest_series_set *set,
				       const perfdb_ingest_series *s);
/* The values of s in file order (s->n of them); valid until s changes. */
const double *perfdb_ingest__series_values(const perfdb_ingest_series *s);
/* Frees s's values once its result is made (s->n stays; the values not). */
void perfdb_ingest__series_drop_values(perfdb_ingest_series *s);
/* Appends v to s's values. PERFDB_ENOMEM. */
int perfdb_ingest__series_push(perfdb_ingest_series *s, double v);
void perfdb_ingest__series_release(perfdb_ingest_series_set *set);

/* Adds (name: n bytes, kind): 1 when it is new, 0 when it was there, or
 * PERFDB_ENOMEM. */
int perfdb_ingest__nameset_add(perfdb_ingest_nameset *set, const char *name, size_t n,
			       const char *kind);
/* Whether (name, kind) is in set. */
bool perfdb_ingest__nameset_has(const perfdb_ingest_nameset *set, const char *name,
				const char *kind);
void perfdb_ingest__nameset_release(perfdb_ingest_nameset *set);

#endif
