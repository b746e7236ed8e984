-- perfdb history schema on a PostgreSQL server, version 7: how a server
-- writes, not what it stores (the tables, columns and views are those of
-- version 5; a file's 0007 changes nothing).
--
-- 1. commits.seq comes from a sequence. The file's rule, max(seq) + 1, read
--    in two transactions at once, gave two new commits the same seq: each
--    saw the other's row only after it committed. nextval() never gives a
--    number twice, and waits for nobody.
--
-- 2. The foreign keys of results and samples are checked once per
--    statement instead of once per row. PostgreSQL checks a foreign key
--    with a trigger per inserted row (an index probe and a row lock on the
--    parent): a COPY of 100,000 results spent 2 to 4 s in those checks and
--    0.4 to 0.6 s in the rows themselves. The same rules now hold through
--    statement-level triggers that look at all the new rows at once with
--    one anti-join (transition tables):
--      * results: run_id is in runs, benchmark_id in benchmarks;
--      * samples: (run_id, benchmark_id) is in results;
--      * deleting runs deletes their results, deleting results their
--        samples (ON DELETE CASCADE, as before);
--      * deleting, renumbering or truncating a benchmark, run or result that
--        rows still reference is refused (NO ACTION, as before).
--    A foreign key's row lock also stopped a parent from being deleted
--    while another transaction added a child: here the deleting side takes
--    a SHARE ROW EXCLUSIVE lock on the child table before it looks, so it
--    waits for every writer of children in flight and then sees their rows
--    (perfdb itself never deletes a run or a benchmark).

CREATE SEQUENCE commits_seq OWNED BY commits.seq;
SELECT setval('commits_seq', coalesce(max(seq), 0) + 1, false) FROM commits;
ALTER TABLE commits ALTER COLUMN seq SET DEFAULT nextval('commits_seq');

ALTER TABLE samples DROP CONSTRAINT samples_run_id_benchmark_id_fkey;
ALTER TABLE results DROP CONSTRAINT results_run_id_fkey,
                    DROP CONSTRAINT results_benchmark_id_fkey;

-- the children's side: every new or changed row has its parents
CREATE FUNCTION perfdb_results_have_parents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- (the rows of one statement are mostly of one run: each run once)
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id FROM perfdb_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM runs p WHERE p.id = n.run_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'insert or update on table "results" violates its key (run_id) to "runs"';
  END IF;
  IF EXISTS (SELECT 1 FROM perfdb_rows n
             WHERE NOT EXISTS (SELECT 1 FROM benchmarks p WHERE p.id = n.benchmark_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'insert or update on table "results" violates its key (benchmark_id) to "benchmarks"';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION perfdb_samples_have_parents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- (a result has several samples: each result once)
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id, benchmark_id FROM perfdb_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM results p
                               WHERE p.run_id = n.run_id AND p.benchmark_id = n.benchmark_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'insert or update on table "samples" violates its key (run_id, benchmark_id) to "results"';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER results_insert_parents AFTER INSERT ON results
  REFERENCING NEW TABLE AS perfdb_rows FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_have_parents();
CREATE TRIGGER results_update_parents AFTER UPDATE ON results
  REFERENCING NEW TABLE AS perfdb_rows FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_have_parents();
CREATE TRIGGER samples_insert_parents AFTER INSERT ON samples
  REFERENCING NEW TABLE AS perfdb_rows FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_samples_have_parents();
CREATE TRIGGER samples_update_parents AFTER UPDATE ON samples
  REFERENCING NEW TABLE AS perfdb_rows FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_samples_have_parents();

-- the parents' side: deleting runs or results takes their children along;
-- a key still referenced may not go away otherwise
CREATE FUNCTION perfdb_runs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE results IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM results c USING perfdb_old o WHERE c.run_id = o.id;
  ELSIF EXISTS (SELECT 1 FROM results c JOIN perfdb_old o ON c.run_id = o.id
                WHERE NOT EXISTS (SELECT 1 FROM runs p WHERE p.id = c.run_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'update on table "runs" leaves rows of "results" without their run';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION perfdb_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE samples IN SHARE ROW EXCLUSIVE MODE;
  IF TG_OP = 'DELETE' THEN
    DELETE FROM samples c USING perfdb_old o
    WHERE c.run_id = o.run_id AND c.benchmark_id = o.benchmark_id;
  ELSIF EXISTS (SELECT 1 FROM samples c JOIN perfdb_old o
                  ON c.run_id = o.run_id AND c.benchmark_id = o.benchmark_id
                WHERE NOT EXISTS (SELECT 1 FROM results p
                                  WHERE p.run_id = c.run_id AND p.benchmark_id = c.benchmark_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'update on table "results" leaves rows of "samples" without their result';
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION perfdb_benchmarks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE results IN SHARE ROW EXCLUSIVE MODE;
  IF EXISTS (SELECT 1 FROM results c JOIN perfdb_old o ON c.benchmark_id = o.id
             WHERE NOT EXISTS (SELECT 1 FROM benchmarks p WHERE p.id = c.benchmark_id)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = 'update or delete on table "benchmarks" leaves rows of "results" without their benchmark';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER runs_delete_children AFTER DELETE ON runs
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_runs_changed();
CREATE TRIGGER runs_update_children AFTER UPDATE ON runs
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_runs_changed();
CREATE TRIGGER results_delete_children AFTER DELETE ON results
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_changed();
CREATE TRIGGER results_update_children AFTER UPDATE ON results
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_results_changed();
CREATE TRIGGER benchmarks_delete_children AFTER DELETE ON benchmarks
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_benchmarks_changed();
CREATE TRIGGER benchmarks_update_children AFTER UPDATE ON benchmarks
  REFERENCING OLD TABLE AS perfdb_old FOR EACH STATEMENT
  EXECUTE FUNCTION perfdb_benchmarks_changed();

-- TRUNCATE fires no row or delete trigger: emptying a parent table while
-- its children have rows is refused, as a foreign key refused it
CREATE FUNCTION perfdb_truncate_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_TABLE_NAME IN ('runs', 'benchmarks') AND EXISTS (SELECT 1 FROM results))
     OR (TG_TABLE_NAME = 'results' AND EXISTS (SELECT 1 FROM samples)) THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('cannot truncate "%s": other rows reference it', TG_TABLE_NAME);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER runs_truncate AFTER TRUNCATE ON runs
  FOR EACH STATEMENT EXECUTE FUNCTION perfdb_truncate_parent();
CREATE TRIGGER benchmarks_truncate AFTER TRUNCATE ON benchmarks
  FOR EACH STATEMENT EXECUTE FUNCTION perfdb_truncate_parent();
CREATE TRIGGER results_truncate AFTER TRUNCATE ON results
  FOR EACH STATEMENT EXECUTE FUNCTION perfdb_truncate_parent();
