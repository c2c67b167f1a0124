// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Hook selection over the table in hook_table.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hooks.h"
#include "record.h"

static bool event_has_family(int kind, int family)
{
	int c;

	for (c = 0; c < HOOK_MAX_CANDS && tph_events[kind].cand[c].t[0].prog; c++)
		if ((int)tph_events[kind].cand[c].family == family)
			return true;
	return false;
}

int hooks_parse_force(struct hook_force *force, const char *arg, char *err,
		      size_t errlen)
{
	char ev[32], fam[32];
	const char *eq = strchr(arg, '=');
	int kind, family, i;
	bool all;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(ev) ||
	    strlen(eq + 1) >= sizeof(fam) || !eq[1]) {
		snprintf(err, errlen, "--hooks wants EVENT=FAMILY, got '%s'", arg);
		return -EINVAL;
	}
	snprintf(ev, sizeof(ev), "%.*s", (int)(eq - arg), arg);
	snprintf(fam, sizeof(fam), "%s", eq + 1);
	family = tph_hook_from_name(fam);
	if (family <= TPH_HOOK_NONE) {
		snprintf(err, errlen,
			 "unknown hook family '%s' (tp_btf, raw_tp, fentry, kprobe, iter)", fam);
		return -EINVAL;
	}
	all = !strcmp(ev, "all");
	kind = all ? 0 : tph_kind_from_name(ev);
	if (!all && kind <= 0) {
		snprintf(err, errlen, "unknown event '%s' (see 'tphtrace probe')", ev);
		return -EINVAL;
	}
	if (family == TPH_HOOK_ITER && !all && !event_has_family(kind, family)) {
		snprintf(err, errlen, "event '%s' has no iter hook (only dmabuf_export and "
			 "dmabuf_release are sampled from iter/dmabuf snapshots)", ev);
		return -EINVAL;
	}
	for (i = 1; i < TPH_EV_MAX; i++)
		if (all || i == kind)
			force->family[i] = family;
	return 0;
}

/* Can @c run here? Fills what is missing into @ep on failure. */
static bool cand_usable(const struct probe_ops *ops, const struct hook_cand *c,
			struct event_plan *ep)
{
	char module[32], why[HOOK_FAMILY_WHY_LEN];
	unsigned int missing = 0;
	int i;

	if (!ops->family_ok(ops->ctx, c->family, why, sizeof(why))) {
		snprintf(ep->why, sizeof(ep->why), "%s: %s", tph_hook_name(c->family),
			 why);
		return false;
	}
	if (c->kfunc && !(ops->kfunc_ok && ops->kfunc_ok(ops->ctx, c->kfunc, why, sizeof(why)))) {
		snprintf(ep->why, sizeof(ep->why), "%s: %s", tph_hook_name(c->family),
			 ops->kfunc_ok ? why : "no kfuncs");
		return false;
	}
	ep->module[0] = '\0';
	for (i = 0; i < HOOK_MAX_TARGETS && c->t[i].prog; i++) {
		module[0] = '\0';
		if (ops->target_ok(ops->ctx, c->family, c->t[i].sym, module,
				   sizeof(module))) {
			if (!ep->module[0] && !c->t[i].optional)
				snprintf(ep->module, sizeof(ep->module), "%s", module);
			continue;
		}
		if (c->t[i].optional) {
			missing |= 1u << i;
			continue;
		}
		snprintf(ep->why, sizeof(ep->why), "%s: no %s '%s'%s",
			 tph_hook_name(c->family),
			 c->family == TPH_HOOK_TP_BTF || c->family == TPH_HOOK_RAW_TP ?
			 "tracepoint" : c->family == TPH_HOOK_ITER ? "iterator" : "function",
			 c->t[i].sym,
			 c->family == TPH_HOOK_ITER ? " (iter/dmabuf needs v6.16+)" : "");
		return false;
	}
	ep->optional_missing = missing;
	return true;
}

static void dedupe_helpers(struct hook_plan *plan);

/*
 * May candidate @c run on a kernel of series shape @shape? Its programs
 * read the series' arguments where that shape has them; on a kernel of
 * another shape they would read the wrong ones. Fills @ep->why if not.
 */
static bool cand_fits_shape(const struct hook_cand *c, enum tph_series_shape shape,
			    const char *how, struct event_plan *ep)
{
	if (!c->shapes || (c->shapes & (1u << shape)))
		return true;
	/* the same words for every family, so the reasons list it once */
	if (shape == TPH_SHAPE_NONE)
		snprintf(ep->why, sizeof(ep->why),
			 "no TPH series function in this kernel (series shape none)");
	else if (shape == TPH_SHAPE_UNKNOWN)
		snprintf(ep->why, sizeof(ep->why), "series shape unknown: %s", how);
	else
		ep->why[0] = '\0';	/* another shape's candidate: no news */
	return false;
}

