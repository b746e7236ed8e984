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
 *
 * So a result is final only at the end of the document: one of a megabyte
 * or more is read in passes (catch2.h) instead of holding every benchmark
 * till then, and a test case that fails is read again at its end to warn
 * about its benchmarks.
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
	int line, column; /* of its first appearance */
} entry;

/* A name that appears more than once (or shares its hash with another):
 * its test case and sections (a prefix, kept once for all its benchmarks,
 * unless shorter than a prefix's record: then in the text before the
 * benchmark), its benchmark (in the text), and the means of its appearances,
 * room for as many as its hash has. 32 bytes, in arrays sized once: a file
 * whose every name repeats (a GENERATE'd section) holds one for each
 * name. */
typedef struct perfdb_catch2_group {
	uint64_t hash;	    /* first: slots_room */
	size_t bench;	    /* in text */
	size_t start;	    /* its means in means */
	uint32_t prefix, n; /* prefix NO_PREFIX: the whole name is in the text */
} group;

typedef struct perfdb_catch2_prefix {
	uint64_t hash; /* first: slots_room */
	size_t text, len;
} prefix_t;

#define NO_PREFIX UINT32_MAX

typedef struct reader {
	perfdb_catch2_acc acc; /* first: the shared part */
	perfdb_xml x;
	char *scope[PERFDB_XML_MAX_DEPTH + 1]; /* TestCase/Section names by depth */
	int case_depth;			       /* depth of the open TestCase, 0: none */
	bool in_bench, bench_failed, bench_has_mean, sd_placeholder;
	bench cur;
	size_t bench_len; /* of cur's benchmark, the end of its name */
	bool root_ok;
	perfdb_xml_mark case_at; /* the open TestCase's start */
	bool replaying;		 /* its benchmarks read again (replay_case) */
	const char *data;	 /* the document, for each reading */
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
	free(a->counts);
	free(a->groups);
	free(a->gslots);
	free(a->prefixes);
	free(a->pslots);
	free(a->text);
	free(a->means);
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
		e->line = b->line;
		e->column = b->column;
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

int perfdb_ingest__catch2_warn_dropped(perfdb_catch2_acc *a, const bench *b)
{
	return perfdb_resultset_warn(
	    a->rs, "%s:%d:%d: benchmark '%s': its test case %s%s; not recorded", a->name, b->line,
	    b->column, b->name, a->case_skipped ? "was skipped" : "failed", a->failure);
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
			err = perfdb_ingest__catch2_warn_dropped(a, b);
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
 * more than once, and in a->counts how many times. Whether there is any. */
static int keep_repeated(perfdb_catch2_acc *a, bool *any)
{
	size_t i, j, n = 0;
	*any = false;
	if (a->nhashes > 1)
		qsort(a->hashes, a->nhashes, sizeof(*a->hashes), cmp_hash);
	for (i = 0; i < a->nhashes; i = j) {
		for (j = i + 1; j < a->nhashes && a->hashes[j] == a->hashes[i]; j++)
			;
		n += j - i > 1;
	}
	if (n && !(a->counts = malloc(n * sizeof(*a->counts))))
		return perfdb_error__oom();
	for (n = 0, i = 0; i < a->nhashes; i = j) {
		for (j = i + 1; j < a->nhashes && a->hashes[j] == a->hashes[i]; j++)
			;
		if (j - i > 1) {
			a->counts[n] = (uint32_t)(j - i > UINT32_MAX ? UINT32_MAX : j - i);
			a->hashes[n++] = a->hashes[i];
		}
	}
	a->nhashes = n;
	if (n < a->caphashes) { /* given back: GROUP's tables take its place */
		uint64_t *p = n ? realloc(a->hashes, n * sizeof(*p)) : NULL;
		if (p || !n) {
			free(n ? NULL : a->hashes);
			a->hashes = p;
			a->caphashes = n;
		}
	}
	*any = n > 0;
	return 0;
}

/* The number of the repeated hash h + 1 (keep_repeated), or 0. */
static size_t repeated(const perfdb_catch2_acc *a, uint64_t h)
{
	const uint64_t *p;
	if (!a->nhashes || !(p = bsearch(&h, a->hashes, a->nhashes, sizeof(h), cmp_hash)))
		return 0;
	return (size_t)(p - a->hashes) + 1;
}

/* Room in the hash table *slots (*cap, a power of two) for one more of the
 * count items of `size` bytes at items, whose first field is their hash:
 * it stays under half full. */
static int slots_room(uint32_t **slots, size_t *cap, size_t count, const void *items, size_t size)
{
	size_t ncap = *cap ? *cap : 64, i, j;
	uint32_t *s;
	while ((count + 1) * 2 > ncap)
		ncap *= 2;
	if (ncap == *cap)
		return 0;
	if (ncap > UINT32_MAX || !(s = calloc(ncap, sizeof(*s))))
		return perfdb_error__oom();
	for (i = 0; i < count; i++) {
		uint64_t h = *(const uint64_t *)(const void *)((const char *)items + i * size);
		for (j = (size_t)h & (ncap - 1); s[j]; j = (j + 1) & (ncap - 1))
			;
		s[j] = (uint32_t)(i + 1);
	}
	free(*slots);
	*slots = s;
	*cap = ncap;
	return 0;
}

/* Appends n bytes at p and a NUL to a->text: 0 with their offset, or an error. */
static int text_put(perfdb_catch2_acc *a, const char *p, size_t n, size_t *off)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&a->text, &a->textcap, a->textlen + n + 1, 1)))
		return err;
	memcpy(a->text + a->textlen, p, n);
	a->text[a->textlen + n] = '\0';
	*off = a->textlen;
	a->textlen += n + 1;
	return 0;
}

