#!/bin/sh
# lab: topology=basic kernels=stock append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# passthru vs driverctl (issue 5): the same device assigned by
# `passthru assign` and by `driverctl set-override DEV vfio-pci` (Debian's
# driverctl 0.111, its real script run by bash) must leave the same sysfs
# state; so must `passthru release` and `driverctl unset-override`.
# Stock kernel only: driverctl runs `modprobe vfio-pci`, which fails on the
# iommufd kernel where vfio-pci is built in.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru bash
[ -x /usr/sbin/driverctl ] || passthru-lab-files / >/dev/null 2>&1
[ -x /usr/sbin/driverctl ] || { fail "driverctl is not in the lab (its Debian package could not be downloaded at build time)"; lab_done; }
ln -sf "$(command -v bash)" /bin/bash
snap() {	# every sysfs/dev fact assignment changes, one line
	d=/sys/bus/pci/devices/$1
	g=$(basename "$(readlink $d/iommu_group)")
	echo "driver=$(lab_driver $1) override=$(cat $d/driver_override)" \
	     "enable=$(cat $d/enable) power=$(cat $d/power/control)" \
	     "vfio-group-node=$([ -c /dev/vfio/$g ] && stat -c '%a:%u:%g' /dev/vfio/$g || echo none)" \
	     "vfio-dev=$(ls $d/vfio-dev 2>/dev/null | tr '\n' ' ')" \
	     "net=$(ls $d/net 2>/dev/null | tr '\n' ' ')"
}
for ids in "0x8086 0x10d3" "0x1234 0x11e8"; do
	dev=$(lab_find_dev $ids)
	before=$(snap $dev)
	expect_ok "$dev: passthru assign" passthru assign "$dev"
	p_on=$(snap $dev)
	expect_ok "$dev: passthru release" passthru release "$dev"
	p_off=$(snap $dev)
	expect_eq "$dev: passthru release restores the state before" "$before" "$p_off"
	expect_ok "$dev: driverctl set-override vfio-pci" driverctl --nosave set-override "$dev" vfio-pci
	d_on=$(snap $dev)
	expect_eq "$dev: same sysfs state after assign as after driverctl set-override" "$d_on" "$p_on"
	msg=$(driverctl --nosave unset-override "$dev" 2>&1); rc=$?
	if [ "$(lab_driver $dev)" = none ]; then
		# driverctl's own quirk: with no native driver to take the device
		# back it reports a failure although the override is gone
		expect_eq "$dev: driverctl unset-override (no native driver): its exit 1" \
			"1 driverctl: failed to bind device $dev to driver " "$rc $msg"
	else
		expect_eq "$dev: driverctl unset-override: exit 0" 0 "$rc"
	fi
	d_off=$(snap $dev)
	expect_eq "$dev: same sysfs state after release as after driverctl unset-override" "$d_off" "$p_off"
	# and passthru releases what driverctl assigned (no journal: kernel default)
	driverctl --nosave set-override "$dev" vfio-pci >/dev/null 2>&1
	expect_ok "$dev: passthru release of a driverctl override" passthru release "$dev"
	expect_eq "$dev: ... gives the state before" "$before" "$(snap $dev)"
done
lab_done
