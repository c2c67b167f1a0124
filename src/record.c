// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Record names, validation, and table-driven text/JSON rendering. */
#define _GNU_SOURCE	/* strerrorname_np */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "record.h"
#include "rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kind_names[TPH_EV_MAX] = {
	[TPH_EV_DMABUF_EXPORT] = "dmabuf_export",
	[TPH_EV_DMABUF_RELEASE] = "dmabuf_release",
	[TPH_EV_ATTACH] = "attach",
	[TPH_EV_DETACH] = "detach",
	[TPH_EV_MAP] = "map",
	[TPH_EV_UNMAP] = "unmap",
	[TPH_EV_INVALIDATE] = "invalidate",
	[TPH_EV_TPH_PUBLISH] = "tph_publish",
	[TPH_EV_TPH_QUERY] = "tph_query",
	[TPH_EV_MR_REG] = "mr_reg",
	[TPH_EV_MR_DEREG] = "mr_dereg",
	[TPH_EV_ST_INDEX] = "st_index",
	[TPH_EV_PCI_TPH] = "pci_tph",
};

static const char *const hook_names[TPH_HOOK_MAX] = {
	[TPH_HOOK_NONE] = "none",
	[TPH_HOOK_TP_BTF] = "tp_btf",
	[TPH_HOOK_RAW_TP] = "raw_tp",
	[TPH_HOOK_FENTRY] = "fentry",
	[TPH_HOOK_KPROBE] = "kprobe",
	[TPH_HOOK_ITER] = "iter",
};

static const char *const reason_names[64] = {
	[TPH_REASON_OK] = "ok",
	[TPH_REASON_DMAH] = "dmah",
	[TPH_REASON_REQ_DISABLED] = "req_disabled",
	[TPH_REASON_NO_OP] = "no_op",
	[TPH_REASON_NOT_PUBLISHED] = "not_published",
	[TPH_REASON_QUERY_ERROR] = "query_error",
	[TPH_REASON_NO_ST_TABLE] = "no_st_table",
	[TPH_REASON_ST_TABLE_FULL] = "st_table_full",
	[TPH_REASON_ST_ERROR] = "st_error",
	[TPH_REASON_TAG0_DIRECT] = "tag0_direct",
	[TPH_REASON_WIDTH_MISMATCH] = "width_mismatch",
	[TPH_REASON_ST_WRITE_FAILED] = "st_write_failed",
	[TPH_REASON_UNKNOWN] = "unknown",
};

static const char *const source_names[] = { "none", "dmah", "dmabuf" };
static const char *const req_names[] = { "disabled", "tph", "reserved", "ext" };
static const char *const st_op_names[] = { "", "alloc", "get", "put" };
static const char *const pci_op_names[] = { "", "enable", "disable", "st_write" };

static const char *name_of(const char *const *tab, size_t n, unsigned int v)
{
	return v < n && tab[v] ? tab[v] : NULL;
}

static int index_of(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (tab[i] && tab[i][0] && !strcmp(tab[i], s))
			return (int)i;
	return -EINVAL;
}

const char *tph_kind_name(unsigned int kind)
{
	return name_of(kind_names, ARRAY_SIZE(kind_names), kind) ?: "unknown";
}

int tph_kind_from_name(const char *name)
{
	return index_of(kind_names, ARRAY_SIZE(kind_names), name);
}

const char *tph_hook_name(unsigned int hook)
{
	return name_of(hook_names, ARRAY_SIZE(hook_names), hook) ?: "unknown";
}

int tph_hook_from_name(const char *name)
{
	return index_of(hook_names, ARRAY_SIZE(hook_names), name);
}

const char *tph_reason_name(unsigned int reason)
{
	return name_of(reason_names, ARRAY_SIZE(reason_names), reason) ?: "unknown";
}

int tph_reason_from_name(const char *name)
{
	return index_of(reason_names, ARRAY_SIZE(reason_names), name);
}

const char *tph_source_name(unsigned int source)
{
	return name_of(source_names, ARRAY_SIZE(source_names), source) ?: "unknown";
}

const char *tph_req_type_name(unsigned int req_type)
{
	return name_of(req_names, ARRAY_SIZE(req_names), req_type) ?: "unknown";
}

const char *tph_completer_name(unsigned int c)
{
	/* DEVCAP2 TPH Completer Supported (PCIe r6.0 7.5.3.15) */
	static const char *const n[] = { "none", "tph", "reserved", "ext" };

	return c == TPH_UNKNOWN_U8 ? "unknown" : name_of(n, ARRAY_SIZE(n), c) ?: "?";
}

const char *tph_mode_name(unsigned int mode)
{
	/* PCI_TPH_ST_{NS,IV,DS}_MODE */
	static const char *const n[] = { "ns", "iv", "ds" };

	return mode == TPH_UNKNOWN_U8 ? "unknown" : name_of(n, ARRAY_SIZE(n), mode) ?: "?";
}

const char *tph_errno_name(int ret, char *buf, size_t len)
{
	const char *name;

	if (ret == 0)
		return "ok";
	name = strerrorname_np(ret < 0 ? -ret : ret);
	if (name)
		return name;
	snprintf(buf, len, "E%d", ret < 0 ? -ret : ret);
	return buf;
}

