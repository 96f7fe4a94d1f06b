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
	scripts/run-suite $(BUILD)/results emit-consumers \
		$(EMIT_PYTHON) tests/emit/consumers.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-emit
SAN_CHECK_TARGETS += check-emit

.PHONY: check-emit-manifests
check-emit-manifests: $(PASSTHRU) $(BUILD)/fixtures/.stamp
	scripts/run-suite $(BUILD)/results emit-manifests \
		$(EMIT_PYTHON) tests/emit/manifests.py $(PASSTHRU) $(BUILD)/fixtures
CHECK_TARGETS += check-emit-manifests
