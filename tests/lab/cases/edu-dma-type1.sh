#!/bin/sh
# lab: topology=basic,bridged kernels=stock,iommufd timeout=180
# edu DMA through VFIO type1 on the real kernel, with the project's own
# tools: `passthru assign` to vfio-pci; the device opened through a type1v2
# container, its ID register read through the mmapped BAR; copies both ways
# with every byte checked and nothing written past them (vfio-lab dma,
# passthru dma-test); DMA to a just-unmapped IOVA (vfio-lab unmapped) and to
# a never-mapped one that is the physical address of a sentinel page
# (vfio-lab phys) change nothing, and the device still copies afterwards;
# `passthru release` gives it back.  This case picks the device.
. "$LAB_LIB"
need_cmd passthru vfio-lab
export PASSTHRU_IOMMU=type1
edu=
for d in $(lab_find_dev 0x1234 0x11e8); do
	# the first edu alone in its IOMMU group
	n=$(ls /sys/bus/pci/devices/$d/iommu_group/devices | wc -l)
	[ "$n" = 1 ] && { edu=$d; break; }
done
[ -n "$edu" ] || { fail "no edu device alone in its IOMMU group in topology $LAB_TOPOLOGY"; lab_done; }
before=$(dmesg | wc -l)
orig=$(lab_driver "$edu")
expect_ok "passthru assign $edu" passthru assign "$edu"
expect_eq "$edu bound to vfio-pci" vfio-pci "$(lab_driver "$edu")"
for t in open dma unmapped phys; do
	vfio-lab $t "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
done
out=$(passthru dma-test "$edu" --iommu type1 2>&1); rc=$?
expect_eq "dma-test $edu --iommu type1 exits 0" 0 "$rc"
expect_match "dma-test $edu: through type1" "edu DMA test through type1" "$out"
expect_eq "dma-test $edu: both copies ok" 2 "$(printf '%s\n' "$out" | grep -c ': ok (')"
expect_ok "passthru release $edu" passthru release "$edu"
expect_eq "$edu back on its driver" "$orig" "$(lab_driver "$edu")"
# Extra evidence only (DMAR fault reports are rate-limited): the IOMMU log.
dmesg | tail -n +$((before + 1)) | grep -iE 'DMAR.*fault|fault addr' | head -3 | sed 's/^/    dmesg| /'
lab_done
