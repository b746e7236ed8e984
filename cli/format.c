/*
 * Numbers and commits as the commands show them: one formatter set for
 * every command. People read "135.8 M items/s", "1.234 ms", "12.50 MiB"
 * (about four significant digits); JSON and CSV are contracts for programs
 * and keep every digit (a value reads back as exactly the double it was).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* x with about four significant digits and no exponent; a whole number
 * of the unscaled unit stays whole (87, 812 ns, 0 B), a scaled one shows
 * its digits (4.000 MiB). */
static int sig4(char *buf, size_t cap, double x, bool whole)
{
	double a = fabs(x);
	int dec = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3, n;
	if (whole && x == floor(x))
		dec = 0;
	n = snprintf(buf, cap, "%.*f", dec, x);
	/* 9.9997 rounds to "10.000": one decimal fewer keeps four digits */
	if (dec > 0 && fabs(strtod(buf, NULL)) >= pow(10, 4 - dec))
		n = snprintf(buf, cap, "%.*f", dec - 1, x);
	return n;
}

/*
 * v scaled by steps of `base` through names[] (names[0] is the unscaled
 * unit), starting once |v| reaches `start`; the value is then written with
 * four significant digits, moving one step up when rounding reaches the next
 * step (999.96 µs is "1.000 ms", not "1000.0 µs").
 */
static void scaled(char *buf, size_t cap, double v, double start, double base,
		   const char *const *names, size_t n)
{
	char num[64];
	size_t i = 0;
	double x = v;
	if (fabs(x) >= start)
		for (i = 1, x = v / base; i + 1 < n && fabs(x) >= base; i++)
			x /= base;
	for (;;) {
		sig4(num, sizeof(num), x, i == 0);
		if (i + 1 < n && fabs(strtod(num, NULL)) >= (i ? base : start)) {
			x /= base;
			i++;
			continue;
		}
		break;
	}
	snprintf(buf, cap, "%s%s%s", num, *names[i] ? " " : "", names[i]);
}

void cli_format_ns(char *buf, size_t cap, double ns)
{
	static const char *const names[] = {"ns", "\xc2\xb5s", "ms", "s"};
	if (isnan(ns))
		snprintf(buf, cap, "%s", CLI_MISSING);
	else
		scaled(buf, cap, ns, 1e3, 1e3, names, 4);
}

void cli_format_bytes(char *buf, size_t cap, double b)
{
	static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	if (isnan(b))
		snprintf(buf, cap, "%s", CLI_MISSING);
	else
		scaled(buf, cap, b, 1024, 1024, names, 6);
}

void cli_format_value(char *buf, size_t cap, double v, const char *unit)
{
	static const char *const rate[] = {"B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s", "PiB/s"};
	static const char *const si[] = {"", "k", "M", "G", "T", "P", "E"};
	if (!unit)
		unit = "";
	if (isnan(v)) {
		snprintf(buf, cap, "%s", CLI_MISSING);
	} else if (isinf(v)) {
		snprintf(buf, cap, "%sinf%s%s", v < 0 ? "-" : "", *unit ? " " : "", unit);
	} else if (strcmp(unit, "ns") == 0) {
		cli_format_ns(buf, cap, v);
	} else if (strcmp(unit, "B") == 0) {
		cli_format_bytes(buf, cap, v);
	} else if (strcmp(unit, "B/s") == 0) {
		scaled(buf, cap, v, 1024, 1024, rate, 6);
	} else if (strcmp(unit, "%") == 0 || (v != 0 && fabs(v) < 0.001)) {
		/* a share is not scaled; tiny values keep their exponent */
		char num[64];
		if (v != 0 && fabs(v) < 0.001)
			snprintf(num, sizeof(num), "%.4g", v);
		else
			sig4(num, sizeof(num), v, true);
		snprintf(buf, cap, "%s%s%s", num, *unit ? " " : "", unit);
	} else {
		/* counts and rates: SI prefixes from 10 000 on (four digits are
		 * read at a glance, five are not): "135.8 M items/s" */
		size_t len;
		scaled(buf, cap, v, 1e4, 1e3, si, 7);
		len = strlen(buf);
		if (*unit && len < cap)
			snprintf(buf + len, cap - len, " %s", unit);
	}
}

void cli_format_p(char *buf, size_t cap, double p)
{
	if (isnan(p))
		snprintf(buf, cap, "%s", CLI_MISSING);
	else if (p < 1e-300)
		snprintf(buf, cap, "< 1e-300");
	else
		snprintf(buf, cap, "%.2g", p);
}

