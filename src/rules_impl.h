/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Inside the rules engine: what a check function files a finding with. */
#ifndef TPHTRACE_RULES_IMPL_H
#define TPHTRACE_RULES_IMPL_H

#include "rules.h"

struct rule_ctx {
	struct rules *rs;
	const struct model *m;
	uint16_t rule;
};

/*
 * A finding of the current rule keyed by (@ino, @dev); @h (may be NULL)
 * names the process. Returns the finding when it is new, for its evidence;
 * NULL for a repeat (which only counts: the first evidence is kept) or when
 * the store is full.
 */
struct finding *rule_emit(struct rule_ctx *c, uint64_t ino, uint16_t dev, uint32_t mkey,
			  const struct tph_hdr *h);
/* the one finding of a state rule, count set to @count, evidence cleared */
struct finding *rule_emit_state(struct rule_ctx *c, uint64_t count);

/* evidence values (no-ops on NULL, so a repeat files nothing) */
void fv_u64(struct finding *f, const char *key, uint64_t v);
void fv_i64(struct finding *f, const char *key, int64_t v);
void fv_hex(struct finding *f, const char *key, uint64_t v);
void fv_errno(struct finding *f, const char *key, int32_t v);
void fv_str(struct finding *f, const char *key, const char *v);

#endif /* TPHTRACE_RULES_IMPL_H */
