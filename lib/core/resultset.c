/*
 * The resultset: run metadata, tags, machine context, results and warnings.
 * Strings are copied into the resultset; results live in one growing array.
 */
#include "perfdb/resultset.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/resultset_internal.h"
#include "util/arena.h"
#include "util/error.h"
#include "util/utf8.h"

typedef struct kv {
	char *key;
	char *value;
} kv;

/* Keys in insertion order, and a hash of them (slot = index + 1, 0 empty):
 * a file with 50,000 tags took minutes when each new key was compared with
 * every earlier one. */
typedef struct kv_list {
	kv *items;
	size_t count, cap;
	size_t *slots;
	size_t nslots; /* a power of two, or 0 */
} kv_list;

/* Result strings and samples live in an arena freed with the resultset: a
 * large file adds hundreds of thousands of results, and one malloc per
 * string would cost more than parsing them. Metric and unit strings repeat
 * on almost every result, so the last few are interned. */
#define INTERN_SLOTS 8

struct perfdb_resultset {
	perfdb_arena arena;
	const char *interned[INTERN_SLOTS];
	unsigned intern_next, intern_hit;
	/* The last benchmark name stored: a harness gives several metrics of
	 * one benchmark in a row, which then share one copy. */
	const char *last_benchmark;
	char *meta[PERFDB_META_COUNT_];
	kv_list tags;
	kv_list context;
	perfdb_result *results;
	size_t count, cap;
	char **warnings; /* the first PERFDB_WARNINGS_KEPT different ones */
	size_t nwarnings, capwarnings;
	unsigned long long more; /* warnings past those: counted, not kept */
	char more_text[64];	 /* "… and 39,990 more", the last warning when more */
	/* perfdb_resultset_set_sink: results are handed to sink every batch */
	perfdb_resultset_sink_fn sink;
	void *sink_ctx;
	size_t batch, written;
	perfdb_resultset *into; /* a reader's own set: its results go to into's sink */
	size_t bytes;		/* what the results hold, about (names, samples) */
	double *room;		/* perfdb_resultset__samples: taken where it is */
	size_t roomn;
	unsigned sink_options; /* PERFDB_SINK_* */
	/* perfdb_resultset__add_unheld: the one result whose samples are read
	 * again from the reader (unheld_at; SIZE_MAX: none), until its batch is
	 * written, which is at once */
	size_t unheld_at;
	perfdb_unheld unheld;
	double unheld_factor;
};

static const char *arena_str(perfdb_resultset *rs, const char *s, int intern)
{
	size_t n = strlen(s) + 1;
	unsigned i;
	char *d;
	/* From the slot after the last one found: results come in a cycle of
	 * metrics and units, so the next string is usually there. */
	if (intern)
		for (i = 0; i < INTERN_SLOTS; i++) {
			unsigned k = (rs->intern_hit + 1 + i) % INTERN_SLOTS;
			if (rs->interned[k] && strcmp(rs->interned[k], s) == 0) {
				rs->intern_hit = k;
				return rs->interned[k];
			}
		}
	if (!(d = perfdb_arena__alloc(&rs->arena, n)))
		return NULL;
	memcpy(d, s, n);
	if (intern) {
		rs->intern_hit = rs->intern_next;
		rs->interned[rs->intern_next] = d;
		rs->intern_next = (rs->intern_next + 1) % INTERN_SLOTS;
	}
	return d;
}

