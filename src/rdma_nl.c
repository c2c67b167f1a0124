// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* MRs that exist, from the RDMA netlink resource dump (see rdma_nl.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <rdma/rdma_netlink.h>
#include "rdma_nl.h"

/* the attributes read here; higher ones (newer kernels) are skipped */
#define A_MAX	RDMA_NLDEV_ATTR_RES_MRN

static const struct nla_policy policy[A_MAX + 1] = {
	[RDMA_NLDEV_ATTR_DEV_INDEX]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_DEV_NAME]	= { .type = NLA_STRING, .maxlen = RDMA_NL_NAME_LEN },
	[RDMA_NLDEV_ATTR_RES_MR]	= { .type = NLA_NESTED },
	[RDMA_NLDEV_ATTR_RES_MR_ENTRY]	= { .type = NLA_NESTED },
	[RDMA_NLDEV_ATTR_RES_RKEY]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_LKEY]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_MRLEN]	= { .type = NLA_U64 },
	[RDMA_NLDEV_ATTR_RES_MRN]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_PDN]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_PID]	= { .type = NLA_U32 },
	[RDMA_NLDEV_ATTR_RES_KERN_NAME]	= { .type = NLA_STRING, .maxlen = RDMA_NL_NAME_LEN },
	[RDMA_NLDEV_ATTR_DRIVER]	= { .type = NLA_NESTED },
};

static const char *attr_name(int type)
{
	switch (type) {
	case RDMA_NLDEV_ATTR_DEV_INDEX: return "DEV_INDEX";
	case RDMA_NLDEV_ATTR_DEV_NAME: return "DEV_NAME";
	case RDMA_NLDEV_ATTR_RES_MR: return "RES_MR";
	case RDMA_NLDEV_ATTR_RES_MR_ENTRY: return "RES_MR_ENTRY";
	case RDMA_NLDEV_ATTR_RES_RKEY: return "RES_RKEY";
	case RDMA_NLDEV_ATTR_RES_LKEY: return "RES_LKEY";
	case RDMA_NLDEV_ATTR_RES_MRLEN: return "RES_MRLEN";
	case RDMA_NLDEV_ATTR_RES_MRN: return "RES_MRN";
	case RDMA_NLDEV_ATTR_RES_PDN: return "RES_PDN";
	case RDMA_NLDEV_ATTR_RES_PID: return "RES_PID";
	case RDMA_NLDEV_ATTR_RES_KERN_NAME: return "RES_KERN_NAME";
	case RDMA_NLDEV_ATTR_DRIVER: return "DRIVER";
	default: return "?";
	}
}

struct pctx {
	const struct rdma_nl_sink *sink;
	struct rdma_nl_stats *st;
	char *err;
	size_t errlen;
	unsigned int msg;	/* message number in this buffer, from 1 */
};

__attribute__((format(printf, 3, 4)))
static int bad(struct pctx *p, int ret, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "RDMA netlink message %u: ", p->msg);
	va_list ap;

	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * Attributes of @len bytes at @head into tb[0..A_MAX], validated by the
 * policy (u32 at least 4 bytes, strings NUL-terminated within their
 * length...). libnl's nla_parse() ignores bytes left over after the last
 * whole attribute: here they are an error (a truncated attribute).
 */
