-- As schema/0008_result_sample_stats.sql: each result's sample count, the
-- median of its samples and their median absolute deviation (unscaled),
-- so regress reads samples only where a commit's runs are pooled.
--   sample_count = 0: no samples (the statistics are NULL);
--   sample_count IS NULL: not known; readers fall back to the samples.
-- The median is lib/analysis/stats.c's: the middle sample, or
-- lo + (hi - lo) / 2 of the two middle ones, in double precision.
ALTER TABLE results ADD COLUMN sample_count bigint,
  ADD COLUMN sample_median double precision,
  ADD COLUMN sample_mad double precision;

CREATE TEMP TABLE perfdb_sample_median ON COMMIT DROP AS
WITH o AS (
  SELECT run_id, benchmark_id, value,
         row_number() OVER (PARTITION BY run_id, benchmark_id ORDER BY value) AS k,
         count(*) OVER (PARTITION BY run_id, benchmark_id) AS n
  FROM samples),
m AS (
  SELECT run_id, benchmark_id, n,
         max(CASE WHEN k = (n + 1) / 2 THEN value END) AS lo,
         max(CASE WHEN k = n / 2 + 1 THEN value END) AS hi
  FROM o GROUP BY run_id, benchmark_id, n)
SELECT run_id, benchmark_id, n,
       CASE WHEN n % 2 = 1 THEN lo ELSE lo + (hi - lo) / 2::double precision END AS median
FROM m;

CREATE TEMP TABLE perfdb_sample_mad ON COMMIT DROP AS
WITH o AS (
  SELECT s.run_id, s.benchmark_id, d.n, d.median, abs(s.value - d.median) AS dev,
         row_number() OVER (PARTITION BY s.run_id, s.benchmark_id
                            ORDER BY abs(s.value - d.median)) AS k
  FROM samples s JOIN perfdb_sample_median d
    ON d.run_id = s.run_id AND d.benchmark_id = s.benchmark_id),
m AS (
  SELECT run_id, benchmark_id, n, median,
         max(CASE WHEN k = (n + 1) / 2 THEN dev END) AS lo,
         max(CASE WHEN k = n / 2 + 1 THEN dev END) AS hi
  FROM o GROUP BY run_id, benchmark_id, n, median)
SELECT run_id, benchmark_id, n, median,
       CASE WHEN n % 2 = 1 THEN lo ELSE lo + (hi - lo) / 2::double precision END AS mad
FROM m;

UPDATE results SET sample_count = 0;
UPDATE results SET sample_count = x.n, sample_median = x.median, sample_mad = x.mad
FROM perfdb_sample_mad x
WHERE results.run_id = x.run_id AND results.benchmark_id = x.benchmark_id;
