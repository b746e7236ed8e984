/*
 * http_tls.c - https:// for the HTTP load tester, through OpenSSL.
 *
 * The engine (http.c) owns the sockets and the epoll loops; this file only
 * turns a connected non-blocking socket into a TLS client and gives read and
 * send with read(2)'s contract, so the loop stays the same for both: a
 * handshake or a record that needs the socket again says EAGAIN, and the
 * edge-triggered loop calls back on the next event (it registers EPOLLIN and
 * EPOLLOUT at once, so either direction OpenSSL waits for wakes it).
 *
 * Verification is on unless asked otherwise: the chain against the system's
 * CAs (or a given file's) and the name against the URL's host, as a browser
 * or curl does. Sessions are kept per connection and offered again on its
 * reconnect, so a server that closes after each response (HTTP/1.0,
 * Connection: close) costs an abbreviated handshake, not a full one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "instrument/http_internal.h"
#include "util/error.h"

struct perfdb_http_tls {
	SSL_CTX *ctx;
	bool insecure;
};

/* OpenSSL's error queue is per thread: what one failure left must not be
 * read as the reason of the next. */
static unsigned long take_error(void)
{
	unsigned long e = ERR_peek_last_error();
	ERR_clear_error();
	return e;
}

int perfdb_http__tls_new(perfdb_http_tls **out, bool insecure, const char *ca_file)
{
	perfdb_http_tls *t = calloc(1, sizeof(*t));
	char why[256];

	*out = NULL;
	if (!t)
		return perfdb_error__oom();
	t->insecure = insecure;
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		ERR_error_string_n(take_error(), why, sizeof(why));
		free(t);
		return perfdb_error__set(PERFDB_ERROR, "tls: cannot set up OpenSSL: %s", why);
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	/* Partial writes, and a retried write may come from the same request
	 * bytes at a moved offset: the engine's send loop, unchanged. */
	SSL_CTX_set_mode(t->ctx,
			 SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* A server that closes without close_notify ends the connection, as a
	 * plain TCP close does; a body delimited by the close is then read the
	 * same way over both. */
	SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* The sessions are kept by the connections themselves. */
	SSL_CTX_set_session_cache_mode(t->ctx,
				       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	if (ca_file) {
		FILE *f = fopen(ca_file, "r");
		if (!f) {
			int e = errno;
			perfdb_http__tls_free(t);
			return perfdb_error__set(PERFDB_EINVAL, "ca file '%s': %s", ca_file,
						 strerror(e));
		}
		fclose(f);
		if (SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL) != 1) {
			const char *r = ERR_reason_error_string(take_error());
			perfdb_http__tls_free(t);
			return perfdb_error__set(
			    PERFDB_EINVAL, "ca file '%s': no PEM certificate read from it (%s)",
			    ca_file, r ? r : "unknown error");
		}
	} else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		ERR_error_string_n(take_error(), why, sizeof(why));
		perfdb_http__tls_free(t);
		return perfdb_error__set(PERFDB_ERROR,
					 "tls: cannot load the system's trusted CAs: %s", why);
	}
	SSL_CTX_set_verify(t->ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	*out = t;
	return 0;
}

void perfdb_http__tls_free(perfdb_http_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

static bool is_ip(const char *host)
{
	unsigned char a[16];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

int perfdb_http__tls_start(void **out, const perfdb_http_tls *t, int fd, const char *host,
			   void *session, perfdb_http_conn_error *err)
{
	SSL *ssl = SSL_new(t->ctx);
	bool ip = is_ip(host);
	int ok;

	*out = NULL;
	if (!ssl) {
		err->kind = PERFDB_HTTP_CERR_TLS;
		err->code = take_error();
		return PERFDB_HTTP_TLS_FAILED;
	}
	ok = SSL_set_fd(ssl, fd);
	/* SNI carries a DNS name only (RFC 6066); an address is checked
	 * against the certificate's IP entries instead. */
	if (ok && !ip)
		ok = SSL_set_tlsext_host_name(ssl, host);
	if (ok && !t->insecure)
		ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
			: SSL_set1_host(ssl, host);
	if (ok && session)
		ok = SSL_set_session(ssl, session);
	if (!ok) {
		err->kind = PERFDB_HTTP_CERR_TLS;
		err->code = take_error();
		SSL_free(ssl);
		return PERFDB_HTTP_TLS_FAILED;
	}
	SSL_set_connect_state(ssl);
	*out = ssl;
	return PERFDB_HTTP_TLS_MORE;
}

int perfdb_http__tls_handshake(void *p, bool *resumed, perfdb_http_conn_error *err)
{
	SSL *ssl = p;
	int rc = SSL_do_handshake(ssl), e;
	long v;

	if (rc == 1) {
		*resumed = SSL_session_reused(ssl) != 0;
		return PERFDB_HTTP_TLS_DONE;
	}
	e = SSL_get_error(ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return PERFDB_HTTP_TLS_MORE;
	v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK) {
		err->kind = PERFDB_HTTP_CERR_TLS_VERIFY;
		err->code = (unsigned long)v;
		ERR_clear_error();
	} else if (e == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0) {
		err->kind = errno ? PERFDB_HTTP_CERR_TLS_ERRNO : PERFDB_HTTP_CERR_TLS_EOF;
		err->code = (unsigned long)errno;
	} else {
		err->kind = PERFDB_HTTP_CERR_TLS;
		err->code = take_error();
	}
	return PERFDB_HTTP_TLS_FAILED;
}

/* After a failed SSL_read or SSL_write: EAGAIN to wait for the socket,
 * else the connection is broken (ECONNRESET unless the socket said more). */
static long io_error(SSL *ssl, int rc)
{
	int e = SSL_get_error(ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	if (!(e == SSL_ERROR_SYSCALL && errno != 0))
		errno = ECONNRESET;
	ERR_clear_error();
	return -1;
}

long perfdb_http__tls_read(void *p, void *buf, size_t len)
{
	SSL *ssl = p;
	size_t n = 0;
	int rc = SSL_read_ex(ssl, buf, len, &n);
	return rc == 1 ? (long)n : io_error(ssl, rc);
}

long perfdb_http__tls_write(void *p, const void *buf, size_t len)
{
	SSL *ssl = p;
	size_t n = 0;
	int rc = SSL_write_ex(ssl, buf, len, &n);
	return rc == 1 ? (long)n : io_error(ssl, rc);
}

void perfdb_http__tls_end(void **p, void **session, bool clean)
{
	SSL *ssl = *p;
	if (!ssl)
		return;
	if (clean && session && SSL_is_init_finished(ssl)) {
		SSL_SESSION *s = SSL_get1_session(ssl);
		if (s && SSL_SESSION_is_resumable(s)) {
			SSL_SESSION_free(*session);
			*session = s;
		} else {
			SSL_SESSION_free(s);
		}
	}
	/* No close_notify is sent (the socket closes at once): say it was, so
	 * OpenSSL does not mark the session unusable for that. */
	if (clean)
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_free(ssl);
	*p = NULL;
}

void perfdb_http__tls_session_free(void *session)
{
	SSL_SESSION_free(session);
}

void perfdb_http__tls_error_text(char *buf, size_t cap, const perfdb_http_conn_error *err)
{
	switch (err->kind) {
	case PERFDB_HTTP_CERR_TLS_VERIFY:
		snprintf(buf, cap, "TLS certificate verification failed: %s",
			 X509_verify_cert_error_string((long)err->code));
		return;
	case PERFDB_HTTP_CERR_TLS_ERRNO:
		snprintf(buf, cap, "TLS handshake failed: %s", strerror((int)err->code));
		return;
	case PERFDB_HTTP_CERR_TLS_EOF:
		snprintf(buf, cap, "TLS handshake failed: the server closed the connection");
		return;
	default: {
		/* "error:0A000086:SSL routines::certificate verify failed":
		 * the reason is the last field. */
		char e[256];
		const char *reason;
		if (err->code == 0) {
			snprintf(buf, cap, "TLS handshake failed");
			return;
		}
		ERR_error_string_n(err->code, e, sizeof(e));
		reason = ERR_reason_error_string(err->code);
		snprintf(buf, cap, "TLS handshake failed: %s", reason ? reason : e);
		return;
	}
	}
}
