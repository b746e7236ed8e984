/* A shared library shipped the way distributions ship theirs: stripped, its
 * symbol table and DWARF in a separate debug file beside it (found through
 * its build-id or its .gnu_debuglink; tests/CMakeLists.txt builds it twice,
 * with and without a build-id). The allocating function is static, so only
 * the debug file's .symtab can name it: dladdr sees exported symbols. */
#include <stdint.h>
#include <stdlib.h>

void *memtrack_split_alloc(size_t n);
uintptr_t memtrack_split_static_addr(void);

__attribute__((noinline)) static void *split_static_alloc(size_t n)
{
	void *p = malloc(n);
	if (!p) /* code after the call: no tail call, the site stays here */
		abort();
	return p;
}

void *memtrack_split_alloc(size_t n)
{
	void *p = split_static_alloc(n);
	if (!p)
		abort();
	return p;
}

/* For the unit test: where the static function is. */
uintptr_t memtrack_split_static_addr(void)
{
	return (uintptr_t)&split_static_alloc;
}
