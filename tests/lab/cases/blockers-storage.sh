#!/bin/sh
# lab: topology=storage kernels=stock,iommufd timeout=180
# The blocker model on a real kernel's storage stack (issue 11): the NVMe
# carries a dm-crypt mapping (where the kernel has the crypt target) and on
# it a linear mapping named like an LVM volume, mounted.  `assign` refuses
# naming the whole chain, with the stable id; unmounted and deactivated,
# the NVMe is assigned and released.
# Why dmsetup and not lvm2/cryptsetup: what the blocker model reads is the
# kernel's device-mapper device (its name, its slaves/ links, its MAJ:MIN in
# mountinfo); LVM activation and cryptsetup create exactly such mappings
# through the same ioctls, and Debian's dmsetup is one small program where
# lvm2 needs its configuration, metadata and udev synchronisation turned off
# to run without udevd.
. "$LAB_LIB"
export NO_COLOR=1 DM_DISABLE_UDEV=1
need_cmd passthru jq dmsetup

nvme=$(lab_find_dev 0x1b36 0x0010)
expect_eq "exactly one NVMe" 1 "$(echo $nvme | wc -w)"
sys=/sys/bus/pci/devices/$nvme
disk=
for i in 1 2 3 4 5 6 7 8 9 10; do
	# with native multipath (Debian's kernel) the namespace's disk lives
	# in the NVMe subsystem, not below the controller
	disk=$(ls /sys/class/block | grep -m1 '^nvme[0-9]*n1$')
	[ -n "$disk" ] && break
	sleep 0.5
done
expect_match "the NVMe has a namespace" '^nvme[0-9]+n1$' "$disk"
sectors=$(cat /sys/class/block/$disk/size)

dmname() { for d in /sys/class/block/dm-*; do
	[ "$(cat $d/dm/name)" = "$1" ] && basename $d; done; }
lower=/dev/$disk
chain="$disk"
if dmsetup targets | grep -q '^crypt'; then
	key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	expect_ok "dm-crypt mapping" dmsetup create --noudevsync lab-crypt \
		--table "0 $sectors crypt aes-xts-plain64 $key 0 /dev/$disk 0"
	lower=/dev/mapper/lab-crypt
	chain="$chain → $(dmname lab-crypt) (lab-crypt)"
	crypt=yes
else
	pass "no crypt target in this kernel: the linear mapping sits on the disk"
fi
expect_ok "LVM-like linear mapping vg0-root" dmsetup create --noudevsync vg0-root \
	--table "0 $sectors linear $lower 0"
chain="$chain → $(dmname vg0-root) (vg0-root)"
expect_ok "mkfs" mke2fs -q /dev/mapper/vg0-root
mkdir -p /mnt/root
expect_ok "mount" mount -t ext2 /dev/mapper/vg0-root /mnt/root

out=$(passthru assign --json "$nvme" 2>/tmp/err); rc=$?
expect_eq "mounted through the stack: exit 1" 1 "$rc"
expect_eq "mounted: the chain is named" "$nvme: $chain mounted on /mnt/root" \
	"$(echo "$out" | jq -r '.groups[0].blocked_by[0]')"
expect_eq "mounted: still on nvme" nvme "$(lab_driver $nvme)"
expect_eq "mounted: the id is storage.mount, --force overrides it" "storage.mount $disk true" \
	"$(passthru show --json "$nvme" | jq -r '.assign.blockers[0] | "\(.id) \(.subject) \(.force_overrides)"')"

expect_ok "umount" umount /mnt/root
expect_ok "deactivate vg0-root" dmsetup remove --noudevsync vg0-root
[ -n "${crypt:-}" ] && expect_ok "deactivate lab-crypt" dmsetup remove --noudevsync lab-crypt
out=$(passthru assign --json "$nvme" 2>/tmp/err); rc=$?
expect_eq "deactivated: exit 0" 0 "$rc"
expect_eq "deactivated: no blocker" 0 "$(echo "$out" | jq '.groups[0].blocked_by | length')"
expect_eq "deactivated: on vfio-pci" vfio-pci "$(lab_driver $nvme)"
expect_ok "release again" passthru release "$nvme"
expect_eq "nvme is back" nvme "$(lab_driver $nvme)"
lab_done
