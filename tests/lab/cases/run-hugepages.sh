#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=120
# passthru run --hugepages 2M: guest RAM from a 2 MiB hugetlb memfd, mapped
# into KVM and through the IOMMU (IOVA = GPA) — edu DMA lands in it, with
# every backend the kernel offers.  The pool is reserved here and given back
# afterwards.
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
[ -e $pool ] || { fail "no 2 MiB hugetlb pool in this kernel"; lab_done; }
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
[ -n "$edu" ] || { fail "no edu in topology $LAB_TOPOLOGY"; lab_done; }
orig=$(lab_driver "$edu") before=$(cat $pool)
lab_bind "$edu" vfio-pci || { fail "bind $edu to vfio-pci"; lab_done; }
echo 0 >$pool
out=$(passthru run --device "$edu" --guest edu-dma --hugepages 2M 2>&1)
expect_eq "run --hugepages 2M with an empty pool fails at set-up" 1 "$?"
expect_match "run --hugepages 2M with an empty pool: says how to reserve" \
	'16 huge page\(s\) of 2 MiB needed, 0 free; reserve more with `echo 16 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages`' "$out"
echo 16 >$pool
expect_eq "16 huge pages reserved" 16 "$(cat $pool)"
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	out=$(passthru run --device "$edu" --guest edu-dma --hugepages 2M --iommu $b --timeout 60 2>&1)
	rc=$?
	echo "$out" | tail -1 | sed "s/^/    $b| /"
	expect_eq "run edu-dma --hugepages 2M --iommu $b: exit status" 0 "$rc"
	expect_match "run edu-dma --hugepages 2M --iommu $b: DMA into hugetlb guest RAM" \
		'^edu-dma: ok \(5 MSIs in all\)$' "$out"
	j=$(passthru run --device "$edu" --guest hello --hugepages 2M --iommu $b --json 2>&1 | tr -d ' \n')
	expect_match "run --hugepages 2M --iommu $b --json: backing and IOMMU mapping" \
		'"mem_backing":"hugetlb-2M".*"iommu_mappings":1,"iommu_mapped_bytes":33554432' "$j"
done
echo "$before" >$pool
[ "$orig" = none ] || lab_bind "$edu" "$orig"
echo >/sys/bus/pci/devices/$edu/driver_override
lab_done
