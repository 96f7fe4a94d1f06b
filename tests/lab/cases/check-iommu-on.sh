#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=60
# `passthru check` on a real kernel with VT-d on: the IOMMU, interrupt
# remapping and VFIO lines pass, and the iommufd line tells the two kernels
# apart.
. "$LAB_LIB"
need_cmd passthru jq

json=$(passthru check --json); rc=$?
status() { echo "$json" | jq -r --arg n "$1" '.checks[] | select(.name == $n) | .status'; }
for c in "IOMMU in firmware" "IOMMU enabled" "IOMMU mode" "interrupt remapping" \
	"unsafe interrupts" "VFIO modules" "/dev/vfio/vfio" "/dev/kvm"; do
	expect_eq "passthru check: $c" PASS "$(status "$c")"
done
case "$LAB_KERNEL" in
iommufd) expect_eq "passthru check: iommufd (6.12 kernel has /dev/iommu)" PASS "$(status iommufd)" ;;
stock)   expect_eq "passthru check: iommufd (Debian 6.1 has none)" WARN "$(status iommufd)" ;;
esac
expect_eq "passthru check exit status" 0 "$rc"
expect_match "passthru check names the VT-d unit and group count" \
	'dmar0.*[0-9]+ IOMMU groups' "$(echo "$json" | jq -r '.checks[] | select(.name == "IOMMU enabled") | .detail')"
lab_done
