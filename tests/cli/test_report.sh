#!/usr/bin/env bash
# perfdb report: one self-contained HTML file whose data and steps are
# trend's (and so regress's), with names from result files kept as text,
# checked in headless Chromium when it is installed (.ci/deps installs it):
# no script errors, one chart per series, step markers at the culprit
# commits, the hover text of a point, a name with markup shown as text, a
# screenshot in the build folder.
. "$(dirname "$0")/lib.sh"

python3 - <<'PY'
import json, random
rnd = random.Random(3)
for i in range(12):
    res = []
    for name, level in (("BM_Sort/1024", 133 if i >= 9 else 100), ("BM_Hash", 80 if i >= 5 else 100),
                        ("BM_Flat", 100), ('<img src=x onerror="alert(1)"></script><!--', 100)):
        res.append({"benchmark": name, "metric": "real_time", "unit": "us",
                    "samples": [level * (1 + 0.01 * rnd.gauss(0, 1)) for _ in range(5)]})
    json.dump({"results": res}, open("r%02d.json" % i, "w"))
PY
for i in $(seq -w 0 11); do
	"$PERFDB" record --db h.db --commit "c00$i" --machine ci "r$i.json" >/dev/null || fail "record r$i"
done

expect_exit 0 "$PERFDB" report --db h.db --out r.html
expect_match '^perfdb: wrote 4 charts to r\.html$' err "report line"
checks=$((checks + 1))
[ -s r.html ] || fail "no r.html"
# self-contained: nothing is loaded from anywhere (the page outside its data)
# (read as HTML: names show as text in the charts, "&lt;img src=x", which
# is no element and no attribute)
python3 - r.html <<'PY' || fail "no external resources"
import re, sys
from html.parser import HTMLParser
class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad, self.style = [], ""
        self.in_style = False
    def handle_starttag(self, tag, attrs):
        if tag in ("link", "img", "iframe", "object", "embed", "image", "audio", "video"):
            self.bad.append(tag)
        self.bad += ["%s %s" % (tag, k) for k, v in attrs if k in ("src", "href", "xlink:href") and not (v or "").startswith("#")]
        self.in_style = tag == "style"
    def handle_endtag(self, tag):
        self.in_style = False
    def handle_data(self, data):
        if self.in_style:
            self.style += data
p = Page()
p.feed(open(sys.argv[1]).read())
assert not p.bad, p.bad
assert p.style and not re.search(r"@import|url\(", p.style), p.style
PY
expect_match "Content-Security-Policy\" content=\"default-src 'none'" r.html "a CSP that forbids fetching"
# the hostile name is data, never markup: the only </script> are our two
expect_eq 2 "$(grep -o '</script>' r.html | wc -l)" "</script> only where perfdb closes its blocks"
expect_match '\\u003cimg src=x onerror=' r.html "the name escaped inside the data block"
expect_no_match '<!--' r.html "no comment opened by a name"

# the same steps as trend (and so as regress --since c0000 --window 1)
expect_exit 0 "$PERFDB" trend --db h.db
python3 - r.html "$T/out" <<'PY' || fail "report steps differ from trend's"
import json, re, sys
html = open(sys.argv[1]).read()
data = json.loads(re.search(r'<script type="application/json" id="perfdb-data">(.*?)</script>', html, re.S).group(1))
got = sorted((s["benchmark"], data["commits"][t["c"]]["sha"], round(t["change"], 1))
             for s in data["series"] for t in s["steps"])
want = []
for line in open(sys.argv[2]):
    m = re.match(r"(\S+) real_time .*steps: (.*)$", line.strip())
    if m:
        for st in m.group(2).split(","):
            ch, sha = re.match(r"\s*([+-][0-9.]+)% at (\S+)", st).groups()
            want.append((m.group(1), sha, round(float(ch), 1)))
