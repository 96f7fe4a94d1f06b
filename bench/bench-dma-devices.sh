#!/bin/bash
# bench-dma-devices — throughput of the DMA-test drivers' devices through
# the IOMMU, per driver, backend and page size, in one run
# (vfio/tests/vfio-bench-dev.c prints the table and the ratios): NVMe
# Write+Read MB/s with its largest transfer, igb PF, igb VF and e1000e
# loopback frames/s, each with 4 KiB, 2 MiB and 1 GiB-backed buffers
# through VFIO type1 and iommufd, and the map cost of each buffer per MiB.
#
# Where: with PASSTHRU_BENCH_DEVICE="BDF..." (devices already on vfio-pci)
# on real hardware; otherwise in the lab VM (iommufd kernel, both
# backends; devices topology; 4 GiB with one 1 GiB huge page).  The lab's
# figures are QEMU TCG with an emulated VT-d and emulated devices: QEMU's
# nvme moves data through its block layer on the host (a raw sparse file),
# its NICs copy each frame in the device model and every register access
# is a trap into QEMU, so the devices, not the IOMMU, bound the rates —
# compare ratios between backends and page sizes, not the numbers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac

if [ -n "${PASSTHRU_BENCH_DEVICE:-}" ]; then
	echo "bench-dma-devices: real hardware, devices $PASSTHRU_BENCH_DEVICE"
	# shellcheck disable=SC2086
	exec "$BUILD/lab-bin/vfio-bench-dev" $PASSTHRU_BENCH_DEVICE
fi

wrap=$BUILD/bench/qemu-4g
mkdir -p "$(dirname "$wrap")"
printf '#!/bin/sh\nexec %s "$@" -m 4G\n' "${QEMU:-qemu-system-x86_64}" >"$wrap"
chmod +x "$wrap"
echo "bench-dma-devices: lab VM (iommufd kernel, devices topology), emulated IOMMU and devices"
QEMU=$wrap "$top/tests/lab/run" --kernel iommufd --append "hugepagesz=1G hugepages=1" \
	--timeout 1500 devices -- sh -c '
	. "$LAB_LIB"
	pf=0000:01:00.0
	echo 160 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	# the boot reserves the 1 GiB page; where it could not, try now
	g=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
	[ -e $g ] && [ "$(cat $g)" = 0 ] && echo 1 >$g 2>/dev/null
	echo "1 GiB pages: $(cat $g 2>/dev/null || echo none)"
	for i in /sys/bus/pci/devices/$pf/net/*; do ip link set "$(basename $i)" down; done
	for d in 0000:00:06.0 0000:00:05.0 $pf; do passthru assign --force $d >/dev/null || exit 1; done
	vfio-bench-dev 0000:00:06.0 0000:00:05.0 $pf'
# The VF in a VM of the lab's usual 1 GiB: with more memory the guest puts
# the VFs' 64-bit BARs above 4 GiB, where QEMU 10's igb VFs read as zeros
# (their 1 GiB-page rows say why they are not measured).
"$top/tests/lab/run" --kernel iommufd --timeout 900 devices -- sh -c '
	. "$LAB_LIB"
	echo 160 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	vf=$(lab_make_vf 0000:01:00.0 52:54:00:12:34:71) || { echo "no VF"; exit 1; }
	passthru assign $vf >/dev/null || exit 1
	vfio-bench-dev $vf | tail -n +2'