/* The number of the prefix p (n bytes; p[n] is changed and restored),
 * added when new. */
static int prefix_of(perfdb_catch2_acc *a, char *p, size_t n, uint32_t *out)
{
	char c = p[n];
	uint64_t h;
	prefix_t *x;
	size_t j;
	int err;
	p[n] = '\0';
	h = perfdb_ingest__hash_pair(p, "");
	p[n] = c;
	if ((err = slots_room(&a->pslots, &a->pcap, a->nprefixes, a->prefixes, sizeof(*x))))
		return err;
	for (j = (size_t)h & (a->pcap - 1); a->pslots[j]; j = (j + 1) & (a->pcap - 1)) {
		x = &a->prefixes[a->pslots[j] - 1];
		if (x->hash == h && x->len == n && memcmp(a->text + x->text, p, n) == 0) {
			*out = a->pslots[j] - 1;
			return 0;
		}
	}
	if ((err = perfdb_ingest__grow((void **)&a->prefixes, &a->capprefixes, a->nprefixes + 1,
				       sizeof(*x))))
		return err;
	x = &a->prefixes[a->nprefixes];
	x->hash = h;
	x->len = n;
	if ((err = text_put(a, p, n, &x->text)))
		return err;
	a->pslots[j] = (uint32_t)++a->nprefixes;
	*out = a->pslots[j] - 1;
	return 0;
}

/* Whether group g is the name `full` (n bytes): its prefix, " / ", its
 * benchmark. */
