/*
 * scope.c - which commits, in what order, which baseline, which series and
 * what a point's level is: the part of a question about the history that
 * regress, compare and trend share (see analysis/scope.h). Each of them
 * used to answer it on its own, and they disagreed: trend took a commit's
 * mean where regress took its median.
 */
#include "analysis/scope.h"

#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb/config.h"
#include "perfdb/context.h"
#include "perfdb/stats.h"
#include "util/error.h"
#include "store/history.h"
#include "util/git.h"

/* ---- the commits ---------------------------------------------------------------- */

static int cmp_by_id(const void *a, const void *b)
{
	int64_t x = ((const perfdb_scope_commit_index *)a)->id;
	int64_t y = ((const perfdb_scope_commit_index *)b)->id;
	return (x > y) - (x < y);
}

void perfdb_regress_options_init(perfdb_regress_options *opts)
{
	perfdb_regress_options d = PERFDB_REGRESS_OPTIONS_INIT;
	*opts = d;
}

int perfdb_scope__check(const perfdb_regress_options *o)
{
	if (o->version != PERFDB_REGRESS_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "regress options version %u, expected %u",
					 o->version, PERFDB_REGRESS_OPTIONS_VERSION);
	if (!(o->threshold_pct >= 0) || !(o->confidence > 0 && o->confidence < 1))
		return perfdb_error__set(PERFDB_EINVAL,
					 "threshold must be >= 0 and confidence in (0, 1)");
	return 0;
}

int perfdb_scope__open(perfdb_scope **out, perfdb_store *store)
{
	perfdb_scope *sc;
	size_t i, n;
	int err;
	*out = NULL;
	if (!(sc = calloc(1, sizeof(*sc))))
		return perfdb_error__oom();
	sc->base_pos = SIZE_MAX;
	sc->pub.baseline_kind = PERFDB_BASELINE_WINDOW;
	sc->pub.order = PERFDB_ORDER_RECORDED;
	if ((err = perfdb_store_commits(&sc->commits, store)) < 0) {
		perfdb_scope__free(sc);
		return err;
	}
	n = sc->commits->count;
	if (!(sc->by_id = malloc((n ? n : 1) * sizeof(*sc->by_id)))) {
		perfdb_scope__free(sc);
		return perfdb_error__oom();
	}
	for (i = 0; i < n; i++) {
		sc->by_id[i].id = sc->commits->items[i].id;
		sc->by_id[i].idx = i;
	}
	qsort(sc->by_id, n, sizeof(*sc->by_id), cmp_by_id);
	*out = sc;
	return 0;
}

void perfdb_scope__free(perfdb_scope *sc)
{
	if (!sc)
		return;
	perfdb_series_set_free(sc->set);
	perfdb_commit_list_free(sc->commits);
	perfdb_baseline_release(&sc->baseline);
	free(sc->by_id);
	free(sc->order);
	free(sc->ids);
	free(sc->since_sha);
	free(sc->until_sha);
	free(sc->all_buf);
	free(sc->all);
	free(sc->all_pos);
	free(sc);
}

const perfdb_commit_info *perfdb_scope__commit(const perfdb_scope *sc, int64_t id)
{
	perfdb_scope_commit_index key, *hit;
	key.id = id;
	hit = bsearch(&key, sc->by_id, sc->commits->count, sizeof(key), cmp_by_id);
	return hit ? &sc->commits->items[hit->idx] : NULL;
}

static const char *sha_of(const perfdb_scope *sc, int64_t id)
{
	const perfdb_commit_info *c = perfdb_scope__commit(sc, id);
	return c ? c->sha : NULL;
}

const char *perfdb_baseline_kind_name(perfdb_baseline_kind k)
{
	switch (k) {
	case PERFDB_BASELINE_WINDOW: return "window";
	case PERFDB_BASELINE_NAMED: return "named";
	case PERFDB_BASELINE_COMMIT: return "commit";
	}
	return "unknown";
}

