/*
 * Locust `--csv PREFIX` files: PREFIX_stats.csv and PREFIX_stats_history.csv
 * (Locust 1.x and 2.x; told apart by their header).
 *
 * One series per request: the benchmark is "TYPE NAME" ("GET /api", "POST
 * /items [POST]"), or "Aggregated" for Locust's total row. Response times are
 * in ms. Read (lib/ingest/README.md, "Locust"):
 *
 *   _stats.csv           Request Count -> requests, Failure Count -> failures,
 *                        error_rate (failures / requests, %), Requests/s ->
 *                        throughput, Median/Average/Min/Max Response Time ->
 *                        latency_median/_mean/_min/_max, "NN%" columns ->
 *                        latency_pNN (100% -> latency_p100)
 *   _stats_history.csv   per request, every row of the run as one sample:
 *                        Requests/s -> throughput_over_time, 50%/95%/99% ->
 *                        latency_p50/_p95/_p99_over_time
 *
 * A request that was never made has "N/A" percentiles and zero times: its
 * latency is not recorded (warned); history rows with "N/A" (no request in
 * that window) are left out of the samples. Locust writes the history every
 * 10 s and loses the rows since the last write when it stops, so the history
 * may end early: the samples are what the file holds. Names must be UTF-8
 * (Locust 1.x on Windows wrote the system code page): any other is refused at
 * its position. _failures.csv and _exceptions.csv hold no measurements and
 * are refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/resultset_internal.h"
#include "ingest/ingest.h"
#include "ingest/loadtool.h"
#include "ingest/reader.h"
#include "ingest/window.h"
#include "util/error.h"
#include "util/utf8.h"

#define MAXF 64

typedef struct row {
	int n;
	size_t off[MAXF]; /* where each field starts in the line */
	char *f[MAXF];	  /* unquoted, NUL-terminated (into buf) */
	char buf[4096];
} row;

