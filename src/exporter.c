// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace exporter: Prometheus metrics over HTTP (libmicrohttpd).
 *
 * Start-up order matters (docs/exporter.md, "Privileges"):
 *   1. enable kernel BPF statistics (BPF_ENABLE_STATS, CAP_SYS_ADMIN), hold the fd
 *   2. load and attach the BPF programs (collector)
 *   3. bind the listening socket
 *   4. drop capabilities (--capabilities.keep) while the process has one thread
 *   5. start the HTTP server thread, which inherits the reduced sets
 * The main thread then feeds records into the metrics; the HTTP thread
 * renders them. One mutex serialises both.
 */
#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/poll.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "caps.h"
#include "cmds.h"
#include "collect.h"
#include "httpd.h"
#include "metrics.h"
#include "record.h"
#include "replay.h"
#include "webcfg.h"

/* Default port: see docs/exporter.md, "Default port". */
#define EXPORTER_DEFAULT_LISTEN	"127.0.0.1:10435"
#define EXPORTER_DEFAULT_PATH	"/metrics"

struct exporter_args {
	const char *listen;
	const char *path;
	const char *web_config;
	struct httpd_limits lim;
	struct caps_keep keep;
	const char *keep_arg;
	struct hook_force force;
	struct feed_opts fo;		/* model limits */
	const char *replay;
	unsigned int max_series;
	bool check;
	bool no_stats;
	bool verbose;
	double poll_interval;		/* --poll-interval, 0: default */
};