static char *dup_str(const char *s)
{
	size_t n;
	char *d;
	if (!s)
		s = "";
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

const char *perfdb_direction_name(perfdb_direction dir)
{
	switch (dir) {
	case PERFDB_LOWER_IS_BETTER: return "lower_is_better";
	case PERFDB_HIGHER_IS_BETTER: return "higher_is_better";
	default: return "unset";
	}
}

int perfdb_direction_parse(perfdb_direction *out, const char *text)
{
	static const char *lower[] = {"lower", "lower_is_better", "less", "smaller",
				      "lower-is-better"};
	static const char *higher[] = {"higher", "higher_is_better", "more", "bigger",
				       "higher-is-better"};
	size_t i;
	if (!text)
		return perfdb_error__set(PERFDB_EINVAL, "direction missing");
	for (i = 0; i < sizeof(lower) / sizeof(lower[0]); i++) {
		if (strcasecmp(text, lower[i]) == 0) {
			*out = PERFDB_LOWER_IS_BETTER;
			return 0;
		}
		if (strcasecmp(text, higher[i]) == 0) {
			*out = PERFDB_HIGHER_IS_BETTER;
			return 0;
		}
	}
	return perfdb_error__set(
	    PERFDB_EINVAL, "unknown direction '%s' (expected lower_is_better or higher_is_better)",
	    text);
}

void perfdb_result_init(perfdb_result *r)
{
	memset(r, 0, sizeof(*r));
	r->value = r->mean = r->median = r->stddev = r->min = r->max = NAN;
}

int perfdb_resultset_new(perfdb_resultset **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return perfdb_error__oom();
	(*out)->unheld_at = SIZE_MAX;
	return 0;
}

static void kv_release(kv_list *l)
{
	size_t i;
	for (i = 0; i < l->count; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

static size_t kv_hash(const char *s)
{
	size_t h = (size_t)14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ull;
	return h;
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t *kv_slot(const kv_list *l, const char *key)
{
	size_t j = kv_hash(key) & (l->nslots - 1);
	while (l->slots[j] && strcmp(l->items[l->slots[j] - 1].key, key) != 0)
		j = (j + 1) & (l->nslots - 1);
	return &l->slots[j];
}

/* Keeps the load under 1/2, for one more key. */
static int kv_grow(kv_list *l)
{
	size_t n = l->nslots ? l->nslots : 16, i;
	while ((l->count + 1) * 2 > n)
		n *= 2;
	if (n == l->nslots)
		return 0;
	free(l->slots);
	if (!(l->slots = calloc(n, sizeof(*l->slots)))) {
		l->nslots = 0;
		return perfdb_error__oom();
	}
	l->nslots = n;
	for (i = 0; i < l->count; i++)
		*kv_slot(l, l->items[i].key) = i + 1;
	return 0;
}

/* Frees the results' strings and samples. */
static void free_arena(perfdb_resultset *rs)
{
	perfdb_arena__release(&rs->arena);
	memset(rs->interned, 0, sizeof(rs->interned));
	rs->last_benchmark = NULL;
}

void perfdb_resultset_free(perfdb_resultset *rs)
{
	size_t i;
	if (!rs)
		return;
	for (i = 0; i < PERFDB_META_COUNT_; i++)
		free(rs->meta[i]);
	kv_release(&rs->tags);
	kv_release(&rs->context);
	free_arena(rs);
	free(rs->results);
	for (i = 0; i < rs->nwarnings; i++)
		free(rs->warnings[i]);
	free(rs->warnings);
	free(rs);
}

int perfdb_resultset_set_meta(perfdb_resultset *rs, perfdb_meta key, const char *value)
{
	/* what an error calls each */
	static const char *const what[PERFDB_META_COUNT_] = {
	    [PERFDB_META_COMMIT] = "commit",
	    [PERFDB_META_PARENT] = "parent commit",
	    [PERFDB_META_SUBJECT] = "commit subject",
	    [PERFDB_META_AUTHOR] = "commit author",
	    [PERFDB_META_COMMITTED_AT] = "commit time",
	    [PERFDB_META_BRANCH] = "branch",
	    [PERFDB_META_MACHINE] = "machine",
	    [PERFDB_META_STARTED_AT] = "run time",
	    [PERFDB_META_SOURCE] = "source"};
	char *copy = NULL;
	int err;
	if ((unsigned)key >= PERFDB_META_COUNT_)
		return perfdb_error__set(PERFDB_EINVAL, "unknown metadata key %d", (int)key);
	if (value && (err = perfdb_util__text_ok(what[key], value)))
		return err;
	if (value && !(copy = dup_str(value)))
		return perfdb_error__oom();
	free(rs->meta[key]);
	rs->meta[key] = copy;
	return 0;
}

const char *perfdb_resultset_meta(const perfdb_resultset *rs, perfdb_meta key)
{
	if ((unsigned)key >= PERFDB_META_COUNT_)
		return NULL;
	return rs->meta[key];
}

static int kv_set(kv_list *l, const char *key, const char *value)
{
	size_t *slot;
	char *v;
	int err;
	if (!key || !*key)
		return perfdb_error__set(PERFDB_EINVAL, "empty key");
	if ((err = kv_grow(l)))
		return err;
	if (!(v = dup_str(value)))
		return perfdb_error__oom();
	slot = kv_slot(l, key);
	if (*slot) {
		free(l->items[*slot - 1].value);
		l->items[*slot - 1].value = v;
		return 0;
	}
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		kv *items = realloc(l->items, cap * sizeof(*items));
		if (!items) {
			free(v);
			return perfdb_error__oom();
		}
		l->items = items;
		l->cap = cap;
	}
	if (!(l->items[l->count].key = dup_str(key))) {
		free(v);
		return perfdb_error__oom();
	}
	l->items[l->count++].value = v;
	*slot = l->count;
	return 0;
}

int perfdb_resultset_set_tag(perfdb_resultset *rs, const char *key, const char *value)
{
	int err;
	if ((key && (err = perfdb_util__text_ok("tag name", key))) ||
	    (value && (err = perfdb_util__text_ok("tag value", value))))
		return err;
	return kv_set(&rs->tags, key, value);
}

int perfdb_resultset_set_context(perfdb_resultset *rs, const char *key, const char *value)
{
	/* What a tool said about the machine: a key or value no name could be
	 * (longer than PERFDB_NAME_MAX, not UTF-8) is left out with a warning,
	 * never the reason a run is refused (a 100 MB gbench context value was
	 * stored, and held four times over on the way). */
	if ((key && perfdb_util__text_ok("its key", key)) ||
	    (value && perfdb_util__text_ok("its value", value))) {
		char why[sizeof(perfdb_error_last()->message)];
		snprintf(why, sizeof(why), "%s", perfdb_error_last()->message);
		perfdb_error_clear();
		return perfdb_resultset_warn(rs, "context '%.64s' not kept: %s", key ? key : "",
					     why);
	}
	return kv_set(&rs->context, key, value);
}

size_t perfdb_resultset_tag_count(const perfdb_resultset *rs)
{
	return rs->tags.count;
}

void perfdb_resultset_tag(const perfdb_resultset *rs, size_t i, const char **key,
			  const char **value)
{
	*key = rs->tags.items[i].key;
	*value = rs->tags.items[i].value;
}

size_t perfdb_resultset_context_count(const perfdb_resultset *rs)
{
	return rs->context.count;
}

void perfdb_resultset_context(const perfdb_resultset *rs, size_t i, const char **key,
			      const char **value)
{
	*key = rs->context.items[i].key;
	*value = rs->context.items[i].value;
}

double *perfdb_resultset__samples(perfdb_resultset *rs, size_t n)
{
	double *p;
	if (n > SIZE_MAX / sizeof(*p) ||
	    !(p = perfdb_arena__alloc(&rs->arena, n ? n * sizeof(*p) : 1))) {
		perfdb_error__oom();
		return NULL;
	}
	rs->room = p;
	rs->roomn = n;
	return p;
}

static int write_batch(perfdb_resultset *rs);
static int hand_over(perfdb_resultset *dst, perfdb_resultset *src);

static double scaled(double v, double f)
{
	return isnan(v) ? v : v * f;
}

/* What one pass over a result's samples finds: the first that is not
 * finite, the first that overflows once scaled (n: none), and their sum. */
typedef struct {
	size_t bad, overflow;
	double sum;
} samples_scan;

static void scan_samples(const double *x, size_t n, size_t at, double factor, samples_scan *s)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) && s->bad == SIZE_MAX)
			s->bad = at + i;
		if (!isfinite(x[i] * factor) && s->overflow == SIZE_MAX)
			s->overflow = at + i;
		s->sum += x[i];
	}
}

