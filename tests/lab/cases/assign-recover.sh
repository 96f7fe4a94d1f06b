#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# Crash recovery from the journal (issue 5): PASSTHRU_TEST_CRASH_STEP=K
# (documented test hook) SIGKILLs passthru at step K, leaving a half-moved
# group and a journal in state "applying" — what a crash or `kill -9`
# leaves.  `release --recover` undoes it; so does the next assign/release
# run of any group, automatically.
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
# the next run on ANY group recovers it first
out=$(passthru assign --json 0000:01:00.0); rc=$?
expect_eq "next run: exit 0" 0 "$rc"
expect_match "next run: recovered group $grp automatically" "group $grp: recovered from an interrupted assign" \
	"$(echo "$out" | jq -r '.notes | join(" ")')"
expect_eq "next run: original state" "$orig" "$(state)"
expect_eq "next run: did its own job" vfio-pci "$(lab_driver 0000:01:00.0)"
passthru release 0000:01:00.0 >/dev/null

# a corrupt journal is reported, not trusted
mkdir -p /run/passthru
echo garbage >/run/passthru/group-$grp.journal
out=$(passthru release --recover --json); rc=$?
expect_eq "corrupt journal: exit 1" 1 "$rc"
expect_match "corrupt journal: named with a fix" "group-$grp.journal is corrupt; fix:" "$(echo "$out" | jq -r '.notes[0]')"
rm -f /run/passthru/group-$grp.journal
expect_eq "final state" "$orig" "$(state)"
lab_done
