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
	uint32_t kinds;		/* RULE_KIND() of the triggering records | RULE_STATE */
	/* @rec is NULL for the state pass */
	void (*check)(struct rule_ctx *c, const union tph_record *rec);
	const char *hint;
};

extern const struct rule tph_rules[];
extern const unsigned int tph_nrules;
const struct rule *rule_by_id(const char *id);

/* One typed value of a finding's evidence. */
enum finding_vtype {
	FV_U64,		/* decimal */
	FV_I64,
	FV_HEX,		/* tags, keys, flags: 0x.. in text, a number in JSON */
	FV_ERRNO,	/* a kernel result: "-95 (EOPNOTSUPP)" in text, -95 in JSON */
	FV_STR,		/* a static string (names from record.c, rules_pub_str()) */
};

struct finding_value {
	const char *key;	/* static */
	uint8_t type;		/* enum finding_vtype */
	union {
		uint64_t u;
		int64_t i;
		const char *s;	/* static */
	};
};

#define FINDING_MAX_VALUES	8

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
	uint8_t nvalues;
	struct finding_value values[FINDING_MAX_VALUES];
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

/*
 * ---- the judgements the rules own (rules_facts.c) -------------------------
 * Views, metrics and the record writer use these and derive nothing
 * themselves.
 */

/* ST width an MR asked for: 16, 8, 0 when its TPH requester is off; an
 * unknown requester type falls back to the width of its query */
unsigned int rules_mr_width(uint8_t req_type, uint8_t extended);

/*
 * An MR went without TPH because its dma-buf publishes only the other ST
 * width: the reason the BPF side derived for that registration said so, or
 * it said not_published (the exporter's answer was not observed in that
 * call) while the model knows, from an earlier SET or query, that the other
 * width is published.
 */
bool rules_mr_width_mismatch(const struct model *m, const struct tph_ev_mr *r);

/* an MR carries a tag its dma-buf no longer publishes as it did (bitmask) */
#define RULES_STALE_SET		0x1	/* SET again with another tag since */
#define RULES_STALE_INVAL	0x2	/* invalidated (revoked, moved) since */
unsigned int rules_mr_stale(const struct model *m, const struct m_mr *x);

/* ST table entries that can hold a tag (index 0 is reserved), 0 unknown:
 * from the PCI ST Table Size, else learned at the first "table full" */
uint32_t rules_st_capacity(const struct m_dev *d);
/* the table is known and 90% used, or has one free entry left: the
 * TphStTableNearlyFull alert's threshold */
bool rules_st_nearly_full(const struct m_dev *d);

/* published widths: "8", "16", "8+16", "none" */
const char *rules_pub_str(uint8_t pub_flags);

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

/* findings that name dma-buf @ino (0: any) and device @dev (M_NODEV: any) */
bool rules_finding_matches(const struct finding *f, uint64_t ino, uint16_t dev);

/* ---- output (rules_out.c) ---- */
struct jw;
struct text_opts;
/* one finding per block; @width wraps (0: no limit); only matching findings */
void rules_print_text(FILE *out, const struct rules *rs, bool hints, unsigned int width,
		      uint64_t ino, uint16_t dev);
/* one finding's evidence as "key=value key=value" */
void rules_values_str(const struct finding *f, char *buf, size_t len);
void rules_finding_json(struct jw *w, const struct rules *rs, const struct finding *f);
/* "findings":[...],"summary":{...} members of the current object */
void rules_json(struct jw *w, const struct rules *rs, uint64_t ino, uint16_t dev);
/* the rule table: text or a "rules":[...] member */
void rules_table_print(FILE *out, unsigned int width);
void rules_table_json(struct jw *w);

#endif /* TPHTRACE_RULES_H */
