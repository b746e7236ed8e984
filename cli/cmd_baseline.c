/* perfdb baseline set|list|rm: named, pinned reference commits. */
#include <stdlib.h>
#include <string.h>

#include "history.h"

enum { OPT_NOTE = CLI_HISTORY_OPT_FIRST_FREE, OPT_BRANCH, OPT_FORMAT };

static const cli_option options[] = {
    {"note", OPT_NOTE, "TEXT", "set: a note kept with the baseline"},
    {"branch", OPT_BRANCH, "NAME", "set: the branch the baseline belongs to"},
    {"format", OPT_FORMAT, "FORMAT", "list: table, csv or json (default: table)"},
    CLI_DB_OPTION,
    CLI_CONFIG_OPTION,
    CLI_OPT_END,
};

static const cli_command_info info = {
    "baseline",
    "set NAME REV [--note TEXT] | list | rm NAME",
    "Set, list or remove named baselines.",
    "A baseline pins a recorded commit under a name ('v1.4', 'release'); use it with\n"
    "'perfdb regress --baseline NAME'. Setting an existing name moves it. REV is a sha,\n"
    "a unique prefix of a recorded sha, or anything git resolves (tag, branch, HEAD~3).",
    options,
};

typedef struct baseline_args {
	cli_history_args h;
	const char *note, *branch;
	cli_format format;
} baseline_args;

static int on_option(void *ctx, int id, const char *arg)
{
	baseline_args *a = ctx;
	switch (id) {
	case OPT_NOTE: a->note = arg; return 0;
	case OPT_BRANCH: a->branch = arg; return 0;
	case OPT_FORMAT: return cli_format_option(&info, &a->format, arg);
	}
	return 0;
}

/* The baselines into the table: name, sha, branch, created_at, note. */
static int list_rows(cli_table *t, const perfdb_baseline_list *list)
{
	static const char *const names[] = {"name", "sha", "branch", "created_at", "note"};
	size_t i;
	if (cli_table_add(t, 5, names, NULL, NULL))
		return 1;
	for (i = 0; i < perfdb_baseline_list_count(list); i++) {
		const perfdb_baseline *b = perfdb_baseline_list_get(list, i);
		perfdb_value row[5];
		row[0] = cli_value_text(b->name);
		row[1] = cli_value_text(b->sha);
		row[2] = cli_value_text(b->branch);
		row[3] = cli_value_text(b->created_at);
		row[4] = cli_value_text(b->note);
		if (cli_table_add(t, 5, names, row, NULL))
			return 1;
	}
	return 0;
}

int cmd_baseline(cli_session *session, int argc, char **argv)
{
	baseline_args a;
	perfdb_store *store;
	const char *sub;
	int first, rc, err = 0, nargs;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "expected set, list or rm");
	sub = argv[first];
	nargs = argc - first - 1;
	if (strcmp(sub, "set") == 0) {
		if (nargs != 2)
			return cli_usage_error(&info, "usage: perfdb baseline set NAME REV");
	} else if (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0) {
		if (nargs != 1)
			return cli_usage_error(&info, "usage: perfdb baseline rm NAME");
	} else if (strcmp(sub, "list") == 0 || strcmp(sub, "ls") == 0) {
		if (nargs != 0)
			return cli_usage_error(&info, "usage: perfdb baseline list");
	} else {
		return cli_usage_error(&info, "unknown subcommand '%s' (set, list, rm)", sub);
	}
	if (sub[0] == 'l')
		session->needs &= ~CLI_DB_WRITE; /* list only reads */
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	store = session->store;
	if (strcmp(sub, "set") == 0) {
		const char *name = argv[first + 1], *rev = argv[first + 2];
		int64_t id;
		char *sha = NULL;
		err = perfdb_commit_resolve(&id, &sha, store, rev, NULL,
					    PERFDB_RESOLVE_RECORDED | PERFDB_RESOLVE_GIT);
		if (err == 0)
			err = perfdb_store_baseline_set(store, name, id, a.branch, a.note);
		if (err == 0) {
			char n[512], c[CLI_SHA_CAP];
			/* the commit label comes from a result file: shown, never acted on */
			cli_out("baseline '%s' set to %s\n", cli_text(n, sizeof(n), name),
				cli_text(c, sizeof(c), sha));
		}
		free(sha);
	} else if (sub[0] == 'r') {
		err = perfdb_store_baseline_remove(store, argv[first + 1]);
		if (err == 0)
			cli_out("baseline '%s' removed\n", argv[first + 1]);
	} else {
		cli_table *t = cli_table_new(a.format, true);
		if (!t) {
			err = PERFDB_ENOMEM;
		} else {
			perfdb_baseline_list *list = NULL;
			err = perfdb_store_baseline_list(&list, store);
			if (err == 0 && list_rows(t, list))
				err = PERFDB_ENOMEM;
			if (err == 0)
				cli_table_print(t);
			perfdb_baseline_list_free(list);
			cli_table_free(t);
		}
	}
	rc = err ? cli_fail() : CLI_EXIT_OK;
	return rc;
}
