/* Library-internal: the embedded schema migrations (generated from schema/). */
#ifndef PERFDB_STORE_SCHEMA_H
#define PERFDB_STORE_SCHEMA_H

typedef struct perfdb_schema_migration {
	int version;	  /* NNNN from the file name; user_version after it */
	const char *name; /* file name, for messages */
	const char *sql;
} perfdb_schema_migration;

extern const perfdb_schema_migration perfdb_schema__migrations[];
extern const int perfdb_schema__count;

/* The same for a PostgreSQL server (schema/postgresql/), versions numbered
 * alike: version N there holds what version N holds in a file. */
extern const perfdb_schema_migration perfdb_schema__pg_migrations[];
extern const int perfdb_schema__pg_count;

#endif
