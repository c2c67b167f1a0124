// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libmicrohttpd wrapper for the exporter (see httpd.h): one event loop
 * (epoll) that accepts connections itself, checks what libmicrohttpd 0.9.75
 * (Debian 12) mishandles before handing the connection over, enforces the
 * per-connection deadlines and limits, and runs libmicrohttpd in external
 * epoll mode on the same thread.
 *
 * The plain-HTTP pre-check (first request of a connection, read with
 * MSG_PEEK, so libmicrohttpd later reads the same bytes):
 *  - a malformed or conflicting Content-Length / Transfer-Encoding: 400
 *    (libmicrohttpd 0.9.75 answers those with its status line and headers
 *    twice: parse_connection_headers() queues the error and the state
 *    machine then builds the header again);
 *  - more request-line arguments and header lines than the connection's
 *    memory pool holds: 431 (libmicrohttpd closed without an answer:
 *    "Not enough memory in pool to allocate header record");
 *  - more than max_request_bytes without the end of the headers: 431.
 */
#define _GNU_SOURCE	/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "httplib.h"
#include "httpd.h"
#include "webauth.h"
#include "webcfg.h"
#include "webtls.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/*
 * What one request-line argument or header line costs in libmicrohttpd's
 * per-connection pool, with a margin (0.9.75, measured: a 128 KiB pool took
 * 1980 arguments, about 33 bytes each, in the half of the pool the read
 * buffer leaves), and what an answer's header needs. The pre-check answers
 * 431 to a request whose records would not fit, instead of the connection
 * closing without an answer ("Not enough memory in pool to allocate header
 * record").
 */
#ifndef MHD_RECORD_COST
#define MHD_RECORD_COST		48
#endif
#define MHD_REPLY_RESERVE	4096
/*
 * The pool: half of it is the read buffer (daemon->pool_size / 2 in 0.9.75),
 * and libmicrohttpd clears all of it between requests, so an idle keep-alive
 * connection costs the whole pool in RSS: 64 KiB for 16 KiB requests.
 */
#define POOL_FACTOR		4

/* epoll tags that are not connections */
#define TAG_LISTEN	1
#define TAG_MHD		2
#define TAG_WAKE	3	/* stop, or a connection resumed */

enum { LIST_NONE, LIST_REQUEST, LIST_KEEPALIVE, LIST_LINGER, NLISTS };

/* an answered pre-check connection reads (and drops) what the client still sends */
#define LINGER_MS	2000
#define LINGER_BYTES	(256 * 1024)

struct httpd;

struct conn {
	struct httpd *h;
	struct conn *prev, *next;	/* in the deadline list */
	int list;
	uint64_t deadline_ms;
	int fd;
	bool in_mhd;			/* handed to libmicrohttpd */
	bool lingering;			/* answered by the pre-check, closing */
	bool dead;			/* closed, freed at the end of the round */
	bool requested;			/* libmicrohttpd has a request head from it */
	uint64_t round;			/* the httpd_run() round that accepted it */
	size_t drained;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned int ip;		/* slot in h->ips */
};

struct conn_list {
	struct conn *head, *tail;
};

struct ip_slot {
	unsigned char key[16];		/* IPv4 mapped into IPv6 */
	unsigned int n;
};

/* per request (libmicrohttpd's con_cls) */
struct req {
	struct httpd *h;
	size_t body;
	volatile int auth;		/* enum webauth_result, -1 not checked */
	struct MHD_Connection *conn;
};

struct httpd {
	struct httpd_opts o;
	struct httpd_limits lim;
	size_t pool;
	struct MHD_Daemon *d;
	int epfd, mhd_epfd, listen_fd, wake_fd;
	bool listening;
	pthread_t thread;
	bool threaded;
	atomic_bool stopping;
	struct conn_list lists[NLISTS];
	unsigned int nconns;
	struct ip_slot *ips;		/* max_conns slots */
	struct conn *adding;		/* being handed to libmicrohttpd */
	struct conn *dead;		/* closed this round (conn_free) */
	char *peek;			/* max_request_bytes + 1 */
	struct prom_buf buf;		/* reused by every scrape (one loop thread) */
	char landing[1024];
	struct webauth *auth;
	double tokens;			/* rate_limit bucket */
	uint64_t tokens_ms;
	uint64_t round;			/* httpd_run() calls (evict_one) */
	bool relisten;			/* evict_one passed over this round's */
};

static const char not_found[] = "404 page not found\n";
static const char not_allowed[] = "405 method not allowed (GET, HEAD)\n";
static const char unavailable[] = "503 out of memory rendering metrics\n";
static const char unauthorized[] = "401 Unauthorized\n";
static const char too_many[] = "429 Too Many Requests\n";
static const char too_large_hdr[] = "431 Request Header Fields Too Large\n";
static const char too_large_body[] = "413 Content Too Large\n";

/* ---- listening socket ------------------------------------------------------ */

int httpd_path_ok(const char *path)
{
	const char *p;

	if (!path || path[0] != '/' || !path[1] || strlen(path) > 200)
		return 0;
	for (p = path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~-", *p))
			continue;
		return 0;
	}
	return 1;
}

static void addr_str(const struct sockaddr *sa, char *out, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		port = ntohs(s4->sin_port);
		snprintf(out, len, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		port = ntohs(s6->sin6_port);
		snprintf(out, len, "[%s]:%u", host, port);
	} else {
		snprintf(out, len, "?");
	}
}

/* a backlog that holds a burst of scrapers while every slot is taken */
#define LISTEN_BACKLOG 1024

static int listen_on(const struct sockaddr *sa, socklen_t salen, bool dual)
{
	int fd, one = 1, zero = 0, ret;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one,
			   sizeof(int));
	if (bind(fd, sa, salen) || listen(fd, LISTEN_BACKLOG)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int httpd_listen(const char *addr, char *bound, size_t boundlen, char *err,
		 size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], *end;
	const char *colon;
	unsigned long pn;
	int fd = -EINVAL, gai;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - addr - 1) >= sizeof(host))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(rb - addr - 1), addr + 1);
		colon = rb + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= sizeof(host) ||
		    memchr(addr, ':', colon - addr))
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	}
	errno = 0;
	pn = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || pn > 65535)
		goto bad;
	snprintf(port, sizeof(port), "%lu", pn);

	if (!host[0]) {
		/* all interfaces: IPv6 any, dual-stack; IPv4 any without IPv6 */
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
					   .sin6_addr = IN6ADDR_ANY_INIT,
					   .sin6_port = htons(pn) };
		struct sockaddr_in s4 = { .sin_family = AF_INET,
					  .sin_addr.s_addr = htonl(INADDR_ANY),
					  .sin_port = htons(pn) };

		fd = listen_on((struct sockaddr *)&s6, sizeof(s6), true);
		if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)
			fd = listen_on((struct sockaddr *)&s4, sizeof(s4), false);
	} else {
		gai = getaddrinfo(host, port, &hints, &res);
		if (gai) {
			snprintf(err, errlen, "cannot resolve '%s': %s", host,
				 gai_strerror(gai));
			return -EINVAL;
		}
		for (ai = res; ai; ai = ai->ai_next) {
			fd = listen_on(ai->ai_addr, ai->ai_addrlen, false);
			if (fd >= 0)
				break;
		}
		freeaddrinfo(res);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(-fd));
		return fd;
	}
	if (bound) {
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			addr_str((struct sockaddr *)&ss, bound, boundlen);
		else
			snprintf(bound, boundlen, "%s", addr);
	}
	return fd;
