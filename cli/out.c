/*
 * All output of the perfdb command goes through here: stdout carries the
 * answer, stderr the diagnostics ("perfdb: ..."). Tables render as aligned
 * text, CSV (RFC 4180) or one JSON array of objects (jansson: perfdb has one
 * JSON writer).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <math.h>

#include <jansson.h>

#include "cli.h"

/* Where the answer goes: stdout, or for a while the file of a command's
 * --output (one call writes several outputs: regress's Markdown summary and
 * JUnit file at once, so a step that exits 1 still writes them all). */
static FILE *sink;

FILE *cli_out_sink(FILE *f)
{
	FILE *old = sink ? sink : stdout;
	sink = f == stdout ? NULL : f;
	return old;
}

void cli_out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(sink ? sink : stdout, fmt, ap);
	va_end(ap);
}

void cli_out_str(const char *s)
{
	fputs(s, sink ? sink : stdout);
}

/* One diagnostic line: messages quote names and values from input files,
 * so the text is shown with cli_text (a file cannot forge a second line or
 * send escape sequences to the terminal through an error). */
static void diagnostic(const char *prefix, const char *fmt, va_list ap)
{
	char msg[4096], shown[8192];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	cli_utf8_trim(msg);
	fflush(stdout);
	fprintf(stderr, "%s%s\n", prefix, cli_text(shown, sizeof(shown), msg));
}

void cli_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diagnostic("perfdb: ", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diagnostic("perfdb: warning: ", fmt, ap);
	va_end(ap);
}

int cli_exit_code(int err)
{
	switch (err) {
	case PERFDB_OK: return CLI_EXIT_OK;
	case PERFDB_EINVAL:
	case PERFDB_EINPUT:
	case PERFDB_EFORMAT:
	case PERFDB_ETOOBIG:
	case PERFDB_ENOTFOUND:
	case PERFDB_EIO: /* an input file that cannot be read is bad input */ return CLI_EXIT_USAGE;
	default: return CLI_EXIT_DB;
	}
}

int cli_fail(void)
{
	return cli_fail_hint(0, NULL);
}

int cli_fail_hint(int code, const char *hint)
{
	const perfdb_error *e = perfdb_error_last();
	const char *msg = e->message[0] ? e->message : perfdb_error_name(e->code);
	if (hint && (!code || e->code == code))
		cli_err("%s; %s", msg, hint);
	else
		cli_err("%s", msg);
	return cli_exit_code(e->code ? e->code : PERFDB_ERROR);
}

bool cli_stdout_tty(void)
{
	return !sink && isatty(STDOUT_FILENO) == 1;
}

bool cli_color(void)
{
	const char *nc = getenv("NO_COLOR");
	return cli_stdout_tty() && !(nc && *nc);
}

int cli_format_parse(cli_format *out, const char *name)
{
	static const char *const names[] = {"table", "csv", "json"};
	size_t i;
	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (cli_format)i;
			return 0;
		}
	}
	return PERFDB_EINVAL;
}

/* ---- tables ------------------------------------------------------------------ */

struct cli_table {
	cli_format fmt;
	bool header;
	bool tags_objects; /* a "tags" column holds JSON objects */
	size_t ncols;
	char **names;
	json_t *rows;  /* array of arrays of json values: keeps types for JSON */
	json_t *shown; /* per row, what text shows instead of a cell (or null) */
	size_t *width;
	bool stream;	 /* csv and json: each row printed as it comes */
	size_t streamed; /* rows printed so far */
};

cli_table *cli_table_new(cli_format fmt, bool header)
{
	cli_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fmt = fmt;
	t->header = header;
	t->rows = json_array();
	t->shown = json_array();
	if (!t->rows || !t->shown) {
		json_decref(t->rows);
		json_decref(t->shown);
		free(t);
		return NULL;
	}
	return t;
}

void cli_table_free(cli_table *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->names);
	free(t->width);
	json_decref(t->rows);
	json_decref(t->shown);
	free(t);
}

void cli_table_tags_as_objects(cli_table *t)
{
	t->tags_objects = true;
}

void cli_table_stream(cli_table *t)
{
	t->stream = t->fmt == CLI_FORMAT_CSV || t->fmt == CLI_FORMAT_JSON;
}

static void cell_text(json_t *v, char *buf, size_t cap, cli_format fmt);

static void csv_header(const cli_table *t)
{
	size_t i;
	for (i = 0; i < t->ncols; i++) {
		if (i)
			putchar(',');
		cli_csv_field(t->names[i]);
	}
	fputs("\r\n", stdout);
}

