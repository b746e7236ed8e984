/*
 * Catch2's XML reporter (`-r xml`), v2 (<Catch><Group>) and v3
 * (<Catch2TestRun>): every <BenchmarkResults> becomes one "time" result in ns
 * (Catch2 writes "All values in nano seconds"): value and mean from <mean
 * value>, stddev from <standardDeviation value>, n from the samples
 * attribute. The confidence bounds and the outlier classification have no
 * place in a result and are not read.
 *
 * The name is the test case, its sections and the benchmark joined with
 * " / " ("Containers / vector / push_back 1000"): Catch2 only makes the whole
 * path unique. A benchmark that appears more than once (a GENERATE'd section)
 * becomes one result whose samples are the means of each appearance.
 *
 * With --benchmark-no-analysis Catch2 still writes <standardDeviation> and
 * the bounds, as 0 with ci="0": that 0 is not a measurement and is dropped.
 * A benchmark that threw (<failed message>), and every benchmark of a test
 * case that failed (a failed CHECK, an exception) or was skipped, is warned
 * about with its position and not recorded: a benchmark of code that
 * misbehaved is not a number to compare against.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/catch2.h"
#include "ingest/ingest.h"
#include "ingest/reader.h"
#include "ingest/textpos.h"
#include "ingest/xml.h"
#include "util/error.h"

typedef perfdb_catch2_bench bench;

/*
 * A document this big or bigger is read in passes (catch2.h): read once, it
 * would hold every name and mean until its end, more than the document itself
 * when test cases are small (three times a file of one-benchmark test
 * cases). A smaller one is read once, a single reading of it.
 */
#define WHOLE_BELOW ((size_t)1 << 20)

typedef struct perfdb_catch2_entry { /* one series of the file */
	char *name;
	double *means;
	size_t n, cap;
	double stddev;
	long long samples;
} entry;

/* A name that appears more than once (or shares its hash with another):
 * its test case and sections (an id in `prefixes`), its benchmark, and the
 * means of its appearances. */
typedef struct perfdb_catch2_group {
	uint64_t hash;
	size_t prefix;
	char *bench;
	double *means;
	size_t n, cap;
	double stddev;
	long long samples;
	bool emitted;
} group;

typedef struct reader {
	perfdb_catch2_acc acc; /* first: the shared part */
	perfdb_xml x;
	char *scope[PERFDB_XML_MAX_DEPTH + 1]; /* TestCase/Section names by depth */
	int case_depth;			       /* depth of the open TestCase, 0: none */
	bool in_bench, bench_failed, bench_has_mean, sd_placeholder;
	bench cur;
	size_t bench_len; /* of cur's benchmark, the end of its name */
	bool root_ok;
	const char *data; /* the document, for each reading */
	size_t len;
} reader;

/* Frees what one reading reads. */
static void reading_release(reader *r)
{
	size_t i;
	for (i = 0; i <= PERFDB_XML_MAX_DEPTH; i++) {
		free(r->scope[i]);
		r->scope[i] = NULL;
	}
	free(r->cur.name);
	r->cur.name = NULL;
	perfdb_xml__release(&r->x);
}

void perfdb_ingest__catch2_release(perfdb_catch2_acc *a)
{
	size_t i;
	for (i = 0; i < a->npending; i++)
		free(a->pending[i].name);
	free(a->pending);
	for (i = 0; i < a->nentries; i++) {
		free(a->entries[i].name);
		free(a->entries[i].means);
	}
	free(a->entries);
	perfdb_ingest__index_release(&a->index);
	free(a->failing);
	free(a->hashes);
	for (i = 0; i < a->ngroups; i++) {
		free(a->groups[i].bench);
		free(a->groups[i].means);
	}
	free(a->groups);
	free(a->gslots);
	perfdb_ingest__nameset_release(&a->prefixes);
	perfdb_resultset_free(a->rs);
	memset(a, 0, sizeof(*a));
}

