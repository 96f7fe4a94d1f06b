#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# libpassthru as another project uses it (tests/api/api-guard.c: the
# installed <passthru.h> and libpassthru.so, nothing else), on a real
# kernel: the e1000e carries an address, so its group is blocked.  Without
# force the program cannot move it — not by applying again, planning
# again, or writing force into the plan it was shown; with force it can,
# and gives it back.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd api-guard
nic=$(lab_find_dev 0x8086 0x10d3)
sys=/sys/bus/pci/devices/$nic
grp=$(basename "$(readlink $sys/iommu_group)")
ifc=$(ls $sys/net)
lab_ipv4_only "$ifc"
ip addr add 10.0.2.15/24 dev "$ifc"
ip link set "$ifc" up

out=$(api-guard $nic 2>&1); rc=$?
echo "$out" | sed 's/^/    | /'
expect_eq "without force: refused (exit 1, every retry refused too)" 1 "$rc"
expect_eq "without force: the library's refusal" \
	"error group $grp is blocked ($nic: $ifc has address 10.0.2.15/24); nothing was changed; fix: stop using it (unmount, swapoff, \`ip link set IFACE down\`, move the console) or pass --force" \
	"$(echo "$out" | grep '^error ')"
expect_eq "without force: the retries" "retry: apply again: -16|retry: plan again: -16|retry: apply with force written into the plan: -16|retry: add a forced device after the plan: -22|" \
	"$(echo "$out" | grep '^retry: ' | tr '\n' '|')"
expect_eq "without force: still on e1000e, no override, no journal" "e1000e (null) no" \
	"$(lab_driver $nic) $(cat $sys/driver_override) $([ -e /run/passthru/group-$grp.journal ] && echo yes || echo no)"
expect_eq "without force: the interface still has its address" 1 \
	"$(ip addr show dev "$ifc" | grep -c 'inet 10.0.2.15/24')"

out=$(api-guard --force $nic 2>&1); rc=$?
expect_eq "with force: exit 0" 0 "$rc"
expect_eq "with force: the member moved" "member $nic e1000e to-vfio done" "$(echo "$out" | grep '^member ')"
expect_eq "with force: on vfio-pci" vfio-pci "$(lab_driver $nic)"
out=$(api-guard --release $nic 2>&1); rc=$?
expect_eq "release: exit 0" "0 member $nic vfio-pci to-driver done" "$rc $(echo "$out" | grep '^member ')"
expect_eq "release: e1000e back" e1000e "$(lab_driver $nic)"
ip addr flush dev "$ifc"
ip link set "$ifc" down
lab_done
