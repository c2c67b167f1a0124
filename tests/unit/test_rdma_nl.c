// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for src/rdma_nl.c's parser: RDMA netlink dump answers built
 * byte by byte here in the layout drivers/infiniband/core/nldev.c writes
 * (fill_nldev_handle(), a RES_MR table of RES_MR_ENTRY nests from
 * fill_res_mr_entry(), a driver table from rdma_nl_put_driver_*()), then
 * the same bytes cut at every length, with wrong sizes, unterminated
 * strings, lengths that overrun their container, foreign sequence numbers
 * and types, kernel errors and random corruption. The expected values are
 * the ones written into the messages, not what the parser says.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>

#include <cmocka.h>

#include "rdma_nl.h"

#define SEQ	0x1234

/* ---- a message builder, independent of libnl ------------------------------- */

struct mb {
	uint8_t b[4096];
	size_t len;
	size_t msg;		/* offset of the open message */
	size_t nest[8];
	int depth;
};

static void pad(struct mb *m)
{
	while (m->len % 4)
		m->b[m->len++] = 0;
}

static void msg_begin(struct mb *m, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq };

	pad(m);
	m->msg = m->len;
	memcpy(m->b + m->len, &h, sizeof(h));
	m->len += sizeof(h);
}

static void msg_end(struct mb *m)
{
	uint32_t len = (uint32_t)(m->len - m->msg);

	memcpy(m->b + m->msg, &len, sizeof(len));	/* nlmsg_len */
	pad(m);
}

static void attr(struct mb *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	pad(m);
	memcpy(m->b + m->len, &a, sizeof(a));
	m->len += NLA_HDRLEN;
	if (len)
		memcpy(m->b + m->len, data, len);
	m->len += len;
	pad(m);
}

static void a_u32(struct mb *m, uint16_t type, uint32_t v)
{
	attr(m, type, &v, sizeof(v));
}

static void a_u64(struct mb *m, uint16_t type, uint64_t v)
{
	attr(m, type, &v, sizeof(v));
}

static void a_str(struct mb *m, uint16_t type, const char *s)
{
	attr(m, type, s, strlen(s) + 1);
}

static void nest_begin(struct mb *m, uint16_t type)
{
	pad(m);
	m->nest[m->depth++] = m->len;
	attr(m, type, NULL, 0);
}

static void nest_end(struct mb *m)
{
	size_t at = m->nest[--m->depth];
	uint16_t len = (uint16_t)(m->len - at);

	memcpy(m->b + at, &len, sizeof(len));
}

static void done(struct mb *m, uint32_t seq)
{
	int zero = 0;

	msg_begin(m, NLMSG_DONE, NLM_F_MULTI, seq);
	memcpy(m->b + m->len, &zero, sizeof(zero));	/* netlink_dump_done(): an int */
	m->len += sizeof(zero);
	msg_end(m);
}

#define T_MR	RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_RES_MR_GET)
#define T_DEV	RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_GET)

/* what the messages below hold */
struct want {
	uint32_t mrn, lkey, rkey, pdn, pid;
	uint64_t length;
	uint8_t has;
	const char *kern, *driver;
};

static const struct want mlx_mrs[] = {
	{ 7, 0x1a2b3c, 0x1a2b3c, 3, 4242, 2097152, RMR_LKEY | RMR_RKEY | RMR_PDN | RMR_PID,
	  NULL, "" },
	{ 8, 0, 0, 0, 0, 4096, RMR_KERN, "ib_core", "" },
	{ 9, 0x4400, 0x4401, 5, 77, 1ull << 33, RMR_LKEY | RMR_RKEY | RMR_PDN | RMR_PID,
	  NULL, "odp=explicit,page_faults=7,hex=-3" },
};

