/*
 * Naming the frames of a snapshot: ELF symbols, DWARF functions and lines
 * (our own readers), addr2line and c++filt where those cannot, and the
 * nearest symbol or build-id plus offset for a frame nothing names.
 */
#include "instrument/memory_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "instrument/dwarfinfo.h"
#include "instrument/dwarfline.h"
#include "instrument/elfsym.h"
#include "instrument/memtrack.h"
#include "util/error.h"
#include "util/run.h"

/* ---- symbolization ---------------------------------------------------------------- */
/* The tool on PATH, or NULL: symbols are best effort. */
static char *find_in_path(const char *prog)
{
	char *path;
	return perfdb_util__which(&path, prog) == 0 ? path : NULL;
}

/* Runs argv (argv[0] a path) and hands each line of its standard output,
 * without the newline, to each(); stops early when each() returns nonzero
 * and returns that. The tool failing to start is not an error: symbols are
 * best effort. */
static int tool_lines(char *const argv[], int (*each)(void *ctx, char *line), void *ctx)
{
	int stopped = 0;
	perfdb_util__run_lines(&stopped, (const char *const *)argv, each, ctx);
	return stopped;
}

enum { TOOL_BATCH = 256 };

typedef struct a2l_ctx {
	perfdb_memtrack_snapshot *s;
	perfdb_memtrack_frame **frames;
	size_t n, at;
	int second; /* the next line is FILE:LINE of frames[at] */
} a2l_ctx;

/* addr2line -f prints two lines per address: the function, then FILE:LINE
 * or "FILE:LINE (discriminator N)"; "??" and "??:0" when unknown. */
static int a2l_line(void *vctx, char *line)
{
	a2l_ctx *c = vctx;
	perfdb_memtrack_frame *f;
	char *colon, *end;
	long ln;
	if (c->at >= c->n)
		return 0;
	f = c->frames[c->at];
	if (!c->second) {
		c->second = 1;
		if (strcmp(line, "??") != 0) {
			const char *fn = perfdb_memory__keep_string(c->s, line);
			if (!fn)
				return perfdb_error__oom();
			f->function = fn;
		}
		return 0;
	}
	c->second = 0;
	c->at++;
	if ((end = strstr(line, " (discriminator ")))
		*end = 0;
	colon = strrchr(line, ':');
	if (!colon || strncmp(line, "??", 2) == 0)
		return 0;
	*colon = 0;
	ln = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || ln <= 0)
		return 0;
	f->file = perfdb_memory__keep_string(c->s, line);
	if (!f->file) {
		f->file = "";
		return perfdb_error__oom();
	}
	f->line = (unsigned)ln;
	return 0;
}

/* file:line (and the function, inlining and C++ names resolved) of n frames
 * of one module, from the DWARF of `elf` (the module or its debug file). */
static int addr2line_batch(perfdb_memtrack_snapshot *s, const char *tool, const char *elf,
			   perfdb_memtrack_frame **frames, size_t n)
{
	char *argv[TOOL_BATCH + 8];
	char addrs[TOOL_BATCH][24];
	a2l_ctx c = {s, frames, n, 0, 0};
	size_t i, a = 0;
	argv[a++] = (char *)tool;
	argv[a++] = (char *)"-C";
	argv[a++] = (char *)"-f";
	argv[a++] = (char *)"-e";
	argv[a++] = (char *)elf;
	for (i = 0; i < n; i++) {
		/* A return address is the instruction after the call: ask for the
		 * call itself. */
		uint64_t off = frames[i]->offset ? frames[i]->offset - 1 : 0;
		snprintf(addrs[i], sizeof(addrs[i]), "%#llx", (unsigned long long)off);
		argv[a++] = addrs[i];
	}
	argv[a] = NULL;
	return tool_lines(argv, a2l_line, &c);
}

typedef struct demangle_ctx {
	perfdb_memtrack_snapshot *s;
	const char ***slots;   /* the names to replace */
	const char **suffixes; /* "+0x1c4" of a nearest-symbol name, or NULL */
	size_t n, at;
} demangle_ctx;

static int demangle_line(void *vctx, char *line)
{
	demangle_ctx *c = vctx;
	const char *name, *suffix;
	if (c->at >= c->n)
		return 0;
	suffix = c->suffixes[c->at];
	if (*line) {
		if (suffix) {
			size_t a = strlen(line), b = strlen(suffix);
			char *full = malloc(a + b + 1);
			if (!full)
				return perfdb_error__oom();
			memcpy(full, line, a);
			memcpy(full + a, suffix, b + 1);
			name = perfdb_memory__keep_string(c->s, full);
			free(full);
		} else {
			name = perfdb_memory__keep_string(c->s, line);
		}
		if (!name)
			return perfdb_error__oom();
		*c->slots[c->at] = name;
	}
	c->at++;
	return 0;
}

