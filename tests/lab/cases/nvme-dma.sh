#!/bin/sh
# lab: topology=devices kernels=stock,iommufd timeout=420
# An NVMe controller (QEMU's nvme, a blank 64 MiB namespace: the driver's
# dedicated scratch namespace) taken from the host's nvme driver and driven
# through the IOMMU by drivers/nvme.c: `passthru dma-test` (Write of the
# source to scratch LBAs, Read back into the destination, bytes checked,
# MSI-X) through every backend with 4 KiB and 2 MiB hugetlb buffers;
# `passthru verify` (every DMA check of the battery); the KVM guest's
# nvme-io (PRP1, PRP1+PRP2, a PRP list; completions as MSI-X through the
# VMM's irqfd route); a PRP list and a completion queue the IOMMU blocks
# (vfio-lab nvme-faults: Data Transfer Error status, CSTS.CFS, each
# followed by a controller reset that recovers).  Then the controller goes
# back to the host driver.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify vfio-lab
dev=0000:00:06.0
if [ -e /dev/iommu ]; then backends="type1 iommufd" io=both n=31; else backends=type1 io=type1 n=19; fi
expect_eq "$dev is on the host's nvme driver" nvme "$(lab_driver $dev)"
expect_ok "assign $dev (an unmounted, unpartitioned disk)" passthru assign $dev
echo 8 >/proc/sys/vm/nr_hugepages
for b in $backends; do
	out=$(passthru dma-test $dev --iommu $b 2>&1); rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "dma-test $dev --iommu $b: exit status" 0 $rc
	expect_match "dma-test --iommu $b: the blank namespace, its default scratch LBAs" \
		"device +namespace 1, 512-byte LBAs, scratch LBAs 2048\+8192" "$out"
	expect_eq "dma-test --iommu $b: both 1024-byte copies (Write then Read) ok" 2 \
		"$(echo "$out" | grep -c '^  copy [12] *1024 bytes .*: ok')"
	expect_match "dma-test --iommu $b: the admin queue's MSI-X arrived" "irq +MSI-X vector 0: seen" "$out"
	out=$(passthru dma-test $dev --iommu $b --hugepages 2M 2>&1)
	expect_eq "dma-test --iommu $b --hugepages 2M: exit status" 0 $?
done
echo 0 >/proc/sys/vm/nr_hugepages
for b in $backends; do
	PASSTHRU_IOMMU=$b vfio-lab nvme-faults $dev || LAB_FAILED=$((LAB_FAILED + 1))
done
lab-verify run tap --pass $n --fail 0 --skip 0 -- $dev --iommu $io
expect_eq "verify $dev --iommu $io: exit status" 0 $?
expect_match "verify: nvme is the DMA-test driver" "dma.open .*driver nvme \(64-bit DMA\), 512 B per test copy" "$(cat /tmp/verify.txt)"
if [ -e /dev/kvm ]; then
	for b in $backends; do
		out=$(passthru run --device $dev --guest nvme-io --iommu $b --timeout 90 2>&1); rc=$?
		echo "$out" | sed "s/^/    $b| /"
		expect_eq "run --guest nvme-io --iommu $b: exit status" 0 $rc
		for p in "512 bytes at \+0 .*PRP1" "4096 bytes at \+0 .*PRP1" \
			 "4096 bytes at \+2048 .*PRP1\+PRP2 across a page boundary" \
			 "65536 bytes at \+512 .*a PRP list"; do
			expect_match "nvme-io --iommu $b: $(echo "$p" | sed 's/ \.\*/: /;s/\\//g')" \
				"^nvme-io: $p, MSI-X on vector 0x41 \([12]\)$" "$out"
		done
	done
else
	fail "no /dev/kvm in the lab (kvm_amd not loaded?)"
fi
expect_ok "release $dev" passthru release $dev
expect_eq "$dev back on nvme" nvme "$(lab_driver $dev)"
lab_done
