/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * BTF attach targets of tp_btf, fentry and fexit programs from the hook
 * probe's index instead of libbpf's own search (see btf_attach.c).
 */
#ifndef TPHTRACE_BTF_ATTACH_H
#define TPHTRACE_BTF_ATTACH_H

struct bpf_object;
struct bpf_program;
struct sys_probe;

/*
 * Register the section handlers (once per process; objects opened before
 * keep libbpf's). 0 or -errno.
 */
int btf_attach_install(void);
/* the probe whose index answers from now on; NULL: none (a private one) */
void btf_attach_use(struct sys_probe *p);
/*
 * Before bpf_object__load() of an object opened with a btf_custom_path:
 * spare libbpf its own read of vmlinux BTF (see btf_attach.c). Returns
 * how many programs it concerns.
 */
int btf_attach_hide_tracing(struct bpf_object *obj);
/*
 * @fn (NULL: none) is called before each tp_btf, fentry or fexit program
 * of any object is loaded, when libbpf has created that object's maps.
 */
void btf_attach_on_prepare(void (*fn)(const struct bpf_program *prog));

#endif /* TPHTRACE_BTF_ATTACH_H */