/* Names from symbol tables and linkage names are mangled for C++: c++filt,
 * once per batch, over the function and inlined_into of the frames. */
static int demangle(perfdb_memtrack_snapshot *s, perfdb_memtrack_frame **todo, size_t ntodo)
{
	const char **batch[TOOL_BATCH];
	const char *suffixes[TOOL_BATCH];
	char *argv[TOOL_BATCH + 2], *copies[TOOL_BATCH];
	char *tool = NULL;
	size_t i = 0, nb, k;
	int rc = 0, field = 0;
	while (i < ntodo && rc == 0) {
		for (nb = 0; i < ntodo && nb < TOOL_BATCH;) {
			const char **slot =
			    field == 0 ? &todo[i]->function : &todo[i]->inlined_into;
			if (strncmp(*slot, "_Z", 2) == 0)
				batch[nb++] = slot;
			if (++field == 2) {
				field = 0;
				i++;
			}
		}
		if (nb == 0)
			break;
		if (!tool && !(tool = find_in_path("c++filt")))
			break; /* no binutils: mangled names it is */
		argv[0] = tool;
		for (k = 0; k < nb; k++) {
			/* c++filt takes a whole symbol: "+0x1c4" (name_unnamed's)
			 * goes back on after. */
			const char *plus = strstr(*batch[k], "+0x");
			copies[k] = plus ? strndup(*batch[k], (size_t)(plus - *batch[k])) : NULL;
			suffixes[k] = plus;
			argv[k + 1] = copies[k] ? copies[k] : (char *)*batch[k];
			if (plus && !copies[k])
				rc = perfdb_error__oom();
		}
		argv[nb + 1] = NULL;
		if (rc == 0) {
			demangle_ctx c = {s, batch, suffixes, nb, 0};
			rc = tool_lines(argv, demangle_line, &c);
		}
		for (k = 0; k < nb; k++)
			free(copies[k]);
	}
	free(tool);
	return rc;
}

/* Names from .debug_info (dwarfinfo.c), over the symbol table's; for
 * inlined code also the function it was inlined into and the call's place. */
static int dwarf_functions(perfdb_memtrack_snapshot *s, elfsym_module *m, bool from_debug_file,
			   perfdb_memtrack_frame **frames, const uint64_t *addrs, size_t n)
{
	dwarfinfo_sections secs;
	dwarfline_sections lines;
	bool have_lines;
	dwarfinfo_func *fn;
	size_t i;
	int rc = 0;
	if (!elfsym_info_sections(m, from_debug_file, &secs))
		return 0;
	have_lines = elfsym_line_sections(m, from_debug_file, &lines);
	if (!(fn = malloc(n * sizeof(*fn))))
		return perfdb_error__oom();
	if (dwarfinfo_functions(&secs, addrs, fn, n) < 0) {
		free(fn);
		return perfdb_error__oom();
	}
	for (i = 0; i < n && rc == 0; i++) {
		const char *name;
		if (!fn[i].name || !*fn[i].name)
			continue;
		if (!(name = perfdb_memory__keep_string(s, fn[i].name))) {
			rc = perfdb_error__oom();
			break;
		}
		/* Inlined code: the function it was inlined into is the
		 * enclosing entry's, else what the symbol table named. */
		if (fn[i].inlined) {
			const char *into = fn[i].caller
					       ? perfdb_memory__keep_string(s, fn[i].caller)
					       : frames[i]->function;
			char *file = NULL;
			if (!into) {
				rc = perfdb_error__oom();
				break;
			}
			frames[i]->inlined_into = into;
			if (fn[i].call_line && have_lines &&
			    dwarfline_file(&lines, fn[i].stmt_list, fn[i].call_file, &file) != 0) {
				rc = perfdb_error__oom();
				break;
			}
			if (file) {
				frames[i]->call_file = perfdb_memory__keep_string(s, file);
				frames[i]->call_line = fn[i].call_line;
				free(file);
				if (!frames[i]->call_file) {
					frames[i]->call_file = "";
					rc = perfdb_error__oom();
					break;
				}
			}
		}
		frames[i]->function = name;
	}
	free(fn);
	return rc;
}

/* Frames no symbol covers (static functions of a stripped library) are
 * named by the nearest function symbol below them and the distance,
 * "sqlite3_free+0x1c4", else by the module's build-id and the offset,
 * "buildid:ab12...+0xa7504": either can be resolved later, once the debug
 * symbols are at hand, where "??" could not. Debug info, when read later,
 * replaces these names. names[i] is NULL for the frames to name. */