static int attr_error(const reader *r, const perfdb_xml_attr *a, const char *what)
{
	return perfdb_error__input(PERFDB_EINPUT, r->acc.name, a->line, a->column, a->name,
				   "%s, found '%s'", what, a->value);
}

/* A required attribute of ev, or an error at the element. */
static int need_attr(const reader *r, const perfdb_xml_event *ev, const char *key,
		     const perfdb_xml_attr **out)
{
	if ((*out = perfdb_xml__attr(ev, key)))
		return 0;
	return perfdb_error__input(PERFDB_EINPUT, r->acc.name, ev->line, ev->column, key,
				   "<%s> has no %s attribute", ev->name, key);
}

/* A number attribute: 0 and *out, 1 when Catch2 wrote nan/inf (*out NAN). */
static int number_attr(const reader *r, const perfdb_xml_attr *a, double *out)
{
	int rc = perfdb_ingest__number(a->value, out);
	if (rc == 0)
		return 0;
	if (rc == -1 && (strcmp(a->value, "nan") == 0 || strcmp(a->value, "-nan") == 0 ||
			 strcmp(a->value, "inf") == 0 || strcmp(a->value, "-inf") == 0)) {
		*out = NAN;
		return 1;
	}
	return attr_error(r, a, rc == -2 ? "number out of range" : "expected a number");
}

/* "TestCase / Section / ... / bench" */
static char *full_name(const reader *r, const char *bench_name, int depth)
{
	size_t len = strlen(bench_name) + 1, off = 0;
	int d;
	char *s;
	for (d = 1; d < depth; d++)
		if (r->scope[d])
			len += strlen(r->scope[d]) + 3;
	if (!(s = malloc(len)))
		return NULL;
	for (d = 1; d < depth; d++)
		if (r->scope[d]) {
			size_t n = strlen(r->scope[d]);
			memcpy(s + off, r->scope[d], n);
			memcpy(s + off + n, " / ", 3);
			off += n + 3;
		}
	memcpy(s + off, bench_name, strlen(bench_name) + 1);
	return s;
}

static int add_entry(perfdb_catch2_acc *a, const bench *b)
{
	size_t found;
	entry *e;
	int err;
	if (perfdb_ingest__index_find(&a->index, b->name, "time", &found)) {
		e = &a->entries[found];
	} else {
		if ((err = perfdb_ingest__grow((void **)&a->entries, &a->capentries,
					       a->nentries + 1, sizeof(entry))))
			return err;
		e = &a->entries[a->nentries];
		memset(e, 0, sizeof(*e));
		if (!(e->name = strdup(b->name)))
			return perfdb_error__oom();
		e->stddev = b->stddev;
		e->samples = b->samples;
		a->nentries++;
		if ((err = perfdb_ingest__index_add(&a->index, e->name, "time", a->nentries - 1,
						    &found)) < 0)
			return err;
	}
	if ((err = perfdb_ingest__grow((void **)&e->means, &e->cap, e->n + 1, sizeof(double))))
		return err;
	e->means[e->n++] = b->mean;
	return 0;
}

int perfdb_ingest__catch2_init(perfdb_catch2_acc *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->name = name;
	return perfdb_resultset_new(&a->rs);
}

int perfdb_ingest__catch2_pend(perfdb_catch2_acc *a, bench *b)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&a->pending, &a->cappending, a->npending + 1,
				       sizeof(bench))))
		return err;
	a->pending[a->npending++] = *b;
	b->name = NULL;
	return 0;
}

/* Whether the open test case fails or is skipped (COUNT found out). */
static bool span_fails(const perfdb_catch2_acc *a)
{
	return a->span / 8 < a->capfailing && (a->failing[a->span / 8] >> (a->span % 8) & 1);
}