size_t tph_record_size(unsigned int kind)
{
	switch (kind) {
	case TPH_EV_DMABUF_EXPORT:
	case TPH_EV_DMABUF_RELEASE:
		return sizeof(struct tph_ev_dmabuf);
	case TPH_EV_ATTACH:
	case TPH_EV_DETACH:
	case TPH_EV_MAP:
	case TPH_EV_UNMAP:
	case TPH_EV_INVALIDATE:
		return sizeof(struct tph_ev_attach);
	case TPH_EV_TPH_PUBLISH:
		return sizeof(struct tph_ev_publish);
	case TPH_EV_TPH_QUERY:
		return sizeof(struct tph_ev_query);
	case TPH_EV_MR_REG:
		return sizeof(struct tph_ev_mr);
	case TPH_EV_MR_DEREG:
		return sizeof(struct tph_ev_mr_dereg);
	case TPH_EV_ST_INDEX:
		return sizeof(struct tph_ev_st);
	case TPH_EV_PCI_TPH:
		return sizeof(struct tph_ev_pci);
	default:
		return 0;
	}
}

int tph_record_check(const void *data, size_t len)
{
	const struct tph_hdr *h = data;
	size_t need;

	if (!data || len < sizeof(*h))
		return -EINVAL;
	need = tph_record_size(h->kind);
	if (!need || len < need)
		return -EINVAL;
	return 0;
}

void tph_dev_str(const struct tph_dev *d, char *buf, size_t len)
{
	if (d->valid & TPH_DEV_PCI)
		snprintf(buf, len, "%04x:%02x:%02x.%u", d->domain, d->bdf >> 8,
			 (d->bdf >> 3) & 0x1f, d->bdf & 0x7);
	else if (d->valid & TPH_DEV_NAME)
		snprintf(buf, len, "%.*s", (int)sizeof(d->name), d->name);
	else if (len)
		buf[0] = '\0';
}

void tph_dev_parse(struct tph_dev *d, const char *s)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	if (!s || !*s)
		return;
	if (sscanf(s, "%x:%x:%x.%u%c", &dom, &bus, &dev, &fn, &tail) == 4 &&
	    bus < 256 && dev < 32 && fn < 8) {
		d->domain = dom;
		d->bdf = bus << 8 | dev << 3 | fn;
		d->valid |= TPH_DEV_PCI;
		return;
	}
	/* as tph_dev_str() prints it: up to sizeof(name) bytes, NUL only if shorter */
	memset(d->name, 0, sizeof(d->name));
	memcpy(d->name, s, strnlen(s, sizeof(d->name)));
	d->valid |= TPH_DEV_NAME;
}

/* ---- field tables ------------------------------------------------------ */

enum ftype {
	F_U64, F_U32, F_U16, F_U8, F_S32, F_BOOL, F_STR,
	F_DEV,		/* PCI address, else name */
	F_DEV_PCI,	/* PCI address only ("" if none) */
	F_DEV_NAME,	/* name only */
	F_REASON, F_SOURCE, F_REQ, F_ST_OP, F_PCI_OP,
	F_PH,		/* u8, 0xff renders as null */
	F_QBIT,		/* bit @arg of u8 qflags, null unless VALID_KNOWN */
	F_WIDTH,	/* output only: rules_mr_width(), req type at @arg (0: none) */
	F_TPH,		/* output only: ph != 0xff */
	F_ERR,		/* s32 kernel result: text adds the errno name */
	F_MODE,		/* u8 ST mode: text adds ns/iv/ds */
	F_COMPL,	/* u8 TPH completer type: text adds none/tph/ext */
};

struct field {
	const char *name;
	unsigned short off;
	unsigned char type;
	unsigned char name_len;	/* strlen(name): every line writes every name */
	unsigned short arg;	/* F_STR: size; F_QBIT: bit; F_WIDTH: req off */
};

#define FLD(s, m, t) { #m, offsetof(struct s, m), t, sizeof(#m) - 1, 0 }
#define FLD_AS(s, name, m, t, a) { name, offsetof(struct s, m), t, sizeof(name) - 1, a }

static const struct field hdr_fields[] = {
	FLD_AS(tph_hdr, "ts", ts_ns, F_U64, 0),
	FLD(tph_hdr, cpu, F_U32),
	FLD(tph_hdr, pid, F_U32),
	FLD(tph_hdr, tgid, F_U32),
	FLD_AS(tph_hdr, "comm", comm, F_STR, TPH_COMM_LEN),
};

#define BUF_FIELDS(s)							\
	FLD_AS(s, "ino", buf.ino, F_U64, 0),				\
	FLD_AS(s, "size", buf.size, F_U64, 0),				\
	FLD_AS(s, "exp_name", buf.exp_name, F_STR, TPH_NAME_LEN)

static const struct field dmabuf_fields[] = {
	BUF_FIELDS(tph_ev_dmabuf),
	FLD_AS(tph_ev_dmabuf, "name", name, F_STR, TPH_NAME_LEN),
	FLD(tph_ev_dmabuf, ret, F_ERR),
};

static const struct field attach_fields[] = {
	BUF_FIELDS(tph_ev_attach),
	FLD(tph_ev_attach, importer, F_DEV),
	FLD(tph_ev_attach, attach, F_U64),
	FLD_AS(tph_ev_attach, "p2p", peer2peer, F_BOOL, 0),
	FLD(tph_ev_attach, dynamic, F_BOOL),
	FLD(tph_ev_attach, dir, F_U8),
	FLD(tph_ev_attach, ret, F_ERR),
};

static const struct field publish_fields[] = {
	FLD(tph_ev_publish, exporter, F_DEV),
	FLD(tph_ev_publish, ino, F_U64),
	FLD(tph_ev_publish, flags, F_U32),
	FLD(tph_ev_publish, st, F_U8),
	FLD(tph_ev_publish, st_ext, F_U16),
	FLD(tph_ev_publish, ph, F_U8),
	FLD(tph_ev_publish, completer, F_COMPL),
	FLD(tph_ev_publish, ret, F_ERR),
};

