#!/bin/bash
# scripts/check.sh — what `make check` runs, in order:
#
#   1. scripts/install-deps.sh check      (suite "deps")
#   2. make all, then make SAN=1 all      (suites "build" and "build-san")
#   3. where the VMM suites run: one line, this host's /dev/kvm or the lab
#   4. make lab-setup                     (suite "lab-kernels"): the lab's
#      kernels, the iommufd one built from source on a first run
#   5. the lanes, side by side, each one suite after the other:
#      - each target of CHECK_LANES (the lab: one lane per kernel), then
#        from a queue both lab lanes share, CHECK_VM_TARGETS: the other
#        folders' suites that boot a lab VM, plain and under ASan/UBSan
#        (each taken by whichever lab lane is free first);
#      - "host": every other target of CHECK_TARGETS;
#      - "host-san": every other target of SAN_CHECK_TARGETS, under
#        ASan/UBSan;
#   6. scripts/summary.sh: each suite's count and time, then the closing
#      line "check: N passed, M failed"; exit 1 when anything failed.
#
# Why this order: a first run is about 65 CPU-minutes on 2 cores, so both
# cores must stay busy to the end.  The iommufd kernel's first build (about
# 20 CPU-minutes) starts the longest chain (its lab suites need it): alone
# it takes 11 minutes, beside the lanes it gets a third of the machine and
# takes three times that.  After it, four lanes share the cores, so that
# when one ends the others still keep both busy.  A lab VM (QEMU TCG) keeps
# one core busy; each lab lane runs one VM at a time and no other lane boots
# one, so no more VMs run than cores (tests/lab/boot.sh's slots enforce it
# for runs by hand too).  A lane's output goes to build/results/lane-NAME.log and is
# shown whole when the lane ends, so suites never interleave.
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
scripts/run-suite "$R" lab-kernels $MAKE --no-print-directory lab-setup

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
vm_targets=" $(mk -s VMM_WHERE=$vmm print-CHECK_VM_TARGETS) "
plain=$(mk -s VMM_WHERE=$vmm print-CHECK_TARGETS)
san=$(mk -s SAN=1 VMM_WHERE=$vmm print-SAN_CHECK_TARGETS)
listed() { case "$2" in *" $1 "*) return 0 ;; esac; return 1; }	# WORD " LIST "

# The VM targets' queue, one "plain TARGET" or "san TARGET" per line.  Which
# lab lane ends its own suites first depends on the machine, so neither
# gets them all: each lane takes the next one whenever it is free.
QUEUE=$R/vm-queue
for t in $plain; do listed "$t" "$vm_targets" && echo "plain $t"; done >"$QUEUE"
for t in $san; do listed "$t" "$vm_targets" && echo "san $t"; done >>"$QUEUE"
vm_next() {	# prints the next queued VM target and takes it off; fails when none is left
	(
		flock 8
		IFS= read -r line <"$QUEUE" || exit 1
		sed -i 1d "$QUEUE"
		echo "$line"
	) 8>"$QUEUE.lock"
}

lab_lane() {	# TARGET: the lane's own target, then queued VM targets until none is left
	local line kind t
	target "$R" "$1" VMM_WHERE=$vmm
	while line=$(vm_next); do
		read -r kind t <<<"$line"
		if [ "$kind" = san ]; then
			target "$RS" "$t" SAN=1 VMM_WHERE=$vmm
		else
			target "$R" "$t" VMM_WHERE=$vmm
		fi
	done
}

host_lane() {
	local t
	for t in $plain; do
		listed "$t" "$lanes" || listed "$t" "$vm_targets" || target "$R" "$t" VMM_WHERE=$vmm
	done
}

host_san_lane() {
	local t
	for t in $san; do
		listed "$t" "$vm_targets" || target "$RS" "$t" SAN=1 VMM_WHERE=$vmm
	done
}

for t in $lanes; do
	lane "$t" lab_lane "$t"
done
lane host host_lane
lane host-san host_san_lane

for l in "${LANES[@]}"; do
	wait "${l#*:}"
	echo "== lane ${l%%:*}: ended; its output:"
	cat "$R/lane-${l%%:*}.log"
done

echo "$where"
scripts/summary.sh --since "$t0" "$R" "$RS"
