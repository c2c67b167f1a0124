// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/pcicfg.c: register field decoding, lspci dump parsing
 * (64/256/4096 bytes, garbage, truncation), capability-list walking with
 * loops, sysfs input from a fake tree, topology and Root Port capping.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcicfg.h"

/* ------------------------------------------------------------------------ */
/* Helpers: build config spaces and lspci text                               */

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

/* A device in a test set: cfg buffer owned by the set */
static struct pcicfg_dev *add_dev(struct pcicfg_set *set, const char *bdf, unsigned int len)
{
	struct pcicfg_dev *d;
	const char *end;

	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 8;
		set->devs = realloc(set->devs, set->cap * sizeof(*set->devs));
		assert_non_null(set->devs);
	}
	d = &set->devs[set->n++];
	memset(d, 0, sizeof(*d));
	assert_int_equal(pcicfg_bdf_parse(bdf, &d->bdf, &end), 0);
	d->cfg = calloc(1, PCICFG_EXT_SIZE);
	assert_non_null(d->cfg);
	d->len = len;
	d->parent = PCICFG_PARENT_UNKNOWN;
	return d;
}

/* Header with a capability list: PCIe capability at 0x40 */
static void make_pcie(uint8_t *c, uint16_t vendor, unsigned int type, unsigned int ver,
		      unsigned int comp)
{
	put16(c, 0x00, vendor);
	put16(c, 0x02, 0x1234);
	put16(c, 0x06, PCICFG_STATUS_CAP_LIST);
	c[0x0b] = 0x02;		/* network controller */
	c[0x34] = 0x40;
	c[0x40] = PCICFG_CAP_ID_EXP;
	c[0x41] = 0;
	put16(c, 0x42, (uint16_t)(ver | type << 4));
	if (ver >= 2)
		put32(c, 0x40 + PCICFG_EXP_DEVCAP2, comp << 12 | 0x1f);
}

static void make_bridge(uint8_t *c, unsigned int type, unsigned int comp, uint8_t sec,
			uint8_t sub)
{
	make_pcie(c, 0x1022, type, 2, comp);
	c[0x0b] = 0x06;
	c[0x0a] = 0x04;
	c[0x0e] = PCICFG_HDR_BRIDGE;
	c[0x19] = sec;
	c[0x1a] = sub;
}

static void make_tph(uint8_t *c, unsigned int off, uint32_t cap, uint32_t ctrl, unsigned int next)
{
	put32(c, off, PCICFG_EXT_CAP_ID_TPH | 1u << 16 | next << 20);
	put32(c, off + 4, cap);
	put32(c, off + 8, ctrl);
}

/* lspci -x style text of @len bytes of @c, header "@addr Test device" */
static void dump_text(char *out, size_t size, const char *addr, const uint8_t *c,
		      unsigned int len)
{
	size_t n = strlen(out);
	unsigned int off, i;

	n += (size_t)snprintf(out + n, size - n, "%s Test device\n", addr);
	for (off = 0; off < len; off += 16) {
		n += (size_t)snprintf(out + n, size - n, off < 0x100 ? "%02x:" : "%03x:", off);
		for (i = 0; i < 16; i++)
			n += (size_t)snprintf(out + n, size - n, " %02x", c[off + i]);
		n += (size_t)snprintf(out + n, size - n, "\n");
	}
	snprintf(out + n, size - n, "\n");
}

static int parse_text(const char *text, struct pcicfg_set *set, struct pcicfg_err *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	assert_non_null(f);
	pcicfg_set_init(set, PCICFG_SRC_DUMP);
	ret = pcicfg_parse_dump(f, set, err);
	fclose(f);
	return ret;
}

#define BIG (80 * 1024)

/* ------------------------------------------------------------------------ */
/* Field decoders                                                            */

static void test_tph_cap_fields(void **state)
{
	struct pcicfg_tph_capf f;

	(void)state;
	pcicfg_tph_cap_decode(0, &f);
	assert_false(f.st_ns || f.st_iv || f.st_ds || f.ext_tph);
	assert_int_equal(f.st_loc, PCICFG_ST_LOC_NONE);
	assert_int_equal(f.st_table_size, 1);	/* field 0 means 1 entry */

	pcicfg_tph_cap_decode(PCICFG_TPH_CAP_ST_NS, &f);
	assert_true(f.st_ns);
	assert_false(f.st_iv || f.st_ds);
	pcicfg_tph_cap_decode(PCICFG_TPH_CAP_ST_IV, &f);
	assert_true(f.st_iv);
	assert_false(f.st_ns || f.st_ds);
	pcicfg_tph_cap_decode(PCICFG_TPH_CAP_ST_DS, &f);
	assert_true(f.st_ds);
	assert_false(f.st_ns || f.st_iv || f.ext_tph);
	pcicfg_tph_cap_decode(PCICFG_TPH_CAP_EXT_TPH, &f);
	assert_true(f.ext_tph);
	assert_false(f.st_ns);

	pcicfg_tph_cap_decode(0x200, &f);
	assert_int_equal(f.st_loc, PCICFG_ST_LOC_CAP);
	pcicfg_tph_cap_decode(0x400, &f);
	assert_int_equal(f.st_loc, PCICFG_ST_LOC_MSIX);
	pcicfg_tph_cap_decode(0x600, &f);
	assert_int_equal(f.st_loc, PCICFG_ST_LOC_RESERVED);

	pcicfg_tph_cap_decode(0x003f0000, &f);
	assert_int_equal(f.st_table_size, 64);
	pcicfg_tph_cap_decode(0x07ff0000, &f);
	assert_int_equal(f.st_table_size, 2048);
	/* reserved bits (3-7, 11-15, 27-31) change nothing */
	pcicfg_tph_cap_decode(0xf800f8f8, &f);
	assert_false(f.st_ns || f.st_iv || f.st_ds || f.ext_tph);
	assert_int_equal(f.st_loc, 0);
	assert_int_equal(f.st_table_size, 1);
}

