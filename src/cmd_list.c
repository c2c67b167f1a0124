// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace list: one-shot inventory. Recovers the dma-bufs that exist,
 * optionally traces for a while first (-d), or replays a trace file, then
 * prints every dma-buf (exporter, size, published tag, holders, importers,
 * MRs with and without TPH, findings), every MR, every device and the
 * model's limits.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "cmds.h"
#include "record.h"
#include "replay.h"

struct list_args {
	struct feed_opts fo;
	bool json;
	double duration;
	const char *replay;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

static const struct argp_option list_opts[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "duration", 'd', "SECONDS", 0,
	  "Trace live for SECONDS first (Ctrl-C ends early), then print", 0 },
	{ NULL, 'D', "SECONDS", OPTION_HIDDEN, NULL, 0 },
	{ "replay", 'r', "FILE", 0,
	  "Inventory at the end of a 'tphtrace trace -j' file ('-': stdin) instead of "
	  "this host", 0 },
	FEED_OPTIONS,
	{},
};

static error_t list_parse(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;
	char err[160];
	int ret;

	switch (key) {
	case 'j':
		a->json = true;
		break;
	case 'd':
	case 'D':
		if (args_seconds(arg, &a->duration))
			argp_error(state, "invalid duration '%s'", arg);
		break;
	case 'r':
		a->replay = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->replay && a->duration > 0)
			argp_error(state, "--replay and --duration exclude each other");
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

static const char list_doc[] =
"One-shot inventory of dma-bufs (exporter, size, published steering tag, "
"holders, importers, MRs with and without TPH, findings), MRs, devices "
"(PCI TPH state, ST table use) and the model's limits.\n"
"\nDma-bufs that existed before start are recovered from /proc (fdinfo, maps) "
"and debugfs dma_buf/bufinfo; MRs that existed before start from the RDMA netlink "
"resource dump (what 'rdma resource show mr' reads; lkey/rkey need CAP_NET_ADMIN), "
"marked \"" MR_ORIGIN_PRE_START "\", with no TPH outcome. The output says what could "
"not be recovered, and why.\v"
"EXAMPLES:\n"
"  tphtrace list                    # what exists now\n"
"  tphtrace list -d 10 -j           # trace 10 s first, JSON\n"
"  tphtrace list --replay trace.jsonl\n";

/* ---- text ----------------------------------------------------------------------- */

static const char *req_str(uint8_t r)
{
	return r == TPH_UNKNOWN_U8 ? "?" : tph_req_type_name(r);
}

static const char *mode_str(uint8_t mode)
{
	switch (mode) {
	case 0:
		return "ns";
	case 1:
		return "iv";
	case 2:
		return "ds";
	default:
		return "?";
	}
}

static void print_source(FILE *out, const struct feed *f, const struct list_args *a)
{
	const struct model *m = &f->m;

	fprintf(out, "tphtrace list: %u dma-buf(s), %u MR(s)", m->p[MP_BUF].used,
		m->p[MP_MR].used);
	if (m->mrs_pre_start)
		fprintf(out, " (%u pre-start)", m->mrs_pre_start);
	fprintf(out, ", %u device(s), %" PRIu64 " finding(s)\n", m->ndevs, (uint64_t)f->rs.n);
	if (f->replay) {
		fprintf(out, "source: replay %s (%" PRIu64 " records)\n", f->replay,
			f->replay_records);
	} else {
		if (a->duration > 0 && f->live)
			fprintf(out, "live: traced %.1f s, %d of %d events hooked, %" PRIu64
				" record(s)\n", a->duration, f->hooked, TPH_EV_MAX - 1,
				m->records - m->iter_records);
		else if (a->duration > 0)
			fprintf(out, "live: unavailable: %s\n", f->live_err);
		else
			fprintf(out, "live: not traced (-d SECONDS traces first)\n");
		state_report_print(out, &f->st);
	}
}

static void print_bufs(FILE *out, const struct feed *f, const uint32_t *nfind)
{
	const struct model *m = &f->m;
	char exp[96], size[16], tag[64], hold[256], imp[320];
	uint32_t *v, n, i, bi;

	fprintf(out, "\nDMA-BUFS\n%-10s %-34s %7s %-26s %6s %6s %4s  %s\n", "INODE",
		"EXPORTER", "SIZE", "TAG", "TPH", "NO-TPH", "FIND", "STATE");
	v = model_sorted(m, MP_BUF, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_buf *b;
		char dev[64];

		bi = v[i];
		b = M_BUF(m, bi);
		model_dev_str(m, b->exporter, dev, sizeof(dev));
		snprintf(exp, sizeof(exp), "%s%s%s", b->exp_name[0] ? b->exp_name : "?",
			 b->exporter != M_NODEV ? " " : "",
			 b->exporter != M_NODEV ? dev : "");
		model_size_str(b->size, size, sizeof(size));
		model_buf_tag_str(b, tag, sizeof(tag));
		fprintf(out, "%-10" PRIu64 " %-34s %7s %-26s %6u %6u %4u  %s%s%s",
			model_buf_ino(m, bi), exp, size, tag, b->mrs_tph, b->mrs_notph,
			nfind ? nfind[bi] : 0,
			b->bflags & MB_SAMPLED ? "sampled" :
			b->bflags & MB_EXPORT_SEEN ? "traced" : "before-start",
			b->bflags & MB_REVOKED ? ",revoked" : "",
			b->pub_ret ? ",last-set-failed" : "");
		if (b->inval_count)
			fprintf(out, ",invalidated=%u", b->inval_count);
		if (b->name[0])
			fprintf(out, ",name=%s", b->name);
		fputc('\n', out);
		model_holders_str(m, bi, hold, sizeof(hold));
		model_importers_str(m, bi, imp, sizeof(imp));
		fprintf(out, "%-10s holders: %s\n%-10s importers: %s\n", "", hold, "", imp);
	}
	if (!n)
		fprintf(out, "(none)\n");
	free(v);
}

/*
 * MRs that existed before start: what the RDMA netlink dump said, and that
 * nothing is known of their TPH (registered before tphtrace watched).
 */
static void print_mrs_pre_start(FILE *out, const struct feed *f, const uint32_t *v,
				uint32_t n, uint32_t pre)
{
	const struct model *m = &f->m;
	char nic[64];
	uint32_t i;

	fprintf(out, "\nMRS FROM BEFORE START (" MR_ORIGIN_PRE_START "; TPH outcome not "
		"known: registered before start)\n");
	if (!f->st.mrs_ok) {
		fprintf(out, "(%s)\n", f->st.mrs);
		return;
	}
	fprintf(out, "%-26s %-10s %-10s %12s %6s %6s %s\n", "NIC", "LKEY", "RKEY", "LENGTH",
		"PDN", "MRN", "PROCESS");
	for (i = 0; v && i < n; i++) {
		const struct m_mr *x = M_MR(m, v[i]);
		char pdn[16], pid[16];

		if (!x->pre_start)
			continue;
		model_dev_str(m, x->nic, nic, sizeof(nic));
		snprintf(pdn, sizeof(pdn), x->pdn_known ? "%u" : "-", x->pdn);
		snprintf(pid, sizeof(pid), x->tgid ? "%u" : "-", x->tgid);
		fprintf(out, "%-26s 0x%-8x 0x%-8x %12" PRIu64 " %6s %6u %s %s\n", nic, x->mkey,
			x->rkey, x->length, pdn, x->mrn, pid, x->comm);
	}
	if (!pre)
		fprintf(out, "(none)\n");
}

static void print_mrs(FILE *out, const struct feed *f)
{
	const struct model *m = &f->m;
	uint32_t *v, n, i, shown = 0, pre = 0;
	char nic[64];

	fprintf(out, "\nMRS\n%-26s %-10s %-10s %-4s %-7s %5s %3s %-7s %-15s %-6s %s\n",
		"NIC", "MKEY", "INODE", "TPH", "ST", "INDEX", "PH", "SOURCE", "REASON",
		"REUSED", "PROCESS");
	v = model_sorted(m, MP_MR, &n);
	for (i = 0; v && i < n; i++) {
		const struct m_mr *x = M_MR(m, v[i]);
		char ph[8];

		if (x->pre_start) {
			pre++;
			continue;
		}
		shown++;
		model_dev_str(m, x->nic, nic, sizeof(nic));
		if (x->ph == TPH_NO_PH)
			snprintf(ph, sizeof(ph), "-");
		else
			snprintf(ph, sizeof(ph), "%u", x->ph);
		fprintf(out, "%-26s 0x%-8x %-10" PRIu64 " %-4s 0x%-5x %5u %3s %-7s %-15s %-6s "
			"%u %s\n", nic, x->mkey, x->ino, x->ph != TPH_NO_PH ? "yes" : "no",
			x->st, x->st_index, ph, tph_source_name(x->source),
			tph_reason_name(x->reason), x->reused ? "yes" : "no", x->tgid, x->comm);
	}
	if (!shown)
		fprintf(out, "(none)\n");
	if (f->recovered)
		print_mrs_pre_start(out, f, v, n, pre);
	free(v);
}

static void print_devices(FILE *out, const struct feed *f)
{
	const struct model *m = &f->m;
	char name[64], roles[64], tph[128], st[96];
	uint32_t i;

	fprintf(out, "\nDEVICES\n%-26s %-22s %-44s %-30s %s\n", "DEVICE", "ROLES",
		"PCI TPH", "ST TABLE", "MRS (TPH)");
	for (i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];

		model_dev_str(m, i, name, sizeof(name));
		model_roles_str(d->roles, roles, sizeof(roles));
		if (d->enabled == TPH_UNKNOWN_U8 && d->req_type == TPH_UNKNOWN_U8)
			snprintf(tph, sizeof(tph), "?");
		else
			snprintf(tph, sizeof(tph), "%s mode=%s req=%s offers=%s rp=%s%s",
				 d->enabled == 1 ? "on" : d->enabled == 0 ? "off" : "?",
				 mode_str(d->mode), req_str(d->req_type),
				 req_str(d->dev_req_type), req_str(d->rp_completer),
				 d->disabled_by_st_fail ? " DISABLED-AFTER-ST-WRITE-FAILURE" : "");
		if (d->st_direct == 1)
			snprintf(st, sizeof(st), "direct (no table)");
		else if (d->st_direct == 0 || d->st_used || d->st_full)
			snprintf(st, sizeof(st), "used=%u max_index=%u size=%s%s", d->st_used,
				 d->st_max_index, d->st_capacity ? "" : "?",
				 d->st_full ? " FULL-SEEN" : "");
		else
			snprintf(st, sizeof(st), "-");
		if (d->st_capacity) {
			char *p = strstr(st, "size=");

			if (p)
				snprintf(p, sizeof(st) - (size_t)(p - st), "size=%u%s",
					 d->st_capacity, d->st_full ? " FULL-SEEN" : "");
		}
		if (d->completer != TPH_UNKNOWN_U8 && (d->roles & MD_EXPORTER))
			snprintf(tph + strlen(tph), sizeof(tph) - strlen(tph), " completer=%s",
				 req_str(d->completer));
		fprintf(out, "%-26s %-22s %-44s %-30s %u (%u)", name, roles, tph, st,
			d->mrs - d->mrs_pre_start, d->mrs_tph);
		if (d->mrs_pre_start)
			fprintf(out, " + %u pre-start", d->mrs_pre_start);
		fputc('\n', out);
	}
	if (!m->ndevs)
		fprintf(out, "(none)\n");
}

