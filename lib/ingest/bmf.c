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
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
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
	return perfdb_resultset_add(rs, &res);
}

int perfdb_ingest__bmf(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	perfdb_json_doc *doc = NULL;
	perfdb_resultset *out = NULL;
	const perfdb_jnode *root;
	const perfdb_jmember *b, *m;
	size_t i, j;
	int err;

	if ((err = perfdb_json__load(&doc, data, len, name)))
		return err;
	if ((err = perfdb_resultset_new(&out)) ||
	    (err = perfdb_resultset_set_meta(out, PERFDB_META_SOURCE, "bmf")))
		goto done;
	/* final as made: on to rs's sink a batch at a time (gotest.c) */
	perfdb_resultset__stream_into(out, rs);
	root = perfdb_json__root(doc);
	if (!perfdb_json__is_object(root)) {
		err = perfdb_json__error(doc, NULL, NULL,
					 "expected an object of benchmarks (BMF), found %s",
					 perfdb_json__type_name(root));
		goto done;
	}
	for (i = 0; (b = perfdb_json__member_at(root, i)); i++) {
		if (!*b->key) {
			err = perfdb_json__error(doc, root, b->key, "empty benchmark name");
			goto done;
		}
		if (!perfdb_json__is_object(b->value)) {
			err = perfdb_json__error(doc, b->value, NULL,
						 "expected an object of measures, found %s",
						 perfdb_json__type_name(b->value));
			goto done;
		}
		if (perfdb_json__size(b->value) == 0 &&
		    (err = perfdb_resultset_warn(out, "%s: benchmark '%s' has no measures", name,
						 b->key)))
			goto done;
		for (j = 0; (m = perfdb_json__member_at(b->value, j)); j++)
			if ((err = read_measure(out, doc, b->key, m)))
				goto done;
	}
	if (i == 0 && (err = perfdb_resultset_warn(out, "%s: no benchmarks in the file", name)))
		goto done;
	err = perfdb_resultset_merge(rs, out);
done:
	perfdb_resultset_free(out);
	perfdb_json__free(doc);
	return err;
}
