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
