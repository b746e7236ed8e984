/*
 * The perfdb-bench memtrack workload: N small malloc/free pairs split over
 * 2 threads (default 10,000,000). Prints the workload's own time in ns on
 * stdout, so the tracker's start-up and report are measured apart.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long per_thread;

static void *worker(void *arg)
{
	long i;
	size_t k = (size_t)arg;
	for (i = 0; i < per_thread; i++) {
		void *volatile p = malloc(16 + (k++ & 63));
		free(p);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[2];
	struct timespec a, b;
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000000;
	int i;
	per_thread = n / 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(size_t)i) != 0)
			return 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
