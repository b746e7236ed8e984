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
    "read as criterion's target/criterion. '-' reads standard input. The run is written in\n"
    "one transaction, after every file is parsed (a single input: as it is read, a batch\n"
    "at a time): on any bad input nothing is written.\n"
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

/*
 * A run of one input is written as it is read, a batch at a time (the
 * resultset's sink), so that a file of ten million results is not held in
 * memory whole: the first batch starts the run (its metadata is final then:
 * the input's, then CI's, then the options'), the end commits it, and any
 * error rolls it back. An input of less than one batch is recorded as a
 * whole after reading, as before. Several inputs are too: a later one could
 * still add to the run's metadata, and each is checked against the others.
 */
typedef struct record_sink {
	cli_session *session;
	const cli_record_opts *opts;
	perfdb_resultset *run; /* the run's metadata and CI's warnings, from the first batch */
	perfdb_recording *recording;
	char *differs; /* the machine check's finding, printed with the warnings */
	size_t n, nsamples;
	int rc; /* an exit code, its message printed: the run could not be started */
} record_sink;

static void sink_release(record_sink *k)
{
	perfdb_recording_free(k->recording);
	perfdb_resultset_free(k->run);
	free(k->differs);
	k->recording = NULL;
	k->run = NULL;
	k->differs = NULL;
	k->n = k->nsamples = 0;
}

/* The run's metadata, tags and context of src, into the empty dst. */
static int copy_run(perfdb_resultset *dst, const perfdb_resultset *src)
{
	size_t i;
	int err;
	for (i = 0; i < PERFDB_META_COUNT_; i++)
		if ((err = perfdb_resultset_set_meta(dst, (perfdb_meta)i,
						     perfdb_resultset_meta(src, (perfdb_meta)i))))
			return err;
	for (i = 0; i < perfdb_resultset_tag_count(src); i++) {
		const char *k, *v;
		perfdb_resultset_tag(src, i, &k, &v);
		if ((err = perfdb_resultset_set_tag(dst, k, v)))
			return err;
	}
	for (i = 0; i < perfdb_resultset_context_count(src); i++) {
		const char *k, *v;
		perfdb_resultset_context(src, i, &k, &v);
		if ((err = perfdb_resultset_set_context(dst, k, v)))
			return err;
	}
	return 0;
}

/* The run starts with the first batch: what cmd_record does after reading
 * (CI over the input, then cli_record_into's steps) is done here, on a copy
 * of the input's metadata, whose warnings follow the input's. */
static int start_run(record_sink *k, const perfdb_resultset *rs)
{
	int err;
	if ((err = perfdb_resultset_new(&k->run)) || (err = copy_run(k->run, rs)) ||
	    (err = perfdb_resultset_apply_ci(k->run)))
		return err;
	if ((k->rc = cli_record_prepare(k->session, k->opts, k->run, &k->differs)))
		return perfdb_error_last()->code ? perfdb_error_last()->code : PERFDB_ERROR;
	return perfdb_store_record_begin(&k->recording, k->session->store, k->run);
}

static int write_batch(void *ctx, perfdb_resultset *rs, perfdb_sink_event event)
{
	record_sink *k = ctx;
	int err;
	if (event == PERFDB_SINK_DISCARD) {
		/* the input is read again from its start: so is the run */
		sink_release(k);
		return 0;
	}
	if (!k->recording && (err = start_run(k, rs)))
		return err;
	if ((err = perfdb_recording_add(k->recording, rs)))
		return err;
	k->n += perfdb_resultset_count(rs);
	k->nsamples += cli_record_samples(rs);
	return 0;
}

/* The end of a run written in batches: what is left, the commit, the line. */
static int finish_run(record_sink *k, perfdb_resultset *rs)
{
	int64_t run_id = 0;
	cli_print_warnings(rs);
	cli_print_warnings(k->run);
	cli_record_warn_machine(k->run, k->differs);
	k->differs = NULL;
	if (perfdb_recording_add(k->recording, rs) ||
	    perfdb_recording_finish(k->recording, &run_id))
		return cli_fail();
	cli_record_report(k->session, k->opts, k->run, k->n + perfdb_resultset_count(rs),
			  k->nsamples + cli_record_samples(rs), run_id);
	return CLI_EXIT_OK;
}

int cmd_record(cli_session *session, int argc, char **argv)
{
	record_args a;
	record_sink sink;
	perfdb_resultset *rs = NULL;
	char source[128] = "";
	int first, i, rc, stdin_seen = 0;

	memset(&a, 0, sizeof(a));
	memset(&sink, 0, sizeof(sink));
	first = cli_parse(&info, argc, argv, on_option, &a);
	if (first < 0)
		return cli_parse_exit(first);
	if (first >= argc)
		return cli_usage_error(&info, "no input files (give FILE... or - for stdin)");
	if (perfdb_resultset_new(&rs) != 0)
		return cli_fail();
	sink.session = session;
	sink.opts = &a.rec;
	if (argc - first == 1) {
		/* the batches go to perfdb_recording_add, which reads samples
		 * left in the input where they are */
		perfdb_resultset_set_sink(rs, write_batch, &sink, 0);
		perfdb_resultset_set_sink_options(rs, PERFDB_SINK_UNHELD_SAMPLES);
	}

	/* Parse everything first: a bad second file must not leave the first
	 * one recorded. */
	for (i = first; i < argc; i++) {
		const char *src;
		if (strcmp(argv[i], "-") == 0 && stdin_seen++) {
			perfdb_resultset_free(rs);
			return cli_usage_error(&info, "'-' (stdin) given more than once");
		}
		if (perfdb_ingest_file_max(rs, argv[i], a.format, a.max_input) != 0) {
			/* the library names no option; the hint says which one helps */
			int code = perfdb_error_last()->code;
			rc = sink.rc ? sink.rc /* said already */
			     : code == PERFDB_ETOOBIG
				 ? cli_fail_hint(0, "raise the limit with --max-input")
			     : a.format == PERFDB_FORMAT_AUTO
				 ? cli_fail_hint(PERFDB_EFORMAT, "name it with --format")
				 : cli_fail();
			sink_release(&sink);
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
	if (sink.recording) {
		rc = finish_run(&sink, rs);
		sink_release(&sink);
		perfdb_resultset_free(rs);
		return rc;
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
