// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The --web.config.file parser: bytes as YAML through libyaml, the strict
 * schema walk and its checks, inline PEM certificates and keys through
 * GnuTLS, the priority string built from the TLS keys. No file is read.
 */
#include "fuzz.h"
#include "webcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webcfg c;
	char err[512];

	if (!webcfg_parse((const char *)data, size, "fuzz.yml", "/nonexistent",
			  WEBCFG_NO_FILES, &c, err, sizeof(err)))
		webcfg_free(&c);
	return 0;
}
