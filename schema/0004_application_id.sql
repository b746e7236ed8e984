-- perfdb's databases say so in their header (PRAGMA application_id, the
-- bytes 68-71: "PfDB"), so perfdb can tell its own files from any other
-- SQLite database and refuse those without touching them. Files made before
-- this version are recognised by their user_version and tables, and get the
-- id here.
PRAGMA application_id = 1348879426;
