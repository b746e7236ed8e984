#!/bin/bash
# Acceptance: every corpus file of the harness formats perfdb reads besides
# gbench and hyperfine (../shared/data/corpus: go-bench, catch2,
# pytest-benchmark, libtest-bench, criterion's target/criterion JSON files
# (put back into criterion's layout in a temporary directory) and its
# --output-format bencher files, jmh, benchmarkdotnet, nanobench JSON and
# bmf, nanobench's console table and CSV, criterion's console text; see its MANIFEST.md) is recorded with `perfdb record`
# into its own database, and every stored (benchmark, metric) pair, unit,
# direction, value, n, statistic and sample is checked against a reading of
# the file made here in Python, independently of perfdb's readers (Go text
# split on white space, test2json through json, Catch2 through ElementTree,
# pytest-benchmark and libtest events through json, libtest text with
# regular expressions). Files that are not of the format as
# written (the v3 JSON reporter's output that holds no benchmark, a Catch2
# console file edited into a layout Catch2 never writes) must be refused, and with --format forced, refused at a
# file:line:col. Every warning must name file:line:col.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../cli/lib.sh"
. "$HERE/acceptance.sh"
command -v python3 >/dev/null || skip "python3 not installed"
CORPUS=$DATA/corpus
[ -d "$CORPUS/go-bench" ] || skip "no corpus in $DATA"

python3 - "$PERFDB" "$CORPUS" "$T" <<'EOF'
import json, math, os, re, subprocess, sys
import xml.etree.ElementTree as ET

perfdb, corpus, tmp = sys.argv[1:4]
problems, checked_files, checked_values, refused = [], 0, 0, 0

def problem(f, msg):
    problems.append(f"{os.path.relpath(f, corpus)}: {msg}")

# --- independent readings: {(name, metric): dict(unit, dir, value, n, stddev, ..., samples)} ---

def go_text(text):
    pkg, config, series, failed, warnings = None, {}, {}, set(), 0
    def full(name):
        s = (pkg + "." if pkg else "") + name
        if config:
            s += " [" + ",".join(f"{k}={v}" for k, v in sorted(config.items())) + "]"
        return s
    for line in text.split("\n"):
        line = line.rstrip("\r \t")
        f = line.split()
        m = re.match(r"^\s*--- (FAIL|SKIP): (Benchmark\S*)", line) or \
            re.match(r"^Benchmark\S*\s+--- (FAIL|SKIP): (Benchmark\S*)", line)
        if m:
            key = (m.group(1), full(m.group(2)))
            if key not in failed:
                failed.add(key)
                warnings += 1
            continue
        if re.match(r"^Benchmark($|[^a-z])", line):
            if len(f) >= 4 and f[1].isdigit():
                for v, u in zip(f[2::2], f[3::2]):
                    val = float(v) if v not in ("NaN", "+Inf", "-Inf") else math.nan
                    series.setdefault((full(f[0]), u), []).append(val)
            continue
        m = re.match(r"^([a-z][^\sA-Z:]*):(?:\s+(.*))?$", line)
        if m:
            k, v = m.group(1), (m.group(2) or "").strip()
            if k == "pkg":
                pkg = v or None
            elif k in ("goos", "goarch", "cpu"):
                pass
            elif v:
                config[k] = v
            else:
                config.pop(k, None)
    out = {}
    for (name, unit), vals in series.items():
        if ("FAIL", name) in failed:
            continue
        if unit == "MB/s":
            su, scale, d = "B/s", 1e6, 1
        elif unit == "B/op":
            su, scale, d = "B", 1, 0
        elif unit.endswith("/op") and unit[:-3] in ("ns", "us", "ms", "s"):
            su, scale, d = "ns", {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit[:-3]], 0
        else:
            su, scale, d = unit, 1, 1 if unit.endswith("/s") else 0
        vals = [v * scale for v in vals]
        out[(name, unit)] = dict(unit=su, dir=d, value=sum(vals) / len(vals), n=len(vals),
                                 samples=vals)
    return out, warnings

def go_json(path):
    text, pkg = "", None
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        ev = json.loads(line)
        if ev.get("Action") == "output":
            if ev.get("Package") and ev["Package"] != pkg and (not text or text.endswith("\n")):
                pkg = ev["Package"]
                text += f"pkg: {pkg}\n"
            text += ev["Output"]
    return go_text(text)

