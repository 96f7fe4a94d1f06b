#!/bin/sh
# lab: topology=devices kernels=stock,iommufd timeout=420
# The 82576 physical function (QEMU's igb, 8086:10c9) taken from the host's
# igb driver and driven through the IOMMU by drivers/igb.c in MAC loopback:
# `passthru dma-test` through every backend (the NIC's own MAC address,
# read from the device), `passthru verify` (every DMA check), and the KVM
# guest's nic-loopback (TX DMA -> MAC loopback -> RX DMA, RX MSI-X through
# the VMM's irqfd route).  Then the PF goes back to igb.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
pf=0000:01:00.0
if [ -e /dev/iommu ]; then backends="type1 iommufd" io=both n=31; else backends=type1 io=type1 n=19; fi
expect_eq "$pf is on the host's igb driver" igb "$(lab_driver $pf)"
expect_eq "no VFs on it" 0 "$(cat /sys/bus/pci/devices/$pf/sriov_numvfs)"
for i in /sys/bus/pci/devices/$pf/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
expect_ok "assign $pf" passthru assign $pf
for b in $backends; do
	out=$(passthru dma-test $pf --iommu $b 2>&1); rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "dma-test $pf --iommu $b: exit status" 0 $rc
	expect_match "dma-test --iommu $b: the PF's own MAC address (the topology's)" \
		"device +MAC 52:54:00:12:34:70$" "$out"
	expect_eq "dma-test --iommu $b: both frames came back byte for byte" 2 \
		"$(echo "$out" | grep -c '^  copy [12] *1024 bytes .*: ok')"
done
lab-verify run tap --pass $n --fail 0 --skip 0 -- $pf --iommu $io
expect_eq "verify $pf --iommu $io: exit status" 0 $?
if [ -e /dev/kvm ]; then
	for b in $backends; do
		out=$(passthru run --device $pf --guest nic-loopback --iommu $b --timeout 60 2>&1); rc=$?
		echo "$out" | sed "s/^/    $b| /"
		expect_eq "run --guest nic-loopback on the igb PF --iommu $b: exit status" 0 $rc
		expect_match "nic-loopback --iommu $b: frames from the NIC's own address" \
			"guest: igb MAC address 52:54:00:12:34:70" "$out"
		for n in 60 64 1000 1514; do
			expect_match "nic-loopback --iommu $b: $n-byte frame back with its MSI-X" \
				"^nic-loopback: $n-byte frame TX DMA -> MAC loopback -> RX DMA: bytes match, RX MSI-X vector 0x40 taken$" "$out"
		done
	done
else
	fail "no /dev/kvm in the lab (kvm_amd not loaded?)"
fi
expect_ok "release $pf" passthru release $pf
expect_eq "$pf back on igb" igb "$(lab_driver $pf)"
lab_done
