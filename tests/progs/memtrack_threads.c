/*
 * Many threads allocating at once, with blocks freed by a thread other than
 * the one that allocated them (a shared stack of pointers). Everything is
 * freed: the tracker must end with no live bytes from alloc_block.
 */
#include <pthread.h>
#include <stdlib.h>

#define THREADS	   8
#define PER_THREAD 50000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *shared[1024];
static int nshared;

__attribute__((noinline)) static void *alloc_block(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg, i;
	for (i = 0; i < PER_THREAD; i++) {
		void *p = alloc_block(8 + (seed = seed * 1103515245u + 12345u) % 300);
		void *q = NULL;
		pthread_mutex_lock(&lock);
		if (nshared < 1024 && (seed >> 8) % 2)
			shared[nshared++] = p, p = NULL;
		else if (nshared > 0)
			q = shared[--nshared];
		pthread_mutex_unlock(&lock);
		free(p);
		free(q);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	int i;
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(size_t)(i + 1)) != 0)
			return 1;
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	while (nshared > 0)
		free(shared[--nshared]);
	return 0;
}
