/*
 * The perfdb native format, validated once for both syntaxes (see native.h;
 * the format itself is specified in schema/perfdb-results.schema.json and
 * schema/README.md, "The perfdb native format"; CSV in lib/ingest/README.md).
 *
 * The reader is strict: an unknown key is an error naming it, because a
 * misspelt "vaule" would otherwise drop a measurement without a word, and a
 * published format that tolerates junk cannot be extended safely later.
 * Producers that want to carry their own data use keys starting with "x-",
 * which are ignored at every level.
 */
#include "ingest/native.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/reader.h"
#include "util/error.h"
#include "util/time.h"

#define NATIVE_VERSION 1

typedef struct validator {
	const perfdb_native_ops *ops;
	void *ctx;
	const char *name;
	perfdb_resultset *rs;		  /* private until everything is valid */
	perfdb_ingest_result_index index; /* of rs's results */
	size_t
	    handed; /* results handed to the caller's sink: rs's result i is results[handed + i] */
	const perfdb_native_stream *stream; /* NULL: results are in the tree */
	const void *results;
} validator;

/* --- errors ------------------------------------------------------------------ */

static int fail(validator *v, const void *node, const void *parent, const char *key, size_t index,
		const char *path, const char *fmt, ...) PERFDB_PRINTF(7, 8);

static int fail(validator *v, const void *node, const void *parent, const char *key, size_t index,
		const char *path, const char *fmt, ...)
{
	char what[512], shown[512];
	int line = 0, column = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* Keys and strings quoted from the file must not drive a terminal. */
	perfdb_ingest__escape(shown, sizeof(shown), what);
	v->ops->where(v->ctx, node, parent, key, index, &line, &column);
	return perfdb_error__input(PERFDB_EINPUT, v->name, line, column, path, "%s", shown);
}

static const char *kind_name(perfdb_native_kind k)
{
	switch (k) {
	case PERFDB_NATIVE_NULL: return "null";
	case PERFDB_NATIVE_BOOL: return "a boolean";
	case PERFDB_NATIVE_NUMBER: return "a number";
	case PERFDB_NATIVE_STRING: return "a string";
	case PERFDB_NATIVE_MAP: return "an object";
	case PERFDB_NATIVE_SEQ: return "an array";
	}
	return "a value";
}

/* "a string (\"12abc\")" for strings, so a YAML user sees what was read. */
static void describe(validator *v, const void *node, char *buf, size_t cap)
{
	perfdb_native_kind k = v->ops->kind(v->ctx, node);
	const char *text = k == PERFDB_NATIVE_STRING ? v->ops->text(v->ctx, node) : NULL;
	if (text && strlen(text) <= 40)
		snprintf(buf, cap, "a string (\"%s\")", text);
	else
		snprintf(buf, cap, "%s", kind_name(k));
}

/* Levenshtein distance, capped: only to suggest a key for a typo. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[32], prev, tmp;
	if (la >= 32 || lb >= 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static int unknown_key(validator *v, const void *map, const perfdb_native_entry *e,
		       const char *path, const char *const *known, size_t nknown)
{
	char list[256] = "";
	size_t i, len = 0, best = 99;
	const char *suggest = NULL;

	for (i = 0; i < nknown; i++) {
		size_t d = distance(e->key, known[i]);
		if (d < best) {
			best = d;
			suggest = known[i];
		}
		len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0,
					"%s%s", i ? ", " : "", known[i]);
		if (len >= sizeof(list))
			len = sizeof(list) - 1;
	}
	if (suggest && best <= 2 && best < strlen(e->key))
		return fail(v, e->key_node, map, e->key, 0, path,
			    "unknown key '%s' (did you mean '%s'?)", e->key, suggest);
	return fail(v, e->key_node, map, e->key, 0, path,
		    "unknown key '%s' (expected one of %s; keys starting with 'x-' are ignored)",
		    e->key, list);
}

static bool is_extension(const char *key)
{
	return key[0] == 'x' && key[1] == '-';
}

/* Index of key in known[], or -1. */
static int key_index(const char *key, const char *const *known, size_t nknown)
{
	size_t i;
	for (i = 0; i < nknown; i++)
		if (strcmp(key, known[i]) == 0)
			return (int)i;
	return -1;
}

