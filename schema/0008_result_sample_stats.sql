-- What regress needs of a result's samples, kept with the result: how many
-- there are, their median and their median absolute deviation (the median
-- of |sample - median|, unscaled). Reading 5 sample rows per result was
-- most of `perfdb regress` on a wide history (10.5M rows for 100,000
-- series); with these the samples are read only where a commit's runs are
-- pooled. The median is the one lib/analysis/stats.c computes: the middle
-- sample, or lo + (hi - lo) / 2 of the two middle ones.
--   sample_count = 0: the result has no samples (the statistics are NULL);
--   sample_count IS NULL: not known (a row written by an older perfdb
--   through another path): readers fall back to the samples.
ALTER TABLE results ADD COLUMN sample_count INTEGER;
ALTER TABLE results ADD COLUMN sample_median REAL;
ALTER TABLE results ADD COLUMN sample_mad REAL;

-- The existing rows: each result's samples in order, their median, then the
-- median of their distances to it, by the same rule.
CREATE TEMP TABLE perfdb_sample_median AS
WITH o AS (
  SELECT run_id, benchmark_id, value,
         row_number() OVER (PARTITION BY run_id, benchmark_id ORDER BY value) AS k,
         count(*) OVER (PARTITION BY run_id, benchmark_id) AS n
  FROM samples),
m AS (
  SELECT run_id, benchmark_id, n,
         max(CASE WHEN k = (n + 1) / 2 THEN value END) AS lo,
         max(CASE WHEN k = n / 2 + 1 THEN value END) AS hi
  FROM o GROUP BY run_id, benchmark_id)
SELECT run_id, benchmark_id, n,
       CASE WHEN n % 2 = 1 THEN lo ELSE lo + (hi - lo) / 2.0 END AS median
FROM m;

CREATE TEMP TABLE perfdb_sample_mad AS
WITH o AS (
  SELECT s.run_id, s.benchmark_id, d.n, d.median, abs(s.value - d.median) AS dev,
         row_number() OVER (PARTITION BY s.run_id, s.benchmark_id
                            ORDER BY abs(s.value - d.median)) AS k
  FROM samples s JOIN temp.perfdb_sample_median d
    ON d.run_id = s.run_id AND d.benchmark_id = s.benchmark_id),
m AS (
  SELECT run_id, benchmark_id, n, median,
         max(CASE WHEN k = (n + 1) / 2 THEN dev END) AS lo,
         max(CASE WHEN k = n / 2 + 1 THEN dev END) AS hi
  FROM o GROUP BY run_id, benchmark_id)
SELECT run_id, benchmark_id, n, median,
       CASE WHEN n % 2 = 1 THEN lo ELSE lo + (hi - lo) / 2.0 END AS mad
FROM m;

UPDATE results SET sample_count = 0;
UPDATE results SET sample_count = x.n, sample_median = x.median, sample_mad = x.mad
FROM temp.perfdb_sample_mad x
WHERE results.run_id = x.run_id AND results.benchmark_id = x.benchmark_id;

DROP TABLE temp.perfdb_sample_median;
DROP TABLE temp.perfdb_sample_mad;
