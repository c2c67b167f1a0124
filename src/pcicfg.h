/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pcicfg: PCI configuration space as tphtrace sees it — read from sysfs or
 * from an `lspci -x/-xxx/-xxxx` text dump, decoded for TPH (TLP Processing
 * Hints): the PCI Express capability, Device Capabilities 2 "TPH Completer
 * Supported", the TPH Requester extended capability (ID 0x17) and the Root
 * Port that caps the requester type in pcie_enable_tph().
 *
 * Register layout follows include/uapi/linux/pci_regs.h (names prefixed
 * PCICFG_ because Debian's linux-libc-dev predates the TPH bits).
 *
 * Errors are negative errno values; functions that can say more about a
 * failure fill a struct pcicfg_err.
 */
#ifndef TPHTRACE_PCICFG_H
#define TPHTRACE_PCICFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Config space sizes that occur: header only (non-root sysfs reads, `lspci -x`),
 * CardBus header, conventional 256 bytes (`-xxx`), PCIe extended (`-xxxx`). */
#define PCICFG_HDR_SIZE		64
#define PCICFG_CARDBUS_SIZE	128
#define PCICFG_LEGACY_SIZE	256
#define PCICFG_EXT_SIZE		4096

/* Type 0/1 header */
#define PCICFG_VENDOR_ID	0x00
#define PCICFG_DEVICE_ID	0x02
#define PCICFG_STATUS		0x06
#define  PCICFG_STATUS_CAP_LIST	0x10
#define PCICFG_REVISION		0x08
#define PCICFG_CLASS_PROG	0x09	/* 24 bits: prog-if, subclass, class */
#define PCICFG_HEADER_TYPE	0x0e
#define  PCICFG_HDR_LAYOUT_MASK	0x7f
#define  PCICFG_HDR_MULTIFUNC	0x80
#define  PCICFG_HDR_NORMAL	0
#define  PCICFG_HDR_BRIDGE	1
#define  PCICFG_HDR_CARDBUS	2
#define PCICFG_PRIMARY_BUS	0x18	/* type 1 (and CardBus) */
#define PCICFG_SECONDARY_BUS	0x19
#define PCICFG_SUBORDINATE_BUS	0x1a
#define PCICFG_CAP_PTR		0x34
#define PCICFG_CB_CAP_PTR	0x14	/* CardBus */

#define PCICFG_CAP_ID_EXP	0x10
#define PCICFG_EXT_CAP_ID_TPH	0x17

/* PCI Express capability */
#define PCICFG_EXP_FLAGS	0x02
#define  PCICFG_EXP_FLAGS_VERS	0x000f
#define  PCICFG_EXP_FLAGS_TYPE	0x00f0
#define PCICFG_EXP_DEVCAP2	0x24
#define  PCICFG_DEVCAP2_TPH_COMP_MASK	0x00003000
#define  PCICFG_DEVCAP2_TPH_COMP_SHIFT	12

/* PCI Express device/port types (PCI_EXP_TYPE_*) */
enum pcicfg_port_type {
	PCICFG_EXP_ENDPOINT	= 0x0,
	PCICFG_EXP_LEG_END	= 0x1,
	PCICFG_EXP_ROOT_PORT	= 0x4,
	PCICFG_EXP_UPSTREAM	= 0x5,
	PCICFG_EXP_DOWNSTREAM	= 0x6,
	PCICFG_EXP_PCI_BRIDGE	= 0x7,
	PCICFG_EXP_PCIE_BRIDGE	= 0x8,
	PCICFG_EXP_RC_END	= 0x9,
	PCICFG_EXP_RC_EC	= 0xa,
};

/* TPH Requester extended capability */
#define PCICFG_TPH_CAP		0x04
#define  PCICFG_TPH_CAP_ST_NS	0x00000001
#define  PCICFG_TPH_CAP_ST_IV	0x00000002
#define  PCICFG_TPH_CAP_ST_DS	0x00000004
#define  PCICFG_TPH_CAP_EXT_TPH	0x00000100
#define  PCICFG_TPH_CAP_LOC_MASK	0x00000600
#define  PCICFG_TPH_CAP_LOC_SHIFT	9
#define  PCICFG_TPH_CAP_ST_MASK	0x07ff0000
#define  PCICFG_TPH_CAP_ST_SHIFT	16
#define PCICFG_TPH_CTRL		0x08
#define  PCICFG_TPH_CTRL_MODE_SEL_MASK	0x00000007
#define  PCICFG_TPH_CTRL_REQ_EN_MASK	0x00000300
#define  PCICFG_TPH_CTRL_REQ_EN_SHIFT	8
#define PCICFG_TPH_BASE_SIZEOF	0x0c	/* ST table entries (u16) follow */

/* ST table location (PCI_TPH_LOC_* >> 9) */
enum pcicfg_st_loc {
	PCICFG_ST_LOC_NONE	= 0,
	PCICFG_ST_LOC_CAP	= 1,
	PCICFG_ST_LOC_MSIX	= 2,
	PCICFG_ST_LOC_RESERVED	= 3,
};

/* ST mode select (PCI_TPH_ST_*_MODE); 3..7 are reserved */
enum pcicfg_st_mode {
	PCICFG_ST_MODE_NS	= 0,
	PCICFG_ST_MODE_IV	= 1,
	PCICFG_ST_MODE_DS	= 2,
};

/*
 * Requester types, shared by the TPH Requester Enable field (PCI_TPH_REQ_*),
 * the DEVCAP2 completer field (PCI_EXP_DEVCAP2_TPH_COMP_*) and the kernel's
 * pdev->tph_req_type. The value 2 is reserved in both registers.
 */
enum pcicfg_req {
	PCICFG_REQ_DISABLE	= 0,
	PCICFG_REQ_TPH_ONLY	= 1,
	PCICFG_REQ_RESERVED	= 2,
	PCICFG_REQ_EXT_TPH	= 3,
};

/* ------------------------------------------------------------------------ */
/* Field decoders: pure functions of register values.                        */

struct pcicfg_tph_capf {
	bool st_ns, st_iv, st_ds;	/* ST modes supported */
	bool ext_tph;			/* Extended TPH Requester Supported */
	unsigned int st_loc;		/* enum pcicfg_st_loc */
	unsigned int st_table_size;	/* ST Table Size field + 1 */
};

struct pcicfg_tph_ctrlf {
	unsigned int mode_sel;		/* enum pcicfg_st_mode, 3..7 reserved */
	unsigned int req_en;		/* enum pcicfg_req */
};

void pcicfg_tph_cap_decode(uint32_t reg, struct pcicfg_tph_capf *f);
void pcicfg_tph_ctrl_decode(uint32_t reg, struct pcicfg_tph_ctrlf *f);
/* DEVCAP2 bits 13:12 as they are (0..3; 2 is reserved) */
unsigned int pcicfg_devcap2_tph_comp(uint32_t devcap2);
/* The completer field as a requester type: the reserved 0b10 means none. */
unsigned int pcicfg_comp_fold(unsigned int comp);
unsigned int pcicfg_exp_version(uint16_t flags);
unsigned int pcicfg_exp_type(uint16_t flags);

/* Names: *_name() are for people, *_key() are the stable JSON values. */
const char *pcicfg_port_type_name(unsigned int type);
const char *pcicfg_port_type_key(unsigned int type);
const char *pcicfg_comp_name(unsigned int comp);
const char *pcicfg_comp_key(unsigned int comp);
const char *pcicfg_req_name(unsigned int req);
const char *pcicfg_req_key(unsigned int req);
const char *pcicfg_st_mode_name(unsigned int mode);
const char *pcicfg_st_mode_key(unsigned int mode);
const char *pcicfg_st_loc_name(unsigned int loc);
const char *pcicfg_st_loc_key(unsigned int loc);

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

struct pcicfg_bdf {
	uint32_t domain;
	uint8_t bus, dev, fn;
};

#define PCICFG_BDF_STRLEN 20	/* "ffffffff:ff:1f.7" + NUL, rounded up */

/*
 * Parse "[domain:]bus:dev.fn" (hex; domain 1-8 digits, bus 2, dev 2 <= 1f,
 * fn 1 <= 7) at the start of @s. *@end (if given) points after it.
 * Returns 0 or -EINVAL.
 */
int pcicfg_bdf_parse(const char *s, struct pcicfg_bdf *bdf, const char **end);
/* "dddd:bb:dd.f" (domain at least 4 digits, as the kernel names devices) */
void pcicfg_bdf_format(const struct pcicfg_bdf *bdf, char buf[PCICFG_BDF_STRLEN]);
int pcicfg_bdf_cmp(const struct pcicfg_bdf *a, const struct pcicfg_bdf *b);

/* ------------------------------------------------------------------------ */
/* One device's config space and what is decoded from it.                    */

enum pcicfg_state {
	PCICFG_ABSENT = 0,	/* looked, not there */
	PCICFG_PRESENT,
	PCICFG_UNKNOWN,		/* could not look: bytes not readable */
	PCICFG_NOT_PCIE,	/* (TPH only) no PCIe capability, no extended space */
};

/*
 * Why a lookup stopped. Negative errno in the code, position for messages:
 *   -ENODATA  the capability (list) lies beyond the readable bytes
 *   -ELOOP    the capability list loops (visited @pos twice)
 *   -EPROTO   malformed list (pointer into the header, ID 0xff, ...)
 *   -ENOENT   end of a well-formed list: absent
 */
struct pcicfg_why {
	int err;
	unsigned int pos;
};

struct pcicfg_tph {
	unsigned int off;		/* capability offset */
	unsigned int version;
	uint32_t cap, ctrl;
	struct pcicfg_tph_capf capf;
	struct pcicfg_tph_ctrlf ctrlf;
	unsigned int st_count;		/* entries readable in config space (LOC_CAP) */
	bool st_truncated;		/* table runs past the end of config space */
};

struct pcicfg_info {
	bool valid;			/* >= 64 bytes: the header below is real */
	uint16_t vendor, device;
	uint32_t class;			/* class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t hdr_layout;		/* header type bits 6:0 */
	bool multifunction;
	bool has_buses;			/* type 1 / CardBus: bus numbers below */
	uint8_t pri_bus, sec_bus, sub_bus;

	enum pcicfg_state pcie_state;
	struct pcicfg_why pcie_why;	/* when not PRESENT */
	unsigned int pcie_off;
	unsigned int pcie_version;
	unsigned int port_type;		/* enum pcicfg_port_type */
	/* PRESENT; ABSENT: PCIe capability version 1 (no DEVCAP2; the kernel
	 * reads it as 0); UNKNOWN: beyond the readable bytes */
	enum pcicfg_state devcap2_state;
	uint32_t devcap2;

	enum pcicfg_state tph_state;
	struct pcicfg_why tph_why;	/* when not PRESENT */
	struct pcicfg_tph tph;

	/* whole-list walks (pcicfg_check_list); ext_list only for PCIe */
	struct pcicfg_why std_list, ext_list;
};

/* Where a device's upstream bridge is (struct pcicfg_dev.parent) */
#define PCICFG_PARENT_ROOT	(-1L)	/* the device sits on a root bus */
#define PCICFG_PARENT_UNKNOWN	(-2L)	/* the bridge above is not in the input */

enum pcicfg_source {
	PCICFG_SRC_DUMP,
	PCICFG_SRC_SYSFS,
};

struct pcicfg_dev {
	struct pcicfg_bdf bdf;
	uint8_t *cfg;			/* PCICFG_EXT_SIZE bytes, zero past len */
	unsigned int len;		/* readable prefix of config space */
	unsigned int size;		/* size the source reports (sysfs); 0: dump */
	unsigned int line;		/* dump: line of the header; 0 for sysfs */
	int read_err;			/* sysfs: -errno when config was unreadable */
	long parent;			/* index of upstream bridge or PCICFG_PARENT_* */
	struct pcicfg_info info;	/* filled by pcicfg_set_analyze() */
};

struct pcicfg_set {
	enum pcicfg_source source;
	struct pcicfg_dev *devs;
	size_t n, cap;
};

/* Most devices a dump or sysfs tree may hold (each keeps 4 KiB) */
#define PCICFG_MAX_DEVS 16384

struct pcicfg_err {
	unsigned int line;		/* dump line, 0 when not about a line */
	char msg[240];
};

void pcicfg_set_init(struct pcicfg_set *set, enum pcicfg_source source);
void pcicfg_set_free(struct pcicfg_set *set);
/* Index of @bdf in @set, or -ENOENT */
long pcicfg_set_find(const struct pcicfg_set *set, const struct pcicfg_bdf *bdf);

/* Register reads; -ENODATA when the bytes are beyond the readable prefix. */
int pcicfg_read8(const struct pcicfg_dev *d, unsigned int off, uint8_t *val);
int pcicfg_read16(const struct pcicfg_dev *d, unsigned int off, uint16_t *val);
int pcicfg_read32(const struct pcicfg_dev *d, unsigned int off, uint32_t *val);

/*
 * Walk the standard / extended capability list for @id. 0 and *@off on
 * success, else the negative code in *@why (see struct pcicfg_why).
 * Loops are caught (each position is visited at most once).
 */
int pcicfg_find_cap(const struct pcicfg_dev *d, uint8_t id, unsigned int *off,
		    struct pcicfg_why *why);
int pcicfg_find_ext_cap(const struct pcicfg_dev *d, uint16_t id, unsigned int *off,
			struct pcicfg_why *why);

/*
 * Walk a whole capability list (standard, or extended when @ext) to find
 * loops and malformed pointers that a lookup stopping early would not see.
 * 0 when the list ends properly, else as above (-ENODATA: ran off the
 * readable bytes).
 */
int pcicfg_check_list(const struct pcicfg_dev *d, bool ext, struct pcicfg_why *why);

/* Decode header, PCIe capability, DEVCAP2 and TPH capability into d->info. */
void pcicfg_decode(struct pcicfg_dev *d);
/* ST table entry @i (LOC_CAP only); -ERANGE past st_count. */
int pcicfg_tph_st_entry(const struct pcicfg_dev *d, unsigned int i, uint16_t *val);

/* ------------------------------------------------------------------------ */
/* Input                                                                     */

/*
 * Parse `lspci -x`, `-xxx` or `-xxxx` output (several devices; `-D` domains
 * optional; lines indented by whitespace, as `lspci -v` prints, are ignored).
 * Each device must have 64, 256 or 4096 bytes (128 for CardBus), contiguous
 * from offset 0. Devices are appended to @set, sorted by address.
 * Returns 0, -EINVAL (malformed input: @err says where), -ENOMEM, -E2BIG.
 */
int pcicfg_parse_dump(FILE *f, struct pcicfg_set *set, struct pcicfg_err *err);
/* Same on a file; -errno from fopen() with @err filled. */
int pcicfg_load_dump(const char *path, struct pcicfg_set *set, struct pcicfg_err *err);

/*
 * Read every DIR/<bdf>/config (DIR is /sys/bus/pci/devices or a fake tree of
 * the same shape) and link each device to its upstream bridge from the
 * directory its entry resolves to. Unreadable config is recorded per device
 * (read_err, len), not fatal. Returns 0 or -errno (DIR unreadable) with @err.
 */
int pcicfg_load_sysfs(const char *dir, struct pcicfg_set *set, struct pcicfg_err *err);

/* ------------------------------------------------------------------------ */
/* Topology and the requester type pcie_enable_tph() would choose            */

/*
 * Dumps carry no links: the upstream bridge of a device is the type 1 header
 * in the same domain whose secondary..subordinate range covers its bus (the
 * narrowest one). No such bridge: PCICFG_PARENT_ROOT if the bus holds a host
 * bridge, Root Port or RC-integrated function (it is a root bus), else
 * PCICFG_PARENT_UNKNOWN. Needs info decoded.
 */
void pcicfg_link_by_bus(struct pcicfg_set *set);

enum pcicfg_rp_state {
	PCICFG_RP_FOUND,	/* idx */
	PCICFG_RP_NONE,		/* no Root Port above: kernel gets completer 0 */
	PCICFG_RP_UNKNOWN,	/* why: -ENOENT bridge not in input, -ENODATA a
				 * bridge's PCIe capability unreadable (at idx),
				 * -ELOOP topology loops */
	PCICFG_RP_NOT_APPLICABLE, /* not PCIe, or an RCiEP (never capped) */
};

struct pcicfg_rp {
	enum pcicfg_rp_state state;
	int why;
	size_t idx;
};

/* pcie_find_root_port(): the device itself or the first Root Port above it. */
void pcicfg_find_root_port(const struct pcicfg_set *set, size_t i, struct pcicfg_rp *rp);

struct pcicfg_req_eval {
	bool valid;			/* the device has a TPH Requester capability */
	unsigned int dev_max;		/* PCICFG_REQ_EXT_TPH or _TPH_ONLY */
	bool rciep;			/* RC_END: not capped by any Root Port */
	int rp_comp;			/* Root Port DEVCAP2 field 0..3, -1 unknown/n.a. */
	int effective;			/* enum pcicfg_req (0, 1, 3), -1 unknown */
	bool capped;			/* effective < dev_max */
	int kernel_raw;			/* min(dev_max, raw rp_comp) as tph.c computes
					 * it without folding 0b10; -1 when unknown */
};

/*
 * The requester type pcie_enable_tph() would program: EXT_TPH if the
 * device's capability says so else TPH_ONLY; unless the device is an RCiEP,
 * min() with its Root Port's completer field (0b10 read as none here; see
 * kernel_raw for what tph.c does with it). No Root Port: 0 (disabled).
 * @rp_info is the Root Port's decoded info (NULL unless rp->state is FOUND).
 */
void pcicfg_eval_requester(const struct pcicfg_info *dev, const struct pcicfg_rp *rp,
			   const struct pcicfg_info *rp_info, struct pcicfg_req_eval *ev);

/* Decode every device and (for dumps) derive the topology. */
void pcicfg_set_analyze(struct pcicfg_set *set);

#endif /* TPHTRACE_PCICFG_H */
