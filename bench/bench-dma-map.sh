#!/bin/bash
# bench-dma-map — DMA map+unmap throughput of 1 GiB: one call vs page by
# page (4 KiB anonymous, 2 MiB hugetlb), VFIO type1 vs iommufd, in one run
# (vfio/tests/vfio-bench-map.c prints the table and the ratios).
#
# Where: with PASSTHRU_BENCH_DEVICE=BDF (a device already on vfio-pci) on a
# machine with VFIO, on real hardware; otherwise in the lab VM on the
# iommufd kernel (both backends there) with the edu device — EMULATED
# IOMMU numbers (QEMU TCG VT-d), useful for ratios, not absolute speeds.
# The lab VM gets 3 GiB (QEMU wrapper adding -m 3G, the harness's QEMU
# hook) so that 1 GiB of anonymous memory and 1 GiB of huge pages fit.
# BENCH_SIZE (default 1G) changes the amount.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$top/$BUILD ;; esac
size=${BENCH_SIZE:-1G}
runs=${BENCH_RUNS:-3}
[ "$runs" -gt 15 ] && runs=3	# the generic BENCH_RUNS is tuned for fast benchmarks

if [ -n "${PASSTHRU_BENCH_DEVICE:-}" ]; then
	echo "bench-dma-map: real hardware, device $PASSTHRU_BENCH_DEVICE"
	BENCH_RUNS=$runs exec "$BUILD/lab-bin/vfio-bench-map" "$PASSTHRU_BENCH_DEVICE" "$size"
fi

wrap=$BUILD/bench/qemu-3g
mkdir -p "$(dirname "$wrap")"
printf '#!/bin/sh\nexec %s "$@" -m 3G\n' "${QEMU:-qemu-system-x86_64}" >"$wrap"
chmod +x "$wrap"
echo "bench-dma-map: lab VM (iommufd kernel, edu), $size, emulated IOMMU"
QEMU=$wrap "$top/tests/lab/run" --kernel iommufd --timeout 1200 basic -- sh -c '
	. "$LAB_LIB"
	edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
	lab_bind "$edu" vfio-pci || { echo "cannot bind $edu to vfio-pci"; exit 1; }
	echo 600 >/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	BENCH_RUNS='"$runs"' vfio-bench-map "$edu" '"$size"