static void put_entry(struct mb *m, const struct want *w, bool with_pad_attr)
{
	nest_begin(m, RDMA_NLDEV_ATTR_RES_MR_ENTRY);
	if (w->has & RMR_RKEY)
		a_u32(m, RDMA_NLDEV_ATTR_RES_RKEY, w->rkey);
	if (w->has & RMR_LKEY)
		a_u32(m, RDMA_NLDEV_ATTR_RES_LKEY, w->lkey);
	if (with_pad_attr)	/* nla_put_u64_64bit() on a strict-alignment arch */
		attr(m, RDMA_NLDEV_ATTR_PAD, NULL, 0);
	a_u64(m, RDMA_NLDEV_ATTR_RES_MRLEN, w->length);
	a_u32(m, RDMA_NLDEV_ATTR_RES_MRN, w->mrn);
	if (w->has & RMR_PDN)
		a_u32(m, RDMA_NLDEV_ATTR_RES_PDN, w->pdn);
	if (w->has & RMR_KERN)
		a_str(m, RDMA_NLDEV_ATTR_RES_KERN_NAME, w->kern);
	if (w->has & RMR_PID)
		a_u32(m, RDMA_NLDEV_ATTR_RES_PID, w->pid);
	if (w->driver[0]) {
		uint8_t hex = 1;

		nest_begin(m, RDMA_NLDEV_ATTR_DRIVER);
		a_str(m, RDMA_NLDEV_ATTR_DRIVER_STRING, "odp");
		a_str(m, RDMA_NLDEV_ATTR_DRIVER_STRING, "explicit");
		a_str(m, RDMA_NLDEV_ATTR_DRIVER_STRING, "page_faults");
		a_u64(m, RDMA_NLDEV_ATTR_DRIVER_U64, 7);
		a_str(m, RDMA_NLDEV_ATTR_DRIVER_STRING, "hex");
		attr(m, RDMA_NLDEV_ATTR_DRIVER_PRINT_TYPE, &hex, 1);
		a_u32(m, RDMA_NLDEV_ATTR_DRIVER_S32, (uint32_t)-3);
		nest_end(m);
	}
	nest_end(m);
}

/* one answer message of the MR dump of device @index/@name holding @n MRs */
static void mr_msg(struct mb *m, uint32_t index, const char *name, const struct want *w,
		   unsigned int n, uint16_t flags)
{
	unsigned int i;

	msg_begin(m, T_MR, flags, SEQ);
	a_u32(m, RDMA_NLDEV_ATTR_DEV_INDEX, index);
	a_str(m, RDMA_NLDEV_ATTR_DEV_NAME, name);
	nest_begin(m, RDMA_NLDEV_ATTR_RES_MR);
	for (i = 0; i < n; i++)
		put_entry(m, &w[i], i == 0);
	nest_end(m);
	msg_end(m);
}

/* ---- a sink that keeps what it got ----------------------------------------- */

struct got {
	struct rdma_mr mr[64];
	unsigned int n;
	uint32_t dev_index[8];
	char dev[8][RDMA_NL_NAME_LEN];
	unsigned int ndev;
	int stop_after;		/* non-zero: answer 1 after this many MRs */
};

static int got_mr(void *ctx, const struct rdma_mr *mr)
{
	struct got *g = ctx;

	assert_true(g->n < 64);
	g->mr[g->n++] = *mr;
	return g->stop_after && (int)g->n >= g->stop_after;
}

static int got_dev(void *ctx, uint32_t index, const char *name)
{
	struct got *g = ctx;

	assert_true(g->ndev < 8);
	g->dev_index[g->ndev] = index;
	snprintf(g->dev[g->ndev++], RDMA_NL_NAME_LEN, "%s", name);
	return 0;
}

static int parse(struct mb *m, size_t len, unsigned int cmd, struct got *g,
		 struct rdma_nl_stats *st, char *err, size_t errlen)
{
	struct rdma_nl_sink s = { got_dev, got_mr, g };
	void *copy = malloc(len ? len : 1);	/* exactly @len bytes: ASan sees overreads */
	int ret;

	assert_non_null(copy);
	memcpy(copy, m->b, len);
	err[0] = '\0';
	ret = rdma_nl_parse(copy, len, cmd, SEQ, &s, st, err, errlen);
	free(copy);
	return ret;
}

