#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd timeout=180
# VFIO core on multi-member IOMMU groups: the group of the multifunction
# device (02:00.0 e1000e + 02:00.1 edu) is not viable while the NIC is on
# e1000e, and the error names it; once both are on vfio-pci both open, and
# a bus hot reset lists both functions and succeeds with both owned.
. "$LAB_LIB"
# give a device back to the kernel's choice of driver (cases after this one
# expect the NIC on e1000e)
lab_unbind_vfio() {
	echo >/sys/bus/pci/devices/$1/driver_override
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
	echo "$1" >/sys/bus/pci/drivers_probe
}
need_cmd vfio-lab
nic=0000:02:00.0 fn1=0000:02:00.1
expect_eq "02:00.0 is the e1000e" "0x10d3" "$(cat /sys/bus/pci/devices/$nic/device)"
expect_eq "02:00.0 is on its native driver" "e1000e" "$(lab_driver $nic)"
expect_ok "bind edu $fn1 to vfio-pci" lab_bind "$fn1" vfio-pci
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	PASSTHRU_IOMMU=$b vfio-lab viable "$fn1" "$nic is bound to e1000e" || LAB_FAILED=$((LAB_FAILED + 1))
done
expect_ok "bind e1000e $nic to vfio-pci" lab_bind "$nic" vfio-pci
# 04:01.0 shares its group with the PCIe-to-PCI bridge 03:00.0 and with
# 04:02.0 (edu, no driver): driverless members keep the group viable
expect_ok "bind edu 0000:04:01.0 to vfio-pci" lab_bind 0000:04:01.0 vfio-pci
expect_eq "04:02.0 stays without a driver" none "$(lab_driver 0000:04:02.0)"
for b in $backends; do
	PASSTHRU_IOMMU=$b vfio-lab hotreset "$nic" "$fn1" || LAB_FAILED=$((LAB_FAILED + 1))
	PASSTHRU_IOMMU=$b vfio-lab dma 0000:04:01.0 || LAB_FAILED=$((LAB_FAILED + 1))	# behind the PCIe-to-PCI bridge
done
for d in $(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep ^0000:); do lab_unbind_vfio $d; done
lab_done