int perfdb_ingest__catch2_end_case(perfdb_catch2_acc *a)
{
	size_t i;
	int err = 0;
	if (a->pass == PERFDB_CATCH2_COUNT) {
		if (a->case_failed || a->case_skipped) {
			size_t k = a->capfailing;
			if ((err = perfdb_ingest__grow((void **)&a->failing, &a->capfailing,
						       a->span / 8 + 1, 1)))
				return err;
			memset(a->failing + k, 0, a->capfailing - k);
			a->failing[a->span / 8] |= (unsigned char)(1u << (a->span % 8));
			a->nhashes = a->case_start; /* its names are not recorded */
		}
		a->case_start = a->nhashes;
	}
	a->span++;
	for (i = 0; i < a->npending && !err; i++) {
		bench *b = &a->pending[i];
		if (a->case_failed || a->case_skipped)
			err = perfdb_resultset_warn(a->rs,
						    "%s:%d:%d: benchmark '%s': its test case %s%s; "
						    "not recorded",
						    a->name, b->line, b->column, b->name,
						    a->case_skipped ? "was skipped" : "failed",
						    a->failure);
		else
			err = add_entry(a, b);
	}
	for (i = 0; i < a->npending; i++)
		free(a->pending[i].name);
	a->npending = 0;
	a->case_failed = a->case_skipped = false;
	a->failure[0] = '\0';
	return err;
}

bool perfdb_ingest__catch2_warns(const perfdb_catch2_acc *a)
{
	return a->pass == PERFDB_CATCH2_WHOLE || a->pass == PERFDB_CATCH2_EMIT;
}

void perfdb_ingest__catch2_begin(perfdb_catch2_acc *a)
{
	a->span = 0;
	a->nbench = 0;
	a->case_start = a->nhashes;
}

static int cmp_hash(const void *x, const void *y)
{
	uint64_t p = *(const uint64_t *)x, q = *(const uint64_t *)y;
	return p < q ? -1 : p > q;
}

/* After COUNT: keeps in a->hashes, sorted, one of each hash that is there
 * more than once. Whether there is any. */
static bool keep_repeated(perfdb_catch2_acc *a)
{
	size_t i, n = 0;
	if (a->nhashes > 1)
		qsort(a->hashes, a->nhashes, sizeof(*a->hashes), cmp_hash);
	for (i = 1; i < a->nhashes; i++)
		if (a->hashes[i] == a->hashes[i - 1] &&
		    (n == 0 || a->hashes[n - 1] != a->hashes[i]))
			a->hashes[n++] = a->hashes[i];
	a->nhashes = n;
	return n > 0;
}

/* Whether the name with hash h repeats (keep_repeated). */
static bool repeated(const perfdb_catch2_acc *a, uint64_t h)
{
	return a->nhashes && bsearch(&h, a->hashes, a->nhashes, sizeof(h), cmp_hash);
}

/* Whether group g is the name `full` (n bytes): its prefix, " / ", its
 * benchmark. */
static bool group_is(const perfdb_catch2_acc *a, const group *g, const char *full, size_t n)
{
	const char *p = a->prefixes.names[g->prefix];
	size_t np = strlen(p), nb = strlen(g->bench);
	return n == np + 3 + nb && memcmp(full, p, np) == 0 && memcmp(full + np, " / ", 3) == 0 &&
	       memcmp(full + np + 3, g->bench, nb) == 0;
}

/* The group of the name `full` (n bytes) with hash h, or NULL; *slot where
 * it is or would go. */
static group *group_find(const perfdb_catch2_acc *a, uint64_t h, const char *full, size_t n,
			 uint32_t **slot)
{
	size_t j = (size_t)h & (a->gcap - 1);
	*slot = NULL;
	if (!a->gcap)
		return NULL;
	for (; a->gslots[j]; j = (j + 1) & (a->gcap - 1)) {
		group *g = &a->groups[a->gslots[j] - 1];
		if (g->hash == h && group_is(a, g, full, n)) {
			*slot = &a->gslots[j];
			return g;
		}
	}
	*slot = &a->gslots[j];
	return NULL;
}

