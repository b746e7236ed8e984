/* perfdb record: read result files, store them as one run. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_FORMAT = 'f', OPT_MAX_INPUT = CLI_OPT_FIRST_FREE };

static const cli_option options[] = {
    CLI_RECORD_OPTIONS,
    {"format", OPT_FORMAT, "FORMAT",
     "input format: auto, gbench, hyperfine, json, yaml, csv, go, go-json, catch2, "
     "pytest-benchmark, libtest, libtest-json, bmf, criterion, jmh, benchmarkdotnet, "
     "nanobench, wrk, ab, hey, k6, locust, vegeta, nanobench-console, nanobench-csv, "
     "criterion-console "
     "(default: auto)"},
    {"max-input", OPT_MAX_INPUT, "BYTES",
     "refuse an input file larger than BYTES; K, M, G suffixes (KiB...) (default: 1G)"},
    CLI_OPT_END,
};

static const cli_command_info info = {
    "record",
    "[options] FILE...|-",
    "Store benchmark results for a commit, branch and machine as one run.",
    "Reads Google Benchmark JSON, hyperfine --export-json, perfdb native JSON or YAML, CSV,\n"
    "go test -bench text or -json, Catch2 XML, pytest-benchmark JSON, cargo bench (libtest,\n"
    "criterion --output-format bencher) text or JSON, criterion console output, JMH, "
    "BenchmarkDotNet, nanobench\n"
    "JSON, console table or CSV, Bencher Metric Format, and the results of the load tools "
    "wrk/wrk2, ab, hey, k6,\n"
    "Locust and vegeta; the format is detected from content. A directory is\n"
    "read as criterion's target/criterion. '-' reads standard input. Every file is parsed\n"
    "whole before one transaction writes them: on any bad input nothing is written.\n"
    "Named inputs other than a directory must be regular files (not FIFOs, devices or /proc\n"
    "files).",
    options,
};

typedef struct record_args {
	cli_record_opts rec;
	perfdb_format format;
	size_t max_input;
} record_args;

/* BYTES with an optional K, M or G (powers of 1024), at least 1. */
static int parse_bytes(const char *s, size_t *out)
{
	unsigned long long v, mult = 1;
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v == 0)
		return -1;
	switch (*end) {
	case 'K':
	case 'k':
		mult = 1ull << 10;
		end++;
		break;
	case 'M':
	case 'm':
		mult = 1ull << 20;
		end++;
		break;
	case 'G':
	case 'g':
		mult = 1ull << 30;
		end++;
		break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B' && mult > 1)
		end++;
	if (*end || v > (unsigned long long)SIZE_MAX / 2 / mult)
		return -1;
	*out = (size_t)(v * mult);
	return 0;
}

static int on_option(void *ctx, int id, const char *arg)
{
	record_args *a = ctx;
	int r = cli_record_option(&info, &a->rec, id, arg);
	if (r != 0)
		return r < 0;
	if (id == OPT_MAX_INPUT && parse_bytes(arg, &a->max_input) != 0) {
		cli_usage_error(
		    &info, "--max-input '%s': expected a size such as 1048576, 64M or 2G", arg);
		return 1;
	}
	if (id == OPT_FORMAT && perfdb_format_parse(&a->format, arg) != 0) {
		cli_usage_error(&info,
				"--format '%s': expected auto, gbench, hyperfine, json, yaml, "
				"csv, go, go-json, catch2, pytest-benchmark, libtest, "
				"libtest-json, bmf, criterion, jmh, benchmarkdotnet, "
				"nanobench, wrk, ab, hey, k6, locust, vegeta, "
				"nanobench-console, nanobench-csv or criterion-console",
				arg);
		return 1;
	}
	return 0;
}

int cmd_record(cli_session *session, int argc, char **argv)
{
	record_args a;
	perfdb_resultset *rs = NULL;
	char source[128] = "";
	int first, i, rc, stdin_seen = 0;

	memset(&a, 0, sizeof(a));
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
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
		if (perfdb_ingest_file_max(rs, argv[i], a.format, a.max_input) != 0) {
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
	/* On CI the commit is the CI's, not what the file (the job's code) says;
	 * --commit and the other options still win (cli_record_into) */
	if (perfdb_resultset_apply_ci(rs) != 0) {
		rc = cli_fail();
		perfdb_resultset_free(rs);
		return rc;
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
	rc = cli_record_into(session, &a.rec, rs);
	perfdb_resultset_free(rs);
	return rc;
}