/* perfdb_resultset_add, with r's samples read from src instead when src
 * is given (r->samples is then NULL). */
static int add(perfdb_resultset *rs, const perfdb_result *r, const perfdb_unheld *src)
{
	perfdb_result c;
	int err;
	samples_scan scan = {SIZE_MAX, SIZE_MAX, 0.0};
	const char *unit;
	double factor, *samples = NULL;
	size_t i;

	if (!r->benchmark || !*r->benchmark)
		return perfdb_error__set(PERFDB_EINVAL, "result without a benchmark name");
	if ((err = perfdb_util__text_ok("benchmark name", r->benchmark)) ||
	    (r->metric && (err = perfdb_util__text_ok("metric", r->metric))) ||
	    (r->unit && (err = perfdb_util__text_ok("unit", r->unit))))
		return err;
	perfdb_unit_normalize(r->unit, &unit, &factor);
	/* One pass, summed in order: the same sum whether held or read again. */
	if (src) {
		double buf[1024];
		size_t got, at = 0;
		while ((got = src->read(src->ctx, buf, sizeof(buf) / sizeof(buf[0])))) {
			scan_samples(buf, got, at, factor, &scan);
			at += got;
		}
		if (at != r->nsamples)
			return perfdb_error__set(PERFDB_EINVAL,
						 "benchmark '%s': %zu samples read of %zu",
						 r->benchmark, at, r->nsamples);
	} else {
		scan_samples(r->samples, r->nsamples, 0, factor, &scan);
	}
	if (scan.bad != SIZE_MAX)
		return perfdb_error__set(PERFDB_EINVAL,
					 "benchmark '%s': sample %zu is not a finite number",
					 r->benchmark, scan.bad);

	c = *r;
	if (c.direction == PERFDB_DIRECTION_UNSET)
		c.direction = perfdb_unit_direction(unit);
	if (isnan(c.value) && r->nsamples)
		c.value = scan.sum / (double)r->nsamples;
	/* Checked after scaling: 1e300 s is not a number of nanoseconds. */
	if (!isfinite(c.value * factor))
		return perfdb_error__set(
		    PERFDB_EINVAL, "benchmark '%s': value is not a finite number%s", r->benchmark,
		    isfinite(c.value) ? " once converted to ns" : "");
	if (scan.overflow != SIZE_MAX)
		return perfdb_error__set(PERFDB_EINVAL,
					 "benchmark '%s': sample %zu overflows once "
					 "converted to %s",
					 r->benchmark, scan.overflow, unit);
	if (c.n <= 0)
		c.n = r->nsamples ? (int64_t)r->nsamples : 1;

	c.value = c.value * factor;
	c.mean = scaled(c.mean, factor);
	c.median = scaled(c.median, factor);
	c.stddev = scaled(c.stddev, factor);
	c.min = scaled(c.min, factor);
	c.max = scaled(c.max, factor);

	if (r->nsamples && !src) {
		/* the reader's room in the arena (perfdb_resultset__samples) is
		 * scaled where it is: the samples are not held twice */
		if (r->samples == rs->room && r->nsamples <= rs->roomn)
			samples = rs->room;
		else if (!(samples =
			       perfdb_arena__alloc(&rs->arena, r->nsamples * sizeof(*samples))))
			return perfdb_error__oom();
		rs->room = NULL;
		for (i = 0; i < r->nsamples; i++)
			samples[i] = r->samples[i] * factor;
	}
	c.samples = samples;
	if (rs->last_benchmark && strcmp(rs->last_benchmark, r->benchmark) == 0)
		c.benchmark = rs->last_benchmark;
	else
		c.benchmark = rs->last_benchmark = arena_str(rs, r->benchmark, 0);
	c.metric = arena_str(rs, r->metric && *r->metric ? r->metric : "value", 1);
	c.unit = arena_str(rs, unit, 1);
	if (!c.benchmark || !c.metric || !c.unit)
		return perfdb_error__oom();

	if (rs->count == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		perfdb_result *res = realloc(rs->results, cap * sizeof(*res));
		if (!res)
			return perfdb_error__oom();
		rs->results = res;
		rs->cap = cap;
	}
	if (src) {
		rs->unheld_at = rs->count;
		rs->unheld = *src;
		rs->unheld_factor = factor;
	}
	rs->results[rs->count++] = c;
	/* a batch is also cut by bytes: 65,536 results of 10,000 samples
	 * each would be 5 GB */
	rs->bytes += sizeof(c) + strlen(c.benchmark) + (samples ? c.nsamples * sizeof(double) : 0);
	if (rs->sink &&
	    (src || rs->count >= rs->batch || rs->bytes >= PERFDB_RESULTSET_BATCH_BYTES))
		return write_batch(rs);
	if (rs->into && rs->into->sink &&
	    (src || rs->count >= rs->into->batch || rs->bytes >= PERFDB_RESULTSET_BATCH_BYTES))
		return hand_over(rs->into, rs);
	return 0;
}