static const struct field query_fields[] = {
	BUF_FIELDS(tph_ev_query),
	FLD(tph_ev_query, exporter, F_DEV),
	FLD(tph_ev_query, extended, F_BOOL),
	FLD_AS(tph_ev_query, "width", extended, F_WIDTH, 0),
	FLD(tph_ev_query, st, F_U16),
	FLD(tph_ev_query, ph, F_U8),
	FLD_AS(tph_ev_query, "published_8", qflags, F_QBIT, TPH_Q_ST_VALID),
	FLD_AS(tph_ev_query, "published_16", qflags, F_QBIT, TPH_Q_ST_EXT_VALID),
	FLD(tph_ev_query, ret, F_ERR),
};

static const struct field mr_fields[] = {
	FLD(tph_ev_mr, nic, F_DEV_PCI),
	FLD_AS(tph_ev_mr, "ibdev", nic, F_DEV_NAME, 0),
	FLD(tph_ev_mr, ino, F_U64),
	FLD(tph_ev_mr, mkey, F_U32),
	FLD(tph_ev_mr, length, F_U64),
	FLD(tph_ev_mr, access, F_S32),
	FLD(tph_ev_mr, req_type, F_REQ),
	FLD(tph_ev_mr, extended, F_BOOL),
	FLD_AS(tph_ev_mr, "width", extended, F_WIDTH,
	       offsetof(struct tph_ev_mr, req_type)),
	FLD(tph_ev_mr, source, F_SOURCE),
	FLD(tph_ev_mr, st, F_U16),
	FLD(tph_ev_mr, st_index, F_U16),
	FLD(tph_ev_mr, ph, F_PH),
	FLD_AS(tph_ev_mr, "tph", ph, F_TPH, 0),
	FLD(tph_ev_mr, reason, F_REASON),
	FLD(tph_ev_mr, reused, F_BOOL),
	FLD(tph_ev_mr, query_ret, F_ERR),
	FLD(tph_ev_mr, st_ret, F_ERR),
	FLD(tph_ev_mr, ret, F_ERR),
};

static const struct field mr_dereg_fields[] = {
	FLD(tph_ev_mr_dereg, nic, F_DEV_PCI),
	FLD_AS(tph_ev_mr_dereg, "ibdev", nic, F_DEV_NAME, 0),
	FLD(tph_ev_mr_dereg, ino, F_U64),
	FLD(tph_ev_mr_dereg, mkey, F_U32),
	FLD(tph_ev_mr_dereg, st_index, F_U16),
	FLD(tph_ev_mr_dereg, pooled, F_BOOL),
	FLD(tph_ev_mr_dereg, ret, F_ERR),
};

static const struct field st_fields[] = {
	FLD(tph_ev_st, op, F_ST_OP),
	FLD(tph_ev_st, nic, F_DEV),
	FLD(tph_ev_st, tag, F_U16),
	FLD(tph_ev_st, st_index, F_U16),
	FLD(tph_ev_st, refcount, F_U32),
	FLD(tph_ev_st, direct, F_BOOL),
	FLD(tph_ev_st, ret, F_ERR),
};

static const struct field pci_fields[] = {
	FLD(tph_ev_pci, op, F_PCI_OP),
	FLD(tph_ev_pci, dev, F_DEV),
	FLD(tph_ev_pci, mode, F_MODE),
	FLD(tph_ev_pci, req_type, F_REQ),
	FLD(tph_ev_pci, dev_req_type, F_REQ),
	FLD(tph_ev_pci, rp_completer, F_COMPL),
	FLD(tph_ev_pci, index, F_U32),
	FLD(tph_ev_pci, tag, F_U16),
	FLD(tph_ev_pci, loc, F_U32),
	FLD(tph_ev_pci, ret, F_ERR),
	FLD(tph_ev_pci, st_entries, F_U32),
};

struct kind_fields {
	const struct field *f;
	size_t n;
};

static struct kind_fields fields_of(unsigned int kind)
{
#define KF(t) (struct kind_fields){ t, ARRAY_SIZE(t) }
	switch (kind) {
	case TPH_EV_DMABUF_EXPORT:
	case TPH_EV_DMABUF_RELEASE:
		return KF(dmabuf_fields);
	case TPH_EV_ATTACH:
	case TPH_EV_DETACH:
	case TPH_EV_MAP:
	case TPH_EV_UNMAP:
	case TPH_EV_INVALIDATE:
		return KF(attach_fields);
	case TPH_EV_TPH_PUBLISH:
		return KF(publish_fields);
	case TPH_EV_TPH_QUERY:
		return KF(query_fields);
	case TPH_EV_MR_REG:
		return KF(mr_fields);
	case TPH_EV_MR_DEREG:
		return KF(mr_dereg_fields);
	case TPH_EV_ST_INDEX:
		return KF(st_fields);
	case TPH_EV_PCI_TPH:
		return KF(pci_fields);
	default:
		return (struct kind_fields){ NULL, 0 };
	}
#undef KF
}

/* ---- field <-> value ---------------------------------------------------- */

static uint64_t get_uint(const void *p, enum ftype t)
{
	switch (t) {
	case F_U64: { uint64_t v; memcpy(&v, p, 8); return v; }
	case F_U32: { uint32_t v; memcpy(&v, p, 4); return v; }
	case F_U16: { uint16_t v; memcpy(&v, p, 2); return v; }
	default: return *(const uint8_t *)p;
	}
}

