/* An allocating helper that the compiler inlines (always_inline): 4 x 2500
 * bytes from inlined_alloc, inlined into main. memtrack must name the site
 * inlined_alloc, the function of the code, not main, the function it was
 * compiled into (which is all the symbol table knows). */
#include <stdlib.h>

static inline __attribute__((always_inline)) void *inlined_alloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

int main(void)
{
	void *p[4];
	volatile int n = 4;
	int i;
	for (i = 0; i < n; i++)
		p[i] = inlined_alloc(2500);
	for (i = 0; i < n; i++)
		free(p[i]);
	return 0;
}
