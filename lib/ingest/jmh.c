/*
 * JMH `-rf json` (1.11 to 1.37): an array with one object per (benchmark,
 * mode, params).
 *
 * The name is "benchmark" (the fully qualified method) followed by the
 * params sorted by name, " [size=16,type=x]", so each parameter combination
 * is a series. The primary metric is named by the mode (thrpt, avgt, sample,
 * ss) and secondary metrics "mode:name" (gc.alloc.rate.norm, @AuxCounters,
 * the members of a @Group, the p0.50... of sample mode; the "·" prefix of
 * JMH < 1.35 is dropped). score is the value in scoreUnit (ops/ms becomes
 * ops/s, higher is better; us/op is a time in us, stored in ns, lower; MB/sec
 * B/s; B/op, counts and # as they are), the 0.0, 50.0 and 100.0 scorePercentiles are min, median
 * and max, and rawData (every iteration of every fork) the samples. The
 * scoreError (a 99.9% confidence half-width) has no result field. A score
 * JMH wrote as "NaN" is warned about and not recorded; a benchmark that
 * threw is simply absent from JMH's file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/json_stream.h"
#include "ingest/reader.h"
#include "util/error.h"

typedef struct reader {
	const perfdb_json_doc *doc; /* the file's, or the stream's skeleton */
	perfdb_json_doc *own_doc;
	perfdb_json_stream *stream; /* the rows an item at a time, or NULL */
	perfdb_resultset *rs;
	char *name;
	size_t name_cap;
	perfdb_ingest_index ids;
	char **keys; /* owned copies of names and metrics for ids */
	size_t nkeys, capkeys;
} reader;

/* "benchmark [k=v,...]" into r->name. */
static int bench_name(reader *r, const perfdb_jnode *row, const char *benchmark)
{
	return perfdb_json__name_with_params(r->doc, perfdb_json__get(row, "params"), benchmark,
					     false, &r->name, &r->name_cap);
}

/* rawData [[...], ...] flattened into *out, in the resultset's memory
 * (perfdb_resultset_add takes it there); *n values. A fork's packed array
 * is read without a node an item. Millions of them that the sink takes
 * where they are are only checked (u->on, *out NULL: perfdb_json__unheld). */
static int raw_data(reader *r, const perfdb_jnode *metric, double **out, size_t *n,
		    perfdb_json_unheld *u)
{
	const perfdb_jnode *raw = perfdb_json__get(metric, "rawData");
	size_t i, j, k = 0, total = 0;
	*n = 0;
	if (!raw)
		return 0; /* sample mode writes rawDataHistogram */
	if (!perfdb_json__is_array(raw))
		return perfdb_json__error(r->doc, raw, NULL, "expected an array, found %s",
					  perfdb_json__type_name(raw));
	for (i = 0; i < perfdb_json__size(raw); i++) {
		const perfdb_jnode *fork = perfdb_json__item(raw, i);
		if (!perfdb_json__is_array(fork))
			return perfdb_json__error_item(r->doc, raw, i,
						       "expected an array, found %s",
						       perfdb_json__type_name(fork));
		total += perfdb_json__size(fork);
	}
	if (perfdb_json__unheld(r->rs, raw, true, u, &total)) {
		*out = NULL;
		if (perfdb_ingest__scan_unheld(&u->src, -INFINITY, &u->maxabs) != SIZE_MAX)
			return 1; /* "NaN" strings: the score says so too */
		u->on = true;
		*n = total;
		return 0;
	}
	if (!(*out = perfdb_resultset__samples(r->rs, total)))
		return PERFDB_ENOMEM; /* set */
	for (i = 0; i < perfdb_json__size(raw); i++) {
		const perfdb_jnode *fork = perfdb_json__item(raw, i);
		size_t m = perfdb_json__size(fork);
		if (perfdb_json__numbers(fork, *out + k) != m)
			return 1; /* "NaN" strings: the score says so too */
		for (j = 0; j < m; j++, k++)
			if (!isfinite((*out)[k]))
				return 1;
	}
	*n = k;
	return 0;
}

