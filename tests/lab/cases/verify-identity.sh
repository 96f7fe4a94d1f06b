#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="iommu=pt" timeout=300
# IOMMU in passthrough mode: the group type is "identity", so verify FAILS
# and names host.dma-translated — and only that: VFIO still gives the
# assigned group its own translated domain, so every DMA check passes.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:05.0
if [ -e /dev/iommu ]; then io=both n=30; else io=type1 n=18; fi
grp=$(basename "$(readlink /sys/bus/pci/devices/$dev/iommu_group)")
expect_eq "the kernel made group $grp identity" identity "$(cat /sys/kernel/iommu_groups/$grp/type)"
expect_ok "assign $dev" passthru assign --force $dev
lab-verify run tap --pass $n --fail 1 --skip 0 --failed host.dma-translated -- $dev --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed check" "host.dma-translated" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: the failure says what was seen" "group $grp type is \"identity\"" "$(cat /tmp/verify.txt)"
expect_match "verify: and the fix" "fix: boot without iommu=pt" "$(cat /tmp/verify.txt)"
expect_ok "release $dev" passthru release $dev
lab_done