bad:
	snprintf(err, errlen, "invalid listen address '%s' (want HOST:PORT, "
		 "[IPV6]:PORT or :PORT)", addr);
	return -EINVAL;
}

void httpd_limits_default(struct httpd_limits *l)
{
	if (!l->max_request_bytes)
		l->max_request_bytes = HTTPD_MAX_REQUEST_BYTES;
	if (!l->max_conns)
		l->max_conns = HTTPD_MAX_CONNS;
	if (!l->max_conns_per_ip)
		l->max_conns_per_ip = HTTPD_MAX_CONNS_PER_IP;
	if (!l->request_timeout_ms)
		l->request_timeout_ms = HTTPD_REQUEST_TIMEOUT_MS;
}

/* ---- connections: deadlines, per-address counts ------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void list_del(struct httpd *h, struct conn *c)
{
	struct conn_list *l = &h->lists[c->list];

	if (c->list == LIST_NONE)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = LIST_NONE;
}

/* every list holds one timeout, so appending keeps it in deadline order */
static void list_add(struct httpd *h, struct conn *c, int which, unsigned int timeout_ms)
{
	struct conn_list *l = &h->lists[which];

	list_del(h, c);
	c->deadline_ms = now_ms() + timeout_ms;
	c->list = which;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
}

static void ip_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	}
}

/* the address's slot, taken or new; UINT_MAX if over its share */
static unsigned int ip_take(struct httpd *h, const struct sockaddr *sa)
{
	unsigned char key[16];
	unsigned int i, free_slot = UINT_MAX;

	ip_key(sa, key);
	for (i = 0; i < h->lim.max_conns; i++) {
		if (h->ips[i].n && !memcmp(h->ips[i].key, key, 16)) {
			if (h->ips[i].n >= h->lim.max_conns_per_ip)
				return UINT_MAX;
			h->ips[i].n++;
			return i;
		}
		if (!h->ips[i].n && free_slot == UINT_MAX)
			free_slot = i;
	}
	if (free_slot == UINT_MAX)
		return UINT_MAX;
	memcpy(h->ips[free_slot].key, key, 16);
	h->ips[free_slot].n = 1;
	return free_slot;
}

