// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gen-dumps: write the `tphtrace devices` test corpus from the device
 * descriptions declared below.
 *
 *   gen-dumps OUTDIR [SYSFSDIR]
 *
 * For every corpus file NAME it writes
 *   OUTDIR/NAME.txt          `lspci -xxxx`-format dump (or -xxx / -x sized)
 *   OUTDIR/NAME.expect.json  ground truth: what was declared, including what
 *                            lspci does not print (ST table size, control
 *                            register, ST entries) and the hand-derived
 *                            Root Port and requester type per device
 * and with SYSFSDIR a fake sysfs tree SYSFSDIR/NAME/bus/pci/devices/<bdf>
 * (symlinks into SYSFSDIR/NAME/devices/pciDDDD:BB/.../<bdf>/config) with the
 * same config bytes and the declared topology.
 *
 * Self-contained on purpose: it shares no code with src/pcicfg.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG 4096

/* PCIe device/port types */
enum { EP = 0, LEG = 1, RP = 4, UP = 5, DOWN = 6, RCIEP = 9, RCEC = 10, NOPCIE = -1 };
/* ST table location */
enum { LOC_NONE, LOC_CAP, LOC_MSIX, LOC_RES };
/* Requester types (control Requester Enable, DEVCAP2 completer) */
enum { REQ_OFF = 0, REQ_TPH = 1, REQ_RES = 2, REQ_EXT = 3 };
/* ST modes (bit mask in the capability, value in control) */
enum { M_NS = 1, M_IV = 2, M_DS = 4 };
enum { SEL_NS = 0, SEL_IV = 1, SEL_DS = 2 };

/* Quirks that break capability lists */
enum {
	Q_NONE = 0,
	Q_STD_LOOP_AFTER = 1,	/* standard list loops after the PCIe cap */
	Q_STD_LOOP_BEFORE = 2,	/* standard list loops before reaching PCIe */
	Q_EXT_LOOP_BEFORE = 4,	/* extended list loops before TPH */
	Q_EXT_LOOP_AFTER = 8,	/* extended list loops back onto TPH */
};

/* Expected Root Port / requester: declared by hand, the ground truth */
#define RP_NONE "none"		/* no Root Port above: kernel gets completer 0 */
#define RP_UNKNOWN "unknown"	/* cannot be told from this input */
#define RP_NA "not_applicable"	/* not PCIe, or RCiEP */
#define EFF_NA -2		/* no TPH requester capability known */
#define EFF_UNKNOWN -1

struct gdev {
	const char *addr;	/* as printed in the dump header line */
	const char *name;	/* rest of the header line */
	uint16_t vendor, device;
	uint32_t class;
	uint8_t rev;
	bool multifunction;
	int hdr;		/* 0 normal, 1 bridge, 2 CardBus */
	uint8_t pri, sec, sub;	/* bridges */
	int type;		/* PCIe port type or NOPCIE */
	int ver;		/* PCIe capability version (default 2) */
	int comp;		/* DEVCAP2 TPH completer field */
	bool tph;		/* TPH Requester capability */
	bool tph_first;		/* TPH at 0x100, else after AER */
	int modes;		/* M_* */
	bool ext;
	int loc;
	unsigned int st_size;	/* entries: ST Table Size field + 1 */
	int sel, req;		/* control: ST mode select, Requester Enable */
	uint16_t st_seed;	/* entry i = st_seed + i * 0x0111 */
	int quirk;
	unsigned int bytes;	/* bytes in the dump: 64, 128, 256, 4096 (default) */
	const char *parent;	/* upstream bridge (sysfs tree), NULL: root bus */
	const char *exp_rp;	/* expected root port: BDF or RP_* */
	int exp_eff;		/* expected requester type pcie_enable_tph() picks */
	bool exp_capped;
};

struct gfile {
	const char *name;
	const char *what;
	const struct gdev *devs;
	size_t n;
};

/* initializer lists, to be wrapped in { } with more members */
#define HOSTBR(a) \
	.addr = a, .name = "Host bridge: tphtrace corpus host bridge", .vendor = 0x8086, \
	.device = 0x0d57, .class = 0x060000, .type = NOPCIE, .exp_rp = RP_NA, .exp_eff = EFF_NA

/* a Root Port on the root bus forwarding buses s..b, completer c */
#define ROOTPORT(a, s, b, c, rp) \
	.addr = a, .name = "PCI bridge: tphtrace corpus Root Port", .vendor = 0x1022, \
	.device = 0x14ab, .class = 0x060400, .hdr = 1, .pri = 0, .sec = s, .sub = b, \
	.type = RP, .comp = c, .exp_rp = rp, .exp_eff = EFF_NA

/* 1. Root Port completes TPH only; extended-capable NIC gets capped. */
static const struct gdev f_rp_tph_only[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:01.1", 0x01, 0x01, REQ_TPH, "0000:00:01.1") },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_CAP, .st_size = 16,
	  .sel = SEL_DS, .req = REQ_TPH, .st_seed = 0x0010, .parent = "0000:00:01.1",
	  .exp_rp = "0000:00:01.1", .exp_eff = REQ_TPH, .exp_capped = true },
};

