/*
 * Google Benchmark JSON (--benchmark_format=json, --benchmark_out=FILE).
 *
 * Google Benchmark prints one row per repetition ("iteration" rows) and,
 * with repetitions, one row per statistic ("aggregate" rows: mean, median,
 * stddev, cv and user statistics), all sharing `run_name`. perfdb wants one
 * result per (benchmark, metric) with the repetitions as samples, so rows are
 * gathered per run_name (and family_index) first and turned into results at
 * the end; files from before run_name are grouped by their row names. The whole
 * file is read before anything reaches the caller's resultset: from a buffer
 * (one tree), or from a file one row at a time (json_stream.h), when names
 * taken from a row are copied, since the row is freed after it is read.
 *
 * The mapping is documented field by field in lib/ingest/README.md ("Google Benchmark
 * and hyperfine input"); the comments here say why where it is not obvious.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/json.h"
#include "ingest/json_stream.h"
#include "ingest/reader.h"
#include "perfdb/context.h"
#include "util/error.h"

/* Samples kept in the metric itself: most metrics have one (no repetitions)
 * or a few, and a heap block each would cost more than reading the row. */
#define INLINE_SAMPLES 2

/* One metric of a benchmark. A statistic from an aggregate row that is not
 * mean/median/stddev/min/max (a user statistic such as "p90") is a metric
 * of its own. Names and units are borrowed from the document, static, or
 * in the reader's string arena: they all live until the results are out. */
typedef struct metric {
	const char *name;
	const char *unit;
	double inline_samples[INLINE_SAMPLES];
	double *heap_samples; /* all samples once there are more than INLINE_SAMPLES */
	double value;	      /* a single value (complexity rows, user statistics) */
	double mean, median, stddev, min, max;
	uint32_t nsamples, cap;
	uint32_t next;	   /* the benchmark's next metric: index in reader.metrics + 1; 0 ends */
	uint8_t direction; /* perfdb_direction */
	bool skipped;	   /* a non-finite value was seen: never stored */
} metric;

typedef struct bench {
	const char *name;     /* run_name, borrowed from the document or in the arena */
	const char *series;   /* the name results get (series_names) */
	uint64_t hash;	      /* of name */
	int64_t family;	      /* family_index, -1 when the file has none */
	uint32_t first, last; /* its metrics, in order of first sight (indices + 1) */
	int64_t repetitions;
	uint32_t nok;	       /* iteration rows read */
	uint32_t nfailed;      /* rows with error_occurred or skipped */
	const char *fail_msg;  /* the first failed row's message, or NULL */
	bool fail_skipped;     /* that row was skipped, not errored */
	bool shared_name;      /* another family has the same run_name */
	uint32_t line, column; /* of its name in its first row, for a result refused */
} bench;

/* Composed names ("real_time_p90", "items/s"), in chunks freed together. */
typedef struct name_chunk {
	struct name_chunk *next;
	size_t used, cap;
	char text[];
} name_chunk;

typedef struct reader {
	const perfdb_json_doc *doc;
	perfdb_json_doc *own_doc;   /* doc, when read from a buffer */
	perfdb_json_stream *stream; /* the file, when read an item at a time: names
				       from the document are then copied */
	perfdb_resultset *rs;	    /* private; merged into the caller's on success */
	bench *benches;
	size_t nbenches, cap;
	metric *metrics; /* of every benchmark */
	size_t nmetrics, metrics_cap;
	size_t *hash; /* bench index + 1, 0 empty */
	size_t hcap;
	name_chunk *names;
	const char **row_names; /* every row's name, for aggregate_suffix; made on demand */
	size_t row_names_cap, nrow_names;
	char *scratch; /* a name being composed */
	size_t scratch_cap;
} reader;

/* Fields Google Benchmark writes itself; every other numeric member of a row
 * is a user counter. `numeric`: must be a number. Sorted by name length, for
 * known_field. */
typedef struct field {
	const char *name;
	unsigned char len;
	bool numeric;
} field;

/* clang-format off */
#define FIELD(s, numeric) {s, sizeof(s) - 1, numeric}
/* clang-format on */

enum {
	F_RMS,
	F_NAME,
	F_BIG_O,
	F_LABEL,
	F_SKIPPED,
	F_THREADS,
	F_CPU_TIME,
	F_RUN_NAME,
	F_RUN_TYPE,
	F_REAL_TIME,
	F_TIME_UNIT,
	F_ITERATIONS,
	F_REPETITIONS,
	F_FAMILY_INDEX,
	F_SKIP_MESSAGE,
	F_ERROR_MESSAGE,
	F_AGGREGATE_NAME,
	F_AGGREGATE_UNIT,
	F_ERROR_OCCURRED,
	F_CPU_COEFFICIENT,
	F_REAL_COEFFICIENT,
	F_REPETITION_INDEX,
	F_PER_FAMILY_INSTANCE_INDEX,
	F_COUNT_
};

