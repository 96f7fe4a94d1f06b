#!/bin/sh
# lab: topology=any kernels=stock,iommufd timeout=60
# What the lab kernel gives the project: VT-d with DMA and interrupt
# remapping, IOMMU groups, the VFIO container, nested KVM, and — on the
# iommufd kernel only — /dev/iommu and the per-device VFIO cdev.
. "$LAB_LIB"

expect_eq "kernel $LAB_KERNEL: one VT-d unit in /sys/class/iommu" "dmar0" "$(ls /sys/class/iommu | tr '\n' ' ' | sed 's/ $//')"
# Interrupt remapping shows in the interrupt chips' names (IR-IO-APIC, IR-PCI-MSI).
expect_match "kernel $LAB_KERNEL: interrupt remapping on (IR- chips in /proc/interrupts)" 'IR-(IO-APIC|PCI-MSI)' "$(cat /proc/interrupts)"
n=$(ls /sys/kernel/iommu_groups | wc -l)
[ "$n" -ge 3 ] && pass "kernel $LAB_KERNEL: $n IOMMU groups" || fail "kernel $LAB_KERNEL: IOMMU groups (expected >= 3, saw $n)"
expect_eq "kernel $LAB_KERNEL: every group translated (type DMA or DMA-FQ)" "" \
	"$(cat /sys/kernel/iommu_groups/*/type | grep -vxE 'DMA|DMA-FQ' | sort -u | tr '\n' ' ')"
[ -c /dev/vfio/vfio ] && pass "/dev/vfio/vfio exists" || fail "/dev/vfio/vfio (expected a character device, saw none)"
[ -c /dev/kvm ] && pass "nested /dev/kvm exists (kvm_amd on TCG -cpu max)" || fail "/dev/kvm (expected a character device, saw none)"
expect_eq "e1000e bound to its native driver" "e1000e" "$(lab_driver "$(lab_find_dev 0x8086 0x10d3 | head -1)")"

edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
case "$LAB_KERNEL" in
iommufd)
	[ -c /dev/iommu ] && pass "iommufd kernel: /dev/iommu exists" || fail "iommufd kernel: /dev/iommu (expected a character device, saw none)"
	if lab_bind "$edu" vfio-pci; then
		pass "$edu bound to vfio-pci"
		cdev=$(ls /sys/bus/pci/devices/$edu/vfio-dev 2>/dev/null)
		[ -n "$cdev" ] && [ -c /dev/vfio/devices/$cdev ] &&
			pass "iommufd kernel: VFIO cdev /dev/vfio/devices/$cdev for $edu" ||
			fail "iommufd kernel: VFIO cdev for $edu (expected /dev/vfio/devices/vfioN, saw '$(ls /dev/vfio/devices 2>&1)')"
	else
		fail "$edu bind to vfio-pci (expected vfio-pci, saw $(lab_driver $edu))"
	fi
	echo > /sys/bus/pci/devices/$edu/driver_override
	echo "$edu" > /sys/bus/pci/devices/$edu/driver/unbind
	;;
stock)
	# Debian's kernels do not enable CONFIG_IOMMUFD: the reason for the second kernel.
	[ ! -e /dev/iommu ] && pass "stock kernel: no /dev/iommu (Debian has no CONFIG_IOMMUFD)" ||
		fail "stock kernel: /dev/iommu (expected absent, saw it)"
	;;
esac
lab_done
