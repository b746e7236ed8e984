/*
 * Google Benchmark JSON (--benchmark_format=json, --benchmark_out=FILE).
 *
 * Google Benchmark prints one row per repetition ("iteration" rows) and,
 * with repetitions, one row per statistic ("aggregate" rows: mean, median,
 * stddev, cv and user statistics), all sharing `run_name`. perfdb wants one
 * result per (benchmark, metric) with the repetitions as samples, so rows are
 * gathered per run_name first and turned into results at the end. The whole
 * file is read before anything reaches the caller's resultset.
 *
 * The mapping is documented field by field in docs/formats-gbench-hyperfine.md;
 * the comments here say why where it is not obvious.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/json.h"
#include "perfdb/context.h"
#include "util/error.h"

/* One statistic from an aggregate row that is not mean/median/stddev/min/max
 * (a user statistic such as "p90"): stored as its own metric. */
typedef struct metric {
	char *name;
	char *unit;
	perfdb_direction direction;
	double *samples;
	size_t nsamples, cap;
	double value; /* a single value (complexity rows, user statistics) */
	double mean, median, stddev, min, max;
	int64_t n;
	bool skipped; /* a non-finite value was seen: never stored */
} metric;

typedef struct bench {
	char *name;
	metric *metrics;
	size_t nmetrics, cap;
	int64_t repetitions;
} bench;

typedef struct reader {
	perfdb_json_doc *doc;
	perfdb_resultset *rs; /* private; merged into the caller's on success */
	bench *benches;
	size_t nbenches, cap;
	size_t *hash; /* bench index + 1, 0 empty */
	size_t hcap;
} reader;

/* Fields Google Benchmark writes itself, sorted for bsearch; every other
 * numeric member of a row is a user counter. `numeric`: must be a number. */
typedef struct field {
	const char *name;
	bool numeric;
} field;

static const field known_fields[] = {
    {"aggregate_name", false},
    {"aggregate_unit", false},
    {"big_o", false},
    {"cpu_coefficient", true},
    {"cpu_time", true},
    {"error_message", false},
    {"error_occurred", false},
    {"family_index", true},
    {"iterations", true},
    {"label", false},
    {"name", false},
    {"per_family_instance_index", true},
    {"real_coefficient", true},
    {"real_time", true},
    {"repetition_index", true},
    {"repetitions", true},
    {"rms", true},
    {"run_name", false},
    {"run_type", false},
    {"skip_message", false},
    {"skipped", false},
    {"threads", true},
    {"time_unit", false},
};

/* Memory manager fields: numbers with a known unit, stored like counters. */
typedef struct memory_field {
	const char *name;
	const char *unit;
} memory_field;