/* Checks a known key is not given twice (YAML allows writing it; JSON's layer
 * already refuses duplicates). */
static int once(validator *v, const void *map, const perfdb_native_entry *e, const char *path,
		unsigned *seen, int k)
{
	if (*seen & (1u << k))
		return fail(v, e->key_node, map, e->key, 0, path, "duplicate key '%s'", e->key);
	*seen |= 1u << k;
	return 0;
}

/* "a.b" into buf, truncated to cap. Paths are built for every field read, so
 * this avoids printf on the path that succeeds. */
static const char *join(char *buf, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > cap - 2)
		la = cap - 2;
	if (lb > cap - 2 - la)
		lb = cap - 2 - la;
	memcpy(buf, a, la);
	buf[la] = '.';
	memcpy(buf + la + 1, b, lb);
	buf[la + 1 + lb] = '\0';
	return buf;
}

/* --- typed reads ----------------------------------------------------------- */

static int read_string(validator *v, const void *map, const perfdb_native_entry *e,
		       const char *path, bool allow_empty, const char **out)
{
	perfdb_native_kind k = v->ops->kind(v->ctx, e->value);
	const char *text = NULL;
	char got[96];

	if (k == PERFDB_NATIVE_STRING ||
	    (v->ops->scalars_are_text && (k == PERFDB_NATIVE_NUMBER || k == PERFDB_NATIVE_BOOL)))
		text = v->ops->text(v->ctx, e->value);
	if (!text) {
		describe(v, e->value, got, sizeof(got));
		return fail(v, e->value, map, e->key, 0, path, "expected a string, got %s", got);
	}
	if (!allow_empty && !*text)
		return fail(v, e->value, map, e->key, 0, path, "must not be empty");
	*out = text;
	return 0;
}

/* A finite number from node, which is member key of map or item index of it. */
static int read_number_at(validator *v, const void *node, const void *parent, const char *key,
			  size_t index, const char *path, double *out)
{
	char got[96];
	double d;

	if (v->ops->kind(v->ctx, node) != PERFDB_NATIVE_NUMBER ||
	    !v->ops->number(v->ctx, node, &d)) {
		describe(v, node, got, sizeof(got));
		return fail(v, node, parent, key, index, path, "expected a number, got %s", got);
	}
	if (isnan(d))
		return fail(v, node, parent, key, index, path, "NaN is not a measurement");
	if (!isfinite(d))
		return fail(v, node, parent, key, index, path,
			    "an infinite value is not a measurement");
	*out = d;
	return 0;
}

static int read_number(validator *v, const void *map, const perfdb_native_entry *e,
		       const char *path, double *out)
{
	return read_number_at(v, e->value, map, e->key, 0, path, out);
}

/* A scalar as text, for tags and context: strings, numbers and booleans. */
static int read_scalar_text(validator *v, const void *map, const perfdb_native_entry *e,
			    const char *path, char *buf, size_t cap, const char **out)
{
	perfdb_native_kind k = v->ops->kind(v->ctx, e->value);
	const char *text;
	double d;

	if (k == PERFDB_NATIVE_STRING || k == PERFDB_NATIVE_BOOL || k == PERFDB_NATIVE_NUMBER) {
		if ((text = v->ops->text(v->ctx, e->value))) {
			*out = text;
			return 0;
		}
	}
	if (k != PERFDB_NATIVE_NUMBER)
		return fail(v, e->value, map, e->key, 0, path,
			    "expected a string, number or boolean, got %s", kind_name(k));
	if (read_number(v, map, e, path, &d))
		return PERFDB_EINPUT;
	/* The shortest text that reads back as the same double: 2 -> "2". */
	{
		int prec;
		for (prec = 15; prec <= 17; prec++) {
			snprintf(buf, cap, "%.*g", prec, d);
			if (strtod(buf, NULL) == d)
				break;
		}
	}
	*out = buf;
	return 0;
}

/* --- run ------------------------------------------------------------------- */

