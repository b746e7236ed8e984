/*
 * http.c - the HTTP load tester: keep-alive connections on epoll event
 * loops, one loop per thread, open (constant rate, corrected for
 * coordinated omission) or closed model.
 *
 * Everything a loop touches is allocated before the clock starts: the
 * connections, their read buffers, the prebuilt request bytes and the
 * per-thread, per-target histograms. A request costs a send, a read (edge
 * triggered: one read unless the response is larger than the buffer), the
 * parse, two clock reads (at the request's first byte sent and when its
 * response is parsed, so that the service time is the request's own) and two
 * histogram records; the epoll_wait is shared by every event it returns.
 *
 * https:// (with PERFDB_HAVE_TLS) goes through http_tls.c on the same loop:
 * after the TCP connect the handshake is driven by the connection's events
 * until it is done, then the request is sent as over plain TCP. A plain
 * connection pays one well-predicted test of c->tls per read and send.
 */
#include "perfdb/loadtest.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "instrument/http_internal.h"
#include "instrument/timer.h"
#include "util/error.h"

#define MAX_CODES  16
#define MAX_EVENTS 256
#define NS_PER_S   1000000000.0
#define RBUF_CAP   PERFDB_LOADTEST_HTTP_MAX_HEADER_BYTES
/* The longest a loop sleeps without looking at the stop flag. */
#define POLL_NS 50000000u

/* What one thread saw of one target. */
typedef struct tstats {
	perfdb_histogram latency;
	perfdb_histogram service;
	uint64_t requests, failures, late, other_errors, end_ns;
	int codes[MAX_CODES];
	uint64_t code_count[MAX_CODES];
	unsigned ncodes;
	perfdb_loadtest_http_counts counts;
	perfdb_http_conn_error cerr; /* the first connect error's reason */
	uint64_t cerr_ns;	     /* and when it happened */
} tstats;

typedef struct target {
	perfdb_http_url url;
	const char *name; /* borrowed from the options */
	char *req;
	size_t req_len;
	size_t addr;
	bool head;
} target;

typedef struct address {
	struct sockaddr_storage sa;
	socklen_t len;
} address;

typedef struct conn {
	int fd;	      /* -1: not connected */
	uint32_t gen; /* bumped per socket: events of a closed one are stale */
	size_t addr;
	bool connecting, busy;
	bool handshaking; /* TLS: connected, the handshake is not done */
	void *tls;	  /* TLS: the connection's OpenSSL state, NULL over TCP */
	void *session;	  /* TLS: the last session, offered on a reconnect */
	unsigned target;
	uint64_t intended, start, deadline;
	size_t woff;
	size_t rlen;
	char *rbuf;
	perfdb_http_parser parser;
} conn;

struct run;

typedef struct thread {
	struct run *run;
	unsigned index;
	int ep;
	conn *conns;
	unsigned nconns;
	unsigned *idle; /* stack of idle connections */
	unsigned nidle;
	unsigned inflight;
	uint64_t next_slot;
	tstats *stats; /* one per target */
	char *rbufs;
	pthread_t th;
	alignas(64) _Atomic uint64_t done;
	_Atomic uint64_t failed;
} thread;

typedef struct run {
	target *targets;
	size_t ntargets;
	address *addrs;
	size_t naddrs;
	unsigned nthreads, nconns;
	bool open;
	uint64_t nslots; /* requests to send; UINT64_MAX by duration */
	double interval_ns;
	uint64_t t0, send_end, hard_end; /* send_end: closed model by duration */
	uint64_t timeout_ns, late_ns, drain_ns, scan_ns;
	bool expect[600];
#ifdef PERFDB_HAVE_TLS
	perfdb_http_tls *tls; /* when a target is https:// */
#endif
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned ready, finished;
	int state; /* 0 wait, 1 go, 2 abort */
	_Atomic int stop;
} run;

/* ---- recording ----------------------------------------------------------------------- */

static void count_code(tstats *s, int code)
{
	unsigned i;
	s->failures++;
	switch (code) {
	case PERFDB_LOADTEST_HTTP_ECONNECT: s->counts.connect_errors++; break;
	case PERFDB_LOADTEST_HTTP_ETIMEOUT: s->counts.timeouts++; break;
	case PERFDB_LOADTEST_HTTP_ECLOSED: s->counts.closed++; break;
	case PERFDB_LOADTEST_HTTP_EMALFORMED: s->counts.malformed++; break;
	default: break;
	}
	for (i = 0; i < s->ncodes; i++) {
		if (s->codes[i] == code) {
			s->code_count[i]++;
			return;
		}
	}
	if (s->ncodes < MAX_CODES) {
		s->codes[s->ncodes] = code;
		s->code_count[s->ncodes++] = 1;
		return;
	}
	s->other_errors++;
}

