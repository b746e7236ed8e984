#!/usr/bin/env bash
# Every wrk/wrk2, ApacheBench, hey, k6, Locust and vegeta file of
# ../shared/data/corpus, recorded with the real `perfdb record` (with --format
# and detected from content) into a temporary database and checked, pair by
# pair, against an independent reading of the file (load_check.py: values,
# units, directions, samples, the record line); files without results or
# invalid as written must be refused with exit 2 and their file:line:col.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
. "$HERE/acceptance.sh"

command -v python3 >/dev/null || skip "python3 not found"
[ -d "$DATA/corpus" ] || skip "$DATA/corpus not present"

checks=$((checks + 1))
if ! python3 "$HERE/load_check.py" "$PERFDB" "$DATA/corpus" "$T" >"$T/report" 2>&1; then
	fail "load-tool corpus check: $(grep -v '^ok ' "$T/report" | head -c 4000)"
fi
grep -v '^ok ' "$T/report"
finish
