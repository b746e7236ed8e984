/*
 * nanobench's JSON template (ankerl::nanobench::templates::json()):
 * {"results": [{"title", "name", "unit", "batch", "median(elapsed)",
 * "median(instructions)", ..., "measurements": [{"iterations", "elapsed",
 * ...}]}]}.
 *
 * Each result is named "title / name" (nanobench's table title and row).
 * Its "time" is seconds per unit, as nanobench's own table shows it:
 * median(elapsed) (seconds per iteration) divided by batch, so the value
 * and median; the samples are each epoch's elapsed / batch. With working
 * performance counters, instructions, cpucycles and branchmisses per unit
 * are metrics of their own; when perf_event_open failed nanobench writes 0
 * for every counter, which is not a measurement, so none is recorded then.
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

static const struct {
	const char *key, *metric;
} counters[] = {
    {"median(instructions)", "instructions"},
    {"median(cpucycles)", "cpucycles"},
    {"median(branchmisses)", "branchmisses"},
};

typedef struct reader {
	const perfdb_json_doc *doc; /* the file's, or the stream's skeleton */
	perfdb_json_doc *own_doc;
	perfdb_json_stream *stream; /* the results an item at a time, or NULL */
	perfdb_resultset *rs;
	perfdb_ingest_index names; /* borrows the strings of owned */
	char **owned;
	size_t nowned, capowned;
	double *samples;
	size_t cap;
} reader;

static int own(reader *x, char *s)
{
	if (x->nowned == x->capowned) {
		size_t cap = x->capowned ? x->capowned * 2 : 16;
		char **p = realloc(x->owned, cap * sizeof(*p));
		if (!p) {
			free(s);
			return perfdb_error__oom();
		}
		x->owned = p;
		x->capowned = cap;
	}
	x->owned[x->nowned++] = s;
	return 0;
}

/* r: results[index], named by itself (an item read from the file one at a
 * time is not in the skeleton's array) */