static int parse_attrs(struct pctx *p, struct nlattr **tb, struct nlattr *head, int len,
		       const char *what)
{
	struct nlattr *a;
	int rem, ret;

	ret = nla_parse(tb, A_MAX, head, len, policy);
	if (ret < 0) {
		nla_for_each_attr(a, head, len, rem) {
			if (nla_type(a) <= A_MAX &&
			    nla_validate(a, nla_total_size(nla_len(a)) > rem ? rem :
					 nla_total_size(nla_len(a)), A_MAX, policy) < 0)
				return bad(p, -EBADMSG, "%s: attribute %s (%d): %d bytes, "
					   "not a valid %s", what, attr_name(nla_type(a)),
					   nla_type(a), nla_len(a),
					   policy[nla_type(a)].type == NLA_STRING ?
					   "NUL-terminated string within its limit" :
					   policy[nla_type(a)].type == NLA_U64 ? "u64" : "u32");
		}
		return bad(p, -EBADMSG, "%s: invalid attributes (%s)", what, nl_geterror(ret));
	}
	nla_for_each_attr(a, head, len, rem)
		;
	if (rem > 0)
		return bad(p, -EBADMSG, "%s: %d byte(s) of a truncated attribute at the end",
			   what, rem);
	return 0;
}

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	snprintf(dst, size, "%s", (const char *)nla_data(a));
}

/* "key=value" pairs of the driver table, as far as they fit */
static void driver_str(struct rdma_mr *mr, struct nlattr *tab)
{
	const char *key = NULL;
	size_t off = 0;
	struct nlattr *a;
	char val[48];
	int rem, len;

	nla_for_each_nested(a, tab, rem) {
		len = nla_len(a);
		val[0] = '\0';
		switch (nla_type(a)) {
		case RDMA_NLDEV_ATTR_DRIVER_STRING:
			if (!len || strnlen(nla_data(a), len) == (size_t)len)
				return;		/* not a C string: stop here */
			if (!key) {
				key = nla_data(a);
				continue;
			}
			snprintf(val, sizeof(val), "%s", (const char *)nla_data(a));
			break;
		case RDMA_NLDEV_ATTR_DRIVER_U32:
		case RDMA_NLDEV_ATTR_DRIVER_S32:
			if (len < 4)
				return;
			if (nla_type(a) == RDMA_NLDEV_ATTR_DRIVER_U32)
				snprintf(val, sizeof(val), "%" PRIu32, nla_get_u32(a));
			else
				snprintf(val, sizeof(val), "%" PRId32, (int32_t)nla_get_u32(a));
			break;
		case RDMA_NLDEV_ATTR_DRIVER_U64:
		case RDMA_NLDEV_ATTR_DRIVER_S64:
			if (len < 8)
				return;
			if (nla_type(a) == RDMA_NLDEV_ATTR_DRIVER_U64)
				snprintf(val, sizeof(val), "%" PRIu64, nla_get_u64(a));
			else
				snprintf(val, sizeof(val), "%" PRId64, (int64_t)nla_get_u64(a));
			break;
		default:	/* DRIVER_PRINT_TYPE (hex or decimal): decimal here */
			continue;
		}
		if (!key)
			continue;
		len = snprintf(mr->driver + off, sizeof(mr->driver) - off, "%s%s=%s",
			       off ? "," : "", key, val);
		if (len < 0 || (size_t)len >= sizeof(mr->driver) - off) {
			mr->driver[off] = '\0';	/* whole pairs only */
			return;
		}
		off += (size_t)len;
		key = NULL;
	}
}

/* attributes of an entry this parser does not read (a newer kernel's) */
static void count_unknown(struct pctx *p, struct nlattr *entry)
{
	struct nlattr *a;
	int rem, t;

	nla_for_each_nested(a, entry, rem) {
		t = nla_type(a);
		if (t != RDMA_NLDEV_ATTR_PAD && (t > A_MAX || policy[t].type == NLA_UNSPEC))
			p->st->unknown_attrs++;
	}
}

