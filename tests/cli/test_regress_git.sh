#!/usr/bin/env bash
# perfdb regress, trend and record against a real git repository: --since a
# branch that moved on after the checked branch forked from it, --since and
# --until revisions nobody benchmarked, a benchmark added mid-history on the
# trend's commit axis, and commit/branch from CI variables that only git can
# turn into a sha.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
unset CHANGE_BRANCH BRANCH_NAME

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com
git init -q -b main repo || fail "git init"
cd repo || exit 1

# level BENCH=LEVEL...: a native results file with 5 seeded samples each
results() {
	python3 - "$@" <<'PY'
import json, random, sys
seed = sys.argv[1]
rnd = random.Random(seed)
res = []
for arg in sys.argv[2:]:
    name, level = arg.split("=")
    res.append({"benchmark": name, "unit": "us",
                "samples": [float(level) * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]})
print(json.dumps({"results": res}))
PY
}

# main: 24 commits; BM_Sort steady; BM_New appears at commit 16.
# Commits 10 and 11 are never benchmarked.
for i in $(seq 0 23); do
	echo "$i" >f
	git add f
	GIT_COMMITTER_DATE="2024-01-01T00:$(printf %02d "$i"):00Z" git commit -qm "main $i"
	[ "$i" = 10 ] || [ "$i" = 11 ] && continue
	if [ "$i" -ge 16 ]; then
		results "m$i" BM_Sort=100 BM_New=50 >r.json
	else
		results "m$i" BM_Sort=100 >r.json
	fi
	"$PERFDB" record --db ../h.db --machine ci r.json >/dev/null || fail "record main $i"
done

# a branch forked at main 19, 3 commits, BM_Sort 30% slower from its second
git checkout -q -b feat HEAD~4
for i in 1 2 3; do
	echo "f$i" >g
	git add g
	git commit -qm "feat $i"
	lvl=100
	[ "$i" -ge 2 ] && lvl=130
	results "f$i" BM_Sort=$lvl BM_New=50 >r.json
	"$PERFDB" record --db ../h.db --machine ci r.json >/dev/null || fail "record feat $i"
done
fork=$(git merge-base main feat)
culprit=$(git rev-parse HEAD~1)

# --since main: main has moved on since the fork; the range starts after it
expect_exit 1 "$PERFDB" regress --db ../h.db --dry-run --since main --format json
python3 - "$T/out" "$fork" "$culprit" <<'PY' || fail "--since a branch that moved on"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["since"] == sys.argv[2], doc["since"]
(r,) = doc["regressions"]
assert r["benchmark"] == "BM_Sort" and r["commit"] == sys.argv[3], r
PY

# --since a commit nobody benchmarked: the commits after it on this branch
git checkout -q main
expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since HEAD~13 --format json
python3 - "$T/out" "$(git rev-parse HEAD~13)" <<'PY' || fail "--since an unrecorded commit"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["since"] == sys.argv[2], doc
assert doc["series_checked"] == 2 and doc["baseline"]["window"] == 10, doc
PY
# --until one too: the newest benchmarked commit at or before it
expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since HEAD~20 --until HEAD~12 \
	--format json
python3 - "$T/out" "$(git rev-parse HEAD~14)" <<'PY' || fail "--until an unrecorded commit"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["until"] == sys.argv[2], doc
PY
# a revision git does not know stays an error
expect_exit 2 "$PERFDB" regress --db ../h.db --dry-run --since nosuchrev
expect_match "no results recorded for revision 'nosuchrev'" "$T/err" "unknown --since"

# trend: every series on one commit axis; BM_New starts 14 cells in (22
# benchmarked commits, BM_New from the 15th of them)
expect_exit 0 "$PERFDB" trend --db ../h.db --svg ../t.svg
sort_line=$(grep '^BM_Sort' "$T/out")
new_line=$(grep '^BM_New' "$T/out")
python3 - "$sort_line" "$new_line" ../t.svg <<'PY' || fail "trend axis"
import sys, xml.etree.ElementTree as ET
sort_line, new_line = sys.argv[1], sys.argv[2]
bars = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
def cells(line):
    start = min(i for i, ch in enumerate(line) if ch in bars)
    return start, line.rstrip()
