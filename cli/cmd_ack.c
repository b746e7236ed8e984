/* perfdb ack ID: an acknowledged (or ignored) regression stops failing CI. */
#include <stdlib.h>
#include <string.h>

#include "history.h"

enum { OPT_IGNORE = CLI_HISTORY_OPT_FIRST_FREE, OPT_NOTE, OPT_REOPEN };

static const cli_option options[] = {
    {"ignore", OPT_IGNORE, NULL, "mark the alert ignored (noise) instead of acknowledged"},
    {"reopen", OPT_REOPEN, NULL, "open the alert again"},
    {"note", OPT_NOTE, "TEXT", "why (kept with the alert)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "ack",
    "ID... [--ignore] [--note TEXT]",
    "Acknowledge (or ignore) alerts so they no longer fail perfdb regress.",
    "IDs are the alert ids printed by 'perfdb regress' and 'perfdb alerts'.",
    options,
};

typedef struct ack_args {
	const char *db, *config, *note, *status;
} ack_args;

static int on_option(void *ctx, int id, const char *arg)
{
	ack_args *a = ctx;
	switch (id) {
	case CLI_OPT_DB: a->db = arg; return 0;
	case CLI_OPT_CONFIG: a->config = arg; return 0;
	case OPT_NOTE: a->note = arg; return 0;
	case OPT_IGNORE: a->status = "ignored"; return 0;
	case OPT_REOPEN: a->status = "open"; return 0;
	}
	return 0;
}

int cmd_ack(cli_session *session, int argc, char **argv)
{
	ack_args a;
	perfdb_store *store;
	int first, rc = CLI_EXIT_OK, i;

	memset(&a, 0, sizeof(a));
	a.status = "acknowledged";
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error(&info, "no alert id given");
	for (i = first; i < argc; i++) {
		char *end;
		long long id = strtoll(argv[i], &end, 10);
		if (*end || end == argv[i] || id <= 0)
			return cli_usage_error(&info, "'%s' is not an alert id", argv[i]);
	}
	if ((rc = cli_session_open(session, a.db, a.config)))
		return rc;
	store = session->store;
	for (i = first; i < argc; i++) {
		int64_t id = strtoll(argv[i], NULL, 10);
		if (perfdb_store_alert_set_status(store, id, a.status, a.note) < 0) {
			rc = cli_fail();
			break;
		}
		cli_out("alert %lld %s\n", (long long)id, a.status);
	}
	return rc;
}