static int parse_mr_entry(struct pctx *p, struct nlattr *entry, uint32_t dev_index,
			  const char *dev, unsigned int n)
{
	struct nlattr *tb[A_MAX + 1] = {};
	struct rdma_mr mr = { .dev_index = dev_index };
	char what[96];
	int ret;

	snprintf(what, sizeof(what), "%s MR entry %u", dev, n);
	ret = parse_attrs(p, tb, nla_data(entry), nla_len(entry), what);
	if (ret)
		return ret;
	if (!tb[RDMA_NLDEV_ATTR_RES_MRN] || !tb[RDMA_NLDEV_ATTR_RES_MRLEN])
		return bad(p, -EBADMSG, "%s: no %s", what,
			   !tb[RDMA_NLDEV_ATTR_RES_MRN] ? "RES_MRN" : "RES_MRLEN");
	snprintf(mr.dev, sizeof(mr.dev), "%s", dev);
	mr.mrn = nla_get_u32(tb[RDMA_NLDEV_ATTR_RES_MRN]);
	mr.length = nla_get_u64(tb[RDMA_NLDEV_ATTR_RES_MRLEN]);
	if (tb[RDMA_NLDEV_ATTR_RES_LKEY]) {
		mr.lkey = nla_get_u32(tb[RDMA_NLDEV_ATTR_RES_LKEY]);
		mr.has |= RMR_LKEY;
	}
	if (tb[RDMA_NLDEV_ATTR_RES_RKEY]) {
		mr.rkey = nla_get_u32(tb[RDMA_NLDEV_ATTR_RES_RKEY]);
		mr.has |= RMR_RKEY;
	}
	if (tb[RDMA_NLDEV_ATTR_RES_PDN]) {
		mr.pdn = nla_get_u32(tb[RDMA_NLDEV_ATTR_RES_PDN]);
		mr.has |= RMR_PDN;
	}
	if (tb[RDMA_NLDEV_ATTR_RES_PID]) {
		mr.pid = nla_get_u32(tb[RDMA_NLDEV_ATTR_RES_PID]);
		mr.has |= RMR_PID;
	}
	if (tb[RDMA_NLDEV_ATTR_RES_KERN_NAME]) {
		copy_str(mr.kern_name, sizeof(mr.kern_name), tb[RDMA_NLDEV_ATTR_RES_KERN_NAME]);
		mr.has |= RMR_KERN;
		p->st->kernel_mrs++;
	}
	if (tb[RDMA_NLDEV_ATTR_DRIVER])
		driver_str(&mr, tb[RDMA_NLDEV_ATTR_DRIVER]);
	count_unknown(p, entry);
	if ((mr.has & (RMR_LKEY | RMR_RKEY)) != (RMR_LKEY | RMR_RKEY))
		p->st->keys_hidden++;
	p->st->mrs++;
	if (p->sink->mr && p->sink->mr(p->sink->ctx, &mr))
		return -ECANCELED;
	return 0;
}

/* one answer message of the dump, its attributes after the header */
static int parse_payload(struct pctx *p, struct nlmsghdr *nlh, unsigned int cmd)
{
	struct nlattr *tb[A_MAX + 1] = {}, *e;
	char dev[RDMA_NL_NAME_LEN];
	unsigned int n = 0;
	uint32_t index;
	int rem, ret;

	ret = parse_attrs(p, tb, nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0), "header");
	if (ret)
		return ret;
	if (!tb[RDMA_NLDEV_ATTR_DEV_INDEX] || !tb[RDMA_NLDEV_ATTR_DEV_NAME])
		return bad(p, -EBADMSG, "no %s", !tb[RDMA_NLDEV_ATTR_DEV_INDEX] ?
			   "DEV_INDEX" : "DEV_NAME");
	index = nla_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
	copy_str(dev, sizeof(dev), tb[RDMA_NLDEV_ATTR_DEV_NAME]);
	if (cmd == RDMA_NLDEV_CMD_GET) {
		if (p->sink->dev && p->sink->dev(p->sink->ctx, index, dev))
			return -ECANCELED;
		return 0;
	}
	if (!tb[RDMA_NLDEV_ATTR_RES_MR])
		return 0;
	/* the table's own contents: RES_MR_ENTRY nests, all of them whole */
	ret = parse_attrs(p, (struct nlattr *[A_MAX + 1]){},
			  nla_data(tb[RDMA_NLDEV_ATTR_RES_MR]),
			  nla_len(tb[RDMA_NLDEV_ATTR_RES_MR]), "RES_MR table");
	if (ret)
		return ret;
	nla_for_each_nested(e, tb[RDMA_NLDEV_ATTR_RES_MR], rem) {
		if (nla_type(e) != RDMA_NLDEV_ATTR_RES_MR_ENTRY)
			continue;
		ret = parse_mr_entry(p, e, index, dev, ++n);
		if (ret)
			return ret;
	}
	return 0;
}