static void print_limits(FILE *out, const struct feed *f)
{
	const struct model *m = &f->m;
	int p;

	fprintf(out, "\nLIMITS");
	for (p = 0; p < MP_MAX; p++)
		fprintf(out, " %s %u/%u (evicted %" PRIu64 ")%s", model_pool_name(p),
			m->p[p].used, m->p[p].cap, m->p[p].evicted, p + 1 < MP_MAX ? "," : "");
	fprintf(out, ", devices %u/%u (dropped %" PRIu64 ")\n", m->ndevs, m->lim.devices,
		m->devs_dropped);
	fprintf(out, "lost records: %" PRIu64 " (ring buffer %" PRIu64 ", state map %" PRIu64
		")\n", m->lost, m->lost_ringbuf, m->lost_state);
}

/* ---- JSON ------------------------------------------------------------------------- */

static struct json_object *dev_json(const struct model *m, uint16_t d)
{
	char s[96];

	if (d == M_NODEV)
		return NULL;
	model_dev_str(m, d, s, sizeof(s));
	return json_object_new_string(s);
}

static struct json_object *u8_or_null(uint8_t v)
{
	return v == TPH_UNKNOWN_U8 ? NULL : json_object_new_int(v);
}

static struct json_object *req_or_null(uint8_t v)
{
	return v == TPH_UNKNOWN_U8 ? NULL : json_object_new_string(tph_req_type_name(v));
}

