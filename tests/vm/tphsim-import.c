// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Import another process's dma-buf into tphsim's mlx5 look-alike as a
 * dma-buf MR (the p2p dynamic importer of ib_umem_dmabuf_get()):
 *
 *   tphsim-import [-w FILE] PID FD LENGTH
 *
 * The dma-buf is taken with pidfd_getfd() (v5.6) from PID's FD, so the
 * exporter's process keeps its own fd. Creates one NIC (0000:3b:00.0,
 * tphsim_ib0, no ST table) and registers LENGTH bytes at offset 0. Prints
 * "nic=0000:3b:00.0 mkey=MKEY ino=INODE length=LENGTH"; -w holds the MR
 * until FILE exists. Exit status 0, or 1 with "tphsim-import: STEP: ERROR".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include "../../kernel/tphsim/tphsim_uapi.h"

#define IB_ACCESS_LOCAL_WRITE 1

static const char *step = "arguments";

static int fd_of(pid_t pid, int fd)
{
	int pidfd, ret;

	step = "pidfd_open";
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	step = "pidfd_getfd";
	ret = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	ret = ret < 0 ? -errno : ret;
	close(pidfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct tphsim_nic_create nic = {
		.ibdev = "tphsim_ib0", .bus = 0x3b, .req_cap = TPHSIM_TPH_ONLY,
		.rp_completer = TPHSIM_TPH_EXT, .st_mode = TPHSIM_ST_NONE,
	};
	struct tphsim_mr_reg mr = { .access = IB_ACCESS_LOCAL_WRITE };
	const char *hold = NULL;
	int opt, ctl = -1, buf = -1, ret;

	while ((opt = getopt(argc, argv, "w:")) != -1) {
		if (opt != 'w')
			goto usage;
		hold = optarg;
	}
	if (argc - optind != 3)
		goto usage;
	mr.length = strtoull(argv[optind + 2], NULL, 0);

	buf = fd_of(atoi(argv[optind]), atoi(argv[optind + 1]));
	if (buf < 0) {
		ret = buf;
		goto cleanup;
	}
	step = "/dev/tphsim";
	ctl = open("/dev/tphsim", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ret = -errno;
		goto cleanup;
	}
	step = "TPHSIM_IOC_NIC_CREATE";
	if (ioctl(ctl, TPHSIM_IOC_NIC_CREATE, &nic)) {
		ret = -errno;
		goto cleanup;
	}
	mr.nic = nic.handle;
	mr.fd = buf;
	step = "TPHSIM_IOC_MR_REG";
	if (ioctl(ctl, TPHSIM_IOC_MR_REG, &mr)) {
		ret = -errno;
		goto cleanup;
	}
	printf("nic=0000:3b:00.0 mkey=%u ino=%" PRIu64 " length=%" PRIu64 "\n",
	       mr.mkey, (uint64_t)mr.ino, (uint64_t)mr.length);
	fflush(stdout);
	while (hold && access(hold, F_OK))
		usleep(50 * 1000);
	ret = 0;
cleanup:
	if (ret)
		fprintf(stderr, "tphsim-import: %s: %s\n", step, strerror(-ret));
	if (ctl >= 0)
		close(ctl);	/* the MR and the NIC go with it */
	if (buf >= 0)
		close(buf);
	return ret ? 1 : 0;
usage:
	fprintf(stderr, "usage: tphsim-import [-w FILE] PID FD LENGTH\n");
	return 2;
}