static int read_pairs(validator *v, const void *map, const char *path,
		      int (*set)(perfdb_resultset *, const char *, const char *))
{
	perfdb_native_entry e = {0};
	perfdb_ingest_index seen = PERFDB_INGEST_INDEX_INIT;
	char sub[256], num[40];
	size_t i = 0, first;
	int rc, err = 0;

	/* A later duplicate would silently replace the first. The keys are the
	 * document's, alive while it is read; a hash finds a duplicate among
	 * 50,000 tags without comparing each with all before it. */
	while (!err && (rc = v->ops->next(v->ctx, map, &e)) > 0) {
		const char *value;
		join(sub, sizeof(sub), path, e.key);
		if (!*e.key)
			err = fail(v, e.key_node, map, e.key, 0, path, "empty key");
		else if (!(err = read_scalar_text(v, map, &e, sub, num, sizeof(num), &value)) &&
			 (err = perfdb_ingest__index_add(&seen, e.key, "", i++, &first)) == 1)
			err = fail(v, e.key_node, map, e.key, 0, sub, "duplicate key '%s'", e.key);
		else if (!err)
			err = set(v->rs, e.key, value);
	}
	perfdb_ingest__index_release(&seen);
	return err ? err : rc;
}

static int read_run(validator *v, const void *root, const void *run)
{
	static const char *const keys[] = {"commit", "branch",	    "machine", "time",
					   "tags",   "context",	    "parent",  "subject",
					   "author", "committed_at"};
	static const perfdb_meta meta[] = {PERFDB_META_COMMIT,	PERFDB_META_BRANCH,
					   PERFDB_META_MACHINE, PERFDB_META_STARTED_AT,
					   PERFDB_META_COUNT_,	PERFDB_META_COUNT_,
					   PERFDB_META_PARENT,	PERFDB_META_SUBJECT,
					   PERFDB_META_AUTHOR,	PERFDB_META_COMMITTED_AT};
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	perfdb_native_entry e = {0};
	unsigned seen = 0;
	char path[160], when[32];
	int rc, err;

	if (v->ops->kind(v->ctx, run) != PERFDB_NATIVE_MAP)
		return fail(v, run, root, "run", 0, "run", "expected an object, got %s",
			    kind_name(v->ops->kind(v->ctx, run)));
	while ((rc = v->ops->next(v->ctx, run, &e)) > 0) {
		int k = key_index(e.key, keys, nkeys);
		const char *text;
		join(path, sizeof(path), "run", e.key);
		if (k < 0) {
			if (is_extension(e.key))
				continue;
			return unknown_key(v, run, &e, path, keys, nkeys);
		}
		if ((err = once(v, run, &e, path, &seen, k)))
			return err;
		if (strcmp(e.key, "tags") == 0 || strcmp(e.key, "context") == 0) {
			bool tags = e.key[0] == 't';
			perfdb_native_kind kind = v->ops->kind(v->ctx, e.value);
			if (kind != PERFDB_NATIVE_MAP)
				return fail(v, e.value, run, e.key, 0, path,
					    "expected an object, got %s", kind_name(kind));
			err = tags ? read_pairs(v, e.value, path, perfdb_resultset_set_tag)
				   : read_pairs(v, e.value, path, perfdb_resultset_set_context);
			if (err)
				return err;
			continue;
		}
		if ((err = read_string(v, run, &e, path, false, &text)))
			return err;
		if (meta[k] == PERFDB_META_STARTED_AT || meta[k] == PERFDB_META_COMMITTED_AT) {
			/* the zone is required: without one a time means a
			 * different instant on every CI machine */
			if (perfdb_util__time_parse(when, sizeof(when), text, 0) != 0)
				return fail(v, e.value, run, e.key, 0, path, "%s",
					    perfdb_error_last()->message);
			text = when;
		}
		if ((err = perfdb_resultset_set_meta(v->rs, meta[k], text)))
			return err;
	}
	return rc;
}

/* --- results --------------------------------------------------------------- */

