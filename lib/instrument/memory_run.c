/*
 * Running a program under the allocation tracker: the preload library found,
 * the tracker's environment protocol (memtrack.h) spoken, the command run and
 * waited for, and every report its processes wrote read back, so that the
 * CLI and a C caller record the same thing.
 *
 * Every process of the run writes PREFIX.PID at exit and keeps a locked
 * PREFIX.PID.run while it runs (memtrack.c): the reader tells a process that
 * finished from one still running (the command ended first: not tracked to
 * the end) and from one that ended without a report (a signal, _exit()).
 */
#include "perfdb/cmdbench.h"
#include "perfdb/memory.h"
#include "instrument/memory_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instrument/memtrack.h"
#include "util/error.h"

#ifndef PERFDB_MEMTRACK_BUILD_PATH
#define PERFDB_MEMTRACK_BUILD_PATH ""
#endif
#ifndef PERFDB_MEMTRACK_INSTALL_PATH
#define PERFDB_MEMTRACK_INSTALL_PATH ""
#endif
#ifndef PERFDB_MEMTRACK_FROM_BINDIR
#define PERFDB_MEMTRACK_FROM_BINDIR "../lib/libperfdb_memtrack.so"
#endif

#define REPORT_NAME "report"

typedef struct run_proc {
	perfdb_memtrack_process p;
	char *exe;
	bool has_report, has_marker;
} run_proc;

struct perfdb_memtrack_result {
	perfdb_memtrack_snapshot *snap;
	perfdb_memtrack_outcome outcome;
	char report_error[1024];
	run_proc *procs;
	size_t nprocs, cap;
};

void perfdb_memtrack_run_options_init(perfdb_memtrack_run_options *opts)
{
	perfdb_memtrack_run_options d = PERFDB_MEMTRACK_RUN_OPTIONS_INIT;
	*opts = d;
}

/* ---- the tracker --------------------------------------------------------------- */

/* PREFIX/bin/program finds PREFIX/lib/libperfdb_memtrack.so wherever PREFIX
 * was installed to (the CLI, or a caller installed beside it). */
static bool beside_program(char *path, size_t cap)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return false;
	*slash = '\0';
	if ((size_t)snprintf(path, cap, "%s/%s", exe, PERFDB_MEMTRACK_FROM_BINDIR) >= cap)
		return false;
	return access(path, R_OK) == 0;
}

static int find_tracker(char *path, size_t cap, const char *given)
{
	const char *env = getenv("PERFDB_MEMTRACK_LIB");
	if (given || (env && *env)) {
		const char *p = given ? given : env;
		if (access(p, R_OK) != 0)
			return perfdb_error__set(PERFDB_ERROR, "cannot read '%s'%s: %s", p,
						 given ? "" : " ($PERFDB_MEMTRACK_LIB)",
						 strerror(errno));
		snprintf(path, cap, "%s", p);
		return 0;
	}
	if (beside_program(path, cap))
		return 0;
	if (*PERFDB_MEMTRACK_BUILD_PATH && access(PERFDB_MEMTRACK_BUILD_PATH, R_OK) == 0) {
		snprintf(path, cap, "%s", PERFDB_MEMTRACK_BUILD_PATH);
		return 0;
	}
	if (*PERFDB_MEMTRACK_INSTALL_PATH && access(PERFDB_MEMTRACK_INSTALL_PATH, R_OK) == 0) {
		snprintf(path, cap, "%s", PERFDB_MEMTRACK_INSTALL_PATH);
		return 0;
	}
	return perfdb_error__set(PERFDB_ERROR,
				 "cannot find libperfdb_memtrack.so (looked for '%s' and '%s'); "
				 "set PERFDB_MEMTRACK_LIB",
				 PERFDB_MEMTRACK_BUILD_PATH, PERFDB_MEMTRACK_INSTALL_PATH);
}

/* ---- the run's processes ------------------------------------------------------------ */

