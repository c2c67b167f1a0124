// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * MRs that existed before start, from the RDMA netlink resource dump
 * (rdma_nl.c), as mr_reg records with hook "iter": the model keeps them
 * marked pre-start. What such a record holds is what the kernel reports:
 * the IB device (and its PCI function from sysfs), lkey (as the mkey:
 * mlx5 uses one key for both, so a deregistration traced later finds the
 * entry), rkey, length, PD, owner. It has no dma-buf (the dump names
 * none) and no TPH outcome: the registration happened before tphtrace
 * watched, so reason is "unknown" and the mkey is not claimed to have TPH.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "rdma_nl.h"
#include "record.h"
#include "state.h"

#define DEFAULT_PROC		"/proc"
#define DEFAULT_SYSFS_IB	"/sys/class/infiniband"

/* the PCI function behind IB device @name: its sysfs "device" link */
static void ib_pci(const char *sysfs_ib, const char *name, struct tph_dev *d)
{
	char path[512], target[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/device", sysfs_ib, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;		/* soft-RoCE, siw: no parent device */
	target[n] = '\0';
	base = strrchr(target, '/');
	tph_dev_parse(d, base ? base + 1 : target);
	/* a non-PCI parent came back as a name: the IB name is set below */
	d->valid &= TPH_DEV_PCI;
}

int state_rdma_record(const struct rdma_mr *mr, const char *proc, const char *sysfs_ib,
		      uint64_t now, union tph_record *r)
{
	char comm[TPH_COMM_LEN + 8] = "", pid[16];

	if (!(mr->has & RMR_LKEY))
		return -ENOKEY;
	if (mr->has & RMR_PID) {
		snprintf(pid, sizeof(pid), "%u", mr->pid);
		/* what `rdma resource show` prints too: the kernel sends no comm */
		state_read_comm(proc ? proc : DEFAULT_PROC, pid, comm, sizeof(comm));
	} else if (mr->has & RMR_KERN) {
		snprintf(comm, sizeof(comm), "%.*s", TPH_COMM_LEN - 1, mr->kern_name);
	}
	state_iter_hdr(r, TPH_EV_MR_REG, now, mr->has & RMR_PID ? mr->pid : 0, comm);
	ib_pci(sysfs_ib ? sysfs_ib : DEFAULT_SYSFS_IB, mr->dev, &r->mr.nic);
	memset(r->mr.nic.name, 0, sizeof(r->mr.nic.name));
	memcpy(r->mr.nic.name, mr->dev, strnlen(mr->dev, sizeof(r->mr.nic.name)));
	r->mr.nic.valid |= TPH_DEV_NAME;
	r->mr.mkey = mr->lkey;
	r->mr.rkey = mr->rkey;
	r->mr.length = mr->length;
	if (mr->has & RMR_PDN) {
		r->mr.pdn = mr->pdn;
		r->mr.nl_flags |= TPH_MR_NL_PDN;
	}
	r->mr.mrn = mr->mrn;
	r->mr.ph = TPH_NO_PH;
	r->mr.req_type = TPH_UNKNOWN_U8;
	r->mr.source = TPH_SRC_NONE;
	r->mr.reason = TPH_REASON_UNKNOWN;
	return 0;
}

struct sink {
	const char *proc, *sysfs_ib;
	uint64_t now;
	state_record_fn fn;
	void *ctx;
	struct state_report *rep;
};

static int on_mr(void *ctx, const struct rdma_mr *mr)
{
	struct sink *k = ctx;
	union tph_record r;

	if (state_rdma_record(mr, k->proc, k->sysfs_ib, k->now, &r))
		return 0;	/* no key to know it by: counted as hidden */
	k->rep->mrs_netlink++;
	state_emit(k->fn, k->ctx, k->rep, &r);
	return 0;
}

void state_recover_rdma(const char *proc, const char *sysfs_ib, uint64_t now,
			state_record_fn fn, void *ctx, struct state_report *rep)
{
	struct sink k = { proc, sysfs_ib, now, fn, ctx, rep };
	struct rdma_nl_stats st;
	char err[200], more[320] = "";
	size_t off = 0;
	int ret;

	rep->mrs_netlink = 0;
	ret = rdma_nl_dump_mrs(on_mr, &k, &st, err, sizeof(err));
	rep->mrs_ok = !ret;
	if (ret) {
		recovery_add(&rep->rv, RV_MRS, "rdma-netlink", false, 0, "%s", err);
		recovery_add(&rep->rv, RV_MR_TPH, "-", false, 0,
			     "MRs from before start not recovered (above): their TPH outcome "
			     "is not known and no rule judges them");
		return;
	}
	if (st.keys_hidden)
		off += (size_t)snprintf(more + off, sizeof(more) - off,
					"; %u not recovered: the kernel gives their lkey/rkey "
					"only to CAP_NET_ADMIN", st.keys_hidden);
	if (st.devices_failed && off < sizeof(more))
		off += (size_t)snprintf(more + off, sizeof(more) - off,
					"; %u device(s) not dumped (%s)", st.devices_failed,
					st.dev_err);
	if (st.interrupted && off < sizeof(more))
		off += (size_t)snprintf(more + off, sizeof(more) - off,
					"; the kernel says the list changed while dumped");
	if (st.devices_truncated && off < sizeof(more))
		snprintf(more + off, sizeof(more) - off,
			 "; devices after the first %d not dumped", RDMA_NL_MAX_DEVICES);
	recovery_add(&rep->rv, RV_MRS, "rdma-netlink", true, rep->mrs_netlink,
		     "%u MR(s) on %u RDMA device(s), " MR_ORIGIN_PRE_START "%s",
		     rep->mrs_netlink, st.devices, more);
	/* what the dump cannot say: how each registration went for TPH */
	if (rep->mrs_netlink || st.keys_hidden)
		recovery_add(&rep->rv, RV_MR_TPH, "-", false, 0,
			     "%u MR(s) registered before start: their TPH outcome was not "
			     "traced and no rule judges them", rep->mrs_netlink + st.keys_hidden);
	else
		recovery_add(&rep->rv, RV_MR_TPH, "rdma-netlink", true, 0,
			     "no MR existed before start");
}
