#!/bin/sh
# lab: topology=basic,devices kernels=stock,iommufd append="intremap=off" timeout=420
# Interrupt remapping turned off on the kernel command line: verify FAILS and
# names host.interrupt-remapping; VFIO itself then refuses the device
# (no MSI isolation), so dma.open fails and every other DMA check is
# reported as skipped, never as passed.  basic: the e1000e; devices: the
# e1000e, the NVMe controller and the igb PF.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
devs=$(lab_verify_devices)
nd=$(echo $devs | wc -w)
if [ -e /dev/iommu ]; then io=both nb=2; else io=type1 nb=1; fi
[ "$LAB_TOPOLOGY" = devices ] &&
	for i in /sys/bus/pci/devices/0000:01:00.0/net/*; do ip link set "$(basename $i)" down; done
for dev in $devs; do expect_ok "assign $dev" passthru assign --force $dev; done
lab-verify run tap --pass $((6 * nd)) --fail $(((1 + nb) * nd)) --skip $((11 * nb * nd)) \
	--failed host.interrupt-remapping --failed dma.open -- $devs --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed checks" "dma.open host.interrupt-remapping" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: the evidence names the command line" "intremap=off|non-remapped" "$(cat /tmp/verify.txt)"
expect_eq "verify: no DMA check passed" "dma.open" \
	"$(grep -E '^(not )?ok .* (type1|iommufd)$' /tmp/verify.tap | sed -n 's/^not ok [0-9]* - \([^ ]*\) .*/\1/p' | sort -u)"
for dev in $devs; do
	expect_eq "verify: dma.open failed for $dev on every backend" $nb \
		"$(grep -cE "^not ok [0-9]+ - dma.open $dev " /tmp/verify.tap)"
	expect_ok "release $dev" passthru release $dev
done
lab_done
