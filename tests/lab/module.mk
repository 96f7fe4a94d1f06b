# tests/lab/: the real-kernel lab (QEMU q35 TCG + emulated VT-d).  See
# tests/lab/run --help and the README's lab section.
#
# Plug-in points for other folders (add files, edit nothing here):
#   - a lab case is one file tests/lab/cases/NAME.sh with a "# lab:" header;
#   - a program the lab needs goes to $(BUILD)/lab-bin/: give it a rule, add
#     it to LAB_BINS (and to `all` if you want plain `make` to build it).
#     Everything executable in $(BUILD)/lab-bin/ plus $(BUILD)/passthru is on
#     the lab's PATH;
#   - a file the lab needs (a guest image, a script) goes to
#     $(BUILD)/lab-files/: give it a rule and add it to LAB_FILES; the lab
#     has it at /opt/passthru/files/.
# `make lab-bins` (top Makefile) builds both lists; tests/lab/run runs it.
# Lab programs of this folder: one file tests/lab/progs/NAME.c each.
LAB_PROG_SRCS := $(sort $(wildcard tests/lab/progs/*.c))
LAB_PROGS     := $(patsubst tests/lab/progs/%.c,$(BUILD)/lab-bin/%,$(LAB_PROG_SRCS))
LAB_BINS      += $(LAB_PROGS)
LAB_TOPOLOGIES := $(sort $(filter-out %.config %.md,$(notdir $(wildcard configs/lab/*))))
LAB_KERNELS   := stock iommufd

all: $(LAB_PROGS)

$(BUILD)/lab-bin/%: $(BUILD)/obj/tests/lab/progs/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $<

# Set-up (cached outside the clone, see tests/lab/kernel.sh), the harness's
# self-test (its verdicts on passing, failing, hung and crashing cases), then
# one suite per kernel and topology.  LAB_BINS is expanded when the recipe runs, so
# programs added by fragments read after this one are built too.  A kernel
# that cannot be set up makes its suites fail; it does not stop `make check`.
.PHONY: check-lab lab-setup
lab-setup:
	scripts/install-deps.sh lab
	@for k in $(LAB_KERNELS); do tests/lab/kernel.sh $$k >/dev/null || \
		echo "lab: the $$k kernel could not be set up; its suites will fail"; done

check-lab: all lab-setup lab-bins
	LAB_NO_MAKE=1 scripts/run-suite $(BUILD)/results lab-harness tests/lab/selftest.sh
	@for t in $(LAB_TOPOLOGIES); do for k in $(LAB_KERNELS); do \
		rm -rf $(BUILD)/lab/$$k-$$t; \
		scripts/run-suite $(BUILD)/results lab-$$k-$$t env BUILD=$(BUILD) LAB_NO_MAKE=1 \
			tests/lab/run --kernel $$k --out $(BUILD)/lab/$$k-$$t $$t; \
	done; done

CHECK_TARGETS += check-lab