static void check_mr(const struct rdma_mr *mr, const struct want *w, uint32_t index,
		     const char *dev)
{
	assert_string_equal(mr->dev, dev);
	assert_int_equal(mr->dev_index, index);
	assert_int_equal(mr->mrn, w->mrn);
	assert_int_equal(mr->length, w->length);
	assert_int_equal(mr->has, w->has);
	assert_int_equal(mr->lkey, w->lkey);
	assert_int_equal(mr->rkey, w->rkey);
	assert_int_equal(mr->pdn, w->pdn);
	assert_int_equal(mr->pid, w->pid);
	assert_string_equal(mr->kern_name, w->kern ? w->kern : "");
	assert_string_equal(mr->driver, w->driver);
}

/* ---- well-formed answers ---------------------------------------------------- */

static void test_devices(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {};
	char err[200];

	msg_begin(&m, T_DEV, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 0);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0");
	a_u32(&m, RDMA_NLDEV_ATTR_PORT_INDEX, 1);		/* more the device dump has */
	a_str(&m, RDMA_NLDEV_ATTR_FW_VERSION, "28.39.1002");
	a_u64(&m, RDMA_NLDEV_ATTR_NODE_GUID, 0x1122334455667788ull);
	msg_end(&m);
	msg_begin(&m, T_DEV, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 3);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "rxe0");
	msg_end(&m);
	done(&m, SEQ);
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_GET, &g, &st, err, sizeof(err)), 1);
	assert_int_equal(g.ndev, 2);
	assert_int_equal(g.dev_index[0], 0);
	assert_string_equal(g.dev[0], "mlx5_0");
	assert_int_equal(g.dev_index[1], 3);
	assert_string_equal(g.dev[1], "rxe0");
	assert_int_equal(g.n, 0);
}

static void test_mrs(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {}, m2 = {};
	char err[200];
	unsigned int i;

	mr_msg(&m, 2, "mlx5_1", mlx_mrs, 3, NLM_F_MULTI);
	/* the answer goes on in a second datagram: more to come */
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 0);
	assert_string_equal(err, "");
	mr_msg(&m2, 2, "mlx5_1", mlx_mrs, 1, NLM_F_MULTI);
	done(&m2, SEQ);
	assert_int_equal(parse(&m2, m2.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 1);
	assert_int_equal(g.n, 4);
	for (i = 0; i < 3; i++)
		check_mr(&g.mr[i], &mlx_mrs[i], 2, "mlx5_1");
	check_mr(&g.mr[3], &mlx_mrs[0], 2, "mlx5_1");
	assert_int_equal(st.mrs, 4);
	assert_int_equal(st.keys_hidden, 1);
	assert_int_equal(st.kernel_mrs, 1);
	assert_int_equal(st.unknown_attrs, 0);
	assert_false(st.interrupted);
}

/* an empty device: the header and an empty table, then DONE in one buffer */
static void test_empty_and_flags(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {};
	char err[200];

	mr_msg(&m, 0, "rxe0", NULL, 0, NLM_F_MULTI | NLM_F_DUMP_INTR);
	msg_begin(&m, NLMSG_NOOP, 0, SEQ);
	msg_end(&m);
	done(&m, SEQ);
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 1);
	assert_int_equal(g.n, 0);
	assert_true(st.interrupted);
	/* nothing received yet: more to come */
	assert_int_equal(parse(&m, 0, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err, sizeof(err)), 0);
	/* a single answer without NLM_F_MULTI is complete */
	memset(&m, 0, sizeof(m));
	mr_msg(&m, 0, "rxe0", mlx_mrs, 1, 0);
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 1);
	assert_int_equal(g.n, 1);
}

/* attributes a newer kernel adds are skipped and counted; wrong-type
 * children of the table are skipped */
static void test_unknown_attrs(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {};
	char err[200];

	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 1);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0");
	a_u32(&m, 4000, 5);				/* unknown header attribute */
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR);
	a_u32(&m, RDMA_NLDEV_ATTR_RES_PDN, 1);		/* not an entry */
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR_ENTRY);
	a_u64(&m, RDMA_NLDEV_ATTR_RES_MRLEN, 4096);
	a_u32(&m, RDMA_NLDEV_ATTR_RES_MRN, 1);
	a_u32(&m, 4001, 9);				/* a future MR attribute */
	a_u32(&m, RDMA_NLDEV_ATTR_RES_CQN, 9);		/* known to nldev, not read */
	nest_end(&m);
	nest_end(&m);
	msg_end(&m);
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.mr[0].length, 4096);
	assert_int_equal(g.mr[0].has, 0);
	assert_int_equal(st.unknown_attrs, 2);
	assert_int_equal(st.keys_hidden, 1);
}

