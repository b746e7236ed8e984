/*
 * Library-internal: a set of benchmark ids (1 .. 2^47 - 1, the range
 * perfdb_store__benchmark_hash gives), exact, in about 4.3 bytes an id.
 *
 * A recording keeps the ids of the benchmarks it has staged in such a set
 * (store.c): a run of ten million tiny results from one CSV file holds ten
 * million of them, and a Locust _stats.csv of a million requests twenty
 * million. An id's top 16 bits pick one of 65,536 shards and only its low
 * 31 bits are stored (4 bytes), each shard a sorted array with a short
 * sorted part of recent adds merged into it when full (id_set.c): no empty
 * slots, as a hash table has (at 8 bytes a slot in one table that doubled,
 * the set alone was twice the size of such a file while it grew; at 4 bytes
 * in sharded tables grown by half, about 6 bytes an id), and a shard grows
 * alone, so the set never holds two copies of itself.
 */
#ifndef PERFDB_STORE_ID_SET_H
#define PERFDB_STORE_ID_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct perfdb_id_shard perfdb_id_shard;

typedef struct perfdb_id_set {
	perfdb_id_shard *shards; /* PERFDB_ID_SET_SHARDS of them, from the first add */
	size_t count;
} perfdb_id_set;

#define PERFDB_ID_SET_INIT                                                                         \
	{                                                                                          \
		NULL, 0                                                                            \
	}

/* The largest id a set holds (ids are at least 1). */
#define PERFDB_ID_SET_MAX ((INT64_C(1) << 47) - 1)

/* Adds id (1 .. PERFDB_ID_SET_MAX): 0, also when it was there already;
 * PERFDB_EINVAL (set) for an id out of range; PERFDB_ENOMEM (set), with the
 * set unchanged. */
int perfdb_id_set__add(perfdb_id_set *set, int64_t id);

/* Whether id is in set. */
bool perfdb_id_set__has(const perfdb_id_set *set, int64_t id);

/* The bytes the set holds (its tables), for tests and figures. */
size_t perfdb_id_set__bytes(const perfdb_id_set *set);

/* Frees the set; it is empty again. */
void perfdb_id_set__release(perfdb_id_set *set);

#endif