struct exporter {
	struct exporter_args *a;
	pthread_mutex_t lock;
	struct metrics m;
	struct feed f;		/* the live model and rules, as for list/top/check */
	bool have_feed;
	struct collector *c;
	int stats_fd;
	int uevent_fd;		/* only while no collector runs */
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

enum {
	OPT_LISTEN = 0x100,
	OPT_PATH,
	OPT_KEEP,
	OPT_HOOKS,
	OPT_CHECK,
	OPT_MAX_SERIES,
	OPT_NO_STATS,
	OPT_REPLAY,
	OPT_WEB_CONFIG,
	OPT_MAX_CONNS,
	OPT_MAX_CONNS_IP,
	OPT_REQ_TIMEOUT,
	OPT_KA_TIMEOUT,
	OPT_MAX_REQ_BYTES,
	OPT_POLL_INTERVAL,
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
	{ "hooks", OPT_HOOKS, "EVENT=FAMILY", 0,
	  "Force a hook family for EVENT or 'all' (tp_btf, raw_tp, fentry, kprobe; "
	  "iter for dmabuf_export, dmabuf_release)", 0 },
	POLL_INTERVAL_OPT(OPT_POLL_INTERVAL),
	{ "no-bpf-stats", OPT_NO_STATS, NULL, 0,
	  "Do not enable kernel BPF run-time statistics (saves ~20 ns per program "
	  "run; the program run-time metrics then stay at 0)", 0 },
	{ "replay", OPT_REPLAY, "FILE", 0,
	  "Serve the metrics of a 'tphtrace trace -j' file ('-': stdin) instead of "
	  "tracing this host: no BPF, no privileges", 0 },
	FEED_LIMIT_OPTIONS,
	{ "check", OPT_CHECK, NULL, 0,
	  "Load and attach, drop capabilities, print the result and exit: 0 every "
	  "event hooked, 1 some unavailable, 2 error", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output, HTTP errors", 0 },
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

static error_t exporter_parse(int key, char *arg, struct argp_state *state)
{
	struct exporter_args *a = state->input;
	char err[200], *end;
	unsigned long n;

	switch (key) {
	case OPT_WEB_CONFIG:
		a->web_config = arg;
		break;
	case OPT_MAX_CONNS:
		if (parse_limit(arg, 1, 65536, &n))
			argp_error(state, "invalid connection limit '%s' (1..65536)", arg);
		a->lim.max_conns = n;
		break;
	case OPT_MAX_CONNS_IP:
		if (parse_limit(arg, 1, 65536, &n))
			argp_error(state, "invalid per-address connection limit '%s' (1..65536)",
				   arg);
		a->lim.max_conns_per_ip = n;
		break;
	case OPT_MAX_REQ_BYTES:
		if (parse_limit(arg, 1024, 1 << 20, &n))
			argp_error(state, "invalid request size limit '%s' (1024..1048576)", arg);
		a->lim.max_request_bytes = n;
		break;
	case OPT_REQ_TIMEOUT:
		if (parse_timeout(arg, &a->lim.request_timeout_ms) || !a->lim.request_timeout_ms)
			argp_error(state, "invalid request timeout '%s' (a duration such as "
				   "10s, up to 24h, not 0)", arg);
		break;
	case OPT_KA_TIMEOUT:
		if (parse_timeout(arg, &a->lim.keepalive_timeout_ms))
			argp_error(state, "invalid keep-alive timeout '%s' (a duration such "
				   "as 30s, up to 24h; 0 turns keep-alive off)", arg);
		break;
	case OPT_LISTEN:
		a->listen = arg;
		break;
	case OPT_PATH:
		if (!httpd_path_ok(arg))
			argp_error(state, "invalid telemetry path '%s' (want /NAME, "
				   "characters A-Z a-z 0-9 / . _ ~ -)", arg);
		a->path = arg;
		break;
	case OPT_KEEP:
		if (caps_parse_keep(arg, &a->keep, err, sizeof(err)))
			argp_error(state, "%s", err);
		a->keep_arg = arg;
		break;
	case OPT_MAX_SERIES:
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno || *end || !*arg || n > 1000000)
			argp_error(state, "invalid series cap '%s'", arg);
		a->max_series = n;
		break;
	case OPT_HOOKS:
		if (hooks_parse_force(&a->force, arg, err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	case OPT_NO_STATS:
		a->no_stats = true;
		break;
	case OPT_POLL_INTERVAL:
		if (collector_parse_interval(arg, &a->poll_interval))
			argp_error(state, "invalid poll interval '%s' (seconds, >= 0.01)", arg);
		break;
	case OPT_CHECK:
		a->check = true;
		break;
	case OPT_REPLAY:
		a->replay = arg;
		break;
	case 'v':
		a->verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		switch (feed_parse_opt(&a->fo, key, arg, err, sizeof(err))) {
		case 0:
			break;
		case 1:
			return ARGP_ERR_UNKNOWN;
		default:
			argp_error(state, "%s", err);
		}
	}
	return 0;
}

static const char exporter_doc[] =
"Serve TPH metrics to Prometheus: TPH publishes and queries, MR registrations "
"by importer, exporter, width, source and reason, and tphtrace's own health "
"(hooks attached, records lost, BPF program run time).\n"
"\nThe metrics are in the Prometheus text format at the telemetry path, a "
"landing page at /. Needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to start; "
"CAP_SYS_ADMIN also enables BPF run-time statistics. After attaching it keeps "
"only the capabilities named by --capabilities.keep. On a kernel where no event "
"can be hooked it still serves its self-metrics (tphtrace_collector_up 0).\v"
"EXAMPLES:\n"
"  tphtrace exporter                              # 127.0.0.1:10435/metrics\n"
"  tphtrace exporter --web.listen-address=:10435  # every interface\n"
"  tphtrace exporter --check                      # attach, report, exit\n"
"  tphtrace exporter --capabilities.keep=reattach # re-hook on module load\n"
"  curl -s localhost:10435/metrics | promtool check metrics\n";

/* ---- collector side (main thread) ---- */

/* every record: counters, then the model and its rules */
static int on_record(void *ctx, const union tph_record *rec)
{
	struct exporter *x = ctx;

	pthread_mutex_lock(&x->lock);
	metrics_record(&x->m, rec);
	if (x->have_feed)
		feed_record(&x->f, rec);
	pthread_mutex_unlock(&x->lock);
	return 0;
}

static void on_replay_lost(void *ctx, uint64_t total, uint64_t ringbuf, uint64_t state)
{
	struct exporter *x = ctx;
	uint64_t lost[TPH_DROP_MAX] = { [TPH_DROP_RINGBUF] = ringbuf,
					[TPH_DROP_STATE] = state };

	pthread_mutex_lock(&x->lock);
	metrics_set_lost(&x->m, lost);
	if (x->have_feed)
		feed_lost(&x->f, total, ringbuf, state);
	pthread_mutex_unlock(&x->lock);
}

static void refresh_self(struct exporter *x)
{
	uint64_t lost[TPH_DROP_MAX] = {};
	bool have_lost;

	have_lost = x->c && !collector_lost(x->c, lost);
	pthread_mutex_lock(&x->lock);
	if (have_lost) {
		metrics_set_lost(&x->m, lost);
		if (x->have_feed)
			model_set_lost(&x->f.m, lost[TPH_DROP_RINGBUF] + lost[TPH_DROP_STATE],
				       lost[TPH_DROP_RINGBUF], lost[TPH_DROP_STATE]);
	}
	if (x->c) {
		metrics_set_plan(&x->m, collector_plan(x->c));
		x->m.nlinks = collector_nlinks(x->c);
	}
	x->m.collector_up = x->c != NULL;
	pthread_mutex_unlock(&x->lock);
}

static void render_model(void *ctx, struct prom_writer *w)
{
	struct exporter *x = ctx;

	if (!x->have_feed)
		return;
	rules_eval_state(&x->f.rs);
	metrics_render_model(&x->m, w, &x->f.m, &x->f.rs);
}

/* No collector (nothing hookable): the plan says why, for hooks_attached. */
static void plan_without_collector(struct exporter *x)
{
	struct sys_probe *p;
	struct probe_ops ops;
	struct hook_plan plan;
	char err[256];

	if (sys_probe_new(&p, err, sizeof(err))) {
		metrics_set_plan(&x->m, NULL);
		return;
	}
	sys_probe_ops(p, &ops);
	hooks_plan(&ops, &x->a->force, &plan);
	sys_probe_free(p);
	pthread_mutex_lock(&x->lock);
	metrics_set_plan(&x->m, &plan);
	pthread_mutex_unlock(&x->lock);
}

static int open_collector(struct exporter *x, char *err, size_t errlen)
{
	struct collector_opts o = {
		.force = &x->a->force,
		.verbose = x->a->verbose,
		.poll_interval_s = x->a->poll_interval,
		.on_record = on_record,
		.ctx = x,
	};

	return collector_open(&x->c, &o, err, errlen);
}

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Without a collector: a module load may make hooks possible; try again. */
static void wait_module(struct exporter *x, int timeout_ms)
{
	struct pollfd pfd = { .fd = x->uevent_fd, .events = POLLIN };
	char buf[4096], err[256];
	bool loaded = false;
	ssize_t n;

	if (x->uevent_fd < 0) {
		poll(NULL, 0, timeout_ms);
		return;
	}
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	while ((n = recv(x->uevent_fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (!strncmp(buf, "add@/module/", 12))
			loaded = true;
	}
	if (!loaded || check_privileges(err, sizeof(err)))
		return;
	if (open_collector(x, err, sizeof(err)) == 0) {
		fprintf(stderr, "tphtrace exporter: module loaded: collector started, "
			"%d programs attached\n", collector_nlinks(x->c));
		close(x->uevent_fd);
		x->uevent_fd = -1;
	}
}

/* ---- HTTP side (server thread) ---- */

/*
 * Full program names. bpf_prog_info.name is cut at 15 characters, which
 * makes several of ours ("tp_btf__dma_buf...") look alike; the full name is
 * the BTF name of the program's first function. Reading func_info needs
 * CAP_BPF, so the names are resolved once per program id while privileged
 * (before the capabilities are dropped) and cached; a program that cannot be
 * resolved is named "<short name>_<id>" so that every series stays unique.
 */
struct prog_name {
	uint32_t id;
	char name[64];
};
static struct prog_name prog_names[METRICS_MAX_PROGS];
static unsigned int nprog_names;

/* the BTF object @btf_id from a BTF fd this process holds (no privilege) */
static struct btf *btf_from_held_fd(uint32_t btf_id)
{
	struct bpf_btf_info bi;
	struct dirent *de;
	struct btf *btf = NULL;
	char target[64];
	uint32_t len;
	ssize_t tl;
	void *data;
	DIR *d;
	int fd;

	d = opendir("/proc/self/fd");
	if (!d)
		return NULL;
	while (!btf && (de = readdir(d))) {
		tl = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (tl <= 0)
			continue;
		target[tl] = '\0';
		if (strcmp(target, "anon_inode:btf"))
			continue;
		fd = atoi(de->d_name);
		memset(&bi, 0, sizeof(bi));
		len = sizeof(bi);
		if (bpf_obj_get_info_by_fd(fd, &bi, &len) || bi.id != btf_id || !bi.btf_size)
			continue;
		data = calloc(1, bi.btf_size);
		if (!data)
			break;
		len = sizeof(bi);
		bi.btf = (uintptr_t)data;
		if (!bpf_obj_get_info_by_fd(fd, &bi, &len))
			btf = btf__new(data, bi.btf_size);
		free(data);
		if (btf && libbpf_get_error(btf))
			btf = NULL;
	}
	closedir(d);
	return btf;
}

static void prog_full_name(int fd, const struct bpf_prog_info *info0, char *out,
			   size_t len)
{
	struct bpf_func_info fi = {};
	struct bpf_prog_info info;
	const struct btf_type *t;
	const char *name = NULL;
	struct btf *btf = NULL;
	uint32_t ilen = sizeof(info);
	unsigned int i;

	for (i = 0; i < nprog_names; i++) {
		if (prog_names[i].id == info0->id) {
			snprintf(out, len, "%s", prog_names[i].name);
			return;
		}
	}
	memset(&info, 0, sizeof(info));
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi);
	info.func_info = (uintptr_t)&fi;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen) && info.nr_func_info && info.btf_id) {
		btf = btf__load_from_kernel_by_id(info.btf_id);
		if (libbpf_get_error(btf))
			btf = btf_from_held_fd(info.btf_id);
		if (btf) {
			t = btf__type_by_id(btf, fi.type_id);
			name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		}
	}
	if (name && *name) {
		snprintf(out, len, "%s", name);
		if (nprog_names < METRICS_MAX_PROGS) {
			prog_names[nprog_names].id = info0->id;
			snprintf(prog_names[nprog_names].name,
				 sizeof(prog_names[nprog_names].name), "%s", name);
			nprog_names++;
		}
	} else {
		snprintf(out, len, "%s_%u", info0->name[0] ? info0->name : "prog", info0->id);
	}
	btf__free(btf);
}

/* This process's BPF programs: the fds it holds (statistics need no privilege). */
static size_t gather_progs(struct metrics_prog *out, size_t max)
{
	char target[64];
	struct bpf_prog_info info;
	uint32_t ids[METRICS_MAX_PROGS];
	uint32_t len;
	struct dirent *de;
	size_t n = 0, i;
	ssize_t tl;
	DIR *d;
	int fd;

	d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		fd = atoi(de->d_name);
		tl = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		if (tl <= 0)
			continue;
		target[tl] = '\0';
		if (strcmp(target, "anon_inode:bpf-prog"))
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		for (i = 0; i < n && ids[i] != info.id; i++)
			;
		if (i < n)
			continue;	/* same program through another fd */
		ids[n] = info.id;
		prog_full_name(fd, &info, out[n].name, sizeof(out[n].name));
		out[n].run_time_ns = info.run_time_ns;
		out[n].run_cnt = info.run_cnt;
		out[n].recursion_misses = info.recursion_misses;
		n++;
	}
	closedir(d);
	return n;
}

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

static void render(void *ctx, struct prom_buf *out)
{
	struct exporter *x = ctx;
	static struct metrics_prog progs[METRICS_MAX_PROGS];	/* server thread only */
	size_t n = gather_progs(progs, METRICS_MAX_PROGS);
	bool stats = x->stats_fd >= 0 || stats_sysctl_on();

	pthread_mutex_lock(&x->lock);
	x->m.stats_enabled = stats;
	metrics_render(&x->m, out, progs, n, render_model, x);
	pthread_mutex_unlock(&x->lock);
}

static void count(void *ctx, unsigned int code)
{
	struct exporter *x = ctx;

	pthread_mutex_lock(&x->lock);
	metrics_http_request(&x->m, code);
	pthread_mutex_unlock(&x->lock);
}

/* ---- main ---- */

static int hooked_events(struct exporter *x)
{
	int k, n = 0;

	for (k = 1; k < TPH_EV_MAX; k++)
		n += x->m.hook_family[k] != TPH_HOOK_NONE;
	return n;
}

int cmd_exporter(int argc, char **argv)
{
	struct argp argp = { exporter_opts, exporter_parse, NULL, exporter_doc,
			     NULL, NULL, NULL };
	struct exporter_args a = {
		.listen = EXPORTER_DEFAULT_LISTEN,
		.path = EXPORTER_DEFAULT_PATH,
		.keep_arg = "none",
		.max_series = METRICS_DEFAULT_MAX_SERIES,
		.lim.keepalive_timeout_ms = HTTPD_KEEPALIVE_TIMEOUT_MS,
	};
	struct webcfg web;
	bool have_web = false;
	struct state_opts so = {};
	struct replay_ops ro = { on_record, on_replay_lost, NULL };
	long nrec;
	struct exporter x = { .a = &a, .stats_fd = -1, .uevent_fd = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct httpd_opts ho = {};
	struct httpd *h = NULL;
	sigset_t block, old;
	char err[512], bound[80], caps[256], title[64], web_desc[64];
	int ret, fd, rc = 2, hooked;

	feed_default_opts(&a.fo);
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	httpd_limits_default(&a.lim);
	/* certificates and keys are often readable by root only: read them now */
	if (a.web_config) {
		if (webcfg_load(a.web_config, &web, err, sizeof(err))) {
			fprintf(stderr, "tphtrace exporter: --web.config.file: %s\n", err);
			return 2;
		}
		have_web = true;
		if (web.http2_given && web.http2)
			fprintf(stderr, "tphtrace exporter: %s: http_server_config.http2: "
				"HTTP/2 is not offered (libmicrohttpd speaks HTTP/1.1); "
				"clients negotiate HTTP/1.1\n", a.web_config);
	}
	if (metrics_init(&x.m, a.max_series) || feed_init(&x.f, &a.fo)) {
		fprintf(stderr, "tphtrace exporter: out of memory\n");
		metrics_free(&x.m);
		if (have_web)
			webcfg_free(&web);
		return 2;
	}
	x.have_feed = true;
	x.m.model = &x.f.m;
	pthread_mutex_init(&x.lock, NULL);
	x.m.start_time = (double)time(NULL);

	if (a.replay) {
		/* a recorded trace: no BPF, no privileges, no hooks */
		ro.ctx = &x;
		nrec = replay_file(a.replay, &ro, err, sizeof(err));
		if (nrec < 0) {
			fprintf(stderr, "tphtrace exporter: %s\n", err);
			goto out;
		}
		fprintf(stderr, "tphtrace exporter: replayed %ld records from %s\n",
			nrec, a.replay);
		hooked = 0;
		goto listen;
	}
	ret = check_privileges(err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		goto out;
	}
	/* 1. kernel BPF statistics, only while we run (fd held) */
	if (!a.no_stats) {
		x.stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (x.stats_fd < 0)
			fprintf(stderr, "tphtrace exporter: cannot enable BPF statistics "
				"(%s; needs CAP_SYS_ADMIN): program run times stay 0\n",
				strerror(errno));
	}
	/* 2. load and attach */
	ret = open_collector(&x, err, sizeof(err));
	if (ret == -ENOENT) {
		fprintf(stderr, "tphtrace exporter: %s; serving self-metrics only\n", err);
		x.c = NULL;
		plan_without_collector(&x);
		x.uevent_fd = uevent_open();
	} else if (ret) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		goto out;
	}
	refresh_self(&x);
	hooked = hooked_events(&x);
	/* dma-bufs that existed before start (needs the privileges to read other
	 * processes' fds) */
	so.verbose = a.verbose;
	feed_recover(&x.f, &so);
	/* tphtrace_mrs_pre_start is absent when this failed: say why */
	fprintf(stderr, "tphtrace exporter: %s\n", x.f.st.mrs);

listen:
	/* 3. bind while privileged (ports below 1024) */
	fd = -1;
	if (!a.check) {
		fd = httpd_listen(a.listen, bound, sizeof(bound), err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "tphtrace exporter: %s\n", err);
			goto out;
		}
	}
	/* program names need CAP_BPF: resolve them now (cached by program id) */
	{
		static struct metrics_prog warm[METRICS_MAX_PROGS];

		gather_progs(warm, METRICS_MAX_PROGS);
	}
	/* 4. drop capabilities: still one thread, so every thread gets the result */
	if (caps_drop(&a.keep, err, sizeof(err))) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	caps_effective_str(caps, sizeof(caps));
	if (a.check) {
		if (a.replay) {
			printf("tphtrace exporter: check: replay of %s, capabilities kept: %s\n",
			       a.replay, caps);
			rc = 0;
			goto out;
		}
		printf("tphtrace exporter: check: %d programs attached, %d of %d events "
		       "hooked, BPF statistics %s, capabilities kept: %s\n",
		       x.c ? collector_nlinks(x.c) : 0, hooked, TPH_EV_MAX - 1,
		       x.stats_fd >= 0 ? "on" : "off", caps);
		rc = hooked == TPH_EV_MAX - 1 ? 0 : 1;
		goto out;
	}

