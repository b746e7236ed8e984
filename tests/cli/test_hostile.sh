#!/usr/bin/env bash
# Names from result files are attacker-controlled (issue 12). Text output shows
# control characters as escapes (an ESC or OSC sequence cannot retitle the
# terminal, a newline cannot forge a REGRESSION line in a CI log); Markdown
# puts every name in a code span whose fence no backtick run in it can close;
# XML (JUnit, SVG) never carries a character XML 1.0 forbids nor a cut UTF-8
# character.
. "$(dirname "$0")/lib.sh"

# 10 commits; the hostile benchmark gets 30% slower at the 8th, whose commit
# label, subject and the machine and tags are hostile too.
python3 - <<'PY'
import json
ESC, BEL = "\x1b", "\x07"
bench = "BM_x" + ESC + "]0;pwned" + BEL + "\nREGRESSION   forged line"
md = "md`a``b <img src=x onerror=alert(1)> @octocat ![i](javascript:alert(1))|z"
long = "L" + "\u00e9" * 600  # 1201 bytes: JUnit cut it inside a character
machine = "ci" + ESC + "[2J\u202e"
for i in range(10):
    lvl = 130 if i >= 7 else 100
    res = [{"benchmark": b, "metric": "real_time", "unit": "us",
            "samples": [lvl + 0.1 * k for k in range(5)]} for b in (bench, md, long)]
    run = {"commit": "c%02d" % i, "machine": machine, "tags": {"k\n" + ESC: "v" + BEL}}
    if i == 7:
        run["commit"] = "c07" + ESC + "[31m\nREGRESSION fake"
        run["subject"] = "subject\nREGRESSION forged " + ESC + "]2;t" + BEL
    json.dump({"perfdb": 1, "run": run, "results": res}, open("r%02d.json" % i, "w"))
PY
for i in 00 01 02 03 04 05 06 07 08 09; do
	"$PERFDB" record --db h.db "r$i.json" >"rec$i.txt" 2>&1 || fail "record r$i.json"
done

raw() { # the file holds no ESC, BEL or other C0 control but newline
	checks=$((checks + 1))
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; then fail "$2: raw control character in $1"; fi
}
raw rec07.txt "record line"
expect_match 'for c07\\x1b\[31m\\nREGRESSION fake on' rec07.txt "record line: commit escaped"
expect_match 'machine ci\\x1b\[2J\\u202e, run' rec07.txt "record line: machine escaped"

# regress text: one line per finding, nothing forged
expect_exit 1 "$PERFDB" regress --db h.db --since c03
raw out "regress text"
expect_no_match '^REGRESSION +forged' out "regress text: no forged line from a name"
expect_no_match '^REGRESSION fake' out "regress text: no forged line from a commit"
expect_eq 3 "$(grep -c '^REGRESSION ' out)" "one REGRESSION line per series"
expect_match '^REGRESSION +BM_x\\x1b\]0;pwned\\x07\\nREGRESSION   forged line real_time \[k\\n\\x1b=v\\x07\] on ci\\x1b\[2J\\u202e: ' out "regress text: escapes shown"
expect_match '^ +subject\\nREGRESSION forged \\x1b\]2;t\\x07$' out "regress text: subject escaped"
expect_match 'at c07\\x1b\[31m\\nREGRESSION fake, ' out "regress text: commit escaped"

# trend, compare, list, alerts: the same escapes
expect_exit 0 "$PERFDB" trend --db h.db --svg t.svg
raw out "trend text"
expect_match '^BM_x\\x1b\]0;pwned\\x07\\nREGRESSION   forged line real_time \[k\\n\\x1b=v\\x07\] +ci\\x1b\[2J\\u202e ' out "trend: escapes"
expect_exit 0 "$PERFDB" compare --db h.db c00 c09
raw out "compare text"
expect_match '^BM_x\\x1b\]0;pwned\\x07\\nREGRESSION   forged line +real_time +ns +ci\\x1b\[2J\\u202e +k\\n\\x1b=v\\x07 ' out "compare: escapes"
for what in benchmarks machines runs commits; do
	expect_exit 0 "$PERFDB" list --db h.db "$what"
	raw out "list $what"
done
expect_match 'subject\\nREGRESSION forged \\x1b\]2;t\\x07' out "list commits: subject escaped"
expect_exit 0 "$PERFDB" alerts --db h.db
raw out "alerts"
expect_match 'c07\\x1b\[31m\\nREGRESSION fake' out "alerts: commit escaped"
expect_exit 0 "$PERFDB" baseline --db h.db set rel $'c07\e[31m\nREGRESSION fake'
raw out "baseline set"
expect_match "^baseline 'rel' set to c07\\\\x1b\\[31m\\\\nREGRESSION fake$" out "baseline: commit escaped"
# JSON and CSV stay exact: the names as they are
expect_exit 0 "$PERFDB" compare --db h.db c00 c09 --format json
python3 - "$T/out" <<'PY' || fail "json keeps the names"
import json, sys
rows = json.load(open(sys.argv[1]))
assert any(r["benchmark"].startswith("BM_x\x1b]0;pwned\x07\nREGRESSION") for r in rows), rows
assert all(r["machine"] == "ci\x1b[2J\u202e" for r in rows)
PY
# diagnostics are text too: an error quoting a hostile value is one line
printf '{"run": {"time": "2026-01-01\\u001b]0;x\\u0007\\nREGRESSION z"}, "results": [{"benchmark": "a", "value": 1}]}' >bad.json
expect_exit 2 "$PERFDB" record --db h.db bad.json
raw err "error message"
expect_eq 1 "$(wc -l <err | tr -d ' ')" "an error is one line"

# Markdown: each name one code span that nothing inside can close
expect_exit 1 "$PERFDB" regress --db h.db --since c03 --format markdown
raw out "markdown"
expect_match '^\| ```md`a``b <img src=x onerror=alert\(1\)> @octocat !\[i\]\(javascript:alert\(1\)\)\\\|z``` `k\\n\\x1b=v\\x07` \| `real_time` \| `ci\\x1b\[2J\\u202e` \| `c07\\x1b\[31m\\nREGRESSION fake` \|' out "markdown: fence longer than any backtick run"
python3 - "$T/out" <<'PY' || fail "markdown code spans"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
# outside code spans no '<', '@' or '](' is left for a renderer to act on
outside = re.sub(r"(`+)(.*?[^`])\1(?!`)", "", text)
for bad in ("<img", "@octocat", "](javascript", "\x1b"):
    assert bad not in outside, (bad, outside)
PY

# JUnit and SVG parse as XML; names are whole UTF-8 characters
expect_exit 1 "$PERFDB" regress --db h.db --since c03 --format junit
python3 - "$T/out" t.svg <<'PY' || fail "xml well-formed"
import sys, xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    data.decode("utf-8")  # never a cut character
    root = ET.fromstring(data)
junit = ET.parse(sys.argv[1]).getroot()
names = [c.get("name") for c in junit.iter("testcase")]
assert any(n.startswith("BM_x\\x1b]0;pwned\\x07\\nREGRESSION") for n in names), names
assert any(n.startswith("L\u00e9\u00e9") for n in names), names
PY

finish
