/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records of include/tphtrace/tphtrace.h: names, validation, and the text
 * and JSON renderings. One field table per kind drives the JSON writer,
 * the JSON reader (trace files, --replay) and the text formatter, so the
 * three cannot disagree.
 */
#ifndef TPHTRACE_RECORD_H
#define TPHTRACE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>
#include "tphtrace/tphtrace.h"

const char *tph_kind_name(unsigned int kind);
int tph_kind_from_name(const char *name);
const char *tph_hook_name(unsigned int hook);
int tph_hook_from_name(const char *name);
const char *tph_reason_name(unsigned int reason);
int tph_reason_from_name(const char *name);
const char *tph_source_name(unsigned int source);
const char *tph_req_type_name(unsigned int req_type);
/* DEVCAP2 completer type (none/tph/reserved/ext, "unknown" for 0xff) */
const char *tph_completer_name(unsigned int completer);
/* ST mode (ns/iv/ds, "unknown" for 0xff) */
const char *tph_mode_name(unsigned int mode);
/* "ok" for 0, the errno name of -@ret ("EOPNOTSUPP"), else "E<n>" in @buf */
const char *tph_errno_name(int ret, char *buf, size_t len);

/* Size of a record of @kind, 0 if the kind is unknown. */
size_t tph_record_size(unsigned int kind);
/* -EINVAL unless @len bytes at @data hold a complete record of a known kind */
int tph_record_check(const void *data, size_t len);

/* "DDDD:BB:DD.F", else the device name, else "" */
void tph_dev_str(const struct tph_dev *dev, char *buf, size_t len);
/* parse what tph_dev_str() printed; a PCI address sets TPH_DEV_PCI */
void tph_dev_parse(struct tph_dev *dev, const char *s);

/* JSON object for @rec (new reference), NULL on allocation failure */
struct json_object *tph_record_to_json(const union tph_record *rec);
/* Fill @rec from a JSON line's object; -EINVAL names the bad key in @err */
int tph_record_from_json(struct json_object *obj, union tph_record *rec,
			 char *err, size_t errlen);
/*
 * One line of text (no newline): kind, comm, pid, hook, then key=value with
 * names next to numbers (ret=-95(EOPNOTSUPP), mode=2(ds)); returns bytes
 * written or -errno
 */
int tph_record_format(const union tph_record *rec, bool timestamps, char *buf,
		      size_t len);
/*
 * One JSON line (no newline): the bytes of tph_record_to_json() printed
 * with JSON_C_TO_STRING_PLAIN, without building the object. Returns bytes
 * written or -ENOSPC.
 */
int tph_record_json(const union tph_record *rec, char *buf, size_t len);
/* the column heads of tph_record_format()'s lines */
const char *tph_record_header(bool timestamps);
/* a device that BPF could only name: "DDDD:BB:DD.F" is that PCI function
 * (a PCI device's name is its address), so it is one device everywhere */
void tph_record_normalise(union tph_record *rec);

#endif /* TPHTRACE_RECORD_H */
