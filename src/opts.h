/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The flag convention of every command (docs/tphtrace.8, "COMMON OPTIONS"):
 * one parser for the flags all commands share, with one meaning each:
 *
 *   -h, --help            this command's help (also: tphtrace help CMD)
 *   -j, --json            JSON (docs/json.md)
 *   -v, --verbose         more: nothing elided, libbpf debug output
 *   -D, --duration=SEC    trace live this long
 *   -d, --device=DEV      one device (PCI address or name)
 *   -p, --pid=PID         one process
 *   -i, --dmabuf=INODE    one dma-buf
 *   -r, --replay=FILE     a recorded `tphtrace trace -j` file instead of live
 *       --at=TIME         with --replay: the state at TIME
 *       --hooks=EV=FAM    force a hook family
 *       --poll-interval=S the sampled fallback's interval (iter/dmabuf)
 *       --max-*=N         the model's limits
 *
 * Every command accepts every one of them; a flag that means nothing to a
 * command is refused with "--FLAG does not apply to CMD" (exit 2) rather than
 * "unrecognized option", and is hidden from its --help.
 */
#ifndef TPHTRACE_OPTS_H
#define TPHTRACE_OPTS_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include "feed.h"
#include "filter.h"
#include "hooks.h"

/* which common flags a command gives a meaning (struct cmd_opts.applies) */
#define OPT_F_JSON	0x001
#define OPT_F_VERBOSE	0x002
#define OPT_F_DURATION	0x004
#define OPT_F_DEVICE	0x008
#define OPT_F_PID	0x010
#define OPT_F_DMABUF	0x020
#define OPT_F_REPLAY	0x040
#define OPT_F_AT	0x080
#define OPT_F_HOOKS	0x100
#define OPT_F_LIMITS	0x200
#define OPT_F_POLL	0x400	/* --poll-interval: commands that trace live */
/* the model-based views (list, top, check): all of them */
#define OPT_F_VIEW	(OPT_F_JSON | OPT_F_VERBOSE | OPT_F_DURATION | OPT_F_DEVICE | \
			 OPT_F_PID | OPT_F_DMABUF | OPT_F_REPLAY | OPT_F_AT | OPT_F_HOOKS | \
			 OPT_F_LIMITS | OPT_F_POLL)

/* keys of the common flags without a short option (for struct opt_doc) */
enum {
	OPTS_KEY_USAGE = 0x300,
	OPTS_KEY_AT,
	OPTS_KEY_HOOKS,
	OPTS_KEY_MAX_BUFS,
	OPTS_KEY_MAX_MRS,
	OPTS_KEY_MAX_ATTACH,
	OPTS_KEY_MAX_FINDINGS,
	OPTS_KEY_POLL_INTERVAL,
};

/* a command's own words for a common flag (NULL: the common text) */
struct opt_doc {
	int key;		/* 'D', 'd', ... */
	const char *doc;
};

struct cmd_opts {
	const char *cmd;		/* "list" */
	unsigned int applies;		/* OPT_F_* */
	const struct opt_doc *docs;	/* ends with { 0 } (may be NULL) */

	bool json;
	bool verbose;
	double duration;		/* seconds, 0: none */
	struct rec_filter filter;	/* -p, -i, -d */
	const char *replay;
	bool have_at;
	bool at_relative;		/* --at +SECONDS: from the first record */
	uint64_t at_ns;
	struct hook_force force;
	double poll_interval_s;		/* --poll-interval, 0: the default */
	struct feed_opts fo;		/* --max-* */
};

/*
 * Parse @argv for command @o->cmd: @own (the command's options and parser,
 * @input its state) plus the common flags into @o. Usage lines and errors
 * name "tphtrace CMD". Returns 0, or the exit code (2) after a usage error.
 */
int opts_parse(struct cmd_opts *o, const struct argp *own, void *input, int argc,
	       char **argv);

/*
 * The device of -d as the model knows it: M_NODEV when -d was not given,
 * OPTS_NO_DEVICE when the model does not know it (nothing matches).
 */
#define OPTS_NO_DEVICE	0xfffe
struct model;
uint16_t opts_device(const struct cmd_opts *o, const struct model *m);

#endif /* TPHTRACE_OPTS_H */