int perfdb_resultset_add(perfdb_resultset *rs, const perfdb_result *r)
{
	return add(rs, r, NULL);
}

/* The set whose sink rs's results go to, or NULL. */
static const perfdb_resultset *sink_of(const perfdb_resultset *rs)
{
	return rs->sink ? rs : rs->into && rs->into->sink ? rs->into : NULL;
}

/* perfdb_resultset__set_unheld_from: 0 for PERFDB_RESULTSET_UNHELD_FROM. */
static _Thread_local size_t unheld_from;

void perfdb_resultset__set_unheld_from(size_t n)
{
	unheld_from = n;
}

size_t perfdb_resultset__unheld_from(const perfdb_resultset *rs)
{
	const perfdb_resultset *to = sink_of(rs);
	if (!to || !(to->sink_options & PERFDB_SINK_UNHELD_SAMPLES))
		return 0;
	return unheld_from ? unheld_from : PERFDB_RESULTSET_UNHELD_FROM;
}

bool perfdb_resultset__unheld_ok(const perfdb_resultset *rs, size_t n)
{
	size_t from = perfdb_resultset__unheld_from(rs);
	return from && n >= from;
}

int perfdb_resultset__add_unheld(perfdb_resultset *rs, const perfdb_result *r,
				 const perfdb_unheld *src)
{
	int err;
	if (!perfdb_resultset__unheld_ok(rs, r->nsamples) || r->samples)
		return perfdb_error__set(PERFDB_EINVAL,
					 "samples not held without a sink to take them");
	err = add(rs, r, src);
	rs->unheld_at = SIZE_MAX; /* written, or failed: not read again */
	return err;
}

