#!/bin/sh
# lab: topology=basic kernels=iommufd timeout=240
# VFIO core, iommufd backend (/dev/iommu IOAS + VFIO device cdev), the same
# tests as vfio-type1, plus: the default backend is iommufd when the kernel
# offers /dev/iommu, and PASSTHRU_IOMMU=type1 forces the container.
. "$LAB_LIB"
# give a device back to the kernel's choice of driver (cases after this one
# expect the NIC on e1000e)
lab_unbind_vfio() {
	echo >/sys/bus/pci/devices/$1/driver_override
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
	echo "$1" >/sys/bus/pci/drivers_probe
}
need_cmd vfio-lab passthru
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
expect_ok "bind edu $edu to vfio-pci" lab_bind "$edu" vfio-pci
expect_ok "bind e1000e $nic to vfio-pci" lab_bind "$nic" vfio-pci
expect_eq "cdev of $edu under vfio-dev/" "yes" "$(ls /sys/bus/pci/devices/$edu/vfio-dev/ 2>/dev/null | grep -q '^vfio[0-9]' && echo yes || echo no)"
out=$(passthru dma-test "$edu" --json 2>&1)
expect_match "default backend is iommufd when /dev/iommu exists" '"iommu": "iommufd"' "$out"
out=$(PASSTHRU_IOMMU=type1 passthru dma-test "$edu" --json 2>&1)
expect_match "PASSTHRU_IOMMU=type1 forces the container" '"iommu": "type1"' "$out"
export PASSTHRU_IOMMU=iommufd
for t in open dma unmapped readonly msi reset ranges; do
	for d in $edu $nic; do
		vfio-lab $t $d || LAB_FAILED=$((LAB_FAILED + 1))
	done
done
vfio-lab guestram "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab guestram "$nic" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab intx "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab two "$edu" "$nic" || LAB_FAILED=$((LAB_FAILED + 1))
for d in $(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep ^0000:); do lab_unbind_vfio $d; done
lab_done
