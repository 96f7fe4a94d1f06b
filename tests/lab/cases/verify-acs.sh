#!/bin/sh
# lab: topology=switch kernels=stock,iommufd timeout=300
# ACS: QEMU's xio3130 switch downstream ports have no ACS capability, yet the
# kernel puts each edu behind them in its own IOMMU group.  Without ACS at
# 0000:02:00.0 the edu below it (03:00.0) could reach the edu behind the
# other downstream port (04:00.0) peer-to-peer, inside the switch, where no
# IOMMU sees it: verify FAILS host.acs-isolation and names 04:00.0.  The DMA
# checks (through the IOMMU) still pass.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:03:00.0
if [ -e /dev/iommu ]; then io=both n=30; else io=type1 n=18; fi
expect_ok "assign $dev" passthru assign $dev
lab-verify run tap --pass $n --fail 1 --skip 0 --failed host.acs-isolation -- $dev --iommu $io
expect_eq "verify: exit status" 1 $?
expect_eq "verify: the failed check" "host.acs-isolation" "$(lab-verify failed /tmp/verify.tap)"
expect_match "verify: names the port without ACS and the outside peer" \
	"0000:02:00.0 \(downstream-port\): no ACS; devices below 0000:01:00.0 that could peer but are NOT in group [0-9]+: 0000:04:00.0" \
	"$(cat /tmp/verify.txt)"
expect_ok "release $dev" passthru release $dev
lab_done