static void csv_row(const cli_table *t, json_t *r)
{
	char cell[4096];
	size_t i;
	for (i = 0; i < t->ncols; i++) {
		if (i)
			putchar(',');
		cell_text(json_array_get(r, i), cell, sizeof(cell), t->fmt);
		cli_csv_field(cell);
	}
	fputs("\r\n", stdout);
}

static json_t *row_object(const cli_table *t, json_t *r)
{
	json_t *obj = json_object();
	size_t i;
	if (!obj)
		return NULL;
	for (i = 0; i < t->ncols; i++)
		json_object_set(obj, t->names[i], json_array_get(r, i));
	return obj;
}

/* One row of the JSON array as cli_json_dumps would indent it inside the
 * array, so a streamed array reads the same as one printed whole. */
static int json_stream_row(cli_table *t, json_t *r)
{
	json_t *obj = row_object(t, r);
	char *text = cli_json_dumps(obj), *p, *nl;
	json_decref(obj);
	if (!text)
		return 1;
	fputs(t->streamed ? ",\n" : "[\n", stdout);
	for (p = text; p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		fputs("  ", stdout);
		fwrite(p, 1, nl ? (size_t)(nl - p + 1) : strlen(p), stdout);
	}
	free(text);
	return 0;
}

void cli_tags_object_text(char *buf, size_t cap, const json_t *o)
{
	const char *k;
	json_t *v;
	size_t len = 0;
	buf[0] = '\0';
	if (!json_is_object(o))
		return;
	json_object_foreach((json_t *)o, k, v)
	{
		char key[256], value[512];
		int n = snprintf(
		    buf + len, cap - len, "%s%s=%s", len ? "," : "", cli_text(key, sizeof(key), k),
		    cli_text(value, sizeof(value), json_is_string(v) ? json_string_value(v) : "?"));
		if (n < 0 || (size_t)n >= cap - len) {
			buf[len] = '\0'; /* whole pairs only */
			break;
		}
		len += (size_t)n;
	}
}

json_t *cli_tags_json(const perfdb_tags *tags)
{
	json_t *o = json_object();
	size_t i;
	for (i = 0; o && i < perfdb_tags_count(tags); i++)
		json_object_set_new(o, perfdb_tags_key(tags, i),
				    json_string(perfdb_tags_value(tags, i)));
	return o;
}

void cli_tags_text(char *buf, size_t cap, const perfdb_tags *tags)
{
	json_t *o = cli_tags_json(tags);
	cli_tags_object_text(buf, cap, o);
	json_decref(o);
}

void cli_series_name(char *buf, size_t cap, const char *benchmark, const char *metric,
		     const perfdb_tags *tags)
{
	char t[256], b[512], m[256];
	cli_tags_text(t, sizeof(t), tags);
	snprintf(buf, cap, "%s%s%s%s%s%s", cli_text(b, sizeof(b), benchmark), metric ? " " : "",
		 metric ? cli_text(m, sizeof(m), metric) : "", *t ? " [" : "", t, *t ? "]" : "");
	cli_utf8_trim(buf);
}

perfdb_value cli_value_text(const char *s)
{
	perfdb_value v;
	memset(&v, 0, sizeof(v));
	v.type = s ? PERFDB_VALUE_TEXT : PERFDB_VALUE_NULL;
	v.text = s ? s : "";
	return v;
}

perfdb_value cli_value_real(double d)
{
	perfdb_value v;
	memset(&v, 0, sizeof(v));
	v.type = isnan(d) ? PERFDB_VALUE_NULL : PERFDB_VALUE_REAL;
	v.d = d;
	v.text = "";
	return v;
}

perfdb_value cli_value_int(int64_t i)
{
	perfdb_value v;
	memset(&v, 0, sizeof(v));
	v.type = PERFDB_VALUE_INTEGER;
	v.i = i;
	v.text = "";
	return v;
}

int cli_table_row_fn(void *ctx, size_t ncols, const char *const *names, const perfdb_value *row)
{
	return cli_table_add(ctx, ncols, names, row, NULL);
}