const char *perfdb_commit_order_name(perfdb_commit_order o)
{
	switch (o) {
	case PERFDB_ORDER_RECORDED: return "recorded";
	case PERFDB_ORDER_GIT: return "git";
	}
	return "unknown";
}

/* ---- commit order ------------------------------------------------------------- */

static size_t position_of(const perfdb_scope *sc, int64_t id);

/* `git rev-list --first-parent TIP` in dir: the shas, newest first, as one
 * buffer split into lines. NULL when git is missing or says no. */
static char *git_rev_list(const char *dir, const char *tip)
{
	const char *args[] = {"rev-list", "--first-parent", tip, "--", NULL};
	if (tip[0] == '-')
		return NULL;
	return perfdb_util__git_output(dir, args, NULL);
}

/* Index of commits (by sha) for the git order lookup. */
typedef struct sha_index {
	const char *sha;
	size_t i;
} sha_index;

static int cmp_sha_index(const void *a, const void *b)
{
	return strcmp(((const sha_index *)a)->sha, ((const sha_index *)b)->sha);
}

/*
 * sc->order: indexes into commits, oldest first. git's first-parent history
 * from tip (NULL: HEAD) decides when the repository holds at least one
 * recorded commit; commits it does not reach (other branches) are left out
 * then. Else the recorded order.
 */
static int make_order(perfdb_scope *sc, const char *repo_dir, const char *tip, int use_git)
{
	const perfdb_commit_list *commits = sc->commits;
	size_t *order, n = 0, i;
	char *list = NULL;
	sc->pub.order = PERFDB_ORDER_RECORDED;
	if (!(order = malloc((commits->count ? commits->count : 1) * sizeof(*order))))
		return perfdb_error__oom();
	sc->order = order;
	if (use_git && commits->count)
		list = git_rev_list(repo_dir ? repo_dir : ".", tip ? tip : "HEAD");
	if (list) {
		sha_index *idx = malloc(commits->count * sizeof(*idx));
		char *line, *save = NULL;
		size_t nlines = 1, k;
		for (k = 0; list[k]; k++)
			nlines += list[k] == '\n';
		free(sc->all);
		free(sc->all_pos);
		sc->all = malloc(nlines * sizeof(*sc->all));
		sc->all_pos = malloc((commits->count ? commits->count : 1) * sizeof(*sc->all_pos));
		sc->nall = 0;
		if (!idx || !sc->all || !sc->all_pos) {
			free(idx);
			free(list);
			return perfdb_error__oom();
		}
		for (i = 0; i < commits->count; i++)
			idx[i] = (sha_index){commits->items[i].sha, i};
		qsort(idx, commits->count, sizeof(*idx), cmp_sha_index);
		/* rev-list prints newest first: collect, then reverse */
		for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			sha_index key = {line, 0}, *hit;
			hit = bsearch(&key, idx, commits->count, sizeof(*idx), cmp_sha_index);
			if (hit && n < commits->count) {
				sc->all_pos[n] = sc->nall; /* newest first, for now */
				order[n++] = hit->i;
			}
			sc->all[sc->nall++] = line;
		}
		free(idx);
		if (n) {
			for (i = 0; i < n / 2; i++) {
				size_t t = order[i];
				order[i] = order[n - 1 - i];
				order[n - 1 - i] = t;
				t = sc->all_pos[i];
				sc->all_pos[i] = sc->all_pos[n - 1 - i];
				sc->all_pos[n - 1 - i] = t;
			}
			for (i = 0; i < sc->nall / 2; i++) {
				const char *t = sc->all[i];
				sc->all[i] = sc->all[sc->nall - 1 - i];
				sc->all[sc->nall - 1 - i] = t;
			}
			for (i = 0; i < n; i++)
				sc->all_pos[i] = sc->nall - 1 - sc->all_pos[i];
			free(sc->all_buf);
			sc->all_buf = list;
			sc->pub.order = PERFDB_ORDER_GIT;
			sc->norder = n;
			return 0;
		}
		free(list);
		free(sc->all);
		free(sc->all_pos);
		sc->all = NULL;
		sc->all_pos = NULL;
		sc->nall = 0;
	}
	for (i = 0; i < commits->count; i++)
		order[i] = i;
	sc->norder = commits->count;
	return 0;
}

