// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace top: a live table, one row per dma-buf, refreshed every second:
 * exporter, size, published tag (width, ST, PH), holders, importers, MRs
 * with and without TPH, findings. Plain ANSI (clear + home) on a terminal,
 * plain frames otherwise; --once / -n COUNT for scripts.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "cmds.h"
#include "record.h"
#include "replay.h"

enum sort_key { SORT_INODE, SORT_SIZE, SORT_MRS, SORT_NOTPH, SORT_EXPORTER };

static const char *const sort_names[] = {
	[SORT_INODE] = "inode",
	[SORT_SIZE] = "size",
	[SORT_MRS] = "mrs",
	[SORT_NOTPH] = "no-tph",
	[SORT_EXPORTER] = "exporter",
};

struct top_args {
	struct feed_opts fo;
	enum sort_key sort;
	long count;		/* frames; 0: until Ctrl-C */
	const char *replay;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

enum { OPT_ONCE = 0x100 };

static const struct argp_option top_opts[] = {
	{ "sort", 's', "KEY", 0, "Sort by inode, size, mrs, no-tph or exporter (default mrs)", 0 },
	{ "count", 'n', "COUNT", 0, "Print COUNT frames, then exit", 0 },
	{ "once", OPT_ONCE, NULL, 0, "Print one frame and exit (same as -n 1)", 0 },
	{ "replay", 'r', "FILE", 0,
	  "Show the state at the end of a 'tphtrace trace -j' file (one frame)", 0 },
	FEED_OPTIONS,
	{},
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	char err[160];
	char *end;
	size_t i;
	int ret;

	switch (key) {
	case 's':
		for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
			if (!strcmp(arg, sort_names[i]))
				break;
		if (i == sizeof(sort_names) / sizeof(sort_names[0]))
			argp_error(state, "unknown sort key '%s' (inode, size, mrs, no-tph, "
				   "exporter)", arg);
		a->sort = (enum sort_key)i;
		break;
	case 'n':
		errno = 0;
		a->count = strtol(arg, &end, 10);
		if (errno || *end || a->count <= 0)
			argp_error(state, "invalid count '%s'", arg);
		break;
	case OPT_ONCE:
		a->count = 1;
		break;
	case 'r':
		a->replay = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		ret = feed_parse_opt(&a->fo, key, arg, err, sizeof(err));
		if (ret == 1)
			return ARGP_ERR_UNKNOWN;
		if (ret)
			argp_error(state, "%s", err);
	}
	return 0;
}

static const char top_doc[] =
"Live table of dma-bufs: exporter, size, published steering tag (width, ST, "
"PH), holders, importers, MRs with and without TPH, findings; refreshed every "
"second. Dma-bufs that existed before start are recovered as in 'list'.\v"
"EXAMPLES:\n"
"  tphtrace top                  # until Ctrl-C\n"
"  tphtrace top -s no-tph        # MRs that did not get a tag first\n"
"  tphtrace top --once           # one frame, for scripts\n";

/* ---- sorting ------------------------------------------------------------------- */

static const struct model *sort_m;
static enum sort_key sort_k;

static int cmp_rows(const void *pa, const void *pb)
{
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct m_buf *a = M_BUF(sort_m, ia), *b = M_BUF(sort_m, ib);
	uint64_t x = model_buf_ino(sort_m, ia), y = model_buf_ino(sort_m, ib);
	int c = 0;

	switch (sort_k) {
	case SORT_SIZE:
		c = a->size < b->size ? 1 : a->size > b->size ? -1 : 0;
		break;
	case SORT_MRS:
		c = (b->mrs_tph + b->mrs_notph) - (a->mrs_tph + a->mrs_notph);
		break;
	case SORT_NOTPH:
		c = b->mrs_notph - a->mrs_notph;
		break;
	case SORT_EXPORTER:
		/* by exporter name, then device (in the order devices were seen) */
		c = strcmp(a->exp_name, b->exp_name);
		if (!c)
			c = (int)a->exporter - (int)b->exporter;
		break;
	case SORT_INODE:
		break;
	}
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/* ---- frame ------------------------------------------------------------------------ */

static void holders_short(const struct model *m, const struct m_buf *b, char *s, size_t len)
{
	const struct m_holder *h;

	if (b->holder_head == M_NONE) {
		snprintf(s, len, "-");
		return;
	}
	h = M_HOLDER(m, b->holder_head);
	if (b->nholders > 1)
		snprintf(s, len, "%u:%s,+%u", h->tgid, h->comm, b->nholders - 1);
	else
		snprintf(s, len, "%u:%s", h->tgid, h->comm);
}

static void importers_short(const struct model *m, const struct m_buf *b, char *s,
			    size_t len)
{
	char dev[96];

	if (b->attach_head == M_NONE) {
		snprintf(s, len, "-");
		return;
	}
	model_dev_str(m, M_ATTACH(m, b->attach_head)->importer, dev, sizeof(dev));
	if (b->nattach > 1)
		snprintf(s, len, "%s,+%u", dev, b->nattach - 1);
	else
		snprintf(s, len, "%s", dev);
}

static void frame(FILE *out, struct feed *f, const struct top_args *a, bool tty)
{
	const struct model *m = &f->m;
	const struct finding **fv;
	char exp[96], dev[64], size[16], tag[48], hold[64], imp[128], when[16];
	uint32_t *v, *nf, n, nfind, i, shown = 0, mr_tph = 0;
	struct winsize ws;
	time_t now = time(NULL);
	int budget = 0;

	rules_eval_state(&f->rs);
	for (i = 0; i < m->p[MP_MR].fresh; i++)
		if ((m->p[MP_MR].flags[i] & POOL_USED) && M_MR(m, i)->ph != TPH_NO_PH)
			mr_tph++;
	if (tty && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row > 8)
		budget = ws.ws_row;
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	if (tty)
		fputs("\033[H\033[2J", out);
	fprintf(out, "tphtrace top - %s  ", when);
	if (f->replay)
		fprintf(out, "replay %s (%" PRIu64 " records)\n", f->replay, f->replay_records);
	else if (f->live)
		fprintf(out, "live: %d of %d events hooked\n", f->hooked, TPH_EV_MAX - 1);
	else
		fprintf(out, "live: unavailable: %s (showing the state recovered at start)\n",
			f->live_err);
	if (f->recovered) {
		char st[256];

		state_report_summary(&f->st, st, sizeof(st));
		fprintf(out, "recovered at start: %s; %s\n", st, f->st.mrs);
	}
	fprintf(out, "dma-bufs %u  attachments %u  MRs %u (TPH %u, no TPH %u, pre-start %u)  "
		"findings %u (%" PRIu64 " error, %" PRIu64 " warning, %" PRIu64 " info)  lost %"
		PRIu64 "  evicted %" PRIu64 "  sort %s\n\n", m->p[MP_BUF].used,
		m->p[MP_ATTACH].used, m->p[MP_MR].used, mr_tph,
		m->p[MP_MR].used - mr_tph - m->mrs_pre_start, m->mrs_pre_start, f->rs.n,
		f->rs.by_sev[SEV_ERROR],
		f->rs.by_sev[SEV_WARNING], f->rs.by_sev[SEV_INFO], m->lost, model_evictions(m),
		sort_names[a->sort]);
	fprintf(out, "%-10s %-30s %7s %-24s %-20s %-24s %4s %4s %5s %4s\n", "INODE",
		"EXPORTER", "SIZE", "TAG", "HOLDERS", "IMPORTERS", "MRS", "TPH", "NOTPH",
		"FIND");
	v = model_sorted(m, MP_BUF, &n);
	nf = rules_count_by_buf(&f->rs);
	sort_m = m;
	sort_k = a->sort;
	if (v)
		qsort(v, n, sizeof(*v), cmp_rows);
	for (i = 0; v && i < n; i++) {
		const struct m_buf *b = M_BUF(m, v[i]);

		if (budget && (int)i >= budget - 12)
			break;
		model_dev_str(m, b->exporter, dev, sizeof(dev));
		snprintf(exp, sizeof(exp), "%.16s%s%s", b->exp_name[0] ? b->exp_name : "?",
			 b->exporter != M_NODEV ? " " : "", b->exporter != M_NODEV ? dev : "");
		model_size_str(b->size, size, sizeof(size));
		model_buf_tag_str(b, tag, sizeof(tag));
		holders_short(m, b, hold, sizeof(hold));
		importers_short(m, b, imp, sizeof(imp));
		fprintf(out, "%-10" PRIu64 " %-30.30s %7s %-24.24s %-20.20s %-24.24s %4u %4u "
			"%5u %4u%s\n", model_buf_ino(m, v[i]), exp, size, tag, hold, imp,
			b->mrs_tph + b->mrs_notph, b->mrs_tph, b->mrs_notph,
			nf ? nf[v[i]] : 0, b->bflags & MB_REVOKED ? " revoked" : "");
		shown++;
	}
	if (!n)
		fprintf(out, "(no dma-bufs)\n");
	else if (shown < n)
		fprintf(out, "... %u more (resize the terminal or use 'tphtrace list')\n",
			n - shown);
	free(v);
	free(nf);
	fv = rules_sorted(&f->rs, &nfind);
	if (fv && nfind) {
		fprintf(out, "\n%-8s %-7s %-10s %s\n", "RULE", "SEV", "INODE", "FINDING");
		for (i = 0; i < nfind && i < 5; i++) {
			const struct rule *r = &tph_rules[fv[i]->rule];

			fprintf(out, "%-8s %-7s %-10" PRIu64 " %s%s%s\n", r->id,
				rule_sev_name(r->sev), fv[i]->ino, r->title,
				fv[i]->device[0] ? " @ " : "", fv[i]->device);
		}
		if (nfind > 5)
			fprintf(out, "... %u more ('tphtrace check' explains each)\n", nfind - 5);
	}
	free(fv);
	fflush(out);
}

int cmd_top(int argc, char **argv)
{
	struct argp argp = { top_opts, top_parse, NULL, top_doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct state_opts so = {};
	struct top_args a = { .sort = SORT_MRS };
	bool tty = isatty(STDOUT_FILENO);
	struct feed f;
	char err[320];
	long frames = 0;
	int ret;

	feed_default_opts(&a.fo);
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	if (feed_init(&f, &a.fo)) {
		fprintf(stderr, "tphtrace top: out of memory\n");
		return 2;
	}
	if (a.replay) {
		ret = feed_replay(&f, a.replay, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tphtrace top: %s\n", err);
			feed_close(&f);
			return 2;
		}
		frame(stdout, &f, &a, false);
		feed_close(&f);
		return 0;
	}
	feed_open_live(&f, &a.fo);
	so.verbose = a.fo.verbose;
	feed_recover(&f, &so);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!exiting) {
		double next = feed_now_s() + 1.0, left;

		frame(stdout, &f, &a, tty && a.count != 1);
		if (a.count && ++frames >= a.count)
			break;
		if (!tty)
			fputc('\n', stdout);
		while (!exiting && (left = next - feed_now_s()) > 0) {
			if (f.live) {
				ret = feed_poll(&f, (int)(left * 1000) + 1);
				if (ret < 0 && ret != -EINTR) {
					fprintf(stderr, "tphtrace top: ring buffer: %s\n",
						strerror(-ret));
					exiting = 1;
				}
			} else {
				usleep((useconds_t)(left * 1e6));
			}
		}
	}
	feed_close(&f);
	return 0;
}
