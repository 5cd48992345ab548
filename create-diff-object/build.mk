# SPDX-License-Identifier: GPL-2.0-only
# create-diff-object: the diff engine, linked against lib/liblpb.a. Its
# objects live in $(O)/cdo-objs/ because $(O)/create-diff-object is the
# binary (lp-build looks for it next to itself).

CDO_SRCS := $(wildcard create-diff-object/*.c)
CDO_OBJS := $(patsubst create-diff-object/%.c,$(O)/cdo-objs/%.o,$(CDO_SRCS))
CDO := $(O)/create-diff-object

$(O)/cdo-objs/%.o: create-diff-object/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(CDO): $(CDO_OBJS) $(LIBLPB)
	$(CC) $(CFLAGS) -o $@ $(CDO_OBJS) $(LIBLPB) $(LDLIBS)

all: $(CDO)
