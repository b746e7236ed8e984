-- perfdb history schema, version 3: each run keeps the context it was
-- recorded in (the machine's description and what the run met: load
-- average, CPU frequency governor, ...), as a JSON object, so a noisy run
-- can be audited later; machines.fingerprint only says what the machine
-- named so was last seen to be. Runs recorded before have '{}'.
ALTER TABLE runs ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
