/*
 * Format names, format detection and the ingest entry points.
 *
 * Detection looks at content, never at file names (stdin has none, and CI
 * artefacts are often called results.txt). It is a lexical look, not a parse:
 * for JSON it follows the nesting only far enough to see the top-level keys
 * and the keys of the first elements of "results", and stops as soon as the
 * answer is known. A truncated or otherwise broken file of a known format is
 * still recognised, so the user gets that reader's syntax error with a line
 * and column rather than "unknown format".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/magic.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/json_stream.h"
#include "ingest/reader.h"
#include "util/error.h"

static const struct {
	const char *name;
	perfdb_format fmt;
} format_names[] = {
    {"auto", PERFDB_FORMAT_AUTO},
    {"gbench", PERFDB_FORMAT_GBENCH},
    {"hyperfine", PERFDB_FORMAT_HYPERFINE},
    {"json", PERFDB_FORMAT_NATIVE_JSON},
    {"yaml", PERFDB_FORMAT_NATIVE_YAML},
    {"csv", PERFDB_FORMAT_CSV},
    {"go", PERFDB_FORMAT_GO},
    {"go-json", PERFDB_FORMAT_GO_JSON},
    {"catch2", PERFDB_FORMAT_CATCH2},
    {"pytest-benchmark", PERFDB_FORMAT_PYTEST_BENCHMARK},
    {"libtest", PERFDB_FORMAT_LIBTEST},
    {"libtest-json", PERFDB_FORMAT_LIBTEST_JSON},
    {"bmf", PERFDB_FORMAT_BMF},
    {"criterion", PERFDB_FORMAT_CRITERION},
    {"jmh", PERFDB_FORMAT_JMH},
    {"benchmarkdotnet", PERFDB_FORMAT_BENCHMARKDOTNET},
    {"nanobench", PERFDB_FORMAT_NANOBENCH},
    {"wrk", PERFDB_FORMAT_WRK},
    {"ab", PERFDB_FORMAT_AB},
    {"hey", PERFDB_FORMAT_HEY},
    {"k6", PERFDB_FORMAT_K6},
    {"locust", PERFDB_FORMAT_LOCUST},
    {"vegeta", PERFDB_FORMAT_VEGETA},
    {"nanobench-console", PERFDB_FORMAT_NANOBENCH_CONSOLE},
    {"nanobench-csv", PERFDB_FORMAT_NANOBENCH_CSV},
    {"criterion-console", PERFDB_FORMAT_CRITERION_CONSOLE},
    /* aliases, accepted but never printed */
    {"native", PERFDB_FORMAT_NATIVE_JSON},
    {"googlebenchmark", PERFDB_FORMAT_GBENCH},
    {"google-benchmark", PERFDB_FORMAT_GBENCH},
    {"yml", PERFDB_FORMAT_NATIVE_YAML},
    {"test2json", PERFDB_FORMAT_GO_JSON},
    {"pytest", PERFDB_FORMAT_PYTEST_BENCHMARK},
    {"cargo-bench", PERFDB_FORMAT_LIBTEST},
    {"bencher", PERFDB_FORMAT_LIBTEST},
    {"bdn", PERFDB_FORMAT_BENCHMARKDOTNET},
    {"wrk2", PERFDB_FORMAT_WRK},
    {"apachebench", PERFDB_FORMAT_AB},
};

const char *perfdb_format_name(perfdb_format fmt)
{
	size_t i;
	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (format_names[i].fmt == fmt)
			return format_names[i].name;
	return "unknown";
}

int perfdb_format_parse(perfdb_format *out, const char *name)
{
	char expected[512];
	size_t i, len = 0, n = sizeof(format_names) / sizeof(format_names[0]), last = 0;
	if (name)
		for (i = 0; i < n; i++)
			if (strcasecmp(name, format_names[i].name) == 0) {
				*out = format_names[i].fmt;
				return 0;
			}
	/* "expected a, b or c": the names perfdb_format_name prints, from the table */
	for (i = 0; i < n; i++)
		if (strcmp(perfdb_format_name(format_names[i].fmt), format_names[i].name) == 0)
			last = i;
	expected[0] = '\0';
	for (i = 0; i < n && len < sizeof(expected); i++) {
		int k;
		if (strcmp(perfdb_format_name(format_names[i].fmt), format_names[i].name) != 0)
			continue;
		k = snprintf(expected + len, sizeof(expected) - len, "%s%s",
			     len == 0	 ? ""
			     : i == last ? " or "
					 : ", ",
			     format_names[i].name);
		if (k > 0)
			len += (size_t)k;
	}
	return perfdb_error__set(PERFDB_EINVAL, "unknown format '%s' (expected %s)",
				 name ? name : "", expected);
}

