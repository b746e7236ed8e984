-- As schema/0009_result_blocks.sql: a packed copy of each run's results
-- for the readers (lib/store/blocks.c), dropped whenever the run's results
-- change by any other way than perfdb writing them (a run with a chunk -1,
-- the mark of blocks being written, keeps its blocks when results are
-- inserted).
--
-- The blocks are stored out of line and uncompressed (STORAGE EXTERNAL):
-- doubles and hashed ids do not compress, and a reader would pay for the
-- attempt on every read.
-- No foreign key to runs (a key would make TRUNCATE runs fail otherwise
-- than version 7 refuses it): a run's blocks go with its results, which go
-- with the run (perfdb_runs_changed), by the triggers below.
CREATE TABLE result_blocks (
  run_id bigint NOT NULL,
  chunk  bigint NOT NULL,
  data   bytea NOT NULL,
  PRIMARY KEY (run_id, chunk)
);
ALTER TABLE result_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

-- once per statement, over the runs of its rows (results' key checks are
-- statement-level too, schema version 7)
CREATE FUNCTION perfdb_results_new_drop_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM result_blocks b WHERE b.run_id IN (SELECT DISTINCT run_id FROM perfdb_new)
    AND (TG_OP = 'UPDATE' OR NOT EXISTS (SELECT 1 FROM result_blocks o
                                         WHERE o.run_id = b.run_id AND o.chunk = -1));
  RETURN NULL;
END $$;

CREATE FUNCTION perfdb_results_old_drop_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM result_blocks b WHERE b.run_id IN (SELECT DISTINCT run_id FROM perfdb_old);
  RETURN NULL;
END $$;

CREATE FUNCTION perfdb_results_truncate_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM result_blocks;
  RETURN NULL;
END $$;

CREATE TRIGGER results_insert_blocks AFTER INSERT ON results
  REFERENCING NEW TABLE AS perfdb_new FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_new_drop_blocks();
CREATE TRIGGER results_update_blocks_new AFTER UPDATE ON results
  REFERENCING NEW TABLE AS perfdb_new FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_new_drop_blocks();
CREATE TRIGGER results_update_blocks_old AFTER UPDATE ON results
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_old_drop_blocks();
CREATE TRIGGER results_delete_blocks AFTER DELETE ON results
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_old_drop_blocks();
CREATE TRIGGER results_truncate_blocks AFTER TRUNCATE ON results
  FOR EACH STATEMENT EXECUTE FUNCTION perfdb_results_truncate_blocks();
