/*
 * Opening the database, in one place for every command: main.c's table
 * says what a command needs (cli_needs), the command says when, with its
 * --db and --config (cli_session_open), and main.c closes it. The path is
 * --db, then $PERFDB_DB, then perfdb.yaml's database, then perfdb.db; every
 * failure is one line and exit 3 (2 for a configuration that does not read).
 */
#include <stdlib.h>

#include "cli.h"

static const char *db_path(const char *flag, const perfdb_config *cfg)
{
	const char *env = getenv("PERFDB_DB");
	if (flag && *flag)
		return flag;
	if (env && *env)
		return env;
	if (cfg && perfdb_config_database(cfg))
		return perfdb_config_database(cfg);
	return "perfdb.db";
}

static int open_at(perfdb_store **out, const char *path, unsigned flags)
{
	int err = perfdb_store_open(out, path, flags);
	if (err == PERFDB_ENOTFOUND) {
		cli_err("cannot open '%s': no such database (record something first)", path);
		return CLI_EXIT_DB;
	}
	if (err) {
		cli_fail();
		return CLI_EXIT_DB;
	}
	return 0;
}

int cli_session_open(cli_session *s, const char *db_flag, const char *config_flag)
{
	unsigned mode = s->needs & CLI_DB_WRITE ? PERFDB_STORE_READWRITE : PERFDB_STORE_READONLY;
	perfdb_config *cfg = NULL;
	int err;
	if (s->store)
		return 0; /* opened once */
	/* A history command reads a history: a path with none (a typo in CI)
	 * is an error, never a new empty database that passes every check. */
	if (s->needs & CLI_DB_MUST_EXIST)
		mode |= PERFDB_STORE_MUST_EXIST;
	/* perfdb.yaml (--config FILE, else ./perfdb.yaml when present) may name
	 * the database; a command without CLI_DB_CONFIG reads it only for that */
	if ((s->needs & CLI_DB_CONFIG) || !(db_flag && *db_flag)) {
		err = config_flag ? perfdb_config_load(&cfg, config_flag)
				  : perfdb_config_find(&cfg, NULL);
		if (err < 0) {
			cli_fail();
			return CLI_EXIT_USAGE; /* a bad config is bad input */
		}
	}
	err = open_at(&s->store, db_path(db_flag, cfg), mode);
	if (err == 0 && (s->needs & CLI_DB_CONFIG))
		s->config = cfg;
	else
		perfdb_config_free(cfg);
	return err;
}

void cli_session_close(cli_session *s)
{
	perfdb_store_free(s->store);
	perfdb_config_free(s->config);
	s->store = NULL;
	s->config = NULL;
}
