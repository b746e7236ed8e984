#!/usr/bin/env python3
"""Checks `perfdb record` on every load-tool file of the corpus
(../shared/data/corpus/{wrk,ab,hey,k6,locust,vegeta}) against a reading of
each file made here with regular expressions and python's json/csv modules,
independently of perfdb's C readers, from the mapping lib/ingest/README.md states
("Load-test input"):

  - every (benchmark, metric) pair perfdb stores, and no other;
  - each one's unit, direction and value (times in ns, rates per second);
  - the stored samples (ab -g, hey -o csv), value by value;
  - the "recorded N results (M samples)" line;
  - files that hold no results (a refused connection) or are invalid as
    written: exit 2 and the file:line:col of the fault.

Usage: load_check.py PERFDB CORPUS_DIR WORK_DIR. Prints one line per file and
a summary; exits 1 on any mismatch.
"""
import csv
import io
import json
import math
import os
import re
import subprocess
import sys

LOWER, HIGHER = "lower_is_better", "higher_is_better"
TIME_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}


class Invalid(Exception):
    """The file holds no results or is invalid as written; .where is "line:col"."""

    def __init__(self, why, where):
        super().__init__(why)
        self.where = where


def lat(v):
    return ("ns", LOWER, v)


def count(v):
    return ("", HIGHER, v)


def errors(v):
    return ("", LOWER, v)


def pct_name(prefix, text):
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return prefix + text


# --- wrk ------------------------------------------------------------------------

