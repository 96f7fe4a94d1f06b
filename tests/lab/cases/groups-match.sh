#!/bin/sh
# lab: topology=any kernels=stock,iommufd timeout=60
# The IOMMU groups the real kernel formed equal what `passthru list --groups
# --json` reports: the same groups with the same members, each device's
# group and driver, and viability by the kernel's rule (every endpoint on
# vfio-pci, pci-stub or no driver; bridges do not count).
. "$LAB_LIB"
need_cmd passthru jq

json=$(passthru list --groups --json) || { fail "passthru list --groups --json exited non-zero"; lab_done; }

kernel_groups=$(for g in /sys/kernel/iommu_groups/*; do
	echo "$(basename $g): $(ls $g/devices | sort | tr '\n' ' ' | sed 's/ $//')"
done | sort -n)
tool_groups=$(echo "$json" | jq -r '.groups[] | "\(.id): \(.devices | sort | join(" "))"' | sort -n)
expect_eq "groups and members: passthru = /sys/kernel/iommu_groups ($(echo "$kernel_groups" | wc -l) groups)" \
	"$kernel_groups" "$tool_groups"
[ "$kernel_groups" = "$tool_groups" ] || { echo "kernel:"; echo "$kernel_groups"; echo "passthru:"; echo "$tool_groups"; }

kernel_devs=$(for d in /sys/bus/pci/devices/*; do
	g=$(basename "$(readlink $d/iommu_group)")
	echo "$(basename $d) group=$g driver=$(lab_driver $(basename $d))"
done | sort)
tool_devs=$(echo "$json" | jq -r '.devices[] | "\(.bdf) group=\(.iommu_group) driver=\(.driver // "none")"' | sort)
expect_eq "every device's group and driver: passthru = sysfs ($(echo "$kernel_devs" | wc -l) devices)" \
	"$kernel_devs" "$tool_devs"

# Viability as the kernel judges it, computed here from sysfs.
kernel_viable=$(for g in /sys/kernel/iommu_groups/*; do
	v=true
	for d in $g/devices/*; do
		[ "$(cut -c1-6 $d/class)" = 0x0604 ] && continue
		case "$(lab_driver $(basename $d))" in vfio-pci|pci-stub|none) ;; *) v=false ;; esac
	done
	echo "$(basename $g) $v"
done | sort -n)
tool_viable=$(echo "$json" | jq -r '.groups[] | "\(.id) \(.viable)"' | sort -n)
expect_eq "group viability: passthru = kernel rule" "$kernel_viable" "$tool_viable"

# The topology's multi-member groups exist as the topology file says.
group_of() { echo "$json" | jq -r --arg b "$1" '.groups[] | select(.devices | index($b)) | .devices | sort | join(" ")'; }
case "$LAB_TOPOLOGY" in
bridged)
	expect_eq "multifunction e1000e + edu without ACS share one group" \
		"0000:02:00.0 0000:02:00.1" "$(group_of 0000:02:00.1)"
	expect_eq "PCIe-to-PCI bridge and both edus behind it share one group" \
		"0000:03:00.0 0000:04:01.0 0000:04:02.0" "$(group_of 0000:04:01.0)"
	expect_eq "edu behind a root port with ACS is alone" "0000:01:00.0" "$(group_of 0000:01:00.0)"
	expect_eq "the group with e1000e on its driver is not viable" "false" \
		"$(echo "$json" | jq -r '.groups[] | select(.devices | index("0000:02:00.0")) | .viable')"
	;;
basic)
	expect_eq "edu alone in its group" "0000:00:04.0" "$(group_of 0000:00:04.0)"
	expect_eq "e1000e alone in its group" "0000:00:05.0" "$(group_of 0000:00:05.0)"
	;;
esac
lab_done
