#!/bin/sh
# lab: topology=basic kernels=stock,iommufd append="intel_iommu=off" timeout=120
# No IOMMU at all: verify FAILS host.iommu-enabled (and every check that
# needs a group) and skips every DMA check with the reason — no device can
# even be bound for DMA.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
dev=0000:00:04.0
lab-verify run tap --failed host.iommu-enabled --failed host.dma-translated \
	--failed host.group-viable --skip 12 -- $dev --iommu type1
expect_eq "verify: exit status" 1 $?
expect_match "verify: host.iommu-enabled failed" "host.iommu-enabled" "$(lab-verify failed /tmp/verify.tap)"
expect_eq "verify: DMA checks skipped, none passed" "" \
	"$(grep -E '^ok .* type1$' /tmp/verify.tap)"
lab_done
