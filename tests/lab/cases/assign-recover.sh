#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Crash recovery from the journal (issue 5, audit item 3):
# PASSTHRU_TEST_CRASH_STEP=K (a test-build hook) SIGKILLs passthru at step
# K, leaving a half-moved group and a journal in state "applying" — what a
# crash or `kill -9` leaves.  `release --recover` undoes it; so does the
# next assign or release of THAT group.  A run on another group leaves it
# alone and says so (it could belong to a VM), and nothing recovers a group
# whose /dev/vfio node a process holds (the unbind would block).
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq
nic=0000:02:00.0 edu=0000:02:00.1
grp=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
journal=/run/passthru/group-$grp.journal
state() {
	echo "$(lab_driver $nic) $(cat /sys/bus/pci/devices/$nic/driver_override)" \
	     "$(lab_driver $edu) $(cat /sys/bus/pci/devices/$edu/driver_override)"
}
orig="e1000e (null) none (null)"

# crash at step 6 (edu's drivers_probe): e1000e moved, edu's override set
PASSTHRU_TEST_CRASH_STEP=6 passthru assign $nic >/dev/null 2>&1; rc=$?
expect_eq "crash: killed by SIGKILL" 137 "$rc"
expect_eq "crash: group left half-moved" "vfio-pci vfio-pci none vfio-pci" "$(state)"
expect_eq "crash: journal says applying" "state applying" "$(sed -n 3p $journal)"
expect_eq "crash: journal records e1000e" "member $nic driver=e1000e override= action=rebind" \
	"$(grep "^member $nic" $journal)"
out=$(passthru release --recover --json); rc=$?
expect_eq "release --recover: exit 0" 0 "$rc"
expect_match "release --recover: says what it did" "group $grp: recovered from an interrupted assign \\(journal state applying\\)" \
	"$(echo "$out" | jq -r '.notes[0]')"
expect_eq "release --recover: original state" "$orig" "$(state)"
expect_eq "release --recover: journal removed" no "$([ -e $journal ] && echo yes || echo no)"
expect_eq "release --recover: interface back" yes "$([ -d /sys/bus/pci/devices/$nic/net ] && echo yes)"
out=$(passthru release --recover --json); rc=$?
expect_eq "release --recover with nothing to do: exit 0" 0 "$rc"

# killed as step 3 (drivers_probe) begins: e1000e left with no driver at all
PASSTHRU_TEST_CRASH_STEP=3 passthru assign $nic >/dev/null 2>&1
expect_eq "crash at 3: e1000e unbound, override set" "none vfio-pci none (null)" "$(state)"
# a run on another group does not touch it, and says so
out=$(passthru assign --json 0000:01:00.0); rc=$?
expect_eq "another group's run: exit 0" 0 "$rc"
expect_eq "another group's run: says group $grp was left alone" \
	"group $grp has an interrupted assign (journal state applying); left alone: run \`passthru release --recover\`" \
	"$(echo "$out" | jq -r '.notes | join(" ")')"
expect_eq "another group's run: group $grp still half-moved" "none vfio-pci none (null)" "$(state)"
expect_eq "another group's run: did its own job" vfio-pci "$(lab_driver 0000:01:00.0)"
passthru release 0000:01:00.0 >/dev/null
# the next run on THIS group recovers it first
out=$(passthru assign --json $nic); rc=$?
expect_eq "next run on group $grp: exit 0" 0 "$rc"
expect_match "next run on group $grp: recovered it automatically" "group $grp: recovered from an interrupted assign" \
	"$(echo "$out" | jq -r '.notes | join(" ")')"
expect_eq "next run on group $grp: then assigned it" "vfio-pci vfio-pci vfio-pci vfio-pci" "$(state)"
passthru release $nic >/dev/null
expect_eq "released: original state" "$orig" "$(state)"

# interrupted, and a process holds the group: neither release --recover nor
# a run on the group undoes it until the process lets go
PASSTHRU_TEST_CRASH_STEP=6 passthru assign $nic >/dev/null 2>&1
expect_eq "crash at 6: half-moved" "vfio-pci vfio-pci none vfio-pci" "$(state)"
exec 7<>/dev/vfio/$grp
out=$(passthru release --recover --json); rc=$?
expect_eq "in use: release --recover exits 1" 1 "$rc"
expect_eq "in use: it names the process" \
	"group $grp: an interrupted assign (journal state applying) is not undone: /dev/vfio/$grp is open by PID $$ (sh); fix: stop that process, then run \`passthru release --recover\`" \
	"$(echo "$out" | jq -r '.notes[0]')"
out=$(passthru release --json $nic); rc=$?
expect_eq "in use: release of the group is refused" "1 refused" "$rc $(echo "$out" | jq -r .status)"
expect_eq "in use: nothing was touched" "vfio-pci vfio-pci none vfio-pci" "$(state)"
exec 7<&-
out=$(passthru release --recover --json); rc=$?
expect_eq "let go: release --recover exit 0" 0 "$rc"
expect_eq "let go: original state" "$orig" "$(state)"

# a corrupt journal is reported, not trusted
mkdir -p /run/passthru
echo garbage >/run/passthru/group-$grp.journal
out=$(passthru release --recover --json); rc=$?
expect_eq "corrupt journal: exit 1" 1 "$rc"
expect_match "corrupt journal: named with a fix" "group-$grp.journal is corrupt; fix:" "$(echo "$out" | jq -r '.notes[0]')"
rm -f /run/passthru/group-$grp.journal
expect_eq "final state" "$orig" "$(state)"
lab_done
