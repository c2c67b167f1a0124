// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Create one real dma-buf from a stock exporter and print its identity:
 *   mkdmabuf [-n NAME] [-w FILE] udmabuf SIZE   memfd + F_SEAL_SHRINK + UDMABUF_CREATE
 *   mkdmabuf [-n NAME] [-w FILE] heap SIZE      /dev/dma_heap/system DMA_HEAP_IOCTL_ALLOC
 *   mkdmabuf [-n NAME] [-w FILE] vgem SIZE      a vgem dumb buffer exported through DRM
 *       PRIME (SIZE a multiple of 4096; for kernels without dma-buf heaps, such as
 *       Debian's arm64 6.12)
 * NAME in "exporter=NAME" is the dma-buf's exp_name: udmabuf, system (the heap's
 * name), drm (PRIME exports carry drm_prime.c's KBUILD_MODNAME).
 * -i first imports the dma-buf into vgem (PRIME fd-to-handle: the DRM core's
 * dma_buf_attach() for the vgem device, and a map where the kernel maps at
 * import) and closes the GEM handle again (unmap, detach); the line then ends
 * with "importer=vgem".
 * Prints "exporter=NAME ino=INODE size=SIZE pid=PID" and closes it
 * (release). -n names it (DMA_BUF_SET_NAME); -w holds it until FILE exists,
 * then closes it and prints "closed_ns=NS" (CLOCK_MONOTONIC, the clock of
 * tphtrace's timestamps, read just BEFORE close(): the release happens inside
 * close(), so a sampled release may carry any time after this one, including
 * one before close() returns).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <drm.h>
#include <drm_mode.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "vgem.h"
#include <sys/stat.h>

static int make_udmabuf(size_t size)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev, memfd, fd = -1;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	memfd = memfd_create("tphtrace-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (dev < 0 || memfd < 0)
		goto out;
	if (ftruncate(memfd, size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		goto out;
	c.memfd = memfd;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
out:
	if (fd < 0)
		fprintf(stderr, "mkdmabuf: udmabuf: %s\n", strerror(errno));
	if (memfd >= 0)
		close(memfd);
	if (dev >= 0)
		close(dev);
	return fd;
}

static int make_heap(size_t size)
{
	struct dma_heap_allocation_data a = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	if (heap < 0 || ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a)) {
		fprintf(stderr, "mkdmabuf: system heap: %s\n", strerror(errno));
		if (heap >= 0)
			close(heap);
		return -1;
	}
	close(heap);
	return a.fd;
}

/* PRIME import into vgem (attach [+ map]), then GEM_CLOSE (unmap + detach) */
static int import_vgem(int fd)
{
	struct drm_prime_handle p = { .fd = fd };
	struct drm_gem_close c = { 0 };
	int dri = open_vgem(), err = -1;

	if (dri < 0)
		fprintf(stderr, "mkdmabuf: vgem: %s\n", strerror(errno));
	else if (ioctl(dri, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		fprintf(stderr, "mkdmabuf: vgem import: %s\n", strerror(errno));
	else if (c.handle = p.handle, ioctl(dri, DRM_IOCTL_GEM_CLOSE, &c))
		fprintf(stderr, "mkdmabuf: vgem GEM_CLOSE: %s\n", strerror(errno));
	else
		err = 0;
	if (dri >= 0)
		close(dri);
	return err;
}

static int make_vgem(size_t size)
{
	/* 4096-byte rows: the buffer is exactly SIZE (drm_mode_size_dumb) */
	struct drm_mode_create_dumb c = { .width = 1024, .bpp = 32, .height = size / 4096 };
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR, .fd = -1 };
	int dri = open_vgem();

	if (size % 4096)
		errno = EINVAL;
	else if (dri >= 0 && !ioctl(dri, DRM_IOCTL_MODE_CREATE_DUMB, &c)) {
		p.handle = c.handle;
		if (ioctl(dri, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
			p.fd = -1;
	}
	if (p.fd < 0)
		fprintf(stderr, "mkdmabuf: vgem: %s\n", strerror(errno));
	/* the dma-buf holds its own reference on the GEM object */
	if (dri >= 0)
		close(dri);
	return p.fd;
}

int main(int argc, char **argv)
{
	const char *name = NULL, *wait_file = NULL;
	bool import = false;
	struct timespec ts;
	struct stat st;
	size_t size;
	int fd, opt;

	while ((opt = getopt(argc, argv, "in:w:")) != -1) {
		if (opt == 'i')
			import = true;
		else if (opt == 'n')
			name = optarg;
		else if (opt == 'w')
			wait_file = optarg;
		else
			goto usage;
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || !(size = strtoull(argv[1], NULL, 0)))
		goto usage;
	if (!strcmp(argv[0], "udmabuf"))
		fd = make_udmabuf(size);
	else if (!strcmp(argv[0], "heap"))
		fd = make_heap(size);
	else if (!strcmp(argv[0], "vgem"))
		fd = make_vgem(size);
	else
		fd = -1;
	if (fd < 0 || fstat(fd, &st))
		return 1;
	if (name && ioctl(fd, DMA_BUF_SET_NAME, name)) {
		fprintf(stderr, "mkdmabuf: DMA_BUF_SET_NAME: %s\n", strerror(errno));
		return 1;
	}
	if (import && import_vgem(fd))
		return 1;
	printf("exporter=%s ino=%lu size=%zu pid=%d%s\n",
	       !strcmp(argv[0], "heap") ? "system" : !strcmp(argv[0], "vgem") ? "drm" : "udmabuf",
	       (unsigned long)st.st_ino, size, (int)getpid(), import ? " importer=vgem" : "");
	fflush(stdout);
	while (wait_file && access(wait_file, F_OK))
		usleep(10000);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	close(fd);
	if (wait_file) {
		printf("closed_ns=%llu\n",
		       (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec);
	}
	return 0;
usage:
	fprintf(stderr, "usage: mkdmabuf [-i] [-n NAME] [-w FILE] udmabuf|heap|vgem SIZE\n");
	return 2;
}