def catch2_results(acc):
    """{name: [(mean, stddev, samples) per appearance]}: one appearance is a result, more (a
    GENERATE'd section) are samples of their means."""
    out = {}
    for name, apps in acc.items():
        if len(apps) == 1:
            mean, sd, n = apps[0]
            out[(name, "time")] = dict(unit="ns", dir=0, value=mean, n=n, stddev=sd, samples=[])
        else:
            ms = [a[0] for a in apps]
            out[(name, "time")] = dict(unit="ns", dir=0, value=sum(ms) / len(ms), n=len(ms),
                                       samples=ms)
    return out

def catch2(path):
    root = ET.parse(path).getroot()
    out, warnings = {}, 0
    def walk(el, scope, case_bad, acc):
        nonlocal warnings
        for ch in el:
            if ch.tag in ("TestCase", "Section"):
                walk(ch, scope + [ch.get("name")], case_bad, acc)
            elif ch.tag == "BenchmarkResults":
                name = " / ".join(scope + [ch.get("name")])
                if ch.find("failed") is not None:
                    warnings += 1
                    continue
                if case_bad:
                    warnings += 1
                    continue
                mean = float(ch.find("mean").get("value"))
                sd_el = ch.find("standardDeviation")
                sd = float(sd_el.get("value")) if sd_el is not None else math.nan
                if sd_el is not None and sd == 0 and sd_el.get("ci") == "0":
                    sd = math.nan
                acc.setdefault(name, []).append((mean, sd, int(ch.get("samples"))))
    cases = root.iter("TestCase")
    acc = {}
    for tc in cases:
        res = tc.find("OverallResult")
        bad = res is not None and (res.get("success") != "true" or res.get("skips", "0") != "0")
        walk(tc, [tc.get("name")], bad, acc)
    return catch2_results(acc), warnings

def catch2_console(path):
    """Catch2's console reporter: header blocks (test case, then sections indented by two)
    and benchmark tables, one row per benchmark without analysis, three (name, mean, std dev)
    and a blank one with it; a test case with a FAILED:/SKIPPED: line drops its benchmarks."""
    units = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9}
    lines = [l.rstrip("\r \t") for l in open(path, encoding="utf-8").read().split("\n")]
    out, warnings, case, scope, pending, bad = {}, 0, None, [], [], False
    acc = {}
    def end_case():
        nonlocal pending, bad, warnings
        for name, mean, sd, n in pending:
            if bad:
                warnings += 1
            else:
                acc.setdefault(name, []).append((mean, sd, n))
        pending, bad = [], False
    rule = lambda l: re.fullmatch(r"-{20,}", l) is not None
    i = 0
    while i < len(lines):
        l = lines[i]
        if rule(l):
            new = lines[i + 1]
            if new != case:
                end_case()
            case, scope, i = new, [new], i + 2
            while not rule(lines[i]):
                scope.append(lines[i].strip())
                i += 1
        elif l.startswith("benchmark name"):
            analysis = not l.endswith("mean")
            while not rule(lines[i]):
                i += 1
            i += 1
            frag = ""
            while i < len(lines) and lines[i]:
                f = lines[i].split()
                if "Benchmark failed (" in lines[i]:
                    warnings += 1
                elif len(f) >= 4 and f[-4].isdigit() and f[-3].isdigit() and f[-1] in units:
                    name = " / ".join(scope + [(frag + " " if frag else "") +
                                      lines[i][:lines[i].rindex(f[-4], 0, len(lines[i]) - len(" ".join(f[-3:])))].strip()])
                    frag = ""
                    if analysis:
                        m, s_ = lines[i + 1].split(), lines[i + 2].split()
                        mean, sd = float(m[0]) * units[m[1]], float(s_[0]) * units[s_[1]]
                        i += 3
                    else:
                        mean, sd = float(f[-2]) * units[f[-1]], math.nan
                    pending.append((name, mean, sd, int(f[-4])))
                else:
                    frag = (frag + " " if frag else "") + lines[i].strip()
                i += 1
        elif re.search(r": (FAILED|SKIPPED):$", l):
            bad = True
        elif re.fullmatch(r"={20,}", l):
            end_case()
        i += 1
    end_case()
    return catch2_results(acc), warnings

