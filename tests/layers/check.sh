#!/bin/bash
# tests/layers/check.sh — no include runs upward.
#
# The folders stand in layers, each allowed to include only its own layer
# and those below (README, "Where things are"):
#
#	tools -> verify -> vmm -> vfio -> iommu -> lib
#
# guest/ stands beside vmm/: it is freestanding and includes only guest/
# and drivers/; vmm/ (and the layers above it) may include guest/'s ABI
# and embedded programs.  drivers/ stand alone: they include only
# drivers/, and any layer may include them.  tests/ and bench/ sit on top.
# Prints one line per include that breaks this and ends with
# "N passed, M failed" (one check per project include).
cd "$(dirname "$0")/../.." || exit 2
grep -rnE '^#\s*include "[a-z]+/' lib iommu vfio drivers vmm guest verify tools \
	--include='*.c' --include='*.h' --include='*.S' | awk '
BEGIN {
	split("lib:0 iommu:1 vfio:2 vmm:3 guest:3 verify:4 tools:5 drivers:-1", kv, " ")
	for (i in kv) { split(kv[i], p, ":"); rank[p[1]] = p[2] }
}
{
	split($0, f, ":"); file = f[1]; from = file; sub(/\/.*/, "", from)
	inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
	to = inc; sub(/\/.*/, "", to)
	if (from == "drivers") ok = (to == "drivers")
	else if (from == "guest") ok = (to == "guest" || to == "drivers")
	else ok = (!(to in rank) || rank[to] == -1 || rank[to] <= rank[from])
	if (ok) pass++
	else {
		printf "FAIL: %s includes %s: %s/ may not include %s/ (an arrow running up)\n", file, inc, from, to
		fail++
	}
}
END { printf "%d passed, %d failed\n", pass, fail; exit fail > 0 }'
