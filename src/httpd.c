// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* libmicrohttpd wrapper for the exporter (see httpd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include "httpd.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

struct httpd {
	struct httpd_opts o;
	struct MHD_Daemon *d;
	struct prom_buf buf;		/* reused by every scrape (one server thread) */
	char landing[1024];
};

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
	if (bind(fd, sa, salen) || listen(fd, 64)) {
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
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	if (h->o.count)
		h->o.count(h->o.ctx, code);
	return ret;
}

static const char not_found[] = "404 page not found\n";
static const char not_allowed[] = "405 method not allowed (GET, HEAD)\n";
static const char unavailable[] = "503 out of memory rendering metrics\n";

static MHD_RESULT on_request(void *cls, struct MHD_Connection *conn,
			     const char *url, const char *method,
			     const char *version, const char *upload_data,
			     size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET);
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);

	if (!get && !head)
		return reply(h, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     not_allowed, sizeof(not_allowed) - 1, false);
	if (*upload_data_size)
		*upload_data_size = 0;	/* a body on GET: ignored */
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

int httpd_start(struct httpd **out, const struct httpd_opts *opts, char *err,
		size_t errlen)
{
	struct httpd *h = calloc(1, sizeof(*h));

	if (!h) {
		close(opts->listen_fd);
		return -ENOMEM;
	}
	h->o = *opts;
	prom_buf_init(&h->buf);
	snprintf(h->landing, sizeof(h->landing),
		 "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
		 "<body><h1>%s</h1>\n"
		 "<p>PCIe TPH steering tags on peer-to-peer dma-bufs, as Prometheus "
		 "metrics.</p>\n<p><a href=\"%s\">Metrics</a></p>\n</body></html>\n",
		 opts->landing_title, opts->landing_title, opts->telemetry_path);
	h->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
				0, NULL, NULL, on_request, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)opts->listen_fd,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				opts->memory_limit ? opts->memory_limit : (size_t)HTTPD_MEMORY_LIMIT,
				MHD_OPTION_CONNECTION_LIMIT,
				opts->conn_limit ? opts->conn_limit : HTTPD_CONN_LIMIT,
				MHD_OPTION_CONNECTION_TIMEOUT,
				opts->timeout_s ? opts->timeout_s : HTTPD_TIMEOUT_S,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd)");
		close(opts->listen_fd);
		free(h);
		return -EIO;
	}
	*out = h;
	return 0;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	prom_buf_free(&h->buf);
	free(h);
}