static void test_tph_ctrl_fields(void **state)
{
	struct pcicfg_tph_ctrlf f;
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		pcicfg_tph_ctrl_decode(i, &f);
		assert_int_equal(f.mode_sel, i);
		assert_int_equal(f.req_en, 0);
	}
	for (i = 0; i < 4; i++) {
		pcicfg_tph_ctrl_decode(i << 8, &f);
		assert_int_equal(f.req_en, i);
		assert_int_equal(f.mode_sel, 0);
	}
	pcicfg_tph_ctrl_decode(0xfffffcf8, &f);	/* all other bits */
	assert_int_equal(f.mode_sel, 0);
	assert_int_equal(f.req_en, 0);
	pcicfg_tph_ctrl_decode(0x302, &f);
	assert_int_equal(f.mode_sel, PCICFG_ST_MODE_DS);
	assert_int_equal(f.req_en, PCICFG_REQ_EXT_TPH);
}

static void test_devcap2_and_flags(void **state)
{
	(void)state;
	assert_int_equal(pcicfg_devcap2_tph_comp(0x0000), 0);
	assert_int_equal(pcicfg_devcap2_tph_comp(0x1000), 1);
	assert_int_equal(pcicfg_devcap2_tph_comp(0x2000), 2);
	assert_int_equal(pcicfg_devcap2_tph_comp(0x3000), 3);
	assert_int_equal(pcicfg_devcap2_tph_comp(0xffffcfff), 0);
	assert_int_equal(pcicfg_comp_fold(0), PCICFG_REQ_DISABLE);
	assert_int_equal(pcicfg_comp_fold(1), PCICFG_REQ_TPH_ONLY);
	assert_int_equal(pcicfg_comp_fold(2), PCICFG_REQ_DISABLE);	/* reserved: none */
	assert_int_equal(pcicfg_comp_fold(3), PCICFG_REQ_EXT_TPH);
	assert_int_equal(pcicfg_exp_version(0x0042), 2);
	assert_int_equal(pcicfg_exp_type(0x0042), PCICFG_EXP_ROOT_PORT);
	assert_int_equal(pcicfg_exp_type(0x0092), PCICFG_EXP_RC_END);
	assert_int_equal(pcicfg_exp_version(0x0001), 1);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pcicfg_port_type_key(PCICFG_EXP_ENDPOINT), "endpoint");
	assert_string_equal(pcicfg_port_type_key(PCICFG_EXP_ROOT_PORT), "root_port");
	assert_string_equal(pcicfg_port_type_key(PCICFG_EXP_RC_END), "rciep");
	assert_string_equal(pcicfg_port_type_key(3), "reserved");
	assert_string_equal(pcicfg_port_type_key(15), "reserved");
	assert_string_equal(pcicfg_comp_key(2), "reserved");
	assert_string_equal(pcicfg_comp_key(3), "ext_tph");
	assert_string_equal(pcicfg_req_key(0), "disabled");
	assert_string_equal(pcicfg_req_key(1), "tph");
	assert_string_equal(pcicfg_st_mode_key(2), "ds");
	assert_string_equal(pcicfg_st_mode_key(7), "reserved");
	assert_string_equal(pcicfg_st_loc_key(1), "tph_cap");
	assert_string_equal(pcicfg_st_loc_key(2), "msix");
}

