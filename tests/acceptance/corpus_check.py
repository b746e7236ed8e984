#!/usr/bin/env python3
"""Checks `perfdb record` on every Google Benchmark and hyperfine file of the
corpus (../shared/data/corpus) against a reading of each file made here,
independently of perfdb's C readers, from the rules lib/ingest/README.md states:

  - every (benchmark, metric) pair perfdb stores, and no other;
  - each one's unit and direction, value, n and stddev (where the file has
    one) after unit normalisation (times in ns);
  - the stored samples, value by value;
  - run.started_at from context.date;
  - the "recorded N results (M samples)" line against the database;
  - files invalid as written: exit 2 and the file:line:col of the fault.

Usage: corpus_check.py PERFDB CORPUS_DIR WORK_DIR. Prints one line per file
and a summary; exits 1 on any mismatch.
"""
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

GBENCH_DIRS = [
    "google-benchmark", "local-gbench-v1.1.0", "local-gbench-v1.4.1", "local-gbench-v1.5.0",
    "local-gbench-1.7.1", "local-gbench-1.9.5-HEAD", "bpfilter-benchmark-results",
    "kokkos-benchmark-results", "numa-pmr", "weighted-voronoi-stippling-cpp",
    "github-action-benchmark",
]
HYPERFINE_DIRS = ["local-hyperfine-1.15", "bencher", "zeroows-1brc", "RUCICS-meowhw-delique1984",
                  "dandavison-misc"]

TIME_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
KNOWN = set("""name run_name run_type repetitions repetition_index threads iterations real_time
cpu_time time_unit family_index per_family_instance_index aggregate_name aggregate_unit
error_occurred error_message skipped skip_message label big_o rms cpu_coefficient
real_coefficient""".split())
MEMORY_UNITS = {"allocs_per_iter": "", "max_bytes_used": "B", "total_allocated_bytes": "B",
                "net_heap_growth": "B"}
BUILTIN_STATS = ("mean", "median", "stddev", "min", "max")
KNOBS = ("repeats:", "iterations:", "min_time:", "min_warmup_time:")


class Invalid(Exception):
    """The file is invalid as written; .where is "line:col" or None (any)."""

    def __init__(self, why, where=None):
        super().__init__(why)
        self.where = where


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def direction_of(unit, explicit=None):
    if explicit:
        return explicit
    return "higher_is_better" if unit.endswith("/s") else "lower_is_better"


def new_metric(unit, direction=None):
    return {"unit": unit, "dir": direction, "samples": [], "skipped": False, "value": None,
            "mean": None, "stddev": None, "median": None}


# --- Google Benchmark ----------------------------------------------------------------


def counter_unit(key):
    if key in MEMORY_UNITS:
        return MEMORY_UNITS[key], None
    if key == "bytes_per_second":
        return "B/s", None
    if key.endswith("_per_second") and len(key) > len("_per_second"):
        return key[: -len("_per_second")] + "/s", None
    if key.endswith("_rate"):
        return "", "higher_is_better"
    return "", None


def strip_knobs(name):
    segs = name.split("/")
    kept = [segs[0]] + [s for s in segs[1:]
                        if not any(s.startswith(k) and len(s) > len(k) for k in KNOBS)]
    return "/".join(kept)


