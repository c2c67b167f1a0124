// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace exporter: Prometheus metrics over HTTP (libmicrohttpd).
 *
 * Start-up order matters (docs/exporter.md, "Privileges"):
 *   1. enable kernel BPF statistics (BPF_ENABLE_STATS, CAP_SYS_ADMIN), hold the fd
 *   2. load and attach the BPF programs and recover the state from before
 *      start (the runner, as for every view)
 *   3. bind the listening socket
 *   4. drop capabilities (--capabilities.keep) while the process has one thread
 *   5. start the HTTP server thread, which inherits the reduced sets
 * The main thread then feeds records into the model, the rules and the
 * counters (runner loop); the HTTP thread renders them. One mutex
 * serialises both.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "caps.h"
#include "cmds.h"
#include "httpd.h"
#include "httplib.h"
#include "jw.h"
#include "metrics.h"
#include "runner.h"
#include "webcfg.h"

/* Default port: see docs/exporter.md, "Default port". */
#define EXPORTER_DEFAULT_LISTEN	"127.0.0.1:10435"
#define EXPORTER_DEFAULT_PATH	"/metrics"

/* the exporter's own options (the common ones are in struct cmd_opts) */
struct exporter_args {
	const char *listen;
	const char *path;
	const char *web_config;
	struct httpd_limits lim;
	struct caps_keep keep;
	unsigned int max_series;
	bool check;
	bool no_stats;
};

struct exporter {
	struct cmd_opts o;
	struct exporter_args a;
	pthread_mutex_t lock;
	struct metrics m;
	struct feed f;		/* the model and the rules, as for list/top/check */
	int stats_fd;
	struct httpd *h;
	int listen_fd;
	char bound[80];
	struct webcfg web;	/* --web.config.file */
	bool have_web;
};

/* ---- options ------------------------------------------------------------------- */

enum {
	OPT_LISTEN = 0x100,
	OPT_PATH,
	OPT_KEEP,
	OPT_CHECK,
	OPT_MAX_SERIES,
	OPT_NO_STATS,
	OPT_WEB_CONFIG,
	OPT_MAX_CONNS,
	OPT_MAX_CONNS_IP,
	OPT_REQ_TIMEOUT,
	OPT_KA_TIMEOUT,
	OPT_MAX_REQ_BYTES,
};

static const struct argp_option exporter_opts[] = {
	{ "web.listen-address", OPT_LISTEN, "ADDR", 0,
	  "Listen on ADDR: HOST:PORT, [IPV6]:PORT or :PORT for every interface "
	  "(default " EXPORTER_DEFAULT_LISTEN ")", 0 },
	{ "web.telemetry-path", OPT_PATH, "PATH", 0,
	  "Serve the metrics at PATH (default " EXPORTER_DEFAULT_PATH ")", 0 },
	{ "web.config.file", OPT_WEB_CONFIG, "FILE", 0,
	  "TLS, basic authentication, headers and rate limit from FILE, in the "
	  "Prometheus exporter-toolkit format (docs/exporter.md)", 0 },
	{ "web.max-connections", OPT_MAX_CONNS, "N", 0,
	  "Serve at most N connections at once; more wait in the listen backlog "
	  "(default 256)", 0 },
	{ "web.max-connections-per-ip", OPT_MAX_CONNS_IP, "N", 0,
	  "At most N of them from one client address; more are closed at once "
	  "(default 16)", 0 },
	{ "web.request-timeout", OPT_REQ_TIMEOUT, "DURATION", 0,
	  "A new connection must have its request answered within DURATION, "
	  "however slowly it sends; then it is closed (default 10s)", 0 },
	{ "web.keepalive-timeout", OPT_KA_TIMEOUT, "DURATION", 0,
	  "After an answer, a connection may stay open DURATION for its next "
	  "request, answer included (default 30s; 0: Connection: close)", 0 },
	{ "web.max-request-bytes", OPT_MAX_REQ_BYTES, "N", 0,
	  "Largest request line and headers (431 above) and body (413) "
	  "(default 16384)", 0 },
	{ "capabilities.keep", OPT_KEEP, "WHICH", 0,
	  "Capabilities kept after attaching: none (default), all, reattach "
	  "(cap_bpf,cap_perfmon,cap_sys_admin: hooks can be re-resolved when a "
	  "module loads later) or a list such as cap_bpf,cap_perfmon", 0 },
	{ "metrics.max-series", OPT_MAX_SERIES, "N", 0,
	  "At most N series per metric family (default 1000; 0: no cap); the "
	  "rest is counted in tphtrace_metric_series_dropped_total", 0 },
	{ "no-bpf-stats", OPT_NO_STATS, NULL, 0,
	  "Do not enable kernel BPF run-time statistics (saves ~20 ns per program "
	  "run; the program run-time metrics then stay at 0)", 0 },
	{ "check", OPT_CHECK, NULL, 0,
	  "Load and attach, drop capabilities, print the result and exit: 0 every "
	  "event hooked, 1 some unavailable, 2 error", 0 },
	{},
};

