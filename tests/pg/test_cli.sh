#!/usr/bin/env bash
# perfdb on a PostgreSQL server end to end (CTest: pg_cli, with the
# pg_cluster fixture): the three ways to name the server, query's guard and
# time limit, and the faults: a DSN that cannot connect, a newer schema, a
# connection lost in the middle of a record.
. "$(dirname "$0")/../cli/lib.sh"
[ -n "${PERFDB_TEST_DSN_FILE:-}" ] || skip "no PERFDB_TEST_DSN_FILE"
D=$(new_db server.db) || exit
base=$(cat "$PERFDB_TEST_DSN_FILE")

cat > r.json <<'JSON'
{"results": [{"benchmark": "BM_A", "metric": "real_time", "unit": "ns", "samples": [10, 11, 12]},
             {"benchmark": "BM_B", "metric": "real_time", "unit": "ns", "value": 5}]}
JSON

# --db, $PERFDB_DB and database: in perfdb.yaml all reach the server
expect_exit 0 "$PERFDB" record --db "$D" --commit c1 --machine ci r.json
expect_match '^recorded 2 results .* for c1 .* machine ci, run 1 in postgresql:///' out "record --db"
PERFDB_DB=$D expect_exit 0 "$PERFDB" record --commit c2 --machine ci r.json
printf 'database: "%s"\n' "$D" > perfdb.yaml
expect_exit 0 "$PERFDB" record --commit c3 --machine ci r.json
rm perfdb.yaml
expect_eq "c1,1
c2,1
c3,1" "$("$PERFDB" list --db "$D" --format csv --no-header commits | tr -d '\r' | cut -d, -f1,5)" "three commits, one run each"
expect_eq "6|3" "$(sql "$D" "SELECT count(*) || '|' || count(DISTINCT run_id) FROM history" | tr -d '\r')" "history view"
expect_eq "BM_A,real_time,ns,lower_is_better,3" \
	"$("$PERFDB" list --db "$D" --format csv --no-header benchmarks | tr -d '\r' | head -1)" "list benchmarks"
expect_exit 0 "$PERFDB" list --db "$D" --format csv machines
expect_match '^ci,3,' out "list machines"

# query: read-only, one statement, a time limit
expect_exit 2 "$PERFDB" query --db "$D" "DELETE FROM runs"
expect_match 'read-only' err "a write is refused"
expect_exit 2 "$PERFDB" query --db "$D" "WITH d AS (DELETE FROM runs RETURNING 1) SELECT count(*) FROM d"
expect_match 'read-only' err "a write inside a read is refused"
expect_eq 3 "$(sql "$D" "SELECT count(*) FROM runs" | tr -d '\r')" "nothing deleted"
expect_exit 3 "$PERFDB" query --db "$D" --timeout 0.3 "SELECT pg_sleep(20)"
expect_match 'query stopped after 0.3 s' err "statement_timeout"

# a DSN that cannot connect: exit 3, libpq's reason, never the password
expect_exit 3 "$PERFDB" list --db "postgresql://someone:pa55word@/no_such_db?${base#*\?}" runs
expect_match 'cannot connect to .postgresql://someone:\*\*\*@/no_such_db' err "the server named, password hidden"
expect_match 'no_such_db' err "libpq's reason"
expect_no_match 'pa55word' err "no password in the message"

# the connection lost in the middle of a record: exit 3 and nothing of the
# run stays. Another session holds a lock on runs, so the record waits
# there, after its commit and machine rows; then its connection is ended.
psql -q "$D" >/dev/null 2>&1 <<SQL &
BEGIN;
LOCK TABLE runs IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(30);
SQL
locker=$!
for _ in $(seq 100); do
	[ "$(psql -qtA "$D" -c "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation = 'runs'::regclass")" = 1 ] && break
	sleep 0.1
done
"$PERFDB" record --db "$D" --commit c-lost --machine lost r.json >lost.out 2>lost.err &
rec=$!
for _ in $(seq 100); do
	pid=$(psql -qtA "$D" -c "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO runs%'")
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] || fail "the record never waited on the lock"
psql -qtA "$D" -c "SELECT pg_terminate_backend($pid)" >/dev/null
wait $rec
expect_eq 3 $? "record on a lost connection: exit 3"
expect_match 'server|connection' lost.err "the lost connection said"
psql -qtA "$D" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
wait $locker
expect_eq "0|0" "$(sql "$D" "SELECT (SELECT count(*) FROM commits WHERE sha = 'c-lost') || '|' || (SELECT count(*) FROM machines WHERE name = 'lost')" | tr -d '\r')" "nothing half-written"

# a server whose schema is newer than this perfdb: exit 3, upgrade perfdb
psql -q "$D" -c "INSERT INTO perfdb_schema(version, applied_at) VALUES (999, 'later')" >/dev/null
expect_exit 3 "$PERFDB" record --db "$D" --commit c4 --machine ci r.json
expect_match 'schema version 999, newer than this perfdb .*upgrade perfdb' err "newer schema"
expect_exit 3 "$PERFDB" list --db "$D" runs
finish
