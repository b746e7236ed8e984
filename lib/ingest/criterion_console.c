/*
 * Rust criterion.rs's console output (what `cargo bench` prints):
 *
 *   fib 15                  time:   [1.1943 µs 1.1954 µs 1.1972 µs]
 *                           thrpt:  [9.0584 GiB/s 9.0752 GiB/s 9.0866 GiB/s]
 *                           change: [-0.6771% -0.2190% +0.1451%] (p = 0.35 > 0.05)
 *   checksum/sort 100 elements
 *                           time:   [57.195 ns 57.281 ns 57.359 ns]
 *
 * A name longer than the column is printed on a line of its own, the time on
 * the next. The three numbers are the confidence interval's lower bound,
 * criterion's point estimate and its upper bound: the estimate is the value
 * (criterion's headline, as in the target/criterion reader, which names
 * results the same way). "thrpt:" becomes a "throughput" result (higher is
 * better) in B/s or elem/s. "change:" lines, and the time:/thrpt: lines of a
 * "change:" block (percentages), compare with an earlier run: not
 * measurements of this one, skipped. Everything else (progress lines,
 * outlier counts, libtest's own output) is skipped too; a panic is a warning
 * (the run did not finish).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/reader.h"
#include "ingest/textpos.h"
#include "ingest/window.h"
#include "util/error.h"

typedef struct scale {
	const char *unit, *canonical;
	double factor;
} scale;

static const scale times[] = {
    {"ps", "ns", 1e-3}, {"ns", "ns", 1},   {"\xc2\xb5s", "ns", 1e3},
    {"us", "ns", 1e3},	{"ms", "ns", 1e6}, {"s", "ns", 1e9},
};
static const scale rates[] = {
    {"B/s", "B/s", 1},
    {"KiB/s", "B/s", 1024.0},
    {"MiB/s", "B/s", 1048576.0},
    {"GiB/s", "B/s", 1073741824.0},
    {"TiB/s", "B/s", 1099511627776.0},
    {"KB/s", "B/s", 1e3},
    {"MB/s", "B/s", 1e6},
    {"GB/s", "B/s", 1e9},
    {"elem/s", "elem/s", 1},
    {"Kelem/s", "elem/s", 1e3},
    {"Melem/s", "elem/s", 1e6},
    {"Gelem/s", "elem/s", 1e9},
};

/* The "[a u b u c u]" after a label at s: 1 with the estimate (scaled) and its
 * unit, 0 when the numbers are percentages (a change), -1 when malformed
 * (*bad: the offset of the bad part). */
static int interval(const char *s, size_t n, const scale *tab, size_t ntab, double *value,
		    const char **unit, size_t *bad)
{
	char num[64], u[16];
	size_t i = 0, k, start;
	double v[3];
	const scale *sc[3];
	int j;

	if (i >= n || s[i] != '[') {
		*bad = i;
		return -1;
	}
	i++;
	for (j = 0; j < 3; j++) {
		start = i;
		for (k = 0; i < n && s[i] != ' ' && s[i] != ']' && k + 1 < sizeof(num); i++)
			num[k++] = s[i];
		num[k] = '\0';
		if (k && num[k - 1] == '%')
			return 0;
		if (perfdb_ingest__number(num, &v[j]) != 0 || !isfinite(v[j])) {
			*bad = start;
			return -1;
		}
		if (i < n && s[i] == ' ')
			i++;
		start = i;
		for (k = 0; i < n && s[i] != ' ' && s[i] != ']' && k + 1 < sizeof(u); i++)
			u[k++] = s[i];
		u[k] = '\0';
		sc[j] = NULL;
		for (k = 0; k < ntab; k++)
			if (strcmp(u, tab[k].unit) == 0)
				sc[j] = &tab[k];
		if (!sc[j]) {
			*bad = start;
			return -1;
		}
		if (j < 2 && i < n && s[i] == ' ')
			i++;
	}
	if (i >= n || s[i] != ']') {
		*bad = i;
		return -1;
	}
	*value = v[1] * sc[1]->factor;
	*unit = sc[1]->canonical;
	return 1;
}

/* Offset of "LABEL:" followed by spaces and '[' in the line, or -1; *after is
 * the offset of the '['. */
