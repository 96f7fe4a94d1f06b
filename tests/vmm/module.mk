# tests/vmm/: the VMM on a real /dev/kvm (no VFIO needed).
#   check-vmm      Criterion: guests, exit codes, timeout, faults, PCI
#                  config filtering, memfd BAR slot, MSI through irqfd,
#                  exit-table bounds
#   check-vmm-cli  `passthru run` end to end: statuses, stdout, messages
# Both also run under ASan/UBSan, and never skip: where this host has no
# usable /dev/kvm (tests/vmm/kvm-probe.c says why), the same binary and the
# same script run inside the lab VM on its nested /dev/kvm, with the same
# assertions and counts.  `make check` decides once (VMM_WHERE=host|lab);
# by hand, VMM_WHERE=auto asks the probe.
VMM_TEST  := $(BUILD)/tests/vmm/test-vmm
VMM_PROBE := $(BUILD)/tests/vmm/kvm-probe
VMM_WHERE ?= auto
VMM_RUN    = tests/vmm/where.sh $(VMM_WHERE) $(BUILD) $(VMM_PROBE)

$(VMM_PROBE): tests/vmm/kvm-probe.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

$(BUILD)/obj/tests/vmm/test-vmm.o: override CFLAGS += -DGUEST_BIN_DIR='"$(BUILD)/guest"'
$(VMM_TEST): $(BUILD)/obj/tests/vmm/test-vmm.o $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBPT_A) $(LDLIBS) -lcriterion -lpthread

# What the suites need inside the lab: the test binary on PATH, the guest
# programs and the CLI script under /opt/passthru/files.
$(BUILD)/lab-bin/test-vmm: $(VMM_TEST)
	@mkdir -p $(dir $@)
	cp $< $@
$(BUILD)/lab-files/guest/%.bin: $(BUILD)/guest/%.bin
	@mkdir -p $(dir $@)
	cp $< $@
$(BUILD)/lab-files/vmm/run-cli.sh: tests/vmm/run-cli.sh
	@mkdir -p $(dir $@)
	cp $< $@
LAB_BINS  += $(BUILD)/lab-bin/test-vmm
# msix-peek: a lab tool for run-linux-neg (the NIC's real MSI-X table read
# through the running VMM's own VFIO device fd).
$(BUILD)/lab-bin/msix-peek: tests/vmm/msix-peek.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<
LAB_BINS  += $(BUILD)/lab-bin/msix-peek
LAB_FILES += $(patsubst $(BUILD)/guest/%,$(BUILD)/lab-files/guest/%,$(GUEST_BINS)) \
	$(BUILD)/lab-files/vmm/run-cli.sh

VMM_LAB_DEPS = $(if $(filter host,$(VMM_WHERE)),,$(VMM_PROBE) lab-bins)

.PHONY: check-vmm check-vmm-cli
check-vmm: $(VMM_TEST) $(GUEST_BINS) $(VMM_PROBE) $$(VMM_LAB_DEPS)
	scripts/run-suite $(BUILD)/results vmm $(VMM_RUN) \
		"$(VMM_TEST) --jobs 1" \
		"env VMM_GUEST_DIR=/opt/passthru/files/guest test-vmm --jobs 1"
check-vmm-cli: $(PASSTHRU) $(GUEST_BINS) $(VMM_PROBE) $$(LINUX_GUEST_FILES) $$(VMM_LAB_DEPS)
	NEED="bash jq" scripts/run-suite $(BUILD)/results vmm-cli $(VMM_RUN) \
		"tests/vmm/run-cli.sh $(PASSTHRU) $(BUILD)/guest $(LINUX_GUEST_DIR)" \
		"bash /opt/passthru/files/vmm/run-cli.sh passthru /opt/passthru/files/guest /opt/passthru/files/linux"
CHECK_TARGETS += check-vmm check-vmm-cli
SAN_CHECK_TARGETS += check-vmm check-vmm-cli
# In the lab they boot a lab VM: make check runs them in a lab lane.
ifeq ($(VMM_WHERE),lab)
CHECK_VM_TARGETS += check-vmm check-vmm-cli
endif
