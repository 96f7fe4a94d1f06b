#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=blockers-net" timeout=120
# Own boot: it stacks a bridge on the e1000e, which other cases must not see.
# The blocker model on a real kernel's network stack (issue 11): the e1000e
# enslaved to br0, which has the address -> refused naming br0; a route in
# table 100 over br0 -> refused; a policy rule naming br0 -> refused; the
# bridge gone -> assigned and released.  The facts come from rtnetlink.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq brctl

nic=$(lab_find_dev 0x8086 0x10d3)
expect_eq "exactly one e1000e" 1 "$(echo $nic | wc -w)"
ifc=$(ls /sys/bus/pci/devices/$nic/net)
blocked() { passthru assign --json "$nic" 2>/dev/null | jq -r '.groups[0].blocked_by | join("|")'; }

expect_ok "bridge br0" brctl addbr br0
# without this br0 would get a SLAAC address and an IPv6 default route
# (which block too, rightly)
lab_ipv4_only br0 "$ifc"
expect_ok "$ifc into br0" brctl addif br0 "$ifc"
ip link set "$ifc" up
ip link set br0 up
ip addr add 10.0.2.15/24 dev br0

passthru assign "$nic" >/dev/null 2>&1; rc=$?
expect_eq "br0 has the address: exit 1" 1 "$rc"
expect_eq "br0 has the address: named through the bridge" "$nic: $ifc → br0 has address 10.0.2.15/24" "$(blocked)"
expect_eq "br0 has the address: id net.address, subject the NIC's interface" "net.address $ifc" \
	"$(passthru show --json "$nic" | jq -r '.assign.blockers[0] | "\(.id) \(.subject)"')"
expect_eq "refused: still on e1000e" e1000e "$(lab_driver $nic)"

ip addr flush dev br0
ip route add 10.9.0.0/16 dev br0 table 100
expect_eq "a route in table 100: refused naming it" \
	"$nic: $ifc → br0 carries the route to 10.9.0.0/16 (table 100)" "$(blocked)"
ip route flush table 100

ip rule add iif br0 table 200 pref 1000
expect_eq "a policy rule: refused naming it" \
	"$nic: $ifc → br0 is named in policy rule 1000 (IPv4, lookup 200)" "$(blocked)"
ip rule del pref 1000

expect_eq "bridge without address, route or rule: nothing blocks" "" "$(blocked)"
expect_eq "assigned" vfio-pci "$(lab_driver $nic)"
expect_ok "release" passthru release "$nic"
expect_eq "e1000e is back" e1000e "$(lab_driver $nic)"
ip link set br0 down
brctl delbr br0
lab_done
