#!/bin/bash
# Acceptance: `perfdb report` on a real history. ../shared/data/tigerbeetle.csv
# (a throughput series from Apache Otava's test suite) is recorded with
# `perfdb record` as one commit per row (c0000, c0001, ...); the report over
# all of it must carry the steps regress finds, among them the rise at row
# 71, and none at the one-point anomaly at row 10, in its data and as the
# step marks headless Chromium draws.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
. "$HERE/acceptance.sh"
command -v python3 >/dev/null || skip "python3 not installed"
[ -f "$DATA/tigerbeetle.csv" ] || skip "no tigerbeetle.csv in $DATA"

rows=0
while IFS=, read -r i v; do
	[ "$i" = index ] && continue
	printf 'benchmark,metric,unit,direction,value\ntigerbeetle,throughput,op/s,higher,%s\n' "$v" >r.csv
	"$PERFDB" record --db h.db --commit "$(printf 'c%04d' "$i")" --machine ci r.csv >/dev/null ||
		fail "record row $i"
	rows=$((rows + 1))
done <"$DATA/tigerbeetle.csv"
expect_eq 365 "$rows" "one commit per row"

expect_exit 0 "$PERFDB" report --db h.db --last "$rows" --out r.html
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --since c0000 --window 1 --format json
python3 - r.html "$T/out" <<'PY' || fail "the report's steps"
import json, re, sys
html = open(sys.argv[1]).read()
data = json.loads(re.search(r'<script type="application/json" id="perfdb-data">(.*?)</script>', html, re.S).group(1))
assert len(data["commits"]) == 365 and len(data["series"]) == 1
s = data["series"][0]
got = sorted((data["commits"][t["c"]]["sha"], t["kind"], round(t["change"], 1)) for t in s["steps"])
reg = json.load(open(sys.argv[2]))
want = sorted((f["commit"], k, round(f["change_pct"], 1))
              for k, key in (("regression", "regressions"), ("improvement", "improvements")) for f in reg[key])
assert got == want, (got, want)
shas = [c for c, _, _ in got]
assert "c0071" in shas and "c0010" not in shas, got
assert [(c, k) for c, k, _ in got if c == "c0071"] == [("c0071", "improvement")], got
assert [ch for c, _, ch in got if c == "c0071"][0] > 14, got
PY

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || skip "chromium not installed: the browser checks did not run"
"$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
	--virtual-time-budget=5000 --dump-dom "file://$T/r.html#render-all" >dom.html 2>console.txt
expect_match 'data-ready="1"' dom.html "the script ran to its end"
expect_no_match '<html[^>]*data-errors' dom.html "no script error"
python3 - dom.html <<'PY' || fail "the drawn report"
import re, sys
dom = open(sys.argv[1]).read()
steps = re.findall(r'<line class="(regression|improvement)" data-commit="([^"]*)" data-change="([^"]*)"', dom)
commits = [c for _, c, _ in steps]
assert ("improvement", "c0071") in [(k, c) for k, c, _ in steps], steps
assert "c0010" not in commits, steps
assert float([x for k, c, x in steps if c == "c0071"][0]) > 14, steps
rows = re.findall(r'<tr class="finding" data-kind="(\w+)" data-commit="(\w+)">', dom)
assert ("improvement", "c0071") in rows and not any(c == "c0010" for _, c in rows), rows
PY
"$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --window-size=1100,900 \
	--screenshot="$PERFDB_BUILD_DIR/report-tigerbeetle.png" "file://$T/r.html#render-all" >/dev/null 2>&1
finish
