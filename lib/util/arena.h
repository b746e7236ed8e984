/*
 * arena.h - many small allocations freed together: strings and samples of
 * a resultset, the names of a series set. One malloc per string costs more
 * than the work around it when there are hundreds of thousands of them.
 */
#ifndef PERFDB_UTIL_ARENA_H
#define PERFDB_UTIL_ARENA_H

#include <stddef.h>

typedef struct perfdb_arena_chunk perfdb_arena_chunk;

typedef struct perfdb_arena {
	perfdb_arena_chunk *head; /* the newest chunk, the one allocated from */
} perfdb_arena;

#define PERFDB_ARENA_INIT                                                                          \
	{                                                                                          \
		NULL                                                                               \
	}

/* size bytes aligned for a double (strings and doubles need no more; a
 * short name and five samples took 96 bytes at max_align_t), NULL when out
 * of memory. Valid until perfdb_arena__release. */
void *perfdb_arena__alloc(perfdb_arena *a, size_t size);

/* A copy of s (NULL: NULL, not an error), NULL when out of memory. */
char *perfdb_arena__strdup(perfdb_arena *a, const char *s);

/* Moves every allocation of src into dst (src is left empty). */
void perfdb_arena__take(perfdb_arena *dst, perfdb_arena *src);

/* How many chunks a holds (for tests). */
size_t perfdb_arena__chunks(const perfdb_arena *a);

/* Frees everything allocated from a; a is empty again. */
void perfdb_arena__release(perfdb_arena *a);

#endif
