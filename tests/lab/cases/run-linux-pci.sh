#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=600
# passthru run --kernel with the edu device: the Linux guest's PCI core
# finds it behind our host bridge with its ids and keeps the BAR our
# "firmware" assigned: the address the guest's own lspci shows is the one
# the VMM decodes (--json).  The guest then reads edu's identification
# register (0x010000ed) through BAR0, a KVM memory slot: no MMIO exit.
. "$LAB_LIB"
need_cmd passthru jq
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
K=/opt/passthru/files/linux
[ -f $K/vmlinuz ] && [ -f $K/initrd.cpio ] && [ -f $K/lspci.cpio ] ||
	{ fail "no Linux test guest in $K (make linux-guest)"; lab_done; }
edu=
for d in $(lab_find_dev 0x1234 0x11e8); do
	[ "$(ls /sys/bus/pci/devices/$d/iommu_group/devices | wc -l)" = 1 ] && { edu=$d; break; }
done
[ -n "$edu" ] || { fail "no edu device alone in its IOMMU group"; lab_done; }
orig=$(lab_driver "$edu")
lab_bind "$edu" vfio-pci || { fail "bind $edu to vfio-pci"; lab_done; }
cat $K/initrd.cpio $K/lspci.cpio >initrd-lspci.cpio	# the kernel unpacks both
b=$(lab_linux_backend)
w="run --kernel --iommu $b, edu"
passthru run --kernel $K/vmlinuz --initrd initrd-lspci.cpio --append "quiet pt.test=pci" \
	--device "$edu" --iommu $b --timeout 300 --json >j 2>err
rc=$?
s=$(jq -r .serial j | tr -d '\r')
echo "$s" | grep '^pt-guest' | sed "s/^/    $b| /"
sed "s/^/    $b stderr| /" err
expect_eq "$w: exit status (0: the id register answered)" 0 "$rc"
gpa=$(jq -r '.devices[0].bars[0].gpa' j)
expect_eq "$w --json: BAR0 (1 MiB) is decoded at 0xc0000000 as a KVM slot" \
	"0xc0000000 1048576 slot" "$(jq -r '.devices[0].bars[0] | "\(.gpa) \(.size) \(.kind)"' j)"
expect_match "$w: the guest's PCI core sees edu at 00:01.0 with its ids and class" \
	'^pt-guest: pci 0000:00:01\.0 0x1234:0x11e8 class 0x00ff00 ' "$s"
expect_match "$w: the guest's BAR0 is where the VMM decodes it" \
	"^pt-guest: pci 0000:00:01\\.0 bar0 0x00000000${gpa#0x}-0x00000000c00fffff flags 0x0*40200\$" "$s"
expect_match "$w: the guest's lspci shows the same BAR0" \
	"^pt-guest: lspci\\| 	Memory at ${gpa#0x} \\(32-bit, non-prefetchable\\) \\[size=1M\\]" "$s"
expect_match "$w: lspci shows the device's ids" \
	'^pt-guest: lspci\| 00:01\.0 00ff: 1234:11e8' "$s"
expect_match "$w: the identification register read through BAR0" \
	"^pt-guest: edu 0000:00:01\\.0 BAR0 0x00000000${gpa#0x} id 0x010000ED\$" "$s"
expect_eq "$w --json: the read went through the slot (no MMIO exit at all)" 0 \
	"$(jq -r .mmio_exits j)"
echo "$orig" | grep -qx none || lab_bind "$edu" "$orig"
echo >/sys/bus/pci/devices/$edu/driver_override
lab_done