def pytest_benchmark(path):
    doc = json.load(open(path))
    out, warnings = {}, 0
    for b in doc["benchmarks"]:
        name = b.get("fullname") or b["name"]
        st = b["stats"]
        if st is None or not math.isfinite(st["mean"]):
            warnings += 1
            continue
        data = st.get("data") or []
        if not all(isinstance(x, (int, float)) for x in data):
            warnings += 1
            data = []
        e = dict(unit="ns", dir=0, value=st["mean"] * 1e9, n=st["rounds"],
                 samples=[x * 1e9 for x in data])
        for k in ("median", "stddev", "min", "max"):
            if k in st:
                e[k] = st[k] * 1e9
        out[(name, "time")] = e
        if "ops" in st:
            out[(name, "ops")] = dict(unit="ops/s", dir=1, value=st["ops"], n=1, samples=[])
    return out, warnings

def libtest_text(path):
    series, failed, ignored, warnings = {}, set(), 0, 0
    tunits = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, "ms": 1e6, "s": 1e9}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n ")
        m = re.match(r"^test (.*?) +\.\.\. (.*)$", line)
        if not m:
            m = re.match(r"^(\S+) --- FAILED$", line)
            if m:
                failed.add(m.group(1))
                warnings += 1
            continue
        name, rest = m.group(1), m.group(2)
        if rest.startswith("FAILED"):
            failed.add(name)
            warnings += 1
        elif rest.startswith("ignored"):
            ignored += 1
        elif rest.startswith("bench:"):
            f = rest[6:].split()
            v, unit = float(f[0].replace(",", "")), f[1]
            if unit.endswith("/iter") and unit[:-5] in tunits:
                series.setdefault((name, "time"), ("ns", 0, []))[2].append(v * tunits[unit[:-5]])
            else:
                series.setdefault((name, unit), (unit, 1 if unit.endswith("/s") else 0, []))[2].append(v)
            if " = " in rest:
                mbs = float(rest.split(" = ")[1].split()[0].replace(",", ""))
                series.setdefault((name, "throughput"), ("B/s", 1, []))[2].append(mbs * 1e6)
    out = {}
    for key, (unit, d, vals) in series.items():
        if key[0] in failed:
            continue
        out[key] = dict(unit=unit, dir=d, value=sum(vals) / len(vals), n=len(vals), samples=vals)
    return out, warnings + (1 if ignored else 0)

def libtest_json(path):
    series, failed, ignored, warnings = {}, set(), 0, 0
    for line in open(path, encoding="utf-8"):
        ev = json.loads(line)
        if ev["type"] == "bench":
            series.setdefault((ev["name"], "time"), ("ns", 0, []))[2].append(ev["median"])
            if "mib_per_second" in ev:
                series.setdefault((ev["name"], "throughput"), ("B/s", 1, []))[2].append(ev["mib_per_second"] * 1e6)
        elif ev["type"] == "test" and ev.get("event") == "failed":
            failed.add(ev["name"])
            warnings += 1
        elif ev["type"] == "test" and ev.get("event") == "ignored":
            ignored += 1
    out = {k: dict(unit=u, dir=d, value=sum(v) / len(v), n=len(v), samples=v)
           for k, (u, d, v) in series.items() if k[0] not in failed}
    return out, warnings + (1 if ignored else 0)

def bmf(path):
    units = {"latency": ("ns", 0), "throughput": ("ops/s", 1), "file-size": ("B", 0),
             "build-time": ("ns", 0)}
    scale = {"build-time": 1e9}
    out, warnings = {}, 0
    for bench, measures in json.load(open(path)).items():
        if not measures:
            warnings += 1
        for measure, m in measures.items():
            v = m["value"]
            if not math.isfinite(v):
                warnings += 1
                continue
            if m.get("lower_value", v) > v or m.get("upper_value", v) < v:
                warnings += 1
            u, d = units.get(measure, ("", 0))
            out[(bench, measure)] = dict(unit=u, dir=d, value=v * scale.get(measure, 1), n=1,
                                         samples=[])
    return out, warnings