def wrk_expect(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    first = next(i for i, l in enumerate(lines) if l.strip())
    if lines[first].startswith("unable to connect"):
        raise Invalid("connection refused", "%d:1" % (first + 1))
    url = re.match(r"Running \S+ test @ (\S+)", lines[first]).group(1)
    want = {}

    def dur(t):
        m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", t)
        return float(m.group(1)) * TIME_NS[m.group(2)]

    prefix, spectrum, socket, non2xx = None, False, False, False
    for line in lines[first + 1:]:
        s = line.strip()
        if spectrum:
            spectrum = not s.startswith("----")
            continue
        if s.startswith("Detailed Percentile spectrum"):
            spectrum = True
        elif s.startswith("Latency Distribution"):
            prefix = "uncorrected_latency_p" if "Uncorrected" in s else "latency_p"
        elif s.startswith("Latency "):
            avg, sd, mx = s.split()[1:4]
            for name, v in (("latency_mean", avg), ("latency_stddev", sd), ("latency_max", mx)):
                if "nan" not in v:
                    want[(url, name)] = lat(dur(v))
        elif re.fullmatch(r"[\d.]+%\s+\S+", s) and prefix:
            p, v = s.split()
            want[(url, pct_name(prefix, p[:-1]))] = lat(dur(v))
        elif re.match(r"\d+ requests in ", s):
            want[(url, "requests")] = count(float(s.split()[0]))
        elif s.startswith("Socket errors:"):
            socket = True
            for k, v in re.findall(r"(connect|read|write|timeout) (\d+)", s):
                want[(url, "socket_errors_" + k)] = errors(float(v))
        elif s.startswith("Non-2xx or 3xx responses:"):
            non2xx = True
            want[(url, "non_2xx")] = errors(float(s.split(":")[1]))
        elif s.startswith("Requests/sec:"):
            want[(url, "throughput")] = ("req/s", HIGHER, float(s.split()[1]))
        elif s.startswith("Transfer/sec:"):
            m = re.fullmatch(r"([\d.]+)(B|KB|MB|GB)", s.split()[1])
            f = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[m.group(2)]
            want[(url, "transfer_rate")] = ("B/s", HIGHER, float(m.group(1)) * f)
            break
    if not socket:
        for k in ("connect", "read", "write", "timeout"):
            want[(url, "socket_errors_" + k)] = errors(0)
    if not non2xx:
        want[(url, "non_2xx")] = errors(0)
    return want, {}


# --- ab -------------------------------------------------------------------------

def ab_expect(path):
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    want = {}
    if lines[0] == "Percentage served,Time in ms":
        for row in lines[1:]:
            if row.strip():
                p, ms = row.split(",")
                if int(p) in (50, 66, 75, 80, 90, 95, 98, 99, 100):
                    want[("ab", "latency_p" + p)] = lat(float(ms) * 1e6)
        return want, {}
    if lines[0].startswith("starttime\tseconds"):
        tt = [float(r.split("\t")[4]) * 1e6 for r in lines[1:] if r.strip()]
        want[("ab", "latency")] = lat(sum(tt) / len(tt))
        want[("ab", "requests")] = count(len(tt))
        return want, {("ab", "latency"): tt}
    kv = {}
    for i, line in enumerate(lines):
        m = re.match(r"Benchmarking .*?\)\.*(.*)$", line)
        if m and m.group(1) not in ("", "done") and "Complete requests:" not in text:
            raise Invalid("ab stopped", "%d:%d" % (i + 1, line.index(m.group(1)) + 1))
        m = re.match(r"([A-Za-z][\w /+-]*):\s+(.*)$", line.strip())
        if m:
            kv.setdefault(m.group(1), m.group(2))
    scheme = "https" if "SSL/TLS Protocol" in kv else "http"
    url = "%s://%s:%s%s" % (scheme, kv["Server Hostname"], kv["Server Port"],
                            kv["Document Path"])
    num = lambda k: float(kv[k].split()[0])
    want[(url, "requests")] = count(num("Complete requests"))
    want[(url, "failures")] = errors(num("Failed requests"))
    want[(url, "non_2xx")] = errors(num("Non-2xx responses") if "Non-2xx responses" in kv else 0)
    if "Write errors" in kv:
        want[(url, "write_errors")] = errors(num("Write errors"))
    want[(url, "throughput")] = ("req/s", HIGHER, num("Requests per second"))
    want[(url, "time_per_request")] = lat(num("Time per request") * 1e6)
    want[(url, "transfer_rate")] = ("B/s", HIGHER, num("Transfer rate") * 1024)
    mn, mean, sd, _med, mx = [float(x) for x in kv["Total"].split()]
    for name, v in (("latency_min", mn), ("latency_mean", mean), ("latency_stddev", sd),
                    ("latency_max", mx)):
        want[(url, name)] = lat(v * 1e6)
    for p, ms in re.findall(r"^\s*(\d+)%\s+(\d+)", text, re.M):
        want[(url, "latency_p" + p)] = lat(float(ms) * 1e6)
    return want, {}


# --- hey ------------------------------------------------------------------------

def hey_expect(path):
    text = open(path, encoding="utf-8").read()
    want, samples = {}, {}
    if text.startswith("response-time,"):
        rows = list(csv.DictReader(io.StringIO(text)))
        t = [float(r["response-time"]) * 1e9 for r in rows]
        want[("hey", "latency")] = lat(sum(t) / len(t))
        want[("hey", "requests")] = count(len(rows))
        want[("hey", "non_2xx")] = errors(
            sum(1 for r in rows if not 200 <= int(r["status-code"]) <= 299))
        return want, {("hey", "latency"): t}
    codes = [(int(c), int(n)) for c, n in re.findall(r"^\s+\[(\d+)\]\s+(\d+) responses", text,
                                                     re.M)]
    errs = 0
    if "Error distribution:" in text:
        errs = sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s", text.split(
            "Error distribution:")[1], re.M))
    responses = sum(n for _, n in codes)
    non2xx = sum(n for c, n in codes if not 200 <= c <= 299)
    if responses:
        for key, name in (("Average", "latency_mean"), ("Fastest", "latency_min"),
                          ("Slowest", "latency_max")):
            v = re.search(r"^\s+%s:\s+(\S+) secs" % key, text, re.M).group(1)
            if v != "NaN":
                want[("hey", name)] = lat(float(v) * 1e9)
        rps = re.search(r"^\s+Requests/sec:\s+(\S+)", text, re.M).group(1)
        want[("hey", "throughput")] = ("req/s", HIGHER, float(rps))
    for p, v in re.findall(r"^\s+(\d+)% in (\S+) secs", text, re.M):
        if p != "0":
            want[("hey", "latency_p" + p)] = lat(float(v) * 1e9)
    want[("hey", "requests")] = count(responses + errs)
    want[("hey", "non_2xx")] = errors(non2xx)
    want[("hey", "errors")] = errors(errs)
    if responses + errs:
        want[("hey", "error_rate")] = ("%", LOWER, 100.0 * (non2xx + errs) / (responses + errs))
    return want, samples


