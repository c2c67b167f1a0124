// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Create one real dma-buf from a stock exporter and print its identity:
 *   mkdmabuf udmabuf SIZE   memfd + F_SEAL_SHRINK + UDMABUF_CREATE
 *   mkdmabuf heap SIZE      /dev/dma_heap/system DMA_HEAP_IOCTL_ALLOC
 * Prints "exporter=NAME ino=INODE size=SIZE" and closes it (release).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
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

int main(int argc, char **argv)
{
	struct stat st;
	size_t size;
	int fd;

	if (argc != 3 || !(size = strtoull(argv[2], NULL, 0))) {
		fprintf(stderr, "usage: mkdmabuf udmabuf|heap SIZE\n");
		return 2;
	}
	if (!strcmp(argv[1], "udmabuf"))
		fd = make_udmabuf(size);
	else if (!strcmp(argv[1], "heap"))
		fd = make_heap(size);
	else
		fd = -1;
	if (fd < 0 || fstat(fd, &st))
		return 1;
	printf("exporter=%s ino=%lu size=%zu\n",
	       !strcmp(argv[1], "heap") ? "system" : "udmabuf",
	       (unsigned long)st.st_ino, size);
	fflush(stdout);
	close(fd);
	return 0;
}
