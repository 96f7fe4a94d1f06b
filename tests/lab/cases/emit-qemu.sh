#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=emit-qemu" timeout=900 needs=qemu
# Own boot (the append): the NIC goes to vfio-pci and into a nested guest.
# The hand-off to QEMU, proven by QEMU (issue 16): `passthru assign --emit
# qemu` moves the e1000e (8086:10d3) to vfio-pci and prints exactly the
# -device argument for its group; QEMU 10 (the host's, carried into the lab)
# is started with those arguments on the lab's nested /dev/kvm, boots a
# Linux guest (the stock lab kernel + tests/emit/guest-init.sh) and the
# guest lists the assigned NIC on its PCI bus with the host's vendor,
# device, class and subsystem ids.  On the iommufd kernel the same again
# with `emit qemu --iommu iommufd` (-object iommufd) and with `--cdev-fd`
# (the cdev pre-opened by the shell, fd=3).
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru qemu-system-x86_64
files=/opt/passthru/files/emit
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
[ -f $files/vmlinuz ] && [ -f $files/guest.cpio ] ||
	{ fail "the guest kernel/initramfs are not in the lab (make lab-bins)"; lab_done; }

nic=$(lab_find_dev 0x8086 0x10d3)
expect_eq "exactly one e1000e" 1 "$(echo $nic | wc -w)"
sys=/sys/bus/pci/devices/$nic
want="$(cat $sys/vendor) $(cat $sys/device) $(cat $sys/class) $(cat $sys/subsystem_vendor) $(cat $sys/subsystem_device)"
id=hostdev-$(echo "$nic" | sed 's/:/-/g')

args=$(passthru assign --force --emit qemu "$nic" 2>/tmp/assign.err); rc=$?
expect_eq "assign --force --emit qemu: exit 0" 0 "$rc"
expect_eq "assign --emit: now on vfio-pci" vfio-pci "$(lab_driver $nic)"
expect_match "assign --emit: the plan table went to stderr" "-> vfio-pci +done" "$(cat /tmp/assign.err)"

# boot_guest NAME CDEV ARGS...: QEMU with the emitted arguments on the
# nested KVM; the guest prints GUEST-PCI lines and powers off.  CDEV (or
# ""): opened as fd 3 right before QEMU, as the emit note says — inside
# timeout's child, so that timeout's own watchdog does not hold it open.
boot_guest() {
	_name=$1; _cdev=$2; shift 2
	timeout 600 sh -c '[ -z "$0" ] || exec 3<>"$0"; exec "$@"' "$_cdev" \
		qemu-system-x86_64 -accel kvm -M q35 -m 192M -nodefaults \
		-display none -serial stdio -no-reboot -kernel $files/vmlinuz \
		-initrd $files/guest.cpio -append "console=ttyS0 panic=-1 quiet" \
		"$@" >/tmp/guest-$_name.log 2>&1
	_rc=$?
	expect_eq "$_name: QEMU ran the guest to its power-off (exit 0)" 0 "$_rc"
	[ $_rc = 0 ] || sed 's/^/    | /' /tmp/guest-$_name.log | tail -20
	expect_match "$_name: the guest booted and listed its PCI bus" "^GUEST-DONE" \
		"$(tr -d '\r' </tmp/guest-$_name.log)"
	expect_match "$_name: the guest sees the NIC with the host's ids ($want)" \
		"^GUEST-PCI [0-9a-f:.]+ $want\$" "$(tr -d '\r' </tmp/guest-$_name.log | grep '^GUEST-PCI')"
	tr -d '\r' </tmp/guest-$_name.log | grep '^GUEST-PCI' | sed 's/^/    /'
}

if [ ! -e /dev/iommu ]; then
	expect_eq "type1: the emitted arguments" "-device vfio-pci,host=$nic,id=$id" "$args"
	# shellcheck disable=SC2086  # the emitted words, split as a user's $(...) would
	boot_guest type1 "" $args
else
	expect_eq "iommufd kernel, auto: the emitted arguments" \
		"-object iommufd,id=iommufd0|-device vfio-pci,host=$nic,iommufd=iommufd0,id=$id" \
		"$(echo "$args" | tr '\n' '|' | sed 's/|$//')"
	boot_guest iommufd "" $args
	args=$(passthru emit qemu --iommu type1 "$nic" 2>/dev/null)
	# (type1 guests boot on the stock kernel: one boot less here)
	expect_eq "--iommu type1: the emitted arguments" "-device vfio-pci,host=$nic,id=$id" "$args"
	args=$(passthru emit qemu --cdev-fd "$nic" 2>/tmp/cdev.err)
	cdev=$(ls $sys/vfio-dev)
	expect_eq "--cdev-fd: the emitted arguments" \
		"-object iommufd,id=iommufd0|-device vfio-pci,fd=3,iommufd=iommufd0,id=$id" \
		"$(echo "$args" | tr '\n' '|' | sed 's/|$//')"
	expect_match "--cdev-fd: stderr says how to open the cdev" \
		"exec 3<>/dev/vfio/devices/$cdev" "$(cat /tmp/cdev.err)"
	boot_guest cdev-fd /dev/vfio/devices/$cdev $args
fi

# every other format, for the host half (emit-qemu.host: the consumers'
# checks of tests/emit/consumers.py against this lab machine's facts)
grp=$(basename "$(readlink $sys/iommu_group)")
echo "LAB-EMIT-FACT nic=$nic group=$grp ids=$(cat $sys/vendor):$(cat $sys/device) cdev=$(ls $sys/vfio-dev 2>/dev/null) cdevnode=$([ -c /dev/vfio/devices/$(ls $sys/vfio-dev 2>/dev/null) ] && echo yes || echo no) iommufd=$([ -e /dev/iommu ] && echo yes || echo no)"
for f in libvirt cloud-hypervisor kubevirt sriov-dp nfd json; do
	out=$(passthru emit $f "$nic" 2>/dev/null); rc=$?
	expect_eq "emit $f on the assigned NIC: exit 0" 0 "$rc"
	echo "LAB-EMIT-BEGIN $f"; echo "$out"; echo "LAB-EMIT-END"
done

expect_ok "release the NIC" passthru release "$nic"
expect_eq "e1000e is back" e1000e "$(lab_driver $nic)"
lab_done
