// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The live model: pools, indexes, and one apply function per record kind. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "record.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- open-addressing index ----------------------------------------------- */

static uint32_t oa_hash(uint64_t k)
{
	/* splitmix64 finaliser */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (uint32_t)k;
}

int oa_init(struct oa_index *ix, uint32_t entries, const uint64_t *keys)
{
	uint64_t n = 16;

	/* load factor <= 1/2 */
	while (n < (uint64_t)entries * 2)
		n <<= 1;
	if (n > (1ull << 31))
		return -EINVAL;
	ix->slots = calloc(n, sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->mask = (uint32_t)(n - 1);
	ix->keys = keys;
	return 0;
}

void oa_free(struct oa_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
}

uint32_t oa_find(const struct oa_index *ix, uint64_t key)
{
	uint32_t i = oa_hash(key) & ix->mask, s;

	while ((s = ix->slots[i])) {
		if (ix->keys[s - 1] == key)
			return s - 1;
		i = (i + 1) & ix->mask;
	}
	return M_NONE;
}

void oa_insert(struct oa_index *ix, uint64_t key, uint32_t idx)
{
	uint32_t i = oa_hash(key) & ix->mask;

	while (ix->slots[i])
		i = (i + 1) & ix->mask;
	ix->slots[i] = idx + 1;
}

void oa_remove(struct oa_index *ix, uint64_t key)
{
	uint32_t i = oa_hash(key) & ix->mask, j, home, s;

	while ((s = ix->slots[i]) && ix->keys[s - 1] != key)
		i = (i + 1) & ix->mask;
	if (!s)
		return;
	/* backward-shift deletion (Knuth 6.4, algorithm R) */
	ix->slots[i] = 0;
	j = i;
	for (;;) {
		j = (j + 1) & ix->mask;
		s = ix->slots[j];
		if (!s)
			return;
		home = oa_hash(ix->keys[s - 1]) & ix->mask;
		/* move s to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		ix->slots[i] = s;
		ix->slots[j] = 0;
		i = j;
	}
}

/* ---- pools ----------------------------------------------------------------- */

static const char *const pool_names[MP_MAX] = {
	[MP_BUF] = "dmabufs",
	[MP_HOLDER] = "holders",
	[MP_ATTACH] = "attachments",
	[MP_MR] = "mrs",
	[MP_ST] = "st_entries",
};

const char *model_pool_name(enum model_pool pool)
{
	return pool < MP_MAX ? pool_names[pool] : "?";
}

static int pool_init(struct pool *p, uint32_t cap, size_t esz)
{
	memset(p, 0, sizeof(*p));
	p->cap = cap ? cap : 1;
	p->esz = esz;
	p->free_head = M_NONE;
	/* calloc of large blocks maps zero pages: untouched entries cost nothing */
	p->ent = calloc(p->cap, esz);
	p->keys = calloc(p->cap, sizeof(*p->keys));
	p->flags = calloc(p->cap, 1);
	if (!p->ent || !p->keys || !p->flags)
		return -ENOMEM;
	return oa_init(&p->ix, p->cap, p->keys);
}

static void pool_free(struct pool *p)
{
	oa_free(&p->ix);
	free(p->ent);
	free(p->keys);
	free(p->flags);
	memset(p, 0, sizeof(*p));
}

static inline void *pool_ent(const struct pool *p, uint32_t i)
{
	return (char *)p->ent + (size_t)i * p->esz;
}

static uint32_t pool_find(struct pool *p, uint64_t key)
{
	uint32_t i = oa_find(&p->ix, key);

	if (i != M_NONE)
		p->flags[i] |= POOL_REF;
	return i;
}

/* clock: the first used entry not referenced since the hand last passed */
static uint32_t pool_victim(struct pool *p)
{
	uint64_t n;
	uint32_t i;

	for (n = 0; n <= 2ull * p->cap; n++) {
		i = p->hand;
		p->hand = p->hand + 1 == p->cap ? 0 : p->hand + 1;
		if (!(p->flags[i] & POOL_USED))
			continue;
		if (p->flags[i] & POOL_REF) {
			p->flags[i] &= ~POOL_REF;
			continue;
		}
		return i;
	}
	return M_NONE;
}

static void pool_release(struct pool *p, uint32_t i)
{
	oa_remove(&p->ix, p->keys[i]);
	p->flags[i] = 0;
	p->keys[i] = p->free_head;
	p->free_head = i;
	p->used--;
}

static void evict(struct model *m, enum model_pool pool, uint32_t i);

/* a zeroed, indexed entry for @key (not present); evicts when full */
static uint32_t pool_alloc(struct model *m, enum model_pool pool, uint64_t key)
{
	struct pool *p = &m->p[pool];
	uint32_t i;

	if (p->free_head == M_NONE && p->fresh == p->cap) {
		i = pool_victim(p);
		if (i == M_NONE)
			return M_NONE;
		evict(m, pool, i);	/* puts it on the free list */
		p->evicted++;
	}
	if (p->free_head != M_NONE) {
		i = p->free_head;
		p->free_head = (uint32_t)p->keys[i];
	} else {
		i = p->fresh++;
	}
	memset(pool_ent(p, i), 0, p->esz);
	p->keys[i] = key;
	p->flags[i] = POOL_USED | POOL_REF;
	oa_insert(&p->ix, key, i);
	if (++p->used > p->high)
		p->high = p->used;
	return i;
}

void model_default_limits(struct model_limits *l)
{
	l->bufs = 131072;
	l->holders = 262144;
	l->attachments = 131072;
	l->mrs = 131072;
	l->st_entries = 16384;
	l->devices = 1024;
}

int model_init(struct model *m, const struct model_limits *lim)
{
	static const size_t esz[MP_MAX] = {
		[MP_BUF] = sizeof(struct m_buf),
		[MP_HOLDER] = sizeof(struct m_holder),
		[MP_ATTACH] = sizeof(struct m_attach),
		[MP_MR] = sizeof(struct m_mr),
		[MP_ST] = sizeof(struct m_st),
	};
	uint32_t cap[MP_MAX];
	int i;

	memset(m, 0, sizeof(*m));
	if (lim)
		m->lim = *lim;
	else
		model_default_limits(&m->lim);
	if (m->lim.devices > M_NODEV - 1)
		m->lim.devices = M_NODEV - 1;
	cap[MP_BUF] = m->lim.bufs;
	cap[MP_HOLDER] = m->lim.holders;
	cap[MP_ATTACH] = m->lim.attachments;
	cap[MP_MR] = m->lim.mrs;
	cap[MP_ST] = m->lim.st_entries;
	for (i = 0; i < MP_MAX; i++) {
		if (pool_init(&m->p[i], cap[i], esz[i])) {
			model_free(m);
			return -ENOMEM;
		}
	}
	m->devs = calloc(m->lim.devices ? m->lim.devices : 1, sizeof(*m->devs));
	if (!m->devs) {
		model_free(m);
		return -ENOMEM;
	}
	return 0;
}

void model_free(struct model *m)
{
	int i;

	for (i = 0; i < MP_MAX; i++)
		pool_free(&m->p[i]);
	free(m->devs);
	m->devs = NULL;
}

uint64_t model_evictions(const struct model *m)
{
	uint64_t n = m->devs_dropped;
	int i;

	for (i = 0; i < MP_MAX; i++)
		n += m->p[i].evicted;
	return n;
}

size_t model_entry_bytes(const struct model *m, enum model_pool pool)
{
	const struct pool *p = &m->p[pool];

	/* entry + key + flags + index slots (mask + 1 per cap) */
	return p->esz + sizeof(uint64_t) + 1 +
	       ((size_t)p->ix.mask + 1) * sizeof(uint32_t) / p->cap;
}

void model_set_lost(struct model *m, uint64_t total, uint64_t ringbuf,
		    uint64_t state)
{
	if (total > m->lost)
		m->lost = total;
	if (ringbuf > m->lost_ringbuf)
		m->lost_ringbuf = ringbuf;
	if (state > m->lost_state)
		m->lost_state = state;
}

/* ---- devices ---------------------------------------------------------------- */

static bool same_pci(const struct tph_dev *a, const struct tph_dev *b)
{
	return (a->valid & TPH_DEV_PCI) && (b->valid & TPH_DEV_PCI) &&
	       a->domain == b->domain && a->bdf == b->bdf;
}

static bool same_name(const struct tph_dev *a, const struct tph_dev *b)
{
	return (a->valid & TPH_DEV_NAME) && (b->valid & TPH_DEV_NAME) &&
	       !strncmp(a->name, b->name, TPH_NAME_LEN);
}

uint16_t model_find_dev(const struct model *m, const struct tph_dev *d)
{
	uint32_t i;

	if (d->valid & TPH_DEV_PCI)
		for (i = 0; i < m->ndevs; i++)
			if (same_pci(&m->devs[i].id, d))
				return i;
	if (d->valid & TPH_DEV_NAME)
		for (i = 0; i < m->ndevs; i++)
			if (same_name(&m->devs[i].id, d) &&
			    (!(d->valid & TPH_DEV_PCI) ||
			     !(m->devs[i].id.valid & TPH_DEV_PCI)))
				return i;
	return M_NODEV;
}

/* find or create; learns the other half of the identity (PCI <-> name) */
static uint16_t dev_get(struct model *m, const struct tph_dev *d, uint8_t role)
{
	struct m_dev *x;
	uint16_t i;

	if (!(d->valid & (TPH_DEV_PCI | TPH_DEV_NAME)))
		return M_NODEV;
	i = model_find_dev(m, d);
	if (i == M_NODEV) {
		if (m->ndevs >= m->lim.devices) {
			m->devs_dropped++;
			return M_NODEV;
		}
		i = m->ndevs++;
		x = &m->devs[i];
		memset(x, 0, sizeof(*x));
		x->enabled = x->mode = x->req_type = x->dev_req_type = TPH_UNKNOWN_U8;
		x->rp_completer = x->completer = x->st_direct = TPH_UNKNOWN_U8;
	}
	x = &m->devs[i];
	if ((d->valid & TPH_DEV_PCI) && !(x->id.valid & TPH_DEV_PCI)) {
		x->id.domain = d->domain;
		x->id.bdf = d->bdf;
		x->id.valid |= TPH_DEV_PCI;
	}
	if ((d->valid & TPH_DEV_NAME) && !(x->id.valid & TPH_DEV_NAME)) {
		memcpy(x->id.name, d->name, TPH_NAME_LEN);
		x->id.name[TPH_NAME_LEN - 1] = '\0';
		x->id.valid |= TPH_DEV_NAME;
	}
	x->roles |= role;
	return i;
}

void model_dev_str(const struct model *m, uint16_t dev, char *buf, size_t len)
{
	const struct tph_dev *d;
	struct tph_dev pci;
	char a[24];

	if (dev == M_NODEV || dev >= m->ndevs) {
		snprintf(buf, len, "-");
		return;
	}
	d = &m->devs[dev].id;
	pci = *d;
	pci.valid &= TPH_DEV_PCI;
	tph_dev_str(&pci, a, sizeof(a));
	if ((d->valid & TPH_DEV_PCI) && (d->valid & TPH_DEV_NAME))
		snprintf(buf, len, "%s (%.*s)", a, TPH_NAME_LEN, d->name);
	else if (d->valid & TPH_DEV_PCI)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%.*s", TPH_NAME_LEN, d->name);
}

const char *model_dev_label(const struct model *m, uint16_t dev, char *buf, size_t len)
{
	if (dev == M_NODEV || dev >= m->ndevs)
		return NULL;
	tph_dev_str(&m->devs[dev].id, buf, len);
	return *buf ? buf : NULL;
}

const char *model_buf_exporter(const struct model *m, const struct m_buf *b, char *buf,
			       size_t len)
{
	if (model_dev_label(m, b->exporter, buf, len))
		return buf;
	if (b->exp_name[0]) {
		snprintf(buf, len, "%.*s", TPH_NAME_LEN, b->exp_name);
		return buf;
	}
	return NULL;
}

/* ---- dma-bufs, holders, attachments, MRs ------------------------------------ */

uint32_t model_find_buf(const struct model *m, uint64_t ino)
{
	return ino ? oa_find(&m->p[MP_BUF].ix, ino) : M_NONE;
}

static uint32_t buf_get(struct model *m, uint64_t ino, const struct tph_buf *tb)
{
	struct m_buf *b;
	uint32_t i;

	if (!ino)
		return M_NONE;
	i = pool_find(&m->p[MP_BUF], ino);
	if (i == M_NONE) {
		i = pool_alloc(m, MP_BUF, ino);
		if (i == M_NONE)
			return M_NONE;
		b = M_BUF(m, i);
		b->holder_head = b->attach_head = b->mr_head = M_NONE;
		b->exporter = M_NODEV;
	}
	b = M_BUF(m, i);
	if (tb && (tb->size || tb->exp_name[0])) {
		if (tb->size)
			b->size = tb->size;
		if (tb->exp_name[0]) {
			memcpy(b->exp_name, tb->exp_name, TPH_NAME_LEN);
			b->exp_name[TPH_NAME_LEN - 1] = '\0';
		}
		b->bflags |= MB_NAME_KNOWN;
	}
	return i;
}

static void holder_ref(struct model *m, uint32_t bi, const struct tph_hdr *h)
{
	struct m_holder *x;
	struct m_buf *b;
	uint64_t key;
	uint32_t i;

	if (bi == M_NONE || !h->tgid)
		return;
	key = (uint64_t)bi << 32 | h->tgid;
	i = pool_find(&m->p[MP_HOLDER], key);
	if (i == M_NONE) {
		i = pool_alloc(m, MP_HOLDER, key);
		if (i == M_NONE)
			return;
		b = M_BUF(m, bi);
		x = M_HOLDER(m, i);
		x->buf = bi;
		x->tgid = h->tgid;
		x->next = b->holder_head;
		b->holder_head = i;
		b->nholders++;
	}
	x = M_HOLDER(m, i);
	x->refs++;
	memcpy(x->comm, h->comm, TPH_COMM_LEN);
	x->comm[TPH_COMM_LEN - 1] = '\0';
}

static void holder_remove(struct model *m, uint32_t i)
{
	struct m_holder *x = M_HOLDER(m, i);
	struct m_buf *b = M_BUF(m, x->buf);
	uint32_t *pp = &b->holder_head;

	while (*pp != M_NONE && *pp != i)
		pp = &M_HOLDER(m, *pp)->next;
	if (*pp == i)
		*pp = x->next;
	b->nholders--;
	pool_release(&m->p[MP_HOLDER], i);
}

static void attach_unlink(struct model *m, uint32_t i)
{
	struct m_attach *a = M_ATTACH(m, i);
	struct m_buf *b;

	if (a->buf == M_NONE)
		return;
	b = M_BUF(m, a->buf);
	if (a->prev != M_NONE)
		M_ATTACH(m, a->prev)->next = a->next;
	else
		b->attach_head = a->next;
	if (a->next != M_NONE)
		M_ATTACH(m, a->next)->prev = a->prev;
	b->nattach--;
	if (a->importer != M_NODEV)
		m->devs[a->importer].attachments--;
	a->buf = a->prev = a->next = M_NONE;
}

static void attach_remove(struct model *m, uint32_t i)
{
	attach_unlink(m, i);
	pool_release(&m->p[MP_ATTACH], i);
}

static void mr_unlink(struct model *m, uint32_t i)
{
	struct m_mr *r = M_MR(m, i);
	struct m_buf *b;

	if (r->buf == M_NONE)
		return;
	b = M_BUF(m, r->buf);
	if (r->prev != M_NONE)
		M_MR(m, r->prev)->next = r->next;
	else
		b->mr_head = r->next;
	if (r->next != M_NONE)
		M_MR(m, r->next)->prev = r->prev;
	if (model_mr_has_tph(r))
		b->mrs_tph--;
	else
		b->mrs_notph--;
	r->buf = r->prev = r->next = M_NONE;
}

static void mr_remove(struct model *m, uint32_t i)
{
	struct m_mr *r = M_MR(m, i);

	mr_unlink(m, i);
	if (r->nic != M_NODEV) {
		m->devs[r->nic].mrs--;
		if (model_mr_has_tph(r))
			m->devs[r->nic].mrs_tph--;
		if (r->pre_start)
			m->devs[r->nic].mrs_pre_start--;
	}
	if (r->pre_start)
		m->mrs_pre_start--;
	pool_release(&m->p[MP_MR], i);
}

/* drop a dma-buf with its holders and attachments; its MRs stay, unlinked */
static void buf_remove(struct model *m, uint32_t bi)
{
	struct m_buf *b = M_BUF(m, bi);
	uint32_t i, next;

	for (i = b->holder_head; i != M_NONE; i = next) {
		next = M_HOLDER(m, i)->next;
		pool_release(&m->p[MP_HOLDER], i);
	}
	b->holder_head = M_NONE;
	b->nholders = 0;
	while (b->attach_head != M_NONE)
		attach_remove(m, b->attach_head);
	while (b->mr_head != M_NONE)
		mr_unlink(m, b->mr_head);
	pool_release(&m->p[MP_BUF], bi);
}

static void st_remove(struct model *m, uint32_t i)
{
	struct m_st *e = M_ST(m, i);

	if (e->nic != M_NODEV && m->devs[e->nic].st_used)
		m->devs[e->nic].st_used--;
	pool_release(&m->p[MP_ST], i);
}

static void evict(struct model *m, enum model_pool pool, uint32_t i)
{
	switch (pool) {
	case MP_BUF:
		buf_remove(m, i);
		break;
	case MP_HOLDER:
		holder_remove(m, i);
		break;
	case MP_ATTACH:
		attach_remove(m, i);
		break;
	case MP_MR:
		mr_remove(m, i);
		break;
	case MP_ST:
		st_remove(m, i);
		break;
	default:
		break;
	}
}

uint32_t model_find_mr(const struct model *m, uint16_t nic, uint32_t mkey)
{
	return oa_find(&m->p[MP_MR].ix, (uint64_t)nic << 32 | mkey);
}

uint32_t model_find_st(const struct model *m, uint16_t nic, uint16_t index)
{
	return oa_find(&m->p[MP_ST].ix, (uint64_t)nic << 32 | index);
}

uint32_t model_find_st_tag(const struct model *m, uint16_t nic, uint16_t tag)
{
	const struct pool *p = &m->p[MP_ST];
	uint32_t i;

	if (nic == M_NODEV || !m->devs[nic].st_used)
		return M_NONE;
	for (i = 0; i < p->fresh; i++)
		if ((p->flags[i] & POOL_USED) && M_ST(m, i)->nic == nic &&
		    M_ST(m, i)->tag == tag)
			return i;
	return M_NONE;
}

bool model_buf_tag(const struct m_buf *b, bool extended, uint16_t *st)
{
	if (extended ? !(b->pub_flags & M_PUB_ST_EXT) : !(b->pub_flags & M_PUB_ST))
		return false;
	*st = extended ? b->st_ext : b->st;
	return true;
}

/* ---- apply ------------------------------------------------------------------ */

static void apply_dmabuf(struct model *m, const struct tph_ev_dmabuf *r)
{
	bool iter, sampled, known;
	uint32_t bi;
	struct m_buf *b;

	if (r->hdr.kind == TPH_EV_DMABUF_RELEASE) {
		bi = model_find_buf(m, r->buf.ino);
		if (bi == M_NONE)
			m->orphans++;
		else
			buf_remove(m, bi);
		return;
	}
	if (r->ret < 0)
		return;
	iter = r->hdr.hook == TPH_HOOK_ITER;
	sampled = iter && (r->hdr.flags & TPH_F_SAMPLED);
	bi = model_find_buf(m, r->buf.ino);
	/* a second export of a live inode: the first release was not seen */
	if (bi != M_NONE && !iter && (M_BUF(m, bi)->bflags & MB_EXPORT_SEEN)) {
		buf_remove(m, bi);
		m->orphans++;
	}
	/* polling saw one the model already has (e.g. recovered at start): no news */
	known = bi != M_NONE;
	bi = buf_get(m, r->buf.ino, &r->buf);
	if (bi == M_NONE)
		return;
	b = M_BUF(m, bi);
	if (r->name[0]) {
		memcpy(b->name, r->name, TPH_NAME_LEN);
		b->name[TPH_NAME_LEN - 1] = '\0';
	}
	if (iter && !sampled) {
		b->bflags |= MB_ITER;
	} else if (!sampled || !known) {
		b->bflags |= MB_EXPORT_SEEN | (sampled ? MB_SAMPLED : 0);
		b->created_ns = r->hdr.ts_ns;
	}
	holder_ref(m, bi, &r->hdr);
}

static uint64_t attach_key(const struct tph_ev_attach *r, uint16_t importer)
{
	/* no cookie (recovered state): one attachment per (dma-buf, importer) */
	if (r->attach)
		return r->attach;
	return 1ull << 63 | r->buf.ino << 16 | importer;
}

static uint32_t attach_get(struct model *m, const struct tph_ev_attach *r, bool create)
{
	struct m_attach *a;
	struct m_buf *b;
	uint16_t imp;
	uint32_t bi, ai;

	imp = dev_get(m, &r->importer, MD_IMPORTER);
	ai = pool_find(&m->p[MP_ATTACH], attach_key(r, imp));
	bi = buf_get(m, r->buf.ino, &r->buf);
	if (ai != M_NONE && M_ATTACH(m, ai)->buf == bi)
		return ai;
	if (!create || bi == M_NONE)
		return M_NONE;
	if (ai != M_NONE)		/* cookie reused: detach was not seen */
		attach_unlink(m, ai);
	else
		ai = pool_alloc(m, MP_ATTACH, attach_key(r, imp));
	if (ai == M_NONE)
		return M_NONE;
	a = M_ATTACH(m, ai);
	b = M_BUF(m, bi);
	a->ts_ns = r->hdr.ts_ns;
	a->buf = bi;
	a->importer = imp;
	a->p2p = r->peer2peer;
	a->dynamic = r->dynamic;
	a->iter = r->hdr.hook == TPH_HOOK_ITER;
	/* bufinfo names the device only; iter/dmabuf and the hooks see the attachment */
	a->kind_known = !a->iter || r->attach;
	a->prev = M_NONE;
	a->next = b->attach_head;
	if (b->attach_head != M_NONE)
		M_ATTACH(m, b->attach_head)->prev = ai;
	b->attach_head = ai;
	b->nattach++;
	if (imp != M_NODEV)
		m->devs[imp].attachments++;
	return ai;
}

static void apply_attach(struct model *m, const struct tph_ev_attach *r)
{
	uint32_t ai, bi;
	struct m_attach *a;

	switch (r->hdr.kind) {
	case TPH_EV_ATTACH:
	case TPH_EV_MAP:
		if (r->ret < 0)
			return;
		ai = attach_get(m, r, true);
		if (ai == M_NONE)
			return;
		a = M_ATTACH(m, ai);
		if (r->hdr.kind == TPH_EV_MAP) {
			a->maps++;
			M_BUF(m, a->buf)->bflags &= ~MB_REVOKED;
		}
		holder_ref(m, a->buf, &r->hdr);
		return;
	case TPH_EV_DETACH:
	case TPH_EV_UNMAP:
		ai = attach_get(m, r, false);
		if (ai == M_NONE) {
			m->orphans++;
			return;
		}
		a = M_ATTACH(m, ai);
		if (r->hdr.kind == TPH_EV_DETACH)
			attach_remove(m, ai);
		else if (a->maps)
			a->maps--;
		return;
	case TPH_EV_INVALIDATE:
		bi = buf_get(m, r->buf.ino, &r->buf);
		if (bi == M_NONE)
			return;
		M_BUF(m, bi)->inval_count++;
		M_BUF(m, bi)->inval_ns = r->hdr.ts_ns;
		M_BUF(m, bi)->bflags |= MB_REVOKED;
		return;
	}
}

static void apply_publish(struct model *m, const struct tph_ev_publish *r)
{
	uint16_t exp = dev_get(m, &r->exporter, MD_EXPORTER);
	struct m_buf *b;
	uint32_t bi;

	if (exp != M_NODEV && r->completer != TPH_UNKNOWN_U8)
		m->devs[exp].completer = r->completer;
	bi = buf_get(m, r->ino, NULL);
	if (bi == M_NONE)
		return;
	b = M_BUF(m, bi);
	b->pub_ret = r->ret;
	holder_ref(m, bi, &r->hdr);
	/* a rejected SET may name a dma-buf of another exporter: learn nothing */
	if (r->ret)
		return;
	if (exp != M_NODEV)
		b->exporter = exp;
	/* each SET fully replaces the state; flags 0 clears both widths */
	b->pub_flags = r->flags & (M_PUB_ST | M_PUB_ST_EXT);
	b->st = r->st;
	b->st_ext = r->st_ext;
	b->ph = r->ph;
	b->bflags |= MB_PUB_KNOWN;
	/* hook iter: the exporter's state read at start, not a SET seen */
	if (r->hdr.hook == TPH_HOOK_ITER)
		return;
	b->pub_gen++;
	b->pub_ns = r->hdr.ts_ns;
}

static void apply_query(struct model *m, const struct tph_ev_query *r)
{
	uint8_t flags = 0, old_flags;
	uint16_t exp = M_NODEV, old;
	struct m_buf *b;
	uint32_t bi;
	bool changed;

	if (r->qflags & TPH_Q_EXPORTER_SEEN)
		exp = dev_get(m, &r->exporter, MD_EXPORTER);
	bi = buf_get(m, r->buf.ino, &r->buf);
	if (bi == M_NONE)
		return;
	b = M_BUF(m, bi);
	if (exp != M_NODEV)
		b->exporter = exp;
	holder_ref(m, bi, &r->hdr);
	if (!(r->qflags & TPH_Q_VALID_KNOWN))
		return;
	/* the exporter's own view is authoritative: learn what we missed */
	if (r->qflags & TPH_Q_ST_VALID)
		flags |= M_PUB_ST;
	if (r->qflags & TPH_Q_ST_EXT_VALID)
		flags |= M_PUB_ST_EXT;
	old_flags = b->pub_flags;
	changed = !(b->bflags & MB_PUB_KNOWN) || flags != old_flags;
	b->pub_flags = flags;
	if (!r->ret) {
		if (r->extended) {
			old = b->st_ext;
			b->st_ext = r->st;
		} else {
			old = b->st;
			b->st = (uint8_t)r->st;
		}
		changed |= old != r->st || b->ph != r->ph;
		b->ph = r->ph;
	}
	if (changed && (b->bflags & MB_PUB_KNOWN))
		b->pub_gen++;
	b->bflags |= MB_PUB_KNOWN;
}

static void apply_mr(struct model *m, const struct tph_ev_mr *r)
{
	bool pre = r->hdr.hook == TPH_HOOK_ITER;
	uint16_t nic = dev_get(m, &r->nic, MD_NIC);
	struct m_mr *x;
	struct m_buf *b;
	uint32_t bi, i;
	uint64_t key;

	if (nic != M_NODEV && (r->req_type == TPH_REQ_DISABLE ||
			       r->req_type == TPH_REQ_TPH_ONLY ||
			       r->req_type == TPH_REQ_EXT_TPH))
		m->devs[nic].req_type = r->req_type;
	if (r->ret < 0 || !r->mkey) {
		m->mr_failed++;
		return;
	}
	key = (uint64_t)nic << 32 | r->mkey;
	i = pool_find(&m->p[MP_MR], key);
	if (i != M_NONE && pre)		/* traced since start: that record knows more */
		return;
	bi = buf_get(m, r->ino, NULL);
	holder_ref(m, bi, &r->hdr);
	if (i != M_NONE) {
		/*
		 * mkey reused: deregistration not seen, unless the entry is from
		 * the start-up dump, which ran after tracing began and can list
		 * an MR whose registration record is applied only now
		 */
		if (!M_MR(m, i)->pre_start)
			m->orphans++;
		mr_remove(m, i);
	}
	i = pool_alloc(m, MP_MR, key);
	if (i == M_NONE)
		return;
	x = M_MR(m, i);
	x->ino = r->ino;
	x->length = r->length;
	x->reg_ns = r->hdr.ts_ns;
	x->mkey = r->mkey;
	x->tgid = r->hdr.tgid;
	memcpy(x->comm, r->hdr.comm, TPH_COMM_LEN);
	x->comm[TPH_COMM_LEN - 1] = '\0';
	x->nic = nic;
	x->st = r->st;
	x->st_index = r->st_index;
	x->ph = r->ph;
	x->reason = r->reason;
	x->source = r->source;
	x->reused = r->reused;
	x->req_type = r->req_type;
	x->extended = r->extended;
	x->buf = x->prev = x->next = M_NONE;
	x->pre_start = pre;
	/* only ITER records carry these (the BPF programs leave them unset) */
	x->rkey = pre ? r->rkey : 0;
	x->pdn = pre ? r->pdn : 0;
	x->mrn = pre ? r->mrn : 0;
	x->pdn_known = pre && (r->nl_flags & TPH_MR_NL_PDN);
	if (pre)
		m->mrs_pre_start++;
	if (nic != M_NODEV) {
		m->devs[nic].mrs++;
		if (model_mr_has_tph(x))
			m->devs[nic].mrs_tph++;
		if (pre)
			m->devs[nic].mrs_pre_start++;
	}
	if (bi == M_NONE)
		return;
	b = M_BUF(m, bi);
	x->pub_gen = b->pub_gen;
	x->inval_count = b->inval_count;
	x->pub_flags = b->pub_flags;
	x->pub_st = b->st;
	x->pub_st_ext = b->st_ext;
	x->pub_ph = b->ph;
	x->pub_known = !!(b->bflags & MB_PUB_KNOWN);
	x->buf = bi;
	x->next = b->mr_head;
	if (b->mr_head != M_NONE)
		M_MR(m, b->mr_head)->prev = i;
	b->mr_head = i;
	if (model_mr_has_tph(x))
		b->mrs_tph++;
	else
		b->mrs_notph++;
}

static void apply_mr_dereg(struct model *m, const struct tph_ev_mr_dereg *r)
{
	uint16_t nic = model_find_dev(m, &r->nic);
	uint32_t i;

	i = nic == M_NODEV ? M_NONE : model_find_mr(m, nic, r->mkey);
	if (i == M_NONE) {
		m->orphans++;
		return;
	}
	mr_remove(m, i);
}

static bool st_full_errno(int ret)
{
	return ret == -ENOSPC || ret == -EBUSY;
}

static void apply_st(struct model *m, const struct tph_ev_st *r)
{
	uint16_t nic = dev_get(m, &r->nic, MD_NIC);
	struct m_dev *d;
	struct m_st *e;
	uint64_t key;
	uint32_t i;

	if (nic == M_NODEV)
		return;
	d = &m->devs[nic];
	if (r->ret < 0) {
		if (r->op == TPH_ST_ALLOC && st_full_errno(r->ret)) {
			d->st_full++;
			if (!d->st_size_at_full && d->st_max_index)
				d->st_size_at_full = d->st_max_index + 1;
		}
		return;
	}
	d->st_direct = r->direct;
	if (r->direct)
		return;		/* the tag is the index: nothing is refcounted */
	if (r->st_index > d->st_max_index)
		d->st_max_index = r->st_index;
	key = (uint64_t)nic << 32 | r->st_index;
	i = pool_find(&m->p[MP_ST], key);
	if (r->op == TPH_ST_PUT) {
		if (i == M_NONE) {
			m->orphans++;
			return;
		}
		e = M_ST(m, i);
		if (r->refcount != UINT32_MAX)
			e->refcount = r->refcount;
		else if (e->refcount)
			e->refcount--;
		if (!e->refcount)
			st_remove(m, i);
		return;
	}
	if (i == M_NONE) {
		i = pool_alloc(m, MP_ST, key);
		if (i == M_NONE)
			return;
		M_ST(m, i)->nic = nic;
		d->st_used++;
	}
	e = M_ST(m, i);
	e->tag = r->tag;
	if (r->refcount != UINT32_MAX)
		e->refcount = r->refcount;
	else
		e->refcount++;
}

static void apply_pci(struct model *m, const struct tph_ev_pci *r)
{
	uint16_t di = dev_get(m, &r->dev, MD_PCI_TPH);
	struct m_dev *d;

	if (di == M_NODEV)
		return;
	d = &m->devs[di];
	if (r->st_entries)
		d->st_table_size = r->st_entries;
	switch (r->op) {
	case TPH_PCI_ENABLE:
		if (r->hdr.hook == TPH_HOOK_ITER) {
			/* state read at start (config space), not an operation */
			d->enabled = r->req_type != TPH_REQ_DISABLE;
			d->mode = r->mode;
			d->req_type = r->req_type;
			d->dev_req_type = r->dev_req_type;
			d->rp_completer = r->rp_completer;
			return;
		}
		d->enable_ret = r->ret;
		if (r->dev_req_type != TPH_UNKNOWN_U8)
			d->dev_req_type = r->dev_req_type;
		if (r->rp_completer != TPH_UNKNOWN_U8)
			d->rp_completer = r->rp_completer;
		if (r->ret) {
			d->enabled = 0;
			d->req_type = TPH_REQ_DISABLE;
			return;
		}
		d->enabled = 1;
		d->mode = r->mode;
		d->req_type = r->req_type;
		d->disabled_by_st_fail = 0;
		d->st_write_failed = 0;
		return;
	case TPH_PCI_DISABLE:
		d->enabled = 0;
		d->req_type = TPH_REQ_DISABLE;
		if (d->st_write_failed)
			d->disabled_by_st_fail = 1;
		return;
	case TPH_PCI_ST_WRITE:
		if (!r->ret)
			return;
		/* pcie_tph_set_st_entry() disables TPH on the function on error */
		d->st_write_fails++;
		d->st_fail_index = r->index;
		d->st_fail_tag = r->tag;
		d->st_fail_ret = r->ret;
		d->st_write_failed = 1;
		d->disabled_by_st_fail = 1;
		d->enabled = 0;
		d->req_type = TPH_REQ_DISABLE;
		return;
	}
}

int model_apply(struct model *m, const union tph_record *rec)
{
	unsigned int kind = rec->hdr.kind;

	if (!kind || kind >= TPH_EV_MAX)
		return -EINVAL;
	m->records++;
	m->by_kind[kind]++;
	if (rec->hdr.hook == TPH_HOOK_ITER)
		m->iter_records++;
	if (rec->hdr.ts_ns > m->last_ns)
		m->last_ns = rec->hdr.ts_ns;
	switch (kind) {
	case TPH_EV_DMABUF_EXPORT:
	case TPH_EV_DMABUF_RELEASE:
		apply_dmabuf(m, &rec->dmabuf);
		break;
	case TPH_EV_ATTACH:
	case TPH_EV_DETACH:
	case TPH_EV_MAP:
	case TPH_EV_UNMAP:
	case TPH_EV_INVALIDATE:
		apply_attach(m, &rec->attach);
		break;
	case TPH_EV_TPH_PUBLISH:
		apply_publish(m, &rec->publish);
		break;
	case TPH_EV_TPH_QUERY:
		apply_query(m, &rec->query);
		break;
	case TPH_EV_MR_REG:
		apply_mr(m, &rec->mr);
		break;
	case TPH_EV_MR_DEREG:
		apply_mr_dereg(m, &rec->mr_dereg);
		break;
	case TPH_EV_ST_INDEX:
		apply_st(m, &rec->st);
		break;
	case TPH_EV_PCI_TPH:
		apply_pci(m, &rec->pci);
		break;
	}
	return 0;
}

void model_buf_tag_str(const struct m_buf *b, char *buf, size_t len)
{
	if (!(b->bflags & MB_PUB_KNOWN))
		snprintf(buf, len, "?");
	else if ((b->pub_flags & (M_PUB_ST | M_PUB_ST_EXT)) == (M_PUB_ST | M_PUB_ST_EXT))
		snprintf(buf, len, "w8+16 st=0x%x/0x%x ph=%u", b->st, b->st_ext, b->ph);
	else if (b->pub_flags & M_PUB_ST)
		snprintf(buf, len, "w8 st=0x%x ph=%u", b->st, b->ph);
	else if (b->pub_flags & M_PUB_ST_EXT)
		snprintf(buf, len, "w16 st=0x%x ph=%u", b->st_ext, b->ph);
	else
		snprintf(buf, len, "none");
}

void model_size_str(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)size;
	int u = -1;

	if (!size) {
		snprintf(buf, len, "-");
		return;
	}
	if (size < 1024) {
		snprintf(buf, len, "%" PRIu64, size);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
}

/* append to @buf at *@off, truncating with "..." */
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*off += (size_t)n;
	if (*off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

void model_holders_str(const struct model *m, uint32_t bi, char *buf, size_t len)
{
	const struct m_holder *h;
	size_t off = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = M_BUF(m, bi)->holder_head; i != M_NONE; i = h->next) {
		h = M_HOLDER(m, i);
		append(buf, len, &off, "%s%u %s", off ? ", " : "", h->tgid, h->comm);
		if (h->refs > 1)
			append(buf, len, &off, " (x%u)", h->refs);
	}
	if (!off)
		snprintf(buf, len, "-");
}

void model_importers_str(const struct model *m, uint32_t bi, char *buf, size_t len)
{
	const struct m_attach *a;
	char dev[96];
	size_t off = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = M_BUF(m, bi)->attach_head; i != M_NONE; i = a->next) {
		a = M_ATTACH(m, i);
		model_dev_str(m, a->importer, dev, sizeof(dev));
		append(buf, len, &off, "%s%s", off ? ", " : "", dev);
		if (a->kind_known)
			append(buf, len, &off, "%s%s", a->p2p ? " p2p" : "",
			       a->dynamic ? " dynamic" : "");
		if (a->iter)
			append(buf, len, &off, " (before start)");
		if (a->maps)
			append(buf, len, &off, " maps=%u", a->maps);
	}
	if (!off)
		snprintf(buf, len, "-");
}

void model_roles_str(uint8_t roles, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (roles & MD_EXPORTER)
		append(buf, len, &off, "%sexporter", off ? "," : "");
	if (roles & MD_IMPORTER)
		append(buf, len, &off, "%simporter", off ? "," : "");
	if (roles & MD_NIC)
		append(buf, len, &off, "%snic", off ? "," : "");
	if (roles & MD_PCI_TPH)
		append(buf, len, &off, "%spci-tph", off ? "," : "");
	if (!off)
		snprintf(buf, len, "-");
}

static int cmp_kv(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t model_next(const struct model *m, enum model_pool pool, uint32_t i)
{
	const struct pool *p = &m->p[pool];

	/* entries [fresh, cap) were never used */
	for (i = i == M_NONE ? 0 : i + 1; i < p->fresh; i++)
		if (p->flags[i] & POOL_USED)
			return i;
	return M_NONE;
}

const struct m_buf *model_mr_buf(const struct model *m, const struct m_mr *x)
{
	return x->buf != M_NONE && model_used(m, MP_BUF, x->buf) ? M_BUF(m, x->buf) : NULL;
}

uint32_t *model_sorted(const struct model *m, enum model_pool pool, uint32_t *n)
{
	const struct pool *p = &m->p[pool];
	uint64_t *kv = calloc(p->used ? p->used : 1, 2 * sizeof(uint64_t));
	uint32_t *v, i, k = 0;

	*n = 0;
	if (!kv)
		return NULL;
	for (i = 0; i < p->fresh; i++) {
		if (!(p->flags[i] & POOL_USED))
			continue;
		kv[2 * k] = p->keys[i];
		kv[2 * k + 1] = i;
		k++;
	}
	qsort(kv, k, 2 * sizeof(uint64_t), cmp_kv);
	v = (uint32_t *)kv;
	for (i = 0; i < k; i++)
		v[i] = (uint32_t)kv[2 * i + 1];
	*n = k;
	return v;
}