static void set_uint(void *p, enum ftype t, uint64_t v)
{
	switch (t) {
	case F_U64: memcpy(p, &v, 8); break;
	case F_U32: { uint32_t x = v; memcpy(p, &x, 4); break; }
	case F_U16: { uint16_t x = v; memcpy(p, &x, 2); break; }
	default: *(uint8_t *)p = v; break;
	}
}

static unsigned int req_at(const uint8_t *base, const struct field *f)
{
	return f->arg ? base[f->arg] : TPH_UNKNOWN_U8;
}

/* Render one field as a JSON value; NULL means JSON null. */
static struct json_object *field_json(const uint8_t *base, const struct field *f)
{
	const uint8_t *p = base + f->off;
	char buf[64];
	int32_t s;
	uint8_t u8 = *p;

	switch (f->type) {
	case F_U64: case F_U32: case F_U16: case F_U8: case F_MODE: case F_COMPL:
		return json_object_new_uint64(get_uint(p, f->type == F_U64 ? F_U64 :
						       f->type == F_U32 ? F_U32 :
						       f->type == F_U16 ? F_U16 : F_U8));
	case F_S32: case F_ERR:
		memcpy(&s, p, 4);
		return json_object_new_int(s);
	case F_BOOL:
		return json_object_new_boolean(u8);
	case F_STR:
		return json_object_new_string_len((const char *)p,
						  strnlen((const char *)p, f->arg));
	case F_DEV:
		tph_dev_str((const struct tph_dev *)p, buf, sizeof(buf));
		return json_object_new_string(buf);
	case F_DEV_PCI: {
		struct tph_dev d = *(const struct tph_dev *)p;

		d.valid &= TPH_DEV_PCI;
		tph_dev_str(&d, buf, sizeof(buf));
		return json_object_new_string(buf);
	}
	case F_DEV_NAME: {
		struct tph_dev d = *(const struct tph_dev *)p;

		d.valid &= TPH_DEV_NAME;
		tph_dev_str(&d, buf, sizeof(buf));
		return json_object_new_string(buf);
	}
	case F_REASON:
		return json_object_new_string(tph_reason_name(u8));
	case F_SOURCE:
		return json_object_new_string(tph_source_name(u8));
	case F_REQ:
		return json_object_new_string(tph_req_type_name(u8));
	case F_ST_OP:
		return json_object_new_string(name_of(st_op_names, 4, u8) ?: "unknown");
	case F_PCI_OP:
		return json_object_new_string(name_of(pci_op_names, 4, u8) ?: "unknown");
	case F_PH:
		return u8 == TPH_NO_PH ? NULL : json_object_new_int(u8);
	case F_QBIT:
		if (!(u8 & TPH_Q_VALID_KNOWN))
			return NULL;
		return json_object_new_boolean(u8 & f->arg);
	case F_WIDTH:
		return json_object_new_int(rules_mr_width(req_at(base, f), u8));
	case F_TPH:
		return json_object_new_boolean(u8 != TPH_NO_PH);
	}
	return NULL;
}

static void add_fields(struct json_object *o, const uint8_t *base,
		       const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, f[i].name, field_json(base, &f[i]));
}

struct json_object *tph_record_to_json(const union tph_record *rec)
{
	struct kind_fields kf = fields_of(rec->hdr.kind);
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "ts", json_object_new_uint64(rec->hdr.ts_ns));
	json_object_object_add(o, "kind",
			       json_object_new_string(tph_kind_name(rec->hdr.kind)));
	json_object_object_add(o, "hook",
			       json_object_new_string(tph_hook_name(rec->hdr.hook)));
	if (rec->hdr.hook == TPH_HOOK_ITER)
		json_object_object_add(o, "sampled", json_object_new_boolean(
					       rec->hdr.flags & TPH_F_SAMPLED));
	add_fields(o, (const uint8_t *)rec, hdr_fields + 1, ARRAY_SIZE(hdr_fields) - 1);
	add_fields(o, (const uint8_t *)rec, kf.f, kf.n);
	return o;
}

/* Largest value a numeric field can hold */
static uint64_t uint_max(enum ftype t)
{
	switch (t) {
	case F_U64: return UINT64_MAX;
	case F_U32: return UINT32_MAX;
	case F_U16: return UINT16_MAX;
	default: return UINT8_MAX;
	}
}

/*
 * A JSON integer within [lo, hi] (as int64 unless @hi is above INT64_MAX:
 * json-c keeps such numbers as uint64). Values that do not fit the record
 * are refused, never truncated: "st":70000 in a u16 field is an error, not 4464.
 */
static int int_in_range(struct json_object *v, int64_t lo, uint64_t hi, char *why,
			size_t whylen)
{
	int64_t s;
	uint64_t u;

	if (!json_object_is_type(v, json_type_int)) {
		snprintf(why, whylen, "not an integer");
		return -EINVAL;
	}
	s = json_object_get_int64(v);
	u = json_object_get_uint64(v);
	/* json-c: a number above INT64_MAX reads as INT64_MAX through int64 */
	if (s < lo || (s >= 0 && u > hi)) {
		if (s < 0)
			snprintf(why, whylen, "%lld is out of range (%lld..%llu)", (long long)s,
				 (long long)lo, (unsigned long long)hi);
		else
			snprintf(why, whylen, "%llu is out of range (%lld..%llu)",
				 (unsigned long long)u, (long long)lo, (unsigned long long)hi);
		return -ERANGE;
	}
	return 0;
}

