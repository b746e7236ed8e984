/* alerts.c - what regress found, and what people decided about it. */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"
#include "util/utf8.h"

static void bind_key(perfdb_stmt *st, const perfdb_alert_input *a)
{
	perfdb_stmt__bind_int64(st, 1, a->benchmark_id);
	perfdb_stmt__bind_int64(st, 2, a->machine_id);
	perfdb_stmt__bind_text(st, 3, perfdb_tags_json(a->tags));
	perfdb_stmt__bind_int64(st, 4, a->commit_id);
	perfdb_stmt__bind_text(st, 5,
			       perfdb_alert_kind_name(a->improvement ? PERFDB_ALERT_IMPROVEMENT
								     : PERFDB_ALERT_REGRESSION));
}

const char *perfdb_alert_status_name(perfdb_alert_status s)
{
	switch (s) {
	case PERFDB_ALERT_OPEN: return "open";
	case PERFDB_ALERT_ACKNOWLEDGED: return "acknowledged";
	case PERFDB_ALERT_IGNORED: return "ignored";
	}
	return "unknown";
}

const char *perfdb_alert_kind_name(perfdb_alert_kind k)
{
	switch (k) {
	case PERFDB_ALERT_REGRESSION: return "regression";
	case PERFDB_ALERT_IMPROVEMENT: return "improvement";
	}
	return "unknown";
}

const char *perfdb_alert_status_label(const perfdb_alert *a)
{
	if (a->kind == PERFDB_ALERT_IMPROVEMENT && a->status == PERFDB_ALERT_OPEN)
		return "noted";
	return perfdb_alert_status_name(a->status);
}

static int status_valid(perfdb_alert_status s)
{
	return s == PERFDB_ALERT_OPEN || s == PERFDB_ALERT_ACKNOWLEDGED ||
	       s == PERFDB_ALERT_IGNORED;
}

int perfdb_alert_status_parse(perfdb_alert_status *out, const char *name)
{
	perfdb_alert_status s;
	for (s = PERFDB_ALERT_OPEN; name && status_valid(s); s++)
		if (strcmp(name, perfdb_alert_status_name(s)) == 0) {
			*out = s;
			return 0;
		}
	return perfdb_error__set(PERFDB_EINVAL,
				 "alert status must be open, acknowledged or ignored");
}

/* The stored text; a status this version does not know reads as open (to
 * act on), never as settled. */
static void copy_status(perfdb_alert_state *s, const char *status)
{
	if (!status || perfdb_alert_status_parse(&s->status, status) < 0)
		s->status = PERFDB_ALERT_OPEN;
}

int perfdb_store_alerts_record(perfdb_store *store, const perfdb_alert_input *items, size_t n,
			       perfdb_alert_state *states)
{
	perfdb_stmt *st = NULL;
	char now[32];
	size_t i;
	int err;
	if (n == 0)
		return 0;
	if ((err = perfdb_store__begin(store)) < 0)
		return err;
	/* An existing alert keeps its id, status and note: an acknowledged
	 * regression found again stays acknowledged. */
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "INSERT INTO alerts (benchmark_id, machine_id, tags, commit_id, kind, "
		 "baseline_value, value, change, p_value, method, created_at) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		 "ON CONFLICT(benchmark_id, machine_id, tags, commit_id, kind) DO UPDATE SET "
		 "baseline_value = excluded.baseline_value, value = excluded.value, "
		 "change = excluded.change, p_value = excluded.p_value, "
		 "method = excluded.method RETURNING id, status")) < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_time_now_iso(now, sizeof(now));
	for (i = 0; i < n; i++) {
		const perfdb_alert_input *a = &items[i];
		bind_key(st, a);
		perfdb_stmt__bind_double(st, 6, a->baseline_value);
		perfdb_stmt__bind_double(st, 7, a->value);
		perfdb_stmt__bind_double(st, 8, a->change_pct);
		perfdb_stmt__bind_double(st, 9, a->p_value);
		perfdb_stmt__bind_text(
		    st, 10, a->method != PERFDB_METHOD_NONE ? perfdb_method_name(a->method) : NULL);
		perfdb_stmt__bind_text(st, 11, now);
		if (perfdb_stmt__step(st) != PERFDB_DB_ROW) {
			err = perfdb_store__fail(store, "cannot record an alert in");
			break;
		}
		if (states) {
			states[i].id = perfdb_stmt__column_int64(st, 0);
			copy_status(&states[i], perfdb_stmt__column_text(st, 1));
		}
		perfdb_stmt__reset(st);
	}
	perfdb_stmt__free(st);
	if (err < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	return perfdb_store__commit(store);
}

