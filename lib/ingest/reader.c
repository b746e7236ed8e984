/*
 * Pieces the native and CSV readers share: strict numbers and a
 * (benchmark, metric) index. See reader.h.
 */
#include "ingest/reader.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
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

int perfdb_ingest__number(const char *s, double *out)
{
	size_t i = 0, digits = 0, len = strlen(s);
	char *end;
	double v;

	/* Check the grammar first: strtod alone would accept white space,
	 * hexadecimal, "nan", "inf" and a valid prefix of anything. */
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && is_digit(s[i]))
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && is_digit(s[i]))
			i++, digits++;
	}
	if (digits == 0)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t exp_digits = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		while (i < len && is_digit(s[i]))
			i++, exp_digits++;
		if (exp_digits == 0)
			return -1;
	}
	if (i != len)
		return -1;

	pthread_once(&c_locale_once, make_c_locale);
	v = c_locale ? strtod_l(s, &end, c_locale) : strtod(s, &end);
	if (end != s + len || !isfinite(v))
		return -2;
	*out = v;
	return 0;
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
	for (i = 0; i < r->nsamples; i++)
		if (!fits(r->samples[i], f))
			return false;
	return true;
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

struct perfdb_ingest_slot {
	const char *benchmark; /* NULL: empty slot */
	const char *metric;
	uint64_t hash;
	size_t value;
};

static uint64_t hash_pair(const char *a, const char *b)
{
	/* FNV-1a over "a\0b". */
	uint64_t h = 14695981039346656037ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ 0xffu) * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

static int grow(perfdb_ingest_index *idx)
{
	size_t cap = idx->cap ? idx->cap * 2 : 64, i;
	struct perfdb_ingest_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return perfdb_error__oom();
	for (i = 0; i < idx->cap; i++) {
		struct perfdb_ingest_slot *s = &idx->slots[i];
		size_t j;
		if (!s->benchmark)
			continue;
		for (j = s->hash & (cap - 1); slots[j].benchmark; j = (j + 1) & (cap - 1))
			;
		slots[j] = *s;
	}
	free(idx->slots);
	idx->slots = slots;
	idx->cap = cap;
	return 0;
}

int perfdb_ingest__index_add(perfdb_ingest_index *idx, const char *benchmark, const char *metric,
			     size_t value, size_t *found)
{
	uint64_t h = hash_pair(benchmark, metric);
	size_t j;
	int err;

	/* Keep the load factor under 1/2 so probes stay short. */
	if ((idx->count + 1) * 2 > idx->cap && (err = grow(idx)))
		return err;
	for (j = h & (idx->cap - 1); idx->slots[j].benchmark; j = (j + 1) & (idx->cap - 1)) {
		struct perfdb_ingest_slot *s = &idx->slots[j];
		if (s->hash == h && strcmp(s->benchmark, benchmark) == 0 &&
		    strcmp(s->metric, metric) == 0) {
			*found = s->value;
			return 1;
		}
	}
	idx->slots[j].benchmark = benchmark;
	idx->slots[j].metric = metric;
	idx->slots[j].hash = h;
	idx->slots[j].value = value;
	idx->count++;
	return 0;
}

int perfdb_ingest__index_find(const perfdb_ingest_index *idx, const char *benchmark,
			      const char *metric, size_t *found)
{
	uint64_t h;
	size_t j;

	if (!idx->cap)
		return 0;
	h = hash_pair(benchmark, metric);
	for (j = h & (idx->cap - 1); idx->slots[j].benchmark; j = (j + 1) & (idx->cap - 1)) {
		const struct perfdb_ingest_slot *s = &idx->slots[j];
		if (s->hash == h && strcmp(s->benchmark, benchmark) == 0 &&
		    strcmp(s->metric, metric) == 0) {
			*found = s->value;
			return 1;
		}
	}
	return 0;
}

void perfdb_ingest__index_release(perfdb_ingest_index *idx)
{
	free(idx->slots);
	idx->slots = NULL;
	idx->cap = idx->count = 0;
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
	if (!idx->cap || !find_result(idx, rs, benchmark, metric, hash_pair(benchmark, metric), &j))
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
			for (j = (size_t)hash_pair(o->benchmark, o->metric) & mask; slots[j];
			     j = (j + 1) & mask)
				;
			slots[j] = s;
		}
		free(idx->slots);
		idx->slots = slots;
		idx->cap = cap;
	}
	h = hash_pair(r->benchmark, r->metric);
	if (find_result(idx, rs, r->benchmark, r->metric, h, &j))
		return 1;
	idx->slots[j] = (h & 0xffffffff00000000ull) | (uint64_t)(i + 1);
	idx->count++;
	return 0;
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

char *perfdb_ingest__dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int perfdb_ingest__series_get(perfdb_ingest_series_set *set, const char *benchmark, size_t nbench,
			      const char *metric, const char *unit, int line,
			      perfdb_ingest_series **out)
{
	char *key = perfdb_ingest__dup_n(benchmark, nbench);
	perfdb_ingest_series *s;
	size_t found;
	int err;

	if (!key)
		return perfdb_error__oom();
	if (perfdb_ingest__index_find(&set->index, key, metric, &found)) {
		free(key);
		*out = &set->items[found];
		return 0;
	}
	if ((err = perfdb_ingest__grow((void **)&set->items, &set->cap, set->count + 1,
				       sizeof(*s)))) {
		free(key);
		return err;
	}
	s = &set->items[set->count];
	memset(s, 0, sizeof(*s));
	s->benchmark = key;
	s->line = line;
	if (!(s->metric = strdup(metric)) || !(s->unit = strdup(unit))) {
		free(s->benchmark);
		free(s->metric);
		return perfdb_error__oom();
	}
	set->count++;
	if ((err = perfdb_ingest__index_add(&set->index, s->benchmark, s->metric, set->count - 1,
					    &found)) < 0)
		return err;
	*out = s;
	return 0;
}

int perfdb_ingest__series_push(perfdb_ingest_series *s, double v)
{
	int err;
	if ((err = perfdb_ingest__grow((void **)&s->values, &s->cap, s->n + 1, sizeof(double))))
		return err;
	s->values[s->n++] = v;
	return 0;
}

void perfdb_ingest__series_release(perfdb_ingest_series_set *set)
{
	size_t i;
	for (i = 0; i < set->count; i++) {
		free(set->items[i].benchmark);
		free(set->items[i].metric);
		free(set->items[i].unit);
		free(set->items[i].values);
	}
	free(set->items);
	perfdb_ingest__index_release(&set->index);
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
