#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tree the tracepoint series applies to, built from the v7 reference.

The reference tree (../shared/kernel-ref) has the TPH series' v7 applied.
The series was reposted up to v11; what of v8..v11 is public (quoted in
full in reviewers' replies) is applied here as edits of v7, each one a fact
of a named mail, never a copy of one:

  rename  v8+: dma_buf_ops.get_tph -> get_pci_tph, dma_buf_get_tph() ->
          dma_buf_get_pci_tph() (v10 2/4
          <20260630224328.3218796-3-zhipingz@meta.com>, quoted in full in
          Christian König's reply of 2026-07-01; v11 changed its kernel-doc
          only, per its cover letter), vfio_pci_dma_buf_get_tph() ->
          vfio_pci_dma_buf_get_pci_tph() (v9 3/4
          <20260622184211.2229399-4-zhipingz@meta.com>, quoted in full in
          Alex Williamson's reply <20260623121736.4d9e38b9@shazbot.org>), and
          mlx5's call (v9 4/4 <20260622184211.2229399-5-zhipingz@meta.com>:
          "the new dma_buf_get_pci_tph() call").
  vfio    v9 3/4: the SET checks the completer type before
          vfio_check_feature() (PROBE follows the same gate), the TPH state
          moves after @revoked "Protected by dmabuf->resv".
  frmr    the rdma-next fix "RDMA/core: Fix FRMR handle leak on push
          failure" <20260610000145.820592-8-michaelgur@nvidia.com>:
          ib_frmr_pool_push() returns void (include/rdma/frmr_pools.h; the
          mlx5 call site is reconstructed context, below).

Files the reference lacks come from the public trees they belong to:
include/trace/events/{dma_buf,pci}.h from the newest Debian kernel's
headers (7.3), drivers/infiniband/hw/mlx5/mlx5_ib.h and MAINTAINERS from
Debian's linux-source-6.12. With --context, the SKELETON placeholder lines
the series' hunks need as context are filled with the mainline code of the
time (for generating the patches only: a check must see them as
placeholders and report those hunks inconclusive).

usage: kref_base.py TREE --newest-headers DIR --linux-src TARBALL [--context]
"""
import argparse
import os
import re
import subprocess
import sys


def edit(tree, path, pairs):
    p = os.path.join(tree, path)
    with open(p) as f:
        s = f.read()
    for old, new in pairs:
        if old not in s:
            sys.exit(f'kref_base: {path}: expected text not found:\n{old}')
        s = s.replace(old, new)
    with open(p, 'w') as f:
        f.write(s)


def rebase(tree):
    edit(tree, 'include/linux/dma-buf.h', [
        ('\t * @get_tph:\n', '\t * @get_pci_tph:\n'),
        ('\tint (*get_tph)(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t       u16 *steering_tag, u8 *ph);',
         '\tint (*get_pci_tph)(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t\t   u16 *steering_tag, u8 *ph);'),
        ('int dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t    u16 *steering_tag, u8 *ph);',
         'int dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t\tu16 *steering_tag, u8 *ph);'),
    ])
    edit(tree, 'drivers/dma-buf/dma-buf.c', [
        (' * dma_buf_get_tph - Retrieve TPH metadata from an exporter\n',
         ' * dma_buf_get_pci_tph - Retrieve PCIe TLP Processing Hint (TPH) metadata\n'),
        (' * Wrapper for the optional &dma_buf_ops.get_tph callback.\n',
         ' * Wrapper for the optional &dma_buf_ops.get_pci_tph callback.\n'),
        ('int dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t    u16 *steering_tag, u8 *ph)\n',
         'int dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t\tu16 *steering_tag, u8 *ph)\n'),
        ('\tif (!dmabuf->ops->get_tph)\n', '\tif (!dmabuf->ops->get_pci_tph)\n'),
        ('\treturn dmabuf->ops->get_tph(dmabuf, extended, steering_tag, ph);\n',
         '\treturn dmabuf->ops->get_pci_tph(dmabuf, extended, steering_tag, ph);\n'),
        ('EXPORT_SYMBOL_NS_GPL(dma_buf_get_tph, "DMA_BUF");',
         'EXPORT_SYMBOL_NS_GPL(dma_buf_get_pci_tph, "DMA_BUF");'),
    ])
    edit(tree, 'drivers/vfio/pci/vfio_pci_dmabuf.c', [
        ('\tu8 tph_st_valid:1;\n\tu8 tph_st_ext_valid:1;\n\tu8 tph_ph:2;\n'
         '\tu8 tph_st;\n\tu16 tph_st_ext;\n\tu8 revoked:1;\n',
         '\n\t/* Protected by dmabuf->resv. */\n\tu16 tph_st_ext;\n\tu8 tph_st;\n'
         '\tu8 revoked:1;\n\tu8 tph_st_valid:1;\n\tu8 tph_st_ext_valid:1;\n'
         '\tu8 tph_ph:2;\n'),
        ('static int vfio_pci_dma_buf_get_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t\t\t    u16 *steering_tag, u8 *ph)\n',
         'static int vfio_pci_dma_buf_get_pci_tph(struct dma_buf *dmabuf, bool extended,\n'
         '\t\t\t\t\tu16 *steering_tag, u8 *ph)\n'),
        ('\t.get_tph = vfio_pci_dma_buf_get_tph,\n',
         '\t.get_pci_tph = vfio_pci_dma_buf_get_pci_tph,\n'),
        ('\tint ret;\n\n\tret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,\n'
         '\t\t\t\t sizeof(set_tph));\n',
         '\tint ret;\n\n\tcomp = pcie_tph_completer_type(vdev->pdev);\n'
         '\tif (comp == PCI_EXP_DEVCAP2_TPH_COMP_NONE)\n\t\treturn -EOPNOTSUPP;\n\n'
         '\tret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,\n'
         '\t\t\t\t sizeof(set_tph));\n'),
        ('\tcomp = pcie_tph_completer_type(vdev->pdev);\n'
         '\tif (comp == PCI_EXP_DEVCAP2_TPH_COMP_NONE)\n\t\treturn -EOPNOTSUPP;\n'
         '\tif ((set_tph.flags & VFIO_DMA_BUF_TPH_ST_EXT) &&\n',
         '\tif ((set_tph.flags & VFIO_DMA_BUF_TPH_ST_EXT) &&\n'),
    ])
    edit(tree, 'drivers/infiniband/hw/mlx5/mr.c', [
        ('\tret = dma_buf_get_tph(dmabuf, extended, &steering_tag, &local_ph);\n',
         '\tret = dma_buf_get_pci_tph(dmabuf, extended, &steering_tag, &local_ph);\n'),
    ])
    edit(tree, 'include/rdma/frmr_pools.h', [
        ('int ib_frmr_pool_push(struct ib_device *device, struct ib_mr *mr);',
         'void ib_frmr_pool_push(struct ib_device *device, struct ib_mr *mr);'),
    ])


def add_public_files(tree, newest, linux_src):
    for name in ('dma_buf.h', 'pci.h'):
        src = os.path.join(newest, 'include/trace/events', name)
        if not os.path.isfile(src):
            sys.exit(f'kref_base: {src} missing (newest Debian kernel headers)')
        dst = os.path.join(tree, 'include/trace/events', name)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(src) as f, open(dst, 'w') as g:
            g.write(f.read())
    for path in LINUX_SRC_FILES:
        dst = os.path.join(tree, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, 'wb') as g:
            g.write(read_linux_src(linux_src, path))


# what the series' base takes from Debian's linux-source-6.12
LINUX_SRC_FILES = ('drivers/infiniband/hw/mlx5/mlx5_ib.h', 'MAINTAINERS')


def read_linux_src(linux_src, path):
    """PATH of linux-source-6.12: from a directory holding extracted files
    (check-series.sh's cache), else from the tarball (slow: xz)."""
    if os.path.isdir(linux_src):
        with open(os.path.join(linux_src, path), 'rb') as f:
            return f.read()
    top = os.path.basename(linux_src).split('.tar')[0]
    return subprocess.run(['tar', '-xOJf', linux_src, f'{top}/{path}'],
                          capture_output=True, check=True).stdout


# mr.c lines the reference has as placeholders, as mainline had them when
# v7 was posted (the include block, mlx5r_handle_mkey_cleanup() with the
# rdma-next fix above): line number in the v7 file -> lines, each block
# over as many placeholders as it has lines (the line numbers of the
# generated patches stay the reference's)
MR_CONTEXT = {
    45: ['#include "mlx5_ib.h"', '#include "umr.h"', '#include "data_direct.h"',
         '#include "dmah.h"', '',
         'static int mkey_max_umr_order(struct mlx5_ib_dev *dev)', '{',
         '\tif (MLX5_CAP_GEN(dev->mdev, umr_extended_translation_offset))'],
    1475: ['static int mlx5r_handle_mkey_cleanup(struct mlx5_ib_mr *mr)', '{',
           '\tbool is_odp = is_odp_mr(mr);', '\tint ret;', '',
           '\tif (mr->ibmr.frmr.pool && !mlx5_umr_revoke_mr_with_lock(mr)) {',
           '\t\tib_frmr_pool_push(mr->ibmr.device, &mr->ibmr);',
           '\t\treturn 0;', '\t}', '',
           '\tif (is_odp)',
           '\t\tmutex_lock(&to_ib_umem_odp(mr->umem)->umem_mutex);'],
}

def fill_context(tree):
    p = os.path.join(tree, 'drivers/infiniband/hw/mlx5/mr.c')
    with open(p) as f:
        lines = f.read().split('\n')
    for start in sorted(MR_CONTEXT, reverse=True):
        span = len(MR_CONTEXT[start])
        old = lines[start - 1:start - 1 + span]
        if not all('KREF-SKELETON' in x for x in old):
            sys.exit(f'kref_base: mr.c lines {start}..{start + span - 1} are not placeholders')
        lines[start - 1:start - 1 + span] = MR_CONTEXT[start]
    with open(p, 'w') as f:
        f.write('\n'.join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tree')
    ap.add_argument('--newest-headers', required=True)
    ap.add_argument('--linux-src', required=True)
    ap.add_argument('--context', action='store_true')
    a = ap.parse_args()
    rebase(a.tree)
    add_public_files(a.tree, a.newest_headers, a.linux_src)
    if a.context:
        fill_context(a.tree)


if __name__ == '__main__':
    main()