# --- k6 -------------------------------------------------------------------------

K6_TIME = {"http_req_duration", "http_req_blocked", "http_req_connecting",
           "http_req_tls_handshaking", "http_req_sending", "http_req_waiting",
           "http_req_receiving", "iteration_duration", "group_duration", "grpc_req_duration",
           "ws_connecting", "ws_session_duration", "ws_ping"}


def k6_expect(path):
    doc = json.load(open(path, encoding="utf-8"))
    want = {}
    nthresholds = nfailed = 0
    for key, m in doc["metrics"].items():
        base, _, tags = key.partition("{")
        tags = tags[:-1]
        if not tags:
            bench = "k6"
        elif tags.startswith("name:") and "," not in tags:
            bench = tags[5:]
        else:
            bench = tags
        handle = "values" in m
        vals = m["values"] if handle else {k: v for k, v in m.items() if k != "thresholds"}
        if handle:
            kind = m["type"]
            what = {"time": "t", "data": "d"}.get(m.get("contains"), "")
        else:
            what = "t" if base in K6_TIME else "d" if base in ("data_sent",
                                                                "data_received") else ""
            if "passes" in vals:
                kind = "rate"
            elif any(k in vals for k in ("avg", "med")) or any(k.startswith("p(") for k in vals):
                kind = "trend"
            elif "count" in vals and "rate" in vals:
                kind = "counter"
            else:
                kind = "gauge"
        for expr, t in m.get("thresholds", {}).items():
            nthresholds += 1
            nfailed += (not t["ok"]) if isinstance(t, dict) else t
        if kind == "trend":
            prefix = "latency" if base == "http_req_duration" else base
            for stat, v in vals.items():
                if not math.isfinite(v):
                    continue
                if stat == "count":
                    want[(bench, prefix + "_count")] = ("", HIGHER, v)
                    continue
                name = {"avg": "mean", "med": "median"}.get(stat, stat)
                if stat.startswith("p("):
                    name = "p" + stat[2:-1]
                unit = {"t": "ns", "d": "B"}.get(what, "")
                want[(bench, prefix + "_" + name)] = (unit, LOWER, v * (1e6 if what == "t"
                                                                       else 1))
        elif kind == "counter":
            d = what == "d"
            direction = LOWER if base == "dropped_iterations" else None if d else HIGHER
            if base == "http_reqs":
                want[(bench, "requests")] = ("", HIGHER, vals["count"])
                want[(bench, "throughput")] = ("req/s", HIGHER, vals["rate"])
            else:
                want[(bench, base)] = ("B" if d else "", direction or LOWER, vals["count"])
                want[(bench, base + "_rate")] = ("B/s" if d else "/s", direction or HIGHER,
                                                 vals["rate"])
        elif kind == "rate":
            ratio = vals["rate" if handle else "value"] * 100
            if base == "http_req_failed":
                want[(bench, "error_rate")] = ("%", LOWER, ratio)
                want[(bench, "failures")] = ("", LOWER, vals["passes"])
            elif base == "checks":
                want[(bench, "checks_rate")] = ("%", HIGHER, ratio)
                want[(bench, "checks_failed")] = ("", LOWER, vals["fails"])
            else:
                direction = LOWER
                for expr in m.get("thresholds", {}):
                    e = expr.replace(" ", "")
                    if e.startswith("rate>"):
                        direction = HIGHER
                        break
                    if e.startswith("rate<"):
                        break
                want[(bench, base)] = ("%", direction, ratio)
        elif base not in ("vus", "vus_max"):
            want[(bench, base)] = ({"t": "ns", "d": "B"}.get(what, ""), LOWER,
                                   vals["value"] * (1e6 if what == "t" else 1))
    if nthresholds:
        want[("k6", "thresholds_failed")] = ("", LOWER, nfailed)
    return want, {}