static void set_listening(struct httpd *h, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_LISTEN };

	if (h->listen_fd < 0 || h->listening == on)
		return;
	epoll_ctl(h->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, h->listen_fd, &ev);
	h->listening = on;
}

/*
 * The connection is gone: its slot and address share are free now, its
 * memory at the end of the round (httpd_run), since an event for it may
 * still wait in the batch being handled (an eviction while accepting).
 */
static void conn_free(struct httpd *h, struct conn *c)
{
	list_del(h, c);
	if (h->ips[c->ip].n)
		h->ips[c->ip].n--;
	h->nconns--;
	c->dead = true;
	c->next = h->dead;
	h->dead = c;
	/* a slot is free again: accept what waits in the backlog */
	if (!atomic_load(&h->stopping))
		set_listening(h, true);
}

/* a connection not (yet) libmicrohttpd's */
static void pre_close(struct httpd *h, struct conn *c)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conn_free(h, c);
}

/* ---- answers ---------------------------------------------------------------- */

static void add_config_headers(struct httpd *h, struct MHD_Response *r)
{
	unsigned int i;

	for (i = 0; h->o.web && i < h->o.web->nheaders; i++)
		MHD_add_response_header(r, h->o.web->headers[i].name,
					h->o.web->headers[i].value);
}

static MHD_RESULT reply(struct httpd *h, struct MHD_Connection *conn,
			unsigned int code, const char *ctype, const char *body,
			size_t len, bool copy)
{
	struct MHD_Response *r;
	MHD_RESULT ret;

	r = MHD_create_response_from_buffer(len, (void *)body,
					    copy ? MHD_RESPMEM_MUST_COPY :
						   MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Basic realm=\"tphtrace\"");
	if (code == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (!h->lim.keepalive_timeout_ms || atomic_load(&h->stopping))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	add_config_headers(h, r);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	if (h->o.count)
		h->o.count(h->o.ctx, code);
	return ret;
}

static const char *reason_of(unsigned int code)
{
	switch (code) {
	case 400: return "Bad Request";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	default: return "Error";
	}
}

/*
 * Answer a connection that never reaches libmicrohttpd and close it. The
 * request head was only peeked: read it first, so that closing with nothing
 * unread sends a FIN, not a reset that could eat the answer.
 */
static void pre_answer(struct httpd *h, struct conn *c, unsigned int code, size_t head)
{
	char msg[2048], body[96];
	size_t off, i;
	ssize_t n;
	int len;

	while (head) {
		n = recv(c->fd, h->peek, head, MSG_DONTWAIT);
		if (n <= 0)
			break;
		head -= (size_t)n;
	}
	len = snprintf(body, sizeof(body), "%u %s\n", code, reason_of(code));
	off = (size_t)snprintf(msg, sizeof(msg), "HTTP/1.1 %u %s\r\nContent-Type: text/plain\r\n"
			       "Content-Length: %d\r\nConnection: close\r\n", code,
			       reason_of(code), len);
	for (i = 0; h->o.web && i < h->o.web->nheaders && off < sizeof(msg); i++)
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s: %s\r\n",
					h->o.web->headers[i].name, h->o.web->headers[i].value);
	if (off < sizeof(msg))
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "\r\n%s", body);
	if (off > sizeof(msg) - 1)
		off = sizeof(msg) - 1;
	if (send(c->fd, msg, off, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && h->o.verbose)
		fprintf(stderr, "tphtrace exporter: http: answer %u: %s\n", code, strerror(errno));
	shutdown(c->fd, SHUT_WR);
	if (h->o.count)
		h->o.count(h->o.ctx, code);
	/*
	 * What the client is still sending (the rest of a 64 KiB header) must
	 * be read before closing, else the close resets the connection and the
	 * answer may be lost: linger a little, bounded in time and bytes.
	 */
	c->lingering = true;
	list_add(h, c, LIST_LINGER, LINGER_MS);
}

static void linger_read(struct httpd *h, struct conn *c)
{
	ssize_t n;

	while ((n = recv(c->fd, h->peek, h->lim.max_request_bytes + 1, MSG_DONTWAIT)) > 0) {
		c->drained += (size_t)n;
		if (c->drained > LINGER_BYTES)
			break;
	}
	if (n == 0 || c->drained > LINGER_BYTES || (n < 0 && errno != EAGAIN && errno != EINTR))
		pre_close(h, c);
}

/* ---- the plain-HTTP pre-check (see the top of this file) ---------------------- */

