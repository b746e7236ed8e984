/*
 * Bencher Metric Format (BMF) JSON: { benchmark: { measure: { "value": N,
 * "lower_value": N, "upper_value": N } } }.
 *
 * Each (benchmark, measure) is a result whose metric is the measure's name.
 * BMF carries no units: the measure implies one in Bencher, so Bencher's
 * built-in measures get theirs here (latency ns, throughput ops/s higher is
 * better, file-size B, build-time s) and any other measure ("Max Bytes",
 * "instructions") is unitless and lower-is-better, as perfdb defaults.
 * lower_value and upper_value are bounds whose meaning the producer chooses
 * (a confidence interval, value ± deviation, min and max), so they land on no
 * statistic; they are checked to be numbers, and bounds that do not enclose
 * the value are warned about. The format is strict: any other key in a
 * measure is an error, so a look-alike JSON file (k6's summary has
 * "value" beside "passes") is refused instead of half read.
 *
 * A named file is read a benchmark (a member of the top-level object) at a
 * time, a benchmark of many measures in pieces (json_stream.h), and a buffer
 * whole: read_benchmark reads each benchmark, or piece, either way.
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
	const char *measure, *unit;
	perfdb_direction direction;
} builtin[] = {
    {"latency", "ns", PERFDB_LOWER_IS_BETTER},
    {"throughput", "ops/s", PERFDB_HIGHER_IS_BETTER},
    {"file-size", "B", PERFDB_LOWER_IS_BETTER},
    {"build-time", "s", PERFDB_LOWER_IS_BETTER},
};

typedef struct bmf {
	perfdb_resultset *rs; /* the reader's own */
	const perfdb_json_doc *doc;
} bmf;

static int warn_at(perfdb_resultset *rs, const perfdb_json_doc *doc, const perfdb_jnode *node,
		   const char *key, const char *bench, const char *measure, const char *what)
{
	int line, column;
	perfdb_json__where(doc, node, key, &line, &column);
	return perfdb_resultset_warn(rs, "%s:%d:%d: benchmark '%s' measure '%s': %s",
				     perfdb_json__name(doc), line, column, bench, measure, what);
}

static int read_measure(perfdb_resultset *rs, const perfdb_json_doc *doc, const char *bench,
			const perfdb_jmember *m)
{
	const perfdb_jnode *obj = m->value;
	const perfdb_jmember *k;
	perfdb_result res;
	double value, lo, hi;
	size_t i;
	int err;

	if (!perfdb_json__is_object(obj))
		return perfdb_json__error(doc, obj, NULL, "expected a measure object, found %s",
					  perfdb_json__type_name(obj));
	for (i = 0; (k = perfdb_json__member_at(obj, i)); i++)
		if (strcmp(k->key, "value") != 0 && strcmp(k->key, "lower_value") != 0 &&
		    strcmp(k->key, "upper_value") != 0)
			return perfdb_json__error(
			    doc, obj, k->key,
			    "unknown key (a BMF measure has value, lower_value, upper_value)");
	if ((err = perfdb_json__member_number(doc, obj, "value", true, &value)) < 0 ||
	    (err = perfdb_json__member_number(doc, obj, "lower_value", false, &lo)) < 0 ||
	    (err = perfdb_json__member_number(doc, obj, "upper_value", false, &hi)) < 0)
		return err;
	if (!isfinite(value))
		return warn_at(rs, doc, obj, "value", bench, m->key,
			       "value is not a number; not recorded");
	if ((!isnan(lo) && !(lo <= value)) || (!isnan(hi) && !(hi >= value))) {
		char what[160];
		snprintf(what, sizeof(what),
			 "bounds [%.17g, %.17g] do not enclose the value %.17g; the value is "
			 "recorded, the bounds are not",
			 lo, hi, value);
		if ((err = warn_at(rs, doc, obj,
				   isnan(lo) || lo <= value ? "upper_value" : "lower_value", bench,
				   m->key, what)))
			return err;
	}
	perfdb_result_init(&res);
	res.benchmark = bench;
	res.metric = m->key;
	res.value = value;
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(m->key, builtin[i].measure) == 0) {
			res.unit = builtin[i].unit;
			res.direction = builtin[i].direction;
		}
	if (!perfdb_ingest__fits_unit(&res))
		return perfdb_json__error(doc, obj, "value", "out of range");
	if ((err = perfdb_resultset_add(rs, &res)))
		return perfdb_json__placed(err, doc, obj, NULL);
	return 0;
}

/* The benchmark whose measures are the object `measures` (a member's value
 * of the top-level object): perfdb_json_item_fn of the document read whole
 * or a member at a time (json_stream.h; a benchmark of many measures may
 * come in several pieces, one after the other). */
static int read_benchmark(void *ctx, const perfdb_jnode *measures, size_t index)
{
	const bmf *r = ctx;
	const perfdb_jnode *root = measures->parent;
	const char *bench = root->u.obj.members[measures->index].key;
	const perfdb_jmember *m;
	size_t j;
	int err;

	(void)index;
	if (!*bench)
		return perfdb_json__error(r->doc, root, bench, "empty benchmark name");
	if (!perfdb_json__is_object(measures))
		return perfdb_json__error(r->doc, measures, NULL,
					  "expected an object of measures, found %s",
					  perfdb_json__type_name(measures));
	if (perfdb_json__size(measures) == 0 &&
	    (err = perfdb_resultset_warn(r->rs, "%s: benchmark '%s' has no measures",
					 perfdb_json__name(r->doc), bench)))
		return err;
	for (j = 0; (m = perfdb_json__member_at(measures, j)); j++)
		if ((err = read_measure(r->rs, r->doc, bench, m)))
			return err;
	return 0;
}

/* doc is the file's, or the skeleton of stream s (NULL: read whole). */
static int read_either(perfdb_resultset *rs, const perfdb_json_doc *doc, perfdb_json_stream *s)
{
	const perfdb_jnode *root = perfdb_json__root(doc);
	bmf r = {NULL, doc};
	int err;

	if ((err = perfdb_resultset_new(&r.rs)) ||
	    (err = perfdb_resultset_set_meta(r.rs, PERFDB_META_SOURCE, "bmf")))
		goto done;
	if (!perfdb_json__is_object(root)) {
		err = perfdb_json__stream_fail(
		    s, perfdb_json__error(doc, NULL, NULL,
					  "expected an object of benchmarks (BMF), found %s",
					  perfdb_json__type_name(root)));
		goto done;
	}
	/* final as made: on to rs's sink a batch at a time */
	err = perfdb_json__read_items(rs, r.rs, doc, s, root, read_benchmark, &r, "benchmarks");
done:
	perfdb_resultset_free(r.rs);
	return err;
}

int perfdb_ingest__bmf(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc = NULL;
	int err;

	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	err = read_either(rs, doc, NULL);
	perfdb_json__free(doc);
	return err;
}

int perfdb_ingest__bmf_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	return read_either(rs, perfdb_json__stream_doc(stream), stream);
}
