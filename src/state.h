/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * State that existed before tphtrace started, fed to the model as
 * synthetic records with hook "iter":
 *  - /proc/PID/fd + fdinfo: dma-buf fds (exp_name:, size:, inode from the
 *    fd's stat) -> dmabuf_export records, one per fd, from that process;
 *  - /proc/PID/maps: mapped dma-bufs -> dmabuf_export records (inode only);
 *  - debugfs dma_buf/bufinfo: every dma-buf with its attached devices ->
 *    dmabuf_export and attach records (no process, no attach cookie).
 * What cannot be recovered is said in the report: the TPH tags already
 * published (exporter-private state, needs iter/dmabuf + CO-RE), MRs that
 * already exist (RDMA netlink resource dump), the ST table contents.
 */
#ifndef TPHTRACE_STATE_H
#define TPHTRACE_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>
#include "tphtrace/tphtrace.h"

struct state_opts {
	const char *proc;	/* default "/proc" */
	const char *bufinfo;	/* default "/sys/kernel/debug/dma_buf/bufinfo" */
	bool check_iter;	/* look for iter/dmabuf support in vmlinux BTF */
};

struct state_report {
	unsigned int procs;		/* processes scanned */
	unsigned int procs_denied;	/* fd directory not readable */
	unsigned int fds;		/* dma-buf fds found */
	unsigned int maps;		/* dma-buf mappings found */
	unsigned int holders;		/* processes holding a dma-buf */
	unsigned int bufs_debugfs;	/* dma-bufs listed by bufinfo */
	unsigned int attach_debugfs;	/* attachments listed by bufinfo */
	uint64_t records;		/* synthetic records produced */
	bool debugfs_ok;
	char debugfs[192];		/* bufinfo: what happened */
	char iter[192];			/* iter/dmabuf */
	char tags[192];			/* published TPH state */
	char mrs[192];			/* existing MRs */
	char st[192];			/* ST tables / PCI TPH state */
};

typedef int (*state_record_fn)(void *ctx, const union tph_record *rec);

void state_recover(const struct state_opts *o, state_record_fn fn, void *ctx,
		   struct state_report *rep);
/* parse debugfs bufinfo text (exposed for tests) */
void state_parse_bufinfo(FILE *f, uint64_t now_ns, state_record_fn fn, void *ctx,
			 struct state_report *rep);
void state_report_print(FILE *out, const struct state_report *rep);
struct json_object *state_report_json(const struct state_report *rep);

#endif /* TPHTRACE_STATE_H */