void cli_format_double(char *buf, size_t cap, double d)
{
	/* The shortest of %.15g..%.17g that reads back as the same double:
	 * exact for machines, and 0.1 stays 0.1 for people. */
	int prec;
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

json_t *cli_json_number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

char *cli_json_dumps(const json_t *doc)
{
	/* %.17g: every double reads back as itself, whichever command wrote it */
	return doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
		   : NULL;
}

int cli_json_print(json_t *doc)
{
	char *text = cli_json_dumps(doc);
	json_decref(doc);
	if (!text)
		return -1;
	cli_out("%s\n", text);
	free(text);
	return 0;
}

const char *cli_short_sha(char *buf, size_t cap, const char *sha)
{
	/* A full hex sha (SHA-1 or SHA-256) is shortened as git does; any other
	 * label (a tag, "c1", a --commit given by hand) is shown whole, so two
	 * labels never look the same. */
	size_t n = sha ? strlen(sha) : 0, i;
	bool hex = n == 40 || n == 64;
	for (i = 0; hex && i < n; i++)
		if (!strchr("0123456789abcdef", sha[i]))
			hex = false;
	snprintf(buf, cap, "%.*s", hex ? 12 : (int)n, sha ? sha : "");
	return buf;
}

/* ---- text from files: names, machines, subjects, tags --------------------------- */

/*
 * The code point of the UTF-8 sequence at s and its length in *len; -1 (and
 * *len 1) for a byte that does not start a valid sequence: a stray
 * continuation, an overlong form, a surrogate, or past U+10FFFF.
 */
static long utf8_decode(const unsigned char *s, size_t *len)
{
	long cp;
	size_t n, i;
	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = n;
	return cp;
}

/* A character a terminal or a reader would act on instead of showing: C0
 * and C1 controls, DEL, the line and paragraph separators (a new line to
 * some log viewers), the bidirectional overrides and isolates that reorder
 * what is shown ("Trojan Source"), and noncharacters. */
static bool unsafe(long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C || cp == 0xFFFE || cp == 0xFFFF;
}

const char *cli_text(char *buf, size_t cap, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t at = 0;
	if (!cap)
		return buf;
	while (*p) {
		char esc[16];
		const char *piece = esc;
		size_t len, plen;
		long cp = utf8_decode(p, &len);
		if (cp < 0)
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else if (cp == '\n')
			piece = "\\n";
		else if (cp == '\r')
			piece = "\\r";
		else if (cp == '\t')
			piece = "\\t";
		else if (unsafe(cp))
			snprintf(esc, sizeof(esc), cp < 0x100 ? "\\x%02lx" : "\\u%04lx", cp);
		else
			piece = NULL;
		plen = piece ? strlen(piece) : len;
		if (at + plen >= cap)
			break; /* whole characters and escapes only */
		memcpy(buf + at, piece ? piece : (const char *)p, plen);
		at += plen;
		p += len;
	}
	buf[at] = '\0';
	return buf;
}

void cli_utf8_trim(char *s)
{
	/* drop a sequence that snprintf cut short at the end of s */
	size_t n = strlen(s), start = n, len;
	while (start > 0 && n - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start > 0 && (unsigned char)s[start - 1] >= 0xC0) {
		start--;
		if (utf8_decode((const unsigned char *)s + start, &len) < 0 || start + len > n)
			s[start] = '\0';
	}
}

void cli_md_code(char *buf, size_t cap, const char *s, bool cell)
{
	/* CommonMark: a code span's fence is a backtick run no run inside it
	 * matches, so the longest run + 1; content that starts or ends with a
	 * backtick is padded with a space (stripped again when rendered). In
	 * a code span '@', '<', '[' and '!' are text: no mention, HTML, link or
	 * image. In a table cell '|' still ends the cell there unless escaped
	 * (GitHub); elsewhere the backslash would show. */
	char text[1024], *t;
	size_t run = 0, longest = 0, at = 0, i;
	bool pad;
	cli_text(text, sizeof(text), s);
	for (t = text; *t; t++) {
		run = *t == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = *text == '`' || (*text && text[strlen(text) - 1] == '`') || *text == ' ';
	if (cap < 2 * (longest + 2) + 1) {
		if (cap)
			buf[0] = '\0';
		return;
	}
	for (i = 0; i <= longest; i++)
		buf[at++] = '`';
	if (pad)
		buf[at++] = ' ';
	for (t = text; *t; t++) {
		bool esc = cell && *t == '|';
		size_t need = (esc ? 2 : 1) + (pad ? 1 : 0) + longest + 2;
		if (at + need >= cap)
			break;
		if (esc)
			buf[at++] = '\\';
		buf[at++] = *t;
	}
	if (pad)
		buf[at++] = ' ';
	for (i = 0; i <= longest; i++)
		buf[at++] = '`';
	buf[at] = '\0';
}

void cli_xml_text(char *buf, size_t cap, const char *s)
{
	/* Characters XML 1.0 forbids (most C0 controls, U+FFFE/U+FFFF, bytes
	 * that are not UTF-8) would make the whole report unreadable to a CI
	 * server's parser: cli_text shows them as escapes first. */
	char text[2048], *t;
	size_t at = 0;
	cli_text(text, sizeof(text), s);
	if (!cap)
		return;
	for (t = text; *t; t++) {
		const char *ent = *t == '<'    ? "&lt;"
				  : *t == '>'  ? "&gt;"
				  : *t == '&'  ? "&amp;"
				  : *t == '"'  ? "&quot;"
				  : *t == '\'' ? "&apos;"
					       : NULL;
		size_t len = ent ? strlen(ent) : 1;
		if (at + len >= cap)
			break;
		memcpy(buf + at, ent ? ent : t, len);
		at += len;
	}
	buf[at] = '\0';
}

const char *cli_spark_bar(double v, double lo, double hi)
{
	static const char *const bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
					   "\u2585", "\u2586", "\u2587", "\u2588"};
	int b = hi > lo ? (int)floor((v - lo) / (hi - lo) * 7.999) : 3;
	return bars[b < 0 ? 0 : (b > 7 ? 7 : b)];
}

size_t cli_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80) /* UTF-8 code points */
			w++;
	return w;
}

const char *cli_pad(char *buf, size_t cap, const char *s, int width)
{
	/* printf's %10s counts bytes: "614.6 µs" would be a column off */
	int n = width < 0 ? -width : width, pad = n - (int)cli_width(s);
	if (pad < 0)
		pad = 0;
	if (width < 0)
		snprintf(buf, cap, "%s%*s", s, pad, "");
	else
		snprintf(buf, cap, "%*s%s", pad, "", s);
	return buf;
}