int perfdb_store_alert_lookup(perfdb_store *store, const perfdb_alert_input *item,
			      perfdb_alert_state *state)
{
	perfdb_stmt *st = NULL;
	int rc, err;
	if ((err =
		 perfdb_store__prepare(store, &st,
				       "SELECT id, status FROM alerts WHERE benchmark_id = ?1 AND "
				       "machine_id = ?2 AND tags = ?3 AND commit_id = ?4 AND "
				       "kind = ?5")) < 0)
		return err;
	bind_key(st, item);
	rc = perfdb_stmt__step(st);
	if (rc == PERFDB_DB_ROW) {
		state->id = perfdb_stmt__column_int64(st, 0);
		copy_status(state, perfdb_stmt__column_text(st, 1));
	} else {
		state->id = 0;
		copy_status(state, NULL);
	}
	perfdb_stmt__free(st);
	if (rc != PERFDB_DB_ROW && rc != PERFDB_DB_DONE)
		return perfdb_store__fail(store, "cannot read alerts from");
	return 0;
}

/* A listed alert with what it owns: the strings behind its const pointers. */
typedef struct alert_item {
	perfdb_alert a;
	char *benchmark, *metric, *unit, *machine, *sha, *created_at, *note;
	perfdb_tags *tags;
} alert_item;

struct perfdb_alert_list {
	alert_item *items;
	size_t count, cap;
};

static void alert_item_release(alert_item *it)
{
	free(it->benchmark);
	free(it->metric);
	free(it->unit);
	free(it->machine);
	free(it->sha);
	free(it->created_at);
	free(it->note);
	perfdb_store__tags_free(it->tags);
}

/* The current row (columns as in perfdb_store_alert_list's query) into it. */
static int read_alert(alert_item *it, perfdb_stmt *st)
{
	const char *kind = perfdb_stmt__column_text(st, 2), *method;
	int oom = 0, err;
	memset(it, 0, sizeof(*it));
	it->a.id = perfdb_stmt__column_int64(st, 0);
	perfdb_alert_status_parse(&it->a.status, perfdb_stmt__column_text(st, 1));
	it->a.kind = kind && strcmp(kind, perfdb_alert_kind_name(PERFDB_ALERT_IMPROVEMENT)) == 0
			 ? PERFDB_ALERT_IMPROVEMENT
			 : PERFDB_ALERT_REGRESSION;
	it->a.benchmark = it->benchmark = perfdb_store__column_dup(st, 3, &oom);
	it->a.metric = it->metric = perfdb_store__column_dup(st, 4, &oom);
	it->a.unit = it->unit = perfdb_store__column_dup(st, 5, &oom);
	it->a.machine = it->machine = perfdb_store__column_dup(st, 6, &oom);
	it->a.sha = it->sha = perfdb_store__column_dup(st, 8, &oom);
	it->a.baseline_value = perfdb_store__column_real(st, 9);
	it->a.value = perfdb_store__column_real(st, 10);
	it->a.change_pct = perfdb_store__column_real(st, 11);
	it->a.p_value = perfdb_store__column_real(st, 12);
	method = perfdb_stmt__column_text(st, 13);
	if (!method || perfdb_method_parse(&it->a.method, method) < 0)
		it->a.method = PERFDB_METHOD_NONE;
	it->a.created_at = it->created_at = perfdb_store__column_dup(st, 14, &oom);
	it->a.note = it->note = perfdb_store__column_dup(st, 15, &oom);
	if (oom)
		return perfdb_error__oom();
	if ((err = perfdb_store__tags_new(&it->tags, perfdb_stmt__column_text(st, 7))) < 0)
		return err;
	it->a.tags = it->tags;
	return 0;
}

