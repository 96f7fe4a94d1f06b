#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# passthru assign/release on the e1000e NIC (issue 5): refused while its
# interface has an address, --force moves it and /dev/vfio/N appears,
# assign twice and release twice are no-ops, release gives e1000e back and
# the interface works again (ping through QEMU's slirp gateway); with the
# interface down and no address no --force is needed.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq

nic=$(lab_find_dev 0x8086 0x10d3)
expect_eq "exactly one e1000e" 1 "$(echo $nic | wc -w)"
sys=/sys/bus/pci/devices/$nic
grp=$(basename "$(readlink $sys/iommu_group)")
ifc=$(ls $sys/net)
journal=/run/passthru/group-$grp.journal
present() { [ -e "$1" ] && echo yes || echo no; }

ip addr add 10.0.2.15/24 dev "$ifc"
ip link set "$ifc" up

out=$(passthru assign --json "$nic" 2>/tmp/err); rc=$?
expect_eq "with an address: exit 1" 1 "$rc"
expect_eq "with an address: status" refused "$(echo "$out" | jq -r .status)"
expect_eq "with an address: blocker named" true \
	"$(echo "$out" | jq --arg b "$nic: $ifc has address 10.0.2.15/24" '.groups[0].blocked_by | index($b) != null')"
expect_eq "with an address: member result" refused "$(echo "$out" | jq -r '.groups[0].members[0].result')"
expect_match "with an address: stderr gives the fix" "group $grp is blocked .*nothing was changed; fix: .*--force" "$(cat /tmp/err)"
expect_eq "refused: still on e1000e" e1000e "$(lab_driver $nic)"
expect_eq "refused: driver_override untouched" "(null)" "$(cat $sys/driver_override)"
expect_eq "refused: no journal" no "$(present $journal)"

out=$(passthru assign --json --force "$nic"); rc=$?
expect_eq "--force: exit 0" 0 "$rc"
expect_eq "--force: status" ok "$(echo "$out" | jq -r .status)"
expect_eq "--force: member done" done "$(echo "$out" | jq -r '.groups[0].members[0].result')"
expect_eq "--force: bound to vfio-pci" vfio-pci "$(lab_driver $nic)"
expect_eq "--force: driver_override" vfio-pci "$(cat $sys/driver_override)"
expect_eq "--force: /dev/vfio/$grp is a char device" yes "$([ -c /dev/vfio/$grp ] && echo yes)"
expect_eq "--force: interface gone" no "$(present /sys/class/net/$ifc)"
expect_eq "--force: journal" \
	"passthru-journal 1|group $grp|state applied|member $nic driver=e1000e override= action=rebind|" \
	"$(tr '\n' '|' <$journal)"
if [ -d $sys/vfio-dev ] && [ -e $sys/vfio-dev/vfio*/dev ]; then
	cdev=$(ls $sys/vfio-dev)
	expect_eq "--force: cdev /dev/vfio/devices/$cdev" yes "$([ -c /dev/vfio/devices/$cdev ] && echo yes)"
fi

out=$(passthru assign --json "$nic"); rc=$?
expect_eq "assign twice: exit 0" 0 "$rc"
expect_eq "assign twice: unchanged" "keep unchanged" \
	"$(echo "$out" | jq -r '.groups[0].members[0] | "\(.action) \(.result)"')"
expect_eq "assign twice: journal still records e1000e" "member $nic driver=e1000e override= action=rebind" \
	"$(grep ^member $journal)"

# a process holding the group open (a VM would) blocks release
exec 7<>/dev/vfio/$grp
out=$(passthru release --json "$nic" 2>/tmp/err); rc=$?
expect_eq "group open by a process: release exits 1" 1 "$rc"
expect_eq "group open: refused, naming the PID" "refused /dev/vfio/$grp is open by PID $$ (sh)" \
	"$(echo "$out" | jq -r '"\(.status) \(.groups[0].blocked_by[0])"')"
expect_match "group open: stderr gives the fix" "group $grp is in use .*nothing was changed; fix: stop that process" "$(cat /tmp/err)"
expect_eq "group open: still on vfio-pci" vfio-pci "$(lab_driver $nic)"
exec 7<&-

out=$(passthru release --json "$nic"); rc=$?
expect_eq "release: exit 0" 0 "$rc"
expect_eq "release: plan from the journal" "true e1000e done" \
	"$(echo "$out" | jq -r '.groups[0] | "\(.journaled) \(.members[0].new_driver) \(.members[0].result)"')"
expect_eq "release: e1000e is back" e1000e "$(lab_driver $nic)"
expect_eq "release: driver_override cleared" "(null)" "$(cat $sys/driver_override)"
expect_eq "release: journal removed" no "$(present $journal)"
expect_eq "release: /dev/vfio/$grp removed" no "$(present /dev/vfio/$grp)"
expect_eq "release: interface is back" "$ifc" "$(ls $sys/net)"
ip link set "$ifc" up && ip addr add 10.0.2.15/24 dev "$ifc" 2>/dev/null
# the PHY needs a moment after "up": wait (bounded) for carrier, then ping
i=0
while [ "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do
	i=$((i + 1)); sleep 0.1
done
expect_ok "release: the interface works again (ping 10.0.2.2)" ping -c 1 -W 5 10.0.2.2

out=$(passthru release --json "$nic"); rc=$?
expect_eq "release twice: exit 0" 0 "$rc"
expect_eq "release twice: unchanged" "keep unchanged" \
	"$(echo "$out" | jq -r '.groups[0].members[0] | "\(.action) \(.result)"')"
expect_eq "release twice: still e1000e" e1000e "$(lab_driver $nic)"

ip addr flush dev "$ifc"
ip link set "$ifc" down
out=$(passthru assign --json "$nic"); rc=$?
expect_eq "interface down, no address: assign without --force exits 0" 0 "$rc"
expect_eq "interface down: no blocker" 0 "$(echo "$out" | jq '.groups[0].blocked_by | length')"
expect_eq "interface down: bound to vfio-pci" vfio-pci "$(lab_driver $nic)"
expect_ok "interface down: release" passthru release "$nic"
expect_eq "interface down: e1000e back" e1000e "$(lab_driver $nic)"
lab_done