/* end of the request head ("\r\n\r\n" or "\n\n"), 0 if not there yet */
static size_t head_end(const char *b, size_t n)
{
	size_t i = 0;

	/* empty lines before the request line are not its end (RFC 9112 2.2) */
	while (i < n && (b[i] == '\r' || b[i] == '\n'))
		i++;
	for (; i + 1 < n; i++) {
		if (b[i] != '\n')
			continue;
		if (b[i + 1] == '\n')
			return i + 2;
		if (b[i + 1] == '\r' && i + 2 < n && b[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool name_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && line[n] == ':' && !strncasecmp(line, name, n);
}

/* the value of a "Name: value" line without surrounding blanks */
static void value_of(const char *line, size_t len, size_t name_len, const char **v,
		     size_t *vlen)
{
	const char *p = line + name_len + 1, *e = line + len;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*v = p;
	*vlen = (size_t)(e - p);
}

/* 0 to hand the request to libmicrohttpd, else the status to answer with */
static unsigned int pre_check(struct httpd *h, const char *b, size_t end)
{
	const char *line = b, *next, *v;
	size_t len, vlen, i, records = 0;
	unsigned long long cl = 0, val;
	bool have_cl = false, have_te = false, first = true;

	while (line < b + end) {
		next = memchr(line, '\n', (size_t)(b + end - line));
		if (!next)
			break;
		len = (size_t)(next - line);
		if (first && len <= 1) {	/* empty lines before the request line */
			line = next + 1;
			continue;
		}
		if (first) {
			const char *q = memchr(line, '?', len);

			first = false;
			/* arguments: one pool record each (MHD splits on '&') */
			for (records = 0; q && q < line + len; q++)
				records += *q == '&' || *q == '?';
		} else if (len > 1) {
			records++;
			if (name_is(line, len, "content-length")) {
				value_of(line, len, 14, &v, &vlen);
				if (!vlen || vlen > 19)
					return 400;
				for (i = 0, val = 0; i < vlen; i++) {
					if (v[i] < '0' || v[i] > '9')
						return 400;
					val = val * 10 + (unsigned long long)(v[i] - '0');
				}
				if (have_cl && val != cl)
					return 400;	/* two different lengths */
				have_cl = true;
				cl = val;
			} else if (name_is(line, len, "transfer-encoding")) {
				value_of(line, len, 17, &v, &vlen);
				/* RFC 9112 6.1: only chunked is understood here */
				if (vlen != 7 || strncasecmp(v, "chunked", 7))
					return 501;
				have_te = true;
			}
		}
		line = next + 1;
	}
	if (have_te && have_cl)
		return 400;	/* RFC 9112 6.3: a request smuggling pattern */
	if (have_cl && cl > h->lim.max_request_bytes)
		return 413;
	if (records * MHD_RECORD_COST + MHD_REPLY_RESERVE > h->pool / 2)
		return 431;
	return 0;
}

static void handover(struct httpd *h, struct conn *c)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->in_mhd = true;
	h->adding = c;
	if (MHD_add_connection(h->d, c->fd, (struct sockaddr *)&c->addr, c->addrlen) != MHD_YES) {
		/* libmicrohttpd closed the socket */
		h->adding = NULL;
		conn_free(h, c);
		return;
	}
	h->adding = NULL;
}

static void pre_read(struct httpd *h, struct conn *c, uint32_t events)
{
	size_t max = h->lim.max_request_bytes, end;
	unsigned int code;
	ssize_t n;

	if (c->lingering) {
		linger_read(h, c);
		return;
	}
	n = recv(c->fd, h->peek, max + 1, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		pre_close(h, c);	/* gone before asking anything */
		return;
	}
	end = head_end(h->peek, (size_t)n);
	if (!end) {
		if ((size_t)n > max)
			pre_answer(h, c, 431, 0);
		else if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			pre_answer(h, c, 400, 0);	/* the rest will never come */
		return;	/* more to come, within the deadline */
	}
	if (end > max) {
		pre_answer(h, c, 431, 0);
		return;
	}
	code = pre_check(h, h->peek, end);
	if (code)
		pre_answer(h, c, code, end);
	else
		handover(h, c);
}

/* a new connection: counted, given a deadline, then pre-checked or handed over */
static int conn_new(struct httpd *h, int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	unsigned int ip;
	struct conn *c;

	ip = ip_take(h, sa);
	if (ip == UINT_MAX) {
		close(fd);	/* over its address's share */
		return -EBUSY;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		h->ips[ip].n--;
		close(fd);
		return -ENOMEM;
	}
	c->h = h;
	c->fd = fd;
	c->ip = ip;
	memcpy(&c->addr, sa, salen < sizeof(c->addr) ? salen : sizeof(c->addr));
	c->addrlen = salen;
	c->round = h->round;
	h->nconns++;
	list_add(h, c, LIST_REQUEST, h->lim.request_timeout_ms);
	if (h->o.web && h->o.web->tls) {
		handover(h, c);	/* encrypted: libmicrohttpd reads it */
		return 0;
	}
	ev.data.ptr = c;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		conn_free(h, c);
		return -errno;
	}
	return 0;
}

/*
 * Every slot taken and a client waits: make room by closing the oldest
 * connection that is not being answered, so that a flood of slow or idle
 * connections (from any number of addresses) cannot keep a scraper out for
 * longer than it takes to evict one. First one that was answered by the
 * pre-check and is only being drained, then a plain-HTTP connection that has
 * not finished sending its request, then one idle in keep-alive, then one of
 * libmicrohttpd's without a request yet (TLS: the handshake or the request
 * still coming); those two free their slot later in the round, when
 * libmicrohttpd has closed them. True if a slot is free now.
 *
 * Never one accepted in this round: its request may sit unread in its
 * socket. accept_all() takes a whole backlog in one round, and evicting the
 * oldest incomplete request there closed the scraper accepted a moment
 * before, unread, while idle connections from many addresses filled the
 * table (make stress, idle-spread: 3 of 8 scrapes answered). Those wait in
 * the backlog until the next round has read what came in (relisten: the
 * next round accepts again, then they are candidates like any other).
 */
static bool evict_one(struct httpd *h)
{
	struct conn *c = h->lists[LIST_LINGER].head;

	if (c) {	/* answered already, only being drained */
		pre_close(h, c);
		return true;
	}
	for (c = h->lists[LIST_REQUEST].head; c; c = c->next) {
		if (c->round == h->round) {
			h->relisten = true;
			continue;
		}
		if (!c->in_mhd) {
			if (h->o.verbose)
				fprintf(stderr, "tphtrace exporter: http: all %u connections "
					"taken: closing the oldest incomplete request\n",
					h->lim.max_conns);
			pre_close(h, c);
			return true;
		}
	}
	/* libmicrohttpd's: idle in keep-alive, else still without a request
	 * (a TLS handshake or request that is not complete); the slot is free
	 * once libmicrohttpd has closed it, later in this round */
	c = h->lists[LIST_KEEPALIVE].head;
	if (!c)
		for (c = h->lists[LIST_REQUEST].head;
		     c && (c->requested || c->round == h->round); c = c->next)
			;
	if (c) {
		if (h->o.verbose)
			fprintf(stderr, "tphtrace exporter: http: all %u connections taken: "
				"closing the oldest %s\n", h->lim.max_conns,
				c->list == LIST_KEEPALIVE ? "idle keep-alive connection" :
				"connection without a request");
		list_del(h, c);
		shutdown(c->fd, SHUT_RDWR);
	}
	return false;
}

static void accept_all(struct httpd *h)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	while (h->listening) {
		if (h->nconns >= h->lim.max_conns && !evict_one(h)) {
			set_listening(h, false);	/* the rest waits in the backlog */
			return;
		}
		sl = sizeof(ss);
		fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &sl,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a client that left the backlog */
		conn_new(h, fd, (struct sockaddr *)&ss, sl);
	}
}

