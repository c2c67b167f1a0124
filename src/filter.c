// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "filter.h"
#include "record.h"

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int filter_parse(struct rec_filter *f, int key, const char *arg, char *err,
		 size_t errlen)
{
	struct tph_dev d = {};
	uint64_t v;

	switch (key) {
	case 'p':
		if (parse_u64(arg, 0x7fffffff, &v)) {
			snprintf(err, errlen, "invalid pid '%s'", arg);
			return -EINVAL;
		}
		f->pid = v;
		return 0;
	case 'i':
		if (parse_u64(arg, UINT64_MAX, &v)) {
			snprintf(err, errlen, "invalid dma-buf inode '%s'", arg);
			return -EINVAL;
		}
		f->ino = v;
		return 0;
	case 'd':
		if (!arg[0] || strlen(arg) >= sizeof(f->dev)) {
			snprintf(err, errlen, "invalid device '%s'", arg);
			return -EINVAL;
		}
		/* normalise PCI addresses, so 3b:00.0 style typos fail loudly */
		tph_dev_parse(&d, arg);
		tph_dev_str(&d, f->dev, sizeof(f->dev));
		return 0;
	default:
		return -EINVAL;
	}
}

static bool dev_is(const struct tph_dev *d, const char *want)
{
	struct tph_dev x;
	char s[TPH_NAME_LEN + 16];

	x = *d;
	x.valid &= TPH_DEV_PCI;
	tph_dev_str(&x, s, sizeof(s));
	if (s[0] && !strcmp(s, want))
		return true;
	x = *d;
	x.valid &= TPH_DEV_NAME;
	tph_dev_str(&x, s, sizeof(s));
	return s[0] && !strcmp(s, want);
}

static uint64_t rec_ino(const union tph_record *r)
{
	switch (r->hdr.kind) {
	case TPH_EV_DMABUF_EXPORT:
	case TPH_EV_DMABUF_RELEASE:
		return r->dmabuf.buf.ino;
	case TPH_EV_TPH_PUBLISH:
		return r->publish.ino;
	case TPH_EV_TPH_QUERY:
		return r->query.buf.ino;
	case TPH_EV_MR_REG:
		return r->mr.ino;
	case TPH_EV_MR_DEREG:
		return r->mr_dereg.ino;
	case TPH_EV_ST_INDEX:
	case TPH_EV_PCI_TPH:
		return 0;
	default:
		return r->attach.buf.ino;
	}
}

static const struct tph_dev *rec_dev(const union tph_record *r)
{
	switch (r->hdr.kind) {
	case TPH_EV_TPH_PUBLISH:
		return &r->publish.exporter;
	case TPH_EV_TPH_QUERY:
		return &r->query.exporter;
	case TPH_EV_MR_REG:
		return &r->mr.nic;
	case TPH_EV_MR_DEREG:
		return &r->mr_dereg.nic;
	case TPH_EV_ST_INDEX:
		return &r->st.nic;
	case TPH_EV_PCI_TPH:
		return &r->pci.dev;
	case TPH_EV_DMABUF_EXPORT:
	case TPH_EV_DMABUF_RELEASE:
		return NULL;
	default:
		return &r->attach.importer;
	}
}

bool filter_match(const struct rec_filter *f, const union tph_record *r)
{
	const struct tph_dev *d;

	if (f->pid && r->hdr.tgid != f->pid)
		return false;
	if (f->ino && rec_ino(r) != f->ino)
		return false;
	if (f->dev[0]) {
		d = rec_dev(r);
		if (!d || !dev_is(d, f->dev))
			return false;
	}
	return true;
}
