/* alerts.c - what regress found, and what people decided about it. */
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"

static void bind_key(perfdb_stmt *st, const perfdb_alert_input *a)
{
	perfdb_stmt__bind_int64(st, 1, a->benchmark_id);
	perfdb_stmt__bind_int64(st, 2, a->machine_id);
	perfdb_stmt__bind_text(st, 3, perfdb_tags_json(a->tags));
	perfdb_stmt__bind_int64(st, 4, a->commit_id);
	perfdb_stmt__bind_text(st, 5, a->improvement ? "improvement" : "regression");
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

int perfdb_store_alert_list(perfdb_store *store, int all, perfdb_row_fn fn, void *ctx)
{
	perfdb_stmt *st = NULL;
	int err;
	if ((err = perfdb_store__prepare(
		 store, &st,
		 "SELECT a.id AS id, CASE WHEN a.kind = 'improvement' AND a.status = 'open' "
		 "THEN 'noted' ELSE a.status END AS status, a.kind AS kind, b.name AS benchmark, "
		 "b.metric AS metric, b.unit AS unit, m.name AS machine, a.tags AS tags, "
		 "c.sha AS sha, a.baseline_value AS baseline_value, a.value AS value, "
		 "a.change AS change_pct, a.p_value AS p_value, a.method AS method, "
		 "a.created_at AS created_at, a.note AS note FROM alerts a "
		 "JOIN benchmarks b ON b.id = a.benchmark_id "
		 "JOIN machines m ON m.id = a.machine_id JOIN commits c ON c.id = a.commit_id "
		 "WHERE ?1 = 1 OR (a.status = 'open' AND a.kind = 'regression') "
		 "ORDER BY a.id DESC")) < 0)
		return err;
	perfdb_stmt__bind_int64(st, 1, all ? 1 : 0);
	err = perfdb_store__stream(store, st, fn, ctx);
	perfdb_stmt__free(st);
	return err;
}

int perfdb_store_alert_set_status(perfdb_store *store, int64_t id, perfdb_alert_status status,
				  const char *note)
{
	perfdb_stmt *st = NULL;
	int err;
	if (!status_valid(status))
		return perfdb_error__set(PERFDB_EINVAL,
					 "alert status must be open, acknowledged or ignored");
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