/* 2. Root Port completes extended TPH; no domain in the header lines. */
static const struct gdev f_rp_ext[] = {
	{ HOSTBR("00:00.0") },
	{ ROOTPORT("00:01.1", 0x01, 0x01, REQ_EXT, "0000:00:01.1") },
	{ ROOTPORT("00:01.2", 0x02, 0x02, REQ_EXT, "0000:00:01.2") },
	{ .addr = "01:00.0", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .multifunction = true, .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true,
	  .loc = LOC_CAP, .st_size = 8, .sel = SEL_IV, .req = REQ_EXT, .st_seed = 0x1200,
	  .parent = "0000:00:01.1", .exp_rp = "0000:00:01.1", .exp_eff = REQ_EXT },
	{ .addr = "01:00.1", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .multifunction = true, .tph = true, .tph_first = true, .modes = M_NS | M_DS,
	  .ext = false, .loc = LOC_CAP, .st_size = 4, .sel = SEL_DS, .req = REQ_TPH,
	  .st_seed = 0x0042, .parent = "0000:00:01.1", .exp_rp = "0000:00:01.1",
	  .exp_eff = REQ_TPH },
	{ .addr = "02:00.0", .name = "3D controller: NVIDIA GPU", .vendor = 0x10de,
	  .device = 0x2330, .class = 0x030200, .type = EP, .comp = REQ_EXT,
	  .parent = "0000:00:01.2", .exp_rp = "0000:00:01.2", .exp_eff = EFF_NA },
};

/* 3. Root Ports that complete no TPH, or carry the reserved 0b10. */
static const struct gdev f_rp_none[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:02.0", 0x03, 0x03, REQ_OFF, "0000:00:02.0") },
	{ ROOTPORT("0000:00:03.0", 0x04, 0x04, REQ_RES, "0000:00:03.0") },
	{ .addr = "0000:03:00.0", .name = "Ethernet controller: Intel E810",
	  .vendor = 0x8086, .device = 0x1592, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV, .ext = false, .loc = LOC_MSIX, .st_size = 64,
	  .sel = SEL_NS, .req = REQ_OFF, .parent = "0000:00:02.0", .exp_rp = "0000:00:02.0",
	  .exp_eff = REQ_OFF, .exp_capped = true },
	{ .addr = "0000:04:00.0", .name = "Ethernet controller: Broadcom BCM57508",
	  .vendor = 0x14e4, .device = 0x1750, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .multifunction = true, .tph = true, .tph_first = true, .modes = M_NS | M_IV | M_DS,
	  .ext = true, .loc = LOC_CAP, .st_size = 2, .sel = SEL_IV, .req = REQ_OFF,
	  .st_seed = 0x0007, .parent = "0000:00:03.0", .exp_rp = "0000:00:03.0",
	  .exp_eff = REQ_OFF, .exp_capped = true },
	{ .addr = "0000:04:00.1", .name = "Ethernet controller: Broadcom BCM57508",
	  .vendor = 0x14e4, .device = 0x1750, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .multifunction = true, .tph = true, .modes = M_NS, .ext = false, .loc = LOC_NONE,
	  .st_size = 1, .sel = SEL_NS, .req = REQ_OFF, .parent = "0000:00:03.0",
	  .exp_rp = "0000:00:03.0", .exp_eff = REQ_OFF, .exp_capped = true },
};

/* 4. A switch between Root Port and endpoints: walk up to the Root Port. */
static const struct gdev f_switch[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:03.1", 0x10, 0x14, REQ_EXT, "0000:00:03.1") },
	{ .addr = "0000:10:00.0", .name = "PCI bridge: Broadcom PEX890xx upstream",
	  .vendor = 0x1000, .device = 0xc030, .class = 0x060400, .hdr = 1, .pri = 0x10,
	  .sec = 0x11, .sub = 0x14, .type = UP, .comp = REQ_OFF, .parent = "0000:00:03.1",
	  .exp_rp = "0000:00:03.1", .exp_eff = EFF_NA },
	{ .addr = "0000:11:00.0", .name = "PCI bridge: Broadcom PEX890xx downstream",
	  .vendor = 0x1000, .device = 0xc030, .class = 0x060400, .hdr = 1, .pri = 0x11,
	  .sec = 0x12, .sub = 0x12, .type = DOWN, .comp = REQ_OFF, .parent = "0000:10:00.0",
	  .exp_rp = "0000:00:03.1", .exp_eff = EFF_NA },
	{ .addr = "0000:11:01.0", .name = "PCI bridge: Broadcom PEX890xx downstream",
	  .vendor = 0x1000, .device = 0xc030, .class = 0x060400, .hdr = 1, .pri = 0x11,
	  .sec = 0x13, .sub = 0x14, .type = DOWN, .comp = REQ_OFF, .parent = "0000:10:00.0",
	  .exp_rp = "0000:00:03.1", .exp_eff = EFF_NA },
	{ .addr = "0000:12:00.0", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_MSIX,
	  .st_size = 128, .sel = SEL_IV, .req = REQ_EXT, .parent = "0000:11:00.0",
	  .exp_rp = "0000:00:03.1", .exp_eff = REQ_EXT },
	/* behind a PCIe-to-PCI bridge further down */
	{ .addr = "0000:13:00.0", .name = "PCI bridge: PCIe to PCI bridge", .vendor = 0x12d8,
	  .device = 0xe113, .class = 0x060400, .hdr = 1, .pri = 0x13, .sec = 0x14, .sub = 0x14,
	  .type = 7, .comp = REQ_OFF, .parent = "0000:11:01.0", .exp_rp = "0000:00:03.1",
	  .exp_eff = EFF_NA },
	{ .addr = "0000:14:00.0", .name = "Serial controller: conventional PCI UART",
	  .vendor = 0x1415, .device = 0xc158, .class = 0x070002, .type = NOPCIE,
	  .parent = "0000:13:00.0", .exp_rp = RP_NA, .exp_eff = EFF_NA },
};

