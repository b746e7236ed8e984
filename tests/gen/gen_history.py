#!/usr/bin/env python3
"""Seeded generator of a benchmark history, and the quality check of
`perfdb regress` on it.

It writes a git repository with one commit per step, a Google Benchmark JSON
file (5 repetitions per benchmark, real_time and cpu_time) for each commit,
records every file with `perfdb record` (commit and order from git), runs
`perfdb regress --since FIRST --format json` at the default settings and
scores the findings against what was injected:

  - series kinds: quiet (no step), a regression (a step of 5-30% in the bad
    direction) or an improvement (5-30% in the good direction), at a commit
    drawn uniformly over the checked range (the newest commit included),
    after a baseline window of --window commits (regress's default, 20):
    `regress --since` the last commit of that window, as CI runs it;
  - noise: a CV of 1-5% per series, drawn from a normal, a log-normal or an
    outlier-laden distribution (5% of the repetitions 1.5-3x slower); a
    share of its variance (--run-noise, default 0) is common to the 5
    repetitions of one run (run-to-run noise), the rest is per repetition.

A regression counts as found only when flagged at the exact commit. The
table goes to stdout; the exit status is 1 when a target is missed
(recall >= 95% of regressions at the exact commit, <= 2% of quiet series
flagged). Python standard library only.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def make_series(rnd, n, commits, first):
    series = []
    for i in range(n):
        u = rnd.random()
        kind = "quiet" if u < 0.4 else ("regression" if u < 0.8 else "improvement")
        step_at = rnd.randint(first, commits - 1) if kind != "quiet" else None
        magnitude = rnd.uniform(0.05, 0.30)
        series.append({
            "name": "BM_Gen/%d" % i,
            "kind": kind,
            "step_at": step_at,
            # time: lower is better, so a regression makes it bigger
            "factor": (1 + magnitude) if kind == "regression" else 1 / (1 + magnitude),
            "magnitude": magnitude,
            "cv": rnd.uniform(0.01, 0.05),
            "noise": rnd.choice(["normal", "lognormal", "outliers"]),
            "level": rnd.uniform(50, 5000),
        })
    return series


RUN_NOISE = 0.0


def draw(rnd, s, level):
    """One run of 5 repetitions for a series at a level."""
    cv = s["cv"]
    run_sd = cv * math.sqrt(RUN_NOISE)
    rep_sd = cv * math.sqrt(1 - RUN_NOISE)
    run = rnd.gauss(0, run_sd)
    out = []
    for _ in range(5):
        if s["noise"] == "lognormal":
            x = level * math.exp(run + rnd.gauss(0, rep_sd) - (run_sd ** 2 + rep_sd ** 2) / 2)
        else:
            x = level * (1 + run + rnd.gauss(0, rep_sd))
            if s["noise"] == "outliers" and rnd.random() < 0.05:
                x *= rnd.uniform(1.5, 3.0)
        out.append(max(x, level * 0.01))
    return out


def gbench_file(rnd, series, commit):
    rows = []
    for fam, s in enumerate(series):
        level = s["level"] * (s["factor"] if s["step_at"] is not None and commit >= s["step_at"]
                              else 1)
        real = draw(rnd, s, level)
        cpu = draw(rnd, s, level * 0.97)
        for k in range(5):
            rows.append({
                "name": s["name"], "family_index": fam, "per_family_instance_index": 0,
                "run_name": s["name"], "run_type": "iteration", "repetitions": 5,
                "repetition_index": k, "threads": 1, "iterations": 1000,
                "real_time": real[k], "cpu_time": cpu[k], "time_unit": "ns",
            })
    return {"context": {"date": "2026-01-01T00:00:00+00:00", "host_name": "gen",
                        "executable": "./gen", "num_cpus": 2, "mhz_per_cpu": 2000,
                        "cpu_scaling_enabled": False, "library_build_type": "release"},
            "benchmarks": rows}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--perfdb", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--commits", type=int, default=60)
    ap.add_argument("--window", type=int, default=20,
                    help="commits before the checked range (regress's default window)")
    ap.add_argument("--run-noise", type=float, default=0.0,
                    help="share of the noise variance common to one run's repetitions")
    ap.add_argument("--no-check", action="store_true", help="print the table only")
    a = ap.parse_args()
    global RUN_NOISE
    RUN_NOISE = a.run_noise
    a.perfdb = os.path.abspath(a.perfdb)
    a.workdir = os.path.abspath(a.workdir)

    rnd = random.Random(a.seed)
    repo = os.path.join(a.workdir, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "gen@perfdb.test")
    git(repo, "config", "user.name", "perfdb generator")
    series = make_series(rnd, a.series, a.commits, a.window)
    db = os.path.join(a.workdir, "gen.db")
    shas = []
    for c in range(a.commits):
        with open(os.path.join(repo, "version.txt"), "w") as f:
            f.write("%d\n" % c)
        git(repo, "add", "version.txt")
        git(repo, "commit", "-q", "-m", "commit %d" % c,
            "--date", "2026-01-01T00:%02d:%02dZ" % (c // 60, c % 60))
        shas.append(git(repo, "rev-parse", "HEAD"))
        out = os.path.join(a.workdir, "bench.json")
        with open(out, "w") as f:
            json.dump(gbench_file(rnd, series, c), f)
        rec = subprocess.run([a.perfdb, "record", "--db", db, "--machine", "gen", out],
                             cwd=repo, capture_output=True, text=True)
        if rec.returncode != 0:
            sys.stderr.write("perfdb record failed (exit %d) at commit %d: %s"
                             % (rec.returncode, c, rec.stderr))
            return 2

    res = subprocess.run([a.perfdb, "regress", "--db", db, "--since", shas[a.window - 1], "--format",
                          "json", "--dry-run"], cwd=repo, capture_output=True, text=True)
    if res.returncode not in (0, 1):
        sys.stderr.write(res.stderr)
        return 2
    doc = json.loads(res.stdout)
    found = {}
    for kind in ("regressions", "improvements"):
        for f in doc[kind]:
            found.setdefault((f["benchmark"], f["metric"]), []).append((kind, f["commit"]))

    table = {k: {"series": 0, "exact": 0, "elsewhere": 0, "wrong_kind": 0, "missed": 0}
             for k in ("regression", "improvement", "quiet")}
    by_noise = {}
    for s in series:
        for metric in ("real_time", "cpu_time"):
            row = table[s["kind"]]
            row["series"] += 1
            got = found.get((s["name"], metric), [])
            want = s["kind"] + "s"
            nb = by_noise.setdefault((s["kind"], s["noise"]), [0, 0])
            nb[0] += 1
            if s["kind"] == "quiet":
                if any(k == "regressions" for k, _ in got):
                    row["elsewhere"] += 1
                    nb[1] += 1
                if any(k == "improvements" for k, _ in got):
                    row["wrong_kind"] += 1
                continue
            sha = shas[s["step_at"]]
            if (want, sha) in got:
                row["exact"] += 1
                nb[1] += 1
            elif any(k == want for k, _ in got):
                row["elsewhere"] += 1
            else:
                row["missed"] += 1
            other = "improvements" if want == "regressions" else "regressions"
            if any(k == other for k, _ in got):
                row["wrong_kind"] += 1

    reg, imp, quiet = table["regression"], table["improvement"], table["quiet"]
    recall = reg["exact"] / max(reg["series"], 1)
    imp_recall = imp["exact"] / max(imp["series"], 1)
    quiet_rate = quiet["elsewhere"] / max(quiet["series"], 1)
    print("seed %d: %d benchmarks x 2 metrics, %d commits (the first %d the baseline window, "
          "steps anywhere in the %d after, the newest included), 5 repetitions, run-to-run share "
          "of the noise variance %.2f; regress --since commit %d at the default settings "
          "(%d series checked)"
          % (a.seed, a.series, a.commits, a.window, a.commits - a.window, a.run_noise,
             a.window - 1, doc["series_checked"]))
    print("| injected | series | flagged at the exact commit | flagged at another commit "
          "| opposite kind also flagged | missed |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in ("regression", "improvement"):
        r = table[k]
        print("| %s (5-30%%) | %d | %d (%.1f%%) | %d | %d | %d |"
              % (k, r["series"], r["exact"], 100 * r["exact"] / max(r["series"], 1),
                 r["elsewhere"], r["wrong_kind"], r["missed"]))
    print("| quiet | %d | - | %d flagged as regressions (%.1f%%) | %d as improvements | - |"
          % (quiet["series"], quiet["elsewhere"], 100 * quiet_rate, quiet["wrong_kind"]))
    print("by noise (found / series; quiet: flagged / series): " + ", ".join(
        "%s/%s %d/%d" % (k, n, v[1], v[0]) for (k, n), v in sorted(by_noise.items())))
    print("regression recall at the exact commit %.1f%% (target >= 95%%), improvements "
          "%.1f%%, quiet series flagged %.1f%% (target <= 2%%)"
          % (100 * recall, 100 * imp_recall, 100 * quiet_rate))
    if a.no_check:
        return 0
    return 0 if recall >= 0.95 and quiet_rate <= 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
