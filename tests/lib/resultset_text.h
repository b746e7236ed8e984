/*
 * A resultset, or the error that left it empty, as one text: every result's
 * fields and samples, the warnings, tags, context and metadata. Two reads of
 * the same bytes are the same when their texts are (test_json_stream and the
 * ingest_stream fuzz target compare the item-at-a-time path with the whole
 * one this way). Out of memory aborts: this is test code.
 */
#ifndef PERFDB_TESTS_RESULTSET_TEXT_H
#define PERFDB_TESTS_RESULTSET_TEXT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "perfdb.h"

typedef struct rs_text {
	char *s;
	size_t len, cap;
} rs_text;

static void rs_text_add(rs_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		if (!(t->s = realloc(t->s, t->cap)))
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* rc and rs after a read, as text (malloc'ed). */
static char *resultset_text(int rc, const perfdb_resultset *rs)
{
	rs_text t = {NULL, 0, 0};
	size_t i, j;
	rs_text_add(&t, "rc %d\n", rc);
	if (rc) {
		rs_text_add(&t, "error %s\n", perfdb_error_last()->message);
		return t.s;
	}
	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		rs_text_add(&t, "%s|%s|%s|%d|%.17g|%lld|%.17g|%.17g|%.17g|%.17g|%.17g|",
			    r->benchmark, r->metric, r->unit, (int)r->direction, r->value,
			    (long long)r->n, r->mean, r->median, r->stddev, r->min, r->max);
		for (j = 0; j < r->nsamples; j++)
			rs_text_add(&t, " %.17g", r->samples[j]);
		rs_text_add(&t, "\n");
	}
	for (i = 0; i < perfdb_resultset_warning_count(rs); i++)
		rs_text_add(&t, "warning %s\n", perfdb_resultset_warning(rs, i));
	for (i = 0; i < perfdb_resultset_tag_count(rs); i++) {
		const char *k, *v;
		perfdb_resultset_tag(rs, i, &k, &v);
		rs_text_add(&t, "tag %s=%s\n", k, v);
	}
	for (i = 0; i < perfdb_resultset_context_count(rs); i++) {
		const char *k, *v;
		perfdb_resultset_context(rs, i, &k, &v);
		rs_text_add(&t, "context %s=%s\n", k, v);
	}
	for (i = 0; i < PERFDB_META_COUNT_; i++) {
		const char *v = perfdb_resultset_meta(rs, (perfdb_meta)i);
		rs_text_add(&t, "meta %zu=%s\n", i, v ? v : "(none)");
	}
	return t.s;
}

#endif
