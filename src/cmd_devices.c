// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace devices: the TPH state of every PCI device, from sysfs config
 * space or from an `lspci -x/-xxx/-xxxx` dump. JSON keys: docs/devices.md.
 */
#include <argp.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "cmds.h"
#include "jw.h"
#include "opts.h"
#include "pcicfg.h"

#define DEFAULT_SYSFS	"/sys/bus/pci/devices"
#define TEXT_WIDTH	98
#define LABEL_WIDTH	13
#define MSG_MAX		12
#define MSG_LEN		240

enum { OPT_DUMP = 0x100, OPT_SYSFS };

struct devices_opts {
	struct cmd_opts co;
	const char *dump;
	const char *sysfs, *sysfs_default;
	const char *bdf_arg;
	struct pcicfg_bdf bdf;
	bool json, all;
};

/* A few sentences about one device: what could not be read, what is odd. */
struct msgs {
	unsigned int n;
	char s[MSG_MAX][MSG_LEN];
};

/* Everything printed about one device */
struct dev_view {
	const struct pcicfg_set *set;
	const struct pcicfg_dev *d;
	const char *input;		/* file or sysfs directory */
	struct pcicfg_rp rp;
	struct pcicfg_req_eval ev;
	struct msgs unreadable, notes;
};

static void msg_add(struct msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void msg_add(struct msgs *m, const char *fmt, ...)
{
	va_list ap;

	if (m->n == MSG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(m->s[m->n++], MSG_LEN, fmt, ap);
	va_end(ap);
}

static const char *bdf_str(const struct pcicfg_dev *d, char buf[PCICFG_BDF_STRLEN])
{
	pcicfg_bdf_format(&d->bdf, buf);
	return buf;
}

/* ------------------------------------------------------------------------ */
/* What could not be read                                                    */

static void unreadable_bytes(struct dev_view *v)
{
	const struct pcicfg_dev *d = v->d;

	if (d->read_err)
		msg_add(&v->unreadable, "reading %s/%04x:%02x:%02x.%u/config failed: %s",
			v->input, d->bdf.domain, d->bdf.bus, d->bdf.dev, d->bdf.fn,
			strerror(-d->read_err));
	if (d->len < PCICFG_HDR_SIZE)
		msg_add(&v->unreadable, "only %u bytes of config space readable: nothing decoded",
			d->len);
	else if (v->set->source == PCICFG_SRC_SYSFS && d->len < d->size)
		msg_add(&v->unreadable,
			"only %u of %u config bytes readable: sysfs gives non-root readers the "
			"header only (run as root, CAP_SYS_ADMIN)", d->len, d->size);
}

static void unreadable_caps(struct dev_view *v)
{
	const struct pcicfg_info *in = &v->d->info;
	bool dump = v->set->source == PCICFG_SRC_DUMP;

	if (!in->valid)
		return;
	if (in->pcie_state == PCICFG_UNKNOWN)
		msg_add(&v->unreadable, "capability at 0x%02x beyond the %u %s bytes: PCIe "
			"capability and TPH unknown%s", in->pcie_why.pos, v->d->len,
			dump ? "dumped" : "readable", dump ? " (dump made with lspci -x)" : "");
	if (in->pcie_state == PCICFG_PRESENT && in->devcap2_state == PCICFG_UNKNOWN)
		msg_add(&v->unreadable, "Device Capabilities 2 not readable: TPH completer unknown");
	if (in->pcie_state != PCICFG_PRESENT || in->tph_state != PCICFG_UNKNOWN)
		return;
	if (dump)
		msg_add(&v->unreadable, "extended config space not in dump (%u bytes; use "
			"lspci -xxxx): TPH capability unknown", v->d->len);
	else if (v->d->size && v->d->size <= PCICFG_LEGACY_SIZE)
		msg_add(&v->unreadable, "the kernel exposes only %u config bytes (no extended "
			"config access): TPH capability unknown, and unusable by the kernel",
			v->d->size);
	else
		msg_add(&v->unreadable, "extended config space not readable: TPH capability "
			"unknown");
}

static void unreadable_root_port(struct dev_view *v)
{
	const struct pcicfg_dev *at = &v->set->devs[v->rp.idx];
	char bdf[PCICFG_BDF_STRLEN];

	if (!v->ev.valid)
		return;
	bdf_str(at, bdf);
	if (v->rp.state == PCICFG_RP_FOUND && v->ev.rp_comp < 0)
		msg_add(&v->unreadable, "Device Capabilities 2 of Root Port %s not readable: "
			"completer unknown", bdf);
	if (v->rp.state != PCICFG_RP_UNKNOWN)
		return;
	if (v->rp.why == -ENODATA)
		msg_add(&v->unreadable, "PCIe capability of upstream %s not readable: cannot "
			"tell if it is the Root Port", bdf);
	else if (v->rp.why == -ELOOP)
		msg_add(&v->unreadable, "bridge bus ranges loop: Root Port unknown");
	else if (v->set->source == PCICFG_SRC_DUMP)
		msg_add(&v->unreadable, "no bridge in the dump forwards bus %02x (above %s): "
			"Root Port unknown", at->bdf.bus, bdf);
	else
		msg_add(&v->unreadable, "the bridge above %s is not in %s: Root Port unknown",
			bdf, v->input);
}

/* ------------------------------------------------------------------------ */
/* Findings                                                                  */

static void note_lists(struct dev_view *v)
{
	const struct pcicfg_info *in = &v->d->info;
	static const char *const what[] = { "capability list", "extended capability list" };
	const struct pcicfg_why *w[] = { &in->std_list, &in->ext_list };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (i == 1 && in->pcie_state != PCICFG_PRESENT)
			break;
		if (w[i]->err == -ELOOP)
			msg_add(&v->notes, "%s loops (0x%03x visited twice): lookups stop there, "
				"as the kernel's do", what[i], w[i]->pos);
		else if (w[i]->err == -EPROTO)
			msg_add(&v->notes, "%s malformed at 0x%03x: lookups stop there", what[i],
				w[i]->pos);
	}
}

static void note_tph_regs(struct dev_view *v)
{
	const struct pcicfg_tph *t = &v->d->info.tph;

	if (!t->capf.st_ns)
		msg_add(&v->notes, "No ST Mode Supported bit is clear: the spec requires NS mode");
	if (t->capf.st_loc == PCICFG_ST_LOC_RESERVED)
		msg_add(&v->notes, "ST Table Location is the reserved value 0b11");
	if (t->capf.st_loc == PCICFG_ST_LOC_MSIX)
		msg_add(&v->notes, "ST entries live in the MSI-X table (device memory), not in "
			"config space");
	if (t->st_truncated)
		msg_add(&v->notes, "ST table of %u entries runs past the end of config space: "
			"%u shown", t->capf.st_table_size, t->st_count);
	if (t->ctrlf.mode_sel > PCICFG_ST_MODE_DS)
		msg_add(&v->notes, "ST Mode Select %u is reserved", t->ctrlf.mode_sel);
	else if (!(t->cap & (1u << t->ctrlf.mode_sel)))
		msg_add(&v->notes, "selected ST mode %s is not supported by the capability",
			pcicfg_st_mode_key(t->ctrlf.mode_sel));
	if (t->ctrlf.req_en == PCICFG_REQ_RESERVED)
		msg_add(&v->notes, "TPH Requester Enable is the reserved value 0b10");
	if (t->ctrlf.req_en == PCICFG_REQ_EXT_TPH && !t->capf.ext_tph)
		msg_add(&v->notes, "Requester Enable says extended TPH, which the device does "
			"not support");
}

static void note_requester(struct dev_view *v)
{
	const struct pcicfg_tph *t = &v->d->info.tph;
	const struct pcicfg_req_eval *ev = &v->ev;

	if (ev->effective >= 0 && t->ctrlf.req_en != PCICFG_REQ_RESERVED &&
	    (int)t->ctrlf.req_en > ev->effective)
		msg_add(&v->notes, "TPH Requester Enable (%s) is above what pcie_enable_tph() "
			"would choose (%s): set by firmware or another agent?",
			pcicfg_req_key(t->ctrlf.req_en), pcicfg_req_key((unsigned int)ev->effective));
	if (ev->kernel_raw >= 0 && ev->kernel_raw != ev->effective)
		msg_add(&v->notes, "the Root Port's completer field is the reserved 0b10; "
			"get_rp_completer_type() in drivers/pci/tph.c returns it unfolded, so "
			"pcie_enable_tph() computes min(%u, 2) = %d%s", ev->dev_max, ev->kernel_raw,
			ev->kernel_raw == PCICFG_REQ_RESERVED ?
			" and writes the reserved Requester Enable 0b10" : "");
}

static void view_init(struct dev_view *v, const struct pcicfg_set *set, size_t i,
		      const char *input)
{
	const struct pcicfg_info *rp_info = NULL;

	memset(v, 0, sizeof(*v));
	v->set = set;
	v->d = &set->devs[i];
	v->input = input;
	pcicfg_find_root_port(set, i, &v->rp);
	if (v->rp.state == PCICFG_RP_FOUND)
		rp_info = &set->devs[v->rp.idx].info;
	pcicfg_eval_requester(&v->d->info, &v->rp, rp_info, &v->ev);
	unreadable_bytes(v);
	unreadable_caps(v);
	unreadable_root_port(v);
	note_lists(v);
	if (v->d->info.tph_state == PCICFG_PRESENT) {
		note_tph_regs(v);
		note_requester(v);
	}
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static void j_hex(struct jw *w, const char *key, unsigned int val, int digits)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%0*x", digits, val);
	jw_kstr(w, key, buf);
}

/* -1 means "unknown": null */
static void j_int_or_null(struct jw *w, const char *key, int64_t val)
{
	jw_key(w, key);
	val < 0 ? jw_null(w) : jw_i64(w, val);
}

static void j_msgs(struct jw *w, const char *key, const struct msgs *m)
{
	unsigned int i;

	jw_karr(w, key);
	for (i = 0; i < m->n; i++)
		jw_str(w, m->s[i]);
	jw_arr_end(w);
}

static const char *state_key(enum pcicfg_state s)
{
	static const char *const keys[] = {
		[PCICFG_ABSENT] = "absent", [PCICFG_PRESENT] = "present",
		[PCICFG_UNKNOWN] = "unknown", [PCICFG_NOT_PCIE] = "not_pcie",
	};

	return keys[s];
}

static void json_pcie(struct jw *w, const struct pcicfg_info *in)
{
	int comp = in->devcap2_state == PCICFG_PRESENT ?
		   (int)pcicfg_devcap2_tph_comp(in->devcap2) :
		   in->devcap2_state == PCICFG_ABSENT ? 0 : -1;

	jw_kobj(w, "pcie");
	jw_ki64(w, "offset", in->pcie_off);
	jw_ki64(w, "version", in->pcie_version);
	jw_ki64(w, "port_type", in->port_type);
	jw_kstr(w, "port_type_name", pcicfg_port_type_key(in->port_type));
	j_int_or_null(w, "devcap2", in->devcap2_state == PCICFG_PRESENT ? (int64_t)in->devcap2 : -1);
	j_int_or_null(w, "tph_completer", comp);
	jw_kstr(w, "tph_completer_name", comp < 0 ? NULL : pcicfg_comp_key((unsigned int)comp));
	jw_obj_end(w);
}

static void json_tph(struct jw *w, const struct pcicfg_dev *d)
{
	const struct pcicfg_tph *t = &d->info.tph;
	unsigned int i;
	uint16_t e;

	jw_kobj(w, "tph");
	jw_ki64(w, "offset", t->off);
	jw_ki64(w, "version", t->version);
	jw_ki64(w, "cap", t->cap);
	jw_kobj(w, "st_modes");
	jw_kbool(w, "ns", t->capf.st_ns);
	jw_kbool(w, "iv", t->capf.st_iv);
	jw_kbool(w, "ds", t->capf.st_ds);
	jw_obj_end(w);
	jw_kbool(w, "ext_requester", t->capf.ext_tph);
	jw_ki64(w, "st_location", t->capf.st_loc);
	jw_kstr(w, "st_location_name", pcicfg_st_loc_key(t->capf.st_loc));
	jw_ki64(w, "st_table_size", t->capf.st_table_size);
	jw_ki64(w, "ctrl", t->ctrl);
	jw_ki64(w, "st_mode_selected", t->ctrlf.mode_sel);
	jw_kstr(w, "st_mode_selected_name", pcicfg_st_mode_key(t->ctrlf.mode_sel));
	jw_ki64(w, "requester_enable", t->ctrlf.req_en);
	jw_kstr(w, "requester_enable_name", pcicfg_req_key(t->ctrlf.req_en));
	jw_key(w, "st_entries");
	if (t->capf.st_loc == PCICFG_ST_LOC_CAP) {
		jw_arr(w);
		for (i = 0; !pcicfg_tph_st_entry(d, i, &e); i++)
			jw_u64(w, e);
		jw_arr_end(w);
	} else {
		jw_null(w);
	}
	jw_kbool(w, "st_entries_truncated", t->st_truncated);
	jw_obj_end(w);
}

/* {"status": "ok|loop|malformed|unreadable", "offset": N} of a whole-list walk */
static void json_list(struct jw *w, const char *key, const struct pcicfg_why *why)
{
	const char *status = "ok";

	if (why->err == -ELOOP)
		status = "loop";
	else if (why->err == -EPROTO)
		status = "malformed";
	else if (why->err)
		status = "unreadable";
	jw_kobj(w, key);
	jw_kstr(w, "status", status);
	j_int_or_null(w, "offset", why->err ? (int64_t)why->pos : -1);
	jw_obj_end(w);
}

static const char *rp_state_key(enum pcicfg_rp_state s)
{
	static const char *const keys[] = {
		[PCICFG_RP_FOUND] = "found", [PCICFG_RP_NONE] = "none",
		[PCICFG_RP_UNKNOWN] = "unknown", [PCICFG_RP_NOT_APPLICABLE] = "not_applicable",
	};

	return keys[s];
}

static void json_root_port(struct jw *w, const struct dev_view *v)
{
	const struct pcicfg_dev *rp = &v->set->devs[v->rp.idx];
	char bdf[PCICFG_BDF_STRLEN];
	int comp = -1;

	if (v->rp.state != PCICFG_RP_FOUND) {
		jw_knull(w, "root_port");
		return;
	}
	jw_kobj(w, "root_port");
	jw_kstr(w, "bdf", bdf_str(rp, bdf));
	if (rp->info.devcap2_state == PCICFG_PRESENT)
		comp = (int)pcicfg_devcap2_tph_comp(rp->info.devcap2);
	else if (rp->info.devcap2_state == PCICFG_ABSENT)
		comp = 0;
	j_int_or_null(w, "tph_completer", comp);
	jw_kstr(w, "tph_completer_name", comp < 0 ? NULL : pcicfg_comp_key((unsigned int)comp));
	jw_obj_end(w);
}

static void json_requester(struct jw *w, const struct pcicfg_req_eval *ev)
{
	if (!ev->valid) {
		jw_knull(w, "requester");
		return;
	}
	jw_kobj(w, "requester");
	jw_ki64(w, "device_max", ev->dev_max);
	jw_kstr(w, "device_max_name", pcicfg_req_key(ev->dev_max));
	jw_kbool(w, "rciep_uncapped", ev->rciep);
	j_int_or_null(w, "root_port_completer", ev->rp_comp);
	j_int_or_null(w, "effective", ev->effective);
	jw_kstr(w, "effective_name", ev->effective < 0 ? "unknown" :
		pcicfg_req_key((unsigned int)ev->effective));
	jw_kbool(w, "capped", ev->capped);
	j_int_or_null(w, "kernel_raw", ev->kernel_raw);
	jw_obj_end(w);
}

static void json_bridge(struct jw *w, const struct pcicfg_info *in)
{
	if (!in->has_buses) {
		jw_knull(w, "bridge");
		return;
	}
	jw_kobj(w, "bridge");
	jw_ki64(w, "primary_bus", in->pri_bus);
	jw_ki64(w, "secondary_bus", in->sec_bus);
	jw_ki64(w, "subordinate_bus", in->sub_bus);
	jw_obj_end(w);
}

static void json_ids(struct jw *w, const struct pcicfg_info *in)
{
	if (!in->valid) {
		jw_knull(w, "vendor_id");
		jw_knull(w, "device_id");
		jw_knull(w, "class");
		jw_knull(w, "revision");
		jw_knull(w, "header_type");
		jw_knull(w, "multifunction");
		return;
	}
	j_hex(w, "vendor_id", in->vendor, 4);
	j_hex(w, "device_id", in->device, 4);
	j_hex(w, "class", in->class, 6);
	jw_ki64(w, "revision", in->revision);
	jw_ki64(w, "header_type", in->hdr_layout);
	jw_kbool(w, "multifunction", in->multifunction);
}

static void json_device(struct jw *w, const struct dev_view *v)
{
	const struct pcicfg_dev *d = v->d;
	const struct pcicfg_info *in = &d->info;
	char bdf[PCICFG_BDF_STRLEN];

	jw_obj(w);
	jw_kstr(w, "bdf", bdf_str(d, bdf));
	json_ids(w, in);
	jw_kstr(w, "source", v->set->source == PCICFG_SRC_DUMP ? "dump" : "sysfs");
	j_int_or_null(w, "dump_line", d->line ? (int64_t)d->line : -1);
	jw_ki64(w, "config_bytes", d->len);
	j_int_or_null(w, "config_size", d->size ? (int64_t)d->size : -1);
	json_bridge(w, in);
	jw_kstr(w, "upstream_bridge", d->parent >= 0 ?
		bdf_str(&v->set->devs[d->parent], bdf) : NULL);
	jw_kstr(w, "upstream", d->parent >= 0 ? "bridge" :
		d->parent == PCICFG_PARENT_ROOT ? "root_bus" : "unknown");
	if (in->valid)
		json_list(w, "cap_list", &in->std_list);
	else
		jw_knull(w, "cap_list");
	if (in->pcie_state == PCICFG_PRESENT)
		json_list(w, "ext_cap_list", &in->ext_list);
	else
		jw_knull(w, "ext_cap_list");
	jw_kstr(w, "pcie_status", state_key(in->pcie_state));
	if (in->pcie_state == PCICFG_PRESENT)
		json_pcie(w, in);
	else
		jw_knull(w, "pcie");
	jw_kstr(w, "tph_status", state_key(in->tph_state));
	if (in->tph_state == PCICFG_PRESENT)
		json_tph(w, d);
	else
		jw_knull(w, "tph");
	jw_kstr(w, "root_port_status", rp_state_key(v->rp.state));
	json_root_port(w, v);
	json_requester(w, &v->ev);
	j_msgs(w, "unreadable", &v->unreadable);
	j_msgs(w, "notes", &v->notes);
	jw_obj_end(w);
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

/* "  label        text" wrapped at TEXT_WIDTH with a hanging indent */
static void t_field(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void t_field(const char *label, const char *fmt, ...)
{
	char text[512];
	const char *p = text;
	size_t room = TEXT_WIDTH - 2 - LABEL_WIDTH, n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("  %-*s", LABEL_WIDTH, label);
	while (strlen(p) > room) {
		n = room;
		while (n > room / 2 && p[n] != ' ')
			n--;
		if (p[n] != ' ')
			n = room;
		printf("%.*s\n  %-*s", (int)n, p, LABEL_WIDTH, "");
		p += n;
		while (*p == ' ')
			p++;
	}
	printf("%s\n", p);
}

static void t_title(const struct dev_view *v)
{
	const struct pcicfg_info *in = &v->d->info;
	char bdf[PCICFG_BDF_STRLEN];

	bdf_str(v->d, bdf);
	if (!in->valid) {
		printf("%s: config space not readable\n", bdf);
		return;
	}
	printf("%s %04x:%04x class %06x rev %02x: ", bdf, in->vendor, in->device, in->class,
	       in->revision);
	if (in->pcie_state == PCICFG_PRESENT)
		printf("PCIe %s (cap v%u @0x%02x)\n", pcicfg_port_type_name(in->port_type),
		       in->pcie_version, in->pcie_off);
	else if (in->pcie_state == PCICFG_ABSENT)
		printf("conventional PCI (no PCIe capability)\n");
	else
		printf("PCIe capability unknown\n");
}

static void t_completer(const struct pcicfg_info *in)
{
	unsigned int comp;

	if (in->pcie_state != PCICFG_PRESENT)
		return;
	if (in->devcap2_state == PCICFG_ABSENT) {
		t_field("completer", "none (PCIe capability v1 has no Device Capabilities 2)");
		return;
	}
	if (in->devcap2_state != PCICFG_PRESENT)
		return;
	comp = pcicfg_devcap2_tph_comp(in->devcap2);
	t_field("completer", "%s (DevCap2 TPH Completer Supported = 0b%u%u)",
		pcicfg_comp_name(comp), comp >> 1, comp & 1);
}

static void t_st_table(const struct pcicfg_dev *d)
{
	const struct pcicfg_tph *t = &d->info.tph;
	char line[80], label[24];
	unsigned int i, j;
	uint16_t e;

	if (t->capf.st_loc == PCICFG_ST_LOC_NONE) {
		t_field("ST table", "none");
		return;
	}
	t_field("ST table", "%s, %u entr%s", pcicfg_st_loc_name(t->capf.st_loc),
		t->capf.st_table_size, t->capf.st_table_size == 1 ? "y" : "ies");
	for (i = 0; i < t->st_count; i += 8) {
		line[0] = '\0';
		for (j = i; j < i + 8 && !pcicfg_tph_st_entry(d, j, &e); j++)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), " 0x%04x", e);
		snprintf(label, sizeof(label), "  st[%u..%u]", i, j - 1);
		t_field(label, "%s", line + 1);
	}
}

static void t_tph(const struct pcicfg_dev *d)
{
	const struct pcicfg_tph *t = &d->info.tph;

	t_field("TPH cap", "@0x%03x v%u, cap 0x%08x: ST modes%s%s%s%s, extended requester %s",
		t->off, t->version, t->cap, t->capf.st_ns ? " NS" : "", t->capf.st_iv ? " IV" : "",
		t->capf.st_ds ? " DS" : "",
		t->capf.st_ns || t->capf.st_iv || t->capf.st_ds ? "" : " none",
		t->capf.ext_tph ? "yes" : "no");
	t_st_table(d);
	t_field("TPH control", "0x%08x: ST mode %s, requester enable %s", t->ctrl,
		pcicfg_st_mode_name(t->ctrlf.mode_sel), pcicfg_req_name(t->ctrlf.req_en));
}

static void t_tph_state(const struct dev_view *v)
{
	const struct pcicfg_info *in = &v->d->info;

	if (in->tph_state == PCICFG_PRESENT)
		t_tph(v->d);
	else if (in->tph_state == PCICFG_ABSENT)
		t_field("TPH cap", "none (no TPH Requester extended capability)");
	else if (in->tph_state == PCICFG_UNKNOWN && in->pcie_state == PCICFG_PRESENT)
		t_field("TPH cap", "unknown");
}

static void t_root_port(const struct dev_view *v)
{
	const struct pcicfg_req_eval *ev = &v->ev;
	char bdf[PCICFG_BDF_STRLEN];

	if (!ev->valid)
		return;
	if (v->rp.state == PCICFG_RP_FOUND)
		t_field("root port", "%s, completer %s",
			bdf_str(&v->set->devs[v->rp.idx], bdf), ev->rp_comp < 0 ? "unknown" :
			pcicfg_comp_name((unsigned int)ev->rp_comp));
	else if (v->rp.state == PCICFG_RP_NONE)
		t_field("root port", "none above the device");
	else if (v->rp.state == PCICFG_RP_UNKNOWN)
		t_field("root port", "unknown");
	if (ev->effective < 0)
		t_field("kernel", "pcie_enable_tph() would choose: unknown (root port unknown)");
	else if (ev->rciep)
		t_field("kernel", "pcie_enable_tph() would enable %s (RCiEP: not capped)",
			pcicfg_req_name((unsigned int)ev->effective));
	else if (v->rp.state == PCICFG_RP_NONE)
		t_field("kernel", "pcie_enable_tph() would fail (-EINVAL): no Root Port above");
	else if (ev->kernel_raw != ev->effective)
		t_field("kernel", "pcie_enable_tph() should not enable TPH (reserved completer "
			"field) but would program %s (see note)",
			pcicfg_req_name((unsigned int)ev->kernel_raw));
	else if (ev->effective == PCICFG_REQ_DISABLE)
		t_field("kernel", "pcie_enable_tph() would fail (-EINVAL): the root port "
			"completes no TPH");
	else
		t_field("kernel", "pcie_enable_tph() would enable %s%s",
			pcicfg_req_name((unsigned int)ev->effective),
			ev->capped ? " (capped by the root port)" : "");
}

static void t_block(const struct dev_view *v)
{
	unsigned int i;

	t_title(v);
	if (v->set->source == PCICFG_SRC_DUMP)
		t_field("source", "dump line %u, %u bytes", v->d->line, v->d->len);
	else
		t_field("source", "sysfs, %u of %u bytes read", v->d->len, v->d->size);
	t_completer(&v->d->info);
	t_tph_state(v);
	t_root_port(v);
	for (i = 0; i < v->unreadable.n; i++)
		t_field("unreadable", "%s", v->unreadable.s[i]);
	for (i = 0; i < v->notes.n; i++)
		t_field("note", "%s", v->notes.s[i]);
	printf("\n");
}

/* One line for a device with nothing TPH-specific to show */
static void t_line(const struct dev_view *v)
{
	const struct pcicfg_info *in = &v->d->info;
	char bdf[PCICFG_BDF_STRLEN], head[64];

	bdf_str(v->d, bdf);
	if (!in->valid) {
		printf("%s: %s\n", bdf, v->unreadable.n ? v->unreadable.s[0] : "not readable");
		return;
	}
	snprintf(head, sizeof(head), "%s %04x:%04x class %06x", bdf, in->vendor, in->device,
		 in->class);
	if (in->pcie_state == PCICFG_UNKNOWN && v->d->size > v->d->len)
		printf("%s: PCIe/TPH unknown (%u/%u bytes readable: not root)\n", head,
		       v->d->len, v->d->size);
	else if (in->pcie_state == PCICFG_UNKNOWN)
		printf("%s: PCIe/TPH unknown (%u config bytes %s)\n", head, v->d->len,
		       v->set->source == PCICFG_SRC_DUMP ? "in dump" : "readable");
	else if (in->pcie_state == PCICFG_ABSENT)
		printf("%s: conventional PCI, no TPH\n", head);
	else
		printf("%s: PCIe %s, no TPH Requester\n", head,
		       pcicfg_port_type_name(in->port_type));
}

static bool tph_relevant(const struct pcicfg_info *in)
{
	return in->tph_state == PCICFG_PRESENT ||
	       (in->pcie_state == PCICFG_PRESENT && in->tph_state == PCICFG_UNKNOWN) ||
	       (in->pcie_state == PCICFG_PRESENT && in->port_type == PCICFG_EXP_ROOT_PORT);
}

static void t_summary(const struct pcicfg_set *set, const char *input, size_t shown)
{
	size_t i, tph = 0, partial = 0, short_reads = 0;

	for (i = 0; i < set->n; i++) {
		tph += set->devs[i].info.tph_state == PCICFG_PRESENT;
		partial += set->devs[i].info.pcie_state == PCICFG_UNKNOWN;
		short_reads += set->devs[i].len < set->devs[i].size;
	}
	printf("input: %s %s\n", set->source == PCICFG_SRC_DUMP ? "dump" : "sysfs", input);
	printf("%zu device%s", set->n, set->n == 1 ? "" : "s");
	if (shown != set->n)
		printf(" (%zu shown)", shown);
	printf(": %zu with a TPH Requester capability", tph);
	if (partial)
		printf(", %zu with capabilities unreadable", partial);
	printf("\n");
	if (short_reads)
		printf("sysfs returned only the header of %zu device%s: run as root to read "
		       "capabilities\n", short_reads, short_reads == 1 ? "" : "s");
	printf("\n");
}

/* ------------------------------------------------------------------------ */
/* Command                                                                   */

static const struct argp_option options[] = {
	{ "config-dump", OPT_DUMP, "FILE", 0,
	  "Read an lspci -x/-xxx/-xxxx dump instead of sysfs", 0 },
	{ "sysfs", OPT_SYSFS, "DIR", 0, "sysfs PCI device directory (default "
	  DEFAULT_SYSFS ")", 0 },
	{ "all", 'a', NULL, 0, "Full block for every device, not only TPH-relevant ones", 0 },
	{ 0 }
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct devices_opts *o = state->input;

	switch (key) {
	case OPT_DUMP:
		o->dump = arg;
		return 0;
	case OPT_SYSFS:
		o->sysfs = arg;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case ARGP_KEY_END:
		if (o->dump && o->sysfs != o->sysfs_default)
			argp_error(state, "--config-dump and --sysfs exclude each other");
		return ARGP_ERR_UNKNOWN;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct opt_doc devices_docs[] = {
	{ 'd', "Only this device ([domain:]bus:dev.fn)" },
	{ 'j', "JSON: the devices array of docs/json.md (fields: docs/devices.md)" },
	{ 'v', "Full block for every device (as --all)" },
	{ 0 },
};

static const struct argp devices_argp = {
	options, parse_opt, NULL,
	"Show the TPH (TLP Processing Hints) state of every PCI device: TPH Requester "
	"capability and control, Device Capabilities 2 completer support, and the Root Port "
	"that caps the requester type pcie_enable_tph() would enable.\v"
	"Input is sysfs config space (root reads it all; others get 64 bytes per device) or "
	"a dump made with `lspci -xxxx` (-xxx and -x dumps are read too, with less known). "
	"Exit status: 0 success, 2 error.",
	NULL, NULL, NULL
};

static int parse_args(int argc, char **argv, struct devices_opts *o)
{
	const char *end;
	int ret;

	o->co = (struct cmd_opts){ .cmd = "devices", .docs = devices_docs,
				   .applies = OPT_F_JSON | OPT_F_VERBOSE | OPT_F_DEVICE };
	ret = opts_parse(&o->co, &devices_argp, o, argc, argv);
	if (ret)
		return ret;
	o->json = o->co.json;
	o->all |= o->co.verbose;
	if (o->co.filter.dev[0]) {
		o->bdf_arg = o->co.filter.dev;
		if (pcicfg_bdf_parse(o->bdf_arg, &o->bdf, &end) || *end) {
			fprintf(stderr, "tphtrace devices: bad device address '%s' (expected "
				"[domain:]bus:dev.fn)\n", o->bdf_arg);
			return 2;
		}
	}
	return 0;
}

static int load(const struct devices_opts *o, struct pcicfg_set *set)
{
	struct pcicfg_err err;
	int ret;

	if (o->dump) {
		pcicfg_set_init(set, PCICFG_SRC_DUMP);
		ret = pcicfg_load_dump(o->dump, set, &err);
	} else {
		pcicfg_set_init(set, PCICFG_SRC_SYSFS);
		ret = pcicfg_load_sysfs(o->sysfs, set, &err);
	}
	if (ret && o->dump && err.line)
		fprintf(stderr, "tphtrace devices: %s:%u: %s\n", o->dump, err.line, err.msg);
	else if (ret && o->dump)
		fprintf(stderr, "tphtrace devices: %s: %s\n", o->dump, err.msg);
	else if (ret)
		fprintf(stderr, "tphtrace devices: %s\n", err.msg);
	if (!ret)
		pcicfg_set_analyze(set);
	return ret;
}

static int emit_json(const struct pcicfg_set *set, const struct devices_opts *o, long only,
		     const char *input)
{
	struct dev_view *v = malloc(sizeof(*v));
	struct jw w;
	size_t i;

	if (!v)
		return -ENOMEM;
	jw_init(&w, stdout);
	jw_doc(&w, "devices");
	jw_kstr(&w, "input", input);
	jw_karr(&w, "devices");
	for (i = 0; i < set->n; i++) {
		if (only >= 0 && (size_t)only != i)
			continue;
		view_init(v, set, i, input);
		json_device(&w, v);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	free(v);
	return 0;
}

static int emit_text(const struct pcicfg_set *set, const struct devices_opts *o, long only,
		     const char *input)
{
	struct dev_view *v = malloc(sizeof(*v));
	size_t i;

	if (!v)
		return -ENOMEM;
	t_summary(set, input, only >= 0 ? 1 : set->n);
	for (i = 0; i < set->n; i++) {
		if (only >= 0 && (size_t)only != i)
			continue;
		view_init(v, set, i, input);
		if (only >= 0 || o->all || tph_relevant(&v->d->info) || v->notes.n)
			t_block(v);
		else
			t_line(v);
	}
	free(v);
	return 0;
}

int cmd_devices(int argc, char **argv)
{
	struct devices_opts o = { .sysfs = DEFAULT_SYSFS, .sysfs_default = DEFAULT_SYSFS };
	const char *input;
	struct pcicfg_set set;
	long only = -1;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	input = o.dump ? o.dump : o.sysfs;
	ret = load(&o, &set);
	if (!ret && o.bdf_arg) {
		only = pcicfg_set_find(&set, &o.bdf);
		if (only < 0) {
			fprintf(stderr, "tphtrace devices: no device %s in %s\n", o.bdf_arg, input);
			ret = -ENOENT;
		}
	}
	if (!ret && o.json)
		ret = emit_json(&set, &o, only, input);
	else if (!ret)
		ret = emit_text(&set, &o, only, input);
	if (ret == -ENOMEM)
		fprintf(stderr, "tphtrace devices: out of memory\n");
	pcicfg_set_free(&set);
	return ret ? 2 : 0;
}
