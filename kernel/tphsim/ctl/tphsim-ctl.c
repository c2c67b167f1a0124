// SPDX-License-Identifier: GPL-2.0
/*
 * tphsim-ctl: drive the tphsim simulator from scenario files.
 *
 *   tphsim-ctl run FILE        execute a scenario (format: ../README.md)
 *   tphsim-ctl check FILE      parse a scenario without running it
 *   tphsim-ctl stats           print the module's fired-event counters
 *   tphsim-ctl selftest        feed the control interface invalid input
 *   tphsim-ctl version
 *
 * `run` prints one "op" line per operation with its results, "bind" lines
 * mapping scenario names to what the kernel reports (inode, mkey, PCI
 * address), and exits 1 if any operation's result differs from its own
 * ret=/check keys, 77 if the scenario's requirements are missing, 2 on
 * usage or syntax errors.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "../tphsim_uapi.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_TOKENS	32
#define MAX_OBJS	128
#define DEV_PATH	"/dev/tphsim"

enum obj_kind { O_EXPORTER, O_NIC, O_BUF, O_DMAH, O_MR };

struct obj {
	char name[TPHSIM_NAME_LEN];
	enum obj_kind kind;
	uint32_t handle;
	int fd;			/* buffers */
	uint64_t ino;		/* buffers, MRs */
	uint32_t mkey;		/* MRs */
	char dev[16];		/* exporters, NICs: DDDD:BB:DD.F */
	char ibdev[TPHSIM_NAME_LEN];
	bool alive;
};

struct kv {
	char *key;
	char *val;
	bool used;
};

struct line {
	int lineno;
	int ntok;
	char *tok[MAX_TOKENS];	/* positional words */
	int nkv;
	struct kv kv[MAX_TOKENS];
};

static struct obj objs[MAX_OBJS];
static int nobjs;
static int ctl_fd = -1;
static int failures;
static unsigned int shape;	/* TPHSIM_SHAPE_* of the loaded module */
static const char *scn_file;

