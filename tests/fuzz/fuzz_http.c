// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The exporter's request handling end to end: the bytes are what a client
 * sends on a connection (a socketpair handed to the server as if accepted
 * from 127.0.0.1), then it closes its side; the server's own event loop
 * (pre-check, deadlines, limits, libmicrohttpd, routing, answers with the
 * configured headers) runs until it has closed the connection. Whatever it
 * answers must look like HTTP; a connection it never closes is a hang.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "httpd.h"
#include "webcfg.h"

static struct httpd *h;
static struct webcfg web;

static void render(void *ctx, struct prom_buf *out)
{
	(void)ctx;
	prom_buf_puts(out, "# HELP tphtrace_build_info x\n# TYPE tphtrace_build_info gauge\n"
			   "tphtrace_build_info{version=\"0\"} 1\n");
}

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
	static const char cfg[] = "http_server_config:\n  headers:\n    X-Frame-Options: deny\n";
	struct httpd_opts o = {
		.listen_fd = -1,
		.no_thread = true,
		.telemetry_path = "/metrics",
		.landing_title = "fuzz",
		.render = render,
		/* small limits: the 431/413 paths are reached by short inputs */
		.lim = { .max_request_bytes = 2048, .max_conns = 4, .max_conns_per_ip = 4,
			 .request_timeout_ms = 100, .keepalive_timeout_ms = 100 },
		.web = &web,
	};
	char err[256] = "";

	(void)argc;
	(void)argv;
	if (webcfg_parse(cfg, sizeof(cfg) - 1, "fuzz", "/", WEBCFG_NO_FILES, &web, err,
			 sizeof(err)) || httpd_start(&h, &o, err, sizeof(err))) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in from = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static char out[1 << 16], scratch[1 << 16];
	size_t got = 0, off = 0;
	uint64_t start;
	int sv[2], late;
	ssize_t n;

	if (!h)
		LLVMFuzzerInitialize(NULL, NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	if (httpd_add_connection(h, sv[0], (struct sockaddr *)&from, sizeof(from))) {
		close(sv[1]);
		return 0;
	}
	/* what a client sends, then its end of stream */
	while (off < size) {
		n = send(sv[1], data + off, size - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n <= 0)
			break;	/* buffer full: the rest is not sent */
		off += (size_t)n;
	}
	shutdown(sv[1], SHUT_WR);
	/*
	 * A hang is a connection still open 2 s after the client's end of
	 * stream (20 times the request and keep-alive deadlines set above)
	 * and 50 more rounds after that. Not a round count alone: pipelined
	 * requests take a few rounds each (an 8 KiB input of ~130 needed
	 * 407); not the time alone: a fuzzer at nice 19 on a loaded machine
	 * can be off the CPU for longer than that, and the server only closes
	 * the expired connection on its next rounds (both were false reports
	 * of the long runs, tests/fuzz/crashes/http/).
	 */
	for (start = now_ms(), late = 0; httpd_connections(h) && late < 50;) {
		httpd_run(h, 5);
		if (now_ms() - start >= 2000)
			late++;
		/* the start is kept (and checked), the rest read and dropped */
		while ((n = recv(sv[1], got < sizeof(out) ? out + got : scratch,
				 got < sizeof(out) ? sizeof(out) - got : sizeof(scratch),
				 MSG_DONTWAIT)) > 0)
			got += got < sizeof(out) ? (size_t)n : 0;
	}
	if (httpd_connections(h)) {
		fprintf(stderr, "fuzz_http: the connection is still open 2 s and 50 rounds after the client's end of stream\n");
		abort();
	}
	if (got >= 5 && memcmp(out, "HTTP/", 5)) {
		fprintf(stderr, "fuzz_http: the answer does not start with a status line\n");
		abort();
	}
	close(sv[1]);
	return 0;
}