/* 5. Root complex integrated functions and an endpoint on the root bus. */
static const struct gdev f_rciep[] = {
	{ HOSTBR("0000:00:00.0") },
	{ .addr = "0000:00:02.0", .name = "Co-processor: RC-integrated accelerator",
	  .vendor = 0x8086, .device = 0x0b25, .class = 0x0b4000, .type = RCIEP, .comp = REQ_OFF,
	  .tph = true, .tph_first = true, .modes = M_NS | M_DS, .ext = true, .loc = LOC_CAP,
	  .st_size = 32, .sel = SEL_DS, .req = REQ_EXT, .st_seed = 0x0300, .exp_rp = RP_NA,
	  .exp_eff = REQ_EXT },
	{ .addr = "0000:00:03.0", .name = "Co-processor: RC-integrated, TPH only",
	  .vendor = 0x8086, .device = 0x0b26, .class = 0x0b4000, .type = RCIEP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS, .ext = false, .loc = LOC_NONE, .st_size = 1,
	  .sel = SEL_NS, .req = REQ_TPH, .exp_rp = RP_NA, .exp_eff = REQ_TPH },
	{ .addr = "0000:00:04.0", .name = "Generic system peripheral: Root Complex Event Collector",
	  .vendor = 0x8086, .device = 0x0b27, .class = 0x080700, .type = RCEC, .comp = REQ_OFF,
	  .exp_rp = RP_NONE, .exp_eff = EFF_NA },
	/* an Endpoint (not RCiEP) on the root bus: no Root Port above */
	{ .addr = "0000:00:05.0", .name = "Ethernet controller: endpoint on the root bus",
	  .vendor = 0x1af4, .device = 0x1041, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV, .ext = false, .loc = LOC_CAP, .st_size = 2,
	  .sel = SEL_IV, .req = REQ_OFF, .st_seed = 0x0001, .exp_rp = RP_NONE,
	  .exp_eff = REQ_OFF, .exp_capped = true },
};

/* 6. ST modes, table locations and sizes, control settings, cap offsets. */
#define CX(a, t) .addr = a, .name = "Ethernet controller: TPH variants", .vendor = 0x15b3, \
	.device = 0x101d, .class = 0x020000, .type = t, .comp = REQ_OFF, .tph = true, \
	.parent = "0000:80:01.0", .exp_rp = "0000:80:01.0"
static const struct gdev f_st_variants[] = {
	{ HOSTBR("0000:80:00.0") },
	{ ROOTPORT("0000:80:01.0", 0x81, 0x88, REQ_EXT, "0000:80:01.0") },
	{ CX("0000:81:00.0", EP), .modes = M_NS, .loc = LOC_NONE, .st_size = 1,
	  .sel = SEL_NS, .req = REQ_TPH, .exp_eff = REQ_TPH },
	{ CX("0000:82:00.0", EP), .modes = M_NS | M_IV, .loc = LOC_CAP,
	  .st_size = 1, .sel = SEL_IV, .req = REQ_TPH, .st_seed = 0xbeef, .exp_eff = REQ_TPH },
	{ CX("0000:83:00.0", EP), .modes = M_NS | M_DS, .ext = true,
	  .loc = LOC_CAP, .st_size = 64, .sel = SEL_DS, .req = REQ_EXT, .st_seed = 0x0100,
	  .exp_eff = REQ_EXT },
	{ CX("0000:84:00.0", EP), .modes = M_NS | M_IV | M_DS, .ext = true,
	  .loc = LOC_MSIX, .st_size = 2048, .sel = SEL_IV, .req = REQ_OFF,
	  .exp_eff = REQ_EXT },
	{ CX("0000:85:00.0", EP), .modes = M_NS | M_IV, .loc = LOC_RES,
	  .st_size = 8, .sel = 5, .req = REQ_RES, .exp_eff = REQ_TPH },
	/* Requester Enable says extended TPH; the capability does not */
	{ CX("0000:86:00.0", EP), .modes = M_NS | M_IV, .ext = false,
	  .loc = LOC_CAP, .st_size = 3, .sel = SEL_DS, .req = REQ_EXT, .st_seed = 0x0a0a,
	  .exp_eff = REQ_TPH },
	/* NS mode bit clear (the spec requires it) */
	{ CX("0000:87:00.0", EP), .modes = M_IV | M_DS, .ext = true,
	  .tph_first = true, .loc = LOC_CAP, .st_size = 5, .sel = SEL_IV, .req = REQ_EXT,
	  .st_seed = 0x7ff0, .exp_eff = REQ_EXT },
	/* Legacy Endpoint with TPH (lspci prints no TPHComp for it) */
	{ CX("0000:88:00.0", LEG), .modes = M_NS, .ext = true,
	  .loc = LOC_NONE, .st_size = 1, .sel = SEL_NS, .req = REQ_EXT, .exp_eff = REQ_EXT },
};

