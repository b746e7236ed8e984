/* perfdb memtrack: run a command under the allocation tracker, report its heap. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"

#ifndef PERFDB_MEMTRACK_BUILD_PATH
#define PERFDB_MEMTRACK_BUILD_PATH ""
#endif
#ifndef PERFDB_MEMTRACK_INSTALL_PATH
#define PERFDB_MEMTRACK_INSTALL_PATH ""
#endif

enum {
	OPT_FORMAT = 'f',
	OPT_TOP = 'n',
	OPT_SAMPLE = CLI_OPT_FIRST_FREE,
	OPT_RECORD,
	OPT_NAME,
	OPT_DEPTH,
	OPT_UNWIND,
	OPT_LINES,
	OPT_PROCESS,
};

static const cli_option options[] = {
    {"top", OPT_TOP, "N", "sites to list by bytes, by count and by leaked bytes (default 10)"},
    {"sample", OPT_SAMPLE, "BYTES",
     "sample about one allocation per BYTES allocated (e.g. 512K; default: every allocation)"},
    {"format", OPT_FORMAT, "FORMAT", "text or json (default: text)"},
    {"depth", OPT_DEPTH, "N", "frames recorded per call site, 1-16 (default 6)"},
    {"unwind", OPT_UNWIND, "HOW",
     "fp (frame pointers) or dwarf (.eh_frame: whole stacks without frame pointers); "
     "default fp, dwarf with --sample"},
    {"lines", OPT_LINES, "WHERE",
     "file:line from: embedded (debug info in the program and its libraries, the "
     "default), all (also separate debug files in /usr/lib/debug), none"},
    {"process", OPT_PROCESS, "WHICH",
     "the process reported and recorded when the command starts others: main (the "
     "command itself, the default) or largest (the highest peak heap)"},
    {"record", OPT_RECORD, NULL,
     "store peak_heap, peak_rss, allocations and leaked_bytes for the commit"},
    {"name", OPT_NAME, "NAME", "benchmark name for --record (default: the command line)"},
    CLI_RECORD_OPTIONS,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "memtrack",
    "[options] -- CMD [ARGS...]",
    "Run a command under the allocation tracker and report its heap by call site.",
    "Preloads libperfdb_memtrack.so (found next to this build, then in the install\n"
    "directory; $PERFDB_MEMTRACK_LIB overrides both) into CMD, which must be dynamically\n"
    "linked. Reports peak heap (and when), peak RSS, allocations, bytes still live at\n"
    "exit (leaks) and the top sites by bytes, by count and by leaked bytes; a site is a\n"
    "call stack, its functions named from the ELF symbol tables (a stripped library's\n"
    "from its separate debug file) and, with debug info, file:line; stacks the same\n"
    "in the source (same functions, files and lines) are one site.\n"
    "--lines all also reads separate debug files for file:line (/usr/lib/debug: a\n"
    "distribution's -dbg packages; ~10 ms for glibc's), which by default are left out:\n"
    "only the program's and its libraries' own debug info is read.\n"
    "--sample switches to byte-interval sampling (as jemalloc's and tcmalloc's heap\n"
    "profilers do): figures become unbiased estimates at a fraction of the cost.\n"
    "Peak RSS includes the tracker's own memory (16 bytes per tracked block).\n"
    "Processes CMD starts (a wrapper script's children, make's jobs) are tracked each\n"
    "on its own and listed after the report, largest peak heap first; --process\n"
    "largest reports the largest instead of CMD itself. A command that\n"
    "fails is reported, not recorded, and the exit code is 3. With --format json the\n"
    "command's standard output goes to standard error, so that stdout is the JSON alone.",
    options,
};

typedef struct memtrack_args {
	cli_record_opts rec;
	unsigned long long top;
	unsigned long long sample;
	unsigned long long depth;
	const char *unwind;
	const char *name;
	perfdb_memtrack_lines lines;
	bool largest; /* --process largest */
	bool json;
	bool record;
} memtrack_args;

