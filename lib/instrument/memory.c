/*
 * Process memory (RSS, peaks, blocks) and the reader side of the allocation
 * tracker: control through dlsym, report parsing, ranking, symbolization,
 * comparison and export. No SQLite here: instrument/ stands alone.
 */
#include "perfdb/memory.h"

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

/* ---- process memory ---------------------------------------------------------- */

/* statm is re-read through one open descriptor (pread regenerates it), which
 * saves the open and close; the pid check reopens it in a forked child, whose
 * /proc/self is another file. */
static pthread_mutex_t statm_lock = PTHREAD_MUTEX_INITIALIZER;
static int statm_fd = -1;
static pid_t statm_pid;

int perfdb_memory_rss(uint64_t *out)
{
	char buf[128];
	ssize_t n;
	unsigned long long size, resident;
	pid_t pid = getpid();
	long page = sysconf(_SC_PAGESIZE);

	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_rss: out is NULL");
	pthread_mutex_lock(&statm_lock);
	if (statm_fd < 0 || statm_pid != pid) {
		if (statm_fd >= 0)
			close(statm_fd);
		statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
		statm_pid = pid;
	}
	n = statm_fd >= 0 ? pread(statm_fd, buf, sizeof(buf) - 1, 0) : -1;
	pthread_mutex_unlock(&statm_lock);
	if (n <= 0)
		return perfdb_error__set(PERFDB_EIO, "cannot read '/proc/self/statm': %s",
					 n < 0 ? strerror(errno) : "empty");
	buf[n] = 0;
	if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
		return perfdb_error__set(PERFDB_EIO, "cannot parse '/proc/self/statm'");
	*out = (uint64_t)resident * (uint64_t)page;
	return 0;
}

static uint64_t read_hwm(void);

int perfdb_memory_peak_rss(uint64_t *out)
{
	struct rusage ru;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_peak_rss: out is NULL");
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return perfdb_error__set(PERFDB_EIO, "getrusage: %s", strerror(errno));
	*out = (uint64_t)ru.ru_maxrss * 1024u; /* KiB on Linux */
	/* The kernel's RSS counters are per-CPU and summed lazily: right after a
	 * burst, ru_maxrss can trail VmHWM or the current RSS. All three are
	 * readings of the same peak; the largest is the freshest. */
	{
		uint64_t hwm = read_hwm(), now = 0;
		if (hwm > *out)
			*out = hwm;
		if (perfdb_memory_rss(&now) == 0 && now > *out)
			*out = now;
	}
	return 0;
}

/* VmHWM from /proc/self/status in bytes; 0 when unreadable. */
static uint64_t read_hwm(void)
{
	char buf[4096];
	ssize_t n;
	char *p;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "VmHWM:");
	return p ? strtoull(p + 6, NULL, 10) * 1024u : 0;
}

/* Open peak blocks: a reset of the high-water mark destroys what the mark
 * held, so each reset first folds it into every open block. */
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static perfdb_memory_block *open_blocks;

static void fold_hwm_locked(uint64_t hwm)
{
	perfdb_memory_block *b;
	for (b = open_blocks; b; b = b->next_)
		if (hwm > b->carried_)
			b->carried_ = hwm;
}

static int reset_hwm(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	n = write(fd, "5", 1);
	close(fd);
	return n == 1 ? 0 : -1;
}

int perfdb_memory_begin(perfdb_memory_block *b, unsigned flags)
{
	int rc;
	if (!b)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_begin: block is NULL");
	memset(b, 0, sizeof(*b));
	b->flags = flags;
	if ((rc = perfdb_memory_rss(&b->rss_begin)) != 0)
		return rc;
	if (flags & PERFDB_MEMORY_PEAK) {
		pthread_mutex_lock(&blocks_lock);
		fold_hwm_locked(read_hwm());
		if (reset_hwm() == 0) {
			b->peak_available = true;
			b->next_ = open_blocks;
			open_blocks = b;
		}
		pthread_mutex_unlock(&blocks_lock);
	}
	b->active_ = true;
	return 0;
}

