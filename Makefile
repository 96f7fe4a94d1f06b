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
#   CHECK_LANES       of CHECK_TARGETS, those run each in a lane of its own
#                     (the lab: one lab VM at a time each; scripts/check.sh)
#   CHECK_VM_TARGETS  of the others, those that boot a lab VM: the lab lanes
#                     take them from one queue, plain and sanitized
#   BENCH_TARGETS     benchmarks run by `make bench`
#   INSTALL_TARGETS   extra install steps
#   INSTALL_FILES     what `make install` puts and `make uninstall` removes
#                     (scripts/install.sh: MODE:SRC:DEST, link:, keep:, dir:)
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
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
DOCDIR    ?= $(DATADIR)/doc/passthru
BUILD     ?= build
SAN       ?= 0
CC        ?= gcc
PKG_CONFIG ?= pkg-config

ifeq ($(SAN),1)
BUILD     := build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

DEPS_PKGS   := libpci libudev mount libmnl
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS_PKGS) 2>/dev/null)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs $(DEPS_PKGS) 2>/dev/null || echo -lpci -ludev -lmount -lmnl)

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
CHECK_LANES :=
CHECK_VM_TARGETS :=
BENCH_TARGETS :=
INSTALL_TARGETS :=
LAB_BINS :=
LAB_FILES :=
CLEAN_DIRS := build build-san

# The shared library: soname libpassthru.so.LIBPT_ABI (bumped only when
# the ABI breaks: lib/ABI.md rule 4), real name libpassthru.so.ABI.0.0,
# exporting only what the public headers declare (LIBPT_MAP, made by
# scripts/gen-exports.sh, symbol node LIBPASSTHRU_<ABI>).
LIBPT_ABI := 1
LIBPT_SONAME := libpassthru.so.$(LIBPT_ABI)
LIBPT_A   := $(BUILD)/libpassthru.a
LIBPT_SO  := $(BUILD)/$(LIBPT_SONAME).0.0
LIBPT_MAP := $(BUILD)/libpassthru.map
PASSTHRU  := $(BUILD)/passthru
INSTALL_FILES :=

.PHONY: all check check-run check-san check-fresh deps deps-check bench demo install uninstall clean help
all: $(PASSTHRU) $(LIBPT_A) $(LIBPT_SO) $(BUILD)/$(LIBPT_SONAME) $(BUILD)/libpassthru.so

include $(sort $(wildcard */module.mk))
include $(sort $(wildcard tests/*/module.mk))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_OBJS  := $(call obj,$(LIB_SRCS))
TOOL_OBJS := $(call obj,$(TOOL_SRCS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

$(LIBPT_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The public headers: passthru.h and what the folders add.
PUBLIC_API_HEADERS := lib/passthru.h $(PUBLIC_HEADERS)
$(LIBPT_MAP): scripts/gen-exports.sh $(PUBLIC_API_HEADERS)
	@mkdir -p $(dir $@)
	DEPS_CFLAGS="$(DEPS_CFLAGS)" LIBPT_ABI=$(LIBPT_ABI) scripts/gen-exports.sh $(CC) $(PUBLIC_API_HEADERS) >$@.tmp
	mv $@.tmp $@

$(LIBPT_SO): $(LIB_OBJS) $(LIBPT_MAP)
	$(CC) -shared -Wl,-soname,$(LIBPT_SONAME) -Wl,--version-script,$(LIBPT_MAP) \
		-Wl,--no-undefined $(LDFLAGS) -o $@ $(LIB_OBJS) $(LDLIBS)
$(BUILD)/$(LIBPT_SONAME) $(BUILD)/libpassthru.so: $(LIBPT_SO)
	ln -sfn $(notdir $(LIBPT_SO)) $@

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
# One list, INSTALL_FILES, for both directions (scripts/install.sh); the
# folders append their man pages, completions and configs to it.
INSTALL_FILES += 0755:$(PASSTHRU):$(BINDIR)/passthru \
	0644:$(LIBPT_A):$(LIBDIR)/libpassthru.a \
	0755:$(LIBPT_SO):$(LIBDIR)/$(notdir $(LIBPT_SO)) \
	link:$(notdir $(LIBPT_SO)):$(LIBDIR)/$(LIBPT_SONAME) \
	link:$(LIBPT_SONAME):$(LIBDIR)/libpassthru.so \
	0644:lib/passthru.h:$(INCLUDEDIR)/passthru.h \
	dir:-:$(INCLUDEDIR)/passthru \
	$(foreach h,$(PUBLIC_HEADERS),0644:$(h):$(INCLUDEDIR)/passthru/$(notdir $(h))) \
	0644:$(BUILD)/passthru.pc:$(LIBDIR)/pkgconfig/passthru.pc

# Files made for install name the install directories: remade when those
# change ($(BUILD)/install-dirs holds the last values).
INSTALL_DIRS_SIG = $(PREFIX) $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(SYSCONFDIR) $(VERSION)
.PHONY: FORCE
$(BUILD)/install-dirs: FORCE
	@mkdir -p $(dir $@)
	@echo '$(INSTALL_DIRS_SIG)' | cmp -s - $@ || echo '$(INSTALL_DIRS_SIG)' >$@

$(BUILD)/passthru.pc: configs/passthru.pc.in $(BUILD)/install-dirs
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' \
		-e 's|@VERSION@|$(VERSION)|g' $< >$@

# What the entries install from (generated ones are built first).
INSTALL_SRCS = $(foreach e,$(INSTALL_FILES),$(if $(filter dir link,$(word 1,$(subst :, ,$(e)))),,$(word 2,$(subst :, ,$(e)))))

install: all $$(INSTALL_SRCS) $(INSTALL_TARGETS)
	scripts/install.sh install "$(DESTDIR)" $(INSTALL_FILES)
	@scripts/enable-service.sh enable "$(DESTDIR)" "$(SYSCONFDIR)"

# Removes exactly what install put; /etc/passthru.conf and the softdeps
# file are the administrator's and stay.
uninstall:
	@scripts/enable-service.sh disable "$(DESTDIR)" "$(SYSCONFDIR)"
	scripts/install.sh uninstall "$(DESTDIR)" $(INSTALL_FILES)

clean:
	rm -rf $(CLEAN_DIRS)

help:
	@echo "make            build libpassthru and the passthru command"
	@echo "make demo       install build deps, build, show passthru on this machine"
	@echo "make check      install test deps, build, run all tests (also under ASan/UBSan)"
	@echo "make bench      run the benchmarks"
	@echo "make install    PREFIX=/usr/local DESTDIR= (BINDIR LIBDIR INCLUDEDIR MANDIR SYSCONFDIR ...)"
	@echo "make uninstall  the same variables: removes what install put"
