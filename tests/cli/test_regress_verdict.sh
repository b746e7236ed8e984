#!/usr/bin/env bash
# The verdict a team gates on: one event, one finding (the metrics of a
# benchmark that moved at one commit are grouped; counts, exit code and
# JUnit failures count events); --metric; series renamed since the baseline
# are "not compared", and JUnit marks them skipped, not passed.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"

# results SEED BENCH:METRIC:UNIT=LEVEL...: native results, 5 samples, 2% noise
results() {
	python3 - "$@" <<'PY'
import json, random, sys
rnd = random.Random(sys.argv[1])
res = []
for arg in sys.argv[2:]:
    name, level = arg.rsplit("=", 1)
    bench, metric, unit = name.split(":")
    res.append({"benchmark": bench, "metric": metric, "unit": unit,
                "samples": [float(level) * (1 + 0.02 * rnd.gauss(0, 1)) for _ in range(5)]})
print(json.dumps({"results": res}))
PY
}

# snappy-shaped: ZFlat moves real_time, cpu_time and bytes_per_second at
# c20; UFlat/0 is renamed UFlat/0/1 at c10 and regresses at c29.
for i in $(seq 0 29); do
	c=$(printf c%02d "$i")
	z=100 zc=95 zb=1000000000 u=200
	[ "$i" -ge 20 ] && z=130 zc=124 zb=770000000
	[ "$i" -ge 29 ] && u=300
	uname=BM_UFlat/0/1
	[ "$i" -lt 10 ] && uname=BM_UFlat/0
	results "$c" "BM_ZFlat/0/1:real_time:ns=$z" "BM_ZFlat/0/1:cpu_time:ns=$zc" \
		"BM_ZFlat/0/1:bytes_per_second:B/s=$zb" "$uname:real_time:ns=$u" >r.json
	"$PERFDB" record --db h.db --machine ci --commit "$c" r.json >/dev/null ||
		fail "record $c"
done

# one event, three metrics: "1 regression", a block listing the metrics
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --since c15 --benchmark 'BM_ZFlat*'
expect_match '^REGRESSION   BM_ZFlat/0/1 on ci: 3 metrics at c20$' out "text: one event line"
expect_match '^             bytes_per_second: -2[0-9]\.[0-9]% .* at c20' out "text: bytes_per_second"
expect_match '^             cpu_time: \+[0-9.]+% .* at c20' out "text: cpu_time"
expect_match '^             real_time: \+[0-9.]+% .* at c20' out "text: real_time"
expect_match '^1 regression, 0 improvements$' out "text: events are counted"

# JSON: the findings as before (additive), the events beside them
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --since c15 --format json
python3 - "$T/out" <<'PY' || fail "json events"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["regressions"]) == 4 and d["failures"] == 4, d["regressions"]
assert d["event_failures"] == 2, d
ev = [(e["benchmark"], e["commit"], e["metrics"], e["open"]) for e in d["events"]]
assert ev == [("BM_UFlat/0/1", "c29", ["real_time"], True),
              ("BM_ZFlat/0/1", "c20", ["bytes_per_second", "cpu_time", "real_time"], True)], ev
assert d["not_compared"] == [], d["not_compared"]
PY

# JUnit: one testcase per benchmark, failures count events
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --since c15 --format junit
python3 - "$T/out" <<'PY' || fail "junit events"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
assert suite.get("tests") == "2" and suite.get("failures") == "2", suite.attrib
z = [c for c in root.iter("testcase") if c.get("name") == "BM_ZFlat/0/1"][0]
(f,) = z.findall("failure")
m = f.get("message")
assert "bytes_per_second" in m and "cpu_time" in m and "real_time" in m, m
PY

# --metric GLOB, as perfdb.yaml's metric:
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --since c15 --metric cpu_time
expect_match '^REGRESSION   BM_ZFlat/0/1 cpu_time on ci: \+' out "--metric: cpu_time alone"
expect_match '^1 regression, 0 improvements$' out "--metric: one event"
expect_exit 2 "$PERFDB" regress --db h.db --dry-run --no-git --since c15 --metric cpu_tme
expect_match "no series matches --metric 'cpu_tme'" err "--metric matching nothing"
# compare and trend take it too
expect_exit 0 "$PERFDB" compare --db h.db --no-git c15 c25 --metric cpu_time --format json
python3 - "$T/out" <<'PY' || fail "compare --metric"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [(r["benchmark"], r["metric"], r["verdict"]) for r in rows] == \
    [("BM_ZFlat/0/1", "cpu_time", "regression")], rows
PY
expect_exit 0 "$PERFDB" trend --db h.db --no-git --metric 'cpu_*'
expect_eq 1 "$(wc -l <"$T/out" | tr -d ' ')" "trend --metric: one series"
expect_match '^BM_ZFlat/0/1 cpu_time ' "$T/out" "trend --metric: cpu_time"

# the rename: against the release baseline (c05, before it) the renamed
# series has no data. It is "not compared", JUnit skips it; it used to be
# judged against the window under the baseline's name.
"$PERFDB" baseline set rel c05 --db h.db >/dev/null || fail "baseline set"
expect_exit 0 "$PERFDB" regress --db h.db --dry-run --no-git --commit c29 --baseline rel \
	--benchmark 'BM_UFlat*'
expect_match "^1 series not compared: no data at the baseline \(renamed or new\?\): BM_UFlat/0/1 real_time$" \
	out "text: not compared"
# (ZFlat, slower since c20, regressed against the baseline: exit 1)
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --commit c29 --baseline rel \
	--format junit
