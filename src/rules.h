/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Rules engine: one table of rules (id, severity, title, check function,
 * fix hint) evaluated over the model. A rule runs after model_apply() for
 * the record kinds it names, and/or once over the model state (RULE_STATE:
 * lost records, evictions). Findings are deduplicated by (rule, dma-buf,
 * device): a repeat raises the count, the first occurrence's evidence is
 * kept. The store is bounded; what does not fit is counted.
 */
#ifndef TPHTRACE_RULES_H
#define TPHTRACE_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>
#include "model.h"

enum rule_sev {
	SEV_INFO = 0,
	SEV_WARNING,
	SEV_ERROR,
	SEV_MAX,
};

const char *rule_sev_name(enum rule_sev sev);

struct rule_ctx;

#define RULE_KIND(k)	(1u << (k))
#define RULE_STATE	(1u << 31)	/* also evaluated over the model state */

struct rule {
	const char *id;		/* stable: TPH001.. */
	enum rule_sev sev;
	const char *title;
	const char *eref;	/* misconfiguration catalogue entries (E1..E16) */
	uint32_t kinds;		/* RULE_KIND() of the triggering records | RULE_STATE */
	/* @rec is NULL for the state pass */
	void (*check)(struct rule_ctx *c, const union tph_record *rec);
	const char *hint;
};

extern const struct rule tph_rules[];
extern const unsigned int tph_nrules;
const struct rule *rule_by_id(const char *id);

#define FINDING_VALUES_LEN	192

struct finding {
	uint16_t rule;		/* index into tph_rules */
	uint16_t dev;		/* model device index, M_NODEV */
	uint32_t mkey;		/* an MR of the evidence, 0 none */
	uint64_t ino;		/* dma-buf, 0 none */
	uint64_t count;
	uint64_t first_ns, last_ns;
	uint32_t tgid;
	char comm[TPH_COMM_LEN];
	char exp_name[TPH_NAME_LEN];
	char exporter[64];	/* exporter device as rendered at the time */
	char device[64];	/* NIC / importer / PCI function */
	char values[FINDING_VALUES_LEN];	/* "key=value key=value" */
};

struct rules {
	const struct model *m;
	struct finding *f;
	uint64_t *keys;
	struct oa_index ix;
	uint32_t n, cap;
	uint64_t dropped;		/* findings that did not fit */
	uint64_t by_sev[SEV_MAX];	/* distinct findings per severity */
	uint64_t unobserved;		/* MR outcomes with reason "unknown" */
};

int rules_init(struct rules *rs, const struct model *m, uint32_t max_findings);
void rules_free(struct rules *rs);
/* run the rules triggered by @rec; call right after model_apply(@rec) */
void rules_on_record(struct rules *rs, const union tph_record *rec);
/* run the RULE_STATE rules over the current model (idempotent) */
void rules_eval_state(struct rules *rs);
/* findings sorted for display (severity, rule id, first seen); caller frees */
const struct finding **rules_sorted(const struct rules *rs, uint32_t *n);

/* distinct findings per dma-buf, indexed like the model's dma-buf pool */
uint32_t *rules_count_by_buf(const struct rules *rs);

void rules_print_text(FILE *out, const struct rules *rs, bool hints);
struct json_object *rules_finding_json(const struct rules *rs,
				       const struct finding *f);
/* {"findings":[...],"summary":{...}} (new reference) */
struct json_object *rules_to_json(const struct rules *rs);

#endif /* TPHTRACE_RULES_H */
