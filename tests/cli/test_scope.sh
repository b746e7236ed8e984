#!/usr/bin/env bash
# One answer per question (issue 10): on one history, regress, compare,
# trend and trend --svg name the same steps at the same commits; a filter
# that selects nothing is a usage error (exit 2, one line) in all three; and
# regress --dry-run writes nothing while regress records its findings.
. "$(dirname "$0")/lib.sh"

# Ten commits, four series (native JSON, one file per run):
#  BM_Sort/1024 cpu_time, 5 repetitions: +33% at the newest commit c0009,
#    which ran twice (regress flagged it; trend marked nothing);
#  BM_Sort/64 cpu_time, 5 repetitions: -20% at c0004, which ran twice;
#  BM_Alloc peak_heap, one value a run: +40% at c0006, which ran three times,
#    one run far off (1400, 1400, 300: level 1400, the median; trend took
#    the mean, 1033, and placed the step a commit late);
#  BM_Flat cpu_time: no step.
python3 - <<'PY'
import json, random
rnd = random.Random(10)
def noisy(level):
    return [level * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]
runs = []
for i in range(10):
    res = [{"benchmark": "BM_Sort/1024", "metric": "cpu_time", "unit": "ns",
            "samples": noisy(133 if i >= 9 else 100)},
           {"benchmark": "BM_Sort/64", "metric": "cpu_time", "unit": "ns",
            "samples": noisy(80 if i >= 4 else 100)},
           {"benchmark": "BM_Flat", "metric": "cpu_time", "unit": "ns", "samples": noisy(100)},
           {"benchmark": "BM_Alloc", "metric": "peak_heap", "unit": "B",
            "value": 1400 if i >= 6 else 1000}]
    runs.append((i, res))
    if i == 9:
        runs.append((i, [{"benchmark": "BM_Sort/1024", "metric": "cpu_time", "unit": "ns",
                          "samples": noisy(133)}]))
    if i == 4:
        runs.append((i, [{"benchmark": "BM_Sort/64", "metric": "cpu_time", "unit": "ns",
                          "samples": noisy(80)}]))
    if i == 6:
        for v in (1400, 300):
            runs.append((i, [{"benchmark": "BM_Alloc", "metric": "peak_heap", "unit": "B",
                              "value": v}]))
for k, (i, res) in enumerate(runs):
    with open("run%02d_c%04d.json" % (k, i), "w") as f:
        json.dump({"perfdb": 1, "results": res}, f)