/* ---- libmicrohttpd callbacks ------------------------------------------------- */

/* GnuTLS, during the handshake: the client certificate as client_auth_type says */
static int tls_verify(gnutls_session_t s)
{
	struct MHD_Connection *mc = gnutls_session_get_ptr(s);
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	ci = mc ? MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;
	c = ci ? ci->socket_context : NULL;
	if (!c || !c->h->o.web)
		return -1;
	return webtls_verify_peer(c->h->o.web, s);
}

static void on_conn(void *cls, struct MHD_Connection *mc, void **socket_ctx,
		    enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		c = h->adding;
		*socket_ctx = c;
		if (c && h->o.web && h->o.web->tls) {
			ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_GNUTLS_SESSION);
			if (ci && ci->tls_session) {
				webtls_session_init(h->o.web, ci->tls_session);
				gnutls_session_set_verify_function(ci->tls_session, tls_verify);
			}
		}
		return;
	}
	c = *socket_ctx;
	if (c)
		conn_free(h, c);	/* libmicrohttpd closed the socket */
	*socket_ctx = NULL;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn *c;

	free(*con_cls);
	*con_cls = NULL;
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK || !h->lim.keepalive_timeout_ms)
		return;
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	c = ci ? ci->socket_context : NULL;
	/* answered: the next request has keepalive_timeout to be answered */
	if (c && c->list != LIST_NONE)
		list_add(h, c, LIST_KEEPALIVE, h->lim.keepalive_timeout_ms);
}