void perfdb_scope__candidates(const perfdb_scope *sc, int64_t prev_id, int64_t id,
			      const char **first, size_t *count, const char **next)
{
	size_t a = prev_id ? position_of(sc, prev_id) : SIZE_MAX, b = position_of(sc, id);
	*first = sha_of(sc, id);
	*count = 1;
	*next = NULL;
	if (a == SIZE_MAX || b == SIZE_MAX || a >= b)
		return;
	if (sc->all) { /* git: every commit between, benchmarked or not */
		a = sc->all_pos[a];
		b = sc->all_pos[b];
		if (a < b) {
			*first = sc->all[a + 1];
			*count = b - a;
			/* bisection, as asv find: the middle of the unmeasured
			 * candidates halves the range whatever it shows */
			if (b - a >= 2)
				*next = sc->all[a + (b - a) / 2];
		}
		return;
	}
	/* recorded order: the recorded commits without this series' data */
	*first = sc->commits->items[sc->order[a + 1]].sha;
	*count = b - a;
	if (b - a >= 2)
		*next = sc->commits->items[sc->order[a + (b - a) / 2]].sha;
}

static size_t position_of(const perfdb_scope *sc, int64_t id)
{
	size_t i;
	for (i = 0; i < sc->norder; i++)
		if (sc->commits->items[sc->order[i]].id == id)
			return i;
	return SIZE_MAX;
}

/* `git merge-base --is-ancestor a b` in dir: 1 yes, 0 no (or git failed). */
static int git_is_ancestor(const char *dir, const char *a, const char *b)
{
	const char *args[] = {"merge-base", "--is-ancestor", a, b, NULL};
	char *out;
	if (a[0] == '-' || b[0] == '-')
		return 0;
	out = perfdb_util__git_output(dir, args, NULL);
	free(out);
	return out != NULL;
}

/*
 * --since REV where REV is not a recorded commit of the history being
 * checked: a revision git knows that nobody benchmarked (origin/main's tip
 * when main is measured nightly), or a branch that moved on after the
 * checked branch forked from it (origin/main in a pull request). The range
 * then starts after the fork point, `git merge-base REV TIP`. The commits of
 * the order (a first-parent history of TIP, oldest first) that are
 * ancestors of the fork point form a prefix of it; *first is its length,
 * found by bisection, and sc->since_sha git's full sha of the fork point.
 * Errors: PERFDB_ENOTFOUND (git does not know REV, or no common history).
 */
static int git_since(size_t *first, perfdb_scope *sc, const char *dir, const char *rev,
		     const char *tip)
{
	char *full = NULL, *base;
	const char *args[] = {"merge-base", NULL, tip ? tip : "HEAD", NULL};
	size_t lo = 0, hi = sc->norder;
	*first = 0;
	if (perfdb_util__git_resolve(&full, dir, rev) != 0)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					 rev);
	args[1] = full;
	base = args[2][0] == '-' ? NULL : perfdb_util__git_text(dir, args);
	free(full);
	if (!base) {
		return perfdb_error__set(
		    PERFDB_ENOTFOUND, "'%s' shares no history with the commits being checked", rev);
	}
	/* the first position that is not an ancestor of the fork point */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (git_is_ancestor(dir, sc->commits->items[sc->order[mid]].sha, base))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	sc->since_sha = base;
	return 0;
}

/* ---- revisions ------------------------------------------------------------------ */

/* The store's shas first (exact or prefix), then git (branches, tags,
 * HEAD~3), then the store again. */
int perfdb_scope__resolve(perfdb_store *store, const char *repo_dir, const char *rev, int64_t *id)
{
	return perfdb_commit_resolve(id, NULL, store, rev, repo_dir,
				     PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT);
}

