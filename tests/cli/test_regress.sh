#!/usr/bin/env bash
# perfdb regress / baseline / alerts / ack end to end: every output format
# (JSON and JUnit validated by parsing them), exit codes, acknowledgement,
# baselines and a bad configuration.
. "$(dirname "$0")/lib.sh"

# the history: a file, or a database on a server (cli_test_regress_pg)
H=$(new_db h.db) || exit

# 30 commits, 5 samples each: BM_Slow gets 12% slower at c0020, BM_Fast 20%
# faster at c0022, BM_Flat stays put (2% noise, seeded).
python3 - <<'PY'
import json, random
rnd = random.Random(7)
for i in range(30):
    res = []
    for name, level in (("BM_Slow", 112 if i >= 20 else 100),
                        ("BM_Fast", 80 if i >= 22 else 100),
                        ("BM_Flat", 100)):
        res.append({"benchmark": name, "metric": "real_time", "unit": "us",
                    "samples": [level * (1 + 0.02 * rnd.gauss(0, 1)) for _ in range(5)]})
    with open("r%02d.json" % i, "w") as f:
        json.dump({"results": res}, f)
PY
for i in $(seq -w 0 29); do
	"$PERFDB" record --db "$H" --commit "c00$i" --machine ci "r$i.json" >/dev/null ||
		fail "record r$i.json"
done

# text, and the exit code for a regression
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005
expect_match '^3 series checked against the 6 commits before, commits after c0005 up to c0029' out "text header"
expect_match '^REGRESSION +BM_Slow real_time on ci: \+1[0-4]\.[0-9]% .* at c0020' out "text regression"
expect_match '^improvement +BM_Fast real_time on ci: -(19|20|21)\.[0-9]% .* at c0022' out "text improvement"
expect_match '^1 regression, 1 improvement$' out "text summary"
expect_no_match 'BM_Flat' out "quiet series"
expect_no_match $'\033' out "no colour without a terminal"

# json: exactly one object with the documented keys
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005 --format json
python3 - "$T/out" <<'PY' || fail "json contract"
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(["regressions", "improvements", "series_checked", "baseline", "since"]) <= set(doc)
assert doc["series_checked"] == 3 and doc["since"] == "c0005"
(r,) = doc["regressions"]
for k in ("benchmark", "metric", "unit", "machine", "commit", "baseline_value", "value",
          "change_pct", "p_value", "method"):
    assert k in r, k
assert r["benchmark"] == "BM_Slow" and r["commit"] == "c0020" and r["unit"] == "ns"
assert 10 < r["change_pct"] < 14 and r["p_value"] < 0.01
assert abs(r["value"] / r["baseline_value"] - 1 - r["change_pct"] / 100) < 1e-9
assert r["status"] == "open" and isinstance(r["alert_id"], int)
(i,) = doc["improvements"]
assert i["benchmark"] == "BM_Fast" and i["commit"] == "c0022"
PY

# junit: one testcase per series, a failure for the regression
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005 --format junit
python3 - "$T/out" <<'PY' || fail "junit contract"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall(".//testcase")
assert len(cases) == 3, len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == 1 and failed[0].get("name").startswith("BM_Slow"), failed
assert root.find("testsuite").get("failures") == "1"
PY

# several outputs in one call: each --output takes the --format before it;
# the files are written and the exit code is still the verdict's
expect_exit 1 "$PERFDB" regress --db "$H" --dry-run --since c0005 --format markdown \
	--output s.md --format junit --output j.xml --format json
expect_match '^### perfdb: 1 regression' s.md "--output: markdown file"
expect_match '<failure type="regression"' j.xml "--output: junit file"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["failures"] == 1' "$T/out" ||
	fail "--output: the format without --output goes to stdout"
expect_exit 1 "$PERFDB" regress --db "$H" --dry-run --since c0005 --output t.txt
expect_match '^REGRESSION ' t.txt "--output before any --format: the text"
expect_eq 0 "$(wc -c <out | tr -d ' ')" "nothing on stdout when every output has a file"
expect_exit 2 "$PERFDB" regress --db "$H" --dry-run --format json --format junit
expect_match 'two formats for stdout' err "two formats for stdout"
expect_exit 2 "$PERFDB" regress --db "$H" --dry-run --format json --output a --output b
expect_match "already has --output 'a'" err "two --output for one format"
expect_exit 3 "$PERFDB" regress --db "$H" --dry-run --since c0005 --format junit \
	--output nosuchdir/j.xml
expect_match "cannot write 'nosuchdir/j.xml'" err "an output that cannot be written"