/* 7. `lspci -xxx`: 256 bytes each, no extended config space. */
static const struct gdev f_dump256[] = {
	{ HOSTBR("0000:00:00.0"), .bytes = 256 },
	{ ROOTPORT("0000:00:01.1", 0x01, 0x01, REQ_EXT, "0000:00:01.1"),
	  .bytes = 256 },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_CAP, .st_size = 16,
	  .sel = SEL_DS, .req = REQ_TPH, .st_seed = 0x0010, .bytes = 256,
	  .parent = "0000:00:01.1", .exp_rp = "0000:00:01.1", .exp_eff = EFF_NA },
	{ .addr = "0000:00:1f.3", .name = "Audio device: conventional PCI", .vendor = 0x8086,
	  .device = 0x7a50, .class = 0x040300, .type = NOPCIE, .bytes = 256, .exp_rp = RP_NA,
	  .exp_eff = EFF_NA },
};

/* 8. `lspci -x`: 64-byte headers (128 for a CardBus bridge). */
static const struct gdev f_dump64[] = {
	{ HOSTBR("0000:00:00.0"), .bytes = 64 },
	{ ROOTPORT("0000:00:01.1", 0x01, 0x01, REQ_EXT, RP_NA), .bytes = 64 },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: Mellanox ConnectX-7",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_CAP, .st_size = 16,
	  .sel = SEL_DS, .req = REQ_TPH, .st_seed = 0x0010, .bytes = 64,
	  .parent = "0000:00:01.1", .exp_rp = RP_NA, .exp_eff = EFF_NA },
	{ .addr = "0000:00:1e.0", .name = "CardBus bridge: Ricoh RL5c476", .vendor = 0x1180,
	  .device = 0x0476, .class = 0x060700, .hdr = 2, .pri = 0, .sec = 0x05, .sub = 0x08,
	  .type = NOPCIE, .bytes = 128, .exp_rp = RP_NA, .exp_eff = EFF_NA },
};

/* 9. One file, mixed sizes; a Root Port dumped with -x hides its type. */
static const struct gdev f_mixed[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:01.1", 0x01, 0x01, REQ_EXT, "0000:00:01.1") },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: 256 bytes dumped",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_CAP, .st_size = 16,
	  .sel = SEL_DS, .req = REQ_TPH, .bytes = 256, .parent = "0000:00:01.1",
	  .exp_rp = "0000:00:01.1", .exp_eff = EFF_NA },
	{ ROOTPORT("0000:00:01.2", 0x02, 0x02, REQ_EXT, RP_NA), .bytes = 64 },
	{ .addr = "0000:02:00.0", .name = "Ethernet controller: Root Port above dumped with -x",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_TPH,
	  .tph = true, .modes = M_NS | M_IV, .ext = true, .loc = LOC_CAP, .st_size = 2,
	  .sel = SEL_IV, .req = REQ_EXT, .st_seed = 0x0055, .parent = "0000:00:01.2",
	  .exp_rp = RP_UNKNOWN, .exp_eff = EFF_UNKNOWN },
};