/* "512", "512K", "4k", "1M", "2MiB": binary multiples. */
static int parse_bytes(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v, mult = 1;
	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		if (strchr("kK", *end))
			mult = 1ull << 10;
		else if (strchr("mM", *end))
			mult = 1ull << 20;
		else if (strchr("gG", *end))
			mult = 1ull << 30;
		else if (strcmp(end, "B") == 0)
			end--;
		else
			return -1;
		end++;
		if (*end && strcmp(end, "iB") != 0 && strcmp(end, "B") != 0)
			return -1;
	}
	if (v == 0 || v > (1ull << 40) / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int on_option(void *ctx, int id, const char *arg)
{
	memtrack_args *a = ctx;
	int r = cli_record_option(&info, &a->rec, id, arg);
	if (r != 0)
		return r < 0;
	switch (id) {
	case OPT_TOP:
		if (cli_parse_count(arg, 1, 100000, &a->top) != 0) {
			cli_usage_error(&info, "--top '%s': expected a whole number >= 1", arg);
			return 1;
		}
		return 0;
	case OPT_SAMPLE:
		if (parse_bytes(arg, &a->sample) != 0) {
			cli_usage_error(&info, "--sample '%s': expected a byte count such as 512K",
					arg);
			return 1;
		}
		return 0;
	case OPT_DEPTH:
		if (cli_parse_count(arg, 1, 16, &a->depth) != 0) {
			cli_usage_error(&info, "--depth '%s': expected 1 to 16", arg);
			return 1;
		}
		return 0;
	case OPT_UNWIND:
		if (strcmp(arg, "fp") != 0 && strcmp(arg, "dwarf") != 0) {
			cli_usage_error(&info, "--unwind '%s': expected fp or dwarf", arg);
			return 1;
		}
		a->unwind = arg;
		return 0;
	case OPT_LINES:
		if (strcmp(arg, "embedded") == 0)
			a->lines = PERFDB_MEMTRACK_LINES_EMBEDDED;
		else if (strcmp(arg, "all") == 0)
			a->lines = PERFDB_MEMTRACK_LINES_ALL;
		else if (strcmp(arg, "none") == 0)
			a->lines = PERFDB_MEMTRACK_LINES_NONE;
		else {
			cli_usage_error(&info, "--lines '%s': expected embedded, all or none", arg);
			return 1;
		}
		return 0;
	case OPT_PROCESS:
		if (strcmp(arg, "main") == 0)
			a->largest = false;
		else if (strcmp(arg, "largest") == 0)
			a->largest = true;
		else {
			cli_usage_error(&info, "--process '%s': expected main or largest", arg);
			return 1;
		}
		return 0;
	case OPT_FORMAT:
		if (cli_parse_text_json(arg, &a->json) != 0) {
			cli_usage_error(&info, "--format '%s': expected text or json", arg);
			return 1;
		}
		return 0;
	case OPT_RECORD: a->record = true; return 0;
	case OPT_NAME:
		if (!*arg) {
			cli_usage_error(&info, "--name: the name is empty");
			return 1;
		}
		a->name = arg;
		return 0;
	default: return 0;
	}
}

/* The tracker beside an installed perfdb: PREFIX/bin/perfdb finds
 * PREFIX/lib/libperfdb_memtrack.so wherever PREFIX was installed to. */
static const char *tracker_beside_binary(void)
{
	static char path[4096];
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return NULL;
	*slash = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", exe, PERFDB_MEMTRACK_FROM_BINDIR) >=
	    sizeof(path))
		return NULL;
	return access(path, R_OK) == 0 ? path : NULL;
}

static const char *find_tracker(void)
{
	const char *env = getenv("PERFDB_MEMTRACK_LIB"), *beside;
	if (env && *env)
		return access(env, R_OK) == 0 ? env : NULL;
	if ((beside = tracker_beside_binary()))
		return beside;
	if (*PERFDB_MEMTRACK_BUILD_PATH && access(PERFDB_MEMTRACK_BUILD_PATH, R_OK) == 0)
		return PERFDB_MEMTRACK_BUILD_PATH;
	if (*PERFDB_MEMTRACK_INSTALL_PATH && access(PERFDB_MEMTRACK_INSTALL_PATH, R_OK) == 0)
		return PERFDB_MEMTRACK_INSTALL_PATH;
	return NULL;
}

/* Runs argv with the tracker preloaded; the report goes to PREFIX.<pid>.
 * 0, or -1 after printing why the command could not run. */
