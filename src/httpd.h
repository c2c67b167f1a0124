/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The exporter's HTTP side over libmicrohttpd (no HTTP parsing of our own).
 * It answers
 *   GET/HEAD <telemetry path>  200, Prometheus text format 0.0.4
 *   GET/HEAD /                 200, a landing page linking to the metrics
 *   GET/HEAD anything else     404 (a %00 in the path is never decoded)
 *   any other method           405 with "Allow: GET, HEAD"
 *   request line + headers larger than max_request_bytes: 431; a body
 *   larger than that: 413 (declared) or the connection closed
 *   with basic_auth_users: 401 without the right credentials
 *   with rate_limit: 429 past the token bucket
 * and leaves other malformed requests to libmicrohttpd's 4xx/5xx answers.
 *
 * Holding out a scraper (issue 12): libmicrohttpd's inactivity timeout
 * restarts on every byte, so a client trickling one byte at a time could
 * keep a connection forever. Here every connection has a deadline instead:
 * request_timeout from its opening to the end of its first answer, then
 * keepalive_timeout from each answer to the end of the next one; past it the
 * connection is shut down whatever it is doing. Connections are limited in
 * total and per client address (a full table leaves new connections in the
 * listen backlog until a deadline frees a slot; a full per-address share
 * closes them at once). One event-loop thread serves every connection;
 * bcrypt checks run on a worker thread with the connection suspended, so a
 * flood of wrong passwords cannot stall the loop.
 *
 * The listening socket is created separately (httpd_listen) so that it can
 * be bound while the process still has its privileges and before the
 * server thread exists.
 */
#ifndef TPHTRACE_HTTPD_H
#define TPHTRACE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include "prom.h"

struct webcfg;

/* fill @out (already reset) with the exposition; called on the server thread */
typedef void (*httpd_render_fn)(void *ctx, struct prom_buf *out);
/* count an answered request by status code */
typedef void (*httpd_count_fn)(void *ctx, unsigned int code);

/* Defaults of the --web.* limits (docs/exporter.md, "Limits") */
#define HTTPD_MAX_REQUEST_BYTES		(16 * 1024)	/* request line + headers */
#define HTTPD_MAX_CONNS			256
#define HTTPD_MAX_CONNS_PER_IP		16
#define HTTPD_REQUEST_TIMEOUT_MS	10000
#define HTTPD_KEEPALIVE_TIMEOUT_MS	30000

struct httpd_limits {
	size_t max_request_bytes;	/* 0: the default */
	unsigned int max_conns;		/* 0: the default */
	unsigned int max_conns_per_ip;	/* 0: the default */
	unsigned int request_timeout_ms;	/* 0: the default */
	unsigned int keepalive_timeout_ms;	/* 0: keep-alive off */
};

struct httpd_opts {
	int listen_fd;			/* from httpd_listen(), owned by the server;
					 * -1: connections come from httpd_add_connection() */
	bool no_thread;			/* the caller runs httpd_run() (tests, fuzzing) */
	const char *telemetry_path;	/* "/metrics" */
	const char *landing_title;	/* e.g. "tphtrace exporter 0.1.0" */
	httpd_render_fn render;
	httpd_count_fn count;
	void *ctx;
	struct httpd_limits lim;
	const struct webcfg *web;	/* --web.config.file, NULL: none */
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
/* the defaults filled in where @l has 0 (keepalive_timeout_ms excepted) */
void httpd_limits_default(struct httpd_limits *l);

int httpd_start(struct httpd **out, const struct httpd_opts *opts, char *err,
		size_t errlen);
/* stops at once: open connections are closed, pending checks abandoned */
void httpd_stop(struct httpd *h);

/* no_thread servers: one round of the event loop, waiting at most @wait_ms */
int httpd_run(struct httpd *h, int wait_ms);
/* hand a connected socket to the server as if accepted from @addr */
int httpd_add_connection(struct httpd *h, int fd, const struct sockaddr *addr,
			 socklen_t addrlen);
/* connections open now (tests) */
unsigned int httpd_connections(struct httpd *h);

#endif /* TPHTRACE_HTTPD_H */
