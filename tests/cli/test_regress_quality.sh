#!/usr/bin/env bash
# The quality of perfdb regress on a seeded synthetic history (tests/gen):
# >= 95% of injected regressions flagged at the exact commit, <= 2% of quiet
# series flagged, at the default settings. The table is printed.
. "$(dirname "$0")/lib.sh"
command -v git >/dev/null || skip "git missing"
checks=$((checks + 1))
python3 "$PERFDB_SOURCE_DIR/tests/gen/gen_history.py" --perfdb "$PERFDB" --workdir "$T" \
	--seed 1 --series 200 || fail "quality targets missed (table above)"
finish