static const struct {
	const char *name;
	int val;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
	{ "EIO", EIO }, { "ENXIO", ENXIO }, { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
	{ "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
	{ "ENODEV", ENODEV }, { "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },
	{ "ENOTTY", ENOTTY }, { "ERANGE", ERANGE },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", EOPNOTSUPP },
	{ "ETIMEDOUT", ETIMEDOUT },
};

static const char *errname(int e)
{
	static char buf[16];
	size_t i;

	if (e < 0)
		e = -e;
	for (i = 0; i < ARRAY_SIZE(errnames); i++)
		if (errnames[i].val == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static void die(const struct line *l, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", scn_file ? scn_file : "tphsim-ctl",
		l ? l->lineno : 0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* "0", "-22", "-EINVAL", "EINVAL" */
static bool parse_ret(const char *s, int *out)
{
	const char *p = s;
	char *end;
	size_t i;
	long v;

	if (*p == '-')
		p++;
	for (i = 0; i < ARRAY_SIZE(errnames); i++) {
		if (!strcmp(p, errnames[i].name)) {
			*out = -errnames[i].val;
			return true;
		}
	}
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || v > 0 || v < -4095)
		return false;
	*out = (int)v;
	return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end == 'k' || *end == 'K') {
		v <<= 10;
		end++;
	} else if (*end == 'M') {
		v <<= 20;
		end++;
	}
	if (*end)
		return false;
	*out = v;
	return true;
}

static uint64_t num(const struct line *l, const char *key, const char *s,
		    uint64_t max)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v > max)
		die(l, "bad value for %s: '%s'", key, s);
	return v;
}

static struct kv *kv_find(struct line *l, const char *key)
{
	int i;

	for (i = 0; i < l->nkv; i++) {
		if (!strcmp(l->kv[i].key, key)) {
			l->kv[i].used = true;
			return &l->kv[i];
		}
	}
	return NULL;
}

static const char *kv_str(struct line *l, const char *key, const char *def)
{
	struct kv *kv = kv_find(l, key);

	return kv ? kv->val : def;
}

static uint64_t kv_num(struct line *l, const char *key, uint64_t def,
		       uint64_t max)
{
	struct kv *kv = kv_find(l, key);

	return kv ? num(l, key, kv->val, max) : def;
}

static void kv_unused(struct line *l)
{
	int i;

	for (i = 0; i < l->nkv; i++)
		if (!l->kv[i].used)
			die(l, "unknown key '%s' for '%s'", l->kv[i].key,
			    l->tok[0]);
}

static int tokenize(char *s, struct line *l)
{
	char *p = s;

	l->ntok = 0;
	l->nkv = 0;
	for (;;) {
		bool quoted = false;
		char *start, *eq;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '"') {
			quoted = true;	/* a quoted word is never key=value */
			start = ++p;
			while (*p && *p != '"')
				p++;
			if (*p)
				*p++ = '\0';
		} else {
			start = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		eq = quoted ? NULL : strchr(start, '=');
		if (eq && l->ntok > 0) {
			if (l->nkv == MAX_TOKENS)
				return -1;
			*eq = '\0';
			l->kv[l->nkv].key = start;
			l->kv[l->nkv].val = eq + 1;
			l->kv[l->nkv].used = false;
			l->nkv++;
		} else {
			if (l->ntok == MAX_TOKENS)
				return -1;
			l->tok[l->ntok++] = start;
		}
	}
	return 0;
}

static struct obj *obj_find(const char *name)
{
	int i;

	for (i = 0; i < nobjs; i++)
		if (!strcmp(objs[i].name, name))
			return &objs[i];
	return NULL;
}

static struct obj *obj_get(struct line *l, const char *name,
			   enum obj_kind kind)
{
	static const char *const kinds[] = {
		"exporter", "nic", "buffer", "dmah", "mr",
	};
	struct obj *o = obj_find(name);

	if (!o)
		die(l, "unknown object '%s'", name);
	if (o->kind != kind)
		die(l, "'%s' is not a %s", name, kinds[kind]);
	return o;
}

static struct obj *obj_new(struct line *l, const char *name,
			   enum obj_kind kind)
{
	struct obj *o;

	if (strlen(name) >= TPHSIM_NAME_LEN)
		die(l, "name too long: '%s'", name);
	if (obj_find(name))
		die(l, "name '%s' already used", name);
	if (nobjs == MAX_OBJS)
		die(l, "too many objects");
	o = &objs[nobjs++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	o->kind = kind;
	o->fd = -1;
	return o;
}

/* "0000:3b:00.0" */
static void parse_addr(struct line *l, const char *s, uint32_t *domain,
		       uint8_t *bus, uint8_t *devfn)
{
	unsigned int d, b, dv, f;
	char tail;

	if (sscanf(s, "%x:%x:%x.%x%c", &d, &b, &dv, &f, &tail) != 4 ||
	    d > 0xffff || b > 0xff || dv > 0x1f || f > 7)
		die(l, "bad PCI address '%s'", s);
	*domain = d;
	*bus = b;
	*devfn = (dv << 3) | f;
}

static uint8_t parse_tph(struct line *l, const char *key, const char *s)
{
	if (!strcmp(s, "none") || !strcmp(s, "disabled"))
		return TPHSIM_TPH_NONE;
	if (!strcmp(s, "tph"))
		return TPHSIM_TPH_ONLY;
	if (!strcmp(s, "ext"))
		return TPHSIM_TPH_EXT;
	if (!strcmp(s, "reserved"))
		return 2;
	die(l, "bad %s '%s' (none|tph|ext)", key, s);
	return 0;
}

static const char *tph_name(unsigned int t)
{
	switch (t) {
	case 0:
		return "disabled";
	case 1:
		return "tph";
	case 3:
		return "ext";
	default:
		return "reserved";
	}
}

/* Compare one operation result against the line's ret= key. */
static bool check_ret(struct line *l, int ret)
{
	const char *want = kv_str(l, "ret", "0");
	int w;

	if (!parse_ret(want, &w))
		die(l, "bad ret '%s'", want);
	return w == ret;
}

static char status_buf[512];
static size_t status_len;

static void status_add(const char *fmt, ...)
{
	va_list ap;

	if (status_len >= sizeof(status_buf))
		return;
	va_start(ap, fmt);
	status_len += vsnprintf(status_buf + status_len,
				sizeof(status_buf) - status_len, fmt, ap);
	va_end(ap);
	if (status_len > sizeof(status_buf))
		status_len = sizeof(status_buf);
}

/* Optional result check key: compare @have with the key's value. */
static void check_num(struct line *l, const char *key, uint64_t have)
{
	struct kv *kv = kv_find(l, key);
	uint64_t want;

	if (!kv)
		return;
	if (!strcmp(kv->val, "none"))
		want = 0xff;
	else if (!parse_u64(kv->val, &want))
		die(l, "bad value for %s: '%s'", key, kv->val);
	if (want != have)
		status_add(" %s=%" PRIu64 "!=%s", key, have, kv->val);
}

static void op_begin(struct line *l)
{
	int i;

	status_len = 0;
	status_buf[0] = '\0';
	printf("op line=%d verb=%s", l->lineno, l->tok[0]);
	for (i = 1; i < l->ntok; i++)
		printf(" arg%d=%s", i, l->tok[i]);
}

static void op_end(struct line *l, int ret, bool ret_ok)
{
	bool ok = ret_ok && !status_len;

	printf(" ret=%d", ret);
	if (ret)
		printf(" err=%s", errname(ret));
	printf(" status=%s", ok ? "ok" : "FAIL");
	if (!ret_ok)
		printf(" expected_ret=%s", kv_str(l, "ret", "0"));
	if (status_len)
		printf(" mismatch=%s", status_buf + 1);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

static int xioctl(unsigned long cmd, void *arg)
{
	return ioctl(ctl_fd, cmd, arg) ? -errno : 0;
}

static void print_bind(const struct obj *o)
{
	switch (o->kind) {
	case O_EXPORTER:
		printf("bind %s kind=exporter dev=%s\n", o->name, o->dev);
		break;
	case O_NIC:
		printf("bind %s kind=nic dev=%s ibdev=%s\n", o->name, o->dev,
		       o->ibdev);
		break;
	case O_BUF:
		printf("bind %s kind=buf ino=%" PRIu64 "\n", o->name, o->ino);
		break;
	case O_DMAH:
		printf("bind %s kind=dmah\n", o->name);
		break;
	case O_MR:
		printf("bind %s kind=mr mkey=0x%x ino=%" PRIu64 "\n", o->name,
		       o->mkey, o->ino);
		break;
	}
}

static void do_exporter(struct line *l)
{
	struct tphsim_exporter_create a = { 0 };
	const char *kind;
	struct obj *o;
	int ret;

	if (l->ntok != 2)
		die(l, "usage: exporter NAME addr=D:B:D.F completer=none|tph|ext [kind=vfio|plain]");
	o = obj_new(l, l->tok[1], O_EXPORTER);
	snprintf(a.name, sizeof(a.name), "%s", o->name);
	parse_addr(l, kv_str(l, "addr", "0000:3a:00.0"), &a.domain, &a.bus,
		   &a.devfn);
	a.completer = parse_tph(l, "completer", kv_str(l, "completer", "tph"));
	kind = kv_str(l, "kind", "vfio");
	if (!strcmp(kind, "vfio"))
		a.kind = TPHSIM_EXP_VFIO;
	else if (!strcmp(kind, "plain"))
		a.kind = TPHSIM_EXP_PLAIN;
	else
		die(l, "bad kind '%s'", kind);
	snprintf(o->dev, sizeof(o->dev), "%04x:%02x:%02x.%d", a.domain, a.bus,
		 a.devfn >> 3, a.devfn & 7);

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_EXPORTER_CREATE, &a);
	if (!ret) {
		o->handle = a.handle;
		o->alive = true;
		printf(" handle=%u dev=%s", a.handle, o->dev);
	}
	op_end(l, ret, check_ret(l, ret));
	if (!ret)
		print_bind(o);
}

static void do_nic(struct line *l)
{
	struct tphsim_nic_create a = { 0 };
	const char *st;
	struct obj *o;
	int ret;

	if (l->ntok != 2)
		die(l, "usage: nic NAME addr= ibdev= req= rp= st=none|direct|table:N ...");
	o = obj_new(l, l->tok[1], O_NIC);
	snprintf(a.ibdev, sizeof(a.ibdev), "%s", kv_str(l, "ibdev", "tphsim_ib0"));
	parse_addr(l, kv_str(l, "addr", "0000:3b:00.0"), &a.domain, &a.bus,
		   &a.devfn);
	a.req_cap = parse_tph(l, "req", kv_str(l, "req", "tph"));
	a.rp_completer = parse_tph(l, "rp", kv_str(l, "rp", "ext"));
	st = kv_str(l, "st", "table:16");
	if (!strcmp(st, "none")) {
		a.st_mode = TPHSIM_ST_NONE;
	} else if (!strcmp(st, "direct")) {
		a.st_mode = TPHSIM_ST_DIRECT;
	} else if (!strncmp(st, "table:", 6)) {
		a.st_mode = TPHSIM_ST_TABLE;
		a.st_size = num(l, "st", st + 6, 0xffff);
	} else {
		die(l, "bad st '%s'", st);
	}
	a.pool_depth = kv_num(l, "pool", 8, UINT32_MAX);
	if (!kv_num(l, "fw_tph", 1, 1))
		a.flags |= TPHSIM_NIC_NO_FW_TPH;
	if (!kv_num(l, "p2p", 1, 1))
		a.flags |= TPHSIM_NIC_NO_P2P;
	if (kv_num(l, "notph", 0, 1))
		a.flags |= TPHSIM_NIC_NOTPH;
	snprintf(o->dev, sizeof(o->dev), "%04x:%02x:%02x.%d", a.domain, a.bus,
		 a.devfn >> 3, a.devfn & 7);
	snprintf(o->ibdev, sizeof(o->ibdev), "%s", a.ibdev);

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_NIC_CREATE, &a);
	if (!ret) {
		o->handle = a.handle;
		o->alive = true;
		printf(" handle=%u dev=%s ibdev=%s req_type=%s has_st=%u",
		       a.handle, o->dev, o->ibdev, tph_name(a.req_type),
		       a.has_st);
		if (kv_find(l, "req_type") &&
		    strcmp(kv_str(l, "req_type", ""), tph_name(a.req_type)))
			status_add(" req_type=%s!=%s", tph_name(a.req_type),
				   kv_str(l, "req_type", ""));
		check_num(l, "has_st", a.has_st);
	}
	op_end(l, ret, check_ret(l, ret));
	if (!ret)
		print_bind(o);
}

static void do_export(struct line *l)
{
	struct tphsim_export a = { 0 };
	struct obj *o, *e;
	struct stat st;
	int ret;

	if (l->ntok != 3)
		die(l, "usage: export BUF EXPORTER [size=64k]");
	o = obj_new(l, l->tok[1], O_BUF);
	e = obj_get(l, l->tok[2], O_EXPORTER);
	a.exporter = e->handle;
	a.size = kv_num(l, "size", 65536, UINT64_MAX);
	a.fd_flags = O_CLOEXEC;

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_EXPORT, &a);
	if (!ret) {
		o->fd = a.fd;
		o->ino = a.ino;
		o->alive = true;
		if (fstat(a.fd, &st) || (uint64_t)st.st_ino != a.ino)
			status_add(" ino_mismatch=fstat");
		printf(" fd=%d ino=%" PRIu64 " size=%" PRIu64, a.fd, (uint64_t)a.ino,
		       (uint64_t)a.size);
	}
	op_end(l, ret, check_ret(l, ret));
	if (!ret)
		print_bind(o);
}

static void do_udmabuf(struct line *l)
{
	struct udmabuf_create c = { 0 };
	uint64_t size;
	struct obj *o;
	struct stat st;
	int memfd, dev, fd, ret = 0;

	if (l->ntok != 2)
		die(l, "usage: udmabuf BUF [size=64k]");
	o = obj_new(l, l->tok[1], O_BUF);
	size = kv_num(l, "size", 65536, 1ULL << 30);

	op_begin(l);
	memfd = memfd_create("tphsim", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, size) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		ret = -errno;
		goto out;
	}
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		ret = -errno;
		goto out;
	}
	c.memfd = memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = size;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0)
		ret = -errno;
	close(dev);
	if (!ret) {
		o->fd = fd;
		o->alive = true;
		if (!fstat(fd, &st))
			o->ino = st.st_ino;
		printf(" fd=%d ino=%" PRIu64, fd, o->ino);
	}