enum {
	F_BENCHMARK,
	F_METRIC,
	F_UNIT,
	F_DIRECTION,
	F_VALUE,
	F_SAMPLES,
	F_N,
	F_MEAN,
	F_MEDIAN,
	F_STDDEV,
	F_MIN,
	F_MAX,
	F_COUNT_
};

static const char *const result_keys[F_COUNT_] = {"benchmark", "metric",  "unit", "direction",
						  "value",     "samples", "n",	  "mean",
						  "median",    "stddev",  "min",  "max"};

/* The samples a result takes unheld (perfdb_resultset__add_unheld): src
 * reads them; maxabs is their largest magnitude. */
typedef struct {
	bool on;
	perfdb_unheld src;
	double maxabs;
} unheld_samples;

static int read_samples(validator *v, const void *map, const perfdb_native_entry *e,
			const char *path, double **out, size_t *count, unheld_samples *u)
{
	perfdb_native_kind k = v->ops->kind(v->ctx, e->value);
	char sub[256];
	size_t i, n, bad;
	int err, packed;

	if (k != PERFDB_NATIVE_SEQ)
		return fail(v, e->value, map, e->key, 0, path,
			    "expected an array of numbers, got %s", kind_name(k));
	n = v->ops->length(v->ctx, e->value);
	if (n == 0)
		return fail(v, e->value, map, e->key, 0, path,
			    "is empty (leave it out, or give at least one sample)");
	/* Millions of numbers a sink takes where they are: checked in one
	 * pass, not held (only their text is). */
	if (v->ops->unheld && v->ops->unheld(v->ctx, e->value, v->rs, &u->src)) {
		bad = perfdb_ingest__scan_unheld(&u->src, -INFINITY, &u->maxabs);
		if (bad != SIZE_MAX) {
			double d;
			snprintf(sub, sizeof(sub), "%s[%zu]", path, bad);
			return read_number_at(v, v->ops->item(v->ctx, e->value, bad), e->value,
					      NULL, bad, sub, &d);
		}
		u->on = true;
		*out = NULL;
		*count = n;
		return 0;
	}
	/* Straight into the resultset's memory, which perfdb_resultset_add
	 * then takes where it is: the samples are held once. */
	if (!(*out = perfdb_resultset__samples(v->rs, n)))
		return PERFDB_ENOMEM;
	packed = v->ops->numbers ? v->ops->numbers(v->ctx, e->value, *out) : 0;
	if (packed < 0)
		return packed;
	for (i = 0; i < n; i++) {
		const void *item;
		double *d = &(*out)[i];
		if (packed && isfinite(*d))
			continue;
		item = v->ops->item(v->ctx, e->value, i);
		if (!packed && v->ops->kind(v->ctx, item) == PERFDB_NATIVE_NUMBER &&
		    v->ops->number(v->ctx, item, d) && isfinite(*d))
			continue;
		/* Not a finite number: let read_number_at say why. */
		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if ((err = read_number_at(v, item, e->value, NULL, i, sub, d)))
			return err;
	}
	*count = n;
	return 0;
}

