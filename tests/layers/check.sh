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
rank() {
	case $1 in
	lib) echo 0 ;; iommu) echo 1 ;; vfio) echo 2 ;; vmm|guest) echo 3 ;;
	verify) echo 4 ;; tools) echo 5 ;; drivers) echo -1 ;; *) echo 9 ;;
	esac
}
pass=0 fail=0
while IFS=: read -r file _ inc; do
	from=${file%%/*}
	to=$(sed -E 's/.*#include "([a-z]+)\/.*/\1/' <<<"$inc")
	[ "$to" = "$inc" ] && continue
	rf=$(rank "$from") rt=$(rank "$to")
	ok=1
	case $from in
	drivers) [ "$to" = drivers ] || ok=0 ;;
	guest) [ "$to" = guest ] || [ "$to" = drivers ] || ok=0 ;;
	*) [ "$rt" = -1 ] || [ "$rt" -le "$rf" ] || ok=0 ;;
	esac
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
	else
		echo "FAIL: $file includes $(sed -E 's/.*#include "([^"]*)".*/\1/' <<<"$inc"): $from/ may not include $to/ (an arrow running up)"
		fail=$((fail + 1))
	fi
done < <(grep -rnE '^#\s*include "' lib iommu vfio drivers vmm guest verify tools \
	--include='*.c' --include='*.h' --include='*.S')
echo "$pass passed, $fail failed"
[ $fail = 0 ]
