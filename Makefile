# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tphtrace: eBPF observability for PCIe TPH on peer-to-peer dma-bufs.
#
#   make             build .output/tphtrace
#   make STATIC=1    static binary (copy it to another host)
#   make check       every test; ends with "N passed, N failed, N skipped"
#   make demo        simulator demo in a QEMU guest
#   make deps        install the Debian packages everything needs
#   make vmlinux     regenerate vmlinux/x86/vmlinux.h from Debian 6.12's BTF

OUTPUT		:= $(abspath .output)
CLANG		?= clang-19
LLVM_STRIP	?= llvm-strip-19
BPFTOOL		?= bpftool
CC		?= gcc
ARCH		:= x86
VERSION		:= 0.1.0
GIT_REV		:= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

VMLINUX_H	:= vmlinux/$(ARCH)/vmlinux.h
INCLUDES	:= -Iinclude -I$(OUTPUT) -Isrc
CFLAGS		?= -g -O2
CFLAGS		+= -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes \
		   -Wno-unused-parameter $(INCLUDES) \
		   -DTPHTRACE_VERSION='"$(VERSION)"' -DTPHTRACE_GIT='"$(GIT_REV)"' \
		   $(EXTRA_CFLAGS)
BPF_CFLAGS	:= -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		   -Ivmlinux/$(ARCH) -Iinclude -Ibpf \
		   -idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include

PKGS		:= libbpf libelf zlib json-c libmicrohttpd libcap gnutls yaml-0.1 libxcrypt
ifeq ($(STATIC),1)
# Debian's libmicrohttpd links GnuTLS, whose p11-kit dependency ships no
# static library: the static binary is built without the HTTP exporter
# (sources named src/httpd*.c, src/web*.c and src/exporter*.c); every other
# command is in.
HTTPD_SRCS	:= $(wildcard src/httpd*.c src/web*.c src/exporter*.c)
CFLAGS		+= -DTPHTRACE_NO_HTTPD
LDFLAGS		+= -static
LDLIBS		:= $(shell pkg-config --static --libs libbpf libelf zlib json-c libcap \
		     2>/dev/null || echo -lbpf -lelf -lz -ljson-c -lcap) -lpthread
else
LDLIBS		:= $(shell pkg-config --libs $(PKGS) 2>/dev/null || \
		     echo -lbpf -lelf -lz -ljson-c -lmicrohttpd -lcap -lgnutls -lyaml -lcrypt)
endif

BPF_OBJS	:= $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(wildcard bpf/*.bpf.c))
SKELS		:= $(patsubst %.bpf.o,%.skel.h,$(BPF_OBJS))
SRCS		:= $(filter-out $(HTTPD_SRCS),$(wildcard src/*.c))
OBJS		:= $(patsubst src/%.c,$(OUTPUT)/obj/%.o,$(SRCS))
LIB_OBJS	:= $(filter-out $(OUTPUT)/obj/main.o,$(OBJS))
BIN		:= $(OUTPUT)/tphtrace

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(abspath .)/%,%,$(2))";
endif

.PHONY: all clean deps vmlinux check check-all check-unit check-asan check-bpf check-vm \
	check-kernel demo bench install uninstall stress fuzz
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BIN)

$(OUTPUT) $(OUTPUT)/obj:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) include/tphtrace/tphtrace.h \
		   $(VMLINUX_H) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp && \
		$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/obj/%.o: src/%.c $(wildcard src/*.h) include/tphtrace/tphtrace.h \
		   $(SKELS) | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BIN): $(OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# vmlinux.h from the BTF of the newest Debian 6.12 headers' vmlinux
# (apt-get install linux-headers-6.12.*-amd64 reproduces it anywhere).
vmlinux:
	$(Q)vml=$$(ls -d /usr/src/linux-headers-6.12.*-amd64/vmlinux | sort -V | tail -n1); \
	test -n "$$vml" || { echo "no /usr/src/linux-headers-6.12.*-amd64/vmlinux: make deps" >&2; exit 1; }; \
	echo "  VMLINUX  $$vml"; \
	$(BPFTOOL) btf dump file "$$vml" format c > $(VMLINUX_H)

deps:
	$(Q)bash scripts/deps.sh

# the README's first command: simulator guest with tphtrace live
demo:
	$(Q)bash demo/demo.sh

include tests/tests.mk
include mk/install.mk
include mk/bench.mk

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)/obj $(OUTPUT)/*.o $(OUTPUT)/*.skel.h $(BIN) $(OUTPUT)/tests
