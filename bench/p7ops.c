// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfbench p7mr / p7dmabuf: the traced operations of bench/README.md, P7,
 * timed one by one in a guest. The same process runs with no tracer, with
 * `tphtrace trace -j` and with bpftrace attached (bench/guest*.sh); P7 is
 * the ratio of the medians.
 *
 *   p7mr -n N        an MR registration + deregistration through tphsim
 *                    (/dev/tphsim): as kernel/tphsim/scenarios/ok_8bit.scn,
 *                    an 8-bit steering tag published on a 64 KiB dma-buf,
 *                    then N times MR_REG + MR_DEREG on it (attach, TPH
 *                    query, ST index alloc and write, map; unmap, put,
 *                    detach)
 *   p7dmabuf -n N    N times a whole dma-buf life: UDMABUF_CREATE on a
 *                    sealed 64 KiB memfd (export), imported by vgem
 *                    (DRM_IOCTL_PRIME_FD_TO_HANDLE: attach + map), released
 *                    (DRM_IOCTL_GEM_CLOSE: unmap + detach), fd closed
 *                    (release)
 *
 * Each prints "p7 op=mr|dmabuf n=N median_us=X p10_us=X p90_us=X" after a
 * warm-up of N/10 operations; exit 77 when the kernel lacks what it needs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/udmabuf.h>
#include <drm.h>
#include "vm/vgem.h"
#include "tphsim/tphsim_uapi.h"
#include "p7ops.h"

#define P7_SIZE		65536

static double mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *op, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	printf("p7 op=%s n=%d median_us=%.2f p10_us=%.2f p90_us=%.2f\n", op, n,
	       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[n / 10], v[n * 9 / 10]);
}

static int parse_n(int argc, char **argv)
{
	int n = 1000;

	if (argc == 3 && !strcmp(argv[1], "-n"))
		n = atoi(argv[2]);
	else if (argc != 1)
		n = -1;
	return n >= 10 ? n : -1;
}

/* ok_8bit.scn up to its first "reg": a published 8-bit tag, a TPH NIC */
static int mr_setup(int ctl, int *buf, __u32 *nic)
{
	struct tphsim_exporter_create e = { .bus = 0x3a, .completer = TPHSIM_TPH_ONLY,
					    .kind = TPHSIM_EXP_VFIO };
	struct tphsim_nic_create c = { .bus = 0x3b, .req_cap = TPHSIM_TPH_ONLY,
				       .rp_completer = TPHSIM_TPH_EXT,
				       .st_mode = TPHSIM_ST_TABLE, .st_size = 8,
				       .pool_depth = 8 };
	struct vfio_device_feature_dma_buf_tph p = { .flags = VFIO_DMA_BUF_TPH_ST,
						     .steering_tag = 0x2a, .ph = 2 };
	struct tphsim_export x = { .size = P7_SIZE, .fd_flags = O_CLOEXEC };
	struct tphsim_feature f = { .flags = VFIO_DEVICE_FEATURE_SET |
					     VFIO_DEVICE_FEATURE_DMA_BUF_TPH,
				    .argsz = sizeof(p) };

	snprintf(e.name, sizeof(e.name), "gpu0");
	snprintf(c.ibdev, sizeof(c.ibdev), "tphsim_ib0");
	if (ioctl(ctl, TPHSIM_IOC_EXPORTER_CREATE, &e))
		return -errno;
	x.exporter = e.handle;
	if (ioctl(ctl, TPHSIM_IOC_EXPORT, &x))
		return -errno;
	p.dmabuf_fd = x.fd;
	f.exporter = e.handle;
	f.data = (__u64)(uintptr_t)&p;
	if (ioctl(ctl, TPHSIM_IOC_FEATURE, &f) || ioctl(ctl, TPHSIM_IOC_NIC_CREATE, &c))
		return -errno;
	*buf = x.fd;
	*nic = c.handle;
	return 0;
}

static int mr_cycle(int ctl, int buf, __u32 nic)
{
	struct tphsim_mr_reg r = { .nic = nic, .fd = buf, .access = 7,
				   .length = 4096, .iova = 0x10000000 };
	struct tphsim_mr_info d = { 0 };

	if (ioctl(ctl, TPHSIM_IOC_MR_REG, &r))
		return -errno;
	d.handle = r.handle;
	return ioctl(ctl, TPHSIM_IOC_MR_DEREG, &d) ? -errno : 0;
}

int cmd_p7mr(int argc, char **argv)
{
	int n = parse_n(argc, argv), ctl, buf = -1, i, ret;
	double *v, t;
	__u32 nic = 0;

	if (n < 0) {
		fprintf(stderr, "usage: bpfbench p7mr [-n N>=10]\n");
		return 2;
	}
	ctl = open("/dev/tphsim", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "p7mr: /dev/tphsim: %s (insmod tphsim.ko)\n", strerror(errno));
		return 77;
	}
	v = calloc(n, sizeof(*v));
	ret = v ? mr_setup(ctl, &buf, &nic) : -ENOMEM;
	for (i = -n / 10; !ret && i < n; i++) {
		t = mono_us();
		ret = mr_cycle(ctl, buf, nic);
		if (i >= 0)
			v[i] = mono_us() - t;
	}
	if (ret)
		fprintf(stderr, "p7mr: %s\n", strerror(-ret));
	else
		report("mr", v, n);
	free(v);
	close(ctl);	/* tphsim tears its objects down with the file */
	return ret ? 1 : 0;
}

/* create, attach + map (vgem imports), unmap + detach, release */
static int dmabuf_cycle(int udev, int memfd, int vgem)
{
	struct udmabuf_create c = { .memfd = memfd, .flags = UDMABUF_FLAGS_CLOEXEC,
				    .size = P7_SIZE };
	struct drm_prime_handle p = { 0 };
	struct drm_gem_close g = { 0 };
	int fd, ret = 0;

	fd = ioctl(udev, UDMABUF_CREATE, &c);
	if (fd < 0)
		return -errno;
	p.fd = fd;
	if (ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p)) {
		ret = -errno;
	} else {
		g.handle = p.handle;
		if (ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &g))
			ret = -errno;
	}
	close(fd);
	return ret;
}

int cmd_p7dmabuf(int argc, char **argv)
{
	int n = parse_n(argc, argv), udev, memfd, vgem, i, ret;
	double *v, t;

	if (n < 0) {
		fprintf(stderr, "usage: bpfbench p7dmabuf [-n N>=10]\n");
		return 2;
	}
	udev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	vgem = open_vgem();
	memfd = memfd_create("p7", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (udev < 0 || vgem < 0 || memfd < 0 || ftruncate(memfd, P7_SIZE) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		fprintf(stderr, "p7dmabuf: needs /dev/udmabuf and vgem (modprobe vgem): %s\n",
			udev < 0 ? "no /dev/udmabuf" : vgem < 0 ? "no vgem device" :
			strerror(errno));
		return 77;
	}
	v = calloc(n, sizeof(*v));
	ret = v ? 0 : -ENOMEM;
	for (i = -n / 10; !ret && i < n; i++) {
		t = mono_us();
		ret = dmabuf_cycle(udev, memfd, vgem);
		if (i >= 0)
			v[i] = mono_us() - t;
	}
	if (ret)
		fprintf(stderr, "p7dmabuf: %s\n", strerror(-ret));
	else
		report("dmabuf", v, n);
	free(v);
	close(vgem);
	close(udev);
	close(memfd);
	return ret ? 1 : 0;
}
