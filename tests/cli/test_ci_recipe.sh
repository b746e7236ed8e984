#!/usr/bin/env bash
# README's GitHub Actions recipe, played step by step against a local git
# history: the `perfdb` run: lines are taken from README's ci-recipe block as
# written, and run under `bash -e` as Actions runs them. Two benchmark jobs
# record at once into their own shards; the verdict job restores the cached
# history, merges the shards and gives the verdict. Pushes to main (where
# --since origin/main is the pushed commit itself) and a pull request (a merge
# commit whose first parent is main's tip) both gate: a regression fails the
# job, and the Markdown summary and the JUnit file are both written anyway.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
command -v python3 >/dev/null || skip "python3 missing"
: "${PERFDB_SOURCE_DIR:?}"
unset GITHUB_EVENT_NAME GITHUB_BASE_REF CHANGE_BRANCH BRANCH_NAME

export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com

# the recipe's perfdb steps: "bench" (per suite) and "verdict" lines
python3 - "$PERFDB_SOURCE_DIR/README.md" >steps.txt <<'PY' || fail "README has no ci-recipe block"
import re, sys
text = open(sys.argv[1]).read()
block = text.split("<!-- ci-recipe -->", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
job = None
for line in block.splitlines():
    m = re.match(r"^  (\w+):$", line)
    if m:
        job = m.group(1)
    m = re.match(r"^\s+- run: (perfdb .*)$", line)
    if m:
        print(job + "\t" + m.group(1))
PY
expect_eq 3 "$(wc -l <steps.txt | tr -d ' ')" "perfdb steps in README's recipe"
expect_match '^bench	perfdb record ' steps.txt "the bench job records"
expect_match '^verdict	perfdb merge ' steps.txt "the verdict job merges"
expect_match '^verdict	perfdb regress .*--output.*--output' steps.txt "one regress call, two outputs"

mkdir bin
ln -s "$PERFDB" bin/perfdb
export PATH="$T/bin:$PATH"

git init -q --bare origin.git
git init -q -b main work
cd work || exit 1
git remote add origin ../origin.git

# bench_results SUITE SEED LEVEL: Google Benchmark-like native results, 5 samples
bench_results() {
	python3 - "$@" <<'PY'
import json, random, sys
suite, seed, level = sys.argv[1], sys.argv[2], float(sys.argv[3])
rnd = random.Random(suite + seed)
print(json.dumps({"results": [{"benchmark": "BM_" + suite, "unit": "us",
    "samples": [level * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]}]}))
PY
}

# run_step JOB_DIR CMD: one run: step, as Actions runs it (bash -e)
run_step() {
	(cd "$1" && bash -e -c "$2")
}

# workflow EVENT LEVEL_CORE LEVEL_IO: one workflow run on the checked-out
# HEAD. Each job has its own workspace (a fresh checkout); the cache holds
# perfdb.db between runs. Sets $verdict_rc.
workflow() {
	local event=$1 core=$2 io=$3 sha branch job suite cmd
	sha=$(git rev-parse HEAD)
	branch=main
	[ "$event" = pull_request ] && branch=feature
	rm -rf ../jobs && mkdir -p ../jobs/artifacts ../jobs/verdict
	export GITHUB_ACTIONS=true CI=true GITHUB_SHA=$sha GITHUB_EVENT_NAME=$event
	if [ "$event" = pull_request ]; then
		export GITHUB_HEAD_REF=$branch GITHUB_REF_NAME=42/merge
	else
		export GITHUB_HEAD_REF= GITHUB_REF_NAME=main
	fi
	# the bench jobs' checkouts (each runner has its own), then the jobs,
	# concurrently
	for suite in core io; do
		mkdir -p "../jobs/$suite"
		git worktree add -q --detach "../jobs/$suite/ws" "$sha" 2>/dev/null ||
			fail "checkout for $suite"
	done
	for suite in core io; do
		(
			lvl=$core
			[ "$suite" = io ] && lvl=$io
			bench_results "$suite" "$sha" "$lvl" >"../jobs/$suite/ws/bench.json"
			grep '^bench	' ../steps.txt | cut -f2 | sed "s/\${{ matrix.suite }}/$suite/g" |
				while IFS= read -r cmd; do
					run_step "../jobs/$suite/ws" "$cmd" >/dev/null 2>"../jobs/$suite/err" ||
						echo "bench $suite: '$cmd' failed: $(cat "../jobs/$suite/err")" \
							>>../jobs/errors
				done
			cp "../jobs/$suite/ws/shard-$suite.db" ../jobs/artifacts/ 2>/dev/null
		) &
	done
	wait
	for suite in core io; do
		git worktree remove --force "../jobs/$suite/ws"
	done
	[ -s ../jobs/errors ] && fail "$(cat ../jobs/errors)"
	# the verdict job
	git worktree add -q --detach ../jobs/verdict/ws "$sha" 2>/dev/null
	[ -f ../cache/perfdb.db ] && cp ../cache/perfdb.db ../jobs/verdict/ws/
	cp ../jobs/artifacts/shard-*.db ../jobs/verdict/ws/
	export GITHUB_STEP_SUMMARY="$T/jobs/verdict/summary.md"
	: >"$GITHUB_STEP_SUMMARY"
	verdict_rc=0
	while IFS= read -r cmd; do
		run_step ../jobs/verdict/ws "$cmd" >"$T/jobs/verdict/out" 2>"$T/jobs/verdict/err" || {
			verdict_rc=$?
			break
		}
	done < <(grep '^verdict	' ../steps.txt | cut -f2)
	cp ../jobs/verdict/ws/perfdb-junit.xml ../jobs/verdict/ 2>/dev/null
	# cache/save: if: always() && github.event_name == 'push'
	if [ "$event" = push ]; then
		mkdir -p ../cache
		cp ../jobs/verdict/ws/perfdb.db ../cache/perfdb.db
	fi
	git worktree remove --force ../jobs/verdict/ws
	unset GITHUB_ACTIONS CI GITHUB_SHA GITHUB_EVENT_NAME GITHUB_HEAD_REF GITHUB_REF_NAME \
		GITHUB_STEP_SUMMARY
}

# push COMMIT_MSG LEVEL_CORE LEVEL_IO: a commit on main, pushed; the workflow
push() {
	echo "$1" >>f
	git add f
	git commit -qm "$1"
	git push -q origin main
	git fetch -q origin
	workflow push "$2" "$3"
}

# 12 quiet pushes to main: each passes, and checks 2 series (never "0 series")
for i in $(seq 1 12); do
	push "main $i" 100 200
	expect_eq 0 "$verdict_rc" "quiet push $i: verdict exit code ($(cat ../jobs/verdict/err))"
done
expect_match '^### perfdb: no regression' ../jobs/verdict/summary.md "quiet push: summary"
expect_match '2 series checked against the 11 commits before, the newest commit' \
	../jobs/verdict/summary.md "quiet push: the pushed commit is checked"
expect_match 'tests="2" failures="0"' ../jobs/verdict/perfdb-junit.xml "quiet push: junit"
expect_eq 12 "$(sql ../cache/perfdb.db 'SELECT count(DISTINCT commit_id) FROM runs' | tr -d '\r')" \
	"the cached history holds every pushed commit"
expect_eq 24 "$(sql ../cache/perfdb.db 'SELECT count(*) FROM runs' | tr -d '\r')" \
	"two shard runs merged per commit"

# a pull request: a branch off main whose commit makes BM_io 30% slower.
# GitHub checks out the merge commit (first parent: main's tip).
git checkout -q -b feature
echo pr >g
git add g
git commit -qm "feature: slower io"
git push -q origin feature
git checkout -q --detach origin/main
git merge -q --no-ff -m "Merge feature into main" feature
merge=$(git rev-parse HEAD)
workflow pull_request 100 260
expect_eq 1 "$verdict_rc" "PR with a regression: verdict exit code"
expect_match '^### perfdb: 1 regression' ../jobs/verdict/summary.md "PR: summary written"
expect_match "${merge:0:12}" ../jobs/verdict/summary.md "PR: the merge commit is named"
expect_match 'BM_io' ../jobs/verdict/summary.md "PR: the benchmark is named"
expect_match 'tests="2" failures="1"' ../jobs/verdict/perfdb-junit.xml \
	"PR: junit written although regress exited 1"
expect_match '<failure type="regression"' ../jobs/verdict/perfdb-junit.xml "PR: junit failure"
expect_eq 12 "$(sql ../cache/perfdb.db 'SELECT count(DISTINCT commit_id) FROM runs' | tr -d '\r')" \
	"a PR does not add to main's cached history"

# a quiet pull request passes
git checkout -q --detach origin/main
git merge -q --no-ff -m "Merge feature2 into main" "$(git commit-tree -p origin/main -m quiet \
	"$(git rev-parse 'origin/main^{tree}')")"
workflow pull_request 100 200
expect_eq 0 "$verdict_rc" "quiet PR: verdict exit code ($(cat ../jobs/verdict/err))"

# a regression merged straight to main: on the push, --since origin/main is
# the pushed commit. An empty range used to print "0 series checked" and
# pass; the pushed commit is checked against its window and fails the job.
git checkout -q main
push "main slower core" 130 200
expect_eq 1 "$verdict_rc" "push of a regression to main: verdict exit code"
expect_match '^### perfdb: 1 regression' ../jobs/verdict/summary.md "push: summary written"
expect_match "$(git rev-parse --short=12 HEAD)" ../jobs/verdict/summary.md \
	"push: the pushed commit is named"
expect_match 'BM_core' ../jobs/verdict/summary.md "push: the benchmark is named"
expect_match 'tests="2" failures="1"' ../jobs/verdict/perfdb-junit.xml \
	"push: junit written although regress exited 1"
expect_eq 13 "$(sql ../cache/perfdb.db 'SELECT count(DISTINCT commit_id) FROM runs' | tr -d '\r')" \
	"the push's runs are cached even though the job failed"

# and with JSON, the report says the range after --since was empty
perfdb regress --db ../cache/perfdb.db --dry-run --since origin/main --format json >../j.json
python3 - ../j.json "$(git rev-parse HEAD)" <<'PY' || fail "json: since_is_end"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["since_is_end"] is True, doc
assert doc["until"] == sys.argv[2] and doc["series_checked"] == 2, doc
assert doc["failures"] == 1 and doc["regressions"][0]["benchmark"] == "BM_core", doc
PY

finish