def criterion_dir(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        b = json.load(open(os.path.join(dirpath, "benchmark.json")))
        e = json.load(open(os.path.join(dirpath, "estimates.json")))
        def pt(*keys):
            for k in keys:
                if isinstance(e.get(k), dict):
                    return e[k]["point_estimate"]
            return None
        samples = []
        if "sample.json" in files:
            s = json.load(open(os.path.join(dirpath, "sample.json")))
            iters, times = (s[0], s[1]) if isinstance(s, list) else (s["iters"], s["times"])
            samples = [t / i for i, t in zip(iters, times)]
        slope, mean = pt("slope", "Slope"), pt("mean", "Mean")
        entry = dict(unit="ns", dir=0, value=slope if slope is not None else mean,
                     n=len(samples) or 1, samples=samples)
        if len(samples) > 1:
            entry.update(median=pt("median", "Median"), stddev=pt("std_dev", "StdDev"))
        else:
            entry.update(stddev=pt("std_dev", "StdDev"))
        out[(b["full_id"], "time")] = entry
    return out, 0

def jmh(path):
    out, warnings = {}, 0
    tscale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    rscale = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9, "sec": 1, "min": 1 / 60}
    sizes = {"B": 1, "kB": 1e3, "KB": 1e3, "KiB": 1024, "MB": 1e6, "MiB": 2 ** 20, "GB": 1e9,
             "GiB": 2 ** 30}
    def unit_of(u):
        if u.endswith("/op") and u[:-3] in tscale:
            return "ns", tscale[u[:-3]], 0
        if u in tscale:  # gc.time in ms
            return "ns", tscale[u], 0
        if "/" in u:
            num, den = u.split("/", 1)
            if den in rscale:
                if num in sizes:
                    return "B/s", sizes[num] * rscale[den], 1
                return num + "/s", rscale[den], 1
        return u, 1, 0
    for row in json.load(open(path)):
        name = row["benchmark"]
        if row.get("params"):
            name += " [" + ",".join(f"{k}={v}" for k, v in sorted(row["params"].items())) + "]"
        metrics = [(row["mode"], row["primaryMetric"])]
        for k, v in (row.get("secondaryMetrics") or {}).items():
            metrics.append((row["mode"] + ":" + k.lstrip("\u00b7"), v))
        for mname, m in metrics:
            if not isinstance(m["score"], (int, float)):
                warnings += 1
                continue
            u, f, d = unit_of(m["scoreUnit"])
            raw = [x * f for fork in m.get("rawData", []) for x in fork]
            if not all(isinstance(x, (int, float)) for fork in m.get("rawData", []) for x in fork):
                raw = []
            e = dict(unit=u, dir=d, value=m["score"] * f, n=len(raw) or 1, samples=raw)
            pc = m.get("scorePercentiles")
            if pc and len(raw) > 1:
                e.update(min=pc["0.0"] * f, median=pc["50.0"] * f, max=pc["100.0"] * f)
            out[(name, mname)] = e
    return out, warnings

def benchmarkdotnet(path):
    out, warnings = {}, 0
    for b in json.load(open(path, encoding="utf-8-sig"))["Benchmarks"]:
        name = b.get("FullName") or ".".join(x for x in (b.get("Namespace"), b["Type"], b["Method"]) if x)
        if b.get("Parameters"):
            name += " [" + b["Parameters"] + "]"
        st = b["Statistics"]
        if st is None:
            warnings += 1
            continue
        orig = st.get("OriginalValues") or []
        e = dict(unit="ns", dir=0, value=st["Mean"], n=st["N"], samples=orig,
                 stddev=st["StandardDeviation"])
        if st["N"] > 1:
            e.update(median=st["Median"], min=st["Min"], max=st["Max"])
        out[(name, "time")] = e
        mem = b.get("Memory") or {}
        if mem.get("BytesAllocatedPerOperation") is not None:
            out[(name, "allocated")] = dict(unit="B", dir=0, value=mem["BytesAllocatedPerOperation"],
                                            n=1, samples=[])
            # per 1000 operations: BenchmarkDotNet's own "GenNCollects" metric where it wrote one
            shown = {m["Descriptor"]["Id"]: m["Value"] for m in b.get("Metrics") or []}
            for g in range(3):
                if mem.get("TotalOperations") and f"Gen{g}Collections" in mem:
                    v = shown.get(f"Gen{g}Collects", mem[f"Gen{g}Collections"] / mem["TotalOperations"] * 1000)
                    out[(name, f"gen{g}_collections")] = dict(unit="collections/1000 op", dir=0,
                                                              value=v, n=1, samples=[])
    return out, warnings

