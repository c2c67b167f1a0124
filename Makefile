# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# tphtrace: eBPF observability for PCIe TPH on peer-to-peer dma-bufs.
#
#   make             build .output/tphtrace
#   make STATIC=1    static binary (copy it to another host)
#   make arm64       cross-build for arm64: .output/arm64/tphtrace (dynamic,
#                    Debian arm64 hosts) and .output/arm64/static/tphtrace
#                    (static, any arm64 host; no exporter command). Same as
#                    make ARCH=arm64 and make ARCH=arm64 STATIC=1
#   make check       every test; ends with "N passed, N failed, N skipped"
#   make demo        simulator demo in a QEMU guest
#   make deps        install the Debian packages everything needs
#   make vmlinux     regenerate vmlinux/x86/vmlinux.h from Debian 6.12's BTF
#                    (ARCH=arm64: vmlinux/arm64/vmlinux.h from Debian arm64 6.12's)

OUTPUT		:= $(abspath .output)
CLANG		?= clang-19
LLVM_STRIP	?= llvm-strip-19
BPFTOOL		?= bpftool
CC		?= gcc
ARCH		:= x86
VERSION		:= 0.1.0
GIT_REV		:= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Cross build (make ARCH=arm64): Debian's cross compiler and the arm64
# -dev packages of dpkg's arm64 architecture (scripts/deps-arm64.sh); its own
# output tree, so that .output/tphtrace stays the host's build.
ifeq ($(ARCH),arm64)
CROSS_COMPILE	?= aarch64-linux-gnu-
CC		:= $(CROSS_COMPILE)gcc
OUTPUT		:= $(abspath .output/arm64$(if $(filter 1,$(STATIC)),/static))
PKG_CONFIG	:= PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
		   pkg-config
MULTIARCH	:= aarch64-linux-gnu
# the Debian arm64 6.12 headers unpacked by scripts/deps-arm64.sh
VMLINUX_BTF	= $(lastword $(sort $(wildcard \
		  /var/lib/tphtrace/arm64/usr/src/linux-headers-6.12.*-arm64/vmlinux)))
else ifeq ($(ARCH),x86)
PKG_CONFIG	:= pkg-config
MULTIARCH	:= x86_64-linux-gnu
VMLINUX_BTF	= $(lastword $(sort $(wildcard /usr/src/linux-headers-6.12.*-amd64/vmlinux)))
else
$(error ARCH=$(ARCH): x86 or arm64)
endif

VMLINUX_H	:= vmlinux/$(ARCH)/vmlinux.h
INCLUDES	:= -Iinclude -I$(OUTPUT) -Isrc
CFLAGS		?= -g -O2
CFLAGS		+= -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes \
		   -Wno-unused-parameter $(INCLUDES) \
		   -DTPHTRACE_VERSION='"$(VERSION)"' -DTPHTRACE_GIT='"$(GIT_REV)"' \
		   $(EXTRA_CFLAGS)
BPF_CFLAGS	:= -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		   -Ivmlinux/$(ARCH) -Iinclude -Ibpf \
		   -idirafter /usr/include/$(MULTIARCH) -idirafter /usr/include

# libnl-3 (RDMA netlink, src/rdma_nl.c) keeps its headers in a subdirectory
NL_CFLAGS	:= $(shell $(PKG_CONFIG) --cflags libnl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
CFLAGS		+= $(NL_CFLAGS)
ifeq ($(STATIC),1)
# Debian's libmicrohttpd links GnuTLS, whose p11-kit dependency ships no
# static library: the static binary is built without the HTTP exporter
# (sources named src/httpd*.c, src/web*.c and src/exporter*.c); every other
# command is in.
HTTPD_SRCS	:= $(wildcard src/httpd*.c src/web*.c src/exporter*.c)
CFLAGS		+= -DTPHTRACE_NO_HTTPD
LDFLAGS		+= -static
LDLIBS		:= $(shell $(PKG_CONFIG) --static --libs libbpf libelf zlib json-c libcap \
		     libnl-3.0 2>/dev/null || echo -lbpf -lelf -lz -ljson-c -lcap -lnl-3) -lpthread
else
# Everything but libc from Debian's static archives, and libmicrohttpd and
# GnuTLS not linked at all: the exporter dlopen()s them (src/httplib.h), so
# exec() maps libc alone (issue 14, P3: 0.30 -> ~0.26 s to attached in the
# 7.3 guest). libc stays shared, which dlopen() needs.
LINKED_PKGS	:= libbpf libelf zlib json-c libcap yaml-0.1 libxcrypt libnl-3.0
LDLIBS		:= -Wl,-Bstatic $(filter-out -lpthread -lm -ldl -lrt,$(shell \
		     $(PKG_CONFIG) --static --libs $(LINKED_PKGS) 2>/dev/null || \
		     echo -lbpf -lelf -lz -ljson-c -lcap -lyaml -lcrypt -lnl-3)) \
		   -Wl,-Bdynamic -lpthread
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

.PHONY: all arm64 clean deps vmlinux check check-all check-arm64-build check-unit check-asan \
	check-bpf check-vm check-kernel demo bench install uninstall stress fuzz
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

# both arm64 builds (separate trees: the static one has other objects)
arm64:
	$(Q)$(MAKE) -s --no-print-directory ARCH=arm64
	$(Q)$(MAKE) -s --no-print-directory ARCH=arm64 STATIC=1

# vmlinux.h from the BTF of the newest Debian 6.12 headers' vmlinux. x86:
# apt-get install linux-headers-6.12.N+deb12-amd64 reproduces it anywhere;
# arm64: apt-get download linux-headers-6.12.N+deb12-arm64:arm64 and
# dpkg-deb -x it (scripts/deps-arm64.sh does, under /var/lib/tphtrace/arm64).
vmlinux:
	$(Q)test -n "$(VMLINUX_BTF)" || { echo "no Debian $(ARCH) 6.12 headers' vmlinux: make deps" >&2; exit 1; }
	$(call msg,VMLINUX,$(VMLINUX_BTF))
	$(Q)mkdir -p $(dir $(VMLINUX_H))
	$(Q)$(BPFTOOL) btf dump file "$(VMLINUX_BTF)" format c > $(VMLINUX_H)

deps:
	$(Q)bash scripts/deps.sh

# the README's first command: simulator guest with tphtrace live
demo:
	$(Q)bash demo/demo.sh

include tests/tests.mk
include mk/fuzz.mk
include mk/install.mk
include mk/bench.mk

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)/obj $(OUTPUT)/*.o $(OUTPUT)/*.skel.h $(BIN) $(OUTPUT)/tests \
		$(abspath .output/arm64)
