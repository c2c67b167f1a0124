// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * core-load OBJ: load every kprobe/kretprobe program of the BPF object OBJ
 * (tphtrace.bpf.o) into the running kernel WITHOUT attaching it, with
 * libbpf's debug log on stderr, and print one line per program:
 *   loaded PROG SECTION
 * A kprobe program loads whether or not its function exists, so this makes
 * libbpf relocate every CO-RE access of the object (the ___tph flavors of
 * bpf/core.bpf.h: vfio-pci, mlx5, ib_core, PCI types) against this kernel's
 * vmlinux and module BTF, also for hooks the kernel does not offer; the
 * relocation log is what tests/vm/btf-relo-check.py compares with the BTF.
 * Exit status: 0 when the object loaded, 1 when libbpf refused it, 2 usage.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

static int print_all(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int n = 0, err;

	if (argc != 2) {
		fprintf(stderr, "usage: core-load OBJ\n");
		return 2;
	}
	libbpf_set_print(print_all);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "core-load: cannot open %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		bool kp = bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE;

		bpf_program__set_autoload(prog, kp);
		n += kp;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "core-load: load failed: %s\n", strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__fd(prog) >= 0)
			printf("loaded %s %s\n", bpf_program__name(prog),
			       bpf_program__section_name(prog));
	fprintf(stderr, "core-load: %d kprobe programs loaded\n", n);
	bpf_object__close(obj);
	return 0;
}
