#!/bin/bash
# demo.sh PASSTHRU — the showcase behind `make demo`.
#
# 1. On this machine: `passthru check` and `passthru list --groups`.
# 2. If this machine has no IOMMU (like the CI machines), the story goes on
#    inside the real-kernel lab (tests/lab/run): a QEMU VM with an emulated
#    VT-d IOMMU, where the whole chain runs for real — check, list, assign
#    the e1000e, drive it from a minimal KVM guest, read the frames back from
#    the capture QEMU took, release.  Set DEMO_LAB=0 to skip the lab part.
set -u
PASSTHRU=${1:-build/passthru}
here=$(cd "$(dirname "$0")/.." && pwd)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; printf '(exit %d)\n' $?; }

step "This machine: host readiness"
run "$PASSTHRU" check
step "This machine: devices by IOMMU group"
run "$PASSTHRU" list --groups

if [ -d /sys/kernel/iommu_groups ] && [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
	echo
	echo "This machine has an IOMMU: assign a free device with"
	echo "  sudo $PASSTHRU assign DEVICE && sudo $PASSTHRU run --device DEVICE --guest nic-tx"
	exit 0
fi
[ "${DEMO_LAB:-1}" = 1 ] || exit 0
if [ ! -x "$here/tests/lab/demo" ]; then
	echo "(the lab demo is not available in this build)"
	exit 0
fi
step "No IOMMU here: continuing inside the real-kernel lab (QEMU + emulated VT-d)"
exec "$here/tests/lab/demo"
