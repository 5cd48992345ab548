# SPDX-License-Identifier: GPL-2.0-only
# lib: the ELF model and helpers shared by create-diff-object and lp-build,
# built into one static archive.

LIB_SRCS := lib/hash.c lib/log.c lib/elf.c lib/elf-write.c lib/ksyms.c \
	    lib/symvers.c lib/dwarf-types.c lib/dwarf-open.c lib/dwarf-cus.c lib/dwarf-layout.c \
	    lib/dwarf-funcs.c \
	    lib/json.c lib/cms.c lib/modsign.c lib/klp-write.c lib/lpb-meta-read.c \
	    lib/line-pin.c lib/klp-check.c lib/repo-index.c
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIBLPB := $(O)/lib/liblpb.a

$(LIBLPB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

all: $(LIBLPB)
