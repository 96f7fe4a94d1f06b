# passthru — top-level Makefile.
#
# Each folder contributes a fragment, <dir>/module.mk, that appends to the
# variables below; adding a concern means adding a folder and its fragment,
# never editing a central list.
#
#   LIB_SRCS          sources linked into libpassthru (.a and .so)
#   TOOL_SRCS         sources of the passthru command (tools/)
#   CHECK_TARGETS     suites run by `make check` (each records a result)
#   SAN_CHECK_TARGETS suites re-run under ASan/UBSan by `make check`
#   BENCH_TARGETS     benchmarks run by `make bench`
#   INSTALL_TARGETS   extra install steps
#
# Build output goes to $(BUILD) (default build/; build-san/ for the sanitizer
# pass).  Nothing is written into the source folders.
#
# Fragments are read in name order, so a fragment that needs a variable
# another one appends to (LAB_BINS, LAB_FILES, FIXTURES_STAMP, ...) names it
# as $$(VAR) in a prerequisite list: second expansion reads it after every
# fragment, whatever the order.
.SECONDEXPANSION:

PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
SAN       ?= 0
CC        ?= gcc
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
BUILD     := build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

DEPS_PKGS   := libpci libudev
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS_PKGS) 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs $(DEPS_PKGS) 2>/dev/null || echo -lpci -ludev)

CFLAGS    ?= -O2 -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -fPIC \
	-D_GNU_SOURCE -I. -Ilib $(DEPS_CFLAGS) $(SANFLAGS)
override LDFLAGS += $(SANFLAGS)
LDLIBS    += $(DEPS_LIBS) -lm

VERSION   := 0.1.0

LIB_SRCS  :=
TOOL_SRCS :=
CHECK_TARGETS :=
SAN_CHECK_TARGETS :=
BENCH_TARGETS :=
INSTALL_TARGETS :=
LAB_BINS :=
LAB_FILES :=
CLEAN_DIRS := build build-san

LIBPT_A   := $(BUILD)/libpassthru.a
LIBPT_SO  := $(BUILD)/libpassthru.so.0
PASSTHRU  := $(BUILD)/passthru

.PHONY: all check check-run check-san check-fresh deps deps-check bench demo install clean help
all: $(PASSTHRU) $(LIBPT_A) $(LIBPT_SO)

include $(sort $(wildcard */module.mk))
include $(sort $(wildcard tests/*/module.mk))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_OBJS  := $(call obj,$(LIB_SRCS))
TOOL_OBJS := $(call obj,$(TOOL_SRCS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(LIBPT_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBPT_SO): $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libpassthru.so.0 $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The command links the static library so it runs from the build tree and
# inside the lab initramfs without an installed libpassthru.
$(PASSTHRU): $(TOOL_OBJS) $(LIBPT_A)
	$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJS) $(LIBPT_A) $(LDLIBS)

# ---- set-up -----------------------------------------------------------------
# Installs (with apt, only what is missing) everything the build and tests need.
deps:
	scripts/install-deps.sh build
deps-check:
	scripts/install-deps.sh check

# ---- tests ------------------------------------------------------------------
# `make check` = install test deps, build, run every suite, re-run the fast
# suites under ASan/UBSan, then print each suite's count and time and one
# closing line "check: N passed, M failed" (scripts/check.sh).  A step that
# fails (an install, a build) is a failed suite, never the end of the run.
check:
	@MAKE="$(MAKE)" scripts/check.sh

# Every suite in one make (no summary): for a quick run by hand.
check-run: $(CHECK_TARGETS)
check-san: $(SAN_CHECK_TARGETS)

# The same `make check` in a new Debian 12 root that has only what
# scripts/install-deps.sh installs (slow: not part of `make check`).
check-fresh:
	scripts/check-fresh.sh

# For scripts: `make -s print-CHECK_TARGETS`.
print-%:
	@echo $($*)

# What the lab carries (tests/lab/initramfs.sh): programs in $(BUILD)/lab-bin/
# and files in $(BUILD)/lab-files/.  Fragments append to LAB_BINS and
# LAB_FILES; tests/lab/run makes this before it builds an initramfs.
.PHONY: lab-bins
lab-bins: $$(LAB_BINS) $$(LAB_FILES)

# ---- benchmarks -------------------------------------------------------------
bench: deps-check all $(BENCH_TARGETS)

# ---- demo -------------------------------------------------------------------
demo: deps all
	scripts/demo.sh $(PASSTHRU)

# ---- install ----------------------------------------------------------------
install: all $(INSTALL_TARGETS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/include/passthru $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(PASSTHRU) $(DESTDIR)$(PREFIX)/bin/passthru
	install -m 0644 $(LIBPT_A) $(DESTDIR)$(PREFIX)/lib/libpassthru.a
	install -m 0755 $(LIBPT_SO) $(DESTDIR)$(PREFIX)/lib/libpassthru.so.0
	ln -sf libpassthru.so.0 $(DESTDIR)$(PREFIX)/lib/libpassthru.so
	install -m 0644 lib/passthru.h $(DESTDIR)$(PREFIX)/include/passthru.h
	for h in $(PUBLIC_HEADERS); do install -m 0644 $$h $(DESTDIR)$(PREFIX)/include/passthru/; done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' configs/passthru.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/passthru.pc
	install -m 0644 tools/passthru.1 $(DESTDIR)$(PREFIX)/share/man/man1/passthru.1

clean:
	rm -rf $(CLEAN_DIRS)

help:
	@echo "make            build libpassthru and the passthru command"
	@echo "make demo       install build deps, build, show passthru on this machine"
	@echo "make check      install test deps, build, run all tests (also under ASan/UBSan)"
	@echo "make bench      run the benchmarks"
	@echo "make install    PREFIX=/usr/local DESTDIR="