static const memory_field memory_fields[] = {
    {"allocs_per_iter", ""},
    {"max_bytes_used", "B"},
    {"total_allocated_bytes", "B"},
    {"net_heap_growth", "B"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int cmp_field(const void *key, const void *f)
{
	return strcmp(key, ((const field *)f)->name);
}

static const field *known_field(const char *key)
{
	return bsearch(key, known_fields, COUNT(known_fields), sizeof(known_fields[0]), cmp_field);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* --- benchmarks and metrics ------------------------------------------------- */

static void metric_release(metric *m)
{
	free(m->name);
	free(m->unit);
	free(m->samples);
}

static void reader_release(reader *r)
{
	size_t i, j;
	for (i = 0; i < r->nbenches; i++) {
		for (j = 0; j < r->benches[i].nmetrics; j++)
			metric_release(&r->benches[i].metrics[j]);
		free(r->benches[i].metrics);
		free(r->benches[i].name);
	}
	free(r->benches);
	free(r->hash);
	perfdb_json__free(r->doc);
	perfdb_resultset_free(r->rs);
}

static size_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static int rehash(reader *r, size_t cap)
{
	size_t i, *hash = calloc(cap, sizeof(*hash));
	if (!hash)
		return perfdb_error__oom();
	for (i = 0; i < r->nbenches; i++) {
		size_t h = hash_str(r->benches[i].name) & (cap - 1);
		while (hash[h])
			h = (h + 1) & (cap - 1);
		hash[h] = i + 1;
	}
	free(r->hash);
	r->hash = hash;
	r->hcap = cap;
	return 0;
}

/* The benchmark called name, created on first sight (results keep the order in
 * which benchmarks first appear in the file). */
static int get_bench(reader *r, const char *name, bench **out)
{
	size_t h;
	bench *b;
	int err;

	if (r->hcap) {
		for (h = hash_str(name) & (r->hcap - 1); r->hash[h]; h = (h + 1) & (r->hcap - 1)) {
			if (strcmp(r->benches[r->hash[h] - 1].name, name) == 0) {
				*out = &r->benches[r->hash[h] - 1];
				return 0;
			}
		}
	}
	if (r->nbenches == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		bench *bs = realloc(r->benches, cap * sizeof(*bs));
		if (!bs)
			return perfdb_error__oom();
		r->benches = bs;
		r->cap = cap;
	}
	b = &r->benches[r->nbenches];
	memset(b, 0, sizeof(*b));
	if (!(b->name = dup_str(name)))
		return perfdb_error__oom();
	r->nbenches++;
	if (r->nbenches * 2 > r->hcap) {
		if ((err = rehash(r, r->hcap ? r->hcap * 2 : 64)))
			return err;
	} else {
		h = hash_str(name) & (r->hcap - 1);
		while (r->hash[h])
			h = (h + 1) & (r->hcap - 1);
		r->hash[h] = r->nbenches;
	}
	*out = b;
	return 0;
}

static int get_metric(bench *b, const char *name, const char *unit, perfdb_direction dir,
		      metric **out)
{
	size_t i;
	metric *m;
	for (i = 0; i < b->nmetrics; i++) {
		if (strcmp(b->metrics[i].name, name) == 0) {
			*out = &b->metrics[i];
			return 0;
		}
	}
	if (b->nmetrics == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		metric *ms = realloc(b->metrics, cap * sizeof(*ms));
		if (!ms)
			return perfdb_error__oom();
		b->metrics = ms;
		b->cap = cap;
	}
	m = &b->metrics[b->nmetrics];
	memset(m, 0, sizeof(*m));
	m->value = m->mean = m->median = m->stddev = m->min = m->max = NAN;
	m->direction = dir;
	m->name = dup_str(name);
	m->unit = dup_str(unit);
	if (!m->name || !m->unit) {
		metric_release(m);
		return perfdb_error__oom();
	}
	b->nmetrics++;
	*out = m;
	return 0;
}

static int add_sample(metric *m, double v)
{
	if (m->nsamples == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		double *s = realloc(m->samples, cap * sizeof(*s));
		if (!s)
			return perfdb_error__oom();
		m->samples = s;
		m->cap = cap;
	}
	m->samples[m->nsamples++] = v;
	return 0;
}

/* --- reading rows ---------------------------------------------------------------- */

/* Unit and direction of a user counter, from its name: Google Benchmark's
 * JSON does not say whether a counter is a rate, so names decide. */
static void counter_unit(const char *name, char *unit, size_t cap, perfdb_direction *dir)
{
	size_t i;
	*dir = PERFDB_DIRECTION_UNSET;
	unit[0] = '\0';
	for (i = 0; i < COUNT(memory_fields); i++) {
		if (strcmp(name, memory_fields[i].name) == 0) {
			snprintf(unit, cap, "%s", memory_fields[i].unit);
			return;
		}
	}
	if (strcmp(name, "bytes_per_second") == 0) {
		snprintf(unit, cap, "B/s");
	} else if (ends_with(name, "_per_second") && strlen(name) > strlen("_per_second")) {
		snprintf(unit, cap, "%.*s/s", (int)(strlen(name) - strlen("_per_second")), name);
	} else if (ends_with(name, "_rate")) {
		*dir = PERFDB_HIGHER_IS_BETTER;
	}
}

static const char *valid_time_unit(const char *u)
{
	static const char *const units[] = {"ns", "us", "ms", "s"};
	size_t i;
	for (i = 0; i < COUNT(units); i++)
		if (strcmp(u, units[i]) == 0)
			return units[i];
	return NULL;
}

/* Reads time_unit of a row that has times. */
static int row_time_unit(reader *r, const json_t *row, const char **unit)
{
	const char *u;
	int err = perfdb_json__member_string(r->doc, row, "time_unit", true, &u);
	if (err < 0)
		return err;
	if (!(*unit = valid_time_unit(u)))
		return perfdb_json__error(r->doc, row, "time_unit",
					  "unknown time unit '%s' (expected ns, us, ms or s)", u);
	return 0;
}

/* Known numeric fields of another type are errors, even in rows that are
 * then left out: the file is not what it claims to be. */
static int check_types(reader *r, const json_t *row)
{
	const char *key;
	json_t *v;
	double d;
	json_object_foreach((json_t *)row, key, v)
	{
		const field *f = known_field(key);
		if (f && f->numeric && !perfdb_json__number(r->doc, v, &d))
			return perfdb_json__error(r->doc, row, key, "expected a number, found %s",
						  perfdb_json__type_name(r->doc, v));
	}
	return 0;
}

static int member_bool(reader *r, const json_t *row, const char *key, bool *out)
{
	json_t *v = json_object_get(row, key);
	*out = false;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return perfdb_json__error(r->doc, row, key, "expected true or false, found %s",
					  perfdb_json__type_name(r->doc, v));
	*out = json_is_true(v);
	return 0;
}

static int mark_skipped(reader *r, const char *bench_name, metric *m, const char *what, double v)
{
	if (m->skipped)
		return 0;
	m->skipped = true;
	return perfdb_resultset_warn(r->rs, "benchmark '%s': metric '%s' is %s in %s; not recorded",
				     bench_name, m->name, isnan(v) ? "NaN" : "infinite", what);
}

/* One value of a row into metric `name` of b: a sample for iteration rows,
 * a statistic for aggregate rows (agg names which). */
static int put_value(reader *r, bench *b, const char *name, const char *unit, perfdb_direction dir,
		     const char *agg, bool percentage, double v)
{
	metric *m;
	char what[160];
	int err;

	if (agg && strcmp(agg, "cv") == 0)
		return 0; /* a ratio derived from mean and stddev: nothing to keep */
	if (agg && strcmp(agg, "mean") && strcmp(agg, "median") && strcmp(agg, "stddev") &&
	    strcmp(agg, "min") && strcmp(agg, "max")) {
		/* A user statistic: its own metric ("real_time_p90"). */
		char mname[256];
		snprintf(mname, sizeof(mname), "%s_%s", name, agg);
		if ((err = get_metric(b, mname, percentage ? "" : unit, dir, &m)))
			return err;
		if (!isfinite(v))
			return mark_skipped(r, b->name, m, "an aggregate row", v);
		m->value = v;
		return 0;
	}
	if (agg && percentage)
		return 0; /* a mean/median/... in percent is not on the metric's scale */
	if ((err = get_metric(b, name, unit, dir, &m)))
		return err;
	if (!agg) {
		if (!isfinite(v))
			return mark_skipped(r, b->name, m, "an iteration row", v);
		return add_sample(m, v);
	}
	if (!isfinite(v)) {
		/* An unknown statistic stays unknown (NAN); it never becomes a number. */
		snprintf(what, sizeof(what), "the '%s' aggregate", agg);
		if (strcmp(agg, "mean") == 0)
			return mark_skipped(r, b->name, m, what, v);
		return perfdb_resultset_warn(
		    r->rs,
		    "benchmark '%s': aggregate '%s' of '%s' is not a finite "
		    "number; ignored",
		    b->name, agg, name);
	}
	if (strcmp(agg, "mean") == 0)
		m->mean = v;
	else if (strcmp(agg, "median") == 0)
		m->median = v;
	else if (strcmp(agg, "stddev") == 0)
		m->stddev = v;
	else if (strcmp(agg, "min") == 0)
		m->min = v;
	else
		m->max = v;
	return 0;
}

/* A complexity row: `_BigO` (coefficients of the fitted curve, in time_unit)
 * or `_RMS` (normalised root mean square error of the fit, a ratio). Stored
 * as single values under the row's own name; the fitted curve is part of the
 * metric name so a different fit never continues the old series. */
static int read_complexity(reader *r, const json_t *row, const char *name)
{
	bench *b;
	metric *m;
	double v;
	int err;

	if ((err = get_bench(r, name, &b)))
		return err;
	if (json_object_get(row, "rms")) {
		if ((err = perfdb_json__member_number(r->doc, row, "rms", true, &v)) < 0 ||
		    (err = get_metric(b, "rms", "", PERFDB_LOWER_IS_BETTER, &m)))
			return err;
		if (!isfinite(v))
			return mark_skipped(r, name, m, "the RMS row", v);
		m->value = v;
		return 0;
	} else {
		static const char *const keys[] = {"cpu_coefficient", "real_coefficient"};
		const char *big_o, *unit;
		char mname[160];
		size_t i;
		if ((err = perfdb_json__member_string(r->doc, row, "big_o", true, &big_o)) < 0 ||
		    (err = row_time_unit(r, row, &unit)) < 0)
			return err;
		for (i = 0; i < COUNT(keys); i++) {
			if ((err = perfdb_json__member_number(r->doc, row, keys[i], true, &v)) < 0)
				return err;
			snprintf(mname, sizeof(mname), "%s[%s]", keys[i], big_o);
			if ((err = get_metric(b, mname, unit, PERFDB_LOWER_IS_BETTER, &m)))
				return err;
			if (!isfinite(v)) {
				if ((err = mark_skipped(r, name, m, "the BigO row", v)))
					return err;
				continue;
			}
			m->value = v;
		}
		return 0;
	}
}

static int read_row(reader *r, const json_t *list, size_t index)
{
	const json_t *row = json_array_get(list, index);
	const char *name, *run_name, *run_type, *agg = NULL, *agg_unit = NULL, *msg, *unit;
	bool errored, skipped, percentage = false;
	const char *key;
	json_t *v;
	bench *b;
	double d;
	int err;

	if (!json_is_object(row))
		return perfdb_json__error_item(r->doc, list, index, "expected an object, found %s",
					       perfdb_json__type_name(r->doc, row));
	if ((err = perfdb_json__member_string(r->doc, row, "name", true, &name)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, row, "run_name", false, &run_name)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, row, "run_type", false, &run_type)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, row, "aggregate_name", false, &agg)) < 0 ||
	    (err = perfdb_json__member_string(r->doc, row, "aggregate_unit", false, &agg_unit)) <
		0 ||
	    (err = member_bool(r, row, "error_occurred", &errored)) < 0 ||
	    (err = member_bool(r, row, "skipped", &skipped)) < 0 || (err = check_types(r, row)) < 0)
		return err;
	if (!*name)
		return perfdb_json__error(r->doc, row, "name", "empty benchmark name");
	if (!run_name || !*run_name)
		run_name = name; /* files from before run_name existed */

	if (errored || skipped) {
		const char *mkey = errored ? "error_message" : "skip_message";
		if ((err = perfdb_json__member_string(r->doc, row, mkey, false, &msg)) < 0)
			return err;
		return perfdb_resultset_warn(r->rs, "benchmark '%s' %s%s%s; not recorded", name,
					     errored ? "failed" : "was skipped", msg ? ": " : "",
					     msg ? msg : "");
	}
	if (run_type && strcmp(run_type, "iteration") && strcmp(run_type, "aggregate"))
		return perfdb_json__error(r->doc, row, "run_type",
					  "unknown run_type '%s' (expected iteration or aggregate)",
					  run_type);
	if (run_type && strcmp(run_type, "aggregate") == 0 && !agg)
		return perfdb_json__error(r->doc, row, "aggregate_name",
					  "missing (an aggregate row needs a name)");
	if (run_type && strcmp(run_type, "iteration") == 0)
		agg = NULL; /* an aggregate_name on an iteration row means nothing */
	if (json_object_get(row, "big_o") || json_object_get(row, "rms") ||
	    (agg && (strcmp(agg, "BigO") == 0 || strcmp(agg, "RMS") == 0)))
		return read_complexity(r, row, name);
	if (agg_unit) {
		if (strcmp(agg_unit, "percentage") == 0)
			percentage = true;
		else if (strcmp(agg_unit, "time"))
			return perfdb_json__error(r->doc, row, "aggregate_unit",
						  "unknown aggregate_unit '%s'", agg_unit);
	}

	if ((err = row_time_unit(r, row, &unit)) < 0 || (err = get_bench(r, run_name, &b)))
		return err;
	if ((err = perfdb_json__member_number(r->doc, row, "repetitions", false, &d)) < 0)
		return err;
	if (err == 0 && d >= 1 && d < 1e12)
		b->repetitions = (int64_t)d;
	if ((err = perfdb_json__member_number(r->doc, row, "real_time", true, &d)) < 0 ||
	    (err =
		 put_value(r, b, "real_time", unit, PERFDB_DIRECTION_UNSET, agg, percentage, d)) ||
	    (err = perfdb_json__member_number(r->doc, row, "cpu_time", true, &d)) < 0 ||
	    (err = put_value(r, b, "cpu_time", unit, PERFDB_DIRECTION_UNSET, agg, percentage, d)))
		return err;

	/* Every other numeric member is a user counter. */
	json_object_foreach((json_t *)row, key, v)
	{
		char cunit[160];
		perfdb_direction dir;
		if (known_field(key) || !perfdb_json__number(r->doc, v, &d))
			continue;
		counter_unit(key, cunit, sizeof(cunit), &dir);
		if ((err = put_value(r, b, key, cunit, dir, agg, percentage, d)))
			return err;
	}
	return 0;
}

