/*
 * http_parse.c - URLs, requests and an incremental HTTP/1.x response parser
 * for the HTTP load tester.
 *
 * The parser never copies or allocates: the header block is parsed in place
 * once it is complete (so it must fit in the connection's buffer), and body
 * bytes are only counted. Anything it cannot read exactly is malformed: a
 * load tester that guesses would count a broken server as a fast one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "instrument/http_internal.h"
#include "util/error.h"

enum {
	S_HEAD = 0,    /* status line and headers */
	S_BODY,	       /* Content-Length body: remaining bytes */
	S_UNTIL_CLOSE, /* body delimited by the end of the connection */
	S_CHUNK_SIZE,  /* a chunk-size line */
	S_CHUNK_DATA,  /* chunk bytes: remaining */
	S_CHUNK_CRLF,  /* the CRLF after a chunk's data */
	S_TRAILER,     /* trailer lines after the last chunk */
	S_DONE
};

/* ---- URLs and requests ------------------------------------------------------------ */

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void perfdb_http__url_release(perfdb_http_url *u)
{
	if (!u)
		return;
	free(u->host);
	free(u->port);
	free(u->target);
	free(u->hostport);
	memset(u, 0, sizeof(*u));
}

int perfdb_http__url_parse(perfdb_http_url *out, const char *url)
{
	const char *p, *auth, *auth_end, *host, *host_end, *port = NULL, *port_end = NULL;
	const char *path, *path_end;
	unsigned long pn;

	memset(out, 0, sizeof(*out));
	/* Whether this build can speak TLS is the engine's to say: the URL
	 * itself is read the same way. */
	if (strncasecmp(url, "https://", 8) == 0)
		out->tls = true;
	else if (strncasecmp(url, "http://", 7) != 0)
		return perfdb_error__set(PERFDB_EINVAL,
					 "url '%s': expected http[s]://HOST[:PORT]/PATH", url);
	pn = out->tls ? 443 : 80;
	auth = url + (out->tls ? 8 : 7);
	auth_end = auth + strcspn(auth, "/?#");
	for (p = auth; p < auth_end; p++)
		if (*p == '@' || *p == ' ' || (unsigned char)*p < 0x21)
			return perfdb_error__set(
			    PERFDB_EINVAL, "url '%s': no user info or spaces in the host", url);
	if (*auth == '[') {
		host = auth + 1;
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end)
			return perfdb_error__set(PERFDB_EINVAL, "url '%s': unclosed '['", url);
		p = host_end + 1;
	} else {
		host = auth;
		host_end = memchr(auth, ':', (size_t)(auth_end - auth));
		if (!host_end)
			host_end = auth_end;
		p = host_end;
	}
	if (p < auth_end) {
		char *end;
		if (*p != ':' || p + 1 == auth_end)
			return perfdb_error__set(PERFDB_EINVAL, "url '%s': bad port", url);
		port = p + 1;
		port_end = auth_end;
		if (!isdigit((unsigned char)*port))
			return perfdb_error__set(PERFDB_EINVAL, "url '%s': bad port", url);
		pn = strtoul(port, &end, 10);
		if (end != port_end || pn < 1 || pn > 65535)
			return perfdb_error__set(PERFDB_EINVAL, "url '%s': port must be 1 to 65535",
						 url);
	}
	if (host_end == host)
		return perfdb_error__set(PERFDB_EINVAL, "url '%s': no host", url);
	path = auth_end;
	path_end = path + strcspn(path, "#");
	for (p = path; p < path_end; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return perfdb_error__set(PERFDB_EINVAL,
						 "url '%s': spaces or control characters in the "
						 "path (percent-encode them)",
						 url);
	out->host = dup_range(host, (size_t)(host_end - host));
	out->hostport = dup_range(auth, (size_t)(auth_end - auth));
	if (port)
		out->port = dup_range(port, (size_t)(port_end - port));
	else
		out->port = out->tls ? dup_range("443", 3) : dup_range("80", 2);
	if (path == path_end)
		out->target = dup_range("/", 1);
	else if (*path == '?') {
		out->target = malloc((size_t)(path_end - path) + 2);
		if (out->target) {
			out->target[0] = '/';
			memcpy(out->target + 1, path, (size_t)(path_end - path));
			out->target[path_end - path + 1] = '\0';
		}
	} else
		out->target = dup_range(path, (size_t)(path_end - path));
	if (!out->host || !out->hostport || !out->port || !out->target) {
		perfdb_http__url_release(out);
		return perfdb_error__oom();
	}
	return 0;
}

