// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pcicfg: PCI config space input (lspci dumps, sysfs), capability walking,
 * TPH register decoding and the Root Port capping of pcie_enable_tph().
 * See pcicfg.h for the contracts.
 */
#include "pcicfg.h"
#include "linereader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Field decoders                                                            */

void pcicfg_tph_cap_decode(uint32_t reg, struct pcicfg_tph_capf *f)
{
	f->st_ns = reg & PCICFG_TPH_CAP_ST_NS;
	f->st_iv = reg & PCICFG_TPH_CAP_ST_IV;
	f->st_ds = reg & PCICFG_TPH_CAP_ST_DS;
	f->ext_tph = reg & PCICFG_TPH_CAP_EXT_TPH;
	f->st_loc = (reg & PCICFG_TPH_CAP_LOC_MASK) >> PCICFG_TPH_CAP_LOC_SHIFT;
	f->st_table_size = ((reg & PCICFG_TPH_CAP_ST_MASK) >> PCICFG_TPH_CAP_ST_SHIFT) + 1;
}

void pcicfg_tph_ctrl_decode(uint32_t reg, struct pcicfg_tph_ctrlf *f)
{
	f->mode_sel = reg & PCICFG_TPH_CTRL_MODE_SEL_MASK;
	f->req_en = (reg & PCICFG_TPH_CTRL_REQ_EN_MASK) >> PCICFG_TPH_CTRL_REQ_EN_SHIFT;
}

unsigned int pcicfg_devcap2_tph_comp(uint32_t devcap2)
{
	return (devcap2 & PCICFG_DEVCAP2_TPH_COMP_MASK) >> PCICFG_DEVCAP2_TPH_COMP_SHIFT;
}

unsigned int pcicfg_comp_fold(unsigned int comp)
{
	return comp == PCICFG_REQ_RESERVED ? PCICFG_REQ_DISABLE : comp & 3;
}

unsigned int pcicfg_exp_version(uint16_t flags)
{
	return flags & PCICFG_EXP_FLAGS_VERS;
}

unsigned int pcicfg_exp_type(uint16_t flags)
{
	return (flags & PCICFG_EXP_FLAGS_TYPE) >> 4;
}

struct name_pair {
	const char *name;
	const char *key;
};

static const struct name_pair port_types[16] = {
	[PCICFG_EXP_ENDPOINT]	 = { "Endpoint", "endpoint" },
	[PCICFG_EXP_LEG_END]	 = { "Legacy Endpoint", "legacy_endpoint" },
	[PCICFG_EXP_ROOT_PORT]	 = { "Root Port", "root_port" },
	[PCICFG_EXP_UPSTREAM]	 = { "Switch Upstream Port", "upstream_port" },
	[PCICFG_EXP_DOWNSTREAM]	 = { "Switch Downstream Port", "downstream_port" },
	[PCICFG_EXP_PCI_BRIDGE]	 = { "PCIe to PCI/PCI-X Bridge", "pcie_to_pci_bridge" },
	[PCICFG_EXP_PCIE_BRIDGE] = { "PCI/PCI-X to PCIe Bridge", "pci_to_pcie_bridge" },
	[PCICFG_EXP_RC_END]	 = { "Root Complex Integrated Endpoint", "rciep" },
	[PCICFG_EXP_RC_EC]	 = { "Root Complex Event Collector", "rc_event_collector" },
};

const char *pcicfg_port_type_name(unsigned int type)
{
	return type < 16 && port_types[type].name ? port_types[type].name : "reserved type";
}

const char *pcicfg_port_type_key(unsigned int type)
{
	return type < 16 && port_types[type].key ? port_types[type].key : "reserved";
}

static const struct name_pair comps[4] = {
	{ "none", "none" },
	{ "TPH only", "tph" },
	{ "reserved 0b10 (read as none)", "reserved" },
	{ "TPH and extended TPH", "ext_tph" },
};

const char *pcicfg_comp_name(unsigned int comp)
{
	return comps[comp & 3].name;
}

const char *pcicfg_comp_key(unsigned int comp)
{
	return comps[comp & 3].key;
}

static const struct name_pair reqs[4] = {
	{ "disabled", "disabled" },
	{ "TPH (8-bit ST)", "tph" },
	{ "reserved (0b10)", "reserved" },
	{ "extended TPH (16-bit ST)", "ext_tph" },
};

const char *pcicfg_req_name(unsigned int req)
{
	return reqs[req & 3].name;
}

const char *pcicfg_req_key(unsigned int req)
{
	return reqs[req & 3].key;
}

