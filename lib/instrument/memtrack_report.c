/*
 * The tracker's report (format in memtrack.h). Written at exit and on
 * request, with the reentrancy guard held, so anything libc allocates here
 * goes to the real allocator. Names come from dladdr (exported symbols only);
 * the reader (memory.c) has the time to read symbol tables and DWARF.
 */
#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>

#include "instrument/memtrack.h"

typedef struct writer {
	int fd;
	int failed;
	size_t used;
	char buf[8192];
} writer;

static void w_flush(writer *w)
{
	size_t off = 0;
	while (off < w->used) {
		ssize_t n = write(w->fd, w->buf + off, w->used - off);
		if (n <= 0) {
			w->failed = 1;
			break;
		}
		off += (size_t)n;
	}
	w->used = 0;
}

__attribute__((format(printf, 2, 3))) static void w_printf(writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (sizeof(w->buf) - w->used < 1024)
		w_flush(w);
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->used, sizeof(w->buf) - w->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(w->buf) - w->used) {
		/* Too long for the room left (a very long path): cut it. */
		w->used = sizeof(w->buf) - 1;
		w->buf[w->used++] = '\n';
		return;
	}
	w->used += (size_t)n;
}

/* Module paths and symbols go into tab-separated fields: no tabs, no newlines. */
static void w_field(writer *w, const char *s)
{
	if (sizeof(w->buf) - w->used < 1024)
		w_flush(w);
	for (; s && *s && sizeof(w->buf) - w->used > 2; s++)
		w->buf[w->used++] = (*s == '\t' || *s == '\n' || *s == '\r') ? '?' : *s;
}

/* VmRSS and VmHWM from /proc/self/status, in bytes (0 when unreadable). */
static void read_status(uint64_t *rss, uint64_t *hwm)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char *p;
	*rss = *hwm = 0;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	if ((p = strstr(buf, "VmRSS:")))
		*rss = strtoull(p + 6, NULL, 10) * 1024;
	if ((p = strstr(buf, "VmHWM:")))
		*hwm = strtoull(p + 6, NULL, 10) * 1024;
}

static int64_t scaled_count(int64_t c)
{
	/* Fixed point back to allocations, rounded to nearest. */
	return c >= 0 ? (c + MT_COUNT_ONE / 2) / MT_COUNT_ONE
		      : -((-c + MT_COUNT_ONE / 2) / MT_COUNT_ONE);
}

/* dladdr scans a module's whole dynamic symbol table on every call, and the
 * sites of a program share most of their outer frames (main, the thread
 * start): each report remembers what it found per address. Direct-mapped,
 * static (the writer must not allocate), guarded by mt_report_lock; a
 * generation number empties it per report. */
typedef struct frame_memo {
	uintptr_t addr, off;
	const char *module, *sym;
	unsigned gen;
} frame_memo;
static frame_memo memo[4096];
static unsigned memo_gen;

static void lookup_frame(uintptr_t addr, const char *exe, frame_memo *out)
{
	Dl_info info;
	struct link_map *lm = NULL;
	frame_memo *m = &memo[(addr >> 2) * 0x9E3779B1u % (sizeof(memo) / sizeof(memo[0]))];
	if (m->gen == memo_gen && m->addr == addr) {
		*out = *m;
		return;
	}
	out->addr = addr;
	out->off = addr;
	out->module = "";
	out->sym = "";
	out->gen = memo_gen;
	if (dladdr1((void *)addr, &info, (void **)&lm, RTLD_DL_LINKMAP) && lm) {
		const ElfW(Sym) *es = NULL;
		out->off = addr - (uintptr_t)lm->l_addr;
		out->module = lm->l_name && lm->l_name[0] ? lm->l_name : exe;
		/* dladdr names the nearest exported symbol below addr, which for
		 * a static function is some other function: keep the name only
		 * when its symbol covers addr (the call, one byte before). */
		if (info.dli_sname && dladdr1((void *)addr, &info, (void **)&es, RTLD_DL_SYMENT) &&
		    es && info.dli_sname && addr - 1 - (uintptr_t)info.dli_saddr < es->st_size)
			out->sym = info.dli_sname;
	}
	*m = *out;
}

static void write_frame(writer *w, uintptr_t addr, const char *exe)
{
	frame_memo f;
	lookup_frame(addr, exe, &f);
	w_printf(w, "frame\t%#llx\t%#llx\t", (unsigned long long)addr, (unsigned long long)f.off);
	w_field(w, f.module);
	w_printf(w, "\t");
	w_field(w, f.sym);
	w_printf(w, "\n");
}

