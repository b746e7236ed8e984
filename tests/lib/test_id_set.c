/* store/id_set: exact membership against a sorted reference, at the edges
 * of the id range and for ids a probe apart; the bytes it takes an id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/id_set.h"
#include "perfdb/common.h"

/* A fixed sequence of 47-bit ids (splitmix64), so a failure repeats. */
static int64_t next_id(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return (int64_t)(z & (uint64_t)PERFDB_ID_SET_MAX) | 1;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_id_set__same_as_reference(void **state)
{
	enum { N = 200000 };
	perfdb_id_set set = PERFDB_ID_SET_INIT;
	int64_t *ids = malloc(N * sizeof(*ids));
	uint64_t seed = 42;
	size_t i, distinct = 0;
	(void)state;
	assert_non_null(ids);
	/* random ids, runs of neighbours (a collision's probe: h + 1, h + 2),
	 * and repeats of earlier ones */
	for (i = 0; i < N; i++) {
		if (i % 10 == 9)
			ids[i] = ids[i - 1] + 1 <= PERFDB_ID_SET_MAX ? ids[i - 1] + 1 : 1;
		else if (i % 10 == 8 && i > 100)
			ids[i] = ids[i / 2];
		else
			ids[i] = next_id(&seed);
		assert_int_equal(perfdb_id_set__add(&set, ids[i]), 0);
	}
	qsort(ids, N, sizeof(*ids), cmp_id);
	for (i = 0; i < N; i++)
		distinct += i == 0 || ids[i] != ids[i - 1];
	assert_int_equal(set.count, distinct);
	for (i = 0; i < N; i++) {
		assert_true(perfdb_id_set__has(&set, ids[i]));
		/* a neighbour is in the set exactly when the reference has it */
		if (ids[i] + 1 <= PERFDB_ID_SET_MAX)
			assert_int_equal(
			    perfdb_id_set__has(&set, ids[i] + 1),
			    bsearch(&(int64_t){ids[i] + 1}, ids, N, sizeof(*ids), cmp_id) != NULL);
	}
	/* ids that share their low 31 bits with a member, in other shards */
	for (i = 0; i < N; i += 97) {
		int64_t other = ids[i] ^ (INT64_C(1) << 40);
		assert_int_equal(perfdb_id_set__has(&set, other),
				 bsearch(&other, ids, N, sizeof(*ids), cmp_id) != NULL);
	}
	perfdb_id_set__release(&set);
	assert_int_equal(set.count, 0);
	assert_false(perfdb_id_set__has(&set, ids[0]));
	free(ids);
}

static void test_id_set__edges_of_the_range(void **state)
{
	perfdb_id_set set = PERFDB_ID_SET_INIT;
	(void)state;
	assert_false(perfdb_id_set__has(&set, 1));
	assert_int_equal(perfdb_id_set__add(&set, 1), 0);
	assert_int_equal(perfdb_id_set__add(&set, PERFDB_ID_SET_MAX), 0);
	/* the largest low bits of shard 0 and the smallest of shard 1 */
	assert_int_equal(perfdb_id_set__add(&set, (INT64_C(1) << 31) - 1), 0);
	assert_true(perfdb_id_set__has(&set, 1));
	assert_true(perfdb_id_set__has(&set, PERFDB_ID_SET_MAX));
	assert_true(perfdb_id_set__has(&set, (INT64_C(1) << 31) - 1));
	assert_false(perfdb_id_set__has(&set, INT64_C(1) << 31));
	assert_false(perfdb_id_set__has(&set, 2));
	assert_false(perfdb_id_set__has(&set, PERFDB_ID_SET_MAX - 1));
	assert_int_equal(set.count, 3);
	assert_int_equal(perfdb_id_set__add(&set, 0), PERFDB_EINVAL);
	assert_int_equal(perfdb_id_set__add(&set, PERFDB_ID_SET_MAX + 1), PERFDB_EINVAL);
	assert_int_equal(perfdb_id_set__add(&set, -5), PERFDB_EINVAL);
	assert_false(perfdb_id_set__has(&set, 0));
	assert_false(perfdb_id_set__has(&set, PERFDB_ID_SET_MAX + 1));
	assert_int_equal(set.count, 3);
	perfdb_id_set__release(&set);
}

/* What the set is for: millions of ids in well under the 8 bytes a slot
 * (and 16 while doubling) of one table, and under the 5.2 to 7.5 bytes of
 * sharded hash tables grown by half at 4/5 full (5.6 at 3M ids). */
static void test_id_set__bytes_an_id(void **state)
{
	enum { N = 3000000 };
	perfdb_id_set set = PERFDB_ID_SET_INIT;
	uint64_t seed = 7;
	size_t i;
	(void)state;
	for (i = 0; i < N; i++)
		assert_int_equal(perfdb_id_set__add(&set, next_id(&seed)), 0);
	assert_int_equal(set.count, N); /* no two of 3M random 47-bit ids alike here */
	assert_true(perfdb_id_set__bytes(&set) < (size_t)N * 5);
	assert_true(perfdb_id_set__bytes(&set) > (size_t)N * 4);
	perfdb_id_set__release(&set);
}

/* Ids that all land in one shard (names crafted so that their hashes
 * share the top 16 bits): still exact, in ascending, descending and
 * scattered order, with the shard as large as sets of millions make it,
 * and its bytes still about 4 an id. */
static void test_id_set__one_shard(void **state)
{
	enum { N = 200000 };
	perfdb_id_set set = PERFDB_ID_SET_INIT;
	const int64_t shard = INT64_C(12345) << 31;
	uint64_t seed = 3;
	int64_t *ids = malloc(N * sizeof(*ids));
	size_t i, distinct = 0;
	(void)state;
	assert_non_null(ids);
	for (i = 0; i < N; i++) {
		uint64_t r = (uint64_t)next_id(&seed);
		if (i < N / 4)
			ids[i] = shard | (int64_t)(i * 7); /* ascending */
		else if (i < N / 2)
			ids[i] = shard | (int64_t)((N - i) * 7 + 3); /* descending */
		else
			ids[i] = shard | (int64_t)(r & ((UINT64_C(1) << 31) - 1));
		if (ids[i] == 0)
			ids[i] = 1;
		assert_int_equal(perfdb_id_set__add(&set, ids[i]), 0);
	}
	qsort(ids, N, sizeof(*ids), cmp_id);
	for (i = 0; i < N; i++)
		distinct += i == 0 || ids[i] != ids[i - 1];
	assert_int_equal(set.count, distinct);
	for (i = 0; i < N; i++) {
		int64_t near = ids[i] + 1;
		assert_true(perfdb_id_set__has(&set, ids[i]));
		assert_int_equal(perfdb_id_set__has(&set, near),
				 bsearch(&near, ids, N, sizeof(*ids), cmp_id) != NULL);
	}
	assert_false(perfdb_id_set__has(&set, ids[0] ^ (INT64_C(1) << 32)));
	assert_true(perfdb_id_set__bytes(&set) < (size_t)distinct * 4 + 65536 * 16 + 4096);
	perfdb_id_set__release(&set);
	free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_set__same_as_reference),
	    cmocka_unit_test(test_id_set__edges_of_the_range),
	    cmocka_unit_test(test_id_set__bytes_an_id),
	    cmocka_unit_test(test_id_set__one_shard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
