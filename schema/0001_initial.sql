-- perfdb history schema, version 1.
-- Forward-only migrations: never edit a released file, add NNNN_<what>.sql.

CREATE TABLE commits (
  id           INTEGER PRIMARY KEY,
  sha          TEXT NOT NULL UNIQUE,
  parent_sha   TEXT,
  committed_at TEXT,              -- ISO 8601 UTC, NULL when unknown
  subject      TEXT,
  author       TEXT,
  seq          INTEGER NOT NULL   -- first-recorded order, the fallback commit order
);

CREATE TABLE machines (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  fingerprint TEXT NOT NULL DEFAULT '{}'   -- JSON: cpu, cores, memory, os, kernel, compiler, ...
);

CREATE TABLE runs (
  id         INTEGER PRIMARY KEY,
  commit_id  INTEGER NOT NULL REFERENCES commits(id),
  branch     TEXT,
  machine_id INTEGER NOT NULL REFERENCES machines(id),
  started_at TEXT NOT NULL,       -- ISO 8601 UTC
  source     TEXT NOT NULL,       -- gbench, hyperfine, native, csv, profiler, loadtest, ...
  tags       TEXT NOT NULL DEFAULT '{}'   -- JSON object, keys sorted: part of a series' identity
);
CREATE INDEX runs_commit ON runs(commit_id);

-- A benchmark's id is a 63-bit hash of (name, metric, unit), probed forward
-- on a collision (lib/store/store.c), so looking one up is a rowid lookup and
-- no second index has to hold every name again.
CREATE TABLE benchmarks (
  id        INTEGER PRIMARY KEY,
  name      TEXT NOT NULL,
  metric    TEXT NOT NULL,
  unit      TEXT NOT NULL,
  -- 1 when higher is better (throughput), 0 when lower is (time, bytes); the
  -- views spell it out as direction. An integer 0/1 takes no bytes in a row.
  higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1))
);

-- Results and samples are keyed by (run, benchmark) and stored WITHOUT ROWID:
-- the primary key is the table, a run is one contiguous range of it (what
-- regress reads, and where a new run is appended), and there is no second
-- B-tree to keep.
CREATE TABLE results (
  run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id),
  value        REAL NOT NULL,
  n            INTEGER NOT NULL,
  mean         REAL,              -- mean, median, min, max: NULL when n = 1 (they are value);
  median       REAL,              -- the history view fills them in
  stddev       REAL,
  min          REAL,
  max          REAL,
  PRIMARY KEY (run_id, benchmark_id)
) WITHOUT ROWID;

-- Raw repetitions, one row per sample; the statistical tests read them.
CREATE TABLE samples (
  run_id       INTEGER NOT NULL,
  benchmark_id INTEGER NOT NULL,
  idx          INTEGER NOT NULL,
  value        REAL NOT NULL,
  PRIMARY KEY (run_id, benchmark_id, idx),
  FOREIGN KEY (run_id, benchmark_id) REFERENCES results(run_id, benchmark_id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE baselines (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  commit_id  INTEGER NOT NULL REFERENCES commits(id),
  branch     TEXT,
  created_at TEXT NOT NULL,
  note       TEXT
);

CREATE TABLE alerts (
  id           INTEGER PRIMARY KEY,
  benchmark_id INTEGER NOT NULL REFERENCES benchmarks(id),
  machine_id   INTEGER NOT NULL REFERENCES machines(id),
  tags         TEXT NOT NULL DEFAULT '{}',
  commit_id    INTEGER NOT NULL REFERENCES commits(id),   -- first commit of the step
  kind         TEXT NOT NULL CHECK (kind IN ('regression', 'improvement')),
  baseline_value REAL,
  value        REAL,
  change       REAL,              -- relative change, percent
  p_value      REAL,
  method       TEXT,
  status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'ignored')),
  note         TEXT,
  created_at   TEXT NOT NULL,
  UNIQUE (benchmark_id, machine_id, tags, commit_id, kind)
);

-- One row per result, for people who write SQL. A public interface: columns
-- are only ever added.
CREATE VIEW history AS
SELECT c.sha          AS sha,
       r.branch       AS branch,
       m.name         AS machine,
       b.name         AS benchmark,
       b.metric       AS metric,
       b.unit         AS unit,
       CASE b.higher_is_better WHEN 1 THEN 'higher_is_better'
            ELSE 'lower_is_better' END AS direction,
       res.value      AS value,
       res.n          AS n,
       CASE WHEN res.n = 1 THEN res.value ELSE res.mean END   AS mean,
       CASE WHEN res.n = 1 THEN res.value ELSE res.median END AS median,
       res.stddev     AS stddev,
       CASE WHEN res.n = 1 THEN res.value ELSE res.min END    AS min,
       CASE WHEN res.n = 1 THEN res.value ELSE res.max END    AS max,
       r.started_at   AS recorded_at,
       c.committed_at AS committed_at,
       c.subject      AS subject,
       r.tags         AS tags,
       r.source       AS source,
       r.id           AS run_id,
       c.seq          AS commit_seq
FROM results res
JOIN runs r       ON r.id = res.run_id
JOIN commits c    ON c.id = r.commit_id
JOIN machines m   ON m.id = r.machine_id
JOIN benchmarks b ON b.id = res.benchmark_id;

-- The same for each series (benchmark, metric, unit, machine, tags): the row
-- of its newest commit (recorded commit order), newest run of that commit.
CREATE VIEW latest AS
SELECT sha, branch, machine, benchmark, metric, unit, direction, value, n, mean, median, stddev,
       min, max, recorded_at, committed_at, subject, tags, source, run_id, commit_seq
FROM (SELECT h.*, row_number() OVER (
        PARTITION BY benchmark, metric, unit, machine, tags
        ORDER BY commit_seq DESC, run_id DESC) AS newest
      FROM history h)
WHERE newest = 1;
