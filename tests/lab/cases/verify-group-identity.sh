#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=300
# The group's type set to identity at runtime (echo identity >
# /sys/kernel/iommu_groups/N/type while nothing is bound): verify FAILS
# host.dma-translated.  edu 00:04.0 on the root bus has no reset method, so
# reset.dma-stopped is reported as skipped with that reason, never passed.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:04.0
if [ -e /dev/iommu ]; then io=both nb=2; else io=type1 nb=1; fi
grp=$(basename "$(readlink /sys/bus/pci/devices/$dev/iommu_group)")
# Cases sharing this boot may leave edu on vfio-pci: the kernel only lets a
# group's type change while no driver is bound, so unbind it first.
lab_bind $dev none >/dev/null 2>&1
echo >/sys/bus/pci/devices/$dev/driver_override
expect_eq "$dev has no driver" none "$(lab_driver $dev)"
expect_ok "group $grp type := identity" sh -c "echo identity > /sys/kernel/iommu_groups/$grp/type"
expect_eq "group $grp type" identity "$(cat /sys/kernel/iommu_groups/$grp/type)"
expect_ok "assign $dev" passthru assign $dev
lab-verify run tap --fail 1 --skip $nb --failed host.dma-translated --skipped reset.dma-stopped -- $dev --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed check" "host.dma-translated" "$(lab-verify failed /tmp/verify.tap)"
expect_eq "verify: the skipped check" "reset.dma-stopped" "$(lab-verify skipped /tmp/verify.tap)"
expect_match "verify: the skip says why" "reset.dma-stopped +the device supports neither VFIO_DEVICE_RESET" "$(cat /tmp/verify.txt)"
expect_ok "release $dev" passthru release $dev
lab_bind $dev none >/dev/null 2>&1
echo >/sys/bus/pci/devices/$dev/driver_override
echo DMA >/sys/kernel/iommu_groups/$grp/type
lab_done
