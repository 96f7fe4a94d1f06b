#!/bin/bash
# scripts/check.sh — what `make check` runs, in order:
#
#   1. scripts/install-deps.sh check      (suite "deps")
#   2. make all, then make SAN=1 all      (suites "build" and "build-san")
#   3. where the VMM suites run: one line, this host's /dev/kvm or the lab
#   4. the lanes, side by side:
#      - each target of CHECK_LANES (the lab, one lane per kernel) in a lane
#        of its own; the lane named by CHECK_VM_LANE then also runs
#        CHECK_VM_TARGETS, the other folders' suites that boot a lab VM
#        (the VMM suites when there is no host KVM), plain and under
#        ASan/UBSan;
#      - the host lane: every other target of CHECK_TARGETS, then every
#        other target of SAN_CHECK_TARGETS under ASan/UBSan, one after the
#        other;
#   5. scripts/summary.sh: each suite's count and time, then the closing
#      line "check: N passed, M failed"; exit 1 when anything failed.
#
# Why lanes: the whole run is about 80 CPU-minutes on 2 cores, so both
# cores must stay busy to the end.  A lab VM (QEMU TCG) keeps one core
# busy; each lab lane runs one VM at a time, so a lab VM never shares its
# core with more than one other VM (tests/lab/boot.sh's slots enforce it
# for runs by hand too), and the host lane boots none but check-deb's.
# The iommufd kernel's first build (its lane's first step) shares the cores
# with the stock lane's VM and the host lane.  A lane's output goes to
# build/results/lane-NAME.log and is shown whole when the lane ends, so
# suites never interleave.
#
# Every step's outcome reaches the summary: a target whose build fails is
# recorded as a failed suite named after it and the run goes on.
set -u
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
R=build/results RS=build-san/results
rm -rf "$R" "$RS"
mkdir -p "$R" "$RS"
t0=$(date +%s)

mk() { $MAKE --no-print-directory "$@"; }

# Suites record themselves (scripts/run-suite never fails), so a target
# that fails has a build or set-up step that did: one more failed suite.
target() {	# RESULTS TARGET MAKE-ARGS...
	local dir=$1 t=$2
	shift 2
	mk "$@" "$t" && return
	scripts/run-suite "$dir" "make-$t" sh -c "echo 'make $t failed: a build or set-up step of it did not complete (see above)'; exit 1"
}

scripts/run-suite "$R" deps scripts/install-deps.sh check
# Nothing else runs yet: the builds may take every core.  Everything the
# lanes use is built here, so that no two makes build the same file.
scripts/run-suite "$R" build $MAKE --no-print-directory -j"$(nproc)" all
scripts/run-suite "$RS" build-san $MAKE --no-print-directory -j"$(nproc)" SAN=1 all

# Decided once: the same answer for the plain and the sanitizer pass.
mk "$(mk -s print-VMM_PROBE)" >/dev/null 2>&1
if where=$("$(mk -s print-VMM_PROBE)" 2>&1); then
	vmm=host
else
	vmm=lab
	[ -n "$where" ] || where="vmm: no usable /dev/kvm here (the probe did not build): running the VMM suites inside the lab"
fi
echo "$where"
echo "$where" >"$R/vmm-where"
mk -j"$(nproc)" lab-bins >/dev/null || echo "make lab-bins failed; the lab suites will say why"
mk -j"$(nproc)" SAN=1 lab-bins >/dev/null || echo "make SAN=1 lab-bins failed; the lab suites will say why"

# Lanes: each runs in the background with its output in a file.
trap 'trap - TERM INT; kill 0; exit 143' TERM INT
LANES=()
lane() {	# NAME COMMAND...
	local name=$1
	shift
	echo "== lane $name: started; its output is shown when it ends ($R/lane-$name.log)"
	"$@" >"$R/lane-$name.log" 2>&1 &
	LANES+=("$name:$!")
}

lanes=" $(mk -s print-CHECK_LANES) "
vm_lane=$(mk -s print-CHECK_VM_LANE)
vm_targets=" $(mk -s VMM_WHERE=$vmm print-CHECK_VM_TARGETS) "
vm_san_targets=" $(mk -s SAN=1 VMM_WHERE=$vmm print-CHECK_VM_TARGETS) "
listed() { case "$2" in *" $1 "*) return 0 ;; esac; return 1; }	# WORD " LIST "

lab_lane() {	# TARGET: the lane's own target, then the VM targets if it is the VM lane
	local t
	target "$R" "$1" VMM_WHERE=$vmm
	[ "$1" = "$vm_lane" ] || return 0
	for t in $vm_targets; do target "$R" "$t" VMM_WHERE=$vmm; done
	for t in $vm_san_targets; do target "$RS" "$t" SAN=1 VMM_WHERE=$vmm; done
}

host_lane() {
	local t
	for t in $(mk -s VMM_WHERE=$vmm print-CHECK_TARGETS); do
		listed "$t" "$lanes" || listed "$t" "$vm_targets" || target "$R" "$t" VMM_WHERE=$vmm
	done
	for t in $(mk -s SAN=1 VMM_WHERE=$vmm print-SAN_CHECK_TARGETS); do
		listed "$t" "$vm_san_targets" || target "$RS" "$t" SAN=1 VMM_WHERE=$vmm
	done
}

for t in $lanes; do
	lane "$t" lab_lane "$t"
done
host_lane

for l in "${LANES[@]}"; do
	wait "${l#*:}"
	echo "== lane ${l%%:*}: ended; its output:"
	cat "$R/lane-${l%%:*}.log"
done

echo "$where"
scripts/summary.sh --since "$t0" "$R" "$RS"
