/* alerts.c - what regress found, and what people decided about it. */
#include "store/store.h"

#include <math.h>
#include <string.h>

#include "perfdb/context.h"
#include "perfdb/history.h"
#include "store/history.h"
#include "util/error.h"

static void bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static void bind_key(sqlite3_stmt *st, const perfdb_alert_input *a)
{
	sqlite3_bind_int64(st, 1, a->benchmark_id);
	sqlite3_bind_int64(st, 2, a->machine_id);
	sqlite3_bind_text(st, 3, perfdb_tags_json(a->tags), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, a->commit_id);
	sqlite3_bind_text(st, 5, a->improvement ? "improvement" : "regression", -1, SQLITE_STATIC);
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
static void copy_status(perfdb_alert_state *s, const unsigned char *status)
{
	if (!status || perfdb_alert_status_parse(&s->status, (const char *)status) < 0)
		s->status = PERFDB_ALERT_OPEN;
}

int perfdb_store_alerts_record(perfdb_store *store, const perfdb_alert_input *items, size_t n,
			       perfdb_alert_state *states)
{
	sqlite3_stmt *st = NULL;
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
		bind_real(st, 6, a->baseline_value);
		bind_real(st, 7, a->value);
		bind_real(st, 8, a->change_pct);
		bind_real(st, 9, a->p_value);
		if (a->method != PERFDB_METHOD_NONE)
			sqlite3_bind_text(st, 10, perfdb_method_name(a->method), -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 10);
		sqlite3_bind_text(st, 11, now, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW) {
			err = perfdb_store__fail(store, "cannot record an alert in");
			break;
		}
		if (states) {
			states[i].id = sqlite3_column_int64(st, 0);
			copy_status(&states[i], sqlite3_column_text(st, 1));
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (err < 0) {
		perfdb_store__rollback(store);
		return err;
	}
	return perfdb_store__commit(store);
}

int perfdb_store_alert_lookup(perfdb_store *store, const perfdb_alert_input *item,
			      perfdb_alert_state *state)
{
	sqlite3_stmt *st = NULL;
	int rc, err;
	if ((err =
		 perfdb_store__prepare(store, &st,
				       "SELECT id, status FROM alerts WHERE benchmark_id = ?1 AND "
				       "machine_id = ?2 AND tags = ?3 AND commit_id = ?4 AND "
				       "kind = ?5")) < 0)
		return err;
	bind_key(st, item);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		state->id = sqlite3_column_int64(st, 0);
		copy_status(state, sqlite3_column_text(st, 1));
	} else {
		state->id = 0;
		copy_status(state, NULL);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return perfdb_store__fail(store, "cannot read alerts from");
	return 0;
}

int perfdb_store_alert_list(perfdb_store *store, int all, perfdb_row_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
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
		 "WHERE ?1 OR (a.status = 'open' AND a.kind = 'regression') "
		 "ORDER BY a.id DESC")) < 0)
		return err;
	sqlite3_bind_int(st, 1, all ? 1 : 0);
	err = perfdb_store__stream(store, st, fn, ctx);
	sqlite3_finalize(st);
	return err;
}

int perfdb_store_alert_set_status(perfdb_store *store, int64_t id, perfdb_alert_status status,
				  const char *note)
{
	sqlite3_stmt *st = NULL;
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
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, perfdb_alert_status_name(status), -1, SQLITE_STATIC);
	if (note)
		sqlite3_bind_text(st, 3, note, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err = perfdb_store__fail(store, "cannot update an alert in");
		sqlite3_finalize(st);
		perfdb_store__rollback(store);
		return err;
	}
	sqlite3_finalize(st);
	if (sqlite3_changes(store->db) == 0) {
		perfdb_store__rollback(store);
		return perfdb_error__set(PERFDB_ENOTFOUND, "no alert with id %lld", (long long)id);
	}
	return perfdb_store__commit(store);
}
