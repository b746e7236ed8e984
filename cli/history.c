/*
 * What the history commands share (regress, bisect-plan, compare, trend,
 * report, baseline, alerts, ack): their common options, opening the
 * history with its configuration, and naming a filter that matched nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "measure.h"

static int parse_double(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return -1;
	*out = strtod(s, &end);
	if (*end == '%' && end[1] == '\0')
		end++;
	return *end || !isfinite(*out) ? -1 : 0;
}

/* A number of commits in [min, max] for --OPT: 0, or -1 after printing a
 * usage error. */
static int parse_commits(const cli_command_info *info, const char *opt, const char *arg,
			 unsigned long long min, unsigned long long max, size_t *out)
{
	unsigned long long v;
	if (cli_parse_count(arg, min, max, &v) != 0) {
		cli_usage_error(info, "--%s '%s': expected a number of commits >= %llu", opt, arg,
				min);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* Reads one tuning value into t; 0, or -1 after printing a usage error. */
static int tuning_parse(const cli_command_info *cmd, cli_tuning *t, cli_tune which, const char *arg)
{
	switch (which) {
	case CLI_TUNE_THRESHOLD:
		if (parse_double(arg, &t->threshold) < 0 || t->threshold < 0) {
			cli_usage_error(cmd, "--threshold '%s': expected a percentage >= 0", arg);
			return -1;
		}
		break;
	case CLI_TUNE_CONFIDENCE:
		if (parse_double(arg, &t->confidence) < 0 || !(t->confidence > 0) ||
		    !(t->confidence < 1)) {
			cli_usage_error(cmd, "--confidence '%s': expected a number in (0, 1)", arg);
			return -1;
		}
		break;
	case CLI_TUNE_WINDOW:
		if (parse_commits(cmd, "window", arg, 1, 1000000, &t->window) < 0)
			return -1;
		break;
	case CLI_TUNE_METHOD:
		if (perfdb_method_parse(&t->method, arg) < 0) {
			cli_usage_error(
			    cmd,
			    "--method '%s': expected auto, percent, ttest, mannwhitney, "
			    "zscore or changepoint",
			    arg);
			return -1;
		}
		break;
	}
	t->set[which] = true;
	return 0;
}

/* o takes the config file's defaults (cfg may be NULL), then what the
 * command line set. */
static void tuning_apply(const cli_tuning *t, const perfdb_config *cfg, perfdb_regress_options *o)
{
	perfdb_config_apply_defaults(cfg, o);
	if (t->set[CLI_TUNE_WINDOW])
		o->window = t->window;
	if (t->set[CLI_TUNE_THRESHOLD])
		o->threshold_pct = t->threshold;
	if (t->set[CLI_TUNE_CONFIDENCE])
		o->confidence = t->confidence;
	if (t->set[CLI_TUNE_METHOD])
		o->method = t->method;
}

/* One of the shared options into h: 1 when id is one, 0 when not, -1
 * after printing a usage error. */
static int history_option(const cli_command_info *info, cli_history_args *h, int id,
			  const char *arg)
{
	int err = 0;
	switch (id) {
	case CLI_OPT_DB: h->db = arg; break;
	case CLI_OPT_CONFIG: h->config = arg; break;
	case CLI_OPT_NO_GIT: h->o.use_git = 0; break;
	case CLI_OPT_SINCE: h->o.since = arg; break;
	case CLI_OPT_UNTIL: h->o.until = arg; break;
	case CLI_OPT_COMMIT: h->o.commit = arg; break;
	case CLI_OPT_BASELINE: h->o.baseline = arg; break;
	case CLI_OPT_MACHINE: h->o.machine = arg; break;
	case CLI_OPT_BENCHMARK: h->o.benchmark_glob = arg; break;
	case CLI_OPT_METRIC: h->o.metric_glob = arg; break;
	case CLI_OPT_THRESHOLD: err = tuning_parse(info, &h->tune, CLI_TUNE_THRESHOLD, arg); break;
	case CLI_OPT_CONFIDENCE:
		err = tuning_parse(info, &h->tune, CLI_TUNE_CONFIDENCE, arg);
		break;
	case CLI_OPT_WINDOW: err = tuning_parse(info, &h->tune, CLI_TUNE_WINDOW, arg); break;
	case CLI_OPT_METHOD: err = tuning_parse(info, &h->tune, CLI_TUNE_METHOD, arg); break;
	case CLI_OPT_LAST: err = parse_commits(info, "last", arg, 2, 10000000, &h->last); break;
	default: return 0;
	}
	return err ? -1 : 1;
}

typedef struct history_parse {
	const cli_command_info *info;
	cli_history_args *h;
	int (*on_option)(void *ctx, int id, const char *arg);
	void *ctx;
} history_parse;

static int on_history_option(void *ctx, int id, const char *arg)
{
	history_parse *p = ctx;
	int r = history_option(p->info, p->h, id, arg);
	if (r != 0)
		return r < 0;
	return p->on_option ? p->on_option(p->ctx, id, arg) : 0;
}

int cli_history_parse(const cli_command_info *info, int argc, char **argv, cli_history_args *h,
		      int (*on_option)(void *ctx, int id, const char *arg), void *ctx)
{
	history_parse p = {info, h, on_option, ctx};
	memset(h, 0, sizeof(*h));
	h->o = (perfdb_regress_options)PERFDB_REGRESS_OPTIONS_INIT;
	return cli_parse(info, argc, argv, on_history_option, &p);
}

int cli_history_scope_check(const cli_command_info *info, const cli_history_args *h)
{
	if (h->o.commit && h->o.since)
		return cli_usage_error(info, "--commit and --since exclude each other");
	return 0;
}

int cli_history_session(cli_session *s, cli_history_args *h)
{
	int rc = cli_session_open(s, h->db, h->config);
	if (rc)
		return rc;
	/* precedence: built-in defaults < perfdb.yaml < options */
	tuning_apply(&h->tune, s->config, &h->o);
	h->o.config = s->config;
	return 0;
}

int cli_history_fail(const char *bench_opt)
{
	static const char prefix[] = "no series matches ";
	static const char *const filters[][2] = {
	    {"machine '", "--machine"}, {"benchmark '", NULL}, {"metric '", "--metric"}};
	const perfdb_error *e = perfdb_error_last();
	size_t i, n = sizeof(prefix) - 1;
	if (e->code == PERFDB_ENOTFOUND && strncmp(e->message, prefix, n) == 0)
		for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
			size_t k = strlen(filters[i][0]);
			const char *opt = filters[i][1] ? filters[i][1] : bench_opt;
			if (opt && strncmp(e->message + n, filters[i][0], k) == 0) {
				/* "machine 'x' (...)" -> "--machine 'x' (...)" */
				cli_err("%s%s %s", prefix, opt, e->message + n + k - 1);
				return CLI_EXIT_USAGE;
			}
		}
	return cli_fail();
}