/* --- context ------------------------------------------------------------------ */

static int read_context(reader *r, const json_t *ctx)
{
	const char *key;
	json_t *v;
	char buf[64], iso[32];
	int err;

	if (!ctx)
		return 0;
	if (!json_is_object(ctx))
		return perfdb_json__error(r->doc, NULL, "context", "expected an object, found %s",
					  perfdb_json__type_name(r->doc, ctx));
	json_object_foreach((json_t *)ctx, key, v)
	{
		char *text = NULL;
		const char *value = buf;
		double d;
		if (perfdb_json__number(r->doc, v, &d)) {
			if (json_is_integer(v))
				snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(v));
			else
				snprintf(buf, sizeof(buf), "%.17g", d);
		} else if (json_is_string(v)) {
			value = json_string_value(v);
		} else if (json_is_boolean(v)) {
			value = json_is_true(v) ? "true" : "false";
		} else if (json_is_null(v)) {
			continue;
		} else {
			/* caches[], load_avg[]: kept as compact JSON text. */
			if (!(text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
						       JSON_REAL_PRECISION(15))))
				return perfdb_error__oom();
			value = text;
		}
		err = perfdb_resultset_set_context(r->rs, key, value);
		free(text);
		if (err)
			return err;
	}
	/* The time the benchmarks ran is when the run started, not when it is
	 * recorded; a date perfdb cannot read is left in the context only. */
	v = json_object_get(ctx, "date");
	if (json_is_string(v)) {
		if (perfdb_time_parse_iso(iso, sizeof(iso), json_string_value(v)) == 0)
			return perfdb_resultset_set_meta(r->rs, PERFDB_META_STARTED_AT, iso);
		perfdb_error_clear();
	}
	return 0;
}

