#!/usr/bin/env bash
# A finding names a range, not a single culprit, when commits were skipped:
# snappy's ZFlat improvement was credited to the first benchmarked commit
# after four that nobody benchmarked. The finding names the first and last
# candidate and their count, and the commit to benchmark next (bisection, as
# asv find); without git, the recorded commits that lack the series.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
command -v python3 >/dev/null || skip "python3 missing"

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com
git init -q -b main repo || fail "git init"
cd repo || exit 1

results() {
	python3 - "$@" <<'PY'
import json, random, sys
rnd = random.Random(sys.argv[1])
print(json.dumps({"results": [{"benchmark": "BM_ZFlat/0/1", "unit": "us",
    "samples": [float(sys.argv[2]) * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]}]}))
PY
}

# 24 commits; 15..18 are not benchmarked; ZFlat is 30% faster from 19 on
for i in $(seq 0 23); do
	echo "$i" >f
	git add f
	git commit -qm "commit $i"
	[ "$i" -ge 15 ] && [ "$i" -le 18 ] && continue
	lvl=100
	[ "$i" -ge 19 ] && lvl=70
	results "$i" "$lvl" >../r.json
	"$PERFDB" record --db ../h.db --machine ci ../r.json >/dev/null || fail "record $i"
done
sha() { git rev-parse "HEAD~$((23 - $1))"; }

expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since "$(sha 10)" --format json
python3 - "$T/out" "$(sha 15)" "$(sha 19)" "$(sha 16)" <<'PY' || fail "json range"
import json, sys
d = json.load(open(sys.argv[1]))
(f,) = d["improvements"]
assert f["commit"] == sys.argv[3], f
r = f["range"]
assert r == {"first": sys.argv[2], "last": sys.argv[3], "count": 5, "bisect_next": sys.argv[4]}, r
PY

expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since "$(sha 10)"
expect_match "^             one of 5 commits $(git rev-parse --short=12 "$(sha 15)")\.\.$(git rev-parse --short=12 "$(sha 19)") \(not benchmarked between\); benchmark $(git rev-parse --short=12 "$(sha 16)") next$" \
	"$T/out" "text: the range and the next commit to benchmark"
expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since "$(sha 10)" --format markdown
expect_match "\| \`$(git rev-parse --short=12 "$(sha 15)")\`\.\.\`$(git rev-parse --short=12 "$(sha 19)")\` \(5 commits\) \|" \
	"$T/out" "markdown: the range"

# perfdb bisect-plan: the commit to benchmark next, as asv find bisects
expect_exit 0 "$PERFDB" bisect-plan --db ../h.db --since "$(sha 10)"
expect_eq "improvement BM_ZFlat/0/1 value: 5 candidates $(git rev-parse --short=12 "$(sha 15)")..$(git rev-parse --short=12 "$(sha 19)"), benchmark $(git rev-parse --short=12 "$(sha 16)") next" \
	"$(cat "$T/out")" "bisect-plan: text"
expect_exit 0 "$PERFDB" bisect-plan --db ../h.db --since "$(sha 10)" --format json
python3 - "$T/out" "$(sha 15)" "$(sha 19)" "$(sha 16)" <<'PY' || fail "bisect-plan json"
import json, sys
(p,) = json.load(open(sys.argv[1]))
assert (p["first"], p["last"], p["count"], p["next"]) == (sys.argv[2], sys.argv[3], 5, sys.argv[4]), p
assert p["metrics"] == ["value"] and p["kind"] == "improvement", p
PY

# benchmark the suggested commit (it has the new level): the range halves
git checkout -q "$(sha 16)"
results 16b 70 >../r.json
"$PERFDB" record --db ../h.db --machine ci ../r.json >/dev/null || fail "record 16"
git checkout -q main
expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since "$(sha 10)" --format json
python3 - "$T/out" "$(sha 15)" "$(sha 16)" <<'PY' || fail "json range after bisecting"
import json, sys
d = json.load(open(sys.argv[1]))
(f,) = d["improvements"]
assert f["commit"] == sys.argv[3], f
assert f["range"] == {"first": sys.argv[2], "last": sys.argv[3], "count": 2,
                      "bisect_next": sys.argv[2]}, f["range"]
PY

expect_exit 0 "$PERFDB" bisect-plan --db ../h.db --since "$(sha 10)"
expect_match "2 candidates .*, benchmark $(git rev-parse --short=12 "$(sha 15)") next$" "$T/out" \
	"bisect-plan after one step: the last candidate"

# a step whose commit follows a measured one: a single culprit
expect_exit 0 "$PERFDB" regress --db ../h.db --dry-run --since "$(sha 10)" --format json --no-git
python3 - "$T/out" <<'PY' || fail "json single culprit"
import json, sys
d = json.load(open(sys.argv[1]))
(f,) = d["improvements"]
assert f["range"]["count"] == 1 and f["range"]["bisect_next"] is None, f["range"]
assert f["range"]["first"] == f["commit"], f["range"]
PY

finish
