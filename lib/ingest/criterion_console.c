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

int perfdb_ingest__criterion_console(perfdb_resultset *rs, const char *data, size_t len,
				     const char *name)
{
	perfdb_resultset *own = NULL;
	perfdb_ingest_index names = PERFDB_INGEST_INDEX_INIT;
	char **keep = NULL, *bench = NULL;
	size_t nkeep = 0, pos = 0, prevlen = 0, i, found;
	const char *prev = NULL;
	bool have_thrpt = false;
	size_t written = perfdb_resultset_written(rs);
	int line = 0, err;

	if ((err = perfdb_ingest__refuse_nul(data, len, name)))
		return err;
	if ((err = perfdb_resultset_new(&own)) ||
	    (err = perfdb_resultset_set_meta(own, PERFDB_META_SOURCE, "criterion")))
		goto done;
	/* final as made: on to rs's sink a batch at a time (gotest.c) */
	perfdb_resultset__stream_into(own, rs);
	for (i = 0, nkeep = 1; i < len; i++)
		nkeep += data[i] == '\n';
	keep = malloc(nkeep * sizeof(*keep));
	nkeep = 0;
	if (!keep) {
		err = perfdb_error__oom();
		goto done;
	}
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
			if (got < 0) {
				err = perfdb_error__input(
				    PERFDB_EINPUT, name, line,
				    perfdb_ingest__columns(s, at + bad) + 1, NULL,
				    "expected criterion's [lower estimate upper] times");
				goto done;
			}
			if (got == 0) /* percentages: a change */
				continue;
			/* the name: before the label, or the line before */
			for (a = 0, b = (size_t)lab; b > a && s[b - 1] == ' ';)
				b--;
			if (b == 0) {
				if (!prev) {
					err =
					    perfdb_error__input(PERFDB_EINPUT, name, line, 1, NULL,
								"expected a benchmark's name "
								"before its time");
					goto done;
				}
				b = prevlen;
				while (a < b && prev[a] == ' ')
					a++;
				while (b > a && prev[b - 1] == ' ')
					b--;
				if (!(bench = malloc(b - a + 1))) {
					err = perfdb_error__oom();
					goto done;
				}
				memcpy(bench, prev + a, b - a);
			} else {
				if (!(bench = malloc(b - a + 1))) {
					err = perfdb_error__oom();
					goto done;
				}
				memcpy(bench, s + a, b - a);
			}
			bench[b - a] = '\0';
			keep[nkeep++] = bench;
			have_thrpt = false;
			if (a == b) {
				err = perfdb_error__input(
				    PERFDB_EINPUT, name, line, 1, NULL,
				    "expected a benchmark's name before its time");
				goto done;
			}
			if ((err = perfdb_ingest__index_add(&names, bench, "", (size_t)line,
							    &found))) {
				if (err > 0)
					err = perfdb_error__input(PERFDB_EINPUT, name, line, 1,
								  NULL, "'%s' is also on line %zu",
								  bench, found);
				goto done;
			}
			perfdb_result_init(&r);
			r.benchmark = bench;
			r.metric = "time";
			r.unit = unit;
			r.direction = PERFDB_LOWER_IS_BETTER;
			r.value = value;
			if ((err = perfdb_resultset_add(own, &r)))
				goto done;
		} else if ((lab = find_label(s, n, "thrpt:", &at)) >= 0) {
			got = interval(s + at, n - at, rates, sizeof(rates) / sizeof(rates[0]),
				       &value, &unit, &bad);
			if (got < 0) {
				err = perfdb_error__input(
				    PERFDB_EINPUT, name, line,
				    perfdb_ingest__columns(s, at + bad) + 1, NULL,
				    "expected criterion's [lower estimate upper] throughputs");
				goto done;
			}
			if (got == 0)
				continue;
			if (!bench || have_thrpt || strspn(s, " ") != (size_t)lab) {
				err = perfdb_error__input(
				    PERFDB_EINPUT, name, line,
				    perfdb_ingest__columns(s, (size_t)lab) + 1, NULL,
				    "a throughput without a time before it (or a second one)");
				goto done;
			}
			perfdb_result_init(&r);
			r.benchmark = bench;
			have_thrpt = true;
			r.metric = "throughput";
			r.unit = unit;
			r.direction = PERFDB_HIGHER_IS_BETTER;
			r.value = value;
			if ((err = perfdb_resultset_add(own, &r)))
				goto done;
		} else {
			if (n >= 7 && memcmp(s, "thread ", 7) == 0 &&
			    memmem(s, n, " panicked", 9) &&
			    (err = perfdb_resultset_warn(
				 own, "%s:%d:1: %.*s: the benchmarks did not finish", name, line,
				 (int)(n > 200 ? 200 : n), s)))
				goto done;
		}
		if (n) {
			prev = s;
			prevlen = n;
		}
	}
	if (perfdb_resultset_count(own) == 0 && perfdb_resultset_written(rs) == written) {
		err = perfdb_error__input(
		    PERFDB_EINPUT, name, 1, 1, NULL,
		    "no criterion result (a 'NAME time: [a ns b ns c ns]' line)");
		goto done;
	}
	err = perfdb_resultset_merge(rs, own);
done:
	perfdb_ingest__index_release(&names);
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	perfdb_resultset_free(own);
	return err;
}
