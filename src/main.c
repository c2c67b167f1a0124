// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tphtrace: eBPF observability for PCIe TPH (TLP Processing Hints) on
 * peer-to-peer dma-bufs. bpftool-style "tphtrace COMMAND [ARGS]".
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cmds.h"
#include "jw.h"
#include "opts.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

#ifdef TPHTRACE_NO_HTTPD
/*
 * make STATIC=1: Debian's libmicrohttpd links GnuTLS, whose p11-kit
 * dependency ships no static library, so the static binary has no HTTP
 * server. Every other command is in it.
 */
#define BUILD_NOTE	", static build: no exporter command"

static int cmd_no_exporter(int argc, char **argv)
{
	fprintf(stderr, "tphtrace: exporter: not in this static build (Debian's libmicrohttpd "
		"needs GnuTLS, whose p11-kit has no static library); use a dynamic build "
		"(make, or make ARCH=arm64)\n");
	return 2;
}
#else
#define BUILD_NOTE	""
#endif

static const struct cmd cmds[] = {
	{ "trace", cmd_trace, "stream TPH/dma-buf events (text or -j JSON lines)" },
	{ "probe", cmd_probe, "show the hook chosen for each event on this kernel" },
	{ "list", cmd_list, "one-shot inventory: dma-bufs, tags, importers, MRs, devices" },
	{ "top", cmd_top, "live per-dma-buf table of tags, importers and MRs" },
	{ "check", cmd_check, "diagnose TPH misconfigurations (live or --replay FILE)" },
	{ "devices", cmd_devices, "TPH state of PCI devices (sysfs or an lspci -xxxx dump)" },
#ifndef TPHTRACE_NO_HTTPD
	{ "exporter", cmd_exporter, "serve Prometheus metrics over HTTP" },
#else
	{ "exporter", cmd_no_exporter, "not in this static build (use a dynamic one)" },
#endif
	{ "version", cmd_version, "print the version" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: tphtrace COMMAND [OPTIONS]\n\n"
		"eBPF observability for PCIe TPH steering tags on peer-to-peer dma-bufs.\n\n"
		"Commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nEvery command takes the common options -h, -j, -v, -D, -d, -p, -i, "
		"--replay\n(tphtrace(8), COMMON OPTIONS). 'tphtrace help COMMAND' or "
		"'tphtrace COMMAND --help'\ndescribes a command.\n"
		"Report bugs with a trace: tphtrace trace -j > trace.jsonl\n");
}

int cmd_version(int argc, char **argv)
{
	struct argp argp = { NULL, NULL, NULL, "Print the version.", NULL, NULL, NULL };
	struct cmd_opts o = { .cmd = "version", .applies = OPT_F_JSON };
	struct jw w;
	int ret;

	ret = argc ? opts_parse(&o, &argp, NULL, argc, argv) : 0;
	if (ret)
		return ret;
	if (!o.json) {
		printf("tphtrace %s (%s%s)\n", TPHTRACE_VERSION, TPHTRACE_GIT, BUILD_NOTE);
		return 0;
	}
	jw_init(&w, stdout);
	jw_doc(&w, "version");
	jw_kstr(&w, "revision", TPHTRACE_GIT);
	jw_kstr(&w, "libbpf", libbpf_version_string());
	jw_obj_end(&w);
	return 0;
}

/* stdout is a pipe whose reader went away (poll says POLLERR) */
static bool stdout_pipe_closed(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
	struct stat st;

	return !fstat(STDOUT_FILENO, &st) && S_ISFIFO(st.st_mode) &&
	       poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/*
 * Output that did not reach its file is an error (exit 2): `list -j >
 * /dev/full` must not look like a success. A reader that went away
 * (`tphtrace trace | head -1`: EPIPE, SIGPIPE being ignored) is not: the
 * command keeps its exit status. Run at exit() so that argp's own exits
 * (--help, --usage) are covered too.
 */
static void check_stdout_at_exit(void)
{
	bool failed = ferror(stdout);
	int e = 0;

	if (fflush(stdout)) {
		failed = true;
		e = errno;
	}
	if (!failed || e == EPIPE || (!e && stdout_pipe_closed()))
		return;
	fprintf(stderr, "tphtrace: error writing to standard output: %s\n",
		e ? strerror(e) : "a write failed, the output is incomplete");
	_exit(2);
}

/* the command @name names (an unambiguous prefix, bpftool-style), NULL */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *match = NULL;
	size_t i, len = strlen(name);

	for (i = 0; i < NCMDS; i++) {
		if (strncmp(cmds[i].name, name, len))
			continue;
		if (strlen(cmds[i].name) == len)
			return &cmds[i];
		if (match) {
			fprintf(stderr, "tphtrace: ambiguous command '%s'\n", name);
			return NULL;
		}
		match = &cmds[i];
	}
	if (!match) {
		fprintf(stderr, "tphtrace: unknown command '%s'\n\n", name);
		usage(stderr);
	}
	return match;
}

int main(int argc, char **argv)
{
	char help[] = "--help";
	const struct cmd *c;

	/* usage errors exit 2 like every other error, not argp's EX_USAGE */
	argp_err_exit_status = 2;
	/* a closed output pipe is an EPIPE write error, handled, not a kill */
	signal(SIGPIPE, SIG_IGN);
	atexit(check_stdout_at_exit);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	/* tphtrace help CMD: CMD's --help */
	if (!strcmp(argv[1], "help")) {
		c = find_cmd(argv[2]);
		if (!c)
			return 2;
		argv[3] = help;
		return c->fn(2, argv + 2);
	}
	c = find_cmd(argv[1]);
	if (!c)
		return 2;
	/* argv[0] of the command is its full name: usage lines say "tphtrace trace" */
	argv[1] = (char *)c->name;
	return c->fn(argc - 1, argv + 1);
}