python3 - "$T/out" <<'PY' || fail "junit skipped"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
assert suite.get("skipped") == "1" and suite.get("failures") == "1", suite.attrib
u = [c for c in root.iter("testcase") if c.get("name") == "BM_UFlat/0/1"][0]
assert u.find("skipped") is not None and u.find("failure") is None, ET.tostring(u)
PY
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --commit c29 --baseline rel \
	--format json
python3 - "$T/out" <<'PY' || fail "json not compared"
import json, sys
d = json.load(open(sys.argv[1]))
assert [(s["benchmark"], s["metric"]) for s in d["not_compared"]] == [("BM_UFlat/0/1", "real_time")], d
PY

# a rename map joins the renamed series to its history: compared now, and
# its +50% at c29 against the release is found
printf 'renames:\n  "BM_UFlat/*": "BM_UFlat/*/1"\n' >perfdb.yaml
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --commit c29 --baseline rel \
	--benchmark 'BM_UFlat*' --format json
python3 - "$T/out" <<'PY' || fail "json renames"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["not_compared"] == [] and d["series_checked"] == 1, d
(r,) = d["regressions"]
assert r["benchmark"] == "BM_UFlat/0/1" and r["commit"] == "c29", r
assert 40 < r["change_pct"] < 60 and 180 < r["baseline_value"] < 220, r
PY
# and over a range crossing the rename (c10), no step is seen at the rename
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --no-git --since c05 --benchmark 'BM_UFlat*' \
	--format json
python3 - "$T/out" <<'PY' || fail "json renames over the rename"
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["commit"] for r in d["regressions"]] == ["c29"], d["regressions"]
PY
printf 'renames:\n  "BM_*": ""\n' >perfdb.yaml
expect_exit 2 "$PERFDB" regress --db h.db --dry-run --no-git
expect_match "perfdb.yaml:2:11: field 'BM_\*': expected the new benchmark name" err \
	"renames: an empty new name"
rm perfdb.yaml

# a loaded machine: an empty commit run beside two busy loops doubles
# real_time while cpu_time stays. Not blamed on the commit: reported as
# suspect, exit 0; the next commit at the same level confirms a regression.
for i in $(seq 0 21); do
	c=$(printf l%02d "$i")
	real=1000
	[ "$i" -ge 20 ] && real=2040
	results "$c" "BM_ZFlat/6/1:real_time:ns=$real" "BM_ZFlat/6/1:cpu_time:ns=1000" >r.json
	"$PERFDB" record --db load.db --machine ci --commit "$c" r.json >/dev/null ||
		fail "record $c"
	if [ "$i" = 20 ]; then
		expect_exit 0 "$PERFDB" regress --db load.db --dry-run --no-git
		expect_match '^SUSPECT      BM_ZFlat/6/1 real_time on ci: \+10[0-9]\.[0-9]% .* at l20' \
			"$T/out" "loaded: reported as suspect"
		expect_match '^             not blamed: real_time is 2\.[0-9]+x cpu_time here, 1\.00x in its history, and cpu_time did not move' \
			"$T/out" "loaded: why"
		expect_match '^0 regressions \(\+1 suspect, not blamed\), 0 improvements$' "$T/out" "loaded: not counted"
		expect_exit 0 "$PERFDB" regress --db load.db --dry-run --no-git --format json
		python3 - "$T/out" <<'PY' || fail "loaded: json"
import json, sys
d = json.load(open(sys.argv[1]))
(r,) = d["regressions"]
assert r["suspect"] == "loaded" and r["suspected"] is True, r
assert 1.9 < r["time_ratio"] < 2.2 and 0.95 < r["time_ratio_history"] < 1.05, r
assert d["failures"] == 0 and d["event_failures"] == 0 and d["events"][0]["open"] is False, d
PY
		# not blamed: not stored as an alert either
		expect_exit 0 "$PERFDB" regress --db load.db --no-git
		expect_eq 0 "$(sql load.db 'SELECT count(*) FROM alerts' | tr -d '\r')" \
			"loaded: no alert stored"
	fi
done
# l21 at the same level: two commits, no longer one run of the newest alone
expect_exit 1 "$PERFDB" regress --db load.db --dry-run --no-git --since l19
expect_match '^REGRESSION   BM_ZFlat/6/1 real_time on ci: \+10[0-9]\.[0-9]% .* at l20' "$T/out" \
	"loaded twice: a regression"

# a quiet machine, a real regression in both times at the newest commit,
# one run: a regression, flagged suspected with the advice to re-run
for i in $(seq 0 20); do
	c=$(printf q%02d "$i")
	t=1000
	[ "$i" = 20 ] && t=1300
	results "$c" "BM_Q:real_time:ns=$t" "BM_Q:cpu_time:ns=$t" >r.json
	"$PERFDB" record --db quiet.db --machine ci --commit "$c" r.json >/dev/null ||
		fail "record $c"
done
expect_exit 1 "$PERFDB" regress --db quiet.db --dry-run --no-git
expect_match '^REGRESSION   BM_Q on ci: 2 metrics at q20$' "$T/out" "quiet: one event, both times"
expect_match '^             suspected: rests on one run of the newest commit; re-run it' "$T/out" \
	"quiet: suspected"
expect_match '^1 regression, 0 improvements$' "$T/out" "quiet: counted"
# a re-run of q20 pools with the first: no longer suspected
results q20b "BM_Q:real_time:ns=1300" "BM_Q:cpu_time:ns=1300" >r.json
"$PERFDB" record --db quiet.db --machine ci --commit q20 r.json >/dev/null || fail "re-run q20"
expect_exit 1 "$PERFDB" regress --db quiet.db --dry-run --no-git
expect_no_match 'suspected' "$T/out" "quiet: confirmed by a re-run"

finish
