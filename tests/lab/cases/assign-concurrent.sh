#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Two concurrent assigns on one group cannot interleave (issue 5).  The
# first is held inside its critical section (after taking the group lock,
# before any change) by the documented PASSTHRU_TEST_HOLD_FIFO hook; the
# second must wait for the lock, then find the work done.  The journal
# must still record e1000e (a second writer would have recorded vfio-pci).
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq
nic=$(lab_find_dev 0x8086 0x10d3)
grp=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
# wait_for FILE REGEX: poll (bounded, 20 s) until FILE matches
wait_for() {
	i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1
		sleep 0.1
	done
}
mkfifo /tmp/hold
# (each phase writes fresh files: a stale one could satisfy wait_for
# before the new process has even truncated it)
PASSTHRU_TEST_HOLD_FIFO=/tmp/hold passthru assign --json $nic >/tmp/a1.json 2>/tmp/a1.err &
pa=$!
expect_ok "first run holds the lock" wait_for /tmp/a1.err "holding the group locks"
passthru assign --json $nic >/tmp/b1.json 2>/tmp/b1.err &
pb=$!
expect_ok "second run waits for group $grp" wait_for /tmp/b1.err "waiting for group $grp: another passthru run holds its lock"
expect_eq "while both wait nothing changed" e1000e "$(lab_driver $nic)"
expect_eq "second run is still blocked" yes "$(kill -0 $pb 2>/dev/null && echo yes)"
echo go >/tmp/hold
wait $pa; ra=$?
wait $pb; rb=$?
expect_eq "first run: exit 0, did the work" "0 done" "$ra $(jq -r '.groups[0].members[0].result' /tmp/a1.json)"
expect_eq "second run: exit 0, found it done" "0 unchanged" "$rb $(jq -r '.groups[0].members[0].result' /tmp/b1.json)"
expect_eq "bound to vfio-pci" vfio-pci "$(lab_driver $nic)"
expect_eq "journal records the original driver" "member $nic driver=e1000e override= action=rebind" \
	"$(grep ^member /run/passthru/group-$grp.journal)"

# the same race for release
PASSTHRU_TEST_HOLD_FIFO=/tmp/hold passthru release --json $nic >/tmp/a2.json 2>/tmp/a2.err &
pa=$!
expect_ok "release: first run holds the lock" wait_for /tmp/a2.err "holding the group locks"
passthru release --json $nic >/tmp/b2.json 2>/tmp/b2.err &
pb=$!
expect_ok "release: second run waits" wait_for /tmp/b2.err "waiting for group $grp"
echo go >/tmp/hold
wait $pa; ra=$?
wait $pb; rb=$?
expect_eq "release: first gives e1000e back" "0 e1000e done" \
	"$ra $(jq -r '.groups[0].members[0] | "\(.new_driver) \(.result)"' /tmp/a2.json)"
expect_eq "release: second finds nothing to do" "0 unchanged" "$rb $(jq -r '.groups[0].members[0].result' /tmp/b2.json)"
expect_eq "release: e1000e" e1000e "$(lab_driver $nic)"
lab_done
