/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The DRM device whose driver is vgem (modprobe vgem first), the stock
 * dma-buf importer of the guests: tests/vm/mkdmabuf.c and bench/p7ops.c.
 * Needs <drm.h>, <fcntl.h>, <stdio.h>, <string.h>, <unistd.h>,
 * <sys/ioctl.h>. Returns an fd, or -1 with errno ENODEV.
 */
#ifndef TPHTRACE_TESTS_VGEM_H
#define TPHTRACE_TESTS_VGEM_H

static inline int open_vgem(void)
{
	char path[32], name[16];
	int i, fd;

	for (i = 0; i < 16; i++) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	errno = ENODEV;
	return -1;
}

#endif