/* a Go duration ("10s", "1m30s", "500ms") or plain seconds, in milliseconds */
static int parse_timeout(const char *arg, unsigned int *ms)
{
	uint64_t ns;
	char *end;
	unsigned long s;

	errno = 0;
	s = strtoul(arg, &end, 10);
	if (*arg >= '0' && *arg <= '9' && !*end && !errno && s <= 86400) {
		*ms = (unsigned int)s * 1000;
		return 0;
	}
	if (webcfg_parse_duration(arg, &ns) || ns > 86400ull * 1000000000)
		return -EINVAL;
	*ms = (unsigned int)(ns / 1000000);
	if (ns && !*ms)
		*ms = 1;
	return 0;
}

static int parse_limit(const char *arg, unsigned long lo, unsigned long hi,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (!*arg || *arg == '-' || *end || errno || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

/* the HTTP server's limits (harden: docs/exporter.md, "Limits") */
static error_t web_parse(int key, char *arg, struct argp_state *state)
{
	struct exporter_args *a = state->input;
	unsigned long n;

	switch (key) {
	case OPT_WEB_CONFIG:
		a->web_config = arg;
		return 0;
	case OPT_MAX_CONNS:
		if (parse_limit(arg, 1, 65536, &n))
			argp_error(state, "invalid connection limit '%s' (1..65536)", arg);
		a->lim.max_conns = n;
		return 0;
	case OPT_MAX_CONNS_IP:
		if (parse_limit(arg, 1, 65536, &n))
			argp_error(state, "invalid per-address connection limit '%s' (1..65536)",
				   arg);
		a->lim.max_conns_per_ip = n;
		return 0;
	case OPT_MAX_REQ_BYTES:
		if (parse_limit(arg, 1024, 1 << 20, &n))
			argp_error(state, "invalid request size limit '%s' (1024..1048576)", arg);
		a->lim.max_request_bytes = n;
		return 0;
	case OPT_REQ_TIMEOUT:
		if (parse_timeout(arg, &a->lim.request_timeout_ms) || !a->lim.request_timeout_ms)
			argp_error(state, "invalid request timeout '%s' (a duration such as "
				   "10s, up to 24h, not 0)", arg);
		return 0;
	case OPT_KA_TIMEOUT:
		if (parse_timeout(arg, &a->lim.keepalive_timeout_ms))
			argp_error(state, "invalid keep-alive timeout '%s' (a duration such "
				   "as 30s, up to 24h; 0 turns keep-alive off)", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static error_t exporter_parse(int key, char *arg, struct argp_state *state)
{
	struct exporter_args *a = state->input;
	char err[200], *end;
	unsigned long n;

	switch (key) {
	case OPT_LISTEN:
		a->listen = arg;
		return 0;
	case OPT_PATH:
		if (!httpd_path_ok(arg))
			argp_error(state, "invalid telemetry path '%s' (want /NAME, "
				   "characters A-Z a-z 0-9 / . _ ~ -)", arg);
		a->path = arg;
		return 0;
	case OPT_KEEP:
		if (caps_parse_keep(arg, &a->keep, err, sizeof(err)))
			argp_error(state, "%s", err);
		return 0;
	case OPT_MAX_SERIES:
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || n > 1000000)
			argp_error(state, "invalid series cap '%s'", arg);
		a->max_series = n;
		return 0;
	case OPT_NO_STATS:
		a->no_stats = true;
		return 0;
	case OPT_CHECK:
		a->check = true;
		return 0;
	}
	return web_parse(key, arg, state);
}

static const struct opt_doc exporter_docs[] = {
	{ 'D', "Serve for SECONDS, then exit" },
	{ 'j', "With --check: the result as JSON" },
	{ 'p', "Only records of this process" },
	{ 'r', "Serve the metrics of a 'tphtrace trace -j' file ('-': stdin) instead of "
	  "tracing this host: no BPF, no privileges" },
	{ 'v', "libbpf debug output, HTTP errors" },
	{ 0 },
};

static const char exporter_doc[] =
"Serve TPH metrics to Prometheus: TPH publishes and queries, MR registrations "
"by importer, exporter, width, source and reason, and tphtrace's own health "
"(hooks attached, records lost, BPF program run time).\n"
"\nThe metrics are in the Prometheus text format at the telemetry path, a "
"landing page at /. Needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to start; "
"CAP_SYS_ADMIN also enables BPF run-time statistics. After attaching it keeps "
"only the capabilities named by --capabilities.keep. On a kernel where no event "
"can be hooked it still serves its self-metrics (tphtrace_collector_up 0) and "
"attaches when a module that makes hooks possible loads.\v"
"EXAMPLES:\n"
"  tphtrace exporter                              # 127.0.0.1:10435/metrics\n"
"  tphtrace exporter --web.listen-address=:10435  # every interface\n"
"  tphtrace exporter --check                      # attach, report, exit\n"
"  tphtrace exporter --capabilities.keep=reattach # re-hook on module load\n"
"  curl -s localhost:10435/metrics | promtool check metrics\n";

/* ---- records (main thread) ---------------------------------------------------- */

/* every record: the model and its rules, then the counters (which name a
 * dma-buf's exporter through the model) */
static int on_record(void *ctx, const union tph_record *rec)
{
	struct exporter *x = ctx;

	pthread_mutex_lock(&x->lock);
	feed_record(&x->f, rec);
	metrics_record(&x->m, rec);
	pthread_mutex_unlock(&x->lock);
	return 0;
}

static void on_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state)
{
	struct exporter *x = ctx;
	uint64_t lost[TPH_DROP_MAX] = { [TPH_DROP_RINGBUF] = ringbuf,
					[TPH_DROP_STATE] = state };

	pthread_mutex_lock(&x->lock);
	metrics_set_lost(&x->m, lost);
	feed_lost(&x->f, total, ringbuf, state);
	pthread_mutex_unlock(&x->lock);
}

/* the collector's state into the self-metrics (hooks change on module loads) */
static int on_tick(void *ctx, struct runner *r)
{
	struct exporter *x = ctx;
	unsigned char fam[TPH_EV_MAX];

	pthread_mutex_lock(&x->lock);
	if (r->c) {
		hooks_families(collector_plan(r->c), fam);
		metrics_set_hooks(&x->m, fam);
		x->m.nlinks = collector_nlinks(r->c);
	}
	x->m.collector_up = runner_hooked(r) > 0;
	pthread_mutex_unlock(&x->lock);
	return 0;
}

/* ---- HTTP side (server thread) ----------------------------------------------- */

static struct runner run;	/* the HTTP thread reads program statistics */

static bool stats_sysctl_on(void)
{
	char c = '0';
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

static void render_model(void *ctx, struct prom_writer *w)
{
	struct exporter *x = ctx;

	rules_eval_state(&x->f.rs);
	metrics_render_model(&x->m, w, &x->f.m, &x->f.rs);
}

static void render(void *ctx, struct prom_buf *out)
{
	static struct prog_stats progs[METRICS_MAX_PROGS];	/* server thread only */
	struct exporter *x = ctx;
	bool stats = x->stats_fd >= 0 || stats_sysctl_on();
	int n;

	pthread_mutex_lock(&x->lock);
	n = run.c ? collector_prog_stats(run.c, progs, METRICS_MAX_PROGS) : 0;
	x->m.stats_enabled = stats;
	metrics_render(&x->m, out, progs, (size_t)n, render_model, x);
	pthread_mutex_unlock(&x->lock);
}

static void count(void *ctx, unsigned int code)
{
	struct exporter *x = ctx;

	pthread_mutex_lock(&x->lock);
	metrics_http_request(&x->m, code);
	pthread_mutex_unlock(&x->lock);
}

/* ---- start-up ------------------------------------------------------------------ */

/* 1. kernel BPF statistics, only while we run (fd held) */
static int enable_stats(struct exporter *x)
{
	char err[256];

	if (x->o.replay)
		return 0;
	if (check_privileges(err, sizeof(err))) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		return 2;
	}
	if (x->a.no_stats)
		return 0;
	x->stats_fd = collector_enable_stats();
	if (x->stats_fd < 0)
		fprintf(stderr, "tphtrace exporter: cannot enable BPF statistics (%s; needs "
			"CAP_SYS_ADMIN): program run times stay 0\n", strerror(-x->stats_fd));
	return 0;
}

static void print_check(struct exporter *x, struct runner *r, const char *caps)
{
	struct jw w;

	if (!x->o.json) {
		if (r->replay)
			printf("tphtrace exporter: check: replay of %s, capabilities kept: %s\n",
			       r->replay, caps);
		else
			printf("tphtrace exporter: check: %d programs attached, %d of %d events "
			       "hooked, BPF statistics %s, capabilities kept: %s\n",
			       r->c ? collector_nlinks(r->c) : 0, runner_hooked(r),
			       TPH_EV_MAX - 1, x->stats_fd >= 0 ? "on" : "off", caps);
		return;
	}
	jw_init(&w, stdout);
	jw_doc(&w, "exporter");
	jw_kobj(&w, "check");
	jw_kstr(&w, "replay", r->replay);
	jw_ki64(&w, "programs", r->c ? collector_nlinks(r->c) : 0);
	jw_ki64(&w, "events_hooked", runner_hooked(r));
	jw_ki64(&w, "events", TPH_EV_MAX - 1);
	jw_kbool(&w, "bpf_stats", x->stats_fd >= 0);
	jw_kstr(&w, "capabilities_kept", caps);
	jw_obj_end(&w);
	jw_obj_end(&w);
}

/* 5. the HTTP thread: without our signals, so that they reach this one */
static int start_http(struct exporter *x)
{
	struct httpd_opts ho = {};
	sigset_t block, old;
	char err[256], title[64];
	int ret;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	snprintf(title, sizeof(title), "tphtrace exporter %s", TPHTRACE_VERSION);
	ho.listen_fd = x->listen_fd;
	ho.telemetry_path = x->a.path;
	ho.landing_title = title;
	ho.render = render;
	ho.count = count;
	ho.ctx = x;
	ho.verbose = x->o.verbose;
	ho.lim = x->a.lim;
	ho.web = x->have_web ? &x->web : NULL;
	ret = httpd_start(&x->h, &ho, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	x->listen_fd = -1;	/* the server owns it, also on failure */
	if (ret)
		fprintf(stderr, "tphtrace exporter: %s\n", err);
	signal(SIGPIPE, SIG_IGN);
	return ret ? 2 : 0;
}

/* the sources are open: 3. bind, 4. drop capabilities, 5. serve (or --check) */
static int on_ready(void *ctx, struct runner *r)
{
	struct exporter *x = ctx;
	char err[256], caps[256], web[64];
	int rc;

	on_tick(x, r);
	if (r->c && !runner_hooked(r))
		fprintf(stderr, "tphtrace exporter: no event has a usable hook on this kernel "
			"(see 'tphtrace probe'); serving self-metrics only until a module "
			"that makes hooks possible loads\n");
	if (r->recovered) {
		/* tphtrace_mrs_pre_start is absent when this failed: say why */
		const struct recov_source *mrs = recovery_find(&r->st.rv, RV_MRS, "rdma-netlink");

		if (mrs)
			fprintf(stderr, "tphtrace exporter: MRs from before start: %s%s\n",
				mrs->ok ? "" : "not recovered: ", mrs->detail);
	}
	if (!x->a.check) {
		x->listen_fd = httpd_listen(x->a.listen, x->bound, sizeof(x->bound), err,
					    sizeof(err));
		if (x->listen_fd < 0) {
			fprintf(stderr, "tphtrace exporter: %s\n", err);
			return 2;
		}
	}
	if (caps_drop(&x->a.keep, err, sizeof(err))) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		return 2;
	}
	caps_effective_str(caps, sizeof(caps));
	if (x->a.check) {
		print_check(x, r, caps);
		rc = r->replay || runner_hooked(r) == TPH_EV_MAX - 1 ? 0 : 1;
		return rc ? rc : -1;
	}
	rc = start_http(x);
	if (rc)
		return rc;
	snprintf(web, sizeof(web), "%s%s%s", x->have_web && x->web.tls ? ", TLS" : "",
		 x->have_web && x->web.nusers ? ", basic auth" : "",
		 x->have_web && x->web.rate_interval_ns ? ", rate limit" : "");
	if (r->replay)
		fprintf(stderr, "tphtrace exporter: listening on %s (metrics at %s%s); serving "
			"the replay of %s (%llu records); capabilities kept: %s\n", x->bound,
			x->a.path, web, r->replay, (unsigned long long)r->replay_records, caps);
	else
		fprintf(stderr, "tphtrace exporter: listening on %s (metrics at %s%s); %d "
			"programs attached, %d of %d events hooked; BPF statistics %s; "
			"capabilities kept: %s\n", x->bound, x->a.path, web,
			r->c ? collector_nlinks(r->c) : 0, runner_hooked(r), TPH_EV_MAX - 1,
			x->stats_fd >= 0 ? "on" : "off", caps);
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	static struct exporter x = {
		.o = { .cmd = "exporter", .docs = exporter_docs,
		       .applies = OPT_F_JSON | OPT_F_VERBOSE | OPT_F_DURATION | OPT_F_PID |
				  OPT_F_REPLAY | OPT_F_AT | OPT_F_HOOKS | OPT_F_LIMITS |
				  OPT_F_POLL },
		.a = { .listen = EXPORTER_DEFAULT_LISTEN, .path = EXPORTER_DEFAULT_PATH,
		       .max_series = METRICS_DEFAULT_MAX_SERIES,
		       .lim.keepalive_timeout_ms = HTTPD_KEEPALIVE_TIMEOUT_MS },
		.stats_fd = -1,
		.listen_fd = -1,
	};
	struct argp argp = { exporter_opts, exporter_parse, NULL, exporter_doc, NULL, NULL,
			     NULL };
	struct runner_cfg cfg = { .o = &x.o, .live = RUN_LIVE, .recover = true,
				  .keep_waiting = true, .loop_replay = true, .tick_ms = 1000 };
	struct runner_ops ops = { .on_record = on_record, .on_lost = on_lost,
				  .on_ready = on_ready, .on_tick = on_tick, .ctx = &x };
	char err[512];
	int rc;

	rc = opts_parse(&x.o, &argp, &x.a, argc, argv);
	if (rc)
		return rc;
	httpd_limits_default(&x.a.lim);
	/* before any BPF: a host without the HTTP libraries learns it at once */
	if (httplib_load(err, sizeof(err))) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		return 2;
	}
	/* certificates and keys are often readable by root only: read them now */
	if (x.a.web_config) {
		if (webcfg_load(x.a.web_config, &x.web, err, sizeof(err))) {
			fprintf(stderr, "tphtrace exporter: --web.config.file: %s\n", err);
			return 2;
		}
		x.have_web = true;
		if (x.web.http2_given && x.web.http2)
			fprintf(stderr, "tphtrace exporter: %s: http_server_config.http2: "
				"HTTP/2 is not offered (libmicrohttpd speaks HTTP/1.1); "
				"clients negotiate HTTP/1.1\n", x.a.web_config);
	}
	if (metrics_init(&x.m, x.a.max_series) || feed_init(&x.f, &x.o.fo)) {
		fprintf(stderr, "tphtrace exporter: out of memory\n");
		metrics_free(&x.m);
		if (x.have_web)
			webcfg_free(&x.web);
		return 2;
	}
	x.m.model = &x.f.m;
	x.m.start_time = (double)time(NULL);
	pthread_mutex_init(&x.lock, NULL);
	rc = enable_stats(&x);
	if (!rc)
		rc = runner_run(&run, &cfg, &ops);
	httpd_stop(x.h);
	x.h = NULL;
	if (x.listen_fd >= 0)
		close(x.listen_fd);
	runner_close(&run);
	if (x.stats_fd >= 0)
		close(x.stats_fd);
	feed_close(&x.f);
	metrics_free(&x.m);
	pthread_mutex_destroy(&x.lock);
	if (x.have_web)
		webcfg_free(&x.web);
	return rc;
}
