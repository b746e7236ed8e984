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

/* A parsed http:// or https:// URL. Owned strings. */
typedef struct perfdb_http_url {
	bool tls;	/* https:// */
	char *host;	/* without brackets for IPv6 */
	char *port;	/* "80" (https: "443") when absent */
	char *target;	/* path and query, "/" when absent; no fragment */
	char *hostport; /* the Host header value: host, [v6], :port when given */
} perfdb_http_url;

/* Parses url (http:// or https://, whether or not this build has TLS); 0,
 * or PERFDB_EINVAL with the message set, or PERFDB_ENOMEM. */
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

/* Why a connection failed, kept raw on the event loop (which never formats)
 * and put in words when the results are collected (http.c; the TLS kinds by
 * perfdb_http__tls_error_text). */
typedef enum perfdb_http_conn_error_kind {
	PERFDB_HTTP_CERR_NONE = 0,
	PERFDB_HTTP_CERR_ERRNO,	     /* code: an errno of socket or connect */
	PERFDB_HTTP_CERR_TLS_VERIFY, /* code: the X509_V_ERR_* of the verification */
	PERFDB_HTTP_CERR_TLS,	     /* code: OpenSSL's error code (ERR_get_error) */
	PERFDB_HTTP_CERR_TLS_ERRNO,  /* code: an errno during the handshake */
	PERFDB_HTTP_CERR_TLS_EOF     /* the server closed during the handshake */
} perfdb_http_conn_error_kind;

typedef struct perfdb_http_conn_error {
	perfdb_http_conn_error_kind kind;
	unsigned long code;
} perfdb_http_conn_error;

#ifdef PERFDB_HAVE_TLS
/* ---- TLS (http_tls.c, OpenSSL; built with PERFDB_TLS) ---------------------------------- */

/* The client settings every https:// connection of a run shares (an
 * SSL_CTX: certificate verification, trusted CAs). */
typedef struct perfdb_http_tls perfdb_http_tls;

/* insecure: no certificate or name verification; ca_file: a PEM file of
 * trusted CAs instead of the system's (NULL: the system's).
 * Errors: PERFDB_EINVAL (ca_file unreadable), PERFDB_ERROR, PERFDB_ENOMEM. */
int perfdb_http__tls_new(perfdb_http_tls **out, bool insecure, const char *ca_file);
void perfdb_http__tls_free(perfdb_http_tls *t);

enum { PERFDB_HTTP_TLS_MORE = 0, PERFDB_HTTP_TLS_DONE = 1, PERFDB_HTTP_TLS_FAILED = -1 };

/* Starts the client side of a handshake on the connected, non-blocking
 * socket fd: *ssl gets the connection's state, host is sent in SNI (unless
 * it is an IP address) and is what the certificate must name; session, when
 * not NULL, is offered for resumption (still the caller's). Then call
 * perfdb_http__tls_handshake. PERFDB_HTTP_TLS_FAILED fills *err. */
int perfdb_http__tls_start(void **ssl, const perfdb_http_tls *t, int fd, const char *host,
			   void *session, perfdb_http_conn_error *err);

/* Drives the handshake: DONE (*resumed: a session was resumed), MORE (wait
 * for the socket to be readable or writable, then call again) or FAILED
 * (*err filled). */
int perfdb_http__tls_handshake(void *ssl, bool *resumed, perfdb_http_conn_error *err);

/* read(2) and send(2) over TLS: > 0 bytes, 0 the end of the connection
 * (read), or -1 with errno EAGAIN (wait for the socket, then call again with
 * the same arguments), or another errno for a broken connection. */
long perfdb_http__tls_read(void *ssl, void *buf, size_t len);
long perfdb_http__tls_write(void *ssl, const void *buf, size_t len);

/* Frees *ssl (NULL after); when session is not NULL and the connection
 * ended cleanly, *session is replaced with the connection's session (for
 * resumption by the next connect). The socket is the caller's to close. */
void perfdb_http__tls_end(void **ssl, void **session, bool clean);
void perfdb_http__tls_session_free(void *session);

/* Words for a PERFDB_HTTP_CERR_TLS* error, into buf. */
void perfdb_http__tls_error_text(char *buf, size_t cap, const perfdb_http_conn_error *err);
#endif

#endif