/* 10. Broken capability lists and a PCIe v1 capability. */
static const struct gdev f_loops[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:01.0", 0x01, 0x05, REQ_EXT, "0000:00:01.0") },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: std list loops after PCIe",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV, .ext = true, .loc = LOC_CAP, .st_size = 2,
	  .sel = SEL_IV, .req = REQ_EXT, .st_seed = 0x0001, .quirk = Q_STD_LOOP_AFTER,
	  .parent = "0000:00:01.0", .exp_rp = "0000:00:01.0", .exp_eff = REQ_EXT },
	{ .addr = "0000:02:00.0", .name = "Ethernet controller: std list loops before PCIe",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS, .loc = LOC_NONE, .st_size = 1, .sel = SEL_NS,
	  .req = REQ_OFF, .quirk = Q_STD_LOOP_BEFORE, .parent = "0000:00:01.0",
	  .exp_rp = RP_NA, .exp_eff = EFF_NA },
	{ .addr = "0000:03:00.0", .name = "Ethernet controller: ext list loops before TPH",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV, .loc = LOC_CAP, .st_size = 2, .sel = SEL_IV,
	  .req = REQ_TPH, .quirk = Q_EXT_LOOP_BEFORE, .parent = "0000:00:01.0",
	  .exp_rp = "0000:00:01.0", .exp_eff = EFF_NA },
	{ .addr = "0000:04:00.0", .name = "Ethernet controller: ext list loops onto TPH",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .tph_first = true, .modes = M_NS | M_DS, .ext = true, .loc = LOC_CAP,
	  .st_size = 4, .sel = SEL_DS, .req = REQ_EXT, .st_seed = 0x0400,
	  .quirk = Q_EXT_LOOP_AFTER, .parent = "0000:00:01.0", .exp_rp = "0000:00:01.0",
	  .exp_eff = REQ_EXT },
	{ .addr = "0000:05:00.0", .name = "Ethernet controller: PCIe capability v1",
	  .vendor = 0x8086, .device = 0x10d3, .class = 0x020000, .type = EP, .ver = 1,
	  .tph = true, .modes = M_NS, .loc = LOC_NONE, .st_size = 1, .sel = SEL_NS,
	  .req = REQ_OFF, .parent = "0000:00:01.0", .exp_rp = "0000:00:01.0",
	  .exp_eff = REQ_TPH },
	/* a Root Port with a v1 capability: no DEVCAP2, completer none */
	{ ROOTPORT("0000:00:02.0", 0x06, 0x06, REQ_OFF, "0000:00:02.0"), .ver = 1 },
	{ .addr = "0000:06:00.0", .name = "Ethernet controller: below a v1 Root Port",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS, .ext = true, .loc = LOC_NONE, .st_size = 1,
	  .sel = SEL_NS, .req = REQ_OFF, .parent = "0000:00:02.0", .exp_rp = "0000:00:02.0",
	  .exp_eff = REQ_OFF, .exp_capped = true },
};

/* 11. Two domains with the same bus numbers; a Root Port missing from the dump. */
static const struct gdev f_domains[] = {
	{ HOSTBR("0000:00:00.0") },
	{ ROOTPORT("0000:00:01.0", 0x01, 0x01, REQ_TPH, "0000:00:01.0") },
	{ .addr = "0000:01:00.0", .name = "Ethernet controller: domain 0", .vendor = 0x15b3,
	  .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF, .tph = true,
	  .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_CAP, .st_size = 4, .sel = SEL_DS,
	  .req = REQ_TPH, .st_seed = 0x0d00, .parent = "0000:00:01.0",
	  .exp_rp = "0000:00:01.0", .exp_eff = REQ_TPH, .exp_capped = true },
	{ HOSTBR("10000:00:00.0") },
	{ ROOTPORT("10000:00:01.0", 0x01, 0x01, REQ_EXT, "10000:00:01.0") },
	{ .addr = "10000:01:00.0", .name = "Non-Volatile memory controller: domain 10000 (VMD)",
	  .vendor = 0x144d, .device = 0xa80a, .class = 0x010802, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV | M_DS, .ext = true, .loc = LOC_MSIX,
	  .st_size = 33, .sel = SEL_IV, .req = REQ_EXT, .parent = "10000:00:01.0",
	  .exp_rp = "10000:00:01.0", .exp_eff = REQ_EXT },
	/* its Root Port (0000:3a:00.0) was not dumped */
	{ .addr = "0000:3b:00.0", .name = "Ethernet controller: Root Port not in dump",
	  .vendor = 0x15b3, .device = 0x1021, .class = 0x020000, .type = EP, .comp = REQ_OFF,
	  .tph = true, .modes = M_NS | M_IV, .ext = true, .loc = LOC_CAP, .st_size = 2,
	  .sel = SEL_IV, .req = REQ_EXT, .st_seed = 0x3b00, .parent = "0000:3a:00.0",
	  .exp_rp = RP_UNKNOWN, .exp_eff = EFF_UNKNOWN },
};

#define FILE_ENTRY(n, w, a) { n, w, a, sizeof(a) / sizeof(a[0]) }