int perfdb_memory_end(perfdb_memory_block *b)
{
	int rc;
	if (!b || !b->active_)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_end: block not begun");
	b->active_ = false;
	rc = perfdb_memory_rss(&b->rss_end);
	if (b->peak_available) {
		perfdb_memory_block **pp;
		uint64_t hwm;
		pthread_mutex_lock(&blocks_lock);
		hwm = read_hwm();
		for (pp = &open_blocks; *pp; pp = &(*pp)->next_)
			if (*pp == b) {
				*pp = b->next_;
				break;
			}
		pthread_mutex_unlock(&blocks_lock);
		if (hwm == 0) {
			b->peak_available = false;
		} else {
			b->peak_rss = hwm > b->carried_ ? hwm : b->carried_;
			if (rc == 0 && b->rss_end > b->peak_rss)
				b->peak_rss = b->rss_end;
			b->peak_delta = (int64_t)b->peak_rss - (int64_t)b->rss_begin;
		}
	}
	if (rc != 0)
		return rc;
	b->rss_delta = (int64_t)b->rss_end - (int64_t)b->rss_begin;
	return 0;
}

void perfdb_memory_scope_end_(perfdb_memory_block *b)
{
	if (b && b->active_)
		perfdb_memory_end(b);
}

static int add_metric(perfdb_resultset *rs, const char *name, const char *metric, const char *unit,
		      double value)
{
	perfdb_result r;
	perfdb_result_init(&r);
	r.benchmark = name;
	r.metric = metric;
	r.unit = unit;
	r.direction = PERFDB_LOWER_IS_BETTER;
	r.value = value;
	r.n = 1;
	return perfdb_resultset_add(rs, &r);
}

int perfdb_memory_export(perfdb_resultset *rs, const char *name, const perfdb_memory_block *b)
{
	int rc;
	if (!rs || !name || !*name || !b)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_export: NULL argument");
	if (b->active_)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memory_export: block '%s' not ended", name);
	if ((rc = add_metric(rs, name, "rss_delta", "B", (double)b->rss_delta)) != 0)
		return rc;
	if (b->peak_available)
		rc = add_metric(rs, name, "peak_rss", "B", (double)b->peak_rss);
	return rc;
}

/* ---- tracker control ------------------------------------------------------------ */
static void *tracker_sym(const char *name)
{
	int (*abi)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, MT_SYM_ABI);
	if (!abi || abi() != MT_FORMAT_VERSION)
		return NULL;
	return dlsym(RTLD_DEFAULT, name);
}

static int not_loaded(void)
{
	return perfdb_error__set(
	    PERFDB_ENOTFOUND, "the allocation tracker is not loaded (run under 'perfdb memtrack' "
			      "or LD_PRELOAD=libperfdb_memtrack.so)");
}

bool perfdb_memtrack_available(void)
{
	return tracker_sym(MT_SYM_WRITE) != NULL;
}

int perfdb_memtrack_enable(bool on)
{
	void (*fn)(int) = (void (*)(int))tracker_sym(MT_SYM_ENABLE);
	if (!fn)
		return not_loaded();
	fn(on ? 1 : 0);
	return 0;
}

int perfdb_memtrack_reset_peak(void)
{
	void (*fn)(void) = (void (*)(void))tracker_sym(MT_SYM_RESET_PEAK);
	if (!fn)
		return not_loaded();
	fn();
	return 0;
}

/* ---- snapshots --------------------------------------------------------------------- */
struct perfdb_memtrack_snapshot {
	perfdb_memtrack_summary sum;
	char *exe;
	char unwind[8];
	perfdb_memtrack_site *sites;
	size_t nsites, cap;
	perfdb_memtrack_frame *frames; /* all sites' frames, in order */
	size_t nframes, fcap;
	char **strings; /* every string the frames point to */
	size_t nstrings, scap;
};

void perfdb_memtrack_snapshot_free(perfdb_memtrack_snapshot *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	free(s->sites);
	free(s->frames);
	free(s->exe);
	free(s);
}

static const char *keep_string(perfdb_memtrack_snapshot *s, const char *text)
{
	char *copy;
	if (!*text)
		return "";
	/* Modules repeat: reuse the last few copies. */
	for (size_t i = s->nstrings, k = 0; i > 0 && k < 8; i--, k++)
		if (strcmp(s->strings[i - 1], text) == 0)
			return s->strings[i - 1];
	if (s->nstrings == s->scap) {
		size_t cap = s->scap ? s->scap * 2 : 64;
		char **p = realloc(s->strings, cap * sizeof(*p));
		if (!p)
			return NULL;
		s->strings = p;
		s->scap = cap;
	}
	copy = strdup(text);
	if (!copy)
		return NULL;
	s->strings[s->nstrings++] = copy;
	return copy;
}