# markdown and csv
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005 --format markdown
expect_match '^### perfdb: 1 regression' out "markdown title"
expect_match '^\| `BM_Slow` \| `real_time` \| `ci` \| `c0020` \|' out "markdown row"
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005 --format csv
expect_match '^kind,benchmark,metric,unit,machine,tags,commit,baseline_value,value,change_pct,p_value,method,status,alert_id' out "csv header"
expect_match '^regression,BM_Slow,real_time,ns,ci,\{\},c0020,' out "csv regression"
expect_match '^improvement,BM_Fast,' out "csv improvement"

# nothing in range regressed: exit 0
expect_exit 0 "$PERFDB" regress --db "$H" --since c0022
expect_match '^0 regressions' out "quiet range"
expect_exit 0 "$PERFDB" regress --db "$H" --since c0005 --benchmark 'BM_F*'

# alerts and ack: an acknowledged regression no longer fails the build
expect_exit 0 "$PERFDB" alerts --db "$H" --format csv
expect_match '^id,status,kind,benchmark' out "alerts header"
expect_match ',open,regression,BM_Slow,' out "open alert"
# open is for things to act on: an improvement is not listed without --all,
# and is "noted" with it
expect_no_match ',improvement,BM_Fast,' out "improvement not listed as open"
expect_exit 0 "$PERFDB" alerts --db "$H" --all --format csv
expect_match ',noted,improvement,BM_Fast,' out "improvement noted"
expect_no_match ',open,improvement,' out "no open improvement"
# the listing commands share their output options: --no-header
expect_exit 0 "$PERFDB" alerts --db "$H" --format csv --no-header
expect_no_match '^id,status' out "alerts --no-header"
expect_match '^[0-9]+,open,regression,BM_Slow,' out "alerts --no-header rows"
expect_exit 0 "$PERFDB" list --db "$H" --no-header --format csv benchmarks
expect_no_match '^benchmark,' out "list --no-header"
expect_match '^BM_Slow,' out "list --no-header rows"
expect_exit 0 "$PERFDB" alerts --db "$H" --format csv
id=$(awk -F, '$3 == "regression" {print $1}' "$T/out" | head -1)
[ -n "$id" ] || fail "no alert id"
expect_exit 0 "$PERFDB" ack --db "$H" --note "expected: new algorithm" "$id"
expect_match "^alert $id acknowledged" out "ack line"
expect_exit 0 "$PERFDB" regress --db "$H" --since c0005
expect_match '^acknowledged +BM_Slow' out "acknowledged shown"
expect_match '^0 regressions \(\+1 acknowledged or ignored\)' out "acknowledged summary"
expect_exit 0 "$PERFDB" alerts --db "$H" --format csv
expect_no_match ',regression,BM_Slow,' out "acked alert hidden"
expect_exit 0 "$PERFDB" alerts --db "$H" --all --format csv
expect_match ',acknowledged,regression,BM_Slow,.*expected: new algorithm' out "acked alert with --all"
expect_exit 2 "$PERFDB" ack --db "$H" 99999
expect_match 'no alert with id 99999' err "ack unknown id"
expect_exit 2 "$PERFDB" ack --db "$H" notanumber
expect_exit 0 "$PERFDB" ack --db "$H" --reopen "$id"
expect_exit 1 "$PERFDB" regress --db "$H" --since c0005 --dry-run

# baselines and the PR gate
expect_exit 0 "$PERFDB" baseline set --db "$H" --note "release 1" v1 c0010
expect_match "^baseline 'v1' set to c0010" out "baseline set"
expect_exit 0 "$PERFDB" baseline list --db "$H" --format csv
expect_match '^v1,c0010,,.*,release 1' out "baseline list"
expect_exit 1 "$PERFDB" regress --db "$H" --commit c0029 --baseline v1 --format json
python3 - "$T/out" <<'PY' || fail "gate json"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["baseline"]["kind"] == "named" and doc["baseline"]["name"] == "v1"
assert doc["baseline"]["commit"] == "c0010"
assert [r["benchmark"] for r in doc["regressions"]] == ["BM_Slow"]
assert doc["regressions"][0]["commit"] == "c0029"
PY
expect_exit 0 "$PERFDB" regress --db "$H" --commit c0015 --baseline v1
expect_exit 2 "$PERFDB" regress --db "$H" --baseline nosuch
expect_match "'nosuch' is neither a baseline nor a revision" err "unknown baseline"
expect_exit 0 "$PERFDB" baseline rm --db "$H" v1
expect_exit 2 "$PERFDB" baseline rm --db "$H" v1
expect_exit 2 "$PERFDB" baseline set --db "$H" v2 nosuchrev

