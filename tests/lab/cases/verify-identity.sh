#!/bin/sh
# lab: topology=basic,devices kernels=stock,iommufd append="iommu=pt" timeout=420
# IOMMU in passthrough mode: every group type is "identity", so verify FAILS
# and names host.dma-translated — and only that: VFIO still gives an
# assigned group its own translated domain, so every DMA check passes.
# basic: the e1000e; devices: the e1000e, the NVMe controller, the igb PF
# and a VF of it (created here), each with its own driver.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
devs=$(lab_verify_devices)
if [ -e /dev/iommu ]; then io=both nb=2; else io=type1 nb=1; fi
if [ "$LAB_TOPOLOGY" = devices ]; then
	for i in /sys/bus/pci/devices/0000:01:00.0/net/*; do ip link set "$(basename $i)" down; done
	expect_ok "assign the igb PF" passthru assign 0000:01:00.0
fi
for dev in $devs; do
	grp=$(basename "$(readlink /sys/bus/pci/devices/$dev/iommu_group)")
	expect_eq "the kernel made $dev's group $grp identity" identity "$(cat /sys/kernel/iommu_groups/$grp/type)"
	[ "$dev" = 0000:01:00.0 ] || expect_ok "assign $dev" passthru assign --force $dev
done
nd=$(echo $devs | wc -w)
lab-verify run tap --pass $((nd * (6 + 12 * nb))) --fail $nd --skip 0 --failed host.dma-translated -- $devs --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed check, on every device" "host.dma-translated" "$(lab-verify failed /tmp/verify.tap)"
expect_eq "verify: it failed once per device" $nd "$(grep -c '^not ok' /tmp/verify.tap)"
grp=$(basename "$(readlink /sys/bus/pci/devices/0000:00:05.0/iommu_group)")
expect_match "verify: the failure says what was seen" "group $grp type is \"identity\"" "$(cat /tmp/verify.txt)"
expect_match "verify: and the fix" "fix: boot without iommu=pt" "$(cat /tmp/verify.txt)"
for dev in $devs; do expect_ok "release $dev" passthru release $dev; done
if [ "$LAB_TOPOLOGY" = devices ]; then
	# an SR-IOV VF of the PF (back on igb): an identity group of its own too
	vf=$(lab_make_vf 0000:01:00.0 52:54:00:12:34:71) || fail "a VF on the igb PF"
	grp=$(basename "$(readlink /sys/bus/pci/devices/$vf/iommu_group)")
	expect_eq "the kernel made VF $vf's group $grp identity" identity "$(cat /sys/kernel/iommu_groups/$grp/type)"
	expect_ok "assign VF $vf" passthru assign $vf
	lab-verify run tap --pass $((6 + 12 * nb)) --fail 1 --skip 0 --failed host.dma-translated -- $vf --iommu $io
	expect_eq "verify VF $vf: exit status" 1 $?
	expect_eq "verify VF $vf: the failed check" "host.dma-translated" "$(lab-verify failed /tmp/verify.tap)"
	expect_ok "release VF $vf" passthru release $vf
	expect_ok "remove the VF" passthru vfs 0000:01:00.0 0
fi
lab_done