want.sort()
assert got == want, (got, want)
assert [(b, c) for b, c, _ in got] == [("BM_Hash", "c0005"), ("BM_Sort/1024", "c0009")], got
assert len(data["series"]) == 4 and len(data["commits"]) == 12
# BM_Sort's chart (its <template>, drawn by the chart code of trend --svg):
# 12 points of 5 samples each, every level inside its spread band
s = [s for s in data["series"] if s["benchmark"] == "BM_Sort/1024"][0]
svg = re.search(r'<template id="t%d">(<svg .*?</svg>)</template>' % s["id"], html, re.S).group(1)
level = re.search(r'<polyline class="level"([^>]*)/>', svg).group(1)
assert re.search(r' data-n="5"', level) and re.search(r' data-x="0"', level), level
ys = [float(p.split(",")[1]) for p in re.search(r'points="([^"]*)"', level).group(1).split()]
band = [tuple(map(float, p.split(","))) for p in re.search(r'<polygon class="band" points="([^"]*)"', svg).group(1).split()]
assert len(ys) == 12 and len(band) == 24, (ys, band)
for k, y in enumerate(ys):  # SVG's y grows downwards: hi above, lo below
    assert band[k][1] - 0.05 <= y <= band[23 - k][1] + 0.05, (k, band[k], y, band[23 - k])
PY

# --since REV: the commits after REV, REV the reference; the steps are exactly
# regress --since REV --window 1's findings (BM_Hash's step at c0005 is before)
expect_exit 2 "$PERFDB" report --db h.db --since c0006 --last 5 --out x.html
expect_match "exclude each other" err "--since with --last"
expect_exit 0 "$PERFDB" report --db h.db --since c0006 --out s.html
expect_exit 1 "$PERFDB" regress --db h.db --since c0006 --window 1 --format json
python3 - s.html "$T/out" <<'PY' || fail "report --since steps differ from regress --since's"
import json, re, sys
html = open(sys.argv[1]).read()
data = json.loads(re.search(r'<script type="application/json" id="perfdb-data">(.*?)</script>', html, re.S).group(1))
got = sorted((s["benchmark"], data["commits"][t["c"]]["sha"], t["kind"], round(t["change"], 1))
             for s in data["series"] for t in s["steps"])
reg = json.load(open(sys.argv[2]))
want = sorted((f["benchmark"], f["commit"], kind, round(f["change_pct"], 1))
              for kind, key in (("regression", "regressions"), ("improvement", "improvements"))
              for f in reg[key])
assert got == want, (got, want)
assert [(b, c, k) for b, c, k, _ in got] == [("BM_Sort/1024", "c0009", "regression")], got
assert [c["sha"] for c in data["commits"]] == ["c00%02d" % i for i in range(6, 12)], data["commits"]
# the reference (c0006) shaded: from the first commit's x to the second's
# (the commit axis, the same in every chart, is drawn once; the page copies
# it into each chart it inserts)
axis = re.search(r'<g class="x-axis" id="perfdb-x-axis">(.*?)</g>', html, re.S).group(1)
xs = [float(x) for x in re.findall(r'<text class="x-label" x="([0-9.]+)"', axis)]
assert re.findall(r'<text class="x-label" [^>]*>(\w+)</text>', axis) == ["c%04d" % i for i in range(6, 12)], axis
for svg in re.findall(r'<template id="t\d+">(<svg .*?</svg>)</template>', html, re.S):
    assert '<use href="#perfdb-x-axis"/>' in svg, svg
    base = re.search(r'<rect class="baseline" x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"', svg)
    assert base and abs(float(base.group(1)) - xs[0]) < 0.1 and abs(float(base.group(2)) - (xs[1] - xs[0])) < 0.2, (base, xs)
PY
expect_exit 2 "$PERFDB" report --db h.db --since nosuch --no-git --out x.html
checks=$((checks + 1))
[ ! -e x.html ] || fail "a report written for an unknown --since"

# regress --format markdown: each finding's sparkline over the checked commits
# (c0003, the reference, to c0011): BM_Sort low until its step at c0009,
# BM_Hash high until its step at c0005
expect_exit 1 "$PERFDB" regress --db h.db --dry-run --since c0003 --window 1 --format markdown
expect_match '^\| benchmark \|.* \| status \| shape \|$' out "markdown: the shape column"
expect_match '^\| `BM_Sort/1024` \|.*\| `c0009` \|.* \| ▁▁▁▁▁▁███ \|$' out "markdown: sparkline of a regression"
expect_match '^\| `BM_Hash` \|.*\| `c0005` \|.* \| ██▁▁▁▁▁▁▁ \|$' out "markdown: sparkline of an improvement"

