#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=180
# `passthru dma-test` on edu and e1000e with every backend the kernel has,
# anonymous and 2 MiB hugetlb memory; 1 GiB pages cannot be reserved in the
# 1 GiB lab VM, so that run must fail with the how-to-reserve message.
. "$LAB_LIB"
# give a device back to the kernel's choice of driver (cases after this one
# expect the NIC on e1000e)
lab_unbind_vfio() {
	echo >/sys/bus/pci/devices/$1/driver_override
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
	echo "$1" >/sys/bus/pci/drivers_probe
}
need_cmd passthru vfio-lab
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
expect_ok "bind edu $edu to vfio-pci" lab_bind "$edu" vfio-pci
expect_ok "bind e1000e $nic to vfio-pci" lab_bind "$nic" vfio-pci
echo 8 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
expect_eq "8 huge pages of 2 MiB reserved" 8 "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)"
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	for d in $edu $nic; do
		out=$(passthru dma-test "$d" --iommu $b --json 2>&1); rc=$?
		expect_eq "dma-test $d --iommu $b exits 0" 0 "$rc"
		expect_match "dma-test $d --iommu $b: both copies ok, interrupt seen" \
			'"interrupt_seen": true' "$out"
		expect_eq "dma-test $d --iommu $b: 2 copies ok" 2 "$(echo "$out" | grep -c '"ok": true,')"
		out=$(passthru dma-test "$d" --iommu $b --hugepages 2M 2>&1); rc=$?
		expect_eq "dma-test $d --iommu $b --hugepages 2M exits 0" 0 "$rc"
		expect_match "dma-test $d --hugepages 2M: hugetlb-2M memory, ok" 'hugetlb-2M memory' "$out"
	done
	PASSTHRU_IOMMU=$b vfio-lab dma "$nic" memfd || LAB_FAILED=$((LAB_FAILED + 1))
	PASSTHRU_IOMMU=$b vfio-lab dma "$edu" 2M || LAB_FAILED=$((LAB_FAILED + 1))
done
out=$(passthru dma-test "$edu" --hugepages 1G 2>&1); rc=$?
expect_eq "dma-test --hugepages 1G without 1 GiB pages exits 1" 1 "$rc"
expect_match "... and says how to get them" 'hugepagesz=1G hugepages=' "$out"
out=$(passthru dma-test "$edu" --iommu nope 2>&1); rc=$?
expect_eq "dma-test --iommu nope exits 2" 2 "$rc"
expect_match "... naming the choices" "unknown IOMMU backend 'nope': use type1, iommufd or auto" "$out"
for d in $(ls /sys/bus/pci/drivers/vfio-pci 2>/dev/null | grep ^0000:); do lab_unbind_vfio $d; done
lab_done