/* --- results -------------------------------------------------------------------- */

static void min_max(const metric *m, double *lo, double *hi)
{
	size_t i;
	*lo = *hi = m->samples[0];
	for (i = 1; i < m->nsamples; i++) {
		if (m->samples[i] < *lo)
			*lo = m->samples[i];
		if (m->samples[i] > *hi)
			*hi = m->samples[i];
	}
}

static int emit(reader *r, const bench *b, const metric *m)
{
	perfdb_result res;
	perfdb_result_init(&res);
	res.benchmark = b->name;
	res.metric = m->name;
	res.unit = m->unit;
	res.direction = m->direction;
	res.mean = m->mean;
	res.median = m->median;
	res.stddev = m->stddev;
	res.min = m->min;
	res.max = m->max;
	res.samples = m->samples;
	res.nsamples = m->nsamples;
	if (m->nsamples) {
		double lo, hi;
		min_max(m, &lo, &hi);
		if (isnan(res.min))
			res.min = lo;
		if (isnan(res.max))
			res.max = hi;
		/* value: the aggregate mean when Google Benchmark gave one, else
		 * the samples' mean (NAN tells the resultset to compute it). */
		res.value = m->mean;
	} else if (isfinite(m->value)) {
		res.value = m->value;
	} else if (isfinite(m->mean)) {
		/* ReportAggregatesOnly: no repetitions, only their statistics. */
		res.value = m->mean;
		res.n = b->repetitions;
	} else {
		return perfdb_resultset_warn(
		    r->rs,
		    "benchmark '%s': metric '%s' has no value (no iteration "
		    "row and no mean); not recorded",
		    b->name, m->name);
	}
	return perfdb_resultset_add(r->rs, &res);
}

