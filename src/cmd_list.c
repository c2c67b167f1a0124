// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace list: one-shot inventory (view_list.c). Recovers the state that
 * exists, optionally traces for a while first (-D), or replays a trace file
 * (--at: the state at a moment of it).
 */
#include <stdio.h>
#include "cmds.h"
#include "runner.h"
#include "text.h"
#include "views.h"

static const struct opt_doc list_docs[] = {
	{ 'D', "Trace live for SECONDS first (Ctrl-C ends early), then print" },
	{ 'd', "Only this device and the dma-bufs and MRs that name it" },
	{ 'i', "Only this dma-buf and its MRs" },
	{ 'p', "Only records of this process" },
	{ 'r', "The inventory at the end of a 'tphtrace trace -j' file ('-': stdin) "
	  "instead of this host" },
	{ 'v', "Rows not wrapped; every pre-start source and what it saw" },
	{ 0 },
};

static const char list_doc[] =
"One-shot inventory of dma-bufs (exporter, size, published steering tag, "
"holders, importers, MRs with and without TPH, findings), MRs, devices "
"(PCI TPH state, ST table use) and the model's limits.\n"
"\nWhat existed before start is recovered from iter/dmabuf, /proc (fdinfo, maps), "
"debugfs dma_buf/bufinfo, the PCI config space in sysfs and, for MRs, the RDMA "
"netlink resource dump (what 'rdma resource show mr' reads; lkey/rkey need "
"CAP_NET_ADMIN), marked \"pre-start, from RDMA netlink\", with no TPH outcome. "
"The output says what could not be seen, and why (-v).\v"
"EXAMPLES:\n"
"  tphtrace list                    # what exists now\n"
"  tphtrace list -D 10 -j           # trace 10 s first, JSON\n"
"  tphtrace list --replay trace.jsonl --at +2.5   # 2.5 s into a recording\n"
"  tphtrace list --replay trace.jsonl --tree       # what is connected, each MR's path\n";

enum { OPT_TREE = 0x100 };

static const struct argp_option list_opts[] = {
	{ "tree", OPT_TREE, NULL, 0, "Text: draw the topology (exporter, dma-bufs, importers, "
	  "MRs) and each MR's path from exporter to mkey, marking where the tag was lost", 0 },
	{},
};

static error_t list_parse(int key, char *arg, struct argp_state *state)
{
	bool *tree = state->input;

	if (key != OPT_TREE)
		return ARGP_ERR_UNKNOWN;
	*tree = true;
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct argp argp = { list_opts, list_parse, NULL, list_doc, NULL, NULL, NULL };
	bool tree = false;
	struct cmd_opts o = {
		.cmd = "list", .docs = list_docs,
		.applies = OPT_F_VIEW,
	};
	struct runner_cfg cfg = { .o = &o, .live = RUN_LIVE_IF_DURATION, .recover = true };
	struct runner_ops ops = { .on_record = feed_record, .on_lost = feed_lost };
	struct view_src src;
	struct view_sel sel;
	struct runner r;
	struct feed f;
	int ret;

	ret = opts_parse(&o, &argp, &tree, argc, argv);
	if (ret)
		return ret;
	if (tree && o.json) {
		fprintf(stderr, "tphtrace list: --tree draws text; -j has the same facts\n");
		return 2;
	}
	if (feed_init(&f, &o.fo)) {
		fprintf(stderr, "tphtrace list: out of memory\n");
		return 2;
	}
	ops.ctx = &f;
	ret = runner_run(&r, &cfg, &ops);
	if (!ret) {
		view_src_init(&src, &r, &o);
		view_sel_init(&sel, &o, &f, o.verbose ? 0 : text_width(stdout, 0));
		if (o.json)
			view_list_json(stdout, &f, &src, &sel);
		else if (tree)
			view_tree_text(stdout, &f, &sel);
		else
			view_list_text(stdout, &f, &src, &sel);
	}
	runner_close(&r);
	feed_close(&f);
	return ret;
}
