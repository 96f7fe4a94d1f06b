#!/bin/sh
# lab: topology=bridged,devices kernels=stock,iommufd timeout=420
# Every DMA-level check CAN fail: a healthy kernel never lets them, so verify
# is run with PASSTHRU_VERIFY_INJECT, which makes it simulate a broken
# platform at one point per check (see verify/inject.c).  Each of the 11
# checks after dma.open must then FAIL, the host checks must still pass, and
# the report must say that fault injection was active.  bridged: edu behind
# its root port; devices: the NVMe controller and an SR-IOV VF of the igb PF.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
case "$LAB_TOPOLOGY" in
devices)
	vf=$(lab_make_vf 0000:01:00.0 52:54:00:12:34:71) || fail "a VF on the igb PF"
	devs="0000:00:06.0 $vf" ;;
*)	devs=0000:01:00.0 ;;
esac
nd=$(echo $devs | wc -w)
all="dma.mapped-high dma.mapped-hugepage-boundary dma.mapped-low dma.mapped-page-boundary dma.read-only dma.unmapped-after-unmap dma.unmapped-never-mapped irq.msi map.outside-usable-range map.reserved-region reset.dma-stopped"
for dev in $devs; do expect_ok "assign $dev" passthru assign $dev; done
export PASSTHRU_VERIFY_INJECT=mapped-shift,leak-never-mapped,keep-after-unmap,ro-as-rw,map-reserved-usable,map-outside-usable,msi-no-move,reset-dma-after
set --
for c in $all; do set -- "$@" --failed $c; done
lab-verify run tap --pass $((8 * nd)) --fail $((11 * nd)) --skip 0 "$@" -- $devs --iommu type1
expect_eq "verify with every fault injected: exit status" 1 $?
expect_eq "verify: every DMA-level check failed" "$all" "$(lab-verify failed /tmp/verify.tap)"
for dev in $devs; do
	expect_eq "verify: all 11 failed for $dev" 11 "$(grep -cE "^not ok [0-9]+ - [^ ]+ $dev " /tmp/verify.tap)"
done
expect_match "verify: the report says injection was active" "^note: .*FAULT INJECTION" "$(cat /tmp/verify.txt)"
expect_match "leak: the sentinel changed" "dma.unmapped-never-mapped .*sentinel byte" "$(cat /tmp/verify.txt)"
expect_match "stale IOTLB: the unmapped memory changed" "dma.unmapped-after-unmap .*right after it was unmapped" "$(cat /tmp/verify.txt)"
expect_match "read-only: the device wrote" "dma.read-only .*wrote into the read-only page" "$(cat /tmp/verify.txt)"
unset PASSTHRU_VERIFY_INJECT
passthru verify $devs --iommu type1 >/dev/null 2>&1
expect_eq "the same verify without injection: exit status" 0 $?
for dev in $devs; do expect_ok "release $dev" passthru release $dev; done
[ "$LAB_TOPOLOGY" = devices ] && expect_ok "remove the VF" passthru vfs 0000:01:00.0 0
lab_done
