// SPDX-License-Identifier: GPL-2.0
/*
 * What tphtrace's fallback hooks need from tphsim's module BTF:
 * fentry/fexit on the series' symbols, tp_btf on the module's tracepoints
 * and CO-RE field reads of module types. tphsim-probe.c loads and attaches
 * these, runs a scenario and checks that every program ran and that the
 * CO-RE reads saw the published tag.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct dma_buf;
struct ib_pd;
struct ib_dmah;
struct uverbs_attr_bundle;

struct vfio_pci_dma_buf___probe {
	void *vdev;
	__u8 tph_st;
	__u16 tph_st_ext;
} __attribute__((preserve_access_index));

struct dma_buf___probe {
	void *priv;
} __attribute__((preserve_access_index));

__u64 hits[5];
__u64 last_tph_st;

SEC("fexit/dma_buf_get_pci_tph")
int BPF_PROG(fexit_get_tph, struct dma_buf *dmabuf, _Bool extended,
	     __u16 *st, __u8 *ph, int ret)
{
	hits[0]++;
	return 0;
}

SEC("fexit/vfio_pci_dma_buf_get_pci_tph")
int BPF_PROG(fexit_vfio_get_tph, struct dma_buf *dmabuf, _Bool extended,
	     __u16 *st, __u8 *ph, int ret)
{
	struct dma_buf___probe *d = (void *)dmabuf;
	struct vfio_pci_dma_buf___probe *priv = BPF_CORE_READ(d, priv);

	last_tph_st = BPF_CORE_READ(priv, tph_st);
	hits[1]++;
	return 0;
}

SEC("fentry/mlx5_ib_reg_user_mr_dmabuf")
int BPF_PROG(fentry_reg, struct ib_pd *pd, __u64 offset, __u64 length,
	     __u64 virt_addr, int fd, int access_flags, struct ib_dmah *dmah,
	     struct uverbs_attr_bundle *attrs)
{
	hits[2]++;
	return 0;
}

SEC("fexit/mlx5_st_alloc_index_by_tag")
int BPF_PROG(fexit_st_alloc, void *dev, __u16 tag, __u16 *st_index, int ret)
{
	hits[3]++;
	return 0;
}

SEC("tp_btf/mlx5_ib_mr_tph")
int BPF_PROG(tp_mr_tph, const char *ibdev, __u32 domain, __u16 devid,
	     unsigned long ino, __u8 req_type, _Bool extended, __u8 source,
	     __u16 steering_tag, __u16 st_index, __u8 ph, __u8 reason, int ret)
{
	hits[4]++;
	return 0;
}
