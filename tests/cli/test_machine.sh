#!/usr/bin/env bash
# Machine identity: outside CI the host name; on CI a name made from the
# hardware (so hosted runners, each with a new host name, share a history);
# $PERFDB_MACHINE and --machine win; each run keeps its own context; a run
# whose hardware differs from what its machine name had is warned about and
# shows in list machines.
. "$(dirname "$0")/lib.sh"
unset CI PERFDB_MACHINE CIRCLECI TRAVIS TF_BUILD TEAMCITY_VERSION BITBUCKET_BUILD_NUMBER
q() { sql "$1" "$2" | tr -d '\r'; }
echo '{"results": [{"benchmark": "b", "unit": "ns", "value": 5}]}' >r.json

expect_exit 0 "$PERFDB" record --db h.db --commit c1 r.json
expect_eq "$(hostname)" "$(q h.db 'SELECT name FROM machines')" "outside CI: the host name"

for ci in "CI=true" "GITHUB_ACTIONS=true" "GITLAB_CI=true" "BUILDKITE=true" "JENKINS_URL=http://j"; do
	expect_exit 0 env "$ci" "$PERFDB" record --db ci.db --commit c1 r.json
done
expect_eq 1 "$(q ci.db 'SELECT count(*) FROM machines')" "every CI provider: one machine"
name=$(q ci.db 'SELECT name FROM machines')
checks=$((checks + 1))
[[ "$name" =~ ^ci-[a-z0-9.-]+-[0-9]+c-[0-9]+g(-[a-z0-9.]+)?-[0-9a-f]{8}$ ]] ||
	fail "CI machine name '$name' is not ci-<cpu>-<N>c-<M>g-<os>-<hash>"
cores=$(nproc)
checks=$((checks + 1))
[[ "$name" == *"-${cores}c-"* ]] || fail "CI machine name '$name' lacks the $cores cores"
expect_exit 0 env CI=false "$PERFDB" record --db ci.db --commit c2 r.json
expect_eq "$(hostname)" "$(q ci.db "SELECT m.name FROM runs r JOIN machines m ON m.id = r.machine_id ORDER BY r.id DESC LIMIT 1")" "CI=false is not CI"
expect_exit 0 env CI=true PERFDB_MACHINE=from-env "$PERFDB" record --db ci.db --commit c3 r.json
expect_match 'machine from-env,' out "PERFDB_MACHINE wins over CI"
expect_exit 0 env CI=true PERFDB_MACHINE=from-env "$PERFDB" record --db ci.db --commit c4 --machine opt r.json
expect_match 'machine opt,' out "--machine wins over PERFDB_MACHINE"

# Each run keeps its own context: the load average is the run's, not the
# machine's, and the machine's fingerprint leaves it out.
expect_match '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$' <(q h.db "SELECT json_extract(context, '$.load_avg') FROM runs") "run context: load_avg"
expect_eq "" "$(q h.db "SELECT json_extract(fingerprint, '$.load_avg') FROM machines")" "fingerprint without load_avg"
expect_eq "$(nproc)" "$(q h.db "SELECT json_extract(context, '$.cores') FROM runs")" "run context: cores"

# Another CPU under the same name: a warning, and list machines counts it.
sqlite3 h.db "UPDATE machines SET fingerprint = json_set(fingerprint, '$.cpu', 'Other CPU 9000'); \
	UPDATE runs SET context = json_set(context, '$.cpu', 'Other CPU 9000');" || fail "edit the fingerprint"
expect_exit 0 "$PERFDB" record --db h.db --commit c2 r.json
expect_match "warning: machine '$(hostname)' is not the hardware recorded under that name before: cpu '.*' \(before: 'Other CPU 9000'\)" err "hardware changed under one name"
expect_exit 0 "$PERFDB" list machines --db h.db --format csv
expect_match "^$(hostname),2,2," out "list machines: 2 runs on 2 kinds of hardware"
expect_exit 0 "$PERFDB" record --db h.db --commit c3 r.json
expect_no_match 'warning' err "the same hardware again: no warning"
finish