out:
	if (memfd >= 0)
		close(memfd);
	op_end(l, ret, check_ret(l, ret));
	if (!ret)
		print_bind(o);
}

static uint32_t parse_set_flags(struct line *l, const char *s)
{
	uint64_t v;

	if (!strcmp(s, "none") || !strcmp(s, "0"))
		return 0;
	if (!strcmp(s, "st"))
		return VFIO_DMA_BUF_TPH_ST;
	if (!strcmp(s, "st_ext"))
		return VFIO_DMA_BUF_TPH_ST_EXT;
	if (!strcmp(s, "st,st_ext") || !strcmp(s, "both"))
		return VFIO_DMA_BUF_TPH_ST | VFIO_DMA_BUF_TPH_ST_EXT;
	if (!parse_u64(s, &v) || v > UINT32_MAX)
		die(l, "bad flags '%s'", s);
	return v;
}

/* fd= of set/query/burst: a buffer name, badfd, devnull */
static int resolve_fd(struct line *l, const char *s, int *tmp)
{
	struct obj *o;

	*tmp = -1;
	if (!strcmp(s, "badfd"))
		return 1000000;
	if (!strcmp(s, "devnull")) {
		*tmp = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (*tmp < 0)
			die(l, "open /dev/null: %s", strerror(errno));
		return *tmp;
	}
	o = obj_get(l, s, O_BUF);
	return o->fd;
}

