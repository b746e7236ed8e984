/*
 * Probe addresses for the DWARF reader tests: the start, middle and last
 * byte of every function nm (binutils) lists in an ELF file, each with the
 * symbol it is in and room for the answer of an independent tool.
 */
#ifndef PERFDB_TESTS_ELF_PROBES_H
#define PERFDB_TESTS_ELF_PROBES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct probe {
	uint64_t addr;
	char sym[256];	 /* the symbol nm names it by */
	char want[4096]; /* the other tool's answer: a file or a function; "" none */
	unsigned want_line;
} probe;

static size_t probes_of(const char *elf, probe **out)
{
	char cmd[2048], line[4096];
	size_t n = 0, cap = 0;
	probe *v = NULL;
	FILE *p;
	snprintf(cmd, sizeof(cmd), "nm --defined-only -S '%s' 2>/dev/null", elf);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, sz;
		char type, sym[256];
		int k;
		if (sscanf(line, "%llx %llx %c %255s", &a, &sz, &type, sym) != 4 ||
		    (type != 't' && type != 'T') || sz == 0)
			continue;
		for (k = 0; k < 3; k++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				v = realloc(v, cap * sizeof(*v));
				assert_non_null(v);
			}
			memset(&v[n], 0, sizeof(v[n]));
			snprintf(v[n].sym, sizeof(v[n].sym), "%s", sym);
			v[n++].addr = a + (k == 0 ? 0 : k == 1 ? sz / 2 : sz - 1);
		}
	}
	pclose(p);
	*out = v;
	return n;
}

#endif