# trend --svg draws what the report's charts have: a commit axis of short
# shas, y labels in human units inside the picture, the spread band, the
# steps at their commits with their change
expect_exit 0 "$PERFDB" trend --db h.db --svg t.svg
python3 - t.svg <<'PY' || fail "trend --svg"
import math, re, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
panels = root.findall(ns + "g")
assert len(panels) == 4, len(panels)
byname = {p.find(ns + "text").text.split(" real_time")[0]: p for p in panels}
steps = {}
for name, p in byname.items():
    xs = [t.text for t in p.iter(ns + "text") if t.get("class") == "x-label"]
    assert xs == ["c00%02d" % i for i in range(12)], xs
    ys = [t for t in p.iter(ns + "text") if t.get("class") == "y-label"]
    # gridlines at round values (a step of 1, 2 or 5 x 10^k), at least three
    assert 3 <= len(ys) <= 8 and all(re.fullmatch(r"[0-9.]+ \u00b5s", t.text) for t in ys), [t.text for t in ys]
    vals = [float(t.text.split()[0]) for t in ys]
    step = round(vals[1] - vals[0], 6)
    assert all(abs(b - a - step) < 1e-6 for a, b in zip(vals, vals[1:])), vals
    assert round(step / 10 ** math.floor(math.log10(step)), 6) in (1, 2, 5), step
    for t in ys:  # right-aligned at x: the text fits left of it (>= 6 px a character)
        assert t.get("text-anchor") == "end" and float(t.get("x")) >= 6 * len(t.text), (t.get("x"), t.text)
    bands = [g for g in p.iter(ns + "polygon") if g.get("class") == "band"]
    assert len(bands) == 1 and len(bands[0].get("points").split()) == 24, bands
    labels = [t.text for t in p.findall(ns + "text") if t.get("class") == "step-label"]
    lines = [l for l in p.findall(ns + "line") if l.get("class") in ("regression", "improvement")]
    assert len(labels) == len(lines) == len(p.findall(ns + "line")), (labels, lines)
    for line, text in zip(lines, labels):
        steps[name] = (line.get("data-commit"), line.get("class"), float(line.get("data-change")), text)
        # the mark is at its commit's x on the axis
        lab = [t for t in p.iter(ns + "text") if t.get("class") == "x-label" and t.text == line.get("data-commit")][0]
        assert abs(float(line.get("x1")) - float(lab.get("x"))) < 0.2, (line.get("x1"), lab.get("x"))
assert sorted(steps) == ["BM_Hash", "BM_Sort/1024"], steps
assert steps["BM_Sort/1024"][:2] == ("c0009", "regression") and steps["BM_Sort/1024"][2] > 30, steps
assert steps["BM_Hash"][:2] == ("c0005", "improvement") and steps["BM_Hash"][2] < -15, steps
assert re.fullmatch(r"\+3[0-9]\.[0-9]% c0009", steps["BM_Sort/1024"][3]), steps
PY

# filters: as trend's, a glob or machine that matches nothing is exit 2
expect_exit 2 "$PERFDB" report --db h.db --benchmark 'BM_typo*' --out x.html
expect_match "no series matches --benchmark 'BM_typo\*'" err "typo glob"
checks=$((checks + 1))
[ ! -e x.html ] || fail "a report written for a typo"
expect_exit 0 "$PERFDB" report --db h.db --benchmark 'BM_S*' --out - 
expect_match '"benchmark":"BM_Sort/1024"' out "stdout, filtered"
expect_no_match '"benchmark":"BM_Hash"' out "filtered out"
expect_exit 3 "$PERFDB" report --db nosuch.db --out y.html

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	echo "chromium not installed: the browser checks did not run"
	finish
	exit 77
fi
# --dump-dom prints the page after its scripts ran; #render-all draws every
# chart at once (the page draws them lazily, as they scroll into view)
"$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
	--virtual-time-budget=5000 --dump-dom "file://$T/r.html#render-all" >dom.html 2>console.txt
