#!/bin/bash
# tests/lab/selftest.sh — proves the lab harness counts failures honestly:
# boots the lab on the cases in tests/lab/selftest/cases/ (a pass, a wrong
# expectation, a hung case, a silent case, a bad exit status, a kernel panic
# and the case after it, which must get a fresh boot, and a VM that stops
# responding) and checks the exact verdicts, the exit statuses, and that a
# wedged QEMU is killed by PID.  Ends with "N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
run=$here/run
export LAB_CASE_DIR=$here/selftest/cases
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
has_line() {	# WHAT FILE LINE-PREFIX
	if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1 (expected a line '$3', saw none; output in $2)"; fi
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lab-selftest.XXXXXX")

# 1. verdicts of one iommufd boot (a..f) and one stock boot that panics (p, q)
"$run" --out "$tmp/1" basic a-pass b-fail c-hang d-silent e-status f-after-hang p-panic q-after-panic \
	>"$tmp/1.log" 2>&1
rc=$?
[ $rc = 1 ] && pass "suite with failures exits 1" || fail "suite with failures exit status (expected 1, saw $rc)"
has_line "a passing case counts" "$tmp/1.log" "PASS: selftest: one plus one"
has_line "a FAIL line counts, with expected and seen" "$tmp/1.log" "FAIL: selftest: a wrong expectation (expected '3', saw '2')"
has_line "a hung case is killed by its own timeout" "$tmp/1.log" "FAIL: [iommufd] c-hang: killed by its 3 s timeout"
has_line "a case that prints nothing fails" "$tmp/1.log" "FAIL: [iommufd] d-silent: printed no PASS or FAIL line"
has_line "a non-zero exit without FAIL line fails" "$tmp/1.log" "FAIL: [iommufd] e-status: exited with status 3 without a FAIL line"
has_line "the case after a hung one still runs" "$tmp/1.log" "PASS: selftest: runs after a hung case in the same boot"
has_line "a kernel panic fails the case that caused it" "$tmp/1.log" "FAIL: [stock] p-panic: did not finish"
has_line "the cases after a panic get a fresh boot" "$tmp/1.log" "the remaining cases get a fresh boot"
has_line "the case after the panic ran in that fresh boot" "$tmp/1.log" "PASS: selftest: runs in a fresh boot after the panic"
has_line "the panic reached the console log" "$(ls -d "$tmp"/1/2-stock*)/console.log" "Kernel panic - not syncing: sysrq triggered crash"
has_line "exact totals" "$tmp/1.log" "6 passed, 5 failed"

# 2. a VM that stops responding (the case killed its in-guest watchdog):
#    the host-side deadline (case timeout 5 s + grace 5 s) kills QEMU by PID
t0=$(date +%s)
LAB_CASE_GRACE=5 "$run" --out "$tmp/2" basic z-wedge >"$tmp/2.log" 2>&1
rc=$? secs=$(( $(date +%s) - t0 ))
[ $rc = 1 ] && pass "wedged boot exits 1" || fail "wedged boot exit status (expected 1, saw $rc)"
has_line "wedged boot fails its case, saying why" "$tmp/2.log" "FAIL: [iommufd] z-wedge: did not finish: case z-wedge gave no result 10 s after it began (the VM is stuck)"
# The case's own deadline stopped it, not the whole boot's (BOOT_ALLOWANCE
# later): which one fired is in the log, no wall-clock bound to flake on a
# loaded host.
if grep -q 'exceeded its .* s limit' "$tmp/2.log"; then
	fail "wedged boot was stopped by the boot's limit after ${secs}s, not by the case's deadline"
else
	pass "wedged boot stopped by the case's deadline (case 5 s + grace 5 s; ${secs}s here)"
fi
pid=$(sed -n 's/.*killing QEMU (pid \([0-9]*\)).*/\1/p' "$tmp/2.log")
[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && pass "QEMU pid $pid was killed" ||
	fail "QEMU of the wedged boot killed (expected a dead pid, saw '${pid:-no pid}')"

# 3. command mode: output and exit status pass through, quoting intact
out=$("$run" --kernel iommufd --append 'lab.selftest=cmd' basic -- sh -c "echo \"it's out\"; grep -o lab.selftest=cmd /proc/cmdline; exit 7" 2>"$tmp/3.err")
rc=$?
[ $rc = 7 ] && pass "command's exit status 7 comes back" || fail "command exit status (expected 7, saw $rc)"
[ "$out" = "it's out
lab.selftest=cmd" ] && pass "command's output and --append come back" || fail "command output (expected \"it's out\" and lab.selftest=cmd, saw '$out')"

# 4. bad input
"$run" --kernel bogus basic -- true >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && pass "--kernel bogus exits 2" || fail "--kernel bogus (expected exit 2, saw $rc)"
"$run" no-such-topology >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && pass "unknown topology exits 2" || fail "unknown topology (expected exit 2, saw $rc)"

[ $failed = 0 ] && rm -rf "$tmp"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