static long find_label(const char *s, size_t n, const char *label, size_t *after)
{
	size_t k = strlen(label), i, j;
	for (i = 0; i + k < n; i++) {
		if (memcmp(s + i, label, k) != 0 || (i > 0 && s[i - 1] != ' '))
			continue;
		for (j = i + k; j < n && s[j] == ' '; j++)
			;
		if (j > i + k && j < n && s[j] == '[') {
			*after = j;
			return (long)i;
		}
	}
	return -1;
}

/* A reading of the text: the first (fingerprints set) only notes each
 * name's fingerprint and stops at anything malformed, which the second then
 * names; the second checks and makes the results. */
typedef struct reading {
	const char *data, *name;
	size_t len;
	perfdb_resultset *own;
	perfdb_ingest_fingerprints *seen;	    /* the first reading's table */
	const perfdb_ingest_fingerprints *repeated; /* the second's: names to check */
	perfdb_ingest_index names;		    /* names whose fingerprint repeats -> line */
	char **keep;				    /* their copies (the index borrows them) */
	size_t nkeep, capkeep;
	char *bench; /* the current name */
	size_t benchcap;
} reading;

static uint32_t name_fingerprint(const char *bench)
{
	return perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(bench, ""));
}

/* The name [a, b) of s into rd->bench. */
static int set_bench(reading *rd, const char *s, size_t a, size_t b)
{
	if (b - a + 1 > rd->benchcap) {
		char *p = realloc(rd->bench, b - a + 1);
		if (!p)
			return perfdb_error__oom();
		rd->bench = p;
		rd->benchcap = b - a + 1;
	}
	memcpy(rd->bench, s + a, b - a);
	rd->bench[b - a] = '\0';
	return 0;
}

/* A name seen before is an error; only names whose fingerprint repeats can
 * be, and only they are kept. */
static int check_twice(reading *rd, int line)
{
	size_t found;
	char *copy;
	int err;
	if (!perfdb_ingest__fingerprints_repeated(rd->repeated, name_fingerprint(rd->bench)))
		return 0;
	if (perfdb_ingest__index_find(&rd->names, rd->bench, "", &found))
		return perfdb_error__input(PERFDB_EINPUT, rd->name, line, 1, NULL,
					   "'%s' is also on line %zu", rd->bench, found);
	if ((err = perfdb_ingest__grow((void **)&rd->keep, &rd->capkeep, rd->nkeep + 1,
				       sizeof(*rd->keep))))
		return err;
	if (!(copy = strdup(rd->bench)))
		return perfdb_error__oom();
	rd->keep[rd->nkeep++] = copy;
	err = perfdb_ingest__index_add(&rd->names, copy, "", (size_t)line, &found);
	return err > 0 ? 0 : err;
}