const char *pcicfg_st_mode_key(unsigned int mode)
{
	static const char *const keys[] = { "ns", "iv", "ds" };

	return mode < 3 ? keys[mode] : "reserved";
}

const char *pcicfg_st_mode_name(unsigned int mode)
{
	static const char *const names[] = {
		"NS (no ST)", "IV (interrupt vector)", "DS (device specific)"
	};

	return mode < 3 ? names[mode] : "reserved";
}

static const struct name_pair st_locs[4] = {
	{ "none", "none" },
	{ "in the TPH capability", "tph_cap" },
	{ "in the MSI-X table", "msix" },
	{ "reserved location (0b11)", "reserved" },
};

const char *pcicfg_st_loc_name(unsigned int loc)
{
	return st_locs[loc & 3].name;
}

const char *pcicfg_st_loc_key(unsigned int loc)
{
	return st_locs[loc & 3].key;
}

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* 1..maxd hex digits at @s; returns the count or 0 (none, or too many) */
static unsigned int hexrun(const char *s, unsigned int maxd, uint32_t *val, const char **end)
{
	unsigned int n = 0;
	uint32_t v = 0;

	while (hexval(s[n]) >= 0) {
		if (n == maxd)
			return 0;
		v = v << 4 | (uint32_t)hexval(s[n]);
		n++;
	}
	*val = v;
	*end = s + n;
	return n;
}

int pcicfg_bdf_parse(const char *s, struct pcicfg_bdf *bdf, const char **end)
{
	uint32_t a, b, c;
	unsigned int na, nb;
	const char *p = s;

	na = hexrun(p, 8, &a, &p);
	if (!na || *p++ != ':')
		return -EINVAL;
	nb = hexrun(p, 2, &b, &p);
	if (!nb)
		return -EINVAL;
	if (*p == ':') {
		p++;
		if (!hexrun(p, 2, &c, &p))
			return -EINVAL;
		bdf->domain = a;
		a = b;
		b = c;
	} else {
		if (na > 2)
			return -EINVAL;
		bdf->domain = 0;
	}
	if (*p++ != '.' || *p < '0' || *p > '7' || b > 0x1f)
		return -EINVAL;
	bdf->bus = (uint8_t)a;
	bdf->dev = (uint8_t)b;
	bdf->fn = (uint8_t)(*p - '0');
	if (end)
		*end = p + 1;
	return 0;
}

void pcicfg_bdf_format(const struct pcicfg_bdf *bdf, char buf[PCICFG_BDF_STRLEN])
{
	snprintf(buf, PCICFG_BDF_STRLEN, "%04x:%02x:%02x.%u", bdf->domain, bdf->bus, bdf->dev,
		 bdf->fn);
}

int pcicfg_bdf_cmp(const struct pcicfg_bdf *a, const struct pcicfg_bdf *b)
{
	uint64_t ka = (uint64_t)a->domain << 16 | a->bus << 8 | a->dev << 3 | a->fn;
	uint64_t kb = (uint64_t)b->domain << 16 | b->bus << 8 | b->dev << 3 | b->fn;

	return ka < kb ? -1 : ka > kb;
}

/* ------------------------------------------------------------------------ */
/* Sets                                                                      */

void pcicfg_set_init(struct pcicfg_set *set, enum pcicfg_source source)
{
	memset(set, 0, sizeof(*set));
	set->source = source;
}

void pcicfg_set_free(struct pcicfg_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->devs[i].cfg);
	free(set->devs);
	set->devs = NULL;
	set->n = set->cap = 0;
}

long pcicfg_set_find(const struct pcicfg_set *set, const struct pcicfg_bdf *bdf)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!pcicfg_bdf_cmp(&set->devs[i].bdf, bdf))
			return (long)i;
	return -ENOENT;
}

/* Append a zeroed device; its index in *@idx. */
static int set_add(struct pcicfg_set *set, const struct pcicfg_bdf *bdf, size_t *idx)
{
	struct pcicfg_dev *d;
	uint8_t *cfg;

	if (set->n >= PCICFG_MAX_DEVS)
		return -E2BIG;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 32;

		d = realloc(set->devs, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		set->devs = d;
		set->cap = cap;
	}
	cfg = calloc(1, PCICFG_EXT_SIZE);
	if (!cfg)
		return -ENOMEM;
	d = &set->devs[set->n];
	memset(d, 0, sizeof(*d));
	d->bdf = *bdf;
	d->cfg = cfg;
	d->parent = PCICFG_PARENT_UNKNOWN;
	*idx = set->n++;
	return 0;
}