static int spawn_tracked(char **argv, const char *lib, const char *prefix, const memtrack_args *a,
			 perfdb_command_sample *out)
{
	char preload[8192], outvar[4400], sample[64], depth[64], unwind[512];
	const char *env[6], *old = getenv("LD_PRELOAD");
	perfdb_command *cmd = NULL;
	size_t n = 0;
	int err;

	if (old && *old)
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s:%s", lib, old);
	else
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", lib);
	env[n++] = preload;
	snprintf(outvar, sizeof(outvar), "PERFDB_MEMTRACK_OUT=%s", prefix);
	env[n++] = outvar;
	snprintf(sample, sizeof(sample), "PERFDB_MEMTRACK_SAMPLE=%llu", a->sample);
	env[n++] = sample;
	if (a->depth) {
		snprintf(depth, sizeof(depth), "PERFDB_MEMTRACK_DEPTH=%llu", a->depth);
		env[n++] = depth;
	}
	if (a->unwind) {
		snprintf(unwind, sizeof(unwind), "PERFDB_MEMTRACK_UNWIND=%s", a->unwind);
		env[n++] = unwind;
	}
	env[n] = NULL;
	/* The JSON document is perfdb's stdout: the command's own output would
	 * corrupt it (`perfdb memtrack --format json -- ls > h.json`). */
	err = perfdb_command_new_env(
	    &cmd, (const char *const *)argv, env,
	    PERFDB_COMMAND_KEEP_STDIN | PERFDB_COMMAND_NO_RSS_FLOOR |
		(a->json ? PERFDB_COMMAND_STDOUT_TO_STDERR : PERFDB_COMMAND_SHOW_OUTPUT));
	if (err == 0)
		err = perfdb_command_exec(out, cmd);
	perfdb_command_free(cmd);
	if (err) {
		cli_err("%s", perfdb_error_last()->message);
		return -1;
	}
	return 0;
}

/* ---- rendering ------------------------------------------------------------------ */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void frame_label(char *buf, size_t cap, const perfdb_memtrack_frame *f)
{
	const char *fn = *f->function ? f->function : "??";
	int n;
	if (*f->file)
		n = snprintf(buf, cap, "%s (%s:%u)", fn, base_name(f->file), f->line);
	else if (*f->module)
		n = snprintf(buf, cap, "%s (%s+%#llx)", fn, base_name(f->module),
			     (unsigned long long)f->offset);
	else
		n = snprintf(buf, cap, "%s (%#llx)", fn, (unsigned long long)f->address);
	if (*f->inlined_into && n >= 0 && (size_t)n < cap) {
		if (*f->call_file)
			snprintf(buf + n, cap - (size_t)n, " inlined into %s (%s:%u)",
				 f->inlined_into, base_name(f->call_file), f->call_line);
		else
			snprintf(buf + n, cap - (size_t)n, " inlined into %s", f->inlined_into);
	}
}

static void print_sites(const perfdb_memtrack_snapshot *s, const char *title, const size_t *idx,
			size_t n)
{
	size_t i, k;
	char label[1024], shown[2048];
	cli_out("\n%s\n", title);
	if (!n) {
		cli_out("  (none)\n");
		return;
	}
	cli_out("  %3s %14s %10s %14s %10s  %s\n", "#", "bytes", "allocs", "live bytes", "live",
		"site");
	for (i = 0; i < n; i++) {
		const perfdb_memtrack_site *st = perfdb_memtrack_snapshot_site(s, idx[i]);
		if (st->nframes)
			frame_label(label, sizeof(label), &st->frames[0]);
		else
			snprintf(label, sizeof(label), "(sites beyond the tracker's table)");
		cli_out("  %3zu %14lld %10lld %14lld %10lld  %s\n", i + 1,
			(long long)st->total_bytes, (long long)st->total_count,
			(long long)st->live_bytes, (long long)st->live_count,
			cli_text(shown, sizeof(shown), label));
		for (k = 1; k < st->nframes && k < 4; k++) {
			frame_label(label, sizeof(label), &st->frames[k]);
			/* names from the program's symbols: shown, never acted on */
			cli_out("  %3s %14s %10s %14s %10s    from %s\n", "", "", "", "", "",
				cli_text(shown, sizeof(shown), label));
		}
	}
}