int perfdb_commit_resolve(int64_t *out_id, char **out_sha, perfdb_store *store, const char *rev,
			  const char *repo_dir, unsigned flags)
{
	char *full = NULL;
	int64_t id = 0;
	int err;

	if (out_id)
		*out_id = 0;
	if (out_sha)
		*out_sha = NULL;
	if (!(flags & (PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT)) ||
	    (flags & ~(unsigned)(PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT)))
		return perfdb_error__set(PERFDB_EINVAL, "bad flags %#x to resolve a commit", flags);
	if (!(flags & PERFDB_RESOLVE_RECORDED)) {
		if ((err = perfdb_util__git_resolve(&full, repo_dir, rev)) < 0)
			return err;
		if (out_sha)
			*out_sha = full;
		else
			free(full);
		return 0;
	}
	if (!store)
		return perfdb_error__set(PERFDB_EINVAL, "no store to resolve '%s' in",
					 rev ? rev : "");
	err = perfdb_store__find_commit(&id, out_sha, store, rev);
	if (err == PERFDB_ENOTFOUND && (flags & PERFDB_RESOLVE_GIT)) {
		if (perfdb_util__git_resolve(&full, repo_dir, rev) == 0) {
			err = perfdb_store__find_commit(&id, out_sha, store, full);
			free(full);
		}
		if (err == PERFDB_ENOTFOUND)
			err = perfdb_error__set(PERFDB_ENOTFOUND,
						"no results recorded for revision '%s'", rev);
	}
	if (err == 0 && out_id)
		*out_id = id;
	return err;
}

/* --until: a recorded commit, or (with git) any revision git resolves; *tip
 * is what the order starts from (NULL: HEAD). */
static int resolve_until(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
			 int64_t *until_id, const char **tip)
{
	int err;
	*until_id = 0;
	*tip = NULL;
	if (!o->until)
		return 0;
	if ((err = perfdb_scope__resolve(store, o->repo_dir, o->until, until_id)) == 0) {
		*tip = sha_of(sc, *until_id);
		return 0;
	}
	if (err != PERFDB_ENOTFOUND || !o->use_git ||
	    perfdb_util__git_resolve(&sc->until_sha, o->repo_dir, o->until) != 0)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					 o->until);
	perfdb_error_clear();
	*tip = sc->until_sha;
	return 0;
}

/* The position in the order of the range's end: --until's, else the newest. */
static int until_position(perfdb_scope *sc, const perfdb_regress_options *o, int64_t until_id,
			  size_t *pos)
{
	*pos = sc->norder - 1;
	if (sc->until_sha && sc->pub.order != PERFDB_ORDER_GIT)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					 o->until);
	if (o->until && !sc->until_sha && (*pos = position_of(sc, until_id)) == SIZE_MAX)
		return perfdb_error__set(PERFDB_ENOTFOUND,
					 "'%s' is not in the history being checked", o->until);
	return 0;
}

/* ids: the commits of the order at positions [wstart, last] */
static int take_ids(perfdb_scope *sc, size_t wstart, size_t last, size_t extra)
{
	size_t i;
	free(sc->ids);
	if (!(sc->ids = malloc((last - wstart + 2 + extra) * sizeof(*sc->ids))))
		return perfdb_error__oom();
	sc->nids = 0;
	sc->start = wstart;
	for (i = wstart; i <= last; i++)
		sc->ids[sc->nids++] = sc->commits->items[sc->order[i]].id;
	return 0;
}

/* ---- the three shapes of a question ---------------------------------------------- */

