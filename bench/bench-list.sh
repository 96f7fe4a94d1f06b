#!/bin/bash
# bench-list.sh — `passthru list --json` on a generated 2,000-device tree
# against lspci reading the same tree through libpci's sysfs method, in one
# run: each command BENCH_RUNS times (after 2 warm-up runs), median wall and
# CPU time, and the ratio to passthru.  Goal (issue 2): passthru at least as fast as
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

# Children's user+sys CPU seconds recorded by the `times` builtin in FILE.
# `times` runs in this shell (a $(...) subshell has no children yet), and
# both snapshots are parsed after the run so no parsing is counted.
T0=$(mktemp) T1=$(mktemp)
trap 'rm -f "$T0" "$T1"' EXIT
cpu_of() {
	awk 'END { s = 0
		for (i = 1; i <= NF; i++) { split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2] }
		printf "%.6f", s }' "$1"
}

median() { sort -n | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# "WALL CPU": median wall time and median user+sys CPU time in ms of "$@"
# (stdout and stderr discarded), after 2 warm-up runs.  Wall time comes
# from bash's $EPOCHREALTIME (no extra process inside the timed region);
# CPU time is the steadier figure on a loaded machine.
measure() {
	local i t0 t1 wall=() cpu=()
	for i in 1 2; do "$@" >/dev/null 2>&1; done
	for ((i = 0; i < RUNS; i++)); do
		times >"$T0"
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		times >"$T1"
		wall+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
		cpu+=("$(awk -v a="$(cpu_of "$T0")" -v b="$(cpu_of "$T1")" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
	done
	echo "$(printf '%s\n' "${wall[@]}" | median) $(printf '%s\n' "${cpu[@]}" | median)"
}

lspci_groups_find() {
	"${LSPCI[@]}" -D -k && find "$TREE/sys/kernel/iommu_groups" -mindepth 3 -maxdepth 3 -type l
}

read -r pt pt_cpu < <(measure "$PASSTHRU" --root "$TREE" list --json)
read -r l_k l_k_cpu < <(measure "${LSPCI[@]}" -D -k)
read -r l_kg l_kg_cpu < <(measure lspci_groups_find)
read -r l_vvv l_vvv_cpu < <(measure "${LSPCI[@]}" -D -k -vvv)

row() {
	awk -v n="$1" -v t="$2" -v c="$3" -v p="$pt" -v pc="$pt_cpu" 'BEGIN {
		printf "  %-40s %8.1f %8.2f %8.1f %8.2f\n", n, t, t / p, c, (pc > 0 ? c / pc : 0) }'
}
echo "bench-list: $ndev devices ($TREE), median of $RUNS runs each, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
printf '  %-40s %8s %8s %8s %8s\n' "command" "wall ms" "x pt" "cpu ms" "x pt"
row "passthru list --json" "$pt" "$pt_cpu"
row "lspci -D -k" "$l_k" "$l_k_cpu"
row "lspci -D -k + IOMMU groups (find)" "$l_kg" "$l_kg_cpu"
row "lspci -D -k -vvv (has IOMMU group)" "$l_vvv" "$l_vvv_cpu"
# Verdicts on CPU time: wall time on a shared 2-CPU machine swings with
# the load of whatever else runs, CPU time much less.
awk -v p="$pt" -v g="$l_kg" -v pc="$pt_cpu" -v gc="$l_kg_cpu" 'BEGIN {
	printf "  goal: passthru <= lspci -D -k + group lookup: cpu ratio %.2f %s (wall ratio %.2f)\n",
		(gc > 0 ? pc / gc : 0), (pc <= gc ? "ok" : "MISSED"), p / g;
	printf "  goal: passthru under 50 ms: %.1f ms cpu %s (wall %.1f ms)\n", pc,
		(pc < 50 ? "ok" : "MISSED"), p }'