void perfdb_resultset_samples_open(const perfdb_resultset *rs, size_t i, perfdb_samples_cursor *c)
{
	c->rs = rs;
	c->i = i;
	c->at = 0;
}

const double *perfdb_resultset_samples_next(void *cursor, size_t *n)
{
	perfdb_samples_cursor *c = cursor;
	const perfdb_resultset *rs = c->rs;
	const perfdb_result *r = perfdb_resultset_get(rs, c->i);
	size_t k, got;

	*n = 0;
	if (!r || !r->nsamples || c->at >= r->nsamples) {
		/* the end: the next call starts again, and so does the reader's
		 * source, once it said it is at its end */
		if (r && c->i == rs->unheld_at)
			while (rs->unheld.read(rs->unheld.ctx, c->buf, PERFDB_SAMPLES_CHUNK))
				;
		c->at = 0;
		return NULL;
	}
	if (c->i != rs->unheld_at) {
		c->at = r->nsamples;
		*n = r->nsamples;
		return r->samples;
	}
	got = rs->unheld.read(rs->unheld.ctx, c->buf, PERFDB_SAMPLES_CHUNK);
	if (got > r->nsamples - c->at)
		got = r->nsamples - c->at;
	if (got == 0) { /* cannot be: add counted them */
		c->at = 0;
		return NULL;
	}
	for (k = 0; k < got; k++)
		c->buf[k] *= rs->unheld_factor;
	c->at += got;
	*n = got;
	return c->buf;
}

size_t perfdb_resultset_count(const perfdb_resultset *rs)
{
	return rs->count;
}

const perfdb_result *perfdb_resultset_get(const perfdb_resultset *rs, size_t i)
{
	return i < rs->count ? &rs->results[i] : NULL;
}