/* --- detection ------------------------------------------------------------- */

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_bom(const char *d, size_t len)
{
	return len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static bool token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/*
 * JSON: a lexical walk tracking depth and, at depth 1, the current top-level
 * key. Decides at the first key that settles it.
 */
/* *cut (may be NULL) is set when the answer depended on where d ends: on
 * the first part of a file, the whole file could then be another format. */
static perfdb_format detect_json(const char *d, size_t len, size_t i, bool *cut)
{
	enum { MAXDEPTH = 8 };
	char stack[MAXDEPTH]; /* '{' or '[' per open level (the first MAXDEPTH) */
	int depth = 0;
	bool in_results = false, saw_results = false, saw_gbench_key = false;
	bool in_benchmarks = false, saw_benchmarks = false;
	bool elem_mean = false, native_keys = false;
	bool bmf_value = false, bmf_other = false;		/* keys of the first {{{ measure */
	bool k6_metrics = false, k6_root_group = false;		/* k6 summaries */
	bool vegeta_latencies = false, vegeta_bytes_in = false; /* vegeta report */

	while (i < len) {
		char ch = d[i];
		if (ch == '"') {
			size_t start = ++i, n;
			while (i < len && d[i] != '"')
				i += d[i] == '\\' ? 2 : 1;
			if (i >= len)
				break;
			n = i - start;
			i++;
			while (i < len && space(d[i]))
				i++;
			if (i >= len || d[i] != ':')
				continue; /* a string value, not a key */
			if (depth == 1) {
				in_results = token_is(d + start, n, "results");
				saw_results |= in_results;
				/* gbench and pytest-benchmark both have "benchmarks":
				 * gbench writes "context" first, pytest-benchmark has
				 * its own top-level keys or, in 2.5 files where
				 * "benchmarks" comes first, its own entry keys. */
				in_benchmarks = token_is(d + start, n, "benchmarks");
				if (in_benchmarks && saw_gbench_key)
					return PERFDB_FORMAT_GBENCH;
				saw_benchmarks |= in_benchmarks;
				/* BenchmarkDotNet: "Title", "HostEnvironmentInfo", "Benchmarks" */
				if (token_is(d + start, n, "HostEnvironmentInfo") ||
				    token_is(d + start, n, "Benchmarks"))
					return PERFDB_FORMAT_BENCHMARKDOTNET;
				if (token_is(d + start, n, "machine_info") ||
				    token_is(d + start, n, "commit_info"))
					return PERFDB_FORMAT_PYTEST_BENCHMARK;
				saw_gbench_key |= token_is(d + start, n, "context");
				/* test2json: {"Time":..., "Action":"output", ...} per line */
				if (token_is(d + start, n, "Action"))
					return PERFDB_FORMAT_GO_JSON;
				/* libtest: {"type": "suite"|"test"|"bench", "event"...} per line */
				if (token_is(d + start, n, "type") && i + 1 < len) {
					size_t v = i + 1;
					while (v < len && space(d[v]))
						v++;
					if (cut && len - v < 7)
						*cut = true;
					if ((len - v >= 7 && memcmp(d + v, "\"suite\"", 7) == 0) ||
					    (len - v >= 6 && memcmp(d + v, "\"test\"", 6) == 0) ||
					    (len - v >= 7 && memcmp(d + v, "\"bench\"", 7) == 0))
						return PERFDB_FORMAT_LIBTEST_JSON;
				}
				k6_metrics |= token_is(d + start, n, "metrics");
				k6_root_group |= token_is(d + start, n, "root_group");
				if (k6_metrics && k6_root_group)
					return PERFDB_FORMAT_K6;
				vegeta_latencies |= token_is(d + start, n, "latencies");
				vegeta_bytes_in |= token_is(d + start, n, "bytes_in");
				if (vegeta_latencies && vegeta_bytes_in)
					return PERFDB_FORMAT_VEGETA;
				native_keys |= token_is(d + start, n, "perfdb") ||
					       token_is(d + start, n, "run");
			} else if (depth == 3 && stack[1] == '{' && stack[2] == '{') {
				/* BMF: {bench: {measure: {value, lower_value, upper_value}}} */
				if (token_is(d + start, n, "value"))
					bmf_value = true;
				else if (!token_is(d + start, n, "lower_value") &&
					 !token_is(d + start, n, "upper_value"))
					bmf_other = true;
			} else if (depth == 3 && in_benchmarks && stack[1] == '[' &&
				   stack[2] == '{') {
				if (token_is(d + start, n, "fullname") ||
				    token_is(d + start, n, "stats") ||
				    token_is(d + start, n, "options"))
					return PERFDB_FORMAT_PYTEST_BENCHMARK;
				if (token_is(d + start, n, "run_name") ||
				    token_is(d + start, n, "real_time") ||
				    token_is(d + start, n, "iterations") ||
				    token_is(d + start, n, "time_unit"))
					return PERFDB_FORMAT_GBENCH;
			} else if (depth == 3 && in_results && stack[1] == '[' && stack[2] == '{') {
				/* A key of an element of the top-level "results". */
				if (token_is(d + start, n, "benchmark"))
					return PERFDB_FORMAT_NATIVE_JSON;
				/* nanobench's results have no "benchmark" but these */
				if (token_is(d + start, n, "median(elapsed)") ||
				    token_is(d + start, n, "clockResolution"))
					return PERFDB_FORMAT_NANOBENCH;
				if (token_is(d + start, n, "command") ||
				    token_is(d + start, n, "times"))
					return PERFDB_FORMAT_HYPERFINE;
				elem_mean |= token_is(d + start, n, "mean");
			}
			continue;
		}
		if (ch == '{' || ch == '[') {
			if (depth == 2 && in_results)
				elem_mean = false; /* a new element of "results" */
			if (depth < MAXDEPTH)
				stack[depth] = ch;
			depth++;
		} else if (ch == '}' || ch == ']') {
			depth--;
			/* An element of "results" closed with "mean" but neither
			 * "benchmark" nor "command": only hyperfine writes that. */
			if (depth == 2 && in_results && elem_mean)
				return PERFDB_FORMAT_HYPERFINE;
			/* The first measure of a benchmark closed: BMF when it held
			 * "value" and only BMF's keys, and no top-level key so far
			 * belongs to another format. */
			if (depth == 2 && stack[1] == '{' && (bmf_value || bmf_other)) {
				if (bmf_value && !bmf_other && !saw_results && !native_keys &&
				    !saw_gbench_key && !saw_benchmarks)
					return PERFDB_FORMAT_BMF;
				bmf_value = bmf_other = false;
			}
			if (depth <= 0)
				break;
		}
		i++;
	}
	if (cut && i >= len)
		*cut = true;
	if (saw_results || native_keys)
		return PERFDB_FORMAT_NATIVE_JSON;
	if (saw_gbench_key || saw_benchmarks)
		return PERFDB_FORMAT_GBENCH;
	return PERFDB_FORMAT_AUTO;
}

/* CSV: the first line has at least two comma-separated fields, one of them
 * named "benchmark" (quoted or not, any case, spaces around ignored). *stop
 * (may be NULL): where the look ended (len when the answer could depend on
 * what follows d). */
static bool detect_csv(const char *d, size_t len, size_t i, size_t *stop)
{
	size_t fields = 1;
	bool named = false;

	while (i < len && d[i] != '\n' && d[i] != '\r') {
		size_t start, end;
		bool quoted;
		while (i < len && (d[i] == ' ' || d[i] == '\t'))
			i++;
		quoted = i < len && d[i] == '"';
		if (quoted)
			i++;
		start = i;
		while (i < len &&
		       (quoted ? d[i] != '"' : d[i] != ',' && d[i] != '\n' && d[i] != '\r'))
			i++;
		end = i;
		if (quoted && i < len)
			i++;
		while (!quoted && end > start && (d[end - 1] == ' ' || d[end - 1] == '\t'))
			end--;
		if (end - start == 9 && strncasecmp(d + start, "benchmark", 9) == 0)
			named = true;
		while (i < len && d[i] != ',' && d[i] != '\n' && d[i] != '\r')
			i++;
		if (i < len && d[i] == ',') {
			fields++;
			i++;
		}
	}
	if (stop)
		*stop = i;
	return named && fields >= 2;
}

/* A bare array: JMH's -rf json, when a key of the first element (depth 2) is
 * one only JMH writes. */
static perfdb_format detect_array(const char *d, size_t len, size_t i)
{
	int depth = 0;
	while (i < len) {
		char ch = d[i];
		if (ch == '"') {
			size_t start = ++i, n;
			while (i < len && d[i] != '"')
				i += d[i] == '\\' ? 2 : 1;
			if (i >= len)
				break;
			n = i - start;
			i++;
			while (i < len && space(d[i]))
				i++;
			if (depth == 2 && i < len && d[i] == ':' &&
			    (token_is(d + start, n, "jmhVersion") ||
			     token_is(d + start, n, "primaryMetric") ||
			     token_is(d + start, n, "measurementIterations")))
				return PERFDB_FORMAT_JMH;
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth <= 1)
			break; /* the first element ended */
		i++;
	}
	return PERFDB_FORMAT_AUTO;
}

/* XML: the first element, after the declaration, comments and PIs, is
 * Catch2's root (<Catch> in v2, <Catch2TestRun> in v3). */
static perfdb_format detect_xml(const char *d, size_t len, size_t i)
{
	while (i < len) {
		const char *close = NULL;
		if (len - i >= 4 && memcmp(d + i, "<!--", 4) == 0)
			close = "-->";
		else if (len - i >= 2 && memcmp(d + i, "<?", 2) == 0)
			close = "?>";
		if (!close)
			break;
		while (i < len &&
		       !(len - i >= strlen(close) && memcmp(d + i, close, strlen(close)) == 0))
			i++;
		/* Never closed: stop here, as i past len would wrap len - i. */
		if (i == len)
			return PERFDB_FORMAT_AUTO;
		i += strlen(close);
		while (i < len && space(d[i]))
			i++;
	}
	if (len - i > 6 && memcmp(d + i, "<Catch", 6) == 0 &&
	    (d[i + 6] == '>' || space(d[i + 6]) ||
	     (len - i > 13 && memcmp(d + i + 6, "2TestRun", 8) == 0)))
		return PERFDB_FORMAT_CATCH2;
	return PERFDB_FORMAT_AUTO;
}

/* Whether the n bytes at s (not NUL-terminated: strspn would read on past
 * the input) are all in set. */
static bool all_in(const char *s, size_t n, const char *set)
{
	size_t k;
	for (k = 0; k < n; k++)
		if (!s[k] || !strchr(set, s[k]))
			return false;
	return true;
}

/* Go: a line `BenchmarkName <iterations> <number> <unit>`, where the
 * character after "Benchmark" is not a lower-case letter (Go's own rule). */
static bool detect_go_line(const char *s, size_t n)
{
	size_t i = 9, k;
	if (n < 9 || memcmp(s, "Benchmark", 9) != 0 || (n > 9 && s[9] >= 'a' && s[9] <= 'z'))
		return false;
	while (i < n && s[i] != ' ' && s[i] != '\t')
		i++;
	for (k = 0; k < 3; k++) {
		size_t start;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		if (i == start)
			return false;
		if (k == 0 && !all_in(s + start, i - start, "0123456789"))
			return false;
		if (k == 1 && !all_in(s + start, i - start, "0123456789.e+-") &&
		    !(i - start == 3 && memcmp(s + start, "NaN", 3) == 0))
			return false;
	}
	return true;
}

/* libtest: "test NAME ... bench: <number> <unit>" */
static bool detect_libtest_line(const char *s, size_t n)
{
	size_t i;
	if (n < 5 || memcmp(s, "test ", 5) != 0)
		return false;
	for (i = 5; i + 12 <= n; i++)
		if (memcmp(s + i, " ... bench:", 11) == 0) {
			i += 11;
			while (i < n && s[i] == ' ')
				i++;
			return i < n && s[i] >= '0' && s[i] <= '9';
		}
	return false;
}

/* Whether any line from i on (without its newline) is one that line() knows.
 * Every line line() can know contains needle (at its start when at_start):
 * the lines are found with memmem, so that a file without one costs a fast
 * scan, not a call per line (a 16 MB Go file is 190,000 lines). */
static bool any_line(const char *d, size_t len, size_t i, const char *needle, bool at_start,
		     bool (*line)(const char *s, size_t n))
{
	const char *p = d + i, *end = d + len;
	size_t k = strlen(needle);
	while ((p = memmem(p, (size_t)(end - p), needle, k))) {
		const char *start = p, *nl;
		if (at_start && p > d + i && p[-1] != '\n') {
			p++;
			continue;
		}
		/* back to the line's start: once per line, the search goes on
		 * from the next one */
		while (start > d + i && start[-1] != '\n')
			start--;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (line(start, (size_t)((nl ? nl : end) - start)))
			return true;
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

/* The first line (from i, blanks skipped), as [*s, *s + *n). */
static void first_line(const char *d, size_t len, size_t i, const char **s, size_t *n)
{
	size_t e = i;
	while (e < len && d[e] != '\n' && d[e] != '\r')
		e++;
	*s = d + i;
	*n = e - i;
}

static bool has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(s, prefix, k) == 0;
}

static bool contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), j;
	for (j = 0; j + k <= n; j++)
		if (memcmp(s + j, needle, k) == 0)
			return true;
	return false;
}