static void do_set(struct line *l)
{
	struct vfio_device_feature_dma_buf_tph p = { 0 };
	struct tphsim_dma_buf_tph_v5 p5 = { 0 };
	struct tphsim_feature a = { 0 };
	struct kv *st, *st_ext;
	const char *feature;
	struct obj *e;
	int tmp, ret;

	if (l->ntok != 2 && l->ntok != 3)
		die(l, "usage: set EXPORTER [BUF] [st=] [st_ext=] [ph=] [flags=] [fd=]");
	e = obj_get(l, l->tok[1], O_EXPORTER);
	p.dmabuf_fd = resolve_fd(l, l->ntok == 3 ? l->tok[2] :
				 kv_str(l, "fd", "badfd"), &tmp);
	st = kv_find(l, "st");
	st_ext = kv_find(l, "st_ext");
	if (st)
		p.steering_tag = num(l, "st", st->val, 0xff);
	if (st_ext)
		p.steering_tag_ext = num(l, "st_ext", st_ext->val, 0xffff);
	p.ph = kv_num(l, "ph", 0, 0xff);
	if (kv_find(l, "flags"))
		p.flags = parse_set_flags(l, kv_str(l, "flags", ""));
	else
		p.flags = (st ? VFIO_DMA_BUF_TPH_ST : 0) |
			  (st_ext ? VFIO_DMA_BUF_TPH_ST_EXT : 0);

	a.exporter = e->handle;
	feature = kv_str(l, "feature", "set");
	if (!strcmp(feature, "set"))
		a.flags = VFIO_DEVICE_FEATURE_SET;
	else if (!strcmp(feature, "get"))
		a.flags = VFIO_DEVICE_FEATURE_GET;
	else if (!strcmp(feature, "probe"))
		a.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET;
	else
		a.flags = num(l, "feature", feature, UINT32_MAX) &
			  ~VFIO_DEVICE_FEATURE_MASK;
	a.flags |= kv_num(l, "index", VFIO_DEVICE_FEATURE_DMA_BUF_TPH, 0xffff);
	a.argsz = kv_num(l, "argsz", sizeof(p), UINT64_MAX);
	a.data = kv_num(l, "badptr", 0, 1) ? 8 : (uintptr_t)&p;
	if (shape == TPHSIM_SHAPE_V5 && a.data == (uintptr_t)&p) {
		/* the v5 uAPI had steering_tag_ext last */
		p5.dmabuf_fd = p.dmabuf_fd;
		p5.flags = p.flags;
		p5.steering_tag = p.steering_tag;
		p5.ph = p.ph;
		p5.steering_tag_ext = p.steering_tag_ext;
		a.data = (uintptr_t)&p5;
	}

	op_begin(l);
	printf(" fd=%d flags=0x%x st=0x%x st_ext=0x%x ph=%u", p.dmabuf_fd,
	       p.flags, p.steering_tag, p.steering_tag_ext, p.ph);
	ret = xioctl(TPHSIM_IOC_FEATURE, &a);
	if (tmp >= 0)
		close(tmp);
	op_end(l, ret, check_ret(l, ret));
}

static void do_query(struct line *l)
{
	struct tphsim_query a = { 0 };
	int tmp, ret, want;
	const char *w;

	if (l->ntok != 2)
		die(l, "usage: query BUF [width=8|16] [ret=] [st=] [ph=]");
	a.fd = resolve_fd(l, l->tok[1], &tmp);
	w = kv_str(l, "width", "8");
	if (!strcmp(w, "16"))
		a.extended = 1;
	else if (strcmp(w, "8"))
		die(l, "bad width '%s'", w);

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_QUERY, &a);
	if (tmp >= 0)
		close(tmp);
	if (ret) {
		op_end(l, ret, check_ret(l, ret));
		return;
	}
	printf(" width=%s query_ret=%d st=0x%x ph=%u", w, a.ret,
	       a.steering_tag, a.ph);
	/* ret= here is the query's own result */
	if (!parse_ret(kv_str(l, "ret", "0"), &want))
		die(l, "bad ret");
	if (!a.ret) {
		check_num(l, "st", a.steering_tag);
		check_num(l, "ph", a.ph);
	}
	op_end(l, a.ret, want == a.ret);
}

static void do_dmah(struct line *l)
{
	struct tphsim_dmah_create a = { 0 };
	struct obj *o, *n;
	int ret;

	if (l->ntok != 3)
		die(l, "usage: dmah NAME NIC [ph=N] [cpu=N cpu_tag=X]");
	o = obj_new(l, l->tok[1], O_DMAH);
	n = obj_get(l, l->tok[2], O_NIC);
	a.nic = n->handle;
	if (kv_find(l, "ph")) {
		a.flags |= TPHSIM_DMAH_PH;
		a.ph = kv_num(l, "ph", 0, 0xff);
	}
	if (kv_find(l, "cpu_tag")) {
		a.flags |= TPHSIM_DMAH_CPU;
		a.cpu_tag = kv_num(l, "cpu_tag", 0, 0xffff);
		a.cpu_id = kv_num(l, "cpu", 0, UINT32_MAX);
	}
	a.mem_type = kv_num(l, "mem_type", 0, 0xff);

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_DMAH_CREATE, &a);
	if (!ret) {
		o->handle = a.handle;
		o->alive = true;
		printf(" handle=%u st_index=%u", a.handle, a.st_index);
		check_num(l, "st_index", a.st_index);
	}
	op_end(l, ret, check_ret(l, ret));
}

static void check_mkey(struct line *l, uint32_t mkey)
{
	struct kv *kv = kv_find(l, "same_mkey");
	struct obj *o;

	if (!kv)
		return;
	o = obj_get(l, kv->val, O_MR);
	if (o->mkey != mkey)
		status_add(" same_mkey=0x%x!=0x%x(%s)", mkey, o->mkey, o->name);
}