/* "us/op" -> "us": a time per operation is a time, stored in ns like every
 * other reader's; anything else (ops/ms, B/op, counts) is left as it is. */
static const char *time_per_op(const char *unit)
{
	static const char *const times[] = {"ns", "us", "ms", "s"};
	size_t i, n = strlen(unit);
	if (n > 3 && strcmp(unit + n - 3, "/op") == 0)
		for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
			if (strlen(times[i]) == n - 3 && strncmp(unit, times[i], n - 3) == 0)
				return times[i];
	return unit;
}

static int add_metric(reader *r, const perfdb_jnode *metric, const char *metric_name)
{
	perfdb_json_unheld unheld = {0};
	const perfdb_jnode *score = perfdb_json__get(metric, "score"), *pct;
	const char *unit;
	perfdb_result res;
	size_t nsamples = 0, found;
	double v, *samples = NULL;
	int err;

	if (!perfdb_json__is_object(metric))
		return perfdb_json__error(r->doc, metric, NULL, "expected an object, found %s",
					  perfdb_json__type_name(metric));
	if ((err = perfdb_json__member_string(r->doc, metric, "scoreUnit", true, &unit)) < 0)
		return err;
	if (!score)
		return perfdb_json__error(r->doc, metric, "score", "missing");
	if (!perfdb_json__number(score, &v)) {
		const char *t = perfdb_json__string(score);
		/* JMH writes a NaN score as the string "NaN" */
		if (!t || (strcmp(t, "NaN") != 0 && strcmp(t, "Infinity") != 0 &&
			   strcmp(t, "-Infinity") != 0))
			return perfdb_json__error(r->doc, score, NULL,
						  "expected a number, found %s",
						  perfdb_json__type_name(score));
		v = NAN;
	}
	if (!isfinite(v)) {
		int line, column;
		perfdb_json__where(r->doc, score, NULL, &line, &column);
		return perfdb_resultset_warn(
		    r->rs,
		    "%s:%d:%d: benchmark '%s' metric '%s': score is %s; "
		    "not recorded",
		    perfdb_json__name(r->doc), line, column, r->name, metric_name,
		    perfdb_json__is_string(score) ? perfdb_json__string(score) : "not finite");
	}
	/* (name, metric) once: two rows of one series would be two runs in one */
	{
		char *kn = strdup(r->name), *km = strdup(metric_name);
		if (!kn || !km ||
		    perfdb_ingest__grow((void **)&r->keys, &r->capkeys, r->nkeys + 2,
					sizeof(char *))) {
			free(kn);
			free(km);
			return perfdb_error__oom();
		}
		r->keys[r->nkeys++] = kn;
		r->keys[r->nkeys++] = km;
		if ((err = perfdb_ingest__index_add(&r->ids, kn, km, 0, &found)) < 0)
			return err;
		if (err == 1)
			return perfdb_json__error(r->doc, metric, NULL,
						  "benchmark '%s' metric '%s' appears twice",
						  r->name, metric_name);
	}
	if ((err = raw_data(r, metric, &samples, &nsamples, &unheld)) < 0)
		return err;
	if (err == 1)
		nsamples = 0;
	perfdb_result_init(&res);
	res.benchmark = r->name;
	res.metric = metric_name;
	res.unit = time_per_op(unit);
	res.value = v;
	res.samples = nsamples ? samples : NULL;
	res.nsamples = nsamples;
	pct = perfdb_json__get(metric, "scorePercentiles");
	if (perfdb_json__is_object(pct)) {
		perfdb_json__number(perfdb_json__get(pct, "0.0"), &res.min);
		perfdb_json__number(perfdb_json__get(pct, "50.0"), &res.median);
		perfdb_json__number(perfdb_json__get(pct, "100.0"), &res.max);
		if (!isfinite(res.min) || !isfinite(res.median) || !isfinite(res.max))
			res.min = res.median = res.max = NAN;
	}
	if (!perfdb_ingest__fits_unit(&res) ||
	    (unheld.on && !perfdb_ingest__fits_unit_max(res.unit, unheld.maxabs)))
		return perfdb_json__error(r->doc, score, NULL, "out of range in %s", unit);
	if ((err = unheld.on ? perfdb_resultset__add_unheld(r->rs, &res, &unheld.src)
			     : perfdb_resultset_add(r->rs, &res)))
		return perfdb_json__placed(err, r->doc, metric, NULL);
	return 0;
}