static int parse_i64(const char *text, int64_t *out)
{
	char *end;
	long long v;
	errno = 0;
	v = strtoll(text, &end, 0);
	if (errno || end == text || (*end && *end != '\n'))
		return -1;
	*out = v;
	return 0;
}

static int parse_u64(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	errno = 0;
	if (*text == '-')
		return -1;
	v = strtoull(text, &end, 0);
	if (errno || end == text || (*end && *end != '\n'))
		return -1;
	*out = v;
	return 0;
}

static int parse_frame(perfdb_memtrack_snapshot *s, char *line, perfdb_memtrack_frame *f)
{
	char *fields[5];
	int n = 0;
	char *p = line, *tab;
	while (n < 5) {
		fields[n++] = p;
		tab = strchr(p, '\t');
		if (!tab)
			break;
		*tab = 0;
		p = tab + 1;
	}
	if (n != 5 || strcmp(fields[0], "frame") != 0)
		return -1;
	memset(f, 0, sizeof(*f));
	if (parse_u64(fields[1], &f->address) || parse_u64(fields[2], &f->offset))
		return -1;
	f->module = keep_string(s, fields[3]);
	f->function = keep_string(s, fields[4]);
	f->file = "";
	f->inlined_into = "";
	f->call_file = "";
	if (!f->module || !f->function)
		return -2;
	return 0;
}

static int snapshot_parse(perfdb_memtrack_snapshot **out, FILE *in, const char *name)
{
	perfdb_memtrack_snapshot *s = calloc(1, sizeof(*s));
	char *line = NULL;
	size_t cap = 0, want_frames = 0;
	ssize_t len;
	int lineno = 0, rc = 0, ended = 0;
	size_t i, k;

	if (!s)
		return perfdb_error__oom();
	s->exe = strdup("");
	if (!s->exe) {
		free(s);
		return perfdb_error__oom();
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		char *key = line, *val;
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = 0;
		if (ended) {
			rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, 1, NULL,
						 "text after 'end'");
			goto out;
		}
		if (want_frames) {
			perfdb_memtrack_frame *f;
			int r;
			if (s->nframes == s->fcap) {
				size_t nc = s->fcap ? s->fcap * 2 : 256;
				f = realloc(s->frames, nc * sizeof(*f));
				if (!f) {
					rc = perfdb_error__oom();
					goto out;
				}
				s->frames = f;
				s->fcap = nc;
			}
			r = parse_frame(s, line, &s->frames[s->nframes]);
			if (r == -2) {
				rc = perfdb_error__oom();
				goto out;
			}
			if (r) {
				rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, 1, "frame",
							 "malformed frame line");
				goto out;
			}
			s->nframes++;
			want_frames--;
			continue;
		}
		if (lineno == 1) {
			char magic[32];
			int version;
			if (sscanf(line, "%31s %d", magic, &version) != 2 ||
			    strcmp(magic, MT_FORMAT_MAGIC) != 0) {
				rc = perfdb_error__input(PERFDB_EFORMAT, name, 1, 1, NULL,
							 "not a perfdb-memtrack report");
				goto out;
			}
			if (version != MT_FORMAT_VERSION) {
				rc = perfdb_error__input(PERFDB_EFORMAT, name, 1, 1, NULL,
							 "report version %d, this perfdb reads %d",
							 version, MT_FORMAT_VERSION);
				goto out;
			}
			continue;
		}
		if (strcmp(line, "end") == 0) {
			ended = 1;
			continue;
		}
		val = strchr(line, ' ');
		if (!val) {
			rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, 1, NULL,
						 "expected 'key value'");
			goto out;
		}
		*val++ = 0;
		if (strcmp(key, "site") == 0) {
			perfdb_memtrack_site *st;
			long long v[6];
			int used = 0;
			if (sscanf(val, "%lld %lld %lld %lld %lld %lld%n", &v[0], &v[1], &v[2],
				   &v[3], &v[4], &v[5], &used) != 6 ||
			    val[used] || v[0] < 0 || v[5] < 0 || v[5] > 1024) {
				rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, 6, "site",
							 "malformed site line");
				goto out;
			}
			if (s->nsites == s->cap) {
				size_t nc = s->cap ? s->cap * 2 : 64;
				st = realloc(s->sites, nc * sizeof(*st));
				if (!st) {
					rc = perfdb_error__oom();
					goto out;
				}
				s->sites = st;
				s->cap = nc;
			}
			st = &s->sites[s->nsites++];
			memset(st, 0, sizeof(*st));
			st->id = (uint64_t)v[0];
			st->live_bytes = v[1];
			st->live_count = v[2];
			st->total_bytes = v[3];
			st->total_count = v[4];
			st->nframes = (size_t)v[5];
			/* frames is an index until the end, when the array stops moving */
			st->frames = (const perfdb_memtrack_frame *)(uintptr_t)s->nframes;
			want_frames = (size_t)v[5];
			continue;
		}