# --- Locust ---------------------------------------------------------------------

def locust_expect(path):
    raw = open(path, "rb").read()
    lines = raw.split(b"\n")
    header = lines[0].rstrip(b"\r")
    if header.startswith((b"Method,Name,Error", b"Count,Message,Traceback")):
        raise Invalid("failures/exceptions file", "1:1")
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            col = len(line[:e.start].decode("utf-8", "replace")) + 1
            raise Invalid("name not UTF-8", "%d:%d" % (i + 1, col))
    text = raw.decode("utf-8").replace("\r", "")
    rows = list(csv.DictReader(io.StringIO(text)))
    want, samples = {}, {}

    def bench(r):
        return (r["Type"] + " " + r["Name"]) if r["Type"] else r["Name"]

    if "Timestamp" in rows[0]:
        cols = (("Requests/s", "throughput_over_time", "req/s", HIGHER, 1),
                ("50%", "latency_p50_over_time", "ns", LOWER, 1e6),
                ("95%", "latency_p95_over_time", "ns", LOWER, 1e6),
                ("99%", "latency_p99_over_time", "ns", LOWER, 1e6))
        for r in rows:
            for col, metric, unit, d, f in cols:
                key = (bench(r), metric)
                samples.setdefault(key, [])
                if r[col] != "N/A":
                    samples[key].append(float(r[col]) * f)
        for (b, metric), vs in list(samples.items()):
            unit, d = next((u, dd) for c, m, u, dd, f in cols if m == metric)
            if vs:
                want[(b, metric)] = (unit, d, sum(vs) / len(vs))
            if len(vs) < 2:
                del samples[(b, metric)]
        return want, samples
    for r in rows:
        b = bench(r)
        req, fail = float(r["Request Count"]), float(r["Failure Count"])
        want[(b, "requests")] = count(req)
        want[(b, "failures")] = errors(fail)
        want[(b, "throughput")] = ("req/s", HIGHER, float(r["Requests/s"]))
        if req == 0:
            continue
        want[(b, "error_rate")] = ("%", LOWER, 100 * fail / req)
        for col, metric in (("Median Response Time", "latency_median"),
                            ("Average Response Time", "latency_mean"),
                            ("Min Response Time", "latency_min"),
                            ("Max Response Time", "latency_max")):
            want[(b, metric)] = lat(float(r[col]) * 1e6)
        for col, v in r.items():
            if re.fullmatch(r"[\d.]+%", col) and v != "N/A":
                want[(b, pct_name("latency_p", col[:-1]))] = lat(float(v) * 1e6)
    return want, {}


# --- vegeta ---------------------------------------------------------------------

def vegeta_expect(path):
    doc = json.load(open(path, encoding="utf-8"))
    codes = {int(k): v for k, v in doc["status_codes"].items()}
    want = {("vegeta", "requests"): count(doc["requests"]),
            ("vegeta", "errors"): errors(codes.get(0, 0)),
            ("vegeta", "non_2xx"): errors(sum(v for c, v in codes.items()
                                              if c and not 200 <= c <= 299))}
    if doc["requests"]:
        for key, metric in (("mean", "latency_mean"), ("min", "latency_min"),
                            ("max", "latency_max"), ("50th", "latency_p50"),
                            ("90th", "latency_p90"), ("95th", "latency_p95"),
                            ("99th", "latency_p99")):
            want[("vegeta", metric)] = lat(doc["latencies"][key])
        want[("vegeta", "throughput")] = ("req/s", HIGHER, doc["throughput"])
        want[("vegeta", "error_rate")] = ("%", LOWER, 100 * (1 - doc["success"]))
    return want, {}


