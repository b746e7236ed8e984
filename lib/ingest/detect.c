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
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
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
    {"wrk", PERFDB_FORMAT_WRK},
    {"ab", PERFDB_FORMAT_AB},
    {"hey", PERFDB_FORMAT_HEY},
    {"k6", PERFDB_FORMAT_K6},
    {"locust", PERFDB_FORMAT_LOCUST},
    {"vegeta", PERFDB_FORMAT_VEGETA},
    /* aliases, accepted but never printed */
    {"native", PERFDB_FORMAT_NATIVE_JSON},
    {"googlebenchmark", PERFDB_FORMAT_GBENCH},
    {"google-benchmark", PERFDB_FORMAT_GBENCH},
    {"yml", PERFDB_FORMAT_NATIVE_YAML},
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
	size_t i;
	if (name)
		for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
			if (strcasecmp(name, format_names[i].name) == 0) {
				*out = format_names[i].fmt;
				return 0;
			}
	return perfdb_error__set(
	    PERFDB_EINVAL,
	    "unknown format '%s' (expected auto, gbench, hyperfine, json, yaml, "
	    "csv, wrk, ab, hey, k6, locust or vegeta)",
	    name ? name : "");
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
static perfdb_format detect_json(const char *d, size_t len, size_t i)
{
	enum { MAXDEPTH = 8 };
	char stack[MAXDEPTH]; /* '{' or '[' per open level (the first MAXDEPTH) */
	int depth = 0;
	bool in_results = false, saw_results = false, saw_gbench_key = false;
	bool elem_mean = false, native_keys = false;
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
				if (token_is(d + start, n, "benchmarks"))
					return PERFDB_FORMAT_GBENCH;
				saw_gbench_key |= token_is(d + start, n, "context");
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
			} else if (depth == 3 && in_results && stack[1] == '[' && stack[2] == '{') {
				/* A key of an element of the top-level "results". */
				if (token_is(d + start, n, "benchmark"))
					return PERFDB_FORMAT_NATIVE_JSON;
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
			if (depth <= 0)
				break;
		}
		i++;
	}
	if (saw_results || native_keys)
		return PERFDB_FORMAT_NATIVE_JSON;
	if (saw_gbench_key)
		return PERFDB_FORMAT_GBENCH;
	return PERFDB_FORMAT_AUTO;
}

/* CSV: the first line has at least two comma-separated fields, one of them
 * named "benchmark" (quoted or not, any case, spaces around ignored). */
static bool detect_csv(const char *d, size_t len, size_t i)
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
	return named && fields >= 2;
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
		while (i < len && d[i] != '\n')
			i++;
		i++;
	}
	return false;
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
		return detect_json(data, len, i);
	if (data[i] == '[')
		return PERFDB_FORMAT_AUTO; /* no format perfdb reads is a bare array */
	if ((fmt = detect_load_text(data, len, i)) != PERFDB_FORMAT_AUTO)
		return fmt;
	if (detect_csv(data, len, i))
		return PERFDB_FORMAT_CSV;
	if (detect_yaml(data, len, skip_bom(data, len)))
		return PERFDB_FORMAT_NATIVE_YAML;
	return PERFDB_FORMAT_AUTO;
}

/* --- entry points ---------------------------------------------------------- */