int perfdb_scope__range(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o)
{
	int64_t until_id = 0, commit_id = 0, since_id = 0, base_id = 0;
	size_t until_pos, first, last, wstart, i, base_order_pos = SIZE_MAX, nread;
	const char *tip;
	int err, have_base = 0;

	/* resolve the revisions; --until and --since need not be recorded
	 * when git knows them (see git_since) */
	if ((err = resolve_until(sc, store, o, &until_id, &tip)) < 0)
		return err;
	if (o->commit &&
	    (err = perfdb_scope__resolve(store, o->repo_dir, o->commit, &commit_id)) < 0)
		return err;
	if (o->since &&
	    (err = perfdb_scope__resolve(store, o->repo_dir, o->since, &since_id)) < 0) {
		if (err != PERFDB_ENOTFOUND || !o->use_git)
			return err;
		perfdb_error_clear();
		since_id = 0; /* placed by git below */
	}
	if (o->baseline) {
		err = perfdb_store_baseline_get(&sc->baseline, store, o->baseline);
		if (err == 0) {
			base_id = sc->baseline.commit_id;
			sc->pub.baseline_kind = PERFDB_BASELINE_NAMED;
			sc->pub.baseline_name = sc->baseline.name;
		} else if (err == PERFDB_ENOTFOUND) {
			if (perfdb_scope__resolve(store, o->repo_dir, o->baseline, &base_id) < 0)
				return perfdb_error__set(
				    PERFDB_ENOTFOUND,
				    "'%s' is neither a baseline nor a revision "
				    "with recorded results",
				    o->baseline);
			sc->pub.baseline_kind = PERFDB_BASELINE_COMMIT;
		} else {
			return err;
		}
		have_base = 1;
		sc->pub.baseline_commit = sha_of(sc, base_id);
	}

	/* order, from the newest commit of interest */
	if (o->commit)
		tip = sha_of(sc, commit_id);
	if ((err = make_order(sc, o->repo_dir, tip, o->use_git)) < 0)
		return err;
	if (sc->until_sha && sc->pub.order != PERFDB_ORDER_GIT)
		return perfdb_error__set(PERFDB_ENOTFOUND, "no results recorded for revision '%s'",
					 o->until);
	if (sc->norder == 0)
		return 0; /* an empty history: nothing to check */
	if ((err = until_position(sc, o, until_id, &until_pos)) < 0)
		return err;
	if (o->commit) {
		size_t commit_pos = position_of(sc, commit_id);
		if (commit_pos == SIZE_MAX)
			return perfdb_error__set(PERFDB_ENOTFOUND,
						 "'%s' is not in the history being checked",
						 o->commit);
		first = last = commit_pos;
		sc->gate = have_base; /* see below */
	} else if (o->since) {
		size_t since_pos = since_id ? position_of(sc, since_id) : SIZE_MAX;
		if (since_pos != SIZE_MAX && since_pos <= until_pos) {
			first = since_pos + 1;
			sc->pub.since = sha_of(sc, since_id);
		} else if (sc->pub.order == PERFDB_ORDER_GIT && o->use_git) {
			/* not benchmarked, or not on this branch: after the fork point */
			if ((err = git_since(&first, sc, o->repo_dir ? o->repo_dir : ".", o->since,
					     tip)) < 0)
				return err;
			sc->pub.since = sc->since_sha;
		} else {
			return perfdb_error__set(
			    PERFDB_ENOTFOUND,
			    since_id ? "'%s' is not an ancestor of the range's end in the "
				       "history being checked"
				     : "no results recorded for revision '%s'",
			    o->since);
		}
		last = until_pos;
	} else {
		/* no range: the newest commit. Against a baseline that is the
		 * gate (that commit against that level); against the window it
		 * is a range of one commit: a step that began inside the window
		 * is that earlier commit's doing, reported the day it landed, and
		 * must not fail every later commit until the window forgets it. */
		first = last = until_pos;
		sc->gate = have_base;
	}
	sc->pub.until = sc->commits->items[sc->order[last]].sha;
	wstart = first > o->window ? first - o->window : 0;
	sc->pub.window = first - wstart;
	if (have_base)
		base_order_pos = position_of(sc, base_id);

	/* the commit ids to read: [baseline] window range */
	if (first > last) {
		/* --since the range's end itself: on a push to main, --since
		 * origin/main is HEAD. An empty range would pass every check
		 * ("0 series checked") and let what was merged go unflagged, so
		 * the newest commit is checked against its window, as with no
		 * --since at all, and the report says so. */
		first = last;
		sc->pub.since_is_end = 1;
		sc->gate = have_base;
		wstart = first > o->window ? first - o->window : 0;
		sc->pub.window = first - wstart;
	}
	if ((err = take_ids(sc, wstart, last, 1)) < 0)
		return err;
	nread = sc->nids;
	sc->base_pos = SIZE_MAX;
	if (have_base && !(base_order_pos >= wstart && base_order_pos <= last)) {
		/* the baseline commit apart, first */
		memmove(sc->ids + 1, sc->ids, nread * sizeof(*sc->ids));
		sc->ids[0] = base_id;
		sc->nids++;
		sc->base_pos = 0;
		sc->base_separate = 1;
	} else if (have_base) {
		for (i = wstart; i <= last; i++)
			if (i == base_order_pos)
				sc->base_pos = i - wstart;
	}
	sc->range_pos = sc->nids - (last - first + 1);
	if (sc->base_pos != SIZE_MAX && sc->base_pos != 0 && sc->base_pos >= sc->range_pos)
		sc->base_pos = SIZE_MAX; /* a baseline inside the range is no baseline */
	return 0;
}