static int dev_cmp(const void *a, const void *b)
{
	const struct pcicfg_dev *da = a, *db = b;

	return pcicfg_bdf_cmp(&da->bdf, &db->bdf);
}

static void set_sort(struct pcicfg_set *set)
{
	if (set->n > 1)
		qsort(set->devs, set->n, sizeof(*set->devs), dev_cmp);
}

/* ------------------------------------------------------------------------ */
/* Register access and capability lists                                      */

static int cfg_read(const struct pcicfg_dev *d, unsigned int off, unsigned int size, uint32_t *val)
{
	uint32_t v = 0;
	unsigned int i;

	if (off > PCICFG_EXT_SIZE || size > d->len || off > d->len - size)
		return -ENODATA;
	for (i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	*val = v;
	return 0;
}

int pcicfg_read8(const struct pcicfg_dev *d, unsigned int off, uint8_t *val)
{
	uint32_t v;
	int ret = cfg_read(d, off, 1, &v);

	if (!ret)
		*val = (uint8_t)v;
	return ret;
}

int pcicfg_read16(const struct pcicfg_dev *d, unsigned int off, uint16_t *val)
{
	uint32_t v;
	int ret = cfg_read(d, off, 2, &v);

	if (!ret)
		*val = (uint16_t)v;
	return ret;
}

int pcicfg_read32(const struct pcicfg_dev *d, unsigned int off, uint32_t *val)
{
	return cfg_read(d, off, 4, val);
}

static int why(struct pcicfg_why *w, int err, unsigned int pos)
{
	w->err = err;
	w->pos = pos;
	return err;
}

/* The first capability pointer, or 0 when the Status register says none. */
static int cap_list_start(const struct pcicfg_dev *d, unsigned int *pos)
{
	uint16_t status;
	uint8_t hdr, ptr;
	int ret;

	ret = pcicfg_read16(d, PCICFG_STATUS, &status);
	if (!ret)
		ret = pcicfg_read8(d, PCICFG_HEADER_TYPE, &hdr);
	if (ret)
		return ret;
	*pos = 0;
	if (!(status & PCICFG_STATUS_CAP_LIST))
		return 0;
	ret = pcicfg_read8(d, (hdr & PCICFG_HDR_LAYOUT_MASK) == PCICFG_HDR_CARDBUS ?
			      PCICFG_CB_CAP_PTR : PCICFG_CAP_PTR, &ptr);
	if (!ret)
		*pos = ptr;
	return ret;
}

/* Walk the standard list to capability @id, or to its end when @id < 0. */
static int walk_std(const struct pcicfg_dev *d, int id, unsigned int *off, struct pcicfg_why *w)
{
	bool seen[PCICFG_LEGACY_SIZE / 4] = { false };
	unsigned int pos;
	uint16_t ent;

	if (cap_list_start(d, &pos))
		return why(w, -ENODATA, 0);
	for (;;) {
		pos &= ~3u;
		if (!pos)
			return why(w, -ENOENT, 0);
		if (pos < PCICFG_HDR_SIZE)
			return why(w, -EPROTO, pos);
		if (seen[pos / 4])
			return why(w, -ELOOP, pos);
		seen[pos / 4] = true;
		if (pcicfg_read16(d, pos, &ent))
			return why(w, -ENODATA, pos);
		if ((ent & 0xff) == 0xff)
			return why(w, -EPROTO, pos);
		if ((int)(ent & 0xff) == id)
			break;
		pos = ent >> 8;
	}
	*off = pos;
	return why(w, 0, pos);
}

/* Walk the extended list to capability @id, or to its end when @id < 0. */
static int walk_ext(const struct pcicfg_dev *d, int id, unsigned int *off, struct pcicfg_why *w)
{
	bool seen[PCICFG_EXT_SIZE / 4] = { false };
	unsigned int pos = PCICFG_LEGACY_SIZE, next;
	uint32_t hdr;

	for (;;) {
		if (seen[pos / 4])
			return why(w, -ELOOP, pos);
		seen[pos / 4] = true;
		if (pcicfg_read32(d, pos, &hdr))
			return why(w, -ENODATA, pos);
		if (hdr == 0 || hdr == 0xffffffff)
			return why(w, -ENOENT, pos);
		if ((int)(hdr & 0xffff) == id)
			break;
		next = (hdr >> 20) & 0xffc;
		if (!next)
			return why(w, -ENOENT, pos);
		if (next < PCICFG_LEGACY_SIZE)
			return why(w, -EPROTO, pos);
		pos = next;
	}
	*off = pos;
	return why(w, 0, pos);
}

int pcicfg_find_cap(const struct pcicfg_dev *d, uint8_t id, unsigned int *off,
		    struct pcicfg_why *w)
{
	return walk_std(d, id, off, w);
}

int pcicfg_find_ext_cap(const struct pcicfg_dev *d, uint16_t id, unsigned int *off,
			struct pcicfg_why *w)
{
	return walk_ext(d, id, off, w);
}

int pcicfg_check_list(const struct pcicfg_dev *d, bool ext, struct pcicfg_why *w)
{
	unsigned int off;
	int ret = ext ? walk_ext(d, -1, &off, w) : walk_std(d, -1, &off, w);

	return ret == -ENOENT ? why(w, 0, w->pos) : ret;
}

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */

static void decode_header(const struct pcicfg_dev *d, struct pcicfg_info *in)
{
	const uint8_t *c = d->cfg;

	in->vendor = (uint16_t)(c[PCICFG_VENDOR_ID] | c[PCICFG_VENDOR_ID + 1] << 8);
	in->device = (uint16_t)(c[PCICFG_DEVICE_ID] | c[PCICFG_DEVICE_ID + 1] << 8);
	in->revision = c[PCICFG_REVISION];
	in->class = (uint32_t)c[PCICFG_CLASS_PROG + 2] << 16 | c[PCICFG_CLASS_PROG + 1] << 8 |
		    c[PCICFG_CLASS_PROG];
	in->hdr_layout = c[PCICFG_HEADER_TYPE] & PCICFG_HDR_LAYOUT_MASK;
	in->multifunction = c[PCICFG_HEADER_TYPE] & PCICFG_HDR_MULTIFUNC;
	in->has_buses = in->hdr_layout == PCICFG_HDR_BRIDGE ||
			in->hdr_layout == PCICFG_HDR_CARDBUS;
	if (in->has_buses) {
		in->pri_bus = c[PCICFG_PRIMARY_BUS];
		in->sec_bus = c[PCICFG_SECONDARY_BUS];
		in->sub_bus = c[PCICFG_SUBORDINATE_BUS];
	}
}

static void decode_pcie(const struct pcicfg_dev *d, struct pcicfg_info *in)
{
	uint16_t flags;
	int ret;

	ret = pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &in->pcie_off, &in->pcie_why);
	if (!ret)
		ret = pcicfg_read16(d, in->pcie_off + PCICFG_EXP_FLAGS, &flags);
	if (ret) {
		in->pcie_state = ret == -ENODATA ? PCICFG_UNKNOWN : PCICFG_ABSENT;
		return;
	}
	in->pcie_state = PCICFG_PRESENT;
	in->pcie_version = pcicfg_exp_version(flags);
	in->port_type = pcicfg_exp_type(flags);
	if (in->pcie_version < 2)
		in->devcap2_state = PCICFG_ABSENT;
	else if (pcicfg_read32(d, in->pcie_off + PCICFG_EXP_DEVCAP2, &in->devcap2))
		in->devcap2_state = PCICFG_UNKNOWN;
	else
		in->devcap2_state = PCICFG_PRESENT;
}

