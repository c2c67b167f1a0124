/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The live model: what exists right now, built only from records
 * (union tph_record), so live BPF input, `trace -j` files and the state
 * recovered at start (synthetic records with hook "iter") share one code
 * path.
 *
 *   dma-bufs     by inode: exporter, size, published ST / ext ST / PH and
 *                which widths are valid, invalidations, revocation
 *   holders      processes seen referencing a dma-buf, with counts
 *   attachments  by attach cookie: importer device, p2p, dynamic, maps
 *   MRs          by (NIC, mkey): tag, ST index, PH, reason, reuse, owner,
 *                and the dma-buf's published state at registration; MRs
 *                that existed before start (hook ITER records from the RDMA
 *                netlink dump: mkey = lkey, rkey, PD, no dma-buf, no TPH
 *                outcome) are marked pre_start
 *   devices      exporters, importers and NICs: PCI TPH state, ST table use
 *   ST entries   by (NIC, index): tag and refcount
 *
 * Bounded: every pool is sized once from struct model_limits (memory is
 * reserved, pages are touched only when used). A full pool evicts its
 * least recently used entry (clock / second chance) and counts it; nothing
 * is allocated per record.
 */
#ifndef TPHTRACE_MODEL_H
#define TPHTRACE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tphtrace/tphtrace.h"

#define M_NONE		UINT32_MAX	/* no entry (pool index) */
#define M_NODEV		UINT16_MAX	/* no device */

/* ---- open-addressing index over u64 keys (linear probing) -------------- */

/*
 * Maps a u64 key to a pool index. The keys live in the caller's array
 * (keys[idx]); slots hold idx + 1 (0: empty). Deletion shifts back, so
 * there are no tombstones and no rehashing.
 */
struct oa_index {
	uint32_t *slots;
	uint32_t mask;
	const uint64_t *keys;
};

int oa_init(struct oa_index *ix, uint32_t entries, const uint64_t *keys);
void oa_free(struct oa_index *ix);
uint32_t oa_find(const struct oa_index *ix, uint64_t key);	/* M_NONE */
void oa_insert(struct oa_index *ix, uint64_t key, uint32_t idx);
void oa_remove(struct oa_index *ix, uint64_t key);

/* ---- pools --------------------------------------------------------------- */

enum model_pool {
	MP_BUF = 0,
	MP_HOLDER,
	MP_ATTACH,
	MP_MR,
	MP_ST,
	MP_MAX,
};

/* A fixed-capacity pool of entries with a key index and a free list. */
struct pool {
	void *ent;		/* cap entries of esz bytes */
	size_t esz;
	uint64_t *keys;		/* key of a used entry; next free for a free one */
	uint8_t *flags;		/* POOL_USED | POOL_REF */
	struct oa_index ix;
	uint32_t cap;
	uint32_t used;
	uint32_t free_head;
	uint32_t fresh;		/* entries [fresh, cap) never used yet */
	uint32_t hand;		/* clock hand for eviction */
	uint64_t evicted;	/* entries dropped because the pool was full */
	uint64_t high;		/* highest number of entries in use */
};

#define POOL_USED	0x1
#define POOL_REF	0x2

struct model_limits {
	uint32_t bufs;
	uint32_t holders;
	uint32_t attachments;
	uint32_t mrs;
	uint32_t st_entries;
	uint32_t devices;	/* <= 65534; full: new devices are not tracked */
};

void model_default_limits(struct model_limits *l);

/* ---- entries --------------------------------------------------------------- */

/* m_buf.bflags */
#define MB_EXPORT_SEEN	0x01	/* created while we watched (not recovered) */
#define MB_ITER		0x02	/* recovered at start (/proc, debugfs) */
#define MB_REVOKED	0x04	/* invalidated and not mapped again since */
#define MB_PUB_KNOWN	0x08	/* pub_flags known (publish or exporter query) */
#define MB_NAME_KNOWN	0x10	/* size / exp_name known */
#define MB_SAMPLED	0x20	/* export seen by iter/dmabuf polling (time approximate) */

/* published widths (m_buf.pub_flags; VFIO_DMA_BUF_TPH_ST / _ST_EXT) */
#define M_PUB_ST	0x1
#define M_PUB_ST_EXT	0x2

struct m_buf {
	uint64_t size;
	uint64_t created_ns;	/* export record (0: before start) */
	uint64_t pub_ns;	/* last successful publish */
	uint64_t inval_ns;	/* last invalidate */
	char exp_name[TPH_NAME_LEN];
	char name[TPH_NAME_LEN];	/* DMA_BUF_SET_NAME, "" unknown or none */
	uint32_t holder_head;	/* singly linked via m_holder.next */
	uint32_t attach_head;	/* doubly linked via m_attach.prev/next */
	uint32_t mr_head;	/* doubly linked via m_mr.prev/next */
	uint32_t pub_gen;	/* successful publishes (SET) so far */
	uint32_t inval_count;	/* invalidations so far */
	int32_t pub_ret;	/* last publish result (0 if none) */
	uint16_t exporter;	/* device index, M_NODEV unknown */
	uint16_t st_ext;	/* published 16-bit extended ST */
	uint8_t st;		/* published 8-bit ST */
	uint8_t ph;
	uint8_t pub_flags;	/* M_PUB_* */
	uint8_t bflags;		/* MB_* */
	uint16_t nholders;
	uint16_t nattach;
	uint16_t mrs_tph;	/* live MRs whose mkey has TPH */
	uint16_t mrs_notph;
};