static void do_reg(struct line *l)
{
	struct tphsim_mr_reg a = { 0 };
	struct obj *o, *n, *b;
	int ret;

	if (l->ntok != 4)
		die(l, "usage: reg MR NIC BUF [dmah=] [access=] [offset=] [length=]");
	o = obj_new(l, l->tok[1], O_MR);
	n = obj_get(l, l->tok[2], O_NIC);
	b = obj_get(l, l->tok[3], O_BUF);
	a.nic = n->handle;
	if (kv_find(l, "dmah"))
		a.dmah = obj_get(l, kv_str(l, "dmah", ""), O_DMAH)->handle;
	a.fd = b->fd;
	a.access = kv_num(l, "access", 0x7, INT32_MAX);
	a.offset = kv_num(l, "offset", 0, UINT64_MAX);
	a.length = kv_num(l, "length", 4096, UINT64_MAX);
	a.iova = kv_num(l, "iova", 0x10000000, UINT64_MAX);

	op_begin(l);
	ret = xioctl(TPHSIM_IOC_MR_REG, &a);
	if (!ret) {
		o->handle = a.handle;
		o->mkey = a.mkey;
		o->ino = a.ino;
		o->alive = true;
		printf(" mkey=0x%x ino=%" PRIu64 " st_index=%u ph=%u reused=%u",
		       a.mkey, (uint64_t)a.ino, a.st_index, a.ph, a.reused);
		check_num(l, "st_index", a.st_index);
		check_num(l, "ph", a.ph);
		check_num(l, "reused", a.reused);
		check_mkey(l, a.mkey);
	}
	op_end(l, ret, check_ret(l, ret));
	if (!ret)
		print_bind(o);
}

static void do_mr(struct line *l, unsigned long cmd)
{
	struct tphsim_mr_info a = { 0 };
	struct obj *o;
	int ret;

	if (l->ntok != 2)
		die(l, "usage: %s MR", l->tok[0]);
	o = obj_get(l, l->tok[1], O_MR);
	a.handle = o->handle;

	op_begin(l);
	ret = xioctl(cmd, &a);
	if (!ret || cmd == TPHSIM_IOC_MR_MAP) {
		printf(" mkey=0x%x st_index=%u ph=%u st_tag=0x%x mapped=%u invalidations=%u",
		       a.mkey, a.st_index, a.ph, a.st_tag, a.mapped,
		       a.invalidations);
		if (cmd == TPHSIM_IOC_MR_DEREG)
			printf(" pooled=%u", a.pooled);
		check_num(l, "st_index", a.st_index);
		check_num(l, "ph", a.ph);
		check_num(l, "tag", a.st_tag);
		check_num(l, "mapped", a.mapped);
		check_num(l, "invalidations", a.invalidations);
		check_num(l, "pooled", a.pooled);
	}
	if (!ret && cmd == TPHSIM_IOC_MR_DEREG)
		o->alive = false;
	op_end(l, ret, check_ret(l, ret));
}

static void do_revoke(struct line *l, bool revoked)
{
	struct tphsim_revoke a = { 0 };
	int ret;

	if (l->ntok != 2)
		die(l, "usage: %s EXPORTER", l->tok[0]);
	a.exporter = obj_get(l, l->tok[1], O_EXPORTER)->handle;
	a.revoked = revoked;
	op_begin(l);
	ret = xioctl(TPHSIM_IOC_REVOKE, &a);
	op_end(l, ret, check_ret(l, ret));
}

static void do_fault(struct line *l)
{
	static const char *const points[] = {
		[TPHSIM_FAULT_ST_WRITE] = "st_write",
		[TPHSIM_FAULT_ST_ALLOC] = "st_alloc",
		[TPHSIM_FAULT_MKEY] = "mkey",
		[TPHSIM_FAULT_QUERY] = "query",
		[TPHSIM_FAULT_MAP] = "map",
	};
	struct tphsim_fault a = { 0 };
	struct obj *o;
	unsigned int i;
	int ret;

	if (l->ntok != 3)
		die(l, "usage: fault TARGET st_write|st_alloc|mkey|query|map err=-EIO [skip=N] [count=N]");
	o = obj_find(l->tok[1]);
	if (!o)
		die(l, "unknown object '%s'", l->tok[1]);
	for (i = 1; i <= TPHSIM_FAULT_MAX; i++)
		if (!strcmp(points[i], l->tok[2]))
			a.point = i;
	if (!a.point)
		die(l, "bad fault point '%s'", l->tok[2]);
	a.handle = o->handle;
	if (!parse_ret(kv_str(l, "err", "-EIO"), &a.err))
		die(l, "bad err");
	a.skip = kv_num(l, "skip", 0, UINT32_MAX);
	a.count = kv_num(l, "count", 1, UINT32_MAX);
	op_begin(l);
	ret = xioctl(TPHSIM_IOC_FAULT, &a);
	op_end(l, ret, check_ret(l, ret));
}

static void do_destroy(struct line *l)
{
	struct tphsim_destroy a = { 0 };
	struct obj *o;
	int ret;

	if (l->ntok != 2)
		die(l, "usage: destroy NAME");
	o = obj_find(l->tok[1]);
	if (!o || o->kind == O_BUF)
		die(l, "destroy: '%s' is not an object", l->tok[1]);
	a.handle = o->handle;
	op_begin(l);
	ret = xioctl(TPHSIM_IOC_DESTROY, &a);
	if (!ret)
		o->alive = false;
	op_end(l, ret, check_ret(l, ret));
}

static void do_close(struct line *l)
{
	struct obj *o;
	int ret;

	if (l->ntok != 2)
		die(l, "usage: close BUF");
	o = obj_get(l, l->tok[1], O_BUF);
	op_begin(l);
	ret = close(o->fd) ? -errno : 0;
	o->fd = -1;
	op_end(l, ret, check_ret(l, ret));
}

