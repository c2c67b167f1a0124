// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The trace-line parser (--replay): bytes as a `trace -j` file through the
 * bounded line reader, json-c and the record reader, into the model and the
 * rules (small pools, so that eviction runs too), then the rules' state
 * checks and their text and JSON output.
 */
#include <stdio.h>
#include <stdlib.h>
#include "feed.h"
#include "fuzz.h"
#include "jw.h"
#include "model.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_ops ops = { .on_record = feed_record, .on_lost = feed_lost };
	struct feed_opts o;
	struct feed f;
	struct jw w;
	char err[512];
	FILE *in, *out;

	if (!size)
		return 0;
	feed_default_opts(&o);
	o.lim.bufs = o.lim.mrs = o.lim.attachments = o.lim.st_entries = 16;
	o.lim.holders = 32;
	o.lim.devices = 8;
	o.max_findings = 16;
	if (feed_init(&f, &o))
		return 0;
	ops.ctx = &f;
	in = fmemopen((void *)data, size, "r");
	if (in) {
		if (replay_stream(in, "fuzz", &ops, err, sizeof(err)) >= 0) {
			rules_eval_state(&f.rs);
			out = fopen("/dev/null", "w");
			if (out) {
				/* wrapped at 80 columns, as on a terminal */
				rules_print_text(out, &f.rs, true, 80, 0, M_NODEV);
				jw_init(&w, out);
				jw_doc(&w, "check");
				rules_json(&w, &f.rs, 0, M_NODEV);
				jw_obj_end(&w);
				fclose(out);
			}
		}
		fclose(in);
	}
	feed_close(&f);
	return 0;
}
