// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The sysfs config-space decoder: devices as `devices` reads them from
 * /sys/bus/pci/devices/<bdf>/config (any length up to 4096 bytes, as a
 * non-root read returns 64), with parents as the sysfs tree links them, then
 * the same derivations as for a dump. Input: a device count, then per device
 * a length (2 bytes), a parent selector and that many config bytes.
 */
#include <stdlib.h>
#include <string.h>
#define FUZZ_NO_LSPCI_ENTRY
#include "fuzz_lspci.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcicfg_set set;
	size_t pos = 1, n, i, len;

	if (!size)
		return 0;
	n = data[0] % 9;
	pcicfg_set_init(&set, PCICFG_SRC_SYSFS);
	set.devs = calloc(n ? n : 1, sizeof(*set.devs));
	if (!set.devs)
		return 0;
	set.cap = n ? n : 1;
	for (i = 0; i < n; i++) {
		struct pcicfg_dev *d = &set.devs[i];
		uint8_t sel;

		d->cfg = calloc(1, PCICFG_EXT_SIZE);
		if (!d->cfg)
			break;
		set.n++;
		d->bdf.domain = 0;
		d->bdf.bus = (uint8_t)i;
		d->parent = PCICFG_PARENT_UNKNOWN;
		if (pos + 3 > size)
			continue;
		len = ((size_t)data[pos] | (size_t)data[pos + 1] << 8) % (PCICFG_EXT_SIZE + 1);
		sel = data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		memcpy(d->cfg, data + pos, len);
		pos += len;
		d->len = (unsigned int)len;
		d->size = (unsigned int)len;
		/* a parent anywhere in the set (loops included), the root, or unknown */
		d->parent = sel < 0xf0 ? (long)(sel % (n ? n : 1)) :
			    sel & 1 ? PCICFG_PARENT_ROOT : PCICFG_PARENT_UNKNOWN;
	}
	fuzz_walk_set(&set);
	pcicfg_set_free(&set);
	return 0;
}