/* The text reports of load tools, by their first line. */
static perfdb_format detect_load_text(const char *d, size_t len, size_t i)
{
	const char *s;
	size_t n;
	first_line(d, len, i, &s, &n);
	/* wrk: "Running 10s test @ URL"; or its one line when it cannot connect. */
	if ((has_prefix(s, n, "Running ") && contains(s, n, " test @ ")) ||
	    has_prefix(s, n, "unable to connect to "))
		return PERFDB_FORMAT_WRK;
	/* ab: its banner, or the headers of -e CSV and -g TSV, exactly */
	if (has_prefix(s, n, "This is ApacheBench") ||
	    (n == 28 && memcmp(s, "Percentage served,Time in ms", 28) == 0) ||
	    (n == 40 && memcmp(s, "starttime\tseconds\tctime\tdtime\tttime\twait", 40) == 0))
		return PERFDB_FORMAT_AB;
	/* hey: "Summary:" then "  Total:"; or the header of -o csv */
	if (n == 8 && memcmp(s, "Summary:", 8) == 0) {
		size_t j = (size_t)(s + n - d);
		if (j < len && d[j] == '\r')
			j++;
		if (j < len && d[j] == '\n')
			j++;
		while (j < len && (d[j] == ' ' || d[j] == '\t'))
			j++;
		if (len - j >= 6 && memcmp(d + j, "Total:", 6) == 0)
			return PERFDB_FORMAT_HEY;
	}
	if (has_prefix(s, n, "response-time,DNS+dialup,DNS,Request-write,Response-delay,"))
		return PERFDB_FORMAT_HEY;
	/* Locust --csv: _stats.csv, _stats_history.csv (1.x quotes every
	 * header), and _failures.csv / _exceptions.csv, refused by name */
	if (has_prefix(s, n, "Type,Name,Request Count,") ||
	    has_prefix(s, n, "Timestamp,User Count,Type,Name,") ||
	    has_prefix(s, n, "\"Timestamp\",\"User Count\",\"Type\",\"Name\",") ||
	    has_prefix(s, n, "Method,Name,Error,Occurrences") ||
	    has_prefix(s, n, "Count,Message,Traceback,Nodes"))
		return PERFDB_FORMAT_LOCUST;
	return PERFDB_FORMAT_AUTO;
}

/* YAML: a top-level (column 0) key of the native format on some line. */
static bool detect_yaml(const char *d, size_t len, size_t i)
{
	static const char *const keys[] = {"results", "perfdb", "run"};
	while (i < len) {
		size_t k;
		for (k = 0; k < 3; k++) {
			size_t n = strlen(keys[k]), j = i;
			char q = d[j] == '"' || d[j] == '\'' ? d[j] : 0;
			if (q)
				j++;
			if (j + n > len || memcmp(d + j, keys[k], n) != 0)
				continue;
			j += n;
			if (q && (j >= len || d[j++] != q))
				continue;
			while (j < len && (d[j] == ' ' || d[j] == '\t'))
				j++;
			if (j < len && d[j] == ':' &&
			    (j + 1 == len || space(d[j + 1]) || d[j + 1] == '#'))
				return true;
		}
		{
			const char *nl = memchr(d + i, '\n', len - i);
			if (!nl)
				break;
			i = (size_t)(nl - d) + 1;
		}
	}
	return false;
}

/* nanobench: templates::csv()'s header, or a console table: a line
 * "| ... | err% | ... | total | TITLE" followed by "|---..." */
static perfdb_format detect_nanobench_text(const char *d, size_t len, size_t i)
{
	static const char csv[] = "\"title\";\"name\";\"unit\";\"batch\";\"elapsed\"";
	if (len - i >= sizeof(csv) - 1 && memcmp(d + i, csv, sizeof(csv) - 1) == 0)
		return PERFDB_FORMAT_NANOBENCH_CSV;
	/* the lines that start with '|': the first, and those after "\n|" */
	while (i < len) {
		const char *nl, *bar;
		size_t end;
		if (d[i] == '|') {
			nl = memchr(d + i, '\n', len - i);
			end = nl ? (size_t)(nl - d) : len;
			if (end - i > 1 && end + 2 < len && d[end + 1] == '|' &&
			    (d[end + 2] == '-' || d[end + 2] == ':') &&
			    memmem(d + i, end - i, "err% |", 6) &&
			    memmem(d + i, end - i, "total |", 7))
				return PERFDB_FORMAT_NANOBENCH_CONSOLE;
		}
		if (!(bar = memmem(d + i, len - i, "\n|", 2)))
			break;
		i = (size_t)(bar - d) + 1;
	}
	return PERFDB_FORMAT_AUTO;
}

/* criterion console: a line "... time:   [<number> <unit> ..." */
static bool criterion_console_line(const char *s, size_t n)
{
	const char *t = memmem(s, n, " time:   [", 10);
	return t && t + 10 < s + n && t[10] >= '0' && t[10] <= '9';
}

/* Catch2's console reporter: a benchmark table header, "benchmark name"
 * then "samples" and "iterations" on the same line. */
static bool catch2_console_line(const char *s, size_t n)
{
	const char *c;
	if (n <= 14 || memcmp(s, "benchmark name ", 15) != 0)
		return false;
	c = memmem(s, n, " samples ", 9);
	return c && memmem(c, (size_t)(s + n - c), " iterations ", 12);
}

