#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd append="passthru.lab=assign" timeout=180
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# A failure in the middle rolls every member back (issue 5), on a real
# kernel: group 02:00.0 (e1000e) + 02:00.1 (edu, no driver).
#  1. PASSTHRU_TEST_FAIL_STEP=K (documented test hook) fails step K of 7
#     (e1000e: driver_override, unbind, drivers_probe, verify; edu:
#     driver_override, drivers_probe, verify) — every K ends as it began.
#  2. Real failures after e1000e already moved: 02:00.1's driver_override
#     (a) shadowed by a bind-mounted plain file, so vfio-pci never binds
#     and only verification notices, (b) made read-only (EROFS).
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru jq
nic=0000:02:00.0 edu=0000:02:00.1
grp=$(basename "$(readlink /sys/bus/pci/devices/$nic/iommu_group)")
state() {
	echo "$(lab_driver $nic) $(cat /sys/bus/pci/devices/$nic/driver_override)" \
	     "$(lab_driver $edu) $(cat /sys/bus/pci/devices/$edu/driver_override)" \
	     "$(ls /run/passthru 2>/dev/null | grep -c journal)"
}
orig="e1000e (null) none (null) 0"
expect_eq "initial state" "$orig" "$(state)"

names="driver_override unbind drivers_probe verify driver_override drivers_probe verify"
k=0
for step in $names; do
	k=$((k + 1))
	[ $k -le 4 ] && who=$nic || who=$edu
	out=$(PASSTHRU_TEST_FAIL_STEP=$k passthru assign --json $nic 2>/dev/null); rc=$?
	expect_eq "fail step $k: exit 1" 1 "$rc"
	expect_eq "fail step $k: status" rolled-back "$(echo "$out" | jq -r .status)"
	expect_match "fail step $k: error names $who and step $step" \
		"^$who \\(group $grp\\): step $step failed: Input/output error \\(injected.*every member of group $grp was restored" \
		"$(echo "$out" | jq -r .error)"
	expect_eq "fail step $k: every member back, no journal" "$orig" "$(state)"
done
expect_eq "after 7 failures the interface is there" yes "$([ -d /sys/bus/pci/devices/$nic/net ] && echo yes)"

# Real failures.  The sysfs attribute, by its real path (bind mounts
# resolve symlinks; /proc/mounts shows the resolved path):
ovr=$(readlink -f /sys/bus/pci/devices/$edu)/driver_override
echo '(null)' >/tmp/fake-override

# (a) driver_override silently ignored (a plain file bind-mounted over it):
#     the write "works", the kernel never sees it, vfio-pci never binds edu
#     — only the verify step can notice.
mount --bind /tmp/fake-override "$ovr"
out=$(passthru -v assign --json --timeout 1s $nic 2>/tmp/log); rc=$?
umount "$ovr"
expect_eq "ignored override: exit 1" 1 "$rc"
expect_match "ignored override: verify catches it" "^$edu \\(group $grp\\): step verify failed: the device is bound to no driver, not vfio-pci, after 1000 ms .*every member of group $grp was restored" \
	"$(echo "$out" | jq -r .error)"
expect_eq "ignored override: results" "rolled-back rolled-back" \
	"$(echo "$out" | jq -r '[.groups[0].members[].result] | join(" ")')"
expect_match "ignored override: e1000e had really moved" "step 4: $nic: verify" "$(cat /tmp/log)"
expect_match "ignored override: and was restored" "restore: $nic: bind to e1000e" "$(cat /tmp/log)"
expect_eq "ignored override: every member back, no journal" "$orig" "$(state)"

# (b) driver_override unwritable (read-only bind mount): EROFS on the write
mount --bind /tmp/fake-override "$ovr" && mount -o remount,ro,bind "$ovr"
expect_fail "read-only driver_override really refuses writes" sh -c "echo vfio-pci >$ovr"
out=$(passthru -v assign --json $nic 2>/tmp/log); rc=$?
umount "$ovr"
expect_eq "unwritable override: exit 1" 1 "$rc"
expect_match "unwritable override: error" "^$edu \\(group $grp\\): step driver_override failed: Read-only file system; fix: .*every member of group $grp was restored" \
	"$(echo "$out" | jq -r .error)"
expect_eq "unwritable override: results" "rolled-back unchanged" \
	"$(echo "$out" | jq -r '[.groups[0].members[].result] | join(" ")')"
expect_match "unwritable override: e1000e was restored" "restore: $nic: bind to e1000e" "$(cat /tmp/log)"
expect_eq "unwritable override: every member back, no journal" "$orig" "$(state)"
expect_eq "unwritable override: interface back" yes "$([ -d /sys/bus/pci/devices/$nic/net ] && echo yes)"

# Two groups in one run: a failure in the second (step 12 = 04:02.0's
# drivers_probe, after group 7's 7 steps and 04:01.0's 3) undoes the first
# group too, from its journal.
out=$(PASSTHRU_TEST_FAIL_STEP=12 passthru assign --json 04:01.0 $nic 2>/dev/null); rc=$?
expect_eq "two groups, failure in the second: exit 1" 1 "$rc"
expect_match "two groups: error names 04:02.0" "^0000:04:02.0 \\(group [0-9]+\\): step drivers_probe failed" \
	"$(echo "$out" | jq -r .error)"
expect_eq "two groups: every member of both rolled back" \
	"$nic rolled-back|$edu rolled-back|0000:03:00.0 unchanged|0000:04:01.0 rolled-back|0000:04:02.0 rolled-back|" \
	"$(echo "$out" | jq -r '.groups[].members[] | "\(.bdf) \(.result)"' | tr '\n' '|')"
expect_eq "two groups: group $grp back as it began" "$orig" "$(state)"
expect_eq "two groups: behind the PCI bridge too" "none (null) none (null)" \
	"$(lab_driver 0000:04:01.0) $(cat /sys/bus/pci/devices/0000:04:01.0/driver_override) $(lab_driver 0000:04:02.0) $(cat /sys/bus/pci/devices/0000:04:02.0/driver_override)"

expect_ok "afterwards a clean assign works" passthru assign $nic
expect_ok "and release" passthru release $nic
expect_eq "final state" "$orig" "$(state)"
lab_done