static void test_bdf(void **state)
{
	struct pcicfg_bdf a, b;
	char buf[PCICFG_BDF_STRLEN];
	const char *end;

	(void)state;
	assert_int_equal(pcicfg_bdf_parse("00:1f.7 x", &a, &end), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 0);
	assert_int_equal(a.dev, 0x1f);
	assert_int_equal(a.fn, 7);
	assert_string_equal(end, " x");
	assert_int_equal(pcicfg_bdf_parse("10000:3B:00.1", &b, &end), 0);
	assert_int_equal(b.domain, 0x10000);
	assert_int_equal(b.bus, 0x3b);
	pcicfg_bdf_format(&b, buf);
	assert_string_equal(buf, "10000:3b:00.1");
	pcicfg_bdf_format(&a, buf);
	assert_string_equal(buf, "0000:00:1f.7");
	assert_true(pcicfg_bdf_cmp(&a, &b) < 0);
	assert_int_equal(pcicfg_bdf_cmp(&a, &a), 0);

	assert_int_equal(pcicfg_bdf_parse("00:20.0", &a, NULL), -EINVAL);	/* dev > 1f */
	assert_int_equal(pcicfg_bdf_parse("00:01.8", &a, NULL), -EINVAL);	/* fn > 7 */
	assert_int_equal(pcicfg_bdf_parse("000:01.0", &a, NULL), -EINVAL);	/* bus 3 digits */
	assert_int_equal(pcicfg_bdf_parse("123456789:00:01.0", &a, NULL), -EINVAL);
	assert_int_equal(pcicfg_bdf_parse("00:01", &a, NULL), -EINVAL);
	assert_int_equal(pcicfg_bdf_parse(":01.0", &a, NULL), -EINVAL);
	assert_int_equal(pcicfg_bdf_parse("", &a, NULL), -EINVAL);
	assert_int_equal(pcicfg_bdf_parse("00: 86 80", &a, NULL), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Dump parsing                                                              */

static void test_dump_sizes(void **state)
{
	static const unsigned int sizes[] = { 64, 256, 4096 };
	uint8_t c[PCICFG_EXT_SIZE];
	char *text = calloc(1, BIG);
	struct pcicfg_set set;
	struct pcicfg_err err;
	unsigned int i;

	(void)state;
	for (i = 0; i < PCICFG_EXT_SIZE; i++)
		c[i] = (uint8_t)(i * 7 + 3);
	c[0x0e] = 0;
	dump_text(text, BIG, "0000:02:00.0", c, 4096);
	dump_text(text, BIG, "01:00.0", c, 256);
	dump_text(text, BIG, "00:1f.3", c, 64);
	assert_int_equal(parse_text(text, &set, &err), 0);
	assert_int_equal(set.n, 3);
	/* sorted by address */
	for (i = 0; i < 3; i++) {
		assert_int_equal(set.devs[i].bdf.bus, i);
		assert_int_equal(set.devs[i].len, sizes[i]);
		assert_memory_equal(set.devs[i].cfg, c, sizes[i]);
		assert_int_equal(set.devs[i].size, 0);
	}
	/* 00:1f.3 was third: after 1 + 256 + 1 and 1 + 16 + 1 lines */
	assert_int_equal(set.devs[0].line, 277);
	assert_int_equal(set.devs[2].line, 1);
	pcicfg_set_free(&set);
	free(text);
}

static void test_dump_lenient(void **state)
{
	/* CRLF, trailing blanks, lspci -v detail lines, CardBus 128, no blank line */
	static const char text[] =
		"00:1e.0 CardBus bridge: Ricoh\r\n"
		"\tControl: I/O+ Mem+\r\n"
		"00: 80 11 76 04 07 00 10 02 aa 00 07 06 00 a8 82 00 \r\n"
		"10: 00 00 00 00 dc 00 00 02 00 05 08 b0 00 00 00 00\r\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"40: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"50: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"60: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"70: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\r\n"
		"00:1f.0 ISA bridge\n"
		"00: 86 80 84 7a 07 00 10 02 11 00 01 06 00 00 80 00\n"
		"10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 84 7a\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
	struct pcicfg_set set;
	struct pcicfg_err err;

	(void)state;
	assert_int_equal(parse_text(text, &set, &err), 0);
	assert_int_equal(set.n, 2);
	assert_int_equal(set.devs[0].len, 128);
	assert_int_equal(set.devs[0].cfg[0x19], 0x05);
	assert_int_equal(set.devs[1].len, 64);
	pcicfg_set_analyze(&set);
	assert_true(set.devs[0].info.has_buses);
	assert_int_equal(set.devs[0].info.sub_bus, 0x08);
	/* CardBus capability pointer 0xdc is beyond the 128 bytes */
	assert_int_equal(set.devs[0].info.pcie_state, PCICFG_UNKNOWN);
	assert_true(set.devs[1].info.multifunction);
	pcicfg_set_free(&set);
}

struct bad_dump {
	const char *what;
	const char *text;
	unsigned int line;
	const char *msg;	/* substring of the message */
};

#define HDR "00:00.0 Host bridge\n"
#define L00 "00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00\n"
#define L10 "10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
#define L20 "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
#define L30 "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
#define L40 "40: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"

static const struct bad_dump bad_dumps[] = {
	{ "empty", "", 0, "no devices" },
	{ "only blank lines", "\n\n\n", 3, "no devices" },
	{ "prose", "hello world\n", 1, "not lspci -x output" },
	{ "lspci without -x", HDR "00:01.0 ISA bridge\n", 1, "no hex dump lines" },
	{ "hex before header", L00, 1, "before any device" },
	{ "hex after blank line", HDR L00 L10 L20 L30 "\n" L40, 7, "before any device" },
	{ "odd byte", HDR "00: 86 8\n", 2, "not two hex digits" },
	{ "three-digit byte", HDR "00: 86 800 57\n", 2, "not two hex digits" },
	{ "non-hex byte", HDR "00: 86 80 g7 0d\n", 2, "not two hex digits" },
	{ "double space", HDR "00: 86  80\n", 2, "not two hex digits" },
	{ "17 bytes", HDR "00: 86 80 57 0d 00 00 00 00 00 00 00 06 00 00 00 00 00\n", 2,
	  "more than 16" },
	{ "no bytes", HDR "00:\n", 2, "without bytes" },
	{ "tab separated", HDR "00:\t86 80\n", 2, "not lspci -x output" },
	{ "gap", HDR L00 L20, 3, "out of sequence" },
	{ "repeat", HDR L00 L00, 3, "out of sequence" },
	{ "four-digit offset", HDR "0000: 86 80\n", 2, "not lspci -x output" },
	{ "truncated at 0x48", HDR L00 L10 L20 L30 "40: 00 00 00 00 00 00 00 00\n", 6,
	  "72 bytes" },
	{ "truncated at 0x30", HDR L00 L10 L20, 4, "48 bytes" },
	{ "128 bytes, not CardBus", HDR L00 L10 L20 L30 L40
	  "50: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	  "60: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
	  "70: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", 9, "128 bytes" },
	{ "duplicate", HDR L00 L10 L20 L30 "\n" HDR L00, 7, "appears twice" },
	{ "bad device number", "00:20.0 x\n" L00, 1, "not lspci -x output" },
	{ "NUL byte", HDR "00: 86\0 80\n", 2, "NUL" },
	{ "garbage after bytes", HDR "00: 86 80 57 0d xyz\n", 2, "not two hex digits" },
};

static void test_dump_garbage(void **state)
{
	struct pcicfg_set set;
	struct pcicfg_err err;
	size_t i;
	FILE *f;
	int ret;

	(void)state;
	for (i = 0; i < sizeof(bad_dumps) / sizeof(bad_dumps[0]); i++) {
		const struct bad_dump *b = &bad_dumps[i];
		/* NUL test: the text literal carries the NUL, measure the full size */
		size_t len = strcmp(b->what, "NUL byte") ? strlen(b->text) : sizeof(HDR) + 10;

		f = fmemopen((void *)b->text, len ? len : 1, "r");
		assert_non_null(f);
		if (!len)
			fgetc(f);	/* fmemopen needs size > 0: consume the lone NUL */
		pcicfg_set_init(&set, PCICFG_SRC_DUMP);
		ret = pcicfg_parse_dump(f, &set, &err);
		fclose(f);
		if (ret != -EINVAL || err.line != b->line || !strstr(err.msg, b->msg))
			fail_msg("%s: ret %d line %u msg '%s'", b->what, ret, err.line, err.msg);
		pcicfg_set_free(&set);
	}
}

static void test_dump_long_line(void **state)
{
	char *text = malloc(10000);
	struct pcicfg_set set;
	struct pcicfg_err err;

	(void)state;
	memset(text, 'a', 9998);
	text[9998] = '\n';
	text[9999] = '\0';
	assert_int_equal(parse_text(text, &set, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "longer than"));
	pcicfg_set_free(&set);
	free(text);
}

/* xorshift: deterministic "random" garbage */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Every truncation and single-byte corruption of a valid dump: no crash,
 * either success or -EINVAL naming a line that exists. */
static void test_dump_fuzz(void **state)
{
	static const char alphabet[] = "0123456789abcdef: .\n\t\rxZ\x01\xff";
	uint8_t c[PCICFG_EXT_SIZE] = { 0 };
	char *text = calloc(1, BIG), *mut = malloc(BIG);
	struct pcicfg_set set;
	struct pcicfg_err err;
	uint32_t seed = 0x12345678;
	size_t len, cut, i, lines;
	int ret, k;

	(void)state;
	make_pcie(c, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 3);
	make_tph(c, 0x100, 0x00030307, 0x102, 0);
	dump_text(text, BIG, "00:01.0", c, 256);
	dump_text(text, BIG, "01:00.0", c, 4096);
	len = strlen(text);
	for (cut = 0; cut < len; cut += 7) {
		memcpy(mut, text, cut);
		mut[cut] = '\0';
		for (lines = 0, i = 0; i < cut; i++)
			lines += mut[i] == '\n';
		ret = parse_text(mut, &set, &err);
		assert_true(ret == 0 || ret == -EINVAL);
		if (ret)
			assert_true(err.line <= lines + 1);
		if (!ret)
			pcicfg_set_analyze(&set);
		pcicfg_set_free(&set);
	}
	for (k = 0; k < 3000; k++) {
		size_t edits = 1 + rnd(&seed) % 4;

		memcpy(mut, text, len + 1);
		for (i = 0; i < edits; i++)
			mut[rnd(&seed) % len] = alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
		ret = parse_text(mut, &set, &err);
		assert_true(ret == 0 || ret == -EINVAL);
		if (!ret)
			pcicfg_set_analyze(&set);	/* decoding garbage must not crash either */
		pcicfg_set_free(&set);
	}
	free(text);
	free(mut);
}

/* ------------------------------------------------------------------------ */
/* Capability lists                                                          */

static void test_std_caps(void **state)
{
	struct pcicfg_set set = { 0 };
	struct pcicfg_dev *d = add_dev(&set, "00:00.0", 256);
	struct pcicfg_why w;
	unsigned int off;

	(void)state;
	make_pcie(d->cfg, 0x8086, PCICFG_EXP_ENDPOINT, 2, 0);
	/* PM at 0x50 -> PCIe at 0x40 */
	d->cfg[0x34] = 0x52;	/* low bits are ignored */
	put16(d->cfg, 0x50, 0x4001);
	assert_int_equal(pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &off, &w), 0);
	assert_int_equal(off, 0x40);
	assert_int_equal(pcicfg_find_cap(d, 0x05, &off, &w), -ENOENT);
	assert_int_equal(pcicfg_check_list(d, false, &w), 0);

	/* loop: PCIe -> PM -> PCIe */
	d->cfg[0x41] = 0x50;
	assert_int_equal(pcicfg_find_cap(d, 0x05, &off, &w), -ELOOP);
	assert_int_equal(w.pos, 0x50);
	assert_int_equal(pcicfg_check_list(d, false, &w), -ELOOP);
	assert_int_equal(pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &off, &w), 0);

	/* self loop */
	d->cfg[0x34] = 0x40;
	d->cfg[0x41] = 0x40;
	assert_int_equal(pcicfg_find_cap(d, 0x05, &off, &w), -ELOOP);
	assert_int_equal(w.pos, 0x40);

	/* pointer into the header */
	d->cfg[0x41] = 0x3c;
	assert_int_equal(pcicfg_find_cap(d, 0x05, &off, &w), -EPROTO);
	assert_int_equal(w.pos, 0x3c);

	/* ID 0xff: broken */
	d->cfg[0x41] = 0x50;
	put16(d->cfg, 0x50, 0x00ff);
	assert_int_equal(pcicfg_find_cap(d, 0x05, &off, &w), -EPROTO);

	/* no capability list */
	put16(d->cfg, 0x06, 0);
	assert_int_equal(pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &off, &w), -ENOENT);

	/* only the header readable */
	put16(d->cfg, 0x06, PCICFG_STATUS_CAP_LIST);
	d->len = 64;
	assert_int_equal(pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &off, &w), -ENODATA);
	assert_int_equal(w.pos, 0x40);
	d->len = 32;
	assert_int_equal(pcicfg_find_cap(d, PCICFG_CAP_ID_EXP, &off, &w), -ENODATA);
	pcicfg_set_free(&set);
}

