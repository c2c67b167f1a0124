// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The lspci dump parser (devices --config-dump): bytes as an `lspci -xxxx`
 * dump, then what `devices` derives from it: decoding, the topology by bus
 * numbers, the Root Port above each device, the requester type the kernel
 * would program, every ST table entry.
 */
#include <stdio.h>
#include "fuzz.h"
#include "pcicfg.h"

void fuzz_walk_set(struct pcicfg_set *set);

void fuzz_walk_set(struct pcicfg_set *set)
{
	struct pcicfg_req_eval ev;
	struct pcicfg_rp rp;
	struct pcicfg_why why;
	uint16_t v;
	unsigned int i, k;
	size_t j;

	pcicfg_set_analyze(set);
	for (j = 0; j < set->n; j++) {
		const struct pcicfg_dev *d = &set->devs[j];

		pcicfg_check_list(d, false, &why);
		pcicfg_check_list(d, true, &why);
		pcicfg_find_root_port(set, j, &rp);
		pcicfg_eval_requester(&d->info, &rp,
				      rp.state == PCICFG_RP_FOUND ? &set->devs[rp.idx].info : NULL,
				      &ev);
		for (i = 0; i < d->info.tph.st_count && i < 64; i++)
			pcicfg_tph_st_entry(d, i, &v);
		for (k = 0; k < 4; k++) {
			(void)pcicfg_req_name(k);
			(void)pcicfg_comp_name(k);
		}
	}
}

#ifndef FUZZ_NO_LSPCI_ENTRY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcicfg_set set;
	struct pcicfg_err err;
	FILE *in;

	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	pcicfg_set_init(&set, PCICFG_SRC_DUMP);
	if (!pcicfg_parse_dump(in, &set, &err))
		fuzz_walk_set(&set);
	pcicfg_set_free(&set);
	fclose(in);
	return 0;
}
#endif