int rdma_nl_parse(void *buf, size_t len, unsigned int cmd, uint32_t seq,
		  const struct rdma_nl_sink *sink, struct rdma_nl_stats *st,
		  char *err, size_t errlen)
{
	struct pctx p = { sink, st, err, errlen, 0 };
	uint16_t type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, cmd);
	struct nlmsghdr *nlh = buf;
	int rem, ret;

	if (len > INT32_MAX)
		return bad(&p, -EMSGSIZE, "%zu bytes: too large", len);
	rem = (int)len;
	for (; nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		p.msg++;
		if (nlh->nlmsg_seq != seq)
			return bad(&p, -EPROTO, "sequence %u, the request was %u",
				   nlh->nlmsg_seq, seq);
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = nlmsg_data(nlh);

			if (nlmsg_datalen(nlh) < (int)sizeof(*e))
				return bad(&p, -EBADMSG, "NLMSG_ERROR: %d bytes, truncated",
					   nlmsg_datalen(nlh));
			if (!e->error)		/* an ACK ends a request too */
				return 1;
			if (e->error > 0 || e->error < -4095)
				return bad(&p, -EBADMSG, "NLMSG_ERROR: error %d", e->error);
			snprintf(err, errlen, "the kernel answered: %s", strerror(-e->error));
			return e->error;
		}
		if (nlh->nlmsg_type == NLMSG_NOOP)
			continue;
		if (nlh->nlmsg_type != type)
			return bad(&p, -EPROTO, "type 0x%x, expected 0x%x", nlh->nlmsg_type,
				   type);
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			st->interrupted = true;
		ret = parse_payload(&p, nlh, cmd);
		if (ret)
			return ret;
		if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			return 1;	/* a single answer: complete */
	}
	if (rem > 0)
		return bad(&p, -EBADMSG, "%d byte(s) of a truncated message", rem);
	return 0;
}

/* ---- the socket ---------------------------------------------------------------- */

static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_PERM:
		return -EPERM;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_AGAIN:
		return -ETIMEDOUT;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

/* send dump @cmd (of device @dev_index unless UINT32_MAX), read it to the end */
static int dump(struct nl_sock *sk, unsigned int cmd, uint32_t dev_index,
		const struct rdma_nl_sink *sink, struct rdma_nl_stats *st, char *err,
		size_t errlen)
{
	struct nl_msg *m;
	struct sockaddr_nl peer;
	unsigned char *buf = NULL;
	uint32_t seq;
	int n, ret;

	m = nlmsg_alloc_simple(RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, cmd), NLM_F_REQUEST | NLM_F_DUMP);
	if (!m)
		return -ENOMEM;
	if (dev_index != UINT32_MAX &&
	    nla_put_u32(m, RDMA_NLDEV_ATTR_DEV_INDEX, dev_index) < 0) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	ret = nl_send_auto(sk, m);
	seq = nlmsg_hdr(m)->nlmsg_seq;
	nlmsg_free(m);
	if (ret < 0) {
		snprintf(err, errlen, "sending the request: %s", nl_geterror(ret));
		return nl_errno(ret);
	}
	do {
		n = nl_recv(sk, &peer, &buf, NULL);
		if (n <= 0) {
			ret = n ? nl_errno(n) : -ENODATA;
			if (ret == -ETIMEDOUT)
				snprintf(err, errlen, "no answer from the kernel within %d s",
					 RDMA_NL_TIMEOUT_S);
			else
				snprintf(err, errlen, "%s", n ? nl_geterror(n) :
					 "the kernel closed the answer early");
			break;
		}
		if (peer.nl_pid != 0) {		/* not from the kernel: ignore */
			free(buf);
			buf = NULL;
			ret = 0;
			continue;
		}
		ret = rdma_nl_parse(buf, (size_t)n, cmd, seq, sink, st, err, errlen);
		free(buf);
		buf = NULL;
	} while (ret == 0);
	return ret < 0 ? ret : 0;
}

