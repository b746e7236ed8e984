/* perfdb bisect-plan: for each finding whose culprit is a range of commits
 * nobody benchmarked, the commit to benchmark next to halve it (as asv's
 * find bisects). It reads the same verdict as regress --dry-run. */
#include <string.h>

#include <jansson.h>

#include "history.h"

enum { OPT_FORMAT = CLI_HISTORY_OPT_FIRST_FREE };

static const cli_option options[] = {
    CLI_SCOPE_OPTIONS, {"format", OPT_FORMAT, "FORMAT", "text or json (default: text)"},
    CLI_DB_OPTION,     CLI_CONFIG_OPTION,
    CLI_NO_GIT_OPTION, CLI_OPT_END,
};

static const cli_command_info info = {
    "bisect-plan",
    "[options]",
    "List the commits to benchmark next to narrow the findings' ranges.",
    "Runs the check of 'perfdb regress --dry-run' with the same options and\n"
    "perfdb.yaml. A finding whose first commit at the new level follows commits\n"
    "nobody benchmarked has a range of candidates; for each such event this prints\n"
    "the range and the commit in its middle: benchmark it, record it, and run\n"
    "again. Nothing to narrow prints nothing. Exit 0 (a plan, not a gate), 2 bad\n"
    "usage, 3 database error.",
    options,
};

typedef struct plan_args {
	cli_history_args h;
	int json;
} plan_args;

static int on_option(void *ctx, int id, const char *arg)
{
	plan_args *a = ctx;
	if (id == OPT_FORMAT) {
		if (strcmp(arg, "text") == 0 || strcmp(arg, "json") == 0) {
			a->json = strcmp(arg, "json") == 0;
			return 0;
		}
		cli_usage_error(&info, "--format '%s': expected text or json", arg);
		return 1;
	}
	return 0;
}

static void print_plan(const perfdb_regress_report *r, int as_json)
{
	json_t *arr = json_array();
	size_t k, i, j;
	for (k = 0; k < 2; k++)
		for (i = 0; i < perfdb_regress_event_count(r, (perfdb_finding_kind)k); i++) {
			const perfdb_regress_event *e =
			    perfdb_regress_event_get(r, (perfdb_finding_kind)k, i);
			const perfdb_finding *f = perfdb_regress_get(r, e->kind, e->findings[0]);
			char a[CLI_SHA_CAP], b[CLI_SHA_CAP], c[CLI_SHA_CAP], name[512],
			    ta[CLI_SHA_CAP], tb[CLI_SHA_CAP], tc[CLI_SHA_CAP], m[256];
			json_t *o, *metrics;
			if (f->range_count < 2 || !f->bisect_next)
				continue;
			if (as_json) {
				o = json_object();
				metrics = json_array();
				for (j = 0; j < e->nfindings; j++)
					json_array_append_new(
					    metrics, json_string(perfdb_regress_get(r, e->kind,
										    e->findings[j])
								     ->metric));
				json_object_set_new(o, "kind",
						    json_string(k ? "improvement" : "regression"));
				json_object_set_new(o, "benchmark", json_string(e->benchmark));
				json_object_set_new(o, "machine", json_string(e->machine));
				json_object_set_new(o, "metrics", metrics);
				json_object_set_new(o, "first", json_string(f->range_first));
				json_object_set_new(o, "last", json_string(f->commit));
				json_object_set_new(o, "count",
						    json_integer((json_int_t)f->range_count));
				json_object_set_new(o, "next", json_string(f->bisect_next));
				json_array_append_new(arr, o);
				continue;
			}
			cli_out("%s %s", k ? "improvement" : "regression",
				cli_text(name, sizeof(name), e->benchmark));
			for (j = 0; j < e->nfindings; j++)
				cli_out(
				    "%s%s", j ? "," : " ",
				    cli_text(
					m, sizeof(m),
					perfdb_regress_get(r, e->kind, e->findings[j])->metric));
			cli_out(
			    ": %zu candidates %s..%s, benchmark %s next\n", f->range_count,
			    cli_text(ta, sizeof(ta), cli_short_sha(a, sizeof(a), f->range_first)),
			    cli_text(tb, sizeof(tb), cli_short_sha(b, sizeof(b), f->commit)),
			    cli_text(tc, sizeof(tc), cli_short_sha(c, sizeof(c), f->bisect_next)));
		}
	if (as_json)
		cli_json_print(arr);
	else
		json_decref(arr);
}

int cmd_bisect_plan(cli_session *session, int argc, char **argv)
{
	plan_args a;
	perfdb_regress_report *rep = NULL;
	int first, rc;

	memset(&a, 0, sizeof(a));
	first = cli_history_parse(&info, argc, argv, &a.h, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first < argc)
		return cli_usage_error(&info, "unexpected argument '%s'", argv[first]);
	if ((rc = cli_history_scope_check(&info, &a.h)))
		return rc;
	if ((rc = cli_history_session(session, &a.h)))
		return rc;
	if (perfdb_regress_run(&rep, session->store, &a.h.o) < 0) {
		rc = cli_history_fail("--benchmark");
	} else {
		print_plan(rep, a.json);
		rc = CLI_EXIT_OK;
	}
	perfdb_regress_report_free(rep);
	return rc;
}