static const char *const ev_names[TPHSIM_EV_MAX] = {
	[TPHSIM_EV_DMA_BUF_TPH_QUERY] = "dma_buf_get_pci_tph",
	[TPHSIM_EV_VFIO_PCI_TPH_QUERY] = "vfio_pci_tph_query",
	[TPHSIM_EV_VFIO_PCI_TPH_SET] = "vfio_pci_tph_set",
	[TPHSIM_EV_MLX5_IB_MR_TPH] = "mlx5_ib_mr_tph",
	[TPHSIM_EV_MLX5_IB_DMABUF_MR] = "mlx5_ib_dmabuf_mr",
	[TPHSIM_EV_MLX5_IB_DMABUF_MR_DEREG] = "mlx5_ib_dmabuf_mr_dereg",
	[TPHSIM_EV_MLX5_ST_INDEX_ALLOC] = "mlx5_st_index_alloc",
	[TPHSIM_EV_MLX5_ST_INDEX_GET] = "mlx5_st_index_get",
	[TPHSIM_EV_MLX5_ST_INDEX_PUT] = "mlx5_st_index_put",
	[TPHSIM_EV_PCIE_TPH_ENABLE] = "pcie_tph_enable",
	[TPHSIM_EV_PCIE_TPH_DISABLE] = "pcie_tph_disable",
	[TPHSIM_EV_PCIE_TPH_ST_WRITE] = "pcie_tph_st_write",
	[TPHSIM_EV_DMA_BUF_EXPORT] = "dma_buf_export",
	[TPHSIM_EV_DMA_BUF_FD] = "dma_buf_fd",
	[TPHSIM_EV_DMA_BUF_GET] = "dma_buf_get",
	[TPHSIM_EV_DMA_BUF_PUT] = "dma_buf_put",
	[TPHSIM_EV_DMA_BUF_DYNAMIC_ATTACH] = "dma_buf_dynamic_attach",
	[TPHSIM_EV_DMA_BUF_DETACH] = "dma_buf_detach",
};

static int get_stats(struct tphsim_stats *s)
{
	memset(s, 0, sizeof(*s));
	return xioctl(TPHSIM_IOC_STATS, s);
}

static void do_burst(struct line *l)
{
	struct tphsim_stats before, after;
	struct tphsim_burst a = { 0 };
	int tmp, ret;

	if (l->ntok != 2)
		die(l, "usage: burst BUF count=N [width=8|16]");
	a.fd = resolve_fd(l, l->tok[1], &tmp);
	a.count = kv_num(l, "count", 1000, UINT64_MAX);
	a.extended = !strcmp(kv_str(l, "width", "8"), "16");
	op_begin(l);
	ret = get_stats(&before);
	if (!ret)
		ret = xioctl(TPHSIM_IOC_BURST, &a);
	if (!ret)
		ret = get_stats(&after);
	if (tmp >= 0)
		close(tmp);
	if (!ret) {
		printf(" fired=%" PRIu64 " counted=%" PRIu64, (uint64_t)a.fired,
		       (uint64_t)(after.fired[TPHSIM_EV_DMA_BUF_TPH_QUERY] -
				  before.fired[TPHSIM_EV_DMA_BUF_TPH_QUERY]));
		check_num(l, "fired", a.fired);
	}
	op_end(l, ret, check_ret(l, ret));
}

static void do_stats(struct line *l)
{
	struct tphsim_stats s;
	int i, ret;

	op_begin(l);
	ret = get_stats(&s);
	for (i = 0; !ret && i < TPHSIM_EV_MAX; i++)
		printf(" %s=%" PRIu64, ev_names[i], (uint64_t)s.fired[i]);
	op_end(l, ret, check_ret(l, ret));
}

/* Scenario metadata and trace expectations are not operations. */
static bool is_meta(const char *verb)
{
	static const char *const meta[] = {
		"name", "title", "requires", "expect", "expect!",
		"expect-count", "note",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(meta); i++)
		if (!strcmp(verb, meta[i]))
			return true;
	return false;
}

static bool have_requirement(struct line *l, const char *what)
{
	if (!strcmp(what, "udmabuf"))
		return !access("/dev/udmabuf", R_OK | W_OK);
	die(l, "unknown requirement '%s'", what);
	return false;
}

static const char *shape_name(unsigned int s)
{
	return s == TPHSIM_SHAPE_V5 ? "v5" : s == TPHSIM_SHAPE_V7 ? "v7" :
	       s == TPHSIM_SHAPE_V8 ? "v8" : "?";
}

/*
 * "@shape=v5,v7" as the last word of a statement: it applies to modules
 * built as one of these revisions only (the series changed what some
 * operations return, kernel/tphsim/README.md). Checked when parsing.
 */
static bool for_this_shape(struct line *l, bool dry)
{
	struct kv *kv = kv_find(l, "@shape");
	char buf[64], *w, *save = NULL;
	bool match = false;

	if (!kv)
		return true;
	if (snprintf(buf, sizeof(buf), "%s", kv->val) >= (int)sizeof(buf))
		die(l, "@shape: too long");
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "v5") && strcmp(w, "v7") && strcmp(w, "v8"))
			die(l, "@shape: '%s' is not v5, v7 or v8", w);
		if (!strcmp(w, shape_name(shape)))
			match = true;
	}
	return dry || match;
}

static int run_line(struct line *l, bool dry)
{
	const char *v = l->tok[0];

	if (!for_this_shape(l, dry))
		return 0;
	if (is_meta(v)) {
		if (!strcmp(v, "requires") && !dry) {
			int i;

			for (i = 1; i < l->ntok; i++) {
				if (!have_requirement(l, l->tok[i])) {
					printf("skip requires=%s\n", l->tok[i]);
					return 77;
				}
			}
		}
		return 0;
	}
	/* narration for demos: "say words…" prints them, "pause MS" waits */
	if (!strcmp(v, "say") || !strcmp(v, "pause")) {
		int i;

		if (dry)
			return 0;
		if (!strcmp(v, "pause")) {
			if (l->ntok != 2 || atoi(l->tok[1]) < 0)
				die(l, "pause wants milliseconds");
			fflush(stdout);
			usleep(atoi(l->tok[1]) * 1000);
			return 0;
		}
		/*
		 * TPHSIM_SAY_CLOCK=1: "@NS " first, NS the CLOCK_MONOTONIC time of
		 * the line (the clock of the records' "ts"), so that a demo can put
		 * each step's records under its heading (demo/guest-demo.sh)
		 */
		if (getenv("TPHSIM_SAY_CLOCK")) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			printf("@%llu ", (unsigned long long)ts.tv_sec * 1000000000ull +
			       (unsigned long long)ts.tv_nsec);
		}
		for (i = 1; i < l->ntok; i++)
			printf("%s%s", i > 1 ? " " : "", l->tok[i]);
		printf("\n");
		fflush(stdout);
		return 0;
	}
	if (dry) {
		static const char *const verbs[] = {
			"exporter", "nic", "export", "udmabuf", "set", "query",
			"dmah", "reg", "dereg", "map", "mr", "revoke",
			"restore", "fault", "destroy", "close", "burst",
			"stats",
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(verbs); i++)
			if (!strcmp(v, verbs[i]))
				return 0;
		die(l, "unknown operation '%s'", v);
	}

	if (!strcmp(v, "exporter"))
		do_exporter(l);
	else if (!strcmp(v, "nic"))
		do_nic(l);
	else if (!strcmp(v, "export"))
		do_export(l);
	else if (!strcmp(v, "udmabuf"))
		do_udmabuf(l);
	else if (!strcmp(v, "set"))
		do_set(l);
	else if (!strcmp(v, "query"))
		do_query(l);
	else if (!strcmp(v, "dmah"))
		do_dmah(l);
	else if (!strcmp(v, "reg"))
		do_reg(l);
	else if (!strcmp(v, "dereg"))
		do_mr(l, TPHSIM_IOC_MR_DEREG);
	else if (!strcmp(v, "map"))
		do_mr(l, TPHSIM_IOC_MR_MAP);
	else if (!strcmp(v, "mr"))
		do_mr(l, TPHSIM_IOC_MR_INFO);
	else if (!strcmp(v, "revoke"))
		do_revoke(l, true);
	else if (!strcmp(v, "restore"))
		do_revoke(l, false);
	else if (!strcmp(v, "fault"))
		do_fault(l);
	else if (!strcmp(v, "destroy"))
		do_destroy(l);
	else if (!strcmp(v, "close"))
		do_close(l);
	else if (!strcmp(v, "burst"))
		do_burst(l);
	else if (!strcmp(v, "stats"))
		do_stats(l);
	else
		die(l, "unknown operation '%s'", v);
	kv_unused(l);
	return 0;
}

