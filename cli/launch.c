/*
 * Shared by the commands that run a program (run, load): the options of
 * how the result is printed and recorded, starting the program, catching
 * the signals that end it, and recording the result.
 */
#include <stdlib.h>
#include <string.h>

#include "launch.h"

int cli_launch_option(const cli_command_info *info, cli_launch_opts *o, int id, const char *arg)
{
	int r = cli_record_option(info, &o->rec, id, arg);
	if (r != 0)
		return r;
	switch (id) {
	case CLI_OPT_NAME:
		if (!*arg) {
			cli_bad_value(info, "name", arg, "a non-empty name");
			return -1;
		}
		o->name = arg;
		return 1;
	case CLI_OPT_LAUNCH_FORMAT:
		if (cli_parse_text_json(arg, &o->json)) {
			cli_bad_value(info, "format", arg, "text or json");
			return -1;
		}
		return 1;
	case CLI_OPT_SHOW_OUTPUT: o->show_output = true; return 1;
	case CLI_OPT_RECORD: o->record = true; return 1;
	default: return 0;
	}
}

/* --db, --commit, ... mean nothing without --record: say so rather than
 * silently ignore them. */
void cli_launch_warn_unused(const cli_launch_opts *o)
{
	const cli_record_opts *r = &o->rec;
	if (!o->record && (r->db || r->commit || r->branch || r->machine || r->time || r->ntags))
		cli_warn("--db, --commit, --branch, --machine, --tag and --time take effect only "
			 "with --record");
}

int cli_launch_command(perfdb_command **cmd, char **cmdline, char **argv, unsigned flags,
		       double timeout, volatile sig_atomic_t *stop)
{
	*cmdline = NULL;
	if (perfdb_command_new(cmd, (const char *const *)argv, flags) != 0)
		return cli_fail();
	if (perfdb_command_set_limits(*cmd, timeout, stop) != 0) {
		perfdb_command_free(*cmd);
		*cmd = NULL;
		return cli_fail();
	}
	if (!(*cmdline = cli_command_name(argv))) {
		perfdb_command_free(*cmd);
		*cmd = NULL;
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	return 0;
}

void cli_launch_signals_catch(cli_launch_signals *saved, void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler; /* no SA_RESTART: the wait wakes */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &saved->old_int);
	sigaction(SIGTERM, &sa, &saved->old_term);
}

void cli_launch_signals_restore(const cli_launch_signals *saved)
{
	sigaction(SIGINT, &saved->old_int, NULL);
	sigaction(SIGTERM, &saved->old_term, NULL);
}

int cli_launch_print_json(json_t *doc)
{
	if (cli_json_print(doc) == 0)
		return CLI_EXIT_OK;
	cli_err("out of memory");
	return CLI_EXIT_DB;
}

int cli_launch_record(cli_session *s, const cli_launch_opts *o, perfdb_resultset *rs,
		      const char *empty)
{
	cli_record_opts rec = o->rec;
	cli_print_warnings(rs);
	if (empty && perfdb_resultset_count(rs) == 0) {
		cli_err("nothing to record: %s", empty);
		return CLI_EXIT_USAGE;
	}
	rec.status_to_stderr = o->json;
	return cli_record_into(s, &rec, rs);
}
