#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=240
# VFIO core, legacy type1 backend (container + groups), on edu and e1000e:
# open (info, regions, config, mmap vs pread, irq info), DMA both ways with
# bytes checked, DMA to an unmapped IOVA, read-only mapping, MSI/MSI-X on
# eventfds with per-vector disable, reset, two devices (two groups) in one
# container, usable-range edges and DMA_AVAIL.
. "$LAB_LIB"
# give a device back to the kernel's choice of driver (cases after this one
# expect the NIC on e1000e)
lab_unbind_vfio() {
	echo >/sys/bus/pci/devices/$1/driver_override
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
	echo "$1" >/sys/bus/pci/drivers_probe
}
need_cmd vfio-lab
export PASSTHRU_IOMMU=type1
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
expect_ok "bind edu $edu to vfio-pci" lab_bind "$edu" vfio-pci
expect_ok "bind e1000e $nic to vfio-pci" lab_bind "$nic" vfio-pci
for t in open dma unmapped readonly msi reset ranges; do
	for d in $edu $nic; do
		vfio-lab $t $d || LAB_FAILED=$((LAB_FAILED + 1))
	done
done
vfio-lab guestram "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab guestram "$nic" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab intx "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
vfio-lab two "$edu" "$nic" || LAB_FAILED=$((LAB_FAILED + 1))
# the mapping-count limit: a container made while dma_entry_limit is 8
lim=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
old=$(cat $lim)
echo 8 >$lim
vfio-lab dmalimit "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
echo "$old" >$lim
for d in $(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep ^0000:); do lab_unbind_vfio $d; done
lab_done
