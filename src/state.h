/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * State that existed before tphtrace started, fed to the model as
 * synthetic records with hook "iter" (pre-start: no TPH_F_SAMPLED):
 *  - iter/dmabuf (v6.16+, src/inventory.c): every dma-buf the kernel lists,
 *    with its name, its importers (p2p, dynamic, attach cookie) and, for
 *    TPH-publishing exporters, the published tags -> dmabuf_export, attach
 *    and tph_publish records;
 *  - /proc/PID/fd + fdinfo: dma-buf fds (exp_name:, size:, inode from the
 *    fd's stat) -> dmabuf_export records, one per fd, from that process
 *    (the holders by pid, which the iterator does not know);
 *  - /proc/PID/maps: mapped dma-bufs -> dmabuf_export records (inode only);
 *  - debugfs dma_buf/bufinfo, only on kernels without the iterator: every
 *    dma-buf with its attached devices -> dmabuf_export and attach records
 *    (no process, no attach cookie, no p2p/dynamic, no tags);
 *  - sysfs PCI config space (state_pci.c): every function with a TPH
 *    Requester capability -> a pci_tph record with the requester type it
 *    has enabled, the ST mode, what it offers, its Root Port's completer
 *    and the ST table size;
 *  - RDMA netlink resource dump (state_rdma.c, rdma_nl.c): every MR of
 *    every IB device -> mr_reg records marked pre-start (mkey = lkey, rkey,
 *    PD, owner; no dma-buf, no TPH outcome).
 * Every source says what it saw and what it could not in the report's
 * struct recovery (recovery.h): the TPH outcome of MRs that already exist,
 * the ST table contents, and the published tags where the iterator is
 * missing or cannot read them.
 */
#ifndef TPHTRACE_STATE_H
#define TPHTRACE_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "recovery.h"
#include "tphtrace/tphtrace.h"

/* how views mark an MR that existed before start */
#define MR_ORIGIN_PRE_START	"pre-start, from RDMA netlink"

struct state_opts {
	const char *proc;	/* default "/proc" */
	const char *bufinfo;	/* default "/sys/kernel/debug/dma_buf/bufinfo" */
	bool no_iter;		/* do not use iter/dmabuf (tests of the fallback) */
	bool verbose;		/* libbpf's messages */
	const char *pci;	/* default "/sys/bus/pci/devices"; "" skips it */
	const char *sysfs_ib;	/* default "/sys/class/infiniband" */
};

struct state_report {
	unsigned int procs;		/* processes scanned */
	unsigned int procs_denied;	/* fd directory not readable */
	unsigned int fds;		/* dma-buf fds found */
	unsigned int maps;		/* dma-buf mappings found */
	unsigned int holders;		/* processes holding a dma-buf */
	unsigned int bufs_debugfs;	/* dma-bufs listed by bufinfo */
	unsigned int attach_debugfs;	/* attachments listed by bufinfo */
	bool iter_ok;			/* iter/dmabuf listed the dma-bufs */
	unsigned int bufs_iter;		/* dma-bufs listed by iter/dmabuf */
	unsigned int attach_iter;	/* their attachments */
	unsigned int tags_iter;		/* dma-bufs whose published tags were read */
	unsigned int truncated_iter;	/* dma-bufs with attachments not walked */
	unsigned int pci_funcs;		/* PCI functions with a TPH Requester */
	unsigned int mrs_netlink;	/* pre-start MRs from RDMA netlink */
	bool mrs_ok;			/* the RDMA netlink dump could be read */
	bool debugfs_ok;
	struct recovery rv;		/* what each source saw, for the views */
};

typedef int (*state_record_fn)(void *ctx, const union tph_record *rec);

void state_recover(const struct state_opts *o, state_record_fn fn, void *ctx,
		   struct state_report *rep);
/* parse debugfs bufinfo text (exposed for tests) */
void state_parse_bufinfo(FILE *f, uint64_t now_ns, state_record_fn fn, void *ctx,
			 struct state_report *rep);
/* for the sources: a synthetic record's header (hook "iter"), and feeding it */
void state_iter_hdr(union tph_record *r, unsigned int kind, uint64_t now,
		    uint32_t pid, const char *comm);
void state_emit(state_record_fn fn, void *ctx, struct state_report *rep,
		const union tph_record *r);
/* /proc/PID/comm ("" if unreadable) */
void state_read_comm(const char *proc, const char *pid, char *comm, size_t len);
/* the sysfs PCI source alone (state_pci.c; @sysfs: a PCI devices directory) */
void state_recover_pci(const char *sysfs, uint64_t now_ns, state_record_fn fn, void *ctx,
		       struct state_report *rep);

struct rdma_mr;
/*
 * The RDMA netlink source alone (state_rdma.c): its RV_MRS and RV_MR_TPH
 * entries, rep->mrs_netlink, rep->mrs_ok. @proc and @sysfs_ib may be NULL.
 */
void state_recover_rdma(const char *proc, const char *sysfs_ib, uint64_t now,
			state_record_fn fn, void *ctx, struct state_report *rep);
/* one dumped MR as a pre-start mr_reg record; -ENOKEY without its lkey */
int state_rdma_record(const struct rdma_mr *mr, const char *proc, const char *sysfs_ib,
		      uint64_t now, union tph_record *r);

#endif /* TPHTRACE_STATE_H */