def gbench_expect(path):
    text = open(path, encoding="utf-8").read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise Invalid(e.msg, "%d:%d" % (e.lineno, e.colno))
    rows = doc["benchmarks"]
    names = {r.get("name") for r in rows}
    benches = {}  # (run_name, family) -> bench
    order = []

    def bench(run_name, family):
        for (n, f), b in benches.items():
            if n == run_name and (f == family or f is None or family is None):
                return b
        b = {"name": run_name, "family": family, "metrics": {}, "nok": 0, "nfailed": 0,
             "reps": 0}
        benches[(run_name, family)] = b
        order.append(b)
        return b

    def suffix_stat(name, declared):
        if "_" not in name:
            return None
        base, stat = name.rsplit("_", 1)
        if not base or not stat:
            return None
        if declared and stat in ("mean", "median", "stddev", "cv"):
            return base, stat
        if base + "_mean" in names and base + "_stddev" in names:
            return base, stat
        return None

    for r in rows:
        name = r["name"]
        run_name = r.get("run_name") or None
        run_type = r.get("run_type")
        agg = r.get("aggregate_name")
        family = r.get("family_index")
        failed = r.get("error_occurred") is True or r.get("skipped") is True
        if run_type == "iteration":
            agg = None
        elif agg is None and "big_o" not in r and "rms" not in r and not failed:
            declared = run_type is not None
            hit = None
            if declared and run_name and name.startswith(run_name + "_") and \
                    len(name) > len(run_name) + 1:
                hit = (run_name, name[len(run_name) + 1:])
            else:
                hit = suffix_stat(name, declared)
            if hit:
                agg = hit[1]
                run_name = run_name or hit[0]
            elif declared:
                continue  # an aggregate of no known statistic: left out, warned
        run_name = run_name or name
        if failed:
            b = bench(run_name, family)
            b["nfailed"] += 1
            continue
        if "big_o" in r or "rms" in r or agg in ("BigO", "RMS"):
            b = bench(name, family)
            if "rms" in r:
                m = b["metrics"].setdefault("rms", new_metric("", "lower_is_better"))
                m["value"] = r["rms"]
                m["skipped"] |= not math.isfinite(r["rms"])
            else:
                for k in ("cpu_coefficient", "real_coefficient"):
                    m = b["metrics"].setdefault("%s[%s]" % (k, r["big_o"]),
                                                new_metric("ns", "lower_is_better"))
                    m["value"] = r[k] * TIME_NS[r["time_unit"]]
                    m["skipped"] |= not math.isfinite(r[k])
            continue
        if "time_unit" not in r or "real_time" not in r or "cpu_time" not in r:
            raise Invalid("a row without times (%s)" % name)
        pct = r.get("aggregate_unit") == "percentage"
        b = bench(run_name, family)
        if is_num(r.get("repetitions")) and r["repetitions"] >= 1:
            b["reps"] = int(r["repetitions"])
        if agg is None:
            b["nok"] += 1
        scale = TIME_NS[r["time_unit"]]
        values = [("real_time", "ns", None, r["real_time"] * scale),
                  ("cpu_time", "ns", None, r["cpu_time"] * scale)]
        for k, v in r.items():
            if k in KNOWN or not is_num(v):
                continue
            unit, d = counter_unit(k)
            values.append((k, unit, d, v))
        for mname, unit, d, v in values:
            if agg == "cv":
                continue
            if agg and agg not in BUILTIN_STATS:
                m = b["metrics"].setdefault("%s_%s" % (mname, agg),
                                            new_metric("" if pct else unit, d))
                m["value"] = v
                m["skipped"] |= not math.isfinite(v)
                continue
            if agg and pct:
                continue
            m = b["metrics"].setdefault(mname, new_metric(unit, d))
            if agg is None:
                if not math.isfinite(v):
                    m["skipped"] = True
                else:
                    m["samples"].append(v)
            elif not math.isfinite(v):
                if agg == "mean":
                    m["skipped"] = True
            else:
                m[agg] = v

    # Series names: run knobs left out unless two would meet; a second
    # registration (same run_name, higher family_index) gets " #2".
    def rank(b):
        return sum(1 for o in order if o is not b and o["name"] == b["name"] and
                   o["family"] is not None and b["family"] is not None and
                   o["family"] < b["family"])

    run_names = {b["name"] for b in order}
    stripped = []
    for b in order:
        b["series"] = strip_knobs(b["name"])
        if b["series"] != b["name"] and not rank(b):
            if b["series"] in run_names:
                b["series"] = b["name"]
                continue
            stripped.append(b["series"])
    for b in order:
        if b["series"] != b["name"] and not rank(b) and stripped.count(b["series"]) > 1:
            b["series"] = b["name"]
    for b in order:
        if rank(b):
            b["series"] += " #%d" % (rank(b) + 1)

    out = {}
    for b in order:
        for mname, m in b["metrics"].items():
            if m["skipped"]:
                continue
            s = m["samples"]
            if s:
                value = m["mean"] if m["mean"] is not None else sum(s) / len(s)
                n = len(s)
            elif m["value"] is not None:
                value, n = m["value"], 1
            elif m["mean"] is not None:
                value, n = m["mean"], max(b["reps"], 1)
            else:
                continue
            out[(b["series"], mname)] = {
                "unit": m["unit"], "direction": direction_of(m["unit"], m["dir"]),
                "value": value, "n": n, "samples": s, "stddev": m["stddev"],
                "median": m["median"]}
    partly_failed = [b["name"] for b in order if b["nfailed"] and
                     any((b["series"], k) in out for k in b["metrics"])]
    return out, started_at(doc.get("context", {}).get("date")), partly_failed