static struct json_object *buf_json(const struct model *m, uint32_t bi, uint32_t nfind)
{
	const struct m_buf *b = M_BUF(m, bi);
	struct json_object *o = json_object_new_object(), *t, *a;
	uint32_t i;

	json_object_object_add(o, "ino", json_object_new_uint64(model_buf_ino(m, bi)));
	json_object_object_add(o, "exp_name", json_object_new_string(b->exp_name));
	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(o, "exporter", dev_json(m, b->exporter));
	json_object_object_add(o, "size", json_object_new_uint64(b->size));
	json_object_object_add(o, "created_ts", b->created_ns ?
			       json_object_new_uint64(b->created_ns) : NULL);
	json_object_object_add(o, "before_start",
			       json_object_new_boolean(!(b->bflags & MB_EXPORT_SEEN)));
	json_object_object_add(o, "sampled", json_object_new_boolean(b->bflags & MB_SAMPLED));
	t = json_object_new_object();
	json_object_object_add(t, "known", json_object_new_boolean(b->bflags & MB_PUB_KNOWN));
	if (b->bflags & MB_PUB_KNOWN) {
		json_object_object_add(t, "published_8",
				       json_object_new_boolean(b->pub_flags & M_PUB_ST));
		json_object_object_add(t, "published_16",
				       json_object_new_boolean(b->pub_flags & M_PUB_ST_EXT));
		json_object_object_add(t, "st", json_object_new_int(b->st));
		json_object_object_add(t, "st_ext", json_object_new_int(b->st_ext));
		json_object_object_add(t, "ph", json_object_new_int(b->ph));
	}
	json_object_object_add(t, "sets", json_object_new_uint64(b->pub_gen));
	json_object_object_add(t, "last_set_ret", json_object_new_int(b->pub_ret));
	json_object_object_add(o, "tag", t);
	json_object_object_add(o, "revoked", json_object_new_boolean(b->bflags & MB_REVOKED));
	json_object_object_add(o, "invalidations", json_object_new_uint64(b->inval_count));
	a = json_object_new_array();
	for (i = b->holder_head; i != M_NONE; i = M_HOLDER(m, i)->next) {
		const struct m_holder *h = M_HOLDER(m, i);
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "pid", json_object_new_uint64(h->tgid));
		json_object_object_add(x, "comm", json_object_new_string(h->comm));
		json_object_object_add(x, "refs", json_object_new_uint64(h->refs));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "holders", a);
	a = json_object_new_array();
	for (i = b->attach_head; i != M_NONE; i = M_ATTACH(m, i)->next) {
		const struct m_attach *at = M_ATTACH(m, i);
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "importer", dev_json(m, at->importer));
		json_object_object_add(x, "p2p", at->kind_known ?
				       json_object_new_boolean(at->p2p) : NULL);
		json_object_object_add(x, "dynamic", at->kind_known ?
				       json_object_new_boolean(at->dynamic) : NULL);
		json_object_object_add(x, "maps", json_object_new_uint64(at->maps));
		json_object_object_add(x, "before_start", json_object_new_boolean(at->iter));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "importers", a);
	json_object_object_add(o, "mrs_tph", json_object_new_int(b->mrs_tph));
	json_object_object_add(o, "mrs_no_tph", json_object_new_int(b->mrs_notph));
	json_object_object_add(o, "findings", json_object_new_uint64(nfind));
	return o;
}