	/* 5. the HTTP thread: without our signals, so that they reach this one */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	snprintf(title, sizeof(title), "tphtrace exporter %s", TPHTRACE_VERSION);
	ho.listen_fd = fd;
	ho.telemetry_path = a.path;
	ho.landing_title = title;
	ho.render = render;
	ho.count = count;
	ho.ctx = &x;
	ho.verbose = a.verbose;
	ho.lim = a.lim;
	ho.web = have_web ? &web : NULL;
	ret = httpd_start(&h, &ho, err, sizeof(err));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		fprintf(stderr, "tphtrace exporter: %s\n", err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	snprintf(web_desc, sizeof(web_desc), "%s%s%s",
		 have_web && web.tls ? ", TLS" : "",
		 have_web && web.nusers ? ", basic auth" : "",
		 have_web && web.rate_interval_ns ? ", rate limit" : "");
	if (a.replay)
		fprintf(stderr, "tphtrace exporter: listening on %s (metrics at %s%s); "
			"serving the replay of %s; capabilities kept: %s\n", bound,
			a.path, web_desc, a.replay, caps);
	else
		fprintf(stderr, "tphtrace exporter: listening on %s (metrics at %s%s); "
			"%d programs attached, %d of %d events hooked; BPF statistics %s; "
			"capabilities kept: %s\n", bound, a.path, web_desc,
			x.c ? collector_nlinks(x.c) : 0, hooked, TPH_EV_MAX - 1,
			x.stats_fd >= 0 ? "on" : "off", caps);

	rc = 0;
	while (!exiting) {
		if (a.replay) {
			pause();
			continue;
		}
		if (!x.c) {
			wait_module(&x, 1000);
			refresh_self(&x);
			continue;
		}
		ret = collector_poll(x.c, 1000);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "tphtrace exporter: ring buffer: %s\n",
				strerror(-ret));
			rc = 2;
			break;
		}
		refresh_self(&x);
	}
out:
	httpd_stop(h);
	collector_close(x.c);
	if (x.uevent_fd >= 0)
		close(x.uevent_fd);
	if (x.stats_fd >= 0)
		close(x.stats_fd);
	if (x.have_feed)
		feed_close(&x.f);
	metrics_free(&x.m);
	pthread_mutex_destroy(&x.lock);
	if (have_web)
		webcfg_free(&web);
	return rc;
}