/*
 * Decode %XX in place, except %00: a NUL would end the path early and
 * "/metrics%00" would be served as "/metrics".
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s, *r = s;
	int hi, lo;

	while (*r) {
		if (r[0] == '%' && r[1] && r[2] &&
		    (hi = (r[1] >= '0' && r[1] <= '9') ? r[1] - '0' :
			  ((r[1] | 0x20) >= 'a' && (r[1] | 0x20) <= 'f') ? (r[1] | 0x20) - 'a' + 10 : -1) >= 0 &&
		    (lo = (r[2] >= '0' && r[2] <= '9') ? r[2] - '0' :
			  ((r[2] | 0x20) >= 'a' && (r[2] | 0x20) <= 'f') ? (r[2] | 0x20) - 'a' + 10 : -1) >= 0 &&
		    (hi || lo)) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void wake(struct httpd *h)
{
	uint64_t one = 1;

	if (write(h->wake_fd, &one, sizeof(one)) < 0)
		(void)0;	/* already signalled (counter full): awake anyway */
}

/*
 * On the worker: a check is done. libmicrohttpd in external-loop mode has
 * no channel of its own to learn of a resumption (it drops MHD_USE_ITC),
 * so the loop is woken here. @r may be freed by the loop as soon as the
 * connection is resumed: read it first.
 */
static void auth_done(void *cookie)
{
	struct req *r = cookie;
	struct httpd *h = r->h;

	MHD_resume_connection(r->conn);
	wake(h);
}

/* rate_limit: a token bucket of burst tokens, one more per interval */
static bool rate_ok(struct httpd *h)
{
	const struct webcfg *w = h->o.web;
	uint64_t t = now_ms();

	if (!w || !w->rate_interval_ns)
		return true;
	h->tokens += (double)(t - h->tokens_ms) * 1e6 / (double)w->rate_interval_ns;
	if (h->tokens > (double)w->rate_burst)
		h->tokens = (double)w->rate_burst;
	h->tokens_ms = t;
	if (h->tokens < 1)
		return false;
	h->tokens -= 1;
	return true;
}

