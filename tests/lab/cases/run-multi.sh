#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=120
# passthru run with two assigned devices (edu and e1000e) in one guest: one
# IOMMU address space for both (guest RAM mapped once), both on the
# guest's bus with their BARs; a guest writing junk to the PCI config ports
# of both real devices neither crashes the VMM nor breaks them (edu-dma and
# nic-loopback still pass afterwards).
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$edu" ] && [ -n "$nic" ] || { fail "need an edu and an e1000e in topology $LAB_TOPOLOGY"; lab_done; }
eorig=$(lab_driver "$edu") norig=$(lab_driver "$nic")
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
lab_bind "$edu" vfio-pci && lab_bind "$nic" vfio-pci || { fail "bind both to vfio-pci"; lab_done; }
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	out=$(passthru run --device "$edu" --device "$nic" --guest hello --iommu "$b" 2>&1)
	expect_eq "run two devices --iommu $b: exit status" 0 "$?"
	expect_match "run two devices --iommu $b: edu at 00:01.0" '^pci 00:01.0 1234:11e8 class 00ff00$' "$out"
	expect_match "run two devices --iommu $b: e1000e at 00:02.0" '^pci 00:02.0 8086:10d3 class 020000$' "$out"
	j=$(passthru run --device "$edu" --device "$nic" --guest hello --iommu "$b" --json 2>&1 | tr -d ' \n')
	expect_match "run two devices --iommu $b --json: guest RAM mapped once for both" \
		'"iommu_mappings":1,"iommu_mapped_bytes":33554432},\{"bdf":"[0-9a-f:.]*","iommu_group":[0-9]*,"iommu":"'"$b"'","guest_bdf":"00:02.0","ram_mapped_iova_eq_gpa":true,"iommu_mappings":1,' "$j"
	out=$(passthru run --device "$edu" --device "$nic" --guest pci-garbage --iommu "$b" 2>&1)
	rc=$?
	echo "$out" | tail -1 | sed 's/^/    | /'
	expect_eq "run pci-garbage on real devices --iommu $b: bus intact" 0 "$rc"
	out=$(passthru run --device "$edu" --device "$nic" --guest pci-ecam --iommu "$b" 2>&1)
	rc=$?
	echo "$out" | tail -1 | sed 's/^/    | /'
	expect_eq "run pci-ecam on real devices --iommu $b: ECAM and CF8 agree" 0 "$rc"
	out=$(passthru run --device "$edu" --device "$nic" --guest edu-dma --iommu "$b" 2>&1)
	expect_eq "run edu-dma after the junk, beside the NIC --iommu $b" 0 "$?"
	out=$(passthru run --device "$edu" --device "$nic" --guest nic-loopback --iommu "$b" 2>&1)
	expect_eq "run nic-loopback after the junk, beside edu --iommu $b" 0 "$?"
done
[ "$eorig" = none ] || lab_bind "$edu" "$eorig"
[ "$norig" = none ] || lab_bind "$nic" "$norig"
echo >/sys/bus/pci/devices/$edu/driver_override
echo >/sys/bus/pci/devices/$nic/driver_override
lab_done