#define FIELD_I64(k_, dst_)                                                                        \
	if (strcmp(key, k_) == 0) {                                                                \
		if (parse_i64(val, &(dst_)))                                                       \
			goto bad_value;                                                            \
		continue;                                                                          \
	}
#define FIELD_U64(k_, dst_)                                                                        \
	if (strcmp(key, k_) == 0) {                                                                \
		if (parse_u64(val, &(dst_)))                                                       \
			goto bad_value;                                                            \
		continue;                                                                          \
	}
		{
			int64_t pid = 0;
			uint64_t depth = 0;
			if (strcmp(key, "pid") == 0) {
				if (parse_i64(val, &pid))
					goto bad_value;
				s->sum.pid = (long)pid;
				continue;
			}
			if (strcmp(key, "depth") == 0) {
				if (parse_u64(val, &depth))
					goto bad_value;
				s->sum.depth = (unsigned)depth;
				continue;
			}
		}
		if (strcmp(key, "exe") == 0) {
			char *e = strdup(val);
			if (!e) {
				rc = perfdb_error__oom();
				goto out;
			}
			free(s->exe);
			s->exe = e;
			continue;
		}
		if (strcmp(key, "mode") == 0) {
			if (strcmp(val, "full") && strcmp(val, "sample"))
				goto bad_value;
			s->sum.sampled = strcmp(val, "sample") == 0;
			continue;
		}
		if (strcmp(key, "unwind") == 0) {
			if (strlen(val) >= sizeof(s->unwind))
				goto bad_value;
			memcpy(s->unwind, val, strlen(val) + 1);
			continue;
		}
		FIELD_U64("sample_interval", s->sum.sample_interval)
		FIELD_U64("elapsed_ns", s->sum.elapsed_ns)
		FIELD_I64("heap", s->sum.heap)
		FIELD_I64("live", s->sum.live)
		FIELD_I64("peak_heap", s->sum.peak_heap)
		FIELD_U64("peak_time_ns", s->sum.peak_time_ns)
		FIELD_I64("allocs", s->sum.allocs)
		FIELD_I64("frees", s->sum.frees)
		FIELD_I64("alloc_bytes", s->sum.alloc_bytes)
		FIELD_U64("rss", s->sum.rss)
		FIELD_U64("peak_rss", s->sum.peak_rss)
		FIELD_U64("sites_dropped", s->sum.sites_dropped)
#undef FIELD_I64
#undef FIELD_U64
		continue; /* unknown keys: newer trackers may add some */
	bad_value:
		rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, (int)(val - line) + 1, key,
					 "bad value '%s'", val);
		goto out;
	}
	if (lineno == 0) {
		rc = perfdb_error__input(PERFDB_EINPUT, name, 0, 0, NULL, "empty report");
		goto out;
	}
	if (!ended || want_frames) {
		rc = perfdb_error__input(PERFDB_EINPUT, name, lineno, 0, NULL,
					 "truncated report (no 'end' line): the process died "
					 "while writing it");
		goto out;
	}
	for (i = 0, k = 0; i < s->nsites; i++) {
		size_t at = (size_t)(uintptr_t)s->sites[i].frames;
		s->sites[i].frames = s->sites[i].nframes ? &s->frames[at] : NULL;
		k += s->sites[i].nframes;
	}
	(void)k;
	s->sum.exe = s->exe;
	s->sum.unwind = s->unwind;
