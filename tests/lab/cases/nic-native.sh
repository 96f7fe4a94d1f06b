#!/bin/sh
# lab: topology=basic,bridged kernels=stock,iommufd timeout=60
# The e1000e works on its native driver before anything is assigned: up,
# address, carrier, 3 pings of a distinctive size (123 data bytes) to the
# isolated slirp gateway.  nic-native.host then finds exactly those 3
# requests and 3 replies in the NIC's pcap (filter-dump) on the host.
. "$LAB_LIB"
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
ifc=$(ls /sys/bus/pci/devices/$nic/net 2>/dev/null | head -1)
[ -n "$ifc" ] && pass "e1000e $nic has interface $ifc" || { fail "e1000e $nic network interface (expected one, saw none)"; lab_done; }
ip link set "$ifc" up
ip addr add 10.0.2.15/24 dev "$ifc"
i=0
while [ "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)" != 1 ] && [ $i -lt 50 ]; do
	sleep 0.2; i=$((i + 1))
done
expect_eq "$ifc carrier up" 1 "$(cat /sys/class/net/$ifc/carrier 2>/dev/null)"
out=$(ping -c 3 -s 123 -W 3 10.0.2.2 2>&1)
expect_match "$ifc: 3 pings of 123 bytes to 10.0.2.2 answered" '3 packets transmitted, 3 packets received' "$out"
echo "LAB-NIC-MAC $(cat /sys/class/net/$ifc/address)"
ip addr flush dev "$ifc"
ip link set "$ifc" down
lab_done
