#!/usr/bin/env bash
# Issue 12: `perfdb record` of a big CSV file reads it through a window in
# three passes and writes the run a batch (65,536 results) at a time as the
# last pass makes results, in one transaction: every result once, the rows
# of a repeated key as one result's samples, and an error found after a
# batch was written leaves nothing of the run.
. "$(dirname "$0")/lib.sh"
H=$(new_db h.db) || exit

# big.csv: N rows b0,0 .. (unit ns), and "loop" every 10,000th row (its
# samples); BAD_AT (when set) is the row BAD instead.
rows() {
	N=$1 BAD_AT=${2:--1} BAD=${3:-} python3 - <<'PY'
import os
n, bad_at, bad = int(os.environ["N"]), int(os.environ["BAD_AT"]), os.environ["BAD"]
print("benchmark,value,unit")
for i in range(n):
    print(bad if i == bad_at else "b%d,%d,ns" % (i, i))
    if i % 10000 == 0:
        print("loop,%d,ms" % (i // 10000 + 1))
PY
}

rows 70000 >big.csv
expect_exit 0 "$PERFDB" record --db "$H" --commit c1 --machine m1 big.csv
expect_match "^recorded 70001 results \(7 samples\) for c1 on [^,]*, machine m1, run [0-9]+ in " out "both batches, and the repeated key once"
# 0 + ... + 69,999 = 2,449,965,000, and loop: the mean of 1..7 ms
expect_eq "70001,7,2453965000" "$(sql "$H" "SELECT count(*), (SELECT count(*) FROM samples), sum(value) FROM results" | tr -d '\r')" "every result, once"
expect_eq "1000000|7000000" "$(sql "$H" "SELECT CAST(min(value) AS INTEGER) || '|' || CAST(max(value) AS INTEGER) FROM samples" | tr -d '\r')" "the loop's samples, in ns"

runs() { sql "$H" "SELECT count(*) || '/' || (SELECT count(*) FROM results) FROM runs" | tr -d '\r'; }

# A row that only fails once its result is made (out of range in ns), after
# the first batch was written: the reader's message, nothing of the run.
rows 70000 69000 'b69000,1e300,s' >bad.csv
expect_exit 2 "$PERFDB" record --db "$H" --commit c2 --machine m1 bad.csv
expect_eq "perfdb: bad.csv:69009:1: field 'value': a number is out of range once converted from 's' to the base unit" "$(cat err)" "out of range at row 69,000"
expect_eq "1/70001" "$(runs)" "an error after a batch was written: nothing written"

# A unit conflict 60,000 rows after the key's first row: found before any
# result is made, at its line.
rows 70000 60000 'loop,9,us' >unit.csv
expect_exit 2 "$PERFDB" record --db "$H" --commit c2 --machine m1 unit.csv
expect_eq "perfdb: unit.csv:60008:8: field 'unit': unit 'us' differs from 'ms' on line 3 for benchmark 'loop', metric 'value'" "$(cat err)" "a unit conflict far apart"
expect_eq "1/70001" "$(runs)" "a unit conflict: nothing written"

# The same file on standard input (redirected, so read through the window too).
expect_exit 0 "$PERFDB" record --db "$H" --commit c3 --machine m1 - <big.csv
expect_match "^recorded 70001 results \(7 samples\) for c3" out "standard input from the file"
expect_eq "2/140002" "$(runs)" "standard input: the run"
finish
