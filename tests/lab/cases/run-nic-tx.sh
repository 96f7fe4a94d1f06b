#!/bin/sh
# lab: topology=basic,devices kernels=stock,iommufd timeout=120
# passthru run --guest nic-tx: the minimal KVM guest sends 4 frames out of
# the assigned e1000e's port (MAC loopback off), from the address its
# driver read from the NIC (each topology gives its e1000e another one).
# The guest prints each frame ("nic-tx frame I/N LEN HEX"); run-nic-tx.host
# then finds exactly these frames, byte for byte and in order, from the
# topology's MAC address, in the capture QEMU's filter-dump took of the
# NIC's traffic outside the lab VM.
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$nic" ] || { fail "no e1000e in topology $LAB_TOPOLOGY"; lab_done; }
orig=$(lab_driver "$nic")
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
lab_bind "$nic" vfio-pci || { fail "bind $nic to vfio-pci"; lab_done; }
backends=type1
[ -e /dev/iommu ] && backends="type1 iommufd"
for b in $backends; do
	out=$(passthru run --device "$nic" --guest nic-tx --guest-arg 4 --iommu "$b" --timeout 60 2>&1)
	rc=$?
	echo "$out" | grep -v '^nic-tx frame\|^nic-tx: source MAC' | sed "s/^/    $b| /"
	# the frame and MAC lines go out unindented for the host-side check
	echo "$out" | grep '^nic-tx frame\|^nic-tx: source MAC'
	expect_eq "run nic-tx --iommu $b: exit status" 0 "$rc"
	expect_eq "run nic-tx --iommu $b: frames sent" 4 "$(echo "$out" | grep -c '^nic-tx frame [1-4]/4 ')"
done
[ "$orig" = none ] || lab_bind "$nic" "$orig"
echo >/sys/bus/pci/devices/$nic/driver_override
lab_done
