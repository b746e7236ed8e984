/* A known call chain for the unwinders to find:
 *   main -> chain_outer -> chain_vla -> chain_aligned -> chain_leaf -> malloc
 * COUNT (argv[1], default 100) times, every block freed. Built twice: as
 * every test program (frame pointers) and as prog_memtrack_chain_nofp (-O2
 * -fomit-frame-pointer), where only --unwind dwarf sees the whole chain.
 * The frames have the shapes real code has: chain_vla keeps a variable-length
 * array (its CFA is %rbp-based even without frame pointers), chain_aligned
 * a realigned stack (its CFA is read from memory), and the others plain
 * %rsp-based frames. The volatile counts after each
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

/* Realigned with a variable-length array and arguments on the stack: GCC
 * then keeps the incoming stack pointer in memory (DRAP), and the CFA is
 * *(%rbp - 8). */
__attribute__((noinline)) void *chain_aligned(size_t n, int a1, int a2, int a3, int a4, int a5,
					      int a6, int a7)
{
	_Alignas(64) volatile char buf[64];
	volatile char vla[n % 64 + 1];
	void *p;
	buf[0] = (char)a7;
	vla[0] = 1;
	p = chain_leaf(n + (size_t)(buf[0] + vla[0] - a7 - 1 + a1 + a2 + a3 + a4 + a5 + a6 - 21));
	chain_calls++;
	return p;
}

__attribute__((noinline)) void *chain_vla(size_t n)
{
	volatile char vla[n % 64 + 1];
	void *p;
	vla[0] = 1;
	p = chain_aligned(n + vla[0] - 1, 1, 2, 3, 4, 5, 6, 7);
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