static const struct gfile files[] = {
	FILE_ENTRY("rp-tph-only", "Root Port completes TPH only: ext-capable NIC capped",
		   f_rp_tph_only),
	FILE_ENTRY("rp-ext", "Root Port completes extended TPH; headers without domain",
		   f_rp_ext),
	FILE_ENTRY("rp-no-completer", "Root Ports without TPH completer / reserved 0b10",
		   f_rp_none),
	FILE_ENTRY("switch", "switch and PCIe-to-PCI bridge between Root Port and devices",
		   f_switch),
	FILE_ENTRY("rciep", "RCiEPs (not capped), RCEC, endpoint on the root bus", f_rciep),
	FILE_ENTRY("st-variants", "ST modes, locations, sizes, control settings", f_st_variants),
	FILE_ENTRY("dump-256", "lspci -xxx: 256-byte config spaces only", f_dump256),
	FILE_ENTRY("dump-64", "lspci -x: 64-byte headers (128 for CardBus)", f_dump64),
	FILE_ENTRY("mixed-sizes", "64-, 256- and 4096-byte devices in one file", f_mixed),
	FILE_ENTRY("cap-loops", "looping capability lists, PCIe capability v1", f_loops),
	FILE_ENTRY("domains", "two PCI domains; a Root Port missing from the dump", f_domains),
};

/* ------------------------------------------------------------------------ */
/* Config space assembly                                                     */

static void put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = v & 0xff;
	c[off + 1] = v >> 8;
}

static void put32(uint8_t *c, unsigned int off, uint32_t v)
{
	put16(c, off, v & 0xffff);
	put16(c, off + 2, v >> 16);
}

static uint16_t st_entry(const struct gdev *g, unsigned int i)
{
	return (uint16_t)(g->st_seed + i * 0x0111);
}

static unsigned int st_in_cap(const struct gdev *g)
{
	return g->loc == LOC_CAP ? g->st_size : 0;
}

static void build_header(const struct gdev *g, uint8_t *c)
{
	put16(c, 0x00, g->vendor);
	put16(c, 0x02, g->device);
	put16(c, 0x04, 0x0006);
	put16(c, 0x06, g->type == NOPCIE && g->hdr != 2 ? 0x0000 : 0x0010);
	c[0x08] = g->rev ? g->rev : 0x01;
	c[0x09] = g->class & 0xff;
	c[0x0a] = (g->class >> 8) & 0xff;
	c[0x0b] = (g->class >> 16) & 0xff;
	c[0x0e] = (uint8_t)(g->hdr | (g->multifunction ? 0x80 : 0));
	if (g->hdr == 0) {
		put16(c, 0x2c, g->vendor);
		put16(c, 0x2e, 0x0001);
	} else {
		c[0x18] = g->pri;
		c[0x19] = g->sec;
		c[0x1a] = g->sub;
	}
}

/* PM @0x40 -> PCIe @0x60 -> MSI-X @0xa0 */
static void build_std_caps(const struct gdev *g, uint8_t *c)
{
	uint16_t flags;

	if (g->hdr == 2) {
		c[0x14] = 0x80;		/* CardBus: PM at 0x80 */
		put16(c, 0x80, 0x0001);
		put16(c, 0x82, 0x0003);
		return;
	}
	if (g->type == NOPCIE)
		return;
	c[0x34] = 0x40;
	put16(c, 0x40, 0x6001);		/* PM, next 0x60 */
	put16(c, 0x42, 0x0003);
	if (g->quirk & Q_STD_LOOP_BEFORE) {
		put16(c, 0x40, 0x4001);	/* PM points at itself */
	}
	flags = (uint16_t)((g->ver ? g->ver : 2) | g->type << 4);
	c[0x60] = 0x10;
	c[0x61] = (g->quirk & Q_STD_LOOP_AFTER) ? 0x40 : 0xa0;
	put16(c, 0x62, flags);
	put32(c, 0x64, 0x00008fc2);	/* DevCap: MPS 512, ... */
	if ((g->ver ? g->ver : 2) >= 2)
		put32(c, 0x60 + 0x24, 0x0000001f | (uint32_t)g->comp << 12);
	c[0xa0] = 0x11;			/* MSI-X, end of list */
	c[0xa1] = 0x00;
	put16(c, 0xa2, 0x003f);		/* 64 vectors */
	put32(c, 0xa4, 0x00002000);	/* table BAR0 + 0x2000 */
	put32(c, 0xa8, 0x00003000);
}

static uint32_t tph_cap_reg(const struct gdev *g)
{
	return (uint32_t)g->modes | (g->ext ? 0x100u : 0) | (uint32_t)g->loc << 9 |
	       (uint32_t)(g->st_size - 1) << 16;
}

static uint32_t tph_ctrl_reg(const struct gdev *g)
{
	return (uint32_t)g->sel | (uint32_t)g->req << 8;
}

/* Extended caps: AER (0x48 bytes) and TPH, TPH first or second. */
static unsigned int tph_offset(const struct gdev *g)
{
	return g->tph_first ? 0x100 : 0x148;
}

