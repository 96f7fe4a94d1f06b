#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=900
# passthru run --kernel: the stock Debian 6.1 kernel boots on our VMM (no
# firmware: the 64-bit boot protocol, an MP table) with the lab's e1000e
# assigned, and the guest's OWN e1000e driver drives it: eth0 up, a DHCP
# lease from QEMU's user network (RX DMA into guest RAM through the IOMMU,
# MSI-X through irqfd), three pings of the gateway 10.0.2.2.  Twice, with
# the kernel's backend (lab_linux_backend: type1 on 6.1, iommufd on 6.12):
# 2 vCPUs on MSI-X, then 1 vCPU with pci=nomsi, so that the driver uses INTx
# through the MP table's routing.  (A 1-vCPU guest on MSI-X would take no
# path these two do not, and each nested Linux guest is a minute of the
# lab's TCG time.)  run-linux-nic.host then finds the guest's DHCP and ICMP
# frames in the NIC's capture outside the lab VM.
. "$LAB_LIB"
need_cmd passthru jq
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
K=/opt/passthru/files/linux
[ -f $K/vmlinuz ] && [ -f $K/initrd.cpio ] ||
	{ fail "no Linux test guest in $K (make linux-guest)"; lab_done; }
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$nic" ] || { fail "no e1000e in topology $LAB_TOPOLOGY"; lab_done; }
orig=$(lab_driver "$nic")
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
lab_bind "$nic" vfio-pci || { fail "bind $nic to vfio-pci"; lab_done; }
b=$(lab_linux_backend)
runs=0
# One Linux guest with the NIC: CPUS [APPEND]; the checks every run shares.
# Leaves w (the run's name), s (its serial output) and j (its --json) for
# the run's own checks.
guest() {
	c=$1
	w="run --kernel --iommu $b --cpus $c${2:+, $2}"
	passthru run --kernel $K/vmlinuz --initrd $K/initrd.cpio \
		--append "quiet pt.test=nic${2:+ $2}" --device "$nic" --iommu $b --cpus $c \
		--timeout 300 --json >j 2>err
	rc=$?
	runs=$((runs + 1))
	s=$(jq -r .serial j | tr -d '\r')
	echo "$s" | grep '^pt-guest' | sed "s/^/    cpus=$c $2| /"
	sed "s/^/    cpus=$c $2 stderr| /" err
	expect_eq "$w: exit status (the guest's, through the debug-exit port)" 0 "$rc"
	expect_match "$w: the guest has $c CPU(s)" "^pt-guest: $c CPU\\(s\\)\$" "$s"
	expect_eq "$w --json: backend" $b "$(jq -r '.vfio[0].iommu' j)"
	expect_match "$w: 3 of 3 pings of the gateway answered" \
		'^pt-guest: ping 10\.0\.2\.2: 3 of 3 replies at ' "$s"
}

guest 2
expect_match "$w: the guest's own e1000e driver has the NIC" \
	'^pt-guest: eth0 driver e1000e mac 52:54:00:12:34:56$' "$s"
expect_match "$w: DHCP lease from the user network" \
	'^pt-guest: lease 10\.0\.2\.15/24 router none from 10\.0\.2\.2 at ' "$s"
expect_match "$w: the guest's interrupts are MSI-X vectors" \
	'^pt-guest: irq [0-9]+: [0-9]+ .*PCI-MSI.*eth0-rx-0$' "$s"
expect_eq "$w --json: the NIC's interrupts were MSI-X at the end" msi-x \
	"$(jq -r '.devices[0].irq' j)"
expect_eq "$w --json: the IOMMU maps exactly guest RAM (1 mapping, 256 MiB)" \
	"1 268435456" "$(jq -r '"\(.vfio[0].iommu_mappings) \(.vfio[0].iommu_mapped_bytes)"' j)"
expect_eq "$w --json: no guest access reached the real MSI-X table" 0 \
	"$(jq -r .msix_blocked j)"

# pci=nomsi: the guest's driver falls back to INTx, which reaches it only
# if the MP table's PCI interrupt entry names the right IOAPIC pin (16 for
# slot 1) and the resampling irqfd unmasks the line after each EOI.
guest 1 pci=nomsi
expect_match "$w: eth0's interrupt is IOAPIC pin 16, level-triggered" \
	'^pt-guest: irq 16: [0-9]+ .*IO-APIC +16-fasteoi +eth0$' "$s"
expect_eq "$w --json: the NIC's interrupt is INTx" intx "$(jq -r '.devices[0].irq' j)"
echo "linux-nic runs: $runs"
[ "$orig" = none ] || lab_bind "$nic" "$orig"
echo >/sys/bus/pci/devices/$nic/driver_override
lab_done