static int read_result(validator *v, const void *results, size_t idx, const void *map)
{
	perfdb_native_entry e = {0};
	perfdb_result r;
	unsigned seen = 0;
	char base[32], path[200];
	double *stat[F_COUNT_] = {0}, *samples = NULL;
	const void *nodes[F_COUNT_] = {0};
	unheld_samples unheld = {0};
	size_t dup;
	int rc, err;

	snprintf(base, sizeof(base), "results[%zu]", idx);
	if (v->ops->kind(v->ctx, map) != PERFDB_NATIVE_MAP)
		return fail(v, map, results, NULL, idx, base, "expected an object, got %s",
			    kind_name(v->ops->kind(v->ctx, map)));

	perfdb_result_init(&r);
	stat[F_VALUE] = &r.value;
	stat[F_MEAN] = &r.mean;
	stat[F_MEDIAN] = &r.median;
	stat[F_STDDEV] = &r.stddev;
	stat[F_MIN] = &r.min;
	stat[F_MAX] = &r.max;

	while ((rc = v->ops->next(v->ctx, map, &e)) > 0) {
		int k = key_index(e.key, result_keys, F_COUNT_);
		const char *text;
		double d;
		join(path, sizeof(path), base, e.key);
		if (k < 0) {
			if (is_extension(e.key))
				continue;
			return unknown_key(v, map, &e, path, result_keys, F_COUNT_);
		}
		if ((err = once(v, map, &e, path, &seen, k)))
			return err;
		nodes[k] = e.value;
		switch (k) {
		case F_BENCHMARK:
			if ((err = read_string(v, map, &e, path, false, &r.benchmark)))
				return err;
			break;
		case F_METRIC:
			if ((err = read_string(v, map, &e, path, false, &r.metric)))
				return err;
			break;
		case F_UNIT:
			if ((err = read_string(v, map, &e, path, true, &r.unit)))
				return err;
			break;
		case F_DIRECTION:
			if ((err = read_string(v, map, &e, path, false, &text)))
				return err;
			if (perfdb_direction_parse(&r.direction, text))
				return fail(v, e.value, map, e.key, 0, path,
					    "unknown direction '%s' (expected lower_is_better or "
					    "higher_is_better)",
					    text);
			break;
		case F_SAMPLES:
			if ((err = read_samples(v, map, &e, path, &samples, &r.nsamples, &unheld)))
				return err;
			r.samples = samples;
			break;
		case F_N:
			if ((err = read_number(v, map, &e, path, &d)))
				return err;
			if (d < 1 || d != floor(d) || d > 9007199254740992.0)
				return fail(v, e.value, map, e.key, 0, path,
					    "expected a whole number of at least 1, got %g", d);
			r.n = (int64_t)d;
			break;
		default:
			if ((err = read_number(v, map, &e, path, stat[k])))
				return err;
			if (k == F_STDDEV && r.stddev < 0)
				return fail(v, e.value, map, e.key, 0, path,
					    "a standard deviation cannot be negative (%g)",
					    r.stddev);
			break;
		}
	}
	if (rc < 0)
		return rc;

	if (!r.benchmark) {
		snprintf(path, sizeof(path), "%s.benchmark", base);
		return fail(v, map, results, NULL, idx, path, "missing 'benchmark'");
	}
	if (!(seen & (1u << F_VALUE)) && !(seen & (1u << F_SAMPLES))) {
		snprintf(path, sizeof(path), "%s.value", base);
		return fail(v, map, results, NULL, idx, path,
			    "missing 'value' (a result needs a value, samples, or both)");
	}
	if (!isnan(r.min) && !isnan(r.max) && r.min > r.max) {
		snprintf(path, sizeof(path), "%s.min", base);
		return fail(v, nodes[F_MIN], map, "min", 0, path, "min %g is greater than max %g",
			    r.min, r.max);
	}
	/* The index keys on the resultset's copies (added below): the item's
	 * strings may not outlive it. */
	if (perfdb_ingest__result_index_find(&v->index, v->rs, r.benchmark,
					     r.metric ? r.metric : "value", &dup)) {
		snprintf(path, sizeof(path), "%s.benchmark", base);
		return fail(v, nodes[F_BENCHMARK], map, "benchmark", 0, path,
			    "duplicate result: benchmark '%s', metric '%s' is already results[%zu]",
			    r.benchmark, r.metric ? r.metric : "value", v->handed + dup);
	}
	if (!perfdb_ingest__fits_unit(&r) ||
	    (unheld.on && !perfdb_ingest__fits_unit_max(r.unit, unheld.maxabs)))
		return fail(v, map, results, NULL, idx, base,
			    "a number is out of range once converted from '%s' to the base unit",
			    r.unit);
	if ((err = unheld.on ? perfdb_resultset__add_unheld(v->rs, &r, &unheld.src)
			     : perfdb_resultset_add(v->rs, &r))) {
		/* Valid numbers can still overflow when the unit is scaled
		 * (1e300 s to ns): say where. */
		char msg[sizeof(perfdb_error_last()->message)];
		if (err != PERFDB_EINVAL)
			return err;
		snprintf(msg, sizeof(msg), "%s", perfdb_error_last()->message);
		return fail(v, map, results, NULL, idx, base, "%s", msg);
	}
	/* A batch went to the caller's sink: the index starts again with the
	 * next one (a result that repeats an earlier batch's is refused by the
	 * store, where the run's results are). */
	if (perfdb_resultset_count(v->rs) == 0) {
		v->handed = idx + 1; /* one result per item */
		perfdb_ingest__result_index_clear(&v->index);
		return 0;
	}
	if ((err = perfdb_ingest__result_index_add(&v->index, v->rs,
						   perfdb_resultset_count(v->rs) - 1)) < 0)
		return err;
	return 0;
}

