/* SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB */
/* What lib/st.c takes from mlx5 core's private mlx5_core.h */
static inline bool mlx5_core_is_sf(const struct mlx5_core_dev *dev)
{
	return dev->coredev_type == MLX5_COREDEV_SF;
}