def nanobench(path):
    out = {}
    for r in json.load(open(path))["results"]:
        name, b = r["title"] + " / " + r["name"], r["batch"]
        samples = [m["elapsed"] / b * 1e9 for m in r.get("measurements", [])]
        out[(name, "time")] = dict(unit="ns", dir=0, value=r["median(elapsed)"] / b * 1e9,
                                   n=len(samples) or 1, samples=samples)
        if len(samples) > 1:
            out[(name, "time")]["median"] = r["median(elapsed)"] / b * 1e9
        counters = {"median(instructions)": "instructions", "median(cpucycles)": "cpucycles",
                    "median(branchmisses)": "branchmisses"}
        if any(r.get(k, 0) > 0 for k in counters):
            for k, metric in counters.items():
                if k in r:
                    out[(name, metric)] = dict(unit="", dir=0, value=r[k] / b, n=1, samples=[])
    return out, 0

def nanobench_csv(path):
    import csv
    out = {}
    for r in csv.DictReader(open(path, newline=""), delimiter=";", quotechar='"'):
        name, b = r["title"] + " / " + r["name"], float(r["batch"])
        out[(name, "time")] = dict(unit="ns", dir=0, value=float(r["elapsed"]) / b * 1e9, n=1,
                                   samples=[])
        counters = {"instructions": "instructions", "branches": "branches",
                    "branch misses": "branchmisses"}
        if any(float(r[k]) > 0 for k in counters if k in r):
            for k, metric in counters.items():
                if k in r:
                    out[(name, metric)] = dict(unit="", dir=0, value=float(r[k]) / b, n=1,
                                               samples=[])
    return out, 0

def nanobench_console(path):
    """The markdown-like tables: a header row, a |---| row, rows until a line not starting '|'."""
    out, warnings, header = {}, 0, None
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line[1:].split("|")]
        if header is None:
            if i + 1 < len(lines) and re.match(r"^\|[-:]", lines[i + 1]):
                header = cells
            continue
        if re.match(r"^[-:]+$", cells[0]) or "coefficient" in header:
            continue
        name = header[-1] + " / " + re.search(r"`([^`]*)`", cells[-1]).group(1)
        if cells[-1].startswith(":boom:"):
            warnings += 1
            continue
        if cells[-1].startswith(":wavy_dash:"):
            warnings += 1
        for h, c in zip(header, cells):
            m = re.match(r"^(ns|us|ms|s)/", h)
            metric = {"ins": "instructions", "cyc": "cpucycles", "bra": "branches"}.get(h.split("/")[0])
            if m and (name, "time") not in out:
                out[(name, "time")] = dict(unit="ns", dir=0, n=1, samples=[],
                                           value=float(c.replace(",", "")) * scale[m.group(1)])
            elif metric and "/" in h:
                out[(name, metric)] = dict(unit="", dir=0, n=1, samples=[],
                                           value=float(c.replace(",", "")))
    return out, warnings