static void build_ext_caps(const struct gdev *g, uint8_t *c)
{
	unsigned int tph = tph_offset(g), aer = g->tph_first ? 0x100 + 0xc + 2 * st_in_cap(g) : 0x100;
	unsigned int i, aer_next, tph_next;

	if (g->type == NOPCIE || g->hdr == 2)
		return;
	aer = (aer + 7) & ~7u;
	if (!g->tph) {
		put32(c, 0x100, 0x00020001);	/* AER v2, end */
		return;
	}
	aer_next = g->tph_first ? 0 : tph;
	tph_next = g->tph_first ? aer : 0;
	if (g->quirk & Q_EXT_LOOP_BEFORE)
		aer_next = 0x100;		/* AER at 0x100 points at itself */
	if (g->quirk & Q_EXT_LOOP_AFTER)
		aer_next = tph;			/* TPH -> AER -> TPH */
	put32(c, aer, 0x00020001 | aer_next << 20);
	put32(c, tph, 0x00010017 | tph_next << 20);
	put32(c, tph + 4, tph_cap_reg(g));
	put32(c, tph + 8, tph_ctrl_reg(g));
	for (i = 0; i < st_in_cap(g); i++)
		put16(c, tph + 0xc + 2 * i, st_entry(g, i));
}

static unsigned int dump_bytes(const struct gdev *g)
{
	return g->bytes ? g->bytes : CFG;
}

