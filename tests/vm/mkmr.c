// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Register real MRs through libibverbs and keep them until told to stop,
 * so that a tool started afterwards finds them in the kernel (the RDMA
 * netlink resource dump tphtrace reads at start):
 *
 *   mkmr [-d IBDEV] [-n COMM] [-p NPDS] LENGTH[:ACCESS]...
 *
 * ACCESS is a string of l (local write), r (remote read), w (remote write),
 * a (remote atomic); default "l". MR i goes to PD i % NPDS (default 1).
 * -n sets the process name (comm) first, so that two instances can be told
 * apart. Prints one line per MR,
 *   mr dev=rxe0 pid=123 comm=NAME lkey=0x... rkey=0x... length=N access=0x...
 * then "ready", then waits until stdin reaches EOF (or SIGTERM/SIGINT) and
 * deregisters everything. Exit 1 when a registration fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <infiniband/verbs.h>

#define MAX_MRS	16
#define MAX_PDS	4

static int parse_access(const char *s)
{
	int acc = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'l':
			acc |= IBV_ACCESS_LOCAL_WRITE;
			break;
		case 'r':
			acc |= IBV_ACCESS_REMOTE_READ;
			break;
		case 'w':	/* remote write needs local write (verbs rule) */
			acc |= IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_LOCAL_WRITE;
			break;
		case 'a':
			acc |= IBV_ACCESS_REMOTE_ATOMIC | IBV_ACCESS_LOCAL_WRITE;
			break;
		default:
			return -1;
		}
	}
	return acc;
}

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct ibv_device **list = NULL;
	struct ibv_context *ctx = NULL;
	struct ibv_pd *pd[MAX_PDS] = {};
	struct ibv_mr *mr[MAX_MRS] = {};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *want = NULL, *comm = NULL;
	int i, n, opt, npds = 1, nmr = 0, ret = 1;
	char comm_now[17] = "", buf[64];

	while ((opt = getopt(argc, argv, "d:n:p:")) != -1) {
		switch (opt) {
		case 'd':
			want = optarg;
			break;
		case 'n':
			comm = optarg;
			break;
		case 'p':
			npds = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind >= argc || argc - optind > MAX_MRS || npds < 1 || npds > MAX_PDS)
		goto usage;
	if (comm && prctl(PR_SET_NAME, comm, 0, 0, 0))
		perror("mkmr: PR_SET_NAME");
	prctl(PR_GET_NAME, comm_now, 0, 0, 0);

	list = ibv_get_device_list(&n);
	if (!list || !n) {
		fprintf(stderr, "mkmr: no RDMA device (%s)\n", list ? "none listed" :
			strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!want || !strcmp(ibv_get_device_name(list[i]), want))
			break;
	if (i == n) {
		fprintf(stderr, "mkmr: no RDMA device %s\n", want);
		goto out;
	}
	ctx = ibv_open_device(list[i]);
	if (!ctx) {
		fprintf(stderr, "mkmr: ibv_open_device(%s): %s\n",
			ibv_get_device_name(list[i]), strerror(errno));
		goto out;
	}
	for (i = 0; i < npds; i++) {
		pd[i] = ibv_alloc_pd(ctx);
		if (!pd[i]) {
			fprintf(stderr, "mkmr: ibv_alloc_pd: %s\n", strerror(errno));
			goto out;
		}
	}
	for (i = optind; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		unsigned long long len = strtoull(argv[i], NULL, 0);
		int acc = parse_access(colon ? colon + 1 : "l");
		void *mem;

		if (!len || acc < 0)
			goto usage;
		/* page-aligned, touched: the kernel pins it */
		if (posix_memalign(&mem, 4096, len)) {
			fprintf(stderr, "mkmr: out of memory\n");
			goto out;
		}
		memset(mem, 0, len);
		mr[nmr] = ibv_reg_mr(pd[nmr % npds], mem, len, acc);
		if (!mr[nmr]) {
			fprintf(stderr, "mkmr: ibv_reg_mr(%llu, 0x%x): %s\n", len, acc,
				strerror(errno));
			free(mem);
			goto out;
		}
		printf("mr dev=%s pid=%d comm=%s lkey=0x%x rkey=0x%x length=%zu access=0x%x "
		       "pd=%d\n", ibv_get_device_name(ctx->device), (int)getpid(), comm_now,
		       mr[nmr]->lkey, mr[nmr]->rkey, mr[nmr]->length, acc, nmr % npds);
		nmr++;
	}
	printf("ready\n");
	fflush(stdout);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* stay alive until stdin closes or a signal interrupts the read */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	ret = 0;
out:
	for (i = 0; i < nmr; i++) {
		void *addr = mr[i]->addr;

		ibv_dereg_mr(mr[i]);
		free(addr);
	}
	for (i = 0; i < npds; i++)
		if (pd[i])
			ibv_dealloc_pd(pd[i]);
	if (ctx)
		ibv_close_device(ctx);
	if (list)
		ibv_free_device_list(list);
	return ret;
usage:
	fprintf(stderr, "usage: mkmr [-d IBDEV] [-n COMM] [-p NPDS] LENGTH[:lrwa]...\n");
	ret = 2;
	goto out;
}