int cli_table_add(cli_table *t, size_t ncols, const char *const *names, const perfdb_value *row,
		  const char *const *shown)
{
	json_t *r, *sh;
	size_t i;

	if (!row) {
		t->ncols = ncols;
		t->names = calloc(ncols ? ncols : 1, sizeof(*t->names));
		t->width = calloc(ncols ? ncols : 1, sizeof(*t->width));
		if (!t->names || !t->width)
			return 1;
		for (i = 0; i < ncols; i++) {
			t->names[i] = strdup(names[i] ? names[i] : "");
			if (!t->names[i])
				return 1;
		}
		if (t->stream && t->fmt == CLI_FORMAT_CSV && t->header)
			csv_header(t);
		return 0;
	}
	if (!(r = json_array()))
		return 1;
	if (!(sh = json_array())) {
		json_decref(r);
		return 1;
	}
	json_array_append_new(t->shown, sh);
	for (i = 0; i < ncols; i++) {
		json_t *v = NULL;
		json_array_append_new(sh, shown && shown[i] ? json_string(shown[i]) : json_null());
		if (t->tags_objects && row[i].type == PERFDB_VALUE_TEXT &&
		    strcmp(t->names[i], "tags") == 0) {
			json_error_t e;
			v = json_loads(row[i].text, JSON_REJECT_DUPLICATES, &e);
			if (v && !json_is_object(v)) {
				json_decref(v);
				v = NULL;
			}
		}
		if (v) {
			json_array_append_new(r, v);
			continue;
		}
		switch (row[i].type) {
		case PERFDB_VALUE_INTEGER: v = json_integer(row[i].i); break;
		case PERFDB_VALUE_REAL: v = json_real(row[i].d); break;
		case PERFDB_VALUE_TEXT: v = json_string(row[i].text); break;
		default: v = json_null(); break;
		}
		/* json_string refuses invalid UTF-8: keep the row, as null. */
		json_array_append_new(r, v ? v : json_null());
	}
	if (t->stream) {
		int err = 0;
		/* nothing kept: memory stays flat however many rows come */
		json_array_clear(t->shown);
		if (t->fmt == CLI_FORMAT_CSV)
			csv_row(t, r);
		else
			err = json_stream_row(t, r);
		json_decref(r);
		t->streamed++;
		return err;
	}
	json_array_append_new(t->rows, r);
	return 0;
}

/* A cell as text; tags objects as k=v for people, as compact JSON in CSV. */
static void cell_text(json_t *v, char *buf, size_t cap, cli_format fmt)
{
	if (json_is_object(v)) {
		if (fmt == CLI_FORMAT_CSV) {
			char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			snprintf(buf, cap, "%s", text ? text : "");
			free(text);
		} else {
			cli_tags_object_text(buf, cap, v);
		}
	} else if (json_is_string(v))
		snprintf(buf, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		cli_format_double(buf, cap, json_real_value(v));
	else
		buf[0] = '\0';
}

void cli_csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
}

/* Cell (row j, column i) as aligned text shows it; true when it is a number
 * (right-aligned). */
static bool text_cell(const cli_table *t, size_t j, size_t i, char *buf, size_t cap)
{
	json_t *v = json_array_get(json_array_get(t->rows, j), i);
	json_t *sh = json_array_get(json_array_get(t->shown, j), i);
	if (json_is_string(sh)) {
		cli_text(buf, cap, json_string_value(sh));
		return json_is_number(v) || json_is_null(v);
	}
	if (json_is_string(v)) {
		/* text from result files: shown, never acted on */
		cli_text(buf, cap, json_string_value(v));
		return false;
	}
	if (json_is_real(v)) {
		/* %.17g is for machines; people read ten digits */
		snprintf(buf, cap, "%.10g", json_real_value(v));
		return true;
	}
	cell_text(v, buf, cap, t->fmt);
	return json_is_number(v);
}

/* The terminal's width for aligned text: $COLUMNS, else the terminal's,
 * else 0 (not a terminal: no limit, the whole text). */