static bool is_tchar(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A header "Name: value": the length of the name, or 0 when it is not one. */
static size_t header_name_len(const char *h)
{
	size_t n = 0;
	const char *p;
	while (is_tchar((unsigned char)h[n]))
		n++;
	if (n == 0 || h[n] != ':')
		return 0;
	for (p = h; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\0')
			return 0;
	return n;
}

static bool has_header(const char *const *headers, size_t n, const char *name)
{
	size_t i, len = strlen(name);
	for (i = 0; i < n; i++)
		if (header_name_len(headers[i]) == len && strncasecmp(headers[i], name, len) == 0)
			return true;
	return false;
}

int perfdb_http__request_build(char **out, size_t *len, const char *method,
			       const perfdb_http_url *u, const char *const *headers,
			       size_t nheaders, const void *body, size_t body_len)
{
	size_t cap, n = 0, i;
	char *buf;
	const char *m;

	*out = NULL;
	*len = 0;
	if (!*method)
		return perfdb_error__set(PERFDB_EINVAL, "method: empty");
	for (m = method; *m; m++)
		if (!is_tchar((unsigned char)*m))
			return perfdb_error__set(PERFDB_EINVAL, "method '%s': not a token", method);
	cap = strlen(method) + strlen(u->target) + strlen(u->hostport) + 96 + body_len;
	for (i = 0; i < nheaders; i++) {
		size_t nl = header_name_len(headers[i]);
		if (nl == 0)
			return perfdb_error__set(PERFDB_EINVAL,
						 "header '%s': expected NAME: VALUE on one line",
						 headers[i]);
		cap += strlen(headers[i]) + 3;
	}
	buf = malloc(cap);
	if (!buf)
		return perfdb_error__oom();
	n += (size_t)snprintf(buf + n, cap - n, "%s %s HTTP/1.1\r\n", method, u->target);
	if (!has_header(headers, nheaders, "host"))
		n += (size_t)snprintf(buf + n, cap - n, "Host: %s\r\n", u->hostport);
	for (i = 0; i < nheaders; i++) {
		size_t nl = header_name_len(headers[i]);
		const char *v = headers[i] + nl + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		n += (size_t)snprintf(buf + n, cap - n, "%.*s: %s\r\n", (int)nl, headers[i], v);
	}
	if (body_len > 0 && !has_header(headers, nheaders, "content-length"))
		n += (size_t)snprintf(buf + n, cap - n, "Content-Length: %zu\r\n", body_len);
	n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	if (body_len)
		memcpy(buf + n, body, body_len);
	buf[n + body_len] = '\0'; /* for tests and debuggers; not sent */
	*out = buf;
	*len = n + body_len;
	return 0;
}

/* ---- the response parser ------------------------------------------------------------ */

void perfdb_http__parser_reset(perfdb_http_parser *p, bool head)
{
	memset(p, 0, sizeof(*p));
	p->state = S_HEAD;
	p->head = head;
}

bool perfdb_http__parser_fresh(const perfdb_http_parser *p)
{
	return p->state == S_HEAD && p->scanned == 0 && p->status == 0;
}

/* The end of the line starting at s (the '\n'), or NULL. */
static const char *line_end(const char *s, const char *end)
{
	return memchr(s, '\n', (size_t)(end - s));
}

/* Trims optional whitespace (and a '\r') around [*b, *e). */
static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/* True when the comma-separated list [b, e) holds token tok. */
static bool list_has(const char *b, const char *e, const char *tok)
{
	size_t n = strlen(tok);
	while (b < e) {
		const char *c = memchr(b, ',', (size_t)(e - b)), *ie = c ? c : e, *ib = b;
		trim(&ib, &ie);
		if ((size_t)(ie - ib) == n && strncasecmp(ib, tok, n) == 0)
			return true;
		b = c ? c + 1 : e;
	}
	return false;
}

/* Parses a complete header block [buf, end) (end just past the empty line).
 * Sets status, close, chunked, remaining and the next state. */
static int parse_head(perfdb_http_parser *p, const char *buf, const char *end)
{
	const char *s = buf, *le = line_end(s, end), *b, *e;
	bool http10, has_length = false, keep_alive = false, close = false, te = false;
	bool chunked = false;
	uint64_t length = 0;
	int status;

	/* HTTP/1.x SP 3DIGIT [SP reason] */
	if (!le || le - s < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') ||
	    s[8] != ' ' || !isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]) || (s + 12 < le && s[12] != ' ' && s[12] != '\r'))
		return PERFDB_HTTP_ERROR;
	http10 = s[7] == '0';
	status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (status < 100 || status > 599)
		return PERFDB_HTTP_ERROR;
	for (s = le + 1; s < end; s = le + 1) {
		const char *colon;
		size_t nl;
		le = line_end(s, end);
		if (!le)
			return PERFDB_HTTP_ERROR;
		if (le == s || (le == s + 1 && *s == '\r'))
			break; /* the empty line */
		colon = memchr(s, ':', (size_t)(le - s));
		if (!colon || colon == s)
			return PERFDB_HTTP_ERROR;
		for (b = s; b < colon; b++)
			if (!is_tchar((unsigned char)*b))
				return PERFDB_HTTP_ERROR; /* also no space before ':' */
		nl = (size_t)(colon - s);
		b = colon + 1;
		e = le;
		trim(&b, &e);
		if (nl == 14 && strncasecmp(s, "content-length", 14) == 0) {
			uint64_t v = 0;
			const char *d;
			if (b == e)
				return PERFDB_HTTP_ERROR;
			for (d = b; d < e; d++) {
				if (!isdigit((unsigned char)*d) || v > (UINT64_MAX >> 4) / 10)
					return PERFDB_HTTP_ERROR;
				v = v * 10 + (uint64_t)(*d - '0');
			}
			if (has_length && v != length)
				return PERFDB_HTTP_ERROR;
			has_length = true;
			length = v;
		} else if (nl == 17 && strncasecmp(s, "transfer-encoding", 17) == 0) {
			const char *c = e;
			te = true;
			/* chunked must be the last coding */
			while (c > b && c[-1] != ',')
				c--;
			while (c < e && (*c == ' ' || *c == '\t'))
				c++;
			chunked = (size_t)(e - c) == 7 && strncasecmp(c, "chunked", 7) == 0;
		} else if (nl == 10 && strncasecmp(s, "connection", 10) == 0) {
			if (list_has(b, e, "close"))
				close = true;
			if (list_has(b, e, "keep-alive"))
				keep_alive = true;
		}
	}
	if (status >= 100 && status < 200 && status != 101) {
		/* An interim response: the real one follows. */
		p->state = S_HEAD;
		p->scanned = 0;
		return PERFDB_HTTP_MORE;
	}
	p->status = status;
	p->close = close || (http10 && !keep_alive) || status == 101;
	if (te && has_length)
		return PERFDB_HTTP_ERROR; /* RFC 9112 6.1: a smuggling sign */
	if (p->head || status == 204 || status == 304 || status == 101) {
		p->state = S_DONE;
	} else if (te) {
		p->chunked = chunked;
		p->state = chunked ? S_CHUNK_SIZE : S_UNTIL_CLOSE;
		if (!chunked)
			p->close = true;
	} else if (has_length) {
		p->remaining = length;
		p->state = length ? S_BODY : S_DONE;
	} else {
		p->state = S_UNTIL_CLOSE;
		p->close = true;
	}
	return PERFDB_HTTP_DONE;
}