/* A JSON string that fits @max bytes and has no NUL byte (\u0000). */
static const char *str_fits(struct json_object *v, size_t max, size_t *len, char *why,
			    size_t whylen)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(why, whylen, "not a string");
		return NULL;
	}
	s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != *len) {
		snprintf(why, whylen, "NUL character in a string");
		return NULL;
	}
	if (*len > max) {
		snprintf(why, whylen, "string of %zu bytes, longer than %zu", *len, max);
		return NULL;
	}
	return s;
}

static int want_type(struct json_object *v, enum json_type t, char *why, size_t whylen)
{
	if (json_object_is_type(v, t))
		return 0;
	snprintf(why, whylen, "not a %s", json_type_to_name(t));
	return -EINVAL;
}

/* Parse one field from JSON; absent keys keep their zero value. */
static int field_parse(uint8_t *base, const struct field *f, struct json_object *v,
		       char *why, size_t whylen)
{
	uint8_t *p = base + f->off;
	const char *s;
	size_t len;
	int x;

	if (f->type == F_WIDTH || f->type == F_TPH)
		return 0;
	if (!v) {
		if (f->type == F_PH)
			*p = TPH_NO_PH;
		return 0;
	}
	switch (f->type) {
	case F_U64: case F_U32: case F_U16: case F_U8: case F_MODE: case F_COMPL:
		if (int_in_range(v, 0, uint_max(f->type == F_MODE || f->type == F_COMPL ?
						F_U8 : f->type), why, whylen))
			return -EINVAL;
		set_uint(p, f->type == F_MODE || f->type == F_COMPL ? F_U8 : f->type,
			 json_object_get_uint64(v));
		return 0;
	case F_S32: case F_ERR: {
		int32_t s32;

		if (int_in_range(v, INT32_MIN, INT32_MAX, why, whylen))
			return -EINVAL;
		s32 = (int32_t)json_object_get_int64(v);
		memcpy(p, &s32, 4);
		return 0;
	}
	case F_BOOL:
		if (want_type(v, json_type_boolean, why, whylen))
			return -EINVAL;
		*p = json_object_get_boolean(v);
		return 0;
	case F_PH:
		/* 0xff is the "no PH" of null: a number may not mean it */
		if (int_in_range(v, 0, TPH_NO_PH - 1, why, whylen))
			return -EINVAL;
		*p = (uint8_t)json_object_get_int64(v);
		return 0;
	case F_QBIT:
		if (want_type(v, json_type_boolean, why, whylen))
			return -EINVAL;
		*p |= TPH_Q_VALID_KNOWN | (json_object_get_boolean(v) ? f->arg : 0);
		return 0;
	default:
		break;
	}
	switch (f->type) {
	case F_STR:
		s = str_fits(v, f->arg, &len, why, whylen);
		if (!s)
			return -EINVAL;
		memcpy(p, s, len);	/* as written: strnlen() of the field */
		return 0;
	case F_DEV:
	case F_DEV_PCI:
	case F_DEV_NAME: {
		struct tph_dev *d = (struct tph_dev *)p;

		s = str_fits(v, sizeof(d->name), &len, why, whylen);
		if (!s)
			return -EINVAL;
		if (f->type != F_DEV_NAME)
			tph_dev_parse(d, s);
		else if (*s) {
			memcpy(d->name, s, len);
			d->valid |= TPH_DEV_NAME;
		}
		return 0;
	}
	default:
		break;
	}
	s = str_fits(v, 64, &len, why, whylen);
	if (!s)
		return -EINVAL;
	switch (f->type) {
	case F_REASON:
		x = tph_reason_from_name(s);
		break;
	case F_SOURCE:
		x = index_of(source_names, ARRAY_SIZE(source_names), s);
		break;
	case F_REQ:
		x = !strcmp(s, "unknown") ? TPH_UNKNOWN_U8 :
		    index_of(req_names, ARRAY_SIZE(req_names), s);
		break;
	case F_ST_OP:
		x = index_of(st_op_names, ARRAY_SIZE(st_op_names), s);
		break;
	case F_PCI_OP:
		x = index_of(pci_op_names, ARRAY_SIZE(pci_op_names), s);
		break;
	default:
		snprintf(why, whylen, "unexpected field type");
		return -EINVAL;
	}
	if (x < 0) {
		snprintf(why, whylen, "unknown name '%s'", s);
		return -EINVAL;
	}
	*p = x;
	return 0;
}

static int parse_fields(struct json_object *o, uint8_t *base, const struct field *f,
			size_t n, char *err, size_t errlen)
{
	char why[96];
	size_t i;

	for (i = 0; i < n; i++) {
		if (field_parse(base, &f[i], json_object_object_get(o, f[i].name), why,
				sizeof(why))) {
			snprintf(err, errlen, "bad value for \"%s\": %s", f[i].name, why);
			return -EINVAL;
		}
	}
	return 0;
}

int tph_record_from_json(struct json_object *o, union tph_record *rec, char *err,
			 size_t errlen)
{
	struct json_object *v;
	struct kind_fields kf;
	int kind, hook = TPH_HOOK_NONE;

	memset(rec, 0, sizeof(*rec));
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	v = json_object_object_get(o, "kind");
	kind = tph_kind_from_name(v ? json_object_get_string(v) : NULL);
	if (kind < 0) {
		snprintf(err, errlen, "missing or unknown \"kind\"");
		return -EINVAL;
	}
	v = json_object_object_get(o, "hook");
	if (v && (hook = tph_hook_from_name(json_object_get_string(v))) < 0) {
		snprintf(err, errlen, "unknown \"hook\"");
		return -EINVAL;
	}
	rec->hdr.kind = kind;
	rec->hdr.hook = hook;
	v = json_object_object_get(o, "sampled");
	if (v && !json_object_is_type(v, json_type_boolean)) {
		snprintf(err, errlen, "bad value for \"sampled\"");
		return -EINVAL;
	}
	if (v && json_object_get_boolean(v))
		rec->hdr.flags |= TPH_F_SAMPLED;
	kf = fields_of(kind);
	if (parse_fields(o, (uint8_t *)rec, hdr_fields, ARRAY_SIZE(hdr_fields), err,
			 errlen) ||
	    parse_fields(o, (uint8_t *)rec, kf.f, kf.n, err, errlen))
		return -EINVAL;
	tph_record_normalise(rec);
	return 0;
}