/* ---- errors --------------------------------------------------------------------- */

static void kernel_error(struct mb *m, int error, size_t payload)
{
	struct nlmsgerr e = { .error = error };

	msg_begin(m, NLMSG_ERROR, 0, SEQ);
	memcpy(m->b + m->len, &e, payload);
	m->len += payload;
	msg_end(m);
}

static void test_kernel_error(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {};
	char err[200];

	kernel_error(&m, -EPERM, sizeof(struct nlmsgerr));
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "Operation not permitted"));
	memset(&m, 0, sizeof(m));
	kernel_error(&m, -EINVAL, 2);			/* cut short */
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "NLMSG_ERROR"));
	memset(&m, 0, sizeof(m));
	kernel_error(&m, 12345, sizeof(struct nlmsgerr));	/* no errno */
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), -EBADMSG);
	memset(&m, 0, sizeof(m));
	kernel_error(&m, 0, sizeof(struct nlmsgerr));		/* an ACK ends it */
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), 1);
	assert_int_equal(g.n, 0);
}

static void test_foreign(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	struct mb m = {};
	struct rdma_nl_sink s = { got_dev, got_mr, &g };
	char err[200];

	mr_msg(&m, 0, "rxe0", mlx_mrs, 1, NLM_F_MULTI);
	assert_int_equal(rdma_nl_parse(m.b, m.len, RDMA_NLDEV_CMD_RES_MR_GET, SEQ + 1, &s, &st,
				       err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "sequence"));
	/* the device dump's type where the MR dump's is expected */
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_GET, &g, &st, err, sizeof(err)),
			 -EPROTO);
	assert_non_null(strstr(err, "type"));
	assert_int_equal(g.n + g.ndev, 0);
}

/* the sink stops the walk */
static void test_stop(void **state)
{
	struct rdma_nl_stats st = {};
	struct got g = { .stop_after = 2 };
	struct mb m = {};
	char err[200];

	mr_msg(&m, 0, "rxe0", mlx_mrs, 3, NLM_F_MULTI);
	assert_int_equal(parse(&m, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), -ECANCELED);
	assert_int_equal(g.n, 2);
}

/* one malformed piece, and the error names it */
static void expect_bad(struct mb *m, const char *needle)
{
	struct rdma_nl_stats st = {};
	struct got g = {};
	char err[200];

	assert_int_equal(parse(m, m->len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err,
			       sizeof(err)), -EBADMSG);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not name '%s'", err, needle);
	assert_non_null(strstr(err, "RDMA netlink message 1"));
	assert_int_equal(g.n, 0);
}

static void test_malformed(void **state)
{
	struct mb m = {};
	uint16_t short_len = 2;

	/* lkey of 2 bytes */
	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 1);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0");
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR);
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR_ENTRY);
	attr(&m, RDMA_NLDEV_ATTR_RES_LKEY, &short_len, 2);
	a_u64(&m, RDMA_NLDEV_ATTR_RES_MRLEN, 4096);
	a_u32(&m, RDMA_NLDEV_ATTR_RES_MRN, 1);
	nest_end(&m);
	nest_end(&m);
	msg_end(&m);
	expect_bad(&m, "RES_LKEY");

	/* a device name without its NUL */
	memset(&m, 0, sizeof(m));
	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 1);
	attr(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0", 6);
	msg_end(&m);
	expect_bad(&m, "DEV_NAME");

	/* a device name longer than IB_DEVICE_NAME_MAX */
	memset(&m, 0, sizeof(m));
	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 1);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME,
	      "a-name-of-seventy-characters-is-longer-than-the-kernel-ever-writes-xx");
	msg_end(&m);
	expect_bad(&m, "DEV_NAME");

	/* no device index */
	memset(&m, 0, sizeof(m));
	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0");
	msg_end(&m);
	expect_bad(&m, "no DEV_INDEX");

	/* an entry without its restrack id */
	memset(&m, 0, sizeof(m));
	msg_begin(&m, T_MR, NLM_F_MULTI, SEQ);
	a_u32(&m, RDMA_NLDEV_ATTR_DEV_INDEX, 1);
	a_str(&m, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_0");
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR);
	nest_begin(&m, RDMA_NLDEV_ATTR_RES_MR_ENTRY);
	a_u64(&m, RDMA_NLDEV_ATTR_RES_MRLEN, 4096);
	nest_end(&m);
	nest_end(&m);
	msg_end(&m);
	expect_bad(&m, "mlx5_0 MR entry 1: no RES_MRN");

	/* an entry whose length runs past its table */
	memset(&m, 0, sizeof(m));
	mr_msg(&m, 0, "rxe0", mlx_mrs, 1, NLM_F_MULTI);
	{
		/* the entry nest follows the table's header */
		size_t off = NLMSG_HDRLEN + NLA_ALIGN(NLA_HDRLEN + 4) +
			     NLA_ALIGN(NLA_HDRLEN + 5) + NLA_HDRLEN;
		uint16_t big = 2000;

		memcpy(m.b + off, &big, 2);
	}
	expect_bad(&m, "truncated attribute");
}

