// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Findings and the rule table as text for people and as JSON (docs/json.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "jw.h"
#include "record.h"
#include "rules.h"
#include "text.h"

/* the device as known now (a name learned later is shown too) */
static const char *finding_device(const struct rules *rs, const struct finding *f,
				  char *buf, size_t len)
{
	if (f->dev == M_NODEV || f->dev >= rs->m->ndevs)
		return f->device;
	model_dev_str(rs->m, f->dev, buf, len);
	return buf;
}

static size_t value_str(const struct finding_value *v, char *buf, size_t len)
{
	char e[16];

	switch (v->type) {
	case FV_U64:
		return snprintf(buf, len, "%s=%" PRIu64, v->key, v->u);
	case FV_I64:
		return snprintf(buf, len, "%s=%" PRId64, v->key, v->i);
	case FV_HEX:
		return snprintf(buf, len, "%s=0x%" PRIx64, v->key, v->u);
	case FV_ERRNO:
		if (v->i < 0)
			return snprintf(buf, len, "%s=%" PRId64 "(%s)", v->key, v->i,
					tph_errno_name((int)v->i, e, sizeof(e)));
		return snprintf(buf, len, "%s=%" PRId64, v->key, v->i);
	default:
		return snprintf(buf, len, "%s=%s", v->key, v->s ? v->s : "-");
	}
}

void rules_values_str(const struct finding *f, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < f->nvalues && off + 1 < len; i++) {
		if (i)
			buf[off++] = ' ';
		off += value_str(&f->values[i], buf + off, len - off);
	}
	if (off >= len)
		buf[len - 1] = '\0';
}

/* "dma-buf 101 (vfio_pci_core on 0000:17:00.0)  device ...  mkey 0x..  pid .." */
static void where_str(const struct rules *rs, const struct finding *f, char *buf,
		      size_t len)
{
	char dev[96];
	size_t off = 0;

	buf[0] = '\0';
	if (f->ino) {
		off += snprintf(buf + off, len - off, "dma-buf %" PRIu64, f->ino);
		if (off < len && (f->exp_name[0] || f->exporter[0]))
			off += snprintf(buf + off, len - off, " (%s%s%s)",
					f->exp_name[0] ? f->exp_name : "?",
					f->exporter[0] ? " on " : "", f->exporter);
		off += snprintf(buf + off, len - off, "  ");
	}
	if (off < len && (f->dev != M_NODEV || f->device[0]))
		off += snprintf(buf + off, len - off, "device %s  ",
				finding_device(rs, f, dev, sizeof(dev)));
	if (off < len && f->mkey)
		off += snprintf(buf + off, len - off, "mkey 0x%x  ", f->mkey);
	if (off < len && f->tgid)
		snprintf(buf + off, len - off, "pid %u (%s)", f->tgid, f->comm);
}

void rules_print_text(FILE *out, const struct rules *rs, bool hints, unsigned int width,
		      uint64_t ino, uint16_t dev)
{
	const struct finding **v;
	const struct rule *r;
	char line[512], head[256];
	uint32_t i, n;

	v = rules_sorted(rs, &n);
	if (!v)
		return;
	for (i = 0; i < n; i++) {
		const struct finding *f = v[i];

		if (!rules_finding_matches(f, ino, dev))
			continue;
		r = &tph_rules[f->rule];
		snprintf(head, sizeof(head), "%-7s %s  %s", rule_sev_name(r->sev), r->id,
			 r->title);
		if (f->count > 1)
			snprintf(head + strlen(head), sizeof(head) - strlen(head),
				 " (x%" PRIu64 ")", f->count);
		text_wrap(out, head, 0, 16, width);
		where_str(rs, f, line, sizeof(line));
		fputs("        ", out);
		text_wrap(out, line, 8, 8, width);
		rules_values_str(f, line, sizeof(line));
		fputs("        ", out);
		text_wrap(out, line, 8, 8, width);
		if (hints) {
			fputs("        fix: ", out);
			text_wrap(out, r->hint, 13, 13, width);
		}
	}
	free(v);
}

