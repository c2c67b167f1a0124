// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Recover dma-bufs that existed before start: iter/dmabuf, /proc, debugfs. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "inventory.h"
#include "record.h"
#include "state.h"

#define DEFAULT_PROC	"/proc"
#define DEFAULT_BUFINFO	"/sys/kernel/debug/dma_buf/bufinfo"
#define DEFAULT_PCI	"/sys/bus/pci/devices"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void state_iter_hdr(union tph_record *r, unsigned int kind, uint64_t now,
		    uint32_t pid, const char *comm)
{
	memset(r, 0, sizeof(*r));
	r->hdr.kind = kind;
	r->hdr.hook = TPH_HOOK_ITER;
	r->hdr.ts_ns = now;
	r->hdr.pid = pid;
	r->hdr.tgid = pid;
	if (comm)
		snprintf(r->hdr.comm, sizeof(r->hdr.comm), "%s", comm);
}

void state_emit(state_record_fn fn, void *ctx, struct state_report *rep,
		const union tph_record *r)
{
	rep->rv.records++;
	fn(ctx, r);
}

static bool is_dmabuf_link(const char *target)
{
	/*
	 * "/dmabuf:NAME" (dma-buf pseudo fs, dmabuffs_dname()) or
	 * "anon_inode:dmabuf" (old kernels); a file whose path merely contains
	 * "dmabuf" (e.g. a program named mkdmabuf, mapped in its own process)
	 * is not one. (The last component is what is compared, so that tests
	 * can stand a real file in for the pseudo file system.)
	 */
	const char *base = strrchr(target, '/');

	return (base && !strncmp(base, "/dmabuf:", 8)) ||
	       !strcmp(target, "anon_inode:dmabuf");
}

void state_read_comm(const char *proc, const char *pid, char *comm, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	comm[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* fdinfo of a dma-buf fd: "size:", "exp_name:", "ino:" */
static bool read_fdinfo(const char *path, struct tph_buf *b)
{
	char line[256], name[64];
	bool dmabuf = false;
	unsigned long long v;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "exp_name: %63s", name) == 1) {
			snprintf(b->exp_name, sizeof(b->exp_name), "%.*s", TPH_NAME_LEN - 1, name);
			dmabuf = true;
		} else if (sscanf(line, "size: %llu", &v) == 1) {
			b->size = v;
		} else if (sscanf(line, "ino: %llu", &v) == 1 && !b->ino) {
			b->ino = v;
		}
	}
	fclose(f);
	return dmabuf;
}

static void scan_fds(const char *proc, const char *pid, const char *comm, uint64_t now,
		     state_record_fn fn, void *ctx, struct state_report *rep,
		     bool *holds)
{
	char dir[512], path[800], target[256];
	union tph_record r;
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s/fd", proc, pid);
	d = opendir(dir);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			rep->procs_denied++;
		return;
	}
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!is_dmabuf_link(target))
			continue;
		state_iter_hdr(&r, TPH_EV_DMABUF_EXPORT, now, (uint32_t)atoi(pid), comm);
		/* the inode via the fd's stat (follows the link to the dma-buf file) */
		if (!stat(path, &st))
			r.dmabuf.buf.ino = st.st_ino;
		snprintf(path, sizeof(path), "%s/%s/fdinfo/%s", proc, pid, de->d_name);
		if (!read_fdinfo(path, &r.dmabuf.buf) || !r.dmabuf.buf.ino)
			continue;
		rep->fds++;
		*holds = true;
		state_emit(fn, ctx, rep, &r);
	}
	closedir(d);
}

/* "7f..-7f.. rw-s 00000000 00:0d 1234   /dmabuf:name" */
static void scan_maps(const char *proc, const char *pid, const char *comm, uint64_t now,
		      state_record_fn fn, void *ctx, struct state_report *rep,
		      bool *holds)
{
	char path[512], line[1024], dev[32], perms[8];
	unsigned long long ino, lo, hi, off;
	union tph_record r;
	int pos;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/maps", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "dmabuf"))
			continue;
		if (sscanf(line, "%llx-%llx %7s %llx %31s %llu %n", &lo, &hi, perms, &off,
			   dev, &ino, &pos) < 6 || !ino)
			continue;
		if (!is_dmabuf_link(line + pos))
			continue;
		state_iter_hdr(&r, TPH_EV_DMABUF_EXPORT, now, (uint32_t)atoi(pid), comm);
		r.dmabuf.buf.ino = ino;
		rep->maps++;
		*holds = true;
		state_emit(fn, ctx, rep, &r);
	}
	fclose(f);
}