static int run_file(const char *path, bool dry)
{
	char buf[1024];
	struct line l;
	int lineno = 0;
	FILE *f;
	int rc;

	scn_file = path;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	if (!dry) {
		struct tphsim_version v = { 0 };
		struct tphsim_shape sh = { 0 };

		ctl_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		if (ctl_fd < 0) {
			fprintf(stderr, "%s: %s (is tphsim.ko loaded?)\n",
				DEV_PATH, strerror(errno));
			fclose(f);
			return 2;
		}
		if (xioctl(TPHSIM_IOC_VERSION, &v) ||
		    v.version != TPHSIM_UAPI_VERSION) {
			fprintf(stderr, "%s: uAPI version %u, expected %u\n",
				DEV_PATH, v.version, TPHSIM_UAPI_VERSION);
			fclose(f);
			return 2;
		}
		if (xioctl(TPHSIM_IOC_SHAPE, &sh)) {
			fprintf(stderr, "%s: TPHSIM_IOC_SHAPE: %s\n", DEV_PATH,
				strerror(errno));
			fclose(f);
			return 2;
		}
		shape = sh.shape;
		printf("shape %s\n", shape_name(shape));
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		if (!strchr(buf, '\n') && !feof(f))
			die(NULL, "line %d too long", lineno);
		memset(&l, 0, sizeof(l));
		l.lineno = lineno;
		if (tokenize(buf, &l))
			die(&l, "too many tokens");
		if (!l.ntok)
			continue;
		rc = run_line(&l, dry);
		if (rc) {
			fclose(f);
			return rc;
		}
	}
	fclose(f);
	if (dry)
		return 0;
	/* Closing the control file tears every object down */
	close(ctl_fd);
	printf("done failures=%d\n", failures);
	return failures ? 1 : 0;
}