static bool group_is(const perfdb_catch2_acc *a, const group *g, const char *full, size_t n)
{
	const prefix_t *p;
	const char *b = a->text + g->bench;
	size_t nb = strlen(b);
	if (g->prefix == NO_PREFIX)
		return n == nb && memcmp(full, b, n) == 0;
	p = &a->prefixes[g->prefix];
	return n == p->len + 3 + nb && memcmp(full, a->text + p->text, p->len) == 0 &&
	       memcmp(full + p->len, " / ", 3) == 0 && memcmp(full + p->len + 3, b, nb) == 0;
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

/* GROUP: the mean of b (named `full`, hash h, the repeated hash number
 * k + 1) to its group. */
static int group_add(perfdb_catch2_acc *a, const bench *b, uint64_t h, size_t k, char *full,
		     size_t n, size_t prefix)
{
	uint32_t *slot;
	group *g;
	int err;
	if ((err = slots_room(&a->gslots, &a->gcap, a->ngroups, a->groups, sizeof(*g))))
		return err;
	if (!(g = group_find(a, h, full, n, &slot))) {
		size_t need = a->nmeans + a->counts[k - 1];
		uint32_t px;
		/* one of each repeated hash, unless two names share one */
		if (!a->groups && !(a->groups = malloc(a->nhashes * sizeof(*g))))
			return perfdb_error__oom();
		if (!a->capgroups)
			a->capgroups = a->nhashes;
		if ((err = perfdb_ingest__grow((void **)&a->groups, &a->capgroups, a->ngroups + 1,
					       sizeof(*g))))
			return err;
		if (need > a->capmeans) {
			/* the first: room for every appearance of every repeated hash */
			size_t i, total = 0, cap;
			double *m;
			for (i = 0; i < a->nhashes; i++)
				total += a->counts[i];
			cap = a->capmeans ? a->capmeans * 2 : total;
			if (cap < need)
				cap = need;
			if (!(m = realloc(a->means, cap * sizeof(*m))))
				return perfdb_error__oom();
			a->means = m;
			a->capmeans = cap;
		}
		g = &a->groups[a->ngroups];
		memset(g, 0, sizeof(*g));
		g->hash = h;
		g->start = a->nmeans;
		a->nmeans = need;
		if (prefix < sizeof(prefix_t) + 2 * sizeof(*a->pslots)) {
			px = NO_PREFIX;
			err = text_put(a, full, n, &g->bench);
		} else if (!(err = prefix_of(a, full, prefix, &px))) {
			err = text_put(a, full + prefix + 3, n - prefix - 3, &g->bench);
		}
		if (err)
			return err;
		g->prefix = px;
		*slot = (uint32_t)++a->ngroups;
	}
	a->means[g->start + g->n++] = b->mean;
	return 0;
}

int perfdb_ingest__catch2_bench(perfdb_catch2_acc *a, const bench *b, char *full, size_t len,
				size_t prefix)
{
	uint64_t h;
	uint32_t *slot;
	size_t k;
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
		return span_fails(a) || !(k = repeated(a, h))
			   ? 0
			   : group_add(a, b, h, k, full, len, prefix);
	}
	if (span_fails(a))
		return 1;
	/* GROUP made a group of every name whose hash repeats */
	if (!(g = group_find(a, h, full, len, &slot)))
		return perfdb_ingest__catch2_result(a, full, &b->mean, 1, b);
	if (!g->n)
		return 0; /* made at its first appearance */
	/* here is its first appearance, whose stddev and samples a result of
	 * one appearance (a hash two names share) has */
	err = perfdb_ingest__catch2_result(a, full, a->means + g->start, g->n, b);
	g->n = 0; /* made */
	return err;
}

