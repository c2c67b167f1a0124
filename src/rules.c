// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rules engine: the findings store (deduplicated by rule, dma-buf and
 * device, bounded), running the checks of rules_check.c on each record and
 * on the model's state, and the typed evidence they file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include "rules_impl.h"

const char *rule_sev_name(enum rule_sev sev)
{
	static const char *const n[SEV_MAX] = { "info", "warning", "error" };

	return sev < SEV_MAX ? n[sev] : "?";
}

const struct rule *rule_by_id(const char *id)
{
	unsigned int i;

	for (i = 0; i < tph_nrules; i++)
		if (!strcmp(tph_rules[i].id, id))
			return &tph_rules[i];
	return NULL;
}

/* ---- findings store --------------------------------------------------------- */

static uint64_t finding_key(uint16_t rule, uint64_t ino, uint16_t dev)
{
	/* dma-buf inodes come from get_next_ino(): 32 bits */
	return (uint64_t)rule << 48 | (uint64_t)dev << 32 |
	       ((ino ^ (ino >> 32)) & 0xffffffffull);
}

/* the finding of the current rule for this key, created if new (*@fresh) */
static struct finding *finding_get(struct rule_ctx *c, uint64_t ino, uint16_t dev,
				   uint64_t ts, bool *fresh)
{
	struct rules *rs = c->rs;
	uint64_t key = finding_key(c->rule, ino, dev);
	struct finding *f;
	uint32_t i;

	*fresh = false;
	i = oa_find(&rs->ix, key);
	if (i != M_NONE) {
		f = &rs->f[i];
		f->count++;
		if (ts > f->last_ns)
			f->last_ns = ts;
		return f;
	}
	if (rs->n >= rs->cap) {
		rs->dropped++;
		return NULL;
	}
	i = rs->n++;
	f = &rs->f[i];
	memset(f, 0, sizeof(*f));
	rs->keys[i] = key;
	oa_insert(&rs->ix, key, i);
	f->rule = c->rule;
	f->dev = dev;
	f->ino = ino;
	f->count = 1;
	f->first_ns = f->last_ns = ts;
	rs->by_sev[tph_rules[c->rule].sev]++;
	*fresh = true;
	return f;
}

struct finding *rule_emit(struct rule_ctx *c, uint64_t ino, uint16_t dev, uint32_t mkey,
			  const struct tph_hdr *h)
{
	const struct model *m = c->m;
	struct finding *f;
	uint32_t bi;
	bool fresh;

	f = finding_get(c, ino, dev, h ? h->ts_ns : m->last_ns, &fresh);
	if (!f || !fresh)
		return NULL;
	f->mkey = mkey;
	if (h) {
		f->tgid = h->tgid;
		memcpy(f->comm, h->comm, TPH_COMM_LEN);
		f->comm[TPH_COMM_LEN - 1] = '\0';
	}
	bi = model_find_buf(m, ino);
	if (bi != M_NONE) {
		const struct m_buf *b = M_BUF(m, bi);

		memcpy(f->exp_name, b->exp_name, TPH_NAME_LEN);
		if (b->exporter != M_NODEV)
			model_dev_str(m, b->exporter, f->exporter, sizeof(f->exporter));
	}
	if (dev != M_NODEV)
		model_dev_str(m, dev, f->device, sizeof(f->device));
	return f;
}

struct finding *rule_emit_state(struct rule_ctx *c, uint64_t count)
{
	struct finding *f;
	bool fresh;

	f = finding_get(c, 0, M_NODEV, c->m->last_ns, &fresh);
	if (!f)
		return NULL;
	f->count = count;
	f->nvalues = 0;
	return f;
}

/* one typed value of a finding's evidence (no room left: dropped) */
static void fv_add(struct finding *f, const char *key, uint8_t type,
		   const struct finding_value *x)
{
	struct finding_value *v;

	if (!f || f->nvalues >= FINDING_MAX_VALUES)
		return;
	v = &f->values[f->nvalues++];
	*v = *x;
	v->key = key;
	v->type = type;
}