/* Invalid input must give errors, never a crash or a leak. */
static int run_selftest(void)
{
	struct tphsim_exporter_create ex = { 0 };
	struct tphsim_nic_create nic = { 0 };
	struct tphsim_destroy d = { 0 };
	struct tphsim_mr_reg mr = { 0 };
	struct tphsim_feature ft = { 0 };
	struct tphsim_export exp = { 0 };
	struct tphsim_fault fl = { 0 };
	struct tphsim_burst b = { 0 };
	struct tphsim_shape sh = { 0 };
	int fails = 0, n = 0, ret, null_fd;

#define EXPECT(call, want) do {						\
	ret = (call);							\
	n++;								\
	if (ret != (want)) {						\
		fails++;						\
		printf("selftest FAIL line %d: %s = %s, expected %s\n",	\
		       __LINE__, #call, errname(ret), errname(want));	\
	}								\
} while (0)

	ctl_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (ctl_fd < 0 || null_fd < 0) {
		perror(DEV_PATH);
		return 2;
	}
	EXPECT(xioctl(_IO(TPHSIM_IOC_MAGIC, 0x7f), NULL), -ENOTTY);
	EXPECT(xioctl(_IOWR(TPHSIM_IOC_MAGIC, 0x01, int), NULL), -ENOTTY);
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, (void *)8), -EFAULT);
	EXPECT(xioctl(TPHSIM_IOC_STATS, (void *)8), -EFAULT);
	/* names */
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	memset(ex.name, 'a', sizeof(ex.name));
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	memset(ex.name, 0, sizeof(ex.name));
	snprintf(ex.name, sizeof(ex.name), "bad name");
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	memset(ex.name, 0, sizeof(ex.name));
	snprintf(ex.name, sizeof(ex.name), "ok");
	ex.name[5] = 'x';	/* garbage after the NUL */
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	ex.name[5] = 0;
	ex.reserved[2] = 1;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	ex.reserved[2] = 0;
	ex.kind = 9;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	ex.kind = 0;
	ex.domain = 0x10000;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EINVAL);
	ex.domain = 0;
	ex.bus = 0x77;
	/* a TPH completer: v8+ checks that before the feature flags */
	ex.completer = TPHSIM_TPH_ONLY;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), 0);
	ex.handle = 0;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), -EEXIST);
	/* exports */
	exp.exporter = 999;
	exp.size = 4096;
	EXPECT(xioctl(TPHSIM_IOC_EXPORT, &exp), -ENOENT);
	exp.exporter = 1;
	exp.size = 4095;
	EXPECT(xioctl(TPHSIM_IOC_EXPORT, &exp), -EINVAL);
	exp.size = 1ULL << 40;
	EXPECT(xioctl(TPHSIM_IOC_EXPORT, &exp), -EINVAL);
	exp.size = 4096;
	exp.fd_flags = 0x40000000;
	EXPECT(xioctl(TPHSIM_IOC_EXPORT, &exp), -EINVAL);
	exp.fd_flags = 0;
	EXPECT(xioctl(TPHSIM_IOC_EXPORT, (void *)8), -EFAULT);
	/* the dma-buf must not leak when the result cannot be copied out */
	{
		void *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		memcpy(ro, &exp, sizeof(exp));
		mprotect(ro, 4096, PROT_READ);
		EXPECT(xioctl(TPHSIM_IOC_EXPORT, ro), -EFAULT);
		munmap(ro, 4096);
	}
	/* features */
	ft.exporter = 1;
	ft.flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_GET | 13;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -EINVAL);
	ft.flags = VFIO_DEVICE_FEATURE_SET | 14;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -ENOTTY);
	ft.flags = VFIO_DEVICE_FEATURE_SET | (1u << 20) | 13;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -EINVAL);
	ft.flags = VFIO_DEVICE_FEATURE_GET | 13;
	ft.argsz = 12;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -EINVAL);
	ft.flags = VFIO_DEVICE_FEATURE_SET | 13;
	ft.argsz = 11;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -EINVAL);
	ft.argsz = 12;
	ft.data = 8;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), -EFAULT);
	ft.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET | 13;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft), 0);
	/* no completer: PROBE succeeds until v8 made it "follow the same
	 * hardware gate" as SET */
	EXPECT(xioctl(TPHSIM_IOC_SHAPE, &sh), 0);
	ex.bus = 0x76;
	ex.completer = TPHSIM_TPH_NONE;
	EXPECT(xioctl(TPHSIM_IOC_EXPORTER_CREATE, &ex), 0);
	ft.exporter = ex.handle;
	EXPECT(xioctl(TPHSIM_IOC_FEATURE, &ft),
	       sh.shape >= TPHSIM_SHAPE_V8 ? -EOPNOTSUPP : 0);
	EXPECT(xioctl(TPHSIM_IOC_SHAPE, (void *)8), -EFAULT);
	/* NICs */
	snprintf(nic.ibdev, sizeof(nic.ibdev), "st_ib0");
	nic.bus = 0x78;
	nic.st_mode = TPHSIM_ST_TABLE;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EINVAL);
	nic.st_size = 4096;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EINVAL);
	nic.st_size = 4;
	nic.req_cap = 2;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EINVAL);
	nic.req_cap = TPHSIM_TPH_EXT;
	nic.flags = 1u << 31;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EINVAL);
	nic.flags = 0;
	nic.pool_depth = 100000;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EINVAL);
	nic.pool_depth = 1;
	nic.bus = 0x77;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), -EEXIST);
	nic.bus = 0x78;
	EXPECT(xioctl(TPHSIM_IOC_NIC_CREATE, &nic), 0);
	/* MRs */
	mr.nic = 1;	/* the exporter */
	mr.fd = -1;
	mr.length = 4096;
	EXPECT(xioctl(TPHSIM_IOC_MR_REG, &mr), -EINVAL);
	mr.nic = nic.handle;
	EXPECT(xioctl(TPHSIM_IOC_MR_REG, &mr), -EBADF);
	mr.fd = null_fd;
	EXPECT(xioctl(TPHSIM_IOC_MR_REG, &mr), -EINVAL);
	mr.dmah = 12345;
	EXPECT(xioctl(TPHSIM_IOC_MR_REG, &mr), -ENOENT);
	mr.dmah = 0;
	mr.access = 1 << 30;
	EXPECT(xioctl(TPHSIM_IOC_MR_REG, &mr), -EINVAL);
	/* faults, bursts, destroys */
	fl.handle = nic.handle;
	fl.point = 99;
	EXPECT(xioctl(TPHSIM_IOC_FAULT, &fl), -EINVAL);
	fl.point = TPHSIM_FAULT_QUERY;
	fl.err = -EIO;
	fl.count = 1;
	EXPECT(xioctl(TPHSIM_IOC_FAULT, &fl), -EINVAL);
	fl.point = TPHSIM_FAULT_ST_WRITE;
	fl.err = 5;
	EXPECT(xioctl(TPHSIM_IOC_FAULT, &fl), -EINVAL);
	b.fd = -1;
	b.count = 10;
	EXPECT(xioctl(TPHSIM_IOC_BURST, &b), -EBADF);
	b.fd = null_fd;
	b.count = 1ULL << 40;
	EXPECT(xioctl(TPHSIM_IOC_BURST, &b), -EINVAL);
	d.handle = 4242;
	EXPECT(xioctl(TPHSIM_IOC_DESTROY, &d), -ENOENT);
	d.handle = 1;
	d.reserved = 1;
	EXPECT(xioctl(TPHSIM_IOC_DESTROY, &d), -EINVAL);
	d.reserved = 0;
	EXPECT(xioctl(TPHSIM_IOC_DESTROY, &d), 0);
	/* the rest goes with the file */
	close(ctl_fd);
	close(null_fd);
#undef EXPECT
	printf("selftest checks=%d failed=%d\n", n, fails);
	return fails ? 1 : 0;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: tphsim-ctl run FILE | check FILE... | stats | selftest | version\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		print_usage();
	if (!strcmp(argv[1], "run") && argc == 3)
		return run_file(argv[2], false);
	if (!strcmp(argv[1], "check") && argc >= 3) {
		int i, rc = 0;

		for (i = 2; i < argc && !rc; i++)
			rc = run_file(argv[i], true);
		return rc;
	}
	if (!strcmp(argv[1], "selftest") && argc == 2)
		return run_selftest();
	if (!strcmp(argv[1], "version") && argc == 2) {
		printf("tphsim-ctl uapi %d\n", TPHSIM_UAPI_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "stats") && argc == 2) {
		struct line l = { .lineno = 0, .ntok = 1,
				  .tok = { (char *)"stats" } };

		ctl_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		if (ctl_fd < 0) {
			perror(DEV_PATH);
			return 2;
		}
		do_stats(&l);
		return failures ? 1 : 0;
	}
	print_usage();
	return 2;
}
