#!/bin/sh
# lab: topology=basic,devices kernels=stock,iommufd append="intel_iommu=off" timeout=120
# No IOMMU at all: verify FAILS host.iommu-enabled (and every check that
# needs a group) and skips every DMA check with the reason — no device can
# even be bound for DMA.  basic: edu; devices: edu, the NVMe controller and
# the igb PF on their host drivers.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify
case "$LAB_TOPOLOGY" in
devices) devs="0000:00:04.0 0000:00:06.0 0000:01:00.0" ;;
*) devs=0000:00:04.0 ;;
esac
nd=$(echo $devs | wc -w)
lab-verify run tap --failed host.iommu-enabled --failed host.dma-translated \
	--failed host.group-viable --skip $((12 * nd)) -- $devs --iommu type1
expect_eq "verify: exit status" 1 $?
expect_match "verify: host.iommu-enabled failed" "host.iommu-enabled" "$(lab-verify failed /tmp/verify.tap)"
expect_eq "verify: DMA checks skipped, none passed" "" \
	"$(grep -E '^ok .* type1$' /tmp/verify.tap)"
for dev in $devs; do
	expect_eq "verify: host.iommu-enabled failed for $dev" 1 \
		"$(grep -cE "^not ok [0-9]+ - host.iommu-enabled $dev " /tmp/verify.tap)"
done
lab_done
