#!/bin/sh
# lab: topology=basic kernels=stock append="passthru.lab=assign" timeout=180
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Persistence (issue 5): `assign --persist --user` writes /etc/passthru.conf
# and the modprobe.d softdep; then a "boot" is replayed with the REAL boot
# pieces: the installed udev rule and the host's 80-drivers.rules run by a
# real systemd-udevd, the modprobe.d softdep applied by udevd's libkmod,
# and the systemd unit's ExecStart line, read from the installed unit.
#
# Honest limits: the lab harness boots from an initramfs with no disk, so
# there is no second boot sharing state.  The "boot" here is: runtime state
# dropped (modules unloaded, /run/passthru cleared, udevd started fresh so
# it reads the config on disk) and the NIC hot-removed and re-added with a
# PCI rescan, which gives the kernel "add" event a boot gives.  systemd is
# not in the lab: the case runs the unit's ExecStart itself.  Stock kernel
# only: on the iommufd kernel e1000e is built in and binds before udev.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq systemd-udevd udevadm passthru-lab-files rmmod
nic=$(lab_find_dev 0x8086 0x10d3)
edu=$(lab_find_dev 0x1234 0x11e8)
sys=/sys/bus/pci/devices/$nic
grp=$(basename "$(readlink $sys/iommu_group)")
has_mod() { grep -q "^$1 " /proc/modules && echo yes || echo no; }
wait_settle() { udevadm settle -t 30; }
replug() {	# the kernel adds the NIC again, as at boot
	echo 1 >$sys/remove
	echo 1 >/sys/bus/pci/rescan
	wait_settle
}
echo 'alice:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd
echo 'alice:x:1000:' >>/etc/group
passthru-lab-files /
expect_eq "installed udev rule tests a file, then asks the installed passthru" \
	'TEST!="/etc/passthru.d/pci-%k", TEST!="/etc/passthru.d/ids-$attr{vendor}:$attr{device}", GOTO="passthru_end"
PROGRAM=="/opt/passthru/bin/passthru assign --udev-match %k", ATTR{driver_override}="vfio-pci"' \
	"$(grep -e '^TEST' -e '^PROGRAM' /etc/udev/rules.d/70-passthru-vfio.rules)"

echo 'kvm:x:36:' >>/etc/group
out=$(passthru assign --json --persist --user alice --group kvm "$nic"); rc=$?
expect_eq "--persist --user --group: exit 0" 0 "$rc"
expect_eq "--persist: bound" vfio-pci "$(lab_driver $nic)"
expect_eq "--user/--group: /dev/vfio/$grp owned by alice:kvm" 1000:36 "$(stat -c %u:%g /dev/vfio/$grp)"
expect_eq "--persist: config line" "$nic user=alice group=kvm" "$(grep -v '^#' /etc/passthru.conf)"
passthru-lab-files /tmp/ref
expect_eq "--persist: the documented example's comments kept" "$(grep '^#' /tmp/ref/etc/passthru.conf | md5sum)" \
	"$(grep '^#' /etc/passthru.conf | md5sum)"
expect_eq "--persist: softdep" "softdep e1000e pre: vfio-pci" "$(grep -v '^#' /etc/modprobe.d/passthru.conf)"
expect_eq "--persist: the softdep says whom it is for" "# passthru: e1000e for $nic" \
	"$(grep '^# passthru:' /etc/modprobe.d/passthru.conf)"
expect_eq "--persist: the udev rule's test file" "pci-$nic" "$(ls /etc/passthru.d)"
expect_ok "--udev-match: the NIC is listed" passthru assign --udev-match "$nic"
expect_fail "--udev-match: edu is not" passthru assign --udev-match "$edu"

# ---- "reboot": keep only what is on disk
passthru release "$nic" >/dev/null
expect_eq "release without --persist keeps the config" "$nic user=alice group=kvm" "$(grep -v '^#' /etc/passthru.conf)"
rmmod e1000e && rmmod vfio_pci
rm -rf /run/passthru
expect_eq "boot: no e1000e, no vfio-pci loaded" "no no" "$(has_mod e1000e) $(has_mod vfio_pci)"
systemd-udevd --daemon 2>/dev/null
wait_settle
replug
expect_eq "boot: udev rule set driver_override" vfio-pci "$(cat $sys/driver_override)"
expect_eq "boot: 80-drivers loaded e1000e from the modalias" yes "$(has_mod e1000e)"
expect_eq "boot: the softdep loaded vfio-pci first, which bound the NIC" vfio-pci "$(lab_driver $nic)"
expect_eq "boot: e1000e never got it (no interface)" no "$([ -d $sys/net ] && echo yes || echo no)"

cmd=$(sed -n 's/^ExecStart=//p' /etc/systemd/system/passthru.service)
expect_eq "unit ExecStart" "/opt/passthru/bin/passthru assign --from-config" "$cmd"
out=$($cmd --json); rc=$?
expect_eq "boot: ExecStart exits 0" 0 "$rc"
expect_eq "boot: ExecStart found it held" "keep unchanged" \
	"$(echo "$out" | jq -r '.groups[0].members[0] | "\(.action) \(.result)"')"
expect_eq "boot: user=alice group=kvm applied to /dev/vfio/$grp" 1000:36 "$(stat -c %u:%g /dev/vfio/$grp)"
out=$($cmd --json); rc=$?
expect_eq "boot: ExecStart again is a no-op" "0 unchanged" "$rc $(echo "$out" | jq -r '.groups[0].members[0].result')"

# ---- release --persist: the hold goes, and the next "boot" leaves it alone
out=$(passthru release --persist --json "$nic"); rc=$?
expect_eq "release --persist: exit 0" 0 "$rc"
expect_eq "release --persist: kernel default driver" "e1000e (null)" "$(lab_driver $nic) $(cat $sys/driver_override)"
expect_eq "release --persist: interface back" yes "$([ -d $sys/net ] && echo yes)"
expect_eq "release --persist: config line gone" "" "$(grep -v '^#' /etc/passthru.conf)"
expect_eq "release --persist: softdep gone with its last device" "" \
	"$(grep -v '^#' /etc/modprobe.d/passthru.conf; grep '^# passthru:' /etc/modprobe.d/passthru.conf)"
expect_eq "release --persist: the udev rule's test file gone" "" "$(ls /etc/passthru.d)"
expect_fail "release --persist: --udev-match no longer matches" passthru assign --udev-match "$nic"
replug
expect_eq "next boot: e1000e binds, no override" "e1000e (null)" "$(lab_driver $nic) $(cat $sys/driver_override)"
udevadm control --exit 2>/dev/null
lab_done
