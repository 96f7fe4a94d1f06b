#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=240
# VFIO core, legacy type1 backend (container + groups), on edu and e1000e:
# open (info, regions, config, mmap vs pread, irq info), DMA both ways with
# bytes checked, DMA to an unmapped IOVA, read-only mapping, MSI/MSI-X on
# eventfds with per-vector disable, reset, two devices (two groups) in one
# container, usable-range edges and DMA_AVAIL.
. "$LAB_LIB"
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
vfio-lab two "$edu" "$nic" || LAB_FAILED=$((LAB_FAILED + 1))
lab_done