/* A file with one problem per row (40,000 NaN rows) must neither print
 * 40,000 lines nor compare each new warning with every earlier one: the
 * first few are kept and the rest counted. */
#define PERFDB_WARNINGS_KEPT 10

static void format_more(perfdb_resultset *rs)
{
	char digits[32], grouped[48];
	size_t n, i, j = 0;
	n = (size_t)snprintf(digits, sizeof(digits), "%llu", rs->more);
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(rs->more_text, sizeof(rs->more_text), "\xE2\x80\xA6 and %s more", grouped);
}

int perfdb_resultset_warn(perfdb_resultset *rs, const char *fmt, ...)
{
	char buf[1024], *copy;
	size_t i, n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* The same warning again (an errored benchmark in every repetition)
	 * is counted on the first one rather than repeated. */
	n = strlen(buf);
	for (i = 0; i < rs->nwarnings; i++) {
		const char *w = rs->warnings[i];
		unsigned long times = 1;
		if (strncmp(w, buf, n) != 0)
			continue;
		if (w[n] != '\0' && sscanf(w + n, " (%lu times)", &times) != 1)
			continue;
		if (!(copy = malloc(n + 32)))
			return perfdb_error__oom();
		snprintf(copy, n + 32, "%s (%lu times)", buf, times + 1);
		free(rs->warnings[i]);
		rs->warnings[i] = copy;
		return 0;
	}
	if (rs->nwarnings >= PERFDB_WARNINGS_KEPT) {
		rs->more++;
		format_more(rs);
		return 0;
	}
	if (rs->nwarnings == rs->capwarnings) {
		size_t cap = rs->capwarnings ? rs->capwarnings * 2 : 8;
		char **w = realloc(rs->warnings, cap * sizeof(*w));
		if (!w)
			return perfdb_error__oom();
		rs->warnings = w;
		rs->capwarnings = cap;
	}
	if (!(copy = dup_str(buf)))
		return perfdb_error__oom();
	rs->warnings[rs->nwarnings++] = copy;
	return 0;
}

size_t perfdb_resultset_warning_count(const perfdb_resultset *rs)
{
	return rs->nwarnings + (rs->more ? 1 : 0);
}

const char *perfdb_resultset_warning(const perfdb_resultset *rs, size_t i)
{
	if (i < rs->nwarnings)
		return rs->warnings[i];
	return i == rs->nwarnings && rs->more ? rs->more_text : NULL;
}

static int reserve(void **items, size_t *cap, size_t need, size_t size)
{
	void *p;
	if (need <= *cap)
		return 0;
	p = realloc(*items, need * size);
	if (!p)
		return perfdb_error__oom();
	*items = p;
	*cap = need;
	return 0;
}

/* Tags, context and the metadata dst has unset, from src. */
static int take_run(perfdb_resultset *dst, perfdb_resultset *src)
{
	size_t i;
	int err;
	for (i = 0; i < src->tags.count; i++)
		if ((err = kv_set(&dst->tags, src->tags.items[i].key, src->tags.items[i].value)))
			return err;
	for (i = 0; i < src->context.count; i++)
		if ((err = kv_set(&dst->context, src->context.items[i].key,
				  src->context.items[i].value)))
			return err;
	for (i = 0; i < PERFDB_META_COUNT_; i++) {
		if (!dst->meta[i] && src->meta[i]) {
			dst->meta[i] = src->meta[i];
			src->meta[i] = NULL;
		}
	}
	return 0;
}

/* src's results after dst's. Into an empty set the array itself moves (a
 * reader's private set of a big file is not copied at its peak); otherwise
 * dst has room for them (reserved by the caller). */
static void take_results(perfdb_resultset *dst, perfdb_resultset *src)
{
	/* The moved results point into src's arena: dst takes its chunks. */
	if (src->arena.head) {
		perfdb_arena__take(&dst->arena, &src->arena);
		memset(src->interned, 0, sizeof(src->interned));
		src->last_benchmark = NULL;
	}
	if (src->unheld_at != SIZE_MAX) {
		dst->unheld_at = dst->count + src->unheld_at;
		dst->unheld = src->unheld;
		dst->unheld_factor = src->unheld_factor;
		src->unheld_at = SIZE_MAX;
	}
	if (!dst->count && src->count) {
		perfdb_result *results = dst->results;
		size_t cap = dst->cap;
		dst->results = src->results;
		dst->cap = src->cap;
		src->results = results;
		src->cap = cap;
	} else if (src->count) {
		memcpy(dst->results + dst->count, src->results, src->count * sizeof(*src->results));
	}
	dst->count += src->count;
	dst->bytes += src->bytes;
	src->count = 0;
	src->bytes = 0;
}