/* Splits the current line into fields: quoted ("a,b", doubled quotes) or not. */
static int split(const perfdb_load_text *t, row *r)
{
	size_t i = 0, used = 0;
	r->n = 0;
	for (;;) {
		if (r->n == MAXF)
			return perfdb_load__fail(t, i, NULL, "more than %d fields", MAXF);
		r->off[r->n] = i;
		r->f[r->n] = r->buf + used;
		if (i < t->n && t->s[i] == '"') {
			i++;
			for (;;) {
				if (i >= t->n)
					return perfdb_load__fail(t, r->off[r->n], NULL,
								 "a quoted field is not closed on "
								 "its line");
				if (t->s[i] == '"') {
					if (i + 1 < t->n && t->s[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				}
				if (used + 2 >= sizeof(r->buf))
					return perfdb_load__fail(t, i, NULL, "the row is too long");
				r->buf[used++] = t->s[i++];
			}
			if (i < t->n && t->s[i] != ',')
				return perfdb_load__fail(t, i, NULL, "text after a closing quote");
		} else {
			while (i < t->n && t->s[i] != ',') {
				if (used + 2 >= sizeof(r->buf))
					return perfdb_load__fail(t, i, NULL, "the row is too long");
				r->buf[used++] = t->s[i++];
			}
		}
		/* a field is a C string: a NUL would cut a name short */
		if (memchr(r->f[r->n], '\0', (size_t)(r->buf + used - r->f[r->n])))
			return perfdb_load__fail(t, r->off[r->n], NULL,
						 "NUL byte in the input (not a text file?)");
		r->buf[used++] = '\0';
		r->n++;
		if (i >= t->n)
			return 0;
		i++; /* the comma */
	}
}

typedef struct locust {
	perfdb_load_text t;
	perfdb_resultset *rs;
	row hdr;
	int col_type, col_name;
} locust;

static int column(const locust *l, const char *name)
{
	int k;
	for (k = 0; k < l->hdr.n; k++)
		if (strcmp(l->hdr.f[k], name) == 0)
			return k;
	return -1;
}

static int need(locust *l, const char *name, int *out)
{
	if ((*out = column(l, name)) < 0)
		return perfdb_error__input(PERFDB_EINPUT, l->t.name, 1, 1, name,
					   "the header has no '%s' column", name);
	return 0;
}

/* "TYPE NAME", "Aggregated" for the total row; checked to be UTF-8. */
static int bench_name(locust *l, const row *r, char *out, size_t size)
{
	const char *type = r->f[l->col_type], *name = r->f[l->col_name];
	size_t bad, n = strlen(name);
	if ((bad = perfdb_utf8_bad(name, n)) < n)
		return perfdb_load__fail(&l->t, r->off[l->col_name] + bad, "Name",
					 "the request name is not UTF-8 (byte 0x%02X; Locust 1.x "
					 "on Windows wrote names in the system code page)",
					 (unsigned char)name[bad]);
	if (!*name)
		return perfdb_load__fail(&l->t, r->off[l->col_name], "Name", "no request name");
	if (snprintf(out, size, "%s%s%s", type, *type ? " " : "", name) >= (int)size)
		return perfdb_load__fail(&l->t, r->off[l->col_name], "Name", "name too long");
	return 0;
}

/* Field k as a number: 0, 1 for "N/A", or an error. */
static int field_number(locust *l, const row *r, int k, double *out)
{
	const char *s = r->f[k];
	if (strcmp(s, "N/A") == 0)
		return 1;
	if (perfdb_load__number(s, strlen(s), out) != 0 || *out < 0)
		return perfdb_load__fail(&l->t, r->off[k], l->hdr.f[k],
					 "expected a number or N/A, found '%s'", s);
	return 0;
}

static bool percentile_column(const char *name)
{
	size_t n = strlen(name), i;
	if (n < 2 || name[n - 1] != '%')
		return false;
	for (i = 0; i + 1 < n; i++)
		if (!(name[i] >= '0' && name[i] <= '9') && name[i] != '.')
			return false;
	return true;
}

/*
 * _stats.csv: a row a request, its results made from it alone. The one
 * check that spans rows is a request given twice, which perfdb_load__put
 * finds among the results made: a file of a million requests held them all
 * (about 20 results a row, 50 times the file). So the rows are read three
 * times (hold_all: once, every result held, which the tests compare with):
 *
 *   FINGERPRINTS  a 4-byte fingerprint of each request's name;
 *   CHECK         every check in file order, each row's results made into a
 *                 resultset of its own and dropped; the names whose
 *                 fingerprint repeats kept, to find a request given twice;
 *   EMIT          the results and warnings, on to the caller's sink.
 */
enum { STATS_ALL, STATS_FINGERPRINTS, STATS_CHECK, STATS_EMIT };

typedef struct stats {
	locust *l;
	int pass;
	int c_req, c_fail, c_rps, cols[4]; /* cols: median, average, min, max */
	perfdb_ingest_fingerprints seen;
	perfdb_ingest_nameset names; /* CHECK: of the fingerprints that repeat */
	perfdb_resultset *row;	     /* CHECK: the row's results */
	size_t rows;		     /* the rows checked, less those made */
} stats;

/* metric of bench = v, read at offset off of the current row. */
static int stats_put(stats *st, size_t off, const char *bench, const char *metric,
		     perfdb_load_kind kind, double v)
{
	locust *l = st->l;
	/* CHECK found every error: none is left to find */
	if (st->pass == STATS_EMIT)
		return perfdb_load__add(l->rs, bench, metric, kind, v, NULL, 0);
	return perfdb_load__put(&l->t, off, st->pass == STATS_CHECK ? st->row : l->rs, bench,
				metric, kind, v, NULL, 0);
}

/* The current row of a stats file, in the pass st->pass. */
static int stats_row(stats *st)
{
	const int c_req = st->c_req, c_fail = st->c_fail, c_rps = st->c_rps, *cols = st->cols;
	static const char *const lat[] = {"latency_median", "latency_mean", "latency_min",
					  "latency_max"};
	locust *l = st->l;
	char bench[1024];
	double req, fail, v;
	int k, rc, err;
	row r;

	if ((err = split(&l->t, &r)))
		return err;
	if (r.n != l->hdr.n)
		return perfdb_load__fail(&l->t, 0, NULL, "this row has %d fields, the header %d",
					 r.n, l->hdr.n);
	if ((err = bench_name(l, &r, bench, sizeof(bench))))
		return err;
	if (st->pass == STATS_FINGERPRINTS)
		return perfdb_ingest__fingerprints_add(
		    &st->seen, perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(bench, "")));
	if ((rc = field_number(l, &r, c_req, &req)) || (rc = field_number(l, &r, c_fail, &fail)))
		return rc < 0 ? rc : perfdb_load__fail(&l->t, r.off[c_req], NULL, "a count is N/A");
	if (st->pass == STATS_CHECK) {
		/* the row's results alone: a name seen before is found here,
		 * where perfdb_load__put of its first result would find it */
		uint32_t fp = perfdb_ingest__fingerprint(perfdb_ingest__hash_pair(bench, ""));
		perfdb_resultset_free(st->row);
		st->row = NULL;
		if ((err = perfdb_resultset_new(&st->row)))
			return err;
		l->t.rs = st->row;
		if (perfdb_ingest__fingerprints_repeated(&st->seen, fp) &&
		    (rc = perfdb_ingest__nameset_add(&st->names, bench, strlen(bench), "")) <= 0)
			return rc < 0 ? rc
				      : perfdb_load__fail(&l->t, r.off[c_req], "requests",
							  "'%s' of '%s' is given a second time",
							  "requests", bench);
		st->rows++;
	} else if (st->pass == STATS_EMIT)
		st->rows--;
	if ((err = stats_put(st, r.off[c_req], bench, "requests", PERFDB_LOAD_COUNT, req)) ||
	    (err = stats_put(st, r.off[c_fail], bench, "failures", PERFDB_LOAD_ERRORS, fail)))
		return err;
	if ((rc = field_number(l, &r, c_rps, &v)) < 0)
		return rc;
	if (rc == 0 &&
	    (err = stats_put(st, r.off[c_rps], bench, "throughput", PERFDB_LOAD_THROUGHPUT, v)))
		return err;
	if (req == 0)
		return perfdb_load__warn(&l->t, 0, "'%s' made no request: no latency recorded",
					 bench);
	if ((err = stats_put(st, r.off[c_fail], bench, "error_rate", PERFDB_LOAD_ERROR_RATE,
			     100.0 * fail / req)))
		return err;
	for (k = 0; k < 4 + l->hdr.n; k++) {
		char metric[64];
		int c = k < 4 ? cols[k] : k - 4;
		if (k < 4)
			snprintf(metric, sizeof(metric), "%s", lat[k]);
		else if (percentile_column(l->hdr.f[c]))
			perfdb_load__percentile_metric(metric, sizeof(metric), "latency_p",
						       l->hdr.f[c], strlen(l->hdr.f[c]) - 1);
		else
			continue;
		if ((rc = field_number(l, &r, c, &v)) < 0)
			return rc;
		if (rc == 1) {
			if ((err = perfdb_load__warn(&l->t, r.off[c],
						     "'%s' of '%s' is N/A; not recorded", metric,
						     bench)))
				return err;
			continue;
		}
		if ((err = stats_put(st, r.off[c], bench, metric, PERFDB_LOAD_LATENCY, v * 1e6)))
			return err;
	}
	return 0;
}

/* One pass over a stats file's rows. */
static int stats_pass(stats *st)
{
	locust *l = st->l;
	size_t at = l->t.pos;
	int line = l->t.line, err = 0;
	perfdb_resultset *warn = l->t.rs;
	while (!err && perfdb_load__next_line(&l->t))
		if (!perfdb_load__blank(&l->t))
			err = stats_row(st);
	if (st->pass == STATS_FINGERPRINTS)
		err = 0; /* CHECK names the first error */
	else if (err == PERFDB_EINPUT && st->pass == STATS_EMIT)
		err = perfdb_ingest__window_changed(l->t.w);
	if (!err && l->t.w->ioerr)
		err = l->t.w->ioerr;
	l->t.rs = warn;
	perfdb_load__seek(&l->t, at, line);
	return err;
}

static int read_stats(locust *l, perfdb_resultset *rs, bool hold_all)
{
	struct perfdb_load_pairs *pairs = l->t.pairs;
	bool empty;
	stats st;
	int err;

	memset(&st, 0, sizeof(st));
	st.l = l;
	st.names.index = (perfdb_ingest_index)PERFDB_INGEST_INDEX_INIT;
	if ((err = need(l, "Request Count", &st.c_req)) ||
	    (err = need(l, "Failure Count", &st.c_fail)) ||
	    (err = need(l, "Median Response Time", &st.cols[0])) ||
	    (err = need(l, "Average Response Time", &st.cols[1])) ||
	    (err = need(l, "Min Response Time", &st.cols[2])) ||
	    (err = need(l, "Max Response Time", &st.cols[3])) ||
	    (err = need(l, "Requests/s", &st.c_rps)))
		return err;
	if (hold_all) {
		st.pass = STATS_ALL;
		err = stats_pass(&st);
		empty = perfdb_resultset_count(l->rs) == 0;
	} else {
		/* a row's results alone, without the pairs of the others */
		l->t.pairs = NULL;
		st.pass = STATS_FINGERPRINTS;
		if (!(err = perfdb_ingest__fingerprints_init(&st.seen, 0)) &&
		    !(err = stats_pass(&st)) &&
		    !(err = perfdb_ingest__fingerprints_keep_repeated(&st.seen))) {
			st.pass = STATS_CHECK;
			err = stats_pass(&st);
		}
		perfdb_ingest__fingerprints_release(&st.seen);
		perfdb_ingest__nameset_release(&st.names);
		perfdb_resultset_free(st.row);
		empty = !st.rows;
		if (!err && !empty) {
			/* every error is found: results are final as made */
			perfdb_resultset__stream_into(l->rs, rs);
			st.pass = STATS_EMIT;
			if (!(err = stats_pass(&st)) && st.rows)
				err = perfdb_ingest__window_changed(l->t.w);
		}
		l->t.pairs = pairs;
	}
	if (!err && empty)
		err = perfdb_error__input(PERFDB_EINPUT, l->t.name, 2, 1, NULL,
					  "no rows after the header");
	return err;
}

/*
 * _stats_history.csv: samples per request over the run, made in passes over
 * the rows, since a request's rows may be anywhere and a file may hold a
 * million requests of a few rows each, whose names and values held to the
 * end took several times the file:
 *
 *   CHECK    every error (the first one in file order), the rows with N/A,
 *            and a 4-byte fingerprint of each request's name;
 *   REPEATS  how many rows have a fingerprint that repeats;
 *   PLACES   for each of them, its name's hash and where it is (16 bytes a
 *            row): sorted, a hash's rows are read again to group them by
 *            name (two names of one hash are told apart), then ordered by
 *            their request's first row;
 *   EMIT     each request's results at its first row: from that row alone,
 *            or from its rows read again where they are, straight into the
 *            resultset's room for the samples; on to the caller's sink as
 *            they are made.
 *
 * The input is a buffer or a file read through a window (never whole); a row
 * is read again through a second window. The results, their order and every
 * message are those of holding every request to the end (hold_all: the
 * passes COUNT, FILL and EMIT with every request's name and values kept,
 * which the tests compare with).
 */
enum {
	HISTORY_CHECK,
	HISTORY_REPEATS,
	HISTORY_PLACES,
	HISTORY_COUNT, /* hold_all */
	HISTORY_FILL,  /* hold_all */
	HISTORY_EMIT
};

/* hold_all: a request, its name once, and its values (v[k * rows + i]: the
 * i-th value of column k), freed once its results are made. */
typedef struct held {
	char *bench;
	double *v;
	uint32_t rows, n[4]; /* a request has fewer rows than the text has lines */
	int line;	     /* of its first row */
} held;

/* A row whose name's fingerprint repeats: key is its name's hash, then
 * (once grouped) the offset of its request's first row; off its own. */
typedef struct place {
	uint64_t key, off;
} place;

typedef struct history {
	locust *l;
	int cols[4];
	bool hold_all;	/* hold every request, not only those whose fingerprint repeats */
	bool weak_hash; /* a place's key: 2 bits of the name's hash (tests) */
	perfdb_ingest_fingerprints seen;
	held *held;
	size_t nheld, capheld;
	perfdb_ingest_index index; /* bench -> its held */
	place *places;
	size_t nplaces, next; /* next: the place of the request to make next */
	size_t rows;	      /* CHECK: the rows; EMIT: those seen again */
	perfdb_ingest_window again;
	perfdb_load_text reread; /* rows read again, through `again` */
	size_t made;		 /* results added */
	int na_rows, na_line;
} history;

static const char *const history_metric[4] = {"throughput_over_time", "latency_p50_over_time",
					      "latency_p95_over_time", "latency_p99_over_time"};
static const char *const history_column[4] = {"Requests/s", "50%", "95%", "99%"};

/* The current line of t as a row: its request's name and, unless v is NULL,
 * its four values (na[k]: N/A). The first error of the row, in the order of
 * the fields. */
static int history_row(history *h, perfdb_load_text *t, row *r, char *bench, size_t size,
		       double v[4], bool na[4])
{
	locust *l = h->l;
	perfdb_load_text keep = l->t;
	int k, rc = 0;
	/* the row's messages are t's */
	l->t = *t;
	if ((rc = split(&l->t, r)))
		goto out;
	if (r->n != l->hdr.n) {
		rc = perfdb_load__fail(&l->t, 0, NULL, "this row has %d fields, the header %d",
				       r->n, l->hdr.n);
		goto out;
	}
	if ((rc = bench_name(l, r, bench, size)))
		goto out;
	for (k = 0; v && k < 4; k++) {
		if ((rc = field_number(l, r, h->cols[k], &v[k])) < 0)
			goto out;
		na[k] = rc == 1;
		rc = 0;
	}
out:
	l->t = keep;
	return rc;
}

/* Column k's result of request `bench` (first row `line`): n values at v,
 * or a warning when it has none. */
static int history_emit_one(history *h, const char *bench, int line, int k, double *v, size_t n)
{
	locust *l = h->l;
	perfdb_result res;
	int err;
	if (!n)
		return perfdb_resultset_warn(l->rs,
					     "%s:%d:1: '%s' has no %s value (N/A "
					     "throughout): %s not recorded",
					     l->t.name, line, bench, history_column[k],
					     history_metric[k]);
	perfdb_result_init(&res);
	res.benchmark = bench;
	res.metric = history_metric[k];
	res.unit = k ? "ms" : "req/s";
	res.direction = k ? PERFDB_LOWER_IS_BETTER : PERFDB_HIGHER_IS_BETTER;
	res.samples = v;
	res.nsamples = n;
	if ((err = perfdb_resultset_add(l->rs, &res)))
		return perfdb_ingest__placed(err, l->t.name, line, 1);
	h->made++;
	return 0;
}

/* The results of request `bench` (first row `line`): n[k] values at v[k]. */
static int history_emit(history *h, const char *bench, int line, double *const v[4],
			const uint32_t n[4])
{
	int k, err;
	for (k = 0; k < 4; k++)
		if ((err = history_emit_one(h, bench, line, k, v[k], n[k])))
			return err;
	return 0;
}

/* The held request `bench` (first row `line`), added when new. */
static int history_hold(history *h, const char *bench, int line, held **out)
{
	size_t found;
	char *copy;
	int err;
	if (perfdb_ingest__index_find(&h->index, bench, "", &found)) {
		*out = &h->held[found];
		return 0;
	}
	if ((err = perfdb_ingest__grow((void **)&h->held, &h->capheld, h->nheld + 1,
				       sizeof(*h->held))))
		return err;
	if (!(copy = strdup(bench)))
		return perfdb_error__oom();
	if ((err = perfdb_ingest__index_add(&h->index, copy, "", h->nheld, &found)) < 0) {
		free(copy);
		return err;
	}
	*out = memset(&h->held[h->nheld++], 0, sizeof(held));
	(*out)->bench = copy;
	(*out)->line = line;
	return 0;
}

/* The room for the held requests' values, after HISTORY_COUNT. */
static int history_room(history *h)
{
	size_t i;
	for (i = 0; i < h->nheld; i++)
		if (!(h->held[i].v = malloc((size_t)h->held[i].rows * 4 * sizeof(double))))
			return perfdb_error__oom();
	return 0;
}

/* The input changed since CHECK read it (a file), when a row read again is
 * not what it was: PERFDB_EIO. */
static int history_changed(history *h)
{
	return perfdb_ingest__window_changed(h->l->t.w);
}

/* The row at offset off read again: its name, and its values unless v is
 * NULL. An error means the input changed. */
static int history_reread(history *h, uint64_t off, char *bench, size_t size, double v[4],
			  bool na[4])
{
	row r;
	perfdb_load__seek(&h->reread, (size_t)off, 0);
	if (!perfdb_load__next_line(&h->reread))
		return h->again.ioerr ? h->again.ioerr : history_changed(h);
	return history_row(h, &h->reread, &r, bench, size, v, na) ? history_changed(h) : 0;
}

static int place_order(const void *a, const void *b)
{
	const place *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The places of one hash, [a, b) in file order, of more than one name (two
 * names of one hash, rare but for a hostile file): each name's rows found by
 * reading the rows again, a name a time. */
static int history_split(history *h, size_t a, size_t b)
{
	char first[1024], bench[1024];
	bool *done = calloc(b - a, sizeof(*done));
	size_t i, j;
	int err = 0;
	if (!done)
		return perfdb_error__oom();
	for (i = a; !err && i < b; i++) {
		uint64_t at = h->places[i].off;
		if (done[i - a])
			continue;
		if ((err = history_reread(h, at, first, sizeof(first), NULL, NULL)))
			break;
		h->places[i].key = at;
		for (j = i + 1; !err && j < b; j++) {
			if (done[j - a] || (err = history_reread(h, h->places[j].off, bench,
								 sizeof(bench), NULL, NULL)))
				continue;
			if (strcmp(bench, first) == 0) {
				h->places[j].key = at;
				done[j - a] = true;
			}
		}
	}
	free(done);
	return err;
}

/* The places of one hash, [a, b) in file order: each one's key becomes the
 * offset of its request's first row. */
static int history_group(history *h, size_t a, size_t b)
{
	char first[1024], bench[1024];
	size_t i;
	int err;
	if ((err = history_reread(h, h->places[a].off, first, sizeof(first), NULL, NULL)))
		return err;
	for (i = a + 1; i < b; i++) {
		if ((err = history_reread(h, h->places[i].off, bench, sizeof(bench), NULL, NULL)))
			return err;
		if (strcmp(bench, first) != 0)
			return history_split(h, a, b);
	}
	for (i = a; i < b; i++)
		h->places[i].key = h->places[a].off;
	return 0;
}

/* The places, sorted by hash, grouped by request and ordered by their
 * request's first row, then by their own. */
static int history_order(history *h)
{
	size_t a, b;
	int err;
	qsort(h->places, h->nplaces, sizeof(*h->places), place_order);
	for (a = 0; a < h->nplaces; a = b) {
		for (b = a + 1; b < h->nplaces && h->places[b].key == h->places[a].key; b++)
			;
		if ((err = history_group(h, a, b)))
			return err;
	}
	qsort(h->places, h->nplaces, sizeof(*h->places), place_order);
	return 0;
}

/* The request whose first row is the current one, its places from h->next
 * on: each column's values read again from its rows into the resultset's
 * room, and its results made. */
static int history_emit_places(history *h, const char *bench)
{
	size_t a = h->next, b, i;
	int k, err;
	for (b = a; b < h->nplaces && h->places[b].key == h->places[a].key; b++)
		;
	for (k = 0; k < 4; k++) {
		double *room = perfdb_resultset__samples(h->l->rs, b - a), v[4];
		size_t n = 0;
		if (!room)
			return PERFDB_ENOMEM;
		for (i = a; i < b; i++) {
			char name[1024];
			bool na[4];
			if ((err = history_reread(h, h->places[i].off, name, sizeof(name), v, na)))
				return err;
			if (strcmp(name, bench) != 0)
				return history_changed(h);
			if (!na[k])
				room[n++] = v[k];
		}
		if ((err = history_emit_one(h, bench, h->l->t.line, k, room, n)))
			return err;
	}
	h->next = b;
	return 0;
}

/* One pass over the rows (see above). */
static int history_pass(history *h, int pass)
{
	locust *l = h->l;
	size_t at = l->t.pos;
	int line = l->t.line;
	row r;
	int k, err = 0;
	while (!err && perfdb_load__next_line(&l->t)) {
		char bench[1024];
		double v[4], *pv[4];
		uint32_t n[4];
		size_t found;
		bool na[4] = {false, false, false, false},
		     values = pass == HISTORY_CHECK || pass == HISTORY_FILL || pass == HISTORY_EMIT;
		uint64_t hash;
		uint32_t fp;
		held *s = NULL;
		if (perfdb_load__blank(&l->t))
			continue;
		if ((err =
			 history_row(h, &l->t, &r, bench, sizeof(bench), values ? v : NULL, na))) {
			/* CHECK read it: the file changed since */
			if (pass != HISTORY_CHECK)
				err = history_changed(h);
			break;
		}
		hash = perfdb_ingest__hash_pair(bench, "");
		fp = perfdb_ingest__fingerprint(hash);
		if (pass == HISTORY_CHECK) {
			h->rows++;
			if ((na[0] || na[1] || na[2] || na[3]) && !h->na_rows++)
				h->na_line = l->t.line;
			if (!h->hold_all)
				err = perfdb_ingest__fingerprints_add(&h->seen, fp);
			continue;
		}
		if (pass == HISTORY_EMIT)
			h->rows--;
		if (!h->hold_all && !perfdb_ingest__fingerprints_repeated(&h->seen, fp)) {
			/* the request's only row */
			if (pass != HISTORY_EMIT)
				continue;
			for (k = 0; k < 4; k++) {
				pv[k] = &v[k];
				n[k] = !na[k];
			}
			err = history_emit(h, bench, l->t.line, pv, n);
			continue;
		}
		if (pass == HISTORY_REPEATS) {
			h->nplaces++;
			continue;
		}
		if (pass == HISTORY_PLACES) {
			if (h->next == h->nplaces) {
				err = history_changed(h);
				break;
			}
			h->places[h->next].key = h->weak_hash ? hash & 3 : hash;
			h->places[h->next++].off = l->t.at;
			continue;
		}
		if (!h->hold_all) {
			/* EMIT: at its request's first row, or a later row */
			if (h->next < h->nplaces && h->places[h->next].key == l->t.at)
				err = history_emit_places(h, bench);
			else if (h->next < h->nplaces && h->places[h->next].key < l->t.at)
				err = history_changed(h);
			continue;
		}
		if (pass == HISTORY_COUNT) {
			if (!(err = history_hold(h, bench, l->t.line, &s)))
				s->rows++;
			continue;
		}
		/* COUNT held every name FILL and EMIT see (or the file changed) */
		if (!perfdb_ingest__index_find(&h->index, bench, "", &found)) {
			err = history_changed(h);
			break;
		}
		s = &h->held[found];
		if (pass == HISTORY_FILL) {
			for (k = 0; k < 4; k++)
				if (!na[k] && s->n[k] < s->rows)
					s->v[(size_t)k * s->rows + s->n[k]++] = v[k];
		} else if (s->line == l->t.line) {
			for (k = 0; k < 4; k++)
				pv[k] = s->v + (size_t)k * s->rows;
			err = history_emit(h, s->bench, s->line, pv, s->n);
			free(s->v);
			s->v = NULL;
		}
	}
	if (!err && l->t.w->ioerr)
		err = l->t.w->ioerr;
	perfdb_load__seek(&l->t, at, line);
	return err;
}

/* The passes without hold_all, after CHECK. */
static int history_places(history *h)
{
	int err;
	if (!h->seen.count)
		return 0;
	if ((err = history_pass(h, HISTORY_REPEATS)))
		return err;
	if (!(h->places = malloc((h->nplaces ? h->nplaces : 1) * sizeof(*h->places))))
		return perfdb_error__oom();
	if ((err = history_pass(h, HISTORY_PLACES)))
		return err;
	if (h->next != h->nplaces)
		return history_changed(h);
	h->next = 0;
	return history_order(h);
}

static int read_history(locust *l, perfdb_resultset *rs, int how)
{
	history h;
	size_t i;
	int k, err = 0;
	bool hold_all = how == PERFDB_LOCUST_HOLD_ALL;

	memset(&h, 0, sizeof(h));
	h.l = l;
	h.hold_all = hold_all;
	h.weak_hash = how == PERFDB_LOCUST_WEAK_HASH;
	h.index = (perfdb_ingest_index)PERFDB_INGEST_INDEX_INIT;
	for (k = 0; k < 4; k++)
		if ((err = need(l, history_column[k], &h.cols[k])))
			return err;
	/* rows read again: through a window of their own, small (a row at a
	 * time, far apart), or the buffer */
	if (l->t.w->fd >= 0) {
		if ((err = perfdb_ingest__window_file(&h.again, l->t.w->fd, l->t.w->from,
						      l->t.w->size, l->t.name, 4096)))
			return err;
	} else
		perfdb_ingest__window_buffer(&h.again, l->t.w->data, (size_t)l->t.w->size,
					     l->t.name);
	perfdb_load__text_window(&h.reread, &h.again, l->t.name, l->rs);
	/* every error comes before the first result: they are final as made */
	perfdb_resultset__stream_into(l->rs, rs);
	if ((err = perfdb_ingest__fingerprints_init(&h.seen, 0)) ||
	    (err = history_pass(&h, HISTORY_CHECK)) ||
	    (err = perfdb_ingest__fingerprints_keep_repeated(&h.seen)))
		goto out;
	if (hold_all && ((err = history_pass(&h, HISTORY_COUNT)) || (err = history_room(&h)) ||
			 (err = history_pass(&h, HISTORY_FILL))))
		goto out;
	if (!hold_all && (err = history_places(&h)))
		goto out;
	if ((err = history_pass(&h, HISTORY_EMIT)))
		goto out;
	if (h.rows || h.next != h.nplaces) {
		err = history_changed(&h);
		goto out;
	}
	if (h.na_rows && (err = perfdb_resultset_warn(
			      l->rs,
			      "%s:%d:1: %d row%s with N/A (no request in that window) "
			      "left out of the latency samples",
			      l->t.name, h.na_line, h.na_rows, h.na_rows == 1 ? "" : "s")))
		goto out;
	if (!h.made)
		err = perfdb_error__input(PERFDB_EINPUT, l->t.name, 2, 1, NULL,
					  "no rows after the header");
out:
	for (i = 0; i < h.nheld; i++) {
		free(h.held[i].bench);
		free(h.held[i].v);
	}
	free(h.held);
	free(h.places);
	perfdb_ingest__index_release(&h.index);
	perfdb_ingest__fingerprints_release(&h.seen);
	perfdb_ingest__window_release(&h.again);
	return err;
}

/* Locust from w (borrowed), read as `how` (ingest.h). */
static int read_locust(perfdb_resultset *rs, perfdb_ingest_window *w, const char *name, int how)
{
	locust l;
	int err;

	memset(&l, 0, sizeof(l));
	if ((err = perfdb_resultset_new(&l.rs)))
		return err;
	perfdb_load__text_window(&l.t, w, name, l.rs);
	if ((err = perfdb_load__pairs_begin(&l.t)) ||
	    (err = perfdb_resultset_set_meta(l.rs, PERFDB_META_SOURCE, "locust")))
		goto out;
	if (!perfdb_load__next_line(&l.t)) {
		err = w->ioerr
			  ? w->ioerr
			  : perfdb_error__input(PERFDB_EINPUT, l.t.name, 0, 0, NULL, "empty input");
		goto out;
	}
	if ((err = split(&l.t, &l.hdr)))
		goto out;
	if (column(&l, "Method") == 0 || column(&l, "Count") >= 0 || column(&l, "Traceback") >= 0) {
		err = perfdb_load__fail(&l.t, 0, NULL,
					"a Locust _failures.csv or _exceptions.csv holds no "
					"measurements; record the _stats.csv");
		goto out;
	}
	if ((err = need(&l, "Type", &l.col_type)) || (err = need(&l, "Name", &l.col_name)))
		goto out;
	if (column(&l, "Timestamp") >= 0)
		err = read_history(&l, rs, how);
	else
		err = read_stats(&l, rs, how == PERFDB_LOCUST_HOLD_ALL);
	if (!err)
		err = perfdb_resultset_merge(rs, l.rs);
out:
	perfdb_load__pairs_end(&l.t);
	perfdb_resultset_free(l.rs);
	return err;
}

int perfdb_ingest__locust_as(perfdb_resultset *rs, const char *data, size_t len, const char *name,
			     int how)
{
	perfdb_ingest_window w;
	perfdb_ingest__window_buffer(&w, data, len, name);
	return read_locust(rs, &w, name ? name : "<input>", how);
}

int perfdb_ingest__locust(perfdb_resultset *rs, const char *data, size_t len, const char *name)
{
	return perfdb_ingest__locust_as(rs, data, len, name, PERFDB_LOCUST_PASSES);
}

int perfdb_ingest__locust_file(perfdb_resultset *rs, int fd, uint64_t from, uint64_t size,
			       const char *name, size_t window, int how)
{
	perfdb_ingest_window w;
	int err = perfdb_ingest__window_file(&w, fd, from, size, name, window);
	if (!err)
		err = read_locust(rs, &w, name ? name : "<input>", how);
	perfdb_ingest__window_release(&w);
	return err;
}
