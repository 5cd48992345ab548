# SPDX-License-Identifier: GPL-2.0-only
# lpctl: the target-side client that installs and applies livepatches.
# $(O)/lpctl for the host, $(O)/lpctl.static (no shared libraries) for the
# test guest's busybox initramfs and for machines without libelf/libcrypto.

# objects go to $(O)/lpctl-obj/: $(O)/lpctl is the program
LPCTL_OBJDIR := $(O)/lpctl-obj
LPCTL_SRCS := lpctl/context.c lpctl/util.c lpctl/kvfile.c \
	      lpctl/manifest.c lpctl/modinfo.c lpctl/trust.c lpctl/verify.c \
	      lpctl/kmsg.c lpctl/klp.c lpctl/store.c lpctl/apply.c lpctl/cmd.c \
	      lpctl/status.c lpctl/update.c lpctl/fetch.c
# lib/ parts lpctl uses: the ELF model (for .modinfo) and module signatures
LPCTL_LIB_SRCS := lib/elf.c lib/elf-write.c lib/hash.c lib/log.c lib/cms.c lib/modsign.c lib/json.c \
		  lib/repo-index.c
LPCTL_OBJS := $(LPCTL_SRCS:lpctl/%.c=$(LPCTL_OBJDIR)/%.o) $(LPCTL_LIB_SRCS:%.c=$(O)/%.o)
LPCTL_STATIC_LIBS := -lelf -lz -lcrypto -lpthread -ldl
# https:// goes through libcurl; libcurl's TLS and protocol libraries do not
# link statically on Debian, so lpctl.static reads file:// repositories only
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
LPCTL_NET := $(LPCTL_OBJDIR)/fetch-curl.o
LPCTL_NONET := $(LPCTL_OBJDIR)/fetch-nocurl.o

$(LPCTL_OBJDIR)/%.o: lpctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Ilpctl -MMD -MP -c -o $@ $<

$(O)/lpctl: $(LPCTL_OBJDIR)/main.o $(LPCTL_OBJS) $(LPCTL_NET)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

# glibc warns that libcrypto's unused name lookups need its shared libraries
# at run time; lpctl never resolves host names, so the warnings are kept in
# a log instead of the build output.
$(O)/lpctl.static: $(LPCTL_OBJDIR)/main.o $(LPCTL_OBJS) $(LPCTL_NONET)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LPCTL_STATIC_LIBS) 2>$@.log || { cat $@.log; exit 1; }

all: $(O)/lpctl $(O)/lpctl.static

# ---- unit tests: in-process, no root, no VM ----
LPCTL_UNIT := $(LPCTL_OBJDIR)/unit-test

LPCTL_UNIT_OBJS := $(patsubst lpctl/%.c,$(LPCTL_OBJDIR)/%.o,$(wildcard lpctl/tests/unit*.c))

$(LPCTL_UNIT): $(LPCTL_UNIT_OBJS) $(LPCTL_OBJS) $(LPCTL_NET)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CURL_LIBS)

.PHONY: lpctl-unit lpctl-install
lpctl-unit: $(LPCTL_UNIT) $(O)/lpctl $(O)/lp-build
	$(LPCTL_UNIT) $(abspath $(O))/lpctl-unit
	bash lpctl/tests/cli.sh $(abspath $(O))/lpctl $(abspath $(O))/lpctl-unit
	bash lpctl/tests/update.sh $(abspath $(O))/lpctl $(abspath $(O))/lp-build $(abspath $(O))/lpctl-unit

unit: lpctl-unit

# `make asan` runs them under AddressSanitizer/UBSan too, in their own tree
.PHONY: lpctl-asan
lpctl-asan:
	$(MAKE) O=$(O)/asan EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		LDLIBS="$(LDLIBS) -fsanitize=address,undefined" lpctl-unit

asan: lpctl-asan

# ---- installing on a target machine ----
DESTDIR ?=
SBINDIR ?= /usr/sbin
UNITDIR ?= /lib/systemd/system
MANDIR ?= /usr/share/man

lpctl-install: $(O)/lpctl
	install -D -m 0755 $(O)/lpctl $(DESTDIR)$(SBINDIR)/lpctl
	install -D -m 0644 lpctl/lpctl.service $(DESTDIR)$(UNITDIR)/lpctl.service
	install -D -m 0644 lpctl/lpctl-update.service $(DESTDIR)$(UNITDIR)/lpctl-update.service
	install -D -m 0644 lpctl/lpctl-update.timer $(DESTDIR)$(UNITDIR)/lpctl-update.timer
	install -D -m 0644 doc/lpctl.8 $(DESTDIR)$(MANDIR)/man8/lpctl.8
	install -d -m 0755 $(DESTDIR)/etc/lpctl/trusted.d
	install -d -m 0700 $(DESTDIR)/var/lib/lpctl
