/*
 * httpd_test - a small HTTP/1.1 server on 127.0.0.1 for perfdb load's
 * tests and benchmark: a thread per connection, keep-alive, and paths that
 * misbehave on purpose.
 *
 *   httpd_test --port-file F [--log F] [--stall-after S --stall-for S]
 *              [--lifetime S]
 *
 * Listens on an ephemeral port and writes it to the port file (renamed into
 * place, so a reader never sees half of it). Exits after --lifetime seconds
 * (default 120) whatever happens: a test that forgets it leaves nothing.
 * --log appends one line per request: "METHOD TARGET body=N x-test=VALUE".
 * --stall-after/--stall-for: the responses due in [first request + A,
 * first request + A + F) wait until the end of that window (a server that
 * stops answering for F seconds).
 *
 * Paths: /ok (200 "ok"), /status/NNN (that status, empty body), /chunked
 * (200, chunked, "hello world" in 3 chunks with an extension and a trailer),
 * /close (200 and Connection: close), /eof (200, body delimited by the
 * close), /echo (200, the request body back), /silent (never answers),
 * /partial (headers and half the body, then silence), /malformed (a bad
 * status line), /garbage (not HTTP), /huge-header (a 20 KB header),
 * /bad-length (Content-Length: abc); anything else is 404.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int log_fd = -1;
static double stall_after = -1, stall_for = 0;
static double first_request = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_str(int fd, const char *s)
{
	return write_all(fd, s, strlen(s));
}

/* Waits out the stall window when a response falls in it. */
static void maybe_stall(void)
{
	double t = now_s(), start;
	pthread_mutex_lock(&mu);
	if (first_request < 0)
		first_request = t;
	start = first_request + stall_after;
	pthread_mutex_unlock(&mu);
	if (stall_after >= 0 && t >= start && t < start + stall_for) {
		double left = start + stall_for - t;
		struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

/* The value of header `name` in the block [h, h+n), copied into out. */
static void header_value(const char *h, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	const char *p = h;
	out[0] = '\0';
	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e;
			while (*v == ' ')
				v++;
			e = strpbrk(v, "\r\n");
			if (!e)
				e = v + strlen(v);
			snprintf(out, cap, "%.*s", (int)(e - v), v);
			return;
		}
	}
}

/* Answers one request; returns 0 to keep the connection, -1 to close it. */
static int respond(int fd, const char *method, const char *target, const char *body, size_t blen)
{
	char buf[512];
	if (strcmp(target, "/ok") == 0)
		return write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	if (strncmp(target, "/status/", 8) == 0) {
		int st = (int)strtol(target + 8, NULL, 10);
		snprintf(buf, sizeof(buf), "HTTP/1.1 %03d Status\r\n%s\r\n", st,
			 st == 204 || st == 304 ? "" : "Content-Length: 0\r\n");
		return write_str(fd, buf);
	}
	if (strcmp(target, "/chunked") == 0)
		return write_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: "
				     "1\r\n\r\n");
	if (strcmp(target, "/close") == 0) {
		write_str(fd,
			  "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye");
		return -1;
	}
	if (strcmp(target, "/eof") == 0) {
		write_str(fd, "HTTP/1.1 200 OK\r\n\r\nuntil the end");
		return -1;
	}
	if (strcmp(target, "/echo") == 0) {
		snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", blen);
		if (write_str(fd, buf) != 0)
			return -1;
		return write_all(fd, body, blen);
	}
	if (strcmp(target, "/silent") == 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			; /* until the client gives up */
		return -1;
	}
	if (strcmp(target, "/partial") == 0) {
		write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		return -1;
	}
	if (strcmp(target, "/malformed") == 0)
		return write_str(fd, "HTTP/1.1 2x0 Bad\r\nContent-Length: 0\r\n\r\n");
	if (strcmp(target, "/garbage") == 0)
		return write_str(fd, "hello, this is not HTTP\r\n\r\n");
	if (strcmp(target, "/bad-length") == 0)
		return write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n");
	if (strcmp(target, "/huge-header") == 0) {
		static char big[20000];
		memset(big, 'a', sizeof(big));
		if (write_str(fd, "HTTP/1.1 200 OK\r\nX-Big: ") != 0 ||
		    write_all(fd, big, sizeof(big)) != 0)
			return -1;
		return write_str(fd, "\r\nContent-Length: 0\r\n\r\n");
	}
	(void)method;
	return write_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	static __thread char buf[65536];
	size_t len = 0;

	for (;;) {
		char *end, method[32], target[1024], cl[32], xt[256], line[1400];
		size_t hlen, blen;
		ssize_t n;
		buf[len] = '\0';
		while (!(end = strstr(buf, "\r\n\r\n"))) {
			if (len >= sizeof(buf) - 1)
				goto out;
			n = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				goto out;
			len += (size_t)n;
			buf[len] = '\0';
		}
		hlen = (size_t)(end - buf) + 4;
		if (sscanf(buf, "%31s %1023s", method, target) != 2)
			goto out;
		header_value(buf, "content-length", cl, sizeof(cl));
		header_value(buf, "x-test", xt, sizeof(xt));
		blen = cl[0] ? (size_t)strtoul(cl, NULL, 10) : 0;
		if (blen > sizeof(buf) - 1 - hlen)
			goto out;
		while (len < hlen + blen) {
			n = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				goto out;
			len += (size_t)n;
		}
		if (log_fd >= 0) {
			int m = snprintf(line, sizeof(line), "%s %s body=%zu x-test=%s\n", method,
					 target, blen, xt);
			if (m > 0 &&
			    write(log_fd, line,
				  (size_t)m < sizeof(line) ? (size_t)m : sizeof(line) - 1) < 0)
				goto out;
		}
		maybe_stall();
		if (respond(fd, method, target, buf + hlen, blen) != 0)
			goto out;
		memmove(buf, buf + hlen + blen, len - hlen - blen);
		len -= hlen + blen;
	}
out:
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	double lifetime = 120;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int ls, one = 1, i;
	FILE *f;
	char tmp[4096];

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[i + 1];
		else if (strcmp(argv[i], "--log") == 0)
			log_fd = open(argv[i + 1], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		else if (strcmp(argv[i], "--stall-after") == 0)
			stall_after = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--stall-for") == 0)
			stall_for = strtod(argv[i + 1], NULL);
		else if (strcmp(argv[i], "--lifetime") == 0)
			lifetime = strtod(argv[i + 1], NULL);
		else
			break;
	}
	if (i != argc || !port_file) {
		fprintf(stderr, "usage: httpd_test --port-file F [--log F] [--stall-after S "
				"--stall-for S] [--lifetime S]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)(lifetime + 0.999));
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(ls, 1024) != 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) != 0) {
		perror("httpd_test: listen");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(sa.sin_port)) < 0 || fclose(f) != 0 ||
	    rename(tmp, port_file) != 0) {
		perror("httpd_test: port file");
		return 1;
	}
	for (;;) {
		pthread_t th;
		pthread_attr_t at;
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE)
				continue;
			perror("httpd_test: accept");
			return 1;
		}
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&at, 256 * 1024);
		if (pthread_create(&th, &at, serve, (void *)(intptr_t)c) != 0)
			close(c);
		pthread_attr_destroy(&at);
	}
}