def criterion_console(path):
    """NAME time: [lo est hi] (the name alone on the line before when long); thrpt: after it."""
    times = {"ps": 1e-3, "ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
    rates = {"B/s": (1, "B/s"), "KiB/s": (1024, "B/s"), "MiB/s": (1024 ** 2, "B/s"),
             "GiB/s": (1024 ** 3, "B/s"), "elem/s": (1, "elem/s"), "Kelem/s": (1e3, "elem/s"),
             "Melem/s": (1e6, "elem/s"), "Gelem/s": (1e9, "elem/s")}
    out, warnings, prev, name = {}, 0, "", None
    num = r"([-+0-9.e]+)"
    for line in open(path, encoding="utf-8").read().split("\n"):
        m = re.match(r"^(.*?)\s*\btime:\s+\[" + num + r" (\S+) " + num + r" (\S+) " + num + r" (\S+)\]", line)
        t = re.match(r"^\s+thrpt:\s+\[" + num + r" (\S+) " + num + r" (\S+) " + num + r" (\S+)\]", line)
        if m and m.group(3) in times:
            name = m.group(1).strip() or prev.strip()
            out[(name, "time")] = dict(unit="ns", dir=0, n=1, samples=[],
                                       value=float(m.group(4)) * times[m.group(5)])
        elif t and t.group(4) in rates:
            f, u = rates[t.group(4)]
            out[(name, "throughput")] = dict(unit=u, dir=1, n=1, samples=[],
                                             value=float(t.group(3)) * f)
        elif re.match(r"^thread '.*' panicked", line):
            warnings += 1
        if line.strip():
            prev = line
    return out, warnings

# --- what perfdb stored ---------------------------------------------------------------

def stored(db):
    q = ("select b.name, b.metric, b.unit, b.higher_is_better, r.value, r.n, r.mean, r.median,"
         " r.stddev, r.min, r.max, (select group_concat(s.value, ' ') from (select value from"
         " samples s where s.run_id = r.run_id and s.benchmark_id = r.benchmark_id order by idx) s)"
         " as samples from results r join benchmarks b on b.id = r.benchmark_id")
    out = subprocess.run([perfdb, "query", "--db", db, "--format", "json", q], capture_output=True,
                         text=True, check=True).stdout
    return {(r["name"], r["metric"]): r for r in json.loads(out)}

def close(a, b):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None) == (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-300)

def check(path, expected, nwarn):
    global checked_files, checked_values
    db = os.path.join(tmp, "a.db")
    if os.path.exists(db):
        os.remove(db)
    p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c0ffee", "--machine", "m", path],
                       capture_output=True, text=True)
    if not expected:  # every benchmark failed: warned, and nothing to record
        if p.returncode != 2 or "nothing to record" not in p.stderr:
            return problem(path, f"expected 'nothing to record', got {p.returncode}: {p.stderr[-300:]}")
    elif p.returncode != 0:
        return problem(path, f"record exited {p.returncode}: {p.stderr.strip()[:300]}")
    warns = [l for l in p.stderr.splitlines() if l.startswith("perfdb: warning:")]
    if len(warns) != nwarn:
        problem(path, f"{len(warns)} warnings, expected {nwarn}: {warns}")
    for w in warns:
        if not re.match(r"^perfdb: warning: " + re.escape(path) + r":\d+:\d+: ", w):
            problem(path, f"warning without file:line:col: {w}")
    got = stored(db) if expected else {}
    if set(got) != set(expected):
        problem(path, f"pairs differ: missing {sorted(set(expected) - set(got))[:5]}, "
                      f"extra {sorted(set(got) - set(expected))[:5]}")
    for key, e in expected.items():
        g = got.get(key)
        if not g:
            continue
        checked_values += 1
        if g["unit"] != e["unit"] or g["higher_is_better"] != e["dir"]:
            problem(path, f"{key}: unit/direction {g['unit']}/{g['higher_is_better']}, "
                          f"expected {e['unit']}/{e['dir']}")
        if not close(g["value"], e["value"]):
            problem(path, f"{key}: value {g['value']}, expected {e['value']}")
        if g["n"] != e["n"]:
            problem(path, f"{key}: n {g['n']}, expected {e['n']}")
        for k in ("stddev", "median", "min", "max"):
            if k in e and not close(g[k] if g[k] is not None or e["n"] != 1 else None, e[k]):
                problem(path, f"{key}: {k} {g[k]}, expected {e[k]}")
        gs = [float(x) for x in g["samples"].split()] if g["samples"] else []
        if len(e["samples"]) == 1 and not gs:
            gs = [g["value"]]  # one sample is stored as the value alone
        if len(gs) != len(e["samples"]) or not all(close(a, b) for a, b in zip(gs, e["samples"])):
            problem(path, f"{key}: samples {gs[:4]}..., expected {e['samples'][:4]}...")
    checked_files += 1

def refuse_at(path):
    """Detected, but refused at a file:line:col (not of the format as written)."""
    global refused
    db = os.path.join(tmp, "r.db")
    p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c", "--machine", "m", path],
                       capture_output=True, text=True)
    if p.returncode != 2 or not re.match(r"^perfdb: " + re.escape(path) + r":\d+:\d+: ", p.stderr):
        problem(path, f"not refused at file:line:col: {p.returncode} {p.stderr[:200]}")
    refused += 1

