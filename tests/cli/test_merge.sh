#!/usr/bin/env bash
# perfdb merge: shards recorded by separate CI jobs merge into one history
# with nothing lost and nothing twice (merging again, or A into B and then B
# into C); baselines and alert statuses follow the documented rule; a
# corrupt, foreign or newer shard leaves the destination unchanged.
. "$(dirname "$0")/lib.sh"

# results SEED NAME=LEVEL...: a native file with 5 seeded samples per name
results() {
	python3 - "$@" <<'PY'
import json, random, sys
rnd = random.Random(sys.argv[1])
res = []
for arg in sys.argv[2:]:
    name, level = arg.split("=")
    res.append({"benchmark": name, "unit": "us",
                "samples": [float(level) * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]})
print(json.dumps({"results": res}))
PY
}
q() { sql "$1" "$2" | tr -d '\r'; }
# state DB: what must not change: a file's bytes, a server's rows and counts
state() {
	if [ -f "$1" ]; then
		sha256sum "$1"
	else
		{ rows "$1"; for t in commits machines runs benchmarks results samples baselines alerts; do count "$1" $t; done; } | sha256sum
	fi | cut -d' ' -f1
}

# the destinations: files, or databases on a server (cli_test_merge_pg);
# the shards are always files
M=$(new_db m.db) || exit
C=$(new_db c.db) || exit
D=$(new_db d.db) || exit
E=$(new_db e.db) || exit
F=$(new_db f.db) || exit
count() { q "$1" "SELECT count(*) FROM $2"; }
# rows DB: the history as sorted text (what must survive a merge exactly)
rows() {
	"$PERFDB" query --db "$1" --format csv --no-header \
		"SELECT sha, machine, benchmark, metric, unit, value, n, tags FROM history ORDER BY 1, 2, 3, 4, 6"
}

# Job A: machine ci-a, commits c1..c3. Job B: machine ci-b, commits c2..c4,
# plus a benchmark of its own. c2 and c3 are in both.
for i in 1 2 3; do
	results "a$i" BM_Sort=100 BM_Hash=50 >a$i.json
	"$PERFDB" record --db a.db --commit c$i --machine ci-a --tag cc=gcc a$i.json >/dev/null || fail "record a$i"
done
for i in 2 3 4; do
	results "b$i" BM_Sort=100 BM_Only_B=7 >b$i.json
	"$PERFDB" record --db b.db --commit c$i --machine ci-b b$i.json >/dev/null || fail "record b$i"
done
"$PERFDB" baseline set --db a.db rel c1 >/dev/null || fail "baseline in a"

expect_exit 0 "$PERFDB" merge --db "$M" a.db b.db
expect_match '^merged a.db: 3 runs added \(0 already present\), 6 results, 3 new commits' out "merge a line"
expect_match '^merged b.db: 3 runs added \(0 already present\), 6 results, 1 new commits' out "merge b line"
expect_eq 6 "$(count "$M" runs)" "runs after merging both"
expect_eq 4 "$(count "$M" commits)" "commits after merging both"
expect_eq 2 "$(count "$M" machines)" "machines after merging both"
expect_eq 3 "$(count "$M" benchmarks)" "one row per benchmark"
expect_eq 60 "$(count "$M" samples)" "samples after merging both"
# each merged run has its result block (schema 0009): a 12-byte header and
# 37 bytes per result, made from the rows merged
expect_eq "6|516" "$(q "$M" "SELECT count(DISTINCT run_id), sum(length(data)) FROM result_blocks WHERE chunk = 0" | tr ',' '|')" "result blocks of the merged runs"
expect_eq "c1 c2 c3 c4" "$(q "$M" "SELECT sha FROM commits ORDER BY seq" | tr '\n' ' ' | sed 's/ $//')" "commit order"
expect_eq "c1" "$(q "$M" "SELECT c.sha FROM baselines b JOIN commits c ON c.id = b.commit_id WHERE b.name = 'rel'")" "baseline copied"
(rows a.db; rows b.db) | sort >want.txt
rows "$M" | sort >got.txt
checks=$((checks + 1))
cmp -s want.txt got.txt || fail "merged history differs from the shards': $(diff want.txt got.txt | head -5)"
expect_eq 'gcc' "$(q "$M" "SELECT DISTINCT CASE WHEN tags = '{\"cc\":\"gcc\"}' THEN 'gcc' ELSE tags END FROM history WHERE machine = 'ci-a'")" "tags kept"

# Idempotent: the same shards again add nothing.
expect_exit 0 "$PERFDB" merge --db "$M" a.db b.db
expect_match '^merged a.db: 0 runs added \(3 already present\), 0 results' out "merge again"
expect_eq 6 "$(count "$M" runs)" "runs after merging again"
expect_eq 60 "$(count "$M" samples)" "samples after merging again"

