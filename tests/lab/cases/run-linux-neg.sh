#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=900
# passthru run --kernel, what must fail and how:
#  - bad input before anything is touched: a file that is not a bzImage,
#    an initrd larger than the guest's RAM: status 2, a clear message, and
#    the NIC still on its own driver (--assign never ran);
#  - a Linux guest writing bogus messages into the NIC's MSI-X table with
#    devmem: it reads its own values back (the table is virtual), the
#    device's real table, read through the running VMM's own VFIO fd
#    (msix-peek), never holds them, and the straddling and PBA writes are
#    refused (msix_blocked 2).  This run uses --assign and is ended by
#    SIGINT: status 130, the NIC released back to e1000e;
#  - a Linux guest programming the NIC to fetch TX descriptors from outside
#    its RAM: the IOMMU refuses the DMA (DMAR fault in the lab's log), the
#    VMM and the lab carry on.  (QEMU's e1000e model moves its head past a
#    descriptor it failed to read, so the head says nothing.)
. "$LAB_LIB"
need_cmd passthru jq msix-peek
[ -e /dev/kvm ] || { fail "no /dev/kvm in the lab (kvm_amd not loaded?)"; lab_done; }
K=/opt/passthru/files/linux
[ -f $K/vmlinuz ] && [ -f $K/initrd.cpio ] ||
	{ fail "no Linux test guest in $K (make linux-guest)"; lab_done; }
nic=$(lab_find_dev 0x8086 0x10d3 | head -1)
[ -n "$nic" ] || { fail "no e1000e in topology $LAB_TOPOLOGY"; lab_done; }
[ "$(lab_driver "$nic")" = e1000e ] || lab_bind "$nic" e1000e
echo >/sys/bus/pci/devices/$nic/driver_override
expect_eq "the NIC starts on its own driver" e1000e "$(lab_driver "$nic")"

# ---- bad input: nothing is bound -----------------------------------------------
out=$(passthru run --assign --kernel /bin/busybox --device "$nic" 2>&1)
expect_eq "--kernel busybox: bad input" 2 "$?"
expect_match "--kernel busybox: says it is not a bzImage" \
	"passthru run: --kernel /bin/busybox: not a bzImage: no \"HdrS\" boot signature" "$out"
dd if=/dev/zero of=big.cpio bs=1M count=0 seek=300 2>/dev/null	# sparse: 300 MiB
out=$(passthru run --assign --kernel $K/vmlinuz --initrd big.cpio --mem 256M --device "$nic" 2>&1)
expect_eq "--initrd of 300 MiB in 256 MiB: bad input" 2 "$?"
expect_match "--initrd of 300 MiB: says it does not fit and how much --mem it needs" \
	'the initrd \(300 MiB\) does not fit: .* raise --mem to at least [0-9]+ MiB' "$out"
expect_eq "after the refusals the NIC is still on e1000e (nothing was bound)" e1000e \
	"$(lab_driver "$nic")"
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done

# ---- the MSI-X table stays virtual; SIGINT releases --assign ------------------------
passthru run --assign --kernel $K/vmlinuz --initrd $K/initrd.cpio \
	--append "quiet pt.test=msix pt.wait=120" --device "$nic" --console con \
	--timeout 300 --json >j 2>err &
pid=$!
i=0
while ! grep -q 'pt-guest: msix written' con 2>/dev/null && [ $i -lt 240 ] &&
	kill -0 $pid 2>/dev/null; do sleep 1; i=$((i + 1)); done
msix-peek $pid "$nic" >real 2>&1
peek=$?
kill -INT $pid
wait $pid
rc=$?
tr -d '\r' <con >console	# the guest's tty ends lines with CR LF
grep 'pt-guest' console | sed "s/^/    guest| /"
sed "s/^/    real table| /" real
sed "s/^/    stderr| /" err
expect_eq "msix-peek read the real table through the VMM's VFIO fd" 0 "$peek"
expect_match "the guest reads back its own (virtual) entry 0" \
	'^pt-guest: msix table 0x[0-9a-f]+ entry 0: 0xDEAD0000 0x00000000 0x0000BEEF 0x00000000$' "$(cat console)"
expect_eq "the real table holds none of the guest's values" 0 "$(grep -ci -e dead0000 -e 0000beef -e 12345678 real)"
expect_eq "the real table has all 5 vectors" 5 "$(grep -c '^entry [0-4] ' real)"
expect_eq "--json: the straddling write and the PBA write were refused" 2 "$(jq -r .msix_blocked j)"
expect_eq "SIGINT stops the guest: status 130" 130 "$rc"
expect_match "SIGINT: said so" 'passthru: guest linux stopped by signal 2' "$(cat err)"
expect_eq "--json: stop reason" signal "$(jq -r .stop j)"
expect_eq "SIGINT: --assign released the NIC back to e1000e" e1000e "$(lab_driver "$nic")"

# ---- DMA outside guest RAM: an IOMMU fault, nothing else ------------------------------
for i in /sys/bus/pci/devices/$nic/net/*; do [ -e "$i" ] && ip link set "$(basename $i)" down; done
lab_bind "$nic" vfio-pci || { fail "bind $nic to vfio-pci"; lab_done; }
b=$(lab_linux_backend)
before=$(dmesg | wc -l)
passthru run --kernel $K/vmlinuz --initrd $K/initrd.cpio \
	--append "quiet pt.test=dma pt.dma=0x30000000" --device "$nic" --iommu $b \
	--timeout 300 --json >j 2>err
rc=$?
s=$(jq -r .serial j | tr -d '\r')
echo "$s" | grep '^pt-guest' | sed "s/^/    $b| /"
new=$(dmesg | tail -n +$((before + 1)))
echo "$new" | grep -iE 'DMAR|fault' | head -3 | sed "s/^/    $b dmesg| /"
expect_eq "dma outside RAM --iommu $b: the guest and the VMM carry on (status)" 0 "$rc"
expect_match "dma outside RAM --iommu $b: TX ring at 0x30000000 kicked" \
	'^pt-guest: dma: TX descriptors at 0x30000000, outside guest RAM; tail kicked$' "$s"
expect_match "dma outside RAM --iommu $b: the IOMMU reported the fault" \
	'DMAR: \[DMA Read.*fault addr 0x30000000' "$new"
expect_eq "dma outside RAM --iommu $b: no oops or warning in the lab" 0 \
	"$(echo "$new" | grep -cE 'Oops|BUG:|WARNING:|Call Trace')"
lab_bind "$nic" e1000e
echo >/sys/bus/pci/devices/$nic/driver_override
lab_done