/*
 * An MR from before start: what the RDMA netlink dump reported; every
 * field of the TPH outcome is null, since the registration was not seen.
 */
static struct json_object *mr_pre_start_json(const struct model *m, uint32_t i)
{
	static const char *const unknown[] = {
		"ino", "tph", "st", "st_index", "ph", "width", "source", "reason", "reused",
		"reg_ts", "published_at_registration",
	};
	const struct m_mr *x = M_MR(m, i);
	struct json_object *o = json_object_new_object();
	size_t k;

	json_object_object_add(o, "nic", dev_json(m, x->nic));
	json_object_object_add(o, "mkey", json_object_new_uint64(x->mkey));
	json_object_object_add(o, "origin", json_object_new_string(MR_ORIGIN_PRE_START));
	json_object_object_add(o, "tph_outcome", json_object_new_string(
		"not known: registered before start"));
	json_object_object_add(o, "lkey", json_object_new_uint64(x->mkey));
	json_object_object_add(o, "rkey", json_object_new_uint64(x->rkey));
	json_object_object_add(o, "length", json_object_new_uint64(x->length));
	/* as the kernel reports them: no PD and no process for a kernel MR */
	json_object_object_add(o, "pdn", x->pdn_known ? json_object_new_uint64(x->pdn) : NULL);
	json_object_object_add(o, "mrn", json_object_new_uint64(x->mrn));
	json_object_object_add(o, "pid", x->tgid ? json_object_new_uint64(x->tgid) : NULL);
	json_object_object_add(o, "comm", json_object_new_string(x->comm));
	for (k = 0; k < sizeof(unknown) / sizeof(unknown[0]); k++)
		json_object_object_add(o, unknown[k], NULL);
	return o;
}