static void scan_proc(const char *proc, uint64_t now, state_record_fn fn, void *ctx,
		      struct state_report *rep)
{
	char comm[TPH_COMM_LEN + 8];
	struct dirent *de;
	bool holds;
	DIR *d = opendir(proc);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		rep->procs++;
		state_read_comm(proc, de->d_name, comm, sizeof(comm));
		holds = false;
		scan_fds(proc, de->d_name, comm, now, fn, ctx, rep, &holds);
		scan_maps(proc, de->d_name, comm, now, fn, ctx, rep, &holds);
		if (holds)
			rep->holders++;
	}
	closedir(d);
}

/*
 * dma_buf_debug_show():
 *   size\tflags\tmode\tcount\texp_name\tino\tname      (header)
 *   %08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s
 *   \tAttached Devices:
 *   \t<dev_name>
 *   Total N devices attached
 */
void state_parse_bufinfo(FILE *f, uint64_t now, state_record_fn fn, void *ctx,
			 struct state_report *rep)
{
	unsigned long long size, ino = 0;
	unsigned int flags, mode;
	char line[512], name[64], dev[64];
	bool in_devs = false;
	union tph_record r;
	long count;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%llu %x %x %ld %63s %llu", &size, &flags, &mode, &count,
			   name, &ino) == 6 && isdigit((unsigned char)line[0])) {
			in_devs = false;
			state_iter_hdr(&r, TPH_EV_DMABUF_EXPORT, now, 0, NULL);
			r.dmabuf.buf.ino = ino;
			r.dmabuf.buf.size = size;
			snprintf(r.dmabuf.buf.exp_name, sizeof(r.dmabuf.buf.exp_name), "%.*s",
				 TPH_NAME_LEN - 1, name);
			rep->bufs_debugfs++;
			state_emit(fn, ctx, rep, &r);
			continue;
		}
		if (strstr(line, "Attached Devices:")) {
			in_devs = ino != 0;
			continue;
		}
		if (!strncmp(line, "Total ", 6) || !line[0]) {
			in_devs = false;
			continue;
		}
		if (in_devs && line[0] == '\t' && sscanf(line, " %63s", dev) == 1) {
			state_iter_hdr(&r, TPH_EV_ATTACH, now, 0, NULL);
			r.attach.buf.ino = ino;
			tph_dev_parse(&r.attach.importer, dev);
			rep->attach_debugfs++;
			state_emit(fn, ctx, rep, &r);
		}
	}
}

static void scan_bufinfo(const char *path, uint64_t now, state_record_fn fn, void *ctx,
			 struct state_report *rep)
{
	struct recovery *rv = &rep->rv;
	struct stat st;
	FILE *f;
	int e;

	f = fopen(path, "r");
	if (!f) {
		e = errno;
		/* an empty mount point: debugfs not mounted */
		if (e == ENOENT && stat("/sys/kernel/debug", &st) == 0 &&
		    !strcmp(path, DEFAULT_BUFINFO))
			recovery_add(rv, RV_ATTACHMENTS, "debugfs", false, 0,
				     "%s: not available (debugfs not mounted? "
				     "mount -t debugfs none /sys/kernel/debug)", path);
		else
			recovery_add(rv, RV_ATTACHMENTS, "debugfs", false, 0,
				     "%s: not available (%s)", path, strerror(e));
		return;
	}
	state_parse_bufinfo(f, now, fn, ctx, rep);
	fclose(f);
	rep->debugfs_ok = true;
	recovery_add(rv, RV_DMABUFS, "debugfs", true, rep->bufs_debugfs,
		     "%s: %u dma-buf(s)", path, rep->bufs_debugfs);
	recovery_add(rv, RV_ATTACHMENTS, "debugfs", true, rep->attach_debugfs,
		     "%s: %u attachment(s)", path, rep->attach_debugfs);
}

struct iter_sink {
	state_record_fn fn;
	void *ctx;
	struct state_report *rep;
};

static int iter_emit(void *ctx, const union tph_record *r)
{
	struct iter_sink *k = ctx;

	state_emit(k->fn, k->ctx, k->rep, r);
	return 0;
}