PY
for f in run*.json; do
	c=${f#*_}
	"$PERFDB" record --db h.db --commit "${c%.json}" --machine m1 "$f" >/dev/null ||
		fail "record $f"
done

expected='BM_Alloc peak_heap c0006 regression
BM_Sort/1024 cpu_time c0009 regression
BM_Sort/64 cpu_time c0004 improvement'

# regress over the whole history
expect_exit 1 "$PERFDB" regress --db h.db --no-git --dry-run --since c0000 --format json
got=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
rows = ["%s %s %s %s" % (f["benchmark"], f["metric"], f["commit"], kind)
        for key, kind in (("regressions", "regression"), ("improvements", "improvement"))
        for f in doc[key]]
print("\n".join(sorted(rows)))' "$T/out")
expect_eq "$expected" "$got" "regress steps"

# trend: the steps on each line, and the dashed lines of the SVG
expect_exit 0 "$PERFDB" trend --db h.db --no-git --svg chart.svg
cp "$T/out" trend.txt
got=$(python3 -c '
import re, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r"^(\S+) (\S+) .*steps: (.*)$", line.rstrip("\n"))
    if not m:
        continue
    for ch, sha in re.findall(r"([+-][0-9.]+)% at (\S+)", m.group(3)):
        # every metric here is lower-is-better: up is a regression
        kind = "regression" if float(ch) > 0 else "improvement"
        rows.append("%s %s %s %s" % (m.group(1), m.group(2), sha, kind))
print("\n".join(sorted(rows)))' trend.txt)
expect_eq "$expected" "$got" "trend steps"
got=$(python3 -c '
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
rows = []
for g in ET.parse(sys.argv[1]).getroot().findall(ns + "g"):
    texts = g.findall(ns + "text")
    bench, metric = texts[0].text.split(" on ")[0].split(" ")[:2]
    kinds = [l.get("class") for l in g.findall(ns + "line")]
    labels = [t.text.split(" ")[1] for t in texts if t.text and t.text[0] in "+-" and "%" in t.text]
    assert len(kinds) == len(labels), (kinds, labels)
    rows += ["%s %s %s %s" % (bench, metric, sha, k) for sha, k in zip(labels, kinds)]
print("\n".join(sorted(rows)))' chart.svg)
expect_eq "$expected" "$got" "trend --svg steps"
# the level of c0006 is the median of its three runs: 1400 B, not the mean
expect_match '^BM_Alloc peak_heap +m1 .* 1\.367 KiB +\+40\.0% +steps: \+40\.0% at c0006$' trend.txt "trend BM_Alloc line"

# a shorter trend judges what it shows: the oldest commit shown (c0004, the
# BM_Sort/64 step) is the reference, as for regress --since c0004 --window 1
expect_exit 0 "$PERFDB" trend --db h.db --no-git --last 6
expect_match '^BM_Alloc peak_heap .*steps: \+40\.0% at c0006$' out "trend --last 6: BM_Alloc"
expect_match '^BM_Sort/1024 cpu_time .*steps: \+3[0-9]\.[0-9]% at c0009$' out "trend --last 6: BM_Sort/1024"
expect_no_match '^BM_Sort/64 .*steps' out "trend --last 6: the reference is no step"
expect_exit 1 "$PERFDB" regress --db h.db --no-git --dry-run --since c0004 --window 1 --format csv
expect_eq 'BM_Alloc,c0006
BM_Sort/1024,c0009' "$(tr -d '\r' <"$T/out" | awk -F, 'NR > 1 {print $2 "," $7}' | sort)" "regress --since c0004 --window 1"

# compare each commit with the one before
: >cmp.txt
for i in 1 2 3 4 5 6 7 8 9; do
	a=$(printf 'c%04d' $((i - 1)))
	b=$(printf 'c%04d' "$i")
	expect_exit 0 "$PERFDB" compare --db h.db --no-git --format csv "$a" "$b"
	tr -d '\r' <"$T/out" | awk -F, -v b="$b" 'NR > 1 && ($NF == "regression" || $NF == "improvement") {print $1, $2, b, $NF}' >>cmp.txt
done
expect_eq "$expected" "$(sort cmp.txt)" "compare steps"

# a filter that selects nothing: exit 2, one line naming the option
expect_exit 2 "$PERFDB" regress --db h.db --no-git --dry-run --benchmark 'BM_typo*' --machine m1
expect_eq "perfdb: no series matches --benchmark 'BM_typo*' (4 benchmarks recorded on machine 'm1')" "$(cat "$T/err")" "regress: mistyped --benchmark"
expect_eq "" "$(cat "$T/out")" "regress: nothing on stdout"
expect_exit 2 "$PERFDB" regress --db h.db --no-git --benchmark 'BM_typo*'
expect_eq "perfdb: no series matches --benchmark 'BM_typo*' (4 benchmarks recorded)" "$(cat "$T/err")" "regress: mistyped --benchmark, any machine"
expect_exit 2 "$PERFDB" regress --db h.db --no-git --machine nosuch
expect_eq "perfdb: no series matches --machine 'nosuch' (1 machine recorded)" "$(cat "$T/err")" "regress: unknown --machine"
expect_exit 2 "$PERFDB" compare --db h.db --no-git --benchmark 'BM_typo*' c0000 c0009
expect_eq "perfdb: no series matches --benchmark 'BM_typo*' (4 benchmarks recorded)" "$(cat "$T/err")" "compare: mistyped --benchmark"
expect_exit 2 "$PERFDB" compare --db h.db --no-git --machine nosuch c0000 c0009
expect_eq "perfdb: no series matches --machine 'nosuch' (1 machine recorded)" "$(cat "$T/err")" "compare: unknown --machine"
expect_exit 2 "$PERFDB" trend --db h.db --no-git 'BM_typo*'
expect_eq "perfdb: no series matches benchmark 'BM_typo*' (4 benchmarks recorded)" "$(cat "$T/err")" "trend: mistyped GLOB"
expect_exit 2 "$PERFDB" trend --db h.db --no-git --machine nosuch
expect_eq "perfdb: no series matches --machine 'nosuch' (1 machine recorded)" "$(cat "$T/err")" "trend: unknown --machine"
# a glob that matches is no error, even when nothing in the range moved
expect_exit 0 "$PERFDB" regress --db h.db --no-git --dry-run --benchmark 'BM_Flat'
expect_match '^1 series checked' out "a glob that matches"

# --dry-run writes nothing; without it the findings become alerts
sum0=$(cksum <h.db)
expect_exit 1 "$PERFDB" regress --db h.db --no-git --dry-run --since c0000
expect_eq "$sum0" "$(cksum <h.db)" "dry run leaves the database as it was"
expect_eq 0 "$(sql h.db 'SELECT count(*) FROM alerts' | tr -d '\r')" "dry run stores no alert"
expect_exit 1 "$PERFDB" regress --db h.db --no-git --since c0000
expect_eq 3 "$(sql h.db 'SELECT count(*) FROM alerts' | tr -d '\r')" "regress stores its findings"
expect_match '^REGRESSION +BM_Sort/1024 cpu_time on m1: \+3[0-9]\.[0-9]% .* at c0009, .* \[alert [0-9]+\]$' out "alert id shown"
finish