static struct json_object *mr_json(const struct model *m, uint32_t i)
{
	const struct m_mr *x = M_MR(m, i);
	struct json_object *o, *p;

	if (x->pre_start)
		return mr_pre_start_json(m, i);
	o = json_object_new_object();
	json_object_object_add(o, "nic", dev_json(m, x->nic));
	json_object_object_add(o, "mkey", json_object_new_uint64(x->mkey));
	json_object_object_add(o, "ino", json_object_new_uint64(x->ino));
	json_object_object_add(o, "length", json_object_new_uint64(x->length));
	json_object_object_add(o, "tph", json_object_new_boolean(x->ph != TPH_NO_PH));
	json_object_object_add(o, "st", json_object_new_int(x->st));
	json_object_object_add(o, "st_index", json_object_new_int(x->st_index));
	json_object_object_add(o, "ph", x->ph == TPH_NO_PH ? NULL : json_object_new_int(x->ph));
	json_object_object_add(o, "width", json_object_new_int(
		x->req_type == TPH_REQ_EXT_TPH ? 16 : x->req_type == TPH_REQ_TPH_ONLY ? 8 :
		x->req_type == TPH_UNKNOWN_U8 ? (x->extended ? 16 : 8) : 0));
	json_object_object_add(o, "source", json_object_new_string(tph_source_name(x->source)));
	json_object_object_add(o, "reason", json_object_new_string(tph_reason_name(x->reason)));
	json_object_object_add(o, "reused", json_object_new_boolean(x->reused));
	json_object_object_add(o, "pid", json_object_new_uint64(x->tgid));
	json_object_object_add(o, "comm", json_object_new_string(x->comm));
	json_object_object_add(o, "reg_ts", json_object_new_uint64(x->reg_ns));
	p = json_object_new_object();
	json_object_object_add(p, "known", json_object_new_boolean(x->pub_known));
	json_object_object_add(p, "published_8", json_object_new_boolean(x->pub_flags & M_PUB_ST));
	json_object_object_add(p, "published_16",
			       json_object_new_boolean(x->pub_flags & M_PUB_ST_EXT));
	json_object_object_add(p, "st", json_object_new_int(x->pub_st));
	json_object_object_add(p, "st_ext", json_object_new_int(x->pub_st_ext));
	json_object_object_add(p, "ph", json_object_new_int(x->pub_ph));
	json_object_object_add(o, "published_at_registration", p);
	json_object_object_add(o, "origin", json_object_new_string("traced"));
	json_object_object_add(o, "tph_outcome", json_object_new_string("traced"));
	/* known from the netlink dump only */
	json_object_object_add(o, "lkey", NULL);
	json_object_object_add(o, "rkey", NULL);
	json_object_object_add(o, "pdn", NULL);
	json_object_object_add(o, "mrn", NULL);
	return o;
}

static struct json_object *devs_json(const struct model *m)
{
	struct json_object *a = json_object_new_array();
	char roles[64];
	uint32_t i;

