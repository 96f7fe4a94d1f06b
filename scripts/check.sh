#!/bin/bash
# scripts/check.sh — what `make check` runs, in order:
#
#   1. scripts/install-deps.sh check      (suite "deps")
#   2. make all                           (suite "build")
#   3. where the VMM suites run: one line, this host's /dev/kvm or the lab
#   4. every target of CHECK_TARGETS, each in its own make: those also in
#      CHECK_LANES (the lab) start at once, each in a lane of its own; the
#      others run one after the other beside them, and then
#   5. make SAN=1 all (suite "build-san") and every target of
#      SAN_CHECK_TARGETS under ASan/UBSan
#   6. scripts/summary.sh: each suite's count and time, then the closing
#      line "check: N passed, M failed"; exit 1 when anything failed.
#
# A lane, because the lab (QEMU TCG, one VM at a time) keeps one core busy
# for half the run: on 2 cores the lab and the host-side suites side by
# side take little more than the lab alone.  A lane's output goes to
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
# Nothing else runs yet: the build may take every core.
scripts/run-suite "$R" build $MAKE --no-print-directory -j"$(nproc)" all

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
serial() {	# RESULTS MAKE-ARGS...: the targets not in a lane
	local dir=$1 t
	shift
	for t in $(mk -s "$@" print-CHECK_TARGETS); do
		case "$lanes" in *" $t "*) continue ;; esac
		target "$dir" "$t" "$@"
	done
}

san_pass() {
	scripts/run-suite "$RS" build-san $MAKE --no-print-directory SAN=1 all
	for t in $(mk -s SAN=1 print-SAN_CHECK_TARGETS); do
		target "$RS" "$t" SAN=1 VMM_WHERE=$vmm
	done
}

# What the lanes use from build/ is built here, before they start, so that
# no two makes build the same file.
mk -j"$(nproc)" lab-bins >/dev/null || echo "make lab-bins failed; the lab suites will say why"
for t in $lanes; do
	lane "$t" target "$R" "$t" VMM_WHERE=$vmm
done
serial "$R" VMM_WHERE=$vmm
san_pass

for l in "${LANES[@]}"; do
	wait "${l#*:}"
	echo "== lane ${l%%:*}: ended; its output:"
	cat "$R/lane-${l%%:*}.log"
done

echo "$where"
scripts/summary.sh --since "$t0" "$R" "$RS"
