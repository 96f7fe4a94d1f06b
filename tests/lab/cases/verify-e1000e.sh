#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=300
# passthru verify PASSES for the e1000e NIC 0000:00:05.0 (root-bus endpoint,
# PM reset, MSI-X): every host check and every DMA check (MAC loopback
# copies), through type1 and, on the kernel that has it, iommufd.  The TAP
# report is validated on the host.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:05.0
if [ -e /dev/iommu ]; then io=both n=31; else io=type1 n=19; fi
expect_ok "assign $dev" passthru assign --force $dev
lab-verify run tap --pass $n --fail 0 --skip 0 -- $dev --iommu $io
expect_eq "verify $dev --iommu $io: exit status" 0 $?
expect_eq "verify $dev: summary" "verify: $n passed, 0 failed, 0 skipped" "$(grep '^verify:' /tmp/verify.txt)"
expect_eq "verify $dev: nothing failed" "" "$(lab-verify failed /tmp/verify.tap)"
expect_ok "release $dev" passthru release $dev
lab_done
