#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=120
# passthru run --guest edu-dma: the minimal KVM guest (nested /dev/kvm from
# kvm_amd in the lab) drives the edu device assigned through VFIO — guest RAM
# mapped at IOVA = GPA, BAR0 a KVM memory slot, DMA copies both ways with the
# bytes checked by the guest, and the completion MSI delivered by
# VFIO eventfd -> KVM irqfd -> the guest's vector (the VMM has no other way
# to inject an MSI).  Every IOMMU backend the kernel offers: type1 always,
# iommufd when /dev/iommu exists (the 6.12 lab kernel).  Then the same
# with the guest using INTx (IOAPIC, resampling irqfd, VFIO unmask).
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
edu=
for d in $(lab_find_dev 0x1234 0x11e8); do
	[ "$(ls /sys/bus/pci/devices/$d/iommu_group/devices | wc -l)" = 1 ] && { edu=$d; break; }
done
[ -n "$edu" ] || { fail "no edu device alone in its IOMMU group"; lab_done; }
orig=$(lab_driver "$edu")
lab_bind "$edu" vfio-pci || { fail "bind $edu to vfio-pci"; lab_done; }
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	out=$(passthru run --device "$edu" --guest edu-dma --iommu "$b" --timeout 60 2>&1)
	rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "run edu-dma --iommu $b: exit status" 0 "$rc"
	for n in 1 64 1000 2048; do
		expect_match "run edu-dma --iommu $b: $n-byte copy checked, completion MSI via irqfd" \
			"^edu-dma: $n bytes RAM -> edu -> RAM at GPA 0x[0-9a-f]+ -> 0x[0-9a-f]+: bytes match, MSI vector 0x40 taken$" "$out"
	done
	expect_match "run edu-dma --iommu $b: 5 MSIs taken" '^edu-dma: ok \(5 MSIs in all\)$' "$out"
	# No MSI: INTx through the IOAPIC, a resampling irqfd, VFIO's unmask.
	out=$(passthru run --device "$edu" --guest edu-dma --guest-arg intx --iommu "$b" --timeout 60 2>&1)
	rc=$?
	echo "$out" | sed "s/^/    $b intx| /"
	expect_eq "run edu-dma intx --iommu $b: exit status" 0 "$rc"
	expect_match "run edu-dma intx --iommu $b: INTx routed" \
		'^guest: edu INTx pin A -> IOAPIC pin 16 -> vector 0x40$' "$out"
	expect_match "run edu-dma intx --iommu $b: every completion by INTx, one each" \
		'^edu-dma: ok \(5 INTxs in all\)$' "$out"
	json=$(passthru run --device "$edu" --guest edu-dma --iommu "$b" --json --timeout 60 2>&1)
	expect_match "run edu-dma --iommu $b --json: BAR0 is a KVM slot, MSI routed" \
		'"kind": "slot"' "$json"
	expect_match "run edu-dma --iommu $b --json: irq msi" '"irq": "msi"' "$json"
	expect_match "run edu-dma --iommu $b --json: no MMIO exits (BAR through the slot)" \
		'"mmio_exits": 0,' "$json"
	j1=$(echo "$json" | tr -d ' \n')
	expect_match "run edu-dma --iommu $b --json: the IOMMU maps exactly guest RAM (1 mapping, 32 MiB)" \
		'"iommu_mappings":1,"iommu_mapped_bytes":33554432' "$j1"
	# A guest-programmed DMA past its RAM: IOVA 0x2100000 is not mapped.
	before=$(dmesg | wc -l)
	out=$(passthru run --device "$edu" --guest edu-dma --guest-arg outside --iommu "$b" --timeout 60 2>&1)
	rc=$?
	expect_eq "run edu-dma outside --iommu $b: the guest and VMM carry on (exit status)" 0 "$rc"
	expect_match "run edu-dma outside --iommu $b: DMA to 0x2100000 issued" \
		'^edu-dma: DMA write to IOVA 0x2100000 \(outside guest RAM\) issued' "$out"
	# Extra evidence only (DMAR reports are rate-limited): the IOMMU's log.
	dmesg | tail -n +$((before + 1)) | grep -iE 'DMAR|fault' | head -3 | sed 's/^/    dmesg| /'
done
# Bad input and set-up errors name the device and the step.
out=$(passthru run --device 1234:11e8 --guest edu-dma --iommu type1 --mem 4G 2>&1)
expect_eq "run --mem 4G is bad input" 2 "$?"
echo "$orig" | grep -qx none || lab_bind "$edu" "$orig"
echo >/sys/bus/pci/devices/$edu/driver_override
lab_done