void fv_u64(struct finding *f, const char *key, uint64_t x)
{
	fv_add(f, key, FV_U64, &(struct finding_value){ .u = x });
}

void fv_i64(struct finding *f, const char *key, int64_t x)
{
	fv_add(f, key, FV_I64, &(struct finding_value){ .i = x });
}

void fv_hex(struct finding *f, const char *key, uint64_t x)
{
	fv_add(f, key, FV_HEX, &(struct finding_value){ .u = x });
}

void fv_errno(struct finding *f, const char *key, int32_t x)
{
	fv_add(f, key, FV_ERRNO, &(struct finding_value){ .i = x });
}

void fv_str(struct finding *f, const char *key, const char *x)
{
	fv_add(f, key, FV_STR, &(struct finding_value){ .s = x });
}

/* ---- engine ------------------------------------------------------------------- */

int rules_init(struct rules *rs, const struct model *m, uint32_t max_findings)
{
	memset(rs, 0, sizeof(*rs));
	rs->m = m;
	rs->cap = max_findings ? max_findings : 1;
	rs->f = calloc(rs->cap, sizeof(*rs->f));
	rs->keys = calloc(rs->cap, sizeof(*rs->keys));
	if (!rs->f || !rs->keys || oa_init(&rs->ix, rs->cap, rs->keys)) {
		rules_free(rs);
		return -ENOMEM;
	}
	return 0;
}

void rules_free(struct rules *rs)
{
	free(rs->f);
	free(rs->keys);
	oa_free(&rs->ix);
	rs->f = NULL;
	rs->keys = NULL;
}

void rules_on_record(struct rules *rs, const union tph_record *rec)
{
	struct rule_ctx c = { .rs = rs, .m = rs->m };
	unsigned int kind = rec->hdr.kind;
	unsigned int i;

	if (!kind || kind >= TPH_EV_MAX)
		return;
	/* an MR from before start (RDMA netlink): no outcome was seen to judge */
	if (kind == TPH_EV_MR_REG && rec->hdr.hook == TPH_HOOK_ITER)
		return;
	if (kind == TPH_EV_MR_REG && rec->mr.ret >= 0 &&
	    rec->mr.reason == TPH_REASON_UNKNOWN)
		rs->unobserved++;
	for (i = 0; i < tph_nrules; i++) {
		if (!(tph_rules[i].kinds & RULE_KIND(kind)))
			continue;
		c.rule = i;
		tph_rules[i].check(&c, rec);
	}
}

void rules_eval_state(struct rules *rs)
{
	struct rule_ctx c = { .rs = rs, .m = rs->m };
	unsigned int i;

	for (i = 0; i < tph_nrules; i++) {
		if (!(tph_rules[i].kinds & RULE_STATE))
			continue;
		c.rule = i;
		tph_rules[i].check(&c, NULL);
	}
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	if (tph_rules[x->rule].sev != tph_rules[y->rule].sev)
		return tph_rules[y->rule].sev - tph_rules[x->rule].sev;
	if (x->rule != y->rule)
		return x->rule - y->rule;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

const struct finding **rules_sorted(const struct rules *rs, uint32_t *n)
{
	const struct finding **v = calloc(rs->n ? rs->n : 1, sizeof(*v));
	uint32_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < rs->n; i++)
		v[i] = &rs->f[i];
	qsort(v, rs->n, sizeof(*v), cmp_finding);
	*n = rs->n;
	return v;
}

uint32_t *rules_count_by_buf(const struct rules *rs)
{
	uint32_t *cnt = calloc(model_capacity(rs->m, MP_BUF), sizeof(*cnt));
	uint32_t i, bi;

	if (!cnt)
		return NULL;
	for (i = 0; i < rs->n; i++) {
		bi = model_find_buf(rs->m, rs->f[i].ino);
		if (bi != M_NONE)
			cnt[bi]++;
	}
	return cnt;
}

bool rules_finding_matches(const struct finding *f, uint64_t ino, uint16_t dev)
{
	return (!ino || f->ino == ino) && (dev == M_NODEV || f->dev == dev);
}
