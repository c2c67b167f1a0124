// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated PCI functions and the PCI TPH requester core
 * (drivers/pci/tph.c as of the TPH series v7), firing pci_tph:* events.
 *
 * Each simulated function is a kzalloc'ed struct pci_dev with a struct
 * pci_bus (number, devfn, x86 sysdata domain) that is never registered with
 * the PCI core, so BPF CO-RE reads of pdev->bus->number and pdev->devfn
 * see a consistent identity. Config space is not simulated: the TPH
 * capability, ST table and DEVCAP2 completer field live in the enclosing
 * struct tphsim_pcifn, and the requester state that v6.13+ keeps in
 * pci_dev::tph_* is kept there too (these kernels' struct pci_dev has no
 * such fields).
 */
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "tphsim.h"
#include "tphsim_trace_pci.h"

static LIST_HEAD(tphsim_pcifns);
static DEFINE_MUTEX(tphsim_pcifns_lock);
static DEFINE_SPINLOCK(tphsim_fault_lock);

void tphsim_fault_set(struct tphsim_fault_point *f, int err, u32 skip,
		      u32 count)
{
	spin_lock(&tphsim_fault_lock);
	f->err = err;
	f->skip = skip;
	f->count = count;
	spin_unlock(&tphsim_fault_lock);
}

/**
 * tphsim_fault_hit - consume one call of an armed fault point
 * @f: fault point
 *
 * Return: the errno to inject, or 0 to let the call proceed.
 */
int tphsim_fault_hit(struct tphsim_fault_point *f)
{
	int err = 0;

	spin_lock(&tphsim_fault_lock);
	if (f->count) {
		if (f->skip) {
			f->skip--;
		} else {
			f->count--;
			err = f->err;
		}
	}
	spin_unlock(&tphsim_fault_lock);
	return err;
}

/**
 * tphsim_pcifn_create - allocate a simulated PCI function
 * @domain: PCI domain
 * @bus: bus number
 * @devfn: device and function
 *
 * Return: the function, ERR_PTR(-EEXIST) if the address is in use by
 * another simulated function, or ERR_PTR(-ENOMEM).
 */
struct tphsim_pcifn *tphsim_pcifn_create(u32 domain, u8 bus, u8 devfn)
{
	struct tphsim_pcifn *fn, *pos;

	fn = kzalloc(sizeof(*fn), GFP_KERNEL);
	if (!fn)
		return ERR_PTR(-ENOMEM);

	fn->domain = domain;
	fn->bus.number = bus;
	fn->pdev.bus = &fn->bus;
	fn->pdev.devfn = devfn;
	/* pci_name(), as the pci:pcie_tph_* events print it */
	if (dev_set_name(&fn->pdev.dev, "%04x:%02x:%02x.%d", domain, bus,
			 PCI_SLOT(devfn), PCI_FUNC(devfn))) {
		kfree(fn);
		return ERR_PTR(-ENOMEM);
	}
#ifdef CONFIG_X86
	fn->sysdata.domain = domain;
	fn->sysdata.node = NUMA_NO_NODE;
	fn->bus.sysdata = &fn->sysdata;
#endif

	mutex_lock(&tphsim_pcifns_lock);
	list_for_each_entry(pos, &tphsim_pcifns, node) {
		if (pos->domain == domain && pos->bus.number == bus &&
		    pos->pdev.devfn == devfn) {
			mutex_unlock(&tphsim_pcifns_lock);
			kfree_const(fn->pdev.dev.kobj.name);
			kfree(fn);
			return ERR_PTR(-EEXIST);
		}
	}
	list_add(&fn->node, &tphsim_pcifns);
	mutex_unlock(&tphsim_pcifns_lock);

	return fn;
}

void tphsim_pcifn_destroy(struct tphsim_pcifn *fn)
{
	if (!fn)
		return;
	mutex_lock(&tphsim_pcifns_lock);
	list_del(&fn->node);
	mutex_unlock(&tphsim_pcifns_lock);
	kfree(fn->st_table);
	kfree_const(fn->pdev.dev.kobj.name);
	kfree(fn);
}

/**
 * pcie_tph_get_st_table_loc - Return the device's ST table location
 * @pdev: PCI device to query
 *
 * Return: PCI_TPH_LOC_NONE, PCI_TPH_LOC_CAP or PCI_TPH_LOC_MSIX, shifted
 * down to the field value like upstream (FIELD_GET of the capability).
 */
noinline u32 pcie_tph_get_st_table_loc(struct pci_dev *pdev)
{
	return to_pcifn(pdev)->st_loc >> 9;
}

/**
 * pcie_tph_get_st_table_size - Return the size of the ST table
 * @pdev: PCI device to query
 *
 * Return: 0 unless the table is in the TPH capability, else its size.
 */
noinline u16 pcie_tph_get_st_table_size(struct pci_dev *pdev)
{
	struct tphsim_pcifn *fn = to_pcifn(pdev);

	if (fn->st_loc != PCI_TPH_LOC_CAP)
		return 0;
	return fn->st_size;
}

/**
 * pcie_tph_enabled_req_type - Return the device's enabled TPH requester type
 * @pdev: PCI device to query
 *
 * Return: PCI_TPH_REQ_DISABLE, PCI_TPH_REQ_TPH_ONLY or PCI_TPH_REQ_EXT_TPH.
 */