/* GROUP: the mean of b (named `full`, hash h) to its group. */
static int group_add(perfdb_catch2_acc *a, const bench *b, uint64_t h, char *full, size_t n,
		     size_t prefix)
{
	uint32_t *slot;
	group *g;
	int err;
	if ((a->ngroups + 1) * 2 > a->gcap) {
		size_t cap = a->gcap ? a->gcap * 2 : 64, i, j;
		uint32_t *slots;
		if (cap > UINT32_MAX || !(slots = calloc(cap, sizeof(*slots))))
			return perfdb_error__oom();
		for (i = 0; i < a->ngroups; i++) {
			for (j = (size_t)a->groups[i].hash & (cap - 1); slots[j];
			     j = (j + 1) & (cap - 1))
				;
			slots[j] = (uint32_t)(i + 1);
		}
		free(a->gslots);
		a->gslots = slots;
		a->gcap = cap;
	}
	if (!(g = group_find(a, h, full, n, &slot))) {
		size_t found;
		if ((err = perfdb_ingest__grow((void **)&a->groups, &a->capgroups, a->ngroups + 1,
					       sizeof(*g))))
			return err;
		/* the prefix: the name's text before " / " and the benchmark */
		full[prefix] = '\0';
		err = perfdb_ingest__nameset_add(&a->prefixes, full, prefix, "");
		perfdb_ingest__index_find(&a->prefixes.index, full, "", &found);
		full[prefix] = ' ';
		if (err < 0)
			return err;
		g = &a->groups[a->ngroups];
		memset(g, 0, sizeof(*g));
		g->hash = h;
		g->prefix = found;
		g->stddev = b->stddev;
		g->samples = b->samples;
		if (!(g->bench = perfdb_ingest__dup_n(full + prefix + 3, n - prefix - 3)))
			return perfdb_error__oom();
		*slot = (uint32_t)++a->ngroups;
	}
	if ((err = perfdb_ingest__grow((void **)&g->means, &g->cap, g->n + 1, sizeof(double))))
		return err;
	g->means[g->n++] = b->mean;
	return 0;
}

int perfdb_ingest__catch2_bench(perfdb_catch2_acc *a, const bench *b, char *full, size_t len,
				size_t prefix)
{
	uint64_t h;
	uint32_t *slot;
	group *g;
	int err;
	if (a->pass == PERFDB_CATCH2_WHOLE)
		return 1;
	h = perfdb_ingest__hash_pair(full, "");
	switch (a->pass) {
	case PERFDB_CATCH2_WHOLE:
	case PERFDB_CATCH2_EMIT: break;
	case PERFDB_CATCH2_COUNT:
		if ((err = perfdb_ingest__grow((void **)&a->hashes, &a->caphashes, a->nhashes + 1,
					       sizeof(*a->hashes))))
			return err;
		a->hashes[a->nhashes++] = h;
		return 0;
	case PERFDB_CATCH2_GROUP:
		return span_fails(a) || !repeated(a, h) ? 0 : group_add(a, b, h, full, len, prefix);
	}
	if (span_fails(a))
		return 1;
	if (!repeated(a, h))
		return perfdb_ingest__catch2_result(a, full, &b->mean, 1, b->stddev, b->samples);
	if (!(g = group_find(a, h, full, len, &slot)) || g->emitted)
		return 0; /* (a group was found for every repeated name) */
	g->emitted = true;
	err = perfdb_ingest__catch2_result(a, full, g->means, g->n, g->stddev, g->samples);
	free(g->means);
	g->means = NULL;
	return err;
}

int perfdb_ingest__catch2_passes(perfdb_catch2_acc *a, perfdb_resultset *rs, int (*read)(void *ctx),
				 void *ctx, const char *none)
{
	int err;
	a->pass = PERFDB_CATCH2_COUNT;
	if ((err = read(ctx)))
		return err;
	a->pass = PERFDB_CATCH2_GROUP;
	if (keep_repeated(a) && (err = read(ctx)))
		return err;
	/* final as made: on to rs's sink a batch at a time, the source set
	 * first (gotest.c) */
	if ((err = perfdb_resultset_set_meta(a->rs, PERFDB_META_SOURCE, "catch2")))
		return err;
	perfdb_resultset__stream_into(a->rs, rs);
	a->pass = PERFDB_CATCH2_EMIT;
	if ((err = read(ctx)))
		return err;
	return perfdb_ingest__catch2_finish(a, rs, none);
}

