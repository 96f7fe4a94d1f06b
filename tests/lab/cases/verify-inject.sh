#!/bin/sh
# lab: topology=bridged kernels=stock,iommufd timeout=300
# Every DMA-level check CAN fail: a healthy kernel never lets them, so verify
# is run with PASSTHRU_VERIFY_INJECT, which makes it simulate a broken
# platform at one point per check (see verify/inject.c).  Each of the 11
# checks after dma.open must then FAIL, the host checks must still pass, and
# the report must say that fault injection was active.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:01:00.0
all="dma.mapped-high dma.mapped-hugepage-boundary dma.mapped-low dma.mapped-page-boundary dma.read-only dma.unmapped-after-unmap dma.unmapped-never-mapped irq.msi map.outside-usable-range map.reserved-region reset.dma-stopped"
expect_ok "assign $dev" passthru assign $dev
export PASSTHRU_VERIFY_INJECT=mapped-shift,leak-never-mapped,keep-after-unmap,ro-as-rw,map-reserved-usable,map-outside-usable,msi-no-move,reset-dma-after
set --
for c in $all; do set -- "$@" --failed $c; done
lab-verify run tap --pass 8 --fail 11 --skip 0 "$@" -- $dev --iommu type1
expect_eq "verify with every fault injected: exit status" 1 $?
expect_eq "verify: every DMA-level check failed" "$all" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: the report says injection was active" "^note: .*FAULT INJECTION" "$(cat /tmp/verify.txt)"
expect_match "leak: the sentinel changed" "dma.unmapped-never-mapped .*sentinel byte" "$(cat /tmp/verify.txt)"
expect_match "stale IOTLB: the unmapped memory changed" "dma.unmapped-after-unmap .*right after it was unmapped" "$(cat /tmp/verify.txt)"
expect_match "read-only: the device wrote" "dma.read-only .*wrote into the read-only page" "$(cat /tmp/verify.txt)"
unset PASSTHRU_VERIFY_INJECT
passthru verify $dev --iommu type1 >/dev/null 2>&1
expect_eq "the same verify without injection: exit status" 0 $?
expect_ok "release $dev" passthru release $dev
lab_done