struct m_holder {
	uint32_t buf;
	uint32_t next;
	uint32_t tgid;
	uint32_t refs;		/* records of this process naming the dma-buf */
	char comm[TPH_COMM_LEN];
};

struct m_attach {
	uint64_t ts_ns;
	uint32_t buf;
	uint32_t prev, next;
	uint32_t maps;		/* map - unmap */
	uint16_t importer;	/* device index */
	uint8_t p2p;
	uint8_t dynamic;
	uint8_t iter;		/* recovered at start */
	uint8_t kind_known;	/* p2p/dynamic known (not from debugfs bufinfo) */
	uint8_t pad[2];
};

struct m_mr {
	uint64_t ino;
	uint64_t length;
	uint64_t reg_ns;
	uint32_t buf;		/* M_NONE: dma-buf not in the model */
	uint32_t prev, next;
	uint32_t mkey;
	uint32_t tgid;
	uint16_t nic;		/* device index */
	uint16_t st;		/* tag returned by the query */
	uint16_t st_index;	/* what the mkey got */
	uint8_t ph;		/* TPH_NO_PH: no TPH on the mkey */
	uint8_t reason;
	uint8_t source;
	uint8_t reused;
	uint8_t req_type;
	uint8_t extended;
	char comm[TPH_COMM_LEN];
	/* the dma-buf's published state when the MR was registered */
	uint32_t pub_gen;
	uint32_t inval_count;
	uint16_t pub_st_ext;
	uint8_t pub_st;
	uint8_t pub_ph;
	uint8_t pub_flags;
	uint8_t pub_known;
	uint8_t pre_start;	/* existed before start (RDMA netlink): TPH not known */
	uint8_t pdn_known;	/* pre-start: pdn given (a user MR) */
	/* pre-start MRs only (what the RDMA netlink dump reports; mkey = lkey) */
	uint32_t rkey;
	uint32_t pdn;
	uint32_t mrn;
};

struct m_st {
	uint32_t refcount;
	uint16_t tag;
	uint16_t nic;
};

/* m_dev.roles */
#define MD_EXPORTER	0x1
#define MD_IMPORTER	0x2
#define MD_NIC		0x4	/* registered MRs / ST table */
#define MD_PCI_TPH	0x8	/* pci_tph records seen */

struct m_dev {
	struct tph_dev id;
	uint8_t roles;
	/* PCI TPH (pci_tph records; MR records for req_type) */
	uint8_t enabled;	/* 1 on, 0 off, 0xff unknown */
	uint8_t mode;		/* PCI_TPH_ST_*_MODE, 0xff unknown */
	uint8_t req_type;	/* enabled requester type, 0xff unknown */
	uint8_t dev_req_type;	/* what the function offers, 0xff unknown */
	uint8_t rp_completer;	/* root port completer, 0xff unknown */
	uint8_t completer;	/* as exporter: DEVCAP2 completer, 0xff unknown */
	uint8_t st_direct;	/* 1 no ST table (tag is the index), 0 table, 0xff */
	uint8_t disabled_by_st_fail; /* TPH torn down after an ST write failed */
	uint8_t st_write_failed;     /* an ST write failed; disable may follow */
	int32_t enable_ret;	/* last enable result */
	uint32_t st_write_fails;
	uint32_t st_fail_index;
	uint16_t st_fail_tag;
	int32_t st_fail_ret;
	/* ST table (rules_st_capacity() judges its size from these) */
	uint32_t st_used;	/* entries in use */
	uint32_t st_max_index;	/* highest index seen */
	uint32_t st_table_size;	/* PCI ST Table Size (config space), 0 unknown */
	uint32_t st_size_at_full; /* max index + 1 at the first "table full", 0 none */
	uint32_t st_full;	/* allocations refused: table full */
	/* live MRs / attachments */
	uint32_t mrs;
	uint32_t mrs_tph;
	uint32_t mrs_pre_start;	/* of mrs: from before start, TPH not known */
	uint32_t attachments;
};

struct model {
	struct model_limits lim;
	struct pool p[MP_MAX];
	struct m_dev *devs;
	uint32_t ndevs;
	uint64_t devs_dropped;		/* records naming a device past the limit */
	uint64_t records;		/* applied */
	uint64_t by_kind[TPH_EV_MAX];
	uint64_t iter_records;		/* synthetic, from the state recovery */
	uint64_t mr_failed;		/* MR registrations that failed */
	uint32_t mrs_pre_start;		/* live MRs from before start (RDMA netlink) */
	uint64_t orphans;		/* release/detach/dereg of unknown entries */
	uint64_t lost;			/* records tphtrace itself lost */
	uint64_t lost_ringbuf, lost_state;
	uint64_t last_ns;		/* newest record timestamp */
};