struct devs {
	uint32_t *index;
	char (*name)[RDMA_NL_NAME_LEN];
	unsigned int n, cap;
	bool truncated;
};

static int add_dev(void *ctx, uint32_t index, const char *name)
{
	struct devs *d = ctx;

	if (d->n == d->cap) {
		unsigned int cap = d->cap ? d->cap * 2 : 8;
		void *a, *b;

		if (d->n >= RDMA_NL_MAX_DEVICES) {
			d->truncated = true;
			return 0;
		}
		a = reallocarray(d->index, cap, sizeof(*d->index));
		if (a)
			d->index = a;
		b = reallocarray(d->name, cap, sizeof(*d->name));
		if (b)
			d->name = b;
		if (!a || !b)
			return -ENOMEM;
		d->cap = cap;
	}
	d->index[d->n] = index;
	snprintf(d->name[d->n], sizeof(d->name[d->n]), "%s", name);
	d->n++;
	return 0;
}

int rdma_nl_dump_mrs(int (*fn)(void *ctx, const struct rdma_mr *mr), void *ctx,
		     struct rdma_nl_stats *st, char *err, size_t errlen)
{
	struct timeval tv = { .tv_sec = RDMA_NL_TIMEOUT_S };
	struct rdma_nl_sink dsink = { .dev = add_dev }, msink = { .mr = fn, .ctx = ctx };
	struct devs d = {};
	struct nl_sock *sk;
	char derr[160];
	unsigned int i;
	int ret, e;

	memset(st, 0, sizeof(*st));
	dsink.ctx = &d;
	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	errno = 0;
	ret = nl_connect(sk, NETLINK_RDMA);
	if (ret < 0) {
		e = errno ? errno : -nl_errno(ret);
		if (e == EPROTONOSUPPORT)
			snprintf(err, errlen, "the kernel has no RDMA netlink (socket(NETLINK_RDMA): "
				 "%s; ib_core not loaded)", strerror(e));
		else
			snprintf(err, errlen, "socket(NETLINK_RDMA): %s", strerror(e));
		ret = -e;
		goto cleanup;
	}
	/* dump requests end with NLMSG_DONE; no ACK wanted after it */
	nl_socket_disable_auto_ack(sk);
	/* a kernel that never answers must not hang tphtrace's start */
	setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* nl_recv() sizes its buffer to each datagram (MSG_PEEK) */
	nl_socket_enable_msg_peek(sk);
	ret = dump(sk, RDMA_NLDEV_CMD_GET, UINT32_MAX, &dsink, st, derr, sizeof(derr));
	if (ret) {
		snprintf(err, errlen, "listing RDMA devices: %s", ret == -ENOMEM && !derr[0] ?
			 "out of memory" : derr);
		goto cleanup;
	}
	st->devices = d.n;
	st->devices_truncated = d.truncated;
	for (i = 0; i < d.n; i++) {
		derr[0] = '\0';
		ret = dump(sk, RDMA_NLDEV_CMD_RES_MR_GET, d.index[i], &msink, st, derr,
			   sizeof(derr));
		if (ret == -ECANCELED)
			break;
		if (ret) {
			/* e.g. the device went away between the two dumps */
			if (!st->devices_failed++)
				snprintf(st->dev_err, sizeof(st->dev_err), "%s: %s", d.name[i],
					 derr[0] ? derr : strerror(-ret));
		}
	}
	ret = 0;
cleanup:
	free(d.index);
	free(d.name);
	nl_socket_free(sk);
	return ret;
}
