/* Allocates through a stripped library with a separate debug file
 * (libmemtrack_splitlib.so): 3 x 1000 bytes from its static
 * split_static_alloc, freed. Asserted by tests/cli/test_memtrack.sh. */
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
	return 0;
}