/* ---- text and JSON lines, written directly ------------------------------- */

/*
 * `tphtrace trace` renders every record it receives: these writers go
 * straight into the caller's buffer, field table by field table, without
 * building json-c objects or calling snprintf per field (bench/README.md,
 * P4: 4x faster). The JSON writer's bytes are exactly those of
 * json_object_to_json_string_ext(tph_record_to_json(rec), JSON_C_TO_STRING_PLAIN)
 * and the text writer's those of the former json-c based formatter; both
 * are checked against that reference by tests/unit/test_record.c.
 */
struct wbuf {
	char *p;
	char *end;	/* one byte is kept for the terminating NUL */
	bool full;
};

/*
 * Most pieces are short (a field name, a number). Where GCC can bound a
 * memcpy()'s size (a field name's stored length is under 256) it inlines
 * it as `rep movsq`, 10.4 ns against 1.4 ns for libc's memcpy() of 12
 * bytes on the bench VM; hiding the bound instead makes every
 * constant-size copy a libc call (JSON lines 40 % slower; bench/README.md,
 * P4). So a short piece moves as two overlapping words, which read and
 * write exactly [0, n); GCC's bounds checks want a source of at least 16
 * bytes where it cannot tell n is smaller (the scratch buffers below).
 */
static inline void copy_short(char *d, const char *s, size_t n)
{
	uint64_t a8, b8;
	uint32_t a4, b4;

	if (n >= 8) {
		memcpy(&a8, s, 8);
		memcpy(&b8, s + n - 8, 8);
		memcpy(d, &a8, 8);
		memcpy(d + n - 8, &b8, 8);
	} else if (n >= 4) {
		memcpy(&a4, s, 4);
		memcpy(&b4, s + n - 4, 4);
		memcpy(d, &a4, 4);
		memcpy(d + n - 4, &b4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static inline void w_mem(struct wbuf *w, const char *s, size_t n)
{
	size_t room = (size_t)(w->end - w->p);

	if (n > room) {
		n = room;
		w->full = true;
	}
	if (n <= 16)
		copy_short(w->p, s, n);
	else
		memcpy(w->p, s, n);
	w->p += n;
}

static inline void w_ch(struct wbuf *w, char c)
{
	if (w->p < w->end)
		*w->p++ = c;
	else
		w->full = true;
}

static inline void w_str(struct wbuf *w, const char *s)
{
	w_mem(w, s, strlen(s));
}

static unsigned int digits10(uint64_t v)
{
	unsigned int n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/*
 * Decimal, written in place two digits at a time: every record has half a
 * dozen numbers, and a digit loop into a scratch buffer copied out after
 * was the JSON writer's hottest spot (bench P4).
 */
static void w_u64(struct wbuf *w, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	unsigned int n = digits10(v);
	char *p;

	if (n > (size_t)(w->end - w->p)) {
		w->p = w->end;
		w->full = true;
		return;
	}
	p = w->p + n;
	w->p = p;
	while (v >= 100) {
		p -= 2;
		memcpy(p, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(p - 2, pairs + v * 2, 2);
	else
		p[-1] = '0' + v;
}

static void w_s64(struct wbuf *w, int64_t v)
{
	if (v < 0) {
		w_ch(w, '-');
		w_u64(w, -(uint64_t)v);
	} else {
		w_u64(w, v);
	}
}

/* lowercase hex, at least @width digits */
static void w_hex(struct wbuf *w, uint64_t v, int width)
{
	static const char hx[] = "0123456789abcdef";
	char t[24];	/* 16 digits, and all that w_mem()'s word moves may read */
	int i = sizeof(t);

	do {
		t[--i] = hx[v & 0xf];
		v >>= 4;
	} while (v || (int)sizeof(t) - i < width);
	w_mem(w, t + i, sizeof(t) - i);
}

/* "%-Ns" (left) or "%Ns" (right) of @n bytes at @s */
static void w_pad(struct wbuf *w, const char *s, size_t n, size_t width, bool left)
{
	size_t k;

	if (!left)
		for (k = n; k < width; k++)
			w_ch(w, ' ');
	w_mem(w, s, n);
	if (left)
		for (k = n; k < width; k++)
			w_ch(w, ' ');
}

/* a JSON string, escaped as json-c 0.16 escapes it (slash included) */
static void w_jstr(struct wbuf *w, const char *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i, start = 0;
	char e[6];

	w_ch(w, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		const char *rep = NULL;

		switch (c) {
		case '\b': rep = "\\b"; break;
		case '\n': rep = "\\n"; break;
		case '\r': rep = "\\r"; break;
		case '\t': rep = "\\t"; break;
		case '\f': rep = "\\f"; break;
		case '"': rep = "\\\""; break;
		case '\\': rep = "\\\\"; break;
		case '/': rep = "\\/"; break;
		default:
			if (c >= ' ')
				continue;
			memcpy(e, "\\u00", 4);
			e[4] = hx[c >> 4];
			e[5] = hx[c & 0xf];
			w_mem(w, s + start, i - start);
			w_mem(w, e, 6);
			start = i + 1;
			continue;
		}
		w_mem(w, s + start, i - start);
		w_mem(w, rep, 2);
		start = i + 1;
	}
	w_mem(w, s + start, n - start);
	w_ch(w, '"');
}

/* tph_dev_str() of @d with only @mask of its valid bits */
static void w_dev(struct wbuf *w, const struct tph_dev *d, unsigned int mask, bool json)
{
	unsigned int valid = d->valid & mask;
	char t[48];
	struct wbuf tw = { t, t + sizeof(t), false };

	if (valid & TPH_DEV_PCI) {
		w_hex(&tw, d->domain, 4);
		w_ch(&tw, ':');
		w_hex(&tw, d->bdf >> 8, 2);
		w_ch(&tw, ':');
		w_hex(&tw, (d->bdf >> 3) & 0x1f, 2);
		w_ch(&tw, '.');
		w_u64(&tw, d->bdf & 0x7);
	} else if (valid & TPH_DEV_NAME) {
		w_mem(&tw, d->name, strnlen(d->name, sizeof(d->name)));
	}
	if (json)
		w_jstr(w, t, tw.p - t);
	else if (tw.p == t)
		w_ch(w, '-');
	else
		w_mem(w, t, tw.p - t);
}

/* tags, keys and cookies read best in hex in text lines (JSON keeps numbers) */
static bool is_hex(const struct field *f)
{
	const char *n = f->name;

	if (f->type != F_U8 && f->type != F_U16 && f->type != F_U32 && f->type != F_U64)
		return false;
	switch (n[0]) {
	case 's': return !strcmp(n, "st") || !strcmp(n, "st_ext");
	case 't': return !strcmp(n, "tag");
	case 'm': return !strcmp(n, "mkey");
	case 'f': return !strcmp(n, "flags");
	case 'a': return !strcmp(n, "attach");
	}
	return false;
}

/*
 * One field's value: the JSON value (@json), or what the text line shows
 * (strings bare, "-" for null or "", tags in hex).
 */
static void w_field(struct wbuf *w, const uint8_t *base, const struct field *f, bool json)
{
	const uint8_t *p = base + f->off;
	const char *name = NULL;
	uint8_t u8 = *p;
	int32_t s32;

	switch (f->type) {
	case F_U64: case F_U32: case F_U16: case F_U8:
		if (!json && is_hex(f)) {
			w_mem(w, "0x", 2);
			w_hex(w, get_uint(p, f->type), 1);
		} else {
			w_u64(w, get_uint(p, f->type));
		}
		return;
	case F_S32:
		memcpy(&s32, p, 4);
		w_s64(w, s32);
		return;
	case F_ERR: {
		char e[16];

		memcpy(&s32, p, 4);
		w_s64(w, s32);
		if (!json && s32 < 0) {	/* -95(EOPNOTSUPP) */
			w_ch(w, '(');
			w_str(w, tph_errno_name(s32, e, sizeof(e)));
			w_ch(w, ')');
		}
		return;
	}
	case F_MODE:
	case F_COMPL:
		w_u64(w, u8);
		if (!json) {	/* 2(ds), 3(ext) */
			w_ch(w, '(');
			w_str(w, f->type == F_MODE ? tph_mode_name(u8) : tph_completer_name(u8));
			w_ch(w, ')');
		}
		return;
	case F_BOOL:
		w_str(w, u8 ? "true" : "false");
		return;
	case F_STR: {
		size_t n = strnlen((const char *)p, f->arg);

		if (json)
			w_jstr(w, (const char *)p, n);
		else if (n)
			w_mem(w, (const char *)p, n);
		else
			w_ch(w, '-');
		return;
	}
	case F_DEV:
		w_dev(w, (const struct tph_dev *)p, TPH_DEV_PCI | TPH_DEV_NAME, json);
		return;
	case F_DEV_PCI:
		w_dev(w, (const struct tph_dev *)p, TPH_DEV_PCI, json);
		return;
	case F_DEV_NAME:
		w_dev(w, (const struct tph_dev *)p, TPH_DEV_NAME, json);
		return;
	case F_REASON:
		name = tph_reason_name(u8);
		break;
	case F_SOURCE:
		name = tph_source_name(u8);
		break;
	case F_REQ:
		name = tph_req_type_name(u8);
		break;
	case F_ST_OP:
		name = name_of(st_op_names, 4, u8) ?: "unknown";
		break;
	case F_PCI_OP:
		name = name_of(pci_op_names, 4, u8) ?: "unknown";
		break;
	case F_PH:
		if (u8 == TPH_NO_PH)
			w_str(w, json ? "null" : "-");
		else
			w_u64(w, u8);
		return;
	case F_QBIT:
		if (!(u8 & TPH_Q_VALID_KNOWN))
			w_str(w, json ? "null" : "-");
		else
			w_str(w, (u8 & f->arg) ? "true" : "false");
		return;
	case F_WIDTH:
		w_u64(w, rules_mr_width(req_at(base, f), u8));
		return;
	case F_TPH:
		w_str(w, u8 != TPH_NO_PH ? "true" : "false");
		return;
	}
	if (!name)
		return;
	if (json)
		w_jstr(w, name, strlen(name));
	else
		w_str(w, *name ? name : "-");
}

static int w_end(struct wbuf *w, char *buf)
{
	if (w->full)
		return -ENOSPC;
	*w->p = '\0';
	return (int)(w->p - buf);
}

int tph_record_format(const union tph_record *rec, bool ts, char *buf, size_t len)
{
	struct kind_fields kf = fields_of(rec->hdr.kind);
	const uint8_t *base = (const uint8_t *)rec;
	struct wbuf w = { buf, buf + (len ? len - 1 : 0), len == 0 };
	const char *s;
	char t[24];	/* a number, and all that w_mem()'s word moves may read */
	struct wbuf tw = { t, t + sizeof(t), false };
	size_t i;

	if (!kf.f)
		return -EINVAL;
	if (ts) {
		w_u64(&w, rec->hdr.ts_ns / 1000000000ull);
		w_ch(&w, '.');
		w_u64(&tw, rec->hdr.ts_ns % 1000000000ull / 1000);
		for (i = tw.p - t; i < 6; i++)	/* microseconds, %06u */
			w_ch(&w, '0');
		w_mem(&w, t, tw.p - t);
		w_ch(&w, ' ');
	}
	/* "%-14s %-16.16s %7u %-6s" */
	s = tph_kind_name(rec->hdr.kind);
	w_pad(&w, s, strlen(s), 14, true);
	w_ch(&w, ' ');
	w_pad(&w, rec->hdr.comm, strnlen(rec->hdr.comm, TPH_COMM_LEN), 16, true);
	w_ch(&w, ' ');
	tw.p = t;
	w_u64(&tw, rec->hdr.tgid);
	w_pad(&w, t, tw.p - t, 7, false);
	w_ch(&w, ' ');
	s = tph_hook_name(rec->hdr.hook);
	w_pad(&w, s, strlen(s), 6, true);
	if (rec->hdr.hook == TPH_HOOK_ITER)
		w_str(&w, rec->hdr.flags & TPH_F_SAMPLED ? " sampled" : " pre-start");
	for (i = 0; i < kf.n; i++) {
		const struct field *f = &kf.f[i];

		if (f->type == F_STR && f->arg == TPH_NAME_LEN && !base[f->off])
			continue;
		w_ch(&w, ' ');
		w_mem(&w, f->name, f->name_len);
		w_ch(&w, '=');
		w_field(&w, base, f, false);
	}
	return w_end(&w, buf);
}

int tph_record_json(const union tph_record *rec, char *buf, size_t len)
{
	struct kind_fields kf = fields_of(rec->hdr.kind);
	const uint8_t *base = (const uint8_t *)rec;
	struct wbuf w = { buf, buf + (len ? len - 1 : 0), len == 0 };
	const char *s;
	size_t i;

	w_mem(&w, "{\"ts\":", 6);
	w_u64(&w, rec->hdr.ts_ns);
	w_mem(&w, ",\"kind\":", 8);
	s = tph_kind_name(rec->hdr.kind);
	w_jstr(&w, s, strlen(s));
	w_mem(&w, ",\"hook\":", 8);
	s = tph_hook_name(rec->hdr.hook);
	w_jstr(&w, s, strlen(s));
	if (rec->hdr.hook == TPH_HOOK_ITER)
		w_str(&w, rec->hdr.flags & TPH_F_SAMPLED ? ",\"sampled\":true" :
			  ",\"sampled\":false");
	for (i = 1; i < ARRAY_SIZE(hdr_fields); i++) {
		w_mem(&w, ",\"", 2);
		w_mem(&w, hdr_fields[i].name, hdr_fields[i].name_len);
		w_mem(&w, "\":", 2);
		w_field(&w, base, &hdr_fields[i], true);
	}
	for (i = 0; i < kf.n; i++) {
		w_mem(&w, ",\"", 2);
		w_mem(&w, kf.f[i].name, kf.f[i].name_len);
		w_mem(&w, "\":", 2);
		w_field(&w, base, &kf.f[i], true);
	}
	w_ch(&w, '}');
	return w_end(&w, buf);
}

const char *tph_record_header(bool timestamps)
{
	static char h[2][96];
	int t = timestamps;

	/* the widths of tph_record_format(): "%-14s %-16.16s %7u %-6s" */
	if (!h[t][0])
		snprintf(h[t], sizeof(h[t]), "%s%-14s %-16s %7s %-6s DETAILS",
			 t ? "TIME(s)     " : "", "EVENT", "COMM", "PID", "HOOK");
	return h[t];
}

static void dev_normalise(struct tph_dev *d)
{
	struct tph_dev pci = {};

	if ((d->valid & (TPH_DEV_PCI | TPH_DEV_NAME)) != TPH_DEV_NAME)
		return;
	tph_dev_parse(&pci, d->name);
	if (pci.valid == TPH_DEV_PCI)
		*d = pci;
}

void tph_record_normalise(union tph_record *rec)
{
	switch (rec->hdr.kind) {
	case TPH_EV_ATTACH:
	case TPH_EV_DETACH:
	case TPH_EV_MAP:
	case TPH_EV_UNMAP:
	case TPH_EV_INVALIDATE:
		dev_normalise(&rec->attach.importer);
		break;
	case TPH_EV_TPH_PUBLISH:
		dev_normalise(&rec->publish.exporter);
		break;
	case TPH_EV_TPH_QUERY:
		dev_normalise(&rec->query.exporter);
		break;
	case TPH_EV_MR_REG:
		dev_normalise(&rec->mr.nic);
		break;
	case TPH_EV_MR_DEREG:
		dev_normalise(&rec->mr_dereg.nic);
		break;
	case TPH_EV_ST_INDEX:
		dev_normalise(&rec->st.nic);
		break;
	case TPH_EV_PCI_TPH:
		dev_normalise(&rec->pci.dev);
		break;
	}
}