int perfdb_http__parse(perfdb_http_parser *p, const char *buf, size_t len, size_t cap,
		       size_t *consumed)
{
	const char *s = buf, *end = buf + len;

	for (;;) {
		switch (p->state) {
		case S_HEAD: {
			/* Find the empty line ending the header block, resuming
			 * where the last call stopped (less the 3 bytes that may
			 * start the terminator). */
			const char *q = s + (p->scanned > 3 ? p->scanned - 3 : 0), *hend = NULL;
			int rc;
			while (q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
				if (q + 1 < end && q[1] == '\n') {
					hend = q + 2;
					break;
				}
				if (q + 2 < end && q[1] == '\r' && q[2] == '\n') {
					hend = q + 3;
					break;
				}
				q++;
			}
			if (!hend) {
				p->scanned = (size_t)(end - s);
				*consumed = (size_t)(s - buf);
				/* Nothing left to drop and the buffer is full:
				 * the header block cannot fit. */
				if (s == buf && len >= cap)
					return PERFDB_HTTP_ERROR;
				return PERFDB_HTTP_MORE;
			}
			rc = parse_head(p, s, hend);
			s = hend;
			p->scanned = 0;
			if (rc == PERFDB_HTTP_ERROR)
				return rc;
			break;
		}
		case S_BODY:
		case S_CHUNK_DATA: {
			uint64_t avail = (uint64_t)(end - s);
			uint64_t take = avail < p->remaining ? avail : p->remaining;
			s += take;
			p->remaining -= take;
			if (p->remaining > 0) {
				*consumed = (size_t)(s - buf);
				return PERFDB_HTTP_MORE;
			}
			p->state = p->state == S_BODY ? S_DONE : S_CHUNK_CRLF;
			break;
		}
		case S_UNTIL_CLOSE: *consumed = len; return PERFDB_HTTP_MORE;
		case S_CHUNK_SIZE: {
			const char *le = line_end(s, end), *d;
			uint64_t v = 0;
			if (!le) {
				*consumed = (size_t)(s - buf);
				if (s == buf && len >= cap)
					return PERFDB_HTTP_ERROR;
				return PERFDB_HTTP_MORE;
			}
			for (d = s; d < le && isxdigit((unsigned char)*d); d++) {
				if (v > (UINT64_MAX >> 8))
					return PERFDB_HTTP_ERROR;
				v = v * 16 +
				    (uint64_t)(isdigit((unsigned char)*d)
						   ? *d - '0'
						   : (tolower((unsigned char)*d) - 'a' + 10));
			}
			if (d == s)
				return PERFDB_HTTP_ERROR;
			/* Only whitespace or extensions (";...") may follow. */
			while (d < le && (*d == ' ' || *d == '\t'))
				d++;
			if (d < le && *d != ';' && !(*d == '\r' && d + 1 == le))
				return PERFDB_HTTP_ERROR;
			s = le + 1;
			p->remaining = v;
			p->state = v ? S_CHUNK_DATA : S_TRAILER;
			break;
		}
		case S_CHUNK_CRLF:
			if (end - s >= 1 && *s == '\n') {
				s += 1;
			} else if (end - s >= 2 && s[0] == '\r' && s[1] == '\n') {
				s += 2;
			} else if (end - s >= 1 && !(*s == '\r' && end - s == 1)) {
				return PERFDB_HTTP_ERROR;
			} else {
				*consumed = (size_t)(s - buf);
				return PERFDB_HTTP_MORE;
			}
			p->state = S_CHUNK_SIZE;
			break;
		case S_TRAILER: {
			const char *le = line_end(s, end);
			if (!le) {
				*consumed = (size_t)(s - buf);
				if (s == buf && len >= cap)
					return PERFDB_HTTP_ERROR;
				return PERFDB_HTTP_MORE;
			}
			if (le == s || (le == s + 1 && *s == '\r'))
				p->state = S_DONE;
			s = le + 1;
			break;
		}
		case S_DONE: *consumed = (size_t)(s - buf); return PERFDB_HTTP_DONE;
		default: return PERFDB_HTTP_ERROR;
		}
	}
}

int perfdb_http__parse_eof(const perfdb_http_parser *p)
{
	return p->state == S_UNTIL_CLOSE || p->state == S_DONE ? PERFDB_HTTP_DONE
							       : PERFDB_HTTP_ERROR;
}