s0, _ = cells(sort_line)
n0, _ = cells(new_line)
assert n0 - s0 == 14, (s0, n0)
# the values column lines up
assert sort_line.index(" µs") == new_line.index(" µs"), (sort_line, new_line)
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[3]).getroot()
lines = [p.get("points").split() for p in root.iter(ns + "polyline")]
assert len(lines) == 2, len(lines)
last_x = {float(pts[-1].split(",")[0]) for pts in lines}
assert len(last_x) == 1, last_x  # both end at the newest commit
first_x = sorted(float(pts[0].split(",")[0]) for pts in lines)
assert first_x[1] > first_x[0] + 300, first_x  # BM_New starts mid-chart
PY

# record: a symbolic commit from CI that git cannot resolve is refused
cd "$T" || exit 1
results x BM_Sort=1 >r.json
expect_exit 2 env BUILDKITE=true BUILDKITE_COMMIT=HEAD BUILDKITE_BRANCH=main \
	"$PERFDB" record --db ci.db r.json
expect_match "cannot resolve revision 'HEAD'" "$T/err" "BUILDKITE_COMMIT=HEAD outside git"
expect_exit 2 "$PERFDB" record --db ci.db --commit 'main~2' r.json
[ ! -e ci.db ] || [ "$(sql ci.db 'SELECT count(*) FROM runs')" = 0 ] || fail "nothing recorded"
# inside the repository it is resolved to the full sha
(cd repo && env BUILDKITE=true BUILDKITE_COMMIT=HEAD BUILDKITE_BRANCH=main \
	"$PERFDB" record --db ../ci.db ../r.json >/dev/null) || fail "BUILDKITE_COMMIT=HEAD in git"
expect_eq "$(git -C repo rev-parse HEAD)" "$(sql ci.db 'SELECT sha FROM commits' | tr -d '\r')" "HEAD resolved"
# Jenkins: a change request's branch is CHANGE_BRANCH, not BRANCH_NAME=PR-5
expect_exit 0 env JENKINS_URL=http://ci GIT_COMMIT=abc123 BRANCH_NAME=PR-5 \
	CHANGE_BRANCH=feature/x "$PERFDB" record --db j.db r.json
expect_eq "feature/x" "$(sql j.db 'SELECT branch FROM runs' | tr -d '\r')" "jenkins change branch"

# outside git, a history backfilled with --time in any order is in time order
for i in 3 1 2 0 5 4; do
	lvl=100
	[ "$i" -ge 3 ] && lvl=150
	printf '{"results": [{"benchmark": "B", "unit": "ms", "value": %s}]}\n' "$lvl" >b.json
	"$PERFDB" record --db bf.db --commit "c$i" --time "2024-01-0$((i + 1))T00:00:00Z" b.json \
		>/dev/null || fail "backfill c$i"
done
expect_exit 1 "$PERFDB" regress --db bf.db --since c0 --method percent --dry-run
expect_match 'at c3, percent' "$T/out" "backfilled order: the culprit is the first slow commit"
expect_match 'commits after c0 up to c5 \(recorded order\)' "$T/out" "backfilled range"

# markdown: a '|' in a benchmark name is escaped, so the table keeps its columns
for i in 0 1 2 3 4 5 6 7; do
	lvl=100
	[ "$i" -ge 4 ] && lvl=130
	results "p$i" "BM_a|b=$lvl" >p.json
	"$PERFDB" record --db pipe.db --commit "p$i" p.json >/dev/null || fail "record p$i"
done
expect_exit 1 "$PERFDB" regress --db pipe.db --since p1 --dry-run --format markdown
expect_match '^\| `BM_a\\\|b` \| `value` \| ' "$T/out" "markdown pipe escaped"

finish
