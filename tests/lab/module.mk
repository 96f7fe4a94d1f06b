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

all: $(LAB_PROGS) $(BUILD)/lab-bin/ip-full

# iproute2's ip, as ip-full beside busybox's ip, for what busybox lacks
# (`ip-full link set PF vf N mac ADDR`: a VF's address set by its PF).
$(BUILD)/lab-bin/ip-full:
	@mkdir -p $(dir $@)
	ln -sf $$(command -v ip 2>/dev/null || echo /sbin/ip) $@
LAB_BINS += $(BUILD)/lab-bin/ip-full

$(BUILD)/lab-bin/%: $(BUILD)/obj/tests/lab/progs/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $<

# Set-up (cached outside the clone, see tests/lab/kernel.sh), the harness's
# self-test (its verdicts on passing, failing, hung and crashing cases, on
# both kernels), then one suite per kernel and topology (check-lab-KERNEL
# sets up that kernel and runs its suites).  A kernel that cannot be set up
# makes its suites fail; it does not stop `make check`.  LAB_BINS is
# expanded when the recipe runs, so programs added by fragments read after
# this one are built too.
#
# `make check` (scripts/check.sh) sets both kernels up first (make
# lab-setup: the iommufd kernel's first build takes the machine alone), then
# runs each kernel's suites in a lane of its own beside the host-side
# suites, one lab VM at a time each (CHECK_LANES); then both lanes take the
# harness and the other folders' lab VMs (CHECK_VM_TARGETS) from one queue,
# whichever lane is free first.
.PHONY: check-lab check-lab-harness lab-setup \
	$(addprefix check-lab-,$(LAB_KERNELS))
lab-setup:
	scripts/install-deps.sh lab
	@rc=0; for k in $(LAB_KERNELS); do tests/lab/kernel.sh $$k >/dev/null || { rc=1; \
		echo "lab: the $$k kernel could not be set up; its suites will fail"; }; done; exit $$rc

check-lab: $(addprefix check-lab-,$(LAB_KERNELS)) check-lab-harness

check-lab-harness: all lab-bins
	scripts/install-deps.sh lab
	LAB_NO_MAKE=1 scripts/run-suite $(BUILD)/results lab-harness tests/lab/selftest.sh

define lab_kernel_suites
check-lab-$(1): all lab-bins
	scripts/install-deps.sh lab
	@tests/lab/kernel.sh $(1) >/dev/null || \
		echo "lab: the $(1) kernel could not be set up; its suites will fail"
	@for t in $$(LAB_TOPOLOGIES); do \
		rm -rf $$(BUILD)/lab/$(1)-$$$$t; \
		scripts/run-suite $$(BUILD)/results lab-$(1)-$$$$t env BUILD=$$(BUILD) LAB_NO_MAKE=1 \
			tests/lab/run --kernel $(1) --out $$(BUILD)/lab/$(1)-$$$$t $$$$t; \
	done
endef
$(foreach k,$(LAB_KERNELS),$(eval $(call lab_kernel_suites,$(k))))

CHECK_TARGETS    += $(addprefix check-lab-,$(LAB_KERNELS)) check-lab-harness
CHECK_LANES      += $(addprefix check-lab-,$(LAB_KERNELS))
CHECK_VM_TARGETS += check-lab-harness

# Debian's dmsetup (package dmsetup): the device-mapper stacks (LVM's linear
# mapping, dm-crypt) of the blockers-storage case.
LAB_BINS += $(BUILD)/lab-bin/dmsetup
$(BUILD)/lab-bin/dmsetup:
	@mkdir -p $(dir $@)
	install -m 0755 /sbin/dmsetup $@