static json_t *site_json(const perfdb_memtrack_site *st)
{
	json_t *o = json_object(), *fr = json_array();
	size_t k;
	json_object_set_new(o, "total_bytes", json_integer(st->total_bytes));
	json_object_set_new(o, "total_count", json_integer(st->total_count));
	json_object_set_new(o, "live_bytes", json_integer(st->live_bytes));
	json_object_set_new(o, "live_count", json_integer(st->live_count));
	for (k = 0; k < st->nframes; k++) {
		const perfdb_memtrack_frame *f = &st->frames[k];
		json_t *j = json_object();
		char off[32];
		snprintf(off, sizeof(off), "%#llx", (unsigned long long)f->offset);
		json_object_set_new(j, "function", json_string(f->function));
		json_object_set_new(j, "file", *f->file ? json_string(f->file) : json_null());
		json_object_set_new(j, "line", f->line ? json_integer(f->line) : json_null());
		json_object_set_new(j, "inlined_into",
				    *f->inlined_into ? json_string(f->inlined_into) : json_null());
		json_object_set_new(j, "call_file",
				    *f->call_file ? json_string(f->call_file) : json_null());
		json_object_set_new(j, "call_line",
				    f->call_line ? json_integer(f->call_line) : json_null());
		json_object_set_new(j, "module", json_string(f->module));
		json_object_set_new(j, "offset", json_string(off));
		json_array_append_new(fr, j);
	}
	json_object_set_new(o, "frames", fr);
	return o;
}

static json_t *sites_json(const perfdb_memtrack_snapshot *s, const size_t *idx, size_t n)
{
	json_t *arr = json_array();
	size_t i;
	for (i = 0; i < n; i++)
		json_array_append_new(arr, site_json(perfdb_memtrack_snapshot_site(s, idx[i])));
	return arr;
}

/* Every process of the run that wrote a report, largest peak heap first. */
typedef struct proc {
	long pid;
	char exe[512];
	int64_t peak_heap, allocs, leaked;
	uint64_t peak_rss;
} proc;

typedef struct top_lists {
	size_t *bytes, *count, *leaks;
	size_t nbytes, ncount, nleaks;
} top_lists;

/* The share of allocations whose frame-pointer walk stopped at the first
 * frame: code built without frame pointers (-O2's default) leaves anything
 * in %rbp, and the walk ends there. NAN when the walk was not by frame
 * pointers or asked for one frame. */
static double short_stacks(const perfdb_memtrack_snapshot *s)
{
	const perfdb_memtrack_summary *m = perfdb_memtrack_snapshot_summary(s);
	size_t i, n = perfdb_memtrack_snapshot_site_count(s);
	int64_t cut = 0, all = 0;
	if (strcmp(m->unwind, "fp") != 0 || m->depth < 2)
		return NAN;
	for (i = 0; i < n; i++) {
		const perfdb_memtrack_site *st = perfdb_memtrack_snapshot_site(s, i);
		if (!st->nframes)
			continue;
		all += st->total_count;
		if (st->nframes == 1)
			cut += st->total_count;
	}
	return all ? (double)cut / (double)all : NAN;
}

