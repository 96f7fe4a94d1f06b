# tests/emit/: `passthru emit` on every fixture machine, every group, every
# format, each output handed to its real consumer where one runs here (QEMU,
# virt-xml-validate) or checked against the schema its project documents
# (KubeVirt, the SR-IOV network device plugin, NFD's local-source rules,
# cloud-hypervisor's --device grammar, the JSON inventory) — consumers.py;
# and the Kubernetes manifests of configs/kubernetes/ against the
# Kubernetes API models of python3-kubernetes — manifests.py.  The lab
# boots QEMU with the emitted arguments: tests/lab/cases/emit-qemu.sh.
.PHONY: check-emit
check-emit: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	scripts/run-suite $(BUILD)/results emit-consumers \
		python3 tests/emit/consumers.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-emit
SAN_CHECK_TARGETS += check-emit