static run_proc *proc_for(perfdb_memtrack_result *r, long pid)
{
	size_t i;
	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].p.pid == pid)
			return &r->procs[i];
	if (r->nprocs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		run_proc *v = realloc(r->procs, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->procs = v;
		r->cap = cap;
	}
	memset(&r->procs[r->nprocs], 0, sizeof(r->procs[0]));
	r->procs[r->nprocs].p.pid = pid;
	return &r->procs[r->nprocs++];
}

/* "report.PID" (report) or "report.PID.run" (marker); false for anything else. */
static bool parse_name(const char *name, long *pid, bool *marker)
{
	char *end;
	if (strncmp(name, REPORT_NAME ".", sizeof(REPORT_NAME)) != 0)
		return false;
	name += sizeof(REPORT_NAME);
	if (*name < '0' || *name > '9')
		return false;
	errno = 0;
	*pid = strtol(name, &end, 10);
	if (errno || *pid <= 0)
		return false;
	*marker = strcmp(end, MT_RUN_SUFFIX) == 0;
	return *marker || !*end;
}

/* Whether the marker's process still holds its lock; its program into *exe. */
static int read_marker(const char *path, bool *running, char **exe)
{
	char buf[4096];
	struct flock lk;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	*running = false;
	*exe = NULL;
	if (fd < 0)
		return 0; /* gone: the process exited meanwhile */
	memset(&lk, 0, sizeof(lk));
	lk.l_type = F_WRLCK;
	lk.l_whence = SEEK_SET;
	*running = fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (!(*exe = strdup(buf)))
		return perfdb_error__set(PERFDB_ENOMEM, "out of memory");
	return 0;
}

/* Which of two processes with figures is reported as the largest, and the
 * order of the list: peak heap, largest first, then pid. */
static int by_peak(const perfdb_memtrack_process *a, const perfdb_memtrack_process *b)
{
	if (a->state != b->state)
		return a->state < b->state ? -1 : 1; /* exited, running, no report */
	if (a->peak_heap != b->peak_heap)
		return a->peak_heap > b->peak_heap ? -1 : 1;
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int proc_cmp(const void *x, const void *y)
{
	return by_peak(&((const run_proc *)x)->p, &((const run_proc *)y)->p);
}

/* A report: its figures into pr, and the snapshot kept in r when it is the
 * one reported (want, or the largest so far). */
static int take_report(perfdb_memtrack_result *r, run_proc *pr, const char *path, long want,
		       bool largest, long *best)
{
	perfdb_memtrack_snapshot *s;
	const perfdb_memtrack_summary *m;
	int err = perfdb_memtrack_snapshot_load(&s, path);
	if (err == PERFDB_ENOMEM)
		return err;
	if (err) {
		/* cut short (killed while writing it): no figures */
		if (!largest && pr->p.pid == want)
			snprintf(r->report_error, sizeof(r->report_error), "%s",
				 perfdb_error_last()->message);
		return 0;
	}
	m = perfdb_memtrack_snapshot_summary(s);
	free(pr->exe);
	if (!(pr->exe = strdup(m->exe))) {
		perfdb_memtrack_snapshot_free(s);
		return perfdb_error__set(PERFDB_ENOMEM, "out of memory");
	}
	pr->has_report = true;
	pr->p.state = PERFDB_MEMTRACK_PROCESS_EXITED;
	pr->p.peak_heap = m->peak_heap;
	pr->p.peak_rss = m->peak_rss;
	pr->p.allocs = m->allocs;
	pr->p.leaked = m->heap;
	if (largest ? !r->snap || by_peak(&pr->p, &proc_for(r, *best)->p) < 0 : pr->p.pid == want) {
		perfdb_memtrack_snapshot_free(r->snap);
		r->snap = s;
		*best = pr->p.pid;
	} else {
		perfdb_memtrack_snapshot_free(s);
	}
	return 0;
}

/* Reads every report and marker in dir into r. */
static int collect(perfdb_memtrack_result *r, const char *dir, long want, bool largest)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long best = 0;
	size_t i;
	int err = 0;
	if (!d)
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", dir, strerror(errno));
	/* Reports first, so that a marker's state is decided knowing them. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		rewinddir(d);
		while (!err && (e = readdir(d))) {
			char path[4096 + 300];
			long pid;
			bool marker;
			run_proc *pr;
			if (!parse_name(e->d_name, &pid, &marker) || marker != (pass == 1))
				continue;
			if (!(pr = proc_for(r, pid))) {
				err = perfdb_error__set(PERFDB_ENOMEM, "out of memory");
				break;
			}
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (!marker) {
				err = take_report(r, pr, path, want, largest, &best);
				continue;
			}
			pr->has_marker = true;
			if (!pr->has_report) {
				bool running;
				char *exe;
				if ((err = read_marker(path, &running, &exe)))
					break;
				free(pr->exe);
				pr->exe = exe;
				pr->p.state = running ? PERFDB_MEMTRACK_PROCESS_RUNNING
						      : PERFDB_MEMTRACK_PROCESS_NO_REPORT;
			}
		}
	}
	closedir(d);
	if (err)
		return err;
	/* A report that did not parse and no marker: no figures either. */
	for (i = 0; i < r->nprocs; i++) {
		run_proc *pr = &r->procs[i];
		if (!pr->has_report && !pr->has_marker)
			pr->p.state = PERFDB_MEMTRACK_PROCESS_NO_REPORT;
		if (pr->p.state == PERFDB_MEMTRACK_PROCESS_RUNNING)
			r->outcome.running++;
	}
	if (r->nprocs > 1)
		qsort(r->procs, r->nprocs, sizeof(*r->procs), proc_cmp);
	for (i = 0; i < r->nprocs; i++) {
		run_proc *pr = &r->procs[i];
		pr->p.exe = pr->exe ? pr->exe : "";
		pr->p.reported =
		    r->snap && pr->p.pid == perfdb_memtrack_snapshot_summary(r->snap)->pid;
	}
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

/* ---- the run ---------------------------------------------------------------------- */

static int check_options(const perfdb_memtrack_run_options *o)
{
	if (o->version != PERFDB_MEMTRACK_RUN_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_run: options version %u, expected %u",
					 o->version, PERFDB_MEMTRACK_RUN_OPTIONS_VERSION);
	if (o->depth > MT_MAX_DEPTH)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_run: depth %u, expected 1 to %d",
					 o->depth, MT_MAX_DEPTH);
	if ((unsigned)o->unwind > PERFDB_MEMTRACK_UNWIND_DWARF ||
	    (unsigned)o->process > PERFDB_MEMTRACK_PROCESS_LARGEST)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_run: unknown unwind or process value");
	return 0;
}