static int read_text(reading *rd)
{
	const char *data = rd->data, *name = rd->name, *prev = NULL;
	size_t len = rd->len, pos = 0, prevlen = 0;
	bool have_thrpt = false, first = rd->seen != NULL, have_bench = false;
	int line = 0, err, prev_line = 0, bench_line = 0, bench_column = 0; /* of prev, rd->bench */

	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *unit;
		size_t n = nl ? (size_t)(nl - s) : len - pos, at, bad, a, b;
		long lab;
		double value;
		perfdb_result r;
		int got;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if ((lab = find_label(s, n, "time:", &at)) >= 0) {
			got = interval(s + at, n - at, times, sizeof(times) / sizeof(times[0]),
				       &value, &unit, &bad);
			if (got < 0)
				return first ? 0
					     : perfdb_error__input(
						   PERFDB_EINPUT, name, line,
						   perfdb_ingest__columns(s, at + bad) + 1, NULL,
						   "expected criterion's [lower estimate upper] "
						   "times");
			if (got == 0) /* percentages: a change */
				continue;
			/* the name: before the label, or the line before */
			for (a = 0, b = (size_t)lab; b > a && s[b - 1] == ' ';)
				b--;
			if (b == 0) {
				if (!prev)
					return first ? 0
						     : perfdb_error__input(
							   PERFDB_EINPUT, name, line, 1, NULL,
							   "expected a benchmark's name "
							   "before its time");
				b = prevlen;
				while (a < b && prev[a] == ' ')
					a++;
				while (b > a && prev[b - 1] == ' ')
					b--;
				err = set_bench(rd, prev, a, b);
				bench_line = prev_line;
				bench_column = perfdb_ingest__columns(prev, a) + 1;
			} else {
				err = set_bench(rd, s, a, b);
				bench_line = line;
				bench_column = 1;
			}
			if (err)
				return err;
			have_bench = true;
			have_thrpt = false;
			if (a == b)
				return first
					   ? 0
					   : perfdb_error__input(PERFDB_EINPUT, name, line, 1, NULL,
								 "expected a benchmark's name "
								 "before its time");
			if (first) {
				if ((err = perfdb_ingest__fingerprints_add(
					 rd->seen, name_fingerprint(rd->bench))))
					return err;
				continue;
			}
			if ((err = check_twice(rd, line)))
				return err;
			perfdb_result_init(&r);
			r.benchmark = rd->bench;
			r.metric = "time";
			r.unit = unit;
			r.direction = PERFDB_LOWER_IS_BETTER;
			r.value = value;
			if ((err = perfdb_resultset_add(rd->own, &r)))
				return perfdb_ingest__placed(err, name, bench_line, bench_column);
		} else if ((lab = find_label(s, n, "thrpt:", &at)) >= 0) {
			if (first)
				continue;
			got = interval(s + at, n - at, rates, sizeof(rates) / sizeof(rates[0]),
				       &value, &unit, &bad);
			if (got < 0)
				return perfdb_error__input(
				    PERFDB_EINPUT, name, line,
				    perfdb_ingest__columns(s, at + bad) + 1, NULL,
				    "expected criterion's [lower estimate upper] throughputs");
			if (got == 0)
				continue;
			if (!have_bench || have_thrpt || strspn(s, " ") != (size_t)lab)
				return perfdb_error__input(
				    PERFDB_EINPUT, name, line,
				    perfdb_ingest__columns(s, (size_t)lab) + 1, NULL,
				    "a throughput without a time before it (or a second one)");
			perfdb_result_init(&r);
			r.benchmark = rd->bench;
			have_thrpt = true;
			r.metric = "throughput";
			r.unit = unit;
			r.direction = PERFDB_HIGHER_IS_BETTER;
			r.value = value;
			if ((err = perfdb_resultset_add(rd->own, &r)))
				return perfdb_ingest__placed(err, name, bench_line, bench_column);
		} else if (!first && n >= 7 && memcmp(s, "thread ", 7) == 0 &&
			   memmem(s, n, " panicked", 9) &&
			   (err = perfdb_resultset_warn(
				rd->own, "%s:%d:1: %.*s: the benchmarks did not finish", name, line,
				(int)(n > 200 ? 200 : n), s))) {
			return err;
		}
		if (n) {
			prev = s;
			prevlen = n;
			prev_line = line;
		}
	}
	return 0;
}

/*
 * Read twice, never holding every name: the first reading keeps a 4-byte
 * fingerprint of each (window.h), the second copies only the names whose
 * fingerprint repeats, to find a name given twice. A file of millions of
 * benchmarks held a copy of each and its index entry: four times the file.
 */
int perfdb_ingest__criterion_console(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name)
{
	perfdb_ingest_fingerprints fp = {NULL, 0, 0, 0};
	reading rd;
	size_t written = perfdb_resultset_written(rs), i;
	int err;

	memset(&rd, 0, sizeof(rd));
	rd.data = data;
	rd.len = len;
	rd.name = name;
	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if ((err = perfdb_ingest__fingerprints_init(&fp, 1024)))
		return err;
	rd.seen = &fp;
	if ((err = read_text(&rd)) || (err = perfdb_ingest__fingerprints_keep_repeated(&fp)))
		goto done;
	rd.seen = NULL;
	rd.repeated = &fp;
	if ((err = perfdb_resultset_new(&rd.own)) ||
	    (err = perfdb_resultset_set_meta(rd.own, PERFDB_META_SOURCE, "criterion")))
		goto done;
	/* final as made: on to rs's sink a batch at a time (gotest.c) */
	perfdb_resultset__stream_into(rd.own, rs);
	if ((err = read_text(&rd)))
		goto done;
	if (perfdb_resultset_count(rd.own) == 0 && perfdb_resultset_written(rs) == written) {
		err = perfdb_error__input(
		    PERFDB_EINPUT, name, 1, 1, NULL,
		    "no criterion result (a 'NAME time: [a ns b ns c ns]' line)");
		goto done;
	}
	err = perfdb_resultset_merge(rs, rd.own);
done:
	perfdb_ingest__fingerprints_release(&fp);
	perfdb_ingest__index_release(&rd.names);
	for (i = 0; i < rd.nkeep; i++)
		free(rd.keep[i]);
	free(rd.keep);
	free(rd.bench);
	perfdb_resultset_free(rd.own);
	return err;
}
