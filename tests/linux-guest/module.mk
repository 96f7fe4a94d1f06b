# tests/linux-guest/: the Linux test guest of `passthru run --kernel` — the
# stock lab kernel's bzImage and a small initramfs (busybox, the kernel's
# e1000e module, tests/linux-guest/init) built by mkinitramfs.sh, for the
# lab cases run-linux-*, the VMM suites (tests/vmm/run-cli.sh) and
# bench/bench-linux-boot.sh.  They are lab files: /opt/passthru/files/linux/
# inside the lab.  The stock kernel comes from the lab's cache
# (tests/lab/kernel.sh stock: downloaded once, never built).
LINUX_GUEST_DIR   := $(BUILD)/lab-files/linux
LINUX_GUEST_FILES := $(LINUX_GUEST_DIR)/vmlinuz $(LINUX_GUEST_DIR)/initrd.cpio \
	$(LINUX_GUEST_DIR)/lspci.cpio

$(LINUX_GUEST_DIR)/.stamp: tests/linux-guest/mkinitramfs.sh tests/linux-guest/init \
		tests/linux-guest/udhcpc.script tests/lab/kernel.sh
	tests/linux-guest/mkinitramfs.sh "$$(tests/lab/kernel.sh stock)" $(LINUX_GUEST_DIR)
	touch $@
$(LINUX_GUEST_FILES): $(LINUX_GUEST_DIR)/.stamp

.PHONY: linux-guest
linux-guest: $(LINUX_GUEST_FILES)
LAB_FILES += $(LINUX_GUEST_FILES)