/* row: the document's item index, named by itself (an item read from the
 * file one at a time is not in the skeleton's array) */
static int read_row(void *ctx, const perfdb_jnode *row, size_t index)
{
	reader *r = ctx;
	const perfdb_jnode *sec;
	const perfdb_jmember *m;
	const char *benchmark, *mode;
	char metric[512];
	size_t i;
	int err;

	(void)index;
	if (!perfdb_json__is_object(row))
		return perfdb_json__error(r->doc, row, NULL, "expected an object, found %s",
					  perfdb_json__type_name(row));
	if ((err = perfdb_json__member_string(r->doc, row, "benchmark", true, &benchmark)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, row, "mode", true, &mode)) < 0)
		return err;
	if (!*benchmark)
		return perfdb_json__error(r->doc, row, "benchmark", "empty benchmark name");
	if ((err = bench_name(r, row, benchmark)))
		return err;
	if (!perfdb_json__get(row, "primaryMetric"))
		return perfdb_json__error(r->doc, row, "primaryMetric", "missing");
	if ((err = add_metric(r, perfdb_json__get(row, "primaryMetric"), mode)))
		return err;
	sec = perfdb_json__get(row, "secondaryMetrics");
	if (sec && !perfdb_json__is_object(sec))
		return perfdb_json__error(r->doc, sec, NULL, "expected an object, found %s",
					  perfdb_json__type_name(sec));
	for (i = 0; (m = perfdb_json__member_at(sec, i)); i++) {
		const char *key = m->key;
		if (strncmp(key, "\xc2\xb7", 2) == 0) /* "·gc.alloc.rate" before JMH 1.35 */
			key += 2;
		snprintf(metric, sizeof(metric), "%s:%s", mode, key);
		if ((err = add_metric(r, m->value, metric)))
			return err;
	}
	return 0;
}

static int read_either(perfdb_resultset *rs, perfdb_json_doc *own, perfdb_json_stream *stream)
{
	const perfdb_jnode *root;
	reader r;
	size_t i;
	int err;

	memset(&r, 0, sizeof(r));
	r.own_doc = own;
	r.stream = stream;
	r.doc = own ? own : perfdb_json__stream_doc(stream);
	root = perfdb_json__root(r.doc);
	if ((err = perfdb_resultset_new(&r.rs)))
		goto done;
	if (!perfdb_json__is_array(root))
		err = perfdb_json__error(r.doc, NULL, NULL,
					 "expected an array of JMH results, found %s",
					 perfdb_json__type_name(root));
	if (err || (err = perfdb_resultset_set_meta(r.rs, PERFDB_META_SOURCE, "jmh")))
		err = perfdb_json__stream_fail(stream, err);
	else
		err = perfdb_json__read_items(rs, r.rs, r.doc, stream, root, read_row, &r,
					      "benchmarks");
done:
	for (i = 0; i < r.nkeys; i++)
		free(r.keys[i]);
	free(r.keys);

	free(r.name);
	perfdb_ingest__index_release(&r.ids);
	perfdb_json__free(r.own_doc);
	perfdb_resultset_free(r.rs);
	return err;
}

int perfdb_ingest__jmh(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	int err;
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	return read_either(rs, doc, NULL);
}

int perfdb_ingest__jmh_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	return read_either(rs, NULL, stream);
}