noinline u8 pcie_tph_enabled_req_type(struct pci_dev *pdev)
{
	return to_pcifn(pdev)->tph_req_type;
}

/**
 * pcie_tph_completer_type - Return the device's TPH Completer support
 * @pdev: PCI device to query
 *
 * The reserved encoding 0b10 reads as "not supported", as in v7.
 *
 * Return: one of %PCI_EXP_DEVCAP2_TPH_COMP_NONE,
 *         %PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY or
 *         %PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH.
 */
noinline u8 pcie_tph_completer_type(struct pci_dev *pdev)
{
	switch (to_pcifn(pdev)->completer) {
	case PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY:
		return PCI_EXP_DEVCAP2_TPH_COMP_TPH_ONLY;
	case PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH:
		return PCI_EXP_DEVCAP2_TPH_COMP_EXT_TPH;
	default:
		return PCI_EXP_DEVCAP2_TPH_COMP_NONE;
	}
}

/**
 * pcie_disable_tph - Turn off TPH support for device
 * @pdev: PCI device
 */
noinline void pcie_disable_tph(struct pci_dev *pdev)
{
	struct tphsim_pcifn *fn = to_pcifn(pdev);

	if (!fn->tph_cap)
		return;

	if (!fn->tph_enabled)
		return;

	tphsim_count(TPHSIM_EV_PCIE_TPH_DISABLE);
	trace_pcie_tph_disable(pdev, fn->tph_mode, fn->tph_req_type);

	fn->tph_mode = 0;
	fn->tph_req_type = 0;
	fn->tph_enabled = 0;
}

static int __pcie_enable_tph(struct tphsim_pcifn *fn, int mode,
			     u8 *rp_completer)
{
	/* Honor "notph" kernel parameter */
	if (fn->notph)
		return -EINVAL;

	if (!fn->tph_cap)
		return -EINVAL;

	if (fn->tph_enabled)
		return -EBUSY;

	/* Sanitize and check ST mode compatibility */
	mode &= 0x7;
	if (!((1 << mode) & fn->st_modes))
		return -EINVAL;

	fn->tph_mode = mode;

	/* Get req_type supported by device and its Root Port */
	fn->tph_req_type = fn->ext_cap ? PCI_TPH_REQ_EXT_TPH :
					 PCI_TPH_REQ_TPH_ONLY;
	*rp_completer = fn->rp_completer;
	fn->tph_req_type = min(fn->tph_req_type, fn->rp_completer);

	if (fn->tph_req_type == PCI_TPH_REQ_DISABLE)
		return -EINVAL;

	fn->tph_enabled = 1;
	return 0;
}

/**
 * pcie_enable_tph - Enable TPH support for device using a specific ST mode
 * @pdev: PCI device
 * @mode: ST mode to enable (PCI_TPH_ST_*_MODE)
 *
 * The requester type is the smaller of what the function offers and what
 * its Root Port completes (DEVCAP2), as upstream.
 *
 * Return: 0 on success, otherwise negative value (-errno)
 */
noinline int pcie_enable_tph(struct pci_dev *pdev, int mode)
{
	struct tphsim_pcifn *fn = to_pcifn(pdev);
	u8 dev_req_type, rp_completer = PCI_TPH_TRACE_RP_NONE;
	int ret;

	dev_req_type = !fn->tph_cap ? PCI_TPH_REQ_DISABLE :
		       fn->ext_cap ? PCI_TPH_REQ_EXT_TPH : PCI_TPH_REQ_TPH_ONLY;

	ret = __pcie_enable_tph(fn, mode, &rp_completer);

	tphsim_count(TPHSIM_EV_PCIE_TPH_ENABLE);
	trace_pcie_tph_enable(pdev, mode, dev_req_type, rp_completer,
			      ret ? PCI_TPH_REQ_DISABLE : fn->tph_req_type, ret);
	return ret;
}

/**
 * pcie_tph_set_st_entry - Set Steering Tag in the ST table entry
 * @pdev: PCI device
 * @index: ST table entry index
 * @tag: Steering Tag to be written
 *
 * As upstream, a failed write disables TPH on the function.
 *
 * Return: 0 if success, otherwise negative value (-errno)
 */
noinline int pcie_tph_set_st_entry(struct pci_dev *pdev, unsigned int index,
				   u16 tag)
{
	struct tphsim_pcifn *fn = to_pcifn(pdev);
	int err = 0;

	if (!fn->tph_cap || !fn->tph_enabled) {
		err = -EINVAL;
		goto out;
	}

	/* No need to write tag if device is in "No ST Mode" */
	if (fn->tph_mode == PCI_TPH_ST_NS_MODE)
		goto out;

	switch (fn->st_loc) {
	case PCI_TPH_LOC_CAP:
		if (index >= fn->st_size)
			err = -ENXIO;
		break;
	default:
		err = -EINVAL;
	}

	if (!err)
		err = tphsim_fault_hit(&fn->st_write_fault);
	if (!err)
		fn->st_table[index] = tag;

	if (err)
		pcie_disable_tph(pdev);
out:
	tphsim_count(TPHSIM_EV_PCIE_TPH_ST_WRITE);
	trace_pcie_tph_st_write(pdev, index, tag, fn->st_loc, err);
	return err;
}
