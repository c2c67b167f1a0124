// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Capability dropping after attach (see caps.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include "caps.h"

#define BIT(c) (1ull << (c))

uint64_t caps_reattach_mask(void)
{
	return BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_SYS_ADMIN);
}

static int cap_count(void)
{
	int n = cap_max_bits();

	return n > 0 && n <= 64 ? n : CAP_LAST_CAP + 1;
}

int caps_parse_keep(const char *arg, struct caps_keep *keep, char *err,
		    size_t errlen)
{
	char name[64], *copy, *tok, *save = NULL;
	cap_value_t v;
	size_t i;
	int ret = 0;

	memset(keep, 0, sizeof(*keep));
	if (!strcmp(arg, "all")) {
		keep->all = true;
		return 0;
	}
	if (!strcmp(arg, "none"))
		return 0;
	if (!strcmp(arg, "reattach")) {
		keep->mask = caps_reattach_mask();
		return 0;
	}
	copy = strdup(arg);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (i = 0; tok[i] && i + 5 < sizeof(name); i++)
			name[i] = tolower((unsigned char)tok[i]);
		name[i] = '\0';
		while (i && isspace((unsigned char)name[i - 1]))
			name[--i] = '\0';
		if (strncmp(name, "cap_", 4)) {
			memmove(name + 4, name, i + 1);
			memcpy(name, "cap_", 4);
		}
		if (cap_from_name(name, &v) || v < 0 || v >= 64) {
			snprintf(err, errlen, "unknown capability '%s' (want none, all, "
				 "reattach or a list such as cap_bpf,cap_perfmon)", tok);
			ret = -EINVAL;
			break;
		}
		keep->mask |= BIT(v);
	}
	if (!ret && !keep->mask) {
		snprintf(err, errlen, "empty capability list (use 'none')");
		ret = -EINVAL;
	}
	free(copy);
	return ret;
}

int caps_drop(const struct caps_keep *keep, char *err, size_t errlen)
{
	cap_flag_value_t have;
	cap_t cur, want = NULL;
	cap_value_t v;
	int n = cap_count(), ret = 0;

	if (keep->all)
		return 0;
	cur = cap_get_proc();
	if (!cur) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	/* bounding set first: dropping from it needs CAP_SETPCAP, which goes next */
	for (v = 0; v < n; v++) {
		if (keep->mask & BIT(v) || cap_get_bound(v) != 1)
			continue;
		if (cap_drop_bound(v) && errno != EPERM) {
			snprintf(err, errlen, "cannot drop %s from the bounding set: %s",
				 cap_to_name(v), strerror(errno));
			ret = -errno;
			goto out;
		}
	}
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient()) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
			 strerror(errno));
		ret = -errno;
		goto out;
	}
	want = cap_init();
	if (!want) {
		ret = -ENOMEM;
		goto out;
	}
	for (v = 0; v < n; v++) {
		if (!(keep->mask & BIT(v)))
			continue;
		if (cap_get_flag(cur, v, CAP_PERMITTED, &have) || have != CAP_SET)
			continue;
		cap_set_flag(want, CAP_PERMITTED, 1, &v, CAP_SET);
		cap_set_flag(want, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(want)) {
		snprintf(err, errlen, "cannot set capabilities: %s", strerror(errno));
		ret = -errno;
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		ret = -errno;
	}
out:
	cap_free(want);
	cap_free(cur);
	return ret;
}

uint64_t caps_effective_mask(void)
{
	cap_flag_value_t f;
	cap_t cur = cap_get_proc();
	uint64_t mask = 0;
	cap_value_t v;
	int n = cap_count();

	if (!cur)
		return 0;
	for (v = 0; v < n; v++)
		if (!cap_get_flag(cur, v, CAP_EFFECTIVE, &f) && f == CAP_SET)
			mask |= BIT(v);
	cap_free(cur);
	return mask;
}

void caps_effective_str(char *buf, size_t len)
{
	uint64_t mask = caps_effective_mask();
	size_t off = 0;
	cap_value_t v;
	char *name;

	buf[0] = '\0';
	for (v = 0; v < 64 && len; v++) {
		if (!(mask & BIT(v)))
			continue;
		name = cap_to_name(v);
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				off ? "," : "", name ? name : "?");
		cap_free(name);
	}
	if (!mask)
		snprintf(buf, len, "none");
}
