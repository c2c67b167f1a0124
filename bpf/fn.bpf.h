/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry points on functions: the TPH series' attachable symbols (exported
 * functions and ops callbacks; static helpers such as get_tph_mr_dmabuf()
 * are inlined on real kernels and never hooked) and stock dma-buf
 * functions. Each function gets fentry/fexit and kprobe/kretprobe variants
 * over one handler; kprobe entries stash their arguments for the
 * kretprobe, keyed by (thread, function).
 */
#ifndef TPHTRACE_FN_BPF_H
#define TPHTRACE_FN_BPF_H

#include "handlers.bpf.h"

enum fn_id {
	FN_DMA_BUF_GET_TPH = 1,
	FN_VFIO_GET_TPH,
	FN_VFIO_SET_TPH,
	FN_REG_MR,
	FN_REQ_TYPE,
	FN_ST_ALLOC,
	FN_ST_GET,
	FN_ST_DEALLOC,
	FN_PCI_ENABLE,
	FN_PCI_ST_WRITE,
	FN_DMABUF_EXPORT,
	FN_DMABUF_ATTACH,
	FN_DMABUF_MAP,
	FN_DMA_BUF_GET_PCI_TPH,
	FN_VFIO_GET_PCI_TPH,
};

/*
 * A kprobe on a function's first instruction sees the arguments where the
 * calling convention puts them; libbpf 1.1's PT_REGS_PARM1..5 cover the
 * first five, arguments 6 and 7 are read here. Only the low bits of an
 * argument narrower than 64 bits are defined (SysV x86-64 and AAPCS64
 * alike; fentry's u64 slots are the saved registers): handlers truncate to
 * the argument's type, e.g. (__u8)a[1] != 0 for a bool.
 */
#if defined(__TARGET_ARCH_x86)
/*
 * x86-64: six arguments in registers (rdi, rsi, rdx, rcx, r8, r9), the
 * seventh on the stack, above the return address that sp points to on
 * function entry.
 */
#define KP_ARG6(x)	((x)->r9)
static __always_inline __u64 kp_arg7(struct pt_regs *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)(ctx->sp + 8));
	return v;
}
#elif defined(__TARGET_ARCH_arm64)
/*
 * arm64 (AAPCS64): eight arguments in x0-x7. Kprobes on arm64 (6.12) are
 * BRK traps: kprobe_brk_handler() hands the trapped registers over at the
 * function's first instruction, so regs[0..7] are the arguments (a BPF
 * kprobe's context is struct user_pt_regs, bpf_user_pt_regs_t, as libbpf's
 * bpf_tracing.h casts it). A kretprobe returns through the BRK of
 * __kretprobe_trampoline with the return value in x0: PT_REGS_RC.
 */
#define KP_ARG6(x)	(((const struct user_pt_regs *)(x))->regs[5])
#define kp_arg7(x)	(((const struct user_pt_regs *)(x))->regs[6])
#else
#error "tphtrace's kprobe handlers know x86 and arm64: define KP_ARG6/kp_arg7"
#endif

static __always_inline void kp_args(struct pt_regs *ctx, __u64 *a)
{
	a[0] = PT_REGS_PARM1(ctx);
	a[1] = PT_REGS_PARM2(ctx);
	a[2] = PT_REGS_PARM3(ctx);
	a[3] = PT_REGS_PARM4(ctx);
	a[4] = PT_REGS_PARM5(ctx);
	a[5] = KP_ARG6(ctx);
	a[6] = kp_arg7(ctx);
}

static __always_inline void stash_regs(__u32 fn, struct pt_regs *ctx)
{
	struct stash_val v;

	kp_args(ctx, v.arg);
	stash_put(fn, &v);
}

/*
 * fexit's return value as a plain scalar, from bpf_get_func_ret() (5.17+):
 * the trampoline knows where it is. Reading ctx[nargs] ourselves needs the
 * traced function's argument count, which differs between kernels (6.17
 * added mlx5_ib_reg_user_mr_dmabuf()'s dmah argument: 7 before, 8 after),
 * and a probe read past the real slot returns garbage without an error.
 * The scalar copy also lets IS_ERR_VALUE()/PTR_ERR() work: the verifier
 * forbids that arithmetic on the BTF-typed slot itself.
 */
