#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="intel_iommu=off" timeout=60
# Booted with intel_iommu=off: the kernel forms no IOMMU groups, so VFIO
# cannot take a device, and `passthru check` fails its IOMMU and interrupt-
# remapping lines with a fix, and exits 1.
. "$LAB_LIB"
need_cmd passthru jq

expect_eq "kernel formed no IOMMU groups" 0 "$(ls /sys/kernel/iommu_groups | wc -l)"
json=$(passthru check --json); rc=$?
field() { echo "$json" | jq -r --arg n "$1" ".checks[] | select(.name == \$n) | .$2"; }
expect_eq "passthru check: IOMMU enabled fails" FAIL "$(field "IOMMU enabled" status)"
expect_match "passthru check: IOMMU enabled names intel_iommu=off" 'intel_iommu=off' "$(field "IOMMU enabled" detail)"
expect_match "passthru check: IOMMU enabled gives a fix" 'command line' "$(field "IOMMU enabled" fix)"
expect_eq "passthru check: interrupt remapping fails" FAIL "$(field "interrupt remapping" status)"
expect_match "passthru check: interrupt remapping gives a fix" '.' "$(field "interrupt remapping" fix | grep -v '^null$')"
expect_eq "passthru check exit status" 1 "$rc"
expect_eq "passthru list --json: groups null without an IOMMU" null "$(passthru list --json | jq -c .groups)"

# The real consequence for VFIO: vfio-pci refuses a device with no group.
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
lab_bind "$edu" vfio-pci 2>/dev/null
expect_eq "vfio-pci cannot bind $edu without an IOMMU group" none "$(lab_driver $edu)"
echo > /sys/bus/pci/devices/$edu/driver_override
ls /dev/vfio | grep -qv '^vfio$' && fail "no /dev/vfio/N groups (saw $(ls /dev/vfio))" || pass "no /dev/vfio/N group nodes"
lab_done
