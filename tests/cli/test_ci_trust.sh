#!/usr/bin/env bash
# Issue 12: on CI the commit, branch, machine and time of a run are the CI's,
# not what the result file (written by the job's code, which a pull request
# controls) claims; a file that disagrees is warned about; options win over both.
. "$(dirname "$0")/lib.sh"
data="$PERFDB_TEST_DATA"
pr=1111111111111111111111111111111111111111
claimed=3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 # run.commit of full.json

q() { sql "$1" "$2" | tr -d '\r'; }
run_q() { q ci.db "SELECT c.sha || '|' || r.branch || '|' || m.name || '|' || substr(r.started_at, 1, 4) FROM runs r JOIN commits c ON c.id = r.commit_id JOIN machines m ON m.id = r.machine_id ORDER BY r.id DESC LIMIT 1"; }

# Without CI the file's own metadata is used (a trusted local import).
expect_exit 0 "$PERFDB" record --db local.db "$data/native/full.json"
expect_eq "$claimed|main|ci-runner-7" \
	"$(q local.db "SELECT c.sha || '|' || r.branch || '|' || m.name FROM runs r JOIN commits c ON c.id = r.commit_id JOIN machines m ON m.id = r.machine_id")" \
	"no CI: the file's metadata"

# Under GitHub Actions GITHUB_SHA and the branch win over the file, with warnings.
export GITHUB_ACTIONS=true GITHUB_SHA=$pr GITHUB_HEAD_REF=feature GITHUB_REF_NAME=42/merge PERFDB_MACHINE=gha
expect_exit 0 "$PERFDB" record --db ci.db "$data/native/full.json"
expect_eq "$pr|feature|gha|$(date -u +%Y)" "$(run_q)" "GitHub Actions: CI metadata wins"
expect_match "input says commit '$claimed' but GITHUB_SHA says '$pr'" err "commit warning"
expect_match "input says branch 'main' but GITHUB_HEAD_REF says 'feature'" err "branch warning"
expect_match "input says machine 'ci-runner-7' but PERFDB_MACHINE says 'gha'" err "machine warning"
expect_eq "0" "$(q ci.db "SELECT count(*) FROM commits WHERE sha = '$claimed'")" "main's commit got nothing"

# A file that agrees with CI: no warning.
sed -e "s/$claimed/$pr/" -e 's/"main"/"feature"/' -e 's/ci-runner-7/gha/' "$data/native/full.json" >agree.json
expect_exit 0 "$PERFDB" record --db ci.db agree.json
expect_no_match "input says" err "agreeing file: no warning"

# Without PERFDB_MACHINE the file's machine is still not taken on CI.
unset PERFDB_MACHINE
expect_exit 0 "$PERFDB" record --db ci.db "$data/native/full.json"
expect_match "input says machine 'ci-runner-7': ignored under CI" err "machine dropped"
run_q >last; expect_no_match "\|ci-runner-7\|" last "machine is perfdb's name, not the file's"

# Options a person chose still win over CI and file.
expect_exit 0 "$PERFDB" record --db ci.db --commit $claimed --branch main --machine m9 --time 2020-01-02 "$data/native/full.json"
expect_eq "$claimed|main|m9|2020" "$(run_q)" "options win"

# GitLab too.
unset GITHUB_ACTIONS GITHUB_SHA GITHUB_HEAD_REF GITHUB_REF_NAME
export GITLAB_CI=true CI_COMMIT_SHA=$pr CI_COMMIT_REF_NAME=mr
expect_exit 0 "$PERFDB" record --db ci.db "$data/native/full.json"
expect_match "but CI_COMMIT_SHA says" err "GitLab: commit warning"
run_q >last; expect_match "^$pr\|mr\|" last "GitLab: CI metadata wins"
finish
