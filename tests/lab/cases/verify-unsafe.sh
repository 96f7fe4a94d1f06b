#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=300
# allow_unsafe_interrupts=Y on vfio_iommu_type1 (an administrator's
# workaround for missing interrupt remapping): verify FAILS and names
# host.unsafe-interrupts-off, with the command that undoes it.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:05.0
p=/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
expect_ok "allow_unsafe_interrupts=Y" sh -c "echo Y > $p"
expect_ok "assign $dev" passthru assign --force $dev
lab-verify run tap --pass 18 --fail 1 --skip 0 --failed host.unsafe-interrupts-off -- $dev --iommu type1
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed check" "host.unsafe-interrupts-off" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: the fix" "fix: echo N > $p" "$(cat /tmp/verify.txt)"
echo N >$p
passthru verify $dev --iommu type1 >/dev/null 2>&1
expect_eq "verify after allow_unsafe_interrupts=N: exit status" 0 $?
expect_ok "release $dev" passthru release $dev
lab_done
