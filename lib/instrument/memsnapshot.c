/*
 * The reader side of the allocation tracker: a report parsed into a
 * snapshot (or taken from the tracker in this process), its sites ranked,
 * and sites that are the same in the source merged.
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

/* ---- snapshots --------------------------------------------------------------------- */

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

const char *perfdb_memory__keep_string(perfdb_memtrack_snapshot *s, const char *text)
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
	f->module = perfdb_memory__keep_string(s, fields[3]);
	f->function = perfdb_memory__keep_string(s, fields[4]);
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

int perfdb_memory__snapshot_parse(perfdb_memtrack_snapshot **out, const char *data, size_t size,
				  const char *name)
{
	static char empty[1];
	FILE *f;
	int rc;
	if (!out || (!data && size))
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memory__snapshot_parse: NULL argument");
	/* "r": the stream only reads, data stays as it is */
	f = fmemopen(size ? (void *)data : empty, size, "r");
	if (!f)
		return perfdb_error__oom();
	rc = snapshot_parse(out, f, name);
	fclose(f);
	return rc;
}

int perfdb_memtrack_snapshot_take(perfdb_memtrack_snapshot **out)
{
	int (*write_fn)(int) = (int (*)(int))perfdb_memory__tracker_sym(MT_SYM_WRITE);
	int (*quiet_enter)(void) = (int (*)(void))perfdb_memory__tracker_sym(MT_SYM_QUIET_ENTER);
	void (*quiet_leave)(int) = (void (*)(int))perfdb_memory__tracker_sym(MT_SYM_QUIET_LEAVE);
	int fd, prev = 0;
	FILE *f;
	int rc;
	if (!out)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memtrack_snapshot_take: out is NULL");
	if (!write_fn)
		return perfdb_memory__not_loaded();
	fd = memfd_create("perfdb-memtrack", MFD_CLOEXEC);
	if (fd < 0)
		return perfdb_error__set(PERFDB_EIO, "memfd_create: %s", strerror(errno));
	if (write_fn(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return perfdb_error__set(PERFDB_EIO, "the tracker could not write a snapshot");
	}
	/* What this thread allocates to read the snapshot is perfdb's, not the
	 * program's: untracked, so the next snapshot does not show it as growth
	 * (its frees, later, are of blocks the tracker never saw, which it
	 * ignores). A tracker without the entry points tracks it. */
	if (quiet_enter && quiet_leave)
		prev = quiet_enter();
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		rc = perfdb_error__oom();
	} else {
		rc = snapshot_parse(out, f, "(snapshot)");
		fclose(f);
	}
	if (quiet_enter && quiet_leave)
		quiet_leave(prev);
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
