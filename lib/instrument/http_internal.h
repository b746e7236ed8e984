/*
 * Library-internal: the HTTP/1.1 pieces of the HTTP load tester (http.c):
 * URL parsing, request building and an incremental response parser.
 * http_parse.c; exposed here so tests can drive the parser directly.
 */
#ifndef PERFDB_INSTRUMENT_HTTP_INTERNAL_H
#define PERFDB_INSTRUMENT_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A parsed http:// URL. Owned strings. */
typedef struct perfdb_http_url {
	char *host;	/* without brackets for IPv6 */
	char *port;	/* "80" when absent */
	char *target;	/* path and query, "/" when absent; no fragment */
	char *hostport; /* the Host header value: host, [v6], :port when given */
} perfdb_http_url;

/* Parses url; 0, or PERFDB_EINVAL with the message set (https:// is
 * refused with a message saying so), or PERFDB_ENOMEM. */
int perfdb_http__url_parse(perfdb_http_url *out, const char *url);
void perfdb_http__url_release(perfdb_http_url *u);

/* Builds the bytes of a request into a malloc'ed buffer (*out, *len; a NUL
 * follows them).
 * Errors: PERFDB_EINVAL (bad method or header), PERFDB_ENOMEM. */
int perfdb_http__request_build(char **out, size_t *len, const char *method,
			       const perfdb_http_url *u, const char *const *headers,
			       size_t nheaders, const void *body, size_t body_len);

enum {
	PERFDB_HTTP_MORE = 0,  /* need more bytes */
	PERFDB_HTTP_DONE = 1,  /* a complete response */
	PERFDB_HTTP_ERROR = -1 /* malformed */
};

/* The response parser's state; no allocation, no limit on body size. */
typedef struct perfdb_http_parser {
	int state;
	int status;	    /* final status once the headers are parsed */
	bool head;	    /* the request was HEAD: no body follows */
	bool close;	    /* the connection must be closed after this response */
	bool chunked;	    /* transfer-encoding: chunked */
	uint64_t remaining; /* body or chunk bytes still to come */
	size_t scanned;	    /* bytes of the header block already searched */
} perfdb_http_parser;

/* Prepares p for the response to one request (head: a HEAD request). */
void perfdb_http__parser_reset(perfdb_http_parser *p, bool head);

/* Feeds the bytes buf[0..len). *consumed is set to the bytes used: the
 * caller drops them and keeps the rest for the next call. Returns
 * PERFDB_HTTP_DONE at the end of a response (bytes after it are left
 * unconsumed), PERFDB_HTTP_MORE when more is needed, PERFDB_HTTP_ERROR
 * for a malformed response. A header block or chunk-size line that does
 * not fit in `cap` bytes is malformed: the caller passes its buffer's
 * capacity and the parser refuses when len == cap and it cannot go on. */
int perfdb_http__parse(perfdb_http_parser *p, const char *buf, size_t len, size_t cap,
		       size_t *consumed);

/* The connection was closed by the server (end of file): PERFDB_HTTP_DONE
 * when that ends the response (a body delimited by the close), else
 * PERFDB_HTTP_ERROR. */
int perfdb_http__parse_eof(const perfdb_http_parser *p);

/* True when the parser has not seen any byte of the response yet. */
bool perfdb_http__parser_fresh(const perfdb_http_parser *p);

#endif
