#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="passthru.lab=assign" timeout=120
# Own boot (the append): these cases bring e1000e up, reload modules and
# re-add devices, which leaves NIC state other cases must not inherit.
# A group lock held by an unprivileged process (audit item 2).  Lock files
# used to be 0644 in a 0755 directory, so any user could open one and
# flock it, and assign waited for ever.  Here an older run's modes are put
# back, uid 1000 (lock-holder) opens and locks the edu group's lock, and:
# assign waits the bound (--lock-timeout 2s) and fails naming the PID,
# the command and the uid, having changed nothing; it has made the
# directory 0700 and the file 0600, so uid 1000 cannot open it again; once
# the holder is gone assign works.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lock-holder jq
edu=$(lab_find_dev 0x1234 0x11e8)
grp=$(basename "$(readlink /sys/bus/pci/devices/$edu/iommu_group)")
lock=/run/passthru/group-$grp.lock
wait_for() {	# FILE REGEX: bounded (20 s)
	i=0
	while ! grep -Eq "$2" "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1
		sleep 0.1
	done
}
expect_eq "edu starts without a driver" none "$(lab_driver $edu)"

# what an older passthru left behind
rm -rf /run/passthru
mkdir -m 0755 /run/passthru
: >$lock
chmod 0644 $lock
lock-holder 1000 $lock >/tmp/holder 2>&1 &
hp=$!
expect_ok "uid 1000 opens and locks the old 0644 lock file" wait_for /tmp/holder "^locked $hp$"
expect_eq "the holder is unprivileged" 1000 "$(awk '/^Uid:/ { print $2 }' /proc/$hp/status)"

t0=$(date +%s)
out=$(passthru assign --json --lock-timeout 2s $edu 2>/tmp/err); rc=$?
t1=$(date +%s)
sed 's/^/    stderr| /' /tmp/err
expect_eq "assign gives up: exit 1" 1 "$rc"
expect_match "it said it was waiting, and for how long at most" \
	"waiting for group $grp: another passthru run holds its lock \\(at most 2000 ms\\)" "$(cat /tmp/err)"
expect_match "the refusal names the holder's PID, command and uid" \
	"group $grp is locked by PID $hp \\(lock-holder, uid 1000\\): its lock $lock was still held after 2000 ms; fix: " \
	"$(cat /tmp/err)"
expect_eq "--json: status failed, nothing planned" "failed 0" \
	"$(echo "$out" | jq -r '"\(.status) \(.groups[0].members | length)"')"
expect_eq "it waited the bound, not for ever (2..5 s)" yes \
	"$([ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 5 ] && echo yes || echo "no: $((t1 - t0)) s")"
expect_eq "nothing changed" "none (null)" "$(lab_driver $edu) $(cat /sys/bus/pci/devices/$edu/driver_override)"
expect_eq "the directory is now root's alone" "700 0" "$(stat -c '%a %u' /run/passthru)"
expect_eq "the lock file too" "600 0" "$(stat -c '%a %u' $lock)"
out=$(lock-holder 1000 $lock --try); rc=$?
expect_eq "uid 1000 cannot open the lock any more" "1 cannot open $lock: Permission denied" "$rc $out"

kill $hp
wait $hp 2>/dev/null
out=$(passthru assign --json --lock-timeout 2s $edu); rc=$?
expect_eq "the holder gone: assign exit 0" "0 done" "$rc $(echo "$out" | jq -r '.groups[0].members[0].result')"
expect_eq "edu on vfio-pci" vfio-pci "$(lab_driver $edu)"
expect_ok "release" passthru release $edu
expect_eq "edu back without a driver" none "$(lab_driver $edu)"
lab_done
