#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Whole groups move (issue 5): the multifunction e1000e+edu device behind
# root port 00:06.0 (no ACS between its functions: one group), and the two
# edu devices behind a PCIe-to-PCI bridge (one group with the bridge).
# Naming one member moves every endpoint; bridges and root ports stay; the
# kernel's own viability (opening the group) is checked by vfio-group-open.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq
present() { [ -e "$1" ] && echo yes || echo no; }
grp_of() { basename "$(readlink /sys/bus/pci/devices/$1/iommu_group)"; }

g7=$(grp_of 0000:02:00.0)
expect_eq "e1000e and edu function share a group" "$g7" "$(grp_of 0000:02:00.1)"
out=$(passthru assign --json 0000:02:00.1); rc=$?
expect_eq "multifunction: exit 0" 0 "$rc"
expect_eq "multifunction: plan covers both functions" "0000:02:00.0 rebind done|0000:02:00.1 rebind done|" \
	"$(echo "$out" | jq -r '.groups[0].members[] | "\(.bdf) \(.action) \(.result)"' | tr '\n' '|')"
expect_eq "multifunction: 02:00.0 on vfio-pci" vfio-pci "$(lab_driver 0000:02:00.0)"
expect_eq "multifunction: 02:00.1 on vfio-pci" vfio-pci "$(lab_driver 0000:02:00.1)"
expect_eq "multifunction: root port stays on pcieport" pcieport "$(lab_driver 0000:00:06.0)"
expect_eq "multifunction: /dev/vfio/$g7" yes "$([ -c /dev/vfio/$g7 ] && echo yes)"
out=$(passthru list --groups --json)
expect_eq "multifunction: discovery calls the group viable" true \
	"$(echo "$out" | jq --argjson g "$g7" '.groups[] | select(.id == $g) | .viable')"

g8=$(grp_of 0000:04:01.0)
expect_eq "bridge group: 03:00.0 + 04:01.0 + 04:02.0" "0000:03:00.0 0000:04:01.0 0000:04:02.0" \
	"$(ls /sys/kernel/iommu_groups/$g8/devices | tr '\n' ' ' | sed 's/ $//')"
out=$(passthru assign --json 04:01.0); rc=$?
expect_eq "bridge group: exit 0" 0 "$rc"
expect_eq "bridge group: plan" "0000:03:00.0 bridge unchanged|0000:04:01.0 rebind done|0000:04:02.0 rebind done|" \
	"$(echo "$out" | jq -r '.groups[0].members[] | "\(.bdf) \(.action) \(.result)"' | tr '\n' '|')"
expect_eq "bridge group: 04:02.0 (not named) moved too" vfio-pci "$(lab_driver 0000:04:02.0)"
expect_eq "bridge group: the PCI bridge keeps no driver" none "$(lab_driver 0000:03:00.0)"
expect_eq "bridge group: journal lists 3 members" 3 "$(grep -c ^member /run/passthru/group-$g8.journal)"

if command -v vfio-group-open >/dev/null 2>&1; then
	expect_ok "kernel: group $g7 opens (viable)" vfio-group-open "$g7"
fi

# One member given back by hand, then assign again: the journal must keep
# what the OTHER member had before the first assign (edu: no driver), not
# record "vfio-pci" for it.
echo >/sys/bus/pci/devices/0000:02:00.0/driver_override
echo 0000:02:00.0 >/sys/bus/pci/devices/0000:02:00.0/driver/unbind
echo 0000:02:00.0 >/sys/bus/pci/drivers/e1000e/bind
out=$(passthru assign --json 02:00.0); rc=$?
expect_eq "re-assign after a manual give-back: plan" "0 0000:02:00.0 done|0000:02:00.1 unchanged|" \
	"$rc $(echo "$out" | jq -r '.groups[0].members[] | "\(.bdf) \(.result)"' | tr '\n' '|')"
expect_eq "re-assign: the journal still has both original drivers" \
	"member 0000:02:00.0 driver=e1000e override= action=rebind|member 0000:02:00.1 driver= override= action=keep|" \
	"$(grep ^member /run/passthru/group-$g7.journal | tr '\n' '|')"

out=$(passthru release --json 02:00.0 04:02.0); rc=$?
expect_eq "release both groups: exit 0" 0 "$rc"
expect_eq "release: groups in order" "$g7 $g8" "$(echo "$out" | jq -r '[.groups[].id] | join(" ")')"
expect_eq "release: 02:00.0 back on e1000e" e1000e "$(lab_driver 0000:02:00.0)"
expect_eq "release: 02:00.1 back to no driver" none "$(lab_driver 0000:02:00.1)"
expect_eq "release: 04:01.0 back to no driver" none "$(lab_driver 0000:04:01.0)"
expect_eq "release: 04:02.0 back to no driver" none "$(lab_driver 0000:04:02.0)"
expect_eq "release: interface of 02:00.0 back" yes "$([ -d /sys/bus/pci/devices/0000:02:00.0/net ] && echo yes)"
expect_eq "release: overrides cleared" "(null) (null)" \
	"$(cat /sys/bus/pci/devices/0000:02:00.1/driver_override /sys/bus/pci/devices/0000:04:02.0/driver_override | tr '\n' ' ' | sed 's/ $//')"
expect_eq "release: no journals left" "" "$(ls /run/passthru/ | grep journal)"
lab_done
