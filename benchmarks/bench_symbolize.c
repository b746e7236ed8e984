/*
 * perfdb-bench symbolize: what naming allocation sites costs, perfdb's own
 * readers (ELF symbol table, DWARF .debug_info functions and line table)
 * against one addr2line -f run on the same addresses.
 *
 * The ELF is the perfdb binary next to perfdb-bench (built with -g), and,
 * when $PERFDB_BENCH_ELF names one, that file too (e.g. a big library with
 * its debug info). Addresses are one byte into functions taken evenly from
 * nm's list: 10, 100 and every function. Ours: open, names, file:line, the
 * best of 5; addr2line -f: the best of 3.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "instrument/dwarfinfo.h"
#include "instrument/dwarfline.h"
#include "instrument/elfsym.h"

static size_t function_addrs(const char *elf, uint64_t **out)
{
	char cmd[4500], line[4096];
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;
	FILE *p;
	snprintf(cmd, sizeof(cmd), "nm --defined-only -S '%s' 2>/dev/null", elf);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, sz;
		char type;
		if (sscanf(line, "%llx %llx %c", &a, &sz, &type) != 3 ||
		    (type != 't' && type != 'T') || sz < 2)
			continue;
		if (n == cap) {
			uint64_t *nv;
			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = a + 1;
	}
	pclose(p);
	*out = v;
	return n;
}

/* One run of ours: 0 and the time, or -1. *resolved: addresses with a line. */
static int ours(const char *elf, const uint64_t *addrs, size_t n, double *ns, size_t *resolved)
{
	uint64_t t0 = bench_now_ns();
	elfsym_module *m = elfsym_open(elf);
	const char **names = malloc(n * sizeof(*names));
	dwarfline_loc *locs = malloc(n * sizeof(*locs));
	dwarfinfo_func *fn = malloc(n * sizeof(*fn));
	dwarfline_sections secs;
	dwarfinfo_sections info;
	size_t i;
	int rc = -1;
	if (!m || !names || !locs || !fn || elfsym_lookup(m, addrs, names, n) != 0)
		goto out;
	/* as memtrack does it: functions from .debug_info, then lines */
	if (elfsym_info_sections(m, false, &info) && dwarfinfo_functions(&info, addrs, fn, n) < 0)
		goto out;
	if (!elfsym_line_sections(m, false, &secs) || dwarfline_lookup(&secs, addrs, locs, n) < 0)
		goto out;
	*ns = (double)(bench_now_ns() - t0);
	for (*resolved = 0, i = 0; i < n; i++)
		*resolved += locs[i].file != NULL;
	dwarfline_free(locs, n);
	rc = 0;
out:
	elfsym_close(m);
	free(names);
	free(locs);
	free(fn);
	return rc;
}

static int addr2line_run(const bench_ctx *ctx, const char *elf, const uint64_t *addrs, size_t n,
			 double *ns)
{
	char path[4200];
	uint64_t t0;
	FILE *f;
	size_t i;
	snprintf(path, sizeof(path), "%s/addrs.txt", ctx->workdir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "%#llx\n", (unsigned long long)addrs[i]);
	fclose(f);
	t0 = bench_now_ns();
	if (bench_system("addr2line -f -C -e '%s' < '%s' > /dev/null", elf, path) != 0)
		return -1;
	*ns = (double)(bench_now_ns() - t0);
	return 0;
}

static int measure(const bench_ctx *ctx, const char *elf, const char *label)
{
	uint64_t *all = NULL, *pick;
	size_t nall = function_addrs(elf, &all), sizes[3] = {10, 100, 0}, s;
	dwarfline_sections secs;
	elfsym_module *m = elfsym_open(elf);
	size_t line_bytes;
	if (!m || !elfsym_line_sections(m, false, &secs) || nall < 10) {
		fprintf(stderr, "perfdb-bench symbolize: %s has no readable line table\n", elf);
		elfsym_close(m);
		free(all);
		return 1;
	}
	line_bytes = secs.line_size;
	elfsym_close(m);
	sizes[2] = nall;
	pick = malloc(nall * sizeof(*pick));
	if (!pick) {
		free(all);
		return 1;
	}
	for (s = 0; s < 3; s++) {
		size_t n = sizes[s] < nall ? sizes[s] : nall, i, resolved = 0;
		double best = -1, a2l = -1, t;
		char name[256];
		int r;
		for (i = 0; i < n; i++)
			pick[i] = all[i * nall / n];
		for (r = 0; r < 5; r++)
			if (ours(elf, pick, n, &t, &resolved) == 0 && (best < 0 || t < best))
				best = t;
		for (r = 0; r < 3; r++)
			if (addr2line_run(ctx, elf, pick, n, &t) == 0 && (a2l < 0 || t < a2l))
				a2l = t;
		if (best < 0)
			return 1;
		snprintf(name, sizeof(name), "symbolize/%s/%zu", label, n);
		bench_report(ctx, name, "perfdb_time", "ns", best);
		bench_report(ctx, name, "resolved", "count", (double)resolved);
		if (a2l > 0) {
			bench_report(ctx, name, "addr2line_time", "ns", a2l);
			bench_report(ctx, name, "addr2line_over_perfdb", "x", a2l / best);
		}
	}
	bench_note(ctx, "%s: %s, .debug_line %zu bytes, %zu functions", label, elf, line_bytes,
		   nall);
	free(pick);
	free(all);
	return 0;
}

int bench_symbolize(const bench_ctx *ctx)
{
	char self[4096], perfdb[4400];
	const char *extra = getenv("PERFDB_BENCH_ELF");
	snprintf(self, sizeof(self), "%s", ctx->self);
	snprintf(perfdb, sizeof(perfdb), "%s/perfdb", dirname(self));
	if (access(perfdb, R_OK) != 0) {
		fprintf(stderr, "perfdb-bench symbolize: needs %s (build perfdb_cli)\n", perfdb);
		return 1;
	}
	if (measure(ctx, perfdb, "perfdb"))
		return 1;
	if (extra && *extra && measure(ctx, extra, "extra"))
		return 1;
	return 0;
}