static int render(const memtrack_args *a, const char *cmdline, const perfdb_memtrack_snapshot *s,
		  const top_lists *t, int exit_status, const proc *procs, size_t nprocs)
{
	int others = nprocs > 1 ? (int)nprocs - 1 : 0;
	double short_share = short_stacks(s);
	size_t i;
	const perfdb_memtrack_summary *m = perfdb_memtrack_snapshot_summary(s);
	char b1[64], b2[64], b3[64], when[64];
	if (a->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "command", json_string(cmdline));
		json_object_set_new(doc, "pid", json_integer(m->pid));
		json_object_set_new(doc, "exit_status", json_integer(exit_status));
		json_object_set_new(doc, "mode", json_string(m->sampled ? "sample" : "full"));
		json_object_set_new(doc, "sample_interval",
				    json_integer((json_int_t)m->sample_interval));
		json_object_set_new(doc, "depth", json_integer(m->depth));
		json_object_set_new(doc, "unwind", json_string(m->unwind));
		json_object_set_new(doc, "peak_heap", json_integer(m->peak_heap));
		json_object_set_new(doc, "peak_heap_time_ns",
				    json_integer((json_int_t)m->peak_time_ns));
		json_object_set_new(doc, "peak_rss", json_integer((json_int_t)m->peak_rss));
		json_object_set_new(doc, "allocations", json_integer(m->allocs));
		json_object_set_new(doc, "frees", json_integer(m->frees));
		json_object_set_new(doc, "allocated_bytes", json_integer(m->alloc_bytes));
		json_object_set_new(doc, "leaked_bytes", json_integer(m->heap));
		json_object_set_new(doc, "leaked_blocks", json_integer(m->live));
		json_object_set_new(doc, "sites_dropped",
				    json_integer((json_int_t)m->sites_dropped));
		json_object_set_new(doc, "other_processes", json_integer(others));
		json_object_set_new(doc, "short_stacks",
				    isnan(short_share) ? json_null() : json_real(short_share));
		{
			json_t *arr = json_array();
			for (i = 0; i < nprocs; i++) {
				json_t *o = json_object();
				json_object_set_new(o, "pid", json_integer(procs[i].pid));
				json_object_set_new(o, "exe", json_string(procs[i].exe));
				json_object_set_new(o, "reported",
						    json_boolean(procs[i].pid == m->pid));
				json_object_set_new(o, "peak_heap",
						    json_integer(procs[i].peak_heap));
				json_object_set_new(o, "peak_rss",
						    json_integer((json_int_t)procs[i].peak_rss));
				json_object_set_new(o, "allocations",
						    json_integer(procs[i].allocs));
				json_object_set_new(o, "leaked_bytes",
						    json_integer(procs[i].leaked));
				json_array_append_new(arr, o);
			}
			json_object_set_new(doc, "processes", arr);
		}
		json_object_set_new(doc, "top_by_bytes", sites_json(s, t->bytes, t->nbytes));
		json_object_set_new(doc, "top_by_count", sites_json(s, t->count, t->ncount));
		json_object_set_new(doc, "top_leaks", sites_json(s, t->leaks, t->nleaks));
		return cli_json_print(doc) == 0 ? 0 : -1;
	}
	cli_out("%s (pid %ld): %s, %u frames per site, %s unwinding\n", cmdline, m->pid,
		m->sampled ? "sampled" : "every allocation tracked", m->depth, m->unwind);
	if (a->largest && nprocs > 1)
		cli_out("  reported: pid %ld (%s), the largest peak heap of its %zu processes\n",
			m->pid, m->exe, nprocs);
	if (m->sampled)
		cli_out("  figures are estimates: one sample per %llu bytes on average\n",
			(unsigned long long)m->sample_interval);
	cli_format_bytes(b1, sizeof(b1), (double)m->peak_heap);
	cli_format_ns(when, sizeof(when), (double)m->peak_time_ns);
	cli_out("  peak heap       %s (%lld B) at %s\n", b1, (long long)m->peak_heap, when);
	cli_format_bytes(b2, sizeof(b2), (double)m->peak_rss);
	cli_out("  peak RSS        %s (%llu B)\n", b2, (unsigned long long)m->peak_rss);
	cli_format_bytes(b3, sizeof(b3), (double)m->alloc_bytes);
	cli_out("  allocations     %lld (%s in total), %lld frees\n", (long long)m->allocs, b3,
		(long long)m->frees);
	cli_format_bytes(b1, sizeof(b1), (double)m->heap);
	cli_out("  leaked at exit  %s (%lld B) in %lld blocks\n", b1, (long long)m->heap,
		(long long)m->live);
	if (m->sites_dropped)
		cli_out("  %llu allocations went to one pseudo-site: the site table was full\n",
			(unsigned long long)m->sites_dropped);
	if (exit_status)
		cli_out("  exit status     %d\n", exit_status);
	if (short_share > 0.5)
		cli_out(
		    "  %.0f%% of allocations have a one-frame stack: the program looks built "
		    "without frame\n  pointers (the -O2 default); --unwind dwarf gives whole "
		    "stacks at nearly the same\n  cost, or build with -fno-omit-frame-pointer\n",
		    100 * short_share);
	print_sites(s, "top sites by bytes allocated:", t->bytes, t->nbytes);
	print_sites(s, "top sites by allocations:", t->count, t->ncount);
	print_sites(s, "top leaks (live at exit):", t->leaks, t->nleaks);
	if (others) {
		size_t shown = 0;
		cli_out("\n%d other process%s (forked by the command) tracked separately, not "
			"included above; largest peak heap first:\n",
			others, others == 1 ? "" : "es");
		cli_out("  %8s %12s %12s %12s  %s\n", "pid", "peak heap", "allocations", "leaked",
			"program");
		for (i = 0; i < nprocs && shown < a->top; i++) {
			const char *slash = strrchr(procs[i].exe, '/');
			if (procs[i].pid == m->pid)
				continue;
			cli_format_bytes(b1, sizeof(b1), (double)procs[i].peak_heap);
			cli_format_bytes(b2, sizeof(b2), (double)procs[i].leaked);
			cli_out("  %8ld %12s %12lld %12s  %s\n", procs[i].pid, b1,
				(long long)procs[i].allocs, b2, slash ? slash + 1 : procs[i].exe);
			shown++;
		}
		if (shown < (size_t)others)
			cli_out("  ... and %zu more (--top)\n", (size_t)others - shown);
	}
	return 0;
}

