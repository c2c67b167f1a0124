/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/*
 * The prototypes lib/st.c defines: mlx5 core's private lib/mlx5.h, and the
 * two the TPH series adds to include/linux/mlx5/driver.h (a SKELETON file of
 * the reference tree: its v7 content is not known in full).
 */
struct mlx5_st *mlx5_st_create(struct mlx5_core_dev *dev);
void mlx5_st_destroy(struct mlx5_core_dev *dev);
int mlx5_st_alloc_index_by_tag(struct mlx5_core_dev *dev, u16 tag, u16 *st_index);
int mlx5_st_get_index(struct mlx5_core_dev *dev, u16 st_index);