static __always_inline __u64 fexit_ret(void *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return ret;
}

/* handler(args, ret) on exit: fexit, or kprobe stash + kretprobe */
#define FN_EXIT_HOOKS(fn, id)						\
SEC("fexit/" #fn)							\
int fexit__##fn(__u64 *ctx)						\
{ return fn_##fn(ctx, fexit_ret(ctx), TPH_HOOK_FENTRY); }		\
SEC("kprobe/" #fn)							\
int kprobe__##fn(struct pt_regs *ctx)					\
{ stash_regs(id, ctx); return 0; }					\
SEC("kretprobe/" #fn)							\
int kretprobe__##fn(struct pt_regs *ctx)				\
{									\
	struct stash_val v;						\
									\
	if (!stash_take(id, &v))					\
		return 0;						\
	return fn_##fn(v.arg, PT_REGS_RC(ctx), TPH_HOOK_KPROBE);	\
}

/* handler(args) on entry: fentry, or kprobe */
#define FN_ENTRY_HOOKS(fn, handler)					\
SEC("fentry/" #fn)							\
int fentry__##fn(__u64 *ctx)						\
{ return handler(ctx, 0, TPH_HOOK_FENTRY); }				\
SEC("kprobe/" #fn)							\
int kprobe_entry__##fn(struct pt_regs *ctx)				\
{									\
	__u64 a[TPH_MAX_ARGS];						\
									\
	kp_args(ctx, a);						\
	return handler(a, 0, TPH_HOOK_KPROBE);				\
}

/* ---- TPH series --------------------------------------------------------- */

/*
 * The importer's query. v7: int dma_buf_get_tph(struct dma_buf *, bool
 * extended, u16 *st, u8 *ph); v8+ renamed it dma_buf_get_pci_tph() with
 * the same arguments. v5 has no wrapper: see the exporter callback.
 */
static __always_inline int wrapper_query(const __u64 *a, __u64 ret, __u8 hook)
{
	struct tph_buf b = {};
	__u16 st = 0;
	__u8 ph = 0;

	read_buf(&b, (void *)a[0], rd_mode(hook));
	if (!(int)ret) {
		bpf_probe_read_kernel(&st, sizeof(st), (void *)a[2]);
		bpf_probe_read_kernel(&ph, sizeof(ph), (void *)a[3]);
	}
	return on_query(&b, (__u8)a[1] != 0, st, ph, (int)ret, hook);
}

static __always_inline int fn_dma_buf_get_tph(const __u64 *a, __u64 ret, __u8 hook)
{
	return wrapper_query(a, ret, hook);
}
FN_EXIT_HOOKS(dma_buf_get_tph, FN_DMA_BUF_GET_TPH)

static __always_inline int fn_dma_buf_get_pci_tph(const __u64 *a, __u64 ret,
						  __u8 hook)
{
	return wrapper_query(a, ret, hook);
}
FN_EXIT_HOOKS(dma_buf_get_pci_tph, FN_DMA_BUF_GET_PCI_TPH)

/*
 * The exporter callback: v7 vfio_pci_dma_buf_get_tph() and v8+
 * vfio_pci_dma_buf_get_pci_tph() (dmabuf, bool extended, u16 *st, u8 *ph)
 * tell which namespaces are published, read from vfio's private dma-buf
 * data, for the wrapper's query record. v5's vfio_pci_dma_buf_get_tph
 * (dmabuf, u16 *st, u8 *ph, u8 st_width) is called by mlx5 directly: it
 * is the query itself and reports it too.
 */
static __always_inline int exporter_query(const __u64 *a, __u64 ret, __u8 hook)
{
	bool v5 = series_shape == TPH_SHAPE_V5;
	struct dma_buf *d = (void *)a[0];
	struct vfio_pci_dma_buf___tph *priv;
	bool extended = v5 ? (__u8)a[3] == 16 : (__u8)a[1] != 0;
	struct tph_dev exp = {};
	struct tph_buf b = {};
	bool st_valid, st_ext_valid;
	__u16 st = 0;
	__u8 ph = 0;

	/* a void * field: priv is untyped, hence BPF_CORE_READ below */
	priv = (void *)RD(rd_mode(hook), d, priv);
	/* module types: absent BTF turns these into constant false */
	if (priv && bpf_core_field_exists(priv->tph_st_valid) &&
	    bpf_core_field_exists(priv->vdev) &&
	    bpf_core_field_exists(priv->vdev->pdev)) {
		st_valid = BPF_CORE_READ_BITFIELD_PROBED(priv, tph_st_valid);
		st_ext_valid = BPF_CORE_READ_BITFIELD_PROBED(priv, tph_st_ext_valid);
		read_pci_dev(&exp, BPF_CORE_READ(priv, vdev, pdev), RD_PROBE);
		on_exporter_query(&exp, extended, st_valid, st_ext_valid, (int)ret);
	}
	if (!v5)
		return 0;
	read_buf(&b, d, rd_mode(hook));
	if (!(int)ret) {
		bpf_probe_read_kernel(&st, sizeof(st), (void *)a[1]);
		bpf_probe_read_kernel(&ph, sizeof(ph), (void *)a[2]);
	}
	return on_query(&b, extended, st, ph, (int)ret, hook);
}

static __always_inline int fn_vfio_pci_dma_buf_get_tph(const __u64 *a, __u64 ret,
						       __u8 hook)
{
	return exporter_query(a, ret, hook);
}
FN_EXIT_HOOKS(vfio_pci_dma_buf_get_tph, FN_VFIO_GET_TPH)

static __always_inline int fn_vfio_pci_dma_buf_get_pci_tph(const __u64 *a,
							   __u64 ret, __u8 hook)
{
	return exporter_query(a, ret, hook);
}
FN_EXIT_HOOKS(vfio_pci_dma_buf_get_pci_tph, FN_VFIO_GET_PCI_TPH)

/* uapi struct vfio_device_feature_dma_buf_tph as tphtrace keeps it */
struct dma_buf_tph_arg {
	__s32 dmabuf_fd;
	__u32 flags;
	__u16 steering_tag_ext;
	__u8 steering_tag;
	__u8 ph;
};

/* The v5 layout (v6 moved steering_tag_ext first, at Alex's request) */
struct dma_buf_tph_arg_v5 {
	__s32 dmabuf_fd;
	__u32 flags;
	__u8 steering_tag;
	__u8 ph;
	__u16 steering_tag_ext;
};

/*
 * The user's SET payload at @uptr: where the kernel's BTF says its fields
 * are (the vfio module has the struct as the SET function's argument
 * type), else the layout of the series shape.
 */
static __always_inline void read_tph_arg(struct dma_buf_tph_arg *arg, const void *uptr)
{
	const struct vfio_device_feature_dma_buf_tph___tph *u = uptr;
	struct dma_buf_tph_arg_v5 v5 = {};

	if (bpf_core_type_exists(struct vfio_device_feature_dma_buf_tph___tph)) {
		BPF_CORE_READ_USER_INTO(&arg->dmabuf_fd, u, dmabuf_fd);
		BPF_CORE_READ_USER_INTO(&arg->flags, u, flags);
		BPF_CORE_READ_USER_INTO(&arg->steering_tag_ext, u, steering_tag_ext);
		BPF_CORE_READ_USER_INTO(&arg->steering_tag, u, steering_tag);
		BPF_CORE_READ_USER_INTO(&arg->ph, u, ph);
	} else if (series_shape == TPH_SHAPE_V5) {
		bpf_probe_read_user(&v5, sizeof(v5), uptr);
		arg->dmabuf_fd = v5.dmabuf_fd;
		arg->flags = v5.flags;
		arg->steering_tag_ext = v5.steering_tag_ext;
		arg->steering_tag = v5.steering_tag;
		arg->ph = v5.ph;
	} else {
		bpf_probe_read_user(arg, sizeof(*arg), uptr);
	}
}

#define VFIO_DEVICE_FEATURE_PROBE	(1 << 18)

/* dma-buf inode behind a file descriptor of the current task */
static __always_inline __u64 fd_ino(int fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || fd >= BPF_CORE_READ(t, files, fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(t, files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

/* int vfio_pci_core_feature_dma_buf_tph(vdev, u32 flags, arg __user *, size_t argsz) */
static __always_inline int fn_vfio_pci_core_feature_dma_buf_tph(const __u64 *a,
								__u64 ret, __u8 hook)
{
	struct vfio_pci_core_device___tph *vdev = (void *)a[0];
	struct dma_buf_tph_arg arg = {};
	struct tph_dev exp = {};

	if ((__u32)a[1] & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	read_tph_arg(&arg, (void *)a[2]);
	if (bpf_core_field_exists(vdev->pdev))
		read_pci_dev(&exp, RD_PTR(rd_mode(hook), vdev, pdev), hop_mode(rd_mode(hook)));
	return on_publish(&exp, fd_ino(arg.dmabuf_fd), arg.flags, arg.steering_tag,
			  arg.steering_tag_ext, arg.ph, TPH_UNKNOWN_U8, (int)ret, hook);
}
FN_EXIT_HOOKS(vfio_pci_core_feature_dma_buf_tph, FN_VFIO_SET_TPH)

/*
 * struct ib_mr *mlx5_ib_reg_user_mr_dmabuf(pd, offset, length, virt_addr, fd,
 *		access_flags, [struct ib_dmah *dmah (6.17+),] attrs)
 */
static __always_inline int fn_reg_mr_enter(const __u64 *a, __u64 ret, __u8 hook)
{
	on_mr_enter((void *)a[0], a[2], (int)a[4], (int)a[5],
		    reg_mr_has_dmah && a[6]);
	return 0;
}
FN_ENTRY_HOOKS(mlx5_ib_reg_user_mr_dmabuf, fn_reg_mr_enter)

static __always_inline int fn_mlx5_ib_reg_user_mr_dmabuf(const __u64 *a, __u64 ret,
							 __u8 hook)
{
	struct task_state *s = state_get();
	struct ib_mr___tph *mr = (void *)ret;
	__u32 mkey = 0;
	int err = 0;
	__u8 ph = TPH_NO_PH;
	__u16 idx = 0;

	if (!s || !(s->seen & TS_MR))
		return 0;
	if (IS_ERR_VALUE(ret)) {
		err = (int)ret;
		s->seen |= TS_MR_FAILED;
	} else if (mr && bpf_core_field_exists(mr->lkey)) {
		mkey = BPF_CORE_READ(mr, lkey);
	}
	if (s->dmah) {
		ph = TPH_UNKNOWN_U8;	/* DMAH values are not visible here */
	} else if ((s->seen & TS_QUERY) && !s->query_ret && (s->seen & TS_ST) &&
		   !s->st_ret) {
		ph = s->ph;
		idx = s->st_index;
	}
	emit_mr(s, mkey, 0, s->length, s->access, idx, ph, false, err, hook);
	state_drop(s);
	return 0;
}
FN_EXIT_HOOKS(mlx5_ib_reg_user_mr_dmabuf, FN_REG_MR)

/* u8 pcie_tph_enabled_req_type(struct pci_dev *) */
static __always_inline int fn_pcie_tph_enabled_req_type(const __u64 *a, __u64 ret,
							__u8 hook)
{
	struct task_state *s = state_get();

	if (s && (s->seen & TS_MR)) {
		s->seen |= TS_REQ;
		s->req_type = (__u8)ret;
		s->extended = (__u8)ret == TPH_REQ_EXT_TPH;
		read_pci_dev(&s->nic, (void *)a[0], rd_mode(hook));
	}
	return 0;
}
FN_EXIT_HOOKS(pcie_tph_enabled_req_type, FN_REQ_TYPE)

static __always_inline void mdev_read(struct tph_dev *d, struct mlx5_core_dev___tph *dev,
				      bool *direct, int m)
{
	struct mlx5_st___tph *st;

	*direct = false;
	if (bpf_core_field_exists(dev->pdev))
		read_pci_dev(d, RD_PTR(m, dev, pdev), hop_mode(m));
	/*
	 * Each field on its own: the NIC's identity must not depend on the ST
	 * table's layout. A real mlx5_core without direct mode (or, as Debian's
	 * 7.3 without CONFIG_PCIE_TPH, with struct mlx5_st only declared) has
	 * mlx5_core_dev.pdev but no mlx5_st.direct_mode.
	 */
	if (!bpf_core_field_exists(dev->st) ||
	    !bpf_core_field_exists(dev->st->direct_mode))
		return;
	st = RD_PTR(m, dev, st);
	if (st)
		*direct = RD_BITFIELD(hop_mode(m), st, direct_mode);
}

/* int mlx5_st_alloc_index_by_tag(struct mlx5_core_dev *, u16 tag, u16 *st_index) */
static __always_inline int fn_mlx5_st_alloc_index_by_tag(const __u64 *a, __u64 ret,
							 __u8 hook)
{
	struct tph_dev d = {};
	__u16 idx = 0;
	bool direct;

	mdev_read(&d, (void *)a[0], &direct, rd_mode(hook));
	if (!(int)ret)
		bpf_probe_read_kernel(&idx, sizeof(idx), (void *)a[2]);
	return on_st(TPH_ST_ALLOC, &d, a[1], idx, 0xffffffff, direct, (int)ret, hook);
}
FN_EXIT_HOOKS(mlx5_st_alloc_index_by_tag, FN_ST_ALLOC)

/* int mlx5_st_{get,dealloc}_index(struct mlx5_core_dev *, u16 st_index) */
static __always_inline int fn_st_ref(const __u64 *a, __u64 ret, __u8 op, __u8 hook)
{
	struct tph_dev d = {};
	bool direct;

	mdev_read(&d, (void *)a[0], &direct, rd_mode(hook));
	return on_st(op, &d, 0, a[1], 0xffffffff, direct, (int)ret, hook);
}

static __always_inline int fn_mlx5_st_get_index(const __u64 *a, __u64 ret, __u8 hook)
{
	return fn_st_ref(a, ret, TPH_ST_GET, hook);
}
FN_EXIT_HOOKS(mlx5_st_get_index, FN_ST_GET)

static __always_inline int fn_mlx5_st_dealloc_index(const __u64 *a, __u64 ret,
						    __u8 hook)
{
	return fn_st_ref(a, ret, TPH_ST_PUT, hook);
}
FN_EXIT_HOOKS(mlx5_st_dealloc_index, FN_ST_DEALLOC)

static __always_inline __u8 pdev_req_type(struct pci_dev *pdev)
{
	struct pci_dev___tph *p = (void *)pdev;

	if (!bpf_core_field_exists(p->tph_req_type))
		return TPH_UNKNOWN_U8;
	return BPF_CORE_READ_BITFIELD_PROBED(p, tph_req_type);
}

static __always_inline __u8 pdev_mode(struct pci_dev *pdev)
{
	struct pci_dev___tph *p = (void *)pdev;

	if (!bpf_core_field_exists(p->tph_mode))
		return TPH_UNKNOWN_U8;
	return BPF_CORE_READ_BITFIELD_PROBED(p, tph_mode);
}

/* int pcie_enable_tph(struct pci_dev *, int mode) */
static __always_inline int fn_pcie_enable_tph(const __u64 *a, __u64 ret, __u8 hook)
{
	struct pci_args p = { .op = TPH_PCI_ENABLE, .mode = a[1],
			      .dev_req_type = TPH_UNKNOWN_U8,
			      .rp_completer = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)a[0], rd_mode(hook));
	p.req_type = (int)ret ? 0 : pdev_req_type((void *)a[0]);
	return on_pci(&d, &p, (int)ret, hook);
}
FN_EXIT_HOOKS(pcie_enable_tph, FN_PCI_ENABLE)

/* void pcie_disable_tph(struct pci_dev *) */
static __always_inline int fn_pcie_disable_tph(const __u64 *a, __u64 ret, __u8 hook)
{
	struct pci_args p = { .op = TPH_PCI_DISABLE, .dev_req_type = TPH_UNKNOWN_U8,
			      .rp_completer = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)a[0], rd_mode(hook));
	p.mode = pdev_mode((void *)a[0]);
	p.req_type = pdev_req_type((void *)a[0]);
	return on_pci(&d, &p, 0, hook);
}
FN_ENTRY_HOOKS(pcie_disable_tph, fn_pcie_disable_tph)

/* int pcie_tph_set_st_entry(struct pci_dev *, unsigned int index, u16 tag) */
static __always_inline int fn_pcie_tph_set_st_entry(const __u64 *a, __u64 ret,
						    __u8 hook)
{
	struct pci_args p = { .op = TPH_PCI_ST_WRITE, .index = a[1], .tag = a[2],
			      .req_type = TPH_UNKNOWN_U8,
			      .dev_req_type = TPH_UNKNOWN_U8,
			      .rp_completer = TPH_UNKNOWN_U8 };
	struct tph_dev d = {};

	read_pci_dev(&d, (void *)a[0], rd_mode(hook));
	return on_pci(&d, &p, (int)ret, hook);
}
FN_EXIT_HOOKS(pcie_tph_set_st_entry, FN_PCI_ST_WRITE)

/* ---- stock dma-buf -------------------------------------------------------- */

/*
 * A returned pointer, typed for RD(): fexit's ctx[NARGS] is the return value
 * with the function's BTF return type (the verifier checks NARGS against the
 * kernel's prototype at load); the kretprobe's is the u64 it got. Used only
 * after IS_ERR_VALUE() on the scalar copy, and only for functions whose
 * arity has not changed since v6.1 (dma_buf_export() 1,
 * dma_buf_dynamic_attach() 4 since v5.7).
 */
#define ret_ptr(a, ret, nargs, hook)	\
	((hook) == TPH_HOOK_FENTRY ? (void *)(a)[nargs] : (void *)(ret))

/* struct dma_buf *dma_buf_export(const struct dma_buf_export_info *) */
static __always_inline int fn_dma_buf_export(const __u64 *a, __u64 ret, __u8 hook)
{
	if (!ret || IS_ERR_VALUE(ret))
		return 0;
	return on_dmabuf(TPH_EV_DMABUF_EXPORT, ret_ptr(a, ret, 1, hook), rd_mode(hook), 0,
			 hook);
}
FN_EXIT_HOOKS(dma_buf_export, FN_DMABUF_EXPORT)

/* static void dma_buf_release(struct dentry *): the dentry's d_fsdata */
static __always_inline int fn_dma_buf_release(const __u64 *a, __u64 ret, __u8 hook)
{
	struct dentry *de = (void *)a[0];

	/* d_fsdata is a void *: the dma-buf is untyped */
	return on_dmabuf(TPH_EV_DMABUF_RELEASE, RD(rd_mode(hook), de, d_fsdata), RD_PROBE, 0,
			 hook);
}
FN_ENTRY_HOOKS(dma_buf_release, fn_dma_buf_release)

/*
 * bpf_rdonly_cast() (v6.2, commit a35b9af4ec2c "bpf: Add a kfunc for
 * generic type cast") makes an untyped kernel pointer an untrusted typed
 * one: its fields, and what they point to, are plain loads the JIT guards
 * with an exception-table entry (BPF_PROBE_MEM: a fault reads 0). The
 * program calls it by a helper id no helper has, TPH_CALL_RDONLY_CAST,
 * which the loader makes the kfunc call (src/btf_attach.c): an extern
 * __ksym would have libbpf read and parse all of vmlinux BTF to resolve it
 * (start-up 0.275 -> 0.494 s in the 7.3 guest, bench/README.md P3). The type's id
 * is the kernel's own, from rodata (src/sys_probe.c says why not CO-RE).
 */
static void *(*const bpf_rdonly_cast)(const void *obj, __u32 btf_id) =
	(void *)TPH_CALL_RDONLY_CAST;
const volatile __u32 btf_id_dma_buf;	/* vmlinux BTF id of struct dma_buf */

/*
 * The release with d_fsdata typed, where the kernel has the kfunc and
 * sorted BTF (the hook table prefers it there; src/sys_probe.c, kfunc_ok()):
 * six probe reads become plain loads, the handler ~1.6-2.0 -> ~1.0 us a
 * release in the 7.3 guest (bench/README.md, P7b). A program of its own,
 * not a branch of the one above, which would carry both paths' code.
 */
SEC("fentry/dma_buf_release")
int fentry__dma_buf_release_typed(__u64 *ctx)
{
	struct dentry *de = (void *)ctx[0];

	return on_dmabuf(TPH_EV_DMABUF_RELEASE, bpf_rdonly_cast(de->d_fsdata, btf_id_dma_buf),
			 RD_WALK, 0, TPH_HOOK_FENTRY);
}

/* dma_buf_dynamic_attach(dmabuf, dev, importer_ops, importer_priv) -> attach */
static __always_inline int fn_dma_buf_dynamic_attach(const __u64 *a, __u64 ret,
						     __u8 hook)
{
	int err = IS_ERR_VALUE(ret) ? (int)ret : 0;

	return on_attach(TPH_EV_ATTACH, (void *)a[0], err ? NULL : ret_ptr(a, ret, 4, hook),
			 (void *)a[1], rd_mode(hook), a[2] != 0, 0, err, hook);
}
FN_EXIT_HOOKS(dma_buf_dynamic_attach, FN_DMABUF_ATTACH)

/* void dma_buf_detach(struct dma_buf *, struct dma_buf_attachment *) */
static __always_inline int fn_dma_buf_detach(const __u64 *a, __u64 ret, __u8 hook)
{
	return on_attach(TPH_EV_DETACH, (void *)a[0], (void *)a[1], NULL, rd_mode(hook), -1,
			 0, 0, hook);
}
FN_ENTRY_HOOKS(dma_buf_detach, fn_dma_buf_detach)

/* struct sg_table *dma_buf_map_attachment(attach, enum dma_data_direction) */
static __always_inline int fn_dma_buf_map_attachment(const __u64 *a, __u64 ret,
						     __u8 hook)
{
	int err = IS_ERR_VALUE(ret) ? (int)ret : 0;

	return on_attach(TPH_EV_MAP, NULL, (void *)a[0], NULL, rd_mode(hook), -1, a[1], err,
			 hook);
}
FN_EXIT_HOOKS(dma_buf_map_attachment, FN_DMABUF_MAP)

/* void dma_buf_unmap_attachment(attach, struct sg_table *, dir) */
static __always_inline int fn_dma_buf_unmap_attachment(const __u64 *a, __u64 ret,
						       __u8 hook)
{
	return on_attach(TPH_EV_UNMAP, NULL, (void *)a[0], NULL, rd_mode(hook), -1, a[2], 0,
			 hook);
}
FN_ENTRY_HOOKS(dma_buf_unmap_attachment, fn_dma_buf_unmap_attachment)

/*
 * Exporter revokes or moves the backing store: dma_buf_move_notify() until
 * it was renamed dma_buf_invalidate_mappings() (2026, "dma-buf: Rename
 * .move_notify() callback to a clearer identifier").
 */
static __always_inline int fn_invalidate(const __u64 *a, __u64 ret, __u8 hook)
{
	return on_attach(TPH_EV_INVALIDATE, (void *)a[0], NULL, NULL, rd_mode(hook), 0, 0, 0,
			 hook);
}
FN_ENTRY_HOOKS(dma_buf_move_notify, fn_invalidate)
FN_ENTRY_HOOKS(dma_buf_invalidate_mappings, fn_invalidate)

#endif /* TPHTRACE_FN_BPF_H */
