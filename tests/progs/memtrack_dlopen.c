/*
 * dlopen under the tracker: loads the test library named by argv[1] and
 * allocates through it (4 x 25000, one of them left live), and dlopens and
 * dlcloses libm.
 */
#include <dlfcn.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	void *lib, *m;
	void *(*alloc)(size_t);
	void *p[4];
	int i;
	if (argc != 2)
		return 2;
	m = dlopen("libm.so.6", RTLD_NOW);
	if (!m || !dlsym(m, "cos"))
		return 1;
	dlclose(m);
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return 1;
	*(void **)&alloc = dlsym(lib, "memtrack_testlib_alloc");
	if (!alloc)
		return 1;
	for (i = 0; i < 4; i++)
		p[i] = alloc(25000);
	for (i = 1; i < 4; i++)
		free(p[i]);
	return p[0] ? 0 : 1;
}
