#!/bin/sh
# lab: topology=basic,bridged kernels=stock,iommufd timeout=90
# edu DMA through VFIO type1 on the real kernel: bind to vfio-pci, map a
# buffer, copy both ways, and DMA to unmapped IOVAs (must change nothing).
# The program prints its own PASS/FAIL lines; this case picks the device.
. "$LAB_LIB"
need_cmd edu-dma-type1
edu=
for d in $(lab_find_dev 0x1234 0x11e8); do
	# the first edu alone in its IOMMU group
	n=$(ls /sys/bus/pci/devices/$d/iommu_group/devices | wc -l)
	[ "$n" = 1 ] && { edu=$d; break; }
done
[ -n "$edu" ] || { fail "no edu device alone in its IOMMU group in topology $LAB_TOPOLOGY"; lab_done; }
before=$(dmesg | wc -l)
edu-dma-type1 "$edu"
rc=$?
# Extra evidence only (DMAR fault reports are rate-limited): the IOMMU log.
dmesg | tail -n +$((before + 1)) | grep -iE 'DMAR.*fault|fault addr' | head -3 | sed 's/^/    dmesg| /'
exit $rc