	for (i = 0; i < m->ndevs; i++) {
		const struct m_dev *d = &m->devs[i];
		struct json_object *o = json_object_new_object(), *t;

		json_object_object_add(o, "device", dev_json(m, i));
		model_roles_str(d->roles, roles, sizeof(roles));
		json_object_object_add(o, "roles", json_object_new_string(roles));
		t = json_object_new_object();
		json_object_object_add(t, "enabled", d->enabled == TPH_UNKNOWN_U8 ? NULL :
				       json_object_new_boolean(d->enabled));
		json_object_object_add(t, "mode", u8_or_null(d->mode));
		json_object_object_add(t, "req_type", req_or_null(d->req_type));
		json_object_object_add(t, "dev_req_type", req_or_null(d->dev_req_type));
		json_object_object_add(t, "rp_completer", req_or_null(d->rp_completer));
		json_object_object_add(t, "completer", req_or_null(d->completer));
		json_object_object_add(t, "st_write_failures",
				       json_object_new_uint64(d->st_write_fails));
		json_object_object_add(t, "disabled_after_st_write_failure",
				       json_object_new_boolean(d->disabled_by_st_fail));
		json_object_object_add(o, "pci_tph", t);
		t = json_object_new_object();
		json_object_object_add(t, "direct", d->st_direct == TPH_UNKNOWN_U8 ? NULL :
				       json_object_new_boolean(d->st_direct));
		json_object_object_add(t, "used", json_object_new_uint64(d->st_used));
		json_object_object_add(t, "max_index", json_object_new_uint64(d->st_max_index));
		json_object_object_add(t, "size", d->st_capacity ?
				       json_object_new_uint64(d->st_capacity) : NULL);
		json_object_object_add(t, "full_seen", json_object_new_uint64(d->st_full));
		json_object_object_add(o, "st_table", t);
		json_object_object_add(o, "mrs", json_object_new_uint64(d->mrs));
		json_object_object_add(o, "mrs_tph", json_object_new_uint64(d->mrs_tph));
		json_object_object_add(o, "mrs_pre_start", json_object_new_uint64(d->mrs_pre_start));
		json_object_object_add(o, "attachments", json_object_new_uint64(d->attachments));
		json_object_array_add(a, o);
	}
	return a;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* "key":VALUE, taking the reference */
static void put_member(FILE *out, const char *key, struct json_object *v, bool last)
{
	fprintf(out, "\"%s\":%s%s\n", key, v ? json_object_to_json_string_ext(v, JSON_FLAGS) :
		"null", last ? "" : ",");
	json_object_put(v);
}

/*
 * Streamed: one dma-buf or MR object at a time, so the output of a model
 * with 100 000 dma-bufs needs no more memory than one of them.
 */
static void put_array(FILE *out, const struct model *m, enum model_pool pool,
		      const uint32_t *nfind)
{
	struct json_object *x;
	uint32_t *v, n, i;

	fputs("[", out);
	v = model_sorted(m, pool, &n);
	for (i = 0; v && i < n; i++) {
		x = pool == MP_BUF ? buf_json(m, v[i], nfind ? nfind[v[i]] : 0) :
				     mr_json(m, v[i]);
		fprintf(out, "%s\n%s", i ? "," : "", json_object_to_json_string_ext(x, JSON_FLAGS));
		json_object_put(x);
	}
	free(v);
	fputs(n ? "\n]" : "]", out);
}

static void print_json(FILE *out, const struct feed *f, const struct list_args *a,
		       const uint32_t *nfind)
{
	const struct model *m = &f->m;
	struct json_object *s, *l;
	int p;

	s = json_object_new_object();
	json_object_object_add(s, "replay", f->replay ? json_object_new_string(f->replay) : NULL);
	json_object_object_add(s, "records", json_object_new_uint64(m->records));
	l = json_object_new_object();
	json_object_object_add(l, "requested", json_object_new_boolean(a->duration > 0));
	json_object_object_add(l, "ok", json_object_new_boolean(f->live));
	json_object_object_add(l, "error", f->live_err[0] ?
			       json_object_new_string(f->live_err) : NULL);
	json_object_object_add(l, "events_hooked", json_object_new_int(f->hooked));
	json_object_object_add(s, "live", l);
	fputs("{\n", out);
	put_member(out, "source", s, false);
	put_member(out, "recovery", f->recovered ? state_report_json(&f->st) : NULL, false);
	fputs("\"dmabufs\":", out);
	put_array(out, m, MP_BUF, nfind);
	fputs(",\n\"mrs\":", out);
	put_array(out, m, MP_MR, nfind);
	fputs(",\n", out);
	put_member(out, "devices", devs_json(m), false);
	l = json_object_new_object();
	for (p = 0; p < MP_MAX; p++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "used", json_object_new_uint64(m->p[p].used));
		json_object_object_add(x, "limit", json_object_new_uint64(m->p[p].cap));
		json_object_object_add(x, "evicted", json_object_new_uint64(m->p[p].evicted));
		json_object_object_add(l, model_pool_name(p), x);
	}
	s = json_object_new_object();
	json_object_object_add(s, "used", json_object_new_uint64(m->ndevs));
	json_object_object_add(s, "limit", json_object_new_uint64(m->lim.devices));
	json_object_object_add(s, "evicted", json_object_new_uint64(m->devs_dropped));
	json_object_object_add(l, "devices", s);
	put_member(out, "limits", l, false);
	s = json_object_new_object();
	json_object_object_add(s, "records", json_object_new_uint64(m->lost));
	json_object_object_add(s, "ringbuf", json_object_new_uint64(m->lost_ringbuf));
	json_object_object_add(s, "state", json_object_new_uint64(m->lost_state));
	put_member(out, "lost", s, false);
	s = json_object_new_object();
	json_object_object_add(s, "errors", json_object_new_uint64(f->rs.by_sev[SEV_ERROR]));
	json_object_object_add(s, "warnings", json_object_new_uint64(f->rs.by_sev[SEV_WARNING]));
	json_object_object_add(s, "infos", json_object_new_uint64(f->rs.by_sev[SEV_INFO]));
	put_member(out, "findings", s, true);
	fputs("}\n", out);
}

