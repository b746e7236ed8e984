/* A set of benchmark ids in about 4.3 bytes an id: see id_set.h. */
#include <stdlib.h>
#include <string.h>

#include "store/id_set.h"
#include "util/error.h"

#define SHARD_BITS 16
#define LOW_BITS   31 /* 47 - SHARD_BITS: what an entry stores */
#define SHARDS	   (1u << SHARD_BITS)
#define LOW_MASK   ((UINT64_C(1) << LOW_BITS) - 1)

/*
 * A shard is one array: v[0, n) sorted, then v[n, n + p) sorted too, the
 * ids added since the last merge, in room for pending_room(n) of them (v
 * is NULL before the first add). A hash table needs its empty slots (a third of it on average,
 * grown by half at 4/5 full: about 6 bytes an id); here there are only the
 * few slots of the pending part.
 *
 * When the pending part is full, it is merged into the sorted one, into a
 * new array (two copies of one shard for a moment, never of the set). Its
 * room is about half the square root of n, at least 4: an add moves that
 * many entries to keep the pending part sorted and, spread over the adds
 * between merges, about as many again for the merge. The ids are hashes, so
 * a shard of a set of 21M holds about 320 of them, pending room 16 (0.2
 * bytes an id); names crafted to land in one shard make it large, and an
 * add there costs the square root of its size, not its size.
 */
struct perfdb_id_shard {
	uint32_t *v;
	uint32_t n, p;
};

/* The room of the pending part beside n sorted ids: the least power of
 * two r >= 4 with 4r^2 >= n. */
static uint32_t pending_room(uint32_t n)
{
	uint32_t r = 4;
	while ((uint64_t)4 * r * r < n)
		r <<= 1;
	return r;
}

/* Where x is in the sorted a[0, len), or where it would go: the first index
 * whose entry is not less than x. */
static uint32_t lower_bound(const uint32_t *a, uint32_t len, uint32_t x)
{
	uint32_t lo = 0, hi = len;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool shard_has(const perfdb_id_shard *s, uint32_t x)
{
	uint32_t i;
	if (!s->v)
		return false;
	i = lower_bound(s->v, s->n, x);
	if (i < s->n && s->v[i] == x)
		return true;
	i = lower_bound(s->v + s->n, s->p, x);
	return i < s->p && s->v[s->n + i] == x;
}

/* Merges the pending part into the sorted one, in a new array with room
 * for the next pending part. */
static int merge(perfdb_id_shard *s)
{
	uint32_t n = s->n + s->p, i = 0, j = s->n, k = 0;
	uint32_t *v = malloc(((size_t)n + pending_room(n)) * sizeof(*v));
	if (!v)
		return perfdb_error__oom();
	while (i < s->n && j < s->n + s->p)
		v[k++] = s->v[i] < s->v[j] ? s->v[i++] : s->v[j++];
	while (i < s->n)
		v[k++] = s->v[i++];
	while (j < s->n + s->p)
		v[k++] = s->v[j++];
	free(s->v);
	s->v = v;
	s->n = n;
	s->p = 0;
	return 0;
}

/* The shard and low bits of id, which is in range. */
static perfdb_id_shard *shard_of(const perfdb_id_set *set, int64_t id, uint32_t *low)
{
	*low = (uint32_t)((uint64_t)id & LOW_MASK);
	return &set->shards[(uint64_t)id >> LOW_BITS];
}

int perfdb_id_set__add(perfdb_id_set *set, int64_t id)
{
	perfdb_id_shard *s;
	uint32_t x, at;
	int err;
	if (id < 1 || id > PERFDB_ID_SET_MAX)
		return perfdb_error__set(PERFDB_EINVAL, "benchmark id %lld is out of range",
					 (long long)id);
	if (!set->shards && !(set->shards = calloc(SHARDS, sizeof(*set->shards))))
		return perfdb_error__oom();
	s = shard_of(set, id, &x);
	if (shard_has(s, x))
		return 0;
	if ((!s->v || s->p == pending_room(s->n)) && (err = merge(s)))
		return err;
	at = s->n + lower_bound(s->v + s->n, s->p, x);
	memmove(s->v + at + 1, s->v + at, (size_t)(s->n + s->p - at) * sizeof(*s->v));
	s->v[at] = x;
	s->p++;
	set->count++;
	return 0;
}

bool perfdb_id_set__has(const perfdb_id_set *set, int64_t id)
{
	const perfdb_id_shard *s;
	uint32_t x;
	if (!set->shards || id < 1 || id > PERFDB_ID_SET_MAX)
		return false;
	s = shard_of(set, id, &x);
	return shard_has(s, x);
}

size_t perfdb_id_set__bytes(const perfdb_id_set *set)
{
	size_t n = 0, i;
	if (!set->shards)
		return 0;
	for (i = 0; i < SHARDS; i++)
		if (set->shards[i].v)
			n += ((size_t)set->shards[i].n + pending_room(set->shards[i].n)) *
			     sizeof(uint32_t);
	return n + SHARDS * sizeof(*set->shards);
}

void perfdb_id_set__release(perfdb_id_set *set)
{
	size_t i;
	if (set->shards)
		for (i = 0; i < SHARDS; i++)
			free(set->shards[i].v);
	free(set->shards);
	set->shards = NULL;
	set->count = 0;
}