static void test_ext_caps(void **state)
{
	struct pcicfg_set set = { 0 };
	struct pcicfg_dev *d = add_dev(&set, "00:00.0", 4096);
	struct pcicfg_why w;
	unsigned int off;

	(void)state;
	make_pcie(d->cfg, 0x8086, PCICFG_EXP_ENDPOINT, 2, 0);
	put32(d->cfg, 0x100, 0x00020001 | 0x180u << 20);	/* AER -> 0x180 */
	make_tph(d->cfg, 0x180, 0x1, 0x0, 0);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), 0);
	assert_int_equal(off, 0x180);
	assert_int_equal(pcicfg_find_ext_cap(d, 0x0b, &off, &w), -ENOENT);
	assert_int_equal(pcicfg_check_list(d, true, &w), 0);

	/* TPH -> AER -> TPH: found, but the whole list loops */
	make_tph(d->cfg, 0x180, 0x1, 0x0, 0x100);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), 0);
	assert_int_equal(pcicfg_check_list(d, true, &w), -ELOOP);
	assert_int_equal(w.pos, 0x100);

	/* AER loops on itself before TPH */
	put32(d->cfg, 0x100, 0x00020001 | 0x100u << 20);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), -ELOOP);

	/* next pointer into the legacy area */
	put32(d->cfg, 0x100, 0x00020001 | 0x0c0u << 20);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), -EPROTO);

	/* no extended capabilities: 0 or all-ones */
	put32(d->cfg, 0x100, 0);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), -ENOENT);
	put32(d->cfg, 0x100, 0xffffffff);
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), -ENOENT);

	/* 256 bytes: not readable */
	d->len = 256;
	assert_int_equal(pcicfg_find_ext_cap(d, PCICFG_EXT_CAP_ID_TPH, &off, &w), -ENODATA);
	assert_int_equal(w.pos, 0x100);
	pcicfg_set_free(&set);
}

