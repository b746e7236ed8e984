#!/usr/bin/env bash
# Issue 12: `perfdb record` of one big perfdb native JSON or Google Benchmark
# file writes the run a batch (65,536 results) at a time as it reads, in one
# transaction: the run is whole, its metadata the file's under CI's and the
# options', and an error after a batch was written leaves nothing of it.
. "$(dirname "$0")/lib.sh"
H=$(new_db h.db) || exit

# native.json: N results b0..; every 1000th has 3 samples; BAD_AT (when set)
# is the item BAD instead.
native() {
	N=$1 BAD_AT=${2:--1} BAD=${3:-} python3 - <<'PY'
import os
n, bad_at, bad = int(os.environ["N"]), int(os.environ["BAD_AT"]), os.environ["BAD"]
print('{"run": {"commit": "f11e", "branch": "from-file", "tags": {"cc": "gcc"}}, "results": [')
rows = []
for i in range(n):
    if i == bad_at:
        rows.append(bad)
    elif i % 1000 == 0:
        rows.append('{"benchmark": "b%d", "unit": "ms", "samples": [1, 2, 3]}' % i)
    else:
        rows.append('{"benchmark": "b%d", "value": %d}' % (i, i))
print(",\n".join(rows))
print("]}")
PY
}

native 70000 >big.json
expect_exit 0 "$PERFDB" record --db "$H" --commit c1 --machine m1 --tag os=linux big.json
expect_match "^recorded 70000 results \(210 samples\) for c1 on from-file, machine m1, run [0-9]+ in " out "the line counts both batches"
# sum: 0 + ... + 69,999 (2,449,965,000) less the 70 with samples (2,415,000),
# which are 2 ms each (140,000,000 ns)
expect_eq "70000,210,2587550000" "$(sql "$H" "SELECT count(*), (SELECT count(*) FROM samples), sum(value) FROM results" | tr -d '\r')" "every result, once"
expect_eq "c1 from-file native cc=gcc;os=linux" "$(sql "$H" "SELECT c.sha || ' ' || r.branch || ' ' || r.source || ' ' || replace(replace(replace(replace(replace(r.tags, '\"', ''), ':', '='), '{', ''), '}', ''), ',', ';') FROM runs r JOIN commits c ON c.id = r.commit_id" | tr -d '\r')" "the run's metadata: the file's under the options'"

runs() { sql "$H" "SELECT count(*) || '/' || (SELECT count(*) FROM results) FROM runs" | tr -d '\r'; }

# Errors after the first batch (65,536 results) was written: nothing of the run.
native 70000 69000 '{"benchmark": "b69000", "value": "x"}' >bad.json
expect_exit 2 "$PERFDB" record --db "$H" --commit c2 --machine m1 bad.json
expect_eq "perfdb: bad.json:69002:34: field 'results[69000].value': expected a number, got a string (\"x\")" "$(cat err)" "a bad item at 69,000: the reader's message"
expect_eq "1/70000" "$(runs)" "a bad item at 69,000: nothing written"

# (a file of less than a batch gets the reader's message, with the line: the
# reader no longer holds a batch that was written)
native 70000 69000 '{"benchmark": "b5", "value": 1}' >dup.json
expect_exit 2 "$PERFDB" record --db "$H" --commit c2 --machine m1 dup.json
expect_eq "perfdb: benchmark 'b5' metric 'value' appears twice in one run" "$(cat err)" "a result of the first batch again"
expect_eq "1/70000" "$(runs)" "a duplicate across batches: nothing written"

native 70000 69000 '{"benchmark": "b69000", "value": 1x}' >syntax.json
expect_exit 2 "$PERFDB" record --db "$H" --commit c2 --machine m1 syntax.json
expect_eq "perfdb: syntax.json:69002:35: invalid JSON: expected ',' or '}' after an object member" "$(cat err)" "a syntax error at 69,000: the whole reader's message"
expect_eq "1/70000" "$(runs)" "a syntax error at 69,000: nothing written"

# Under CI, CI's commit and branch win over the file's from the first batch on.
GITHUB_ACTIONS=true GITHUB_SHA=ab12cd34ef GITHUB_REF_NAME=main PERFDB_MACHINE=gha \
	expect_exit 0 "$PERFDB" record --db "$H" big.json
expect_match "input says commit 'f11e' but GITHUB_SHA says 'ab12cd34ef'" err "CI: the commit warning"
expect_eq "1" "$(grep -c "GITHUB_SHA says" err)" "CI: the warning once"
expect_match "^recorded 70000 results \(210 samples\) for ab12cd34ef on main, machine gha, run [0-9]+ in " out "CI: the line"
expect_eq "ab12cd34ef,main,gha" "$(sql "$H" "SELECT c.sha, r.branch, m.name FROM runs r JOIN commits c ON c.id = r.commit_id JOIN machines m ON m.id = r.machine_id WHERE c.sha = 'ab12cd34ef'" | tr -d '\r')" "CI: the stored run"

# Google Benchmark: 70,000 benchmarks, each with real_time and cpu_time
# (sum: twice 0 + ... + 69,999, and 70,000 halves).
python3 - <<'PY' >gbench.json
import json
rows = [{"name": "BM_%d" % i, "run_name": "BM_%d" % i, "run_type": "iteration", "repetitions": 1,
         "repetition_index": 0, "threads": 1, "iterations": 10, "real_time": i + 0.5,
         "cpu_time": i, "time_unit": "ns"} for i in range(70000)]
print(json.dumps({"context": {"date": "2026-12-06T10:00:00+00:00", "host_name": "h"}, "benchmarks": rows}))
PY
expect_exit 0 "$PERFDB" record --db "$H" --commit g1 --machine m1 gbench.json
expect_match "^recorded 140000 results \(0 samples\) for g1 on " out "gbench: the line"
expect_eq "140000,4899965000,gbench" "$(sql "$H" "SELECT count(*), sum(value), min(r.source) FROM results JOIN runs r ON r.id = run_id JOIN commits c ON c.id = r.commit_id WHERE c.sha = 'g1'" | tr -d '\r')" "gbench: every result"

# kill -9 while batches are written leaves the whole run or none of it.
native 200000 >many.json
for trial in 1 2 3; do
	"$PERFDB" record --db "$H" --commit "k$trial" --machine m1 many.json >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((trial * 3))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	expect_eq "" "$(sql "$H" "SELECT count(*) FROM results GROUP BY run_id HAVING count(*) NOT IN (70000, 140000, 200000)" | tr -d '\r')" "kill -9, trial $trial: no partial run"
done

finish