# A into B, then B into C, then A into C: each run once in C.
cp a.db a2.db
cp b.db b2.db
expect_exit 0 "$PERFDB" merge --db b2.db a2.db
expect_exit 0 "$PERFDB" merge --db "$C" b2.db
expect_exit 0 "$PERFDB" merge --db "$C" a2.db
expect_match '^merged a2.db: 0 runs added \(3 already present\)' out "A into C after B"
expect_eq 6 "$(count "$C" runs)" "runs in C"
rows "$C" | sort >got_c.txt
checks=$((checks + 1))
cmp -s want.txt got_c.txt || fail "A->B->C history differs"

# A baseline name the destination has keeps its commit.
results d9 BM_Sort=100 >d9.json
"$PERFDB" record --db "$D" --commit c9 --machine ci-a d9.json >/dev/null || fail "record d9"
"$PERFDB" baseline set --db "$D" rel c9 >/dev/null || fail "baseline in d"
expect_exit 0 "$PERFDB" merge --db "$D" a.db
expect_eq "c9" "$(q "$D" "SELECT c.sha FROM baselines b JOIN commits c ON c.id = b.commit_id WHERE b.name = 'rel'")" "destination's baseline kept"

# Alerts: an acknowledgement in the shard reaches the destination's open
# alert; the destination's own decision is kept.
for i in $(seq 10 19); do
	lvl=100
	[ "$i" -ge 15 ] && lvl=130
	results "s$i" BM_Step=$lvl >s$i.json
	"$PERFDB" record --db s.db --commit c$i --machine ci-s s$i.json >/dev/null || fail "record s$i"
done
expect_exit 1 "$PERFDB" regress --db s.db --since c10
expect_eq 1 "$(count s.db alerts)" "one alert in the shard"
expect_exit 0 "$PERFDB" merge --db "$E" s.db
expect_eq "open" "$(q "$E" "SELECT status FROM alerts")" "alert copied open"
"$PERFDB" ack --db s.db 1 >/dev/null || fail "ack in the shard"
expect_exit 0 "$PERFDB" merge --db "$E" s.db
expect_eq "acknowledged" "$(q "$E" "SELECT status FROM alerts")" "the shard's decision wins over open"
expect_eq 1 "$(count "$E" alerts)" "still one alert"
"$PERFDB" ack --db "$E" --ignore 1 >/dev/null || fail "ignore in the destination"
expect_exit 0 "$PERFDB" merge --db "$E" s.db
expect_eq "ignored" "$(q "$E" "SELECT status FROM alerts")" "the destination's decision kept"

# A shard recorded before run ids existed (schema 1): its runs get the same
# id in every migrated copy, so merging it twice still copies each once.
cp a.db old.db
sqlite3 old.db "DROP TRIGGER results_insert_blocks; DROP TRIGGER results_update_blocks; DROP TRIGGER results_delete_blocks; DROP TRIGGER runs_delete_blocks; DROP TABLE result_blocks; DROP INDEX runs_uuid; DROP INDEX results_benchmark; ALTER TABLE runs DROP COLUMN uuid; ALTER TABLE runs DROP COLUMN context; ALTER TABLE results DROP COLUMN sample_count; ALTER TABLE results DROP COLUMN sample_median; ALTER TABLE results DROP COLUMN sample_mad; PRAGMA application_id = 0; PRAGMA user_version = 1;" ||
	fail "make a schema-1 shard"
expect_exit 0 "$PERFDB" merge --db "$F" old.db
expect_exit 0 "$PERFDB" merge --db "$F" old.db
expect_match '^merged old.db: 0 runs added \(3 already present\)' out "old shard merged twice"
expect_eq 3 "$(count "$F" runs)" "runs of the old shard"
expect_eq 1 "$(sqlite3 old.db 'PRAGMA user_version')" "the shard itself is not migrated"

# Faults: the destination stays byte for byte what it was.
sum0=$(state "$M")
head -c 65536 /dev/urandom >corrupt.db
expect_exit 3 "$PERFDB" merge --db "$M" corrupt.db
expect_match "corrupt.db" err "corrupt shard named"
sqlite3 foreign.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
expect_exit 2 "$PERFDB" merge --db "$M" foreign.db
expect_match "'foreign.db' is not a perfdb database" err "foreign shard"
cp a.db newer.db
sqlite3 newer.db "PRAGMA user_version = 999;"
expect_exit 3 "$PERFDB" merge --db "$M" newer.db
expect_match "newer than this perfdb" err "newer shard"
expect_exit 2 "$PERFDB" merge --db "$M" nosuch.db
expect_exit 2 "$PERFDB" merge --db "$M"
expect_eq "$sum0" "$(state "$M")" "destination unchanged by refused shards"
expect_eq 1 "$(sqlite3 foreign.db 'SELECT count(*) FROM t')" "foreign shard untouched"
finish
