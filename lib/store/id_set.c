/* A set of benchmark ids in about 6 bytes an id: see id_set.h. */
#include <stdlib.h>

#include "store/id_set.h"
#include "util/error.h"

#define SHARD_BITS 16
#define LOW_BITS   31 /* 47 - SHARD_BITS: what a slot stores, plus one (0 is empty) */
#define SHARDS	   (1u << SHARD_BITS)

struct perfdb_id_shard {
	uint32_t *slots; /* the low bits + 1 of each id, or 0 */
	uint32_t cap, count;
};

/* Where a shard of `cap` slots starts looking for the stored value v: the
 * low bits of an id are a hash's, but two ids a probe apart (store.c looks
 * at h + 1, h + 2 ... on a collision) would sit side by side, so v is mixed
 * before it is scaled to cap. */
static uint32_t home(uint32_t v, uint32_t cap)
{
	uint32_t h = v * 0x9E3779B1u;
	h ^= h >> 15;
	return (uint32_t)(((uint64_t)h * cap) >> 32);
}

/* The slot of v in shard s: where it is, or the empty one where it would go. */
static uint32_t find(const perfdb_id_shard *s, uint32_t v)
{
	uint32_t i = home(v, s->cap);
	while (s->slots[i] && s->slots[i] != v)
		if (++i == s->cap)
			i = 0;
	return i;
}

/* Room for one more in s: at most 4/5 full (linear probing stays short), a
 * half larger each time. */
static int reserve(perfdb_id_shard *s)
{
	perfdb_id_shard bigger;
	uint32_t i;
	if ((uint64_t)(s->count + 1) * 5 <= (uint64_t)s->cap * 4)
		return 0;
	bigger.cap = s->cap ? s->cap + s->cap / 2 : 8;
	bigger.count = s->count;
	if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))))
		return perfdb_error__oom();
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			bigger.slots[find(&bigger, s->slots[i])] = s->slots[i];
	free(s->slots);
	*s = bigger;
	return 0;
}

int perfdb_id_set__add(perfdb_id_set *set, int64_t id)
{
	perfdb_id_shard *s;
	uint32_t v, i;
	int err;
	if (id < 1 || id > PERFDB_ID_SET_MAX)
		return perfdb_error__set(PERFDB_EINVAL, "benchmark id %lld is out of range",
					 (long long)id);
	if (!set->shards && !(set->shards = calloc(SHARDS, sizeof(*set->shards))))
		return perfdb_error__oom();
	s = &set->shards[(uint64_t)id >> LOW_BITS];
	v = (uint32_t)(id & ((INT64_C(1) << LOW_BITS) - 1)) + 1;
	if (s->cap && s->slots[find(s, v)] == v)
		return 0;
	if ((err = reserve(s)))
		return err;
	i = find(s, v);
	s->slots[i] = v;
	s->count++;
	set->count++;
	return 0;
}

bool perfdb_id_set__has(const perfdb_id_set *set, int64_t id)
{
	const perfdb_id_shard *s;
	uint32_t v;
	if (!set->shards || id < 1 || id > PERFDB_ID_SET_MAX)
		return false;
	s = &set->shards[(uint64_t)id >> LOW_BITS];
	v = (uint32_t)(id & ((INT64_C(1) << LOW_BITS) - 1)) + 1;
	return s->cap && s->slots[find(s, v)] == v;
}

size_t perfdb_id_set__bytes(const perfdb_id_set *set)
{
	size_t n = 0, i;
	if (!set->shards)
		return 0;
	for (i = 0; i < SHARDS; i++)
		n += set->shards[i].cap * sizeof(uint32_t);
	return n + SHARDS * sizeof(*set->shards);
}

void perfdb_id_set__release(perfdb_id_set *set)
{
	size_t i;
	if (set->shards)
		for (i = 0; i < SHARDS; i++)
			free(set->shards[i].slots);
	free(set->shards);
	set->shards = NULL;
	set->count = 0;
}
