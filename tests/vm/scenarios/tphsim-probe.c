// SPDX-License-Identifier: GPL-2.0
/*
 * tphsim-probe OBJ SCENARIO CTL [REFUSED]: load and attach the
 * fentry/fexit/tp_btf programs of OBJ (tphsim-probe.bpf.o) against tphsim's
 * module BTF, run `CTL run SCENARIO`, and check that every program ran and
 * that the CO-RE read of vfio_pci_dma_buf.tph_st saw a tag. REFUSED names a
 * program whose attachment the kernel is expected to refuse with -ENOTSUPP
 * (fentry on a function with more than 6 arguments before v6.5). Prints one
 * line per program and "probe ok" / "probe FAIL"; exit status 0 on success.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define NPROGS 5

int main(int argc, char **argv)
{
	static const char *const names[NPROGS] = {
		"fexit_get_tph", "fexit_vfio_get_tph", "fentry_reg",
		"fexit_st_alloc", "tp_mr_tph",
	};
	struct bpf_link *links[NPROGS] = { 0 };
	const char *refused = argc > 4 ? argv[4] : "";
	int refused_ok[NPROGS] = { 0 };
	unsigned long long hits[NPROGS], last_st;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *bss;
	size_t sz;
	char *data;
	int key = 0;
	int i = 0, ok = 1, status;
	pid_t pid;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s OBJ SCENARIO CTL [REFUSED]\n", argv[0]);
		return 2;
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj) || bpf_object__load(obj)) {
		printf("probe FAIL load\n");
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		long err;

		if (i == NPROGS || strcmp(bpf_program__name(prog), names[i])) {
			printf("probe FAIL unexpected program order\n");
			return 1;
		}
		links[i] = bpf_program__attach(prog);
		err = libbpf_get_error(links[i]);
		if (err) {
			links[i] = NULL;
			if (!strcmp(refused, names[i]) && err == -524) {
				printf("attach %s refused err=%ld (expected)\n",
				       names[i], err);
				refused_ok[i] = 1;
			} else {
				printf("attach %s FAIL err=%ld\n", names[i], err);
				ok = 0;
			}
		}
		i++;
	}

	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(argv[3], argv[3], "run", argv[2], (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		ok = 0;

	bss = bpf_object__find_map_by_name(obj, ".bss");
	sz = bss ? bpf_map__value_size(bss) : 0;
	data = sz >= sizeof(hits) + sizeof(last_st) ? calloc(1, sz) : NULL;
	if (!data || bpf_map_lookup_elem(bpf_map__fd(bss), &key, data)) {
		printf("probe FAIL cannot read .bss\n");
		return 1;
	}
	memcpy(hits, data, sizeof(hits));
	memcpy(&last_st, data + sizeof(hits), sizeof(last_st));
	for (i = 0; i < NPROGS; i++) {
		printf("program %s hits=%llu%s\n", names[i], hits[i],
		       refused_ok[i] ? " (refused)" : "");
		if (!hits[i] && !refused_ok[i])
			ok = 0;
	}
	printf("core vfio_pci_dma_buf.tph_st=0x%llx\n", last_st);
	if (!last_st)
		ok = 0;
	for (i = 0; i < NPROGS; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	free(data);
	printf("probe %s\n", ok ? "ok" : "FAIL");
	return ok ? 0 : 1;
}