/* ------------------------------------------------------------------------ */
/* Decoding                                                                  */

static void test_decode_tph(void **state)
{
	struct pcicfg_set set = { 0 };
	struct pcicfg_dev *d = add_dev(&set, "01:00.0", 4096);
	const struct pcicfg_info *in = &d->info;
	uint16_t e;
	unsigned int i;

	(void)state;
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 1);
	/* NS IV DS, ext, ST in cap, 4 entries; control: DS, ext TPH */
	make_tph(d->cfg, 0x100, 0x00030707 & ~0x400u, 0x00000302, 0);
	for (i = 0; i < 4; i++)
		put16(d->cfg, 0x10c + 2 * i, (uint16_t)(0x1000 + i));
	pcicfg_decode(d);
	assert_true(in->valid);
	assert_int_equal(in->vendor, 0x15b3);
	assert_int_equal(in->class, 0x020000);
	assert_int_equal(in->pcie_state, PCICFG_PRESENT);
	assert_int_equal(in->pcie_off, 0x40);
	assert_int_equal(in->port_type, PCICFG_EXP_ENDPOINT);
	assert_int_equal(in->devcap2_state, PCICFG_PRESENT);
	assert_int_equal(pcicfg_devcap2_tph_comp(in->devcap2), 1);
	assert_int_equal(in->tph_state, PCICFG_PRESENT);
	assert_int_equal(in->tph.off, 0x100);
	assert_int_equal(in->tph.version, 1);
	assert_true(in->tph.capf.st_ns && in->tph.capf.st_iv && in->tph.capf.st_ds);
	assert_true(in->tph.capf.ext_tph);
	assert_int_equal(in->tph.capf.st_loc, PCICFG_ST_LOC_CAP);
	assert_int_equal(in->tph.capf.st_table_size, 4);
	assert_int_equal(in->tph.ctrlf.mode_sel, PCICFG_ST_MODE_DS);
	assert_int_equal(in->tph.ctrlf.req_en, PCICFG_REQ_EXT_TPH);
	assert_int_equal(in->tph.st_count, 4);
	assert_false(in->tph.st_truncated);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pcicfg_tph_st_entry(d, i, &e), 0);
		assert_int_equal(e, 0x1000 + i);
	}
	assert_int_equal(pcicfg_tph_st_entry(d, 4, &e), -ERANGE);

	/* MSI-X location: no entries in config space */
	make_tph(d->cfg, 0x100, 0x07ff0401, 0, 0);
	pcicfg_decode(d);
	assert_int_equal(in->tph.capf.st_loc, PCICFG_ST_LOC_MSIX);
	assert_int_equal(in->tph.capf.st_table_size, 2048);
	assert_int_equal(in->tph.st_count, 0);
	assert_int_equal(pcicfg_tph_st_entry(d, 0, &e), -ERANGE);

	/* a table running past the end of config space */
	put32(d->cfg, 0x100, 0x00020001 | 0xff0u << 20);
	make_tph(d->cfg, 0xff0, 0x003f0201, 0, 0);
	pcicfg_decode(d);
	assert_int_equal(in->tph_state, PCICFG_PRESENT);
	assert_int_equal(in->tph.capf.st_table_size, 64);
	assert_int_equal(in->tph.st_count, 2);	/* 0xffc..0xfff */
	assert_true(in->tph.st_truncated);

	/* capability header at 0xffc: registers past the end */
	put32(d->cfg, 0x100, 0x00020001 | 0xffcu << 20);
	put32(d->cfg, 0xffc, 0x00010017);
	pcicfg_decode(d);
	assert_int_equal(in->tph_state, PCICFG_ABSENT);
	assert_int_equal(in->tph_why.err, -EPROTO);
	pcicfg_set_free(&set);
}