def started_at(date):
    if not isinstance(date, str):
        return None
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?", date)
    if not m:
        return None
    if not m.group(4):
        return "%sT%s" % (m.group(1), m.group(2))  # local time, stored as written
    t = datetime.strptime(m.group(1) + " " + m.group(2), "%Y-%m-%d %H:%M:%S")
    z = m.group(4)
    if z != "Z":
        sign = -1 if z[0] == "-" else 1
        z = z[1:].replace(":", "")
        t -= sign * timedelta(hours=int(z[:2]), minutes=int(z[2:]))
    return t.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- hyperfine -------------------------------------------------------------------------


def hyperfine_expect(path):
    try:
        doc = json.loads(open(path, encoding="utf-8").read())
    except json.JSONDecodeError as e:
        raise Invalid(e.msg, "%d:%d" % (e.lineno, e.colno))
    out, seen = {}, {}
    for res in doc["results"]:
        name = res["command"]
        params = res.get("parameters") or {}
        if params:
            def text(v):
                return v if isinstance(v, str) else (
                    str(int(v)) if float(v).is_integer() else repr(v))
            name += " [" + ",".join("%s=%s" % (k, text(params[k])) for k in sorted(params)) + "]"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name += " #%d" % seen[name]
        times = res.get("times")
        codes = res.get("exit_codes")
        nruns = len(times) if times is not None else (len(codes) if codes is not None else 0)
        failed = [c is None or c != 0 for c in codes] if codes is not None else [False] * nruns
        nfailed = sum(failed)
        if nfailed and nfailed == nruns:
            continue
        if nfailed and times is None:
            continue
        if times is not None:
            ok = [t * 1e9 for t, f in zip(times, failed) if not f]
            value = sum(ok) / len(ok) if nfailed else res["mean"] * 1e9
            std = med = None
            if nfailed and len(ok) > 1:
                std = math.sqrt(sum((x - value) ** 2 for x in ok) / (len(ok) - 1))
                srt = sorted(ok)
                med = srt[len(srt) // 2] if len(srt) % 2 else \
                    (srt[len(srt) // 2 - 1] + srt[len(srt) // 2]) / 2
            elif not nfailed:
                if res.get("stddev") is not None:
                    std = res["stddev"] * 1e9
                if is_num(res.get("median")):
                    med = res["median"] * 1e9
            out[(name, "wall_time")] = {"unit": "ns", "direction": "lower_is_better",
                                        "value": value, "n": len(ok), "samples": ok,
                                        "stddev": std, "median": med}
        else:
            out[(name, "wall_time")] = {"unit": "ns", "direction": "lower_is_better",
                                        "value": res["mean"] * 1e9, "n": max(nruns, 1),
                                        "samples": [], "stddev": None, "median": None}
        if not nfailed:
            for key, metric in (("user", "user_time"), ("system", "system_time")):
                if is_num(res.get(key)):
                    out[(name, metric)] = {"unit": "ns", "direction": "lower_is_better",
                                           "value": res[key] * 1e9, "n": 1, "samples": [],
                                           "stddev": None, "median": None}
        mem = res.get("memory_usage_byte")
        if mem is not None:
            ok = [float(v) for v, f in zip(mem, failed) if not f]
            out[(name, "memory")] = {"unit": "B", "direction": "lower_is_better",
                                     "value": sum(ok) / len(ok), "n": len(ok), "samples": ok,
                                     "stddev": None, "median": None}
    return out, None, []


# --- comparing ---------------------------------------------------------------------------


def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-300


def query(perfdb, db, sql):
    p = subprocess.run([perfdb, "query", "--db", db, "--format", "csv", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("query failed: " + p.stderr)
    return list(csv.DictReader(io.StringIO(p.stdout)))


def num_or_none(s):
    return None if s == "" else float(s)


def check_file(perfdb, path, rel, reader, work):
    """Returns (problems, pairs checked)."""
    problems = []
    db = os.path.join(work, "corpus.db")
    if os.path.exists(db):
        os.remove(db)
    fmt = "gbench" if reader is gbench_expect else "hyperfine"
    p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c0ffee", "--branch", "main",
                        "--machine", "corpus", "--format", fmt, path],
                       capture_output=True, text=True)
    try:
        want, when, partly_failed = reader(path)
    except Invalid as inv:
        if p.returncode != 2:
            problems.append("invalid as written (%s), but record exited %d" % (inv,
                                                                               p.returncode))
        where = re.escape(path) + ":" + (re.escape(inv.where) if inv.where else r"\d+:\d+") + ":"
        if not re.search(where, p.stderr):
            problems.append("refusal does not name %s: %s" % (where, p.stderr.strip()))
        return problems, 0
    if p.returncode != 0:
        return ["record exited %d: %s" % (p.returncode, p.stderr.strip())], 0

    got = {}
    for row in query(perfdb, db, "SELECT benchmark, metric, unit, direction, value, n, stddev, "
                     "median FROM history"):
        got[(row["benchmark"], row["metric"])] = row
    samples = {}
    for row in query(perfdb, db, "SELECT b.name AS benchmark, b.metric AS metric, s.value AS v "
                     "FROM samples s JOIN benchmarks b ON b.id = s.benchmark_id "
                     "ORDER BY b.name, b.metric, s.idx"):
        samples.setdefault((row["benchmark"], row["metric"]), []).append(float(row["v"]))
    for key in sorted(set(want) - set(got)):
        problems.append("missing %s/%s" % key)
    for key in sorted(set(got) - set(want)):
        problems.append("unexpected %s/%s" % key)
    for key in sorted(set(want) & set(got)):
        w, g = want[key], got[key]
        what = "%s/%s" % key
        if g["unit"] != w["unit"]:
            problems.append("%s: unit %r, expected %r" % (what, g["unit"], w["unit"]))
        if g["direction"] != w["direction"]:
            problems.append("%s: %s, expected %s" % (what, g["direction"], w["direction"]))
        if not close(float(g["value"]), w["value"]):
            problems.append("%s: value %s, expected %r" % (what, g["value"], w["value"]))
        if int(g["n"]) != w["n"]:
            problems.append("%s: n %s, expected %d" % (what, g["n"], w["n"]))
        if w["stddev"] is not None and (num_or_none(g["stddev"]) is None or
                                        not close(float(g["stddev"]), w["stddev"])):
            problems.append("%s: stddev %s, expected %r" % (what, g["stddev"], w["stddev"]))
        # the median is stored from two observations on (for one it is the value)
        if w["median"] is not None and w["n"] > 1 and (
                num_or_none(g["median"]) is None or not close(float(g["median"]), w["median"])):
            problems.append("%s: median %s, expected %r" % (what, g["median"], w["median"]))
        ws = w["samples"] if len(w["samples"]) >= 2 else []
        gs = samples.get(key, [])
        if len(gs) != len(ws) or not all(close(a, b) for a, b in zip(gs, ws)):
            problems.append("%s: samples %s, expected %s" % (what, gs[:6], ws[:6]))
    nsamples = sum(len(w["samples"]) for w in want.values() if len(w["samples"]) >= 2)
    m = re.search(r"recorded (\d+) results? \((\d+) samples?\)", p.stdout)
    if not m or int(m.group(1)) != len(want) or int(m.group(2)) != nsamples:
        problems.append("record line %r, expected %d results (%d samples)" % (
            p.stdout.strip(), len(want), nsamples))
    if when is not None:
        run = query(perfdb, db, "SELECT started_at FROM runs")
        if run[0]["started_at"] != when:
            problems.append("started_at %s, expected %s" % (run[0]["started_at"], when))
    for name in partly_failed:
        if re.search(r"'%s' (failed|was skipped).*not recorded" % re.escape(name), p.stderr):
            problems.append("warns '%s' not recorded, but its other repetitions are" % name)
    return problems, len(want)


def main():
    perfdb, corpus, work = sys.argv[1:4]
    nfiles = npairs = nrefused = nbad = 0
    for dirs, reader in ((GBENCH_DIRS, gbench_expect), (HYPERFINE_DIRS, hyperfine_expect)):
        for d in dirs:
            folder = os.path.join(corpus, d)
            for f in sorted(os.listdir(folder)):
                if not f.endswith(".json"):
                    continue
                rel = os.path.join(d, f)
                problems, pairs = check_file(perfdb, os.path.join(folder, f), rel, reader, work)
                nfiles += 1
                npairs += pairs
                nrefused += pairs == 0 and not problems
                if problems:
                    nbad += 1
                    print("FAIL %s" % rel)
                    for pr in problems[:20]:
                        print("    " + pr)
                    if len(problems) > 20:
                        print("    ... %d more" % (len(problems) - 20))
                else:
                    print("ok   %s (%s)" % (rel, "%d pairs" % pairs if pairs else "refused"))
    print("%d files, %d (benchmark, metric) pairs checked, %d refused as invalid, %d failed" %
          (nfiles, npairs, nrefused, nbad))
    return 1 if nbad or nfiles == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