/* ---- the command -------------------------------------------------------------------- */
static int proc_cmp(const void *x, const void *y)
{
	const proc *a = x, *b = y;
	if (a->peak_heap != b->peak_heap)
		return a->peak_heap > b->peak_heap ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* Every report in dir: the summaries into *out (largest peak heap first),
 * and *chosen, the snapshot of the process reported: pid `want`, or with
 * `largest` the one with the highest peak heap. Each report is read once. A
 * report that does not parse (a process killed while writing it) is left
 * out; when it is want's, its error is copied to bad_want. */
static int list_processes(const char *dir, long want, bool largest, proc **out, size_t *n,
			  perfdb_memtrack_snapshot **chosen, char *bad_want, size_t bad_cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	proc *v = NULL;
	size_t cap = 0, best = 0;
	*n = 0;
	*chosen = NULL;
	*bad_want = '\0';
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096 + 300];
		perfdb_memtrack_snapshot *s;
		const perfdb_memtrack_summary *m;
		if (strncmp(e->d_name, "report.", 7) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (perfdb_memtrack_snapshot_load(&s, path) != 0) {
			if (!largest && strtol(e->d_name + 7, NULL, 10) == want)
				snprintf(bad_want, bad_cap, "%s", perfdb_error_last()->message);
			continue;
		}
		if (*n == cap) {
			proc *nv;
			cap = cap ? cap * 2 : 8;
			if (!(nv = realloc(v, cap * sizeof(*v)))) {
				perfdb_memtrack_snapshot_free(s);
				closedir(d);
				free(v);
				perfdb_memtrack_snapshot_free(*chosen);
				*chosen = NULL;
				return -1;
			}
			v = nv;
		}
		m = perfdb_memtrack_snapshot_summary(s);
		v[*n].pid = m->pid;
		snprintf(v[*n].exe, sizeof(v[*n].exe), "%s", m->exe);
		v[*n].peak_heap = m->peak_heap;
		v[*n].allocs = m->allocs;
		v[*n].leaked = m->heap;
		v[*n].peak_rss = m->peak_rss;
		/* largest: the first in proc_cmp's order (peak heap, then pid) */
		if (largest ? *n == 0 || proc_cmp(&v[*n], &v[best]) < 0 : m->pid == want) {
			perfdb_memtrack_snapshot_free(*chosen);
			*chosen = s;
			best = *n;
		} else {
			perfdb_memtrack_snapshot_free(s);
		}
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), proc_cmp);
	*out = v;
	return 0;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096 + 512];
	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
}