int perfdb_scope__last(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       size_t last)
{
	int64_t until_id = 0;
	size_t until_pos, first;
	const char *tip;
	int err;
	if ((err = resolve_until(sc, store, o, &until_id, &tip)) < 0 ||
	    (err = make_order(sc, o->repo_dir, tip, o->use_git)) < 0)
		return err;
	if (sc->norder == 0)
		return 0;
	if ((err = until_position(sc, o, until_id, &until_pos)) < 0)
		return err;
	first = until_pos + 1 > last ? until_pos + 1 - last : 0;
	if ((err = take_ids(sc, first, until_pos, 0)) < 0)
		return err;
	/* the oldest commit is the reference: the range is the others */
	sc->range_pos = sc->nids > 1 ? 1 : 0;
	sc->pub.since = sc->nids > 1 ? sc->commits->items[sc->order[first]].sha : NULL;
	sc->pub.until = sc->commits->items[sc->order[until_pos]].sha;
	sc->pub.window = sc->range_pos;
	return 0;
}

int perfdb_scope__pair(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       const char *a, const char *b, int64_t *ida, int64_t *idb)
{
	size_t pa, start = 0;
	int err;
	if ((err = perfdb_scope__resolve(store, o->repo_dir, a, ida)) < 0 ||
	    (err = perfdb_scope__resolve(store, o->repo_dir, b, idb)) < 0 ||
	    (err = make_order(sc, o->repo_dir, sha_of(sc, *idb), o->use_git)) < 0)
		return err;
	/* a's window (the spread of series without samples), a, then b */
	pa = position_of(sc, *ida);
	if (pa != SIZE_MAX) {
		start = pa > o->window ? pa - o->window : 0;
		if ((err = take_ids(sc, start, pa, 1)) < 0)
			return err;
	} else {
		if (!(sc->ids = malloc(2 * sizeof(*sc->ids))))
			return perfdb_error__oom();
		sc->ids[sc->nids++] = *ida;
	}
	if (*idb != *ida)
		sc->ids[sc->nids++] = *idb;
	sc->range_pos = sc->nids - 1;
	sc->pub.since = sha_of(sc, *ida);
	sc->pub.until = sha_of(sc, *idb);
	sc->pub.baseline_kind = PERFDB_BASELINE_COMMIT;
	sc->pub.baseline_commit = sc->pub.since;
	sc->pub.window = pa != SIZE_MAX ? pa - start : 0;
	return 0;
}

/* ---- the series ---------------------------------------------------------------- */