static const field known_fields[F_COUNT_] = {
    FIELD("rms", true),
    FIELD("name", false),
    FIELD("big_o", false),
    FIELD("label", false),
    FIELD("skipped", false),
    FIELD("threads", true),
    FIELD("cpu_time", true),
    FIELD("run_name", false),
    FIELD("run_type", false),
    FIELD("real_time", true),
    FIELD("time_unit", false),
    FIELD("iterations", true),
    FIELD("repetitions", true),
    FIELD("family_index", true),
    FIELD("skip_message", false),
    FIELD("error_message", false),
    FIELD("aggregate_name", false),
    FIELD("aggregate_unit", false),
    FIELD("error_occurred", false),
    FIELD("cpu_coefficient", true),
    FIELD("real_coefficient", true),
    FIELD("repetition_index", true),
    FIELD("per_family_instance_index", true),
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

/* The first known field of each name length (F_COUNT_: none), from the
 * table above, made once. */
#define MAX_FIELD_LEN 32
static uint8_t first_of_length[MAX_FIELD_LEN + 1];
static pthread_once_t first_of_length_once = PTHREAD_ONCE_INIT;

static void make_first_of_length(void)
{
	int i;
	memset(first_of_length, F_COUNT_, sizeof(first_of_length));
	for (i = F_COUNT_ - 1; i >= 0; i--)
		first_of_length[known_fields[i].len] = (uint8_t)i;
}

/* The F_* of a key, or -1 for a user counter. Every key of every row comes
 * through here: the length picks the one to three candidates. */
static int known_field(const char *key, size_t len)
{
	int i;
	if (len > MAX_FIELD_LEN)
		return -1;
	for (i = first_of_length[len]; i < F_COUNT_ && known_fields[i].len == len; i++) {
		const char *name = known_fields[i].name;
		size_t j = 0;
		while (j < len && name[j] == key[j])
			j++;
		if (j == len)
			return i;
	}
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A copy of s in the reader's string arena, or NULL (out of memory). */
static const char *keep_name(reader *r, const char *s)
{
	size_t n = strlen(s) + 1;
	name_chunk *c = r->names;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 4000 ? n : 4000;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->next = r->names;
		c->used = 0;
		c->cap = cap;
		r->names = c;
	}
	memcpy(c->text + c->used, s, n);
	c->used += n;
	return c->text + c->used - n;
}

/* --- benchmarks and metrics ------------------------------------------------- */

static const double *samples_of(const metric *m)
{
	return m->heap_samples ? m->heap_samples : m->inline_samples;
}

static void reader_release(reader *r)
{
	size_t i;
	name_chunk *c, *next;
	for (i = 0; i < r->nmetrics; i++)
		free(r->metrics[i].heap_samples);
	for (c = r->names; c; c = next) {
		next = c->next;
		free(c);
	}
	free(r->metrics);
	free(r->benches);
	free(r->hash);
	free(r->row_names);
	free(r->scratch);
	perfdb_json__free(r->own_doc);
	perfdb_resultset_free(r->rs);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int rehash(reader *r, size_t cap)
{
	size_t i, *hash = calloc(cap, sizeof(*hash));
	if (!hash)
		return perfdb_error__oom();
	for (i = 0; i < r->nbenches; i++) {
		size_t h = (size_t)r->benches[i].hash & (cap - 1);
		while (hash[h])
			h = (h + 1) & (cap - 1);
		hash[h] = i + 1;
	}
	free(r->hash);
	r->hash = hash;
	r->hcap = cap;
	return 0;
}

/* The benchmark called name, of any family, if there is one. */
static bool lookup_bench(const reader *r, const char *name, bench **out)
{
	uint64_t hv = hash_str(name);
	size_t h;
	if (!r->hcap)
		return false;
	for (h = (size_t)hv & (r->hcap - 1); r->hash[h]; h = (h + 1) & (r->hcap - 1)) {
		bench *b = &r->benches[r->hash[h] - 1];
		if (b->hash == hv && strcmp(b->name, name) == 0) {
			*out = b;
			return true;
		}
	}
	return false;
}

/* One row's members by field, found in one pass over the row. */
typedef struct row_fields {
	const perfdb_jnode *row;
	const perfdb_jnode *f[F_COUNT_];
	const perfdb_jnode *bad_type; /* the first known numeric field that is not a number */
	size_t ncounters;	      /* numeric members that are no known field */
} row_fields;

/* The benchmark called name in family (family_index, -1 when the row has
 * none), created on first sight (results keep the order in which benchmarks
 * first appear in the file). name is borrowed: a string of the document or of
 * the arena. One benchmark registered twice has one run_name and two
 * families: two benchmarks here, told apart in series_names. */
static int get_bench(reader *r, const char *name, const row_fields *rf, int64_t family, bench **out)
{
	uint64_t hv = hash_str(name);
	size_t h;
	bench *b, *same = NULL;
	const perfdb_jnode *at;
	int err;

	if (r->hcap) {
		for (h = (size_t)hv & (r->hcap - 1); r->hash[h]; h = (h + 1) & (r->hcap - 1)) {
			b = &r->benches[r->hash[h] - 1];
			if (b->hash != hv || strcmp(b->name, name) != 0)
				continue;
			if (b->family == family || family < 0 || b->family < 0) {
				*out = b;
				return 0;
			}
			same = b;
		}
	}
	if (r->nbenches == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		bench *bs = realloc(r->benches, cap * sizeof(*bs));
		if (!bs)
			return perfdb_error__oom();
		if (same)
			same = bs + (same - r->benches);
		r->benches = bs;
		r->cap = cap;
	}
	/* where its results that are refused are placed: its name */
	at = name == perfdb_json__string(rf->f[F_RUN_NAME]) ? rf->f[F_RUN_NAME] : rf->f[F_NAME];
	if (r->stream && !(name = keep_name(r, name)))
		return perfdb_error__oom();
	b = &r->benches[r->nbenches];
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->hash = hv;
	b->family = family;
	b->line = at->line;
	b->column = at->column;
	if (same)
		b->shared_name = same->shared_name = true;
	r->nbenches++;
	if (r->nbenches * 2 > r->hcap) {
		if ((err = rehash(r, r->hcap ? r->hcap * 2 : 64)))
			return err;
	} else {
		h = (size_t)hv & (r->hcap - 1);
		while (r->hash[h])
			h = (h + 1) & (r->hcap - 1);
		r->hash[h] = r->nbenches;
	}
	*out = b;
	return 0;
}

/* Metric `name` of b, created on first sight with unit and dir. name and unit
 * must live as long as the reader (see struct metric). */
static int get_metric(reader *r, bench *b, const char *name, const char *unit, perfdb_direction dir,
		      metric **out)
{
	uint32_t i;
	metric *m;
	for (i = b->first; i; i = r->metrics[i - 1].next) {
		m = &r->metrics[i - 1];
		if (m->name == name || strcmp(m->name, name) == 0) {
			*out = m;
			return 0;
		}
	}
	if (r->nmetrics == r->metrics_cap) {
		size_t cap = r->metrics_cap ? r->metrics_cap * 2 : 64;
		metric *ms;
		if (cap >= UINT32_MAX)
			return perfdb_error__oom();
		if (!(ms = realloc(r->metrics, cap * sizeof(*ms))))
			return perfdb_error__oom();
		r->metrics = ms;
		r->metrics_cap = cap;
	}
	m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->value = m->mean = m->median = m->stddev = m->min = m->max = NAN;
	m->direction = (uint8_t)dir;
	m->name = name;
	m->unit = unit;
	if (b->last)
		r->metrics[b->last - 1].next = (uint32_t)r->nmetrics;
	else
		b->first = (uint32_t)r->nmetrics;
	b->last = (uint32_t)r->nmetrics;
	*out = m;
	return 0;
}

static int add_sample(metric *m, double v)
{
	if (m->nsamples < INLINE_SAMPLES) {
		m->inline_samples[m->nsamples++] = v;
		return 0;
	}
	if (m->nsamples == INLINE_SAMPLES || m->nsamples == m->cap) {
		size_t cap = (size_t)m->nsamples * 2;
		double *s;
		if (cap > UINT32_MAX)
			return perfdb_error__oom();
		s = realloc(m->heap_samples, cap * sizeof(*s));
		if (!s)
			return perfdb_error__oom();
		if (!m->heap_samples)
			memcpy(s, m->inline_samples, sizeof(m->inline_samples));
		m->heap_samples = s;
		m->cap = (uint32_t)cap;
	}
	m->heap_samples[m->nsamples++] = v;
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

static void classify(row_fields *rf, const perfdb_jnode *row)
{
	const perfdb_jmember *m;
	size_t i;
	memset(rf, 0, sizeof(*rf));
	rf->row = row;
	for (i = 0; (m = perfdb_json__member_at(row, i)); i++) {
		int k = known_field(m->key, m->key_len);
		if (k < 0) {
			rf->ncounters += m->value->type == PERFDB_JNUMBER;
			continue;
		}
		rf->f[k] = m->value;
		if (known_fields[k].numeric && m->value->type != PERFDB_JNUMBER && !rf->bad_type)
			rf->bad_type = m->value;
	}
}

static int field_string(reader *r, const row_fields *rf, int k, bool required, const char **out)
{
	return perfdb_json__value_string(r->doc, rf->row, known_fields[k].name, rf->f[k], required,
					 out);
}

static int field_number(reader *r, const row_fields *rf, int k, bool required, double *out)
{
	return perfdb_json__value_number(r->doc, rf->row, known_fields[k].name, rf->f[k], required,
					 out);
}

/* Reads time_unit of a row that has times. */
static int row_time_unit(reader *r, const row_fields *rf, const char **unit)
{
	const char *u;
	int err = field_string(r, rf, F_TIME_UNIT, true, &u);
	if (err < 0)
		return err;
	if (!(*unit = valid_time_unit(u)))
		return perfdb_json__error(r->doc, rf->f[F_TIME_UNIT], NULL,
					  "unknown time unit '%s' (expected ns, us, ms or s)", u);
	return 0;
}

static int field_bool(reader *r, const row_fields *rf, int k, bool *out)
{
	const perfdb_jnode *v = rf->f[k];
	*out = false;
	if (!v)
		return 0;
	if (!perfdb_json__is_bool(v))
		return perfdb_json__error(r->doc, v, NULL, "expected true or false, found %s",
					  perfdb_json__type_name(v));
	*out = v->type == PERFDB_JTRUE;
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

/* get_metric's `keep`: which of name and unit are transient (a buffer of the
 * caller) and must be copied when the metric is created. */
enum { KEEP_NAME = 1, KEEP_UNIT = 2 };

static int new_metric(reader *r, bench *b, const char *name, const char *unit, perfdb_direction dir,
		      int keep, metric **out)
{
	size_t before = r->nmetrics;
	metric *m;
	int err;
	if ((err = get_metric(r, b, name, unit, dir, out)))
		return err;
	if (r->nmetrics == before)
		return 0; /* found, not created */
	m = *out;
	if (((keep & KEEP_NAME) && !(m->name = keep_name(r, name))) ||
	    ((keep & KEEP_UNIT) && !(m->unit = keep_name(r, unit))))
		return perfdb_error__oom();
	return 0;
}

/* One value of a row into metric `name` of b: a sample for iteration rows,
 * a statistic for aggregate rows (agg names which). */
static int put_value(reader *r, bench *b, const char *name, const char *unit, perfdb_direction dir,
		     int keep, const char *agg, bool percentage, double v)
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
		if ((err = new_metric(r, b, mname, percentage ? "" : unit, dir,
				      KEEP_NAME | (percentage ? 0 : keep & KEEP_UNIT), &m)))
			return err;
		if (!isfinite(v))
			return mark_skipped(r, b->name, m, "an aggregate row", v);
		m->value = v;
		return 0;
	}
	if (agg && percentage)
		return 0; /* a mean/median/... in percent is not on the metric's scale */
	if ((err = new_metric(r, b, name, unit, dir, keep, &m)))
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
static int read_complexity(reader *r, const row_fields *rf, const char *name, int64_t family)
{
	bench *b;
	metric *m;
	double v;
	int err;

	if ((err = get_bench(r, name, rf, family, &b)))
		return err;
	if (rf->f[F_RMS]) {
		if ((err = field_number(r, rf, F_RMS, true, &v)) < 0 ||
		    (err = new_metric(r, b, "rms", "", PERFDB_LOWER_IS_BETTER, 0, &m)))
			return err;
		if (!isfinite(v))
			return mark_skipped(r, name, m, "the RMS row", v);
		m->value = v;
		return 0;
	} else {
		static const int keys[] = {F_CPU_COEFFICIENT, F_REAL_COEFFICIENT};
		const char *big_o, *unit;
		char mname[160];
		size_t i;
		if ((err = field_string(r, rf, F_BIG_O, true, &big_o)) < 0 ||
		    (err = row_time_unit(r, rf, &unit)) < 0)
			return err;
		for (i = 0; i < COUNT(keys); i++) {
			if ((err = field_number(r, rf, keys[i], true, &v)) < 0)
				return err;
			snprintf(mname, sizeof(mname), "%s[%s]", known_fields[keys[i]].name, big_o);
			if ((err = new_metric(r, b, mname, unit, PERFDB_LOWER_IS_BETTER, KEEP_NAME,
					      &m)))
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

/* --- aggregates named by suffix ---------------------------------------------------- */

/* A copy of the first len bytes of s followed by suffix, in r->scratch (valid
 * until the next call), or NULL when out of memory. */
static const char *compose(reader *r, const char *s, size_t len, const char *suffix)
{
	size_t n = len + strlen(suffix) + 1;
	if (n > r->scratch_cap) {
		char *p = realloc(r->scratch, n * 2);
		if (!p)
			return NULL;
		r->scratch = p;
		r->scratch_cap = n * 2;
	}
	memcpy(r->scratch, s, len);
	memcpy(r->scratch + len, suffix, n - len);
	return r->scratch;
}

/* Adds s to the set of row names, which has room. */
static void add_row_name(reader *r, const char *s)
{
	size_t h, cap = r->row_names_cap;
	for (h = (size_t)hash_str(s) & (cap - 1); r->row_names[h]; h = (h + 1) & (cap - 1))
		if (strcmp(r->row_names[h], s) == 0)
			return;
	r->row_names[h] = s;
}

static int alloc_row_names(reader *r, size_t n)
{
	size_t cap = 64;
	while (cap < n * 2)
		cap *= 2;
	if (!(r->row_names = calloc(cap, sizeof(*r->row_names))))
		return perfdb_error__oom();
	r->row_names_cap = cap;
	return 0;
}

/* A row's name into the set (growing it), for a file read an item at a time:
 * the name is copied, since the item goes away. */
static int stream_row_name(void *ctx, const perfdb_jnode *row, size_t index)
{
	reader *r = ctx;
	const char *s = perfdb_json__string(perfdb_json__get(row, "name"));
	(void)index;
	if (!s)
		return 0;
	if (r->nrow_names * 2 >= r->row_names_cap) {
		const char **old = r->row_names;
		size_t i, cap = r->row_names_cap;
		if (alloc_row_names(r, cap)) {
			r->row_names = old;
			return perfdb_error__oom();
		}
		for (i = 0; i < cap; i++)
			if (old[i])
				add_row_name(r, old[i]);
		free(old);
	}
	if (!(s = keep_name(r, s)))
		return perfdb_error__oom();
	r->nrow_names++;
	add_row_name(r, s);
	return 0;
}

/* The names of all rows of list, in an open-addressing set (made once): from
 * the tree, or by a pass over the file's items. */
static int make_row_names(reader *r, const perfdb_jnode *list)
{
	size_t i, n = perfdb_json__size(list);
	int err;
	if (r->row_names)
		return 0;
	if (r->stream) {
		if ((err = alloc_row_names(r, 32)))
			return err;
		return perfdb_json__stream_items(r->stream, stream_row_name, r, NULL);
	}
	if ((err = alloc_row_names(r, n)))
		return err;
	for (i = 0; i < n; i++) {
		const char *s =
		    perfdb_json__string(perfdb_json__get(perfdb_json__item(list, i), "name"));
		if (s)
			add_row_name(r, s);
	}
	return 0;
}

static bool has_row_name(const reader *r, const char *s)
{
	size_t h;
	for (h = (size_t)hash_str(s) & (r->row_names_cap - 1); r->row_names[h];
	     h = (h + 1) & (r->row_names_cap - 1))
		if (strcmp(r->row_names[h], s) == 0)
			return true;
	return false;
}

/*
 * Before run_type (Google Benchmark 1.5) an aggregate row was told apart only
 * by its name: "BM_X_mean", "BM_X_median", "BM_X_stddev" and user statistics
 * ("BM_X_p90") after the repetitions of BM_X. A benchmark may well be called
 * BM_running_mean, so the suffix alone proves nothing; but Google Benchmark
 * always wrote _mean and _stddev together, so "X_s" is statistic s of X when
 * the file also has rows named "X_mean" and "X_stddev". A row that says it is
 * an aggregate (run_type, but no aggregate_name: hand-written inputs of
 * gbench's own tools) needs only a built-in statistic's name as suffix.
 *
 * Returns 1 with *base_len (the length of X in name) and *stat set, 0 when
 * name is no aggregate's, or an error.
 */
static int aggregate_suffix(reader *r, const perfdb_jnode *list, const char *name, bool declared,
			    size_t *base_len, const char **stat)
{
	static const char *const builtin[] = {"mean", "median", "stddev", "cv"};
	const char *us = strrchr(name, '_'), *s;
	size_t len, k;
	int err;

	if (!us || us == name || !us[1])
		return 0;
	len = (size_t)(us - name);
	*base_len = len;
	*stat = us + 1;
	for (k = 0; declared && k < COUNT(builtin); k++)
		if (strcmp(us + 1, builtin[k]) == 0)
			return 1;
	if ((err = make_row_names(r, list)))
		return err;
	if (!(s = compose(r, name, len, "_mean")))
		return perfdb_error__oom();
	if (!has_row_name(r, s))
		return 0;
	if (!(s = compose(r, name, len, "_stddev")))
		return perfdb_error__oom();
	return has_row_name(r, s) ? 1 : 0;
}

/* The first len bytes of name as a string that lives as long as the reader. */
static const char *keep_prefix(reader *r, const char *name, size_t len)
{
	const char *s = compose(r, name, len, "");
	return s ? keep_name(r, s) : NULL;
}

/* --- rows ------------------------------------------------------------------------ */

static int read_row(reader *r, const perfdb_jnode *list, const perfdb_jnode *row)
{
	const char *name, *run_name, *run_type, *agg = NULL, *agg_unit = NULL, *msg, *unit;
	bool errored, skipped, percentage = false;
	const perfdb_jmember *m;
	int64_t family = -1;
	row_fields rf;
	size_t i;
	bench *b;
	double d;
	int err;

	/* the row itself names its place (an item read from a file one at a
	 * time is not in list) */
	if (!perfdb_json__is_object(row))
		return perfdb_json__error(r->doc, row, NULL, "expected an object, found %s",
					  perfdb_json__type_name(row));
	classify(&rf, row);
	if ((err = field_string(r, &rf, F_NAME, true, &name)) < 0 ||
	    (err = field_string(r, &rf, F_RUN_NAME, false, &run_name)) < 0 ||
	    (err = field_string(r, &rf, F_RUN_TYPE, false, &run_type)) < 0 ||
	    (err = field_string(r, &rf, F_AGGREGATE_NAME, false, &agg)) < 0 ||
	    (err = field_string(r, &rf, F_AGGREGATE_UNIT, false, &agg_unit)) < 0 ||
	    (err = field_bool(r, &rf, F_ERROR_OCCURRED, &errored)) < 0 ||
	    (err = field_bool(r, &rf, F_SKIPPED, &skipped)) < 0)
		return err;
	/* Known numeric fields of another type are errors, even in rows that are
	 * then left out: the file is not what it claims to be. */
	if (rf.bad_type)
		return perfdb_json__error(r->doc, rf.bad_type, NULL, "expected a number, found %s",
					  perfdb_json__type_name(rf.bad_type));
	if (!*name)
		return perfdb_json__error(r->doc, rf.f[F_NAME], NULL, "empty benchmark name");
	if (run_name && !*run_name)
		run_name = NULL;
	if (run_type && strcmp(run_type, "iteration") && strcmp(run_type, "aggregate"))
		return perfdb_json__error(r->doc, rf.f[F_RUN_TYPE], NULL,
					  "unknown run_type '%s' (expected iteration or aggregate)",
					  run_type);
	if (rf.f[F_FAMILY_INDEX] && (err = field_number(r, &rf, F_FAMILY_INDEX, true, &d)) == 0 &&
	    d >= 0 && d < 1e15)
		family = (int64_t)d;
	if (err < 0)
		return err;

	if (run_type && strcmp(run_type, "iteration") == 0) {
		agg = NULL; /* an aggregate_name on an iteration row means nothing */
	} else if (!agg && !rf.f[F_BIG_O] && !rf.f[F_RMS] && !errored && !skipped) {
		/* No aggregate_name: before Google Benchmark 1.5 (no run_type), or
		 * a run_type "aggregate" written by hand. The name's suffix says
		 * which statistic (see aggregate_suffix). */
		bool declared = run_type != NULL;
		size_t base_len = 0, n = run_name ? strlen(run_name) : 0;
		const char *stat = NULL;
		if (declared && run_name && strncmp(name, run_name, n) == 0 && name[n] == '_' &&
		    name[n + 1]) {
			base_len = n;
			stat = name + n + 1;
			err = 1;
		} else if ((err = aggregate_suffix(r, list, name, declared, &base_len, &stat)) <
			   0) {
			return err;
		}
		if (err == 1) {
			agg = stat;
			if (!run_name && !(run_name = keep_prefix(r, name, base_len)))
				return perfdb_error__oom();
		} else if (declared) {
			return perfdb_resultset_warn(
			    r->rs,
			    "benchmark '%s': an aggregate row without aggregate_name, and its "
			    "name ends in no statistic; not recorded",
			    name);
		}
	}
	if (!run_name)
		run_name = name; /* files from before run_name existed */

	if (errored || skipped) {
		/* Said once per benchmark when all rows are read (fail_warning):
		 * whether the other repetitions were recorded is not known yet. */
		if ((err = field_string(r, &rf, errored ? F_ERROR_MESSAGE : F_SKIP_MESSAGE, false,
					&msg)) < 0 ||
		    (err = get_bench(r, run_name, &rf, family, &b)))
			return err;
		if (!b->nfailed++) {
			b->fail_msg = msg && *msg ? msg : NULL;
			if (b->fail_msg && r->stream && !(b->fail_msg = keep_name(r, msg)))
				return perfdb_error__oom();
			b->fail_skipped = !errored;
		}
		if ((err = field_number(r, &rf, F_REPETITIONS, false, &d)) < 0)
			return err;
		if (err == 0 && d >= 1 && d < 1e12)
			b->repetitions = (int64_t)d;
		return 0;
	}
	if (rf.f[F_BIG_O] || rf.f[F_RMS] ||
	    (agg && (strcmp(agg, "BigO") == 0 || strcmp(agg, "RMS") == 0)))
		return read_complexity(r, &rf, name, family);
	if (agg_unit) {
		if (strcmp(agg_unit, "percentage") == 0)
			percentage = true;
		else if (strcmp(agg_unit, "time"))
			return perfdb_json__error(r->doc, rf.f[F_AGGREGATE_UNIT], NULL,
						  "unknown aggregate_unit '%s'", agg_unit);
	}

	if ((err = row_time_unit(r, &rf, &unit)) < 0 ||
	    (err = get_bench(r, run_name, &rf, family, &b)))
		return err;
	if ((err = field_number(r, &rf, F_REPETITIONS, false, &d)) < 0)
		return err;
	if (err == 0 && d >= 1 && d < 1e12)
		b->repetitions = (int64_t)d;
	if (!agg)
		b->nok++;
	if ((err = field_number(r, &rf, F_REAL_TIME, true, &d)) < 0 ||
	    (err = put_value(r, b, "real_time", unit, PERFDB_DIRECTION_UNSET, 0, agg, percentage,
			     d)) ||
	    (err = field_number(r, &rf, F_CPU_TIME, true, &d)) < 0 ||
	    (err =
		 put_value(r, b, "cpu_time", unit, PERFDB_DIRECTION_UNSET, 0, agg, percentage, d)))
		return err;

	/* Every other numeric member is a user counter. */
	for (i = 0; rf.ncounters && (m = perfdb_json__member_at(row, i)); i++) {
		char cunit[160];
		perfdb_direction dir;
		if (!perfdb_json__number(m->value, &d) || known_field(m->key, m->key_len) >= 0)
			continue;
		counter_unit(m->key, cunit, sizeof(cunit), &dir);
		if ((err = put_value(r, b, m->key, cunit, dir,
				     KEEP_UNIT | (r->stream ? KEEP_NAME : 0), agg, percentage, d)))
			return err;
	}
	return 0;
}

/* --- context ------------------------------------------------------------------ */

/* The most values a context entry kept as JSON text may hold. */
#define CONTEXT_VALUES_MAX 10000

/* Counts v and the values within it against *left: true once they are more. */
static bool values_count(const perfdb_jnode *v, size_t *left)
{
	size_t i, n = perfdb_json__size(v);
	const perfdb_jmember *m;
	if (*left == 0 || n >= *left)
		return true;
	--*left;
	if (perfdb_json__is_array(v)) {
		for (i = 0; i < n; i++)
			if (values_count(perfdb_json__item(v, i), left))
				return true;
	} else {
		for (i = 0; (m = perfdb_json__member_at(v, i)); i++)
			if (values_count(m->value, left))
				return true;
	}
	return false;
}

/* Whether v holds more than max values (itself, and all within it). */
static bool values_over(const perfdb_jnode *v, size_t max)
{
	size_t left = max;
	return values_count(v, &left);
}

static int read_context(reader *r, const perfdb_jnode *ctx)
{
	const perfdb_jmember *m;
	const char *date;
	char buf[64], iso[32];
	size_t i;
	int err;

	if (!ctx)
		return 0;
	if (!perfdb_json__is_object(ctx))
		return perfdb_json__error(r->doc, ctx, NULL, "expected an object, found %s",
					  perfdb_json__type_name(ctx));
	for (i = 0; (m = perfdb_json__member_at(ctx, i)); i++) {
		const perfdb_jnode *v = m->value;
		char *text = NULL;
		const char *value = buf;
		int64_t k;
		switch ((perfdb_jtype)v->type) {
		case PERFDB_JNUMBER:
			if (perfdb_json__integer(v, &k))
				snprintf(buf, sizeof(buf), "%" PRId64, k);
			else
				snprintf(buf, sizeof(buf), "%.17g", v->u.number);
			break;
		case PERFDB_JSTRING: value = v->u.str.s; break;
		case PERFDB_JTRUE: value = "true"; break;
		case PERFDB_JFALSE: value = "false"; break;
		case PERFDB_JNULL: continue;
		default:
			/* caches[], load_avg[]: kept as compact JSON text, when of a
			 * size a context holds (a JSON writer's tree of a big value
			 * takes about 300 bytes a value). */
			if (values_over(v, CONTEXT_VALUES_MAX)) {
				int line, column;
				perfdb_json__where(r->doc, v, NULL, &line, &column);
				if ((err = perfdb_resultset_warn(
					 r->rs,
					 "%s:%d:%d: context.%s: not kept (more than %d values)",
					 perfdb_json__name(r->doc), line, column, m->key,
					 CONTEXT_VALUES_MAX)))
					return err;
				continue;
			}
			if ((err = perfdb_json__dump(v, &text)))
				return err;
			value = text;
			break;
		}
		err = perfdb_resultset_set_context(r->rs, m->key, value);
		free(text);
		if (err)
			return perfdb_ingest__placed(err, perfdb_json__name(r->doc), (int)m->line,
						     (int)m->column);
	}
	/* The time the benchmarks ran is when the run started, not when it is
	 * recorded; a date perfdb cannot read is left in the context only. */
	if ((date = perfdb_json__string(perfdb_json__get(ctx, "date")))) {
		if (perfdb_time_parse_iso(iso, sizeof(iso), date) != 0) {
			perfdb_error_clear();
			return 0;
		}
		/* Google Benchmark 1.5.0 and older wrote the local time without a
		 * zone ("2019-01-01 12:00:00"). Which zone that was is not in the file:
		 * the time is stored as written ("2019-01-01T12:00:00", no "Z"),
		 * never shifted by a guessed offset, and the user is told. The
		 * parser read it as UTC, so its fields are the written ones. */
		if (strlen(date) > 10 && !strpbrk(date + 10, "Zz+-")) {
			iso[19] = '\0';
			if ((err = perfdb_resultset_warn(
				 r->rs,
				 "context.date '%s' has no time zone: stored as written (%s, "
				 "local time of the machine that ran it), not as UTC",
				 date, iso)))
				return err;
		}
		return perfdb_resultset_set_meta(r->rs, PERFDB_META_STARTED_AT, iso);
	}
	return 0;
}

/* --- results -------------------------------------------------------------------- */

static void min_max(const metric *m, double *lo, double *hi)
{
	size_t i;
	const double *s = samples_of(m);
	*lo = *hi = s[0];
	for (i = 1; i < m->nsamples; i++) {
		if (s[i] < *lo)
			*lo = s[i];
		if (s[i] > *hi)
			*hi = s[i];
	}
}

/* Adds m's result (*added + 1), or warns why it has none. */
static int emit(reader *r, const bench *b, const metric *m, size_t *added)
{
	perfdb_result res;
	int err;
	perfdb_result_init(&res);
	res.benchmark = b->series ? b->series : b->name;
	res.metric = m->name;
	res.unit = m->unit;
	res.direction = (perfdb_direction)m->direction;
	res.mean = m->mean;
	res.median = m->median;
	res.stddev = m->stddev;
	res.min = m->min;
	res.max = m->max;
	res.samples = samples_of(m);
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
	(*added)++;
	if ((err = perfdb_resultset_add(r->rs, &res)))
		return perfdb_ingest__placed(err, perfdb_json__name(r->doc), (int)b->line,
					     (int)b->column);
	return 0;
}

/* Segments of a run_name that say how Google Benchmark runs a benchmark,
 * not what it measures: Repetitions(), Iterations(), MinTime(),
 * MinWarmUpTime() set in code append them. */
static bool is_run_knob(const char *seg, size_t len)
{
	static const char *const knobs[] = {
	    "repeats:", "iterations:", "min_time:", "min_warmup_time:"};
	size_t k;
	for (k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++)
		if (len > strlen(knobs[k]) && strncmp(seg, knobs[k], strlen(knobs[k])) == 0)
			return true;
	return false;
}

/* run_name without its run knobs, in the arena; run_name itself when it has
 * none; NULL when out of memory. "BM_Sum/64/repeats:3" -> "BM_Sum/64". */
static const char *strip_knobs(reader *r, const char *run_name)
{
	const char *p = strchr(run_name, '/');
	char *out;
	size_t n = 0;
	bool any = false;
	for (; p; p = strchr(p + 1, '/')) {
		const char *end = strchr(p + 1, '/');
		if (is_run_knob(p + 1, end ? (size_t)(end - p - 1) : strlen(p + 1)))
			any = true;
	}
	if (!any)
		return run_name;
	if (!(out = (char *)keep_name(r, run_name)))
		return NULL;
	/* the first segment (the function), then each kept "/segment" */
	p = strchr(run_name, '/');
	n = (size_t)(p - run_name);
	while (p) {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!is_run_knob(p + 1, len - 1)) {
			memmove(out + n, p, len);
			n += len;
		}
		p = end;
	}
	out[n] = '\0';
	return out;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Where one benchmark is registered twice (one run_name, two family_index
 * values), the registration with the lowest family_index keeps the name and
 * the others get " #2", " #3", ... in family_index order: the numbering does
 * not depend on the order of rows, which random interleaving shuffles. 0 for
 * the first. */
static unsigned registration(const reader *r, const bench *b)
{
	unsigned rank = 0;
	size_t i;
	if (!b->shared_name)
		return 0;
	for (i = 0; i < r->nbenches; i++) {
		const bench *o = &r->benches[i];
		if (o != b && o->shared_name && o->family < b->family && o->hash == b->hash &&
		    strcmp(o->name, b->name) == 0)
			rank++;
	}
	return rank;
}

/* Each benchmark's series name: its run_name without run knobs, so that
 * changing Repetitions(3) to Repetitions(5) keeps the history. Where two
 * run_names of the file would become one series name (BM_X/repeats:3 and
 * BM_X/repeats:5 side by side), both keep their full names. A second
 * registration of a benchmark (see registration) gets its number after that. */
static int series_names(reader *r)
{
	const char **stripped = NULL;
	size_t i, k = 0;
	int err;
	for (i = 0; i < r->nbenches; i++) {
		bench *b = &r->benches[i];
		b->series = strip_knobs(r, b->name);
		if (!b->series)
			return perfdb_error__oom();
		if (b->series != b->name && !registration(r, b)) {
			bench *other;
			/* the stripped name is another benchmark's run_name */
			if (lookup_bench(r, b->series, &other)) {
				b->series = b->name;
				continue;
			}
			if (!stripped && !(stripped = malloc(r->nbenches * sizeof(*stripped))))
				return perfdb_error__oom();
			stripped[k++] = b->series;
		}
	}
	if (k > 1) {
		qsort(stripped, k, sizeof(*stripped), cmp_str_ptr);
		for (i = 0; i < r->nbenches; i++) {
			bench *b = &r->benches[i];
			const char **hit;
			if (b->series == b->name || registration(r, b))
				continue;
			hit = bsearch(&b->series, stripped, k, sizeof(*stripped), cmp_str_ptr);
			if ((hit > stripped && strcmp(hit[-1], b->series) == 0) ||
			    (hit + 1 < stripped + k && strcmp(hit[1], b->series) == 0))
				b->series = b->name;
		}
	}
	free(stripped);
	for (i = 0; i < r->nbenches; i++) {
		bench *b = &r->benches[i];
		unsigned rank = registration(r, b);
		char num[32];
		const char *s;
		if (!rank)
			continue;
		/* the sibling that keeps the name has the same series */
		snprintf(num, sizeof(num), " #%u", rank + 1);
		if (!(s = compose(r, b->series, strlen(b->series), num)) || !(s = keep_name(r, s)))
			return perfdb_error__oom();
		b->series = s;
		if ((err = perfdb_resultset_warn(
			 r->rs,
			 "benchmark '%s' is registered more than once: the registration with "
			 "family_index %lld is recorded as '%s'",
			 b->name, (long long)b->family, s)))
			return err;
	}
	return 0;
}

/* The warning about a benchmark's failed or skipped rows, once all rows are
 * read: whether its other repetitions were recorded is known only then. */
static int fail_warning(reader *r, const bench *b, size_t emitted)
{
	const char *what = b->fail_skipped ? "skipped" : "failed";
	const char *sep = b->fail_msg ? ": " : "", *msg = b->fail_msg ? b->fail_msg : "";
	int64_t total = (int64_t)b->nok + b->nfailed;
	uint32_t i;
	int err;

	if (b->repetitions > total)
		total = b->repetitions;
	if (!emitted) {
		/* one warning per row; the resultset counts repeats ("(3 times)") */
		for (i = 0; i < b->nfailed; i++)
			if ((err = perfdb_resultset_warn(
				 r->rs, "benchmark '%s' %s%s%s; not recorded", b->name,
				 b->fail_skipped ? "was skipped" : "failed", sep, msg)))
				return err;
		return 0;
	}
	if (b->nok)
		return perfdb_resultset_warn(
		    r->rs,
		    "benchmark '%s': %u of %lld repetitions %s%s%s; recorded from the other "
		    "%u",
		    b->name, b->nfailed, (long long)total, what, sep, msg, b->nok);
	return perfdb_resultset_warn(
	    r->rs,
	    "benchmark '%s': %u of %lld repetitions %s%s%s; recorded from Google "
	    "Benchmark's statistics of the others",
	    b->name, b->nfailed, (long long)total, what, sep, msg);
}

static int emit_all(reader *r)
{
	size_t i, j, emitted;
	int err;
	if ((err = series_names(r)))
		return err;
	for (i = 0; i < r->nbenches; i++) {
		/* counted here: a batch may have gone to the caller's sink */
		emitted = 0;
		for (j = r->benches[i].first; j; j = r->metrics[j - 1].next) {
			const metric *m = &r->metrics[j - 1];
			if (m->skipped)
				continue;
			if ((err = emit(r, &r->benches[i], m, &emitted)))
				return err;
		}
		if (r->benches[i].nfailed && (err = fail_warning(r, &r->benches[i], emitted)))
			return err;
	}
	return 0;
}

static int stream_row(void *ctx, const perfdb_jnode *row, size_t index)
{
	reader *r = ctx;
	(void)index; /* the row knows its place */
	return read_row(r, perfdb_json__stream_array(r->stream), row);
}

/* The reading shared by both entry points; r->doc (and r->stream) set. */
static int read_doc(reader *r, perfdb_resultset *rs)
{
	const perfdb_jnode *root = perfdb_json__root(r->doc), *list;
	size_t i, n;
	int err;

	if ((err = perfdb_resultset_new(&r->rs)))
		return err;
	/* Results are made once every row is read (emit_all) and are final
	 * then: they can go on to rs's sink. */
	perfdb_resultset__stream_into(r->rs, rs);
	if ((err = perfdb_json__root_array(&list, r->doc, "benchmarks",
					   "not Google Benchmark JSON?")) ||
	    (err = perfdb_resultset_set_meta(r->rs, PERFDB_META_SOURCE, "gbench")) ||
	    (err = read_context(r, perfdb_json__get(root, "context"))))
		return perfdb_json__stream_fail(r->stream, err);
	if (r->stream) {
		if ((err = perfdb_json__stream_items(r->stream, stream_row, r, &n)))
			return err;
	} else {
		for (i = 0, n = perfdb_json__size(list); i < n; i++)
			if ((err = read_row(r, list, perfdb_json__item(list, i))))
				return err;
	}
	if ((err = emit_all(r)))
		return err;
	if (perfdb_resultset_count(r->rs) == 0 && n == 0 &&
	    (err = perfdb_resultset_warn(r->rs, "%s: no benchmarks in the file",
					 perfdb_json__name(r->doc))))
		return err;
	return perfdb_resultset_merge(rs, r->rs);
}

/* A row's members that are no field: only a number is read (a user
 * counter), so an array or object there is not built when the file is read
 * a row at a time. */
static bool not_a_field(const char *key, size_t len)
{
	return known_field(key, len) < 0;
}

int perfdb_ingest__gbench_stream(perfdb_resultset *rs, perfdb_json_stream *stream)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	pthread_once(&first_of_length_once, make_first_of_length);
	perfdb_json__stream_skip(stream, not_a_field);
	r.stream = stream;
	r.doc = perfdb_json__stream_doc(stream);
	err = read_doc(&r, rs);
	reader_release(&r);
	return err;
}

int perfdb_ingest__gbench(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	pthread_once(&first_of_length_once, make_first_of_length);
	if ((err = perfdb_json__load(&r.own_doc, data, len, name)))
		return err;
	r.doc = r.own_doc;
	err = read_doc(&r, rs);
	reader_release(&r);
	return err;
}