static void values_json(struct jw *w, const struct finding *f)
{
	const struct finding_value *v;
	unsigned int i;

	jw_kobj(w, "values");
	for (i = 0; i < f->nvalues; i++) {
		v = &f->values[i];
		jw_key(w, v->key);
		switch (v->type) {
		case FV_U64:
		case FV_HEX:
			jw_u64(w, v->u);
			break;
		case FV_I64:
		case FV_ERRNO:
			jw_i64(w, v->i);
			break;
		default:
			jw_str(w, v->s);
		}
	}
	jw_obj_end(w);
}

void rules_finding_json(struct jw *w, const struct rules *rs, const struct finding *f)
{
	const struct rule *r = &tph_rules[f->rule];
	char dev[96];

	jw_obj(w);
	jw_kstr(w, "id", r->id);
	jw_kstr(w, "severity", rule_sev_name(r->sev));
	jw_kstr(w, "title", r->title);
	jw_ku64(w, "count", f->count);
	jw_ku64(w, "first_ts", f->first_ns);
	jw_ku64(w, "last_ts", f->last_ns);
	jw_kobj(w, "evidence");
	jw_key(w, "ino");
	f->ino ? jw_u64(w, f->ino) : jw_null(w);
	jw_kstr(w, "exp_name", f->exp_name[0] ? f->exp_name : NULL);
	jw_kstr(w, "exporter", f->exporter[0] ? f->exporter : NULL);
	jw_kstr(w, "device", f->dev != M_NODEV || f->device[0] ?
		finding_device(rs, f, dev, sizeof(dev)) : NULL);
	jw_key(w, "mkey");
	f->mkey ? jw_u64(w, f->mkey) : jw_null(w);
	jw_key(w, "pid");
	f->tgid ? jw_u64(w, f->tgid) : jw_null(w);
	jw_kstr(w, "comm", f->tgid ? f->comm : NULL);
	values_json(w, f);
	jw_obj_end(w);
	jw_kstr(w, "hint", r->hint);
	jw_obj_end(w);
}

void rules_json(struct jw *w, const struct rules *rs, uint64_t ino, uint16_t dev)
{
	const struct finding **v;
	uint32_t i, n;

	v = rules_sorted(rs, &n);
	jw_karr(w, "findings");
	for (i = 0; v && i < n; i++)
		if (rules_finding_matches(v[i], ino, dev))
			rules_finding_json(w, rs, v[i]);
	jw_arr_end(w);
	free(v);
	jw_kobj(w, "summary");
	jw_ku64(w, "errors", rs->by_sev[SEV_ERROR]);
	jw_ku64(w, "warnings", rs->by_sev[SEV_WARNING]);
	jw_ku64(w, "infos", rs->by_sev[SEV_INFO]);
	jw_ku64(w, "findings_dropped", rs->dropped);
	jw_ku64(w, "mr_outcomes_unobserved", rs->unobserved);
	/* MRs from before start (RDMA netlink): no outcome to judge */
	jw_ku64(w, "mrs_pre_start_not_judged", rs->m->mrs_pre_start);
	jw_obj_end(w);
}

void rules_table_print(FILE *out, unsigned int width)
{
	unsigned int i;
	char line[256];

	for (i = 0; i < tph_nrules; i++) {
		const struct rule *r = &tph_rules[i];

		snprintf(line, sizeof(line), "%s  %-7s  %s", r->id, rule_sev_name(r->sev),
			 r->title);
		text_wrap(out, line, 0, 17, width);
	}
}

void rules_table_json(struct jw *w)
{
	unsigned int i;

	jw_karr(w, "rules");
	for (i = 0; i < tph_nrules; i++) {
		const struct rule *r = &tph_rules[i];

		jw_obj(w);
		jw_kstr(w, "id", r->id);
		jw_kstr(w, "severity", rule_sev_name(r->sev));
		jw_kstr(w, "title", r->title);
		jw_kstr(w, "hint", r->hint);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