# the default: the newest commit against the window before it
expect_exit 0 "$PERFDB" regress --db "$H" --dry-run
expect_match 'against the 20 commits before up to c0029' out "default gate"

# usage errors: exit 2
expect_exit 2 "$PERFDB" regress --db "$H" --format yaml
expect_exit 2 "$PERFDB" regress --db "$H" --threshold -3
expect_exit 2 "$PERFDB" regress --db "$H" --confidence 1.5
expect_exit 2 "$PERFDB" regress --db "$H" --method magic
expect_exit 2 "$PERFDB" regress --db "$H" --since nosuchrev
expect_exit 2 "$PERFDB" regress --db "$H" --since c0001 --commit c0002
expect_exit 2 "$PERFDB" regress --db "$H" --machine nosuch
# one grammar for the tuning options of regress, compare and trend
expect_exit 2 "$PERFDB" compare --db "$H" --threshold inf c0010 c0029
expect_match "--threshold 'inf': expected a percentage >= 0" err "compare: infinite threshold"
expect_exit 2 "$PERFDB" trend --db "$H" --threshold -1
expect_exit 0 "$PERFDB" compare --db "$H" --threshold 5% --format csv c0010 c0029
expect_match '^BM_Slow,real_time,ns,ci,.*,regression' out "compare: --threshold 5%"
expect_exit 0 "$PERFDB" trend --db "$H" --threshold 5%

# the configuration: overrides apply, a bad file is exit 2 with line and column
cat > perfdb.yaml <<YAML
database: "$H"
defaults:
  threshold: 5
benchmarks:
  - match: "BM_Slow"
    threshold: 25
YAML
expect_exit 0 "$PERFDB" regress --since c0005 --dry-run
expect_match '^0 regressions, 1 improvement' out "config threshold override and database"
cat > bad.yaml <<'YAML'
defaults:
  threshold: 5
  confidence: high
YAML
expect_exit 2 "$PERFDB" regress --db "$H" --config bad.yaml
expect_match 'bad\.yaml:3:15: .*confidence' err "bad config line and column"
rm perfdb.yaml

# trend: a sparkline per series with its steps; the SVG is well-formed XML
expect_exit 0 "$PERFDB" trend --db "$H" 'BM_*' --last 30 --svg chart.svg
expect_match '^BM_Slow real_time +ci +.*\|.* steps: \+1[0-4]\.[0-9]% at c0020' out "trend step marked"
expect_match '^BM_Flat real_time' out "trend quiet series"
expect_no_match '^BM_Flat.*steps' out "no step on the quiet series"
python3 - chart.svg <<'PY' || fail "svg"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg"
assert len(root.findall(ns + "g")) == 3
assert len(root.findall(".//%sline[@class='regression']" % ns)) == 1
assert len(root.findall(".//%sline[@class='improvement']" % ns)) == 1
PY
expect_exit 2 "$PERFDB" trend --db "$H" --last 1

# compare: side by side with a verdict per series
expect_exit 0 "$PERFDB" compare --db "$H" --format csv c0010 c0029
expect_match '^benchmark,metric,unit,machine,tags,value_a,value_b,change_pct,p_value,method,verdict' out "compare header"
expect_match '^BM_Slow,real_time,ns,ci,.*,zscore,regression' out "compare regression: one run a side, the window's spread"
expect_match '^BM_Fast,.*,improvement' out "compare improvement"
expect_match '^BM_Flat,.*,same' out "compare same"
expect_exit 0 "$PERFDB" compare --db "$H" --format json c0010 c0029
python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); assert len(rows)==3 and {r["verdict"] for r in rows}=={"regression","improvement","same"}' "$T/out" || fail "compare json"
python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); assert all(isinstance(r["tags"], dict) for r in rows)' "$T/out" || fail "compare json: tags are objects, as in regress"
expect_exit 2 "$PERFDB" compare --db "$H" c0010
expect_exit 2 "$PERFDB" compare --db "$H" c0010 nosuchrev

# a database error: exit 3
echo "not a database" > junk.db
expect_exit 3 "$PERFDB" regress --db junk.db
# a mistyped path is an error, not a new empty history that passes the gate
for cmd in regress alerts trend "ack 1" "baseline list"; do
	expect_exit 3 "$PERFDB" $cmd --db typo.db
	expect_match "cannot open 'typo.db': no such database" err "$cmd on a missing database"
done
expect_eq "absent" "$([ -e typo.db ] && echo present || echo absent)" "no database created"
finish