perfdb_format perfdb_ingest_detect(const char *data, size_t len)
{
	size_t i = data ? skip_bom(data, len) : len;
	perfdb_format fmt;

	while (i < len && space(data[i]))
		i++;
	if (i >= len)
		return PERFDB_FORMAT_AUTO;
	if (data[i] == '{')
		return detect_json(data, len, i, NULL);
	if (data[i] == '[')
		return detect_array(data, len, i);
	if (data[i] == '<')
		return detect_xml(data, len, i);
	if ((fmt = detect_load_text(data, len, i)) != PERFDB_FORMAT_AUTO)
		return fmt;
	if ((fmt = detect_nanobench_text(data, len, i)) != PERFDB_FORMAT_AUTO)
		return fmt;
	if (any_line(data, len, skip_bom(data, len), "benchmark name ", true, catch2_console_line))
		return PERFDB_FORMAT_CATCH2;
	if (detect_csv(data, len, i, NULL))
		return PERFDB_FORMAT_CSV;
	if (detect_yaml(data, len, skip_bom(data, len)))
		return PERFDB_FORMAT_NATIVE_YAML;
	if (any_line(data, len, skip_bom(data, len), "Benchmark", true, detect_go_line))
		return PERFDB_FORMAT_GO;
	if (any_line(data, len, skip_bom(data, len), "test ", true, detect_libtest_line))
		return PERFDB_FORMAT_LIBTEST;
	if (any_line(data, len, skip_bom(data, len), " time:   [", false, criterion_console_line))
		return PERFDB_FORMAT_CRITERION_CONSOLE;
	return PERFDB_FORMAT_AUTO;
}

/* --- entry points ---------------------------------------------------------- */

/* A reader's error that names no input (a result the resultset refused,
 * which the reader had no place for) names the input, with its code. */
static int named(int err, const char *name)
{
	return perfdb_ingest__placed(err, name, 0, 0);
}

static int read_format(perfdb_resultset *rs, const char *data, size_t len, const char *name,
		       perfdb_format fmt)
{
	switch (fmt) {
	case PERFDB_FORMAT_GBENCH: return perfdb_ingest__gbench(rs, data, len, name);
	case PERFDB_FORMAT_HYPERFINE: return perfdb_ingest__hyperfine(rs, data, len, name);
	case PERFDB_FORMAT_NATIVE_JSON: return perfdb_ingest__native_json(rs, data, len, name);
	case PERFDB_FORMAT_NATIVE_YAML: return perfdb_ingest__native_yaml(rs, data, len, name);
	case PERFDB_FORMAT_CSV: return perfdb_ingest__csv(rs, data, len, name);
	case PERFDB_FORMAT_GO: return perfdb_ingest__gotest(rs, data, len, name);
	case PERFDB_FORMAT_BMF: return perfdb_ingest__bmf(rs, data, len, name);
	case PERFDB_FORMAT_JMH: return perfdb_ingest__jmh(rs, data, len, name);
	case PERFDB_FORMAT_NANOBENCH: return perfdb_ingest__nanobench(rs, data, len, name);
	case PERFDB_FORMAT_BENCHMARKDOTNET:
		return perfdb_ingest__benchmarkdotnet(rs, data, len, name);
	case PERFDB_FORMAT_CRITERION:
		return perfdb_error__input(PERFDB_EFORMAT, name, 0, 0, NULL,
					   "criterion results are a directory: record "
					   "target/criterion, not one of its files");
	case PERFDB_FORMAT_LIBTEST: return perfdb_ingest__libtest(rs, data, len, name);
	case PERFDB_FORMAT_LIBTEST_JSON: return perfdb_ingest__libtest_json(rs, data, len, name);
	case PERFDB_FORMAT_PYTEST_BENCHMARK:
		return perfdb_ingest__pytest_benchmark(rs, data, len, name);
	case PERFDB_FORMAT_CATCH2: return perfdb_ingest__catch2(rs, data, len, name);
	case PERFDB_FORMAT_GO_JSON: return perfdb_ingest__gotest_json(rs, data, len, name);
	case PERFDB_FORMAT_WRK: return perfdb_ingest__wrk(rs, data, len, name);
	case PERFDB_FORMAT_AB: return perfdb_ingest__ab(rs, data, len, name);
	case PERFDB_FORMAT_HEY: return perfdb_ingest__hey(rs, data, len, name);
	case PERFDB_FORMAT_K6: return perfdb_ingest__k6(rs, data, len, name);
	case PERFDB_FORMAT_LOCUST: return perfdb_ingest__locust(rs, data, len, name);
	case PERFDB_FORMAT_VEGETA: return perfdb_ingest__vegeta(rs, data, len, name);
	case PERFDB_FORMAT_NANOBENCH_CONSOLE:
		return perfdb_ingest__nanobench_console(rs, data, len, name);
	case PERFDB_FORMAT_NANOBENCH_CSV: return perfdb_ingest__nanobench_csv(rs, data, len, name);
	case PERFDB_FORMAT_CRITERION_CONSOLE:
		return perfdb_ingest__criterion_console(rs, data, len, name);
	default: return perfdb_error__set(PERFDB_EINVAL, "unknown format %d", (int)fmt);
	}
}

/* A second input into a resultset that already has results (perfdb record
 * a.json b.json): one run holds a series once, so a result that an earlier
 * input already gave is refused here, where the file can still be named. */
static int merge_more(perfdb_resultset *rs, perfdb_resultset *more, const char *name)
{
	perfdb_ingest_index idx = PERFDB_INGEST_INDEX_INIT;
	size_t i, found;
	int err = 0;

	for (i = 0; i < perfdb_resultset_count(rs); i++) {
		const perfdb_result *r = perfdb_resultset_get(rs, i);
		if ((err = perfdb_ingest__index_add(&idx, r->benchmark, r->metric, i, &found)) < 0)
			goto out;
	}
	for (i = 0; i < perfdb_resultset_count(more); i++) {
		const perfdb_result *r = perfdb_resultset_get(more, i);
		if (perfdb_ingest__index_find(&idx, r->benchmark, r->metric, &found) &&
		    strcmp(perfdb_resultset_get(rs, found)->unit, r->unit) == 0) {
			err =
			    perfdb_error__input(PERFDB_EINPUT, name, 0, 0, NULL,
						"benchmark '%s' metric '%s' is also in an earlier "
						"input of this run; record the files separately",
						r->benchmark, r->metric);
			goto out;
		}
	}
	err = perfdb_resultset_merge(rs, more);
out:
	perfdb_ingest__index_release(&idx);
	return err < 0 ? err : 0;
}

static int read_more(perfdb_resultset *rs, const char *data, size_t len, const char *name,
		     perfdb_format fmt)
{
	perfdb_resultset *more = NULL;
	int err;
	if (!(err = perfdb_resultset_new(&more)) &&
	    !(err = read_format(more, data, len, name, fmt)))
		err = merge_more(rs, more, name);
	perfdb_resultset_free(more);
	return err;
}

