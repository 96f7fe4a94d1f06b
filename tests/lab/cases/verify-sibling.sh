#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd timeout=300
# A sibling in the group still on its host driver: the edu function
# 0000:02:00.1 is on vfio-pci but the e1000e function 0000:02:00.0 of the
# same multifunction device (same IOMMU group) stays on e1000e.  verify
# FAILS naming host.group-viable and host.no-host-driver (and the e1000e);
# VFIO refuses to open the group, so the DMA checks are skipped.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:02:00.1 sib=0000:02:00.0
if [ -e /dev/iommu ]; then io=both nb=2; else io=type1 nb=1; fi
expect_eq "sibling $sib on its host driver" e1000e "$(lab_driver $sib)"
lab_bind $dev vfio-pci
expect_eq "$dev on vfio-pci" vfio-pci "$(lab_driver $dev)"
lab-verify run junit --pass 5 --fail $((2 + nb)) --skip $((11 * nb)) \
	--failed host.group-viable --failed host.no-host-driver --failed dma.open -- $dev --iommu $io
expect_eq "verify: exit status" 1 $?
expect_match "verify: names the sibling and its driver" "$sib: e1000e" "$(cat /tmp/verify.txt)"
expect_match "verify: says what to do" "fix: passthru assign $dev" "$(cat /tmp/verify.txt)"
# the same run as TAP: exactly these checks failed
passthru verify $dev --iommu $io --format tap -o /tmp/sib.tap >/dev/null 2>&1
expect_eq "verify: the failed checks" "dma.open host.group-viable host.no-host-driver" "$(lab-verify failed /tmp/sib.tap)"
lab_bind $dev none
echo >/sys/bus/pci/devices/$dev/driver_override
lab_done
