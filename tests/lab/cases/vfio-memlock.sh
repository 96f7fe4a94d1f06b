#!/bin/sh
# lab: topology=basic kernels=stock,iommufd timeout=90
# Pinning over RLIMIT_MEMLOCK (CAP_IPC_LOCK dropped) fails with the locked /
# needed / how-to-raise sentence, for each backend the kernel has.
. "$LAB_LIB"
need_cmd vfio-lab
edu=$(lab_find_dev 0x1234 0x11e8 | head -1)
expect_ok "bind edu $edu to vfio-pci" lab_bind "$edu" vfio-pci
PASSTHRU_IOMMU=type1 vfio-lab memlock "$edu" || LAB_FAILED=$((LAB_FAILED + 1))
[ -e /dev/iommu ] && { PASSTHRU_IOMMU=iommufd vfio-lab memlock "$edu" || LAB_FAILED=$((LAB_FAILED + 1)); }
lab_done