int hooks_plan(const struct probe_ops *ops, const struct hook_force *force,
	       struct hook_plan *plan)
{
	const struct event_def *e;
	struct event_plan *ep;
	unsigned char want;
	char first_why[sizeof(plan->ev[0].why)];
	int k, c;

	memset(plan, 0, sizeof(*plan));
	plan->shape = hooks_detect_shape(ops, plan->shape_how, sizeof(plan->shape_how));
	for (k = 1; k < TPH_EV_MAX; k++) {
		e = &tph_events[k];
		ep = &plan->ev[k];
		ep->cand = -1;
		want = force ? force->family[k] : TPH_HOOK_NONE;
		ep->forced = want != TPH_HOOK_NONE;
		first_why[0] = '\0';
		for (c = 0; c < HOOK_MAX_CANDS && e->cand[c].t[0].prog; c++) {
			if (want && e->cand[c].family != want)
				continue;
			if (cand_fits_shape(&e->cand[c], plan->shape, plan->shape_how, ep) &&
			    cand_usable(ops, &e->cand[c], ep)) {
				ep->cand = c;
				ep->why[0] = '\0';
				break;
			}
			/* collect every candidate's reason, each once */
			if (ep->why[0] && !strstr(first_why, ep->why)) {
				size_t l = strlen(first_why);

				snprintf(first_why + l, sizeof(first_why) - l, "%s%s",
					 l ? "; " : "", ep->why);
			}
		}
		if (ep->cand < 0) {
			if (want && !first_why[0])
				snprintf(ep->why, sizeof(ep->why),
					 "no %s hook exists for this event",
					 tph_hook_name(want));
			else
				snprintf(ep->why, sizeof(ep->why), "%s", first_why);
		}
	}
	dedupe_helpers(plan);
	return 0;
}

/* Does a chosen candidate of an event other than @skip hook @sym? */
static bool sym_hooked_by(const struct hook_plan *plan, int skip, int upto,
			  const char *sym, enum tph_hook_family fam)
{
	const struct hook_cand *c;
	int k, i;

	for (k = 1; k < upto; k++) {
		c = hooks_chosen(plan, k);
		if (k == skip || !c || c->family == fam)
			continue;
		for (i = 0; i < HOOK_MAX_TARGETS && c->t[i].prog; i++)
			if (!strcmp(c->t[i].sym, sym) &&
			    !(plan->ev[k].optional_missing & (1u << i)))
				return true;
	}
	return false;
}

/*
 * One program per hooked function or tracepoint: when events end up on
 * different families (a kernel that refuses one family for one symbol,
 * or --hooks), an optional helper of one event must not hook again what
 * another event already hooks in another family. Both would feed the
 * task's state machine from one call and the second would see the first's
 * bookkeeping (e.g. a fexit and a kretprobe on dma_buf_get_tph). The task
 * state is shared, so the program already there serves both events.
 */
static void dedupe_helpers(struct hook_plan *plan)
{
	const struct hook_cand *c;
	int k, i;

	for (k = 1; k < TPH_EV_MAX; k++) {
		c = hooks_chosen(plan, k);
		for (i = 0; c && i < HOOK_MAX_TARGETS && c->t[i].prog; i++) {
			if (!c->t[i].optional)
				continue;
			/* required targets anywhere win; optional ones: first event */
			if (sym_hooked_by(plan, k, TPH_EV_MAX, c->t[i].sym, c->family))
				plan->ev[k].optional_missing |= 1u << i;
		}
	}
}

int hooks_unavailable(const struct hook_plan *plan)
{
	int k, n = 0;

	for (k = 1; k < TPH_EV_MAX; k++)
		n += plan->ev[k].cand < 0;
	return n;
}

const struct hook_cand *hooks_chosen(const struct hook_plan *plan, unsigned int kind)
{
	if (kind == 0 || kind >= TPH_EV_MAX || plan->ev[kind].cand < 0)
		return NULL;
	return &tph_events[kind].cand[plan->ev[kind].cand];
}

bool hooks_prog_selected(const struct hook_plan *plan, const char *prog)
{
	const struct hook_cand *c;
	int k, i;

	for (k = 1; k < TPH_EV_MAX; k++) {
		c = hooks_chosen(plan, k);
		for (i = 0; c && i < HOOK_MAX_TARGETS && c->t[i].prog; i++)
			if (!strcmp(c->t[i].prog, prog) &&
			    !(plan->ev[k].optional_missing & (1u << i)))
				return true;
	}
	return false;
}

void hooks_families(const struct hook_plan *plan, unsigned char family[TPH_EV_MAX])
{
	const struct hook_cand *c;
	int k;

	family[0] = TPH_HOOK_NONE;
	for (k = 1; k < TPH_EV_MAX; k++) {
		c = hooks_chosen(plan, k);
		family[k] = c ? c->family : TPH_HOOK_NONE;
	}
}