static int name_unnamed(perfdb_memtrack_snapshot *s, const elfsym_module *m,
			perfdb_memtrack_frame **frames, const uint64_t *addrs, const char **names,
			size_t n)
{
	const char **near = NULL;
	uint64_t *off = NULL, *todo_addr = NULL;
	size_t *idx = NULL, k = 0, i, idlen;
	const unsigned char *id = elfsym_build_id(m, &idlen);
	int rc = 0;
	for (i = 0; i < n; i++)
		k += !names[i] && !*frames[i]->function;
	if (!k)
		return 0;
	near = malloc(k * sizeof(*near));
	off = malloc(k * sizeof(*off));
	todo_addr = malloc(k * sizeof(*todo_addr));
	idx = malloc(k * sizeof(*idx));
	if (!near || !off || !todo_addr || !idx) {
		rc = perfdb_error__oom();
		goto out;
	}
	for (i = 0, k = 0; i < n; i++)
		if (!names[i] && !*frames[i]->function) {
			idx[k] = i;
			todo_addr[k++] = addrs[i];
		}
	if (elfsym_nearest(m, todo_addr, near, off, k) != 0) {
		rc = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < k && rc == 0; i++) {
		perfdb_memtrack_frame *f = frames[idx[i]];
		char buf[512];
		if (near[i]) {
			/* The offset of the return address, as the frame's own offset. */
			snprintf(buf, sizeof(buf), "%s+0x%" PRIx64, near[i], off[i] + 1);
		} else if (id && idlen <= 64) {
			size_t j, at = (size_t)snprintf(buf, sizeof(buf), "buildid:");
			for (j = 0; j < idlen; j++)
				at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%02x", id[j]);
			snprintf(buf + at, sizeof(buf) - at, "+0x%" PRIx64, f->offset);
		} else {
			continue;
		}
		if (!(f->function = perfdb_memory__keep_string(s, buf))) {
			f->function = "";
			rc = perfdb_error__oom();
		}
	}
out:
	free(near);
	free(off);
	free(todo_addr);
	free(idx);
	return rc;
}

/* Everything about the n frames of one module: function names from its
 * symbol tables (or its debug file's), then file:line where `lines` asks. */
static int symbolize_module(perfdb_memtrack_snapshot *s, perfdb_memtrack_frame **frames, size_t n,
			    perfdb_memtrack_lines lines, char **a2l)
{
	elfsym_module *m = elfsym_open(frames[0]->module);
	uint64_t *addrs = malloc(n * sizeof(*addrs));
	const char **names = malloc(n * sizeof(*names));
	const char *dwarf = NULL;
	bool from_debug_file = false;
	dwarfline_sections secs;
	dwarfline_loc *locs = NULL;
	size_t i, k;
	int rc = 0;

	if (!m || !addrs || !names) {
		rc = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < n; i++)
		addrs[i] = frames[i]->offset ? frames[i]->offset - 1 : 0;
	if (elfsym_lookup(m, addrs, names, n) != 0) {
		rc = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (!names[i])
			continue;
		frames[i]->function = perfdb_memory__keep_string(s, names[i]);
		if (!frames[i]->function) {
			frames[i]->function = "";
			rc = perfdb_error__oom();
		}
	}
	if (rc || (rc = name_unnamed(s, m, frames, addrs, names, n)))
		goto out;
	if (lines != PERFDB_MEMTRACK_LINES_NONE && elfsym_has_lines(m)) {
		dwarf = frames[0]->module;
	} else if (lines == PERFDB_MEMTRACK_LINES_ALL && elfsym_debug_file(m)) {
		dwarf = elfsym_debug_file(m);
		from_debug_file = true;
	}
	if (!dwarf)
		goto out;
	/* The function from .debug_info where the module carries it: for
	 * inlined code the inlined function, which the symbol table cannot name.
	 * Not from separate debug files: a distribution's .debug_info is large
	 * and compressed (glibc's: 2.3 MB to inflate into 5.8 MB, ~20 ms), for
	 * library frames whose names the symbol table already gives. */
	if (!from_debug_file && (rc = dwarf_functions(s, m, false, frames, addrs, n)))
		goto out;
	/* Our own line-table reader first; addr2line for what it cannot read
	 * (zstd-compressed sections, malformed units). */
	if (elfsym_line_sections(m, from_debug_file, &secs)) {
		int r;
		locs = malloc(n * sizeof(*locs));
		if (!locs || (r = dwarfline_lookup(&secs, addrs, locs, n)) < 0) {
			rc = perfdb_error__oom();
			goto out;
		}
		for (i = 0; i < n && rc == 0; i++) {
			if (!locs[i].file)
				continue;
			frames[i]->file = perfdb_memory__keep_string(s, locs[i].file);
			frames[i]->line = locs[i].line;
			if (!frames[i]->file) {
				frames[i]->file = "";
				frames[i]->line = 0;
				rc = perfdb_error__oom();
			}
		}
		dwarfline_free(locs, n);
		if (rc || r == 0)
			goto out;
	}
	for (i = 0, k = 0; i < n; i++) /* the frames still without a line, in front */
		if (!frames[i]->line) {
			perfdb_memtrack_frame *t = frames[k];
			frames[k++] = frames[i];
			frames[i] = t;
		}
	if (k && !*a2l)
		*a2l = find_in_path("addr2line");
	for (i = 0; *a2l && i < k && rc == 0; i += TOOL_BATCH)
		rc = addr2line_batch(s, *a2l, dwarf, frames + i,
				     k - i < TOOL_BATCH ? k - i : TOOL_BATCH);
out:
	elfsym_close(m);
	free(addrs);
	free(names);
	free(locs);
	return rc;
}