pthread_mutex_t mt_report_lock = PTHREAD_MUTEX_INITIALIZER;

int mt_report_write(int fd)
{
	static writer w; /* 8 KiB: not on a possibly small thread stack; writes are serialised */
	char exe[4096];
	ssize_t n;
	uint64_t rss, hwm;
	int64_t heap = 0, live = 0, allocs = 0, bytes = 0, frees;
	uint32_t id, nsites;
	mt_counters c;
	int rc;

	pthread_mutex_lock(&mt_report_lock);
	/* a new generation: what the last report memoized may be stale
	 * (dlclose, dlopen at the same address); 0 is never a valid one */
	if (++memo_gen == 0)
		memo_gen = 1;
	memset(&w, 0, offsetof(writer, buf));
	w.fd = fd;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	read_status(&rss, &hwm);
	nsites = __atomic_load_n(&mt_g.nsites, __ATOMIC_ACQUIRE);
	for (id = MT_SITE_OVERFLOW; id < nsites; id++) {
		mt_site_sum(id, &c);
		heap += c.live_bytes;
		live += c.live_count;
		allocs += c.total_count;
		bytes += c.total_bytes;
	}
	frees = scaled_count(allocs - live);
	w_printf(&w, "%s %d\n", MT_FORMAT_MAGIC, MT_FORMAT_VERSION);
	w_printf(&w, "pid %ld\n", (long)getpid());
	w_printf(&w, "exe ");
	w_field(&w, exe);
	w_printf(&w, "\nmode %s\n", mt_g.sample ? "sample" : "full");
	w_printf(&w, "sample_interval %lld\n", (long long)(mt_g.sample ? mt_g.interval : 0));
	w_printf(&w, "depth %u\n", mt_g.depth);
	w_printf(&w, "unwind %s\n", mt_g.dwarf ? "dwarf" : "fp");
	w_printf(&w, "elapsed_ns %llu\n", (unsigned long long)(mt_now_ns() - mt_g.t0_ns));
	w_printf(&w, "heap %lld\n", (long long)heap);
	w_printf(&w, "live %lld\n", (long long)scaled_count(live));
	w_printf(&w, "peak_heap %lld\n", (long long)__atomic_load_n(&mt_g.peak, __ATOMIC_RELAXED));
	w_printf(&w, "peak_time_ns %llu\n",
		 (unsigned long long)(__atomic_load_n(&mt_g.peak_untimed, __ATOMIC_RELAXED)
					  ? mt_now_ns() - mt_g.t0_ns
					  : __atomic_load_n(&mt_g.peak_time_ns, __ATOMIC_RELAXED)));
	w_printf(&w, "allocs %lld\n", (long long)scaled_count(allocs));
	w_printf(&w, "frees %lld\n", (long long)frees);
	w_printf(&w, "alloc_bytes %lld\n", (long long)bytes);
	w_printf(&w, "rss %llu\n", (unsigned long long)rss);
	w_printf(&w, "peak_rss %llu\n", (unsigned long long)hwm);
	w_printf(&w, "sites_dropped %llu\n",
		 (unsigned long long)__atomic_load_n(&mt_g.dropped, __ATOMIC_RELAXED));
	w_printf(&w, "unwind_fallbacks %llu\n",
		 (unsigned long long)__atomic_load_n(&mt_g.unwind_fallbacks, __ATOMIC_RELAXED));
	if (mt_g.verify)
		w_printf(
		    &w, "unwind_mismatches %llu\n",
		    (unsigned long long)__atomic_load_n(&mt_g.unwind_mismatches, __ATOMIC_RELAXED));
	for (id = MT_SITE_OVERFLOW; id < nsites; id++) {
		const mt_site *s = &mt_g.sites[id];
		uint32_t k;
		mt_site_sum(id, &c);
		if (c.total_count == 0 && c.live_count == 0)
			continue;
		w_printf(&w, "site %u %lld %lld %lld %lld %u\n", id, (long long)c.live_bytes,
			 (long long)scaled_count(c.live_count), (long long)c.total_bytes,
			 (long long)scaled_count(c.total_count),
			 id == MT_SITE_OVERFLOW ? 0 : s->depth);
		if (id == MT_SITE_OVERFLOW)
			continue;
		for (k = 0; k < s->depth; k++)
			write_frame(&w, s->frames[k], exe);
	}
	w_printf(&w, "end\n");
	w_flush(&w);
	rc = w.failed ? -1 : 0;
	pthread_mutex_unlock(&mt_report_lock);
	return rc;
}
