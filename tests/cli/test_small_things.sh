#!/usr/bin/env bash
# Small things people notice: list commits cuts a 520-character subject to
# the terminal's width (CSV and JSON keep it whole); the SVG labels steps
# with short shas, not 40 hex digits; a detached HEAD outside CI records an
# empty branch and says so, while on CI the branch comes from CI variables.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
command -v python3 >/dev/null || skip "python3 missing"
unset CHANGE_BRANCH BRANCH_NAME COLUMNS

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com
git init -q -b main repo || fail "git init"
cd repo || exit 1

results() {
	python3 - "$@" <<'PY'
import json, random, sys
rnd = random.Random(sys.argv[1])
print(json.dumps({"results": [{"benchmark": "BM_Svg", "unit": "us",
    "samples": [float(sys.argv[2]) * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]}]}))
PY
}

long=$(python3 -c 'print("Make the decompressor faster " * 18 + "end")')
expect_eq 525 "${#long}" "a long subject"
for i in $(seq 0 11); do
	echo "$i" >f
	git add f
	if [ "$i" = 3 ]; then git commit -qm "$long"; else git commit -qm "commit $i"; fi
	lvl=100
	[ "$i" -ge 8 ] && lvl=140
	results "$i" "$lvl" >../r.json
	"$PERFDB" record --db ../h.db --machine m ../r.json >/dev/null || fail "record $i"
done

# list commits: cut to the width on a terminal ($COLUMNS), whole in CSV/JSON
COLUMNS=100 expect_exit 0 "$PERFDB" list --db ../h.db commits
python3 - "$T/out" <<'PY' || fail "list commits: cut to 100 columns"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert max(len(l) for l in lines) <= 100, max(len(l) for l in lines)
assert any(l.rstrip().endswith("\u2026") or "\u2026 " in l for l in lines), lines
PY
COLUMNS=100 expect_exit 0 "$PERFDB" list --db ../h.db commits --format csv
expect_match "$long" "$T/out" "list commits: CSV keeps the whole subject"
COLUMNS=100 expect_exit 0 "$PERFDB" list --db ../h.db commits --format json
python3 - "$T/out" "$long" <<'PY' || fail "list commits: JSON keeps the whole subject"
import json, sys
assert any(c["subject"] == sys.argv[2] for c in json.load(open(sys.argv[1])))
PY

# the SVG: a step labelled with a short sha
expect_exit 0 "$PERFDB" trend --db ../h.db --svg ../t.svg
culprit=$(git rev-parse HEAD~3)
expect_match "\+[0-9.]+% ${culprit:0:12}<" ../t.svg "svg: short sha"
expect_no_match "$culprit" ../t.svg "svg: no 40-character sha"

# a detached HEAD outside CI: the branch is left empty, and said so
git checkout -q --detach HEAD
echo x >g
git add g
git commit -qm detached
results d 140 >../r.json
expect_exit 0 "$PERFDB" record --db ../h.db --machine m ../r.json
expect_match 'on no branch \(left empty: a detached HEAD outside CI; --branch NAME names it\)' \
	"$T/out" "detached: said so"
expect_eq "" "$(sql ../h.db "SELECT coalesce(branch, '') FROM runs ORDER BY id DESC LIMIT 1" |
	tr -d '\r')" "detached: empty branch"
# on CI, the branch comes from the CI's variables
GITHUB_ACTIONS=true GITHUB_REF_NAME=main GITHUB_SHA=$(git rev-parse HEAD) \
	expect_exit 0 "$PERFDB" record --db ../h.db --machine m ../r.json
expect_match ' on main, machine m' "$T/out" "CI: the branch from GITHUB_REF_NAME"

finish
