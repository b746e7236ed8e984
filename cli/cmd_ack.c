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
	cli_history_args h;
	const char *note;
	perfdb_alert_status status;
} ack_args;

static int on_option(void *ctx, int id, const char *arg)
{
	ack_args *a = ctx;
	switch (id) {
	case OPT_NOTE: a->note = arg; return 0;
	case OPT_IGNORE: a->status = PERFDB_ALERT_IGNORED; return 0;
	case OPT_REOPEN: a->status = PERFDB_ALERT_OPEN; return 0;
	}
	return 0;
}

int cmd_ack(cli_session *session, int argc, char **argv)
{
	ack_args a;
	perfdb_store *store;
	int first, rc = CLI_EXIT_OK, i;

	memset(&a, 0, sizeof(a));
	a.status = PERFDB_ALERT_ACKNOWLEDGED;
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "no alert id given");
	for (i = first; i < argc; i++) {
		char *end;
		long long id = strtoll(argv[i], &end, 10);
		if (*end || end == argv[i] || id <= 0)
			return cli_usage_error(&info, "'%s' is not an alert id", argv[i]);
	}
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	store = session->store;
	for (i = first; i < argc; i++) {
		int64_t id = strtoll(argv[i], NULL, 10);
		if (perfdb_store_alert_set_status(store, id, a.status, a.note) < 0) {
			rc = cli_fail();
			break;
		}
		cli_out("alert %lld %s\n", (long long)id, perfdb_alert_status_name(a.status));
	}
	return rc;
}
