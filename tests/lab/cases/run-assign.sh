#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=120
# passthru run --assign: the NIC starts on its own driver; run assigns it
# (the real `passthru assign`, with its checks and journal), the guest
# drives it, and run releases it back to e1000e afterwards.  A device that
# is already on vfio-pci is left there.
. "$LAB_LIB"
need_cmd passthru
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$nic" ] || { fail "no e1000e in topology $LAB_TOPOLOGY"; lab_done; }
orig=$(lab_driver "$nic")
[ "$orig" = vfio-pci ] && { lab_bind "$nic" e1000e; echo >/sys/bus/pci/devices/$nic/driver_override; orig=e1000e; }
expect_eq "e1000e starts on its driver" e1000e "$(lab_driver "$nic")"
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
out=$(passthru run --assign --device 8086:10d3 --guest nic-loopback --timeout 60 2>&1)
rc=$?
echo "$out" | sed 's/^/    | /'
expect_eq "run --assign nic-loopback: exit status" 0 "$rc"
expect_match "run --assign: the guest drove the NIC" '^nic-loopback: e1000e ok$' "$out"
expect_eq "run --assign: released back to e1000e" e1000e "$(lab_driver "$nic")"
# already on vfio-pci: left there
lab_bind "$nic" vfio-pci
out=$(passthru run --assign --device "$nic" --guest nic-loopback --timeout 60 2>&1)
expect_eq "run --assign on a device already assigned: exit status" 0 "$?"
expect_eq "run --assign: a device that was on vfio-pci stays there" vfio-pci "$(lab_driver "$nic")"
lab_bind "$nic" e1000e
echo >/sys/bus/pci/devices/$nic/driver_override
lab_done
