/* A shared library for the memtrack tests: one allocation site that lives in
 * a shared object (prog_memtrack_known links it, prog_memtrack_dlopen
 * dlopens it). */
#include <stdlib.h>

void *memtrack_testlib_alloc(size_t n);

void *memtrack_testlib_alloc(size_t n)
{
	void *p = malloc(n);
	if (!p) /* code after the call: no tail call, the site stays here */
		abort();
	return p;
}