int perfdb_ingest__catch2_result(perfdb_catch2_acc *a, const char *name, const double *means,
				 size_t n, double stddev, long long samples)
{
	perfdb_result res;
	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = "time";
	res.unit = "ns";
	res.direction = PERFDB_LOWER_IS_BETTER;
	if (n == 1) {
		res.value = res.mean = means[0];
		res.stddev = stddev;
		res.n = samples;
	} else {
		res.value = NAN; /* the mean of the appearances */
		res.samples = means;
		res.nsamples = n;
	}
	if (!perfdb_ingest__fits_unit(&res))
		return perfdb_error__input(PERFDB_EINPUT, a->name, 0, 0, NULL,
					   "benchmark '%s': time out of range", name);
	return perfdb_resultset_add(a->rs, &res);
}

int perfdb_ingest__catch2_finish(perfdb_catch2_acc *a, perfdb_resultset *rs, const char *none)
{
	size_t i;
	int err;
	/* final as made: on to rs's sink a batch at a time, the source set
	 * first (gotest.c) */
	if ((err = perfdb_resultset_set_meta(a->rs, PERFDB_META_SOURCE, "catch2")))
		return err;
	perfdb_resultset__stream_into(a->rs, rs);
	for (i = 0; i < a->nentries; i++) {
		entry *e = &a->entries[i];
		if ((err = perfdb_ingest__catch2_result(a, e->name, e->means, e->n, e->stddev,
							e->samples)))
			return err;
	}
	if (a->nbench == 0 &&
	    (err = perfdb_resultset_warn(a->rs, "%s: no %s in the file", a->name, none)))
		return err;
	return perfdb_resultset_merge(rs, a->rs);
}

static int start_bench(reader *r, const perfdb_xml_event *ev)
{
	const perfdb_xml_attr *a;
	int err;
	double v;
	if (r->in_bench)
		return perfdb_error__input(PERFDB_EINPUT, r->acc.name, ev->line, ev->column, NULL,
					   "<BenchmarkResults> inside <BenchmarkResults>");
	if ((err = need_attr(r, ev, "name", &a)))
		return err;
	memset(&r->cur, 0, sizeof(r->cur));
	if (!(r->cur.name = full_name(r, a->value, ev->depth)))
		return perfdb_error__oom();
	r->cur.line = ev->line;
	r->cur.column = ev->column;
	r->cur.mean = r->cur.stddev = NAN;
	r->cur.samples = 0;
	r->bench_len = strlen(a->value);
	if ((a = perfdb_xml__attr(ev, "samples"))) {
		if ((err = number_attr(r, a, &v)) < 0)
			return err;
		if (err == 1 || v < 0 || v != floor(v) || v > 1e15)
			return attr_error(r, a, "expected a sample count");
		r->cur.samples = (long long)v;
	}
	r->in_bench = true;
	r->bench_failed = r->bench_has_mean = r->sd_placeholder = false;
	r->acc.nbench++;
	return 0;
}

