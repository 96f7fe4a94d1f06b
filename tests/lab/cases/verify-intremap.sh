#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="intremap=off" timeout=300
# Interrupt remapping turned off on the kernel command line: verify FAILS and
# names host.interrupt-remapping; VFIO itself then refuses the device
# (no MSI isolation), so dma.open fails and every other DMA check is
# reported as skipped, never as passed.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:05.0
if [ -e /dev/iommu ]; then io=both nb=2; else io=type1 nb=1; fi
expect_ok "assign $dev" passthru assign --force $dev
lab-verify run tap --pass 6 --fail $((1 + nb)) --skip $((11 * nb)) \
	--failed host.interrupt-remapping --failed dma.open -- $dev --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed checks" "dma.open host.interrupt-remapping" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: the evidence names the command line" "intremap=off|non-remapped" "$(cat /tmp/verify.txt)"
expect_eq "verify: no DMA check passed" "dma.open" \
	"$(grep -E '^(not )?ok .* (type1|iommufd)$' /tmp/verify.tap | sed -n 's/^not ok [0-9]* - \([^ ]*\) .*/\1/p' | sort -u)"
expect_ok "release $dev" passthru release $dev
lab_done
