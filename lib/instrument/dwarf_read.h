/*
 * Reading DWARF sections: a bounds-checked cursor over a section's bytes.
 * Every read checks the bytes left first and marks the cursor bad instead
 * of reading past the end; a bad cursor reads zeros and NULLs from then on.
 * Shared by the line-table reader (dwarfline.c) and the function reader
 * (dwarfinfo.c); and sorted address queries, which elfsym.c uses too.
 */
#ifndef PERFDB_INSTRUMENT_DWARF_READ_H
#define PERFDB_INSTRUMENT_DWARF_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct cursor {
	const unsigned char *p, *end;
	bool bad;
} cursor;

static inline bool need(cursor *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline uint64_t get_le(cursor *c, size_t n)
{
	uint64_t v = 0;
	size_t i;
	if (!need(c, n))
		return 0;
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static inline void skip(cursor *c, uint64_t n)
{
	if (need(c, n > SIZE_MAX ? SIZE_MAX : (size_t)n))
		c->p += n;
}

static inline uint64_t uleb(cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	while (need(c, 1)) {
		unsigned char b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
	return 0;
}

static inline int64_t sleb(cursor *c)
{
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned char b = 0;
	while (need(c, 1)) {
		b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

static inline const char *cstr(cursor *c)
{
	const unsigned char *nul;
	const char *s;
	if (c->bad || !(nul = memchr(c->p, 0, (size_t)(c->end - c->p)))) {
		c->bad = true;
		return NULL;
	}
	s = (const char *)c->p;
	c->p = nul + 1;
	return s;
}

/* A string at an offset of .debug_str or .debug_line_str. */
static inline const char *str_at(const unsigned char *sec, size_t size, uint64_t off)
{
	if (!sec || off >= size || !memchr(sec + off, 0, size - off))
		return NULL;
	return (const char *)sec + off;
}

/* ---- address queries, shared by the readers that look up many addresses
 * in one pass (elfsym.c, dwarfline.c, dwarfinfo.c) ---- */
static inline int query_cmp_(const void *x, const void *y)
{
	uint64_t a = **(const uint64_t *const *)x, b = **(const uint64_t *const *)y;
	return a < b ? -1 : a > b;
}

/* Pointers to the n addresses, sorted by address (the caller frees them;
 * q[i] - addrs is the query's index); NULL when out of memory. */
static inline const uint64_t **sorted_queries(const uint64_t *addrs, size_t n)
{
	const uint64_t **q = malloc((n ? n : 1) * sizeof(*q));
	size_t i;
	if (!q)
		return NULL;
	for (i = 0; i < n; i++)
		q[i] = &addrs[i];
	if (n > 1)
		qsort(q, n, sizeof(*q), query_cmp_);
	return q;
}

/* The first of the n sorted queries at or above lo (n when none is). */
static inline size_t first_query_at(const uint64_t *const *q, size_t n, uint64_t lo)
{
	size_t a = 0, b = n;
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (*q[mid] < lo)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

#endif