/* 1 go on, 0 answered or suspended (return @ret) */
static int authorized(struct httpd *h, struct MHD_Connection *conn, struct req *r,
		      MHD_RESULT *ret)
{
	char *user, *pass = NULL;
	enum webauth_result res;

	if (!h->auth)
		return 1;
	if (r->auth == WEBAUTH_OK)
		return 1;
	if (r->auth == WEBAUTH_FAIL || r->auth == WEBAUTH_BUSY) {
		*ret = r->auth == WEBAUTH_BUSY ?
			reply(h, conn, MHD_HTTP_TOO_MANY_REQUESTS, "text/plain", too_many,
			      sizeof(too_many) - 1, false) :
			reply(h, conn, MHD_HTTP_UNAUTHORIZED, "text/plain", unauthorized,
			      sizeof(unauthorized) - 1, false);
		return 0;
	}
	user = MHD_basic_auth_get_username_password(conn, &pass);
	if (!user || !pass) {
		MHD_free(user);
		MHD_free(pass);
		r->auth = WEBAUTH_FAIL;
		return authorized(h, conn, r, ret);
	}
	res = webauth_check(h->auth, user, pass, r, &r->auth);
	explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	if (res == WEBAUTH_PENDING) {
		/* the worker resumes it; the handler runs again then */
		MHD_suspend_connection(conn);
		*ret = MHD_YES;
		return 0;
	}
	r->auth = res;
	return authorized(h, conn, r, ret);
}

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct req *r = *con_cls;
	const union MHD_ConnectionInfo *ci;
	const char *cl;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET);
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	MHD_RESULT ret;

	if (!r) {
		/* headers in: the checks that need no body */
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		if (ci && ci->socket_context)
			((struct conn *)ci->socket_context)->requested = true;
		if (h->o.web && h->o.web->tls) {
			ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
			if (!ci || !ci->tls_session ||
			    !webtls_suite_allowed(h->o.web, ci->tls_session))
				return MHD_NO;	/* a cipher suite outside cipher_suites */
		}
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->auth = -1;
		r->conn = conn;
		r->h = h;
		*con_cls = r;
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
		if (ci && ci->header_size > h->lim.max_request_bytes)
			return reply(h, conn, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
				     "text/plain", too_large_hdr, sizeof(too_large_hdr) - 1,
				     false);
		if (!get && !head)
			return reply(h, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
				     not_allowed, sizeof(not_allowed) - 1, false);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > h->lim.max_request_bytes)
			return reply(h, conn, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain",
				     too_large_body, sizeof(too_large_body) - 1, false);
		/* answer on the last call, so that keep-alive stays possible
		 * (an answer queued now makes libmicrohttpd close) */
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* a body on GET: read and ignored, within the limit */
		r->body += *upload_data_size;
		*upload_data_size = 0;
		return r->body > h->lim.max_request_bytes ? MHD_NO : MHD_YES;
	}
	if (r->auth == -1 && !rate_ok(h))
		return reply(h, conn, MHD_HTTP_TOO_MANY_REQUESTS, "text/plain", too_many,
			     sizeof(too_many) - 1, false);
	if (!authorized(h, conn, r, &ret))
		return ret;
	if (!strcmp(url, h->o.telemetry_path)) {
		prom_buf_reset(&h->buf);
		h->o.render(h->o.ctx, &h->buf);
		if (h->buf.oom)
			return reply(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "text/plain", unavailable,
				     sizeof(unavailable) - 1, false);
		return reply(h, conn, MHD_HTTP_OK, PROM_CONTENT_TYPE,
			     h->buf.p ? h->buf.p : "", h->buf.len, true);
	}
	if (!strcmp(url, "/"))
		return reply(h, conn, MHD_HTTP_OK, "text/html; charset=utf-8",
			     h->landing, strlen(h->landing), false);
	return reply(h, conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
		     sizeof(not_found) - 1, false);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct httpd *h = cls;

	if (!h->o.verbose)
		return;
	fputs("tphtrace exporter: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- the loop ---------------------------------------------------------------- */

/*
 * Past its deadline a connection is shut down whatever it is doing: one
 * still being pre-checked is closed here, one of libmicrohttpd's sees the
 * shutdown as a closed peer on its next round (same thread: no race with
 * libmicrohttpd closing and reusing the descriptor).
 */
static int reap(struct httpd *h)
{
	uint64_t t = now_ms(), next = UINT64_MAX;
	struct conn *c;
	int which;

	for (which = LIST_REQUEST; which < NLISTS; which++) {
		while ((c = h->lists[which].head) && c->deadline_ms <= t) {
			list_del(h, c);
			if (h->o.verbose && which != LIST_LINGER)
				fprintf(stderr, "tphtrace exporter: http: closing a connection "
					"past its %s deadline\n", which == LIST_REQUEST ?
					"request" : "keep-alive");
			if (c->in_mhd)
				shutdown(c->fd, SHUT_RDWR);
			else
				pre_close(h, c);	/* lingering or incomplete */
		}
		if (c && c->deadline_ms < next)
			next = c->deadline_ms;
	}
	if (next == UINT64_MAX)
		return -1;
	return next - t > INT_MAX ? INT_MAX : (int)(next - t);
}

static void free_dead(struct httpd *h)
{
	struct conn *c;

	while ((c = h->dead)) {
		h->dead = c->next;
		free(c);
	}
}

int httpd_run(struct httpd *h, int wait_ms)
{
	struct epoll_event ev[64];
	MHD_UNSIGNED_LONG_LONG mto;
	int timeout, t, n, i;

	h->round++;
	if (h->relisten) {	/* last round's connections are candidates now */
		h->relisten = false;
		set_listening(h, true);
	}
	timeout = reap(h);
	if (MHD_get_timeout(h->d, &mto) == MHD_YES) {
		t = mto > INT_MAX ? INT_MAX : (int)mto;
		if (timeout < 0 || t < timeout)
			timeout = t;
	}
	if (wait_ms >= 0 && (timeout < 0 || wait_ms < timeout))
		timeout = wait_ms;
	n = epoll_wait(h->epfd, ev, 64, timeout);
	if (n < 0 && errno != EINTR)
		return -errno;
	for (i = 0; i < n; i++) {
		uint64_t tag = ev[i].data.u64;

		if (tag == TAG_LISTEN) {
			accept_all(h);
		} else if (tag == TAG_WAKE) {
			uint64_t v;

			if (read(h->wake_fd, &v, sizeof(v)) < 0)
				(void)0;	/* EAGAIN: another round read it */
		} else if (tag != TAG_MHD) {
			struct conn *c = ev[i].data.ptr;

			if (!c->dead)
				pre_read(h, c, ev[i].events);
		}
	}
	MHD_run(h->d);
	reap(h);
	free_dead(h);
	return 0;
}

static void *loop(void *arg)
{
	struct httpd *h = arg;

	while (!atomic_load(&h->stopping))
		httpd_run(h, -1);
	return NULL;
}

int httpd_add_connection(struct httpd *h, int fd, const struct sockaddr *addr,
			 socklen_t addrlen)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return conn_new(h, fd, addr, addrlen);
}

unsigned int httpd_connections(struct httpd *h)
{
	return h->nconns;
}

/* ---- start, stop ------------------------------------------------------------ */