static int bench_child(reader *r, const perfdb_xml_event *ev)
{
	const perfdb_xml_attr *a, *ci;
	int err;
	double v;

	if (strcmp(ev->name, "failed") == 0) {
		const perfdb_xml_attr *m = perfdb_xml__attr(ev, "message");
		r->bench_failed = true;
		if (!perfdb_ingest__catch2_warns(&r->acc))
			return 0;
		return perfdb_resultset_warn(
		    r->acc.rs, "%s:%d:%d: benchmark '%s' failed: %s; not recorded", r->acc.name,
		    ev->line, ev->column, r->cur.name, m ? m->value : "(no message)");
	}
	if (strcmp(ev->name, "mean") != 0 && strcmp(ev->name, "standardDeviation") != 0)
		return 0; /* outliers, and anything a later Catch2 adds */
	if ((err = need_attr(r, ev, "value", &a)) || (err = number_attr(r, a, &v)) < 0)
		return err;
	if (err == 1) {
		if (strcmp(ev->name, "mean") == 0)
			r->bench_failed = true;
		if (!perfdb_ingest__catch2_warns(&r->acc))
			return 0;
		return perfdb_resultset_warn(
		    r->acc.rs, "%s:%d:%d: benchmark '%s': %s is %s; not recorded", r->acc.name,
		    a->line, a->column, r->cur.name, ev->name, a->value);
	}
	if (strcmp(ev->name, "mean") == 0) {
		r->cur.mean = v;
		r->bench_has_mean = true;
		return 0;
	}
	/* --benchmark-no-analysis: value, bounds and ci all 0 */
	ci = perfdb_xml__attr(ev, "ci");
	if (v == 0 && ci && strcmp(ci->value, "0") == 0)
		return 0;
	if (v < 0)
		return attr_error(r, a, "expected a non-negative standard deviation");
	r->cur.stddev = v;
	return 0;
}

static int end_bench(reader *r, const perfdb_xml_event *ev)
{
	size_t len;
	int err;
	r->in_bench = false;
	if (r->bench_failed) {
		free(r->cur.name);
		r->cur.name = NULL;
		return 0;
	}
	if (!r->bench_has_mean) {
		err = perfdb_error__input(PERFDB_EINPUT, r->acc.name, r->cur.line, r->cur.column,
					  "mean", "benchmark '%s' has neither <mean> nor <failed>",
					  r->cur.name);
		(void)ev;
		return err;
	}
	if (r->case_depth == 0) /* never outside a test case in Catch2's output */
		return perfdb_error__input(PERFDB_EINPUT, r->acc.name, r->cur.line, r->cur.column,
					   NULL, "<BenchmarkResults> outside a <TestCase>");
	len = strlen(r->cur.name);
	err =
	    perfdb_ingest__catch2_bench(&r->acc, &r->cur, r->cur.name, len, len - r->bench_len - 3);
	if (err == 1)
		return perfdb_ingest__catch2_pend(&r->acc, &r->cur);
	free(r->cur.name);
	r->cur.name = NULL;
	return err;
}

static int on_start(reader *r, const perfdb_xml_event *ev)
{
	const perfdb_xml_attr *a;
	int err;

	if (ev->depth == 1) {
		if (strcmp(ev->name, "Catch") != 0 && strcmp(ev->name, "Catch2TestRun") != 0)
			return perfdb_error__input(PERFDB_EINPUT, r->acc.name, ev->line, ev->column,
						   NULL,
						   "expected <Catch> or <Catch2TestRun> (Catch2's "
						   "XML reporter), found <%s>",
						   ev->name);
		r->root_ok = true;
		/* set once, before any result is handed on */
		if ((r->acc.pass == PERFDB_CATCH2_WHOLE || r->acc.pass == PERFDB_CATCH2_COUNT) &&
		    (a = perfdb_xml__attr(ev, "catch2-version")) &&
		    (err = perfdb_resultset_set_context(r->acc.rs, "catch2_version", a->value)))
			return err;
		return 0;
	}
	if (r->in_bench)
		return bench_child(r, ev);
	if (strcmp(ev->name, "TestCase") == 0 || strcmp(ev->name, "Section") == 0) {
		if ((err = need_attr(r, ev, "name", &a)))
			return err;
		free(r->scope[ev->depth]);
		if (!(r->scope[ev->depth] = strdup(a->value)))
			return perfdb_error__oom();
		if (ev->name[0] == 'T') {
			if (r->case_depth)
				return perfdb_error__input(PERFDB_EINPUT, r->acc.name, ev->line,
							   ev->column, NULL,
							   "<TestCase> inside a <TestCase>");
			r->case_depth = ev->depth;
		}
		return 0;
	}
	if (strcmp(ev->name, "BenchmarkResults") == 0)
		return start_bench(r, ev);
	if (!r->case_depth)
		return 0;
	if (strcmp(ev->name, "Expression") == 0 && (a = perfdb_xml__attr(ev, "success")) &&
	    strcmp(a->value, "false") == 0 && !r->acc.failure[0]) {
		const perfdb_xml_attr *f = perfdb_xml__attr(ev, "filename");
		const perfdb_xml_attr *l = perfdb_xml__attr(ev, "line");
		const perfdb_xml_attr *t = perfdb_xml__attr(ev, "type");
		snprintf(r->acc.failure, sizeof(r->acc.failure), " (%s at %s:%s)",
			 t ? t->value : "check", f ? f->value : "?", l ? l->value : "?");
	} else if ((strcmp(ev->name, "Exception") == 0 ||
		    strcmp(ev->name, "FatalErrorCondition") == 0) &&
		   !r->acc.failure[0]) {
		snprintf(r->acc.failure, sizeof(r->acc.failure), " (%s at line %d)", ev->name,
			 ev->line);
	} else if (strcmp(ev->name, "OverallResult") == 0 && ev->depth == r->case_depth + 1) {
		if ((a = perfdb_xml__attr(ev, "success")) && strcmp(a->value, "true") != 0)
			r->acc.case_failed = true;
		if ((a = perfdb_xml__attr(ev, "skips")) && strcmp(a->value, "0") != 0)
			r->acc.case_skipped = true;
	}
	return 0;
}