static int emit_all(reader *r)
{
	size_t i, j;
	int err;
	for (i = 0; i < r->nbenches; i++) {
		for (j = 0; j < r->benches[i].nmetrics; j++) {
			const metric *m = &r->benches[i].metrics[j];
			if (m->skipped)
				continue;
			if ((err = emit(r, &r->benches[i], m)))
				return err;
		}
	}
	return 0;
}

int perfdb_ingest__gbench(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	reader r;
	const json_t *root, *list;
	size_t i;
	int err;

	memset(&r, 0, sizeof(r));
	if ((err = perfdb_json__load(&r.doc, data, len, name)))
		return err;
	if ((err = perfdb_resultset_new(&r.rs)))
		goto done;
	root = perfdb_json__root(r.doc);
	if (!json_is_object(root)) {
		err = perfdb_json__error(r.doc, NULL, NULL,
					 "expected an object with \"benchmarks\", found %s",
					 perfdb_json__type_name(r.doc, root));
		goto done;
	}
	list = json_object_get(root, "benchmarks");
	if (!list) {
		err = perfdb_json__error(r.doc, NULL, "benchmarks",
					 "missing (not Google Benchmark "
					 "JSON?)");
		goto done;
	}
	if (!json_is_array(list)) {
		err = perfdb_json__error(r.doc, NULL, "benchmarks", "expected an array, found %s",
					 perfdb_json__type_name(r.doc, list));
		goto done;
	}
	if ((err = perfdb_resultset_set_meta(r.rs, PERFDB_META_SOURCE, "gbench")) ||
	    (err = read_context(&r, json_object_get(root, "context"))))
		goto done;
	for (i = 0; i < json_array_size(list); i++)
		if ((err = read_row(&r, list, i)))
			goto done;
	if ((err = emit_all(&r)))
		goto done;
	if (perfdb_resultset_count(r.rs) == 0 && json_array_size(list) == 0 &&
	    (err = perfdb_resultset_warn(r.rs, "%s: no benchmarks in the file",
					 perfdb_json__name(r.doc))))
		goto done;
	err = perfdb_resultset_merge(rs, r.rs);
done:
	reader_release(&r);
	return err;
}