int perfdb_ingest_buffer(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			 perfdb_format fmt)
{
	size_t i = data ? skip_bom(data, len) : 0;

	if (!rs || (!data && len))
		return perfdb_error__set(PERFDB_EINVAL,
					 "perfdb_ingest_buffer: no resultset or data");
	if (!name || !*name)
		name = "<input>";
	while (i < len && space(data[i]))
		i++;
	if (i >= len)
		return perfdb_error__input(PERFDB_EINPUT, name, 0, 0, NULL, "empty input");
	if (fmt == PERFDB_FORMAT_AUTO &&
	    (fmt = perfdb_ingest_detect(data, len)) == PERFDB_FORMAT_AUTO)
		return perfdb_error__input(
		    PERFDB_EFORMAT, name, 0, 0, NULL,
		    "unknown format: not Google Benchmark JSON, hyperfine JSON, perfdb JSON or "
		    "YAML (a 'results' list), CSV with a 'benchmark' column, go test -bench "
		    "output, Catch2 XML or console output, pytest-benchmark JSON, cargo bench "
		    "output, Bencher "
		    "Metric Format, nanobench's console table or CSV, criterion's console output, "
		    "nor the output of wrk, ab, "
		    "hey, k6, Locust or vegeta; known "
		    "formats: gbench|hyperfine|json|yaml|csv|go|go-json|catch2|"
		    "pytest-benchmark|libtest|libtest-json|bmf|jmh|benchmarkdotnet|nanobench|wrk|"
		    "ab|"
		    "hey|k6|locust|vegeta|nanobench-console|nanobench-csv|criterion-console");
	if (perfdb_resultset_count(rs) == 0)
		return named(read_format(rs, data, len, name, fmt), name);
	return named(read_more(rs, data, len, name, fmt), name);
}

/* What a named input is when it is not a regular file (a FIFO blocks or
 * never ends, /dev/zero never ends, /proc files change while read and say
 * size 0); NULL when it is one. */
static const char *not_regular(int fd, const struct stat *st)
{
	struct statfs fs;
	if (S_ISDIR(st->st_mode))
		return NULL; /* read_all says "Is a directory" */
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISCHR(st->st_mode))
		return "a character device";
	if (S_ISBLK(st->st_mode))
		return "a block device";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (fstatfs(fd, &fs) == 0 && (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC))
		return "a /proc or /sys file";
	return NULL;
}

static int too_big(const char *path, size_t max)
{
	return perfdb_error__input(PERFDB_ETOOBIG, path, 0, 0, NULL,
				   "the input is larger than %zu bytes", max);
}