static int epoll_add_tag(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static struct MHD_Daemon *start_mhd(struct httpd *h)
{
	const struct webcfg *w = h->o.web;
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
			     MHD_USE_NO_LISTEN_SOCKET;
	struct MHD_OptionItem tls[6];
	unsigned int nt = 0;

	if (w && w->tls) {
		flags |= MHD_USE_TLS;
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, w->cert_pem };
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, w->key_pem };
		tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)w->priorities };
		if (w->client_ca_pem)
			tls[nt++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
							     w->client_ca_pem };
	}
	tls[nt] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, h->pool,
				/* ours counts first; this is a backstop */
				MHD_OPTION_CONNECTION_LIMIT, h->lim.max_conns + 8,
				/* libmicrohttpd's inactivity timeout: a backstop behind
				 * our deadlines, never before them */
				MHD_OPTION_CONNECTION_TIMEOUT,
				((h->lim.request_timeout_ms > h->lim.keepalive_timeout_ms ?
				  h->lim.request_timeout_ms : h->lim.keepalive_timeout_ms) + 999) / 1000,
				MHD_OPTION_NOTIFY_CONNECTION, on_conn, h,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_UNESCAPE_CALLBACK, unescape, h,
				MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_END);
}

int httpd_start(struct httpd **out, const struct httpd_opts *opts, char *err,
		size_t errlen)
{
	struct httpd *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *di;
	int ret = httplib_load(err, errlen);

	if (ret || !h) {
		if (opts->listen_fd >= 0)
			close(opts->listen_fd);
		free(h);
		return ret ?: -ENOMEM;
	}
	ret = -ENOMEM;
	h->o = *opts;
	h->lim = opts->lim;
	httpd_limits_default(&h->lim);
	h->pool = h->lim.max_request_bytes * POOL_FACTOR;
	if (h->pool < 64 * 1024)
		h->pool = 64 * 1024;
	h->listen_fd = opts->listen_fd;
	h->epfd = h->wake_fd = h->mhd_epfd = -1;
	prom_buf_init(&h->buf);
	snprintf(h->landing, sizeof(h->landing),
		 "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
		 "<body><h1>%s</h1>\n"
		 "<p>PCIe TPH steering tags on peer-to-peer dma-bufs, as Prometheus "
		 "metrics.</p>\n<p><a href=\"%s\">Metrics</a></p>\n</body></html>\n",
		 opts->landing_title, opts->landing_title, opts->telemetry_path);
	h->ips = calloc(h->lim.max_conns, sizeof(*h->ips));
	h->peek = malloc(h->lim.max_request_bytes + 1);
	if (!h->ips || !h->peek)
		goto fail;
	if (opts->web && opts->web->nusers && webauth_new(&h->auth, opts->web, auth_done))
		goto fail;
	if (opts->web && opts->web->rate_interval_ns) {
		h->tokens = (double)opts->web->rate_burst;	/* starts full, as rate.Limiter */
		h->tokens_ms = now_ms();
	}
	h->d = start_mhd(h);
	if (!h->d) {
		snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd%s)",
			 opts->web && opts->web->tls ? " with TLS" : "");
		ret = -EIO;
		goto fail;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	h->mhd_epfd = di ? di->epoll_fd : -1;
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->mhd_epfd < 0 || h->epfd < 0 || h->wake_fd < 0 ||
	    epoll_add_tag(h->epfd, h->mhd_epfd, TAG_MHD) ||
	    epoll_add_tag(h->epfd, h->wake_fd, TAG_WAKE)) {
		snprintf(err, errlen, "cannot set up the HTTP event loop: %s", strerror(errno));
		ret = -EIO;
		goto fail;
	}
	set_listening(h, true);
	if (!opts->no_thread) {
		if (pthread_create(&h->thread, NULL, loop, h)) {
			snprintf(err, errlen, "cannot start the HTTP thread");
			ret = -EAGAIN;
			goto fail;
		}
		h->threaded = true;
	}
	*out = h;
	return 0;
fail:
	if (!err[0])
		snprintf(err, errlen, "cannot start the HTTP server: %s", strerror(-ret));
	httpd_stop(h);
	return ret;
}

void httpd_stop(struct httpd *h)
{
	struct conn *c;
	int which;

	if (!h)
		return;
	atomic_store(&h->stopping, true);
	if (h->wake_fd >= 0)
		wake(h);
	if (h->threaded)
		pthread_join(h->thread, NULL);
	/* suspended checks end (resumed as failed) before the daemon goes */
	webauth_free(h->auth);
	h->auth = NULL;
	if (h->d) {
		MHD_run(h->d);
		MHD_stop_daemon(h->d);	/* closes its connections (on_conn frees them) */
	}
	for (which = LIST_REQUEST; which < NLISTS; which++) {
		while ((c = h->lists[which].head)) {
			if (c->in_mhd)
				conn_free(h, c);	/* already closed by the daemon */
			else
				pre_close(h, c);
		}
	}
	free_dead(h);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->wake_fd >= 0)
		close(h->wake_fd);
	prom_buf_free(&h->buf);
	free(h->ips);
	free(h->peek);
	free(h);
}
