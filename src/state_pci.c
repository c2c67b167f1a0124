// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pre-start source: the PCI TPH state of every function from sysfs config
 * space (the same reading as `tphtrace devices`), as one pci_tph record
 * (hook "iter", op enable) per function with a TPH Requester capability:
 * the requester type its TPH Control register enables (0: off), the ST
 * mode, the type it offers, its Root Port's completer field and the ST
 * table size. A NIC's ST table capacity is thus known before its first
 * overflow, and a requester that is off is known before the first MR.
 */
#include <string.h>
#include "pcicfg.h"
#include "state.h"

static void emit_func(const struct pcicfg_set *set, size_t i, uint64_t now,
		      state_record_fn fn, void *ctx, struct state_report *rep)
{
	const struct pcicfg_dev *d = &set->devs[i];
	const struct pcicfg_tph *t = &d->info.tph;
	struct pcicfg_req_eval ev;
	struct pcicfg_rp rp;
	union tph_record r;
	struct tph_ev_pci *p = &r.pci;

	pcicfg_find_root_port(set, i, &rp);
	pcicfg_eval_requester(&d->info, &rp,
			      rp.state == PCICFG_RP_FOUND ? &set->devs[rp.idx].info : NULL,
			      &ev);
	state_iter_hdr(&r, TPH_EV_PCI_TPH, now, 0, NULL);
	p->dev.domain = d->bdf.domain;
	p->dev.bdf = (uint16_t)(d->bdf.bus << 8 | d->bdf.dev << 3 | d->bdf.fn);
	p->dev.valid = TPH_DEV_PCI;
	p->op = TPH_PCI_ENABLE;
	p->mode = (uint8_t)t->ctrlf.mode_sel;
	p->req_type = (uint8_t)t->ctrlf.req_en;
	p->dev_req_type = t->capf.ext_tph ? TPH_REQ_EXT_TPH : TPH_REQ_TPH_ONLY;
	p->rp_completer = ev.rp_comp < 0 ? TPH_UNKNOWN_U8 : (uint8_t)ev.rp_comp;
	p->loc = t->capf.st_loc;
	/* pcie_tph_get_st_table_size(): only a table in the capability has a size */
	p->st_entries = t->capf.st_loc == PCICFG_ST_LOC_CAP ? t->capf.st_table_size : 0;
	rep->pci_funcs++;
	state_emit(fn, ctx, rep, &r);
}

void state_recover_pci(const char *sysfs, uint64_t now, state_record_fn fn, void *ctx,
		       struct state_report *rep)
{
	struct pcicfg_set set;
	struct pcicfg_err err;
	size_t i, partial = 0;

	pcicfg_set_init(&set, PCICFG_SRC_SYSFS);
	if (pcicfg_load_sysfs(sysfs, &set, &err)) {
		recovery_add(&rep->rv, RV_PCI_TPH, "sysfs-pci", false, 0, "%s: %s", sysfs,
			     err.msg);
		pcicfg_set_free(&set);
		return;
	}
	pcicfg_set_analyze(&set);
	for (i = 0; i < set.n; i++) {
		if (set.devs[i].info.tph_state == PCICFG_PRESENT)
			emit_func(&set, i, now, fn, ctx, rep);
		else if (set.devs[i].info.tph_state == PCICFG_UNKNOWN)
			partial++;
	}
	recovery_add(&rep->rv, RV_PCI_TPH, "sysfs-pci", !partial || rep->pci_funcs,
		     rep->pci_funcs, "%s: %zu function(s), %u with a TPH Requester%s", sysfs,
		     set.n, rep->pci_funcs,
		     partial ? " (capabilities of some not readable: run as root)" : "");
	pcicfg_set_free(&set);
}
