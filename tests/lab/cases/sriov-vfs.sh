#!/bin/sh
# lab: topology=devices kernels=stock,iommufd timeout=480
# SR-IOV on a real kernel: `passthru vfs` creates VFs on the igb PF (on
# its host driver, link up), each VF lands in an IOMMU group of its own,
# the PF gives each an address (ip link set PF vf N mac), and VF 0 is
# assigned and driven through the IOMMU by drivers/igb.c (igbvf: the
# mailbox reset, frames looped back by the PF's switch): dma-test and
# verify through every backend, the KVM guest's nic-loopback.  Destroying
# the VFs while VF 0 is on vfio-pci, or while its VFIO group is open, is
# refused without --force; after release, `vfs PF 0` removes them.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify ip-full
pf=0000:01:00.0
if [ -e /dev/iommu ]; then backends="type1 iommufd" io=both n=31; else backends=type1 io=type1 n=19; fi
ifc=$(ls /sys/bus/pci/devices/$pf/net 2>/dev/null | head -1)
[ -n "$ifc" ] || { fail "$pf has no network interface (on igb?)"; lab_done; }
ip link set $ifc up
out=$(passthru vfs $pf 2 2>&1); rc=$?
echo "$out" | sed 's/^/    | /'
expect_eq "vfs $pf 2: exit status" 0 $rc
expect_eq "the kernel made 2 VFs" 2 "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)"
vf0=$(basename "$(readlink /sys/bus/pci/devices/$pf/virtfn0)")
vf1=$(basename "$(readlink /sys/bus/pci/devices/$pf/virtfn1)")
expect_match "vfs lists the new VFs" "VF 0: $vf0" "$out"
g0=$(basename "$(readlink /sys/bus/pci/devices/$vf0/iommu_group)")
g1=$(basename "$(readlink /sys/bus/pci/devices/$vf1/iommu_group)")
gp=$(basename "$(readlink /sys/bus/pci/devices/$pf/iommu_group)")
expect_eq "VF $vf0 alone in its IOMMU group $g0" "$vf0" "$(ls /sys/kernel/iommu_groups/$g0/devices)"
expect_eq "VF $vf1 alone in its IOMMU group $g1" "$vf1" "$(ls /sys/kernel/iommu_groups/$g1/devices)"
[ "$g0" != "$g1" ] && [ "$g0" != "$gp" ] && [ "$g1" != "$gp" ] &&
	pass "PF, VF 0 and VF 1 in three different groups ($gp, $g0, $g1)" ||
	fail "PF, VF 0 and VF 1 in three different groups (saw $gp, $g0, $g1)"
expect_eq "VF 0 on the host's igbvf driver" igbvf "$(lab_driver $vf0)"
expect_ok "the PF gives VF 0 its address" ip-full link set $ifc vf 0 mac 52:54:00:12:34:71
expect_ok "the PF gives VF 1 its address" ip-full link set $ifc vf 1 mac 52:54:00:12:34:72
expect_ok "assign VF 0 ($vf0)" passthru assign $vf0
for b in $backends; do
	out=$(passthru dma-test $vf0 --iommu $b 2>&1); rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "dma-test $vf0 (igbvf) --iommu $b: exit status" 0 $rc
	expect_match "dma-test --iommu $b: the address the PF gave VF 0, frames to itself" \
		"device +MAC 52:54:00:12:34:71, frames addressed to itself" "$out"
done
lab-verify run tap --pass $n --fail 0 --skip 0 -- $vf0 --iommu $io
expect_eq "verify $vf0 --iommu $io: exit status" 0 $?
if [ -e /dev/kvm ]; then
	for b in $backends; do
		out=$(passthru run --device $vf0 --guest nic-loopback --iommu $b --timeout 60 2>&1); rc=$?
		echo "$out" | sed "s/^/    $b| /"
		expect_eq "run --guest nic-loopback on VF 0 --iommu $b: exit status" 0 $rc
		for n in 60 64 1000 1514; do
			expect_match "nic-loopback on VF 0 --iommu $b: $n-byte frame back with its MSI-X" \
				"^nic-loopback: $n-byte frame TX DMA -> VF loopback -> RX DMA: bytes match, RX MSI-X vector 0x40 taken$" "$out"
		done
	done
else
	fail "no /dev/kvm in the lab (kvm_amd not loaded?)"
fi
out=$(passthru vfs $pf 0 2>&1); rc=$?
expect_eq "vfs $pf 0 while VF 0 is on vfio-pci: refused (exit 1)" 1 $rc
expect_match "... naming the VF" "VF in use: $vf0 is on vfio-pci \(assigned\)" "$out"
expect_match "... and the way out" "nothing was changed; fix: release the VFs .* or pass --force" "$out"
sleep 30 3<>/dev/vfio/$g0 &
holder=$!
sleep 1
out=$(passthru vfs $pf 1 2>&1); rc=$?
expect_eq "vfs $pf 1 while /dev/vfio/$g0 is open: refused (exit 1)" 1 $rc
expect_match "... naming the process" "VF in use: $vf0: /dev/vfio/$g0 is open by PID $holder \(sleep\)" "$out"
kill $holder; wait $holder 2>/dev/null
expect_eq "nothing was changed" 2 "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)"
expect_ok "vfs $pf 0 --dry-run --force: allowed" passthru vfs --dry-run --force $pf 0
expect_ok "release VF 0" passthru release $vf0
expect_eq "VF 0 back on igbvf" igbvf "$(lab_driver $vf0)"
out=$(passthru vfs $pf 0 2>&1); rc=$?
expect_eq "vfs $pf 0 once nothing uses the VFs: exit status" 0 $rc
expect_eq "the VFs are gone" 0 "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)"
[ -e /sys/bus/pci/devices/$vf0 ] && fail "$vf0 still exists" || pass "$vf0 is gone"
ip link set $ifc down
lab_done
