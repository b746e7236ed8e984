/* Holds BYTES (argv[1]) of heap live at once, in 64 KiB blocks, then frees
 * them: its peak heap is BYTES plus what libc keeps. The memtrack test
 * records it at several commits and doubles BYTES at the last one, which
 * `perfdb regress` must flag. No stdio: its buffers would be allocations. */
#include <stdlib.h>

int main(int argc, char **argv)
{
	long bytes = argc > 1 ? strtol(argv[1], NULL, 10) : 0, n, i;
	void **blocks;
	if (bytes < 0)
		return 2;
	n = bytes / 65536;
	blocks = malloc((size_t)(n ? n : 1) * sizeof(*blocks));
	if (!blocks)
		return 1;
	for (i = 0; i < n; i++)
		if (!(blocks[i] = malloc(65536)))
			return 1;
	for (i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	return 0;
}
