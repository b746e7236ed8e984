-- A packed copy of each run's results for the readers (lib/store/blocks.c):
-- what `perfdb regress` reads of a result (benchmark id, value, sample
-- count, median and median absolute deviation), a run's results in one or
-- a few blobs instead of one row each. Stepping 2.1M rows was most of a
-- regress over 100,000 series; one blob per run is read at memory speed.
--
-- results stay the truth: a block is only a faster copy, written by perfdb
-- in the transaction that writes the run's results. Any other change to a
-- run's results (an INSERT, UPDATE or DELETE by plain SQL) drops the run's
-- blocks here, and a run without blocks is read from its rows. A block
-- whose header or length does not check is ignored (the rows are read).
-- Runs recorded before this version have no blocks.
--   chunk: a run's results may be written in several blocks, each sorted
--   by benchmark id within itself, each after its results.
--   chunk -1 (an empty blob) marks a run whose blocks perfdb is writing: the
--   results it inserts meanwhile keep the chunks already written. perfdb
--   removes it before it commits; a run that still has it is read from its
--   rows.
CREATE TABLE result_blocks (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  chunk  INTEGER NOT NULL,
  data   BLOB NOT NULL,
  PRIMARY KEY (run_id, chunk)
);

CREATE TRIGGER results_insert_blocks AFTER INSERT ON results
WHEN NOT EXISTS (SELECT 1 FROM result_blocks WHERE run_id = NEW.run_id AND chunk = -1)
BEGIN
  DELETE FROM result_blocks WHERE run_id = NEW.run_id;
END;

CREATE TRIGGER results_update_blocks
AFTER UPDATE OF run_id, benchmark_id, value, sample_count, sample_median, sample_mad ON results
BEGIN
  DELETE FROM result_blocks WHERE run_id IN (OLD.run_id, NEW.run_id);
END;

CREATE TRIGGER results_delete_blocks AFTER DELETE ON results
BEGIN
  DELETE FROM result_blocks WHERE run_id = OLD.run_id;
END;

-- (with foreign keys off, as in a plain sqlite3 shell, a run's delete does
-- not cascade: its blocks go here)
CREATE TRIGGER runs_delete_blocks AFTER DELETE ON runs
BEGIN
  DELETE FROM result_blocks WHERE run_id = OLD.id;
END;