int perfdb_ingest__catch2_passes(perfdb_catch2_acc *a, perfdb_resultset *rs, int (*read)(void *ctx),
				 void *ctx, const char *none)
{
	bool any;
	int err;
	a->pass = PERFDB_CATCH2_COUNT;
	if ((err = read(ctx)))
		return err;
	a->pass = PERFDB_CATCH2_GROUP;
	if ((err = keep_repeated(a, &any)) || (any && (err = read(ctx))))
		return err;
	free(a->hashes); /* the groups say which names repeat now */
	free(a->counts);
	a->hashes = NULL;
	a->counts = NULL;
	a->nhashes = a->caphashes = 0;
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
				 size_t n, const perfdb_catch2_bench *first)
{
	perfdb_result res;
	int err;
	perfdb_result_init(&res);
	res.benchmark = name;
	res.metric = "time";
	res.unit = "ns";
	res.direction = PERFDB_LOWER_IS_BETTER;
	if (n == 1) {
		res.value = res.mean = means[0];
		res.stddev = first->stddev;
		res.n = first->samples;
	} else {
		res.value = NAN; /* the mean of the appearances */
		res.samples = means;
		res.nsamples = n;
	}
	if (!perfdb_ingest__fits_unit(&res))
		return perfdb_error__input(PERFDB_EINPUT, a->name, first->line, first->column, NULL,
					   "benchmark '%s': time out of range", name);
	if ((err = perfdb_resultset_add(a->rs, &res)))
		return perfdb_ingest__placed(err, a->name, first->line, first->column);
	return 0;
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
		perfdb_catch2_bench first = {.line = e->line,
					     .column = e->column,
					     .stddev = e->stddev,
					     .samples = e->samples};
		if ((err = perfdb_ingest__catch2_result(a, e->name, e->means, e->n, &first)))
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
	r->acc.nbench += !r->replaying;
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
		if (!perfdb_ingest__catch2_warns(&r->acc) || r->replaying)
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
		if (!perfdb_ingest__catch2_warns(&r->acc) || r->replaying)
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
	if (err == 1 && r->replaying)
		err = perfdb_ingest__catch2_warn_dropped(&r->acc, &r->cur);
	else if (err == 1 && r->acc.pass == PERFDB_CATCH2_WHOLE)
		return perfdb_ingest__catch2_pend(&r->acc, &r->cur);
	else if (err == 1) /* EMIT: warned about when its test case is read again */
		err = 0;
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
			r->case_at = ev->at;
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

static int on_start(reader *r, const perfdb_xml_event *ev);
static int on_end(reader *r, const perfdb_xml_event *ev);

/*
 * EMIT: the open test case failed or was skipped, at its end. One reading
 * would have held its benchmarks till here to warn about them; instead it is
 * read again from its start (the text was read whole once, so without
 * error) and each is warned about as it comes, in the same order.
 */
static int replay_case(reader *r, int depth)
{
	perfdb_xml x;
	perfdb_xml_event ev;
	int err;
	perfdb_xml__init_at(&x, r->data, r->len, r->acc.name, &r->case_at);
	r->replaying = true;
	while (!(err = perfdb_xml__next(&x, &ev)) && ev.type != PERFDB_XML_EOF) {
		ev.depth += depth - 1;
		if (ev.type == PERFDB_XML_START)
			err = on_start(r, &ev);
		else if (ev.type == PERFDB_XML_END && ev.depth == depth)
			break;
		else if (ev.type == PERFDB_XML_END)
			err = on_end(r, &ev);
		if (err)
			break;
	}
	r->replaying = false;
	r->case_depth = 0;
	perfdb_xml__release(&x);
	return err;
}

/* The open test case ends (perfdb_ingest__catch2_end_case). */
static int end_case(reader *r)
{
	int depth = r->case_depth, err;
	r->case_depth = 0;
	if (r->acc.pass == PERFDB_CATCH2_EMIT && (r->acc.case_failed || r->acc.case_skipped) &&
	    (err = replay_case(r, depth)))
		return err;
	return perfdb_ingest__catch2_end_case(&r->acc);
}

static int on_end(reader *r, const perfdb_xml_event *ev)
{
	int err = 0;
	if (r->in_bench && strcmp(ev->name, "BenchmarkResults") == 0)
		return end_bench(r, ev);
	if (ev->depth <= PERFDB_XML_MAX_DEPTH && r->scope[ev->depth] &&
	    (strcmp(ev->name, "TestCase") == 0 || strcmp(ev->name, "Section") == 0)) {
		if (ev->depth == r->case_depth)
			err = end_case(r);
		free(r->scope[ev->depth]);
		r->scope[ev->depth] = NULL;
	}
	return err;
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