static void test_decode_partial(void **state)
{
	struct pcicfg_set set = { 0 };
	struct pcicfg_dev *d = add_dev(&set, "01:00.0", 4096);
	const struct pcicfg_info *in = &d->info;

	(void)state;
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 3);
	make_tph(d->cfg, 0x100, 0x1, 0x0, 0);

	d->len = 256;		/* lspci -xxx */
	pcicfg_decode(d);
	assert_int_equal(in->pcie_state, PCICFG_PRESENT);
	assert_int_equal(in->devcap2_state, PCICFG_PRESENT);
	assert_int_equal(in->tph_state, PCICFG_UNKNOWN);

	d->len = 64;		/* lspci -x, non-root sysfs */
	pcicfg_decode(d);
	assert_true(in->valid);
	assert_int_equal(in->pcie_state, PCICFG_UNKNOWN);
	assert_int_equal(in->tph_state, PCICFG_UNKNOWN);

	d->len = 10;		/* nothing useful */
	pcicfg_decode(d);
	assert_false(in->valid);

	/* PCIe v1: no DEVCAP2 */
	d->len = 4096;
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 1, 0);
	put32(d->cfg, 0x40 + PCICFG_EXP_DEVCAP2, 0x3000);	/* ignored */
	pcicfg_decode(d);
	assert_int_equal(in->devcap2_state, PCICFG_ABSENT);
	assert_int_equal(in->tph_state, PCICFG_PRESENT);

	/* conventional PCI: no TPH possible */
	memset(d->cfg, 0, PCICFG_EXT_SIZE);
	put16(d->cfg, 0, 0x8086);
	pcicfg_decode(d);
	assert_int_equal(in->pcie_state, PCICFG_ABSENT);
	assert_int_equal(in->tph_state, PCICFG_NOT_PCIE);
	pcicfg_set_free(&set);
}

/* ------------------------------------------------------------------------ */
/* Root Port capping                                                         */

static void eval(unsigned int type, bool ext, enum pcicfg_rp_state rp_state, int rp_comp,
		 struct pcicfg_req_eval *ev)
{
	struct pcicfg_info dev = { 0 }, rp_info = { 0 };
	struct pcicfg_rp rp = { .state = rp_state };

	dev.valid = true;
	dev.pcie_state = PCICFG_PRESENT;
	dev.port_type = type;
	dev.tph_state = PCICFG_PRESENT;
	dev.tph.capf.ext_tph = ext;
	rp_info.pcie_state = PCICFG_PRESENT;
	rp_info.port_type = PCICFG_EXP_ROOT_PORT;
	if (rp_comp == -1) {
		rp_info.devcap2_state = PCICFG_UNKNOWN;
	} else if (rp_comp == -2) {
		rp_info.devcap2_state = PCICFG_ABSENT;	/* v1 */
	} else {
		rp_info.devcap2_state = PCICFG_PRESENT;
		rp_info.devcap2 = (uint32_t)rp_comp << 12;
	}
	pcicfg_eval_requester(&dev, &rp, rp_state == PCICFG_RP_FOUND ? &rp_info : NULL, ev);
}

static void test_capping(void **state)
{
	/* device ext?, root port completer field -> effective, capped, kernel_raw */
	static const struct {
		bool ext;
		int comp;
		int eff;
		bool capped;
		int raw;
	} cases[] = {
		{ true, 0, PCICFG_REQ_DISABLE, true, 0 },
		{ true, 1, PCICFG_REQ_TPH_ONLY, true, 1 },
		{ true, 2, PCICFG_REQ_DISABLE, true, 2 },	/* reserved: tph.c says 2 */
		{ true, 3, PCICFG_REQ_EXT_TPH, false, 3 },
		{ false, 0, PCICFG_REQ_DISABLE, true, 0 },
		{ false, 1, PCICFG_REQ_TPH_ONLY, false, 1 },
		{ false, 2, PCICFG_REQ_DISABLE, true, 1 },
		{ false, 3, PCICFG_REQ_TPH_ONLY, false, 1 },
		{ true, -2, PCICFG_REQ_DISABLE, true, 0 },	/* v1 Root Port: no DEVCAP2 */
		{ false, -1, -1, false, -1 },			/* DEVCAP2 unreadable */
	};
	struct pcicfg_req_eval ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		eval(PCICFG_EXP_ENDPOINT, cases[i].ext, PCICFG_RP_FOUND, cases[i].comp, &ev);
		assert_true(ev.valid);
		assert_int_equal(ev.dev_max, cases[i].ext ? 3 : 1);
		if (ev.effective != cases[i].eff || ev.capped != cases[i].capped ||
		    ev.kernel_raw != cases[i].raw)
			fail_msg("case %zu: effective %d capped %d raw %d", i, ev.effective,
				 ev.capped, ev.kernel_raw);
	}
	/* RCiEP: never capped, even with a completer-less "root port" around */
	eval(PCICFG_EXP_RC_END, true, PCICFG_RP_NOT_APPLICABLE, 0, &ev);
	assert_true(ev.rciep);
	assert_int_equal(ev.effective, PCICFG_REQ_EXT_TPH);
	assert_false(ev.capped);
	/* Legacy Endpoint is capped like an Endpoint */
	eval(PCICFG_EXP_LEG_END, true, PCICFG_RP_FOUND, 1, &ev);
	assert_int_equal(ev.effective, PCICFG_REQ_TPH_ONLY);
	/* no Root Port above: get_rp_completer_type() returns 0 */
	eval(PCICFG_EXP_ENDPOINT, true, PCICFG_RP_NONE, 0, &ev);
	assert_int_equal(ev.effective, PCICFG_REQ_DISABLE);
	assert_true(ev.capped);
	/* Root Port unknown: effective unknown */
	eval(PCICFG_EXP_ENDPOINT, true, PCICFG_RP_UNKNOWN, 0, &ev);
	assert_int_equal(ev.effective, -1);
	/* no TPH capability: nothing to evaluate */
	{
		struct pcicfg_info dev = { .tph_state = PCICFG_ABSENT };
		struct pcicfg_rp rp = { .state = PCICFG_RP_FOUND };

		pcicfg_eval_requester(&dev, &rp, NULL, &ev);
		assert_false(ev.valid);
	}
}