int perfdb_resultset_merge(perfdb_resultset *dst, perfdb_resultset *src)
{
	size_t i;
	int err;

	/* Reserve everything first so the moves below cannot fail half-way. */
	if ((dst->count && (err = reserve((void **)&dst->results, &dst->cap,
					  dst->count + src->count, sizeof(*dst->results)))) ||
	    (err = reserve((void **)&dst->warnings, &dst->capwarnings,
			   dst->nwarnings + src->nwarnings, sizeof(*dst->warnings))) ||
	    (err = take_run(dst, src)))
		return err;
	take_results(dst, src);
	for (i = 0; i < src->nwarnings; i++) {
		if (dst->nwarnings < PERFDB_WARNINGS_KEPT) {
			dst->warnings[dst->nwarnings++] = src->warnings[i];
		} else {
			free(src->warnings[i]);
			dst->more++;
		}
	}
	src->nwarnings = 0;
	dst->more += src->more;
	src->more = 0;
	if (dst->more)
		format_more(dst);
	return 0;
}

/* --- handing results over in batches ----------------------------------------- */

int perfdb_resultset_set_sink(perfdb_resultset *rs, perfdb_resultset_sink_fn fn, void *ctx,
			      size_t batch)
{
	rs->sink = fn;
	rs->sink_ctx = ctx;
	rs->sink_options = 0;
	rs->batch = batch ? batch : PERFDB_RESULTSET_BATCH;
	return 0;
}

int perfdb_resultset_set_sink_options(perfdb_resultset *rs, unsigned options)
{
	if (options & ~(unsigned)PERFDB_SINK_UNHELD_SAMPLES)
		return perfdb_error__set(PERFDB_EINVAL, "unknown sink options %#x", options);
	rs->sink_options = options;
	return 0;
}

size_t perfdb_resultset_written(const perfdb_resultset *rs)
{
	return rs->written;
}

static int write_batch(perfdb_resultset *rs)
{
	int err = rs->sink(rs->sink_ctx, rs, PERFDB_SINK_WRITE);
	if (err) {
		/* a result whose samples are not held is never left behind:
		 * what it reads them from is gone once the add returns */
		if (rs->unheld_at != SIZE_MAX && rs->unheld_at == rs->count - 1)
			rs->count--;
		rs->unheld_at = SIZE_MAX;
		return err;
	}
	/* The batch's strings and samples are all in the arena. */
	rs->unheld_at = SIZE_MAX;
	rs->written += rs->count;
	rs->count = 0;
	rs->bytes = 0;
	free_arena(rs);
	return 0;
}

/* A reader's batch: its results, with the run's metadata, tags and context
 * as read so far (a sink writes the run with its first batch), go to dst.
 * Warnings stay with the reader until it merges (a repeated one is counted
 * on the first there, "(3 times)"). */
static int hand_over(perfdb_resultset *dst, perfdb_resultset *src)
{
	int err;
	if ((dst->count && (err = reserve((void **)&dst->results, &dst->cap,
					  dst->count + src->count, sizeof(*dst->results)))) ||
	    (err = take_run(dst, src)))
		return err;
	take_results(dst, src);
	return write_batch(dst);
}

void perfdb_resultset__stream_into(perfdb_resultset *own, perfdb_resultset *rs)
{
	own->into = rs;
}

void perfdb_resultset__discard(perfdb_resultset *own)
{
	perfdb_resultset *rs = own->into ? own->into : own;
	if (rs->sink && rs->written) {
		rs->sink(rs->sink_ctx, rs, PERFDB_SINK_DISCARD);
		rs->written = 0;
	}
}
