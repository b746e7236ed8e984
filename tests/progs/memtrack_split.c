/* Allocates through a stripped library with a separate debug file
 * (libmemtrack_splitlib.so): 3 x 1000 bytes from its static
 * split_static_alloc in a loop, then 2 x 500 from two calls on one line
 * (two call sites, one line: one site once coalesced), all freed.
 * Asserted by tests/cli/test_memtrack.sh. */
#include <stdlib.h>

void *memtrack_split_alloc(size_t n);

int main(void)
{
	void *p[3];
	volatile int n = 3; /* a loop the compiler keeps: one call site */
	int i;
	for (i = 0; i < n; i++)
		p[i] = memtrack_split_alloc(1000);
	for (i = 0; i < n; i++)
		free(p[i]);
	/* clang-format off */
	p[0] = memtrack_split_alloc(500); p[1] = memtrack_split_alloc(500);
	/* clang-format on */
	free(p[0]);
	free(p[1]);
	return 0;
}