def refuse(path, fmt):
    """Not of the format as written: refused by detection, and at a position when forced."""
    global refused
    db = os.path.join(tmp, "r.db")
    p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c", "--machine", "m", path],
                       capture_output=True, text=True)
    if p.returncode != 2 or "unknown format" not in p.stderr:
        problem(path, f"not refused as an unknown format: {p.returncode} {p.stderr[:200]}")
    p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c", "--machine", "m",
                        "--format", fmt, path], capture_output=True, text=True)
    if p.returncode != 2 or not re.match(r"^perfdb: " + re.escape(path) + r":\d+:\d+: ", p.stderr):
        problem(path, f"--format {fmt}: not refused at file:line:col: {p.returncode} {p.stderr[:200]}")
    refused += 1

for f in sorted(os.listdir(os.path.join(corpus, "go-bench"))):
    path = os.path.join(corpus, "go-bench", f)
    if f.endswith(".jsonl"):
        check(path, *go_json(path))
    else:
        check(path, *go_text(open(path, encoding="utf-8").read()))
for f in sorted(os.listdir(os.path.join(corpus, "catch2"))):
    path = os.path.join(corpus, "catch2", f)
    if f.endswith(".xml"):
        check(path, *catch2(path))
    elif f == "bencher-issue_351.txt":
        # edited by hand: a name's second line on its mean row, which Catch2 never writes
        refuse_at(path)
    elif f.endswith(".txt"):
        check(path, *catch2_console(path))
    else:
        refuse(path, "catch2")
for f in sorted(os.listdir(os.path.join(corpus, "pytest-benchmark"))):
    path = os.path.join(corpus, "pytest-benchmark", f)
    check(path, *pytest_benchmark(path))

for f in sorted(os.listdir(os.path.join(corpus, "libtest-bench"))):
    path = os.path.join(corpus, "libtest-bench", f)
    check(path, *(libtest_json(path) if f.endswith(".jsonl") else libtest_text(path)))
# criterion's target/criterion files, put back into the directory layout
# criterion writes (corpus names are <prefix>-new-<file>.json)
crit = os.path.join(tmp, "criterion")
for f in sorted(os.listdir(os.path.join(corpus, "criterion"))):
    m = re.match(r"^(.*)-(new|change)-(benchmark|estimates|sample)\.json$", f)
    if not m:
        continue
    d = os.path.join(crit, m.group(1), m.group(2))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(corpus, "criterion", f), "rb") as src, \
         open(os.path.join(d, m.group(3) + ".json"), "wb") as dst:
        dst.write(src.read())
check(crit, *criterion_dir(crit))
# criterion's console text (cargo bench), checked against a regular-expression reading
for f in sorted(os.listdir(os.path.join(corpus, "criterion"))):
    if f.endswith(".txt") and "console" in f:
        path = os.path.join(corpus, "criterion", f)
        check(path, *criterion_console(path))
for f in sorted(os.listdir(os.path.join(corpus, "benchmarkdotnet"))):
    path = os.path.join(corpus, "benchmarkdotnet", f)
    check(path, *benchmarkdotnet(path))
for f in sorted(os.listdir(os.path.join(corpus, "nanobench"))):
    path = os.path.join(corpus, "nanobench", f)
    if f.endswith(".json") and "pyperf" not in f:
        check(path, *nanobench(path))
    elif f.endswith(".csv"):
        check(path, *nanobench_csv(path))
    elif f.endswith(".txt"):
        check(path, *nanobench_console(path))
for f in sorted(os.listdir(os.path.join(corpus, "jmh"))):
    path = os.path.join(corpus, "jmh", f)
    check(path, *jmh(path))
for f in sorted(os.listdir(os.path.join(corpus, "bmf"))):
    path = os.path.join(corpus, "bmf", f)
    check(path, *bmf(path))
for f in ("github-action-benchmark-criterion_output.txt", "local-criterion-0.3.6-output-format-bencher.txt"):
    path = os.path.join(corpus, "criterion", f)  # criterion --output-format bencher
    check(path, *libtest_text(path))

print(f"{checked_files} files read, {checked_values} results checked, {refused} files refused")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems or checked_files < 68 else 0)
EOF