/* Ends c's request at now: 0 for a success, else its failure code. */
static void record(thread *t, conn *c, uint64_t now, int code)
{
	run *r = t->run;
	tstats *s = &t->stats[c->target];
	/* now is the loop turn's clock read, unless the request ended in the
	 * turn that sent it (a connection reset or closed right after the
	 * send): then its own start is later, and the clock is read again. */
	if (now < c->start)
		now = perfdb_timer__monotonic_ns();
	perfdb_histogram_record(&s->latency, now - (r->open ? c->intended : c->start));
	if (r->open)
		perfdb_histogram_record(&s->service, now - c->start);
	s->requests++;
	s->end_ns = now;
	if (code) {
		count_code(s, code);
		atomic_store_explicit(&t->failed,
				      atomic_load_explicit(&t->failed, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&t->done, atomic_load_explicit(&t->done, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* ---- connections ------------------------------------------------------------------------ */

/* clean: the connection ended as HTTP allows (a response and a close),
 * not on an error; a TLS session is kept for the next connect only then. */
static void conn_end(conn *c, bool clean)
{
#ifdef PERFDB_HAVE_TLS
	if (c->tls)
		perfdb_http__tls_end(&c->tls, &c->session, clean);
	c->handshaking = false;
#else
	(void)clean;
#endif
	if (c->fd >= 0)
		close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	c->connecting = false;
	c->rlen = 0;
}

static void conn_close(conn *c)
{
	conn_end(c, true);
}

static ssize_t conn_read(conn *c, void *buf, size_t len)
{
#ifdef PERFDB_HAVE_TLS
	if (c->tls)
		return perfdb_http__tls_read(c->tls, buf, len);
#endif
	return read(c->fd, buf, len);
}

static ssize_t conn_send(conn *c, const void *buf, size_t len)
{
#ifdef PERFDB_HAVE_TLS
	if (c->tls)
		return perfdb_http__tls_write(c->tls, buf, len);
#endif
	return send(c->fd, buf, len, MSG_NOSIGNAL);
}

static void release(thread *t, conn *c)
{
	c->busy = false;
	t->inflight--;
	t->idle[t->nidle++] = (unsigned)(c - t->conns);
}

static void fail(thread *t, conn *c, uint64_t now, int code)
{
	record(t, c, now, code);
	conn_end(c, false);
	release(t, c);
}

/* A connect error, its reason kept when it is the target's first. */
static void fail_connect(thread *t, conn *c, uint64_t now, perfdb_http_conn_error_kind kind,
			 unsigned long code)
{
	tstats *s = &t->stats[c->target];
	if (s->cerr.kind == PERFDB_HTTP_CERR_NONE) {
		s->cerr.kind = kind;
		s->cerr.code = code;
		s->cerr_ns = now;
	}
	fail(t, c, now, PERFDB_LOADTEST_HTTP_ECONNECT);
}

static void complete(thread *t, conn *c, uint64_t now)
{
	int st = c->parser.status;
	/* Bytes after the response: we never pipeline, so the server sent more
	 * than it was asked for (a body after a HEAD, a wrong length). The
	 * exchange cannot be trusted: malformed. */
	if (c->rlen > 0) {
		fail(t, c, now, PERFDB_LOADTEST_HTTP_EMALFORMED);
		return;
	}
	record(t, c, now, t->run->expect[st] ? 0 : st);
	t->stats[c->target].counts.status[st / 100]++;
	if (c->parser.close)
		conn_close(c);
	release(t, c);
}

static void send_request(thread *t, conn *c, uint64_t now)
{
	const target *tg = &t->run->targets[c->target];
	/* The service time starts at the request's first byte, as wrk's does:
	 * not at the connect (or TLS handshake) before it, nor at the loop's
	 * clock read, which the earlier sends of a batch have made stale. */
	if (c->woff == 0) {
		c->start = perfdb_timer__monotonic_ns();
		/* The timeout counts from the send too, so a timed-out
		 * request's latency is never below it; until then the deadline
		 * set at the start bounds the connect and handshake. */
		c->deadline = c->start + t->run->timeout_ns;
	}
	while (c->woff < tg->req_len) {
		ssize_t n = conn_send(c, tg->req + c->woff, tg->req_len - c->woff);
		if (n > 0) {
			c->woff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT (edge triggered) resumes it */
		fail(t, c, now, PERFDB_LOADTEST_HTTP_ECLOSED);
		return;
	}
}

#ifdef PERFDB_HAVE_TLS
/* Drives c's handshake; once done, sends the request. */
static void handshake(thread *t, conn *c, uint64_t now)
{
	perfdb_http_conn_error err = {PERFDB_HTTP_CERR_NONE, 0};
	bool resumed = false;
	int rc = perfdb_http__tls_handshake(c->tls, &resumed, &err);
	if (rc == PERFDB_HTTP_TLS_MORE)
		return;
	if (rc == PERFDB_HTTP_TLS_FAILED) {
		fail_connect(t, c, now, err.kind, err.code);
		return;
	}
	c->handshaking = false;
	if (resumed)
		t->stats[c->target].counts.tls_resumed++;
	send_request(t, c, now);
}
#endif

/* The TCP connection is up: the request, or first the TLS handshake. */
static void connected(thread *t, conn *c, uint64_t now)
{
#ifdef PERFDB_HAVE_TLS
	const target *tg = &t->run->targets[c->target];
	if (tg->url.tls) {
		perfdb_http_conn_error err = {PERFDB_HTTP_CERR_NONE, 0};
		if (perfdb_http__tls_start(&c->tls, t->run->tls, c->fd, tg->url.host, c->session,
					   &err) != PERFDB_HTTP_TLS_MORE) {
			fail_connect(t, c, now, err.kind, err.code);
			return;
		}
		c->handshaking = true;
		handshake(t, c, now);
		return;
	}
#endif
	send_request(t, c, now);
}

static void conn_open(thread *t, conn *c, uint64_t now)
{
	const address *a = &t->run->addrs[c->addr];
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_connect(t, c, now, PERFDB_HTTP_CERR_ERRNO, (unsigned long)errno);
		return;
	}
	c->gen++;
	t->stats[c->target].counts.connects++;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = (uint64_t)c->gen << 32 | (uint64_t)(c - t->conns);
	if (epoll_ctl(t->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		fail_connect(t, c, now, PERFDB_HTTP_CERR_ERRNO, (unsigned long)errno);
		return;
	}
	if (connect(c->fd, (const struct sockaddr *)&a->sa, a->len) == 0) {
		connected(t, c, now);
	} else if (errno == EINPROGRESS || errno == EINTR) {
		c->connecting = true;
	} else {
		fail_connect(t, c, now, PERFDB_HTTP_CERR_ERRNO, (unsigned long)errno);
	}
}

static void start_request(thread *t, conn *c, uint64_t slot, uint64_t intended, uint64_t now)
{
	run *r = t->run;
	const target *tg;

	c->target = (unsigned)(slot % r->ntargets);
	tg = &r->targets[c->target];
	c->intended = intended;
	c->start = now;
	c->deadline = now + r->timeout_ns;
	c->busy = true;
	c->woff = 0;
	t->inflight++;
	if (r->open && now - intended > r->late_ns)
		t->stats[c->target].late++;
	perfdb_http__parser_reset(&c->parser, tg->head);
	if (c->fd >= 0 && c->addr != tg->addr)
		conn_close(c);
	if (c->fd < 0) {
		c->addr = tg->addr;
		conn_open(t, c, now);
	} else {
		send_request(t, c, now);
	}
}

/* Edge triggered: reads until the socket is drained or a response is
 * complete (one read for a response that fits the buffer). A short read is
 * not enough to stop at: the server's FIN may already be queued behind the
 * bytes, and it brings no new edge. */
static void on_readable(thread *t, conn *c, uint64_t now, uint32_t events)
{
	for (;;) {
		size_t space = RBUF_CAP - c->rlen, used = 0;
		ssize_t n = conn_read(c, c->rbuf + c->rlen, space);
		int rc;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			n = 0; /* a reset is an end of the connection */
		}
		if (n == 0) {
			if (!c->busy)
				conn_close(c); /* an idle keep-alive closed by the server */
			else if (perfdb_http__parse_eof(&c->parser) == PERFDB_HTTP_DONE &&
				 c->parser.status)
				complete(t, c, perfdb_timer__monotonic_ns());
			else
				fail(t, c, now, PERFDB_LOADTEST_HTTP_ECLOSED);
			if (c->fd >= 0)
				conn_close(c);
			return;
		}
		if (!c->busy) {
			conn_close(c); /* bytes nobody asked for */
			return;
		}
		t->stats[c->target].counts.bytes_read += (uint64_t)n;
		c->rlen += (size_t)n;
		rc = perfdb_http__parse(&c->parser, c->rbuf, c->rlen, RBUF_CAP, &used);
		if (used) {
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
		}
		if (rc == PERFDB_HTTP_ERROR) {
			fail(t, c, now, PERFDB_LOADTEST_HTTP_EMALFORMED);
			return;
		}
		if (rc == PERFDB_HTTP_DONE) {
			/* Ends when the response is read and parsed, as wrk's does:
			 * the batch's clock read, before any of its reads, would
			 * shorten every response but the batch's first. */
			complete(t, c, perfdb_timer__monotonic_ns());
			/* The server also closed its side: the next request
			 * would meet a reset. */
			if ((events & EPOLLRDHUP) && c->fd >= 0)
				conn_close(c);
			return;
		}
	}
}

static void on_event(thread *t, const struct epoll_event *ev, uint64_t now)
{
	conn *c = &t->conns[(uint32_t)ev->data.u64];
	if (c->fd < 0 || c->gen != (uint32_t)(ev->data.u64 >> 32))
		return; /* closed earlier in this batch */
	if (c->connecting) {
		int err = 0;
		socklen_t len = sizeof(err);
		if (!(ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			fail_connect(t, c, now, PERFDB_HTTP_CERR_ERRNO,
				     (unsigned long)(err ? err : errno));
			return;
		}
		c->connecting = false;
		connected(t, c, now);
		if (c->fd < 0 || c->handshaking)
			return;
#ifdef PERFDB_HAVE_TLS
	} else if (c->handshaking) {
		handshake(t, c, now);
		if (c->fd < 0 || c->handshaking)
			return;
#endif
	} else if ((ev->events & EPOLLOUT) && c->busy &&
		   c->woff < t->run->targets[c->target].req_len) {
		send_request(t, c, now);
		if (c->fd < 0)
			return;
	}
	if (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		on_readable(t, c, now, ev->events);
}

/* ---- the loop ----------------------------------------------------------------------------- */

static uint64_t slot_time(const run *r, uint64_t k)
{
	return r->t0 + (uint64_t)((double)k * r->interval_ns);
}

static void scan_timeouts(thread *t, uint64_t now)
{
	unsigned i;
	for (i = 0; i < t->nconns; i++) {
		conn *c = &t->conns[i];
		if (c->busy && now >= c->deadline)
			fail(t, c, now, PERFDB_LOADTEST_HTTP_ETIMEOUT);
	}
}

/* Counts what is left when the run ends: requests in flight and, in the
 * open model, slots that were due and never sent. */
static void end_unfinished(thread *t)
{
	run *r = t->run;
	unsigned i;
	uint64_t k;
	for (i = 0; i < t->nconns; i++) {
		conn *c = &t->conns[i];
		if (c->busy) {
			t->stats[c->target].counts.unfinished++;
			conn_close(c);
			release(t, c);
		}
	}
	if (r->nslots != UINT64_MAX && t->next_slot < r->nslots) {
		/* Slot next + i * T goes to target (next + i * T) % M: periodic
		 * with period M / gcd(T, M), so a long unsent schedule (a high
		 * rate) is counted in at most M steps, not one per slot. */
		uint64_t m = r->ntargets, tt = r->nthreads, a = tt % m, b = m, period, n, j;
		while (a) {
			uint64_t x = b % a;
			b = a;
			a = x;
		}
		period = m / b;
		n = (r->nslots - t->next_slot + tt - 1) / tt;
		for (j = 0; j < period && j < n; j++) {
			k = t->next_slot + j * tt;
			t->stats[k % m].counts.unfinished += n / period + (j < n % period ? 1 : 0);
		}
	}
}

static void thread_loop(thread *t)
{
	run *r = t->run;
	struct epoll_event evs[MAX_EVENTS];
	uint64_t now = perfdb_timer__monotonic_ns();
	uint64_t next_scan = now + r->scan_ns, hard_end = r->hard_end;
	bool sending = true;

	for (;;) {
		uint64_t wake;
		struct timespec ts;
		int n, i;

		now = perfdb_timer__monotonic_ns();
		/* All sent: the requests in flight may take until their timeout
		 * (by count) or the end of the schedule's drain. */
		if (sending && t->next_slot >= r->nslots)
			sending = false;
		/* Stopped, or the duration is over: nothing more is sent and what
		 * is in flight gets the drain, even when all was sent already. */
		if (atomic_load_explicit(&r->stop, memory_order_relaxed) || now >= r->send_end) {
			sending = false;
			if (now + r->drain_ns < hard_end)
				hard_end = now + r->drain_ns;
		}
		if (now >= hard_end) {
			end_unfinished(t);
			return;
		}
		if (!sending && t->inflight == 0)
			return;
		if (now >= next_scan) {
			scan_timeouts(t, now);
			next_scan = now + r->scan_ns;
		}
		while (sending && t->nidle > 0 && t->next_slot < r->nslots) {
			uint64_t k = t->next_slot, intended = now;
			if (r->open) {
				intended = slot_time(r, k);
				if (intended > now)
					break;
			}
			t->next_slot += r->nthreads;
			start_request(t, &t->conns[t->idle[--t->nidle]], k, intended, now);
		}

		wake = now + POLL_NS;
		if (hard_end < wake)
			wake = hard_end;
		if (sending && r->send_end < wake)
			wake = r->send_end;
		if (t->inflight > 0 && next_scan < wake)
			wake = next_scan;
		if (sending && r->open && t->nidle > 0 && t->next_slot < r->nslots) {
			uint64_t due = slot_time(r, t->next_slot);
			if (due < wake)
				wake = due;
		}
		if (!sending && t->inflight == 0)
			continue;
		ts.tv_sec = 0;
		ts.tv_nsec = wake > now ? (long)(wake - now) : 0;
		n = epoll_pwait2(t->ep, evs, MAX_EVENTS, &ts, NULL);
		if (n < 0 && errno == ENOSYS) {
			/* Before Linux 5.11: millisecond timeouts, rounded up. */
			n = epoll_wait(t->ep, evs, MAX_EVENTS,
				       (int)((ts.tv_nsec + 999999) / 1000000));
		}
		if (n <= 0)
			continue;
		now = perfdb_timer__monotonic_ns();
		for (i = 0; i < n; i++)
			on_event(t, &evs[i], now);
	}
}

static void *thread_main(void *arg)
{
	thread *t = arg;
	run *r = t->run;
	int state;

	/* Wake-ups at the scheduled time, not 50 µs later (the default slack). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
#ifdef PERFDB_HAVE_TLS
	{
		/* OpenSSL writes with write(2), not send(MSG_NOSIGNAL): to a
		 * connection the server reset, that raises SIGPIPE, which would
		 * end the whole process. Blocked in this thread (SIGPIPE goes to
		 * the thread that wrote), it stays pending here, the write fails
		 * with EPIPE and the request as closed. */
		sigset_t pipe;
		sigemptyset(&pipe);
		sigaddset(&pipe, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	}
#endif
	pthread_mutex_lock(&r->mu);
	r->ready++;
	pthread_cond_broadcast(&r->cv);
	while (r->state == 0)
		pthread_cond_wait(&r->cv, &r->mu);
	state = r->state;
	pthread_mutex_unlock(&r->mu);
	if (state == 1) {
		t->next_slot = t->index;
		thread_loop(t);
	}
	pthread_mutex_lock(&r->mu);
	r->finished++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* ---- options ------------------------------------------------------------------------------- */

void perfdb_loadtest_http_options_init(perfdb_loadtest_http_options *opts)
{
	perfdb_loadtest_http_options d = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	*opts = d;
}

static bool bad_seconds(double s)
{
	return !(s >= 0.0) || !isfinite(s) || s > 1e6;
}

static int check_options(const perfdb_loadtest_http_options *o)
{
	size_t i;
	if (o->version != PERFDB_LOADTEST_HTTP_OPTIONS_VERSION)
		return perfdb_error__set(PERFDB_EINVAL, "http: unknown options version %u",
					 o->version);
	if (!o->targets || o->ntargets == 0)
		return perfdb_error__set(PERFDB_EINVAL, "http: no URL to load");
	for (i = 0; i < o->ntargets; i++)
		if (!o->targets[i].url)
			return perfdb_error__set(PERFDB_EINVAL, "http: target %zu has no URL",
						 i + 1);
	if (o->connections == 0 || o->connections > 1000000)
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: connections must be from 1 to 1000000");
	if (o->threads == 0 || o->threads > o->connections)
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: threads must be from 1 to the connections (%u)",
					 o->connections);
	if (bad_seconds(o->duration) || bad_seconds(o->late_threshold) ||
	    bad_seconds(o->progress_interval))
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: durations must be finite, 0 or more seconds");
	if (!(o->timeout > 0.0) || bad_seconds(o->timeout))
		return perfdb_error__set(PERFDB_EINVAL, "http: timeout must be > 0 seconds");
	if (o->rate != 0.0 && !(o->rate >= 1e-3 && o->rate <= 1e9))
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: rate must be from 0.001 to 1e9 requests/s");
	if ((o->requests == 0) == (o->duration <= 0.0))
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: set exactly one of requests and duration");
	if (o->rate > 0.0 && o->requests == 0 && llround(o->rate * o->duration) < 1)
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: rate * duration schedules no request");
	if (o->body_len && !o->body)
		return perfdb_error__set(PERFDB_EINVAL, "http: body_len without a body");
	if (o->nheaders && !o->headers)
		return perfdb_error__set(PERFDB_EINVAL, "http: nheaders without headers");
	for (i = 0; i < o->nexpect_status; i++)
		if (!o->expect_status || o->expect_status[i] < 100 || o->expect_status[i] > 599)
			return perfdb_error__set(PERFDB_EINVAL,
						 "http: expected statuses must be 100 to 599");
	return 0;
}

/* ---- setup --------------------------------------------------------------------------------- */

static int resolve(run *r, target *tg)
{
	struct addrinfo hints, *res = NULL;
	size_t i;
	int rc;

	for (i = 0; i < (size_t)(tg - r->targets); i++) {
		const perfdb_http_url *u = &r->targets[i].url;
		if (strcmp(u->host, tg->url.host) == 0 && strcmp(u->port, tg->url.port) == 0) {
			tg->addr = r->targets[i].addr;
			return 0;
		}
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(tg->url.host, tg->url.port, &hints, &res);
	if (rc != 0 || !res)
		return perfdb_error__set(PERFDB_ENOTFOUND, "cannot resolve '%s': %s", tg->url.host,
					 rc ? gai_strerror(rc) : "no address");
	if (res->ai_addrlen > sizeof(r->addrs[0].sa)) {
		freeaddrinfo(res);
		return perfdb_error__set(PERFDB_ERROR, "cannot use the address of '%s'",
					 tg->url.host);
	}
	memcpy(&r->addrs[r->naddrs].sa, res->ai_addr, res->ai_addrlen);
	r->addrs[r->naddrs].len = res->ai_addrlen;
	tg->addr = r->naddrs++;
	freeaddrinfo(res);
	return 0;
}

static int setup_targets(run *r, const perfdb_loadtest_http_options *o)
{
	const char *method = o->method ? o->method : "GET";
	size_t i;
	int err;

	r->targets = calloc(o->ntargets, sizeof(*r->targets));
	r->addrs = calloc(o->ntargets, sizeof(*r->addrs));
	if (!r->targets || !r->addrs)
		return perfdb_error__oom();
	r->ntargets = o->ntargets;
	for (i = 0; i < o->ntargets; i++) {
		target *tg = &r->targets[i];
		tg->name = o->targets[i].name && *o->targets[i].name ? o->targets[i].name
								     : o->targets[i].url;
		tg->head = strcasecmp(method, "HEAD") == 0;
		if ((err = perfdb_http__url_parse(&tg->url, o->targets[i].url)) != 0)
			return err;
		if (tg->url.tls) {
#ifdef PERFDB_HAVE_TLS
			if (!r->tls &&
			    (err = perfdb_http__tls_new(&r->tls, o->insecure, o->ca_file)) != 0)
				return err;
#else
			return perfdb_error__set(PERFDB_EINVAL,
						 "url '%s': https:// needs TLS, and this perfdb "
						 "was built without it (PERFDB_TLS, OpenSSL)",
						 o->targets[i].url);
#endif
		}
		if ((err = perfdb_http__request_build(&tg->req, &tg->req_len, method, &tg->url,
						      o->headers, o->nheaders, o->body,
						      o->body_len)) != 0 ||
		    (err = resolve(r, tg)) != 0)
			return err;
	}
	return 0;
}

static void free_run(run *r, thread *ts)
{
	size_t i;
	if (ts) {
		for (i = 0; i < r->nthreads; i++) {
			unsigned j;
			for (j = 0; ts[i].conns && j < ts[i].nconns; j++) {
				conn_end(&ts[i].conns[j], false);
#ifdef PERFDB_HAVE_TLS
				perfdb_http__tls_session_free(ts[i].conns[j].session);
#endif
			}
			if (ts[i].ep >= 0)
				close(ts[i].ep);
			free(ts[i].conns);
			free(ts[i].idle);
			free(ts[i].rbufs);
			free(ts[i].stats);
		}
		free(ts);
	}
	if (r->targets)
		for (i = 0; i < r->ntargets; i++) {
			perfdb_http__url_release(&r->targets[i].url);
			free(r->targets[i].req);
		}
	free(r->targets);
	free(r->addrs);
#ifdef PERFDB_HAVE_TLS
	perfdb_http__tls_free(r->tls);
#endif
}

static int setup_thread(run *r, thread *t, unsigned index)
{
	unsigned j;
	size_t k;

	t->run = r;
	t->index = index;
	t->nconns = r->nconns / r->nthreads + (index < r->nconns % r->nthreads ? 1 : 0);
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	if (t->ep < 0)
		return perfdb_error__set(PERFDB_ERROR, "http: epoll_create1: %s", strerror(errno));
	t->conns = calloc(t->nconns, sizeof(*t->conns));
	t->idle = calloc(t->nconns, sizeof(*t->idle));
	t->rbufs = malloc((size_t)t->nconns * RBUF_CAP);
	t->stats = aligned_alloc(64, (sizeof(tstats) * r->ntargets + 63) / 64 * 64);
	if (!t->conns || !t->idle || !t->rbufs || !t->stats)
		return perfdb_error__oom();
	for (j = 0; j < t->nconns; j++) {
		t->conns[j].fd = -1;
		t->conns[j].rbuf = t->rbufs + (size_t)j * RBUF_CAP;
		/* Popped from the end: connection 0 is used first. */
		t->idle[j] = t->nconns - 1 - j;
	}
	t->nidle = t->nconns;
	memset(t->stats, 0, sizeof(tstats) * r->ntargets);
	for (k = 0; k < r->ntargets; k++) {
		perfdb_histogram_init(&t->stats[k].latency);
		perfdb_histogram_init(&t->stats[k].service);
	}
	atomic_init(&t->done, 0);
	atomic_init(&t->failed, 0);
	return 0;
}

/* ---- results ------------------------------------------------------------------------------- */

void perfdb_loadtest_http_result_init(perfdb_loadtest_http_result *r)
{
	memset(r, 0, sizeof(*r));
}

void perfdb_loadtest_http_result_release(perfdb_loadtest_http_result *r)
{
	size_t i;
	if (!r)
		return;
	perfdb_loadtest_result_release(&r->total);
	free(r->connect_error);
	for (i = 0; i < r->nseries; i++) {
		free(r->series[i].name);
		free(r->series[i].url);
		free(r->series[i].connect_error);
		perfdb_loadtest_result_release(&r->series[i].result);
	}
	free(r->series);
	memset(r, 0, sizeof(*r));
}

static int cmp_error(const void *a, const void *b)
{
	const perfdb_loadtest_error *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return (x->code > y->code) - (x->code < y->code);
}

static void add_counts(perfdb_loadtest_http_counts *d, const perfdb_loadtest_http_counts *s)
{
	int i;
	for (i = 0; i < 6; i++)
		d->status[i] += s->status[i];
	d->connect_errors += s->connect_errors;
	d->timeouts += s->timeouts;
	d->closed += s->closed;
	d->malformed += s->malformed;
	d->unfinished += s->unfinished;
	d->bytes_read += s->bytes_read;
	d->connects += s->connects;
	d->tls_resumed += s->tls_resumed;
}

/* Merges target `only` (or every target when only == SIZE_MAX) of every
 * thread into out. */
/* The first connect error of target `only` (or of all), in words; NULL
 * when there was none. Errors: only out of memory (*oom set). */
static char *first_connect_error(const run *r, const thread *ts, size_t only, bool *oom)
{
	const tstats *first = NULL;
	size_t k, at = 0;
	unsigned i;
	char why[256], line[512], *d;

	for (i = 0; i < r->nthreads; i++)
		for (k = 0; k < r->ntargets; k++) {
			const tstats *s = &ts[i].stats[k];
			if ((only != SIZE_MAX && k != only) ||
			    s->cerr.kind == PERFDB_HTTP_CERR_NONE)
				continue;
			if (!first || s->cerr_ns < first->cerr_ns) {
				first = s;
				at = k;
			}
		}
	if (!first)
		return NULL;
	if (first->cerr.kind == PERFDB_HTTP_CERR_ERRNO)
		snprintf(why, sizeof(why), "cannot connect: %s", strerror((int)first->cerr.code));
	else
#ifdef PERFDB_HAVE_TLS
		perfdb_http__tls_error_text(why, sizeof(why), &first->cerr);
#else
		snprintf(why, sizeof(why), "cannot connect");
#endif
	snprintf(line, sizeof(line), "%s: %s", r->targets[at].url.hostport, why);
	d = strdup(line);
	*oom = d == NULL;
	return d;
}

static int merge(perfdb_loadtest_result *out, perfdb_loadtest_http_counts *counts, const run *r,
		 const thread *ts, size_t only, bool stopped)
{
	size_t ncodes = 0, cap = (size_t)r->nthreads * r->ntargets * MAX_CODES + 1, k;
	uint64_t end = r->t0;
	perfdb_loadtest_error *errs = calloc(cap, sizeof(*errs));
	unsigned i, j;

	out->latency_histogram = malloc(sizeof(perfdb_histogram));
	out->service_histogram = malloc(sizeof(perfdb_histogram));
	if (!errs || !out->latency_histogram || !out->service_histogram) {
		free(errs);
		return perfdb_error__oom();
	}
	perfdb_histogram_init(out->latency_histogram);
	perfdb_histogram_init(out->service_histogram);
	for (i = 0; i < r->nthreads; i++) {
		for (k = 0; k < r->ntargets; k++) {
			const tstats *s = &ts[i].stats[k];
			if (only != SIZE_MAX && k != only)
				continue;
			perfdb_histogram_merge(out->latency_histogram, &s->latency);
			perfdb_histogram_merge(out->service_histogram,
					       r->open ? &s->service : &s->latency);
			out->requests += s->requests;
			out->failures += s->failures;
			out->late_starts += s->late;
			out->other_errors += s->other_errors;
			add_counts(counts, &s->counts);
			if (s->end_ns > end)
				end = s->end_ns;
			for (j = 0; j < s->ncodes; j++) {
				size_t e;
				for (e = 0; e < ncodes; e++)
					if (errs[e].code == s->codes[j])
						break;
				if (e == ncodes) {
					errs[ncodes].code = s->codes[j];
					errs[ncodes++].count = 0;
				}
				errs[e].count += s->code_count[j];
			}
		}
	}
	qsort(errs, ncodes, sizeof(*errs), cmp_error);
	if (ncodes == 0) {
		free(errs);
		errs = NULL;
	}
	out->errors = errs;
	out->nerrors = ncodes;
	out->model = r->open ? PERFDB_LOADTEST_OPEN : PERFDB_LOADTEST_CLOSED;
	out->users = r->nconns;
	out->workers = r->nthreads;
	out->stopped = stopped;
	out->successes = out->requests - out->failures;
	out->success_rate = out->requests ? (double)out->successes / (double)out->requests : 0.0;
	out->duration = (double)(end - r->t0) / NS_PER_S;
	out->throughput = out->duration > 0.0 ? (double)out->requests / out->duration : 0.0;
	if (r->open)
		out->target_rate =
		    NS_PER_S / r->interval_ns / (only == SIZE_MAX ? 1.0 : (double)r->ntargets);
	perfdb_loadtest_latency_from_histogram(&out->latency, out->latency_histogram);
	perfdb_loadtest_latency_from_histogram(&out->service, out->service_histogram);
	return 0;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int collect(perfdb_loadtest_http_result *out, const run *r, const thread *ts,
		   const perfdb_loadtest_http_options *o, bool stopped)
{
	size_t k;
	bool oom = false;
	int err;
	out->series = calloc(r->ntargets, sizeof(*out->series));
	if (!out->series)
		return perfdb_error__oom();
	out->nseries = r->ntargets;
	for (k = 0; k < r->ntargets; k++) {
		perfdb_loadtest_http_series *s = &out->series[k];
		s->name = dup_str(r->targets[k].name);
		s->url = dup_str(o->targets[k].url);
		if (!s->name || !s->url)
			return perfdb_error__oom();
		if ((err = merge(&s->result, &s->counts, r, ts, k, stopped)) != 0)
			return err;
		s->connect_error = first_connect_error(r, ts, k, &oom);
		if (oom)
			return perfdb_error__oom();
	}
	out->connect_error = first_connect_error(r, ts, SIZE_MAX, &oom);
	if (oom)
		return perfdb_error__oom();
	return merge(&out->total, &out->counts, r, ts, SIZE_MAX, stopped);
}

/* ---- running ------------------------------------------------------------------------------- */

static uint64_t seconds_ns(double s)
{
	return (uint64_t)llround(s * NS_PER_S);
}

static void supervise(run *r, thread *ts, const perfdb_loadtest_http_options *o)
{
	uint64_t interval = seconds_ns(o->progress_interval > 0.0 ? o->progress_interval : 0.25);
	uint64_t prev_t = r->t0, prev_done = 0, next = r->t0 + interval;

	pthread_mutex_lock(&r->mu);
	while (r->finished < r->nthreads) {
		struct timespec tsp;
		perfdb_loadtest_progress p;
		uint64_t t, done = 0, failed = 0;
		unsigned i;
		if (!o->progress) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		tsp.tv_sec = (time_t)(next / 1000000000u);
		tsp.tv_nsec = (long)(next % 1000000000u);
		if (pthread_cond_timedwait(&r->cv, &r->mu, &tsp) != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&r->mu);
		for (i = 0; i < r->nthreads; i++) {
			done += atomic_load_explicit(&ts[i].done, memory_order_relaxed);
			failed += atomic_load_explicit(&ts[i].failed, memory_order_relaxed);
		}
		t = perfdb_timer__monotonic_ns();
		p.elapsed = (double)(t - r->t0) / NS_PER_S;
		p.requests = done;
		p.failures = failed;
		p.current_rate =
		    t > prev_t ? (double)(done - prev_done) * NS_PER_S / (double)(t - prev_t) : 0.0;
		p.users = r->nconns;
		p.step = 0;
		if (o->progress(o->progress_arg, &p) != 0)
			atomic_store(&r->stop, 1);
		prev_t = t;
		prev_done = done;
		next = t + interval;
		pthread_mutex_lock(&r->mu);
	}
	pthread_mutex_unlock(&r->mu);
}

int perfdb_loadtest_http_run(perfdb_loadtest_http_result *out,
			     const perfdb_loadtest_http_options *opts)
{
	perfdb_loadtest_http_options d = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	perfdb_loadtest_http_options v1 = PERFDB_LOADTEST_HTTP_OPTIONS_INIT;
	run r;
	thread *ts = NULL;
	pthread_condattr_t ca;
	unsigned i, created = 0;
	size_t k;
	int err;

	if (!out)
		return perfdb_error__set(PERFDB_EINVAL, "http: out is required");
	perfdb_loadtest_http_result_init(out);
	if (!opts)
		opts = &d;
	if (opts->version == 1) {
		/* A caller built before insecure and ca_file: its struct ends
		 * before them, so they keep their defaults. */
		memcpy(&v1, opts, offsetof(perfdb_loadtest_http_options, insecure));
		v1.version = PERFDB_LOADTEST_HTTP_OPTIONS_VERSION;
		opts = &v1;
	}
	if ((err = check_options(opts)) != 0)
		return err;

	memset(&r, 0, sizeof(r));
	r.nthreads = opts->threads;
	r.nconns = opts->connections;
	r.open = opts->rate > 0.0;
	r.timeout_ns = seconds_ns(opts->timeout);
	r.late_ns = seconds_ns(opts->late_threshold);
	r.drain_ns = r.timeout_ns < 1000000000u ? r.timeout_ns : 1000000000u;
	/* Timeouts are looked for 4 times per timeout, at most every 10 ms. */
	r.scan_ns = r.timeout_ns / 4 < 10000000u ? r.timeout_ns / 4 : 10000000u;
	if (r.scan_ns < 100000u)
		r.scan_ns = 100000u;
	atomic_init(&r.stop, 0);
	if (opts->nexpect_status == 0) {
		for (k = 200; k < 400; k++)
			r.expect[k] = true;
	} else {
		for (k = 0; k < opts->nexpect_status; k++)
			r.expect[opts->expect_status[k]] = true;
	}
	if (r.open) {
		r.interval_ns = NS_PER_S / opts->rate;
		r.nslots = opts->requests ? opts->requests
					  : (uint64_t)llround(opts->rate * opts->duration);
	} else {
		r.nslots = opts->requests ? opts->requests : UINT64_MAX;
	}

	if ((err = setup_targets(&r, opts)) != 0)
		goto done;
	ts = aligned_alloc(64, (sizeof(thread) * r.nthreads + 63) / 64 * 64);
	if (!ts) {
		err = perfdb_error__oom();
		goto done;
	}
	memset(ts, 0, sizeof(thread) * r.nthreads);
	for (i = 0; i < r.nthreads; i++)
		ts[i].ep = -1;
	for (i = 0; i < r.nthreads; i++)
		if ((err = setup_thread(&r, &ts[i], i)) != 0)
			goto done;

	pthread_mutex_init(&r.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.cv, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < r.nthreads; i++) {
		int rc = pthread_create(&ts[i].th, NULL, thread_main, &ts[i]);
		if (rc != 0) {
			err = perfdb_error__set(PERFDB_ERROR, "http: cannot create thread %u: %s",
						i + 1, strerror(rc));
			break;
		}
		created++;
	}
	pthread_mutex_lock(&r.mu);
	while (err == 0 && r.ready < created)
		pthread_cond_wait(&r.cv, &r.mu);
	r.state = err ? 2 : 1;
	if (err == 0) {
		r.t0 = perfdb_timer__monotonic_ns();
		r.send_end =
		    r.nslots == UINT64_MAX ? r.t0 + seconds_ns(opts->duration) : UINT64_MAX;
		if (r.open)
			r.hard_end = slot_time(&r, r.nslots) + r.drain_ns;
		else if (r.nslots == UINT64_MAX)
			r.hard_end = r.send_end + r.drain_ns;
		else
			r.hard_end = UINT64_MAX;
	}
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	if (err == 0)
		supervise(&r, ts, opts);
	for (i = 0; i < created; i++)
		pthread_join(ts[i].th, NULL);
	pthread_cond_destroy(&r.cv);
	pthread_mutex_destroy(&r.mu);
	if (err == 0)
		err = collect(out, &r, ts, opts, atomic_load(&r.stop) != 0);
done:
	free_run(&r, ts);
	if (err)
		perfdb_loadtest_http_result_release(out);
	return err;
}

/* ---- export --------------------------------------------------------------------------------- */

static int add_count(perfdb_resultset *rs, const char *bench, const char *metric, uint64_t v)
{
	perfdb_result res;
	perfdb_result_init(&res);
	res.benchmark = bench;
	res.metric = metric;
	res.unit = "";
	res.direction = PERFDB_LOWER_IS_BETTER;
	res.value = (double)v;
	return perfdb_resultset_add(rs, &res);
}

int perfdb_loadtest_http_export(perfdb_resultset *rs, const perfdb_loadtest_http_result *r,
				const char *prefix)
{
	size_t i;
	int err;

	if (!rs || !r || (prefix && !*prefix))
		return perfdb_error__set(PERFDB_EINVAL,
					 "http: export needs a resultset, a result and a "
					 "non-empty prefix (or none)");
	for (i = 0; i < r->nseries; i++) {
		const perfdb_loadtest_http_series *s = &r->series[i];
		char bench[1024];
		int n;
		if (!prefix)
			n = snprintf(bench, sizeof(bench), "%s", s->name);
		else if (r->nseries == 1)
			n = snprintf(bench, sizeof(bench), "%s", prefix);
		else
			n = snprintf(bench, sizeof(bench), "%s/%s", prefix, s->name);
		if (n < 0 || (size_t)n >= sizeof(bench))
			return perfdb_error__set(PERFDB_EINVAL, "http: series name too long");
		if ((err = perfdb_loadtest_result_export(rs, &s->result, bench)) != 0 ||
		    (err = add_count(rs, bench, "timeouts", s->counts.timeouts)) != 0 ||
		    (err = add_count(rs, bench, "connect_errors", s->counts.connect_errors)) != 0 ||
		    (err = add_count(rs, bench, "unfinished", s->counts.unfinished)) != 0)
			return err;
	}
	return 0;
}