/* ------------------------------------------------------------------------ */
/* Topology                                                                  */

static void test_topology_bus(void **state)
{
	struct pcicfg_set set = { .source = PCICFG_SRC_DUMP };
	struct pcicfg_rp rp;
	struct pcicfg_dev *d;

	(void)state;
	/* 0: host bridge; 1: RP 01..05; 2: switch up 02..05; 3: down 03..03;
	 * 4: EP on 03; 5: EP on 0x40 (nothing covers it); 6: RCiEP on 00;
	 * 7: domain 1 EP on bus 03 (the domain-0 bridges must not cover it) */
	d = add_dev(&set, "0000:00:00.0", 256);
	put16(d->cfg, 0, 0x8086);
	d->cfg[0x0b] = 0x06;
	d = add_dev(&set, "0000:00:01.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_ROOT_PORT, 1, 0x01, 0x05);
	d = add_dev(&set, "0000:01:00.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_UPSTREAM, 0, 0x02, 0x05);
	d = add_dev(&set, "0000:02:00.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_DOWNSTREAM, 0, 0x03, 0x03);
	d = add_dev(&set, "0000:03:00.0", 4096);
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 0);
	make_tph(d->cfg, 0x100, 0x101, 0, 0);
	d = add_dev(&set, "0000:40:00.0", 4096);
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 0);
	d = add_dev(&set, "0000:00:02.0", 4096);
	make_pcie(d->cfg, 0x8086, PCICFG_EXP_RC_END, 2, 0);
	d = add_dev(&set, "0001:03:00.0", 4096);
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 0);
	pcicfg_set_analyze(&set);

	assert_int_equal(set.devs[1].parent, PCICFG_PARENT_ROOT);
	assert_int_equal(set.devs[2].parent, 1);
	assert_int_equal(set.devs[3].parent, 2);
	assert_int_equal(set.devs[4].parent, 3);	/* narrowest range wins */
	assert_int_equal(set.devs[5].parent, PCICFG_PARENT_UNKNOWN);
	assert_int_equal(set.devs[7].parent, PCICFG_PARENT_UNKNOWN);

	pcicfg_find_root_port(&set, 4, &rp);
	assert_int_equal(rp.state, PCICFG_RP_FOUND);
	assert_int_equal(rp.idx, 1);
	pcicfg_find_root_port(&set, 1, &rp);	/* a Root Port is its own */
	assert_int_equal(rp.state, PCICFG_RP_FOUND);
	assert_int_equal(rp.idx, 1);
	pcicfg_find_root_port(&set, 5, &rp);
	assert_int_equal(rp.state, PCICFG_RP_UNKNOWN);
	assert_int_equal(rp.why, -ENOENT);
	pcicfg_find_root_port(&set, 6, &rp);
	assert_int_equal(rp.state, PCICFG_RP_NOT_APPLICABLE);
	pcicfg_find_root_port(&set, 0, &rp);	/* not PCIe */
	assert_int_equal(rp.state, PCICFG_RP_NOT_APPLICABLE);

	/* the Root Port dumped with -x only: cannot tell it is one */
	set.devs[1].len = 64;
	pcicfg_set_analyze(&set);
	pcicfg_find_root_port(&set, 4, &rp);
	assert_int_equal(rp.state, PCICFG_RP_UNKNOWN);
	assert_int_equal(rp.why, -ENODATA);
	assert_int_equal(rp.idx, 1);
	pcicfg_set_free(&set);
}

