/* perfdb memtrack: run a command under the allocation tracker, report its heap. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "measure.h"

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
    "largest reports the largest instead of CMD itself, named by the program it ran.\n"
    "Processes still running when CMD ends are listed as not tracked to the end. A\n"
    "command that fails (or is killed: the signal is named) is reported, not\n"
    "recorded, and the exit code is 3. With --format json the\n"
    "command's standard output goes to standard error, so that stdout is the JSON alone.",
    options,
};

typedef struct memtrack_args {
	cli_record_opts rec;
	unsigned long long top;
	unsigned long long sample;
	unsigned long long depth;
	perfdb_memtrack_unwind unwind;
	const char *name;
	perfdb_memtrack_lines lines;
	perfdb_memtrack_which process;
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
		if (strcmp(arg, "fp") == 0)
			a->unwind = PERFDB_MEMTRACK_UNWIND_FP;
		else if (strcmp(arg, "dwarf") == 0)
			a->unwind = PERFDB_MEMTRACK_UNWIND_DWARF;
		else {
			cli_usage_error(&info, "--unwind '%s': expected fp or dwarf", arg);
			return 1;
		}
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
			a->process = PERFDB_MEMTRACK_PROCESS_MAIN;
		else if (strcmp(arg, "largest") == 0)
			a->process = PERFDB_MEMTRACK_PROCESS_LARGEST;
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

/* "SIGSEGV", or "signal 77" for one without a name. */
static void signal_name(char *buf, size_t cap, int sig)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev) {
		snprintf(buf, cap, "SIG%s", abbrev);
		return;
	}
#endif
	snprintf(buf, cap, "signal %d", sig);
}

static size_t count_state(const perfdb_memtrack_result *r, perfdb_memtrack_process_state state)
{
	size_t i, n = 0, all = perfdb_memtrack_result_process_count(r);
	for (i = 0; i < all; i++)
		n += perfdb_memtrack_result_process(r, i)->state == state;
	return n;
}