static void build(const struct gdev *g, uint8_t *c)
{
	memset(c, 0, CFG);
	build_header(g, c);
	build_std_caps(g, c);
	build_ext_caps(g, c);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */

static void write_dump_dev(FILE *f, const struct gdev *g, const uint8_t *c)
{
	unsigned int off, i;

	fprintf(f, "%s %s\n", g->addr, g->name);
	for (off = 0; off < dump_bytes(g); off += 16) {
		fprintf(f, off < 0x100 ? "%02x:" : "%03x:", off);
		for (i = 0; i < 16; i++)
			fprintf(f, " %02x", c[off + i]);
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* "00:01.0" -> "0000:00:01.0" */
static void full_bdf(const char *addr, char *buf, size_t size)
{
	if (strchr(addr, ':') == strrchr(addr, ':'))
		snprintf(buf, size, "0000:%s", addr);
	else
		snprintf(buf, size, "%s", addr);
}

static const char *req_key(int r)
{
	static const char *const k[] = { "disabled", "tph", "reserved", "ext_tph" };

	return k[r & 3];
}

static const char *pcie_status(const struct gdev *g)
{
	if (g->hdr == 2)	/* CardBus: PM capability at 0x80 */
		return dump_bytes(g) > 0x80 ? "absent" : "unknown";
	if (g->type == NOPCIE)	/* Status says: no capabilities */
		return "absent";
	if (dump_bytes(g) <= 64)
		return "unknown";
	return (g->quirk & Q_STD_LOOP_BEFORE) ? "absent" : "present";
}

static const char *tph_status(const struct gdev *g)
{
	const char *p = pcie_status(g);

	if (!strcmp(p, "unknown"))
		return "unknown";
	if (!strcmp(p, "absent"))
		return "not_pcie";
	if (dump_bytes(g) < CFG)
		return "unknown";
	if (!g->tph || (g->quirk & Q_EXT_LOOP_BEFORE))
		return "absent";
	return "present";
}

static void write_truth_tph(FILE *f, const struct gdev *g)
{
	unsigned int i;

	fprintf(f, "    \"tph\": {\"offset\": %u, \"cap\": %u, \"ctrl\": %u, ", tph_offset(g),
		tph_cap_reg(g), tph_ctrl_reg(g));
	fprintf(f, "\"st_modes\": {\"ns\": %s, \"iv\": %s, \"ds\": %s}, ",
		g->modes & M_NS ? "true" : "false", g->modes & M_IV ? "true" : "false",
		g->modes & M_DS ? "true" : "false");
	fprintf(f, "\"ext_requester\": %s, \"st_location\": %d, \"st_table_size\": %u,\n",
		g->ext ? "true" : "false", g->loc, g->st_size);
	fprintf(f, "            \"st_mode_selected\": %d, \"requester_enable\": %d, "
		"\"requester_enable_name\": \"%s\",\n", g->sel, g->req, req_key(g->req));
	fprintf(f, "            \"st_entries\": ");
	if (g->loc != LOC_CAP) {
		fprintf(f, "null},\n");
		return;
	}
	fprintf(f, "[");
	for (i = 0; i < g->st_size; i++)
		fprintf(f, "%s%u", i ? ", " : "", st_entry(g, i));
	fprintf(f, "]},\n");
}

static void write_truth_dev(FILE *f, const struct gdev *g, bool last)
{
	char bdf[32], rp[40] = "";

	full_bdf(g->addr, bdf, sizeof(bdf));
	if (strchr(g->exp_rp, ':'))
		full_bdf(g->exp_rp, rp, sizeof(rp));
	fprintf(f, "  {\"bdf\": \"%s\", \"vendor_id\": \"%04x\", \"device_id\": \"%04x\", "
		"\"class\": \"%06x\", \"config_bytes\": %u,\n", bdf, g->vendor, g->device, g->class,
		dump_bytes(g));
	fprintf(f, "    \"header_type\": %d, \"multifunction\": %s, \"pcie_status\": \"%s\", "
		"\"tph_status\": \"%s\",\n", g->hdr, g->multifunction ? "true" : "false",
		pcie_status(g), tph_status(g));
	fprintf(f, "    \"port_type\": %d, \"pcie_version\": %d, \"tph_completer\": %d,\n",
		g->type, g->ver ? g->ver : 2, (g->ver ? g->ver : 2) >= 2 ? g->comp : 0);
	if (!strcmp(tph_status(g), "present"))
		write_truth_tph(f, g);
	else
		fprintf(f, "    \"tph\": null,\n");
	fprintf(f, "    \"root_port_status\": \"%s\", \"root_port\": %s%s%s,\n",
		strchr(g->exp_rp, ':') ? "found" : g->exp_rp,
		strchr(g->exp_rp, ':') ? "\"" : "", strchr(g->exp_rp, ':') ? rp : "null",
		strchr(g->exp_rp, ':') ? "\"" : "");
	if (g->exp_eff == EFF_NA)
		fprintf(f, "    \"requester\": null}%s\n", last ? "" : ",");
	else
		fprintf(f, "    \"requester\": {\"effective\": %s, \"capped\": %s}}%s\n",
			g->exp_eff < 0 ? "null" : (const char *[]){ "0", "1", "2", "3" }[g->exp_eff],
			g->exp_capped ? "true" : "false", last ? "" : ",");
}

static int write_file(const char *dir, const struct gfile *gf)
{
	char path[4096];
	uint8_t cfg[CFG];
	FILE *f, *t;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.txt", dir, gf->name);
	f = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/%s.expect.json", dir, gf->name);
	t = fopen(path, "w");
	if (!f || !t) {
		fprintf(stderr, "gen-dumps: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		if (t)
			fclose(t);
		return 1;
	}
	fprintf(t, "[\n");
	for (i = 0; i < gf->n; i++) {
		build(&gf->devs[i], cfg);
		write_dump_dev(f, &gf->devs[i], cfg);
		write_truth_dev(t, &gf->devs[i], i + 1 == gf->n);
	}
	fprintf(t, "]\n");
	return (fclose(f) | fclose(t)) ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Fake sysfs tree                                                           */

static int mkdir_p(const char *path)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

static const struct gdev *find_dev(const struct gfile *gf, const char *bdf)
{
	char a[32];
	size_t i;

	for (i = 0; i < gf->n; i++) {
		full_bdf(gf->devs[i].addr, a, sizeof(a));
		if (!strcmp(a, bdf))
			return &gf->devs[i];
	}
	return NULL;
}

/* devices/pciDDDD:BB/<bdf>/... relative path of a device (depth-limited) */
static void dev_path(const struct gfile *gf, const char *bdf, char *buf, size_t size, int depth)
{
	const struct gdev *g = find_dev(gf, bdf);
	char parent[768], pbdf[32];

	if (g && g->parent && depth < 16) {
		full_bdf(g->parent, pbdf, sizeof(pbdf));
		dev_path(gf, pbdf, parent, sizeof(parent), depth + 1);
		snprintf(buf, size, "%s/%s", parent, bdf);
		return;
	}
	/* root bus: pci<domain>:<bus> */
	snprintf(buf, size, "devices/pci%.*s/%s", (int)(strrchr(bdf, ':') - bdf), bdf, bdf);
}

static int write_sysfs(const char *root, const struct gfile *gf)
{
	char base[2048], rel[1024], path[4096], link[1100], bdf[32];
	uint8_t cfg[CFG];
	size_t i;
	FILE *f;

	snprintf(base, sizeof(base), "%s/%s", root, gf->name);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", base);
	if (mkdir_p(path))
		return 1;
	for (i = 0; i < gf->n; i++) {
		full_bdf(gf->devs[i].addr, bdf, sizeof(bdf));
		dev_path(gf, bdf, rel, sizeof(rel), 0);
		snprintf(path, sizeof(path), "%s/%s", base, rel);
		if (mkdir_p(path))
			return 1;
		snprintf(path, sizeof(path), "%s/%s/config", base, rel);
		build(&gf->devs[i], cfg);
		f = fopen(path, "w");
		if (!f || fwrite(cfg, 1, dump_bytes(&gf->devs[i]), f) != dump_bytes(&gf->devs[i]) ||
		    fclose(f))
			return 1;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", base, bdf);
		snprintf(link, sizeof(link), "../../../%s", rel);
		unlink(path);
		if (symlink(link, path))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;
	int ret = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen-dumps OUTDIR [SYSFSDIR]\n");
		return 2;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ret |= write_file(argv[1], &files[i]);
		if (argc == 3 && write_sysfs(argv[2], &files[i])) {
			fprintf(stderr, "gen-dumps: sysfs tree for %s: %s\n", files[i].name,
				strerror(errno));
			ret = 1;
		}
	}
	return ret;
}
