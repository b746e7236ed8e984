/* perfdb record: read result files, store them as one run. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum { OPT_FORMAT = 'f' };

static const cli_option options[] = {
    CLI_RECORD_OPTIONS,
    {"format", OPT_FORMAT, "FORMAT",
     "input format: auto, gbench, hyperfine, json, yaml, csv, wrk, ab, hey, k6, locust, vegeta "
     "(default: auto)"},
    CLI_OPT_END,
};

static const cli_command_info info = {
    "record",
    "[options] FILE...|-",
    "Store benchmark results for a commit, branch and machine as one run.",
    "Reads Google Benchmark JSON, hyperfine --export-json, perfdb native JSON or YAML, CSV,\n"
    "and the results of the load tools wrk/wrk2, ab, hey, k6, Locust and vegeta; the format\n"
    "is detected from content. '-' reads standard input. Every file is parsed whole before\n"
    "one transaction writes them: on any bad input nothing is written.",
    options,
};

typedef struct record_args {
	cli_record_opts rec;
	perfdb_format format;
} record_args;

static int on_option(void *ctx, int id, const char *arg)
{
	record_args *a = ctx;
	int r = cli_record_option(&info, &a->rec, id, arg);
	if (r != 0)
		return r < 0;
	if (id == OPT_FORMAT && perfdb_format_parse(&a->format, arg) != 0) {
		cli_usage_error(&info,
				"--format '%s': expected auto, gbench, hyperfine, json, yaml, "
				"csv, wrk, ab, hey, k6, locust or vegeta",
				arg);
		return 1;
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	record_args a;
	perfdb_resultset *rs = NULL;
	char source[128] = "";
	int first, i, rc, stdin_seen = 0;

	memset(&a, 0, sizeof(a));
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first == -1)
		return CLI_EXIT_OK;
	if (first < 0)
		return CLI_EXIT_USAGE;
	if (first >= argc)
		return cli_usage_error(&info, "no input files (give FILE... or - for stdin)");
	if (perfdb_resultset_new(&rs) != 0)
		return cli_fail();

	/* Parse everything first: a bad second file must not leave the first
	 * one recorded. */
	for (i = first; i < argc; i++) {
		const char *src;
		if (strcmp(argv[i], "-") == 0 && stdin_seen++) {
			perfdb_resultset_free(rs);
			return cli_usage_error(&info, "'-' (stdin) given more than once");
		}
		if (perfdb_ingest_file(rs, argv[i], a.format) != 0) {
			rc = cli_fail();
			perfdb_resultset_free(rs);
			return rc;
		}
		/* Each reader names its source; a run of several files lists them all. */
		src = perfdb_resultset_meta(rs, PERFDB_META_SOURCE);
		if (src && !strstr(source, src)) {
			size_t n = strlen(source);
			snprintf(source + n, sizeof(source) - n, "%s%s", n ? "+" : "", src);
		}
		perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, NULL);
	}
	cli_print_warnings(rs);
	if (perfdb_resultset_count(rs) == 0) {
		perfdb_resultset_free(rs);
		cli_err("nothing to record: the input has no usable results");
		return CLI_EXIT_USAGE;
	}
	if (*source && perfdb_resultset_set_meta(rs, PERFDB_META_SOURCE, source) != 0) {
		rc = cli_fail();
		perfdb_resultset_free(rs);
		return rc;
	}
	rc = cli_record_resultset(&a.rec, rs);
	perfdb_resultset_free(rs);
	return rc;
}
