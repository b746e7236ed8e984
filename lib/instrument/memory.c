/*
 * Process memory (RSS, peaks, blocks) and control of the allocation tracker
 * through dlsym. Its reports are read in memsnapshot.c, named in
 * memsymbolize.c and compared and exported in memdiff.c. No SQLite here:
 * instrument/ stands alone.
 */
#include "perfdb/memory.h"
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
	for (b = open_blocks; b; b = b->state.next)
		if (hwm > b->state.carried)
			b->state.carried = hwm;
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
			b->state.next = open_blocks;
			open_blocks = b;
		}
		pthread_mutex_unlock(&blocks_lock);
	}
	b->state.active = true;
	return 0;
}

int perfdb_memory_end(perfdb_memory_block *b)
{
	int rc;
	if (!b || !b->state.active)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_end: block not begun");
	b->state.active = false;
	rc = perfdb_memory_rss(&b->rss_end);
	if (b->peak_available) {
		perfdb_memory_block **pp;
		uint64_t hwm;
		pthread_mutex_lock(&blocks_lock);
		hwm = read_hwm();
		for (pp = &open_blocks; *pp; pp = &(*pp)->state.next)
			if (*pp == b) {
				*pp = b->state.next;
				break;
			}
		pthread_mutex_unlock(&blocks_lock);
		if (hwm == 0) {
			b->peak_available = false;
		} else {
			b->peak_rss = hwm > b->state.carried ? hwm : b->state.carried;
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
	if (b && b->state.active)
		perfdb_memory_end(b);
}

int perfdb_memory__add_metric(perfdb_resultset *rs, const char *name, const char *metric,
			      const char *unit, double value)
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

int perfdb_memory_export(perfdb_resultset *rs, const perfdb_memory_block *b, const char *name)
{
	int rc;
	if (!rs || !name || !*name || !b)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memory_export: NULL argument");
	if (b->state.active)
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_memory_export: block '%s' not ended", name);
	if ((rc = perfdb_memory__add_metric(rs, name, "rss_delta", "B", (double)b->rss_delta)) != 0)
		return rc;
	if (b->peak_available)
		rc = perfdb_memory__add_metric(rs, name, "peak_rss", "B", (double)b->peak_rss);
	return rc;
}

/* ---- tracker control ------------------------------------------------------------ */
void *perfdb_memory__tracker_sym(const char *name)
{
	int (*abi)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, MT_SYM_ABI);
	if (!abi || abi() != MT_FORMAT_VERSION)
		return NULL;
	return dlsym(RTLD_DEFAULT, name);
}

int perfdb_memory__not_loaded(void)
{
	return perfdb_error__set(
	    PERFDB_ENOTFOUND, "the allocation tracker is not loaded (run under 'perfdb memtrack' "
			      "or LD_PRELOAD=libperfdb_memtrack.so)");
}

bool perfdb_memtrack_available(void)
{
	return perfdb_memory__tracker_sym(MT_SYM_WRITE) != NULL;
}

int perfdb_memtrack_enable(bool on)
{
	void (*fn)(int) = (void (*)(int))perfdb_memory__tracker_sym(MT_SYM_ENABLE);
	if (!fn)
		return perfdb_memory__not_loaded();
	fn(on ? 1 : 0);
	return 0;
}

int perfdb_memtrack_reset_peak(void)
{
	void (*fn)(void) = (void (*)(void))perfdb_memory__tracker_sym(MT_SYM_RESET_PEAK);
	if (!fn)
		return perfdb_memory__not_loaded();
	fn();
	return 0;
}
