/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Capability dropping (libcap) for long-running commands: once the BPF
 * programs are loaded and attached and every privileged file descriptor is
 * open, keep only what is still needed.
 *
 * Capabilities are per thread on Linux: call caps_drop() while the process
 * has a single thread (before starting the HTTP server), so that every
 * thread created afterwards inherits the reduced sets.
 */
#ifndef TPHTRACE_CAPS_H
#define TPHTRACE_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct caps_keep {
	bool all;		/* drop nothing */
	uint64_t mask;		/* 1ull << CAP_* to keep */
};

/* What re-resolving hooks after a module load needs (--capabilities.keep=reattach):
 * CAP_BPF and CAP_PERFMON to load and attach, CAP_SYS_ADMIN to open module
 * BTF (BPF_BTF_GET_FD_BY_ID) for tp_btf/fentry on module targets. */
uint64_t caps_reattach_mask(void);

/*
 * Parse "none", "all", "reattach" or a comma-separated list of capability
 * names ("cap_bpf,cap_perfmon"; the "cap_" prefix and case are optional).
 * Returns 0 or -EINVAL with a message in @err.
 */
int caps_parse_keep(const char *arg, struct caps_keep *keep, char *err,
		    size_t errlen);

/*
 * Keep only @keep: clear the other capabilities from the permitted,
 * effective and inheritable sets, clear the ambient set, drop them from the
 * bounding set where allowed (CAP_SETPCAP), and set no_new_privs so that
 * nothing can be regained through execve(). Capabilities to keep that the
 * process does not have are ignored. Returns 0 or -errno with @err.
 */
int caps_drop(const struct caps_keep *keep, char *err, size_t errlen);

/* Effective set as "cap_bpf,cap_perfmon", or "none". */
void caps_effective_str(char *buf, size_t len);
/* Mask of the effective set (for tests). */
uint64_t caps_effective_mask(void);

#endif /* TPHTRACE_CAPS_H */
