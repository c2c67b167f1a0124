// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Record names, JSON round trips for every kind, text lines, validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "record.h"

static void fill_hdr(union tph_record *r, unsigned int kind)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_TP_BTF;
	r->hdr.ts_ns = 1234567890123ull;
	r->hdr.pid = 42;
	r->hdr.tgid = 41;
	r->hdr.cpu = 1;
	strcpy(r->hdr.comm, "tphsim-ctl");
}

static void roundtrip(const union tph_record *in)
{
	struct json_object *o = tph_record_to_json(in), *back;
	union tph_record out;
	char err[128];
	const char *s;

	assert_non_null(o);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	back = json_tokener_parse(s);
	assert_non_null(back);
	assert_int_equal(tph_record_from_json(back, &out, err, sizeof(err)), 0);
	assert_memory_equal(in, &out, tph_record_size(in->hdr.kind));
	json_object_put(back);
	json_object_put(o);
}

static void test_mr_roundtrip_and_keys(void **state)
{
	union tph_record r;
	struct json_object *o, *v;

	fill_hdr(&r, TPH_EV_MR_REG);
	r.mr.nic.valid = TPH_DEV_PCI | TPH_DEV_NAME;
	r.mr.nic.bdf = 0x3b << 8 | 1;
	strcpy(r.mr.nic.name, "tphsim_ib0");
	r.mr.ino = 77;
	r.mr.mkey = 0x1234;
	r.mr.length = 1 << 20;
	r.mr.st = 0xf0;
	r.mr.st_index = 3;
	r.mr.ph = 2;
	r.mr.req_type = TPH_REQ_EXT_TPH;
	r.mr.extended = 1;
	r.mr.source = TPH_SRC_DMABUF;
	r.mr.reason = TPH_REASON_OK;
	r.mr.ret = 0;
	roundtrip(&r);

	o = tph_record_to_json(&r);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "nic")),
			    "0000:3b:00.1");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "ibdev")),
			    "tphsim_ib0");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "reason")),
			    "ok");
	assert_int_equal(json_object_get_int(json_object_object_get(o, "width")), 16);
	assert_true(json_object_get_boolean(json_object_object_get(o, "tph")));
	json_object_put(o);

	r.mr.ph = TPH_NO_PH;
	r.mr.reason = TPH_REASON_WIDTH_MISMATCH;
	r.mr.req_type = TPH_REQ_DISABLE;
	o = tph_record_to_json(&r);
	assert_true(json_object_object_get_ex(o, "ph", &v));
	assert_null(v);
	assert_false(json_object_get_boolean(json_object_object_get(o, "tph")));
	assert_int_equal(json_object_get_int(json_object_object_get(o, "width")), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "reason")),
			    "width_mismatch");
	json_object_put(o);
	roundtrip(&r);
}

static void test_every_kind_roundtrips(void **state)
{
	union tph_record r;
	unsigned int k;

	for (k = 1; k < TPH_EV_MAX; k++) {
		fill_hdr(&r, k);
		switch (k) {
		case TPH_EV_MR_REG:
			r.mr.ph = TPH_NO_PH;
			break;
		case TPH_EV_TPH_QUERY:
			r.query.qflags = TPH_Q_VALID_KNOWN | TPH_Q_ST_EXT_VALID;
			r.query.buf.ino = 9;
			strcpy(r.query.buf.exp_name, "tphsim");
			r.query.ret = -95;
			break;
		case TPH_EV_ST_INDEX:
			r.st.op = TPH_ST_PUT;
			r.st.refcount = 0xffffffff;
			break;
		case TPH_EV_PCI_TPH:
			r.pci.op = TPH_PCI_ST_WRITE;
			r.pci.req_type = TPH_UNKNOWN_U8;
			r.pci.dev_req_type = TPH_REQ_TPH_ONLY;
			break;
		case TPH_EV_ATTACH:
			r.attach.attach = 0xffff888812345678ull;
			strcpy(r.attach.importer.name, "tphsim-nic0");
			r.attach.importer.valid = TPH_DEV_NAME;
			r.attach.peer2peer = 1;
			break;
		default:
			break;
		}
		assert_int_not_equal(tph_record_size(k), 0);
		roundtrip(&r);
	}
}

