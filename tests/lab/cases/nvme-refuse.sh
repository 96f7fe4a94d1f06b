#!/bin/sh
# lab: topology=devices kernels=stock,iommufd timeout=420
# An NVMe namespace that holds data is never written by the DMA-test
# driver unless a range is declared scratch, and then only where the
# partition table leaves room.  Through the host's nvme driver the case
# gives 0000:00:07.0 an MBR with one 16 MiB partition holding an ext2
# filesystem and a file, and mounts it: assign refuses (mounted); unmounted
# and assigned, dma-test, verify and the guest's nvme-io refuse the
# namespace, a --scratch-lba range overlapping the partition is refused, a
# range past it is used (dma-test, verify, the guest); given back to the
# host, the filesystem mounts and the file is intact.
. "$LAB_LIB"
export NO_COLOR=1
need_cmd passthru lab-verify jq
dev=0000:00:07.0
free=65536+8192		# LBAs 32 MiB..36 MiB: past the partition (1..17 MiB)
if [ -e /dev/iommu ]; then backends="type1 iommufd" io=both n=31 nb=2; else backends=type1 io=type1 n=19 nb=1; fi
blk=$(passthru show $dev --json | jq -r '.device.block[0] // empty')
[ -n "$blk" ] && [ -b /dev/$blk ] || { fail "the namespace of $dev as a host block device (saw '$blk')"; lab_done; }
pass "$dev's namespace is /dev/$blk on the host"
printf 'o\nn\np\n1\n2048\n+16M\nw\n' | fdisk /dev/$blk >/dev/null 2>&1
sleep 1
part=$(passthru show $dev --json | jq -r '.device.partitions[0] // empty')
[ -n "$part" ] && [ -b /dev/$part ] || { fail "a partition on /dev/$blk after fdisk (saw '$part')"; lab_done; }
expect_ok "mke2fs /dev/$part" mke2fs -q /dev/$part
mkdir -p /mnt/nvme
expect_ok "mount /dev/$part" mount -t ext2 /dev/$part /mnt/nvme
echo "passthru lab canary $$" >/mnt/nvme/canary
sync
sum=$(md5sum </mnt/nvme/canary)
out=$(passthru assign $dev 2>&1); rc=$?
expect_eq "assign $dev while its partition is mounted: refused" 1 $rc
expect_match "... naming the mount" "$part mounted on /mnt/nvme" "$out"
expect_ok "umount" umount /mnt/nvme
expect_ok "assign $dev (unmounted)" passthru assign $dev
for b in $backends; do
	out=$(passthru dma-test $dev --iommu $b 2>&1); rc=$?
	expect_eq "dma-test --iommu $b on the partitioned namespace: refused (exit 1)" 1 $rc
	expect_match "... by the driver's signature check, with the fix" \
		"nvme driver init failed: Read-only file system; the namespace holds a partition table \(an MBR partition table\).*--scratch-lba" "$out"
done
out=$(passthru dma-test $dev --scratch-lba 4096+64 2>&1); rc=$?
expect_eq "dma-test --scratch-lba 4096+64 (inside the partition): refused" 1 $rc
expect_match "... because it overlaps the partition" "the range overlaps a partition or the partition table itself" "$out"
out=$(passthru dma-test $dev --scratch-lba 0+8 2>&1); rc=$?
expect_eq "dma-test --scratch-lba 0+8 (the MBR): refused" 1 $rc
out=$(passthru dma-test $dev --scratch-lba 1:999999999+8 2>&1); rc=$?
expect_eq "dma-test --scratch-lba past the end of the namespace: refused" 1 $rc
out=$(passthru dma-test $dev --scratch-lba 12x 2>&1); rc=$?
expect_eq "dma-test --scratch-lba 12x: bad input (exit 2)" 2 $rc
for b in $backends; do
	out=$(passthru dma-test $dev --iommu $b --scratch-lba $free 2>&1); rc=$?
	echo "$out" | sed "s/^/    $b| /"
	expect_eq "dma-test --iommu $b --scratch-lba $free (free space): exit status" 0 $rc
	expect_match "... writing only there" "scratch LBAs 65536\+8192" "$out"
done
lab-verify run tap --pass 7 --fail 0 --skip $((12 * nb)) -- $dev --iommu $io
expect_eq "verify without --scratch-lba: DMA checks skipped, not failed (exit 1)" 1 $?
expect_match "verify: the reason, and isolation NOT proven" \
	"SKIP .*dma.open .*the namespace holds a partition table.*DMA isolation NOT proven" "$(cat /tmp/verify.txt)"
lab-verify run tap --pass $n --fail 0 --skip 0 -- $dev --iommu $io --scratch-lba $free
expect_eq "verify --scratch-lba $free: exit status" 0 $?
if [ -e /dev/kvm ]; then
	out=$(passthru run --device $dev --guest nvme-io --timeout 90 2>&1); rc=$?
	echo "$out" | sed 's/^/    | /'
	expect_eq "run --guest nvme-io on the partitioned namespace: refused (exit 3)" 3 $rc
	out=$(passthru run --device $dev --guest nvme-io --guest-arg $free --timeout 90 2>&1); rc=$?
	echo "$out" | sed 's/^/    | /'
	expect_eq "run --guest nvme-io --guest-arg $free: exit status" 0 $rc
fi
expect_ok "release $dev" passthru release $dev
sleep 1
expect_ok "mount /dev/$part again" mount -t ext2 /dev/$part /mnt/nvme
expect_eq "the file on the partition is intact" "$sum" "$(md5sum </mnt/nvme/canary)"
umount /mnt/nvme
lab_done
