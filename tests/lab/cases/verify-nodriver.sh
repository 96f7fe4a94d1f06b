#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=300
# A device passthru has no DMA-test driver for (the q35 host bridge
# 0000:00:00.0, alone in its group, bound to vfio-pci): the host checks run
# and pass, every DMA check is reported as SKIPPED with the reason, the
# summary says isolation is NOT proven, and verify exits 1 — never a false
# pass.  --allow-skip makes it exit 0; the JSON report is validated on the
# host.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:00.0
lab_bind $dev vfio-pci
expect_eq "$dev on vfio-pci" vfio-pci "$(lab_driver $dev)"
lab-verify run json --pass 7 --fail 0 --skip 12 -- $dev --iommu type1
expect_eq "verify: exit status (skips are not passes)" 1 $?
expect_match "verify: every DMA check skipped with the reason" \
	"SKIP .* type1 +dma.open +passthru has no DMA-test driver for 8086:29c0" "$(cat /tmp/verify.txt)"
expect_match "verify: the summary says isolation is not proven" \
	"^note: $dev: host checks only: .*DMA isolation NOT proven" "$(cat /tmp/verify.txt)"
passthru verify $dev --iommu type1 --allow-skip >/dev/null 2>&1
expect_eq "verify --allow-skip: exit status" 0 $?
lab_bind $dev none
echo >/sys/bus/pci/devices/$dev/driver_override
lab_done
