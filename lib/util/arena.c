/*
 * arena.c - chunks of 64 KiB (or one of the size asked, when larger),
 * allocated from the newest; released all at once.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 65536

struct perfdb_arena_chunk {
	perfdb_arena_chunk *next;
	size_t used, cap;
	double data[]; /* aligned for a double */
};

void *perfdb_arena__alloc(perfdb_arena *a, size_t size)
{
	perfdb_arena_chunk *c = a->head;
	if (size > SIZE_MAX - sizeof(*c) - 7)
		return NULL;
	size = (size + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > CHUNK_BYTES ? size : CHUNK_BYTES;
		if (!(c = malloc(sizeof(*c) + cap)))
			return NULL;
		c->used = 0;
		c->cap = cap;
		/* a chunk of its own for a large allocation goes behind the
		 * current one, which still has room for small ones */
		if (a->head && cap > CHUNK_BYTES) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	c->used += size;
	return (char *)c->data + c->used - size;
}

char *perfdb_arena__strdup(perfdb_arena *a, const char *s)
{
	size_t n;
	char *d;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	if ((d = perfdb_arena__alloc(a, n)))
		memcpy(d, s, n);
	return d;
}

void perfdb_arena__take(perfdb_arena *dst, perfdb_arena *src)
{
	perfdb_arena_chunk *last = src->head;
	if (!last)
		return;
	while (last->next)
		last = last->next;
	/* src's chunks go behind dst's newest, which keeps being filled */
	if (dst->head) {
		last->next = dst->head->next;
		dst->head->next = src->head;
	} else {
		dst->head = src->head;
	}
	src->head = NULL;
}

size_t perfdb_arena__chunks(const perfdb_arena *a)
{
	const perfdb_arena_chunk *c;
	size_t n = 0;
	for (c = a->head; c; c = c->next)
		n++;
	return n;
}

void perfdb_arena__release(perfdb_arena *a)
{
	while (a->head) {
		perfdb_arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
