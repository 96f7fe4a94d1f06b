#!/bin/busybox sh
# /init of the tiny Linux guest that tests/lab/cases/emit-qemu.sh boots with
# QEMU inside the lab, from the arguments `passthru emit qemu` printed: it
# prints what the guest sees on its PCI bus, one line per function, then
# powers off.  Built into a cpio by tests/emit/module.mk with the host's
# static busybox.
/bin/busybox mkdir -p /proc /sys /dev
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for d in /sys/bus/pci/devices/*; do
	read -r v <"$d/vendor"; read -r p <"$d/device"; read -r c <"$d/class"
	read -r sv <"$d/subsystem_vendor"; read -r sd <"$d/subsystem_device"
	echo "GUEST-PCI ${d##*/} $v $p $c $sv $sd"
done
echo "GUEST-DONE"
/bin/busybox poweroff -f
