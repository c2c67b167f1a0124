/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The exporter's HTTP side: a thin wrapper over libmicrohttpd (internal
 * polling thread; no HTTP parsing of our own). It answers
 *   GET/HEAD <telemetry path>  200, Prometheus text format 0.0.4
 *   GET/HEAD /                 200, a landing page linking to the metrics
 *   GET/HEAD anything else     404
 *   any other method           405 with "Allow: GET, HEAD"
 * and leaves malformed requests (bad request line, oversized headers,
 * unsupported HTTP version) to libmicrohttpd's own 4xx/5xx answers.
 *
 * The listening socket is created separately (httpd_listen) so that it can
 * be bound while the process still has its privileges and before the
 * server thread exists.
 */
#ifndef TPHTRACE_HTTPD_H
#define TPHTRACE_HTTPD_H

#include <stddef.h>
#include "prom.h"

/* fill @out (already reset) with the exposition; called on the server thread */
typedef void (*httpd_render_fn)(void *ctx, struct prom_buf *out);
/* count an answered request by status code */
typedef void (*httpd_count_fn)(void *ctx, unsigned int code);

#define HTTPD_MEMORY_LIMIT	(16 * 1024)	/* request line + headers, per connection */
#define HTTPD_CONN_LIMIT	64
#define HTTPD_TIMEOUT_S		10

struct httpd_opts {
	int listen_fd;			/* from httpd_listen(); owned by the server */
	const char *telemetry_path;	/* "/metrics" */
	const char *landing_title;	/* e.g. "tphtrace exporter 0.1.0" */
	httpd_render_fn render;
	httpd_count_fn count;
	void *ctx;
	size_t memory_limit;		/* 0: HTTPD_MEMORY_LIMIT */
	unsigned int conn_limit;	/* 0: HTTPD_CONN_LIMIT */
	unsigned int timeout_s;		/* 0: HTTPD_TIMEOUT_S */
	int verbose;			/* log libmicrohttpd's errors */
};

struct httpd;

/*
 * Create a listening TCP socket for @addr: "HOST:PORT", "[V6]:PORT" or
 * ":PORT" (all interfaces, IPv6 and IPv4). PORT 0 picks a free port.
 * Returns the fd or -errno with @err; @bound (if not NULL) receives the
 * bound address as "HOST:PORT".
 */
int httpd_listen(const char *addr, char *bound, size_t boundlen, char *err,
		 size_t errlen);
/* true if @path is usable as the telemetry path ("/x", [A-Za-z0-9/._~-]) */
int httpd_path_ok(const char *path);

int httpd_start(struct httpd **out, const struct httpd_opts *opts, char *err,
		size_t errlen);
void httpd_stop(struct httpd *h);

#endif /* TPHTRACE_HTTPD_H */