/* every dma-buf from the kernel's own list; false: the kernel cannot (the report says why) */
static bool scan_iter(bool verbose, state_record_fn fn, void *ctx, struct state_report *rep)
{
	struct iter_sink k = { fn, ctx, rep };
	struct recovery *rv = &rep->rv;
	struct inventory *inv = NULL;
	struct snapshot s;
	char why[200];
	int ret;

	snap_init(&s);
	ret = inventory_open(&inv, verbose, why, sizeof(why));
	if (!ret) {
		ret = inventory_snapshot(inv, &s);
		if (ret)
			snprintf(why, sizeof(why), "iter/dmabuf: reading the iterator failed: %s",
				 strerror(-ret));
	}
	if (ret) {
		recovery_add(rv, RV_DMABUFS, "iter", false, 0, "%s; dma-bufs from /proc and "
			     "debugfs bufinfo instead (no p2p/dynamic, no published tags)", why);
		recovery_add(rv, RV_TAGS, "iter", false, 0, "exporter-private state: needs "
			     "iter/dmabuf (%s); learned at the next SET or query", why);
		inventory_close(inv);
		return false;
	}
	snap_records(&s, iter_emit, &k);
	rep->iter_ok = true;
	rep->bufs_iter = (unsigned int)s.nbufs;
	rep->attach_iter = (unsigned int)s.natt;
	rep->tags_iter = s.tags_read;
	rep->truncated_iter = s.truncated;
	recovery_add(rv, RV_DMABUFS, "iter", true, rep->bufs_iter,
		     "iter/dmabuf: %u dma-buf(s)", rep->bufs_iter);
	if (s.truncated)
		recovery_add(rv, RV_ATTACHMENTS, "iter", true, rep->attach_iter,
			     "iter/dmabuf: %u attachment(s); %u dma-buf(s) with more than %d "
			     "attachments: the rest not listed", rep->attach_iter, s.truncated,
			     TPH_ITER_MAX_ATTACH);
	else
		recovery_add(rv, RV_ATTACHMENTS, "iter", true, rep->attach_iter,
			     "iter/dmabuf: %u attachment(s)", rep->attach_iter);
	recovery_add(rv, RV_TAGS, "iter", true, rep->tags_iter,
		     "iter/dmabuf: %u dma-buf(s) with published tags; %s", rep->tags_iter,
		     inventory_tags(inv));
	snap_free(&s);
	inventory_close(inv);
	return true;
}

void state_recover(const struct state_opts *o, state_record_fn fn, void *ctx,
		   struct state_report *rep)
{
	const char *proc = o && o->proc ? o->proc : DEFAULT_PROC;
	const char *bufinfo = o && o->bufinfo ? o->bufinfo : DEFAULT_BUFINFO;
	const char *pci = o && o->pci ? o->pci : DEFAULT_PCI;
	struct recovery *rv = &rep->rv;
	uint64_t now = mono_ns();

	memset(rep, 0, sizeof(*rep));
	recovery_init(rv);
	if (o && o->no_iter)
		recovery_add(rv, RV_TAGS, "iter", false, 0, "iter/dmabuf not used (disabled): "
			     "learned at the next SET or query");
	else
		scan_iter(o && o->verbose, fn, ctx, rep);
	/* holders by pid: the iterator knows dma-bufs, not who holds them */
	scan_proc(proc, now, fn, ctx, rep);
	recovery_add(rv, RV_DMABUFS, "proc", rep->procs > 0, rep->fds + rep->maps,
		     "%u fd(s) and %u mapping(s) in %u of %u process(es)%s", rep->fds,
		     rep->maps, rep->holders, rep->procs,
		     rep->procs_denied ? " (some not readable: run as root)" : "");
	recovery_add(rv, RV_HOLDERS, "proc", rep->procs > 0, rep->holders,
		     "%u process(es) hold a dma-buf", rep->holders);
	if (!rep->iter_ok)
		scan_bufinfo(bufinfo, now, fn, ctx, rep);
	if (*pci)
		state_recover_pci(pci, now, fn, ctx, rep);
	state_recover_rdma(proc, o ? o->sysfs_ib : NULL, now, fn, ctx, rep);
	recovery_add(rv, RV_ST_ENTRIES, "-", false, 0,
		     "NIC ST table contents are driver-private: entries in use are "
		     "counted from the next alloc/put");
}