static void test_bad_json(void **state)
{
	const char *bad[] = {
		"[]", "{}", "{\"kind\":\"nope\"}", "{\"kind\":\"mr_reg\",\"reason\":\"why\"}",
		"{\"kind\":\"mr_reg\",\"mkey\":\"x\"}", "{\"kind\":\"attach\",\"hook\":\"bogus\"}",
		"{\"kind\":\"st_index\",\"op\":7}", "{\"kind\":\"mr_reg\",\"ph\":true}",
	};
	union tph_record r;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = json_tokener_parse(bad[i]);

		assert_non_null(o);
		assert_int_equal(tph_record_from_json(o, &r, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		json_object_put(o);
	}
}

static void test_text_and_check(void **state)
{
	union tph_record r;
	char line[512];

	fill_hdr(&r, TPH_EV_TPH_PUBLISH);
	r.publish.exporter.valid = TPH_DEV_PCI;
	r.publish.exporter.bdf = 0x10 << 8;
	r.publish.st = 0xf0;
	r.publish.ph = 2;
	r.publish.flags = 1;
	assert_true(tph_record_format(&r, true, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "tph_publish"));
	assert_non_null(strstr(line, "exporter=0000:10:00.0"));
	assert_non_null(strstr(line, "1234.567890 "));
	assert_int_equal(tph_record_format(&r, false, line, 20), -ENOSPC);

	assert_int_equal(tph_record_check(&r, sizeof(r.publish)), 0);
	assert_int_equal(tph_record_check(&r, sizeof(r.publish) - 1), -EINVAL);
	r.hdr.kind = 999;
	assert_int_equal(tph_record_check(&r, sizeof(r)), -EINVAL);
	assert_int_equal(tph_record_check(&r, 3), -EINVAL);
}

static void test_dev_parse(void **state)
{
	struct tph_dev d = {};
	char s[64];

	tph_dev_parse(&d, "0001:3b:1f.7");
	assert_int_equal(d.valid, TPH_DEV_PCI);
	assert_int_equal(d.domain, 1);
	assert_int_equal(d.bdf, 0x3b << 8 | 0x1f << 3 | 7);
	tph_dev_str(&d, s, sizeof(s));
	assert_string_equal(s, "0001:3b:1f.7");
	memset(&d, 0, sizeof(d));
	tph_dev_parse(&d, "0000:3b:20.0");	/* device 0x20 is out of range */
	assert_int_equal(d.valid, TPH_DEV_NAME);
}

/*
 * The direct writers of `tphtrace trace` (tph_record_json, tph_record_format)
 * against the json-c reference, on records of every kind filled with random
 * bytes (strings with quotes, slashes, control and high bytes; any enum
 * value, null PH, unknown qflags): the JSON line must be byte for byte what
 * json-c prints and parse with json-c's parser into an object that prints
 * the same again; the text line must be what the former json-c based
 * formatter printed. (Round trips of valid records: tests above.)
 */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* the former text formatter, rebuilt from the json-c object */
static void text_reference(const union tph_record *r, bool ts, char *buf, size_t len)
{
	static const char *const hex[] = { "st", "st_ext", "tag", "mkey", "flags", "attach" };
	struct json_object *o = tph_record_to_json(r);
	size_t off = 0;
	int i = 0;
	unsigned int k;

	if (ts)
		off += snprintf(buf + off, len - off, "%llu.%06llu ",
				(unsigned long long)(r->hdr.ts_ns / 1000000000ull),
				(unsigned long long)(r->hdr.ts_ns % 1000000000ull / 1000));
	off += snprintf(buf + off, len - off, "%-14s %-16.16s %7u %-6s",
			tph_kind_name(r->hdr.kind), r->hdr.comm, r->hdr.tgid,
			tph_hook_name(r->hdr.hook));
	json_object_object_foreach(o, key, v) {
		bool is_hex = false;

		if (i++ < 7)	/* ts kind hook cpu pid tgid comm */
			continue;
		for (k = 0; k < sizeof(hex) / sizeof(hex[0]); k++)
			is_hex |= !strcmp(key, hex[k]);
		if (!strcmp(key, "exp_name") && !*json_object_get_string(v))
			continue;
		if (!v)
			off += snprintf(buf + off, len - off, " %s=-", key);
		else if (json_object_is_type(v, json_type_string))
			off += snprintf(buf + off, len - off, " %s=%s", key,
					*json_object_get_string(v) ? json_object_get_string(v) : "-");
		else if (is_hex && json_object_is_type(v, json_type_int))
			off += snprintf(buf + off, len - off, " %s=0x%llx", key,
					(unsigned long long)json_object_get_uint64(v));
		else
			off += snprintf(buf + off, len - off, " %s=%s", key,
					json_object_to_json_string(v));
	}
	json_object_put(o);
}

static void random_record(union tph_record *r, unsigned int kind)
{
	static const char spice[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9 -_.:";
	uint8_t *b = (uint8_t *)r;
	size_t i;

	for (i = 0; i < sizeof(*r); i++)
		b[i] = rnd();
	/* strings: mostly printable, some JSON-escaped bytes, random length */
	for (i = 0; i < sizeof(*r); i++)
		if (rnd() % 3)
			b[i] = rnd() % 4 ? (uint8_t)('a' + rnd() % 26) :
					   (uint8_t)spice[rnd() % (sizeof(spice) - 1)];
	r->hdr.kind = kind;
	r->hdr.hook = rnd() % (TPH_HOOK_MAX + 1);
	if (rnd() % 4 == 0)
		r->hdr.comm[rnd() % TPH_COMM_LEN] = '\0';
}

static void test_direct_writers_match_json_c(void **state)
{
	char fast[4096], ref[4096];
	union tph_record r;
	unsigned int kind;
	int iter, n;

	for (iter = 0; iter < 3000; iter++) {
		for (kind = 1; kind < TPH_EV_MAX; kind++) {
			struct json_object *o, *p;

			random_record(&r, kind);
			o = tph_record_to_json(&r);
			n = tph_record_json(&r, fast, sizeof(fast));
			assert_true(n > 0);
			assert_int_equal((size_t)n, strlen(fast));
			assert_string_equal(fast,
					    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			p = json_tokener_parse(fast);
			assert_non_null(p);
			assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
					    fast);
			json_object_put(p);
			json_object_put(o);

			n = tph_record_format(&r, iter & 1, fast, sizeof(fast));
			assert_true(n > 0);
			text_reference(&r, iter & 1, ref, sizeof(ref));
			assert_string_equal(fast, ref);
			/* too small a buffer: -ENOSPC, never an overflow */
			assert_int_equal(tph_record_json(&r, fast, n / 2), -ENOSPC);
			assert_int_equal(tph_record_format(&r, false, fast, 10), -ENOSPC);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mr_roundtrip_and_keys),
		cmocka_unit_test(test_every_kind_roundtrips),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_text_and_check),
		cmocka_unit_test(test_dev_parse),
		cmocka_unit_test(test_direct_writers_match_json_c),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
