# vmm/: the minimal KVM VMM behind `passthru run` (internal API vmm/vmm.h,
# guest ABI guest/abi.h, assigned devices vmm/vfio-dev.h on top of vfio/ and
# iommu/).  Part of libpassthru so that tests, benchmarks and fuzz targets
# link it like the rest of the library.
LIB_SRCS += $(sort $(wildcard vmm/*.c))