/* Reads all of fd, at most max bytes: a regular file or standard input. */
static int read_all(int fd, const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	size_t cap = 64 * 1024, len = 0;
	char *buf;

	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path,
						 strerror(EISDIR));
		if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
			return too_big(path, max);
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			cap = (size_t)st.st_size + 1;
	}
	if (cap > max + 1)
		cap = max + 1;
	if (!(buf = malloc(cap)))
		return perfdb_error__oom();
	for (;;) {
		ssize_t n;
		if (len == cap) {
			char *b;
			/* One byte past the limit tells "exactly max" from "more". */
			if (len > max) {
				free(buf);
				return too_big(path, max);
			}
			cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
			if (!(b = realloc(buf, cap))) {
				free(buf);
				return perfdb_error__oom();
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path,
						 strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		free(buf);
		return too_big(path, max);
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* The first part of a file read to tell its format. */
#define DETECT_HEAD ((size_t)1 << 20)

/* Up to len bytes of fd from offset off into buf: how many were read (fewer
 * at the end of the file or on an error). */
static size_t read_at(int fd, char *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* The JSON formats whose bulk is one array of the top-level object, read an
 * item at a time: the format, the array's key, the reader. */
static const struct {
	perfdb_format fmt;
	const char *key;
	int (*read)(perfdb_resultset *rs, perfdb_json_stream *s);
	/* Without the array, the reader's first look at the top of the
	 * document fails (native JSON's validator reads `run` first). */
	bool fails_at_top;
} streamed[] = {
    {PERFDB_FORMAT_GBENCH, "benchmarks", perfdb_ingest__gbench_stream, true},
    {PERFDB_FORMAT_NATIVE_JSON, "results", perfdb_ingest__native_json_stream, false},
    {PERFDB_FORMAT_PYTEST_BENCHMARK, "benchmarks", perfdb_ingest__pytest_benchmark_stream, true},
    {PERFDB_FORMAT_HYPERFINE, "results", perfdb_ingest__hyperfine_stream, true},
    {PERFDB_FORMAT_BENCHMARKDOTNET, "Benchmarks", perfdb_ingest__benchmarkdotnet_stream, true},
    {PERFDB_FORMAT_NANOBENCH, "results", perfdb_ingest__nanobench_stream, true},
    {PERFDB_FORMAT_JMH, "", perfdb_ingest__jmh_stream, true}, /* the document is the array */
    {PERFDB_FORMAT_BMF, perfdb_json__members, perfdb_ingest__bmf_stream, true},
};

static size_t streamed_index(perfdb_format fmt)
{
	size_t k = 0;
	while (k < sizeof(streamed) / sizeof(streamed[0]) && streamed[k].fmt != fmt)
		k++;
	return k;
}

const char *perfdb_ingest__stream_key(perfdb_format fmt)
{
	size_t k = streamed_index(fmt);
	return k < sizeof(streamed) / sizeof(streamed[0]) ? streamed[k].key : NULL;
}

int perfdb_ingest__stream_read(perfdb_resultset *rs, perfdb_format fmt, perfdb_json_stream *s)
{
	size_t k = streamed_index(fmt);
	if (k == sizeof(streamed) / sizeof(streamed[0]))
		return perfdb_error__set(PERFDB_EINVAL, "format %s is not read an item at a time",
					 perfdb_format_name(fmt));
	return streamed[k].read(rs, s);
}

/* A file of good syntax without the array of a format that fails at the top
 * then: the reader's error from the document with its largest member cut
 * out, not from the tree of all of it (six times the file). Anything but an
 * input error (a reader that got further after all) is the fallback. */
static int read_gutted(int fd, const char *name, perfdb_format fmt, size_t max)
{
	perfdb_json_stream *s = NULL;
	perfdb_resultset *scratch = NULL;
	size_t k = streamed_index(fmt);
	int err;

	if (k == sizeof(streamed) / sizeof(streamed[0]) || !streamed[k].fails_at_top)
		return PERFDB_JSON__FALLBACK;
	if (!(err = perfdb_json__stream_open_gutted(&s, fd, name, max)) &&
	    !(err = perfdb_resultset_new(&scratch)))
		err = streamed[k].read(scratch, s);
	perfdb_resultset_free(scratch);
	perfdb_json__stream_close(s);
	return err == PERFDB_EINPUT || err == PERFDB_ENOMEM || err == PERFDB_EIO
		   ? err
		   : PERFDB_JSON__FALLBACK;
}

/* The format of the whole of fd from its offset `from` on, when its first
 * part did not settle it: told from all its bytes, freed before the file is
 * read (its size, not its tree's or its numbers'), and fd back at `from`.
 * AUTO when the bytes cannot be read. */
static perfdb_format whole_format(int fd, off_t from, const char *name, size_t max)
{
	perfdb_format fmt = PERFDB_FORMAT_AUTO;
	char *data = NULL;
	size_t len;
	if (lseek(fd, from, SEEK_SET) != from || read_all(fd, name, max, &data, &len) != 0)
		data = NULL;
	if (data)
		fmt = perfdb_ingest_detect(data, len);
	free(data);
	return lseek(fd, from, SEEK_SET) == from ? fmt : PERFDB_FORMAT_AUTO;
}

/* A Google Benchmark or perfdb native JSON file, read in bounded memory
 * (json_stream.h): fmt (AUTO: told from the file's first DETECT_HEAD bytes,
 * when they are enough to be sure). PERFDB_JSON__FALLBACK when the file is
 * to be read whole instead. */
static int read_streamed(perfdb_resultset *rs, int fd, const char *name, perfdb_format fmt,
			 size_t max)
{
	perfdb_json_stream *s = NULL;
	perfdb_resultset *more = NULL;
	perfdb_resultset *into = rs;
	struct stat st;
	const char *key;
	int err;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max)
		return PERFDB_JSON__FALLBACK;
	if (fmt == PERFDB_FORMAT_AUTO) {
		size_t len = st.st_size < (off_t)DETECT_HEAD ? (size_t)st.st_size : DETECT_HEAD, i,
		       got;
		char *head = malloc(len ? len : 1);
		bool cut = false;
		if (!head)
			return perfdb_error__oom();
		got = read_at(fd, head, len, 0);
		i = skip_bom(head, got);
		while (i < got && space(head[i]))
			i++;
		if (i < got && head[i] == '{')
			fmt = detect_json(head, got, i, &cut);
		else if (i < got && head[i] == '[')
			fmt = detect_array(head, got, i); /* AUTO (read whole) unless sure */
		free(head);
		/* The first megabyte did not settle it (no decisive key in it: a
		 * key misspelled, or one far down): the whole file's bytes do,
		 * freed before it is read (its size, not its tree's). */
		if (cut && got < (size_t)st.st_size &&
		    (fmt = whole_format(fd, 0, name, max)) == PERFDB_FORMAT_AUTO)
			return PERFDB_JSON__FALLBACK;
	}
	if (!(key = perfdb_ingest__stream_key(fmt)))
		return PERFDB_JSON__FALLBACK;
	if ((err = perfdb_json__stream_open(&s, fd, name, key, max)))
		goto done;
	if (perfdb_resultset_count(rs) && (err = perfdb_resultset_new(&more)))
		goto done;
	if (more)
		into = more;
	err = perfdb_ingest__stream_read(into, fmt, s);
	if (!err && more)
		err = merge_more(rs, more, name);
done:
	perfdb_resultset_free(more);
	perfdb_json__stream_close(s);
	/* A syntax error is named without building the whole file's tree
	 * (several times the file's size). */
	if (err == PERFDB_JSON__FALLBACK)
		err = perfdb_json__stream_check(fd, name, max);
	if (err == PERFDB_JSON__FALLBACK)
		err = read_gutted(fd, name, fmt, max);
	return err;
}

/* A line of `size` bytes of fd from `from`, starting at offset `at`, that
 * perfdb_ingest_detect reads as nanobench's console table or Catch2's
 * console output: those are found on any line of a text, not only on its
 * first. 1 also when the line is too long to tell, else 0. */
/* The longest line other_format_lines tells a format from. */
#define LINE_LONGEST (1 << 16)

/* Whether text (a line and the 3 bytes after it) is nanobench's console
 * table or Catch2's console output for perfdb_ingest_detect. */
static int other_format_text(const char *text, size_t n)
{
	perfdb_format fmt = perfdb_ingest_detect(text, n);
	return fmt == PERFDB_FORMAT_NANOBENCH_CONSOLE || fmt == PERFDB_FORMAT_CATCH2;
}

static int other_format_line(int fd, uint64_t from, uint64_t size, uint64_t at, char *line)
{
	enum { LONGEST = LINE_LONGEST };
	size_t got = read_at(fd, line, size - at < LONGEST + 3 ? (size_t)(size - at) : LONGEST + 3,
			     from + at);
	const char *nl = memchr(line, '\n', got < LONGEST ? got : LONGEST);
	if (!nl && got > LONGEST)
		return 1;
	/* the line, and the start of the next (a table's "|---" rule) */
	if (nl && got > (size_t)(nl - line) + 3)
		got = (size_t)(nl - line) + 3;
	return other_format_text(line, got);
}

/* A line of fd from `at`, read into line, that perfdb_ingest_detect would
 * take, on any line, for a format it tells before Go text (native YAML), or
 * before libtest text (Go text too): 1 also when the line is too long to
 * tell, else 0. */
/* Whether a line of n bytes is one earlier_text_line looks for. */
static int earlier_text(const char *line, size_t n, perfdb_format fmt)
{
	return detect_yaml(line, n, 0) || (fmt == PERFDB_FORMAT_LIBTEST && detect_go_line(line, n));
}

static int earlier_text_line(int fd, uint64_t from, uint64_t size, uint64_t at, char *line,
			     perfdb_format fmt)
{
	enum { SHORT = 512, LONGEST = LINE_LONGEST };
	size_t left = size - at < LONGEST ? (size_t)(size - at) : LONGEST,
	       got = read_at(fd, line, left < SHORT ? left : SHORT, from + at);
	const char *nl = memchr(line, '\n', got);
	size_t n;
	/* most lines are short: the rest only for a long one */
	if (!nl && got == SHORT && left > SHORT) {
		got += read_at(fd, line + SHORT, left - SHORT, from + at + SHORT);
		nl = memchr(line, '\n', got);
	}
	if (!nl && got == LONGEST)
		return 1;
	n = nl ? (size_t)(nl - line) : got;
	return earlier_text(line, n, fmt);
}

/* Whether a line of the file (from its first byte `first` that is not white
 * space on) could make perfdb_ingest_detect tell another format than fmt
 * (CSV, native YAML, Go or libtest text), which its first part says: 1, 0,
 * or PERFDB_ENOMEM. */
static int other_format_lines(int fd, uint64_t from, uint64_t size, uint64_t first,
			      perfdb_format fmt)
{
	char *chunk = malloc(DETECT_HEAD), *line = malloc((1 << 16) + 3);
	uint64_t off = first;
	int found = 0;
	bool start = true; /* off is the start of a line */

	if (!chunk || !line) {
		free(chunk);
		free(line);
		return perfdb_error__oom();
	}
	while (off < size && !found) {
		size_t got = read_at(fd, chunk,
				     size - off < DETECT_HEAD ? (size_t)(size - off) : DETECT_HEAD,
				     from + off),
		       k = 0;
		if (!got)
			break;
		while (k < got && !found) {
			const char *nl = memchr(chunk + k, '\n', got - k);
			/* the line (and the 3 bytes after it that a table's rule
			 * needs) is in the chunk: told from there, not read again */
			size_t len = nl ? (size_t)(nl - chunk) - k : LINE_LONGEST;
			bool here = len < LINE_LONGEST && (k + len + 3 <= got || off + got == size);
			/* Catch2's table header starts with "benchmark name " */
			if (start &&
			    (chunk[k] == '|' ||
			     (chunk[k] == 'b' && memcmp(chunk + k, "benchmark name ",
							got - k < 15 ? got - k : 15) == 0)))
				found = here ? other_format_text(
						   chunk + k, got - k < len + 3 ? got - k : len + 3)
					     : other_format_line(fd, from, size, off + k, line);
			/* YAML's keys (results, perfdb, run, perhaps quoted), Go's lines */
			else if (start &&
				 (fmt == PERFDB_FORMAT_GO || fmt == PERFDB_FORMAT_LIBTEST) &&
				 memchr("rp\"'B", chunk[k], fmt == PERFDB_FORMAT_LIBTEST ? 5 : 4))
				found = here
					    ? earlier_text(chunk + k, len, fmt)
					    : earlier_text_line(fd, from, size, off + k, line, fmt);
			start = nl != NULL;
			k = nl ? (size_t)(nl - chunk) + 1 : got;
		}
		off += got;
	}
	free(chunk);
	free(line);
	return found;
}

/* The first part of the regular file fd from its offset *from (*size bytes
 * from there): at most DETECT_HEAD bytes into *head (malloc'd; *got of them,
 * the first that is not a byte order mark or white space at *first): 0;
 * PERFDB_JSON__FALLBACK, *head NULL, when the file is to be read whole (not
 * a regular file, bigger than max, empty or white space at its start); or
 * PERFDB_ENOMEM. */
static int file_head(int fd, size_t max, off_t *from, uint64_t *size, char **head, size_t *got,
		     size_t *first)
{
	struct stat st;
	size_t len, i;
	*head = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (*from = lseek(fd, 0, SEEK_CUR)) < 0 ||
	    *from > st.st_size || (uintmax_t)(st.st_size - *from) > max)
		return PERFDB_JSON__FALLBACK;
	*size = (uint64_t)(st.st_size - *from);
	len = *size < DETECT_HEAD ? (size_t)*size : DETECT_HEAD;
	if (!(*head = malloc(len ? len : 1)))
		return perfdb_error__oom();
	*got = read_at(fd, *head, len, (uint64_t)*from);
	i = skip_bom(*head, *got);
	while (i < *got && space((*head)[i]))
		i++;
	*first = i;
	if (i < *got)
		return 0;
	free(*head);
	*head = NULL;
	return PERFDB_JSON__FALLBACK;
}

/* A reader of `size` bytes of fd from `from` (CSV, native YAML) on them
 * into rs, or, when rs has results already, into a resultset of its own
 * then merged into rs. */
static int read_into(perfdb_resultset *rs,
		     int (*read)(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
				 const char *name, size_t window),
		     int fd, uint64_t from, uint64_t size, const char *name)
{
	perfdb_resultset *more = NULL;
	int err;
	if (perfdb_resultset_count(rs) == 0)
		return read(rs, fd, from, size, name, 0);
	if (!(err = perfdb_resultset_new(&more)) && !(err = read(more, fd, from, size, name, 0)))
		err = merge_more(rs, more, name);
	perfdb_resultset_free(more);
	return err;
}

/* A CSV file, or standard input redirected from one, read in bounded memory
 * (perfdb_ingest__csv_file): fmt CSV, or AUTO when the file's first
 * DETECT_HEAD bytes say CSV just as the whole file would.
 * PERFDB_JSON__FALLBACK when the file is to be read whole instead. */
static int read_csv_file(perfdb_resultset *rs, int fd, const char *name, perfdb_format fmt,
			 size_t max)
{
	off_t from;
	uint64_t size;
	size_t got, i, stop = 0;
	char *head;
	int err;

	if (fmt != PERFDB_FORMAT_AUTO && fmt != PERFDB_FORMAT_CSV)
		return PERFDB_JSON__FALLBACK;
	if ((err = file_head(fd, max, &from, &size, &head, &got, &i)))
		return err;
	if (fmt == PERFDB_FORMAT_AUTO &&
	    (perfdb_ingest_detect(head, got) != PERFDB_FORMAT_CSV ||
	     (got < size && (!detect_csv(head, got, i, &stop) || stop >= got))))
		err = PERFDB_JSON__FALLBACK;
	free(head);
	if (!err && fmt == PERFDB_FORMAT_AUTO && got < size &&
	    (err = other_format_lines(fd, (uint64_t)from, size, i, PERFDB_FORMAT_CSV)) == 1)
		err = PERFDB_JSON__FALLBACK;
	return err ? err : read_into(rs, perfdb_ingest__csv_file, fd, (uint64_t)from, size, name);
}

/* Go and libtest output, text or JSON lines, and Locust's files, read a line
 * at a time in bounded memory (perfdb_ingest__gotest_file,
 * perfdb_ingest__libtest_file, perfdb_ingest__locust_file): fmt one of
 * them, or AUTO when the file's first DETECT_HEAD bytes say one just as the
 * whole file would (Locust is told by its first line's start alone, before
 * any format a later line could say). PERFDB_JSON__FALLBACK when the file is
 * to be read whole instead. */
static int read_lines_file(perfdb_resultset *rs, int fd, const char *name, perfdb_format fmt,
			   size_t max)
{
	perfdb_resultset *more = NULL;
	off_t from;
	uint64_t size;
	size_t got, i;
	bool cut = false, told = fmt == PERFDB_FORMAT_AUTO;
	char *head;
	int err;

	if (fmt != PERFDB_FORMAT_AUTO && fmt != PERFDB_FORMAT_GO && fmt != PERFDB_FORMAT_GO_JSON &&
	    fmt != PERFDB_FORMAT_LIBTEST && fmt != PERFDB_FORMAT_LIBTEST_JSON &&
	    fmt != PERFDB_FORMAT_LOCUST)
		return PERFDB_JSON__FALLBACK;
	if ((err = file_head(fd, max, &from, &size, &head, &got, &i)))
		return err;
	if (told) {
		const char *nl = memchr(head + i, '\n', got - i);
		fmt = perfdb_ingest_detect(head, got);
		if (got < size && head[i] == '{')
			detect_json(head, got, i, &cut);
		/* the whole first line (and the next's start) is there, as
		 * the formats told by their first line need */
		else if (got < size && (!nl || (size_t)(nl - head) + 4096 > got))
			cut = true;
		if (cut || (fmt != PERFDB_FORMAT_GO && fmt != PERFDB_FORMAT_GO_JSON &&
			    fmt != PERFDB_FORMAT_LIBTEST && fmt != PERFDB_FORMAT_LIBTEST_JSON &&
			    fmt != PERFDB_FORMAT_LOCUST))
			err = PERFDB_JSON__FALLBACK;
	}
	free(head);
	if (!err && told && got < size &&
	    (fmt == PERFDB_FORMAT_GO || fmt == PERFDB_FORMAT_LIBTEST) &&
	    (err = other_format_lines(fd, (uint64_t)from, size, i, fmt)) == 1)
		err = PERFDB_JSON__FALLBACK;
	if (err)
		return err;
	if (perfdb_resultset_count(rs) && (err = perfdb_resultset_new(&more)))
		return err;
	if (fmt == PERFDB_FORMAT_LOCUST)
		err = perfdb_ingest__locust_file(more ? more : rs, fd, (uint64_t)from, size, name,
						 0, PERFDB_LOCUST_PASSES);
	else if (fmt == PERFDB_FORMAT_GO || fmt == PERFDB_FORMAT_GO_JSON)
		err = perfdb_ingest__gotest_file(more ? more : rs, fd, (uint64_t)from, size, name,
						 0, fmt == PERFDB_FORMAT_GO_JSON);
	else
		err = perfdb_ingest__libtest_file(more ? more : rs, fd, (uint64_t)from, size, name,
						  0, fmt == PERFDB_FORMAT_LIBTEST_JSON);
	if (!err && more)
		err = merge_more(rs, more, name);
	perfdb_resultset_free(more);
	return err;
}

/* A native YAML file, or standard input redirected from one, read by
 * libyaml through a window once for each pass, never whole
 * (perfdb_ingest__native_yaml_file): fmt YAML, or AUTO when the file's first
 * DETECT_HEAD bytes say YAML just as the whole file would: their whole
 * lines, the first two among them (hey is told by its first two), and no
 * later line of a format told before YAML (nanobench's and Catch2's
 * tables). When they cannot tell (a long first or second line, as in a
 * document of one line; no format in them), the whole file's bytes do.
 * PERFDB_JSON__FALLBACK when the file is to be read whole instead. */
static int read_yaml_file(perfdb_resultset *rs, int fd, const char *name, perfdb_format fmt,
			  size_t max)
{
	perfdb_format told = fmt;
	off_t from;
	uint64_t size;
	size_t got, i;
	char *head;
	int err;

	if (fmt != PERFDB_FORMAT_AUTO && fmt != PERFDB_FORMAT_NATIVE_YAML)
		return PERFDB_JSON__FALLBACK;
	if ((err = file_head(fd, max, &from, &size, &head, &got, &i)))
		return err;
	if (fmt == PERFDB_FORMAT_AUTO) {
		const char *nl = memchr(head + i, '\n', got - i), *last = memrchr(head, '\n', got);
		size_t lines = got == size ? got : last ? (size_t)(last - head) + 1 : 0;
		if (got < size && (!nl || !memchr(nl + 1, '\n', (size_t)(head + lines - nl - 1))))
			lines = 0;
		told = lines ? perfdb_ingest_detect(head, lines) : PERFDB_FORMAT_AUTO;
	}
	free(head);
	if (fmt == PERFDB_FORMAT_AUTO && told == PERFDB_FORMAT_AUTO && got < size)
		told = whole_format(fd, from, name, max);
	else if (fmt == PERFDB_FORMAT_AUTO && told == PERFDB_FORMAT_NATIVE_YAML && got < size &&
		 (err = other_format_lines(fd, (uint64_t)from, size, i,
					   PERFDB_FORMAT_NATIVE_YAML)) == 1)
		told = PERFDB_FORMAT_AUTO;
	if (err < 0)
		return err;
	if (told != PERFDB_FORMAT_NATIVE_YAML)
		return PERFDB_JSON__FALLBACK;
	return read_into(rs, perfdb_ingest__native_yaml_file, fd, (uint64_t)from, size, name);
}

/* A regular file open at fd, or standard input spooled to one: the JSON
 * formats of read_streamed, CSV, native YAML, Go, libtest and Locust in
 * bounded memory, anything else whole. */
/* Whether the file of fd was written (or truncated, or grown) since `was`
 * was taken. Big files are read in several passes, and YAML's long
 * sequences of samples again from the file while the store writes them
 * (lib/ingest/README.md, "Big files"): a change of length shows in a pass
 * that ends early, one of the same length only in the times the kernel
 * keeps. Its status change time cannot be set back by a user; it moves at
 * the kernel's clock tick, so a write within a few milliseconds of the
 * open can still pass unseen. */
static bool changed_since(int fd, const struct stat *was)
{
	struct stat now;
	return fstat(fd, &now) != 0 || now.st_size != was->st_size ||
	       now.st_mtim.tv_sec != was->st_mtim.tv_sec ||
	       now.st_mtim.tv_nsec != was->st_mtim.tv_nsec ||
	       now.st_ctim.tv_sec != was->st_ctim.tv_sec ||
	       now.st_ctim.tv_nsec != was->st_ctim.tv_nsec;
}

static int read_fd(perfdb_resultset *rs, int fd, const char *name, perfdb_format fmt, size_t max)
{
	char *data = NULL;
	size_t len = 0;
	int err;

	if ((err = read_streamed(rs, fd, name, fmt, max)) != PERFDB_JSON__FALLBACK ||
	    (err = read_csv_file(rs, fd, name, fmt, max)) != PERFDB_JSON__FALLBACK ||
	    (err = read_yaml_file(rs, fd, name, fmt, max)) != PERFDB_JSON__FALLBACK ||
	    (err = read_lines_file(rs, fd, name, fmt, max)) != PERFDB_JSON__FALLBACK)
		return err;
	if ((err = read_all(fd, name, max, &data, &len)))
		return err;
	err = perfdb_ingest_buffer(rs, data, len, name, fmt);
	free(data);
	return err;
}

/* Standard input up to this size is read into memory; more is spooled to an
 * unlinked temporary file and read from there like a named file (item at a
 * time when it is Google Benchmark or native JSON), so a big input on a
 * pipe costs no more memory than the same file by name. */
#define STDIN_IN_MEMORY ((size_t)4 << 20)

/* An unlinked temporary file in $TMPDIR (else /tmp), open for reading and
 * writing, or -1 (errno set). *dir: the directory, for messages. */
static int spool_file(const char **dir)
{
	const char *d = getenv("TMPDIR");
	char path[4096];
	int fd;

	*dir = d && *d ? d : "/tmp";
#ifdef O_TMPFILE
	if ((fd = open(*dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	/* ENOENT, EACCES, ENOSPC...: mkstemp would fail the same way */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1;
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/perfdb-stdin-XXXXXX", *dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	return fd;
}

static int spool_error(const char *dir, int e)
{
	/* a system error (exit 3), not bad input: the same bytes by name
	 * would be read */
	return perfdb_error__set(PERFDB_ERROR,
				 "cannot keep '<stdin>' in a temporary file in '%s': %s "
				 "(set TMPDIR to a writable directory with room for the input)",
				 dir, strerror(e));
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads up to cap bytes of fd into buf; *got is what was read, *eof whether
 * fd ended first. */
static int read_some(int fd, char *buf, size_t cap, size_t *got, bool *eof)
{
	*got = 0;
	*eof = false;
	while (*got < cap) {
		ssize_t n = read(fd, buf + *got, cap - *got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return perfdb_error__set(PERFDB_EIO, "cannot read '<stdin>': %s",
						 strerror(errno));
		if (n == 0) {
			*eof = true;
			break;
		}
		*got += (size_t)n;
	}
	return 0;
}

static int read_stdin(perfdb_resultset *rs, perfdb_format fmt, size_t max)
{
	const char *name = "<stdin>", *dir;
	size_t cap = max < STDIN_IN_MEMORY ? max + 1 : STDIN_IN_MEMORY, got, total;
	struct stat st;
	bool eof;
	char *buf;
	int fd, err;

	/* `perfdb record - < file`: the file itself, when it is read from
	 * its start (pread reads it from offset 0) */
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    !not_regular(STDIN_FILENO, &st) && lseek(STDIN_FILENO, 0, SEEK_CUR) == 0)
		return named(read_fd(rs, STDIN_FILENO, name, fmt, max), name);
	if (!(buf = malloc(cap)))
		return perfdb_error__oom();
	if ((err = read_some(STDIN_FILENO, buf, cap, &got, &eof))) {
		free(buf);
		return err;
	}
	if (eof || got > max) {
		err =
		    got > max ? too_big(name, max) : perfdb_ingest_buffer(rs, buf, got, name, fmt);
		free(buf);
		return err;
	}
	if ((fd = spool_file(&dir)) < 0) {
		err = spool_error(dir, errno);
		free(buf);
		return err;
	}
	/* buf is reused as the copy's buffer: one small block of memory */
	for (total = 0; !err;) {
		if (write_all(fd, buf, got) != 0) {
			err = spool_error(dir, errno);
			break;
		}
		total += got;
		if (eof)
			break;
		if ((err = read_some(STDIN_FILENO, buf, cap, &got, &eof)))
			break;
		if (got > max - total)
			err = too_big(name, max);
	}
	free(buf);
	if (!err && lseek(fd, 0, SEEK_SET) != 0)
		err = spool_error(dir, errno);
	if (!err)
		err = named(read_fd(rs, fd, name, fmt, max), name);
	close(fd);
	return err;
}

int perfdb_ingest_file(perfdb_resultset *rs, const char *path, perfdb_format fmt)
{
	return perfdb_ingest_file_max(rs, path, fmt, PERFDB_INGEST_MAX_INPUT);
}

int perfdb_ingest_file_max(perfdb_resultset *rs, const char *path, perfdb_format fmt,
			   size_t max_bytes)
{
	struct stat st;
	const char *what;
	int fd, err;

	if (!rs || !path)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_ingest_file: no resultset or path");
	if (!max_bytes)
		max_bytes = PERFDB_INGEST_MAX_INPUT;
	if (strcmp(path, "-") == 0)
		return read_stdin(rs, fmt, max_bytes);
	if (fmt == PERFDB_FORMAT_AUTO || fmt == PERFDB_FORMAT_CRITERION) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			perfdb_resultset *more = NULL;
			if (perfdb_resultset_count(rs) == 0)
				return perfdb_ingest__criterion_dir(rs, path);
			if (!(err = perfdb_resultset_new(&more)) &&
			    !(err = perfdb_ingest__criterion_dir(more, path)))
				err = merge_more(rs, more, path);
			perfdb_resultset_free(more);
			return err;
		}
	}
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path, strerror(errno));
	what = fstat(fd, &st) != 0 ? "unreadable" : not_regular(fd, &st);
	if (what) {
		close(fd);
		return perfdb_error__input(PERFDB_EINPUT, path, 0, 0, NULL,
					   "it is %s, not a regular file (pipe it to "
					   "'perfdb record -' to read it anyway)",
					   what);
	}
	err = named(read_fd(rs, fd, path, fmt, max_bytes), path);
	if (!err && changed_since(fd, &st))
		err = perfdb_error__set(PERFDB_EIO,
					"cannot read '%s': it changed while it was read", path);
	close(fd);
	return err;
}
