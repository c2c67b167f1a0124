// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Export a BAR range of a PCI device bound to vfio-pci as a real dma-buf
 * (VFIO_DEVICE_FEATURE_DMA_BUF, upstream since v6.19) and print its identity:
 *
 *   mkvfiobuf [-w FILE] BDF BAR OFFSET LENGTH
 *
 * The device is opened through the legacy VFIO container (type1 IOMMU): the
 * iommufd cdev path (/dev/vfio/devices/vfioN, /dev/iommu) needs CONFIG_IOMMUFD,
 * which Debian's kernels do not set. Prints
 *   "exporter=vfio_pci_core ino=INODE size=SIZE pid=PID fd=FD"
 * (the size is LENGTH, the inode fstat()'s of the returned fd; the exporter
 * name is DEFINE_DMA_BUF_EXPORT_INFO's KBUILD_MODNAME in
 * drivers/vfio/pci/vfio_pci_dmabuf.c, i.e. the module vfio-pci-core) and
 * closes it (release); -w holds it until FILE exists first.
 * Exit status: 0, or 1 with "mkvfiobuf: STEP: ERROR" on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/*
 * include/uapi/linux/vfio.h of v6.19+ (Debian 12's linux-libc-dev is 6.1's):
 * the layout is ABI, so a copy is as good as the header.
 */
#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
#define VFIO_DEVICE_FEATURE_DMA_BUF 11
struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

struct vfio_open {
	int container;
	int group;
	int device;
};

static const char *step = "arguments";

/* the IOMMU group of BDF from sysfs: the number /dev/vfio/N is named by */
static int iommu_group_of(const char *bdf)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	long grp;
	char *end;

	step = "iommu_group";
	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	errno = 0;
	grp = strtol(basename(target), &end, 10);
	if (errno || *end || grp < 0 || grp > INT_MAX)
		return -EINVAL;
	return (int)grp;
}

/* container + type1 IOMMU + group + device fd, as the VFIO docs' example */
static int vfio_open_device(const char *bdf, struct vfio_open *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int grp, iommu;

	grp = iommu_group_of(bdf);
	if (grp < 0)
		return grp;

	step = "/dev/vfio/vfio";
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		return -errno;
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return -EPROTO;
	iommu = VFIO_TYPE1v2_IOMMU;
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, iommu) <= 0)
		iommu = VFIO_TYPE1_IOMMU;

	step = "/dev/vfio/GROUP";
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		return -errno;
	step = "VFIO_GROUP_GET_STATUS";
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status))
		return -errno;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;	/* another device of the group has a host driver */
	step = "VFIO_GROUP_SET_CONTAINER";
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		return -errno;
	step = "VFIO_SET_IOMMU";
	if (ioctl(v->container, VFIO_SET_IOMMU, iommu))
		return -errno;
	step = "VFIO_GROUP_GET_DEVICE_FD";
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0)
		return -errno;
	return 0;
}

/* one range of region BAR as a dma-buf; returns its fd or -errno */
static int vfio_export_dmabuf(int device, uint32_t bar, uint64_t offset,
			      uint64_t length)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf buf;
		struct vfio_region_dma_range range;
	} __attribute__((packed)) arg = {
		.hdr.argsz = sizeof(arg),
		.hdr.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		.buf.region_index = bar,
		.buf.open_flags = O_RDWR | O_CLOEXEC,
		.buf.nr_ranges = 1,
		.range.offset = offset,
		.range.length = length,
	};
	int fd;

	step = "VFIO_DEVICE_FEATURE_DMA_BUF";
	fd = ioctl(device, VFIO_DEVICE_FEATURE, &arg);
	return fd < 0 ? -errno : fd;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -EINVAL : 0;
}

static void wait_for_file(const char *path)
{
	while (access(path, F_OK))
		usleep(50 * 1000);
}

int main(int argc, char **argv)
{
	struct vfio_open v = { -1, -1, -1 };
	const char *hold = NULL;
	uint64_t bar, offset, length;
	struct stat st;
	int opt, fd = -1, ret;

	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt != 'w')
			goto usage;
		hold = optarg;
	}
	if (argc - optind != 4 || parse_u64(argv[optind + 1], &bar) ||
	    parse_u64(argv[optind + 2], &offset) ||
	    parse_u64(argv[optind + 3], &length) || bar > 5)
		goto usage;

	ret = vfio_open_device(argv[optind], &v);
	if (ret)
		goto cleanup;
	fd = vfio_export_dmabuf(v.device, bar, offset, length);
	if (fd < 0) {
		ret = fd;
		goto cleanup;
	}
	step = "fstat";
	if (fstat(fd, &st)) {
		ret = -errno;
		goto cleanup;
	}
	printf("exporter=vfio_pci_core ino=%ju size=%" PRIu64 " pid=%d fd=%d\n",
	       (uintmax_t)st.st_ino, length, (int)getpid(), fd);
	fflush(stdout);
	if (hold)
		wait_for_file(hold);
	ret = 0;
cleanup:
	if (ret)
		fprintf(stderr, "mkvfiobuf: %s: %s\n", step, strerror(-ret));
	if (fd >= 0)
		close(fd);
	if (v.device >= 0)
		close(v.device);
	if (v.group >= 0)
		close(v.group);
	if (v.container >= 0)
		close(v.container);
	return ret ? 1 : 0;
usage:
	fprintf(stderr, "usage: mkvfiobuf [-w FILE] BDF BAR OFFSET LENGTH\n");
	return 2;
}
