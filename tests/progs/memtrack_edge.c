/*
 * The allocator's corner cases under the tracker: each check prints what
 * went wrong and the program exits 1, so `perfdb memtrack -- prog` fails
 * loudly when the tracker changes what an allocator call means.
 *
 * - realloc: grow, shrink, to 0, from NULL; contents kept;
 * - calloc(huge, 2) and reallocarray overflow: NULL with ENOMEM;
 * - malloc(0), free(NULL), malloc_usable_size (>= the size asked);
 * - posix_memalign / aligned_alloc / memalign / valloc with alignments up to
 *   1 MiB, a bad alignment (EINVAL), contents and usable size;
 * - a caller whose frame-pointer chain holds garbage (a frame pointer near
 *   the top of the address space, as code built without frame pointers can
 *   leave in %rbp): the frame-pointer unwinder must stop, not fault.
 * Ends with 4096 + 100 bytes live (two known leaks).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
/* Sizes the compiler cannot see, so that it neither warns about nor folds
 * the impossible requests. */
static volatile size_t huge = SIZE_MAX;
/* A realloc the compiler cannot see through: p is still valid after a failed one. */
static void *(*volatile realloc_opaque)(void *, size_t) = realloc;
/* The same for the requests that must fail: clang (-O1 and up) deletes a
 * malloc or calloc whose result is only compared with NULL, and folds the
 * comparison to "succeeded", so the call would never reach the allocator
 * (issue 19: this program failed in clang builds with or without the tracker). */
static void *(*volatile malloc_opaque)(size_t) = malloc;
static void *(*volatile calloc_opaque)(size_t, size_t) = calloc;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "memtrack_edge: %s:%d: check failed: %s\n", __FILE__,      \
				__LINE__, #cond);                                                  \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void reallocs(void)
{
	unsigned char *p = realloc(NULL, 100), *q;
	CHECK(p != NULL);
	memset(p, 0xab, 100);
	q = realloc(p, 100000); /* grow: moves */
	CHECK(q && all_bytes(q, 100, 0xab));
	p = realloc(q, 10); /* shrink */
	CHECK(p && all_bytes(p, 10, 0xab));
	CHECK(malloc_usable_size(p) >= 10);
	errno = 0;
	q = realloc_opaque(p, huge - 8); /* fails, p stays valid */
	CHECK(q == NULL && errno == ENOMEM && all_bytes(p, 10, 0xab));
	q = realloc(p, 0); /* glibc: frees, returns NULL */
	if (q)
		free(q);
	errno = 0;
	p = reallocarray(NULL, huge / 2, 4);
	CHECK(p == NULL && errno == ENOMEM);
	p = reallocarray(NULL, 10, 10);
	CHECK(p != NULL);
	free(p);
}

static void callocs(void)
{
	unsigned char *p;
	errno = 0;
	p = calloc_opaque(huge, 2);
	CHECK(p == NULL && errno == ENOMEM);
	errno = 0;
	p = calloc_opaque(huge / 2 + 2, 2);
	CHECK(p == NULL && errno == ENOMEM);
	p = calloc(1000, 3);
	CHECK(p && all_bytes(p, 3000, 0));
	free(p);
	p = calloc(0, 5);
	free(p);
}

static void small(void)
{
	void *p = malloc(0);
	CHECK(p != NULL); /* glibc returns a unique pointer */
	free(p);
	free(NULL);
	errno = 0;
	p = malloc_opaque(huge - 8);
	CHECK(p == NULL && errno == ENOMEM);
	p = malloc(37);
	CHECK(p && malloc_usable_size(p) >= 37);
	free(p);
	CHECK(malloc_usable_size(NULL) == 0);
}

static void aligned(void)
{
	size_t al;
	long page = sysconf(_SC_PAGESIZE);
	void *p;
	for (al = sizeof(void *); al <= ((size_t)1 << 20); al <<= 1) {
		p = NULL;
		CHECK(posix_memalign(&p, al, 3 * al + 1) == 0);
		CHECK(p && ((uintptr_t)p & (al - 1)) == 0);
		if (p) {
			memset(p, 0x5a, 3 * al + 1);
			CHECK(malloc_usable_size(p) >= 3 * al + 1);
			p = realloc(p, 7 * al); /* realloc of an aligned block keeps the data */
			CHECK(p && all_bytes(p, 3 * al + 1, 0x5a));
			free(p);
		}
		p = aligned_alloc(al, al * 2);
		CHECK(p && ((uintptr_t)p & (al - 1)) == 0);
		free(p);
		p = memalign(al, 5);
		CHECK(p && ((uintptr_t)p & (al - 1)) == 0);
		free(p);
	}
	p = (void *)1;
	CHECK(posix_memalign(&p, 24, 100) == EINVAL); /* not a power of two */
	CHECK(posix_memalign(&p, 4, 100) == EINVAL);  /* below sizeof(void *) */
	p = valloc(100);
	CHECK(p && ((uintptr_t)p & (uintptr_t)(page - 1)) == 0);
	free(p);
	errno = 0;
	p = NULL;
	CHECK(posix_memalign(&p, 64, huge - 32) == ENOMEM);
}

#if defined(__x86_64__)
/* Calls malloc(size) with %rbp = frame: malloc's frame-pointer walk then
 * finds `frame` as its caller's frame and follows frame[0]. */
void *memtrack_edge_call_with_fp(void *frame, size_t size);
__asm__(".text\n"
	".globl memtrack_edge_call_with_fp\n"
	".type memtrack_edge_call_with_fp, @function\n"
	"memtrack_edge_call_with_fp:\n"
	"	push %rbp\n"
	"	mov %rdi, %rbp\n"
	"	mov %rsi, %rdi\n"
	"	call malloc@PLT\n"
	"	pop %rbp\n"
	"	ret\n"
	".size memtrack_edge_call_with_fp, .-memtrack_edge_call_with_fp\n");

static void bad_frame_pointers(void)
{
	/* Each fake frame: {saved frame pointer, return address}. */
	static const uintptr_t bad[] = {(uintptr_t)-16, (uintptr_t)-8, (uintptr_t)-24,
					(uintptr_t)-4096, UINTPTR_MAX & ~(uintptr_t)7};
	volatile uintptr_t frame[2];
	size_t i;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *p;
		frame[0] = bad[i];
		frame[1] = (uintptr_t)&bad_frame_pointers;
		p = memtrack_edge_call_with_fp((void *)frame, 48);
		CHECK(p != NULL);
		free(p);
	}
}
#else
static void bad_frame_pointers(void)
{
}
#endif

int main(void)
{
	void *leak1, *leak2;
	reallocs();
	callocs();
	small();
	aligned();
	bad_frame_pointers();
	leak1 = malloc_opaque(4096); /* never used: clang would delete a plain malloc */
	leak2 = malloc_opaque(100);
	CHECK(leak1 && leak2);
	if (failures)
		fprintf(stderr, "memtrack_edge: %d checks failed\n", failures);
	return failures ? 1 : 0;
}
