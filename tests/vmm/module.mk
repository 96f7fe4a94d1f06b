# tests/vmm/: the VMM on this machine's /dev/kvm (no VFIO needed).
#   check-vmm      Criterion: guests, exit codes, timeout, faults, PCI
#                  config filtering, memfd BAR slot, MSI through irqfd,
#                  exit-table bounds
#   check-vmm-cli  `passthru run` end to end: statuses, stdout, messages
# Both also run under ASan/UBSan.  They need /dev/kvm: on a machine
# without it they fail (never skip).
VMM_TEST := $(BUILD)/tests/vmm/test-vmm

$(BUILD)/obj/tests/vmm/test-vmm.o: override CFLAGS += -DGUEST_BIN_DIR='"$(BUILD)/guest"'
$(VMM_TEST): $(BUILD)/obj/tests/vmm/test-vmm.o $(LIBPT_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBPT_A) $(LDLIBS) -lcriterion -lpthread

.PHONY: check-vmm check-vmm-cli
check-vmm: $(VMM_TEST) $(GUEST_BINS)
	scripts/run-suite $(BUILD)/results vmm $(VMM_TEST) --jobs 1
check-vmm-cli: $(PASSTHRU) $(GUEST_BINS)
	scripts/run-suite $(BUILD)/results vmm-cli tests/vmm/run-cli.sh $(PASSTHRU) $(BUILD)/guest
CHECK_TARGETS += check-vmm check-vmm-cli
SAN_CHECK_TARGETS += check-vmm check-vmm-cli