int model_init(struct model *m, const struct model_limits *lim);
void model_free(struct model *m);
/* apply one record; unknown kinds are ignored (-EINVAL) */
int model_apply(struct model *m, const union tph_record *rec);
/* tphtrace's own lost records (totals so far, as collector_lost() reports) */
void model_set_lost(struct model *m, uint64_t total, uint64_t ringbuf,
		    uint64_t state);
uint64_t model_evictions(const struct model *m);

/* ---- read API (views, metrics and rules use only this) --------------------- */

static inline bool model_used(const struct model *m, enum model_pool p, uint32_t i)
{
	return i < m->p[p].cap && (m->p[p].flags[i] & POOL_USED);
}

/* entries in use, pool size, entries evicted because the pool was full */
static inline uint32_t model_count(const struct model *m, enum model_pool p)
{
	return m->p[p].used;
}

static inline uint32_t model_capacity(const struct model *m, enum model_pool p)
{
	return m->p[p].cap;
}

static inline uint64_t model_evicted(const struct model *m, enum model_pool p)
{
	return m->p[p].evicted;
}

/* the used entry of @pool after @i (M_NONE: the first), M_NONE at the end */
uint32_t model_next(const struct model *m, enum model_pool pool, uint32_t i);
#define MODEL_FOR_EACH(m, pool, i) \
	for ((i) = model_next(m, pool, M_NONE); (i) != M_NONE; (i) = model_next(m, pool, i))

/* the dma-buf an MR is on, NULL if it is not in the model */
const struct m_buf *model_mr_buf(const struct model *m, const struct m_mr *x);
static inline bool model_mr_has_tph(const struct m_mr *x)
{
	return x->ph != TPH_NO_PH;
}

#define M_ENT(m, pool, type, i) (&((type *)(m)->p[pool].ent)[i])
#define M_BUF(m, i)	M_ENT(m, MP_BUF, struct m_buf, i)
#define M_HOLDER(m, i)	M_ENT(m, MP_HOLDER, struct m_holder, i)
#define M_ATTACH(m, i)	M_ENT(m, MP_ATTACH, struct m_attach, i)
#define M_MR(m, i)	M_ENT(m, MP_MR, struct m_mr, i)
#define M_ST(m, i)	M_ENT(m, MP_ST, struct m_st, i)

static inline uint64_t model_buf_ino(const struct model *m, uint32_t i)
{
	return m->p[MP_BUF].keys[i];
}

static inline uint64_t model_attach_cookie(const struct model *m, uint32_t i)
{
	return m->p[MP_ATTACH].keys[i];
}

uint32_t model_find_buf(const struct model *m, uint64_t ino);
/* device index of @d (matched by PCI address, else name), M_NODEV */
uint16_t model_find_dev(const struct model *m, const struct tph_dev *d);
uint32_t model_find_mr(const struct model *m, uint16_t nic, uint32_t mkey);
/* ST entry of @nic at @index, M_NONE */
uint32_t model_find_st(const struct model *m, uint16_t nic, uint16_t index);
/* ST entry of @nic holding @tag, M_NONE (scans the NIC's entries) */
uint32_t model_find_st_tag(const struct model *m, uint16_t nic, uint16_t tag);
static inline uint16_t model_st_index(const struct model *m, uint32_t i)
{
	return (uint16_t)m->p[MP_ST].keys[i];
}

/* "0000:3b:00.0 (mlx5_0)", "mlx5_0", "0000:3b:00.0" or "-" */
void model_dev_str(const struct model *m, uint16_t dev, char *buf, size_t len);
/* one short name per device: its PCI address, else its name; NULL if none */
const char *model_dev_label(const struct model *m, uint16_t dev, char *buf, size_t len);
/* a dma-buf's exporter: its device's label, else the exporter name; NULL */
const char *model_buf_exporter(const struct model *m, const struct m_buf *b, char *buf,
			       size_t len);
/* the tag currently published for @extended, false if none */
bool model_buf_tag(const struct m_buf *b, bool extended, uint16_t *st);

/* "w8 st=0xf0 ph=2", "w8+16 st=0xf0/0x1234 ph=2", "none", "?" (not known) */
void model_buf_tag_str(const struct m_buf *b, char *buf, size_t len);
/* "4.0K", "2.0M", "-" for 0 */
void model_size_str(uint64_t size, char *buf, size_t len);

/* "1234 app (x3), 99 other" / "0000:3b:00.0 (mlx5_0) p2p dyn maps=1, ..." */
void model_holders_str(const struct model *m, uint32_t bi, char *buf, size_t len);
void model_importers_str(const struct model *m, uint32_t bi, char *buf, size_t len);
/* "nic,importer" */
void model_roles_str(uint8_t roles, char *buf, size_t len);

/* indexes of the used entries of @pool sorted by key; caller frees */
uint32_t *model_sorted(const struct model *m, enum model_pool pool, uint32_t *n);

/* bytes of one entry of @pool including its key and index slots */
size_t model_entry_bytes(const struct model *m, enum model_pool pool);
const char *model_pool_name(enum model_pool pool);

#endif /* TPHTRACE_MODEL_H */