static void decode_st_table(const struct pcicfg_dev *d, struct pcicfg_tph *t)
{
	unsigned int base = t->off + PCICFG_TPH_BASE_SIZEOF;
	unsigned int avail = d->len > base ? (d->len - base) / 2 : 0;

	if (t->capf.st_loc != PCICFG_ST_LOC_CAP)
		return;
	t->st_count = t->capf.st_table_size < avail ? t->capf.st_table_size : avail;
	t->st_truncated = t->st_count < t->capf.st_table_size;
}

static void decode_tph(const struct pcicfg_dev *d, struct pcicfg_info *in)
{
	struct pcicfg_tph *t = &in->tph;
	int ret;

	if (in->pcie_state != PCICFG_PRESENT) {
		in->tph_state = in->pcie_state == PCICFG_UNKNOWN ? PCICFG_UNKNOWN : PCICFG_NOT_PCIE;
		in->tph_why = in->pcie_why;
		return;
	}
	ret = pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &t->off, &in->tph_why);
	if (!ret && (pcicfg_read32(d, t->off + PCICFG_TPH_CAP, &t->cap) ||
		     pcicfg_read32(d, t->off + PCICFG_TPH_CTRL, &t->ctrl)))
		ret = why(&in->tph_why, -EPROTO, t->off);
	if (ret) {
		in->tph_state = ret == -ENODATA ? PCICFG_UNKNOWN : PCICFG_ABSENT;
		return;
	}
	in->tph_state = PCICFG_PRESENT;
	t->version = (d->cfg[t->off + 2] & 0xf);
	pcicfg_tph_cap_decode(t->cap, &t->capf);
	pcicfg_tph_ctrl_decode(t->ctrl, &t->ctrlf);
	decode_st_table(d, t);
}