READERS = [("wrk", "wrk", wrk_expect), ("ab", "ab", ab_expect), ("hey", "hey", hey_expect),
           ("k6", "k6", k6_expect),
           ("locust", "locust", locust_expect), ("vegeta", "vegeta", vegeta_expect)]


# --- checking -------------------------------------------------------------------

def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-300


def query(perfdb, db, sql):
    p = subprocess.run([perfdb, "query", "--db", db, "--format", "csv", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("query failed: " + p.stderr)
    return list(csv.DictReader(io.StringIO(p.stdout)))


def check_file(perfdb, path, fmt, reader, work):
    """Returns (problems, pairs checked)."""
    problems = []
    db = os.path.join(work, "load.db")
    if os.path.exists(db):
        os.remove(db)
    results = []
    for args in (["--format", fmt], []):  # forced, then detected from content
        p = subprocess.run([perfdb, "record", "--db", db, "--commit", "c0ffee", "--branch",
                            "main", "--machine", "corpus"] + args + [path],
                           capture_output=True, text=True)
        results.append(p)
        if not args:
            break
        if p.returncode == 0:
            os.remove(db)
    p, auto = results
    if auto.returncode != p.returncode:
        problems.append("detected from content: exit %d, with --format %s: exit %d (%s)" % (
            auto.returncode, fmt, p.returncode, auto.stderr.strip()))
    try:
        want, want_samples = reader(path)
    except Invalid as inv:
        if p.returncode != 2:
            problems.append("no results (%s), but record exited %d" % (inv, p.returncode))
        where = re.escape(path) + ":" + re.escape(inv.where) + ":"
        if not re.search(where, p.stderr):
            problems.append("refusal does not name %s: %s" % (where, p.stderr.strip()))
        return problems, 0
    if p.returncode != 0:
        return problems + ["record exited %d: %s" % (p.returncode, p.stderr.strip())], 0

    got = {}
    for row in query(perfdb, db, "SELECT benchmark, metric, unit, direction, value, n "
                     "FROM history"):
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
        unit, direction, value = want[key]
        g = got[key]
        what = "%s/%s" % key
        if g["unit"] != unit:
            problems.append("%s: unit %r, expected %r" % (what, g["unit"], unit))
        if g["direction"] != direction:
            problems.append("%s: %s, expected %s" % (what, g["direction"], direction))
        if not close(float(g["value"]), value):
            problems.append("%s: value %s, expected %r" % (what, g["value"], value))
        ws = want_samples.get(key, [])
        gs = samples.get(key, [])
        if len(gs) != len(ws) or not all(close(a, b) for a, b in zip(gs, ws)):
            problems.append("%s: samples %s, expected %s" % (what, gs[:6], ws[:6]))
    nsamples = sum(len(v) for v in want_samples.values())
    m = re.search(r"recorded (\d+) results? \((\d+) samples?\)", p.stdout)
    if not m or int(m.group(1)) != len(want) or int(m.group(2)) != nsamples:
        problems.append("record line %r, expected %d results (%d samples)" % (
            p.stdout.strip(), len(want), nsamples))
    return problems, len(want)


def main():
    perfdb, corpus, work = sys.argv[1:4]
    nfiles = npairs = nrefused = nbad = 0
    for folder, fmt, reader in READERS:
        d = os.path.join(corpus, folder)
        if not os.path.isdir(d):
            print("FAIL %s: folder missing" % folder)
            nbad += 1
            continue
        for f in sorted(os.listdir(d)):
            rel = os.path.join(folder, f)
            if reader is None:
                continue
            problems, pairs = check_file(perfdb, os.path.join(d, f), fmt, reader, work)
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
    print("%d files, %d (benchmark, metric) pairs checked, %d refused, %d failed" %
          (nfiles, npairs, nrefused, nbad))
    return 1 if nbad or nfiles == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
