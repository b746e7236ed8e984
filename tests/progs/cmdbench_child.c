/*
 * prog_cmdbench_child - a child with known behaviour for the cmdbench tests:
 *   rss MIB    touch MIB mebibytes of heap, then exit 0
 *   spin MS    burn MS milliseconds of user CPU, then exit 0
 *   exit CODE  exit with CODE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	long n;
	if (argc != 3) {
		fprintf(stderr, "usage: prog_cmdbench_child rss MIB | spin MS | exit CODE\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (strcmp(argv[1], "rss") == 0) {
		size_t bytes = (size_t)n << 20;
		volatile char *p = malloc(bytes);
		size_t i;
		if (!p)
			return 3;
		for (i = 0; i < bytes; i += 4096)
			p[i] = (char)i;
		return 0;
	}
	if (strcmp(argv[1], "spin") == 0) {
		/* Reading the CPU clock is a system call: read it rarely, so the
		 * time burnt is user time. */
		volatile unsigned long x = 0;
		double end = cpu_ms() + (double)n;
		while (cpu_ms() < end) {
			unsigned long i;
			for (i = 0; i < 1000000; i++)
				x += i;
		}
		return x == 1 ? 4 : 0; /* read x, so it is used (clang) */
	}
	if (strcmp(argv[1], "exit") == 0)
		return (int)n;
	return 2;
}
