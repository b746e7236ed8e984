/* A known call chain for the unwinders to find:
 *   main -> chain_outer -> chain_vla -> chain_aligned -> chain_leaf -> malloc
 * COUNT (argv[1], default 100) times, every block freed. Built twice: as
 * every test program (frame pointers) and as prog_memtrack_chain_nofp (-O2
 * -fomit-frame-pointer), where only --unwind dwarf sees the whole chain.
 * The frames have the shapes real code has: chain_vla keeps a variable-length
 * array (its CFA is %rbp-based even without frame pointers), chain_aligned
 * a 64-byte aligned local (a realigned stack: the CFA is read from memory),
 * and the others plain %rsp-based frames. The volatile counts after each
 * call keep the calls from becoming tail calls. No stdio. */
#include <stdlib.h>
#include <string.h>

volatile unsigned chain_calls;

__attribute__((noinline)) void *chain_leaf(size_t n)
{
	void *p = malloc(n);
	if (p)
		memset(p, 1, n);
	chain_calls++;
	return p;
}

__attribute__((noinline)) void *chain_aligned(size_t n)
{
	_Alignas(64) volatile char buf[64];
	void *p;
	buf[0] = (char)n;
	p = chain_leaf(n + (size_t)(buf[0] & 1));
	chain_calls++;
	return p;
}

__attribute__((noinline)) void *chain_vla(size_t n)
{
	volatile char vla[n % 64 + 1];
	void *p;
	vla[0] = 1;
	p = chain_aligned(n + vla[0] - 1);
	chain_calls++;
	return p;
}

__attribute__((noinline)) void *chain_outer(size_t n)
{
	void *p = chain_vla(n);
	chain_calls++;
	return p;
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? strtol(argv[1], NULL, 10) : 100, i;
	void *p;
	for (i = 0; i < count; i++) {
		if (!(p = chain_outer(1000)))
			return 1;
		free(p);
	}
	return chain_calls == (unsigned)(4 * count) ? 0 : 1;
}