expect_match 'data-ready="1"' dom.html "the script ran to its end"
expect_no_match '<html[^>]*data-errors' dom.html "no script error"
expect_no_match 'Uncaught|CONSOLE.*(Error|error)' console.txt "no console error"
expect_eq 4 "$(grep -o '<svg [^>]*role="img"' dom.html | wc -l)" "one chart per series"
python3 - dom.html <<'PY' || fail "the rendered page"
import html, re, sys
dom = open(sys.argv[1]).read()
steps = re.findall(r'<line class="(regression|improvement)" data-commit="([^"]*)" data-change="([^"]*)"', dom)
assert sorted((k, c) for k, c, _ in steps) == [("improvement", "c0005"), ("regression", "c0009")], steps
assert [float(x) for k, c, x in steps if k == "regression"][0] > 30
# every chart was moved out of its template, none is left behind, and each
# has its copy of the commit axis
assert "<template" not in dom and "<use" not in dom
assert dom.count('<g class="x-axis">') == 4 and dom.count('>c0011</text>') == 5
# the findings table: regressions first, each linking to its chart
rows = re.findall(r'<tr class="finding" data-kind="(\w+)" data-commit="(\w+)">.*?href="#s(\d+)"', dom, re.S)
assert [(k, c) for k, c, _ in rows] == [("regression", "c0009"), ("improvement", "c0005")], rows
assert all(('id="s%s"' % i) in dom for _, _, i in rows)
# the hostile name is text: no element made from it, shown escaped
assert "<img" not in dom, "an element made from a name"
assert '&lt;img src=x onerror="alert(1)"&gt;&lt;/script&gt;&lt;!-- real_time</h3>' in dom, "name not shown as text"
# y labels in human units, x labels short shas
assert re.search(r'>1[0-9]{2}\.0 \u00b5s</text>', dom) and '>c0011</text>' in dom
PY
# the hover text of a point, as a user gets it: the test adds a script to a
# copy of the page that focuses BM_Sort's chart and steps with the keys from
# the newest point back to c0009, then moves the mouse over c0009's label
python3 - r.html hover.html <<'PY'
import sys
page = open(sys.argv[1]).read()
probe = """<script>addEventListener('load', function () {
  var h = document.documentElement, card = [].filter.call(document.querySelectorAll('.card'),
    function (c) { return c.querySelector('h3').textContent === 'BM_Sort/1024 real_time'; })[0];
  var svg = card.querySelector('svg'), tip = document.getElementById('tip');
  function key(k) { svg.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true})); }
  svg.focus(); key('End'); key('ArrowLeft'); key('ArrowLeft');
  h.setAttribute('data-focus-tip', tip.textContent);
  h.setAttribute('data-focus-point', svg.querySelector('.hl').getAttribute('data-commit'));
  /* focus leaving the chart, as an event: a headless window may not hold real focus (a loaded
   * machine's run once left svg.blur() without a focusout) */
  svg.dispatchEvent(new FocusEvent('focusout', {bubbles: true})); h.setAttribute('data-blur-tip', tip.style.display);
  var lab = [].filter.call(svg.querySelectorAll('.x-label'), function (t) { return t.textContent === 'c0009'; })[0];
  var r = lab.getBoundingClientRect(), s = svg.getBoundingClientRect();
  svg.dispatchEvent(new PointerEvent('pointermove', {bubbles: true, clientX: r.left + r.width / 2, clientY: s.top + s.height / 2}));
  h.setAttribute('data-hover-tip', tip.textContent);
  h.setAttribute('data-hover-shown', tip.style.display);
});</script></body>"""
open(sys.argv[2], "w").write(page.replace("</body>", probe))
PY
"$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 \
	--dump-dom "file://$T/hover.html#render-all" >hdom.html 2>/dev/null
python3 - hdom.html <<'PY' || fail "the hover and focus text"
import html, re, sys
dom = open(sys.argv[1]).read()
attr = lambda n: html.unescape(re.search(r'<html[^>]* %s="([^"]*)"' % n, dom).group(1))
assert attr("data-focus-point") == "c0009", attr("data-focus-point")
assert attr("data-blur-tip") == "none"
for which in ("data-focus-tip", "data-hover-tip"):
    t = attr(which)
    assert t.startswith("c0009") and "(n=5)" in t and re.search(r"13[0-9]\.[0-9] \u00b5s", t), (which, t)
assert attr("data-hover-shown") == "block"
PY
"$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=5000 --window-size=1100,1600 \
	--screenshot="$PERFDB_BUILD_DIR/report-screenshot.png" "file://$T/r.html#render-all" >/dev/null 2>&1
checks=$((checks + 1))
[ -s "$PERFDB_BUILD_DIR/report-screenshot.png" ] || fail "no screenshot"
# the SVG of trend, as a browser draws it
rm -f "$PERFDB_BUILD_DIR/trend-svg-screenshot.png"
"$browser" --headless --no-sandbox --disable-gpu --window-size=800,760 \
	--screenshot="$PERFDB_BUILD_DIR/trend-svg-screenshot.png" "file://$T/t.svg" >/dev/null 2>&1
checks=$((checks + 1))
[ -s "$PERFDB_BUILD_DIR/trend-svg-screenshot.png" ] || fail "no screenshot of the SVG"
finish
