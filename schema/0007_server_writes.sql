-- perfdb history schema, version 7: nothing changes in a file. On a server
-- (postgresql/0007_bulk_writes.sql) commits.seq comes from a sequence and
-- the keys of results and samples are checked once per statement; a file's
-- writers take turns (BEGIN IMMEDIATE), so max(seq) + 1 is safe here, and
-- SQLite checks a key in the B-tree it is already in. The version moves with
-- the server's, so one number names one data model on both.
SELECT 1;
