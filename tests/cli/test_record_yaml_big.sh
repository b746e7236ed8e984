#!/usr/bin/env bash
# Issue 12: `perfdb record` of a big native YAML file reads it by name, never
# whole (libyaml through a window, once for each pass): by name, from a pipe
# (more than 4 MiB: spooled to a temporary file) and redirected from the
# file, the same run; an error near the end names the same line and column
# every way, and leaves nothing of the run.
. "$(dirname "$0")/lib.sh"
H=$(new_db h.db) || exit

# big.yaml: a result of N samples (flow style, or block style when BLOCK),
# then a result c; BAD (when set) is the last sample instead.
gen() {
	N=$1 BLOCK=${2:-} BAD=${3:-} python3 - <<'PY'
import os, sys
n, block, bad = int(os.environ["N"]), os.environ["BLOCK"], os.environ["BAD"]
w = sys.stdout.write
w("results:\n- benchmark: big\n  unit: us\n  samples:%s" % ("\n" if block else " ["))
for i in range(n):
    v = bad if bad and i == n - 1 else "%d.%d" % (1 + i % 97, i % 10)
    w("  - %s\n" % v if block else ("%s%s" % (", " if i else "", v)))
w("%s- {benchmark: c, value: 3}\n" % ("" if block else "]\n"))
PY
}

# cat FILE | perfdb ARGS...
piped() {
	cat "$1" | "$PERFDB" "${@:2}"
}

gen 800000 >big.yaml
gen 500000 block >block.yaml
runs() { sql "$H" "SELECT count(*) || '/' || (SELECT count(*) FROM results) || '/' || (SELECT count(*) FROM samples) FROM runs" | tr -d '\r'; }

expect_exit 0 "$PERFDB" record --db "$H" --commit c1 --machine m1 big.yaml
expect_match "^recorded 2 results \(800000 samples\) for c1 " out "by name"
expect_exit 0 "$PERFDB" record --db "$H" --commit c2 --machine m1 - <big.yaml
expect_match "^recorded 2 results \(800000 samples\) for c2 " out "redirected"
expect_exit 0 piped big.yaml record --db "$H" --commit c3 --machine m1 -
expect_match "^recorded 2 results \(800000 samples\) for c3 " out "from a pipe"
expect_exit 0 "$PERFDB" record --db "$H" --commit c4 --machine m1 block.yaml
expect_match "^recorded 2 results \(500000 samples\) for c4 " out "block style"
expect_eq "4/8/2900000" "$(runs)" "every run, every sample"
# 1 + (i % 97) + (i % 10) / 10 us, in ns: the first and the last sample
expect_eq "1000|97900" "$(sql "$H" "SELECT CAST(min(value) AS INTEGER) || '|' || CAST(max(value) AS INTEGER) FROM samples" | tr -d '\r')" "the samples' values, in ns"

# A bad last sample: its place read again from the file.
gen 800000 "" .nan >bad.yaml
want="bad.yaml:4:4725775: field 'results[0].samples[799999]': NaN is not a measurement"
expect_exit 2 "$PERFDB" record --db "$H" --commit c5 --machine m1 bad.yaml
expect_eq "perfdb: $want" "$(cat err)" "by name"
expect_exit 2 "$PERFDB" record --db "$H" --commit c5 --machine m1 - <bad.yaml
expect_eq "perfdb: ${want/bad.yaml/<stdin>}" "$(cat err)" "redirected"
expect_exit 2 piped bad.yaml record --db "$H" --commit c5 --machine m1 -
expect_eq "perfdb: ${want/bad.yaml/<stdin>}" "$(cat err)" "from a pipe"
expect_eq "4/8/2900000" "$(runs)" "an error: nothing written"
finish
