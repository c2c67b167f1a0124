// SPDX-License-Identifier: GPL-2.0
/*
 * tphtrace BPF object: every hook variant of every logical event. User
 * space (src/hooks.c) picks one family per event at start and disables the
 * autoload of every other program, so only what this kernel offers loads.
 */
#include "tp.bpf.h"
#include "fn.bpf.h"

char LICENSE[] SEC("license") = "GPL";
