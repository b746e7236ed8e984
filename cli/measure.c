/*
 * Shared by `perfdb run` and `perfdb load`: option values, human units, the
 * command's name, JSON numbers and the progress line. The progress line is
 * "\r" + text + erase-to-end-of-line on stderr, so it overwrites itself and
 * never mixes with the answer on stdout.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "measure.h"

int cli_parse_count(const char *s, unsigned long long min, unsigned long long max,
		    unsigned long long *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;
	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= 0.0) || !isfinite(v) || v > 366.0 * 86400)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_text_json(const char *s, bool *json)
{
	if (strcmp(s, "text") == 0 || strcmp(s, "table") == 0)
		*json = false;
	else if (strcmp(s, "json") == 0)
		*json = true;
	else
		return -1;
	return 0;
}

/* v with 4 significant digits and no exponent. */
static void sig4(char *buf, size_t cap, double v, const char *unit)
{
	int decimals = v >= 1000 ? 0 : v >= 100 ? 1 : v >= 10 ? 2 : 3;
	snprintf(buf, cap, "%.*f %s", decimals, v, unit);
}

void cli_format_ns(char *buf, size_t cap, double ns)
{
	double a = fabs(ns);
	if (isnan(ns))
		snprintf(buf, cap, "n/a");
	else if (a < 1e3)
		snprintf(buf, cap, "%.0f ns", ns);
	else if (a < 1e6)
		sig4(buf, cap, ns / 1e3, "us");
	else if (a < 1e9)
		sig4(buf, cap, ns / 1e6, "ms");
	else
		sig4(buf, cap, ns / 1e9, "s");
}

void cli_format_bytes(char *buf, size_t cap, double b)
{
	double a = fabs(b);
	if (isnan(b))
		snprintf(buf, cap, "n/a");
	else if (a < 1024)
		snprintf(buf, cap, "%.0f B", b);
	else if (a < 1024.0 * 1024)
		sig4(buf, cap, b / 1024, "KiB");
	else if (a < 1024.0 * 1024 * 1024)
		sig4(buf, cap, b / (1024.0 * 1024), "MiB");
	else
		sig4(buf, cap, b / (1024.0 * 1024 * 1024), "GiB");
}

char *cli_command_name(char *const *argv)
{
	size_t i, j, len = 1;
	char *s, *p;
	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) * 4 + 3; /* worst case: every ' becomes '\'' */
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (i = 0; argv[i]; i++) {
		const char *a = argv[i];
		bool quote = !*a || strpbrk(a, " \t\n'\"\\$`*?[]{}()<>|&;#~!") != NULL;
		if (i)
			*p++ = ' ';
		if (quote)
			*p++ = '\'';
		for (j = 0; a[j]; j++) {
			if (quote && a[j] == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = a[j];
			}
		}
		if (quote)
			*p++ = '\'';
	}
	*p = '\0';
	return s;
}

json_t *cli_json_number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

int cli_json_print(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) : NULL;
	json_decref(doc);
	if (!text)
		return -1;
	cli_out("%s\n", text);
	free(text);
	return 0;
}

static bool progress_shown;

bool cli_progress_enabled(void)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(STDERR_FILENO) == 1 && !(nc && *nc);
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;
	if (!cli_progress_enabled())
		return;
	fputc('\r', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
	fflush(stderr);
	progress_shown = true;
}

void cli_progress_clear(void)
{
	if (!progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	progress_shown = false;
}
