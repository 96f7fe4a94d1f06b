#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=90
# Pinning over RLIMIT_MEMLOCK (CAP_IPC_LOCK dropped) fails with the locked /
# needed / how-to-raise sentence, for each backend the kernel has.
. "$LAB_LIB"
# give a device back to the kernel's choice of driver (cases after this one
# expect the NIC on e1000e)
lab_unbind_vfio() {
	echo >/sys/bus/pci/devices/$1/driver_override
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
	echo "$1" >/sys/bus/pci/drivers_probe
}
need_cmd vfio-lab
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
expect_ok "bind edu $edu to vfio-pci" lab_bind "$edu" vfio-pci
PASSTHRU_IOMMU=type1 vfio-lab memlock "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
[ -e /dev/iommu ] && { PASSTHRU_IOMMU=iommufd vfio-lab memlock "$edu" || LAB_FAILED=$((LAB_FAILED + 1)); }
for d in $(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep ^0000:); do lab_unbind_vfio $d; done
lab_done