void pcicfg_decode(struct pcicfg_dev *d)
{
	struct pcicfg_info *in = &d->info;

	memset(in, 0, sizeof(*in));
	in->pcie_state = PCICFG_UNKNOWN;
	in->tph_state = PCICFG_UNKNOWN;
	in->devcap2_state = PCICFG_UNKNOWN;
	in->pcie_why.err = -ENODATA;
	in->tph_why.err = -ENODATA;
	if (d->len < PCICFG_HDR_SIZE)
		return;
	in->valid = true;
	decode_header(d, in);
	decode_pcie(d, in);
	decode_tph(d, in);
	pcicfg_check_list(d, false, &in->std_list);
	if (in->pcie_state == PCICFG_PRESENT)
		pcicfg_check_list(d, true, &in->ext_list);
}

int pcicfg_tph_st_entry(const struct pcicfg_dev *d, unsigned int i, uint16_t *val)
{
	const struct pcicfg_tph *t = &d->info.tph;

	if (d->info.tph_state != PCICFG_PRESENT || i >= t->st_count)
		return -ERANGE;
	return pcicfg_read16(d, t->off + PCICFG_TPH_BASE_SIZEOF + 2 * i, val);
}

/* ------------------------------------------------------------------------ */
/* lspci dump input                                                          */

struct dump_parser {
	struct pcicfg_set *set;
	struct pcicfg_err *err;
	unsigned int lineno;
	bool open;		/* a device is being filled: set->devs[n - 1] */
	unsigned int last_data;	/* line of its last hex line */
};