/* the valid answer cut at every length, as received and as announced */
static void test_truncated(void **state)
{
	struct rdma_nl_stats st;
	struct mb m = {}, cut;
	struct got g;
	char err[200];
	size_t n, full;
	unsigned int i;
	int ret;

	mr_msg(&m, 5, "mlx5_3", mlx_mrs, 3, NLM_F_MULTI);
	full = m.len;
	for (n = 1; n < full; n++) {
		/* fewer bytes received than the header says */
		memset(&g, 0, sizeof(g));
		memset(&st, 0, sizeof(st));
		ret = parse(&m, n, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err, sizeof(err));
		assert_int_equal(ret, -EBADMSG);
		assert_non_null(strstr(err, "truncated message"));
		assert_int_equal(g.n, 0);

		/* a header that agrees with the cut: attributes end early */
		cut = m;
		{
			uint32_t len = (uint32_t)n;

			if (n < NLMSG_HDRLEN)
				continue;
			memcpy(cut.b, &len, sizeof(len));
		}
		memset(&g, 0, sizeof(g));
		memset(&st, 0, sizeof(st));
		ret = parse(&cut, n, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err, sizeof(err));
		assert_true(ret == 0 || ret == -EBADMSG);
		if (ret)
			assert_non_null(strstr(err, "RDMA netlink message 1: "));
		/* whatever was handed out is exactly what was written */
		for (i = 0; i < g.n; i++)
			check_mr(&g.mr[i], &mlx_mrs[i], 5, "mlx5_3");
	}
}

/* random corruption of a valid answer: errors or data, never a crash
 * (this test also runs under ASan+UBSan) */
static void test_corrupt(void **state)
{
	struct rdma_nl_stats st;
	struct mb m = {}, x;
	struct got g;
	char err[200];
	unsigned int it, k;
	int ret;

	mr_msg(&m, 5, "mlx5_3", mlx_mrs, 3, NLM_F_MULTI);
	done(&m, SEQ);
	srand(1);
	for (it = 0; it < 20000; it++) {
		x = m;
		for (k = 0; k < 1 + it % 4; k++)
			x.b[rand() % m.len] = (uint8_t)rand();
		memset(&g, 0, sizeof(g));
		memset(&st, 0, sizeof(st));
		ret = parse(&x, m.len, RDMA_NLDEV_CMD_RES_MR_GET, &g, &st, err, sizeof(err));
		assert_true(ret >= -4095 && ret <= 1);
		if (ret < 0)
			assert_true(err[0] != '\0');
		for (k = 0; k < g.n; k++) {
			assert_true(strnlen(g.mr[k].dev, RDMA_NL_NAME_LEN) < RDMA_NL_NAME_LEN);
			assert_true(strnlen(g.mr[k].driver, RDMA_NL_DRIVER_LEN) <
				    RDMA_NL_DRIVER_LEN);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_mrs),
		cmocka_unit_test(test_empty_and_flags),
		cmocka_unit_test(test_unknown_attrs),
		cmocka_unit_test(test_kernel_error),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
