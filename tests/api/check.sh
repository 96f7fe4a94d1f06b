#!/bin/bash
# tests/api/check.sh BUILD FIXTURES — libpassthru as another project uses it
# (the installed header and the shared library, nothing else) cannot move
# a blocked group without force:
#  - api-guard (tests/api/api-guard.c) on the workstation fixture (dry
#    runs): the boot-VGA GPU group is refused, and stays refused through
#    every way around the public API offers; with force it is planned;
#  - the shared library exports the transaction and none of the step
#    machine underneath (ptb_*, the old pt_bind_assign & co.), so a program
#    that declares those itself does not link.
# The same program moves a real blocked NIC in the lab (tests/lab/cases/
# assign-api.sh).  Ends with "N passed, M failed".
build=$1 fix=$2
pass=0 fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
no() { echo "FAIL: $1"; fail=$((fail + 1)); [ -n "${2:-}" ] && echo "$2" | sed 's/^/    | /'; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else no "$1" "expected:
$2
saw:
$3"; fi; }

api=$build/tests/api/api-guard
ws=$fix/workstation
out=$($api --root "$ws" --dry-run 01:00.1 2>&1); rc=$?
check "without force: refused, exit 1" 1 "$rc"
check "without force: the plan, the refusal and every retry" "status refused
error group 1 is blocked (0000:01:00.0: boot VGA device (firmware and early console output)); nothing was changed; fix: stop using it (unmount, swapoff, \`ip link set IFACE down\`, move the console) or pass --force
group 1 refused 1 force 0 blocked 2
member 0000:00:01.0 pcieport stays-bridge unchanged
member 0000:01:00.0 nouveau to-vfio planned
member 0000:01:00.1 snd_hda_intel to-vfio planned
retry: apply again: -16
retry: plan again: -16
retry: apply with force written into the plan: -16
retry: add a forced device after the plan: -22" "$out"
out=$($api --root "$ws" --dry-run --force 01:00.1 2>&1); rc=$?
check "with force: planned, exit 0" 0 "$rc"
check "with force: group 1 forced, both functions to vfio-pci" "status ok
error 
group 1 refused 0 force 1 blocked 2
member 0000:00:01.0 pcieport stays-bridge unchanged
member 0000:01:00.0 nouveau to-vfio planned
member 0000:01:00.1 snd_hda_intel to-vfio planned" "$out"
out=$($api --root "$ws" 00:14.0 2>&1); rc=$?
check "a live run against a tree: refused as bad input" "2 status failed" "$rc $(echo "$out" | head -1)"

so=$build/libpassthru.so.1
syms=$(nm -D --defined-only "$so" | awk '{print $3}' | sed 's/@.*//')
for f in pt_txn_new pt_txn_add_device pt_txn_apply pt_txn_group pt_conf_add; do
	if echo "$syms" | grep -qx "$f"; then ok "the shared library exports $f"; else no "the shared library exports $f"; fi
done
hidden=$(echo "$syms" | grep -E '^(ptb_|ptt_|pt_bind_(assign|release|chown|set_numvfs|lock_group|plan_)|pt_binder_|pt_journal_)' | tr '\n' ' ')
check "the shared library exports no step machine" "" "$hidden"
tmp=$(mktemp -d)
cat >"$tmp/sneak.c" <<'C'
struct pt_binder;
struct pt_bind_plan;
int ptb_assign(struct pt_binder *b, struct pt_bind_plan *p);
int main(void) { return ptb_assign(0, 0); }
C
if ${CC:-cc} -o "$tmp/sneak" "$tmp/sneak.c" "$so" 2>"$tmp/err"; then
	no "a program declaring ptb_assign itself does not link against the library"
else
	check "a program declaring ptb_assign itself does not link against the library" \
		yes "$(grep -q 'undefined reference to .ptb_assign' "$tmp/err" && echo yes)"
fi
rm -rf "$tmp"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
