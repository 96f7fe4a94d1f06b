# tests/emit/: `passthru emit` on every fixture machine, every group, every
# format, each output handed to its real consumer where one runs here (QEMU,
# virt-xml-validate) or checked against the schema its project documents
# (KubeVirt, the SR-IOV network device plugin, NFD's local-source rules,
# cloud-hypervisor's --device grammar, the JSON inventory) — consumers.py;
# and the Kubernetes manifests of configs/kubernetes/ against the
# Kubernetes API models of python3-kubernetes — manifests.py.  The lab
# boots QEMU with the emitted arguments: tests/lab/cases/emit-qemu.sh.
# Debian's interpreter: the Debian packages install-deps puts in (python3-yaml,
# -jsonschema, -kubernetes) are its modules, not those of another python3
# first on PATH.
EMIT_PYTHON ?= /usr/bin/python3

.PHONY: check-emit
check-emit: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	NEED="/usr/bin/python3 py:yaml py:jsonschema qemu-system-x86_64 virt-xml-validate" \
		scripts/run-suite $(BUILD)/results emit-consumers \
		$(EMIT_PYTHON) tests/emit/consumers.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-emit
SAN_CHECK_TARGETS += check-emit

.PHONY: check-emit-manifests
check-emit-manifests: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	NEED="/usr/bin/python3 py:yaml py:kubernetes" \
		scripts/run-suite $(BUILD)/results emit-manifests \
		$(EMIT_PYTHON) tests/emit/manifests.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-emit-manifests

# The lab case emit-qemu boots Linux inside QEMU inside the lab: the stock
# lab kernel (tests/lab/kernel.sh, a Debian package) and an initramfs of the
# host's static busybox running tests/emit/guest-init.sh.
$(BUILD)/lab-files/emit/vmlinuz: tests/lab/kernel.sh
	@mkdir -p $(dir $@)
	cp "$$(tests/lab/kernel.sh stock)/vmlinuz" $@
$(BUILD)/lab-files/emit/guest.cpio: tests/emit/guest-init.sh
	@rm -rf $(BUILD)/obj/tests/emit/guest && mkdir -p $(BUILD)/obj/tests/emit/guest/bin $(dir $@)
	install -m 0755 /bin/busybox $(BUILD)/obj/tests/emit/guest/bin/busybox
	install -m 0755 tests/emit/guest-init.sh $(BUILD)/obj/tests/emit/guest/init
	cd $(BUILD)/obj/tests/emit/guest && find . | cpio -o -H newc --quiet >$(abspath $@)
LAB_FILES += $(BUILD)/lab-files/emit/vmlinuz $(BUILD)/lab-files/emit/guest.cpio