out:
	free(line);
	if (rc) {
		perfdb_memtrack_snapshot_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int perfdb_memtrack_snapshot_load(perfdb_memtrack_snapshot **out, const char *path)
{
	FILE *f;
	int rc;
	if (!out || !path)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_snapshot_load: NULL argument");
	f = fopen(path, "r");
	if (!f)
		return perfdb_error__set(errno == ENOENT ? PERFDB_ENOTFOUND : PERFDB_EIO,
					 "cannot open '%s': %s", path, strerror(errno));
	rc = snapshot_parse(out, f, path);
	fclose(f);
	return rc;
}

int perfdb_memtrack_snapshot_take(perfdb_memtrack_snapshot **out)
{
	int (*write_fn)(int) = (int (*)(int))tracker_sym(MT_SYM_WRITE);
	int fd;
	FILE *f;
	int rc;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_snapshot_take: out is NULL");
	if (!write_fn)
		return not_loaded();
	fd = memfd_create("perfdb-memtrack", MFD_CLOEXEC);
	if (fd < 0)
		return perfdb_error__set(PERFDB_EIO, "memfd_create: %s", strerror(errno));
	if (write_fn(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return perfdb_error__set(PERFDB_EIO, "the tracker could not write a snapshot");
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return perfdb_error__oom();
	}
	rc = snapshot_parse(out, f, "(snapshot)");
	fclose(f);
	return rc;
}

const perfdb_memtrack_summary *perfdb_memtrack_snapshot_summary(const perfdb_memtrack_snapshot *s)
{
	return s ? &s->sum : NULL;
}

size_t perfdb_memtrack_snapshot_site_count(const perfdb_memtrack_snapshot *s)
{
	return s ? s->nsites : 0;
}

const perfdb_memtrack_site *perfdb_memtrack_snapshot_site(const perfdb_memtrack_snapshot *s,
							  size_t i)
{
	return s && i < s->nsites ? &s->sites[i] : NULL;
}

/* ---- ranking ------------------------------------------------------------------------ */
static int64_t site_figure(const perfdb_memtrack_site *st, perfdb_memtrack_order order)
{
	switch (order) {
	case PERFDB_MEMTRACK_BY_TOTAL_COUNT: return st->total_count;
	case PERFDB_MEMTRACK_BY_LIVE_BYTES: return st->live_bytes;
	case PERFDB_MEMTRACK_BY_LIVE_COUNT: return st->live_count;
	default: return st->total_bytes;
	}
}

int perfdb_memtrack_snapshot_top(size_t *out, size_t *count, const perfdb_memtrack_snapshot *s,
				 perfdb_memtrack_order order, size_t max)
{
	size_t i, n = 0;
	if (!out || !count || !s || order > PERFDB_MEMTRACK_BY_LIVE_COUNT)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_snapshot_top: bad argument");
	/* Insertion into a sorted window of max: max is small (a --top N). */
	for (i = 0; i < s->nsites; i++) {
		int64_t v = site_figure(&s->sites[i], order);
		size_t at;
		if (v <= 0)
			continue;
		for (at = n; at > 0; at--) {
			const perfdb_memtrack_site *o = &s->sites[out[at - 1]];
			int64_t ov = site_figure(o, order);
			if (ov > v || (ov == v && o->id < s->sites[i].id))
				break;
		}
		if (at >= max)
			continue;
		if (n < max)
			n++;
		memmove(&out[at + 1], &out[at], (n - 1 - at) * sizeof(*out));
		out[at] = i;
	}
	*count = n;
	return 0;
}

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
			const char *fn = keep_string(c->s, line);
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
	f->file = keep_string(c->s, line);
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
			name = keep_string(c->s, full);
			free(full);
		} else {
			name = keep_string(c->s, line);
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
		if (!(name = keep_string(s, fn[i].name))) {
			rc = perfdb_error__oom();
			break;
		}
		/* Inlined code: the function it was inlined into is the
		 * enclosing entry's, else what the symbol table named. */
		if (fn[i].inlined) {
			const char *into =
			    fn[i].caller ? keep_string(s, fn[i].caller) : frames[i]->function;
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
				frames[i]->call_file = keep_string(s, file);
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
		if (!(f->function = keep_string(s, buf))) {
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
		frames[i]->function = keep_string(s, names[i]);
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
			frames[i]->file = keep_string(s, locs[i].file);
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

/* ---- coalescing --------------------------------------------------------------------- */
/* A frame's identity in the source: with a line, (function, file, line);
 * without, (module, offset). */
static int frame_source_cmp(const perfdb_memtrack_frame *a, const perfdb_memtrack_frame *b)
{
	int c;
	if (!a->line != !b->line)
		return a->line ? -1 : 1;
	if (!a->line) {
		if ((c = strcmp(a->module, b->module)))
			return c;
		return a->offset < b->offset ? -1 : a->offset > b->offset;
	}
	if ((c = strcmp(a->function, b->function)) || (c = strcmp(a->file, b->file)))
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int site_source_cmp(const void *x, const void *y)
{
	const perfdb_memtrack_site *a = *(perfdb_memtrack_site *const *)x;
	const perfdb_memtrack_site *b = *(perfdb_memtrack_site *const *)y;
	size_t i;
	if (a->nframes != b->nframes)
		return a->nframes < b->nframes ? -1 : 1;
	for (i = 0; i < a->nframes; i++) {
		int c = frame_source_cmp(&a->frames[i], &b->frames[i]);
		if (c)
			return c;
	}
	return a->id < b->id ? -1 : a->id > b->id; /* equal stacks: by id */
}

static bool same_source(const perfdb_memtrack_site *a, const perfdb_memtrack_site *b)
{
	size_t i;
	if (a->nframes != b->nframes || a->nframes == 0)
		return false;
	for (i = 0; i < a->nframes; i++)
		if (frame_source_cmp(&a->frames[i], &b->frames[i]) != 0)
			return false;
	return true;
}

int perfdb_memtrack_snapshot_coalesce(perfdb_memtrack_snapshot *s)
{
	perfdb_memtrack_site **order, *out;
	size_t i, n = 0;
	if (!s)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memtrack_snapshot_coalesce: NULL");
	if (s->nsites < 2)
		return 0;
	order = malloc(s->nsites * sizeof(*order));
	out = malloc(s->nsites * sizeof(*out));
	if (!order || !out) {
		free(order);
		free(out);
		return perfdb_error__oom();
	}
	for (i = 0; i < s->nsites; i++)
		order[i] = &s->sites[i];
	qsort(order, s->nsites, sizeof(*order), site_source_cmp);
	for (i = 0; i < s->nsites; i++) {
		const perfdb_memtrack_site *st = order[i];
		if (n > 0 && same_source(&out[n - 1], st)) {
			out[n - 1].live_bytes += st->live_bytes;
			out[n - 1].live_count += st->live_count;
			out[n - 1].total_bytes += st->total_bytes;
			out[n - 1].total_count += st->total_count;
			continue;
		}
		out[n++] = *st; /* the lowest id of equal stacks comes first */
	}
	free(order);
	free(s->sites);
	s->sites = out;
	s->cap = s->nsites; /* what out holds */
	s->nsites = n;
	return 0;
}

/* ---- comparison -------------------------------------------------------------------- */
struct perfdb_memtrack_diff {
	perfdb_memtrack_site_diff *items;
	size_t n;
};

static int frame_cmp(const perfdb_memtrack_site *a, const perfdb_memtrack_site *b)
{
	size_t i;
	if (a->nframes != b->nframes)
		return a->nframes < b->nframes ? -1 : 1;
	if (a->nframes == 0) /* the overflow pseudo-site */
		return a->id < b->id ? -1 : a->id > b->id;
	for (i = 0; i < a->nframes; i++) {
		int c;
		if (a->frames[i].offset != b->frames[i].offset)
			return a->frames[i].offset < b->frames[i].offset ? -1 : 1;
		c = strcmp(a->frames[i].module, b->frames[i].module);
		if (c)
			return c;
	}
	return 0;
}

static int site_ptr_cmp(const void *x, const void *y)
{
	return frame_cmp(*(const perfdb_memtrack_site *const *)x,
			 *(const perfdb_memtrack_site *const *)y);
}

static int diff_cmp(const void *x, const void *y)
{
	const perfdb_memtrack_site_diff *a = x, *b = y;
	if (a->live_bytes_diff != b->live_bytes_diff)
		return a->live_bytes_diff > b->live_bytes_diff ? -1 : 1;
	if (a->total_bytes_diff != b->total_bytes_diff)
		return a->total_bytes_diff > b->total_bytes_diff ? -1 : 1;
	return a->site->id < b->site->id ? -1 : a->site->id > b->site->id;
}

int perfdb_memtrack_compare(perfdb_memtrack_diff **out, const perfdb_memtrack_snapshot *older,
			    const perfdb_memtrack_snapshot *newer)
{
	const perfdb_memtrack_site **sorted = NULL;
	char *matched = NULL;
	perfdb_memtrack_diff *d;
	size_t i, n = 0;

	if (!out || !older || !newer)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memtrack_compare: NULL argument");
	d = calloc(1, sizeof(*d));
	if (!d)
		return perfdb_error__oom();
	d->items = calloc(older->nsites + newer->nsites + 1, sizeof(*d->items));
	sorted = calloc(older->nsites + 1, sizeof(*sorted));
	matched = calloc(older->nsites + 1, 1);
	if (!d->items || !sorted || !matched) {
		free(sorted);
		free(matched);
		perfdb_memtrack_diff_free(d);
		return perfdb_error__oom();
	}
	for (i = 0; i < older->nsites; i++)
		sorted[i] = &older->sites[i];
	qsort(sorted, older->nsites, sizeof(*sorted), site_ptr_cmp);
	for (i = 0; i < newer->nsites; i++) {
		const perfdb_memtrack_site *ns = &newer->sites[i], *key = ns;
		const perfdb_memtrack_site **hit =
		    bsearch(&key, sorted, older->nsites, sizeof(*sorted), site_ptr_cmp);
		perfdb_memtrack_site_diff *it = &d->items[n++];
		it->site = ns;
		it->live_bytes = ns->live_bytes;
		it->live_bytes_diff = ns->live_bytes;
		it->live_count_diff = ns->live_count;
		it->total_bytes_diff = ns->total_bytes;
		it->total_count_diff = ns->total_count;
		if (hit) {
			const perfdb_memtrack_site *os = *hit;
			matched[hit - sorted] = 1;
			it->live_bytes_diff -= os->live_bytes;
			it->live_count_diff -= os->live_count;
			it->total_bytes_diff -= os->total_bytes;
			it->total_count_diff -= os->total_count;
		}
	}
	for (i = 0; i < older->nsites; i++) {
		perfdb_memtrack_site_diff *it;
		if (matched[i])
			continue;
		it = &d->items[n++];
		it->site = sorted[i];
		it->live_bytes = 0;
		it->live_bytes_diff = -sorted[i]->live_bytes;
		it->live_count_diff = -sorted[i]->live_count;
		it->total_bytes_diff = -sorted[i]->total_bytes;
		it->total_count_diff = -sorted[i]->total_count;
	}
	qsort(d->items, n, sizeof(*d->items), diff_cmp);
	d->n = n;
	free(sorted);
	free(matched);
	*out = d;
	return 0;
}

size_t perfdb_memtrack_diff_count(const perfdb_memtrack_diff *d)
{
	return d ? d->n : 0;
}

const perfdb_memtrack_site_diff *perfdb_memtrack_diff_get(const perfdb_memtrack_diff *d, size_t i)
{
	return d && i < d->n ? &d->items[i] : NULL;
}

void perfdb_memtrack_diff_free(perfdb_memtrack_diff *d)
{
	if (!d)
		return;
	free(d->items);
	free(d);
}

/* ---- export --------------------------------------------------------------------------- */
int perfdb_memtrack_export(perfdb_resultset *rs, const char *name,
			   const perfdb_memtrack_snapshot *s)
{
	int rc;
	if (!rs || !name || !*name || !s)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memtrack_export: NULL argument");
	if ((rc = add_metric(rs, name, "peak_heap", "B", (double)s->sum.peak_heap)) != 0 ||
	    (rc = add_metric(rs, name, "peak_rss", "B", (double)s->sum.peak_rss)) != 0 ||
	    (rc = add_metric(rs, name, "allocations", "", (double)s->sum.allocs)) != 0 ||
	    (rc = add_metric(rs, name, "leaked_bytes", "B", (double)s->sum.heap)) != 0)
		return rc;
	return 0;
}
