/*
 * Recording a resultset, with the options that say for which commit,
 * branch, machine and time: shared by `perfdb record` and by every command
 * with --record (run, load, memtrack). The database is the session's
 * (session.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_record_option(const cli_command_info *info, cli_record_opts *o, int id, const char *arg)
{
	switch (id) {
	case CLI_OPT_DB: o->db = arg; return 1;
	case CLI_OPT_COMMIT: o->commit = arg; return 1;
	case CLI_OPT_BRANCH: o->branch = arg; return 1;
	case CLI_OPT_MACHINE: o->machine = arg; return 1;
	case CLI_OPT_TIME: {
		char iso[32];
		if (perfdb_time_parse_iso(iso, sizeof(iso), arg) != 0) {
			cli_usage_error(info, "--time: %s", perfdb_error_last()->message);
			return -1;
		}
		o->time = arg;
		return 1;
	}
	case CLI_OPT_TAG: {
		const char *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			cli_usage_error(info, "--tag '%s': expected KEY=VALUE", arg);
			return -1;
		}
		if (o->ntags == sizeof(o->tags) / sizeof(o->tags[0])) {
			cli_usage_error(info, "too many --tag options (at most %zu)",
					sizeof(o->tags) / sizeof(o->tags[0]));
			return -1;
		}
		o->tags[o->ntags++] = arg;
		return 1;
	}
	default: return 0;
	}
}

void cli_print_warnings(const perfdb_resultset *rs)
{
	size_t i;
	for (i = 0; i < perfdb_resultset_warning_count(rs); i++)
		cli_warn("%s", perfdb_resultset_warning(rs, i));
}

/* Options win over what the input said, which wins over CI, git and host.
 * *opt names the option the resultset refused (a value that is not UTF-8,
 * say). */
static int apply_options(const cli_record_opts *o, perfdb_resultset *rs, const char **opt)
{
	size_t i;
	int err = 0;
	if (o->commit && (*opt = "--commit") &&
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_COMMIT, o->commit)))
		return err;
	if (o->branch && (*opt = "--branch") &&
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_BRANCH, o->branch)))
		return err;
	if (o->machine && (*opt = "--machine") &&
	    (err = perfdb_resultset_set_meta(rs, PERFDB_META_MACHINE, o->machine)))
		return err;
	*opt = "--time";
	if (o->time) {
		char iso[32];
		if ((err = perfdb_time_parse_iso(iso, sizeof(iso), o->time)) ||
		    (err = perfdb_resultset_set_meta(rs, PERFDB_META_STARTED_AT, iso)))
			return err;
	}
	*opt = "--tag";
	for (i = 0; i < o->ntags; i++) {
		const char *eq = strchr(o->tags[i], '=');
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - o->tags[i]), o->tags[i]);
		if ((err = perfdb_resultset_set_tag(rs, key, eq + 1)))
			return err;
	}
	return 0;
}

int cli_record_prepare(cli_session *s, const cli_record_opts *o, perfdb_resultset *rs,
		       char **differs)
{
	const char *opt = NULL;
	int rc;
	*differs = NULL;
	if ((rc = apply_options(o, rs, &opt))) {
		cli_err("%s: %s", opt, perfdb_error_last()->message);
		return cli_exit_code(rc);
	}
	if (perfdb_resultset_fill_context(rs, NULL))
		return cli_fail_hint(PERFDB_ENOTFOUND, "pass --commit REV (a full sha where git "
						       "cannot resolve it)");
	if ((rc = cli_session_open(s, o->db, NULL)))
		return rc;
	if (perfdb_store_machine_check(differs, s->store, rs) != 0)
		*differs = NULL; /* no evidence either way */
	return 0;
}

void cli_record_warn_machine(const perfdb_resultset *rs, char *differs)
{
	if (differs)
		cli_warn("machine '%s' is not the hardware recorded under that name "
			 "before: %s; give it its own name (--machine) so its results are "
			 "not compared with the other's",
			 perfdb_resultset_meta(rs, PERFDB_META_MACHINE), differs);
	free(differs);
}

size_t cli_record_samples(const perfdb_resultset *rs)
{
	/* The samples the store kept: it keeps a result's samples only from two
	 * on (one says no more than the value; insert_result in store.c). */
	size_t i, n = 0;
	for (i = 0; i < perfdb_resultset_count(rs); i++)
		if (perfdb_resultset_get(rs, i)->nsamples >= 2)
			n += perfdb_resultset_get(rs, i)->nsamples;
	return n;
}

void cli_record_report(cli_session *s, const cli_record_opts *o, const perfdb_resultset *run,
		       size_t n, size_t nsamples, int64_t run_id)
{
	const char *branch = perfdb_resultset_meta(run, PERFDB_META_BRANCH);
	char sha[CLI_SHA_CAP], shown[4][1024];
	/* commit, branch and machine come from the result file: shown, never
	 * acted on (cli_text) */
	fprintf(
	    o->status_to_stderr ? stderr : stdout,
	    "%srecorded %zu result%s (%zu sample%s) for %s on %s, machine %s, run %lld in %s\n",
	    o->status_to_stderr ? "perfdb: " : "", n, n == 1 ? "" : "s", nsamples,
	    nsamples == 1 ? "" : "s",
	    cli_text(
		shown[0], sizeof(shown[0]),
		cli_short_sha(sha, sizeof(sha), perfdb_resultset_meta(run, PERFDB_META_COMMIT))),
	    cli_text(shown[1], sizeof(shown[1]),
		     branch && *branch ? branch
				       : "no branch (left empty: a detached HEAD outside CI; "
					 "--branch NAME names it)"),
	    cli_text(shown[2], sizeof(shown[2]), perfdb_resultset_meta(run, PERFDB_META_MACHINE)),
	    (long long)run_id, cli_text(shown[3], sizeof(shown[3]), perfdb_store_path(s->store)));
}

int cli_record_into(cli_session *s, const cli_record_opts *o, perfdb_resultset *rs)
{
	int64_t run_id = 0;
	char *differs;
	int rc;

	if ((rc = cli_record_prepare(s, o, rs, &differs)))
		return rc;
	cli_record_warn_machine(rs, differs);
	if (perfdb_store_record(s->store, rs, &run_id))
		return cli_fail();
	cli_record_report(s, o, rs, perfdb_resultset_count(rs), cli_record_samples(rs), run_id);
	return CLI_EXIT_OK;
}
