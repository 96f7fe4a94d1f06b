#!/bin/bash
# bench-list.sh — `passthru list --json` on a generated 2,000-device tree
# against lspci reading the same tree through libpci's sysfs method, in one
# run: each command BENCH_RUNS times (after 2 warm-up runs), median wall time,
# and the ratio to passthru.  Goal (issue 2): passthru at least as fast as
# `lspci -D -k` plus a group lookup, and under 50 ms.  Prints MISSED instead
# of failing: timing goals are reported, not asserted.
#
# Environment (bench/module.mk sets it): PASSTHRU, BENCH_TREE, BENCH_RUNS.
set -eu
PASSTHRU=${PASSTHRU:-build/passthru}
TREE=${BENCH_TREE:-build/fixtures-bench/bench}
RUNS=${BENCH_RUNS:-21}
PCI="$TREE/sys/bus/pci"
LSPCI=(lspci -A linux-sysfs -O "sysfs.path=$PCI")

ndev=$(ls "$PCI/devices" | wc -l)
nout=$("$PASSTHRU" --root "$TREE" list --json | grep -c '"bdf"')
if [ "$nout" != "$ndev" ]; then
	echo "bench-list: passthru listed $nout devices, the tree has $ndev" >&2
	exit 1
fi

# Median wall time in ms of "$@" (stdout and stderr discarded), measured
# with bash's $EPOCHREALTIME (no extra process inside the timed region).
median_ms() {
	local i t0 t1 times=()
	for i in 1 2; do "$@" >/dev/null 2>&1; done
	for ((i = 0; i < RUNS; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

lspci_groups_find() {
	"${LSPCI[@]}" -D -k && find "$TREE/sys/kernel/iommu_groups" -mindepth 3 -maxdepth 3 -type l
}

pt=$(median_ms "$PASSTHRU" --root "$TREE" list --json)
l_k=$(median_ms "${LSPCI[@]}" -D -k)
l_kg=$(median_ms lspci_groups_find)
l_vvv=$(median_ms "${LSPCI[@]}" -D -k -vvv)

row() { awk -v n="$1" -v t="$2" -v p="$pt" 'BEGIN { printf "  %-46s %9.1f %9.2f\n", n, t, t / p }'; }
echo "bench-list: $ndev devices ($TREE), median of $RUNS runs each"
printf '  %-46s %9s %9s\n' "command" "ms" "x passthru"
row "passthru list --json" "$pt"
row "lspci -D -k" "$l_k"
row "lspci -D -k + IOMMU groups (find)" "$l_kg"
row "lspci -D -k -vvv (has IOMMU group)" "$l_vvv"
awk -v p="$pt" -v g="$l_kg" 'BEGIN {
	printf "  goal: passthru <= lspci -D -k + group lookup: ratio %.2f %s\n", p / g, (p <= g ? "ok" : "MISSED");
	printf "  goal: passthru under 50 ms: %.1f ms %s\n", p, (p < 50 ? "ok" : "MISSED") }'