static int read_format(perfdb_resultset *rs, const char *data, size_t len, const char *name,
		       perfdb_format fmt)
{
	switch (fmt) {
	case PERFDB_FORMAT_GBENCH: return perfdb_ingest__gbench(rs, data, len, name);
	case PERFDB_FORMAT_HYPERFINE: return perfdb_ingest__hyperfine(rs, data, len, name);
	case PERFDB_FORMAT_NATIVE_JSON: return perfdb_ingest__native_json(rs, data, len, name);
	case PERFDB_FORMAT_NATIVE_YAML: return perfdb_ingest__native_yaml(rs, data, len, name);
	case PERFDB_FORMAT_CSV: return perfdb_ingest__csv(rs, data, len, name);
	case PERFDB_FORMAT_WRK: return perfdb_ingest__wrk(rs, data, len, name);
	case PERFDB_FORMAT_AB: return perfdb_ingest__ab(rs, data, len, name);
	case PERFDB_FORMAT_HEY: return perfdb_ingest__hey(rs, data, len, name);
	case PERFDB_FORMAT_K6: return perfdb_ingest__k6(rs, data, len, name);
	case PERFDB_FORMAT_LOCUST: return perfdb_ingest__locust(rs, data, len, name);
	case PERFDB_FORMAT_VEGETA: return perfdb_ingest__vegeta(rs, data, len, name);
	default: return perfdb_error__set(PERFDB_EINVAL, "unknown format %d", (int)fmt);
	}
}

/* A second input into a resultset that already has results (perfdb record
 * a.json b.json): one run holds a series once, so a result that an earlier
 * input already gave is refused here, where the file can still be named. */
static int read_more(perfdb_resultset *rs, const char *data, size_t len, const char *name,
		     perfdb_format fmt)
{
	perfdb_ingest_index idx = PERFDB_INGEST_INDEX_INIT;
	perfdb_resultset *more = NULL;
	size_t i, found;
	int err;

	if ((err = perfdb_resultset_new(&more)) || (err = read_format(more, data, len, name, fmt)))
		goto out;
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
	perfdb_resultset_free(more);
	return err < 0 ? err : 0;
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
		return perfdb_error__input(PERFDB_EFORMAT, name, 0, 0, NULL, "empty input");
	if (fmt == PERFDB_FORMAT_AUTO &&
	    (fmt = perfdb_ingest_detect(data, len)) == PERFDB_FORMAT_AUTO)
		return perfdb_error__input(
		    PERFDB_EFORMAT, name, 0, 0, NULL,
		    "unknown format: not Google Benchmark JSON, hyperfine JSON, perfdb JSON or "
		    "YAML (a 'results' list), CSV with a 'benchmark' column, nor the output of "
		    "wrk, ab, hey, k6, Locust or vegeta; name the format with --format "
		    "gbench|hyperfine|json|yaml|csv|wrk|ab|hey|k6|locust|vegeta");
	if (perfdb_resultset_count(rs) == 0)
		return read_format(rs, data, len, name, fmt);
	return read_more(rs, data, len, name, fmt);
}

/* Reads all of fd: regular files, pipes and /proc files alike. */
static int read_all(int fd, const char *path, char **out, size_t *outlen)
{
	struct stat st;
	size_t cap = 64 * 1024, len = 0;
	char *buf;

	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path,
						 strerror(EISDIR));
		if (S_ISREG(st.st_mode) && st.st_size > 0)
			cap = (size_t)st.st_size + 1;
	}
	if (!(buf = malloc(cap)))
		return perfdb_error__oom();
	for (;;) {
		ssize_t n;
		if (len == cap) {
			char *b = realloc(buf, cap * 2);
			if (!b) {
				free(buf);
				return perfdb_error__oom();
			}
			buf = b;
			cap *= 2;
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
	*out = buf;
	*outlen = len;
	return 0;
}

int perfdb_ingest_file(perfdb_resultset *rs, const char *path, perfdb_format fmt)
{
	bool is_stdin;
	const char *name;
	char *data = NULL;
	size_t len = 0;
	int fd, err;

	if (!rs || !path)
		return perfdb_error__set(PERFDB_EINVAL, "perfdb_ingest_file: no resultset or path");
	is_stdin = strcmp(path, "-") == 0;
	name = is_stdin ? "<stdin>" : path;
	if (is_stdin) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return perfdb_error__set(PERFDB_EIO, "cannot read '%s': %s", path, strerror(errno));
	}
	err = read_all(fd, name, &data, &len);
	if (!is_stdin)
		close(fd);
	if (err)
		return err;
	err = perfdb_ingest_buffer(rs, data, len, name, fmt);
	free(data);
	return err;
}
