/*
 * Pieces the native and CSV readers share: strict numbers and a
 * (benchmark, metric) index. See reader.h.
 */
#include "ingest/reader.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* v = m x 10^e10 without strtod when that is exact: m fits a double's
 * mantissa and 10^|e10| is a double, so one multiplication or division
 * rounds once, correctly, as strtod does (Clinger's fast path). Most numbers
 * in result files are short decimals, and strtod costs more than the rest
 * of reading them. */
static bool exact_decimal(uint64_t m, long e10, bool neg, double *out)
{
	static const double p10[] = {1e0,  1e1,	 1e2,  1e3,  1e4,  1e5,	 1e6,  1e7,
				     1e8,  1e9,	 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	double v;
#if FLT_EVAL_METHOD != 0
	return false; /* wider intermediates would round twice */
#endif
	if (m > (1ull << 53) || e10 < -22 || e10 > 22)
		return false;
	v = e10 < 0 ? (double)m / p10[-e10] : (double)m * p10[e10];
	*out = neg ? -v : v;
	return true;
}

int perfdb_ingest__number(const char *s, double *out)
{
	size_t i = 0, digits = 0, len = strlen(s);
	uint64_t m = 0;
	bool neg = false, big = false;
	long e10 = 0, exp = 0;
	char *end;
	double v;

	/* Check the grammar first: strtod alone would accept white space,
	 * hexadecimal, "nan", "inf" and a valid prefix of anything. */
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && is_digit(s[i]); i++, digits++) {
		if (m > (UINT64_MAX - 9) / 10)
			big = true;
		else
			m = m * 10 + (uint64_t)(s[i] - '0');
	}
	if (i < len && s[i] == '.') {
		i++;
		for (; i < len && is_digit(s[i]); i++, digits++, e10--) {
			if (m > (UINT64_MAX - 9) / 10)
				big = true;
			else
				m = m * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (digits == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		bool exp_neg = false;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			exp_neg = s[i++] == '-';
		for (; i < len && is_digit(s[i]); i++, exp_digits++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
		if (exp_digits == 0)
			return -1;
		e10 += exp_neg ? -exp : exp;
	}
	if (i != len)
		return -1;
	if (!big && exact_decimal(m, e10, neg, out))
		return 0;

	pthread_once(&c_locale_once, make_c_locale);
	v = c_locale ? strtod_l(s, &end, c_locale) : strtod(s, &end);
	if (end != s + len || !isfinite(v))
		return -2;
	*out = v;
	return 0;
}

int perfdb_ingest__placed(int err, const char *name, int line, int column)
{
	const perfdb_error *e = perfdb_error_last();
	char msg[sizeof(e->message)];
	if (err != PERFDB_EINVAL || e->file[0] || e->line)
		return err;
	snprintf(msg, sizeof(msg), "%s", e->message);
	return perfdb_error__input(PERFDB_EINPUT, name, line, column, NULL, "%s", msg);
}

static bool fits(double v, double factor)
{
	return isnan(v) || isfinite(v * factor);
}

bool perfdb_ingest__fits_unit(const perfdb_result *r)
{
	const char *canonical;
	double f;
	size_t i;

	perfdb_unit_normalize(r->unit, &canonical, &f);
	if (!fits(r->value, f) || !fits(r->mean, f) || !fits(r->median, f) || !fits(r->stddev, f) ||
	    !fits(r->min, f) || !fits(r->max, f))
		return false;
	for (i = 0; r->samples && i < r->nsamples; i++)
		if (!fits(r->samples[i], f))
			return false;
	return true;
}

bool perfdb_ingest__fits_unit_max(const char *unit, double maxabs)
{
	const char *canonical;
	double f;
	perfdb_unit_normalize(unit, &canonical, &f);
	/* scaling is monotonic: the largest magnitude fits, or one does not */
	return fits(maxabs, f);
}

size_t perfdb_ingest__scan_unheld(const perfdb_unheld *src, double min, double *maxabs)
{
	double buf[PERFDB_SAMPLES_CHUNK];
	size_t got, i, at = 0, bad = SIZE_MAX;
	*maxabs = 0;
	/* read to the end even past a bad one: the next pass starts afresh */
	while ((got = src->read(src->ctx, buf, PERFDB_SAMPLES_CHUNK))) {
		for (i = 0; i < got && bad == SIZE_MAX; i++) {
			if (!isfinite(buf[i]) || buf[i] < min)
				bad = at + i;
			else if (fabs(buf[i]) > *maxabs)
				*maxabs = fabs(buf[i]);
		}
		at += got;
	}
	return bad;
}

const char *perfdb_ingest__excerpt(char *buf, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t j = 0;
	int chars = 0;

	while (*p && chars < 32) {
		int k, n = 1;
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			n = *p == 0xc2 ? 2 : 1;
			for (k = 0; k < n; k++) {
				buf[j++] = '\\';
				buf[j++] = 'x';
				buf[j++] = hex[p[k] >> 4];
				buf[j++] = hex[p[k] & 15];
			}
		} else {
			/* A whole UTF-8 sequence: never cut a character in two. */
			while ((p[n] & 0xc0) == 0x80 && n < 4)
				n++;
			memcpy(buf + j, p, (size_t)n);
			j += (size_t)n;
		}
		p += n;
		chars++;
	}
	if (*p) {
		memcpy(buf + j, "\xE2\x80\xA6", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

void perfdb_ingest__escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)src;
	size_t j = 0;

	if (!cap)
		return;
	for (; *p; p++) {
		bool c1 = *p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;
		if (*p < 0x20 || *p == 0x7f || c1) {
			int k, n = c1 ? 2 : 1;
			if (j + 4 * (size_t)n >= cap)
				break;
			for (k = 0; k < n; k++) {
				dst[j++] = '\\';
				dst[j++] = 'x';
				dst[j++] = hex[p[k] >> 4];
				dst[j++] = hex[p[k] & 15];
			}
			p += n - 1;
		} else {
			if (j + 1 >= cap)
				break;
			dst[j++] = (char)*p;
		}
	}
	dst[j] = '\0';
}

int perfdb_ingest__columns(const char *s, size_t len)
{
	size_t i;
	int n = 0;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Entries live in insertion order in one array; a slot of the table holds
 * an entry's number (+1, 0 for empty) in its low half and the top half of
 * its hash in the high half, so that a probe reads an entry (and its key)
 * only when the hashes agree. The table stays small enough to be cached
 * for hundreds of thousands of keys, and growing it re-reads the entries in
 * order rather than a sparse table. */
struct perfdb_ingest_entry {
	const char *benchmark;
	const char *metric;
	uint64_t hash;
	size_t value;
};

uint64_t perfdb_ingest__hash_pair(const char *a, const char *b)
{
	/* FNV-1a over "a\0b", then mixed: the low bits pick the slot, and
	 * FNV's low bits depend only on the inputs' low bits. */
	uint64_t h = 14695981039346656037ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xffu) * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

static uint64_t slot_of(uint64_t hash, size_t entry)
{
	return (hash & 0xffffffff00000000ull) | (uint64_t)(entry + 1);
}

static int grow(perfdb_ingest_index *idx)
{
	size_t cap = idx->cap ? idx->cap * 2 : 64, i;
	uint64_t *slots;
	if (cap > (size_t)UINT32_MAX || !(slots = calloc(cap, sizeof(*slots))))
		return perfdb_error__oom();
	for (i = 0; i < idx->count; i++) {
		size_t j;
		for (j = idx->entries[i].hash & (cap - 1); slots[j]; j = (j + 1) & (cap - 1))
			;
		slots[j] = slot_of(idx->entries[i].hash, i);
	}
	free(idx->slots);
	idx->slots = slots;
	idx->cap = cap;
	return 0;
}

/* The entry a found slot names. */
static size_t slot_entry(uint64_t slot)
{
	return (uint32_t)slot - 1;
}

/* The slot of (benchmark, metric) with hash h: where it is, or the empty one
 * where it would go. idx->cap is not 0. */
static uint64_t *index_slot(const perfdb_ingest_index *idx, const char *benchmark,
			    const char *metric, uint64_t h)
{
	size_t j;
	for (j = h & (idx->cap - 1); idx->slots[j]; j = (j + 1) & (idx->cap - 1)) {
		const struct perfdb_ingest_entry *e;
		if ((idx->slots[j] ^ h) >> 32)
			continue;
		e = &idx->entries[slot_entry(idx->slots[j])];
		if (e->hash == h && strcmp(e->benchmark, benchmark) == 0 &&
		    strcmp(e->metric, metric) == 0)
			break;
	}
	return &idx->slots[j];
}

int perfdb_ingest__index_add(perfdb_ingest_index *idx, const char *benchmark, const char *metric,
			     size_t value, size_t *found)
{
	uint64_t h = perfdb_ingest__hash_pair(benchmark, metric);
	struct perfdb_ingest_entry *e;
	uint64_t *slot;
	int err;

	/* Keep the load factor under 1/2 so probes stay short. */
	if ((idx->count + 1) * 2 > idx->cap && (err = grow(idx)))
		return err;
	slot = index_slot(idx, benchmark, metric, h);
	if (*slot) {
		*found = idx->entries[slot_entry(*slot)].value;
		return 1;
	}
	if ((err = perfdb_ingest__grow((void **)&idx->entries, &idx->capentries, idx->count + 1,
				       sizeof(*idx->entries))))
		return err;
	e = &idx->entries[idx->count++];
	e->benchmark = benchmark;
	e->metric = metric;
	e->hash = h;
	e->value = value;
	*slot = slot_of(h, idx->count - 1);
	return 0;
}

int perfdb_ingest__index_find(const perfdb_ingest_index *idx, const char *benchmark,
			      const char *metric, size_t *found)
{
	uint64_t *slot;
	if (!idx->cap)
		return 0;
	slot = index_slot(idx, benchmark, metric, perfdb_ingest__hash_pair(benchmark, metric));
	if (!*slot)
		return 0;
	*found = idx->entries[slot_entry(*slot)].value;
	return 1;
}

void perfdb_ingest__index_release(perfdb_ingest_index *idx)
{
	free(idx->slots);
	free(idx->entries);
	memset(idx, 0, sizeof(*idx));
}

/* A slot: the pair's hash in the high 32 bits, the result's position + 1 in
 * the low 32; 0 is empty. */
static int find_result(const perfdb_ingest_result_index *idx, const perfdb_resultset *rs,
		       const char *benchmark, const char *metric, uint64_t h, size_t *at)
{
	size_t j, mask = idx->cap - 1;
	for (j = (size_t)h & mask; idx->slots[j]; j = (j + 1) & mask) {
		const perfdb_result *r;
		if ((idx->slots[j] >> 32) != (h >> 32))
			continue;
		r = perfdb_resultset_get(rs, (size_t)(idx->slots[j] & 0xffffffffu) - 1);
		if (strcmp(r->benchmark, benchmark) == 0 && strcmp(r->metric, metric) == 0) {
			*at = j;
			return 1;
		}
	}
	*at = j;
	return 0;
}

int perfdb_ingest__result_index_find(const perfdb_ingest_result_index *idx,
				     const perfdb_resultset *rs, const char *benchmark,
				     const char *metric, size_t *found)
{
	size_t j;
	if (!idx->cap || !find_result(idx, rs, benchmark, metric,
				      perfdb_ingest__hash_pair(benchmark, metric), &j))
		return 0;
	*found = (size_t)(idx->slots[j] & 0xffffffffu) - 1;
	return 1;
}

int perfdb_ingest__result_index_add(perfdb_ingest_result_index *idx, const perfdb_resultset *rs,
				    size_t i)
{
	const perfdb_result *r = perfdb_resultset_get(rs, i);
	uint64_t h;
	size_t j;

	if (i >= 0xffffffffu)
		return perfdb_error__oom();
	/* A load factor up to 3/4: a file of tiny results has as many slots as
	 * results, and they are 8 bytes each. */
	if ((idx->count + 1) * 4 > idx->cap * 3) {
		size_t cap = idx->cap ? idx->cap * 2 : 64, k, mask = cap - 1;
		uint64_t *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return perfdb_error__oom();
		for (k = 0; k < idx->cap; k++) {
			uint64_t s = idx->slots[k];
			const perfdb_result *o;
			if (!s)
				continue;
			o = perfdb_resultset_get(rs, (size_t)(s & 0xffffffffu) - 1);
			for (j = (size_t)perfdb_ingest__hash_pair(o->benchmark, o->metric) & mask;
			     slots[j]; j = (j + 1) & mask)
				;
			slots[j] = s;
		}
		free(idx->slots);
		idx->slots = slots;
		idx->cap = cap;
	}
	h = perfdb_ingest__hash_pair(r->benchmark, r->metric);
	if (find_result(idx, rs, r->benchmark, r->metric, h, &j))
		return 1;
	idx->slots[j] = (h & 0xffffffff00000000ull) | (uint64_t)(i + 1);
	idx->count++;
	return 0;
}

void perfdb_ingest__result_index_clear(perfdb_ingest_result_index *idx)
{
	if (idx->slots)
		memset(idx->slots, 0, idx->cap * sizeof(*idx->slots));
	idx->count = 0;
}

void perfdb_ingest__result_index_release(perfdb_ingest_result_index *idx)
{
	free(idx->slots);
	memset(idx, 0, sizeof(*idx));
}

int perfdb_ingest__grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;
	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	if (!(q = realloc(*p, n * size)))
		return perfdb_error__oom();
	*p = q;
	*cap = n;
	return 0;
}

size_t perfdb_ingest__newlines(const char *s, size_t n)
{
	const char *end = s + n;
	size_t count = 0;
	while (s < end && (s = memchr(s, '\n', (size_t)(end - s)))) {
		count++;
		s++;
	}
	return count;
}

char *perfdb_ingest__dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* The set's copy of string s, as its number: metric and unit names repeat
 * on every line, the last few of them on the next. */
static int intern(perfdb_ingest_series_set *set, const char *s, uint32_t *out)
{
	perfdb_ingest_nameset *ns = &set->strings;
	size_t found, k;
	int err;
	for (k = 0; k < PERFDB_INGEST_RECENT; k++) {
		size_t j = (set->recent_hit + 1 + k) % PERFDB_INGEST_RECENT;
		if (set->recent[j] && strcmp(ns->names[set->recent[j] - 1], s) == 0) {
			set->recent_hit = j;
			*out = set->recent[j] - 1;
			return 0;
		}
	}
	if (!perfdb_ingest__index_find(&ns->index, s, "", &found)) {
		if ((err = perfdb_ingest__nameset_add(ns, s, strlen(s), "")) < 0)
			return err;
		found = ns->count - 1;
	}
	set->recent_hit = set->next_recent++ % PERFDB_INGEST_RECENT;
	set->recent[set->recent_hit] = (uint32_t)found + 1;
	*out = (uint32_t)found;
	return 0;
}

/* Grows the array *p of *cap elements to hold need, by half again, and by
 * an eighth once it holds 16 MB (the series of a file that repeats every
 * benchmark are most of the reader's memory: doubling would leave up to
 * half of it unused; a block that big is moved by mremap, not copied). */
static int grow_gently(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;
	if (need <= *cap)
		return 0;
	n = *cap < 64 ? 64 : *cap + (*cap * size >= ((size_t)16 << 20) ? *cap / 8 : *cap / 2);
	if (n < need)
		n = need;
	if (n > SIZE_MAX / size || !(q = realloc(*p, n * size)))
		return perfdb_error__oom();
	*p = q;
	*cap = n;
	return 0;
}

static const char *bench_name(const perfdb_ingest_series_set *set,
			      const perfdb_ingest_series_bench *b)
{
	return set->names + b->name;
}

/* The slot of benchmark name (of hash h): where it is, or the empty one
 * where it goes. set->nslots is not 0. */
static uint32_t *bench_slot(const perfdb_ingest_series_set *set, const char *name, uint64_t h)
{
	size_t mask = set->nslots - 1, j;
	for (j = (size_t)h & mask; set->slots[j]; j = (j + 1) & mask)
		if (strcmp(bench_name(set, &set->benches[set->slots[j] - 1]), name) == 0)
			break;
	return &set->slots[j];
}

/* The number of benchmark in set->benches: 1 with *out set, else 0 (and
 * *slot, when not NULL, is where it goes). */
static int bench_find(perfdb_ingest_series_set *set, const char *name, uint64_t h, size_t *out,
		      uint32_t **slot)
{
	uint32_t *sl;
	if (set->last && strcmp(bench_name(set, &set->benches[set->last - 1]), name) == 0) {
		*out = set->last - 1;
		return 1;
	}
	if (!set->nslots)
		return 0;
	sl = bench_slot(set, name, h);
	if (slot)
		*slot = sl;
	if (!*sl)
		return 0;
	*out = *sl - 1;
	set->last = *out + 1;
	return 1;
}

/* The number of benchmark name in set->benches, added when new. */
static int series_bench(perfdb_ingest_series_set *set, const char *name, size_t *out)
{
	uint64_t h = perfdb_ingest__hash_pair(name, "");
	perfdb_ingest_series_bench *b;
	uint32_t *slot = NULL;
	size_t n = strlen(name) + 1, i;
	int err;

	if (bench_find(set, name, h, out, &slot))
		return 0;
	/* Keep the load factor under 3/4: 5 bytes a benchmark or so. */
	if ((set->nbenches + 1) * 4 > set->nslots * 3) {
		size_t cap = set->nslots ? set->nslots * 2 : 64, mask = cap - 1;
		uint32_t *slots;
		if (cap > (size_t)UINT32_MAX || !(slots = calloc(cap, sizeof(*slots))))
			return perfdb_error__oom();
		for (i = 0; i < set->nbenches; i++) {
			size_t j;
			for (j = (size_t)perfdb_ingest__hash_pair(bench_name(set, &set->benches[i]),
								  "") &
				 mask;
			     slots[j]; j = (j + 1) & mask)
				;
			slots[j] = (uint32_t)i + 1;
		}
		free(set->slots);
		set->slots = slots;
		set->nslots = cap;
		slot = bench_slot(set, name, h);
	}
	/* names and benchmarks are numbered in 32 bits */
	if (set->nbenches >= UINT32_MAX - 1 || set->namelen + n > UINT32_MAX)
		return perfdb_error__oom();
	if ((err = grow_gently((void **)&set->benches, &set->capbenches, set->nbenches + 1,
			       sizeof(*b))) ||
	    (err = grow_gently((void **)&set->names, &set->namecap, set->namelen + n, 1)))
		return err;
	b = &set->benches[set->nbenches];
	b->name = (uint32_t)set->namelen;
	memcpy(set->names + set->namelen, name, n);
	set->namelen += n;
	b->head = b->cur = UINT32_MAX;
	*slot = (uint32_t)++set->nbenches;
	set->last = set->nbenches;
	*out = set->nbenches - 1;
	return 0;
}

/* The series of metric (its string number m) of bench b, from the one found
 * last on: 1 with *out set, or 0. */
static int bench_series(const perfdb_ingest_series_set *set, perfdb_ingest_series_bench *b,
			uint32_t m, size_t *out)
{
	uint32_t i, start = b->cur != UINT32_MAX && set->items[b->cur].next != UINT32_MAX
				? set->items[b->cur].next
				: b->head;
	for (i = start; i != UINT32_MAX; i = set->items[i].next)
		if (set->items[i].metric == m)
			goto found;
	for (i = b->head; i != start; i = set->items[i].next)
		if (set->items[i].metric == m)
			goto found;
	return 0;
found:
	b->cur = i;
	*out = i;
	return 1;
}

int perfdb_ingest__series_get(perfdb_ingest_series_set *set, const char *benchmark,
			      const char *metric, const char *unit, perfdb_ingest_series **out)
{
	perfdb_ingest_series_bench *b;
	perfdb_ingest_series *s;
	uint32_t m, u;
	size_t nb = 0, i;
	int err;

	if ((err = series_bench(set, benchmark, &nb)) || (err = intern(set, metric, &m)))
		return err;
	b = &set->benches[nb];
	if (bench_series(set, b, m, &i)) {
		*out = &set->items[i];
		return 0;
	}
	if (set->count >= UINT32_MAX - 1)
		return perfdb_error__oom(); /* series are numbered in 32 bits */
	if ((err = intern(set, unit, &u)) ||
	    (err = grow_gently((void **)&set->items, &set->cap, set->count + 1, sizeof(*s))))
		return err;
	i = set->count++;
	s = &set->items[i];
	memset(s, 0, sizeof(*s));
	s->metric = m;
	s->unit = u;
	s->next = UINT32_MAX;
	if (b->head == UINT32_MAX) {
		b->head = (uint32_t)i;
	} else { /* at the end of its chain: a benchmark has a few series */
		uint32_t k = b->head;
		while (set->items[k].next != UINT32_MAX)
			k = set->items[k].next;
		set->items[k].next = (uint32_t)i;
	}
	b->cur = (uint32_t)i;
	*out = s;
	return 0;
}

bool perfdb_ingest__series_has(perfdb_ingest_series_set *set, const char *benchmark)
{
	size_t nb;
	return bench_find(set, benchmark, perfdb_ingest__hash_pair(benchmark, ""), &nb, NULL);
}

int perfdb_ingest__series_find(perfdb_ingest_series_set *set, const char *benchmark,
			       const char *metric, size_t *out)
{
	size_t nb, found;
	if (!bench_find(set, benchmark, perfdb_ingest__hash_pair(benchmark, ""), &nb, NULL) ||
	    !perfdb_ingest__index_find(&set->strings.index, metric, "", &found))
		return 0;
	return bench_series(set, &set->benches[nb], (uint32_t)found, out);
}

const char *perfdb_ingest__series_metric(const perfdb_ingest_series_set *set,
					 const perfdb_ingest_series *s)
{
	return set->strings.names[s->metric];
}

const char *perfdb_ingest__series_unit(const perfdb_ingest_series_set *set,
				       const perfdb_ingest_series *s)
{
	return set->strings.names[s->unit];
}

void perfdb_ingest__series_drop_values(perfdb_ingest_series *s)
{
	if (s->n > 2) {
		free(s->v.h.heap);
		s->v.h.heap = NULL;
	}
}

int perfdb_ingest__series_push(perfdb_ingest_series *s, double v)
{
	if (s->n < 2) {
		s->v.inline_[s->n++] = v;
		return 0;
	}
	if (s->n == (1u << 31) - 1)
		return perfdb_error__oom();
	/* heap has room for the power of two at or above n: full at one */
	if ((s->n & (s->n - 1)) == 0) {
		double *p =
		    realloc(s->n == 2 ? NULL : s->v.h.heap, (size_t)s->n * 2 * sizeof(double));
		if (!p)
			return perfdb_error__oom();
		if (s->n == 2) {
			p[0] = s->v.inline_[0];
			p[1] = s->v.inline_[1];
		}
		s->v.h.heap = p;
	}
	s->v.h.heap[s->n++] = v;
	return 0;
}

const double *perfdb_ingest__series_values(const perfdb_ingest_series *s)
{
	return s->n > 2 ? s->v.h.heap : s->v.inline_;
}

void perfdb_ingest__series_release(perfdb_ingest_series_set *set)
{
	size_t i;
	for (i = 0; i < set->count; i++)
		perfdb_ingest__series_drop_values(&set->items[i]);
	free(set->items);
	free(set->benches);
	free(set->slots);
	free(set->names);
	perfdb_ingest__nameset_release(&set->strings);
	memset(set, 0, sizeof(*set));
}

int perfdb_ingest__nameset_add(perfdb_ingest_nameset *set, const char *name, size_t n,
			       const char *kind)
{
	char *key = perfdb_ingest__dup_n(name, n);
	size_t found;
	int err;
	if (!key)
		return perfdb_error__oom();
	if (perfdb_ingest__index_find(&set->index, key, kind, &found)) {
		free(key);
		return 0;
	}
	if ((err = perfdb_ingest__grow((void **)&set->names, &set->cap, set->count + 1,
				       sizeof(char *)))) {
		free(key);
		return err;
	}
	set->names[set->count++] = key;
	err = perfdb_ingest__index_add(&set->index, key, kind, set->count - 1, &found);
	return err < 0 ? err : 1;
}

bool perfdb_ingest__nameset_has(const perfdb_ingest_nameset *set, const char *name,
				const char *kind)
{
	size_t found;
	return perfdb_ingest__index_find(&set->index, name, kind, &found) == 1;
}

void perfdb_ingest__nameset_release(perfdb_ingest_nameset *set)
{
	size_t i;
	for (i = 0; i < set->count; i++)
		free(set->names[i]);
	free(set->names);
	perfdb_ingest__index_release(&set->index);
	memset(set, 0, sizeof(*set));
}
