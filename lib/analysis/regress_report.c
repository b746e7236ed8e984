/*
 * regress_report.c - the report a regress run returns (perfdb/regress.h):
 * its findings, their grouping into events, the per-series verdicts and
 * their accessors. regress.c fills it; nothing here analyses.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/regress_internal.h"
#include "analysis/scope.h"
#include "perfdb/history.h"
#include "perfdb/regress.h"
#include "util/error.h"

/* ---- the report ------------------------------------------------------------------ */

int perfdb_regress__push_finding(finding_list *l, const perfdb_finding *f, size_t series,
				 int64_t cid)
{
	if (l->count == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		perfdb_finding *p = realloc(l->items, ncap * sizeof(*p));
		size_t *ps;
		int64_t *pc;
		if (!p)
			return perfdb_error__oom();
		l->items = p;
		if (!(ps = realloc(l->series, ncap * sizeof(*ps))))
			return perfdb_error__oom();
		l->series = ps;
		if (!(pc = realloc(l->commit_ids, ncap * sizeof(*pc))))
			return perfdb_error__oom();
		l->commit_ids = pc;
		l->cap = ncap;
	}
	l->series[l->count] = series;
	l->commit_ids[l->count] = cid;
	l->items[l->count++] = *f;
	return 0;
}

void perfdb_regress__finding_list_release(finding_list *l)
{
	free(l->items);
	free(l->series);
	free(l->commit_ids);
	memset(l, 0, sizeof(*l));
}

void perfdb_regress_report_free(perfdb_regress_report *r)
{
	size_t k;
	if (!r)
		return;
	for (k = 0; k < 2; k++) {
		free(r->events[k].items);
		free(r->events[k].idx);
		perfdb_regress__finding_list_release(&r->found[k]);
	}
	free(r->verdicts);
	free(r->verdict_of);
	perfdb_scope__free(r->sc);
	free(r->states);
	free(r);
}

size_t perfdb_regress_count(const perfdb_regress_report *r, perfdb_finding_kind kind)
{
	return r && (unsigned)kind < 2 ? r->found[kind].count : 0;
}

const perfdb_finding *perfdb_regress_get(const perfdb_regress_report *r, perfdb_finding_kind kind,
					 size_t i)
{
	if (!r || (unsigned)kind >= 2 || i >= r->found[kind].count)
		return NULL;
	return &r->found[kind].items[i];
}

size_t perfdb_regress_failures(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	if (!r)
		return 0;
	for (i = 0; i < r->found[0].count; i++)
		if (r->found[0].items[i].status == PERFDB_ALERT_OPEN &&
		    !r->found[0].items[i].suspect)
			n++;
	return n;
}

size_t perfdb_regress_event_count(const perfdb_regress_report *r, perfdb_finding_kind kind)
{
	return r && (unsigned)kind < 2 ? r->events[kind].count : 0;
}

const perfdb_regress_event *perfdb_regress_event_get(const perfdb_regress_report *r,
						     perfdb_finding_kind kind, size_t i)
{
	if (!r || (unsigned)kind >= 2 || i >= r->events[kind].count)
		return NULL;
	return &r->events[kind].items[i];
}

int perfdb_regress_event_open(const perfdb_regress_report *r, const perfdb_regress_event *e)
{
	size_t i;
	if (!r || !e)
		return 0;
	for (i = 0; i < e->nfindings; i++) {
		const perfdb_finding *f = &r->found[e->kind].items[e->findings[i]];
		if (f->status == PERFDB_ALERT_OPEN && !f->suspect)
			return 1;
	}
	return 0;
}

size_t perfdb_regress_event_failures(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	if (!r)
		return 0;
	for (i = 0; i < r->events[0].count; i++)
		n += (size_t)perfdb_regress_event_open(r, &r->events[0].items[i]);
	return n;
}

/* One event per benchmark, machine, tags and commit of each kind, in the
 * order of their first finding. Series of one benchmark differ in metric
 * (and unit); the strings of one benchmark, machine and tags are the same
 * pointers only within a series, so they are compared by value. */
int perfdb_regress__group_events(perfdb_regress_report *rep)
{
	size_t k, i, j;
	for (k = 0; k < 2; k++) {
		const finding_list *fl = &rep->found[k];
		event_list *el = &rep->events[k];
		size_t n = fl->count, pos = 0;
		unsigned char *taken;
		if (!n)
			continue;
		el->items = calloc(n, sizeof(*el->items));
		el->idx = malloc(n * sizeof(*el->idx));
		taken = calloc(n, 1);
		if (!el->items || !el->idx || !taken) {
			free(taken);
			return perfdb_error__oom();
		}
		for (i = 0; i < n; i++) {
			const perfdb_finding *f = &fl->items[i];
			perfdb_regress_event *e;
			if (taken[i])
				continue;
			e = &el->items[el->count++];
			e->kind = (perfdb_finding_kind)k;
			e->benchmark = f->benchmark;
			e->machine = f->machine;
			e->tags = f->tags;
			e->commit = f->commit;
			e->subject = f->subject;
			e->findings = &el->idx[pos];
			for (j = i; j < n; j++) {
				const perfdb_finding *g = &fl->items[j];
				if (taken[j] || fl->commit_ids[j] != fl->commit_ids[i] ||
				    strcmp(g->benchmark, f->benchmark) != 0 ||
				    strcmp(g->machine, f->machine) != 0 ||
				    strcmp(perfdb_tags_json(g->tags), perfdb_tags_json(f->tags)) !=
					0)
					continue;
				taken[j] = 1;
				el->idx[pos++] = j;
				e->nfindings++;
			}
		}
		free(taken);
	}
	return 0;
}

size_t perfdb_regress_series_checked(const perfdb_regress_report *r)
{
	return r ? r->nverdicts : 0;
}

size_t perfdb_regress_not_compared(const perfdb_regress_report *r)
{
	size_t i, n = 0;
	for (i = 0; r && i < r->nverdicts; i++)
		n += r->verdicts[i].not_compared != 0;
	return n;
}

const perfdb_series_verdict *perfdb_regress_series(const perfdb_regress_report *r, size_t i)
{
	return r && i < r->nverdicts ? &r->verdicts[i] : NULL;
}

const perfdb_regress_scope *perfdb_regress_scope_get(const perfdb_regress_report *r)
{
	return r ? &r->sc->pub : NULL;
}
