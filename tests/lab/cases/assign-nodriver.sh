#!/bin/sh
# lab: topology=basic kernels=stock append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Devices whose native driver is not loaded, and vfio-pci not loaded
# (issue 5).  Stock kernel only: the iommufd kernel has everything built in.
#  - e1000e unloaded: assign binds the unbound NIC, the journal records "no
#    driver", release leaves it without one (exactly what was there);
#  - no journal (bound by someone else): release loads the module its
#    modalias names and the kernel's default driver (e1000e) takes it;
#  - vfio-pci unloaded: assign loads it.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq rmmod modprobe
nic=$(lab_find_dev 0x8086 0x10d3)
grp=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
rmmod e1000e
expect_eq "e1000e unloaded: NIC has no driver" none "$(lab_driver $nic)"
out=$(passthru assign --json $nic); rc=$?
expect_eq "assign: exit 0" 0 "$rc"
expect_eq "assign: bound" vfio-pci "$(lab_driver $nic)"
expect_eq "assign: journal records no driver" "member $nic driver= override= action=rebind" \
	"$(grep ^member /run/passthru/group-$grp.journal)"
out=$(passthru release --json $nic); rc=$?
expect_eq "release: exit 0" 0 "$rc"
expect_eq "release: back to no driver" none "$(lab_driver $nic)"
expect_eq "release: e1000e still not loaded" no "$(grep -q '^e1000e ' /proc/modules && echo yes || echo no)"

passthru assign $nic >/dev/null
rm /run/passthru/group-$grp.journal
out=$(passthru release --json $nic); rc=$?
expect_eq "release without journal: exit 0" 0 "$rc"
expect_eq "release without journal: target is the kernel default" "false null done" \
	"$(echo "$out" | jq -r '.groups[0] | "\(.journaled) \(.members[0].new_driver) \(.members[0].result)"')"
expect_eq "release without journal: e1000e loaded from the modalias" yes \
	"$(grep -q '^e1000e ' /proc/modules && echo yes || echo no)"
expect_eq "release without journal: e1000e took it" e1000e "$(lab_driver $nic)"

# the recorded driver was unloaded while the NIC was on vfio-pci: release
# loads it again before binding
passthru assign $nic >/dev/null
rmmod e1000e
expect_eq "e1000e unloaded while assigned" no "$(grep -q '^e1000e ' /proc/modules && echo yes || echo no)"
out=$(passthru -v release --json $nic 2>/tmp/log); rc=$?
expect_eq "release with the recorded driver unloaded: exit 0" 0 "$rc"
expect_match "release: it ran modprobe e1000e" "restore: $nic: modprobe e1000e" "$(cat /tmp/log)"
expect_eq "release: e1000e back" e1000e "$(lab_driver $nic)"

edu=$(lab_find_dev 0x1234 0x11e8)
rmmod vfio_pci
expect_eq "vfio-pci unloaded" no "$([ -d /sys/bus/pci/drivers/vfio-pci ] && echo yes || echo no)"
out=$(passthru assign --json $edu); rc=$?
expect_eq "assign loads vfio-pci: exit 0" 0 "$rc"
expect_eq "vfio-pci loaded" yes "$([ -d /sys/bus/pci/drivers/vfio-pci ] && echo yes)"
expect_eq "edu bound" vfio-pci "$(lab_driver $edu)"
expect_ok "release edu" passthru release $edu
expect_eq "edu back to no driver" none "$(lab_driver $edu)"
lab_done
