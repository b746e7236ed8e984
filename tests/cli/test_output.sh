#!/usr/bin/env bash
# How the history commands show numbers and commits: one formatter set.
# Text and Markdown show values as people write them ("135.7 M items/s",
# "1.236 ms", "12.50 MiB"), a missing value as "n/a", a full sha as 12
# characters and any other commit label whole; JSON and CSV keep every digit.
. "$(dirname "$0")/lib.sh"

SHA=3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39
# 12 commits: BM_Parse (items/s, higher is better) drops 20% at the 9th,
# whose label is a full sha; the last is a long label; BM_Only_new exists
# only in the last.
python3 - <<'PY'
import json, random
rnd = random.Random(3)
for i in range(12):
    lvl = 135779652.123456789 if i < 8 else 108623721.5
    res = [{"benchmark": "BM_Parse", "metric": "items_per_second", "unit": "items/s",
            "direction": "higher_is_better",
            "samples": [lvl * (1 + 0.005 * rnd.gauss(0, 1)) for _ in range(5)]},
           {"benchmark": "BM_Copy", "metric": "real_time", "unit": "us",
            "samples": [1234.5678 * (1 + 0.005 * rnd.gauss(0, 1)) for _ in range(5)]}]
    if i == 11:
        res.append({"benchmark": "BM_Only_new", "metric": "bytes", "unit": "B", "value": 13107200})
    json.dump({"results": res}, open("r%02d.json" % i, "w"))
PY
for i in $(seq -w 0 11); do
	case $i in
	08) c=$SHA ;;
	11) c=release-candidate-2026 ;;
	*) c=c00$i ;;
	esac
	"$PERFDB" record --db h.db --commit "$c" --machine ci "r$i.json" >rec.txt || fail "record r$i.json"
done
# the record line: a label that is not a sha is shown whole
expect_match "for release-candidate-2026 on" rec.txt "record line keeps a label whole"

expect_exit 1 "$PERFDB" regress --db h.db --since c0005
expect_match '^REGRESSION +BM_Parse items_per_second on ci: -20\.[0-9]% \(135\.[0-9] M items/s -> 108\.[0-9] M items/s\) at 3f2a9c1e8b7d, ' out "regress text: SI prefix, short sha"
expect_match 'up to release-candidate-2026 ' out "regress text: a label is not cut at 12 characters"
# a tiny p-value is printed as such (the test's tail, corrected for the choice
# of the step's place), never as 0
expect_match ', p=[1-9](\.[0-9])?e-[0-9]+ \(zscore' out "regress text: tiny p in scientific notation"
expect_no_match 'p=0 ' out "regress text: no p of 0"
expect_no_match '[0-9]{7,} items/s' out "no raw 9-digit rates for people"

expect_exit 1 "$PERFDB" regress --db h.db --since c0005 --format markdown
expect_match '\| 135\.[0-9] M items/s \| 108\.[0-9] M items/s \|' out "markdown: SI prefix"
expect_match 'up to `release-candidate-2026`' out "markdown: the whole label"

# JSON and CSV: every digit (regress JSON had 10, run/load 15, query 17)
expect_exit 1 "$PERFDB" regress --db h.db --since c0005 --format json
cp out regress.json
expect_exit 1 "$PERFDB" regress --db h.db --since c0005 --format csv
python3 - regress.json "$T/out" "$SHA" <<'PY' || fail "regress json/csv precision"
import csv, json, sys
doc = json.load(open(sys.argv[1]))
(r,) = doc["regressions"]
assert r["commit"] == sys.argv[3], r["commit"]
def digits(x):
    m = repr(float(x)).lower().split("e")[0].replace("-", "").replace(".", "").strip("0")
    return len(m)
for k in ("baseline_value", "value", "change_pct"):
    assert digits(r[k]) > 12, (k, r[k])
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(rows) == 1
for k in ("baseline_value", "value", "change_pct"):
    assert float(rows[0][k]) == r[k], (k, rows[0][k], r[k])
PY

# compare: text in units, a side without the series is n/a; CSV exact
expect_exit 0 "$PERFDB" compare --db h.db c0000 release-candidate-2026
expect_match '^c0000 -> release-candidate-2026$' out "compare header: labels whole"
expect_match '^BM_Copy +real_time +ns +ci +1\.2[0-9]{2} ms +1\.2[0-9]{2} ms +[+-]0\.[0-9]%' out "compare: durations"
expect_match '^BM_Only_new +bytes +B +ci +n/a +12\.50 MiB +n/a +n/a +none +only_b' out "compare: n/a and bytes"
expect_match '^BM_Parse +items_per_second +items/s +ci +135\.[0-9] M items/s +108\.[0-9] M items/s +-20\.[0-9]%' out "compare: SI prefix"
expect_exit 0 "$PERFDB" compare --db h.db c0000 release-candidate-2026 --format csv
expect_match '^BM_Only_new,bytes,B,ci,\{\},,13107200,,,none,only_b' out "compare csv: empty for missing, exact value"
expect_match '^BM_Parse,items_per_second,items/s,ci,\{\},[0-9]{9}\.[0-9]{5,},' out "compare csv: full precision"

# trend: the latest value in its unit
expect_exit 0 "$PERFDB" trend --db h.db
expect_match '^BM_Parse items_per_second +ci .* 108\.[0-9] M items/s +-' out "trend: SI prefix"
expect_match '^BM_Only_new bytes +ci .* 12\.50 MiB' out "trend: bytes"

# alerts: values in their unit and the short sha in text; CSV exact and whole
expect_exit 0 "$PERFDB" alerts --db h.db
expect_match '^ *1 +open +regression +BM_Parse +items_per_second +items/s +ci +3f2a9c1e8b7d +135\.[0-9] M items/s +108\.[0-9] M items/s +-20\.[0-9]% +[1-9](\.[0-9])?e-[0-9]+ +zscore ' out "alerts text: units, short sha, a tiny p in scientific notation, never 0"
expect_exit 0 "$PERFDB" alerts --db h.db --format csv
expect_match "^1,open,regression,BM_Parse,items_per_second,items/s,ci,\\{\\},$SHA,[0-9]{9}\\.[0-9]{5,}," out "alerts csv: full sha, exact values"

finish