static size_t term_width(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	if (c && *c) {
		char *end;
		long v = strtol(c, &end, 10);
		if (!*end && v > 0 && v < 100000)
			return (size_t)v;
	}
	if (!sink && isatty(STDOUT_FILENO) == 1 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Cuts s in place to at most w code points, the last one an ellipsis. */
static void cut_cell(char *s, size_t w)
{
	size_t n = 0;
	char *p;
	if (cli_width(s) <= w || w < 1)
		return;
	for (p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && n++ == w - 1)
			break;
	/* p is the start of code point w: room for the 3-byte ellipsis */
	if ((size_t)(p - s) + 4 > 4096)
		return;
	memcpy(p, "\xe2\x80\xa6", 4);
}

/* Narrows the widest text columns until a row fits width (a 520-character
 * commit subject must not wrap every line); numbers and short columns
 * keep their width. CSV and JSON always have the whole text. */
static void fit_width(cli_table *t, const bool *numeric, size_t width)
{
	size_t i, total = 0;
	if (!width)
		return;
	for (i = 0; i < t->ncols; i++)
		total += t->width[i] + (i ? 2 : 0);
	while (total > width) {
		size_t widest = SIZE_MAX;
		for (i = 0; i < t->ncols; i++)
			if (!numeric[i] && t->width[i] > 12 &&
			    (widest == SIZE_MAX || t->width[i] > t->width[widest]))
				widest = i;
		if (widest == SIZE_MAX)
			return;
		t->width[widest]--;
		total--;
	}
}

int cli_table_print(cli_table *t)
{
	size_t i, j, nrows = json_array_size(t->rows);
	char cell[4096];
	bool *numeric;

	if (t->stream) {
		if (t->fmt == CLI_FORMAT_JSON)
			fputs(t->streamed ? "\n]\n" : "[]\n", stdout);
		return 0;
	}
	if (t->fmt == CLI_FORMAT_JSON) {
		json_t *out = json_array();
		char *text;
		for (j = 0; j < nrows; j++)
			json_array_append_new(out, row_object(t, json_array_get(t->rows, j)));
		text = cli_json_dumps(out);
		json_decref(out);
		if (!text)
			return 1;
		cli_out("%s\n", text);
		free(text);
		return 0;
	}
	if (t->fmt == CLI_FORMAT_CSV) {
		if (t->header)
			csv_header(t);
		for (j = 0; j < nrows; j++)
			csv_row(t, json_array_get(t->rows, j));
		return 0;
	}
	/* Aligned text: numbers right-aligned, text left-aligned; widths are
	 * those of the cells as shown. */
	for (i = 0; i < t->ncols; i++)
		t->width[i] = t->header ? cli_width(cli_text(cell, sizeof(cell), t->names[i])) : 0;
	if (!(numeric = calloc(t->ncols ? t->ncols : 1, sizeof(*numeric))))
		return 1;
	for (i = 0; i < t->ncols; i++)
		numeric[i] = nrows > 0;
	for (j = 0; j < nrows; j++)
		for (i = 0; i < t->ncols; i++) {
			if (!text_cell(t, j, i, cell, sizeof(cell)))
				numeric[i] = false;
			if (cli_width(cell) > t->width[i])
				t->width[i] = cli_width(cell);
		}
	fit_width(t, numeric, term_width());
	free(numeric);
	if (t->header) {
		for (i = 0; i < t->ncols; i++) {
			cli_text(cell, sizeof(cell), t->names[i]);
			cut_cell(cell, t->width[i]);
			cli_out("%s%s%*s", i ? "  " : "", cell,
				(int)(t->width[i] - cli_width(cell)), "");
		}
		cli_out("\n");
		for (i = 0; i < t->ncols; i++) {
			size_t k;
			cli_out("%s", i ? "  " : "");
			for (k = 0; k < t->width[i]; k++)
				putchar('-');
		}
		cli_out("\n");
	}
	for (j = 0; j < nrows; j++) {
		for (i = 0; i < t->ncols; i++) {
			bool right = text_cell(t, j, i, cell, sizeof(cell));
			int pad;
			cut_cell(cell, t->width[i]);
			pad = (int)t->width[i] - (int)cli_width(cell);
			if (pad < 0)
				pad = 0;
			if (right)
				cli_out("%s%*s%s", i ? "  " : "", pad, "", cell);
			else if (i + 1 < t->ncols)
				cli_out("%s%s%*s", i ? "  " : "", cell, pad, "");
			else
				cli_out("%s%s", i ? "  " : "", cell);
		}
		cli_out("\n");
	}
	return 0;
}

int cli_query_print(perfdb_store *store, cli_format format, bool header, bool tags_objects,
		    int (*run)(perfdb_store *store, void *arg, perfdb_row_fn fn, void *ctx),
		    void *arg)
{
	cli_table *table;
	int rc, err;

	if (!(table = cli_table_new(format, header))) {
		cli_err("out of memory");
		return CLI_EXIT_DB;
	}
	if (tags_objects)
		cli_table_tags_as_objects(table);
	/* csv and json rows go out as they come (a table needs every width first) */
	cli_table_stream(table);
	err = run(store, arg, cli_table_row_fn, table);
	if (err == PERFDB_EREADONLY) {
		/* A refused statement is bad usage, not a database fault. */
		cli_err("%s", perfdb_error_last()->message);
		rc = CLI_EXIT_USAGE;
	} else if (err) {
		/* the library says the query ran out of time; the option is ours */
		rc = strncmp(perfdb_error_last()->message, "query stopped after", 19) == 0
			 ? cli_fail_hint(0, "or give a longer --timeout")
			 : cli_fail();
	} else {
		cli_table_print(table);
		rc = CLI_EXIT_OK;
	}
	cli_table_free(table);
	return rc;
}