/* Runs argv with env (the tracker's protocol) and fills r->outcome. */
static int spawn(perfdb_memtrack_result *r, const char *const *argv, const char *const *env,
		 unsigned flags, perfdb_command_sample *run)
{
	perfdb_command *cmd = NULL;
	int err = perfdb_command_new_env(&cmd, argv, env, flags | PERFDB_COMMAND_NO_RSS_FLOOR);
	if (err == 0)
		err = perfdb_command_exec(run, cmd);
	perfdb_command_free(cmd);
	if (err)
		return err;
	r->outcome.pid = (long)run->pid;
	r->outcome.exit_code = run->exit_code;
	r->outcome.signal = run->signal;
	return 0;
}

int perfdb_memtrack_run(perfdb_memtrack_result **out, const char *const *argv,
			const perfdb_memtrack_run_options *opts)
{
	static const perfdb_memtrack_run_options defaults = PERFDB_MEMTRACK_RUN_OPTIONS_INIT;
	const perfdb_memtrack_run_options *o = opts ? opts : &defaults;
	char lib[4096], dir[4096], preload[8300], outvar[4400], sample[64], depth[64];
	const char *env[7], *old = getenv("LD_PRELOAD"), *tmp;
	perfdb_memtrack_result *r;
	perfdb_command_sample run;
	size_t n = 0;
	int err;

	if (!out || !argv || !argv[0])
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memtrack_run: no command");
	*out = NULL;
	if ((err = check_options(o)) || (err = find_tracker(lib, sizeof(lib), o->tracker)))
		return err;
	tmp = o->scratch_dir ? o->scratch_dir : getenv("TMPDIR");
	if ((size_t)snprintf(dir, sizeof(dir), "%s/perfdb-memtrack.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(dir))
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_run: scratch path too long");
	if (!mkdtemp(dir))
		return perfdb_error__set(PERFDB_EIO,
					 "cannot create a scratch directory in '%s': %s",
					 tmp && *tmp ? tmp : "/tmp", strerror(errno));
	if (!(r = calloc(1, sizeof(*r)))) {
		rmdir(dir);
		return perfdb_error__set(PERFDB_ENOMEM, "out of memory");
	}
	r->outcome.report_error = r->report_error;

	/* The tracker goes first; a preload already set stays behind it. */
	if (old && *old)
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s:%s", lib, old);
	else
		snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", lib);
	env[n++] = preload;
	snprintf(outvar, sizeof(outvar), MT_ENV_OUT "=%s/" REPORT_NAME, dir);
	env[n++] = outvar;
	snprintf(sample, sizeof(sample), MT_ENV_SAMPLE "=%llu", (unsigned long long)o->sample);
	env[n++] = sample;
	if (o->depth) {
		snprintf(depth, sizeof(depth), MT_ENV_DEPTH "=%u", o->depth);
		env[n++] = depth;
	}
	if (o->unwind != PERFDB_MEMTRACK_UNWIND_DEFAULT)
		env[n++] = o->unwind == PERFDB_MEMTRACK_UNWIND_DWARF ? MT_ENV_UNWIND "=dwarf"
								     : MT_ENV_UNWIND "=fp";
	env[n++] = MT_ENV_MARK "=1";
	env[n] = NULL;

	memset(&run, 0, sizeof(run));
	err = spawn(r, argv, env, o->command_flags, &run);
	if (!err)
		err =
		    collect(r, dir, r->outcome.pid, o->process == PERFDB_MEMTRACK_PROCESS_LARGEST);
	remove_dir(dir);
	if (err) {
		perfdb_memtrack_result_free(r);
		return err;
	}
	/* The tracker's high-water mark and the kernel's rusage agree for the
	 * command's own process; the larger wins in case the program reset its
	 * mark. (rusage says nothing of another process.) */
	if (r->snap && r->snap->sum.pid == r->outcome.pid &&
	    run.max_rss > (double)r->snap->sum.peak_rss)
		r->snap->sum.peak_rss = (uint64_t)run.max_rss;
	for (size_t i = 0; r->snap && i < r->nprocs; i++)
		if (r->procs[i].p.reported)
			r->procs[i].p.peak_rss = r->snap->sum.peak_rss;
	*out = r;
	return 0;
}

void perfdb_memtrack_result_free(perfdb_memtrack_result *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nprocs; i++)
		free(r->procs[i].exe);
	free(r->procs);
	perfdb_memtrack_snapshot_free(r->snap);
	free(r);
}

perfdb_memtrack_snapshot *perfdb_memtrack_result_snapshot(perfdb_memtrack_result *r)
{
	return r ? r->snap : NULL;
}

const perfdb_memtrack_outcome *perfdb_memtrack_result_outcome(const perfdb_memtrack_result *r)
{
	return r ? &r->outcome : NULL;
}

size_t perfdb_memtrack_result_process_count(const perfdb_memtrack_result *r)
{
	return r ? r->nprocs : 0;
}

const perfdb_memtrack_process *perfdb_memtrack_result_process(const perfdb_memtrack_result *r,
							      size_t i)
{
	return r && i < r->nprocs ? &r->procs[i].p : NULL;
}

int perfdb_memtrack_result_export(perfdb_resultset **out, const perfdb_memtrack_result *r,
				  const char *name)
{
	perfdb_resultset *rs = NULL;
	int err;
	if (!out || !r || !r->snap)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_result_export: no report to export");
	*out = NULL;
	if ((err = perfdb_resultset_new(&rs)) ||
	    (err = perfdb_memtrack_export(rs, r->snap, name)) ||
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, "memtrack")) ||
	    (r->snap->sum.sampled && (err = perfdb_resultset_set_tag(rs, "memtrack", "sampled")))) {
		perfdb_resultset_free(rs);
		return err;
	}
	*out = rs;
	return 0;
}
