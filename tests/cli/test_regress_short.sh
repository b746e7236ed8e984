#!/usr/bin/env bash
# perfdb regress on a short history of single values, in a real git repository:
# two commits of one value each (a peak heap that doubles) fail the build with
# the threshold alone (method percent, p_value null), because nothing can
# estimate the noise; several single-value runs of one commit pool into
# samples that the statistical tests use; a one-commit dip among the commits
# before the newest is no step; perfdb.yaml sets a method per benchmark.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
unset CHANGE_BRANCH BRANCH_NAME

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com

# commit DIR N: a new commit in repo DIR (committer date N minutes in)
commit() {
	echo "$2" >"$1/f"
	git -C "$1" add f
	GIT_COMMITTER_DATE="2024-01-01T00:$(printf %02d "$2"):00Z" git -C "$1" commit -qm "c$2"
}

# value FILE BENCH UNIT VALUE: a CSV with one value (no samples)
value() {
	printf 'benchmark,metric,unit,value\n%s,peak,%s,%s\n' "$2" "$3" "$4" >"$1"
}

# jget FILE EXPR: evaluates EXPR on the parsed JSON object j
jget() {
	python3 -c '
import json, sys
try:
    j = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception as e:
    print("error: %r" % e)' "$1" "$2"
}

# ---- two commits, one value each: peak heap doubles -------------------------
git init -q -b main two || fail "git init"
commit two 1
value two/r.csv heap B 1000000
(cd two && "$PERFDB" record --db ../two.db --machine ci r.csv >/dev/null) || fail "record 1"
commit two 2
value two/r.csv heap B 2000000
(cd two && "$PERFDB" record --db ../two.db --machine ci r.csv >/dev/null) || fail "record 2"
head=$(git -C two rev-parse HEAD)

cd two || exit 1
expect_exit 1 "$PERFDB" regress --db ../two.db --since HEAD~1 --format json
cp "$T/out" "$T/two.json"
cd "$T" || exit 1
expect_eq 1 "$(jget two.json 'len(j["regressions"])')" "two commits: one regression"
expect_eq percent "$(jget two.json 'j["regressions"][0]["method"]')" "two commits: method"
expect_eq None "$(jget two.json 'j["regressions"][0]["p_value"]')" "two commits: p_value null"
expect_eq "$head" "$(jget two.json 'j["regressions"][0]["commit"]')" "two commits: culprit"
expect_eq 100.0 "$(jget two.json 'round(j["regressions"][0]["change_pct"], 6)')" \
	"two commits: change"
expect_eq 1 "$(jget two.json 'j["failures"]')" "two commits: failures"
# the same without a range: the newest commit against the one before it
cd two || exit 1
expect_exit 1 "$PERFDB" regress --db ../two.db --dry-run
expect_match 'REGRESSION +heap peak on ci: \+100\.0%.*, percent \[alert' "$T/out" "text names the method"
cd "$T" || exit 1

# a change below the threshold is nothing
git init -q -b main small || fail "git init"
commit small 1
value small/r.csv heap B 1000000
(cd small && "$PERFDB" record --db ../small.db --machine ci r.csv >/dev/null) || fail "record"
commit small 2
value small/r.csv heap B 1030000
(cd small && "$PERFDB" record --db ../small.db --machine ci r.csv >/dev/null) || fail "record"
cd small || exit 1
expect_exit 0 "$PERFDB" regress --db ../small.db --since HEAD~1 --format json
cd "$T" || exit 1
expect_eq 0 "$(jget out 'len(j["regressions"]) + len(j["improvements"])')" "3%: nothing"

# ---- a dip at the middle commit of three is not a step at the newest --------
git init -q -b main dip || fail "git init"
i=0
for v in 100 50 100; do
	i=$((i + 1))
	commit dip $i
	value dip/r.csv lat us "$v"
	(cd dip && "$PERFDB" record --db ../dip.db --machine ci r.csv >/dev/null) || fail "record"
done
cd dip || exit 1
expect_exit 0 "$PERFDB" regress --db ../dip.db --since HEAD~1 --format json
cd "$T" || exit 1
expect_eq 0 "$(jget out 'len(j["regressions"]) + len(j["improvements"])')" \
	"100, 50, 100: no step at the newest commit"

# ---- single-value runs of one commit pool into samples ----------------------
git init -q -b main runs || fail "git init"
commit runs 1
for v in 100 101 99 100.5 99.5; do
	value runs/r.csv parse us "$v"
	(cd runs && "$PERFDB" record --db ../runs.db --machine ci r.csv >/dev/null) || fail "record"
done
commit runs 2
for v in 300 301 299 300.5 299.5; do
	value runs/r.csv parse us "$v"
	(cd runs && "$PERFDB" record --db ../runs.db --machine ci r.csv >/dev/null) || fail "record"
done
cd runs || exit 1
for m in mannwhitney ttest auto; do
	expect_exit 1 "$PERFDB" regress --db ../runs.db --since HEAD~1 --method $m --format json
	cp "$T/out" "$T/runs-$m.json"
done
cd "$T" || exit 1
expect_eq mannwhitney "$(jget runs-mannwhitney.json 'j["regressions"][0]["method"]')" \
	"pooled runs: mannwhitney decides"
expect_eq True "$(jget runs-mannwhitney.json 'j["regressions"][0]["p_value"] < 0.01')" \
	"pooled runs: mannwhitney p"
expect_eq ttest "$(jget runs-ttest.json 'j["regressions"][0]["method"]')" "pooled runs: ttest"
expect_eq True "$(jget runs-ttest.json 'j["regressions"][0]["p_value"] < 0.01')" \
	"pooled runs: ttest p"
expect_eq True "$(jget runs-auto.json 'j["regressions"][0]["p_value"] < 0.01')" \
	"pooled runs: auto tests them"
expect_eq 200.0 "$(jget runs-auto.json 'round(j["regressions"][0]["change_pct"], 6)')" \
	"pooled runs: levels are the runs' medians"

# noisy runs that overlap: the test says no, though the medians differ by 8%
git init -q -b main noisy || fail "git init"
commit noisy 1
for v in 100 80 120 95 105; do
	value noisy/r.csv parse us "$v"
	(cd noisy && "$PERFDB" record --db ../noisy.db --machine ci r.csv >/dev/null) || fail "record"
done
commit noisy 2
for v in 108 88 128 103 113; do
	value noisy/r.csv parse us "$v"
	(cd noisy && "$PERFDB" record --db ../noisy.db --machine ci r.csv >/dev/null) || fail "record"
done
cd noisy || exit 1
expect_exit 0 "$PERFDB" regress --db ../noisy.db --since HEAD~1 --format json
cd "$T" || exit 1

# ---- perfdb.yaml: a method per benchmark --------------------------------------
cat >runs/perfdb.yaml <<'EOF'
benchmarks:
  - match: "pars*"
    method: ttest
EOF
cd runs || exit 1
expect_exit 1 "$PERFDB" regress --db ../runs.db --since HEAD~1 --method mannwhitney --format json
cd "$T" || exit 1
expect_eq ttest "$(jget out 'j["regressions"][0]["method"]')" "per-benchmark method wins"
cat >runs/perfdb.yaml <<'EOF'
benchmarks:
  - match: "pars*"
    method: fast
EOF
cd runs || exit 1
expect_exit 2 "$PERFDB" regress --db ../runs.db --since HEAD~1
expect_match "perfdb.yaml:3:13: .*method" "$T/err" "bad method: file, line, column"
cd "$T" || exit 1

finish