static int perr(struct pcicfg_err *err, unsigned int line, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int perr(struct pcicfg_err *err, unsigned int line, int code, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* A short printable excerpt of a bad line for messages */
static void excerpt(const char *s, char *buf, size_t size)
{
	size_t i, max = size - 4;

	for (i = 0; s[i] && i < max; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (s[i])
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
}

static bool length_ok(const struct pcicfg_dev *d)
{
	switch (d->len) {
	case PCICFG_HDR_SIZE:
	case PCICFG_LEGACY_SIZE:
	case PCICFG_EXT_SIZE:
		return true;
	case PCICFG_CARDBUS_SIZE:
		return (d->cfg[PCICFG_HEADER_TYPE] & PCICFG_HDR_LAYOUT_MASK) == PCICFG_HDR_CARDBUS;
	default:
		return false;
	}
}

static int dump_close(struct dump_parser *p)
{
	const struct pcicfg_dev *d;
	char bdf[PCICFG_BDF_STRLEN];

	if (!p->open)
		return 0;
	p->open = false;
	d = &p->set->devs[p->set->n - 1];
	pcicfg_bdf_format(&d->bdf, bdf);
	if (!d->len)
		return perr(p->err, d->line, -EINVAL,
			    "device %s has no hex dump lines (make the dump with lspci -x, -xxx or -xxxx)",
			    bdf);
	if (!length_ok(d))
		return perr(p->err, p->last_data, -EINVAL,
			    "device %s (line %u) has %u bytes of config space; a dump has 64, 256 or 4096 (128 for CardBus): truncated?",
			    bdf, d->line, d->len);
	return 0;
}

static int dump_header(struct dump_parser *p, const struct pcicfg_bdf *bdf)
{
	char name[PCICFG_BDF_STRLEN];
	long prev;
	size_t idx;
	int ret;

	ret = dump_close(p);
	if (ret)
		return ret;
	prev = pcicfg_set_find(p->set, bdf);
	if (prev >= 0) {
		pcicfg_bdf_format(bdf, name);
		return perr(p->err, p->lineno, -EINVAL, "device %s appears twice (first at line %u)",
			    name, p->set->devs[prev].line);
	}
	ret = set_add(p->set, bdf, &idx);
	if (ret)
		return perr(p->err, p->lineno, ret, "%s", ret == -E2BIG ?
			    "too many devices (at most 16384)" : "out of memory");
	p->set->devs[idx].line = p->lineno;
	p->open = true;
	return 0;
}

/* "hh: b0 b1 ... b15" (offset 2 or 3 hex digits, 1..16 bytes) */
static int dump_data(struct dump_parser *p, const char *s)
{
	struct pcicfg_dev *d;
	const char *q;
	uint32_t off, byte;
	unsigned int n = 0;

	if (!hexrun(s, 3, &off, &q) || q - s < 2 || *q != ':')
		return perr(p->err, p->lineno, -EINVAL, "bad offset in hex dump line");
	if (!p->open)
		return perr(p->err, p->lineno, -EINVAL,
			    "hex dump line before any device line such as '00:1f.0 ...'");
	d = &p->set->devs[p->set->n - 1];
	if (off != d->len)
		return perr(p->err, p->lineno, -EINVAL,
			    "offset 0x%x out of sequence (expected 0x%x)", off, d->len);
	for (q++; *q == ' '; q += 3) {
		if (hexrun(q + 1, 2, &byte, &s) != 2 || (*s && *s != ' '))
			return perr(p->err, p->lineno, -EINVAL,
				    "byte %u at offset 0x%x is not two hex digits", n, off + n);
		if (n == 16 || off + n >= PCICFG_EXT_SIZE)
			return perr(p->err, p->lineno, -EINVAL, "%s",
				    n == 16 ? "more than 16 bytes on one line" :
					      "data past 4096 bytes of config space");
		d->cfg[off + n++] = (uint8_t)byte;
	}
	if (*q || !n)
		return perr(p->err, p->lineno, -EINVAL, "%s", *q ?
			    "unexpected characters in hex dump line" : "hex dump line without bytes");
	d->len = off + n;
	p->last_data = p->lineno;
	return 0;
}

static void chomp(char *s, size_t *len)
{
	while (*len && (s[*len - 1] == '\n' || s[*len - 1] == '\r' || s[*len - 1] == ' ' ||
			s[*len - 1] == '\t'))
		s[--*len] = '\0';
}

/* "hh:" or "hhh:" followed by a blank or the end of the line */
static bool is_data_line(const char *s)
{
	uint32_t off;
	const char *q;
	unsigned int n = hexrun(s, 3, &off, &q);

	return n >= 2 && q[0] == ':' && (q[1] == ' ' || !q[1]);
}

static int dump_line(struct dump_parser *p, char *s, size_t len)
{
	struct pcicfg_bdf bdf;
	const char *end;
	char ex[44];

	if (strlen(s) != len)
		return perr(p->err, p->lineno, -EINVAL, "NUL byte: not a text dump");
	chomp(s, &len);
	if (!len) {
		/* a blank line ends a device, as in lspci -F */
		return dump_close(p);
	}
	if (s[0] == ' ' || s[0] == '\t')
		return 0;	/* lspci -v detail line */
	if (!pcicfg_bdf_parse(s, &bdf, &end) && (*end == ' ' || !*end))
		return dump_header(p, &bdf);
	if (is_data_line(s))
		return dump_data(p, s);
	excerpt(s, ex, sizeof(ex));
	return perr(p->err, p->lineno, -EINVAL,
		    "not lspci -x output: expected a device line such as '00:1f.0 ...' or a hex line such as '00: 86 80 ...', got '%s'",
		    ex);
}

#define DUMP_MAX_LINE 4096

int pcicfg_parse_dump(FILE *f, struct pcicfg_set *set, struct pcicfg_err *err)
{
	struct dump_parser p = { .set = set, .err = err };
	struct line_reader lr;
	char *line;
	size_t len;
	int ret, r = 0;

	err->line = 0;
	err->msg[0] = '\0';
	ret = line_reader_init(&lr, f, DUMP_MAX_LINE, NULL);
	if (ret)
		return perr(err, 0, ret, "%s", line_reader_error(&lr));
	while (!ret && (r = line_reader_next(&lr, &line, &len)) > 0) {
		p.lineno = line_reader_lineno(&lr);
		ret = dump_line(&p, line, len);
	}
	if (!ret && r < 0)	/* too long or binary: malformed input, as documented */
		ret = perr(err, line_reader_lineno(&lr),
			   r == -E2BIG || r == -EILSEQ ? -EINVAL : r, "%s",
			   line_reader_error(&lr));
	if (!ret)
		ret = dump_close(&p);
	if (!ret && !set->n)
		ret = perr(err, p.lineno, -EINVAL,
			   "no devices found (expected the output of lspci -x, -xxx or -xxxx)");
	if (!ret)
		set_sort(set);
	line_reader_free(&lr);
	return ret;
}

int pcicfg_load_dump(const char *path, struct pcicfg_set *set, struct pcicfg_err *err)
{
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		return perr(err, 0, ret, "cannot open: %s", strerror(-ret));
	}
	ret = pcicfg_parse_dump(f, set, err);
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* sysfs input                                                               */

/* Read up to 4096 bytes of @path: as non-root, sysfs returns only 64 (128). */
static void sysfs_read_config(int dirfd, const char *name, struct pcicfg_dev *d)
{
	char path[PATH_MAX];
	struct stat st;
	ssize_t n = 1;
	int fd;

	snprintf(path, sizeof(path), "%s/config", name);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		d->read_err = -errno;
		return;
	}
	if (!fstat(fd, &st))
		d->size = st.st_size > PCICFG_EXT_SIZE ? PCICFG_EXT_SIZE : (unsigned int)st.st_size;
	while (d->len < PCICFG_EXT_SIZE && n > 0) {
		n = pread(fd, d->cfg + d->len, PCICFG_EXT_SIZE - d->len, d->len);
		if (n > 0)
			d->len += (unsigned int)n;
	}
	if (n < 0)
		d->read_err = -errno;
	close(fd);
}

static int sysfs_scan(const char *dir, DIR *dp, struct pcicfg_set *set, struct pcicfg_err *err)
{
	struct pcicfg_bdf bdf;
	struct dirent *de;
	const char *end;
	size_t idx;
	int ret = 0;

	while (!ret && (de = readdir(dp))) {
		if (pcicfg_bdf_parse(de->d_name, &bdf, &end) || *end)
			continue;
		ret = set_add(set, &bdf, &idx);
		if (!ret)
			sysfs_read_config(dirfd(dp), de->d_name, &set->devs[idx]);
	}
	if (ret)
		perr(err, 0, ret, "%s: %s", dir, ret == -E2BIG ?
		     "too many devices (at most 16384)" : "out of memory");
	return ret;
}

/* The upstream bridge: the directory that DIR/<bdf> resolves into. */
static void sysfs_parent(const char *dir, struct pcicfg_set *set, size_t i)
{
	char path[PATH_MAX], name[PCICFG_BDF_STRLEN], *real, *slash;
	struct pcicfg_dev *d = &set->devs[i];
	struct pcicfg_bdf up;
	const char *end;
	long idx;

	pcicfg_bdf_format(&d->bdf, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	real = realpath(path, NULL);
	if (!real)
		return;	/* stays PCICFG_PARENT_UNKNOWN */
	slash = strrchr(real, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(real, '/');
	if (slash && !pcicfg_bdf_parse(slash + 1, &up, &end) && !*end) {
		idx = pcicfg_set_find(set, &up);
		d->parent = idx >= 0 ? idx : PCICFG_PARENT_UNKNOWN;
	} else {
		d->parent = PCICFG_PARENT_ROOT;	/* under pciDDDD:BB: a root bus */
	}
	free(real);
}

int pcicfg_load_sysfs(const char *dir, struct pcicfg_set *set, struct pcicfg_err *err)
{
	size_t i;
	DIR *dp;
	int ret;

	err->line = 0;
	err->msg[0] = '\0';
	dp = opendir(dir);
	if (!dp) {
		ret = -errno;
		return perr(err, 0, ret, "cannot open %s: %s", dir, strerror(-ret));
	}
	ret = sysfs_scan(dir, dp, set, err);
	closedir(dp);
	if (ret)
		return ret;
	set_sort(set);
	/* indices are final now: resolve parents */
	for (i = 0; i < set->n; i++)
		sysfs_parent(dir, set, i);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Topology                                                                  */

static bool on_bus(const struct pcicfg_dev *d, uint32_t domain, unsigned int bus)
{
	return d->info.valid && d->bdf.domain == domain && d->bdf.bus == bus;
}

/* A bus with a host bridge, Root Port or RC-integrated function is a root bus. */
static bool is_root_bus(const struct pcicfg_set *set, uint32_t domain, unsigned int bus)
{
	const struct pcicfg_info *in;
	size_t i;

	for (i = 0; i < set->n; i++) {
		in = &set->devs[i].info;
		if (!on_bus(&set->devs[i], domain, bus))
			continue;
		if ((in->class >> 8) == 0x0600)
			return true;
		if (in->pcie_state == PCICFG_PRESENT && (in->port_type == PCICFG_EXP_ROOT_PORT ||
							 in->port_type == PCICFG_EXP_RC_END ||
							 in->port_type == PCICFG_EXP_RC_EC))
			return true;
	}
	return false;
}

static bool covers(const struct pcicfg_dev *br, const struct pcicfg_dev *d)
{
	const struct pcicfg_info *in = &br->info;

	return br != d && in->valid && in->has_buses && in->sec_bus &&
	       br->bdf.domain == d->bdf.domain && in->sec_bus <= d->bdf.bus &&
	       d->bdf.bus <= in->sub_bus;
}

static long bus_parent(const struct pcicfg_set *set, size_t i)
{
	const struct pcicfg_dev *d = &set->devs[i], *b;
	unsigned int best_span = UINT_MAX, span;
	long best = -1;
	size_t j;

	for (j = 0; j < set->n; j++) {
		b = &set->devs[j];
		if (!covers(b, d))
			continue;
		span = (unsigned int)(b->info.sub_bus - b->info.sec_bus);
		if (span < best_span) {
			best_span = span;
			best = (long)j;
		}
	}
	if (best >= 0)
		return best;
	return is_root_bus(set, d->bdf.domain, d->bdf.bus) ? PCICFG_PARENT_ROOT :
							     PCICFG_PARENT_UNKNOWN;
}

void pcicfg_link_by_bus(struct pcicfg_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		set->devs[i].parent = bus_parent(set, i);
}

static void rp_set(struct pcicfg_rp *rp, enum pcicfg_rp_state state, int err, size_t idx)
{
	rp->state = state;
	rp->why = err;
	rp->idx = idx;
}

void pcicfg_find_root_port(const struct pcicfg_set *set, size_t i, struct pcicfg_rp *rp)
{
	const struct pcicfg_info *in = &set->devs[i].info;
	size_t cur = i, steps;
	long up;

	if (in->pcie_state != PCICFG_PRESENT || in->port_type == PCICFG_EXP_RC_END) {
		rp_set(rp, PCICFG_RP_NOT_APPLICABLE, 0, i);
		return;
	}
	for (steps = 0; steps <= set->n; steps++) {
		in = &set->devs[cur].info;
		if (in->pcie_state == PCICFG_PRESENT && in->port_type == PCICFG_EXP_ROOT_PORT) {
			rp_set(rp, PCICFG_RP_FOUND, 0, cur);
			return;
		}
		if (in->pcie_state == PCICFG_UNKNOWN) {
			rp_set(rp, PCICFG_RP_UNKNOWN, -ENODATA, cur);
			return;
		}
		up = set->devs[cur].parent;
		if (up == PCICFG_PARENT_ROOT) {
			rp_set(rp, PCICFG_RP_NONE, 0, cur);
			return;
		}
		if (up < 0) {
			rp_set(rp, PCICFG_RP_UNKNOWN, -ENOENT, cur);
			return;
		}
		cur = (size_t)up;
	}
	rp_set(rp, PCICFG_RP_UNKNOWN, -ELOOP, cur);
}

static int rp_completer(const struct pcicfg_rp *rp, const struct pcicfg_info *rp_info)
{
	if (rp->state != PCICFG_RP_FOUND || !rp_info)
		return -1;
	switch (rp_info->devcap2_state) {
	case PCICFG_PRESENT:
		return (int)pcicfg_devcap2_tph_comp(rp_info->devcap2);
	case PCICFG_ABSENT:
		return 0;	/* version 1: pcie_capability_read_dword() gives 0 */
	default:
		return -1;
	}
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

void pcicfg_eval_requester(const struct pcicfg_info *dev, const struct pcicfg_rp *rp,
			   const struct pcicfg_info *rp_info, struct pcicfg_req_eval *ev)
{
	int dev_max;

	memset(ev, 0, sizeof(*ev));
	ev->rp_comp = ev->effective = ev->kernel_raw = -1;
	if (dev->tph_state != PCICFG_PRESENT)
		return;
	ev->valid = true;
	ev->dev_max = dev->tph.capf.ext_tph ? PCICFG_REQ_EXT_TPH : PCICFG_REQ_TPH_ONLY;
	dev_max = (int)ev->dev_max;
	if (dev->pcie_state == PCICFG_PRESENT && dev->port_type == PCICFG_EXP_RC_END) {
		ev->rciep = true;
		ev->effective = ev->kernel_raw = dev_max;
		return;
	}
	if (rp->state == PCICFG_RP_NONE) {
		ev->effective = ev->kernel_raw = PCICFG_REQ_DISABLE;
		ev->capped = true;
		return;
	}
	ev->rp_comp = rp_completer(rp, rp_info);
	if (ev->rp_comp < 0)
		return;
	ev->effective = min_int(dev_max, (int)pcicfg_comp_fold((unsigned int)ev->rp_comp));
	ev->kernel_raw = min_int(dev_max, ev->rp_comp);
	ev->capped = ev->effective < dev_max;
}

void pcicfg_set_analyze(struct pcicfg_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		pcicfg_decode(&set->devs[i]);
	if (set->source == PCICFG_SRC_DUMP)
		pcicfg_link_by_bus(set);
}
