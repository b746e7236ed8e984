/*
 * Helpers shared by the ingest tests (test_ingest_*.c): include after
 * <cmocka.h>.
 *
 * Every failing-input check goes through expect_input_error, which also
 * proves the reader left a non-empty resultset exactly as it was.
 */
#ifndef PERFDB_TEST_INGEST_EXPECT_H
#define PERFDB_TEST_INGEST_EXPECT_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"

/* cmocka 1.1.5 has no assert_double_equal. */
static inline void assert_near_(double got, double want, double eps, const char *file, int line)
{
	if (!(fabs(got - want) <= eps)) {
		print_error("%.17g != %.17g (within %g)\n", got, want, eps);
		_fail(file, line);
	}
}
#define assert_near(got, want, eps) assert_near_((got), (want), (eps), __FILE__, __LINE__)

/* Line and column (1-based) of the character at p in text. */
static inline void line_col_at(const char *text, const char *p, int *line, int *column)
{
	const char *q;
	*line = 1;
	*column = 1;
	for (q = text; q < p; q++) {
		if (*q == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

/* Line and column of the first occurrence of needle in text. */
static inline void position_of(const char *text, const char *needle, int *line, int *column)
{
	const char *p = strstr(text, needle);
	assert_non_null(p);
	line_col_at(text, p, line, column);
}

/* A resultset that already holds one result, metadata, a tag and a context entry. */
static inline perfdb_resultset *guarded_new(void)
{
	perfdb_resultset *rs;
	perfdb_result r;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	perfdb_result_init(&r);
	r.benchmark = "before";
	r.value = 1.0;
	assert_int_equal(perfdb_resultset_add(rs, &r), 0);
	assert_int_equal(perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, "c0ffee"), 0);
	assert_int_equal(perfdb_resultset_set_tag(rs, "k", "v"), 0);
	assert_int_equal(perfdb_resultset_set_context(rs, "cpu", "x"), 0);
	return rs;
}

static inline void assert_guarded_unchanged(const perfdb_resultset *rs)
{
	int m;
	assert_int_equal(perfdb_resultset_count(rs), 1);
	assert_string_equal(perfdb_resultset_get(rs, 0)->benchmark, "before");
	assert_string_equal(perfdb_resultset_meta(rs, PERFDB_META_COMMIT), "c0ffee");
	for (m = 0; m < PERFDB_META_COUNT_; m++)
		if (m != PERFDB_META_COMMIT)
			assert_null(perfdb_resultset_meta(rs, (perfdb_meta)m));
	assert_int_equal(perfdb_resultset_tag_count(rs), 1);
	assert_int_equal(perfdb_resultset_context_count(rs), 1);
	assert_int_equal(perfdb_resultset_warning_count(rs), 0);
}

/*
 * Ingests text as `name` in format fmt and expects failure with code, line,
 * column and field (NULL: no field) and a message containing part.
 */
static inline void expect_input_error(const char *text, perfdb_format fmt, const char *name,
				      int code, int line, int column, const char *field,
				      const char *part)
{
	perfdb_resultset *rs = guarded_new();
	const perfdb_error *e;
	int rc = perfdb_ingest_buffer(rs, text, strlen(text), name, fmt);

	e = perfdb_error_last();
	if (rc != code || e->line != line || e->column != column ||
	    strcmp(e->field, field ? field : "") != 0 || !strstr(e->message, part))
		print_message("input:\n%s\n-> rc %d, %d:%d field '%s': %s\n", text, rc, e->line,
			      e->column, e->field, e->message);
	assert_int_equal(rc, code);
	assert_int_equal(e->code, code);
	assert_string_equal(e->file, name);
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, column);
	assert_string_equal(e->field, field ? field : "");
	assert_non_null(strstr(e->message, part));
	assert_guarded_unchanged(rs);
	perfdb_resultset_free(rs);
}

/* Ingests text that must be valid; returns a new resultset. */
static inline perfdb_resultset *ingest_ok(const char *text, perfdb_format fmt)
{
	perfdb_resultset *rs;
	int rc;
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	rc = perfdb_ingest_buffer(rs, text, strlen(text), "ok", fmt);
	if (rc)
		print_message("input:\n%s\n-> %s\n", text, perfdb_error_last()->message);
	assert_int_equal(rc, 0);
	return rs;
}

/* The first result named benchmark/metric, or a test failure. */
static inline const perfdb_result *find_result(const perfdb_resultset *rs, const char *benchmark,
					       const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, benchmark) == 0 && strcmp(r->metric, metric) == 0)
			return r;
	}
	print_message("no result %s/%s\n", benchmark, metric);
	fail();
	return NULL;
}

static inline const char *tag_value(const perfdb_resultset *rs, const char *key, bool context)
{
	size_t i, n = context ? perfdb_resultset_context_count(rs) : perfdb_resultset_tag_count(rs);
	for (i = 0; i < n; i++) {
		const char *k, *v;
		if (context)
			perfdb_resultset_context(rs, i, &k, &v);
		else
			perfdb_resultset_tag(rs, i, &k, &v);
		if (strcmp(k, key) == 0)
			return v;
	}
	return NULL;
}

/* A whole file, NUL-terminated; *len its size. */
static inline char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The first result named benchmark/metric, or NULL (absence is often what
 * a test asserts; find_result fails instead). */
static inline const perfdb_result *lookup_result(const perfdb_resultset *rs, const char *benchmark,
						 const char *metric)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if (strcmp(r->benchmark, benchmark) == 0 && strcmp(r->metric, metric) == 0)
			return r;
	}
	return NULL;
}

/* Is there a warning holding a (and b, when not NULL)? */
static inline bool has_warning(const perfdb_resultset *rs, const char *a, const char *b)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_warning_count(rs); i++) {
		const char *w = perfdb_resultset_warning(rs, i);
		if (strstr(w, a) && (!b || strstr(w, b)))
			return true;
	}
	return false;
}

/* A file read by one reader (perfdb_ingest__gbench, ...), which must return
 * expect. */
static inline perfdb_resultset *ingest_file_with(int (*reader)(perfdb_resultset *, const char *,
							       size_t, const char *),
						 const char *file, int expect)
{
	perfdb_resultset *rs;
	size_t len;
	char *text = slurp_file(file, &len);
	assert_int_equal(perfdb_resultset_new(&rs), 0);
	assert_int_equal(reader(rs, text, len, file), expect);
	free(text);
	return rs;
}

#endif