int perfdb_store_alert_list(perfdb_alert_list **out, perfdb_store *store, int all)
{
	perfdb_alert_list *list;
	perfdb_stmt *st = NULL;
	int rc, err = 0;
	*out = NULL;
	if (!(list = calloc(1, sizeof(*list))))
		return perfdb_error__oom();
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "SELECT a.id, a.status, a.kind, b.name, b.metric, b.unit, m.name, a.tags, c.sha, "
		 "a.baseline_value, a.value, a.change, a.p_value, a.method, a.created_at, a.note "
		 "FROM alerts a JOIN benchmarks b ON b.id = a.benchmark_id "
		 "JOIN machines m ON m.id = a.machine_id JOIN commits c ON c.id = a.commit_id "
		 "WHERE ?1 = 1 OR (a.status = 'open' AND a.kind = 'regression') "
		 "ORDER BY a.id DESC")) < 0) {
		free(list);
		return err;
	}
	perfdb_stmt__bind_int64(st, 1, all ? 1 : 0);
	while ((rc = perfdb_stmt__step(st)) == PERFDB_DB_ROW) {
		if (perfdb_store__grow((void **)&list->items, &list->cap, list->count,
				       sizeof(list->items[0])) < 0) {
			err = perfdb_error__oom();
			break;
		}
		if ((err = read_alert(&list->items[list->count++], st)) < 0)
			break;
	}
	perfdb_stmt__free(st);
	if (err == 0 && rc != PERFDB_DB_DONE)
		err = perfdb_store__fail(store, "cannot read alerts from");
	if (err < 0) {
		perfdb_alert_list_free(list);
		return err;
	}
	*out = list;
	return 0;
}

size_t perfdb_alert_list_count(const perfdb_alert_list *list)
{
	return list ? list->count : 0;
}

const perfdb_alert *perfdb_alert_list_get(const perfdb_alert_list *list, size_t i)
{
	return list && i < list->count ? &list->items[i].a : NULL;
}

void perfdb_alert_list_free(perfdb_alert_list *list)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		alert_item_release(&list->items[i]);
	free(list->items);
	free(list);
}

int perfdb_store_alert_set_status(perfdb_store *store, int64_t id, perfdb_alert_status status,
				  const char *note)
{
	perfdb_stmt *st = NULL;
	int err;
	if (!status_valid(status))
		return perfdb_error__set(PERFDB_EINVAL,
					 "alert status must be open, acknowledged or ignored");
	if (note && (err = perfdb_util__text_ok("note", note)))
		return err;
	if ((err = perfdb_store__begin(store)) < 0)
		return err;
	if ((err = perfdb_store__prepare(store, &st,
					 "UPDATE alerts SET status = ?2, note = coalesce(?3, note) "
					 "WHERE id = ?1")) < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_stmt__bind_int64(st, 1, id);
	perfdb_stmt__bind_text(st, 2, perfdb_alert_status_name(status));
	perfdb_stmt__bind_text(st, 3, note);
	if (perfdb_stmt__step(st) != PERFDB_DB_DONE) {
		err = perfdb_store__fail(store, "cannot update an alert in");
		perfdb_stmt__free(st);
		perfdb_store__rollback(store);
		return err;
	}
	perfdb_stmt__free(st);
	if (perfdb_db__changes(store->db) == 0) {
		perfdb_store__rollback(store);
		return perfdb_error__set(PERFDB_ENOTFOUND, "no alert with id %lld", (long long)id);
	}
	return perfdb_store__commit(store);
}
