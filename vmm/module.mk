# vmm/: the minimal KVM VMM behind `passthru run` (internal API vmm/vmm.h,
# guest ABI vmm/abi.h).  Part of libpassthru so that tests and fuzz targets
# link it like the rest of the library.  vmm/vfio-dev.c needs the VFIO
# core's interrupt and reset code; until vfio/irq.c and vfio/reset.c exist
# the build uses vmm/vfio-none.c, which refuses VFIO devices with a message.
VMM_SRCS := $(filter-out vmm/vfio-dev.c vmm/vfio-none.c,$(sort $(wildcard vmm/*.c)))
ifneq ($(wildcard vfio/irq.c),)
ifneq ($(wildcard vfio/reset.c),)
VMM_SRCS += vmm/vfio-dev.c
endif
endif
ifeq ($(filter vmm/vfio-dev.c,$(VMM_SRCS)),)
VMM_SRCS += vmm/vfio-none.c
endif
LIB_SRCS += $(VMM_SRCS)
