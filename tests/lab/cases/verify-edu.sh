#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd timeout=300
# passthru verify PASSES for edu 0000:01:00.0 (alone behind a root port with
# ACS; bus reset): every host check and every DMA check, through type1 and,
# on the kernel that has it, iommufd.  2 MiB huge pages are reserved so the
# 2 MiB-boundary copy runs on hugetlb backing (verify-e1000e covers the 4 KiB
# fallback).  The JUnit report is validated on the host (verify-edu.host ->
# tests/verify/lab-report.sh).
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:01:00.0
if [ -e /dev/iommu ]; then io=both n=31; else io=type1 n=19; fi
expect_ok "assign $dev" passthru assign $dev
expect_ok "reserve 8 huge pages" sh -c 'echo 8 > /proc/sys/vm/nr_hugepages; [ "$(cat /proc/sys/vm/nr_hugepages)" = 8 ]'
lab-verify run junit --pass $n --fail 0 --skip 0 -- $dev --iommu $io
expect_eq "verify $dev --iommu $io: exit status" 0 $?
expect_eq "verify $dev: summary" "verify: $n passed, 0 failed, 0 skipped" "$(grep '^verify:' /tmp/verify.txt)"
expect_match "verify $dev: the 2 MiB boundary copy ran on hugetlb pages" \
	"dma.mapped-hugepage-boundary +across a 2 MiB IOVA boundary: mapped 0x3e00000-0x41fffff \(2 MiB hugetlb pages" \
	"$(cat /tmp/verify.txt)"
echo 0 >/proc/sys/vm/nr_hugepages
expect_ok "release $dev" passthru release $dev
lab_done