int perfdb_scope__read(perfdb_scope *sc, perfdb_store *store, const perfdb_regress_options *o,
		       unsigned flags)
{
	perfdb_series_query q = PERFDB_SERIES_QUERY_INIT;
	perfdb_filter_count fc;
	int err;

	perfdb_series_set_free(sc->set);
	sc->set = NULL;
	/* a filter that selects nothing ever recorded is a mistake (a typo in
	 * CI would pass every check with "0 series checked"); one whose
	 * benchmarks are not in these commits is an empty answer */
	if (o->machine || o->benchmark_glob) {
		if ((err = perfdb_store_count_filter(&fc, store, o->machine, o->benchmark_glob)) <
		    0)
			return err;
		if (!fc.machine_known)
			return perfdb_error__set(
			    PERFDB_ENOTFOUND,
			    "no series matches machine '%s' (%zu machine%s recorded)", o->machine,
			    fc.machines, fc.machines == 1 ? "" : "s");
		if (!fc.matching) {
			if (o->machine)
				return perfdb_error__set(
				    PERFDB_ENOTFOUND,
				    "no series matches benchmark '%s' (%zu benchmark%s recorded on "
				    "machine '%s')",
				    o->benchmark_glob, fc.benchmarks, fc.benchmarks == 1 ? "" : "s",
				    o->machine);
			return perfdb_error__set(PERFDB_ENOTFOUND,
						 "no series matches benchmark '%s' (%zu "
						 "benchmark%s recorded)",
						 o->benchmark_glob, fc.benchmarks,
						 fc.benchmarks == 1 ? "" : "s");
		}
	}
	if (!sc->nids)
		return 0;
	q.commit_ids = sc->ids;
	q.ncommits = sc->nids;
	q.machine = o->machine;
	q.benchmark_glob = o->benchmark_glob;
	/* a point's level is the median of its samples whatever the method
	 * (or regress --method zscore and trend would see other levels than
	 * regress): the store gives it, and the samples themselves only to
	 * those who read them */
	q.with_samples = (flags & PERFDB_SCOPE_SAMPLES) != 0;
	if ((err = perfdb_store__read_series(&sc->set, store, &q,
					     (flags & PERFDB_SCOPE_LAZY) != 0)) < 0)
		return err;
	/* a metric glob that selects none of the series read is a typo too */
	if (o->metric_glob && perfdb_series_set_count(sc->set)) {
		size_t i, n = perfdb_series_set_count(sc->set);
		for (i = 0; i < n; i++)
			if (fnmatch(o->metric_glob, perfdb_series_set__head(sc->set, i)->metric,
				    0) == 0)
				return 0;
		return perfdb_error__set(
		    PERFDB_ENOTFOUND, "no series matches metric '%s' (e.g. '%s' is recorded)",
		    o->metric_glob, perfdb_series_set__head(sc->set, 0)->metric);
	}
	return 0;
}

void perfdb_scope__series_config(perfdb_scope_series *out, const perfdb_regress_options *o,
				 const perfdb_series *s)
{
	perfdb_benchmark_config bc;
	perfdb_config_match(&bc, o->config, s->benchmark, s->metric);
	out->ignore = bc.ignore;
	out->threshold = isnan(bc.threshold_pct) ? o->threshold_pct : bc.threshold_pct;
	out->direction = bc.direction != PERFDB_DIRECTION_UNSET ? bc.direction : s->direction;
	out->method = bc.has_method ? bc.method : o->method;
	/* --metric: the other metrics are not looked at, as if ignored */
	if (o->metric_glob && fnmatch(o->metric_glob, s->metric, 0) != 0)
		out->ignore = 1;
}

const double *perfdb_scope__observations(const perfdb_series_point *p, size_t *n)
{
	if (p->nsamples) {
		*n = p->nsamples;
		return p->samples;
	}
	return perfdb_scope__runs(p, n);
}

const double *perfdb_scope__runs(const perfdb_series_point *p, size_t *n)
{
	if (p->run_values && p->nruns) {
		*n = p->nruns;
		return p->run_values;
	}
	*n = 1;
	return &p->value;
}

/* A run that stored no samples has its value as its one sample, so the level
 * of a commit run several times that way is the median of the runs' values,
 * as the level of a commit with samples is the median of its samples: one
 * wild run moves a mean, not a median. The store computes it as it reads
 * (perfdb_series_point.level), from each result's stored sample median when
 * the commit has one run. */
double perfdb_scope__level(const perfdb_series_point *p)
{
	return p->level;
}
