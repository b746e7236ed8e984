-- perfdb history schema, version 2: every run has a stable id (a UUID), so
-- `perfdb merge` copies a run once however often the same shard is merged,
-- and A into B then B into C still gives one run. A run recorded before gets
-- an id derived from what identifies it in its file (perfdb_run_uuid, a
-- function perfdb registers: version-8 UUID of a hash of the arguments), so
-- two copies of one old shard, migrated apart, still agree on it.
ALTER TABLE runs ADD COLUMN uuid TEXT;
UPDATE runs SET uuid = (
  SELECT perfdb_run_uuid(runs.id, c.sha, m.name, runs.started_at, runs.source, runs.tags,
                         runs.branch)
  FROM commits c, machines m WHERE c.id = runs.commit_id AND m.id = runs.machine_id);
CREATE UNIQUE INDEX runs_uuid ON runs(uuid);