static int read_result(void *ctx, const perfdb_jnode *r, size_t index)
{
	reader *x = ctx;
	const perfdb_json_doc *doc = x->doc;
	perfdb_resultset *rs = x->rs;
	perfdb_ingest_index *names = &x->names;
	double **samples = &x->samples;
	size_t *cap = &x->cap;
	const perfdb_jnode *meas;
	const char *title, *name;
	double batch, elapsed, counter[3];
	perfdb_result res;
	size_t i, k = 0, found, len;
	char *full;
	bool have_counters = false;
	int err;

	if (!perfdb_json__is_object(r))
		return perfdb_json__error(doc, r, NULL, "expected an object, found %s",
					  perfdb_json__type_name(r));
	if ((err = perfdb_json__member_string(doc, r, "title", true, &title)) < 0 ||
	    (err = perfdb_json__member_string(doc, r, "name", true, &name)) < 0 ||
	    (err = perfdb_json__member_number(doc, r, "batch", true, &batch)) < 0 ||
	    (err = perfdb_json__member_number(doc, r, "median(elapsed)", true, &elapsed)) < 0)
		return err;
	if (!(batch >= 1) || !isfinite(batch))
		return perfdb_json__error(doc, r, "batch", "expected a batch size of at least 1");
	for (i = 0; i < 3; i++) {
		if ((err = perfdb_json__member_number(doc, r, counters[i].key, false,
						      &counter[i])) < 0)
			return err;
		have_counters |= isfinite(counter[i]) && counter[i] > 0;
	}
	len = strlen(title) + strlen(name) + 4;
	if (!(full = malloc(len)))
		return perfdb_error__oom();
	snprintf(full, len, "%s / %s", title, name);
	if ((err = own(x, full)))
		return err;
	if ((err = perfdb_ingest__index_add(names, full, "", index, &found)) != 0)
		return err < 0 ? err
			       : perfdb_json__error(doc, r, NULL, "'%s' is also results[%zu]", full,
						    found);
	if (!isfinite(elapsed) || elapsed < 0) {
		int line, column;
		perfdb_json__where(doc, r, "median(elapsed)", &line, &column);
		return perfdb_resultset_warn(
		    rs,
		    "%s:%d:%d: benchmark '%s': median(elapsed) is %s; "
		    "not recorded",
		    perfdb_json__name(doc), line, column, full,
		    perfdb_json__type_name(perfdb_json__get(r, "median(elapsed)")));
	}
	meas = perfdb_json__get(r, "measurements");
	if (meas && !perfdb_json__is_array(meas))
		return perfdb_json__error(doc, meas, NULL, "expected an array, found %s",
					  perfdb_json__type_name(meas));
	if (perfdb_json__size(meas) > *cap) {
		double *p = realloc(*samples, perfdb_json__size(meas) * sizeof(*p));
		if (!p)
			return perfdb_error__oom();
		*samples = p;
		*cap = perfdb_json__size(meas);
	}
	for (i = 0; i < perfdb_json__size(meas); i++) {
		double e;
		if ((err = perfdb_json__member_number(doc, perfdb_json__item(meas, i), "elapsed",
						      true, &e)) < 0)
			return err;
		if (!isfinite(e) || e < 0)
			return perfdb_json__error(doc, perfdb_json__item(meas, i), "elapsed",
						  "expected a time in seconds");
		(*samples)[k++] = e / batch;
	}
	perfdb_result_init(&res);
	res.benchmark = full;
	res.metric = "time";
	res.unit = "s";
	res.direction = PERFDB_LOWER_IS_BETTER;
	res.value = res.median = elapsed / batch;
	res.samples = k ? *samples : NULL;
	res.nsamples = k;
	if ((err = perfdb_resultset_add(rs, &res)))
		return perfdb_json__placed(err, doc, r, "name");
	for (i = 0; have_counters && i < 3; i++) {
		if (isnan(counter[i]))
			continue;
		perfdb_result_init(&res);
		res.benchmark = full;
		res.metric = counters[i].metric;
		res.direction = PERFDB_LOWER_IS_BETTER;
		res.value = counter[i] / batch;
		if ((err = perfdb_resultset_add(rs, &res)))
			return perfdb_json__placed(err, doc, r, "name");
	}
	return 0;
}

/* The reading shared by both entry points; x->doc (and x->stream) set. */
static int read_doc(reader *x, perfdb_resultset *rs)
{
	const perfdb_jnode *list = perfdb_json__get(perfdb_json__root(x->doc), "results");
	int err;

	if ((err = perfdb_resultset_new(&x->rs)))
		return err;
	if (!perfdb_json__is_array(list))
		err = perfdb_json__error(x->doc, list, list ? NULL : "results",
					 "expected nanobench's array of results");
	if (err || (err = perfdb_resultset_set_meta(x->rs, PERFDB_META_SOURCE, "nanobench")))
		return perfdb_json__stream_fail(x->stream, err);
	return perfdb_json__read_items(rs, x->rs, x->doc, x->stream, list, read_result, x,
				       "results");
}

static int read_either(perfdb_resultset *rs, perfdb_json_doc *own, perfdb_json_stream *stream)
{
	reader x;
	size_t i;
	int err;

	memset(&x, 0, sizeof(x));
	x.own_doc = own;
	x.stream = stream;
	x.doc = own ? own : perfdb_json__stream_doc(stream);
	err = read_doc(&x, rs);
	perfdb_ingest__index_release(&x.names);
	for (i = 0; i < x.nowned; i++)
		free(x.owned[i]);
	free(x.owned);
	free(x.samples);
	perfdb_resultset_free(x.rs);
	perfdb_json__free(x.own_doc);
	return err;
}

int perfdb_ingest__nanobench(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc;
	int err;
	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	return read_either(rs, doc, NULL);
}

int perfdb_ingest__nanobench_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	return read_either(rs, NULL, stream);
}
