#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=120
# passthru run --guest nic-loopback: the minimal KVM guest drives the e1000e
# (82574L) assigned through VFIO with the same driver source the host uses
# (drivers/e1000e.c): each frame goes out by TX DMA from guest RAM, comes
# back through MAC loopback by RX DMA into guest RAM, bytes checked, and the
# RX interrupt arrives on MSI-X vector 0 through VFIO eventfd -> KVM irqfd.
# The MSI-X table is trapped and virtualised by the VMM; BAR0 is a KVM slot.
# Type1 always, iommufd when /dev/iommu exists.  The NIC goes back to its
# driver afterwards.
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$nic" ] || { fail "no e1000e in topology $LAB_TOPOLOGY"; lab_done; }
orig=$(lab_driver "$nic")
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
lab_bind "$nic" vfio-pci || { fail "bind $nic to vfio-pci"; lab_done; }
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	out=$(passthru run --device "$nic" --guest nic-loopback --iommu "$b" --timeout 60 2>&1)
	rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "run nic-loopback --iommu $b: exit status" 0 "$rc"
	for n in 60 64 1000 1514; do
		expect_match "run nic-loopback --iommu $b: $n-byte frame back by RX DMA with its MSI-X" \
			"^nic-loopback: $n-byte frame TX DMA -> MAC loopback -> RX DMA: bytes match, RX MSI-X vector 0x40 taken$" "$out"
	done
	json=$(passthru run --device "$nic" --guest nic-loopback --iommu "$b" --json --timeout 60 2>&1)
	expect_match "run nic-loopback --iommu $b --json: irq msi-x" '"irq": "msi-x"' "$json"
	expect_match "run nic-loopback --iommu $b --json: BAR3 (MSI-X table) trapped" \
		'"index": 3,[^}]*"kind": "trap"' "$(echo "$json" | tr -d '\n')"
done
[ "$orig" = none ] || lab_bind "$nic" "$orig"
echo >/sys/bus/pci/devices/$nic/driver_override
expect_eq "e1000e back on its driver" "$orig" "$(lab_driver "$nic")"
lab_done
