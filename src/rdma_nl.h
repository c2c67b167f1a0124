/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * MRs that exist, from the RDMA netlink resource dump: what `rdma resource
 * show mr` reads (NETLINK_RDMA, RDMA_NL_NLDEV client, <rdma/rdma_netlink.h>):
 *   1. RDMA_NLDEV_CMD_GET dump: every IB device (index, name) in this
 *      network namespace;
 *   2. per device, RDMA_NLDEV_CMD_RES_MR_GET dump with
 *      RDMA_NLDEV_ATTR_DEV_INDEX (the kernel refuses a dump without it):
 *      RDMA_NLDEV_ATTR_RES_MR holds one RDMA_NLDEV_ATTR_RES_MR_ENTRY per MR.
 *
 * What the kernel puts in an entry (drivers/infiniband/core/nldev.c,
 * fill_res_mr_entry(), unchanged from 5.x to 7.3): MRLEN and MRN (the
 * restrack id) always; RKEY and LKEY only when the socket's opener has
 * CAP_NET_ADMIN (netlink_capable()); PDN for user MRs; PID when the owner
 * is a user task visible in our pid namespace, KERN_NAME for kernel MRs;
 * and a driver table (RDMA_NLDEV_ATTR_DRIVER; mlx5: "odp" for ODP MRs).
 * Nothing in it names the dma-buf an MR was registered on.
 *
 * libnl-3 does the socket, the requests and the attribute validation; the
 * parser below walks received bytes itself (and is what the unit tests
 * feed with hand-built and truncated messages): every length is checked,
 * a malformed message is an error that names what is wrong.
 */
#ifndef TPHTRACE_RDMA_NL_H
#define TPHTRACE_RDMA_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDMA_NL_NAME_LEN	64	/* IB_DEVICE_NAME_MAX, kernel owner names */
#define RDMA_NL_DRIVER_LEN	96	/* "key=value,..." of the driver table */
#define RDMA_NL_MAX_DEVICES	1024	/* devices dumped at most */
#define RDMA_NL_TIMEOUT_S	5	/* wait for each answer at most */

/* rdma_mr.has: the attributes the kernel gave */
#define RMR_LKEY	0x01
#define RMR_RKEY	0x02
#define RMR_PDN		0x04
#define RMR_PID		0x08
#define RMR_KERN	0x10	/* kernel MR: kern_name is its owner */

struct rdma_mr {
	char dev[RDMA_NL_NAME_LEN];	/* IB device name */
	uint32_t dev_index;
	uint32_t mrn;			/* restrack id of the MR */
	uint64_t length;
	uint32_t lkey;
	uint32_t rkey;
	uint32_t pdn;			/* restrack id of its PD */
	uint32_t pid;
	char kern_name[RDMA_NL_NAME_LEN];
	char driver[RDMA_NL_DRIVER_LEN];
	uint8_t has;			/* RMR_* */
};

struct rdma_nl_stats {
	unsigned int devices;		/* IB devices listed */
	unsigned int devices_failed;	/* whose MR dump failed */
	unsigned int mrs;		/* entries handed to the callback */
	unsigned int keys_hidden;	/* entries without lkey/rkey */
	unsigned int kernel_mrs;
	unsigned int unknown_attrs;	/* entry attributes not read (newer kernel) */
	bool interrupted;		/* NLM_F_DUMP_INTR: changed while dumped */
	bool devices_truncated;		/* more than RDMA_NL_MAX_DEVICES */
	char dev_err[160];		/* the first per-device failure */
};

/* what one dump answer carries, for rdma_nl_parse() */
struct rdma_nl_sink {
	/* RDMA_NLDEV_CMD_GET: one device; non-zero stops the walk */
	int (*dev)(void *ctx, uint32_t index, const char *name);
	/* RDMA_NLDEV_CMD_RES_MR_GET: one MR; non-zero stops the walk */
	int (*mr)(void *ctx, const struct rdma_mr *mr);
	void *ctx;
};

/*
 * Parse @len received bytes answering dump @cmd (RDMA_NLDEV_CMD_GET or
 * RDMA_NLDEV_CMD_RES_MR_GET) sent with sequence number @seq. Returns 1
 * when the dump is complete (NLMSG_DONE), 0 when more is to come, or a
 * negative errno: the kernel's error (NLMSG_ERROR), -EBADMSG for a
 * malformed or truncated message, -EPROTO for a message that answers
 * something else; @err says which message and attribute. @buf is not
 * modified (non-const for libnl's accessors).
 */
int rdma_nl_parse(void *buf, size_t len, unsigned int cmd, uint32_t seq,
		  const struct rdma_nl_sink *sink, struct rdma_nl_stats *st,
		  char *err, size_t errlen);

/*
 * Every MR of every IB device. 0 with @st filled (a device whose dump
 * fails is counted in st->devices_failed and skipped), or a negative
 * errno with @err saying why nothing could be read: -EPROTONOSUPPORT when
 * the kernel has no RDMA netlink (ib_core not loaded), -ETIMEDOUT, the
 * kernel's error.
 */
int rdma_nl_dump_mrs(int (*fn)(void *ctx, const struct rdma_mr *mr), void *ctx,
		     struct rdma_nl_stats *st, char *err, size_t errlen);

#endif /* TPHTRACE_RDMA_NL_H */
