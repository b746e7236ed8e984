/*
 * Two snapshots compared site by site, and a snapshot exported to a
 * resultset so perfdb regress tracks memory per commit.
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
int perfdb_memtrack_export(perfdb_resultset *rs, const perfdb_memtrack_snapshot *s,
			   const char *name)
{
	int rc;
	if (!rs || !name || !*name || !s)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_memtrack_export: NULL argument");
	if ((rc = perfdb_memory__add_metric(rs, name, "peak_heap", "B",
					    (double)s->sum.peak_heap)) != 0 ||
	    (rc = perfdb_memory__add_metric(rs, name, "peak_rss", "B", (double)s->sum.peak_rss)) !=
		0 ||
	    (rc = perfdb_memory__add_metric(rs, name, "allocations", "", (double)s->sum.allocs)) !=
		0 ||
	    (rc = perfdb_memory__add_metric(rs, name, "leaked_bytes", "B", (double)s->sum.heap)) !=
		0)
		return rc;
	return 0;
}