/* The processes in `state`, each as {pid, exe}. */
static json_t *state_json(const perfdb_memtrack_result *r, perfdb_memtrack_process_state state)
{
	json_t *arr = json_array();
	size_t i, n = perfdb_memtrack_result_process_count(r);
	for (i = 0; i < n; i++) {
		const perfdb_memtrack_process *p = perfdb_memtrack_result_process(r, i);
		json_t *o;
		if (p->state != state)
			continue;
		o = json_object();
		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "exe", json_string(p->exe));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* What is known of the processes without figures: still running when the
 * command ended (listed, up to --top), or ended without a report. */
static void print_unfinished(const memtrack_args *a, const perfdb_memtrack_result *r)
{
	size_t running = count_state(r, PERFDB_MEMTRACK_PROCESS_RUNNING);
	size_t silent = count_state(r, PERFDB_MEMTRACK_PROCESS_NO_REPORT);
	size_t i, shown = 0, n = perfdb_memtrack_result_process_count(r);
	char name[1024];
	if (running) {
		cli_out("\n%zu process%s still running at exit, not tracked to the end:\n", running,
			running == 1 ? "" : "es");
		for (i = 0; i < n && shown < a->top; i++) {
			const perfdb_memtrack_process *p = perfdb_memtrack_result_process(r, i);
			if (p->state != PERFDB_MEMTRACK_PROCESS_RUNNING)
				continue;
			cli_out("  %8ld  %s\n", p->pid,
				cli_text(name, sizeof(name), *p->exe ? base_name(p->exe) : "?"));
			shown++;
		}
		if (shown < running)
			cli_out("  ... and %zu more (--top)\n", running - shown);
	}
	if (silent)
		cli_out("\n%zu process%s ended without a report (killed by a signal, or _exit())\n",
			silent, silent == 1 ? "" : "es");
}

/* The processes other than the one reported that have figures. */
static size_t other_processes(const perfdb_memtrack_result *r)
{
	size_t i, n = 0, all = perfdb_memtrack_result_process_count(r);
	for (i = 0; i < all; i++) {
		const perfdb_memtrack_process *p = perfdb_memtrack_result_process(r, i);
		n += p->state == PERFDB_MEMTRACK_PROCESS_EXITED && !p->reported;
	}
	return n;
}

static json_t *processes_json(const perfdb_memtrack_result *r)
{
	json_t *arr = json_array();
	size_t i, n = perfdb_memtrack_result_process_count(r);
	for (i = 0; i < n; i++) {
		const perfdb_memtrack_process *p = perfdb_memtrack_result_process(r, i);
		json_t *o = json_object();
		if (p->state != PERFDB_MEMTRACK_PROCESS_EXITED)
			continue;
		json_object_set_new(o, "pid", json_integer(p->pid));
		json_object_set_new(o, "exe", json_string(p->exe));
		json_object_set_new(o, "reported", json_boolean(p->reported));
		json_object_set_new(o, "peak_heap", json_integer(p->peak_heap));
		json_object_set_new(o, "peak_rss", json_integer((json_int_t)p->peak_rss));
		json_object_set_new(o, "allocations", json_integer(p->allocs));
		json_object_set_new(o, "leaked_bytes", json_integer(p->leaked));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int render(const memtrack_args *a, const char *cmdline, perfdb_memtrack_result *r,
		  const top_lists *t)
{
	const perfdb_memtrack_snapshot *s = perfdb_memtrack_result_snapshot(r);
	const perfdb_memtrack_outcome *oc = perfdb_memtrack_result_outcome(r);
	size_t others = other_processes(r), i, nprocs = perfdb_memtrack_result_process_count(r);
	double short_share = short_stacks(s);
	const perfdb_memtrack_summary *m = perfdb_memtrack_snapshot_summary(s);
	char b1[64], b2[64], b3[64], when[64], sig[32], shown_name[1024];
	signal_name(sig, sizeof(sig), oc->signal);
	if (a->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "command", json_string(cmdline));
		json_object_set_new(doc, "pid", json_integer(m->pid));
		json_object_set_new(doc, "exit_status", json_integer(oc->exit_code));
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
		json_object_set_new(doc, "other_processes", json_integer((json_int_t)others));
		json_object_set_new(doc, "short_stacks",
				    isnan(short_share) ? json_null() : json_real(short_share));
		json_object_set_new(doc, "processes", processes_json(r));
		json_object_set_new(doc, "exe", json_string(m->exe));
		json_object_set_new(doc, "command_pid", json_integer(oc->pid));
		json_object_set_new(doc, "signal", oc->signal ? json_string(sig) : json_null());
		json_object_set_new(doc, "still_running",
				    state_json(r, PERFDB_MEMTRACK_PROCESS_RUNNING));
		json_object_set_new(doc, "without_report",
				    state_json(r, PERFDB_MEMTRACK_PROCESS_NO_REPORT));
		json_object_set_new(doc, "top_by_bytes", sites_json(s, t->bytes, t->nbytes));
		json_object_set_new(doc, "top_by_count", sites_json(s, t->count, t->ncount));
		json_object_set_new(doc, "top_leaks", sites_json(s, t->leaks, t->nleaks));
		return cli_json_print(doc) == 0 ? 0 : -1;
	}
	/* Another process than the command is named by what it exec'd. */
	if (m->pid == oc->pid)
		cli_out("%s (pid %ld): ", cmdline, m->pid);
	else
		cli_out("%s (pid %ld, started by %s): ",
			cli_text(shown_name, sizeof(shown_name), base_name(m->exe)), m->pid,
			cmdline);
	cli_out("%s, %u frames per site, %s unwinding\n",
		m->sampled ? "sampled" : "every allocation tracked", m->depth, m->unwind);
	if (a->process == PERFDB_MEMTRACK_PROCESS_LARGEST && others)
		cli_out("  reported: pid %ld (%s), the largest peak heap of its %zu processes\n",
			m->pid, cli_text(shown_name, sizeof(shown_name), m->exe), others + 1);
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
	if (oc->signal)
		cli_out("  exit status     %d (killed by %s)\n", oc->exit_code, sig);
	else if (oc->exit_code)
		cli_out("  exit status     %d\n", oc->exit_code);
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
		cli_out("\n%zu other process%s (forked by the command) tracked separately, not "
			"included above; largest peak heap first:\n",
			others, others == 1 ? "" : "es");
		cli_out("  %8s %12s %12s %12s  %s\n", "pid", "peak heap", "allocations", "leaked",
			"program");
		for (i = 0; i < nprocs && shown < a->top; i++) {
			const perfdb_memtrack_process *p = perfdb_memtrack_result_process(r, i);
			if (p->reported || p->state != PERFDB_MEMTRACK_PROCESS_EXITED)
				continue;
			cli_format_bytes(b1, sizeof(b1), (double)p->peak_heap);
			cli_format_bytes(b2, sizeof(b2), (double)p->leaked);
			cli_out("  %8ld %12s %12lld %12s  %s\n", p->pid, b1, (long long)p->allocs,
				b2, cli_text(shown_name, sizeof(shown_name), base_name(p->exe)));
			shown++;
		}
		if (shown < others)
			cli_out("  ... and %zu more (--top)\n", others - shown);
	}
	print_unfinished(a, r);
	return 0;
}

/* ---- the command -------------------------------------------------------------------- */
int cmd_memtrack(int argc, char **argv)
{
	memtrack_args a;
	perfdb_memtrack_run_options ro;
	perfdb_memtrack_result *res = NULL;
	perfdb_memtrack_snapshot *snap;
	const perfdb_memtrack_outcome *oc;
	top_lists t = {0};
	char *cmdline = NULL;
	int first, rc = CLI_EXIT_OK;
	size_t *all = NULL, nall;

	memset(&a, 0, sizeof(a));
	a.top = 10;
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error(&info, "no command (give -- CMD [ARGS...])");
	cmdline = cli_command_name(argv + first);
	if (!cmdline) {
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	perfdb_memtrack_run_options_init(&ro);
	ro.sample = a.sample;
	ro.depth = (unsigned)a.depth;
	ro.unwind = a.unwind;
	ro.process = a.process;
	/* The JSON document is perfdb's stdout: the command's own output would
	 * corrupt it (`perfdb memtrack --format json -- ls > h.json`). */
	ro.command_flags = PERFDB_COMMAND_KEEP_STDIN |
			   (a.json ? PERFDB_COMMAND_STDOUT_TO_STDERR : PERFDB_COMMAND_SHOW_OUTPUT);
	if (perfdb_memtrack_run(&res, (const char *const *)(argv + first), &ro) != 0) {
		rc = cli_fail();
		goto out;
	}
	oc = perfdb_memtrack_result_outcome(res);
	snap = perfdb_memtrack_result_snapshot(res);
	if (!snap) {
		size_t others = other_processes(res);
		if (*oc->report_error)
			cli_err("%s", oc->report_error); /* a report that does not parse */
		else if (oc->signal) {
			char sig[32];
			signal_name(sig, sizeof(sig), oc->signal);
			cli_err("'%s' wrote no allocation report: it was killed by %s", argv[first],
				sig);
		} else
			cli_err(
			    "'%s' wrote no allocation report: it exited without one (a statically "
			    "linked or setuid program cannot load the tracker; one that ends with "
			    "_exit() skips the report)",
			    argv[first]);
		if (!*oc->report_error && others)
			cli_err("%zu process%s it started did write one: --process largest "
				"reports the largest",
				others, others == 1 ? "" : "es");
		rc = CLI_EXIT_DB;
		goto out;
	}

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
	if (render(&a, cmdline, res, &t) != 0) {
		cli_err("out of memory");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (oc->signal) {
		char sig[32];
		signal_name(sig, sizeof(sig), oc->signal);
		cli_warn("'%s' was killed by %s%s", argv[first], sig,
			 a.record ? "; nothing recorded" : "");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (oc->exit_code) {
		cli_warn("'%s' exited with status %d%s", argv[first], oc->exit_code,
			 a.record ? "; nothing recorded" : "");
		rc = CLI_EXIT_DB;
		goto out;
	}
	if (a.record) {
		perfdb_resultset *rs = NULL;
		if (perfdb_memtrack_result_export(&rs, res, a.name ? a.name : cmdline) != 0) {
			rc = cli_fail();
			goto out;
		}
		a.rec.status_to_stderr = a.json;
		rc = cli_record_resultset(&a.rec, rs);
		perfdb_resultset_free(rs);
	}
out:
	free(all);
	free(cmdline);
	perfdb_memtrack_result_free(res);
	return rc;
}
