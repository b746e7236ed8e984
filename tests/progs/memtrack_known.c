/*
 * Known allocations from known functions, for the memtrack tests. Every
 * figure below is asserted by tests/cli/test_memtrack.sh and test_memory.c:
 *
 *   leak_alloc            malloc 12345 once, never freed
 *   thread_alloc          3 x 30000 in a second thread, freed there
 *   memtrack_testlib_alloc  4 x 50000 in libmemtrack_testlib.so, freed
 *   small_alloc           1000 once, then grown by realloc
 *   grow_realloc          realloc to 64000 (live across the direct phase), freed
 *   direct_alloc          8 x 100000 all live at once, freed
 *   calloc_alloc          calloc(100, 70) = 7000, freed
 *   many_small            10000 x 16, each freed at once
 *
 * Peak heap: 12345 + 64000 + 800000 = 876345 bytes (during the direct phase).
 * No stdio: its buffers would be allocations too.
 */
#include <pthread.h>
#include <stdlib.h>

void *memtrack_testlib_alloc(size_t n);

#define NOINLINE __attribute__((noinline))

static void *check(void *p)
{
	if (!p)
		abort();
	return p;
}

NOINLINE static void *leak_alloc(void)
{
	return check(malloc(12345));
}

NOINLINE static void *thread_alloc(size_t n)
{
	return check(malloc(n));
}

static void *thread_main(void *arg)
{
	void *p[3];
	int i;
	(void)arg;
	for (i = 0; i < 3; i++)
		p[i] = thread_alloc(30000);
	for (i = 0; i < 3; i++)
		free(p[i]);
	return NULL;
}

NOINLINE static void *small_alloc(void)
{
	return check(malloc(1000));
}

NOINLINE static void *grow_realloc(void *p)
{
	return check(realloc(p, 64000));
}

NOINLINE static void *direct_alloc(void)
{
	return check(malloc(100000));
}

NOINLINE static void *calloc_alloc(void)
{
	return check(calloc(100, 70));
}

NOINLINE static void *many_small(void)
{
	return check(malloc(16));
}

static volatile void *leaked;

int main(void)
{
	pthread_t th;
	void *p[8], *grown;
	int i;

	leaked = leak_alloc();
	if (pthread_create(&th, NULL, thread_main, NULL) != 0 || pthread_join(th, NULL) != 0)
		return 1;
	for (i = 0; i < 4; i++)
		p[i] = memtrack_testlib_alloc(50000);
	for (i = 0; i < 4; i++)
		free(p[i]);
	grown = grow_realloc(small_alloc());
	for (i = 0; i < 8; i++)
		p[i] = direct_alloc();
	for (i = 0; i < 8; i++)
		free(p[i]);
	free(grown);
	free(calloc_alloc());
	for (i = 0; i < 10000; i++) {
		void *volatile q = many_small();
		free(q);
	}
	return 0;
}