static int frame_addr_cmp(const void *x, const void *y)
{
	const perfdb_memtrack_frame *a = *(perfdb_memtrack_frame *const *)x;
	const perfdb_memtrack_frame *b = *(perfdb_memtrack_frame *const *)y;
	int c = strcmp(a->module, b->module);
	if (c)
		return c;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

int perfdb_memtrack_snapshot_symbolize(perfdb_memtrack_snapshot *s, const size_t *idx, size_t n,
				       perfdb_memtrack_lines lines)
{
	perfdb_memtrack_frame **todo = NULL, **uniq = NULL;
	size_t ntodo = 0, nuniq = 0, cap = 0, i, k, done;
	char *a2l = NULL;
	int rc = 0;

	if (!s || lines > PERFDB_MEMTRACK_LINES_NONE)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_snapshot_symbolize: bad argument");
	if (!idx)
		n = s->nsites;
	for (i = 0; i < n; i++) {
		size_t si = idx ? idx[i] : i;
		if (si >= s->nsites)
			return perfdb_error__set(PERFDB_EINVAL, "site index %zu out of range", si);
	}
	for (i = 0; i < n; i++) {
		perfdb_memtrack_site *st = &s->sites[idx ? idx[i] : i];
		for (k = 0; k < st->nframes; k++) {
			perfdb_memtrack_frame *f = (perfdb_memtrack_frame *)&st->frames[k];
			if (!*f->module || f->line)
				continue;
			if (ntodo == cap) {
				size_t nc = cap ? cap * 2 : 64;
				perfdb_memtrack_frame **p = realloc(todo, nc * sizeof(*p));
				if (!p) {
					rc = perfdb_error__oom();
					goto out;
				}
				todo = p;
				cap = nc;
			}
			todo[ntodo++] = f;
		}
	}
	/* Each distinct (module, offset) once: sites share most of their
	 * frames. Sorted, the frames of one module come together. */
	if (ntodo > 1)
		qsort(todo, ntodo, sizeof(*todo), frame_addr_cmp);
	uniq = malloc((ntodo ? ntodo : 1) * sizeof(*uniq));
	if (!uniq) {
		rc = perfdb_error__oom();
		goto out;
	}
	for (i = 0; i < ntodo; i++)
		if (nuniq == 0 || frame_addr_cmp(&uniq[nuniq - 1], &todo[i]) != 0)
			uniq[nuniq++] = todo[i];
	for (done = 0; done < nuniq && rc == 0; done += k) {
		for (k = 1;
		     done + k < nuniq && strcmp(uniq[done + k]->module, uniq[done]->module) == 0;
		     k++)
			;
		rc = symbolize_module(s, uniq + done, k, lines, &a2l);
	}
	if (rc == 0)
		rc = demangle(s, uniq, nuniq);
	/* A duplicate follows its equal in todo: the first of a run is the
	 * one symbolized, and the names pass down the run. */
	for (i = 1; rc == 0 && i < ntodo; i++) {
		if (frame_addr_cmp(&todo[i - 1], &todo[i]) != 0)
			continue;
		todo[i]->function = todo[i - 1]->function;
		todo[i]->inlined_into = todo[i - 1]->inlined_into;
		todo[i]->call_file = todo[i - 1]->call_file;
		todo[i]->call_line = todo[i - 1]->call_line;
		todo[i]->file = todo[i - 1]->file;
		todo[i]->line = todo[i - 1]->line;
	}
out:
	free(a2l);
	free(uniq);
	free(todo);
	return rc;
}