static int stream_result(void *ctx, const void *item, size_t idx)
{
	validator *v = ctx;
	return read_result(v, v->results, idx, item);
}

static int read_results(validator *v, const void *root, const void *results)
{
	perfdb_native_kind k = v->ops->kind(v->ctx, results);
	size_t i, n;
	int err;

	if (k != PERFDB_NATIVE_SEQ)
		return fail(v, results, root, "results", 0, "results", "expected an array, got %s",
			    kind_name(k));
	if (v->stream) {
		v->results = results;
		if ((err = v->stream->items(v->stream->ctx, stream_result, v, &n)))
			return err;
	} else {
		n = v->ops->length(v->ctx, results);
	}
	if (n == 0)
		return fail(v, results, root, "results", 0, "results",
			    "is empty: a run needs at least one result");
	for (i = 0; !v->stream && i < n; i++)
		if ((err = read_result(v, results, i, v->ops->item(v->ctx, results, i))))
			return err;
	return 0;
}

/* --- the document ---------------------------------------------------------- */

static int read_document(validator *v, const void *root)
{
	static const char *const keys[] = {"perfdb", "run", "results"};
	perfdb_native_entry e = {0};
	perfdb_native_kind k = v->ops->kind(v->ctx, root);
	const void *results = NULL, *run = NULL;
	unsigned seen = 0;
	int rc, err;

	if (k != PERFDB_NATIVE_MAP)
		return fail(v, root, NULL, NULL, 0, NULL,
			    "expected an object with 'results' at the top, got %s", kind_name(k));
	while ((rc = v->ops->next(v->ctx, root, &e)) > 0) {
		int ki = key_index(e.key, keys, 3);
		double version;
		if (ki < 0) {
			if (is_extension(e.key))
				continue;
			return unknown_key(v, root, &e, e.key, keys, 3);
		}
		if ((err = once(v, root, &e, e.key, &seen, ki)))
			return err;
		if (ki == 0) {
			if ((err = read_number(v, root, &e, "perfdb", &version)))
				return err;
			if (version != NATIVE_VERSION)
				return fail(v, e.value, root, e.key, 0, "perfdb",
					    "unsupported format version %g (this perfdb reads "
					    "version %d)",
					    version, NATIVE_VERSION);
		} else if (ki == 1) {
			run = e.value;
		} else {
			results = e.value;
		}
	}
	if (rc < 0)
		return rc;
	/* The run first, so its errors come before those of results that
	 * follow it in the file, as a reader of the file expects. */
	if (run && (err = read_run(v, root, run)))
		return err;
	if (!results)
		return fail(v, root, NULL, NULL, 0, "results", "missing 'results'");
	return read_results(v, root, results);
}

int perfdb_ingest__native(perfdb_resultset *rs, const perfdb_native_ops *ops, void *ctx,
			  const void *root, const char *name, const perfdb_native_stream *stream)
{
	validator v = {0};
	int err;

	v.ops = ops;
	v.ctx = ctx;
	v.name = name;
	v.stream = stream;
	if ((err = perfdb_resultset_new(&v.rs)))
		return err;
	/* A result is final once read: results can go on to rs's sink. */
	perfdb_resultset__stream_into(v.rs, rs);
	if (!(err = perfdb_resultset_set_meta(v.rs, PERFDB_META_SOURCE, "native")) &&
	    !(err = read_document(&v, root)))
		err = perfdb_resultset_merge(rs, v.rs);
	if (err && stream)
		err = stream->fail(stream->ctx, err);
	perfdb_ingest__result_index_release(&v.index);
	perfdb_resultset_free(v.rs);
	return err;
}