int cmd_memtrack(int argc, char **argv)
{
	memtrack_args a;
	perfdb_memtrack_snapshot *snap = NULL;
	top_lists t = {0};
	const char *lib;
	char dir[4096], prefix[4200], bad[1024];
	const char *tmp = getenv("TMPDIR");
	char *cmdline = NULL;
	perfdb_command_sample run;
	pid_t pid = 0;
	int first, rc = CLI_EXIT_OK, exit_status;
	size_t *all = NULL, nall, nprocs = 0;
	proc *procs = NULL;

	memset(&a, 0, sizeof(a));
	a.top = 10;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error(&info, "no command (give -- CMD [ARGS...])");
	lib = find_tracker();
	if (!lib) {
		const char *env = getenv("PERFDB_MEMTRACK_LIB");
		if (env && *env)
			cli_err("cannot read '%s' ($PERFDB_MEMTRACK_LIB): %s", env,
				strerror(errno));
		else
			cli_err("cannot find libperfdb_memtrack.so (looked for '%s' and '%s'); set "
				"PERFDB_MEMTRACK_LIB",
				PERFDB_MEMTRACK_BUILD_PATH, PERFDB_MEMTRACK_INSTALL_PATH);
		return CLI_EXIT_DB;
	}
	snprintf(dir, sizeof(dir), "%s/perfdb-memtrack.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		cli_err("cannot create a scratch directory: %s", strerror(errno));
		return CLI_EXIT_DB;
	}
	snprintf(prefix, sizeof(prefix), "%s/report", dir);
	cmdline = cli_command_name(argv + first);
	if (!cmdline) {
		rmdir(dir);
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	memset(&run, 0, sizeof(run));
	if (spawn_tracked(argv + first, lib, prefix, &a, &run) != 0) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	pid = (pid_t)run.pid;
	exit_status = run.exit_code;
	if (list_processes(dir, (long)pid, a.largest, &procs, &nprocs, &snap, bad, sizeof(bad)) !=
	    0) {
		cli_err("out of memory");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (!snap) {
		if (*bad)
			cli_err("%s", bad); /* a report that does not parse */
		else
			cli_err(
			    "'%s' wrote no allocation report: it %s (a statically linked or "
			    "setuid program cannot load the tracker; one that ends with _exit() "
			    "skips the report)",
			    argv[first],
			    run.signal ? "was killed by a signal" : "exited without one");
		if (!*bad && nprocs)
			cli_err("%zu process%s it started did write one: --process largest "
				"reports the largest",
				nprocs, nprocs == 1 ? "" : "es");
		rc = CLI_EXIT_DB;
		goto out;
	}
	/* The tracker's high-water mark and the kernel's rusage agree for the
	 * command's own process; take the larger in case the program reset its
	 * mark. (rusage of a child says nothing of the process reported here
	 * when that is another one.) */
	if (perfdb_memtrack_snapshot_summary(snap)->pid == (long)pid &&
	    run.max_rss > (double)perfdb_memtrack_snapshot_summary(snap)->peak_rss)
		((perfdb_memtrack_summary *)perfdb_memtrack_snapshot_summary(snap))->peak_rss =
		    (uint64_t)run.max_rss;

	/* Every site is named (each distinct address once: cheap), then sites
	 * the same in the source (an unrolled loop, two calls on one line) are
	 * merged before ranking, so a site is not split across rows. */
	if (perfdb_memtrack_snapshot_symbolize(snap, NULL, 0, a.lines) != 0 ||
	    perfdb_memtrack_snapshot_coalesce(snap) != 0) {
		rc = cli_fail();
		goto out;
	}
	nall = 3 * a.top;
	all = calloc(nall, sizeof(*all));
	if (!all) {
		cli_err("out of memory");
		rc = CLI_EXIT_DB;
		goto out;
	}
	t.bytes = all;
	t.count = all + a.top;
	t.leaks = all + 2 * a.top;
	if (perfdb_memtrack_snapshot_top(t.bytes, &t.nbytes, snap, PERFDB_MEMTRACK_BY_TOTAL_BYTES,
					 a.top) != 0 ||
	    perfdb_memtrack_snapshot_top(t.count, &t.ncount, snap, PERFDB_MEMTRACK_BY_TOTAL_COUNT,
					 a.top) != 0 ||
	    perfdb_memtrack_snapshot_top(t.leaks, &t.nleaks, snap, PERFDB_MEMTRACK_BY_LIVE_BYTES,
					 a.top) != 0) {
		rc = cli_fail();
		goto out;
	}
	if (render(&a, cmdline, snap, &t, exit_status, procs, nprocs) != 0) {
		cli_err("out of memory");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (exit_status) {
		cli_warn("'%s' exited with status %d%s", argv[first], exit_status,
			 a.record ? "; nothing recorded" : "");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (a.record) {
		perfdb_resultset *rs = NULL;
		if (perfdb_resultset_new(&rs) != 0 ||
		    perfdb_memtrack_export(rs, snap, a.name ? a.name : cmdline) != 0 ||
		    perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "memtrack") != 0 ||
		    (perfdb_memtrack_snapshot_summary(snap)->sampled &&
		     perfdb_resultset_set_tag(rs, "memtrack", "sampled") != 0)) {
			rc = cli_fail();
			perfdb_resultset_free(rs);
			goto out;
		}
		a.rec.status_to_stderr = a.json;
		rc = cli_record_resultset(&a.rec, rs);
		perfdb_resultset_free(rs);
	}
out:
	free(all);
	free(procs);
	free(cmdline);
	perfdb_memtrack_snapshot_free(snap);
	remove_dir(dir);
	return rc;
}