static int on_end(reader *r, const perfdb_xml_event *ev)
{
	if (r->in_bench && strcmp(ev->name, "BenchmarkResults") == 0)
		return end_bench(r, ev);
	if (ev->depth <= PERFDB_XML_MAX_DEPTH && r->scope[ev->depth] &&
	    (strcmp(ev->name, "TestCase") == 0 || strcmp(ev->name, "Section") == 0)) {
		free(r->scope[ev->depth]);
		r->scope[ev->depth] = NULL;
		if (ev->depth == r->case_depth) {
			r->case_depth = 0;
			return perfdb_ingest__catch2_end_case(&r->acc);
		}
	}
	return 0;
}

/* One reading of the document, from a clean state: 0, or its first error. */
static int read_document(void *ctx)
{
	reader *r = ctx;
	perfdb_xml_event ev;
	int err;

	reading_release(r);
	r->case_depth = 0;
	r->in_bench = r->root_ok = false;
	perfdb_xml__init(&r->x, r->data, r->len, r->acc.name);
	perfdb_ingest__catch2_begin(&r->acc);
	while ((err = perfdb_xml__next(&r->x, &ev)) == 0 && ev.type != PERFDB_XML_EOF) {
		if (ev.type == PERFDB_XML_START)
			err = on_start(r, &ev);
		else if (ev.type == PERFDB_XML_END)
			err = on_end(r, &ev);
		if (err)
			return err;
	}
	return err;
}

int perfdb_ingest__catch2_xml(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			      bool once)
{
	reader r;
	int err;

	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = len;
	if ((err = perfdb_ingest__catch2_init(&r.acc, name)))
		goto done;
	if (once) {
		r.acc.pass = PERFDB_CATCH2_WHOLE;
		if (!(err = read_document(&r)))
			err = perfdb_ingest__catch2_finish(&r.acc, rs, "<BenchmarkResults>");
	} else {
		err = perfdb_ingest__catch2_passes(&r.acc, rs, read_document, &r,
						   "<BenchmarkResults>");
	}
done:
	reading_release(&r);
	perfdb_ingest__catch2_release(&r.acc);
	return err;
}

int perfdb_ingest__catch2(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	size_t i = 0;
	int err;

	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i < len && data[i] != '<') /* not XML: the console reporter's text */
		return perfdb_ingest__catch2_console(rs, data, len, name);
	return perfdb_ingest__catch2_xml(rs, data, len, name, len < WHOLE_BELOW);
}