static void test_topology_loop(void **state)
{
	struct pcicfg_set set = { .source = PCICFG_SRC_DUMP };
	struct pcicfg_rp rp;
	struct pcicfg_dev *d;

	(void)state;
	/* two switch ports on buses 1 and 2, each forwarding the other's bus */
	d = add_dev(&set, "0000:01:00.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_DOWNSTREAM, 0, 0x02, 0x02);
	d = add_dev(&set, "0000:02:00.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_DOWNSTREAM, 0, 0x01, 0x01);
	/* a bridge forwarding its own bus is not its own parent */
	d = add_dev(&set, "0000:05:00.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_DOWNSTREAM, 0, 0x05, 0x06);
	pcicfg_set_analyze(&set);
	assert_int_equal(set.devs[0].parent, 1);
	assert_int_equal(set.devs[1].parent, 0);
	assert_int_equal(set.devs[2].parent, PCICFG_PARENT_UNKNOWN);
	pcicfg_find_root_port(&set, 0, &rp);
	assert_int_equal(rp.state, PCICFG_RP_UNKNOWN);
	assert_int_equal(rp.why, -ELOOP);
	pcicfg_set_free(&set);
}

static void test_root_bus(void **state)
{
	struct pcicfg_set set = { .source = PCICFG_SRC_DUMP };
	struct pcicfg_req_eval ev;
	struct pcicfg_rp rp;
	struct pcicfg_dev *d;

	(void)state;
	/* an Endpoint next to a Root Port on bus 0x80: no Root Port above it */
	d = add_dev(&set, "0000:80:01.0", 4096);
	make_bridge(d->cfg, PCICFG_EXP_ROOT_PORT, 3, 0x81, 0x81);
	d = add_dev(&set, "0000:80:02.0", 4096);
	make_pcie(d->cfg, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 0);
	make_tph(d->cfg, 0x100, 0x101, 0, 0);
	pcicfg_set_analyze(&set);
	assert_int_equal(set.devs[1].parent, PCICFG_PARENT_ROOT);
	pcicfg_find_root_port(&set, 1, &rp);
	assert_int_equal(rp.state, PCICFG_RP_NONE);
	pcicfg_eval_requester(&set.devs[1].info, &rp, NULL, &ev);
	assert_int_equal(ev.effective, PCICFG_REQ_DISABLE);
	pcicfg_set_free(&set);
}

/* ------------------------------------------------------------------------ */
/* sysfs input                                                               */

static void write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_sysfs(void **state)
{
	char root[] = "/tmp/test_pcicfg.XXXXXX", path[512], cmd[600];
	uint8_t rpc[PCICFG_EXT_SIZE] = { 0 }, epc[PCICFG_EXT_SIZE] = { 0 };
	struct pcicfg_set set;
	struct pcicfg_err err;
	struct pcicfg_rp rp;
	const char *dirs[] = {
		"devices/pci0000:00/0000:00:01.0",
		"devices/pci0000:00/0000:00:01.0/0000:01:00.0",
		"devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0",	/* parent not a device */
		"devices/pci0000:00/0000:00:02.0",		/* config is a directory */
		"devices/pci0000:00/0000:00:03.0",		/* header only */
	};
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(root));
	make_bridge(rpc, PCICFG_EXP_ROOT_PORT, 1, 0x01, 0x01);
	make_pcie(epc, 0x15b3, PCICFG_EXP_ENDPOINT, 2, 0);
	make_tph(epc, 0x100, 0x00000101, 0, 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	assert_int_equal(system(cmd), 0);
	for (i = 0; i < 5; i++) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s && ln -s ../../../%s %s/bus/pci/devices/",
			 root, dirs[i], dirs[i], root);
		assert_int_equal(system(cmd), 0);
		snprintf(path, sizeof(path), "%s/%s/config", root, dirs[i]);
		if (i == 3)
			assert_int_equal(mkdir(path, 0755), 0);
		else
			write_file(path, i == 0 ? rpc : epc, i == 4 ? 64 : 4096);
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/not-a-device", root);
	assert_int_equal(mkdir(path, 0755), 0);

	snprintf(path, sizeof(path), "%s/bus/pci/devices", root);
	pcicfg_set_init(&set, PCICFG_SRC_SYSFS);
	assert_int_equal(pcicfg_load_sysfs(path, &set, &err), 0);
	pcicfg_set_analyze(&set);
	assert_int_equal(set.n, 5);
	/* sorted: 00:01.0 00:02.0 00:03.0 01:00.0 3b:00.0 */
	assert_int_equal(set.devs[0].parent, PCICFG_PARENT_ROOT);
	assert_int_equal(set.devs[0].len, 4096);
	assert_int_equal(set.devs[0].size, 4096);
	assert_int_equal(set.devs[1].len, 0);
	assert_int_equal(set.devs[1].read_err, -EISDIR);
	assert_false(set.devs[1].info.valid);
	assert_int_equal(set.devs[2].len, 64);
	assert_int_equal(set.devs[2].info.pcie_state, PCICFG_UNKNOWN);
	assert_int_equal(set.devs[3].parent, 0);
	assert_int_equal(set.devs[4].parent, PCICFG_PARENT_UNKNOWN);
	pcicfg_find_root_port(&set, 3, &rp);
	assert_int_equal(rp.state, PCICFG_RP_FOUND);
	assert_int_equal(rp.idx, 0);
	pcicfg_find_root_port(&set, 4, &rp);
	assert_int_equal(rp.state, PCICFG_RP_UNKNOWN);
	pcicfg_set_free(&set);

	pcicfg_set_init(&set, PCICFG_SRC_SYSFS);
	snprintf(path, sizeof(path), "%s/nonexistent", root);
	assert_int_equal(pcicfg_load_sysfs(path, &set, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "nonexistent"));
	pcicfg_set_free(&set);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tph_cap_fields),
		cmocka_unit_test(test_tph_ctrl_fields),
		cmocka_unit_test(test_devcap2_and_flags),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bdf),
		cmocka_unit_test(test_dump_sizes),
		cmocka_unit_test(test_dump_lenient),
		cmocka_unit_test(test_dump_garbage),
		cmocka_unit_test(test_dump_long_line),
		cmocka_unit_test(test_dump_fuzz),
		cmocka_unit_test(test_std_caps),
		cmocka_unit_test(test_ext_caps),
		cmocka_unit_test(test_decode_tph),
		cmocka_unit_test(test_decode_partial),
		cmocka_unit_test(test_capping),
		cmocka_unit_test(test_topology_bus),
		cmocka_unit_test(test_topology_loop),
		cmocka_unit_test(test_root_bus),
		cmocka_unit_test(test_sysfs),
	};

	return cmocka_run_group_tests_name("pcicfg", tests, NULL, NULL);
}