int cmd_list(int argc, char **argv)
{
	struct argp argp = { list_opts, list_parse, NULL, list_doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct state_opts so = {};
	struct list_args a = {};
	uint32_t *nfind;
	struct feed f;
	char err[320];
	double end;
	int ret;

	feed_default_opts(&a.fo);
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	if (feed_init(&f, &a.fo)) {
		fprintf(stderr, "tphtrace list: out of memory\n");
		return 2;
	}
	if (a.replay) {
		ret = feed_replay(&f, a.replay, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tphtrace list: %s\n", err);
			feed_close(&f);
			return 2;
		}
	} else {
		/* start tracing before the scan so nothing falls between the two */
		/* -d asked for tracing: without it the inventory would be
		 * presented as traced when it is not (as check -d: exit 2) */
		if (a.duration > 0 && feed_open_live(&f, &a.fo)) {
			fprintf(stderr, "tphtrace list: live tracing unavailable: %s\n",
				f.live_err);
			feed_close(&f);
			return 2;
		}
		so.verbose = a.fo.verbose;
		feed_recover(&f, &so);
		if (f.live) {
			sigaction(SIGINT, &sa, NULL);
			sigaction(SIGTERM, &sa, NULL);
			sigaction(SIGHUP, &sa, NULL);
			end = feed_now_s() + a.duration;
			while (!exiting) {
				double left = end - feed_now_s();

				if (left <= 0)
					break;
				ret = feed_poll(&f, (int)(left * 1000) + 1);
				if (ret < 0 && ret != -EINTR) {
					fprintf(stderr, "tphtrace list: ring buffer: %s\n",
						strerror(-ret));
					feed_close(&f);
					return 2;
				}
			}
		}
	}
	rules_eval_state(&f.rs);
	nfind = rules_count_by_buf(&f.rs);
	if (a.json) {
		print_json(stdout, &f, &a, nfind);
	} else {
		print_source(stdout, &f, &a);
		print_bufs(stdout, &f, nfind);
		print_mrs(stdout, &f);
		print_devices(stdout, &f);
		print_limits(stdout, &f);
		if (f.rs.n)
			fprintf(stdout, "\n%u finding(s): run 'tphtrace check%s%s' for details\n",
				f.rs.n, f.replay ? " --replay " : "", f.replay ? f.replay : "");
	}
	free(nfind);
	feed_close(&f);
	return 0;
}
